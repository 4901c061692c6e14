//! Sign-in log downloads (Entra admin center > Monitoring & health > Sign-in logs > Download):
//! user sign-ins (interactive and non-interactive share one layout, in 56-, 49- and 44-column
//! variants), their `_AuthDetails_` companions, and application / managed-identity sign-ins.
//!
//! Columns are matched **by name** through [`HEADERS`], one table of English, French and
//! Spanish portal names that is easy to extend; localized enum values are folded by
//! [`status`], [`requirement`] and [`ca_status`]. A malformed row (wrong field count) is counted
//! and skipped, a row with an unreadable date is kept without a time and counted: neither stops
//! the run.

use polars::prelude::*;

use super::signin_table::{Raw, SignInRow, SignInTable};
use super::stream;
use super::text::{csv_error, csv_reader, fold_header, CsvLayout, LineCounter};
use super::values::{parse_bool, parse_datetime, parse_time_us, trim};
use crate::error::InputError;

/// The portal stops a sign-in download at this many rows.
pub const PORTAL_ROW_LIMIT: usize = 100_000;

/// Canonical sign-in fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum F {
    Date,
    RequestId,
    CorrelationId,
    UserId,
    User,
    Upn,
    UserType,
    App,
    AppId,
    IpAddress,
    Location,
    Status,
    ErrorCode,
    FailureReason,
    ClientApp,
    DeviceId,
    Compliant,
    Managed,
    JoinType,
    MfaResult,
    MfaMethod,
    Requirement,
    ConditionalAccess,
    TokenIssuerType,
    ServicePrincipalId,
    ServicePrincipalName,
    ManagedIdentityType,
    // AuthDetails steps
    AuthMethod,
    AuthMethodDetail,
    Succeeded,
    ResultDetail,
    StepRequirement,
}

/// Header names per field: English portal names first, then aliases seen in other tools, then
/// French and Spanish portal names. Matching is exact first, then with case, spaces and
/// apostrophe style folded (`Application ID ` with its trailing space, `Autonomous system  number`).
pub const HEADERS: &[(F, &[&str])] = &[
    (
        F::Date,
        &[
            "Date (UTC)",
            "Date",
            "Fecha (UTC)",
            "Fecha",
            "createdDateTime",
        ],
    ),
    (
        F::RequestId,
        &[
            "Request ID",
            "ID de la demande",
            "ID de demande",
            "Id. de solicitud",
            "Id de solicitud",
        ],
    ),
    (
        F::CorrelationId,
        &[
            "Correlation ID",
            "ID de corrélation",
            "Id. de correlación",
            "Id de correlación",
        ],
    ),
    (
        F::UserId,
        &[
            "User ID",
            "ID d'utilisateur",
            "ID utilisateur",
            "Id. de usuario",
            "Id de usuario",
        ],
    ),
    (F::User, &["User", "Utilisateur", "Usuario"]),
    (
        F::Upn,
        &[
            "Username",
            "User principal name",
            "Nom d'utilisateur",
            "Nombre de usuario",
        ],
    ),
    (
        F::UserType,
        &["User type", "Type d'utilisateur", "Tipo de usuario"],
    ),
    (F::App, &["Application", "Aplicación"]),
    (
        F::AppId,
        &[
            "Application ID",
            "App ID",
            "ID d'application",
            "Id. de aplicación",
            "Id de aplicación",
        ],
    ),
    (F::IpAddress, &["IP address", "Adresse IP", "Dirección IP"]),
    (F::Location, &["Location", "Emplacement", "Ubicación"]),
    (F::Status, &["Status", "Statut", "Estado"]),
    (
        F::ErrorCode,
        &[
            "Sign-in error code",
            "Sign in error code",
            "Error code",
            "Code d'erreur de connexion",
            "Código de error de inicio de sesión",
        ],
    ),
    (
        F::FailureReason,
        &["Failure reason", "Raison de l'échec", "Motivo del error"],
    ),
    (
        F::ClientApp,
        &["Client app", "Application cliente", "Aplicación cliente"],
    ),
    (
        F::DeviceId,
        &["Device ID", "ID de l'appareil", "Id. de dispositivo"],
    ),
    (F::Compliant, &["Compliant", "Conforme"]),
    (F::Managed, &["Managed", "Géré", "Administrado"]),
    (
        F::JoinType,
        &["Join Type", "Type de jointure", "Tipo de unión"],
    ),
    (
        F::MfaResult,
        &[
            "Multifactor authentication result",
            "Multifactor auth result",
            "Résultat de l'authentification multifacteur",
            "Resultado de la autenticación multifactor",
        ],
    ),
    (
        F::MfaMethod,
        &[
            "Multifactor authentication auth method",
            "Multifactor auth method",
            "Méthode d'authentification multifacteur",
            "Método de autenticación multifactor",
        ],
    ),
    (
        F::Requirement,
        &[
            "Authentication requirement",
            "Exigence d'authentification",
            "Requisito de autenticación",
        ],
    ),
    (
        F::ConditionalAccess,
        &[
            "Conditional Access",
            "Accès conditionnel",
            "Acceso condicional",
        ],
    ),
    (
        F::TokenIssuerType,
        &[
            "Token issuer type",
            "Type d'émetteur de jeton",
            "Tipo de emisor del token",
        ],
    ),
    (
        F::ServicePrincipalId,
        &[
            "Service principal ID",
            "ID du principal de service",
            "Id. de entidad de servicio",
        ],
    ),
    (
        F::ServicePrincipalName,
        &[
            "Service principal name",
            "Nom du principal de service",
            "Nombre de entidad de servicio",
        ],
    ),
    (
        F::ManagedIdentityType,
        &[
            "Managed Identity type",
            "Type d'identité managée",
            "Tipo de identidad administrada",
        ],
    ),
    (
        F::AuthMethod,
        &[
            "Authentication method",
            "Méthode d'authentification",
            "Método de autenticación",
        ],
    ),
    (
        F::AuthMethodDetail,
        &[
            "Authentication method detail",
            "Détail de la méthode d'authentification",
            "Detalle del método de autenticación",
        ],
    ),
    (F::Succeeded, &["Succeeded", "Réussi", "Correcto"]),
    (
        F::ResultDetail,
        &[
            "Result detail",
            "Détail du résultat",
            "Detalle del resultado",
        ],
    ),
    (
        F::StepRequirement,
        &["Requirement", "Exigence", "Requisito"],
    ),
];

