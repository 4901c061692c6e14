//! Headline registration statistics for a population of users (everyone, members, guests,
//! admins). Every figure that the inputs cannot tell is `None`, never a guess.

use polars::prelude::*;

use super::count;
use serde::Serialize;

use crate::methods::{DeviceGroup, Tier};

/// The `registration` object of the JSON summary; see docs/METRICS.md for each definition.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RegistrationSummary {
    pub users: u64,
    pub members: u64,
    pub guests: u64,
    pub admins: Option<u64>,
    pub mfa_capable: Option<u64>,
    pub mfa_registered: Option<u64>,
    pub sspr_capable: Option<u64>,
    pub sspr_registered: Option<u64>,
    pub sspr_enabled: Option<u64>,
    pub passwordless_capable: Option<u64>,
    pub system_preferred_enabled: Option<u64>,
    /// API method name → users with it registered, taxonomy order then unknown names.
    pub methods: Option<Vec<(String, u64)>>,
    /// Default method (API name, `none`) → users.
    pub default_methods: Option<Vec<(String, u64)>>,
    pub no_mfa_method: Option<u64>,
    pub single_mfa_method: Option<u64>,
    pub phone_only: Option<u64>,
    pub authenticator_registered: Option<u64>,
    pub authenticator_default: Option<u64>,
    pub phishing_resistant: Option<u64>,
    pub no_independent_backup: Option<u64>,
    /// ≥ 2 device groups, but only because one of them is a phone number.
    pub backup_only_phone: Option<u64>,
    /// ≥ 2 device groups other than a phone number.
    pub strong_backup: Option<u64>,
    pub tiers: Option<Vec<(Tier, u64)>>,
    /// Device group → users with ≥ 1 MFA method in it.
    pub device_groups: Option<Vec<(DeviceGroup, u64)>>,
    pub admins_not_mfa_capable: Option<u64>,
    pub admins_not_phishing_resistant: Option<u64>,
    /// Users with an MFA method who are not registered for self-service password reset.
    pub mfa_without_sspr: Option<u64>,
    /// Users whose method list was lost in the export.
    pub methods_unknown_users: u64,
}

fn nulls(name: &str) -> Expr {
    col(name)
        .null_count()
        .cast(DataType::UInt64)
        .alias(format!("{name}__nulls"))
}

