//! `--baseline`: progress between two snapshots, checked against values worked out by hand from
//! the fixtures in `tests/fixtures/baseline/`.
//!
//! `before.csv` (Graph beta CSV, object ids, as of 2026-09-01) and `after.csv` (PowerShell
//! `Export-Csv`, en-US dates, as of 2026-10-01) hold the same tenant a month apart;
//! `before-portal.csv` is `before.csv` as the 8-column portal download (no object ids, no
//! `isAdmin`, no `userType`). Every user, with MFA methods (tier) before → after:
//!
//! | user | before | after | change |
//! |---|---|---|---|
//! | alice (admin) | FIDO2 + push (PR), capable | same | unchanged |
//! | bob | mobile phone (phone), capable | same | unchanged; phone-only both times |
//! | carol | nothing (none), not capable | push + OATH (push), capable | newly_capable |
//! | dave (admin) | push + OATH (push), capable | nothing (none), not capable | lost_capability |
//! | erin | FIDO2 + push + mobile (PR) | FIDO2 + push (PR), capable both | lost_methods (mobile) |
//! | frank | mobile (phone) | mobile + push (push), capable both | tier_up; no longer phone-only |
//! | gina | device-bound passkey (PR) | push (push), capable both | tier_down (lost the passkey) |
//! | hank (guest) | nothing (none), not capable | same | unchanged |
//! | ivan | mobile + office phone (phone) | same | unchanged; phone-only both times |
//! | judy | push (push) | – | removed |
//! | kim | email only (SSPR only), not capable | email + Windows Hello (PR), capable | newly_capable |
//! | leo | – | push (push) | new |
//! | mona | – | mobile (phone) | new; phone-only |
//! | nick | `nick.old@…`, push (push) | `nick@…`, same object id (upper case), push + FIDO2 (PR) | tier_up (matched by id) |
//! | olga | push (push) | push + OATH (push) | gained_methods |
//! | paul | `Paul@Contoso.example`, push | `paul@contoso.example`, push | unchanged |
//! | rita | software OATH (OATH), capable | same method, not capable | lost_capability |

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::{fixed_time, fixture};
use entra_mfa_report::{error::Error, run_report, Redaction, ReportOptions};
use serde_json::{json, Value};

struct Outputs {
    json: Value,
    html: String,
    users: String,
    actions: String,
    _dir: tempfile::TempDir,
}

fn baseline_fixture(name: &str) -> PathBuf {
    fixture(&format!("baseline/{name}"))
}

fn try_run(
    inputs: &[PathBuf],
    baseline: &[PathBuf],
    redact: Option<Redaction>,
) -> Result<Outputs, Error> {
    let dir = tempfile::tempdir().unwrap();
    let opts = ReportOptions {
        inputs: inputs.to_vec(),
        html: Some(dir.path().join("report.html")),
        json: Some(dir.path().join("summary.json")),
        actions: Some(dir.path().join("actions.csv")),
        users: Some(dir.path().join("users.csv")),
        baseline: baseline.to_vec(),
        title: "Test report".into(),
        generated_at: Some(fixed_time()),
        strict: true,
        redact,
        ..Default::default()
    };
    run_report(&opts)?;
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    Ok(Outputs {
        json: serde_json::from_str(&read("summary.json")).unwrap(),
        html: read("report.html"),
        users: read("users.csv"),
        actions: read("actions.csv"),
        _dir: dir,
    })
}

fn run(inputs: &[PathBuf], baseline: &[PathBuf]) -> Outputs {
    try_run(inputs, baseline, None).unwrap_or_else(|e| panic!("report failed: {e}"))
}

/// The before → after run in export mode.
fn exports_run() -> Outputs {
    run(
        &[baseline_fixture("after.csv")],
        &[baseline_fixture("before.csv")],
    )
}

