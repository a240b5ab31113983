//! Without the ONNX Runtime library, loading a judge is an error that says how to get one,
//! never a panic. (Its own test binary: a process that has loaded the library keeps it.)

#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use probe_judge::{Judge, JudgeError, JudgeSpec};

#[test]
fn a_missing_or_unloadable_library_is_a_clear_error() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let spec = JudgeSpec::from_json(&std::fs::read(fixtures.join("judge.json")).unwrap()).unwrap();
    let model = std::fs::read(fixtures.join("tiny.onnx")).unwrap();

    let not_there = fixtures.join("no-such-dir/libonnxruntime.so");
    let not_a_library = fixtures.join("judge.json");
    for (path, detail) in [(&not_there, "no such file"), (&not_a_library, "failed to load")] {
        // The only test in this binary, so nothing else reads the variable meanwhile.
        std::env::set_var(probe_judge::native::LIBRARY_PATH_VAR, path);
        let error = Judge::load(&model, spec.clone()).unwrap_err();
        assert!(matches!(error, JudgeError::LibraryMissing { .. }), "{error:?}");
        let message = error.to_string();
        for expected in [path.to_str().unwrap(), detail, "scripts/fetch-onnxruntime.sh", "ORT_DYLIB_PATH"] {
            assert!(message.contains(expected), "{message:?} does not mention {expected:?}");
        }
    }
}
