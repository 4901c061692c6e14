//! Deterministic synthetic-tenant generator for `entra-mfa-report`.
//!
//! Writes a realistic, entirely synthetic Microsoft Entra "user registration
//! details" export: UTF-8 with BOM, comma-delimited, CRLF line endings, fields
//! quoted only when needed (RFC 4180), booleans as `True` / `False`, and the
//! method lists as JSON arrays inside a single CSV cell.
//!
//! ```text
//! cargo run --release --example generate-tenant -- --users 300 --seed 7 --layout extended --out sample-data/exportUserRegistrationDetails_2026-11-20.csv
//! ```
//!
//! Options:
//!
//! * `--users N` (required): number of user rows to write.
//! * `--seed S` (default `1`): seed of the pseudo-random generator.
//! * `--layout portal|extended` (default `extended`): `portal` writes the
//!   8 columns of the admin-center download, `extended` the 17 columns of the
//!   full Microsoft Graph `userRegistrationDetails` resource.
//! * `--out FILE` (required): output path, or `-` for standard output.
//!
//! The output is fully deterministic: the same arguments always produce a
//! byte-identical file (a small seeded splitmix64 generator is the only source
//! of randomness; neither the clock nor hash-map ordering is used). Both
//! layouts describe the same users, so a `portal` file is a column subset of
//! the `extended` file with the same seed.
//!
//! The first rows are fixed and do not depend on `--seed`: they cover hostile
//! and awkward values (commas, double quotes, non-ASCII and emoji names, HTML,
//! spreadsheet-formula prefixes `=` `+` `-` `@`, an embedded newline, a
//! case-only duplicate UPN with a different id, guests, a TAP-only user and an
//! unknown future method name) and together register every method name once.
//! Random users follow. All timestamps fall within the three days before
//! 2026-11-20T06:00:00Z, and the first user always carries the newest one,
//! `2026-11-20T05:59:59.1234567Z`, so the "as of" date of a generated file is
//! predictable.
//!
//! Sign-in log downloads of the same tenant can be written alongside:
//!
//! ```text
//! cargo run --release --example generate-tenant -- --users 400 --seed 7 --layout extended --out sample-data/exportUserRegistrationDetails_2026-11-20.csv --signins 1500 --signins-out sample-data/InteractiveSignIns_2026-11-13_2026-11-20.csv --authdetails-out sample-data/InteractiveSignIns_AuthDetails_2026-11-13_2026-11-20.csv --noninteractive 600 --noninteractive-out sample-data/NonInteractiveSignIns_2026-11-13_2026-11-20.csv --appsignins 100 --appsignins-out sample-data/ApplicationSignIns_2026-11-13_2026-11-20.csv --audit 2500 --audit-out sample-data/AuditLogs_2026-11-20.csv
//! ```
//!
//! * `--signins N` with `--signins-out FILE`: N interactive user sign-ins in
//!   the current 56-column portal layout (UTF-8 with BOM, CRLF, duplicated
//!   `Incoming token type`, trailing spaces in `Application ID ` and
//!   `Resource ID `, double space in `Autonomous system  number`).
//! * `--split K` (default `1`, needs `--signins`): write the interactive rows
//!   into K files of at most ceil(N/K) rows each, named like FILE with
//!   `_part01` … inserted before the extension, the way the portal delivers
//!   100,000-row downloads. An AuthDetails file is split along the same rows.
//! * `--authdetails-out FILE` (needs `--signins`): the AuthDetails companion,
//!   one row per authentication step, joined on `Request ID`.
//! * `--noninteractive N` with `--noninteractive-out FILE`: token-based
//!   non-interactive user sign-ins (same header as the interactive file).
//! * `--appsignins N` with `--appsignins-out FILE`: service-principal
//!   sign-ins in the 22-column application layout.
//!
//! Sign-ins cover the seven days before 2026-11-20T06:00:00Z
//! (`2026-11-13T06:00:00Z` to `2026-11-20T05:59:59Z`), newest first, and agree
//! with the registration file: the same ids, UPNs and display names, MFA
//! methods that the user has registered, single-factor success for users
//! without an MFA method, `My Signins` (security-info registration) traffic
//! around each user's registration time. They also contain the stories a
//! report should find: repeated `500121` MFA denials (MFA fatigue) followed
//! now and then by an approval, legacy-protocol clients on a few accounts,
//! `53010` registration blocks from unmanaged devices, users of an external
//! MFA provider, and about 1% of sign-ins by accounts that are absent from
//! the registration export. Each file uses its own generator stream, so
//! adding or resizing one file never changes another.
//!
//! The audit log download of the same tenant (Monitoring & health > Audit
//! logs > Download > CSV) can be written as well:
//!
//! ```text
//! cargo run --release --example generate-tenant -- --users 400 --seed 7 --out sample-data/exportUserRegistrationDetails_2026-11-20.csv --audit 2500 --audit-out sample-data/AuditLogs_2026-11-20.csv
//! ```
//!
//! * `--audit N` with `--audit-out FILE`: N audit events in the 86-column
//!   portal layout (UTF-8 with BOM, CRLF, every field double-quoted; 17 actor
//!   columns, 3 targets with 5 modified properties each, 6 additional
//!   details), newest first, between `2026-10-01T00:00:00Z` and
//!   `2026-11-20T05:59:59Z`. When the tenant's stories need more than N
//!   rows, the oldest are left out, as in a download with a later start
//!   date; a tenant without users gets the header only.
//!
//! The audit file tells the story of an MFA registration campaign with a
//! deadline of 2026-10-31. About 85% of the rows are `Authentication Methods`
//! / `UserManagement` events that agree with the registration file: each user
//! with methods starts a session (`User started security info
//! registration`), registers exactly the methods the export lists (`User
//! registered security info`, with reasons such as `User registered
//! Authenticator App with Notification and Code`) and ends it with `User
//! registered all required security info`; the events of one session share a
//! `CorrelationId`. Most users register in the first three weeks of October,
//! a tail in November, a few before the window (no registration events), and
//! users without any method at most open the page and cancel. Default-method
//! changes lead to the default in the export (some to a phone), a phone
//! registered and later deleted is gone from the export, admins register
//! phones, temporary access passes and QR codes for users (`Admin registered
//! security info`), a few Authenticator code registrations fail before they
//! succeed, users with only email or security questions end their session
//! with a `failure` and `User canceled security info registration.`, and a
//! few reasons are unusual (`User registered Hardware OATH token`). Later,
//! registered users review their security info, move the Authenticator app
//! to a new phone, or start a password reset. Three users (two in tenants of
//! fewer than 100 users) register from `203.0.113.x` addresses that no
//! sign-in file of the same run shows for them. The other 15% are rows a
//! reader must skip: Core Directory `Update user` (some with a
//! `StrongAuthenticationMethod` modified property and the session's
//! correlation ID), `Add member to group` for the campaign groups, and the
//! bulk `Download user registration details` of the registration export.
//! When the same run writes interactive sign-ins, about 40% of the
//! successful `My Signins` sign-ins are followed by a security-info session
//! that carries the sign-in's `Correlation ID`, so the audit file depends on
//! those arguments too; the sign-in files never depend on the audit file.
//!
//! Argument errors print a one-line message to standard error and exit with
//! status 2; I/O errors exit with status 1.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

const USAGE: &str =
    "usage: generate-tenant --users N [--seed S] [--layout portal|extended] --out FILE \
[--signins N --signins-out FILE [--split K] [--authdetails-out FILE]] \
[--noninteractive N --noninteractive-out FILE] [--appsignins N --appsignins-out FILE] \
[--audit N --audit-out FILE]";

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    Portal,
    Extended,
}

struct Args {
    users: usize,
    seed: u64,
    layout: Layout,
    out: String,
    signins: SignInArgs,
    /// Audit log rows and their output path.
    audit: Option<(usize, String)>,
}

/// Sign-in files to write besides the registration export (all optional).
#[derive(Default)]
struct SignInArgs {
    /// Interactive rows and their output path.
    interactive: Option<(usize, String)>,
    /// Number of files the interactive rows are split into.
    split: usize,
    authdetails_out: Option<String>,
    noninteractive: Option<(usize, String)>,
    applications: Option<(usize, String)>,
}

enum Parsed {
    Run(Box<Args>),
    Help,
}

fn parse_number(text: &str) -> Option<u64> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn parse_count(key: &str, value: &str) -> Result<usize, String> {
    parse_number(value)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| format!("invalid {key} value '{value}' (expected a non-negative integer)"))
}

/// Pairs a row count with its output path; either both or neither must be given.
fn paired(
    count: Option<usize>,
    path: Option<String>,
    count_key: &str,
    path_key: &str,
) -> Result<Option<(usize, String)>, String> {
    match (count, path) {
        (Some(n), Some(p)) => Ok(Some((n, p))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(format!("{count_key} requires {path_key} FILE")),
        (None, Some(_)) => Err(format!("{path_key} requires {count_key} N")),
    }
}

fn parse_args(raw: impl IntoIterator<Item = String>) -> Result<Parsed, String> {
    const KEYS: [&str; 14] = [
        "--users",
        "--seed",
        "--layout",
        "--out",
        "--signins",
        "--signins-out",
        "--split",
        "--authdetails-out",
        "--noninteractive",
        "--noninteractive-out",
        "--appsignins",
        "--appsignins-out",
        "--audit",
        "--audit-out",
    ];
    let mut users: Option<usize> = None;
    let mut seed: u64 = 1;
    let mut layout = Layout::Extended;
    let mut out: Option<String> = None;
    let mut signins: Option<usize> = None;
    let mut signins_out: Option<String> = None;
    let mut split: Option<usize> = None;
    let mut authdetails_out: Option<String> = None;
    let mut noninteractive: Option<usize> = None;
    let mut noninteractive_out: Option<String> = None;
    let mut appsignins: Option<usize> = None;
    let mut appsignins_out: Option<String> = None;
    let mut audit: Option<usize> = None;
    let mut audit_out: Option<String> = None;

    let mut it = raw.into_iter();
    while let Some(arg) = it.next() {
        let (key, inline) = match arg.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k.to_string(), Some(v.to_string())),
            _ => (arg, None),
        };
        if key == "-h" || key == "--help" {
            return Ok(Parsed::Help);
        }
        if !KEYS.contains(&key.as_str()) {
            return Err(format!("unknown argument '{key}'"));
        }
        let value = match inline {
            Some(v) => v,
            None => it
                .next()
                .ok_or_else(|| format!("missing value for {key}"))?,
        };
        match key.as_str() {
            "--users" => {
                let n = parse_number(&value)
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| {
                        format!("invalid --users value '{value}' (expected a non-negative integer)")
                    })?;
                users = Some(n);
            }
            "--seed" => {
                seed = parse_number(&value).ok_or_else(|| {
                    format!("invalid --seed value '{value}' (expected an unsigned 64-bit integer)")
                })?;
            }
            "--layout" => {
                layout = match value.as_str() {
                    "portal" => Layout::Portal,
                    "extended" => Layout::Extended,
                    _ => {
                        return Err(format!(
                            "invalid --layout value '{value}' (expected 'portal' or 'extended')"
                        ))
                    }
                };
            }
            "--out" => {
                if value.is_empty() {
                    return Err("--out must not be empty".to_string());
                }
                out = Some(value);
            }
            "--signins" => signins = Some(parse_count(&key, &value)?),
            "--noninteractive" => noninteractive = Some(parse_count(&key, &value)?),
            "--appsignins" => appsignins = Some(parse_count(&key, &value)?),
            "--audit" => audit = Some(parse_count(&key, &value)?),
            "--split" => {
                let k = parse_count(&key, &value)?;
                if k == 0 {
                    return Err("invalid --split value '0' (expected at least 1)".to_string());
                }
                split = Some(k);
            }
            _ => {
                // One of the sign-in or audit output paths.
                if value.is_empty() || value == "-" {
                    return Err(format!("{key} must name a file"));
                }
                let slot = match key.as_str() {
                    "--signins-out" => &mut signins_out,
                    "--authdetails-out" => &mut authdetails_out,
                    "--noninteractive-out" => &mut noninteractive_out,
                    "--audit-out" => &mut audit_out,
                    _ => &mut appsignins_out,
                };
                *slot = Some(value);
            }
        }
    }

    let users = users.ok_or_else(|| "missing required --users N".to_string())?;
    let out = out.ok_or_else(|| "missing required --out FILE".to_string())?;
    let interactive = paired(signins, signins_out, "--signins", "--signins-out")?;
    if interactive.is_none() {
        if split.is_some() {
            return Err("--split requires --signins N".to_string());
        }
        if authdetails_out.is_some() {
            return Err("--authdetails-out requires --signins N".to_string());
        }
    }
    let signins = SignInArgs {
        interactive,
        split: split.unwrap_or(1),
        authdetails_out,
        noninteractive: paired(
            noninteractive,
            noninteractive_out,
            "--noninteractive",
            "--noninteractive-out",
        )?,
        applications: paired(
            appsignins,
            appsignins_out,
            "--appsignins",
            "--appsignins-out",
        )?,
    };
    let audit = paired(audit, audit_out, "--audit", "--audit-out")?;
    let mut paths: Vec<&str> = vec![out.as_str()];
    paths.extend(signins.interactive.as_ref().map(|(_, p)| p.as_str()));
    paths.extend(signins.authdetails_out.as_deref());
    paths.extend(signins.noninteractive.as_ref().map(|(_, p)| p.as_str()));
    paths.extend(signins.applications.as_ref().map(|(_, p)| p.as_str()));
    paths.extend(audit.as_ref().map(|(_, p)| p.as_str()));
    for (i, path) in paths.iter().enumerate() {
        if paths[..i].contains(path) {
            return Err(format!("output '{path}' is given twice"));
        }
    }
    Ok(Parsed::Run(Box::new(Args {
        users,
        seed,
        layout,
        out,
        signins,
        audit,
    })))
}

// ---------------------------------------------------------------------------
// Pseudo-random numbers (splitmix64)
// ---------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed ^ 0x6A09_E667_F3BC_C908)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform integer in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        const SCALE: f64 = 1.0 / 9_007_199_254_740_992.0; // 2^-53
        ((self.next_u64() >> 11) as f64) * SCALE < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Seed of the generator used for the fixed rows, so they never depend on `--seed`.
const FIXED_SEED: u64 = 0x00C0_4702_0000_2026;

// ---------------------------------------------------------------------------
// Authentication methods
// ---------------------------------------------------------------------------

/// API names in the order they are listed in `methodsRegistered`.
const METHOD_NAMES: [&str; 19] = [
    "microsoftAuthenticatorPush",
    "softwareOneTimePasscode",
    "mobilePhone",
    "alternateMobilePhone",
    "officePhone",
    "email",
    "securityQuestion",
    "microsoftAuthenticatorPasswordless",
    "fido2SecurityKey",
    "fido2",
    "windowsHelloForBusiness",
    "passKeyDeviceBound",
    "passKeyDeviceBoundAuthenticator",
    "passKeyDeviceBoundWindowsHello",
    "macOsSecureEnclaveKey",
    "passKeySynced",
    "hardwareOneTimePasscode",
    "temporaryAccessPass",
    "qrCodePin",
];

const PUSH: u32 = 1 << 0;
const OATH: u32 = 1 << 1;
const MOBILE: u32 = 1 << 2;
const ALT_MOBILE: u32 = 1 << 3;
const OFFICE: u32 = 1 << 4;
const EMAIL: u32 = 1 << 5;
const SEC_QUESTION: u32 = 1 << 6;
const AUTH_PASSWORDLESS: u32 = 1 << 7;
const FIDO2_KEY: u32 = 1 << 8;
const FIDO2_OLD: u32 = 1 << 9;
const WHFB: u32 = 1 << 10;
const PASSKEY_DEVICE: u32 = 1 << 11;
const PASSKEY_AUTHENTICATOR: u32 = 1 << 12;
const PASSKEY_WINDOWS_HELLO: u32 = 1 << 13;
const MACOS_ENCLAVE: u32 = 1 << 14;
const PASSKEY_SYNCED: u32 = 1 << 15;
const HW_OATH: u32 = 1 << 16;
const TAP: u32 = 1 << 17;
const QR_CODE_PIN: u32 = 1 << 18;

const ALL_METHODS: u32 = (1 << METHOD_NAMES.len()) - 1;
/// Methods that do not count as an MFA registration.
const NON_MFA: u32 = EMAIL | SEC_QUESTION | TAP | QR_CODE_PIN;
const MFA: u32 = ALL_METHODS & !NON_MFA;
const PASSWORDLESS: u32 = AUTH_PASSWORDLESS
    | FIDO2_KEY
    | FIDO2_OLD
    | WHFB
    | PASSKEY_DEVICE
    | PASSKEY_AUTHENTICATOR
    | PASSKEY_WINDOWS_HELLO
    | MACOS_ENCLAVE
    | PASSKEY_SYNCED;
const SSPR: u32 = MOBILE | ALT_MOBILE | OFFICE | EMAIL | SEC_QUESTION | PUSH | OATH;
/// Methods that can be a `defaultMfaMethod`.
const DEFAULTABLE: u32 = PUSH | OATH | MOBILE | ALT_MOBILE | OFFICE;

/// Optional extra methods of "normal" members: (method, member probability, admin probability).
const EXTRAS: [(u32, f64, f64); 10] = [
    (FIDO2_KEY, 0.03, 0.35),
    (FIDO2_OLD, 0.002, 0.03),
    (WHFB, 0.18, 0.25),
    (PASSKEY_DEVICE, 0.01, 0.08),
    (PASSKEY_AUTHENTICATOR, 0.04, 0.25),
    (PASSKEY_WINDOWS_HELLO, 0.02, 0.08),
    (MACOS_ENCLAVE, 0.02, 0.05),
    (PASSKEY_SYNCED, 0.02, 0.05),
    (HW_OATH, 0.01, 0.05),
    (TAP, 0.01, 0.02),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum DefaultMethod {
    None,
    MobilePhone,
    AlternateMobilePhone,
    OfficePhone,
    Push,
    Oath,
}

impl DefaultMethod {
    fn api_name(self) -> &'static str {
        match self {
            DefaultMethod::None => "none",
            DefaultMethod::MobilePhone => "mobilePhone",
            DefaultMethod::AlternateMobilePhone => "alternateMobilePhone",
            DefaultMethod::OfficePhone => "officePhone",
            DefaultMethod::Push => "microsoftAuthenticatorPush",
            DefaultMethod::Oath => "softwareOneTimePasscode",
        }
    }
}

// ---------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------

/// Length of the timestamp window in seconds; the window starts at
/// 2026-11-17T06:00:00Z and ends at 2026-11-20T06:00:00Z.
const WINDOW_SECS: u32 = 3 * 86_400;
const WINDOW_START_SECS_OF_DAY: u32 = 6 * 3_600;
const WINDOW_START_DAY: u32 = 17; // November 2026

#[derive(Clone, Copy)]
struct Stamp {
    /// Seconds since the window start.
    secs: u32,
    /// Fraction of a second with `digits` digits (0 to 7).
    frac: u32,
    digits: u8,
}

/// The newest timestamp of every file: 2026-11-20T05:59:59.1234567Z.
const NEWEST: Stamp = Stamp {
    secs: WINDOW_SECS - 1,
    frac: 1_234_567,
    digits: 7,
};

fn random_stamp(rng: &mut Rng) -> Stamp {
    // Strictly before the last second of the window, so NEWEST stays the maximum.
    let secs = rng.below(u64::from(WINDOW_SECS - 1)) as u32;
    let digits: u8 = match rng.below(100) {
        0..=54 => 7,
        55..=79 => 6,
        80..=86 => 5,
        87..=90 => 4,
        91..=93 => 3,
        94..=95 => 2,
        96 => 1,
        _ => 0,
    };
    let mut frac = 0;
    if digits > 0 {
        frac = rng.below(10u64.pow(u32::from(digits))) as u32;
        // Trailing zeros are trimmed in real exports, so the last digit is never 0.
        if frac % 10 == 0 {
            frac += 1 + rng.below(9) as u32;
        }
    }
    Stamp { secs, frac, digits }
}

fn write_stamp(line: &mut String, stamp: Stamp) {
    let t = WINDOW_START_SECS_OF_DAY + stamp.secs;
    let day = WINDOW_START_DAY + t / 86_400;
    let rem = t % 86_400;
    let (h, m, s) = (rem / 3_600, rem % 3_600 / 60, rem % 60);
    let _ = write!(line, "2026-11-{day:02}T{h:02}:{m:02}:{s:02}");
    if stamp.digits > 0 {
        let _ = write!(
            line,
            ".{:0width$}",
            stamp.frac,
            width = usize::from(stamp.digits)
        );
    }
    line.push('Z');
}

