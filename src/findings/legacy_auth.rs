//! Legacy authentication in use (needs sign-in logs).
//!
//! **What it checks.** Sign-ins whose client app is a legacy protocol (IMAP4, POP3,
//! Authenticated SMTP, Exchange ActiveSync, MAPI over HTTP, Other clients, …; matched
//! case-insensitively), and the users behind them.
//!
//! **Why it matters.** Legacy protocols cannot do MFA: every successful legacy sign-in is a
//! password-only sign-in, and password spray targets exactly these endpoints.
//!
//! **How to fix.** Move the listed clients to modern authentication and block legacy
//! authentication with Conditional Access.

use super::signins_not_capable::signed_in;
use super::{pct, Check, Evaluation, Meta, Metric, Status};
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "legacy-auth",
        title: "No sign-ins with legacy protocols",
        guidance: None,
        why: "Legacy protocols (IMAP, POP, SMTP AUTH, ActiveSync basic authentication) cannot do MFA, so they bypass it; password spray targets them.",
        fix: "Move the listed clients to modern authentication, then block legacy authentication with a Conditional Access policy.",
        learn_url: "https://learn.microsoft.com/entra/identity/conditional-access/policy-block-legacy-authentication",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let s = a.signins.as_ref();
    let rows = s.map(|s| s.legacy_auth).unwrap_or(0);
    let users = s.map(|s| s.legacy_auth_users).unwrap_or(0);
    let ok = s.map(|s| s.legacy_auth_success).unwrap_or(0);
    let ok_users = s.map(|s| s.legacy_success_users).unwrap_or(0);
    let population = signed_in(a).max(ok_users);
    Evaluation {
        // Successful legacy sign-ins are password-only access; failed ones only show clients
        // (or attackers) that still try: legacy authentication is probably blocked already.
        status: if rows == 0 {
            Status::Met
        } else if ok > 0 {
            Status::NotMet
        } else {
            Status::PartlyMet
        },
        summary: format!(
            "{rows} legacy-protocol sign-in attempts by {users} users; {ok} succeeded, for {ok_users} users ({} of users who signed in).",
            pct(ok_users, population)
        ),
        population: Some(population),
        affected: Some(ok_users),
        metrics: vec![
            Metric::count("Legacy sign-in attempts", Some(rows)),
            Metric::count("Successful legacy sign-ins", Some(ok)),
            Metric::share("Users with a successful legacy sign-in", Some(ok_users), Some(population)),
        ],
        needs: None,
        action_codes: &["USES_LEGACY_AUTH"],
    }
}
