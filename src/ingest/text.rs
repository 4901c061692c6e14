//! Turning raw bytes into CSV records: encodings, BOMs, `#TYPE` preambles, delimiters and
//! header-name folding. Everything here is about the *container*; what the columns mean is
//! decided by the per-kind modules.

use crate::error::InputError;

/// A decoded text file, ready for the CSV reader.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
}

/// Decode an export's bytes. UTF-8 (with or without BOM) and UTF-16 with a BOM are accepted, and
/// so is Windows-1252: what Excel writes when a file is saved as "CSV (Comma delimited)" on a
/// Western European or US system. A file that is neither is refused with the byte offset of the
/// first undecodable byte; so is damaged UTF-8 (valid multi-byte characters next to invalid
/// bytes), which Windows-1252 would turn into plausible-looking but wrong text.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest, "UTF-8 with BOM");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, u16::from_le_bytes, "UTF-16 LE");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, u16::from_be_bytes, "UTF-16 BE");
    }
    utf8(bytes, "UTF-8")
}

/// The name of the single-byte encoding Excel uses for "CSV (Comma delimited)" in the West.
pub const WINDOWS_1252: &str = "Windows-1252";

/// What a report says about a file read as [`WINDOWS_1252`].
pub const WINDOWS_1252_NOTE: &str = "read as Windows-1252 (Excel's \"CSV (Comma delimited)\"): \
     names in other alphabets may show wrong characters; save the file as \"CSV UTF-8\" to be sure";

fn utf8(bytes: &[u8], encoding: &'static str) -> Result<Decoded, String> {
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(format!(
            "contains a NUL byte at offset {pos}: this is a binary file, not a text export"
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Decoded {
            text: text.to_string(),
            encoding,
        }),
        Err(_) if encoding == "UTF-8" && !has_utf8_sequence(bytes) => Ok(Decoded {
            text: windows_1252(bytes),
            encoding: WINDOWS_1252,
        }),
        Err(e) => Err(not_utf8(e.valid_up_to() as u64)),
    }
}

/// Why a file that is not UTF-8 (first bad byte at `offset`) is refused.
fn not_utf8(offset: u64) -> String {
    format!(
        "is not UTF-8 text (invalid byte at offset {offset}) and not Windows-1252 either \
         (it holds valid UTF-8 characters too: damaged or mixed encodings); if it was \
         re-saved by Excel, save it again as \"CSV UTF-8\""
    )
}

/// Whether `bytes` hold at least one well-formed multi-byte UTF-8 character: text in a
/// single-byte encoding almost never does (it would take, say, "Ã©" in Windows-1252).
fn has_utf8_sequence(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while let Some(i) = rest.iter().position(|b| *b >= 0x80) {
        rest = &rest[i..];
        let len = match rest[0] {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 1,
        };
        if len > 1 && rest.len() >= len && std::str::from_utf8(&rest[..len]).is_ok() {
            return true;
        }
        rest = &rest[1..];
    }
    false
}

/// Decode Windows-1252 (the WHATWG mapping: the five unassigned bytes become the C1 control
/// characters of the same value).
pub fn windows_1252(bytes: &[u8]) -> String {
    /// 0x80–0x9F; the rest of the upper half is Latin-1.
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}',
        '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}',
        '\u{178}',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH[(b - 0x80) as usize],
            _ => b as char,
        })
        .collect()
}

fn utf16(
    bytes: &[u8],
    read: fn([u8; 2]) -> u16,
    encoding: &'static str,
) -> Result<Decoded, String> {
    if !bytes.len().is_multiple_of(2) {
        return Err(format!(
            "{encoding} text with an odd number of bytes (truncated file?)"
        ));
    }
    let units: Vec<u16> = bytes.chunks_exact(2).map(|c| read([c[0], c[1]])).collect();
    String::from_utf16(&units)
        .map(|text| Decoded { text, encoding })
        .map_err(|_| format!("is not valid {encoding} text"))
}

