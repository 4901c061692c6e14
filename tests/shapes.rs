//! Real-world file shapes: what Excel, zipping, truncation and hand edits do to an export, and
//! what the report makes of each: the same figures as the clean file, or a row or file left out
//! with a reason that names the file and line, or a clear error. Never a panic.
//!
//! Every shape is built in the test from the portal registration fixture (`a-portal.csv`,
//! 11 users) or from a few hand-written rows, so the expected outcome is visible here.

mod common;

use std::path::{Path, PathBuf};

use common::{fixture, run, try_run};
use serde_json::Value;

const HEADER: &str = "userPrincipalName,userDisplayName,isMfaCapable,isPasswordlessCapable,isSsprCapable,defaultMfaMethod,methodsRegistered,lastUpdatedDateTime";

/// A registration row of a user who is not MFA capable and has no method.
fn row(upn: &str, name: &str, updated: &str) -> String {
    format!("{upn},{name},False,False,False,none,[],{updated}")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The clean fixture's text, without its BOM.
fn portal_text() -> String {
    std::fs::read_to_string(fixture("registration/a-portal.csv"))
        .unwrap()
        .trim_start_matches('\u{feff}')
        .to_string()
}

/// Encode text as Windows-1252 (the characters used here all have a single-byte form).
fn to_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0x80,
            '–' => 0x96,
            c if (c as u32) < 0x100 && !(0x80..0xA0).contains(&(c as u32)) => c as u8,
            c => panic!("{c:?} has no Windows-1252 byte in this test"),
        })
        .collect()
}

fn registration(j: &Value) -> &Value {
    &j["registration"]
}

fn users_csv_row(users: &str, upn: &str) -> csv::StringRecord {
    let text = users.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[1] == upn)
        .unwrap_or_else(|| panic!("{upn} not in the users CSV"))
}

#[test]
fn excel_ansi_save_is_read_as_windows_1252() {
    let dir = tempfile::tempdir().unwrap();
    let clean = run(&[fixture("registration/a-portal.csv")], None).json;
    // The same export with one name in accented Latin, saved by Excel as "CSV (Comma delimited)"
    // (which turns characters the code page lacks, such as CJK, into "?").
    let text: String = portal_text()
        .replace("Alice Admin", "Zoë Sørensen – 5 €")
        .chars()
        .map(|c| {
            if (c as u32) > 0xFF && !"€–".contains(c) {
                '?'
            } else {
                c
            }
        })
        .collect();
    let path = write(dir.path(), "registration.csv", &to_1252(&text));
    let out = run(&[path], None);
    assert_eq!(registration(&out.json), registration(&clean));
    let input = &out.json["inputs"][0];
    assert_eq!(input["encoding"], "Windows-1252");
    assert!(input["problems"][0]
        .as_str()
        .unwrap()
        .starts_with("read as Windows-1252"));
    let alice = users_csv_row(&out.users, "alice@contoso.example");
    assert_eq!(&alice[2], "Zoë Sørensen – 5 €");
}

#[test]
fn windows_1252_found_past_the_first_megabyte_is_read_whole() {
    // Large files are streamed as UTF-8; the first non-UTF-8 byte comes after the part that
    // decided so (1 MiB), and the file is read again, whole, as Windows-1252.
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!("{HEADER}\n");
    let users = 14_000;
    for i in 0..users {
        text.push_str(&row(
            &format!("user{i}@contoso.example"),
            &format!("User {i}"),
            "2026-09-22T18:49:13Z",
        ));
        text.push('\n');
    }
    assert!(text.len() > 1 << 20);
    text.push_str(&row("zoe@contoso.example", "Zoë", "2026-09-22T18:49:13Z"));
    text.push('\n');
    let path = write(dir.path(), "registration.csv", &to_1252(&text));
    let out = run(&[path], None);
    assert_eq!(out.json["inputs"][0]["encoding"], "Windows-1252");
    assert_eq!(out.json["inputs"][0]["rows"], users + 1);
    assert_eq!(registration(&out.json)["users"], users + 1);
    assert_eq!(&users_csv_row(&out.users, "zoe@contoso.example")[2], "Zoë");
}

