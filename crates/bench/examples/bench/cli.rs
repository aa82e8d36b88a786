//! The command line: the options of the Python driver it replaces, with
//! their meanings and defaults (long options may be shortened, as
//! argparse allowed).

use std::path::PathBuf;
use std::str::FromStr;

use clap::{ArgAction, Parser};

/// What the server logs when `--server-log` does not say: its own default
/// (crates/server/src/main.rs), so that logging costs what it costs in an
/// editor.
const SERVER_DEFAULT_LOG: &str = "warn";

/// End-to-end benchmarks of article-lsp on generated corpora (see BENCHMARKS.md).
///
/// Generates (or reuses) one corpus per size, and measures in one run, per
/// size: the floor (examples/floor), `article-lsp check`, and the language
/// server over stdio (cold start, memory, request latency,
/// edit-to-diagnostics, a change seen by 1,000 referrers, a restart, clean
/// exit, and bulk changes on disk: `npm install`, `git commit -a`, `git
/// gc`, a checkout, deletions, each told as a client's file watcher would,
/// with edits meanwhile). Prints a Markdown table with the targets and
/// writes every figure as JSON.
#[derive(Parser, Debug)]
#[command(name = "scripts/bench", bin_name = "scripts/bench", infer_long_args = true)]
pub struct Args {
    /// Corpus sizes, comma-separated (`100k` is 100,000)
    #[arg(long, default_value = "1000,10000,100000")]
    pub sizes: Sizes,
    /// Where corpora are generated and kept for reuse; not under target/,
    /// which the repository's .gitignore hides from the scan
    #[arg(long, default_value_os_t = default_corpus_dir())]
    pub corpus_dir: PathBuf,
    /// JSON results [default: target/bench-results.json]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Floor and check runs per size, median taken
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Requests per latency figure
    #[arg(long, default_value_t = 1000)]
    pub requests: usize,
    /// didChange samples
    #[arg(long, default_value_t = 60)]
    pub edits: usize,
    /// Title changes of the 1,000-referrer article
    #[arg(long, default_value_t = 5)]
    pub hub_rounds: usize,
    /// Articles opened for hover, definition, references
    #[arg(long, default_value_t = 10)]
    pub documents: usize,
    /// Time limit per latency figure, in seconds
    #[arg(long, default_value_t = 120.0)]
    pub max_seconds: f64,
    /// Skip the restart over unchanged files
    #[arg(long = "no-warm", action = ArgAction::SetFalse)]
    pub warm: bool,
    /// Use the binaries already built (scripts/bench builds nothing then)
    #[arg(long = "no-build", action = ArgAction::SetFalse)]
    pub build: bool,
    /// Run the article-lsp binary in BIN_DIR (another checkout's
    /// target/release, say) instead of this checkout's; the corpus
    /// generator and the floor stay this checkout's
    #[arg(long)]
    pub bin_dir: Option<PathBuf>,
    /// Skip the bulk-change scenarios
    #[arg(long = "no-bulk", action = ArgAction::SetFalse, conflicts_with = "bulk_only")]
    pub bulk: bool,
    /// Only the bulk-change scenarios
    #[arg(long)]
    pub bulk_only: bool,
    /// Runs of each probe scenario, the median probe time taken
    #[arg(long, default_value_t = 3)]
    pub bulk_repeats: usize,
    /// Time limit per bulk-change scenario, from its notification, in seconds
    #[arg(long, default_value_t = 120.0)]
    pub bulk_timeout: f64,
    /// Instead of the figures: mixed requests and edits back to back for
    /// SECONDS against each size (reliability; results in
    /// target/load-results.json)
    #[arg(long, value_name = "SECONDS")]
    pub load: Option<f64>,
    /// Run the servers with RUST_LOG=FILTER (article_lsp=debug, say); their
    /// logs are in target/bench/logs/ (figures taken so are not comparable)
    #[arg(long, value_name = "FILTER")]
    pub server_log: Option<String>,
}

impl Args {
    pub fn server_log_filter(&self) -> &str {
        self.server_log.as_deref().unwrap_or(SERVER_DEFAULT_LOG)
    }
}

/// `$TMPDIR/article-lsp-bench`, where Python's tempfile put it too.
fn default_corpus_dir() -> PathBuf {
    let temporary = ["TMPDIR", "TEMP", "TMP"]
        .iter()
        .filter_map(std::env::var_os)
        .find(|value| !value.is_empty())
        .map_or_else(|| PathBuf::from("/tmp"), PathBuf::from);
    temporary.join("article-lsp-bench")
}

/// Corpus sizes: `1000,10000,100k`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sizes(pub Vec<usize>);

impl FromStr for Sizes {
    type Err = String;

    fn from_str(text: &str) -> Result<Sizes, String> {
        let parse = |part: &str| {
            let part = part.trim().to_lowercase().replace('_', "");
            let (digits, scale) = match part.strip_suffix('k') {
                Some(digits) => (digits.to_owned(), 1000),
                None => (part.clone(), 1),
            };
            digits.parse::<usize>().map(|n| n * scale).map_err(|_| format!("not a corpus size: {part:?}"))
        };
        text.split(',').map(parse).collect::<Result<Vec<_>, _>>().map(Sizes)
    }
}
