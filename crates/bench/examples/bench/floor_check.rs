//! The floor (examples/floor: list, read and YAML-tokenize every file on
//! every core) and `article-lsp check`, each run `--runs` times, the
//! median taken; and what check reports, file by file, which the server
//! sessions are checked against.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::corpus::fresh_cache;
use crate::results::{CheckFigures, Floor};
use crate::stats::median;
use crate::{Paths, server_env};

/// One diagnostic `check` printed: its 1-based line and column and code.
#[derive(Clone, Debug, PartialEq)]
pub struct Reported {
    pub line: u32,
    pub column: u32,
    pub code: String,
}

/// `check`'s figures and its diagnostics by file.
pub struct CheckReport {
    pub figures: CheckFigures,
    pub by_file: HashMap<PathBuf, Vec<Reported>>,
}

pub fn measure_floor(paths: &Paths, folder: &Path, runs: usize) -> Result<Floor, String> {
    // One unmeasured run first: every measured run then reads from a warm
    // page cache, as the check and server runs do.
    run_floor(paths, folder)?;
    let mut reports = Vec::new();
    let mut walls = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let report = run_floor(paths, folder)?;
        walls.push(start.elapsed().as_secs_f64());
        reports.push(report);
    }
    let seconds =
        |key: &str| -> Vec<f64> { reports.iter().map(|r| r[key].as_f64().unwrap_or(0.0)).collect() };
    let count = |key: &str| reports.last().and_then(|r| r[key].as_u64()).unwrap_or(0);
    Ok(Floor {
        s: median(&seconds("total_s")).unwrap_or(0.0),
        runs_s: seconds("total_s"),
        wall_s: median(&walls).unwrap_or(0.0),
        discover_s: median(&seconds("discover_s")).unwrap_or(0.0),
        files: count("files"),
        bytes: count("bytes"),
        yaml_events: count("events"),
        yaml_errors: count("yaml_errors"),
        threads: count("threads"),
    })
}

/// The floor's one line of JSON.
fn run_floor(paths: &Paths, folder: &Path) -> Result<serde_json::Value, String> {
    let out = Command::new(&paths.floor)
        .arg(folder)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|error| format!("{}: {error}", paths.floor.display()))?;
    if !out.status.success() {
        return Err(format!("{} {} failed: {}", paths.floor.display(), folder.display(), out.status));
    }
    serde_json::from_slice(&out.stdout).map_err(|error| format!("the floor's output: {error}"))
}

pub fn measure_check(
    paths: &Paths,
    folder: &Path,
    runs: usize,
    cache_base: &Path,
    server_log: Option<&str>,
) -> Result<CheckReport, String> {
    let mut walls = Vec::new();
    let mut out = String::new();
    let mut summary = String::new();
    for run in 0..runs {
        let cache = fresh_cache(cache_base, &format!("check-{run}"))?;
        let mut command = Command::new(&paths.server);
        command.arg("check").arg(folder);
        server_env(&mut command, &cache, server_log);
        let start = Instant::now();
        let done = command.output().map_err(|error| format!("{}: {error}", paths.server.display()))?;
        walls.push(start.elapsed().as_secs_f64());
        // 0: no errors; 1: errors found; anything else: check itself failed.
        if !matches!(done.status.code(), Some(0 | 1)) {
            let stderr = String::from_utf8_lossy(&done.stderr);
            let stderr: String = stderr.trim().chars().take(500).collect();
            return Err(format!("check exited with {}: {stderr}", done.status));
        }
        out = String::from_utf8_lossy(&done.stdout).into_owned();
        let both = format!("{out}{}", String::from_utf8_lossy(&done.stderr));
        summary = both.lines().find(|line| line.starts_with("checked ")).unwrap_or_default().to_owned();
    }
    let mut by_file: HashMap<PathBuf, Vec<Reported>> = HashMap::new();
    for (path, reported) in out.lines().filter_map(parse_check_line) {
        let path = if path.is_absolute() {
            path
        } else {
            let joined = paths.repo.join(&path);
            joined.canonicalize().unwrap_or(joined)
        };
        by_file.entry(path).or_default().push(reported);
    }
    let figures = CheckFigures {
        s: median(&walls).unwrap_or(0.0),
        runs_s: walls,
        summary,
        diagnostics: by_file.values().map(Vec::len).sum(),
        files_with_diagnostics: by_file.len(),
        ratio: 0.0,
    };
    Ok(CheckReport { figures, by_file })
}

const SEVERITIES: [&str; 4] = ["error", "warning", "information", "hint"];

/// `PATH:LINE:COLUMN: SEVERITY[CODE]: message`, the path being everything
/// before the last place where the rest of that shape follows.
pub fn parse_check_line(line: &str) -> Option<(PathBuf, Reported)> {
    line.rmatch_indices(": ").find_map(|(at, _)| {
        let rest = &line[at + 2..];
        let severity = SEVERITIES.iter().find(|severity| rest.starts_with(&format!("{severity}[")))?;
        let code_and_more = &rest[severity.len() + 1..];
        let code_end = code_and_more.find("]: ")?;
        let code = &code_and_more[..code_end];
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
            return None;
        }
        let mut head = line[..at].rsplitn(3, ':');
        let column = digits(head.next()?)?;
        let line_number = digits(head.next()?)?;
        let path = head.next()?;
        let reported = Reported { line: line_number, column, code: code.to_owned() };
        Some((PathBuf::from(path), reported))
    })
}

fn digits(text: &str) -> Option<u32> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}
