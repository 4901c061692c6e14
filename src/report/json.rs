//! The JSON summary (schema in docs/JSON-SCHEMA.md). Keys and meanings are a contract: figures
//! the inputs cannot tell are `null`, never a guess.

use std::io::Write;

use serde_json::{json, Map, Value};

use super::{io, Exporter, Report, TOOL_NAME, TOOL_VERSION};
use crate::analyze::audit::AuditStats;
use crate::analyze::signins::SignInStats;
use crate::analyze::RegistrationSummary;
use crate::error::{Error, Result};

pub const SCHEMA_VERSION: u32 = 1;

pub struct JsonSummary;

/// `(name, users)` pairs as a JSON object in the given order.
fn object<K: AsRef<str>>(pairs: &[(K, u64)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.as_ref().to_string(), json!(v)))
            .collect::<Map<_, _>>(),
    )
}

pub fn summary_json(s: &RegistrationSummary) -> Value {
    json!({
        "users": s.users,
        "members": s.members,
        "guests": s.guests,
        "admins": s.admins,
        "mfa_capable": s.mfa_capable,
        "mfa_registered": s.mfa_registered,
        "sspr_capable": s.sspr_capable,
        "sspr_registered": s.sspr_registered,
        "sspr_enabled": s.sspr_enabled,
        "passwordless_capable": s.passwordless_capable,
        "system_preferred_enabled": s.system_preferred_enabled,
        "methods": s.methods.as_deref().map(object),
        "default_methods": s.default_methods.as_deref().map(object),
        "no_mfa_method": s.no_mfa_method,
        "single_mfa_method": s.single_mfa_method,
        "phone_only": s.phone_only,
        "authenticator_registered": s.authenticator_registered,
        "authenticator_default": s.authenticator_default,
        "phishing_resistant": s.phishing_resistant,
        "no_independent_backup": s.no_independent_backup,
        "backup_only_phone": s.backup_only_phone,
        "strong_backup": s.strong_backup,
        "tiers": s.tiers.as_ref().map(|t| object(&t.iter().map(|(t, n)| (t.key(), *n)).collect::<Vec<_>>())),
        "device_groups": s.device_groups.as_ref().map(|g| object(&g.iter().map(|(g, n)| (g.key(), *n)).collect::<Vec<_>>())),
        "admins_not_mfa_capable": s.admins_not_mfa_capable,
        "admins_not_phishing_resistant": s.admins_not_phishing_resistant,
        "mfa_without_sspr": s.mfa_without_sspr,
        "methods_unknown_users": s.methods_unknown_users,
    })
}

/// The `signins` object; see docs/METRICS.md ("Sign-in evidence").
pub fn signins_json(s: &SignInStats) -> Value {
    json!({
        "rows": s.rows,
        "duplicate_rows": s.duplicate_rows,
        "interactive_rows": s.interactive_rows,
        "non_interactive_rows": s.non_interactive_rows,
        "users": s.users,
        "success": s.success,
        "failure": s.failure,
        "interrupted": s.interrupted,
        "other_status": object(&s.other_status),
        "single_factor_success": s.single_factor_success,
        "multi_factor_success": s.multi_factor_success,
        "legacy_auth": s.legacy_auth,
        "legacy_auth_users": s.legacy_auth_users,
        "legacy_auth_success": s.legacy_auth_success,
        "legacy_success_users": s.legacy_success_users,
        "legacy_protocols": object(&s.legacy_protocols),
        "window_start": s.window_start,
        "window_end": s.window_end,
        "rows_without_time": s.rows_without_time,
        "registered_vs_used": object(&s.registered_vs_used.iter().map(|(c, n)| (c.key(), *n)).collect::<Vec<_>>()),
        "mfa_methods_used": object(&s.mfa_methods_used),
        "mfa_method_families": object(&s.mfa_method_families),
        "registration_signins": s.registration_signins,
        "registration_signin_users": s.registration_signin_users,
        "registration_signins_success": s.registration_signins_success,
        "registration_signins_compliant_or_hybrid": s.registration_signins_compliant_or_hybrid,
        "registration_success_unmanaged": s.registration_success_unmanaged,
        "registration_signins_ca": object(&s.registration_signins_ca),
        "registration_blocked": s.registration_blocked,
        "error_codes": object(&s.error_codes.iter().map(|(c, n)| (c.to_string(), *n)).collect::<Vec<_>>()),
        "repeated_denial_users": s.repeated_denial_users,
        "prompts_by_default": s.prompts_by_default,
        "daily": s.daily,
        "auth_details": s.auth_details.as_ref().map(|d| json!({
            "steps": d.steps,
            "requests": d.requests,
            "requests_matched": d.requests_matched,
            "mfa_steps_by_method": object(&d.mfa_steps_by_method),
            "mfa_steps_failed": d.mfa_steps_failed,
        })),
    })
}

