//! The user registration details export, in every variant a consultant is handed: the portal
//! download, Graph property subsets (v1.0 and beta), Graph PowerShell `Export-Csv` output, older
//! names without the `is` prefix, and portal view labels. All variants end up as the same
//! canonical columns in [`RegistrationBuilder`].

use std::collections::HashMap;

use polars::prelude::*;

use super::signin_table::{FastHash, Interner};
use super::stream;
use super::text::fold_header;
use super::values::{parse_bool, parse_list, parse_time_us, ListCell};
use crate::error::InputError;
use crate::methods;

/// The canonical fields of a registration record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Upn,
    Id,
    DisplayName,
    UserType,
    IsAdmin,
    IsMfaCapable,
    IsMfaRegistered,
    IsPasswordlessCapable,
    IsSsprCapable,
    IsSsprEnabled,
    IsSsprRegistered,
    IsSystemPreferredEnabled,
    SystemPreferredMethods,
    UserPreferredMethod,
    DefaultMfaMethod,
    MethodsRegistered,
    LastUpdated,
}

struct Spec {
    field: Field,
    /// The Graph property name, which is also the portal download's header.
    graph: &'static str,
    /// Other header names that mean the same (folded before comparison).
    aliases: &'static [&'static str],
    /// What the report loses when the column is absent (shown by `inspect`).
    without: &'static str,
}

const SPECS: &[Spec] = &[
    Spec {
        field: Field::Upn,
        graph: "userPrincipalName",
        aliases: &["User principal name", "UPN"],
        without: "required: users cannot be identified",
    },
    Spec {
        field: Field::Id,
        graph: "id",
        aliases: &["Object ID", "objectId", "userId", "User ID"],
        without: "duplicates are found by UPN only",
    },
    Spec {
        field: Field::DisplayName,
        graph: "userDisplayName",
        aliases: &["Name", "displayName", "Display name", "User display name"],
        without: "users are shown by UPN only",
    },
    Spec {
        field: Field::UserType,
        graph: "userType",
        aliases: &["User type"],
        without: "guests are recognized by #EXT# in the UPN",
    },
    Spec {
        field: Field::IsAdmin,
        graph: "isAdmin",
        aliases: &["admin", "Admin"],
        without: "admin figures are not available",
    },
    Spec {
        field: Field::IsMfaCapable,
        graph: "isMfaCapable",
        aliases: &[
            "mfaCapable",
            "MFA Capable",
            "Multifactor authentication capable",
        ],
        without: "MFA-capable counts are not available",
    },
    Spec {
        field: Field::IsMfaRegistered,
        graph: "isMfaRegistered",
        aliases: &["mfaRegistered", "MFA Registered"],
        without: "MFA-registered count is not available",
    },
    Spec {
        field: Field::IsPasswordlessCapable,
        graph: "isPasswordlessCapable",
        aliases: &["passwordlessCapable", "Passwordless Capable"],
        without: "passwordless-capable count is not available",
    },
    Spec {
        field: Field::IsSsprCapable,
        graph: "isSsprCapable",
        aliases: &["ssprCapable", "SSPR Capable"],
        without: "SSPR-capable count is not available",
    },
    Spec {
        field: Field::IsSsprEnabled,
        graph: "isSsprEnabled",
        aliases: &["ssprEnabled", "SSPR Enabled"],
        without: "SSPR-enabled count is not available",
    },
    Spec {
        field: Field::IsSsprRegistered,
        graph: "isSsprRegistered",
        aliases: &["ssprRegistered", "SSPR Registered"],
        without: "SSPR-registered count is not available",
    },
    Spec {
        field: Field::IsSystemPreferredEnabled,
        graph: "isSystemPreferredAuthenticationMethodEnabled",
        aliases: &[
            "systemPreferredAuthenticationMethodEnabled",
            "System preferred MFA enabled",
            "System preferred MFA Status",
        ],
        without: "system-preferred MFA status is not shown",
    },
    Spec {
        field: Field::SystemPreferredMethods,
        graph: "systemPreferredAuthenticationMethods",
        aliases: &["System preferred MFA method"],
        without: "not used: the report does not show system-preferred methods",
    },
    Spec {
        field: Field::UserPreferredMethod,
        graph: "userPreferredMethodForSecondaryAuthentication",
        aliases: &["User preferred MFA method", "userPreferredMethod"],
        without: "used for the default method only when defaultMfaMethod is absent",
    },
    Spec {
        field: Field::DefaultMfaMethod,
        graph: "defaultMfaMethod",
        aliases: &["Default MFA method", "Default Auth Method"],
        without:
            "default methods come from userPreferredMethodForSecondaryAuthentication, if present",
    },
    Spec {
        field: Field::MethodsRegistered,
        graph: "methodsRegistered",
        aliases: &[
            "Methods registered",
            "Registered Auth Methods",
            "authMethods",
        ],
        without: "method mix, tiers and backup figures are not available",
    },
    Spec {
        field: Field::LastUpdated,
        graph: "lastUpdatedDateTime",
        aliases: &["Last Updated Time", "Last updated date time", "lastUpdated"],
        without: "the as-of date must be given with --as-of",
    },
];

