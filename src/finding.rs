//! Findings: what the reports print. A finding holds the full secret in memory (for
//! fingerprints, dedup and `--reveal`) but every printer goes through [`redact`] unless the
//! user asked to reveal.

pub mod builder;
pub mod line_hash;

use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::rules::{Precision, RuleSpec, Severity};

/// Something that was not scanned, and why. Always reported (never skipped silently).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

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
    /// Where the text came from (set by the per-blob scanner; `None` reads as a file at
    /// `location.path`, see [`Finding::provenance`]).
    pub origin: Option<Provenance>,
    /// GitHub's `primaryLocationLineHash` for the line, computed by the pipeline from the
    /// content the finding was made on (`None`: from `line_text` alone, see
    /// [`line_hash::line_hash`]). Reporters never read files to get it.
    pub line_hash: Option<String>,
    /// Live validation result (`--validate` only): what the provider said about the key.
    pub validation: Option<Validation>,
    /// The other parts of a multi-part credential found near the secret (a Twilio account
    /// SID next to its auth token), by the names the rule's `validate:` block gives them:
    /// used by `--validate` only, never printed or serialized.
    pub companions: std::collections::BTreeMap<String, String>,
}

impl Finding {
    /// Where the finding's text came from.
    pub fn provenance(&self) -> std::borrow::Cow<'_, Provenance> {
        match &self.origin {
            Some(p) => std::borrow::Cow::Borrowed(p),
            None => std::borrow::Cow::Owned(Provenance::File {
                path: self.location.path.clone(),
            }),
        }
    }

    /// GitHub's line hash for the finding's line: the pipeline's, or from the line alone.
    pub fn github_line_hash(&self) -> String {
        match &self.line_hash {
            Some(h) => h.clone(),
            None => line_hash::line_hash(&self.line_text),
        }
    }
}

/// Where a finding's text came from: one kind per source, with archive entries and the
/// original sources a source map names nested inside the blob that held them. Every reporter
/// renders it: JSON and SARIF as this structure (`kind` plus fields), text, annotations and
/// HTML as [`Provenance::label`]; [`Provenance::display`] is the path they show.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Provenance {
    /// A file of the working tree (`leakgate scan`).
    File { path: String },
    /// A file as staged in the git index (`leakgate staged`).
    Staged { path: String },
    /// Standard input, under the name it is reported as.
    Stdin { name: String },
    /// A CI log (`leakgate scan-log`): a file, or standard input under its name.
    Log { path: String },
    /// A blob of git history at the path a commit wrote it to. `commit` (full id) is the
    /// commit the finding is attributed to, once attributed.
    GitBlob {
        path: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        commit: Option<String>,
    },
    /// The message or author line of a commit (full id).
    CommitMessage { commit: String },
    /// A file inside an archive; archives inside archives nest.
    ArchiveEntry {
        archive: Box<Provenance>,
        entry: String,
    },
    /// An original source file a source map names (its `sourcesContent`, or the file on
    /// disk), reached through `via`: the map, or the bundle whose map it is.
    MapSource {
        via: Box<Provenance>,
        source: String,
    },
}

impl Provenance {
    /// The path reports show: `app.zip!dist/a.js` for an archive entry,
    /// `COMMIT_MSG@<sha7>` for a commit message, the original's path for a map source.
    pub fn display(&self) -> String {
        match self {
            Provenance::File { path }
            | Provenance::Staged { path }
            | Provenance::Log { path }
            | Provenance::GitBlob { path, .. } => path.clone(),
            Provenance::Stdin { name } => name.clone(),
            Provenance::CommitMessage { commit } => commit_message_path(commit),
            Provenance::ArchiveEntry { archive, entry } => {
                format!("{}!{entry}", archive.display())
            }
            Provenance::MapSource { source, .. } => source.clone(),
        }
    }

    /// A few words for people where the path alone does not say it: `in archive
    /// release.zip`, `in an original source, via dist/app.js.map`, `in the commit message or
    /// author line`.
    /// `None` for a file, a staged file, standard input, a log or a history blob (the command
    /// that ran says which).
    pub fn label(&self) -> Option<String> {
        match self {
            Provenance::File { .. }
            | Provenance::Staged { .. }
            | Provenance::Stdin { .. }
            | Provenance::Log { .. }
            | Provenance::GitBlob { .. } => None,
            Provenance::CommitMessage { .. } => Some("in the commit message or author line".into()),
            Provenance::ArchiveEntry { archive, .. } => {
                Some(format!("in archive {}", archive.display()))
            }
            Provenance::MapSource { via, .. } => {
                Some(format!("in an original source, via {}", via.display()))
            }
        }
    }

    /// The same provenance for a git blob found at another path by `commit`: the blob's
    /// path (under any archive or map nesting) becomes `path`, and the commit is recorded.
    pub fn in_commit(&self, path: &str, commit: &str) -> Provenance {
        match self {
            Provenance::GitBlob { .. } => Provenance::GitBlob {
                path: path.to_string(),
                commit: Some(commit.to_string()),
            },
            Provenance::ArchiveEntry { archive, entry } => Provenance::ArchiveEntry {
                archive: Box::new(archive.in_commit(path, commit)),
                entry: entry.clone(),
            },
            Provenance::MapSource { via, source } => Provenance::MapSource {
                via: Box::new(via.in_commit(path, commit)),
                source: source.clone(),
            },
            other => other.clone(),
        }
    }
}

/// The path a commit message's findings are reported at: `COMMIT_MSG@` and the short id (a
/// relative path, so SARIF and annotations accept it; no file of that name is in a tree).
pub fn commit_message_path(sha: &str) -> String {
    format!("COMMIT_MSG@{}", &sha[..sha.len().min(7)])
}

/// What the provider said about a key.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Validation {
    pub status: crate::rules::validate_spec::Outcome,
    /// Why (`HTTP 401`, `invalid_auth`, `timeout`); never holds the secret.
    pub reason: String,
    /// RFC 3339 time of the check.
    pub checked_at: String,
    /// Account or login the key belongs to, when the provider says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
}

impl Validation {
    /// The words a text report shows.
    pub fn label(&self) -> String {
        let id = self
            .identity
            .as_deref()
            .map(|i| format!(" as {i}"))
            .unwrap_or_default();
        match self.status {
            crate::rules::validate_spec::Outcome::Valid => format!("LIVE{id}"),
            crate::rules::validate_spec::Outcome::Invalid => "revoked or invalid".into(),
            crate::rules::validate_spec::Outcome::Unknown => format!("unknown ({})", self.reason),
        }
    }
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
    /// Whether the file at `HEAD` still holds the secret (`None`: not known, e.g. inside an
    /// archive, or a commit message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub present_at_head: Option<bool>,
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

pub use crate::redact::{mask_text, redact, secret_like_spans};

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
