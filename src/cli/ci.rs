//! `leakgate ci`: in GitHub Actions, what the event brought.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use leakgate::report;
use leakgate::source::git::{self, HistoryOptions};
use leakgate::source::{Sink, Source};

use super::args::CiArgs;
use super::outputs::finish;
use super::session::{
    check_outputs, gitleaks_ignore, load_config, range_config, scanner_for, threads,
};

pub(crate) fn cmd_ci(args: CiArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    check_outputs(&args.out)?;
    let repo = args.repo.clone().unwrap_or_else(|| PathBuf::from("."));
    let (event, plan) = leakgate::ci::plan_from_env(&repo)?;
    if !args.out.quiet {
        eprintln!(
            "leakgate: {}",
            report::escape_control(&plan.describe(&event))
        );
    }
    let config = match &plan {
        leakgate::ci::Plan::Range { base, head } if args.out.config.is_none() => {
            range_config(&repo, &format!("{base}..{head}"), &args.out)?
        }
        _ => load_config(args.out.config.as_ref(), &repo)?,
    };
    let scanner = scanner_for(config, &args.out)?;
    let ignore = gitleaks_ignore(&repo, &args.out)?;
    let mut opts = HistoryOptions {
        repo,
        max_blob_size: args.read.max_blob_size,
        threads: threads(args.read.threads),
        progress: false,
        ..Default::default()
    };
    let sink = Sink::default();
    let (targets, commits) = match &plan {
        leakgate::ci::Plan::Nothing { reason } => (vec![format!("{event}: {reason}")], Some(0)),
        leakgate::ci::Plan::Range { base, head } => {
            opts.range = Some(format!("{base}..{head}"));
            let stats = git::HistorySource(&opts).run(&scanner, &sink)?;
            (
                vec![format!("{event}: {}", stats.target)],
                Some(stats.commits),
            )
        }
        leakgate::ci::Plan::NewBranch { head, .. } => {
            opts.branch = Some(head.clone());
            opts.only_new_commits = true;
            let stats = git::HistorySource(&opts).run(&scanner, &sink)?;
            (
                vec![format!("{event}: new commits of {}", stats.target)],
                Some(stats.commits),
            )
        }
        leakgate::ci::Plan::Full => {
            let stats = git::HistorySource(&opts).run(&scanner, &sink)?;
            (
                vec![format!("{event}: history of {}", stats.target)],
                Some(stats.commits),
            )
        }
    };
    finish(scanner, sink, targets, commits, started, &args.out, ignore)
}
