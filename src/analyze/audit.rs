//! Registration timeline from the audit log: who registered security info when, through which
//! path (combined registration by the user, or an admin), what they registered, who changed
//! their default to a phone, and who registered after a deadline (guidance 1 and 3).

use chrono::NaiveDate;
use polars::prelude::*;

use super::{count, u64_at};
use serde::Serialize;

/// The service whose events describe security-info registration.
pub const AUTH_METHODS_SERVICE: &str = "Authentication Methods";
/// Activities that register security info, as Microsoft names them.
pub const USER_REGISTERED: &str = "User registered security info";
pub const USER_REGISTERED_ALL: &str = "User registered all required security info";
pub const ADMIN_REGISTERED: &str = "Admin registered security info";
pub const DEFAULT_CHANGED: &str = "User changed default security info";
/// Days a suggested deadline lies after the as-of date (the Identity Protection MFA registration
/// policy also gives users 14 days).
pub const SUGGESTED_DEADLINE_DAYS: i64 = 14;

/// The method a `ResultReason` of a registration names, as an API method name. `None` when the
/// reason names no known method (it is then kept and shown as written).
pub fn reason_method(reason: &str) -> Option<&'static str> {
    let r = reason.to_lowercase();
    let has = |w: &[&str]| w.iter().any(|x| r.contains(x));
    if has(&["temporary access pass"]) {
        Some("temporaryAccessPass")
    } else if has(&[
        "passkey in microsoft authenticator",
        "passkey (microsoft authenticator)",
    ]) {
        Some("passKeyDeviceBoundAuthenticator")
    } else if has(&["passkey in windows hello", "passkey (windows hello)"]) {
        Some("passKeyDeviceBoundWindowsHello")
    } else if has(&["synced passkey", "passkey (synced)"]) {
        Some("passKeySynced")
    } else if has(&["passkey (device-bound)", "device-bound passkey"]) {
        Some("passKeyDeviceBound")
    } else if has(&["fido", "security key"]) {
        Some("fido2SecurityKey")
    } else if has(&["windows hello"]) {
        Some("windowsHelloForBusiness")
    } else if has(&["passwordless", "phone sign-in"]) {
        Some("microsoftAuthenticatorPasswordless")
    } else if has(&["authenticator app", "authenticator"]) {
        if has(&["notification"]) {
            Some("microsoftAuthenticatorPush")
        } else {
            Some("softwareOneTimePasscode")
        }
    } else if has(&["alternate mobile phone", "alternate phone"]) {
        Some("alternateMobilePhone")
    } else if has(&["office phone"]) {
        Some("officePhone")
    } else if has(&["mobile phone", "phone method", "phone sms", " phone"]) {
        Some("mobilePhone")
    } else if has(&["email"]) {
        Some("email")
    } else if has(&["security question"]) {
        Some("securityQuestion")
    } else if has(&["software oath", "software token"]) {
        Some("softwareOneTimePasscode")
    } else {
        None
    }
}

/// Whether a "changed default" reason names a phone number (call or text).
pub fn default_is_phone(reason: &str) -> bool {
    let r = reason.to_lowercase();
    r.contains(" call ")
        || r.contains("for call")
        || r.contains("text a code")
        || r.contains("sms")
        || r.contains("phone call")
}

/// Registrations on one day.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineDay {
    pub day: String,
    /// Users whose first registration was that day.
    pub first_registrations: u64,
    pub cumulative: u64,
}

/// A user named in an audit table of the report.
#[derive(Debug, Clone, Serialize)]
pub struct AuditUser {
    pub user: String,
    pub when: String,
}

