//! Lines, columns and UTF-16.

use super::*;

/// UTF-16 code units in `b` (read as UTF-8; an invalid byte counts as one U+FFFD).
pub(super) fn utf16_len(b: &[u8]) -> u32 {
    b.iter()
        .filter(|&&c| (c & 0xC0) != 0x80)
        .map(|&c| if c >= 0xF0 { 2 } else { 1 })
        .sum()
}

/// Characters (Unicode scalar values) in the first `units` UTF-16 code units of `line`.
pub(super) fn utf16_to_chars(line: &str, units: u32) -> u32 {
    let mut u = 0u32;
    let mut n = 0u32;
    for c in line.chars() {
        if u >= units {
            break;
        }
        u += c.len_utf16() as u32;
        n += 1;
    }
    n
}

/// 0-based line `n` of `text` without its line break.
pub(super) fn nth_line(text: &str, n: u32) -> Option<&str> {
    let l = text.split('\n').nth(n as usize)?;
    Some(l.strip_suffix('\r').unwrap_or(l))
}

/// The character column (0-based) of the occurrence of `needle` in `line` closest to the
/// UTF-16 column `est16`.
pub(super) fn closest_occurrence(line: &str, needle: &str, est16: u32) -> Option<u32> {
    if needle.is_empty() {
        return None;
    }
    line.match_indices(needle)
        .map(|(b, _)| {
            let prefix = &line[..b];
            let u16 = prefix.encode_utf16().count() as i64;
            ((u16 - est16 as i64).abs(), prefix.chars().count() as u32)
        })
        .min()
        .map(|(_, c)| c)
}

/// Read a map or an original named by a map, if it is at most `max` bytes. Only regular
/// files are read (symlinks followed): a `sources` entry naming a FIFO or `/dev/stdin` would
/// otherwise block forever, and the type is checked on the open file, opened without
/// blocking.
pub(super) fn read_limited(path: &Path, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    let f = open_regular(path)?;
    if f.metadata()?.len() > max {
        return Ok(None);
    }
    let mut v = Vec::new();
    f.take(max + 1).read_to_end(&mut v)?;
    if v.len() as u64 > max {
        return Ok(None);
    }
    Ok(Some(v))
}

pub(super) fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    crate::paths::open_regular(path, true)?
        .ok_or_else(|| std::io::Error::other("not a regular file"))
}
