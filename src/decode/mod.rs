//! Decoders: secrets hidden in base64, hex, percent-encoding or JSON/JS string escapes, and
//! Kubernetes `Secret` data values.
//!
//! Adding a decoder is one module behind the small [`Decoder`] trait. Every decoder finds
//! *candidate runs* cheaply (no decoding), decodes a run only when it passes its own shape
//! test, and keeps the decoded text only when it is text (never binary: images, fonts, hashes
//! and random key material decode to bytes that are not UTF-8 text). The driver [`scan`] runs
//! the rules over each decoded buffer, maps every match back to the span of the *encoded*
//! text in the original data, and feeds decoded text to the decoders again up to
//! [`Limits::max_depth`], all within a per-blob budget of decoded bytes.

pub mod base64;
pub mod escape;
pub mod hex;
pub mod kube;
pub mod percent;

use std::ops::Range;

use crate::matcher::{RawMatch, RuleSet};

/// The text one candidate run decodes to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    pub bytes: Vec<u8>,
    /// For each decoded byte, the span `[start, end)` of the encoded text (relative to the
    /// run's start) that produced it; non-decreasing.
    pub spans: Vec<(u32, u32)>,
}

impl Decoded {
    pub fn with_capacity(n: usize) -> Decoded {
        Decoded {
            bytes: Vec::with_capacity(n),
            spans: Vec::with_capacity(n),
        }
    }

    pub fn push(&mut self, b: u8, from: usize, to: usize) {
        self.bytes.push(b);
        self.spans.push((from as u32, to as u32));
    }

    pub fn extend(&mut self, bytes: &[u8], from: usize, to: usize) {
        for &b in bytes {
            self.push(b, from, to);
        }
    }
}

/// One way of hiding text.
pub trait Decoder: Sync {
    /// Name used in findings' `decoded` chains (`base64`, `hex`, `percent`, `escape`).
    fn name(&self) -> &'static str;
    /// Append the ranges of `data` worth decoding, in increasing order. Must be cheap: it
    /// runs over every scanned byte.
    fn candidates(&self, data: &[u8], out: &mut Vec<Range<usize>>);
    /// Decode one candidate run; `None` when it is not valid or does not decode to text.
    fn decode(&self, run: &[u8]) -> Option<Decoded>;
    /// Whether decoded text keeps the syntax it was written in (percent-encoding and string
    /// escapes rewrite characters in place, so source code stays source code, where an
    /// unquoted value is an expression); base64 and hex produce new content.
    fn keeps_syntax(&self) -> bool {
        false
    }
}

/// Every decoder, in the order they are tried.
pub fn decoders() -> [&'static dyn Decoder; 5] {
    [
        &kube::KubeSecret,
        &base64::Base64,
        &hex::Hex,
        &percent::Percent,
        &escape::Escape,
    ]
}

/// Bounds that keep decoding cheap whatever the input.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Nested decodings (`base64>percent` is depth 2).
    pub max_depth: usize,
    /// Decoded bytes per blob (per chunk for files scanned in pieces), all depths together.
    pub max_decoded: usize,
    /// Candidate runs longer than this are not decoded (fonts, images, inline source maps).
    pub max_run: usize,
    /// Candidate runs per blob, all decoders and depths together.
    pub max_runs: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 3,
            max_decoded: 1 << 20,
            max_run: 64 * 1024,
            max_runs: 20_000,
        }
    }
}

/// A match found in decoded text, located in the original data.
#[derive(Debug, Clone)]
pub struct DecodedMatch {
    /// `start`/`end` are the span of the encoded text in the original data; `secret` is the
    /// decoded secret.
    pub m: RawMatch,
    /// Decodings applied, outermost first: `base64`, `base64>percent`.
    pub chain: String,
}

