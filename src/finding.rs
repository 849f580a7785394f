//! Findings: what the reports print. A finding holds the full secret in memory (for
//! fingerprints, dedup and `--reveal`) but every printer goes through [`redact`] unless the
//! user asked to reveal.

use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::rules::{Precision, RuleSpec, Severity};

/// Where a finding is.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Path as shown to the user: relative to the scanned root when possible, `/`-separated.
    pub path: String,
    /// 1-based line of the secret's first byte.
    pub line: u32,
    /// 1-based column (Unicode scalar values) of the secret's first byte.
    pub column: u32,
    pub end_line: u32,
    /// 1-based column one past the secret's last character.
    pub end_column: u32,
}

/// The text around a secret, with the secret (and any other secret on the line) replaced.
#[derive(Debug, Clone, Serialize)]
pub struct Snippet {
    /// Text of the line (or a window of a long line), secrets already redacted.
    pub text: String,
    /// Character range of the (redacted) secret inside `text`, for underlining.
    pub highlight_start: usize,
    pub highlight_end: usize,
    /// The same text with the secret shown, present only with `--reveal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revealed: Option<String>,
}

/// One detected secret.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: Arc<RuleSpec>,
    pub severity: Severity,
    pub precision: Precision,
    pub location: Location,
    pub secret: String,
    pub entropy: f64,
    /// Validator note ("checksum valid", "JWT role=service_role", …).
    pub note: Option<String>,
    pub snippet: Snippet,
    /// Hex SHA-256 of (rule id, secret, path): stable when lines move.
    pub fingerprint: String,
    /// The text of the line the secret is on (unredacted; used for inline allow comments and
    /// for the GitHub line hash; never printed).
    pub line_text: String,
    /// Other places tied to this finding (for a source-mapped hit: the bundle and the map).
    pub related: Vec<RelatedLocation>,
    /// Every other place of the same secret in the same file (same fingerprint), in order:
    /// each one has to be cleaned. At most [`MAX_OCCURRENCES`] are kept; `occurrences`
    /// counts them all, this one included.
    pub also: Vec<Location>,
    pub occurrences: u32,
    /// Decodings applied before the match, outermost first (`base64`, `base64>percent`).
    pub decoded: Option<String>,
    /// For git history: the commit that introduced the secret at this path.
    pub commit: Option<Box<CommitInfo>>,
    /// Live validation result (`--validate` only): what the provider said about the key.
    pub validation: Option<crate::validate::Validation>,
    /// The other parts of a multi-part credential found near the secret (a Twilio account
    /// SID next to its auth token), by the names the rule's `validate:` block gives them:
    /// used by `--validate` only, never printed or serialized.
    pub companions: std::collections::BTreeMap<String, String>,
}

/// Most other occurrences of one secret in one file listed on its finding (the count goes on).
pub const MAX_OCCURRENCES: usize = 100;

/// A second location of a finding, with a short message saying what it is. A location with
/// line 0 stands for the file as a whole (reports print no position for it).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RelatedLocation {
    pub location: Location,
    pub message: String,
}

/// The commit that introduced a secret at a path, plus how widespread the secret is in history.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default)]
pub struct CommitInfo {
    /// Full hex object id.
    pub sha: String,
    pub author: String,
    pub email: String,
    /// Author date, RFC 3339 (UTC).
    pub date: String,
    /// First line of the commit message.
    pub summary: String,
    /// Other commits that also contain this secret at this path or elsewhere.
    pub other_commits: u32,
    /// Other paths (in any commit) that hold the same secret.
    pub other_paths: u32,
}

/// `sha256(rule_id \0 secret \0 path)` as 64 hex digits.
pub fn fingerprint(rule_id: &str, secret: &str, path: &str) -> String {
    let mut h = Sha256::new();
    h.update(rule_id.as_bytes());
    h.update([0]);
    h.update(secret.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    hex(&h.finalize())
}

pub fn hex(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(D[(b >> 4) as usize] as char);
        s.push(D[(b & 15) as usize] as char);
    }
    s
}

/// The redacted form of a secret: a short prefix (so the user can tell which key it is)
/// and a fixed mask that does not reveal the length. At most a quarter of the secret, and
/// never more than 6 characters, is shown; secrets under 12 characters show nothing.
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    let show = if n < 12 { 0 } else { (n / 4).min(6) };
    let mut out: String = secret
        .chars()
        .take(show)
        .filter(|c| !c.is_control())
        .collect();
    out.push_str("*****");
    out
}

/// Prefixes of well-known credential formats: a run that starts with one and goes on for
/// at least 10 more characters is masked even when it does not look random.
const KNOWN_PREFIXES: &[&str] = &[
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "rk_test_",
    "whsec_",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxe-",
    "xapp-",
    "AKIA",
    "ASIA",
    "AIza",
    "npm_",
    "pypi-",
    "hf_",
    "sk-",
    "eyJ",
    "dop_v1_",
    "shpat_",
    "SG.",
];

