//! Population controls: the users list (enabled accounts, department, country, on-premises
//! sync), role assignments (admins) and exclusions change the denominators as documented in
//! docs/METRICS.md ("Population").
//!
//! The fixture `tests/fixtures/population/` has 12 registration users, a users list of 13
//! accounts (11 of them in the registration export) and 5 role assignments. The expected
//! figures below are worked out by hand from the fixture files, user by user:
//!
//! | user     | users list                | capable | methods            | rule            |
//! |----------|---------------------------|---------|--------------------|-----------------|
//! | ann      | Sales, US, synced (by id; UPN case differs) | yes | Authenticator | in scope |
//! | ben      | Sales, US, synced         | no      | none               | in scope        |
//! | cat      | Sales, US, **disabled**   | yes     | phone              | disabled        |
//! | dan      | IT, DE, synced            | yes     | FIDO2 + Authenticator | in scope     |
//! | eve      | IT, DE, **disabled**      | no      | none               | disabled        |
//! | bg-1     | IT                        | yes     | FIDO2              | excluded `bg-*` |
//! | bg-2     | IT                        | no      | none               | excluded `bg-*` |
//! | svc-sync | (no department)           | no      | none               | excluded by id  |
//! | fay      | no id: matched by UPN; country "France", no usage location | yes | phone | in scope |
//! | gus      | **not in the users list** | no      | none               | in scope        |
//! | hal      | HR, US, synced; Global + User Administrator (by id) | yes | Authenticator + phone | in scope |
//! | ivy      | HR, GB, cloud-only; User Administrator, eligible (by UPN) | yes | phone | in scope |
//!
//! The users list also has `zed` (enabled) and `yan` (disabled), who are not in the
//! registration export. Creation dates: ben 11/10/2026, cat 11/15/2026, dan 10/21/2026 00:30,
//! hal 10/20/2026 23:59, ivy 10/25/2026, zed 11/19/2026, fay none, everyone else 2021.

mod common;

use std::path::PathBuf;

use common::{bin, fixed_time, fixture};
use entra_mfa_report::analyze::population::Exclusion;
use entra_mfa_report::{run_report, ReportOptions};
use serde_json::{json, Value};

fn dir() -> PathBuf {
    fixture("population")
}

fn file(name: &str) -> PathBuf {
    dir().join(name)
}

struct Run {
    json: Value,
    html: String,
    actions: String,
    users: String,
    /// Every text part of the workbook (sheets, shared strings), concatenated.
    xlsx_text: String,
    _dir: tempfile::TempDir,
}

fn run(inputs: &[PathBuf], exclusions: Vec<Exclusion>, redact: bool) -> Run {
    let out = tempfile::tempdir().unwrap();
    let opts = ReportOptions {
        inputs: inputs.to_vec(),
        html: Some(out.path().join("r.html")),
        json: Some(out.path().join("s.json")),
        actions: Some(out.path().join("a.csv")),
        users: Some(out.path().join("u.csv")),
        xlsx: Some(out.path().join("w.xlsx")),
        title: "Population test".into(),
        generated_at: Some(fixed_time()),
        exclusions,
        redact: redact.then(|| entra_mfa_report::Redaction {
            passphrase: Some("k".into()),
        }),
        ..Default::default()
    };
    run_report(&opts).unwrap_or_else(|e| panic!("report failed: {e}"));
    let read = |n: &str| std::fs::read_to_string(out.path().join(n)).unwrap();
    Run {
        json: serde_json::from_str(&read("s.json")).unwrap(),
        html: read("r.html"),
        actions: read("a.csv"),
        users: read("u.csv"),
        xlsx_text: {
            use std::io::Read as _;
            let file = std::fs::File::open(out.path().join("w.xlsx")).unwrap();
            let mut zip = zip::ZipArchive::new(file).unwrap();
            let mut text = String::new();
            for i in 0..zip.len() {
                zip.by_index(i).unwrap().read_to_string(&mut text).unwrap();
            }
            text
        },
        _dir: out,
    }
}

