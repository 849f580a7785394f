//! The one finding builder: every secret match and every configuration hit becomes a
//! [`Finding`] here, so the allow-lists, the inline allow marker, the fingerprint and the
//! redacted snippet window are decided in one place, whatever the source.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use super::{fingerprint, redact, secret_like_spans, Finding, Location, Snippet};
use crate::rules::{Precision, RuleSpec, Severity};
use crate::text::floor_char;

/// Marker that suppresses findings next to it on its line (see [`ALLOW_WINDOW`]).
pub const ALLOW_MARKER: &[u8] = b"leakgate:allow";
/// Tools whose `<tool>:allow` comments count as [`ALLOW_MARKER`]: a repository moving from
/// gitleaks or betterleaks keeps its inline allows.
const ALLOW_TOOLS: &[&[u8]] = &[b"leakgate", b"gitleaks", b"betterleaks"];

/// An inline allow marker covers a match only when at most this many bytes separate them on
/// the same line (`key = "…"  # leakgate:allow`, `/* leakgate:allow */ key = "…"`): one marker
/// on a 16 MB minified line must not hide every secret on it.
pub const ALLOW_WINDOW: usize = 512;
/// Lines longer than this are shown as a window around the finding.
pub const SNIPPET_MAX: usize = 160;
/// Characters kept on each side of the finding in a window of a long line.
pub const SNIPPET_CONTEXT: usize = 50;

/// Whether a line carries an inline allow comment (`leakgate:allow`, `gitleaks:allow` or
/// `betterleaks:allow`).
pub fn has_allow_marker(line: &[u8]) -> bool {
    memchr::memmem::find_iter(line, b":allow")
        .any(|i| ALLOW_TOOLS.iter().any(|t| line[..i].ends_with(t)))
}

/// True when an inline allow marker on the finding's line lies within [`ALLOW_WINDOW`] bytes
/// of `start..end` (before or after it); `line_start..line_end` is the line of `start`.
pub fn allowed_inline(
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

/// The allow-lists a finding is checked against (from the configuration, the baseline's
/// fingerprints and `.gitleaksignore`).
pub struct AllowLists<'a> {
    /// `allow.values` (and the built-in placeholders): the value is not a secret.
    pub value: &'a dyn Fn(&str) -> bool,
    /// Fingerprints to leave out.
    pub fingerprints: &'a HashSet<String>,
}

/// Why a candidate was not turned into a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suppressed {
    /// `allow.values` matched the value.
    Value,
    /// An inline allow marker next to it.
    Inline,
    /// Its fingerprint is allow-listed.
    Fingerprint,
}

/// A candidate finding: a span of a blob's text and what it is.
pub struct Draft<'a> {
    pub rule: &'a Arc<RuleSpec>,
    pub severity: Severity,
    pub precision: Precision,
    /// The path shown (archive entries nest: `app.zip!lib.jar!a.properties`).
    pub path: &'a str,
    /// The text the offsets point into, and the line holding `start`.
    pub data: &'a [u8],
    pub line: (usize, usize),
    /// The finding's span, and where it is (lines and columns, 1-based).
    pub span: (usize, usize),
    pub location: Location,
    /// The secret (empty for a configuration finding without a value).
    pub secret: Cow<'a, str>,
    /// What identifies a finding without a value in its fingerprint (its normalised text
    /// and its rank among equal ones); unused when there is a secret.
    pub identity: Option<String>,
    /// Other spans of the line to redact in the snippet (other matches, masked values).
    pub redact: Vec<(usize, usize, Cow<'a, str>)>,
}

