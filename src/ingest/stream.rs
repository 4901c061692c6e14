//! Streaming CSV: large exports are read in blocks that end on a record boundary, parsed on
//! every core, and merged in file order, so a multi-gigabyte sign-in download never sits in
//! memory whole and its rows are never held as strings.
//!
//! One thread reads (and hashes) the file and cuts it into blocks of whole records, tracking
//! quotes so a line break inside a quoted field never splits a record. Worker threads split the
//! records of a block into fields, keep only the fields the caller asks for (projection), and
//! hand a per-block result back; the caller merges the results in block order, so the outcome
//! is identical to a sequential read.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

/// Bytes per block: large enough to amortize per-block work (a block costs about a
/// millisecond), small enough that the cores wait little for the last blocks of a file, which
/// matters when a range arrives as many files (the portal's split downloads). On a million
/// users, 2 MiB was faster than 8 and 4 MiB, single file and twenty files alike, and no slower
/// than 1 MiB.
pub const BLOCK: usize = 2 << 20;

/// A run of whole CSV records.
pub struct Block {
    /// Position of the block among every block read (0, 1, …).
    pub seq: usize,
    /// Which of the files read together the block is from (0 when there is one).
    pub file: usize,
    /// File line number of the block's first record.
    pub first_line: u64,
    /// File byte offset of the block's first byte.
    pub offset: u64,
    /// Shared with the hashing thread, which reads the same bytes: nothing is copied.
    pub data: Arc<Vec<u8>>,
    /// The block's quoting is plain (see [`Records::for_block`]): every quote opens a field,
    /// ends one right before a delimiter or a line end, or is one of a doubled pair inside
    /// one, and no quoted field spans lines.
    pub plain: bool,
}

/// What reading the whole file found, besides the records.
#[derive(Debug, Clone)]
pub struct Scanned {
    /// SHA-256 of every byte of the file (when a hasher was given).
    pub sha256: Option<String>,
    /// File byte offset of the first NUL byte: the file is binary, not a text export.
    pub nul_at: Option<u64>,
}

/// Splits the records of a block into fields in one pass over its structural bytes
/// (delimiters, quotes, line feeds), found with SIMD. A block with plain quoting (the usual
/// export) is split by its field ends alone: see [`Records::for_block`].
pub struct Records<'a> {
    buf: &'a [u8],
    pos: usize,
    line: u64,
    special: Structural,
}

/// The positions of a block's structural bytes (delimiter, quote, line feed) in increasing
/// order. They are marked in a bitmap first, 64 bytes to a word, in one pass the compiler
/// turns into vector compares: a record of 56 fields then costs 56 bit scans instead of 56
/// searches. The bitmap is made a batch of [`BATCH_WORDS`] words at a time, just ahead of the
/// fields being cut, so that the bytes are still in the nearest caches when they are read
/// (marking a whole 2 MiB block first would push its start out of them).
struct Structural {
    /// The marks of one batch of the block.
    words: Vec<u64>,
    /// The block's 64-byte word that `words[0]` is for.
    base: usize,
    /// Index in `words` of the word `bits` came from.
    at: usize,
    /// The positions of the current word not yet returned.
    bits: u64,
    delimiter: u8,
    /// Mark field ends only: delimiters and line feeds outside quotes (plain quoting).
    plain: bool,
    /// Plain quoting: all ones when the bytes marked so far end inside quotes.
    inside: u64,
}

/// Words marked at a time: 16 KiB of the block.
const BATCH_WORDS: usize = 256;

impl Structural {
    fn new(buf: &[u8], delimiter: u8, plain: bool) -> Self {
        let mut s = Structural {
            words: Vec::with_capacity(BATCH_WORDS),
            base: 0,
            at: 0,
            bits: 0,
            delimiter,
            plain,
            inside: 0,
        };
        s.mark(buf, 0);
        s
    }

    /// Mark the batch of `buf` that starts at word `base`; false when `buf` ends before it.
    #[inline(never)]
    fn mark(&mut self, buf: &[u8], base: usize) -> bool {
        let start = base * 64;
        self.words.clear();
        self.base = base;
        self.at = 0;
        self.bits = 0;
        if start >= buf.len() {
            return false;
        }
        let batch = &buf[start..(start + BATCH_WORDS * 64).min(buf.len())];
        let mut chunks = batch.chunks_exact(64);
        if self.plain {
            for chunk in &mut chunks {
                let chunk: &[u8; 64] = chunk.try_into().expect("64 bytes");
                let word = self.field_ends(chunk);
                self.words.push(word);
            }
        } else {
            for chunk in &mut chunks {
                let chunk: &[u8; 64] = chunk.try_into().expect("64 bytes");
                self.words.push(mark64(chunk, self.delimiter));
            }
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 64];
            last[..rest.len()].copy_from_slice(rest);
            // Zero bytes past the end are never structural (the delimiter is never NUL).
            let word = if self.plain {
                self.field_ends(&last)
            } else {
                mark64(&last, self.delimiter)
            };
            self.words.push(word & (u64::MAX >> (64 - rest.len())));
        }
        self.bits = self.words[0];
        true
    }

    /// Plain quoting: the delimiters and line feeds of `chunk` (the 64 bytes after those
    /// marked so far) that are outside quotes. Every quote opens or closes a quoted part
    /// (a doubled quote closes and reopens it), so a byte is inside quotes when an odd number
    /// of quotes come before it or at it: a running XOR of the quote bits.
    #[inline]
    fn field_ends(&mut self, chunk: &[u8; 64]) -> u64 {
        let ends = mark64_ends(chunk, self.delimiter);
        let mut inside = mark64_quotes(chunk);
        for shift in [1, 2, 4, 8, 16, 32] {
            inside ^= inside << shift;
        }
        inside ^= self.inside;
        // The last byte's state, for every bit of the next chunk.
        self.inside = ((inside as i64) >> 63) as u64;
        ends & !inside
    }

    /// The next structural position of `buf` (the block this was made for).
    #[inline]
    fn next(&mut self, buf: &[u8]) -> Option<usize> {
        while self.bits == 0 {
            self.at += 1;
            if self.at < self.words.len() {
                self.bits = self.words[self.at];
            } else if !self.mark(buf, self.base + self.words.len()) {
                // Stay at the end: later calls find nothing more either.
                self.base = buf.len().div_ceil(64);
                return None;
            }
        }
        let bit = self.bits.trailing_zeros() as usize;
        self.bits &= self.bits - 1;
        Some((self.base + self.at) * 64 + bit)
    }
}

/// A bit per byte of `chunk` that is `delimiter`, a quote or a line feed.
#[inline]
fn mark64(chunk: &[u8; 64], delimiter: u8) -> u64 {
    mark64_ends(chunk, delimiter) | mark64_quotes(chunk)
}

/// A bit per byte of `chunk` that is `delimiter` or a line feed.
#[inline]
fn mark64_ends(chunk: &[u8; 64], delimiter: u8) -> u64 {
    mark64_byte(chunk, delimiter) | mark64_byte(chunk, b'\n')
}

/// A bit per byte of `chunk` that is a quote.
#[inline]
fn mark64_quotes(chunk: &[u8; 64]) -> u64 {
    mark64_byte(chunk, b'"')
}

/// A bit per byte of `chunk` that is `byte`, with vector compares.
#[cfg(target_arch = "x86_64")]
#[inline]
fn mark64_byte(chunk: &[u8; 64], byte: u8) -> u64 {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of x86-64 itself; the loads are unaligned loads of 16 bytes
    // within `chunk`.
    unsafe {
        let wanted = _mm_set1_epi8(byte as i8);
        let mut bits = 0u64;
        for k in 0..4 {
            let v = _mm_loadu_si128(chunk.as_ptr().add(16 * k) as *const __m128i);
            bits |= (_mm_movemask_epi8(_mm_cmpeq_epi8(v, wanted)) as u16 as u64) << (16 * k);
        }
        bits
    }
}

/// A bit per byte of `chunk` that is `byte`.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn mark64_byte(chunk: &[u8; 64], byte: u8) -> u64 {
    let mut bits = 0u64;
    for (i, &b) in chunk.iter().enumerate() {
        bits |= u64::from(b == byte) << i;
    }
    bits
}

