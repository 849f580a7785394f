//! Git history, PR ranges and staged scans, end to end: each test builds a repository with
//! the `git` command line, plants freshly generated credentials in commits, runs the real
//! binary and asserts the exact findings and their attribution.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

#[path = "support/gitrepo.rs"]
mod gitrepo;
use gitrepo::{git_in, Repo};

fn leakgate(args: &[&str], cwd: &Path) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(args)
        .args(["--format", "json"])
        .current_dir(cwd)
        .env("CI", "true")
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = if stdout.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("bad json ({e}): {stdout}"))
    };
    (code, json, stderr)
}

/// (path, line, rule, introducing commit) of every finding.
fn found(json: &Value) -> BTreeSet<(String, u64, String, String)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
                f["commit"]["sha"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn set(items: &[(&str, u64, &str, &str)]) -> BTreeSet<(String, u64, String, String)> {
    items
        .iter()
        .map(|(p, l, r, c)| (p.to_string(), *l, r.to_string(), c.to_string()))
        .collect()
}

#[test]
fn secret_added_then_removed_is_found_and_attributed() {
    let mut r = Repo::new(1);
    r.write("README.md", "# app\n");
    r.commit("initial");
    let key = r.openai_key();
    r.write(
        "src/config.py",
        &format!("import os\n\nOPENAI_API_KEY = \"{key}\"\n"),
    );
    let added = r.commit("add openai config");
    r.write(
        "src/config.py",
        "import os\n\nOPENAI_API_KEY = os.environ[\"OPENAI_API_KEY\"]\n",
    );
    r.commit("read key from the environment");

    let (code, json, stderr) = leakgate(&["history"], r.path());
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        found(&json),
        set(&[("src/config.py", 3, "openai-project-key", &added)])
    );
    let f = &json["findings"][0];
    assert_eq!(f["commit"]["author"], "Test Author");
    assert_eq!(f["commit"]["email"], "author@example.test");
    assert_eq!(f["commit"]["summary"], "add openai config");
    assert_eq!(f["commit"]["date"], "2023-11-14T22:15:20Z");
    assert_eq!(f["commit"]["other_commits"], 0);
    assert_eq!(json["summary"]["commits_scanned"], 3);
    // redacted: the key never appears in any output
    let text = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(["history", "--format", "text"])
        .current_dir(r.path())
        .output()
        .unwrap();
    let all = format!(
        "{}{}{}",
        String::from_utf8_lossy(&text.stdout),
        String::from_utf8_lossy(&text.stderr),
        json
    );
    assert!(!all.contains(&key[..20]), "secret leaked into output");
    assert!(String::from_utf8_lossy(&text.stdout).contains("introduced in"));
}

