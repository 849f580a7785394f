//! `leakgate config import`: a gitleaks/betterleaks TOML configuration to `.leakgate.yml`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use leakgate::config::Config;
use leakgate::engine::Scanner;

pub(crate) fn cmd_config_import(file: PathBuf, output: PathBuf, force: bool) -> Result<ExitCode> {
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