/// Headers that only a registration export has; two of them make a file a registration export.
const DISTINCTIVE: &[Field] = &[
    Field::IsMfaCapable,
    Field::IsMfaRegistered,
    Field::IsPasswordlessCapable,
    Field::IsSsprCapable,
    Field::IsSsprEnabled,
    Field::IsSsprRegistered,
    Field::IsSystemPreferredEnabled,
    Field::SystemPreferredMethods,
    Field::UserPreferredMethod,
    Field::DefaultMfaMethod,
    Field::MethodsRegistered,
];

/// Columns of the default portal download, in its order.
const PORTAL_COLUMNS: &[&str] = &[
    "userPrincipalName",
    "userDisplayName",
    "isMfaCapable",
    "isPasswordlessCapable",
    "isSsprCapable",
    "defaultMfaMethod",
    "methodsRegistered",
    "lastUpdatedDateTime",
];

impl Field {
    /// The Graph property name of the field.
    pub fn graph_name(self) -> &'static str {
        spec(self).graph
    }
}

fn spec(field: Field) -> &'static Spec {
    SPECS
        .iter()
        .find(|s| s.field == field)
        .expect("every field has a spec")
}

fn lookup_header(header: &str) -> Option<Field> {
    let folded = fold_header(header);
    SPECS
        .iter()
        .find(|s| {
            fold_header(s.graph) == folded || s.aliases.iter().any(|a| fold_header(a) == folded)
        })
        .map(|s| s.field)
}

/// How each header of a file maps onto canonical fields.
#[derive(Debug, Clone)]
pub struct HeaderMap {
    /// (column index, header as written, field)
    pub recognized: Vec<(usize, String, Field)>,
    pub ignored: Vec<String>,
    /// Headers that name a field already taken by an earlier column (the first one wins).
    pub duplicates: Vec<String>,
    /// The column of each field (by `Field as usize`; [`NO_COLUMN`] for none): looked up for
    /// every cell of every row.
    columns: [u32; FIELDS],
}

/// Number of [`Field`]s.
const FIELDS: usize = Field::LastUpdated as usize + 1;

/// In [`HeaderMap::columns`]: the field has no column.
const NO_COLUMN: u32 = u32::MAX;

impl HeaderMap {
    pub fn new(headers: &[String]) -> Self {
        let mut recognized: Vec<(usize, String, Field)> = Vec::new();
        let mut ignored = Vec::new();
        let mut duplicates = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            match lookup_header(h) {
                Some(f) if recognized.iter().any(|(_, _, g)| *g == f) => duplicates.push(h.clone()),
                Some(f) => recognized.push((i, h.clone(), f)),
                None => ignored.push(h.clone()),
            }
        }
        let mut columns = [NO_COLUMN; FIELDS];
        for (i, _, f) in &recognized {
            columns[*f as usize] = u32::try_from(*i).unwrap_or(NO_COLUMN);
        }
        HeaderMap {
            recognized,
            ignored,
            duplicates,
            columns,
        }
    }

    pub fn has(&self, field: Field) -> bool {
        self.index(field).is_some()
    }

    fn index(&self, field: Field) -> Option<usize> {
        let column = self.columns[field as usize];
        (column != NO_COLUMN).then_some(column as usize)
    }

    /// Whether these headers are a registration export.
    pub fn is_registration(&self) -> bool {
        DISTINCTIVE.iter().filter(|f| self.has(**f)).count() >= 2
            || (self.has(Field::Upn) && DISTINCTIVE.iter().any(|f| self.has(*f)))
    }

    /// Graph property names of the fields this file lacks, with what that costs.
    pub fn missing(&self) -> Vec<(String, String)> {
        SPECS
            .iter()
            .filter(|s| !self.has(s.field) && s.field != Field::SystemPreferredMethods)
            .map(|s| (s.graph.to_string(), s.without.to_string()))
            .collect()
    }

    /// A short name for the producer of the file, judged from its headers.
    pub fn variant(&self, type_line: bool) -> String {
        let headers: Vec<&str> = self.recognized.iter().map(|(_, h, _)| h.trim()).collect();
        let pascal = headers
            .iter()
            .all(|h| h.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && !h.contains(' '));
        let labels = headers.iter().any(|h| h.contains(' '));
        let legacy = self.recognized.iter().any(|(_, h, f)| {
            let h = h.trim();
            h != spec(*f).graph
                && matches!(
                    f,
                    Field::IsMfaCapable
                        | Field::IsMfaRegistered
                        | Field::IsSsprCapable
                        | Field::IsSsprEnabled
                        | Field::IsSsprRegistered
                        | Field::IsPasswordlessCapable
                )
                && !h.to_ascii_lowercase().starts_with("is")
                && !h.contains(' ')
        });
        if type_line || pascal {
            "powershell-export-csv".into()
        } else if legacy {
            "legacy-names".into()
        } else if labels {
            "portal-view-labels".into()
        } else if headers == PORTAL_COLUMNS {
            "portal-download".into()
        } else if self.has(Field::DefaultMfaMethod) {
            "graph-beta".into()
        } else {
            "graph-v1.0".into()
        }
    }
}

