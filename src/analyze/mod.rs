//! Analyze: Polars queries over the canonical frames, producing plain structs of statistics
//! (and the per-user action frame) for the findings and the renderers.

pub mod actions;
pub mod audit;
pub mod keys;
pub mod origin;
pub mod population;
pub mod signins;
pub mod summary;
pub mod users;

use chrono::{DateTime, NaiveDate, Utc};
use polars::prelude::*;
use serde::Serialize;

use crate::error::{InputError, Result};
use crate::ingest::{Registration, SignIns};
use crate::methods::{self, DeviceGroup};
pub use summary::RegistrationSummary;

/// Microsoft-provided SMS and voice MFA end in the public cloud on this day.
pub const SMS_VOICE_RETIREMENT: (i32, u32, u32) = (2027, 2, 1);

pub fn sms_voice_retirement() -> NaiveDate {
    let (y, m, d) = SMS_VOICE_RETIREMENT;
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// Where the report's as-of date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AsOfSource {
    Argument,
    Data,
}

/// Users counted once although they appear in several rows.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Duplicates {
    pub rows_read: u64,
    pub distinct_users: u64,
    pub duplicate_rows: u64,
    /// Up to ten UPNs that appeared more than once (lower-cased).
    pub examples: Vec<String>,
}

/// A method name the taxonomy does not know, and how many users have it.
#[derive(Debug, Clone, Serialize)]
pub struct UnknownMethod {
    pub name: String,
    pub users: u64,
}

/// Everything the findings and renderers need.
#[derive(Debug)]
pub struct Analysis {
    pub as_of: NaiveDate,
    pub as_of_source: AsOfSource,
    pub newest_update: Option<DateTime<Utc>>,
    pub oldest_update: Option<DateTime<Utc>>,
    pub duplicates: Duplicates,
    pub all: RegistrationSummary,
    pub members: RegistrationSummary,
    pub guests: RegistrationSummary,
    /// `None` when the inputs do not say who is an admin.
    pub admins: Option<RegistrationSummary>,
    pub unknown_methods: Vec<UnknownMethod>,
    /// Users with ≥ 1 action, priority order; see [`actions::actions_frame`].
    pub actions: DataFrame,
    /// Every distinct user with registration, sign-in and audit columns (one row per user).
    pub per_user: DataFrame,
    /// Action code → users, in rule order (zeros included).
    pub action_counts: Vec<(&'static str, u64)>,
    /// Sign-in evidence, when sign-in logs were given.
    pub signins: Option<signins::SignInStats>,
    /// Registration timeline, when audit logs were given.
    pub audit: Option<audit::AuditStats>,
    /// Who counts: in scope, disabled, excluded; users list and role figures.
    pub population: population::PopulationStats,
}

/// The inputs that decide who counts (see [`population`]).
#[derive(Debug, Default)]
pub struct PopulationInputs {
    /// The users list, when given.
    pub directory: Option<DataFrame>,
    /// The role assignments, when given.
    pub roles: Option<DataFrame>,
    pub scope: population::Scope,
}

impl Analysis {
    /// Days from the as-of date to the SMS/voice retirement (negative once it has passed).
    pub fn days_to_sms_voice_retirement(&self) -> i64 {
        (sms_voice_retirement() - self.as_of).num_days()
    }

