//! Settings, in one place for the server and `check`: an optional
//! `article-lsp.toml` at a root, overridden by the editor's `articleLsp`
//! section. Free of LSP types; editor settings arrive as plain JSON.
//!
//! ```toml
//! include = ["**/*.md"]
//! exclude = ["drafts/**"]
//! workspace_diagnostics = true
//! hover_preview_length = 300
//! follow_symlinks = false
//!
//! [severity]
//! stale-title = "hint"
//! self-link = "off"
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::admission::ScanOptions;
use crate::boundary::Boundary;
use crate::files::ScanProblem;
use article_core::diagnostics::{Diagnostic, DiagnosticCode, Severity};

/// The settings file looked for at each root.
pub const CONFIG_FILE: &str = "article-lsp.toml";

/// What a diagnostic code is turned into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeveritySetting {
    Off,
    Level(Severity),
}

impl SeveritySetting {
    fn parse(name: &str) -> Option<SeveritySetting> {
        Some(match name.to_ascii_lowercase().as_str() {
            "off" | "none" => SeveritySetting::Off,
            "error" => SeveritySetting::Level(Severity::Error),
            "warning" | "warn" => SeveritySetting::Level(Severity::Warning),
            "information" | "info" => SeveritySetting::Level(Severity::Information),
            "hint" => SeveritySetting::Level(Severity::Hint),
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Globs (gitignore syntax, relative to the root) of files to index.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Codes whose severity differs from the default, or that are off.
    pub severity: BTreeMap<DiagnosticCode, SeveritySetting>,
    /// Publish diagnostics for every article, not only open ones.
    pub workspace_diagnostics: bool,
    /// Characters of `question`/`answer` shown in a hover.
    pub hover_preview_length: usize,
    /// Follow symbolic links that lead outside the workspace folder.
    pub follow_symlinks: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            include: ScanOptions::default().include,
            exclude: Vec::new(),
            severity: BTreeMap::new(),
            workspace_diagnostics: true,
            hover_preview_length: 300,
            follow_symlinks: false,
        }
    }
}

/// One layer of settings as written: every key optional, so a layer only
/// overrides what it names. Both `snake_case` (TOML) and `camelCase` (editor
/// JSON) spellings are accepted.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Layer {
    include: Option<Vec<String>>,
    exclude: Option<Vec<String>>,
    #[serde(alias = "severities")]
    severity: Option<BTreeMap<String, String>>,
    #[serde(alias = "workspaceDiagnostics")]
    workspace_diagnostics: Option<bool>,
    #[serde(alias = "hoverPreviewLength")]
    hover_preview_length: Option<usize>,
    #[serde(alias = "followSymlinks")]
    follow_symlinks: Option<bool>,
}

impl Settings {
    /// Reads `article-lsp.toml` in `root`, if there is one. A file that
    /// cannot be read or understood yields the defaults and a message saying
    /// why; a file with some bad entries keeps the good ones.
    pub fn load(root: &Path) -> (Settings, Vec<String>) {
        let path = root.join(CONFIG_FILE);
        let text = match read_settings_file(root) {
            Some(Ok(text)) => text,
            None => return (Settings::default(), vec![]),
            Some(Err(problem)) => {
                return (Settings::default(), vec![format!("{}: {}", path.display(), problem.message)]);
            }
        };
        match Settings::from_toml(&text) {
            Ok((settings, problems)) => {
                (settings, problems.into_iter().map(|p| format!("{}: {p}", path.display())).collect())
            }
            Err(error) => {
                (Settings::default(), vec![format!("{}: {error}; using default settings", path.display())])
            }
        }
    }

    /// Parses a settings file's text over the defaults.
    pub fn from_toml(text: &str) -> Result<(Settings, Vec<String>), String> {
        let layer: Layer = toml::from_str(text).map_err(|error| error.message().to_owned())?;
        let mut settings = Settings::default();
        let problems = settings.apply(layer);
        Ok((settings, problems))
    }

    /// Applies the editor's settings (the `articleLsp` object) over these.
    /// On a malformed object nothing changes and the error is returned.
    pub fn with_editor_settings(&self, json: &serde_json::Value) -> Result<(Settings, Vec<String>), String> {
        if json.is_null() {
            return Ok((self.clone(), Vec::new()));
        }
        let layer: Layer = serde_json::from_value(json.clone()).map_err(|error| error.to_string())?;
        let mut settings = self.clone();
        let problems = settings.apply(layer);
        Ok((settings, problems))
    }

