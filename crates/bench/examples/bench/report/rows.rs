//! The table's rows but the bulk changes': one figure a row, one cell a
//! corpus size, the target column and the ✓ and ✗ from `targets`.

use super::Row;
use super::format::{fmt_ms, fmt_s, mark, thousands};
use super::targets::{Key, judge, target_text};
use crate::edits::DEBOUNCE_S;
use crate::machine::Memory;
use crate::results::{SizeResult, WarmSession};

fn row(
    label: impl Into<String>,
    target: impl Into<String>,
    results: &[SizeResult],
    cell: impl Fn(&SizeResult) -> String,
) -> Row {
    Row { label: label.into(), target: target.into(), cells: results.iter().map(cell).collect() }
}

/// The latency rows: suite, what is asked, the target's key.
const LATENCY_ROWS: [(&str, &str, Option<Key>); 8] = [
    ("noop", "round trip of an unknown request (client + transport)", None),
    ("completion", "completion on an emptied `id:` value", Some(Key::CompletionP99Ms)),
    ("hover", "hover on a link's `id`", Some(Key::HoverP99Ms)),
    ("definition", "definition on a link's `id`", Some(Key::DefinitionP99Ms)),
    ("references", "references on the article's own `id`", Some(Key::ReferencesP99Ms)),
    ("workspace_symbol", "workspace symbol (title words, id prefix)", Some(Key::WorkspaceSymbolP99Ms)),
    ("hover_broken_link", "hover on a broken link's `id`", None),
    ("references_hub", "references of the article 1,000 others link to", None),
];

/// `−50 ms`: what the "less the debounce" figures have taken off.
fn less_debounce() -> String {
    format!("−{:.0} ms", DEBOUNCE_S * 1e3)
}

pub fn rows(results: &[SizeResult]) -> Vec<Row> {
    let runs = results.iter().find_map(|r| r.floor.as_ref()).map_or(3, |floor| floor.runs_s.len());
    let mut table = vec![
        row("files indexed (articles + 1,001 hub files)", "", results, |r| {
            r.files.map_or("—".to_owned(), thousands)
        }),
        row(format!("floor: list + read + YAML events, all cores (median of {runs})"), "", results, |r| {
            fmt_s(r.floor.as_ref().map(|floor| floor.s))
        }),
        row(
            format!("`article-lsp check` (median of {runs}), × floor"),
            target_text(Key::CheckRatio),
            results,
            |r| {
                let check = r.check.as_ref();
                ratio_cell(r.articles, check.map(|c| c.s), check.map(|c| c.ratio), Key::CheckRatio)
            },
        ),
        row(
            "LSP `initialize` → scan progress `end`, × floor",
            target_text(Key::ServerRatio),
            results,
            |r| {
                let lsp = r.lsp.as_ref();
                ratio_cell(
                    r.articles,
                    lsp.and_then(|l| l.start.scan_end_s),
                    lsp.and_then(|l| l.scan_end_ratio),
                    Key::ServerRatio,
                )
            },
        ),
        row(
            "LSP `initialize` → every file's diagnostics published, × floor",
            target_text(Key::ServerRatio),
            results,
            |r| {
                let lsp = r.lsp.as_ref();
                let seconds = lsp.and_then(|l| l.start.diagnostics_complete_s);
                ratio_cell(
                    r.articles,
                    seconds,
                    lsp.and_then(|l| l.diagnostics_complete_ratio),
                    Key::ServerRatio,
                )
            },
        ),
        row(
            "restart over unchanged files: `initialize` → scan `end` (→ every file's diagnostics)",
            target_text(Key::RestartSeconds),
            results,
            |r| warm_cell(r, r.warm.as_ref()),
        ),
        row(
            "the same restart, the client watching no files (Neovim on Linux): the server watches its folders",
            target_text(Key::RestartSeconds),
            results,
            |r| warm_cell(r, r.warm_server_watching.as_ref()),
        ),
        row(
            "index cache on disk, after the cold scan's `end` (it is written at the lowest priority)",
            "",
            results,
            |r| match r.lsp.as_ref().and_then(|lsp| lsp.cache_written_s) {
                None => "—".to_owned(),
                Some(None) => "none within the scan's time limit".to_owned(),
                Some(seconds) => fmt_s(seconds),
            },
        ),
        row("server peak RSS (VmHWM) after the scan", target_text(Key::PeakRssMb), results, |r| {
            rss_cell(r.articles, r.lsp.as_ref().and_then(|lsp| lsp.start.rss_after_scan_mb))
        }),
        row("server peak RSS (VmHWM) at the end of the run", target_text(Key::PeakRssMb), results, |r| {
            rss_cell(r.articles, r.lsp.as_ref().and_then(|lsp| lsp.rss_end_mb))
        }),
        row("server peak RSS (VmHWM) after a restart's scan", target_text(Key::PeakRssMb), results, |r| {
            rss_cell(r.articles, r.warm.as_ref().and_then(|warm| warm.rss_after_scan_mb))
        }),
    ];
    for (suite, label, key) in LATENCY_ROWS {
        let target = key.map(target_text).unwrap_or_default();
        table.push(row(format!("{label}, p50 / p99"), target, results, |r| latency_cell(r, suite, key)));
    }
    table.push(row(
        "`didChange` → its `publishDiagnostics`, p50 / p99",
        target_text(Key::EditP50AfterDebounceMs),
        results,
        edit_cell,
    ));
    table.push(row(
        "title change → 1,000 referrers republished, median",
        target_text(Key::HubMedianAfterDebounceMs),
        results,
        hub_cell,
    ));
    let answer_target = format!(
        "{}, {}",
        target_text(Key::AnswerP50AfterDebounceMs),
        target_text(Key::AnswerReferrersRepublished)
    );
    table.push(row(
        "typing in the answer of that article → its `publishDiagnostics`, p50 / p99",
        answer_target,
        results,
        answer_cell,
    ));
    table.push(row("`shutdown` + `exit` → process ends", target_text(Key::ExitCode), results, exit_cell));
    let scan_end = |r: &SizeResult| r.lsp.as_ref().and_then(|lsp| lsp.start.scan_end_s);
    let peak = |r: &SizeResult| {
        r.lsp.as_ref().and_then(|lsp| lsp.start.rss_after_scan_mb).and_then(|memory| memory.peak_mb)
    };
    table.push(row(
        "growth: scan `end` time per file ÷ the same at the next smaller size",
        target_text(Key::ScanGrowth),
        results,
        |r| growth_cell(results, r, scan_end),
    ));
    table.push(row(
        "growth: peak RSS per file ÷ the same at the next smaller size",
        target_text(Key::MemoryGrowth),
        results,
        |r| growth_cell(results, r, peak),
    ));
    table
}

