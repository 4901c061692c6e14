//! One row per distinct user with everything the findings and actions need: duplicates
//! resolved, guests recognized, and each user's methods classified through the taxonomy.

use polars::prelude::*;

use crate::methods::{DeviceGroup, Tier, METHODS};

/// The taxonomy as a frame, so classification is a hash join rather than per-row lookups.
pub fn taxonomy_frame() -> PolarsResult<DataFrame> {
    let n = METHODS.len();
    let name: Vec<&str> = METHODS.iter().map(|m| m.name).collect();
    let mfa: Vec<bool> = METHODS.iter().map(|m| m.is_mfa()).collect();
    let rank: Vec<u32> = METHODS.iter().map(|m| m.tier().rank()).collect();
    let group: Vec<Option<&str>> = METHODS
        .iter()
        .map(|m| m.group().map(DeviceGroup::key))
        .collect();
    let phone: Vec<bool> = METHODS.iter().map(|m| m.is_phone()).collect();
    let pr: Vec<bool> = METHODS.iter().map(|m| m.is_phishing_resistant()).collect();
    let auth: Vec<bool> = METHODS.iter().map(|m| m.is_authenticator()).collect();
    DataFrame::new(
        n,
        vec![
            Column::new("method".into(), name),
            Column::new("t_mfa".into(), mfa),
            Column::new("t_rank".into(), rank),
            Column::new("t_group".into(), group),
            Column::new("t_phone".into(), phone),
            Column::new("t_pr".into(), pr),
            Column::new("t_auth".into(), auth),
            Column::new("t_known".into(), vec![true; n]),
        ],
    )
}

/// Keep one row per user: the same UPN ignoring case, or the same object id, is one user.
/// The most recently updated row wins; ties keep the first row read. Rows keep their order.
/// (Decided on the four key columns, then applied column by column, each input column freed
/// once filtered, so the frame is never held twice.)
pub fn distinct_users(users: DataFrame) -> PolarsResult<DataFrame> {
    let newest_first = SortMultipleOptions::default()
        .with_order_descending(true)
        .with_nulls_last(true)
        .with_maintain_order(true);
    let kept = users
        .clone()
        .lazy()
        .select([
            col("row"),
            col("last_updated_us"),
            col("upn_key"),
            col("id"),
        ])
        .sort_by_exprs([col("last_updated_us")], newest_first)
        .unique_stable_generic(Some(vec![col("upn_key")]), UniqueKeepStrategy::First)
        .with_column(
            when(col("id").is_null())
                .then(col("upn_key"))
                .otherwise(col("id"))
                .alias("id_key"),
        )
        .unique_stable_generic(Some(vec![col("id_key")]), UniqueKeepStrategy::First)
        .select([col("row")])
        .collect()?;
    // `row` is the position of each row in `users`.
    let mut keep = vec![false; users.height()];
    for r in kept.column("row")?.u32()?.iter().flatten() {
        if let Some(k) = keep.get_mut(r as usize) {
            *k = true;
        }
    }
    if !keep.contains(&false) {
        return Ok(users);
    }
    let mask = BooleanChunked::from_slice("keep".into(), &keep);
    let height = keep.iter().filter(|k| **k).count();
    let columns = users
        .into_columns()
        .into_iter()
        .map(|c| c.filter(&mask))
        .collect::<PolarsResult<Vec<Column>>>()?;
    DataFrame::new(height, columns)
}

/// Method classification per method list: counts of MFA methods, device groups and the best
/// tier. Computed once per distinct list, then joined to its users.
fn method_features(user_methods: LazyFrame) -> PolarsResult<LazyFrame> {
    let classified = user_methods
        .join(
            taxonomy_frame()?.lazy(),
            [col("method")],
            [col("method")],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            col("t_mfa").fill_null(lit(false)),
            col("t_phone").fill_null(lit(false)),
            col("t_pr").fill_null(lit(false)),
            col("t_auth").fill_null(lit(false)),
            col("t_known").fill_null(lit(false)),
        ]);
    let mfa = col("t_mfa");
    Ok(classified.group_by([col("methods_list")]).agg([
        mfa.clone().cast(DataType::UInt32).sum().alias("n_mfa"),
        mfa.clone()
            .and(col("t_phone"))
            .cast(DataType::UInt32)
            .sum()
            .alias("n_phone"),
        col("t_rank").min().alias("best_rank"),
        col("t_group")
            .filter(mfa.clone())
            .n_unique()
            .cast(DataType::UInt32)
            .alias("n_groups"),
        col("t_group")
            .filter(mfa.and(col("t_phone").not()))
            .n_unique()
            .cast(DataType::UInt32)
            .alias("n_non_phone_groups"),
        col("t_pr").any(true).alias("has_pr"),
        col("t_auth").any(true).alias("has_authenticator"),
        col("t_known").not().any(true).alias("has_unknown"),
    ]))
}

/// The per-user frame. Method-derived columns are null for users whose method list was lost.
/// (The features of each user's list are picked from the small per-list frame, so the wide
/// user frame is extended, never copied.)
pub fn per_user(users: DataFrame, user_methods: LazyFrame) -> PolarsResult<DataFrame> {
    let features = method_features(user_methods)?.collect()?;
    let position: std::collections::HashMap<u32, IdxSize> = features
        .column("methods_list")?
        .u32()?
        .iter()
        .enumerate()
        .filter_map(|(i, l)| Some((l?, i as IdxSize)))
        .collect();
    let idx = IdxCa::from_iter_options(
        "idx".into(),
        users
            .column("methods_list")?
            .u32()?
            .iter()
            .map(|l| l.and_then(|l| position.get(&l).copied())),
    );
    let mut users = users;
    for column in features.columns() {
        if column.name().as_str() != "methods_list" {
            let picked = column.as_materialized_series().take(&idx)?;
            users.with_column(picked.into_column())?;
        }
    }
    let known = col("methods_known");
    let when_known =
        |e: Expr, name: &str| when(known.clone()).then(e).otherwise(lit(NULL)).alias(name);
    let ext = col("upn_is_external");
    users
        .lazy()
        .with_columns([
            when(col("user_type").is_not_null())
                .then(col("user_type").eq(lit("guest")))
                .otherwise(ext.clone())
                .alias("is_guest"),
            when(col("user_type").is_not_null())
                .then(col("user_type").eq(lit("member")))
                .otherwise(ext.not())
                .alias("is_member"),
            when_known(col("n_mfa").fill_null(lit(0u32)), "n_mfa"),
            when_known(col("n_phone").fill_null(lit(0u32)), "n_phone"),
            when_known(col("n_groups").fill_null(lit(0u32)), "n_groups"),
            when_known(
                col("n_non_phone_groups").fill_null(lit(0u32)),
                "n_non_phone_groups",
            ),
            when_known(col("has_pr").fill_null(lit(false)), "has_pr"),
            when_known(
                col("has_authenticator").fill_null(lit(false)),
                "has_authenticator",
            ),
            when_known(col("has_unknown").fill_null(lit(false)), "has_unknown"),
            when_known(
                col("best_rank").fill_null(lit(Tier::None.rank())),
                "tier_rank",
            ),
        ])
        .drop(cols(["best_rank"]))
        .collect()
}
