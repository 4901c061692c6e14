//! Registration timeline from audit logs, on hand-made fixtures next to the registration
//! fixture of `contract.rs`. `audit/AuditLogs_2026-11-03.csv` (portal layout, 86 columns, every
//! field quoted) holds, newest first:
//!
//! | when (UTC)          | user  | service / activity                                   | result  | reason                                    |
//! |---------------------|-------|------------------------------------------------------|---------|-------------------------------------------|
//! | 2026-11-03 09:00    | frank | User changed default security info                   | success | … for Text a code to +X XXXXXXXX12         |
//! | 2026-11-01 00:00:00 | carol | User registered all required security info           | success |                                           |
//! | 2026-11-01 00:00:00 | carol | User registered security info                        | success | Authenticator App with Code               |
//! | 2026-10-31 23:59:59 | bob   | User registered security info                        | success | Mobile Phone SMS                          |
//! | 2026-10-23          | —     | Microsoft Entra Management UX / Download … (bulk)    | success | (skipped service)                         |
//! | 2026-10-22          | gina  | Core Directory / Add member to group                 | success | (skipped service)                         |
//! | 2026-10-21          | ivan  | Core Directory / Update user, StrongAuthenticationMethod changed | success | (relevant)                    |
//! | 2026-10-20          | ivan  | User deleted security info                           | success | Mobile Phone Call and SMS                 |
//! | 2026-10-15          | kim   | User registered security info                        | success | Hardware OATH token (unknown reason)      |
//! | 2026-10-12          | dave  | User registered all required security info           | failure | User canceled security info registration. |
//! | 2026-10-10          | judy  | Admin registered security info (by alice)            | success | … temporary access pass …                 |
//! | 2026-10-05 08:02    | alice | User registered all required security info           | success |                                           |
//! | 2026-10-05 08:01    | alice | User registered security info                        | success | Authenticator App with Notification and Code |
//! | 2026-10-05 08:00    | alice | User started security info registration              | success |                                           |

mod common;

use chrono::NaiveDate;
use common::{finding, fixture, run_with_deadline};
use serde_json::{json, Value};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn audit_run(files: &[&str], deadline: Option<&str>) -> Value {
    let mut inputs = vec![fixture("registration/b-graph-beta.csv")];
    inputs.extend(files.iter().map(|f| fixture(f)));
    run_with_deadline(&inputs, None, deadline.map(date)).json
}

#[test]
fn audit_totals_and_deadline_split() {
    let j = audit_run(&["audit/AuditLogs_2026-11-03.csv"], Some("2026-10-31"));
    let a = &j["audit"];
    let expect = json!({
        "rows": 14,
        "relevant_rows": 12,                 // all but the two skipped services
        "skipped_by_service": {"Core Directory": 1, "Microsoft Entra Management UX": 1},
        "window_start": "2026-10-05T08:00:00Z",
        "window_end": "2026-11-03T09:00:00Z",
        "registration_events": 7,            // alice ×2, bob, carol ×2, judy (admin), kim
        "users_registered": 5,               // alice bob carol judy kim (dave's attempt failed)
        "combined_registrations": 2,         // alice, carol
        "combined_users": 2,
        "admin_registrations": 1,            // judy by alice
        "admin_registered_users": 1,
        "tap_issued": 1,
        "default_changed": 1,
        "default_changed_to_phone": 1,       // frank: text a code
        "default_changed_to_phone_users": 1,
        "deletions": 1,
        "failures": 1,
        "cancellations": 1,
        "methods_registered": {"microsoftAuthenticatorPush": 1, "mobilePhone": 1, "softwareOneTimePasscode": 1},
        "unknown_reasons": {"User registered Hardware OATH token": 1},
        "deadline": "2026-10-31",
        "deadline_source": "argument",
        // First self-registrations: alice 10-05, kim 10-15, bob 10-31 23:59:59 (the deadline
        // day counts as in time), carol 11-01 00:00:00 (the first moment after it). judy was
        // registered by an admin, the help-desk path: neither in time nor late.
        "registered_before_deadline": 3,
        "registered_after_deadline": 1,
    });
    for (key, value) in expect.as_object().unwrap() {
        assert_eq!(&a[key], value, "audit.{key}");
    }
    assert_eq!(
        a["events_by_activity"],
        json!({
            "User registered security info": 4,
            "User registered all required security info": 3,
            "Admin registered security info": 1,
            "Update user": 1,
            "User changed default security info": 1,
            "User deleted security info": 1,
            "User started security info registration": 1,
        })
    );
    assert_eq!(
        a["timeline"][3],
        json!({"day": "2026-10-31", "first_registrations": 1, "cumulative": 4})
    );
    assert_eq!(
        a["timeline"][4],
        json!({"day": "2026-11-01", "first_registrations": 1, "cumulative": 5})
    );
    // The newest event (frank, 11-03) is later than the registration export.
    assert_eq!(j["as_of"], "2026-11-03");
}