/// Canonical columns accumulated over every registration file, one entry per data row.
/// Repeated texts (default method, user type, method lists) are interned: a million users have
/// a few hundred distinct method lists.
#[derive(Debug, Default)]
pub struct RegistrationBuilder {
    pub upn: TextColumn,
    pub id: TextColumn,
    pub display_name: TextColumn,
    user_type: Vec<u32>,
    pub is_admin: Vec<Option<bool>>,
    pub is_mfa_capable: Vec<Option<bool>>,
    pub is_mfa_registered: Vec<Option<bool>>,
    pub is_passwordless_capable: Vec<Option<bool>>,
    pub is_sspr_capable: Vec<Option<bool>>,
    pub is_sspr_enabled: Vec<Option<bool>>,
    pub is_sspr_registered: Vec<Option<bool>>,
    pub is_system_preferred_enabled: Vec<Option<bool>>,
    default_method: Vec<u32>,
    /// `false` when the file lost the method lists (`System.String[]`) or has no such column.
    pub methods_known: Vec<bool>,
    methods_text: Vec<u32>,
    pub last_updated_us: Vec<Option<i64>>,
    pub source: Vec<u32>,
    pub line: Vec<u64>,
    /// The canonical method names (codes in `texts`) of each method list (its code in `texts`).
    lists: HashMap<u32, Vec<u32>, FastHash>,
    texts: Interner,
    /// Method-list cells already decoded, by raw text: their place in `decoded`.
    memo: HashMap<Box<str>, u32, FastHash>,
    decoded: Vec<Decoded>,
}

/// The texts of a column, one after the other in one string: a million rows cost no
/// allocation each.
#[derive(Debug, Clone, Default)]
pub struct TextColumn {
    text: String,
    /// Per row, where its text ends in `text`; `None` for no value.
    ends: Vec<Option<usize>>,
}

impl TextColumn {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Add a row; `ascii_lower` lower-cases its ASCII letters (object ids).
    pub fn push(&mut self, value: Option<&str>, ascii_lower: bool) {
        self.ends.push(value.map(|v| {
            let start = self.text.len();
            self.text.push_str(v);
            if ascii_lower {
                self.text[start..].make_ascii_lowercase();
            }
            self.text.len()
        }));
    }

    /// Every row's text, in order.
    pub fn iter(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        let mut start = 0;
        self.ends.iter().map(move |end| {
            end.map(|end| {
                let s = &self.text[start..end];
                start = end;
                s
            })
        })
    }

    pub fn truncate(&mut self, len: usize) {
        self.ends.truncate(len);
        let end = self.ends.iter().rev().find_map(|e| *e).unwrap_or(0);
        self.text.truncate(end);
    }

    /// Append the rows of `other` after these.
    pub fn extend(&mut self, other: TextColumn) {
        if self.ends.is_empty() {
            *self = other;
            return;
        }
        let shift = self.text.len();
        self.text.push_str(&other.text);
        self.ends
            .extend(other.ends.into_iter().map(|e| e.map(|e| e + shift)));
    }

    pub fn into_column(self, name: &str) -> Column {
        StringChunked::from_iter_options(name.into(), self.iter()).into_column()
    }
}

/// A decoded method-list cell.
#[derive(Debug, Clone)]
enum Decoded {
    /// Codes (in [`RegistrationBuilder::texts`]) of the canonical names, and of their list.
    Known { names: Vec<u32>, text: u32 },
    /// The list was replaced by a .NET type name (the value).
    Lost(String),
}

const NONE: u32 = u32::MAX;

/// Access to the cells of one row, whatever it was read from.
pub trait Cells {
    fn cell(&self, i: usize) -> Option<&str>;
    fn is_blank(&self) -> bool;
}

impl Cells for csv::StringRecord {
    fn cell(&self, i: usize) -> Option<&str> {
        self.get(i)
    }

    fn is_blank(&self) -> bool {
        self.iter().all(|f| f.trim().is_empty())
    }
}

