//! The driver's pure parts: percentiles, the targets' judgement and text,
//! the table's formatting, check's lines, the texts written in a corpus.
//! (The benchmark itself is no test: `scripts/bench` runs it.)

use serde_json::json;

use crate::bulk::combine_repeats;
use crate::cli::Sizes;
use crate::corpus::{fingerprint, hub_referrer_text, marker_text};
use crate::floor_check::parse_check_line;
use crate::machine::Memory;
use crate::report::format::{fmt_ms, fmt_s, mark, thousands};
use crate::report::markdown;
use crate::report::targets::{Comparison, Key, TARGETS, judge, size_name, target_text};
use crate::results::{
    CheckFigures, ColdSession, Floor, Latency, RequestCounts, Scenario, SizeResult, StartFigures,
};
use crate::stats::{median, percentile, sorted, summary_ms};

#[test]
fn percentiles_are_nearest_rank() {
    let ordered = sorted(&[0.003, 0.001, 0.002, 0.010]);
    assert_eq!(percentile(&ordered, 50.0), 0.002);
    assert_eq!(percentile(&ordered, 99.0), 0.010);
    let thousand: Vec<f64> = (1..=1000).map(f64::from).collect();
    assert_eq!(percentile(&thousand, 99.0), 990.0);
    assert_eq!(percentile(&thousand, 50.0), 500.0);
    assert_eq!(percentile(&[7.0], 99.0), 7.0);
}

#[test]
fn medians_take_the_middle_two_of_an_even_count() {
    assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(&[]), None);
}

#[test]
fn summaries_are_in_milliseconds() {
    let summary = summary_ms(&[0.002, 0.001, 0.003]);
    assert_eq!(summary.n, 3);
    let times = summary.times.expect("times of three samples");
    assert_eq!((times.p50_ms, times.p99_ms, times.max_ms), (2.0, 3.0, 3.0));
    assert!((times.mean_ms - 2.0).abs() < 1e-9);
    assert_eq!(summary_ms(&[]).times, None);
    assert_eq!(serde_json::to_value(summary_ms(&[])).expect("json"), json!({ "n": 0 }));
}

#[test]
fn targets_are_judged_by_their_comparison_at_their_size() {
    assert_eq!(judge(Key::CheckRatio, 100_000, 1.25), Some(true));
    assert_eq!(judge(Key::CheckRatio, 100_000, 1.26), Some(false));
    assert_eq!(judge(Key::CheckRatio, 10_000, 9.0), None, "no target at 10k");
    assert_eq!(judge(Key::RestartSeconds, 1_000_000, 2.9), Some(true));
    assert_eq!(judge(Key::HoverP99Ms, 1000, 1.0), Some(false), "p99 < 1 ms is strict");
    assert_eq!(judge(Key::HoverP99Ms, 1000, 0.99), Some(true));
    assert_eq!(judge(Key::AnswerP50AfterDebounceMs, 1000, 2.0), Some(true), "≤ 2 ms");
    assert_eq!(judge(Key::ExitCode, 1000, 0.0), Some(true));
    assert_eq!(judge(Key::ScanGrowth, 1000, 5.0), None, "an expectation is not judged");
    assert_eq!(judge(Key::BulkCheckoutSettledS, 100_000, 2.5), Some(false));
    assert_eq!(judge(Key::BulkCheckoutSettledS, 10_000, 2.5), None);
    assert_eq!(Comparison::Below.holds(1.0, 1.0), Some(false));
    assert_eq!(Comparison::AtMost.holds(1.0, 1.0), Some(true));
}

#[test]
fn every_key_has_a_target() {
    let keys = [
        Key::CheckRatio,
        Key::ServerRatio,
        Key::RestartSeconds,
        Key::PeakRssMb,
        Key::CompletionP99Ms,
        Key::HoverP99Ms,
        Key::DefinitionP99Ms,
        Key::ReferencesP99Ms,
        Key::WorkspaceSymbolP99Ms,
        Key::EditP50AfterDebounceMs,
        Key::HubMedianAfterDebounceMs,
        Key::AnswerP50AfterDebounceMs,
        Key::AnswerReferrersRepublished,
        Key::ExitCode,
        Key::ScanGrowth,
        Key::MemoryGrowth,
        Key::BulkEditMaxAfterDebounceMs,
        Key::BulkProbeExtraMs,
        Key::BulkCheckoutSettledS,
    ];
    for key in keys {
        assert!(TARGETS.iter().any(|target| target.key == key), "{key:?} has no target");
    }
}

