//! The scanner: runs the matcher over a blob's bytes and turns raw matches into findings
//! (line and column, redacted snippet, fingerprint), applying inline `leakgate:allow`
//! comments, the config's allow-lists, overlap resolution and deduplication.

use anyhow::{Context, Result};

use crate::config::Config;
use crate::decode;
use std::borrow::Cow;

use crate::finding::{fingerprint, redact, secret_like_spans, Finding, Location, Snippet};
use crate::matcher::{RawMatch, RuleSet};
use crate::rules::{self, RuleSpec};

/// Marker that suppresses findings next to it on its line (see [`ALLOW_WINDOW`]).
pub const ALLOW_MARKER: &[u8] = b"leakgate:allow";
/// Tools whose `<tool>:allow` comments count as [`ALLOW_MARKER`]: a repository moving from
/// gitleaks or betterleaks keeps its inline allows.
const ALLOW_TOOLS: &[&[u8]] = &[b"leakgate", b"gitleaks", b"betterleaks"];

/// Whether a line carries an inline allow comment (`leakgate:allow`, `gitleaks:allow` or
/// `betterleaks:allow`).
pub fn has_allow_marker(line: &[u8]) -> bool {
    memchr::memmem::find_iter(line, b":allow")
        .any(|i| ALLOW_TOOLS.iter().any(|t| line[..i].ends_with(t)))
}
/// An inline allow marker covers a match only when at most this many bytes separate them on
/// the same line (`key = "…"  # leakgate:allow`, `/* leakgate:allow */ key = "…"`): one marker
/// on a 16 MB minified line must not hide every secret on it.
pub const ALLOW_WINDOW: usize = 512;
/// Lines longer than this are shown as a window around the match.
const SNIPPET_MAX: usize = 160;
const SNIPPET_CONTEXT: usize = 50;

/// Position of a chunk inside a larger blob (for files scanned in pieces).
#[derive(Debug, Clone, Copy, Default)]
pub struct ChunkPos {
    /// Newlines before the chunk's first byte.
    pub line_base: u32,
    /// Characters between the last newline before the chunk and its first byte.
    pub col_base: u32,
    /// Matches starting before this offset belong to the previous chunk.
    pub accept_from: usize,
    /// Matches starting at or after this offset belong to the next chunk.
    pub accept_to: usize,
}

impl ChunkPos {
    pub fn whole(len: usize) -> ChunkPos {
        ChunkPos {
            line_base: 0,
            col_base: 0,
            accept_from: 0,
            accept_to: len,
        }
    }

    /// Move `line_base` and `col_base` past `bytes`, the text between the old start and the
    /// new one.
    pub fn advance_over(&mut self, bytes: &[u8]) {
        self.line_base += memchr::memchr_iter(b'\n', bytes).count() as u32;
        match memchr::memrchr(b'\n', bytes) {
            Some(i) => self.col_base = char_count(&bytes[i + 1..]),
            None => self.col_base += char_count(bytes),
        }
    }
}

/// Rules plus configuration: everything needed to turn bytes into findings.
pub struct Scanner {
    pub rules: RuleSet,
    pub config: Config,
    /// Configuration checks ([`crate::lint`]); `Linter::disabled()` for secrets only.
    pub lint: crate::lint::Linter,
    /// Decode base64, hex, percent-encoding and string escapes and scan the result
    /// (`None`: off).
    pub decode: Option<decode::Limits>,
    /// Matches [`Scanner::hide_samples`] left out, for the end-of-run note.
    pub samples_hidden: std::sync::atomic::AtomicU64,
    /// Matches an inline allow marker suppressed, for the end-of-run note and JSON summary.
    pub allow_suppressed: std::sync::atomic::AtomicU64,
    /// Limits that stopped part of the work on a blob (decode budget, nesting depth, config
    /// checks on huge files): reported as skipped entries, never silently.
    limit_notes: std::sync::Mutex<std::collections::BTreeSet<crate::source::Skipped>>,
}

