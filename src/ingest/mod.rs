//! Ingest: find the input files, detect each one's kind and variant from its content (never its
//! name; the one exception is interactive vs non-interactive sign-ins, whose layouts are
//! identical), and normalize every variant into canonical Polars frames. All format quirks live
//! below this module; nothing after it knows which variant a row came from.

pub mod archive;
pub mod audit;
pub mod json;
pub mod registration;
pub mod signins;
pub mod text;
pub mod values;

use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, InputError, Result};
use registration::{HeaderMap, RegistrationBuilder};

/// The kinds of export the tool reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Registration,
    AuditLog,
    UserSignIns,
    AuthDetails,
    AppSignIns,
    ManagedIdentitySignIns,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Registration => "user registration details",
            Kind::AuditLog => "audit log",
            Kind::UserSignIns => "user sign-ins",
            Kind::AuthDetails => "sign-in authentication details",
            Kind::AppSignIns => "application sign-ins",
            Kind::ManagedIdentitySignIns => "managed identity sign-ins",
        }
    }
}

/// A column of an input file and what it was taken as.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnUse {
    pub header: String,
    pub canonical: String,
}

/// A column the tool would use but the file does not have, and what that costs.
#[derive(Debug, Clone, Serialize)]
pub struct MissingColumn {
    pub name: String,
    pub effect: String,
}

/// A data row that was left out, and why.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedRow {
    pub line: u64,
    pub reason: String,
}

/// Everything known about one input file that was read.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: String,
    pub kind: Kind,
    pub variant: String,
    pub rows: usize,
    pub sha256: String,
    pub bytes: u64,
    pub encoding: String,
    pub delimiter: String,
    pub skipped_rows: usize,
    pub skipped_examples: Vec<SkippedRow>,
    pub recognized: Vec<ColumnUse>,
    pub missing: Vec<MissingColumn>,
    pub ignored: Vec<String>,
    /// Things about the file a reader of the report must know (lost method lists, …).
    pub problems: Vec<String>,
    /// `methodsRegistered` held a .NET type name instead of the methods in this many rows.
    #[serde(skip)]
    pub methods_lost: usize,
    /// First and last readable timestamp (sign-in files).
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    /// Application / managed-identity sign-in totals.
    pub service: Option<signins::ServiceSummary>,
}

impl FileReport {
    /// Record the rows left out: their number and the first twenty, with line and reason.
    fn set_skipped(&mut self, skipped: &[(u64, String)]) {
        self.skipped_rows = skipped.len();
        self.skipped_examples = skipped
            .iter()
            .take(20)
            .map(|(line, reason)| SkippedRow {
                line: *line,
                reason: reason.clone(),
            })
            .collect();
    }
}

/// An input file that is not a known export, and why it was not used.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

/// The normalized content of all inputs.
#[derive(Debug)]
pub struct Ingested {
    pub files: Vec<FileReport>,
    pub skipped: Vec<SkippedFile>,
    pub registration: Option<Registration>,
    pub signins: Option<SignIns>,
    /// One row per audit event of every audit file (all services).
    pub audit: Option<DataFrame>,
}

/// The user sign-ins of all sign-in files, in canonical columns.
#[derive(Debug)]
pub struct SignIns {
    /// One row per user sign-in (interactive and non-interactive).
    pub users: DataFrame,
    /// One row per authentication step, when `_AuthDetails_` files were given.
    pub auth_details: Option<DataFrame>,
}

/// The registration data of all registration files, in canonical columns.
#[derive(Debug)]
pub struct Registration {
    /// One row per data row read (duplicates included; the analysis resolves them).
    pub users: DataFrame,
    /// One row per (row, method) pair.
    pub user_methods: DataFrame,
    /// Fields present in every registration file.
    pub fields: std::collections::HashMap<registration::Field, bool>,
}

