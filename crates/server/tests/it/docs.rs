//! The docs stay true: the diagnostics table lists every code with its
//! default severity, the README's `cargo` commands name only packages,
//! paths and options that exist, and every relative link in the Markdown
//! files at the root and under `docs/` leads to a file (and a `#heading` in
//! a Markdown file to one of its headings), and ARCHITECTURE.md's code map
//! names every crate and module of the product, and nothing that is gone.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use article_core::diagnostics::DiagnosticCode;
use article_test_support::REPO_ROOT;

#[test]
fn diagnostics_table_lists_every_code_with_its_severity() {
    let table = include_str!("../../../../docs/user/diagnostics.md");
    for code in DiagnosticCode::ALL {
        let row = format!("| `{}` | {} |", code.as_str(), code.default_severity().as_str());
        assert!(
            table.lines().any(|line| line.starts_with(&row)),
            "docs/user/diagnostics.md lacks the row starting {row}"
        );
    }
}

#[test]
fn readme_cargo_commands_name_what_exists() {
    let root = Path::new(REPO_ROOT);
    let readme = read(&root.join("README.md"));
    let packages = packages(root);
    let mut subcommands = BTreeSet::new();
    for line in fenced_lines(&readme, "sh").filter(|line| line.starts_with("cargo ")) {
        let command = line.split(" #").next().unwrap_or_default().trim();
        let (cargo_part, program_args) = match command.split_once(" -- ") {
            Some((cargo_part, rest)) => (cargo_part, rest.split_whitespace().collect()),
            None => (command, Vec::new()),
        };
        let words: Vec<&str> = cargo_part.split_whitespace().collect();
        let subcommand = *words.get(1).unwrap_or_else(|| panic!("README: `{line}` names no cargo command"));
        subcommands.insert(subcommand);
        assert!(
            ["install", "run", "test", "bench", "build"].contains(&subcommand),
            "README: `{line}`: `cargo {subcommand}` is not a command this test knows; check it and add it here"
        );
        let mut target_chosen = false;
        let mut options = words[2..].iter();
        while let Some(&option) = options.next() {
            let mut value = || {
                *options.next().unwrap_or_else(|| panic!("README: `{line}`: `{option}` without its value"))
            };
            match (subcommand, option) {
                ("install", "--path") => {
                    let path = value();
                    let dir = root.join(path);
                    let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))
                        .unwrap_or_else(|_| panic!("README: `{line}`: {path}/Cargo.toml does not exist"));
                    assert!(
                        manifest.contains("[[bin]]") || dir.join("src/main.rs").is_file(),
                        "README: `{line}`: {path} has no binary to install"
                    );
                }
                ("install", "--locked" | "--force") => {}
                ("run" | "test" | "bench" | "build", "--release") => {}
                (_, "-p" | "--package") => {
                    let name = value();
                    assert!(
                        packages.iter().any(|package| package.name == name),
                        "README: `{line}`: no package {name} in crates/"
                    );
                }
                ("run" | "build", "--bin") => {
                    let name = value();
                    assert!(
                        packages.iter().any(|package| package.binaries.iter().any(|binary| binary == name)),
                        "README: `{line}`: no package has a binary {name}"
                    );
                    target_chosen = true;
                }
                ("run" | "build", "--example") => {
                    let name = value();
                    assert!(
                        packages
                            .iter()
                            .any(|package| package.dir.join(format!("examples/{name}.rs")).is_file()),
                        "README: `{line}`: no package has an example {name}"
                    );
                    target_chosen = true;
                }
                ("bench", "--bench") => {
                    let name = value();
                    assert!(
                        packages
                            .iter()
                            .any(|package| package.dir.join(format!("benches/{name}.rs")).is_file()),
                        "README: `{line}`: no package has a bench {name}"
                    );
                }
                ("test", "--test") => {
                    let name = value();
                    assert!(
                        packages.iter().any(|package| {
                            package.dir.join(format!("tests/{name}.rs")).is_file()
                                || package.dir.join(format!("tests/{name}/main.rs")).is_file()
                        }),
                        "README: `{line}`: no package has an integration test {name}"
                    );
                }
                _ => panic!(
                    "README: `{line}`: `{option}` is not an option this test knows; check it and add it here"
                ),
            }
        }
        if subcommand == "run" && !target_chosen {
            // `cargo run` in the workspace needs exactly one binary to choose.
            let binaries: Vec<&String> = packages.iter().flat_map(|package| &package.binaries).collect();
            assert_eq!(binaries.len(), 1, "README: `{line}`: `cargo run` has to choose among {binaries:?}");
        }
        if subcommand == "run" && program_args.first() == Some(&"check") {
            let mut args = program_args[1..].iter();
            while let Some(&arg) = args.next() {
                match arg {
                    "--fix" | "--dry-run" => {}
                    "--format" => {
                        let format = args.next().copied().unwrap_or_default();
                        assert!(["text", "json"].contains(&format), "README: `{line}`: no format {format}");
                    }
                    _ if arg.starts_with('-') => panic!("README: `{line}`: `check` has no option {arg}"),
                    path => assert!(root.join(path).exists(), "README: `{line}`: {path} does not exist"),
                }
            }
        }
    }
    for expected in ["install", "run", "test"] {
        assert!(
            subcommands.contains(expected),
            "README: no `cargo {expected}` line in a ```sh block was found"
        );
    }
}