#[test]
fn r1_r3_and_actions_from_the_audit_log() {
    let j = audit_run(&["audit/AuditLogs_2026-11-03.csv"], Some("2026-10-31"));
    let r1 = finding(&j, "R1");
    // 5 users registered; alice and carol completed the combined experience themselves.
    assert_eq!(
        (r1["population"].as_u64(), r1["affected"].as_u64()),
        (Some(5), Some(3))
    );
    assert_eq!(r1["status"], "not_met");
    let r3 = finding(&j, "R3");
    assert_eq!(
        (r3["population"].as_u64(), r3["affected"].as_u64()),
        (Some(4), Some(1))
    );
    assert_eq!(r3["status"], "partly_met");
    assert_eq!(finding(&j, "default-to-phone")["affected"], 1);
    assert_eq!(j["actions"]["by_code"]["LATE_REGISTRATION"], 1); // carol
    assert_eq!(j["actions"]["by_code"]["DEFAULT_SWITCHED_TO_PHONE"], 1); // frank
    assert_eq!(finding(&j, "late-registrations")["status"], "partly_met");
    assert_eq!(finding(&j, "late-registrations")["affected"], 1);
    // Registration export: 11 users, 6 MFA capable.
    assert_eq!(j["audit"]["not_capable_at_as_of"], 5);
}

#[test]
fn actions_csv_names_each_users_first_and_last_registration() {
    let inputs = vec![
        fixture("registration/b-graph-beta.csv"),
        fixture("audit/AuditLogs_2026-11-03.csv"),
    ];
    let out = run_with_deadline(&inputs, None, Some(date("2026-10-31")));
    let text = out.csv.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let carol = reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[1] == "carol@contoso.example")
        .unwrap();
    assert_eq!(&carol[col("first_registration")], "2026-11-01T00:00:00Z");
    assert_eq!(&carol[col("last_registration")], "2026-11-01T00:00:00Z");
    assert_eq!(&carol[col("audit_events")], "registered 2");
    // judy: registered by alice with a Temporary Access Pass (users CSV: every user).
    let users = out.users.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(users.as_bytes());
    let judy = reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[1] == "judy@contoso.example")
        .unwrap();
    assert_eq!(
        &judy[col("audit_events")],
        "registered 1, registered by an admin 1, Temporary Access Pass 1"
    );
    assert!(carol[col("action_codes")].contains("LATE_REGISTRATION"));
}

#[test]
fn without_a_deadline_one_is_suggested() {
    let j = audit_run(&["audit/AuditLogs_2026-11-03.csv"], None);
    let a = &j["audit"];
    assert_eq!(a["deadline_source"], "suggested");
    assert_eq!(a["deadline"], "2026-11-17"); // as-of 2026-11-03 + 14 days
    assert_eq!(a["registered_after_deadline"], Value::Null);
    assert_eq!(finding(&j, "R3")["status"], "needs_data");
    assert_eq!(j["actions"]["by_code"]["LATE_REGISTRATION"], 0);
}