/// The `audit` object of the JSON summary; definitions in docs/METRICS.md.
#[derive(Debug, Clone, Serialize)]
pub struct AuditStats {
    pub rows: u64,
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    /// Rows of the Authentication Methods service, or carrying StrongAuthentication changes.
    pub relevant_rows: u64,
    /// Other rows per service (counted and skipped).
    pub skipped_by_service: Vec<(String, u64)>,
    /// Relevant rows per activity, exactly as written in the file.
    pub events_by_activity: Vec<(String, u64)>,
    /// Successful registration events (user, all-required, admin).
    pub registration_events: u64,
    pub users_registered: u64,
    /// Successful "User registered all required security info" events and their users.
    pub combined_registrations: u64,
    pub combined_users: u64,
    pub admin_registrations: u64,
    pub admin_registered_users: u64,
    pub tap_issued: u64,
    pub default_changed: u64,
    pub default_changed_to_phone: u64,
    pub default_changed_to_phone_users: u64,
    pub deletions: u64,
    pub failures: u64,
    pub cancellations: u64,
    /// Method (API name) → successful "User registered security info" events.
    pub methods_registered: Vec<(String, u64)>,
    /// Reasons of successful registrations that name no known method, with events.
    pub unknown_reasons: Vec<(String, u64)>,
    pub deadline: Option<String>,
    pub deadline_source: Option<&'static str>,
    pub registered_before_deadline: Option<u64>,
    pub registered_after_deadline: Option<u64>,
    pub timeline: Vec<TimelineDay>,
    pub late_users: Vec<AuditUser>,
    pub default_to_phone_users: Vec<AuditUser>,
    /// Where registrations came from, when sign-in logs were given too.
    pub registration_origin: Option<super::origin::OriginStats>,
}

fn day_of(us: i64) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp_micros(us).map(|t| t.date_naive())
}

/// Result of the audit analysis: statistics and per-user columns for the actions.
pub struct AuditAnalysis {
    pub stats: AuditStats,
    /// Per registration row: `row`, `audit_late` (registered after the deadline),
    /// `audit_default_to_phone`.
    pub per_user: DataFrame,
}

/// Per-row flags, derived once in plain Rust: the classification of values lives here.
pub(crate) struct Derived {
    pub(crate) subject: Vec<Option<String>>,
    pub(crate) subject_id: Vec<Option<String>>,
    pub(crate) relevant: Vec<bool>,
    pub(crate) registered: Vec<bool>,
    pub(crate) combined: Vec<bool>,
    pub(crate) admin: Vec<bool>,
    pub(crate) tap: Vec<bool>,
    pub(crate) to_phone: Vec<bool>,
    pub(crate) deletion: Vec<bool>,
    pub(crate) failure: Vec<bool>,
    pub(crate) cancel: Vec<bool>,
    pub(crate) default_changed: Vec<bool>,
    pub(crate) method: Vec<Option<String>>,
    pub(crate) unknown_reason: Vec<Option<String>>,
}

pub(crate) fn derive(audit: &DataFrame) -> PolarsResult<Derived> {
    let s = |name: &str| -> PolarsResult<StringChunked> { Ok(audit.column(name)?.str()?.clone()) };
    let (service, activity, result, reason) = (
        s("service")?,
        s("activity")?,
        s("result")?,
        s("result_reason")?,
    );
    let (actor_upn, actor_id, target_upn, target_id) = (
        s("actor_upn")?,
        s("actor_id")?,
        s("target_upn")?,
        s("target_id")?,
    );
    let strong = audit.column("strong_auth_change")?.bool()?.clone();
    let n = audit.height();
    let mut d = Derived {
        subject: Vec::with_capacity(n),
        subject_id: Vec::with_capacity(n),
        relevant: Vec::with_capacity(n),
        registered: Vec::with_capacity(n),
        combined: Vec::with_capacity(n),
        admin: Vec::with_capacity(n),
        tap: Vec::with_capacity(n),
        to_phone: Vec::with_capacity(n),
        deletion: Vec::with_capacity(n),
        failure: Vec::with_capacity(n),
        cancel: Vec::with_capacity(n),
        default_changed: Vec::with_capacity(n),
        method: Vec::with_capacity(n),
        unknown_reason: Vec::with_capacity(n),
    };
    for i in 0..n {
        let act = activity.get(i).unwrap_or("");
        let why = reason.get(i).unwrap_or("");
        let why_l = why.to_lowercase();
        let ok = result.get(i) == Some("success");
        let relevant = service
            .get(i)
            .is_some_and(|v| v.eq_ignore_ascii_case(AUTH_METHODS_SERVICE))
            || strong.get(i) == Some(true);
        let registered = relevant
            && ok
            && [USER_REGISTERED, USER_REGISTERED_ALL, ADMIN_REGISTERED].contains(&act);
        d.subject.push(
            target_upn
                .get(i)
                .map(str::to_lowercase)
                .or_else(|| target_id.get(i).map(str::to_string))
                .or_else(|| actor_upn.get(i).map(str::to_lowercase))
                .or_else(|| actor_id.get(i).map(str::to_string)),
        );
        d.subject_id
            .push(target_id.get(i).or(actor_id.get(i)).map(str::to_string));
        d.relevant.push(relevant);
        d.registered.push(registered);
        d.combined
            .push(relevant && ok && act == USER_REGISTERED_ALL);
        d.admin.push(relevant && ok && act == ADMIN_REGISTERED);
        d.tap
            .push(relevant && why_l.contains("temporary access pass"));
        d.default_changed
            .push(relevant && ok && act == DEFAULT_CHANGED);
        d.to_phone
            .push(relevant && ok && act == DEFAULT_CHANGED && default_is_phone(why));
        d.deletion
            .push(relevant && act.to_lowercase().contains("deleted security info"));
        d.failure.push(relevant && result.get(i) == Some("failure"));
        d.cancel.push(
            relevant && (act.to_lowercase().contains("canceled") || why_l.contains("canceled")),
        );
        let (method, unknown) = if relevant && ok && act == USER_REGISTERED {
            match reason_method(why) {
                Some(m) => (Some(m.to_string()), None),
                None => (None, (!why.is_empty()).then(|| why.to_string())),
            }
        } else {
            (None, None)
        };
        d.method.push(method);
        d.unknown_reason.push(unknown);
    }
    Ok(d)
}