/// What a sign-in file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInKind {
    User,
    AuthDetails,
    App,
    ManagedIdentity,
}

/// How a file's headers map onto [`F`].
#[derive(Debug, Clone)]
pub struct SignInHeaders {
    /// Column index per field (first occurrence wins; `Incoming token type` appears twice).
    pub index: Vec<(F, usize, String)>,
    pub ignored: Vec<String>,
    pub width: usize,
}

impl SignInHeaders {
    pub fn new(headers: &[String]) -> Self {
        let mut index: Vec<(F, usize, String)> = Vec::new();
        let mut ignored = Vec::new();
        // Exact names first, so that a folded alias never steals a column another field names exactly.
        let mut taken = vec![false; headers.len()];
        for (field, names) in HEADERS {
            if let Some(i) = headers
                .iter()
                .enumerate()
                .position(|(i, h)| !taken[i] && names.iter().any(|n| h == n))
            {
                taken[i] = true;
                index.push((*field, i, headers[i].clone()));
            }
        }
        for (field, names) in HEADERS {
            if index.iter().any(|(f, _, _)| f == field) {
                continue;
            }
            let folded: Vec<String> = names.iter().map(|n| fold_header(n)).collect();
            if let Some(i) = headers
                .iter()
                .enumerate()
                .position(|(i, h)| !taken[i] && folded.contains(&fold_header(h)))
            {
                taken[i] = true;
                index.push((*field, i, headers[i].clone()));
            }
        }
        for (i, h) in headers.iter().enumerate() {
            if !taken[i] {
                ignored.push(h.clone());
            }
        }
        SignInHeaders {
            index,
            ignored,
            width: headers.len(),
        }
    }

    pub fn get(&self, field: F) -> Option<usize> {
        self.index
            .iter()
            .find(|(f, _, _)| *f == field)
            .map(|(_, i, _)| *i)
    }

    pub fn has(&self, field: F) -> bool {
        self.get(field).is_some()
    }

    /// The kind of sign-in file these headers belong to, if any.
    pub fn kind(&self) -> Option<SignInKind> {
        let status = self.has(F::Status) || self.has(F::ErrorCode);
        if self.has(F::ServicePrincipalId) && self.has(F::Date) && status {
            return Some(
                if self.has(F::ManagedIdentityType) && !self.has(F::ServicePrincipalName) {
                    SignInKind::ManagedIdentity
                } else {
                    SignInKind::App
                },
            );
        }
        if self.has(F::Date) && (self.has(F::Upn) || self.has(F::UserId)) && status {
            return Some(SignInKind::User);
        }
        if self.has(F::RequestId)
            && self.has(F::AuthMethod)
            && (self.has(F::Succeeded) || self.has(F::StepRequirement) || self.has(F::ResultDetail))
        {
            return Some(SignInKind::AuthDetails);
        }
        None
    }

    /// Which historical layout a user sign-in file has.
    pub fn variant(&self) -> String {
        // The current layout is documented as "56 columns" but has 57 fields, one of them the
        // repeated `Incoming token type`; accept both counts.
        match self.width {
            56 | 57 => format!("current layout, {} columns", self.width),
            49 => "2024 layout, 49 columns".into(),
            44 => "2023 layout, 44 columns".into(),
            n => format!("{n} columns"),
        }
    }

    /// Header (as written) of a field, for messages.
    pub fn name(&self, field: F) -> String {
        self.index
            .iter()
            .find(|(f, _, _)| *f == field)
            .map(|(_, _, h)| h.clone())
            .unwrap_or_default()
    }
}

/// Fold a sign-in status in any portal language onto `success`, `failure` or `interrupted`;
/// anything else is kept (lower-cased) and shown as an unknown value.
pub fn status(raw: &str) -> String {
    let v = raw.trim().to_lowercase();
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| v.starts_with(p));
    if starts(&[
        "succ",
        "réus",
        "reus",
        "opération réussie",
        "correcto",
        "éxito",
        "exito",
    ]) {
        "success".into()
    } else if starts(&["fail", "échec", "echec", "error", "erreur", "fallo"]) {
        "failure".into()
    } else if starts(&["interrupt", "interrompu", "interrumpid"]) {
        "interrupted".into()
    } else {
        v
    }
}

/// `single_factor`, `multi_factor`, or the value itself (lower-cased) when unknown.
pub fn requirement(raw: &str) -> String {
    let v = raw.trim().to_lowercase();
    if v.contains("multi") {
        "multi_factor".into()
    } else if [
        "single",
        "unique",
        "único",
        "unico",
        "solo factor",
        "seul facteur",
    ]
    .iter()
    .any(|w| v.contains(w))
    {
        "single_factor".into()
    } else {
        v
    }
}

/// Conditional Access result: `success`, `failure`, `not_applied`, or the value itself.
pub fn ca_status(raw: &str) -> String {
    let v: String = raw.trim().to_lowercase();
    let compact: String = v.chars().filter(|c| c.is_alphanumeric()).collect();
    match compact.as_str() {
        "notapplied" | "nonappliqué" | "nonapplique" | "noaplicado" => "not_applied".into(),
        _ => match status(&v).as_str() {
            "success" => "success".into(),
            "failure" => "failure".into(),
            _ => v,
        },
    }
}

