//! Sign-in evidence: what users actually did, joined to what they registered. Registration says
//! who *could* do MFA; the sign-in logs say who *did*, who only ever signs in single-factor, who
//! uses legacy protocols that bypass MFA, and where security info was registered from.

use polars::prelude::*;

use super::{count, u64_at};
use serde::Serialize;

use crate::ingest::signin_table::{
    guid_key, FastHash, KIND_COMPLETED, KIND_EXTERNAL, KIND_TOKEN, REQUIREMENT_MULTI,
    REQUIREMENT_SINGLE, STATUS_FAILURE, STATUS_INTERRUPTED, STATUS_SUCCESS,
};
use crate::ingest::signin_values::MFA_FAMILIES;
use crate::ingest::SignIns;

pub use crate::ingest::signin_values::{
    is_legacy, legacy_protocol, mfa_family, mfa_kind, LEGACY_CLIENTS, MY_SIGNINS_APP_ID,
};

/// Error codes the report counts (formats §4.2).
pub const TRACKED_ERRORS: &[(i64, &str)] = &[
    (500121, "MFA denied or timed out"),
    (50074, "strong authentication required (interrupt)"),
    (50076, "MFA required by policy"),
    (50072, "MFA registration required (interrupt)"),
    (50079, "security info registration required"),
    (53003, "blocked by Conditional Access"),
    (53004, "registration blocked due to risk"),
    (
        53010,
        "security info registration blocked by Conditional Access",
    ),
    (50126, "invalid username or password"),
    (50053, "account locked or malicious IP"),
];

/// A user is counted as facing MFA fatigue from this many MFA denials (500121) in the window.
pub const REPEATED_DENIALS: u32 = 3;

/// Registered vs used: exactly one class per user (registration users plus users seen only in
/// the sign-ins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageClass {
    /// MFA capable and completed MFA in at least one successful sign-in.
    UsedMfa,
    /// MFA capable but every successful sign-in was single-factor.
    SingleFactorOnly,
    /// Not MFA capable, yet signed in successfully: the top risk.
    NotCapableSignedIn,
    /// Successful sign-ins met MFA only through claims in a token (no MFA prompt in the window).
    MfaByTokenOnly,
    /// MFA done by an external or federated provider, or a guest's MFA claim from the home
    /// tenant: "not capable" here is not a gap.
    ExternalMfa,
    /// Sign-ins in the window, none successful.
    NoSuccessfulSignIn,
    /// Signed in without MFA, but the exports cannot tell whether the user is MFA capable.
    CapabilityUnknown,
    /// Signed in successfully, but the logs record no authentication requirement or MFA.
    RequirementUnknown,
    /// In the registration export, no sign-in in the window.
    NoSignIns,
    /// Signed in, but absent from the registration export.
    NotInRegistration,
}

impl UsageClass {
    pub const ALL: [UsageClass; 10] = [
        UsageClass::UsedMfa,
        UsageClass::SingleFactorOnly,
        UsageClass::NotCapableSignedIn,
        UsageClass::MfaByTokenOnly,
        UsageClass::ExternalMfa,
        UsageClass::CapabilityUnknown,
        UsageClass::RequirementUnknown,
        UsageClass::NoSuccessfulSignIn,
        UsageClass::NoSignIns,
        UsageClass::NotInRegistration,
    ];

    pub fn key(self) -> &'static str {
        match self {
            UsageClass::UsedMfa => "used_mfa",
            UsageClass::SingleFactorOnly => "single_factor_only",
            UsageClass::NotCapableSignedIn => "not_capable_signed_in",
            UsageClass::MfaByTokenOnly => "mfa_by_token_only",
            UsageClass::ExternalMfa => "external_mfa",
            UsageClass::NoSuccessfulSignIn => "no_successful_signin",
            UsageClass::CapabilityUnknown => "capability_unknown",
            UsageClass::RequirementUnknown => "requirement_unknown",
            UsageClass::NoSignIns => "no_signins",
            UsageClass::NotInRegistration => "not_in_registration",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            UsageClass::UsedMfa => "MFA capable and used MFA",
            UsageClass::SingleFactorOnly => "MFA capable, only single-factor sign-ins",
            UsageClass::NotCapableSignedIn => "Not MFA capable, yet signed in",
            UsageClass::MfaByTokenOnly => "MFA only from token claims",
            UsageClass::ExternalMfa => "MFA by an external or federated provider",
            UsageClass::NoSuccessfulSignIn => "Sign-ins, none successful",
            UsageClass::CapabilityUnknown => "Signed in without MFA, capability unknown",
            UsageClass::RequirementUnknown => "Signed in, requirement not recorded",
            UsageClass::NoSignIns => "No sign-ins in the window",
            UsageClass::NotInRegistration => "Signed in, not in the registration export",
        }
    }
}

/// A user named in a sign-in table of the report.
#[derive(Debug, Clone, Serialize)]
pub struct SignInUser {
    pub upn: String,
    pub count: u64,
    pub detail: String,
}

/// Figures from the authentication-step (`_AuthDetails_`) files.
#[derive(Debug, Clone, Serialize)]
pub struct AuthDetailStats {
    pub steps: u64,
    /// Sign-ins (request ids) the steps belong to.
    pub requests: u64,
    /// Distinct request ids of the sign-in files that have at least one step.
    pub requests_matched: u64,
    /// MFA step method → steps (requirement multifactor, any result).
    pub mfa_steps_by_method: Vec<(String, u64)>,
    pub mfa_steps_failed: u64,
}

/// MFA prompts per user and day, for users grouped by their registered default method
/// (guidance 4 promises fewer prompts with Microsoft Authenticator).
#[derive(Debug, Clone, Serialize)]
pub struct PromptGroup {
    /// `authenticator` (default Authenticator push), `phone` (a phone default), `other`.
    pub default_group: String,
    /// Users of the group with at least one MFA prompt.
    pub users: u64,
    pub prompts: u64,
    /// Sum over those users of the days on which they signed in.
    pub user_days: u64,
    /// `prompts / user_days`, two decimals; `None` without dated sign-ins.
    pub per_user_day: Option<f64>,
}

/// Sign-ins on one day (UTC).
#[derive(Debug, Clone, Serialize)]
pub struct Day {
    pub day: String,
    pub success: u64,
    pub failure: u64,
    pub interrupted: u64,
}

