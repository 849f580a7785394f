//! zip, tar, tar.gz and gzip readers on arbitrary bytes: corrupt archives and bombs end in a
//! warning, never a panic or unbounded memory.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

use leakgate::source::archive::{Kind, Limits};
use leakgate::source::blob::scan_archive;

fuzz_target!(|data: &[u8]| {
    let Some((&k, body)) = data.split_first() else {
        return;
    };
    let (kind, name) = match k % 4 {
        0 => (Kind::Zip, "f.zip"),
        1 => (Kind::Tar, "f.tar"),
        2 => (Kind::TarGz, "f.tgz"),
        _ => (Kind::Gz, "f.log.gz"),
    };
    let sink = leakgate::source::Sink::default();
    let limits = Limits {
        max_budget: 16 << 20,
        min_budget: 1 << 20,
        ..Limits::default()
    };
    let mut buf = Vec::new();
    let mut found = Vec::new();
    scan_archive(
        common::scanner(),
        &sink,
        name,
        name,
        kind,
        std::io::Cursor::new(body),
        body.len() as u64,
        limits,
        &mut buf,
        &mut found,
    );
});
