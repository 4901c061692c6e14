//! The Excel workbook (`--xlsx`), read back with calamine: its sheets, the Actions sheet against
//! the actions CSV, the summary against a recount of the sample export, the breakdowns against
//! the JSON summary, hostile text, the split at a forced row limit and reproducible bytes.

mod common;

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use calamine::{Data, Range, Reader, Xlsx};
use chrono::DateTime;
use entra_mfa_report::{findings, report, run_report, ReportOptions};
use serde_json::Value;

use common::{fixed_time, fixture};

fn sample() -> PathBuf {
    fixture("../../sample-data")
}

/// One run's workbook, actions CSV and JSON summary.
struct Run {
    xlsx: Vec<u8>,
    csv: String,
    json: Value,
    _dir: tempfile::TempDir,
}

fn run(inputs: &[PathBuf], deadline: Option<&str>, redact: bool) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let opts = ReportOptions {
        inputs: inputs.to_vec(),
        json: Some(dir.path().join("summary.json")),
        actions: Some(dir.path().join("actions.csv")),
        xlsx: Some(dir.path().join("report.xlsx")),
        deadline: deadline.map(|d| d.parse().unwrap()),
        title: "Test report".into(),
        generated_at: Some(fixed_time()),
        strict: true,
        redact: redact.then(|| entra_mfa_report::Redaction {
            passphrase: Some("test key".into()),
        }),
        ..Default::default()
    };
    run_report(&opts).unwrap_or_else(|e| panic!("report failed: {e}"));
    Run {
        xlsx: std::fs::read(dir.path().join("report.xlsx")).unwrap(),
        csv: std::fs::read_to_string(dir.path().join("actions.csv")).unwrap(),
        json: serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("summary.json")).unwrap(),
        )
        .unwrap(),
        _dir: dir,
    }
}

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes.to_vec())).expect("the workbook opens")
}

fn sheet(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Range<Data> {
    book.worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"))
}

fn rows(range: &Range<Data>) -> Vec<Vec<Data>> {
    range.rows().map(|r| r.to_vec()).collect()
}

/// The cell as the actions CSV writes it: whole numbers without a fraction, date-times as
/// RFC 3339 in UTC.
fn as_csv_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => {
            assert_eq!(f.fract(), 0.0, "a whole number: {f}");
            format!("{}", *f as i64)
        }
        Data::Int(i) => i.to_string(),
        Data::DateTime(t) => {
            let secs = ((t.as_f64() - 25_569.0) * 86_400.0).round() as i64;
            DateTime::from_timestamp(secs, 0)
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        }
        other => panic!("unexpected cell {other:?}"),
    }
}

/// Undo the CSV formula guard: a leading apostrophe before `=`, `+`, `-`, `@`, tab or CR.
fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let records = reader
        .records()
        .map(|r| r.unwrap().iter().map(|c| unguard(c).to_string()).collect())
        .collect();
    (header, records)
}

fn string(d: &Data) -> &str {
    match d {
        Data::String(s) => s,
        other => panic!("expected text, got {other:?}"),
    }
}

fn float(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        other => panic!("expected a number, got {other:?}"),
    }
}

/// The row of a label/value table whose first cell is `label`.
fn row_of<'a>(rows: &'a [Vec<Data>], label: &str) -> &'a [Data] {
    rows.iter()
        .find(|r| matches!(r.first(), Some(Data::String(s)) if s == label))
        .unwrap_or_else(|| panic!("no row {label:?}"))
}

/// The hyperlink targets of every sheet, read from the package itself.
fn hyperlink_targets(bytes: &[u8]) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut targets = Vec::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        if !file.name().unwrap().starts_with("xl/worksheets/_rels/") {
            continue;
        }
        let mut xml = String::new();
        file.read_to_string(&mut xml).unwrap();
        for rel in xml.split("<Relationship ").skip(1) {
            if rel.contains("relationships/hyperlink") {
                let target = rel.split("Target=\"").nth(1).unwrap();
                targets.push(target[..target.find('"').unwrap()].to_string());
            }
        }
    }
    targets
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

const SIGNIN_SHEETS: [&str; 12] = [
    "Sign-ins",
    "Sign-ins per day",
    "Registered vs used",
    "Sign-in requirement",
    "MFA method families",
    "MFA methods used",
    "MFA prompts",
    "MFA steps",
    "Registration sign-ins",
    "Legacy protocols",
    "Error codes",
    "Sign-in users",
];

