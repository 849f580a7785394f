//! The end of a scanning command: a [`ScanResult`] turned into the report (file or standard
//! output), the extra outputs (SARIF, summary, count), the notes on stderr and the exit code.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};

use leakgate::engine::{dedup_findings, Scanner};
use leakgate::report::{self, Format, ReportOptions, ScanResult};
use leakgate::rules;
use leakgate::source::Sink;

use super::args::{ColorChoice, OutputArgs};

/// Write bytes to standard output; a failure names the stream.
pub(crate) fn write_stdout(bytes: &[u8]) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|_| out.flush())
        .context("cannot write to standard output")?;
    Ok(ExitCode::SUCCESS)
}

/// Dedup, print the report and notes, and compute the exit code.
pub(super) fn finish(
    scanner: Scanner,
    sink: Sink,
    targets: Vec<String>,
    commits_scanned: Option<u64>,
    started: std::time::Instant,
    out: &OutputArgs,
    gitleaks_ignore: Option<leakgate::baseline::Baseline>,
) -> Result<ExitCode> {
    let (mut findings, mut skipped, warnings, files, bytes) = sink.finish();
    // limits that stopped part of the work (decode budget, depth, huge files) are listed too
    skipped.extend(scanner.take_limit_notes());
    skipped.sort();
    let allow_suppressed = scanner
        .allow_suppressed
        .load(std::sync::atomic::Ordering::Relaxed)
        + scanner.lint.allow_suppressed();
    dedup_findings(&mut findings);
    let mut baseline_suppressed = match &out.baseline {
        Some(p) => leakgate::baseline::Baseline::load(p)?.filter(&mut findings),
        None => 0,
    };
    let ignore_suppressed = match &gitleaks_ignore {
        Some(ignore) => ignore.filter(&mut findings),
        None => 0,
    };
    baseline_suppressed += ignore_suppressed;
    if out.validate {
        let specs: Vec<&rules::RuleSpec> = scanner.rules.rules.iter().map(|r| &*r.spec).collect();
        leakgate::validate::check_endpoints(&out.validation_endpoint, &specs)?;
        for (p, u) in &out.validation_endpoint {
            eprintln!(
                "leakgate: note: validation requests for {} go to {} (--validation-endpoint)",
                report::escape_control(p),
                report::escape_control(u)
            );
        }
        let opts = leakgate::validate::Options {
            endpoints: out.validation_endpoint.clone(),
            progress: !out.quiet && std::io::stderr().is_terminal(),
            connections: out.validate_connections,
            allow_internal: out.allow_internal_hosts,
        };
        let stats = leakgate::validate::validate_findings(&mut findings, &opts);
        if out.only_live {
            findings.retain(|f| {
                matches!(&f.validation, Some(v) if v.status == leakgate::validate::Outcome::Valid)
            });
        }
        if !out.quiet {
            eprintln!(
                "leakgate: validated {} unique key{}: {} live, {} revoked or invalid, {} unknown",
                stats.checked,
                if stats.checked == 1 { "" } else { "s" },
                stats.valid,
                stats.invalid,
                stats.unknown
            );
            if stats.connections_skipped > 0 {
                eprintln!(
                    "leakgate: note: {} connection string{} not checked (--validate-connections logs in with them)",
                    stats.connections_skipped,
                    if stats.connections_skipped == 1 { "" } else { "s" }
                );
            }
        }
    }
    let result = ScanResult {
        findings,
        skipped,
        warnings,
        files_scanned: files,
        bytes_scanned: bytes,
        rules_loaded: scanner.rule_count(),
        duration: started.elapsed(),
        targets,
        commits_scanned,
        baseline_suppressed,
        allow_suppressed,
    };
    let to_tty = out.output.is_none() && std::io::stdout().is_terminal();
    let opts = ReportOptions {
        reveal: out.reveal,
        color: match out.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => to_tty && std::env::var_os("NO_COLOR").is_none(),
        },
        fail_on: out.fail_on.0,
        verbose: out.verbose,
        width: Some(report::text::wrap_width(to_tty)),
    };
    let reporter = report::reporter(out.format);
    match &out.output {
        Some(path) => {
            let mut buf = Vec::new();
            reporter.write(&result, &opts, &mut buf)?;
            std::fs::write(path, buf)
                .with_context(|| format!("{}: cannot write report", path.display()))?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut lock = std::io::BufWriter::new(stdout.lock());
            reporter
                .write(&result, &opts, &mut lock)
                .and_then(|_| Ok(lock.flush()?))
                .context("cannot write the report to standard output")?;
        }
    }
    if let Some(path) = &out.sarif {
        let mut buf = Vec::new();
        report::reporter(Format::Sarif).write(&result, &opts, &mut buf)?;
        std::fs::write(path, buf)
            .with_context(|| format!("{}: cannot write SARIF", path.display()))?;
    }
    if let Some(path) = &out.summary {
        let text = report::summary::markdown(&result, &opts, report::summary::MAX_SUMMARY_BYTES);
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("{}: cannot open summary file", path.display()))?;
        f.write_all(text.as_bytes())
            .with_context(|| format!("{}: cannot write summary", path.display()))?;
    }
    if let Some(path) = &out.count_file {
        std::fs::write(path, format!("{}\n", result.findings.len()))
            .with_context(|| format!("{}: cannot write count", path.display()))?;
    }
    if !out.quiet {
        print_notes(&result, &opts);
        let hidden = scanner
            .samples_hidden
            .load(std::sync::atomic::Ordering::Relaxed);
        if hidden > 0 {
            eprintln!(
                "leakgate: note: {hidden} match{} of generic or context-based rules in tests, \
                 fixtures, examples or docs not reported (--include-samples reports them)",
                if hidden == 1 { "" } else { "es" }
            );
        }
        if allow_suppressed > 0 {
            eprintln!(
                "leakgate: note: {allow_suppressed} match{} suppressed by an inline allow marker (leakgate:allow, gitleaks:allow)",
                if allow_suppressed == 1 { "" } else { "es" }
            );
        }
        for (n, what) in [
            (
                result.baseline_suppressed - ignore_suppressed,
                "the baseline",
            ),
            (ignore_suppressed, leakgate::migrate::GITLEAKS_IGNORE),
        ] {
            if n > 0 {
                eprintln!(
                    "leakgate: note: {n} finding{} accepted in {what} {} not reported",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "is" } else { "are" }
                );
            }
        }
    }
    let failing = match out.fail_on.0 {
        Some(min) => result.findings.iter().any(|f| f.severity >= min),
        None => false,
    };
    if !failing && !result.findings.is_empty() && !out.quiet {
        let n = result.findings.len();
        let highest = result
            .findings
            .iter()
            .map(|f| f.severity)
            .max()
            .expect("non-empty");
        let why = match out.fail_on.0 {
            Some(min) => format!(
                "{} below --fail-on {} (the highest is {})",
                if n == 1 { "it is" } else { "all are" },
                min.as_str(),
                highest.as_str()
            ),
            None => "--fail-on none".to_string(),
        };
        eprintln!(
            "leakgate: note: exit code 0 with {n} finding{}: {why}",
            if n == 1 { "" } else { "s" }
        );
    }
    Ok(if failing {
        ExitCode::from(out.exit_code)
    } else {
        ExitCode::SUCCESS
    })
}

