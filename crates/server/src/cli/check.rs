//! `article-lsp check`: index paths, print every diagnostic, exit by severity.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::fix;
use article_core::diagnostics::{Diagnostic, Severity, article_diagnostics};
use article_core::index::{ArticleIndex, FileId};
use article_core::line_index::{LineCol, PositionEncoding};
use article_workspace::boundary::Boundary;
use article_workspace::config::Settings;
use article_workspace::files::ProblemKind;
use article_workspace::walk::{index_files, list_files};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `path:LINE:COL: severity[code]: message`, 1-based, columns in characters.
    #[default]
    Text,
    /// One JSON array; ranges in LSP's shape (0-based lines, UTF-16 columns).
    Json,
}

/// Process exit codes: no error, a diagnostic error, a usage or I/O error.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_DIAGNOSTICS: u8 = 1;
pub const EXIT_TROUBLE: u8 = 2;

/// What `--fix` does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FixMode {
    #[default]
    Off,
    /// Write the safe fixes to the files.
    Apply,
    /// Print them as a unified diff; change nothing.
    DryRun,
}

/// Runs `check` and returns the exit status. Meant to end the process: the
/// index is not freed.
pub fn run(paths: &[PathBuf], format: Format, fix_mode: FixMode) -> u8 {
    let started = Instant::now();
    let roots = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths.to_vec() };
    let settings = settings_for(&roots[0]);
    let listing = match list_files(&roots, &settings.scan_options()) {
        Ok(listing) => listing,
        Err(problem) => {
            eprintln!("article-lsp: {}: {}", problem.path.display(), problem.message);
            return EXIT_TROUBLE;
        }
    };
    let files = listing.files;
    let mut scan = index_files(&files);
    let mut found = diagnose_with(&scan.index, &settings);
    let mut trouble = false;
    if fix_mode != FixMode::Off {
        let fixable: Vec<FileId> = found.iter().map(|(file, _)| *file).collect();
        let boundaries: Vec<Boundary> = roots.iter().map(|root| Boundary::new(root, false)).collect();
        let (fixes, problems) = fix::plan(&scan.index, &fixable, &boundaries);
        for problem in problems {
            eprintln!("article-lsp: {problem}");
        }
        trouble |= apply_fixes(&fixes, fix_mode, format);
        if fix_mode == FixMode::Apply && !fixes.is_empty() {
            scan = index_files(&files);
            found = diagnose_with(&scan.index, &settings);
        }
    }
    for problem in listing.problems.iter().chain(&scan.problems) {
        eprintln!("article-lsp: {}: {}", problem.path.display(), problem.message);
        trouble |= problem.kind == ProblemKind::Io;
    }
    let errors = count(&found, Severity::Error);
    let warnings = count(&found, Severity::Warning);
    let mut out = io::stdout().lock();
    let written = match format {
        Format::Text => write_text(&mut out, &scan.index, &found),
        Format::Json => write_json(&mut out, &scan.index, &found),
    };
    let links: usize = scan.index.iter().map(|(_, entry)| entry.summary.links.len()).sum();
    let summary = format!(
        "checked {} files: {} articles, {links} links; {errors} errors, {warnings} warnings in {:.2}s",
        scan.files,
        scan.index.len(),
        started.elapsed().as_secs_f64()
    );
    // JSON output stays one parseable document; the summary goes aside.
    let summary_written = match format {
        Format::Text => writeln!(out, "{summary}"),
        Format::Json => writeln!(io::stderr(), "{summary}"),
    };
    if written.and(summary_written).and(out.flush()).is_err() {
        return EXIT_TROUBLE;
    }
    // `check` is the last thing its process does: freeing every indexed
    // article one by one would only delay the exit (a second at 100,000).
    std::mem::forget(scan);
    std::mem::forget(found);
    match (trouble, errors) {
        (true, _) => EXIT_TROUBLE,
        (false, 0) => EXIT_CLEAN,
        (false, _) => EXIT_DIAGNOSTICS,
    }
}

/// `article-lsp.toml` from the first path's folder (or the path itself when
/// it is one); a bad file is reported and the defaults are used.
fn settings_for(first: &Path) -> Settings {
    let folder = if first.is_dir() { first } else { first.parent().unwrap_or(Path::new(".")) };
    let folder = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
    let (settings, problems) = Settings::load(folder);
    for problem in problems {
        eprintln!("article-lsp: {problem}");
    }
    settings
}