const AUDIT_SHEETS: [&str; 6] = [
    "Audit log",
    "Registration timeline",
    "Audit methods",
    "Audit activities",
    "Registration origin",
    "Audit users",
];

#[test]
fn sample_workbook_has_every_sheet_in_order() {
    let out = run(&[sample()], Some("2026-10-31"), false);
    let book = open(&out.xlsx);
    let mut expected = vec![
        "Summary",
        "Scorecard",
        "Actions",
        "Action rules",
        "Methods",
        "Default methods",
        "Tiers",
        "Device groups",
        // The sample has a users list and role assignments, and no exclusions.
        "Population",
        "Departments",
        "Countries",
        "Admin roles",
    ];
    expected.extend(SIGNIN_SHEETS);
    expected.extend(AUDIT_SHEETS);
    expected.push("Data quality");
    assert_eq!(book.sheet_names(), expected);
}

#[test]
fn actions_sheet_holds_exactly_the_actions_csv() {
    let out = run(&[sample()], Some("2026-10-31"), false);
    let (header, records) = parse_csv(&out.csv);
    assert!(
        records.len() > 300,
        "the sample has many users with actions"
    );
    let mut book = open(&out.xlsx);
    let actions = rows(&sheet(&mut book, "Actions"));

    let xlsx_header: Vec<&str> = actions[0].iter().map(string).collect();
    assert_eq!(xlsx_header, header);
    assert_eq!(actions.len() - 1, records.len(), "one row per CSV record");
    for (i, (cells, record)) in actions[1..].iter().zip(&records).enumerate() {
        let cells: Vec<String> = cells.iter().map(as_csv_text).collect();
        assert_eq!(&cells, record, "row {}", i + 1);
    }

    // Numbers are numbers and registration times are dates, not text.
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let first = &actions[1];
    assert_eq!(float(&first[col("priority")]), 1.0);
    assert!(matches!(first[col("signins")], Data::Float(_)));
    let dated = actions[1..]
        .iter()
        .find(|r| r[col("first_registration")] != Data::Empty)
        .expect("a user with a registration in the audit log");
    assert!(matches!(
        dated[col("first_registration")],
        Data::DateTime(_)
    ));
    // The sample's formula-like display names are stored as written, without the CSV guard.
    let names: Vec<&Data> = actions[1..]
        .iter()
        .map(|r| &r[col("display_name")])
        .collect();
    assert!(names
        .iter()
        .any(|d| matches!(d, Data::String(s) if s.starts_with(['=', '+', '-', '@']))));
    assert!(names
        .iter()
        .all(|d| !matches!(d, Data::String(s) if s.starts_with('\''))));
}

/// Distinct users of the sample export (newest row per lower-cased UPN, then per id) and how
/// many are MFA capable and members, counted with the csv crate alone.
fn recount() -> (u64, u64, u64) {
    let path = sample().join("exportUserRegistrationDetails_2026-11-20.csv");
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    let idx = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let mut rows: Vec<(i64, String, String, bool, bool)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                DateTime::parse_from_rfc3339(&r[idx("lastUpdatedDateTime")])
                    .unwrap()
                    .timestamp_micros(),
                r[idx("userPrincipalName")].to_lowercase(),
                r[idx("id")].to_string(),
                &r[idx("isMfaCapable")] == "True",
                &r[idx("userType")] == "member",
            )
        })
        .collect();
    rows.sort_by_key(|r| -r.0);
    let (mut upns, mut ids) = (HashSet::new(), HashSet::new());
    rows.retain(|r| upns.insert(r.1.clone()) && ids.insert(r.2.clone()));
    let users = rows.len() as u64;
    let capable = rows.iter().filter(|r| r.3).count() as u64;
    let members = rows.iter().filter(|r| r.4).count() as u64;
    (users, capable, members)
}

