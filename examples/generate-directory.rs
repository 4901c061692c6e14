//! Writes a users list (Users > All users > Download users) and a role assignments file that
//! match an existing registration export, deterministically: every value is derived from a
//! hash of the user's UPN, so the same registration export always gives the same files.
//!
//! ```sh
//! cargo run --example generate-directory -- \
//!   --registration sample-data/exportUserRegistrationDetails_2026-11-20.csv \
//!   --users-out sample-data/exportUsers_2026-11-20.csv \
//!   --roles-out sample-data/RoleAssignments_2026-11-20.csv
//! ```
//!
//! Every registration user is in the users list, enabled, so the figures of a report on the
//! registration export alone do not change; the list adds departments, usage locations,
//! on-premises sync and creation dates (about one user in twenty created in the 60 days before
//! the export). It also lists accounts the registration export does
//! not have: new joiners (enabled) and leavers (disabled). Users with `isAdmin` True hold one
//! or two directory roles (some eligible), and one role is assigned to a group.
//!
//! The users list has the bulk download's header (Graph property names). Microsoft does not
//! document the header of the role assignments download; this file uses one of the header
//! styles the tool recognizes (see the README, "Population: who counts").

use std::collections::HashSet;
use std::fmt::Write as _;

const USERS_HEADER: &str = "userPrincipalName,displayName,surname,mail,givenName,id,userType,jobTitle,department,accountEnabled,usageLocation,streetAddress,state,country,officeLocation,city,postalCode,telephoneNumber,mobilePhone,alternateEmailAddress,ageGroup,consentProvidedForMinor,legalAgeGroupClassification,companyName,creationType,directorySynced,invitationState,identityIssuer,createdDateTime";

