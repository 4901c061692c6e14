//! Sign-in evidence on hand-made fixtures (`tests/fixtures/signins/`) next to the registration
//! fixture of `contract.rs` (users alice … kim). The interactive file (current 57-field layout)
//! holds these rows; the non-interactive file (2024, 49-column layout) two more:
//!
//! | row | user  | status      | code   | requirement | MFA result / method                  | notes |
//! |-----|-------|-------------|--------|-------------|--------------------------------------|-------|
//! | r01 | alice | Success     | 0      | multi       | completed / Mobile app notification   | |
//! | r02 | alice | Success     | 0      | multi       | claim in the token                    | |
//! | r03 | bob   | Success     | (empty)| multi       | completed / Text message              | |
//! | r04 | carol | Success     | 0      | single      |                                       | |
//! | r05 | carol | Success     | 0      | single      |                                       | |
//! | r06 | dave  | Success     | 0      | single      |                                       | dave cannot do MFA |
//! | r07 | dave  | Failure     | 50126  | single      |                                       | |
//! | r08 | erin  | Failure     | 50126  | single      |                                       | erin's only sign-in |
//! | r09 | frank | Success     | 0      | multi       | completed / Windows Hello             | My Signins, compliant, joined, CA success |
//! | r10 | gina  | Success     | 0      | multi       | completed / Phone call (Office)       | UPN gina@fabrikam.example: joined by User ID |
//! | r12 | ivan  | Success     | 0      | single      |                                       | IMAP4 |
//! | r13 | ivan  | Failure     | 50126  | single      |                                       | imap4 (other case) |
//! | r14 | judy  | Failure     | 53010  | single      |                                       | My Signins, blocked, CA failure |
//! | r15 | kim   | Success     | 0      | multi       | external provider                     | |
//! | r16 | zed   | Success     | 0      | single      |                                       | not in the registration export |
//! | r17–r19 | carol | Failure | 500121 | multi       |                                       | three denials |
//! | r20 | bob   | Interrupted | 50074  | multi       |                                       | |
//! | r21 | frank | Success     | 0      | multi       | completed / Windows Hello             | My Signins, unmanaged, CA not applied |
//! | r22 | —     |             |        |             |                                       | 3 fields: skipped |
//! | r23 | alice | Success     | 0      | multi       | completed / Mobile app notification   | date "yesterday" |
//! | n01 | alice | Success     | 0      | multi       | claim in the token                    | non-interactive, 2026-09-23T01:00Z |
//! | n02 | carol | Success     | 0      | single      |                                       | non-interactive, 2026-09-23T02:00Z |
//!
//! hank has no sign-in.

mod common;

use common::{finding, fixture, run, run_lenient};
use serde_json::{json, Value};

