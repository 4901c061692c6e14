#![no_main]
//! Timestamp cells: `parse_datetime` and `parse_time_us` must not panic, and where both read a
//! value they must agree (`parse_time_us` is documented as `parse_datetime` with a fast path
//! for the ISO form, returning microseconds since 1970).

use entra_mfa_report::ingest::values::{parse_datetime, parse_time_us};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let dt = parse_datetime(s);
    let us = parse_time_us(s);
    if let (Ok(Some(dt)), Ok(Some(us))) = (&dt, &us) {
        assert_eq!(
            dt.timestamp_micros(),
            *us,
            "parse_time_us disagrees with parse_datetime for {s:?} ({dt})"
        );
    }
});
