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
