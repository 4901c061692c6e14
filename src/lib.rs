//! entra-mfa-report: offline MFA registration reports from Microsoft Entra admin center exports.
//!
//! Data flows one way: [`ingest`] → [`analyze`] → [`findings`] → [`report`]. [`run_report`] is
//! the whole pipeline; tests call it directly.

pub mod analyze;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod error;
pub mod findings;
pub mod ingest;
pub mod methods;
pub mod progress;
pub mod redact;
pub mod report;

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use error::{InputError, Result};
use ingest::SkippedFile;
use report::{Exporter, Report};

/// What to produce.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    pub inputs: Vec<PathBuf>,
    pub html: Option<PathBuf>,
    pub json: Option<PathBuf>,
    pub actions: Option<PathBuf>,
    /// Every user, not only those with actions (`--users`).
    pub users: Option<PathBuf>,
    /// Excel workbook (`--xlsx`).
    pub xlsx: Option<PathBuf>,
    /// A previous review to compare with (`--baseline`): its JSON summary or its exports.
    pub baseline: Vec<PathBuf>,
    /// Users left out of the percentages, with the reason (`--exclude`, config file).
    pub exclusions: Vec<analyze::population::Exclusion>,
    /// The organisation the review is for (config file), shown in the report.
    pub organisation: Option<String>,
    /// The config file the settings came from, shown in the report.
    pub config: Option<PathBuf>,
    pub as_of: Option<NaiveDate>,
    /// Registration deadline (guidance 3), judged against the audit log.
    pub deadline: Option<NaiveDate>,
    pub title: String,
    /// Overrides the "generated" time (for reproducible output); else `SOURCE_DATE_EPOCH`, else now.
    pub generated_at: Option<DateTime<Utc>>,
    /// How progress is shown on stderr.
    pub progress: progress::Mode,
    /// Stop at the first file that cannot be read, instead of leaving it out (`--strict`).
    pub strict: bool,
    /// Pseudonymize users in every output (`--redact`), keyed by the passphrase when given.
    pub redact: Option<Redaction>,
}

/// How `--redact` names users.
#[derive(Debug, Clone, Default)]
pub struct Redaction {
    /// `--redact-key`: stable pseudonyms across runs; `None`: a random key per run.
    pub passphrase: Option<String>,
}

