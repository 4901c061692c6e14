//! R3 — Set a registration deadline, then block registration.
//!
//! **What it checks.** Whether registration was time-boxed, with stragglers routed through the
//! help desk afterwards.
//!
//! **Why it matters.** An open-ended registration window lets an attacker with a password be the
//! first to register MFA for accounts that never did.
//!
//! **How to fix.** Announce a deadline (the Identity Protection MFA registration policy gives
//! users 14 days), then block self-registration for those who missed it. The registration
//! export's `lastUpdatedDateTime` is the report's refresh time, not a registration time, so only
//! the audit log shows who registered when.

use super::{needs_data, Check, Evaluation, Meta, Metric, AUDIT_LOG_DOWNLOAD};
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "R3",
        title: "Registration deadline, then block and route stragglers to the help desk",
        guidance: Some(3),
        why: "Accounts that never registered are the easiest to take over: whoever registers first with the password owns the second factor.",
        fix: "Set a deadline (for example with the Identity Protection MFA registration policy), then block registration outside trusted conditions and register late users through the help desk with a Temporary Access Pass.",
        learn_url: "https://learn.microsoft.com/entra/id-protection/howto-identity-protection-configure-mfa-policy",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let s = &a.all;
    needs_data(
        &match s.no_mfa_method {
            Some(n) => format!("{n} users still have no MFA method and could be registered by whoever signs in first; registration times are only in the audit log."),
            None => "Registration times are only in the audit log.".to_string(),
        },
        AUDIT_LOG_DOWNLOAD,
        vec![Metric::share("Users without an MFA method", s.no_mfa_method, Some(s.users))],
    )
}
