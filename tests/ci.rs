//! `leakgate ci` driven by GitHub event payloads, `--baseline`, and the extra outputs the
//! GitHub Action uses (`--sarif`, `--summary`, `--count-file`), end to end on repositories
//! built by the tests.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

#[path = "support/gitrepo.rs"]
mod gitrepo;
use gitrepo::Repo;

/// Run `leakgate ci` with a GitHub event; returns (exit code, JSON report, stderr).
fn ci(repo: &Path, event: &str, payload: &Value, extra: &[&str]) -> (i32, Value, String) {
    let events = tempfile::tempdir().unwrap();
    let payload_path = events.path().join("event.json");
    std::fs::write(&payload_path, payload.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(["ci", "--format", "json"])
        .args(extra)
        .current_dir(repo)
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_EVENT_PATH", &payload_path)
        .env("CI", "true")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn paths(json: &Value) -> Vec<String> {
    let mut v: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}:{}", f["path"].as_str().unwrap(), f["line"]))
        .collect();
    v.sort();
    v
}

/// main: an old secret; feature branch: a new one.
fn repo_with_feature() -> (Repo, String, String) {
    let mut r = Repo::new(11);
    let old = r.github_token();
    r.write("legacy.env", &format!("GITHUB_TOKEN={old}\n"));
    let base = r.commit("legacy");
    r.git(&["checkout", "-q", "-b", "feature"]);
    let new = r.github_token();
    r.write("app/deploy.sh", &format!("export GH_TOKEN={new}\n"));
    let head = r.commit("deploy script");
    (r, base, head)
}

#[test]
fn pull_request_reports_only_the_pull_requests_secrets() {
    let (r, base, head) = repo_with_feature();
    let payload = json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}});
    let (code, json, stderr) = ci(r.path(), "pull_request", &payload, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(paths(&json), vec!["app/deploy.sh:1"]);
    assert!(
        stderr.contains("pull_request: scanning the commits in"),
        "{stderr}"
    );
}