#[test]
fn summary_figures_match_a_recount_of_the_export() {
    let (users, capable, members) = recount();
    assert!(capable > 0 && capable < users);
    let out = run(&[sample()], None, false);
    let mut book = open(&out.xlsx);
    let summary = rows(&sheet(&mut book, "Summary"));
    assert_eq!(string(&summary[0][0]), "Test report");

    let header = row_of(&summary, "Figure");
    let labels: Vec<&str> = header.iter().take(9).map(string).collect();
    assert_eq!(
        labels,
        [
            "Figure",
            "All users",
            "All users %",
            "Members",
            "Members %",
            "Guests",
            "Guests %",
            "Admins",
            "Admins %"
        ]
    );
    let users_row = row_of(&summary, "Users");
    assert_eq!(float(&users_row[1]), users as f64);
    assert_eq!(float(&users_row[3]), members as f64);
    let capable_row = row_of(&summary, "MFA capable");
    assert_eq!(float(&capable_row[1]), capable as f64);
    // The percentage is a number (a fraction shown as a percentage), not text.
    let share = float(&capable_row[2]);
    assert!(
        (share - capable as f64 / users as f64).abs() < 1e-12,
        "{share}"
    );
    assert!(zip_entry(&out.xlsx, "xl/styles.xml").contains("formatCode=\"0.0%\""));

    // The same figures as the JSON summary for every population.
    let reg = &out.json["registration"];
    for (col, pop) in [(3, "members"), (5, "guests"), (7, "admins")] {
        let p = &reg["by_population"][pop];
        assert_eq!(
            float(&row_of(&summary, "Users")[col]),
            p["users"].as_f64().unwrap()
        );
        assert_eq!(
            float(&row_of(&summary, "No MFA method")[col]),
            p["no_mfa_method"].as_f64().unwrap(),
            "{pop}"
        );
    }

    assert_eq!(string(&row_of(&summary, "As of")[0]), "As of");
    assert!(matches!(row_of(&summary, "As of")[1], Data::DateTime(_)));
    assert_eq!(
        string(&row_of(&summary, "Tool")[1]),
        format!("entra-mfa-report {}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(
        string(&row_of(&summary, "Users named by pseudonyms (--redact)")[1]),
        "no"
    );
    assert_eq!(
        float(&row_of(&summary, "Users with actions")[1]),
        out.json["actions"]["users_with_actions"].as_f64().unwrap()
    );
    assert_eq!(
        float(&row_of(&summary, "Texts clipped to fit a cell")[1]),
        0.0
    );

    // Every input with its rows and SHA-256.
    let inputs = out.json["inputs"].as_array().unwrap();
    for input in inputs {
        let row = row_of(&summary, input["path"].as_str().unwrap());
        assert_eq!(float(&row[3]), input["rows"].as_f64().unwrap());
        assert_eq!(string(&row[7]), input["sha256"].as_str().unwrap());
    }
}

#[test]
fn scorecard_lists_every_check_with_its_learn_link() {
    let out = run(&[sample()], None, false);
    let mut book = open(&out.xlsx);
    let card = rows(&sheet(&mut book, "Scorecard"));
    let header: Vec<&str> = card[0].iter().map(string).collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let checks: Vec<&Value> = out.json["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .chain(out.json["findings"].as_array().unwrap())
        .collect();
    assert_eq!(card.len() - 1, checks.len());
    let status_label = |key: &str| match key {
        "met" => "Met",
        "partly_met" => "Partly met",
        "not_met" => "Not met",
        "needs_data" => "Needs data",
        other => panic!("{other}"),
    };
    for (row, check) in card[1..].iter().zip(&checks) {
        assert_eq!(string(&row[col("ID")]), check["id"].as_str().unwrap());
        assert_eq!(
            string(&row[col("Status")]),
            status_label(check["status"].as_str().unwrap())
        );
        assert_eq!(
            string(&row[col("What the data shows")]),
            check["summary"].as_str().unwrap()
        );
        assert_eq!(
            string(&row[col("What to do")]),
            check["fix"].as_str().unwrap()
        );
        assert_eq!(
            string(&row[col("Microsoft Learn")]),
            check["learn_url"].as_str().unwrap()
        );
        match check["affected"].as_f64() {
            Some(n) => assert_eq!(float(&row[col("Affected users")]), n),
            None => assert_eq!(string(&row[col("Affected users")]), "–"),
        }
        for metric in check["metrics"].as_array().unwrap() {
            let label = metric["label"].as_str().unwrap();
            assert!(
                string(&row[col("Figures")]).contains(label),
                "{label} in {}",
                check["id"]
            );
        }
    }
    assert_eq!(string(&card[1][col("Group")]), "Recommendation");
    assert_eq!(
        string(&card[card.len() - 1][col("Group")]),
        "Further finding"
    );

    // Each Learn link is a hyperlink, and they are the only hyperlinks in the workbook.
    let mut targets = hyperlink_targets(&out.xlsx);
    targets.sort();
    targets.dedup();
    let mut urls: Vec<String> = checks
        .iter()
        .map(|c| c["learn_url"].as_str().unwrap().to_string())
        .collect();
    urls.sort();
    urls.dedup();
    assert_eq!(targets, urls);
}

/// `(name, users)` pairs of a JSON object.
fn counts(v: &Value) -> HashMap<String, f64> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, n)| (k.clone(), n.as_f64().unwrap()))
        .collect()
}

