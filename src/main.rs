//! The `leakgate` command line. `main` parses the arguments and runs one command; the
//! commands, their arguments and what they share live in [`cli`].

mod cli;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use leakgate::report;

use cli::args::{parse_error, BaselineCommand, Cli, Command, ConfigCommand, RulesCommand};
use cli::baseline::{cmd_baseline_create, cmd_baseline_import};
use cli::ci::cmd_ci;
use cli::config::cmd_config_import;
use cli::history::cmd_history;
use cli::outputs::write_stdout;
use cli::rules::{cmd_rules_list, cmd_rules_test};
use cli::scan::cmd_scan;
use cli::scan_log::cmd_scan_log;
use cli::staged::cmd_staged;
use cli::version::cmd_version;

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
