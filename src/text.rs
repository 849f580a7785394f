//! Text positions, shared by everything that reports a place in a blob: one line index
//! (byte offset ↔ 1-based line and column in characters), an incremental cursor for sorted
//! offsets, and the UTF-8 helpers they need. Depends on nothing else in the crate.

use std::borrow::Cow;

/// `bytes` as text, invalid UTF-8 replaced by U+FFFD. Like [`String::from_utf8_lossy`], but
/// valid text (nearly every file) is checked by `str::from_utf8`, which reads ASCII a word at
/// a time and is several times faster on whole files.
pub fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Count characters (not UTF-8 continuation bytes).
pub fn char_count(b: &[u8]) -> u32 {
    b.iter().filter(|&&c| (c & 0xC0) != 0x80).count() as u32
}

/// The nearest character boundary at or before `i` (`i` clamped to the data).
pub fn floor_char(data: &[u8], i: usize) -> usize {
    let mut i = i.min(data.len());
    while i > 0 && i < data.len() && (data[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    i
}

/// End of the line starting at `ls`, before `\n` or `\r\n`.
pub fn line_end(data: &[u8], ls: usize) -> usize {
    let mut e = memchr::memchr(b'\n', &data[ls..]).map_or(data.len(), |i| ls + i);
    if e > ls && data[e - 1] == b'\r' {
        e -= 1;
    }
    e
}

/// Line starts of a text, for byte offset ↔ (line, column) conversion. Lines and columns are
/// 1-based; columns count characters.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(data: &[u8]) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', data).map(|i| i + 1));
        LineIndex { starts }
    }

    /// 1-based line and column of byte offset `off` (moved back to a character boundary).
    pub fn pos(&self, data: &[u8], off: usize) -> (u32, u32) {
        let off = floor_char(data, off);
        let i = self.starts.partition_point(|&s| s <= off) - 1;
        (i as u32 + 1, char_count(&data[self.starts[i]..off]) + 1)
    }

    /// Byte offset of a 1-based (line, column) position; `None` when the line does not have
    /// that column (or there is no such line).
    pub fn offset(&self, data: &[u8], line: u32, column: u32) -> Option<usize> {
        let start = *self.starts.get(line.checked_sub(1)? as usize)?;
        let want = column.checked_sub(1)?;
        let mut chars = 0u32;
        for (i, &b) in data[start..].iter().enumerate() {
            if (b & 0xC0) != 0x80 {
                if chars == want {
                    return Some(start + i);
                }
                chars += 1;
            }
            if b == b'\n' {
                return None;
            }
        }
        (chars == want).then_some(data.len())
    }

    /// Byte offset of a 1-based (line, column) position, clamped to the end of the line (the
    /// end of the data past the last line).
    pub fn offset_clamped(&self, data: &[u8], line: u32, column: u32) -> usize {
        let Some(ls) = self.line_start(line) else {
            return data.len();
        };
        let le = line_end(data, ls);
        lossy(&data[ls..le])
            .char_indices()
            .nth(column.saturating_sub(1) as usize)
            .map_or(le, |(i, _)| ls + i)
    }

    /// Start offset of 1-based `line`.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.starts.get((line as usize).checked_sub(1)?).copied()
    }

    /// Number of lines (a text ending in a newline has an empty last line).
    pub fn lines(&self) -> usize {
        self.starts.len()
    }
}

/// Incremental (line, column, line start) lookup for increasing offsets, 0-based: linear in
/// the data however many offsets are asked for.
pub struct LineCursor<'a> {
    data: &'a [u8],
    at: usize,
    line: u32,
    line_start: usize,
}

impl<'a> LineCursor<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        LineCursor {
            data,
            at: 0,
            line: 0,
            line_start: 0,
        }
    }

    /// 0-based line, 0-based column (characters) and line start of `off`.
    pub fn position(&mut self, off: usize) -> (u32, u32, usize) {
        if off < self.at {
            // offsets come sorted, but be safe: restart
            self.at = 0;
            self.line = 0;
            self.line_start = 0;
        }
        for i in memchr::memchr_iter(b'\n', &self.data[self.at..off]) {
            self.line += 1;
            self.line_start = self.at + i + 1;
        }
        self.at = off;
        let col = char_count(&self.data[self.line_start..off]);
        (self.line, col, self.line_start)
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the epoch (UTC).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // civil from days (Howard Hinnant's algorithm)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_offsets_round_trip() {
        let text = "a\r\nbé😀c\n\nlast".as_bytes();
        let idx = LineIndex::new(text);
        assert_eq!(idx.lines(), 4);
        let mut cursor = LineCursor::new(text);
        for off in 0..=text.len() {
            if off < text.len() && (text[off] & 0xC0) == 0x80 {
                continue;
            }
            let (line, col) = idx.pos(text, off);
            assert_eq!(idx.offset(text, line, col), Some(off), "{off}");
            let (l0, c0, _) = cursor.position(off);
            assert_eq!((l0 + 1, c0 + 1), (line, col), "{off}");
        }
        assert_eq!(idx.pos(text, 5), (2, 2)); // inside é: the boundary before it
        assert_eq!(idx.offset(text, 2, 9), None);
        assert_eq!(idx.offset_clamped(text, 2, 9), 11);
        assert_eq!(idx.offset_clamped(text, 9, 1), text.len());
        assert_eq!(line_end(text, 0), 1);
    }
}