const DEPARTMENTS: [&str; 8] = [
    "Sales",
    "Sales",
    "Engineering",
    "Engineering",
    "Finance",
    "Operations",
    "Human Resources",
    "",
];
const LOCATIONS: [(&str, &str); 6] = [
    ("US", "United States"),
    ("US", "United States"),
    ("GB", "United Kingdom"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("", ""),
];
const ROLES: [&str; 5] = [
    "Global Administrator",
    "User Administrator",
    "Security Administrator",
    "Helpdesk Administrator",
    "Exchange Administrator",
];

/// FNV-1a of `text` with a salt: a stable pseudo-random number per user and purpose.
fn hash(text: &str, salt: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in salt.bytes().chain([0]).chain(text.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn pick<T: Copy>(items: &[T], upn: &str, salt: &str) -> T {
    items[(hash(upn, salt) % items.len() as u64) as usize]
}

/// A CSV field, quoted when it needs to be.
fn field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// An object id derived from the UPN (for accounts the registration export does not have).
fn derived_id(upn: &str) -> String {
    let a = hash(upn, "id-a");
    let b = hash(upn, "id-b");
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

/// `M/D/YYYY h:mm:ss AM` as the bulk download writes dates.
fn created(upn: &str) -> String {
    use chrono::Datelike as _;
    let h = hash(upn, "created");
    let (mut year, mut month, mut day) = (2018 + h % 8, 1 + (h >> 8) % 12, 1 + (h >> 16) % 28);
    // About one user in twenty joined in the 60 days before the export was downloaded.
    if h % 20 == 7 {
        let export = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date");
        let joined = export - chrono::Duration::days(((h >> 56) % 60) as i64);
        (year, month, day) = (
            joined.year() as u64,
            joined.month() as u64,
            joined.day() as u64,
        );
    }
    let hour = 1 + (h >> 24) % 12;
    let minute = (h >> 32) % 60;
    let second = (h >> 40) % 60;
    let half = if (h >> 48).is_multiple_of(2) {
        "AM"
    } else {
        "PM"
    };
    format!("{month}/{day}/{year} {hour}:{minute:02}:{second:02} {half}")
}

struct Account<'a> {
    upn: &'a str,
    id: String,
    name: &'a str,
    guest: bool,
    enabled: bool,
}

fn users_row(a: &Account) -> String {
    let columns: Vec<&str> = USERS_HEADER.split(',').collect();
    let mut values = vec![String::new(); columns.len()];
    let mut set = |column: &str, value: String| {
        let i = columns.iter().position(|c| *c == column).expect("column");
        values[i] = value;
    };
    let (usage, country) = if a.guest {
        ("", "")
    } else {
        pick(&LOCATIONS, a.upn, "location")
    };
    let department = if a.guest {
        ""
    } else if a.upn.starts_with("formula.") {
        // A hostile department: the report must escape it, the CSV outputs guard it.
        "=HYPERLINK(\"http://evil.example\",\"Sales\")"
    } else {
        pick(&DEPARTMENTS, a.upn, "department")
    };
    let synced = !a.guest && hash(a.upn, "sync") % 10 < 7;
    set("userPrincipalName", a.upn.to_string());
    set("displayName", a.name.to_string());
    set(
        "mail",
        if a.guest {
            String::new()
        } else {
            a.upn.to_string()
        },
    );
    set("id", a.id.clone());
    set(
        "userType",
        if a.guest { "Guest" } else { "Member" }.to_string(),
    );
    set("department", department.to_string());
    set(
        "accountEnabled",
        if a.enabled { "True" } else { "False" }.to_string(),
    );
    set("usageLocation", usage.to_string());
    set("country", country.to_string());
    set(
        "creationType",
        if a.guest { "Invitation" } else { "" }.to_string(),
    );
    set(
        "directorySynced",
        if synced { "True" } else { "" }.to_string(),
    );
    set(
        "invitationState",
        if a.guest { "Accepted" } else { "" }.to_string(),
    );
    set(
        "identityIssuer",
        if a.guest {
            "ExternalAzureAD"
        } else {
            "contoso.example"
        }
        .to_string(),
    );
    set("createdDateTime", created(a.upn));
    values
        .iter()
        .map(|v| field(v))
        .collect::<Vec<_>>()
        .join(",")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut registration = None;
    let mut users_out = None;
    let mut roles_out = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--registration" => registration = Some(value()?),
            "--users-out" => users_out = Some(value()?),
            "--roles-out" => roles_out = Some(value()?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let (Some(registration), Some(users_out), Some(roles_out)) =
        (registration, users_out, roles_out)
    else {
        return Err(
            "usage: generate-directory --registration FILE --users-out FILE --roles-out FILE"
                .into(),
        );
    };

    let text = std::fs::read_to_string(&registration)?;
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers()?.clone();
    let at = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or(format!("{registration} has no {name} column"))
    };
    let (upn_at, id_at, name_at, type_at, admin_at) = (
        at("userPrincipalName")?,
        at("id")?,
        at("userDisplayName")?,
        at("userType")?,
        at("isAdmin")?,
    );
    let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    let mut seen = HashSet::new();
    let mut accounts = Vec::new();
    let mut admins = Vec::new();
    for r in &records {
        let upn = &r[upn_at];
        if !seen.insert(upn.to_lowercase()) {
            continue;
        }
        accounts.push(Account {
            upn,
            id: r[id_at].to_string(),
            name: &r[name_at],
            guest: r[type_at].eq_ignore_ascii_case("guest"),
            enabled: true,
        });
        if &r[admin_at] == "True" {
            admins.push((upn, r[id_at].to_string(), &r[name_at]));
        }
    }
    // Accounts the registration export does not have: joiners after it, leavers before it.
    let extra: Vec<(String, bool)> = (1..=6)
        .map(|i| (format!("new.joiner{i}@contoso.example"), true))
        .chain((1..=9).map(|i| (format!("former.employee{i}@contoso.example"), false)))
        .collect();
    for (upn, enabled) in &extra {
        accounts.push(Account {
            upn,
            id: derived_id(upn),
            name: upn.split('@').next().unwrap_or_default(),
            guest: false,
            enabled: *enabled,
        });
    }

    let mut users = String::from("\u{feff}");
    users.push_str(USERS_HEADER);
    users.push_str("\r\n");
    for a in &accounts {
        users.push_str(&users_row(a));
        users.push_str("\r\n");
    }
    std::fs::write(&users_out, users)?;

    let mut roles = String::from(
        "Role,PrincipalDisplayName,PrincipalUserPrincipalName,PrincipalId,PrincipalType,AssignmentType,DirectoryScopeId\r\n",
    );
    for (upn, id, name) in &admins {
        let first = pick(&ROLES, upn, "role");
        let eligible = hash(upn, "eligible").is_multiple_of(3);
        let state = if eligible { "Eligible" } else { "Active" };
        let _ = write!(
            roles,
            "{},{},{},{},User,{},/\r\n",
            field(first),
            field(name),
            field(upn),
            id,
            state
        );
        if hash(upn, "second").is_multiple_of(2) {
            let second = pick(&ROLES, upn, "second-role");
            if second != first {
                let _ = write!(
                    roles,
                    "{},{},{},{},User,Active,/\r\n",
                    field(second),
                    field(name),
                    field(upn),
                    id
                );
            }
        }
    }
    roles.push_str(
        "Helpdesk Administrator,Service desk tier 1,,6c1e4a52-0b7d-4f3e-9a41-3d2b1c0e9f10,Group,Active,/\r\n",
    );
    std::fs::write(&roles_out, roles)?;
    eprintln!(
        "wrote {} accounts to {users_out} and {} admins' roles to {roles_out}",
        accounts.len(),
        admins.len()
    );
    Ok(())
}
