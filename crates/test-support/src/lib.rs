//! What the tests, the fuzz targets and the benchmarks share, and nothing the
//! product links: the corpus generator, workspaces copied from the
//! repository's fixtures, one LSP client (in-process over a pipe, or the real
//! binary over stdio), and the checks the fuzz targets run.

pub mod client;
pub use article_corpus as corpus;
pub mod fuzzing;
pub mod rope_reference;
pub mod stdio;

/// The repository's root: where `fixtures/`, `fuzz/`, `editors/` and the
/// docs are.
pub const REPO_ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
