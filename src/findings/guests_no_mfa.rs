//! Guests without an MFA method in this tenant.
//!
//! **What it checks.** Guest accounts (`userType` guest, or `#EXT#` in the UPN) with no MFA
//! method registered here.
//!
//! **Why it matters.** A guest may satisfy MFA in their home tenant, but only if cross-tenant
//! access settings trust it; otherwise the guest signs into your resources with a password.
//!
//! **How to fix.** Trust the home tenant's MFA for partner organisations in cross-tenant access
//! settings, require MFA for guests with Conditional Access, and remove stale guests.

use super::{pct, users_with, Check, Evaluation, Meta, Metric, Status};
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "guests-no-mfa",
        title: "Guests have MFA here or a trusted home-tenant MFA",
        guidance: None,
        why: "Guests without MFA in this tenant are protected only if cross-tenant access settings trust their home tenant's MFA; the registration export cannot see that setting.",
        fix: "Confirm inbound cross-tenant access trusts MFA from partner tenants, require MFA for guests with Conditional Access, and review stale guest accounts.",
        learn_url: "https://learn.microsoft.com/entra/external-id/cross-tenant-access-settings-b2b-collaboration",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let g = &a.guests;
    if g.no_mfa_method.is_none() && g.mfa_registered.is_none() {
        return super::needs_data(
            "The export lost its method lists and has no isMfaRegistered column, so guests without MFA cannot be counted.",
            "User registration details with the methodsRegistered column intact",
            Vec::new(),
        );
    }
    let affected = users_with(a, &["GUEST_NO_MFA"]);
    Evaluation {
        status: Status::from_coverage(g.users, affected),
        summary: format!(
            "{affected} of {} guests ({}) have no MFA method in this tenant.",
            g.users,
            pct(affected, g.users)
        ),
        population: Some(g.users),
        affected: Some(affected),
        metrics: vec![Metric::share(
            "Guests without an MFA method",
            Some(affected),
            Some(g.users),
        )],
        needs: None,
        action_codes: &["GUEST_NO_MFA"],
    }
}
