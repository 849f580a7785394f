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

const AFTER_HELP: &str = "\
Examples:
  leakgate scan                          scan the working tree (git-ignored files skipped)
  leakgate scan dist/ --format sarif -o leakgate.sarif
  git show HEAD | leakgate scan -        scan standard input
  leakgate history --range main..HEAD    what a branch adds to git history
  leakgate history --format html -o audit.html  audit all of history as one HTML page
  leakgate staged                        pre-commit: what `git commit` would add
  leakgate baseline create               accept today's findings; fail only on new ones
  leakgate config import .gitleaks.toml  switch from gitleaks (see README)

Exit codes:
  0  no finding at or above --fail-on (default: low)
  1  findings at or above --fail-on (or the value of --exit-code)
  2  error: bad arguments, unreadable config or baseline, failed scan";

#[derive(Parser)]
#[command(
    name = "leakgate",
    version,
    about = "Find exposed secrets and launch-blocking configuration before you ship.",
    after_help = AFTER_HELP
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
    #[command(after_help = "\
Environment (set by GitHub Actions):
  GITHUB_EVENT_NAME  the event (pull_request, push, schedule, workflow_dispatch, …); required
  GITHUB_EVENT_PATH  the event payload (JSON): pull-request base/head, pushed before/after
  GITHUB_SHA         the commit the workflow runs on (used when the payload lacks it)
Exit codes: 0 no failing finding, 1 failing findings (or --exit-code), 2 error.")]
    Ci(CiArgs),
    /// Accept current findings so only new ones fail the build.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Scan CI logs (GitHub Actions, GitLab, any text log): a file, or `-` for standard input.
    ScanLog(ScanLogArgs),
    /// List or test rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Convert another tool's configuration (`config import .gitleaks.toml`).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the version, the git commit it was built from (if known) and the rule counts.
    Version,
    /// Print a shell completion script: `leakgate completions bash > /etc/bash_completion.d/leakgate`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `leakgate man > leakgate.1`.
    Man,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Convert a gitleaks/betterleaks TOML config (allow-lists, custom rules, disabled rules)
    /// into .leakgate.yml; prints one line for each setting it could not convert.
    Import {
        /// The gitleaks config (e.g. .gitleaks.toml).
        file: PathBuf,
        /// File to write (`-`: standard output).
        #[arg(long, short = 'o', default_value = ".leakgate.yml")]
        output: PathBuf,
        /// Overwrite the output file if it exists.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// List the loaded rules (built-in plus the config's).
    List {
        #[arg(long, value_enum, default_value = "text")]
        format: ListFormat,
        /// Configuration file whose extra rules and disables apply.
        #[arg(long, short = 'c', value_name = "FILE")]
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
        #[arg(long, short = 'c', value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Convert a gitleaks/betterleaks JSON report into a leakgate baseline (no secret is
    /// copied: each is kept as a hash with its path).
    Import {
        /// The report (`gitleaks git --report-format json --report-path report.json`).
        report: PathBuf,
        /// Baseline file to write.
        #[arg(long, short = 'o', default_value = ".leakgate-baseline.json")]
        output: PathBuf,
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
    /// Secrets only: skip the configuration checks (CORS, cookies, env prefixes, workflows, …).
    #[arg(long)]
    no_lint: bool,
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
    #[arg(long, short = 'c', value_name = "FILE")]
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
    /// Report only findings that are not in this baseline: a leakgate baseline (see `leakgate
    /// baseline create`) or a gitleaks/betterleaks JSON report (detected).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Turn a rule off (repeatable; config: `disable`).
    #[arg(long, value_name = "ID")]
    disable_rule: Vec<String>,
    /// Run only these rules (repeatable).
    #[arg(long, value_name = "ID")]
    enable_rule: Vec<String>,
    /// Exit status when findings fail the build (default 1; gitleaks' `--exit-code`).
    #[arg(long, value_name = "N", default_value_t = 1)]
    exit_code: u8,
    /// Accepted for gitleaks compatibility; output is always redacted unless --reveal.
    #[arg(
        long,
        value_name = "PERCENT",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "100",
        hide_short_help = true
    )]
    redact: Option<u8>,
    /// Accepted for gitleaks compatibility; leakgate prints no banner.
    #[arg(long, hide_short_help = true)]
    no_banner: bool,
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
    /// With --validate: also log in with database connection strings (PostgreSQL), then leave
    /// at once. Off by default: it opens connections to hosts named in the scanned files.
    #[arg(long, requires = "validate")]
    validate_connections: bool,
    /// With --validate-connections: allow connecting to private, loopback and link-local
    /// addresses (refused by default, for every address the host resolves to).
    #[arg(long, requires = "validate_connections")]
    allow_internal_hosts: bool,
}

