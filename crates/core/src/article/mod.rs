//! The article model: what one file says, with the exact source range of every
//! key and value a feature needs. Built by [`parse_article`] from text alone.

mod fast_yaml;
mod front_matter;
mod model;
mod parse;

pub use front_matter::{FrontMatter, find_front_matter};
pub use model::*;
pub use parse::{parse_article, parse_article_with_saphyr};

#[cfg(test)]
mod tests;