#[test]
fn relative_links_lead_to_files_that_exist() {
    let root = Path::new(REPO_ROOT);
    let mut files: Vec<PathBuf> = markdown_in(root);
    markdown_under(&root.join("docs"), &mut files);
    assert!(files.iter().any(|file| file.ends_with("README.md")), "README.md is among the files checked");
    assert!(files.iter().any(|file| file.ends_with("docs/user/diagnostics.md")), "docs/ is walked");
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in &files {
        let text = read(file);
        let shown = file.strip_prefix(root).unwrap_or(file).display().to_string();
        for target in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let linked =
                if path.is_empty() { file.clone() } else { file.parent().expect("a folder").join(path) };
            if !linked.exists() {
                broken.push(format!("{shown}: ({target}): no such file"));
                continue;
            }
            if let Some(anchor) = anchor
                && linked.extension().is_some_and(|extension| extension == "md")
                && !heading_anchors(&read(&linked)).contains(anchor)
            {
                broken.push(format!("{shown}: ({target}): no such heading"));
            }
        }
    }
    assert!(checked > 0, "no relative link found");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_code_map_names_every_crate_and_module_and_no_other() {
    let root = Path::new(REPO_ROOT);
    let map = read(&root.join("ARCHITECTURE.md"));
    let named: BTreeSet<&str> = map.split('`').skip(1).step_by(2).collect();
    let crates = root.join("crates");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&crates).expect("crates/") {
        let name = entry.expect("an entry").file_name().to_string_lossy().into_owned();
        if !map.contains(&format!("### `crates/{name}`")) {
            missing.push(format!("crates/{name}"));
        }
    }
    // The product's modules: each crate's top level, and the server's.
    let folders = ["core/src", "workspace/src", "server/src", "server/src/server"];
    let mut files = BTreeSet::new();
    for folder in folders {
        for entry in std::fs::read_dir(crates.join(folder)).expect("a source folder") {
            let path = entry.expect("an entry").path();
            let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
            if matches!(
                name.as_str(),
                "lib.rs" | "main.rs" | "mod.rs" | "test_support.rs" | "tests.rs" | "tests"
            ) {
                continue;
            }
            let shown = if path.is_dir() { format!("{name}/") } else { name.clone() };
            // A folder beside its module's file (`state.rs`, `state/`) is
            // that module's; the server's is named by its path.
            let also = [format!("{name}.rs"), format!("src/{name}/")];
            let folder_named = path.is_dir() && also.iter().any(|a| named.contains(a.as_str()));
            if !named.contains(shown.as_str()) && !folder_named {
                missing.push(format!("{folder}/{shown}"));
            }
        }
    }
    for crate_dir in std::fs::read_dir(&crates).expect("crates/") {
        rust_file_names(&crate_dir.expect("an entry").path(), &mut files);
    }
    let gone: Vec<&str> = named
        .iter()
        .filter(|name| name.ends_with(".rs") && !name.contains(' '))
        .filter(|name| !files.contains(name.rsplit('/').next().unwrap_or(name)))
        .copied()
        .collect();
    assert!(missing.is_empty(), "ARCHITECTURE.md's code map lacks: {missing:?}");
    assert!(gone.is_empty(), "ARCHITECTURE.md names files that do not exist: {gone:?}");
}