impl Scanner {
    /// Built-in rules plus the config's extra rules, minus disabled ones.
    /// User rules may not reuse a built-in id, and every id in the config's `disable` and
    /// `severity` must name a rule (a misspelled id would otherwise do nothing, silently).
    pub fn new(config: Config) -> Result<Scanner> {
        let mut specs = rules::builtin_rules()?;
        let origin = |i: usize| {
            config
                .extra_rule_origins
                .get(i)
                .cloned()
                .unwrap_or_else(|| "config".into())
        };
        for (i, r) in config.extra_rules.iter().enumerate() {
            if specs.iter().any(|b| b.id == r.id) {
                anyhow::bail!(
                    "{}: rule `{}`: a built-in rule has this id; choose another id \
                     (`disable` the built-in one to replace it)",
                    origin(i),
                    r.id
                );
            }
        }
        specs.extend(config.extra_rules.iter().cloned());
        let known: Vec<&str> = specs
            .iter()
            .map(|s| s.id.as_str())
            .chain(crate::lint::all_rules().map(|m| m.id))
            .collect();
        let config_name = config
            .source
            .as_ref()
            .map_or_else(|| "config".to_string(), |p| p.display().to_string());
        for (field, id) in config
            .disable
            .iter()
            .map(|id| ("disable", id))
            .chain(config.severity.keys().map(|id| ("severity", id)))
        {
            if !known.contains(&id.as_str()) {
                let hint = crate::config::closest(id, known.iter().copied())
                    .map(|c| format!(" (did you mean `{c}`?)"))
                    .unwrap_or_default();
                anyhow::bail!(
                    "{config_name}: {field}: unknown rule id `{}`{hint}; `leakgate rules list` shows the ids",
                    crate::finding::mask_text(id)
                );
            }
        }
        Self::with_rules(specs, config)
    }

    /// A scanner over exactly `specs` (minus the config's disabled rules).
    pub fn with_rules(specs: Vec<RuleSpec>, config: Config) -> Result<Scanner> {
        let specs: Vec<RuleSpec> = specs
            .into_iter()
            .filter(|s| !config.disable.contains(&s.id))
            .collect();
        let rules = RuleSet::new(specs, |id| config.severity.get(id).copied())?;
        // user rules are compiled up front so a broken regex is an error, not a silent miss
        let user: std::collections::HashSet<&str> =
            config.extra_rules.iter().map(|e| e.id.as_str()).collect();
        for r in rules
            .rules
            .iter()
            .filter(|r| user.contains(r.spec.id.as_str()))
        {
            // name the file the rule comes from
            let origin = config
                .extra_rules
                .iter()
                .position(|e| e.id == r.spec.id)
                .and_then(|i| config.extra_rule_origins.get(i));
            match origin {
                Some(o) => r.check().with_context(|| o.clone())?,
                None => r.check()?,
            }
        }
        let lint = crate::lint::Linter::new(&config);
        Ok(Scanner {
            rules,
            config,
            lint,
            decode: Some(decode::Limits::default()),
            samples_hidden: Default::default(),
            allow_suppressed: Default::default(),
            limit_notes: Default::default(),
        })
    }