// ---------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------

#[derive(Clone, Copy)]
struct Person {
    guest: bool,
    admin: bool,
    methods: u32,
}

/// Everything derived from a person's registered methods.
struct Row {
    id: (u64, u64),
    person: Person,
    mfa_capable: bool,
    sspr_enabled: bool,
    system_preferred_enabled: bool,
    default: DefaultMethod,
    preferred: &'static str,
    system_preferred: Option<&'static str>,
    stamp: Stamp,
}

struct FixedUser {
    upn: &'static str,
    name: &'static str,
    guest: bool,
    admin: bool,
    methods: u32,
}

const fn member(upn: &'static str, name: &'static str, methods: u32) -> FixedUser {
    FixedUser {
        upn,
        name,
        guest: false,
        admin: false,
        methods,
    }
}

const fn admin(upn: &'static str, name: &'static str, methods: u32) -> FixedUser {
    FixedUser {
        upn,
        name,
        guest: false,
        admin: true,
        methods,
    }
}

const fn guest(upn: &'static str, name: &'static str, methods: u32) -> FixedUser {
    FixedUser {
        upn,
        name,
        guest: true,
        admin: false,
        methods,
    }
}

/// Fixed leading rows: hostile and awkward values that every generated file
/// contains, independent of `--seed`. Together they register every method.
const FIXED_USERS: [FixedUser; 22] = [
    admin(
        "adele.vance@contoso.example",
        "Adele Vance",
        PUSH | MOBILE | FIDO2_KEY | PASSKEY_AUTHENTICATOR,
    ),
    member("anna.berg@contoso.example", "Anna Berg", PUSH | OATH),
    member(
        "jane.doe@contoso.example",
        "Doe, Jane",
        PUSH | MOBILE | EMAIL,
    ),
    member(
        "robert.tables@contoso.example",
        "Robert \"Bob\" Tables",
        MOBILE,
    ),
    member(
        "zoe.angstrom@contoso.example",
        "Zoë Ångström",
        PUSH | AUTH_PASSWORDLESS | WHFB,
    ),
    member(
        "juergen.gross@contoso.example",
        "Jürgen Groß",
        OATH | OFFICE | HW_OATH,
    ),
    member(
        "taro.yamada@contoso.example",
        "山田 太郎",
        MOBILE | ALT_MOBILE,
    ),
    member(
        "alex.kim@contoso.example",
        "Alex Kim 🦄",
        PUSH | PASSKEY_SYNCED,
    ),
    member(
        "xss.script@contoso.example",
        "<script>alert(\"x\")</script>",
        EMAIL,
    ),
    member("xss.img@contoso.example", "<img src=x onerror=alert(1)>", 0),
    member(
        "formula.hyperlink@contoso.example",
        "=HYPERLINK(\"http://evil.example\",\"click\")",
        PUSH,
    ),
    member(
        "formula.cmd@contoso.example",
        "+CMD|' /C calc'!A0",
        EMAIL | SEC_QUESTION,
    ),
    member(
        "formula.minus@contoso.example",
        "-2+3+cmd|' /C calc'!A0",
        MOBILE | OFFICE,
    ),
    member(
        "formula.at@contoso.example",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        PUSH | MOBILE,
    ),
    member(
        "maria.garcia@contoso.example",
        "María García\nFinance",
        PUSH | MOBILE | EMAIL,
    ),
    member("Anna.Berg@contoso.example", "Anna Berg", MOBILE),
    admin(
        "megan.bowen@contoso.example",
        "Megan Bowen",
        PUSH | FIDO2_OLD | PASSKEY_DEVICE | PASSKEY_WINDOWS_HELLO | MACOS_ENCLAVE,
    ),
    guest(
        "jane_fabrikam.example#EXT#@contoso.onmicrosoft.com",
        "Jane Smith (Fabrikam)",
        0,
    ),
    guest(
        "li.wei_northwind.example#EXT#@contoso.onmicrosoft.com",
        "Li Wei",
        MOBILE,
    ),
    member("priya.natarajan@contoso.example", "Priya Natarajan", TAP),
    member(
        "kiosk.scanner01@contoso.example",
        "Kiosk Scanner 01",
        QR_CODE_PIN,
    ),
    member(
        "maryam.haddad@contoso.example",
        "مريم حداد",
        PUSH | OATH | SEC_QUESTION,
    ),
];

/// (display form, ASCII form used in the UPN)
const FIRST_NAMES: [(&str, &str); 80] = [
    ("Adele", "adele"),
    ("Aisha", "aisha"),
    ("Alex", "alex"),
    ("Allan", "allan"),
    ("Amara", "amara"),
    ("Ana", "ana"),
    ("Aoife", "aoife"),
    ("Arjun", "arjun"),
    ("Astrid", "astrid"),
    ("Ben", "ben"),
    ("Björn", "bjorn"),
    ("Carlos", "carlos"),
    ("Chen", "chen"),
    ("Chloé", "chloe"),
    ("Christie", "christie"),
    ("Daniel", "daniel"),
    ("Deepa", "deepa"),
    ("Diego", "diego"),
    ("Dmitri", "dmitri"),
    ("Elena", "elena"),
    ("Elif", "elif"),
    ("Emily", "emily"),
    ("Fatima", "fatima"),
    ("Finn", "finn"),
    ("François", "francois"),
    ("Grady", "grady"),
    ("Hana", "hana"),
    ("Henrik", "henrik"),
    ("Hiroshi", "hiroshi"),
    ("Ines", "ines"),
    ("Ingrid", "ingrid"),
    ("Isaiah", "isaiah"),
    ("Ivan", "ivan"),
    ("Jana", "jana"),
    ("Joni", "joni"),
    ("José", "jose"),
    ("Kenji", "kenji"),
    ("Kwame", "kwame"),
    ("Lars", "lars"),
    ("Laura", "laura"),
    ("Lee", "lee"),
    ("Leila", "leila"),
    ("Lidia", "lidia"),
    ("Lucas", "lucas"),
    ("Łukasz", "lukasz"),
    ("Lynne", "lynne"),
    ("Malik", "malik"),
    ("Maria", "maria"),
    ("Mateo", "mateo"),
    ("Megan", "megan"),
    ("Mei", "mei"),
    ("Miriam", "miriam"),
    ("Mohammed", "mohammed"),
    ("Nadia", "nadia"),
    ("Nestor", "nestor"),
    ("Ngozi", "ngozi"),
    ("Nia", "nia"),
    ("Noah", "noah"),
    ("Olga", "olga"),
    ("Omar", "omar"),
    ("Patti", "patti"),
    ("Pradeep", "pradeep"),
    ("Priya", "priya"),
    ("Rafael", "rafael"),
    ("Raj", "raj"),
    ("Renée", "renee"),
    ("Sakura", "sakura"),
    ("Samuel", "samuel"),
    ("Sara", "sara"),
    ("Siobhán", "siobhan"),
    ("Sofia", "sofia"),
    ("Søren", "soren"),
    ("Tariq", "tariq"),
    ("Tomás", "tomas"),
    ("Una", "una"),
    ("Valentina", "valentina"),
    ("Wei", "wei"),
    ("Yara", "yara"),
    ("Yusuf", "yusuf"),
    ("Zoë", "zoe"),
];

const LAST_NAMES: [(&str, &str); 70] = [
    ("Anderson", "anderson"),
    ("Bauer", "bauer"),
    ("Becker", "becker"),
    ("Berg", "berg"),
    ("Bowen", "bowen"),
    ("Brown", "brown"),
    ("Castillo", "castillo"),
    ("Çelik", "celik"),
    ("Chen", "chen"),
    ("Costa", "costa"),
    ("Dvořák", "dvorak"),
    ("Eriksson", "eriksson"),
    ("Fischer", "fischer"),
    ("García", "garcia"),
    ("Gonzalez", "gonzalez"),
    ("Haddad", "haddad"),
    ("Hansen", "hansen"),
    ("Holt", "holt"),
    ("Ibrahim", "ibrahim"),
    ("Ivanova", "ivanova"),
    ("Jensen", "jensen"),
    ("Johansson", "johansson"),
    ("Kaur", "kaur"),
    ("Khan", "khan"),
    ("Kim", "kim"),
    ("Kowalczyk", "kowalczyk"),
    ("Kumar", "kumar"),
    ("Larsen", "larsen"),
    ("Lee", "lee"),
    ("Lopez", "lopez"),
    ("Martin", "martin"),
    ("Mbeki", "mbeki"),
    ("Meyer", "meyer"),
    ("Miller", "miller"),
    ("Moreau", "moreau"),
    ("Müller", "mueller"),
    ("Nakamura", "nakamura"),
    ("Nguyễn", "nguyen"),
    ("Nowak", "nowak"),
    ("Nuñez", "nunez"),
    ("O'Brien", "obrien"),
    ("Okafor", "okafor"),
    ("Olsen", "olsen"),
    ("Østergaard", "ostergaard"),
    ("Patel", "patel"),
    ("Petrov", "petrov"),
    ("Quinn", "quinn"),
    ("Rossi", "rossi"),
    ("Sánchez", "sanchez"),
    ("Santos", "santos"),
    ("Schmidt", "schmidt"),
    ("Silva", "silva"),
    ("Singh", "singh"),
    ("Smith", "smith"),
    ("Sørensen", "sorensen"),
    ("Suzuki", "suzuki"),
    ("Tanaka", "tanaka"),
    ("Taylor", "taylor"),
    ("Thompson", "thompson"),
    ("Vance", "vance"),
    ("Wagner", "wagner"),
    ("Walsh", "walsh"),
    ("Wang", "wang"),
    ("Weber", "weber"),
    ("Wilson", "wilson"),
    ("Wong", "wong"),
    ("Yamamoto", "yamamoto"),
    ("Yilmaz", "yilmaz"),
    ("Zhang", "zhang"),
    ("Zimmermann", "zimmermann"),
];

/// (domain, organisation display name)
const GUEST_DOMAINS: [(&str, &str); 8] = [
    ("fabrikam.example", "Fabrikam"),
    ("northwind.example", "Northwind Traders"),
    ("adatum.example", "Adatum"),
    ("tailspintoys.example", "Tailspin Toys"),
    ("woodgrovebank.example", "Woodgrove Bank"),
    ("litwareinc.example", "Litware"),
    ("wingtiptoys.example", "Wingtip Toys"),
    ("proseware.example", "Proseware"),
];

const TENANT_DOMAIN: &str = "contoso.example";
const GUEST_HOME: &str = "contoso.onmicrosoft.com";

/// Only phone methods.
fn phone_only(rng: &mut Rng) -> u32 {
    let mut m = 0;
    if rng.chance(0.85) {
        m |= MOBILE;
        if rng.chance(0.10) {
            m |= ALT_MOBILE;
        }
    }
    if rng.chance(0.18) {
        m |= OFFICE;
    }
    if m == 0 {
        m = OFFICE;
    }
    m
}

/// Only email and/or security questions (not MFA).
fn weak_only(rng: &mut Rng) -> u32 {
    let mut m = 0;
    if rng.chance(0.7) {
        m |= EMAIL;
    }
    if rng.chance(0.4) {
        m |= SEC_QUESTION;
    }
    if m == 0 {
        m = EMAIL;
    }
    m
}

/// A user with a regular MFA registration.
fn regular(rng: &mut Rng, admin: bool, guest: bool) -> u32 {
    let mut m = 0;
    let push_p = if admin {
        0.95
    } else if guest {
        0.6
    } else {
        0.76
    };
    if rng.chance(push_p) {
        m |= PUSH;
    }
    if rng.chance(if m & PUSH != 0 { 0.35 } else { 0.5 }) {
        m |= OATH;
    }
    if rng.chance(0.48) {
        m |= MOBILE;
        if rng.chance(0.08) {
            m |= ALT_MOBILE;
        }
    }
    if rng.chance(0.06) {
        m |= OFFICE;
    }
    if rng.chance(0.15) {
        m |= EMAIL;
    }
    if rng.chance(0.05) {
        m |= SEC_QUESTION;
    }
    if !guest {
        if m & PUSH != 0 && rng.chance(if admin { 0.3 } else { 0.09 }) {
            m |= AUTH_PASSWORDLESS;
        }
        for &(method, member_p, admin_p) in &EXTRAS {
            if rng.chance(if admin { admin_p } else { member_p }) {
                m |= method;
            }
        }
        if rng.chance(0.0005) {
            m |= QR_CODE_PIN;
        }
    }
    // Everyone in this group has something that can be the default method.
    if m & DEFAULTABLE == 0 {
        m |= PUSH;
    }
    m
}

fn member_methods(rng: &mut Rng, admin: bool) -> u32 {
    let r = rng.below(1000);
    if admin {
        match r {
            0..=19 => 0,
            20..=59 => phone_only(rng),
            _ => regular(rng, true, false),
        }
    } else {
        match r {
            0..=44 => 0,
            45..=94 => weak_only(rng),
            95..=179 => phone_only(rng),
            180..=194 => TAP,
            _ => regular(rng, false, false),
        }
    }
}

fn guest_methods(rng: &mut Rng) -> u32 {
    match rng.below(100) {
        0..=32 => 0,
        33..=58 => phone_only(rng),
        59..=63 => weak_only(rng),
        _ => regular(rng, false, true),
    }
}

/// Builds a random user; writes the UPN and display name into the buffers.
fn random_person(rng: &mut Rng, number: usize, upn: &mut String, name: &mut String) -> Person {
    upn.clear();
    name.clear();
    let (first, first_ascii) = *rng.pick(&FIRST_NAMES);
    let (last, last_ascii) = *rng.pick(&LAST_NAMES);

    if rng.chance(0.12) {
        let (domain, org) = *rng.pick(&GUEST_DOMAINS);
        let _ = write!(
            upn,
            "{first_ascii}.{last_ascii}{number}_{domain}#EXT#@{GUEST_HOME}"
        );
        match rng.below(10) {
            0..=6 => {
                let _ = write!(name, "{first} {last}");
            }
            7 | 8 => {
                let _ = write!(name, "{first} {last} ({org})");
            }
            _ => {
                let _ = write!(name, "{first_ascii}.{last_ascii}@{domain}");
            }
        }
        return Person {
            guest: true,
            admin: false,
            methods: guest_methods(rng),
        };
    }

    let admin = rng.chance(0.034);
    if admin && rng.chance(0.4) {
        // Separate privileged account.
        let _ = write!(
            upn,
            "adm-{first_ascii}.{last_ascii}{number}@{TENANT_DOMAIN}"
        );
        let _ = write!(name, "Admin - {first} {last}");
    } else {
        let _ = write!(upn, "{first_ascii}.{last_ascii}{number}@{TENANT_DOMAIN}");
        match rng.below(100) {
            0..=2 => {
                let _ = write!(name, "{last}, {first}");
            }
            3..=6 => {
                let _ = write!(name, "{first} {last} (Contractor)");
            }
            _ => {
                let _ = write!(name, "{first} {last}");
            }
        }
    }
    Person {
        guest: false,
        admin,
        methods: member_methods(rng, admin),
    }
}

fn choose_default(rng: &mut Rng, m: u32) -> DefaultMethod {
    if m & MFA == 0 {
        return DefaultMethod::None;
    }
    if m & PUSH != 0 {
        if m & MOBILE != 0 && rng.chance(0.12) {
            DefaultMethod::MobilePhone
        } else if m & OATH != 0 && rng.chance(0.05) {
            DefaultMethod::Oath
        } else {
            DefaultMethod::Push
        }
    } else if m & MOBILE != 0 {
        if m & OATH != 0 && rng.chance(0.3) {
            DefaultMethod::Oath
        } else {
            DefaultMethod::MobilePhone
        }
    } else if m & OATH != 0 {
        DefaultMethod::Oath
    } else if m & OFFICE != 0 {
        DefaultMethod::OfficePhone
    } else if m & ALT_MOBILE != 0 {
        DefaultMethod::AlternateMobilePhone
    } else {
        DefaultMethod::None
    }
}

/// Derives every per-user column from the person's methods.
fn finish(rng: &mut Rng, person: Person, fixed_stamp: Option<Stamp>) -> Row {
    let id = (rng.next_u64(), rng.next_u64());
    let drawn = random_stamp(rng);
    let stamp = fixed_stamp.unwrap_or(drawn);
    let m = person.methods;
    let registered = m & MFA != 0;
    let policy_blocked = rng.chance(0.03);
    let mfa_capable = registered && !policy_blocked;
    let sspr_enabled = !person.guest && rng.chance(0.92);
    let system_preferred_enabled = rng.chance(0.97);
    let default = choose_default(rng, m);
    let preferred = match default {
        DefaultMethod::None => "none",
        DefaultMethod::Push => "push",
        DefaultMethod::Oath => "oath",
        DefaultMethod::MobilePhone => {
            if rng.chance(0.85) {
                "sms"
            } else {
                "voiceMobile"
            }
        }
        DefaultMethod::AlternateMobilePhone => "voiceAlternateMobile",
        DefaultMethod::OfficePhone => "voiceOffice",
    };
    let system_preferred = if m & PUSH != 0 {
        Some("push")
    } else if m & (OATH | HW_OATH) != 0 {
        Some("oath")
    } else if m & MOBILE != 0 {
        Some(if preferred == "voiceMobile" {
            "voiceMobile"
        } else {
            "sms"
        })
    } else {
        None
    };
    Row {
        id,
        person,
        mfa_capable,
        sspr_enabled,
        system_preferred_enabled,
        default,
        preferred,
        system_preferred,
        stamp,
    }
}

// ---------------------------------------------------------------------------
// CSV output
// ---------------------------------------------------------------------------

const PORTAL_HEADER: &str = "userPrincipalName,userDisplayName,isMfaCapable,isPasswordlessCapable,isSsprCapable,defaultMfaMethod,methodsRegistered,lastUpdatedDateTime";
const EXTENDED_HEADER: &str = "id,userPrincipalName,userDisplayName,userType,isAdmin,isMfaCapable,isMfaRegistered,isPasswordlessCapable,isSsprCapable,isSsprEnabled,isSsprRegistered,isSystemPreferredAuthenticationMethodEnabled,systemPreferredAuthenticationMethods,userPreferredMethodForSecondaryAuthentication,defaultMfaMethod,methodsRegistered,lastUpdatedDateTime";

/// Appends a field, quoting it only when it contains `,`, `"`, CR or LF.
fn push_field(line: &mut String, value: &str) {
    if value
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        line.push('"');
        for (i, part) in value.split('"').enumerate() {
            if i > 0 {
                line.push_str("\"\"");
            }
            line.push_str(part);
        }
        line.push('"');
    } else {
        line.push_str(value);
    }
}

fn push_bool(line: &mut String, value: bool) {
    line.push_str(if value { "True" } else { "False" });
}

/// Appends a JSON string array as one CSV cell. The names never contain
/// characters that need JSON escaping, and a non-empty array always contains
/// `"`, so the cell is quoted with its inner quotes doubled.
fn push_json_list<'a>(line: &mut String, names: impl Iterator<Item = &'a str>) {
    let start = line.len();
    line.push_str("\"[");
    let mut any = false;
    for name in names {
        if any {
            line.push(',');
        }
        any = true;
        line.push_str("\"\"");
        line.push_str(name);
        line.push_str("\"\"");
    }
    if any {
        line.push_str("]\"");
    } else {
        line.truncate(start);
        line.push_str("[]");
    }
}

fn method_names(m: u32) -> impl Iterator<Item = &'static str> {
    METHOD_NAMES
        .iter()
        .enumerate()
        .filter(move |&(bit, _)| m & (1 << bit) != 0)
        .map(|(_, &name)| name)
}

