//! The baseline comparison as the JSON `baseline` object and as the HTML progress section.

use serde_json::{json, Map, Value};

use super::compare::{Better, Change, Entry, Of, UserChanges, KPIS};
use super::{Comparison, Figures};
use crate::methods::{self, Tier};
use crate::report::{percent, Report};

/// One compared figure, worked out once for both outputs.
struct Row {
    before: Option<u64>,
    after: Option<u64>,
    change: Option<i64>,
    before_pct: Option<f64>,
    after_pct: Option<f64>,
    change_pp: Option<f64>,
    /// `better`, `worse`, `same`, or `None` for a figure with no better direction or a side
    /// that is unknown.
    trend: Option<&'static str>,
}

/// `after − before`; `None` when either is unknown or the difference does not fit (a
/// hand-edited summary can hold any number).
fn change(before: Option<u64>, after: Option<u64>) -> Option<i64> {
    i64::try_from(i128::from(after?) - i128::from(before?)).ok()
}

/// Percentage-point change between two shares as shown (one decimal each), so the figures
/// the reader sees add up.
fn points(before: Option<f64>, after: Option<f64>) -> Option<f64> {
    Some(((after? - before?) * 10.0).round() / 10.0)
}

fn rows(before: &Figures, after: &Figures) -> Vec<Row> {
    let of = |f: &Figures, of: Of| match of {
        Of::Users => f.kpis[super::compare::kpi_index("users")],
        Of::Admins => f.kpis[super::compare::kpi_index("admins")],
    };
    KPIS.iter()
        .enumerate()
        .map(|(i, k)| {
            let (b, a) = (before.kpis[i], after.kpis[i]);
            let share = |f: &Figures, n: Option<u64>| {
                if k.key == "users" {
                    return None;
                }
                percent(n?, of(f, k.of)?)
            };
            let (before_pct, after_pct) = (share(before, b), share(after, a));
            let change_pp = points(before_pct, after_pct);
            // Shares decide when there are any (the population may have grown), else counts.
            let delta = change_pp.or(change(b, a).map(|c| c as f64));
            let trend = match (k.better, delta) {
                (Better::Neither, _) | (_, None) => None,
                (better, Some(d)) => Some(if d == 0.0 {
                    "same"
                } else if (d > 0.0) == (better == Better::Up) {
                    "better"
                } else {
                    "worse"
                }),
            };
            Row {
                before: b,
                after: a,
                change: change(b, a),
                before_pct,
                after_pct,
                change_pp,
                trend,
            }
        })
        .collect()
}

/// Status keys in order of merit; `needs_data` and absent checks cannot be ranked.
fn status_rank(s: Option<&str>) -> Option<u8> {
    match s? {
        "met" => Some(0),
        "partly_met" => Some(1),
        "not_met" => Some(2),
        _ => None,
    }
}

/// `(id, title, before, after, trend)`: the current checks in report order, then checks that
/// only the baseline has.
type StatusRow<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    &'static str,
);

fn statuses<'a>(before: &'a Figures, after: &'a Figures) -> Vec<StatusRow<'a>> {
    let find = |f: &'a Figures, id: &str| {
        f.statuses
            .iter()
            .find(|(i, _, _)| i == id)
            .map(|(_, _, s)| s.as_str())
    };
    let trend = |b: Option<&str>, a: Option<&str>| match (status_rank(b), status_rank(a)) {
        (Some(b), Some(a)) if a < b => "better",
        (Some(b), Some(a)) if a > b => "worse",
        (Some(_), Some(_)) => "same",
        _ => "not_comparable",
    };
    let mut out: Vec<StatusRow> = after
        .statuses
        .iter()
        .map(|(id, title, s)| {
            let b = find(before, id);
            (
                id.as_str(),
                title.as_str(),
                b,
                Some(s.as_str()),
                trend(b, Some(s)),
            )
        })
        .collect();
    for (id, title, s) in &before.statuses {
        if find(after, id).is_none() {
            out.push((id, title, Some(s.as_str()), None, "not_comparable"));
        }
    }
    out
}

