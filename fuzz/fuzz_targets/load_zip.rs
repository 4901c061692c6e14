#![no_main]
//! Header detection and every reader, through the public `ingest::load` on an `input.zip`.
//! Any `Err` is fine; a panic is a bug.

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let path = common::write_input("input.zip", data);
    let _ = entra_mfa_report::ingest::load(&[path]);
});
