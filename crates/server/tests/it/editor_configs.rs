//! The editor clients in `editors/` name the server's settings, diagnostic
//! codes and client-side command; these tests keep them in step with the
//! server.

use std::path::Path;

use article_core::diagnostics::DiagnosticCode;
use article_workspace::config::Settings;
use serde_json::{Map, Value, json};

const ROOT: &str = article_test_support::REPO_ROOT;
/// The settings that the VS Code extension forwards to the server.
const SERVER_KEYS: [&str; 6] =
    ["include", "exclude", "severity", "workspaceDiagnostics", "hoverPreviewLength", "followSymlinks"];
const LEVELS: [&str; 5] = ["error", "warning", "information", "hint", "off"];

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(path)).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn vscode_settings() -> Map<String, Value> {
    let manifest: Value = serde_json::from_str(&read("editors/vscode/package.json")).expect("package.json");
    manifest["contributes"]["configuration"]["properties"].as_object().expect("contributed settings").clone()
}

#[test]
fn vscode_contributes_every_server_setting_with_the_server_default() {
    let settings = vscode_settings();
    let mut defaults = Map::new();
    for key in SERVER_KEYS {
        let setting = &settings[&format!("articleLsp.{key}")];
        assert!(setting["markdownDescription"].as_str().is_some_and(|text| !text.is_empty()), "{key}");
        defaults.insert(key.to_owned(), setting["default"].clone());
    }
    // The server refuses unknown keys, so this also checks the names.
    let (applied, problems) =
        Settings::default().with_editor_settings(&Value::Object(defaults)).expect("accepted");
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(applied, Settings::default());

    let server_side: Vec<&String> = settings
        .keys()
        .filter(|key| !key.starts_with("articleLsp.server.") && !key.starts_with("articleLsp.trace."))
        .collect();
    assert_eq!(server_side.len(), SERVER_KEYS.len(), "settings the server does not know: {server_side:?}");
}

#[test]
fn vscode_severity_setting_names_every_code_and_level() {
    let settings = vscode_settings();
    let severity = &settings["articleLsp.severity"];
    let codes: Vec<&str> = severity["properties"]
        .as_object()
        .expect("one property per code")
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected: Vec<&str> = DiagnosticCode::ALL.iter().map(|code| code.as_str()).collect();
    let mut listed = codes.clone();
    expected.sort_unstable();
    listed.sort_unstable();
    assert_eq!(listed, expected);
    let levels: Vec<&str> = severity["definitions"]["severity"]["enum"]
        .as_array()
        .expect("levels")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(levels, LEVELS);
    for level in LEVELS {
        let every_code: Map<String, Value> =
            codes.iter().map(|code| (code.to_string(), json!(level))).collect();
        let (_, problems) =
            Settings::default().with_editor_settings(&json!({ "severity": every_code })).expect("accepted");
        assert!(problems.is_empty(), "{level}: {problems:?}");
    }
}

#[test]
fn vscode_extension_forwards_exactly_the_server_settings() {
    let source = read("editors/vscode/src/extension.ts");
    let line =
        source.lines().find(|line| line.contains("const SERVER_KEYS")).expect("SERVER_KEYS in extension.ts");
    let listed: Vec<&str> = line.split('\'').skip(1).step_by(2).collect();
    assert_eq!(listed, SERVER_KEYS);
}

#[test]
fn clients_handle_the_backlink_lens_command() {
    let command = "articleLsp.showReferences";
    assert!(read("editors/vscode/package.json").contains(&format!("\"{command}\"")));
    assert!(read("editors/vscode/src/extension.ts").contains("`${SECTION}.showReferences`"));
    assert!(read("editors/nvim/lsp/article_lsp.lua").contains(&format!("['{command}']")));
}
