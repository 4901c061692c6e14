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
/// (Decided on the key columns, then applied column by column, each input column freed once
/// filtered, so the frame is never held twice.) Also returns examples of the duplicates (see
/// [`Kept::examples`]).
pub fn distinct_users(users: DataFrame) -> PolarsResult<(DataFrame, Vec<String>)> {
    // One chunk per column: row lookups by index are then direct.
    let Kept { keep, examples } = kept_rows(
        &users.column("upn_key")?.str()?.rechunk(),
        &users.column("id")?.str()?.rechunk(),
        &users.column("last_updated_us")?.i64()?.rechunk(),
    );
    if !keep.contains(&false) {
        return Ok((users, examples));
    }
    let mask = BooleanChunked::from_slice("keep".into(), &keep);
    let height = keep.iter().filter(|k| **k).count();
    let columns = users
        .into_columns()
        .into_iter()
        .map(|c| c.filter(&mask))
        .collect::<PolarsResult<Vec<Column>>>()?;
    Ok((DataFrame::new(height, columns)?, examples))
}

/// What [`kept_rows`] decides.
pub(crate) struct Kept {
    /// Per row, whether it is kept.
    pub keep: Vec<bool>,
    /// Up to ten UPNs on more than one row (in text order), then up to ten object ids on rows
    /// of different UPNs (`object id …`, in text order; a row without a UPN counts as one UPN).
    pub examples: Vec<String>,
}

/// Which rows [`distinct_users`] keeps. The rule, applied to the rows sorted newest first
/// (rows without a timestamp last, ties in reading order): keep the first row of each UPN, then,
/// of those, the first row of each object id (a row without an id is keyed by its UPN).
///
/// Most rows share no key with any other row and are kept whatever the order; they are found
/// by sorting 64-bit hashes of the keys, which reads memory in order (a hash table of a million
/// strings would miss the caches on nearly every lookup). Only the rows that share a hash with
/// another row are then sorted by time and resolved by their actual keys.
///
/// The examples come from the same rows: a repeated key is always among them.
pub(crate) fn kept_rows(upn: &StringChunked, id: &StringChunked, stamp: &Int64Chunked) -> Kept {
    use crate::ingest::signin_table::hash_bytes;
    let n = upn.len();
    let id_key = |i: usize| id.get(i).or_else(|| upn.get(i));
    /// Rows whose key shares its hash with another row's. (A fast hash without a seed: rows
    /// whose hashes collide are only resolved by their keys below, so a crafted collision
    /// costs time, never a wrong answer.)
    fn shared<'a>(n: usize, key: impl Fn(usize) -> Option<&'a str>) -> Vec<u32> {
        let mut pairs: Vec<(u64, u32)> = (0..n)
            .map(|i| {
                let hash = key(i).map_or(u64::MAX, |k| hash_bytes(k.as_bytes()));
                (hash, i as u32)
            })
            .collect();
        pairs.sort_unstable();
        let mut rows = Vec::new();
        let mut start = 0;
        while start < pairs.len() {
            let mut end = start + 1;
            while end < pairs.len() && pairs[end].0 == pairs[start].0 {
                end += 1;
            }
            if end - start > 1 {
                rows.extend(pairs[start..end].iter().map(|p| p.1));
            }
            start = end;
        }
        rows
    }
    let (by_upn, by_id) = std::thread::scope(|scope| {
        let upn_rows = scope.spawn(|| shared(n, |i| upn.get(i)));
        let id_rows = shared(n, id_key);
        (upn_rows.join().expect("hashing UPNs"), id_rows)
    });
    let mut keep = vec![true; n];
    let examples = duplicate_examples(
        by_upn.iter().filter_map(|&i| upn.get(i as usize)),
        by_id
            .iter()
            .filter_map(|&i| Some((id.get(i as usize)?, upn.get(i as usize)))),
    );
    let mut contested: Vec<usize> = by_upn.iter().chain(&by_id).map(|&i| i as usize).collect();
    contested.sort_unstable();
    contested.dedup();
    if contested.is_empty() {
        return Kept { keep, examples };
    }
    for &i in &contested {
        keep[i] = false;
    }
    // Newest first, no timestamp last, ties in reading order.
    contested.sort_by(|&a, &b| match (stamp.get(a), stamp.get(b)) {
        (Some(x), Some(y)) => y.cmp(&x).then(a.cmp(&b)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(&b),
    });
    let mut upns = std::collections::HashSet::with_capacity(contested.len());
    let mut ids = std::collections::HashSet::with_capacity(contested.len());
    for i in contested {
        if upns.insert(upn.get(i)) && ids.insert(id_key(i)) {
            keep[i] = true;
        }
    }
    Kept { keep, examples }
}

