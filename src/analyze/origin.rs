//! Where security info was registered from: each registration in the audit log is matched to the
//! sign-in that carried it (same correlation id) or, failing that, to the user's nearest sign-in
//! to the registration app ("My Signins") within [`MATCH_WINDOW_MINUTES`]. The matched sign-in
//! gives the country and the device; a registration from a country where the user never
//! otherwise signs in is flagged as a possible attacker registration.

use std::collections::{BTreeSet, HashMap, HashSet};

use polars::prelude::*;
use serde::Serialize;

use super::audit::{derive, ADMIN_REGISTERED};
use crate::ingest::signin_table::guid_key;
use crate::ingest::SignIns;

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
    signins: &SignIns,
) -> PolarsResult<(OriginStats, HashSet<String>)> {
    let d = derive(audit)?;
    let activity = audit.column("activity")?.str()?.clone();
    let acorr = audit.column("correlation_id")?.str()?.clone();
    let atime = audit.column("time_us")?.i64()?.clone();
    let counted: Vec<usize> = (0..audit.height())
        .filter(|&i| d.registered[i] && activity.get(i) != Some(ADMIN_REGISTERED))
        .collect();

    // Only the sign-ins of users who registered, or of the registrations' sessions, matter.
    let wanted_users: HashSet<&str> = counted
        .iter()
        .flat_map(|&i| [d.subject[i].as_deref(), d.subject_id[i].as_deref()])
        .flatten()
        .collect();
    let wanted_sessions: HashSet<u128> = counted
        .iter()
        .filter_map(|&i| acorr.get(i).map(guid_key))
        .filter(|k| *k != 0)
        .collect();
    let ids = &signins.identities;
    let (ikey, iid) = (
        ids.column("upn_key")?.str()?.clone(),
        ids.column("user_id")?.str()?.clone(),
    );
    let ident_keys: Vec<Vec<String>> = ikey
        .iter()
        .zip(iid.iter())
        .map(|(u, i)| {
            [u, i]
                .into_iter()
                .flatten()
                .filter(|k| wanted_users.contains(k))
                .map(str::to_string)
                .collect()
        })
        .collect();

    let users = &signins.users;
    let ident = users.column("ident")?.u32()?.clone();
    let time = users.column("time_us")?.i64()?.clone();
    let compliant = users.column("compliant")?.bool()?.clone();
    let hybrid = users.column("hybrid")?.bool()?.clone();
    let registration_app = users.column("registration_app")?.bool()?.clone();
    let country = users.column("country")?.u32()?.clone();
    let (chi, clo) = (
        users.column("correlation_hi")?.u64()?.clone(),
        users.column("correlation_lo")?.u64()?.clone(),
    );
    let mut rows: Vec<SignIn> = Vec::new();
    let mut by_user: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_correlation: HashMap<u128, usize> = HashMap::new();
    for j in 0..users.height() {
        let keys = ident.get(j).map(|i| &ident_keys[i as usize]);
        let session = match (chi.get(j), clo.get(j)) {
            (Some(h), Some(l)) => ((h as u128) << 64) | l as u128,
            _ => 0,
        };
        let wanted_session = session != 0 && wanted_sessions.contains(&session);
        if keys.is_none_or(|k| k.is_empty()) && !wanted_session {
            continue;
        }
        let k = rows.len();
        let registration = registration_app.get(j) == Some(true);
        rows.push(SignIn {
            time: time.get(j),
            country: country
                .get(j)
                .and_then(|c| signins.vocab.country.get(c as usize).cloned()),
            registration_app: registration,
            managed: compliant.get(j) == Some(true) || hybrid.get(j) == Some(true),
        });
        for key in keys.into_iter().flatten() {
            by_user.entry(key.clone()).or_default().push(k);
        }
        if wanted_session {
            // Prefer the registration-app sign-in of a session when several share the id.
            let replace = by_correlation
                .get(&session)
                .is_none_or(|&m| !rows[m].registration_app && registration);
            if replace {
                by_correlation.insert(session, k);
            }
        }
    }

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
    for &i in &counted {
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
            .and_then(|c| by_correlation.get(&guid_key(c)))
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