#[test]
fn damaged_utf8_is_refused_not_guessed() {
    // Valid UTF-8 ("é") next to a byte no UTF-8 text holds: neither encoding fits.
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = format!(
        "{HEADER}\n{}\n",
        row("a@contoso.example", "Café", "2026-09-22T18:49:13Z")
    )
    .into_bytes();
    bytes.extend(b"b@contoso.example,B\xFF,False,False,False,none,[],2026-09-22T18:49:13Z\n");
    let path = write(dir.path(), "damaged.csv", &bytes);
    let err = try_run(&[path], true).err().unwrap();
    assert!(err.contains("damaged.csv"), "{err}");
    assert!(err.contains("not Windows-1252"), "{err}");
    assert!(err.contains("CSV UTF-8"), "{err}");
}

#[test]
fn utf16_with_bom_gives_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let clean = run(&[fixture("registration/a-portal.csv")], None).json;
    for (name, bom, unit) in [
        (
            "le.csv",
            [0xFF, 0xFE],
            u16::to_le_bytes as fn(u16) -> [u8; 2],
        ),
        (
            "be.csv",
            [0xFE, 0xFF],
            u16::to_be_bytes as fn(u16) -> [u8; 2],
        ),
    ] {
        let bytes: Vec<u8> = bom
            .into_iter()
            .chain(portal_text().encode_utf16().flat_map(unit))
            .collect();
        let out = run(&[write(dir.path(), name, &bytes)], None);
        assert_eq!(registration(&out.json), registration(&clean), "{name}");
    }
}

#[test]
fn excel_us_dates_are_read_and_day_first_dates_refused_with_the_place() {
    let dir = tempfile::tempdir().unwrap();
    // Excel (en-US) rewrites ISO timestamps as M/d/yyyy h:mm, with or without AM/PM.
    let text = format!(
        "{HEADER}\n{}\n{}\n",
        row("a@contoso.example", "A", "9/22/2026 18:49"),
        row("b@contoso.example", "B", "9/22/2026 6:49 PM"),
    );
    let out = run(&[write(dir.path(), "us.csv", text.as_bytes())], None);
    assert_eq!(registration(&out.json)["users"], 2);
    // Day first (en-GB, fr-FR): 22/09 is no month/day; refused rather than guessed.
    let text = format!(
        "{HEADER}\n{}\n",
        row("a@contoso.example", "A", "22/09/2026 18:49")
    );
    let err = try_run(&[write(dir.path(), "gb.csv", text.as_bytes())], true)
        .err()
        .unwrap();
    assert!(err.contains("gb.csv:2"), "{err}");
    assert!(err.contains("lastUpdatedDateTime"), "{err}");
    assert!(err.contains("22/09/2026 18:49"), "{err}");
}

#[test]
fn truncated_last_line_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = portal_text();
    // The download stopped inside a quoted field of a new row.
    text.push_str("zed@contoso.example,\"Zed Trunc");
    let path = write(dir.path(), "truncated.csv", text.as_bytes());
    let err = try_run(std::slice::from_ref(&path), true).err().unwrap();
    let lines = portal_text().lines().count() + 1;
    assert!(
        err.contains(&format!(
            "truncated.csv:{lines}: row has 2 fields but the header has 8"
        )),
        "{err}"
    );
    assert!(err.contains("download it again"), "{err}");
    // Without --strict the file is left out with the same reason, and the report says so.
    let other = fixture("registration/b-graph-beta.csv");
    let out = try_run(&[path, other], false).unwrap();
    let skipped = &out.json["skipped_files"][0];
    assert!(skipped["path"].as_str().unwrap().ends_with("truncated.csv"));
    assert!(skipped["reason"]
        .as_str()
        .unwrap()
        .contains(&format!("line {lines}")));
}

