//! The JSON summary contract, checked key by key on a fixture whose numbers are worked out by
//! hand below. Fixture `registration/b-graph-beta.csv` (Graph beta property subset, shuffled
//! column order) holds these users (the distinct users after duplicate resolution):
//!
//! | user  | type   | admin | capable | registered | methods (MFA ones marked *)                | default   | SSPR en/reg |
//! |-------|--------|-------|---------|------------|--------------------------------------------|-----------|-------------|
//! | alice | member | yes   | T       | T          | fido2SecurityKey*, microsoftAuthenticatorPush* | push  | T/T |
//! | bob   | member | yes   | T       | T          | mobilePhone*                               | mobile    | T/T |
//! | carol | member | no    | T       | T          | push*, softwareOneTimePasscode*            | push      | T/T |
//! | dave  | member | no    | F       | F          | (none)                                     | none      | T/F |
//! | erin  | member | no    | F       | F          | email, securityQuestion                    | none      | T/T |
//! | frank | member | no    | T       | T          | passwordless*, push*, windowsHelloForBusiness* | push  | T/T |
//! | gina  | guest  | no    | T       | T          | mobilePhone*, officePhone*                 | office    | F/F |
//! | hank  | guest  | no    | F       | F          | (none)                                     | none ("") | F/F |
//! | ivan  | member | no    | F       | T          | softwareOneTimePasscode*, mobilePhone*     | mobile    | T/T |
//! | judy  | member | yes   | F       | F          | temporaryAccessPass                        | none      | T/F |
//! | kim   | member | no    | T       | T          | passKeySynced*, qrCodePin (unknown)        | none ("") | T/T |
//!
//! plus `IVAN@contoso.example`, an older row of ivan (same UPN ignoring case) that must lose.

mod common;

use common::{finding, run_fixture};
use serde_json::json;

