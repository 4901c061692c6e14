//! Who counts: the population behind every percentage. Without a users list or exclusions,
//! every distinct user of the registration export counts. With them:
//!
//! - **excluded** users (an `--exclude` pattern or a config-file exclusion matched them) are
//!   left out of every percentage and listed with the reason of the rule that matched first;
//! - **disabled** accounts (the users list says `accountEnabled` is false) are left out too and
//!   counted separately: they cannot sign in, so they are not part of the rollout;
//! - everyone else is **in scope**, including users the users list does not mention (counted
//!   and shown, since the two exports were made at different times).
//!
//! A role assignments download marks users with a directory role as admins (active and
//! eligible assignments alike: an eligible admin can activate the role at any time), added to
//! the registration export's own `isAdmin`.

use std::collections::HashMap;

use polars::prelude::*;
use serde::Serialize;

use super::count;
use crate::ingest::directory::is_user_assignment;

/// One exclusion rule: a UPN pattern (`*` any run of characters, `?` one character, case
/// ignored) or an object id, and why such users are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exclusion {
    pub pattern: String,
    pub reason: String,
    /// Where the rule comes from: `--exclude` or the config file's path.
    pub source: String,
}

impl Exclusion {
    /// Whether the user with `upn_key` (lower-cased) and object `id` matches.
    pub fn matches(&self, upn_key: Option<&str>, id: Option<&str>) -> bool {
        let p = self.pattern.trim().to_lowercase();
        if id.is_some_and(|id| id == p) {
            return true;
        }
        upn_key.is_some_and(|u| {
            let (p, u): (Vec<char>, Vec<char>) = (p.chars().collect(), u.chars().collect());
            glob(&p, &u)
        })
    }
}

/// `*`/`?` wildcard match of the whole `text`, character by character (backtracking on the
/// last `*` only).
fn glob(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// How many users an exclusion rule took (a rule that takes nobody is probably mistyped).
#[derive(Debug, Clone, Serialize)]
pub struct RuleUse {
    #[serde(flatten)]
    pub rule: Exclusion,
    pub users: u64,
}

/// An excluded user, for the report's list.
#[derive(Debug, Clone, Serialize)]
pub struct ExcludedUser {
    pub upn: String,
    pub display_name: Option<String>,
    pub reason: String,
    pub mfa_capable: Option<bool>,
    pub phishing_resistant: Option<bool>,
}

/// Users per department or country, for in-scope users.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Breakdown {
    /// The value as exported; `None`: the users list gives none.
    pub name: Option<String>,
    pub users: u64,
    pub mfa_capable: u64,
    pub phishing_resistant: u64,
    pub no_mfa_method: u64,
    pub phone_only: u64,
}

/// Accounts created this many days before the report date, or later, are new.
pub const NEW_ACCOUNT_DAYS: i64 = 30;

/// New accounts: the window in which whoever first signs in to an account can register its
/// MFA methods, so each of them without a method is an open door.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct NewAccounts {
    pub days: i64,
    /// The first day of the window (the report date minus `days`).
    pub since: String,
    pub users: u64,
    pub mfa_capable: u64,
    pub no_mfa_method: u64,
    pub phone_only: u64,
    /// In-scope users of the users list without a creation date (not counted above).
    pub without_date: u64,
}

/// Role assignments as read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RoleStats {
    pub assignments: u64,
    /// Assignments to groups or applications (members unknown).
    pub non_user_assignments: u64,
    /// Assignments to users not in the registration export.
    pub unmatched_assignments: u64,
    /// Registration users with ≥ 1 role.
    pub users: u64,
    /// Of those, users the registration export did not mark as admins.
    pub added_admins: u64,
    /// Role → users (of the registration export) holding it, most first.
    pub roles: Vec<(String, u64)>,
}

