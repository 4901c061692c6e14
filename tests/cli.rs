//! The command line: bad input gives one clear line naming the file (and line and column where
//! it helps), exit code 2, and no output files.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{bin, fixture};

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Run `report` on `input` expecting a bad-input failure; returns the error line.
fn expect_bad_input(dir: &Path, input: &str) -> String {
    let o = run_in(
        dir,
        &[
            "report",
            input,
            "-o",
            "out.html",
            "--json",
            "out.json",
            "--actions",
            "out.csv",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "exit code; stderr: {}",
        stderr(&o)
    );
    for name in ["out.html", "out.json", "out.csv"] {
        assert!(!dir.join(name).exists(), "{name} must not be written");
    }
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    lines[0].to_string()
}

fn write(dir: &Path, name: &str, content: &[u8]) {
    std::fs::write(dir.join(name), content).unwrap();
}

const HEADER: &str = "userPrincipalName,userDisplayName,isMfaCapable,isPasswordlessCapable,isSsprCapable,defaultMfaMethod,methodsRegistered,lastUpdatedDateTime\n";

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = expect_bad_input(dir.path(), "nope.csv");
    assert!(err.contains("nope.csv: no such file or folder"), "{err}");
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "empty.csv", b"");
    let err = expect_bad_input(dir.path(), "empty.csv");
    assert!(err.contains("empty.csv: file is empty"), "{err}");
    assert!(err.contains("download the export again"), "{err}");
}

#[test]
fn header_only_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "header.csv", HEADER.as_bytes());
    let err = expect_bad_input(dir.path(), "header.csv");
    assert!(
        err.contains("header.csv: registration export has a header but no user rows"),
        "{err}"
    );
}

#[test]
fn wrong_kind_of_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "notes.csv",
        b"Date,Customer,Amount\n2026-01-01,Contoso,12\n",
    );
    let err = expect_bad_input(dir.path(), "notes.csv");
    assert!(
        err.contains("no user registration details export among the inputs"),
        "{err}"
    );
    assert!(err.contains("notes.csv (not a known export"), "{err}");
    assert!(
        err.contains("User registration details > Download"),
        "{err}"
    );
}

#[test]
fn binary_file_is_skipped_with_reason() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "picture.csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    );
    let err = expect_bad_input(dir.path(), "picture.csv");
    assert!(
        err.contains("picture.csv (not a text export: contains a NUL byte"),
        "{err}"
    );
}

#[test]
fn broken_zip_archive_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "exports.csv", b"PK\x03\x04\x00\x00truncated");
    let err = expect_bad_input(dir.path(), "exports.csv");
    assert!(
        err.contains("exports.csv: is not a readable .zip archive"),
        "{err}"
    );
}

#[test]
fn registration_file_without_upn() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "noupn.csv",
        b"userDisplayName,isMfaCapable,methodsRegistered\nAlice,True,[]\n",
    );
    let err = expect_bad_input(dir.path(), "noupn.csv");
    assert!(
        err.contains("noupn.csv: registration export without a userPrincipalName column"),
        "{err}"
    );
}

#[test]
fn unparseable_date_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let content = format!(
        "{HEADER}a@contoso.example,A,True,False,True,none,[],2026-09-22T18:49:13Z\r\nb@contoso.example,B,True,False,True,none,[],31/31/2026 25:00\r\n"
    );
    write(dir.path(), "dates.csv", content.as_bytes());
    let err = expect_bad_input(dir.path(), "dates.csv");
    assert!(
        err.contains("dates.csv:3: column 'lastUpdatedDateTime': '31/31/2026 25:00' is not a date"),
        "{err}"
    );
}

#[test]
fn bad_boolean_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let content =
        format!("{HEADER}a@contoso.example,A,Maybe,False,True,none,[],2026-09-22T18:49:13Z\n");
    write(dir.path(), "bools.csv", content.as_bytes());
    let err = expect_bad_input(dir.path(), "bools.csv");
    assert!(
        err.contains("bools.csv:2: column 'isMfaCapable': 'Maybe' is not a boolean"),
        "{err}"
    );
}

#[test]
fn short_row_names_line() {
    let dir = tempfile::tempdir().unwrap();
    let content = format!("{HEADER}a@contoso.example,A,True,False,True,none,[],2026-09-22T18:49:13Z\nb@contoso.example,B,True\n");
    write(dir.path(), "short.csv", content.as_bytes());
    let err = expect_bad_input(dir.path(), "short.csv");
    assert!(
        err.contains("short.csv:3: row has 3 fields but the header has 8"),
        "{err}"
    );
}