/// [`Kept::examples`] from the `upns` of rows that may share one with another row, and the
/// `(object id, UPN)` of rows that may share an object id (every row that does is among them).
fn duplicate_examples<'a>(
    upns: impl Iterator<Item = &'a str>,
    ids: impl Iterator<Item = (&'a str, Option<&'a str>)>,
) -> Vec<String> {
    use std::collections::HashMap;
    let mut rows: HashMap<&str, usize> = HashMap::new();
    for u in upns {
        *rows.entry(u).or_default() += 1;
    }
    let mut repeated: Vec<&str> = rows
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(u, _)| u)
        .collect();
    repeated.sort_unstable();
    let mut owners: HashMap<&str, Vec<Option<&str>>> = HashMap::new();
    for (id, upn) in ids {
        owners.entry(id).or_default().push(upn);
    }
    let mut shared: Vec<&str> = owners
        .into_iter()
        .filter_map(|(id, mut upns)| {
            upns.sort_unstable();
            upns.dedup();
            (upns.len() > 1).then_some(id)
        })
        .collect();
    shared.sort_unstable();
    repeated
        .into_iter()
        .take(10)
        .map(str::to_string)
        .chain(
            shared
                .into_iter()
                .take(10)
                .map(|id| format!("object id {id}")),
        )
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule of [`kept_rows`] done the plain way: sort every row, then two passes of
    /// first-seen keys.
    fn reference(upn: &[Option<&str>], id: &[Option<&str>], stamp: &[Option<i64>]) -> Vec<bool> {
        let mut order: Vec<usize> = (0..upn.len()).collect();
        order.sort_by_key(|&i| (stamp[i].is_none(), std::cmp::Reverse(stamp[i]), i));
        let mut upns = std::collections::HashSet::new();
        let first: Vec<usize> = order.into_iter().filter(|&i| upns.insert(upn[i])).collect();
        let mut ids = std::collections::HashSet::new();
        let mut keep = vec![false; upn.len()];
        for i in first {
            if ids.insert(id[i].or(upn[i])) {
                keep[i] = true;
            }
        }
        keep
    }

    /// [`Kept::examples`] by Polars group-bys: UPNs on more than one row, then object ids
    /// whose rows have more than one distinct UPN (a missing UPN counts as one value).
    fn reference_examples(users: LazyFrame) -> Vec<String> {
        let repeated = |key: &str| -> Vec<String> {
            let df = users
                .clone()
                .filter(col(key).is_not_null())
                .group_by([col(key)])
                .agg([col("upn_key").n_unique().alias("upns"), len().alias("n")])
                .filter(col("n").gt(lit(1)))
                .filter(if key == "id" {
                    col("upns").gt(lit(1))
                } else {
                    lit(true)
                })
                .sort([key], SortMultipleOptions::default())
                .limit(10)
                .collect()
                .unwrap();
            let keys = df.column(key).unwrap().str().unwrap().clone();
            keys.iter().flatten().map(str::to_string).collect()
        };
        let mut examples = repeated("upn_key");
        examples.extend(
            repeated("id")
                .into_iter()
                .map(|id| format!("object id {id}")),
        );
        examples
    }

    #[test]
    fn kept_rows_follow_the_plain_rule() {
        // A small generator: few distinct keys, so duplicates of every kind are frequent.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        let upn_names: Vec<String> = (0..40)
            .map(|k| format!("user{k}@contoso.example"))
            .collect();
        let id_names: Vec<String> = (0..30).map(|k| format!("id-{k}")).collect();
        for round in 0..300 {
            let n = 1 + (round % 60) as usize;
            let mut upn = Vec::new();
            let mut id = Vec::new();
            let mut stamp = Vec::new();
            for _ in 0..n {
                upn.push((next(20) != 0).then(|| upn_names[next(40) as usize].as_str()));
                id.push((next(3) != 0).then(|| id_names[next(30) as usize].as_str()));
                stamp.push((next(4) != 0).then(|| next(5) as i64));
            }
            let (u, i, t) = (
                StringChunked::from_iter_options("upn_key".into(), upn.iter().copied()),
                StringChunked::from_iter_options("id".into(), id.iter().copied()),
                Int64Chunked::from_iter_options("t".into(), stamp.iter().copied()),
            );
            let got = kept_rows(&u, &i, &t);
            assert_eq!(
                got.keep,
                reference(&upn, &id, &stamp),
                "round {round}: {upn:?} {id:?} {stamp:?}"
            );
            let frame = DataFrame::new(n, vec![u.into_column(), i.into_column()]).unwrap();
            assert_eq!(
                got.examples,
                reference_examples(frame.lazy()),
                "round {round}: {upn:?} {id:?}"
            );
        }
    }
}
