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
//! cargo run --release --example generate-tenant -- --users 400 --seed 7 --layout extended --out sample-data/exportUserRegistrationDetails_2026-11-20.csv --signins 3000 --signins-out sample-data/InteractiveSignIns_2026-11-13_2026-11-20.csv --authdetails-out sample-data/InteractiveSignIns_AuthDetails_2026-11-13_2026-11-20.csv --noninteractive 1500 --noninteractive-out sample-data/NonInteractiveSignIns_2026-11-13_2026-11-20.csv --appsignins 200 --appsignins-out sample-data/ApplicationSignIns_2026-11-13_2026-11-20.csv
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
//! Argument errors print a one-line message to standard error and exit with
//! status 2; I/O errors exit with status 1.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

const USAGE: &str =
    "usage: generate-tenant --users N [--seed S] [--layout portal|extended] --out FILE \
[--signins N --signins-out FILE [--split K] [--authdetails-out FILE]] \
[--noninteractive N --noninteractive-out FILE] [--appsignins N --appsignins-out FILE]";

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
    Run(Args),
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
    const KEYS: [&str; 12] = [
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
            "--split" => {
                let k = parse_count(&key, &value)?;
                if k == 0 {
                    return Err("invalid --split value '0' (expected at least 1)".to_string());
                }
                split = Some(k);
            }
            _ => {
                // One of the sign-in output paths.
                if value.is_empty() || value == "-" {
                    return Err(format!("{key} must name a file"));
                }
                let slot = match key.as_str() {
                    "--signins-out" => &mut signins_out,
                    "--authdetails-out" => &mut authdetails_out,
                    "--noninteractive-out" => &mut noninteractive_out,
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
        applications: paired(appsignins, appsignins_out, "--appsignins", "--appsignins-out")?,
    };
    let mut paths: Vec<&str> = vec![out.as_str()];
    paths.extend(signins.interactive.as_ref().map(|(_, p)| p.as_str()));
    paths.extend(signins.authdetails_out.as_deref());
    paths.extend(signins.noninteractive.as_ref().map(|(_, p)| p.as_str()));
    paths.extend(signins.applications.as_ref().map(|(_, p)| p.as_str()));
    for (i, path) in paths.iter().enumerate() {
        if paths[..i].contains(path) {
            return Err(format!("output '{path}' is given twice"));
        }
    }
    Ok(Parsed::Run(Args {
        users,
        seed,
        layout,
        out,
        signins,
    }))
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

fn generate(args: &Args, sink: impl Write) -> io::Result<()> {
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
        } else {
            let person = random_person(&mut rng, index + 1, &mut upn, &mut name);
            let row = finish(&mut rng, person, None);
            push_row(&mut line, args.layout, &upn, &name, &row);
        }
        out.write_all(line.as_bytes())?;
    }
    out.flush()
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

    let result = if args.out == "-" {
        generate(&args, io::stdout().lock())
    } else {
        match File::create(&args.out) {
            Ok(file) => generate(&args, file),
            Err(err) => {
                eprintln!("generate-tenant: cannot create '{}': {err}", args.out);
                return ExitCode::FAILURE;
            }
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("generate-tenant: cannot write '{}': {err}", args.out);
            ExitCode::FAILURE
        }
    }
}
