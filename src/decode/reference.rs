//! The decoders and the driver as they were before candidates were found in one pass and
//! base64 runs were ruled out while decoding (commit 21e03ec), kept verbatim, less their
//! tests, as the reference the differential tests compare the current code with.

use std::ops::Range;

use super::{Decoded, DecodedMatch, Decoder, Limits};
use crate::matcher::{RawMatch, RuleSet};

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

pub mod base64 {
    use std::ops::Range;

    use super::{long_runs_bits, Decoded, Decoder};

    pub struct Base64;

    /// Shortest run considered (15 decoded bytes).
    pub const MIN_RUN: usize = 20;

    const INTEGRITY: [&[u8]; 4] = [b"sha1-", b"sha256-", b"sha384-", b"sha512-"];

    const UPPER: u8 = 1;
    const LOWER: u8 = 2;
    const DIGIT: u8 = 4;
    const STD: u8 = 8;
    const URL: u8 = 16;

    /// Both alphabets, each byte flagged with its kind.
    const ALPHABET: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut b = 0;
        while b < 256 {
            t[b] = match b as u8 {
                b'A'..=b'Z' => UPPER,
                b'a'..=b'z' => LOWER,
                b'0'..=b'9' => DIGIT,
                b'+' | b'/' => STD,
                b'-' | b'_' => URL,
                _ => 0,
            };
            b += 1;
        }
        t
    };

    impl Decoder for Base64 {
        fn name(&self) -> &'static str {
            "base64"
        }

        fn candidates(&self, data: &[u8], out: &mut Vec<Range<usize>>) {
            long_runs_bits(data, &ALPHABET, MIN_RUN, |r, seen| {
                if seen & (UPPER | LOWER) != UPPER | LOWER {
                    return; // one case only: words, paths, constants
                }
                let run = &data[r.clone()];
                if INTEGRITY.iter().any(|p| run.starts_with(p)) {
                    return; // Subresource Integrity / lockfile hash
                }
                if seen & (STD | URL) == STD | URL {
                    // `path/to/some_file`: split at the URL-safe characters and keep the
                    // standard-alphabet pieces
                    let mut s = r.start;
                    for (i, &b) in run.iter().enumerate() {
                        if b == b'-' || b == b'_' {
                            push(data, s..r.start + i, out, true);
                            s = r.start + i + 1;
                        }
                    }
                    push(data, s..r.end, out, true);
                } else {
                    push(data, r, out, false);
                }
            });
        }

        fn decode(&self, run: &[u8]) -> Option<Decoded> {
            let end = run.iter().position(|&b| b == b'=').unwrap_or(run.len());
            let body = &run[..end];
            let url = body.iter().any(|&b| b == b'-' || b == b'_');
            // binary shows in the first quads: reject it before allocating anything
            if !head_is_text(body, url) {
                return None;
            }
            let mut d = Decoded::with_capacity(body.len() / 4 * 3 + 2);
            let mut acc = 0u32;
            let mut n = 0;
            for (i, &c) in body.iter().enumerate() {
                let v = sextet(c, url)?;
                acc = (acc << 6) | v;
                n += 1;
                if n == 4 {
                    // binary (hashes, keys, images) shows a control byte within a few quads
                    if !text_ok(acc >> 16) || !text_ok(acc >> 8) || !text_ok(acc) {
                        return None;
                    }
                    let s = i + 1 - 4;
                    d.push((acc >> 16) as u8, s, i + 1);
                    d.push((acc >> 8) as u8, s, i + 1);
                    d.push(acc as u8, s, i + 1);
                    acc = 0;
                    n = 0;
                }
            }
            let s = body.len() - n;
            match n {
                2 => d.push((acc >> 4) as u8, s, run.len()),
                3 => {
                    d.push((acc >> 10) as u8, s, run.len());
                    d.push((acc >> 2) as u8, s, run.len());
                }
                _ => {}
            }
            super::is_text(&d.bytes).then_some(d)
        }
    }

    /// The 6-bit value of a base64 character in the standard (`+/`) or URL-safe (`-_`)
    /// alphabet.
    fn sextet(c: u8, url: bool) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' if (c == b'-') == url => 62,
            b'/' | b'_' if (c == b'_') == url => 63,
            _ => return None,
        } as u32)
    }

    /// The first (up to) four quads of `body` decode to bytes that can be text.
    fn head_is_text(body: &[u8], url: bool) -> bool {
        for quad in body.chunks_exact(4).take(4) {
            let mut acc = 0u32;
            for &c in quad {
                let Some(v) = sextet(c, url) else {
                    return false;
                };
                acc = (acc << 6) | v;
            }
            if !text_ok(acc >> 16) || !text_ok(acc >> 8) || !text_ok(acc) {
                return false;
            }
        }
        true
    }

    /// A decoded byte that can be part of text: printable, whitespace or non-ASCII (UTF-8 is
    /// checked at the end).
    #[inline]
    fn text_ok(v: u32) -> bool {
        let b = v as u8;
        (b >= 0x20 && b != 0x7f) || matches!(b, b'\t' | b'\n' | b'\r')
    }

    /// Add `r` as a candidate when it is long enough, mixes cases (checked by the caller unless
    /// `check_case`), and is not a binary data URI
    /// or an integrity hash. Trailing `=` padding is included.
    fn push(data: &[u8], r: Range<usize>, out: &mut Vec<Range<usize>>, check_case: bool) {
        if r.len() < MIN_RUN {
            return;
        }
        let run = &data[r.clone()];
        if check_case
            && (!run.iter().any(u8::is_ascii_uppercase) || !run.iter().any(u8::is_ascii_lowercase))
        {
            return;
        }
        let before = &data[r.start.saturating_sub(96)..r.start];
        if INTEGRITY.iter().any(|p| before.ends_with(p)) {
            return;
        }
        if before.ends_with(b";base64,") {
            if let Some(i) = memchr::memmem::rfind(before, b"data:") {
                let mime = &before[i + 5..];
                let text = mime.starts_with(b"text/")
                    || mime.starts_with(b"application/json")
                    || mime.starts_with(b"application/x-sh")
                    || mime.starts_with(b"application/x-yaml")
                    || mime.starts_with(b"application/yaml");
                if !text {
                    return;
                }
            }
        }
        let mut end = r.end;
        while end < data.len() && end - r.end < 2 && data[end] == b'=' {
            end += 1;
        }
        out.push(r.start..end);
    }
}

