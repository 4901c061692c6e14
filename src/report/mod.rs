//! Render: one small exporter per output format behind one trait, all fed the same [`Report`].
//! Outputs are written to a temporary file beside the target and renamed into place, so a
//! failure never leaves a partial report behind.

mod csv;
mod html;
mod json;
mod xlsx;

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use crate::analyze::Analysis;
use crate::error::{Error, InputError, Result};
use crate::findings::data_quality::Note;
use crate::findings::Finding;
use crate::ingest::{FileReport, SkippedFile};

pub use self::csv::{ActionsCsv, UsersCsv};
pub use html::HtmlReport;
pub use json::{JsonSummary, SCHEMA_VERSION};
pub use xlsx::{
    action_sheet_name, workbook_bytes, XlsxWorkbook, ACTION_ROWS_PER_SHEET, EXCEL_MAX_ROWS,
    MAX_CELL_CHARS,
};

pub const TOOL_NAME: &str = env!("CARGO_PKG_NAME");
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything the exporters render: the analysis plus its findings and run metadata.
#[derive(Clone)]
pub struct Report<'a> {
    pub title: String,
    pub generated_at: DateTime<Utc>,
    pub analysis: &'a Analysis,
    pub files: &'a [FileReport],
    pub skipped: &'a [SkippedFile],
    pub guidance: Vec<Finding>,
    pub further: Vec<Finding>,
    pub notes: Vec<Note>,
    /// Users are named by pseudonyms (`--redact`).
    pub redacted: bool,
    /// The organisation the review is for (config file).
    pub organisation: Option<String>,
    /// The config file the settings came from.
    pub config_file: Option<String>,
    /// The comparison with `--baseline`, when given.
    pub baseline: Option<&'a crate::baseline::Comparison>,
}

impl Report<'_> {
    pub fn as_of(&self) -> NaiveDate {
        self.analysis.as_of
    }
}

/// One output format.
pub trait Exporter {
    /// What the output is, for messages ("HTML report").
    fn name(&self) -> &'static str;
    fn write(&self, report: &Report, out: &mut dyn Write) -> Result<()>;
    /// Whether the output lists the inputs with their SHA-256 (most do; per-user lists not).
    fn lists_inputs(&self) -> bool {
        true
    }
}

/// Render `exporter` to `path` atomically: a temporary file in the same folder, then a rename.
pub fn write_to(exporter: &dyn Exporter, report: &Report, path: &Path) -> Result<()> {
    stage(exporter, report, path)?.commit()
}

/// An output written to a temporary file beside its path, waiting to take the path's name
/// (see [`Staged::commit`]); dropped without that, the temporary file is removed.
pub struct Staged {
    tmp: PathBuf,
    path: PathBuf,
    committed: bool,
}

impl Staged {
    /// Give the output its name, replacing any file there.
    pub fn commit(mut self) -> Result<()> {
        std::fs::rename(&self.tmp, &self.path).map_err(|source| Error::Output {
            path: self.path.display().to_string(),
            source,
        })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Render `exporter` to a temporary file in the folder of `path` (see [`Staged`]).
pub fn stage(exporter: &dyn Exporter, report: &Report, path: &Path) -> Result<Staged> {
    let shown = path.display().to_string();
    let io_err = |source: std::io::Error| Error::Output {
        path: shown.clone(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| InputError::new(format!("output path '{shown}' names no file")))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> Result<()> {
        let file = WriteBehind::new(std::fs::File::create(&tmp).map_err(io_err)?);
        let mut buf = std::io::BufWriter::new(file);
        exporter.write(report, &mut buf)?;
        buf.flush().map_err(io_err)?;
        buf.get_ref().file.sync_all().map_err(io_err)
    })();
    let staged = Staged {
        tmp,
        path: path.to_path_buf(),
        committed: false,
    };
    // On failure, dropping it removes the temporary file.
    result.map(|()| staged)
}

/// A file that asks the system to start writing its pages to disk every few mebibytes, while
/// the rest is still being produced: the `sync_all` that ends an output then waits for the
/// last few only, not for hundreds of megabytes of a million-user actions list.
struct WriteBehind {
    file: std::fs::File,
    written: u64,
    /// Where the range not yet handed to the system starts.
    synced: u64,
}

impl WriteBehind {
    /// Bytes between two requests.
    const STEP: u64 = 16 << 20;

    fn new(file: std::fs::File) -> Self {
        WriteBehind {
            file,
            written: 0,
            synced: 0,
        }
    }

    #[cfg(target_os = "linux")]
    fn start_writeback(&mut self) {
        use std::os::fd::AsRawFd as _;
        // SAFETY: a plain system call on a file descriptor this value owns; it only starts
        // writeback of pages already written and reads no memory of ours.
        unsafe {
            libc::sync_file_range(
                self.file.as_raw_fd(),
                self.synced as libc::off64_t,
                (self.written - self.synced) as libc::off64_t,
                libc::SYNC_FILE_RANGE_WRITE,
            );
        }
        self.synced = self.written;
    }

    #[cfg(not(target_os = "linux"))]
    fn start_writeback(&mut self) {}
}

impl Write for WriteBehind {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        if self.written - self.synced >= Self::STEP {
            self.start_writeback();
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Writing to a `Vec` or a file through `dyn Write`: map I/O errors to internal errors, since
/// the real paths are handled by [`write_to`].
pub(crate) fn io(e: std::io::Error) -> Error {
    Error::Output {
        path: "output".into(),
        source: e,
    }
}

/// Percentage of `value` in `of`, one decimal, or `None` for an empty population.
pub fn percent(value: u64, of: u64) -> Option<f64> {
    (of > 0).then(|| (value as f64 * 1000.0 / of as f64).round() / 10.0)
}
