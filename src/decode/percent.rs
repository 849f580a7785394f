//! Percent-encoding (`%3D`, `%2F`, `+` is left alone): URLs, form bodies, cookies.
//! Candidates are runs of URL characters around a valid `%XX`; found with `memchr`.

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
            candidate_at(data, i, &mut last_end, out);
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

/// The candidate around the `%` at `i`, if it starts a valid escape and is not inside the
/// previous candidate (which ends at `last_end`). Called for every `%` in order.
#[inline]
pub(crate) fn candidate_at(
    data: &[u8],
    i: usize,
    last_end: &mut usize,
    out: &mut Vec<Range<usize>>,
) {
    if i < *last_end || !is_escape(data, i) {
        return;
    }
    let mut s = i;
    while s > *last_end && i - s < REACH && url_char(data[s - 1]) {
        s -= 1;
    }
    let mut e = i + 3;
    while e < data.len() && e - i < REACH && url_char(data[e]) {
        e += 1;
    }
    out.push(s..e);
    *last_end = e;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_runs() {
        let data = b"GET /cb?next%3Dabc%2Fdef&x=1 HTTP/1.1 100% done %zz";
        let mut out = Vec::new();
        Percent.candidates(data, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(&data[out[0].clone()], b"/cb?next%3Dabc%2Fdef&x=1");
        let d = Percent.decode(&data[out[0].clone()]).unwrap();
        assert_eq!(d.bytes, b"/cb?next=abc/def&x=1");
        assert_eq!(d.spans[8], (8, 11));
        assert!(Percent.decode(b"no escapes").is_none());
        assert!(Percent.decode(b"%00%ff").is_none());
    }
}