#[test]
fn breakdown_sheets_hold_the_figures_of_the_json_summary() {
    let out = run(&[sample()], Some("2026-10-31"), false);
    let mut book = open(&out.xlsx);
    let reg = &out.json["registration"];

    // Methods: every name once, per population, with the share of the population.
    let methods = rows(&sheet(&mut book, "Methods"));
    let header: Vec<&str> = methods[0].iter().map(string).collect();
    assert_eq!(
        &header[..6],
        [
            "Method (API name)",
            "Method",
            "Tier",
            "Device group",
            "MFA method",
            "All users"
        ]
    );
    let all = counts(&reg["methods"]);
    let members = counts(&reg["by_population"]["members"]["methods"]);
    let guests = counts(&reg["by_population"]["guests"]["methods"]);
    assert_eq!(methods.len() - 1, all.len());
    for row in &methods[1..] {
        let name = string(&row[0]);
        assert_eq!(float(&row[5]), all[name], "{name}");
        let share = float(&row[6]);
        assert!((share - all[name] / reg["users"].as_f64().unwrap()).abs() < 1e-12);
        assert_eq!(
            float(&row[7]),
            members.get(name).copied().unwrap_or(0.0),
            "{name}"
        );
        assert_eq!(
            float(&row[9]),
            guests.get(name).copied().unwrap_or(0.0),
            "{name}"
        );
    }

    let defaults = rows(&sheet(&mut book, "Default methods"));
    let expected = counts(&reg["default_methods"]);
    assert_eq!(defaults.len() - 1, expected.len());
    for row in &defaults[1..] {
        assert_eq!(float(&row[2]), expected[string(&row[0])]);
    }

    let tiers = rows(&sheet(&mut book, "Tiers"));
    let expected = counts(&reg["tiers"]);
    assert_eq!(tiers.len() - 1, expected.len());
    for row in &tiers[1..] {
        assert_eq!(float(&row[3]), expected[string(&row[0])], "{:?}", row[0]);
    }

    let groups = rows(&sheet(&mut book, "Device groups"));
    let expected = counts(&reg["device_groups"]);
    for row in &groups[1..] {
        assert_eq!(float(&row[3]), expected[string(&row[0])], "{:?}", row[0]);
    }

    let rules = rows(&sheet(&mut book, "Action rules"));
    let expected = counts(&out.json["actions"]["by_code"]);
    assert_eq!(rules.len() - 1, expected.len());
    for row in &rules[1..] {
        assert_eq!(float(&row[2]), expected[string(&row[0])]);
    }

    let s = &out.json["signins"];
    let used = rows(&sheet(&mut book, "Registered vs used"));
    let expected = counts(&s["registered_vs_used"]);
    assert_eq!(used.len() - 1, expected.len());
    for row in &used[1..] {
        assert_eq!(float(&row[2]), expected[string(&row[0])]);
    }
    let errors = rows(&sheet(&mut book, "Error codes"));
    let expected = counts(&s["error_codes"]);
    for row in &errors[1..] {
        let code = (float(&row[0]) as i64).to_string();
        assert_eq!(float(&row[2]), expected[&code], "{code}");
    }
    let legacy = rows(&sheet(&mut book, "Legacy protocols"));
    let expected = counts(&s["legacy_protocols"]);
    assert!(!expected.is_empty(), "the sample has legacy sign-ins");
    assert_eq!(legacy.len() - 1, expected.len());
    for row in &legacy[1..] {
        assert_eq!(float(&row[1]), expected[string(&row[0])]);
    }
    let daily = rows(&sheet(&mut book, "Sign-ins per day"));
    let days = s["daily"].as_array().unwrap();
    assert_eq!(daily.len() - 1, days.len());
    let total: f64 = daily[1..].iter().map(|r| float(&r[4])).sum();
    let with_time = s["rows"].as_f64().unwrap() - s["rows_without_time"].as_f64().unwrap();
    assert_eq!(total, with_time);
    assert!(matches!(daily[1][0], Data::DateTime(_)));
    let facts = rows(&sheet(&mut book, "Sign-ins"));
    assert_eq!(
        float(&row_of(&facts, "Sign-ins (each once)")[1]),
        s["rows"].as_f64().unwrap()
    );
    assert_eq!(
        float(&row_of(&facts, "Successful")[1]),
        s["success"].as_f64().unwrap()
    );

    let a = &out.json["audit"];
    let timeline = rows(&sheet(&mut book, "Registration timeline"));
    let days = a["timeline"].as_array().unwrap();
    assert_eq!(timeline.len() - 1, days.len());
    assert_eq!(
        float(&timeline[timeline.len() - 1][2]),
        days.last().unwrap()["cumulative"].as_f64().unwrap()
    );
    let audit = rows(&sheet(&mut book, "Audit log"));
    assert_eq!(
        float(&row_of(&audit, "Audit events")[1]),
        a["rows"].as_f64().unwrap()
    );
    assert_eq!(
        float(&row_of(&audit, "Users first registered after the deadline")[1]),
        a["registered_after_deadline"].as_f64().unwrap()
    );

    let notes = rows(&sheet(&mut book, "Data quality"));
    let expected: Vec<&str> = out.json["data_quality"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    let ids: Vec<&str> = notes[1..].iter().map(|r| string(&r[0])).collect();
    assert_eq!(ids, expected);
}

#[test]
fn registration_only_leaves_out_the_log_sheets_and_says_so() {
    let out = run(&[fixture("registration/a-portal.csv")], None, false);
    let mut book = open(&out.xlsx);
    let names = book.sheet_names();
    for absent in SIGNIN_SHEETS.iter().chain(&AUDIT_SHEETS) {
        assert!(!names.iter().any(|n| n == absent), "{absent} in {names:?}");
    }
    assert!(names.iter().any(|n| n == "Methods"));
    let summary = rows(&sheet(&mut book, "Summary"));
    assert!(string(&row_of(&summary, "Sign-in logs")[1]).starts_with("not given"));
    assert!(string(&row_of(&summary, "Audit logs")[1]).starts_with("not given"));
    // The portal download has no isAdmin column: the admin figures cannot be told.
    assert_eq!(string(&row_of(&summary, "Users")[7]), "–");
    assert_eq!(string(&row_of(&summary, "Admins")[1]), "–");

    // Without sign-in logs the sign-in columns are empty, as in the CSV.
    let (header, records) = parse_csv(&out.csv);
    let actions = rows(&sheet(&mut book, "Actions"));
    assert_eq!(actions.len() - 1, records.len());
    let signins = header.iter().position(|h| h == "signins").unwrap();
    assert!(actions[1..].iter().all(|r| r[signins] == Data::Empty));
    for (cells, record) in actions[1..].iter().zip(&records) {
        let cells: Vec<String> = cells.iter().map(as_csv_text).collect();
        assert_eq!(&cells, record);
    }
}

fn hostile_export(dir: &Path) -> PathBuf {
    let path = dir.join("hostile.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record([
        "userPrincipalName",
        "userDisplayName",
        "isMfaCapable",
        "defaultMfaMethod",
        "methodsRegistered",
        "lastUpdatedDateTime",
    ])
    .unwrap();
    let long = "L".repeat(40_000);
    let rows = [
        ("x1@contoso.example", "=HYPERLINK(\"http://x\",\"y\")"),
        ("x2@contoso.example", "+CMD|' /C calc'!A0"),
        ("-x3@contoso.example", "@SUM(1,2)"),
        ("x4@contoso.example", long.as_str()),
        ("x5@contoso.example", "http://evil.example/"),
    ];
    for (upn, name) in rows {
        w.write_record([upn, name, "False", "none", "[]", "2026-09-22T18:49:13Z"])
            .unwrap();
    }
    // An unknown method name reaches the Methods sheet verbatim.
    w.write_record([
        "x6@contoso.example",
        "Six",
        "True",
        "none",
        "[\"=1+1\",\"mobilePhone\"]",
        "2026-09-22T18:49:13Z",
    ])
    .unwrap();
    w.flush().unwrap();
    path
}

