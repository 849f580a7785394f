//! GitHub Actions workflow-command annotations: one `::error`/`::warning`/`::notice` line per
//! finding (critical/high → error, medium → warning, low/info → notice), then a plain summary
//! line. Values are escaped as the Actions runner expects, so no file name, note or secret can
//! end a command early or start a new one. Secrets are redacted unless `--reveal`.

use std::io::Write;

use anyhow::Result;

use super::sarif::{base_dir, ArtifactPath};
use super::{ReportOptions, Reporter, ScanResult};
use crate::finding::Finding;
use crate::rules::Severity;

pub struct Github;

/// Longest remediation excerpt put in an annotation message (characters).
const MAX_FIX_CHARS: usize = 300;

/// The workflow command for a severity.
pub fn command(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

/// Escape a command's message: `%` → `%25`, `\r` → `%0D`, `\n` → `%0A`, as the runner
/// expects; any other control character (ESC, BEL, …) is percent-encoded too, so it reaches
/// the log as visible text instead of a terminal sequence.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Escape a command property value: as [`escape_data`], plus `:` → `%3A` and `,` → `%2C`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The first paragraph of a rule's remediation on one line (rules wrap their Markdown at a
/// fixed width, so a single line can stop mid-sentence), shortened at a word boundary.
fn remediation_summary(remediation: &str) -> String {
    let para: Vec<&str> = remediation
        .trim()
        .lines()
        .map(str::trim)
        .take_while(|l| !l.is_empty())
        .collect();
    let text = para.join(" ");
    if text.chars().count() <= MAX_FIX_CHARS {
        return text;
    }
    let cut: String = text.chars().take(MAX_FIX_CHARS).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > MAX_FIX_CHARS / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

/// The (unescaped) annotation message for a finding.
pub fn message(f: &Finding, opts: &ReportOptions) -> String {
    let mut m = super::sarif::message_text(f, opts);
    let fix = remediation_summary(&f.rule.remediation);
    if !fix.is_empty() {
        m.push(' ');
        m.push_str(&fix);
    }
    m.push_str(&format!(" [{}]", f.rule.id));
    m
}

/// One annotation line (without the newline).
pub fn annotation(f: &Finding, opts: &ReportOptions, cwd: Option<&std::path::Path>) -> String {
    let l = &f.location;
    let path = ArtifactPath::new(&l.path, cwd);
    format!(
        "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        command(f.severity),
        escape_property(path.as_str()),
        l.line,
        l.column,
        l.end_line,
        l.end_column,
        escape_property(&f.rule.name),
        escape_data(&message(f, opts)),
    )
}

/// The closing plain-text line, e.g. `leakgate: 2 findings (1 critical, 1 medium), 1 at or
/// above --fail-on high; 10 files scanned, 1 skipped`.
pub fn summary(r: &ScanResult, opts: &ReportOptions) -> String {
    let n = r.findings.len();
    let mut s = if n == 0 {
        "leakgate: no findings".to_string()
    } else {
        let parts = r.severity_breakdown();
        format!(
            "leakgate: {n} finding{} ({})",
            if n == 1 { "" } else { "s" },
            parts
        )
    };
    if let (Some(min), true) = (opts.fail_on, n > 0) {
        let failing = r.findings.iter().filter(|f| f.severity >= min).count();
        s.push_str(&format!(", {failing} at or above --fail-on {min}"));
    }
    s.push_str(&format!(
        "; {} file{} scanned",
        r.files_scanned,
        if r.files_scanned == 1 { "" } else { "s" }
    ));
    if !r.skipped.is_empty() {
        s.push_str(&format!(", {} skipped", r.skipped.len()));
    }
    s
}

impl Reporter for Github {
    fn write(&self, r: &ScanResult, opts: &ReportOptions, out: &mut dyn Write) -> Result<()> {
        let cwd = base_dir();
        for f in &r.findings {
            writeln!(out, "{}", annotation(f, opts, cwd.as_deref()))?;
        }
        writeln!(out, "{}", summary(r, opts))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_actions_runner() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        // a value can never start a new command
        assert!(!escape_data("x\n::error::injected").contains('\n'));
        assert_eq!(escape_data("a\u{1b}[2J\u{7}b"), "a%1B[2J%07b");
        assert_eq!(
            escape_property("x\n::warning file=a,line=1::y"),
            "x%0A%3A%3Awarning file=a%2Cline=1%3A%3Ay"
        );
    }

    #[test]
    fn remediation_is_one_paragraph() {
        let r = "Revoke the key at https://x.test (A → B), create a new\none, store it.\n\nMore text.\n";
        assert_eq!(
            remediation_summary(r),
            "Revoke the key at https://x.test (A → B), create a new one, store it."
        );
        let long = "word ".repeat(100);
        let s = remediation_summary(&long);
        assert!(
            s.chars().count() <= MAX_FIX_CHARS + 1 && s.ends_with('…'),
            "{s}"
        );
    }

    #[test]
    fn commands_by_severity() {
        assert_eq!(command(Severity::Critical), "error");
        assert_eq!(command(Severity::High), "error");
        assert_eq!(command(Severity::Medium), "warning");
        assert_eq!(command(Severity::Low), "notice");
        assert_eq!(command(Severity::Info), "notice");
    }
}