/// Where the CSV table starts and how it is delimited.
#[derive(Debug, Clone)]
pub struct CsvLayout {
    /// Byte offset of the header row in the decoded text.
    pub start: usize,
    /// Number of lines before the header row (a PowerShell `#TYPE` line, blank lines).
    pub lines_before: u64,
    pub delimiter: u8,
    /// Whether a PowerShell `#TYPE …` preamble was skipped.
    pub type_line: bool,
}

/// Locate the header row, skipping a PowerShell `#TYPE` line and leading blank lines, and pick
/// the delimiter that splits the header row into the most fields.
pub fn csv_layout(text: &str) -> CsvLayout {
    let mut start = 0;
    let mut lines_before = 0;
    let mut type_line = false;
    loop {
        let rest = &text[start..];
        let line_end = rest.find('\n').map(|i| i + 1).unwrap_or(rest.len());
        let line = rest[..line_end].trim();
        let is_type_line =
            !type_line && lines_before == 0 && starts_with_ignore_case(line, "#TYPE");
        if (line.is_empty() || is_type_line) && line_end > 0 && start + line_end < text.len() {
            type_line |= is_type_line;
            start += line_end;
            lines_before += 1;
        } else {
            break;
        }
    }
    let header_line = text[start..].lines().next().unwrap_or("");
    CsvLayout {
        start,
        lines_before,
        delimiter: sniff_delimiter(header_line),
        type_line,
    }
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// The delimiter among `,` `;` and tab that occurs most often outside quotes in the header.
fn sniff_delimiter(header: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut in_quotes = false;
    for b in header.bytes() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes {
            for (d, n) in counts.iter_mut() {
                if *d == b {
                    *n += 1;
                }
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map(|(d, _)| *d)
        .unwrap_or(b',')
}

/// A CSV reader over the table part of a decoded file.
pub fn csv_reader<'a>(text: &'a str, layout: &CsvLayout) -> csv::Reader<&'a [u8]> {
    csv::ReaderBuilder::new()
        .delimiter(layout.delimiter)
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::None)
        .from_reader(&text.as_bytes()[layout.start..])
}

/// Byte offset in `text` where the records after the header row start.
pub fn data_start(text: &str, layout: &CsvLayout) -> usize {
    let mut reader = csv_reader(text, layout);
    let _ = reader.headers();
    let mut at = layout.start + reader.position().byte() as usize;
    // After CRLF the reported offset can point at the line's '\n'.
    if text.as_bytes().get(at) == Some(&b'\n') {
        at += 1;
    }
    at.min(text.len())
}

/// Fold a header name for tolerant matching: case and all white space are ignored, so
/// `IsMfaCapable`, `isMfaCapable ` and `Autonomous system  number` match their canonical forms.
pub fn fold_header(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{feff}')
        // French headers come with either apostrophe (’ or ').
        .map(|c| if c == '\u{2019}' { '\'' } else { c })
        .flat_map(char::to_lowercase)
        .collect()
}

/// File line numbers of CSV records. The csv crate's own line count is off by one after CRLF
/// line ends, so lines are counted from the record's byte offset instead; records must be
/// visited in file order (counting is incremental, so the cost stays linear).
pub struct LineCounter<'a> {
    table: &'a [u8],
    lines_before: u64,
    counted_to: usize,
    newlines: u64,
}

impl<'a> LineCounter<'a> {
    pub fn new(text: &'a str, layout: &CsvLayout) -> Self {
        LineCounter {
            table: &text.as_bytes()[layout.start..],
            lines_before: layout.lines_before,
            counted_to: 0,
            newlines: 0,
        }
    }

    /// The 1-based line in the file where the record at `byte` (of the table) starts.
    pub fn line_at(&mut self, byte: u64) -> u64 {
        let mut at = (byte as usize).min(self.table.len());
        // After CRLF the reported offset can point at the line's '\n'.
        if self.table.get(at) == Some(&b'\n') {
            at += 1;
        }
        if at > self.counted_to {
            self.newlines += self.table[self.counted_to..at]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.counted_to = at;
        }
        self.newlines + 1 + self.lines_before
    }
}