#[test]
fn blank_lines_are_not_rows() {
    let dir = tempfile::tempdir().unwrap();
    let text = portal_text().replace('\n', "\n\n");
    let out = run(
        &[write(
            dir.path(),
            "blank.csv",
            format!("\n{text}\n\n").as_bytes(),
        )],
        None,
    );
    let clean = run(&[fixture("registration/a-portal.csv")], None).json;
    assert_eq!(registration(&out.json), registration(&clean));
}

#[test]
fn trailing_delimiters_are_ignored_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    // Every data row gains two empty fields, as a spreadsheet adds for a wider sheet.
    let mut lines = portal_text()
        .lines()
        .map(str::to_string)
        .collect::<Vec<_>>();
    for l in lines.iter_mut().skip(1) {
        l.push_str(",,");
    }
    let out = run(
        &[write(
            dir.path(),
            "trailing.csv",
            lines.join("\n").as_bytes(),
        )],
        None,
    );
    let clean = run(&[fixture("registration/a-portal.csv")], None).json;
    assert_eq!(registration(&out.json), registration(&clean));
    let data_rows = lines.len() - 1;
    let note = format!(
        "past the header's columns (extra delimiters, as spreadsheet programs add): {data_rows};"
    );
    assert!(
        out.json["inputs"][0]["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p.as_str().unwrap().contains(&note)),
        "{}",
        out.json["inputs"][0]
    );
}

#[test]
fn extra_or_missing_columns_refuse_a_registration_file_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bad_row, fields) in [
        (
            "extra.csv",
            format!(
                "{},surplus",
                row("x@contoso.example", "X", "2026-09-22T18:49:13Z")
            ),
            9,
        ),
        ("missing.csv", "x@contoso.example,X,False".to_string(), 3),
    ] {
        let text = format!(
            "{HEADER}\n{}\n{bad_row}\n",
            row("a@contoso.example", "A", "2026-09-22T18:49:13Z")
        );
        let err = try_run(&[write(dir.path(), name, text.as_bytes())], true)
            .err()
            .unwrap();
        assert!(
            err.contains(&format!(
                "{name}:3: row has {fields} fields but the header has 8"
            )),
            "{err}"
        );
    }
}

#[test]
fn sign_in_rows_with_extra_or_missing_columns_are_skipped_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let header = "Date (UTC),Request ID,User ID,Username,Status,Sign-in error code,Authentication requirement";
    let user = "00000001-0000-4000-8000-000000000001";
    let good = |id: &str| {
        format!("2026-09-20T10:00:00Z,{id},{user},alice@contoso.example,Success,0,Single-factor authentication")
    };
    let text = format!(
        "{header}\n{}\n{},surplus\n{},,\n2026-09-20T10:00:00Z,q4,{user}\n{}\n",
        good("q1"),
        good("q2"),
        good("q3"),
        good("q5"),
    );
    let signins = write(dir.path(), "InteractiveSignIns_shapes.csv", text.as_bytes());
    let out = run(&[fixture("registration/b-graph-beta.csv"), signins], None);
    let input = out.json["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["path"]
                .as_str()
                .unwrap()
                .ends_with("InteractiveSignIns_shapes.csv")
        })
        .unwrap()
        .clone();
    // q1, q3 (trailing empty fields) and q5 are read; q2 (text in an extra field) and q4
    // (three fields) are skipped, each with its line.
    assert_eq!(input["rows"], 3);
    assert_eq!(input["skipped_rows"], 2);
    assert_eq!(out.json["signins"]["rows"], 3);
    assert_eq!(out.json["signins"]["single_factor_success"], 3);
    let html = &out.html;
    assert!(html.contains("8 fields where the header has 7"), "line 3");
    assert!(html.contains("3 fields where the header has 7"), "line 5");
}