/// One field of a record: its byte range in the block, and whether it was quoted with doubled
/// quotes inside (then it needs unescaping).
#[derive(Debug, Clone, Copy, Default)]
pub struct FieldRef {
    pub start: u32,
    pub end: u32,
    pub escaped: bool,
}

/// A record that [`Records::next`] split.
#[derive(Debug, Clone, Copy)]
pub struct Record {
    /// File line where the record starts.
    pub line: u64,
    /// Number of fields.
    pub fields: usize,
    /// Every field empty or white space (a blank line, or only delimiters).
    pub blank: bool,
    /// A line with nothing on it (as the csv crate, which skips such lines).
    pub empty: bool,
    /// A field past the last slot holds text: more columns than the header, not merely
    /// trailing delimiters (as spreadsheet programs add).
    pub extra_text: bool,
}

impl Record {
    /// Whether the record fits a header of `width` columns: as many fields, or more whose
    /// extra ones are all empty.
    pub fn fits(&self, width: usize) -> bool {
        self.fields == width || (self.fields > width && !self.extra_text)
    }
}

/// What is known of a record while its fields are cut.
struct Cutting {
    line: u64,
    /// Fields cut so far.
    fields: usize,
    blank: bool,
    first_empty: bool,
    extra_text: bool,
}

impl Cutting {
    fn new(line: u64) -> Self {
        Cutting {
            line,
            fields: 0,
            blank: true,
            first_empty: false,
            extra_text: false,
        }
    }

    /// Take the next field, which starts at byte `start` of `buf` and goes to `slot` of `out`
    /// (`None`: past the wanted columns).
    #[inline]
    fn take(
        &mut self,
        buf: &[u8],
        start: usize,
        field: FieldRef,
        slot: Option<u8>,
        out: &mut [FieldRef],
    ) {
        let spaces = |f: FieldRef| {
            buf[f.start as usize..f.end as usize]
                .iter()
                .all(u8::is_ascii_whitespace)
        };
        if self.blank && !spaces(field) {
            self.blank = false;
        }
        if self.fields == 0 {
            self.first_empty = field.start == field.end && buf.get(start) != Some(&b'"');
        }
        match slot {
            Some(UNUSED) => {}
            Some(slot) => out[slot as usize] = field,
            None => {
                if !self.extra_text {
                    self.extra_text = !spaces(field) || field.escaped;
                }
            }
        }
        self.fields += 1;
    }

    fn done(self) -> Record {
        Record {
            line: self.line,
            fields: self.fields,
            blank: self.blank,
            empty: self.fields == 1 && self.first_empty,
            extra_text: self.extra_text,
        }
    }
}

/// `slots[i]` is where field `i` goes in `out` of [`Records::next`], or this for "not wanted".
pub const UNUSED: u8 = u8::MAX;

impl<'a> Records<'a> {
    /// Records of `buf` with any quoting (the rules are those of the `csv` crate: see
    /// [`Records::next`]).
    pub fn new(buf: &'a [u8], delimiter: u8, first_line: u64) -> Self {
        Records {
            buf,
            pos: 0,
            line: first_line,
            special: Structural::new(buf, delimiter, false),
        }
    }

    /// Records of a block. When its quoting is plain ([`Block::plain`], told while the block
    /// was cut, where every quote is visited anyway), the fields are cut at the delimiters and
    /// line feeds outside quotes, and only wanted fields are looked at: the same records as
    /// [`Records::new`], with a fraction of the work per unwanted field.
    pub fn for_block(block: &'a Block, delimiter: u8) -> Self {
        Records {
            buf: &block.data,
            pos: 0,
            line: block.first_line,
            special: Structural::new(&block.data, delimiter, block.plain),
        }
    }

    /// Split the next record, storing wanted fields (by `slots`) into `out`. Fields a short
    /// record lacks are left empty.
    ///
    /// A quote opens a quoted field only at the start of a field; inside one, `""` is a quote
    /// and a lone quote closes it; text after the closing quote is kept with the field, and
    /// quotes in an unquoted field are text. A carriage return before a line feed ends a line.
    pub fn next(&mut self, slots: &[u8], out: &mut [FieldRef]) -> Option<Record> {
        if self.pos >= self.buf.len() {
            return None;
        }
        for f in out.iter_mut() {
            *f = FieldRef::default();
        }
        if self.special.plain {
            Some(self.next_plain(slots, out))
        } else {
            Some(self.next_any(slots, out))
        }
    }

    /// [`Records::next`] for plain quoting: each mark is the end of a field.
    fn next_plain(&mut self, slots: &[u8], out: &mut [FieldRef]) -> Record {
        let buf = self.buf;
        let mut record = Cutting::new(self.line);
        // The cursor over the marks is kept in locals: this loop runs once per field.
        let marks = &mut self.special;
        let (mut bits, mut at, mut pos) = (marks.bits, marks.at, self.pos);
        loop {
            let start = pos;
            let next = loop {
                if bits != 0 {
                    let p = (marks.base + at) * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    break p;
                }
                at += 1;
                if at < marks.words.len() {
                    bits = marks.words[at];
                } else if marks.mark(buf, marks.base + marks.words.len()) {
                    (bits, at) = (marks.bits, 0);
                } else {
                    // Stay at the end: later calls find nothing more either.
                    marks.base = buf.len().div_ceil(64);
                    (bits, at) = (0, 0);
                    break buf.len();
                }
            };
            let slot = slots.get(record.fields).copied();
            // An unwanted field needs no look once the record is known not to be blank (the
            // first field is always looked at: a record starts blank).
            if slot == Some(UNUSED) && !record.blank {
                record.fields += 1;
            } else {
                let mut end = next;
                if end > start && buf[end - 1] == b'\r' && (end == buf.len() || buf[end] == b'\n') {
                    end -= 1;
                }
                let field = if buf[start..end].first() == Some(&b'"') {
                    // Plain quoting: the closing quote is the field's last byte, and quotes
                    // between are doubled ones.
                    let close = (end - 1).max(start + 1);
                    FieldRef {
                        start: (start + 1) as u32,
                        end: close as u32,
                        escaped: memchr::memchr(b'"', &buf[start + 1..close]).is_some(),
                    }
                } else {
                    FieldRef {
                        start: start as u32,
                        end: end as u32,
                        escaped: false,
                    }
                };
                record.take(buf, start, field, slot, out);
            }
            if next >= buf.len() {
                pos = buf.len();
                break;
            }
            pos = next + 1;
            if buf[next] == b'\n' {
                self.line += 1;
                break;
            }
        }
        (marks.bits, marks.at, self.pos) = (bits, at, pos);
        record.done()
    }

    /// [`Records::next`] for any quoting.
    fn next_any(&mut self, slots: &[u8], out: &mut [FieldRef]) -> Record {
        let buf = self.buf;
        let mut record = Cutting::new(self.line);
        loop {
            let start = self.pos;
            let (field, next) = if buf.get(start) == Some(&b'"') {
                self.quoted(start)
            } else {
                let next = self.terminator();
                let mut end = next;
                if end > start && buf[end - 1] == b'\r' && (end == buf.len() || buf[end] == b'\n') {
                    end -= 1;
                }
                (
                    FieldRef {
                        start: start as u32,
                        end: end as u32,
                        escaped: false,
                    },
                    next,
                )
            };
            record.take(buf, start, field, slots.get(record.fields).copied(), out);
            if next >= buf.len() {
                self.pos = buf.len();
                break;
            }
            self.pos = next + 1;
            if buf[next] == b'\n' {
                self.line += 1;
                break;
            }
        }
        record.done()
    }

    /// The next delimiter or line feed at or after the current field start (quotes there are
    /// literal text), or the end of the block.
    #[inline]
    fn terminator(&mut self) -> usize {
        let pos = self.pos;
        while let Some(p) = self.special.next(self.buf) {
            if p < pos {
                continue;
            }
            if self.buf[p] != b'"' {
                return p;
            }
        }
        self.buf.len()
    }

