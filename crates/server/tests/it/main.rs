//! The integration tests: one binary, so that the support crate and the
//! server are linked once. Each module is one area; see docs/dev/testing.md.

mod boundaries;
mod check_cli;
mod check_fix;
mod docs;
mod editor_configs;
mod fuzz_regressions;
mod hostile_files;
mod nvim_client;
mod protocol_abuse;
mod server_admission;
mod server_cache;
mod server_encoding;
mod server_features;
mod server_hints;
mod server_refactor;
mod server_robustness;
mod server_scan_truth;
mod server_sync;
mod server_uris;
mod server_workspace;
mod tidy;

/// The server's binary, built by Cargo for these tests.
const SERVER: &str = env!("CARGO_BIN_EXE_article-lsp");
