//! The whole per-chunk scanner on arbitrary bytes with a well-formed key planted at a place
//! the input chooses; then every report format, not revealed. Oracle: the key never appears
//! in full in any output, found or not.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

use leakgate::engine::{dedup_findings, ChunkPos};
use leakgate::report::{reporter, Format, ReportOptions, ScanResult};

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    // a Stripe-shaped live key whose body comes from the input's hash: random, well formed
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut key = String::from("sk_live_51");
    for _ in 0..90 {
        h ^= h << 13;
        h ^= h >> 7;
        h ^= h << 17;
        key.push(ALNUM[(h % 62) as usize] as char);
    }
    let at = (data[0] as usize * 256 + data[1] as usize) % (data.len() - 1) + 2;
    let mut text = data[2..at.min(data.len())].to_vec();
    text.extend_from_slice(key.as_bytes());
    text.extend_from_slice(&data[at.min(data.len())..]);

    let s = common::scanner();
    let mut findings = Vec::new();
    s.scan_chunk("fuzz/input.js", &text, ChunkPos::whole(text.len()), &mut findings);
    dedup_findings(&mut findings);
    let result = ScanResult {
        findings,
        skipped: Vec::new(),
        warnings: Vec::new(),
        files_scanned: 1,
        bytes_scanned: text.len() as u64,
        rules_loaded: 0,
        duration: std::time::Duration::ZERO,
        targets: vec!["fuzz".into()],
        commits_scanned: None,
        baseline_suppressed: 0,
        allow_suppressed: 0,
    };
    let opts = ReportOptions::default();
    for f in [Format::Text, Format::Json, Format::Sarif, Format::Github] {
        let mut out = Vec::new();
        reporter(f).write(&result, &opts, &mut out).expect("report renders");
        let out = String::from_utf8_lossy(&out);
        assert!(!out.contains(&key), "{f:?} output printed the planted key in full");
    }
});