/// A CSV output as (header, rows of name → value), read with the csv crate.
fn csv_rows(text: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

/// UPN → `change_since_baseline` of a CSV output.
fn changes(text: &str) -> BTreeMap<String, String> {
    let (header, rows) = csv_rows(text);
    assert_eq!(header.last().unwrap(), "change_since_baseline");
    rows.into_iter()
        .map(|r| {
            (
                r["user_principal_name"].clone(),
                r["change_since_baseline"].clone(),
            )
        })
        .collect()
}

/// The expected change of every current user, from the table at the top of this file.
fn expected_changes() -> BTreeMap<String, String> {
    [
        ("alice@contoso.example", "unchanged"),
        ("bob@contoso.example", "unchanged"),
        ("carol@contoso.example", "newly_capable"),
        ("dave@contoso.example", "lost_capability"),
        ("erin@contoso.example", "lost_methods"),
        ("frank@contoso.example", "tier_up"),
        ("gina@contoso.example", "tier_down"),
        (
            "hank_fabrikam.example#EXT#@contoso.onmicrosoft.com",
            "unchanged",
        ),
        ("ivan@contoso.example", "unchanged"),
        ("kim@contoso.example", "newly_capable"),
        ("leo@contoso.example", "new"),
        ("mona@contoso.example", "new"),
        ("nick@contoso.example", "tier_up"),
        ("olga@contoso.example", "gained_methods"),
        ("paul@contoso.example", "unchanged"),
        ("rita@contoso.example", "lost_capability"),
    ]
    .into_iter()
    .map(|(u, c)| (u.to_string(), c.to_string()))
    .collect()
}

/// Users per change, counted from a UPN → change map.
fn tally(changes: &BTreeMap<String, String>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for c in changes.values() {
        *out.entry(c.clone()).or_insert(0) += 1;
    }
    out
}

#[test]
fn every_user_gets_the_change_worked_out_by_hand() {
    let out = exports_run();
    assert_eq!(changes(&out.users), expected_changes());
    // The actions CSV carries the same column for the users it lists.
    let expected = expected_changes();
    let in_actions = changes(&out.actions);
    assert!(!in_actions.is_empty());
    for (upn, change) in &in_actions {
        assert_eq!(&expected[upn], change, "{upn}");
    }
    // `by_change` is the tally of the same table; zero for `unknown` (every list is known).
    let by_change = &out.json["baseline"]["users"]["by_change"];
    let mut counted = tally(&expected);
    counted.insert("unknown".into(), 0);
    for (change, n) in &counted {
        assert_eq!(by_change[change], json!(n), "{change}");
    }
    assert_eq!(by_change.as_object().unwrap().len(), 9);
}

#[test]
fn user_transitions_are_counted() {
    let out = exports_run();
    let u = &out.json["baseline"]["users"];
    // 15 users before (judy and nick.old included), 16 after (leo, mona, nick added).
    assert_eq!(u["before"], 15);
    assert_eq!(u["after"], 16);
    // Everyone but judy, leo and mona is in both; nick through his object id, the rest too
    // (both files have ids), Paul's id despite the UPN's case.
    assert_eq!(u["matched"], 14);
    assert_eq!(u["matched_by_id"], 14);
    assert_eq!(u["matched_by_upn"], 0);
    assert_eq!(u["new"], 2); // leo, mona
    assert_eq!(u["removed"], 1); // judy
    assert_eq!(u["newly_capable"], 2); // carol, kim
    assert_eq!(u["lost_capability"], 2); // dave, rita
                                         // dave (push, OATH), erin (mobile), gina (passkey).
    assert_eq!(u["lost_mfa_method"], 3);
    // lost_capability (dave, rita) + tier_down (gina) + lost_methods (erin).
    assert_eq!(u["regressions"], 4);
    // Stronger: carol (none → push), frank (phone → push), kim (SSPR → PR), nick (push → PR).
    assert_eq!(u["stronger_tier"], 4);
    // Weaker: dave (push → none), gina (PR → push).
    assert_eq!(u["weaker_tier"], 2);
    // The other 8 matched users keep their tier.
    assert_eq!(u["same_tier"], 8);
    assert_eq!(u["tier_unknown"], 0);
}

#[test]
fn the_tier_matrix_has_every_move() {
    let out = exports_run();
    let m = &out.json["baseline"]["tier_matrix"];
    let tiers = [
        "phishing_resistant",
        "passwordless",
        "authenticator",
        "oath",
        "phone",
        "sspr_only",
        "none",
        "not_in_current",
    ];
    // (from, to, users), from the table at the top; every other cell is 0.
    let moves = [
        ("phishing_resistant", "phishing_resistant", 2), // alice, erin
        ("phishing_resistant", "authenticator", 1),      // gina
        ("authenticator", "phishing_resistant", 1),      // nick
        ("authenticator", "authenticator", 2),           // olga, paul
        ("authenticator", "none", 1),                    // dave
        ("authenticator", "not_in_current", 1),          // judy
        ("oath", "oath", 1),                             // rita
        ("phone", "authenticator", 1),                   // frank
        ("phone", "phone", 2),                           // bob, ivan
        ("sspr_only", "phishing_resistant", 1),          // kim
        ("none", "authenticator", 1),                    // carol
        ("none", "none", 1),                             // hank
        ("not_in_baseline", "authenticator", 1),         // leo
        ("not_in_baseline", "phone", 1),                 // mona
    ];
    let rows: Vec<&str> = tiers[..7]
        .iter()
        .copied()
        .chain(["not_in_baseline"])
        .collect();
    assert_eq!(m.as_object().unwrap().len(), rows.len());
    for from in &rows {
        assert_eq!(m[from].as_object().unwrap().len(), tiers.len(), "{from}");
        for to in &tiers {
            let n = moves
                .iter()
                .find(|(f, t, _)| f == from && t == to)
                .map_or(0, |(_, _, n)| *n);
            assert_eq!(m[from][to], json!(n), "{from} → {to}");
        }
    }
    // The margins are the tier counts of each snapshot.
    let tiers_json = &out.json["baseline"]["tiers"];
    for t in &tiers[..7] {
        let row: u64 = m[t]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        let column: u64 = rows.iter().map(|r| m[r][t].as_u64().unwrap()).sum();
        assert_eq!(tiers_json[t]["before"], json!(row), "{t}");
        assert_eq!(tiers_json[t]["after"], json!(column), "{t}");
    }
}

#[test]
fn headline_figures_before_and_after() {
    let out = exports_run();
    let k = &out.json["baseline"]["kpis"];
    let check = |key: &str, before: u64, after: u64| {
        assert_eq!(k[key]["before"], json!(before), "{key} before");
        assert_eq!(k[key]["after"], json!(after), "{key} after");
        assert_eq!(
            k[key]["change"],
            json!(after as i64 - before as i64),
            "{key} change"
        );
    };
    check("users", 15, 16);
    // Capable before: all but carol, hank, kim (12 of 15); now all but dave, hank, rita (13 of 16).
    check("mfa_capable", 12, 13);
    // 12/15 = 80.0 %, 13/16 = 81.25 % shown as 81.3 %: +1.3 points as shown.
    assert_eq!(k["mfa_capable"]["before_pct"], json!(80.0));
    assert_eq!(k["mfa_capable"]["after_pct"], json!(81.3));
    assert_eq!(k["mfa_capable"]["change_pp"], json!(1.3));
    assert_eq!(k["mfa_capable"]["trend"], "better");
    // PR: alice, erin, gina → alice, erin, kim, nick.
    check("phishing_resistant", 3, 4);
    // Phone-only: bob, frank, ivan → bob, ivan, mona. Same count, smaller share (20.0 → 18.8).
    check("phone_only", 3, 3);
    assert_eq!(k["phone_only"]["change_pp"], json!(-1.2));
    assert_eq!(k["phone_only"]["trend"], "better");
    // No MFA method: carol, hank, kim (email only) → dave, hank.
    check("no_mfa_method", 3, 2);
    // One MFA method: bob, frank, gina, judy, nick, olga, paul, rita → bob, gina, kim, leo,
    // mona, paul, rita (ivan's two phone numbers are two methods).
    check("single_mfa_method", 8, 7);
    // Default push: alice, dave, erin, judy, nick, olga, paul → alice, carol, erin, frank,
    // gina, leo, nick, olga, paul.
    check("authenticator_default", 7, 9);
    // Admins: alice and dave both times; dave cannot do MFA any more.
    check("admins", 2, 2);
    check("admins_not_mfa_capable", 0, 1);
    assert_eq!(k["admins_not_mfa_capable"]["after_pct"], json!(50.0));
    assert_eq!(k["admins_not_mfa_capable"]["trend"], "worse");
    assert_eq!(k["users"]["trend"], Value::Null);

    let b = &out.json["baseline"];
    assert_eq!(b["source"]["mode"], "exports");
    assert_eq!(b["source"]["as_of"], "2026-09-01");
    assert_eq!(b["source"]["inputs"][0]["kind"], "registration");
    assert_eq!(b["source"]["inputs"][0]["rows"], 15);
    assert_eq!(
        b["source"]["inputs"][0]["sha256"].as_str().unwrap().len(),
        64
    );
    assert_eq!(b["days_between"], 30);
}

#[test]
fn finding_statuses_before_and_after() {
    let out = exports_run();
    let statuses = out.json["baseline"]["statuses"].as_array().unwrap();
    let status = |id: &str| {
        statuses
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("no status {id}"))
    };
    // Every check of the report, in the report's order.
    let ids: Vec<&str> = statuses.iter().map(|s| s["id"].as_str().unwrap()).collect();
    let report_ids: Vec<&str> = out.json["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .chain(out.json["findings"].as_array().unwrap())
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, report_ids);
    // No admin without MFA before; dave now: met → not met.
    let admins = status("admins-mfa");
    assert_eq!(
        (&admins["before"], &admins["after"], &admins["trend"]),
        (&json!("met"), &json!("not_met"), &json!("worse"))
    );
    // rita has a registered method that policy does not allow: met → partly met.
    assert_eq!(status("registered-not-capable")["before"], "met");
    assert_eq!(status("registered-not-capable")["after"], "partly_met");
    // Phone-only 3 of 12 users with MFA → 3 of 14: partly met both times.
    assert_eq!(status("sms-voice-retirement")["trend"], "same");
    // Without an audit log R1 needs data in both: not comparable.
    assert_eq!(status("R1")["trend"], "not_comparable");
}