#[derive(Args)]
struct ScanArgs {
    /// Files or directories to scan (default: the current directory); `-` reads standard
    /// input. A path named here is scanned even when an ignore file excludes it.
    paths: Vec<PathBuf>,
    /// Skip files matching GLOB (relative to the scanned directory; repeatable), e.g.
    /// `--exclude 'fixtures/**'`.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Skip files larger than SIZE (bytes; K, M and G suffixes allowed). Skipped files are
    /// listed, never dropped silently.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_file_size: Option<u64>,
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
    /// Only these files (as a pre-commit hook passes them): one with staged changes is
    /// checked for the lines the commit adds, any other one is scanned whole (so
    /// `pre-commit run --all-files` checks every file).
    #[arg(last = true, value_name = "FILE")]
    files: Vec<PathBuf>,
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return parse_error(e),
    };
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
        Command::Baseline(BaselineCommand::Import { report, output }) => {
            cmd_baseline_import(report, output)
        }
        Command::Version => cmd_version(),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "leakgate", &mut buf);
            write_stdout(&buf)
        }
        Command::Man => {
            use clap::CommandFactory;
            let mut buf = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut buf) {
                Ok(()) => write_stdout(&buf),
                Err(e) => Err(e.into()),
            }
        }
        Command::Config(ConfigCommand::Import {
            file,
            output,
            force,
        }) => cmd_config_import(file, output, force),
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

/// gitleaks flags and commands, with what to use instead.
const GITLEAKS_HINTS: &[(&str, &str)] = &[
    (
        "--no-git",
        "leakgate scan PATH reads files; leakgate history reads git history",
    ),
    (
        "--source",
        "pass the path as an argument: leakgate scan PATH",
    ),
    ("-s", "pass the path as an argument: leakgate scan PATH"),
    ("--report-path", "use -o FILE (--output)"),
    ("-r", "use -o FILE (--output)"),
    (
        "--report-format",
        "use --format text|json|sarif|github|html",
    ),
    ("-f", "use --format text|json|sarif|github|html"),
    (
        "--baseline-path",
        "use --baseline FILE (gitleaks JSON reports are read as they are)",
    ),
    (
        "-b",
        "use --baseline FILE (gitleaks JSON reports are read as they are)",
    ),
    (
        "--gitleaks-ignore-path",
        ".gitleaksignore is read at the repository root",
    ),
    ("-i", ".gitleaksignore is read at the repository root"),
    (
        "--log-opts",
        "use leakgate history --branch REV, --since-commit REV or --range BASE..HEAD",
    ),
    ("--staged", "use leakgate staged"),
    ("--pre-commit", "use leakgate staged"),
    (
        "--max-target-megabytes",
        "use --max-file-size SIZE (scan) or --max-blob-size SIZE (history)",
    ),
    ("--log-level", "use -q (quiet) or -v (verbose)"),
    ("-l", "use -q (quiet) or -v (verbose)"),
    ("--follow-symlinks", "symlinks are not followed"),
    (
        "--ignore-gitleaks-allow",
        "gitleaks:allow comments are always honoured",
    ),
    ("--max-decode-depth", "decoding depth is fixed"),
    (
        "detect",
        "use leakgate history (git) or leakgate scan PATH (files)",
    ),
    ("protect", "use leakgate staged"),
    ("dir", "use leakgate scan PATH"),
    ("git", "use leakgate history"),
    ("stdin", "use leakgate scan -"),
];

/// Print a command-line error. Unknown gitleaks flags get a hint at the leakgate equivalent
/// instead of clap's similar-name suggestion (which offers `--no-ignore` for `--no-git`).
fn parse_error(e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if matches!(
        e.kind(),
        ErrorKind::UnknownArgument | ErrorKind::InvalidSubcommand
    ) {
        let invalid = match e
            .get(ContextKind::InvalidArg)
            .or(e.get(ContextKind::InvalidSubcommand))
        {
            Some(ContextValue::String(s)) => s.clone(),
            _ => String::new(),
        };
        let name = invalid.split('=').next().unwrap_or("");
        if let Some((_, hint)) = GITLEAKS_HINTS.iter().find(|(f, _)| *f == name) {
            let what = if name.starts_with('-') {
                "option"
            } else {
                "command"
            };
            eprintln!(
                "leakgate: error: unexpected argument '{invalid}' (a gitleaks {what}): {hint}\n\
                 See leakgate --help, and \"Migrating from gitleaks\" in the README."
            );
            return ExitCode::from(2);
        }
        let suggested = match e.get(ContextKind::SuggestedArg) {
            Some(ContextValue::String(s)) => vec![s.clone()],
            Some(ContextValue::Strings(v)) => v.clone(),
            _ => Vec::new(),
        };
        // a typo of --no-ignore itself keeps clap's suggestion
        if !name.starts_with("--no-ig") && suggested.iter().any(|s| s.starts_with("--no-ignore")) {
            eprintln!(
                "leakgate: error: unexpected argument '{invalid}'\n\
                 See leakgate scan --help for the options (--no-ignore would scan git-ignored files too)."
            );
            return ExitCode::from(2);
        }
    }
    let _ = e.print();
    ExitCode::from(if e.use_stderr() { 2 } else { 0 })
}

