//! CI logs: `leakgate scan-log FILE|-`, and log files met in a tree (see [`is_log_path`]).
//!
//! A log is read as a stream through [`LogCleaner`], which blanks out what CI systems add
//! around the program output: GitHub Actions timestamps (`2024-01-02T03:04:05.1234567Z `)
//! and `##[group]`-style markers, GitLab section markers (`section_start:…:name\r\e[0K`) and
//! stream prefixes, and ANSI escape sequences (colours, cursor moves, terminal titles). Each
//! removed character becomes one space and every newline is kept, so line and column numbers
//! of a finding are those of the original log. Memory stays bounded whatever the log's size:
//! the cleaner holds one line (at most [`MAX_LINE`] bytes at a time) and the scanner one
//! chunk.

use std::io::{BufRead, Read};

use super::{scan_reader, Sink};
use crate::engine::Scanner;

/// Lines longer than this are cleaned and passed on in pieces of this size.
pub const MAX_LINE: usize = 1 << 20;

pub use crate::kind::is_log as is_log_path;

/// Open a log named on the command line. A directory (which opens, then fails to read), a
/// dangling symlink or an unreadable file is an error naming the path and the reason, so a
/// log that was not read is never reported clean.
pub fn open_named(path: &std::path::Path) -> anyhow::Result<std::fs::File> {
    crate::paths::check_named(path)?;
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("{}: cannot open: {e}", path.display()))?;
    let meta = file
        .metadata()
        .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", path.display()))?;
    if meta.is_dir() {
        anyhow::bail!(
            "{}: is a directory; scan-log reads log files (use `leakgate scan` for a tree)",
            path.display()
        );
    }
    Ok(file)
}

/// CI logs named on the command line (`-` for standard input) as a [`super::Source`].
pub struct LogSource<'a> {
    pub files: &'a [std::path::PathBuf],
    /// The name standard input is reported as.
    pub stdin_name: &'a str,
}

impl super::Source for LogSource<'_> {
    /// The display names of the logs read.
    type Output = Vec<String>;

    fn run(&self, scanner: &Scanner, sink: &Sink) -> anyhow::Result<Vec<String>> {
        let mut buf = Vec::new();
        let mut targets = Vec::new();
        for f in self.files {
            if f.as_os_str() == "-" {
                let stdin = std::io::stdin();
                scan_named_log(scanner, sink, self.stdin_name, stdin.lock(), &mut buf)?;
                targets.push(self.stdin_name.to_string());
            } else {
                let shown = crate::paths::display_path(f);
                let file = open_named(f)?;
                let reader = std::io::BufReader::with_capacity(64 * 1024, file);
                scan_named_log(scanner, sink, &shown, reader, &mut buf)?;
                targets.push(shown);
            }
        }
        Ok(targets)
    }
}

/// Scan one log stream through the [`LogCleaner`], appending findings to `out`; returns the
/// bytes read.
pub fn scan_log_into(
    scanner: &Scanner,
    shown: &str,
    reader: impl BufRead,
    buf: &mut Vec<u8>,
    out: &mut Vec<crate::finding::Finding>,
) -> std::io::Result<u64> {
    scan_reader(scanner, shown, LogCleaner::new(reader), buf, out)
}

/// Scan a log named on the command line (or standard input) through the [`LogCleaner`];
/// findings go to `sink`, with a [`crate::finding::Provenance::Log`]. A read error is an
/// error naming the log and the reason (exit 2), since the rest of it was not read; inside a
/// tree or an archive the same error is a warning and a skipped entry.
pub fn scan_named_log(
    scanner: &Scanner,
    sink: &Sink,
    shown: &str,
    reader: impl BufRead,
    buf: &mut Vec<u8>,
) -> anyhow::Result<()> {
    let mut findings = Vec::new();
    let read = scan_reader(scanner, shown, LogCleaner::new(reader), buf, &mut findings);
    for f in &mut findings {
        f.origin = Some(crate::finding::Provenance::Log {
            path: shown.to_string(),
        });
    }
    sink.add_findings(findings);
    match read {
        Ok(n) => {
            sink.count(n);
            Ok(())
        }
        Err(e) => anyhow::bail!("{shown}: read error: {e}; the rest of the log was not read"),
    }
}

/// A reader that yields a log with CI decorations blanked out (see the module docs).
pub struct LogCleaner<R> {
    inner: R,
    line: Vec<u8>,
    out: Vec<u8>,
    at: usize,
    /// The next byte read starts a line.
    line_start: bool,
    /// Nothing has been read yet (a UTF-8 byte order mark is blanked there).
    stream_start: bool,
}

impl<R: BufRead> LogCleaner<R> {
    pub fn new(inner: R) -> Self {
        LogCleaner {
            inner,
            line: Vec::new(),
            out: Vec::new(),
            at: 0,
            line_start: true,
            stream_start: true,
        }
    }

