//! Users who sign in without being able to do MFA (needs sign-in logs).
//!
//! **What it checks.** Users of the registration export who are not MFA capable (`isMfaCapable`
//! false, or no MFA method when that column is absent) yet have successful sign-ins in the
//! window, unless their MFA is done by an external or federated provider.
//!
//! **Why it matters.** These accounts are in use and protected by a password alone; they are
//! the first a password spray turns into a breach.
//!
//! **How to fix.** Register a method for each listed user now, then require MFA for all users
//! with Conditional Access.

use super::{pct, users_with, Check, Evaluation, Meta, Metric, Status};
use crate::analyze::signins::UsageClass;
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "signins-not-capable",
        title: "Nobody signs in without being able to do MFA",
        guidance: None,
        why: "An account that signs in successfully but cannot do MFA is in use and protected by its password alone: the first target of password spray and phishing.",
        fix: "Register a method for each listed user now (Temporary Access Pass through the help desk), then require MFA for all users with Conditional Access.",
        learn_url: "https://learn.microsoft.com/entra/identity/conditional-access/policy-all-users-mfa-strength",
    },
    evaluate,
};

fn class(a: &Analysis, c: UsageClass) -> u64 {
    a.signins
        .as_ref()
        .and_then(|s| s.registered_vs_used.iter().find(|(k, _)| *k == c))
        .map(|(_, n)| *n)
        .unwrap_or(0)
}

/// Registration users with at least one successful sign-in.
pub fn signed_in(a: &Analysis) -> u64 {
    [
        UsageClass::UsedMfa,
        UsageClass::SingleFactorOnly,
        UsageClass::NotCapableSignedIn,
        UsageClass::MfaByTokenOnly,
        UsageClass::ExternalMfa,
        UsageClass::CapabilityUnknown,
        UsageClass::RequirementUnknown,
    ]
    .iter()
    .map(|c| class(a, *c))
    .sum()
}

fn evaluate(a: &Analysis) -> Evaluation {
    let population = signed_in(a);
    let affected = class(a, UsageClass::NotCapableSignedIn);
    debug_assert_eq!(affected, users_with(a, &["NOT_CAPABLE_SIGNING_IN"]));
    Evaluation {
        status: if affected == 0 {
            Status::Met
        } else {
            Status::NotMet
        },
        summary: format!(
            "{affected} of {population} users who signed in successfully ({}) are not MFA capable.",
            pct(affected, population)
        ),
        population: Some(population),
        affected: Some(affected),
        metrics: vec![
            Metric::share("Not capable, signed in", Some(affected), Some(population)),
            Metric::share(
                "MFA by an external provider (not a gap)",
                Some(class(a, UsageClass::ExternalMfa)),
                Some(population),
            ),
        ],
        needs: None,
        action_codes: &["NOT_CAPABLE_SIGNING_IN"],
    }
}