/// What one block of a registration CSV gave.
enum BlockRows {
    /// The rows, what was found, and the block's length and end offset in the file.
    Read(Box<RegistrationBuilder>, FileOutcome, (usize, u64)),
    Failed(InputError),
    NotUtf8(u64),
}

/// A row split from a block.
struct BlockRecord<'a> {
    texts: &'a [std::borrow::Cow<'a, str>],
    blank: bool,
}

impl Cells for BlockRecord<'_> {
    fn cell(&self, i: usize) -> Option<&str> {
        self.texts.get(i).map(|t| &**t)
    }

    fn is_blank(&self) -> bool {
        self.blank
    }
}

/// Where a row is: a line of a CSV file, or an item of a JSON array.
#[derive(Debug, Clone, Copy)]
enum Place {
    Line(u64),
    Item(u64),
}

impl Place {
    fn number(self) -> u64 {
        match self {
            Place::Line(n) | Place::Item(n) => n,
        }
    }

    fn locate(self, e: InputError) -> InputError {
        match self {
            Place::Line(n) => e.line(n),
            Place::Item(n) => e.item(n),
        }
    }
}

/// What reading one registration file found.
#[derive(Debug, Default, Clone)]
pub struct FileOutcome {
    pub rows: usize,
    /// (line, reason) for every data row that was skipped.
    pub skipped: Vec<(u64, String)>,
    /// Rows whose method list was replaced by a .NET type name, with that name.
    pub methods_lost: usize,
    pub methods_lost_value: Option<String>,
    pub default_from_user_preferred: bool,
    /// Rows whose fields past the header's columns were all empty (trailing delimiters).
    pub trailing_fields: usize,
}

impl RegistrationBuilder {
    /// Rows so far, for [`Self::truncate`].
    pub fn mark(&self) -> (usize, usize) {
        (self.upn.len(), 0)
    }

    /// Forget the rows added after `mark` (a file that failed half-way).
    pub fn truncate(&mut self, len: (usize, usize)) {
        self.upn.truncate(len.0);
        self.id.truncate(len.0);
        self.display_name.truncate(len.0);
        self.user_type.truncate(len.0);
        self.is_admin.truncate(len.0);
        self.is_mfa_capable.truncate(len.0);
        self.is_mfa_registered.truncate(len.0);
        self.is_passwordless_capable.truncate(len.0);
        self.is_sspr_capable.truncate(len.0);
        self.is_sspr_enabled.truncate(len.0);
        self.is_sspr_registered.truncate(len.0);
        self.is_system_preferred_enabled.truncate(len.0);
        self.default_method.truncate(len.0);
        self.methods_known.truncate(len.0);
        self.methods_text.truncate(len.0);
        self.last_updated_us.truncate(len.0);
        self.source.truncate(len.0);
        self.line.truncate(len.0);
    }

    pub fn len(&self) -> usize {
        self.upn.len()
    }

    /// Append the rows of a builder that read a later part of the input.
    pub fn append(&mut self, other: RegistrationBuilder) {
        // The first rows of all: taken over as they are, not copied.
        if self.is_empty() && self.texts.is_empty() {
            *self = other;
            return;
        }
        let map: Vec<u32> = other
            .texts
            .values()
            .iter()
            .map(|v| self.texts.intern(v))
            .collect();
        let map = &map;
        let remap = |codes: Vec<u32>| {
            codes
                .into_iter()
                .map(move |c| if c == NONE { NONE } else { map[c as usize] })
        };
        self.user_type.extend(remap(other.user_type));
        self.default_method.extend(remap(other.default_method));
        self.methods_text.extend(remap(other.methods_text));
        for (list, names) in other.lists {
            let names = names.into_iter().map(|n| map[n as usize]).collect();
            self.lists.entry(map[list as usize]).or_insert(names);
        }
        self.upn.extend(other.upn);
        self.id.extend(other.id);
        self.display_name.extend(other.display_name);
        self.is_admin.extend(other.is_admin);
        self.is_mfa_capable.extend(other.is_mfa_capable);
        self.is_mfa_registered.extend(other.is_mfa_registered);
        self.is_passwordless_capable
            .extend(other.is_passwordless_capable);
        self.is_sspr_capable.extend(other.is_sspr_capable);
        self.is_sspr_enabled.extend(other.is_sspr_enabled);
        self.is_sspr_registered.extend(other.is_sspr_registered);
        self.is_system_preferred_enabled
            .extend(other.is_system_preferred_enabled);
        self.methods_known.extend(other.methods_known);
        self.last_updated_us.extend(other.last_updated_us);
        self.source.extend(other.source);
        self.line.extend(other.line);
    }

    pub fn is_empty(&self) -> bool {
        self.upn.is_empty()
    }

