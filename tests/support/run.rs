//! Run the real leakgate binary in a directory: (exit code, stdout, stderr).
#![allow(dead_code)] // each test file uses part of this module

use std::path::Path;
use std::process::Command;

pub fn leakgate(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// (path, line, column, rule id) of every finding in a JSON report.
pub fn rows(json: &str) -> std::collections::BTreeSet<(String, u64, u64, String)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// (path, line, rule id) of every finding in a JSON report.
pub fn path_line_rule(json: &str) -> std::collections::BTreeSet<(String, u32, String)> {
    rows(json)
        .into_iter()
        .map(|(path, line, _, rule)| (path, line as u32, rule))
        .collect()
}
