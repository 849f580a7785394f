//! Helpers shared by the checks.

use regex::Regex;
use std::sync::OnceLock;

/// A lazily compiled regex (patterns are constants; a bad one is a bug caught by tests).
pub fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid built-in lint regex"))
}

/// Whether `hay` contains `needle` (ASCII case-insensitive).
pub fn contains_ci(hay: &str, needle: &str) -> bool {
    let n = needle.as_bytes();
    hay.as_bytes()
        .windows(n.len().max(1))
        .any(|w| w.eq_ignore_ascii_case(n))
}

/// Byte range of lines `[line - before, line + after]` around offset `at`.
pub fn around(text: &str, at: usize, before: usize, after: usize) -> (usize, usize) {
    let b = text.as_bytes();
    let mut s = at.min(b.len());
    for _ in 0..=before {
        match memchr::memrchr(b'\n', &b[..s]) {
            Some(i) => s = i,
            None => {
                s = 0;
                break;
            }
        }
    }
    if s > 0 {
        s += 1;
    }
    let mut e = at.min(b.len());
    for _ in 0..=after {
        match memchr::memchr(b'\n', &b[e..]) {
            Some(i) => e = e + i + 1,
            None => {
                e = b.len();
                break;
            }
        }
    }
    (s, e)
}

/// Whether offset `at` is in a comment line (`//`, `#`, ` * ` of a doc comment) or after
/// a `//` comment marker on its line: examples in comments are not configuration.
pub fn in_comment(text: &str, at: usize) -> bool {
    let ls = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[ls..at];
    let t = prefix.trim_start();
    t.starts_with("//")
        || t.starts_with('*')
        || t.starts_with("/*")
        || t.starts_with('#')
        || t.starts_with("<!--")
        || prefix.contains(" // ")
}

/// A value that is a reference or template rather than a literal.
pub fn is_reference(v: &str) -> bool {
    let v = v.trim();
    v.is_empty()
        || v.contains("${{")
        || v.contains("${")
        || v.starts_with('$')
        || v.contains("{{")
        || v.starts_with('%')
        || crate::filters::is_reference(v)
}
