//! Markdown job summary (`--summary FILE`, e.g. `$GITHUB_STEP_SUMMARY`): a headline and a
//! findings table, redacted, bounded so it never exceeds GitHub's 1 MiB step-summary limit.

use super::{ReportOptions, ScanResult};

/// GitHub rejects step summaries over 1 MiB; stay well below it.
pub const MAX_SUMMARY_BYTES: usize = 900 * 1024;

/// Escape text for a Markdown table cell.
fn cell(s: &str) -> String {
    super::escape_control(s)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "'")
}

/// The summary for `r`, at most `max_bytes` long.
pub fn markdown(r: &ScanResult, opts: &ReportOptions, max_bytes: usize) -> String {
    let mut out = String::from("## leakgate\n\n");
    if r.findings.is_empty() {
        out.push_str("**No secrets found.** ");
    } else {
        out.push_str(&format!(
            "**{} finding{}** ({}). ",
            r.findings.len(),
            if r.findings.len() == 1 { "" } else { "s" },
            r.severity_breakdown()
        ));
    }
    let s = |n: u64| if n == 1 { "" } else { "s" };
    let what = match r.commits_scanned {
        Some(c) => format!(
            "{} blob{} from {c} commit{}",
            r.files_scanned,
            s(r.files_scanned),
            s(c)
        ),
        None => format!("{} file{}", r.files_scanned, s(r.files_scanned)),
    };
    out.push_str(&format!(
        "Scanned {what} ({:.1} MB) in {:.1}s: {}.\n",
        r.bytes_scanned as f64 / 1e6,
        r.duration.as_secs_f64(),
        cell(&r.targets.join(", "))
    ));
    if r.baseline_suppressed > 0 {
        out.push_str(&format!(
            "\n{} finding{} accepted in the baseline {} not shown.\n",
            r.baseline_suppressed,
            if r.baseline_suppressed == 1 { "" } else { "s" },
            if r.baseline_suppressed == 1 {
                "is"
            } else {
                "are"
            }
        ));
    }
    if !r.skipped.is_empty() {
        out.push_str(&format!(
            "\n{} file{} not scanned (see the log).\n",
            r.skipped.len(),
            if r.skipped.len() == 1 { "" } else { "s" }
        ));
    }
    if r.findings.is_empty() {
        return out;
    }
    let history = r.findings.iter().any(|f| f.commit.is_some());
    out.push_str(if history {
        "\n| Severity | Rule | Location | Secret | Introduced in |\n|---|---|---|---|---|\n"
    } else {
        "\n| Severity | Rule | Location | Secret |\n|---|---|---|---|\n"
    });
    let tail_reserve = 200;
    for (i, f) in r.findings.iter().enumerate() {
        let mut row = format!(
            "| {} | {} (`{}`) | `{}:{}` | `{}` |",
            f.severity.as_str(),
            cell(&f.rule.name),
            cell(&f.rule.id),
            cell(&f.location.path),
            f.location.line,
            cell(&opts.secret_labelled(f))
        );
        if history {
            match &f.commit {
                Some(c) => row.push_str(&format!(
                    " {} {} |",
                    c.sha.get(..12).unwrap_or(&c.sha),
                    cell(c.date.get(..10).unwrap_or(&c.date))
                )),
                None => row.push_str("  |"),
            }
        }
        row.push('\n');
        if out.len() + row.len() + tail_reserve > max_bytes {
            out.push_str(&format!(
                "\n… and {} more finding{}: see the SARIF upload or the log.\n",
                r.findings.len() - i,
                if r.findings.len() - i == 1 { "" } else { "s" }
            ));
            return out;
        }
        out.push_str(&row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::engine::{ChunkPos, Scanner};
    use crate::examples::{expand, Rng};

    fn result_with(n: usize) -> ScanResult {
        let scanner = Scanner::new(Config::default()).unwrap();
        let mut rng = Rng::new(9);
        let mut text = String::new();
        for _ in 0..n {
            text.push_str(&format!(
                "GITHUB_TOKEN={}\n",
                expand("{{github:ghp}}", &mut rng).unwrap()
            ));
        }
        let mut findings = Vec::new();
        scanner.scan_chunk(
            "a|b.env",
            text.as_bytes(),
            ChunkPos::whole(text.len()),
            &mut findings,
        );
        assert_eq!(findings.len(), n);
        ScanResult {
            findings,
            skipped: Vec::new(),
            warnings: Vec::new(),
            files_scanned: 1,
            bytes_scanned: text.len() as u64,
            rules_loaded: 1,
            duration: std::time::Duration::from_millis(1),
            targets: vec![".".into()],
            allow_suppressed: 0,
            commits_scanned: None,
            baseline_suppressed: 3,
        }
    }

    #[test]
    fn table_is_escaped_redacted_and_bounded() {
        let r = result_with(50);
        let md = markdown(&r, &ReportOptions::default(), MAX_SUMMARY_BYTES);
        assert!(md.contains("**50 findings**"), "{md}");
        assert!(md.contains("`a\\|b.env:1`"), "pipe escaped: {md}");
        assert!(md.contains("3 findings accepted in the baseline are not shown"));
        for f in &r.findings {
            assert!(!md.contains(&f.secret[..20]), "secret leaked");
        }
        // bounded: with a small limit, rows stop and the rest is counted
        let md = markdown(&r, &ReportOptions::default(), 2_000);
        assert!(md.len() <= 2_000, "{}", md.len());
        assert!(md.contains("more findings: see the SARIF upload"), "{md}");
    }
}
