pub mod line_index;
pub mod article;
