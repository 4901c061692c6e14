//! R6 — Run the authentication method analyzer afterwards.
//!
//! **What it checks.** This report *is* the analyzer: every user gets the actions of the rule
//! set in `analyze::actions`. The check counts users with at least one action.
//!
//! **Why it matters.** Microsoft's own analysis script depends on the retired MSOnline module,
//! predates passkeys and recommends phone numbers; the gaps it would find go unnoticed.
//!
//! **How to fix.** Work through the actions CSV, highest priority first, and run this report
//! again on a fresh export to track progress.

use super::{pct, Check, Evaluation, Meta, Metric, Status};
use crate::analyze::{actions, Analysis};

pub const CHECK: Check = Check {
    meta: Meta {
        id: "R6",
        title: "Per-user analysis: every user's next step",
        guidance: Some(6),
        why: "Aggregate coverage hides the individual accounts that still need work; Microsoft's analyzer script no longer runs and its rules predate passkeys.",
        fix: "Work through the actions CSV from the top (admins and users without MFA first), then re-run this report on a new export.",
        learn_url: "https://learn.microsoft.com/entra/identity/authentication/howto-mfa-getstarted",
    },
    evaluate,
};

const ALL_CODES: &[&str] = &{
    let mut codes = [""; actions::RULES.len()];
    let mut i = 0;
    while i < actions::RULES.len() {
        codes[i] = actions::RULES[i].code;
        i += 1;
    }
    codes
};

fn evaluate(a: &Analysis) -> Evaluation {
    let users = a.all.users;
    let affected = a.users_with_actions();
    if a.all.methods_unknown_users > 0 {
        return super::needs_data(
            &format!(
                "{affected} of {users} users need at least one action judged from what the export still holds; the method lists of {} users were lost, so method-based actions are missing for them.",
                a.all.methods_unknown_users
            ),
            "User registration details with the methodsRegistered column intact",
            vec![Metric::share("Users with at least one action", Some(affected), Some(users))],
        );
    }
    let mut metrics: Vec<Metric> = a
        .action_counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(code, n)| Metric::share(code, Some(*n), Some(users)))
        .collect();
    metrics.insert(
        0,
        Metric::share(
            "Users with at least one action",
            Some(affected),
            Some(users),
        ),
    );
    Evaluation {
        status: Status::from_coverage(users, affected),
        summary: format!(
            "{affected} of {users} users ({}) need at least one action; the per-user list is in the actions CSV.",
            pct(affected, users)
        ),
        population: Some(users),
        affected: Some(affected),
        metrics,
        needs: None,
        action_codes: ALL_CODES,
    }
}
