//! What the tests, the fuzz targets and the benchmarks share, and nothing the
//! product links: the corpus generator, workspaces copied from the
//! repository's fixtures, one LSP client (the server in process over a pipe,
//! or the binary over stdio), and the checks the fuzz targets run.

pub mod client;
pub mod fixtures;
pub mod fuzzing;
pub mod rope_reference;
pub mod session;
pub mod values;

pub use article_corpus as corpus;
pub use client::{Client, Inbox, Options, TIMEOUT, frame, frame_json, uri};
pub use fixtures::workspace;
pub use session::{Session, cluster};
pub use values::*;

/// The repository's root: where `fixtures/`, `fuzz/`, `editors/` and the
/// docs are.
pub const REPO_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
