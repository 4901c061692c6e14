//! Summary mode: a JSON summary written by an earlier run (`--json`) as the baseline.

use std::io::Read;
use std::path::Path;

use chrono::NaiveDate;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{compare, Figures, InputRef, Mode, Source, SummaryFile};
use crate::error::{InputError, Result};
use crate::ingest::display;
use crate::methods::Tier;
use crate::report::{SCHEMA_VERSION, TOOL_NAME};

/// A JSON summary is small (it holds no per-user list beyond a few examples); a larger JSON
/// file is an export, never a summary.
const MAX_SUMMARY_BYTES: u64 = 64 << 20;

/// A baseline read from a JSON summary.
pub struct Summary {
    pub source: Source,
    pub figures: Figures,
}

/// `Some` when `path` is a JSON summary of this tool, `None` when it is something else (an
/// export, to be read in export mode). A JSON object with `schema_version` or `tool` keys that
/// this version cannot use is an error: an unknown tool, a newer schema, missing parts.
pub fn read(path: &Path) -> Result<Option<Summary>> {
    let shown = display(path);
    let io_err =
        |e: std::io::Error| InputError::in_file(format!("baseline {shown}"), e.to_string());
    let mut file = std::fs::File::open(path).map_err(io_err)?;
    let size = file.metadata().map_err(io_err)?.len();
    let mut head = [0u8; 64];
    let n = file.read(&mut head).map_err(io_err)?;
    let start = head[..n]
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&head[..n]);
    let opens_object = start
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if !opens_object || size > MAX_SUMMARY_BYTES {
        return Ok(None);
    }
    let bytes = std::fs::read(path).map_err(io_err)?;
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(text) else {
        // Not JSON, or not an object: let the export reader say what it is.
        return Ok(None);
    };
    if !doc.contains_key("schema_version") && !doc.contains_key("tool") {
        return Ok(None);
    }
    let doc = Value::Object(doc);
    let bad = |what: String| -> crate::error::Error {
        InputError::in_file(format!("baseline {shown}"), what)
            .hint("give the JSON summary (--json) of an earlier entra-mfa-report run, or that run's export files")
            .into()
    };
    let tool = doc["tool"]["name"].as_str().unwrap_or_default();
    if tool != TOOL_NAME {
        return Err(bad(format!(
            "not a JSON summary of {TOOL_NAME} (its tool is '{}')",
            if tool.is_empty() { "not named" } else { tool }
        )));
    }
    let version = doc["tool"]["version"].as_str().unwrap_or("unknown");
    match doc["schema_version"].as_u64() {
        Some(v) if (1..=u64::from(SCHEMA_VERSION)).contains(&v) => {}
        Some(v) if v > u64::from(SCHEMA_VERSION) => {
            return Err(InputError::in_file(
                format!("baseline {shown}"),
                format!(
                    "the JSON summary has schema_version {v} ({TOOL_NAME} {version}); this version reads schema_version {SCHEMA_VERSION} and older"
                ),
            )
            .hint(format!(
                "use {TOOL_NAME} {version} or newer, or give the baseline's export files instead"
            ))
            .into())
        }
        _ => return Err(bad("the JSON summary has no valid schema_version".into())),
    }
    let as_of = doc["as_of"]
        .as_str()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or_else(|| bad("the JSON summary has no valid as_of date".into()))?;
    let registration = doc["registration"]
        .as_object()
        .ok_or_else(|| bad("the JSON summary has no registration object".into()))?;
    let (Some(recommendations), Some(findings)) = (
        doc["recommendations"].as_array(),
        doc["findings"].as_array(),
    ) else {
        return Err(bad(
            "the JSON summary has no recommendations or findings".into()
        ));
    };
    let count = |v: &Value| v.as_u64();
    let kpis = compare::KPIS
        .iter()
        .map(|k| registration.get(k.key).and_then(count))
        .collect();
    let tiers = registration
        .get("tiers")
        .and_then(Value::as_object)
        .and_then(|t| {
            Tier::ALL
                .iter()
                .map(|tier| t.get(tier.key()).and_then(count))
                .collect::<Option<Vec<u64>>>()
        });
    let statuses = recommendations
        .iter()
        .chain(findings)
        .filter_map(|f| {
            Some((
                f["id"].as_str()?.to_string(),
                f["title"].as_str().unwrap_or_default().to_string(),
                f["status"].as_str()?.to_string(),
            ))
        })
        .collect();
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let inputs = doc["inputs"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| InputRef {
                    path: text(&f["path"]),
                    kind: text(&f["kind"]),
                    variant: text(&f["variant"]),
                    rows: f["rows"].as_u64().unwrap_or(0),
                    sha256: text(&f["sha256"]),
                })
                .collect()
        })
        .unwrap_or_default();
    let sha256: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Some(Summary {
        source: Source {
            mode: Mode::Summary,
            as_of,
            as_of_source: doc["as_of_source"].as_str().unwrap_or("data").to_string(),
            summary: Some(SummaryFile {
                path: shown.clone(),
                sha256,
                tool_version: version.to_string(),
                generated_at: doc["generated_at"].as_str().map(str::to_string),
                title: doc["title"].as_str().map(str::to_string),
            }),
            inputs,
            skipped: Vec::new(),
        },
        figures: Figures {
            as_of,
            kpis,
            tiers,
            statuses,
            population: population(&doc["population"]),
        },
    }))
}

/// The `population` object of a summary, when it has one.
fn population(p: &Value) -> Option<super::Scope> {
    let n = |k: &str| p[k].as_u64();
    Some(super::Scope {
        registration_users: n("registration_users")?,
        in_scope: n("in_scope")?,
        disabled: n("disabled")?,
        excluded: n("excluded")?,
        users_list: p["users_list"].as_bool()?,
        exclusions: p["rules"]
            .as_array()?
            .iter()
            .filter_map(|r| r["pattern"].as_str().map(str::to_string))
            .collect(),
    })
}
