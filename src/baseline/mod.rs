//! `--baseline`: progress between two snapshots of the same tenant.
//!
//! The baseline is found by content, not by name. A single JSON file that is a JSON summary of
//! this tool (`tool.name`, `schema_version`) is read in **summary mode**: its headline figures
//! and finding statuses are compared with this run's. Anything else is a set of earlier export
//! files and folders, read in **export mode** exactly as the current inputs are (its own as-of
//! date, the same `--strict`, `--deadline` and population options); then users are also matched
//! one by one (by object id when both snapshots have one, else by lower-cased UPN) and their
//! transitions counted.
//!
//! With `--redact`, both snapshots are analyzed on the real identities (so that matching by
//! object id works as without it) and pseudonymized afterwards by **one** redactor, so the
//! pseudonyms of the progress section, the per-user lists and both CSV files agree, also when
//! the key is random for the run.

mod compare;
mod render;
mod summary;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::error::{Error, InputError, Result};
use crate::findings::Finding;
use crate::ingest::{self, SkippedFile};
use crate::progress::Progress;
use crate::redact::Redactor;
use crate::{analyze_inputs, Analyzed, ReportOptions};

pub use compare::{Change, UserChanges, KPIS};
pub use render::{html, json};

/// The progress section's template, included by `report.html`.
pub const TEMPLATE: &str = include_str!("../../templates/progress.html");

/// What `--baseline` points at, found before anything is analyzed.
pub enum Baseline {
    /// No `--baseline`.
    None,
    /// A JSON summary of an earlier run.
    Summary(Box<summary::Summary>),
    /// Earlier export files (discovered, as the current inputs are).
    Exports(Vec<PathBuf>),
}

/// How the baseline was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Summary,
    Exports,
}

impl Mode {
    pub fn key(self) -> &'static str {
        match self {
            Mode::Summary => "summary",
            Mode::Exports => "exports",
        }
    }
}

/// A file the baseline was computed from.
#[derive(Debug, Clone)]
pub struct InputRef {
    pub path: String,
    pub kind: String,
    pub variant: String,
    pub rows: u64,
    pub sha256: String,
}

/// The JSON summary a summary-mode baseline was read from.
#[derive(Debug, Clone)]
pub struct SummaryFile {
    pub path: String,
    pub sha256: String,
    pub tool_version: String,
    pub generated_at: Option<String>,
    pub title: Option<String>,
}

/// Where the baseline's figures come from.
#[derive(Debug, Clone)]
pub struct Source {
    pub mode: Mode,
    pub as_of: NaiveDate,
    /// `data` or `argument`, as the baseline's own `as_of_source`.
    pub as_of_source: String,
    /// Summary mode: the summary file itself.
    pub summary: Option<SummaryFile>,
    /// The baseline's inputs: its export files, or the inputs its summary lists.
    pub inputs: Vec<InputRef>,
    /// Export mode: baseline files that were not used, and why.
    pub skipped: Vec<SkippedFile>,
}

/// The figures of one snapshot that are compared: headline counts (in [`compare::KPIS`] order),
/// tier counts, and the status of every recommendation and finding.
#[derive(Debug, Clone)]
pub struct Figures {
    pub as_of: NaiveDate,
    pub kpis: Vec<Option<u64>>,
    pub tiers: Option<Vec<u64>>,
    /// `(id, title, status key)` in report order.
    pub statuses: Vec<(String, String, String)>,
    /// Who counted in the figures (`None`: a summary written before population controls).
    pub population: Option<Scope>,
}

/// The population behind a snapshot's figures (see `analyze::population`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Scope {
    pub registration_users: u64,
    pub in_scope: u64,
    pub disabled: u64,
    pub excluded: u64,
    /// Whether a users list decided who is disabled.
    pub users_list: bool,
    /// The exclusion patterns, in order.
    pub exclusions: Vec<String>,
}

impl Scope {
    fn of(p: &crate::analyze::population::PopulationStats) -> Scope {
        Scope {
            registration_users: p.registration_users,
            in_scope: p.in_scope,
            disabled: p.disabled,
            excluded: p.excluded,
            users_list: p.users_list,
            exclusions: p.rules.iter().map(|r| r.rule.pattern.clone()).collect(),
        }
    }

    /// Whether both snapshots left users out the same way (same exclusions, a users list in
    /// both or neither); the counts may differ, the rules may not.
    pub fn same_rules(&self, other: &Scope) -> bool {
        self.exclusions == other.exclusions && self.users_list == other.users_list
    }
}

impl Figures {
    fn from_analysis(
        a: &crate::analyze::Analysis,
        guidance: &[Finding],
        further: &[Finding],
    ) -> Figures {
        Figures {
            as_of: a.as_of,
            kpis: compare::KPIS.iter().map(|k| (k.get)(&a.all)).collect(),
            tiers: a
                .all
                .tiers
                .as_ref()
                .map(|t| t.iter().map(|(_, n)| *n).collect()),
            statuses: guidance
                .iter()
                .chain(further)
                .map(|f| (f.id.to_string(), f.title.to_string(), f.status.key().into()))
                .collect(),
            population: Some(Scope::of(&a.population)),
        }
    }
}

/// The baseline, read and compared with the current snapshot.
pub struct Comparison {
    pub source: Source,
    pub before: Figures,
    /// Export mode: user-by-user transitions.
    pub users: Option<UserChanges>,
}