    /// A quoted field starting at `start`: returns the field and the position of the byte that
    /// ends it (delimiter, line feed, or the end of the block). Text after the closing quote is
    /// kept, as the csv crate does.
    fn quoted(&mut self, start: usize) -> (FieldRef, usize) {
        let buf = self.buf;
        let mut escaped = false;
        let mut close = None;
        let mut skip_quote_at = usize::MAX;
        while let Some(p) = self.special.next(buf) {
            if p <= start || p == skip_quote_at {
                continue;
            }
            match buf[p] {
                b'"' if buf.get(p + 1) == Some(&b'"') => {
                    escaped = true;
                    skip_quote_at = p + 1;
                }
                b'"' => {
                    close = Some(p);
                    break;
                }
                b'\n' => self.line += 1,
                _ => {}
            }
        }
        // Unterminated: the field runs to the end of the data.
        let Some(close) = close else {
            return (
                FieldRef {
                    start: (start + 1) as u32,
                    end: buf.len() as u32,
                    escaped,
                },
                buf.len(),
            );
        };
        self.pos = close + 1;
        let terminator = self.terminator();
        let mut end = close;
        if terminator > close + 1 {
            // Stray text after the closing quote (`"a"b,`): keep it with the field.
            let mut t = terminator;
            if buf[t - 1] == b'\r' && (t == buf.len() || buf[t] == b'\n') {
                t -= 1;
            }
            if t > close + 1 {
                end = t;
                escaped = true;
            }
        }
        (
            FieldRef {
                start: (start + 1) as u32,
                end: end as u32,
                escaped,
            },
            terminator,
        )
    }
}

/// A block's text; `Err` with the block offset of the first byte that is not UTF-8. Parsers
/// check a whole block at once (SIMD, several GB/s) so that its fields need no check each.
pub fn utf8(data: &[u8]) -> Result<&str, usize> {
    simdutf8::compat::from_utf8(data).map_err(|e| e.valid_up_to())
}

/// A field's text in a block that passed [`utf8`], unescaped when needed. Fields begin and end
/// at delimiters, quotes or line ends (ASCII), so they always fall on character boundaries.
pub fn text(block: &str, f: FieldRef) -> Cow<'_, str> {
    let s = block
        .get(f.start as usize..f.end as usize)
        .unwrap_or_default();
    if !f.escaped {
        return Cow::Borrowed(s);
    }
    // A quoted field whose raw range may include the closing quote of stray text (`"a"b`).
    // Text between quotes is copied in runs; a quote is ASCII, so every run is whole
    // characters.
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(q) = memchr::memchr(b'"', &b[from..]) {
        let at = from + q;
        out.push_str(&s[from..at]);
        if b.get(at + 1) == Some(&b'"') {
            out.push('"');
            from = at + 2;
        } else {
            // A lone quote closes the quoted part: dropped.
            from = at + 1;
        }
    }
    out.push_str(&s[from..]);
    Cow::Owned(out)
}

/// Where blocks can end: record boundaries found with the parser's own quoting rules (a quote
/// opens a quoted field only at the start of a field, `""` inside one is a quote, a lone quote
/// closes it), scanning from a saved state. Since it visits every quote, it also tells where
/// the quoting stops being plain ([`Block::plain`]).
struct Cutter {
    delimiter: u8,
    scanned: usize,
    in_quotes: bool,
    newlines: u64,
    /// The last record boundary found (0: none yet), or the first one at or past [`BLOCK`].
    cut: usize,
    newlines_at_cut: u64,
    /// The first quote (or line feed in quotes) found that is not plain quoting, if any.
    not_plain: Option<usize>,
}

impl Cutter {
    fn new(delimiter: u8) -> Self {
        Cutter {
            delimiter,
            scanned: 0,
            in_quotes: false,
            newlines: 0,
            cut: 0,
            newlines_at_cut: 0,
            not_plain: None,
        }
    }

    /// The quoting at `at` is not plain.
    fn not_plain_at(&mut self, at: usize) {
        self.not_plain.get_or_insert(at);
    }

    /// Whether the bytes before the cut have plain quoting.
    fn plain_before(&self, cut: usize) -> bool {
        self.not_plain.is_none_or(|at| at >= cut)
    }

    /// Scan what is new in `buf`; `eof` says no more bytes will follow. Only quotes and line
    /// feeds are visited: whether a quote starts a field is told by the byte before it.
    fn scan(&mut self, buf: &[u8], eof: bool) {
        let mut skip = usize::MAX;
        let mut stop = buf.len();
        for k in memchr::memchr2_iter(b'"', b'\n', &buf[self.scanned..]) {
            let at = self.scanned + k;
            if at == skip {
                continue;
            }
            if buf[at] == b'"' {
                if self.in_quotes {
                    if at + 1 == buf.len() && !eof {
                        // An escaped quote or the closing one: the next byte will tell.
                        stop = at;
                        break;
                    }
                    match buf.get(at + 1) {
                        Some(b'"') => skip = at + 1,
                        next => {
                            self.in_quotes = false;
                            // Plain: the field ends right after its closing quote.
                            let ends = match next {
                                Some(b'\r') => buf.get(at + 2) == Some(&b'\n'),
                                Some(&b) => b == self.delimiter || b == b'\n',
                                None => false,
                            };
                            if !ends {
                                self.not_plain_at(at);
                            }
                        }
                    }
                } else if at == 0 || buf[at - 1] == self.delimiter || buf[at - 1] == b'\n' {
                    self.in_quotes = true;
                } else {
                    // A quote inside an unquoted field: text.
                    self.not_plain_at(at);
                }
                continue;
            }
            if self.in_quotes {
                // A quoted field over several lines.
                self.not_plain_at(at);
            }
            self.newlines += 1;
            if !self.in_quotes {
                self.cut = at + 1;
                self.newlines_at_cut = self.newlines;
                if self.cut >= BLOCK {
                    stop = at + 1;
                    break;
                }
            }
        }
        self.scanned = stop;
        if eof && self.in_quotes && stop == buf.len() {
            // A quote never closed: the last field runs to the end.
            self.not_plain_at(0);
        }
    }

    /// Forget everything before the cut (the block was sent).
    fn shift(&mut self) {
        self.not_plain = self
            .not_plain
            .filter(|&at| at >= self.cut)
            .map(|at| at - self.cut);
        self.scanned -= self.cut;
        self.newlines -= self.newlines_at_cut;
        self.cut = 0;
        self.newlines_at_cut = 0;
    }
}

impl ScanError {
    /// The error to report about the file being read.
    pub fn for_file(self, path: &str) -> crate::error::Error {
        match self {
            ScanError::Io(e) => {
                crate::error::InputError::in_file(path, format!("cannot read: {e}"))
                    .hint("check that the file is complete and readable")
                    .into()
            }
            ScanError::Internal(m) => crate::error::Error::Internal(format!("{path}: {m}")),
        }
    }
}

/// How many rows a file of `end` bytes holds, judged from its first block (`rows` rows in
/// `bytes` bytes, the block ending at file offset `block_end`), with a margin: the tables are
/// sized once instead of doubling, so rows are not copied and memory is not touched twice.
/// Capacity beyond what is used is never touched, so an overestimate costs no memory.
pub fn expected_rows(rows: usize, bytes: usize, block_end: u64, end: u64) -> usize {
    if rows == 0 || bytes == 0 {
        return 0;
    }
    let rest = end.saturating_sub(block_end) as f64;
    rows + (rest * rows as f64 / bytes as f64 * 1.1) as usize
}

/// Largest block: field offsets in a block are 32-bit.
const MAX_BLOCK: usize = (u32::MAX / 2) as usize;

/// Why [`scan`] failed.
#[derive(Debug)]
pub enum ScanError {
    /// Reading the input failed, or a record is larger than [`MAX_BLOCK`].
    Io(std::io::Error),
    /// A parsing thread panicked: a bug.
    Internal(String),
}

/// Read `prefix` then `rest` (the bytes after the prefix) as blocks of whole records, parse each
/// block with `parse` on `workers` threads, and `merge` the results in file order.
///
/// `prefix` starts on a record boundary, at file line `first_line` and byte `first_offset`;
/// fields are separated by `delimiter`. When `hasher` is given, every byte of `rest` is fed to
/// it (the caller hashes what came before).
#[allow(clippy::too_many_arguments)]
pub fn scan<R, T, P, M>(
    prefix: Vec<u8>,
    rest: R,
    first_line: u64,
    first_offset: u64,
    delimiter: u8,
    hasher: Option<Sha256>,
    workers: usize,
    parse: P,
    mut merge: M,
) -> Result<Scanned, ScanError>
where
    R: Read + Send,
    T: Send,
    P: Fn(&Block) -> T + Sync,
    M: FnMut(T),
{
    let input = Input {
        prefix,
        rest,
        first_line,
        first_offset,
        delimiter,
        hasher,
    };
    let mut end = None;
    scan_files(vec![input], workers, parse, |_, event| {
        match event {
            Event::Block(t) => merge(t),
            Event::End(result) => end = Some(result),
        }
        ControlFlow::Continue(())
    })?;
    end.unwrap_or_else(|| {
        Err(ScanError::Internal(
            "the file was never read to its end".into(),
        ))
    })
}