#[test]
fn unmerged_branches_deleted_files_tags_and_merges() {
    let mut r = Repo::new(2);
    r.write("README.md", "# app\n");
    r.commit("initial");

    // a file added and deleted again on main
    let k_deleted = r.github_token();
    r.write(
        "scripts/deploy.sh",
        &format!("#!/bin/sh\nexport GITHUB_TOKEN={k_deleted}\n"),
    );
    let c_deleted = r.commit("deploy script");
    std::fs::remove_file(r.path().join("scripts/deploy.sh")).unwrap();
    r.commit("remove deploy script");

    // a branch that is never merged
    r.git(&["checkout", "-q", "-b", "experiment"]);
    let k_branch = r.openai_key();
    r.write("notes.txt", &format!("try this key: {k_branch}\n"));
    let c_branch = r.commit("experiment with a key");
    r.git(&["checkout", "-q", "main"]);

    // a feature branch merged with a merge commit: attributed to the branch commit
    r.git(&["checkout", "-q", "-b", "feature"]);
    let k_merged = r.github_token();
    r.write("app/.env", &format!("GITHUB_TOKEN={k_merged}\n"));
    let c_feature = r.commit("feature env");
    r.git(&["checkout", "-q", "main"]);
    r.write("CHANGELOG.md", "- main moved on\n");
    r.commit("changelog");
    r.clock += 60;
    r.git(&["merge", "-q", "--no-ff", "-m", "merge feature", "feature"]);

    // a commit reachable only from an annotated tag
    r.git(&["checkout", "-q", "--detach"]);
    let k_tag = r.openai_key();
    r.write("release/creds.txt", &format!("OPENAI_API_KEY={k_tag}\n"));
    let c_tag = r.commit("release-only commit");
    r.git(&["tag", "-a", "v1.0", "-m", "release"]);
    r.git(&["checkout", "-q", "main"]);

    let (code, json, stderr) = leakgate(&["history"], r.path());
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        found(&json),
        set(&[
            ("scripts/deploy.sh", 2, "github-pat-classic", &c_deleted),
            ("notes.txt", 1, "openai-project-key", &c_branch),
            ("app/.env", 1, "github-pat-classic", &c_feature),
            // configuration checks run on history too: the committed .env itself
            ("app/.env", 1, "committed-env-file", &c_feature),
            ("release/creds.txt", 1, "openai-project-key", &c_tag),
        ])
    );

    // one branch only: main holds the deleted file and the merged feature, not the others
    let (_, json, _) = leakgate(&["history", "--branch", "main"], r.path());
    assert_eq!(
        found(&json),
        set(&[
            ("scripts/deploy.sh", 2, "github-pat-classic", &c_deleted),
            ("app/.env", 1, "github-pat-classic", &c_feature),
            ("app/.env", 1, "committed-env-file", &c_feature),
        ])
    );
}

#[test]
fn renamed_file_reports_each_path_and_counts_them() {
    let mut r = Repo::new(3);
    let key = r.github_token();
    r.write("old/settings.env", &format!("GITHUB_TOKEN={key}\n"));
    let c1 = r.commit("settings");
    std::fs::create_dir_all(r.path().join("config")).unwrap();
    r.git(&["mv", "old/settings.env", "config/settings.env"]);
    let c2 = r.commit("move settings");
    let (_, json, stderr) = leakgate(&["history"], r.path());
    assert_eq!(
        found(&json),
        set(&[
            ("old/settings.env", 1, "github-pat-classic", &c1),
            ("config/settings.env", 1, "github-pat-classic", &c2),
        ]),
        "{stderr}"
    );
    for f in json["findings"].as_array().unwrap() {
        assert_eq!(f["commit"]["other_paths"], 1);
        assert_eq!(f["commit"]["other_commits"], 1);
    }
}

/// A token in the author field is reported like one in the message: on the message's last
/// line, `Author: name <email>`, redacted.
#[test]
fn a_token_in_the_author_field_is_reported_redacted() {
    let mut r = Repo::new(12);
    let token = r.github_token();
    r.write("a.txt", "a\n");
    r.git(&["add", "-A"]);
    r.git(&[
        "-c",
        &format!("user.name=deploy bot {token}"),
        "commit",
        "-q",
        "-m",
        "release\n\nwith notes",
    ]);
    let sha = r.git(&["rev-parse", "HEAD"]);
    let (code, json, stderr) = leakgate(&["history"], r.path());
    // the message's lines (`release`, ``, `with notes`), then the author line
    let path = format!("COMMIT_MSG@{}", &sha[..7]);
    assert_eq!(
        found(&json),
        set(&[(&path, 4, "github-pat-classic", &sha)]),
        "{stderr}"
    );
    assert_eq!(code, 1);
    let text = json.to_string();
    assert!(!text.contains(&token), "the token is printed: {text}");
    assert!(json["findings"][0]["snippet"]
        .as_str()
        .unwrap()
        .starts_with("Author: deploy bot"));
}