#[test]
fn output_over_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read(fixture("registration/a-portal.csv")).unwrap();
    write(dir.path(), "in.csv", &src);
    let o = run_in(dir.path(), &["report", "in.csv", "--json", "in.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("in.csv: output would overwrite an input file"));
    assert_eq!(std::fs::read(dir.path().join("in.csv")).unwrap(), src);
}

#[test]
fn bad_as_of_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_in(dir.path(), &["report", "x.csv", "--as-of", "22.09.2026"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("'22.09.2026' is not a date in the form YYYY-MM-DD"));
}

#[test]
fn unknown_files_in_a_folder_are_listed_as_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("exports");
    std::fs::create_dir(&inputs).unwrap();
    std::fs::copy(
        fixture("registration/a-portal.csv"),
        inputs.join("export.csv"),
    )
    .unwrap();
    write(&inputs, "readme.txt", b"Exports downloaded on Monday\n");
    let o = run_in(
        dir.path(),
        &["report", "exports", "-o", "r.html", "--json", "s.json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("skipped exports/readme.txt: not a known export"),
        "{err}"
    );
    assert!(
        err.contains("read 12 registration rows from 1 file (11 users"),
        "{err}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("s.json")).unwrap()).unwrap();
    assert_eq!(json["skipped_files"][0]["path"], "exports/readme.txt");
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    // The engine escapes "/" too, so look for the file name.
    assert!(html.contains("readme.txt") && html.contains("not a known export"));
}

#[test]
fn help_lists_commands_examples_and_exit_codes() {
    let o = run_in(Path::new("."), &["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    for needle in [
        "report",
        "inspect",
        "Examples:",
        "Exit codes:",
        "2  bad input",
    ] {
        assert!(out.contains(needle), "--help lacks {needle:?}:\n{out}");
    }
    let o = run_in(Path::new("."), &["report", "--help"]);
    let out = String::from_utf8_lossy(&o.stdout);
    for needle in [
        "--output",
        "--json",
        "--actions",
        "--as-of",
        "--title",
        "newest timestamp",
    ] {
        assert!(out.contains(needle), "report --help lacks {needle:?}");
    }
}

#[test]
fn inspect_describes_each_file() {
    let o = run_in(
        Path::new("."),
        &[
            "inspect",
            fixture("registration/c-powershell-lost-lists.csv")
                .to_str()
                .unwrap(),
            fixture("registration/a-portal.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("kind:     user registration details (powershell-export-csv)"),
        "{out}"
    );
    assert!(
        out.contains("kind:     user registration details (portal-download)"),
        "{out}"
    );
    assert!(out.contains("rows:     12 read, 0 skipped"), "{out}");
    assert!(out.contains("IsMfaCapable -> isMfaCapable"), "{out}");
    assert!(
        out.contains("isAdmin (admin figures are not available)"),
        "{out}"
    );
    assert!(
        out.contains("columns ignored: AdditionalProperties"),
        "{out}"
    );
    assert!(out.contains("System.String[]"), "{out}");
}

#[test]
fn inspect_reports_a_broken_file_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "empty.csv", b"");
    let o = run_in(dir.path(), &["inspect", "empty.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stdout).contains("problem: empty.csv: file is empty"));
}

#[test]
fn bad_value_in_json_names_the_item() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "graph.json",
        br#"{"value":[{"userPrincipalName":"a@x","isMfaCapable":true,"methodsRegistered":[],"lastUpdatedDateTime":"2026-09-22T18:49:13Z"},
                      {"userPrincipalName":"b@x","isMfaCapable":"sometimes","methodsRegistered":[],"lastUpdatedDateTime":"2026-09-22T18:49:13Z"}]}"#,
    );
    let err = expect_bad_input(dir.path(), "graph.json");
    assert!(
        err.contains("graph.json: item 2: column 'isMfaCapable': 'sometimes' is not a boolean"),
        "{err}"
    );
}

#[test]
fn malformed_json_is_skipped_with_the_position() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "broken.json", b"[{\"userPrincipalName\": ");
    let err = expect_bad_input(dir.path(), "broken.json");
    assert!(
        err.contains("broken.json (not a known export: is not valid JSON (line 1"),
        "{err}"
    );
}

