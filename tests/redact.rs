//! `--redact`: the report on `sample-data/` names no user, IP address or authentication detail
//! from the inputs, in any output, while every figure stays what it is without redaction.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::{run, run_redacted, Outputs};
use serde_json::Value;

fn sample_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

/// Columns of the sample exports that name a person.
const IDENTITY_COLUMNS: &[&str] = &[
    "id",
    "userPrincipalName",
    "userDisplayName",
    "User ID",
    "User",
    "Username",
    "ActorUserPrincipalName",
    "ActorObjectId",
    "Target1DisplayName",
    "Target1ObjectId",
    "Target1UserPrincipalName",
    // The users list and the role assignments.
    "displayName",
    "mail",
    "PrincipalDisplayName",
    "PrincipalUserPrincipalName",
    "PrincipalId",
    "IP address",
    "IPAddress",
    "Authentication method detail",
];

/// Columns whose values no output ever holds, redacted or not: addresses, and method details
/// (device names, masked phone numbers).
const NEVER_COLUMNS: &[&str] = &["IP address", "IPAddress", "Authentication method detail"];

/// Every value of the sample exports' `columns`, read with the csv crate (not with the tool),
/// where the value is long enough to be searched for without false alarms.
fn values_of(columns: &[&str]) -> BTreeSet<String> {
    let mut values = BTreeSet::new();
    for entry in std::fs::read_dir(sample_data()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let headers = reader.headers().unwrap().clone();
        let wanted: Vec<usize> = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| columns.contains(&h.trim()))
            .map(|(i, _)| i)
            .collect();
        for record in reader.records() {
            let record = record.unwrap();
            for &i in &wanted {
                let v = record.get(i).unwrap_or("").trim();
                if v.len() >= 6 && v != "Password in the cloud" {
                    values.insert(v.to_string());
                }
            }
        }
    }
    values
}

/// The outputs' texts, the HTML also unescaped and everything also lower-cased.
fn texts(out: &Outputs) -> Vec<String> {
    let html_text = out
        .html
        .replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let all = [
        out.html.clone(),
        html_text,
        out.json.to_string(),
        out.csv.clone(),
        out.users.clone(),
    ];
    all.iter()
        .flat_map(|t| [t.clone(), t.to_lowercase()])
        .collect()
}

/// `v` with every string (and null: a redacted report has no display names) replaced by "":
/// numbers, booleans, keys and list lengths remain.
fn shape(v: &Value) -> Value {
    match v {
        Value::String(_) | Value::Null => Value::String(String::new()),
        Value::Array(a) => Value::Array(a.iter().map(shape).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        other => other.clone(),
    }
}

#[test]
fn redacted_sample_report_names_nobody() {
    let private = values_of(IDENTITY_COLUMNS);
    assert!(private.len() > 100, "the sample exports name many users");
    let plain = run(&[sample_data()], None);
    let redacted = run_redacted(&[sample_data()], Some("review 2026-11"));

    // Without redaction the report does name users: the check below can fail.
    let named = texts(&plain);
    let shown: Vec<&String> = private
        .iter()
        .filter(|v| named.iter().any(|t| t.contains(v.as_str())))
        .collect();
    assert!(
        shown.len() > 20,
        "only {} private values in the plain report",
        shown.len()
    );

    for text in texts(&redacted) {
        for v in &private {
            assert!(!text.contains(v.as_str()), "redacted output contains {v:?}");
        }
    }
    assert!(redacted.users.contains("user-"));

    // Every figure is unchanged: the summaries differ only in their texts.
    assert_eq!(redacted.json["redacted"], true);
    assert_eq!(plain.json["redacted"], false);
    let (mut r, mut p) = (redacted.json.clone(), plain.json.clone());
    r["redacted"] = Value::Null;
    p["redacted"] = Value::Null;
    assert!(shape(&r) == shape(&p), "a figure changed");
    assert!(redacted.html.contains("named by pseudonyms"));
    assert!(!plain.html.contains("named by pseudonyms"));
    let rows = |csv_text: &str| {
        csv::Reader::from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes())
            .records()
            .count()
    };
    assert_eq!(rows(&redacted.csv), rows(&plain.csv));
    assert_eq!(rows(&redacted.users), rows(&plain.users));
}

#[test]
fn addresses_and_method_details_never_reach_an_output() {
    let never = values_of(NEVER_COLUMNS);
    // Masked phone numbers and device names are among them.
    assert!(never
        .iter()
        .any(|v| v.starts_with('+') && v.contains("XXXX")));
    assert!(never.iter().any(|v| v.starts_with("iPhone")));
    let plain = run(&[sample_data()], None);
    for text in texts(&plain) {
        for v in &never {
            assert!(!text.contains(v.as_str()), "output contains {v:?}");
        }
    }
}

#[test]
fn pseudonyms_agree_across_outputs_and_runs_with_the_same_key() {
    let a = run_redacted(&[sample_data()], Some("review 2026-11"));
    let b = run_redacted(&[sample_data()], Some("review 2026-11"));
    let c = run_redacted(&[sample_data()], None);
    assert_eq!(a.users, b.users, "same key, same pseudonyms");
    assert_ne!(a.users, c.users, "a random key gives other pseudonyms");
    // Every user of the action list is in the users list under the same pseudonym, and the
    // HTML names the first of them.
    let first_column = |csv_text: &str, col: usize| -> Vec<String> {
        let mut r = csv::Reader::from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
        r.records().map(|x| x.unwrap()[col].to_string()).collect()
    };
    let users: BTreeSet<String> = first_column(&a.users, 1).into_iter().collect();
    let actions = first_column(&a.csv, 1);
    assert!(!actions.is_empty());
    assert!(actions
        .iter()
        .all(|u| u.starts_with("user-") && users.contains(u)));
    assert!(a.html.contains(&actions[0]));
}
