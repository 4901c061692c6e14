//! The self-contained HTML report: minijinja templates from `templates/` compiled into the
//! binary, inline CSS and inline SVG charts, no script, nothing loaded from the network, every
//! value HTML-escaped by the template engine.

use std::io::Write;

use minijinja::{AutoEscape, Environment, Value as JinjaValue};
use serde_json::{json, Value};

use super::json::summary_json;
use super::{io, percent, Exporter, Report, TOOL_VERSION};
use crate::analyze::audit::AuditStats;
use crate::analyze::population::{Breakdown, PopulationStats};
use crate::analyze::signins::SignInStats;
use crate::analyze::{actions, RegistrationSummary};
use crate::error::Result;
use crate::methods::{self, DeviceGroup, Tier, METHODS};

/// How many users the HTML action table shows; the CSV has them all.
pub const ACTIONS_SHOWN: usize = 100;

/// The most characters the HTML shows of one value. Entra caps names at 256 characters and
/// the report's own texts are shorter than this, so only a value that no genuine export holds
/// (a megabyte "display name") is cut; the CSV outputs keep it whole.
pub const MAX_SHOWN_CHARS: usize = 1_000;

pub struct HtmlReport;

const TEMPLATE: &str = include_str!("../../templates/report.html");
const STYLE: &str = include_str!("../../templates/style.css");
const POPULATION: &str = include_str!("../../templates/population.html");

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_formatter(|out, state, value| match clipped(value) {
        Some(short) => minijinja::escape_formatter(out, state, &short),
        None => minijinja::escape_formatter(out, state, value),
    });
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_filter("num", |v: JinjaValue| -> String {
        match i64::try_from(v.clone()) {
            Ok(n) => group_thousands(n),
            Err(_) if v.is_none() || v.is_undefined() => "–".into(),
            Err(_) => v.to_string(),
        }
    });
    env.add_filter("pct", |v: JinjaValue| -> String {
        match f64::try_from(v.clone()) {
            Ok(p) if !v.is_none() => format!("{p:.1} %"),
            _ => "–".into(),
        }
    });
    env.add_template("report.html", TEMPLATE)
        .expect("the report template compiles");
    env.add_template("population.html", POPULATION)
        .expect("the population template compiles");
    env.add_template("progress.html", crate::baseline::TEMPLATE)
        .expect("the progress template compiles");
    env
}

/// A text value longer than [`MAX_SHOWN_CHARS`], cut there with a note of what was left out;
/// `None` for anything else (markup the report marked safe is never cut).
fn clipped(value: &JinjaValue) -> Option<JinjaValue> {
    let text = value.as_str().filter(|_| !value.is_safe())?;
    let cut = text.char_indices().nth(MAX_SHOWN_CHARS)?.0;
    let rest = text[cut..].chars().count();
    Some(JinjaValue::from(format!(
        "{}… ({} more characters)",
        &text[..cut],
        group_thousands(rest as i64)
    )))
}

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn share(value: Option<u64>, of: u64) -> Value {
    json!({ "n": value, "pct": value.and_then(|v| percent(v, of)) })
}

fn tier_segments(s: &RegistrationSummary) -> Value {
    let Some(tiers) = &s.tiers else {
        return Value::Null;
    };
    let mut x = 0.0;
    let segs: Vec<Value> = tiers
        .iter()
        .map(|(t, n)| {
            let w = percent(*n, s.users).unwrap_or(0.0);
            let seg =
                json!({ "key": t.key(), "label": t.label(), "n": n, "pct": w, "x": x, "w": w });
            x += w;
            seg
        })
        .collect();
    Value::Array(segs)
}

fn population(name: &str, s: &RegistrationSummary) -> Value {
    json!({
        "name": name,
        "users": s.users,
        "tiers": tier_segments(s),
        "rows": [
            ["MFA capable", share(s.mfa_capable, s.users)],
            ["MFA registered", share(s.mfa_registered, s.users)],
            ["No MFA method", share(s.no_mfa_method, s.users)],
            ["Phishing-resistant method", share(s.phishing_resistant, s.users)],
            ["Passwordless capable", share(s.passwordless_capable, s.users)],
            ["Authenticator registered", share(s.authenticator_registered, s.users)],
            ["Authenticator is default", share(s.authenticator_default, s.users)],
            ["Phone methods only", share(s.phone_only, s.users)],
            ["Exactly one MFA method", share(s.single_mfa_method, s.users)],
            ["SSPR registered", share(s.sspr_registered, s.users)],
            ["SSPR capable", share(s.sspr_capable, s.users)],
        ],
        "summary": summary_json(s),
    })
}

