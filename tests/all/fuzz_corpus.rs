//! The fuzzers' saved corpora (`fuzz/corpus/*`: inputs the coverage-guided
//! fuzzers kept because each reached new code, minimised), replayed on the
//! stable toolchain through the same checks the fuzz targets run
//! (`fuzz/checks.rs`): every one gives a result or a one-line error, never a
//! panic. A regression test for the hour of fuzzing recorded in the README.

#[path = "../../fuzz/checks.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let caught = std::panic::catch_unwind(|| check(&data));
        assert!(caught.is_ok(), "{} panicked", path.display());
        n += 1;
    }
    assert!(n >= 10, "{target}: only {n} inputs in {}", dir.display());
}

#[test]
fn scenario_corpus() {
    replay("scenario", checks::scenario);
}

#[test]
fn usage_log_corpus() {
    replay("usage_log", checks::usage_log);
}

#[test]
fn plan_file_corpus() {
    replay("plan_file", checks::plan_file);
}
