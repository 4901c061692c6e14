//! Cell-level parsers shared by every export kind: booleans, timestamps and list cells in all
//! the spellings the portal, Graph and PowerShell produce.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Parse a boolean cell. `Ok(None)` for an empty cell; `Err` for a value that is not a boolean
/// in any known spelling (the caller names the file, line and column).
pub fn parse_bool(raw: &str) -> Result<Option<bool>, String> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let folded: String = v
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    match folded.as_str() {
        // English, then French and Spanish portal values.
        "true" | "yes" | "1" | "capable" | "registered" | "enabled" | "vrai" | "oui" | "sí"
        | "si" | "verdadero" => Ok(Some(true)),
        "false" | "no" | "0" | "notcapable" | "notregistered" | "notenabled" | "disabled"
        | "faux" | "non" | "falso" => Ok(Some(false)),
        _ => Err(format!(
            "'{v}' is not a boolean (expected True/False, Yes/No, Capable/Not Capable…)"
        )),
    }
}

/// Timestamp formats accepted besides RFC 3339, in the order they are tried. Culture-formatted
/// values come from PowerShell `Export-Csv` (en-US and de-DE) and Excel re-saves; they carry no
/// zone and are read as UTC, which is what the portal and Graph use.
const NAIVE_FORMATS: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
];

const DATE_FORMATS: &[&str] = &["%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y"];

/// Parse a timestamp cell into UTC. `Ok(None)` for an empty cell.
pub fn parse_datetime(raw: &str) -> Result<Option<DateTime<Utc>>, String> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(v) {
        return Ok(Some(dt.with_timezone(&Utc)));
    }
    // RFC 3339 allows at most what chrono reads; .NET writes up to 7 fraction digits, which
    // chrono accepts, but also `+00:00`-less forms with a space, handled below.
    for fmt in NAIVE_FORMATS {
        if let Ok(naive) = NaiveDateTime::parse_from_str(v, fmt) {
            return Ok(Some(naive.and_utc()));
        }
    }
    for fmt in DATE_FORMATS {
        if let Ok(date) = NaiveDate::parse_from_str(v, fmt) {
            return Ok(Some(date.and_hms_opt(0, 0, 0).expect("midnight").and_utc()));
        }
    }
    Err(format!(
        "'{v}' is not a date and time (expected ISO 8601 like 2026-09-22T18:49:13.142503Z, \
         M/d/yyyy h:mm:ss tt or dd.MM.yyyy HH:mm:ss)"
    ))
}

/// What a list cell held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListCell {
    Items(Vec<String>),
    /// PowerShell wrote the type name (`System.String[]`, `System.Object[]`) instead of the
    /// values: the list was lost when the file was made.
    Lost(String),
}

/// Parse a list cell: a JSON array (portal, Graph), or items joined by commas, semicolons or
/// line breaks (PowerShell `-join`). Empty strings are dropped; order is kept.
pub fn parse_list(raw: &str) -> Result<ListCell, String> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(ListCell::Items(Vec::new()));
    }
    if v.starts_with("System.") && v.ends_with("[]") || v.starts_with("System.Collections") {
        return Ok(ListCell::Lost(v.to_string()));
    }
    if v.starts_with('[') {
        let items: Vec<serde_json::Value> =
            serde_json::from_str(v).map_err(|e| format!("'{v}' is not a valid JSON list ({e})"))?;
        return items
            .into_iter()
            .map(|item| match item {
                serde_json::Value::String(s) => Ok(s.trim().to_string()),
                other => Err(format!("list item {other} is not a string")),
            })
            .filter(|r| !matches!(r, Ok(s) if s.is_empty()))
            .collect::<Result<Vec<_>, _>>()
            .map(ListCell::Items);
    }
    Ok(ListCell::Items(
        v.split([',', ';', '\n', '\r'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn booleans_in_every_spelling() {
        for t in [
            "True",
            "true",
            "TRUE",
            "Yes",
            "1",
            "Capable",
            "Registered",
            "Enabled",
        ] {
            assert_eq!(parse_bool(t), Ok(Some(true)), "{t}");
        }
        for f in [
            "False",
            "false",
            "No",
            "0",
            "Not Capable",
            "Not Registered",
            "Not Enabled",
        ] {
            assert_eq!(parse_bool(f), Ok(Some(false)), "{f}");
        }
        assert_eq!(parse_bool("  "), Ok(None));
        assert!(parse_bool("maybe").is_err());
    }

    #[test]
    fn iso_timestamps_with_zero_to_seven_fraction_digits() {
        let base = utc(2026, 9, 18, 21, 36, 33);
        assert_eq!(parse_datetime("2026-09-18T21:36:33Z").unwrap(), Some(base));
        let seven = parse_datetime("2026-09-18T21:36:33.9174556Z")
            .unwrap()
            .unwrap();
        assert_eq!(
            seven.timestamp_nanos_opt().unwrap() % 1_000_000_000,
            917_455_600
        );
        let one = parse_datetime("2026-09-18T21:36:33.9Z").unwrap().unwrap();
        assert_eq!(one.timestamp_subsec_millis(), 900);
        assert_eq!(
            parse_datetime("2026-09-18T23:36:33+02:00").unwrap(),
            Some(base)
        );
        assert_eq!(parse_datetime("2026-09-18T21:36:33").unwrap(), Some(base));
    }

    #[test]
    fn culture_formatted_timestamps() {
        assert_eq!(
            parse_datetime("3/13/2023 7:15:41 PM").unwrap(),
            Some(utc(2023, 3, 13, 19, 15, 41))
        );
        assert_eq!(
            parse_datetime("12/1/2023 12:05:00 AM").unwrap(),
            Some(utc(2023, 12, 1, 0, 5, 0))
        );
        assert_eq!(
            parse_datetime("13.03.2023 19:15:41").unwrap(),
            Some(utc(2023, 3, 13, 19, 15, 41))
        );
        assert_eq!(
            parse_datetime("03/13/2023 19:15:41").unwrap(),
            Some(utc(2023, 3, 13, 19, 15, 41))
        );
        assert!(parse_datetime("yesterday").is_err());
        assert!(parse_datetime("13/13/2023 10:00:00").is_err());
    }

    #[test]
    fn list_cells_in_every_shape() {
        let items = |v: &[&str]| ListCell::Items(v.iter().map(|s| s.to_string()).collect());
        assert_eq!(parse_list("[]").unwrap(), items(&[]));
        assert_eq!(parse_list("").unwrap(), items(&[]));
        assert_eq!(
            parse_list(r#"["microsoftAuthenticatorPush","softwareOneTimePasscode"]"#).unwrap(),
            items(&["microsoftAuthenticatorPush", "softwareOneTimePasscode"])
        );
        assert_eq!(parse_list("a, b").unwrap(), items(&["a", "b"]));
        assert_eq!(parse_list("a,b").unwrap(), items(&["a", "b"]));
        assert_eq!(parse_list("a\r\nb\n").unwrap(), items(&["a", "b"]));
        assert_eq!(
            parse_list("System.String[]").unwrap(),
            ListCell::Lost("System.String[]".into())
        );
        assert_eq!(
            parse_list("System.Object[]").unwrap(),
            ListCell::Lost("System.Object[]".into())
        );
        assert!(parse_list("[\"a\",").is_err());
        assert!(parse_list("[1]").is_err());
    }
}
