//! What the commands share to set up a run: the configuration, the scanner, worker threads,
//! output files checked before a long scan, and a repository's `.gitleaksignore`.

use std::path::PathBuf;

use anyhow::{Context, Result};

use leakgate::config::Config;
use leakgate::engine::Scanner;
use leakgate::report;
use leakgate::rules;
use leakgate::source::git;

use super::args::OutputArgs;

pub(super) fn load_config(explicit: Option<&PathBuf>, start: &std::path::Path) -> Result<Config> {
    match explicit {
        Some(p) => {
            let looks_toml = p.is_file()
                && (p.extension().is_some_and(|e| e == "toml")
                    || std::fs::read_to_string(p)
                        .is_ok_and(|t| leakgate::migrate::looks_like_gitleaks_toml(&t)));
            if looks_toml {
                anyhow::bail!(
                    "{}: this is a gitleaks TOML file; run `leakgate config import {}` \
                     (writes .leakgate.yml)",
                    p.display(),
                    p.display()
                );
            }
            Config::load(p)
        }
        None => match Config::discover(start) {
            Some(p) => Config::load(&p),
            None => Ok(Config::default()),
        },
    }
}

/// The scanner for a scanning command: built-in and config rules, with the output flags that
/// change what is reported.
pub(super) fn scanner_for(
    mut config: leakgate::config::Config,
    out: &OutputArgs,
) -> Result<Scanner> {
    config.include_samples |= out.include_samples;
    if !out.disable_rule.is_empty() || !out.enable_rule.is_empty() {
        let mut all: Vec<String> = rules::builtin_rules()?.into_iter().map(|r| r.id).collect();
        all.extend(config.extra_rules.iter().map(|r| r.id.clone()));
        all.extend(leakgate::lint::all_rules().map(|m| m.id.to_string()));
        for id in out.disable_rule.iter().chain(&out.enable_rule) {
            if !all.contains(id) {
                anyhow::bail!(
                    "unknown rule id `{id}` (--disable-rule/--enable-rule); `leakgate rules list` shows them"
                );
            }
        }
        config.disable.extend(out.disable_rule.iter().cloned());
        if !out.enable_rule.is_empty() {
            config
                .disable
                .extend(all.into_iter().filter(|id| !out.enable_rule.contains(id)));
        }
    }
    let mut scanner = Scanner::new(config)?;
    if out.no_lint {
        scanner.lint = leakgate::lint::Linter::disabled();
    }
    Ok(scanner)
}

/// Worker threads: `-j`, or the number of CPUs. More than four per CPU (at most
/// [`MAX_THREADS`]) only costs memory and start-up time (`-j 20000` did not finish in
/// minutes), so a larger `-j` is lowered with a note.
pub(super) fn threads(n: Option<usize>) -> usize {
    let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
    let Some(n) = n else { return cpus };
    let cap = cpus.saturating_mul(4).clamp(1, MAX_THREADS);
    if n > cap {
        eprintln!("leakgate: note: -j {n} is more than this machine can use; using {cap} threads");
        return cap;
    }
    n.max(1)
}

/// The most worker threads `-j` can ask for.
const MAX_THREADS: usize = 256;

/// Fail before scanning when an output file cannot be written or the baseline is not one:
/// a long scan must not end in "cannot write report".
pub(super) fn check_outputs(out: &OutputArgs) -> Result<()> {
    let files = [
        (&out.output, "report (-o/--output)"),
        (&out.sarif, "SARIF report (--sarif)"),
        (&out.summary, "summary (--summary)"),
        (&out.count_file, "count (--count-file)"),
    ];
    for (path, what) in files {
        if let Some(p) = path {
            check_writable(p, what)?;
        }
    }
    if let Some(p) = &out.baseline {
        leakgate::baseline::Baseline::load(p)?;
    }
    Ok(())
}

/// Whether `path` can be written, without changing an existing file (opened for append) and
/// without leaving a new one behind.
pub(super) fn check_writable(path: &std::path::Path, what: &str) -> Result<()> {
    let fail = |e: &dyn std::fmt::Display| {
        anyhow::anyhow!("{}: cannot write the {what}: {e}", path.display())
    };
    if path.is_dir() {
        return Err(fail(&"it is a directory"));
    }
    if path.exists() {
        std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| fail(&e))?;
        return Ok(());
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    if !parent.is_dir() {
        return Err(fail(&format_args!(
            "directory {} does not exist",
            parent.display()
        )));
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| fail(&e))?;
    let _ = std::fs::remove_file(path);
    Ok(())
}

/// The configuration of a range scan, from the range's base commit (see
/// [`git::range_config`]), with a note saying so.
pub(super) fn range_config(
    repo: &std::path::Path,
    range: &str,
    out: &OutputArgs,
) -> Result<leakgate::config::Config> {
    let (config, note) = git::range_config(repo, range)?;
    if !out.quiet {
        eprintln!("leakgate: note: {}", report::escape_control(&note));
    }
    Ok(config)
}

/// The `.gitleaksignore` at the repository root above `start` (or in `start` outside a
/// repository), as a baseline: a repository moving from gitleaks keeps its accepted findings.
/// Also notes a `.gitleaks.toml` there when leakgate has no config: `config import` converts it.
pub(super) fn gitleaks_ignore(
    start: &std::path::Path,
    out: &OutputArgs,
) -> Result<Option<leakgate::baseline::Baseline>> {
    let quiet = out.quiet;
    let Ok(start) = std::fs::canonicalize(start) else {
        return Ok(None);
    };
    let dir = if start.is_dir() {
        start.clone()
    } else {
        match start.parent() {
            Some(p) => p.to_path_buf(),
            None => return Ok(None),
        }
    };
    let root = dir
        .ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(&dir);
    if !quiet && out.config.is_none() && Config::discover(root).is_none() {
        if let Some(name) = [".gitleaks.toml", ".betterleaks.toml"]
            .into_iter()
            .find(|n| root.join(n).is_file())
        {
            eprintln!(
                "leakgate: note: {name} found and no .leakgate.yml: its allow-lists and rules are \
                 not used until you run `leakgate config import {name}`"
            );
        }
    }
    let path = root.join(leakgate::migrate::GITLEAKS_IGNORE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(e).with_context(|| format!("{}: cannot read", path.display()));
        }
    };
    let (entries, bad) = leakgate::migrate::parse_gitleaksignore(&text);
    if !quiet {
        for b in &bad {
            eprintln!(
                "leakgate: warning: {}: {b}",
                leakgate::migrate::GITLEAKS_IGNORE
            );
        }
    }
    Ok(Some(
        leakgate::baseline::Baseline::from_foreign(entries).with_root(root),
    ))
}

/// Display path of a log read from standard input.
pub(super) const STDIN_NAME: &str = "<stdin>";
