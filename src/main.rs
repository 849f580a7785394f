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
use leakgate::source::{files::FileSource, log, Sink, Source};

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
            let _ = writeln!(std::io::stderr(), "leakgate: error: {e:#}");
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
    let scanner = Scanner::new(config)?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let source = FileSource {
        paths: paths.clone(),
        respect_ignore: !args.no_ignore,
        threads,
        config_root,
    };
    let sink = Sink::default();
    source.run(&scanner, &sink)?;
    let targets = paths.iter().map(|p| p.display().to_string()).collect();
    finish(scanner, sink, targets, started, &args.out)
}

fn cmd_scan_log(args: ScanLogArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let files = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    let config = load_config(args.out.config.as_ref(), std::path::Path::new("."))?;
    let scanner = Scanner::new(config)?;
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
            let file =
                std::fs::File::open(f).with_context(|| format!("{}: cannot open", f.display()))?;
            let reader = std::io::BufReader::with_capacity(64 * 1024, file);
            log::scan_log(&scanner, &sink, &shown, reader, &mut buf);
            targets.push(shown);
        }
    }
    finish(scanner, sink, targets, started, &args.out)
}

/// Display path of a log read from standard input.
const STDIN_NAME: &str = "<stdin>";

/// Dedup, print the report and notes, and compute the exit code.
fn finish(
    scanner: Scanner,
    sink: Sink,
    targets: Vec<String>,
    started: std::time::Instant,
    out: &OutputArgs,
) -> Result<ExitCode> {
    let (mut findings, skipped, warnings, files, bytes) = sink.finish();
    dedup_findings(&mut findings);
    let result = ScanResult {
        findings,
        skipped,
        warnings,
        files_scanned: files,
        bytes_scanned: bytes,
        rules_loaded: scanner.rules.len(),
        duration: started.elapsed(),
        targets,
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
    if !out.quiet {
        print_notes(&result, &opts);
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
        let _ = writeln!(err, "leakgate: warning: {w}");
    }
    if r.skipped.is_empty() {
        return;
    }
    if opts.verbose {
        for s in &r.skipped {
            let _ = writeln!(err, "leakgate: skipped {}: {}", s.path, s.reason);
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
        let _ = writeln!(
            err,
            "leakgate: note: {n} file{} not scanned: {reason} (e.g. {example}); --verbose lists them",
            if n == 1 { "" } else { "s" }
        );
    }
}

fn cmd_rules_list(format: ListFormat, config: Option<PathBuf>) -> Result<ExitCode> {
    let config = load_config(config.as_ref(), std::path::Path::new("."))?;
    let scanner = Scanner::new(config)?;
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Json => {
            let specs: Vec<&rules::RuleSpec> =
                scanner.rules.rules.iter().map(|r| &*r.spec).collect();
            serde_json::to_writer_pretty(&mut out, &specs)?;
            writeln!(out)?;
        }
        ListFormat::Text => {
            for r in &scanner.rules.rules {
                writeln!(
                    out,
                    "{:<44} {:<8} {}",
                    r.spec.id,
                    r.severity.as_str(),
                    r.spec.name
                )?;
            }
            writeln!(out, "{} rules", scanner.rules.len())?;
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
    let (checked, failures) = leakgate::ruletest::run(all, &under_test, rounds.max(1), seed)?;
    let mut out = std::io::stdout().lock();
    for f in &failures {
        writeln!(out, "FAIL {}: {}", f.rule, f.message)?;
    }
    writeln!(
        out,
        "{} rules, {checked} example runs, {} failure{} (seed {seed})",
        under_test.len(),
        failures.len(),
        if failures.len() == 1 { "" } else { "s" }
    )?;
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