/// A blob is scanned once per kind of path it appears at; a rule whose `paths` name a folder
/// (`config/master.key`) makes the same file name another kind of path. A key file moved
/// into `config/` is reported there, and not at its old path, where that rule does not run.
#[test]
fn a_file_moved_to_where_a_path_rule_applies_is_reported_there_only() {
    let mut r = Repo::new(11);
    let key = leakgate::examples::expand("{{hex:32}}", &mut r.rng).unwrap();
    r.write("notes/master.key", &format!("{key}\n"));
    r.commit("notes");
    std::fs::create_dir_all(r.path().join("config")).unwrap();
    r.git(&["mv", "notes/master.key", "config/master.key"]);
    let c2 = r.commit("move the key where rails reads it");
    let (code, json, stderr) = leakgate(&["history"], r.path());
    assert_eq!(
        found(&json),
        set(&[("config/master.key", 1, "rails-master-key", &c2)]),
        "{stderr}"
    );
    assert_eq!(code, 1);
}

#[test]
fn edits_keep_the_original_attribution_and_binary_and_large_blobs_are_noted() {
    let mut r = Repo::new(4);
    let key = r.openai_key();
    r.write("app.py", &format!("KEY = \"{key}\"\n"));
    let c1 = r.commit("add key");
    r.write(
        "app.py",
        &format!("# a comment\nKEY = \"{key}\"\nprint(1)\n"),
    );
    r.commit("edit around the key");
    let mut bin = vec![0u8; 64];
    bin.extend_from_slice(format!("token={}", r.github_token()).as_bytes());
    std::fs::write(r.path().join("logo.png"), &bin).unwrap();
    let big_key = r.github_token();
    r.write(
        "big.txt",
        &format!("{}\nGITHUB_TOKEN={big_key}\n", "x".repeat(4096)),
    );
    r.commit("assets");

    let (_, json, stderr) = leakgate(&["history", "--max-blob-size", "2K", "-v"], r.path());
    // the first commit that added the key at app.py keeps it, at the line of that version
    assert_eq!(
        found(&json),
        set(&[("app.py", 1, "openai-project-key", &c1)])
    );
    let skipped: Vec<(String, String)> = json["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(skipped[0].0.starts_with("big.txt (blob "), "{skipped:?}");
    assert!(skipped[0].1.contains("--max-blob-size"), "{skipped:?}");
    assert!(skipped[1].0.starts_with("logo.png (blob "), "{skipped:?}");
    assert_eq!(skipped[1].1, "binary");
    assert!(stderr.contains("big.txt"), "{stderr}");
}

/// `leakgate` with `LEAKGATE_HISTORY_READ` set: `traverse` decodes whole packs, `lookup`
/// reads blob by blob.
fn leakgate_reading(mode: &str, args: &[&str], cwd: &Path) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(args)
        .args(["--format", "json"])
        .current_dir(cwd)
        .env("CI", "true")
        .env("LEAKGATE_HISTORY_READ", mode)
        .env("LEAKGATE_TRACE", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("bad json ({e}): {stdout}"));
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn packed_history_read_by_pack_traversal_gives_the_same_findings_as_lookups() {
    let mut r = Repo::new(9);
    r.write("README.md", "# app\n");
    r.commit("initial");
    // versions of one file, so the pack holds delta chains
    let key = r.openai_key();
    let mut body = String::new();
    for i in 0..40 {
        body.push_str(&format!("def handler_{i}(event):\n    return {i}\n\n"));
    }
    r.write("src/app.py", &format!("{body}OPENAI_API_KEY = \"{key}\"\n"));
    let c_key = r.commit("add handlers and key");
    for round in 0..5 {
        body.push_str(&format!("def later_{round}(event):\n    return None\n\n"));
        r.write("src/app.py", &format!("{body}OPENAI_API_KEY = \"{key}\"\n"));
        r.commit("more handlers");
    }
    r.write("src/app.py", &body);
    r.commit("drop the key");
    // a deleted file, a binary blob and a blob over the size limit
    let k_deleted = r.github_token();
    r.write(
        "deploy.sh",
        &format!("#!/bin/sh\nexport GITHUB_TOKEN={k_deleted}\n"),
    );
    let mut bin = vec![0u8; 64];
    bin.extend_from_slice(format!("token={}", r.github_token()).as_bytes());
    std::fs::write(r.path().join("logo.png"), &bin).unwrap();
    let k_big = r.github_token();
    r.write(
        "big.txt",
        &format!("{}\nGITHUB_TOKEN={k_big}\n", "x".repeat(9000)),
    );
    let c_deleted = r.commit("deploy script and assets");
    std::fs::remove_file(r.path().join("deploy.sh")).unwrap();
    r.commit("remove deploy script");
    // an unmerged branch
    r.git(&["checkout", "-q", "-b", "experiment"]);
    let k_branch = r.github_token();
    r.write("notes.txt", &format!("try: {k_branch}\n"));
    let c_branch = r.commit("experiment");
    r.git(&["checkout", "-q", "main"]);
    // everything so far goes into one pack; the next commit stays loose
    r.git(&[
        "repack",
        "-a",
        "-d",
        "-f",
        "-q",
        "--depth=50",
        "--window=50",
    ]);
    let k_loose = r.openai_key();
    r.write("late.env", &format!("OPENAI_API_KEY={k_loose}\n"));
    let c_loose = r.commit("loose commit");

    let want = set(&[
        ("src/app.py", 121, "openai-project-key", &c_key),
        ("deploy.sh", 2, "github-pat-classic", &c_deleted),
        ("notes.txt", 1, "github-pat-classic", &c_branch),
        ("late.env", 1, "openai-project-key", &c_loose),
    ]);
    let args = ["history", "--max-blob-size", "8K"];
    let (code_t, json_t, err_t) = leakgate_reading("traverse", &args, r.path());
    let (code_l, json_l, err_l) = leakgate_reading("lookup", &args, r.path());
    assert_eq!(code_t, 1, "{err_t}");
    assert_eq!(code_l, 1, "{err_l}");
    assert_eq!(found(&json_t), want, "{err_t}");
    // the packed blobs came from the traversal, the loose commit's from a lookup
    let traversed: usize = err_t
        .lines()
        .find_map(|l| l.strip_prefix("trace: pack traversal scanned "))
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no traversal in: {err_t}"));
    assert!(traversed >= 10, "{err_t}");
    assert!(!err_l.contains("pack traversal scanned"), "{err_l}");
    // the whole report, skipped blobs included, is the same either way
    assert_eq!(json_t["findings"], json_l["findings"]);
    assert_eq!(json_t["skipped"], json_l["skipped"]);
    let reasons: Vec<&str> = json_t["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons.iter().any(|r| r.contains("--max-blob-size")),
        "{reasons:?}"
    );
    assert!(reasons.contains(&"binary"), "{reasons:?}");
}

#[test]
fn a_fetched_thin_pack_is_traversed_like_any_other() {
    // `git fetch` receives a thin pack and completes it by appending the missing delta bases
    // after the deltas that use them (ref deltas pointing forward). The traversal decodes
    // blobs only and must follow those chains to know which entries are blobs.
    let mut up = Repo::new(11);
    let mut body = String::new();
    for i in 0..60 {
        body.push_str(&format!("def handler_{i}(event):\n    return {i}\n\n"));
    }
    up.write("src/app.py", &body);
    up.commit("handlers");
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", up.path().display());
    gitrepo::git_in(
        clone.path(),
        &["clone", "-q", "--no-local", &url, "."],
        gitrepo::START,
    );
    let key = up.openai_key();
    up.write("src/app.py", &format!("{body}OPENAI_API_KEY = \"{key}\"\n"));
    let c_key = up.commit("key");
    gitrepo::git_in(
        clone.path(),
        &[
            "-c",
            "fetch.unpackLimit=1",
            "-c",
            "transfer.unpackLimit=1",
            "fetch",
            "-q",
            "origin",
        ],
        gitrepo::START,
    );
    let packs = std::fs::read_dir(clone.path().join(".git/objects/pack"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "pack"))
        .count();
    assert_eq!(packs, 2, "the fetch must have kept its pack");
    let want = set(&[("src/app.py", 181, "openai-project-key", &c_key)]);
    let (code_t, json_t, err_t) = leakgate_reading("traverse", &["history"], clone.path());
    let (_, json_l, err_l) = leakgate_reading("lookup", &["history"], clone.path());
    assert_eq!(code_t, 1, "{err_t}");
    assert_eq!(found(&json_t), want, "{err_t}");
    assert_eq!(json_t["findings"], json_l["findings"], "{err_l}");
    assert!(
        !err_t.contains("pack traversal stopped"),
        "the traversal must read the thin pack itself: {err_t}"
    );
    assert!(err_t.contains("trace: pack traversal scanned"), "{err_t}");
}

#[test]
fn range_reports_only_what_the_range_introduces() {
    let mut r = Repo::new(5);
    let old = r.openai_key();
    r.write("settings.py", &format!("OPENAI_API_KEY = \"{old}\"\n"));
    let base = r.commit("old key on main");
    r.git(&["checkout", "-q", "-b", "pr"]);
    // the PR edits the file holding the old key, copies it elsewhere, and adds a new one
    let new = r.github_token();
    r.write(
        "settings.py",
        &format!("OPENAI_API_KEY = \"{old}\"\nGITHUB_TOKEN = \"{new}\"\n"),
    );
    let c_new = r.commit("add github token");
    r.write("copy/settings.py", &format!("OPENAI_API_KEY = \"{old}\"\n"));
    r.commit("copy settings");

    let range = format!("{base}..pr");
    let (code, json, stderr) = leakgate(&["history", "--range", &range], r.path());
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        found(&json),
        set(&[("settings.py", 2, "github-pat-classic", &c_new)])
    );
    assert_eq!(json["summary"]["commits_scanned"], 2);

    // the same with --since-commit
    let (_, json, _) = leakgate(
        &["history", "--branch", "pr", "--since-commit", &base],
        r.path(),
    );
    assert_eq!(
        found(&json),
        set(&[("settings.py", 2, "github-pat-classic", &c_new)])
    );

    // an empty range is a clean pass
    let (code, json, _) = leakgate(&["history", "--range", "pr..pr"], r.path());
    assert_eq!((code, json["findings"].as_array().unwrap().len()), (0, 0));

    // unknown revisions are errors that say how to fix them
    let (code, _, stderr) = leakgate(&["history", "--range", "nosuchbranch..pr"], r.path());
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown revision \"nosuchbranch\""),
        "{stderr}"
    );
    assert!(stderr.contains("fetch-depth: 0"), "{stderr}");
}