#[test]
fn phone_only_users_against_the_retirement() {
    let out = exports_run();
    let s = &out.json["baseline"]["sms_voice"];
    assert_eq!(s["retirement"], "2027-02-01");
    // 2026-10-01 → 2027-02-01: 31 + 30 + 31 + 31 days.
    assert_eq!(s["days_left"], 123);
    assert_eq!(s["phone_only_before"], 3);
    assert_eq!(s["phone_only_after"], 3);
    assert_eq!(s["phone_only_remaining"], 2); // bob, ivan
    assert_eq!(s["phone_only_resolved"], 1); // frank
    assert_eq!(s["phone_only_since"], 1); // mona
    assert_eq!(s["change_per_day"], json!(0.0));
    // 3 users in 123 days.
    assert_eq!(s["needed_per_day"], json!(0.02));
    assert_eq!(s["projected_clear"], Value::Null);
    assert_eq!(s["on_track"], false);
}

#[test]
fn a_baseline_whose_method_lists_were_lost() {
    // The registration fixtures: the PowerShell export with lost lists as the baseline, the
    // Graph beta export now. Same 11 distinct users (IVAN@ is ivan@'s older row) with the same
    // object ids and the same isMfaCapable: matched by id, capability unchanged, and the tiers
    // and methods of the baseline unknown.
    let out = run(
        &[fixture("registration/b-graph-beta.csv")],
        &[fixture("registration/c-powershell-lost-lists.csv")],
    );
    let b = &out.json["baseline"];
    let u = &b["users"];
    assert_eq!(u["matched"], 11);
    assert_eq!(u["matched_by_id"], 11);
    assert_eq!(u["by_change"]["unchanged"], 11);
    assert_eq!(u["tier_unknown"], 11);
    assert_eq!(u["same_tier"], 0);
    assert_eq!(u["lost_mfa_method"], 0);
    assert_eq!(b["tiers"], Value::Null);
    assert_eq!(b["kpis"]["phone_only"]["before"], Value::Null);
    assert_eq!(b["kpis"]["phone_only"]["trend"], Value::Null);
    // bob and gina are phone-only now; who was before is unknown.
    assert_eq!(b["sms_voice"]["phone_only_after"], 2);
    for key in [
        "phone_only_remaining",
        "phone_only_resolved",
        "phone_only_since",
        "change_per_day",
        "on_track",
    ] {
        assert_eq!(b["sms_voice"][key], Value::Null, "{key}");
    }
    // The matrix is all zeros: every user is left out.
    let m = b["tier_matrix"].as_object().unwrap();
    assert!(m
        .values()
        .all(|row| row.as_object().unwrap().values().all(|n| n == 0)));
}

