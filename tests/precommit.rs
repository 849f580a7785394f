//! The hooks in `.pre-commit-hooks.yaml`, run by the real pre-commit framework
//! (`pre-commit try-repo`) against a repository with a staged secret (the commit must be
//! stopped), a clean one (it must pass), and one with secrets already committed: a commit
//! that does not add one passes, `pre-commit run --all-files` fails. The `leakgate staged --
//! FILE…` mode the hooks use is also checked without the framework.
//!
//! pre-commit is a Python tool (`pip install pre-commit`). When it is not installed the test
//! prints why it did nothing and passes, so `cargo test` works offline on a fresh machine;
//! `.ci/run` installs it and sets `LEAKGATE_REQUIRE_PRECOMMIT=1`, which turns a missing
//! pre-commit into a failure. The `language: rust` hook builds leakgate from source
//! (minutes); it is exercised only with `LEAKGATE_TEST_PRECOMMIT_RUST=1`.

use std::path::{Path, PathBuf};
use std::process::Command;

use leakgate::examples::{expand, Rng};

#[path = "support/gitrepo.rs"]
mod gitrepo;

fn precommit_available() -> bool {
    let ok = Command::new("pre-commit")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        assert!(
            std::env::var_os("LEAKGATE_REQUIRE_PRECOMMIT").is_none(),
            "pre-commit is required (LEAKGATE_REQUIRE_PRECOMMIT is set) but not installed"
        );
        eprintln!("pre-commit is not installed (pip install pre-commit): hook test skipped");
    }
    ok
}

fn git(dir: &Path, args: &[&str]) {
    gitrepo::git_in(dir, args, gitrepo::START);
}

/// A repository with one commit and `staged` (path, content) added to the index.
fn repo_with_staged(staged: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q", "-b", "main"]);
    git(p, &["config", "user.name", "T"]);
    git(p, &["config", "user.email", "t@example.test"]);
    std::fs::write(p.join("README.md"), "# demo\n").unwrap();
    git(p, &["add", "README.md"]);
    git(p, &["commit", "-q", "-m", "init"]);
    for (path, text) in staged {
        let f = p.join(path);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(&f, text).unwrap();
        git(p, &["add", path]);
    }
    dir
}

/// `pre-commit try-repo <this repository> <hook>` in `repo`; (exit code, combined output).
fn try_repo(repo: &Path, hook: &str, cache: &Path) -> (i32, String) {
    try_repo_with(repo, hook, cache, &[])
}

/// [`try_repo`] with more `pre-commit run` arguments (`--all-files`, `--files X`).
fn try_repo_with(repo: &Path, hook: &str, cache: &Path, extra: &[&str]) -> (i32, String) {
    let bin_dir: PathBuf = Path::new(env!("CARGO_BIN_EXE_leakgate"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let empty_config = cache.join("empty.gitconfig");
    std::fs::write(&empty_config, "").unwrap();
    let out = Command::new("pre-commit")
        .args(["try-repo", env!("CARGO_MANIFEST_DIR"), hook])
        .args(extra)
        .current_dir(repo)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", cache)
        // Keep HOME: a `pip install --user` pre-commit imports its module from HOME's
        // ~/.local. Isolate git from the developer's own settings (signing, hooks) instead.
        .env("GIT_CONFIG_GLOBAL", &empty_config)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("CI", "true")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn check_hook(hook: &str) {
    let cache = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(42);
    let key = expand("sk-proj-{{alnum:58}}T3BlbkFJ{{alnum:58}}", &mut rng).unwrap();

    let dirty = repo_with_staged(&[("src/settings.py", format!("OPENAI_API_KEY = \"{key}\"\n"))]);
    let (code, out) = try_repo(dirty.path(), hook, cache.path());
    assert_eq!(code, 1, "a staged secret must stop the commit:\n{out}");
    assert!(out.contains("src/settings.py"), "{out}");
    assert!(out.contains("openai-project-key"), "{out}");
    assert!(
        !out.contains(&key[..24]),
        "the secret leaked into hook output:\n{out}"
    );

    let clean = repo_with_staged(&[(
        "src/settings.py",
        "import os\nOPENAI_API_KEY = os.environ[\"OPENAI_API_KEY\"]\n".to_string(),
    )]);
    let (code, out) = try_repo(clean.path(), hook, cache.path());
    assert_eq!(code, 0, "a clean commit must pass:\n{out}");
    assert!(out.contains("Passed"), "{out}");
}

#[test]
fn system_hook_blocks_a_staged_secret_and_passes_a_clean_commit() {
    if !precommit_available() {
        return;
    }
    if !Path::new(env!("CARGO_MANIFEST_DIR")).join(".git").exists() {
        eprintln!("not a git checkout: pre-commit try-repo needs one; hook test skipped");
        return;
    }
    check_hook("leakgate-system");
}

#[test]
fn rust_hook_builds_and_blocks() {
    if std::env::var_os("LEAKGATE_TEST_PRECOMMIT_RUST").is_none() {
        eprintln!("set LEAKGATE_TEST_PRECOMMIT_RUST=1 to build the language: rust hook");
        return;
    }
    if !precommit_available() {
        return;
    }
    check_hook("leakgate");
}

/// A repository whose HEAD already holds a secret in `old/settings.py` (and a second one in
/// `b.py`), with a clean change to `b.py` staged. Returns it and the two secrets.
fn repo_with_committed_secrets() -> (tempfile::TempDir, String, String) {
    let mut rng = Rng::new(7);
    let key = expand("sk-proj-{{alnum:58}}T3BlbkFJ{{alnum:58}}", &mut rng).unwrap();
    let token = expand("{{github:ghp}}", &mut rng).unwrap();
    let dir = repo_with_staged(&[
        ("old/settings.py", format!("OPENAI_API_KEY = \"{key}\"\n")),
        ("b.py", format!("TOKEN = \"{token}\"\n")),
    ]);
    let p = dir.path();
    git(p, &["commit", "-q", "-m", "secrets"]);
    std::fs::write(
        p.join("b.py"),
        format!("TOKEN = \"{token}\"\nprint(\"clean line\")\n"),
    )
    .unwrap();
    git(p, &["add", "b.py"]);
    (dir, key, token)
}

fn leakgate_json(args: &[&str], cwd: &Path) -> (i32, Vec<(String, u64, String)>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(["staged", "--format", "json"])
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let v: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}{}", String::from_utf8_lossy(&out.stderr)));
    let rows = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (
        out.status.code().unwrap_or(-1),
        rows,
        format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)),
    )
}