fn ratio_cell(size: usize, seconds: Option<f64>, ratio: Option<f64>, key: Key) -> String {
    let (Some(seconds), Some(ratio)) = (seconds, ratio) else {
        return "—".to_owned();
    };
    format!("{} ({ratio:.2}×){}", fmt_s(Some(seconds)), mark(judge(key, size, ratio)))
}

fn warm_cell(r: &SizeResult, warm: Option<&WarmSession>) -> String {
    let Some(warm) = warm else { return "—".to_owned() };
    let Some(scan_end) = warm.scan_end_s else { return "—".to_owned() };
    let diagnostics = warm.diagnostics_complete_s;
    let ok = judge(Key::RestartSeconds, r.articles, scan_end.max(diagnostics.unwrap_or(scan_end)));
    format!("{} (diagnostics {}){}", fmt_s(Some(scan_end)), fmt_s(diagnostics), mark(ok))
}

fn rss_cell(size: usize, memory: Option<Memory>) -> String {
    let Some(Memory { peak_mb: Some(peak), now_mb }) = memory else {
        return "—".to_owned();
    };
    let now = now_mb.map_or("—".to_owned(), |now| format!("{now:.0}"));
    format!("{peak:.0} MB (now {now}){}", mark(judge(Key::PeakRssMb, size, peak)))
}

fn latency_cell(r: &SizeResult, suite: &str, key: Option<Key>) -> String {
    let Some(stats) =
        r.lsp.as_ref().and_then(|lsp| lsp.latency.as_ref()).and_then(|latency| latency.get(suite))
    else {
        return "—".to_owned();
    };
    let Some(times) = &stats.summary.times else {
        return "timeout ✗".to_owned();
    };
    let errors = stats.counts.as_ref().map_or(0, |counts| counts.errors);
    let mut text = format!("{} / {}", fmt_ms(Some(times.p50_ms)), fmt_ms(Some(times.p99_ms)));
    if errors > 0 && suite != "noop" {
        text += &format!(" ({errors} errors)");
    }
    let ok = key.and_then(|key| judge(key, r.articles, times.p99_ms)).map(|ok| ok && errors == 0);
    text + mark(ok)
}