/// Writes or shows the fixes; returns whether writing any failed. Reports go
/// to stdout in text format and to stderr in JSON, which stays one document.
fn apply_fixes(fixes: &[fix::FileFix], mode: FixMode, format: Format) -> bool {
    let mut report: Box<dyn Write> = match format {
        Format::Text => Box::new(io::stdout().lock()),
        Format::Json => Box::new(io::stderr().lock()),
    };
    let mut failed = false;
    for planned in fixes {
        let path = planned.path.display();
        let written = match mode {
            FixMode::DryRun => write!(report, "{}", fix::unified_diff(planned)),
            _ => match fix::write_atomically(&planned.path, &planned.after) {
                Ok(()) => {
                    let plural = if planned.edits == 1 { "" } else { "s" };
                    writeln!(report, "fixed {path}: {} edit{plural}", planned.edits)
                }
                Err(error) => {
                    failed = true;
                    writeln!(io::stderr(), "article-lsp: {path}: not fixed: {error}")
                }
            },
        };
        failed |= written.is_err();
    }
    failed
}

/// Diagnostics with the settings' severities, files without any left out.
fn diagnose_with(index: &ArticleIndex, settings: &Settings) -> Vec<(FileId, Vec<Diagnostic>)> {
    diagnose(index)
        .into_iter()
        .map(|(file, diagnostics)| (file, settings.adjust(diagnostics)))
        .filter(|(_, diagnostics)| !diagnostics.is_empty())
        .collect()
}

/// Every article's diagnostics, computed on all cores, sorted by path.
pub fn diagnose(index: &ArticleIndex) -> Vec<(FileId, Vec<Diagnostic>)> {
    let mut files: Vec<FileId> = index.iter().map(|(file, _)| file).collect();
    files.sort_by(|a, b| index.path(*a).cmp(index.path(*b)));
    files
        .into_par_iter()
        .map(|file| (file, article_diagnostics(index, file)))
        .filter(|(_, diagnostics)| !diagnostics.is_empty())
        .collect()
}

fn count(found: &[(FileId, Vec<Diagnostic>)], severity: Severity) -> usize {
    found.iter().flat_map(|(_, list)| list).filter(|d| d.severity == severity).count()
}

fn position(
    index: &ArticleIndex,
    file: FileId,
    offset: text_size::TextSize,
    encoding: PositionEncoding,
) -> LineCol {
    index.get(file).map_or_else(LineCol::default, |entry| entry.line_index.line_col(offset.into(), encoding))
}

fn write_text(
    out: &mut impl Write,
    index: &ArticleIndex,
    found: &[(FileId, Vec<Diagnostic>)],
) -> io::Result<()> {
    for (file, diagnostics) in found {
        for diagnostic in diagnostics {
            let at = position(index, *file, diagnostic.range.start(), PositionEncoding::Utf32);
            writeln!(
                out,
                "{}:{}:{}: {}[{}]: {}",
                index.path(*file),
                at.line + 1,
                at.col + 1,
                diagnostic.severity.as_str(),
                diagnostic.code.as_str(),
                diagnostic.message
            )?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    range: JsonRange,
    severity: &'static str,
    code: &'static str,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonRange {
    start: JsonPosition,
    end: JsonPosition,
}

#[derive(Serialize)]
struct JsonPosition {
    line: u32,
    character: u32,
}

fn write_json(
    out: &mut impl Write,
    index: &ArticleIndex,
    found: &[(FileId, Vec<Diagnostic>)],
) -> io::Result<()> {
    let lsp_position = |file, offset| {
        let at = position(index, file, offset, PositionEncoding::Utf16);
        JsonPosition { line: at.line, character: at.col }
    };
    let all: Vec<JsonDiagnostic<'_>> = found
        .iter()
        .flat_map(|(file, diagnostics)| diagnostics.iter().map(move |diagnostic| (*file, diagnostic)))
        .map(|(file, diagnostic)| JsonDiagnostic {
            path: index.path(file).as_str(),
            range: JsonRange {
                start: lsp_position(file, diagnostic.range.start()),
                end: lsp_position(file, diagnostic.range.end()),
            },
            severity: diagnostic.severity.as_str(),
            code: diagnostic.code.as_str(),
            message: &diagnostic.message,
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &all)?;
    writeln!(out)
}
