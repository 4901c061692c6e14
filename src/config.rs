//! The review's settings file, `entra-mfa-report.toml`: what stays the same from one run of a
//! review to the next (the organisation, the registration deadline, who is left out and why),
//! so it is decided once and recorded beside the exports.
//!
//! ```toml
//! organisation = "Contoso Ltd"
//! deadline = 2027-01-31
//!
//! [[exclude]]
//! pattern = "bg-*@contoso.com"
//! reason = "Break-glass accounts (excluded by the access policy)"
//!
//! [[exclude]]
//! pattern = "0f3a9c1e-0000-0000-0000-000000000000"
//! reason = "Directory synchronization service account"
//! ```
//!
//! Command-line options win over the file. Unknown keys are refused, so a typo never turns a
//! setting off silently.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::analyze::population::Exclusion;
use crate::error::{InputError, Result};

/// The file looked for in the current folder when `--config` is not given.
pub const DEFAULT_FILE: &str = "entra-mfa-report.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(alias = "organization")]
    organisation: Option<String>,
    title: Option<String>,
    deadline: Option<toml::Value>,
    #[serde(default)]
    exclude: Vec<RawExclusion>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExclusion {
    pattern: String,
    reason: String,
}

/// The settings of one file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// Where they were read from, as given.
    pub path: PathBuf,
    pub organisation: Option<String>,
    pub title: Option<String>,
    pub deadline: Option<NaiveDate>,
    pub exclusions: Vec<Exclusion>,
}

/// The config file to use: `explicit`, else [`DEFAULT_FILE`] in `dir` when it exists.
pub fn find(explicit: Option<&Path>, dir: &Path) -> Option<PathBuf> {
    match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => {
            let p = dir.join(DEFAULT_FILE);
            p.is_file().then_some(p)
        }
    }
}

/// Read and check a config file. Errors name the file, and the line and column of a mistake.
pub fn load(path: &Path) -> Result<Config> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        InputError::in_file(&shown, format!("cannot read the config file: {e}"))
            .hint("check the path given to --config")
    })?;
    parse(&shown, &text).map(|mut c| {
        c.path = path.to_path_buf();
        c
    })
}

/// Parse the text of a config file named `shown`.
pub fn parse(shown: &str, text: &str) -> Result<Config> {
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|s| {
                let before = &text[..s.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before
                    .rfind('\n')
                    .map_or(before.len(), |n| before.len() - n - 1)
                    + 1;
                format!("line {line}, column {column}: ")
            })
            .unwrap_or_default();
        let message = e.message().trim().replace('\n', " ");
        InputError::in_file(shown, format!("{at}{message}"))
            .hint("see the config file section of the README for the keys and their form")
    })?;
    let deadline = match raw.deadline {
        None => None,
        Some(v) => {
            let text = match &v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Datetime(d) => d.to_string(),
                other => format!("{other:?}"),
            };
            Some(
                NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                    InputError::in_file(
                        shown,
                        format!("deadline '{text}' is not a date in the form YYYY-MM-DD"),
                    )
                    .hint("write it as deadline = 2027-01-31")
                })?,
            )
        }
    };
    let mut exclusions = Vec::with_capacity(raw.exclude.len());
    for (i, e) in raw.exclude.into_iter().enumerate() {
        if e.pattern.trim().is_empty() || e.reason.trim().is_empty() {
            return Err(InputError::in_file(
                shown,
                format!("exclusion {} has an empty pattern or reason", i + 1),
            )
            .hint("every [[exclude]] needs a UPN pattern (or object id) and the reason it is left out")
            .into());
        }
        exclusions.push(Exclusion {
            pattern: e.pattern.trim().to_string(),
            reason: e.reason.trim().to_string(),
            source: shown.to_string(),
        });
    }
    Ok(Config {
        path: PathBuf::from(shown),
        organisation: raw.organisation.filter(|s| !s.trim().is_empty()),
        title: raw.title.filter(|s| !s.trim().is_empty()),
        deadline,
        exclusions,
    })
}

/// An `--exclude` value: `PATTERN` or `PATTERN=REASON`.
pub fn exclusion_argument(value: &str) -> Exclusion {
    let (pattern, reason) = match value.split_once('=') {
        Some((p, r)) if !r.trim().is_empty() => (p.trim(), r.trim().to_string()),
        // The default reason does not repeat the pattern (it is shown beside it), so a
        // redacted report that hides the pattern does not show it here.
        _ => (
            value.trim_end_matches('=').trim(),
            "excluded on the command line (--exclude)".to_string(),
        ),
    };
    Exclusion {
        pattern: pattern.to_string(),
        reason,
        source: "--exclude".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_key() {
        let c = parse(
            "x.toml",
            "organisation = \"Contoso\"\ndeadline = 2027-01-31\n[[exclude]]\npattern = \"bg-*\"\nreason = \"break-glass\"\n",
        )
        .unwrap();
        assert_eq!(c.organisation.as_deref(), Some("Contoso"));
        assert_eq!(c.deadline, NaiveDate::from_ymd_opt(2027, 1, 31));
        assert_eq!(c.exclusions.len(), 1);
        assert_eq!(c.exclusions[0].reason, "break-glass");
        let quoted = parse("x.toml", "deadline = \"2027-02-01\"\n").unwrap();
        assert_eq!(quoted.deadline, NaiveDate::from_ymd_opt(2027, 2, 1));
    }

    #[test]
    fn mistakes_name_line_and_column() {
        let e = parse("x.toml", "organisation = \"A\"\nexclusions = 3\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("x.toml") && e.contains("line 2, column 1"),
            "{e}"
        );
        let e = parse("x.toml", "deadline = 2027-13-01\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("x.toml") && e.contains("line 1"), "{e}");
        let e = parse("x.toml", "[[exclude]]\npattern = \"a*\"\nreason = \" \"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("exclusion 1"), "{e}");
    }

    #[test]
    fn exclude_argument_takes_an_optional_reason() {
        let e = exclusion_argument("svc-*@contoso.com=service accounts");
        assert_eq!(e.pattern, "svc-*@contoso.com");
        assert_eq!(e.reason, "service accounts");
        let bare = exclusion_argument("bg-1@contoso.com");
        assert_eq!(bare.pattern, "bg-1@contoso.com");
        assert_eq!(bare.reason, "excluded on the command line (--exclude)");
    }
}
