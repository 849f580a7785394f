//! Hex-encoded text: runs of at least 32 hex digits that decode to text. Hashes, commit ids
//! and UUID-free hex keys decode to binary and are dropped after one cheap decode.

use std::ops::Range;

use super::{long_runs, ByteClass, Decoded, Decoder};

pub struct Hex;

pub const MIN_RUN: usize = 32;

/// Hex digits, for [`long_runs`].
pub(crate) const DIGITS: ByteClass = ByteClass::new(b"0123456789abcdefABCDEF");

impl Decoder for Hex {
    fn name(&self) -> &'static str {
        "hex"
    }

    fn candidates(&self, data: &[u8], out: &mut Vec<Range<usize>>) {
        long_runs(&DIGITS, MIN_RUN, data, |r| run_candidate(data, r, out));
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

/// The candidate in `r`, a maximal run of at least [`MIN_RUN`] hex digits, if any.
pub(crate) fn run_candidate(data: &[u8], r: Range<usize>, out: &mut Vec<Range<usize>>) {
    // a hex run inside a longer word (`abc…xyz`) is not hex-encoded text
    let word = |b: u8| b.is_ascii_alphanumeric();
    if (r.start > 0 && word(data[r.start - 1])) || data.get(r.end).is_some_and(|&b| word(b)) {
        return;
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
        // the whole run, an odd last digit too (decoding leaves it out): a run that reaches
        // the end of a chunk is then seen to, and left to the next chunk
        out.push(r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_hex_text_and_rejects_hashes() {
        let text = b"api_key=Zq8Vn2kLs0PzXw4R";
        let enc: String = text.iter().map(|b| format!("{b:02x}")).collect();
        let data = format!(
            "x = \"{enc}\"; sha = 9fceb02d0ae598e95dc970b74767f19372d61af89fceb02d0ae598e9"
        );
        let mut out = Vec::new();
        Hex.candidates(data.as_bytes(), &mut out);
        assert_eq!(out.len(), 1);
        let d = Hex.decode(&data.as_bytes()[out[0].clone()]).unwrap();
        assert_eq!(d.bytes, text);
        assert_eq!(d.spans[1], (2, 4));
        assert!(Hex.decode(b"9fceb02d0ae598e95dc970b74767f193").is_none());
        assert!(Hex.decode(b"zz").is_none());
    }
}
