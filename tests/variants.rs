//! Every registration-export variant a consultant is handed (issue points a–e) normalizes to
//! the same figures. All fixtures describe the same twelve rows as `contract.rs`; the expected
//! values are that file's hand-worked numbers, with `null` exactly where a variant lacks the
//! column a figure needs.

mod common;

use common::run_fixture;
use serde_json::{json, Value};

/// The hand-worked figures of the full data set (see contract.rs for the per-user table).
fn full() -> Value {
    json!({
        "users": 11, "members": 9, "guests": 2, "admins": 3,
        "mfa_capable": 6, "mfa_registered": 7, "sspr_capable": 7, "sspr_registered": 7,
        "sspr_enabled": 9, "passwordless_capable": 3,
        "no_mfa_method": 4, "single_mfa_method": 2, "phone_only": 2,
        "authenticator_registered": 3, "authenticator_default": 3, "phishing_resistant": 3,
        "no_independent_backup": 4, "backup_only_phone": 1, "strong_backup": 2,
        "admins_not_mfa_capable": 1, "admins_not_phishing_resistant": 2,
        "default_methods": {"none": 5, "microsoftAuthenticatorPush": 3, "mobilePhone": 2, "officePhone": 1},
        "tiers": {"phishing_resistant": 3, "passwordless": 0, "authenticator": 1, "oath": 1,
                  "phone": 2, "sspr_only": 1, "none": 3},
    })
}

fn check(fixture: &str, variant: &str, nulls: &[&str]) -> Value {
    let out = run_fixture(fixture);
    assert_eq!(out.json["inputs"][0]["variant"], variant, "{fixture}");
    let r = &out.json["registration"];
    for (key, value) in full().as_object().unwrap() {
        let expected = if nulls.contains(&key.as_str()) {
            &Value::Null
        } else {
            value
        };
        assert_eq!(&r[key], expected, "{fixture}: registration.{key}");
    }
    out.json
}

/// Keys needing isAdmin, isMfaRegistered, isSsprRegistered or isSsprEnabled.
const PORTAL_NULLS: &[&str] = &[
    "admins",
    "mfa_registered",
    "sspr_registered",
    "sspr_enabled",
    "admins_not_mfa_capable",
    "admins_not_phishing_resistant",
];

#[test]
fn a_portal_download() {
    // 8 columns; guests recognized by #EXT#; duplicates by UPN only.
    let j = check("registration/a-portal.csv", "portal-download", PORTAL_NULLS);
    assert_eq!(j["registration"]["duplicates"]["duplicate_rows"], 1);
    assert_eq!(j["inputs"][0]["encoding"], "UTF-8 with BOM");
}

#[test]
fn b_graph_property_subset_in_any_order() {
    check("registration/b-graph-beta.csv", "graph-beta", &[]);
}

#[test]
fn b_graph_json_response() {
    // The same users as a Graph API response ({"value": [...]}) with real JSON booleans/arrays.
    let j = check("registration/b-graph-beta.json", "graph-beta (JSON)", &[]);
    assert_eq!(j["inputs"][0]["delimiter"], "json");
}

#[test]
fn c_powershell_export_csv_en_us() {
    // #TYPE line, PascalCase, all quoted, lists joined with ", " / "," / CRLF, en-US dates,
    // no DefaultMfaMethod: defaults come from UserPreferredMethodForSecondaryAuthentication.
    let j = check(
        "registration/c-powershell-en-us.csv",
        "powershell-export-csv",
        &[],
    );
    assert_eq!(j["as_of"], "2026-09-22");
    let problems = j["inputs"][0]["problems"].to_string();
    assert!(
        problems.contains("userPreferredMethodForSecondaryAuthentication"),
        "{problems}"
    );
    assert!(problems.contains("#TYPE"), "{problems}");
}

#[test]
fn c_powershell_export_csv_de_de_semicolons() {
    let j = check(
        "registration/c-powershell-de-de.csv",
        "powershell-export-csv",
        &[],
    );
    assert_eq!(j["as_of"], "2026-09-22");
    assert_eq!(j["inputs"][0]["delimiter"], ";");
}

#[test]
fn c_powershell_lost_method_lists_are_reported_and_not_guessed() {
    let method_keys = [
        "no_mfa_method",
        "single_mfa_method",
        "phone_only",
        "authenticator_registered",
        "phishing_resistant",
        "no_independent_backup",
        "backup_only_phone",
        "strong_backup",
        "admins_not_phishing_resistant",
        "tiers",
    ];
    let j = check(
        "registration/c-powershell-lost-lists.csv",
        "powershell-export-csv",
        &method_keys,
    );
    let r = &j["registration"];
    assert_eq!(r["methods"], Value::Null);
    assert_eq!(r["methods_unknown_users"], 11);
    let problems = j["inputs"][0]["problems"].to_string();
    assert!(problems.contains("System.String[]"), "{problems}");
    let dq = j["data_quality"].to_string();
    assert!(dq.contains("method lists were lost"), "{dq}");
    for id in ["R5", "sms-voice-retirement"] {
        assert_eq!(common::finding(&j, id)["status"], "needs_data", "{id}");
    }
    // What remains is still used: without method lists, isMfaRegistered = False marks the
    // members dave, erin and judy (erin's email/questions are not visible any more) and the
    // guest hank; the old ivan row lost to the newer one.
    assert_eq!(j["actions"]["by_code"]["NO_MFA_METHOD"], 3);
    assert_eq!(j["actions"]["by_code"]["GUEST_NO_MFA"], 1);
    assert_eq!(j["actions"]["by_code"]["SSPR_ONLY"], 0);
}

