//! The command-line arguments: the clap definitions of every command and its options, and
//! the error printed for arguments that do not parse (with hints for gitleaks flags).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use leakgate::report::Format;
use leakgate::rules::Severity;

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
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
pub(crate) enum ConfigCommand {
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
pub(crate) enum RulesCommand {
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
pub(crate) enum BaselineCommand {
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
pub(crate) enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Args)]
pub(crate) struct OutputArgs {
    /// Secrets only: skip the configuration checks (CORS, cookies, env prefixes, workflows, …).
    #[arg(long)]
    pub(crate) no_lint: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity (info, low, medium, high,
    /// critical), or never with `none`.
    #[arg(long, default_value = "low", value_name = "SEVERITY", value_parser = parse_fail_on)]
    pub(crate) fail_on: FailOn,
    /// Configuration file (default: .leakgate.yml at the repository root).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Show full secret values in every output. Off by default: reports are redacted.
    #[arg(long)]
    pub(crate) reveal: bool,
    /// Print nothing but the report (no progress, notes or summary on stderr).
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
    /// List every skipped file on stderr, not only a count.
    #[arg(long, short = 'v')]
    pub(crate) verbose: bool,
    /// Colour for the text format.
    #[arg(long, value_enum, default_value = "auto")]
    pub(crate) color: ColorChoice,
    /// Report only findings that are not in this baseline: a leakgate baseline (see `leakgate
    /// baseline create`) or a gitleaks/betterleaks JSON report (detected).
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Turn a rule off (repeatable; config: `disable`).
    #[arg(long, value_name = "ID")]
    pub(crate) disable_rule: Vec<String>,
    /// Run only these rules (repeatable).
    #[arg(long, value_name = "ID")]
    pub(crate) enable_rule: Vec<String>,
    /// Exit status when findings fail the build (default 1; gitleaks' `--exit-code`).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub(crate) exit_code: u8,
    /// Accepted for gitleaks compatibility; output is always redacted unless --reveal.
    #[arg(
        long,
        value_name = "PERCENT",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "100",
        hide_short_help = true
    )]
    pub(crate) redact: Option<u8>,
    /// Accepted for gitleaks compatibility; leakgate prints no banner.
    #[arg(long, hide_short_help = true)]
    pub(crate) no_banner: bool,
    /// Also write the report as SARIF to FILE (one scan, several outputs).
    #[arg(long, value_name = "FILE")]
    pub(crate) sarif: Option<PathBuf>,
    /// Append a Markdown summary with a findings table to FILE (e.g. $GITHUB_STEP_SUMMARY);
    /// bounded under 1 MiB.
    #[arg(long, value_name = "FILE")]
    pub(crate) summary: Option<PathBuf>,
    /// Write the number of reported findings to FILE.
    #[arg(long, value_name = "FILE")]
    pub(crate) count_file: Option<PathBuf>,
    /// Also report generic and context-based matches (precision medium or low) in tests,
    /// fixtures, examples and docs, which are left out by default (config: include_samples).
    #[arg(long)]
    pub(crate) include_samples: bool,
    /// Ask each provider whether the keys found are live (one read-only request per unique
    /// key to the provider's documented API host). Off by default: never implied.
    #[arg(long)]
    pub(crate) validate: bool,
    /// With --validate: report (and fail on) only keys the provider confirmed live.
    #[arg(long, requires = "validate")]
    pub(crate) only_live: bool,
    /// With --validate: send PROVIDER's requests to URL (scheme://host[:port]) instead of the
    /// provider's host: GitHub Enterprise, GitLab self-managed, a test mock. Repeatable.
    #[arg(long, value_name = "PROVIDER=URL", requires = "validate", value_parser = leakgate::validate::parse_endpoint)]
    pub(crate) validation_endpoint: Vec<(String, String)>,
    /// With --validate: also log in with database connection strings (PostgreSQL), then leave
    /// at once. Off by default: it opens connections to hosts named in the scanned files.
    #[arg(long, requires = "validate")]
    pub(crate) validate_connections: bool,
    /// With --validate-connections: allow connecting to private, loopback and link-local
    /// addresses (refused by default, for every address the host resolves to).
    #[arg(long, requires = "validate_connections")]
    pub(crate) allow_internal_hosts: bool,
}

