//! Findings: one module per point of Microsoft's MFA registration guidance (R1–R6) and per
//! further gap the data can show. Each module documents what it checks, why it matters and how
//! to fix it, next to the `evaluate` function that judges it from the statistics.
//!
//! Status rule shared by the coverage checks (docs/METRICS.md, "Scorecard"):
//! `met` when no user in the population is affected, `not_met` when more than half are,
//! `partly_met` otherwise, and `needs_data` when the inputs cannot tell.

mod admins_mfa;
mod admins_phishing_resistant;
pub mod data_quality;
mod default_to_phone;
mod guests_no_mfa;
mod late_registrations;
mod legacy_auth;
mod mfa_fatigue;
mod no_mfa;
mod r1_combined_registration;
mod r2_registration_device;
mod r3_registration_deadline;
mod r4_authenticator_default;
mod r5_backup_method;
mod r6_analyzer;
mod registered_not_capable;
mod signins_not_capable;
mod single_factor_signins;
mod sms_voice_retirement;
mod suspicious_registrations;

use serde::Serialize;

use crate::analyze::{actions, Analysis};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    PartlyMet,
    NotMet,
    NeedsData,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::PartlyMet => "partly_met",
            Status::NotMet => "not_met",
            Status::NeedsData => "needs_data",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Met => "Met",
            Status::PartlyMet => "Partly met",
            Status::NotMet => "Not met",
            Status::NeedsData => "Needs data",
        }
    }

    /// The shared coverage rule.
    pub fn from_coverage(population: u64, affected: u64) -> Status {
        if affected == 0 {
            Status::Met
        } else if affected * 2 > population {
            Status::NotMet
        } else {
            Status::PartlyMet
        }
    }
}

/// The fixed text of a check.
pub struct Meta {
    pub id: &'static str,
    pub title: &'static str,
    /// The number of the Microsoft guidance point (1–6), or `None` for further findings.
    pub guidance: Option<u8>,
    pub why: &'static str,
    pub fix: &'static str,
    pub learn_url: &'static str,
}

/// A number behind a finding: `value` out of `of` when it is a share.
#[derive(Debug, Clone, Serialize)]
pub struct Metric {
    pub label: String,
    pub value: Option<u64>,
    pub of: Option<u64>,
}

impl Metric {
    pub fn count(label: &str, value: Option<u64>) -> Metric {
        Metric {
            label: label.into(),
            value,
            of: None,
        }
    }

    pub fn share(label: &str, value: Option<u64>, of: Option<u64>) -> Metric {
        Metric {
            label: label.into(),
            value,
            of,
        }
    }
}

/// What `evaluate` decides.
pub struct Evaluation {
    pub status: Status,
    pub summary: String,
    pub population: Option<u64>,
    pub affected: Option<u64>,
    pub metrics: Vec<Metric>,
    /// For `needs_data`: exactly which export to download, and where.
    pub needs: Option<String>,
    /// Action codes whose users are this finding's affected users.
    pub action_codes: &'static [&'static str],
}

pub struct Check {
    pub meta: Meta,
    pub evaluate: fn(&Analysis) -> Evaluation,
}

/// A user named as an example in a finding.
#[derive(Debug, Clone, Serialize)]
pub struct UserRef {
    pub upn: String,
    pub display_name: Option<String>,
}

/// A judged check, ready for the renderers.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub id: &'static str,
    pub title: &'static str,
    pub guidance: Option<u8>,
    pub status: Status,
    pub summary: String,
    pub population: Option<u64>,
    pub affected: Option<u64>,
    pub metrics: Vec<Metric>,
    pub why: &'static str,
    pub fix: &'static str,
    pub learn_url: &'static str,
    pub needs: Option<String>,
    pub action_codes: Vec<&'static str>,
    /// The first affected users in action-list order (the full list is in the actions CSV).
    pub examples: Vec<UserRef>,
}

/// Microsoft's six registration recommendations, in order.
pub const GUIDANCE: &[&Check] = &[
    &r1_combined_registration::CHECK,
    &r2_registration_device::CHECK,
    &r3_registration_deadline::CHECK,
    &r4_authenticator_default::CHECK,
    &r5_backup_method::CHECK,
    &r6_analyzer::CHECK,
];

/// Gaps beyond the six recommendations.
pub const FURTHER: &[&Check] = &[
    &admins_mfa::CHECK,
    &admins_phishing_resistant::CHECK,
    &no_mfa::CHECK,
    &sms_voice_retirement::CHECK,
    &registered_not_capable::CHECK,
    &guests_no_mfa::CHECK,
];

/// Findings that need sign-in logs; judged only when sign-in logs were given.
pub const FROM_SIGNINS: &[&Check] = &[
    &signins_not_capable::CHECK,
    &single_factor_signins::CHECK,
    &legacy_auth::CHECK,
    &mfa_fatigue::CHECK,
];

/// Findings that need the audit log; judged only when audit logs were given.
pub const FROM_AUDIT: &[&Check] = &[&late_registrations::CHECK, &default_to_phone::CHECK];