pub mod hex {
    use std::ops::Range;

    use super::{class_table, long_runs, Decoded, Decoder};

    pub struct Hex;

    pub const MIN_RUN: usize = 32;

    const DIGITS: [bool; 256] = class_table(b"0123456789abcdefABCDEF");

    impl Decoder for Hex {
        fn name(&self) -> &'static str {
            "hex"
        }

        fn candidates(&self, data: &[u8], out: &mut Vec<Range<usize>>) {
            let mut runs = Vec::new();
            long_runs(data, &DIGITS, MIN_RUN, &mut runs);
            for r in runs {
                // a hex run inside a longer word (`abc…xyz`) is not hex-encoded text
                let word = |b: u8| b.is_ascii_alphanumeric();
                if (r.start > 0 && word(data[r.start - 1]))
                    || data.get(r.end).is_some_and(|&b| word(b))
                {
                    continue;
                }
                // text in hex is ASCII: every other digit pair starts with 2..7
                let run = &data[r.clone()];
                if run
                    .chunks(2)
                    .filter(|p| matches!(p[0], b'2'..=b'7'))
                    .count()
                    * 10
                    >= run.len() / 2 * 9
                {
                    out.push(r);
                }
            }
        }

        fn decode(&self, run: &[u8]) -> Option<Decoded> {
            let mut d = Decoded::with_capacity(run.len() / 2);
            for (i, p) in run.chunks_exact(2).enumerate() {
                let v = |c: u8| (c as char).to_digit(16);
                let b = (v(p[0])? * 16 + v(p[1])?) as u8;
                if (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f {
                    return None; // binary: a hash or key, not text
                }
                d.push(b, 2 * i, 2 * i + 2);
            }
            super::is_text(&d.bytes).then_some(d)
        }
    }
}

pub mod percent {
    use std::ops::Range;

    use super::{Decoded, Decoder};

    pub struct Percent;

    /// Longest run looked at on each side of a `%XX`.
    const REACH: usize = 2048;

    fn url_char(b: u8) -> bool {
        b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>' | b'\\')
    }

