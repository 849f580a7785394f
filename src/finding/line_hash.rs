//! GitHub's `primaryLocationLineHash`, computed by the pipeline from the content a finding
//! was made on (see [`fill`]), so that reporters never read files back.

use std::collections::{BTreeSet, HashMap};

use super::Finding;

/// GitHub's line hash (`partialFingerprints.primaryLocationLineHash`), a port of the rolling
/// hash in github/codeql-action `src/fingerprints.ts` (written from its description and
/// logic, checked against the values its tests publish).
///
/// The file is read as text (UTF-8, invalid bytes replaced by U+FFFD, as Node decodes it) and
/// processed as UTF-16 code units. Spaces and tabs are skipped; `\r\n`, `\r` and `\n` all end a
/// line and count as one `\n`; the end of the file is marked by the unit 65535 and padded with
/// zeros. A line's hash is the polynomial `Σ c_k · 37^(99-k)` (wrapping mod 2^64) over the 100
/// units starting at the line's first non-blank unit (its newline for a blank line), so it
/// covers the start of the following lines when the line is short. It is printed in lower-case
/// hex without leading zeros, followed by `:N` where N counts the lines so far (this one
/// included) with the same hash.
pub mod linehash {
    const BLOCK: usize = 100;
    const MOD: u64 = 37;
    const EOF: u16 = 65535;
    const TAB: u16 = b'\t' as u16;
    const SPACE: u16 = b' ' as u16;
    const LF: u16 = b'\n' as u16;
    const CR: u16 = b'\r' as u16;

    const fn first_mod() -> u64 {
        let mut m: u64 = 1;
        let mut i = 0;
        while i < BLOCK {
            m = m.wrapping_mul(MOD);
            i += 1;
        }
        m
    }
    const FIRST_MOD: u64 = first_mod();

    /// Streaming hasher: feed UTF-16 code units, get `(line, raw hash)` for every line in order.
    pub struct Hasher {
        window: [u16; BLOCK],
        /// 1-based line number whose first unit sits at this window slot, 0 for none.
        starts: [u32; BLOCK],
        hash: u64,
        index: usize,
        line: u32,
        at_line_start: bool,
        after_cr: bool,
    }

    impl Default for Hasher {
        fn default() -> Self {
            Hasher {
                window: [0; BLOCK],
                starts: [0; BLOCK],
                hash: 0,
                index: 0,
                line: 0,
                at_line_start: true,
                after_cr: false,
            }
        }
    }

    impl Hasher {
        fn roll(&mut self, unit: u16) {
            let old = self.window[self.index];
            self.window[self.index] = unit;
            self.hash = self
                .hash
                .wrapping_mul(MOD)
                .wrapping_add(unit as u64)
                .wrapping_sub(FIRST_MOD.wrapping_mul(old as u64));
            self.index = (self.index + 1) % BLOCK;
        }

        fn emit_due(&mut self, out: &mut impl FnMut(u32, u64)) {
            let line = self.starts[self.index];
            if line != 0 {
                out(line, self.hash);
                self.starts[self.index] = 0;
            }
        }

        /// Process one UTF-16 code unit.
        pub fn feed(&mut self, unit: u16, out: &mut impl FnMut(u32, u64)) {
            let mut unit = unit;
            if unit == SPACE || unit == TAB || (self.after_cr && unit == LF) {
                self.after_cr = false;
                return;
            }
            self.after_cr = unit == CR;
            if unit == CR {
                unit = LF;
            }
            self.emit_due(out);
            if self.at_line_start {
                self.at_line_start = false;
                self.line += 1;
                self.starts[self.index] = self.line;
            }
            if unit == LF {
                self.at_line_start = true;
            }
            self.roll(unit);
        }

        /// Mark the end of input and flush the hashes of the last lines.
        pub fn finish(mut self, out: &mut impl FnMut(u32, u64)) {
            self.feed(EOF, out);
            for _ in 0..BLOCK {
                self.emit_due(out);
                self.roll(0);
            }
        }
    }

    /// Adds the `:N` occurrence suffix to raw hashes (which arrive in line order).
    #[derive(Default)]
    pub struct Counter(std::collections::HashMap<u64, u32>);

    impl Counter {
        pub fn format(&mut self, raw: u64) -> String {
            let n = self.0.entry(raw).or_insert(0);
            *n += 1;
            format!("{raw:x}:{n}")
        }
    }

    /// The hash of every line of `text`, in order (index 0 is line 1). As in codeql-action, a
    /// text ending in a line break has one more (empty) line.
    pub fn line_hashes(text: &str) -> Vec<String> {
        let mut h = Hasher::default();
        let mut counter = Counter::default();
        let mut out = Vec::new();
        let mut sink = |_line: u32, raw: u64| out.push(counter.format(raw));
        for u in text.encode_utf16() {
            h.feed(u, &mut sink);
        }
        h.finish(&mut sink);
        out
    }