impl Draft<'_> {
    /// The finding, or why it is suppressed. Every allow-list applies in one order: the
    /// value, the inline marker, the fingerprint.
    pub fn build(self, allow: &AllowLists) -> Result<Finding, Suppressed> {
        let (start, end) = self.span;
        let (ls, le) = self.line;
        if !self.secret.is_empty() && (allow.value)(&self.secret) {
            return Err(Suppressed::Value);
        }
        if allowed_inline(self.data, ls, le, start, end) {
            return Err(Suppressed::Inline);
        }
        let fp = match (&self.identity, self.secret.is_empty()) {
            (Some(id), true) => fingerprint(&self.rule.id, id, self.path),
            _ => fingerprint(&self.rule.id, &self.secret, self.path),
        };
        if allow.fingerprints.contains(&fp) {
            return Err(Suppressed::Fingerprint);
        }
        let mut spans = self.redact;
        if !self.secret.is_empty() && !spans.iter().any(|s| s.0 == start && s.1 == end) {
            spans.push((start, end.min(le).max(start), self.secret.clone()));
        }
        let snippet = snippet(self.data, ls, le, (start, end.min(le)), spans);
        let line_text = String::from_utf8_lossy(&self.data[ls..le.min(ls + 4096)]).into_owned();
        Ok(Finding {
            rule: self.rule.clone(),
            severity: self.severity,
            precision: self.precision,
            location: self.location,
            secret: self.secret.into_owned(),
            entropy: 0.0,
            note: None,
            snippet,
            fingerprint: fp,
            line_text,
            related: Vec::new(),
            also: Vec::new(),
            occurrences: 1,
            decoded: None,
            commit: None,
            origin: None,
            line_hash: None,
            validation: None,
            companions: Default::default(),
        })
    }
}

/// Text pieces of a snippet with the highlight found as they are appended.
struct Pieces {
    text: String,
    revealed: String,
    chars: usize,
    hs: usize,
    he: usize,
    h0: Option<usize>,
    h1: Option<usize>,
}

impl Pieces {
    fn push(&mut self, shown: &str, raw: &str) {
        self.text.push_str(shown);
        self.revealed.push_str(raw);
        self.chars += shown.chars().count();
    }

    /// Unredacted text `data[a..b]`, cut where the highlight starts or ends.
    fn plain(&mut self, data: &[u8], mut a: usize, b: usize) {
        for end in [false, true] {
            let (c, slot) = if end {
                (self.he, self.h1)
            } else {
                (self.hs, self.h0)
            };
            if slot.is_none() && a <= c && c <= b {
                let piece = String::from_utf8_lossy(&data[a..c]);
                self.push(&piece, &piece);
                if end {
                    self.h1 = Some(self.chars);
                } else {
                    self.h0 = Some(self.chars);
                }
                a = c;
            }
        }
        let piece = String::from_utf8_lossy(&data[a..b]);
        self.push(&piece, &piece);
    }

    /// `data[s..e]`, shown redacted as `secret` is.
    fn redacted(&mut self, data: &[u8], s: usize, e: usize, secret: &str) {
        if self.h0.is_none() && self.hs >= s && self.hs < e {
            self.h0 = Some(self.chars);
        }
        let shown = redact(secret);
        self.push(&shown, &String::from_utf8_lossy(&data[s..e]));
        if self.h1.is_none() && self.he > s && self.he <= e {
            self.h1 = Some(self.chars);
        }
    }
}