/// Findings that need both the audit log and the sign-in logs.
pub const FROM_AUDIT_AND_SIGNINS: &[&Check] = &[&suspicious_registrations::CHECK];

/// How many example users a finding names.
pub const EXAMPLES: usize = 10;

pub fn evaluate(check: &Check, analysis: &Analysis) -> Finding {
    let e = (check.evaluate)(analysis);
    let examples = if matches!(e.status, Status::Met | Status::NeedsData) {
        Vec::new()
    } else {
        examples(analysis, e.action_codes)
    };
    Finding {
        id: check.meta.id,
        title: check.meta.title,
        guidance: check.meta.guidance,
        status: e.status,
        summary: e.summary,
        population: e.population,
        affected: e.affected,
        metrics: e.metrics,
        why: check.meta.why,
        fix: check.meta.fix,
        learn_url: check.meta.learn_url,
        needs: e.needs,
        action_codes: e.action_codes.to_vec(),
        examples,
    }
}

/// The first users (in action-list order) that carry any of `codes`.
fn examples(analysis: &Analysis, codes: &[&str]) -> Vec<UserRef> {
    let mask: u32 = codes.iter().map(|c| actions::bit(c)).fold(0, |a, b| a | b);
    if mask == 0 {
        return Vec::new();
    }
    let frame = &analysis.actions;
    let (Ok(bits), Ok(upn), Ok(name)) = (
        frame.column("action_bits").and_then(|c| c.u32()),
        frame.column("upn").and_then(|c| c.str()),
        frame.column("display_name").and_then(|c| c.str()),
    ) else {
        return Vec::new();
    };
    bits.iter()
        .enumerate()
        .filter(|(_, b)| b.is_some_and(|b| b & mask != 0))
        .take(EXAMPLES)
        .map(|(i, _)| UserRef {
            upn: upn.get(i).unwrap_or_default().to_string(),
            display_name: name.get(i).map(str::to_string),
        })
        .collect()
}

/// Users carrying any of the action codes.
pub fn users_with(analysis: &Analysis, codes: &[&str]) -> u64 {
    let mask: u32 = codes.iter().map(|c| actions::bit(c)).fold(0, |a, b| a | b);
    analysis
        .actions
        .column("action_bits")
        .and_then(|c| c.u32())
        .map(|bits| {
            bits.iter()
                .filter(|b| b.is_some_and(|b| b & mask != 0))
                .count() as u64
        })
        .unwrap_or(0)
}

/// Percentage text for summaries, "n/a" for an empty population.
pub fn pct(value: u64, of: u64) -> String {
    if of == 0 {
        "n/a".into()
    } else {
        format!("{:.1} %", value as f64 * 100.0 / of as f64)
    }
}

/// `needs_data` evaluation with the text of what to download.
pub fn needs_data(summary: &str, needs: &str, metrics: Vec<Metric>) -> Evaluation {
    Evaluation {
        status: Status::NeedsData,
        summary: summary.into(),
        population: None,
        affected: None,
        metrics,
        needs: Some(needs.into()),
        action_codes: &[],
    }
}

/// Every check, judged.
pub fn evaluate_all(analysis: &Analysis) -> (Vec<Finding>, Vec<Finding>) {
    (
        GUIDANCE.iter().map(|c| evaluate(c, analysis)).collect(),
        FURTHER
            .iter()
            .chain(if analysis.signins.is_some() {
                FROM_SIGNINS
            } else {
                &[]
            })
            .chain(if analysis.audit.is_some() {
                FROM_AUDIT
            } else {
                &[]
            })
            .chain(if analysis.audit.is_some() && analysis.signins.is_some() {
                FROM_AUDIT_AND_SIGNINS
            } else {
                &[]
            })
            .map(|c| evaluate(c, analysis))
            .collect(),
    )
}

/// Where to get the exports that checks ask for.
pub const AUDIT_LOG_DOWNLOAD: &str = "Audit logs: Entra admin center > Monitoring & health > Audit logs, filter Service = Authentication Methods and a date range covering the rollout, then Download > CSV";
pub const SIGNIN_LOG_DOWNLOAD: &str = "Sign-in logs: Entra admin center > Monitoring & health > Sign-in logs > User sign-ins (interactive), filter Application = My Signins (app ID 19db86c3-b2b9-44cc-b339-36da233a3be2), then Download > CSV";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_rule() {
        assert_eq!(Status::from_coverage(10, 0), Status::Met);
        assert_eq!(Status::from_coverage(0, 0), Status::Met);
        assert_eq!(Status::from_coverage(10, 5), Status::PartlyMet);
        assert_eq!(Status::from_coverage(10, 6), Status::NotMet);
        assert_eq!(Status::from_coverage(10, 1), Status::PartlyMet);
    }

    #[test]
    fn every_action_code_named_by_a_check_exists() {
        // A check that names a missing code would panic in `actions::bit`; evaluate the masks.
        for rule in actions::RULES {
            assert!(actions::rule(rule.code).is_some());
        }
    }
}
