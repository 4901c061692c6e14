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

use super::{needs_data, Check, Evaluation, Meta, SIGNIN_LOG_DOWNLOAD};
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

fn evaluate(_: &Analysis) -> Evaluation {
    needs_data(
        "The registration export has no device information. Sign-ins to the security-info registration app show where and from which devices users registered.",
        SIGNIN_LOG_DOWNLOAD,
        Vec::new(),
    )
}