/// The names of every Rust file under `dir`.
fn rust_file_names(dir: &Path, names: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|name| name != "target") {
                rust_file_names(&path, names);
            }
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            names
                .insert(path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default());
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// A package of the workspace (a folder of `crates/`) and its binaries.
struct Package {
    name: String,
    dir: PathBuf,
    binaries: Vec<String>,
}

fn packages(root: &Path) -> Vec<Package> {
    let mut packages = Vec::new();
    for entry in std::fs::read_dir(root.join("crates")).expect("crates/ exists") {
        let dir = entry.expect("an entry").path();
        let Ok(manifest) = std::fs::read_to_string(dir.join("Cargo.toml")) else { continue };
        // The `name` of `[package]`, and of each `[[bin]]`.
        let (mut name, mut binaries, mut section) = (None, Vec::new(), "");
        for line in manifest.lines().map(str::trim) {
            if line.starts_with('[') {
                section = line;
                continue;
            }
            let Some(value) = line.strip_prefix("name").and_then(|rest| rest.trim_start().strip_prefix('='))
            else {
                continue;
            };
            let value = value.trim().trim_matches('"').to_owned();
            match section {
                "[package]" => name = Some(value),
                "[[bin]]" => binaries.push(value),
                _ => {}
            }
        }
        let name = name.unwrap_or_else(|| panic!("{}/Cargo.toml names no package", dir.display()));
        if binaries.is_empty() && dir.join("src/main.rs").is_file() {
            binaries.push(name.clone());
        }
        packages.push(Package { name, dir, binaries });
    }
    assert!(!packages.is_empty(), "no package under crates/");
    packages
}

/// The lines of the fenced code blocks in `language`.
fn fenced_lines<'a>(text: &'a str, language: &'a str) -> impl Iterator<Item = &'a str> {
    let mut inside = None;
    text.lines().filter(move |line| {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            inside = if inside.is_some() { None } else { Some(info.trim() == language) };
            return false;
        }
        inside == Some(true)
    })
}

/// The text outside fenced code blocks and inline code spans.
fn prose(text: &str) -> String {
    let mut kept = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    // Inline code spans may run over a line break.
    kept.split('`').step_by(2).collect::<Vec<_>>().join(" ")
}

/// The targets of the inline links (`[text](target)`, images too).
fn links(text: &str) -> Vec<String> {
    let prose = prose(text);
    let mut targets = Vec::new();
    let mut rest = prose.as_str();
    while let Some(at) = rest.find("](") {
        rest = &rest[at + 2..];
        if let Some(end) = rest.find(')') {
            targets.push(rest[..end].trim().to_owned());
            rest = &rest[end..];
        }
    }
    targets
}

/// The anchors GitHub gives the file's headings.
fn heading_anchors(text: &str) -> BTreeSet<String> {
    let mut anchors = BTreeSet::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        let Some(heading) = line.strip_prefix('#') else { continue };
        if fenced {
            continue;
        }
        let heading = heading.trim_start_matches('#').trim();
        let mut anchor = String::new();
        for c in heading.to_lowercase().chars() {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                anchor.push(c);
            } else if c == ' ' {
                anchor.push('-');
            }
        }
        let mut unique = anchor.clone();
        let mut n = 0;
        while anchors.contains(&unique) {
            n += 1;
            unique = format!("{anchor}-{n}");
        }
        anchors.insert(unique);
    }
    anchors
}

/// The Markdown files directly in `dir`.
fn markdown_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|extension| extension == "md"))
        .collect();
    files.sort();
    files
}

/// The Markdown files under `dir`, at any depth.
fn markdown_under(dir: &Path, files: &mut Vec<PathBuf>) {
    files.extend(markdown_in(dir));
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    for folder in folders {
        markdown_under(&folder, files);
    }
}
