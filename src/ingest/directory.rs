//! Directory exports that set the population rather than describe MFA: the users list
//! (Entra admin center > Users > All users > Download users) and role assignments (Roles and
//! administrators > Download assignments). Both are optional; a report without them counts
//! every user of the registration export.
//!
//! The users list comes in three header styles, all read here: the bulk download's Graph
//! property names (`userPrincipalName,displayName,…,id,userType,…,accountEnabled,
//! usageLocation,…,country,…,directorySynced,…,createdDateTime`), the same names chosen as
//! list columns (`onPremisesSyncEnabled` instead of `directorySynced`) and PowerShell
//! `Get-MgUser | Export-Csv` (PascalCase). Headers are matched ignoring case and spaces, so the
//! list view's labels ("Account enabled") match too.
//!
//! Microsoft does not document the header of the role assignments download; a file is taken as
//! one when it has a role column and a principal column under any of the names below (the
//! portal's labels, Graph's and PowerShell's property names). `inspect` shows how it was read.

use polars::prelude::*;

use super::signins::{for_each_record, RowProblems};
use super::text::{fold_header, CsvLayout};
use super::values::{parse_bool, parse_datetime};
use crate::error::InputError;

/// A column of the users list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    Id,
    Upn,
    AccountEnabled,
    Department,
    UsageLocation,
    Country,
    Created,
    OnPremisesSync,
}

/// Folded header names (see [`fold_header`]) of each users-list column.
const USER_NAMES: &[(UserField, &[&str])] = &[
    (UserField::Id, &["id", "objectid"]),
    (UserField::Upn, &["userprincipalname"]),
    (UserField::AccountEnabled, &["accountenabled"]),
    (UserField::Department, &["department"]),
    (UserField::UsageLocation, &["usagelocation"]),
    (UserField::Country, &["country", "country/region"]),
    (
        UserField::Created,
        &["createddatetime", "creationdate", "createddate"],
    ),
    (
        UserField::OnPremisesSync,
        &[
            "directorysynced",
            "onpremisessyncenabled",
            "on-premisessyncenabled",
            "dirsyncenabled",
        ],
    ),
];

/// A column of the role assignments download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleField {
    Role,
    PrincipalUpn,
    PrincipalId,
    PrincipalType,
    State,
}

const ROLE_NAMES: &[(RoleField, &[&str])] = &[
    (
        RoleField::Role,
        &[
            "role",
            "rolename",
            "roledisplayname",
            "roledefinitionname",
            "roledefinitiondisplayname",
            "roledefinition",
        ],
    ),
    (
        RoleField::PrincipalUpn,
        &[
            "principalname",
            "userprincipalname",
            "principalupn",
            "principaluserprincipalname",
            "signinname",
            "principalsigninname",
            "username",
            "upn",
        ],
    ),
    (
        RoleField::PrincipalId,
        &["principalid", "principalobjectid", "objectid"],
    ),
    (
        RoleField::PrincipalType,
        &["principaltype", "type", "objecttype", "membertype"],
    ),
    (
        RoleField::State,
        &["assignmenttype", "state", "assignmentstate"],
    ),
];

/// Header positions of a file, by field; the first of repeated columns wins.
#[derive(Debug, Clone)]
pub struct Columns<F> {
    pub index: Vec<(F, usize, String)>,
    pub width: usize,
    pub ignored: Vec<String>,
}

impl<F: Copy + PartialEq> Columns<F> {
    fn new(headers: &[String], names: &[(F, &[&str])]) -> Self {
        let mut index: Vec<(F, usize, String)> = Vec::new();
        let mut ignored = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            let folded = fold_header(h);
            match names
                .iter()
                .find(|(_, ns)| ns.contains(&folded.as_str()))
                .map(|(f, _)| *f)
            {
                Some(f) if !index.iter().any(|(g, _, _)| *g == f) => index.push((f, i, h.clone())),
                _ => ignored.push(h.clone()),
            }
        }
        Columns {
            index,
            width: headers.len(),
            ignored,
        }
    }

    pub fn get(&self, f: F) -> Option<usize> {
        self.index
            .iter()
            .find(|(g, _, _)| *g == f)
            .map(|(_, i, _)| *i)
    }

    pub fn has(&self, f: F) -> bool {
        self.get(f).is_some()
    }
}

/// The users list's columns, when `headers` is one: a UPN, whether the account is enabled, and
/// at least one other property of the list.
pub fn users_columns(headers: &[String]) -> Option<Columns<UserField>> {
    let c = Columns::new(headers, USER_NAMES);
    let others = [
        UserField::Id,
        UserField::Department,
        UserField::UsageLocation,
        UserField::Country,
        UserField::Created,
        UserField::OnPremisesSync,
    ];
    (c.has(UserField::Upn) && c.has(UserField::AccountEnabled) && others.iter().any(|f| c.has(*f)))
        .then_some(c)
}