#[test]
fn target_texts_read_as_before() {
    assert_eq!(target_text(Key::CheckRatio), "≤ 1.25× floor at 100k / ≤ 1.25× floor at 1M");
    assert_eq!(target_text(Key::RestartSeconds), "≤ 0.5 s at 100k / ≤ 3 s at 1M");
    assert_eq!(target_text(Key::PeakRssMb), "≤ 150 MB at 100k / ≤ 1024 MB at 1M");
    assert_eq!(target_text(Key::CompletionP99Ms), "p99 < 5 ms");
    assert_eq!(target_text(Key::EditP50AfterDebounceMs), "p50 − debounce < 10 ms");
    assert_eq!(target_text(Key::HubMedianAfterDebounceMs), "median − debounce < 50 ms");
    assert_eq!(target_text(Key::ScanGrowth), "≈ 1 (linear)");
    assert_eq!(target_text(Key::BulkEditMaxAfterDebounceMs), "max ≤ 50 ms");
    assert_eq!(target_text(Key::BulkProbeExtraMs), "+ < 10 ms (the events cost nothing)");
    assert_eq!(target_text(Key::BulkCheckoutSettledS), "≤ 2 s at 100k");
    assert_eq!(size_name(1_000_000), "1M");
}

#[test]
fn figures_are_formatted_as_before() {
    assert_eq!(fmt_ms(Some(0.123456)), "0.12 ms");
    assert_eq!(fmt_ms(Some(12.345)), "12.3 ms");
    assert_eq!(fmt_ms(Some(1234.5)), "1.23 s");
    assert_eq!(fmt_ms(Some(-3.2)), "-3.20 ms");
    assert_eq!(fmt_ms(None), "—");
    assert_eq!(fmt_s(Some(1.23456)), "1.235 s");
    assert_eq!(fmt_s(Some(12.345)), "12.3 s");
    assert_eq!((mark(Some(true)), mark(Some(false)), mark(None)), (" ✓", " ✗", ""));
    assert_eq!(
        (thousands(0), thousands(999), thousands(1000), thousands(1_234_567)),
        ("0".into(), "999".into(), "1,000".into(), "1,234,567".into())
    );
}

/// One size's result with a few figures, the rest missing.
fn some_result(articles: usize, check_s: f64, floor_s: f64) -> SizeResult {
    let latency = Latency {
        summary: summary_ms(&[0.0004, 0.0006, 0.0012]),
        counts: Some(RequestCounts { requested: 3, ..RequestCounts::default() }),
        timeout: None,
    };
    let lsp = ColdSession {
        start: StartFigures {
            scan_end_s: Some(1.0),
            rss_after_scan_mb: Some(Memory { peak_mb: Some(140.4), now_mb: Some(120.0) }),
            ..StartFigures::default()
        },
        scan_end_ratio: Some(1.0 / floor_s),
        latency: Some([("hover".to_owned(), latency)].into_iter().collect()),
        ..ColdSession::default()
    };
    SizeResult {
        articles,
        files: Some(articles as u64 + 1001),
        floor: Some(Floor { s: floor_s, runs_s: vec![floor_s], ..Floor::default() }),
        check: Some(CheckFigures { s: check_s, ratio: check_s / floor_s, ..CheckFigures::default() }),
        lsp: Some(lsp),
        ..SizeResult::default()
    }
}

#[test]
fn the_table_has_a_column_a_size_and_judges_by_the_targets() {
    let results = [some_result(10_000, 0.2, 0.1), some_result(100_000, 1.2, 1.0)];
    let table = markdown(&results, false);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], "| figure | target | 10,000 articles | 100,000 articles |");
    assert_eq!(lines[1], "|---|---|---|---|");
    let row = |label: &str| *lines.iter().find(|line| line.starts_with(&format!("| {label}"))).expect(label);
    assert_eq!(row("files indexed"), "| files indexed (articles + 1,001 hub files) |  | 11,001 | 101,001 |");
    assert_eq!(
        row("`article-lsp check`"),
        "| `article-lsp check` (median of 1), × floor | ≤ 1.25× floor at 100k / ≤ 1.25× floor at 1M \
         | 0.200 s (2.00×) | 1.200 s (1.20×) ✓ |"
    );
    assert_eq!(
        row("server peak RSS (VmHWM) after the scan"),
        "| server peak RSS (VmHWM) after the scan | ≤ 150 MB at 100k / ≤ 1024 MB at 1M | 140 MB (now 120) | 140 MB (now 120) ✓ |"
    );
    assert_eq!(
        row("hover on a link's `id`"),
        "| hover on a link's `id`, p50 / p99 | p99 < 1 ms | 0.60 ms / 1.20 ms ✗ | 0.60 ms / 1.20 ms ✗ |"
    );
    assert_eq!(row("completion"), "| completion on an emptied `id:` value, p50 / p99 | p99 < 5 ms | — | — |");
    assert_eq!(
        row("growth: scan"),
        "| growth: scan `end` time per file ÷ the same at the next smaller size | ≈ 1 (linear) | — | 0.11 |"
    );
    assert!(!table.contains("bulk,"), "no bulk rows without bulk figures");
    assert_eq!(markdown(&results, true).lines().count(), 2, "only the header without bulk figures");
}

