//! Scratch git repositories for end-to-end tests, driven through the `git` command line with
//! a fixed clock (a minute per commit) so attribution is deterministic, and fresh random
//! credentials from the rule-example templates.
#![allow(dead_code)] // each test file uses part of this module

use std::path::Path;
use std::process::Command;

use leakgate::examples::{expand, Rng};

/// Commit time of the first commit is `START + 60`.
pub const START: i64 = 1_700_000_000;

pub struct Repo {
    pub dir: tempfile::TempDir,
    pub rng: Rng,
    pub clock: i64,
}

impl Repo {
    /// A new repository on branch `main` with a test identity.
    pub fn new(seed: u64) -> Repo {
        let r = Repo {
            dir: tempfile::tempdir().unwrap(),
            rng: Rng::new(seed),
            clock: START,
        };
        r.git(&["init", "-q", "-b", "main"]);
        r.git(&["config", "user.name", "Test Author"]);
        r.git(&["config", "user.email", "author@example.test"]);
        r.git(&["config", "commit.gpgsign", "false"]);
        r.git(&["config", "tag.gpgsign", "false"]);
        r
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Run git here; panics with git's stderr on failure. Returns trimmed stdout.
    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args, self.clock)
    }

    pub fn write(&self, path: &str, text: &str) {
        let p = self.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// A fresh, well-formed OpenAI project key.
    pub fn openai_key(&mut self) -> String {
        expand("sk-proj-{{alnum:58}}T3BlbkFJ{{alnum:58}}", &mut self.rng).unwrap()
    }

    /// A fresh classic GitHub token with a valid checksum.
    pub fn github_token(&mut self) -> String {
        expand("{{github:ghp}}", &mut self.rng).unwrap()
    }

    /// Stage everything and commit a minute after the previous commit; returns the SHA.
    pub fn commit(&mut self, msg: &str) -> String {
        self.clock += 60;
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", msg]);
        self.git(&["rev-parse", "HEAD"])
    }
}

/// Run git in `dir` with both dates set to `clock`, isolated from the user's configuration.
pub fn git_in(dir: &Path, args: &[&str], clock: i64) -> String {
    let date = format!("@{clock} +0000");
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git is installed");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