fn rule(pattern: &str, reason: &str) -> Exclusion {
    Exclusion {
        pattern: pattern.into(),
        reason: reason.into(),
        source: "--exclude".into(),
    }
}

fn break_glass_and_sync() -> Vec<Exclusion> {
    vec![
        rule("BG-*@contoso.example", "Break-glass accounts"),
        rule(
            "00000000-0000-0000-0000-000000000008",
            "Directory sync account",
        ),
        rule("nobody-*@contoso.example", "Typo"),
    ]
}

/// The UPN (second column) of each data row of a CSV output, lower-cased.
fn upns(csv: &str) -> Vec<String> {
    let mut r = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    r.records()
        .map(|rec| rec.unwrap()[1].to_lowercase())
        .collect()
}

/// `column` of the users CSV row whose UPN starts with `user@`.
fn users_cell(users: &str, user: &str, column: &str) -> String {
    let mut r = csv::Reader::from_reader(users.trim_start_matches('\u{feff}').as_bytes());
    let header = r.headers().unwrap().clone();
    let at = header.iter().position(|h| h == column).unwrap();
    r.records()
        .map(Result::unwrap)
        .find(|rec| rec[1].starts_with(&format!("{user}@")))
        .unwrap_or_else(|| panic!("no user {user}"))[at]
        .to_string()
}