    /// Make room for `rows` more rows, with texts as long as those so far.
    pub fn reserve(&mut self, rows: usize) {
        let len = self.len().max(1);
        for c in [&mut self.upn, &mut self.id, &mut self.display_name] {
            let text = (c.text.len() / len).saturating_mul(rows);
            c.text.reserve(text);
            c.ends.reserve(rows);
        }
        self.user_type.reserve(rows);
        for c in [
            &mut self.is_admin,
            &mut self.is_mfa_capable,
            &mut self.is_mfa_registered,
            &mut self.is_passwordless_capable,
            &mut self.is_sspr_capable,
            &mut self.is_sspr_enabled,
            &mut self.is_sspr_registered,
            &mut self.is_system_preferred_enabled,
        ] {
            c.reserve(rows);
        }
        self.default_method.reserve(rows);
        self.methods_known.reserve(rows);
        self.methods_text.reserve(rows);
        self.last_updated_us.reserve(rows);
        self.source.reserve(rows);
        self.line.reserve(rows);
    }

    /// Read one registration CSV of `end` bytes in blocks on `workers` threads: `prefix` holds
    /// the bytes after the header row (at file line `first_line`, byte `first_offset`), `rest`
    /// the remainder of the file. Returns the outcome, what the reader saw (hash, NUL bytes) and the offset of a
    /// byte that is not UTF-8, if any (then nothing was added).
    #[allow(clippy::too_many_arguments)]
    pub fn read_blocks<R: std::io::Read + Send>(
        &mut self,
        path: &str,
        end: u64,
        source: u32,
        delimiter: u8,
        map: &HeaderMap,
        prefix: Vec<u8>,
        rest: R,
        first_line: u64,
        first_offset: u64,
        hasher: Option<sha2::Sha256>,
        workers: usize,
        progress: &dyn Fn(u64),
    ) -> crate::error::Result<(FileOutcome, stream::Scanned, Option<u64>)> {
        let width = map.recognized.len() + map.ignored.len() + map.duplicates.len();
        let mut outcome = self.start(path, map)?;
        let slots: Vec<u8> = (0..width).map(|i| i.min(254) as u8).collect();
        let parse = |block: &stream::Block| -> BlockRows {
            let mut local = RegistrationBuilder::default();
            let mut out = FileOutcome::default();
            let data = &block.data;
            let text = match stream::utf8(data) {
                Ok(text) => text,
                Err(at) => return BlockRows::NotUtf8(block.offset + at as u64),
            };
            let mut records = stream::Records::for_block(block, delimiter);
            let mut fields = vec![stream::FieldRef::default(); width];
            let mut texts = Vec::with_capacity(width);
            while let Some(rec) = records.next(&slots, &mut fields) {
                // Empty lines are no rows (the csv crate skips them too).
                if rec.empty {
                    continue;
                }
                if !rec.fits(width) && !rec.blank {
                    let e = InputError::in_file(
                        path,
                        format!("row has {} fields but the header has {width}", rec.fields),
                    )
                    .line(rec.line)
                    .hint("the file is truncated or was edited; download it again");
                    return BlockRows::Failed(e);
                }
                if rec.fields > width {
                    out.trailing_fields += 1;
                }
                texts.clear();
                texts.extend(fields.iter().map(|f| stream::text(text, *f)));
                let row = BlockRecord {
                    texts: &texts,
                    blank: rec.blank,
                };
                if let Err(e) =
                    local.push_record(path, source, Place::Line(rec.line), &row, map, &mut out)
                {
                    return BlockRows::Failed(e);
                }
            }
            BlockRows::Read(
                Box::new(local),
                out,
                (data.len(), block.offset + data.len() as u64),
            )
        };
        let mut failed: Option<InputError> = None;
        let mut not_utf8 = None;
        let scanned = stream::scan(
            prefix,
            rest,
            first_line,
            first_offset,
            delimiter,
            hasher,
            workers,
            parse,
            |rows: BlockRows| {
                if failed.is_some() || not_utf8.is_some() {
                    return;
                }
                match rows {
                    BlockRows::Read(local, out, (bytes, block_end)) => {
                        let expected = (outcome.rows == 0).then(|| {
                            stream::expected_rows(local.len(), bytes, block_end, end)
                                .saturating_sub(local.len())
                        });
                        self.append(*local);
                        if let Some(rows) = expected {
                            self.reserve(rows);
                        }
                        outcome.rows += out.rows;
                        outcome.skipped.extend(out.skipped);
                        outcome.methods_lost += out.methods_lost;
                        outcome.trailing_fields += out.trailing_fields;
                        if outcome.methods_lost_value.is_none() {
                            outcome.methods_lost_value = out.methods_lost_value;
                        }
                        progress(outcome.rows as u64);
                    }
                    BlockRows::Failed(e) => failed = Some(e),
                    BlockRows::NotUtf8(at) => not_utf8 = Some(at),
                }
            },
        )
        .map_err(|e| e.for_file(path))?;
        if let Some(e) = failed {
            return Err(e.into());
        }
        Ok((outcome, scanned, not_utf8))
    }

