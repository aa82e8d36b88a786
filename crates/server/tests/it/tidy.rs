//! The layers hold: each crate depends only on the crates below it, the
//! product never on a test-only crate, the core on nothing that speaks the
//! protocol, runs async or touches the disk; and no crate's modules import
//! each other in a cycle. The compiler refuses a wrong-way import between
//! crates; these keep the manifests, and the modules within a crate, honest.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use article_test_support::REPO_ROOT;

/// Each crate and the workspace crates it may depend on, innermost first.
const LAYERS: &[(&str, &[&str])] =
    &[("core", &[]), ("workspace", &["article-core"]), ("server", &["article-core", "article-workspace"])];

/// Crates that exist for tests, fuzzing or benchmarks only.
const TEST_ONLY: &[&str] = &[
    "article-test-support",
    "article-corpus",
    "article-bench",
    "arbitrary",
    "proptest",
    "expect-test",
    "divan",
    "ropey",
    "rand",
    "rand_chacha",
];

/// What the core must not depend on: the protocol, an async runtime, the
/// disk and the process (its callers own those).
const NOT_IN_CORE: &[&str] = &[
    "tokio",
    "tower",
    "tower-lsp-server",
    "notify",
    "ignore",
    "dirs",
    "tempfile",
    "libc",
    "clap",
    "serde_json",
];

fn manifest(krate: &str) -> toml::Table {
    let path = Path::new(REPO_ROOT).join("crates").join(krate).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    text.parse().unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The names of a manifest's normal dependencies, target-specific ones too.
fn normal_dependencies(manifest: &toml::Table) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut add = |table: Option<&toml::Value>| {
        if let Some(table) = table.and_then(toml::Value::as_table) {
            names.extend(table.keys().cloned());
        }
    };
    add(manifest.get("dependencies"));
    if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
        for target in targets.values() {
            add(target.get("dependencies"));
        }
    }
    names
}

#[test]
fn each_layer_depends_only_on_the_layers_below_it() {
    for (krate, allowed) in LAYERS {
        let dependencies = normal_dependencies(&manifest(krate));
        for dependency in dependencies.iter().filter(|name| name.starts_with("article-")) {
            assert!(allowed.contains(&dependency.as_str()), "crates/{krate} depends on {dependency}");
        }
        for dependency in &dependencies {
            assert!(
                !TEST_ONLY.contains(&dependency.as_str()),
                "crates/{krate} depends on test-only {dependency}"
            );
        }
    }
    let core = normal_dependencies(&manifest("core"));
    for forbidden in NOT_IN_CORE {
        assert!(!core.contains(*forbidden), "the core depends on {forbidden}");
    }
}

#[test]
fn no_crate_has_a_module_cycle() {
    let mut cycles = Vec::new();
    for krate in ["core", "workspace", "server", "test-support"] {
        let src = Path::new(REPO_ROOT).join("crates").join(krate).join("src");
        for (scope, graph) in module_graphs(&src) {
            for cycle in find_cycles(&graph) {
                cycles.push(format!("crates/{krate}/src {scope}: {}", cycle.join(", ")));
            }
        }
    }
    assert!(cycles.is_empty(), "module cycles:\n{}", cycles.join("\n"));
}

/// The node of a folder module's own file (`mod.rs`, `lib.rs`): it is in a
/// cycle when it uses a child that uses what it defines.
const OWN_FILE: &str = "(mod.rs)";

/// For the crate root and each folder module, the graph of its child
/// modules and its own file: which of them the non-test code of each names.
fn module_graphs(src: &Path) -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let mut graphs = BTreeMap::new();
    let mut folders = vec![(src.to_path_buf(), "crate".to_owned())];
    while let Some((folder, scope)) = folders.pop() {
        let children = child_modules(&folder);
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (child, files) in &children {
            let used = graph.entry(child.clone()).or_default();
            for file in files {
                // `super::` in the child's own file is this scope; deeper, it is not.
                let direct =
                    file.parent() == Some(folder.as_path()) || *file == folder.join(child).join("mod.rs");
                let code = non_test_code(file);
                for other in children.keys().filter(|other| *other != child) {
                    if names_module(&code, &scope, other, direct) {
                        used.insert(other.clone());
                    }
                }
                if direct && uses_own_items(&code, &scope, &children) {
                    used.insert(OWN_FILE.to_owned());
                }
            }
            let sub = folder.join(child);
            if sub.is_dir() {
                folders.push((sub, format!("{scope}::{child}")));
            }
        }
        let own = ["mod.rs", "lib.rs", "main.rs"].map(|name| folder.join(name));
        let own_uses = graph.entry(OWN_FILE.to_owned()).or_default();
        for file in own.iter().filter(|file| file.is_file()) {
            let code = non_test_code(file);
            for child in children.keys() {
                let path = format!("{child}::");
                let named = code.lines().filter(|line| !line.trim_start().starts_with("//")).any(|line| {
                    line.match_indices(&path).any(|(at, _)| {
                        let before = line[..at].chars().next_back();
                        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                            || line[..at].ends_with("self::")
                    })
                });
                if named {
                    own_uses.insert(child.clone());
                }
            }
        }
        graphs.insert(scope, graph);
    }
    graphs
}

