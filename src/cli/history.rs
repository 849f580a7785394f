//! `leakgate history`: git history, all refs or a branch or a range.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use leakgate::source::git::{self, HistoryOptions};
use leakgate::source::{Sink, Source};

use super::args::HistoryArgs;
use super::outputs::finish;
use super::session::{
    check_outputs, gitleaks_ignore, load_config, range_config, scanner_for, threads,
};

pub(crate) fn cmd_history(args: HistoryArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    check_outputs(&args.out)?;
    let repo = args.repo.clone().unwrap_or_else(|| PathBuf::from("."));
    let config = match &args.range {
        Some(range) if args.out.config.is_none() => range_config(&repo, range, &args.out)?,
        _ => load_config(args.out.config.as_ref(), &repo)?,
    };
    let scanner = scanner_for(config, &args.out)?;
    let ignore = gitleaks_ignore(&repo, &args.out)?;
    let opts = HistoryOptions {
        repo,
        branch: args.branch.clone(),
        since_commit: args.since_commit.clone(),
        range: args.range.clone(),
        only_new_commits: false,
        max_blob_size: args.read.max_blob_size,
        threads: threads(args.read.threads),
        progress: !args.out.quiet,
    };
    let sink = Sink::default();
    let stats = git::HistorySource(&opts).run(&scanner, &sink)?;
    let targets = vec![format!("history: {}", stats.target)];
    finish(
        scanner,
        sink,
        targets,
        Some(stats.commits),
        started,
        &args.out,
        ignore,
    )
}