fn push_guid(line: &mut String, (hi, lo): (u64, u64)) {
    let hi = (hi & 0xFFFF_FFFF_FFFF_0FFF) | 0x4000; // version 4
    let lo = (lo & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000; // RFC 4122 variant
    let _ = write!(
        line,
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    );
}

fn push_row(line: &mut String, layout: Layout, upn: &str, name: &str, row: &Row) {
    let m = row.person.methods;
    let passwordless = m & PASSWORDLESS != 0;
    let sspr_registered = m & SSPR != 0;
    let sspr_capable = row.sspr_enabled && sspr_registered;

    match layout {
        Layout::Portal => {
            push_field(line, upn);
            line.push(',');
            push_field(line, name);
            line.push(',');
            push_bool(line, row.mfa_capable);
            line.push(',');
            push_bool(line, passwordless);
            line.push(',');
            push_bool(line, sspr_capable);
            line.push(',');
        }
        Layout::Extended => {
            push_guid(line, row.id);
            line.push(',');
            push_field(line, upn);
            line.push(',');
            push_field(line, name);
            line.push(',');
            line.push_str(if row.person.guest { "guest" } else { "member" });
            line.push(',');
            push_bool(line, row.person.admin);
            line.push(',');
            push_bool(line, row.mfa_capable);
            line.push(',');
            push_bool(line, m & MFA != 0);
            line.push(',');
            push_bool(line, passwordless);
            line.push(',');
            push_bool(line, sspr_capable);
            line.push(',');
            push_bool(line, row.sspr_enabled);
            line.push(',');
            push_bool(line, sspr_registered);
            line.push(',');
            push_bool(line, row.system_preferred_enabled);
            line.push(',');
            push_json_list(line, row.system_preferred.into_iter());
            line.push(',');
            line.push_str(row.preferred);
            line.push(',');
        }
    }
    line.push_str(row.default.api_name());
    line.push(',');
    push_json_list(line, method_names(m));
    line.push(',');
    write_stamp(line, row.stamp);
    line.push_str("\r\n");
}

/// Writes the registration export; when `roster` is given, also records every
/// user for the sign-in files.
fn generate(
    args: &Args,
    sink: impl Write,
    mut roster: Option<&mut Vec<Account>>,
) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, sink);
    out.write_all(b"\xEF\xBB\xBF")?;
    out.write_all(match args.layout {
        Layout::Portal => PORTAL_HEADER.as_bytes(),
        Layout::Extended => EXTENDED_HEADER.as_bytes(),
    })?;
    out.write_all(b"\r\n")?;

    let mut fixed_rng = Rng::new(FIXED_SEED);
    let mut rng = Rng::new(args.seed);
    let mut line = String::with_capacity(1024);
    let mut upn = String::with_capacity(128);
    let mut name = String::with_capacity(128);

    for index in 0..args.users {
        line.clear();
        if let Some(fixed) = FIXED_USERS.get(index) {
            let person = Person {
                guest: fixed.guest,
                admin: fixed.admin,
                methods: fixed.methods,
            };
            let stamp = if index == 0 { Some(NEWEST) } else { None };
            let row = finish(&mut fixed_rng, person, stamp);
            push_row(&mut line, args.layout, fixed.upn, fixed.name, &row);
            if let Some(roster) = roster.as_deref_mut() {
                roster.push(Account::registered(fixed.upn, fixed.name, &row));
            }
        } else {
            let person = random_person(&mut rng, index + 1, &mut upn, &mut name);
            let row = finish(&mut rng, person, None);
            push_row(&mut line, args.layout, &upn, &name, &row);
            if let Some(roster) = roster.as_deref_mut() {
                roster.push(Account::registered(&upn, &name, &row));
            }
        }
        out.write_all(line.as_bytes())?;
    }
    out.flush()
}

// ---------------------------------------------------------------------------
// Sign-in logs: tenant-wide constants and reference tables
// ---------------------------------------------------------------------------

/// Length of the sign-in window in seconds: 2026-11-13T06:00:00Z up to, not
/// including, 2026-11-20T06:00:00Z.
const SIGNIN_WINDOW_SECS: u32 = 7 * 86_400;
const SIGNIN_START_DAY: u32 = 13; // November 2026
/// Start of the registration timestamp window (2026-11-17T06:00:00Z) in
/// seconds since the start of the sign-in window.
const REGISTRATION_OFFSET_SECS: u32 = 4 * 86_400;

/// Salts of the independent generator streams: user profiles and each file.
const PROFILE_SALT: u64 = 0x5349_474E_5052_4F46;
const INTERACTIVE_SALT: u64 = 0x5349_474E_494E_5452;
const NONINTERACTIVE_SALT: u64 = 0x5349_474E_4E4F_4E49;
const APPLICATION_SALT: u64 = 0x5349_474E_4150_504C;
const BURST_SALT: u64 = 0x4641_5449_4755_4521;

const USER_SIGNIN_HEADER: &str = "Date (UTC),Request ID,User agent,Correlation ID,User ID,User,Username,User type,Cross tenant access type,Incoming token type,Authentication Protocol,Unique token identifier,Original transfer method,Client credential type,Token Protection - Sign In Session,Token Protection - Sign In Session StatusCode,Application,Application ID ,App owner tenant ID,Resource,Resource ID ,Resource tenant ID,Resource owner tenant ID,Home tenant ID,Home tenant name,IP address,Location,Status,Sign-in error code,Failure reason,Client app,Device ID,Browser,Operating System,Compliant,Managed,Join Type,Multifactor authentication result,Multifactor authentication auth method,Multifactor authentication auth detail,Authentication requirement,Sign-in identifier,Session ID,IP address (seen by resource),Through Global Secure Access,Global Secure Access IP address,Autonomous system  number,Flagged for review,Token issuer type,Incoming token type,Token issuer name,Latency,Conditional Access,Managed Identity type,Associated Resource Id,Federated Token Id,Federated Token Issuer";
const AUTH_DETAILS_HEADER: &str = "Request ID,Date (UTC),Authentication method,Authentication method detail,Succeeded,Result detail,Requirement";
const APP_SIGNIN_HEADER: &str = "Date (UTC),Request ID,Correlation ID,Service principal ID,Service principal name,Credential key ID,Credential thumbprint,Application,Application ID ,App owner tenant ID,Resource,Resource ID ,Resource tenant ID,Resource owner tenant ID,Home tenant ID,Home tenant name,IP address,Location,Status,Sign-in error code,Failure reason,Conditional Access";

const CONTOSO_TENANT_ID: &str = "4d2f7c1a-8b3e-4f60-9a5d-0c6e2b8f1a37";
const CONTOSO_TENANT_NAME: &str = "Contoso";
/// Tenant that owns Microsoft's first-party applications and resources.
const MICROSOFT_TENANT_ID: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
/// Home tenants of the guests, in the order of `GUEST_DOMAINS`.
const GUEST_TENANT_IDS: [&str; 8] = [
    "9b1e3f57-2c84-4d0a-b6e1-7f3a5c9d2e08",
    "2a6c8e04-7d19-4b3f-8e52-c1d4f6a8b093",
    "e5b7d931-4f2a-4c86-a0d7-3b9e1f5c7a24",
    "71c3a5e9-0b8d-4f12-9c6e-5a2d8b4f1e60",
    "c8f0b2d4-6e1a-4a3c-b597-2d4f6a8c0e1b",
    "3e5a7c91-d2b4-4e6f-8a13-9c5e7b1d3f42",
    "b4d6f8a0-1c3e-4b5d-9f27-6e8a0c2e4a86",
    "6f8a0c2e-4b6d-4e8f-a139-0d2f4b6d8f1a",
];
const FEDERATION_ISSUER: &str = "http://sts.contoso.example/adfs/services/trust";

struct App {
    name: &'static str,
    id: &'static str,
    resource: &'static str,
    resource_id: &'static str,
    /// Share of interactive sign-ins made from a browser.
    browser: f64,
}

const GRAPH_ID: &str = "00000003-0000-0000-c000-000000000000";
const EXCHANGE_ID: &str = "00000002-0000-0ff1-ce00-000000000000";
const SHAREPOINT_ID: &str = "00000003-0000-0ff1-ce00-000000000000";

const EXCHANGE: App = App {
    name: "Office 365 Exchange Online",
    id: EXCHANGE_ID,
    resource: "Office 365 Exchange Online",
    resource_id: EXCHANGE_ID,
    browser: 0.45,
};
const TEAMS: App = App {
    name: "Microsoft Teams",
    id: "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
    resource: "Microsoft Teams Services",
    resource_id: "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
    browser: 0.2,
};
const SHAREPOINT: App = App {
    name: "Office 365 SharePoint Online",
    id: SHAREPOINT_ID,
    resource: "Office 365 SharePoint Online",
    resource_id: SHAREPOINT_ID,
    browser: 0.8,
};
const OFFICE_APP: App = App {
    name: "Microsoft Office",
    id: "d3590ed6-52b3-4102-aeff-aad2292ab01c",
    resource: "Microsoft Graph",
    resource_id: GRAPH_ID,
    browser: 0.0,
};
const OFFICE_HOME: App = App {
    name: "OfficeHome",
    id: "4765445b-32c6-49b0-83e6-1d93765276ca",
    resource: "OfficeHome",
    resource_id: "4765445b-32c6-49b0-83e6-1d93765276ca",
    browser: 1.0,
};
const AZURE_PORTAL: App = App {
    name: "Azure Portal",
    id: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
    resource: "Windows Azure Service Management API",
    resource_id: "797f4846-ba00-4fd7-ba43-dac1f8f63013",
    browser: 1.0,
};
const OUTLOOK_MOBILE: App = App {
    name: "Outlook Mobile",
    id: "27922004-5251-4030-b22d-91ecd9a37ea4",
    resource: "Office 365 Exchange Online",
    resource_id: EXCHANGE_ID,
    browser: 0.0,
};
const AUTH_BROKER: App = App {
    name: "Microsoft Authentication Broker",
    id: "29d9ed98-a469-4536-ade2-f981bc1d605e",
    resource: "Microsoft Graph",
    resource_id: GRAPH_ID,
    browser: 0.0,
};
/// The security-info registration app (aka.ms/mysecurityinfo).
const MY_SIGNINS: App = App {
    name: "My Signins",
    id: "19db86c3-b2b9-44cc-b339-36da233a3be2",
    resource: "My Signins",
    resource_id: "19db86c3-b2b9-44cc-b339-36da233a3be2",
    browser: 1.0,
};

/// Interactive applications: (app, member weight, admin weight, guest weight).
const INTERACTIVE_APPS: [(&App, u32, u32, u32); 8] = [
    (&EXCHANGE, 24, 14, 0),
    (&TEAMS, 20, 12, 45),
    (&SHAREPOINT, 16, 10, 40),
    (&OFFICE_APP, 15, 10, 0),
    (&OFFICE_HOME, 12, 10, 15),
    (&AZURE_PORTAL, 2, 34, 0),
    (&OUTLOOK_MOBILE, 6, 4, 0),
    (&AUTH_BROKER, 5, 6, 0),
];

/// Non-interactive (token refresh) applications with their weights.
const NONINTERACTIVE_APPS: [(&App, u32); 6] = [
    (&TEAMS, 30),
    (&OFFICE_APP, 20),
    (&OUTLOOK_MOBILE, 15),
    (&AUTH_BROKER, 15),
    (&EXCHANGE, 10),
    (&SHAREPOINT, 10),
];

struct Place {
    /// `City, State, CC` as the portal writes it.
    label: &'static str,
    asn: u32,
    /// Country calling code of phones registered there.
    phone: &'static str,
}

const fn place(label: &'static str, asn: u32, phone: &'static str) -> Place {
    Place { label, asn, phone }
}

/// Where users live and usually sign in from.
const HOME_PLACES: [Place; 19] = [
    place("Seattle, Washington, US", 7922, "+1"),
    place("Redmond, Washington, US", 7922, "+1"),
    place("New York, New York, US", 701, "+1"),
    place("Chicago, Illinois, US", 7018, "+1"),
    place("Toronto, Ontario, CA", 577, "+1"),
    place("London, England, GB", 2856, "+44"),
    place("Dublin, Dublin, IE", 5466, "+353"),
    place("Berlin, Berlin, DE", 3320, "+49"),
    place("Munich, Bavaria, DE", 3209, "+49"),
    place("Paris, Ile-de-France, FR", 3215, "+33"),
    place("Amsterdam, North Holland, NL", 1136, "+31"),
    place("Stockholm, Stockholm, SE", 3301, "+46"),
    place("Zürich, Zurich, CH", 3303, "+41"),
    place("Warsaw, Mazowieckie, PL", 5617, "+48"),
    place("Madrid, Madrid, ES", 3352, "+34"),
    place("Tokyo, Tokyo, JP", 4713, "+81"),
    place("Sydney, New South Wales, AU", 1221, "+61"),
    place("Mumbai, Maharashtra, IN", 9498, "+91"),
    place("São Paulo, Sao Paulo, BR", 26599, "+55"),
];

/// Unusual origins: password sprays, MFA-fatigue attacks, hosting providers.
const AWAY_PLACES: [Place; 8] = [
    place("Lagos, Lagos, NG", 29465, "+234"),
    place("Moscow, Moscow, RU", 12389, "+7"),
    place("Hanoi, Hanoi, VN", 45899, "+84"),
    place("Ashburn, Virginia, US", 14618, "+1"),
    place("Frankfurt am Main, Hesse, DE", 24940, "+49"),
    place("Singapore, Singapore, SG", 16509, "+65"),
    place("Bucharest, Bucuresti, RO", 8708, "+40"),
    place("Johannesburg, Gauteng, ZA", 37100, "+27"),
];

/// Azure regions that service principals run in.
const CLOUD_PLACES: [Place; 4] = [
    place("Amsterdam, North Holland, NL", 8075, "+31"),
    place("Dublin, Dublin, IE", 8075, "+353"),
    place("Boydton, Virginia, US", 8075, "+1"),
    place("San Antonio, Texas, US", 8075, "+1"),
];

struct Platform {
    os: &'static str,
    browser: &'static str,
    browser_agent: &'static str,
    app_browser: &'static str,
    app_agent: &'static str,
}

const PLATFORMS: [Platform; 7] = [
    Platform {
        os: "Windows 10",
        browser: "Edge 131.0.0",
        browser_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        app_browser: "Rich Client 5.2.6.0",
        app_agent: "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.18129; Pro)",
    },
    Platform {
        os: "Windows 10",
        browser: "Chrome 131.0.0",
        browser_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        app_browser: "Rich Client 5.2.6.0",
        app_agent: "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Teams 24295.606.3238; Pro)",
    },
    Platform {
        os: "MacOs",
        browser: "Safari 18.1",
        browser_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
        app_browser: "Rich Client 5.2.6.0",
        app_agent: "Microsoft Office/16.0 (Macintosh; Mac OS X 15.1; Microsoft Outlook 16.91; Pro)",
    },
    Platform {
        os: "MacOs",
        browser: "Chrome 131.0.0",
        browser_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        app_browser: "Rich Client 5.2.6.0",
        app_agent: "Microsoft Office/16.0 (Macintosh; Mac OS X 15.1; Microsoft Word 16.91; Pro)",
    },
    Platform {
        os: "Linux",
        browser: "Firefox 133.0",
        browser_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        app_browser: "",
        app_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    },
    Platform {
        os: "Ios",
        browser: "Mobile Safari 18.1",
        browser_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        app_browser: "Mobile Safari",
        app_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    },
    Platform {
        os: "Android",
        browser: "Chrome Mobile 131.0.6778",
        browser_agent: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
        app_browser: "Chrome Mobile",
        app_agent: "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/AP2A.240905.003)",
    },
];
const WIN_EDGE: usize = 0;
const WIN_CHROME: usize = 1;
const MAC_SAFARI: usize = 2;
const MAC_CHROME: usize = 3;
const LINUX: usize = 4;
const IOS: usize = 5;
const ANDROID: usize = 6;
/// Desktop platforms with their weights.
const DESKTOP_WEIGHTS: [(usize, u32); 5] = [
    (WIN_EDGE, 50),
    (WIN_CHROME, 22),
    (MAC_SAFARI, 14),
    (MAC_CHROME, 10),
    (LINUX, 4),
];
/// User agent of a Windows device renewing its primary refresh token.
const PRT_AGENT: &str = "Windows-AzureAD-Authentication-Provider/1.0";

/// Legacy-authentication client apps with a typical user agent.
const LEGACY_CLIENTS: [(&str, &str); 7] = [
    ("IMAP4", ""),
    ("POP3", ""),
    ("Authenticated SMTP", ""),
    (
        "Exchange ActiveSync",
        "Android-Mail/2024.10.27.693519411.Release",
    ),
    (
        "AutoDiscover",
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.5417; Pro)",
    ),
    (
        "MAPI Over HTTP",
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.5417; Pro)",
    ),
    ("Other clients", "BAV2ROPC"),
];
const LEGACY_IMAP: usize = 0;
const LEGACY_SMTP: usize = 2;
const LEGACY_OTHER: usize = 6;

const PUSH_DEVICES: [&str; 8] = [
    "iPhone 15",
    "iPhone 14 Pro",
    "iPhone 13",
    "iPhone SE",
    "Pixel 8",
    "Pixel 7a",
    "SM-S918B",
    "SM-A546B",
];

/// Accounts that sign in but are absent from the registration export.
const ABSENT_ACCOUNTS: [(&str, &str); 4] = [
    ("svc-legacy-scanner@contoso.example", "SVC Legacy Scanner"),
    ("former.employee@contoso.example", "Former Employee"),
    ("test.user01@contoso.example", "Test User 01"),
    ("frontdesk.kiosk@contoso.example", "Kiosk, Front Desk"),
];
const ABSENT_SCANNER: usize = 0;
const ABSENT_FORMER: usize = 1;