/// One file for [`scan_files`]: `prefix` starts on a record boundary, at file line
/// `first_line` and byte `first_offset`, and `rest` yields the bytes after it; fields are
/// separated by `delimiter`. When `hasher` is given, every byte of `rest` is fed to it (the
/// caller hashes what came before).
pub struct Input<R> {
    pub prefix: Vec<u8>,
    pub rest: R,
    pub first_line: u64,
    pub first_offset: u64,
    pub delimiter: u8,
    pub hasher: Option<Sha256>,
}

/// What [`scan_files`] hands to its merge, file by file, in order.
pub enum Event<T> {
    /// The result of parsing the file's next block.
    Block(T),
    /// The file was read to its end (with its hash and NUL byte, if any), or reading it
    /// failed; its blocks all came before.
    End(Result<Scanned, ScanError>),
}

/// Read several files one after the other as one stream of blocks, parse every block with
/// `parse` on `workers` threads, and `merge` the results in order: each file's blocks, then
/// its [`Event::End`], with the file's position in `inputs`. When `merge` breaks, reading
/// stops and nothing more is merged.
///
/// The next file is read while the cores finish the last blocks of the one before, so a range
/// delivered as many files costs no more than one file. A file that cannot be read ends with
/// an error and the next one is read all the same. Reading stays at most [`AHEAD`] blocks
/// ahead of merging, so a merge that takes its time (a file read again whole) never makes the
/// rest of the input pile up in memory.
pub fn scan_files<R, T, P, M>(
    inputs: Vec<Input<R>>,
    workers: usize,
    parse: P,
    mut merge: M,
) -> Result<(), ScanError>
where
    R: Read + Send,
    T: Send,
    P: Fn(&Block) -> T + Sync,
    M: FnMut(usize, Event<T>) -> ControlFlow<()>,
{
    let workers = workers.max(1);
    let stopping = AtomicBool::new(false);
    std::thread::scope(|scope| {
        // Everything the threads wait on is owned inside this closure, so that if the merge
        // panics, unwinding drops it and every thread is let go.
        let (block_tx, block_rx) = sync_channel::<Block>(workers * 2);
        // Shared by the workers: when the last one is gone, a reader waiting to hand over a
        // block is let go.
        let block_rx = Arc::new(Mutex::new(block_rx));
        let (done_tx, done_rx) = channel::<(usize, Done<T>)>();
        // Buffers back from the parsers and the hashing thread; the last of the two to let go
        // of one makes it reusable.
        let (free_tx, free_rx) = channel::<Arc<Vec<u8>>>();
        // One token per block between reading it and merging it.
        let ahead = AHEAD.max(workers * 4);
        let (token_tx, token_rx) = sync_channel::<()>(ahead);
        for _ in 0..ahead {
            let _ = token_tx.send(());
        }
        // Hashing runs on its own thread: on a machine with cores to spare it costs no time.
        // It reads the blocks themselves, from their `skip`th byte (the caller hashed the
        // prefix), and ends each file: a file's end comes after its hash.
        let (hash_tx, hash_rx) = sync_channel::<ToHash>(workers * 2 + 2);
        let spent_tx = free_tx.clone();
        let ends_tx = done_tx.clone();
        let hashing = scope.spawn(move || {
            let mut hasher: Option<Sha256> = None;
            for message in hash_rx {
                match message {
                    ToHash::Start(h) => hasher = h,
                    ToHash::Bytes(chunk, skip) => {
                        if let Some(h) = hasher.as_mut() {
                            h.update(&chunk[skip.min(chunk.len())..]);
                        }
                        let _ = spent_tx.send(chunk);
                    }
                    ToHash::End(seq, file, result) => {
                        let result = result.map(|mut scanned| {
                            scanned.sha256 = hasher.take().map(|h| super::hex(&h.finalize()));
                            scanned
                        });
                        let _ = ends_tx.send((seq, Done::End(file, result)));
                    }
                }
            }
        });
        let stopping = &stopping;
        let reader = scope.spawn(move || {
            let to = Handover {
                blocks: block_tx,
                tokens: token_rx,
                free: free_rx,
                stopping,
                closed: std::cell::Cell::new(false),
            };
            let mut seq = 0usize;
            for (file, input) in inputs.into_iter().enumerate() {
                if to.stopped() {
                    return;
                }
                let hashed = input.hasher.is_some();
                if hash_tx.send(ToHash::Start(input.hasher)).is_err() {
                    return;
                }
                let result = read_blocks(
                    input.prefix,
                    input.rest,
                    input.first_line,
                    input.first_offset,
                    input.delimiter,
                    file,
                    &mut seq,
                    hashed.then_some(&hash_tx),
                    &to,
                );
                if to.stopped() || hash_tx.send(ToHash::End(seq, file, result)).is_err() {
                    return;
                }
                seq += 1;
            }
        });
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let block_rx = Arc::clone(&block_rx);
            let parse = &parse;
            scope.spawn(move || loop {
                let block = match block_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok(block) = block else { return };
                // A panic is reported as a failed block, never a hang.
                let result =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parse(&block))).ok();
                if done_tx
                    .send((block.seq, Done::Block(block.file, result, block.data)))
                    .is_err()
                {
                    return;
                }
            });
        }
        drop((done_tx, block_rx));
        // Results wait here for their turn; a block's bytes are reusable at once.
        let mut pending: BTreeMap<usize, Merge<T>> = BTreeMap::new();
        let mut next = 0usize;
        let (mut panicked, mut stopped) = (false, false);
        for (seq, done) in done_rx {
            let done = match done {
                Done::Block(file, result, data) => {
                    let _ = free_tx.send(data);
                    Merge::Block(file, result)
                }
                Done::End(file, result) => Merge::End(file, result),
            };
            pending.insert(seq, done);
            while let Some(done) = pending.remove(&next) {
                next += 1;
                let flow = match done {
                    Merge::Block(file, result) => {
                        let _ = token_tx.try_send(());
                        match result {
                            _ if stopped => ControlFlow::Continue(()),
                            Some(result) => merge(file, Event::Block(result)),
                            None => {
                                panicked = true;
                                ControlFlow::Break(())
                            }
                        }
                    }
                    Merge::End(_, _) if stopped => ControlFlow::Continue(()),
                    Merge::End(file, result) => {
                        merge(file, Event::End(result.map_err(ScanError::Io)))
                    }
                };
                if flow.is_break() {
                    // The reader stops at its next block; what is under way is dropped.
                    stopped = true;
                    stopping.store(true, Ordering::Relaxed);
                }
            }
        }
        drop((free_tx, token_tx));
        reader
            .join()
            .map_err(|_| ScanError::Internal("the reading thread failed".into()))?;
        hashing
            .join()
            .map_err(|_| ScanError::Internal("the hashing thread failed".into()))?;
        if panicked {
            return Err(ScanError::Internal("a parsing thread failed".into()));
        }
        Ok(())
    })
}

/// Blocks read but not merged yet, at most (at least four per parsing thread): enough to keep
/// every core busy, few enough that their results take little memory.
pub const AHEAD: usize = 16;

/// What the merging side receives, by sequence number: a parsed block (`None` when its parser
/// panicked) with its buffer, or the end of a file.
enum Done<T> {
    Block(usize, Option<T>, Arc<Vec<u8>>),
    End(usize, std::io::Result<Scanned>),
}

/// A result waiting for its turn to be merged.
enum Merge<T> {
    Block(usize, Option<T>),
    End(usize, std::io::Result<Scanned>),
}

/// What the hashing thread receives: a file's hasher (when it is hashed), its blocks with how
/// many of their first bytes to leave out, and its end (sequence number, file, what the reader
/// found).
enum ToHash {
    Start(Option<Sha256>),
    Bytes(Arc<Vec<u8>>, usize),
    End(usize, usize, std::io::Result<Scanned>),
}