fn bars(pairs: &[(String, u64)], of: u64, label: impl Fn(&str) -> String) -> Vec<Value> {
    let max = pairs.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    pairs
        .iter()
        .map(|(name, n)| {
            let m = methods::lookup(name);
            json!({
                "name": name,
                "label": label(name),
                "n": n,
                "pct": percent(*n, of),
                "w": *n as f64 * 100.0 / max as f64,
                "known": m.is_some() || name == "none",
                "tier": m.map(|m| m.tier().label()),
                "group": m.and_then(|m| m.group()).map(DeviceGroup::label),
                "mfa": m.map(|m| m.is_mfa()),
            })
        })
        .collect()
}

/// Bars for `(label, n)` pairs, width relative to the largest, share of `of`.
fn plain_bars(pairs: &[(String, u64)], of: u64) -> Vec<Value> {
    let max = pairs.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    pairs
        .iter()
        .map(|(label, n)| {
            json!({"label": label, "n": n, "pct": percent(*n, of), "w": *n as f64 * 100.0 / max as f64})
        })
        .collect()
}

/// The words for an MFA method family key (`signins.mfa_method_families`).
pub(super) fn family_label(key: &str) -> &'static str {
    match key {
        "authenticator_push" => "Microsoft Authenticator notification",
        "authenticator_passwordless" => "Authenticator passwordless",
        "oath_code" => "OATH verification code",
        "sms" => "Text message (SMS)",
        "voice" => "Phone call (voice)",
        "passkey_or_fido2" => "Passkey or FIDO2 key",
        "windows_hello" => "Windows Hello for Business",
        "certificate" => "Certificate",
        "token" => "Previously satisfied (token)",
        _ => "Other",
    }
}

fn signins_context(s: &SignInStats) -> Value {
    let max_day = s
        .daily
        .iter()
        .map(|d| d.success + d.failure + d.interrupted)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let n_days = s.daily.len().max(1) as f64;
    let slot = 100.0 / n_days;
    let days: Vec<Value> = s
        .daily
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let h = |n: u64| n as f64 * 40.0 / max_day;
            let (hs, hf, hi) = (h(d.success), h(d.failure), h(d.interrupted));
            json!({
                "day": d.day, "success": d.success, "failure": d.failure, "interrupted": d.interrupted,
                "x": i as f64 * slot + slot * 0.15, "w": slot * 0.7,
                "ys": 40.0 - hs, "hs": hs,
                "yf": 40.0 - hs - hf, "hf": hf,
                "yi": 40.0 - hs - hf - hi, "hi": hi,
            })
        })
        .collect();
    let successes = s.success;
    let requirement = vec![
        ("Multifactor".to_string(), s.multi_factor_success),
        ("Single-factor".to_string(), s.single_factor_success),
        (
            "Not stated".to_string(),
            successes.saturating_sub(s.multi_factor_success + s.single_factor_success),
        ),
    ];
    let classes: Vec<(String, u64)> = s
        .registered_vs_used
        .iter()
        .map(|(c, n)| (c.label().to_string(), *n))
        .collect();
    let class_total: u64 = s.registered_vs_used.iter().map(|(_, n)| n).sum();
    let families: Vec<(String, u64)> = s
        .mfa_method_families
        .iter()
        .map(|(k, n)| (family_label(k).to_string(), *n))
        .collect();
    let family_total: u64 = s.mfa_method_families.iter().map(|(_, n)| n).sum();
    let legacy_total: u64 = s.legacy_protocols.iter().map(|(_, n)| n).sum();
    json!({
        "stats": s,
        "days": days,
        "requirement": plain_bars(&requirement, successes),
        "classes": plain_bars(&classes, class_total),
        "class_total": class_total,
        "families": plain_bars(&families, family_total),
        "methods": plain_bars(&s.mfa_methods_used, family_total),
        "legacy": plain_bars(&s.legacy_protocols, legacy_total),
        "errors": s.error_codes.iter().zip(crate::analyze::signins::TRACKED_ERRORS).map(|((code, n), (_, meaning))| json!({"code": code, "n": n, "meaning": meaning})).collect::<Vec<_>>(),
        "ca": plain_bars(
            &s.registration_signins_ca
                .iter()
                .map(|(k, n)| {
                    let label = match k.as_str() {
                        "success" => "Success".to_string(),
                        "failure" => "Failure".to_string(),
                        "not_applied" => "Not applied".to_string(),
                        other => format!("“{other}” (unknown value)"),
                    };
                    (label, *n)
                })
                .collect::<Vec<_>>(),
            s.registration_signins,
        ),
        "auth_steps": s.auth_details.as_ref().map(|d| plain_bars(&d.mfa_steps_by_method, d.mfa_steps_by_method.iter().map(|(_, n)| n).sum())),
    })
}