#[test]
fn quoted_line_breaks_stay_in_the_field_and_lines_stay_right() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEADER}\n{}\nc@contoso.example,C,Maybe,False,True,none,[],2026-09-22T18:49:13Z\n",
        row(
            "b@contoso.example",
            "\"Bob\nthe\r\nBuilder\"",
            "2026-09-22T18:49:13Z"
        )
    );
    // The bad value is on file line 5: the name spans lines 2–4.
    let err = try_run(&[write(dir.path(), "multiline.csv", text.as_bytes())], true)
        .err()
        .unwrap();
    assert!(
        err.contains("multiline.csv:5: column 'isMfaCapable': 'Maybe'"),
        "{err}"
    );
    let text = text.replace("Maybe", "True");
    let out = run(&[write(dir.path(), "multiline.csv", text.as_bytes())], None);
    assert_eq!(registration(&out.json)["users"], 2);
    assert_eq!(
        &users_csv_row(&out.users, "b@contoso.example")[2],
        "Bob\nthe\r\nBuilder"
    );
}

#[test]
fn a_ten_megabyte_field_is_read_and_shown_cut() {
    let dir = tempfile::tempdir().unwrap();
    let huge = "X".repeat(10 * 1024 * 1024);
    let text = format!(
        "{HEADER}\n{}\n{}\n",
        row("a@contoso.example", "A", "2026-09-22T18:49:13Z"),
        row("big@contoso.example", &huge, "2026-09-22T18:49:13Z"),
    );
    let out = run(&[write(dir.path(), "big.csv", text.as_bytes())], None);
    assert_eq!(registration(&out.json)["users"], 2);
    // The CSV keeps the value whole; the HTML shows its first 1,000 characters.
    assert_eq!(
        users_csv_row(&out.users, "big@contoso.example")[2].len(),
        huge.len()
    );
    assert!(
        out.html.len() < 1024 * 1024,
        "HTML is {} bytes",
        out.html.len()
    );
    let shown = format!("{}… ({} more characters)", "X".repeat(1000), "10,484,760");
    assert!(out.html.contains(&shown));
}

#[test]
fn a_nul_byte_deep_in_a_large_file_refuses_it_with_the_offset() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!("{HEADER}\n");
    for i in 0..14_000 {
        text.push_str(&row(
            &format!("user{i}@contoso.example"),
            "U",
            "2026-09-22T18:49:13Z",
        ));
        text.push('\n');
    }
    let offset = text.len() + 2;
    text.push_str("zz\0,Z,False,False,False,none,[],2026-09-22T18:49:13Z\n");
    let path = write(dir.path(), "nul.csv", text.as_bytes());
    let err = try_run(std::slice::from_ref(&path), true).err().unwrap();
    assert!(err.contains("nul.csv"), "{err}");
    assert!(
        err.contains(&format!("NUL byte at offset {offset}")),
        "{err}"
    );
}

#[test]
fn report_texts_are_never_cut() {
    // The cut is for values no export holds: the sample report's own texts stay whole.
    let out = run(
        &[
            fixture("registration/b-graph-beta.csv"),
            fixture("signins/InteractiveSignIns_2026-09-20_2026-09-23.csv"),
            fixture("audit/AuditLogs_2026-11-03.csv"),
        ],
        None,
    );
    assert!(!out.html.contains("more characters)"));
}

/// The CSV file `csv_path` as an Excel workbook: one sheet, the table starting at `top` (0-based
/// row), `True`/`False` as Excel booleans, and a second, empty sheet.
fn workbook_of(csv_path: &Path, top: u32) -> Vec<u8> {
    use rust_xlsxwriter::Workbook;
    let text = std::fs::read_to_string(csv_path).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (r, record) in reader.records().enumerate() {
        for (c, cell) in record.unwrap().iter().enumerate() {
            let (row, col) = (top + r as u32, c as u16);
            match cell {
                "True" => sheet.write_boolean(row, col, true).map(|_| ()),
                "False" => sheet.write_boolean(row, col, false).map(|_| ()),
                "" => Ok(()),
                text => sheet.write_string(row, col, text).map(|_| ()),
            }
            .unwrap();
        }
    }
    book.add_worksheet();
    book.save_to_buffer().unwrap()
}

