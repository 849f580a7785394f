//! Reporters: text, JSON, SARIF, GitHub annotations and HTML. Every reporter prints redacted
//! secrets unless `ReportOptions::reveal` is set.

pub mod github;
pub mod html;
pub mod json;
pub mod sarif;
pub mod summary;
pub mod text;

use std::io::Write;

use anyhow::Result;

use crate::finding::Skipped;
use crate::finding::{mask_text, redact, CommitInfo, Finding};

/// Everything a scan produced, ready to print.
pub struct ScanResult {
    /// Sorted by path, line, column, rule id; deduplicated.
    pub findings: Vec<Finding>,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<String>,
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub rules_loaded: usize,
    pub duration: std::time::Duration,
    /// What was scanned, as the user named it (paths, `history`, …).
    pub targets: Vec<String>,
    /// For history scans: how many commits were walked (`files_scanned` then counts blobs).
    pub commits_scanned: Option<u64>,
    /// Findings left out because the baseline accepts them.
    pub baseline_suppressed: usize,
    /// Matches an inline `leakgate:allow` marker suppressed.
    pub allow_suppressed: u64,
}

impl ScanResult {
    /// "2 critical, 1 medium": finding counts by severity, most severe first, zeros left out.
    pub fn severity_breakdown(&self) -> String {
        use crate::rules::Severity;
        let mut counts = [0usize; 5];
        for f in &self.findings {
            counts[f.severity as usize] += 1;
        }
        [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
            Severity::Info,
        ]
        .iter()
        .filter(|s| counts[**s as usize] > 0)
        .map(|s| format!("{} {s}", counts[*s as usize]))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// Output options shared by all formats.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// Show full secrets (`--reveal`).
    pub reveal: bool,
    /// Colour (text format only).
    pub color: bool,
    /// Findings at or above this severity fail the build (shown in summaries).
    pub fail_on: Option<crate::rules::Severity>,
    /// List every skipped file, not a summary line.
    pub verbose: bool,
    /// Columns the text format wraps long text (remediation) to; `None`: 100.
    pub width: Option<usize>,
}

impl ReportOptions {
    /// The secret as this report may show it (empty for a configuration finding that
    /// carries no value).
    pub fn secret<'a>(&self, f: &'a Finding) -> std::borrow::Cow<'a, str> {
        if self.reveal || f.secret.is_empty() {
            std::borrow::Cow::Borrowed(&f.secret)
        } else {
            std::borrow::Cow::Owned(redact(&f.secret))
        }
    }

    /// The secret as this report may show it, with its short hash when redacted:
    /// `sk-pro***** (sha256 3f2a…)`, so two keys with the same prefix can be told apart.
    pub fn secret_labelled<'a>(&self, f: &'a Finding) -> std::borrow::Cow<'a, str> {
        match (self.reveal, secret_hash(f)) {
            (false, Some(h)) => {
                std::borrow::Cow::Owned(format!("{} (sha256 {h}…)", redact(&f.secret)))
            }
            _ => self.secret(f),
        }
    }

    /// The commit of a history finding as this report may show it: summary, author and
    /// email with the finding's secret and every other secret-like run masked (a token in
    /// a commit subject is as much a leak as one in a file).
    pub fn commit(&self, f: &Finding) -> Option<CommitInfo> {
        let c = f.commit.as_deref()?;
        if self.reveal {
            return Some(c.clone());
        }
        let mask = |s: &str| {
            let s = if f.secret.is_empty() {
                s.to_string()
            } else {
                s.replace(f.secret.as_str(), &redact(&f.secret))
            };
            mask_text(&s)
        };
        Some(CommitInfo {
            summary: mask(&c.summary),
            author: mask(&c.author),
            email: mask(&c.email),
            ..c.clone()
        })
    }

    /// The snippet as this report may show it.
    pub fn snippet<'a>(&self, f: &'a Finding) -> &'a str {
        match (&f.snippet.revealed, self.reveal) {
            (Some(r), true) => r,
            _ => &f.snippet.text,
        }
    }
}

/// The first 4 hex digits of the SHA-256 of a finding's secret: 16 bits, enough to tell keys
/// with the same redacted prefix apart and far too few to recover or confirm a random key.
/// `None` for a finding without a value and for secrets under 12 characters, of which the
/// redacted form shows nothing (a hash of a short password would narrow a dictionary attack).
pub fn secret_hash(f: &Finding) -> Option<String> {
    short_hash(&f.secret)
}

/// [`secret_hash`] of a secret value.
pub fn short_hash(secret: &str) -> Option<String> {
    use sha2::Digest;
    if secret.chars().count() < 12 {
        return None;
    }
    let digest = sha2::Sha256::digest(secret.as_bytes());
    Some(crate::finding::hex(&digest[..2]))
}

/// Prose from a rule file (remediation, description) without its hard line breaks: the
/// lines of each paragraph joined with a space, paragraphs separated by one blank line,
/// no trailing newline. Readers wrap it to their own width.
pub fn unwrap_text(text: &str) -> String {
    text.split("\n\n")
        .map(|para| {
            para.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// `s` safe to print on a terminal or a CI log: control characters (ESC, BEL, CR, LF, tab,
/// DEL, C1) and bidirectional overrides become visible escapes (`\x1b`, `\n`, `\u{202e}`),
/// so a file, archive entry or rule name can neither rewrite the terminal nor start a new
/// line (a workflow command). A backslash is doubled only when something was escaped.
pub fn escape_control(s: &str) -> std::borrow::Cow<'_, str> {
    let bad =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x80 && bad(c) => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if bad(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A name printed at the start of a line: [`escape_control`]led, and a name that begins
/// with `::` (a GitHub workflow command once the runner trims the line) gets a `./` in
/// front, which names the same path.
pub fn line_start_name(s: &str) -> String {
    let e = escape_control(s);
    if e.trim_start().starts_with("::") {
        format!("./{e}")
    } else {
        e.into_owned()
    }
}

/// A finding of a configuration rule ([`crate::lint`]): its `note` says what is wrong and
/// its `secret` is empty unless the setting holds a literal credential.
pub fn is_config(f: &Finding) -> bool {
    f.rule.kind == crate::rules::RuleKind::Config
}

/// An output format.
pub trait Reporter {
    fn write(&self, result: &ScanResult, opts: &ReportOptions, out: &mut dyn Write) -> Result<()>;
}

/// The reporter for a `--format` name.
pub fn reporter(format: Format) -> Box<dyn Reporter> {
    match format {
        Format::Text => Box::new(text::Text),
        Format::Json => Box::new(json::Json),
        Format::Sarif => Box::new(sarif::Sarif),
        Format::Github => Box::new(github::Github),
        Format::Html => Box::new(html::Html),
    }
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
    /// One self-contained HTML page for people (audits).
    Html,
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_hash_is_four_hex_digits_of_sha256() {
        // sha256("sk_live_0123456789abcdef") = 342e…
        assert_eq!(
            super::short_hash("sk_live_0123456789abcdef").as_deref(),
            Some("342e")
        );
        assert_eq!(super::short_hash("hunter2hunt"), None); // 11 characters: no hash
        assert_eq!(super::unwrap_text("a\nb\n\n\nc d\n"), "a b\n\nc d");
    }
}
