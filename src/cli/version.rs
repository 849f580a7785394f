//! `leakgate version`.

use std::process::ExitCode;

use anyhow::Result;

use leakgate::rules;

use super::outputs::write_stdout;

pub(crate) fn cmd_version() -> Result<ExitCode> {
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