fn days_between(c: &Comparison, report: &Report) -> i64 {
    (report.as_of() - c.source.as_of).num_days()
}

fn current(report: &Report) -> Figures {
    Figures::from_analysis(report.analysis, &report.guidance, &report.further)
}

/// Phone-only users against the SMS/voice retirement.
fn sms_voice(c: &Comparison, report: &Report, before: &Figures, after: &Figures) -> Value {
    let i = super::compare::kpi_index("phone_only");
    let (b, a) = (before.kpis[i], after.kpis[i]);
    let days = days_between(c, report);
    let left = report.analysis.days_to_sms_voice_retirement();
    let per_day = match (b, a) {
        (Some(b), Some(a)) if days > 0 => Some((a as f64 - b as f64) / days as f64),
        _ => None,
    };
    let projected = match (a, per_day) {
        (Some(0), _) => Some(report.as_of()),
        (Some(a), Some(rate)) if rate < 0.0 => {
            let days = (a as f64 / -rate).ceil() as i64;
            report
                .as_of()
                .checked_add_signed(chrono::Duration::days(days))
        }
        _ => None,
    };
    let retirement = crate::analyze::sms_voice_retirement();
    let round2 = |x: f64| (x * 100.0).round() / 100.0;
    // Per-user phone-only counts only where every list is known in both snapshots, as the
    // phone_only figures themselves.
    let users = c.users.as_ref().filter(|_| b.is_some() && a.is_some());
    let on_track = match (a, per_day) {
        (Some(0), _) => Some(true),
        (Some(_), Some(_)) => Some(projected.is_some_and(|d| d <= retirement)),
        _ => None,
    };
    json!({
        "retirement": retirement.to_string(),
        "days_left": left,
        "phone_only_before": b,
        "phone_only_after": a,
        "phone_only_remaining": users.map(|u| u.phone_only_remaining),
        "phone_only_resolved": users.map(|u| u.phone_only_resolved),
        "phone_only_since": users.map(|u| u.phone_only_since),
        "change_per_day": per_day.map(round2),
        "needed_per_day": a.filter(|_| left > 0).map(|a| round2(a as f64 / left as f64)),
        "projected_clear": projected.map(|d| d.to_string()),
        "on_track": on_track,
    })
}

fn source_json(c: &Comparison) -> Value {
    let s = &c.source;
    json!({
        "mode": s.mode.key(),
        "as_of": s.as_of.to_string(),
        "as_of_source": s.as_of_source,
        "summary": s.summary.as_ref().map(|f| json!({
            "path": f.path,
            "sha256": f.sha256,
            "tool_version": f.tool_version,
            "generated_at": f.generated_at,
            "title": f.title,
        })),
        "inputs": s.inputs.iter().map(|f| json!({
            "path": f.path, "kind": f.kind, "variant": f.variant, "rows": f.rows, "sha256": f.sha256,
        })).collect::<Vec<_>>(),
        "skipped_files": s.skipped,
    })
}

fn matrix_json(u: &UserChanges) -> Value {
    let rows = Tier::ALL.iter().map(|t| t.key()).chain(["not_in_baseline"]);
    let columns: Vec<&str> = Tier::ALL
        .iter()
        .map(|t| t.key())
        .chain(["not_in_current"])
        .collect();
    Value::Object(
        rows.zip(&u.matrix)
            .map(|(from, counts)| {
                let to: Map<String, Value> = columns
                    .iter()
                    .zip(counts)
                    .map(|(k, n)| (k.to_string(), json!(n)))
                    .collect();
                (from.to_string(), Value::Object(to))
            })
            .collect(),
    )
}

