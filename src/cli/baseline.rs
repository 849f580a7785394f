//! `leakgate baseline create` and `leakgate baseline import`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use leakgate::engine::{dedup_findings, Scanner};
use leakgate::report;
use leakgate::source::git::{self, HistoryOptions};
use leakgate::source::{files::FileSource, Sink, Source};

use super::session::{check_writable, load_config, threads};

pub(crate) fn cmd_baseline_create(
    paths: Vec<PathBuf>,
    output: PathBuf,
    no_history: bool,
    config: Option<PathBuf>,
) -> Result<ExitCode> {
    check_writable(&output, "baseline (-o)")?;
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    };
    let config = load_config(config.as_ref(), &paths[0])?;
    let config_root = config
        .source
        .as_ref()
        .and_then(|p| std::fs::canonicalize(p).ok())
        .and_then(|p| p.parent().map(|d| d.to_path_buf()));
    let scanner = Scanner::new(config)?;
    let sink = Sink::default();
    FileSource {
        paths: paths.clone(),
        respect_ignore: true,
        threads: threads(None),
        config_root,
        exclude: None,
        max_file_size: None,
    }
    .run(&scanner, &sink)?;
    let in_repo = git::open(&paths[0]).is_ok();
    if !no_history && in_repo {
        let opts = HistoryOptions {
            repo: paths[0].clone(),
            max_blob_size: git::DEFAULT_MAX_BLOB_SIZE,
            threads: threads(None),
            progress: true,
            ..Default::default()
        };
        git::HistorySource(&opts).run(&scanner, &sink)?;
    }
    let (mut findings, _, warnings, _, _) = sink.finish();
    dedup_findings(&mut findings);
    for w in &warnings {
        eprintln!("leakgate: warning: {}", report::escape_control(w));
    }
    std::fs::write(&output, leakgate::baseline::render(&findings))
        .with_context(|| format!("{}: cannot write baseline", output.display()))?;
    let unique: std::collections::HashSet<&str> =
        findings.iter().map(|f| f.fingerprint.as_str()).collect();
    eprintln!(
        "leakgate: wrote {} with {} accepted finding{}{}. Commit it and pass --baseline {} \
         (action input `baseline`); only new findings will fail the build.",
        report::escape_control(&output.display().to_string()),
        unique.len(),
        if unique.len() == 1 { "" } else { "s" },
        if !no_history && in_repo {
            " (working tree and full history)"
        } else {
            " (working tree)"
        },
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn cmd_baseline_import(report: PathBuf, output: PathBuf) -> Result<ExitCode> {
    check_writable(&output, "baseline (-o)")?;
    let text = std::fs::read_to_string(&report)
        .with_context(|| format!("{}: cannot read report", report.display()))?;
    let Some(entries) = leakgate::migrate::parse_report(&text) else {
        anyhow::bail!(
            "{}: not a gitleaks/betterleaks JSON report (a JSON array or JSON Lines of findings \
             with a rule id and a file; write one with `gitleaks git --report-format json \
             --report-path FILE`)",
            report.display()
        );
    };
    std::fs::write(&output, leakgate::baseline::render_imported(&entries))
        .with_context(|| format!("{}: cannot write baseline", output.display()))?;
    let hashed = entries.iter().filter(|e| e.secret_sha256.is_some()).count();
    eprintln!(
        "leakgate: wrote {} with {} accepted finding{} from {} ({hashed} matched by secret, \
         {} by path and line). Commit it and pass --baseline {}.",
        output.display(),
        entries.len(),
        if entries.len() == 1 { "" } else { "s" },
        report.display(),
        entries.len() - hashed,
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}
