//! R3 — Set a registration deadline, then block registration.
//!
//! **What it checks.** Whether registration was time-boxed, with stragglers routed through the
//! help desk afterwards.
//!
//! **Why it matters.** An open-ended registration window lets an attacker with a password be the
//! first to register MFA for accounts that never did.
//!
//! **How to fix.** Announce a deadline (the Identity Protection MFA registration policy gives
//! users 14 days), then block self-registration for those who missed it. The registration
//! export's `lastUpdatedDateTime` is the report's refresh time, not a registration time, so only
//! the audit log shows who registered when.

use super::{needs_data, pct, Check, Evaluation, Meta, Metric, Status, AUDIT_LOG_DOWNLOAD};
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "R3",
        title: "Registration deadline, then block and route stragglers to the help desk",
        guidance: Some(3),
        why: "Accounts that never registered are the easiest to take over: whoever registers first with the password owns the second factor.",
        fix: "Set a deadline (for example with the Identity Protection MFA registration policy), then block registration outside trusted conditions and register late users through the help desk with a Temporary Access Pass.",
        learn_url: "https://learn.microsoft.com/entra/id-protection/howto-identity-protection-configure-mfa-policy",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let s = &a.all;
    if let Some(audit) = &a.audit {
        let deadline = audit.deadline.clone().unwrap_or_default();
        let (Some(before), Some(after)) = (
            audit.registered_before_deadline,
            audit.registered_after_deadline,
        ) else {
            return needs_data(
                &format!(
                    "The audit log shows {} users registering between {} and {}. No deadline was given: pass --deadline YYYY-MM-DD (suggested: {deadline}, 14 days after the report date) to see late registrations.",
                    audit.users_registered,
                    audit.window_start.as_deref().map(|t| &t[..10]).unwrap_or("?"),
                    audit.window_end.as_deref().map(|t| &t[..10]).unwrap_or("?"),
                ),
                "The registration deadline of the rollout: pass it with --deadline YYYY-MM-DD",
                vec![Metric::share("Users without an MFA method", s.no_mfa_method, Some(s.users))],
            );
        };
        let population = before + after;
        return Evaluation {
            status: Status::from_coverage(population, after),
            summary: format!(
                "{before} users registered by the {deadline} deadline and {after} after it ({} of {population}); late registrations should have been blocked and routed through the help desk. {} users still have no MFA method.",
                pct(after, population),
                s.no_mfa_method.map(|n| n.to_string()).unwrap_or_else(|| "An unknown number of".into()),
            ),
            population: Some(population),
            affected: Some(after),
            metrics: vec![
                Metric::share("Registered after the deadline", Some(after), Some(population)),
                Metric::share("Users without an MFA method", s.no_mfa_method, Some(s.users)),
            ],
            needs: None,
            action_codes: &["LATE_REGISTRATION"],
        };
    }
    needs_data(
        &match s.no_mfa_method {
            Some(n) => format!("{n} users still have no MFA method and could be registered by whoever signs in first; registration times are only in the audit log."),
            None => "Registration times are only in the audit log.".to_string(),
        },
        AUDIT_LOG_DOWNLOAD,
        vec![Metric::share("Users without an MFA method", s.no_mfa_method, Some(s.users))],
    )
}
