//! The CI log normaliser: it blanks what CI systems add without moving any other byte, so
//! lines and columns stay those of the original log.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for at_start in [true, false] {
        let mut out = Vec::new();
        leakgate::source::log::clean(data, at_start, &mut out);
        let lines = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count();
        assert_eq!(lines(&out), lines(data), "the normaliser added or removed a line");
    }
});
