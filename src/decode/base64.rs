//! Base64, standard (`+/`) and URL-safe (`-_`) alphabets, padded or not.
//!
//! Candidates are runs of at least 20 alphabet characters that mix upper and lower case and
//! are not a data URI of an image, font or other binary medium, nor a Subresource Integrity
//! hash (`sha512-…`). A run decodes only when the result is text, which rules out hashes,
//! key material, images, fonts and source-map `mappings`. Nearly every candidate in code is
//! an identifier or a path that decodes to binary; that shows within the first few decoded
//! bytes, and the run is dropped there, before anything is allocated.

use std::ops::Range;

use super::{long_runs, ByteClass, Decoded, Decoder, TextCheck};

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

/// Bytes of either alphabet, for [`long_runs`].
pub(crate) const ALPHABET_CLASS: ByteClass =
    ByteClass::new(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_");

/// The 6-bit value of each character of either alphabet, with [`SIGN_STD`] or [`SIGN_URL`]
/// in the top two bits for the characters of one alphabet only (`+/`, `-_`), and [`OTHER`]
/// (all bits) for the bytes of neither (`=` included).
const SEXTET: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = i as u8;
        t[b'a' as usize + i] = 26 + i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = 52 + i as u8;
        i += 1;
    }
    t[b'+' as usize] = SIGN_STD | 62;
    t[b'/' as usize] = SIGN_STD | 63;
    t[b'-' as usize] = SIGN_URL | 62;
    t[b'_' as usize] = SIGN_URL | 63;
    t
};
const SIGN_STD: u8 = 0x40;
const SIGN_URL: u8 = 0x80;
const SIGNS: u8 = SIGN_STD | SIGN_URL;
const OTHER: u8 = 0xFF;

impl Decoder for Base64 {
    fn name(&self) -> &'static str {
        "base64"
    }

    fn candidates(&self, data: &[u8], out: &mut Vec<Range<usize>>) {
        long_runs(&ALPHABET_CLASS, MIN_RUN, data, |r| {
            run_candidates(data, r, out)
        });
    }

    fn decode(&self, run: &[u8]) -> Option<Decoded> {
        // nearly every candidate is an identifier, path or hash that decodes to binary:
        // find that out before allocating anything, usually within a few bytes
        let body = &run[..text_body(run)?];
        let mut d = Decoded::with_capacity(body.len() / 4 * 3 + 2);
        let quads = body.chunks_exact(4);
        let tail = quads.remainder();
        for (k, q) in quads.enumerate() {
            let acc = bits(q);
            let (s, e) = (4 * k, 4 * k + 4);
            d.push((acc >> 16) as u8, s, e);
            d.push((acc >> 8) as u8, s, e);
            d.push(acc as u8, s, e);
        }
        let s = body.len() - tail.len();
        let acc = bits(tail);
        match tail.len() {
            2 => d.push((acc >> 4) as u8, s, run.len()),
            3 => {
                d.push((acc >> 10) as u8, s, run.len());
                d.push((acc >> 2) as u8, s, run.len());
            }
            _ => {}
        }
        Some(d)
    }
}

/// The bits of up to four characters of either alphabet.
#[inline]
fn bits(chars: &[u8]) -> u32 {
    chars.iter().fold(0u32, |acc, &c| {
        (acc << 6) | (SEXTET[c as usize] & 0x3F) as u32
    })
}

