//! The scanner: runs the matcher over a blob's bytes and turns raw matches into findings
//! (line and column, redacted snippet, fingerprint), applying inline `leakgate:allow`
//! comments, the config's allow-lists, overlap resolution and deduplication.

use anyhow::{Context, Result};

use crate::config::Config;
use crate::decode;
use std::borrow::Cow;

use crate::finding::{Finding, Location};
use crate::matcher::{RawMatch, RuleSet};
use crate::rules::{self, RuleSpec};

pub use crate::finding::builder::{has_allow_marker, ALLOW_MARKER, ALLOW_WINDOW};
use crate::finding::builder::{AllowLists, Draft, Suppressed, SNIPPET_CONTEXT};

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
    limit_notes: std::sync::Mutex<std::collections::BTreeSet<crate::finding::Skipped>>,
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
            .insert(crate::finding::Skipped {
                path: path.to_string(),
                reason: reason.into(),
            });
    }

    /// Take the limits recorded with [`Scanner::note_limit`].
    pub fn take_limit_notes(&self) -> Vec<crate::finding::Skipped> {
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
        let code = crate::kind::is_code(path);
        self.rules.scan_path(path, data, code, &mut raw);
        raw.retain(|m| m.start >= pos.accept_from && m.start < pos.accept_to);
        let mut raw = crate::matcher::resolve_overlaps(raw, &self.rules);
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
        let value = |v: &str| self.config.value_allowed(v);
        let allow = AllowLists {
            value: &value,
            fingerprints: &self.config.allow_fingerprints,
        };
        for i in order {
            if out.len() >= MAX_FINDINGS_PER_FILE {
                break; // Sink::add_findings says so
            }
            let m = &raw[i];
            let secret = secrets[i].as_ref().unwrap_or(&m.secret);
            if self.config.value_allowed(secret) {
                continue; // before any position work: placeholders are common
            }
            let (line0, col0, line_start) = cursor.position(m.start);
            let line_end = line_end(data, line_start, m.start);
            let (eline0, ecol0) = end_position(data, m.start, m.end, line0, col0);
            let rule = &self.rules.rules[m.rule];
            // every match near the window is redacted in the snippet
            let m_end = m.end.min(line_end);
            let reach = SNIPPET_CONTEXT + 256;
            let redact = near
                .overlapping(
                    m.start.saturating_sub(reach).max(line_start),
                    (m_end + reach).min(line_end).max(m.start + 1),
                )
                .map(|o| (o.start, o.end, Cow::Borrowed(o.secret.as_str())))
                .collect();
            let draft = Draft {
                rule: &rule.spec,
                severity: m.severity,
                precision: m.precision,
                path,
                data,
                line: (line_start, line_end),
                span: (m.start, m.end),
                location: Location {
                    path: path.to_string(),
                    line: line0 + pos.line_base + 1,
                    column: col0 + 1 + if line0 == 0 { pos.col_base } else { 0 },
                    end_line: eline0 + pos.line_base + 1,
                    end_column: ecol0 + 1 + if eline0 == 0 { pos.col_base } else { 0 },
                },
                secret: Cow::Borrowed(secret.as_str()),
                identity: None,
                redact,
            };
            match draft.build(&allow) {
                Ok(mut f) => {
                    f.entropy = m.entropy;
                    f.note = m.note.clone();
                    f.decoded = chains[i].clone();
                    // the other parts of a multi-part credential, for live validation
                    f.companions =
                        crate::validate::find_companions(&rule.spec, data, m.start, m.end);
                    out.push(f);
                }
                Err(Suppressed::Inline) => {
                    self.allow_suppressed
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                Err(_) => {}
            }
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
        self.lint_blob(path, data, None, out)
    }

    /// [`Scanner::lint_file`] for a blob whose git state is known (see
    /// [`crate::lint::Linter::lint_blob`]).
    pub fn lint_blob(
        &self,
        path: &str,
        data: Option<&[u8]>,
        committed: Option<bool>,
        out: &mut Vec<Finding>,
    ) -> Option<String> {
        let before = out.len();
        let warning = self
            .lint
            .lint_blob(&self.rules, &self.config, path, data, committed, out);
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

pub(crate) use crate::text::char_count;
use crate::text::LineCursor;

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