fn cell(record: &csv::StringRecord, index: Option<usize>) -> &str {
    index.and_then(|i| record.get(i)).unwrap_or("").trim()
}

fn opt(record: &csv::StringRecord, index: Option<usize>) -> Option<String> {
    let v = cell(record, index);
    (!v.is_empty()).then(|| v.to_string())
}

/// Problems with single rows: counted and reported, never fatal.
#[derive(Debug, Default, Clone)]
pub struct RowProblems {
    /// (line, reason) of rows left out.
    pub skipped: Vec<(u64, String)>,
    /// Rows kept without a time because the date could not be read.
    pub bad_dates: usize,
    pub bad_date_example: Option<(u64, String)>,
    /// Rows kept whose fields past the header's columns were all empty (trailing delimiters).
    pub trailing_fields: usize,
}

/// What reading one sign-in file found.
#[derive(Debug, Default, Clone)]
pub struct SignInOutcome {
    pub rows: usize,
    pub problems: RowProblems,
    pub first_us: Option<i64>,
    pub last_us: Option<i64>,
}

impl SignInOutcome {
    pub(crate) fn see(&mut self, t: Option<i64>) {
        if let Some(t) = t {
            self.first_us = Some(self.first_us.map_or(t, |f| f.min(t)));
            self.last_us = Some(self.last_us.map_or(t, |l| l.max(t)));
        }
    }
}

/// Iterate a CSV table's records with their file line numbers. Rows whose field count differs
/// from the header are reported through `skip` and not yielded.
pub(crate) fn for_each_record(
    path: &str,
    text: &str,
    layout: &CsvLayout,
    width: usize,
    problems: &mut RowProblems,
    mut each: impl FnMut(u64, &csv::StringRecord) -> Result<(), InputError>,
) -> Result<(), InputError> {
    let mut reader = csv_reader(text, layout);
    let mut lines = LineCounter::new(text, layout);
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(path, text, layout, &e)),
        }
        let line = lines.line_at(record.position().map(|p| p.byte()).unwrap_or(0));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != width {
            problems.skipped.push((
                line,
                format!("{} fields where the header has {width}", record.len()),
            ));
            continue;
        }
        each(line, &record)?;
    }
    Ok(())
}

fn time_of(
    record: &csv::StringRecord,
    index: Option<usize>,
    line: u64,
    problems: &mut RowProblems,
) -> Option<i64> {
    let raw = cell(record, index);
    match parse_datetime(raw) {
        Ok(t) => t.map(|t| t.timestamp_micros()),
        Err(_) => {
            problems.bad_dates += 1;
            problems
                .bad_date_example
                .get_or_insert((line, raw.to_string()));
            None
        }
    }
}

/// The fields the user sign-in reader keeps; every other column is skipped unread.
const USER_FIELDS: &[F] = &[
    F::Date,
    F::RequestId,
    F::CorrelationId,
    F::UserId,
    F::Upn,
    F::Status,
    F::ErrorCode,
    F::Compliant,
    F::Requirement,
    F::ConditionalAccess,
    F::ClientApp,
    F::MfaResult,
    F::MfaMethod,
    F::App,
    F::AppId,
    F::JoinType,
    F::Location,
];

/// How to read the user sign-in records of one CSV file.
#[derive(Debug, Clone)]
pub struct UserCsv {
    pub path: String,
    pub source: u32,
    pub interactive: bool,
    pub delimiter: u8,
    pub width: usize,
    /// Slot in [`USER_FIELDS`] of each column (or [`stream::UNUSED`]).
    slots: Vec<u8>,
}

impl UserCsv {
    pub fn new(
        path: &str,
        source: u32,
        interactive: bool,
        delimiter: u8,
        headers: &SignInHeaders,
    ) -> Self {
        let mut slots = vec![stream::UNUSED; headers.width];
        for (slot, field) in USER_FIELDS.iter().enumerate() {
            if let Some(i) = headers.get(*field) {
                slots[i] = slot as u8;
            }
        }
        UserCsv {
            path: path.to_string(),
            source,
            interactive,
            delimiter,
            width: headers.width,
            slots,
        }
    }

