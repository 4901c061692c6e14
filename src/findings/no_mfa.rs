//! Members without an MFA method.
//!
//! **What it checks.** Member accounts (not guests) with no MFA method at all, including those
//! with only email or security questions, which reset passwords but are not MFA.
//!
//! **Why it matters.** These accounts can be signed into with a password alone, and whoever
//! registers first (possibly an attacker with the password) owns their second factor.
//!
//! **How to fix.** Require registration (registration campaign, Identity Protection MFA
//! registration policy) and follow up individually with the listed users.

use super::{pct, Check, Evaluation, Meta, Metric, Status};
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "no-mfa",
        title: "Every member has an MFA method",
        guidance: None,
        why: "An account without an MFA method signs in with a password alone, and the first person to register a method for it, possibly an attacker, owns its second factor.",
        fix: "Require registration with a deadline, reach out to the listed users, and register the remaining ones through the help desk with a Temporary Access Pass.",
        learn_url: "https://learn.microsoft.com/entra/id-protection/howto-identity-protection-configure-mfa-policy",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let m = &a.members;
    // From the method lists; when those were lost, from isMfaRegistered.
    let affected = match (m.no_mfa_method, m.mfa_registered) {
        (Some(n), _) => n,
        (None, Some(registered)) => m.users - registered,
        (None, None) => {
            return super::needs_data(
                "The export lost its method lists and has no isMfaRegistered column, so members without MFA cannot be counted.",
                "User registration details with the methodsRegistered column intact: Entra admin center > Protection > Authentication methods > User registration details > Download",
                Vec::new(),
            )
        }
    };
    let sspr_only = m
        .tiers
        .as_ref()
        .and_then(|t| t.iter().find(|(t, _)| *t == crate::methods::Tier::SsprOnly))
        .map(|(_, n)| *n);
    Evaluation {
        status: Status::from_coverage(m.users, affected),
        summary: format!(
            "{affected} of {} members ({}) have no MFA method{}.",
            m.users,
            pct(affected, m.users),
            sspr_only
                .filter(|n| *n > 0)
                .map(|n| format!(", {n} of them only email or security questions"))
                .unwrap_or_default()
        ),
        population: Some(m.users),
        affected: Some(affected),
        metrics: vec![
            Metric::share(
                "Members without an MFA method",
                m.no_mfa_method,
                Some(m.users),
            ),
            Metric::share("Members with only SSPR methods", sspr_only, Some(m.users)),
        ],
        needs: None,
        action_codes: &["NO_MFA_METHOD", "SSPR_ONLY"],
    }
}
