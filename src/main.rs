//! The `leakgate` command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use leakgate::config::Config;
use leakgate::engine::{dedup_findings, Scanner};
use leakgate::report::{self, Format, ReportOptions, ScanResult};
use leakgate::rules::{self, Severity};
use leakgate::source::git::{self, HistoryOptions};
use leakgate::source::{files::FileSource, log, staged, Sink, Source};

#[derive(Parser)]
#[command(
    name = "leakgate",
    version,
    about = "Find exposed secrets and launch-blocking configuration before you ship."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan files and directories (a working tree, a build folder).
    Scan(ScanArgs),
    /// Scan git history: every blob any selected commit introduced, read once, each finding
    /// attributed to the commit that introduced it. All refs by default.
    History(HistoryArgs),
    /// Scan what `git commit` would add: staged changes against HEAD, added lines only.
    Staged(StagedArgs),
    /// In GitHub Actions: scan what the event brought (pull request → its commits, push →
    /// the pushed commits, schedule/dispatch → full history).
    Ci(CiArgs),
    /// Accept current findings so only new ones fail the build.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Scan CI logs (GitHub Actions, GitLab, any text log): a file, or `-` for standard input.
    ScanLog(ScanLogArgs),
    /// List or test rules.
    #[command(subcommand)]
    Rules(RulesCommand),
}