    pub fn users_with_actions(&self) -> u64 {
        self.actions.height() as u64
    }
}

/// Run every registration query.
pub fn analyze(
    reg: Registration,
    signin_logs: Option<SignIns>,
    audit_log: Option<DataFrame>,
    as_of: Option<NaiveDate>,
    deadline: Option<NaiveDate>,
    people: PopulationInputs,
    progress: &crate::progress::Progress,
) -> Result<Analysis> {
    let raw = reg.users.clone().lazy();
    let stamps = raw
        .clone()
        .select([
            col("last_updated_us").max().alias("max"),
            col("last_updated_us").min().alias("min"),
        ])
        .collect()?;
    let stamp = |name: &str| -> Option<DateTime<Utc>> {
        stamps
            .column(name)
            .ok()
            .and_then(|c| c.i64().ok().and_then(|ca| ca.get(0)))
            .and_then(DateTime::from_timestamp_micros)
    };
    let (newest_update, oldest_update) = (stamp("max"), stamp("min"));
    let newest_signin = match &signin_logs {
        Some(s) => s
            .users
            .column("time_us")?
            .i64()?
            .max()
            .and_then(DateTime::from_timestamp_micros),
        None => None,
    };
    let newest_audit = match &audit_log {
        Some(a) => a
            .column("time_us")?
            .i64()?
            .max()
            .and_then(DateTime::from_timestamp_micros),
        None => None,
    };
    let newest = newest_update.max(newest_signin).max(newest_audit);
    let (as_of, as_of_source) = match (as_of, newest) {
        (Some(d), _) => (d, AsOfSource::Argument),
        (None, Some(newest)) => (newest.date_naive(), AsOfSource::Data),
        (None, None) => {
            return Err(InputError::new(
                "the inputs carry no timestamp (no lastUpdatedDateTime column), so the report date is unknown",
            )
            .hint("pass --as-of YYYY-MM-DD with the day the export was downloaded")
            .into())
        }
    };

    progress.step("analyzing: distinct registration users");
    let rows_read = reg.users.height() as u64;
    // Every later step works on the distinct users: the rows as read are consumed here.
    let user_methods = reg.user_methods.clone().lazy();
    let (distinct, examples) = users::distinct_users(reg.users)?;
    let distinct_users = distinct.height() as u64;
    let duplicates = Duplicates {
        rows_read,
        distinct_users,
        duplicate_rows: rows_read - distinct_users,
        examples,
    };
    let per_user = users::per_user(distinct, user_methods.clone())?;
    let (per_user, population) = population::apply(
        per_user,
        people.directory.as_ref(),
        people.roles.as_ref(),
        &people.scope,
        as_of,
    )?;
    drop(people);
    let (per_user, signin_stats) = match &signin_logs {
        Some(logs) => {
            progress.step("analyzing: sign-ins");
            let s = signins::analyze(logs, &per_user)?;
            (add_columns_by_row(per_user, s.per_user)?, Some(s.stats))
        }
        None => {
            let empty = per_user
                .lazy()
                .with_columns([
                    lit(NULL).cast(DataType::String).alias("signin_class"),
                    lit(NULL).cast(DataType::UInt32).alias("signins"),
                    lit(NULL).cast(DataType::UInt32).alias("successes"),
                    lit(NULL).cast(DataType::UInt32).alias("legacy_signins"),
                    lit(NULL).cast(DataType::UInt32).alias("legacy_successes"),
                    lit(NULL).cast(DataType::UInt32).alias("mfa_denials"),
                    lit(NULL)
                        .cast(DataType::UInt32)
                        .alias("single_factor_successes"),
                    lit(NULL).cast(DataType::String).alias("mfa_used"),
                ])
                .collect()?;
            (empty, None)
        }
    };
    // Without an audit log to trace registrations through them, the sign-ins are done with.
    let signin_logs = if audit_log.is_some() {
        signin_logs
    } else {
        drop(signin_logs);
        None
    };
    let (per_user, audit_stats) = match &audit_log {
        Some(events) => {
            progress.step("analyzing: audit log");
            let mut a = audit::analyze(events, &per_user, deadline, as_of)?;
            // With sign-ins too: where each registration came from.
            let mut suspicious: Option<std::collections::HashSet<String>> = None;
            if let Some(logs) = &signin_logs {
                let (origin, flagged) = origin::analyze(events, logs)?;
                a.stats.registration_origin = Some(origin);
                suspicious = Some(flagged);
            }
            let flag: Vec<Option<bool>> = {
                let upn = per_user.column("upn_key")?.str()?.clone();
                let id = per_user.column("id")?.str()?.clone();
                (0..per_user.height())
                    .map(|i| {
                        suspicious.as_ref().map(|set| {
                            upn.get(i).is_some_and(|u| set.contains(u))
                                || id.get(i).is_some_and(|x| set.contains(x))
                        })
                    })
                    .collect()
            };
            a.per_user
                .with_column(Column::new("suspicious_registration".into(), flag))?;
            let joined = per_user
                .lazy()
                .join(
                    a.per_user.lazy(),
                    [col("row")],
                    [col("row")],
                    JoinArgs::new(JoinType::Left),
                )
                .collect()?;
            (joined, Some(a.stats))
        }
        None => {
            let empty = per_user
                .lazy()
                .with_columns([
                    lit(NULL).cast(DataType::Boolean).alias("audit_late"),
                    lit(NULL)
                        .cast(DataType::Boolean)
                        .alias("audit_default_to_phone"),
                    lit(NULL)
                        .cast(DataType::Boolean)
                        .alias("suspicious_registration"),
                    lit(NULL).cast(DataType::String).alias("first_registration"),
                    lit(NULL).cast(DataType::String).alias("last_registration"),
                    lit(NULL).cast(DataType::String).alias("audit_events"),
                ])
                .collect()?;
            (empty, None)
        }
    };
    // Every figure and action is about the users who count (when that is everyone, the filter
    // is left out: it would copy every column of a million-user frame for nothing).
    let pu = if population.in_scope == population.registration_users {
        per_user.clone().lazy()
    } else {
        per_user.clone().lazy().filter(population::in_scope())
    };

    let kept_methods = user_methods.clone();
    progress.step("analyzing: summaries");
    // The populations are summarized side by side: each summary is a handful of small
    // queries that leave most cores idle on their own.
    let summarize = |population: LazyFrame| summary::summarize(population, kept_methods.clone());
    let (all, members, guests, admins, unknown_methods) = std::thread::scope(|scope| {
        let members = scope.spawn(|| summarize(pu.clone().filter(col("is_member"))));
        let guests = scope.spawn(|| summarize(pu.clone().filter(col("is_guest"))));
        // Admins are summarized only when the inputs tell who is one; that is known once
        // everyone is summarized, so this one is dropped otherwise.
        let admins = scope.spawn(|| summarize(pu.clone().filter(col("is_admin"))));
        // From the method rows themselves, so names are reported even when other users'
        // lists were lost (and the method counts are therefore null).
        let unknown = scope.spawn(|| {
            method_counts(weighted_methods(pu.clone(), kept_methods.clone())).map(|counts| {
                counts
                    .into_iter()
                    .filter(|(name, _)| methods::lookup(name).is_none())
                    .map(|(name, users)| UnknownMethod { name, users })
                    .collect::<Vec<_>>()
            })
        });
        let all = summarize(pu.clone());
        (
            all,
            joined(members),
            joined(guests),
            joined(admins),
            joined(unknown),
        )
    });
    let all = all?;
    let (members, guests, unknown_methods) = (members?, guests?, unknown_methods?);
    let admins = match all.admins {
        Some(_) => Some(admins?),
        None => None,
    };

    progress.step("analyzing: actions");
    let actions = actions::actions_frame(pu)?;
    let per_user_all = per_user;
    let bits = actions.column("action_bits")?.u32()?;
    let action_counts = actions::RULES
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let n = bits
                .iter()
                .filter(|b| b.is_some_and(|b| b & (1 << i) != 0))
                .count() as u64;
            (r.code, n)
        })
        .collect();

    Ok(Analysis {
        as_of,
        as_of_source,
        newest_update,
        oldest_update,
        duplicates,
        all,
        members,
        guests,
        admins,
        unknown_methods,
        actions,
        per_user: per_user_all,
        action_counts,
        signins: signin_stats,
        audit: audit_stats,
        population,
    })
}

