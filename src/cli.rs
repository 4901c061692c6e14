//! Command-line interface definition.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

const AFTER_HELP: &str = "\
Examples:
  entra-mfa-report report exportUserRegistrationDetails_2026-9-23.csv
  entra-mfa-report report exports/ -o contoso.html --json contoso.json --actions contoso-actions.csv
  entra-mfa-report report exports/ --as-of 2026-09-30 --title \"Contoso MFA rollout, wave 2\"
  entra-mfa-report inspect exports/*.csv

Exit codes:
  0  success
  1  internal error (a bug: please report it)
  2  bad input or usage: the message names the file, line and column where it helps";

/// Offline MFA registration reports from Microsoft Entra admin center exports.
///
/// Reads the exported files (user registration details in any of their variants and, optionally,
/// the sign-in log downloads: interactive, non-interactive, authentication details, application
/// sign-ins; CSV, JSON or .zip), computes registration and sign-in statistics and judges them
/// against Microsoft's MFA registration guidance. Writes a self-contained HTML report, a JSON
/// summary and a per-user action list. Nothing is sent anywhere: the tool never uses the network.
#[derive(Debug, Parser)]
#[command(name = "entra-mfa-report", version, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the report from export files and folders.
    ///
    /// Each INPUT is a file or a folder (every file below it is examined). The kind of each
    /// file is detected from its header row, not its name; files that are not a known export
    /// are listed as skipped, with the reason, in the terminal and in the report.
    #[command(after_help = AFTER_HELP)]
    Report(Box<ReportArgs>),
    /// Show how each file is understood: kind, variant, rows, recognized, missing and ignored
    /// columns, and any problems.
    #[command(after_help = AFTER_HELP)]
    Inspect(InspectArgs),
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Export files or folders of exports.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Where to write the HTML report.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        default_value = "report.html"
    )]
    pub output: PathBuf,
    /// Also write the JSON summary here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Also write the per-user action list (CSV, opens in Excel) here.
    #[arg(long, value_name = "FILE")]
    pub actions: Option<PathBuf>,
    /// Also write every user (not only those with actions), with the same columns, here.
    #[arg(long, value_name = "FILE")]
    pub users: Option<PathBuf>,
    /// Also write an Excel workbook here: the summary, the scorecard, the per-user action list
    /// and each breakdown, one sheet each.
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<PathBuf>,
    /// A previous review to compare with: its JSON summary (--json) or its export files and
    /// folders (repeat the option for several). The report gains a progress section.
    #[arg(long, value_name = "PATH")]
    pub baseline: Vec<PathBuf>,
    /// Date the report describes [default: the newest timestamp in the data, so the same inputs
    /// always give the same report].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
    /// Registration deadline (guidance 3): registrations in the audit log after this day are late.
    /// Without it, the report suggests one.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub deadline: Option<NaiveDate>,
    /// Title shown at the top of the report [default: the config file's title, else
    /// "<organisation>: Entra MFA registration report", else "Entra MFA registration report"].
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Leave users out of every percentage, listed with the reason: a UPN pattern (* and ?
    /// wildcards, case ignored) or an object id, optionally followed by =REASON. Repeat for
    /// several (break-glass accounts, service accounts, …).
    #[arg(long, value_name = "PATTERN[=REASON]")]
    pub exclude: Vec<String>,
    /// Settings file (organisation, deadline, exclusions with reasons) [default:
    /// entra-mfa-report.toml in the current folder, when there is one].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Stop with an error at the first input file that cannot be read. Without it, such a file
    /// is left out and listed, with the reason, among the skipped files (terminal and report).
    #[arg(long)]
    pub strict: bool,
    /// Name users by pseudonyms (user-3fa9c2e1b07d) in every output, and leave out the values
    /// that messages about input files quote: a report to share. Counts are unchanged.
    #[arg(long)]
    pub redact: bool,
    /// Passphrase for the pseudonyms of --redact (implies it): the same passphrase gives the
    /// same pseudonyms in every run, so two reviews can be compared user by user. Without it
    /// the pseudonyms are new for each run.
    #[arg(long, value_name = "PASSPHRASE")]
    pub redact_key: Option<String>,
    /// Print nothing but errors (no progress, no summary line).
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print each step with the time it took (progress is otherwise shown only on a terminal).
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// Files or folders to inspect.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a date in the form YYYY-MM-DD"))
}