/// The `population` object of the JSON summary; see docs/METRICS.md ("Population").
#[derive(Debug, Clone, Default, Serialize)]
pub struct PopulationStats {
    /// Distinct users of the registration export.
    pub registration_users: u64,
    pub in_scope: u64,
    pub disabled: u64,
    pub excluded: u64,
    /// Whether a users list was given; the fields below that need it are `None` otherwise.
    pub users_list: bool,
    /// Registration users the users list does not mention (in scope).
    pub not_in_users_list: Option<u64>,
    /// Enabled accounts of the users list that the registration export does not have.
    pub only_in_users_list: Option<u64>,
    /// In-scope users synchronized from on-premises AD (`directorySynced`), and cloud-only.
    pub synchronized: Option<u64>,
    pub cloud_only: Option<u64>,
    /// In-scope users whose account was created in the [`NEW_ACCOUNT_DAYS`] days up to the
    /// report date (users list with creation dates only).
    pub new_accounts: Option<NewAccounts>,
    pub rules: Vec<RuleUse>,
    /// The first excluded users (up to [`EXCLUDED_SHOWN`]), in UPN order.
    pub excluded_users: Vec<ExcludedUser>,
    pub by_department: Option<Vec<Breakdown>>,
    pub by_country: Option<Vec<Breakdown>>,
    pub role_assignments: Option<RoleStats>,
}

/// Excluded users listed by name in the report (all of them are in the users CSV).
pub const EXCLUDED_SHOWN: usize = 200;

/// What the caller decided about the population.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub exclusions: Vec<Exclusion>,
}

