//! Cell-level parsers shared by every export kind: booleans, timestamps and list cells in all
//! the spellings the portal, Graph and PowerShell produce.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// `s` without leading and trailing white space, as [`str::trim`]: most fields begin and end
/// with a printable ASCII character, and those are returned as they are without decoding
/// characters from either end.
#[inline]
pub fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&first), Some(&last))
            if (b'!'..0x80).contains(&first) && (b'!'..0x80).contains(&last) =>
        {
            s
        }
        (None, _) => s,
        _ => s.trim(),
    }
}

/// Parse a boolean cell. `Ok(None)` for an empty cell; `Err` for a value that is not a boolean
/// in any known spelling (the caller names the file, line and column).
pub fn parse_bool(raw: &str) -> Result<Option<bool>, String> {
    let v = trim(raw);
    if v.is_empty() {
        return Ok(None);
    }
    // The exports' own spellings (`True`, `False`), without building a folded copy: a
    // million-row export has several of these per row.
    if v.eq_ignore_ascii_case("true") {
        return Ok(Some(true));
    }
    if v.eq_ignore_ascii_case("false") {
        return Ok(Some(false));
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
    let v = trim(raw);
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

/// Microseconds since 1970 (UTC) of a date and time: [`parse_datetime`] with a fast path for
/// the ISO form every sign-in download uses (`2026-11-20T05:59:59Z`, with or without a
/// fraction), which is most of the work when millions of rows are read.
pub fn parse_time_us(raw: &str) -> Result<Option<i64>, String> {
    if let Some(us) = iso_utc_us(trim(raw).as_bytes()) {
        return Ok(Some(us));
    }
    parse_datetime(raw).map(|t| t.map(|t| t.timestamp_micros()))
}

/// `YYYY-MM-DDTHH:MM:SS[.f{1,9}][Z]` read directly; anything else is `None`.
fn iso_utc_us(b: &[u8]) -> Option<i64> {
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        b[r].iter().try_fold(0i64, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + (d - b'0') as i64)
        })
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let mut rest = &b[19..];
    let mut micros = 0i64;
    if let Some(frac) = rest.strip_prefix(b".") {
        let digits = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        for (i, &c) in frac[..digits].iter().enumerate() {
            if i < 6 {
                micros = micros * 10 + (c - b'0') as i64;
            }
        }
        for _ in digits..6 {
            micros *= 10;
        }
        rest = &frac[digits..];
    }
    if !(rest.is_empty() || rest == b"Z" || rest == b"z") {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    Some(((days * 24 + h) * 60 + mi) * 60_000_000 + s * 1_000_000 + micros)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
    let v = trim(raw);
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

    #[test]
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\r",
            "\u{a0}a",
            "a\u{2003}",
            "\u{b}a",
            "a\u{85}",
            "é",
            "\u{1f}a",
            "a\u{7f}",
            "~x!",
            "\u{3000}",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }
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

    #[test]
    fn fast_time_path_agrees_with_chrono() {
        for v in [
            "2026-11-20T05:59:59Z",
            "2026-11-20T05:59:59.1234567Z",
            "2024-02-29T23:00:00.5Z",
            "1999-12-31T00:00:00",
            "2026-03-01T00:00:00.000001Z",
        ] {
            let fast = iso_utc_us(v.as_bytes()).expect(v);
            let slow = parse_datetime(v).unwrap().unwrap().timestamp_micros();
            assert_eq!(fast, slow, "{v}");
        }
        assert_eq!(iso_utc_us(b"2026-02-30T00:00:00Z"), None);
        assert_eq!(iso_utc_us(b"2026-11-20T05:59:59+02:00"), None);
        assert_eq!(
            parse_time_us("2026-11-20T07:59:59+02:00").unwrap(),
            parse_time_us("2026-11-20T05:59:59Z").unwrap()
        );
    }
}
