//! The portal delivers a long sign-in range as many files: reading the same rows split over
//! several files must give exactly the figures of the single file.

mod common;

use std::path::{Path, PathBuf};

use common::run;
use serde_json::Value;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

/// Split a CSV export into `parts` files of consecutive rows, each with the header (and BOM);
/// the parts keep the portal's name with `_partNN` added.
fn split(src: &Path, parts: usize, into: &Path) {
    let (header, records) = records(src);
    let rows: Vec<&str> = records.iter().map(String::as_str).collect();
    let per = rows.len().div_ceil(parts);
    let stem = src.file_stem().unwrap().to_string_lossy();
    for (i, chunk) in rows.chunks(per).enumerate() {
        let name = format!("{stem}_part{:02}.csv", i + 1);
        let body: String = std::iter::once(header.as_str())
            .chain(chunk.iter().copied())
            .collect();
        std::fs::write(into.join(name), body).unwrap();
    }
}

/// The JSON without what names the files (the inputs, and the folder in the titles of notes
/// about a file).
fn figures(mut json: Value) -> Value {
    let o = json.as_object_mut().unwrap();
    o.remove("inputs");
    o.remove("skipped_files");
    for note in o["data_quality"].as_array_mut().unwrap() {
        let title = note["title"].as_str().unwrap().to_string();
        if let Some((path, rest)) = title.split_once(": ") {
            let file = path.rsplit('/').next().unwrap();
            note["title"] = Value::String(format!("{file}: {rest}"));
        }
    }
    json
}

#[test]
fn split_sign_in_downloads_give_the_same_json_as_single_files() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(sample()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match name.as_str() {
            n if n.starts_with("InteractiveSignIns_AuthDetails") => split(&path, 3, dir.path()),
            n if n.starts_with("InteractiveSignIns") => split(&path, 5, dir.path()),
            n if n.starts_with("NonInteractiveSignIns") => split(&path, 2, dir.path()),
            _ => {
                std::fs::copy(&path, dir.path().join(&name)).unwrap();
            }
        }
    }
    let whole = run(&[sample()], None);
    let parts = run(&[dir.path().to_path_buf()], None);
    assert_eq!(
        parts.json["inputs"].as_array().unwrap().len(),
        whole.json["inputs"].as_array().unwrap().len() + 4 + 2 + 1,
        "every part is read"
    );
    assert!(whole.json["signins"]["rows"].as_u64().unwrap() > 2000);
    assert_eq!(figures(parts.json), figures(whole.json));
    assert_eq!(parts.csv, whole.csv, "the same action list");
}

/// The records of a CSV export: its header, then each record (a quoted field may hold a line
/// break).
fn records(src: &Path) -> (String, Vec<String>) {
    let text = std::fs::read_to_string(src).unwrap();
    let mut records: Vec<String> = Vec::new();
    let mut open = false;
    for line in text.split_inclusive('\n') {
        if open {
            records.last_mut().unwrap().push_str(line);
        } else {
            records.push(line.to_string());
        }
        if line.matches('"').count() % 2 == 1 {
            open = !open;
        }
    }
    let header = records.remove(0);
    (header, records)
}

