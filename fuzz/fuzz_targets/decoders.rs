//! Every decoder (base64, hex, percent, escapes, nested) on arbitrary bytes: bounded work,
//! matches inside the input.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let s = common::scanner();
    for code in [false, true] {
        let found = leakgate::decode::scan(
            &s.rules,
            data,
            0..data.len(),
            true,
            &[],
            leakgate::decode::Limits::default(),
            code,
            &mut leakgate::decode::LimitsHit::default(),
        );
        for d in found {
            assert!(d.m.start <= d.m.end && d.m.end <= data.len());
        }
    }
});