    fn is_escape(data: &[u8], i: usize) -> bool {
        data.get(i) == Some(&b'%')
            && data.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && data.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    }

    impl Decoder for Percent {
        fn keeps_syntax(&self) -> bool {
            true
        }

        fn name(&self) -> &'static str {
            "percent"
        }

        fn candidates(&self, data: &[u8], out: &mut Vec<Range<usize>>) {
            let mut last_end = 0;
            for i in memchr::memchr_iter(b'%', data) {
                if i < last_end || !is_escape(data, i) {
                    continue;
                }
                let mut s = i;
                while s > last_end && i - s < REACH && url_char(data[s - 1]) {
                    s -= 1;
                }
                let mut e = i + 3;
                while e < data.len() && e - i < REACH && url_char(data[e]) {
                    e += 1;
                }
                out.push(s..e);
                last_end = e;
            }
        }

        fn decode(&self, run: &[u8]) -> Option<Decoded> {
            let mut d = Decoded::with_capacity(run.len());
            let mut i = 0;
            let mut any = false;
            while i < run.len() {
                if is_escape(run, i) {
                    let v = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                    d.push(v(run[i + 1]) * 16 + v(run[i + 2]), i, i + 3);
                    i += 3;
                    any = true;
                } else {
                    d.push(run[i], i, i + 1);
                    i += 1;
                }
            }
            (any && super::is_text(&d.bytes)).then_some(d)
        }
    }
}

pub mod escape {
    use std::ops::Range;

    use super::{Decoded, Decoder};

    pub struct Escape;

    const REACH: usize = 4096;

    fn is_quote(b: u8) -> bool {
        matches!(b, b'"' | b'\'' | b'`')
    }

    impl Decoder for Escape {
        fn keeps_syntax(&self) -> bool {
            true
        }

        fn name(&self) -> &'static str {
            "escape"
        }

        fn candidates(&self, data: &[u8], out: &mut Vec<Range<usize>>) {
            let mut last_end = 0;
            for i in memchr::memchr_iter(b'\\', data) {
                if i < last_end || !matches!(data.get(i + 1), Some(b'u' | b'x')) {
                    continue;
                }
                if !data
                    .get(i + 2)
                    .is_some_and(|&b| b.is_ascii_hexdigit() || b == b'{')
                {
                    continue;
                }
                // left: back to an unescaped quote or the line start
                let mut s = i;
                while s > last_end && i - s < REACH {
                    let b = data[s - 1];
                    if b == b'\n' || (is_quote(b) && !(s >= 2 && data[s - 2] == b'\\')) {
                        break;
                    }
                    s -= 1;
                }
                // right: to an unescaped quote or the line end
                let mut e = i;
                while e < data.len() && e - i < REACH {
                    let b = data[e];
                    if b == b'\\' {
                        e = (e + 2).min(data.len());
                        continue;
                    }
                    if b == b'\n' || is_quote(b) {
                        break;
                    }
                    e += 1;
                }
                out.push(s..e);
                last_end = e;
            }
        }

        fn decode(&self, run: &[u8]) -> Option<Decoded> {
            let mut d = Decoded::with_capacity(run.len());
            let mut i = 0;
            let mut any = false;
            let hex = |s: &[u8]| -> Option<u32> {
                if !s.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                u32::from_str_radix(std::str::from_utf8(s).ok()?, 16).ok()
            };
            while i < run.len() {
                if run[i] != b'\\' || i + 1 >= run.len() {
                    d.push(run[i], i, i + 1);
                    i += 1;
                    continue;
                }
                let (ch, len): (Option<char>, usize) = match run[i + 1] {
                    b'u' if run.get(i + 2) == Some(&b'{') => {
                        match memchr::memchr(b'}', &run[i + 2..(i + 10).min(run.len())]) {
                            Some(k) => {
                                (hex(&run[i + 3..i + 2 + k]).and_then(char::from_u32), k + 3)
                            }
                            None => (None, 2),
                        }
                    }
                    b'u' if i + 6 <= run.len() => match hex(&run[i + 2..i + 6]) {
                        Some(hi @ 0xD800..=0xDBFF) => {
                            let lo = (run.get(i + 6..i + 8) == Some(b"\\u"))
                                .then(|| run.get(i + 8..i + 12).and_then(hex))
                                .flatten();
                            match lo {
                                Some(lo @ 0xDC00..=0xDFFF) => (
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)),
                                    12,
                                ),
                                _ => (None, 6),
                            }
                        }
                        Some(v) => (char::from_u32(v), 6),
                        None => (None, 2),
                    },
                    b'x' if i + 4 <= run.len() => {
                        (hex(&run[i + 2..i + 4]).and_then(char::from_u32), 4)
                    }
                    b'n' => (Some('\n'), 2),
                    b't' => (Some('\t'), 2),
                    b'r' => (Some('\r'), 2),
                    b'b' | b'f' | b'v' | b'0' => (Some(' '), 2),
                    b'u' | b'x' => (None, 2),
                    c if c.is_ascii() => (Some(c as char), 2),
                    _ => (None, 1),
                };
                match ch {
                    Some(c) => {
                        if len > 2 {
                            any = true;
                        }
                        let mut buf = [0u8; 4];
                        d.extend(c.encode_utf8(&mut buf).as_bytes(), i, i + len);
                    }
                    None => d.extend(&run[i..i + len], i, i + len),
                }
                i += len;
            }
            (any && super::is_text(&d.bytes)).then_some(d)
        }
    }
}