#[test]
fn staged_with_file_names_scans_unstaged_files_whole_and_staged_ones_by_added_lines() {
    let (dir, key, token) = repo_with_committed_secrets();
    let p = dir.path();
    // the commit adds a clean line to b.py: nothing to report, old secrets are history's
    let (code, rows, out) = leakgate_json(&[], p);
    assert_eq!((code, rows.len()), (0, 0), "{out}");
    // what a commit passes: the staged file only
    let (code, rows, out) = leakgate_json(&["--", "b.py"], p);
    assert_eq!((code, rows.len()), (0, 0), "{out}");
    // what --all-files passes: old/settings.py has nothing staged, so it is scanned whole;
    // b.py is staged, so only its added line counts
    let (code, rows, out) = leakgate_json(&["--", "b.py", "old/settings.py"], p);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        rows,
        vec![(
            "old/settings.py".to_string(),
            1,
            "openai-project-key".to_string()
        )],
        "{out}"
    );
    assert!(!out.contains(&key[..24]) && !out.contains(&token[..20]));
    // a staged secret in a named file is still found; one in a file not named is not this
    // run's (pre-commit names the files it wants checked)
    std::fs::write(p.join("c.py"), format!("KEY = \"{key}\"\n")).unwrap();
    git(p, &["add", "c.py"]);
    let (code, rows, out) = leakgate_json(&["--", "c.py"], p);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        rows,
        vec![("c.py".to_string(), 1, "openai-project-key".to_string())],
        "{out}"
    );
    let (code, rows, out) = leakgate_json(&["--", "b.py"], p);
    assert_eq!((code, rows.len()), (0, 0), "{out}");
    // a name that is not there is an error, not a pass
    let (code, _, err) = {
        let o = Command::new(env!("CARGO_BIN_EXE_leakgate"))
            .args(["staged", "--", "missing.py"])
            .current_dir(p)
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            (),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("missing.py"), "{err}");
}

#[test]
fn system_hook_all_files_fails_on_committed_secrets() {
    if !precommit_available() {
        return;
    }
    if !Path::new(env!("CARGO_MANIFEST_DIR")).join(".git").exists() {
        eprintln!("not a git checkout: pre-commit try-repo needs one; hook test skipped");
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let (dir, key, token) = repo_with_committed_secrets();
    // commit time: the staged change to b.py adds no secret
    let (code, out) = try_repo(dir.path(), "leakgate-system", cache.path());
    assert_eq!(code, 0, "a commit that adds no secret must pass:\n{out}");
    // --all-files: every tracked file, whole (b.py is staged: its added lines only)
    let (code, out) = try_repo_with(
        dir.path(),
        "leakgate-system",
        cache.path(),
        &["--all-files"],
    );
    assert_eq!(
        code, 1,
        "--all-files must fail on a committed secret:\n{out}"
    );
    assert!(out.contains("old/settings.py"), "{out}");
    assert!(out.contains("openai-project-key"), "{out}");
    assert!(
        !out.contains(&key[..24]) && !out.contains(&token[..20]),
        "{out}"
    );
    // --files names one file
    let (code, out) = try_repo_with(
        dir.path(),
        "leakgate-system",
        cache.path(),
        &["--files", "README.md"],
    );
    assert_eq!(code, 0, "{out}");
    let (code, out) = try_repo_with(
        dir.path(),
        "leakgate-system",
        cache.path(),
        &["--files", "old/settings.py"],
    );
    assert_eq!(code, 1, "{out}");
}

/// The README's pre-commit example pins `rev: v<version in Cargo.toml>`: the tag every
/// release creates (CONTRIBUTING.md), so the example names a tag that exists once released.
#[test]
fn readme_rev_is_the_release_tag_of_this_version() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let revs: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.trim().strip_prefix("rev: "))
        .map(|r| r.split_whitespace().next().unwrap_or(""))
        .collect();
    assert!(!revs.is_empty(), "README has no pre-commit rev:");
    let want = format!("v{}", env!("CARGO_PKG_VERSION"));
    for r in revs {
        assert_eq!(
            r, want,
            "README rev: must be the release tag of Cargo.toml's version"
        );
    }
    let contributing = std::fs::read_to_string(root.join("CONTRIBUTING.md")).unwrap();
    assert!(contributing.contains("git tag -a vX.Y.Z"));
}
