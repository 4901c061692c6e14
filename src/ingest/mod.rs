//! Ingest: find the input files, detect each one's kind and variant from its content (never its
//! name; the one exception is interactive vs non-interactive sign-ins, whose layouts are
//! identical), and normalize every variant into canonical Polars frames. All format quirks live
//! below this module; nothing after it knows which variant a row came from.

pub mod archive;
pub mod audit;
pub mod directory;
pub mod hashing;
pub mod json;
pub mod registration;
pub mod signin_table;
pub mod signin_values;
pub mod signins;
pub mod stream;
pub mod text;
pub mod values;
pub mod workbook;

use std::io::Read as _;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, InputError, Result};
use crate::progress::Progress;
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
    /// Users > All users > Download users.
    Users,
    /// Roles and administrators > Download assignments.
    RoleAssignments,
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
            Kind::Users => "users list",
            Kind::RoleAssignments => "role assignments",
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
    /// The users list(s), one row per user: see [`directory::UsersBuilder::into_frame`].
    pub directory: Option<DataFrame>,
    /// The role assignments, one row per assignment: see [`directory::RolesBuilder`].
    pub roles: Option<DataFrame>,
    /// The SHA-256 of files read in blocks, still being worked out: see
    /// [`Ingested::complete_hashes`].
    pub hashes: hashing::Background,
}

impl Ingested {
    /// Wait for the SHA-256 of every file and put it in its report.
    pub fn complete_hashes(&mut self) -> Result<()> {
        complete_hashes(&mut self.files, std::mem::take(&mut self.hashes))
    }
}

/// Wait for the hashes of `pending` and put each in the report of its file.
pub fn complete_hashes(files: &mut [FileReport], pending: hashing::Background) -> Result<()> {
    for (id, sha256) in pending.finish()? {
        if let Some(f) = files.get_mut(id) {
            f.sha256 = sha256;
        }
    }
    Ok(())
}

/// The user sign-ins of all sign-in files, in canonical columns.
#[derive(Debug)]
pub struct SignIns {
    /// One row per user sign-in (interactive and non-interactive); numeric and code columns,
    /// described at [`signin_table::SignInTable::finish`].
    pub users: DataFrame,
    /// One row per distinct user of `users` (its `ident` column).
    pub identities: DataFrame,
    /// The texts behind the code columns of `users`.
    pub vocab: signin_table::Vocab,
    /// One row per authentication step, when `_AuthDetails_` files were given.
    pub auth_details: Option<DataFrame>,
}

/// The registration data of all registration files, in canonical columns.
#[derive(Debug)]
pub struct Registration {
    /// One row per data row read (duplicates included; the analysis resolves them).
    pub users: DataFrame,
    /// One row per (distinct method list, canonical method name): `methods_list` (the code in
    /// `users`), `method`. Users' methods are their list's rows.
    pub user_methods: DataFrame,
    /// Fields present in every registration file.
    pub fields: std::collections::HashMap<registration::Field, bool>,
}

/// Expand the command-line inputs into files: a directory stands for every file below it
/// (hidden ones, whose names start with a dot, excepted), in path order so runs are
/// reproducible.
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
        // Hidden entries (`.DS_Store`, `.git`, editor files) are never exports.
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
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
    let mut ingested = load_with(paths, &Progress::default(), true)?;
    ingested.complete_hashes()?;
    Ok(ingested)
}

/// [`load`], reporting progress. Unless `strict`, a file that cannot be read (bad content, not
/// I/O trouble with the machine) is left out, named among the skipped files with the reason,
/// and the other files are still used; with `strict` it stops the run.
pub fn load_with(paths: &[PathBuf], progress: &Progress, strict: bool) -> Result<Ingested> {
    let mut loader = Loader::new(progress);
    loader.workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut first_error = None;
    // Bytes from each input to the end of the list.
    let mut bytes_from: Vec<u64> = paths
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .collect();
    bytes_from.push(0);
    for i in (0..paths.len()).rev() {
        bytes_from[i] += bytes_from[i + 1];
    }
    let mut next = 0;
    while next < paths.len() {
        // Consecutive user sign-in CSVs (a range the portal delivered as several files) are
        // read as one stream: the next file is parsed while the cores finish the one before.
        let (run, after) = signin_run(&paths[next..]);
        if !run.is_empty() {
            next += run.len();
            loader.bytes_after = bytes_from[next];
            loader.signin_files(run, strict, &mut first_error)?;
            if after.is_none() {
                continue;
            }
        }
        let path = &paths[next];
        next += 1;
        loader.bytes_after = bytes_from[next];
        progress.step(&format!("reading {}", display(path)));
        let mark = loader.mark();
        let result = match after {
            Some(opened) => loader.opened(path, opened),
            None => loader.file(path),
        };
        loader.settle(path, mark, result, strict, &mut first_error)?;
    }
    // Without a registration export there is no report: then the file that failed is the news.
    if loader.registration.is_empty() {
        if let Some(e) = first_error {
            return Err(e.into());
        }
    }
    progress.step("building tables");
    let ingested = loader.finish();
    progress.end_step();
    ingested
}

