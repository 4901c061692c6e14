#![no_main]
//! The text container layer: `text::decode` on raw bytes, `csv_layout` (and the header-row
//! helpers built on it) on the decoded text, and the list/boolean cell parsers on UTF-8 input.

use entra_mfa_report::ingest::{text, values};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(decoded) = text::decode(data) {
        let layout = text::csv_layout(&decoded.text);
        assert!(layout.start <= decoded.text.len());
        let start = text::data_start(&decoded.text, &layout);
        assert!(start <= decoded.text.len());
        let mut reader = text::csv_reader(&decoded.text, &layout);
        if let Ok(headers) = reader.headers() {
            for h in headers.iter() {
                let _ = text::fold_header(h);
            }
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = values::parse_list(s);
        let _ = values::parse_bool(s);
    }
});
