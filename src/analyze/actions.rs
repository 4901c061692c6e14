//! The per-user analyzer (guidance 6): a modern rule set replacing Microsoft's retired
//! authentication-method analysis script. Rules are data: a stable code, plain-English advice and
//! a Polars predicate over the per-user frame. A user gets every action whose predicate holds;
//! rule order is priority order.

use polars::prelude::*;

use crate::methods::Tier;

pub struct ActionRule {
    /// Stable identifier, used in the actions CSV and the JSON summary.
    pub code: &'static str,
    /// What to do, in words a help desk can act on.
    pub text: &'static str,
    predicate: fn() -> Expr,
}

impl ActionRule {
    /// The predicate with unknowns read as "does not apply".
    pub fn predicate(&self) -> Expr {
        (self.predicate)().fill_null(lit(false))
    }
}

fn n_mfa() -> Expr {
    col("n_mfa")
}

fn has_mfa() -> Expr {
    n_mfa().gt(lit(0u32))
}

fn admin() -> Expr {
    col("is_admin").fill_null(lit(false))
}

fn guest() -> Expr {
    col("is_guest").fill_null(lit(false))
}

fn phone_only() -> Expr {
    has_mfa().and(col("n_phone").eq(n_mfa()))
}

/// No MFA method: from the method list when it is known, from `isMfaRegistered` otherwise.
fn no_mfa() -> Expr {
    when(col("methods_known"))
        .then(n_mfa().eq(lit(0u32)))
        .otherwise(col("is_mfa_registered").not())
}

fn sspr_only() -> Expr {
    col("tier_rank").eq(lit(Tier::SsprOnly.rank()))
}

/// Every rule, highest priority first.
pub const RULES: &[ActionRule] = &[
    ActionRule {
        code: "ADMIN_NO_MFA",
        text: "Admin account that cannot do MFA: register a phishing-resistant method (FIDO2 key or passkey) today; until then the role is protected by a password alone",
        predicate: || admin().and(no_mfa().or(col("is_mfa_capable").not())),
    },
    ActionRule {
        code: "NOT_CAPABLE_SIGNING_IN",
        text: "Signs in successfully without being able to do MFA: register a method now and check the recent sign-ins for misuse",
        predicate: || col("signin_class").eq(lit("not_capable_signed_in")),
    },
    ActionRule {
        code: "REPEATED_MFA_DENIALS",
        text: "Repeated MFA denials or time-outs (possible MFA fatigue attack): confirm with the user, reset the password if the prompts were not theirs, move to number matching or a passkey",
        predicate: || col("mfa_denials").gt_eq(lit(super::signins::REPEATED_DENIALS)),
    },
    ActionRule {
        code: "SUSPICIOUS_REGISTRATION",
        text: "Registered security info from a country where the user never otherwise signs in: confirm the registration with the user through the help desk; if it was not theirs, remove the method, reset the password and revoke sessions",
        predicate: || col("suspicious_registration"),
    },
    ActionRule {
        code: "NO_MFA_METHOD",
        text: "No MFA method registered: have the user register Microsoft Authenticator or a passkey at https://aka.ms/mysecurityinfo",
        predicate: || guest().not().and(no_mfa()).and(sspr_only().not().fill_null(lit(true))),
    },
    ActionRule {
        code: "SSPR_ONLY",
        text: "Only email or security questions registered: these reset a password but are not MFA; register Microsoft Authenticator or a passkey",
        predicate: || guest().not().and(sspr_only()),
    },
    ActionRule {
        code: "GUEST_NO_MFA",
        text: "Guest without an MFA method in this tenant: trust the home tenant's MFA in cross-tenant access settings, or require registration here",
        predicate: || guest().and(no_mfa()),
    },
    ActionRule {
        code: "REGISTERED_NOT_CAPABLE",
        text: "Has MFA methods but none is allowed by the authentication methods policy: include the user in a policy for a registered method, or register an allowed one",
        predicate: || {
            when(col("methods_known"))
                .then(has_mfa())
                .otherwise(col("is_mfa_registered"))
                .and(col("is_mfa_capable").not())
        },
    },
    ActionRule {
        code: "LATE_REGISTRATION",
        text: "Registered security info after the registration deadline: confirm with the user (through the help desk, not the new method) that the registration was theirs",
        predicate: || col("audit_late"),
    },
    ActionRule {
        code: "USES_LEGACY_AUTH",
        text: "Signed in successfully with a legacy protocol (IMAP, POP, SMTP AUTH, ActiveSync basic…) that cannot do MFA: move the client to modern authentication and block legacy authentication",
        predicate: || col("legacy_successes").gt(lit(0u32)),
    },
    ActionRule {
        code: "ADMIN_NOT_PHISHING_RESISTANT",
        text: "Admin without a phishing-resistant method: register a FIDO2 security key, a device-bound passkey or Windows Hello for Business",
        predicate: || admin().and(has_mfa()).and(col("has_pr").not()),
    },
    ActionRule {
        code: "PHONE_ONLY",
        text: "Only phone (SMS/voice) methods: Microsoft-provided SMS and voice end on 2027-02-01; register Microsoft Authenticator or a passkey and make it the default",
        predicate: phone_only,
    },
    ActionRule {
        code: "NO_INDEPENDENT_BACKUP",
        text: "All MFA methods live on one device (push and code in the same Authenticator app are one phone): add a backup on another device, such as a passkey or security key",
        predicate: || has_mfa().and(col("n_groups").eq(lit(1u32))).and(phone_only().not()),
    },
    ActionRule {
        code: "BACKUP_IS_PHONE",
        text: "The only backup is a phone number, which stops working for SMS/voice on 2027-02-01: add a passkey, security key or Windows Hello as the backup",
        predicate: || {
            col("n_groups")
                .gt_eq(lit(2u32))
                .and(col("n_non_phone_groups").lt(lit(2u32)))
        },
    },
    ActionRule {
        code: "DEFAULT_NOT_AUTHENTICATOR",
        text: "Default sign-in method is not Microsoft Authenticator: change the default to Authenticator (or enable system-preferred MFA) for fewer, safer prompts",
        // defaultMfaMethod cannot name a passkey: a user with a phishing-resistant method and no
        // default is already "Authenticator or stronger".
        predicate: || {
            has_mfa()
                .and(phone_only().not())
                .and(col("default_method").neq(lit("microsoftAuthenticatorPush")))
                .and(
                    col("has_pr")
                        .and(col("default_method").eq(lit("none")))
                        .not(),
                )
        },
    },
    ActionRule {
        code: "DEFAULT_SWITCHED_TO_PHONE",
        text: "Switched the default sign-in method to a phone (call or text): move the default back to Microsoft Authenticator or a passkey before SMS and voice end on 2027-02-01",
        predicate: || col("audit_default_to_phone"),
    },
    ActionRule {
        code: "MFA_NOT_ENFORCED",
        text: "MFA capable, but every successful sign-in in the logs was single-factor: check which Conditional Access policy or exclusion lets this user in without MFA",
        predicate: || col("signin_class").eq(lit("single_factor_only")),
    },
    ActionRule {
        code: "SSPR_NOT_REGISTERED",
        text: "Enabled for self-service password reset but not registered for it: register through combined security info registration",
        predicate: || col("is_sspr_enabled").and(col("is_sspr_registered").not()),
    },
];

