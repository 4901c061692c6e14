//! `.zip` archives of exports: every file inside (nested folders included) is examined like a
//! file on disk, named `archive.zip/folder/file.csv`. The archive is recognized by its content
//! (the `PK` signature), not its name, and expanded in memory under a size limit so a
//! decompression bomb is refused instead of exhausting memory.

use std::io::Read;

use crate::error::InputError;

/// Most bytes all entries of one archive may expand to.
pub const MAX_EXPANDED_BYTES: u64 = 4 << 30;

pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// One member of an archive.
pub enum Entry {
    File {
        name: String,
        bytes: Vec<u8>,
    },
    /// A member that is not read, and why (nested archive, encrypted, unsupported compression).
    Skipped {
        name: String,
        reason: String,
    },
}

/// Expand every file member of the archive `bytes` (named `archive` in messages).
pub fn entries(archive: &str, bytes: &[u8]) -> Result<Vec<Entry>, InputError> {
    entries_within(archive, bytes, MAX_EXPANDED_BYTES)
}

fn entries_within(archive: &str, bytes: &[u8], limit: u64) -> Result<Vec<Entry>, InputError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
        InputError::in_file(archive, format!("is not a readable .zip archive ({e})"))
            .hint("download the archive again, or extract it and pass the folder")
    })?;
    let mut out = Vec::new();
    let mut expanded: u64 = 0;
    for i in 0..zip.len() {
        let mut member = match zip.by_index(i) {
            Ok(m) => m,
            Err(e) => {
                out.push(Entry::Skipped {
                    name: format!("{archive}/#{i}"),
                    reason: format!("archive member cannot be read ({e})"),
                });
                continue;
            }
        };
        if member.is_dir() {
            continue;
        }
        let inner = member
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| format!("#{i}"));
        let name = format!("{archive}/{inner}");
        let remaining = limit - expanded;
        if member.size() > remaining {
            return Err(too_big(archive, limit));
        }
        let mut content = Vec::with_capacity(member.size().min(1 << 26) as usize);
        match (&mut member).take(remaining + 1).read_to_end(&mut content) {
            Ok(n) if n as u64 > remaining => return Err(too_big(archive, limit)),
            Ok(n) => expanded += n as u64,
            Err(e) => {
                out.push(Entry::Skipped {
                    name,
                    reason: format!("archive member cannot be expanded ({e})"),
                });
                continue;
            }
        }
        if content.is_empty() {
            out.push(Entry::Skipped {
                name,
                reason: "empty file in the archive".into(),
            });
            continue;
        }
        if is_zip(&content) && !super::workbook::is_workbook(&content) {
            out.push(Entry::Skipped {
                name,
                reason: "archive inside an archive: extract it first".into(),
            });
            continue;
        }
        out.push(Entry::File {
            name,
            bytes: content,
        });
    }
    Ok(out)
}

fn too_big(archive: &str, limit: u64) -> InputError {
    InputError::in_file(
        archive,
        format!(
            "archive expands to more than {limit} bytes: refused as a possible decompression bomb"
        ),
    )
    .hint("extract the exports you need and pass them as files")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            for (name, content) in files {
                w.start_file(*name, opts).unwrap();
                w.write_all(content).unwrap();
            }
            w.finish().unwrap();
        }
        buf.into_inner()
    }

    #[test]
    fn members_in_nested_folders_are_read() {
        let z = zip_of(&[("a.csv", b"x,y\n1,2\n"), ("logs/2026/b.csv", b"q\n")]);
        assert!(is_zip(&z));
        let names: Vec<String> = entries("e.zip", &z)
            .unwrap()
            .into_iter()
            .map(|e| match e {
                Entry::File { name, .. } => name,
                Entry::Skipped { name, .. } => format!("skipped {name}"),
            })
            .collect();
        assert_eq!(names, ["e.zip/a.csv", "e.zip/logs/2026/b.csv"]);
    }

    #[test]
    fn expansion_beyond_the_limit_is_refused() {
        let big = vec![b'a'; 100_000];
        let z = zip_of(&[("big.csv", &big)]);
        assert!(z.len() < 2_000, "highly compressible");
        let err = entries_within("bomb.zip", &z, 50_000).err().unwrap();
        assert!(
            err.to_string().contains("possible decompression bomb"),
            "{err}"
        );
        assert!(entries_within("ok.zip", &z, 200_000).is_ok());
    }

    #[test]
    fn nested_archives_are_skipped_with_a_reason() {
        let inner = zip_of(&[("x.csv", b"a\n")]);
        let outer = zip_of(&[("inner.zip", &inner)]);
        match &entries("outer.zip", &outer).unwrap()[0] {
            Entry::Skipped { reason, .. } => assert!(reason.contains("archive inside an archive")),
            Entry::File { .. } => panic!("nested archive read"),
        }
    }
}