#[test]
fn d_legacy_names_and_display_names() {
    let nulls = [
        "admins",
        "admins_not_mfa_capable",
        "admins_not_phishing_resistant",
    ];
    let j = check(
        "registration/d-legacy-display-names.csv",
        "legacy-names",
        &nulls,
    );
    // Display names were mapped to API names.
    assert_eq!(
        j["registration"]["methods"]["microsoftAuthenticatorPush"],
        3
    );
    assert_eq!(j["registration"]["methods"]["fido2SecurityKey"], 1);
}

#[test]
fn e_bom_crlf_semicolons_and_odd_header_spelling() {
    let nulls = [PORTAL_NULLS, &[]].concat();
    let j = check(
        "registration/e-semicolon-bom.csv",
        "portal-view-labels",
        &nulls,
    );
    assert_eq!(j["inputs"][0]["delimiter"], ";");
}

#[test]
fn all_variants_together_count_each_user_once() {
    let files: Vec<_> = [
        "registration/a-portal.csv",
        "registration/b-graph-beta.csv",
        "registration/d-legacy-display-names.csv",
    ]
    .iter()
    .map(|f| common::fixture(f))
    .collect();
    let out = common::run(&files, None);
    assert_eq!(out.json["registration"]["users"], 11);
    assert_eq!(out.json["registration"]["duplicates"]["rows_read"], 36);
    // isAdmin is missing from two of the files, so admins cannot be counted for every user.
    assert_eq!(out.json["registration"]["admins"], Value::Null);
}

/// Write `content` to a fresh file and return its folder guard and path.
fn temp_file(name: &str, content: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    (dir, path)
}

#[test]
fn lost_lists_without_is_mfa_registered_never_claim_met() {
    // The portal columns with the lists lost: nothing tells who has MFA.
    let text = std::fs::read_to_string(common::fixture("registration/a-portal.csv")).unwrap();
    let lost: String = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            if i == 0 {
                return format!("{line}\r\n");
            }
            // methodsRegistered is the only field starting with "[" or a quoted "[".
            let start = line.find(",[").or_else(|| line.find(",\"[")).unwrap();
            let end = line.rfind(',').unwrap();
            format!("{},System.String[]{}\r\n", &line[..start], &line[end..])
        })
        .collect();
    let (_dir, path) = temp_file("lost.csv", &lost);
    let out = common::run(&[path], None);
    let j = &out.json;
    assert_eq!(j["registration"]["methods_unknown_users"], 11);
    for id in [
        "R4",
        "R5",
        "R6",
        "no-mfa",
        "guests-no-mfa",
        "registered-not-capable",
        "sms-voice-retirement",
    ] {
        assert_eq!(common::finding(j, id)["status"], "needs_data", "{id}");
    }
}

#[test]
fn one_object_id_under_two_upns_is_one_user() {
    let csv = "id,userPrincipalName,isMfaCapable,methodsRegistered,lastUpdatedDateTime\n\
               0000-a,old.name@contoso.example,False,[],2026-09-01T00:00:00Z\n\
               0000-A,new.name@contoso.example,True,\"[\"\"microsoftAuthenticatorPush\"\"]\",2026-09-20T00:00:00Z\n\
               0000-b,other@contoso.example,True,\"[\"\"mobilePhone\"\"]\",2026-09-20T00:00:00Z\n";
    let (_dir, path) = temp_file("renamed.csv", csv);
    let out = common::run(&[path], None);
    let r = &out.json["registration"];
    assert_eq!(r["users"], 2);
    assert_eq!(
        r["mfa_capable"], 2,
        "the newer row of the renamed user wins"
    );
    assert_eq!(r["duplicates"]["examples"], json!(["object id 0000-a"]));
}

#[test]
fn unknown_names_are_reported_even_when_other_lists_were_lost() {
    let extra = "userPrincipalName,isMfaCapable,methodsRegistered,lastUpdatedDateTime\n\
                 zed@contoso.example,True,\"[\"\"mobilePhone\"\",\"\"futureMethod\"\"]\",2026-09-20T00:00:00Z\n";
    let (_dir, path) = temp_file("extra.csv", extra);
    let out = common::run(
        &[
            common::fixture("registration/c-powershell-lost-lists.csv"),
            path,
        ],
        None,
    );
    let r = &out.json["registration"];
    assert_eq!(r["methods"], Value::Null, "some lists are lost");
    assert_eq!(
        r["unknown_methods"],
        json!([{"name": "futureMethod", "users": 1}])
    );
}
