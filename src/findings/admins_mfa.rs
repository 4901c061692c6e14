//! Admins who cannot do MFA.
//!
//! **What it checks.** Users with an admin role (`isAdmin`) who are not MFA capable or have no
//! MFA method.
//!
//! **Why it matters.** A privileged account protected by a password alone is the single most
//! valuable target in the tenant.
//!
//! **How to fix.** Register a phishing-resistant method for each listed admin today and require
//! MFA for every admin role with Conditional Access.

use super::{users_with, Check, Evaluation, Meta, Metric, Status};
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "admins-mfa",
        title: "Every admin can do MFA",
        guidance: None,
        why: "An admin role protected by a password alone can be taken over by password spray or phishing, and with it the tenant.",
        fix: "Register a FIDO2 key or passkey for each listed admin now, and require phishing-resistant MFA for admin roles with Conditional Access.",
        learn_url: "https://learn.microsoft.com/entra/identity/conditional-access/policy-old-require-mfa-admin",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let Some(admins) = &a.admins else {
        return super::needs_data(
            "The export does not say who is an admin (no isAdmin column).",
            "User registration details with the isAdmin property: Get-MgReportAuthenticationMethodUserRegistrationDetail (Graph PowerShell) or the Graph API, exported to CSV",
            Vec::new(),
        );
    };
    let affected = users_with(a, &["ADMIN_NO_MFA"]);
    Evaluation {
        status: if affected == 0 {
            Status::Met
        } else {
            Status::NotMet
        },
        summary: format!("{affected} of {} admins cannot do MFA.", admins.users),
        population: Some(admins.users),
        affected: Some(affected),
        metrics: vec![
            Metric::share(
                "Admins not MFA capable",
                admins.mfa_capable.map(|c| admins.users - c),
                Some(admins.users),
            ),
            Metric::share(
                "Admins without an MFA method",
                admins.no_mfa_method,
                Some(admins.users),
            ),
        ],
        needs: None,
        action_codes: &["ADMIN_NO_MFA"],
    }
}