/// The `signins` object of the JSON summary; definitions in docs/METRICS.md.
#[derive(Debug, Clone, Serialize)]
pub struct SignInStats {
    pub rows: u64,
    /// Rows read twice (same request id, time and interactive flag) and counted once.
    pub duplicate_rows: u64,
    pub interactive_rows: u64,
    pub non_interactive_rows: u64,
    pub users: u64,
    pub success: u64,
    pub failure: u64,
    pub interrupted: u64,
    /// Status values that are none of the three, with rows.
    pub other_status: Vec<(String, u64)>,
    pub single_factor_success: u64,
    pub multi_factor_success: u64,
    pub legacy_auth: u64,
    pub legacy_auth_users: u64,
    pub legacy_auth_success: u64,
    /// Users with at least one successful legacy sign-in.
    pub legacy_success_users: u64,
    pub legacy_protocols: Vec<(String, u64)>,
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    pub rows_without_time: u64,
    pub registered_vs_used: Vec<(UsageClass, u64)>,
    /// "Multifactor authentication auth method" value → sign-ins.
    pub mfa_methods_used: Vec<(String, u64)>,
    /// The same, grouped into method families.
    pub mfa_method_families: Vec<(String, u64)>,
    pub registration_signins: u64,
    pub registration_signin_users: u64,
    pub registration_signins_success: u64,
    pub registration_signins_compliant_or_hybrid: u64,
    /// Successful registration sign-ins from a device neither compliant nor hybrid-joined.
    pub registration_success_unmanaged: u64,
    pub registration_signins_ca: Vec<(String, u64)>,
    pub registration_blocked: u64,
    /// Tracked error code → rows.
    pub error_codes: Vec<(i64, u64)>,
    pub repeated_denial_users: u64,
    pub prompts_by_default: Vec<PromptGroup>,
    pub daily: Vec<Day>,
    pub auth_details: Option<AuthDetailStats>,
    /// Users not MFA capable who signed in successfully, most sign-ins first (top 25).
    pub top_not_capable: Vec<SignInUser>,
    pub top_repeated_denials: Vec<SignInUser>,
    pub top_legacy: Vec<SignInUser>,
    /// Up to ten users (UPN, else object id) who signed in but are not in the registration export.
    pub not_in_registration_examples: Vec<String>,
}

/// The home address of a guest UPN: `jane_fabrikam.example#EXT#@contoso.onmicrosoft.com`
/// becomes `jane@fabrikam.example`, which is how sign-in logs name the guest.
pub fn guest_home_upn(upn_key: &str) -> Option<String> {
    let local = &upn_key[..upn_key.find("#ext#")?];
    let (user, domain) = local.rsplit_once('_')?;
    Some(format!("{user}@{domain}"))
}

/// Drop sign-ins that occur twice (same request id and time): overlapping downloads, or the same
/// range as CSV and JSON. Rows without a request id are all kept.
/// Returns the remaining rows and how many were dropped.
fn distinct_signins(frame: &DataFrame) -> PolarsResult<(DataFrame, u64)> {
    let keep = first_of_each_key(
        frame.column("request_hi")?.u64()?,
        frame.column("request_lo")?.u64()?,
        frame.column("time_us")?.i64()?,
        fast_key_hash,
    );
    let dropped = keep.iter().filter(|k| !**k).count() as u64;
    if dropped == 0 {
        return Ok((frame.clone(), 0));
    }
    let mask = BooleanChunked::from_slice("keep".into(), &keep);
    Ok((frame.filter(&mask)?, dropped))
}

/// A 64-bit hash of a sign-in's key (request id halves and time).
fn fast_key_hash(hi: u64, lo: u64, time: Option<i64>) -> u64 {
    let mut hasher = crate::ingest::signin_table::FastHasher::default();
    std::hash::Hash::hash(&(hi, lo, time), &mut hasher);
    std::hash::Hasher::finish(&hasher)
}

/// A hash of a sign-in's key, as [`fast_key_hash`].
type KeyHash = fn(u64, u64, Option<i64>) -> u64;

/// Per row, whether it is the first with its key (`hi`, `lo`, `time`); rows without `hi` or
/// `lo` are all kept.
///
/// The rows are split by the top bits of `hash` of their key into parts small enough that a
/// table of one part stays in the processor's caches (one table of millions of rows misses
/// them on nearly every row). Within a part, the hash points to the first row with it; the
/// rows' keys are compared, so a hash collision never drops a row (colliding keys go to an
/// exact set, randomly keyed: keys crafted to collide cannot make it slow).
fn first_of_each_key(
    hi: &UInt64Chunked,
    lo: &UInt64Chunked,
    time: &Int64Chunked,
    hash: KeyHash,
) -> Vec<bool> {
    use std::collections::hash_map::Entry;
    use std::collections::{HashMap, HashSet};
    const PARTS: usize = 256;
    let n = hi.len();
    let mut parts: Vec<Vec<(u64, u32)>> = (0..PARTS)
        .map(|_| Vec::with_capacity(n / PARTS + n / PARTS / 4 + 16))
        .collect();
    for (i, ((h, l), t)) in hi.iter().zip(lo.iter()).zip(time.iter()).enumerate() {
        let (Some(h), Some(l)) = (h, l) else {
            continue;
        };
        let hash = hash(h, l, t);
        parts[(hash >> 56) as usize % PARTS].push((hash, i as u32));
    }
    let key = |i: u32| (hi.get(i as usize), lo.get(i as usize), time.get(i as usize));
    let mut keep = vec![true; n];
    let mut first: HashMap<u64, u32, FastHash> = HashMap::default();
    let mut collided: HashSet<(Option<u64>, Option<u64>, Option<i64>)> = HashSet::new();
    for part in &parts {
        first.clear();
        for &(hash, i) in part {
            match first.entry(hash) {
                Entry::Vacant(v) => {
                    v.insert(i);
                }
                Entry::Occupied(o) => {
                    let k = key(i);
                    if key(*o.get()) == k || !collided.insert(k) {
                        keep[i as usize] = false;
                    }
                }
            }
        }
    }
    keep
}

/// Distinct people (`person` codes) among all sign-ins and some subsets.
struct People {
    all: u64,
    legacy: u64,
    legacy_success: u64,
    registration: u64,
}