    /// Leave out of `findings[from..]` the matches of rules of medium or low precision (the
    /// generic rules and provider rules that recognise a value by the name next to it, not by
    /// a token format) when `rel`, the path below the scanned root, is a test, fixture,
    /// example or documentation file ([`crate::filters::is_sample_path`]): there such values
    /// are sample data far more often than credentials. Rules that recognise a provider's
    /// token format (`ghp_…`, `sk_live_…`, `AKIA…`, private keys) still report everywhere.
    /// Off with `config.include_samples`; what was left out is counted for the end-of-run note.
    pub fn hide_samples(&self, rel: &str, findings: &mut Vec<Finding>, from: usize) {
        if self.config.include_samples
            || findings.len() <= from
            || !crate::filters::is_sample_path(rel)
        {
            return;
        }
        let before = findings.len();
        let mut i = 0;
        findings.retain(|f| {
            i += 1;
            i <= from || f.precision > crate::rules::Precision::Medium
        });
        let hidden = (before - findings.len()) as u64;
        if hidden > 0 {
            self.samples_hidden
                .fetch_add(hidden, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Record that a limit stopped part of the work on `path` (one entry per path and reason).
    pub fn note_limit(&self, path: &str, reason: impl Into<String>) {
        self.limit_notes
            .lock()
            .expect("poisoned")
            .insert(crate::source::Skipped {
                path: path.to_string(),
                reason: reason.into(),
            });
    }

    /// Take the limits recorded with [`Scanner::note_limit`].
    pub fn take_limit_notes(&self) -> Vec<crate::source::Skipped> {
        std::mem::take(&mut *self.limit_notes.lock().expect("poisoned"))
            .into_iter()
            .collect()
    }

    /// Configuration checks on `path` were skipped because it is larger than
    /// [`crate::lint::MAX_LINT_BYTES`]; says so when configuration checks are on.
    pub fn lint_skipped_large(&self, path: &str) {
        if self.lint.is_active() {
            self.note_limit(
                path,
                format!(
                    "partly scanned: over {} MiB, configuration checks skipped (secrets scanned)",
                    crate::lint::MAX_LINT_BYTES >> 20
                ),
            );
        }
    }

    /// Scan `data` (the whole blob, or one chunk of it) and append findings for `path`.
    /// `path` is the display path; config path allow-lists are checked by the caller.
    pub fn scan_chunk(&self, path: &str, data: &[u8], pos: ChunkPos, out: &mut Vec<Finding>) {
        let mut raw = Vec::new();
        let code = is_code_path(path);
        self.rules.scan_path(path, data, code, &mut raw);
        raw.retain(|m| m.start >= pos.accept_from && m.start < pos.accept_to);
        let mut raw = resolve_overlaps(raw, &self.rules);
        let mut hit = decode::LimitsHit::default();
        let decoded = match self.decode {
            Some(limits) => decode::scan(
                &self.rules,
                data,
                pos.accept_from..pos.accept_to,
                pos.accept_to == data.len(),
                &raw,
                limits,
                code,
                &mut hit,
            ),
            None => Vec::new(),
        };
        for reason in hit.reasons(self.decode.unwrap_or_default()) {
            self.note_limit(path, reason);
        }
        if raw.is_empty() && decoded.is_empty() {
            return;
        }
        // a generic match on encoded text (`password: <base64>`) gives way to what the
        // decoded text revealed
        raw.retain(|p| {
            !self.is_generic(p)
                || !decoded
                    .iter()
                    .any(|d| d.m.start < p.end && p.start < d.m.end)
        });
        // decoded matches take part in snippets as their encoded text, so it is redacted too
        let n_plain = raw.len();
        let mut chains: Vec<Option<String>> = vec![None; n_plain];
        let mut secrets: Vec<Option<String>> = vec![None; n_plain];
        for d in decoded {
            let encoded = String::from_utf8_lossy(&data[d.m.start..d.m.end]).into_owned();
            secrets.push(Some(d.m.secret.clone()));
            chains.push(Some(d.chain));
            raw.push(RawMatch {
                secret: encoded,
                ..d.m
            });
        }
        let mut order: Vec<usize> = (0..raw.len()).collect();
        order.sort_by_key(|&i| raw[i].start);
        // the matches by start, for the snippets' neighbour look-ups (linear in findings)
        let near = Near::new(order.iter().map(|&i| &raw[i]).collect());
        let mut cursor = LineCursor::new(data);
        for i in order {
            if out.len() >= MAX_FINDINGS_PER_FILE {
                break; // Sink::add_findings says so
            }
            let m = &raw[i];
            let secret = secrets[i].as_ref().unwrap_or(&m.secret);
            if self.config.value_allowed(secret) {
                continue;
            }
            let (line0, col0, line_start) = cursor.position(m.start);
            let line_end = line_end(data, line_start, m.start);
            if allowed_inline(data, line_start, line_end, m.start, m.end) {
                self.allow_suppressed
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                continue;
            }
            let (eline0, ecol0) = end_position(data, m.start, m.end, line0, col0);
            let line = line0 + pos.line_base + 1;
            let column = col0 + 1 + if line0 == 0 { pos.col_base } else { 0 };
            let end_line = eline0 + pos.line_base + 1;
            let end_column = ecol0 + 1 + if eline0 == 0 { pos.col_base } else { 0 };
            let rule = &self.rules.rules[m.rule];
            let fp = fingerprint(&rule.spec.id, secret, path);
            if self.config.allow_fingerprints.contains(&fp) {
                continue;
            }
            out.push(Finding {
                rule: rule.spec.clone(),
                severity: m.severity,
                precision: m.precision,
                location: Location {
                    path: path.to_string(),
                    line,
                    column,
                    end_line,
                    end_column,
                },
                snippet: make_snippet(data, line_start, line_end, m, &near),
                secret: secret.clone(),
                entropy: m.entropy,
                note: m.note.clone(),
                fingerprint: fp,
                line_text: String::from_utf8_lossy(truncate_line(&data[line_start..line_end]))
                    .into_owned(),
                related: Vec::new(),
                also: Vec::new(),
                occurrences: 1,
                decoded: chains[i].clone(),
                commit: None,
                validation: None,
                companions: crate::validate::find_companions(&rule.spec, data, m.start, m.end),
            });
        }
    }

    fn is_generic(&self, m: &RawMatch) -> bool {
        self.rules.rules[m.rule]
            .spec
            .tags
            .iter()
            .any(|t| t == "generic")
    }
}

/// True when an inline allow marker on the match's line lies within [`ALLOW_WINDOW`] bytes
/// of the match `start..end` (before or after it); `line_start..line_end` is the line of
/// `start`.
fn allowed_inline(
    data: &[u8],
    line_start: usize,
    line_end: usize,
    start: usize,
    end: usize,
) -> bool {
    // the longest marker is `betterleaks:allow`
    let reach = ALLOW_WINDOW + b"betterleaks:allow".len();
    let lo = start.saturating_sub(reach).max(line_start);
    let hi = end.max(start).saturating_add(reach).min(line_end);
    lo < hi && has_allow_marker(&data[lo..hi])
}

impl Scanner {
    /// Configuration checks for one file (`data`: `None` when only its name may be checked).
    /// Returns a warning naming the file when it could not be checked (malformed YAML).
    ///
    /// `out` may already hold the file's secret findings: a configuration finding about the
    /// same value (a literal credential in a workflow) replaces the secret finding at its
    /// place, so one value is reported once, by the rule that says how to fix it.
    pub fn lint_file(
        &self,
        path: &str,
        data: Option<&[u8]>,
        out: &mut Vec<Finding>,
    ) -> Option<String> {
        let before = out.len();
        let warning = self
            .lint
            .lint_file(&self.rules, &self.config, path, data, out);
        let valued: Vec<(u32, String)> = out[before..]
            .iter()
            .filter(|f| !f.secret.is_empty())
            .map(|f| (f.location.line, f.secret.clone()))
            .collect();
        if !valued.is_empty() {
            let mut i = 0;
            out.retain(|f| {
                i += 1;
                i > before
                    || !valued
                        .iter()
                        .any(|(l, s)| *l == f.location.line && *s == f.secret)
            });
        }
        warning
    }

    /// Whole-tree configuration checks, after a walk.
    pub fn lint_finish(&self) -> Vec<Finding> {
        self.lint.finish(&self.rules, &self.config)
    }

    /// Rules loaded: secret rules plus configuration rules.
    pub fn rule_count(&self) -> usize {
        self.rules.len() + self.lint.len()
    }
}

/// Source files, where an unquoted right-hand side is an expression, not a literal value.
pub fn is_code_path(path: &str) -> bool {
    const CODE: &[&str] = &[
        "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "map", "py", "rb", "go", "java",
        "kt", "kts", "scala", "groovy", "cs", "fs", "vb", "php", "swift", "rs", "c", "h", "cc",
        "cpp", "cxx", "hpp", "hh", "m", "mm", "dart", "lua", "pl", "pm", "r", "jl", "ex", "exs",
        "erl", "clj", "vue", "svelte", "astro", "json", "jsonc", "json5", "ipynb", "sol", "zig",
        "nim", "hx",
    ];
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => CODE.contains(&ext.to_ascii_lowercase().as_str()),
        _ => false,
    }
}

/// When matches of different rules overlap, keep the most specific one: higher precision,
/// then higher severity, then the longer match. Same-rule repeats of one value stay (they are
/// deduplicated by fingerprint later).
pub(crate) fn resolve_overlaps(mut raw: Vec<RawMatch>, rules: &RuleSet) -> Vec<RawMatch> {
    if raw.len() < 2 {
        return raw;
    }
    let rank = |m: &RawMatch| {
        let generic = rules.rules[m.rule].spec.tags.iter().any(|t| t == "generic");
        (!generic, m.precision, m.severity, m.end - m.start)
    };
    raw.sort_by_key(|m| m.start);
    let mut keep = vec![true; raw.len()];
    for i in 0..raw.len() {
        if !keep[i] {
            continue;
        }
        for j in i + 1..raw.len() {
            if raw[j].start >= raw[i].end {
                break;
            }
            if !keep[j] {
                continue;
            }
            if rank(&raw[j]) > rank(&raw[i]) {
                keep[i] = false;
                break;
            } else {
                keep[j] = false;
            }
        }
    }
    let mut k = keep.into_iter();
    raw.retain(|_| k.next().unwrap_or(false));
    raw
}

/// Most related locations kept on one finding (a module shared by many chunks).
pub const MAX_RELATED: usize = 20;

/// Remove findings with the same fingerprint (same rule, value and path), keeping the first
/// by location; the related locations of the removed ones move to the kept one (so a secret
/// found in an original file, a source map's `sourcesContent` and a bundle is one finding
/// that names all three). Sorts the result by path, line, column, rule.
pub fn dedup_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| (&a.location, &a.rule.id).cmp(&(&b.location, &b.rule.id)));
    let mut first: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut keep = vec![true; findings.len()];
    for i in 0..findings.len() {
        match first.get(&findings[i].fingerprint) {
            Some(&j) => {
                keep[i] = false;
                let moved = std::mem::take(&mut findings[i].related);
                let (kept, dup) = pair_mut(findings, j, i);
                kept.related.extend(moved);
                // the same secret again in the same file: another place to clean (one
                // secret seen twice at one place, as from a chunk overlap, is not)
                if dup.location != kept.location
                    && !kept.also.contains(&dup.location)
                    && dup.location.path == kept.location.path
                {
                    kept.occurrences += dup.occurrences;
                    if kept.also.len() < crate::finding::MAX_OCCURRENCES {
                        kept.also.push(dup.location.clone());
                    }
                }
            }
            None => {
                first.insert(findings[i].fingerprint.clone(), i);
            }
        }
    }
    let mut k = keep.into_iter();
    findings.retain(|_| k.next().unwrap_or(false));
    for f in findings.iter_mut() {
        if f.related.len() > 1 {
            f.related
                .sort_by(|a, b| (&a.location, &a.message).cmp(&(&b.location, &b.message)));
            f.related.dedup();
        }
        let loc = &f.location;
        f.related.retain(|r| &r.location != loc);
        f.related.truncate(MAX_RELATED);
    }
}