    /// Read the objects of a Graph JSON response (`{"value": [...]}` or a plain array) whose
    /// property names are `headers`; each object was flattened into `records` in that order.
    pub fn read_json(
        &mut self,
        path: &str,
        source: u32,
        records: &[csv::StringRecord],
        map: &HeaderMap,
    ) -> Result<FileOutcome, InputError> {
        let mut outcome = self.start(path, map)?;
        for (i, record) in records.iter().enumerate() {
            self.push_record(
                path,
                source,
                Place::Item(i as u64 + 1),
                record,
                map,
                &mut outcome,
            )?;
        }
        Ok(outcome)
    }

    fn start(&self, path: &str, map: &HeaderMap) -> Result<FileOutcome, InputError> {
        if !map.has(Field::Upn) {
            return Err(InputError::in_file(
                path,
                "registration export without a userPrincipalName column",
            )
            .hint("download the export again from Entra admin center > Authentication methods > User registration details, or add the column"));
        }
        Ok(FileOutcome {
            default_from_user_preferred: !map.has(Field::DefaultMfaMethod)
                && map.has(Field::UserPreferredMethod),
            ..FileOutcome::default()
        })
    }

    /// Validate one row and append it. All cells are parsed before anything is appended, so a
    /// bad row never leaves the columns out of step.
    fn push_record(
        &mut self,
        path: &str,
        source: u32,
        place: Place,
        record: &impl Cells,
        map: &HeaderMap,
        outcome: &mut FileOutcome,
    ) -> Result<(), InputError> {
        let line = place.number();
        if record.is_blank() {
            outcome.skipped.push((line, "blank row".into()));
            return Ok(());
        }
        let cell = |f: Field| map.index(f).map(|i| record.cell(i).unwrap_or(""));
        let err = |f: Field, msg: String| {
            let header = map
                .recognized
                .iter()
                .find(|(_, _, g)| *g == f)
                .map(|(_, h, _)| h.clone())
                .unwrap_or_default();
            place
                .locate(InputError::in_file(path, msg))
                .column(header)
                .hint("fix or remove the value, or download the export again")
        };
        let upn = cell(Field::Upn).unwrap_or("").trim();
        if upn.is_empty() {
            outcome.skipped.push((line, "no userPrincipalName".into()));
            return Ok(());
        }
        let text_of = |f: Field| cell(f).map(str::trim).filter(|s| !s.is_empty());
        let bool_of = |f: Field| -> Result<Option<bool>, InputError> {
            match cell(f) {
                None => Ok(None),
                Some(v) => parse_bool(v).map_err(|m| err(f, m)),
            }
        };

        // Each distinct cell is decoded once; a row then costs one lookup, nothing copied.
        let methods = match cell(Field::MethodsRegistered) {
            None => None,
            Some(raw) => match self.memo.get(raw) {
                Some(&at) => Some(at as usize),
                None => {
                    let decoded =
                        match parse_list(raw).map_err(|m| err(Field::MethodsRegistered, m))? {
                            ListCell::Items(items) => {
                                let mut seen: Vec<String> = Vec::with_capacity(items.len());
                                for item in items {
                                    let name = methods::canonical_name(&item);
                                    if !seen.contains(&name) {
                                        seen.push(name);
                                    }
                                }
                                Decoded::Known {
                                    text: self.texts.intern(&seen.join(", ")),
                                    names: seen.iter().map(|n| self.texts.intern(n)).collect(),
                                }
                            }
                            ListCell::Lost(value) => Decoded::Lost(value),
                        };
                    let at = self.decoded.len();
                    self.decoded.push(decoded);
                    self.memo.insert(raw.into(), at as u32);
                    Some(at)
                }
            },
        };
        let methods = match methods.map(|at| &self.decoded[at]) {
            Some(Decoded::Lost(value)) => {
                outcome.methods_lost += 1;
                if outcome.methods_lost_value.is_none() {
                    outcome.methods_lost_value = Some(value.clone());
                }
                None
            }
            Some(Decoded::Known { names, text }) => Some((names, *text)),
            None => None,
        };
        let last_updated = match cell(Field::LastUpdated) {
            None => None,
            Some(v) => parse_time_us(v).map_err(|m| err(Field::LastUpdated, m))?,
        };
        let default = match (
            cell(Field::DefaultMfaMethod),
            cell(Field::UserPreferredMethod),
        ) {
            (Some(v), _) => self.texts.intern(&methods::canonical_default(v)),
            (None, Some(v)) => self.texts.intern(&methods::default_from_user_preferred(v)),
            (None, None) => NONE,
        };
        let flags = [
            bool_of(Field::IsAdmin)?,
            bool_of(Field::IsMfaCapable)?,
            bool_of(Field::IsMfaRegistered)?,
            bool_of(Field::IsPasswordlessCapable)?,
            bool_of(Field::IsSsprCapable)?,
            bool_of(Field::IsSsprEnabled)?,
            bool_of(Field::IsSsprRegistered)?,
            bool_of(Field::IsSystemPreferredEnabled)?,
        ];

        let [admin, capable, registered, passwordless, sspr_capable, sspr_enabled, sspr_registered, system_preferred_enabled] =
            flags;
        self.is_admin.push(admin);
        self.is_mfa_capable.push(capable);
        self.is_mfa_registered.push(registered);
        self.is_passwordless_capable.push(passwordless);
        self.is_sspr_capable.push(sspr_capable);
        self.is_sspr_enabled.push(sspr_enabled);
        self.is_sspr_registered.push(sspr_registered);
        self.is_system_preferred_enabled
            .push(system_preferred_enabled);
        self.upn.push(Some(upn), false);
        self.id.push(text_of(Field::Id), true);
        self.display_name.push(text_of(Field::DisplayName), false);
        let user_type =
            text_of(Field::UserType).map_or(NONE, |s| self.texts.intern(&s.to_lowercase()));
        self.user_type.push(user_type);
        self.default_method.push(default);
        self.last_updated_us.push(last_updated);
        self.source.push(source);
        self.line.push(line);
        self.methods_known.push(methods.is_some());
        match methods {
            Some((names, text)) => {
                self.methods_text.push(text);
                self.lists.entry(text).or_insert_with(|| names.clone());
            }
            None => self.methods_text.push(NONE),
        }
        outcome.rows += 1;
        Ok(())
    }

