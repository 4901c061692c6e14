//! R1 — Enable combined security information registration.
//!
//! **What it checks.** Whether users register MFA and self-service password reset (SSPR) in one
//! experience. The setting itself is not in any export; the registration export can only show
//! its symptom: users with MFA methods who are not registered for SSPR.
//!
//! **Why it matters.** With separate experiences users register twice or only once, and the
//! help desk resets passwords for people who have perfectly good MFA methods.
//!
//! **How to fix.** Combined registration is on by default in current tenants; confirm it, and
//! judge adoption from the Authentication Methods audit events.

use super::{needs_data, pct, Check, Evaluation, Meta, Metric, Status, AUDIT_LOG_DOWNLOAD};
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "R1",
        title: "Combined security info registration (MFA + SSPR in one experience)",
        guidance: Some(1),
        why: "One registration experience gives users both MFA and password reset at once; separate experiences leave people registered for one but not the other.",
        fix: "Keep combined security info registration enabled (the default since 2022) and point users to https://aka.ms/mysecurityinfo. Users enabled for password reset but not registered for it are listed in the actions CSV (SSPR_NOT_REGISTERED).",
        learn_url: "https://learn.microsoft.com/entra/identity/authentication/concept-registration-mfa-sspr-combined",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let s = &a.all;
    if let Some(audit) = a.audit.as_ref().filter(|au| au.users_registered > 0) {
        // Evidence, not the setting: users who completed the combined experience themselves
        // ("User registered all required security info") among all users who registered.
        let population = audit.users_registered;
        let affected = population.saturating_sub(audit.combined_users);
        return Evaluation {
            status: Status::from_coverage(population, affected),
            summary: format!(
                "{} of {population} users who registered security info in the audit window ({}) completed the combined registration themselves; {} users were registered by an admin. The audit log shows how users registered, not the tenant setting itself.",
                audit.combined_users,
                pct(audit.combined_users, population),
                audit.admin_registered_users
            ),
            population: Some(population),
            affected: Some(affected),
            metrics: vec![
                Metric::share("Completed combined registration", Some(audit.combined_users), Some(population)),
                Metric::share("Registered by an admin", Some(audit.admin_registered_users), Some(population)),
                Metric::share("MFA method but not registered for SSPR", s.mfa_without_sspr, Some(s.users)),
            ],
            needs: None,
            action_codes: &[],
        };
    }
    let indicator = match s.mfa_without_sspr {
        Some(n) => format!(
            " Indicator from the registration export: {n} of {} users have an MFA method but are not registered for password reset.",
            s.users
        ),
        None => String::new(),
    };
    needs_data(
        &format!(
            "The registration export cannot show which registration experience users went through.{indicator}"
        ),
        AUDIT_LOG_DOWNLOAD,
        vec![
            Metric::share("Registered for SSPR", s.sspr_registered, Some(s.users)),
            Metric::share("Enabled for SSPR", s.sspr_enabled, Some(s.users)),
            Metric::share("MFA method but not registered for SSPR", s.mfa_without_sspr, Some(s.users)),
        ],
    )
}
