//! The per-user action list as CSV: UTF-8 with BOM so Excel opens it correctly, one row per user
//! with at least one action, highest priority first, every cell guarded against formula
//! injection.

use std::io::Write;

use polars::prelude::IntoLazy;

use super::{io, Exporter, Report};
use crate::analyze::actions;
use crate::error::Result;
use crate::methods::Tier;

pub struct ActionsCsv;

pub const HEADER: [&str; 24] = [
    "priority",
    "user_principal_name",
    "display_name",
    "user_type",
    "admin",
    "tier",
    "methods",
    "default_method",
    "action_codes",
    "actions",
    "signin_class",
    "signins",
    "successful_signins",
    "single_factor_signins",
    "mfa_methods_used",
    "first_registration",
    "last_registration",
    "audit_events",
    "department",
    "country",
    "account_enabled",
    "admin_roles",
    "scope",
    "scope_reason",
];

/// With `--baseline` exports, the last column: how the user changed since the baseline.
pub const CHANGE_COLUMN: &str = "change_since_baseline";

/// Neutralize a cell that a spreadsheet would read as a formula: a leading `=`, `+`, `-`, `@`,
/// tab or carriage return gets a leading apostrophe (OWASP CSV injection guidance).
pub fn guard(cell: &str) -> std::borrow::Cow<'_, str> {
    // The first byte tells: every one of these characters is a single byte in UTF-8.
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Every user with the same columns as the action list, sorted by UPN; the first column gives
/// the number of the user's most urgent action rule (empty when there is none).
pub struct UsersCsv;

impl Exporter for ActionsCsv {
    fn name(&self) -> &'static str {
        "actions CSV"
    }

    fn lists_inputs(&self) -> bool {
        false
    }

    fn write(&self, report: &Report, out: &mut dyn Write) -> Result<()> {
        write_users(report, &report.analysis.actions, HEADER[0], out)
    }
}

impl Exporter for UsersCsv {
    fn name(&self) -> &'static str {
        "users CSV"
    }

    fn lists_inputs(&self) -> bool {
        false
    }

    fn write(&self, report: &Report, out: &mut dyn Write) -> Result<()> {
        let frame = actions::users_frame(report.analysis.per_user.clone().lazy())
            .map_err(crate::error::Error::from)?;
        write_users(report, &frame, "first_action_rule", out)
    }
}

/// Rows formatted per batch by each worker thread: small enough to keep memory flat, large
/// enough that starting threads costs nothing measurable.
const ROWS_PER_CHUNK: usize = 16_384;

/// Write one row per user of `frame` (columns of `actions::actions_frame`). The first column is
/// the row's rank when `first` is `priority`, else the 1-based number of its first action rule.
/// Rows are formatted in parallel chunks and written in order: on a million users this is
/// hundreds of megabytes of text.
fn write_users(
    report: &Report,
    frame: &polars::prelude::DataFrame,
    first: &str,
    out: &mut dyn Write,
) -> Result<()> {
    out.write_all(b"\xEF\xBB\xBF").map_err(io)?;
    let mut header = HEADER.to_vec();
    header[0] = first;
    let rows = Rows::new(report, frame, first == HEADER[0])?;
    if rows.change.is_some() {
        header.push(CHANGE_COLUMN);
    }
    // The header row is put down by the same rules as every other row.
    let mut line = Vec::new();
    put_row(&mut line, &header);
    out.write_all(&line).map_err(io)?;

    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let height = frame.height();
    // Buffers written out are formatted into again: a fresh one per chunk would be memory
    // the system hands out and clears anew each time.
    let mut spare: Vec<Vec<u8>> = Vec::new();
    let write = |out: &mut dyn Write,
                 parts: Vec<Result<Vec<u8>>>,
                 spare: &mut Vec<Vec<u8>>|
     -> Result<()> {
        for part in parts {
            let mut part = part?;
            out.write_all(&part).map_err(io)?;
            part.clear();
            spare.push(part);
        }
        Ok(())
    };
    // Each batch is formatted while the one before it is written.
    let mut formatted: Vec<Result<Vec<u8>>> = Vec::new();
    let mut start = 0;
    while start < height {
        let ranges = batch(start, height, workers, ROWS_PER_CHUNK);
        start = ranges.last().map_or(height, |r| r.end);
        let previous = std::mem::take(&mut formatted);
        let buffers: Vec<Vec<u8>> = ranges
            .iter()
            .map(|_| spare.pop().unwrap_or_default())
            .collect();
        formatted = std::thread::scope(|scope| -> Result<_> {
            let rows = &rows;
            let handles: Vec<_> = ranges
                .iter()
                .zip(buffers)
                .map(|(r, buffer)| scope.spawn(move || rows.format(r.clone(), buffer)))
                .collect();
            write(out, previous, &mut spare)?;
            Ok(handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(crate::error::Error::Internal(
                            "formatting the CSV rows failed".into(),
                        ))
                    })
                })
                .collect())
        })?;
    }
    write(out, formatted, &mut spare)?;
    out.flush().map_err(io)?;
    Ok(())
}