#[test]
fn shallow_clone_is_an_error_not_a_clean_pass() {
    let mut r = Repo::new(6);
    for i in 0..4 {
        r.write("file.txt", &format!("version {i}\n"));
        r.commit(&format!("commit {i}"));
    }
    let clone_dir = tempfile::tempdir().unwrap();
    let clone: PathBuf = clone_dir.path().join("shallow");
    let url = format!("file://{}", r.path().display());
    git_in(
        clone_dir.path(),
        &["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()],
        r.clock,
    );
    let (code, json, stderr) = leakgate(&["history"], &clone);
    assert_eq!(code, 2, "{stderr}");
    assert!(json.is_null(), "no report on an error");
    assert!(stderr.contains("shallow"), "{stderr}");
    assert!(stderr.contains("git fetch --unshallow"), "{stderr}");
    // a range inside the available history still works
    let (code, _, stderr) = leakgate(&["history", "--range", "HEAD..HEAD"], &clone);
    assert_eq!(code, 0, "{stderr}");
    // a base that was not fetched says so
    let (code, _, stderr) = leakgate(&["history", "--range", "HEAD~3..HEAD"], &clone);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("HEAD~3"), "{stderr}");
}

#[test]
fn partial_clone_without_the_blobs_is_an_error() {
    let mut r = Repo::new(8);
    let key = r.openai_key();
    r.write("config.py", &format!("KEY = \"{key}\"\n"));
    r.commit("key");
    r.write("config.py", "KEY = None\n");
    r.commit("no key");
    r.git(&["config", "uploadpack.allowFilter", "true"]);
    let clone_dir = tempfile::tempdir().unwrap();
    let clone: PathBuf = clone_dir.path().join("partial");
    let url = format!("file://{}", r.path().display());
    git_in(
        clone_dir.path(),
        &[
            "clone",
            "-q",
            "--no-checkout",
            "--filter=blob:none",
            &url,
            clone.to_str().unwrap(),
        ],
        r.clock,
    );
    let (code, json, stderr) = leakgate(&["history"], &clone);
    assert_eq!(code, 2, "{stderr}");
    assert!(json.is_null(), "no report on an error");
    assert!(stderr.contains("partial clone"), "{stderr}");
    assert!(stderr.contains("config.py (blob"), "{stderr}");
}