fn users_json(u: &UserChanges) -> Value {
    json!({
        "before": u.before_users,
        "after": u.after_users,
        "matched": u.matched,
        "matched_by_id": u.matched_by_id,
        "matched_by_upn": u.matched_by_upn,
        "new": u.new,
        "removed": u.removed,
        "newly_capable": u.by_change[Change::NewlyCapable as usize],
        "lost_capability": u.by_change[Change::LostCapability as usize],
        "lost_mfa_method": u.lost_mfa_method,
        "regressions": u.regressions,
        "stronger_tier": u.stronger_tier,
        "weaker_tier": u.weaker_tier,
        "same_tier": u.same_tier,
        "tier_unknown": u.tier_unknown,
        "by_change": Value::Object(
            Change::ALL
                .iter()
                .zip(&u.by_change)
                .map(|(c, n)| (c.key().to_string(), json!(n)))
                .collect(),
        ),
    })
}

/// The JSON `baseline` object (docs/JSON-SCHEMA.md).
pub fn json(c: &Comparison, report: &Report) -> Value {
    let after = current(report);
    let before = &c.before;
    let kpis: Map<String, Value> = KPIS
        .iter()
        .zip(rows(before, &after))
        .map(|(k, r)| {
            (
                k.key.to_string(),
                json!({
                    "before": r.before, "after": r.after, "change": r.change,
                    "before_pct": r.before_pct, "after_pct": r.after_pct, "change_pp": r.change_pp,
                    "trend": r.trend,
                }),
            )
        })
        .collect();
    let tiers = match (&before.tiers, &after.tiers) {
        (Some(b), Some(a)) => Some(Value::Object(
            Tier::ALL
                .iter()
                .zip(b.iter().zip(a))
                .map(|(t, (b, a))| {
                    (
                        t.key().to_string(),
                        json!({"before": b, "after": a, "change": change(Some(*b), Some(*a))}),
                    )
                })
                .collect(),
        )),
        _ => None,
    };
    json!({
        "source": source_json(c),
        "days_between": days_between(c, report),
        "kpis": kpis,
        "tiers": tiers,
        "statuses": statuses(before, &after).into_iter().map(|(id, title, b, a, trend)| json!({
            "id": id, "title": title, "before": b, "after": a, "trend": trend,
        })).collect::<Vec<_>>(),
        "users": c.users.as_ref().map(users_json),
        "tier_matrix": c.users.as_ref().map(matrix_json),
        "sms_voice": sms_voice(c, report, before, &after),
        "population": population_json(before, &after),
    })
}

/// Who each snapshot counted, and whether the rules differ (then part of every change comes
/// from the population, not from the rollout).
fn population_json(before: &Figures, after: &Figures) -> Value {
    let changed = match (&before.population, &after.population) {
        (Some(b), Some(a)) => !b.same_rules(a),
        // An older summary: unknown, which matters only when this run leaves users out.
        (None, Some(a)) => a.in_scope != a.registration_users,
        _ => false,
    };
    json!({ "before": before.population, "after": after.population, "changed": changed })
}

fn signed(n: i64) -> String {
    match n {
        0 => "0".into(),
        n if n > 0 => format!("+{n}"),
        n => format!("−{}", n.unsigned_abs()),
    }
}

fn signed_pp(p: f64) -> String {
    if p == 0.0 {
        "0.0 pp".into()
    } else if p > 0.0 {
        format!("+{p:.1} pp")
    } else {
        format!("−{:.1} pp", -p)
    }
}

fn entry_html(e: &Entry) -> Value {
    let tier = |t: Option<Tier>| t.map(Tier::label).unwrap_or("unknown");
    json!({
        "upn": e.upn,
        "name": e.name,
        "previous_upn": e.previous_upn.as_ref().map(|(_, upn)| upn),
        "admin": e.admin,
        "change": e.change.label(),
        "tier_before": tier(e.tier_before),
        "tier_after": tier(e.tier_after),
        "lost": e.lost.iter().map(|m| methods::display_name(m)).collect::<Vec<_>>(),
    })
}

