//! What is compared: the headline figures ([`KPIS`]) and, in export mode, every user.

use std::collections::HashMap;

use polars::prelude::*;

use crate::analyze::{Analysis, RegistrationSummary};
use crate::error::{Error, Result};
use crate::methods::{Tier, METHODS};
use crate::redact::Redactor;

/// How many users each per-user list of the progress section shows.
pub const SHOWN: usize = 25;

/// Which direction of a figure is progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Up,
    Down,
    Neither,
}

/// The denominator of a figure's share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Of {
    Users,
    Admins,
}

/// A headline figure: its JSON key (the same in `registration`), label and direction.
pub struct Kpi {
    pub key: &'static str,
    pub label: &'static str,
    pub of: Of,
    pub better: Better,
    pub get: fn(&RegistrationSummary) -> Option<u64>,
}

/// The figures compared, in report order. Keys are those of the JSON `registration` object, so
/// a JSON summary gives the same values as the analysis it was written from.
pub const KPIS: &[Kpi] = &[
    Kpi {
        key: "users",
        label: "Users",
        of: Of::Users,
        better: Better::Neither,
        get: |s| Some(s.users),
    },
    Kpi {
        key: "mfa_capable",
        label: "MFA capable",
        of: Of::Users,
        better: Better::Up,
        get: |s| s.mfa_capable,
    },
    Kpi {
        key: "mfa_registered",
        label: "MFA registered",
        of: Of::Users,
        better: Better::Up,
        get: |s| s.mfa_registered,
    },
    Kpi {
        key: "phishing_resistant",
        label: "Phishing-resistant method",
        of: Of::Users,
        better: Better::Up,
        get: |s| s.phishing_resistant,
    },
    Kpi {
        key: "passwordless_capable",
        label: "Passwordless capable",
        of: Of::Users,
        better: Better::Up,
        get: |s| s.passwordless_capable,
    },
    Kpi {
        key: "authenticator_registered",
        label: "Microsoft Authenticator registered",
        of: Of::Users,
        better: Better::Up,
        get: |s| s.authenticator_registered,
    },
    Kpi {
        key: "authenticator_default",
        label: "Microsoft Authenticator as default",
        of: Of::Users,
        better: Better::Up,
        get: |s| s.authenticator_default,
    },
    Kpi {
        key: "strong_backup",
        label: "Independent backup on a non-phone device",
        of: Of::Users,
        better: Better::Up,
        get: |s| s.strong_backup,
    },
    Kpi {
        key: "phone_only",
        label: "Phone (SMS/voice) only",
        of: Of::Users,
        better: Better::Down,
        get: |s| s.phone_only,
    },
    Kpi {
        key: "no_mfa_method",
        label: "No MFA method",
        of: Of::Users,
        better: Better::Down,
        get: |s| s.no_mfa_method,
    },
    Kpi {
        key: "single_mfa_method",
        label: "Exactly one MFA method",
        of: Of::Users,
        better: Better::Down,
        get: |s| s.single_mfa_method,
    },
    Kpi {
        key: "no_independent_backup",
        label: "All MFA methods on one device",
        of: Of::Users,
        better: Better::Down,
        get: |s| s.no_independent_backup,
    },
    Kpi {
        key: "backup_only_phone",
        label: "Backup is only a phone number",
        of: Of::Users,
        better: Better::Down,
        get: |s| s.backup_only_phone,
    },
    Kpi {
        key: "sspr_registered",
        label: "SSPR registered",
        of: Of::Users,
        better: Better::Up,
        get: |s| s.sspr_registered,
    },
    Kpi {
        key: "mfa_without_sspr",
        label: "MFA method but not SSPR registered",
        of: Of::Users,
        better: Better::Down,
        get: |s| s.mfa_without_sspr,
    },
    Kpi {
        key: "admins",
        label: "Admins",
        of: Of::Users,
        better: Better::Neither,
        get: |s| s.admins,
    },
    Kpi {
        key: "admins_not_mfa_capable",
        label: "Admins not MFA capable",
        of: Of::Admins,
        better: Better::Down,
        get: |s| s.admins_not_mfa_capable,
    },
    Kpi {
        key: "admins_not_phishing_resistant",
        label: "Admins without a phishing-resistant method",
        of: Of::Admins,
        better: Better::Down,
        get: |s| s.admins_not_phishing_resistant,
    },
];