#[test]
fn push_events() {
    let (mut r, base, head) = repo_with_feature();
    // an ordinary push: before..after
    let (code, json, _) = ci(
        r.path(),
        "push",
        &json!({"ref": "refs/heads/feature", "before": base, "after": head}),
        &[],
    );
    assert_eq!(
        (code, paths(&json)),
        (1, vec!["app/deploy.sh:1".to_string()])
    );
    // a push with no new commits is a clean pass, not an error
    let (code, json, stderr) = ci(
        r.path(),
        "push",
        &json!({"ref": "refs/heads/feature", "before": head, "after": head}),
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(paths(&json), Vec::<String>::new());
    assert!(stderr.contains("no commits"), "{stderr}");
    // a new branch (all-zero before): only commits no other ref has
    r.git(&["checkout", "-q", "-b", "second", "feature"]);
    let t = r.github_token();
    r.write("second.txt", &format!("token: {t}\n"));
    let second = r.commit("second branch");
    let (code, json, stderr) = ci(
        r.path(),
        "push",
        &json!({"ref": "refs/heads/second", "before": "0000000000000000000000000000000000000000", "after": second, "created": true}),
        &[],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(paths(&json), vec!["second.txt:1"]);
}

#[test]
fn schedule_scans_full_history_and_baseline_accepts_old_findings() {
    let (r, _, _) = repo_with_feature();
    let (code, json, _) = ci(r.path(), "schedule", &json!({}), &[]);
    assert_eq!(code, 1);
    assert_eq!(paths(&json), vec!["app/deploy.sh:1", "legacy.env:1"]);

    // accept what is there today
    let out = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(["baseline", "create", "-o", "baseline.json"])
        .current_dir(r.path())
        .env("CI", "true")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(r.path().join("baseline.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let entries = doc["findings"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{text}");
    let fps: Vec<&str> = entries
        .iter()
        .map(|e| e["fingerprint"].as_str().unwrap())
        .collect();
    let mut sorted = fps.clone();
    sorted.sort();
    assert_eq!(fps, sorted, "baseline entries are sorted");
    assert!(!text.contains("\"line\""), "no line numbers in a baseline");
    // an untracked file: history scans do not see it
    let baseline = "baseline.json";

    let (code, json, stderr) = ci(r.path(), "schedule", &json!({}), &["--baseline", baseline]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(paths(&json), Vec::<String>::new());
    assert!(
        stderr.contains("2 findings accepted in the baseline are not reported"),
        "{stderr}"
    );
}

#[test]
fn baseline_survives_line_moves_and_edits_but_not_new_secrets() {
    let mut r = Repo::new(12);
    let old = r.github_token();
    r.write("config.env", &format!("GITHUB_TOKEN={old}\n"));
    r.commit("config");
    let out = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(["baseline", "create", "-o", "bl.json", "--no-history"])
        .current_dir(r.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    // move the line down and edit around it; add a new secret
    let new = r.github_token();
    r.write(
        "config.env",
        &format!("# settings\nDEBUG=false\nGITHUB_TOKEN={old}\nOTHER_TOKEN={new}\n"),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(["scan", ".", "--format", "json", "--baseline", "bl.json"])
        .current_dir(r.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(paths(&json), vec!["config.env:4"]);
    // a malformed baseline is an error, not a silent pass
    std::fs::write(
        r.path().join("bad.json"),
        "{\"version\": 1, \"findings\": [{\"fingerprint\": \"xyz\"}]}",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(["scan", ".", "--baseline", "bad.json"])
        .current_dir(r.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("bad.json: entry 1 has an invalid fingerprint"));
}

#[test]
fn one_scan_writes_sarif_summary_and_count() {
    let (r, base, head) = repo_with_feature();
    let out_dir = tempfile::tempdir().unwrap();
    let sarif = out_dir.path().join("l.sarif");
    let summary = out_dir.path().join("summary.md");
    let count = out_dir.path().join("count");
    std::fs::write(&summary, "previous step\n").unwrap();
    let payload = json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}});
    let (code, _, _) = ci(
        r.path(),
        "pull_request",
        &payload,
        &[
            "--sarif",
            sarif.to_str().unwrap(),
            "--summary",
            summary.to_str().unwrap(),
            "--count-file",
            count.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    let s: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "app/deploy.sh"
    );
    assert_eq!(results[0]["properties"]["commit"]["sha"], head.as_str());
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with("previous step\n## leakgate"),
        "appended: {md}"
    );
    assert!(
        md.contains("| high |") || md.contains("| critical |"),
        "{md}"
    );
    assert!(md.contains("`app/deploy.sh:1`"), "{md}");
    assert_eq!(std::fs::read_to_string(&count).unwrap(), "1\n");
}

#[test]
fn outside_github_actions_ci_says_what_to_use() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .arg("ci")
        .current_dir(dir.path())
        .env_remove("GITHUB_EVENT_NAME")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("GITHUB_EVENT_NAME is not set"));
}

/// A pull request that commits an archive holding a key fails `leakgate ci` (the archive is
/// opened like in a tree scan), and one that adds a `pull_request_target` workflow checking
/// out the pull request's code fails too (configuration checks run on the range).
#[test]
fn pull_request_with_a_zipped_key_or_a_dangerous_workflow_fails() {
    use std::io::Write;
    let mut r = Repo::new(31);
    r.write("README.md", "app\n");
    let base = r.commit("init");
    r.git(&["checkout", "-q", "-b", "release"]);
    let token = r.github_token();
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.start_file(
        "conf/app.properties",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    z.write_all(format!("github.token={token}\n").as_bytes())
        .unwrap();
    std::fs::write(
        r.path().join("release.zip"),
        z.finish().unwrap().into_inner(),
    )
    .unwrap();
    r.write(
        ".github/workflows/pr.yml",
        "on: pull_request_target\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm test\n",
    );
    let head = r.commit("release bundle");
    let payload = json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}});
    let (code, json, stderr) = ci(r.path(), "pull_request", &payload, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        paths(&json),
        vec![
            ".github/workflows/pr.yml:8",
            "release.zip!conf/app.properties:1"
        ]
    );
    let out = json.to_string();
    assert!(!out.contains(&token), "the key is printed");
}