/// True when decoded bytes are text worth scanning: valid UTF-8 without control characters
/// other than tab, CR and LF. Random bytes pass with probability about (95/256)^n.
pub fn is_text(b: &[u8]) -> bool {
    if b.is_empty() {
        return false;
    }
    let Ok(s) = std::str::from_utf8(b) else {
        return false;
    };
    !s.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// A decoded buffer with spans in the original data's coordinates.
struct Layer {
    bytes: Vec<u8>,
    spans: Vec<(u32, u32)>,
    chain: String,
    depth: usize,
    /// Scan as source code (see [`Decoder::keeps_syntax`]).
    code: bool,
}

/// Run every decoder over `data` (one blob or chunk), scan what decodes, and return matches
/// located in `data`. Runs starting outside `accept` belong to another chunk. Runs that
/// overlap a match in `plain` of a non-generic rule are not decoded (the plain finding already
/// covers them); a decoded secret equal to a plain one is not reported again.
pub fn scan(
    rules: &RuleSet,
    data: &[u8],
    accept: Range<usize>,
    at_eof: bool,
    plain: &[RawMatch],
    limits: Limits,
    code: bool,
) -> Vec<DecodedMatch> {
    let mut budget = Budget {
        decoded: limits.max_decoded,
        runs: limits.max_runs,
    };
    let mut found: Vec<DecodedMatch> = Vec::new();
    let blocked: Vec<Range<usize>> = plain
        .iter()
        .filter(|m| !is_generic(rules, m))
        .map(|m| m.start..m.end)
        .collect();
    let mut stack: Vec<Layer> = Vec::new();
    let mut runs = Vec::new();
    for dec in decoders() {
        runs.clear();
        dec.candidates(data, &mut runs);
        for run in runs.iter().cloned() {
            if run.start < accept.start || run.start >= accept.end {
                continue;
            }
            if run.end == data.len() && !at_eof {
                continue; // cut by the chunk border; the next chunk sees it whole
            }
            if blocked
                .iter()
                .any(|b| b.start < run.end && run.start < b.end)
            {
                continue;
            }
            let Some(d) = budget.decode(dec, &data[run.clone()], limits) else {
                continue;
            };
            let spans = d
                .spans
                .iter()
                .map(|&(s, e)| (run.start as u32 + s, run.start as u32 + e))
                .collect();
            stack.push(Layer {
                bytes: d.bytes,
                spans,
                chain: dec.name().to_string(),
                depth: 1,
                code: code && dec.keeps_syntax(),
            });
        }
    }
    let mut raw = Vec::new();
    while let Some(layer) = stack.pop() {
        raw.clear();
        rules.scan(&layer.bytes, layer.code, &mut raw);
        let kept = crate::engine::resolve_overlaps(std::mem::take(&mut raw), rules);
        for m in kept {
            if plain.iter().any(|p| p.secret == m.secret) {
                continue;
            }
            let start = layer.spans[m.start].0 as usize;
            let end = layer.spans[m.end - 1].1 as usize;
            let dm = DecodedMatch {
                m: RawMatch { start, end, ..m },
                chain: layer.chain.clone(),
            };
            let dup = found.iter().any(|f| {
                f.m.rule == dm.m.rule && f.m.secret == dm.m.secret && f.m.start == dm.m.start
            });
            if !dup {
                found.push(dm);
            }
        }
        if layer.depth >= limits.max_depth {
            continue;
        }
        for dec in decoders() {
            runs.clear();
            dec.candidates(&layer.bytes, &mut runs);
            for run in runs.iter().cloned() {
                let Some(d) = budget.decode(dec, &layer.bytes[run.clone()], limits) else {
                    continue;
                };
                // compose: decoded byte -> span in this layer -> span in the original data
                let spans = d
                    .spans
                    .iter()
                    .map(|&(s, e)| {
                        let s = run.start + s as usize;
                        let e = (run.start + e as usize).max(s + 1);
                        (layer.spans[s].0, layer.spans[e - 1].1)
                    })
                    .collect();
                stack.push(Layer {
                    bytes: d.bytes,
                    spans,
                    chain: format!("{}>{}", layer.chain, dec.name()),
                    depth: layer.depth + 1,
                    code: layer.code && dec.keeps_syntax(),
                });
            }
        }
    }
    found.sort_by_key(|d| (d.m.start, d.m.rule, d.m.end));
    found
}

fn is_generic(rules: &RuleSet, m: &RawMatch) -> bool {
    rules.rules[m.rule].spec.tags.iter().any(|t| t == "generic")
}

struct Budget {
    decoded: usize,
    runs: usize,
}

impl Budget {
    fn decode(&mut self, dec: &dyn Decoder, run: &[u8], limits: Limits) -> Option<Decoded> {
        if self.runs == 0 || run.len() > limits.max_run || run.len() > self.decoded {
            return None;
        }
        self.runs -= 1;
        let d = dec.decode(run)?;
        debug_assert_eq!(d.bytes.len(), d.spans.len());
        if d.bytes.is_empty() || d.bytes.len() > self.decoded {
            return None;
        }
        self.decoded -= d.bytes.len();
        Some(d)
    }
}

/// Byte classes for the run finders.
pub(crate) const fn class_table(chars: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < chars.len() {
        t[chars[i] as usize] = true;
        i += 1;
    }
    t
}

/// Maximal runs of bytes in `class` that are at least `min` long, found by probing every
/// `min`-th byte (a run that long must contain a probed byte), so text made of short words
/// costs a fraction of a full pass.
pub(crate) fn long_runs(data: &[u8], class: &[bool; 256], min: usize, out: &mut Vec<Range<usize>>) {
    let mut bits = [0u8; 256];
    for (b, &c) in bits.iter_mut().zip(class) {
        *b = c as u8;
    }
    long_runs_bits(data, &bits, min, |r, _| out.push(r));
}

/// [`long_runs`] with a class table of bit flags (0: not in the class): `found` gets each
/// run and the OR of its bytes' flags, computed in the same pass.
#[inline]
pub(crate) fn long_runs_bits(
    data: &[u8],
    class: &[u8; 256],
    min: usize,
    mut found: impl FnMut(Range<usize>, u8),
) {
    debug_assert!(min > 0);
    let mut p = min - 1;
    let mut floor = 0; // no run may start before this (end of the previous run)
    while p < data.len() {
        let mut seen = class[data[p] as usize];
        if seen == 0 {
            p += min;
            continue;
        }
        // a run this long through `p` reaches `p - h` or `p + h`: when neither byte is in the
        // class, the run is short and need not be walked (most words in code end here)
        let h = min / 2;
        let left_out = p < floor + h || class[data[p - h] as usize] == 0;
        let right_out = p + h >= data.len() || class[data[p + h] as usize] == 0;
        if h > 0 && left_out && right_out {
            p += min;
            continue;
        }
        let mut s = p;
        while s > floor {
            let f = class[data[s - 1] as usize];
            if f == 0 {
                break;
            }
            seen |= f;
            s -= 1;
        }
        let mut e = p + 1;
        while e < data.len() {
            let f = class[data[e] as usize];
            if f == 0 {
                break;
            }
            seen |= f;
            e += 1;
        }
        if e - s >= min {
            found(s..e, seen);
        }
        floor = e;
        p = e + min;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_runs_finds_every_long_run_and_no_short_one() {
        const T: [bool; 256] = class_table(b"abc");
        let data = b"ab abcabcabcab x abcabca abc aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        let mut out = Vec::new();
        long_runs(data, &T, 8, &mut out);
        let got: Vec<&[u8]> = out.iter().map(|r| &data[r.clone()]).collect();
        assert_eq!(
            got,
            vec![
                &b"abcabcabcab"[..],
                &b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"[..]
            ]
        );
        // brute force agreement on pseudo-random data
        let mut rng = crate::examples::Rng::new(5);
        for _ in 0..200 {
            let d: Vec<u8> = (0..300)
                .map(|_| if rng.below(5) == 0 { b' ' } else { b'a' })
                .collect();
            let mut fast = Vec::new();
            long_runs(&d, &T, 6, &mut fast);
            let mut slow = Vec::new();
            let mut i = 0;
            while i < d.len() {
                if d[i] == b'a' {
                    let s = i;
                    while i < d.len() && d[i] == b'a' {
                        i += 1;
                    }
                    if i - s >= 6 {
                        slow.push(s..i);
                    }
                } else {
                    i += 1;
                }
            }
            assert_eq!(fast, slow);
        }
    }

    #[test]
    fn text_check() {
        assert!(is_text(b"password=hunter2\n"));
        assert!(is_text("caf\u{e9}".as_bytes()));
        assert!(!is_text(b"\x89PNG\r\n\x1a\n"));
        assert!(!is_text(b"abc\x00def"));
        assert!(!is_text(b""));
    }
}