#[test]
fn staged_scans_the_index_not_the_work_tree_and_only_added_lines() {
    let mut r = Repo::new(7);
    let committed = r.openai_key();
    r.write("app.py", &format!("KEY = \"{committed}\"\nprint('hi')\n"));
    r.commit("existing key");

    // nothing staged: clean
    let (code, json, stderr) = leakgate(&["staged"], r.path());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["findings"].as_array().unwrap().len(), 0);

    // stage a new key in app.py (the committed key is not this commit's) and a new file
    let staged = r.github_token();
    r.write(
        "app.py",
        &format!("KEY = \"{committed}\"\nTOKEN = \"{staged}\"\nprint('hi')\n"),
    );
    let other = r.openai_key();
    r.write("new/.env", &format!("OPENAI_API_KEY={other}\n"));
    r.git(&["add", "app.py", "new/.env"]);
    // an unstaged edit with a secret is not part of the commit
    let unstaged = r.github_token();
    r.write(
        "new/.env",
        &format!("OPENAI_API_KEY={other}\nGH={unstaged}\n"),
    );
    let untracked = r.github_token();
    r.write("untracked.txt", &format!("{untracked}\n"));

    let (code, json, stderr) = leakgate(&["staged"], r.path());
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        found(&json),
        set(&[
            ("app.py", 2, "github-pat-classic", ""),
            ("new/.env", 1, "openai-project-key", ""),
            // configuration checks run on staged blobs: a .env with values is committed
            ("new/.env", 1, "committed-env-file", ""),
        ])
    );
}