/// The `audit` object; see docs/METRICS.md ("Registration timeline").
pub fn audit_json(report: &Report, a: &AuditStats) -> Value {
    json!({
        "rows": a.rows,
        "relevant_rows": a.relevant_rows,
        "skipped_by_service": object(&a.skipped_by_service),
        "window_start": a.window_start,
        "window_end": a.window_end,
        "registration_events": a.registration_events,
        "users_registered": a.users_registered,
        "combined_registrations": a.combined_registrations,
        "combined_users": a.combined_users,
        "admin_registrations": a.admin_registrations,
        "admin_registered_users": a.admin_registered_users,
        "tap_issued": a.tap_issued,
        "default_changed": a.default_changed,
        "default_changed_to_phone": a.default_changed_to_phone,
        "default_changed_to_phone_users": a.default_changed_to_phone_users,
        "deletions": a.deletions,
        "failures": a.failures,
        "cancellations": a.cancellations,
        "events_by_activity": object(&a.events_by_activity),
        "methods_registered": object(&a.methods_registered),
        "unknown_reasons": object(&a.unknown_reasons),
        "deadline": a.deadline,
        "deadline_source": a.deadline_source,
        "registered_before_deadline": a.registered_before_deadline,
        "registered_after_deadline": a.registered_after_deadline,
        // Users of the registration export still not MFA capable at the as-of date.
        "not_capable_at_as_of": report.analysis.all.mfa_capable.map(|c| report.analysis.all.users - c),
        "timeline": a.timeline,
        "registration_origin": a.registration_origin,
    })
}

pub fn report_json(report: &Report) -> Value {
    let a = report.analysis;
    let mut registration = summary_json(&a.all);
    let populations = json!({
        "members": summary_json(&a.members),
        "guests": summary_json(&a.guests),
        "admins": a.admins.as_ref().map(summary_json),
    });
    if let Value::Object(map) = &mut registration {
        map.insert("by_population".into(), populations);
        map.insert("duplicates".into(), json!(a.duplicates));
        map.insert("unknown_methods".into(), json!(a.unknown_methods));
    }
    json!({
        "schema_version": SCHEMA_VERSION,
        "tool": { "name": TOOL_NAME, "version": TOOL_VERSION },
        "title": report.title,
        "as_of": a.as_of.to_string(),
        "as_of_source": a.as_of_source,
        "generated_at": report.generated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "redacted": report.redacted,
        "sms_voice_retirement": crate::analyze::sms_voice_retirement().to_string(),
        "days_to_sms_voice_retirement": a.days_to_sms_voice_retirement(),
        "inputs": report.files.iter().map(|f| json!({
            "path": f.path,
            "kind": f.kind,
            "variant": f.variant,
            "rows": f.rows,
            "sha256": f.sha256,
            "skipped_rows": f.skipped_rows,
            "encoding": f.encoding,
            "delimiter": f.delimiter,
            "problems": f.problems,
            "window_start": f.window_start,
            "window_end": f.window_end,
            "service": f.service,
        })).collect::<Vec<_>>(),
        "skipped_files": report.skipped,
        "organisation": report.organisation,
        "config_file": report.config_file,
        "population": a.population,
        "registration": registration,
        "signins": a.signins.as_ref().map(signins_json),
        "audit": a.audit.as_ref().map(|x| audit_json(report, x)),
        "recommendations": report.guidance,
        "findings": report.further,
        "actions": {
            "users_with_actions": a.users_with_actions(),
            "by_code": object(&a.action_counts),
        },
        "data_quality": report.notes,
        "baseline": report.baseline.map(|b| crate::baseline::json(b, report)),
    })
}

impl Exporter for JsonSummary {
    fn name(&self) -> &'static str {
        "JSON summary"
    }

    fn write(&self, report: &Report, out: &mut dyn Write) -> Result<()> {
        serde_json::to_writer_pretty(&mut *out, &report_json(report))
            .map_err(|e| Error::Internal(format!("JSON: {e}")))?;
        out.write_all(b"\n").map_err(io)
    }
}
