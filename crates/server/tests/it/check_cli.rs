//! `article-lsp check` over the fixtures, through the real binary.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};

fn check(args: &[&str]) -> Output {
    Command::new(crate::SERVER)
        .arg("check")
        .args(args)
        .current_dir(article_test_support::REPO_ROOT)
        .output()
        .expect("the binary runs")
}

/// `path` → the codes reported for it.
fn codes_by_file(stdout: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in stdout.lines().filter(|line| !line.starts_with("checked ")) {
        let (path, rest) = line.split_once(':').expect("path:line:col: severity[code]: message");
        let code = rest.split_once('[').and_then(|(_, rest)| rest.split_once(']')).expect("a [code]").0;
        found.entry(path.to_owned()).or_default().insert(code.to_owned());
    }
    found
}

#[test]
fn each_broken_fixture_reports_exactly_its_code_and_the_rest_is_clean() {
    let output = check(&["fixtures"]);
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    assert_eq!(output.status.code(), Some(1), "errors exit 1:\n{stdout}");

    let found = codes_by_file(&stdout);
    let broken_dir = Path::new(article_test_support::REPO_ROOT).join("fixtures/broken");
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in std::fs::read_dir(broken_dir).expect("fixtures/broken exists") {
        let name = entry.expect("readable entry").file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".md") else { continue };
        let code = stem.trim_end_matches("-a").trim_end_matches("-b");
        expected.insert(format!("fixtures/broken/{name}"), BTreeSet::from([code.to_owned()]));
    }
    assert_eq!(found, expected, "only broken fixtures have diagnostics, each exactly its own code");

    let summary = stdout.lines().last().unwrap_or_default();
    assert!(summary.starts_with("checked ") && summary.contains(" errors, "), "summary line: {summary}");
    // docs/user/cli.md shows this run's summary: it must be the one printed,
    // but for the time taken.
    let counts = |line: &str| line.rsplit_once(" in ").map(|(counts, _)| counts.to_owned());
    let shown =
        include_str!("../../../../docs/user/cli.md").lines().find(|line| line.starts_with("checked "));
    assert_eq!(shown.and_then(counts), counts(summary), "docs/user/cli.md's `check fixtures` summary");
}

#[test]
fn every_diagnostic_code_has_a_broken_fixture() {
    let output = check(&["fixtures/broken"]);
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    let names: BTreeSet<String> =
        std::fs::read_dir(Path::new(article_test_support::REPO_ROOT).join("fixtures/broken"))
            .expect("fixtures/broken exists")
            .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
    for code in article_core::diagnostics::DiagnosticCode::ALL {
        let code = code.as_str();
        let has_fixture = names.contains(&format!("{code}.md")) || names.contains(&format!("{code}-a.md"));
        assert!(has_fixture, "no fixture for {code}");
    }
    assert!(!stdout.is_empty());
}

#[test]
fn healthy_cluster_exits_clean() {
    let output = check(&["fixtures/lumenus", "fixtures/shapes", "fixtures/notes"]);
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "only the summary: {stdout}");
    assert!(stdout.contains("0 errors, 0 warnings"), "{stdout}");
}

#[test]
fn json_format_gives_lsp_ranges() {
    let output = check(&["--format", "json", "fixtures/broken/yaml-syntax.md"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    let expected = serde_json::json!([{
        "path": "fixtures/broken/yaml-syntax.md",
        "range": {"start": {"line": 5, "character": 13}, "end": {"line": 5, "character": 14}},
        "severity": "error",
        "code": "yaml-syntax",
        "message": "invalid YAML: illegal placement of ':' indicator"
    }]);
    assert_eq!(json, expected);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn text_format_is_path_line_col_severity_code_message() {
    let output = check(&["fixtures/broken/stale-title.md", "fixtures/lumenus"]);
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    let first = stdout.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        "fixtures/broken/stale-title.md:29:9: warning[stale-title]: stale title: the article's title is now “How has Lumenus evolved over the years?”"
    );
    assert_eq!(output.status.code(), Some(0), "warnings alone exit 0");
}

#[test]
fn usage_and_io_errors_exit_2() {
    assert_eq!(check(&["no/such/path"]).status.code(), Some(2));
    assert_eq!(check(&["--format", "yaml"]).status.code(), Some(2));
}

#[test]
fn version_works() {
    let output = Command::new(crate::SERVER).arg("--version").output().expect("runs");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("article-lsp {}", env!("CARGO_PKG_VERSION"))
    );
}
