//! Registrations from unusual countries (needs the audit log and the sign-in logs).
//!
//! **What it checks.** Each security-info registration by a user is matched to the sign-in that
//! carried it (same correlation id, or the user's nearest My Signins sign-in within 30 minutes);
//! a registration from a country where the user never otherwise signs in is flagged.
//!
//! **Why it matters.** An attacker with a phished password registers their own authenticator
//! from their own location: that is exactly what guidance 2 and 3 try to prevent.
//!
//! **How to fix.** Confirm each listed registration with the user through the help desk; if it
//! was not theirs, delete the method, reset the password and revoke sessions; then restrict
//! registration to trusted devices or locations.

use super::{pct, Check, Evaluation, Meta, Metric, Status};
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "suspicious-registrations",
        title: "No security info registered from unusual countries",
        guidance: None,
        why: "An attacker who phished a password registers their own method from their own location; a registration from a country the user never signs in from is the trace it leaves.",
        fix: "Confirm each listed registration with the user through the help desk; if it was not theirs, delete the method, reset the password and revoke sessions, then require a compliant device or trusted location for registration.",
        learn_url: "https://learn.microsoft.com/entra/identity/conditional-access/policy-all-users-security-info-registration",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let Some(o) = a
        .audit
        .as_ref()
        .and_then(|x| x.registration_origin.as_ref())
    else {
        return super::needs_data(
            "Needs both the audit log and the sign-in logs of the same period.",
            super::SIGNIN_LOG_DOWNLOAD,
            Vec::new(),
        );
    };
    if o.matched == 0 {
        return super::needs_data(
            &format!(
                "None of the {} registrations by users could be traced to a sign-in: the sign-in logs must cover the registration period (sign-ins to My Signins, ideally with the same correlation id).",
                o.registrations
            ),
            super::SIGNIN_LOG_DOWNLOAD,
            Vec::new(),
        );
    }
    Evaluation {
        status: if o.suspicious == 0 { Status::Met } else { Status::NotMet },
        summary: format!(
            "{} of {} registrations could be traced to a sign-in ({}); {} came from a country where the user never otherwise signs in ({} users).",
            o.matched,
            o.registrations,
            pct(o.matched, o.registrations),
            o.suspicious,
            o.suspicious_users
        ),
        population: Some(o.matched),
        affected: Some(o.suspicious),
        metrics: vec![
            Metric::share("Traced to a sign-in", Some(o.matched), Some(o.registrations)),
            Metric::share("From a compliant or hybrid-joined device", Some(o.from_compliant_or_hybrid), Some(o.matched)),
            Metric::count("Users with a suspicious registration", Some(o.suspicious_users)),
        ],
        needs: None,
        action_codes: &["SUSPICIOUS_REGISTRATION"],
    }
}