    /// Read the next line (or piece of a long line) into `self.line`; false at the end.
    fn next_piece(&mut self) -> std::io::Result<bool> {
        self.line.clear();
        loop {
            let avail = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                return Ok(!self.line.is_empty());
            }
            let room = MAX_LINE - self.line.len();
            let (take, done) = match memchr::memchr(b'\n', &avail[..avail.len().min(room)]) {
                Some(i) => (i + 1, true),
                None => {
                    let n = avail.len().min(room);
                    (n, n == room)
                }
            };
            self.line.extend_from_slice(&avail[..take]);
            self.inner.consume(take);
            if done {
                return Ok(true);
            }
        }
    }
}

impl<R: BufRead> Read for LogCleaner<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.out.len() {
            if !self.next_piece()? {
                return Ok(0);
            }
            self.out.clear();
            self.at = 0;
            let mut line: &[u8] = &self.line;
            if self.stream_start {
                if let Some(rest) = line.strip_prefix(b"\xEF\xBB\xBF") {
                    self.out.push(b' ');
                    line = rest;
                }
                self.stream_start = false;
            }
            clean(line, self.line_start, &mut self.out);
            self.line_start = self.line.last() == Some(&b'\n');
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Append `line` to `out` with CI decorations replaced by spaces, one per character.
/// `at_line_start`: `line` starts a line (timestamps and `##[…]` markers are only there).
pub fn clean(line: &[u8], at_line_start: bool, out: &mut Vec<u8>) {
    let start = out.len();
    let mut i = 0;
    if at_line_start {
        i = prefix_len(line);
    }
    out.resize(start + i, b' ');
    while i < line.len() {
        let b = line[i];
        let skip = match b {
            0x1b => escape_len(&line[i..]),
            b's' if line[i..].starts_with(b"section_") => section_len(&line[i..]),
            b'\r' if i + 1 < line.len() && line[i + 1] != b'\n' => 1,
            _ => 0,
        };
        if skip == 0 {
            out.push(b);
            i += 1;
        } else {
            out.resize(out.len() + skip, b' ');
            i += skip;
        }
    }
}

/// Length of the GitHub Actions / GitLab timestamp and marker prefix at a line's start.
fn prefix_len(line: &[u8]) -> usize {
    let mut i = timestamp_len(line);
    if i > 0 {
        // GitLab: stream id and continuation flag after the timestamp (`00O `, `01E+`)
        let l = &line[i..];
        if l.len() >= 4
            && l[0].is_ascii_digit()
            && l[1].is_ascii_digit()
            && matches!(l[2], b'O' | b'E')
        {
            let n = if l[3] == b'+' { 4 } else { 3 };
            if l.get(n) == Some(&b' ') {
                i += n + 1;
            }
        }
    }
    // `##[group]`, `##[endgroup]`, `##[error]`, `##[warning]`, `##[command]`, `##[debug]`, …
    if line[i..].starts_with(b"##[") {
        let name = line[i + 3..]
            .iter()
            .take_while(|b| b.is_ascii_lowercase())
            .count();
        if name > 0 && line.get(i + 3 + name) == Some(&b']') {
            i += 3 + name + 1;
        }
    }
    i
}

/// `2024-01-02T03:04:05Z ` or `2024-01-02T03:04:05.1234567Z ` (with the space), else 0.
fn timestamp_len(l: &[u8]) -> usize {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:dd";
    if l.len() < SHAPE.len() + 2 {
        return 0;
    }
    for (c, s) in l.iter().zip(SHAPE) {
        let ok = if *s == b'd' {
            c.is_ascii_digit()
        } else {
            c == s
        };
        if !ok {
            return 0;
        }
    }
    let mut i = SHAPE.len();
    if l[i] == b'.' {
        i += 1;
        let n = l[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return 0;
        }
        i += n;
    }
    if l.get(i) == Some(&b'Z') && l.get(i + 1) == Some(&b' ') {
        i + 2
    } else {
        0
    }
}

/// Length of the ANSI escape sequence at `l[0] == ESC` (CSI, OSC, or a two-byte escape).
fn escape_len(l: &[u8]) -> usize {
    match l.get(1) {
        Some(b'[') => {
            // parameters and intermediates, then one final byte 0x40..=0x7E
            let mut i = 2;
            while i < l.len() && (0x20..=0x3f).contains(&l[i]) && i < 64 {
                i += 1;
            }
            if i < l.len() && (0x40..=0x7e).contains(&l[i]) {
                i + 1
            } else {
                1
            }
        }
        Some(b']') => {
            // operating system command, ended by BEL or ESC \ on the same line (one not ended
            // there is not blanked: a newline is never swallowed)
            let end = l.len().min(512);
            for i in 2..end {
                if l[i] == b'\n' {
                    break;
                }
                if l[i] == 0x07 {
                    return i + 1;
                }
                if l[i] == 0x1b && l.get(i + 1) == Some(&b'\\') {
                    return i + 2;
                }
            }
            1
        }
        Some(&c) if (0x40..=0x5f).contains(&c) => 2,
        _ => 1,
    }
}

/// Length of a GitLab `section_start:1700000000:name[opts]\r` or `section_end:…:name\r`
/// marker (the `\e[0K` after it is an ordinary escape), else 0.
fn section_len(l: &[u8]) -> usize {
    let Some(rest) = l
        .strip_prefix(b"section_start:")
        .or_else(|| l.strip_prefix(b"section_end:"))
    else {
        return 0;
    };
    let head = l.len() - rest.len();
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || rest.get(digits) != Some(&b':') {
        return 0;
    }
    let mut i = digits + 1;
    i += rest[i..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        .count();
    if rest.get(i) == Some(&b'[') {
        match memchr::memchr2(b']', b'\n', &rest[i..rest.len().min(i + 256)]) {
            Some(k) if rest[i + k] == b']' => i += k + 1,
            _ => return 0,
        }
    }
    if rest.get(i) == Some(&b'\r') {
        i += 1;
    }
    head + i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `log_normaliser` fuzz target: an operating-system command (`ESC ]`) whose
    /// BEL came after a newline blanked the newline, shifting every later line number; a
    /// GitLab section's `[options]` could do the same.
    #[test]
    fn escapes_and_sections_never_swallow_a_newline() {
        let crash: &[u8] = b"##\x1b]9\x1b##\x1b]9\x1b[\0\x1b]\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\0\x07\xd4\xff#[\0\x1b]\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\0\xff\xff\xff\xff\xff\xff\xff\n\x07\xd4\xff#";
        for input in [
            crash,
            b"a\x1b]0;title\nb\x07c\n",
            b"section_start:1700000000:build[collapsed=true\n]\rx\n",
        ] {
            for at_start in [true, false] {
                let mut out = Vec::new();
                clean(input, at_start, &mut out);
                let nl = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count();
                assert_eq!(nl(&out), nl(input), "{input:?}");
                assert_eq!(out.len(), input.len(), "{input:?}");
            }
        }
    }

    fn cleaned(s: &[u8]) -> String {
        let mut out = Vec::new();
        LogCleaner::new(s).read_to_end(&mut out).unwrap();
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn blanks_ci_decorations_keeping_lines_and_columns() {
        let log = b"\xEF\xBB\xBF2024-01-02T03:04:05.1234567Z ##[group]Run npm test\n\
2024-01-02T03:04:05.1234567Z \x1b[36;1mexport A=1\x1b[0m\r\n\
\x1b[0Ksection_start:1700000000:build_script[collapsed=true]\r\x1b[0KBuild\n\
2024-01-02T03:04:05.000000Z 01E+ tail\n\
##[endgroup]\n\
plain ##[error] stays \x1b]0;title\x07x\n";
        let out = cleaned(log);
        let lines: Vec<&str> = out.split('\n').collect();
        assert_eq!(lines[0], format!("{}Run npm test", " ".repeat(1 + 29 + 9)));
        assert_eq!(
            lines[1],
            format!("{}export A=1{}\r", " ".repeat(29 + 7), " ".repeat(4))
        );
        assert_eq!(lines[2].trim_start(), "Build");
        assert_eq!(
            lines[2].len(),
            log.split(|&b| b == b'\n').nth(2).unwrap().len()
        );
        assert_eq!(lines[3], format!("{}tail", " ".repeat(28 + 5)));
        assert_eq!(lines[4], " ".repeat(12));
        assert_eq!(
            lines[5],
            format!("plain ##[error] stays {}x", " ".repeat(10))
        );
        assert_eq!(lines.len(), 7);
    }

    #[test]
    fn long_lines_are_passed_on_in_bounded_pieces() {
        let mut log = vec![b'a'; MAX_LINE * 2 + 10];
        log.extend_from_slice(b"\n2024-01-02T03:04:05Z x\n");
        let out = cleaned(&log);
        assert_eq!(out.len(), log.len());
        assert!(out.ends_with(&format!("\n{}x\n", " ".repeat(21))));
    }

    #[test]
    fn malformed_sequences_never_panic() {
        for s in [
            &b"\x1b"[..],
            b"\x1b[",
            b"\x1b[31",
            b"\x1b]0;t",
            b"section_start:",
            b"section_end:12",
            b"section_start:1:n[",
            b"2024-01-02T03:04:05.Z x",
            b"##[",
            b"##[x",
            b"\r",
            b"\xff\xfe",
        ] {
            let _ = cleaned(s);
        }
    }

    #[test]
    fn log_paths() {
        assert!(is_log_path("build.log"));
        assert!(is_log_path("logs/build/3_Run tests.txt"));
        assert!(is_log_path("logs_42.zip!0_build.txt"));
        assert!(!is_log_path("notes.txt"));
        assert!(!is_log_path("2024_.txt"));
        assert!(!is_log_path(".log"));
        assert!(!is_log_path("catalog"));
    }
}
