//! The pure core of article-lsp: an article's text parsed with exact byte
//! ranges, the summary the index keeps of it, the index and its immutable
//! snapshots, diagnostics, and every editor feature as a function of a
//! snapshot, a file and an offset.
//!
//! Nothing here knows the protocol, an async runtime or the file system:
//! the workspace crate reads the disk, the server crate speaks LSP. The
//! crate's manifest keeps it so (a dependency on either does not build).

pub mod article;
mod codes;
pub mod diagnostics;
pub mod ide;
pub mod index;
pub mod line_index;
pub mod resolve;
mod slug;
pub mod suggest;
pub mod summary;
pub mod texts;
mod varint;

#[cfg(test)]
mod test_support;
