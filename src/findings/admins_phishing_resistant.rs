//! Admins without a phishing-resistant method.
//!
//! **What it checks.** Admins (`isAdmin`) with MFA but no phishing-resistant method (FIDO2 key,
//! passkey, Windows Hello for Business, platform credential, certificate).
//!
//! **Why it matters.** Adversary-in-the-middle phishing kits relay push approvals and codes;
//! only phishing-resistant methods stop them, and admins are their first target.
//!
//! **How to fix.** Issue FIDO2 keys or device-bound passkeys to admins and require the
//! "Phishing-resistant MFA" authentication strength for admin roles.

use super::{Check, Evaluation, Meta, Metric, Status};
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "admins-phishing-resistant",
        title: "Admins use a phishing-resistant method",
        guidance: None,
        why: "Push approvals and one-time codes can be relayed by phishing proxies; admin accounts need methods bound to the real sign-in page.",
        fix: "Give each admin a FIDO2 security key or device-bound passkey (or Windows Hello for Business) and require the phishing-resistant authentication strength for admin roles.",
        learn_url: "https://learn.microsoft.com/entra/identity/authentication/how-to-plan-prerequisites-phishing-resistant-passwordless-authentication",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let (Some(admins), Some(affected)) = (&a.admins, a.all.admins_not_phishing_resistant) else {
        return super::needs_data(
            "The export does not say who is an admin, or lost its method lists.",
            "User registration details with isAdmin and methodsRegistered: Graph API or Get-MgReportAuthenticationMethodUserRegistrationDetail, lists joined",
            Vec::new(),
        );
    };
    let with_pr = admins.phishing_resistant.unwrap_or(0);
    Evaluation {
        status: Status::from_coverage(admins.users, affected),
        summary: format!(
            "{with_pr} of {} admins have a phishing-resistant method; {affected} do not.",
            admins.users
        ),
        population: Some(admins.users),
        affected: Some(affected),
        metrics: vec![Metric::share(
            "Admins with a phishing-resistant method",
            admins.phishing_resistant,
            Some(admins.users),
        )],
        needs: None,
        action_codes: &["ADMIN_NO_MFA", "ADMIN_NOT_PHISHING_RESISTANT"],
    }
}
