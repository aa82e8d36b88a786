pub mod line_index;
pub mod article;
pub mod index;
pub mod diagnostics;
pub mod resolve;
pub mod slug;
pub mod suggest;
#[cfg(test)]
mod test_support;