fn edit_cell(r: &SizeResult) -> String {
    let Some(edit) = r.lsp.as_ref().and_then(|lsp| lsp.edit.as_ref()) else { return "—".to_owned() };
    let (Some(times), Some(after)) = (&edit.summary.times, edit.p50_minus_debounce_ms) else {
        return "—".to_owned();
    };
    let ok = judge(Key::EditP50AfterDebounceMs, r.articles, after);
    format!(
        "{} / {}; {}: {} / {}{}",
        fmt_ms(Some(times.p50_ms)),
        fmt_ms(Some(times.p99_ms)),
        less_debounce(),
        fmt_ms(Some(after)),
        fmt_ms(edit.p99_minus_debounce_ms),
        mark(ok)
    )
}

fn hub_cell(r: &SizeResult) -> String {
    let Some(hub) = r.lsp.as_ref().and_then(|lsp| lsp.hub.as_ref()) else { return "—".to_owned() };
    let (Some(times), Some(after)) = (&hub.summary.times, hub.p50_minus_debounce_ms) else {
        return "—".to_owned();
    };
    let ok = judge(Key::HubMedianAfterDebounceMs, r.articles, after);
    let (p50, max) = (fmt_ms(Some(times.p50_ms)), fmt_ms(Some(times.max_ms)));
    format!("{p50} (max {max}); {}: {}{}", less_debounce(), fmt_ms(Some(after)), mark(ok))
}

fn answer_cell(r: &SizeResult) -> String {
    let Some(answer) = r.lsp.as_ref().and_then(|lsp| lsp.answer_typing.as_ref()) else {
        return "—".to_owned();
    };
    let edits = &answer.edits;
    let (Some(times), Some(after)) = (&edits.summary.times, edits.p50_minus_debounce_ms) else {
        return "—".to_owned();
    };
    let republished = answer.referrers_republished;
    let fast = judge(Key::AnswerP50AfterDebounceMs, r.articles, after);
    let quiet = judge(Key::AnswerReferrersRepublished, r.articles, republished as f64);
    let ok = fast.zip(quiet).map(|(fast, quiet)| fast && quiet && edits.unexpected == 0);
    format!(
        "{} / {}; {}: {} / {}; {republished} referrers republished; server CPU {} per edit{}",
        fmt_ms(Some(times.p50_ms)),
        fmt_ms(Some(times.p99_ms)),
        less_debounce(),
        fmt_ms(Some(after)),
        fmt_ms(edits.p99_minus_debounce_ms),
        fmt_ms(answer.server_cpu_ms_per_edit),
        mark(ok)
    )
}

fn exit_cell(r: &SizeResult) -> String {
    let Some(exit) = r.lsp.as_ref().map(|lsp| &lsp.exit) else { return "—".to_owned() };
    let code = exit.exit_code.map_or(f64::NAN, f64::from);
    if exit.clean && judge(Key::ExitCode, r.articles, code) != Some(false) {
        return format!("exit 0 in {}{}", fmt_ms(exit.exit_ms), mark(Some(true)));
    }
    let code = exit.exit_code.map_or("None".to_owned(), |code| code.to_string());
    format!("{}{}", exit.problem.clone().unwrap_or(format!("exit {code}")), mark(Some(false)))
}

/// A per-file figure at this size over the same at the next smaller size.
fn growth_cell(results: &[SizeResult], r: &SizeResult, value: impl Fn(&SizeResult) -> Option<f64>) -> String {
    let Some(files) = r.files else { return "—".to_owned() };
    let smaller =
        results.iter().filter(|other| other.files.is_some_and(|f| f < files)).max_by_key(|other| other.files);
    let (Some(smaller), Some(here)) = (smaller, value(r)) else { return "—".to_owned() };
    let (Some(there), Some(smaller_files)) = (value(smaller), smaller.files) else { return "—".to_owned() };
    format!("{:.2}", (here / files as f64) / (there / smaller_files as f64))
}