/// Expand the command-line inputs into files: a directory stands for every file below it,
/// in path order so runs are reproducible.
pub fn discover(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| {
            InputError::in_file(display(input), io_reason(&e))
                .hint("check the path; an input is an export file or a folder of exports")
        })?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(input, &mut found)?;
            found.sort();
            if found.is_empty() {
                return Err(
                    InputError::in_file(display(input), "folder contains no files")
                        .hint("point at the folder that holds the downloaded exports")
                        .into(),
                );
            }
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| InputError::in_file(display(dir), io_reason(&e)))?;
    for entry in entries {
        let entry = entry.map_err(|e| InputError::in_file(display(dir), io_reason(&e)))?;
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

pub fn display(path: &Path) -> String {
    path.display().to_string()
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Read, detect and normalize every file.
pub fn load(paths: &[PathBuf]) -> Result<Ingested> {
    let mut loader = Loader::default();
    for path in paths {
        loader.file(path)?;
    }
    loader.finish()
}

/// Accumulates the canonical columns of every file, per kind.
#[derive(Default)]
struct Loader {
    files: Vec<FileReport>,
    skipped: Vec<SkippedFile>,
    registration: RegistrationBuilder,
    maps: Vec<HeaderMap>,
    signins: signins::UserSignInBuilder,
    auth_details: signins::AuthDetailsBuilder,
    audit: audit::AuditBuilder,
    /// User sign-in files read (even with no rows): then the report has a sign-in section.
    user_signin_files: usize,
    /// Audit files read (even with no rows): then the report has a timeline section.
    audit_files: usize,
    hashes: Vec<(String, String)>,
}

/// The part of a file's report that does not depend on its kind.
struct Read {
    name: String,
    sha256: String,
    bytes: u64,
    encoding: String,
}

impl Read {
    fn report(&self, kind: Kind, variant: String, delimiter: String, rows: usize) -> FileReport {
        FileReport {
            path: self.name.clone(),
            kind,
            variant,
            rows,
            sha256: self.sha256.clone(),
            bytes: self.bytes,
            encoding: self.encoding.clone(),
            delimiter,
            skipped_rows: 0,
            skipped_examples: Vec::new(),
            recognized: Vec::new(),
            missing: Vec::new(),
            ignored: Vec::new(),
            problems: Vec::new(),
            methods_lost: 0,
            window_start: None,
            window_end: None,
            service: None,
        }
    }
}

/// The recognized columns of a sign-in or audit file, for `inspect` and the report.
fn recognized<F: std::fmt::Debug>(index: &[(F, usize, String)]) -> Vec<ColumnUse> {
    index
        .iter()
        .map(|(f, _, h)| ColumnUse {
            header: h.clone(),
            canonical: format!("{f:?}"),
        })
        .collect()
}

fn delimiter_name(layout: &text::CsvLayout) -> String {
    match layout.delimiter {
        b'\t' => "tab".into(),
        d => (d as char).to_string(),
    }
}

/// The portal stops an audit download at 250,000 rows: a file of exactly that size is probably cut.
fn audit_truncation(report: &mut FileReport, rows: usize) {
    // The sign-in limit check in `signin_report` does not apply to audit files.
    report
        .problems
        .retain(|p| !p.contains("probably truncated"));
    if rows == audit::PORTAL_ROW_LIMIT {
        report.problems.push(format!(
            "{} rows (skipped ones included): the portal stops an audit download there, so this file is probably truncated; download shorter date ranges",
            audit::PORTAL_ROW_LIMIT
        ));
    }
}

/// The text that tells interactive from non-interactive sign-ins: the file name when it says
/// either (the portal's names do), else the name of the folder it is in.
fn file_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.to_lowercase().contains("interactive") {
        return name;
    }
    path.parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or(name)
}

fn iso(us: Option<i64>) -> Option<String> {
    us.and_then(chrono::DateTime::from_timestamp_micros)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

impl Loader {
    fn skip(&mut self, name: String, reason: String) {
        self.skipped.push(SkippedFile { path: name, reason });
    }

    fn file(&mut self, path: &Path) -> Result<()> {
        let name = display(path);
        let bytes = std::fs::read(path).map_err(|e| {
            InputError::in_file(&name, io_reason(&e))
                .hint("check that the file exists and is readable")
        })?;
        if archive::is_zip(&bytes) {
            for entry in archive::entries(&name, &bytes)? {
                match entry {
                    archive::Entry::File { name, bytes } => {
                        let inner = PathBuf::from(&name);
                        self.content(name, &inner, bytes)?;
                    }
                    archive::Entry::Skipped { name, reason } => self.skip(name, reason),
                }
            }
            return Ok(());
        }
        self.content(name, path, bytes)
    }

    /// Detect and read one file's content; `path` gives the file name (also inside archives).
    fn content(&mut self, name: String, path: &Path, bytes: Vec<u8>) -> Result<()> {
        if bytes.is_empty() {
            return Err(InputError::in_file(&name, "file is empty (0 bytes)")
                .hint("download the export again; the download may have failed")
                .into());
        }
        let sha256 = hex(&Sha256::digest(&bytes));
        if let Some((first, _)) = self.hashes.iter().find(|(_, h)| *h == sha256) {
            let reason = format!("same content as {first}; read once");
            self.skip(name, reason);
            return Ok(());
        }
        let decoded = match text::decode(&bytes) {
            Ok(d) => d,
            Err(reason) => {
                self.skip(name, format!("not a text export: {reason}"));
                return Ok(());
            }
        };
        let read = Read {
            name: name.clone(),
            sha256: sha256.clone(),
            bytes: bytes.len() as u64,
            encoding: decoded.encoding.to_string(),
        };
        let layout = text::csv_layout(&decoded.text);
        let first = decoded.text[layout.start..].trim_start();
        let report = if first.starts_with('[') || first.starts_with('{') {
            self.json_file(&read, path, &decoded.text)?
        } else {
            self.csv_file(&read, path, &decoded.text, &layout)?
        };
        if let Some(report) = report {
            self.hashes.push((name, sha256));
            self.files.push(report);
        }
        Ok(())
    }

    fn json_file(&mut self, read: &Read, path: &Path, text: &str) -> Result<Option<FileReport>> {
        let items = match json::items(text) {
            Ok(items) => items,
            Err(reason) => {
                self.skip(read.name.clone(), format!("not a known export: {reason}"));
                return Ok(None);
            }
        };
        if audit::is_audit_json(&items) {
            self.audit_files += 1;
            let outcome = self.audit.read_json(&items);
            let rows = outcome.rows;
            let mut report = self.signin_report(
                read,
                Kind::AuditLog,
                "JSON download (Graph directoryAudit objects)".into(),
                "json".into(),
                outcome,
                None,
            );
            audit_truncation(&mut report, rows);
            return Ok(Some(report));
        }
        if signins::is_user_signin_json(&items) {
            self.user_signin_files += 1;
            let source = self.files.len() as u32;
            let interactive = !signins::is_non_interactive(&file_name(path));
            let outcome =
                self.signins
                    .read_json(source, interactive, &items, &mut self.auth_details);
            let report = self.signin_report(
                read,
                Kind::UserSignIns,
                "JSON download (Graph signIn objects)".into(),
                "json".into(),
                outcome,
                None,
            );
            return Ok(Some(report));
        }
        let table = match json::table_of(&items) {
            Ok(t) => t,
            Err(reason) => {
                self.skip(read.name.clone(), format!("not a known export: {reason}"));
                return Ok(None);
            }
        };
        let map = HeaderMap::new(&table.headers);
        if !map.is_registration() {
            let reason = format!(
                "not a known export (JSON objects with properties {})",
                preview(&table.headers)
            );
            self.skip(read.name.clone(), reason);
            return Ok(None);
        }
        let source = self.files.len() as u32;
        let outcome = self
            .registration
            .read_json(&read.name, source, &table.records, &map)?;
        let variant = format!("{} (JSON)", map.variant(false));
        Ok(Some(self.registration_report(
            read,
            map,
            outcome,
            variant,
            "json".into(),
            false,
        )?))
    }

    fn csv_file(
        &mut self,
        read: &Read,
        path: &Path,
        text: &str,
        layout: &text::CsvLayout,
    ) -> Result<Option<FileReport>> {
        let headers: Vec<String> = {
            let mut reader = text::csv_reader(text, layout);
            match reader.headers() {
                Ok(h) => h
                    .iter()
                    .map(|s| s.trim_start_matches('\u{feff}').to_string())
                    .collect(),
                Err(e) => return Err(text::csv_error(&read.name, text, layout, &e).into()),
            }
        };
        let map = HeaderMap::new(&headers);
        if map.is_registration() {
            let source = self.files.len() as u32;
            let outcome = self
                .registration
                .read_file(&read.name, source, text, layout, &map)?;
            let variant = map.variant(layout.type_line);
            let report = self.registration_report(
                read,
                map,
                outcome,
                variant,
                delimiter_name(layout),
                layout.type_line,
            )?;
            return Ok(Some(report));
        }
        let ah = audit::AuditHeaders::new(&headers);
        if ah.is_audit() {
            self.audit_files += 1;
            let outcome = self.audit.read_file(&read.name, text, layout, &ah)?;
            let rows = outcome.rows + outcome.problems.skipped.len();
            let mut report = self.signin_report(
                read,
                Kind::AuditLog,
                ah.variant(),
                delimiter_name(layout),
                outcome,
                None,
            );
            report.recognized = recognized(&ah.index);
            audit_truncation(&mut report, rows);
            return Ok(Some(report));
        }
        let sh = signins::SignInHeaders::new(&headers);
        let Some(kind) = sh.kind() else {
            let reason = format!("not a known export (header starts {})", preview(&headers));
            self.skip(read.name.clone(), reason);
            return Ok(None);
        };
        let source = self.files.len() as u32;
        let (kind, variant, outcome, service) = match kind {
            signins::SignInKind::User => {
                self.user_signin_files += 1;
                let interactive = !signins::is_non_interactive(&file_name(path));
                let outcome =
                    self.signins
                        .read_file(&read.name, source, interactive, text, layout, &sh)?;
                let which = if interactive {
                    "interactive"
                } else {
                    "non-interactive"
                };
                (
                    Kind::UserSignIns,
                    format!("{which}, {}", sh.variant()),
                    outcome,
                    None,
                )
            }
            signins::SignInKind::AuthDetails => {
                let outcome = self.auth_details.read_file(&read.name, text, layout, &sh)?;
                (
                    Kind::AuthDetails,
                    format!("{} columns", sh.width),
                    outcome,
                    None,
                )
            }
            signins::SignInKind::App | signins::SignInKind::ManagedIdentity => {
                let (outcome, summary) = signins::read_service_file(&read.name, text, layout, &sh)?;
                let kind = if kind == signins::SignInKind::App {
                    Kind::AppSignIns
                } else {
                    Kind::ManagedIdentitySignIns
                };
                (
                    kind,
                    format!("{} columns", sh.width),
                    outcome,
                    Some(summary),
                )
            }
        };
        let mut report = self.signin_report(
            read,
            kind,
            variant,
            delimiter_name(layout),
            outcome,
            service,
        );
        report.recognized = recognized(&sh.index);
        report.ignored = sh.ignored.clone();
        Ok(Some(report))
    }

    /// The report of a sign-in file: window, skipped rows, unreadable dates, truncation.
    fn signin_report(
        &self,
        read: &Read,
        kind: Kind,
        variant: String,
        delimiter: String,
        outcome: signins::SignInOutcome,
        service: Option<signins::ServiceSummary>,
    ) -> FileReport {
        let mut report = read.report(kind, variant, delimiter, outcome.rows);
        report.window_start = iso(outcome.first_us);
        report.window_end = iso(outcome.last_us);
        report.service = service;
        let p = &outcome.problems;
        report.set_skipped(&p.skipped);
        if p.bad_dates > 0 {
            let (line, value) = p.bad_date_example.clone().unwrap_or_default();
            report.problems.push(format!(
                "rows with a date that cannot be read: {} (first at line {line}: '{value}'); counted, but left out of the time window",
                p.bad_dates
            ));
        }
        if outcome.rows + p.skipped.len() == signins::PORTAL_ROW_LIMIT {
            report.problems.push(format!(
                "{} rows (skipped ones included): the portal stops a download there, so this file is probably truncated; download shorter date ranges",
                signins::PORTAL_ROW_LIMIT
            ));
        }
        report
    }

    fn registration_report(
        &mut self,
        read: &Read,
        map: HeaderMap,
        outcome: registration::FileOutcome,
        variant: String,
        delimiter: String,
        type_line: bool,
    ) -> Result<FileReport> {
        if outcome.rows == 0 {
            return Err(InputError::in_file(
                &read.name,
                "registration export has a header but no user rows",
            )
            .hint("download the export again without a filter, or leave this file out")
            .into());
        }
        let mut problems = Vec::new();
        if outcome.methods_lost > 0 {
            problems.push(format!(
                "methodsRegistered holds '{}' instead of the methods in {} rows: the method lists were lost when the file was made (PowerShell Export-Csv of an array); method mix, tiers and backup figures cannot be computed from this file. Re-export with the lists joined, e.g. @{{n='MethodsRegistered';e={{$_.MethodsRegistered -join ','}}}}",
                outcome.methods_lost_value.clone().unwrap_or_default(),
                outcome.methods_lost
            ));
        }
        if outcome.default_from_user_preferred {
            problems.push("no defaultMfaMethod column: default methods are taken from userPreferredMethodForSecondaryAuthentication".into());
        }
        if !map.duplicates.is_empty() {
            problems.push(format!(
                "repeated columns (the first of each is used): {}",
                map.duplicates.join(", ")
            ));
        }
        if type_line {
            problems.push("PowerShell #TYPE line skipped".into());
        }
        let mut report = read.report(Kind::Registration, variant, delimiter, outcome.rows);
        report.set_skipped(&outcome.skipped);
        report.recognized = map
            .recognized
            .iter()
            .map(|(_, h, f)| ColumnUse {
                header: h.clone(),
                canonical: f.graph_name().to_string(),
            })
            .collect();
        report.missing = map
            .missing()
            .into_iter()
            .map(|(name, effect)| MissingColumn { name, effect })
            .collect();
        report.ignored = map.ignored.clone();
        report.problems = problems;
        report.methods_lost = outcome.methods_lost;
        self.maps.push(map);
        Ok(report)
    }

    fn finish(self) -> Result<Ingested> {
        let registration = if self.registration.is_empty() {
            None
        } else {
            let fields = registration::fields_present(&self.maps.iter().collect::<Vec<_>>());
            let (users, user_methods) = self.registration.into_frames().map_err(Error::from)?;
            Some(Registration {
                users,
                user_methods,
                fields,
            })
        };
        let signins = if self.user_signin_files == 0 {
            None
        } else {
            Some(SignIns {
                users: self.signins.into_frame().map_err(Error::from)?,
                auth_details: if self.auth_details.is_empty() {
                    None
                } else {
                    Some(self.auth_details.into_frame().map_err(Error::from)?)
                },
            })
        };
        let audit = if self.audit_files == 0 {
            None
        } else {
            Some(self.audit.into_frame().map_err(Error::from)?)
        };
        Ok(Ingested {
            files: self.files,
            skipped: self.skipped,
            registration,
            signins,
            audit,
        })
    }
}

fn preview(headers: &[String]) -> String {
    let shown: Vec<String> = headers.iter().take(4).map(|h| format!("'{h}'")).collect();
    let more = if headers.len() > 4 { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