/// Position of a figure in [`KPIS`].
pub fn kpi_index(key: &str) -> usize {
    KPIS.iter()
        .position(|k| k.key == key)
        .expect("a known figure")
}

/// What happened to a user between the snapshots: the first that applies, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    /// In the current snapshot only.
    New,
    /// `isMfaCapable` true before, false now.
    LostCapability,
    /// `isMfaCapable` false before, true now.
    NewlyCapable,
    /// Strongest-method tier weaker now.
    TierDown,
    /// Strongest-method tier stronger now.
    TierUp,
    /// Same tier, at least one MFA method gone (others may have been added).
    LostMethods,
    /// Same tier, MFA methods added, none gone.
    GainedMethods,
    /// Nothing that both snapshots know changed.
    Unchanged,
    /// Neither capability nor method list known in both snapshots.
    Unknown,
}

impl Change {
    pub const ALL: [Change; 9] = [
        Change::New,
        Change::LostCapability,
        Change::NewlyCapable,
        Change::TierDown,
        Change::TierUp,
        Change::LostMethods,
        Change::GainedMethods,
        Change::Unchanged,
        Change::Unknown,
    ];

    /// The value in the JSON and in the `change_since_baseline` CSV column.
    pub fn key(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::LostCapability => "lost_capability",
            Change::NewlyCapable => "newly_capable",
            Change::TierDown => "tier_down",
            Change::TierUp => "tier_up",
            Change::LostMethods => "lost_methods",
            Change::GainedMethods => "gained_methods",
            Change::Unchanged => "unchanged",
            Change::Unknown => "unknown",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Change::New => "New since the baseline",
            Change::LostCapability => "No longer MFA capable",
            Change::NewlyCapable => "Newly MFA capable",
            Change::TierDown => "Weaker strongest method",
            Change::TierUp => "Stronger strongest method",
            Change::LostMethods => "Lost an MFA method, same tier",
            Change::GainedMethods => "Added an MFA method, same tier",
            Change::Unchanged => "Unchanged",
            Change::Unknown => "Cannot tell (data missing in a snapshot)",
        }
    }

    /// A change for the worse: the users listed as regressions.
    pub fn is_regression(self) -> bool {
        matches!(
            self,
            Change::LostCapability | Change::TierDown | Change::LostMethods
        )
    }
}

/// How a user of the current snapshot was found in the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MatchedBy {
    Id,
    Upn,
}

/// A user named in one of the progress section's lists.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Lower-cased UPN now (the pseudonym's source), and the UPN as written.
    pub key: String,
    pub upn: String,
    pub name: Option<String>,
    /// The user's UPN in the baseline, when it was different (matched by object id).
    pub previous_upn: Option<(String, String)>,
    pub admin: bool,
    pub change: Change,
    pub tier_before: Option<Tier>,
    pub tier_after: Option<Tier>,
    /// MFA methods registered before and not now (API names).
    pub lost: Vec<&'static str>,
}

/// User-by-user transitions (export mode). Counts are distinct users.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub before_users: u64,
    pub after_users: u64,
    pub matched: u64,
    pub matched_by_id: u64,
    pub matched_by_upn: u64,
    pub new: u64,
    pub removed: u64,
    /// Current users per [`Change`], in [`Change::ALL`] order; adds up to `after_users`.
    pub by_change: Vec<u64>,
    pub regressions: u64,
    /// Matched users who lost at least one MFA method, whatever else changed.
    pub lost_mfa_method: u64,
    /// Matched users with both tiers known: stronger, weaker, same.
    pub stronger_tier: u64,
    pub weaker_tier: u64,
    pub same_tier: u64,
    /// Users left out of the tier matrix: a snapshot they are in has lost their method list.
    pub tier_unknown: u64,
    /// Rows: the baseline's tiers then `not_in_baseline`; columns: the current tiers then
    /// `not_in_current`.
    pub matrix: Vec<Vec<u64>>,
    pub phone_only_remaining: u64,
    pub phone_only_resolved: u64,
    pub phone_only_since: u64,
    pub newly_capable_shown: Vec<Entry>,
    pub regressions_shown: Vec<Entry>,
    /// The change of each row of the current `per_user` frame.
    pub per_user: Vec<Change>,
}

