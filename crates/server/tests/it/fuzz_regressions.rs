//! Replays the fuzz targets' saved inputs on the stable toolchain, through
//! the same checks the targets run: every crash once found
//! (`fuzz/regressions/`) and the seed corpus (`fuzz/corpus/`).

use std::path::{Path, PathBuf};

use article_test_support::fuzzing::article::check_article;
use article_test_support::fuzzing::server::ServerFuzz;

fn inputs(folders: &[&str]) -> Vec<PathBuf> {
    let fuzz = Path::new(article_test_support::REPO_ROOT).join("fuzz");
    let mut files = Vec::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(fuzz.join(folder)) else { continue };
        files.extend(
            entries.map(|entry| entry.expect("a directory entry").path()).filter(|path| path.is_file()),
        );
    }
    files.sort();
    files
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[test]
fn article_inputs_pass_the_article_check() {
    let files = inputs(&["regressions/article", "corpus/article"]);
    assert!(!files.is_empty(), "the article corpus is missing");
    for file in files {
        eprintln!("{}", file.display());
        check_article(&read(&file));
    }
}

#[test]
fn server_inputs_pass_the_server_check() {
    let files = inputs(&["regressions/server", "corpus/server"]);
    assert!(!files.is_empty(), "the server corpus is missing");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("a runtime");
    let fuzz = ServerFuzz::new(runtime);
    for file in files {
        eprintln!("{}", file.display());
        fuzz.check(&read(&file));
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, ..Default::default() })]

    /// Incremental equals fresh, over the server's loop: random scripts of
    /// opens, edits, closes, disk rewrites and requests (decoded as the
    /// server fuzz target decodes its input) settle to the diagnostics a
    /// fresh index of the final texts gives, which the check compares.
    #[test]
    fn random_scripts_settle_to_what_a_fresh_index_says(
        script in proptest::collection::vec(proptest::prelude::any::<u8>(), 16..3000)
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .expect("a runtime");
        ServerFuzz::new(runtime).check(&script);
    }
}
