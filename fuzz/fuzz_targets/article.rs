#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| article_test_support::fuzzing::article::check_article(data));