/// The result of a summary worked out on a thread of its own.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, PolarsResult<T>>) -> PolarsResult<T> {
    handle
        .join()
        .unwrap_or_else(|_| Err(PolarsError::ComputeError("a summary failed".into())))
}

/// Rows (or users) where `e` holds, as a named `u64` sum; nulls count as false. The booleans
/// are counted as they are (a count of set bits), not cast to a column of numbers first.
pub(crate) fn count(e: Expr, name: &str) -> Expr {
    e.fill_null(lit(false))
        .sum()
        .cast(DataType::UInt64)
        .alias(name)
}

/// The first value of a one-row aggregate frame's column, as `u64` (0 when absent).
pub(crate) fn u64_at(df: &DataFrame, name: &str) -> u64 {
    df.column(name)
        .ok()
        .and_then(|c| c.cast(&DataType::UInt64).ok())
        .and_then(|c| c.u64().ok().and_then(|ca| ca.get(0)))
        .unwrap_or(0)
}

/// `per_user` with the other columns of `extra`, matched on `row`. When both list the same
/// rows in the same order (the usual case), the columns are put side by side without copying
/// the wide frame; otherwise they are joined.
fn add_columns_by_row(per_user: DataFrame, extra: DataFrame) -> PolarsResult<DataFrame> {
    let same_rows = per_user.height() == extra.height()
        && per_user
            .column("row")?
            .u32()?
            .iter()
            .eq(extra.column("row")?.u32()?.iter());
    if same_rows {
        let mut out = per_user;
        let columns: Vec<Column> = extra
            .columns()
            .iter()
            .filter(|c| c.name().as_str() != "row")
            .cloned()
            .collect();
        out.hstack_mut(&columns)?;
        return Ok(out);
    }
    per_user
        .lazy()
        .join(
            extra.lazy(),
            [col("row")],
            [col("row")],
            JoinArgs::new(JoinType::Left),
        )
        .collect()
}