/// Whether a child's `code` uses an item its parent's own file defines
/// (`super::Item`, `super::{Item, …}`), rather than a sibling module.
fn uses_own_items(code: &str, scope: &str, children: &BTreeMap<String, Vec<PathBuf>>) -> bool {
    // A child that adds methods to its parent's type (`impl ArticleIndex`
    // in `index/broken.rs`) is a part of that type split by topic, not a
    // module the parent depends on through it.
    let extended = |name: &str| code.contains(&format!("impl {name} {{"));
    let is_item = |name: &str| {
        let name = name.trim();
        let head = name.split("::").next().unwrap_or_default().trim();
        !head.is_empty() && head != "self" && !children.contains_key(head) && !extended(head)
    };
    let full = format!("{scope}::");
    let prefixes: Vec<&str> = if scope == "crate" { vec![] } else { vec!["super::", full.as_str()] };
    prefixes.iter().any(|prefix| {
        code.match_indices(prefix).any(|(at, _)| {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                return false;
            }
            let rest = &code[at + prefix.len()..];
            match rest.strip_prefix('{') {
                Some(list) => list[..list.find('}').unwrap_or(list.len())].split(',').any(is_item),
                None => is_item(
                    rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or_default(),
                ),
            }
        })
    })
}

/// The child modules of a folder, each with every file under it.
fn child_modules(folder: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let mut children = BTreeMap::new();
    for entry in std::fs::read_dir(folder).expect("a source folder") {
        let path = entry.expect("an entry").path();
        let name = path.file_stem().and_then(|stem| stem.to_str()).unwrap_or_default().to_owned();
        if matches!(name.as_str(), "lib" | "main" | "mod" | "tests") {
            continue;
        }
        if path.is_dir() {
            children.entry(name).or_insert_with(Vec::new).extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            children.entry(name).or_insert_with(Vec::new).push(path);
        }
    }
    children
}

fn rust_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).expect("a source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|name| name != "tests") {
                files.extend(rust_files(&path));
            }
        } else if path.extension().is_some_and(|ext| ext == "rs")
            && path.file_stem().is_some_and(|s| s != "tests")
        {
            files.push(path);
        }
    }
    files
}

/// A file's text up to its test module, which may name any module.
fn non_test_code(file: &Path) -> String {
    let text = std::fs::read_to_string(file).expect("a readable source file");
    let end = text.find("#[cfg(test)]\nmod ").unwrap_or(text.len());
    text[..end].to_owned()
}

/// Whether `code`, in a child of `scope`, names the sibling `module`: by its
/// full path, or (in the child's own file) as `super::module`.
fn names_module(code: &str, scope: &str, module: &str, direct: bool) -> bool {
    let full = format!("{scope}::{module}");
    let mentions = |path: &str| {
        code.match_indices(path).any(|(at, _)| {
            let before = code[..at].chars().next_back();
            let after = code[at + path.len()..].chars().next();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
                && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    };
    mentions(&full)
        || (direct && (mentions(&format!("super::{module}")) || names_in_super_braces(code, module)))
}

/// Whether a `use super::{…}` list names `module`.
fn names_in_super_braces(code: &str, module: &str) -> bool {
    code.match_indices("use super::{").any(|(at, found)| {
        let rest = &code[at + found.len()..];
        let list = &rest[..rest.find('}').unwrap_or(rest.len())];
        list.split(',').any(|item| item.trim() == module || item.trim().starts_with(&format!("{module}::")))
    })
}

/// The modules that reach each other, when any do: each group is a cycle.
fn find_cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut next: Vec<&str> = vec![from];
        while let Some(node) = next.pop() {
            for to in graph.get(node).into_iter().flatten() {
                if seen.insert(to.clone()) {
                    next.push(to);
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&str, BTreeSet<String>> =
        graph.keys().map(|node| (node.as_str(), reach(node))).collect();
    let mut groups: Vec<Vec<String>> = Vec::new();
    for (node, reaches) in &reached {
        if !reaches.contains(*node) || groups.iter().any(|group| group.iter().any(|member| member == node)) {
            continue;
        }
        let group = reaches.iter().filter(|other| reached[other.as_str()].contains(*node)).cloned().collect();
        groups.push(group);
    }
    groups
}
