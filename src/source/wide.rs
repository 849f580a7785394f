//! UTF-16 and UTF-32 text (PowerShell writes UTF-16LE; so do many Windows tools). Such files
//! hold a NUL in every second or fourth byte, so the binary check would skip them; instead
//! they are recognised (a byte order mark, or that NUL pattern with ASCII text in the other
//! bytes) and decoded to UTF-8 before scanning. Line and column numbers are then counted in
//! characters of the decoded text; a byte order mark is dropped and not counted.

use std::io::Read;

/// A wide text encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wide {
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

impl Wide {
    fn unit(self) -> usize {
        match self {
            Wide::Utf16Le | Wide::Utf16Be => 2,
            Wide::Utf32Le | Wide::Utf32Be => 4,
        }
    }
}

/// ASCII text: printable characters, tab, newline, carriage return.
fn text_byte(b: u8) -> bool {
    (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r')
}

/// The wide encoding `head` (a file's first bytes) is in, if it is one: by its byte order
/// mark, or else when at least 95% of its first 8 KiB are ASCII text characters in that
/// encoding (and there are at least 8 characters).
pub fn detect(head: &[u8]) -> Option<Wide> {
    if head.starts_with(&[0xFF, 0xFE, 0, 0]) {
        return Some(Wide::Utf32Le);
    }
    if head.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Some(Wide::Utf32Be);
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return Some(Wide::Utf16Le);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Some(Wide::Utf16Be);
    }
    let h = &head[..head.len().min(8192)];
    let ascii_share = |unit: usize, at: usize| {
        let units = h.len() / unit;
        if units < 8 {
            return false;
        }
        let text = h
            .chunks_exact(unit)
            .filter(|u| text_byte(u[at]) && u.iter().enumerate().all(|(i, &b)| i == at || b == 0))
            .count();
        text * 100 >= units * 95
    };
    if ascii_share(4, 0) {
        Some(Wide::Utf32Le)
    } else if ascii_share(4, 3) {
        Some(Wide::Utf32Be)
    } else if ascii_share(2, 0) {
        Some(Wide::Utf16Le)
    } else if ascii_share(2, 1) {
        Some(Wide::Utf16Be)
    } else {
        None
    }
}

/// Decode the whole units of `raw` into `out`; returns how many bytes were used. Unless
/// `end`, a trailing UTF-16 high surrogate is kept back for its pair. Invalid units become
/// U+FFFD; a byte order mark is dropped when `first`.
fn decode_into(enc: Wide, raw: &[u8], end: bool, first: bool, out: &mut String) -> usize {
    let unit = enc.unit();
    let mut n = raw.len() / unit;
    let start = out.len();
    match enc {
        Wide::Utf16Le | Wide::Utf16Be => {
            let units: Vec<u16> = raw[..n * 2]
                .chunks_exact(2)
                .map(|c| {
                    if enc == Wide::Utf16Le {
                        u16::from_le_bytes([c[0], c[1]])
                    } else {
                        u16::from_be_bytes([c[0], c[1]])
                    }
                })
                .collect();
            let mut take = units.len();
            if !end && take > 0 && (0xD800..0xDC00).contains(&units[take - 1]) {
                take -= 1;
                n -= 1;
            }
            out.extend(
                char::decode_utf16(units[..take].iter().copied())
                    .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)),
            );
        }
        Wide::Utf32Le | Wide::Utf32Be => {
            out.extend(raw[..n * 4].chunks_exact(4).map(|c| {
                let v = if enc == Wide::Utf32Le {
                    u32::from_le_bytes([c[0], c[1], c[2], c[3]])
                } else {
                    u32::from_be_bytes([c[0], c[1], c[2], c[3]])
                };
                char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER)
            }));
        }
    }
    if end && raw.len() > n * unit {
        out.push(char::REPLACEMENT_CHARACTER); // a cut-off last unit
    }
    if first && out[start..].starts_with('\u{FEFF}') {
        out.replace_range(start..start + '\u{FEFF}'.len_utf8(), "");
    }
    n * unit
}

/// All of `data`, decoded.
pub fn decode(enc: Wide, data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len());
    decode_into(enc, data, true, true, &mut out);
    out
}

/// A reader that yields `inner`'s wide text as UTF-8, for files too large to hold.
pub struct WideReader<R> {
    inner: R,
    enc: Wide,
    /// Raw bytes read and not yet decoded: `raw[..filled]` (at most a partial unit or a
    /// held-back surrogate after each decode).
    raw: Vec<u8>,
    filled: usize,
    out: String,
    at: usize,
    first: bool,
    eof: bool,
}

impl<R: Read> WideReader<R> {
    pub fn new(inner: R, enc: Wide) -> Self {
        WideReader {
            inner,
            enc,
            raw: vec![0; 64 * 1024],
            filled: 0,
            out: String::new(),
            at: 0,
            first: true,
            eof: false,
        }
    }
}

impl<R: Read> Read for WideReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.out.len() {
            if self.eof {
                return Ok(0);
            }
            self.out.clear();
            self.at = 0;
            let got = loop {
                match self.inner.read(&mut self.raw[self.filled..]) {
                    Ok(k) => break k,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            self.filled += got;
            self.eof = got == 0;
            let raw = &self.raw[..self.filled];
            let used = decode_into(self.enc, raw, self.eof, self.first, &mut self.out);
            if !self.out.is_empty() || self.eof {
                self.first = false;
            }
            self.raw.copy_within(used..self.filled, 0);
            self.filled -= used;
            if self.eof {
                self.filled = 0;
            }
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out.as_bytes()[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut v = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        for u in s.encode_utf16() {
            v.extend_from_slice(&u.to_le_bytes());
        }
        v
    }

    #[test]
    fn detects_and_decodes_every_form() {
        let text = "key = \"value\"\nsecond line é 😀\n";
        let le = utf16le(text, true);
        assert_eq!(detect(&le), Some(Wide::Utf16Le));
        assert_eq!(decode(Wide::Utf16Le, &le), text);
        // without a mark: mostly ASCII text
        let plain = "$env:API_KEY = \"abc\"\r\nWrite-Host 'done é'\r\n";
        let le = utf16le(plain, false);
        assert_eq!(detect(&le), Some(Wide::Utf16Le));
        assert_eq!(decode(Wide::Utf16Le, &le), plain);
        let be: Vec<u8> = plain.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(detect(&be), Some(Wide::Utf16Be));
        assert_eq!(decode(Wide::Utf16Be, &be), plain);
        let le32: Vec<u8> = plain
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        assert_eq!(detect(&le32), Some(Wide::Utf32Le));
        assert_eq!(decode(Wide::Utf32Le, &le32), plain);
        let be32: Vec<u8> = plain
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect();
        assert_eq!(detect(&be32), Some(Wide::Utf32Be));
        // binary with a few NULs is not text
        assert_eq!(
            detect(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
            None
        );
        assert_eq!(detect(&[0u8; 64]), None);
    }

    #[test]
    fn streaming_matches_whole_decoding_across_reads() {
        let text = "😀a".repeat(50_000);
        let data = utf16le(&text, true);
        // a reader that returns odd-sized pieces, cutting units and surrogate pairs
        struct Odd<'a>(&'a [u8]);
        impl Read for Odd<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(self.0.len()).min(7);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = String::new();
        WideReader::new(Odd(&data), Wide::Utf16Le)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, text);
    }
}
