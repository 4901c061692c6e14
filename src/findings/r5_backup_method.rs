//! R5 — Every user has a backup method.
//!
//! **What it checks.** Among users with at least one MFA method, how many have MFA methods on at
//! least two *independent* devices other than a phone number (device groups in
//! docs/METRICS.md). Push and a code in the same Authenticator app are one phone, not a backup;
//! a phone number no longer counts as a good backup because Microsoft-provided SMS and voice end
//! on 2027-02-01.
//!
//! **Why it matters.** A lost or replaced phone otherwise locks the user out, and recovery
//! through the help desk is where social engineering succeeds.
//!
//! **How to fix.** Add a passkey, security key or Windows Hello for Business next to
//! Authenticator.

use super::{pct, Check, Evaluation, Meta, Metric, Status};
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "R5",
        title: "A backup method on an independent device (not a phone number)",
        guidance: Some(5),
        why: "A lost, wiped or replaced phone takes every method on it; with SMS and voice retiring on 2027-02-01, a phone number is no longer a dependable backup.",
        fix: "Have users add a second, independent method: a device-bound passkey or FIDO2 key, or Windows Hello for Business, next to Microsoft Authenticator.",
        learn_url: "https://learn.microsoft.com/entra/identity/authentication/concept-sms-voice-retirement",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let s = &a.all;
    let (Some(no_mfa), Some(strong)) = (s.no_mfa_method, s.strong_backup) else {
        return super::needs_data(
            "The export lost its method lists, so backups cannot be counted.",
            "User registration details with the methodsRegistered column intact: Entra admin center > Protection > Authentication methods > User registration details > Download",
            Vec::new(),
        );
    };
    let population = s.users - no_mfa;
    let affected = population.saturating_sub(strong);
    Evaluation {
        status: Status::from_coverage(population, affected),
        summary: format!(
            "{strong} of {population} users with an MFA method ({}) have a backup on an independent, non-phone device; {} have everything on one device and {} rely on a phone number as the backup.",
            pct(strong, population),
            s.no_independent_backup.unwrap_or(0),
            s.backup_only_phone.unwrap_or(0),
        ),
        population: Some(population),
        affected: Some(affected),
        metrics: vec![
            Metric::share("Independent non-phone backup", Some(strong), Some(population)),
            Metric::share("All methods on one device", s.no_independent_backup, Some(population)),
            Metric::share("Backup is only a phone number", s.backup_only_phone, Some(population)),
        ],
        needs: None,
        action_codes: &["NO_INDEPENDENT_BACKUP", "BACKUP_IS_PHONE", "PHONE_ONLY"],
    }
}
