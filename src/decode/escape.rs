//! JSON and JavaScript string escapes: `\uXXXX` (with surrogate pairs), `\u{…}`, `\xNN` and
//! the one-character escapes (`\"`, `\n`, …). Candidates are the stretches of a line around
//! a `\u` or `\x`, up to an unescaped quote; the pairs are found with `memmem`.

use std::ops::Range;
use std::sync::LazyLock;

use memchr::memmem;

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
        // `\u` and `\x` are far rarer than backslashes (`\n`, `\\`, regular expressions):
        // look for the pairs, in order of position
        static PAIRS: LazyLock<[memmem::Finder<'static>; 2]> =
            LazyLock::new(|| [memmem::Finder::new(b"\\u"), memmem::Finder::new(b"\\x")]);
        let mut u = PAIRS[0].find_iter(data).peekable();
        let mut x = PAIRS[1].find_iter(data).peekable();
        let mut last_end = 0;
        loop {
            let i = match (u.peek(), x.peek()) {
                (Some(a), Some(b)) if a < b => u.next(),
                (Some(_), None) => u.next(),
                (_, Some(_)) => x.next(),
                (None, None) => None,
            };
            let Some(i) = i else { break };
            candidate_at(data, i, &mut last_end, out);
        }
    }

    fn decode(&self, run: &[u8]) -> Option<Decoded> {
        let mut d = Decoded::with_capacity(run.len());
        let mut i = 0;
        let mut any = false;
        // hex digits only: `from_str_radix` alone would take `\u+041` and `\u{+41}`
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
                        Some(k) => (hex(&run[i + 3..i + 2 + k]).and_then(char::from_u32), k + 3),
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
                b'x' if i + 4 <= run.len() => (hex(&run[i + 2..i + 4]).and_then(char::from_u32), 4),
                // cut short by the end of the run: left as written, like any invalid escape
                b'u' | b'x' => (None, 2),
                b'n' => (Some('\n'), 2),
                b't' => (Some('\t'), 2),
                b'r' => (Some('\r'), 2),
                b'b' | b'f' | b'v' | b'0' => (Some(' '), 2),
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

/// The candidate around `data[i..i + 2]`, a `\u` or `\x`, unless it is inside the previous
/// candidate (which ends at `last_end`). Called for every such pair in order.
#[inline]
pub(crate) fn candidate_at(
    data: &[u8],
    i: usize,
    last_end: &mut usize,
    out: &mut Vec<Range<usize>>,
) {
    if i < *last_end {
        return;
    }
    if !data
        .get(i + 2)
        .is_some_and(|&b| b.is_ascii_hexdigit() || b == b'{')
    {
        return;
    }
    // left: back to an unescaped quote or the line start
    let mut s = i;
    while s > *last_end && i - s < REACH {
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
    *last_end = e;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(data: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        Escape.candidates(data, &mut out);
        out.into_iter()
            .filter_map(|r| Escape.decode(&data[r]))
            .map(|d| String::from_utf8(d.bytes).unwrap())
            .collect()
    }

    #[test]
    fn decodes_json_and_js_escapes() {
        let data = br#"{"cfg": "{\"password\u0022:\u0020\"abc\\def\"}", "x": "\x41\u{1F600}\ud83d\ude00 \n"}"#;
        assert_eq!(
            decode_all(data),
            vec![
                "{\"password\": \"abc\\def\"}".to_string(),
                "A\u{1F600}\u{1F600} \n".to_string()
            ]
        );
    }

    #[test]
    fn malformed_escapes_never_panic() {
        for s in [
            &b"\\u"[..],
            b"\\u12",
            b"\\ud800",
            b"\\ud800\\u",
            b"\\x",
            b"\\x4",
            b"\\u{",
            b"\\u{110000}",
            b"\\u{12345678901}",
            b"\\\xff",
            b"\\",
        ] {
            let _ = Escape.decode(s);
            let mut out = Vec::new();
            Escape.candidates(s, &mut out);
        }
        assert!(Escape.decode(b"plain \\n only").is_none());
    }

    #[test]
    fn invalid_escapes_are_left_as_written() {
        // a sign is not a hex digit (`from_str_radix` alone takes one), and an escape cut
        // short by the end of the run is no escape
        for s in [
            "\\u+041", "\\u{+41}", "\\x+4", "\\u00", "\\x4", "\\u", "\\x",
        ] {
            let d = Escape.decode(format!("\\u0041 {s}").as_bytes()).unwrap();
            assert_eq!(String::from_utf8(d.bytes).unwrap(), format!("A {s}"));
        }
    }
}