/// The role assignments download's columns, when `headers` is one: a role and a principal.
pub fn roles_columns(headers: &[String]) -> Option<Columns<RoleField>> {
    let c = Columns::new(headers, ROLE_NAMES);
    (c.has(RoleField::Role) && (c.has(RoleField::PrincipalUpn) || c.has(RoleField::PrincipalId)))
        .then_some(c)
}

/// What reading one directory file found, for its entry in the inputs list.
#[derive(Debug, Default)]
pub struct Outcome {
    pub rows: usize,
    pub problems: RowProblems,
    /// Notes for the report (unreadable values, repeated users, group assignments).
    pub notes: Vec<String>,
}

fn opt(record: &csv::StringRecord, i: Option<usize>) -> Option<String> {
    let v = i.and_then(|i| record.get(i))?.trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// The users of every users-list file, one row each in file order.
#[derive(Debug, Default)]
pub struct UsersBuilder {
    id: Vec<Option<String>>,
    upn_key: Vec<Option<String>>,
    account_enabled: Vec<Option<bool>>,
    department: Vec<Option<String>>,
    usage_location: Vec<Option<String>>,
    country: Vec<Option<String>>,
    created_us: Vec<Option<i64>>,
    on_premises_sync: Vec<Option<bool>>,
}

impl UsersBuilder {
    pub fn len(&self) -> usize {
        self.upn_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.upn_key.is_empty()
    }

    pub fn truncate(&mut self, len: usize) {
        self.id.truncate(len);
        self.upn_key.truncate(len);
        self.account_enabled.truncate(len);
        self.department.truncate(len);
        self.usage_location.truncate(len);
        self.country.truncate(len);
        self.created_us.truncate(len);
        self.on_premises_sync.truncate(len);
    }

    /// Read one users-list CSV. Values that are not a boolean or a date are counted and left
    /// empty (the account then counts as enabled), never guessed.
    pub fn read(
        &mut self,
        path: &str,
        text: &str,
        layout: &CsvLayout,
        c: &Columns<UserField>,
    ) -> Result<Outcome, InputError> {
        let mut outcome = Outcome::default();
        let mut problems = RowProblems::default();
        let mut bad_enabled: (usize, Option<(u64, String)>) = (0, None);
        let mut bad_sync: (usize, Option<(u64, String)>) = (0, None);
        let mut bad_created: (usize, Option<(u64, String)>) = (0, None);
        let mut no_upn = 0usize;
        let get = |r: &csv::StringRecord, f: UserField| opt(r, c.get(f));
        for_each_record(path, text, layout, c.width, &mut problems, |line, r| {
            let Some(upn) = get(r, UserField::Upn) else {
                no_upn += 1;
                return Ok(());
            };
            let flag = |f: UserField, bad: &mut (usize, Option<(u64, String)>)| {
                let raw = get(r, f).unwrap_or_default();
                parse_bool(&raw).unwrap_or_else(|_| {
                    bad.0 += 1;
                    bad.1.get_or_insert((line, raw));
                    None
                })
            };
            let enabled = flag(UserField::AccountEnabled, &mut bad_enabled);
            // Graph leaves onPremisesSyncEnabled empty for accounts never synchronized, and the
            // bulk download's directorySynced is empty for them too: cloud-only.
            let sync = if c.has(UserField::OnPremisesSync) {
                flag(UserField::OnPremisesSync, &mut bad_sync).or(Some(false))
            } else {
                None
            };
            let raw = get(r, UserField::Created).unwrap_or_default();
            let created = parse_datetime(&raw).unwrap_or_else(|_| {
                bad_created.0 += 1;
                bad_created.1.get_or_insert((line, raw.clone()));
                None
            });
            self.id
                .push(get(r, UserField::Id).map(|s| s.to_ascii_lowercase()));
            self.upn_key.push(Some(upn.to_lowercase()));
            self.account_enabled.push(enabled);
            self.department.push(get(r, UserField::Department));
            self.usage_location
                .push(get(r, UserField::UsageLocation).map(|s| s.to_uppercase()));
            self.country.push(get(r, UserField::Country));
            self.created_us.push(created.map(|t| t.timestamp_micros()));
            self.on_premises_sync.push(sync);
            outcome.rows += 1;
            Ok(())
        })?;
        let mut note = |(n, example): (usize, Option<(u64, String)>), what: &str, effect: &str| {
            if let Some((line, value)) = example {
                outcome.notes.push(format!(
                    "{n} rows with {what} that cannot be read (first at line {line}: '{value}'); {effect}"
                ));
            }
        };
        note(
            bad_enabled,
            "an accountEnabled value",
            "those accounts count as enabled",
        );
        note(
            bad_sync,
            "an on-premises sync value",
            "those accounts count as cloud-only",
        );
        note(bad_created, "a creation date", "shown as unknown");
        if no_upn > 0 {
            outcome.notes.push(format!(
                "{no_upn} rows without a userPrincipalName were left out: they cannot be matched to a user"
            ));
        }
        outcome.problems = problems;
        Ok(outcome)
    }

    /// One row per user (the first row of a repeated object id or UPN wins) and how many rows
    /// repeated a user.
    pub fn into_frame(self) -> PolarsResult<(DataFrame, usize)> {
        let height = self.upn_key.len();
        let mut seen = std::collections::HashSet::with_capacity(height * 2);
        let keep: Vec<bool> = (0..height)
            .map(|i| {
                let upn_new = self.upn_key[i]
                    .as_deref()
                    .is_none_or(|u| seen.insert(format!("u:{u}")));
                let id_new = self.id[i]
                    .as_deref()
                    .is_none_or(|x| seen.insert(format!("i:{x}")));
                upn_new && id_new
            })
            .collect();
        let repeated = keep.iter().filter(|k| !**k).count();
        let frame = DataFrame::new(
            height,
            vec![
                Column::new("id".into(), self.id),
                Column::new("upn_key".into(), self.upn_key),
                Column::new("account_enabled".into(), self.account_enabled),
                Column::new("department".into(), self.department),
                Column::new("usage_location".into(), self.usage_location),
                Column::new("country".into(), self.country),
                Column::new("created_us".into(), self.created_us),
                Column::new("on_premises_sync".into(), self.on_premises_sync),
            ],
        )?;
        let mask = BooleanChunked::from_slice("keep".into(), &keep);
        Ok((frame.filter(&mask)?, repeated))
    }
}

/// The role assignments of every role file, one row each.
#[derive(Debug, Default)]
pub struct RolesBuilder {
    role: Vec<String>,
    principal_upn: Vec<Option<String>>,
    principal_id: Vec<Option<String>>,
    principal_type: Vec<Option<String>>,
    state: Vec<Option<String>>,
}

/// Whether a principal type names something other than a user (a group, an application).
fn not_a_user(principal_type: &str) -> bool {
    let t = principal_type.to_ascii_lowercase();
    t.contains("group") || t.contains("service") || t.contains("app")
}

impl RolesBuilder {
    pub fn len(&self) -> usize {
        self.role.len()
    }

    pub fn is_empty(&self) -> bool {
        self.role.is_empty()
    }

    pub fn truncate(&mut self, len: usize) {
        self.role.truncate(len);
        self.principal_upn.truncate(len);
        self.principal_id.truncate(len);
        self.principal_type.truncate(len);
        self.state.truncate(len);
    }

    pub fn read(
        &mut self,
        path: &str,
        text: &str,
        layout: &CsvLayout,
        c: &Columns<RoleField>,
    ) -> Result<Outcome, InputError> {
        let mut outcome = Outcome::default();
        let mut problems = RowProblems::default();
        let mut groups = 0usize;
        let mut no_role = 0usize;
        let get = |r: &csv::StringRecord, f: RoleField| opt(r, c.get(f));
        for_each_record(path, text, layout, c.width, &mut problems, |_, r| {
            let Some(role) = get(r, RoleField::Role) else {
                no_role += 1;
                return Ok(());
            };
            let kind = get(r, RoleField::PrincipalType);
            if kind.as_deref().is_some_and(not_a_user) {
                groups += 1;
            }
            self.role.push(role);
            self.principal_upn
                .push(get(r, RoleField::PrincipalUpn).map(|s| s.to_lowercase()));
            self.principal_id
                .push(get(r, RoleField::PrincipalId).map(|s| s.to_ascii_lowercase()));
            self.principal_type.push(kind);
            self.state.push(get(r, RoleField::State));
            outcome.rows += 1;
            Ok(())
        })?;
        if groups > 0 {
            outcome.notes.push(format!(
                "{groups} assignment{} to groups or applications: their members are not listed in this file, so they are not marked as admins",
                if groups == 1 { " is" } else { "s are" }
            ));
        }
        if no_role > 0 {
            outcome
                .notes
                .push(format!("{no_role} rows without a role name were left out"));
        }
        outcome.problems = problems;
        Ok(outcome)
    }

    /// Columns `role`, `principal_upn`, `principal_id`, `principal_type`, `state`.
    pub fn into_frame(self) -> PolarsResult<DataFrame> {
        let height = self.role.len();
        DataFrame::new(
            height,
            vec![
                Column::new("role".into(), self.role),
                Column::new("principal_upn".into(), self.principal_upn),
                Column::new("principal_id".into(), self.principal_id),
                Column::new("principal_type".into(), self.principal_type),
                Column::new("state".into(), self.state),
            ],
        )
    }
}

/// Whether a role assignment row is for a user (not a group or an application).
pub fn is_user_assignment(principal_type: Option<&str>) -> bool {
    !principal_type.is_some_and(not_a_user)
}
