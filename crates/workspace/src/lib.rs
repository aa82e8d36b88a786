//! The disk layer of article-lsp: which files are articles (one admission
//! rule, shared by the scan, the watcher and `check`), reading them within a
//! workspace folder's boundary, the settings file, and the index cache.
//!
//! It builds on the core and knows nothing of the protocol.

pub mod admission;
pub mod allocator;
pub mod boundary;
pub mod cache;
pub mod config;
pub mod files;
pub mod walk;
