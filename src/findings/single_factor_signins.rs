//! MFA-capable users who only ever sign in single-factor (needs sign-in logs).
//!
//! **What it checks.** Users who are MFA capable, signed in successfully in the window, and
//! whose every successful sign-in was single-factor.
//!
//! **Why it matters.** Registration without enforcement protects nothing: these users have a
//! second factor that no policy asks for.
//!
//! **How to fix.** Require MFA for all users and all cloud apps with Conditional Access (or
//! security defaults), and review exclusions.

use super::signins_not_capable::signed_in;
use super::{pct, Check, Evaluation, Meta, Metric, Status};
use crate::analyze::signins::UsageClass;
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "single-factor-signins",
        title: "MFA is enforced for users who have it",
        guidance: None,
        why: "Registered is not enforced: a user with a second factor that no policy asks for still signs in with a password alone.",
        fix: "Require MFA for all users and cloud apps with Conditional Access (or security defaults) and review policy exclusions and trusted locations.",
        learn_url: "https://learn.microsoft.com/entra/identity/conditional-access/policy-all-users-mfa-strength",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let s = a.signins.as_ref();
    let affected = s
        .and_then(|s| {
            s.registered_vs_used
                .iter()
                .find(|(c, _)| *c == UsageClass::SingleFactorOnly)
        })
        .map(|(_, n)| *n)
        .unwrap_or(0);
    let population = signed_in(a);
    let (sf, ok) = s
        .map(|s| (s.single_factor_success, s.success))
        .unwrap_or((0, 0));
    Evaluation {
        status: Status::from_coverage(population, affected),
        summary: format!(
            "{affected} of {population} users who signed in ({}) are MFA capable but only signed in single-factor; {sf} of {ok} successful sign-ins were single-factor.",
            pct(affected, population)
        ),
        population: Some(population),
        affected: Some(affected),
        metrics: vec![
            Metric::share("Capable, single-factor only", Some(affected), Some(population)),
            Metric::share("Single-factor successful sign-ins", Some(sf), Some(ok)),
        ],
        needs: None,
        action_codes: &["MFA_NOT_ENFORCED"],
    }
}
