#![allow(dead_code)] // each test file uses part of this module
//! Microsoft's SARIF Multitool as a validator for tests (see `.ci/sarif-multitool.sh`).
//! The same check as in `tests/sarif.rs`, shared so other test files can validate their logs.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The multitool named by `LEAKGATE_SARIF_MULTITOOL`, if any.
pub fn tool() -> Option<std::path::PathBuf> {
    std::env::var_os("LEAKGATE_SARIF_MULTITOOL").map(Into::into)
}

/// Error-level results and notifications of a multitool validation run. A result's level
/// defaults to its rule's configured level, then to `warning`.
pub fn errors(tool: &Path, sarif: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("leakgate.sarif");
    let output = dir.path().join("validation.sarif");
    std::fs::write(&input, sarif).unwrap();
    let run = Command::new(tool)
        .arg("validate")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .args(["--log", "ForceOverwrite"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", tool.display()));
    let console = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.status.success(), "Sarif.Multitool failed: {console}");
    let log: Value = serde_json::from_str(
        &std::fs::read_to_string(&output)
            .unwrap_or_else(|e| panic!("multitool wrote no {} ({e})", output.display())),
    )
    .expect("validation log is JSON");
    let mut errors = Vec::new();
    for run in log["runs"].as_array().unwrap() {
        let rules = run["tool"]["driver"]["rules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for res in run["results"].as_array().cloned().unwrap_or_default() {
            let level = res["level"]
                .as_str()
                .or_else(|| {
                    let i = res["ruleIndex"].as_u64()? as usize;
                    rules.get(i)?["defaultConfiguration"]["level"].as_str()
                })
                .unwrap_or("warning");
            if level == "error" {
                errors.push(res.to_string());
            }
        }
        for inv in run["invocations"].as_array().cloned().unwrap_or_default() {
            for key in [
                "toolExecutionNotifications",
                "toolConfigurationNotifications",
            ] {
                for n in inv[key].as_array().cloned().unwrap_or_default() {
                    if n["level"] == "error" {
                        errors.push(n.to_string());
                    }
                }
            }
        }
    }
    errors
}