/// Rule by code.
pub fn rule(code: &str) -> Option<&'static ActionRule> {
    RULES.iter().find(|r| r.code == code)
}

/// Bit of a rule in the `action_bits` column.
pub fn bit(code: &str) -> u32 {
    let i = RULES
        .iter()
        .position(|r| r.code == code)
        .expect("known action code");
    1 << i
}

/// Codes set in an `action_bits` value, in priority order.
pub fn codes(bits: u32) -> impl Iterator<Item = &'static ActionRule> {
    RULES
        .iter()
        .enumerate()
        .filter(move |(i, _)| bits & (1 << i) != 0)
        .map(|(_, r)| r)
}

/// Users with at least one action, highest priority first (then admins, then UPN), with the
/// columns the exporters need. `action_bits` holds one bit per rule; `priority` the first rule.
pub fn actions_frame(per_user: LazyFrame) -> PolarsResult<DataFrame> {
    let frame = with_actions(per_user)?;
    let order = action_order(
        frame.column("priority")?.u32()?,
        frame.column("is_admin")?.bool()?,
        frame.column("upn_key")?.str()?,
    );
    // Only the users with actions are copied, once, in their order.
    let order = IdxCa::from_vec("order".into(), order);
    frame
        .select(exported_columns().iter().map(column_name))?
        .take(&order)
}

/// The name of a plain column expression.
fn column_name(e: &Expr) -> PlSmallStr {
    match e {
        Expr::Column(name) => name.clone(),
        _ => unreachable!("exported columns are plain columns"),
    }
}