/// The registration timeline as chart geometry: bars of first registrations per day, the
/// cumulative count as a polyline, and the deadline as a vertical marker.
fn audit_context(a: &AuditStats) -> Value {
    let days = &a.timeline;
    let n = days.len().max(1) as f64;
    let slot = 100.0 / n;
    let max_day = days
        .iter()
        .map(|d| d.first_registrations)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let total = days.last().map(|d| d.cumulative).unwrap_or(0).max(1) as f64;
    let bars: Vec<Value> = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let h = d.first_registrations as f64 * 36.0 / max_day;
            json!({"day": d.day, "n": d.first_registrations, "cumulative": d.cumulative,
                   "x": i as f64 * slot + slot * 0.15, "w": slot * 0.7, "y": 40.0 - h, "h": h})
        })
        .collect();
    let line: Vec<String> = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            format!(
                "{:.2},{:.2}",
                i as f64 * slot + slot / 2.0,
                40.0 - d.cumulative as f64 * 38.0 / total
            )
        })
        .collect();
    // The deadline marker sits after the last day on or before the deadline.
    let marker = a.deadline.as_ref().and_then(|dl| {
        let before = days
            .iter()
            .filter(|d| d.day.as_str() <= dl.as_str())
            .count();
        (before > 0 && before < days.len()).then_some(before as f64 * slot)
    });
    let pairs = |v: &[(String, u64)]| v.to_vec();
    json!({
        "stats": a,
        "bars": bars,
        "line": line.join(" "),
        "marker": marker,
        "first_day": days.first().map(|d| d.day.clone()),
        "last_day": days.last().map(|d| d.day.clone()),
        "activities": plain_bars(&pairs(&a.events_by_activity), a.relevant_rows),
        "methods": plain_bars(
            &a.methods_registered.iter().map(|(m, n)| (methods::display_name(m), *n)).collect::<Vec<_>>(),
            a.methods_registered.iter().map(|(_, n)| n).sum(),
        ),
    })
}

