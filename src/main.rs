use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use article_lsp::cli::check::{self, EXIT_TROUBLE, Format};

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
        paths: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { EXIT_TROUBLE } else { 0 });
        }
    };
    match cli.command {
        Some(Command::Check { format, paths }) => ExitCode::from(check::run(&paths, format)),
        None => {
            eprintln!(
                "article-lsp: the language server is not available in this version yet; use `article-lsp check`"
            );
            ExitCode::from(EXIT_TROUBLE)
        }
    }
}
