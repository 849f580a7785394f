//! `leakgate scan`: files and directories (or standard input).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use leakgate::source::{files::FileSource, Sink, Source};

use super::args::ScanArgs;
use super::outputs::finish;
use super::session::{
    check_outputs, gitleaks_ignore, load_config, scanner_for, threads, STDIN_NAME,
};

pub(crate) fn cmd_scan(args: ScanArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    check_outputs(&args.out)?;
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let start = if paths[0].as_os_str() == "-" {
        PathBuf::from(".")
    } else {
        paths[0].clone()
    };
    let config = load_config(args.out.config.as_ref(), &start)?;
    let config_root = config
        .source
        .as_ref()
        .and_then(|p| std::fs::canonicalize(p).ok())
        .and_then(|p| p.parent().map(|d| d.to_path_buf()));
    let scanner = scanner_for(config, &args.out)?;
    let threads = threads(args.threads);
    let exclude = if args.exclude.is_empty() {
        None
    } else {
        let mut b = globset::GlobSetBuilder::new();
        for g in &args.exclude {
            let pat = g.trim_start_matches("./");
            b.add(
                globset::Glob::new(pat)
                    .with_context(|| format!("--exclude {g:?}: not a valid glob"))?,
            );
            // a bare directory name excludes everything below it, as in .gitignore
            if !pat.contains('*') {
                b.add(globset::Glob::new(&format!(
                    "{}/**",
                    pat.trim_end_matches('/')
                ))?);
            }
        }
        Some(b.build()?)
    };
    let sink = Sink::default();
    let stdin = paths.iter().any(|p| p.as_os_str() == "-");
    if stdin {
        if paths.len() > 1 {
            anyhow::bail!("`-` (standard input) cannot be combined with other paths");
        }
        leakgate::source::stdin::StdinSource { name: STDIN_NAME }.run(&scanner, &sink)?;
    } else {
        let source = FileSource {
            paths: paths.clone(),
            respect_ignore: !args.no_ignore,
            threads,
            config_root,
            exclude,
            max_file_size: args.max_file_size,
        };
        source.run(&scanner, &sink)?;
    }
    let targets = if stdin {
        vec![STDIN_NAME.to_string()]
    } else {
        paths.iter().map(|p| p.display().to_string()).collect()
    };
    let ignore = if stdin {
        gitleaks_ignore(std::path::Path::new("."), &args.out)?
    } else {
        gitleaks_ignore(&paths[0], &args.out)?
    };
    let code = finish(scanner, sink, targets, None, started, &args.out, ignore)?;
    if !stdin && !args.no_ignore && !args.out.quiet {
        for dir in ignored_build_dirs(&paths) {
            eprintln!(
                "leakgate: note: {dir}/ is ignored (.gitignore) and was not scanned, but it holds \
                 JavaScript bundles or source maps, which ship to users: `leakgate scan {dir}/` scans it"
            );
        }
    }
    Ok(code)
}

/// Build output folders a scan skips because an ignore file lists them.
const BUILD_DIRS: &[&str] = &["dist", "build", ".next", "out"];

/// Build folders directly under the scanned directories that the walk skipped (ignored) and
/// that hold `.js` bundles or `.map` files: what a deploy ships, worth a scan of its own.
fn ignored_build_dirs(paths: &[PathBuf]) -> Vec<String> {
    let mut out = Vec::new();
    for root in paths.iter().filter(|p| p.is_dir()) {
        let candidates: Vec<&str> = BUILD_DIRS
            .iter()
            .copied()
            .filter(|d| root.join(d).is_dir())
            .collect();
        if candidates.is_empty() {
            continue;
        }
        // what the scan's walk sees at depth 1, with the same ignore files
        let mut wb = ignore::WalkBuilder::new(root);
        wb.hidden(false)
            .require_git(false)
            .max_depth(Some(1))
            .add_custom_ignore_filename(leakgate::source::files::IGNORE_FILE);
        let seen: std::collections::HashSet<std::ffi::OsString> = wb
            .build()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_os_string())
            .collect();
        for d in candidates {
            if seen.contains(std::ffi::OsStr::new(d)) || !holds_bundles(&root.join(d)) {
                continue;
            }
            let shown = leakgate::source::files::display_path(&root.join(d));
            out.push(shown);
        }
    }
    out
}

/// Whether a folder holds `.js`/`.mjs`/`.cjs` or `.map` files (looking at most at a few
/// thousand entries, skipping node_modules).
fn holds_bundles(dir: &std::path::Path) -> bool {
    let mut stack = vec![dir.to_path_buf()];
    let mut budget = 5000;
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            budget -= 1;
            if budget == 0 {
                return false;
            }
            let Ok(ft) = e.file_type() else { continue };
            let name = e.file_name();
            if ft.is_dir() {
                if name != "node_modules" {
                    stack.push(e.path());
                }
            } else if std::path::Path::new(&name)
                .extension()
                .is_some_and(|x| x == "js" || x == "mjs" || x == "cjs" || x == "map")
            {
                return true;
            }
        }
    }
    false
}
