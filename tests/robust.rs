//! Hostile or broken input never crashes, never hangs, and is never passed as clean when it
//! was not read (issue #15). Every input is generated at test time.

#[path = "support/run.rs"]
mod run;

use run::leakgate;

/// A workflow nested thousands of levels deep (a line of `- `, or an indented ladder) is
/// reported as not checked; it used to overflow the stack and abort (exit 134).
#[test]
fn deeply_nested_workflow_is_a_warning_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let wf = root.join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    let dashes = format!(
        "on: push\njobs:\n  a:\n    steps:\n      {}x\n",
        "- ".repeat(6_000)
    );
    std::fs::write(wf.join("dashes.yml"), &dashes).unwrap();
    let mut ladder = String::from("on: push\n");
    for i in 0..2_400 {
        ladder.push_str(&" ".repeat(i));
        ladder.push_str("a:\n");
    }
    std::fs::write(wf.join("ladder.yml"), &ladder).unwrap();
    std::fs::write(root.join(".gitlab-ci.yml"), &dashes).unwrap();
    let (code, _, err) = leakgate(&["scan", ".", "--format", "json"], root);
    assert_eq!(code, 0, "{err}");
    for f in [
        ".github/workflows/dashes.yml",
        ".github/workflows/ladder.yml",
        ".gitlab-ci.yml",
    ] {
        assert!(
            err.contains(&format!("{f}: invalid YAML")) && err.contains("nested too deeply"),
            "{f}: {err}"
        );
    }
    let (code, _, err) = leakgate(
        &["baseline", "create", ".", "--no-history", "-o", "b.json"],
        root,
    );
    assert_eq!(code, 0, "{err}");
}