/// The reader's side of the hand-over to the parsers.
struct Handover<'a> {
    blocks: SyncSender<Block>,
    /// A token per block in flight (see [`AHEAD`]).
    tokens: Receiver<()>,
    /// Buffers the parsers and the hasher are done with.
    free: Receiver<Arc<Vec<u8>>>,
    /// Set when the merge wants no more.
    stopping: &'a AtomicBool,
    /// The parsers are gone.
    closed: std::cell::Cell<bool>,
}

impl Handover<'_> {
    fn stopped(&self) -> bool {
        self.closed.get() || self.stopping.load(Ordering::Relaxed)
    }

    /// Hand over a block once a token is free; `false` when reading should stop.
    fn send(&self, block: Block) -> bool {
        let sent = !self.stopped() && self.tokens.recv().is_ok() && self.blocks.send(block).is_ok();
        if !sent {
            self.closed.set(true);
        }
        sent && !self.stopped()
    }
}

/// The reading side of [`scan`]: looks for NUL bytes as it reads.
struct Source<R> {
    rest: R,
    nul_at: Option<u64>,
    eof: bool,
}

impl<R: Read> Source<R> {
    /// Append up to `want` bytes to `buf`, whose first byte is at file offset `offset`.
    fn fill(&mut self, buf: &mut Vec<u8>, want: usize, offset: u64) -> std::io::Result<()> {
        let before = buf.len();
        let n = (&mut self.rest).take(want as u64).read_to_end(buf)?;
        if n == 0 {
            self.eof = true;
        }
        let fresh = &buf[before..];
        if self.nul_at.is_none() {
            if let Some(p) = memchr::memchr(0, fresh) {
                self.nul_at = Some(offset + (before + p) as u64);
            }
        }
        Ok(())
    }
}

