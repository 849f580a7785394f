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
//!
//! Each decoder's [`Decoder::candidates`] is a pass over the data of its own; the driver gets
//! the same candidates from [`pass::all_candidates`], which finds those of the base64, hex,
//! percent and escape decoders in one pass (with AVX2).

pub mod base64;
pub mod escape;
pub mod hex;
pub mod kube;
pub mod pass;
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
    /// runs over every scanned byte. (A decoder whose candidates [`pass::all_candidates`]
    /// finds in its shared pass must find exactly these there too.)
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

/// The longest encoded run decoded by default ([`Limits::max_run`]). Chunked scans overlap
/// by at least this much, so a run is always seen whole in the chunk that accepts it.
pub const MAX_RUN: usize = 64 * 1024;

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
            max_run: MAX_RUN,
            max_runs: 20_000,
        }
    }
}

/// Which [`Limits`] stopped decoding in one call of [`scan`] (each one is reported).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LimitsHit {
    /// The decoded-bytes budget ran out: encoded text after `Some(offset)` was not decoded.
    pub budget_at: Option<usize>,
    /// The number of candidate runs ran out at this offset.
    pub runs_at: Option<usize>,
    /// Text decoded at the maximum depth held more encoded text that was not decoded.
    pub depth: bool,
}

impl LimitsHit {
    /// One skipped-entry reason per limit that was hit.
    pub fn reasons(&self, limits: Limits) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(at) = self.budget_at {
            out.push(format!(
                "partly scanned: decode budget of {} KiB of decoded text per blob used up, \
                 later encoded text not decoded (first at byte {at})",
                limits.max_decoded >> 10
            ));
        }
        if let Some(at) = self.runs_at {
            out.push(format!(
                "partly scanned: limit of {} encoded runs per blob reached, \
                 later encoded text not decoded (first at byte {at})",
                limits.max_runs
            ));
        }
        if self.depth {
            out.push(format!(
                "partly scanned: encoding nested deeper than {} levels, innermost layer not decoded",
                limits.max_depth
            ));
        }
        out
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
/// covers them); a decoded secret equal to a plain one is not reported again. Limits that
/// stopped decoding are recorded in `hit`.
#[allow(clippy::too_many_arguments)]
pub fn scan(
    rules: &RuleSet,
    data: &[u8],
    accept: Range<usize>,
    at_eof: bool,
    plain: &[RawMatch],
    limits: Limits,
    code: bool,
    hit: &mut LimitsHit,
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
    let mut cands = pass::Candidates::default();
    pass::all_candidates(data, &mut cands);
    for (dec, runs) in decoders().into_iter().zip(&cands) {
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
            let Some(d) = budget.decode(dec, &data[run.clone()], limits, hit, run.start) else {
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
        let kept = crate::matcher::resolve_overlaps(std::mem::take(&mut raw), rules);
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
        pass::all_candidates(&layer.bytes, &mut cands);
        if layer.depth >= limits.max_depth {
            // say so when the innermost layer still holds something that decodes
            if !hit.depth {
                hit.depth = decoders().into_iter().zip(&cands).any(|(dec, runs)| {
                    runs.iter().any(|r| {
                        r.len() <= limits.max_run && dec.decode(&layer.bytes[r.clone()]).is_some()
                    })
                });
            }
            continue;
        }
        for (dec, runs) in decoders().into_iter().zip(&cands) {
            for run in runs.iter().cloned() {
                let at = layer.spans[run.start].0 as usize;
                let Some(d) = budget.decode(dec, &layer.bytes[run.clone()], limits, hit, at) else {
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
    /// Decode `run` (at offset `at` of the original data) within the budget; a budget that
    /// stops it is recorded in `hit`.
    fn decode(
        &mut self,
        dec: &dyn Decoder,
        run: &[u8],
        limits: Limits,
        hit: &mut LimitsHit,
        at: usize,
    ) -> Option<Decoded> {
        if run.len() > limits.max_run {
            return None; // fonts, images, inline source maps: not secrets, by design
        }
        if self.runs == 0 {
            hit.runs_at.get_or_insert(at);
            return None;
        }
        if run.len() > self.decoded {
            hit.budget_at.get_or_insert(at);
            return None;
        }
        self.runs -= 1;
        let d = dec.decode(run)?;
        debug_assert_eq!(d.bytes.len(), d.spans.len());
        if d.bytes.is_empty() {
            return None;
        }
        if d.bytes.len() > self.decoded {
            hit.budget_at.get_or_insert(at);
            return None;
        }
        self.decoded -= d.bytes.len();
        Some(d)
    }
}

/// A set of ASCII bytes the run finders look for: a table for one byte at a time, and the
/// same set as a nibble table for 32 bytes at a time (AVX2): byte `h << 4 | l` is in the set
/// when bit `h` of `by_low[l]` is set.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))] // the one pass is x86-64 only
pub(crate) struct ByteClass {
    table: [bool; 256],
    by_low: [u8; 16],
}

impl ByteClass {
    pub(crate) const fn new(chars: &[u8]) -> ByteClass {
        let mut table = [false; 256];
        let mut by_low = [0u8; 16];
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            assert!(
                c > 0 && c < 0x80,
                "ASCII only, and not NUL (the padding of short blocks)"
            );
            table[c as usize] = true;
            by_low[(c & 0x0F) as usize] |= 1 << (c >> 4);
            i += 1;
        }
        ByteClass { table, by_low }
    }

    #[inline(always)]
    pub(crate) fn has(&self, b: u8) -> bool {
        self.table[b as usize]
    }

    /// For each low nibble `l`, bit `h` set when `h << 4 | l` is in the set.
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    pub(crate) fn by_low(&self) -> &[u8; 16] {
        &self.by_low
    }
}

/// The maximal runs of bytes in `class` that are at least `min` long, in order. Probes every
/// `min`-th byte (a run that long must contain a probed byte), so text made of short words
/// costs a fraction of a full pass. The decoders' own candidate finders use this; the fast
/// path is the one pass of [`pass::all_candidates`].
pub(crate) fn long_runs(
    class: &ByteClass,
    min: usize,
    data: &[u8],
    mut found: impl FnMut(Range<usize>),
) {
    debug_assert!(min > 0);
    let mut p = min - 1;
    let mut floor = 0; // no run may start before this (end of the previous run)
    while p < data.len() {
        if !class.has(data[p]) {
            p += min;
            continue;
        }
        // a run this long through `p` reaches `p - h` or `p + h`: when neither byte is in the
        // class, the run is short and need not be walked (most words in code end here)
        let h = min / 2;
        let left_out = p < floor + h || !class.has(data[p - h]);
        let right_out = p + h >= data.len() || !class.has(data[p + h]);
        if h > 0 && left_out && right_out {
            p += min;
            continue;
        }
        let mut s = p;
        while s > floor && class.has(data[s - 1]) {
            s -= 1;
        }
        let mut e = p + 1;
        while e < data.len() && class.has(data[e]) {
            e += 1;
        }
        if e - s >= min {
            found(s..e);
        }
        floor = e;
        p = e + min;
    }
}

/// Bit `i` of the result is set when bits `i..i + n` of `m` are all set (`1 <= n <= 64`;
/// bits past 63 count as clear).
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))] // the one pass is x86-64 only
#[inline(always)]
fn ones_from(m: u64, n: usize) -> u64 {
    let mut r = m;
    let mut have = 1;
    while 2 * have <= n {
        r &= r >> have;
        have *= 2;
    }
    if have < n {
        r &= r >> (n - have);
    }
    r
}

/// The 64 bytes of `data` from `base`, or the bytes left copied into `pad` (zeroed), whose
/// zero bytes are in no class.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))] // the one pass is x86-64 only
#[inline(always)]
pub(crate) fn block_at<'a>(data: &'a [u8], base: usize, pad: &'a mut [u8; 64]) -> &'a [u8; 64] {
    let rest = &data[base..];
    match rest.first_chunk::<64>() {
        Some(block) => block,
        None => {
            *pad = [0; 64];
            pad[..rest.len()].copy_from_slice(rest);
            pad
        }
    }
}

/// Finds the maximal runs of a class that are at least `MIN` long (`1 <= MIN <= 64`) from the
/// class's bit masks of consecutive 64-byte blocks.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))] // the one pass is x86-64 only
#[derive(Default)]
pub(crate) struct Runs<const MIN: usize> {
    /// Start of a run that reaches the end of the previous block.
    open: Option<usize>,
}

#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))] // the one pass is x86-64 only
impl<const MIN: usize> Runs<MIN> {
    /// The block at `base` (the previous block's `base` plus 64, starting at 0) has class
    /// bits `m`: bit `i` for byte `base + i`, clear past the end of the data.
    #[inline(always)]
    pub(crate) fn block(&mut self, base: usize, m: u64, found: &mut impl FnMut(Range<usize>)) {
        // the common case, with one branch: no run that is MIN long ends in this block, and
        // only a run through the last byte may go on
        let lead = m.trailing_ones() as usize;
        let first = self.open.unwrap_or(base);
        if (lead < 64) & (base + lead - first < MIN) & (ones_from(m, MIN) == 0) {
            let top = base + 64 - m.leading_ones() as usize;
            self.open = if m >> 63 == 1 { Some(top) } else { None };
            return;
        }
        self.block_runs(base, m, found);
    }

    /// [`Runs::block`] when a run may end in the block.
    #[inline(always)]
    fn block_runs(&mut self, base: usize, mut m: u64, found: &mut impl FnMut(Range<usize>)) {
        let mut long = ones_from(m, MIN);
        if let Some(s) = self.open {
            let lead = m.trailing_ones() as usize;
            if lead == 64 {
                return;
            }
            if base + lead - s >= MIN {
                found(s..base + lead);
            }
            self.open = None;
            // the run's bits, and the long-run starts inside it, are done with
            m &= !((1u64 << lead) - 1);
            long &= m;
        }
        while long != 0 {
            let p = long.trailing_zeros() as usize;
            let e = p + (m >> p).trailing_ones() as usize;
            if e == 64 {
                self.open = Some(base + p);
                return;
            }
            found(base + p..base + e);
            m &= !((1u64 << e) - 1);
            long &= m;
        }
        // a shorter run through the last byte may go on in the next block
        if m >> 63 == 1 {
            self.open = Some(base + 64 - m.leading_ones() as usize);
        }
    }

    /// After the last block, of data `len` bytes long.
    #[inline(always)]
    pub(crate) fn finish(self, len: usize, found: &mut impl FnMut(Range<usize>)) {
        if let Some(s) = self.open {
            if len - s >= MIN {
                found(s..len);
            }
        }
    }
}

/// Incremental [`is_text`]: bytes are pushed one at a time and the first byte that no text
/// can contain (a control character, or a byte that cannot continue valid UTF-8) is refused,
/// so a decoder can give up on binary after decoding a few bytes. A non-empty sequence is
/// text exactly when every push succeeds and [`TextCheck::finish`] holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextCheck {
    /// Continuation bytes still expected.
    need: u8,
    /// Allowed range of the next continuation byte.
    lo: u8,
    hi: u8,
}

impl Default for TextCheck {
    fn default() -> TextCheck {
        TextCheck {
            need: 0,
            lo: 0x80,
            hi: 0xBF,
        }
    }
}

impl TextCheck {
    #[inline(always)]
    pub(crate) fn push(&mut self, b: u8) -> bool {
        if self.need > 0 {
            if b < self.lo || b > self.hi {
                return false;
            }
            self.need -= 1;
            self.lo = 0x80;
            self.hi = 0xBF;
            return true;
        }
        // Unicode table 3-7 (well-formed UTF-8), less the C0 and C1 controls and DEL
        let (need, lo, hi) = match b {
            0x20..=0x7E | b'\t' | b'\n' | b'\r' => return true,
            0xC2 => (1, 0xA0, 0xBF), // U+0080..U+009F are controls
            0xC3..=0xDF => (1, 0x80, 0xBF),
            0xE0 => (2, 0xA0, 0xBF),
            0xE1..=0xEC | 0xEE..=0xEF => (2, 0x80, 0xBF),
            0xED => (2, 0x80, 0x9F),
            0xF0 => (3, 0x90, 0xBF),
            0xF1..=0xF3 => (3, 0x80, 0xBF),
            0xF4 => (3, 0x80, 0x8F),
            _ => return false,
        };
        self.need = need;
        self.lo = lo;
        self.hi = hi;
        true
    }

