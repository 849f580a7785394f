//! Sources produce blobs (bytes with a display path) and feed them to the scanner. Adding
//! a source (git history, archives, logs) means one module implementing [`Source`].

pub mod archive;
pub mod blob;
pub mod files;
pub mod git;
pub mod log;
pub mod sourcemap;
pub mod staged;
pub mod stdin;
pub mod wide;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use anyhow::Result;

use crate::engine::{ChunkPos, Scanner};
use crate::finding::Finding;
use crate::matcher::MAX_WINDOW;

pub use crate::finding::Skipped;

/// Where findings, counters and skip notes go; shared by all worker threads.
#[derive(Default)]
pub struct Sink {
    findings: Mutex<Vec<Finding>>,
    skipped: Mutex<Vec<Skipped>>,
    warnings: Mutex<Vec<String>>,
    pub blobs: AtomicU64,
    pub bytes: AtomicU64,
}

impl Sink {
    pub fn add_findings(&self, mut f: Vec<Finding>) {
        self.check_cap(&f);
        if !f.is_empty() {
            self.findings.lock().expect("poisoned").append(&mut f);
        }
    }

    /// Warn when one blob's findings reached the per-file cap.
    pub fn check_cap(&self, f: &[Finding]) {
        if f.len() >= crate::engine::MAX_FINDINGS_PER_FILE {
            let path = &f[0].location.path;
            self.warn(format!(
                "{path}: {} findings or more; only the first {} are reported (clean these and scan again)",
                crate::engine::MAX_FINDINGS_PER_FILE,
                crate::engine::MAX_FINDINGS_PER_FILE
            ));
        }
    }

    pub fn skip(&self, path: impl Into<String>, reason: impl Into<String>) {
        self.skipped.lock().expect("poisoned").push(Skipped {
            path: path.into(),
            reason: reason.into(),
        });
    }

    /// A problem that did not stop the scan (unreadable file, …); printed on stderr.
    pub fn warn(&self, msg: impl Into<String>) {
        self.warnings.lock().expect("poisoned").push(msg.into());
    }