fn kind_label(key: &str) -> String {
    use crate::ingest::Kind;
    [
        Kind::Registration,
        Kind::AuditLog,
        Kind::UserSignIns,
        Kind::AuthDetails,
        Kind::AppSignIns,
        Kind::ManagedIdentitySignIns,
    ]
    .into_iter()
    .find(|k| {
        serde_json::to_value(k)
            .ok()
            .as_ref()
            .and_then(Value::as_str)
            == Some(key)
    })
    .map_or_else(|| key.to_string(), |k| k.label().to_string())
}

/// The progress section's context (templates/progress.html): texts and numbers ready to show.
pub fn html(c: &Comparison, report: &Report) -> Value {
    let after = current(report);
    let before = &c.before;
    let kpis: Vec<Value> = KPIS
        .iter()
        .zip(rows(before, &after))
        .map(|(k, r)| {
            json!({
                "label": k.label,
                "before": r.before, "before_pct": r.before_pct,
                "after": r.after, "after_pct": r.after_pct,
                "change": r.change.map(signed),
                "change_pp": r.change_pp.map(signed_pp),
                "trend": r.trend,
            })
        })
        .collect();
    let statuses: Vec<Value> = statuses(before, &after)
        .into_iter()
        .map(|(id, title, b, a, trend)| {
            json!({"id": id, "title": title, "before": b, "after": a, "trend": trend})
        })
        .collect();
    let users = c.users.as_ref().map(|u| {
        // Short column heads keep the matrix narrow; the full label is the title.
        let short = |t: &Tier| match t {
            Tier::PhishingResistant => "Phishing-resistant",
            Tier::Passwordless => "Passwordless",
            Tier::Authenticator => "Push",
            Tier::Oath => "OATH",
            Tier::Phone => "Phone",
            Tier::SsprOnly => "SSPR only",
            Tier::None => "None",
        };
        let columns: Vec<Value> = Tier::ALL
            .iter()
            .map(|t| json!({"short": short(t), "label": t.label()}))
            .chain([json!({"short": "Gone", "label": "Not in this snapshot"})])
            .collect();
        let outside = Tier::ALL.len();
        let matrix: Vec<Value> = u
            .matrix
            .iter()
            .enumerate()
            .map(|(r, counts)| {
                json!({
                    "label": Tier::ALL.get(r).map_or("Not in the baseline", |t| t.label()),
                    "key": Tier::ALL.get(r).map_or("new", |t| t.key()),
                    "cells": counts.iter().enumerate().map(|(col, n)| json!({
                        "n": n,
                        "kind": if r == outside || col == outside { "outside" } else if col < r { "stronger" } else if col > r { "weaker" } else { "same" },
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "counts": users_json(u),
            "by_change": Change::ALL.iter().zip(&u.by_change).map(|(c, n)| json!({
                "key": c.key(), "label": c.label(), "n": n, "pct": percent(*n, u.after_users),
            })).collect::<Vec<_>>(),
            "columns": columns,
            "tier_keys": Tier::ALL.iter().map(|t| t.key()).collect::<Vec<_>>(),
            "matrix": matrix,
            "newly_capable": u.newly_capable_shown.iter().map(entry_html).collect::<Vec<_>>(),
            "regressions": u.regressions_shown.iter().map(entry_html).collect::<Vec<_>>(),
        })
    });
    let s = &c.source;
    json!({
        "mode": s.mode.key(),
        "as_of": s.as_of.to_string(),
        "as_of_source": s.as_of_source,
        "days": days_between(c, report),
        "summary": s.summary.as_ref().map(|f| json!({
            "path": f.path, "sha256": f.sha256, "tool_version": f.tool_version,
            "generated_at": f.generated_at, "title": f.title,
        })),
        "inputs": s.inputs.iter().map(|f| json!({
            "path": f.path, "kind": kind_label(&f.kind), "variant": f.variant, "rows": f.rows, "sha256": f.sha256,
        })).collect::<Vec<_>>(),
        "skipped": s.skipped,
        "kpis": kpis,
        "statuses": statuses,
        "users": users,
        "population": population_json(before, &after),
        "shown": super::compare::SHOWN,
        "sms_voice": sms_voice(c, report, before, &after),
    })
}
