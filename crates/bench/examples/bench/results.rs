//! Every figure a run takes, as written to the JSON results (the keys are
//! the ones the Python driver wrote) and read by the report.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::machine::Memory;
use crate::stats::Summary;

fn is_false(value: &bool) -> bool {
    !*value
}

/// Everything measured at one corpus size.
#[derive(Serialize, Default)]
pub struct SizeResult {
    pub articles: usize,
    pub corpus_generated_now: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub floor: Option<Floor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckFigures>,
    /// The cold session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lsp: Option<ColdSession>,
    /// The restart over the files the cold session left unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warm: Option<WarmSession>,
    /// The same restart by a client that watches no files, so that the
    /// server watches its folders itself (Neovim on Linux).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warm_server_watching: Option<WarmSession>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bulk: Option<BulkFigures>,
    pub elapsed_s: f64,
}

#[derive(Serialize, Default)]
pub struct Floor {
    pub s: f64,
    pub runs_s: Vec<f64>,
    pub wall_s: f64,
    pub discover_s: f64,
    pub files: u64,
    pub bytes: u64,
    pub yaml_events: u64,
    pub yaml_errors: u64,
    pub threads: u64,
}

#[derive(Serialize, Default)]
pub struct CheckFigures {
    pub s: f64,
    pub runs_s: Vec<f64>,
    pub summary: String,
    pub diagnostics: usize,
    pub files_with_diagnostics: usize,
    /// `s` over the floor's.
    pub ratio: f64,
}

/// From `initialize` to the end of the scan and on to every file's
/// diagnostics, with the memory on the way.
#[derive(Serialize, Default)]
pub struct StartFigures {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initialize_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_end_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_at_scan_end_mb: Option<Memory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_publications: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files_with_diagnostics: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics_complete_s: Option<f64>,
    /// When not every file's diagnostics came: the last publication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_publication_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_after_scan_mb: Option<Memory>,
}

#[derive(Serialize, Default)]
pub struct ColdSession {
    pub problems: Vec<String>,
    #[serde(flatten)]
    pub start: StartFigures,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol_queries: Option<Vec<String>>,
    /// By suite name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency: Option<BTreeMap<String, Latency>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit: Option<Edits>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hub: Option<HubFigures>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_typing: Option<AnswerTyping>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_end_mb: Option<Memory>,
    /// Seconds from the scan's end to the index cache on disk; null when
    /// none came within the time limit, absent when not waited for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_written_s: Option<Option<f64>>,
    pub server_requests: BTreeMap<String, usize>,
    pub exit: ExitOutcome,
    pub messages: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_end_ratio: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics_complete_ratio: Option<f64>,
    pub server_log_errors: Vec<String>,
}

#[derive(Serialize, Default)]
pub struct WarmSession {
    pub problems: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_end_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics_complete_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_after_scan_mb: Option<Memory>,
    pub exit: ExitOutcome,
}

/// How `shutdown` and `exit` went.
#[derive(Serialize, Default, Clone, Debug)]
pub struct ExitOutcome {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shutdown_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shutdown_error: Option<Value>,
    /// From the `exit` notification to the process's end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_ms: Option<f64>,
    pub exit_code: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub killed: bool,
    /// Exit code 0 after a `shutdown` answered without error.
    pub clean: bool,
}

/// One request suite: its times, or the timeout that stopped it.
#[derive(Serialize, Default, Clone)]
pub struct Latency {
    #[serde(flatten)]
    pub summary: Summary,
    #[serde(flatten)]
    pub counts: Option<RequestCounts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
}

#[derive(Serialize, Default, Clone)]
pub struct RequestCounts {
    pub requested: usize,
    /// Stopped by `--max-seconds` before `requested`.
    pub cut_short: bool,
    pub errors: usize,
    pub empty_results: usize,
    pub median_result_size: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_error: Option<Value>,
}

/// Edits timed to their publication.
#[derive(Serialize, Default, Clone)]
pub struct Edits {
    #[serde(flatten)]
    pub summary: Summary,
    /// Publications that did not say what the edit should have made them say.
    pub unexpected: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p50_minus_debounce_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p99_minus_debounce_ms: Option<f64>,
}

#[derive(Serialize, Default)]
pub struct AnswerTyping {
    #[serde(flatten)]
    pub edits: Edits,
    pub referrers_republished: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_cpu_ms_per_edit: Option<f64>,
}

#[derive(Serialize, Default)]
pub struct HubFigures {
    #[serde(flatten)]
    pub summary: Summary,
    pub rounds_ms: Vec<f64>,
    /// The median (of the middle two for an even count) less the debounce.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p50_minus_debounce_ms: Option<f64>,
}

#[derive(Serialize, Default, Clone)]
pub struct BulkEdits {
    #[serde(flatten)]
    pub edits: Edits,
    /// The last edit's publication did not come within the time limit.
    pub timed_out: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_minus_debounce_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_minus_debounce_ms: Option<f64>,
}

/// One bulk scenario (or the median of its repeats).
#[derive(Serialize, Default, Clone)]
pub struct Scenario {
    /// What ends it: "alone", "probe", "checkout" or "deletions".
    pub settle: &'static str,
    /// The events of each notification.
    pub events: Vec<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit: Option<BulkEdits>,
    #[serde(skip_serializing_if = "is_false")]
    pub timed_out: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files_waiting: Option<usize>,
    /// From the notification to the last expected publication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complete_s: Option<f64>,
    /// From the notification to the last publication before a quiet second.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub settled_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complete_s_all: Option<Vec<f64>>,
}

#[derive(Serialize, Default)]
pub struct BulkFigures {
    pub timeout_s: f64,
    /// By scenario name.
    pub scenarios: BTreeMap<String, Scenario>,
    pub repeats: usize,
    pub servers_started: usize,
    pub problems: Vec<String>,
    pub server_log_errors: Vec<String>,
    pub elapsed_s: f64,
}

/// The load run at one size.
#[derive(Serialize, Default)]
pub struct LoadRun {
    pub articles: usize,
    pub problems: Vec<String>,
    #[serde(flatten)]
    pub start: StartFigures,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load: Option<LoadFigures>,
    pub exit: ExitOutcome,
    pub server_log_errors: Vec<String>,
}

#[derive(Serialize, Default)]
pub struct LoadFigures {
    pub seconds: f64,
    pub requests: usize,
    pub edits: usize,
    pub by_method: BTreeMap<String, usize>,
    pub errors_other_than_cancellation: usize,
    pub errors_by_method: BTreeMap<String, usize>,
    pub first_errors: Vec<Value>,
    pub latency: Summary,
    /// (seconds since the start, VmRSS in MB), every 10 s.
    pub rss_mb: Vec<(f64, f64)>,
    pub rss_after_warmup_first_mb: f64,
    pub rss_after_warmup_max_mb: f64,
    pub rss_end_mb: f64,
}