#[test]
fn users_list_roles_and_exclusions_set_the_denominators() {
    let inputs = [
        file("registration.csv"),
        file("users.csv"),
        file("roles.csv"),
    ];
    let r = run(&inputs, break_glass_and_sync(), false);
    let p = &r.json["population"];
    assert_eq!(p["registration_users"], 12);
    // 12 − 3 excluded (bg-1, bg-2, svc-sync) − 2 disabled (cat, eve).
    assert_eq!(p["excluded"], 3);
    assert_eq!(p["disabled"], 2);
    assert_eq!(p["in_scope"], 7);
    assert_eq!(p["users_list"], true);
    assert_eq!(p["not_in_users_list"], 1, "gus");
    assert_eq!(p["only_in_users_list"], 1, "zed (yan is disabled)");
    assert_eq!(p["synchronized"], 4, "ann, ben, dan, hal");
    assert_eq!(
        p["cloud_only"], 2,
        "ivy (False), fay (empty: never synchronized)"
    );
    // Created in the 30 days up to the report date (2026-11-20, the newest lastUpdatedDateTime):
    // from 2026-10-21 00:00 UTC on. ben (11/10, no method), dan (10/21 00:30, FIDO2 and
    // Authenticator), ivy (10/25, phone only); hal (10/20 23:59) is a minute too early, cat
    // (11/15) is disabled, zed (11/19) is not in the registration export; fay has no date.
    assert_eq!(
        p["new_accounts"],
        json!({
            "days": 30,
            "since": "2026-10-21",
            "users": 3,
            "mfa_capable": 2,
            "no_mfa_method": 1,
            "phone_only": 1,
            "without_date": 1,
        })
    );
    assert!(
        r.html.contains("3 accounts in scope were created in the last 30 days (since 2026-10-21): 2 (66.7 %) of them MFA capable, 1 (33.3 %) with no MFA method and 1 (33.3 %) with phone methods only."),
        "new accounts in the HTML"
    );
    assert!(r
        .html
        .contains("no creation date for 1 of the users in scope"));
    assert!(r.xlsx_text.contains("In scope, created since 2026-10-21"));
    let rules: Vec<(String, u64)> = p["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["reason"].as_str().unwrap().into(),
                r["users"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("Break-glass accounts".to_string(), 2),
            ("Directory sync account".to_string(), 1),
            ("Typo".to_string(), 0),
        ]
    );

    // Every figure is over the 7 in scope: capable ann, dan, fay, hal, ivy.
    let reg = &r.json["registration"];
    assert_eq!(reg["users"], 7);
    assert_eq!(reg["mfa_capable"], 5);
    assert_eq!(reg["no_mfa_method"], 2, "ben, gus");
    assert_eq!(reg["phone_only"], 2, "fay, ivy");
    assert_eq!(reg["phishing_resistant"], 1, "dan");
    // No isAdmin in the registration export: admins come from the role assignments.
    assert_eq!(reg["admins"], 2, "hal, ivy");
    assert_eq!(reg["by_population"]["admins"]["users"], 2);
    let roles = &p["role_assignments"];
    assert_eq!(roles["assignments"], 5);
    assert_eq!(roles["non_user_assignments"], 1, "the helpdesk group");
    assert_eq!(
        roles["unmatched_assignments"], 1,
        "former@ is not a user here"
    );
    assert_eq!(roles["users"], 2);
    assert_eq!(roles["added_admins"], 2);
    assert_eq!(
        roles["roles"],
        json!([["User Administrator", 2], ["Global Administrator", 1]])
    );

    // Breakdowns: most users first, ties by name, no value last.
    let dept = |name: Value| -> Value {
        p["by_department"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no department {name}"))
    };
    let order: Vec<Value> = p["by_department"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].clone())
        .collect();
    assert_eq!(
        order,
        [json!("HR"), json!("Sales"), json!("IT"), Value::Null]
    );
    let hr = dept(json!("HR"));
    assert_eq!(
        (&hr["users"], &hr["mfa_capable"], &hr["phone_only"]),
        (&json!(2), &json!(2), &json!(1))
    );
    let sales = dept(json!("Sales"));
    assert_eq!(
        (
            &sales["users"],
            &sales["mfa_capable"],
            &sales["no_mfa_method"]
        ),
        (&json!(2), &json!(1), &json!(1)),
        "ann capable, ben nothing; cat is disabled"
    );
    let none = dept(Value::Null);
    assert_eq!(none["users"], 2, "fay (no department) and gus (not listed)");
    let countries: Vec<(Value, Value)> = p["by_country"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["name"].clone(), b["users"].clone()))
        .collect();
    assert_eq!(
        countries,
        [
            (json!("US"), json!(3)),
            (json!("DE"), json!(1)),
            (json!("France"), json!(1)),
            (json!("GB"), json!(1)),
            (Value::Null, json!(1)),
        ],
        "usage location, else the country of the address (fay)"
    );

    // Departments add up to the users in scope, by a second count.
    let total: u64 = p["by_department"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["users"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 7);

    // Nobody excluded or disabled gets an action; all 12 are in the users CSV with a reason.
    let with_actions = upns(&r.actions);
    for out in ["bg-1", "bg-2", "svc-sync", "cat", "eve"] {
        assert!(
            !with_actions
                .iter()
                .any(|u| u.starts_with(&format!("{out}@"))),
            "{out} has an action"
        );
    }
    assert!(with_actions.contains(&"ben@contoso.example".to_string()));
    assert_eq!(upns(&r.users).len(), 12);
    assert_eq!(users_cell(&r.users, "bg-1", "scope"), "excluded");
    assert_eq!(
        users_cell(&r.users, "bg-1", "scope_reason"),
        "Break-glass accounts"
    );
    assert_eq!(users_cell(&r.users, "bg-2", "first_action_rule"), "");
    assert_eq!(users_cell(&r.users, "cat", "scope"), "disabled");
    assert_eq!(users_cell(&r.users, "cat", "account_enabled"), "no");
    assert_eq!(users_cell(&r.users, "gus", "scope"), "in_scope");
    assert_eq!(users_cell(&r.users, "gus", "account_enabled"), "");
    assert_eq!(
        users_cell(&r.users, "hal", "admin_roles"),
        "Global Administrator; User Administrator"
    );
    assert_eq!(users_cell(&r.users, "hal", "admin"), "yes");
    assert_eq!(users_cell(&r.users, "ann", "department"), "Sales");

    // The report lists the excluded users with their reason and flags the rule that took nobody.
    assert!(r.html.contains("<section id=\"population\">"));
    assert!(r.html.contains("bg-2@contoso.example"));
    assert!(r.html.contains("Directory sync account"));
    assert!(r.html.contains("matches nobody"));
    assert!(
        r.html
            .contains("=HYPERLINK(&quot;http:&#x2f;&#x2f;x&quot;,&quot;sync&quot;)"),
        "the hostile display name is escaped"
    );
    let notes = r.json["data_quality"].as_array().unwrap();
    assert!(notes.iter().any(|n| n["id"] == "exclusion-matches-nobody"));
    assert!(notes.iter().any(|n| n["id"] == "not-in-users-list"));
    // The hostile display name of an excluded user stays a guarded value in the users CSV.
    assert!(r
        .users
        .contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"sync\"\")\""));
    // Both directory files are listed as inputs of their kind.
    let kinds: Vec<&str> = r.json["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"users") && kinds.contains(&"role_assignments"));
}