    pub fn count(&self, bytes: u64) {
        self.blobs.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Take everything collected.
    pub fn finish(self) -> (Vec<Finding>, Vec<Skipped>, Vec<String>, u64, u64) {
        let mut skipped = self.skipped.into_inner().expect("poisoned");
        skipped.sort();
        let mut warnings = self.warnings.into_inner().expect("poisoned");
        warnings.sort();
        (
            self.findings.into_inner().expect("poisoned"),
            skipped,
            warnings,
            self.blobs.into_inner(),
            self.bytes.into_inner(),
        )
    }
}

/// A producer of blobs: files of a walk, git history (blobs and commit messages), the
/// staged index, standard input, CI logs. A source only enumerates its blobs and hands each
/// one, with its provenance, to the per-blob scanner ([`blob`]); it never applies policy of
/// its own.
pub trait Source {
    /// What a run tells besides findings (history: the commits walked).
    type Output;
    /// Scan everything this source covers, sending results to `sink`.
    fn run(&self, scanner: &Scanner, sink: &Sink) -> Result<Self::Output>;
}

/// Bytes are binary when the first 8 KiB hold a NUL byte (as git and ripgrep decide).
pub fn is_binary(head: &[u8]) -> bool {
    memchr::memchr(0, &head[..head.len().min(8192)]).is_some()
}

/// Files up to this size are scanned in one piece; larger ones in overlapping chunks.
pub const CHUNK_SIZE: usize = 8 * 1024 * 1024;
/// Overlap between chunks: longer than any rule's window so no match is cut in two, and
/// than the longest encoded run the decoders read. A run starts either before a chunk's
/// accepted range ends, and then ends inside that chunk, or after, and then lies whole in
/// the next chunk; with an overlap shorter than a run, a run crossing the border was
/// accepted by neither chunk and never decoded.
pub const CHUNK_OVERLAP: usize = {
    let w = 2 * MAX_WINDOW;
    if w > crate::decode::MAX_RUN {
        w
    } else {
        crate::decode::MAX_RUN
    }
};

/// What [`scan_reader`] reads into before its buffer grows (doubling up to a whole chunk).
const FIRST_READ: usize = 64 * 1024;

/// Scan a reader in overlapping chunks of [`CHUNK_SIZE`], keeping line numbers and columns
/// exact across chunk borders. `buf` is reused between calls.
pub fn scan_reader(
    scanner: &Scanner,
    path: &str,
    mut reader: impl std::io::Read,
    buf: &mut Vec<u8>,
    out: &mut Vec<Finding>,
) -> std::io::Result<u64> {
    let cap = CHUNK_SIZE + CHUNK_OVERLAP;
    // the buffer grows as it fills (up to `cap`): a small stream (a CI log, a short entry of
    // an archive) must not make every worker hold a whole chunk for the rest of the run
    if buf.len() < FIRST_READ.min(cap) {
        buf.resize(FIRST_READ.min(cap), 0);
    }
    let mut filled = 0usize; // bytes valid in buf
    let mut total = 0u64;
    let mut pos = ChunkPos::default();
    let mut carried = 0usize; // bytes at buf start that were already in the previous chunk
    loop {
        // fill the buffer
        let mut eof = false;
        let before_fill = filled;
        while filled < cap {
            if filled == buf.len() {
                let grown = (buf.len() * 2).min(cap);
                buf.resize(grown, 0);
            }
            let end = buf.len().min(cap);
            match reader.read(&mut buf[filled..end]) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        total += (filled - before_fill) as u64;
        let data = &buf[..filled];
        // matches starting in the last CHUNK_OVERLAP bytes belong to the next chunk
        let accept_to = if eof { filled } else { filled - CHUNK_OVERLAP };
        pos.accept_from = carried;
        pos.accept_to = accept_to;
        scanner.scan_chunk(path, data, pos, out);
        if eof {
            break;
        }
        // advance: keep the overlap at the front of the buffer
        let keep_from = accept_to - CHUNK_OVERLAP.min(accept_to);
        pos.advance_over(&data[..keep_from]);
        buf.copy_within(keep_from..filled, 0);
        filled -= keep_from;
        carried = accept_to - keep_from;
    }
    Ok(total)
}

/// Scan the byte ranges `parts` of `data` (increasing, not overlapping) as pieces of one
/// file: lines and columns are those of `data`, and a range longer than [`CHUNK_SIZE`] is
/// scanned in overlapping chunks like [`scan_reader`] does. Used for a source map, whose
/// `sourcesContent` strings are scanned as the files they hold instead.
pub fn scan_parts(
    scanner: &Scanner,
    path: &str,
    data: &[u8],
    parts: &[(usize, usize)],
    out: &mut Vec<Finding>,
) {
    scan_parts_in(scanner, path, data, parts, CHUNK_SIZE, out);
}

/// [`scan_parts`] with chunks of `chunk` bytes (tests use small ones).
fn scan_parts_in(
    scanner: &Scanner,
    path: &str,
    data: &[u8],
    parts: &[(usize, usize)],
    chunk: usize,
    out: &mut Vec<Finding>,
) {
    // line and column of offset `at`, advanced incrementally
    let mut at = 0usize;
    let mut base = ChunkPos::default();
    let mut advance = |to: usize| -> (u32, u32) {
        base.advance_over(&data[at..to]);
        at = to;
        (base.line_base, base.col_base)
    };
    for &(a, b) in parts {
        let b = b.min(data.len());
        if a >= b {
            continue;
        }
        let (mut from, mut window) = (a, a);
        loop {
            let end = (window + chunk + CHUNK_OVERLAP).min(b);
            let last = end == b;
            let accept_to = if last { end } else { end - CHUNK_OVERLAP };
            // positions are worked out only for a window with findings: most have none, and
            // counting lines and characters through a map's sourcesContent is not free
            let pos = ChunkPos {
                line_base: 0,
                col_base: 0,
                accept_from: from - window,
                accept_to: accept_to - window,
            };
            let before = out.len();
            scanner.scan_chunk(path, &data[window..end], pos, out);
            if out.len() > before {
                let (line_base, col_base) = advance(window);
                for f in &mut out[before..] {
                    let l = &mut f.location;
                    if l.line == 1 {
                        l.column += col_base;
                    }
                    if l.end_line == 1 {
                        l.end_column += col_base;
                    }
                    l.line += line_base;
                    l.end_line += line_base;
                }
            }
            if last {
                break;
            }
            from = accept_to;
            window = accept_to - CHUNK_OVERLAP;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::examples::{expand, Rng};

    /// An encoded run longer than the rules' windows that crosses the first chunk's end is
    /// decoded (it once fell between the chunks: cut in the first, begun too early for the
    /// second), and its finding is at its line in the whole stream.
    #[test]
    fn an_encoded_run_across_a_chunk_border_is_decoded() {
        use base64::Engine as _;
        let scanner = Scanner::new(Config::default()).unwrap();
        let mut rng = Rng::new(Rng::from_entropy().next_u64());
        let key = expand("sk_live_{{alnum:40}}", &mut rng).unwrap();
        let mut inner = String::new();
        while inner.len() < 18 * 1024 {
            inner.push_str("log line with nothing secret in it\n");
        }
        inner.push_str(&format!("stripe_key = \"{key}\"\n"));
        while inner.len() < 36 * 1024 {
            inner.push_str("log line with nothing secret in it\n");
        }
        let run = base64::engine::general_purpose::STANDARD.encode(&inner);
        assert!(run.len() > 2 * MAX_WINDOW, "longer than any window");
        // the run starts 8 KiB before the first chunk's accepted range ends and runs past
        // the end of the first read
        let start = CHUNK_SIZE - 8 * 1024;
        let mut data = Vec::with_capacity(start + run.len() + 16);
        let mut lines = 0;
        while data.len() + 7 < start {
            data.extend_from_slice(b"x = 1;\n");
            lines += 1;
        }
        data.resize(start - 1, b' ');
        data.push(b'\n');
        lines += 1;
        data.extend_from_slice(run.as_bytes());
        data.extend_from_slice(b"\ntail\n");
        assert!(
            start + run.len() > CHUNK_SIZE + 2 * MAX_WINDOW,
            "crosses the old border"
        );

        let mut out = Vec::new();
        let mut buf = Vec::new();
        scan_reader(&scanner, "a.log", &data[..], &mut buf, &mut out).unwrap();
        let found: Vec<_> = out
            .iter()
            .map(|f| (f.rule.id.as_str(), f.secret.as_str(), f.location.line))
            .collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, key);
        assert_eq!(found[0].2, lines + 1);
        assert_eq!(out[0].decoded.as_deref(), Some("base64"));
    }

    /// Scanning some parts of a text, in small chunks, finds exactly what a scan of the whole
    /// text finds inside those parts, at the same lines and columns (multi-byte characters,
    /// newlines and chunk borders included).
    #[test]
    fn parts_keep_the_lines_and_columns_of_the_whole_text() {
        let scanner = Scanner::new(Config::default()).unwrap();
        let mut rng = Rng::new(Rng::from_entropy().next_u64());
        let fillers = [
            "x = 1;",
            "// ünïcödé 😀 ",
            "\n",
            "\"names\":[\"a\",\"b\"],",
            "q",
            "\t",
        ];
        for round in 0..2 {
            // segments: short, long or dense with keys (so that chunk borders cut through
            // keys); parts are a random choice of them
            let mut data = String::new();
            let mut segments = Vec::new();
            for _ in 0..40 {
                let start = data.len();
                let (runs, fill, keyed) = match rng.below(3) {
                    // the first segment alone is longer than a chunk and its overlap
                    _ if segments.is_empty() => (1, 12_000, true),
                    0 => (1, rng.below(4), rng.below(2) == 0),
                    1 => (1, rng.below(1500), rng.below(2) == 0),
                    _ => (50 + rng.below(250), 1 + rng.below(2), true),
                };
                for _ in 0..runs {
                    for _ in 0..fill {
                        data.push_str(fillers[rng.below(fillers.len())]);
                    }
                    if keyed {
                        let key = expand("sk_live_{{alnum:40}}", &mut rng).unwrap();
                        data.push_str(&format!(" key = \"{key}\"; "));
                    }
                }
                // whatever fillers it drew (the chunk below is 1.5 overlaps)
                while segments.is_empty() && data.len() - start <= 3 * CHUNK_OVERLAP {
                    data.push_str(fillers[rng.below(fillers.len())]);
                }
                data.push(' ');
                segments.push((start, data.len()));
            }
            // chosen segments next to each other make one part, often longer than a chunk
            let mut parts: Vec<(usize, usize)> = Vec::new();
            for (i, &(a, b)) in segments.iter().enumerate() {
                if i >= 20 && rng.below(3) == 0 {
                    continue;
                }
                match parts.last_mut() {
                    Some(last) if last.1 == a => last.1 = b,
                    _ => parts.push((a, b)),
                }
            }
            let chunk = 3 * CHUNK_OVERLAP / 2;
            let bytes = data.as_bytes();
            let key = |f: &Finding| {
                (
                    f.rule.id.clone(),
                    f.location.line,
                    f.location.column,
                    f.secret.clone(),
                )
            };
            let mut whole = Vec::new();
            scanner.scan_chunk("a.js", bytes, ChunkPos::whole(bytes.len()), &mut whole);
            let offset_of = |f: &Finding| {
                // the byte offset of a finding from its line and column
                let line_start = if f.location.line == 1 {
                    0
                } else {
                    memchr::memchr_iter(b'\n', bytes)
                        .nth(f.location.line as usize - 2)
                        .unwrap()
                        + 1
                };
                let mut chars = 1;
                let mut at = line_start;
                while chars < f.location.column {
                    at += 1;
                    while bytes[at] & 0xC0 == 0x80 {
                        at += 1;
                    }
                    chars += 1;
                }
                at
            };
            let mut want: Vec<_> = whole
                .iter()
                .filter(|f| {
                    let o = offset_of(f);
                    parts.iter().any(|&(a, b)| o >= a && o < b)
                })
                .map(key)
                .collect();
            let mut got = Vec::new();
            scan_parts_in(&scanner, "a.js", bytes, &parts, chunk, &mut got);
            let mut got: Vec<_> = got.iter().map(key).collect();
            want.sort();
            got.sort();
            assert!(
                parts.iter().any(|(a, b)| b - a > chunk + CHUNK_OVERLAP),
                "a part of several chunks"
            );
            assert!(!want.is_empty(), "round {round}");
            assert_eq!(got, want, "round {round}");
        }
    }
}