/// What a run did, for the one-line summary.
#[derive(Debug)]
pub struct RunSummary {
    pub files_read: usize,
    pub rows_read: u64,
    pub signin_rows: u64,
    pub users: u64,
    pub users_with_actions: u64,
    pub skipped: Vec<SkippedFile>,
    pub outputs: Vec<(&'static str, PathBuf)>,
}

fn generated_at(opts: &ReportOptions) -> DateTime<Utc> {
    opts.generated_at
        .or_else(|| {
            std::env::var("SOURCE_DATE_EPOCH")
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
                .and_then(|secs| DateTime::from_timestamp(secs, 0))
        })
        .unwrap_or_else(Utc::now)
}

/// Refuse to write an output over one of the inputs.
fn check_outputs(inputs: &[PathBuf], outputs: &[&Path]) -> Result<()> {
    let canon = |p: &Path| std::fs::canonicalize(p).ok();
    let inputs: Vec<PathBuf> = inputs.iter().filter_map(|p| canon(p)).collect();
    for out in outputs {
        if let Some(c) = canon(out) {
            if inputs.contains(&c) {
                return Err(InputError::in_file(
                    out.display().to_string(),
                    "output would overwrite an input file",
                )
                .hint("choose another output path")
                .into());
            }
        }
    }
    let mut seen: Vec<&Path> = Vec::new();
    for out in outputs {
        if seen.contains(out) {
            return Err(InputError::in_file(
                out.display().to_string(),
                "the same path is given for two outputs",
            )
            .hint("give each output its own file name")
            .into());
        }
        seen.push(out);
    }
    Ok(())
}

/// One snapshot read and analyzed: the statistics and the files they came from.
pub struct Analyzed {
    pub analysis: analyze::Analysis,
    pub files: Vec<ingest::FileReport>,
    pub skipped: Vec<SkippedFile>,
    /// The SHA-256 of files read in blocks, still being worked out (see
    /// [`Analyzed::complete_hashes`]).
    pub hashes: ingest::hashing::Background,
}

impl Analyzed {
    /// Wait for the SHA-256 of every input and put it in `files`.
    pub fn complete_hashes(&mut self) -> Result<()> {
        ingest::complete_hashes(&mut self.files, std::mem::take(&mut self.hashes))
    }
}

/// Ingest and analyze the discovered `files` (see [`ingest::discover`]) with the options of
/// `opts` that shape the analysis (as-of date, deadline, strictness, redaction); nothing is
/// rendered.
pub fn analyze_inputs(
    files: &[PathBuf],
    opts: &ReportOptions,
    progress: &progress::Progress,
) -> Result<Analyzed> {
    let ingested = ingest::load_with(files, progress, opts.strict)?;
    let ingest::Ingested {
        mut files,
        mut skipped,
        registration,
        signins,
        audit,
        directory,
        roles,
        hashes,
    } = ingested;
    let Some(registration) = registration else {
        let reasons: Vec<String> = skipped
            .iter()
            .map(|s| format!("{} ({})", s.path, s.reason))
            .collect();
        return Err(InputError::new(format!(
            "no user registration details export among the inputs; skipped: {}",
            reasons.join("; ")
        ))
        .hint("download it from Entra admin center > Protection > Authentication methods > User registration details > Download")
        .into());
    };
    let mut analysis = analyze::analyze(
        registration,
        signins,
        audit,
        opts.as_of,
        opts.deadline,
        analyze::PopulationInputs {
            directory,
            roles,
            scope: analyze::population::Scope {
                exclusions: opts.exclusions.clone(),
            },
        },
        progress,
    )?;
    if let Some(redaction) = &opts.redact {
        progress.step("pseudonymizing users");
        let redactor = redact::Redactor::new(redaction.passphrase.as_deref());
        redactor.analysis(&mut analysis)?;
        redactor.files(&mut files, &mut skipped);
    }
    Ok(Analyzed {
        analysis,
        files,
        skipped,
        hashes,
    })
}

/// The whole pipeline: ingest → analyze → findings → render. Nothing is written unless every
/// step before rendering succeeded.
pub fn run_report(opts: &ReportOptions) -> Result<RunSummary> {
    let mut outputs: Vec<(&'static str, &dyn Exporter, &Path)> = Vec::new();
    if let Some(p) = &opts.html {
        outputs.push(("HTML report", &report::HtmlReport, p));
    }
    if let Some(p) = &opts.json {
        outputs.push(("JSON summary", &report::JsonSummary, p));
    }
    if let Some(p) = &opts.actions {
        outputs.push(("actions CSV", &report::ActionsCsv, p));
    }
    if let Some(p) = &opts.users {
        outputs.push(("users CSV", &report::UsersCsv, p));
    }
    if let Some(p) = &opts.xlsx {
        outputs.push(("Excel workbook", &report::XlsxWorkbook, p));
    }
    let files = ingest::discover(&opts.inputs)?;
    check_outputs(
        &files,
        &outputs.iter().map(|(_, _, p)| *p).collect::<Vec<_>>(),
    )?;
    // --baseline: what the report is compared with (found before anything is read).
    let baseline = baseline::Baseline::locate(
        &opts.baseline,
        &outputs.iter().map(|(_, _, p)| *p).collect::<Vec<_>>(),
    )?;

    let progress = progress::Progress::new(opts.progress);
    let (
        Analyzed {
            analysis,
            mut files,
            skipped,
            hashes,
        },
        baseline,
    ) = baseline.analyze(&files, opts, &progress)?;
    let (guidance, further) = findings::evaluate_all(&analysis);
    let notes = findings::data_quality::notes(&analysis, &files, &skipped);
    let generated = generated_at(opts);
    // Everything but the inputs list, which gets its hashes below.
    let report = Report {
        title: opts.title.clone(),
        generated_at: generated,
        analysis: &analysis,
        files: &[],
        skipped: &skipped,
        guidance,
        further,
        notes,
        redacted: opts.redact.is_some(),
        organisation: opts.organisation.clone(),
        config_file: opts.config.as_ref().map(|p| p.display().to_string()),
        baseline: baseline.as_ref(),
    };
    // Every output goes to a temporary file first and takes its name only once all are
    // written. Those that do not list the inputs are written while the inputs' hashes are
    // still being worked out in the background.
    let mut staged = Vec::with_capacity(outputs.len());
    for (name, exporter, path) in outputs.iter().filter(|(_, e, _)| !e.lists_inputs()) {
        progress.step(&format!("writing {name} {}", path.display()));
        let report = Report {
            files: &files,
            ..report.clone()
        };
        staged.push(report::stage(*exporter, &report, path)?);
    }
    if !hashes.is_empty() {
        progress.step("hashing the inputs");
        ingest::complete_hashes(&mut files, hashes)?;
    }
    for (name, exporter, path) in outputs.iter().filter(|(_, e, _)| e.lists_inputs()) {
        progress.step(&format!("writing {name} {}", path.display()));
        let report = Report {
            files: &files,
            ..report.clone()
        };
        staged.push(report::stage(*exporter, &report, path)?);
    }
    let summary = RunSummary {
        files_read: files.len(),
        rows_read: analysis.duplicates.rows_read,
        signin_rows: analysis.signins.as_ref().map_or(0, |s| s.rows),
        users: analysis.all.users,
        users_with_actions: analysis.users_with_actions(),
        skipped: skipped.clone(),
        outputs: outputs
            .into_iter()
            .map(|(name, _, p)| (name, p.to_path_buf()))
            .collect(),
    };
    // The analysis of a large tenant is hundreds of megabytes: it is freed while the outputs
    // take their names (replacing a large old output frees its pages, which takes as long).
    let freeing = std::thread::spawn(move || drop(analysis));
    let committed = staged.into_iter().try_for_each(report::Staged::commit);
    let _ = freeing.join();
    committed?;
    progress.end_step();
    Ok(summary)
}
