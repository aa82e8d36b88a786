pub mod admission;
pub mod allocator;
pub mod article;
pub mod cache;
pub mod cli;
pub mod codes;
pub mod config;
pub mod diagnostics;
#[doc(hidden)]
pub mod fuzzing;
pub mod ide;
pub mod index;
pub mod line_index;
pub mod resolve;
pub mod server;
pub mod slug;
pub mod suggest;
pub mod summary;
#[cfg(test)]
mod test_support;
pub mod texts;
pub mod workspace;
