//! The targets the figures are judged by, in one table: the issues'
//! targets (15 for start-up, memory and latency, 14 for bulk changes).
//! The report's target column is written from it and its ✓ and ✗ are
//! judged by it; the JSON results carry it whole.

use serde::Serialize;

/// Which figure a target is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Key {
    /// `check`'s time over the floor's.
    CheckRatio,
    /// The server's scan end, and its every file's diagnostics, over the floor.
    ServerRatio,
    /// A restart's scan end and every file's diagnostics, in seconds.
    RestartSeconds,
    /// The server's peak resident set, in MB.
    PeakRssMb,
    CompletionP99Ms,
    HoverP99Ms,
    DefinitionP99Ms,
    ReferencesP99Ms,
    WorkspaceSymbolP99Ms,
    /// An edit's publication, median less the debounce.
    EditP50AfterDebounceMs,
    /// 1,000 referrers republished after a title change, median less the debounce.
    HubMedianAfterDebounceMs,
    /// Typing in the hub's answer, median less the debounce.
    AnswerP50AfterDebounceMs,
    /// Referrers republished while the hub's answer is typed in.
    AnswerReferrersRepublished,
    ExitCode,
    /// The scan end's time per file over the same at the next smaller size.
    ScanGrowth,
    /// The peak RSS per file over the same at the next smaller size.
    MemoryGrowth,
    /// Edits during a bulk change: the slowest, less the debounce.
    BulkEditMaxAfterDebounceMs,
    /// A probe written after a bulk change, over the lone probe's time.
    BulkProbeExtraMs,
    /// A 2,000-article checkout: from its notification to settled.
    BulkCheckoutSettledS,
    /// `check` over the hostile files, in seconds.
    HostileCheckS,
    /// `check` over a 50 MB article and a 1,000,000-line front matter, in seconds.
    BigFilesCheckS,
    /// The same run's peak resident set, in MB.
    BigFilesPeakMb,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Comparison {
    #[serde(rename = "<")]
    Below,
    #[serde(rename = "≤")]
    AtMost,
    #[serde(rename = "=")]
    Equal,
    /// An expectation, never judged.
    #[serde(rename = "≈")]
    About,
}

impl Comparison {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Below => "<",
            Comparison::AtMost => "≤",
            Comparison::Equal => "=",
            Comparison::About => "≈",
        }
    }

    /// Whether `measured` meets `target`; `None` for an expectation.
    pub fn holds(self, measured: f64, target: f64) -> Option<bool> {
        match self {
            Comparison::Below => Some(measured < target),
            Comparison::AtMost => Some(measured <= target),
            Comparison::Equal => Some(measured == target),
            Comparison::About => None,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Target {
    pub key: Key,
    /// What of the figure the target is on, as the target column says it
    /// ("p99", "p50 − debounce"); empty for the figure itself.
    pub label: &'static str,
    pub value: f64,
    pub unit: &'static str,
    pub comparison: Comparison,
    /// The corpus size it holds at; `None`: every size.
    pub at: Option<usize>,
    /// Said after the target, in parentheses or not.
    pub note: &'static str,
}

const fn target(
    key: Key,
    label: &'static str,
    comparison: Comparison,
    value: f64,
    unit: &'static str,
) -> Target {
    Target { key, label, value, unit, comparison, at: None, note: "" }
}

const fn at(size: usize, key: Key, comparison: Comparison, value: f64, unit: &'static str) -> Target {
    Target { key, label: "", value, unit, comparison, at: Some(size), note: "" }
}

const fn noted(target: Target, note: &'static str) -> Target {
    Target { note, ..target }
}

use Comparison::{About, AtMost, Below, Equal};

pub static TARGETS: &[Target] = &[
    at(100_000, Key::CheckRatio, AtMost, 1.25, "× floor"),
    at(1_000_000, Key::CheckRatio, AtMost, 1.25, "× floor"),
    at(100_000, Key::ServerRatio, AtMost, 1.4, "× floor"),
    at(1_000_000, Key::ServerRatio, AtMost, 1.4, "× floor"),
    at(100_000, Key::RestartSeconds, AtMost, 0.5, " s"),
    at(1_000_000, Key::RestartSeconds, AtMost, 3.0, " s"),
    at(100_000, Key::PeakRssMb, AtMost, 150.0, " MB"),
    at(1_000_000, Key::PeakRssMb, AtMost, 1024.0, " MB"),
    target(Key::CompletionP99Ms, "p99", Below, 5.0, " ms"),
    target(Key::HoverP99Ms, "p99", Below, 1.0, " ms"),
    target(Key::DefinitionP99Ms, "p99", Below, 1.0, " ms"),
    target(Key::ReferencesP99Ms, "p99", Below, 10.0, " ms"),
    target(Key::WorkspaceSymbolP99Ms, "p99", Below, 10.0, " ms"),
    target(Key::EditP50AfterDebounceMs, "p50 − debounce", Below, 10.0, " ms"),
    target(Key::HubMedianAfterDebounceMs, "median − debounce", Below, 50.0, " ms"),
    target(Key::AnswerP50AfterDebounceMs, "p50 − debounce", AtMost, 2.0, " ms"),
    target(Key::AnswerReferrersRepublished, "referrers republished", Equal, 0.0, ""),
    target(Key::ExitCode, "exit code", Equal, 0.0, ""),
    noted(target(Key::ScanGrowth, "", About, 1.0, ""), "(linear)"),
    noted(target(Key::MemoryGrowth, "", About, 1.0, ""), "(linear)"),
    target(Key::BulkEditMaxAfterDebounceMs, "max", AtMost, 50.0, " ms"),
    noted(target(Key::BulkProbeExtraMs, "+", Below, 10.0, " ms"), "(the events cost nothing)"),
    at(100_000, Key::BulkCheckoutSettledS, AtMost, 2.0, " s"),
    target(Key::HostileCheckS, "", Below, 60.0, " s"),
    target(Key::BigFilesCheckS, "", Below, 10.0, " s"),
    target(Key::BigFilesPeakMb, "peak", Below, 400.0, " MB"),
];

/// The target for `key` at corpus size `size`, if there is one.
pub fn target_for(key: Key, size: usize) -> Option<&'static Target> {
    TARGETS.iter().find(|target| target.key == key && target.at.is_none_or(|at| at == size))
}

/// Whether `measured` meets the target for `key` at `size`; `None` when
/// there is none there, or it is an expectation.
pub fn judge(key: Key, size: usize, measured: f64) -> Option<bool> {
    let target = target_for(key, size)?;
    target.comparison.holds(measured, target.value)
}

/// 100k, 1M.
pub fn size_name(size: usize) -> String {
    if size.is_multiple_of(1_000_000) {
        format!("{}M", size / 1_000_000)
    } else {
        format!("{}k", size / 1000)
    }
}

/// The target column's text for `key`: `p99 < 5 ms`, or one target per
/// size (`≤ 0.5 s at 100k / ≤ 3 s at 1M`).
pub fn target_text(key: Key) -> String {
    let mut targets: Vec<&Target> = TARGETS.iter().filter(|target| target.key == key).collect();
    targets.sort_by_key(|target| target.at);
    let texts: Vec<String> = targets
        .iter()
        .map(|target| {
            let mut parts = vec![
                target.label.to_owned(),
                format!("{} {}{}", target.comparison.symbol(), target.value, target.unit),
            ];
            if let Some(size) = target.at {
                parts.push(format!("at {}", size_name(size)));
            }
            parts.push(target.note.to_owned());
            parts.retain(|part| !part.is_empty());
            parts.join(" ")
        })
        .collect();
    texts.join(" / ")
}
