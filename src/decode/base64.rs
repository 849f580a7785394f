//! Base64, standard (`+/`) and URL-safe (`-_`) alphabets, padded or not.
//!
//! Candidates are runs of at least 20 alphabet characters that mix upper and lower case and
//! are not a data URI of an image, font or other binary medium, nor a Subresource Integrity
//! hash (`sha512-…`). A run decodes only when the result is text, which rules out hashes,
//! key material, images, fonts and source-map `mappings` at the cost of one decode.

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
