//! `leakgate scan-log`: CI logs, from files or standard input.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use leakgate::source::{log, Sink, Source};

use super::args::ScanLogArgs;
use super::outputs::finish;
use super::session::{check_outputs, load_config, scanner_for, STDIN_NAME};

pub(crate) fn cmd_scan_log(args: ScanLogArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    check_outputs(&args.out)?;
    let files = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    let config = load_config(args.out.config.as_ref(), std::path::Path::new("."))?;
    let scanner = scanner_for(config, &args.out)?;
    let sink = Sink::default();
    let targets = log::LogSource {
        files: &files,
        stdin_name: STDIN_NAME,
    }
    .run(&scanner, &sink)?;
    finish(scanner, sink, targets, None, started, &args.out, None)
}