/// The columns of a per-user frame that the comparison reads, one chunk each.
struct View {
    id: StringChunked,
    key: StringChunked,
    upn: StringChunked,
    name: StringChunked,
    admin: BooleanChunked,
    capable: BooleanChunked,
    tier: UInt32Chunked,
    /// Bit per [`METHODS`] entry that counts for MFA; `None` when the list is unavailable.
    mfa: Vec<Option<u32>>,
}

/// Bits of the phone-number methods.
fn phone_bits() -> u32 {
    METHODS
        .iter()
        .enumerate()
        .filter(|(_, m)| m.is_mfa() && m.is_phone())
        .fold(0, |a, (i, _)| a | 1 << i)
}

impl View {
    fn new(frame: &DataFrame) -> PolarsResult<View> {
        let col = |name: &str| -> PolarsResult<Series> {
            Ok(frame.column(name)?.as_materialized_series().rechunk())
        };
        let known = col("methods_known")?.bool()?.clone();
        let texts = col("methods_text")?.str()?.clone();
        let mut cache: HashMap<&str, u32> = HashMap::new();
        let mfa = texts
            .iter()
            .zip(known.iter())
            .map(|(text, known)| {
                if known != Some(true) {
                    return None;
                }
                let text = text.unwrap_or_default();
                Some(*cache.entry(text).or_insert_with(|| {
                    text.split(", ")
                        .filter_map(|name| {
                            METHODS.iter().position(|m| m.name == name && m.is_mfa())
                        })
                        .fold(0, |a, i| a | 1 << i)
                }))
            })
            .collect();
        Ok(View {
            id: col("id")?.str()?.clone(),
            key: col("upn_key")?.str()?.clone(),
            upn: col("upn")?.str()?.clone(),
            name: col("display_name")?.str()?.clone(),
            admin: col("is_admin")?.bool()?.clone(),
            capable: col("is_mfa_capable")?.bool()?.clone(),
            tier: col("tier_rank")?.u32()?.clone(),
            mfa,
        })
    }

    fn len(&self) -> usize {
        self.mfa.len()
    }

    fn tier(&self, i: usize) -> Option<Tier> {
        self.tier.get(i).and_then(Tier::from_rank)
    }

    fn phone_only(&self, i: usize) -> Option<bool> {
        self.mfa[i].map(|m| m != 0 && m & !phone_bits() == 0)
    }
}

/// The users who count (`scope` = `in_scope`), in their order.
fn in_scope(per_user: &DataFrame) -> PolarsResult<DataFrame> {
    per_user
        .clone()
        .lazy()
        .filter(crate::analyze::population::in_scope())
        .collect()
}