/// Count distinct people with one bit per person and subset: a pass over the rows, without the
/// hash sets a distinct count per subset would build.
fn distinct_people(frame: &DataFrame) -> PolarsResult<People> {
    let person = frame.column("person")?.u32()?;
    let legacy = frame.column("legacy")?.bool()?;
    let status = frame.column("status")?.u32()?;
    let registration = frame.column("registration_app")?.bool()?;
    let n = person.iter().flatten().max().map_or(0, |m| m as usize + 1);
    let mut seen = vec![0u8; n];
    for (((p, l), st), r) in person
        .iter()
        .zip(legacy.iter())
        .zip(status.iter())
        .zip(registration.iter())
    {
        let Some(p) = p else { continue };
        let legacy = l == Some(true);
        let mut bits = 1u8;
        if legacy {
            bits |= 2;
            if st == Some(STATUS_SUCCESS) {
                bits |= 4;
            }
        }
        if r == Some(true) {
            bits |= 8;
        }
        seen[p as usize] |= bits;
    }
    let with = |bit: u8| seen.iter().filter(|b| **b & bit != 0).count() as u64;
    Ok(People {
        all: with(1),
        legacy: with(2),
        legacy_success: with(4),
        registration: with(8),
    })
}

/// `(value, rows)` pairs of a string column, most frequent first.
fn counts(frame: LazyFrame, column: &str) -> PolarsResult<Vec<(String, u64)>> {
    super::value_counts(frame.filter(col(column).is_not_null()), column)
}

/// `(name, rows)` of a code column, most frequent first, then by name.
fn coded_counts(
    frame: LazyFrame,
    column: &str,
    name: &dyn Fn(u32) -> Option<String>,
) -> PolarsResult<Vec<(String, u64)>> {
    let df = frame
        .filter(col(column).is_not_null())
        .group_by([col(column)])
        .agg([len().cast(DataType::UInt64).alias("n")])
        .collect()?;
    let codes = df.column(column)?.u32()?.clone();
    let n = df.column("n")?.u64()?.clone();
    let mut out: Vec<(String, u64)> = codes
        .iter()
        .zip(n.iter())
        .filter_map(|(c, n)| Some((name(c?)?, n?)))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

/// The name of a code: its position in a list.
fn named<'a, S: AsRef<str>>(list: &'a [S]) -> impl Fn(u32) -> Option<String> + 'a {
    move |c| list.get(c as usize).map(|s| s.as_ref().to_string())
}

/// What one registration user's sign-ins add up to. Kept together (one cache line) because
/// sign-ins arrive in no particular order: one random memory access per sign-in, not one per
/// counter.
#[derive(Debug, Clone, Copy, Default)]
#[repr(align(64))]
struct Counts {
    signins: u32,
    successes: u32,
    single_factor_successes: u32,
    /// MFA done in the sign-in itself: the requirement says multifactor and the result is not
    /// a token claim or an external provider, or the requirement is not recorded but the
    /// result says MFA was completed.
    mfa_completed: u32,
    /// Successes with MFA satisfied by a token claim (not single-factor).
    mfa_token: u32,
    /// Successes with MFA done by an external provider (not single-factor).
    mfa_external: u32,
    legacy_signins: u32,
    legacy_successes: u32,
    /// Error 500121: MFA denied or timed out.
    mfa_denials: u32,
    /// An MFA prompt: MFA performed in this sign-in, or denied / timed out (dated rows only).
    prompts: u32,
    /// Distinct days with a dated sign-in.
    active_days: u32,
    /// MFA method families used: a bit per entry of `MFA_FAMILIES`.
    families: u16,
}

/// Per registration row (`0..n`), its [`Counts`]. One pass over the sign-ins with the
/// registration row as an array index: a group-by and a join on a million users cost more.
struct PerRow {
    counts: Vec<Counts>,
}

/// Sum the sign-ins (`row`, `status`, `requirement`, `mfa_kind`, `mfa_family`, `legacy`,
/// `error_code`, `day`) per registration row (`0..rows`, the rows as read, duplicates included). A null compares as "not true", as
/// in the Polars expressions of the other statistics; "not single-factor" includes an unknown
/// requirement.
fn per_row_counts(frame: &DataFrame, rows: usize) -> PolarsResult<PerRow> {
    let row = frame.column("row")?.u32()?.clone();
    let status = frame.column("status")?.u32()?.clone();
    let requirement = frame.column("requirement")?.u32()?.clone();
    let kind = frame.column("mfa_kind")?.u32()?.clone();
    let family = frame.column("mfa_family")?.u32()?.clone();
    let legacy = frame.column("legacy")?.bool()?.clone();
    let error = frame.column("error_code")?.i64()?.clone();
    let day = frame.column("day")?.i32()?.clone();
    let (first_day, last_day) = (day.min().unwrap_or(0), day.max().unwrap_or(0));
    // The usual case (logs keep 30 days): a bit per day and user.
    let day_bits = (last_day as i64 - first_day as i64) < 64;

    // First each sign-in's flags, worked out once (each half of the sign-ins on a thread):
    // the counting below then reads one small record per sign-in instead of eight columns.
    let pack = |start: usize, out: &mut [Packed]| {
        let (o, l) = (start as i64, out.len());
        let (row, status, requirement, kind) = (
            row.slice(o, l),
            status.slice(o, l),
            requirement.slice(o, l),
            kind.slice(o, l),
        );
        let (family, legacy, error, day) = (
            family.slice(o, l),
            legacy.slice(o, l),
            error.slice(o, l),
            day.slice(o, l),
        );
        let columns = row
            .iter()
            .zip(status.iter())
            .zip(requirement.iter())
            .zip(kind.iter())
            .zip(family.iter())
            .zip(legacy.iter())
            .zip(error.iter())
            .zip(day.iter());
        for (p, (((((((r, st), req), k), fam), leg), err), d)) in out.iter_mut().zip(columns) {
            let success = st == Some(STATUS_SUCCESS);
            let single = req == Some(REQUIREMENT_SINGLE);
            let multi = req == Some(REQUIREMENT_MULTI);
            let completed = k == Some(KIND_COMPLETED);
            let legacy = leg == Some(true);
            let denial = err == Some(500121);
            let flags = [
                success,
                success && single,
                success && ((multi && (k.is_none() || completed)) || (req.is_none() && completed)),
                success && k == Some(KIND_TOKEN) && !single,
                success && k == Some(KIND_EXTERNAL) && !single,
                legacy,
                legacy && success,
                denial,
                (completed || denial) && d.is_some(),
            ];
            *p = Packed {
                row: r.unwrap_or(NO_ROW),
                flags: flags
                    .iter()
                    .enumerate()
                    .fold(0, |bits, (i, &f)| bits | (u16::from(f) << i)),
                family: fam.filter(|f| *f < 16).map_or(NO_FAMILY, |f| f as u8),
                day: d.unwrap_or(NO_DAY),
            };
        }
    };
    let n = frame.height();
    let mut packed = vec![Packed::default(); n];
    {
        let (lower, upper) = packed.split_at_mut(n / 2);
        std::thread::scope(|scope| {
            scope.spawn(|| pack(n / 2, upper));
            pack(0, lower);
        });
    }

    // The counts of registration rows `lo..lo + counts.len()`, from every sign-in.
    let part = |lo: usize, counts: &mut [Counts]| {
        let hi = lo + counts.len();
        let mut days = vec![0u64; if day_bits { hi - lo } else { 0 }];
        // (row, day) of dated sign-ins when the days do not fit in bits.
        let mut row_days: Vec<(u32, i32)> = Vec::new();
        for p in &packed {
            let at = p.row as usize;
            if p.row == NO_ROW || !(lo..hi).contains(&at) {
                continue;
            }
            let c = &mut counts[at - lo];
            let flag = |i: u16| u32::from((p.flags >> i) & 1);
            c.signins += 1;
            c.successes += flag(0);
            c.single_factor_successes += flag(1);
            c.mfa_completed += flag(2);
            c.mfa_token += flag(3);
            c.mfa_external += flag(4);
            c.legacy_signins += flag(5);
            c.legacy_successes += flag(6);
            c.mfa_denials += flag(7);
            c.prompts += flag(8);
            if p.family != NO_FAMILY {
                c.families |= 1 << p.family;
            }
            if p.day != NO_DAY {
                if day_bits {
                    days[at - lo] |= 1 << (p.day - first_day);
                } else {
                    row_days.push((at as u32, p.day));
                }
            }
        }
        if day_bits {
            for (c, bits) in counts.iter_mut().zip(days) {
                c.active_days = bits.count_ones();
            }
        } else {
            row_days.sort_unstable();
            row_days.dedup();
            for (r, _) in row_days {
                counts[r as usize - lo].active_days += 1;
            }
        }
    };
    // Each half of the users on its own thread: every update misses the caches, and two
    // threads keep twice as many of them in flight.
    let half = rows / 2;
    let mut counts = vec![Counts::default(); rows];
    let (lower, upper) = counts.split_at_mut(half);
    std::thread::scope(|scope| {
        scope.spawn(|| part(half, upper));
        part(0, lower);
    });
    Ok(PerRow { counts })
}