#[test]
fn a_json_summary_as_baseline_gives_the_same_figures() {
    // First review: the JSON summary of the before snapshot.
    let first = run(&[baseline_fixture("before.csv")], &[]);
    assert_eq!(first.json["baseline"], Value::Null);
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("review-2026-09.json");
    std::fs::write(&summary, first.json.to_string()).unwrap();

    let by_summary = run(
        &[baseline_fixture("after.csv")],
        std::slice::from_ref(&summary),
    );
    let by_exports = exports_run();
    let (s, e) = (&by_summary.json["baseline"], &by_exports.json["baseline"]);
    for key in ["kpis", "tiers", "statuses", "days_between"] {
        assert_eq!(s[key], e[key], "{key}");
    }
    for key in [
        "days_left",
        "phone_only_before",
        "phone_only_after",
        "change_per_day",
        "needed_per_day",
    ] {
        assert_eq!(s["sms_voice"][key], e["sms_voice"][key], "{key}");
    }
    // The per-user parts need the exports.
    assert_eq!(s["source"]["mode"], "summary");
    assert_eq!(s["users"], Value::Null);
    assert_eq!(s["tier_matrix"], Value::Null);
    assert_eq!(s["sms_voice"]["phone_only_remaining"], Value::Null);
    assert!(by_summary
        .html
        .contains("A JSON summary holds figures, not users"));
    assert!(!by_summary.html.contains("tier-matrix"));
    // The summary file is named with its SHA-256, and lists the first review's inputs.
    let source = &s["source"];
    assert_eq!(
        source["summary"]["path"],
        json!(summary.display().to_string())
    );
    let bytes = std::fs::read(&summary).unwrap();
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(source["summary"]["sha256"], json!(digest));
    assert_eq!(source["inputs"], e["source"]["inputs"]);
    // Without per-user changes the CSV files keep their 24 columns.
    let (header, _) = csv_rows(&by_summary.users);
    assert_eq!(header.len(), 24);
}