#[test]
fn not_a_repository_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = leakgate(&["history"], dir.path());
    assert_eq!(code, 2);
    assert!(stderr.contains("not inside a git repository"), "{stderr}");
    let (code, _, stderr) = leakgate(&["staged"], dir.path());
    assert_eq!(code, 2);
    assert!(stderr.contains("not inside a git repository"), "{stderr}");
}

/// A history finding says whether the file at HEAD still holds the secret: a key deleted
/// from the tree is still in history (rotate it), one still present must also be removed.
#[test]
fn history_findings_say_whether_head_still_holds_the_secret() {
    let mut r = Repo::new(41);
    let gone = r.github_token();
    let kept = r.openai_key();
    r.write("old.env.sh", &format!("export GITHUB_TOKEN={gone}\n"));
    r.write("app.py", &format!("KEY = \"{kept}\"\n"));
    r.commit("add keys");
    r.write("old.env.sh", "export GITHUB_TOKEN=$(vault read token)\n");
    r.commit("read the token from vault");
    let (code, json, stderr) = leakgate(&["history"], r.path());
    assert_eq!(code, 1, "{stderr}");
    let mut at_head: Vec<(String, Value)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["commit"]["present_at_head"].clone(),
            )
        })
        .collect();
    at_head.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        at_head,
        vec![
            ("app.py".to_string(), Value::Bool(true)),
            ("old.env.sh".to_string(), Value::Bool(false)),
        ]
    );
    let text = std::process::Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(["history", "--color", "never"])
        .current_dir(r.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("; still in HEAD"), "{text}");
    assert!(
        text.contains("; no longer in HEAD (still in history)"),
        "{text}"
    );
}