    /// The hashes of the `wanted` lines (1-based, numbered as codeql-action numbers them) of
    /// `text`; stops reading once the last wanted line is hashed.
    pub fn hashes_of_lines(
        text: &str,
        wanted: &std::collections::BTreeSet<u32>,
    ) -> std::collections::BTreeMap<u32, String> {
        let mut found = std::collections::BTreeMap::new();
        let Some(&last) = wanted.last() else {
            return found;
        };
        let mut h = Hasher::default();
        let mut counter = Counter::default();
        let done = std::cell::Cell::new(false);
        let mut sink = |line: u32, raw: u64| {
            let s = counter.format(raw);
            if wanted.contains(&line) {
                found.insert(line, s);
            }
            if line >= last {
                done.set(true);
            }
        };
        for u in text.encode_utf16() {
            h.feed(u, &mut sink);
            if done.get() {
                break;
            }
        }
        if !done.get() {
            h.finish(&mut sink);
        }
        found
    }
}

/// `primaryLocationLineHash` from the finding's own line only, used when the file cannot be
/// read back (another source such as git history, a file changed or removed since the scan,
/// a file over 64 MiB).
///
/// This is the value codeql-action would compute for line 1 of a file consisting of exactly
/// `f.line_text` (no trailing newline). It equals the value for the real file when both:
/// - the line, from its first non-blank character, holds at least 100 UTF-16 code units that
///   are not spaces or tabs (then the hash never reaches past the line; true of nearly every
///   line holding a provider key, e.g. 164 characters for an OpenAI project key), and within
///   the first 4096 bytes of the line (`line_text` is truncated there); and
/// - no earlier line of the file starts with the same 100 such units (the occurrence suffix
///   is always `:1` here).
///
/// Otherwise it is a stable, content-based hash of the line, but not GitHub's value.
pub fn line_hash(line_text: &str) -> String {
    let mut wanted = BTreeSet::new();
    wanted.insert(1);
    linehash::hashes_of_lines(line_text, &wanted)
        .remove(&1)
        .unwrap_or_else(|| "0:1".to_string())
}

/// The `wanted` lines (1-based, `\n`-separated, as the scanner numbers them) of `data`,
/// without a trailing `\r`, lossily decoded; one pass over the data.
fn lines_of(data: &[u8], wanted: &BTreeSet<u32>) -> HashMap<u32, String> {
    let mut out = HashMap::new();
    let Some(&last) = wanted.last() else {
        return out;
    };
    let mut start = 0usize;
    let mut line = 1u32;
    loop {
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
        if wanted.contains(&line) {
            let mut l = &data[start..end];
            if l.last() == Some(&b'\r') {
                l = &l[..l.len() - 1];
            }
            out.insert(line, String::from_utf8_lossy(l).into_owned());
        }
        if line >= last || end >= data.len() {
            return out;
        }
        start = end + 1;
        line += 1;
    }
}

/// Set [`Finding::line_hash`] on each of `findings` that has none and whose line in `data`
/// (the content it was made on: a file, a staged or committed blob, an archive entry) still
/// holds its `line_text`: the value codeql-action's `upload-sarif` computes for that content
/// and line (it numbers lines as the scanner does, except that a lone `\r` also ends a line
/// there; the hash is taken at the scanner's numbering, since that is what it compares with).
/// One pass over `data`, up to the last line wanted. The others keep `None` and get
/// [`line_hash`] of their own line.
pub fn fill<'a>(data: &[u8], findings: impl IntoIterator<Item = &'a mut Finding>) {
    let mut todo: Vec<&mut Finding> = findings
        .into_iter()
        .filter(|f| f.line_hash.is_none() && f.location.line > 0)
        .collect();
    if todo.is_empty() {
        return;
    }
    let lines: BTreeSet<u32> = todo.iter().map(|f| f.location.line).collect();
    let in_data = lines_of(data, &lines);
    // the line must still be the finding's (`line_text` may end in U+FFFD where its
    // 4096-byte cut split a character)
    todo.retain(|f| {
        let text = f.line_text.trim_end_matches('\u{FFFD}');
        !text.is_empty()
            && in_data
                .get(&f.location.line)
                .is_some_and(|l| l.contains(text))
    });
    if todo.is_empty() {
        return;
    }
    let wanted: BTreeSet<u32> = todo.iter().map(|f| f.location.line).collect();
    let text = String::from_utf8_lossy(data);
    let hashes = linehash::hashes_of_lines(&text, &wanted);
    for f in todo {
        f.line_hash = hashes.get(&f.location.line).cloned();
    }
}