/// Rows with a priority, ordered by priority, then admins first, then UPN key (nulls last),
/// then row: a parallel sort of small keys, where the UPN's first sixteen bytes decide most
/// comparisons and the texts are compared only when those are equal.
fn action_order(
    priority: &UInt32Chunked,
    admin: &BooleanChunked,
    upn: &StringChunked,
) -> Vec<IdxSize> {
    use rayon::slice::ParallelSliceMut as _;
    let upn: Vec<Option<&str>> = upn.iter().collect();
    let mut keys: Vec<(u32, u128, IdxSize)> = priority
        .iter()
        .zip(admin.iter())
        .zip(&upn)
        .enumerate()
        .filter_map(|(row, ((p, a), u))| {
            let not_admin = u32::from(a != Some(true));
            // A null UPN sorts after every text.
            let (null, prefix) = match u {
                Some(u) => {
                    let mut b = [0u8; 16];
                    let n = u.len().min(16);
                    b[..n].copy_from_slice(&u.as_bytes()[..n]);
                    (0, u128::from_be_bytes(b))
                }
                None => (1, 0),
            };
            let p = p?;
            debug_assert!(p < 1 << 30, "a rule number, below 32");
            Some(((p << 2) | (not_admin << 1) | null, prefix, row as IdxSize))
        })
        .collect();
    keys.par_sort_unstable_by(|(pa, ka, ra), (pb, kb, rb)| {
        (pa, ka)
            .cmp(&(pb, kb))
            .then_with(|| upn[*ra as usize].cmp(&upn[*rb as usize]))
            .then(ra.cmp(rb))
    });
    keys.into_iter().map(|(_, _, row)| row).collect()
}

/// Every user, by UPN, with the same columns as [`actions_frame`] (the `--users` list).
pub fn users_frame(per_user: LazyFrame) -> PolarsResult<DataFrame> {
    with_actions(per_user)?
        .lazy()
        .sort(
            ["upn_key"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .select(exported_columns())
        .collect()
}

/// `action_bits` (one bit per rule) and `priority` (the first rule that holds, or null). Each
/// rule's predicate is evaluated once; the priority is the lowest bit set.
fn with_actions(per_user: LazyFrame) -> PolarsResult<DataFrame> {
    let bits = RULES
        .iter()
        .enumerate()
        .map(|(i, r)| {
            when(r.predicate())
                .then(lit(1u32 << i))
                .otherwise(lit(0u32))
        })
        .reduce(|a, b| a + b)
        .expect("at least one rule");
    // Users who do not count (excluded, disabled) get no actions.
    let bits = when(super::population::in_scope())
        .then(bits)
        .otherwise(lit(0u32));
    let mut frame = per_user
        .with_column(bits.cast(DataType::UInt32).alias("action_bits"))
        .collect()?;
    let priority = UInt32Chunked::from_iter_options(
        "priority".into(),
        frame
            .column("action_bits")?
            .u32()?
            .iter()
            .map(|b| b.filter(|b| *b != 0).map(u32::trailing_zeros)),
    );
    frame.with_column(priority.into_column())?;
    Ok(frame)
}

/// The columns the per-user exporters read.
fn exported_columns() -> Vec<Expr> {
    vec![
        col("upn"),
        col("display_name"),
        col("is_guest"),
        col("user_type"),
        col("is_admin"),
        col("tier_rank"),
        col("methods_text"),
        col("default_method"),
        col("action_bits"),
        col("priority"),
        col("signin_class"),
        col("signins"),
        col("successes"),
        col("single_factor_successes"),
        col("mfa_used"),
        col("first_registration"),
        col("last_registration"),
        col("audit_events"),
        col("department"),
        col("country"),
        col("account_enabled"),
        col("admin_roles"),
        col("scope"),
        col("scope_reason"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `action_order` against a plain sort with the whole comparison spelled out.
    #[test]
    fn action_order_is_priority_then_admins_then_upn() {
        let upns = [
            Some("b@x"),
            Some("a"),
            None,
            Some("abcdefgh2"),
            Some("abcdefgh1"),
            Some("abcdefgh"),
            Some("abcdefg"),
            Some("abcdefgh1"),
            Some("Zed"),
            Some("é@x"),
            None,
            Some(""),
        ];
        let n = upns.len() * 8;
        let upn: Vec<Option<&str>> = (0..n).map(|i| upns[(i * 7) % upns.len()]).collect();
        let priority: Vec<Option<u32>> = (0..n)
            .map(|i| (i % 5 != 3).then_some((i % 3) as u32))
            .collect();
        let admin: Vec<Option<bool>> = (0..n)
            .map(|i| match i % 4 {
                0 => None,
                1 => Some(true),
                _ => Some(false),
            })
            .collect();
        let got = action_order(
            &UInt32Chunked::from_iter_options("p".into(), priority.iter().copied()),
            &BooleanChunked::from_iter_options("a".into(), admin.iter().copied()),
            &StringChunked::from_iter_options("u".into(), upn.iter().copied()),
        );
        let mut expected: Vec<usize> = (0..n).filter(|&i| priority[i].is_some()).collect();
        expected.sort_by(|&a, &b| {
            let admin_first = |i: usize| admin[i] != Some(true);
            let upn_nulls_last = |i: usize| (upn[i].is_none(), upn[i]);
            (priority[a], admin_first(a), upn_nulls_last(a)).cmp(&(
                priority[b],
                admin_first(b),
                upn_nulls_last(b),
            ))
        });
        let got: Vec<usize> = got.into_iter().map(|i| i as usize).collect();
        assert_eq!(got, expected);
    }
}