#[test]
fn without_controls_everyone_counts() {
    let r = run(&[file("registration.csv")], Vec::new(), false);
    let p = &r.json["population"];
    assert_eq!(p["in_scope"], 12);
    assert_eq!(
        (p["disabled"].as_u64(), p["excluded"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(p["users_list"], false);
    assert!(p["by_department"].is_null() && p["not_in_users_list"].is_null());
    assert_eq!(r.json["registration"]["users"], 12);
    // Capable: ann, cat, dan, bg-1, fay, hal, ivy.
    assert_eq!(r.json["registration"]["mfa_capable"], 7);
    // No isAdmin and no role assignments: admins are unknown, not zero.
    assert!(r.json["registration"]["admins"].is_null());
    assert!(r.html.contains("Every one of the 12 distinct users"));
}

#[test]
fn role_assignments_alone_mark_admins_and_keep_everyone_in_scope() {
    let r = run(
        &[file("registration.csv"), file("roles.csv")],
        Vec::new(),
        false,
    );
    assert_eq!(r.json["population"]["in_scope"], 12);
    assert_eq!(r.json["registration"]["admins"], 2);
    // hal is capable, ivy too; neither has a phishing-resistant method.
    assert_eq!(r.json["registration"]["admins_not_mfa_capable"], 0);
    assert_eq!(r.json["registration"]["admins_not_phishing_resistant"], 2);
}

#[test]
fn the_users_list_alone_leaves_out_disabled_accounts() {
    let r = run(
        &[file("registration.csv"), file("users.csv")],
        Vec::new(),
        false,
    );
    // cat and eve are disabled: 10 of 12 count; capable among them: ann, dan, bg-1, fay, hal, ivy.
    assert_eq!(r.json["population"]["in_scope"], 10);
    assert_eq!(r.json["registration"]["users"], 10);
    assert_eq!(r.json["registration"]["mfa_capable"], 6);
    // The same three new accounts: the excluded users were all created in 2021.
    assert_eq!(r.json["population"]["new_accounts"]["users"], 3);
}

#[test]
fn redaction_names_excluded_users_by_pseudonym() {
    use entra_mfa_report::config::exclusion_argument;
    let inputs = [file("registration.csv"), file("users.csv")];
    // As from the command line: reasons given and not.
    let rules = vec![
        exclusion_argument("BG-*@contoso.example=Break-glass accounts"),
        exclusion_argument("00000000-0000-0000-0000-000000000008"),
        exclusion_argument("nobody-*@contoso.example"),
        exclusion_argument("gus@contoso.example"),
    ];
    let r = run(&inputs, rules, true);
    let text = serde_json::to_string(&r.json).unwrap();
    for name in [
        "bg-1@",
        "bg-2@",
        "BG-*",
        "nobody-",
        "svc-sync@",
        "00000000-0000-0000-0000-000000000008",
        "Break glass",
        "HYPERLINK",
        "gus@",
    ] {
        assert!(!text.contains(name), "{name} in the JSON");
        assert!(!r.html.contains(name), "{name} in the HTML");
        assert!(!r.users.contains(name), "{name} in the users CSV");
        assert!(!r.actions.contains(name), "{name} in the actions CSV");
        assert!(!r.xlsx_text.contains(name), "{name} in the workbook");
    }
    let patterns: Vec<&str> = r.json["population"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["pattern"].as_str().unwrap())
        .collect();
    assert!(
        patterns[0].starts_with("pattern-") && patterns[3].starts_with("user-"),
        "{patterns:?}"
    );
    assert_eq!(r.json["population"]["excluded"], 4);
    let excluded = r.json["population"]["excluded_users"].as_array().unwrap();
    assert!(excluded
        .iter()
        .all(|u| u["upn"].as_str().unwrap().starts_with("user-") && u["display_name"].is_null()));
}

fn cli(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(bin())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn config_file_sets_organisation_deadline_and_exclusions() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("entra-mfa-report.toml"),
        "organisation = \"Contoso <Ltd>\"\ndeadline = 2026-12-31\n\n[[exclude]]\npattern = \"bg-*@contoso.example\"\nreason = \"Break-glass (policy 4.2)\"\n",
    )
    .unwrap();
    let input = dir().display().to_string();
    let o = cli(
        tmp.path(),
        &[
            "report",
            &input,
            "-o",
            "r.html",
            "--json",
            "s.json",
            "--exclude",
            "svc-sync@contoso.example=Sync account",
            "--quiet",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("s.json")).unwrap()).unwrap();
    assert_eq!(json["organisation"], "Contoso <Ltd>");
    assert_eq!(
        json["title"],
        "Contoso <Ltd>: Entra MFA registration report"
    );
    assert!(json["config_file"]
        .as_str()
        .unwrap()
        .ends_with("entra-mfa-report.toml"));
    let reasons: Vec<&str> = json["population"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["Break-glass (policy 4.2)", "Sync account"]);
    assert_eq!(json["population"]["excluded"], 3);
    let html = std::fs::read_to_string(tmp.path().join("r.html")).unwrap();
    assert!(html.contains("Contoso &lt;Ltd&gt;"));

    // --title and --deadline win over the file.
    let o = cli(
        tmp.path(),
        &[
            "report", &input, "-o", "r2.html", "--json", "s2.json", "--title", "Wave 2", "--quiet",
        ],
    );
    assert!(o.status.success());
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("s2.json")).unwrap())
            .unwrap();
    assert_eq!(json["title"], "Wave 2");
}