/// Service principals of the tenant: (name, credential, resources, weight).
const PRINCIPALS: [(&str, Credential, &[usize], u32); 7] = [
    ("Contoso HR Sync", Credential::Secret, &[0], 30),
    ("Contoso Backup Agent", Credential::Certificate, &[1, 2], 25),
    ("Mailbox Archiver", Credential::Certificate, &[1], 15),
    ("Reporting Connector", Credential::Secret, &[0, 2], 12),
    (
        "legacy-scanner-connector",
        Credential::ExpiringSecret,
        &[1],
        8,
    ),
    ("GitHub Actions Deploy", Credential::Federated, &[4, 3], 6),
    ("Contoso, Ltd. Billing Export", Credential::Secret, &[0], 4),
];
/// Resources that service principals call: (name, id).
const APP_RESOURCES: [(&str, &str); 5] = [
    ("Microsoft Graph", GRAPH_ID),
    ("Office 365 Exchange Online", EXCHANGE_ID),
    ("Office 365 SharePoint Online", SHAREPOINT_ID),
    ("Azure Key Vault", "cfa8b339-82a2-471a-a3c9-0fc0be7a4093"),
    (
        "Windows Azure Service Management API",
        "797f4846-ba00-4fd7-ba43-dac1f8f63013",
    ),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Credential {
    Secret,
    /// A client secret that has run out, so most sign-ins fail.
    ExpiringSecret,
    Certificate,
    Federated,
}

// ---------------------------------------------------------------------------
// Sign-in logs: formatting helpers
// ---------------------------------------------------------------------------

/// splitmix64 finaliser: a well-mixed hash of one number.
fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Two well-mixed words from one key, e.g. for a GUID that must be stable.
fn mix2(key: u64) -> (u64, u64) {
    let hi = mix(key);
    (hi, mix(hi ^ key))
}

fn push_hex(line: &mut String, value: u64, digits: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in (0..digits).rev() {
        line.push(char::from(HEX[((value >> (i * 4)) & 0xF) as usize]));
    }
}

/// Same text as `push_guid`, without the formatting machinery.
fn push_guid_fast(line: &mut String, (hi, lo): (u64, u64)) {
    let hi = (hi & 0xFFFF_FFFF_FFFF_0FFF) | 0x4000;
    let lo = (lo & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
    push_hex(line, hi >> 32, 8);
    line.push('-');
    push_hex(line, hi >> 16, 4);
    line.push('-');
    push_hex(line, hi, 4);
    line.push('-');
    push_hex(line, lo >> 48, 4);
    line.push('-');
    push_hex(line, lo, 12);
}

/// A 22-character base64url string, the shape of a unique token identifier.
fn push_token_id(line: &mut String, (hi, lo): (u64, u64)) {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for word in [hi, lo] {
        for i in 0..11 {
            line.push(char::from(B64[((word >> (i * 6)) & 63) as usize]));
        }
    }
}

fn push_uint(line: &mut String, mut value: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    for &d in &digits[start..] {
        line.push(char::from(d));
    }
}

fn push_two_digits(line: &mut String, value: u32) {
    line.push(char::from(b'0' + (value / 10) as u8));
    line.push(char::from(b'0' + (value % 10) as u8));
}

/// Writes `2026-11-DDTHH:MM:SSZ` for seconds since the sign-in window start.
fn push_signin_date(line: &mut String, secs: u32) {
    let t = WINDOW_START_SECS_OF_DAY + secs;
    let rem = t % 86_400;
    line.push_str("2026-11-");
    push_two_digits(line, SIGNIN_START_DAY + t / 86_400);
    line.push('T');
    push_two_digits(line, rem / 3_600);
    line.push(':');
    push_two_digits(line, rem % 3_600 / 60);
    line.push(':');
    push_two_digits(line, rem % 60);
    line.push('Z');
}

/// An address from the documentation ranges (RFC 5737 and RFC 3849).
#[derive(Clone, Copy)]
enum Ip {
    V4 { block: u8, host: u8 },
    V6 { a: u16, b: u16, c: u16 },
}

fn random_ip(rng: &mut Rng) -> Ip {
    if rng.chance(0.12) {
        Ip::V6 {
            a: rng.below(0x1_0000) as u16,
            b: rng.below(0x1_0000) as u16,
            c: 1 + rng.below(0xFFFF) as u16,
        }
    } else {
        Ip::V4 {
            block: rng.below(3) as u8,
            host: 1 + rng.below(254) as u8,
        }
    }
}

fn push_ip(line: &mut String, ip: Ip) {
    match ip {
        Ip::V4 { block, host } => {
            line.push_str(match block {
                0 => "192.0.2.",
                1 => "198.51.100.",
                _ => "203.0.113.",
            });
            push_uint(line, u64::from(host));
        }
        Ip::V6 { a, b, c } => {
            line.push_str("2001:db8:");
            for (i, part) in [a, b, c].into_iter().enumerate() {
                if i == 2 {
                    line.push_str("::");
                } else if i == 1 {
                    line.push(':');
                }
                let digits = (4 - part.leading_zeros() / 4).max(1);
                push_hex(line, u64::from(part), digits);
            }
        }
    }
}

/// Picks an index from (value, weight) pairs.
fn pick_weighted<T: Copy>(rng: &mut Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|&(_, w)| w).sum();
    let mut r = rng.below(u64::from(total)) as u32;
    for &(item, w) in items {
        if r < w {
            return item;
        }
        r -= w;
    }
    items[items.len() - 1].0
}

// ---------------------------------------------------------------------------
// Sign-in logs: the people and devices behind the sign-ins
// ---------------------------------------------------------------------------

/// A user as the sign-in files see it, taken from the registration export.
struct Account {
    id: String,
    upn: String,
    name: String,
    guest: bool,
    admin: bool,
    methods: u32,
    mfa_capable: bool,
    default: DefaultMethod,
    voice_mobile: bool,
    /// Registration time in sign-in window seconds; `None` for accounts that
    /// are absent from the registration export.
    registered_at: Option<u32>,
}

impl Account {
    fn registered(upn: &str, name: &str, row: &Row) -> Self {
        let mut id = String::with_capacity(36);
        push_guid(&mut id, row.id);
        Account {
            id,
            upn: upn.to_string(),
            name: name.to_string(),
            guest: row.person.guest,
            admin: row.person.admin,
            methods: row.person.methods,
            mfa_capable: row.mfa_capable,
            default: row.default,
            voice_mobile: row.preferred == "voiceMobile",
            registered_at: Some(row.stamp.secs + REGISTRATION_OFFSET_SECS),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Join {
    None,
    Joined,
    Hybrid,
    Registered,
}

impl Join {
    fn label(self) -> &'static str {
        match self {
            Join::None => "",
            Join::Joined => "Microsoft Entra joined",
            Join::Hybrid => "Microsoft Entra hybrid joined",
            Join::Registered => "Microsoft Entra registered",
        }
    }
}

#[derive(Clone, Copy)]
struct Trust {
    join: Join,
    compliant: bool,
}

const UNMANAGED: Trust = Trust {
    join: Join::None,
    compliant: false,
};

/// An account with everything that stays the same across its sign-ins.
struct Actor {
    account: Account,
    /// Index into `ABSENT_ACCOUNTS` for accounts missing from the registration export.
    absent: Option<usize>,
    home: usize,
    home_ip: Ip,
    desktop: usize,
    desktop_trust: Trust,
    mobile: Option<(usize, Trust)>,
    device_seed: u64,
    /// Last two digits of the mobile, alternate and office phone numbers.
    phone_tails: [u8; 3],
    push_device: &'static str,
    /// Home tenant: `None` for Contoso, else an index into `GUEST_DOMAINS`.
    home_tenant: Option<usize>,
    sign_in_name: String,
    /// Preferred legacy client (index into `LEGACY_CLIENTS`).
    legacy: Option<usize>,
    external_mfa: bool,
}

impl Actor {
    fn has_mfa(&self) -> bool {
        self.account.mfa_capable
    }

    fn home_tenant(&self) -> (&'static str, &'static str) {
        match self.home_tenant {
            Some(i) => (GUEST_TENANT_IDS[i], GUEST_DOMAINS[i].1),
            None => (CONTOSO_TENANT_ID, CONTOSO_TENANT_NAME),
        }
    }
}

/// Guest domain index and the guest's own address, from a `#EXT#` UPN.
fn guest_origin(upn: &str) -> Option<(usize, String)> {
    let local = &upn[..upn.find("#EXT#")?];
    let cut = local.rfind('_')?;
    let domain = &local[cut + 1..];
    let index = GUEST_DOMAINS.iter().position(|&(d, _)| d == domain)?;
    Some((index, format!("{}@{domain}", &local[..cut])))
}

fn trust_for(rng: &mut Rng, platform: usize) -> Trust {
    let join = match platform {
        WIN_EDGE | WIN_CHROME => match rng.below(100) {
            0..=59 => Join::Joined,
            60..=91 => Join::Hybrid,
            _ => Join::Registered,
        },
        LINUX => Join::None,
        _ => {
            if rng.chance(0.7) {
                Join::Registered
            } else {
                Join::None
            }
        }
    };
    let compliant = match join {
        Join::Joined | Join::Hybrid => rng.chance(0.93),
        Join::Registered => rng.chance(0.6),
        Join::None => false,
    };
    Trust { join, compliant }
}

fn make_actor(rng: &mut Rng, account: Account, absent: Option<usize>) -> Actor {
    let home = rng.below(HOME_PLACES.len() as u64) as usize;
    let home_ip = random_ip(rng);
    let desktop = pick_weighted(rng, &DESKTOP_WEIGHTS);
    let outsider = account.guest || absent.is_some();
    let desktop_trust = if outsider {
        UNMANAGED
    } else {
        trust_for(rng, desktop)
    };
    let mobile = if rng.chance(0.8) {
        let platform = if rng.chance(0.55) { IOS } else { ANDROID };
        let trust = if outsider {
            UNMANAGED
        } else {
            trust_for(rng, platform)
        };
        Some((platform, trust))
    } else {
        None
    };
    let device_seed = rng.next_u64();
    let phone_tails = [
        rng.below(100) as u8,
        rng.below(100) as u8,
        rng.below(100) as u8,
    ];
    let push_device = *rng.pick(&PUSH_DEVICES);
    let (home_tenant, sign_in_name) = match guest_origin(&account.upn) {
        Some((index, address)) if account.guest => (Some(index), address),
        _ => (None, account.upn.clone()),
    };
    Actor {
        account,
        absent,
        home,
        home_ip,
        desktop,
        desktop_trust,
        mobile,
        device_seed,
        phone_tails,
        push_device,
        home_tenant,
        sign_in_name,
        legacy: None,
        external_mfa: false,
    }
}

/// Chooses up to `k` distinct entries of `candidates` (partial Fisher-Yates).
fn choose_distinct(rng: &mut Rng, mut candidates: Vec<u32>, k: usize) -> Vec<u32> {
    let k = k.min(candidates.len());
    for i in 0..k {
        let j = i + rng.below((candidates.len() - i) as u64) as usize;
        candidates.swap(i, j);
    }
    candidates.truncate(k);
    candidates
}

/// Everyone who signs in, with the groups the stories are told about.
struct Tenant {
    actors: Vec<Actor>,
    /// Number of actors present in the registration export (they come first).
    registered: usize,
    /// Registered actors, each repeated by how often they sign in.
    tickets: Vec<u32>,
    /// Registered actors with at least one method, and those with none.
    with_methods: Vec<u32>,
    without_methods: Vec<u32>,
    legacy: Vec<u32>,
    /// Targets of MFA-fatigue attacks.
    victims: Vec<u32>,
}

impl Tenant {
    fn build(roster: Vec<Account>, seed: u64) -> Tenant {
        let mut rng = Rng::new(seed ^ PROFILE_SALT);
        let registered = roster.len();
        let mut actors: Vec<Actor> = Vec::with_capacity(registered + ABSENT_ACCOUNTS.len());
        for account in roster {
            actors.push(make_actor(&mut rng, account, None));
        }
        for (i, &(upn, name)) in ABSENT_ACCOUNTS.iter().enumerate() {
            let mut id = String::with_capacity(36);
            push_guid(&mut id, (rng.next_u64(), rng.next_u64()));
            let account = Account {
                id,
                upn: upn.to_string(),
                name: name.to_string(),
                guest: false,
                admin: false,
                methods: 0,
                mfa_capable: false,
                default: DefaultMethod::None,
                voice_mobile: false,
                registered_at: None,
            };
            actors.push(make_actor(&mut rng, account, Some(i)));
        }
        actors[registered + ABSENT_SCANNER].legacy = Some(LEGACY_SMTP);

        let mut tickets = Vec::with_capacity(registered * 4);
        let mut with_methods = Vec::new();
        let mut without_methods = Vec::new();
        for (i, actor) in actors[..registered].iter().enumerate() {
            let dormant = i >= FIXED_USERS.len() && rng.chance(0.05);
            let weight = if dormant {
                0
            } else {
                1 + rng.below(5) + if actor.account.admin { 2 } else { 0 }
            };
            for _ in 0..weight {
                tickets.push(i as u32);
            }
            if actor.account.methods != 0 {
                with_methods.push(i as u32);
            } else {
                without_methods.push(i as u32);
            }
        }

        let plain_members = |actors: &[Actor]| -> Vec<u32> {
            (0..registered as u32)
                .filter(|&i| {
                    let a = &actors[i as usize];
                    !a.account.guest && !a.account.admin && a.legacy.is_none() && !a.external_mfa
                })
                .collect()
        };
        // A few members still use legacy protocols.
        let legacy = choose_distinct(
            &mut rng,
            plain_members(&actors),
            (registered / 80).clamp(2, 40),
        );
        for &i in &legacy {
            actors[i as usize].legacy = Some(rng.below(LEGACY_OTHER as u64) as usize);
        }
        // Two or three members use an external (federated) MFA provider.
        let candidates: Vec<u32> = plain_members(&actors)
            .into_iter()
            .filter(|&i| actors[i as usize].has_mfa())
            .collect();
        for i in choose_distinct(&mut rng, candidates, 3) {
            actors[i as usize].external_mfa = true;
        }
        // Some Authenticator users are bombarded with push requests.
        let candidates: Vec<u32> = (0..registered as u32)
            .filter(|&i| {
                let a = &actors[i as usize];
                !a.account.guest
                    && a.has_mfa()
                    && a.account.methods & PUSH != 0
                    && a.legacy.is_none()
                    && !a.external_mfa
            })
            .collect();
        let count = (candidates.len() / 60).clamp(2, 12);
        let victims = choose_distinct(&mut rng, candidates, count);

        Tenant {
            actors,
            registered,
            tickets,
            with_methods,
            without_methods,
            legacy,
            victims,
        }
    }

    fn absent(&self, index: usize) -> u32 {
        (self.registered + index) as u32
    }

    fn random_absent(&self, rng: &mut Rng) -> u32 {
        self.absent(rng.below(ABSENT_ACCOUNTS.len() as u64) as usize)
    }
}

// ---------------------------------------------------------------------------
// Sign-in logs: what happened in one sign-in
// ---------------------------------------------------------------------------

/// The second factor used in a sign-in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Factor {
    Push,
    Oath,
    Text,
    VoiceMobile,
    VoiceAlternate,
    VoiceOffice,
    PhoneSignIn,
    Fido2,
    WindowsHello,
    Passkey,
}

impl Factor {
    fn label(self) -> &'static str {
        match self {
            Factor::Push => "Mobile app notification",
            Factor::Oath => "OATH verification code",
            Factor::Text => "Text message",
            Factor::VoiceMobile => "Phone call approval (Authentication phone)",
            Factor::VoiceAlternate => "Phone call approval (Alternate phone)",
            Factor::VoiceOffice => "Phone call approval (Office phone)",
            Factor::PhoneSignIn => "Passwordless phone sign-in",
            Factor::Fido2 => "FIDO2 security key",
            Factor::WindowsHello => "Windows Hello for Business",
            Factor::Passkey => "Passkey (device-bound)",
        }
    }

    /// `Result detail` of a successful step in the AuthDetails file.
    fn success_detail(self) -> &'static str {
        match self {
            Factor::Push
            | Factor::PhoneSignIn
            | Factor::VoiceMobile
            | Factor::VoiceAlternate
            | Factor::VoiceOffice => "MFA successfully completed",
            _ => "MFA completed in Entra ID",
        }
    }

    fn denied_detail(self, no_response: bool) -> &'static str {
        match self {
            Factor::Push if no_response => {
                "MFA denied; user did not respond to mobile app notification"
            }
            Factor::Oath | Factor::Text => "MFA denied; invalid verification code",
            _ => "MFA denied; user declined the authentication",
        }
    }
}

/// Picks the factor a user completes MFA with, from their registered methods.
fn choose_factor(actor: &Actor, rng: &mut Rng, allow_strong: bool) -> Factor {
    let account = &actor.account;
    let m = account.methods;
    if allow_strong {
        let mut strong = [Factor::Push; 3];
        let mut n = 0;
        if m & (FIDO2_KEY | FIDO2_OLD) != 0 {
            strong[n] = Factor::Fido2;
            n += 1;
        }
        if m & (WHFB | PASSKEY_WINDOWS_HELLO) != 0 {
            strong[n] = Factor::WindowsHello;
            n += 1;
        }
        if m & (PASSKEY_DEVICE | PASSKEY_AUTHENTICATOR | MACOS_ENCLAVE) != 0 {
            strong[n] = Factor::Passkey;
            n += 1;
        }
        if n > 0 && rng.chance(if account.admin { 0.6 } else { 0.4 }) {
            return strong[rng.below(n as u64) as usize];
        }
        if m & AUTH_PASSWORDLESS != 0 && rng.chance(0.3) {
            return Factor::PhoneSignIn;
        }
    }
    let mut usable = [Factor::Push; 5];
    let mut n = 0;
    for (bit, factor) in [
        (PUSH, Factor::Push),
        (OATH | HW_OATH, Factor::Oath),
        (
            MOBILE,
            if account.voice_mobile {
                Factor::VoiceMobile
            } else {
                Factor::Text
            },
        ),
        (ALT_MOBILE, Factor::VoiceAlternate),
        (OFFICE, Factor::VoiceOffice),
    ] {
        if m & bit != 0 {
            usable[n] = factor;
            n += 1;
        }
    }
    let default = match account.default {
        DefaultMethod::Push => Some(Factor::Push),
        DefaultMethod::Oath => Some(Factor::Oath),
        DefaultMethod::MobilePhone => Some(
            usable[..n]
                .iter()
                .copied()
                .find(|f| matches!(f, Factor::Text | Factor::VoiceMobile))
                .unwrap_or(Factor::Text),
        ),
        DefaultMethod::AlternateMobilePhone => Some(Factor::VoiceAlternate),
        DefaultMethod::OfficePhone => Some(Factor::VoiceOffice),
        DefaultMethod::None => None,
    };
    match default {
        // Now and then the user picks "sign in another way".
        Some(f) if n < 2 || !rng.chance(0.15) => f,
        _ if n > 0 => usable[rng.below(n as u64) as usize],
        _ => Factor::Push,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Success,
    /// Any failure or interrupt, by error code.
    Error(u32),
}

impl Outcome {
    fn status(self) -> &'static str {
        match self {
            Outcome::Success => "Success",
            // The codes whose names end in "Interrupt".
            Outcome::Error(50072 | 50074) => "Interrupted",
            Outcome::Error(_) => "Failure",
        }
    }
}

const BAD_PASSWORD: u32 = 50126;
const LOCKED: u32 = 50053;
const DISABLED: u32 = 50057;
const BLOCKED_BY_CA: u32 = 53003;
const MFA_DENIED: u32 = 500121;
const PROOF_UP_BLOCKED: u32 = 53010;

fn failure_reason(code: u32) -> &'static str {
    match code {
        50126 => "Error validating credentials due to invalid username or password.",
        50053 => "Account is locked because user tried to sign in too many times with an incorrect user ID or password.",
        50057 => "User account is disabled. The account has been disabled by an administrator.",
        53003 => "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
        500121 => "Authentication failed during strong authentication request.",
        50074 => "Strong Authentication is required.",
        50076 => "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.",
        50072 => "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access the resource.",
        50079 => "User needs to enroll for second factor authentication.",
        53010 => "Cannot configure multi-factor authentication methods because the organization requires this information to be set from specific locations or devices.",
        50173 => "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
        70044 => "The session has expired or is invalid due to sign-in frequency checks by conditional access.",
        700082 => "The refresh token has expired due to inactivity.",
        7000215 => "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
        7000222 => "The provided client secret keys are expired. Visit the Azure portal to create new keys for your app.",
        700027 => "Client assertion failed signature validation.",
        _ => "Other.",
    }
}

/// How the MFA requirement was handled.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mfa {
    /// No second factor (single-factor, or the sign-in stopped before it).
    None,
    /// An MFA step happened and succeeded.
    Step(Factor),
    /// An MFA step happened and was denied or not answered.
    Denied(Factor, bool),
    /// Satisfied by an MFA claim in the token.
    Token,
    /// Satisfied by a claim from an external (federated) MFA provider.
    External,
}

#[derive(Clone, Copy)]
struct Device {
    platform: usize,
    id: Option<(u64, u64)>,
    trust: Trust,
}

/// Everything one user sign-in row says.
struct SignIn<'a> {
    secs: u32,
    request: (u64, u64),
    correlation: (u64, u64),
    token: (u64, u64),
    actor: &'a Actor,
    agent: &'static str,
    incoming: &'static str,
    protocol: &'static str,
    app: &'static App,
    ip: Ip,
    place: &'static Place,
    outcome: Outcome,
    /// Leave `Sign-in error code` empty on this success row.
    blank_code: bool,
    client: &'static str,
    /// `None` for legacy clients, which report no device.
    device: Option<Device>,
    mfa: Mfa,
    multifactor: bool,
    ca: &'static str,
    gsa: Option<Ip>,
    resource_sees_ip: bool,
    flagged: bool,
    latency: u32,
}

impl<'a> SignIn<'a> {
    /// A sign-in with the common fields drawn; callers adjust the rest.
    fn new(rng: &mut Rng, secs: u32, actor: &'a Actor, app: &'static App) -> Self {
        // Mostly from home; otherwise travelling.
        let (ip, place) = if rng.chance(0.9) {
            (actor.home_ip, &HOME_PLACES[actor.home])
        } else {
            (random_ip(rng), rng.pick(&HOME_PLACES))
        };
        let gsa = if actor.home_tenant.is_none() && rng.chance(0.03) {
            Some(random_ip(rng))
        } else {
            None
        };
        SignIn {
            secs,
            request: (rng.next_u64(), rng.next_u64()),
            correlation: (rng.next_u64(), rng.next_u64()),
            token: (rng.next_u64(), rng.next_u64()),
            actor,
            agent: "",
            incoming: "None",
            protocol: "None",
            app,
            ip,
            place,
            outcome: Outcome::Success,
            blank_code: rng.chance(0.1),
            client: "Browser",
            device: None,
            mfa: Mfa::None,
            multifactor: false,
            ca: "Not Applied",
            gsa,
            resource_sees_ip: rng.chance(0.4),
            flagged: false,
            latency: 35 + rng.below(600) as u32,
        }
    }

    /// Moves the sign-in to an unusual place.
    fn move_away(&mut self, rng: &mut Rng) {
        self.place = rng.pick(&AWAY_PLACES);
        self.ip = random_ip(rng);
        self.gsa = None;
    }

    fn with_client(&mut self, browser: bool, device: Device) {
        let platform = &PLATFORMS[device.platform];
        if browser {
            self.client = "Browser";
            self.agent = platform.browser_agent;
        } else {
            self.client = "Mobile Apps and Desktop clients";
            self.agent = platform.app_agent;
        }
        self.device = Some(device);
        if device.trust.join == Join::None {
            self.gsa = None;
        }
    }

