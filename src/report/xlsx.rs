//! The Excel workbook (`--xlsx`): the summary, the scorecard, the per-user action list and one
//! sheet per breakdown, every count a number cell and every share a percentage-formatted number.
//!
//! Text is always written as a text cell, never as a formula, so a hostile value ("=HYPERLINK(…)")
//! is shown as written and never evaluated; that is why the CSV apostrophe guard is not applied
//! here (it would change the value). The only hyperlinks are the findings' Microsoft Learn links.
//! Sheet names are fixed by the tool, never taken from the data. A text longer than an Excel cell
//! holds is clipped with a note of what was left out. The workbook's creation time is the
//! report's "generated" time, so the same inputs give the same bytes.

use std::borrow::Cow;
use std::cell::Cell;
use std::io::Write;

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Url, Workbook, Worksheet,
    XlsxError,
};

use super::csv::{Cell as ActionCell, Rows as ActionRows, CHANGE_COLUMN, HEADER};
use super::html::family_label;
use super::{io, Exporter, Report, TOOL_NAME, TOOL_VERSION};
use crate::analyze::actions;
use crate::analyze::signins::TRACKED_ERRORS;
use crate::analyze::RegistrationSummary;
use crate::error::{Error, Result};
use crate::findings::data_quality::Severity;
use crate::findings::{Finding, Status};
use crate::methods::{self, DeviceGroup, Tier, METHODS};

pub struct XlsxWorkbook;

/// Rows in one Excel worksheet, the header row included.
pub const EXCEL_MAX_ROWS: usize = 1_048_576;

/// Users per Actions sheet: every row of a worksheet but the header. Further users continue on
/// `Actions (2)`, `Actions (3)`, … with the same header.
pub const ACTION_ROWS_PER_SHEET: usize = EXCEL_MAX_ROWS - 1;

/// The most characters (UTF-16 code units) an Excel cell holds.
pub const MAX_CELL_CHARS: usize = 32_767;

/// Room kept at the end of a clipped text for the note that says so.
const CLIP_NOTE_ROOM: usize = 100;

/// The only links the workbook holds start with this.
const LEARN_PREFIX: &str = "https://learn.microsoft.com/";

/// Shown in a cell whose figure the inputs cannot tell (as in the HTML report).
const NOT_AVAILABLE: &str = "–";

impl Exporter for XlsxWorkbook {
    fn name(&self) -> &'static str {
        "Excel workbook"
    }

    fn write(&self, report: &Report, out: &mut dyn Write) -> Result<()> {
        let bytes = workbook_bytes(report, ACTION_ROWS_PER_SHEET)?;
        out.write_all(&bytes).map_err(io)
    }
}

/// The workbook as bytes, with at most `action_rows_per_sheet` users per Actions sheet
/// (clamped to 1 ..= [`ACTION_ROWS_PER_SHEET`]).
pub fn workbook_bytes(report: &Report, action_rows_per_sheet: usize) -> Result<Vec<u8>> {
    let per_sheet = action_rows_per_sheet.clamp(1, ACTION_ROWS_PER_SHEET);
    // The Actions sheets are written row by row through temporary files, and the writer panics
    // rather than returning an error when such a file cannot be written (a full disk).
    let temp_dir = std::env::temp_dir();
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(report, per_sheet)))
        .map_err(|_| {
            temp_error(
                &temp_dir,
                std::io::Error::other("writing the worksheet rows failed"),
            )
        })?;
    built.map_err(|e| match e {
        XlsxError::TempFileError(dir, source) => temp_error(&dir, source),
        other => Error::Internal(format!("Excel workbook: {other}")),
    })
}

/// A temporary file of the workbook could not be created or written: the user can fix that
/// (free space, or point `TMPDIR` to a usable folder).
fn temp_error(dir: &std::path::Path, source: std::io::Error) -> Error {
    Error::Output {
        path: format!("the Excel workbook's temporary files in {}", dir.display()),
        source,
    }
}

fn build(report: &Report, per_sheet: usize) -> std::result::Result<Vec<u8>, XlsxError> {
    let x = Writer::new();
    let mut wb = Workbook::new();
    let mut props = DocProperties::new()
        .set_title(fit(&report.title).unwrap_or_else(|| report.title.clone()))
        .set_author(format!("{TOOL_NAME} {TOOL_VERSION}"));
    if let Ok(created) = ExcelDateTime::from_timestamp(report.generated_at.timestamp()) {
        props = props.set_creation_datetime(&created);
    }
    wb.set_properties(&props);

    // The summary comes first but is filled last: it counts the texts clipped in every sheet.
    wb.add_worksheet().set_name("Summary")?;
    scorecard(&x, wb.add_worksheet(), report)?;
    if let Some(b) = report.baseline {
        progress_sheets(
            &x,
            &mut wb,
            &crate::baseline::json(b, report),
            &crate::baseline::html(b, report),
        )?;
    }
    action_sheets(&x, &mut wb, report, per_sheet)?;
    breakdowns(&x, &mut wb, report)?;
    summary(&x, wb.worksheet_from_index(0)?, report)?;
    wb.save_to_buffer()
}

/// A cell value.
enum V<'a> {
    Text(Cow<'a, str>),
    Count(u64),
    /// A count the inputs may not tell.
    Maybe(Option<u64>),
    /// A fraction (0.25 is 25 %), shown as a percentage; `None` when it cannot be told.
    Share(Option<f64>),
    Num(f64),
    /// `YYYY-MM-DD`, written as a date.
    Day(&'a str),
    /// RFC 3339, written as a date and time (UTC).
    Time(&'a str),
    Empty,
}

fn text<'a>(s: impl Into<Cow<'a, str>>) -> V<'a> {
    V::Text(s.into())
}

/// `value` as a share of `of`.
fn share(value: Option<u64>, of: u64) -> V<'static> {
    V::Share(value.filter(|_| of > 0).map(|v| v as f64 / of as f64))
}

/// Formats and the count of clipped texts, shared by every sheet.
struct Writer {
    title: Format,
    header: Format,
    bold: Format,
    wrap: Format,
    count: Format,
    pct: Format,
    day: Format,
    time: Format,
    clipped: Cell<u64>,
}

impl Writer {
    fn new() -> Self {
        Writer {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_background_color(0xDDE4EE)
                .set_border_bottom(FormatBorder::Thin)
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            bold: Format::new().set_bold(),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            count: Format::new().set_num_format("#,##0"),
            pct: Format::new().set_num_format("0.0%"),
            day: Format::new().set_num_format("yyyy-mm-dd"),
            time: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            clipped: Cell::new(0),
        }
    }

