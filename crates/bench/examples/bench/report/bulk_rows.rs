//! Two rows a bulk scenario: the edits sent while it is worked through,
//! and when it is through (the probe's diagnostics, or every referrer's).

use super::Row;
use super::format::{fmt_ms, fmt_s, mark};
use super::targets::{Key, judge, target_text};
use crate::bulk::{SCENARIOS, Settle};
use crate::results::{Scenario, SizeResult};

fn scenario<'a>(r: &'a SizeResult, name: &str) -> Option<&'a Scenario> {
    r.bulk.as_ref()?.scenarios.get(name)
}

/// A scenario that ran out of time.
fn over(r: &SizeResult) -> String {
    format!("> {:.0} s ✗", r.bulk.as_ref().map_or(0.0, |bulk| bulk.timeout_s))
}

fn edit_cell(r: &SizeResult, name: &str) -> String {
    let Some(scenario) = scenario(r, name) else { return "—".to_owned() };
    let Some(edit) = &scenario.edit else { return "failed ✗".to_owned() };
    let n = edit.edits.summary.n;
    if n == 0 {
        return over(r);
    }
    let first = fmt_ms(edit.first_minus_debounce_ms);
    if edit.timed_out {
        return format!("{first} / {} ({})", over(r), n + 1);
    }
    let slowest = edit.max_minus_debounce_ms.unwrap_or(f64::NAN);
    let ok = judge(Key::BulkEditMaxAfterDebounceMs, r.articles, slowest);
    format!("{first} / {} ({n}){}", fmt_ms(Some(slowest)), mark(ok))
}

fn settle_cell(r: &SizeResult, name: &str, settle: Settle) -> String {
    let Some(scenario) = scenario(r, name) else { return "—".to_owned() };
    let Some(complete) = scenario.complete_s else {
        return if scenario.files_waiting.is_some() { over(r) } else { "failed ✗".to_owned() };
    };
    match settle {
        Settle::Alone => fmt_ms(Some(complete * 1e3)),
        Settle::Probe => {
            let Some(alone) = scenario_complete(r, "lone_probe") else {
                return fmt_ms(Some(complete * 1e3));
            };
            let extra = (complete - alone) * 1e3;
            let sign = if extra >= 0.0 { "+" } else { "−" };
            let ok = judge(Key::BulkProbeExtraMs, r.articles, extra);
            format!("{} ({sign}{}){}", fmt_ms(Some(complete * 1e3)), fmt_ms(Some(extra.abs())), mark(ok))
        }
        Settle::Checkout | Settle::Deletions => {
            let ok = scenario.settled_s.and_then(|settled| {
                (settle == Settle::Checkout)
                    .then(|| judge(Key::BulkCheckoutSettledS, r.articles, settled))
                    .flatten()
            });
            format!("{} (every referrer {}){}", fmt_s(scenario.settled_s), fmt_s(Some(complete)), mark(ok))
        }
    }
}

fn scenario_complete(r: &SizeResult, name: &str) -> Option<f64> {
    scenario(r, name)?.complete_s
}

/// What ends a scenario, as its second row names it, and that row's target.
fn settle_row(settle: Settle) -> (&'static str, String) {
    match settle {
        Settle::Alone => ("notification → the probe's diagnostics (median of the repeats)", String::new()),
        Settle::Probe => (
            "notification → the probe's diagnostics, written last, median of the repeats (± the lone probe's)",
            target_text(Key::BulkProbeExtraMs),
        ),
        Settle::Checkout => (
            "notification → settled (no publication for 1 s; every referrer stale)",
            target_text(Key::BulkCheckoutSettledS),
        ),
        Settle::Deletions => {
            ("notification → settled (no publication for 1 s; every referrer's links broken)", String::new())
        }
    }
}

pub fn bulk_rows(results: &[SizeResult]) -> Vec<Row> {
    if !results.iter().any(|r| r.bulk.is_some()) {
        return Vec::new();
    }
    let mut table = Vec::new();
    for kind in &SCENARIOS {
        table.push(Row {
            label: format!(
                "bulk, {}: edits meanwhile → their diagnostics − debounce, first / max (edits)",
                kind.label
            ),
            target: target_text(Key::BulkEditMaxAfterDebounceMs),
            cells: results.iter().map(|r| edit_cell(r, kind.name)).collect(),
        });
        let (what, target) = settle_row(kind.settle);
        table.push(Row {
            label: format!("bulk, {}: {what}", kind.label),
            target,
            cells: results.iter().map(|r| settle_cell(r, kind.name, kind.settle)).collect(),
        });
    }
    table
}