fn full_run() -> Value {
    let files: Vec<_> = [
        "registration/b-graph-beta.csv",
        "signins/InteractiveSignIns_2026-09-20_2026-09-23.csv",
        "signins/NonInteractiveSignIns_2026-09-20_2026-09-23.csv",
        "signins/InteractiveSignIns_AuthDetails_2026-09-20_2026-09-23.csv",
        "signins/ApplicationSignIns_2026-09-20_2026-09-23.csv",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect();
    run(&files, None).json
}

#[test]
fn sign_in_totals() {
    let j = full_run();
    let s = &j["signins"];
    let expect = json!({
        "rows": 23,                   // 21 interactive (r22 skipped) + 2 non-interactive
        "interactive_rows": 21,
        "non_interactive_rows": 2,
        "users": 11,                  // alice bob carol dave erin frank gina@fabrikam ivan judy kim zed
        "success": 15,                // r01-06, r09, r10, r12, r15, r16, r21, r23, n01, n02
        "failure": 7,                 // r07, r08, r13, r14, r17-r19
        "interrupted": 1,             // r20
        "single_factor_success": 6,   // r04, r05, r06, r12, r16, n02
        "multi_factor_success": 9,
        "legacy_auth": 2,             // r12, r13
        "legacy_auth_users": 1,       // ivan
        "legacy_auth_success": 1,
        "legacy_protocols": {"IMAP4": 2},
        "window_start": "2026-09-20T10:00:00Z",
        "window_end": "2026-09-23T02:00:00Z",
        "rows_without_time": 1,       // r23
        "registration_signins": 3,    // r09, r14, r21
        "registration_signin_users": 2,
        "registration_signins_success": 2,
        "registration_signins_compliant_or_hybrid": 1, // r09
        "registration_success_unmanaged": 1,           // r21
        "registration_blocked": 1,                     // r14 (53010)
        "repeated_denial_users": 1,                    // carol
    });
    for (key, value) in expect.as_object().unwrap() {
        assert_eq!(&s[key], value, "signins.{key}");
    }
    assert_eq!(
        s["mfa_methods_used"],
        json!({"Mobile app notification": 2, "Windows Hello for Business": 2,
               "Phone call approval (Office phone)": 1, "Text message": 1})
    );
    assert_eq!(
        s["mfa_method_families"],
        json!({"authenticator_push": 2, "windows_hello": 2, "sms": 1, "voice": 1})
    );
    assert_eq!(s["other_status"], json!({}));
    // Rows per day (r23 has no date): 09-20 r01-r03; 09-21 r04-r08; 09-22 r09, r10, r12-r21
    // (successes r09 r10 r12 r15 r16 r21); 09-23 n01, n02. Successes add up to 15 with r23.
    assert_eq!(
        s["daily"],
        json!([
            {"day": "2026-09-20", "success": 3, "failure": 0, "interrupted": 0},
            {"day": "2026-09-21", "success": 3, "failure": 2, "interrupted": 0},
            {"day": "2026-09-22", "success": 6, "failure": 5, "interrupted": 1},
            {"day": "2026-09-23", "success": 2, "failure": 0, "interrupted": 0},
        ])
    );
    assert_eq!(s["error_codes"]["500121"], 3);
    assert_eq!(s["error_codes"]["50126"], 3);
    assert_eq!(s["error_codes"]["53010"], 1);
    assert_eq!(s["error_codes"]["50074"], 1);
    assert_eq!(
        s["registration_signins_ca"],
        json!({"failure": 1, "not_applied": 1, "success": 1})
    );
    // The newest time in the data is now a sign-in: n02.
    assert_eq!(j["as_of"], "2026-09-23");
}

#[test]
fn registered_vs_used_puts_every_user_in_one_class() {
    let j = full_run();
    assert_eq!(
        j["signins"]["registered_vs_used"],
        json!({
            "used_mfa": 4,              // alice, bob, frank, gina (joined by object id)
            "single_factor_only": 1,    // carol: capable, every success single-factor
            "not_capable_signed_in": 2, // dave, ivan (isMfaCapable False)
            "mfa_by_token_only": 0,
            "external_mfa": 1,          // kim
            "capability_unknown": 0,
            "requirement_unknown": 0,
            "no_successful_signin": 2,  // erin, judy
            "no_signins": 1,            // hank
            "not_in_registration": 1,   // zed
        })
    );
}

#[test]
fn mfa_prompts_per_user_day_by_default_method() {
    // Prompts (MFA completed, or 500121, on a dated row): alice r01 (r23 has no date), carol
    // r17-r19, frank r09 r21 (default Authenticator); bob r03, gina r10 (phone defaults).
    // Active days: alice 09-20 and 09-23, carol 09-21, 09-22, 09-23, frank 09-22; bob 09-20,
    // 09-22, gina 09-22.
    let j = full_run();
    assert_eq!(
        j["signins"]["prompts_by_default"],
        json!([
            {"default_group": "authenticator", "users": 3, "prompts": 6, "user_days": 6, "per_user_day": 1.0},
            {"default_group": "phone", "users": 2, "prompts": 2, "user_days": 3, "per_user_day": 0.67},
        ])
    );
}

#[test]
fn auth_details_and_service_sign_ins() {
    let j = full_run();
    assert_eq!(
        j["signins"]["auth_details"],
        json!({
            "steps": 9, "requests": 5, "requests_matched": 4,
            "mfa_steps_by_method": {"Mobile app notification": 2, "Text message": 1, "Windows Hello for Business": 1},
            "mfa_steps_failed": 1,
        })
    );
    let app = j["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "app_sign_ins")
        .expect("application sign-ins recognized");
    assert_eq!(app["rows"], 2);
    assert_eq!(
        app["service"],
        json!({"success": 1, "failure": 1, "principals": 2})
    );
    let interactive = j["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["variant"] == "interactive, current layout, 57 columns")
        .unwrap();
    assert_eq!(
        interactive["skipped_rows"], 1,
        "the 3-field row is skipped, not fatal"
    );
    assert!(interactive["problems"][0]
        .as_str()
        .unwrap()
        .contains("line 23: 'yesterday'"));
    let non_interactive = j["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["variant"] == "non-interactive, 2024 layout, 49 columns");
    assert!(non_interactive.is_some());
}

#[test]
fn findings_and_actions_from_sign_ins() {
    let j = full_run();
    let r2 = finding(&j, "R2");
    assert_eq!(r2["status"], "partly_met"); // 1 of 2 successful registrations unmanaged
    assert_eq!(
        (r2["population"].as_u64(), r2["affected"].as_u64()),
        (Some(2), Some(1))
    );
    let not_capable = finding(&j, "signins-not-capable");
    assert_eq!(not_capable["status"], "not_met");
    // Registration users with a successful sign-in: alice bob carol dave frank gina ivan kim.
    assert_eq!(
        (
            not_capable["population"].as_u64(),
            not_capable["affected"].as_u64()
        ),
        (Some(8), Some(2))
    );
    assert_eq!(finding(&j, "single-factor-signins")["affected"], 1);
    assert_eq!(finding(&j, "legacy-auth")["status"], "not_met");
    assert_eq!(finding(&j, "mfa-fatigue")["affected"], 1);
    let note = j["data_quality"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "signins-not-in-registration")
        .expect("users missing from the registration export are reported");
    assert!(note["detail"]
        .as_str()
        .unwrap()
        .contains("zed@contoso.example"));
    let codes = &j["actions"]["by_code"];
    assert_eq!(codes["NOT_CAPABLE_SIGNING_IN"], 2);
    assert_eq!(codes["REPEATED_MFA_DENIALS"], 1);
    assert_eq!(codes["USES_LEGACY_AUTH"], 1);
    assert_eq!(codes["MFA_NOT_ENFORCED"], 1); // carol
}

#[test]
fn without_sign_ins_the_sign_in_findings_are_absent() {
    let j = run(&[fixture("registration/b-graph-beta.csv")], None).json;
    assert_eq!(j["signins"], Value::Null);
    assert_eq!(finding(&j, "R2")["status"], "needs_data");
    assert!(j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["id"] != "legacy-auth"));
}

#[test]
fn french_and_spanish_downloads() {
    let files: Vec<_> = [
        "registration/b-graph-beta.csv",
        "signins/fr-InteractiveSignIns.csv",
        "signins/es-InteractiveSignIns.csv",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect();
    let j = run(&files, None).json;
    let s = &j["signins"];
    // fr: alice success multi, dave failure, dave success over POP3; es: bob success, carol interrupted.
    assert_eq!(s["rows"], 5);
    assert_eq!(s["success"], 3);
    assert_eq!(s["failure"], 1);
    assert_eq!(s["interrupted"], 1);
    assert_eq!(s["single_factor_success"], 1);
    assert_eq!(s["legacy_protocols"], json!({"POP3": 1}));
    assert_eq!(s["registered_vs_used"]["not_capable_signed_in"], 1); // dave
    let fr = j["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["delimiter"] == ";")
        .unwrap();
    assert_eq!(fr["kind"], "user_sign_ins");
}

#[test]
fn json_download() {
    // Graph signIn objects: j01 alice (MFA, 2 steps), j06 dave (single-factor), j10 gina (MFA by
    // phone call; only the authenticationDetails name the method), j14 judy (My Signins, 53010),
    // j20 bob (50074, an interrupt code).
    let files = [
        fixture("registration/b-graph-beta.csv"),
        fixture("signins/InteractiveSignIns_2026-09-20_2026-09-23.json"),
    ];
    let j = run(&files, None).json;
    let s = &j["signins"];
    assert_eq!(s["rows"], 5);
    assert_eq!(
        (
            s["success"].as_u64(),
            s["failure"].as_u64(),
            s["interrupted"].as_u64()
        ),
        (Some(3), Some(1), Some(1))
    );
    assert_eq!(s["single_factor_success"], 1);
    assert_eq!(s["registration_signins"], 1);
    assert_eq!(s["registration_blocked"], 1);
    assert_eq!(
        s["mfa_methods_used"],
        json!({"Mobile app notification": 1, "Phone call approval (Office phone)": 1})
    );
    assert_eq!(s["auth_details"]["steps"], 5); // 2 + 1 + 2
    assert_eq!(s["auth_details"]["requests_matched"], 3);
    assert_eq!(s["registered_vs_used"]["used_mfa"], 2); // alice, gina (joined by userId)
    assert_eq!(s["registered_vs_used"]["not_capable_signed_in"], 1); // dave
    let input = j["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["delimiter"] == "json")
        .unwrap();
    assert_eq!(input["kind"], "user_sign_ins");
    assert_eq!(input["window_start"], "2026-09-20T10:00:00Z");
}

#[test]
fn zip_archive_gives_the_same_figures_as_the_files() {
    // exports.zip holds the five files of `full_run` in nested folders, plus a README.
    let zipped = run(&[fixture("signins/exports.zip")], None).json;
    let files = full_run();
    assert_eq!(zipped["signins"], files["signins"]);
    assert_eq!(zipped["registration"], files["registration"]);
    assert_eq!(zipped["actions"], files["actions"]);
    let skipped = &zipped["skipped_files"][0];
    assert_eq!(
        skipped["path"].as_str().unwrap().rsplit('/').next(),
        Some("README.txt")
    );
    let names: Vec<&str> = zipped["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert!(
        names.iter().all(|n| n.contains("exports.zip/contoso/")),
        "{names:?}"
    );
}

#[test]
fn overlapping_downloads_count_each_sign_in_once() {
    // The same interactive rows again, in a file that differs by one trailing line break (so it
    // is not skipped as byte-identical).
    let dir = tempfile::tempdir().unwrap();
    let mut copy = std::fs::read(fixture(
        "signins/InteractiveSignIns_2026-09-20_2026-09-23.csv",
    ))
    .unwrap();
    copy.extend_from_slice(b"\r\n");
    let again = dir.path().join("InteractiveSignIns_again.csv");
    std::fs::write(&again, copy).unwrap();
    let once = full_run();
    let files = [
        fixture("registration/b-graph-beta.csv"),
        fixture("signins/InteractiveSignIns_2026-09-20_2026-09-23.csv"),
        fixture("signins/NonInteractiveSignIns_2026-09-20_2026-09-23.csv"),
        fixture("signins/InteractiveSignIns_AuthDetails_2026-09-20_2026-09-23.csv"),
        fixture("signins/ApplicationSignIns_2026-09-20_2026-09-23.csv"),
        again,
    ];
    let twice = run(&files, None).json;
    // 21 interactive rows, all with a request id, read a second time.
    assert_eq!(twice["signins"]["duplicate_rows"], 21);
    for key in [
        "rows",
        "success",
        "failure",
        "users",
        "registered_vs_used",
        "legacy_auth",
    ] {
        assert_eq!(twice["signins"][key], once["signins"][key], "{key}");
    }
}

#[test]
fn layout_of_2023_with_yes_no_booleans() {
    // c1 alice: MFA by OATH code, compliant "Yes", hybrid joined; c2 hank: Exchange ActiveSync,
    // single-factor success (hank's home UPN, joined by User ID); c3 bob: 500121 failure.
    let files = [
        fixture("registration/b-graph-beta.csv"),
        fixture("signins/InteractiveSignIns_2023-05-01_2023-05-02.csv"),
    ];
    let j = run(&files, None).json;
    let s = &j["signins"];
    assert_eq!(s["rows"], 3);
    assert_eq!(
        (s["success"].as_u64(), s["failure"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(s["legacy_protocols"], json!({"Exchange ActiveSync": 1}));
    assert_eq!(s["mfa_method_families"], json!({"oath_code": 1}));
    assert_eq!(s["registered_vs_used"]["not_capable_signed_in"], 1); // hank (guest, not capable)
    let input = j["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "user_sign_ins")
        .unwrap();
    assert_eq!(input["variant"], "interactive, 2023 layout, 44 columns");
}

#[test]
fn actions_csv_carries_each_users_sign_in_usage() {
    let files: Vec<_> = [
        "registration/b-graph-beta.csv",
        "signins/InteractiveSignIns_2026-09-20_2026-09-23.csv",
        "signins/NonInteractiveSignIns_2026-09-20_2026-09-23.csv",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect();
    let out = run(&files, None);
    let text = out.csv.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row = |upn: &str| rows.iter().find(|r| &r[1] == upn).unwrap().clone();
    // carol: r04 r05 n02 single-factor successes, r17-r19 denials → 6 sign-ins, 3 successful.
    let carol = row("carol@contoso.example");
    assert_eq!(&carol[col("signin_class")], "single_factor_only");
    assert_eq!(&carol[col("signins")], "6");
    assert_eq!(&carol[col("successful_signins")], "3");
    assert_eq!(&carol[col("single_factor_signins")], "3");
    assert_eq!(&carol[col("mfa_methods_used")], "");
    // bob: r03 (Text message) and r20 (interrupted).
    let bob = row("bob@contoso.example");
    assert_eq!(&bob[col("signins")], "2");
    assert_eq!(&bob[col("mfa_methods_used")], "sms");
    assert!(bob[col("action_codes")].contains("PHONE_ONLY"));
}

/// Write a small sign-in CSV with the given header and rows into a temp folder.
fn temp_csv(dir: &std::path::Path, name: &str, header: &str, rows: &[&str]) -> std::path::PathBuf {
    let path = dir.join(name);
    let mut text = format!("{header}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

const ALICE: &str = "00000001-0000-4000-8000-000000000001";
const CAROL: &str = "00000003-0000-4000-8000-000000000003";

#[test]
fn without_a_requirement_column_the_mfa_result_decides() {
    let dir = tempfile::tempdir().unwrap();
    let f = temp_csv(
        dir.path(),
        "InteractiveSignIns_noreq.csv",
        "Date (UTC),Request ID,User ID,Username,Status,Sign-in error code,Multifactor authentication result",
        &[
            &format!("2026-09-20T10:00:00Z,q1,{ALICE},alice@contoso.example,Success,0,MFA completed in Azure AD"),
            &format!("2026-09-20T11:00:00Z,q2,{CAROL},carol@contoso.example,Success,0,"),
        ],
    );
    let j = run(&[fixture("registration/b-graph-beta.csv"), f], None).json;
    let c = &j["signins"]["registered_vs_used"];
    assert_eq!(c["used_mfa"], 1); // alice
    assert_eq!(c["requirement_unknown"], 1); // carol: nothing says single-factor
    assert_eq!(c["single_factor_only"], 0);
    assert_eq!(j["actions"]["by_code"]["MFA_NOT_ENFORCED"], 0);
}

#[test]
fn failed_legacy_attempts_are_not_legacy_use() {
    let dir = tempfile::tempdir().unwrap();
    let f = temp_csv(
        dir.path(),
        "InteractiveSignIns_spray.csv",
        "Date (UTC),Request ID,User ID,Username,Status,Sign-in error code,Client app,Authentication requirement",
        &[
            &format!("2026-09-20T10:00:00Z,s1,{ALICE},alice@contoso.example,Failure,50126,IMAP4,Single-factor authentication"),
            &format!("2026-09-20T10:01:00Z,s2,{CAROL},carol@contoso.example,Failure,50126,POP3,Single-factor authentication"),
        ],
    );
    let j = run(&[fixture("registration/b-graph-beta.csv"), f], None).json;
    assert_eq!(j["signins"]["legacy_auth"], 2);
    assert_eq!(j["signins"]["legacy_auth_users"], 2);
    assert_eq!(j["signins"]["legacy_success_users"], 0);
    assert_eq!(finding(&j, "legacy-auth")["status"], "partly_met");
    assert_eq!(j["actions"]["by_code"]["USES_LEGACY_AUTH"], 0);
}

#[test]
fn guests_match_their_home_address_without_object_ids() {
    // The portal registration download has no id column; gina signs in as gina@fabrikam.example.
    let files = [
        fixture("registration/a-portal.csv"),
        fixture("signins/InteractiveSignIns_2026-09-20_2026-09-23.csv"),
    ];
    let j = run(&files, None).json;
    let c = &j["signins"]["registered_vs_used"];
    assert_eq!(c["not_in_registration"], 1); // only zed
    assert_eq!(c["no_signins"], 1); // hank
}

#[test]
fn without_a_status_column_the_error_code_decides() {
    let dir = tempfile::tempdir().unwrap();
    let f = temp_csv(
        dir.path(),
        "InteractiveSignIns_nostatus.csv",
        "Date (UTC),Request ID,User ID,Username,Sign-in error code",
        &[
            &format!("2026-09-20T10:00:00Z,t1,{ALICE},alice@contoso.example,0"),
            &format!("2026-09-20T10:01:00Z,t2,{CAROL},carol@contoso.example,50074"),
            &format!("2026-09-20T10:02:00Z,t3,{CAROL},carol@contoso.example,50126"),
        ],
    );
    let j = run(&[fixture("registration/b-graph-beta.csv"), f], None).json;
    let s = &j["signins"];
    assert_eq!(
        (
            s["success"].as_u64(),
            s["interrupted"].as_u64(),
            s["failure"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
}

#[test]
fn a_header_only_sign_in_file_still_gives_a_sign_in_section() {
    let dir = tempfile::tempdir().unwrap();
    let f = temp_csv(
        dir.path(),
        "InteractiveSignIns_empty.csv",
        "Date (UTC),Request ID,User ID,Username,Status",
        &[],
    );
    let j = run(&[fixture("registration/b-graph-beta.csv"), f], None).json;
    assert_eq!(j["signins"]["rows"], 0);
    assert_eq!(j["signins"]["registered_vs_used"]["no_signins"], 11);
    assert_eq!(finding(&j, "R2")["status"], "needs_data");
}

#[test]
fn a_guest_passing_home_tenant_mfa_is_not_a_gap() {
    // hank (guest, not MFA capable here) signs in with MFA satisfied by a claim from his home
    // tenant; dave (member, not capable) signs in single-factor.
    let dir = tempfile::tempdir().unwrap();
    let hank = "00000008-0000-4000-8000-000000000008";
    let dave = "00000004-0000-4000-8000-000000000004";
    let f = temp_csv(
        dir.path(),
        "InteractiveSignIns_guest.csv",
        "Date (UTC),Request ID,User ID,Username,Status,Authentication requirement,Multifactor authentication result",
        &[
            &format!("2026-09-20T10:00:00Z,g1,{hank},hank@tailspin.example,Success,Multifactor authentication,MFA requirement satisfied by claim in the token"),
            &format!("2026-09-20T10:05:00Z,g2,{dave},dave@contoso.example,Success,Single-factor authentication,"),
        ],
    );
    let j = run(&[fixture("registration/b-graph-beta.csv"), f], None).json;
    let c = &j["signins"]["registered_vs_used"];
    assert_eq!(c["external_mfa"], 1); // hank
    assert_eq!(c["not_capable_signed_in"], 1); // dave
}

#[test]
fn users_csv_lists_every_user_with_sign_in_usage() {
    let out = run(
        &[
            fixture("registration/b-graph-beta.csv"),
            fixture("signins/InteractiveSignIns_2026-09-20_2026-09-23.csv"),
        ],
        None,
    );
    let text = out.users.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "first_action_rule");
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 11, "every distinct user, actions or not");
    let upns: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
    let mut sorted = upns.clone();
    sorted.sort_by_key(|u| u.to_lowercase());
    assert_eq!(upns, sorted, "sorted by UPN");
    // alice has no action but is listed, with her sign-in usage (r01 push, r02 token; r23 has
    // the same method): 3 sign-ins, MFA by Authenticator notification.
    let alice = rows
        .iter()
        .find(|r| &r[1] == "alice@contoso.example")
        .unwrap();
    assert_eq!(&alice[0], "");
    assert_eq!(&alice[col("signins")], "3");
    assert_eq!(&alice[col("mfa_methods_used")], "authenticator_push");
    assert_eq!(&alice[col("signin_class")], "used_mfa");
    // judy's first action is rule 1 (ADMIN_NO_MFA).
    let judy = rows
        .iter()
        .find(|r| &r[1] == "judy@contoso.example")
        .unwrap();
    assert_eq!(&judy[0], "1");
}

/// An archive with a bad member is left out whole: its sign-ins do not count either.
#[test]
fn a_bad_archive_member_leaves_out_the_whole_archive() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("exports.zip");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("a/InteractiveSignIns_2026-09-20_2026-09-23.csv", options)
            .unwrap();
        zip.write_all(
            &std::fs::read(fixture(
                "signins/InteractiveSignIns_2026-09-20_2026-09-23.csv",
            ))
            .unwrap(),
        )
        .unwrap();
        zip.start_file("b/users.csv", options).unwrap();
        zip.write_all(
            b"userPrincipalName,isMfaCapable,methodsRegistered\nx@contoso.example,maybe,[]\n",
        )
        .unwrap();
        zip.finish().unwrap();
    }
    let non_interactive = fixture("signins/NonInteractiveSignIns_2026-09-20_2026-09-23.csv");
    let registration = fixture("registration/b-graph-beta.csv");
    let with_zip = run_lenient(&[registration.clone(), non_interactive.clone(), zip_path]).json;
    let without = run(&[registration, non_interactive], None).json;
    assert_eq!(with_zip["signins"], without["signins"]);
    let skipped = with_zip["skipped_files"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .contains("'maybe' is not a boolean"),
        "{skipped:?}"
    );
}

/// A second copy of a sign-in download is read once, and a copy that is not UTF-8 (a byte of
/// another encoding in any column) is refused whole: neither adds a row.
#[test]
fn copies_and_non_utf8_sign_in_files_add_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    let original = fixture("signins/InteractiveSignIns_2026-09-20_2026-09-23.csv");
    let bytes = std::fs::read(&original).unwrap();
    std::fs::write(dir.path().join("InteractiveSignIns_copy.csv"), &bytes).unwrap();
    // Replace the last byte of the second line's first field with Latin-1 'é' (0xE9).
    let mut latin1 = bytes.clone();
    let second_line = latin1.iter().position(|&b| b == b'\n').unwrap() + 1;
    let comma = second_line
        + latin1[second_line..]
            .iter()
            .position(|&b| b == b',')
            .unwrap();
    latin1[comma - 1] = 0xE9;
    std::fs::write(dir.path().join("InteractiveSignIns_latin1.csv"), &latin1).unwrap();
    let registration = fixture("registration/b-graph-beta.csv");
    let once = run(&[registration.clone(), original.clone()], None).json;
    let with_copies = run(&[registration, original, dir.path().to_path_buf()], None).json;
    assert_eq!(with_copies["signins"], once["signins"]);
    let reasons: Vec<String> = with_copies["skipped_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons.iter().any(|r| r.starts_with("same content as")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("is not UTF-8 text")),
        "{reasons:?}"
    );
}

/// Registration rows dropped as duplicates shift the row numbers of the users after them: a user
/// listed after a duplicate still gets the MFA methods of their sign-ins.
#[test]
fn users_after_a_duplicate_registration_row_keep_their_sign_in_methods() {
    let dir = tempfile::tempdir().unwrap();
    // The fixture already holds a duplicate (ivan's old row); lena comes after it, last.
    let mut registration =
        std::fs::read_to_string(fixture("registration/b-graph-beta.csv")).unwrap();
    let bob = registration
        .lines()
        .find(|l| l.contains("bob@contoso.example"))
        .unwrap()
        .to_string();
    let lena = bob
        .replace(
            "00000002-0000-4000-8000-000000000002",
            "00000013-0000-4000-8000-000000000013",
        )
        .replace("bob@contoso.example", "lena@contoso.example")
        .replace("Bob, the Builder", "Lena");
    if !registration.ends_with('\n') {
        registration.push('\n');
    }
    registration.push_str(&lena);
    registration.push('\n');
    let reg = dir.path().join("registration.csv");
    std::fs::write(&reg, registration).unwrap();
    let signins = std::fs::read_to_string(fixture(
        "signins/InteractiveSignIns_2026-09-20_2026-09-23.csv",
    ))
    .unwrap();
    let header = signins
        .lines()
        .next()
        .unwrap()
        .trim_start_matches('\u{feff}');
    let bob_signin = signins.lines().find(|l| l.contains(",r03,")).unwrap();
    let lena_signin = bob_signin
        .replace(",r03,", ",l01,")
        .replace(
            "00000002-0000-4000-8000-000000000002",
            "00000013-0000-4000-8000-000000000013",
        )
        .replace("bob@contoso.example", "lena@contoso.example");
    let f = temp_csv(
        dir.path(),
        "InteractiveSignIns_lena.csv",
        header,
        &[bob_signin, &lena_signin],
    );
    let out = run(&[reg, f], None);
    let text = out.users.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 12, "11 distinct fixture users and lena");
    for upn in ["bob@contoso.example", "lena@contoso.example"] {
        let r = rows.iter().find(|r| &r[1] == upn).unwrap();
        assert_eq!(&r[col("signins")], "1", "{upn}");
        assert_eq!(&r[col("mfa_methods_used")], "sms", "{upn}");
        assert_eq!(&r[col("signin_class")], "used_mfa", "{upn}");
    }
}
