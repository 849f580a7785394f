//! `leakgate rules list` and `leakgate rules test`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use leakgate::engine::Scanner;
use leakgate::report;
use leakgate::rules;

use super::args::ListFormat;
use super::session::load_config;

pub(crate) fn cmd_rules_list(format: ListFormat, config: Option<PathBuf>) -> Result<ExitCode> {
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

pub(crate) fn cmd_rules_test(
    files: Vec<PathBuf>,
    rounds: usize,
    seed: Option<u64>,
) -> Result<ExitCode> {
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