/// Turn a CSV error into a one-line input error naming the line.
pub fn csv_error(path: &str, text: &str, layout: &CsvLayout, err: &csv::Error) -> InputError {
    let line = err
        .position()
        .map(|p| LineCounter::new(text, layout).line_at(p.byte()))
        .unwrap_or(0);
    let mut e = InputError::in_file(path, format!("cannot read CSV: {err}"))
        .hint("re-download the export; if it was edited, save it again as CSV UTF-8");
    if line > 0 {
        e = e.line(line);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_utf8_bom_and_decodes_utf16() {
        let d = decode(b"\xEF\xBB\xBFa,b\r\n").unwrap();
        assert_eq!(d.text, "a,b\r\n");
        assert_eq!(d.encoding, "UTF-8 with BOM");
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a;b".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&le).unwrap().text, "a;b");
    }

    #[test]
    fn refuses_binary_and_damaged_utf8() {
        assert!(decode(b"PK\x03\x04\x00\x00")
            .unwrap_err()
            .contains("NUL byte"));
        // "é" in UTF-8, then a byte no UTF-8 text holds: damaged, not Windows-1252.
        let err = decode(
            "Café,"
                .bytes()
                .chain([0xFF, b'\n'])
                .collect::<Vec<u8>>()
                .as_slice(),
        )
        .unwrap_err();
        assert!(
            err.contains("offset 6") && err.contains("not Windows-1252"),
            "{err}"
        );
    }

    #[test]
    fn excel_ansi_files_are_read_as_windows_1252() {
        // "Zoë Sørensen – 5 €" as Excel writes it in Western Europe.
        let bytes = b"Zo\xEB S\xF8rensen \x96 5 \x80,\x81\n";
        let d = decode(bytes).unwrap();
        assert_eq!(d.encoding, WINDOWS_1252);
        assert_eq!(d.text, "Zoë Sørensen – 5 €,\u{81}\n");
        // Every byte decodes, each to one character, ASCII to itself.
        let all: Vec<u8> = (1..=255).collect();
        let text = windows_1252(&all);
        assert_eq!(text.chars().count(), 255);
        assert!(text
            .chars()
            .take(127)
            .zip(1u32..)
            .all(|(c, b)| c as u32 == b));
        assert_eq!(text.chars().nth(0x9F - 1), Some('Ÿ'));
        assert_eq!(text.chars().nth(0xA0 - 1), Some('\u{A0}'));
    }

    #[test]
    fn utf8_sequences_are_told_from_single_bytes() {
        assert!(has_utf8_sequence("é".as_bytes()));
        assert!(has_utf8_sequence("a😀".as_bytes()));
        assert!(!has_utf8_sequence(b"Zo\xEB"));
        assert!(!has_utf8_sequence(b"plain"));
        // A lead byte whose continuation is cut off is not a sequence.
        assert!(!has_utf8_sequence(b"\xC3"));
    }

    #[test]
    fn skips_type_line_and_sniffs_semicolons() {
        let text = "#TYPE Microsoft.Graph.PowerShell.Models.X\r\n\"Id\";\"UserPrincipalName\"\r\n\"1\";\"a@b\"\r\n";
        let layout = csv_layout(text);
        assert!(layout.type_line);
        assert_eq!(layout.lines_before, 1);
        assert_eq!(layout.delimiter, b';');
        assert!(text[layout.start..].starts_with("\"Id\""));
    }

    #[test]
    fn delimiter_inside_quotes_does_not_count() {
        let layout = csv_layout("\"a;b;c\",d,e\n");
        assert_eq!(layout.delimiter, b',');
    }

    #[test]
    fn header_folding_ignores_case_and_spaces() {
        assert_eq!(fold_header(" IsMfaCapable "), "ismfacapable");
        assert_eq!(
            fold_header("Autonomous system  number"),
            "autonomoussystemnumber"
        );
    }
}