/// The row ranges of the batch that starts at `start`: up to `workers` consecutive chunks of
/// `chunk` rows, none empty, together in order.
fn batch(start: usize, height: usize, workers: usize, chunk: usize) -> Vec<std::ops::Range<usize>> {
    (0..workers)
        .map(|k| {
            let a = (start + k * chunk).min(height);
            a..(a + chunk).min(height)
        })
        .filter(|r| !r.is_empty())
        .collect()
}

/// The columns of an action frame, ready to format rows from any thread.
pub(super) struct Rows {
    ranked: bool,
    /// Without sign-in logs the sign-in columns stay empty rather than claiming zero.
    have_signins: bool,
    priority: Col<polars::prelude::UInt32Type>,
    upn: Col<polars::prelude::StringType>,
    name: Col<polars::prelude::StringType>,
    guest: Col<polars::prelude::BooleanType>,
    user_type: Col<polars::prelude::StringType>,
    admin: Col<polars::prelude::BooleanType>,
    tier: Col<polars::prelude::UInt32Type>,
    methods: Col<polars::prelude::StringType>,
    default: Col<polars::prelude::StringType>,
    bits: Col<polars::prelude::UInt32Type>,
    class: Col<polars::prelude::StringType>,
    signins: Col<polars::prelude::UInt32Type>,
    successes: Col<polars::prelude::UInt32Type>,
    single: Col<polars::prelude::UInt32Type>,
    used: Col<polars::prelude::StringType>,
    first_reg: Col<polars::prelude::StringType>,
    last_reg: Col<polars::prelude::StringType>,
    events: Col<polars::prelude::StringType>,
    department: Col<polars::prelude::StringType>,
    country: Col<polars::prelude::StringType>,
    enabled: Col<polars::prelude::BooleanType>,
    roles: Col<polars::prelude::StringType>,
    scope: Col<polars::prelude::StringType>,
    scope_reason: Col<polars::prelude::StringType>,
    /// `change_since_baseline` per row (`--baseline` with exports).
    change: Option<Vec<&'static str>>,
    /// Codes and texts per distinct combination of action rules, built once.
    texts: std::collections::HashMap<u32, ActionTexts, crate::ingest::signin_table::FastHash>,
}

/// A column of [`Rows`]: every row's value, or one value for every row.
pub(super) struct Col<T: polars::prelude::PolarsDataType> {
    values: polars::prelude::ChunkedArray<T>,
    /// `values` holds one value, the same for every row.
    same: bool,
}

impl<T: polars::prelude::PolarsDataType> Col<T> {
    /// Column `name` of `frame`, read as its type by `typed` (`Series::u32`, …).
    fn of(
        frame: &polars::prelude::DataFrame,
        name: &str,
        typed: fn(
            &polars::prelude::Series,
        ) -> polars::prelude::PolarsResult<&polars::prelude::ChunkedArray<T>>,
    ) -> Result<Self> {
        let column = frame.column(name).map_err(crate::error::Error::from)?;
        let (series, same) = match column.as_scalar_column() {
            // One value for every row (a column of an export that was not given): kept as
            // that value, not a million copies of it.
            Some(scalar) => (scalar.as_single_value_series(), true),
            // One chunk per column: row lookups by index are then direct.
            None => (column.as_materialized_series().rechunk(), false),
        };
        Ok(Col {
            values: typed(&series)?.clone(),
            same,
        })
    }

