//! R2 — Require registration from a compliant or hybrid-joined device.
//!
//! **What it checks.** Whether security info is registered only from trusted devices (the
//! Conditional Access user action "Register security information",
//! `urn:user:registersecurityinfo`).
//!
//! **Why it matters.** An attacker holding a stolen password can otherwise register their own
//! authenticator and own the account for good.
//!
//! **How to fix.** Create a Conditional Access policy for the user action that requires a
//! compliant or hybrid-joined device (or a trusted location, with a Temporary Access Pass for
//! new users). Registration data does not show devices: the sign-in logs of the "My Signins"
//! app do.

use super::{needs_data, pct, Check, Evaluation, Meta, Metric, Status, SIGNIN_LOG_DOWNLOAD};
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "R2",
        title: "Register security info only from compliant or hybrid-joined devices",
        guidance: Some(2),
        why: "Without it, anyone who phishes a password can register their own MFA method and keep access after the password is changed.",
        fix: "Create a Conditional Access policy on the user action \"Register security information\" requiring a compliant or hybrid-joined device; give new users a Temporary Access Pass.",
        learn_url: "https://learn.microsoft.com/entra/identity/conditional-access/policy-all-users-security-info-registration",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let Some(s) = a.signins.as_ref() else {
        return needs_data(
            "The registration export has no device information. Sign-ins to the security-info registration app show where and from which devices users registered.",
            SIGNIN_LOG_DOWNLOAD,
            Vec::new(),
        );
    };
    if s.registration_signins == 0 {
        return needs_data(
            "The sign-in logs given contain no sign-in to the security-info registration app (My Signins), so registration devices cannot be judged.",
            SIGNIN_LOG_DOWNLOAD,
            Vec::new(),
        );
    }
    if s.registration_signins_success == 0 {
        return needs_data(
            &format!(
                "None of the {} sign-ins to the security-info registration app succeeded ({} blocked by Conditional Access, 53010): registration is restricted, but no successful registration shows from which devices users can register.",
                s.registration_signins, s.registration_blocked
            ),
            SIGNIN_LOG_DOWNLOAD,
            Vec::new(),
        );
    }
    // Evidence of the policy: every *successful* registration sign-in came from a compliant or
    // hybrid-joined device. Blocked attempts (53010) show the policy at work.
    let population = s.registration_signins_success;
    let affected = s.registration_success_unmanaged;
    Evaluation {
        status: Status::from_coverage(population, affected),
        summary: format!(
            "{} sign-ins to the security-info registration app by {} users: {} ({}) from compliant or hybrid-joined devices; {affected} of {population} successful ones came from other devices; {} were blocked by Conditional Access (53010).",
            s.registration_signins,
            s.registration_signin_users,
            s.registration_signins_compliant_or_hybrid,
            pct(s.registration_signins_compliant_or_hybrid, s.registration_signins),
            s.registration_blocked,
        ),
        population: Some(population),
        affected: Some(affected),
        metrics: vec![
            Metric::share(
                "From compliant or hybrid-joined devices",
                Some(s.registration_signins_compliant_or_hybrid),
                Some(s.registration_signins),
            ),
            Metric::share("Successful from other devices", Some(affected), Some(population)),
            Metric::count("Blocked registrations (53010)", Some(s.registration_blocked)),
        ],
        needs: None,
        action_codes: &[],
    }
}