/// The redacted snippet of a finding at `hs..he` on the line `ls..le` of `data`: the line,
/// or a window of a long line, with every span of `spans` and every other secret-like run
/// replaced by its redacted form (an undetected token beside the finding is masked too), and
/// the finding's place underlined.
pub fn snippet<'a>(
    data: &'a [u8],
    ls: usize,
    le: usize,
    (hs, he): (usize, usize),
    mut spans: Vec<(usize, usize, Cow<'a, str>)>,
) -> Snippet {
    let (ws, we, lead, trail) = if le - ls <= SNIPPET_MAX {
        (ls, le, false, false)
    } else {
        let ws = floor_char(data, hs.saturating_sub(SNIPPET_CONTEXT).max(ls));
        let we = floor_char(data, (he.max(hs + 1) + SNIPPET_CONTEXT).min(le));
        let we = we.max(he.min(le));
        (ws, we, ws > ls, we < le)
    };
    // look a little past the window so a token cut by its edge is judged whole
    let (cs, ce) = (ws.saturating_sub(256).max(ls), (we + 256).min(le));
    let given = spans.len();
    for (s, e) in secret_like_spans(&data[cs..ce]) {
        let (s, e) = (s + cs, e + cs);
        if s < we && e > ws && !spans[..given].iter().any(|o| o.0 < e && s < o.1) {
            spans.push((s, e, String::from_utf8_lossy(&data[s..e])));
        }
    }
    spans.retain(|o| o.0 < we && o.1 > ws && o.0 < o.1);
    spans.sort_by_key(|o| o.0);
    let mut p = Pieces {
        text: String::new(),
        revealed: String::new(),
        chars: 0,
        hs,
        he,
        h0: None,
        h1: None,
    };
    if lead {
        p.push("…", "…");
    }
    let mut at = ws;
    for (start, end, secret) in spans {
        let s = floor_char(data, start.max(at));
        let e = floor_char(data, end.min(we));
        if s >= e {
            continue;
        }
        p.plain(data, at, s);
        p.redacted(data, s, e, &secret);
        at = e;
    }
    p.plain(data, at, we);
    if trail {
        p.push("…", "…");
    }
    // control characters (tabs, escapes) become spaces so the highlight offsets stay valid
    let clean = |s: String| -> String {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    };
    let start = p.h0.unwrap_or(0);
    Snippet {
        text: clean(p.text),
        highlight_start: start,
        highlight_end: p.h1.unwrap_or(start).max(start),
        revealed: Some(clean(p.revealed)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples::{expand, Rng};

    /// Property: whatever the line (long or short, multi-byte, other tokens around), the
    /// snippet never holds a secret it redacts, its highlight lies inside the text, and the
    /// revealed text holds the secret.
    #[test]
    fn snippets_never_hold_a_redacted_secret() {
        let mut rng = Rng::new(Rng::from_entropy().next_u64());
        let fillers = ["x = 1; ", "ünïcödé 😀 ", "\t", "// note ", "a", "\u{1b}[0m"];
        for _ in 0..300 {
            let secret = expand("sk_live_{{alnum:32}}", &mut rng).unwrap();
            // a token the secret-like heuristic always knows (digit and letter groups mixed)
            let other = expand("{{hex:40}}", &mut rng).unwrap();
            let mut line = String::new();
            for _ in 0..rng.below(40) {
                line.push_str(fillers[rng.below(fillers.len())]);
            }
            if rng.below(2) == 0 {
                line.push_str(&format!(" other=\"{other}\" "));
            }
            let start = line.len();
            line.push_str(&secret);
            let end = line.len();
            for _ in 0..rng.below(60) {
                line.push_str(fillers[rng.below(fillers.len())]);
            }
            let data = line.as_bytes();
            let s = snippet(
                data,
                0,
                data.len(),
                (start, end),
                vec![(start, end, Cow::Borrowed(secret.as_str()))],
            );
            assert!(!s.text.contains(&secret), "{}", s.text);
            assert!(!s.text.contains(&other), "{}", s.text);
            assert!(s.revealed.as_deref().unwrap().contains(&secret));
            let n = s.text.chars().count();
            assert!(
                s.highlight_start < s.highlight_end && s.highlight_end <= n,
                "{s:?}"
            );
            let shown: String = s
                .text
                .chars()
                .skip(s.highlight_start)
                .take(s.highlight_end - s.highlight_start)
                .collect();
            assert_eq!(shown, redact(&secret), "{s:?}");
        }
    }

    #[test]
    fn allow_marker_window() {
        let line = format!("k = \"x\" {} leakgate:allow", " ".repeat(600));
        let d = line.as_bytes();
        assert!(!allowed_inline(d, 0, d.len(), 5, 6));
        let line = "k = \"x\"  # gitleaks:allow";
        assert!(allowed_inline(line.as_bytes(), 0, line.len(), 5, 6));
    }
}
