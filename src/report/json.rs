//! JSON report. The schema is stable (`version: 1`) and documented in README.md.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::{ReportOptions, Reporter, ScanResult};
use crate::finding::Skipped;

pub struct Json;

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    findings: Vec<JsonFinding<'a>>,
    skipped: &'a [Skipped],
    warnings: &'a [String],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    findings: usize,
    files_scanned: u64,
    bytes_scanned: u64,
    skipped: usize,
    /// Matches an inline `leakgate:allow` marker suppressed.
    allow_suppressed: u64,
    rules: usize,
    duration_ms: u128,
    by_severity: std::collections::BTreeMap<&'static str, usize>,
    /// History scans: commits walked.
    #[serde(skip_serializing_if = "Option::is_none")]
    commits_scanned: Option<u64>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    /// `secret` or `config` (a configuration check; `note` says what is wrong).
    kind: &'static str,
    rule_id: &'a str,
    rule_name: &'a str,
    severity: &'static str,
    precision: &'static str,
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    /// Redacted unless --reveal.
    secret: String,
    redacted: bool,
    /// First 4 hex digits of the secret's SHA-256 (secrets of 12 characters or more): tells
    /// keys with the same redacted prefix apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_hash: Option<String>,
    snippet: &'a str,
    entropy: f64,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    /// Where the text came from: `{"kind": "file", "path": …}`, `staged`, `stdin`, `log`,
    /// `git_blob` (path, commit), `commit_message` (commit), `archive_entry` (archive,
    /// entry) or `map_source` (via, source); archive entries and map sources nest.
    provenance: std::borrow::Cow<'a, crate::finding::Provenance>,
    /// History scans: the commit that introduced the secret at this path.
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<crate::finding::CommitInfo>,
    /// Decodings applied to reach the secret (`base64`, `base64>percent`); the location is
    /// that of the encoded text.
    #[serde(skip_serializing_if = "Option::is_none")]
    decoded: Option<&'a str>,
    /// The rule's remediation without line breaks inside a paragraph.
    remediation: String,
    references: &'a [String],
    tags: &'a [String],
    /// Other places tied to the finding (for a source-mapped hit: the bundle and the map).
    related: Vec<JsonRelated<'a>>,
    /// Every place of this secret in this file, the reported one first (each has to be
    /// cleaned); at most 100 are listed, `occurrences` counts them all.
    locations: Vec<&'a crate::finding::Location>,
    occurrences: u32,
    /// `--validate` only: what the provider said about the key.
    #[serde(skip_serializing_if = "Option::is_none")]
    validation: Option<&'a crate::validate::Validation>,
}

/// A related location; `line` 0 means the file as a whole.
#[derive(Serialize)]
struct JsonRelated<'a> {
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    message: &'a str,
}

impl Reporter for Json {
    fn write(&self, r: &ScanResult, opts: &ReportOptions, out: &mut dyn Write) -> Result<()> {
        let mut by_severity = std::collections::BTreeMap::new();
        for f in &r.findings {
            *by_severity.entry(f.severity.as_str()).or_insert(0) += 1;
        }
        let doc = Doc {
            version: 1,
            tool: Tool {
                name: "leakgate",
                version: env!("CARGO_PKG_VERSION"),
            },
            summary: Summary {
                findings: r.findings.len(),
                files_scanned: r.files_scanned,
                bytes_scanned: r.bytes_scanned,
                skipped: r.skipped.len(),
                allow_suppressed: r.allow_suppressed,
                rules: r.rules_loaded,
                duration_ms: r.duration.as_millis(),
                by_severity,
                commits_scanned: r.commits_scanned,
            },
            findings: r
                .findings
                .iter()
                .map(|f| JsonFinding {
                    kind: if super::is_config(f) {
                        "config"
                    } else {
                        "secret"
                    },
                    rule_id: &f.rule.id,
                    rule_name: &f.rule.name,
                    severity: f.severity.as_str(),
                    precision: f.precision.as_str(),
                    path: &f.location.path,
                    line: f.location.line,
                    column: f.location.column,
                    end_line: f.location.end_line,
                    end_column: f.location.end_column,
                    secret: opts.secret(f).into_owned(),
                    redacted: !opts.reveal,
                    secret_hash: super::secret_hash(f),
                    snippet: opts.snippet(f),
                    entropy: (f.entropy * 100.0).round() / 100.0,
                    fingerprint: &f.fingerprint,
                    note: f.note.as_deref(),
                    provenance: f.provenance(),
                    commit: opts.commit(f),
                    decoded: f.decoded.as_deref(),
                    remediation: super::unwrap_text(&f.rule.remediation),
                    references: &f.rule.references,
                    tags: &f.rule.tags,
                    related: f
                        .related
                        .iter()
                        .map(|r| JsonRelated {
                            path: &r.location.path,
                            line: r.location.line,
                            column: r.location.column,
                            end_line: r.location.end_line,
                            end_column: r.location.end_column,
                            message: &r.message,
                        })
                        .collect(),
                    locations: std::iter::once(&f.location).chain(&f.also).collect(),
                    occurrences: f.occurrences,
                    validation: f.validation.as_ref(),
                })
                .collect(),
            skipped: &r.skipped,
            warnings: &r.warnings,
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)?;
        Ok(())
    }
}