fn load_config(explicit: Option<&PathBuf>, start: &std::path::Path) -> Result<Config> {
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

fn cmd_scan(args: ScanArgs) -> Result<ExitCode> {
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

fn cmd_history(args: HistoryArgs) -> Result<ExitCode> {
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

fn cmd_baseline_create(
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

fn cmd_staged(args: StagedArgs) -> Result<ExitCode> {
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

fn cmd_scan_log(args: ScanLogArgs) -> Result<ExitCode> {
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

/// The scanner for a scanning command: built-in and config rules, with the output flags that
/// change what is reported.
fn scanner_for(mut config: leakgate::config::Config, out: &OutputArgs) -> Result<Scanner> {
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

/// Fail before scanning when an output file cannot be written or the baseline is not one:
/// a long scan must not end in "cannot write report".
fn check_outputs(out: &OutputArgs) -> Result<()> {
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
fn check_writable(path: &std::path::Path, what: &str) -> Result<()> {
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

/// Write bytes to standard output; a failure names the stream.
fn write_stdout(bytes: &[u8]) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|_| out.flush())
        .context("cannot write to standard output")?;
    Ok(ExitCode::SUCCESS)
}

fn cmd_version() -> Result<ExitCode> {
    let builtin = rules::builtin_rules()?.len();
    let config_checks = leakgate::lint::all_rules().count();
    let commit = option_env!("LEAKGATE_GIT_COMMIT").unwrap_or("unknown");
    let text = format!(
        "leakgate {}\ncommit: {commit}\nrules: {} ({builtin} secret, {config_checks} configuration)\n",
        env!("CARGO_PKG_VERSION"),
        builtin + config_checks
    );
    write_stdout(text.as_bytes())
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
    gitleaks_ignore: Option<leakgate::baseline::Baseline>,
) -> Result<ExitCode> {
    let (mut findings, mut skipped, warnings, files, bytes) = sink.finish();
    // limits that stopped part of the work (decode budget, depth, huge files) are listed too
    skipped.extend(scanner.take_limit_notes());
    skipped.sort();
    let allow_suppressed = scanner
        .allow_suppressed
        .load(std::sync::atomic::Ordering::Relaxed);
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

/// The `.gitleaksignore` at the repository root above `start` (or in `start` outside a
/// repository), as a baseline: a repository moving from gitleaks keeps its accepted findings.
/// Also notes a `.gitleaks.toml` there when leakgate has no config: `config import` converts it.
fn gitleaks_ignore(
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

fn cmd_baseline_import(report: PathBuf, output: PathBuf) -> Result<ExitCode> {
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

fn cmd_config_import(file: PathBuf, output: PathBuf, force: bool) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("{}: cannot read", file.display()))?;
    let imported = leakgate::migrate::import_gitleaks_config(&text)
        .with_context(|| format!("{}", file.display()))?;
    // the result must load: a rule that does not compile is reported now, not at scan time
    let check = Config::parse(&output, &imported.yaml).and_then(Scanner::new);
    if let Err(e) = check {
        anyhow::bail!(
            "{}: the converted configuration does not load: {e:#}",
            file.display()
        );
    }
    let to_stdout = output.as_os_str() == "-";
    if to_stdout {
        print!("{}", imported.yaml);
    } else {
        if output.exists() && !force {
            anyhow::bail!(
                "{}: already exists; pass --force to overwrite it, or -o OTHER.yml",
                output.display()
            );
        }
        std::fs::write(&output, &imported.yaml)
            .with_context(|| format!("{}: cannot write", output.display()))?;
    }
    for line in &imported.not_converted {
        eprintln!("leakgate: not converted: {line}");
    }
    eprintln!(
        "leakgate: {} {} from {} ({}; {} setting{} not converted)",
        if to_stdout { "converted" } else { "wrote" },
        if to_stdout {
            "configuration".to_string()
        } else {
            output.display().to_string()
        },
        file.display(),
        imported.summary(),
        imported.not_converted.len(),
        if imported.not_converted.len() == 1 {
            ""
        } else {
            "s"
        }
    );
    Ok(ExitCode::SUCCESS)
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