    /// The canonical frames: one row per input row (its method list as `methods_list`, a code),
    /// and one row per (method list, method).
    pub fn into_frames(self) -> PolarsResult<(DataFrame, DataFrame)> {
        let n = self.upn.len();
        // Interned texts become string columns that share one copy of each value.
        let texts = StringChunked::from_iter_values(
            "texts".into(),
            self.texts.values().iter().map(|v| &**v),
        );
        let text_column = |name: &str, codes: &[u32]| -> PolarsResult<Column> {
            let idx = IdxCa::from_iter_options(
                name.into(),
                codes.iter().map(|&c| (c != NONE).then_some(c as IdxSize)),
            );
            Ok(texts.take(&idx)?.with_name(name.into()).into_column())
        };
        // Guest accounts keep their home UPN behind `#EXT#`; used when there is no userType.
        let upn_is_external: Vec<bool> = self
            .upn
            .iter()
            .map(|u| {
                let b = u.unwrap_or_default().as_bytes();
                memchr::memchr_iter(b'#', b).any(|at| {
                    b[at..]
                        .get(..5)
                        .is_some_and(|w| w.eq_ignore_ascii_case(b"#ext#"))
                })
            })
            .collect();
        // UPNs are usually lower case already: then the key column shares the UPN column.
        // Every byte is looked at (no early exit), which the compiler turns into vector
        // compares.
        let lower = |u: Option<&str>| {
            !u.unwrap_or_default()
                .bytes()
                .fold(false, |any, b| any | b.is_ascii_uppercase() | (b >= 0x80))
        };
        let upn_key = if self.upn.iter().all(lower) {
            None
        } else {
            Some(StringChunked::from_iter_options(
                "upn_key".into(),
                self.upn.iter().map(|u| u.map(str::to_lowercase)),
            ))
        };
        let upn = self.upn.into_column("upn");
        let upn_key = match upn_key {
            None => upn.clone().with_name("upn_key".into()),
            Some(keys) => keys.into_column(),
        };
        let users = DataFrame::new(
            n,
            vec![
                Column::new("row".into(), (0..n as u32).collect::<Vec<u32>>()),
                upn,
                upn_key,
                Column::new("upn_is_external".into(), upn_is_external),
                self.id.into_column("id"),
                self.display_name.into_column("display_name"),
                text_column("user_type", &self.user_type)?,
                Column::new("is_admin".into(), self.is_admin),
                Column::new("is_mfa_capable".into(), self.is_mfa_capable),
                Column::new("is_mfa_registered".into(), self.is_mfa_registered),
                Column::new(
                    "is_passwordless_capable".into(),
                    self.is_passwordless_capable,
                ),
                Column::new("is_sspr_capable".into(), self.is_sspr_capable),
                Column::new("is_sspr_enabled".into(), self.is_sspr_enabled),
                Column::new("is_sspr_registered".into(), self.is_sspr_registered),
                Column::new(
                    "is_system_preferred_enabled".into(),
                    self.is_system_preferred_enabled,
                ),
                text_column("default_method", &self.default_method)?,
                Column::new("methods_known".into(), self.methods_known),
                text_column("methods_text", &self.methods_text)?,
                UInt32Chunked::from_iter_options(
                    "methods_list".into(),
                    self.methods_text.iter().map(|&c| (c != NONE).then_some(c)),
                )
                .into_column(),
                Column::new("last_updated_us".into(), self.last_updated_us),
                Column::new("source".into(), self.source),
                Column::new("line".into(), self.line),
            ],
        )?;
        // One row per (distinct method list, method): a few hundred rows for any tenant.
        let mut list_codes: Vec<u32> = self.lists.keys().copied().collect();
        list_codes.sort_unstable();
        let mut list = Vec::new();
        let mut method = Vec::new();
        for code in list_codes {
            for name in &self.lists[&code] {
                list.push(code);
                method.push(*name);
            }
        }
        let user_methods = DataFrame::new(
            list.len(),
            vec![
                Column::new("methods_list".into(), list),
                text_column("method", &method)?,
            ],
        )?;
        Ok((users, user_methods))
    }
}