    /// No character is cut short at the end.
    pub(crate) fn finish(&self) -> bool {
        self.need == 0
    }
}

#[cfg(test)]
mod oracles;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples::Rng;

    /// Maximal runs of `class` at least `min` long, one byte at a time.
    fn brute_runs(class: &ByteClass, min: usize, d: &[u8]) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < d.len() {
            if class.has(d[i]) {
                let s = i;
                while i < d.len() && class.has(d[i]) {
                    i += 1;
                }
                if i - s >= min {
                    out.push(s..i);
                }
            } else {
                i += 1;
            }
        }
        out
    }

    /// [`Runs`] fed masks built one byte at a time.
    fn mask_runs<const MIN: usize>(class: &ByteClass, d: &[u8]) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut runs = Runs::<MIN>::default();
        let mut pad = [0u8; 64];
        let mut base = 0;
        while base < d.len() {
            let block = block_at(d, base, &mut pad);
            let m = block
                .iter()
                .enumerate()
                .fold(0u64, |m, (i, &b)| m | (class.has(b) as u64) << i);
            runs.block(base, m, &mut |r| out.push(r));
            base += 64;
        }
        runs.finish(d.len(), &mut |r| out.push(r));
        out
    }

    fn all_ways(class: &ByteClass, d: &[u8]) {
        macro_rules! check {
            ($($min:literal)*) => {$(
                let want = brute_runs(class, $min, d);
                let mut probe = Vec::new();
                long_runs(class, $min, d, |r| probe.push(r));
                assert_eq!(probe, want, "probe, min {}, {:?}", $min, String::from_utf8_lossy(d));
                assert_eq!(mask_runs::<$min>(class, d), want, "mask, min {}", $min);
            )*};
        }
        check!(1 2 3 6 8 19 20 21 31 32 33 63 64);
    }

    #[test]
    fn long_runs_finds_every_long_run_and_no_short_one() {
        const T: ByteClass = ByteClass::new(b"abc");
        let data = b"ab abcabcabcab x abcabca abc aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        let mut out = Vec::new();
        long_runs(&T, 8, data, |r| out.push(r));
        let got: Vec<&[u8]> = out.iter().map(|r| &data[r.clone()]).collect();
        assert_eq!(
            got,
            vec![
                &b"abcabcabcab"[..],
                &b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"[..]
            ]
        );
        // both finders agree with a byte-by-byte search on pseudo-random data: runs of every
        // length, at every offset from the 64-byte blocks, ending the data or not
        let mut rng = Rng::new(5);
        for n in 0..300 {
            let density = 2 + rng.below(60);
            let len = if n < 140 { n } else { rng.below(700) };
            let d: Vec<u8> = (0..len)
                .map(|_| if rng.below(density) == 0 { b' ' } else { b'a' })
                .collect();
            all_ways(&T, &d);
        }
        for len in [0, 1, 19, 20, 63, 64, 65, 127, 128, 129, 200] {
            for gap in 0..70 {
                let mut d = vec![b'a'; len + gap + 70];
                d[gap] = b'.';
                if len + gap + 1 < d.len() {
                    d[len + gap + 1] = b'.';
                }
                all_ways(&T, &d);
                all_ways(&T, &d[..d.len() - 69]);
            }
        }
    }

    #[test]
    fn byte_class_nibble_table_matches_its_byte_table() {
        for class in [&base64::ALPHABET_CLASS, &hex::DIGITS] {
            for b in 0..=255u8 {
                let by_nibble = b < 0x80 && class.by_low()[(b & 15) as usize] >> (b >> 4) & 1 == 1;
                assert_eq!(by_nibble, class.has(b), "{b:#x}");
            }
        }
    }

    #[test]
    fn text_check_agrees_with_is_text() {
        let check = |b: &[u8]| {
            let mut t = TextCheck::default();
            let incremental = !b.is_empty() && b.iter().all(|&x| t.push(x)) && t.finish();
            assert_eq!(incremental, is_text(b), "{b:x?}");
            // a byte is refused only when no text starts with the bytes so far: they hold a
            // control character, or are not even the start of valid UTF-8
            let mut t = TextCheck::default();
            if let Some(k) = b.iter().position(|&x| !t.push(x)) {
                match std::str::from_utf8(&b[..=k]) {
                    Ok(s) => assert!(
                        s.chars()
                            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')),
                        "{b:x?}"
                    ),
                    Err(e) => assert!(e.error_len().is_some(), "{b:x?}"),
                }
            }
        };
        for a in 0..=255u8 {
            check(&[a]);
            for b in 0..=255u8 {
                check(&[a, b]);
            }
        }
        // every 3-byte sequence that starts a multi-byte character
        for a in 0xC0..=0xFFu8 {
            for b in 0..=255u8 {
                for c in (0..=255u8).step_by(3) {
                    check(&[a, b, c]);
                }
            }
        }
        // random sequences, mostly near valid UTF-8
        let mut rng = Rng::new(9);
        let pieces: Vec<Vec<u8>> = [
            "a",
            "\t",
            "\n",
            "\r",
            "\u{7f}",
            "\u{80}",
            "\u{9f}",
            "\u{a0}",
            "é",
            "€",
            "😀",
            "\u{10ffff}",
            "\u{fffd}",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        for _ in 0..20_000 {
            let mut b = Vec::new();
            for _ in 0..rng.below(6) {
                match rng.below(4) {
                    0 => b.push(rng.next_u64() as u8),
                    _ => b.extend(&pieces[rng.below(pieces.len())]),
                }
            }
            if !b.is_empty() && rng.below(3) == 0 {
                b.truncate(rng.below(b.len()));
            }
            check(&b);
        }
    }

    /// A run that reaches the end of a chunk is left to the next one, which sees it whole:
    /// a hex run of odd length too (decoding leaves out its last digit).
    #[test]
    fn runs_cut_by_the_chunk_border_are_left_to_the_next_chunk() {
        let scanner = crate::engine::Scanner::new(crate::config::Config::default()).unwrap();
        let mut rng = Rng::new(3);
        let token = crate::examples::github_style_token(&mut rng, "ghp");
        let hex: String = format!("GITHUB_TOKEN={token}")
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect();
        for tail in ["", "7"] {
            let data = format!("x {hex}{tail}");
            let found = |at_eof| {
                let d = data.as_bytes();
                let m = scan(
                    &scanner.rules,
                    d,
                    0..d.len(),
                    at_eof,
                    &[],
                    Limits::default(),
                    false,
                    &mut LimitsHit::default(),
                );
                m.into_iter().map(|m| m.m.secret).collect::<Vec<_>>()
            };
            assert_eq!(found(true), vec![token.clone()], "{tail:?}");
            assert!(found(false).is_empty(), "{tail:?}");
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