#[test]
fn registration_object_matches_hand_computed_values() {
    let out = run_fixture("registration/b-graph-beta.csv");
    let r = &out.json["registration"];
    let expect = json!({
        "users": 11,                      // 12 rows, ivan twice
        "members": 9,
        "guests": 2,                      // gina, hank (userType guest)
        "admins": 3,                      // alice, bob, judy
        "mfa_capable": 6,                 // alice bob carol frank gina kim
        "mfa_registered": 7,              // + ivan (newest row says True)
        "sspr_capable": 7,                // alice bob carol erin frank ivan kim
        "sspr_registered": 7,             // alice bob carol erin frank ivan kim
        "sspr_enabled": 9,                // all but the two guests
        "passwordless_capable": 3,        // alice frank kim
        "system_preferred_enabled": 11,
        "no_mfa_method": 4,               // dave erin hank judy
        "single_mfa_method": 2,           // bob (mobilePhone), kim (passKeySynced; qrCodePin is unknown)
        "phone_only": 2,                  // bob, gina
        "authenticator_registered": 3,    // alice carol frank
        "authenticator_default": 3,       // alice carol frank
        "phishing_resistant": 3,          // alice (FIDO2), frank (WHfB), kim (synced passkey)
        "no_independent_backup": 4,       // bob & gina (phone number), carol (one phone app), kim (synced only)
        "backup_only_phone": 1,           // ivan: app + phone number
        "strong_backup": 2,               // alice (key + app), frank (app + computer)
        "admins_not_mfa_capable": 1,      // judy
        "admins_not_phishing_resistant": 2, // bob, judy
        "mfa_without_sspr": 1,            // gina
        "methods_unknown_users": 0,
    });
    for (key, value) in expect.as_object().unwrap() {
        assert_eq!(&r[key], value, "registration.{key}");
    }
    assert_eq!(
        r["methods"],
        json!({
            "fido2SecurityKey": 1, "passKeySynced": 1, "windowsHelloForBusiness": 1,
            "microsoftAuthenticatorPasswordless": 1, "microsoftAuthenticatorPush": 3,
            "softwareOneTimePasscode": 2, "mobilePhone": 3, "officePhone": 1,
            "email": 1, "securityQuestion": 1, "temporaryAccessPass": 1, "qrCodePin": 1
        })
    );
    assert_eq!(
        r["default_methods"],
        json!({"none": 5, "microsoftAuthenticatorPush": 3, "mobilePhone": 2, "officePhone": 1})
    );
    assert_eq!(
        r["tiers"],
        json!({"phishing_resistant": 3, "passwordless": 0, "authenticator": 1, "oath": 1,
               "phone": 2, "sspr_only": 1, "none": 3})
    );
    let tier_sum: u64 = r["tiers"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(tier_sum, 11, "tiers add up to all users");
    assert_eq!(r["duplicates"]["rows_read"], 12);
    assert_eq!(r["duplicates"]["duplicate_rows"], 1);
    assert_eq!(r["duplicates"]["examples"], json!(["ivan@contoso.example"]));
    assert_eq!(
        r["unknown_methods"],
        json!([{"name": "qrCodePin", "users": 1}])
    );
}

#[test]
fn populations_are_broken_down() {
    let out = run_fixture("registration/b-graph-beta.csv");
    let p = &out.json["registration"]["by_population"];
    assert_eq!(p["guests"]["users"], 2);
    assert_eq!(p["guests"]["no_mfa_method"], 1); // hank
    assert_eq!(p["guests"]["phone_only"], 1); // gina
    assert_eq!(p["members"]["users"], 9);
    assert_eq!(p["members"]["no_mfa_method"], 3); // dave erin judy
    assert_eq!(p["admins"]["users"], 3);
    assert_eq!(p["admins"]["mfa_capable"], 2);
    assert_eq!(p["admins"]["phishing_resistant"], 1); // alice
    assert_eq!(p["admins"]["tiers"]["none"], 1); // judy (TAP only)
}

#[test]
fn top_level_metadata() {
    let out = run_fixture("registration/b-graph-beta.csv");
    let j = &out.json;
    assert_eq!(j["schema_version"], 1);
    assert_eq!(j["tool"]["name"], "entra-mfa-report");
    assert_eq!(j["tool"]["version"], env!("CARGO_PKG_VERSION"));
    // Newest lastUpdatedDateTime is alice's 2026-09-22T18:49:13.142503Z.
    assert_eq!(j["as_of"], "2026-09-22");
    assert_eq!(j["as_of_source"], "data");
    // 2026-09-22 → 2027-02-01: 8 + 31 + 30 + 31 + 31 + 1 = 132 days.
    assert_eq!(j["days_to_sms_voice_retirement"], 132);
    let input = &j["inputs"][0];
    assert_eq!(input["kind"], "registration");
    assert_eq!(input["variant"], "graph-beta");
    assert_eq!(input["rows"], 12);
    assert_eq!(input["skipped_rows"], 0);
    let bytes = std::fs::read(common::fixture("registration/b-graph-beta.csv")).unwrap();
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(input["sha256"], digest);
}

#[test]
fn recommendations_have_statuses_numbers_and_links() {
    let out = run_fixture("registration/b-graph-beta.csv");
    let j = &out.json;
    let ids: Vec<&str> = j["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["R1", "R2", "R3", "R4", "R5", "R6"]);
    for f in j["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .chain(j["findings"].as_array().unwrap())
    {
        assert!(
            f["learn_url"]
                .as_str()
                .unwrap()
                .starts_with("https://learn.microsoft.com/"),
            "{}",
            f["id"]
        );
        assert!(!f["why"].as_str().unwrap().is_empty());
        assert!(!f["fix"].as_str().unwrap().is_empty());
    }
    for id in ["R1", "R2", "R3"] {
        let f = finding(j, id);
        assert_eq!(f["status"], "needs_data", "{id}");
        assert!(
            f["needs"].as_str().unwrap().contains("Download"),
            "{id} names the export"
        );
    }
    // R4: 7 users with MFA; alice, carol, frank default to Authenticator and kim has a synced
    // passkey with no default (stronger): bob, gina (phone only) and ivan are affected.
    let r4 = finding(j, "R4");
    assert_eq!(
        (r4["population"].as_u64(), r4["affected"].as_u64()),
        (Some(7), Some(3))
    );
    assert_eq!(r4["status"], "partly_met");
    // R5: 7 with MFA, 2 with a strong backup → 5 affected.
    let r5 = finding(j, "R5");
    assert_eq!(
        (r5["population"].as_u64(), r5["affected"].as_u64()),
        (Some(7), Some(5))
    );
    assert_eq!(r5["status"], "not_met");
    // R6: 9 of 11 users have at least one action (all but alice and frank).
    let r6 = finding(j, "R6");
    assert_eq!(
        (r6["population"].as_u64(), r6["affected"].as_u64()),
        (Some(11), Some(9))
    );
    assert_eq!(finding(j, "admins-mfa")["status"], "not_met");
    assert_eq!(finding(j, "admins-mfa")["affected"], 1);
    assert_eq!(finding(j, "admins-phishing-resistant")["affected"], 2);
    assert_eq!(finding(j, "no-mfa")["affected"], 3);
    assert_eq!(finding(j, "no-mfa")["status"], "partly_met");
    assert_eq!(finding(j, "sms-voice-retirement")["affected"], 2);
    assert_eq!(finding(j, "registered-not-capable")["affected"], 1);
    assert_eq!(finding(j, "guests-no-mfa")["affected"], 1);
    assert_eq!(finding(j, "guests-no-mfa")["status"], "partly_met");
    let examples: Vec<&str> = finding(j, "admins-mfa")["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["upn"].as_str().unwrap())
        .collect();
    assert_eq!(examples, ["judy@contoso.example"]);
}

#[test]
fn per_user_actions_are_complete_and_in_priority_order() {
    let out = run_fixture("registration/b-graph-beta.csv");
    assert_eq!(
        out.json["actions"]["by_code"],
        json!({
            "ADMIN_NO_MFA": 1,                 // judy
            "NOT_CAPABLE_SIGNING_IN": 0,       // no sign-in logs given
            "REPEATED_MFA_DENIALS": 0,
            "SUSPICIOUS_REGISTRATION": 0,
            "NO_MFA_METHOD": 2,                // dave, judy
            "SSPR_ONLY": 1,                    // erin
            "GUEST_NO_MFA": 1,                 // hank
            "REGISTERED_NOT_CAPABLE": 1,       // ivan
            "LATE_REGISTRATION": 0,            // no audit log given
            "USES_LEGACY_AUTH": 0,
            "ADMIN_NOT_PHISHING_RESISTANT": 1, // bob
            "PHONE_ONLY": 2,                   // bob, gina
            "NO_INDEPENDENT_BACKUP": 2,        // carol, kim
            "BACKUP_IS_PHONE": 1,              // ivan
            "DEFAULT_NOT_AUTHENTICATOR": 1,    // ivan (mobile); kim's synced passkey is stronger
            "DEFAULT_SWITCHED_TO_PHONE": 0,
            "MFA_NOT_ENFORCED": 0,
            "SSPR_NOT_REGISTERED": 2,          // dave, judy
        })
    );
    assert_eq!(out.json["actions"]["users_with_actions"], 9);

    let csv = out
        .csv
        .strip_prefix('\u{feff}')
        .expect("UTF-8 BOM for Excel");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        headers,
        [
            "priority",
            "user_principal_name",
            "display_name",
            "user_type",
            "admin",
            "tier",
            "methods",
            "default_method",
            "action_codes",
            "actions",
            "signin_class",
            "signins",
            "successful_signins",
            "single_factor_signins",
            "mfa_methods_used",
            "first_registration",
            "last_registration",
            "audit_events",
            "department",
            "country",
            "account_enabled",
            "admin_roles",
            "scope",
            "scope_reason"
        ]
    );
    // No sign-in logs: the sign-in columns are empty, not zero.
    let judy_row = reader.records().next().unwrap().unwrap();
    let sign_in_cells: Vec<&str> = judy_row.iter().skip(10).take(8).collect();
    assert_eq!(sign_in_cells, ["", "", "", "", "", "", "", ""]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let upns: Vec<&str> = rows.iter().map(|r| r.get(1).unwrap()).collect();
    assert_eq!(
        upns,
        [
            "judy@contoso.example",                               // ADMIN_NO_MFA
            "dave@contoso.example",                               // NO_MFA_METHOD
            "erin@contoso.example",                               // SSPR_ONLY
            "hank_tailspin.example#EXT#@contoso.onmicrosoft.com", // GUEST_NO_MFA
            "ivan@contoso.example",                               // REGISTERED_NOT_CAPABLE
            "bob@contoso.example",                                // ADMIN_NOT_PHISHING_RESISTANT
            "gina_fabrikam.example#EXT#@contoso.onmicrosoft.com", // PHONE_ONLY
            "carol@contoso.example", // NO_INDEPENDENT_BACKUP (then by UPN)
            "kim@contoso.example",
        ]
    );
    let judy = &rows[0];
    assert_eq!(judy.get(4), Some("yes"));
    assert_eq!(judy.get(5), Some("none"));
    assert_eq!(
        judy.get(8),
        Some("ADMIN_NO_MFA NO_MFA_METHOD SSPR_NOT_REGISTERED")
    );
    let ivan = &rows[4];
    assert_eq!(ivan.get(5), Some("oath"));
    assert_eq!(ivan.get(6), Some("softwareOneTimePasscode, mobilePhone"));
    assert_eq!(
        ivan.get(8),
        Some("REGISTERED_NOT_CAPABLE BACKUP_IS_PHONE DEFAULT_NOT_AUTHENTICATOR")
    );
}