/// Mutable references to two different elements, `a` and `b`, of a slice.
fn pair_mut<T>(v: &mut [T], a: usize, b: usize) -> (&mut T, &mut T) {
    assert_ne!(a, b);
    if a < b {
        let (x, y) = v.split_at_mut(b);
        (&mut x[a], &mut y[0])
    } else {
        let (x, y) = v.split_at_mut(a);
        (&mut y[0], &mut x[b])
    }
}

/// End of the line holding `at` (before `\n` or `\r\n`); `start` is that line's start.
fn line_end(data: &[u8], start: usize, at: usize) -> usize {
    let end = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |i| at + i);
    if end > start && data[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

fn truncate_line(line: &[u8]) -> &[u8] {
    // used only for allow comments and the GitHub line hash; keep it bounded
    &line[..line.len().min(4096)]
}

/// `bytes` as text, invalid UTF-8 replaced by U+FFFD. Like [`String::from_utf8_lossy`], but
/// valid text (nearly every file) is checked by `str::from_utf8`, which reads ASCII a word at
/// a time and is several times faster on whole files.
pub(crate) fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Count characters (not UTF-8 continuation bytes).
pub(crate) fn char_count(b: &[u8]) -> u32 {
    b.iter().filter(|&&c| (c & 0xC0) != 0x80).count() as u32
}

/// Incremental (line, column, line start) lookup for increasing offsets; 0-based.
struct LineCursor<'a> {
    data: &'a [u8],
    at: usize,
    line: u32,
    line_start: usize,
}