    fn get(&self, i: usize) -> Option<T::Physical<'_>> {
        self.values.get(if self.same { 0 } else { i })
    }
}

impl Rows {
    /// `ranked`: the first column is the row's rank (the action list); else the number of the
    /// user's first action rule (the users list).
    pub(super) fn new(
        report: &Report,
        frame: &polars::prelude::DataFrame,
        ranked: bool,
    ) -> Result<Self> {
        let u32s = |name: &str| Col::of(frame, name, polars::prelude::Series::u32);
        let strs = |name: &str| Col::of(frame, name, polars::prelude::Series::str);
        let bools = |name: &str| Col::of(frame, name, polars::prelude::Series::bool);
        let bits = u32s("action_bits")?;
        let mut texts = std::collections::HashMap::default();
        let distinct: std::collections::BTreeSet<u32> = bits.values.iter().flatten().collect();
        for b in distinct {
            let rules: Vec<&actions::ActionRule> = actions::codes(b).collect();
            let codes = rules.iter().map(|r| r.code).collect::<Vec<_>>().join(" ");
            let text = rules.iter().map(|r| r.text).collect::<Vec<_>>().join(" | ");
            let mut csv = Vec::new();
            put_field(&mut csv, &codes);
            csv.push(b',');
            put_field(&mut csv, &text);
            texts.insert(b, ActionTexts { codes, text, csv });
        }
        Ok(Rows {
            ranked,
            have_signins: report.analysis.signins.is_some(),
            priority: u32s("priority")?,
            upn: strs("upn")?,
            name: strs("display_name")?,
            guest: bools("is_guest")?,
            user_type: strs("user_type")?,
            admin: bools("is_admin")?,
            tier: u32s("tier_rank")?,
            methods: strs("methods_text")?,
            default: strs("default_method")?,
            bits,
            class: strs("signin_class")?,
            signins: u32s("signins")?,
            successes: u32s("successes")?,
            single: u32s("single_factor_successes")?,
            used: strs("mfa_used")?,
            first_reg: strs("first_registration")?,
            last_reg: strs("last_registration")?,
            events: strs("audit_events")?,
            department: strs("department")?,
            country: strs("country")?,
            enabled: bools("account_enabled")?,
            roles: strs("admin_roles")?,
            scope: strs("scope")?,
            scope_reason: strs("scope_reason")?,
            change: match report.baseline {
                Some(b) => b.change_column(&report.analysis.per_user, frame)?,
                None => None,
            },
            texts,
        })
    }