#[test]
fn hostile_text_is_stored_as_plain_text_and_long_text_is_clipped() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[hostile_export(dir.path())], None, false);
    let mut book = open(&out.xlsx);
    let actions = rows(&sheet(&mut book, "Actions"));
    let by_upn = |upn: &str| {
        actions
            .iter()
            .find(|r| r[1] == Data::String(upn.into()))
            .unwrap_or_else(|| panic!("no row for {upn}"))
            .clone()
    };
    assert_eq!(
        by_upn("x1@contoso.example")[2],
        Data::String("=HYPERLINK(\"http://x\",\"y\")".into())
    );
    assert_eq!(
        by_upn("x2@contoso.example")[2],
        Data::String("+CMD|' /C calc'!A0".into())
    );
    assert_eq!(
        by_upn("-x3@contoso.example")[2],
        Data::String("@SUM(1,2)".into())
    );
    assert_eq!(
        by_upn("x5@contoso.example")[2],
        Data::String("http://evil.example/".into())
    );

    // No cell of any sheet is a formula.
    for name in book.sheet_names() {
        let formulas = book.worksheet_formula(&name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "formula in {name}"
        );
    }
    // The only hyperlinks are Microsoft Learn links.
    let targets = hyperlink_targets(&out.xlsx);
    assert!(!targets.is_empty());
    assert!(
        targets
            .iter()
            .all(|t| t.starts_with("https://learn.microsoft.com/")),
        "{targets:?}"
    );
    let methods = rows(&sheet(&mut book, "Methods"));
    assert!(methods.iter().any(|r| r[0] == Data::String("=1+1".into())));

    // The 40,000-character name is cut to Excel's cell limit, and says so.
    let long = by_upn("x4@contoso.example");
    let text = string(&long[2]);
    assert!(text.encode_utf16().count() <= report::MAX_CELL_CHARS);
    assert!(text.starts_with(&"L".repeat(30_000)));
    let kept = text.chars().take_while(|c| *c == 'L').count();
    assert!(
        text.ends_with(&format!(
            "… [{} more characters left out: an Excel cell holds at most 32,767]",
            40_000 - kept
        )),
        "{}",
        &text[kept..]
    );
    let summary = rows(&sheet(&mut book, "Summary"));
    assert_eq!(
        float(&row_of(&summary, "Texts clipped to fit a cell")[1]),
        1.0
    );
}

