//! `leakgate staged`: what `git commit` would add (the pre-commit hook).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use leakgate::source::{files::FileSource, staged, Sink, Source};

use super::args::StagedArgs;
use super::outputs::finish;
use super::session::{check_outputs, gitleaks_ignore, load_config, scanner_for, threads};

pub(crate) fn cmd_staged(args: StagedArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    check_outputs(&args.out)?;
    let repo = args.repo.clone().unwrap_or_else(|| PathBuf::from("."));
    let config = load_config(args.out.config.as_ref(), &repo)?;
    let scanner = scanner_for(config, &args.out)?;
    let sink = Sink::default();
    if args.files.is_empty() {
        staged::StagedSource {
            repo: &repo,
            max_blob_size: args.max_blob_size,
        }
        .run(&scanner, &sink)?;
    } else {
        let named = leakgate::precommit::split_named(&repo, &args.files)?;
        let all_staged = Sink::default();
        staged::StagedSource {
            repo: &repo,
            max_blob_size: args.max_blob_size,
        }
        .run(&scanner, &all_staged)?;
        leakgate::precommit::keep_named(all_staged, &named.staged, &sink);
        if !named.unchanged.is_empty() {
            FileSource {
                paths: named.unchanged,
                respect_ignore: true,
                threads: threads(None),
                config_root: scanner
                    .config
                    .source
                    .as_ref()
                    .and_then(|p| std::fs::canonicalize(p).ok())
                    .and_then(|p| p.parent().map(|d| d.to_path_buf())),
                exclude: None,
                max_file_size: Some(args.max_blob_size),
            }
            .run(&scanner, &sink)?;
        }
    }
    let ignore = gitleaks_ignore(&repo, &args.out)?;
    finish(
        scanner,
        sink,
        vec!["staged changes".into()],
        None,
        started,
        &args.out,
        ignore,
    )
}