pub mod kube {
    use std::ops::Range;

    use super::{Decoded, Decoder};

    pub struct KubeSecret;

    impl Decoder for KubeSecret {
        fn name(&self) -> &'static str {
            "base64"
        }

        fn candidates(&self, data: &[u8], out: &mut Vec<Range<usize>>) {
            if memchr::memmem::find(data, b"kind: Secret").is_none() {
                return;
            }
            let mut in_data: Option<usize> = None; // indentation of the `data:` key
            let mut secret = false; // this YAML document is `kind: Secret`
            let first = out.len(); // candidates of this document start here
            let mut doc_start = first;
            let mut at = 0;
            while at <= data.len() {
                let end = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |i| at + i);
                let line = &data[at..end];
                let indent = line.iter().take_while(|&&b| b == b' ').count();
                let body = line[indent..]
                    .strip_suffix(b"\r")
                    .unwrap_or(&line[indent..]);
                let doc_end = body == b"---" || end == data.len();
                if body.is_empty() || body.starts_with(b"#") {
                    // blank lines and comments do not end a block
                } else if in_data.is_some_and(|di| indent > di) {
                    if let Some(colon) = memchr::memchr(b':', body) {
                        let value = body[colon + 1..].trim_ascii();
                        if !value.is_empty() && value.iter().all(|&b| is_b64(b)) {
                            out.push(at + indent..at + indent + body.len());
                        }
                    }
                } else {
                    in_data = (body == b"data:").then_some(indent);
                    if indent == 0 && body.trim_ascii_end() == b"kind: Secret" {
                        secret = true;
                    }
                }
                if doc_end {
                    if !secret {
                        out.truncate(doc_start);
                    }
                    doc_start = out.len();
                    secret = false;
                    in_data = None;
                }
                at = end + 1;
            }
        }

        fn decode(&self, run: &[u8]) -> Option<Decoded> {
            let colon = memchr::memchr(b':', run)?;
            let lead = colon
                + 1
                + run[colon + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_whitespace())
                    .count();
            let mut value = run[lead..].trim_ascii_end();
            for q in [b'"', b'\''] {
                if value.len() >= 2 && value[0] == q && value[value.len() - 1] == q {
                    value = &value[1..value.len() - 1];
                }
            }
            let vstart = lead + (run[lead..].len() - run[lead..].trim_ascii_start().len());
            let vstart = if run.get(vstart).is_some_and(|&b| b == b'"' || b == b'\'') {
                vstart + 1
            } else {
                vstart
            };
            let inner = super::base64::Base64.decode(value)?;
            let mut d = Decoded::with_capacity(colon + 2 + inner.bytes.len());
            for (i, &b) in run[..colon].iter().enumerate() {
                d.push(b, i, i + 1);
            }
            d.push(b':', colon, colon + 1);
            d.push(b' ', colon, colon + 1);
            for (b, (s, e)) in inner.bytes.iter().zip(inner.spans) {
                d.push(*b, vstart + s as usize, vstart + e as usize);
            }
            Some(d)
        }
    }

    fn is_b64(b: u8) -> bool {
        b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'"' | b'\'')
    }
}
