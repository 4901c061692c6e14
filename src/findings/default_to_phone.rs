//! Defaults switched to a phone (needs the audit log).
//!
//! **What it checks.** Users who changed their default security info to a phone call or text
//! message ("User changed default security info" naming a call or a text) in the audit window.
//!
//! **Why it matters.** It undoes guidance 4 user by user, and SMS and voice end on 2027-02-01.
//!
//! **How to fix.** Switch the listed users back to Microsoft Authenticator or a passkey, and
//! enable system-preferred MFA so the strongest method is asked first.

use super::{Check, Evaluation, Meta, Metric, Status};
use crate::analyze::Analysis;

pub const CHECK: Check = Check {
    meta: Meta {
        id: "default-to-phone",
        title: "No user switches their default back to a phone",
        guidance: None,
        why: "A default switched to a call or text undoes guidance 4 for that user, and Microsoft-provided SMS and voice end on 2027-02-01.",
        fix: "Switch the listed users back to Microsoft Authenticator or a passkey, and enable system-preferred MFA so the strongest registered method is asked first.",
        learn_url: "https://learn.microsoft.com/entra/identity/authentication/concept-system-preferred-multifactor-authentication",
    },
    evaluate,
};

fn evaluate(a: &Analysis) -> Evaluation {
    let audit = a.audit.as_ref();
    let users = audit.map(|x| x.default_changed_to_phone_users).unwrap_or(0);
    let events = audit.map(|x| x.default_changed_to_phone).unwrap_or(0);
    let changed = audit.map(|x| x.default_changed).unwrap_or(0);
    Evaluation {
        status: if users == 0 { Status::Met } else { Status::PartlyMet },
        summary: format!(
            "{users} users switched their default to a phone ({events} of {changed} default changes)."
        ),
        population: None,
        affected: Some(users),
        metrics: vec![
            Metric::count("Users", Some(users)),
            Metric::share("Default changes to a phone", Some(events), Some(changed)),
        ],
        needs: None,
        action_codes: &["DEFAULT_SWITCHED_TO_PHONE"],
    }
}