/// One sign-in as [`per_row_counts`] needs it: its registration row, what it counts towards
/// (a bit per counter of [`Counts`], in their order from `successes` to `prompts`), its MFA
/// method family and its day.
#[derive(Debug, Clone, Copy, Default)]
struct Packed {
    row: u32,
    flags: u16,
    family: u8,
    day: i32,
}

const NO_ROW: u32 = u32::MAX;
const NO_FAMILY: u8 = u8::MAX;
const NO_DAY: i32 = i32::MIN;

impl PerRow {
    /// The counts of registration row `row`, when it has sign-ins.
    fn of(&self, row: Option<u32>) -> Option<&Counts> {
        self.counts.get(row? as usize).filter(|c| c.signins > 0)
    }

    /// MFA method families used by registration row `row` (a bit per `MFA_FAMILIES` entry).
    fn families(&self, row: u32) -> u16 {
        self.counts.get(row as usize).map_or(0, |c| c.families)
    }

    /// The registration users (`row`, `upn`, `is_mfa_capable`, `n_mfa`, `is_mfa_registered`,
    /// `is_guest`, `default_method`) with their sign-in counts (null without sign-ins) and
    /// `signin_class`.
    fn per_user(&self, registration_users: &DataFrame) -> PolarsResult<DataFrame> {
        let mut per_user = registration_users.select([
            "row",
            "upn",
            "is_mfa_capable",
            "n_mfa",
            "is_mfa_registered",
            "is_guest",
            "default_method",
            "scope",
        ])?;
        let reg_rows = per_user.column("row")?.u32()?.clone();
        let capable_flag = per_user.column("is_mfa_capable")?.bool()?.clone();
        let n_mfa = per_user.column("n_mfa")?.u32()?.clone();
        let registered = per_user.column("is_mfa_registered")?.bool()?.clone();
        let guest = per_user.column("is_guest")?.bool()?.clone();
        let classes = reg_rows
            .iter()
            .zip(capable_flag.iter())
            .zip(n_mfa.iter())
            .zip(registered.iter())
            .zip(guest.iter())
            .map(|((((r, flag), n), registered), guest)| {
                // Capable: isMfaCapable, else ≥ 1 MFA method, else isMfaRegistered; unknown
                // when none is known.
                let capable = flag.or(n.map(|n| n > 0)).or(registered);
                class(self.of(r), capable, guest == Some(true)).key()
            });
        let class = StringChunked::from_iter_values("signin_class".into(), classes);
        // One pass over the counts (in registration order, so sequential), a column each.
        const NAMES: [&str; 11] = [
            "signins",
            "successes",
            "single_factor_successes",
            "mfa_completed",
            "mfa_token",
            "mfa_external",
            "legacy_signins",
            "legacy_successes",
            "mfa_denials",
            "prompts",
            "active_days",
        ];
        let mut values: [Vec<u32>; 11] = Default::default();
        for v in values.iter_mut() {
            v.reserve_exact(reg_rows.len());
        }
        let mut has = Vec::with_capacity(reg_rows.len());
        for r in reg_rows.iter() {
            let c = self.of(r).copied();
            has.push(c.is_some());
            let c = c.unwrap_or_default();
            let row = [
                c.signins,
                c.successes,
                c.single_factor_successes,
                c.mfa_completed,
                c.mfa_token,
                c.mfa_external,
                c.legacy_signins,
                c.legacy_successes,
                c.mfa_denials,
                c.prompts,
                c.active_days,
            ];
            for (v, x) in values.iter_mut().zip(row) {
                v.push(x);
            }
        }
        // Null, not zero, for users without sign-ins: one validity bitmap, shared by every
        // column.
        let has = BooleanChunked::from_slice("has".into(), &has);
        let mut columns = Vec::with_capacity(NAMES.len() + 1);
        for (name, v) in NAMES.into_iter().zip(values) {
            columns.push(
                crate::ingest::signin_table::with_nulls::<UInt32Type>(name, v, &has).into_column(),
            );
        }
        columns.push(class.into_column());
        for column in columns {
            per_user.with_column(column)?;
        }
        Ok(per_user)
    }
}