fn context(report: &Report) -> Value {
    let a = report.analysis;
    let s = &a.all;
    let mut populations = vec![
        population("All users", s),
        population("Members", &a.members),
        population("Guests", &a.guests),
    ];
    if let Some(admins) = &a.admins {
        populations.push(population("Admins", admins));
    }
    let with_mfa = s.no_mfa_method.map(|n| s.users - n);
    let kpis = vec![
        json!({"label": "Users", "n": s.users, "pct": null, "detail": format!("{} members, {} guests{}", group_thousands(s.members as i64), group_thousands(s.guests as i64), s.admins.map(|n| format!(", {n} admins")).unwrap_or_default())}),
        json!({"label": "MFA capable", "n": s.mfa_capable, "pct": s.mfa_capable.and_then(|n| percent(n, s.users)), "detail": "method registered and allowed by policy"}),
        json!({"label": "No MFA method", "n": s.no_mfa_method, "pct": s.no_mfa_method.and_then(|n| percent(n, s.users)), "detail": "password alone"}),
        json!({"label": "Phishing-resistant", "n": s.phishing_resistant, "pct": s.phishing_resistant.and_then(|n| percent(n, s.users)), "detail": "passkey, FIDO2, Windows Hello, certificate"}),
        json!({"label": "Phone only", "n": s.phone_only, "pct": s.phone_only.and_then(|n| percent(n, s.users)), "detail": format!("{} days to the SMS/voice retirement", a.days_to_sms_voice_retirement())}),
        json!({"label": "Admins not MFA capable", "n": s.admins_not_mfa_capable, "pct": null, "detail": if s.admins.is_some() { "of admin accounts" } else { "no isAdmin column in the export" }}),
    ];

    let method_bars = s
        .methods
        .as_ref()
        .map(|m| bars(m, s.users, methods::display_name));
    let default_bars = s.default_methods.as_ref().map(|d| {
        bars(d, s.users, |n| {
            if n == "none" {
                "No default".to_string()
            } else {
                methods::display_name(n)
            }
        })
    });

    let frame = &a.actions;
    let shown = frame.height().min(ACTIONS_SHOWN);
    let top = frame.head(Some(shown));
    let mut top_rows = Vec::with_capacity(shown);
    if let (
        Ok(upn),
        Ok(name),
        Ok(guest),
        Ok(admin),
        Ok(tier),
        Ok(methods_text),
        Ok(default),
        Ok(bits),
    ) = (
        top.column("upn").and_then(|c| c.str()),
        top.column("display_name").and_then(|c| c.str()),
        top.column("is_guest").and_then(|c| c.bool()),
        top.column("is_admin").and_then(|c| c.bool()),
        top.column("tier_rank").and_then(|c| c.u32()),
        top.column("methods_text").and_then(|c| c.str()),
        top.column("default_method").and_then(|c| c.str()),
        top.column("action_bits").and_then(|c| c.u32()),
    ) {
        for i in 0..shown {
            let rules: Vec<Value> = actions::codes(bits.get(i).unwrap_or(0))
                .map(|r| json!({"code": r.code, "text": r.text}))
                .collect();
            top_rows.push(json!({
                "rank": i + 1,
                "upn": upn.get(i),
                "name": name.get(i),
                "guest": guest.get(i),
                "admin": admin.get(i),
                "tier": tier.get(i).and_then(Tier::from_rank).map(Tier::label),
                "methods": methods_text.get(i).map(|m| m.split(", ").filter(|s| !s.is_empty()).map(methods::display_name).collect::<Vec<_>>().join(", ")),
                "default": default.get(i).map(|d| if d == "none" { "none".to_string() } else { methods::display_name(d) }),
                "actions": rules,
            }));
        }
    }
    let action_rules: Vec<Value> = actions::RULES
        .iter()
        .zip(a.action_counts.iter())
        .map(|(r, (_, n))| json!({"code": r.code, "text": r.text, "n": n, "pct": percent(*n, s.users)}))
        .collect();

    let tiers_doc: Vec<Value> = Tier::ALL
        .iter()
        .map(|t| {
            json!({
                "key": t.key(),
                "label": t.label(),
                "description": t.description(),
                "methods": METHODS.iter().filter(|m| m.tier() == *t && (m.is_mfa() || *t == Tier::SsprOnly)).map(|m| m.display).collect::<Vec<_>>(),
            })
        })
        .collect();
    let groups_doc: Vec<Value> = DeviceGroup::ALL
        .iter()
        .map(|g| {
            json!({
                "label": g.label(),
                "n": s.device_groups.as_ref().and_then(|d| d.iter().find(|(x, _)| x == g)).map(|(_, n)| n),
                "pct": s.device_groups.as_ref().and_then(|d| d.iter().find(|(x, _)| x == g)).and_then(|(_, n)| percent(*n, s.users)),
                "methods": METHODS.iter().filter(|m| m.group() == Some(*g)).map(|m| m.display).collect::<Vec<_>>(),
            })
        })
        .collect();

    let status_counts = |status: &str| {
        report
            .guidance
            .iter()
            .chain(report.further.iter())
            .filter(|f| f.status.key() == status)
            .count()
    };

    json!({
        "title": report.title,
        "as_of": a.as_of.to_string(),
        "as_of_source": a.as_of_source,
        "generated_at": report.generated_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        "redacted": report.redacted,
        "version": TOOL_VERSION,
        "style": STYLE,
        "inputs": report.files.iter().map(|f| json!({
            "path": f.path, "kind": f.kind.label(), "variant": f.variant, "rows": f.rows,
            "skipped_rows": f.skipped_rows, "sha256": f.sha256, "encoding": f.encoding,
            "delimiter": f.delimiter,
        })).collect::<Vec<_>>(),
        "skipped_files": report.skipped,
        "kpis": kpis,
        "guidance": report.guidance,
        "further": report.further,
        "status_counts": {
            "met": status_counts("met"), "partly_met": status_counts("partly_met"),
            "not_met": status_counts("not_met"), "needs_data": status_counts("needs_data"),
        },
        "populations": populations,
        "methods": method_bars,
        "defaults": default_bars,
        "with_mfa": with_mfa,
        "backup": {
            "with_mfa": with_mfa,
            "no_mfa": share(s.no_mfa_method, s.users),
            "one_device": share(s.no_independent_backup, s.users),
            "phone_backup": share(s.backup_only_phone, s.users),
            "strong": share(s.strong_backup, s.users),
            "groups": groups_doc,
        },
        "retirement": {
            "date": crate::analyze::sms_voice_retirement().to_string(),
            "days": a.days_to_sms_voice_retirement(),
            "phone_only": share(s.phone_only, s.users),
            "phone_backup": share(s.backup_only_phone, s.users),
            "phone_default": s.default_methods.as_ref().map(|d| d.iter().filter(|(m, _)| methods::lookup(m).is_some_and(|m| m.is_phone())).map(|(_, n)| n).sum::<u64>()),
        },
        "actions": {
            "total": frame.height(),
            "shown": shown,
            "rules": action_rules,
            "top": top_rows,
        },
        "notes": report.notes,
        "unknown_methods": a.unknown_methods,
        "duplicates": a.duplicates,
        "signins": a.signins.as_ref().map(signins_context),
        "audit": a.audit.as_ref().map(audit_context),
        "audit_download": crate::findings::AUDIT_LOG_DOWNLOAD,
        "signin_download": crate::findings::SIGNIN_LOG_DOWNLOAD,
        "tiers_doc": tiers_doc,
        "stale_days": crate::findings::data_quality::STALE_DAYS,
        "baseline": report.baseline.map(|b| crate::baseline::html(b, report)),
        "organisation": report.organisation,
        "config_file": report.config_file,
        "population": population_context(&a.population),
    })
}