    /// Parse one block of records.
    pub fn parse(&self, block: &stream::Block) -> BlockRead {
        let data = &block.data;
        let mut out = BlockRead {
            table: SignInTable::deferred(),
            bytes: data.len(),
            end: block.offset + data.len() as u64,
            ..BlockRead::default()
        };
        // The whole block, unused columns included: a file is text or it is not.
        let text = match stream::utf8(data) {
            Ok(text) => text,
            Err(at) => {
                out.not_utf8 = Some(block.offset + at as u64);
                return out;
            }
        };
        let mut records = stream::Records::for_block(block, self.delimiter);
        let mut fields = [stream::FieldRef::default(); USER_FIELDS.len()];
        let mut unescaped: [String; USER_FIELDS.len()] = Default::default();
        let slot = |f: F| USER_FIELDS.iter().position(|x| *x == f).unwrap_or(0);
        let (date, request, correlation, user_id, upn, st, code, compliant) = (
            slot(F::Date),
            slot(F::RequestId),
            slot(F::CorrelationId),
            slot(F::UserId),
            slot(F::Upn),
            slot(F::Status),
            slot(F::ErrorCode),
            slot(F::Compliant),
        );
        let raw_fields = [
            (Raw::Requirement, slot(F::Requirement)),
            (Raw::ConditionalAccess, slot(F::ConditionalAccess)),
            (Raw::ClientApp, slot(F::ClientApp)),
            (Raw::MfaResult, slot(F::MfaResult)),
            (Raw::MfaMethod, slot(F::MfaMethod)),
            (Raw::App, slot(F::App)),
            (Raw::AppId, slot(F::AppId)),
            (Raw::JoinType, slot(F::JoinType)),
            (Raw::Location, slot(F::Location)),
        ];
        while let Some(rec) = records.next(&self.slots, &mut fields) {
            if rec.blank {
                continue;
            }
            if !rec.fits(self.width) {
                out.outcome.problems.skipped.push((
                    rec.line,
                    format!("{} fields where the header has {}", rec.fields, self.width),
                ));
                continue;
            }
            if rec.fields > self.width {
                out.outcome.problems.trailing_fields += 1;
            }
            // Fields are borrowed from the block; only a quoted field with doubled quotes
            // inside is copied out, unescaped (rare in sign-in exports).
            for (i, f) in fields.iter().enumerate() {
                if f.escaped {
                    unescaped[i] = stream::text(text, *f).into_owned();
                }
            }
            let cells: [Option<&str>; USER_FIELDS.len()] = std::array::from_fn(|i| {
                let f = fields[i];
                let raw = if f.escaped {
                    unescaped[i].as_str()
                } else {
                    text.get(f.start as usize..f.end as usize)
                        .unwrap_or_default()
                };
                Some(trim(raw)).filter(|v| !v.is_empty())
            });
            let get = |i: usize| -> Option<&str> { cells[i] };
            if get(upn).is_none() && get(user_id).is_none() {
                out.outcome
                    .problems
                    .skipped
                    .push((rec.line, "no user (Username and User ID empty)".into()));
                continue;
            }
            let when = get(date).unwrap_or_default();
            let time = match parse_time_us(when) {
                Ok(t) => t,
                Err(_) => {
                    let p = &mut out.outcome.problems;
                    p.bad_dates += 1;
                    p.bad_date_example
                        .get_or_insert((rec.line, when.to_string()));
                    None
                }
            };
            out.outcome.see(time);
            let mut row = SignInRow {
                source: self.source,
                interactive: self.interactive,
                time_us: time,
                request_id: get(request),
                correlation_id: get(correlation),
                user_id: get(user_id),
                upn: get(upn),
                error_code: get(code).and_then(|c| c.parse::<i64>().ok()),
                compliant: get(compliant).and_then(|c| parse_bool(c).ok().flatten()),
                raw: Default::default(),
            };
            row.set(Raw::Status, get(st));
            for (raw, i) in raw_fields {
                row.set(raw, get(i));
            }
            out.table.push(&row);
            out.outcome.rows += 1;
        }
        out
    }
}

/// The result of one block.
#[derive(Default)]
pub struct BlockRead {
    table: SignInTable,
    /// The block's length and where it ends in the file.
    bytes: usize,
    end: u64,
    outcome: SignInOutcome,
    /// File offset of a byte that is not UTF-8: the whole file is refused.
    not_utf8: Option<u64>,
}

/// A user sign-in file, read.
pub struct UserFileRead {
    pub outcome: SignInOutcome,
    pub scanned: stream::Scanned,
    pub not_utf8: Option<u64>,
}

/// Read the records of a user sign-in CSV into `table`: `prefix` (the bytes after the header
/// row, at file line `first_line` and offset `first_offset`) and then everything `rest` yields,
/// in blocks on
/// every core. `hasher`, when given, has seen the file up to `rest`; `end` is the file's size.
#[allow(clippy::too_many_arguments)]
pub fn read_user_csv<R: std::io::Read + Send>(
    table: &mut SignInTable,
    csv: &UserCsv,
    end: u64,
    prefix: Vec<u8>,
    rest: R,
    first_line: u64,
    first_offset: u64,
    hasher: Option<sha2::Sha256>,
    workers: usize,
    progress: &dyn Fn(u64),
) -> crate::error::Result<UserFileRead> {
    let mut merged = UserMerge::new(end);
    let scanned = stream::scan(
        prefix,
        rest,
        first_line,
        first_offset,
        csv.delimiter,
        hasher,
        workers,
        |block| csv.parse(block),
        |block: BlockRead| {
            merged.block(table, block);
            progress(merged.outcome.rows as u64);
        },
    )
    .map_err(|e| e.for_file(&csv.path))?;
    Ok(UserFileRead {
        outcome: merged.outcome,
        scanned,
        not_utf8: merged.not_utf8,
    })
}

/// The merging side of reading a user sign-in file: its blocks' rows go into the table in
/// order, and what the blocks found is added up.
pub struct UserMerge {
    pub outcome: SignInOutcome,
    /// File offset of a byte that is not UTF-8: the rows are then left out.
    pub not_utf8: Option<u64>,
    /// Where the bytes still to come end (0: unknown), to size the table at the first block.
    end: u64,
}

impl UserMerge {
    pub fn new(end: u64) -> Self {
        UserMerge {
            outcome: SignInOutcome::default(),
            not_utf8: None,
            end,
        }
    }

    /// Add the next block's rows to `table`.
    pub fn block(&mut self, table: &mut SignInTable, block: BlockRead) {
        if self.not_utf8.is_some() {
            return;
        }
        if block.not_utf8.is_some() {
            self.not_utf8 = block.not_utf8;
            return;
        }
        if self.outcome.rows == 0 && self.end > 0 {
            table.reserve(stream::expected_rows(
                block.table.len(),
                block.bytes,
                block.end,
                self.end,
            ));
        }
        table.append(block.table);
        merge_outcome(&mut self.outcome, block.outcome);
    }
}

/// Error codes the portal shows with status "Interrupted" (their names end in `Interrupt`); a
/// JSON download has only the code, so these are read as interrupted, any other non-zero code as
/// a failure.
pub const INTERRUPT_CODES: &[i64] = &[50072, 50074, 50125, 50140, 50199];

