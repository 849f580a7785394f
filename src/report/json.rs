//! JSON report. The schema is stable (`version: 1`) and documented in README.md.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::{ReportOptions, Reporter, ScanResult};
use crate::source::Skipped;

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
    rules: usize,
    duration_ms: u128,
    by_severity: std::collections::BTreeMap<&'static str, usize>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
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
    snippet: &'a str,
    entropy: f64,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    /// Decodings applied to reach the secret (`base64`, `base64>percent`); the location is
    /// that of the encoded text.
    #[serde(skip_serializing_if = "Option::is_none")]
    decoded: Option<&'a str>,
    remediation: &'a str,
    references: &'a [String],
    tags: &'a [String],
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
                rules: r.rules_loaded,
                duration_ms: r.duration.as_millis(),
                by_severity,
            },
            findings: r
                .findings
                .iter()
                .map(|f| JsonFinding {
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
                    snippet: opts.snippet(f),
                    entropy: (f.entropy * 100.0).round() / 100.0,
                    fingerprint: &f.fingerprint,
                    note: f.note.as_deref(),
                    decoded: f.decoded.as_deref(),
                    remediation: &f.rule.remediation,
                    references: &f.rule.references,
                    tags: &f.rule.tags,
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