/// Cut one file into blocks, numbered from `seq` on (left at the next free number), for the
/// parsers and, when `hash` is given, the hashing thread.
#[allow(clippy::too_many_arguments)]
fn read_blocks<R: Read>(
    prefix: Vec<u8>,
    rest: R,
    first_line: u64,
    first_offset: u64,
    delimiter: u8,
    file: usize,
    seq: &mut usize,
    mut hash: Option<&SyncSender<ToHash>>,
    to: &Handover,
) -> std::io::Result<Scanned> {
    // The prefix was hashed by the caller.
    let mut unhashed_prefix = prefix.len();
    let mut source = Source {
        rest,
        nul_at: memchr::memchr(0, &prefix).map(|p| first_offset + p as u64),
        eof: false,
    };
    let mut buf = prefix;
    let mut cutter = Cutter::new(delimiter);
    let (mut line, mut offset) = (first_line, first_offset);
    loop {
        while !source.eof && buf.len() < BLOCK {
            let want = (BLOCK - buf.len()).max(BLOCK / 4);
            source.fill(&mut buf, want, offset)?;
        }
        cutter.scan(&buf, source.eof);
        let cut = if source.eof { buf.len() } else { cutter.cut };
        if cut == 0 {
            if source.eof {
                break;
            }
            if buf.len() >= MAX_BLOCK {
                return Err(std::io::Error::other(
                    "a single record is larger than 2 GiB: the file is not a CSV export, or a quote is never closed",
                ));
            }
            // One record longer than a block: read on until it ends.
            let want = buf.len();
            source.fill(&mut buf, want, offset)?;
            continue;
        }
        // A buffer both the parsers and the hasher are done with, else a new one.
        let mut next = to
            .free
            .try_iter()
            .find_map(|b| Arc::try_unwrap(b).ok())
            .unwrap_or_default();
        next.clear();
        next.reserve(BLOCK.max(buf.len() - cut));
        next.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        let data = Arc::new(std::mem::replace(&mut buf, next));
        let len = data.len() as u64;
        if let Some(to_hash) = hash {
            let skip = unhashed_prefix.min(data.len());
            unhashed_prefix -= skip;
            if to_hash
                .send(ToHash::Bytes(Arc::clone(&data), skip))
                .is_err()
            {
                hash = None;
            }
        }
        let block = Block {
            seq: *seq,
            file,
            first_line: line,
            offset,
            plain: cutter.plain_before(data.len()),
            data,
        };
        *seq += 1;
        if !to.send(block) || source.eof {
            break;
        }
        line += cutter.newlines_at_cut;
        offset += len;
        cutter.shift();
    }
    Ok(Scanned {
        sha256: None,
        nul_at: source.nul_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_fields_lose_doubled_and_closing_quotes() {
        // The rule, one character at a time: `""` is a quote, a lone quote is dropped.
        fn reference(s: &str) -> String {
            let mut out = String::new();
            let mut chars = s.chars().peekable();
            while let Some(c) = chars.next() {
                if c != '"' {
                    out.push(c);
                } else if chars.peek() == Some(&'"') {
                    chars.next();
                    out.push('"');
                }
            }
            out
        }
        for raw in [
            "[\"\"mobilePhone\"\",\"\"email\"\"]",
            "a\"b",
            "\"\"",
            "\"",
            "é\"\"ü\"x",
            "\"\"\"",
            "plain",
        ] {
            let f = FieldRef {
                start: 0,
                end: raw.len() as u32,
                escaped: true,
            };
            assert_eq!(text(raw, f), reference(raw), "{raw:?}");
        }
    }

    fn split_all(data: &[u8], slots: &[u8], n: usize) -> Vec<(u64, usize, Vec<String>)> {
        let mut r = Records::new(data, b',', 2);
        let mut out = vec![FieldRef::default(); n];
        let mut rows = Vec::new();
        while let Some(rec) = r.next(slots, &mut out) {
            let fields = out
                .iter()
                .map(|f| text(utf8(data).unwrap(), *f).into_owned())
                .collect();
            rows.push((rec.line, rec.fields, fields));
        }
        rows
    }

    #[test]
    fn splits_quoted_fields_crlf_and_projects() {
        let data = b"a,\"b, \"\"x\"\"\",c\r\n\"multi\nline\",2,3\r\nlast,row,\"end\"";
        let rows = split_all(data, &[0, 1, UNUSED], 2);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0], (2, 3, vec!["a".into(), "b, \"x\"".into()]));
        assert_eq!(rows[1], (3, 3, vec!["multi\nline".into(), "2".into()]));
        assert_eq!(rows[2], (5, 3, vec!["last".into(), "row".into()]));
    }

    #[test]
    fn blank_lines_and_short_rows_are_reported() {
        let data = b"a,b\n\n,\nc\n";
        let mut r = Records::new(data, b',', 1);
        let mut out = vec![FieldRef::default(); 2];
        let recs: Vec<Record> = std::iter::from_fn(|| r.next(&[0, 1], &mut out)).collect();
        assert_eq!(
            recs.iter()
                .map(|r| (r.line, r.fields, r.blank))
                .collect::<Vec<_>>(),
            vec![(1, 2, false), (2, 1, true), (3, 2, true), (4, 1, false)]
        );
    }

    #[test]
    fn blocks_end_on_record_boundaries_and_keep_order() {
        // Records with a quoted line break, far more data than one block.
        let mut data = Vec::new();
        let mut expected = Vec::new();
        for i in 0..300_000u32 {
            data.extend_from_slice(format!("{i},\"x\ny\",z\r\n").as_bytes());
            expected.push(i);
        }
        let prefix = data[..1000].to_vec();
        let rest = std::io::Cursor::new(data[1000..].to_vec());
        let mut seen = Vec::new();
        let mut lines = Vec::new();
        let scanned = scan(
            prefix,
            rest,
            2,
            0,
            b',',
            Some(Sha256::new()),
            2,
            |block| {
                let mut r = Records::new(&block.data, b',', block.first_line);
                let block_text = utf8(&block.data).unwrap();
                let mut out = vec![FieldRef::default(); 1];
                let mut got = Vec::new();
                while let Some(rec) = r.next(&[0], &mut out) {
                    let v: u32 = text(block_text, out[0]).parse().unwrap();
                    got.push((v, rec.line));
                }
                got
            },
            |got| {
                for (v, line) in got {
                    seen.push(v);
                    lines.push(line);
                }
            },
        )
        .unwrap();
        assert_eq!(seen, expected);
        // Each record spans two lines.
        assert!(lines
            .iter()
            .enumerate()
            .all(|(i, l)| *l == 2 + 2 * i as u64));
        let mut h = Sha256::new();
        h.update(&data[1000..]);
        let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(scanned.sha256.unwrap(), hex);
        assert_eq!(scanned.nul_at, None);
    }

    #[test]
    fn stray_text_unterminated_quotes_and_quoted_crlf() {
        let data = b"\"a\"b,\"x\r\ny\"\r\n\"open,to the end";
        let rows = split_all(data, &[0, 1], 2);
        assert_eq!(rows[0], (2, 2, vec!["ab".into(), "x\r\ny".into()]));
        // The unterminated quote runs to the end of the data, delimiters included.
        assert_eq!(rows[1], (4, 1, vec!["open,to the end".into(), "".into()]));
        assert_eq!(rows.len(), 2);
    }

    #[test]
    fn a_record_longer_than_a_block_is_read_whole() {
        let big = "x".repeat(BLOCK + BLOCK / 2);
        let data = format!("1,\"{big}\"\n2,short\n");
        let mut all = Vec::new();
        let scanned = scan(
            Vec::new(),
            std::io::Cursor::new(data.clone().into_bytes()),
            2,
            0,
            b',',
            Some(Sha256::new()),
            2,
            |block| {
                let mut r = Records::new(&block.data, b',', block.first_line);
                let block_text = utf8(&block.data).unwrap();
                let mut out = vec![FieldRef::default(); 2];
                let mut got = Vec::new();
                while let Some(rec) = r.next(&[0, 1], &mut out) {
                    got.push((rec.line, text(block_text, out[1]).len()));
                }
                got
            },
            |got: Vec<(u64, usize)>| all.extend(got),
        )
        .unwrap();
        assert_eq!(all, vec![(2, BLOCK + BLOCK / 2), (3, 5)]);
        let mut h = Sha256::new();
        h.update(data.as_bytes());
        let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(scanned.sha256.unwrap(), hex);
    }

    #[test]
    fn nul_bytes_are_found_with_their_file_offset() {
        let mut data = vec![b'a'; 100];
        data[77] = 0;
        let scanned = scan(
            Vec::new(),
            std::io::Cursor::new(data),
            1,
            1000,
            b',',
            None,
            1,
            |_| (),
            |_| (),
        )
        .unwrap();
        assert_eq!(scanned.nul_at, Some(1077));
        let scanned = scan(
            b"ab\0".to_vec(),
            std::io::empty(),
            1,
            10,
            b',',
            None,
            1,
            |_| (),
            |_| (),
        )
        .unwrap();
        assert_eq!(scanned.nul_at, Some(12));
    }

    /// Scan `data` in blocks and return every record's first field and line, in order.
    fn firsts(prefix: Vec<u8>, rest: Vec<u8>) -> (Vec<(String, u64)>, usize) {
        let mut all = Vec::new();
        let mut blocks = 0;
        scan(
            prefix,
            std::io::Cursor::new(rest),
            2,
            0,
            b',',
            None,
            2,
            |block| {
                let mut r = Records::new(&block.data, b',', block.first_line);
                let block_text = utf8(&block.data).unwrap();
                let mut out = vec![FieldRef::default(); 1];
                let mut got = Vec::new();
                while let Some(rec) = r.next(&[0], &mut out) {
                    got.push((text(block_text, out[0]).into_owned(), rec.line));
                }
                got
            },
            |got: Vec<(String, u64)>| {
                blocks += 1;
                all.extend(got);
            },
        )
        .unwrap();
        (all, blocks)
    }

    #[test]
    fn quotes_inside_unquoted_fields_do_not_confuse_block_cuts() {
        // A literal quote in an unquoted field (`5" screen`) must not flip the quote state used
        // to find block ends; a later quoted line break must not split a record.
        let mut data = Vec::new();
        let mut expected = Vec::new();
        for i in 0..1_000_000u32 {
            if i == 3 {
                data.extend_from_slice(b"3,5\" screen\n");
            } else if i % 1000 == 7 {
                data.extend_from_slice(format!("{i},\"multi\nline\"\n").as_bytes());
            } else {
                data.extend_from_slice(format!("{i},\"a \"\"b\"\" c\"\n").as_bytes());
            }
            expected.push(i.to_string());
        }
        let (rows, blocks) = firsts(Vec::new(), data);
        assert!(blocks > 1, "several blocks");
        assert_eq!(
            rows.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>(),
            expected
        );
    }

    /// Yields its bytes, then fails (a disk error half-way through a file).
    struct Failing(std::io::Cursor<Vec<u8>>);

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(std::io::Error::other("disk error")),
                n => Ok(n),
            }
        }
    }

    #[test]
    fn files_read_together_end_in_order_with_their_own_hash() {
        // Three files as one stream: a large one, one that fails half-way, a small one.
        let file = |rows: u32, tag: &str| -> Vec<u8> {
            (0..rows)
                .flat_map(|i| format!("{tag}{i},zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\n").into_bytes())
                .collect()
        };
        let files = [file(200_000, "a"), file(150_000, "b"), file(10, "c")];
        let inputs: Vec<Input<Box<dyn Read + Send>>> = files
            .iter()
            .enumerate()
            .map(|(k, bytes)| {
                let rest: Box<dyn Read + Send> = if k == 1 {
                    Box::new(Failing(std::io::Cursor::new(bytes[10..].to_vec())))
                } else {
                    Box::new(std::io::Cursor::new(bytes[10..].to_vec()))
                };
                let mut hasher = Sha256::new();
                hasher.update(&bytes[..10]);
                Input {
                    prefix: bytes[..10].to_vec(),
                    rest,
                    first_line: 1,
                    first_offset: 0,
                    delimiter: b',',
                    hasher: Some(hasher),
                }
            })
            .collect();
        let slots = [0u8, UNUSED];
        // Per file end: rows read and NUL offset, or the error.
        type End = (usize, Result<(u64, u64), String>);
        let mut events: Vec<End> = Vec::new();
        let mut rows = [0u64; 3];
        scan_files(
            inputs,
            2,
            |block| {
                let mut records = Records::new(&block.data, b',', block.first_line);
                let mut fields = [FieldRef::default(); 1];
                let mut n = 0u64;
                let mut last = 0;
                while let Some(r) = records.next(&slots, &mut fields) {
                    n += 1;
                    last = r.line;
                }
                (block.file, n, last)
            },
            |k, event| {
                match event {
                    Event::Block((file, n, last)) => {
                        assert_eq!(file, k);
                        // A block ends on the line its rows reach.
                        assert_eq!(last, rows[k] + n);
                        rows[k] += n;
                    }
                    Event::End(result) => events.push((
                        k,
                        result
                            .map(|s| {
                                let sha = s.sha256.unwrap();
                                let expected = Sha256::digest(&files[k])
                                    .iter()
                                    .map(|b| format!("{b:02x}"))
                                    .collect::<String>();
                                assert_eq!(sha, expected, "file {k}");
                                (rows[k], s.nul_at.unwrap_or(0))
                            })
                            .map_err(|e| format!("{e:?}")),
                    )),
                }
                ControlFlow::Continue(())
            },
        )
        .unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(events[0], (0, Ok((200_000, 0))));
        assert_eq!(events[1].0, 1);
        assert!(events[1].1.as_ref().unwrap_err().contains("disk error"));
        assert_eq!(events[2], (2, Ok((10, 0))));
    }

    /// `n` files of `rows` rows each (about 56 bytes a row), for [`scan_files`].
    fn inputs(n: usize, rows: u32) -> Vec<Input<std::io::Cursor<Vec<u8>>>> {
        (0..n)
            .map(|k| {
                let bytes: Vec<u8> = (0..rows)
                    .flat_map(|i| {
                        format!("{k}-{i},wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww\n")
                            .into_bytes()
                    })
                    .collect();
                Input {
                    prefix: Vec::new(),
                    rest: std::io::Cursor::new(bytes),
                    first_line: 1,
                    first_offset: 0,
                    delimiter: b',',
                    hasher: Some(Sha256::new()),
                }
            })
            .collect()
    }

    #[test]
    fn reading_stays_a_few_blocks_ahead_of_a_slow_merge_and_stops_when_told() {
        use std::sync::atomic::AtomicUsize;
        // Three files of about 11 blocks each.
        let parsed = AtomicUsize::new(0);
        let mut merged = 0usize;
        let mut most_ahead = 0usize;
        let mut ends = 0;
        scan_files(
            inputs(3, 400_000),
            2,
            |_| {
                parsed.fetch_add(1, Ordering::SeqCst);
            },
            |k, event| {
                match event {
                    Event::Block(()) => merged += 1,
                    Event::End(r) => {
                        r.unwrap();
                        ends += 1;
                        if k == 0 {
                            // A slow end of file (a file read again whole, say).
                            std::thread::sleep(std::time::Duration::from_millis(300));
                        }
                    }
                }
                most_ahead = most_ahead.max(parsed.load(Ordering::SeqCst) - merged);
                ControlFlow::Continue(())
            },
        )
        .unwrap();
        assert_eq!(ends, 3);
        assert!(merged > 30, "{merged} blocks");
        assert!(
            most_ahead <= AHEAD.max(8),
            "{most_ahead} blocks parsed ahead"
        );

        // A merge that wants no more: reading stops within a few blocks.
        let parsed = AtomicUsize::new(0);
        let mut events = 0;
        scan_files(
            inputs(3, 400_000),
            2,
            |_| {
                parsed.fetch_add(1, Ordering::SeqCst);
            },
            |_, _| {
                events += 1;
                ControlFlow::Break(())
            },
        )
        .unwrap();
        assert_eq!(events, 1);
        assert!(parsed.load(Ordering::SeqCst) <= AHEAD.max(8) + 2);
    }

    #[test]
    fn a_merge_that_panics_lets_every_thread_go() {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let outcome = std::panic::catch_unwind(|| {
                let mut seen = 0;
                scan_files(
                    inputs(2, 300_000),
                    2,
                    |_| (),
                    |_, _| {
                        seen += 1;
                        if seen == 2 {
                            panic!("merge failed");
                        }
                        ControlFlow::Continue(())
                    },
                )
            });
            let _ = tx.send(outcome.is_err());
        });
        let panicked = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the scan returned instead of hanging");
        assert!(panicked);
    }

    #[test]
    fn a_large_prefix_is_cut_into_blocks() {
        // Files read whole arrive as one prefix: they are still parsed in blocks.
        let mut data = Vec::new();
        for i in 0..1_000_000u32 {
            data.extend_from_slice(format!("{i},xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n").as_bytes());
        }
        let (rows, blocks) = firsts(data, Vec::new());
        assert_eq!(rows.len(), 1_000_000);
        assert_eq!(rows[999_999], ("999999".to_string(), 1_000_001));
        assert!(blocks >= 3, "{blocks} blocks");
    }

    #[test]
    fn only_the_bytes_after_a_prefix_of_several_blocks_are_hashed() {
        // The caller hashes the prefix; the prefix here spans three blocks.
        let mut data = Vec::new();
        let mut i = 0u32;
        while data.len() < 3 * BLOCK + BLOCK / 2 {
            data.extend_from_slice(format!("{i},yyyyyyyyyyyyyyyyyyyyyyyy\r\n").as_bytes());
            i += 1;
        }
        let split = 2 * BLOCK + 12_345;
        let (prefix, rest) = (data[..split].to_vec(), data[split..].to_vec());
        let mut bytes = 0usize;
        let scanned = scan(
            prefix,
            std::io::Cursor::new(rest),
            1,
            0,
            b',',
            Some(Sha256::new()),
            2,
            |block| block.data.len(),
            |n| bytes += n,
        )
        .unwrap();
        assert_eq!(bytes, data.len());
        let mut h = Sha256::new();
        h.update(&data[split..]);
        let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(scanned.sha256.unwrap(), hex);
    }

    /// A record as the tests see it: start line, fields, blank, empty, extra text, and the
    /// wanted fields as `(start, end, escaped)`.
    type Split = (u64, usize, bool, bool, bool, Vec<(u32, u32, bool)>);

    /// [`Records::next`]'s rules, one byte at a time: what every record of `data` yields
    /// (start line, fields, blank, empty, extra text, and the wanted fields as
    /// `(start, end, escaped)`).
    fn reference_records(data: &[u8], delimiter: u8, slots: &[u8], n: usize) -> Vec<Split> {
        let len = data.len();
        let is_space = |r: std::ops::Range<usize>| data[r].iter().all(u8::is_ascii_whitespace);
        // The first delimiter or line feed at or after `from` (quotes are text), or the end.
        let terminator = |from: usize| {
            (from..len)
                .find(|&i| data[i] == delimiter || data[i] == b'\n')
                .unwrap_or(len)
        };
        let mut records = Vec::new();
        let (mut pos, mut line) = (0usize, 1u64);
        while pos < len {
            let start_line = line;
            let mut out = vec![(0u32, 0u32, false); n];
            let (mut index, mut blank, mut first_empty, mut extra) = (0usize, true, false, false);
            loop {
                let start = pos;
                let (field, next) = if data.get(start) == Some(&b'"') {
                    let (mut i, mut escaped, mut close) = (start + 1, false, None);
                    while i < len {
                        match data[i] {
                            b'"' if data.get(i + 1) == Some(&b'"') => {
                                escaped = true;
                                i += 1;
                            }
                            b'"' => {
                                close = Some(i);
                                break;
                            }
                            b'\n' => line += 1,
                            _ => {}
                        }
                        i += 1;
                    }
                    match close {
                        None => ((start + 1, len, escaped), len),
                        Some(close) => {
                            let t = terminator(close + 1);
                            let mut end = close;
                            let mut stray = t;
                            if stray > close + 1
                                && data[stray - 1] == b'\r'
                                && (stray == len || data[stray] == b'\n')
                            {
                                stray -= 1;
                            }
                            if stray > close + 1 {
                                end = stray;
                                escaped = true;
                            }
                            ((start + 1, end, escaped), t)
                        }
                    }
                } else {
                    let t = terminator(start);
                    let mut end = t;
                    if end > start && data[end - 1] == b'\r' && (end == len || data[end] == b'\n') {
                        end -= 1;
                    }
                    ((start, end, false), t)
                };
                let (fs, fe, escaped) = field;
                blank &= is_space(fs..fe);
                if index == 0 {
                    first_empty = fs == fe && data.get(start) != Some(&b'"');
                }
                match slots.get(index) {
                    Some(&UNUSED) => {}
                    Some(&slot) => out[slot as usize] = (fs as u32, fe as u32, escaped),
                    None => extra |= !is_space(fs..fe) || escaped,
                }
                index += 1;
                if next >= len {
                    pos = len;
                    break;
                }
                pos = next + 1;
                if data[next] == b'\n' {
                    line += 1;
                    break;
                }
            }
            records.push((
                start_line,
                index,
                blank,
                index == 1 && first_empty,
                extra,
                out,
            ));
        }
        records
    }

    /// What `records` yields for every record, as [`reference_records`] gives it.
    fn all_records(mut records: Records, slots: &[u8], n: usize) -> Vec<Split> {
        let mut out = vec![FieldRef::default(); n];
        let mut got = Vec::new();
        while let Some(rec) = records.next(slots, &mut out) {
            got.push((
                rec.line,
                rec.fields,
                rec.blank,
                rec.empty,
                rec.extra_text,
                out.iter().map(|f| (f.start, f.end, f.escaped)).collect(),
            ));
        }
        got
    }

    /// Whether the [`Cutter`] finds all of `data` (a whole file) plainly quoted.
    fn plain_quoting(data: &[u8], delimiter: u8) -> bool {
        let mut cutter = Cutter::new(delimiter);
        cutter.scan(data, true);
        cutter.plain_before(data.len())
    }

    /// A block of `data` as the reader hands it over, with `plain` quoting or not.
    fn block_of(data: &[u8], plain: bool) -> Block {
        Block {
            seq: 0,
            file: 0,
            first_line: 1,
            offset: 0,
            data: Arc::new(data.to_vec()),
            plain,
        }
    }

    /// A small deterministic random number generator for the tests below.
    struct Random(u64);

    impl Random {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) as usize % n
        }
    }

    /// Slot sets: some columns wanted, in any order, some records longer than the slots.
    fn slot_sets() -> Vec<Vec<u8>> {
        let mut long = vec![UNUSED; 90];
        (long[3], long[40], long[89]) = (0, 1, 2);
        vec![
            vec![0, 1, 2],
            vec![UNUSED, 0, UNUSED, 1],
            vec![1, UNUSED, 0],
            vec![],
            vec![0, UNUSED, UNUSED, UNUSED, 1, UNUSED, UNUSED],
            vec![
                UNUSED, UNUSED, 2, UNUSED, UNUSED, UNUSED, UNUSED, UNUSED, UNUSED, 0,
            ],
            long,
        ]
    }

    #[test]
    fn records_follow_the_byte_at_a_time_rules() {
        // Random bytes from a dense alphabet (short fields, many quotes) and a sparse one
        // (fields and records across words and batches of marks).
        let dense: &[u8] = b"ab,;\t\"\"\n\r  xy\xc3\xa9";
        let mut sparse = vec![b'x'; 200];
        sparse.extend_from_slice(b",,,,,,,,,,;;;\t\t\t\"\n");
        let mut random = Random(99);
        let slot_sets = slot_sets();
        for round in 0..3000 {
            let len = match round % 10 {
                0 => random.below(70_000),
                _ => random.below(400),
            };
            let alphabet = if round % 3 == 0 { &sparse[..] } else { dense };
            let data: Vec<u8> = (0..len)
                .map(|_| alphabet[random.below(alphabet.len())])
                .collect();
            for delimiter in [b',', b';', b'\t'] {
                let slots = &slot_sets[random.below(slot_sets.len())];
                let expected = reference_records(&data, delimiter, slots, 3);
                let got = all_records(Records::new(&data, delimiter, 1), slots, 3);
                assert_eq!(
                    got, expected,
                    "round {round}, delimiter {delimiter}, {data:?}"
                );
            }
        }
    }

    /// CSV text the way exports write it (quoted fields with delimiters, doubled quotes and
    /// carriage returns inside, CRLF or LF line ends), then, in some rounds, a few bytes
    /// replaced by random ones: stray quotes, quoted line breaks, text after closing quotes.
    fn export_like(random: &mut Random, delimiter: u8, round: usize) -> Vec<u8> {
        let text: &[u8] = b"ab  x\r\xc3\xa9";
        let quoted: &[&[u8]] = &[b"a", b" ", b"\"\"", b"\r", b",", b";", b"\t", b"\xc3\xa9"];
        let mut data = Vec::new();
        for _ in 0..random.below(if round.is_multiple_of(10) { 3000 } else { 12 }) {
            for f in 0..1 + random.below(8) {
                if f > 0 {
                    data.push(delimiter);
                }
                let len = match random.below(20) {
                    0 => 64 + random.below(300),
                    _ => random.below(6),
                };
                if random.below(3) == 0 {
                    data.push(b'"');
                    for _ in 0..len {
                        data.extend_from_slice(quoted[random.below(quoted.len())]);
                    }
                    data.push(b'"');
                } else {
                    data.extend((0..len).map(|_| text[random.below(text.len())]));
                }
            }
            data.extend_from_slice(if random.below(2) == 0 { b"\r\n" } else { b"\n" });
        }
        if random.below(4) == 0 {
            // No line feed after the last record.
            data.truncate(data.len().saturating_sub(1 + random.below(2)));
        }
        if round % 2 == 1 && !data.is_empty() {
            let noise: &[u8] = b"\"\n\r,;\tx";
            for _ in 0..1 + random.below(3) {
                let at = random.below(data.len());
                data[at] = noise[random.below(noise.len())];
            }
        }
        data
    }

    #[test]
    fn plainly_quoted_blocks_split_as_the_byte_at_a_time_rules() {
        let mut random = Random(7);
        let slot_sets = slot_sets();
        let (mut plain, mut not_plain) = (0, 0);
        for round in 0..4000 {
            let delimiter = [b',', b';', b'\t'][round % 3];
            let data = export_like(&mut random, delimiter, round);
            let slots = &slot_sets[random.below(slot_sets.len())];
            let expected = reference_records(&data, delimiter, slots, 3);
            let is_plain = plain_quoting(&data, delimiter);
            let block = block_of(&data, is_plain);
            let got = all_records(Records::for_block(&block, delimiter), slots, 3);
            assert_eq!(got, expected, "round {round}, plain {is_plain}, {data:?}");
            if is_plain {
                plain += 1;
            } else {
                not_plain += 1;
            }
        }
        // Both ways were taken, often.
        assert!(
            plain > 1000 && not_plain > 1000,
            "{plain} plain, {not_plain} not"
        );
    }

    #[test]
    fn the_cutter_tells_plain_quoting() {
        for (data, plain) in [
            (&b"a,\"b,c\"\n\"d\"\r\ne,f"[..], true),
            (b"a,\"b\"\"c\"\"\",\"\"\n", true),
            (b"\"x\"\"\"\n", true),
            (b"a,b\"c\n", false),
            (b"\"a\"b,c\n", false),
            (b"\"a\nb\",c\n", false),
            (b"a,\"open", false),
            (b"\"a\"\rb\n", false),
            (b"\"a\"\r,b\n", false),
            (b"a\r\"b\"\n", false),
            (b"x,\"a\"", false),
        ] {
            assert_eq!(
                plain_quoting(data, b','),
                plain,
                "{:?}",
                String::from_utf8_lossy(data)
            );
        }
        // Quoting by the file's own delimiter.
        assert!(plain_quoting(b"a;\"b;c\"\n", b';'));
        assert!(!plain_quoting(b"a;\"b\",c\n", b';'));
    }

    #[test]
    fn only_blocks_with_a_stray_quote_are_split_the_careful_way() {
        // Plainly quoted records, far more than one block, one with a quote in unquoted text.
        let mut data = Vec::new();
        let odd = 250_000u32;
        for i in 0..400_000u32 {
            if i == odd {
                data.extend_from_slice(format!("{i},a\"b,z\r\n").as_bytes());
            } else {
                data.extend_from_slice(format!("{i},\"x, \"\"y\"\"\",z\r\n").as_bytes());
            }
        }
        let mut seen = Vec::new();
        let mut blocks = Vec::new();
        scan(
            Vec::new(),
            std::io::Cursor::new(data),
            1,
            0,
            b',',
            None,
            2,
            |block| {
                let block_text = utf8(&block.data).unwrap();
                let mut records = Records::for_block(block, b',');
                let mut out = vec![FieldRef::default(); 2];
                let mut got = Vec::new();
                while let Some(rec) = records.next(&[0, 1], &mut out) {
                    let i: u32 = text(block_text, out[0]).parse().unwrap();
                    got.push((i, rec.line, text(block_text, out[1]).into_owned()));
                }
                (block.plain, got)
            },
            |(plain, got)| {
                blocks.push((plain, got.iter().any(|(i, _, _)| *i == odd)));
                seen.extend(got);
            },
        )
        .unwrap();
        assert!(blocks.len() > 3);
        for (plain, has_odd) in &blocks {
            assert_eq!(*plain, !has_odd);
        }
        assert_eq!(seen.len(), 400_000);
        for (k, (i, line, second)) in seen.iter().enumerate() {
            assert_eq!((*i, *line), (k as u32, k as u64 + 1));
            let want = if *i == odd { "a\"b" } else { "x, \"y\"" };
            assert_eq!(second, want);
        }
    }

    #[test]
    fn structural_positions_are_every_delimiter_quote_and_line_feed() {
        let alphabet = b"ab,;\t\"\n\r \xc3\xa9";
        let mut x = 12345u64;
        for len in (0..300).chain([1000, 4096, 4097, 16383, 16384, 16385, 40000]) {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    alphabet[(x >> 33) as usize % alphabet.len()]
                })
                .collect();
            for delimiter in [b',', b';', b'\t'] {
                let expected: Vec<usize> = data
                    .iter()
                    .enumerate()
                    .filter(|(_, &b)| b == delimiter || b == b'"' || b == b'\n')
                    .map(|(i, _)| i)
                    .collect();
                let mut marks = Structural::new(&data, delimiter, false);
                let got: Vec<usize> = std::iter::from_fn(|| marks.next(&data)).collect();
                assert_eq!(marks.next(&data), None);
                assert_eq!(got, expected, "length {len}, delimiter {delimiter}");
            }
        }
    }
}