/// Sign-in files are read as one stream; a bad file in the middle is judged on its own (left
/// out with its reason) and the files after it still count.
#[test]
fn a_bad_file_among_split_sign_ins_is_left_out_and_the_rest_counts() {
    let signins = sample().join("InteractiveSignIns_2026-11-13_2026-11-20.csv");
    let registration = sample().join("exportUserRegistrationDetails_2026-11-20.csv");
    let (header, rows) = records(&signins);
    let third = rows.len() / 3;
    let body = |rows: &[String]| -> Vec<u8> {
        std::iter::once(header.as_str())
            .chain(rows.iter().map(String::as_str))
            .collect::<String>()
            .into_bytes()
    };
    // Whole copies of the file (more than the first mebibyte, which decides how a file is read),
    // spoiled in their last row: past that point the reading is already under way.
    let spoiled = |bad: &[u8]| -> Vec<u8> {
        let mut bytes = body(&rows);
        assert!(bytes.len() > 1 << 20);
        let at = bytes.len() - 2;
        bytes.splice(at..at, bad.iter().copied());
        bytes
    };
    let good = tempfile::tempdir().unwrap();
    let mixed = tempfile::tempdir().unwrap();
    for dir in [good.path(), mixed.path()] {
        std::fs::copy(&registration, dir.join("exportUserRegistrationDetails.csv")).unwrap();
        std::fs::write(
            dir.join("InteractiveSignIns_part01.csv"),
            body(&rows[..third]),
        )
        .unwrap();
        std::fs::write(
            dir.join("InteractiveSignIns_part04.csv"),
            body(&rows[third..]),
        )
        .unwrap();
    }
    let m = mixed.path();
    // Valid UTF-8 next to a byte no text holds: neither UTF-8 nor Windows-1252.
    std::fs::write(
        m.join("InteractiveSignIns_part02.csv"),
        spoiled("é\u{1}".as_bytes())
            .iter()
            .map(|&b| if b == 1 { 0xFF } else { b })
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    std::fs::write(m.join("InteractiveSignIns_part03.csv"), spoiled(b"\0")).unwrap();
    std::fs::write(
        m.join("InteractiveSignIns_part05.csv"),
        body(&rows[..third]),
    )
    .unwrap();

    let expected = run(&[good.path().to_path_buf()], None);
    let got = common::run_lenient(&[m.to_path_buf()]);
    assert_eq!(got.json["signins"], expected.json["signins"]);
    assert_eq!(
        got.json["signins"]["rows"].as_u64().unwrap(),
        rows.len() as u64,
        "every row of the good files, once"
    );
    assert_eq!(got.csv, expected.csv, "the same action list");
    let reasons: Vec<(String, String)> = got.json["skipped_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let path = s["path"].as_str().unwrap();
            let file = path.rsplit('/').next().unwrap().to_string();
            (file, s["reason"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert_eq!(reasons[0].0, "InteractiveSignIns_part02.csv");
    assert!(reasons[0].1.contains("not Windows-1252"), "{reasons:?}");
    assert_eq!(reasons[1].0, "InteractiveSignIns_part03.csv");
    assert!(reasons[1].1.contains("NUL byte"), "{reasons:?}");
    assert_eq!(reasons[2].0, "InteractiveSignIns_part05.csv");
    assert!(
        reasons[2].1.contains("same content as") && reasons[2].1.contains("part01"),
        "{reasons:?}"
    );
    let read: Vec<&str> = got.json["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        read,
        [
            "InteractiveSignIns_part01.csv",
            "InteractiveSignIns_part04.csv",
            "exportUserRegistrationDetails.csv"
        ]
    );
}

/// Files read in blocks are hashed later, so a repeated file is told by its bytes: the same
/// size with other bytes is another file, the same bytes in an archive are the same file, and
/// every input is listed with the SHA-256 of its bytes.
#[test]
fn repeated_sign_in_files_are_told_by_their_bytes() {
    use sha2::Digest as _;
    use std::io::Write as _;
    let signins = sample().join("InteractiveSignIns_2026-11-13_2026-11-20.csv");
    let registration = sample().join("exportUserRegistrationDetails_2026-11-20.csv");
    let (header, rows) = records(&signins);
    let half = rows.len() / 2;
    let part = |rows: &[String]| -> Vec<u8> {
        std::iter::once(header.as_str())
            .chain(rows.iter().map(String::as_str))
            .collect::<String>()
            .into_bytes()
    };
    let first = part(&rows[..half]);
    // The same size, one byte changed (a digit of the first row's year): another file.
    let mut other = first.clone();
    let at = header.len() + 3;
    assert!(other[at].is_ascii_digit(), "{}", other[at] as char);
    other[at] = if other[at] == b'5' { b'4' } else { b'5' };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(&registration, d.join("exportUserRegistrationDetails.csv")).unwrap();
    // Read first (names sort before the rest): the archive, whose member is read whole.
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(d.join("a.zip")).unwrap());
        zip.start_file(
            "InteractiveSignIns_part01.csv",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(&first).unwrap();
        zip.finish().unwrap();
    }
    std::fs::write(d.join("b_InteractiveSignIns_part01.csv"), &first).unwrap();
    std::fs::write(d.join("c_InteractiveSignIns_part01.csv"), &other).unwrap();
    std::fs::write(
        d.join("d_InteractiveSignIns_part02.csv"),
        part(&rows[half..]),
    )
    .unwrap();
    std::fs::write(
        d.join("e_InteractiveSignIns_part02.csv"),
        part(&rows[half..]),
    )
    .unwrap();

    let out = common::run_lenient(&[d.to_path_buf()]);
    let skipped: Vec<(String, String)> = out.json["skipped_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let name = |v: &Value| v.as_str().unwrap().rsplit('/').next().unwrap().to_string();
            (name(&s["path"]), s["reason"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert_eq!(skipped[0].0, "b_InteractiveSignIns_part01.csv");
    assert!(skipped[0].1.contains("same content as") && skipped[0].1.contains("a.zip"));
    assert_eq!(skipped[1].0, "e_InteractiveSignIns_part02.csv");
    assert!(
        skipped[1].1.contains("d_InteractiveSignIns_part02.csv"),
        "{skipped:?}"
    );
    // The changed copy is read, as a file of its own.
    let changed = common::input(&out.json, "c_InteractiveSignIns_part01.csv");
    assert_eq!(changed["rows"].as_u64().unwrap(), half as u64);
    for input in out.json["inputs"].as_array().unwrap() {
        let path = input["path"].as_str().unwrap();
        if path.ends_with(".zip") || path.contains(".zip/") {
            continue;
        }
        let digest: String = sha2::Sha256::digest(std::fs::read(path).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(input["sha256"], digest, "{path}");
    }
}