/// The usage class of a registration user with sign-ins `counts` (`None`: none). An unknown
/// capability never puts a user in the "not capable" class.
fn class(counts: Option<&Counts>, capable: Option<bool>, guest: bool) -> UsageClass {
    let Some(c) = counts else {
        return UsageClass::NoSignIns;
    };
    let (completed, token) = (c.mfa_completed > 0, c.mfa_token > 0);
    if c.successes == 0 {
        UsageClass::NoSuccessfulSignIn
    } else if c.mfa_external > 0 {
        UsageClass::ExternalMfa
    } else if guest && capable == Some(false) && (token || completed) {
        // A guest who cannot do MFA here but passed MFA (a claim from the home tenant, trusted
        // through cross-tenant access settings) did MFA elsewhere: not a gap of this tenant.
        UsageClass::ExternalMfa
    } else if capable == Some(false) {
        UsageClass::NotCapableSignedIn
    } else if completed {
        UsageClass::UsedMfa
    } else if token {
        UsageClass::MfaByTokenOnly
    } else if capable.is_none() {
        UsageClass::CapabilityUnknown
    } else if c.single_factor_successes > 0 {
        UsageClass::SingleFactorOnly
    } else {
        UsageClass::RequirementUnknown
    }
}

/// The sign-in statistics and a per-user frame to join onto the registration users.
pub struct SignInAnalysis {
    pub stats: SignInStats,
    /// Per registration row: `row`, `signin_class` (key), `signins`, `successes`,
    /// `single_factor_successes`, `legacy_signins`, `mfa_denials`.
    pub per_user: DataFrame,
}

/// Each sign-in identity's registration row: object id first, then UPN ignoring case, then a
/// guest's home address (sign-in logs name guests by it, the registration export by #EXT#).
/// Matched by sorted keys ([`keys`](super::keys)) on the registration's own strings: nothing is
/// copied, and a million users cost no hash table. The UPN and home-address matches run only
/// for identities not found by an earlier one.
fn registration_row_of_identity(
    identities: &DataFrame,
    registration_users: &DataFrame,
) -> PolarsResult<Vec<Option<u32>>> {
    let reg_row = registration_users.column("row")?.u32()?;
    let reg_id = registration_users.column("id")?.str()?;
    let reg_upn = registration_users.column("upn_key")?.str()?;
    let n = registration_users.height();
    let ids = identities.column("user_id")?.str()?;
    let upns = identities.column("upn_key")?.str()?;
    let row_at = |pos: Option<u32>| pos.and_then(|p| reg_row.get(p as usize));
    // Object ids are GUIDs: matched by their 128-bit value, no string is compared.
    let id_keys = |column: &StringChunked| -> Vec<Option<u128>> {
        column.iter().map(|id| id.map(guid_key)).collect()
    };
    let mut rows: Vec<Option<u32>> = if reg_id.null_count() == n {
        // The admin center's download has no object ids.
        vec![None; ids.len()]
    } else {
        let (reg_keys, ident_keys) = (id_keys(reg_id), id_keys(ids));
        super::keys::first_equal_u128(
            &reg_keys
                .iter()
                .enumerate()
                .map(|(i, k)| k.filter(|_| reg_row.get(i).is_some()))
                .collect::<Vec<_>>(),
            &ident_keys,
        )
        .into_iter()
        .map(row_at)
        .collect()
    };
    let unresolved = |rows: &[Option<u32>]| {
        rows.iter()
            .zip(upns.iter())
            .any(|(r, u)| r.is_none() && u.is_some())
    };
    if !unresolved(&rows) {
        return Ok(rows);
    }
    let has_row = |i: usize| reg_row.get(i).is_some();
    let by_upn = {
        let rows = &rows;
        super::keys::first_equal(
            n,
            &|i| reg_upn.get(i).filter(|_| has_row(i)),
            upns.len(),
            &|i| upns.get(i).filter(|_| rows[i].is_none()),
        )
    };
    for (row, pos) in rows.iter_mut().zip(by_upn) {
        if row.is_none() {
            *row = row_at(pos);
        }
    }
    if !unresolved(&rows) {
        return Ok(rows);
    }
    // Guests only: (position, home address).
    let homes: Vec<(u32, String)> = reg_upn
        .iter()
        .enumerate()
        .filter(|(i, _)| has_row(*i))
        .filter_map(|(i, u)| Some((i as u32, guest_home_upn(u?)?)))
        .collect();
    let by_home = {
        let rows = &rows;
        super::keys::first_equal(
            homes.len(),
            &|i| Some(homes[i].1.as_str()),
            upns.len(),
            &|i| upns.get(i).filter(|_| rows[i].is_none()),
        )
    };
    for (row, found) in rows.iter_mut().zip(by_home) {
        if row.is_none() {
            *row = row_at(found.map(|h| homes[h as usize].0));
        }
    }
    Ok(rows)
}