/// Whether JSON objects are Graph `signIn` records of users.
pub fn is_user_signin_json(items: &[serde_json::Value]) -> bool {
    let non_empty = |o: &serde_json::Value, key: &str| {
        o.get(key)
            .and_then(serde_json::Value::as_str)
            .is_some_and(|s| !s.trim().is_empty())
    };
    items.iter().find(|o| o.is_object()).is_some_and(|o| {
        o.get("createdDateTime").is_some()
            && o.get("status").is_some()
            && (non_empty(o, "userPrincipalName") || non_empty(o, "userId"))
            && !non_empty(o, "servicePrincipalId")
    })
}

fn jstr(v: &serde_json::Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for key in path {
        cur = cur.get(key)?;
    }
    match cur {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl SignInTable {
    /// Read the JSON download: a top-level array of Graph `signIn` objects. Their
    /// `authenticationDetails` become AuthDetails steps.
    pub fn read_json(
        &mut self,
        source: u32,
        file_interactive: bool,
        items: &[serde_json::Value],
        details: &mut AuthDetailsBuilder,
    ) -> SignInOutcome {
        let mut outcome = SignInOutcome::default();
        for (i, o) in items.iter().enumerate() {
            let item = i as u64 + 1;
            if !o.is_object() {
                outcome
                    .problems
                    .skipped
                    .push((item, "not a sign-in object".into()));
                continue;
            }
            if jstr(o, &["userPrincipalName"]).is_none() && jstr(o, &["userId"]).is_none() {
                outcome
                    .problems
                    .skipped
                    .push((item, "no user (userPrincipalName and userId empty)".into()));
                continue;
            }
            let time = match jstr(o, &["createdDateTime"]).map(|t| parse_datetime(&t)) {
                Some(Ok(t)) => t.map(|t| t.timestamp_micros()),
                Some(Err(_)) | None => {
                    outcome.problems.bad_dates += 1;
                    outcome
                        .problems
                        .bad_date_example
                        .get_or_insert((item, jstr(o, &["createdDateTime"]).unwrap_or_default()));
                    None
                }
            };
            let upn = jstr(o, &["userPrincipalName"]);
            let uid = jstr(o, &["userId"]).map(|s| s.to_ascii_lowercase());
            let code = o
                .get("status")
                .and_then(|s| s.get("errorCode"))
                .and_then(serde_json::Value::as_i64);
            let request = jstr(o, &["id"]);
            let steps = o
                .get("authenticationDetails")
                .and_then(serde_json::Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mfa_step_method = steps.iter().find_map(|s| {
                let req = jstr(s, &["authenticationStepRequirement"]).unwrap_or_default();
                let method = jstr(s, &["authenticationMethod"])?;
                (requirement(&req) == "multi_factor" && is_second_factor(&method)).then_some(method)
            });
            if let Some(r) = &request {
                for s in &steps {
                    let method = jstr(s, &["authenticationMethod"]);
                    let detail = jstr(s, &["authenticationStepResultDetail"]);
                    let req = jstr(s, &["authenticationStepRequirement"]).map(|v| requirement(&v));
                    details.push(
                        r,
                        method.as_deref(),
                        s.get("succeeded").and_then(serde_json::Value::as_bool),
                        detail.as_deref(),
                        req.as_deref(),
                    );
                }
            }
            let interactive = o
                .get("isInteractive")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(file_interactive);
            let device_bool = |key: &str| {
                o.get("deviceDetail")
                    .and_then(|d| d.get(key))
                    .and_then(serde_json::Value::as_bool)
            };
            outcome.see(time);
            let text = |path: &[&str]| jstr(o, path);
            let (request_id, correlation_id, app, app_id) = (
                request,
                text(&["correlationId"]),
                text(&["appDisplayName"]),
                text(&["appId"]),
            );
            let (client, join, result, method) = (
                text(&["clientAppUsed"]),
                text(&["deviceDetail", "trustType"]),
                text(&["status", "additionalDetails"]),
                text(&["mfaDetail", "authMethod"]).or(mfa_step_method),
            );
            let (req, ca, location) = (
                text(&["authenticationRequirement"]),
                text(&["conditionalAccessStatus"]),
                text(&["location", "countryOrRegion"]),
            );
            let mut row = SignInRow {
                source,
                interactive,
                time_us: time,
                request_id: request_id.as_deref(),
                correlation_id: correlation_id.as_deref(),
                user_id: uid.as_deref(),
                upn: upn.as_deref(),
                error_code: code,
                compliant: device_bool("isCompliant"),
                raw: Default::default(),
            };
            row.set(Raw::Requirement, req.as_deref());
            row.set(Raw::ConditionalAccess, ca.as_deref());
            row.set(Raw::ClientApp, client.as_deref());
            row.set(Raw::MfaResult, result.as_deref());
            row.set(Raw::MfaMethod, method.as_deref());
            row.set(Raw::App, app.as_deref());
            row.set(Raw::AppId, app_id.as_deref());
            row.set(Raw::JoinType, join.as_deref());
            row.set(Raw::Location, location.as_deref());
            self.push(&row);
            outcome.rows += 1;
        }
        outcome
    }
}

/// Whether an authentication step's method is a second factor (not the password or a
/// previously satisfied claim).
fn is_second_factor(method: &str) -> bool {
    let m = method.to_lowercase();
    let is_password = m.contains("password") && !m.contains("passwordless");
    !is_password && !m.contains("previously satisfied")
}

/// Authentication steps from the `_AuthDetails_` files: request ids as 128-bit keys, texts
/// interned (a few methods and results repeat over millions of steps).
#[derive(Debug, Default)]
pub struct AuthDetailsBuilder {
    request: Vec<u128>,
    method: Vec<u32>,
    /// 0 unknown, 1 false, 2 true.
    succeeded: Vec<u8>,
    result_detail: Vec<u32>,
    requirement: Vec<u32>,
    texts: super::signin_table::Interner,
}

const NO_TEXT: u32 = u32::MAX;

impl AuthDetailsBuilder {
    /// Rows so far, for [`Self::truncate`].
    pub fn mark(&self) -> (usize, usize) {
        (self.request.len(), 0)
    }

    /// Forget the rows added after `mark` (a file that failed half-way).
    pub fn truncate(&mut self, len: (usize, usize)) {
        self.request.truncate(len.0);
        self.method.truncate(len.0);
        self.succeeded.truncate(len.0);
        self.result_detail.truncate(len.0);
        self.requirement.truncate(len.0);
    }

    pub fn is_empty(&self) -> bool {
        self.request.is_empty()
    }

    /// Add one step; `requirement` is already normalized by [`requirement`].
    fn push(
        &mut self,
        request_id: &str,
        method: Option<&str>,
        succeeded: Option<bool>,
        result_detail: Option<&str>,
        requirement: Option<&str>,
    ) {
        let mut text = |v: Option<&str>| v.map_or(NO_TEXT, |v| self.texts.intern(v));
        let (method, result_detail, requirement) =
            (text(method), text(result_detail), text(requirement));
        self.request.push(super::signin_table::guid_key(request_id));
        self.method.push(method);
        self.succeeded.push(match succeeded {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        });
        self.result_detail.push(result_detail);
        self.requirement.push(requirement);
    }

    /// Append the steps of a later part of the input.
    pub fn append(&mut self, other: AuthDetailsBuilder) {
        let map: Vec<u32> = other
            .texts
            .values()
            .iter()
            .map(|v| self.texts.intern(v))
            .collect();
        let remap = |c: u32| {
            if c == NO_TEXT {
                NO_TEXT
            } else {
                map[c as usize]
            }
        };
        self.request.extend(other.request);
        self.succeeded.extend(other.succeeded);
        self.method.extend(other.method.into_iter().map(remap));
        self.result_detail
            .extend(other.result_detail.into_iter().map(remap));
        self.requirement
            .extend(other.requirement.into_iter().map(remap));
    }

    /// One row per distinct step (identical steps, from overlapping downloads of the same
    /// details, count once): `request_hi`, `request_lo` (halves of the request's
    /// [`guid_key`](super::signin_table::guid_key)), `method`, `succeeded`, `result_detail`,
    /// `requirement` (`single_factor`, `multi_factor` or the value as read).
    pub fn into_frame(mut self) -> PolarsResult<DataFrame> {
        let mut seen: std::collections::HashSet<_, super::signin_table::FastHash> =
            std::collections::HashSet::with_capacity_and_hasher(
                self.request.len(),
                Default::default(),
            );
        let keep: Vec<bool> = (0..self.request.len())
            .map(|i| {
                seen.insert((
                    self.request[i],
                    self.method[i],
                    self.succeeded[i],
                    self.result_detail[i],
                    self.requirement[i],
                ))
            })
            .collect();
        drop(seen);
        if keep.contains(&false) {
            let mut k = keep.iter();
            self.request.retain(|_| *k.next().unwrap_or(&true));
            for column in [
                &mut self.method,
                &mut self.result_detail,
                &mut self.requirement,
            ] {
                let mut k = keep.iter();
                column.retain(|_| *k.next().unwrap_or(&true));
            }
            let mut k = keep.iter();
            self.succeeded.retain(|_| *k.next().unwrap_or(&true));
        }
        let n = self.request.len();
        let texts = StringChunked::from_iter_values(
            "texts".into(),
            self.texts.values().iter().map(|v| &**v),
        );
        let text_column = |name: &str, codes: &[u32]| -> PolarsResult<Column> {
            let idx = IdxCa::from_iter_options(
                name.into(),
                codes
                    .iter()
                    .map(|&c| (c != NO_TEXT).then_some(c as IdxSize)),
            );
            Ok(texts.take(&idx)?.with_name(name.into()).into_column())
        };
        DataFrame::new(
            n,
            vec![
                Column::new(
                    "request_hi".into(),
                    self.request
                        .iter()
                        .map(|k| (k >> 64) as u64)
                        .collect::<Vec<u64>>(),
                ),
                Column::new(
                    "request_lo".into(),
                    self.request.iter().map(|k| *k as u64).collect::<Vec<u64>>(),
                ),
                text_column("method", &self.method)?,
                BooleanChunked::from_iter_options(
                    "succeeded".into(),
                    self.succeeded.iter().map(|&c| match c {
                        0 => None,
                        1 => Some(false),
                        _ => Some(true),
                    }),
                )
                .into_column(),
                text_column("result_detail", &self.result_detail)?,
                text_column("requirement", &self.requirement)?,
            ],
        )
    }
}

/// The fields an AuthDetails file contributes.
const STEP_FIELDS: &[F] = &[
    F::Date,
    F::RequestId,
    F::AuthMethod,
    F::Succeeded,
    F::ResultDetail,
    F::StepRequirement,
];

/// How to read the steps of one AuthDetails CSV in blocks.
#[derive(Debug, Clone)]
pub struct StepCsv {
    pub path: String,
    pub delimiter: u8,
    pub width: usize,
    slots: Vec<u8>,
}

/// The result of one block of steps.
#[derive(Default)]
struct StepBlock {
    steps: AuthDetailsBuilder,
    outcome: SignInOutcome,
    not_utf8: Option<u64>,
}

impl StepCsv {
    pub fn new(path: &str, delimiter: u8, headers: &SignInHeaders) -> Self {
        let mut slots = vec![stream::UNUSED; headers.width];
        for (slot, field) in STEP_FIELDS.iter().enumerate() {
            if let Some(i) = headers.get(*field) {
                slots[i] = slot as u8;
            }
        }
        StepCsv {
            path: path.to_string(),
            delimiter,
            width: headers.width,
            slots,
        }
    }

    fn parse(&self, block: &stream::Block) -> StepBlock {
        let mut out = StepBlock::default();
        let data = &block.data;
        let text = match stream::utf8(data) {
            Ok(text) => text,
            Err(at) => {
                out.not_utf8 = Some(block.offset + at as u64);
                return out;
            }
        };
        let mut records = stream::Records::for_block(block, self.delimiter);
        let mut fields = [stream::FieldRef::default(); STEP_FIELDS.len()];
        while let Some(rec) = records.next(&self.slots, &mut fields) {
            if rec.blank {
                continue;
            }
            if !rec.fits(self.width) {
                out.outcome.problems.skipped.push((
                    rec.line,
                    format!("{} fields where the header has {}", rec.fields, self.width),
                ));
                continue;
            }
            if rec.fields > self.width {
                out.outcome.problems.trailing_fields += 1;
            }
            let texts = fields.map(|f| stream::text(text, f));
            let get = |i: usize| -> Option<&str> {
                let v = texts[i].trim();
                (!v.is_empty()).then_some(v)
            };
            let time = match parse_time_us(texts[0].trim()) {
                Ok(t) => t,
                Err(_) => {
                    let p = &mut out.outcome.problems;
                    p.bad_dates += 1;
                    p.bad_date_example
                        .get_or_insert((rec.line, texts[0].trim().to_string()));
                    None
                }
            };
            let Some(request) = get(1) else {
                out.outcome
                    .problems
                    .skipped
                    .push((rec.line, "no Request ID".into()));
                continue;
            };
            out.outcome.see(time);
            let normalized = get(5).map(requirement);
            out.steps.push(
                request,
                get(2),
                get(3).and_then(|v| parse_bool(v).ok().flatten()),
                get(4),
                normalized.as_deref(),
            );
            out.outcome.rows += 1;
        }
        out
    }
}

/// An AuthDetails file, read.
pub struct StepFileRead {
    pub steps: AuthDetailsBuilder,
    pub outcome: SignInOutcome,
    pub scanned: stream::Scanned,
    pub not_utf8: Option<u64>,
}

/// Read the steps of an AuthDetails CSV in blocks on every core (see [`read_user_csv`]).
#[allow(clippy::too_many_arguments)]
pub fn read_step_csv<R: std::io::Read + Send>(
    csv: &StepCsv,
    prefix: Vec<u8>,
    rest: R,
    first_line: u64,
    first_offset: u64,
    hasher: Option<sha2::Sha256>,
    workers: usize,
    progress: &dyn Fn(u64),
) -> crate::error::Result<StepFileRead> {
    let mut steps = AuthDetailsBuilder::default();
    let mut outcome = SignInOutcome::default();
    let mut not_utf8 = None;
    let scanned = stream::scan(
        prefix,
        rest,
        first_line,
        first_offset,
        csv.delimiter,
        hasher,
        workers,
        |block| csv.parse(block),
        |block: StepBlock| {
            if not_utf8.is_some() {
                return;
            }
            if block.not_utf8.is_some() {
                not_utf8 = block.not_utf8;
                return;
            }
            steps.append(block.steps);
            merge_outcome(&mut outcome, block.outcome);
            progress(outcome.rows as u64);
        },
    )
    .map_err(|e| e.for_file(&csv.path))?;
    Ok(StepFileRead {
        steps,
        outcome,
        scanned,
        not_utf8,
    })
}

/// Add a later block's outcome to a file's.
fn merge_outcome(outcome: &mut SignInOutcome, block: SignInOutcome) {
    outcome.rows += block.rows;
    outcome.first_us = [outcome.first_us, block.first_us]
        .into_iter()
        .flatten()
        .min();
    outcome.last_us = [outcome.last_us, block.last_us].into_iter().flatten().max();
    let p = block.problems;
    outcome.problems.skipped.extend(p.skipped);
    outcome.problems.bad_dates += p.bad_dates;
    outcome.problems.trailing_fields += p.trailing_fields;
    if outcome.problems.bad_date_example.is_none() {
        outcome.problems.bad_date_example = p.bad_date_example;
    }
}

/// Application and managed-identity sign-ins are summarized per file: they have no user.
pub fn read_service_file(
    path: &str,
    text: &str,
    layout: &CsvLayout,
    headers: &SignInHeaders,
) -> Result<(SignInOutcome, ServiceSummary), InputError> {
    let mut outcome = SignInOutcome::default();
    let mut problems = RowProblems::default();
    let mut summary = ServiceSummary::default();
    let mut principals = std::collections::HashSet::new();
    let i = |f: F| headers.get(f);
    for_each_record(
        path,
        text,
        layout,
        headers.width,
        &mut problems,
        |line, r| {
            let time = time_of(r, i(F::Date), line, &mut outcome.problems);
            outcome.see(time);
            match status(cell(r, i(F::Status))).as_str() {
                "success" => summary.success += 1,
                "failure" => summary.failure += 1,
                _ => {}
            }
            if let Some(p) = opt(r, i(F::ServicePrincipalId)) {
                principals.insert(p.to_ascii_lowercase());
            }
            outcome.rows += 1;
            Ok(())
        },
    )?;
    summary.principals = principals.len() as u64;
    outcome.problems.skipped.extend(problems.skipped);
    Ok((outcome, summary))
}

/// Per-file summary of application or managed-identity sign-ins.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ServiceSummary {
    pub success: u64,
    pub failure: u64,
    /// Distinct service principals.
    pub principals: u64,
}

/// Whether a file holds non-interactive sign-ins. The two layouts are identical, so only the
/// portal's file name (`NonInteractiveSignIns_…`) can tell; everything else counts as interactive.
pub fn is_non_interactive(file_name: &str) -> bool {
    let folded: String = file_name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    folded.contains("noninteractive")
}

#[cfg(test)]
mod tests {
    use super::*;

    const VARIANT_A: &str = "Date (UTC),Request ID,User agent,Correlation ID,User ID,User,Username,User type,Cross tenant access type,Incoming token type,Authentication Protocol,Unique token identifier,Original transfer method,Client credential type,Token Protection - Sign In Session,Token Protection - Sign In Session StatusCode,Application,Application ID ,App owner tenant ID,Resource,Resource ID ,Resource tenant ID,Resource owner tenant ID,Home tenant ID,Home tenant name,IP address,Location,Status,Sign-in error code,Failure reason,Client app,Device ID,Browser,Operating System,Compliant,Managed,Join Type,Multifactor authentication result,Multifactor authentication auth method,Multifactor authentication auth detail,Authentication requirement,Sign-in identifier,Session ID,IP address (seen by resource),Through Global Secure Access,Global Secure Access IP address,Autonomous system  number,Flagged for review,Token issuer type,Incoming token type,Token issuer name,Latency,Conditional Access,Managed Identity type,Associated Resource Id,Federated Token Id,Federated Token Issuer";

    fn split(h: &str) -> Vec<String> {
        h.split(',').map(str::to_string).collect()
    }

    #[test]
    fn current_layout_is_user_sign_ins_matched_by_name() {
        let h = SignInHeaders::new(&split(VARIANT_A));
        assert_eq!(h.width, 57);
        assert_eq!(h.kind(), Some(SignInKind::User));
        assert_eq!(h.variant(), "current layout, 57 columns");
        assert_eq!(
            h.get(F::AppId),
            Some(17),
            "'Application ID ' with its trailing space"
        );
        assert_eq!(h.get(F::Upn), Some(6));
        assert_eq!(h.get(F::User), Some(5));
        assert_eq!(h.get(F::Status), Some(27));
        assert!(h.ignored.contains(&"Incoming token type".to_string()));
    }

    #[test]
    fn service_principal_and_auth_details_files_are_told_apart() {
        let app = "Date (UTC),Request ID,Correlation ID,Service principal ID,Service principal name,Credential key ID,Credential thumbprint,Application,Application ID ,App owner tenant ID,Resource,Resource ID ,Resource tenant ID,Resource owner tenant ID,Home tenant ID,Home tenant name,IP address,Location,Status,Sign-in error code,Failure reason,Conditional Access";
        assert_eq!(
            SignInHeaders::new(&split(app)).kind(),
            Some(SignInKind::App)
        );
        let details = "Request ID,Date (UTC),Authentication method,Authentication method detail,Succeeded,Result detail,Requirement";
        let h = SignInHeaders::new(&split(details));
        assert_eq!(h.kind(), Some(SignInKind::AuthDetails));
        assert_eq!(h.get(F::StepRequirement), Some(6));
        assert_eq!(h.get(F::Requirement), None);
        let reg = "userPrincipalName,isMfaCapable,methodsRegistered";
        assert_eq!(SignInHeaders::new(&split(reg)).kind(), None);
    }

    #[test]
    fn french_and_spanish_headers() {
        let fr = "Date (UTC),ID de la demande,Nom d’utilisateur,Statut,Code d'erreur de connexion,Application cliente,Exigence d’authentification,Conforme,Géré";
        let h = SignInHeaders::new(&split(fr));
        assert_eq!(h.kind(), Some(SignInKind::User));
        assert_eq!(h.get(F::Upn), Some(2));
        assert_eq!(h.get(F::Requirement), Some(6));
        let es = "Fecha (UTC),Id. de usuario,Usuario,Nombre de usuario,Estado,Aplicación cliente,Requisito de autenticación,Motivo del error";
        let h = SignInHeaders::new(&split(es));
        assert_eq!(h.kind(), Some(SignInKind::User));
        assert_eq!((h.get(F::User), h.get(F::Upn)), (Some(2), Some(3)));
    }

    #[test]
    fn localized_values_fold_to_canonical_ones() {
        for s in [
            "Success",
            "success",
            "Opération réussie",
            "Réussite",
            "Correcto",
            "Éxito",
        ] {
            assert_eq!(status(s), "success", "{s}");
        }
        for s in ["Failure", "Échec", "Error"] {
            assert_eq!(status(s), "failure", "{s}");
        }
        for s in ["Interrupted", "Interrompu", "Interrumpido"] {
            assert_eq!(status(s), "interrupted", "{s}");
        }
        assert_eq!(status("Pending"), "pending");
        assert_eq!(requirement("Single-factor authentication"), "single_factor");
        assert_eq!(requirement("multiFactorAuthentication"), "multi_factor");
        assert_eq!(
            requirement("Authentification à facteur unique"),
            "single_factor"
        );
        assert_eq!(requirement("Autenticación multifactor"), "multi_factor");
        assert_eq!(ca_status("Not Applied"), "not_applied");
        assert_eq!(ca_status("notApplied"), "not_applied");
        assert_eq!(ca_status("Non appliqué"), "not_applied");
        assert_eq!(ca_status("Failure"), "failure");
    }

    #[test]
    fn interactive_flag_comes_from_the_portal_file_name() {
        assert!(is_non_interactive(
            "NonInteractiveSignIns_2025-11-29_2025-12-29.csv"
        ));
        assert!(is_non_interactive("non-interactive sign-ins.csv"));
        assert!(!is_non_interactive(
            "InteractiveSignIns_2026-09-13_2026-09-14.csv"
        ));
    }
}
