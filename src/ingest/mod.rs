//! Ingest: find the input files, detect each one's kind and variant from its content (never its
//! name), and normalize every variant into canonical Polars frames. All format quirks live
//! below this module; nothing after it knows which variant a row came from.

pub mod json;
pub mod registration;
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
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Registration => "user registration details",
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
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut builder = RegistrationBuilder::default();
    let mut maps: Vec<HeaderMap> = Vec::new();
    let mut hashes: Vec<(String, String)> = Vec::new();

    for path in paths {
        let name = display(path);
        let bytes = std::fs::read(path).map_err(|e| {
            InputError::in_file(&name, io_reason(&e))
                .hint("check that the file exists and is readable")
        })?;
        if bytes.is_empty() {
            return Err(InputError::in_file(&name, "file is empty (0 bytes)")
                .hint("download the export again; the download may have failed")
                .into());
        }
        let sha256 = hex(&Sha256::digest(&bytes));
        if let Some((first, _)) = hashes.iter().find(|(_, h)| *h == sha256) {
            skipped.push(SkippedFile {
                path: name,
                reason: format!("same content as {first}; read once"),
            });
            continue;
        }
        let decoded = match text::decode(&bytes) {
            Ok(d) => d,
            Err(reason) => {
                skipped.push(SkippedFile {
                    path: name,
                    reason: format!("not a text export: {reason}"),
                });
                continue;
            }
        };
        let layout = text::csv_layout(&decoded.text);
        let first = decoded.text[layout.start..].trim_start();
        let is_json = first.starts_with('[') || first.starts_with('{');
        let (map, outcome) = if is_json {
            let table = match json::table(&decoded.text) {
                Ok(t) => t,
                Err(reason) => {
                    skipped.push(SkippedFile {
                        path: name,
                        reason: format!("not a known export: {reason}"),
                    });
                    continue;
                }
            };
            let map = HeaderMap::new(&table.headers);
            if !map.is_registration() {
                skipped.push(SkippedFile {
                    path: name,
                    reason: format!(
                        "not a known export (JSON objects with properties {})",
                        preview(&table.headers)
                    ),
                });
                continue;
            }
            let source = files.len() as u32;
            let outcome = builder.read_json(&name, source, &table.records, &map)?;
            (map, outcome)
        } else {
            let headers: Vec<String> = {
                let mut reader = text::csv_reader(&decoded.text, &layout);
                match reader.headers() {
                    Ok(h) => h
                        .iter()
                        .map(|s| s.trim_start_matches('\u{feff}').to_string())
                        .collect(),
                    Err(e) => return Err(text::csv_error(&name, &decoded.text, &layout, &e).into()),
                }
            };
            let map = HeaderMap::new(&headers);
            if !map.is_registration() {
                skipped.push(SkippedFile {
                    path: name,
                    reason: format!("not a known export (header starts {})", preview(&headers)),
                });
                continue;
            }
            let source = files.len() as u32;
            let outcome = builder.read_file(&name, source, &decoded.text, &layout, &map)?;
            (map, outcome)
        };
        if outcome.rows == 0 {
            return Err(InputError::in_file(
                &name,
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
        if layout.type_line {
            problems.push("PowerShell #TYPE line skipped".into());
        }
        hashes.push((name.clone(), sha256.clone()));
        files.push(FileReport {
            path: name,
            kind: Kind::Registration,
            variant: if is_json {
                format!("{} (JSON)", map.variant(false))
            } else {
                map.variant(layout.type_line)
            },
            rows: outcome.rows,
            sha256,
            bytes: bytes.len() as u64,
            encoding: decoded.encoding.to_string(),
            delimiter: match (is_json, layout.delimiter) {
                (true, _) => "json".into(),
                (false, b'\t') => "tab".into(),
                (false, d) => (d as char).to_string(),
            },
            skipped_rows: outcome.skipped.len(),
            skipped_examples: outcome
                .skipped
                .iter()
                .take(20)
                .map(|(line, reason)| SkippedRow {
                    line: *line,
                    reason: reason.clone(),
                })
                .collect(),
            recognized: map
                .recognized
                .iter()
                .map(|(_, h, f)| ColumnUse {
                    header: h.clone(),
                    canonical: f.graph_name().to_string(),
                })
                .collect(),
            missing: map
                .missing()
                .into_iter()
                .map(|(name, effect)| MissingColumn { name, effect })
                .collect(),
            ignored: map.ignored.clone(),
            problems,
            methods_lost: outcome.methods_lost,
        });
        maps.push(map);
    }

    let registration = if builder.is_empty() {
        None
    } else {
        let fields = registration::fields_present(&maps.iter().collect::<Vec<_>>());
        let (users, user_methods) = builder.into_frames().map_err(Error::from)?;
        Some(Registration {
            users,
            user_methods,
            fields,
        })
    };
    Ok(Ingested {
        files,
        skipped,
        registration,
    })
}

fn preview(headers: &[String]) -> String {
    let shown: Vec<String> = headers.iter().take(4).map(|h| format!("'{h}'")).collect();
    let more = if headers.len() > 4 { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
