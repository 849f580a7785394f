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

    // tree
    let mut repo = Repo::new(11);
    let p = plant(&mut repo);
    repo.write(".leakgate.yml", CONFIG);
    let base = repo.commit("config");
    write_all(repo.path(), &p.files);
    let (_, out) = json_of(&["scan", ".", "--format", "json"], repo.path());
    cases.push(("tree", found(&out), expected("", true)));

    // history, and a range whose base holds only the config
    repo.commit("add the app");
    let (_, out) = json_of(&["history", "--format", "json"], repo.path());
    cases.push(("history", found(&out), expected("", true)));
    let range = format!("{base}..HEAD");
    let (_, out) = json_of(
        &["history", "--range", &range, "--format", "json"],
        repo.path(),
    );
    cases.push(("range", found(&out), expected("", true)));

    // staged
    let mut repo = Repo::new(12);
    let p = plant(&mut repo);
    repo.write(".leakgate.yml", CONFIG);
    repo.commit("config");
    write_all(repo.path(), &p.files);
    repo.git(&["add", "-A"]);
    let (_, out) = json_of(&["staged", "--format", "json"], repo.path());
    cases.push(("staged", found(&out), expected("", true)));

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
    repo.commit("release");
    let (_, out) = json_of(&["history", "--format", "json"], repo.path());
    cases.push((
        "archive in history",
        found(&out),
        expected("release.zip!", true),
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

    let failed: Vec<String> = cases
        .iter()
        .filter(|(_, got, want)| got != want)
        .map(|(kind, got, want)| format!("{kind}:\n  got  {got:?}\n  want {want:?}"))
        .collect();
    assert!(failed.is_empty(), "\n{}", failed.join("\n"));
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