/// Analyze the sign-ins against the distinct registration users (`per_user` of the
/// registration analysis: needs `row`, `upn_key`, `id`, `upn`, `is_mfa_capable`, `n_mfa`).
pub fn analyze(signins: &SignIns, registration_users: &DataFrame) -> PolarsResult<SignInAnalysis> {
    let vocab = &signins.vocab;
    let identities = &signins.identities;

    // One person per identity: the UPN (lower-cased), else the object id.
    let (who_upn, who_id) = (
        identities.column("upn_key")?.str()?.clone(),
        identities.column("user_id")?.str()?.clone(),
    );
    let who: Vec<&str> = who_upn
        .iter()
        .zip(who_id.iter())
        .map(|(u, i)| u.or(i).unwrap_or_default())
        .collect();
    // Dropping repeated sign-ins and matching identities to people and users are independent.
    // (Matching identities to users takes about as long as the other two together.)
    let ((distinct, person_of), row_of) = std::thread::scope(|scope| {
        let other = scope.spawn(|| {
            (
                distinct_signins(&signins.users),
                super::keys::group_ids(who.len(), &|i| Some(who[i])),
            )
        });
        let row_of = registration_row_of_identity(identities, registration_users);
        let other = other.join().unwrap_or_else(|_| {
            (
                Err(PolarsError::ComputeError(
                    "dropping repeated sign-ins failed".into(),
                )),
                Vec::new(),
            )
        });
        (other, row_of)
    });
    let (distinct, duplicate_rows) = distinct?;
    let row_of = row_of?;

    let ident = distinct.column("ident")?.u32()?.clone();
    let mut frame = distinct.clone();
    frame.with_column(
        UInt32Chunked::from_iter_values(
            "person".into(),
            ident.iter().map(|i| person_of[i.unwrap_or(0) as usize]),
        )
        .into_column(),
    )?;
    frame.with_column(
        UInt32Chunked::from_iter_options(
            "row".into(),
            ident.iter().map(|i| row_of[i.unwrap_or(0) as usize]),
        )
        .into_column(),
    )?;
    let people = distinct_people(&frame)?;
    let s = frame.clone().lazy();
    let success = col("status").eq(lit(STATUS_SUCCESS));
    let single = col("requirement").eq(lit(REQUIREMENT_SINGLE));
    let multi = col("requirement").eq(lit(REQUIREMENT_MULTI));

    let totals = s
        .clone()
        .select([
            len().cast(DataType::UInt64).alias("rows"),
            count(col("interactive"), "interactive_rows"),
            count(success.clone(), "success"),
            count(col("status").eq(lit(STATUS_FAILURE)), "failure"),
            count(col("status").eq(lit(STATUS_INTERRUPTED)), "interrupted"),
            count(success.clone().and(single.clone()), "single_factor_success"),
            count(success.clone().and(multi.clone()), "multi_factor_success"),
            count(col("legacy"), "legacy_auth"),
            count(col("legacy").and(success.clone()), "legacy_auth_success"),
            col("time_us").min().alias("first"),
            col("time_us").max().alias("last"),
            count(col("time_us").is_null(), "rows_without_time"),
            count(col("registration_app"), "registration_signins"),
            count(
                col("registration_app").and(success.clone()),
                "registration_signins_success",
            ),
            count(
                col("registration_app")
                    .and(col("compliant").fill_null(lit(false)).or(col("hybrid"))),
                "registration_signins_compliant_or_hybrid",
            ),
            count(
                col("registration_app")
                    .and(success.clone())
                    .and(col("compliant").fill_null(lit(false)).not())
                    .and(col("hybrid").not()),
                "registration_success_unmanaged",
            ),
            count(
                col("registration_app").and(col("error_code").eq(lit(53010i64))),
                "registration_blocked",
            ),
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
    let rows = u64_at(&totals, "rows");
    let interactive_rows = u64_at(&totals, "interactive_rows");

    let other_status = coded_counts(
        s.clone().filter(col("status").gt(lit(STATUS_INTERRUPTED))),
        "status",
        &named(&vocab.status),
    )?;
    let legacy_protocols = coded_counts(s.clone(), "legacy_protocol", &named(LEGACY_CLIENTS))?;
    let mfa_methods_used = coded_counts(s.clone(), "mfa_method", &named(&vocab.mfa_method))?;
    let mfa_method_families = coded_counts(s.clone(), "mfa_family", &named(MFA_FAMILIES))?;
    let registration_signins_ca = coded_counts(
        s.clone().filter(col("registration_app")),
        "conditional_access",
        &named(&vocab.conditional_access),
    )?;

    let codes = s
        .clone()
        .filter(col("error_code").is_not_null())
        .group_by([col("error_code")])
        .agg([len().cast(DataType::UInt64).alias("n")])
        .collect()?;
    let code_col = codes.column("error_code")?.i64()?.clone();
    let code_n = codes.column("n")?.u64()?.clone();
    let error_codes: Vec<(i64, u64)> = TRACKED_ERRORS
        .iter()
        .map(|(code, _)| {
            let n = code_col
                .iter()
                .zip(code_n.iter())
                .find(|(c, _)| *c == Some(*code))
                .and_then(|(_, n)| n)
                .unwrap_or(0);
            (*code, n)
        })
        .collect();

    let daily_df = s
        .clone()
        .filter(col("day").is_not_null())
        .group_by([col("day")])
        .agg([
            count(success.clone(), "success"),
            count(col("status").eq(lit(STATUS_FAILURE)), "failure"),
            count(col("status").eq(lit(STATUS_INTERRUPTED)), "interrupted"),
        ])
        .sort(["day"], SortMultipleOptions::default())
        .collect()?;
    let daily = {
        let day = daily_df.column("day")?.i32()?.clone();
        let (ok, fail, intr) = (
            daily_df.column("success")?.u64()?.clone(),
            daily_df.column("failure")?.u64()?.clone(),
            daily_df.column("interrupted")?.u64()?.clone(),
        );
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
        (0..daily_df.height())
            .map(|i| Day {
                day: day
                    .get(i)
                    .and_then(|d| epoch.checked_add_signed(chrono::Duration::days(d as i64)))
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                success: ok.get(i).unwrap_or(0),
                failure: fail.get(i).unwrap_or(0),
                interrupted: intr.get(i).unwrap_or(0),
            })
            .collect()
    };

    // `row` numbers the registration export's rows before duplicates were dropped.
    let row_numbers = registration_users
        .column("row")?
        .u32()?
        .max()
        .map_or(0, |m| m as usize + 1);
    let per_row = per_row_counts(&frame, row_numbers)?;
    let per_user = per_row.per_user(registration_users)?;
    // Their names, sorted and comma-joined, made once per combination.
    // Indexed by the mask (16 bits): a lookup per user, no hashing.
    let mut code_of: Vec<Option<IdxSize>> = vec![None; 1 << 16];
    let mut texts: Vec<String> = Vec::new();
    let idx = IdxCa::from_iter_options(
        "mfa_used".into(),
        per_user.column("row")?.u32()?.iter().map(|r| {
            let mask = r.map_or(0, |r| per_row.families(r));
            (mask != 0).then(|| {
                *code_of[usize::from(mask)].get_or_insert_with(|| {
                    let mut names: Vec<&str> = MFA_FAMILIES
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| mask & (1 << i) != 0)
                        .map(|(_, n)| *n)
                        .collect();
                    names.sort_unstable();
                    texts.push(names.join(", "));
                    (texts.len() - 1) as IdxSize
                })
            })
        }),
    );
    let mfa_used =
        StringChunked::from_iter_values("mfa_used".into(), texts.iter().map(String::as_str))
            .take(&idx)?
            .with_name("mfa_used".into());
    // The counts are in `per_user` now: their memory goes back before the figures below.
    drop(per_row);
    let mut per_user = per_user;
    per_user.with_column(mfa_used.into_column())?;

    // People who signed in but match no registration user.
    let mut present = vec![false; identities.height()];
    for i in ident.iter().flatten() {
        present[i as usize] = true;
    }
    let mut unmatched: Vec<&str> = who
        .iter()
        .enumerate()
        .filter(|(i, w)| present[*i] && row_of[*i].is_none() && !w.is_empty())
        .map(|(_, w)| *w)
        .collect();
    unmatched.sort_unstable();
    unmatched.dedup();
    let not_in_registration = unmatched.len() as u64;
    let not_in_registration_examples: Vec<String> =
        unmatched.iter().take(10).map(|w| w.to_string()).collect();
    // Per-user figures (classes, named users, prompts) are about the users who count, like the
    // actions; figures of sign-in rows and of people who signed in are about every sign-in.
    // (When everyone counts, the filter is left out: it would copy every column.)
    let in_scope = per_user.column("scope")?.str()?;
    let scoped = if in_scope.equal("in_scope").sum() == Some(per_user.height() as IdxSize) {
        per_user.clone()
    } else {
        per_user
            .clone()
            .lazy()
            .filter(col("scope").eq(lit("in_scope")))
            .collect()?
    };
    let class_counts = counts(scoped.clone().lazy(), "signin_class")?;
    let registered_vs_used: Vec<(UsageClass, u64)> = UsageClass::ALL
        .iter()
        .map(|c| {
            let n = if *c == UsageClass::NotInRegistration {
                not_in_registration
            } else {
                class_counts
                    .iter()
                    .find(|(k, _)| k == c.key())
                    .map(|(_, n)| *n)
                    .unwrap_or(0)
            };
            (*c, n)
        })
        .collect();

    let top =
        |filter: Expr, by: &str, detail: &dyn Fn(u64) -> String| -> PolarsResult<Vec<SignInUser>> {
            let df = scoped
                .clone()
                .lazy()
                .filter(filter)
                .sort_by_exprs(
                    [col(by), col("upn")],
                    SortMultipleOptions::default().with_order_descending_multi([true, false]),
                )
                .limit(25)
                .collect()?;
            let upn = df.column("upn")?.str()?.clone();
            let n = df.column(by)?.cast(&DataType::UInt64)?.u64()?.clone();
            Ok((0..df.height())
                .map(|i| {
                    let c = n.get(i).unwrap_or(0);
                    SignInUser {
                        upn: upn.get(i).unwrap_or_default().to_string(),
                        count: c,
                        detail: detail(c),
                    }
                })
                .collect())
        };
    let top_not_capable = top(
        col("signin_class").eq(lit(UsageClass::NotCapableSignedIn.key())),
        "successes",
        &|n| format!("{n} successful sign-in(s) without being MFA capable"),
    )?;
    let top_repeated_denials = top(
        col("mfa_denials").gt_eq(lit(REPEATED_DENIALS)),
        "mfa_denials",
        &|n| format!("{n} MFA denials or time-outs (500121)"),
    )?;
    let top_legacy = top(
        col("legacy_signins").gt(lit(0u32)),
        "legacy_signins",
        &|n| format!("{n} legacy-protocol sign-in attempt(s)"),
    )?;
    let repeated_denial_users = scoped
        .column("mfa_denials")?
        .u32()?
        .iter()
        .filter(|d| d.is_some_and(|d| d >= REPEATED_DENIALS))
        .count() as u64;

    let prompt_df = scoped
        .lazy()
        .filter(col("prompts").gt(lit(0u32)))
        .with_column(
            when(col("default_method").eq(lit("microsoftAuthenticatorPush")))
                .then(lit("authenticator"))
                .when(
                    col("default_method")
                        .eq(lit("mobilePhone"))
                        .or(col("default_method").eq(lit("alternateMobilePhone")))
                        .or(col("default_method").eq(lit("officePhone"))),
                )
                .then(lit("phone"))
                .otherwise(lit("other"))
                .alias("default_group"),
        )
        .group_by([col("default_group")])
        .agg([
            len().cast(DataType::UInt64).alias("users"),
            col("prompts").cast(DataType::UInt64).sum().alias("prompts"),
            col("active_days")
                .cast(DataType::UInt64)
                .sum()
                .alias("user_days"),
        ])
        .sort(["default_group"], SortMultipleOptions::default())
        .collect()?;
    let prompts_by_default = {
        let g = prompt_df.column("default_group")?.str()?.clone();
        let (u, p, d) = (
            prompt_df.column("users")?.u64()?.clone(),
            prompt_df.column("prompts")?.u64()?.clone(),
            prompt_df.column("user_days")?.u64()?.clone(),
        );
        (0..prompt_df.height())
            .map(|i| {
                let (prompts, user_days) = (p.get(i).unwrap_or(0), d.get(i).unwrap_or(0));
                PromptGroup {
                    default_group: g.get(i).unwrap_or_default().to_string(),
                    users: u.get(i).unwrap_or(0),
                    prompts,
                    user_days,
                    per_user_day: (user_days > 0)
                        .then(|| (prompts as f64 * 100.0 / user_days as f64).round() / 100.0),
                }
            })
            .collect()
    };

    let auth_details = match &signins.auth_details {
        None => None,
        Some(details) => Some(auth_detail_stats(details, &distinct)?),
    };

    Ok(SignInAnalysis {
        stats: SignInStats {
            rows,
            duplicate_rows,
            interactive_rows,
            non_interactive_rows: rows - interactive_rows,
            users: people.all,
            success: u64_at(&totals, "success"),
            failure: u64_at(&totals, "failure"),
            interrupted: u64_at(&totals, "interrupted"),
            other_status,
            single_factor_success: u64_at(&totals, "single_factor_success"),
            multi_factor_success: u64_at(&totals, "multi_factor_success"),
            legacy_auth: u64_at(&totals, "legacy_auth"),
            legacy_auth_users: people.legacy,
            legacy_auth_success: u64_at(&totals, "legacy_auth_success"),
            legacy_success_users: people.legacy_success,
            legacy_protocols,
            window_start: stamp("first"),
            window_end: stamp("last"),
            rows_without_time: u64_at(&totals, "rows_without_time"),
            registered_vs_used,
            mfa_methods_used,
            mfa_method_families,
            registration_signins: u64_at(&totals, "registration_signins"),
            registration_signin_users: people.registration,
            registration_signins_success: u64_at(&totals, "registration_signins_success"),
            registration_signins_compliant_or_hybrid: u64_at(
                &totals,
                "registration_signins_compliant_or_hybrid",
            ),
            registration_success_unmanaged: u64_at(&totals, "registration_success_unmanaged"),
            registration_signins_ca,
            registration_blocked: u64_at(&totals, "registration_blocked"),
            error_codes,
            repeated_denial_users,
            prompts_by_default,
            daily,
            auth_details,
            top_not_capable,
            top_repeated_denials,
            top_legacy,
            not_in_registration_examples,
        },
        per_user: per_user.drop_many([
            "upn",
            "is_mfa_capable",
            "n_mfa",
            "is_mfa_registered",
            "is_guest",
            "default_method",
            "scope",
            "prompts",
            "active_days",
        ]),
    })
}

fn auth_detail_stats(details: &DataFrame, signins: &DataFrame) -> PolarsResult<AuthDetailStats> {
    // Identical steps (overlapping downloads of the same details) were counted once at ingest.
    let d = details.clone().lazy();
    let totals = d
        .clone()
        .select([
            len().cast(DataType::UInt64).alias("steps"),
            count(
                col("requirement")
                    .eq(lit("multi_factor"))
                    .and(col("succeeded").eq(lit(false))),
                "failed",
            ),
        ])
        .collect()?;
    let requests = d
        .clone()
        .select([col("request_hi"), col("request_lo")])
        .unique(None, UniqueKeepStrategy::First);
    let request_count = requests
        .clone()
        .select([len().cast(DataType::UInt64).alias("n")])
        .collect()?;
    let matched = signins
        .clone()
        .lazy()
        .filter(col("request_hi").is_not_null())
        .select([col("request_hi"), col("request_lo")])
        .unique(None, UniqueKeepStrategy::First)
        .join(
            requests,
            [col("request_hi"), col("request_lo")],
            [col("request_hi"), col("request_lo")],
            JoinArgs::new(JoinType::Inner),
        )
        .select([len().cast(DataType::UInt64).alias("n")])
        .collect()?;
    Ok(AuthDetailStats {
        steps: u64_at(&totals, "steps"),
        requests: u64_at(&request_count, "n"),
        requests_matched: u64_at(&matched, "n"),
        mfa_steps_by_method: counts(
            d.filter(col("requirement").eq(lit("multi_factor"))),
            "method",
        )?,
        mfa_steps_failed: u64_at(&totals, "failed"),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_sign_in_key_is_kept_once_even_when_hashes_collide() {
        use polars::prelude::*;
        let mut x = 11u64;
        let mut next = |m: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        // The real hash, every key colliding, and a few collisions.
        let hashes: [super::KeyHash; 3] = [
            super::fast_key_hash,
            |_, _, _| 7,
            |h, l, t| (h ^ l ^ t.unwrap_or(0) as u64) % 3,
        ];
        for round in 0..200 {
            let n = next(500) as usize;
            let (mut hi, mut lo, mut time) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..n {
                hi.push((next(8) != 0).then(|| next(4)));
                lo.push((next(8) != 0).then(|| next(3)));
                time.push((next(5) != 0).then(|| next(3) as i64));
            }
            // The plain rule: the first row of each key, and every row without a request id.
            let mut seen = std::collections::HashSet::new();
            let expected: Vec<bool> = (0..n)
                .map(|i| hi[i].is_none() || lo[i].is_none() || seen.insert((hi[i], lo[i], time[i])))
                .collect();
            for hash in hashes {
                let got = super::first_of_each_key(
                    &UInt64Chunked::from_iter_options("hi".into(), hi.iter().copied()),
                    &UInt64Chunked::from_iter_options("lo".into(), lo.iter().copied()),
                    &Int64Chunked::from_iter_options("t".into(), time.iter().copied()),
                    hash,
                );
                assert_eq!(got, expected, "round {round}");
            }
        }
    }

    use super::*;

    #[test]
    fn legacy_clients_match_case_insensitively() {
        for c in [
            "IMAP4",
            "AutoDiscover",
            "MAPI Over HTTP",
            "Exchange ActiveSync",
            "Other clients",
        ] {
            assert!(is_legacy(c), "{c}");
        }
        for c in ["Browser", "Mobile Apps and Desktop clients", ""] {
            assert!(!is_legacy(c), "{c}");
        }
    }

    #[test]
    fn mfa_results_and_methods_are_classified() {
        assert_eq!(mfa_kind("MFA completed in Entra ID"), Some("completed"));
        assert_eq!(
            mfa_kind("MFA requirement satisfied by claim in the token"),
            Some("token")
        );
        assert_eq!(
            mfa_kind("MFA requirement satisfied by claim provided by external provider"),
            Some("external")
        );
        assert_eq!(mfa_kind(""), None);
        assert_eq!(mfa_family("Mobile app notification"), "authenticator_push");
        assert_eq!(mfa_family("OATH verification code"), "oath_code");
        assert_eq!(mfa_family("Text message"), "sms");
        assert_eq!(mfa_family("Phone call approval (Office phone)"), "voice");
        assert_eq!(mfa_family("Passkey (device-bound)"), "passkey_or_fido2");
        assert_eq!(mfa_family("FIDO2 security key"), "passkey_or_fido2");
        assert_eq!(mfa_family("Windows Hello for Business"), "windows_hello");
        assert_eq!(
            mfa_family("Passwordless phone sign-in"),
            "authenticator_passwordless"
        );
        assert_eq!(mfa_family("Message texte"), "sms");
        assert_eq!(mfa_family("Llamada de teléfono"), "voice");
        assert_eq!(
            mfa_kind("Exigence MFA satisfaite par une revendication dans le jeton"),
            Some("token")
        );
        assert_eq!(
            mfa_kind("Requisito de MFA satisfecho por un proveedor externo"),
            Some("external")
        );
        assert_eq!(legacy_protocol("Autres clients"), Some("Other clients"));
        assert_eq!(legacy_protocol("otros clientes"), Some("Other clients"));
    }
}
