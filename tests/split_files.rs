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
    let text = std::fs::read_to_string(src).unwrap();
    // Records, not lines: a quoted field may hold a line break.
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
