//! Hostile workspaces given to `check`: the files the tests give it
//! (`article_test_support::fixtures`), timed and their peak memory taken.
//! The tests prove what `check` says of them; how long it takes and how much
//! memory it needs are the benchmark's, judged by `report::targets`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use article_test_support::fixtures::{write_big_files, write_hostile_files};
use serde::Serialize;

use crate::Paths;
use crate::machine::memory;

/// How often the peak is read while `check` runs: VmHWM is the peak so
/// far, so the last reading before the exit holds it.
const SAMPLE: Duration = Duration::from_millis(5);

/// One hostile workspace's run of `check`.
#[derive(Serialize, Clone, Debug)]
pub struct HostileFigures {
    pub workload: &'static str,
    pub s: f64,
    pub peak_mb: Option<f64>,
    /// `check`'s summary line.
    pub summary: String,
}

/// A workload's name, and what writes its files into a folder.
type Workload = (&'static str, fn(&Path));

/// The workloads: deep nesting, an alias bomb, 10,000 related blocks,
/// binary and Latin-1 files, a link loop and names that cannot be read;
/// and a 50 MB article beside a front matter of 1,000,000 lines.
pub fn measure_hostile(paths: &Paths) -> Result<Vec<HostileFigures>, String> {
    let workloads: [Workload; 2] = [
        ("hostile files", write_hostile_files),
        ("a 50 MB article, a 1,000,000-line front matter", write_big_files),
    ];
    let mut figures = Vec::new();
    for (workload, write) in workloads {
        let dir = tempfile::tempdir().map_err(|error| format!("a temporary folder: {error}"))?;
        write(dir.path());
        figures.push(run_check(paths, dir.path(), workload)?);
    }
    Ok(figures)
}

fn run_check(paths: &Paths, dir: &Path, workload: &'static str) -> Result<HostileFigures, String> {
    let started = Instant::now();
    let mut child = Command::new(&paths.server)
        .args(["check", "."])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| format!("{}: {error}", paths.server.display()))?;
    let stdout = child.stdout.take().ok_or("check's stdout")?;
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let mut peak_mb: Option<f64> = None;
    loop {
        if let Some(status) = child.try_wait().map_err(|error| format!("check: {error}"))? {
            if !matches!(status.code(), Some(0 | 1)) {
                return Err(format!("check over {workload} exited with {status}"));
            }
            break;
        }
        if let Some(now) = memory(Some(child.id())).peak_mb {
            peak_mb = Some(peak_mb.map_or(now, |peak| peak.max(now)));
        }
        std::thread::sleep(SAMPLE);
    }
    let s = started.elapsed().as_secs_f64();
    let out = reader.join().map_err(|_| "check's output reader panicked")?;
    let summary = out.lines().rfind(|line| line.starts_with("checked ")).unwrap_or_default().to_owned();
    Ok(HostileFigures { workload, s, peak_mb, summary })
}