    /// Row `i` in the columns of [`HEADER`], typed: the CSV writes every cell as text, the
    /// workbook numbers as numbers and times as dates.
    pub(super) fn cells(&self, i: usize) -> [Cell<'_>; HEADER.len()] {
        let b = self.bits.get(i).unwrap_or(0);
        let (codes, actions_text) = self
            .texts
            .get(&b)
            .map_or(("", ""), |t| (t.codes.as_str(), t.text.as_str()));
        let kind = self
            .user_type
            .get(i)
            .unwrap_or(if self.guest.get(i) == Some(true) {
                "guest"
            } else {
                "member"
            });
        let first = if self.ranked {
            Some(i as u64 + 1)
        } else {
            self.priority.get(i).map(|p| u64::from(p) + 1)
        };
        // Without sign-in logs the sign-in columns stay empty rather than claiming zero.
        let signins =
            |v: Option<u32>| Cell::Count(self.have_signins.then(|| u64::from(v.unwrap_or(0))));
        fn text(v: Option<&str>) -> Cell<'_> {
            Cell::Text(v.unwrap_or_default())
        }
        let yes_no = |v: Option<bool>, none: &'static str| {
            Cell::Text(match v {
                Some(true) => "yes",
                Some(false) => "no",
                None => none,
            })
        };
        [
            Cell::Count(first),
            text(self.upn.get(i)),
            text(self.name.get(i)),
            Cell::Text(kind),
            yes_no(self.admin.get(i), "unknown"),
            Cell::Text(
                self.tier
                    .get(i)
                    .and_then(Tier::from_rank)
                    .map_or("unknown", |t| t.key()),
            ),
            Cell::Text(self.methods.get(i).unwrap_or("unknown")),
            Cell::Text(self.default.get(i).unwrap_or("unknown")),
            Cell::Text(codes),
            Cell::Text(actions_text),
            text(self.class.get(i)),
            signins(self.signins.get(i)),
            signins(self.successes.get(i)),
            signins(self.single.get(i)),
            text(self.used.get(i)),
            Cell::Time(self.first_reg.get(i)),
            Cell::Time(self.last_reg.get(i)),
            text(self.events.get(i)),
            text(self.department.get(i)),
            text(self.country.get(i)),
            yes_no(self.enabled.get(i), ""),
            text(self.roles.get(i)),
            text(self.scope.get(i)),
            text(self.scope_reason.get(i)),
        ]
    }

    /// Whether the rows have the `change_since_baseline` column.
    pub(super) fn has_change(&self) -> bool {
        self.change.is_some()
    }

    /// Row `i`'s change since the baseline, when the rows have that column.
    pub(super) fn change(&self, i: usize) -> Option<&'static str> {
        self.change.as_ref().map(|c| c[i])
    }

    /// The CSV text of rows `range`, every cell guarded, after what `buffer` holds: the same
    /// bytes the `csv` crate writes (fields quoted only when they hold a comma, a quote or a
    /// line break; CRLF after each row), put down directly.
    fn format(&self, range: std::ops::Range<usize>, mut buffer: Vec<u8>) -> Result<Vec<u8>> {
        buffer.reserve(range.len() * 400);
        let mut number = itoa::Buffer::new();
        for i in range {
            for (k, cell) in self.cells(i).into_iter().enumerate() {
                // The two action columns, long and of few values, were formatted once for
                // every row.
                if k == ACTION_CODES + 1 {
                    continue;
                }
                if k > 0 {
                    buffer.push(b',');
                }
                if k == ACTION_CODES {
                    let b = self.bits.get(i).unwrap_or(0);
                    match self.texts.get(&b) {
                        Some(t) => buffer.extend_from_slice(&t.csv),
                        None => buffer.push(b','),
                    }
                    continue;
                }
                let value = match cell {
                    Cell::Text(s) | Cell::Time(Some(s)) => s,
                    Cell::Count(Some(n)) => number.format(n),
                    Cell::Count(None) | Cell::Time(None) => "",
                };
                put_field(&mut buffer, value);
            }
            if let Some(change) = self.change(i) {
                buffer.push(b',');
                put_field(&mut buffer, change);
            }
            buffer.extend_from_slice(b"\r\n");
        }
        Ok(buffer)
    }
}

/// Append one CSV row of text fields (each as [`put_field`] puts it down), ending in CRLF.
fn put_row(out: &mut Vec<u8>, fields: &[impl AsRef<str>]) {
    for (k, field) in fields.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        put_field(out, field.as_ref());
    }
    out.extend_from_slice(b"\r\n");
}

/// Append one CSV field: [`guard`]ed, and quoted (quotes doubled) when it holds a comma, a
/// quote or a line break, as the `csv` crate's writer does.
fn put_field(out: &mut Vec<u8>, value: &str) {
    let value = guard(value);
    let value = value.as_bytes();
    if !needs_quotes(value) {
        out.extend_from_slice(value);
        return;
    }
    out.push(b'"');
    let mut from = 0;
    while let Some(q) = memchr::memchr(b'"', &value[from..]) {
        out.extend_from_slice(&value[from..=from + q]);
        out.push(b'"');
        from += q + 1;
    }
    out.extend_from_slice(&value[from..]);
    out.push(b'"');
}

/// Whether `value` holds a comma, a quote, a carriage return or a line feed, tested sixteen
/// bytes at a time with vector compares.
#[cfg(target_arch = "x86_64")]
#[inline]
fn needs_quotes(value: &[u8]) -> bool {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of x86-64 itself; every load reads 16 bytes of a 16-byte array.
    let special = |chunk: &[u8; 16]| unsafe {
        let v = _mm_loadu_si128(chunk.as_ptr() as *const __m128i);
        let hit = _mm_or_si128(
            _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b',' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)),
            ),
            _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)),
            ),
        );
        _mm_movemask_epi8(hit) != 0
    };
    if value.len() < 16 {
        // Short values (most cells): every byte looked at, no early exit, no copy.
        return value.iter().fold(false, |any, &b| {
            any | matches!(b, b',' | b'"' | b'\r' | b'\n')
        });
    }
    let mut chunks = value.chunks_exact(16);
    for chunk in &mut chunks {
        if special(chunk.try_into().expect("16 bytes")) {
            return true;
        }
    }
    // The last bytes, as the last 16 (some looked at twice).
    !chunks.remainder().is_empty()
        && special(value[value.len() - 16..].try_into().expect("16 bytes"))
}

