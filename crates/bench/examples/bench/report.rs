//! The report: the Markdown table (one row a figure, one column a corpus
//! size, the targets and their judgement from `targets`), and the list of
//! problems met on the way.

mod bulk_rows;
pub mod format;
mod rows;
pub mod targets;

use crate::hostile::HostileFigures;
use crate::latency::SUITES;
use crate::results::SizeResult;
pub use format::thousands;
use targets::Key;

/// One row of the table.
#[derive(Debug, PartialEq)]
pub struct Row {
    pub label: String,
    pub target: String,
    /// One per corpus size.
    pub cells: Vec<String>,
}

pub fn markdown(results: &[SizeResult], bulk_only: bool) -> String {
    let mut table = if bulk_only { Vec::new() } else { rows::rows(results) };
    table.extend(bulk_rows::bulk_rows(results));
    let sizes: Vec<String> =
        results.iter().map(|r| format!("{} articles", thousands(r.articles as u64))).collect();
    let mut lines = vec![
        format!("| figure | target | {} |", sizes.join(" | ")),
        format!("|{}", "---|".repeat(2 + results.len())),
    ];
    for row in table {
        lines.push(format!("| {} | {} | {} |", row.label, row.target, row.cells.join(" | ")));
    }
    lines.join("\n")
}

/// The hostile workspaces' table: `check`'s time and peak over each.
pub fn hostile_markdown(figures: &[HostileFigures]) -> String {
    let mut lines = vec![
        "| `check` over | time | target | peak | target |".to_owned(),
        "|---|---|---|---|---|".to_owned(),
    ];
    for (at, run) in figures.iter().enumerate() {
        // The first workload is the hostile files, the second the big files.
        let (time_key, peak_key) = if at == 0 {
            (Key::HostileCheckS, None)
        } else {
            (Key::BigFilesCheckS, Some(Key::BigFilesPeakMb))
        };
        let time =
            format!("{}{}", format::fmt_s(Some(run.s)), format::mark(targets::judge(time_key, 0, run.s)));
        let peak_mb = run.peak_mb.unwrap_or(f64::NAN);
        let peak = match run.peak_mb {
            Some(mb) => format!(
                "{mb:.0} MB{}",
                format::mark(peak_key.and_then(|key| targets::judge(key, 0, peak_mb)))
            ),
            None => "—".to_owned(),
        };
        let peak_target = peak_key.map(targets::target_text).unwrap_or_default();
        lines.push(format!(
            "| {} | {time} | {} | {peak} | {peak_target} |",
            run.workload,
            targets::target_text(time_key)
        ));
    }
    lines.join("\n")
}

/// Everything that went wrong or looked wrong, one line each.
pub fn problems(results: &[SizeResult]) -> Vec<String> {
    let mut found = Vec::new();
    for r in results {
        let size = thousands(r.articles as u64);
        if let Some(lsp) = &r.lsp {
            found.extend(lsp.problems.iter().map(|problem| format!("{size}: {problem}")));
        }
        if let Some(warm) = &r.warm {
            found.extend(warm.problems.iter().map(|problem| format!("{size} (restart): {problem}")));
        }
        if let Some(warm) = &r.warm_server_watching {
            let restart = "restart, the server watching";
            found.extend(warm.problems.iter().map(|problem| format!("{size} ({restart}): {problem}")));
        }
        if let Some(lsp) = &r.lsp {
            found.extend(lsp.server_log_errors.iter().map(|line| format!("{size}: server log: {line}")));
            let latency = lsp
                .latency
                .iter()
                .flat_map(|latency| SUITES.iter().filter_map(|name| Some((*name, latency.get(*name)?))));
            for (name, stats) in latency {
                let counts = stats.counts.as_ref();
                let errors = counts.map_or(0, |counts| counts.errors);
                if name != "noop" && errors > 0 {
                    let first = counts
                        .and_then(|counts| counts.first_error.as_ref())
                        .map(|e| e.to_string())
                        .unwrap_or_default();
                    found.push(format!("{size}: {name}: {errors} error responses, first {first}"));
                }
                let empty = counts.map_or(0, |counts| counts.empty_results);
                if name != "noop" && empty > 0 {
                    found.push(format!("{size}: {name}: {empty} empty results"));
                }
                if counts.is_some_and(|counts| counts.cut_short) {
                    found.push(format!(
                        "{size}: {name}: stopped after {} requests (time limit)",
                        stats.summary.n
                    ));
                }
            }
            if let Some(edit) = lsp.edit.as_ref().filter(|edit| edit.unexpected > 0) {
                let unexpected = edit.unexpected;
                found.push(format!(
                    "{size}: didChange: {unexpected} publications without the expected stale-title change"
                ));
            }
        }
        if let Some(bulk) = &r.bulk {
            found.extend(bulk.problems.iter().map(|problem| format!("{size} (bulk): {problem}")));
            found.extend(
                bulk.server_log_errors.iter().map(|line| format!("{size} (bulk): server log: {line}")),
            );
            for kind in &crate::bulk::SCENARIOS {
                let Some(scenario) = bulk.scenarios.get(kind.name) else { continue };
                let name = kind.name;
                if let Some(waiting) = scenario.files_waiting.filter(|waiting| *waiting > 0) {
                    found.push(format!(
                        "{size} (bulk): {name}: {waiting} files not published as expected in time"
                    ));
                }
                if let Some(unexpected) =
                    scenario.edit.as_ref().map(|edit| edit.edits.unexpected).filter(|n| *n > 0)
                {
                    found.push(format!(
                        "{size} (bulk): {name}: {unexpected} edits' publications without the expected change"
                    ));
                }
            }
        }
    }
    found
}