    /// Sets the outcome and the columns that follow from it.
    fn settle(&mut self, rng: &mut Rng, outcome: Outcome, mfa: Mfa) {
        self.outcome = outcome;
        self.mfa = mfa;
        self.multifactor = match outcome {
            Outcome::Success => mfa != Mfa::None,
            Outcome::Error(code) => matches!(
                code,
                MFA_DENIED | 50074 | 50076 | 50072 | 50079 | PROOF_UP_BLOCKED
            ),
        };
        let compliant = self.device.is_some_and(|d| d.trust.compliant);
        self.ca = match outcome {
            Outcome::Error(BLOCKED_BY_CA | PROOF_UP_BLOCKED) => "Failure",
            Outcome::Success if self.multifactor && rng.chance(0.8) => "Success",
            Outcome::Success if compliant && rng.chance(0.15) => "Success",
            _ => "Not Applied",
        };
        if let Mfa::Step(_) | Mfa::Denied(..) = mfa {
            self.latency += 150 + rng.below(900) as u32;
        }
        if outcome != Outcome::Success && rng.chance(0.004) {
            self.flagged = true;
        }
    }
}

/// The device a sign-in comes from.
fn pick_device(actor: &Actor, rng: &mut Rng) -> Device {
    let r = rng.below(100);
    let (platform, trust) = match actor.mobile {
        Some(mobile) if (68..95).contains(&r) => mobile,
        _ if r >= 95 => (pick_weighted(rng, &DESKTOP_WEIGHTS), UNMANAGED),
        _ => (actor.desktop, actor.desktop_trust),
    };
    device_for(actor, platform, trust)
}

fn device_for(actor: &Actor, platform: usize, trust: Trust) -> Device {
    let id = if trust.join == Join::None {
        None
    } else {
        Some(mix2(actor.device_seed ^ platform as u64))
    };
    Device {
        platform,
        id,
        trust,
    }
}

/// An unmanaged personal device (no device ID, not compliant).
fn personal_device(actor: &Actor, rng: &mut Rng) -> Device {
    let platform = match actor.mobile {
        Some((mobile, _)) if rng.chance(0.4) => mobile,
        _ => pick_weighted(rng, &DESKTOP_WEIGHTS),
    };
    device_for(actor, platform, UNMANAGED)
}

/// Outcome of an everyday sign-in, consistent with the user's registration.
fn everyday_outcome(actor: &Actor, rng: &mut Rng) -> (Outcome, Mfa) {
    if actor.absent == Some(ABSENT_FORMER) {
        return match rng.below(10) {
            0..=5 => (Outcome::Error(DISABLED), Mfa::None),
            6 | 7 => (Outcome::Error(BAD_PASSWORD), Mfa::None),
            _ => (Outcome::Success, Mfa::None),
        };
    }
    let r = rng.below(1000);
    if actor.has_mfa() {
        let error = match r {
            0..=39 => Some(BAD_PASSWORD),
            40..=44 => Some(LOCKED),
            45..=54 => Some(BLOCKED_BY_CA),
            55..=69 if !actor.external_mfa => {
                let factor = choose_factor(actor, rng, false);
                return (
                    Outcome::Error(MFA_DENIED),
                    Mfa::Denied(factor, rng.chance(0.5)),
                );
            }
            70..=94 => Some(50074),
            95..=119 => Some(50076),
            _ => None,
        };
        if let Some(code) = error {
            return (Outcome::Error(code), Mfa::None);
        }
        let mfa = if actor.external_mfa && rng.chance(0.9) {
            Mfa::External
        } else {
            match rng.below(100) {
                0..=34 => Mfa::Step(choose_factor(actor, rng, true)),
                35..=84 => Mfa::Token,
                _ => Mfa::None,
            }
        };
        (Outcome::Success, mfa)
    } else {
        let guest = actor.account.guest;
        let error = match r {
            0..=49 => Some(BAD_PASSWORD),
            50..=59 => Some(LOCKED),
            60..=89 => Some(BLOCKED_BY_CA),
            90..=144 if !guest && actor.absent.is_none() => Some(50072),
            145..=199 if !guest && actor.absent.is_none() => Some(50079),
            _ => None,
        };
        if let Some(code) = error {
            return (Outcome::Error(code), Mfa::None);
        }
        // Guests sometimes bring an MFA claim from their home tenant.
        let mfa = if guest && rng.chance(0.4) {
            Mfa::Token
        } else {
            Mfa::None
        };
        (Outcome::Success, mfa)
    }
}

fn pick_interactive_app(actor: &Actor, rng: &mut Rng) -> &'static App {
    let column = if actor.account.guest {
        3
    } else if actor.account.admin {
        2
    } else {
        1
    };
    let total: u32 = INTERACTIVE_APPS
        .iter()
        .map(|row| [0, row.1, row.2, row.3][column])
        .sum();
    let mut r = rng.below(u64::from(total)) as u32;
    for row in &INTERACTIVE_APPS {
        let w = [0, row.1, row.2, row.3][column];
        if r < w {
            return row.0;
        }
        r -= w;
    }
    &OFFICE_HOME
}

// ---------------------------------------------------------------------------
// Sign-in logs: planning the rows
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Everyday,
    MySignins,
    Legacy,
    FatigueDenied,
    FatigueApproved,
}

/// One planned sign-in; the row itself is drawn from a generator seeded by `seq`.
#[derive(Clone, Copy)]
struct Event {
    secs: u32,
    seq: u32,
    actor: u32,
    burst: u16,
    kind: Kind,
}

struct Plan {
    events: Vec<Event>,
}

impl Plan {
    fn with_capacity(n: usize) -> Self {
        Plan {
            events: Vec::with_capacity(n),
        }
    }

    fn len(&self) -> usize {
        self.events.len()
    }

    fn push(&mut self, secs: u32, actor: u32, kind: Kind, burst: u16) {
        let seq = self.events.len() as u32;
        self.events.push(Event {
            secs,
            seq,
            actor,
            burst,
            kind,
        });
    }

    /// Newest first, like the portal; ties keep their planning order.
    fn into_sorted(mut self) -> Vec<Event> {
        self.events
            .sort_unstable_by(|a, b| b.secs.cmp(&a.secs).then(a.seq.cmp(&b.seq)));
        self.events
    }
}

fn random_secs(rng: &mut Rng) -> u32 {
    rng.below(u64::from(SIGNIN_WINDOW_SECS)) as u32
}

fn plan_interactive(tenant: &Tenant, n: usize, rng: &mut Rng) -> Vec<Event> {
    let mut plan = Plan::with_capacity(n);
    // Every fixed (hostile-name) user signs in at least once.
    for i in 0..FIXED_USERS.len().min(tenant.registered).min(n) {
        plan.push(random_secs(rng), i as u32, Kind::Everyday, 0);
    }
    // MFA fatigue: bursts of denied push requests, now and then approved.
    if !tenant.victims.is_empty() && n >= 100 {
        let budget = n / 20;
        let bursts = (n / 400)
            .max(tenant.victims.len())
            .min(usize::from(u16::MAX));
        let mut used = 0;
        for b in 0..bursts {
            if used + 7 > budget {
                break;
            }
            let victim = tenant.victims[b % tenant.victims.len()];
            let mut secs = rng.below(u64::from(SIGNIN_WINDOW_SECS - 3_600)) as u32;
            for _ in 0..3 + rng.below(4) {
                plan.push(secs, victim, Kind::FatigueDenied, b as u16);
                secs += 15 + rng.below(75) as u32;
                used += 1;
            }
            if rng.chance(0.4) {
                plan.push(secs, victim, Kind::FatigueApproved, b as u16);
                used += 1;
            }
        }
    }
    while plan.len() < n {
        if tenant.tickets.is_empty() || rng.chance(0.01) {
            let actor = tenant.random_absent(rng);
            let kind = if tenant.actors[actor as usize].legacy.is_some() {
                Kind::Legacy
            } else {
                Kind::Everyday
            };
            plan.push(random_secs(rng), actor, kind, 0);
        } else if !tenant.legacy.is_empty() && rng.chance(0.03) {
            let actor = *rng.pick(&tenant.legacy);
            plan.push(random_secs(rng), actor, Kind::Legacy, 0);
        } else if rng.chance(0.03) {
            // Security-info registration traffic, mostly by users who have methods.
            let with = !tenant.with_methods.is_empty()
                && (tenant.without_methods.is_empty() || rng.chance(0.85));
            let actor = if with {
                *rng.pick(&tenant.with_methods)
            } else {
                *rng.pick(&tenant.without_methods)
            };
            let account = &tenant.actors[actor as usize].account;
            let secs = match account.registered_at {
                // Around the time the registration export says the methods changed.
                Some(at) if with && rng.chance(0.6) => at.saturating_sub(5 + rng.below(900) as u32),
                _ => random_secs(rng),
            };
            plan.push(secs, actor, Kind::MySignins, 0);
        } else {
            let actor = *rng.pick(&tenant.tickets);
            plan.push(random_secs(rng), actor, Kind::Everyday, 0);
        }
    }
    plan.into_sorted()
}

fn plan_noninteractive(tenant: &Tenant, n: usize, rng: &mut Rng) -> Vec<Event> {
    let mut plan = Plan::with_capacity(n);
    while plan.len() < n {
        let actor = if tenant.tickets.is_empty() || rng.chance(0.01) {
            // The scanner only speaks legacy protocols.
            tenant.absent(1 + rng.below(ABSENT_ACCOUNTS.len() as u64 - 1) as usize)
        } else {
            *rng.pick(&tenant.tickets)
        };
        plan.push(random_secs(rng), actor, Kind::Everyday, 0);
    }
    plan.into_sorted()
}

/// The generator of one planned row.
fn row_rng(salt: u64, seq: u32) -> Rng {
    Rng(mix(salt ^ (u64::from(seq) << 20)))
}

// ---------------------------------------------------------------------------
// Sign-in logs: drawing the rows
// ---------------------------------------------------------------------------

fn interactive_signin<'a>(tenant: &'a Tenant, event: &Event, salt: u64) -> SignIn<'a> {
    let mut rng = row_rng(salt, event.seq);
    let rng = &mut rng;
    let actor = &tenant.actors[event.actor as usize];
    match event.kind {
        Kind::Everyday => {
            let app = pick_interactive_app(actor, rng);
            let mut s = SignIn::new(rng, event.secs, actor, app);
            let browser = rng.chance(app.browser);
            let device = if actor.account.guest {
                personal_device(actor, rng)
            } else {
                pick_device(actor, rng)
            };
            s.with_client(browser, device);
            let (outcome, mfa) = everyday_outcome(actor, rng);
            if mfa == Mfa::External {
                s.gsa = None;
            }
            s.settle(rng, outcome, mfa);
            s
        }
        Kind::MySignins => {
            let mut s = SignIn::new(rng, event.secs, actor, &MY_SIGNINS);
            let r = rng.below(100);
            let (outcome, mfa) = if actor.has_mfa() {
                match r {
                    0..=14 => (Outcome::Error(PROOF_UP_BLOCKED), Mfa::None),
                    15..=24 => (Outcome::Success, Mfa::Token),
                    _ => (Outcome::Success, Mfa::Step(choose_factor(actor, rng, true))),
                }
            } else {
                match r {
                    0..=24 => (Outcome::Error(PROOF_UP_BLOCKED), Mfa::None),
                    25..=44 if !actor.account.guest => (Outcome::Error(50079), Mfa::None),
                    _ => (Outcome::Success, Mfa::None),
                }
            };
            // Registration is blocked from devices that are not compliant.
            let device = if outcome == Outcome::Error(PROOF_UP_BLOCKED) || actor.account.guest {
                personal_device(actor, rng)
            } else {
                pick_device(actor, rng)
            };
            s.with_client(true, device);
            s.settle(rng, outcome, mfa);
            s
        }
        Kind::Legacy => {
            let mut s = SignIn::new(rng, event.secs, actor, &EXCHANGE);
            let own = actor.legacy.unwrap_or(LEGACY_OTHER);
            let scanner = actor.absent == Some(ABSENT_SCANNER);
            let code = if scanner {
                if rng.chance(0.9) {
                    None
                } else {
                    Some(BAD_PASSWORD)
                }
            } else {
                match rng.below(100) {
                    0..=59 => None,
                    60..=84 => Some(BAD_PASSWORD),
                    85..=94 => Some(BLOCKED_BY_CA),
                    _ => Some(LOCKED),
                }
            };
            let mut client = own;
            if scanner && rng.chance(0.3) {
                client = LEGACY_IMAP;
            }
            if code.is_some() && !scanner {
                // Password spray against basic authentication.
                s.move_away(rng);
                if rng.chance(0.5) {
                    client = LEGACY_OTHER;
                }
            }
            let (name, agent) = LEGACY_CLIENTS[client];
            s.client = name;
            s.agent = agent;
            s.protocol = "ROPC";
            s.gsa = None;
            let outcome = code.map_or(Outcome::Success, Outcome::Error);
            s.settle(rng, outcome, Mfa::None);
            s
        }
        Kind::FatigueDenied | Kind::FatigueApproved => {
            let mut s = SignIn::new(rng, event.secs, actor, &OFFICE_HOME);
            // The attacker's browser and origin stay the same within a burst.
            let mut burst = Rng::new(salt ^ BURST_SALT ^ (u64::from(event.burst) << 24));
            s.place = burst.pick(&AWAY_PLACES);
            s.ip = random_ip(&mut burst);
            s.gsa = None;
            let platform = pick_weighted(&mut burst, &DESKTOP_WEIGHTS);
            s.with_client(true, device_for(actor, platform, UNMANAGED));
            let no_response = burst.chance(0.5);
            if event.kind == Kind::FatigueDenied {
                s.settle(
                    rng,
                    Outcome::Error(MFA_DENIED),
                    Mfa::Denied(Factor::Push, no_response),
                );
            } else {
                s.settle(rng, Outcome::Success, Mfa::Step(Factor::Push));
            }
            s
        }
    }
}

fn noninteractive_signin<'a>(tenant: &'a Tenant, event: &Event, salt: u64) -> SignIn<'a> {
    let mut rng = row_rng(salt, event.seq);
    let rng = &mut rng;
    let actor = &tenant.actors[event.actor as usize];
    let app = pick_weighted(rng, &NONINTERACTIVE_APPS);
    let mut s = SignIn::new(rng, event.secs, actor, app);
    let device = if actor.account.guest {
        personal_device(actor, rng)
    } else {
        pick_device(actor, rng)
    };
    s.with_client(false, device);
    let windows_joined = matches!(device.platform, WIN_EDGE | WIN_CHROME)
        && matches!(device.trust.join, Join::Joined | Join::Hybrid);
    if windows_joined && rng.chance(0.6) {
        s.incoming = "Primary refresh token";
        s.agent = PRT_AGENT;
    } else {
        s.incoming = "Refresh token";
    }
    let (outcome, mfa) = if actor.absent == Some(ABSENT_FORMER) && rng.chance(0.7) {
        (Outcome::Error(DISABLED), Mfa::None)
    } else {
        match rng.below(1000) {
            0..=19 => (Outcome::Error(50173), Mfa::None),
            20..=34 => (Outcome::Error(70044), Mfa::None),
            35..=44 => (Outcome::Error(700082), Mfa::None),
            45..=59 if actor.has_mfa() => (Outcome::Error(50076), Mfa::None),
            _ => {
                let claim = if actor.has_mfa() {
                    rng.chance(0.85)
                } else {
                    actor.account.guest && rng.chance(0.3)
                };
                let mfa = if !claim {
                    Mfa::None
                } else if actor.external_mfa && rng.chance(0.3) {
                    Mfa::External
                } else {
                    Mfa::Token
                };
                (Outcome::Success, mfa)
            }
        }
    };
    s.settle(rng, outcome, mfa);
    s.latency = 20 + rng.below(250) as u32;
    s
}

fn push_user_row(line: &mut String, s: &SignIn) {
    let actor = s.actor;
    let account = &actor.account;
    push_signin_date(line, s.secs);
    line.push(',');
    push_guid_fast(line, s.request);
    line.push(',');
    push_field(line, s.agent);
    line.push(',');
    push_guid_fast(line, s.correlation);
    line.push(',');
    line.push_str(&account.id);
    line.push(',');
    push_field(line, &account.name);
    line.push(',');
    push_field(line, &account.upn);
    line.push(',');
    line.push_str(if account.guest { "Guest" } else { "Member" });
    line.push(',');
    line.push_str(if account.guest {
        "B2B collaboration"
    } else {
        "None"
    });
    line.push(',');
    line.push_str(s.incoming);
    line.push(',');
    line.push_str(s.protocol);
    line.push(',');
    push_token_id(line, s.token);
    // Original transfer method, Client credential type, Token Protection (2).
    line.push_str(",,None,,,");
    line.push_str(s.app.name);
    line.push(',');
    line.push_str(s.app.id);
    line.push(',');
    line.push_str(MICROSOFT_TENANT_ID);
    line.push(',');
    line.push_str(s.app.resource);
    line.push(',');
    line.push_str(s.app.resource_id);
    line.push(',');
    line.push_str(CONTOSO_TENANT_ID);
    line.push(',');
    line.push_str(MICROSOFT_TENANT_ID);
    line.push(',');
    let (home_id, home_name) = actor.home_tenant();
    line.push_str(home_id);
    line.push(',');
    push_field(line, home_name);
    line.push(',');
    push_ip(line, s.ip);
    line.push(',');
    push_field(line, s.place.label);
    line.push(',');
    line.push_str(s.outcome.status());
    line.push(',');
    match s.outcome {
        Outcome::Success => {
            if !s.blank_code {
                line.push('0');
            }
            line.push(',');
        }
        Outcome::Error(code) => {
            push_uint(line, u64::from(code));
            line.push(',');
            push_field(line, failure_reason(code));
        }
    }
    line.push(',');
    line.push_str(s.client);
    line.push(',');
    match s.device {
        Some(device) => {
            let platform = &PLATFORMS[device.platform];
            if let Some(id) = device.id {
                push_guid_fast(line, id);
            }
            line.push(',');
            line.push_str(if s.client == "Browser" {
                platform.browser
            } else {
                platform.app_browser
            });
            line.push(',');
            line.push_str(platform.os);
            line.push(',');
            push_bool(line, device.trust.compliant);
            line.push(',');
            push_bool(
                line,
                device.trust.compliant || matches!(device.trust.join, Join::Joined | Join::Hybrid),
            );
            line.push(',');
            line.push_str(device.trust.join.label());
        }
        None => line.push_str(",,,False,False,"),
    }
    line.push(',');
    match s.mfa {
        Mfa::Step(factor) => {
            line.push_str("MFA completed in Entra ID,");
            line.push_str(factor.label());
            line.push(',');
            push_factor_detail(line, actor, factor);
        }
        Mfa::Denied(factor, no_response) => {
            line.push_str(factor.denied_detail(no_response));
            line.push(',');
            line.push_str(factor.label());
            line.push(',');
            push_factor_detail(line, actor, factor);
        }
        Mfa::Token => line.push_str("MFA requirement satisfied by claim in the token,,"),
        Mfa::External => {
            line.push_str("MFA requirement satisfied by claim provided by external provider,,");
        }
        Mfa::None => line.push_str(",,"),
    }
    line.push(',');
    line.push_str(if s.multifactor {
        "Multifactor authentication"
    } else {
        "Single-factor authentication"
    });
    line.push(',');
    push_field(line, &actor.sign_in_name);
    line.push(',');
    let platform = s.device.map_or(0x00FF, |d| d.platform as u64);
    push_guid_fast(
        line,
        mix2(actor.device_seed ^ (platform << 8) ^ (u64::from(s.secs / 86_400) << 16)),
    );
    line.push(',');
    if s.resource_sees_ip {
        push_ip(line, s.ip);
    }
    line.push(',');
    match s.gsa {
        Some(ip) => {
            line.push_str("True,");
            push_ip(line, ip);
        }
        None => line.push_str("False,"),
    }
    line.push(',');
    push_uint(line, u64::from(s.place.asn));
    line.push(',');
    push_bool(line, s.flagged);
    line.push(',');
    if s.mfa == Mfa::External {
        line.push_str("ADFederationServices,");
        line.push_str(s.incoming);
        line.push(',');
        line.push_str(FEDERATION_ISSUER);
    } else {
        line.push_str("AzureAD,");
        line.push_str(s.incoming);
        line.push(',');
    }
    line.push(',');
    push_uint(line, u64::from(s.latency));
    line.push(',');
    line.push_str(s.ca);
    // Managed Identity type, Associated Resource Id, Federated Token Id / Issuer.
    line.push_str(",,,,\r\n");
}