#[test]
fn check_lines_are_parsed_from_the_right() {
    let line = "/tmp/c/a:b.md:33:9: error[broken-link]: broken link: no article has id 1: warning[x]";
    let (path, reported) = parse_check_line(line).expect("a diagnostic line");
    assert_eq!(path.to_str(), Some("/tmp/c/a:b.md"));
    assert_eq!((reported.line, reported.column, reported.code.as_str()), (33, 9, "broken-link"));
    assert!(parse_check_line("checked 1001 files: 1001 articles, 1000 links; 0 errors").is_none());
    assert!(parse_check_line("/a.md:1:2: error[Bad_Code]: x").is_none());
}

#[test]
fn sizes_take_thousands_and_underscores() {
    assert_eq!("1000, 10_000,100k".parse::<Sizes>(), Ok(Sizes(vec![1000, 10_000, 100_000])));
    assert!("ten".parse::<Sizes>().is_err());
}

#[test]
fn the_hub_is_written_as_the_python_driver_wrote_it() {
    // The Python driver's hub_referrer_text(7), verbatim: corpora are
    // shared between the drivers.
    let expected = "---\nid: 800000007\ntitle: >-\n    Bench hub referrer 0007\nsubject: Bench Hub\n\
        file_name: bench-hub-referrer-0007.md\nurl: /learn/bench-hub/questions/bench-hub-referrer-0007\n\
        question: >-\n    Which article does referrer 0007 link to?\nanswer: >-\n    The bench hub target article.\n\
        related_article1:\n    id: 800000000\n    title: >-\n        Bench hub target article\n    subject: Bench Hub\n    \
        url: /learn/bench-hub/questions/bench-hub-target-article\n---\n\n&nbsp;\n";
    assert_eq!(hub_referrer_text(7), expected);
}

#[test]
fn the_marker_names_the_generator_by_what_it_writes() {
    let wanted = fingerprint(1000);
    assert_eq!(wanted, fingerprint(1000), "the same generator, the same name");
    assert_ne!(wanted["articles"], fingerprint(10_000)["articles"]);
    let generator = wanted["generator"].as_str().expect("a generator's name");
    assert_eq!(generator.len(), 16);
    assert_eq!(
        marker_text(&wanted),
        format!(
            r#"{{"format": 1, "articles": 1000, "seed": 1, "hub_referrers": 1000, "generator": "{generator}"}}"#
        )
    );
}

#[test]
fn repeats_combine_into_the_median_with_the_slowest_edit() {
    let repeat = |complete_s: f64, max_s: f64| {
        let samples = [0.051, max_s];
        let mut edits = crate::results::BulkEdits {
            edits: crate::edits::edit_summary(&samples, 0),
            ..Default::default()
        };
        edits.first_minus_debounce_ms = Some(complete_s);
        Scenario { settle: "probe", complete_s: Some(complete_s), edit: Some(edits), ..Scenario::default() }
    };
    let combined = combine_repeats(vec![repeat(0.3, 0.052), repeat(0.1, 0.070), repeat(0.2, 0.060)]);
    assert_eq!(combined.complete_s, Some(0.2));
    assert_eq!(combined.complete_s_all, Some(vec![0.3, 0.1, 0.2]));
    let edit = combined.edit.expect("the slowest edit");
    assert_eq!(edit.edits.summary.n, 6);
    assert_eq!(edit.edits.summary.times.map(|times| times.max_ms), Some(70.0));
    assert_eq!(edit.first_minus_debounce_ms, Some(0.3), "the first repeat's first edit");
    let timed_out = Scenario { timed_out: true, ..Scenario::default() };
    assert!(combine_repeats(vec![repeat(0.1, 0.06), timed_out]).timed_out);
}