#[test]
fn a_portal_baseline_against_a_powershell_snapshot() {
    let out = run(
        &[baseline_fixture("after.csv")],
        &[baseline_fixture("before-portal.csv")],
    );
    let b = &out.json["baseline"];
    assert_eq!(b["source"]["inputs"][0]["variant"], "portal-download");
    let u = &b["users"];
    // Without object ids in the portal file every user is matched by UPN (ignoring case, so
    // Paul is found); nick.old and nick are then two users: one removed, one new.
    assert_eq!(u["matched"], 13);
    assert_eq!(u["matched_by_upn"], 13);
    assert_eq!(u["matched_by_id"], 0);
    assert_eq!(u["new"], 3); // leo, mona, nick
    assert_eq!(u["removed"], 2); // judy, nick.old
    let mut expected = expected_changes();
    expected.insert("nick@contoso.example".into(), "new".into());
    assert_eq!(changes(&out.users), expected);
    // The portal download has no isAdmin: the admin figures of the baseline are unknown.
    assert_eq!(b["kpis"]["admins"]["before"], Value::Null);
    assert_eq!(b["kpis"]["admins"]["change"], Value::Null);
    assert_eq!(b["kpis"]["mfa_capable"]["before"], 12);

    // The other way round: a PowerShell baseline dated after a portal snapshot. The report
    // says the snapshots look swapped, and the transitions run backwards.
    let swapped = run(
        &[baseline_fixture("before-portal.csv")],
        &[baseline_fixture("after.csv")],
    );
    let b = &swapped.json["baseline"];
    assert_eq!(b["days_between"], -30);
    assert!(swapped
        .html
        .contains("check that the snapshots are not swapped"));
    assert_eq!(b["users"]["newly_capable"], 2); // dave, rita
    assert_eq!(b["users"]["lost_capability"], 2); // carol, kim
}

