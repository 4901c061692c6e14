//! The committed sample data, checked against a second, deliberately simple computation done
//! here with plain Rust (no Polars, no taxonomy module): if the pipeline and this agree, the
//! numbers are not an accident of one implementation.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use chrono::DateTime;

fn sample() -> PathBuf {
    common::fixture("../../sample-data")
}

struct Row {
    upn: String,
    id: String,
    user_type: String,
    admin: bool,
    capable: bool,
    default: String,
    methods: Vec<String>,
    updated: i64,
}

/// Read every sample file with the csv crate and serde_json, resolve duplicates by lower-cased
/// UPN and id (newest lastUpdatedDateTime wins).
fn distinct_rows() -> (usize, Vec<Row>) {
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(sample()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("exportUserRegistrationDetails") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.trim_start_matches('\u{feff}');
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let idx = |name: &str| headers.iter().position(|h| h == name).unwrap();
        for record in reader.records() {
            let r = record.unwrap();
            rows.push(Row {
                upn: r[idx("userPrincipalName")].to_string(),
                id: r[idx("id")].to_string(),
                user_type: r[idx("userType")].to_string(),
                admin: &r[idx("isAdmin")] == "True",
                capable: &r[idx("isMfaCapable")] == "True",
                default: r[idx("defaultMfaMethod")].to_string(),
                methods: serde_json::from_str(&r[idx("methodsRegistered")]).unwrap(),
                updated: DateTime::parse_from_rfc3339(&r[idx("lastUpdatedDateTime")])
                    .unwrap()
                    .timestamp_micros(),
            });
        }
    }
    let read = rows.len();
    rows.sort_by_key(|r| -r.updated);
    let mut seen_upn = std::collections::HashSet::new();
    let mut seen_id = std::collections::HashSet::new();
    rows.retain(|r| seen_upn.insert(r.upn.to_lowercase()) && seen_id.insert(r.id.clone()));
    (read, rows)
}

const PHONE: [&str; 3] = ["mobilePhone", "alternateMobilePhone", "officePhone"];
const NOT_MFA: [&str; 4] = [
    "email",
    "securityQuestion",
    "temporaryAccessPass",
    "qrCodePin",
];
const PHISHING_RESISTANT: [&str; 9] = [
    "fido2SecurityKey",
    "fido2",
    "windowsHelloForBusiness",
    "passKeyDeviceBound",
    "passKeyDeviceBoundAuthenticator",
    "passKeyDeviceBoundWindowsHello",
    "macOsSecureEnclaveKey",
    "passKeySynced",
    "certificateBasedAuthentication",
];