/// Breakdown rows shown in the report; the JSON summary has them all.
const BREAKDOWN_SHOWN: usize = 25;

fn population_context(p: &PopulationStats) -> Value {
    let rows = |list: &Option<Vec<Breakdown>>| {
        list.as_ref().map(|l| {
            json!({
                "total": l.len(),
                "rows": l.iter().take(BREAKDOWN_SHOWN).map(|b| json!({
                    "name": b.name,
                    "users": b.users,
                    "capable": share(Some(b.mfa_capable), b.users),
                    "pr": share(Some(b.phishing_resistant), b.users),
                    "none": share(Some(b.no_mfa_method), b.users),
                    "phone_only": share(Some(b.phone_only), b.users),
                })).collect::<Vec<_>>(),
            })
        })
    };
    json!({
        "registration_users": p.registration_users,
        "in_scope": share(Some(p.in_scope), p.registration_users),
        "disabled": share(Some(p.disabled), p.registration_users),
        "excluded": share(Some(p.excluded), p.registration_users),
        "users_list": p.users_list,
        "not_in_users_list": p.not_in_users_list,
        "only_in_users_list": p.only_in_users_list,
        "synchronized": p.synchronized.map(|n| share(Some(n), p.in_scope)),
        "cloud_only": p.cloud_only.map(|n| share(Some(n), p.in_scope)),
        "new_accounts": p.new_accounts.as_ref().map(|n| json!({
            "days": n.days,
            "since": n.since,
            "users": share(Some(n.users), p.in_scope),
            "capable": share(Some(n.mfa_capable), n.users),
            "none": share(Some(n.no_mfa_method), n.users),
            "phone_only": share(Some(n.phone_only), n.users),
            "without_date": n.without_date,
        })),
        "rules": p.rules,
        "excluded_users": p.excluded_users,
        "excluded_shown": p.excluded_users.len(),
        "by_department": rows(&p.by_department),
        "by_country": rows(&p.by_country),
        "roles": p.role_assignments,
        "controlled": p.users_list || !p.rules.is_empty() || p.role_assignments.is_some(),
    })
}

impl Exporter for HtmlReport {
    fn name(&self) -> &'static str {
        "HTML report"
    }

    fn write(&self, report: &Report, out: &mut dyn Write) -> Result<()> {
        let env = environment();
        let template = env.get_template("report.html")?;
        let html = template.render(JinjaValue::from_serialize(context(report)))?;
        out.write_all(html.as_bytes()).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(1234567), "1,234,567");
        assert_eq!(group_thousands(-1234), "-1,234");
    }
}
