//! Where security info was registered from: each registration in the audit log is matched to the
//! sign-in that carried it (same correlation id) or, failing that, to the user's nearest sign-in
//! to the registration app ("My Signins") within [`MATCH_WINDOW_MINUTES`]. The matched sign-in
//! gives the country and the device; a registration from a country where the user never
//! otherwise signs in is flagged as a possible attacker registration.

use std::collections::{BTreeSet, HashMap, HashSet};

use polars::prelude::*;
use serde::Serialize;

use super::audit::{derive, ADMIN_REGISTERED};
use super::signins::MY_SIGNINS_APP_ID;

/// How far a registration-app sign-in may be from the audit event to count as its origin.
pub const MATCH_WINDOW_MINUTES: i64 = 30;

/// A registration from an unusual country.
#[derive(Debug, Clone, Serialize)]
pub struct SuspiciousRegistration {
    pub user: String,
    pub when: String,
    pub country: String,
    /// Countries of the user's other sign-ins.
    pub usual_countries: Vec<String>,
}

/// The `registration_origin` object inside `audit`.
#[derive(Debug, Clone, Serialize)]
pub struct OriginStats {
    /// Successful registrations performed by the users themselves (admin registrations excluded).
    pub registrations: u64,
    pub matched: u64,
    pub matched_by_correlation_id: u64,
    pub from_compliant_or_hybrid: u64,
    pub suspicious: u64,
    pub suspicious_users: u64,
    pub examples: Vec<SuspiciousRegistration>,
}

struct SignIn {
    time: Option<i64>,
    country: Option<String>,
    registration_app: bool,
    managed: bool,
}

/// Match registrations to sign-ins. Returns the statistics and the user keys (UPN and object
/// id, lower-cased) of users with a suspicious registration.
pub fn analyze(
    audit: &DataFrame,
    signins: &DataFrame,
) -> PolarsResult<(OriginStats, HashSet<String>)> {
    let s =
        |name: &str| -> PolarsResult<StringChunked> { Ok(signins.column(name)?.str()?.clone()) };
    let (upn, uid, country, app_id, app, join, corr) = (
        s("upn_key")?,
        s("user_id")?,
        s("country")?,
        s("app_id")?,
        s("app")?,
        s("join_type")?,
        s("correlation_id")?,
    );
    let time = signins.column("time_us")?.i64()?.clone();
    let compliant = signins.column("compliant")?.bool()?.clone();
    let mut rows = Vec::with_capacity(signins.height());
    let mut by_user: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_correlation: HashMap<String, usize> = HashMap::new();
    for i in 0..signins.height() {
        let registration_app = app_id.get(i) == Some(MY_SIGNINS_APP_ID)
            || app
                .get(i)
                .is_some_and(|a| a.eq_ignore_ascii_case("My Signins"));
        let hybrid = join.get(i).is_some_and(|j| {
            let j = j.to_lowercase();
            j.contains("hybrid") || j.contains("híbrid") || j.contains("hibrid")
        });
        rows.push(SignIn {
            time: time.get(i),
            country: country.get(i).map(str::to_uppercase),
            registration_app,
            managed: compliant.get(i) == Some(true) || hybrid,
        });
        for key in [upn.get(i), uid.get(i)].into_iter().flatten() {
            by_user.entry(key.to_string()).or_default().push(i);
        }
        if let Some(c) = corr.get(i) {
            // Prefer the registration-app sign-in of a session when several share the id.
            let replace = by_correlation
                .get(c)
                .is_none_or(|&j| !rows[j].registration_app && registration_app);
            if replace {
                by_correlation.insert(c.to_string(), i);
            }
        }
    }

    let d = derive(audit)?;
    let activity = audit.column("activity")?.str()?.clone();
    let acorr = audit.column("correlation_id")?.str()?.clone();
    let atime = audit.column("time_us")?.i64()?.clone();
    let window = MATCH_WINDOW_MINUTES * 60 * 1_000_000;
    let mut stats = OriginStats {
        registrations: 0,
        matched: 0,
        matched_by_correlation_id: 0,
        from_compliant_or_hybrid: 0,
        suspicious: 0,
        suspicious_users: 0,
        examples: Vec::new(),
    };
    let mut flagged: HashSet<String> = HashSet::new();
    let mut flagged_people: BTreeSet<String> = BTreeSet::new();
    for i in 0..audit.height() {
        if !d.registered[i] || activity.get(i) == Some(ADMIN_REGISTERED) {
            continue;
        }
        stats.registrations += 1;
        let keys: Vec<String> = [d.subject[i].clone(), d.subject_id[i].clone()]
            .into_iter()
            .flatten()
            .collect();
        let mine: Vec<usize> = keys
            .iter()
            .filter_map(|k| by_user.get(k))
            .flatten()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let by_corr = acorr
            .get(i)
            .and_then(|c| by_correlation.get(c))
            .copied()
            .filter(|j| mine.contains(j));
        let nearest = || {
            let t = atime.get(i)?;
            mine.iter()
                .copied()
                .filter(|&j| rows[j].registration_app)
                .filter_map(|j| rows[j].time.map(|tj| ((tj - t).abs(), j)))
                .filter(|(gap, _)| *gap <= window)
                .min()
                .map(|(_, j)| j)
        };
        let Some(origin) = by_corr.or_else(nearest) else {
            continue;
        };
        stats.matched += 1;
        if by_corr.is_some() {
            stats.matched_by_correlation_id += 1;
        }
        if rows[origin].managed {
            stats.from_compliant_or_hybrid += 1;
        }
        let Some(country) = rows[origin].country.clone() else {
            continue;
        };
        let usual: BTreeSet<String> = mine
            .iter()
            .copied()
            .filter(|&j| j != origin && !rows[j].registration_app)
            .filter_map(|j| rows[j].country.clone())
            .collect();
        if !usual.is_empty() && !usual.contains(&country) {
            stats.suspicious += 1;
            let who = keys.first().cloned().unwrap_or_default();
            flagged_people.insert(who.clone());
            flagged.extend(keys.iter().cloned());
            if stats.examples.len() < 25 {
                stats.examples.push(SuspiciousRegistration {
                    user: who,
                    when: atime
                        .get(i)
                        .and_then(chrono::DateTime::from_timestamp_micros)
                        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                        .unwrap_or_default(),
                    country,
                    usual_countries: usual.into_iter().collect(),
                });
            }
        }
    }
    stats.suspicious_users = flagged_people.len() as u64;
    Ok((stats, flagged))
}