#[test]
fn excel_workbooks_give_the_figures_of_their_csv() {
    let dir = tempfile::tempdir().unwrap();
    let reg_csv = fixture("registration/a-portal.csv");
    let signins = fixture("signins/InteractiveSignIns_2026-09-20_2026-09-23.csv");
    let clean = run(&[reg_csv.clone(), signins.clone()], None).json;
    let reg_book = workbook_of(&reg_csv, 2);
    let reg_path = write(dir.path(), "registration.xlsx", &reg_book);
    let signin_path = write(
        dir.path(),
        "InteractiveSignIns_2026-09-20_2026-09-23.xlsx",
        &workbook_of(&signins, 0),
    );
    let out = run(&[reg_path, signin_path], None);
    assert_eq!(registration(&out.json), registration(&clean));
    assert_eq!(out.json["signins"], clean["signins"]);
    // Each sheet read is an input with the workbook's own hash; the empty sheet is listed.
    let input = &out.json["inputs"][0];
    assert!(input["path"]
        .as_str()
        .unwrap()
        .ends_with("registration.xlsx [Sheet1]"));
    assert_eq!(input["encoding"], "Excel workbook");
    use sha2::Digest as _;
    let hash: String = sha2::Sha256::digest(&reg_book)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(input["sha256"], hash);
    let skipped = out.json["skipped_files"].as_array().unwrap();
    assert!(skipped.iter().any(|s| s["path"]
        .as_str()
        .unwrap()
        .ends_with("registration.xlsx [Sheet2]")
        && s["reason"] == "empty worksheet"));
}

#[test]
fn workbook_rows_and_dates_keep_their_place() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    // The table starts on row 3; the date is an Excel date, as Excel makes of a typed date.
    for (c, h) in HEADER.split(',').enumerate() {
        sheet.write_string(2, c as u16, h).unwrap();
    }
    let cells = [
        "a@contoso.example",
        "A",
        "False",
        "False",
        "False",
        "none",
        "[]",
    ];
    for (c, v) in cells.iter().enumerate() {
        sheet.write_string(3, c as u16, *v).unwrap();
    }
    let when = ExcelDateTime::parse_from_str("2026-09-22 18:49:13").unwrap();
    let format = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    sheet
        .write_datetime_with_format(3, 7, &when, &format)
        .unwrap();
    // Row 5 has a bad boolean: the message names the sheet's row.
    for (c, v) in [
        "b@contoso.example",
        "B",
        "Maybe",
        "False",
        "False",
        "none",
        "[]",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(4, c as u16, *v).unwrap();
    }
    sheet
        .write_datetime_with_format(4, 7, &when, &format)
        .unwrap();
    let path = write(dir.path(), "book.xlsx", &book.save_to_buffer().unwrap());
    let err = try_run(std::slice::from_ref(&path), true).err().unwrap();
    assert!(
        err.contains("book.xlsx [Sheet1]:5: column 'isMfaCapable': 'Maybe'"),
        "{err}"
    );
    // Inside a .zip archive too, and without the bad row, the date gives the as-of date.
    let good = {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in HEADER.split(',').enumerate() {
            sheet.write_string(0, c as u16, h).unwrap();
        }
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(1, c as u16, *v).unwrap();
        }
        sheet
            .write_datetime_with_format(1, 7, &when, &format)
            .unwrap();
        book.save_to_buffer().unwrap()
    };
    let zip_path = dir.path().join("exports.zip");
    {
        let mut w = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        w.start_file("folder/book.xlsx", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut w, &good).unwrap();
        w.finish().unwrap();
    }
    let out = run(&[zip_path], None);
    assert_eq!(registration(&out.json)["users"], 1);
    assert_eq!(out.json["as_of"], "2026-09-22");
    assert!(out.json["inputs"][0]["path"]
        .as_str()
        .unwrap()
        .ends_with("exports.zip/folder/book.xlsx [Sheet1]"));
}
