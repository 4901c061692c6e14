#![no_main]
//! The whole pipeline: `run_report` on an `input.csv`, writing HTML, JSON and actions CSV into
//! the scratch dir (progress off, not strict, fixed "generated" time as in tests/common).
//! Errors are fine; a panic is a bug.

use entra_mfa_report::{progress, run_report, ReportOptions};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let input = common::write_input("input.csv", data);
    let dir = common::dir();
    let opts = ReportOptions {
        inputs: vec![input],
        html: Some(dir.join("report.html")),
        json: Some(dir.join("summary.json")),
        actions: Some(dir.join("actions.csv")),
        users: None,
        xlsx: Some(dir.join("report.xlsx")),
        as_of: None,
        deadline: None,
        title: "Fuzz report".into(),
        generated_at: chrono::DateTime::from_timestamp(1_800_000_000, 0),
        progress: progress::Mode::Off,
        strict: false,
        // No pseudonyms: the fuzzer looks for panics, not for redaction.
        redact: None,
        ..Default::default()
    };
    let _ = run_report(&opts);
});
