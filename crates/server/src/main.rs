use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use article_lsp::cli::check::{self, EXIT_TROUBLE, FixMode, Format};

/// A language server and checker for Markdown articles with YAML front matter.
#[derive(Parser)]
#[command(name = "article-lsp", version, about)]
struct Cli {
    /// Serve the Language Server Protocol on stdin/stdout (the default).
    #[arg(long)]
    stdio: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check every article under PATHs (default `.`) and print its diagnostics.
    Check {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Apply the safe fixes (stale link fields, `file_name`) to the files.
        #[arg(long)]
        fix: bool,
        /// With `--fix`: print the fixes as a unified diff and change nothing.
        #[arg(long, requires = "fix")]
        dry_run: bool,
        paths: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    article_workspace::allocator::map_large_blocks_apart();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { EXIT_TROUBLE } else { 0 });
        }
    };
    match cli.command {
        Some(Command::Check { format, fix, dry_run, paths }) => {
            let mode = match (fix, dry_run) {
                (false, _) => FixMode::Off,
                (true, false) => FixMode::Apply,
                (true, true) => FixMode::DryRun,
            };
            ExitCode::from(check::run(&paths, format, mode))
        }
        None => serve(),
    }
}

/// Serves LSP on stdin/stdout; logs go to stderr, filtered by `RUST_LOG`.
fn serve() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    match article_lsp::server::run_stdio() {
        // The protocol's exit status: 0 only after a `shutdown` request.
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("article-lsp: cannot start the server: {error}");
            ExitCode::from(EXIT_TROUBLE)
        }
    }
}