fn mfa_methods(r: &Row) -> Vec<String> {
    let mut out: Vec<String> = r
        .methods
        .iter()
        .filter(|m| !NOT_MFA.contains(&m.as_str()))
        // the old spelling is the same method
        .map(|m| {
            if m == "fido2" {
                "fido2SecurityKey".to_string()
            } else {
                m.clone()
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn sample_figures_agree_with_a_simple_recount() {
    let (read, users) = distinct_rows();
    let out = common::run(&[sample()], None);
    let r = &out.json["registration"];
    let count = |f: &dyn Fn(&Row) -> bool| users.iter().filter(|u| f(u)).count() as u64;

    assert_eq!(r["duplicates"]["rows_read"], read as u64);
    assert_eq!(r["users"], users.len() as u64);
    assert_eq!(r["guests"], count(&|u| u.user_type == "guest"));
    assert_eq!(r["members"], count(&|u| u.user_type == "member"));
    assert_eq!(r["admins"], count(&|u| u.admin));
    assert_eq!(r["mfa_capable"], count(&|u| u.capable));
    assert_eq!(r["no_mfa_method"], count(&|u| mfa_methods(u).is_empty()));
    assert_eq!(
        r["single_mfa_method"],
        count(&|u| mfa_methods(u).len() == 1)
    );
    assert_eq!(
        r["phone_only"],
        count(&|u| {
            let m = mfa_methods(u);
            !m.is_empty() && m.iter().all(|x| PHONE.contains(&x.as_str()))
        })
    );
    assert_eq!(
        r["phishing_resistant"],
        count(&|u| u
            .methods
            .iter()
            .any(|m| PHISHING_RESISTANT.contains(&m.as_str())))
    );
    assert_eq!(
        r["authenticator_default"],
        count(&|u| u.default == "microsoftAuthenticatorPush")
    );
    assert_eq!(
        r["admins_not_mfa_capable"],
        count(&|u| u.admin && !u.capable)
    );

    // Per-method user counts, with the old `fido2` spelling folded into fido2SecurityKey.
    let mut methods: BTreeMap<String, u64> = BTreeMap::new();
    for u in &users {
        let mut names: Vec<String> = u
            .methods
            .iter()
            .map(|m| {
                if m == "fido2" {
                    "fido2SecurityKey".into()
                } else {
                    m.clone()
                }
            })
            .collect();
        names.sort();
        names.dedup();
        for n in names {
            *methods.entry(n).or_default() += 1;
        }
    }
    let reported: BTreeMap<String, u64> = r["methods"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect();
    assert_eq!(reported, methods);

    let mut defaults: HashMap<String, u64> = HashMap::new();
    for u in &users {
        let d = if u.default.is_empty() {
            "none".to_string()
        } else {
            u.default.clone()
        };
        *defaults.entry(d).or_default() += 1;
    }
    let reported: HashMap<String, u64> = r["default_methods"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect();
    assert_eq!(reported, defaults);

    let tiers: u64 = r["tiers"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(tiers, users.len() as u64, "tiers add up to all users");
}

/// Recount sign-in figures straight from the two user sign-in files, by their English headers.
#[test]
fn sample_sign_in_figures_agree_with_a_simple_recount() {
    const LEGACY: [&str; 13] = [
        "authenticated smtp",
        "autodiscover",
        "exchange activesync",
        "exchange online powershell",
        "exchange web services",
        "imap4",
        "mapi over http",
        "offline address book",
        "outlook anywhere (rpc over http)",
        "outlook service",
        "pop3",
        "reporting web services",
        "other clients",
    ];
    let (mut rows, mut ok, mut fail, mut intr, mut single_ok, mut legacy, mut my_signins) =
        (0u64, 0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    let mut users = std::collections::HashSet::new();
    let mut legacy_users = std::collections::HashSet::new();
    for name in [
        "InteractiveSignIns_2026-11-13_2026-11-20.csv",
        "NonInteractiveSignIns_2026-11-13_2026-11-20.csv",
    ] {
        let text = std::fs::read_to_string(sample().join(name)).unwrap();
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let headers = reader.headers().unwrap().clone();
        let idx = |h: &str| headers.iter().position(|x| x == h).unwrap();
        let (status, upn, req, client, app) = (
            idx("Status"),
            idx("Username"),
            idx("Authentication requirement"),
            idx("Client app"),
            idx("Application ID "),
        );
        for record in reader.records() {
            let r = record.unwrap();
            rows += 1;
            users.insert(r[upn].to_lowercase());
            match &r[status] {
                "Success" => {
                    ok += 1;
                    if &r[req] == "Single-factor authentication" {
                        single_ok += 1;
                    }
                }
                "Failure" => fail += 1,
                "Interrupted" => intr += 1,
                other => panic!("unexpected status {other}"),
            }
            if LEGACY.contains(&r[client].to_lowercase().as_str()) {
                legacy += 1;
                legacy_users.insert(r[upn].to_lowercase());
            }
            if &r[app] == "19db86c3-b2b9-44cc-b339-36da233a3be2" {
                my_signins += 1;
            }
        }
    }
    let out = common::run(&[sample()], None);
    let s = &out.json["signins"];
    assert_eq!(s["rows"], rows);
    assert_eq!(s["users"], users.len() as u64);
    assert_eq!(s["success"], ok);
    assert_eq!(s["failure"], fail);
    assert_eq!(s["interrupted"], intr);
    assert_eq!(s["single_factor_success"], single_ok);
    assert_eq!(s["legacy_auth"], legacy);
    assert_eq!(s["legacy_auth_users"], legacy_users.len() as u64);
    assert_eq!(s["registration_signins"], my_signins);
    let classes: u64 = s["registered_vs_used"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    let registered = out.json["registration"]["users"].as_u64().unwrap();
    let outsiders = s["registered_vs_used"]["not_in_registration"]
        .as_u64()
        .unwrap();
    assert_eq!(classes, registered + outsiders, "one class per user");
    assert!(out.html.contains("id=\"signins\""));
}

/// Recount audit figures straight from the audit download, by its English headers.
#[test]
fn sample_audit_figures_agree_with_a_simple_recount() {
    let text = std::fs::read_to_string(sample().join("AuditLogs_2026-11-20.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    let idx = |h: &str| headers.iter().position(|x| x == h).unwrap();
    let (service, activity, result, target) = (
        idx("Service"),
        idx("Activity"),
        idx("Result"),
        idx("Target1UserPrincipalName"),
    );
    let props: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| h.contains("ModifiedProperty") && h.ends_with("Name"))
        .map(|(i, _)| i)
        .collect();
    let (mut rows, mut relevant, mut registrations) = (0u64, 0u64, 0u64);
    let mut registered = std::collections::HashSet::new();
    for record in reader.records() {
        let r = record.unwrap();
        rows += 1;
        let is_relevant = &r[service] == "Authentication Methods"
            || props
                .iter()
                .any(|i| r[*i].starts_with("StrongAuthentication"));
        if !is_relevant {
            continue;
        }
        relevant += 1;
        let registration = [
            "User registered security info",
            "User registered all required security info",
            "Admin registered security info",
        ]
        .contains(&&r[activity]);
        if registration && r[result].eq_ignore_ascii_case("success") {
            registrations += 1;
            registered.insert(r[target].to_lowercase());
        }
    }
    let out = common::run(&[sample()], None);
    let a = &out.json["audit"];
    assert_eq!(a["rows"], rows);
    assert_eq!(a["relevant_rows"], relevant);
    assert_eq!(a["registration_events"], registrations);
    assert_eq!(a["users_registered"], registered.len() as u64);
    assert!(out.html.contains("id=\"timeline\""));
    // With the campaign's deadline the report lists the late registrations.
    let deadline = chrono::NaiveDate::from_ymd_opt(2026, 10, 31);
    let late = common::run_with_deadline(&[sample()], None, deadline);
    let after = late.json["audit"]["registered_after_deadline"]
        .as_u64()
        .unwrap();
    assert!(after > 0);
    assert!(late
        .html
        .contains("Late registrations (after the deadline)"));
}

#[test]
fn sample_report_is_complete_and_reproducible() {
    let a = common::run(&[sample()], None);
    let b = common::run(&[sample()], None);
    assert_eq!(a.html, b.html, "same inputs, same report");
    assert_eq!(a.json, b.json);
    assert_eq!(a.csv, b.csv);
    // The newest timestamp in the generated sample is 2026-11-20T05:59:59.1234567Z.
    assert_eq!(a.json["as_of"], "2026-11-20");
    for section in [
        "id=\"summary\"",
        "id=\"coverage\"",
        "id=\"tiers\"",
        "id=\"methods\"",
        "id=\"defaults\"",
        "id=\"backup\"",
        "id=\"retirement\"",
        "id=\"findings\"",
        "id=\"actions\"",
        "id=\"quality\"",
        "id=\"inputs\"",
        "id=\"methodology\"",
    ] {
        assert!(a.html.contains(section), "report lacks {section}");
    }
    // Key numbers appear in the rendered text.
    let users = a.json["registration"]["users"].as_u64().unwrap();
    assert!(a.html.contains(&format!("{users} distinct users")));
    let days = a.json["days_to_sms_voice_retirement"].as_i64().unwrap();
    assert!(a.html.contains(&format!("{days} days")));
    let sha = a.json["inputs"][0]["sha256"].as_str().unwrap();
    assert!(a.html.contains(sha));
    // The sample covers what the report has to show.
    let r = &a.json["registration"];
    assert!(r["guests"].as_u64().unwrap() > 0);
    assert!(r["admins"].as_u64().unwrap() > 0);
    assert!(r["duplicates"]["duplicate_rows"].as_u64().unwrap() > 0);
    assert!(!r["unknown_methods"].as_array().unwrap().is_empty());
    let size = a.html.len();
    assert!(size < 5_000_000, "report size {size}");
}

#[test]
fn as_of_argument_overrides_the_data() {
    let date = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
    let out = common::run(&[sample()], Some(date));
    assert_eq!(out.json["as_of"], "2027-01-01");
    assert_eq!(out.json["as_of_source"], "argument");
    assert_eq!(out.json["days_to_sms_voice_retirement"], 31);
    let stale = out.json["data_quality"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["id"] == "stale-export");
    assert!(
        stale,
        "an export 42 days older than the report date is flagged"
    );
}
