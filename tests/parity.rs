//! One pipeline for every source: the same secrets and hazards, planted in every kind of
//! source leakgate reads (a tree, history, the staged index, a range, an archive in a tree
//! and in history, a source map's contents, a CI log, a commit message), give the same
//! findings, and the same allow-list, sample-hiding and configuration-check behaviour.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

#[path = "support/gitrepo.rs"]
mod gitrepo;
#[path = "support/run.rs"]
mod run;
use gitrepo::Repo;
use leakgate::examples::expand;

const CONFIG: &str = "allow:\n  paths:\n    - \"vendor/**\"\n";

const WORKFLOW: &str = "on: pull_request_target
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: npm test
";

/// The planted files: a provider token (reported everywhere), a generic password in code
/// (reported) and the same in a test fixture (hidden: sample data), a token under an
/// allow-listed folder (never reported), and a workflow that checks out pull-request code
/// with secrets (a configuration finding).
struct Plant {
    files: Vec<(&'static str, String)>,
}

fn plant(repo: &mut Repo) -> Plant {
    let token = repo.github_token();
    let vendored = repo.github_token();
    let password = expand("{{alnum:20}}", &mut repo.rng).unwrap();
    Plant {
        files: vec![
            ("src/config.py", format!("GITHUB_TOKEN = \"{token}\"\n")),
            ("src/settings.py", format!("db_password = \"{password}\"\n")),
            (
                "tests/fixtures/settings.py",
                format!("db_password = \"{password}\"\n"),
            ),
            ("vendor/lib.py", format!("TOKEN = \"{vendored}\"\n")),
            (".github/workflows/pr.yml", WORKFLOW.to_string()),
        ],
    }
}

/// (path, rule id) of every finding of a JSON report.
fn found(json: &str) -> BTreeSet<(String, String)> {
    run::path_line_rule(json)
        .into_iter()
        .map(|(p, _, r)| (p, r))
        .collect()
}

/// What every source must report for the planted files placed under `prefix` (`""` for the
/// tree itself, `release.zip!` for an archive), with or without configuration checks.
fn expected(prefix: &str, config_checks: bool) -> BTreeSet<(String, String)> {
    let mut want: BTreeSet<(String, String)> = [
        ("src/config.py", "github-pat-classic"),
        ("src/settings.py", "generic-secret-assignment"),
    ]
    .iter()
    .map(|(p, r)| (format!("{prefix}{p}"), r.to_string()))
    .collect();
    if config_checks {
        want.insert((
            format!("{prefix}.github/workflows/pr.yml"),
            "gha-untrusted-checkout-with-secrets".into(),
        ));
    }
    want
}

fn zip_of(files: &[(&str, String)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        z.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn write_all(dir: &Path, files: &[(&str, String)]) {
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn json_of(args: &[&str], cwd: &Path) -> (i32, String) {
    let (code, out, err) = run::leakgate(args, cwd);
    assert!(code == 0 || code == 1, "{args:?}: exit {code}: {err}");
    (code, out)
}

#[test]
fn every_source_reports_the_same_findings() {
    // the kinds, each with the report it gives and what it must hold
    type Case = (
        &'static str,
        BTreeSet<(String, String)>,
        BTreeSet<(String, String)>,
    );
    let mut cases: Vec<Case> = Vec::new();
    // and where each finding came from (its provenance, outermost last)
    let mut chains: Vec<(&str, BTreeSet<String>, &str)> = Vec::new();

    // tree
    let mut repo = Repo::new(11);
    let p = plant(&mut repo);
    repo.write(".leakgate.yml", CONFIG);
    let base = repo.commit("config");
    write_all(repo.path(), &p.files);
    let (_, out) = json_of(&["scan", ".", "--format", "json"], repo.path());
    cases.push(("tree", found(&out), expected("", true)));
    chains.push(("tree", provenances(&out), "file"));

    // history, and a range whose base holds only the config
    repo.commit("add the app");
    let (_, out) = json_of(&["history", "--format", "json"], repo.path());
    cases.push(("history", found(&out), expected("", true)));
    chains.push(("history", provenances(&out), "git_blob"));
    let range = format!("{base}..HEAD");
    let (_, out) = json_of(
        &["history", "--range", &range, "--format", "json"],
        repo.path(),
    );
    cases.push(("range", found(&out), expected("", true)));
    chains.push(("range", provenances(&out), "git_blob"));

    // staged
    let mut repo = Repo::new(12);
    let p = plant(&mut repo);
    repo.write(".leakgate.yml", CONFIG);
    repo.commit("config");
    write_all(repo.path(), &p.files);
    repo.git(&["add", "-A"]);
    let (_, out) = json_of(&["staged", "--format", "json"], repo.path());
    cases.push(("staged", found(&out), expected("", true)));
    chains.push(("staged", provenances(&out), "staged"));

    // an archive in a tree, and the same archive committed
    let mut repo = Repo::new(13);
    let p = plant(&mut repo);
    repo.write(".leakgate.yml", CONFIG);
    std::fs::write(repo.path().join("release.zip"), zip_of(&p.files)).unwrap();
    let (_, out) = json_of(&["scan", ".", "--format", "json"], repo.path());
    cases.push((
        "archive in tree",
        found(&out),
        expected("release.zip!", true),
    ));
    chains.push(("archive in tree", provenances(&out), "archive_entry<file>"));
    repo.commit("release");
    let (_, out) = json_of(&["history", "--format", "json"], repo.path());
    cases.push((
        "archive in history",
        found(&out),
        expected("release.zip!", true),
    ));
    chains.push((
        "archive in history",
        provenances(&out),
        "archive_entry<git_blob>",
    ));

    // a source map's contents (configuration checks do not apply to sources of a bundle)
    let mut repo = Repo::new(14);
    let p = plant(&mut repo);
    repo.write(".leakgate.yml", CONFIG);
    let sources: Vec<&str> = p.files.iter().map(|(n, _)| *n).collect();
    let contents: Vec<&str> = p.files.iter().map(|(_, t)| t.as_str()).collect();
    let map = serde_json::json!({
        "version": 3, "file": "app.js", "sources": sources,
        "sourcesContent": contents, "names": [], "mappings": "",
    });
    repo.write("app.js.map", &map.to_string());
    let (_, out) = json_of(&["scan", ".", "--format", "json"], repo.path());
    cases.push(("map content", found(&out), expected("", false)));
    chains.push(("map content", provenances(&out), "map_source<file>"));

    // a CI log: the log is one file, so where it lies decides (a log under tests/ is sample
    // data, like any file there)
    let mut repo = Repo::new(15);
    let p = plant(&mut repo);
    let mut log = String::new();
    for (_, text) in &p.files[..2] {
        log.push_str(&format!("2024-01-02T03:04:05.1234567Z {text}"));
    }
    repo.write("ci/build.log", &log);
    repo.write("tests/logs/build.log", &log);
    let (_, out) = json_of(&["scan", ".", "--format", "json"], repo.path());
    let want: BTreeSet<(String, String)> = [
        ("ci/build.log", "github-pat-classic"),
        ("ci/build.log", "generic-secret-assignment"),
        ("tests/logs/build.log", "github-pat-classic"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    cases.push(("log", found(&out), want));
    chains.push(("log", provenances(&out), "file"));

    // a commit message
    let mut repo = Repo::new(16);
    let token = repo.github_token();
    repo.write("a.txt", "a\n");
    let sha = repo.commit(&format!("deploy with {token}"));
    let (_, out) = json_of(&["history", "--format", "json"], repo.path());
    let want: BTreeSet<(String, String)> = [(
        format!("COMMIT_MSG@{}", &sha[..7]),
        "github-pat-classic".to_string(),
    )]
    .into_iter()
    .collect();
    assert!(!out.contains(&token), "the token is printed");
    cases.push(("commit message", found(&out), want));
    chains.push(("commit message", provenances(&out), "commit_message"));

    let failed: Vec<String> = cases
        .iter()
        .filter(|(_, got, want)| got != want)
        .map(|(kind, got, want)| format!("{kind}:\n  got  {got:?}\n  want {want:?}"))
        .collect();
    assert!(failed.is_empty(), "\n{}", failed.join("\n"));
    let wrong: Vec<String> = chains
        .iter()
        .filter(|(_, got, want)| got.len() != 1 || !got.contains(*want))
        .map(|(kind, got, want)| format!("{kind}: provenance {got:?}, want {want:?}"))
        .collect();
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

/// The provenance of every finding of a JSON report as a chain (`archive_entry<git_blob>`),
/// checking on the way that it renders as the finding's path and names its commit.
fn provenances(json: &str) -> BTreeSet<String> {
    fn chain(p: &serde_json::Value) -> String {
        let kind = p["kind"].as_str().expect("provenance kind").to_string();
        match kind.as_str() {
            "archive_entry" => format!("archive_entry<{}>", chain(&p["archive"])),
            "map_source" => format!("map_source<{}>", chain(&p["via"])),
            _ => kind,
        }
    }
    fn display(p: &serde_json::Value) -> String {
        let s = |k: &str| {
            p[k].as_str()
                .unwrap_or_else(|| panic!("{k} in {p}"))
                .to_string()
        };
        match p["kind"].as_str().unwrap() {
            "file" | "staged" | "log" | "git_blob" => s("path"),
            "stdin" => s("name"),
            "commit_message" => format!("COMMIT_MSG@{}", &s("commit")[..7]),
            "archive_entry" => format!("{}!{}", display(&p["archive"]), s("entry")),
            "map_source" => s("source"),
            other => panic!("unknown provenance kind {other}"),
        }
    }
    fn commit_of(p: &serde_json::Value) -> Option<&str> {
        p["commit"]
            .as_str()
            .or_else(|| p.get("archive").and_then(commit_of))
            .or_else(|| p.get("via").and_then(commit_of))
    }
    let doc: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut out = BTreeSet::new();
    for f in doc["findings"].as_array().unwrap() {
        let p = &f["provenance"];
        assert_eq!(display(p), f["path"].as_str().unwrap(), "{p}");
        if let Some(c) = f["commit"]["sha"].as_str() {
            assert_eq!(commit_of(p), Some(c), "{p}");
        }
        out.insert(chain(p));
    }
    out
}

/// The done-when cases of the pipeline issue, end to end: a committed zip fails `history`, a
/// staged `.env` with values fails `staged`, a tracked file that `.gitignore` matches is
/// scanned by `scan`.
#[test]
fn committed_zip_staged_env_and_tracked_ignored_file() {
    let mut repo = Repo::new(21);
    let token = repo.github_token();
    let zip = zip_of(&[("conf/app.properties", format!("github.token={token}\n"))]);
    std::fs::write(repo.path().join("release.zip"), zip).unwrap();
    repo.commit("release");
    let (code, out, _) = run::leakgate(&["history", "--format", "json"], repo.path());
    assert_eq!(code, 1, "{out}");
    assert!(found(&out).contains(&(
        "release.zip!conf/app.properties".to_string(),
        "github-pat-classic".to_string()
    )));

    // a staged .env with real values
    let key = repo.openai_key();
    repo.write(".env", &format!("OPENAI_API_KEY={key}\nDEBUG=1\n"));
    repo.git(&["add", ".env"]);
    let (code, out, _) = run::leakgate(&["staged", "--format", "json"], repo.path());
    assert_eq!(code, 1, "{out}");
    let rules: BTreeSet<String> = found(&out).into_iter().map(|(_, r)| r).collect();
    assert!(rules.contains("committed-env-file"), "{rules:?}");
    repo.git(&["reset", "-q"]);
    std::fs::remove_file(repo.path().join(".env")).unwrap();

    // tracked, then ignored: it is in the repository, so it is scanned
    let token2 = repo.github_token();
    repo.write("prod.conf", &format!("token = {token2}\n"));
    repo.write(".gitignore", "*.conf\n");
    repo.git(&["add", "-f", "prod.conf", ".gitignore"]);
    repo.commit("add prod config");
    let (code, out, _) = run::leakgate(&["scan", ".", "--format", "json"], repo.path());
    assert_eq!(code, 1, "{out}");
    assert!(found(&out).contains(&("prod.conf".to_string(), "github-pat-classic".to_string())));
    // an untracked ignored file stays out, as before
    let token3 = repo.github_token();
    repo.write("local.conf", &format!("token = {token3}\n"));
    let (_, out, _) = run::leakgate(&["scan", ".", "--format", "json"], repo.path());
    assert!(!found(&out).iter().any(|(p, _)| p == "local.conf"), "{out}");
}

/// Provenance of the sources the table above does not cover (a log read by `scan-log`,
/// standard input, an archive inside an archive committed to history), the words text
/// output adds for it, and GitHub's line hash taken from the content the finding was made
/// on (the committed blob: the file on disk is gone), not read back by the reporter.
#[test]
fn provenance_of_logs_stdin_nested_archives_and_the_line_hash() {
    let mut repo = Repo::new(17);
    let token = repo.github_token();
    let line = format!("GITHUB_TOKEN = \"{token}\"\n");

    // scan-log
    repo.write("build.log", &format!("2024-01-02T03:04:05.1234567Z {line}"));
    let (_, out) = json_of(&["scan-log", "build.log", "--format", "json"], repo.path());
    assert_eq!(provenances(&out), ["log".to_string()].into());

    // standard input
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(["scan", "-", "--format", "json"])
        .current_dir(repo.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(line.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = String::from_utf8(out.stdout).unwrap();
    assert_eq!(provenances(&out), ["stdin".to_string()].into());

    // a jar inside a zip, committed, then deleted from the tree
    std::fs::remove_file(repo.path().join("build.log")).unwrap();
    let short = "x = 1\n".to_string();
    let jar = zip_of(&[("a.properties", format!("{short}{line}y = 2\n"))]);
    let zip = {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        z.start_file("lib/inner.jar", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(&jar).unwrap();
        z.finish().unwrap().into_inner()
    };
    std::fs::write(repo.path().join("app.zip"), zip).unwrap();
    let sha = repo.commit("release");
    std::fs::remove_file(repo.path().join("app.zip")).unwrap();
    repo.commit("remove the release");
    let (_, out) = json_of(&["history", "--format", "json"], repo.path());
    assert_eq!(
        provenances(&out),
        ["archive_entry<archive_entry<git_blob>>".to_string()].into()
    );
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = &doc["findings"][0];
    assert_eq!(f["path"], "app.zip!lib/inner.jar!a.properties");
    assert_eq!(
        f["provenance"]["archive"]["archive"]["commit"],
        sha.as_str()
    );
    assert!(!out.contains(&token));

    // text says where it came from
    let (_, text, _) = run::leakgate(&["history", "--color", "never"], repo.path());
    assert!(
        text.contains("(in archive app.zip!lib/inner.jar)"),
        "{text}"
    );

    // SARIF: the line hash of line 2 of the entry's content (a short line, so its hash
    // reaches into line 3: the finding's line alone gives another value)
    let (_, sarif, _) = run::leakgate(&["history", "--format", "sarif"], repo.path());
    let doc: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let res = &doc["runs"][0]["results"][0];
    let content = format!("{short}{line}y = 2\n");
    let want = leakgate::report::sarif::linehash::line_hashes(&content)[1].clone();
    assert_eq!(
        res["partialFingerprints"]["primaryLocationLineHash"],
        want.as_str()
    );
    assert_ne!(
        want,
        leakgate::report::sarif::line_hash(line.trim_end_matches('\n'))
    );
    assert_eq!(
        res["properties"]["provenance"]["kind"], "archive_entry",
        "{res}"
    );
    assert!(
        res["message"]["text"]
            .as_str()
            .unwrap()
            .contains("Found in archive app.zip!lib/inner.jar."),
        "{res}"
    );
}