#[test]
fn redacted_workbook_is_marked_and_names_users_by_pseudonyms() {
    let out = run(&[sample()], None, true);
    let mut book = open(&out.xlsx);
    let summary = rows(&sheet(&mut book, "Summary"));
    assert!(string(&summary[1][0]).starts_with("REDACTED"));
    assert_eq!(
        string(&row_of(&summary, "Users named by pseudonyms (--redact)")[1]),
        "yes"
    );
    let (_, records) = parse_csv(&out.csv);
    let actions = rows(&sheet(&mut book, "Actions"));
    assert_eq!(actions.len() - 1, records.len());
    for (cells, record) in actions[1..].iter().zip(&records) {
        assert!(string(&cells[1]).starts_with("user-"));
        assert_eq!(cells[2], Data::Empty, "no display name");
        let cells: Vec<String> = cells.iter().map(as_csv_text).collect();
        assert_eq!(&cells, record);
    }
}

#[test]
fn same_inputs_give_the_same_bytes() {
    let first = run(&[sample()], None, false);
    let second = run(&[sample()], None, false);
    assert!(first.xlsx == second.xlsx, "the workbooks differ");
    // The creation time is the report's "generated" time, not the clock.
    let core = zip_entry(&first.xlsx, "docProps/core.xml");
    let generated = fixed_time().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert!(
        core.contains(&format!(">{generated}</dcterms:created>")),
        "{core}"
    );
}