impl Baseline {
    /// Find out what `paths` are, failing early (before the current inputs are read) on a
    /// missing path, an unusable JSON summary, or an output that would overwrite a baseline file.
    pub fn locate(paths: &[PathBuf], outputs: &[&Path]) -> Result<Baseline> {
        if paths.is_empty() {
            return Ok(Baseline::None);
        }
        let files = ingest::discover(paths).map_err(in_baseline)?;
        for out in outputs {
            let Ok(out) = std::fs::canonicalize(out) else {
                continue;
            };
            if let Some(f) = files
                .iter()
                .find(|f| std::fs::canonicalize(f).is_ok_and(|f| f == out))
            {
                return Err(InputError::in_file(
                    out.display().to_string(),
                    format!(
                        "output would overwrite the baseline file {}",
                        ingest::display(f)
                    ),
                )
                .hint("choose another output path: the baseline is the evidence of the earlier review")
                .into());
            }
        }
        let mut found = None;
        for f in &files {
            if let Some(s) = summary::read(f)? {
                found = Some(s);
                if files.len() > 1 {
                    return Err(InputError::in_file(
                        ingest::display(f),
                        "this baseline file is a JSON summary, but other baseline files were given too",
                    )
                    .hint("give either one JSON summary or the earlier export files as --baseline, not both")
                    .into());
                }
            }
        }
        Ok(match found {
            Some(s) => Baseline::Summary(Box::new(s)),
            None => Baseline::Exports(files),
        })
    }

    /// Analyze the current `files` (as [`analyze_inputs`] does) and, with a baseline, read it and
    /// compare. Both snapshots are pseudonymized with one key after the comparison.
    pub fn analyze(
        self,
        files: &[PathBuf],
        opts: &ReportOptions,
        progress: &Progress,
    ) -> Result<(Analyzed, Option<Comparison>)> {
        if let Baseline::None = self {
            return Ok((analyze_inputs(files, opts, progress)?, None));
        }
        let plain = ReportOptions {
            redact: None,
            ..opts.clone()
        };
        let mut current = analyze_inputs(files, &plain, progress)?;
        let mut comparison = match self {
            Baseline::None => unreachable!("handled above"),
            Baseline::Summary(s) => Comparison {
                source: s.source,
                before: s.figures,
                users: None,
            },
            Baseline::Exports(paths) => {
                progress.step("reading the baseline");
                // The baseline's date comes from its own data.
                let base_opts = ReportOptions {
                    as_of: None,
                    ..plain
                };
                let mut base = analyze_inputs(&paths, &base_opts, progress).map_err(in_baseline)?;
                // Its inputs are listed with their hashes.
                base.complete_hashes().map_err(in_baseline)?;
                progress.step("comparing with the baseline");
                let (guidance, further) = crate::findings::evaluate_all(&base.analysis);
                let before = Figures::from_analysis(&base.analysis, &guidance, &further);
                let users = compare::users(&base.analysis, &current.analysis)?;
                Comparison {
                    source: Source {
                        mode: Mode::Exports,
                        as_of: base.analysis.as_of,
                        as_of_source: "data".into(),
                        summary: None,
                        inputs: base
                            .files
                            .iter()
                            .map(|f| InputRef {
                                path: f.path.clone(),
                                kind: serde_json::to_value(f.kind)
                                    .ok()
                                    .and_then(|k| k.as_str().map(str::to_string))
                                    .unwrap_or_default(),
                                variant: f.variant.clone(),
                                rows: f.rows as u64,
                                sha256: f.sha256.clone(),
                            })
                            .collect(),
                        skipped: base.skipped,
                    },
                    before,
                    users: Some(users),
                }
            }
        };
        if let Some(redaction) = &opts.redact {
            progress.step("pseudonymizing users");
            let redactor = Redactor::new(redaction.passphrase.as_deref());
            redactor.analysis(&mut current.analysis)?;
            redactor.files(&mut current.files, &mut current.skipped);
            comparison.redact(&redactor);
        }
        Ok((current, Some(comparison)))
    }
}

impl Comparison {
    /// Name users by `redactor`'s pseudonyms and drop the quoted values of file messages.
    fn redact(&mut self, redactor: &Redactor) {
        redactor.files(&mut [], &mut self.source.skipped);
        if let Some(u) = &mut self.users {
            u.redact(redactor);
        }
    }

    /// The `change_since_baseline` value of each row of `frame` (a per-user frame with a `upn`
    /// column, such as the actions or users list), in export mode; `None` in summary mode.
    pub fn change_column(
        &self,
        per_user: &polars::prelude::DataFrame,
        frame: &polars::prelude::DataFrame,
    ) -> Result<Option<Vec<&'static str>>> {
        match &self.users {
            Some(u) => u.column_for(per_user, frame).map(Some),
            None => Ok(None),
        }
    }
}

/// An error about the baseline's inputs, said to be about the baseline.
fn in_baseline(e: Error) -> Error {
    match e {
        Error::Input(mut e) => {
            match &e.path {
                Some(p) => e.path = Some(format!("baseline {p}")),
                None => e.message = format!("baseline: {}", e.message),
            }
            if e.message.contains("no user registration details export") {
                e.hint = Some(
                    "--baseline takes the JSON summary (--json) of the earlier review, or its export files with the user registration details"
                        .into(),
                );
            }
            if e.hint.as_deref().is_some_and(|h| h.contains("--as-of")) {
                e.hint = Some(
                    "--as-of sets the date of the current inputs only; give the baseline's JSON summary instead, or exports with lastUpdatedDateTime"
                        .into(),
                );
            }
            Error::Input(e)
        }
        other => other,
    }
}
