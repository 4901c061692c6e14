//! Phone-only users before the SMS/voice retirement.
//!
//! **What it checks.** Users whose every MFA method is a phone number (mobile, alternate mobile,
//! office), counted against the 2027-02-01 retirement of Microsoft-provided SMS and voice in the
//! public cloud.
//!
//! **Why it matters.** From that date these users get a blocking passkey-registration prompt at
//! sign-in; until then SMS and voice remain the weakest second factors (SIM swap, interception).
//!
//! **How to fix.** Move them to Microsoft Authenticator or a passkey now, in a planned campaign,
//! rather than at the blocking prompt.

use super::{pct, Check, Evaluation, Meta, Metric, Status};
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "sms-voice-retirement",
        title: "No user depends on SMS or voice alone",
        guidance: None,
        why: "Microsoft-provided SMS and voice MFA end on 2027-02-01 (public cloud); phone-only users then face a blocking prompt to register a passkey, and until then they use the weakest second factor.",
        fix: "Run a registration campaign for Microsoft Authenticator or passkeys aimed at the listed users before the cutoff.",
        learn_url: "https://learn.microsoft.com/entra/identity/authentication/concept-sms-voice-retirement",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let s = &a.all;
    let (Some(no_mfa), Some(phone_only)) = (s.no_mfa_method, s.phone_only) else {
        return super::needs_data(
            "The export lost its method lists, so phone-only users cannot be counted.",
            "User registration details with the methodsRegistered column intact",
            Vec::new(),
        );
    };
    let population = s.users - no_mfa;
    let days = a.days_to_sms_voice_retirement();
    let when = if days > 0 {
        format!("{days} days before the 2027-02-01 SMS/voice retirement")
    } else {
        format!("{} days after the 2027-02-01 SMS/voice retirement", -days)
    };
    Evaluation {
        status: Status::from_coverage(population, phone_only),
        summary: format!(
            "{phone_only} of {population} users with an MFA method ({}) rely on phone methods only, {when} (as of {}).",
            pct(phone_only, population),
            a.as_of
        ),
        population: Some(population),
        affected: Some(phone_only),
        metrics: vec![
            Metric::share("Phone-only users", Some(phone_only), Some(population)),
            Metric::count("Days to retirement", Some(days.max(0) as u64)),
        ],
        needs: None,
        action_codes: &["PHONE_ONLY"],
    }
}