/// The workbook of the sample with at most `per_sheet` users per Actions sheet.
fn sample_workbook(per_sheet: usize) -> Vec<u8> {
    let opts = ReportOptions {
        inputs: vec![sample()],
        title: "Test report".into(),
        ..Default::default()
    };
    let files = entra_mfa_report::ingest::discover(&opts.inputs).unwrap();
    let progress = entra_mfa_report::progress::Progress::new(Default::default());
    let analyzed = entra_mfa_report::analyze_inputs(&files, &opts, &progress).unwrap();
    let (guidance, further) = findings::evaluate_all(&analyzed.analysis);
    let notes =
        findings::data_quality::notes(&analyzed.analysis, &analyzed.files, &analyzed.skipped);
    let report = report::Report {
        title: opts.title.clone(),
        generated_at: fixed_time(),
        analysis: &analyzed.analysis,
        files: &analyzed.files,
        skipped: &analyzed.skipped,
        guidance,
        further,
        notes,
        redacted: false,
        organisation: None,
        config_file: None,
        baseline: None,
    };
    report::workbook_bytes(&report, per_sheet).unwrap()
}

#[test]
fn actions_beyond_the_row_limit_continue_on_numbered_sheets() {
    assert_eq!(report::ACTION_ROWS_PER_SHEET + 1, report::EXCEL_MAX_ROWS);
    assert_eq!(report::EXCEL_MAX_ROWS, 1_048_576);

    let whole = sample_workbook(report::ACTION_ROWS_PER_SHEET);
    let mut book = open(&whole);
    let all = rows(&sheet(&mut book, "Actions"));
    let users = all.len() - 1;
    assert!(users > 300, "{users}");
    assert!(!book.sheet_names().iter().any(|n| n == "Actions (2)"));

    let per_sheet = 100;
    let split = sample_workbook(per_sheet);
    let mut book = open(&split);
    let names = book.sheet_names();
    let expected_sheets = users.div_ceil(per_sheet);
    let action_names: Vec<String> = (0..expected_sheets)
        .map(report::action_sheet_name)
        .collect();
    assert_eq!(action_names[1], "Actions (2)");
    // The action sheets follow each other after the scorecard.
    assert_eq!(names[2..2 + expected_sheets], action_names[..]);
    assert_eq!(names[2 + expected_sheets], "Action rules");

    let mut joined = Vec::new();
    for (n, name) in action_names.iter().enumerate() {
        let part = rows(&sheet(&mut book, name));
        assert_eq!(part[0], all[0], "{name} repeats the header");
        let expected = per_sheet.min(users - n * per_sheet);
        assert_eq!(part.len() - 1, expected, "{name}");
        joined.extend(part[1..].iter().cloned());
    }
    // Together the sheets hold every row once, in order, priorities continuing.
    assert_eq!(joined, all[1..]);
    assert_eq!(float(&joined[per_sheet][0]), per_sheet as f64 + 1.0);

    // Exactly at the limit: one sheet; one over: a second sheet with one row.
    let names = open(&sample_workbook(users)).sheet_names();
    assert!(!names.iter().any(|n| n == "Actions (2)"));
    let mut book = open(&sample_workbook(users - 1));
    assert_eq!(rows(&sheet(&mut book, "Actions (2)")).len(), 2);
}

