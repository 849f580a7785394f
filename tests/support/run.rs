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