/// A file opened, with its size and time and its first bytes (up to [`HEAD`]) read: enough
/// to tell what it is.
struct Opened {
    file: std::fs::File,
    stamp: hashing::Stamp,
    head: Vec<u8>,
}

fn open_head(path: &Path) -> std::io::Result<Opened> {
    let mut file = std::fs::File::open(path)?;
    let stamp = hashing::Stamp::of(&file.metadata()?);
    let mut head = Vec::new();
    (&mut file).take(HEAD as u64).read_to_end(&mut head)?;
    Ok(Opened { file, stamp, head })
}

/// A user sign-in CSV opened to be streamed, its first bytes read.
struct OpenedSignIns {
    path: PathBuf,
    file: std::fs::File,
    stamp: hashing::Stamp,
    head: Vec<u8>,
    plan: StreamPlan,
    headers: signins::SignInHeaders,
}

/// Files read as one stream at most: each is open, with its first mebibyte read, until the
/// reader reaches it.
const RUN: usize = 16;

/// The user sign-in CSVs that `paths` starts with (up to [`RUN`]), opened, and the file that
/// ended the run when it is something else (opened, so that it is not opened twice). A file
/// that cannot be opened ends the run and is reported when read on its own.
fn signin_run(paths: &[PathBuf]) -> (Vec<OpenedSignIns>, Option<Opened>) {
    let mut run = Vec::new();
    for path in paths.iter().take(RUN) {
        let Ok(opened) = open_head(path) else {
            break;
        };
        let Some(plan) = stream_plan(&opened.head) else {
            return (run, Some(opened));
        };
        let Streamed::UserSignIns(headers) = &plan.kind else {
            return (run, Some(opened));
        };
        let headers = headers.clone();
        run.push(OpenedSignIns {
            path: path.clone(),
            file: opened.file,
            stamp: opened.stamp,
            head: opened.head,
            plan,
            headers,
        });
    }
    (run, None)
}

/// Accumulates the canonical columns of every file, per kind.
struct Loader<'p> {
    progress: &'p Progress,
    /// Threads for parsing one file's blocks.
    workers: usize,
    /// Bytes of the inputs after the one being read: the sign-in table is sized once for
    /// every sign-in that may follow (capacity never written costs no memory), not grown and
    /// copied at each file.
    bytes_after: u64,
    files: Vec<FileReport>,
    skipped: Vec<SkippedFile>,
    registration: RegistrationBuilder,
    maps: Vec<HeaderMap>,
    signins: signin_table::SignInTable,
    auth_details: signins::AuthDetailsBuilder,
    audit: audit::AuditBuilder,
    /// User sign-in files read (even with no rows): then the report has a sign-in section.
    user_signin_files: usize,
    /// Audit files read (even with no rows): then the report has a timeline section.
    audit_files: usize,
    users: directory::UsersBuilder,
    roles: directory::RolesBuilder,
    /// Users-list and role files read.
    users_files: usize,
    role_files: usize,
    /// Every file read so far, to tell one with the same content.
    seen: Vec<Seen>,
    /// The SHA-256 of files read in blocks.
    background: hashing::Background,
}

/// A file read, for telling a later one with the same content (see [`Loader::copy_of`]).
struct Seen {
    name: String,
    size: u64,
    /// Known for files read whole; worked out later for files read in blocks.
    sha256: Option<String>,
    /// Where a file read in blocks is.
    path: Option<PathBuf>,
}

/// What is known of a file's content when it is compared with the files read before.
enum Content<'a> {
    /// Read whole: its SHA-256 and size.
    Hashed(&'a str, u64),
    /// Read in blocks: where it is, and its size.
    OnDisk(&'a Path, u64),
}

impl Content<'_> {
    fn size(&self) -> u64 {
        match self {
            Content::Hashed(_, n) | Content::OnDisk(_, n) => *n,
        }
    }
}

/// The SHA-256 of a file on disk (`None` when it cannot be read).
fn sha256_of(path: &Path) -> Option<String> {
    let mut file = std::fs::File::open(path).ok()?;
    hashing::sha256(&mut file).ok().map(|(sha256, _)| sha256)
}