#[test]
fn an_unusable_temporary_folder_stops_the_run_without_a_partial_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("report.xlsx");
    let out = std::process::Command::new(common::bin())
        .args(["report", "--quiet", "-o"])
        .arg(dir.path().join("report.html"))
        .arg("--xlsx")
        .arg(&xlsx)
        .arg(fixture("registration/a-portal.csv"))
        .env("TMPDIR", dir.path().join("missing"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("temporary files in") && stderr.contains("missing"),
        "{stderr}"
    );
    assert!(!xlsx.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("xlsx"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The population fixture (tests/population.rs has its user-by-user table) with exclusions:
/// the population sheets hold the figures worked out by hand there.
#[test]
fn population_sheets_hold_the_scope_exclusions_and_breakdowns() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ReportOptions {
        inputs: vec![fixture("population")],
        xlsx: Some(dir.path().join("report.xlsx")),
        title: "Population".into(),
        generated_at: Some(fixed_time()),
        exclusions: vec![entra_mfa_report::analyze::population::Exclusion {
            pattern: "bg-*@contoso.example".into(),
            reason: "Break-glass accounts".into(),
            source: "--exclude".into(),
        }],
        ..Default::default()
    };
    run_report(&opts).unwrap();
    let bytes = std::fs::read(dir.path().join("report.xlsx")).unwrap();
    let mut book = open(&bytes);
    let names = book.sheet_names();
    for name in [
        "Population",
        "Exclusions",
        "Excluded users",
        "Departments",
        "Countries",
        "Admin roles",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    let population = rows(&sheet(&mut book, "Population"));
    // 12 users; bg-1 and bg-2 excluded, cat and eve disabled: 8 in scope.
    assert_eq!(
        float(&row_of(&population, "In scope (counted in every figure)")[1]),
        8.0
    );
    assert_eq!(float(&row_of(&population, "Excluded")[1]), 2.0);
    assert_eq!(float(&row_of(&population, "Disabled accounts")[1]), 2.0);
    let share = float(&row_of(&population, "In scope (counted in every figure)")[2]);
    assert!((share - 8.0 / 12.0).abs() < 1e-9, "{share}");
    let excluded = rows(&sheet(&mut book, "Excluded users"));
    let upns: Vec<&str> = excluded[1..].iter().map(|r| string(&r[0])).collect();
    assert_eq!(upns, ["bg-1@contoso.example", "bg-2@contoso.example"]);
    assert_eq!(string(&excluded[1][2]), "Break-glass accounts");
    let departments = rows(&sheet(&mut book, "Departments"));
    // svc-sync is in scope now (no rule for it) and has no department: 3 without one.
    let none = row_of(&departments, "(none given)");
    assert_eq!(float(&none[1]), 3.0);
    let hr = row_of(&departments, "HR");
    assert_eq!((float(&hr[1]), float(&hr[2])), (2.0, 2.0));
    let roles = rows(&sheet(&mut book, "Admin roles"));
    assert_eq!(float(&row_of(&roles, "User Administrator")[1]), 2.0);
}

/// With `--baseline` the workbook has the progress sheets, with the figures of the JSON.
#[test]
fn progress_sheets_follow_the_json_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ReportOptions {
        inputs: vec![fixture("baseline/after.csv")],
        baseline: vec![fixture("baseline/before.csv")],
        xlsx: Some(dir.path().join("report.xlsx")),
        json: Some(dir.path().join("summary.json")),
        title: "Progress".into(),
        generated_at: Some(fixed_time()),
        ..Default::default()
    };
    run_report(&opts).unwrap();
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    let bytes = std::fs::read(dir.path().join("report.xlsx")).unwrap();
    let mut book = open(&bytes);
    let names = book.sheet_names();
    assert_eq!(
        &names[2..8],
        [
            "Progress",
            "Progress statuses",
            "Progress SMS voice",
            "Progress users",
            "Progress named users",
            "Tier transitions"
        ]
    );
    let progress = rows(&sheet(&mut book, "Progress"));
    let capable = row_of(&progress, "MFA capable");
    let k = &json["baseline"]["kpis"]["mfa_capable"];
    assert_eq!(float(&capable[1]), k["before"].as_f64().unwrap());
    assert_eq!(float(&capable[2]), k["after"].as_f64().unwrap());
    assert_eq!(float(&capable[3]), k["change"].as_f64().unwrap());
    // The matrix cell by cell: row = tier at the baseline, column = tier now.
    let matrix = rows(&sheet(&mut book, "Tier transitions"));
    let m = json["baseline"]["tier_matrix"].as_object().unwrap();
    let header: Vec<&str> = matrix[0][1..].iter().map(string).collect();
    assert_eq!(matrix.len() - 1, m.len());
    let mut total = 0.0;
    for row in &matrix[1..] {
        let from = &m[string(&row[0])];
        for (to, cell) in header.iter().zip(&row[1..]) {
            assert_eq!(
                float(cell),
                from[*to].as_f64().unwrap(),
                "{} → {to}",
                string(&row[0])
            );
            total += float(cell);
        }
    }
    assert!(total > 0.0);
    let users = rows(&sheet(&mut book, "Progress users"));
    let u = &json["baseline"]["users"];
    assert_eq!(
        float(&row_of(&users, "Newly MFA capable")[2]),
        u["newly_capable"].as_f64().unwrap()
    );
    let named = rows(&sheet(&mut book, "Progress named users"));
    let regressions = named[1..]
        .iter()
        .filter(|r| string(&r[0]) == "went backwards")
        .count();
    assert_eq!(
        regressions as u64,
        u["regressions"].as_u64().unwrap().min(25)
    );
    assert!(regressions > 0);
    let sms = rows(&sheet(&mut book, "Progress SMS voice"));
    assert_eq!(
        float(&row_of(&sms, "Phone-only users now")[1]),
        json["baseline"]["sms_voice"]["phone_only_after"]
            .as_f64()
            .unwrap()
    );
}
