//! The compact store of user sign-ins. Millions of rows arrive, but a sign-in column holds few
//! distinct values: each text column is kept as codes into a dictionary ("interned"), ids as
//! 128-bit numbers, times as microseconds. Values are classified (status, requirement, legacy
//! protocol, MFA family, …) once per distinct value when the frame is built, never per row.
//!
//! The frame that [`SignInTable::finish`] returns has one row per sign-in and only numeric
//! columns; the texts behind the codes are in [`Vocab`], the users behind `ident` in the
//! identities frame. Column meanings are documented on [`SignInTable::finish`].

use polars::prelude::*;

use super::signin_values::{
    country, is_hybrid, is_registration_app, legacy_protocol, mfa_family, mfa_kind, LEGACY_CLIENTS,
    MFA_FAMILIES, MFA_KINDS,
};
use super::signins::{ca_status, requirement, status, INTERRUPT_CODES};

/// Codes of the `status` column.
pub const STATUS_SUCCESS: u32 = 0;
pub const STATUS_FAILURE: u32 = 1;
pub const STATUS_INTERRUPTED: u32 = 2;
/// Codes of the `requirement` column.
pub const REQUIREMENT_SINGLE: u32 = 0;
pub const REQUIREMENT_MULTI: u32 = 1;
/// Codes of the `mfa_kind` column (positions in [`MFA_KINDS`]).
pub const KIND_COMPLETED: u32 = 0;
pub const KIND_TOKEN: u32 = 1;
pub const KIND_EXTERNAL: u32 = 2;

/// A 64-bit hash of bytes (multiply-rotate, as FxHash, with a final mix): fast on short keys.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    let mut h = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    let rem = chunks.remainder();
    if !rem.is_empty() {
        let mut b = [0u8; 8];
        b[..rem.len()].copy_from_slice(rem);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
    }
    h ^ (h >> 32)
}

/// A `Hasher` for numeric keys (request ids, codes): one multiply per word, as FxHash.
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = (self.0.rotate_left(5) ^ hash_bytes(bytes)).wrapping_mul(0xf135_7aea_2e62_a9c5);
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0xf135_7aea_2e62_a9c5);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }
}

/// Builds [`FastHasher`]s for `HashMap` and `HashSet`.
pub type FastHash = std::hash::BuildHasherDefault<FastHasher>;

/// Distinct strings and their codes (0, 1, … in order of first appearance).
#[derive(Debug, Clone, Default)]
pub struct Interner {
    /// Open addressing: 0 is empty, else the value's code + 1 in the low 32 bits and the high
    /// 32 bits of its hash in the high ones, so a probe rarely reads another value (in a table
    /// of a million identities, each read elsewhere misses the caches).
    slots: Vec<u64>,
    /// Each value's hash, for growing the table.
    hashes: Vec<u64>,
    values: Vec<Box<str>>,
}

const TAG: u64 = !0xffff_ffff;

impl Interner {
    /// An interner whose first codes are `seed`.
    pub fn seeded(seed: &[&str]) -> Self {
        let mut i = Interner::default();
        for s in seed {
            i.intern(s);
        }
        i
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn values(&self) -> &[Box<str>] {
        &self.values
    }

    fn slot_of(&self, hash: u64) -> usize {
        (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - self.slots.len().trailing_zeros()))
            as usize
    }

    /// The code of `s`, added when new.
    pub fn intern(&mut self, s: &str) -> u32 {
        self.intern_hashed(s, hash_bytes(s.as_bytes()))
    }