/// Skipped files and warnings go to stderr so they never mix with a machine-readable report.
fn print_notes(r: &ScanResult, opts: &ReportOptions) {
    let mut err = std::io::stderr().lock();
    for w in &r.warnings {
        let _ = writeln!(err, "leakgate: warning: {}", report::escape_control(w));
    }
    if r.skipped.is_empty() {
        return;
    }
    if opts.verbose {
        for s in &r.skipped {
            let _ = writeln!(
                err,
                "leakgate: skipped {}: {}",
                report::escape_control(&s.path),
                report::escape_control(&s.reason)
            );
        }
        return;
    }
    let mut reasons: std::collections::BTreeMap<&str, (usize, &str)> =
        std::collections::BTreeMap::new();
    for s in &r.skipped {
        let key = s.reason.split(" (").next().unwrap_or(&s.reason);
        reasons.entry(key).or_insert((0, &s.path)).0 += 1;
    }
    for (reason, (n, example)) in reasons {
        let (what, reason) = match reason.strip_prefix("partly scanned: ") {
            Some(r) => ("partly scanned", r),
            None => ("not scanned", reason),
        };
        let _ = writeln!(
            err,
            "leakgate: note: {n} file{} {what}: {} (e.g. {}); --verbose lists them",
            if n == 1 { "" } else { "s" },
            report::escape_control(reason),
            report::escape_control(example)
        );
    }
}