    fn apply(&mut self, layer: Layer) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(include) = layer.include {
            self.include = include;
        }
        if let Some(exclude) = layer.exclude {
            self.exclude = exclude;
        }
        if let Some(on) = layer.workspace_diagnostics {
            self.workspace_diagnostics = on;
        }
        if let Some(length) = layer.hover_preview_length {
            self.hover_preview_length = length;
        }
        if let Some(follow) = layer.follow_symlinks {
            self.follow_symlinks = follow;
        }
        for (code, level) in layer.severity.unwrap_or_default() {
            match (DiagnosticCode::from_name(&code), SeveritySetting::parse(&level)) {
                (Some(code), Some(level)) => {
                    self.severity.insert(code, level);
                }
                (None, _) => problems.push(format!("unknown diagnostic code `{code}`")),
                (_, None) => problems.push(format!(
                    "`{code}`: severity `{level}` is not one of error, warning, information, hint, off"
                )),
            }
        }
        problems
    }

    pub fn scan_options(&self) -> ScanOptions {
        ScanOptions {
            include: self.include.clone(),
            exclude: self.exclude.clone(),
            follow_symlinks: self.follow_symlinks,
        }
    }

    /// Applies the severity settings: drops diagnostics that are off and
    /// re-levels the others.
    pub fn adjust(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diagnostics
            .into_iter()
            .filter_map(|mut diagnostic| match self.severity.get(&diagnostic.code) {
                Some(SeveritySetting::Off) => None,
                Some(SeveritySetting::Level(level)) => {
                    diagnostic.severity = *level;
                    Some(diagnostic)
                }
                None => Some(diagnostic),
            })
            .collect()
    }
}

/// The text of the settings file in `root`; `None` when there is none. It
/// is read only inside the root, whatever `followSymlinks` says (the setting
/// may be in the file itself).
pub(crate) fn read_settings_file(root: &Path) -> Option<Result<String, ScanProblem>> {
    let path = root.join(CONFIG_FILE);
    std::fs::symlink_metadata(&path).ok()?;
    Some(Boundary::new(root, false).read_text(&path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_file_overrides_defaults() {
        let (settings, problems) = Settings::from_toml(
            "exclude = [\"drafts/**\"]\nworkspace_diagnostics = false\n[severity]\nstale-title = \"hint\"\nself-link = \"off\"\n",
        )
        .expect("valid");
        assert!(problems.is_empty());
        assert_eq!(settings.exclude, ["drafts/**"]);
        assert!(!settings.workspace_diagnostics);
        assert_eq!(settings.severity[&DiagnosticCode::StaleTitle], SeveritySetting::Level(Severity::Hint));
        assert_eq!(settings.severity[&DiagnosticCode::SelfLink], SeveritySetting::Off);
        assert_eq!(settings.include, Settings::default().include);
    }

    #[test]
    fn bad_toml_is_an_error_and_bad_entries_are_problems() {
        assert!(Settings::from_toml("include = 3").is_err());
        assert!(Settings::from_toml("nonsense = true").is_err());
        let (settings, problems) =
            Settings::from_toml("[severity]\nno-such-code = \"off\"\nbroken-link = \"loud\"\n")
                .expect("valid");
        assert_eq!(problems.len(), 2);
        assert!(settings.severity.is_empty());
    }

    #[test]
    fn editor_settings_override_the_file() {
        let (file, _) =
            Settings::from_toml("hover_preview_length = 10\n[severity]\nstale-url = \"off\"").unwrap();
        let json = serde_json::json!({ "hoverPreviewLength": 50, "severity": { "stale-url": "error" } });
        let (merged, problems) = file.with_editor_settings(&json).expect("valid");
        assert!(problems.is_empty());
        assert_eq!(merged.hover_preview_length, 50);
        assert_eq!(merged.severity[&DiagnosticCode::StaleUrl], SeveritySetting::Level(Severity::Error));
        assert!(file.with_editor_settings(&serde_json::json!({ "include": 3 })).is_err());
    }

    #[test]
    fn symbolic_links_are_followed_only_when_asked() {
        assert!(!Settings::default().follow_symlinks);
        let (file, _) = Settings::from_toml("follow_symlinks = true").expect("valid");
        assert!(file.follow_symlinks && file.scan_options().follow_symlinks);
        let json = serde_json::json!({ "followSymlinks": false });
        assert!(!file.with_editor_settings(&json).expect("valid").0.follow_symlinks);
    }
}
