//! The SHA-256 of large inputs, worked out in the background.
//!
//! Every input's SHA-256 is shown in the report, as evidence of what was read. For a file of
//! gigabytes that is more than a second of processor time: done while the file is parsed, it
//! takes a share of the cores the parsers need. Files read in blocks are therefore hashed on a
//! thread of their own at the lowest priority, which reads the file again from the system's
//! cache and mostly runs while the analysis leaves a core idle. The hashes are collected
//! before any output that shows them is written.
//!
//! What was hashed is what was parsed: the file's size and modification time are taken when it
//! is opened and checked again once it is hashed; a file that changed in between is an error.

use std::path::PathBuf;
use std::sync::mpsc::{channel, Sender};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

use crate::error::{InputError, Result};

/// What identifies a file's content on disk without reading it: its size and modification
/// time when it was opened.
#[derive(Debug, Clone, PartialEq)]
pub struct Stamp {
    pub len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Stamp {
    pub fn of(meta: &std::fs::Metadata) -> Self {
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// One file to hash: `id` is the caller's (the file's position in the inputs list).
struct Job {
    id: usize,
    name: String,
    path: PathBuf,
    stamp: Stamp,
}

/// A file's id and its SHA-256, or why it has none.
type Hashed = (usize, std::result::Result<String, InputError>);

/// Hashes of files still being worked out, in the order they were asked for.
#[derive(Default)]
pub struct Background {
    jobs: Option<Sender<Job>>,
    worker: Option<JoinHandle<Vec<Hashed>>>,
    /// Ids asked for, to forget those of files that were left out after all.
    ids: Vec<usize>,
}

impl std::fmt::Debug for Background {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Background")
            .field("ids", &self.ids)
            .finish()
    }
}

impl Background {
    /// Hash the file at `path` (named `name` in messages), opened when it had `stamp`.
    pub fn add(&mut self, id: usize, name: String, path: PathBuf, stamp: Stamp) {
        if self.jobs.is_none() {
            let (tx, rx) = channel::<Job>();
            self.jobs = Some(tx);
            self.worker = Some(std::thread::spawn(move || {
                lowest_priority();
                rx.into_iter()
                    .map(|job| (job.id, hash_file(&job)))
                    .collect()
            }));
        }
        self.ids.push(id);
        if let Some(jobs) = &self.jobs {
            // The worker only stops when the sender is dropped.
            let _ = jobs.send(Job {
                id,
                name,
                path,
                stamp,
            });
        }
    }

    /// Forget the files from `id` on (left out after all); they are still hashed, unused.
    pub fn forget_from(&mut self, id: usize) {
        self.ids.retain(|i| *i < id);
    }

    /// Whether no hash is pending.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Wait for every hash: `(id, SHA-256 in hex)` of the files still wanted.
    pub fn finish(mut self) -> Result<Vec<(usize, String)>> {
        self.jobs = None;
        let Some(worker) = self.worker.take() else {
            return Ok(Vec::new());
        };
        let done = worker.join().map_err(|_| {
            crate::error::Error::Internal("the thread hashing the inputs failed".into())
        })?;
        let mut hashes = Vec::with_capacity(self.ids.len());
        for (id, result) in done {
            if self.ids.contains(&id) {
                hashes.push((id, result?));
            }
        }
        Ok(hashes)
    }
}

/// The SHA-256 of a file that must still be as it was when opened.
fn hash_file(job: &Job) -> std::result::Result<String, InputError> {
    let changed = || {
        InputError::in_file(&job.name, "the file changed while it was being read")
            .hint("read it again once nothing writes to it any more")
    };
    let cannot = |e: std::io::Error| {
        InputError::in_file(&job.name, format!("cannot read it again to hash it: {e}"))
            .hint("check that the file is still there and readable")
    };
    let mut file = std::fs::File::open(&job.path).map_err(cannot)?;
    let (sha256, total) = sha256(&mut file).map_err(cannot)?;
    let now = file.metadata().map(|m| Stamp::of(&m)).map_err(cannot)?;
    if total != job.stamp.len || now != job.stamp {
        return Err(changed());
    }
    Ok(sha256)
}

/// The SHA-256 (in hex) of everything `reader` yields, and how many bytes that was.
pub fn sha256(reader: &mut impl std::io::Read) -> std::io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((super::hex(&hasher.finalize()), total))
}

/// Run the calling thread at the lowest priority, so that it takes a core only when no other
/// work wants it.
fn lowest_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on the calling thread; no memory is passed.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 19);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_match_and_a_changed_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
        let text_a = "x,y\n".repeat(300_000);
        std::fs::write(&a, &text_a).unwrap();
        std::fs::write(&b, "b\n").unwrap();
        let stamp = |p: &PathBuf| Stamp::of(&std::fs::metadata(p).unwrap());
        let mut bg = Background::default();
        bg.add(0, "a.csv".into(), a.clone(), stamp(&a));
        bg.add(3, "b.csv".into(), b.clone(), stamp(&b));
        bg.add(5, "a again".into(), a.clone(), stamp(&a));
        bg.forget_from(4);
        let hex = |bytes: &[u8]| -> String {
            Sha256::digest(bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        assert_eq!(
            bg.finish().unwrap(),
            vec![(0, hex(text_a.as_bytes())), (3, hex(b"b\n"))]
        );

        // Opened at one size, grown before it was hashed.
        let mut bg = Background::default();
        let before = stamp(&b);
        std::fs::write(&b, "b\nmore\n").unwrap();
        bg.add(0, "b.csv".into(), b.clone(), before);
        let err = bg.finish().unwrap_err().to_string();
        assert!(err.contains("b.csv") && err.contains("changed"), "{err}");
    }
}