/// Which canonical fields a set of headers provides, keyed for quick checks by the analysis.
pub fn fields_present(maps: &[&HeaderMap]) -> HashMap<Field, bool> {
    SPECS
        .iter()
        .map(|s| {
            (
                s.field,
                !maps.is_empty() && maps.iter().all(|m| m.has(s.field)),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(s: &str) -> Vec<String> {
        s.split(',').map(str::to_string).collect()
    }

    #[test]
    fn portal_header_is_registration_portal_download() {
        let map = HeaderMap::new(&headers(&PORTAL_COLUMNS.join(",")));
        assert!(map.is_registration());
        assert_eq!(map.variant(false), "portal-download");
        assert!(map.ignored.is_empty());
    }

    #[test]
    fn pascal_case_and_legacy_names_are_recognized() {
        let map = HeaderMap::new(&headers(
            "Id,IsAdmin,IsMfaCapable,MethodsRegistered,UserPrincipalName,AdditionalProperties",
        ));
        assert!(map.is_registration());
        assert_eq!(map.variant(false), "powershell-export-csv");
        assert_eq!(map.ignored, vec!["AdditionalProperties"]);

        let legacy = HeaderMap::new(&headers(
            "userPrincipalName,ssprRegistered,ssprEnabled,mfaCapable,methodsRegistered,defaultMfaMethod",
        ));
        assert!(legacy.has(Field::IsSsprRegistered));
        assert!(legacy.has(Field::IsMfaCapable));
        assert_eq!(legacy.variant(false), "legacy-names");
    }

    #[test]
    fn every_field_has_one_spec_and_a_place_in_the_column_table() {
        assert_eq!(SPECS.len(), FIELDS);
        for (i, spec) in SPECS.iter().enumerate() {
            assert!((spec.field as usize) < FIELDS);
            assert!(SPECS[..i].iter().all(|other| other.field != spec.field));
        }
    }

    #[test]
    fn header_matching_folds_case_and_spaces() {
        let map = HeaderMap::new(&headers(
            " UserPrincipalName , is mfa capable,METHODSREGISTERED",
        ));
        assert!(
            map.has(Field::Upn)
                && map.has(Field::IsMfaCapable)
                && map.has(Field::MethodsRegistered)
        );
    }

    #[test]
    fn other_files_are_not_registration() {
        let map = HeaderMap::new(&headers("Date (UTC),Request ID,User,Username,Status"));
        assert!(!map.is_registration());
        let map = HeaderMap::new(&headers("userPrincipalName,displayName,department"));
        assert!(!map.is_registration());
    }

    #[test]
    fn text_columns_keep_rows_through_truncate_and_extend() {
        let texts = |c: &TextColumn| -> Vec<Option<String>> {
            c.iter().map(|v| v.map(str::to_string)).collect()
        };
        let mut a = TextColumn::default();
        a.push(Some("Ann@X"), false);
        a.push(None, false);
        a.push(Some("ABC-Def"), true);
        a.push(Some(""), false);
        assert_eq!(a.len(), 4);
        assert_eq!(
            texts(&a),
            [
                Some("Ann@X".into()),
                None,
                Some("abc-def".into()),
                Some("".into())
            ]
        );
        a.truncate(2);
        assert_eq!(texts(&a), [Some("Ann@X".into()), None]);
        a.push(Some("é"), false);
        let mut b = TextColumn::default();
        b.push(None, false);
        b.push(Some("bob"), false);
        a.extend(b);
        assert_eq!(
            texts(&a),
            [
                Some("Ann@X".into()),
                None,
                Some("é".into()),
                None,
                Some("bob".into())
            ]
        );
        a.truncate(1);
        a.truncate(0);
        assert!(a.is_empty());
        assert_eq!(a.text, "");
    }
}