#[derive(Args)]
pub(crate) struct ScanArgs {
    /// Files or directories to scan (default: the current directory); `-` reads standard
    /// input. A path named here is scanned even when an ignore file excludes it.
    pub(crate) paths: Vec<PathBuf>,
    /// Skip files matching GLOB (relative to the scanned directory; repeatable), e.g.
    /// `--exclude 'fixtures/**'`.
    #[arg(long, value_name = "GLOB")]
    pub(crate) exclude: Vec<String>,
    /// Skip files larger than SIZE (bytes; K, M and G suffixes allowed). Skipped files are
    /// listed, never dropped silently.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub(crate) max_file_size: Option<u64>,
    /// Do not respect .gitignore, .ignore and .leakgateignore files.
    #[arg(long)]
    pub(crate) no_ignore: bool,
    /// Worker threads (default: number of CPUs).
    #[arg(long, short = 'j')]
    pub(crate) threads: Option<usize>,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
}

#[derive(Args)]
pub(crate) struct HistoryArgs {
    /// A path inside the repository (default: the current directory).
    pub(crate) repo: Option<PathBuf>,
    /// Only this branch (or any revision) and its ancestors, instead of all refs.
    #[arg(long, conflicts_with = "range")]
    pub(crate) branch: Option<String>,
    /// Leave out REV and everything reachable from it (scan only newer commits).
    #[arg(long, value_name = "REV")]
    pub(crate) since_commit: Option<String>,
    /// Only what the commits in BASE..HEAD introduce (pull-request mode): a secret already
    /// present at BASE is not reported again.
    #[arg(long, value_name = "BASE..HEAD")]
    pub(crate) range: Option<String>,
    #[command(flatten)]
    pub(crate) read: HistoryReadArgs,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
}

#[derive(Args)]
pub(crate) struct ScanLogArgs {
    /// Log files; `-` or nothing reads standard input (streamed: any size).
    pub(crate) files: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
}

/// How history is read (shared by `history` and `ci`).
#[derive(Args)]
pub(crate) struct HistoryReadArgs {
    /// Skip blobs larger than this (bytes; K, M and G suffixes allowed). Skipped blobs are
    /// listed, never dropped silently.
    #[arg(long, default_value = "32M", value_parser = parse_size)]
    pub(crate) max_blob_size: u64,
    /// Worker threads (default: number of CPUs).
    #[arg(long, short = 'j')]
    pub(crate) threads: Option<usize>,
}

#[derive(Args)]
pub(crate) struct CiArgs {
    /// A path inside the repository (default: the current directory).
    pub(crate) repo: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) read: HistoryReadArgs,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
}

#[derive(Args)]
pub(crate) struct StagedArgs {
    /// A path inside the repository (default: the current directory).
    pub(crate) repo: Option<PathBuf>,
    /// Skip staged files larger than this (bytes; K, M and G suffixes allowed). Skipped
    /// files are listed, never dropped silently.
    #[arg(long, default_value = "32M", value_parser = parse_size)]
    pub(crate) max_blob_size: u64,
    #[command(flatten)]
    pub(crate) out: OutputArgs,
    /// Only these files (as a pre-commit hook passes them): one with staged changes is
    /// checked for the lines the commit adds, any other one is scanned whole (so
    /// `pre-commit run --all-files` checks every file).
    #[arg(last = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
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
pub(crate) struct FailOn(pub(crate) Option<Severity>);

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    if matches!(s.to_ascii_lowercase().as_str(), "none" | "never" | "off") {
        return Ok(FailOn(None));
    }
    Severity::parse(s).map(|s| FailOn(Some(s))).ok_or_else(|| {
        format!("unknown severity {s:?}: use info, low, medium, high, critical or none")
    })
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
pub(crate) fn parse_error(e: clap::Error) -> ExitCode {
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