    /// `s`, cut to fit in a cell with a note of how much was left out; counted.
    fn clip<'a>(&self, s: &'a str) -> Cow<'a, str> {
        match fit(s) {
            Some(cut) => {
                self.clipped.set(self.clipped.get() + 1);
                Cow::Owned(cut)
            }
            None => Cow::Borrowed(s),
        }
    }

    fn put(
        &self,
        ws: &mut Worksheet,
        row: u32,
        col: u16,
        v: &V,
    ) -> std::result::Result<(), XlsxError> {
        match v {
            V::Text(s) if s.is_empty() => {}
            V::Text(s) => {
                ws.write_string(row, col, self.clip(s))?;
            }
            V::Count(n) => {
                ws.write_number_with_format(row, col, *n as f64, &self.count)?;
            }
            V::Maybe(Some(n)) => {
                ws.write_number_with_format(row, col, *n as f64, &self.count)?;
            }
            V::Share(Some(p)) => {
                ws.write_number_with_format(row, col, *p, &self.pct)?;
            }
            V::Maybe(None) | V::Share(None) => {
                ws.write_string(row, col, NOT_AVAILABLE)?;
            }
            V::Num(n) => {
                ws.write_number(row, col, *n)?;
            }
            V::Day(s) => match day_cell(s) {
                Some(d) => {
                    ws.write_datetime_with_format(row, col, d, &self.day)?;
                }
                None => self.put(ws, row, col, &text(*s))?,
            },
            V::Time(s) => match time_cell(s) {
                Some(t) => {
                    ws.write_datetime_with_format(row, col, t, &self.time)?;
                }
                None => self.put(ws, row, col, &text(*s))?,
            },
            V::Empty => {}
        }
        Ok(())
    }

    /// A header row at `row`.
    fn header(
        &self,
        ws: &mut Worksheet,
        row: u32,
        names: &[&str],
    ) -> std::result::Result<(), XlsxError> {
        for (c, name) in names.iter().enumerate() {
            ws.write_string_with_format(row, c as u16, *name, &self.header)?;
        }
        Ok(())
    }

    /// A sheet holding one table: a frozen header row, an autofilter over the rows, the given
    /// column widths. A table without rows holds `empty` instead.
    fn table(
        &self,
        wb: &mut Workbook,
        name: &str,
        columns: &[(&str, f64)],
        rows: &[Vec<V>],
        empty: &str,
    ) -> std::result::Result<(), XlsxError> {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
        self.header(ws, 0, &names)?;
        for (c, (_, width)) in columns.iter().enumerate() {
            ws.set_column_width(c as u16, *width)?;
        }
        ws.set_freeze_panes(1, 0)?;
        if rows.is_empty() {
            self.put(ws, 1, 0, &text(empty))?;
            return Ok(());
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                self.put(ws, r as u32 + 1, c as u16, v)?;
            }
        }
        ws.autofilter(0, 0, rows.len() as u32, columns.len() as u16 - 1)?;
        Ok(())
    }
}

/// `s` cut to fit in a cell with a note of how much was left out, or `None` when it fits.
fn fit(s: &str) -> Option<String> {
    // A UTF-8 byte is at most one UTF-16 unit, so a short text needs no count.
    if s.len() <= MAX_CELL_CHARS || s.encode_utf16().count() <= MAX_CELL_CHARS {
        return None;
    }
    let budget = MAX_CELL_CHARS - CLIP_NOTE_ROOM;
    let mut units = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if units + c.len_utf16() > budget {
            break;
        }
        units += c.len_utf16();
        end = i + c.len_utf8();
    }
    let rest = s[end..].chars().count();
    Some(format!(
        "{}… [{rest} more characters left out: an Excel cell holds at most 32,767]",
        &s[..end]
    ))
}

fn day_cell(s: &str) -> Option<ExcelDateTime> {
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    ExcelDateTime::from_timestamp(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp()).ok()
}

fn time_cell(s: &str) -> Option<ExcelDateTime> {
    let t = chrono::DateTime::parse_from_rfc3339(s).ok()?;
    // Excel keeps milliseconds at most; the report's times are whole seconds.
    if t.timestamp_subsec_nanos() != 0 {
        return None;
    }
    ExcelDateTime::from_timestamp(t.timestamp()).ok()
}

// ---------------------------------------------------------------------------------------------
// Summary

/// The populations in the order of every per-population table; admins are `None` when the
/// inputs do not say who is an admin.
fn populations<'a>(report: &'a Report) -> [(&'static str, Option<&'a RegistrationSummary>); 4] {
    let a = report.analysis;
    [
        ("All users", Some(&a.all)),
        ("Members", Some(&a.members)),
        ("Guests", Some(&a.guests)),
        ("Admins", a.admins.as_ref()),
    ]
}

/// A key figure: its label, its value in a population, and the population's users it is a
/// share of (`None`: no share shown).
type Figure = (
    &'static str,
    fn(&RegistrationSummary) -> Option<u64>,
    fn(&RegistrationSummary) -> Option<u64>,
);

fn users_of(s: &RegistrationSummary) -> Option<u64> {
    Some(s.users)
}

fn no_share(_: &RegistrationSummary) -> Option<u64> {
    None
}

const KEY_FIGURES: &[Figure] = &[
    ("Users", |s| Some(s.users), no_share),
    ("MFA capable", |s| s.mfa_capable, users_of),
    ("MFA registered", |s| s.mfa_registered, users_of),
    ("No MFA method", |s| s.no_mfa_method, users_of),
    ("Exactly one MFA method", |s| s.single_mfa_method, users_of),
    ("Phone methods only", |s| s.phone_only, users_of),
    (
        "Phishing-resistant method",
        |s| s.phishing_resistant,
        users_of,
    ),
    ("Passwordless capable", |s| s.passwordless_capable, users_of),
    (
        "Authenticator registered",
        |s| s.authenticator_registered,
        users_of,
    ),
    (
        "Authenticator is default",
        |s| s.authenticator_default,
        users_of,
    ),
    (
        "All MFA methods on one device (no independent backup)",
        |s| s.no_independent_backup,
        users_of,
    ),
    (
        "Backup is only a phone number",
        |s| s.backup_only_phone,
        users_of,
    ),
    (
        "Independent backup on a non-phone device",
        |s| s.strong_backup,
        users_of,
    ),
    ("SSPR registered", |s| s.sspr_registered, users_of),
    ("SSPR capable", |s| s.sspr_capable, users_of),
    ("SSPR enabled", |s| s.sspr_enabled, users_of),
    (
        "MFA method but not registered for SSPR",
        |s| s.mfa_without_sspr,
        users_of,
    ),
    (
        "System-preferred MFA enabled",
        |s| s.system_preferred_enabled,
        users_of,
    ),
    ("Admins", |s| s.admins, users_of),
    (
        "Admins not MFA capable",
        |s| s.admins_not_mfa_capable,
        |s| s.admins,
    ),
    (
        "Admins without a phishing-resistant method",
        |s| s.admins_not_phishing_resistant,
        |s| s.admins,
    ),
    (
        "Method list lost in the export",
        |s| Some(s.methods_unknown_users),
        users_of,
    ),
];

