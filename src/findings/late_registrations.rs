//! Registrations after the deadline (needs the audit log and `--deadline`).
//!
//! **What it checks.** Users whose first successful security-info registration in the audit log
//! came after the registration deadline (the deadline day itself counts as in time).
//!
//! **Why it matters.** Guidance 3: after the deadline, self-registration should be blocked and
//! stragglers registered through the help desk; a late self-registration may be an attacker's.
//!
//! **How to fix.** Confirm each listed registration with the user through the help desk, then
//! block registration outside trusted conditions.

use super::{pct, Check, Evaluation, Meta, Metric, Status};
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "late-registrations",
        title: "No self-registration after the deadline",
        guidance: None,
        why: "After the deadline, registration should be blocked and routed through the help desk; a late self-registration is exactly what an attacker holding a password would do.",
        fix: "Confirm each listed registration with the user through the help desk (not through the new method), then block registration outside trusted devices or locations.",
        learn_url: "https://learn.microsoft.com/entra/id-protection/howto-identity-protection-configure-mfa-policy",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let audit = a.audit.as_ref();
    let (Some(before), Some(after)) = (
        audit.and_then(|x| x.registered_before_deadline),
        audit.and_then(|x| x.registered_after_deadline),
    ) else {
        return super::needs_data(
            "No registration deadline was given.",
            "The rollout's registration deadline: pass it with --deadline YYYY-MM-DD",
            Vec::new(),
        );
    };
    let population = before + after;
    let deadline = audit.and_then(|x| x.deadline.clone()).unwrap_or_default();
    Evaluation {
        status: Status::from_coverage(population, after),
        summary: format!(
            "{after} of {population} users ({}) first registered after the {deadline} deadline.",
            pct(after, population)
        ),
        population: Some(population),
        affected: Some(after),
        metrics: vec![Metric::share(
            "Registered after the deadline",
            Some(after),
            Some(population),
        )],
        needs: None,
        action_codes: &["LATE_REGISTRATION"],
    }
}