/// Match the users of `before` and `after` and classify every transition.
/// Only the users in scope of each snapshot take part, as in the headline figures: a user
/// excluded or disabled in one snapshot counts as absent from it.
pub fn users(before: &Analysis, after: &Analysis) -> Result<UserChanges> {
    let b = View::new(&in_scope(&before.per_user)?)?;
    let a = View::new(&in_scope(&after.per_user)?)?;

    // Object id first, where both snapshots have one; then the lower-cased UPN, unless both
    // users have object ids that differ (a deleted account re-created under the same name).
    let by_id: HashMap<&str, usize> =
        b.id.iter()
            .enumerate()
            .filter_map(|(j, id)| Some((id?, j)))
            .collect();
    let by_key: HashMap<&str, usize> = b
        .key
        .iter()
        .enumerate()
        .filter_map(|(j, k)| Some((k?, j)))
        .collect();
    let mut taken = vec![false; b.len()];
    let mut partner: Vec<Option<(usize, MatchedBy)>> = vec![None; a.len()];
    for (i, id) in a.id.iter().enumerate() {
        if let Some(&j) = id.and_then(|id| by_id.get(id)) {
            partner[i] = Some((j, MatchedBy::Id));
            taken[j] = true;
        }
    }
    for (i, key) in a.key.iter().enumerate() {
        if partner[i].is_some() {
            continue;
        }
        if let Some(&j) = key.and_then(|k| by_key.get(k)) {
            let both_ids = a.id.get(i).is_some() && b.id.get(j).is_some();
            if !taken[j] && !both_ids {
                partner[i] = Some((j, MatchedBy::Upn));
                taken[j] = true;
            }
        }
    }

    let mut out = UserChanges {
        before_users: b.len() as u64,
        after_users: a.len() as u64,
        by_change: vec![0; Change::ALL.len()],
        matrix: vec![vec![0; Tier::ALL.len() + 1]; Tier::ALL.len() + 1],
        per_user: Vec::with_capacity(a.len()),
        ..Default::default()
    };
    let outside = Tier::ALL.len();
    let mut newly_capable = Vec::new();
    let mut regressions = Vec::new();
    for (i, p) in partner.iter().enumerate() {
        let change = match *p {
            None => {
                out.new += 1;
                match a.tier(i) {
                    Some(t) => out.matrix[outside][t.rank() as usize] += 1,
                    None => out.tier_unknown += 1,
                }
                if a.phone_only(i) == Some(true) {
                    out.phone_only_since += 1;
                }
                Change::New
            }
            Some((j, by)) => {
                out.matched += 1;
                match by {
                    MatchedBy::Id => out.matched_by_id += 1,
                    MatchedBy::Upn => out.matched_by_upn += 1,
                }
                let (tb, ta) = (b.tier(j), a.tier(i));
                match (tb, ta) {
                    (Some(tb), Some(ta)) => {
                        out.matrix[tb.rank() as usize][ta.rank() as usize] += 1;
                        match ta.cmp(&tb) {
                            std::cmp::Ordering::Less => out.stronger_tier += 1,
                            std::cmp::Ordering::Greater => out.weaker_tier += 1,
                            std::cmp::Ordering::Equal => out.same_tier += 1,
                        }
                    }
                    _ => out.tier_unknown += 1,
                }
                let lost = match (b.mfa[j], a.mfa[i]) {
                    (Some(mb), Some(ma)) => mb & !ma,
                    _ => 0,
                };
                if lost != 0 {
                    out.lost_mfa_method += 1;
                }
                match (b.phone_only(j), a.phone_only(i)) {
                    (Some(true), Some(true)) => out.phone_only_remaining += 1,
                    (Some(true), Some(false)) => out.phone_only_resolved += 1,
                    (Some(false), Some(true)) => out.phone_only_since += 1,
                    _ => {}
                }
                let change = classify(
                    (b.capable.get(j), a.capable.get(i)),
                    (tb, ta),
                    (b.mfa[j], a.mfa[i]),
                );
                if change == Change::NewlyCapable {
                    newly_capable.push(i);
                }
                if change.is_regression() {
                    out.regressions += 1;
                    regressions.push(i);
                }
                change
            }
        };
        out.by_change[change as usize] += 1;
        out.per_user.push(change);
    }
    for (j, taken) in taken.iter().enumerate() {
        if !taken {
            out.removed += 1;
            match b.tier(j) {
                Some(t) => out.matrix[t.rank() as usize][outside] += 1,
                None => out.tier_unknown += 1,
            }
        }
    }

    let entry = |i: usize| -> Entry {
        let j = partner[i].map(|(j, _)| j);
        let key = a.key.get(i).unwrap_or_default().to_string();
        let previous_upn = j.and_then(|j| {
            let k = b.key.get(j).unwrap_or_default();
            (k != key).then(|| (k.to_string(), b.upn.get(j).unwrap_or_default().to_string()))
        });
        let lost = match (j.and_then(|j| b.mfa[j]), a.mfa[i]) {
            (Some(mb), Some(ma)) => METHODS
                .iter()
                .enumerate()
                .filter(|(bit, _)| (mb & !ma) & (1 << bit) != 0)
                .map(|(_, m)| m.name)
                .collect(),
            _ => Vec::new(),
        };
        Entry {
            key,
            upn: a.upn.get(i).unwrap_or_default().to_string(),
            name: a.name.get(i).map(str::to_string),
            previous_upn,
            admin: a.admin.get(i) == Some(true),
            change: out.per_user[i],
            tier_before: j.and_then(|j| b.tier(j)),
            tier_after: a.tier(i),
            lost,
        }
    };
    // Newly capable: by UPN. Regressions: admins first, then the change (lost capability
    // first), then by UPN.
    let by_key = |x: &usize, y: &usize| a.key.get(*x).cmp(&a.key.get(*y));
    newly_capable.sort_by(by_key);
    regressions.sort_by(|x, y| {
        let admin = |i: usize| a.admin.get(i) != Some(true);
        admin(*x)
            .cmp(&admin(*y))
            .then(out.per_user[*x].cmp(&out.per_user[*y]))
            .then(by_key(x, y))
    });
    let newly_capable: Vec<Entry> = newly_capable.into_iter().take(SHOWN).map(entry).collect();
    let regressions: Vec<Entry> = regressions.into_iter().take(SHOWN).map(entry).collect();
    out.newly_capable_shown = newly_capable;
    out.regressions_shown = regressions;
    Ok(out)
}