/// The (method list, method) rows of the lists a population's users have, each with `users`:
/// how many users of the population have that list.
pub(crate) fn weighted_methods(per_user: LazyFrame, user_methods: LazyFrame) -> LazyFrame {
    let weights = per_user
        .filter(col("methods_list").is_not_null())
        .group_by([col("methods_list")])
        .agg([len().cast(DataType::UInt64).alias("users")]);
    user_methods.join(
        weights,
        [col("methods_list")],
        [col("methods_list")],
        JoinArgs::new(JoinType::Inner),
    )
}

/// Users per method, taxonomy order first, then unknown names alphabetically.
fn method_counts(weighted: LazyFrame) -> PolarsResult<Vec<(String, u64)>> {
    let df = weighted
        .group_by([col("method")])
        .agg([col("users").sum().alias("n")])
        .collect()?;
    let names = df.column("method")?.str()?.clone();
    let n = df.column("n")?.u64()?.clone();
    let mut counts: Vec<(String, u64)> = names
        .iter()
        .zip(n.iter())
        .filter_map(|(m, n)| Some((m?.to_string(), n?)))
        .collect();
    let order = |name: &str| {
        methods::METHODS
            .iter()
            .position(|m| m.name == name)
            .unwrap_or(usize::MAX)
    };
    counts.sort_by(|(a, _), (b, _)| order(a).cmp(&order(b)).then(a.cmp(b)));
    Ok(counts)
}

/// Users with at least one method in each device group.
fn device_group_counts(weighted: LazyFrame) -> PolarsResult<Vec<(DeviceGroup, u64)>> {
    let tax = users::taxonomy_frame()?.lazy();
    let df = weighted
        .join(
            tax,
            [col("method")],
            [col("method")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("t_group").is_not_null())
        .select([col("methods_list"), col("t_group"), col("users")])
        .unique(None, UniqueKeepStrategy::First)
        .group_by([col("t_group")])
        .agg([col("users").sum().alias("n")])
        .collect()?;
    let groups = df.column("t_group")?.str()?.clone();
    let counts = df.column("n")?.u64()?.clone();
    let mut out: Vec<(DeviceGroup, u64)> = DeviceGroup::ALL.iter().map(|g| (*g, 0)).collect();
    for (g, n) in groups.iter().zip(counts.iter()) {
        if let (Some(g), Some(n)) = (g, n) {
            if let Some(slot) = out.iter_mut().find(|(dg, _)| dg.key() == g) {
                slot.1 = n;
            }
        }
    }
    Ok(out)
}

/// Rows per distinct value of a string column, most frequent first, ties by value.
fn value_counts(frame: LazyFrame, column: &str) -> PolarsResult<Vec<(String, u64)>> {
    let df = frame
        .group_by([col(column)])
        .agg([len().cast(DataType::UInt64).alias("n")])
        .sort_by_exprs(
            [col("n"), col(column)],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .collect()?;
    let values = df.column(column)?.str()?.clone();
    let counts = df.column("n")?.u64()?.clone();
    Ok(values
        .iter()
        .zip(counts.iter())
        .filter_map(|(v, n)| Some((v?.to_string(), n?)))
        .collect())
}