impl<'a> LineCursor<'a> {
    fn new(data: &'a [u8]) -> Self {
        LineCursor {
            data,
            at: 0,
            line: 0,
            line_start: 0,
        }
    }

    fn position(&mut self, off: usize) -> (u32, u32, usize) {
        if off < self.at {
            // matches are sorted, but be safe: restart
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

fn end_position(data: &[u8], start: usize, end: usize, line0: u32, col0: u32) -> (u32, u32) {
    let span = &data[start..end];
    match memchr::memrchr(b'\n', span) {
        None => (line0, col0 + char_count(span)),
        Some(i) => (
            line0 + memchr::memchr_iter(b'\n', span).count() as u32,
            char_count(&span[i + 1..]),
        ),
    }
}

fn floor_char(data: &[u8], mut i: usize) -> usize {
    while i > 0 && i < data.len() && (data[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    i
}

/// Build the redacted snippet for `m`: the line, or a window of a long line, with every
/// matched secret on it replaced by its redacted form.
/// Most findings kept for one file (or blob); past it the scan of that file stops reporting
/// and a warning names the file. Keeps time and memory linear on hostile input (a file of
/// a million keys).
pub const MAX_FINDINGS_PER_FILE: usize = 10_000;

/// A chunk's matches sorted by start, to find those overlapping a byte range without
/// looking at all of them.
struct Near<'a> {
    sorted: Vec<&'a RawMatch>,
    longest: usize,
}

impl<'a> Near<'a> {
    fn new(sorted: Vec<&'a RawMatch>) -> Near<'a> {
        let longest = sorted.iter().map(|m| m.end - m.start).max().unwrap_or(0);
        Near { sorted, longest }
    }

    /// The matches overlapping `s..e`, by start.
    fn overlapping(&self, s: usize, e: usize) -> impl Iterator<Item = &'a RawMatch> + '_ {
        // a match starting more than `longest` bytes before `s` ends before it
        let lo = self
            .sorted
            .partition_point(|o| o.start.saturating_add(self.longest) <= s);
        let hi = self.sorted.partition_point(|o| o.start < e);
        self.sorted[lo..hi.max(lo)]
            .iter()
            .copied()
            .filter(move |o| o.start < e && o.end > s)
    }
}

fn make_snippet(data: &[u8], ls: usize, le: usize, m: &RawMatch, all: &Near<'_>) -> Snippet {
    let m_end = m.end.min(le); // multi-line secrets: show the first line only
    let (ws, we, lead, trail) = if le - ls <= SNIPPET_MAX {
        (ls, le, false, false)
    } else {
        let ws = floor_char(data, m.start.saturating_sub(SNIPPET_CONTEXT).max(ls));
        let we = floor_char(data, (m_end + SNIPPET_CONTEXT).min(le));
        let we = if we < m_end { m_end } else { we };
        (ws, we, ws > ls, we < le)
    };
    let mut text = String::new();
    let mut revealed = String::new();
    if lead {
        text.push('…');
        revealed.push('…');
    }
    let mut at = ws;
    let (mut hs, mut he) = (0, 0);
    // (start, end, secret, is this finding): the matches on the window, plus every other
    // secret-like run there (an undetected token beside the secret is masked as well)
    let mut others: Vec<(usize, usize, Cow<str>, bool)> = all
        .overlapping(ws, we)
        .map(|o| {
            (
                o.start,
                o.end,
                Cow::Borrowed(o.secret.as_str()),
                std::ptr::eq(o, m),
            )
        })
        .collect();
    // look a little past the window so a token cut by its edge is judged whole
    let (cs, ce) = (ws.saturating_sub(256).max(ls), (we + 256).min(le));
    for (s, e) in secret_like_spans(&data[cs..ce]) {
        let (s, e) = (s + cs, e + cs);
        if s < we && e > ws && all.overlapping(s, e).next().is_none() {
            others.push((s, e, String::from_utf8_lossy(&data[s..e]), false));
        }
    }
    others.sort_by_key(|o| o.0);
    for (start, end, secret, is_this) in others {
        let s = start.max(at);
        let e = end.min(we);
        if s >= e {
            continue;
        }
        let before = String::from_utf8_lossy(&data[at..s]);
        text.push_str(&before);
        revealed.push_str(&before);
        if is_this {
            hs = text.chars().count();
        }
        text.push_str(&redact(&secret));
        revealed.push_str(&String::from_utf8_lossy(&data[s..e]));
        if is_this {
            he = text.chars().count();
        }
        at = e;
    }
    let rest = String::from_utf8_lossy(&data[at..we]);
    text.push_str(&rest);
    revealed.push_str(&rest);
    if trail {
        text.push('…');
        revealed.push('…');
    }
    // control characters (tabs, escapes) become spaces so the highlight offsets stay valid
    let clean = |s: String| {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
    };
    let text = clean(text);
    Snippet {
        text,
        highlight_start: hs,
        highlight_end: he,
        revealed: Some(clean(revealed)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::RelatedLocation;

    fn scanner() -> Scanner {
        Scanner::new(Config::default()).unwrap()
    }

    fn related(path: &str, line: u32) -> RelatedLocation {
        RelatedLocation {
            location: Location {
                path: path.into(),
                line,
                column: 1,
                end_line: line,
                end_column: 2,
            },
            message: "m".into(),
        }
    }

    #[test]
    fn dedup_merges_related_locations() {
        let s = scanner();
        let key =
            crate::examples::expand("sk_live_{{alnum:99}}", &mut crate::examples::Rng::new(1))
                .unwrap();
        let text = format!("const k = \"{key}\";\n");
        let mut out = Vec::new();
        for _ in 0..3 {
            s.scan_chunk(
                "src/a.ts",
                text.as_bytes(),
                ChunkPos::whole(text.len()),
                &mut out,
            );
        }
        assert_eq!(out.len(), 3);
        out[1].related.push(related("dist/a.js", 1));
        out[2].related.push(related("dist/a.js.map", 1));
        out[2].related.push(related("dist/a.js", 1));
        dedup_findings(&mut out);
        assert_eq!(out.len(), 1);
        let paths: Vec<&str> = out[0]
            .related
            .iter()
            .map(|r| r.location.path.as_str())
            .collect();
        assert_eq!(paths, ["dist/a.js", "dist/a.js.map"]);
    }
}