/// The length of the body of `run` (up to its first `=`) when the body decodes to text:
/// every character is in one alphabet (the URL-safe one when `-` or `_` occurs, the standard
/// one otherwise) and the decoded bytes are [`super::is_text`] (so not empty). Decodes only
/// as far as needed to rule the run out. Both alphabets give a character the same value, so
/// the bytes decoded before the alphabet is known are the same either way.
fn text_body(run: &[u8]) -> Option<usize> {
    let mut text = TextCheck::default();
    let mut signs = 0u8; // which alphabets' own characters were seen
    let mut quads = run.chunks_exact(4);
    let mut at = 0;
    for q in &mut quads {
        let v = [
            SEXTET[q[0] as usize],
            SEXTET[q[1] as usize],
            SEXTET[q[2] as usize],
            SEXTET[q[3] as usize],
        ];
        let seen = signs | ((v[0] | v[1] | v[2] | v[3]) & SIGNS);
        if seen == SIGNS {
            break; // padding, a byte of neither alphabet, or both alphabets: one at a time
        }
        signs = seen;
        let acc = (v[0] as u32 & 0x3F) << 18
            | (v[1] as u32 & 0x3F) << 12
            | (v[2] as u32 & 0x3F) << 6
            | (v[3] as u32 & 0x3F);
        if !text.push((acc >> 16) as u8) || !text.push((acc >> 8) as u8) || !text.push(acc as u8) {
            return None;
        }
        at += 4;
    }
    let mut acc = 0u32;
    let mut n = 0;
    while at < run.len() {
        let c = run[at];
        let v = SEXTET[c as usize];
        if v == OTHER {
            if c == b'=' {
                break;
            }
            return None;
        }
        signs |= v & SIGNS;
        if signs == SIGNS {
            return None; // both alphabets
        }
        acc = (acc << 6) | (v & 0x3F) as u32;
        n += 1;
        if n == 4 {
            if !text.push((acc >> 16) as u8)
                || !text.push((acc >> 8) as u8)
                || !text.push(acc as u8)
            {
                return None;
            }
            acc = 0;
            n = 0;
        }
        at += 1;
    }
    let tail_ok = match n {
        2 => text.push((acc >> 4) as u8),
        3 => text.push((acc >> 10) as u8) && text.push((acc >> 2) as u8),
        _ => true,
    };
    (tail_ok && text.finish() && at >= 2).then_some(at)
}

/// The candidates in `r`, a maximal run of at least [`MIN_RUN`] bytes of [`ALPHABET_CLASS`].
/// Called for every such run in order.
pub(crate) fn run_candidates(data: &[u8], r: Range<usize>, out: &mut Vec<Range<usize>>) {
    let run = &data[r.clone()];
    let seen = run.iter().fold(0, |f, &b| f | ALPHABET[b as usize]);
    if seen & (UPPER | LOWER) != UPPER | LOWER {
        return; // one case only: words, paths, constants
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use ::base64::Engine;

    fn cands(data: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        Base64.candidates(data, &mut out);
        out.into_iter()
            .map(|r| String::from_utf8_lossy(&data[r]).into_owned())
            .collect()
    }

    #[test]
    fn decodes_both_alphabets_with_and_without_padding() {
        let text = b"DB_PASSWORD=q8Vn2kLs0Pz?x>~";
        for eng in [
            ::base64::engine::general_purpose::STANDARD,
            ::base64::engine::general_purpose::STANDARD_NO_PAD,
            ::base64::engine::general_purpose::URL_SAFE,
            ::base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            for cut in 0..3 {
                let t = &text[..text.len() - cut];
                let enc = eng.encode(t);
                let d = Base64.decode(enc.as_bytes()).expect("decodes");
                assert_eq!(d.bytes, t, "{enc}");
                assert_eq!(d.spans.len(), t.len());
                assert_eq!(d.spans[0], (0, 4));
                assert!(d.spans.last().unwrap().1 as usize <= enc.len());
            }
        }
    }

    #[test]
    fn binary_and_malformed_input_is_rejected() {
        let eng = ::base64::engine::general_purpose::STANDARD;
        let mut rng = crate::examples::Rng::new(1);
        for _ in 0..50 {
            let bin = eng.encode(rng.bytes(48));
            assert!(Base64.decode(bin.as_bytes()).is_none());
        }
        assert!(Base64.decode(b"abc+def_ghi").is_none(), "mixed alphabets");
        assert!(Base64.decode(b"a").is_none());
        assert!(Base64.decode(b"====").is_none());
        assert!(Base64.decode("ümlaut".as_bytes()).is_none());
    }

    #[test]
    fn candidates_skip_integrity_hashes_binary_data_uris_and_short_or_one_case_runs() {
        let eng = ::base64::engine::general_purpose::STANDARD;
        let payload = eng.encode(b"password: Zq8Vn2kLs0PzXw");
        let line = format!(
            "a {payload} b sha512-{payload} c data:image/png;base64,{payload} \
             d data:text/plain;base64,{payload} e abcdefghijklmnopqrstuvwxyz0123 f QUJD"
        );
        assert_eq!(cands(line.as_bytes()), vec![payload.clone(), payload]);
    }
}