/// Whether `value` holds a comma, a quote, a carriage return or a line feed.
#[cfg(not(target_arch = "x86_64"))]
fn needs_quotes(value: &[u8]) -> bool {
    value
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

/// The action codes of a combination of action rules, their texts, and both as CSV fields.
struct ActionTexts {
    codes: String,
    text: String,
    /// `codes` and `text` guarded and quoted as [`put_field`] writes them, with the comma
    /// between.
    csv: Vec<u8>,
}

/// Position of `action_codes` in [`HEADER`]; `actions` follows it.
const ACTION_CODES: usize = 8;

/// One value of a per-user row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Cell<'a> {
    Text(&'a str),
    /// A count or rank; `None`: empty.
    Count(Option<u64>),
    /// An RFC 3339 time; `None`: empty.
    Time(Option<&'a str>),
}

#[cfg(test)]
mod tests {
    use super::{batch, guard, put_row};

    #[test]
    fn batches_cover_every_row_once_in_order() {
        for (height, workers, chunk) in [(0, 2, 3), (1, 2, 3), (10, 2, 3), (12, 3, 4), (7, 1, 100)]
        {
            let mut rows = Vec::new();
            let mut start = 0;
            while start < height {
                let ranges = batch(start, height, workers, chunk);
                assert!(!ranges.is_empty() && ranges.len() <= workers);
                assert!(ranges.iter().all(|r| r.len() <= chunk && !r.is_empty()));
                start = ranges.last().unwrap().end;
                rows.extend(ranges.into_iter().flatten());
            }
            assert_eq!(
                rows,
                (0..height).collect::<Vec<_>>(),
                "{height} {workers} {chunk}"
            );
        }
    }

    #[test]
    fn fields_are_written_as_the_csv_crate_writes_them() {
        let alphabet = [
            "a", "é", ",", "\"", "\r", "\n", "=", "+", "-", "@", "\t", " ", "'", ";",
        ];
        let mut x = 99u64;
        let mut values: Vec<String> = vec![String::new(), "=1+1".into(), "\"=x\"".into()];
        for len in 0..400 {
            let mut v = String::new();
            for _ in 0..len % 9 {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                v.push_str(alphabet[(x >> 33) as usize % alphabet.len()]);
            }
            values.push(v);
        }
        for row in values.chunks_exact(3) {
            let mut w = ::csv::WriterBuilder::new()
                .terminator(::csv::Terminator::CRLF)
                .from_writer(Vec::new());
            for v in row {
                w.write_field(guard(v).as_bytes()).unwrap();
            }
            w.write_record(None::<&[u8]>).unwrap();
            let expected = w.into_inner().unwrap();
            let mut got = Vec::new();
            put_row(&mut got, row);
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&expected),
                "{row:?}"
            );
        }
    }

    #[test]
    fn quotes_are_needed_exactly_for_commas_quotes_and_line_breaks() {
        for len in 0..40 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut v = vec![b'x'; len];
                    v[at] = b;
                    assert_eq!(
                        super::needs_quotes(&v),
                        matches!(b, b',' | b'"' | b'\r' | b'\n'),
                        "byte {b} at {at} of {len}"
                    );
                }
            }
        }
        assert!(!super::needs_quotes(b""));
    }

    #[test]
    fn the_action_columns_are_where_the_rows_put_them() {
        assert_eq!(super::HEADER[super::ACTION_CODES], "action_codes");
        assert_eq!(super::HEADER[super::ACTION_CODES + 1], "actions");
    }

    #[test]
    fn formula_prefixes_are_neutralized() {
        for hostile in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(guard(hostile).starts_with('\''), "{hostile:?}");
        }
        assert_eq!(guard("alice@contoso.example"), "alice@contoso.example");
        assert_eq!(guard(""), "");
    }
}