#[test]
fn the_progress_section_is_in_the_html_escaped() {
    let out = exports_run();
    let html = &out.html;
    let start = html
        .find(r#"<section id="progress">"#)
        .expect("progress section");
    let end = start + html[start..].find("</section>").unwrap();
    let section = &html[start..end];
    // After the executive summary, before the coverage.
    assert!(html.find(r#"<section id="summary">"#).unwrap() < start);
    assert!(start < html.find(r#"<section id="coverage">"#).unwrap());
    assert!(html.contains(r##"<a href="#progress">Progress</a>"##));
    assert!(section.contains("as of 2026-09-01"));
    // The baseline's file, with its SHA-256 (paths are escaped: `/` is `&#x2f;`).
    assert!(section.contains("baseline&#x2f;before.csv"));
    let sha = out.json["baseline"]["source"]["inputs"][0]["sha256"]
        .as_str()
        .unwrap();
    assert!(section.contains(sha));
    assert!(section.contains(r#"<table class="grid tier-matrix">"#));
    assert!(section.contains("Strongest method: baseline → now"));
    // carol is newly capable and dave a regression: their display names are escaped.
    assert!(section.contains("&lt;script&gt;alert(&#x27;carol&#x27;)&lt;&#x2f;script&gt;"));
    assert!(section.contains("&lt;b&gt;Dave&lt;&#x2f;b&gt; &amp; Co"));
    assert!(!html.contains("<script>"));
    assert!(!html.contains("<b>Dave"));
    // What dave lost, by display name.
    assert!(section.contains("Microsoft Authenticator app, Software OATH token"));
    // The matrix row of new users: leo (push) and mona (phone).
    assert!(section.contains("Not in the baseline"));
}

#[test]
fn without_a_baseline_nothing_changes() {
    let out = run(&[baseline_fixture("after.csv")], &[]);
    assert_eq!(out.json["baseline"], Value::Null);
    assert!(!out.html.contains(r#"id="progress""#));
    assert!(!out.html.contains("#progress"));
    let (header, _) = csv_rows(&out.users);
    assert_eq!(header.len(), 24);
    assert_eq!(header.last().unwrap(), "scope_reason");
}

#[test]
fn redacted_snapshots_share_one_key() {
    let plain = exports_run();
    // A random key for the run: the baseline and the current snapshot must use the same one.
    let redacted = try_run(
        &[baseline_fixture("after.csv")],
        &[baseline_fixture("before.csv")],
        Some(Redaction { passphrase: None }),
    )
    .unwrap();
    // Matching happens on the real identities: the same figures.
    for key in ["users", "tier_matrix", "kpis", "statuses"] {
        assert_eq!(
            redacted.json["baseline"][key], plain.json["baseline"][key],
            "{key}"
        );
    }
    let changes_by_pseudonym = changes(&redacted.users);
    assert_eq!(tally(&changes_by_pseudonym), tally(&expected_changes()));
    // Every user named in the progress section is a pseudonym of the users CSV, with the
    // change shown for them there.
    let html = &redacted.html;
    let start = html.find(r#"<section id="progress">"#).unwrap();
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    let named: Vec<&str> = section
        .split("<code>")
        .skip(1)
        .filter_map(|s| s.split("</code>").next())
        .filter(|s| s.starts_with("user-"))
        .collect();
    // 2 newly capable + 4 regressions.
    assert_eq!(named.len(), 6);
    for p in &named {
        let change = &changes_by_pseudonym[*p];
        assert!(
            [
                "newly_capable",
                "lost_capability",
                "tier_down",
                "lost_methods"
            ]
            .contains(&change.as_str()),
            "{p}: {change}"
        );
    }
    for out in [&redacted.html, &redacted.users, &redacted.actions] {
        assert!(!out.contains("contoso.example"));
        assert!(!out.contains("Dave"));
    }
    assert!(!redacted.json.to_string().contains("contoso.example"));
}

/// The error of a run with `baseline`, which must be a bad-input error (exit code 2).
fn baseline_error(baseline: &[PathBuf]) -> String {
    let err = try_run(&[baseline_fixture("after.csv")], baseline, None)
        .err()
        .expect("the run fails");
    assert!(matches!(err, Error::Input(_)), "{err}");
    assert_eq!(err.exit_code(), 2);
    let text = err.to_string();
    assert!(!text.contains('\n'), "{text}");
    assert!(text.contains("baseline"), "{text}");
    text
}

#[test]
fn bad_baselines_are_input_errors_that_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, content: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p
    };
    // JSON that is neither a summary nor an export.
    let other = write("other.json", br#"{"hello": "world"}"#);
    let e = baseline_error(&[other]);
    assert!(e.contains("other.json"), "{e}");
    // A summary of a newer schema.
    let newer = write(
        "newer.json",
        br#"{"schema_version": 2, "tool": {"name": "entra-mfa-report", "version": "9.0.0"}}"#,
    );
    let e = baseline_error(&[newer]);
    assert!(
        e.contains("newer.json") && e.contains("schema_version 2"),
        "{e}"
    );
    // Another tool's JSON with a schema_version.
    let foreign = write(
        "foreign.json",
        br#"{"schema_version": 1, "tool": {"name": "other-tool"}}"#,
    );
    let e = baseline_error(&[foreign]);
    assert!(
        e.contains("foreign.json") && e.contains("other-tool"),
        "{e}"
    );
    // A summary that lost its figures.
    let broken = write(
        "broken.json",
        br#"{"schema_version": 1, "tool": {"name": "entra-mfa-report", "version": "0.1.0"}, "as_of": "2026-09-01"}"#,
    );
    let e = baseline_error(&[broken]);
    assert!(
        e.contains("broken.json") && e.contains("registration"),
        "{e}"
    );
    // A file that is not there, and one that is not text.
    let e = baseline_error(&[dir.path().join("missing.csv")]);
    assert!(e.contains("missing.csv"), "{e}");
    let binary = write("export.csv", &[0u8, 159, 146, 150, 0, 1, 2, 3]);
    let e = baseline_error(&[binary]);
    assert!(e.contains("export.csv"), "{e}");
    // A bad value in a baseline export: the file, line and column, said to be the baseline's.
    let bad = write(
        "bad.csv",
        b"userPrincipalName,isMfaCapable,methodsRegistered,lastUpdatedDateTime\nx@contoso.example,maybe,[],2026-09-01T00:00:00Z\n",
    );
    let e = baseline_error(&[bad]);
    assert!(e.starts_with("baseline ") && e.contains("bad.csv:2"), "{e}");
    // A summary next to other baseline files.
    let summary = write(
        "summary.json",
        run(&[baseline_fixture("before.csv")], &[])
            .json
            .to_string()
            .as_bytes(),
    );
    let e = baseline_error(&[summary, baseline_fixture("before.csv")]);
    assert!(e.contains("summary.json"), "{e}");
}

#[test]
fn an_output_never_overwrites_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.json");
    std::fs::write(
        &summary,
        run(&[baseline_fixture("before.csv")], &[]).json.to_string(),
    )
    .unwrap();
    let before = std::fs::read(&summary).unwrap();
    let opts = ReportOptions {
        inputs: vec![baseline_fixture("after.csv")],
        html: Some(dir.path().join("report.html")),
        json: Some(summary.clone()),
        baseline: vec![summary.clone()],
        title: "Test".into(),
        ..Default::default()
    };
    let err = run_report(&opts).expect_err("refused");
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("baseline"), "{err}");
    assert_eq!(std::fs::read(&summary).unwrap(), before);
}

#[test]
fn the_command_line_exits_with_2_on_a_bad_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.json");
    std::fs::write(
        &other,
        br#"{"schema_version": 5, "tool": {"name": "entra-mfa-report", "version": "5.0.0"}}"#,
    )
    .unwrap();
    let out = std::process::Command::new(common::bin())
        .arg("report")
        .arg(baseline_fixture("after.csv"))
        .arg("--baseline")
        .arg(&other)
        .arg("-o")
        .arg(dir.path().join("r.html"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("other.json") && stderr.contains("baseline"),
        "{stderr}"
    );
    assert!(!dir.path().join("r.html").exists());
}