/// Masked phone number or device name of an MFA step, as the portal shows it.
fn push_factor_detail(line: &mut String, actor: &Actor, factor: Factor) {
    let tail = match factor {
        Factor::Push | Factor::PhoneSignIn => {
            line.push_str(actor.push_device);
            return;
        }
        Factor::Text | Factor::VoiceMobile => actor.phone_tails[0],
        Factor::VoiceAlternate => actor.phone_tails[1],
        Factor::VoiceOffice => actor.phone_tails[2],
        _ => return,
    };
    line.push_str(HOME_PLACES[actor.home].phone);
    line.push_str(" XXXXXXXX");
    push_two_digits(line, u32::from(tail));
}

/// The AuthDetails rows of one interactive sign-in.
fn push_auth_details(out: &mut String, s: &SignIn) {
    let step = |out: &mut String| {
        push_guid_fast(out, s.request);
        out.push(',');
        push_signin_date(out, s.secs);
        out.push(',');
    };
    step(out);
    out.push_str("Password,Password in the cloud,");
    out.push_str(match s.outcome {
        Outcome::Error(BAD_PASSWORD) => {
            "false,Invalid username or password or Invalid on-premise username or password."
        }
        Outcome::Error(LOCKED) => "false,Account is locked.",
        Outcome::Error(DISABLED) => {
            "false,User account is disabled. The account has been disabled by an administrator."
        }
        _ => "true,Correct password",
    });
    out.push_str(",Primary authentication\r\n");
    match s.mfa {
        Mfa::Step(factor) | Mfa::Denied(factor, _) => {
            step(out);
            out.push_str(factor.label());
            out.push(',');
            push_factor_detail(out, s.actor, factor);
            if let Mfa::Denied(_, no_response) = s.mfa {
                out.push_str(",false,");
                out.push_str(factor.denied_detail(no_response));
            } else {
                out.push_str(",true,");
                out.push_str(factor.success_detail());
            }
            out.push_str(",Multifactor authentication\r\n");
        }
        Mfa::Token => {
            step(out);
            out.push_str("Previously satisfied,,true,MFA requirement satisfied by claim in the token,Multifactor authentication\r\n");
        }
        Mfa::External => {
            step(out);
            out.push_str("Previously satisfied,,true,MFA requirement satisfied by claim provided by external provider,Multifactor authentication\r\n");
        }
        Mfa::None => {}
    }
}

/// One application (service principal) sign-in row.
fn push_app_row(line: &mut String, rng: &mut Rng, secs: u32, principals: &[ServicePrincipal]) {
    let total: u32 = PRINCIPALS.iter().map(|p| p.3).sum();
    let mut r = rng.below(u64::from(total)) as u32;
    let mut index = 0;
    while r >= PRINCIPALS[index].3 {
        r -= PRINCIPALS[index].3;
        index += 1;
    }
    let (name, credential, resources, _) = PRINCIPALS[index];
    let sp = &principals[index];
    let (resource, resource_id) = APP_RESOURCES[*rng.pick(resources)];
    let r = rng.below(1000);
    let code = match credential {
        _ if r >= 992 => Some(BLOCKED_BY_CA),
        Credential::ExpiringSecret if r < 400 => Some(7000222),
        Credential::Secret if r < 30 => Some(7000215),
        Credential::Secret if r < 45 => Some(7000222),
        Credential::Certificate if r < 20 => Some(700027),
        _ => None,
    };

    push_signin_date(line, secs);
    line.push(',');
    push_guid_fast(line, (rng.next_u64(), rng.next_u64()));
    line.push(',');
    push_guid_fast(line, (rng.next_u64(), rng.next_u64()));
    line.push(',');
    push_guid_fast(line, sp.object_id);
    line.push(',');
    push_field(line, name);
    line.push(',');
    if credential != Credential::Federated {
        push_guid_fast(line, sp.key_id);
    }
    line.push(',');
    if credential == Credential::Certificate {
        for part in sp.thumbprint {
            let _ = write!(line, "{part:08X}");
        }
    }
    line.push(',');
    push_field(line, name);
    line.push(',');
    push_guid_fast(line, sp.app_id);
    line.push(',');
    line.push_str(CONTOSO_TENANT_ID);
    line.push(',');
    line.push_str(resource);
    line.push(',');
    line.push_str(resource_id);
    line.push(',');
    line.push_str(CONTOSO_TENANT_ID);
    line.push(',');
    line.push_str(MICROSOFT_TENANT_ID);
    line.push(',');
    line.push_str(CONTOSO_TENANT_ID);
    line.push(',');
    line.push_str(CONTOSO_TENANT_NAME);
    line.push(',');
    if credential == Credential::Federated {
        // A fresh hosted runner every time.
        push_ip(line, random_ip(rng));
        line.push(',');
        push_field(line, CLOUD_PLACES[2 + rng.below(2) as usize].label);
    } else {
        push_ip(line, sp.ip);
        line.push(',');
        push_field(line, CLOUD_PLACES[sp.place].label);
    }
    line.push(',');
    match code {
        None => {
            line.push_str("Success,");
            if !rng.chance(0.1) {
                line.push('0');
            }
            line.push_str(",,");
            line.push_str(if rng.chance(0.1) {
                "Success"
            } else {
                "Not Applied"
            });
        }
        Some(code) => {
            line.push_str("Failure,");
            push_uint(line, u64::from(code));
            line.push(',');
            push_field(line, failure_reason(code));
            line.push(',');
            line.push_str(if code == BLOCKED_BY_CA {
                "Failure"
            } else {
                "Not Applied"
            });
        }
    }
    line.push_str("\r\n");
}

/// Fixed identifiers of one service principal.
struct ServicePrincipal {
    object_id: (u64, u64),
    app_id: (u64, u64),
    key_id: (u64, u64),
    thumbprint: [u32; 5],
    ip: Ip,
    place: usize,
}

