//! Shared helper for the file-based targets: one temp dir per process, the input file
//! overwritten on every iteration (cheaper than a new temp dir per input).
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();

/// The process-wide scratch directory.
pub fn dir() -> &'static std::path::Path {
    DIR.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("entra-fuzz")
            .tempdir()
            .expect("temp dir")
    })
    .path()
}

/// Write `data` to `<scratch>/<name>` and return its path.
pub fn write_input(name: &str, data: &[u8]) -> PathBuf {
    let path = dir().join(name);
    std::fs::write(&path, data).expect("write fuzz input");
    path
}
