//! R4 — Make Microsoft Authenticator the default method.
//!
//! **What it checks.** Among users with at least one MFA method, how many default to Microsoft
//! Authenticator or stronger: `microsoftAuthenticatorPush` as their default
//! (`defaultMfaMethod`, or the mapped `userPreferredMethodForSecondaryAuthentication`), or a
//! phishing-resistant method with no default set (the default cannot name a passkey). Affected
//! are the users with the `DEFAULT_NOT_AUTHENTICATOR` or `PHONE_ONLY` action.
//!
//! **Why it matters.** Authenticator notifications with number matching are stronger than SMS
//! and voice, and users see fewer prompts.
//!
//! **How to fix.** Run a registration campaign (nudge) for Authenticator, enable system-preferred
//! MFA, and change defaults of users who already have the app.

use super::{needs_data, pct, users_with, Check, Evaluation, Meta, Metric, Status};
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "R4",
        title: "Microsoft Authenticator as the default method",
        guidance: Some(4),
        why: "Authenticator with number matching resists SIM swapping and interception better than SMS or voice and prompts less often; users whose default is a phone keep getting SMS codes.",
        fix: "Enable the Authenticator registration campaign and system-preferred MFA; for users who already have the app, change the default to \"Microsoft Authenticator – notification\".",
        learn_url: "https://learn.microsoft.com/entra/identity/authentication/how-to-mfa-registration-campaign",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let s = &a.all;
    let (Some(no_mfa), Some(auth_default)) = (s.no_mfa_method, s.authenticator_default) else {
        return needs_data(
            "The export has no default-method column (defaultMfaMethod or userPreferredMethodForSecondaryAuthentication) or lost its method lists.",
            "User registration details: Entra admin center > Protection > Authentication methods > User registration details > Download (or Get-MgBetaReportAuthenticationMethodUserRegistrationDetail with DefaultMfaMethod and the method lists joined)",
            Vec::new(),
        );
    };
    let population = s.users - no_mfa;
    let affected = users_with(a, &["DEFAULT_NOT_AUTHENTICATOR", "PHONE_ONLY"]);
    let ok = population.saturating_sub(affected);
    Evaluation {
        status: Status::from_coverage(population, affected),
        summary: format!(
            "{ok} of {population} users with an MFA method ({}) default to Microsoft Authenticator or a stronger method; {affected} do not.",
            pct(ok, population)
        ),
        population: Some(population),
        affected: Some(affected),
        metrics: {
            let mut m = vec![
            Metric::share("Authenticator or stronger as default", Some(ok), Some(population)),
            Metric::share("Authenticator is the default", Some(auth_default), Some(population)),
            Metric::share("Authenticator registered", s.authenticator_registered, Some(population)),
            ];
            // Evidence from real sign-ins: how MFA prompts were answered.
            if let Some(signins) = &a.signins {
                let family = |keys: &[&str]| -> u64 {
                    signins
                        .mfa_method_families
                        .iter()
                        .filter(|(k, _)| keys.contains(&k.as_str()))
                        .map(|(_, n)| *n)
                        .sum()
                };
                let prompts = family(&[
                    "authenticator_push", "authenticator_passwordless", "oath_code", "sms",
                    "voice", "passkey_or_fido2", "windows_hello", "certificate", "other",
                ]);
                m.push(Metric::share("MFA sign-ins answered in Authenticator", Some(family(&["authenticator_push", "authenticator_passwordless"])), Some(prompts)));
                m.push(Metric::share("MFA sign-ins by SMS or voice", Some(family(&["sms", "voice"])), Some(prompts)));
            }
            m
        },
        needs: None,
        action_codes: &["DEFAULT_NOT_AUTHENTICATOR", "PHONE_ONLY"],
    }
}