/// Characters of a secret-like run: the base64/base64url alphabet plus `-` and `_`.
fn run_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/' | b'=')
}

/// Whether a piece (a run split at `_ - + / =`) looks random: letters and digits that
/// interleave (`a1b2…`, hex, base62), or mixed-case letters without word-length lowercase
/// stretches.
fn random_piece(p: &[u8]) -> bool {
    if p.len() < 8 {
        return false;
    }
    let (mut digit_groups, mut letter_groups) = (0, 0);
    let (mut upper, mut lower) = (0, 0);
    let (mut lower_run, mut longest_lower) = (0, 0);
    let mut prev: Option<bool> = None; // Some(true) = digit
    for &b in p {
        let is_digit = b.is_ascii_digit();
        if prev != Some(is_digit) {
            if is_digit {
                digit_groups += 1;
            } else {
                letter_groups += 1;
            }
        }
        prev = Some(is_digit);
        if b.is_ascii_lowercase() {
            lower += 1;
            lower_run += 1;
            longest_lower = longest_lower.max(lower_run);
        } else {
            lower_run = 0;
            if b.is_ascii_uppercase() {
                upper += 1;
            }
        }
    }
    if digit_groups >= 2 && letter_groups >= 2 {
        return true;
    }
    // letters only (or one digit group): random mixed case has short lowercase stretches
    p.len() >= 16 && upper >= 4 && lower >= 4 && longest_lower <= 4
}

/// Whether a run of [`run_byte`] characters looks like a credential.
fn secret_like(run: &[u8]) -> bool {
    if run.len() < 16 {
        return false;
    }
    if KNOWN_PREFIXES
        .iter()
        .any(|p| run.len() >= p.len() + 10 && run.starts_with(p.as_bytes()))
    {
        return true;
    }
    if crate::filters::shannon_entropy(run) < 3.0 {
        return false;
    }
    run.split(|b| matches!(b, b'_' | b'-' | b'+' | b'/' | b'='))
        .any(random_piece)
}

/// Byte ranges of `text` that look like credentials (high-entropy tokens, known prefixes):
/// what a snippet or any other printed text must mask besides the reported secret.
/// Ordinary words, identifiers, paths and short numbers are left alone.
pub fn secret_like_spans(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if !run_byte(text[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < text.len() && run_byte(text[i]) {
            i += 1;
        }
        // leading/trailing punctuation (`--flag`, `==`) belongs to the context
        let mut s = start;
        let mut e = i;
        while s < e && !text[s].is_ascii_alphanumeric() {
            s += 1;
        }
        while e > s && !text[e - 1].is_ascii_alphanumeric() && text[e - 1] != b'=' {
            e -= 1;
        }
        if secret_like(&text[s..e]) {
            out.push((s, e));
        }
    }
    out
}

/// `text` with every secret-like run ([`secret_like_spans`]) replaced by its [`redact`]ed
/// form and control characters shown as spaces: for free text printed next to findings
/// (commit summaries, author names, snippets of sources without an engine match).
pub fn mask_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in secret_like_spans(text.as_bytes()) {
        // spans are ASCII runs, so their ends are character boundaries
        out.push_str(&text[at..s]);
        out.push_str(&redact(&text[s..e]));
        at = e;
    }
    out.push_str(&text[at..]);
    out.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples::{expand, Rng};

    #[test]
    fn masks_secret_like_runs_and_keeps_words() {
        let mut rng = Rng::new(7);
        let a = expand("px-dep-{{alnum:32}}", &mut rng).unwrap();
        let b = expand("{{hex:40}}", &mut rng).unwrap();
        let c = expand("{{base64:40}}", &mut rng).unwrap();
        let text = format!("o=\"{a}\"; sha {b} and {c}; deploy to production");
        let masked = mask_text(&text);
        for s in [&a, &b, &c] {
            assert!(!masked.contains(s.as_str()), "{masked}");
            assert!(!masked.contains(&s[s.len() - 10..]), "{masked}");
        }
        assert!(masked.contains("deploy to production"), "{masked}");
        for keep in [
            "const SNIPPET_CONTEXT_MAX = 50;",
            "getElementById(\"user_id_12345678\")",
            "https://example.com/api/v1/users/42/profile",
            "node_modules/@babel/core/lib/index.js",
            "XMLHttpRequest thisIsAVeryLongVariableName",
            "version 1.2.3-beta.4 at 2024-01-02T03:04:05Z",
            "The quick brown fox jumps over the lazy dog",
        ] {
            assert_eq!(mask_text(keep), keep);
        }
        assert_eq!(mask_text("a\u{1b}[2Jb"), "a [2Jb");
    }
}
