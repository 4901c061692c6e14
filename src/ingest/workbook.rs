//! Excel workbooks (`.xlsx`): an export opened in Excel and saved as a workbook. A workbook is
//! recognized by its content (a `.zip` holding `xl/workbook.xml`), not its name. Each worksheet
//! becomes CSV text, cell by cell, and is then read like a CSV file of its own, named
//! `book.xlsx [Sheet1]`: detection by header, every variant, every check. Rows above the table
//! become blank lines, so line numbers in messages are the sheet's row numbers (as long as no
//! cell holds a line break).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::error::InputError;

/// Most bytes the parts of one workbook may expand to: Excel's largest sheet (1,048,576 rows)
/// of an export stays well below this, a decompression bomb does not.
pub const MAX_EXPANDED_BYTES: u64 = 2 << 30;

/// Whether `bytes` are an Office Open XML workbook (`.xlsx`, `.xlsm`).
pub fn is_workbook(bytes: &[u8]) -> bool {
    super::archive::is_zip(bytes)
        && zip::ZipArchive::new(Cursor::new(bytes)).is_ok_and(|z| {
            z.file_names()
                .any(|n| n.is_ok_and(|n| n == "xl/workbook.xml"))
        })
}

/// One worksheet, as CSV text or the reason it gives none.
pub enum Sheet {
    Csv { name: String, text: String },
    Skipped { name: String, reason: String },
}

/// The worksheets of the workbook `bytes` (named `book` in messages), in workbook order.
pub fn sheets(book: &str, bytes: Vec<u8>) -> Result<Vec<Sheet>, InputError> {
    let unreadable = |e: String| {
        InputError::in_file(book, format!("is not a readable Excel workbook ({e})"))
            .hint("open it in Excel and save it again, or save the sheet as \"CSV UTF-8\"")
    };
    let expanded: u64 = {
        let mut zip =
            zip::ZipArchive::new(Cursor::new(&bytes)).map_err(|e| unreadable(e.to_string()))?;
        (0..zip.len())
            .filter_map(|i| zip.by_index_raw(i).ok().map(|f| f.size()))
            .sum()
    };
    if expanded > MAX_EXPANDED_BYTES {
        return Err(InputError::in_file(
            book,
            format!(
                "workbook expands to more than {MAX_EXPANDED_BYTES} bytes: refused as a possible decompression bomb"
            ),
        )
        .hint("save the sheet as \"CSV UTF-8\" and pass that file"));
    }
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let mut out = Vec::new();
    for sheet in workbook.sheet_names() {
        let name = format!("{book} [{sheet}]");
        match workbook.worksheet_range(&sheet) {
            Ok(range) if range.is_empty() => out.push(Sheet::Skipped {
                name,
                reason: "empty worksheet".into(),
            }),
            Ok(range) => {
                let top = range.start().map_or(0, |(row, _)| row as usize);
                let mut text = "\n".repeat(top);
                let mut w = csv::WriterBuilder::new()
                    .flexible(true)
                    .from_writer(Vec::new());
                for row in range.rows() {
                    w.write_record(row.iter().map(cell_text))
                        .map_err(|e| unreadable(e.to_string()))?;
                }
                let csv = w.into_inner().map_err(|e| unreadable(e.to_string()))?;
                // The writer was given `String`s: its output is UTF-8.
                text.push_str(&String::from_utf8_lossy(&csv));
                out.push(Sheet::Csv { name, text });
            }
            Err(e) => out.push(Sheet::Skipped {
                name,
                reason: format!("worksheet cannot be read ({e})"),
            }),
        }
    }
    Ok(out)
}

/// A cell as the export wrote it: text as is, whole numbers without a fraction, `True`/`False`,
/// dates in ISO 8601 (Excel keeps no time zone; exports are in UTC), errors as Excel shows them.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(true) => "True".into(),
        Data::Bool(false) => "False".into(),
        Data::DateTime(dt) if dt.is_duration() => dt.as_f64().to_string(),
        Data::DateTime(dt) => {
            let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
            if ms == 0 {
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
            } else {
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z")
            }
        }
        Data::Error(e) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType};

    #[test]
    fn cells_read_as_the_export_wrote_them() {
        assert_eq!(cell_text(&Data::Float(50126.0)), "50126");
        assert_eq!(cell_text(&Data::Float(0.5)), "0.5");
        assert_eq!(cell_text(&Data::Bool(true)), "True");
        assert_eq!(cell_text(&Data::Empty), "");
        // 2025-10-13 12:59:02.400 and 2026-09-22 18:49:13 as Excel serial numbers.
        let at = |v| Data::DateTime(ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false));
        assert_eq!(cell_text(&at(45943.541)), "2025-10-13T12:59:02.400Z");
        let serial = 46287.0 + (18.0 * 3600.0 + 49.0 * 60.0 + 13.0) / 86400.0;
        assert_eq!(cell_text(&at(serial)), "2026-09-22T18:49:13Z");
        assert_eq!(cell_text(&Data::Error(CellErrorType::NA)), "#N/A");
    }

    #[test]
    fn a_plain_archive_is_no_workbook() {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            w.start_file("exports/a.csv", zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut w, b"x").unwrap();
            w.finish().unwrap();
        }
        assert!(!is_workbook(buf.get_ref()));
        assert!(!is_workbook(b"userPrincipalName\n"));
    }
}