    /// [`Interner::intern`] with `hash` = `hash_bytes(s)` worked out beforehand (on another
    /// thread).
    pub fn intern_hashed(&mut self, s: &str, hash: u64) -> u32 {
        if self.slots.len() < 2 * (self.values.len() + 1) {
            self.grow();
        }
        let tag = hash & TAG;
        let mask = self.slots.len() - 1;
        let mut i = self.slot_of(hash);
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                let code = self.values.len() as u32;
                self.slots[i] = tag | (code as u64 + 1);
                self.hashes.push(hash);
                self.values.push(s.into());
                return code;
            }
            if slot & TAG == tag {
                let code = ((slot & !TAG) - 1) as usize;
                if &*self.values[code] == s {
                    return code as u32;
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// The codes of the keys `text[ends[k - 1]..ends[k]]` (from 0 for the first) with their
    /// hashes worked out beforehand, in order, appended to `codes`: [`Interner::intern_hashed`]
    /// for each, with the memory each will read requested a few keys ahead. In a table of a
    /// million identities nearly every key's slot, entry and text miss the caches; waiting for
    /// them one after the other was most of the time.
    pub fn intern_all(&mut self, text: &str, ends: &[u32], hashes: &[u64], codes: &mut Vec<u32>) {
        // Room for every key, so the table does not move while keys are looked ahead.
        let needed = 2 * (self.values.len() + ends.len() + 1);
        if self.slots.len() < needed {
            self.grow_to(needed.next_power_of_two());
        }
        codes.reserve(ends.len());
        // Slot of the key this far ahead, then its entry, then its text: each read is asked
        // for once the one before it has arrived.
        const SLOT: usize = 12;
        const ENTRY: usize = 8;
        const TEXT: usize = 4;
        let mut start = 0usize;
        for (k, (&end, &hash)) in ends.iter().zip(hashes).enumerate() {
            if let Some(&h) = hashes.get(k + SLOT) {
                prefetch(&self.slots[self.slot_of(h)]);
            }
            if let Some(code) = hashes.get(k + ENTRY).and_then(|&h| self.first_code(h)) {
                prefetch(&self.values[code]);
            }
            if let Some(code) = hashes.get(k + TEXT).and_then(|&h| self.first_code(h)) {
                prefetch(self.values[code].as_ptr());
            }
            let end = end as usize;
            codes.push(self.intern_hashed(&text[start..end], hash));
            start = end;
        }
    }

    /// The code in the first slot that `hash` probes, when the slot holds a value with the
    /// same hash tag (usually the value with that hash).
    #[inline]
    fn first_code(&self, hash: u64) -> Option<usize> {
        let slot = self.slots[self.slot_of(hash)];
        (slot != 0 && slot & TAG == hash & TAG).then(|| ((slot & !TAG) - 1) as usize)
    }

    fn grow(&mut self) {
        self.grow_to((self.slots.len() * 2).max(16));
    }

    /// Rebuild the table with `size` slots (a power of two).
    fn grow_to(&mut self, size: usize) {
        self.slots = vec![0; size];
        let mask = size - 1;
        for (code, &hash) in self.hashes.iter().enumerate() {
            let mut i = self.slot_of(hash);
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = (hash & TAG) | (code as u64 + 1);
        }
    }
}

/// A numeric column of `items` (`None` is null), built in bulk: the values, then one validity
/// bitmap, instead of value by value.
fn nullable<T: PolarsNumericType>(
    name: &str,
    items: impl ExactSizeIterator<Item = Option<T::Native>>,
) -> Column {
    let mut values = Vec::with_capacity(items.len());
    let mut valid = Vec::with_capacity(items.len());
    for item in items {
        valid.push(item.is_some());
        values.push(item.unwrap_or_default());
    }
    with_nulls::<T>(
        name,
        values,
        &BooleanChunked::from_slice("valid".into(), &valid),
    )
    .into_column()
}

/// `values` as a column, null where `valid` (one chunk, of the same length) is false; without a
/// validity bitmap when every value is valid. Columns of the same rows can share one `valid`:
/// its bitmap is shared, not copied.
pub fn with_nulls<T: PolarsNumericType>(
    name: &str,
    values: Vec<T::Native>,
    valid: &BooleanChunked,
) -> ChunkedArray<T> {
    let validity = if valid.all() {
        None
    } else {
        valid.downcast_iter().next().map(|a| a.values().clone())
    };
    ChunkedArray::<T>::from_vec(name.into(), values).with_validity(validity)
}

/// Ask for the memory at `p` to be brought into the caches (a hint: nothing is read).
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and reads nothing into the program; any address is
    // allowed.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// The 128-bit key of a GUID-like id (`Request ID`, `Correlation ID`), ignoring case, dashes
/// and braces; an id that is not a GUID gets a hash-based key instead (its top 64 bits are 1,
/// which no GUID has: the version digit is never 0). 0 stands for "no id".
pub fn guid_key(raw: &str) -> u128 {
    let v = super::values::trim(raw);
    if v.is_empty() {
        return 0;
    }
    let b = v.as_bytes();
    // The usual form, `8-4-4-4-12` hex digits, decoded directly.
    if b.len() == 36 && b[8] == b'-' && b[13] == b'-' && b[18] == b'-' && b[23] == b'-' {
        // Each group decoded into 64-bit halves; a byte that is not a hex digit sets the high
        // bits of `bad` (its table entry is 0xff).
        let mut bad = 0u8;
        let hi = hex_digits(&b[0..8], &mut bad) << 32
            | hex_digits(&b[9..13], &mut bad) << 16
            | hex_digits(&b[14..18], &mut bad);
        let lo = hex_digits(&b[19..23], &mut bad) << 48 | hex_digits(&b[24..36], &mut bad);
        let n = (hi as u128) << 64 | lo as u128;
        if bad & 0xf0 == 0 && n != 0 {
            return n;
        }
    }
    let mut n: u128 = 0;
    let mut digits = 0;
    for &c in b {
        if matches!(c, b'-' | b'{' | b'}') {
            continue;
        }
        let d = HEX[c as usize];
        if d == 0xff {
            digits = 99;
            break;
        }
        n = (n << 4) | d as u128;
        digits += 1;
    }
    if digits == 32 && n != 0 {
        return n;
    }
    (1u128 << 64) | hash_bytes(v.to_lowercase().as_bytes()) as u128
}

/// The value of up to 16 hex digits; every byte's table entry is or-ed into `bad`.
#[inline(always)]
fn hex_digits(digits: &[u8], bad: &mut u8) -> u64 {
    let mut n = 0u64;
    for &c in digits {
        let d = HEX[c as usize];
        *bad |= d;
        n = (n << 4) | u64::from(d & 0x0f);
    }
    n
}

/// Hex digit values; 0xff for other bytes.
const HEX: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// The text columns of a sign-in that are interned as read.
#[derive(Debug, Clone, Copy)]
pub enum Raw {
    Status,
    Requirement,
    ConditionalAccess,
    ClientApp,
    MfaResult,
    MfaMethod,
    App,
    AppId,
    JoinType,
    Location,
}

const RAW_COLUMNS: usize = 10;

/// One sign-in as read (values trimmed, empty as `None`).
#[derive(Debug, Default, Clone, Copy)]
pub struct SignInRow<'a> {
    pub source: u32,
    pub interactive: bool,
    pub time_us: Option<i64>,
    pub request_id: Option<&'a str>,
    pub correlation_id: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub upn: Option<&'a str>,
    pub error_code: Option<i64>,
    pub compliant: Option<bool>,
    pub raw: [Option<&'a str>; RAW_COLUMNS],
}

impl<'a> SignInRow<'a> {
    pub fn set(&mut self, column: Raw, value: Option<&'a str>) {
        self.raw[column as usize] = value.map(super::values::trim).filter(|v| !v.is_empty());
    }
}

const NONE: u32 = u32::MAX;
const NO_TIME: i64 = i64::MIN;

/// Sign-ins being read: one entry per row, texts interned.
#[derive(Debug, Clone, Default)]
pub struct SignInTable {
    source: Vec<u32>,
    interactive: Vec<bool>,
    time_us: Vec<i64>,
    request: Vec<u128>,
    correlation: Vec<u128>,
    ident: Vec<u32>,
    error_code: Vec<i64>,
    /// 0 unknown, 1 false, 2 true.
    compliant: Vec<u8>,
    codes: [Vec<u32>; RAW_COLUMNS],
    dicts: [Interner; RAW_COLUMNS],
    /// `upn_key` U+001F `user_id`, both lower-cased.
    identities: Interner,
    key: String,
    /// Code of the last value of each column: repeated values skip the hash lookup.
    last: [Option<u32>; RAW_COLUMNS],
    /// In a block's table: identities not interned yet (see [`SignInTable::deferred`]).
    pending: Option<Pending>,
}

/// Identity keys of rows whose identity is interned later, into the table they are appended to:
/// a parsing thread then does not build a dictionary that the merge would only translate.
#[derive(Debug, Clone, Default)]
struct Pending {
    /// The identity keys of the rows, one after the other.
    text: String,
    /// Per row, where its key ends in `text`.
    ends: Vec<u32>,
    /// Per row, the hash of its key (worked out by the parsing thread).
    hashes: Vec<u64>,
}

/// The lower-case form of an identifier, borrowing when it already is.
fn lower(s: &str) -> std::borrow::Cow<'_, str> {
    // Every byte is looked at (no early exit), which the compiler turns into vector compares.
    let changes = s
        .bytes()
        .fold(false, |any, b| any | b.is_ascii_uppercase() | (b >= 0x80));
    if changes {
        std::borrow::Cow::Owned(s.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

impl SignInTable {
    /// A table for one block of a file: its users' identities are interned only when it is
    /// appended to the file's table.
    pub fn deferred() -> Self {
        SignInTable {
            pending: Some(Pending::default()),
            ..SignInTable::default()
        }
    }

    pub fn len(&self) -> usize {
        self.source.len()
    }

    /// Forget the rows after the first `len` (a file that failed half-way). Dictionary entries
    /// and identities seen only in those rows stay, unused: nothing counts them.
    pub fn truncate(&mut self, len: usize) {
        self.source.truncate(len);
        self.interactive.truncate(len);
        self.time_us.truncate(len);
        self.request.truncate(len);
        self.correlation.truncate(len);
        self.ident.truncate(len);
        self.error_code.truncate(len);
        self.compliant.truncate(len);
        for c in self.codes.iter_mut() {
            c.truncate(len);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.source.is_empty()
    }

    /// Number the rows from `start` on as coming from file `source`.
    pub fn renumber(&mut self, start: usize, source: u32) {
        if let Some(rows) = self.source.get_mut(start..) {
            rows.fill(source);
        }
    }

    /// Make room for `rows` more rows, as far as the system grants it: the estimate can be
    /// generous, and a column that does not get its room grows as it fills.
    pub fn reserve(&mut self, rows: usize) {
        let _ = self.source.try_reserve(rows);
        let _ = self.interactive.try_reserve(rows);
        let _ = self.time_us.try_reserve(rows);
        let _ = self.request.try_reserve(rows);
        let _ = self.correlation.try_reserve(rows);
        let _ = self.ident.try_reserve(rows);
        let _ = self.error_code.try_reserve(rows);
        let _ = self.compliant.try_reserve(rows);
        for c in self.codes.iter_mut() {
            let _ = c.try_reserve(rows);
        }
    }

    /// Add one sign-in. Rows without a user (no UPN and no user id) must be left out by the
    /// caller, which reports them.
    pub fn push(&mut self, row: &SignInRow) {
        self.source.push(row.source);
        self.interactive.push(row.interactive);
        self.time_us.push(row.time_us.unwrap_or(NO_TIME));
        self.request.push(row.request_id.map_or(0, guid_key));
        self.correlation
            .push(row.correlation_id.map_or(0, guid_key));
        self.error_code.push(row.error_code.unwrap_or(NO_TIME));
        self.compliant.push(match row.compliant {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        });
        for (c, value) in row.raw.iter().enumerate() {
            let code = match value {
                None => NONE,
                Some(v) => match self.last[c] {
                    Some(last) if &*self.dicts[c].values()[last as usize] == *v => last,
                    _ => {
                        let code = self.dicts[c].intern(v);
                        self.last[c] = Some(code);
                        code
                    }
                },
            };
            self.codes[c].push(code);
        }
        let upn = row.upn.map(super::values::trim).filter(|u| !u.is_empty());
        let uid = row
            .user_id
            .map(super::values::trim)
            .filter(|u| !u.is_empty());
        // The key goes straight after the block's other keys when interned later.
        let key = match self.pending.as_mut() {
            Some(p) => &mut p.text,
            None => {
                self.key.clear();
                &mut self.key
            }
        };
        let start = key.len();
        if let Some(u) = upn {
            key.push_str(&lower(u));
        }
        key.push('\u{1f}');
        if let Some(u) = uid {
            let at = key.len();
            key.push_str(u);
            key[at..].make_ascii_lowercase();
        }
        if let Some(p) = self.pending.as_mut() {
            p.hashes.push(hash_bytes(&p.text.as_bytes()[start..]));
            p.ends.push(p.text.len() as u32);
            return;
        }
        let ident = self.identities.intern(&self.key);
        self.ident.push(ident);
    }

    /// Append another table's rows (read later in file order).
    pub fn append(&mut self, other: SignInTable) {
        if self.is_empty() && self.identities.is_empty() && other.pending.is_none() {
            *self = other;
            return;
        }
        self.source.extend(other.source);
        self.interactive.extend(other.interactive);
        self.time_us.extend(other.time_us);
        self.request.extend(other.request);
        self.correlation.extend(other.correlation);
        self.error_code.extend(other.error_code);
        self.compliant.extend(other.compliant);
        for c in 0..RAW_COLUMNS {
            let map: Vec<u32> = other.dicts[c]
                .values()
                .iter()
                .map(|v| self.dicts[c].intern(v))
                .collect();
            self.codes[c].extend(other.codes[c].iter().map(|&code| {
                if code == NONE {
                    NONE
                } else {
                    map[code as usize]
                }
            }));
        }
        if let Some(p) = other.pending {
            self.identities
                .intern_all(&p.text, &p.ends, &p.hashes, &mut self.ident);
            return;
        }
        let map: Vec<u32> = other
            .identities
            .values()
            .iter()
            .map(|k| self.identities.intern(k))
            .collect();
        self.ident
            .extend(other.ident.iter().map(|&i| map[i as usize]));
    }

    /// Build the frames.
    ///
    /// `users` has one row per sign-in: `source` (u32, file number), `interactive` (bool),
    /// `time_us` (i64 µs since 1970, UTC), `day` (i32 days since 1970), `request_hi` /
    /// `request_lo` and `correlation_hi` / `correlation_lo` (u64 halves of [`guid_key`]),
    /// `ident` (u32, row of `identities`), `status`, `requirement`, `conditional_access`,
    /// `mfa_method`, `country` (u32 codes into [`Vocab`]), `mfa_kind` (u32 position in
    /// [`MFA_KINDS`]), `mfa_family` (position in [`MFA_FAMILIES`]), `legacy_protocol` (position
    /// in [`LEGACY_CLIENTS`]), `legacy`, `registration_app`, `hybrid` (bool), `compliant`
    /// (bool), `error_code` (i64). Unknown values are null.
    ///
    /// `identities` has one row per distinct (UPN, user id) pair: `ident`, `upn_key`
    /// (lower-cased), `user_id` (lower-cased).
    pub fn finish(self) -> PolarsResult<(DataFrame, DataFrame, Vocab)> {
        let n = self.len();
        let map_dict = |c: Raw, f: &mut dyn FnMut(&str) -> Option<u32>| -> Vec<u32> {
            self.dicts[c as usize]
                .values()
                .iter()
                .map(|v| f(v).unwrap_or(NONE))
                .collect()
        };
        let flag = |c: Raw, f: &dyn Fn(&str) -> bool| -> Vec<bool> {
            self.dicts[c as usize]
                .values()
                .iter()
                .map(|v| f(v))
                .collect()
        };

        let mut status_vocab = Interner::seeded(&["success", "failure", "interrupted"]);
        let status_map = map_dict(Raw::Status, &mut |v| Some(status_vocab.intern(&status(v))));
        let status_col = nullable::<UInt32Type>(
            "status",
            self.codes[Raw::Status as usize]
                .iter()
                .zip(&self.error_code)
                .map(|(&code, &err)| {
                    if code != NONE {
                        Some(status_map[code as usize])
                    } else if err == NO_TIME {
                        None
                    } else if err == 0 {
                        Some(STATUS_SUCCESS)
                    } else if INTERRUPT_CODES.contains(&err) {
                        Some(STATUS_INTERRUPTED)
                    } else {
                        Some(STATUS_FAILURE)
                    }
                }),
        );
        let mut requirement_vocab = Interner::seeded(&["single_factor", "multi_factor"]);
        let requirement_map = map_dict(Raw::Requirement, &mut |v| {
            Some(requirement_vocab.intern(&requirement(v)))
        });
        let mut ca_vocab = Interner::seeded(&["success", "failure", "not_applied"]);
        let ca_map = map_dict(Raw::ConditionalAccess, &mut |v| {
            Some(ca_vocab.intern(&ca_status(v)))
        });
        let mut country_vocab = Interner::default();
        let country_map = map_dict(Raw::Location, &mut |v| {
            country(v).map(|c| country_vocab.intern(&c))
        });
        let position = |list: &[&str], v: &str| list.iter().position(|x| *x == v).map(|p| p as u32);
        let legacy_map = map_dict(Raw::ClientApp, &mut |v| {
            legacy_protocol(v).and_then(|p| position(LEGACY_CLIENTS, p))
        });
        let kind_map = map_dict(Raw::MfaResult, &mut |v| {
            mfa_kind(v).and_then(|k| position(MFA_KINDS, k))
        });
        let family_map = map_dict(Raw::MfaMethod, &mut |v| {
            position(MFA_FAMILIES, mfa_family(v))
        });
        let app_flag = flag(Raw::App, &|v| is_registration_app(None, Some(v)));
        let app_id_flag = flag(Raw::AppId, &|v| is_registration_app(Some(v), None));
        let hybrid_flag = flag(Raw::JoinType, &|v| is_hybrid(v));

        let method_count = self.dicts[Raw::MfaMethod as usize].len();
        // From here on each builder column is dropped as soon as its frame column exists, so the
        // two never both hold every row.
        let SignInTable {
            source,
            interactive,
            time_us,
            request,
            correlation,
            ident,
            error_code,
            compliant,
            mut codes,
            dicts,
            identities,
            ..
        } = self;
        let mut take = |c: Raw| std::mem::take(&mut codes[c as usize]);
        let coded = |name: &str, codes: &[u32], map: &[u32]| -> Column {
            nullable::<UInt32Type>(
                name,
                codes.iter().map(|&code| {
                    (code != NONE)
                        .then(|| map[code as usize])
                        .filter(|&m| m != NONE)
                }),
            )
        };
        let flagged = |codes: &[u32], flags: &[bool]| -> Vec<bool> {
            codes
                .iter()
                .map(|&code| code != NONE && flags[code as usize])
                .collect()
        };
        let halves = |name: &str, v: Vec<u128>| -> [Column; 2] {
            [
                nullable::<UInt64Type>(
                    &format!("{name}_hi"),
                    v.iter().map(|&x| (x != 0).then_some((x >> 64) as u64)),
                ),
                nullable::<UInt64Type>(
                    &format!("{name}_lo"),
                    v.iter().map(|&x| (x != 0).then_some(x as u64)),
                ),
            ]
        };
        let mut columns = Vec::with_capacity(24);
        columns.push(status_col);
        columns.push(Column::new("source".into(), source));
        columns.push(Column::new("interactive".into(), interactive));
        columns.push(nullable::<Int32Type>(
            "day",
            time_us
                .iter()
                .map(|&t| (t != NO_TIME).then(|| t.div_euclid(86_400_000_000) as i32)),
        ));
        columns.push(nullable::<Int64Type>(
            "time_us",
            time_us.into_iter().map(|x| (x != NO_TIME).then_some(x)),
        ));
        columns.extend(halves("request", request));
        columns.extend(halves("correlation", correlation));
        columns.push(Column::new("ident".into(), ident));
        columns.push(nullable::<Int64Type>(
            "error_code",
            error_code.into_iter().map(|x| (x != NO_TIME).then_some(x)),
        ));
        columns.push(
            BooleanChunked::from_iter_options(
                "compliant".into(),
                compliant.into_iter().map(|c| match c {
                    0 => None,
                    1 => Some(false),
                    _ => Some(true),
                }),
            )
            .into_column(),
        );
        columns.push(coded(
            "requirement",
            &take(Raw::Requirement),
            &requirement_map,
        ));
        columns.push(coded(
            "conditional_access",
            &take(Raw::ConditionalAccess),
            &ca_map,
        ));
        let method = take(Raw::MfaMethod);
        let method_identity: Vec<u32> = (0..method_count as u32).collect();
        columns.push(coded("mfa_method", &method, &method_identity));
        columns.push(coded("mfa_family", &method, &family_map));
        drop(method);
        columns.push(coded("mfa_kind", &take(Raw::MfaResult), &kind_map));
        let client = take(Raw::ClientApp);
        columns.push(coded("legacy_protocol", &client, &legacy_map));
        let legacy: Vec<bool> = client
            .iter()
            .map(|&code| code != NONE && legacy_map[code as usize] != NONE)
            .collect();
        drop(client);
        columns.push(Column::new("legacy".into(), legacy));
        let registration_app: Vec<bool> = flagged(&take(Raw::App), &app_flag)
            .into_iter()
            .zip(flagged(&take(Raw::AppId), &app_id_flag))
            .map(|(a, b)| a || b)
            .collect();
        columns.push(Column::new("registration_app".into(), registration_app));
        columns.push(Column::new(
            "hybrid".into(),
            flagged(&take(Raw::JoinType), &hybrid_flag),
        ));
        columns.push(coded("country", &take(Raw::Location), &country_map));
        drop(codes);
        let users = DataFrame::new(n, columns)?;

        let keys = identities.values();
        let mut upn_key = Vec::with_capacity(keys.len());
        let mut user_id = Vec::with_capacity(keys.len());
        for k in keys {
            let (u, i) = k.split_once('\u{1f}').unwrap_or((k, ""));
            upn_key.push((!u.is_empty()).then_some(u));
            user_id.push((!i.is_empty()).then_some(i));
        }
        let identities = DataFrame::new(
            keys.len(),
            vec![
                Column::new("ident".into(), (0..keys.len() as u32).collect::<Vec<_>>()),
                Column::new("upn_key".into(), upn_key),
                Column::new("user_id".into(), user_id),
            ],
        )?;
        let strings = |i: &Interner| i.values().iter().map(|v| v.to_string()).collect();
        let vocab = Vocab {
            status: strings(&status_vocab),
            requirement: strings(&requirement_vocab),
            conditional_access: strings(&ca_vocab),
            mfa_method: strings(&dicts[Raw::MfaMethod as usize]),
            country: strings(&country_vocab),
        };
        Ok((users, identities, vocab))
    }
}

/// The texts behind the code columns of the sign-in frame (code = position).
#[derive(Debug, Clone, Default)]
pub struct Vocab {
    /// Starts `success`, `failure`, `interrupted`; other values as read (lower-cased).
    pub status: Vec<String>,
    /// Starts `single_factor`, `multi_factor`.
    pub requirement: Vec<String>,
    /// Starts `success`, `failure`, `not_applied`.
    pub conditional_access: Vec<String>,
    pub mfa_method: Vec<String>,
    pub country: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interner_gives_stable_codes() {
        let mut i = Interner::seeded(&["a", "b"]);
        let words: Vec<String> = (0..1000).map(|n| format!("w{}", n % 300)).collect();
        let codes: Vec<u32> = words.iter().map(|w| i.intern(w)).collect();
        assert_eq!(i.len(), 302);
        assert_eq!(i.intern("a"), 0);
        for (w, c) in words.iter().zip(codes) {
            assert_eq!(&*i.values()[c as usize], w.as_str());
        }
    }

    #[test]
    fn interning_many_at_once_gives_the_codes_of_one_at_a_time() {
        // Batches of keys, repeated within and across batches, some sharing a hash (the
        // constant one below), the table growing between and within them.
        let mut x = 5u64;
        let mut next = |m: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        let mut one = Interner::seeded(&["seed"]);
        let mut many = Interner::seeded(&["seed"]);
        for batch in 0..200 {
            let (mut text, mut ends, mut hashes) = (String::new(), Vec::new(), Vec::new());
            let mut expected = Vec::new();
            for _ in 0..next(300) {
                let key = format!("user{}\u{1f}{}", next(2000), "x".repeat(next(40) as usize));
                let hash = if next(10) == 0 {
                    42
                } else {
                    hash_bytes(key.as_bytes())
                };
                expected.push(one.intern_hashed(&key, hash));
                text.push_str(&key);
                ends.push(text.len() as u32);
                hashes.push(hash);
            }
            let mut codes = vec![7];
            many.intern_all(&text, &ends, &hashes, &mut codes);
            assert_eq!(codes[0], 7);
            assert_eq!(&codes[1..], &expected[..], "batch {batch}");
        }
        assert_eq!(one.values(), many.values());
    }

    #[test]
    fn guid_keys_ignore_case_and_dashes() {
        let a = guid_key("5859711d-55b3-4dca-8d90-9d5a1aa1bed2");
        assert_eq!(a, guid_key("{5859711D55B34DCA8D909D5A1AA1BED2}"));
        assert_eq!(a >> 64, 0x5859_711d_55b3_4dca);
        assert_eq!(a as u64, 0x8d90_9d5a_1aa1_bed2);
        // The usual shape, but not hex: a hash-based key, as for any other text.
        for bad in [
            "5859711d-55b3-4dca-8d90-9d5a1aa1bedg",
            "x859711d-55b3-4dca-8d90-9d5a1aa1bed2",
            "5859711d-55b3-4dca-8d90-9d5a1aa1be\u{e9}",
        ] {
            assert_eq!(guid_key(bad) >> 64, 1, "{bad}");
        }
        assert_eq!(guid_key("00000000-0000-0000-0000-000000000000") >> 64, 1);
        assert_eq!(guid_key(""), 0);
        let odd = guid_key("not-a-guid");
        assert_eq!(odd >> 64, 1);
        assert_eq!(odd, guid_key("NOT-A-GUID"));
    }
}