#[test]
fn spanish_unquoted_and_json_downloads() {
    // es: erin registers a FIDO key on 10-06; hank completes registration on 11-02.
    // JSON: frank registers Windows Hello on 10-07; alice (admin) registers a phone for gina on 11-05.
    let j = audit_run(
        &["audit/es-AuditLogs.csv", "audit/AuditLogs_2026-11-05.json"],
        Some("2026-10-31"),
    );
    let a = &j["audit"];
    assert_eq!(a["rows"], 4);
    assert_eq!(a["registration_events"], 4);
    assert_eq!(a["users_registered"], 4);
    assert_eq!(a["admin_registrations"], 1);
    assert_eq!(
        a["methods_registered"],
        json!({"fido2SecurityKey": 1, "windowsHelloForBusiness": 1})
    );
    assert_eq!(a["registered_before_deadline"], 2); // erin, frank
    assert_eq!(a["registered_after_deadline"], 1); // hank; gina was registered by an admin
    assert_eq!(a["window_end"], "2026-11-05T07:07:07Z");
    let kinds: Vec<&str> = j["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "audit_log").count(), 2);
}

#[test]
fn registration_origin_from_sign_ins() {
    // alice registers (session k1) through a My Signins sign-in from RU with the same
    // correlation id, but otherwise signs in from the US: suspicious. bob registers (k2) with
    // no correlated sign-in, but his compliant My Signins sign-in 10 minutes later is the
    // origin (US, as usual). carol registers with no sign-in at all. judy is registered by an
    // admin (not counted: the admin's location says nothing about judy).
    let dir = tempfile::tempdir().unwrap();
    let alice = "00000001-0000-4000-8000-000000000001";
    let bob = "00000002-0000-4000-8000-000000000002";
    let audit = dir.path().join("AuditLogs.csv");
    std::fs::write(
        &audit,
        format!(
            "Date (UTC),CorrelationId,Service,Category,Activity,Result,ResultReason,ActorType,ActorUserPrincipalName,ActorObjectId,Target1UserPrincipalName,Target1ObjectId\n\
             2026-10-05T08:01:00Z,k1,Authentication Methods,UserManagement,User registered security info,success,User registered Authenticator App with Notification,User,alice@contoso.example,{alice},alice@contoso.example,{alice}\n\
             2026-10-06T09:00:00Z,k2,Authentication Methods,UserManagement,User registered security info,success,User registered Mobile Phone SMS,User,bob@contoso.example,{bob},bob@contoso.example,{bob}\n\
             2026-10-07T09:00:00Z,k3,Authentication Methods,UserManagement,User registered security info,success,User registered Email,User,carol@contoso.example,,carol@contoso.example,\n\
             2026-10-08T09:00:00Z,k4,Authentication Methods,UserManagement,Admin registered security info,success,Admin registered phone method for user,User,alice@contoso.example,{alice},judy@contoso.example,\n"
        ),
    )
    .unwrap();
    let signins = dir.path().join("InteractiveSignIns.csv");
    std::fs::write(
        &signins,
        format!(
            "Date (UTC),Request ID,Correlation ID,User ID,Username,Application,Application ID,Location,Status,Compliant,Join Type\n\
             2026-10-05T08:00:30Z,s1,k1,{alice},alice@contoso.example,My Signins,19db86c3-b2b9-44cc-b339-36da233a3be2,\"Moscow, Moscow, RU\",Success,False,\n\
             2026-10-04T08:00:00Z,s2,x1,{alice},alice@contoso.example,Office 365 Exchange Online,00000002-0000-0ff1-ce00-000000000000,\"Seattle, Washington, US\",Success,True,Microsoft Entra joined\n\
             2026-10-06T09:10:00Z,s3,x2,{bob},bob@contoso.example,My Signins,19db86c3-b2b9-44cc-b339-36da233a3be2,\"Seattle, Washington, US\",Success,True,Microsoft Entra joined\n\
             2026-10-06T12:00:00Z,s4,x3,{bob},bob@contoso.example,Microsoft Teams,1fec8e78-bce4-4aaf-ab1b-5451cc387264,\"Redmond, Washington, US\",Success,True,Microsoft Entra joined\n"
        ),
    )
    .unwrap();
    let inputs = vec![fixture("registration/b-graph-beta.csv"), audit, signins];
    let j = run_with_deadline(&inputs, None, None).json;
    assert_eq!(
        j["audit"]["registration_origin"],
        json!({
            "registrations": 3,
            "matched": 2,
            "matched_by_correlation_id": 1,
            "from_compliant_or_hybrid": 1,
            "suspicious": 1,
            "suspicious_users": 1,
            "examples": [{"user": "alice@contoso.example", "when": "2026-10-05 08:01 UTC", "country": "RU", "usual_countries": ["US"]}],
        })
    );
    assert_eq!(finding(&j, "suspicious-registrations")["status"], "not_met");
    assert_eq!(j["actions"]["by_code"]["SUSPICIOUS_REGISTRATION"], 1);
}
