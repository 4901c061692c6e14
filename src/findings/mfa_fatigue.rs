//! Repeated MFA denials: possible MFA fatigue attacks (needs sign-in logs).
//!
//! **What it checks.** Users with at least three sign-ins that failed with error 500121 (MFA
//! denied or timed out) in the window.
//!
//! **Why it matters.** A burst of unanswered or denied prompts is how push-bombing attacks look:
//! the attacker has the password and waits for a tired "Approve".
//!
//! **How to fix.** Confirm with each listed user; reset the password if the prompts were not
//! theirs; keep number matching on and move to passkeys.

use super::{Check, Evaluation, Meta, Metric, Status};
use crate::analyze::signins::REPEATED_DENIALS;
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "mfa-fatigue",
        title: "No repeated MFA denials (MFA fatigue)",
        guidance: None,
        why: "Several denied or timed-out MFA prompts for one user are the signature of push bombing: someone has the password and is waiting for an approval.",
        fix: "Contact each listed user; if the prompts were not theirs, reset the password and revoke sessions. Keep number matching on and move users to passkeys.",
        learn_url: "https://learn.microsoft.com/entra/identity/authentication/how-to-mfa-number-match",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let s = a.signins.as_ref();
    let users = s.map(|s| s.repeated_denial_users).unwrap_or(0);
    let denials = s
        .and_then(|s| s.error_codes.iter().find(|(c, _)| *c == 500121))
        .map(|(_, n)| *n)
        .unwrap_or(0);
    Evaluation {
        status: if users == 0 { Status::Met } else { Status::PartlyMet },
        summary: format!(
            "{users} users had {REPEATED_DENIALS} or more MFA denials or time-outs; {denials} such failures in all."
        ),
        population: None,
        affected: Some(users),
        metrics: vec![
            Metric::count("Users with repeated denials", Some(users)),
            Metric::count("MFA denials (500121)", Some(denials)),
        ],
        needs: None,
        action_codes: &["REPEATED_MFA_DENIALS"],
    }
}