/// A bad file among good ones is left out and named (with its line) unless `--strict`; the
/// figures are those of the good files alone, never a half-read file.
#[test]
fn bad_file_among_good_ones_is_skipped_unless_strict() {
    let dir = tempfile::tempdir().unwrap();
    let good = format!(
        "{HEADER}a@contoso.example,A,True,False,True,none,[\"mobilePhone\"],2026-09-22T18:49:13Z\nb@contoso.example,B,False,False,False,none,[],2026-09-22T18:49:13Z\n"
    );
    // Two readable rows, then a bad value: none of its rows may count.
    let bad = format!(
        "{HEADER}c@contoso.example,C,True,False,True,none,[],2026-09-22T18:49:13Z\nd@contoso.example,D,True,False,True,none,[],2026-09-22T18:49:13Z\ne@contoso.example,E,Maybe,False,True,none,[],2026-09-22T18:49:13Z\n"
    );
    std::fs::create_dir(dir.path().join("in")).unwrap();
    write(dir.path(), "in/a-good.csv", good.as_bytes());
    write(dir.path(), "in/b-bad.csv", bad.as_bytes());

    let o = run_in(
        dir.path(),
        &["report", "in", "-o", "out.html", "--json", "out.json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.json")).unwrap())
            .unwrap();
    assert_eq!(
        json["registration"]["users"], 2,
        "only the good file counts"
    );
    let skipped = json["skipped_files"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0]["path"], "in/b-bad.csv");
    let reason = skipped[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("line 4: column 'isMfaCapable': 'Maybe' is not a boolean"),
        "{reason}"
    );
    assert!(
        stderr(&o).contains("skipped in/b-bad.csv: not read: line 4"),
        "{}",
        stderr(&o)
    );

    std::fs::remove_file(dir.path().join("out.html")).unwrap();
    std::fs::remove_file(dir.path().join("out.json")).unwrap();
    let o = run_in(dir.path(), &["report", "in", "--strict", "-o", "out.html"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("in/b-bad.csv:4: column 'isMfaCapable': 'Maybe' is not a boolean"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("out.html").exists());
}

/// Hidden files in a folder (`.DS_Store`, editor backups) are not inputs.
#[test]
fn hidden_files_in_folders_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("in")).unwrap();
    let good =
        format!("{HEADER}a@contoso.example,A,True,False,True,none,[],2026-09-22T18:49:13Z\n");
    write(dir.path(), "in/users.csv", good.as_bytes());
    write(dir.path(), "in/.DS_Store", b"\x00\x00\x00\x01Bud1");
    let o = run_in(
        dir.path(),
        &["report", "in", "-o", "out.html", "--json", "out.json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.json")).unwrap())
            .unwrap();
    assert_eq!(json["skipped_files"], serde_json::json!([]));
    assert_eq!(json["inputs"].as_array().unwrap().len(), 1);
}

/// `--verbose` lists each step with its time and peak memory; without it, and without a
/// terminal, only the one-line summary is printed; `--quiet` prints nothing.
#[test]
fn verbose_lists_steps_and_quiet_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good =
        format!("{HEADER}a@contoso.example,A,True,False,True,none,[],2026-09-22T18:49:13Z\n");
    write(dir.path(), "users.csv", good.as_bytes());
    let o = run_in(dir.path(), &["report", "users.csv", "-o", "out.html", "-v"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    for step in [
        "reading users.csv",
        "building tables",
        "analyzing: actions",
        "writing HTML report out.html",
    ] {
        assert!(
            err.lines()
                .any(|l| l.starts_with('[') && l.contains(step) && l.contains(" s")),
            "{step}: {err}"
        );
    }
    assert!(err.contains("peak memory"), "{err}");
    assert!(
        err.lines()
            .last()
            .unwrap()
            .starts_with("read 1 registration rows"),
        "{err}"
    );

    let o = run_in(dir.path(), &["report", "users.csv", "-o", "out2.html"]);
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("wrote HTML report out2.html"), "{err}");

    let o = run_in(
        dir.path(),
        &["report", "users.csv", "-o", "out3.html", "-q"],
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn a_failed_write_names_the_path_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read(fixture("registration/a-portal.csv")).unwrap();
    write(dir.path(), "in.csv", &src);
    write(dir.path(), "blocker", b"a file, not a folder");
    // The HTML report goes where it can be written; the JSON into a "folder" that is a file.
    let o = run_in(
        dir.path(),
        &[
            "report",
            "in.csv",
            "-o",
            "r.html",
            "--json",
            "blocker/s.json",
        ],
    );
    assert_ne!(o.status.code(), Some(0));
    let err = stderr(&o);
    assert!(err.contains("blocker/s.json"), "{err}");
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // Outputs take their names only once all are written: none is there, and no temporary
    // file is left.
    assert_eq!(names, ["blocker", "in.csv"]);
}