/// Whether two files on disk hold the same bytes (compared until the first difference).
fn same_bytes(a: &Path, b: &Path) -> bool {
    /// Fill `buf` from `file` as far as it goes: the number of bytes read.
    fn fill(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            match file.read(&mut buf[n..])? {
                0 => break,
                k => n += k,
            }
        }
        Ok(n)
    }
    let (Ok(mut a), Ok(mut b)) = (std::fs::File::open(a), std::fs::File::open(b)) else {
        return false;
    };
    let (mut x, mut y) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let (Ok(n), Ok(m)) = (fill(&mut a, &mut x), fill(&mut b, &mut y)) else {
            return false;
        };
        if n != m || x[..n] != y[..m] {
            return false;
        }
        if n == 0 {
            return true;
        }
    }
}

/// See [`Loader::mark`].
#[derive(Default)]
struct Mark {
    files: usize,
    skipped: usize,
    maps: usize,
    hashes: usize,
    registration: (usize, usize),
    signins: usize,
    auth_details: (usize, usize),
    audit: (usize, usize),
    user_signin_files: usize,
    audit_files: usize,
    users: usize,
    roles: usize,
    users_files: usize,
    role_files: usize,
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

impl<'p> Loader<'p> {
    fn new(progress: &'p Progress) -> Self {
        Loader {
            progress,
            workers: 1,
            bytes_after: 0,
            files: Vec::new(),
            skipped: Vec::new(),
            registration: RegistrationBuilder::default(),
            maps: Vec::new(),
            signins: signin_table::SignInTable::default(),
            auth_details: signins::AuthDetailsBuilder::default(),
            audit: audit::AuditBuilder::default(),
            user_signin_files: 0,
            audit_files: 0,
            users: directory::UsersBuilder::default(),
            roles: directory::RolesBuilder::default(),
            users_files: 0,
            role_files: 0,
            seen: Vec::new(),
            background: hashing::Background::default(),
        }
    }

    /// How far every builder is, to undo a file that failed half-way.
    fn mark(&self) -> Mark {
        Mark {
            files: self.files.len(),
            skipped: self.skipped.len(),
            maps: self.maps.len(),
            hashes: self.seen.len(),
            registration: self.registration.mark(),
            signins: self.signins.len(),
            auth_details: self.auth_details.mark(),
            audit: self.audit.mark(),
            user_signin_files: self.user_signin_files,
            audit_files: self.audit_files,
            users: self.users.len(),
            roles: self.roles.len(),
            users_files: self.users_files,
            role_files: self.role_files,
        }
    }

    /// Forget everything read since `mark`: a file, or every member of an archive.
    fn rollback(&mut self, mark: Mark) {
        self.files.truncate(mark.files);
        self.skipped.truncate(mark.skipped);
        self.maps.truncate(mark.maps);
        self.seen.truncate(mark.hashes);
        self.background.forget_from(mark.files);
        self.registration.truncate(mark.registration);
        self.signins.truncate(mark.signins);
        self.auth_details.truncate(mark.auth_details);
        self.audit.truncate(mark.audit);
        self.user_signin_files = mark.user_signin_files;
        self.audit_files = mark.audit_files;
        self.users.truncate(mark.users);
        self.roles.truncate(mark.roles);
        self.users_files = mark.users_files;
        self.role_files = mark.role_files;
    }

