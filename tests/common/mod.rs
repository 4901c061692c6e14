//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use entra_mfa_report::{run_report, ReportOptions};
use serde_json::Value;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn fixed_time() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

/// Every output of one run, read back.
pub struct Outputs {
    pub json: Value,
    pub html: String,
    pub csv: String,
    pub users: String,
    pub dir: tempfile::TempDir,
}

pub fn run(inputs: &[PathBuf], as_of: Option<NaiveDate>) -> Outputs {
    run_with_deadline(inputs, as_of, None)
}

pub fn run_with_deadline(
    inputs: &[PathBuf],
    as_of: Option<NaiveDate>,
    deadline: Option<NaiveDate>,
) -> Outputs {
    run_full(inputs, as_of, deadline, true)
}

/// A run that leaves out files it cannot read (no `--strict`).
pub fn run_lenient(inputs: &[PathBuf]) -> Outputs {
    run_full(inputs, None, None, false)
}

fn run_full(
    inputs: &[PathBuf],
    as_of: Option<NaiveDate>,
    deadline: Option<NaiveDate>,
    strict: bool,
) -> Outputs {
    try_run_full(inputs, as_of, deadline, strict).unwrap_or_else(|e| panic!("report failed: {e}"))
}

/// A run that may fail: the error's message on failure.
pub fn try_run(inputs: &[PathBuf], strict: bool) -> Result<Outputs, String> {
    try_run_full(inputs, None, None, strict)
}

/// A `--redact` run, keyed by `passphrase` when given.
pub fn run_redacted(inputs: &[PathBuf], passphrase: Option<&str>) -> Outputs {
    let redaction = entra_mfa_report::Redaction {
        passphrase: passphrase.map(str::to_string),
    };
    run_options(inputs, None, None, true, Some(redaction))
        .unwrap_or_else(|e| panic!("report failed: {e}"))
}

fn try_run_full(
    inputs: &[PathBuf],
    as_of: Option<NaiveDate>,
    deadline: Option<NaiveDate>,
    strict: bool,
) -> Result<Outputs, String> {
    run_options(inputs, as_of, deadline, strict, None)
}

fn run_options(
    inputs: &[PathBuf],
    as_of: Option<NaiveDate>,
    deadline: Option<NaiveDate>,
    strict: bool,
    redact: Option<entra_mfa_report::Redaction>,
) -> Result<Outputs, String> {
    let dir = tempfile::tempdir().unwrap();
    let opts = ReportOptions {
        inputs: inputs.to_vec(),
        html: Some(dir.path().join("report.html")),
        json: Some(dir.path().join("summary.json")),
        actions: Some(dir.path().join("actions.csv")),
        users: Some(dir.path().join("users.csv")),
        as_of,
        deadline,
        title: "Test report".into(),
        generated_at: Some(fixed_time()),
        progress: Default::default(),
        strict,
        redact,
        ..Default::default()
    };
    run_report(&opts).map_err(|e| e.to_string())?;
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    Ok(Outputs {
        json: serde_json::from_str(&read("summary.json")).unwrap(),
        html: read("report.html"),
        csv: read("actions.csv"),
        users: read("users.csv"),
        dir,
    })
}

pub fn run_fixture(name: &str) -> Outputs {
    run(&[fixture(name)], None)
}

/// The path of the built command-line binary.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_entra-mfa-report")
}

/// Find a finding or recommendation by id.
pub fn finding<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .chain(json["findings"].as_array().unwrap())
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id}"))
}

/// The entry of the inputs list whose path ends with `file`.
pub fn input<'a>(json: &'a Value, file: &str) -> &'a Value {
    json["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with(file))
        .unwrap_or_else(|| panic!("{file} is not among the inputs"))
}
