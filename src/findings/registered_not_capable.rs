//! Registered but not MFA capable.
//!
//! **What it checks.** Users who have MFA methods registered (or `isMfaRegistered`) while
//! `isMfaCapable` is false: none of their methods is allowed by the authentication methods
//! policy that applies to them.
//!
//! **Why it matters.** "Registered" is not "protected": these users think they are set up, yet
//! cannot complete MFA, and Conditional Access either blocks them or is exempted for them.
//!
//! **How to fix.** Bring the user into a policy for a method they have, or have them register an
//! allowed one.

use super::{users_with, Check, Evaluation, Meta, Metric, Status};
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "registered-not-capable",
        title: "Registered methods are allowed by policy",
        guidance: None,
        why: "A method that the authentication methods policy does not allow for the user cannot be used: the user is registered but not MFA capable.",
        fix: "Check the authentication methods policy targeting for the listed users; enable a method they have registered, or have them register an allowed one.",
        learn_url: "https://learn.microsoft.com/entra/identity/authentication/concept-authentication-methods-manage",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let s = &a.all;
    let population = match (s.no_mfa_method, s.mfa_registered) {
        (Some(none), _) => s.users - none,
        (None, Some(registered)) => registered,
        (None, None) => 0,
    };
    if s.mfa_capable.is_none() || (s.no_mfa_method.is_none() && s.mfa_registered.is_none()) {
        return super::needs_data(
            "The export lacks isMfaCapable, or both the method lists and isMfaRegistered.",
            "User registration details: Entra admin center > Protection > Authentication methods > User registration details > Download",
            Vec::new(),
        );
    }
    let affected = users_with(a, &["REGISTERED_NOT_CAPABLE"]);
    Evaluation {
        status: Status::from_coverage(population, affected),
        summary: format!(
            "{affected} of {population} users with MFA methods are not MFA capable: their methods are not allowed by policy."
        ),
        population: Some(population),
        affected: Some(affected),
        metrics: vec![Metric::share("Registered but not capable", Some(affected), Some(population))],
        needs: None,
        action_codes: &["REGISTERED_NOT_CAPABLE"],
    }
}