fn summary(x: &Writer, ws: &mut Worksheet, report: &Report) -> std::result::Result<(), XlsxError> {
    let a = report.analysis;
    ws.set_column_width(0, 48)?;
    for c in 1..=8 {
        ws.set_column_width(c, 14)?;
    }
    ws.write_string_with_format(0, 0, x.clip(&report.title), &x.title)?;
    let mut row = 1;
    if report.redacted {
        ws.write_string_with_format(
            1,
            0,
            "REDACTED: every user is named by a pseudonym (--redact)",
            &x.bold,
        )?;
        row = 2;
    }
    row += 1;

    let status_count = |status: Status| {
        report
            .guidance
            .iter()
            .chain(report.further.iter())
            .filter(|f| f.status == status)
            .count() as u64
    };
    let generated = report
        .generated_at
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let as_of = a.as_of.to_string();
    let retirement = crate::analyze::sms_voice_retirement().to_string();
    let signins = match &a.signins {
        Some(s) => format!("read: {} sign-ins by {} users", s.rows, s.users),
        None => "not given: the sign-in sheets are left out".into(),
    };
    let audit = match &a.audit {
        Some(au) => format!("read: {} audit events", au.rows),
        None => "not given: the audit sheets are left out".into(),
    };
    let facts: Vec<(&str, V)> = vec![
        ("As of", V::Day(&as_of)),
        (
            "As-of date taken from",
            text(match a.as_of_source {
                crate::analyze::AsOfSource::Argument => "--as-of",
                crate::analyze::AsOfSource::Data => "the newest timestamp in the data",
            }),
        ),
        ("Generated (UTC)", V::Time(&generated)),
        ("Tool", text(format!("{TOOL_NAME} {TOOL_VERSION}"))),
        (
            "Users named by pseudonyms (--redact)",
            text(if report.redacted { "yes" } else { "no" }),
        ),
        ("SMS/voice retirement", V::Day(&retirement)),
        (
            "Days from the as-of date to the retirement",
            V::Num(a.days_to_sms_voice_retirement() as f64),
        ),
        ("Users with actions", V::Count(a.users_with_actions())),
        ("Checks met", V::Count(status_count(Status::Met))),
        (
            "Checks partly met",
            V::Count(status_count(Status::PartlyMet)),
        ),
        ("Checks not met", V::Count(status_count(Status::NotMet))),
        (
            "Checks that need data",
            V::Count(status_count(Status::NeedsData)),
        ),
        ("Sign-in logs", text(signins)),
        ("Audit logs", text(audit)),
    ];
    for (label, v) in &facts {
        ws.write_string_with_format(row, 0, *label, &x.bold)?;
        x.put(ws, row, 1, v)?;
        row += 1;
    }
    row += 1;

    ws.write_string_with_format(row, 0, "Key figures", &x.title)?;
    row += 1;
    let pops = populations(report);
    let mut names = vec!["Figure"];
    let labels: Vec<String> = pops
        .iter()
        .flat_map(|(name, _)| [name.to_string(), format!("{name} %")])
        .collect();
    names.extend(labels.iter().map(String::as_str));
    x.header(ws, row, &names)?;
    row += 1;
    for (label, value, of) in KEY_FIGURES {
        ws.write_string(row, 0, *label)?;
        for (i, (_, pop)) in pops.iter().enumerate() {
            let col = 1 + 2 * i as u16;
            match pop {
                Some(s) => {
                    x.put(ws, row, col, &V::Maybe(value(s)))?;
                    if let Some(base) = of(s) {
                        x.put(ws, row, col + 1, &share(value(s), base))?;
                    }
                }
                None => {
                    x.put(ws, row, col, &V::Maybe(None))?;
                    x.put(ws, row, col + 1, &V::Share(None))?;
                }
            }
        }
        row += 1;
    }
    ws.write_string(
        row,
        0,
        "“–”: the inputs do not hold the data for the figure. A percentage is of the \
         population's users (admin figures: of its admins).",
    )?;
    if a.admins.is_none() {
        row += 1;
        ws.write_string(
            row,
            0,
            "Admins: the export has no isAdmin value for every user, so admins cannot be told.",
        )?;
    }
    row += 2;

    ws.write_string_with_format(row, 0, "Inputs", &x.title)?;
    row += 1;
    x.header(
        ws,
        row,
        &[
            "File",
            "Kind",
            "Variant",
            "Rows",
            "Skipped rows",
            "Encoding",
            "Delimiter",
            "SHA-256",
        ],
    )?;
    row += 1;
    for f in report.files {
        let cells = [
            text(f.path.as_str()),
            text(f.kind.label()),
            text(f.variant.as_str()),
            V::Count(f.rows as u64),
            V::Count(f.skipped_rows as u64),
            text(f.encoding.as_str()),
            text(f.delimiter.as_str()),
            text(f.sha256.as_str()),
        ];
        for (c, v) in cells.iter().enumerate() {
            x.put(ws, row, c as u16, v)?;
        }
        row += 1;
    }
    row += 1;
    ws.write_string_with_format(row, 0, "Skipped files", &x.title)?;
    row += 1;
    x.header(ws, row, &["File", "Reason"])?;
    row += 1;
    if report.skipped.is_empty() {
        ws.write_string(row, 0, "none")?;
        row += 1;
    }
    for s in report.skipped {
        x.put(ws, row, 0, &text(s.path.as_str()))?;
        x.put(ws, row, 1, &text(s.reason.as_str()))?;
        row += 1;
    }
    row += 1;
    // Last, once every other cell is written.
    ws.write_string_with_format(row, 0, "Texts clipped to fit a cell", &x.bold)?;
    x.put(ws, row, 1, &V::Count(x.clipped.get()))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Scorecard

fn scorecard(
    x: &Writer,
    ws: &mut Worksheet,
    report: &Report,
) -> std::result::Result<(), XlsxError> {
    ws.set_name("Scorecard")?;
    let columns: [(&str, f64); 13] = [
        ("Group", 16.0),
        ("ID", 26.0),
        ("Title", 36.0),
        ("Status", 12.0),
        ("What the data shows", 60.0),
        ("Figures", 44.0),
        ("Affected users", 10.0),
        ("Population", 10.0),
        ("Why it matters", 50.0),
        ("What to do", 60.0),
        ("Data needed", 40.0),
        ("Action codes", 26.0),
        ("Microsoft Learn", 50.0),
    ];
    let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
    x.header(ws, 0, &names)?;
    for (c, (_, width)) in columns.iter().enumerate() {
        ws.set_column_width(c as u16, *width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let rows = report
        .guidance
        .iter()
        .map(|f| ("Recommendation", f))
        .chain(report.further.iter().map(|f| ("Further finding", f)));
    let mut row = 0;
    for (group, f) in rows {
        row += 1;
        scorecard_row(x, ws, row, group, f)?;
    }
    ws.autofilter(0, 0, row, columns.len() as u16 - 1)?;
    Ok(())
}

/// The figures behind a finding, one per line: "label: value of total".
fn figures(f: &Finding) -> String {
    f.metrics
        .iter()
        .map(|m| match (m.value, m.of) {
            (Some(v), Some(of)) => format!("{}: {v} of {of}", m.label),
            (Some(v), None) => format!("{}: {v}", m.label),
            (None, _) => format!("{}: {NOT_AVAILABLE}", m.label),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn scorecard_row(
    x: &Writer,
    ws: &mut Worksheet,
    row: u32,
    group: &str,
    f: &Finding,
) -> std::result::Result<(), XlsxError> {
    let cells = [
        text(group),
        text(f.id),
        text(f.title),
        text(f.status.label()),
        text(f.summary.as_str()),
        text(figures(f)),
        V::Maybe(f.affected),
        V::Maybe(f.population),
        text(f.why),
        text(f.fix),
        text(f.needs.as_deref().unwrap_or_default()),
        text(f.action_codes.join(" ")),
    ];
    for (c, v) in cells.iter().enumerate() {
        match v {
            V::Text(s) if !s.is_empty() => {
                ws.write_string_with_format(row, c as u16, x.clip(s), &x.wrap)?;
            }
            _ => x.put(ws, row, c as u16, v)?,
        }
    }
    let link_col = cells.len() as u16;
    // The link is the tool's own constant; anything else would be written as text.
    if f.learn_url.starts_with(LEARN_PREFIX) {
        ws.write_url_with_text(row, link_col, Url::new(f.learn_url), f.learn_url)?;
    } else {
        x.put(ws, row, link_col, &text(f.learn_url))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Actions

const ACTION_WIDTHS: [f64; HEADER.len()] = [
    8.0, 36.0, 26.0, 10.0, 8.0, 18.0, 40.0, 26.0, 34.0, 70.0, 22.0, 9.0, 11.0, 11.0, 26.0, 20.0,
    20.0, 36.0, 22.0, 10.0, 10.0, 36.0, 10.0, 30.0,
];

/// The name of the `n`-th (0-based) Actions sheet.
pub fn action_sheet_name(n: usize) -> String {
    if n == 0 {
        "Actions".into()
    } else {
        format!("Actions ({})", n + 1)
    }
}

fn action_sheets(
    x: &Writer,
    wb: &mut Workbook,
    report: &Report,
    per_sheet: usize,
) -> std::result::Result<(), XlsxError> {
    let frame = &report.analysis.actions;
    let rows = ActionRows::new(report, frame, true)
        .map_err(|e| XlsxError::ParameterError(e.to_string()))?;
    let height = frame.height();
    let sheets = height.div_ceil(per_sheet).max(1);
    for n in 0..sheets {
        let start = n * per_sheet;
        let end = (start + per_sheet).min(height);
        let ws = wb.add_worksheet_with_low_memory()?;
        ws.set_name(action_sheet_name(n))?;
        for (c, width) in ACTION_WIDTHS.iter().enumerate() {
            ws.set_column_width(c as u16, *width)?;
        }
        ws.set_freeze_panes(1, 0)?;
        let mut header = HEADER.to_vec();
        if rows.has_change() {
            header.push(CHANGE_COLUMN);
        }
        ws.autofilter(0, 0, (end - start) as u32, header.len() as u16 - 1)?;
        x.header(ws, 0, &header)?;
        for i in start..end {
            let row = (i - start) as u32 + 1;
            for (c, cell) in rows.cells(i).into_iter().enumerate() {
                let v = match cell {
                    ActionCell::Text(s) => text(s),
                    ActionCell::Count(n) => n.map_or(V::Empty, V::Count),
                    ActionCell::Time(t) => t.map_or(V::Empty, V::Time),
                };
                x.put(ws, row, c as u16, &v)?;
            }
            if let Some(change) = rows.change(i) {
                x.put(ws, row, HEADER.len() as u16, &text(change))?;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Breakdowns

/// `(label, users)` pairs as rows of label, count and share of `of`.
fn counted<'a>(pairs: impl IntoIterator<Item = (Cow<'a, str>, u64)>, of: u64) -> Vec<Vec<V<'a>>> {
    pairs
        .into_iter()
        .map(|(label, n)| vec![V::Text(label), V::Count(n), share(Some(n), of)])
        .collect()
}

/// The header of per-population columns: users and share for each population.
fn population_columns(report: &Report) -> Vec<(String, f64)> {
    populations(report)
        .iter()
        .flat_map(|(name, _)| [(name.to_string(), 12.0), (format!("{name} %"), 10.0)])
        .collect()
}

/// Users and share per population for one row; `value` looks the row up in a population
/// (`None`: the population lacks the figure).
fn population_cells(
    report: &Report,
    value: impl Fn(&RegistrationSummary) -> Option<u64>,
) -> Vec<V<'static>> {
    populations(report)
        .iter()
        .flat_map(|(_, pop)| match pop {
            Some(s) => [V::Maybe(value(s)), share(value(s), s.users)],
            None => [V::Maybe(None), V::Share(None)],
        })
        .collect()
}

fn with_populations<'a>(
    fixed: &[(&'a str, f64)],
    pops: &'a [(String, f64)],
) -> Vec<(&'a str, f64)> {
    fixed
        .iter()
        .copied()
        .chain(pops.iter().map(|(n, w)| (n.as_str(), *w)))
        .collect()
}

fn breakdowns(
    x: &Writer,
    wb: &mut Workbook,
    report: &Report,
) -> std::result::Result<(), XlsxError> {
    let a = report.analysis;
    let s = &a.all;
    let pops = population_columns(report);

    x.table(
        wb,
        "Action rules",
        &[
            ("Code", 28.0),
            ("Action", 90.0),
            ("Users", 10.0),
            ("Share of all users", 12.0),
        ],
        &actions::RULES
            .iter()
            .zip(a.action_counts.iter())
            .map(|(r, (_, n))| {
                vec![
                    text(r.code),
                    text(r.text),
                    V::Count(*n),
                    share(Some(*n), s.users),
                ]
            })
            .collect::<Vec<_>>(),
        "No action rules.",
    )?;

    // Registered methods: one row per name any user has, every population's count.
    let method_rows: Vec<Vec<V>> = s
        .methods
        .iter()
        .flatten()
        .map(|(name, _)| {
            let m = methods::lookup(name);
            let mut row = vec![
                text(name.as_str()),
                text(methods::display_name(name)),
                text(m.map_or("(unknown method name)", |m| m.tier().label())),
                text(m.and_then(|m| m.group()).map_or("", DeviceGroup::label)),
                text(if m.is_some_and(|m| m.is_mfa()) {
                    "yes"
                } else {
                    "no"
                }),
            ];
            row.extend(population_cells(report, |p| {
                p.methods
                    .as_ref()
                    .map(|list| list.iter().find(|(n, _)| n == name).map_or(0, |(_, n)| *n))
            }));
            row
        })
        .collect();
    x.table(
        wb,
        "Methods",
        &with_populations(
            &[
                ("Method (API name)", 32.0),
                ("Method", 36.0),
                ("Tier", 22.0),
                ("Device group", 22.0),
                ("MFA method", 8.0),
            ],
            &pops,
        ),
        &method_rows,
        if s.methods.is_none() {
            "Not available: the method lists were lost in this export."
        } else {
            "No user has a method registered."
        },
    )?;

    let default_rows: Vec<Vec<V>> = s
        .default_methods
        .iter()
        .flatten()
        .map(|(name, _)| {
            let mut row = vec![
                text(name.as_str()),
                text(if name == "none" {
                    "No default".to_string()
                } else {
                    methods::display_name(name)
                }),
            ];
            row.extend(population_cells(report, |p| {
                p.default_methods
                    .as_ref()
                    .map(|list| list.iter().find(|(n, _)| n == name).map_or(0, |(_, n)| *n))
            }));
            row
        })
        .collect();
    x.table(
        wb,
        "Default methods",
        &with_populations(
            &[
                ("Default method (API name)", 32.0),
                ("Default method", 36.0),
            ],
            &pops,
        ),
        &default_rows,
        "Not available: the export has no default-method column (defaultMfaMethod or \
         userPreferredMethodForSecondaryAuthentication).",
    )?;

    let tier_rows: Vec<Vec<V>> = Tier::ALL
        .iter()
        .map(|t| {
            let mut row = vec![text(t.key()), text(t.label()), text(t.description())];
            row.extend(population_cells(report, |p| {
                p.tiers
                    .as_ref()
                    .map(|list| list.iter().find(|(x, _)| x == t).map_or(0, |(_, n)| *n))
            }));
            row
        })
        .collect();
    x.table(
        wb,
        "Tiers",
        &with_populations(
            &[
                ("Tier key", 20.0),
                ("Tier (strongest first)", 28.0),
                ("Description", 60.0),
            ],
            &pops,
        ),
        &tier_rows,
        "",
    )?;

    let group_rows: Vec<Vec<V>> = DeviceGroup::ALL
        .iter()
        .map(|g| {
            let members: Vec<&str> = METHODS
                .iter()
                .filter(|m| m.group() == Some(*g))
                .map(|m| m.display)
                .collect();
            let mut row = vec![text(g.key()), text(g.label()), text(members.join(", "))];
            row.extend(population_cells(report, |p| {
                p.device_groups
                    .as_ref()
                    .map(|list| list.iter().find(|(x, _)| x == g).map_or(0, |(_, n)| *n))
            }));
            row
        })
        .collect();
    x.table(
        wb,
        "Device groups",
        &with_populations(
            &[
                ("Device group key", 20.0),
                ("Device group", 28.0),
                ("Methods", 60.0),
            ],
            &pops,
        ),
        &group_rows,
        "",
    )?;

    population_sheets(x, wb, report)?;

    if let Some(st) = &a.signins {
        signin_sheets(x, wb, st)?;
    }
    if let Some(au) = &a.audit {
        audit_sheets(x, wb, au)?;
    }

    x.table(
        wb,
        "Data quality",
        &[
            ("ID", 26.0),
            ("Severity", 10.0),
            ("Title", 50.0),
            ("Detail", 100.0),
        ],
        &report
            .notes
            .iter()
            .map(|n| {
                vec![
                    text(n.id),
                    text(match n.severity {
                        Severity::Warning => "warning",
                        Severity::Info => "info",
                    }),
                    text(n.title.as_str()),
                    text(n.detail.as_str()),
                ]
            })
            .collect::<Vec<_>>(),
        "No data-quality notes.",
    )
}

fn signin_sheets(
    x: &Writer,
    wb: &mut Workbook,
    st: &crate::analyze::signins::SignInStats,
) -> std::result::Result<(), XlsxError> {
    let not_stated = st
        .success
        .saturating_sub(st.multi_factor_success + st.single_factor_success);
    let mut facts: Vec<Vec<V>> = vec![
        vec![text("Sign-ins (each once)"), V::Count(st.rows)],
        vec![text("Interactive"), V::Count(st.interactive_rows)],
        vec![text("Non-interactive"), V::Count(st.non_interactive_rows)],
        vec![
            text("Read twice and counted once"),
            V::Count(st.duplicate_rows),
        ],
        vec![text("Users"), V::Count(st.users)],
        vec![
            text("First sign-in (UTC)"),
            st.window_start.as_deref().map_or(V::Empty, V::Time),
        ],
        vec![
            text("Last sign-in (UTC)"),
            st.window_end.as_deref().map_or(V::Empty, V::Time),
        ],
        vec![
            text("Rows without a readable date"),
            V::Count(st.rows_without_time),
        ],
        vec![text("Successful"), V::Count(st.success)],
        vec![text("Failed"), V::Count(st.failure)],
        vec![text("Interrupted"), V::Count(st.interrupted)],
    ];
    for (status, n) in &st.other_status {
        facts.push(vec![
            text(format!("Status “{status}” (unknown value)")),
            V::Count(*n),
        ]);
    }
    facts.extend([
        vec![
            text("Successful and multifactor"),
            V::Count(st.multi_factor_success),
        ],
        vec![
            text("Successful and single-factor"),
            V::Count(st.single_factor_success),
        ],
        vec![
            text("Successful, requirement not stated"),
            V::Count(not_stated),
        ],
        vec![
            text("Legacy-protocol sign-in attempts"),
            V::Count(st.legacy_auth),
        ],
        vec![
            text("Users with legacy-protocol attempts"),
            V::Count(st.legacy_auth_users),
        ],
        vec![
            text("Successful legacy-protocol sign-ins"),
            V::Count(st.legacy_auth_success),
        ],
        vec![
            text("Users with a successful legacy-protocol sign-in"),
            V::Count(st.legacy_success_users),
        ],
        vec![
            text("Users with repeated MFA denials"),
            V::Count(st.repeated_denial_users),
        ],
        vec![
            text("Sign-ins to the registration app (My Signins)"),
            V::Count(st.registration_signins),
        ],
        vec![
            text("Users signing in to the registration app"),
            V::Count(st.registration_signin_users),
        ],
        vec![
            text("Successful registration-app sign-ins"),
            V::Count(st.registration_signins_success),
        ],
        vec![
            text("Registration-app sign-ins from compliant or hybrid-joined devices"),
            V::Count(st.registration_signins_compliant_or_hybrid),
        ],
        vec![
            text("Successful registration-app sign-ins from other devices"),
            V::Count(st.registration_success_unmanaged),
        ],
        vec![
            text("Registration blocked by Conditional Access (53010)"),
            V::Count(st.registration_blocked),
        ],
    ]);
    if let Some(d) = &st.auth_details {
        facts.extend([
            vec![text("Authentication steps"), V::Count(d.steps)],
            vec![
                text("Sign-ins with authentication steps"),
                V::Count(d.requests),
            ],
            vec![
                text("Of them, matched to the sign-in files"),
                V::Count(d.requests_matched),
            ],
            vec![text("Failed MFA steps"), V::Count(d.mfa_steps_failed)],
        ]);
    }
    x.table(
        wb,
        "Sign-ins",
        &[("Figure", 60.0), ("Value", 20.0)],
        &facts,
        "",
    )?;

    x.table(
        wb,
        "Sign-ins per day",
        &[
            ("Day (UTC)", 12.0),
            ("Successful", 12.0),
            ("Failed", 10.0),
            ("Interrupted", 12.0),
            ("Total", 10.0),
        ],
        &st.daily
            .iter()
            .map(|d| {
                vec![
                    V::Day(&d.day),
                    V::Count(d.success),
                    V::Count(d.failure),
                    V::Count(d.interrupted),
                    V::Count(d.success + d.failure + d.interrupted),
                ]
            })
            .collect::<Vec<_>>(),
        "No sign-in has a readable date.",
    )?;

    let class_total: u64 = st.registered_vs_used.iter().map(|(_, n)| n).sum();
    x.table(
        wb,
        "Registered vs used",
        &[
            ("Class key", 24.0),
            ("Class", 44.0),
            ("Users", 10.0),
            ("Share", 10.0),
        ],
        &st.registered_vs_used
            .iter()
            .map(|(c, n)| {
                vec![
                    text(c.key()),
                    text(c.label()),
                    V::Count(*n),
                    share(Some(*n), class_total),
                ]
            })
            .collect::<Vec<_>>(),
        "",
    )?;

    x.table(
        wb,
        "Sign-in requirement",
        &[
            ("Requirement of successful sign-ins", 36.0),
            ("Sign-ins", 10.0),
            ("Share", 10.0),
        ],
        &counted(
            [
                ("Multifactor".into(), st.multi_factor_success),
                ("Single-factor".into(), st.single_factor_success),
                ("Not stated".into(), not_stated),
            ],
            st.success,
        ),
        "",
    )?;

    let family_total: u64 = st.mfa_method_families.iter().map(|(_, n)| n).sum();
    x.table(
        wb,
        "MFA method families",
        &[
            ("Family key", 26.0),
            ("Family", 40.0),
            ("Sign-ins", 10.0),
            ("Share", 10.0),
        ],
        &st.mfa_method_families
            .iter()
            .map(|(k, n)| {
                vec![
                    text(k.as_str()),
                    text(family_label(k)),
                    V::Count(*n),
                    share(Some(*n), family_total),
                ]
            })
            .collect::<Vec<_>>(),
        "No MFA method recorded in these sign-ins.",
    )?;
    x.table(
        wb,
        "MFA methods used",
        &[
            ("MFA method (as in the sign-in log)", 44.0),
            ("Sign-ins", 10.0),
            ("Share", 10.0),
        ],
        &counted(
            st.mfa_methods_used
                .iter()
                .map(|(k, n)| (Cow::from(k.as_str()), *n)),
            family_total,
        ),
        "No MFA method recorded in these sign-ins.",
    )?;

    x.table(
        wb,
        "MFA prompts",
        &[
            ("Default group key", 16.0),
            ("Default method", 28.0),
            ("Users prompted", 12.0),
            ("Prompts", 10.0),
            ("User-days", 10.0),
            ("Prompts per user-day", 12.0),
        ],
        &st.prompts_by_default
            .iter()
            .map(|g| {
                vec![
                    text(g.default_group.as_str()),
                    text(match g.default_group.as_str() {
                        "authenticator" => "Microsoft Authenticator",
                        "phone" => "Phone (SMS/voice)",
                        _ => "Other or none",
                    }),
                    V::Count(g.users),
                    V::Count(g.prompts),
                    V::Count(g.user_days),
                    g.per_user_day.map_or(V::Text(NOT_AVAILABLE.into()), V::Num),
                ]
            })
            .collect::<Vec<_>>(),
        "No MFA prompts in these sign-ins.",
    )?;

    let steps: Vec<Vec<V>> = st.auth_details.as_ref().map_or(Vec::new(), |d| {
        counted(
            d.mfa_steps_by_method
                .iter()
                .map(|(k, n)| (Cow::from(k.as_str()), *n)),
            d.mfa_steps_by_method.iter().map(|(_, n)| n).sum(),
        )
    });
    x.table(
        wb,
        "MFA steps",
        &[
            ("MFA step method (authentication details)", 44.0),
            ("Steps", 10.0),
            ("Share", 10.0),
        ],
        &steps,
        if st.auth_details.is_some() {
            "No MFA steps in the authentication details."
        } else {
            "No authentication details (_AuthDetails_) files were given."
        },
    )?;

    x.table(
        wb,
        "Registration sign-ins",
        &[
            ("Conditional Access result of sign-ins to My Signins", 48.0),
            ("Sign-ins", 10.0),
            ("Share", 10.0),
        ],
        &counted(
            st.registration_signins_ca.iter().map(|(k, n)| {
                let label: Cow<str> = match k.as_str() {
                    "success" => "Success".into(),
                    "failure" => "Failure".into(),
                    "not_applied" => "Not applied".into(),
                    other => format!("“{other}” (unknown value)").into(),
                };
                (label, *n)
            }),
            st.registration_signins,
        ),
        "No sign-ins to the registration app (My Signins) in these logs.",
    )?;

    x.table(
        wb,
        "Legacy protocols",
        &[
            ("Legacy protocol (client app)", 36.0),
            ("Sign-ins", 10.0),
            ("Share", 10.0),
        ],
        &counted(
            st.legacy_protocols
                .iter()
                .map(|(k, n)| (Cow::from(k.as_str()), *n)),
            st.legacy_protocols.iter().map(|(_, n)| n).sum(),
        ),
        "No legacy-protocol sign-ins in these logs.",
    )?;

    x.table(
        wb,
        "Error codes",
        &[("Error code", 12.0), ("Meaning", 56.0), ("Sign-ins", 10.0)],
        &st.error_codes
            .iter()
            .zip(TRACKED_ERRORS)
            .map(|((code, n), (_, meaning))| {
                vec![V::Num(*code as f64), text(*meaning), V::Count(*n)]
            })
            .collect::<Vec<_>>(),
        "",
    )?;

    let lists = [
        (
            "Not MFA capable, yet signing in (successful sign-ins)",
            &st.top_not_capable,
        ),
        (
            "Repeated MFA denials (denials or time-outs)",
            &st.top_repeated_denials,
        ),
        ("Legacy-protocol users (attempts)", &st.top_legacy),
    ];
    x.table(
        wb,
        "Sign-in users",
        &[
            ("List", 48.0),
            ("User", 40.0),
            ("Count", 10.0),
            ("Detail", 50.0),
        ],
        &lists
            .iter()
            .flat_map(|(list, users)| {
                users.iter().map(move |u| {
                    vec![
                        text(*list),
                        text(u.upn.as_str()),
                        V::Count(u.count),
                        text(u.detail.as_str()),
                    ]
                })
            })
            .collect::<Vec<_>>(),
        "No user in these lists.",
    )
}

fn audit_sheets(
    x: &Writer,
    wb: &mut Workbook,
    au: &crate::analyze::audit::AuditStats,
) -> std::result::Result<(), XlsxError> {
    let mut facts: Vec<Vec<V>> = vec![
        vec![text("Audit events"), V::Count(au.rows)],
        vec![
            text("First event (UTC)"),
            au.window_start.as_deref().map_or(V::Empty, V::Time),
        ],
        vec![
            text("Last event (UTC)"),
            au.window_end.as_deref().map_or(V::Empty, V::Time),
        ],
        vec![
            text("Events about security info"),
            V::Count(au.relevant_rows),
        ],
    ];
    for (service, n) in &au.skipped_by_service {
        facts.push(vec![
            text(format!("Skipped, service “{service}”")),
            V::Count(*n),
        ]);
    }
    facts.extend([
        vec![
            text("Registration events (successful)"),
            V::Count(au.registration_events),
        ],
        vec![text("Users who registered"), V::Count(au.users_registered)],
        vec![
            text("Combined registrations"),
            V::Count(au.combined_registrations),
        ],
        vec![
            text("Users who completed the combined registration"),
            V::Count(au.combined_users),
        ],
        vec![
            text("Registrations by an admin"),
            V::Count(au.admin_registrations),
        ],
        vec![
            text("Users registered by an admin"),
            V::Count(au.admin_registered_users),
        ],
        vec![
            text("Temporary Access Passes issued"),
            V::Count(au.tap_issued),
        ],
        vec![text("Default changes"), V::Count(au.default_changed)],
        vec![
            text("Default changes to a phone"),
            V::Count(au.default_changed_to_phone),
        ],
        vec![
            text("Users who switched their default to a phone"),
            V::Count(au.default_changed_to_phone_users),
        ],
        vec![text("Deletions"), V::Count(au.deletions)],
        vec![text("Failures"), V::Count(au.failures)],
        vec![text("Cancellations"), V::Count(au.cancellations)],
        vec![
            text(if au.deadline_source == Some("argument") {
                "Deadline (--deadline)"
            } else {
                "Suggested deadline (as-of date + 14 days)"
            }),
            au.deadline.as_deref().map_or(V::Empty, V::Day),
        ],
        vec![
            text("Users first registered on or before the deadline"),
            au.registered_before_deadline.map_or(V::Empty, V::Count),
        ],
        vec![
            text("Users first registered after the deadline"),
            au.registered_after_deadline.map_or(V::Empty, V::Count),
        ],
    ]);
    if let Some(o) = &au.registration_origin {
        facts.extend([
            vec![
                text("Registrations by the users themselves"),
                V::Count(o.registrations),
            ],
            vec![text("Of them, traced to a sign-in"), V::Count(o.matched)],
            vec![
                text("Traced by correlation ID"),
                V::Count(o.matched_by_correlation_id),
            ],
            vec![
                text("From a compliant or hybrid-joined device"),
                V::Count(o.from_compliant_or_hybrid),
            ],
            vec![
                text("From a country where the user never otherwise signs in"),
                V::Count(o.suspicious),
            ],
            vec![
                text("Users registering from such a country"),
                V::Count(o.suspicious_users),
            ],
        ]);
    }
    x.table(
        wb,
        "Audit log",
        &[("Figure", 60.0), ("Value", 20.0)],
        &facts,
        "",
    )?;

    x.table(
        wb,
        "Registration timeline",
        &[
            ("Day (UTC)", 12.0),
            ("Users registering for the first time", 18.0),
            ("Cumulative", 12.0),
        ],
        &au.timeline
            .iter()
            .map(|d| {
                vec![
                    V::Day(&d.day),
                    V::Count(d.first_registrations),
                    V::Count(d.cumulative),
                ]
            })
            .collect::<Vec<_>>(),
        "No registration with a readable date in the audit log.",
    )?;

    let method_total: u64 = au.methods_registered.iter().map(|(_, n)| n).sum();
    let mut method_rows: Vec<Vec<V>> = au
        .methods_registered
        .iter()
        .map(|(m, n)| {
            vec![
                text(m.as_str()),
                text(methods::display_name(m)),
                V::Count(*n),
                share(Some(*n), method_total),
                V::Empty,
            ]
        })
        .collect();
    method_rows.extend(au.unknown_reasons.iter().map(|(reason, n)| {
        vec![
            V::Empty,
            text(reason.as_str()),
            V::Count(*n),
            V::Empty,
            text("reason names no known method"),
        ]
    }));
    x.table(
        wb,
        "Audit methods",
        &[
            ("Method (API name)", 32.0),
            ("Method, or the registration reason", 44.0),
            ("Registrations", 12.0),
            ("Share of known", 12.0),
            ("Note", 30.0),
        ],
        &method_rows,
        "No successful registration in the audit log.",
    )?;

    x.table(
        wb,
        "Audit activities",
        &[("Activity", 56.0), ("Events", 10.0), ("Share", 10.0)],
        &counted(
            au.events_by_activity
                .iter()
                .map(|(k, n)| (Cow::from(k.as_str()), *n)),
            au.relevant_rows,
        ),
        "No security-info events in the audit log.",
    )?;

    // Without sign-in logs nothing can be traced: the sheet is left out.
    if let Some(o) = &au.registration_origin {
        x.table(
            wb,
            "Registration origin",
            &[
                ("User", 40.0),
                ("Registered (UTC)", 20.0),
                ("From", 14.0),
                ("Usually signs in from", 30.0),
            ],
            &o.examples
                .iter()
                .map(|e| {
                    vec![
                        text(e.user.as_str()),
                        V::Time(&e.when),
                        text(e.country.as_str()),
                        text(e.usual_countries.join(", ")),
                    ]
                })
                .collect::<Vec<_>>(),
            "No registration from a country where the user never otherwise signs in.",
        )?;
    }

    let lists = [
        ("Late registration (after the deadline)", &au.late_users),
        ("Default switched to a phone", &au.default_to_phone_users),
    ];
    x.table(
        wb,
        "Audit users",
        &[("List", 40.0), ("User", 40.0), ("When (UTC)", 20.0)],
        &lists
            .iter()
            .flat_map(|(list, users)| {
                users
                    .iter()
                    .map(move |u| vec![text(*list), text(u.user.as_str()), V::Time(&u.when)])
            })
            .collect::<Vec<_>>(),
        "No user in these lists.",
    )
}

/// Who counts: the population figures, the exclusion rules and excluded users, and with a
/// users list or role assignments their breakdowns.
fn population_sheets(
    x: &Writer,
    wb: &mut Workbook,
    report: &Report,
) -> std::result::Result<(), XlsxError> {
    let p = &report.analysis.population;
    let of = p.registration_users;
    let mut rows: Vec<Vec<V>> = vec![
        vec![
            text("Distinct users in the registration export"),
            V::Count(of),
            share(Some(of), of),
        ],
        vec![
            text("In scope (counted in every figure)"),
            V::Count(p.in_scope),
            share(Some(p.in_scope), of),
        ],
        vec![
            text("Disabled accounts"),
            V::Count(p.disabled),
            share(Some(p.disabled), of),
        ],
        vec![
            text("Excluded"),
            V::Count(p.excluded),
            share(Some(p.excluded), of),
        ],
    ];
    if p.users_list {
        rows.push(vec![
            text("Not in the users list (counted as enabled)"),
            V::Maybe(p.not_in_users_list),
            share(p.not_in_users_list, of),
        ]);
        rows.push(vec![
            text("Enabled accounts only in the users list (not counted)"),
            V::Maybe(p.only_in_users_list),
            V::Empty,
        ]);
        rows.push(vec![
            text("In scope, synchronized from on-premises AD"),
            V::Maybe(p.synchronized),
            share(p.synchronized, p.in_scope),
        ]);
        rows.push(vec![
            text("In scope, cloud-only"),
            V::Maybe(p.cloud_only),
            share(p.cloud_only, p.in_scope),
        ]);
        if let Some(n) = &p.new_accounts {
            let of_new = |v: u64| share(Some(v), n.users);
            rows.push(vec![
                text(format!("In scope, created since {}", n.since)),
                V::Maybe(Some(n.users)),
                share(Some(n.users), p.in_scope),
            ]);
            rows.push(vec![
                text("  of them MFA capable"),
                V::Maybe(Some(n.mfa_capable)),
                of_new(n.mfa_capable),
            ]);
            rows.push(vec![
                text("  of them with no MFA method"),
                V::Maybe(Some(n.no_mfa_method)),
                of_new(n.no_mfa_method),
            ]);
            rows.push(vec![
                text("  of them with phone methods only"),
                V::Maybe(Some(n.phone_only)),
                of_new(n.phone_only),
            ]);
        }
    }
    if let Some(r) = &p.role_assignments {
        rows.push(vec![
            text("Role assignments read"),
            V::Count(r.assignments),
            V::Empty,
        ]);
        rows.push(vec![
            text("Users holding a directory role (admins)"),
            V::Count(r.users),
            share(Some(r.users), of),
        ]);
        rows.push(vec![
            text("Of them, not marked isAdmin by the registration export"),
            V::Count(r.added_admins),
            V::Empty,
        ]);
        rows.push(vec![
            text("Assignments to groups or applications (not expanded)"),
            V::Count(r.non_user_assignments),
            V::Empty,
        ]);
        rows.push(vec![
            text("Assignments to users not in the registration export"),
            V::Count(r.unmatched_assignments),
            V::Empty,
        ]);
    }
    x.table(
        wb,
        "Population",
        &[("Users", 56.0), ("Count", 10.0), ("Share", 10.0)],
        &rows,
        "",
    )?;
    if !p.rules.is_empty() {
        x.table(
            wb,
            "Exclusions",
            &[
                ("Pattern or object id", 40.0),
                ("Reason", 50.0),
                ("From", 30.0),
                ("Users", 10.0),
            ],
            &p.rules
                .iter()
                .map(|r| {
                    vec![
                        text(r.rule.pattern.as_str()),
                        text(r.rule.reason.as_str()),
                        text(r.rule.source.as_str()),
                        V::Count(r.users),
                    ]
                })
                .collect::<Vec<_>>(),
            "",
        )?;
        let yes_no = |v: Option<bool>| match v {
            Some(true) => text("yes"),
            Some(false) => text("no"),
            None => V::Empty,
        };
        let mut excluded: Vec<Vec<V>> = p
            .excluded_users
            .iter()
            .map(|u| {
                vec![
                    text(u.upn.as_str()),
                    text(u.display_name.as_deref().unwrap_or_default()),
                    text(u.reason.as_str()),
                    yes_no(u.mfa_capable),
                    yes_no(u.phishing_resistant),
                ]
            })
            .collect();
        let more = p.excluded.saturating_sub(p.excluded_users.len() as u64);
        if more > 0 {
            excluded.push(vec![text(format!(
                "… and {more} more excluded users: the users CSV (--users) lists them all"
            ))]);
        }
        x.table(
            wb,
            "Excluded users",
            &[
                ("User", 40.0),
                ("Display name", 30.0),
                ("Reason", 50.0),
                ("MFA capable", 12.0),
                ("Phishing-resistant method", 14.0),
            ],
            &excluded,
            "No user matched an exclusion.",
        )?;
    }
    for (name, label, list) in [
        ("Departments", "Department", &p.by_department),
        ("Countries", "Country or region", &p.by_country),
    ] {
        let Some(list) = list else { continue };
        let rows: Vec<Vec<V>> = list
            .iter()
            .map(|b| {
                vec![
                    text(b.name.as_deref().unwrap_or("(none given)")),
                    V::Count(b.users),
                    V::Count(b.mfa_capable),
                    share(Some(b.mfa_capable), b.users),
                    V::Count(b.phishing_resistant),
                    share(Some(b.phishing_resistant), b.users),
                    V::Count(b.phone_only),
                    share(Some(b.phone_only), b.users),
                    V::Count(b.no_mfa_method),
                    share(Some(b.no_mfa_method), b.users),
                ]
            })
            .collect();
        x.table(
            wb,
            name,
            &[
                (label, 30.0),
                ("Users in scope", 12.0),
                ("MFA capable", 12.0),
                ("MFA capable %", 12.0),
                ("Phishing-resistant", 12.0),
                ("Phishing-resistant %", 12.0),
                ("Phone only", 12.0),
                ("Phone only %", 12.0),
                ("No MFA method", 12.0),
                ("No MFA method %", 12.0),
            ],
            &rows,
            "No user in scope.",
        )?;
    }
    if let Some(r) = &p.role_assignments {
        x.table(
            wb,
            "Admin roles",
            &[("Role", 40.0), ("Users", 10.0)],
            &r.roles
                .iter()
                .map(|(role, n)| vec![text(role.as_str()), V::Count(*n)])
                .collect::<Vec<_>>(),
            "No role is held by a user of the registration export.",
        )?;
    }
    Ok(())
}

/// The comparison with `--baseline`, from the values the JSON summary and the progress section
/// are made of: the key figures before and now, the statuses, the phone-only pace, and in
/// export mode the per-user changes, the tier matrix and the users named in the report.
fn progress_sheets(
    x: &Writer,
    wb: &mut Workbook,
    b: &serde_json::Value,
    shown: &serde_json::Value,
) -> std::result::Result<(), XlsxError> {
    let count = |v: &serde_json::Value| v.as_u64().map_or(V::Empty, V::Count);
    let signed = |v: &serde_json::Value| v.as_i64().map_or(V::Empty, |n| V::Num(n as f64));
    let fraction = |v: &serde_json::Value| V::Share(v.as_f64().map(|p| p / 100.0));
    let points = |v: &serde_json::Value| v.as_f64().map_or(V::Empty, V::Num);
    let kpis: Vec<Vec<V>> = crate::baseline::KPIS
        .iter()
        .filter_map(|k| {
            let r = b["kpis"].get(k.key)?;
            Some(vec![
                text(k.label),
                count(&r["before"]),
                count(&r["after"]),
                signed(&r["change"]),
                fraction(&r["before_pct"]),
                fraction(&r["after_pct"]),
                points(&r["change_pp"]),
                text(r["trend"].as_str().unwrap_or_default().to_string()),
            ])
        })
        .collect();
    x.table(
        wb,
        "Progress",
        &[
            ("Figure", 40.0),
            ("Baseline", 11.0),
            ("Now", 11.0),
            ("Change", 10.0),
            ("Baseline %", 11.0),
            ("Now %", 11.0),
            ("Change (points)", 13.0),
            ("Trend", 10.0),
        ],
        &kpis,
        "",
    )?;
    let statuses: Vec<Vec<V>> = b["statuses"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            let t = |k: &str| text(s[k].as_str().unwrap_or_default().to_string());
            vec![t("id"), t("title"), t("before"), t("after"), t("trend")]
        })
        .collect();
    x.table(
        wb,
        "Progress statuses",
        &[
            ("ID", 26.0),
            ("Recommendation or finding", 60.0),
            ("Baseline", 14.0),
            ("Now", 14.0),
            ("Trend", 10.0),
        ],
        &statuses,
        "",
    )?;
    let sms = &b["sms_voice"];
    let sms_rows: Vec<Vec<V>> = [
        (
            "Retirement of Microsoft-provided SMS and voice",
            "retirement",
        ),
        ("Days left", "days_left"),
        ("Phone-only users at the baseline", "phone_only_before"),
        ("Phone-only users now", "phone_only_after"),
        ("Phone-only then and still now", "phone_only_remaining"),
        ("Phone-only then, not now", "phone_only_resolved"),
        ("Phone-only now, not then", "phone_only_since"),
        ("Change per day since the baseline", "change_per_day"),
        (
            "Decrease per day needed to reach zero in time",
            "needed_per_day",
        ),
        ("Projected day with no phone-only user", "projected_clear"),
        ("On track", "on_track"),
    ]
    .iter()
    .map(|(label, key)| {
        let v = &sms[*key];
        let cell = match v {
            serde_json::Value::Number(n) => n.as_f64().map_or(V::Empty, V::Num),
            serde_json::Value::String(t) => text(t.clone()),
            serde_json::Value::Bool(t) => text(if *t { "yes" } else { "no" }),
            _ => V::Empty,
        };
        vec![text(*label), cell]
    })
    .collect();
    x.table(
        wb,
        "Progress SMS voice",
        &[
            ("Phone-only users and the SMS/voice retirement", 50.0),
            ("Value", 14.0),
        ],
        &sms_rows,
        "",
    )?;
    if let Some(users) = shown["users"].as_object() {
        let by_change: Vec<Vec<V>> = users["by_change"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                vec![
                    text(c["label"].as_str().unwrap_or_default().to_string()),
                    text(c["key"].as_str().unwrap_or_default().to_string()),
                    count(&c["n"]),
                    fraction(&c["pct"]),
                ]
            })
            .collect();
        x.table(
            wb,
            "Progress users",
            &[
                ("Change since the baseline", 40.0),
                ("change_since_baseline", 22.0),
                ("Users", 10.0),
                ("Share", 10.0),
            ],
            &by_change,
            "",
        )?;
        let mut named: Vec<Vec<V>> = Vec::new();
        for (list, what) in [
            ("regressions", "went backwards"),
            ("newly_capable", "newly MFA capable"),
        ] {
            for e in users[list].as_array().into_iter().flatten() {
                let t = |k: &str| text(e[k].as_str().unwrap_or_default().to_string());
                let lost: Vec<&str> = e["lost"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m.as_str())
                    .collect();
                named.push(vec![
                    text(what),
                    t("upn"),
                    t("name"),
                    t("change"),
                    t("tier_before"),
                    t("tier_after"),
                    text(lost.join(", ")),
                ]);
            }
        }
        x.table(
            wb,
            "Progress named users",
            &[
                ("List", 18.0),
                ("User", 36.0),
                ("Display name", 26.0),
                ("Change", 30.0),
                ("Tier at the baseline", 22.0),
                ("Tier now", 22.0),
                ("Methods lost", 40.0),
            ],
            &named,
            "No user went backwards or became MFA capable.",
        )?;
    }
    if let Some(matrix) = b["tier_matrix"].as_object() {
        let columns: Vec<String> = matrix
            .values()
            .next()
            .and_then(|r| r.as_object())
            .map(|r| r.keys().cloned().collect())
            .unwrap_or_default();
        let mut header: Vec<(&str, f64)> = vec![("From (baseline) \\ to (now)", 26.0)];
        header.extend(columns.iter().map(|c| (c.as_str(), 14.0)));
        let rows: Vec<Vec<V>> = matrix
            .iter()
            .map(|(from, to)| {
                let mut row = vec![text(from.clone())];
                row.extend(columns.iter().map(|c| count(&to[c.as_str()])));
                row
            })
            .collect();
        x.table(wb, "Tier transitions", &header, &rows, "")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_clipped_to_a_cell_with_a_note() {
        let w = Writer::new();
        let short = "a".repeat(MAX_CELL_CHARS);
        assert!(matches!(w.clip(&short), Cow::Borrowed(_)));
        assert_eq!(w.clipped.get(), 0);
        // Characters outside the BMP take two UTF-16 units each: Excel's limit counts units.
        for long in ["b".repeat(40_000), "😀".repeat(20_000)] {
            let clipped = w.clip(&long);
            let units = clipped.encode_utf16().count();
            assert!(units <= MAX_CELL_CHARS, "{units}");
            assert!(units > MAX_CELL_CHARS - CLIP_NOTE_ROOM, "{units}");
            assert!(clipped.contains("more characters left out"));
        }
        assert_eq!(w.clipped.get(), 2);
        let emoji = w.clip(&"😀".repeat(20_000)).into_owned();
        let kept = emoji.chars().take_while(|c| *c == '😀').count();
        assert!(emoji.contains(&format!("[{} more characters", 20_000 - kept)));
    }

    #[test]
    fn dates_and_times_become_excel_dates_only_when_exact() {
        assert!(day_cell("2026-11-20").is_some());
        assert!(day_cell("20/11/2026").is_none());
        assert!(time_cell("2026-11-01T00:00:00Z").is_some());
        assert!(time_cell("2026-11-01T00:00:00.5Z").is_none());
        assert!(time_cell("yesterday").is_none());
    }

    #[test]
    fn action_sheets_are_named_in_order() {
        assert_eq!(action_sheet_name(0), "Actions");
        assert_eq!(action_sheet_name(1), "Actions (2)");
        assert_eq!(action_sheet_name(9), "Actions (10)");
    }
}
