//! The machine and the checkout a run is on, and what /proc says of a live
//! server: its memory (peak and current resident set) and its CPU time.

use std::path::Path;
use std::process::Command;

use serde::Serialize;

#[derive(Serialize)]
pub struct Machine {
    pub nproc: usize,
    pub cpu: String,
    pub ram_gb: Option<f64>,
    pub kernel: String,
    pub commit: String,
    /// The commit of the checkout the server binary was built in (another
    /// one's with `--bin-dir`).
    pub server_commit: String,
    pub loadavg_start: [f64; 3],
    pub loadavg_end: Option<[f64; 3]>,
}

pub fn machine(repo: &Path, server_dir: &Path) -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find(|line| line.starts_with("model name"))
        .and_then(|line| line.split_once(':'))
        .map_or("unknown".to_owned(), |(_, name)| name.trim().to_owned());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let ram_gb = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|value| value.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kb| (kb / 1024.0 / 1024.0 * 10.0).round() / 10.0);
    Machine {
        nproc: std::thread::available_parallelism().map_or(1, usize::from),
        cpu,
        ram_gb,
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_owned(),
        commit: commit_of(repo),
        server_commit: commit_of(server_dir),
        loadavg_start: load_average(),
        loadavg_end: None,
    }
}

/// The commit of the checkout `folder` is in, "+changes" when its tracked
/// files differ from it.
pub fn commit_of(folder: &Path) -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(folder)
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    let commit = git(&["rev-parse", "--short", "HEAD"]);
    let dirty = !git(&["status", "--porcelain", "--untracked-files=no"]).is_empty();
    let commit = if commit.is_empty() { "unknown".to_owned() } else { commit };
    if dirty { format!("{commit}+changes") } else { commit }
}

pub fn machine_line(info: &Machine) -> String {
    let server = if info.server_commit == info.commit {
        String::new()
    } else {
        format!(", server built at {}", info.server_commit)
    };
    let ram = info.ram_gb.map_or("None".to_owned(), |gb| format!("{gb:?}"));
    let end = info.loadavg_end.unwrap_or(info.loadavg_start);
    format!(
        "{} CPUs ({}), {ram} GB RAM; load average {:.2} at start, {:.2} at end; commit {}{server}",
        info.nproc, info.cpu, info.loadavg_start[0], end[0], info.commit
    )
}

pub fn load_average() -> [f64; 3] {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut values = text.split_whitespace().map(|value| value.parse().unwrap_or(0.0));
    [(); 3].map(|_| values.next().unwrap_or(0.0))
}

/// The local date and time as `date` gives it (`2026-12-07 17:30 UTC`).
pub fn local_date() -> String {
    Command::new("date")
        .arg("+%Y-%m-%d %H:%M %Z")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// A live process's peak and current resident set, in MB; both `None` once
/// it has ended.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq)]
pub struct Memory {
    #[serde(rename = "VmHWM", skip_serializing_if = "Option::is_none")]
    pub peak_mb: Option<f64>,
    #[serde(rename = "VmRSS", skip_serializing_if = "Option::is_none")]
    pub now_mb: Option<f64>,
}

pub fn memory(pid: Option<u32>) -> Memory {
    let status = pid.and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok());
    let field = |name: &str| {
        let status = status.as_deref()?;
        let line = status.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))?;
        Some(line.split_whitespace().next()?.parse::<f64>().ok()? / 1024.0)
    };
    Memory { peak_mb: field("VmHWM"), now_mb: field("VmRSS") }
}

/// User plus system CPU time a live process has used, in seconds.
pub fn cpu_seconds(pid: Option<u32>) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid?)).ok()?;
    // The fields after the command name, which is in parentheses and may
    // hold spaces: utime and stime are the 12th and 13th of them.
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // SAFETY: sysconf only reads a configuration value.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (per_second > 0).then(|| ticks / per_second as f64)
}