/// The [`Change`] of a user found in both snapshots, from (before, after) capability, tier and
/// MFA method bits.
fn classify(
    capable: (Option<bool>, Option<bool>),
    tier: (Option<Tier>, Option<Tier>),
    mfa: (Option<u32>, Option<u32>),
) -> Change {
    match capable {
        (Some(true), Some(false)) => return Change::LostCapability,
        (Some(false), Some(true)) => return Change::NewlyCapable,
        _ => {}
    }
    if let (Some(tb), Some(ta)) = tier {
        if ta > tb {
            return Change::TierDown;
        }
        if ta < tb {
            return Change::TierUp;
        }
    }
    if let (Some(mb), Some(ma)) = mfa {
        if mb & !ma != 0 {
            return Change::LostMethods;
        }
        if ma & !mb != 0 {
            return Change::GainedMethods;
        }
        return Change::Unchanged;
    }
    match capable {
        (Some(_), Some(_)) => Change::Unchanged,
        _ => Change::Unknown,
    }
}

impl UserChanges {
    pub fn redact(&mut self, redactor: &Redactor) {
        for e in self
            .newly_capable_shown
            .iter_mut()
            .chain(&mut self.regressions_shown)
        {
            e.upn = redactor.user(&e.key);
            e.key = e.upn.clone();
            e.name = None;
            if let Some((key, upn)) = &mut e.previous_upn {
                *upn = redactor.user(key);
                *key = upn.clone();
            }
        }
    }

    /// The change of each row of `frame`, found through its `upn` in `per_user` (the frame the
    /// changes were computed on, row for row).
    pub fn column_for(&self, per_user: &DataFrame, frame: &DataFrame) -> Result<Vec<&'static str>> {
        // Users out of scope have no change: they are in neither comparison.
        let per_user = &in_scope(per_user)?;
        if per_user.height() != self.per_user.len() {
            return Err(Error::Internal(
                "the per-user changes do not match the users".into(),
            ));
        }
        let all = per_user.column("upn")?.as_materialized_series().rechunk();
        let row: HashMap<&str, usize> = all
            .str()?
            .iter()
            .enumerate()
            .filter_map(|(i, u)| Some((u?, i)))
            .collect();
        let upn = frame.column("upn")?.as_materialized_series().rechunk();
        let column = upn
            .str()?
            .iter()
            .map(|u| {
                u.and_then(|u| row.get(u))
                    .map_or("", |&i| self.per_user[i].key())
            })
            .collect();
        Ok(column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_follows_the_documented_order() {
        let (pr, auth, phone) = (
            Some(Tier::PhishingResistant),
            Some(Tier::Authenticator),
            Some(Tier::Phone),
        );
        let c = |cap, tier, mfa| classify(cap, tier, mfa);
        // Capability outranks the tier.
        assert_eq!(
            c((Some(true), Some(false)), (pr, phone), (Some(1), Some(2))),
            Change::LostCapability
        );
        assert_eq!(
            c((Some(false), Some(true)), (phone, auth), (Some(1), Some(3))),
            Change::NewlyCapable
        );
        assert_eq!(
            c((Some(true), Some(true)), (auth, phone), (Some(1), Some(2))),
            Change::TierDown
        );
        // A stronger tier outranks a method given up on the way.
        assert_eq!(
            c((Some(true), Some(true)), (phone, pr), (Some(1), Some(2))),
            Change::TierUp
        );
        assert_eq!(
            c((Some(true), Some(true)), (pr, pr), (Some(3), Some(1))),
            Change::LostMethods
        );
        assert_eq!(
            c((Some(true), Some(true)), (pr, pr), (Some(1), Some(3))),
            Change::GainedMethods
        );
        assert_eq!(
            c((None, None), (pr, pr), (Some(3), Some(3))),
            Change::Unchanged
        );
        assert_eq!(
            c((Some(true), Some(true)), (None, pr), (None, Some(3))),
            Change::Unchanged
        );
        assert_eq!(
            c((None, Some(true)), (None, pr), (None, Some(3))),
            Change::Unknown
        );
    }

    #[test]
    fn kpi_keys_are_distinct() {
        for (i, k) in KPIS.iter().enumerate() {
            assert_eq!(kpi_index(k.key), i);
        }
    }
}
