//! The hooks in `.pre-commit-hooks.yaml`, run by the real pre-commit framework
//! (`pre-commit try-repo`) against a repository with a staged secret (the commit must be
//! stopped) and a clean one (it must pass).
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