#[test]
fn a_bad_config_file_is_one_line_with_its_position_and_exit_code_2() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("review.toml");
    std::fs::write(
        &config,
        "organisation = \"A\"\n[[exclude]]\npattern = \"x*\"\nreson = \"typo\"\n",
    )
    .unwrap();
    let input = dir().display().to_string();
    let o = cli(
        tmp.path(),
        &[
            "report",
            &input,
            "--config",
            config.to_str().unwrap(),
            "-o",
            "r.html",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("review.toml") && err.contains("line 4"),
        "{err}"
    );
    assert!(!tmp.path().join("r.html").exists());

    let o = cli(
        tmp.path(),
        &["report", &input, "--config", "missing.toml", "-o", "r.html"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.toml"));
}

#[test]
fn inspect_names_the_directory_files() {
    let o = std::process::Command::new(bin())
        .args(["inspect"])
        .arg(file("users.csv"))
        .arg(file("roles.csv"))
        .output()
        .unwrap();
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("kind:     users list"), "{out}");
    assert!(out.contains("kind:     role assignments"), "{out}");
    assert!(out.contains("accountEnabled"), "{out}");
}

/// The sample data's users list and role assignments, checked against a plain computation over
/// the files: every registration user is enabled, so the figures stay those of the
/// registration export, and the departments add up by a second count.
#[test]
fn sample_data_population_matches_a_plain_count() {
    use std::collections::{BTreeMap, HashMap, HashSet};
    let sample = fixture("../../sample-data");
    let read = |name: &str| {
        let text = std::fs::read_to_string(sample.join(name)).unwrap();
        let text = text.trim_start_matches('\u{feff}').to_string();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let h = r.headers().unwrap().clone();
        let rows: Vec<HashMap<String, String>> = r
            .records()
            .map(|rec| {
                h.iter()
                    .zip(rec.unwrap().iter())
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            })
            .collect();
        rows
    };
    let registration = read("exportUserRegistrationDetails_2026-11-20.csv");
    let users = read("exportUsers_2026-11-20.csv");
    let roles = read("RoleAssignments_2026-11-20.csv");
    // Distinct registration users by lower-cased UPN, newest row wins (the only duplicate of
    // the sample differs in case only, and both rows have the same capability).
    let mut capable: BTreeMap<String, bool> = BTreeMap::new();
    for r in &registration {
        capable
            .entry(r["userPrincipalName"].to_lowercase())
            .or_insert(r["isMfaCapable"] == "True");
    }
    let listed: HashMap<String, &HashMap<String, String>> = users
        .iter()
        .map(|u| (u["userPrincipalName"].to_lowercase(), u))
        .collect();
    let mut per_dept: BTreeMap<Option<String>, (u64, u64)> = BTreeMap::new();
    for (upn, cap) in &capable {
        let dept = listed
            .get(upn)
            .map(|u| u["department"].clone())
            .filter(|d| !d.is_empty());
        let e = per_dept.entry(dept).or_default();
        e.0 += 1;
        e.1 += u64::from(*cap);
    }
    let enabled_extra = users
        .iter()
        .filter(|u| !capable.contains_key(&u["userPrincipalName"].to_lowercase()))
        .filter(|u| u["accountEnabled"] == "True")
        .count() as u64;
    let role_users: HashSet<String> = roles
        .iter()
        .filter(|r| r["PrincipalType"] == "User")
        .map(|r| r["PrincipalUserPrincipalName"].to_lowercase())
        .collect();

    let out = common::run(&[sample], None);
    let p = &out.json["population"];
    assert_eq!(p["in_scope"].as_u64().unwrap(), capable.len() as u64);
    // New accounts: created on or after the report date minus 30 days (the bulk download
    // writes `M/D/YYYY h:mm:ss AM` in UTC).
    let as_of =
        chrono::NaiveDate::parse_from_str(out.json["as_of"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let since = as_of - chrono::Duration::days(30);
    let (mut new, mut new_capable) = (0u64, 0u64);
    for (upn, cap) in &capable {
        let Some(u) = listed.get(upn) else { continue };
        let created =
            chrono::NaiveDateTime::parse_from_str(&u["createdDateTime"], "%m/%d/%Y %I:%M:%S %p")
                .unwrap()
                .date();
        if created >= since && created <= as_of {
            new += 1;
            new_capable += u64::from(*cap);
        }
    }
    assert!(new > 0, "the sample has new joiners");
    assert_eq!(
        p["new_accounts"]["since"],
        since.format("%Y-%m-%d").to_string()
    );
    assert_eq!(p["new_accounts"]["users"].as_u64().unwrap(), new);
    assert_eq!(
        p["new_accounts"]["mfa_capable"].as_u64().unwrap(),
        new_capable
    );
    assert_eq!(p["disabled"], 0);
    assert_eq!(p["only_in_users_list"].as_u64().unwrap(), enabled_extra);
    assert_eq!(
        p["role_assignments"]["users"].as_u64().unwrap(),
        role_users.len() as u64
    );
    assert_eq!(
        p["role_assignments"]["added_admins"], 0,
        "roles go to isAdmin users"
    );
    let got: BTreeMap<Option<String>, (u64, u64)> = p["by_department"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["name"].as_str().map(str::to_string),
                (
                    b["users"].as_u64().unwrap(),
                    b["mfa_capable"].as_u64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(got, per_dept);
    // The hostile department is escaped in the report and guarded in the CSV.
    assert!(out
        .html
        .contains("=HYPERLINK(&quot;http:&#x2f;&#x2f;evil.example&quot;"));
    assert!(out
        .users
        .contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Sales\"\")\","));
    assert!(!out.users.contains(",\"=HYPERLINK("));
}

/// Sign-ins of users who do not count: the per-user sign-in figures (classes, named users)
/// leave them out like the actions do, while the figures of sign-in rows keep every sign-in.
#[test]
fn sign_ins_of_excluded_and_disabled_users_are_not_per_user_findings() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["registration.csv", "users.csv"] {
        std::fs::copy(file(name), tmp.path().join(name)).unwrap();
    }
    // 2023 layout (44 columns): successful single-factor sign-ins of bg-2 (excluded, not
    // capable), eve (disabled, not capable) and ben (in scope, not capable).
    let header = std::fs::read_to_string(fixture(
        "signins/InteractiveSignIns_2023-05-01_2023-05-02.csv",
    ))
    .unwrap()
    .lines()
    .next()
    .unwrap()
    .to_string();
    let mut csv = header + "\n";
    for (n, upn) in ["bg-2", "eve", "ben"].iter().enumerate() {
        csv.push_str(&format!(
            "2026-11-19T08:00:0{n}Z,r{n},,,{upn},{upn}@contoso.example,,,,,,,,,,,,,,,,Success,0,,Browser,,,,No,,,,,,Single-factor authentication,,,,,,,,,Success\n"
        ));
    }
    std::fs::write(
        tmp.path()
            .join("InteractiveSignIns_2026-11-19_2026-11-20.csv"),
        csv,
    )
    .unwrap();
    let r = run(
        &[tmp.path().to_path_buf()],
        vec![rule("bg-*@contoso.example", "Break-glass accounts")],
        false,
    );
    let s = &r.json["signins"];
    assert_eq!(s["rows"], 3, "every sign-in row counts");
    assert_eq!(s["single_factor_success"], 3);
    let class = |k: &str| s["registered_vs_used"][k].as_u64().unwrap();
    assert_eq!(class("not_capable_signed_in"), 1, "ben only");
    let f = common::finding(&r.json, "signins-not-capable");
    assert_eq!(f["affected"], 1);
    let named: Vec<&str> = f["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["upn"].as_str().unwrap())
        .collect();
    assert_eq!(named, ["ben@contoso.example"]);
    assert_eq!(r.json["actions"]["by_code"]["NOT_CAPABLE_SIGNING_IN"], 1);
}

/// A role file that names only groups says nothing about who is an admin: without isAdmin in
/// the export the admin checks still need data, and a warning says why.
#[test]
fn group_only_role_assignments_leave_admins_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        file("registration.csv"),
        tmp.path().join("registration.csv"),
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("roles.csv"),
        "Role,Principal name,Principal ID,Principal type,Assignment type\r\nGlobal Administrator,Admins,00000000-0000-0000-0000-0000000000aa,Group,Active\r\n",
    )
    .unwrap();
    let r = run(&[tmp.path().to_path_buf()], Vec::new(), false);
    assert!(r.json["registration"]["admins"].is_null());
    assert_eq!(
        common::finding(&r.json, "admins-mfa")["status"],
        "needs_data"
    );
    let roles = &r.json["population"]["role_assignments"];
    assert_eq!(
        (
            roles["users"].as_u64(),
            roles["non_user_assignments"].as_u64()
        ),
        (Some(0), Some(1))
    );
    let notes = r.json["data_quality"].as_array().unwrap();
    assert!(notes.iter().any(|n| n["id"] == "group-role-assignments"));
}

fn run_with_baseline(
    inputs: &[PathBuf],
    baseline: &[PathBuf],
    exclusions: Vec<Exclusion>,
) -> Result<Run, String> {
    let out = tempfile::tempdir().unwrap();
    let opts = ReportOptions {
        inputs: inputs.to_vec(),
        baseline: baseline.to_vec(),
        html: Some(out.path().join("r.html")),
        json: Some(out.path().join("s.json")),
        users: Some(out.path().join("u.csv")),
        title: "Baseline and population".into(),
        generated_at: Some(fixed_time()),
        exclusions,
        ..Default::default()
    };
    run_report(&opts).map_err(|e| e.to_string())?;
    let read = |n: &str| std::fs::read_to_string(out.path().join(n)).unwrap();
    Ok(Run {
        json: serde_json::from_str(&read("s.json")).unwrap(),
        html: read("r.html"),
        actions: String::new(),
        users: read("u.csv"),
        xlsx_text: String::new(),
        _dir: out,
    })
}

/// The baseline is compared with the users who count: a user excluded or disabled now is no
/// longer in the comparison (counted as gone), never a regression; a change of rules is said.
#[test]
fn baseline_compares_users_in_scope_and_flags_a_population_change() {
    let excluded = || vec![rule("bg-*@contoso.example", "Break-glass accounts")];
    // Baseline: the registration export alone, no users list (the exclusions apply to both
    // snapshots: bg-1, bg-2 are out of both). Now: users list and roles, so cat and eve are
    // disabled as well.
    let r = run_with_baseline(&[dir()], &[file("registration.csv")], excluded()).unwrap();
    let b = &r.json["baseline"];
    assert_eq!(b["population"]["changed"], true);
    assert_eq!(b["population"]["before"]["in_scope"], 10);
    assert_eq!(b["population"]["before"]["users_list"], false);
    assert_eq!(b["population"]["after"]["in_scope"], 8);
    let u = &b["users"];
    assert_eq!(
        (u["before"].as_u64(), u["after"].as_u64()),
        (Some(10), Some(8))
    );
    // cat and eve are out of this snapshot's scope: gone from the comparison.
    assert_eq!(
        (
            u["matched"].as_u64(),
            u["removed"].as_u64(),
            u["new"].as_u64()
        ),
        (Some(8), Some(2), Some(0))
    );
    assert_eq!(
        u["regressions"], 0,
        "the same data in both: nobody went backwards"
    );
    assert_eq!(users_cell(&r.users, "cat", "change_since_baseline"), "");
    assert_eq!(users_cell(&r.users, "bg-1", "change_since_baseline"), "");
    assert_eq!(
        users_cell(&r.users, "ann", "change_since_baseline"),
        "unchanged"
    );
    assert!(r
        .html
        .contains("The two snapshots count different populations"));

    // The same inputs and rules on both sides: a like-for-like comparison, no warning.
    let same = run_with_baseline(&[dir()], &[dir()], excluded()).unwrap();
    assert_eq!(same.json["baseline"]["population"]["changed"], false);
    assert_eq!(same.json["baseline"]["users"]["removed"], 0);
    assert!(!same
        .html
        .contains("The two snapshots count different populations"));
}

/// A hand-edited baseline summary with an absurd count gives no change figure, not a crash.
#[test]
fn a_baseline_summary_with_huge_counts_does_not_overflow() {
    let first = run_with_baseline(&[file("registration.csv")], &[], Vec::new()).unwrap();
    let mut summary = first.json.clone();
    summary["registration"]["mfa_capable"] = json!(u64::MAX);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("old.json");
    std::fs::write(&path, serde_json::to_string(&summary).unwrap()).unwrap();
    let r = run_with_baseline(&[file("registration.csv")], &[path], Vec::new()).unwrap();
    assert!(r.json["baseline"]["kpis"]["mfa_capable"]["change"].is_null());
}