fn service_principals(seed: u64) -> Vec<ServicePrincipal> {
    let mut rng = Rng::new(seed ^ APPLICATION_SALT ^ PROFILE_SALT);
    PRINCIPALS
        .iter()
        .map(|_| ServicePrincipal {
            object_id: (rng.next_u64(), rng.next_u64()),
            app_id: (rng.next_u64(), rng.next_u64()),
            key_id: (rng.next_u64(), rng.next_u64()),
            thumbprint: [0; 5].map(|_: u32| rng.next_u64() as u32),
            ip: random_ip(&mut rng),
            place: rng.below(CLOUD_PLACES.len() as u64) as usize,
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Sign-in logs: files
// ---------------------------------------------------------------------------

fn io_context(path: &str, err: io::Error) -> io::Error {
    io::Error::new(err.kind(), format!("cannot write '{path}': {err}"))
}

/// `PATH` with `_partNN` inserted before the extension (unchanged for one part).
fn part_path(path: &str, part: usize, parts: usize) -> String {
    if parts == 1 {
        return path.to_string();
    }
    let width = parts.to_string().len().max(2);
    let name_start = path.rfind(['/', '\\']).map_or(0, |i| i + 1);
    let split = path[name_start..]
        .rfind('.')
        .filter(|&i| i > 0)
        .map_or(path.len(), |i| name_start + i);
    format!(
        "{}_part{:0width$}{}",
        &path[..split],
        part + 1,
        &path[split..]
    )
}

/// A CSV download, possibly delivered as several part files.
struct CsvParts {
    path: String,
    header: &'static str,
    parts: usize,
    rows_per_part: usize,
    current: Option<(usize, String, BufWriter<File>)>,
}

impl CsvParts {
    fn new(path: &str, header: &'static str, parts: usize, rows: usize) -> Self {
        CsvParts {
            path: path.to_string(),
            header,
            parts,
            rows_per_part: rows.div_ceil(parts),
            current: None,
        }
    }

    fn open(&mut self, part: usize) -> io::Result<()> {
        self.close()?;
        let path = part_path(&self.path, part, self.parts);
        let file = File::create(&path)
            .map_err(|e| io::Error::new(e.kind(), format!("cannot create '{path}': {e}")))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let result = out
            .write_all(b"\xEF\xBB\xBF")
            .and_then(|()| out.write_all(self.header.as_bytes()))
            .and_then(|()| out.write_all(b"\r\n"));
        result.map_err(|e| io_context(&path, e))?;
        self.current = Some((part, path, out));
        Ok(())
    }

    fn close(&mut self) -> io::Result<()> {
        if let Some((_, path, mut out)) = self.current.take() {
            out.flush().map_err(|e| io_context(&path, e))?;
        }
        Ok(())
    }

    /// Writes the text of main row `row` (one or more CSV records).
    fn write(&mut self, row: usize, text: &str) -> io::Result<()> {
        let part = (row / self.rows_per_part.max(1)).min(self.parts - 1);
        if self.current.as_ref().map(|c| c.0) != Some(part) {
            self.open(part)?;
        }
        let (_, path, out) = self.current.as_mut().expect("part is open");
        out.write_all(text.as_bytes())
            .map_err(|e| io_context(path, e))
    }

    /// Creates any remaining (empty) parts and flushes.
    fn finish(mut self) -> io::Result<()> {
        let next = self.current.as_ref().map_or(0, |c| c.0 + 1);
        for part in next..self.parts {
            self.open(part)?;
        }
        self.close()
    }
}

fn write_signins(args: &Args, tenant: &Tenant) -> io::Result<()> {
    let mut line = String::with_capacity(2048);
    let mut details = String::with_capacity(1024);

    if let Some((n, path)) = &args.signins.interactive {
        let salt = args.seed ^ INTERACTIVE_SALT;
        let events = plan_interactive(tenant, *n, &mut Rng::new(salt));
        let parts = args.signins.split;
        let mut main = CsvParts::new(path, USER_SIGNIN_HEADER, parts, *n);
        let mut auth = args
            .signins
            .authdetails_out
            .as_deref()
            .map(|p| CsvParts::new(p, AUTH_DETAILS_HEADER, parts, *n));
        for (row, event) in events.iter().enumerate() {
            let signin = interactive_signin(tenant, event, salt);
            line.clear();
            push_user_row(&mut line, &signin);
            main.write(row, &line)?;
            if let Some(auth) = auth.as_mut() {
                details.clear();
                push_auth_details(&mut details, &signin);
                auth.write(row, &details)?;
            }
        }
        main.finish()?;
        if let Some(auth) = auth {
            auth.finish()?;
        }
    }

    if let Some((n, path)) = &args.signins.noninteractive {
        let salt = args.seed ^ NONINTERACTIVE_SALT;
        let events = plan_noninteractive(tenant, *n, &mut Rng::new(salt));
        let mut out = CsvParts::new(path, USER_SIGNIN_HEADER, 1, *n);
        for (row, event) in events.iter().enumerate() {
            line.clear();
            push_user_row(&mut line, &noninteractive_signin(tenant, event, salt));
            out.write(row, &line)?;
        }
        out.finish()?;
    }

    if let Some((n, path)) = &args.signins.applications {
        let salt = args.seed ^ APPLICATION_SALT;
        let principals = service_principals(args.seed);
        let mut rng = Rng::new(salt);
        let mut times: Vec<u32> = (0..*n).map(|_| random_secs(&mut rng)).collect();
        times.sort_unstable_by(|a, b| b.cmp(a));
        let mut out = CsvParts::new(path, APP_SIGNIN_HEADER, 1, *n);
        for (row, &secs) in times.iter().enumerate() {
            line.clear();
            push_app_row(&mut line, &mut rng, secs, &principals);
            out.write(row, &line)?;
        }
        out.finish()?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Audit log: constants and reference tables
// ---------------------------------------------------------------------------

/// Length of the audit window in seconds: 2026-10-01T00:00:00Z up to, not
/// including, 2026-11-20T06:00:00Z.
const AUDIT_WINDOW_SECS: u32 = 50 * 86_400 + 6 * 3_600;
/// Index of the last (partial) day of the audit window, 2026-11-20.
const AUDIT_LAST_DAY: u32 = AUDIT_WINDOW_SECS / 86_400;
/// Start of the sign-in window (2026-11-13T06:00:00Z) in audit window seconds.
const SIGNIN_IN_AUDIT_SECS: u32 = 43 * 86_400 + 6 * 3_600;
/// End of the registration deadline, 2026-10-31, in audit window seconds.
const DEADLINE_SECS: u32 = 31 * 86_400;

/// Audit times count 100-nanosecond ticks, the unit of the 7-digit fraction.
const TICKS_PER_SEC: u64 = 10_000_000;
const MINUTE: u64 = 60 * TICKS_PER_SEC;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;
/// First tick after the audit window.
const AUDIT_END: u64 = AUDIT_WINDOW_SECS as u64 * TICKS_PER_SEC;

/// Salts of the audit generator streams: user stories, filler events, rows
/// of other services, and the sessions that follow `My Signins` sign-ins.
const AUDIT_STORY_SALT: u64 = 0x4155_4449_5453_544F;
const AUDIT_FILLER_SALT: u64 = 0x4155_4449_5446_494C;
const AUDIT_OTHER_SALT: u64 = 0x4155_4449_544F_5448;
const AUDIT_LINK_SALT: u64 = 0x4155_4449_544C_494E;
const AUDIT_ORIGIN_SALT: u64 = 0x4155_4449_544F_5247;

const AUTH_METHODS_SERVICE: &str = "Authentication Methods";
const CORE_DIRECTORY: &str = "Core Directory";
const MANAGEMENT_UX: &str = "Microsoft Entra Management UX";
const USER_MANAGEMENT: &str = "UserManagement";
const GROUP_MANAGEMENT: &str = "GroupManagement";
const DIRECTORY_MANAGEMENT: &str = "DirectoryManagement";

const STARTED: &str = "User started security info registration";
const REGISTERED: &str = "User registered security info";
const ALL_REQUIRED: &str = "User registered all required security info";
const CHANGED_DEFAULT: &str = "User changed default security info";
const DELETED: &str = "User deleted security info";
const CANCELED: &str = "User canceled security info registration";
const REVIEWED: &str = "User reviewed security info";
/// Spelled with a lower-case `u`, as the activity reference lists it.
const PASSWORD_RESET: &str = "user started password reset";
const ADMIN_REGISTERED: &str = "Admin registered security info";
const UPDATE_USER: &str = "Update user";
const ADD_MEMBER: &str = "Add member to group";
const BULK_DOWNLOAD: &str = "Download user registration details - finished (bulk)";

const ALL_REQUIRED_REASON: &str = "User registered all required security info.";
const CANCELED_REASON: &str = "User canceled security info registration.";

/// A default method as the `User changed default security info` reasons name
/// it; phones carry an index into `Actor::phone_tails`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Preferred {
    Notification,
    Code,
    Text(usize),
    Call(usize),
}

impl Preferred {
    /// The export's default method, as the security-info page shows it.
    fn of(account: &Account) -> Option<Preferred> {
        match account.default {
            DefaultMethod::None => None,
            DefaultMethod::Push => Some(Preferred::Notification),
            DefaultMethod::Oath => Some(Preferred::Code),
            DefaultMethod::MobilePhone if account.voice_mobile => Some(Preferred::Call(0)),
            DefaultMethod::MobilePhone => Some(Preferred::Text(0)),
            DefaultMethod::AlternateMobilePhone => Some(Preferred::Call(1)),
            DefaultMethod::OfficePhone => Some(Preferred::Call(2)),
        }
    }

    /// `User changed the default security info for …` with the masked number
    /// the sign-in files show for the same phone.
    fn reason(self, actor: &Actor) -> String {
        let mut text = String::from("User changed the default security info for ");
        let phone = match self {
            Preferred::Notification => {
                text.push_str("Authenticator app notification");
                return text;
            }
            Preferred::Code => {
                text.push_str("A code from my authenticator app or token");
                return text;
            }
            Preferred::Text(phone) => {
                text.push_str("Text a code to ");
                phone
            }
            Preferred::Call(phone) => {
                text.push_str("Call ");
                phone
            }
        };
        text.push_str(HOME_PLACES[actor.home].phone);
        text.push_str(" XXXXXXXX");
        push_two_digits(&mut text, u32::from(actor.phone_tails[phone]));
        text
    }

    /// Legacy `StrongAuthenticationMethod` type of the default.
    fn legacy_type(self) -> u8 {
        match self {
            Preferred::Notification => 7,
            Preferred::Code => 6,
            Preferred::Text(_) => 0,
            Preferred::Call(0) => 3,
            Preferred::Call(1) => 4,
            Preferred::Call(_) => 5,
        }
    }
}

/// A method as the security-info audit events name it.
#[derive(Clone, Copy)]
struct Step {
    /// Bits of `METHOD_NAMES` the step registers.
    methods: u32,
    /// Text after `User registered ` in the result reason.
    label: &'static str,
    /// Default method it becomes when it is the first one registered.
    default: Option<Preferred>,
    /// Legacy `StrongAuthenticationMethod` types (illustrative numbers) it adds.
    legacy: &'static [u8],
}

const fn step(
    methods: u32,
    label: &'static str,
    default: Option<Preferred>,
    legacy: &'static [u8],
) -> Step {
    Step {
        methods,
        label,
        default,
        legacy,
    }
}

/// The Authenticator app step for the app methods in `m`.
fn authenticator_step(m: u32) -> Step {
    match (m & PUSH != 0, m & OATH != 0) {
        (true, true) => step(
            PUSH | OATH,
            "Authenticator App with Notification and Code",
            Some(Preferred::Notification),
            &[7, 6],
        ),
        (true, false) => step(
            PUSH,
            "Authenticator App with Notification",
            Some(Preferred::Notification),
            &[7],
        ),
        _ => step(
            OATH,
            "Authenticator App with Code",
            Some(Preferred::Code),
            &[6],
        ),
    }
}

/// Phone, email and security-question steps, in the order users add them.
const BASIC_STEPS: [Step; 5] = [
    step(MOBILE, "Mobile Phone SMS", Some(Preferred::Text(0)), &[0]),
    step(
        ALT_MOBILE,
        "Alternate Mobile Phone",
        Some(Preferred::Call(1)),
        &[4],
    ),
    step(OFFICE, "Office Phone", Some(Preferred::Call(2)), &[5]),
    step(EMAIL, "Email", None, &[]),
    step(SEC_QUESTION, "Security Questions", None, &[]),
];

/// Passwordless and hardware steps. Several labels are deliberately unusual,
/// so a reader has to keep reasons it does not know.
const STRONG_STEPS: [Step; 10] = [
    step(
        AUTH_PASSWORDLESS,
        "Authenticator App Passwordless Sign-in",
        None,
        &[],
    ),
    step(FIDO2_KEY, "Fido", None, &[]),
    step(FIDO2_OLD, "Fido", None, &[]),
    step(WHFB, "Windows Hello for Business", None, &[]),
    step(PASSKEY_DEVICE, "Passkey (device-bound)", None, &[]),
    step(
        PASSKEY_AUTHENTICATOR,
        "Passkey in Microsoft Authenticator",
        None,
        &[],
    ),
    step(PASSKEY_WINDOWS_HELLO, "Passkey in Windows Hello", None, &[]),
    step(MACOS_ENCLAVE, "macOS Platform Credential", None, &[]),
    step(PASSKEY_SYNCED, "Synced Passkey", None, &[]),
    step(HW_OATH, "Hardware OATH token", None, &[]),
];

/// Labels offered when a user opens the page to add a method and leaves.
const VISIT_LABELS: [&str; 4] = [
    "Authenticator App with Notification and Code",
    "Authenticator App with Notification and Code",
    "Mobile Phone SMS",
    "Fido",
];

/// Groups of the campaign: (name, first day, days, weight).
const CAMPAIGN_GROUPS: [(&str, u32, u32, u32); 4] = [
    ("MFA Registration Campaign - Wave 1", 0, 2, 40),
    ("MFA Registration Campaign - Wave 2", 7, 3, 25),
    ("CA - Require MFA - All Users", 21, 4, 20),
    ("MFA Registration Overdue", 31, 4, 15),
];
const OVERDUE_GROUP: usize = 3;

/// Days (since 2026-10-01) of the registration-report downloads, newest
/// first: the morning of the export, then every Monday.
const DOWNLOAD_DAYS: [u32; 8] = [AUDIT_LAST_DAY, 46, 39, 32, 25, 18, 11, 4];

const DEPARTMENTS: [&str; 8] = [
    "Sales",
    "Finance",
    "Engineering",
    "Marketing",
    "Human Resources",
    "Operations",
    "Legal",
    "Customer Support",
];
/// The service principal that updates users from the HR system.
const HR_SYNC: usize = 0;

// ---------------------------------------------------------------------------
// Audit log: rows
// ---------------------------------------------------------------------------

/// Who performed an audited activity.
#[derive(Clone, Copy)]
enum Who {
    /// An account of the tenant (index into `Tenant::actors`).
    User(u32),
    /// A service principal (index into `PRINCIPALS`).
    Principal(usize),
}

enum Subject {
    User(u32),
    /// Index into `CAMPAIGN_GROUPS`.
    Group(usize),
}

struct Change {
    name: &'static str,
    old: String,
    new: String,
}

struct Target {
    subject: Subject,
    changes: Vec<Change>,
}

impl Target {
    fn user(user: u32) -> Self {
        Target {
            subject: Subject::User(user),
            changes: Vec::new(),
        }
    }
}

/// Result, activity and reason of one event.
struct Entry {
    activity: &'static str,
    success: bool,
    reason: String,
}

fn ok(activity: &'static str, reason: impl Into<String>) -> Entry {
    Entry {
        activity,
        success: true,
        reason: reason.into(),
    }
}

fn failed(activity: &'static str, reason: impl Into<String>) -> Entry {
    Entry {
        activity,
        success: false,
        reason: reason.into(),
    }
}

/// Who acts, on whom, and from where, for the events of one session.
#[derive(Clone, Copy)]
struct Session {
    actor: Who,
    target: Option<u32>,
    correlation: (u64, u64),
    ip: Option<Ip>,
    agent: &'static str,
}

/// One row of the audit download.
struct AuditRow {
    /// 100-nanosecond ticks since 2026-10-01T00:00:00Z.
    ticks: u64,
    /// Planning order, the tie-breaker of equal times.
    seq: u32,
    /// Fraction digits written (trailing zeros are trimmed as well).
    digits: u8,
    correlation: (u64, u64),
    service: &'static str,
    category: &'static str,
    entry: Entry,
    agent: &'static str,
    actor: Who,
    ip: Option<Ip>,
    targets: Vec<Target>,
    details: Vec<(&'static str, &'static str)>,
}

/// A registration whose Core Directory `Update user` row may follow.
struct StrongAuthUpdate {
    row: usize,
    user: u32,
    old: String,
    new: String,
}

/// A successful `My Signins` sign-in of the same run.
struct MySignIn {
    actor: u32,
    secs: u32,
    correlation: (u64, u64),
    ip: Ip,
    agent: &'static str,
}

/// What the audit file takes from the sign-in files of the same run.
struct SignInFacts {
    my_signins: Vec<MySignIn>,
    /// User sign-ins of each account.
    count: Vec<u32>,
    /// Accounts that appear with a 203.0.113.x address in a user sign-in file.
    test_net3: Vec<bool>,
}

fn in_test_net3(ip: Ip) -> bool {
    matches!(ip, Ip::V4 { block: 2, .. })
}

impl SignInFacts {
    fn note(&mut self, actor: u32, s: &SignIn) {
        self.count[actor as usize] += 1;
        if in_test_net3(s.ip) || s.gsa.is_some_and(in_test_net3) {
            self.test_net3[actor as usize] = true;
        }
    }

    /// Replays the user sign-in files the arguments ask for (without writing them).
    fn gather(args: &Args, tenant: &Tenant) -> SignInFacts {
        let mut facts = SignInFacts {
            my_signins: Vec::new(),
            count: vec![0; tenant.actors.len()],
            test_net3: vec![false; tenant.actors.len()],
        };
        if let Some((n, _)) = &args.signins.interactive {
            let salt = args.seed ^ INTERACTIVE_SALT;
            for event in plan_interactive(tenant, *n, &mut Rng::new(salt)) {
                let s = interactive_signin(tenant, &event, salt);
                facts.note(event.actor, &s);
                if event.kind == Kind::MySignins
                    && s.outcome == Outcome::Success
                    && (event.actor as usize) < tenant.registered
                {
                    facts.my_signins.push(MySignIn {
                        actor: event.actor,
                        secs: event.secs,
                        correlation: s.correlation,
                        ip: s.ip,
                        agent: s.agent,
                    });
                }
            }
        }
        if let Some((n, _)) = &args.signins.noninteractive {
            let salt = args.seed ^ NONINTERACTIVE_SALT;
            for event in plan_noninteractive(tenant, *n, &mut Rng::new(salt)) {
                let s = noninteractive_signin(tenant, &event, salt);
                facts.note(event.actor, &s);
            }
        }
        facts
    }
}

/// Uniform time in `lo..hi` (or `hi` when the range is empty).
fn between(rng: &mut Rng, lo: u64, hi: u64) -> u64 {
    if hi <= lo {
        hi
    } else {
        lo + rng.below(hi - lo)
    }
}

/// A pause of `lo` to `hi` seconds.
fn pause(rng: &mut Rng, lo: u64, hi: u64) -> u64 {
    between(rng, lo * TICKS_PER_SEC, hi * TICKS_PER_SEC)
}

/// A time `lo` to `hi` ticks before `at`, never before the window start.
fn earlier(rng: &mut Rng, at: u64, lo: u64, hi: u64) -> u64 {
    let room = at.saturating_sub(TICKS_PER_SEC);
    at - between(rng, lo.min(room), hi.min(room))
}

/// A time `lo` to `hi` ticks after `from`, at least an hour before the window
/// ends; `None` when there is no room.
fn later(rng: &mut Rng, from: u64, lo: u64, hi: u64) -> Option<u64> {
    let first = from + lo;
    let last = (from + hi).min(AUDIT_END - HOUR);
    (first < last).then(|| between(rng, first, last))
}

/// Number of fraction digits: mostly all seven.
fn fraction_digits(rng: &mut Rng) -> u8 {
    match rng.below(100) {
        0..=89 => 7,
        90..=94 => 6,
        95..=96 => 5,
        97 => 3,
        98 => 1,
        _ => 0,
    }
}

/// Relative number of first registrations on a day of the window.
fn day_weight(day: u32) -> u32 {
    let base = match day {
        // The campaign mail goes out on 1 October, reminders on the 8th and 15th.
        0..=20 => 20 + (21 - day) * 3 + if day == 7 || day == 14 { 25 } else { 0 },
        21..=30 => 7,
        _ => 6,
    };
    // 2026-10-01 is a Thursday; few people register at weekends.
    if matches!((day + 3) % 7, 5 | 6) {
        base
    } else {
        base * 4
    }
}

/// Writes `2026-MM-DDTHH:MM:SS[.fffffff]Z` for audit ticks.
fn push_audit_date(line: &mut String, ticks: u64, digits: u8) {
    let secs = ticks / TICKS_PER_SEC;
    let day = (secs / 86_400) as u32;
    let rem = (secs % 86_400) as u32;
    if day < 31 {
        line.push_str("2026-10-");
        push_two_digits(line, day + 1);
    } else {
        line.push_str("2026-11-");
        push_two_digits(line, day - 30);
    }
    line.push('T');
    push_two_digits(line, rem / 3_600);
    line.push(':');
    push_two_digits(line, rem % 3_600 / 60);
    line.push(':');
    push_two_digits(line, rem % 60);
    let mut digits = u32::from(digits);
    let mut frac = ticks % TICKS_PER_SEC / 10u64.pow(7 - digits);
    // Trailing zeros are trimmed, as in the other exports.
    while digits > 0 && frac.is_multiple_of(10) {
        frac /= 10;
        digits -= 1;
    }
    if digits > 0 {
        let _ = write!(line, ".{frac:0width$}", width = digits as usize);
    }
    line.push('Z');
}

/// `[{"MethodType":7,"Default":true},…]`, the shape of the legacy
/// `StrongAuthenticationMethod` property.
fn legacy_json(methods: &[(u8, bool)]) -> String {
    let mut text = String::from("[");
    for (i, &(kind, default)) in methods.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        let _ = write!(text, "{{\"MethodType\":{kind},\"Default\":{default}}}");
    }
    text.push(']');
    text
}

/// A JSON array with one string, the way modified properties show values.
fn json_string_list(value: &str) -> String {
    format!("[\"{value}\"]")
}

// ---------------------------------------------------------------------------
// Audit log: planning the events
// ---------------------------------------------------------------------------

struct AuditLog<'t> {
    tenant: &'t Tenant,
    rows: Vec<AuditRow>,
    /// Administrators who register methods for others, in roster order.
    helpdesk: Vec<u32>,
    /// Weights of the days on which users first register.
    days: Vec<(u32, u32)>,
    updates: Vec<StrongAuthUpdate>,
    /// Time of each user's last story event; `None` for users without methods.
    settled: Vec<Option<u64>>,
    /// When each user completed the required registration (0: before the window).
    completed: Vec<Option<u64>>,
    /// First row of each user's main registration session.
    main_session: Vec<Option<usize>>,
}

impl<'t> AuditLog<'t> {
    fn new(tenant: &'t Tenant) -> Self {
        let users = tenant.registered;
        let helpdesk = (0..users as u32)
            .filter(|&i| {
                let account = &tenant.actors[i as usize].account;
                account.admin && !account.guest
            })
            .take(4)
            .collect();
        AuditLog {
            tenant,
            rows: Vec::new(),
            helpdesk,
            days: (0..=AUDIT_LAST_DAY).map(|d| (d, day_weight(d))).collect(),
            updates: Vec::new(),
            settled: vec![None; users],
            completed: vec![None; users],
            main_session: vec![None; users],
        }
    }

    fn actor(&self, user: u32) -> &'t Actor {
        &self.tenant.actors[user as usize]
    }

    fn row(&self, rng: &mut Rng, s: &Session, ticks: u64, entry: Entry) -> AuditRow {
        let digits = fraction_digits(rng);
        // The time is what the row shows, so the order of the file is the order of its text.
        let unit = 10u64.pow(7 - u32::from(digits));
        let ticks = ticks.min(AUDIT_END - 1);
        AuditRow {
            ticks: ticks - ticks % unit,
            seq: 0,
            digits,
            correlation: s.correlation,
            service: AUTH_METHODS_SERVICE,
            category: USER_MANAGEMENT,
            entry,
            agent: s.agent,
            actor: s.actor,
            ip: s.ip,
            targets: s.target.map(Target::user).into_iter().collect(),
            details: Vec::new(),
        }
    }

    fn push(&mut self, mut row: AuditRow) -> usize {
        let index = self.rows.len();
        row.seq = index as u32;
        self.rows.push(row);
        index
    }

    /// Appends an `Authentication Methods` event and returns its row index.
    fn event(&mut self, rng: &mut Rng, s: &Session, ticks: u64, entry: Entry) -> usize {
        let row = self.row(rng, s, ticks, entry);
        self.push(row)
    }

    /// A session of the user on their usual computer, from their usual address.
    fn user_session(&self, rng: &mut Rng, user: u32) -> Session {
        let actor = self.actor(user);
        Session {
            actor: Who::User(user),
            target: Some(user),
            correlation: (rng.next_u64(), rng.next_u64()),
            ip: Some(actor.home_ip),
            agent: PLATFORMS[actor.desktop].browser_agent,
        }
    }

    fn pick_admin(&self, rng: &mut Rng, target: Option<u32>) -> Option<u32> {
        let others: Vec<u32> = self
            .helpdesk
            .iter()
            .copied()
            .filter(|&a| Some(a) != target)
            .collect();
        if others.is_empty() {
            self.helpdesk.first().copied()
        } else {
            Some(*rng.pick(&others))
        }
    }

    /// A session of an administrator; `None` when the tenant has none.
    fn admin_session(&self, rng: &mut Rng, target: Option<u32>) -> Option<Session> {
        let admin = self.pick_admin(rng, target)?;
        let actor = self.actor(admin);
        Some(Session {
            actor: Who::User(admin),
            target,
            correlation: (rng.next_u64(), rng.next_u64()),
            ip: Some(actor.home_ip),
            agent: PLATFORMS[actor.desktop].browser_agent,
        })
    }

    /// An `Admin registered security info` event; returns its time.
    fn admin_registers(&mut self, rng: &mut Rng, user: u32, at: u64, reason: &str) -> u64 {
        let s = match self.admin_session(rng, Some(user)) {
            Some(s) => s,
            None => return at,
        };
        self.event(rng, &s, at, ok(ADMIN_REGISTERED, reason));
        at
    }

    /// Start of a first registration: campaign days, office hours.
    fn campaign_start(&self, rng: &mut Rng, admin: bool) -> u64 {
        let day = if admin && rng.chance(0.7) {
            rng.below(3) as u32
        } else {
            pick_weighted(rng, &self.days)
        };
        let hour = if day == AUDIT_LAST_DAY {
            rng.below(5)
        } else if day == 0 || rng.chance(0.85) {
            7 + rng.below(11)
        } else {
            rng.below(24)
        };
        let secs = u64::from(day) * 86_400 + hour * 3_600 + rng.below(3_600);
        secs * TICKS_PER_SEC + rng.below(TICKS_PER_SEC)
    }

    /// Opens the registration page and leaves again (two rows).
    fn abandon(&mut self, rng: &mut Rng, s: &Session, at: u64, label: &str) -> u64 {
        self.event(
            rng,
            s,
            at,
            ok(
                STARTED,
                format!("User started the registration for {label}"),
            ),
        );
        let end = at + pause(rng, 20, 300);
        self.event(rng, s, end, ok(CANCELED, ""));
        end
    }

    /// Everything one user did; all of it agrees with the registration export.
    fn user_story(&mut self, rng: &mut Rng, user: u32) {
        let account = &self.actor(user).account;
        let m = account.methods;
        if m == 0 {
            // Some open the security-info page and leave again.
            if rng.chance(0.3) {
                let s = self.user_session(rng, user);
                let at = self.campaign_start(rng, false);
                self.abandon(rng, &s, at, VISIT_LABELS[0]);
            }
            return;
        }
        let fixed = (user as usize) < FIXED_USERS.len();
        let mut own = m & !(TAP | QR_CODE_PIN);
        let phone_only = own & MFA & !MOBILE == 0;
        let admin_phone = own & MOBILE != 0 && rng.chance(if phone_only { 0.12 } else { 0.04 });
        if admin_phone {
            own &= !MOBILE;
        }
        let mut last = 0;
        if !fixed && rng.chance(0.03) {
            // Registered before the audit window: no registration events.
            self.completed[user as usize] = Some(0);
        } else {
            let start = self.campaign_start(rng, account.admin);
            if admin_phone {
                let at = if own == 0 {
                    start
                } else {
                    earlier(rng, start, HOUR, 4 * DAY)
                };
                last =
                    self.admin_registers(rng, user, at, "Admin registered phone method for user");
                if own == 0 {
                    self.completed[user as usize] = Some(at);
                }
            }
            if own != 0 {
                last = last.max(self.registration(rng, user, own, admin_phone, start));
            }
        }
        if m & TAP != 0 {
            // Still listed, so issued in the last weeks.
            let at = between(
                rng,
                (last + HOUR).max(AUDIT_END - 20 * DAY),
                AUDIT_END - HOUR,
            );
            let reason = "Admin registered temporary access pass method for user";
            last = last.max(self.admin_registers(rng, user, at, reason));
        }
        if m & QR_CODE_PIN != 0 {
            let at = between(
                rng,
                (last + HOUR).max(AUDIT_END - 30 * DAY),
                AUDIT_END - HOUR,
            );
            let reason = "Admin registered QR code pin method for user";
            last = last.max(self.admin_registers(rng, user, at, reason));
        }
        self.settled[user as usize] = Some(last);
    }

    /// The main registration session (from `start`) and what follows from
    /// it; returns the time of the user's last event.
    fn registration(
        &mut self,
        rng: &mut Rng,
        user: u32,
        own: u32,
        admin_phone: bool,
        start: u64,
    ) -> u64 {
        let actor = self.actor(user);
        let account = &actor.account;
        // The session is over within the hour.
        let after = start + HOUR;

        let mut steps: Vec<Step> = Vec::new();
        if own & (PUSH | OATH) != 0 {
            steps.push(authenticator_step(own));
        }
        // A phone added next to the app and deleted later is not in the export.
        let phone_deleted =
            if own & PUSH != 0 && own & MOBILE == 0 && !admin_phone && rng.chance(0.08) {
                later(rng, after, 2 * DAY, 25 * DAY)
            } else {
                None
            };
        for basic in BASIC_STEPS {
            if own & basic.methods != 0 || (basic.methods == MOBILE && phone_deleted.is_some()) {
                steps.push(basic);
            }
        }
        // Some add the phone before the app.
        if steps.len() > 1
            && steps[0].methods & PUSH != 0
            && steps[1].methods == MOBILE
            && phone_deleted.is_none()
            && rng.chance(0.25)
        {
            steps.swap(0, 1);
        }
        let mut later_steps: Vec<(u64, Step)> = Vec::new();
        for strong in STRONG_STEPS {
            if own & strong.methods == 0 {
                continue;
            }
            if rng.chance(0.4) {
                if let Some(at) = later(rng, after, DAY, 20 * DAY) {
                    later_steps.push((at, strong));
                    continue;
                }
            }
            steps.push(strong);
        }
        if steps.is_empty() {
            let (_, first) = later_steps.remove(0);
            steps.push(first);
        }
        let strong_methods = STRONG_STEPS.iter().fold(0, |acc, s| acc | s.methods);

        // A few cancel a first attempt some days before.
        if start > 2 * DAY && rng.chance(0.05) {
            let at = earlier(rng, start, DAY, 6 * DAY);
            let s = self.user_session(rng, user);
            self.event(
                rng,
                &s,
                at,
                ok(
                    STARTED,
                    format!("User started the registration for {}", steps[0].label),
                ),
            );
            let end = at + pause(rng, 30, 400);
            self.event(rng, &s, end, failed(ALL_REQUIRED, CANCELED_REASON));
        }
        // Passwordless onboarding now and then starts with a temporary access pass.
        if own & strong_methods != 0 && account.methods & TAP == 0 && rng.chance(0.15) {
            let at = earlier(rng, start, 10 * MINUTE, 3 * HOUR);
            let reason = "Admin registered temporary access pass method for user";
            self.admin_registers(rng, user, at, reason);
        }

        let s = self.user_session(rng, user);
        let mut t = start;
        let first_row = self.event(
            rng,
            &s,
            t,
            ok(
                STARTED,
                format!("User started the registration for {}", steps[0].label),
            ),
        );
        self.main_session[user as usize] = Some(first_row);
        let mut current = if admin_phone {
            Some(Preferred::Text(0))
        } else {
            None
        };
        let mut legacy: Vec<(u8, bool)> = if admin_phone {
            vec![(0, true)]
        } else {
            Vec::new()
        };
        for step in &steps {
            if step.methods & OATH != 0 && rng.chance(0.06) {
                t += pause(rng, 20, 120);
                self.event(
                    rng,
                    &s,
                    t,
                    failed(
                        REGISTERED,
                        "User failed to register Authenticator App with Code",
                    ),
                );
            }
            t += pause(rng, 25, 240);
            let row = self.event(
                rng,
                &s,
                t,
                ok(REGISTERED, format!("User registered {}", step.label)),
            );
            if current.is_none() {
                current = step.default;
            }
            if !step.legacy.is_empty() {
                let old = legacy_json(&legacy);
                for &kind in step.legacy {
                    let default = legacy.is_empty();
                    legacy.push((kind, default));
                }
                self.updates.push(StrongAuthUpdate {
                    row,
                    user,
                    old,
                    new: legacy_json(&legacy),
                });
            }
        }
        t += pause(rng, 3, 25);
        if account.methods & MFA != 0 {
            self.event(rng, &s, t, ok(ALL_REQUIRED, ALL_REQUIRED_REASON));
            self.completed[user as usize] = Some(t);
        } else {
            // Email or security questions only: the MFA part was left out.
            self.event(rng, &s, t, failed(ALL_REQUIRED, CANCELED_REASON));
        }
        let mut last = t;

        // The default in the export, if the first method registered was another.
        if let (Some(from), Some(to)) = (current, Preferred::of(account)) {
            if from != to {
                let entry = ok(CHANGED_DEFAULT, to.reason(actor));
                let at = if rng.chance(0.5) {
                    later(rng, after, DAY, 15 * DAY)
                } else {
                    None
                };
                match at {
                    Some(at) => {
                        let s = self.user_session(rng, user);
                        self.event(rng, &s, at, entry);
                        last = last.max(at);
                    }
                    None => {
                        t += pause(rng, 10, 90);
                        let row = self.event(rng, &s, t, entry);
                        last = last.max(t);
                        let kind = to.legacy_type();
                        if legacy.iter().any(|&(k, _)| k == kind) {
                            let old = legacy_json(&legacy);
                            for entry in &mut legacy {
                                entry.1 = entry.0 == kind;
                            }
                            self.updates.push(StrongAuthUpdate {
                                row,
                                user,
                                old,
                                new: legacy_json(&legacy),
                            });
                        }
                    }
                }
            }
        }
        for (at, strong) in later_steps {
            let s = self.user_session(rng, user);
            self.event(
                rng,
                &s,
                at,
                ok(REGISTERED, format!("User registered {}", strong.label)),
            );
            last = last.max(at);
        }
        if let Some(at) = phone_deleted {
            let s = self.user_session(rng, user);
            self.event(
                rng,
                &s,
                at,
                ok(DELETED, "User deleted Mobile Phone Call and SMS"),
            );
            last = last.max(at);
        }
        last
    }

    /// A security-info visit that changes nothing in the export; `ready`
    /// users have finished registering. Returns the number of rows (at most
    /// `room`, at least one).
    fn visit(&mut self, rng: &mut Rng, s: &Session, at: u64, ready: bool, room: usize) -> usize {
        let user = s.target.unwrap_or(0);
        let m = self.actor(user).account.methods;
        let r = rng.below(100);
        if room >= 2 && (!ready || (70..85).contains(&r)) {
            let label = *rng.pick(&VISIT_LABELS);
            self.abandon(rng, s, at, label);
            return 2;
        }
        if room >= 2 && (85..92).contains(&r) && m & (PUSH | OATH) != 0 {
            // The Authenticator app moves to a new phone.
            let app = authenticator_step(m).label;
            self.event(rng, s, at, ok(DELETED, format!("User deleted {app}")));
            let end = at + pause(rng, 30, 300);
            self.event(
                rng,
                s,
                end,
                ok(REGISTERED, format!("User registered {app}")),
            );
            return 2;
        }
        if r >= 92 && m & SSPR != 0 {
            self.event(rng, s, at, ok(PASSWORD_RESET, ""));
            return 1;
        }
        let entry = if rng.chance(0.95) {
            ok(REVIEWED, "User successfully reviewed security info.")
        } else {
            failed(REVIEWED, "User failed to review security info.")
        };
        self.event(rng, s, at, entry);
        1
    }

    /// Moves the main registration session of a few users to addresses in
    /// 203.0.113.0/24 that their sign-ins never show (when the run writes
    /// sign-ins, only users with at least two of them qualify).
    fn unusual_origins(&mut self, seed: u64, facts: Option<&SignInFacts>) {
        let mut rng = Rng::new(seed ^ AUDIT_ORIGIN_SALT);
        let users = self.tenant.registered;
        let want = if users >= 100 { 3 } else { 2 };
        let candidates: Vec<u32> = (FIXED_USERS.len().min(users)..users)
            .map(|u| u as u32)
            .filter(|&u| {
                let actor = self.actor(u);
                self.main_session[u as usize].is_some()
                    && actor.account.methods & MFA != 0
                    && !actor.account.guest
                    && !actor.account.admin
                    && !in_test_net3(actor.home_ip)
            })
            .collect();
        let count = candidates.len();
        let mut chosen = 0;
        for user in choose_distinct(&mut rng, candidates, count) {
            if chosen == want {
                break;
            }
            let u = user as usize;
            if facts.is_some_and(|f| f.test_net3[u] || f.count[u] < 2) {
                continue;
            }
            chosen += 1;
            let desktop = self.actor(user).desktop;
            let ip = Ip::V4 {
                block: 2,
                host: 1 + rng.below(254) as u8,
            };
            let agent =
                PLATFORMS[(desktop + 1 + rng.below(6) as usize) % PLATFORMS.len()].browser_agent;
            let first = self.main_session[user as usize].unwrap_or(0);
            let correlation = self.rows[first].correlation;
            for row in self
                .rows
                .iter_mut()
                .filter(|r| r.correlation == correlation)
            {
                row.ip = Some(ip);
                row.agent = agent;
            }
        }
    }

    /// Security-info sessions that follow `My Signins` sign-ins of the same
    /// run and carry their correlation IDs.
    fn follow_signins(&mut self, seed: u64, facts: &SignInFacts) {
        let mut rng = Rng::new(seed ^ AUDIT_LINK_SALT);
        for sign_in in &facts.my_signins {
            if !rng.chance(0.4) {
                continue;
            }
            let start = u64::from(SIGNIN_IN_AUDIT_SECS + sign_in.secs) * TICKS_PER_SEC
                + pause(&mut rng, 15, 120);
            if start + 20 * MINUTE >= AUDIT_END {
                continue;
            }
            let user = sign_in.actor;
            let s = Session {
                actor: Who::User(user),
                target: Some(user),
                correlation: sign_in.correlation,
                ip: Some(sign_in.ip),
                agent: sign_in.agent,
            };
            let ready = self.settled[user as usize].is_some_and(|t| t < start);
            self.visit(&mut rng, &s, start, ready, 2);
        }
    }

    /// More visits by registered users until the auth-method rows number `count`.
    fn fill(&mut self, seed: u64, count: usize) {
        let pool: Vec<u32> = (0..self.tenant.registered as u32)
            .filter(|&u| self.settled[u as usize].is_some())
            .collect();
        if pool.is_empty() {
            return;
        }
        let salt = seed ^ AUDIT_FILLER_SALT;
        let mut added = 0;
        let mut item = 0u32;
        while added < count && (item as usize) < 20 * count + 100 {
            let mut rng = row_rng(salt, item);
            item += 1;
            let user = *rng.pick(&pool);
            let from = self.settled[user as usize].unwrap_or(0) + HOUR;
            let until = AUDIT_END - 20 * MINUTE;
            if from >= until {
                continue;
            }
            let at = between(&mut rng, from, until);
            let s = self.user_session(&mut rng, user);
            added += self.visit(&mut rng, &s, at, true, count - added);
        }
    }

    /// Rows of other services that a reader of the registration events skips.
    fn other_rows(&mut self, seed: u64, count: usize) {
        let salt = seed ^ AUDIT_OTHER_SALT;
        let users = self.tenant.registered as u32;
        if users == 0 {
            return;
        }
        // The registration report downloads, newest first.
        for (i, &day) in DOWNLOAD_DAYS.iter().enumerate().take(count) {
            let mut rng = row_rng(salt, i as u32);
            let at = if day == AUDIT_LAST_DAY {
                u64::from(day) * DAY + 5 * HOUR + between(&mut rng, 30 * MINUTE, 58 * MINUTE)
            } else {
                u64::from(day) * DAY + 8 * HOUR + between(&mut rng, 0, 90 * MINUTE)
            };
            let Some(mut s) = self.admin_session(&mut rng, None) else {
                break;
            };
            if rng.chance(0.7) {
                if let Some(&first) = self.helpdesk.first() {
                    s.actor = Who::User(first);
                    let actor = self.actor(first);
                    s.ip = Some(actor.home_ip);
                    s.agent = PLATFORMS[actor.desktop].browser_agent;
                }
            }
            let mut row = self.row(&mut rng, &s, at, ok(BULK_DOWNLOAD, ""));
            row.service = MANAGEMENT_UX;
            row.category = DIRECTORY_MANAGEMENT;
            self.push(row);
        }
        let downloads = count.min(DOWNLOAD_DAYS.len());
        // Core Directory rows that follow registrations, in a random order.
        let mut order_rng = Rng::new(salt);
        let updates = choose_distinct(
            &mut order_rng,
            (0..self.updates.len() as u32).collect(),
            self.updates.len(),
        );
        let mut next_update = 0;
        for k in downloads..count {
            let mut rng = row_rng(salt, k as u32);
            let r = rng.below(100);
            if r < 55 && next_update < updates.len() {
                let update = updates[next_update] as usize;
                next_update += 1;
                self.strong_auth_row(&mut rng, update);
            } else if r < 70 {
                self.hr_row(&mut rng);
            } else {
                self.group_row(&mut rng);
            }
        }
    }

    /// Core Directory `Update user` after a registration, same correlation ID.
    fn strong_auth_row(&mut self, rng: &mut Rng, update: usize) {
        let source = &self.rows[self.updates[update].row];
        let at = source.ticks + pause(rng, 1, 4);
        let s = Session {
            actor: source.actor,
            target: None,
            correlation: source.correlation,
            ip: source.ip,
            agent: "",
        };
        let user = self.updates[update].user;
        let guest = self.actor(user).account.guest;
        let mut row = self.row(rng, &s, at, ok(UPDATE_USER, ""));
        row.service = CORE_DIRECTORY;
        row.targets.push(Target {
            subject: Subject::User(user),
            changes: vec![
                Change {
                    name: "StrongAuthenticationMethod",
                    old: self.updates[update].old.clone(),
                    new: self.updates[update].new.clone(),
                },
                Change {
                    name: "Included Updated Properties",
                    old: String::new(),
                    new: "\"StrongAuthenticationMethod\"".to_string(),
                },
            ],
        });
        row.details
            .push(("UserType", if guest { "Guest" } else { "Member" }));
        self.push(row);
    }

    /// Core Directory `Update user` by the HR provisioning service principal.
    fn hr_row(&mut self, rng: &mut Rng) {
        let users = self.tenant.registered as u32;
        let mut user = rng.below(u64::from(users)) as u32;
        for _ in 0..8 {
            if !self.actor(user).account.guest {
                break;
            }
            user = rng.below(u64::from(users)) as u32;
        }
        let day = rng.below(u64::from(AUDIT_LAST_DAY));
        let at = day * DAY + 2 * HOUR + between(rng, 0, 40 * MINUTE);
        let old = rng.below(DEPARTMENTS.len() as u64) as usize;
        let new = (old + 1 + rng.below(DEPARTMENTS.len() as u64 - 1) as usize) % DEPARTMENTS.len();
        let s = Session {
            actor: Who::Principal(HR_SYNC),
            target: None,
            correlation: (rng.next_u64(), rng.next_u64()),
            ip: None,
            agent: "",
        };
        let mut row = self.row(rng, &s, at, ok(UPDATE_USER, ""));
        row.service = CORE_DIRECTORY;
        row.targets.push(Target {
            subject: Subject::User(user),
            changes: vec![
                Change {
                    name: "Department",
                    old: json_string_list(DEPARTMENTS[old]),
                    new: json_string_list(DEPARTMENTS[new]),
                },
                Change {
                    name: "Included Updated Properties",
                    old: String::new(),
                    new: "\"Department\"".to_string(),
                },
            ],
        });
        let guest = self.actor(user).account.guest;
        row.details
            .push(("UserType", if guest { "Guest" } else { "Member" }));
        self.push(row);
    }

    /// Core Directory `Add member to group` for a campaign group.
    fn group_row(&mut self, rng: &mut Rng) {
        let users = self.tenant.registered as u32;
        let weights: Vec<(usize, u32)> = CAMPAIGN_GROUPS
            .iter()
            .enumerate()
            .map(|(i, g)| (i, g.3))
            .collect();
        let mut group = pick_weighted(rng, &weights);
        let mut user = rng.below(u64::from(users)) as u32;
        if group == OVERDUE_GROUP {
            // Only members who had not registered by the deadline.
            let deadline = u64::from(DEADLINE_SECS) * TICKS_PER_SEC;
            let overdue = |log: &Self, u: u32| {
                !log.actor(u).account.guest
                    && log.completed[u as usize].is_none_or(|t| t >= deadline)
            };
            let mut found = overdue(self, user);
            for _ in 0..40 {
                if found {
                    break;
                }
                user = rng.below(u64::from(users)) as u32;
                found = overdue(self, user);
            }
            if !found {
                group = 0;
            }
        }
        let (name, first_day, days, _) = CAMPAIGN_GROUPS[group];
        let day = u64::from(first_day) + rng.below(u64::from(days));
        let at = day * DAY + 9 * HOUR + between(rng, 0, 8 * HOUR);
        let Some(mut s) = self.admin_session(rng, Some(user)) else {
            return;
        };
        s.target = None;
        let mut row = self.row(rng, &s, at, ok(ADD_MEMBER, ""));
        row.service = CORE_DIRECTORY;
        row.category = GROUP_MANAGEMENT;
        let mut id = String::with_capacity(36);
        push_guid_fast(&mut id, group_id(group));
        row.targets.push(Target {
            subject: Subject::User(user),
            changes: vec![
                Change {
                    name: "Group.ObjectID",
                    old: String::new(),
                    new: format!("\"{id}\""),
                },
                Change {
                    name: "Group.DisplayName",
                    old: String::new(),
                    new: format!("\"{name}\""),
                },
            ],
        });
        row.targets.push(Target {
            subject: Subject::Group(group),
            changes: Vec::new(),
        });
        self.push(row);
    }
}

fn group_id(group: usize) -> (u64, u64) {
    mix2(AUDIT_OTHER_SALT ^ ((group as u64 + 1) << 32))
}

// ---------------------------------------------------------------------------
// Audit log: file
// ---------------------------------------------------------------------------

/// A CSV record in which every field is double-quoted, as the portal writes it.
struct Quoted {
    line: String,
    fields: usize,
}

impl Quoted {
    fn field(&mut self, value: &str) {
        if self.fields > 0 {
            self.line.push(',');
        }
        self.fields += 1;
        self.line.push('"');
        for (i, part) in value.split('"').enumerate() {
            if i > 0 {
                self.line.push_str("\"\"");
            }
            self.line.push_str(part);
        }
        self.line.push('"');
    }

    fn blanks(&mut self, n: usize) {
        for _ in 0..n {
            self.field("");
        }
    }

    fn guid(&mut self, id: (u64, u64)) {
        let mut text = String::with_capacity(36);
        push_guid_fast(&mut text, id);
        self.field(&text);
    }

    fn end(&mut self) {
        self.line.push_str("\r\n");
        self.fields = 0;
    }
}

const AUDIT_TARGETS: usize = 3;
const AUDIT_PROPERTIES: usize = 5;
const AUDIT_DETAILS: usize = 6;
const AUDIT_COLUMNS: usize = 17 + AUDIT_TARGETS * (4 + 3 * AUDIT_PROPERTIES) + 2 * AUDIT_DETAILS;

fn push_audit_header(q: &mut Quoted) {
    for name in [
        "Date (UTC)",
        "CorrelationId",
        "Service",
        "Category",
        "Activity",
        "Result",
        "ResultReason",
        "User Agent",
        "ActorType",
        "ActorDisplayName",
        "ActorObjectId",
        "ActorUserPrincipalName",
        "IPAddress",
        "ActorHomeTenantId",
        "ActorHomeTenantName",
        "ActorServicePrincipalId",
        "ActorServicePrincipalName",
    ] {
        q.field(name);
    }
    for t in 1..=AUDIT_TARGETS {
        for part in ["Type", "DisplayName", "ObjectId", "UserPrincipalName"] {
            q.field(&format!("Target{t}{part}"));
        }
        for p in 1..=AUDIT_PROPERTIES {
            for part in ["Name", "OldValue", "NewValue"] {
                q.field(&format!("Target{t}ModifiedProperty{p}{part}"));
            }
        }
    }
    for d in 1..=AUDIT_DETAILS {
        q.field(&format!("AdditionalDetail{d}Key"));
        q.field(&format!("AdditionalDetail{d}Value"));
    }
    q.end();
}

fn push_audit_row(
    q: &mut Quoted,
    tenant: &Tenant,
    principals: &[ServicePrincipal],
    row: &AuditRow,
) {
    let mut date = String::with_capacity(28);
    push_audit_date(&mut date, row.ticks, row.digits);
    q.field(&date);
    q.guid(row.correlation);
    q.field(row.service);
    q.field(row.category);
    q.field(row.entry.activity);
    q.field(if row.entry.success {
        "success"
    } else {
        "failure"
    });
    q.field(&row.entry.reason);
    q.field(row.agent);
    let mut ip = String::with_capacity(40);
    if let Some(address) = row.ip {
        push_ip(&mut ip, address);
    }
    match row.actor {
        Who::User(user) => {
            let actor = &tenant.actors[user as usize];
            let account = &actor.account;
            q.field("User");
            q.field(&account.name);
            q.field(&account.id);
            q.field(&account.upn);
            q.field(&ip);
            if account.guest {
                let (id, name) = actor.home_tenant();
                q.field(id);
                q.field(name);
            } else {
                q.blanks(2);
            }
            q.blanks(2);
        }
        Who::Principal(index) => {
            q.field("Application");
            q.field(PRINCIPALS[index].0);
            q.blanks(2);
            q.field(&ip);
            q.blanks(2);
            q.guid(principals[index].object_id);
            q.field(PRINCIPALS[index].0);
        }
    }
    for t in 0..AUDIT_TARGETS {
        let Some(target) = row.targets.get(t) else {
            q.blanks(4 + 3 * AUDIT_PROPERTIES);
            continue;
        };
        match target.subject {
            Subject::User(user) => {
                let account = &tenant.actors[user as usize].account;
                q.field("User");
                q.field(&account.name);
                q.field(&account.id);
                q.field(&account.upn);
            }
            Subject::Group(group) => {
                q.field("Group");
                q.field(CAMPAIGN_GROUPS[group].0);
                q.guid(group_id(group));
                q.field("");
            }
        }
        for p in 0..AUDIT_PROPERTIES {
            match target.changes.get(p) {
                Some(change) => {
                    q.field(change.name);
                    q.field(&change.old);
                    q.field(&change.new);
                }
                None => q.blanks(3),
            }
        }
    }
    for d in 0..AUDIT_DETAILS {
        match row.details.get(d) {
            Some(&(key, value)) => {
                q.field(key);
                q.field(value);
            }
            None => q.blanks(2),
        }
    }
    debug_assert_eq!(q.fields, AUDIT_COLUMNS);
    q.end();
}

/// Plans the audit events of the tenant, newest first, at most `n` of them.
fn plan_audit(args: &Args, tenant: &Tenant, n: usize) -> Vec<AuditRow> {
    let mut log = AuditLog::new(tenant);
    let salt = args.seed ^ AUDIT_STORY_SALT;
    for user in 0..tenant.registered as u32 {
        log.user_story(&mut row_rng(salt, user), user);
    }
    let signins = args.signins.interactive.is_some() || args.signins.noninteractive.is_some();
    let facts = signins.then(|| SignInFacts::gather(args, tenant));
    log.unusual_origins(args.seed, facts.as_ref());
    if let Some(facts) = &facts {
        log.follow_signins(args.seed, facts);
    }
    // About 15% of the rows come from other services.
    let others = (n * 15 + 50) / 100;
    log.fill(args.seed, (n - others).saturating_sub(log.rows.len()));
    let others = others.max(n.saturating_sub(log.rows.len()));
    log.other_rows(args.seed, others);

    let mut rows = log.rows;
    rows.sort_unstable_by(|a, b| b.ticks.cmp(&a.ticks).then(b.seq.cmp(&a.seq)));
    rows.truncate(n);
    rows
}

fn write_audit(args: &Args, tenant: &Tenant, n: usize, path: &str) -> io::Result<()> {
    let rows = plan_audit(args, tenant, n);
    let principals = service_principals(args.seed);
    let file = File::create(path)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot create '{path}': {e}")))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut q = Quoted {
        line: String::with_capacity(4096),
        fields: 0,
    };
    q.line.push('\u{FEFF}');
    push_audit_header(&mut q);
    for row in &rows {
        push_audit_row(&mut q, tenant, &principals, row);
        if q.line.len() >= 1 << 16 {
            out.write_all(q.line.as_bytes())
                .map_err(|e| io_context(path, e))?;
            q.line.clear();
        }
    }
    out.write_all(q.line.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| io_context(path, e))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Parsed::Run(args)) => args,
        Ok(Parsed::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("generate-tenant: {message} ({USAGE})");
            return ExitCode::from(2);
        }
    };

    let wants_signins = args.signins.interactive.is_some()
        || args.signins.noninteractive.is_some()
        || args.signins.applications.is_some();
    let wants_tenant = wants_signins || args.audit.is_some();
    let mut roster = Vec::new();
    let roster_slot = if wants_tenant {
        Some(&mut roster)
    } else {
        None
    };
    let result = if args.out == "-" {
        generate(&args, io::stdout().lock(), roster_slot)
    } else {
        match File::create(&args.out) {
            Ok(file) => generate(&args, file, roster_slot),
            Err(err) => {
                eprintln!("generate-tenant: cannot create '{}': {err}", args.out);
                return ExitCode::FAILURE;
            }
        }
    };
    if let Err(err) = result {
        eprintln!("generate-tenant: cannot write '{}': {err}", args.out);
        return ExitCode::FAILURE;
    }
    if wants_tenant {
        let tenant = Tenant::build(roster, args.seed);
        let mut result = if wants_signins {
            write_signins(&args, &tenant)
        } else {
            Ok(())
        };
        if let (Ok(()), Some((n, path))) = (&result, &args.audit) {
            result = write_audit(&args, &tenant, *n, path);
        }
        if let Err(err) = result {
            eprintln!("generate-tenant: {err}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