/// Compute the summary of the users in `per_user` (already filtered to the population).
pub fn summarize(
    per_user: LazyFrame,
    user_methods: LazyFrame,
) -> PolarsResult<RegistrationSummary> {
    let bool_cols = [
        "is_admin",
        "is_mfa_capable",
        "is_mfa_registered",
        "is_sspr_capable",
        "is_sspr_registered",
        "is_sspr_enabled",
        "is_passwordless_capable",
        "is_system_preferred_enabled",
    ];
    let n_mfa = col("n_mfa");
    let mut exprs = vec![
        len().cast(DataType::UInt64).alias("users"),
        count(col("is_member"), "members"),
        count(col("is_guest"), "guests"),
        count(col("methods_known").not(), "methods_unknown_users"),
        count(n_mfa.clone().eq(lit(0u32)), "no_mfa_method"),
        count(n_mfa.clone().eq(lit(1u32)), "single_mfa_method"),
        count(
            n_mfa
                .clone()
                .gt(lit(0u32))
                .and(col("n_phone").eq(n_mfa.clone())),
            "phone_only",
        ),
        count(col("has_authenticator"), "authenticator_registered"),
        count(
            col("default_method").eq(lit("microsoftAuthenticatorPush")),
            "authenticator_default",
        ),
        count(col("has_pr"), "phishing_resistant"),
        count(
            n_mfa
                .clone()
                .gt(lit(0u32))
                .and(col("n_groups").eq(lit(1u32))),
            "no_independent_backup",
        ),
        count(
            col("n_groups")
                .gt_eq(lit(2u32))
                .and(col("n_non_phone_groups").lt(lit(2u32))),
            "backup_only_phone",
        ),
        count(col("n_non_phone_groups").gt_eq(lit(2u32)), "strong_backup"),
        count(
            col("is_admin").and(col("is_mfa_capable").not()),
            "admins_not_mfa_capable",
        ),
        count(
            col("is_admin").and(col("has_pr").not()),
            "admins_not_phishing_resistant",
        ),
        count(
            when(col("methods_known"))
                .then(n_mfa.clone().gt(lit(0u32)))
                .otherwise(col("is_mfa_registered"))
                .and(col("is_sspr_registered").not()),
            "mfa_without_sspr",
        ),
        nulls("default_method"),
        nulls("has_pr"),
    ];
    for c in bool_cols {
        exprs.push(count(col(c), c));
        exprs.push(nulls(c));
    }
    let row = per_user.clone().select(exprs).collect()?;
    let get = |name: &str| -> u64 {
        row.column(name)
            .ok()
            .and_then(|c| c.u64().ok().and_then(|ca| ca.get(0)))
            .unwrap_or(0)
    };
    // A figure is known when every user in the population has a value for its inputs.
    let known = |inputs: &[&str]| inputs.iter().all(|c| get(&format!("{c}__nulls")) == 0);
    let when_known = |name: &str, inputs: &[&str]| known(inputs).then(|| get(name));

    let users = get("users");
    let methods_known = get("methods_unknown_users") == 0;
    let method_figure = |name: &str| methods_known.then(|| get(name));

    let tiers = if methods_known {
        let df = per_user
            .clone()
            .group_by([col("tier_rank")])
            .agg([len().cast(DataType::UInt64).alias("n")])
            .collect()?;
        let ranks = df.column("tier_rank")?.u32()?.clone();
        let counts = df.column("n")?.u64()?.clone();
        let mut out: Vec<(Tier, u64)> = Tier::ALL.iter().map(|t| (*t, 0)).collect();
        for (rank, n) in ranks.iter().zip(counts.iter()) {
            if let (Some(t), Some(n)) = (rank.and_then(Tier::from_rank), n) {
                out[t.rank() as usize].1 += n;
            }
        }
        Some(out)
    } else {
        None
    };

    let in_population = super::weighted_methods(per_user.clone(), user_methods);
    let methods = if methods_known {
        Some(super::method_counts(in_population.clone())?)
    } else {
        None
    };
    let device_groups = if methods_known {
        Some(super::device_group_counts(in_population)?)
    } else {
        None
    };
    let default_methods = if known(&["default_method"]) && users > 0 {
        Some(super::value_counts(per_user.clone(), "default_method")?)
    } else if users == 0 {
        Some(Vec::new())
    } else {
        None
    };

    Ok(RegistrationSummary {
        users,
        members: get("members"),
        guests: get("guests"),
        admins: when_known("is_admin", &["is_admin"]),
        mfa_capable: when_known("is_mfa_capable", &["is_mfa_capable"]),
        mfa_registered: when_known("is_mfa_registered", &["is_mfa_registered"]),
        sspr_capable: when_known("is_sspr_capable", &["is_sspr_capable"]),
        sspr_registered: when_known("is_sspr_registered", &["is_sspr_registered"]),
        sspr_enabled: when_known("is_sspr_enabled", &["is_sspr_enabled"]),
        passwordless_capable: when_known("is_passwordless_capable", &["is_passwordless_capable"]),
        system_preferred_enabled: when_known(
            "is_system_preferred_enabled",
            &["is_system_preferred_enabled"],
        ),
        methods,
        default_methods,
        no_mfa_method: method_figure("no_mfa_method"),
        single_mfa_method: method_figure("single_mfa_method"),
        phone_only: method_figure("phone_only"),
        authenticator_registered: method_figure("authenticator_registered"),
        authenticator_default: when_known("authenticator_default", &["default_method"]),
        phishing_resistant: method_figure("phishing_resistant"),
        no_independent_backup: method_figure("no_independent_backup"),
        backup_only_phone: method_figure("backup_only_phone"),
        strong_backup: method_figure("strong_backup"),
        tiers,
        device_groups,
        admins_not_mfa_capable: when_known(
            "admins_not_mfa_capable",
            &["is_admin", "is_mfa_capable"],
        ),
        admins_not_phishing_resistant: (methods_known && known(&["is_admin"]))
            .then(|| get("admins_not_phishing_resistant")),
        mfa_without_sspr: (known(&["is_sspr_registered"])
            && (methods_known || known(&["is_mfa_registered"])))
        .then(|| get("mfa_without_sspr")),
        methods_unknown_users: get("methods_unknown_users"),
    })
}