/// Analyze the audit events against the distinct registration users (`row`, `upn_key`, `id`).
pub fn analyze(
    audit: &DataFrame,
    registration_users: &DataFrame,
    deadline: Option<NaiveDate>,
    as_of: NaiveDate,
) -> PolarsResult<AuditAnalysis> {
    let d = derive(audit)?;
    let mut frame = audit.clone();
    for (name, values) in [
        ("relevant", &d.relevant),
        ("registered", &d.registered),
        ("combined", &d.combined),
        ("admin", &d.admin),
        ("tap", &d.tap),
        ("to_phone", &d.to_phone),
        ("deletion", &d.deletion),
        ("failure", &d.failure),
        ("cancel", &d.cancel),
        ("default_changed", &d.default_changed),
    ] {
        frame.with_column(Column::new(name.into(), values.clone()))?;
    }
    frame.with_column(Column::new("subject".into(), d.subject))?;
    frame.with_column(Column::new("subject_id".into(), d.subject_id))?;
    frame.with_column(Column::new("method".into(), d.method))?;
    frame.with_column(Column::new("unknown_reason".into(), d.unknown_reason))?;
    let a = frame.lazy();
    let users_with = |flag: &str, name: &str| {
        col("subject")
            .filter(col(flag))
            .drop_nulls()
            .n_unique()
            .cast(DataType::UInt64)
            .alias(name)
    };
    let totals = a
        .clone()
        .select([
            len().cast(DataType::UInt64).alias("rows"),
            col("time_us").min().alias("first"),
            col("time_us").max().alias("last"),
            count(col("relevant"), "relevant_rows"),
            count(col("registered"), "registration_events"),
            users_with("registered", "users_registered"),
            count(col("combined"), "combined_registrations"),
            users_with("combined", "combined_users"),
            count(col("admin"), "admin_registrations"),
            users_with("admin", "admin_registered_users"),
            count(col("tap"), "tap_issued"),
            count(col("default_changed"), "default_changed"),
            count(col("to_phone"), "default_changed_to_phone"),
            users_with("to_phone", "default_changed_to_phone_users"),
            count(col("deletion"), "deletions"),
            count(col("failure"), "failures"),
            count(col("cancel"), "cancellations"),
        ])
        .collect()?;
    let stamp = |name: &str| {
        totals
            .column(name)
            .ok()
            .and_then(|c| c.i64().ok().and_then(|ca| ca.get(0)))
            .and_then(chrono::DateTime::from_timestamp_micros)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    };
    let counts = |lf: LazyFrame, column: &str| -> PolarsResult<Vec<(String, u64)>> {
        super::value_counts(lf.filter(col(column).is_not_null()), column)
    };
    let skipped_by_service = counts(
        a.clone()
            .filter(col("relevant").not())
            .with_column(col("service").fill_null(lit("(no service)"))),
        "service",
    )?;
    let events_by_activity = counts(a.clone().filter(col("relevant")), "activity")?;
    let methods_registered = counts(a.clone(), "method")?;
    let unknown_reasons = counts(a.clone(), "unknown_reason")?;

    // First successful registration per user.
    // A user's first registration *by themselves* decides the deadline split: registration by
    // the help desk after the deadline is what guidance 3 recommends, not a late registration.
    let self_firsts = a
        .clone()
        .filter(
            col("registered")
                .and(col("admin").not())
                .and(col("subject").is_not_null()),
        )
        .group_by([col("subject")])
        .agg([
            col("time_us").min().alias("first_us"),
            col("subject_id").drop_nulls().first().alias("subject_id"),
        ])
        .collect()?;
    let firsts = a
        .clone()
        .filter(col("registered").and(col("subject").is_not_null()))
        .group_by([col("subject")])
        .agg([
            col("time_us").min().alias("first_us"),
            col("time_us").max().alias("last_us"),
            col("subject_id").drop_nulls().first().alias("subject_id"),
        ])
        .collect()?;
    let subjects = firsts.column("subject")?.str()?.clone();
    let first_us = firsts.column("first_us")?.i64()?.clone();
    let mut per_day: std::collections::BTreeMap<NaiveDate, u64> = Default::default();
    for i in 0..firsts.height() {
        if let Some(day) = first_us.get(i).and_then(day_of) {
            *per_day.entry(day).or_default() += 1;
        }
    }
    let mut late: Vec<(String, i64)> = Vec::new();
    let (mut before, mut after) = (0u64, 0u64);
    if let Some(deadline) = deadline {
        let subj = self_firsts.column("subject")?.str()?.clone();
        let first = self_firsts.column("first_us")?.i64()?.clone();
        for i in 0..self_firsts.height() {
            let Some(day) = first.get(i).and_then(day_of) else {
                continue;
            };
            if day <= deadline {
                before += 1;
            } else {
                after += 1;
                late.push((
                    subj.get(i).unwrap_or_default().to_string(),
                    first.get(i).unwrap_or(0),
                ));
            }
        }
    }
    let mut cumulative = 0;
    let timeline = per_day
        .iter()
        .map(|(day, n)| {
            cumulative += n;
            TimelineDay {
                day: day.to_string(),
                first_registrations: *n,
                cumulative,
            }
        })
        .collect();
    late.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let when = |us: i64| {
        chrono::DateTime::from_timestamp_micros(us)
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default()
    };
    let late_users = late
        .iter()
        .take(25)
        .map(|(u, t)| AuditUser {
            user: u.clone(),
            when: when(*t),
        })
        .collect();
    let phone_df = a
        .clone()
        .filter(col("to_phone").and(col("subject").is_not_null()))
        .group_by([col("subject")])
        .agg([col("time_us").max().alias("t")])
        .sort(["subject"], SortMultipleOptions::default())
        .limit(25)
        .collect()?;
    let default_to_phone_users = {
        let u = phone_df.column("subject")?.str()?.clone();
        let t = phone_df.column("t")?.i64()?.clone();
        (0..phone_df.height())
            .map(|i| AuditUser {
                user: u.get(i).unwrap_or_default().to_string(),
                when: t.get(i).map(when).unwrap_or_default(),
            })
            .collect()
    };

    // Per registration user: late registration and default switched to a phone.
    let late_set: std::collections::HashSet<String> = late.iter().map(|(u, _)| u.clone()).collect();
    let phone_subjects: std::collections::HashSet<String> = a
        .clone()
        .filter(col("to_phone"))
        .select([col("subject"), col("subject_id")])
        .collect()
        .map(|df| {
            let s = df.column("subject").and_then(|c| c.str()).cloned();
            let id = df.column("subject_id").and_then(|c| c.str()).cloned();
            let mut out = std::collections::HashSet::new();
            if let (Ok(s), Ok(id)) = (s, id) {
                for v in s.iter().chain(id.iter()).flatten() {
                    out.insert(v.to_string());
                }
            }
            out
        })?;
    let late_ids: std::collections::HashSet<String> = {
        let subj = self_firsts.column("subject")?.str()?.clone();
        let ids = self_firsts.column("subject_id")?.str()?.clone();
        (0..self_firsts.height())
            .filter(|i| late_set.contains(subj.get(*i).unwrap_or_default()))
            .filter_map(|i| ids.get(i).map(str::to_string))
            .collect()
    };
    // Each user's security-info events, summarized in words for the per-user lists.
    let per_subject = a
        .clone()
        .filter(col("relevant").and(col("subject").is_not_null()))
        .group_by([col("subject")])
        .agg([
            col("subject_id").drop_nulls().first().alias("subject_id"),
            count(col("registered"), "registered"),
            count(col("admin"), "admin"),
            count(col("tap"), "tap"),
            count(col("default_changed"), "default_changed"),
            count(col("to_phone"), "to_phone"),
            count(col("deletion"), "deletion"),
            count(col("failure"), "failure"),
            count(col("cancel"), "cancel"),
        ])
        .collect()?;
    let mut summary: std::collections::HashMap<String, String> = Default::default();
    {
        let subj = per_subject.column("subject")?.str()?.clone();
        let ids = per_subject.column("subject_id")?.str()?.clone();
        let get = |name: &str| -> PolarsResult<UInt64Chunked> {
            Ok(per_subject.column(name)?.u64()?.clone())
        };
        let labels = [
            ("registered", "registered"),
            ("admin", "registered by an admin"),
            ("tap", "Temporary Access Pass"),
            ("default_changed", "default changed"),
            ("to_phone", "default changed to a phone"),
            ("deletion", "deleted"),
            ("failure", "failed"),
            ("cancel", "canceled"),
        ];
        let columns = labels
            .iter()
            .map(|(c, _)| get(c))
            .collect::<PolarsResult<Vec<_>>>()?;
        for i in 0..per_subject.height() {
            let text: Vec<String> = labels
                .iter()
                .zip(columns.iter())
                .filter_map(|((_, label), c)| {
                    c.get(i).filter(|n| *n > 0).map(|n| format!("{label} {n}"))
                })
                .collect();
            let text = text.join(", ");
            for key in [subj.get(i), ids.get(i)].into_iter().flatten() {
                summary.insert(key.to_string(), text.clone());
            }
        }
    }
    // First and last registration per user key (UPN or object id).
    let mut span: std::collections::HashMap<String, (i64, i64)> = Default::default();
    {
        let ids = firsts.column("subject_id")?.str()?.clone();
        let last_us = firsts.column("last_us")?.i64()?.clone();
        for i in 0..firsts.height() {
            if let (Some(f), Some(l)) = (first_us.get(i), last_us.get(i)) {
                for key in [subjects.get(i), ids.get(i)].into_iter().flatten() {
                    span.insert(key.to_string(), (f, l));
                }
            }
        }
    }
    let rows = registration_users.column("row")?.u32()?.clone();
    let upn = registration_users.column("upn_key")?.str()?.clone();
    let id = registration_users.column("id")?.str()?.clone();
    let mut audit_late = Vec::with_capacity(rows.len());
    let mut audit_phone = Vec::with_capacity(rows.len());
    let mut audit_first = Vec::with_capacity(rows.len());
    let mut audit_last = Vec::with_capacity(rows.len());
    let mut audit_events: Vec<Option<String>> = Vec::with_capacity(rows.len());
    for i in 0..rows.len() {
        let matches = |set: &std::collections::HashSet<String>| {
            upn.get(i).is_some_and(|u| set.contains(u))
                || id.get(i).is_some_and(|x| set.contains(x))
        };
        audit_late.push(deadline.map(|_| matches(&late_set) || matches(&late_ids)));
        audit_phone.push(matches(&phone_subjects));
        let s = upn
            .get(i)
            .and_then(|u| span.get(u))
            .or_else(|| id.get(i).and_then(|x| span.get(x)));
        let iso = |us: i64| {
            chrono::DateTime::from_timestamp_micros(us)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        };
        audit_first.push(s.and_then(|(f, _)| iso(*f)));
        audit_last.push(s.and_then(|(_, l)| iso(*l)));
        audit_events.push(
            upn.get(i)
                .and_then(|u| summary.get(u))
                .or_else(|| id.get(i).and_then(|x| summary.get(x)))
                .cloned(),
        );
    }
    let per_user = DataFrame::new(
        rows.len(),
        vec![
            Column::new("row".into(), rows.iter().collect::<Vec<_>>()),
            Column::new("audit_late".into(), audit_late),
            Column::new("audit_default_to_phone".into(), audit_phone),
            Column::new("first_registration".into(), audit_first),
            Column::new("last_registration".into(), audit_last),
            Column::new("audit_events".into(), audit_events),
        ],
    )?;

    let (deadline_text, deadline_source) = match deadline {
        Some(d) => (Some(d.to_string()), Some("argument")),
        None => (
            Some((as_of + chrono::Duration::days(SUGGESTED_DEADLINE_DAYS)).to_string()),
            Some("suggested"),
        ),
    };
    Ok(AuditAnalysis {
        stats: AuditStats {
            rows: u64_at(&totals, "rows"),
            window_start: stamp("first"),
            window_end: stamp("last"),
            relevant_rows: u64_at(&totals, "relevant_rows"),
            skipped_by_service,
            events_by_activity,
            registration_events: u64_at(&totals, "registration_events"),
            users_registered: u64_at(&totals, "users_registered"),
            combined_registrations: u64_at(&totals, "combined_registrations"),
            combined_users: u64_at(&totals, "combined_users"),
            admin_registrations: u64_at(&totals, "admin_registrations"),
            admin_registered_users: u64_at(&totals, "admin_registered_users"),
            tap_issued: u64_at(&totals, "tap_issued"),
            default_changed: u64_at(&totals, "default_changed"),
            default_changed_to_phone: u64_at(&totals, "default_changed_to_phone"),
            default_changed_to_phone_users: u64_at(&totals, "default_changed_to_phone_users"),
            deletions: u64_at(&totals, "deletions"),
            failures: u64_at(&totals, "failures"),
            cancellations: u64_at(&totals, "cancellations"),
            methods_registered,
            unknown_reasons,
            deadline: deadline_text,
            deadline_source,
            registered_before_deadline: deadline.map(|_| before),
            registered_after_deadline: deadline.map(|_| after),
            timeline,
            late_users,
            default_to_phone_users,
            registration_origin: None,
        },
        per_user,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_name_methods() {
        let cases = [
            (
                "User registered Authenticator App with Notification and Code",
                Some("microsoftAuthenticatorPush"),
            ),
            (
                "User registered Authenticator App with Notification",
                Some("microsoftAuthenticatorPush"),
            ),
            (
                "User registered Authenticator App with Code",
                Some("softwareOneTimePasscode"),
            ),
            ("User registered Mobile Phone SMS", Some("mobilePhone")),
            ("User registered Fido", Some("fido2SecurityKey")),
            ("User registered Email", Some("email")),
            (
                "User registered Security Questions",
                Some("securityQuestion"),
            ),
            (
                "User registered Alternate Mobile Phone",
                Some("alternateMobilePhone"),
            ),
            ("User registered Office Phone", Some("officePhone")),
            (
                "User registered Windows Hello for Business",
                Some("windowsHelloForBusiness"),
            ),
            (
                "User registered Passkey in Microsoft Authenticator",
                Some("passKeyDeviceBoundAuthenticator"),
            ),
            (
                "Admin registered temporary access pass method for user",
                Some("temporaryAccessPass"),
            ),
            (
                "Admin registered phone method for user",
                Some("mobilePhone"),
            ),
            (
                "User registered Passkey in Windows Hello",
                Some("passKeyDeviceBoundWindowsHello"),
            ),
            ("User registered Synced Passkey", Some("passKeySynced")),
            (
                "User registered Passkey (device-bound)",
                Some("passKeyDeviceBound"),
            ),
            (
                "User registered Authenticator App Passwordless Sign-in",
                Some("microsoftAuthenticatorPasswordless"),
            ),
            ("User registered Hardware OATH token", None),
        ];
        for (reason, method) in cases {
            assert_eq!(reason_method(reason), method, "{reason}");
        }
    }

    #[test]
    fn phone_defaults() {
        assert!(default_is_phone(
            "User changed the default security info for Text a code to +X XXXXXXXX12"
        ));
        assert!(default_is_phone(
            "User changed the default security info for Call +X XXXXXXXX12"
        ));
        assert!(!default_is_phone(
            "User changed the default security info for Authenticator app notification"
        ));
    }
}