    /// What becomes of a file's `result`: an input error leaves the file out (undoing what it
    /// added since `mark`) and is kept as `first_error`, unless `strict`; other errors stop.
    fn settle(
        &mut self,
        path: &Path,
        mark: Mark,
        result: Result<()>,
        strict: bool,
        first_error: &mut Option<InputError>,
    ) -> Result<()> {
        match result {
            Ok(()) => Ok(()),
            Err(Error::Input(e)) if !strict => {
                self.rollback(mark);
                self.skip(display(path), format!("not read: {}", e.within_file()));
                first_error.get_or_insert(e);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Read a run of user sign-in CSVs as one stream of blocks (see [`stream::scan_files`]),
    /// each file's rows going into the table in order. Each file ends as it would on its own:
    /// kept, refused or left out with its error, without losing the others.
    fn signin_files(
        &mut self,
        run: Vec<OpenedSignIns>,
        strict: bool,
        first_error: &mut Option<InputError>,
    ) -> Result<()> {
        let names: Vec<String> = run.iter().map(|o| display(&o.path)).collect();
        let interactive: Vec<bool> = run
            .iter()
            .map(|o| !signins::is_non_interactive(&file_name(&o.path)))
            .collect();
        // File numbers as if no file of the run is left out; a file's rows are numbered again
        // when it is kept.
        let first_number = self.files.len() as u32;
        let csvs: Vec<signins::UserCsv> = run
            .iter()
            .enumerate()
            .map(|(k, o)| {
                signins::UserCsv::new(
                    &names[k],
                    first_number + k as u32,
                    interactive[k],
                    o.plan.layout.delimiter,
                    &o.headers,
                )
            })
            .collect();
        let mut opened = Vec::with_capacity(run.len());
        let mut inputs = Vec::with_capacity(run.len());
        for o in run {
            // Hashed later, in the background (see `hashing`).
            inputs.push(stream::Input {
                prefix: o.head[o.plan.data_start..].to_vec(),
                rest: o.file,
                first_line: o.plan.first_line,
                first_offset: o.plan.data_start as u64,
                delimiter: o.plan.layout.delimiter,
                hasher: None,
            });
            opened.push((o.path, o.stamp, o.plan, o.headers));
        }
        // The table is sized for the whole run at its first block.
        let total: u64 = opened.iter().map(|(_, stamp, _, _)| stamp.len).sum();
        let reporter = self.progress;
        reporter.step(&format!("reading {}", names[0]));
        let mut mark = self.mark();
        let mut merged = signins::UserMerge::new(total + self.bytes_after);
        let mut stop: Option<Error> = None;
        let scanned = stream::scan_files(
            inputs,
            self.workers,
            |block| csvs[block.file].parse(block),
            |k, event| {
                if stop.is_some() {
                    return ControlFlow::Break(());
                }
                match event {
                    stream::Event::Block(block) => {
                        merged.block(&mut self.signins, block);
                        reporter.rows(&names[k], merged.outcome.rows as u64);
                    }
                    stream::Event::End(result) => {
                        let done = std::mem::replace(&mut merged, signins::UserMerge::new(0));
                        let (path, stamp, plan, headers) = &opened[k];
                        let result =
                            result
                                .map_err(|e| e.for_file(&names[k]))
                                .and_then(|scanned| {
                                    self.signins.renumber(mark.signins, self.files.len() as u32);
                                    let end = StreamedEnd {
                                        name: names[k].clone(),
                                        path,
                                        stamp: stamp.clone(),
                                        encoding: plan.encoding,
                                        layout: &plan.layout,
                                        signins_before: mark.signins,
                                    };
                                    let content = StreamedContent::UserSignIns(
                                        done.outcome,
                                        interactive[k],
                                        headers.clone(),
                                    );
                                    self.streamed_end(end, scanned, done.not_utf8, content)
                                });
                        let kept = std::mem::take(&mut mark);
                        if let Err(e) = self.settle(path, kept, result, strict, first_error) {
                            // `--strict`, or worse: nothing more is read.
                            stop = Some(e);
                            return ControlFlow::Break(());
                        }
                        mark = self.mark();
                        if let Some(name) = names.get(k + 1) {
                            reporter.step(&format!("reading {name}"));
                        }
                    }
                }
                ControlFlow::Continue(())
            },
        )
        .map_err(|e| e.for_file(&names.join(", ")));
        // The merge's own error first: a parser that failed after it is of no more interest.
        if let Some(e) = stop {
            return Err(e);
        }
        scanned
    }

    fn skip(&mut self, name: String, reason: String) {
        self.skipped.push(SkippedFile { path: name, reason });
    }

    fn file(&mut self, path: &Path) -> Result<()> {
        let opened = open_head(path).map_err(|e| -> Error {
            InputError::in_file(display(path), io_reason(&e))
                .hint("check that the file exists and is readable")
                .into()
        })?;
        self.opened(path, opened)
    }

    /// Read a file whose first bytes are read.
    fn opened(&mut self, path: &Path, opened: Opened) -> Result<()> {
        let name = display(path);
        let io = |e: std::io::Error| -> Error {
            InputError::in_file(&name, io_reason(&e))
                .hint("check that the file exists and is readable")
                .into()
        };
        let Opened {
            mut file,
            stamp,
            mut head,
        } = opened;
        if let Some(plan) = stream_plan(&head) {
            return self.stream(name, path, file, stamp, head, plan);
        }
        file.read_to_end(&mut head).map_err(io)?;
        let bytes = head;
        if archive::is_zip(&bytes) && !workbook::is_workbook(&bytes) {
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

    /// Read a registration or user sign-in CSV straight from disk, in blocks on every core:
    /// sign-ins keep only the columns the report uses, so a file of any size needs little
    /// memory.
    fn stream(
        &mut self,
        name: String,
        path: &Path,
        file: std::fs::File,
        stamp: hashing::Stamp,
        head: Vec<u8>,
        plan: StreamPlan,
    ) -> Result<()> {
        let size = stamp.len;
        // The file is hashed later, in the background (see `hashing`).
        let prefix = head[plan.data_start..].to_vec();
        // Read straight into the blocks: they are large, and a buffer in between would copy
        // every byte once more.
        let rest = file;
        let source = self.files.len() as u32;
        let reporter = self.progress;
        let progress = |rows: u64| reporter.rows(&name, rows);
        // Sign-ins go straight into the table: undone below if the file is not used.
        let signins_before = self.signins.len();
        let (scanned, not_utf8, content) = match plan.kind {
            Streamed::UserSignIns(headers) => {
                let interactive = !signins::is_non_interactive(&file_name(path));
                let csv = signins::UserCsv::new(
                    &name,
                    source,
                    interactive,
                    plan.layout.delimiter,
                    &headers,
                );
                let read = signins::read_user_csv(
                    &mut self.signins,
                    &csv,
                    size + self.bytes_after,
                    prefix,
                    rest,
                    plan.first_line,
                    plan.data_start as u64,
                    None,
                    self.workers,
                    &progress,
                )?;
                (
                    read.scanned,
                    read.not_utf8,
                    StreamedContent::UserSignIns(read.outcome, interactive, headers),
                )
            }
            Streamed::AuthDetails(headers) => {
                let csv = signins::StepCsv::new(&name, plan.layout.delimiter, &headers);
                let read = signins::read_step_csv(
                    &csv,
                    prefix,
                    rest,
                    plan.first_line,
                    plan.data_start as u64,
                    None,
                    self.workers,
                    &progress,
                )?;
                (
                    read.scanned,
                    read.not_utf8,
                    StreamedContent::AuthDetails(Box::new(read.steps), read.outcome, headers),
                )
            }
            Streamed::Registration(map) => {
                let mut builder = RegistrationBuilder::default();
                let (outcome, scanned, not_utf8) = builder.read_blocks(
                    &name,
                    size,
                    source,
                    plan.layout.delimiter,
                    &map,
                    prefix,
                    rest,
                    plan.first_line,
                    plan.data_start as u64,
                    None,
                    self.workers,
                    &progress,
                )?;
                (
                    scanned,
                    not_utf8,
                    StreamedContent::Registration(Box::new(builder), outcome, map),
                )
            }
        };
        let end = StreamedEnd {
            name,
            path,
            stamp,
            encoding: plan.encoding,
            layout: &plan.layout,
            signins_before,
        };
        self.streamed_end(end, scanned, not_utf8, content)
    }

    /// After a streamed file was read: refuse it (NUL bytes, same content as a file read
    /// before), read it again whole (not UTF-8 after all) or keep it and describe it.
    fn streamed_end(
        &mut self,
        end: StreamedEnd,
        scanned: stream::Scanned,
        not_utf8: Option<u64>,
        content: StreamedContent,
    ) -> Result<()> {
        let StreamedEnd {
            name,
            path,
            stamp,
            encoding,
            layout,
            signins_before,
        } = end;
        let size = stamp.len;
        let refused = if let Some(at) = scanned.nul_at {
            Some(format!("not a text export: contains a NUL byte at offset {at}: this is a binary file, not a text export"))
        } else if not_utf8.is_some() {
            // Not UTF-8 after all (past the first bytes): perhaps Windows-1252, which the
            // whole-file reader decodes, or refuses with the reason.
            self.signins.truncate(signins_before);
            let bytes = std::fs::read(path).map_err(|e| -> Error {
                InputError::in_file(&name, io_reason(&e))
                    .hint("check that the file exists and is readable")
                    .into()
            })?;
            return self.content(name, path, bytes);
        } else {
            self.copy_of(Content::OnDisk(path, size))
        };
        if let Some(reason) = refused {
            self.signins.truncate(signins_before);
            self.skip(name, reason);
            return Ok(());
        }
        let info = Read {
            name: name.clone(),
            // Filled in once worked out.
            sha256: String::new(),
            bytes: size,
            encoding: encoding.to_string(),
        };
        let report = match content {
            StreamedContent::UserSignIns(outcome, interactive, headers) => {
                self.user_signin_files += 1;
                self.user_signin_report(&info, &headers, layout, interactive, outcome)
            }
            StreamedContent::AuthDetails(steps, outcome, headers) => {
                self.auth_details.append(*steps);
                let mut report = self.signin_report(
                    &info,
                    Kind::AuthDetails,
                    format!("{} columns", headers.width),
                    delimiter_name(layout),
                    outcome,
                    None,
                );
                report.recognized = recognized(&headers.index);
                report.ignored = headers.ignored.clone();
                report
            }
            StreamedContent::Registration(builder, outcome, map) => {
                self.registration.append(*builder);
                let variant = map.variant(layout.type_line);
                self.registration_report(
                    &info,
                    map,
                    outcome,
                    variant,
                    delimiter_name(layout),
                    layout.type_line,
                )?
            }
        };
        self.background
            .add(self.files.len(), name.clone(), path.to_path_buf(), stamp);
        self.seen.push(Seen {
            name,
            size,
            sha256: None,
            path: Some(path.to_path_buf()),
        });
        self.files.push(report);
        Ok(())
    }

    /// Why a file is not read: a file already read has the same bytes. Files of the same size
    /// are compared by SHA-256 or, for two files read in blocks (whose hashes come later),
    /// byte by byte.
    fn copy_of(&self, content: Content) -> Option<String> {
        let same = |seen: &Seen| -> bool {
            if seen.size != content.size() {
                return false;
            }
            match (&seen.sha256, &seen.path, &content) {
                (Some(a), _, Content::Hashed(b, _)) => a == b,
                (None, Some(p), Content::OnDisk(q, _)) => same_bytes(p, q),
                (Some(a), _, Content::OnDisk(q, _)) => sha256_of(q).as_ref() == Some(a),
                (None, Some(p), Content::Hashed(b, _)) => sha256_of(p).as_deref() == Some(*b),
                (None, None, _) => false,
            }
        };
        self.seen
            .iter()
            .find(|s| same(s))
            .map(|s| format!("same content as {}; read once", s.name))
    }

    /// Read each worksheet of a workbook as a CSV file. The inputs list shows the workbook's
    /// own hash and size for each sheet read.
    fn workbook(&mut self, name: String, path: &Path, bytes: Vec<u8>) -> Result<()> {
        let sha256 = hex(&Sha256::digest(&bytes));
        let size = bytes.len() as u64;
        if let Some(reason) = self.copy_of(Content::Hashed(&sha256, size)) {
            self.skip(name, reason);
            return Ok(());
        }
        for sheet in workbook::sheets(&name, bytes)? {
            match sheet {
                workbook::Sheet::Csv { name, text } => {
                    let before = self.files.len();
                    self.content(name, path, text.into_bytes())?;
                    if let Some(report) = self.files.get_mut(before) {
                        report.sha256 = sha256.clone();
                        report.bytes = size;
                        report.encoding = "Excel workbook".into();
                    }
                }
                workbook::Sheet::Skipped { name, reason } => self.skip(name, reason),
            }
        }
        self.seen.push(Seen {
            name,
            size,
            sha256: Some(sha256),
            path: None,
        });
        Ok(())
    }

    /// Detect and read one file's content; `path` gives the file name (also inside archives).
    fn content(&mut self, name: String, path: &Path, bytes: Vec<u8>) -> Result<()> {
        if workbook::is_workbook(&bytes) {
            return self.workbook(name, path, bytes);
        }
        if bytes.is_empty() {
            return Err(InputError::in_file(&name, "file is empty (0 bytes)")
                .hint("download the export again; the download may have failed")
                .into());
        }
        let sha256 = hex(&Sha256::digest(&bytes));
        if let Some(reason) = self.copy_of(Content::Hashed(&sha256, bytes.len() as u64)) {
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
        if let Some(mut report) = report {
            if decoded.encoding == text::WINDOWS_1252 {
                report.problems.push(text::WINDOWS_1252_NOTE.to_string());
            }
            self.seen.push(Seen {
                name,
                size: read.bytes,
                sha256: Some(sha256),
                path: None,
            });
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
            let start = text::data_start(text, layout);
            let first_line =
                1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..start]).count() as u64;
            let (outcome, _, _) = self.registration.read_blocks(
                &read.name,
                text.len() as u64,
                source,
                layout.delimiter,
                &map,
                text.as_bytes()[start..].to_vec(),
                std::io::empty(),
                first_line,
                start as u64,
                None,
                self.workers,
                &|_| {},
            )?;
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
        if let Some(columns) = directory::users_columns(&headers) {
            let outcome = self.users.read(&read.name, text, layout, &columns)?;
            self.users_files += 1;
            return Ok(Some(directory_report(
                read,
                Kind::Users,
                layout,
                &columns,
                outcome,
            )));
        }
        if let Some(columns) = directory::roles_columns(&headers) {
            let outcome = self.roles.read(&read.name, text, layout, &columns)?;
            self.role_files += 1;
            return Ok(Some(directory_report(
                read,
                Kind::RoleAssignments,
                layout,
                &columns,
                outcome,
            )));
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
                let interactive = !signins::is_non_interactive(&file_name(path));
                let csv =
                    signins::UserCsv::new(&read.name, source, interactive, layout.delimiter, &sh);
                let start = text::data_start(text, layout);
                let first_line =
                    1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..start]).count() as u64;
                let user = signins::read_user_csv(
                    &mut self.signins,
                    &csv,
                    text.len() as u64,
                    text.as_bytes()[start..].to_vec(),
                    std::io::empty(),
                    first_line,
                    start as u64,
                    None,
                    self.workers,
                    &|_| {},
                )?;
                self.user_signin_files += 1;
                return Ok(Some(self.user_signin_report(
                    read,
                    &sh,
                    layout,
                    interactive,
                    user.outcome,
                )));
            }
            signins::SignInKind::AuthDetails => {
                let csv = signins::StepCsv::new(&read.name, layout.delimiter, &sh);
                let start = text::data_start(text, layout);
                let first_line =
                    1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..start]).count() as u64;
                let steps = signins::read_step_csv(
                    &csv,
                    text.as_bytes()[start..].to_vec(),
                    std::io::empty(),
                    first_line,
                    start as u64,
                    None,
                    self.workers,
                    &|_| {},
                )?;
                self.auth_details.append(steps.steps);
                let outcome = steps.outcome;
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

    fn user_signin_report(
        &self,
        read: &Read,
        sh: &signins::SignInHeaders,
        layout: &text::CsvLayout,
        interactive: bool,
        outcome: signins::SignInOutcome,
    ) -> FileReport {
        let which = if interactive {
            "interactive"
        } else {
            "non-interactive"
        };
        let mut report = self.signin_report(
            read,
            Kind::UserSignIns,
            format!("{which}, {}", sh.variant()),
            delimiter_name(layout),
            outcome,
            None,
        );
        report.recognized = recognized(&sh.index);
        report.ignored = sh.ignored.clone();
        report
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
        if p.trailing_fields > 0 {
            report.problems.push(trailing_note(p.trailing_fields));
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
        if outcome.trailing_fields > 0 {
            problems.push(trailing_note(outcome.trailing_fields));
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
        let no_signins = self.user_signin_files == 0;
        let signin_table = self.signins;
        let auth_details = self.auth_details;
        // The two largest tables are built at the same time.
        let (registration, signin_frames) = std::thread::scope(|scope| {
            let signins = scope.spawn(move || {
                if no_signins {
                    return Ok(None);
                }
                let (users, identities, vocab) = signin_table.finish()?;
                Ok::<_, polars::prelude::PolarsError>(Some(SignIns {
                    users,
                    identities,
                    vocab,
                    auth_details: if auth_details.is_empty() {
                        None
                    } else {
                        Some(auth_details.into_frame()?)
                    },
                }))
            });
            let registration = if self.registration.is_empty() {
                Ok(None)
            } else {
                let fields = registration::fields_present(&self.maps.iter().collect::<Vec<_>>());
                self.registration
                    .into_frames()
                    .map(|(users, user_methods)| {
                        Some(Registration {
                            users,
                            user_methods,
                            fields,
                        })
                    })
            };
            let signins = signins
                .join()
                .map_err(|_| Error::Internal("building the sign-in table failed".into()));
            (registration, signins)
        });
        let registration = registration.map_err(Error::from)?;
        let signins = signin_frames?.map_err(Error::from)?;
        let audit = if self.audit_files == 0 {
            None
        } else {
            Some(self.audit.into_frame().map_err(Error::from)?)
        };
        let mut files = self.files;
        let directory = if self.users_files == 0 {
            None
        } else {
            let (frame, repeated) = self.users.into_frame().map_err(Error::from)?;
            if repeated > 0 {
                if let Some(f) = files.iter_mut().rev().find(|f| f.kind == Kind::Users) {
                    f.problems.push(format!(
                        "{repeated} rows repeat a user (same object id or UPN) already listed; the first row of each user is used"
                    ));
                }
            }
            Some(frame)
        };
        let roles = if self.role_files == 0 {
            None
        } else {
            Some(self.roles.into_frame().map_err(Error::from)?)
        };
        Ok(Ingested {
            files,
            skipped: self.skipped,
            registration,
            signins,
            audit,
            directory,
            roles,
            hashes: self.background,
        })
    }
}

/// The inputs-list entry of a users list or role assignments file.
fn directory_report<F: std::fmt::Debug>(
    read: &Read,
    kind: Kind,
    layout: &text::CsvLayout,
    columns: &directory::Columns<F>,
    outcome: directory::Outcome,
) -> FileReport {
    let mut report = read.report(
        kind,
        format!("{} columns", columns.width),
        delimiter_name(layout),
        outcome.rows,
    );
    report.set_skipped(&outcome.problems.skipped);
    report.recognized = recognized(&columns.index);
    report.ignored = columns.ignored.clone();
    report.problems = outcome.notes;
    if outcome.problems.trailing_fields > 0 {
        report
            .problems
            .push(trailing_note(outcome.problems.trailing_fields));
    }
    report
}

/// Bytes read first from every file: enough for any header row.
const HEAD: usize = 1 << 20;

/// What streaming a file gave, before it is accepted.
/// A streamed file, for judging it once read (see [`Loader::streamed_end`]).
struct StreamedEnd<'a> {
    name: String,
    path: &'a Path,
    /// Its size and time when opened.
    stamp: hashing::Stamp,
    encoding: &'static str,
    layout: &'a text::CsvLayout,
    /// Sign-in rows in the table before the file's.
    signins_before: usize,
}

enum StreamedContent {
    /// (The rows went straight into the loader's table.)
    UserSignIns(signins::SignInOutcome, bool, signins::SignInHeaders),
    AuthDetails(
        Box<signins::AuthDetailsBuilder>,
        signins::SignInOutcome,
        signins::SignInHeaders,
    ),
    Registration(
        Box<RegistrationBuilder>,
        registration::FileOutcome,
        HeaderMap,
    ),
}

/// What a streamed file is.
enum Streamed {
    UserSignIns(signins::SignInHeaders),
    AuthDetails(signins::SignInHeaders),
    Registration(HeaderMap),
}

/// How to stream a CSV export, decided from its first bytes.
struct StreamPlan {
    kind: Streamed,
    layout: text::CsvLayout,
    /// Byte offset in the file of the first record after the header row.
    data_start: usize,
    first_line: u64,
    encoding: &'static str,
}

/// Whether a file can be streamed (a UTF-8 registration, user sign-in or AuthDetails CSV whose
/// header row is in `head`): the plan, or `None` to read the file whole.
fn stream_plan(head: &[u8]) -> Option<StreamPlan> {
    let (bom, encoding) = match head.strip_prefix(b"\xEF\xBB\xBF") {
        Some(_) => (3, "UTF-8 with BOM"),
        None => (0, "UTF-8"),
    };
    let body = &head[bom..];
    if body.is_empty() || archive::is_zip(head) || body.starts_with(b"\xFF\xFE") {
        return None;
    }
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        // A character cut at the end of the head is fine; anything else is not UTF-8.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&body[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    let layout = text::csv_layout(text);
    let first = text[layout.start..].trim_start();
    if first.starts_with('[') || first.starts_with('{') {
        return None;
    }
    let start = text::data_start(text, &layout);
    // The header row must end inside the head.
    if start >= text.len() && head.len() >= HEAD {
        return None;
    }
    let headers: Vec<String> = {
        let mut reader = text::csv_reader(text, &layout);
        reader
            .headers()
            .ok()?
            .iter()
            .map(|s| s.trim_start_matches('\u{feff}').to_string())
            .collect()
    };
    if headers.len() > 250 {
        return None;
    }
    let map = HeaderMap::new(&headers);
    let kind = if map.is_registration() {
        Streamed::Registration(map)
    } else if audit::AuditHeaders::new(&headers).is_audit() {
        return None;
    } else {
        let sh = signins::SignInHeaders::new(&headers);
        match sh.kind() {
            Some(signins::SignInKind::User) => Streamed::UserSignIns(sh),
            Some(signins::SignInKind::AuthDetails) => Streamed::AuthDetails(sh),
            _ => return None,
        }
    };
    Some(StreamPlan {
        first_line: 1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..start]).count() as u64,
        data_start: bom + start,
        kind,
        layout,
        encoding,
    })
}

/// What a report says about rows with empty fields past the header's columns.
fn trailing_note(rows: usize) -> String {
    format!("rows ending in empty fields past the header's columns (extra delimiters, as spreadsheet programs add): {rows}; the empty fields were ignored")
}

fn preview(headers: &[String]) -> String {
    let shown: Vec<String> = headers.iter().take(4).map(|h| format!("'{h}'")).collect();
    let more = if headers.len() > 4 { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