#[derive(Subcommand)]
enum RulesCommand {
    /// List the loaded rules (built-in plus the config's).
    List {
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Run every example and negative example of a rule file (default: the built-in rules).
    Test {
        /// Rule files (YAML with a top-level `rules:` list).
        files: Vec<PathBuf>,
        /// Expand each example this many times with fresh random data.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Random seed (printed on failure, to replay it).
        #[arg(long)]
        seed: Option<u64>,
    },
}

#[derive(Subcommand)]
enum BaselineCommand {
    /// Write the fingerprints of every current finding (working tree and, inside a git
    /// repository, all of history) to a baseline file.
    Create {
        /// Files or directories to scan (default: the current directory).
        paths: Vec<PathBuf>,
        /// Baseline file to write.
        #[arg(long, short = 'o', default_value = ".leakgate-baseline.json")]
        output: PathBuf,
        /// Do not include git history.
        #[arg(long)]
        no_history: bool,
        /// Configuration file (default: .leakgate.yml at the repository root).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Args)]
struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity (info, low, medium, high,
    /// critical), or never with `none`.
    #[arg(long, default_value = "low", value_name = "SEVERITY", value_parser = parse_fail_on)]
    fail_on: FailOn,
    /// Configuration file (default: .leakgate.yml at the repository root).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Show full secret values in every output. Off by default: reports are redacted.
    #[arg(long)]
    reveal: bool,
    /// Print nothing but the report (no progress, notes or summary on stderr).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// List every skipped file on stderr, not only a count.
    #[arg(long, short = 'v')]
    verbose: bool,
    /// Colour for the text format.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    /// Report only findings that are not in this baseline (see `leakgate baseline create`).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Also write the report as SARIF to FILE (one scan, several outputs).
    #[arg(long, value_name = "FILE")]
    sarif: Option<PathBuf>,
    /// Append a Markdown summary with a findings table to FILE (e.g. $GITHUB_STEP_SUMMARY);
    /// bounded under 1 MiB.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
    /// Write the number of reported findings to FILE.
    #[arg(long, value_name = "FILE")]
    count_file: Option<PathBuf>,
    /// Also report generic and context-based matches (precision medium or low) in tests,
    /// fixtures, examples and docs, which are left out by default (config: include_samples).
    #[arg(long)]
    include_samples: bool,
    /// Ask each provider whether the keys found are live (one read-only request per unique
    /// key to the provider's documented API host). Off by default: never implied.
    #[arg(long)]
    validate: bool,
    /// With --validate: report (and fail on) only keys the provider confirmed live.
    #[arg(long, requires = "validate")]
    only_live: bool,
    /// With --validate: send PROVIDER's requests to URL (scheme://host[:port]) instead of the
    /// provider's host: GitHub Enterprise, GitLab self-managed, a test mock. Repeatable.
    #[arg(long, value_name = "PROVIDER=URL", requires = "validate", value_parser = leakgate::validate::parse_endpoint)]
    validation_endpoint: Vec<(String, String)>,
}

#[derive(Args)]
struct ScanArgs {
    /// Files or directories to scan (default: the current directory). A path named here is
    /// scanned even when an ignore file excludes it.
    paths: Vec<PathBuf>,
    /// Do not respect .gitignore, .ignore and .leakgateignore files.
    #[arg(long)]
    no_ignore: bool,
    /// Worker threads (default: number of CPUs).
    #[arg(long, short = 'j')]
    threads: Option<usize>,
    /// Secrets only: skip the configuration checks (CORS, cookies, env prefixes, workflows, …).
    #[arg(long)]
    no_lint: bool,
    #[command(flatten)]
    out: OutputArgs,
}

#[derive(Args)]
struct HistoryArgs {
    /// A path inside the repository (default: the current directory).
    repo: Option<PathBuf>,
    /// Only this branch (or any revision) and its ancestors, instead of all refs.
    #[arg(long, conflicts_with = "range")]
    branch: Option<String>,
    /// Leave out REV and everything reachable from it (scan only newer commits).
    #[arg(long, value_name = "REV")]
    since_commit: Option<String>,
    /// Only what the commits in BASE..HEAD introduce (pull-request mode): a secret already
    /// present at BASE is not reported again.
    #[arg(long, value_name = "BASE..HEAD")]
    range: Option<String>,
    #[command(flatten)]
    read: HistoryReadArgs,
    #[command(flatten)]
    out: OutputArgs,
}

#[derive(Args)]
struct ScanLogArgs {
    /// Log files; `-` or nothing reads standard input (streamed: any size).
    files: Vec<PathBuf>,
    #[command(flatten)]
    out: OutputArgs,
}

/// How history is read (shared by `history` and `ci`).
#[derive(Args)]
struct HistoryReadArgs {
    /// Skip blobs larger than this (bytes; K, M and G suffixes allowed). Skipped blobs are
    /// listed, never dropped silently.
    #[arg(long, default_value = "32M", value_parser = parse_size)]
    max_blob_size: u64,
    /// Worker threads (default: number of CPUs).
    #[arg(long, short = 'j')]
    threads: Option<usize>,
}

#[derive(Args)]
struct CiArgs {
    /// A path inside the repository (default: the current directory).
    repo: Option<PathBuf>,
    #[command(flatten)]
    read: HistoryReadArgs,
    #[command(flatten)]
    out: OutputArgs,
}

#[derive(Args)]
struct StagedArgs {
    /// A path inside the repository (default: the current directory).
    repo: Option<PathBuf>,
    /// Skip staged files larger than this (bytes; K, M and G suffixes allowed). Skipped
    /// files are listed, never dropped silently.
    #[arg(long, default_value = "32M", value_parser = parse_size)]
    max_blob_size: u64,
    #[command(flatten)]
    out: OutputArgs,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1u64 << 10),
        Some((i, 'm' | 'M')) => (&t[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("{s:?} is not a size (examples: 1048576, 512K, 32M, 1G)"))
}

#[derive(Clone, Copy)]
struct FailOn(Option<Severity>);

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    if matches!(s.to_ascii_lowercase().as_str(), "none" | "never" | "off") {
        return Ok(FailOn(None));
    }
    Severity::parse(s).map(|s| FailOn(Some(s))).ok_or_else(|| {
        format!("unknown severity {s:?}: use info, low, medium, high, critical or none")
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => cmd_scan(args),
        Command::History(args) => cmd_history(args),
        Command::Staged(args) => cmd_staged(args),
        Command::Ci(args) => cmd_ci(args),
        Command::Baseline(BaselineCommand::Create {
            paths,
            output,
            no_history,
            config,
        }) => cmd_baseline_create(paths, output, no_history, config),
        Command::ScanLog(args) => cmd_scan_log(args),
        Command::Rules(RulesCommand::List { format, config }) => cmd_rules_list(format, config),
        Command::Rules(RulesCommand::Test {
            files,
            rounds,
            seed,
        }) => cmd_rules_test(files, rounds, seed),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // one clear line: the context chain names the file and the cause
            // names and causes are escaped: a file name cannot rewrite the terminal or add a line
            let _ = writeln!(
                std::io::stderr(),
                "leakgate: error: {}",
                report::escape_control(&format!("{e:#}"))
            );
            ExitCode::from(2)
        }
    }
}

fn load_config(explicit: Option<&PathBuf>, start: &std::path::Path) -> Result<Config> {
    match explicit {
        Some(p) => Config::load(p),
        None => match Config::discover(start) {
            Some(p) => Config::load(&p),
            None => Ok(Config::default()),
        },
    }
}

fn cmd_scan(args: ScanArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let config = load_config(args.out.config.as_ref(), &paths[0])?;
    let config_root = config
        .source
        .as_ref()
        .and_then(|p| std::fs::canonicalize(p).ok())
        .and_then(|p| p.parent().map(|d| d.to_path_buf()));
    let mut scanner = scanner_for(config, &args.out)?;
    if args.no_lint {
        scanner.lint = leakgate::lint::Linter::disabled();
    }
    let threads = threads(args.threads);
    let source = FileSource {
        paths: paths.clone(),
        respect_ignore: !args.no_ignore,
        threads,
        config_root,
    };
    let sink = Sink::default();
    source.run(&scanner, &sink)?;
    let targets = paths.iter().map(|p| p.display().to_string()).collect();
    finish(scanner, sink, targets, None, started, &args.out)
}

fn cmd_history(args: HistoryArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let repo = args.repo.clone().unwrap_or_else(|| PathBuf::from("."));
    let config = match &args.range {
        Some(range) if args.out.config.is_none() => range_config(&repo, range, &args.out)?,
        _ => load_config(args.out.config.as_ref(), &repo)?,
    };
    let scanner = scanner_for(config, &args.out)?;
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
    let stats = git::scan_history(&scanner, &opts, &sink)?;
    let targets = vec![format!("history: {}", stats.target)];
    finish(
        scanner,
        sink,
        targets,
        Some(stats.commits),
        started,
        &args.out,
    )
}

/// The configuration of a range scan, from the range's base commit (see
/// [`git::range_config`]), with a note saying so.
fn range_config(
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

/// Worker threads: `-j`, or the number of CPUs. More than four per CPU (at most
/// [`MAX_THREADS`]) only costs memory and start-up time (`-j 20000` did not finish in
/// minutes), so a larger `-j` is lowered with a note.
fn threads(n: Option<usize>) -> usize {
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

fn cmd_ci(args: CiArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
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
            let stats = git::scan_history(&scanner, &opts, &sink)?;
            (
                vec![format!("{event}: {}", stats.target)],
                Some(stats.commits),
            )
        }
        leakgate::ci::Plan::NewBranch { head, .. } => {
            opts.branch = Some(head.clone());
            opts.only_new_commits = true;
            let stats = git::scan_history(&scanner, &opts, &sink)?;
            (
                vec![format!("{event}: new commits of {}", stats.target)],
                Some(stats.commits),
            )
        }
        leakgate::ci::Plan::Full => {
            let stats = git::scan_history(&scanner, &opts, &sink)?;
            (
                vec![format!("{event}: history of {}", stats.target)],
                Some(stats.commits),
            )
        }
    };
    finish(scanner, sink, targets, commits, started, &args.out)
}

fn cmd_baseline_create(
    paths: Vec<PathBuf>,
    output: PathBuf,
    no_history: bool,
    config: Option<PathBuf>,
) -> Result<ExitCode> {
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
        git::scan_history(&scanner, &opts, &sink)?;
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

fn cmd_staged(args: StagedArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let repo = args.repo.clone().unwrap_or_else(|| PathBuf::from("."));
    let config = load_config(args.out.config.as_ref(), &repo)?;
    let scanner = scanner_for(config, &args.out)?;
    let sink = Sink::default();
    staged::scan_staged(&scanner, &repo, args.max_blob_size, &sink)?;
    finish(
        scanner,
        sink,
        vec!["staged changes".into()],
        None,
        started,
        &args.out,
    )
}

fn cmd_scan_log(args: ScanLogArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let files = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    let config = load_config(args.out.config.as_ref(), std::path::Path::new("."))?;
    let scanner = scanner_for(config, &args.out)?;
    let sink = Sink::default();
    let mut buf = Vec::new();
    let mut targets = Vec::new();
    for f in &files {
        if f.as_os_str() == "-" {
            let stdin = std::io::stdin();
            log::scan_log(&scanner, &sink, STDIN_NAME, stdin.lock(), &mut buf);
            targets.push(STDIN_NAME.to_string());
        } else {
            let shown = leakgate::source::files::display_path(f);
            let file = log::open_named(f)?;
            let reader = std::io::BufReader::with_capacity(64 * 1024, file);
            log::scan_log(&scanner, &sink, &shown, reader, &mut buf);
            targets.push(shown);
        }
    }
    finish(scanner, sink, targets, None, started, &args.out)
}

/// The scanner for a scanning command: built-in and config rules, with the output flags that
/// change what is reported.
fn scanner_for(mut config: leakgate::config::Config, out: &OutputArgs) -> Result<Scanner> {
    config.include_samples |= out.include_samples;
    Scanner::new(config)
}

/// Display path of a log read from standard input.
const STDIN_NAME: &str = "<stdin>";

/// Dedup, print the report and notes, and compute the exit code.
fn finish(
    scanner: Scanner,
    sink: Sink,
    targets: Vec<String>,
    commits_scanned: Option<u64>,
    started: std::time::Instant,
    out: &OutputArgs,
) -> Result<ExitCode> {
    let (mut findings, mut skipped, warnings, files, bytes) = sink.finish();
    // limits that stopped part of the work (decode budget, depth, huge files) are listed too
    skipped.extend(scanner.take_limit_notes());
    skipped.sort();
    let allow_suppressed = scanner
        .allow_suppressed
        .load(std::sync::atomic::Ordering::Relaxed);
    dedup_findings(&mut findings);
    let baseline_suppressed = match &out.baseline {
        Some(p) => leakgate::baseline::Baseline::load(p)?.filter(&mut findings),
        None => 0,
    };
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
            reporter.write(&result, &opts, &mut lock)?;
            lock.flush()?;
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
                "leakgate: note: {allow_suppressed} match{} suppressed by an inline leakgate:allow marker",
                if allow_suppressed == 1 { "" } else { "es" }
            );
        }
        if result.baseline_suppressed > 0 {
            eprintln!(
                "leakgate: note: {} finding{} accepted in the baseline {} not reported",
                result.baseline_suppressed,
                if result.baseline_suppressed == 1 {
                    ""
                } else {
                    "s"
                },
                if result.baseline_suppressed == 1 {
                    "is"
                } else {
                    "are"
                }
            );
        }
    }
    let failing = match out.fail_on.0 {
        Some(min) => result.findings.iter().any(|f| f.severity >= min),
        None => false,
    };
    Ok(if failing {
        ExitCode::from(1)
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

fn cmd_rules_list(format: ListFormat, config: Option<PathBuf>) -> Result<ExitCode> {
    let config = load_config(config.as_ref(), std::path::Path::new("."))?;
    let scanner = Scanner::new(config)?;
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Json => {
            let mut specs: Vec<&rules::RuleSpec> =
                scanner.rules.rules.iter().map(|r| &*r.spec).collect();
            specs.extend(scanner.lint.rules().map(|(s, _)| &**s));
            serde_json::to_writer_pretty(&mut out, &specs)?;
            writeln!(out)?;
        }
        ListFormat::Text => {
            for r in &scanner.rules.rules {
                writeln!(
                    out,
                    "{:<44} {:<8} {}",
                    report::escape_control(&r.spec.id),
                    r.severity.as_str(),
                    report::escape_control(&r.spec.name)
                )?;
            }
            for (spec, severity) in scanner.lint.rules() {
                writeln!(
                    out,
                    "{:<44} {:<8} {} [config]",
                    spec.id,
                    severity.as_str(),
                    spec.name
                )?;
            }
            writeln!(
                out,
                "{} rules ({} secret, {} configuration)",
                scanner.rule_count(),
                scanner.rules.len(),
                scanner.lint.len()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_rules_test(files: Vec<PathBuf>, rounds: usize, seed: Option<u64>) -> Result<ExitCode> {
    let seed = seed.unwrap_or_else(|| leakgate::examples::Rng::from_entropy().next_u64());
    let builtin = rules::builtin_rules()?;
    let (all, under_test) = if files.is_empty() {
        let ids = builtin.iter().map(|r| r.id.clone()).collect();
        (builtin, ids)
    } else {
        let mut mine = Vec::new();
        for f in &files {
            mine.extend(rules::load_rule_file(f)?);
        }
        let ids: Vec<String> = mine.iter().map(|r| r.id.clone()).collect();
        let mut all: Vec<_> = builtin
            .into_iter()
            .filter(|b| !ids.contains(&b.id))
            .collect();
        all.extend(mine);
        (all, ids)
    };
    let builtin_run = files.is_empty();
    let (mut checked, failures) = leakgate::ruletest::run(all, &under_test, rounds.max(1), seed)?;
    let mut failures: Vec<String> = failures
        .into_iter()
        .map(|f| format!("{}: {}", f.rule, f.message))
        .collect();
    let mut rule_count = under_test.len();
    if builtin_run {
        // the configuration rules' fixtures too
        let (n, lint_failures) = leakgate::lint::run_examples(rounds.max(1), seed)?;
        checked += n;
        failures.extend(lint_failures);
        rule_count += leakgate::lint::all_rules().count();
    }
    let mut out = std::io::stdout().lock();
    for f in &failures {
        writeln!(out, "FAIL {}", report::escape_control(f))?;
    }
    writeln!(
        out,
        "{rule_count} rules, {checked} example runs, {} failure{} (seed {seed})",
        failures.len(),
        if failures.len() == 1 { "" } else { "s" }
    )?;
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
