#![no_main]

use std::sync::LazyLock;

use article_test_support::fuzzing::server::ServerFuzz;
use libfuzzer_sys::fuzz_target;

/// One workspace folder and one runtime for the whole process: each run
/// starts a fresh server on them.
static FUZZ: LazyLock<ServerFuzz> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("a runtime");
    ServerFuzz::new(runtime)
});

fuzz_target!(|data: &[u8]| FUZZ.check(data));