fn str_values(frame: &DataFrame, name: &str) -> PolarsResult<Vec<Option<String>>> {
    Ok(frame
        .column(name)?
        .str()?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

/// Add the population columns to the per-user frame (`account_enabled`, `department`,
/// `country`, `created_us`, `on_premises_sync`, `in_users_list`, `admin_roles`, `scope`,
/// `scope_reason`; `is_admin` gains the role holders) and count the population.
pub fn apply(
    per_user: DataFrame,
    directory: Option<&DataFrame>,
    roles: Option<&DataFrame>,
    scope: &Scope,
    as_of: chrono::NaiveDate,
) -> PolarsResult<(DataFrame, PopulationStats)> {
    let height = per_user.height();
    let upn = per_user.column("upn_key")?.str()?.clone();
    let id = per_user.column("id")?.str()?.clone();
    let mut out = per_user;
    let mut stats = PopulationStats {
        registration_users: height as u64,
        users_list: directory.is_some(),
        ..Default::default()
    };

    // The users list, matched by object id, else by UPN.
    let mut enabled: Vec<Option<bool>> = vec![None; height];
    if let Some(dir) = directory {
        let d_id = dir.column("id")?.str()?.clone();
        let d_upn = dir.column("upn_key")?.str()?.clone();
        let mut by_id: HashMap<&str, IdxSize> = HashMap::with_capacity(dir.height());
        let mut by_upn: HashMap<&str, IdxSize> = HashMap::with_capacity(dir.height());
        for (i, (x, u)) in d_id.iter().zip(d_upn.iter()).enumerate() {
            if let Some(x) = x {
                by_id.entry(x).or_insert(i as IdxSize);
            }
            if let Some(u) = u {
                by_upn.entry(u).or_insert(i as IdxSize);
            }
        }
        let mut matched = vec![false; dir.height()];
        let idx = IdxCa::from_iter_options(
            "idx".into(),
            (0..height).map(|i| {
                // By UPN only when one side has no object id: two different ids under one
                // UPN are two accounts (one deleted and created again).
                let found = id
                    .get(i)
                    .and_then(|x| by_id.get(x))
                    .or_else(|| {
                        upn.get(i)
                            .and_then(|u| by_upn.get(u))
                            .filter(|&&d| id.get(i).is_none() || d_id.get(d as usize).is_none())
                    })
                    .copied();
                if let Some(f) = found {
                    matched[f as usize] = true;
                }
                found
            }),
        );
        for name in [
            "account_enabled",
            "department",
            "created_us",
            "on_premises_sync",
        ] {
            let picked = dir.column(name)?.as_materialized_series().take(&idx)?;
            out.with_column(picked.into_column())?;
        }
        // Usage location (an ISO code, set on licensed users) where there is one, else the
        // country of the address.
        let usage = dir
            .column("usage_location")?
            .as_materialized_series()
            .take(&idx)?;
        let country = dir.column("country")?.as_materialized_series().take(&idx)?;
        let merged: StringChunked = usage
            .str()?
            .iter()
            .zip(country.str()?.iter())
            .map(|(u, c)| u.or(c))
            .collect();
        out.with_column(merged.with_name("country".into()).into_column())?;
        out.with_column(Column::new(
            "in_users_list".into(),
            idx.iter().map(|i| i.is_some()).collect::<Vec<bool>>(),
        ))?;
        enabled = out
            .column("account_enabled")?
            .bool()?
            .iter()
            .collect::<Vec<_>>();
        stats.not_in_users_list = Some(idx.null_count() as u64);
        let dir_enabled = dir.column("account_enabled")?.bool()?.clone();
        stats.only_in_users_list = Some(
            matched
                .iter()
                .zip(dir_enabled.iter())
                .filter(|(m, e)| !**m && *e != Some(false))
                .count() as u64,
        );
    } else {
        for (name, dtype) in [
            ("account_enabled", DataType::Boolean),
            ("department", DataType::String),
            ("created_us", DataType::Int64),
            ("on_premises_sync", DataType::Boolean),
            ("country", DataType::String),
            ("in_users_list", DataType::Boolean),
        ] {
            out.with_column(Column::full_null(name.into(), height, &dtype))?;
        }
    }

    // Role assignments, matched by principal object id, else by UPN.
    let mut admin_roles: Vec<Option<String>> = vec![None; height];
    if let Some(r) = roles {
        let role = r.column("role")?.str()?.clone();
        let p_upn = r.column("principal_upn")?.str()?.clone();
        let p_id = r.column("principal_id")?.str()?.clone();
        let p_type = r.column("principal_type")?.str()?.clone();
        let mut by_id: HashMap<&str, usize> = HashMap::new();
        let mut by_upn: HashMap<&str, usize> = HashMap::new();
        for i in 0..height {
            if let Some(x) = id.get(i) {
                by_id.entry(x).or_insert(i);
            }
            if let Some(u) = upn.get(i) {
                by_upn.entry(u).or_insert(i);
            }
        }
        let mut held: Vec<Vec<&str>> = vec![Vec::new(); height];
        let mut rs = RoleStats {
            assignments: r.height() as u64,
            ..Default::default()
        };
        for i in 0..r.height() {
            if !is_user_assignment(p_type.get(i)) {
                rs.non_user_assignments += 1;
                continue;
            }
            let user = p_id.get(i).and_then(|x| by_id.get(x)).or_else(|| {
                p_upn
                    .get(i)
                    .and_then(|u| by_upn.get(u))
                    .filter(|&&u| p_id.get(i).is_none() || id.get(u).is_none())
            });
            match (user, role.get(i)) {
                (Some(&u), Some(name)) => {
                    if !held[u].contains(&name) {
                        held[u].push(name);
                    }
                }
                _ => rs.unmatched_assignments += 1,
            }
        }
        let was_admin = out.column("is_admin")?.bool()?.clone();
        let mut is_admin: Vec<Option<bool>> = Vec::with_capacity(height);
        let mut per_role: HashMap<&str, u64> = HashMap::new();
        for (u, names) in held.iter_mut().enumerate() {
            let has = !names.is_empty();
            if has {
                rs.users += 1;
                if was_admin.get(u) != Some(true) {
                    rs.added_admins += 1;
                }
                names.sort_unstable();
                for n in names.iter() {
                    *per_role.entry(n).or_default() += 1;
                }
                admin_roles[u] = Some(names.join("; "));
            }
            is_admin.push(Some(has || was_admin.get(u) == Some(true)));
        }
        let mut per_role: Vec<(String, u64)> = per_role
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        per_role.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        rs.roles = per_role;
        // A file that names no user of the export (only groups, or only a header) says
        // nothing about who is an admin: the export's own isAdmin stays, unknown or not.
        if rs.users > 0 {
            out.with_column(Column::new("is_admin".into(), is_admin))?;
        }
        stats.role_assignments = Some(rs);
    }
    out.with_column(Column::new("admin_roles".into(), admin_roles))?;

    // Scope: excluded (first matching rule), else disabled, else in scope.
    let mut uses = vec![0u64; scope.exclusions.len()];
    if scope.exclusions.is_empty() && directory.is_none() {
        // Everyone counts: constant columns, nothing per user.
        out.with_column(Column::new_scalar(
            "scope".into(),
            Scalar::new(DataType::String, AnyValue::StringOwned("in_scope".into())),
            height,
        ))?;
        out.with_column(Column::full_null(
            "scope_reason".into(),
            height,
            &DataType::String,
        ))?;
    } else {
        let mut scope_col: Vec<&str> = Vec::with_capacity(height);
        let mut reason_col: Vec<Option<&str>> = Vec::with_capacity(height);
        for (i, enabled) in enabled.iter().enumerate() {
            let rule = scope
                .exclusions
                .iter()
                .position(|e| e.matches(upn.get(i), id.get(i)));
            if let Some(r) = rule {
                uses[r] += 1;
                scope_col.push("excluded");
                reason_col.push(Some(&scope.exclusions[r].reason));
            } else if *enabled == Some(false) {
                scope_col.push("disabled");
                reason_col.push(Some("account disabled"));
            } else {
                scope_col.push("in_scope");
                reason_col.push(None);
            }
        }
        out.with_column(Column::new("scope".into(), scope_col))?;
        out.with_column(Column::new("scope_reason".into(), reason_col))?;
    }
    stats.rules = scope
        .exclusions
        .iter()
        .zip(uses)
        .map(|(rule, users)| RuleUse {
            rule: rule.clone(),
            users,
        })
        .collect();

    let counts = out
        .clone()
        .lazy()
        .select([
            count(col("scope").eq(lit("in_scope")), "in_scope"),
            count(col("scope").eq(lit("disabled")), "disabled"),
            count(col("scope").eq(lit("excluded")), "excluded"),
            count(
                col("scope")
                    .eq(lit("in_scope"))
                    .and(col("on_premises_sync")),
                "synchronized",
            ),
            count(
                col("scope")
                    .eq(lit("in_scope"))
                    .and(col("on_premises_sync").not()),
                "cloud_only",
            ),
        ])
        .collect()?;
    stats.in_scope = super::u64_at(&counts, "in_scope");
    stats.disabled = super::u64_at(&counts, "disabled");
    stats.excluded = super::u64_at(&counts, "excluded");
    if directory.is_some() {
        stats.synchronized = Some(super::u64_at(&counts, "synchronized"));
        stats.cloud_only = Some(super::u64_at(&counts, "cloud_only"));
        let in_scope = out.clone().lazy().filter(in_scope());
        stats.by_department = Some(breakdown(in_scope.clone(), "department")?);
        stats.by_country = Some(breakdown(in_scope.clone(), "country")?);
        stats.new_accounts = new_accounts(in_scope, as_of)?;
    }
    stats.excluded_users = excluded_users(&out)?;
    Ok((out, stats))
}

/// The in-scope users created in the [`NEW_ACCOUNT_DAYS`] days up to `as_of` (both days
/// included, UTC); `None` when no in-scope user of the users list has a creation date.
fn new_accounts(
    in_scope: LazyFrame,
    as_of: chrono::NaiveDate,
) -> PolarsResult<Option<NewAccounts>> {
    let since = as_of - chrono::Duration::days(NEW_ACCOUNT_DAYS);
    let micros = |d: chrono::NaiveDate| {
        d.and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .timestamp_micros()
    };
    let (from, until) = (micros(since), micros(as_of + chrono::Duration::days(1)));
    let created = col("created_us");
    let new = created
        .clone()
        .gt_eq(lit(from))
        .and(created.clone().lt(lit(until)));
    let n_mfa = col("n_mfa");
    let df = in_scope
        .select([
            count(
                col("in_users_list").and(created.clone().is_not_null()),
                "dated",
            ),
            count(col("in_users_list").and(created.is_null()), "without_date"),
            count(new.clone(), "users"),
            count(new.clone().and(col("is_mfa_capable")), "mfa_capable"),
            count(
                new.clone().and(n_mfa.clone().eq(lit(0u32))),
                "no_mfa_method",
            ),
            count(
                new.and(n_mfa.clone().gt(lit(0u32)))
                    .and(col("n_phone").eq(n_mfa)),
                "phone_only",
            ),
        ])
        .collect()?;
    let n = |name: &str| super::u64_at(&df, name);
    if n("dated") == 0 {
        return Ok(None);
    }
    Ok(Some(NewAccounts {
        days: NEW_ACCOUNT_DAYS,
        since: since.format("%Y-%m-%d").to_string(),
        users: n("users"),
        mfa_capable: n("mfa_capable"),
        no_mfa_method: n("no_mfa_method"),
        phone_only: n("phone_only"),
        without_date: n("without_date"),
    }))
}

/// The filter for users who count.
pub fn in_scope() -> Expr {
    col("scope").eq(lit("in_scope"))
}

/// In-scope users per value of `column`, most users first, ties by name, no value last.
fn breakdown(frame: LazyFrame, column: &str) -> PolarsResult<Vec<Breakdown>> {
    let n_mfa = col("n_mfa");
    let df = frame
        .group_by([col(column)])
        .agg([
            len().cast(DataType::UInt64).alias("users"),
            count(col("is_mfa_capable"), "mfa_capable"),
            count(col("has_pr"), "phishing_resistant"),
            count(n_mfa.clone().eq(lit(0u32)), "no_mfa_method"),
            count(
                n_mfa.clone().gt(lit(0u32)).and(col("n_phone").eq(n_mfa)),
                "phone_only",
            ),
        ])
        .collect()?;
    let names = str_values(&df, column)?;
    let num = |name: &str| -> PolarsResult<Vec<u64>> {
        Ok(df
            .column(name)?
            .u64()?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let (users, capable, pr, none, phone) = (
        num("users")?,
        num("mfa_capable")?,
        num("phishing_resistant")?,
        num("no_mfa_method")?,
        num("phone_only")?,
    );
    let mut out: Vec<Breakdown> = (0..df.height())
        .map(|i| Breakdown {
            name: names[i].clone(),
            users: users[i],
            mfa_capable: capable[i],
            phishing_resistant: pr[i],
            no_mfa_method: none[i],
            phone_only: phone[i],
        })
        .collect();
    out.sort_by(|a, b| {
        a.name
            .is_none()
            .cmp(&b.name.is_none())
            .then(b.users.cmp(&a.users))
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(out)
}

fn excluded_users(per_user: &DataFrame) -> PolarsResult<Vec<ExcludedUser>> {
    let df = per_user
        .clone()
        .lazy()
        .filter(col("scope").eq(lit("excluded")))
        .select([
            col("upn"),
            col("upn_key"),
            col("display_name"),
            col("scope_reason"),
            col("is_mfa_capable"),
            col("has_pr"),
        ])
        .sort(["upn_key"], SortMultipleOptions::default())
        .limit(EXCLUDED_SHOWN as IdxSize)
        .collect()?;
    let upn = str_values(&df, "upn")?;
    let key = str_values(&df, "upn_key")?;
    let name = str_values(&df, "display_name")?;
    let reason = str_values(&df, "scope_reason")?;
    let capable = df.column("is_mfa_capable")?.bool()?.clone();
    let pr = df.column("has_pr")?.bool()?.clone();
    Ok((0..df.height())
        .map(|i| ExcludedUser {
            upn: upn[i]
                .clone()
                .or_else(|| key[i].clone())
                .unwrap_or_default(),
            display_name: name[i].clone(),
            reason: reason[i].clone().unwrap_or_default(),
            mfa_capable: capable.get(i),
            phishing_resistant: pr.get(i),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_whole_upn() {
        let g = |p: &str, t: &str| {
            glob(
                &p.chars().collect::<Vec<_>>(),
                &t.chars().collect::<Vec<_>>(),
            )
        };
        assert!(g("bg-*@contoso.com", "bg-admin1@contoso.com"));
        assert!(g("*", ""));
        assert!(g("svc-??@*", "svc-01@x.org"));
        assert!(!g("svc-??@*", "svc-001@x.org"));
        assert!(!g("bg-*", "xbg-admin"));
        assert!(g("a*b*c", "aXXbYYc"));
        assert!(!g("a*b*c", "aXXbYYcd"));
        // One character, not one byte.
        assert!(g("j?rg@*", "jörg@contoso.com"));
        assert!(!g("j??rg@*", "jörg@contoso.com"));
    }

    #[test]
    fn exclusion_by_id_or_pattern_ignores_case() {
        let e = Exclusion {
            pattern: "BG-*@Contoso.com".into(),
            reason: "break-glass".into(),
            source: "--exclude".into(),
        };
        assert!(e.matches(Some("bg-1@contoso.com"), None));
        assert!(!e.matches(Some("ann@contoso.com"), None));
        let by_id = Exclusion {
            pattern: "0F3A0000-0000-0000-0000-00000000000A".into(),
            ..e
        };
        assert!(by_id.matches(None, Some("0f3a0000-0000-0000-0000-00000000000a")));
    }
}
