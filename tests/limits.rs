//! Limits that stop work say so: the decode budget, nesting past the decoder depth and
//! configuration checks skipped on huge files become `skipped` entries (JSON, SARIF
//! notifications, stderr notes), and an inline `leakgate:allow` covers only the secret next
//! to it, with a count of what it suppressed.

use base64::Engine;
use leakgate::examples::{expand, Rng};

#[path = "support/run.rs"]
mod run;
use run::leakgate;

#[path = "support/gitrepo.rs"]
mod gitrepo;
use gitrepo::Repo;

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn token(rng: &mut Rng) -> String {
    expand("{{github:ghp}}", rng).unwrap()
}

fn json(dir: &std::path::Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let mut args = vec!["scan", ".", "--no-ignore", "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = leakgate(&args, dir);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v, err)
}

/// (path, reason) of every skipped entry.
fn skipped(v: &serde_json::Value) -> Vec<(String, String)> {
    v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn rule_ids(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn decode_budget_used_up_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(1);
    let mut text = String::new();
    // about 1.2 MiB of decoded text, more than the per-blob budget
    for i in 0..4000 {
        let line = expand("{{alnum:300}}", &mut rng).unwrap();
        text.push_str(&format!("blob{i}: {}\n", b64(&line)));
    }
    text.push_str(&format!(
        "late: {}\n",
        b64(&format!("token={}", token(&mut rng)))
    ));
    std::fs::write(dir.path().join("data.txt"), text).unwrap();
    let (_, v, err) = json(dir.path(), &[]);
    let s = skipped(&v);
    assert!(
        s.iter()
            .any(|(p, r)| p == "data.txt" && r.contains("decode budget")),
        "{s:?}"
    );
    assert!(err.contains("partly scanned: decode budget"), "{err}");
    // and SARIF carries it as a tool-execution notification
    let (_, out, _) = leakgate(
        &["scan", ".", "--no-ignore", "--format", "sarif"],
        dir.path(),
    );
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"].to_string();
    assert!(
        notes.contains("Partly scanned: data.txt: decode budget"),
        "{notes}"
    );
}

#[test]
fn nesting_past_the_decoder_depth_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(2);
    let mut enc = format!("token={}", token(&mut rng));
    for _ in 0..4 {
        enc = b64(&enc);
    }
    std::fs::write(dir.path().join("deep.txt"), format!("value: {enc}\n")).unwrap();
    let (_, v, _) = json(dir.path(), &[]);
    let s = skipped(&v);
    assert!(
        s.iter()
            .any(|(p, r)| p == "deep.txt" && r.contains("nested deeper than 3")),
        "{s:?}"
    );
    // three levels are within the limit: found, nothing skipped
    let mut enc = format!("token={}", token(&mut rng));
    for _ in 0..3 {
        enc = b64(&enc);
    }
    std::fs::write(dir.path().join("deep.txt"), format!("value: {enc}\n")).unwrap();
    let (_, v, _) = json(dir.path(), &[]);
    assert_eq!(skipped(&v), vec![]);
    assert_eq!(rule_ids(&v).len(), 1, "{v}");
}

#[test]
fn config_checks_skipped_on_huge_files_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let line = "a plain line of text, nothing secret in it at all\n";
    let big = line.repeat((9 << 20) / line.len());
    std::fs::write(dir.path().join("big.js"), &big).unwrap();
    std::fs::write(dir.path().join("small.js"), line).unwrap();
    let (_, v, _) = json(dir.path(), &[]);
    let s = skipped(&v);
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].0, "big.js");
    assert!(s[0].1.contains("configuration checks skipped"), "{s:?}");
    // with configuration checks off nothing was skipped
    let (_, v, _) = json(dir.path(), &["--no-lint"]);
    assert_eq!(skipped(&v), vec![]);
}

#[test]
fn allow_marker_covers_only_a_window_around_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(3);
    let (a, b, c) = (token(&mut rng), token(&mut rng), token(&mut rng));
    let filler = "x = 1; ".repeat(400); // 2800 bytes
    let text = format!(
        "key = \"{a}\"  # leakgate:allow\n\
         /* leakgate:allow */ {filler} var t = \"{b}\";\n\
         // leakgate:allow test fixture\nother = \"{c}\"\n"
    );
    std::fs::write(dir.path().join("app.py"), text).unwrap();
    let (_, v, err) = json(dir.path(), &[]);
    let lines: Vec<u64> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    // `a` is allowed; `b` is far from the marker on a long line; `c` is on another line
    assert_eq!(lines, vec![2, 4], "{v}");
    assert_eq!(v["summary"]["allow_suppressed"], 1, "{v}");
    assert!(
        err.contains(
            "1 match suppressed by an inline allow marker (leakgate:allow, gitleaks:allow)"
        ),
        "{err}"
    );
}

/// main: a config and ignore file that exclude `fixtures/`; feature: a change that widens both
/// to cover the secret it adds.
fn pr_hiding_its_own_secret() -> (Repo, String, String) {
    let mut r = Repo::new(21);
    r.write(".leakgateignore", "fixtures/\n");
    r.write(".leakgate.yml", "allow:\n  paths: [\"fixtures/**\"]\n");
    r.write("README.md", "hello\n");
    let base = r.commit("base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    let (a, b) = (r.github_token(), r.github_token());
    r.write(".leakgateignore", "fixtures/\ndeploy/\n");
    r.write(
        ".leakgate.yml",
        "allow:\n  paths: [\"fixtures/**\", \"app/**\"]\n",
    );
    r.write("deploy/run.sh", &format!("export GH_TOKEN={a}\n"));
    r.write("app/conf.sh", &format!("export GH_TOKEN={b}\n"));
    let head = r.commit("deploy");
    (r, base, head)
}

fn finding_paths(v: &serde_json::Value) -> Vec<String> {
    let mut p: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    p.sort();
    p
}

#[test]
fn a_range_scan_reads_ignore_file_and_config_from_the_base() {
    let (r, base, head) = pr_hiding_its_own_secret();
    let range = format!("{base}..{head}");
    let (code, out, err) = leakgate(
        &["history", "--range", &range, "--format", "json"],
        r.path(),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    assert_eq!(
        finding_paths(&v),
        vec!["app/conf.sh", "deploy/run.sh"],
        "{err}"
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("read from the base commit"), "{err}");
    assert!(
        err.contains(".leakgate.yml in the work tree differs"),
        "{err}"
    );
    assert!(
        err.contains(".leakgateignore in the work tree differs"),
        "{err}"
    );

    // `leakgate ci` on the pull request does the same
    let events = tempfile::tempdir().unwrap();
    let payload = events.path().join("event.json");
    let ev = serde_json::json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}});
    std::fs::write(&payload, ev.to_string()).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(["ci", "--format", "json"])
        .current_dir(r.path())
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &payload)
        .env("CI", "true")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        finding_paths(&v),
        vec!["app/conf.sh", "deploy/run.sh"],
        "{err}"
    );
    assert_eq!(o.status.code(), Some(1), "{err}");
}

#[test]
fn a_full_history_scan_lists_what_ignore_files_and_allow_paths_exclude() {
    let (r, _, _) = pr_hiding_its_own_secret();
    let (_, out, err) = leakgate(&["history", "--format", "json", "-v"], r.path());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    // today's files apply to all of history, and every path they exclude is listed
    assert_eq!(finding_paths(&v), Vec::<String>::new(), "{err}");
    let s = skipped(&v);
    assert!(
        s.contains(&(
            "deploy/run.sh".to_string(),
            "excluded by .leakgateignore".to_string()
        )),
        "{s:?}"
    );
    assert!(
        s.contains(&(
            "app/conf.sh".to_string(),
            "excluded by allow.paths in the config".to_string()
        )),
        "{s:?}"
    );
    assert!(
        err.contains("skipped deploy/run.sh: excluded by .leakgateignore"),
        "{err}"
    );
}

/// A symlink met during a tree walk is not followed, and is listed as such.
#[cfg(unix)]
#[test]
fn symlinks_not_followed_in_a_walk_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(5);
    std::fs::write(
        outside.path().join("k.env"),
        format!("T={}\n", token(&mut rng)),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path().join("k.env"), dir.path().join("link.env")).unwrap();
    let (_, v, err) = json(dir.path(), &[]);
    let s = skipped(&v);
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].0, "link.env");
    assert!(s[0].1.contains("symbolic link, not followed"), "{s:?}");
    assert!(err.contains("symbolic link, not followed"), "{err}");
}

/// `staged` has the same blob size limit as history: a larger staged file is not read whole
/// into memory but listed as skipped.
#[test]
fn staged_files_over_the_blob_size_limit_are_skipped_and_listed() {
    let mut r = Repo::new(31);
    r.write("README.md", "hello\n");
    r.commit("init");
    let t = r.github_token();
    let filler = "just some text that is not a secret\n".repeat(60_000); // ~2 MiB
    r.write("big.txt", &format!("{filler}TOKEN={t}\n"));
    r.git(&["add", "big.txt"]);
    let (code, out, err) = leakgate(
        &["staged", "--max-blob-size", "1M", "--format", "json"],
        r.path(),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    assert_eq!(code, 0, "{err}");
    let s = skipped(&v);
    assert_eq!(s.len(), 1, "{s:?}");
    assert_eq!(s[0].0, "big.txt");
    assert!(s[0].1.contains("larger than --max-blob-size"), "{s:?}");
    // under the default limit (32M) it is scanned
    let (code, out, err) = leakgate(&["staged", "--format", "json"], r.path());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(code, 1, "{err}");
    assert_eq!(finding_paths(&v), vec!["big.txt"]);
}

/// A source map's per-map work is bounded: past 100k sources the rest are skipped, with a
/// warning and a skipped entry, and the first ones are still scanned.
#[test]
fn a_source_map_with_too_many_sources_is_bounded_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(6);
    let n = 150_000;
    let sources: Vec<String> = (0..n).map(|i| format!("s{i}.js")).collect();
    let mut contents: Vec<String> = vec![String::new(); n];
    contents[3] = format!("const t = \"{}\";\n", token(&mut rng));
    let map = serde_json::json!({"version": 3, "sources": sources, "sourcesContent": contents, "mappings": ""});
    std::fs::create_dir(dir.path().join("dist")).unwrap();
    std::fs::write(dir.path().join("dist/app.js.map"), map.to_string()).unwrap();
    let (_, v, err) = json(dir.path(), &["--no-lint"]);
    let s = skipped(&v);
    assert!(
        s.iter()
            .any(|(p, r)| p == "dist/app.js.map" && r.contains("more than 100000 sources")),
        "{s:?}"
    );
    assert!(
        err.contains("source map with 150000 sources; only the first 100000"),
        "{err}"
    );
    assert_eq!(rule_ids(&v).len(), 1, "{v}");
}

/// A user rule for an internal token format, in a rule file the config names.
fn internal_rule(pattern: &str) -> String {
    format!(
        "rules:\n  - id: acme-internal-token\n    name: ACME internal token\n    description: An ACME deploy token.\n    severity: high\n    keywords: [\"acme_\"]\n    pattern: '{pattern}'\n    remediation: Revoke it.\n"
    )
}

/// A range scan (`history --range`, `ci` on a pull request) reads the rule files its config
/// names from the base commit, like the config itself: a change that weakens a rule file
/// cannot hide the token it adds (the rule files were read from the work tree).
#[test]
fn a_range_scan_reads_rule_files_from_the_base() {
    let mut r = Repo::new(41);
    r.write(".leakgate.yml", "rule_files: [ci/rules.yml]\n");
    r.write(
        "ci/rules.yml",
        &internal_rule(r"\b(?P<secret>acme_[a-z0-9]{32})\b"),
    );
    r.write("README.md", "hello\n");
    let base = r.commit("base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    let token = expand("acme_{{lower:32}}", &mut r.rng).unwrap();
    // the pull request makes the rule match nothing, and adds a token
    r.write(
        "ci/rules.yml",
        &internal_rule(r"\b(?P<secret>acme_(?:NEVER){2})\b"),
    );
    r.write("deploy.sh", &format!("export ACME_TOKEN={token}\n"));
    let head = r.commit("deploy");
    let range = format!("{base}..{head}");
    let (code, out, err) = leakgate(
        &["history", "--range", &range, "--format", "json"],
        r.path(),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    assert_eq!(finding_paths(&v), vec!["deploy.sh"], "{v:#}\n{err}");
    assert_eq!(rule_ids(&v), vec!["acme-internal-token"], "{err}");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("ci/rules.yml in the work tree differs"),
        "{err}"
    );

    let events = tempfile::tempdir().unwrap();
    let payload = events.path().join("event.json");
    let ev = serde_json::json!({"pull_request": {"base": {"sha": base}, "head": {"sha": head}}});
    std::fs::write(&payload, ev.to_string()).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(["ci", "--format", "json"])
        .current_dir(r.path())
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &payload)
        .env("CI", "true")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(finding_paths(&v), vec!["deploy.sh"], "{err}");
    assert_eq!(o.status.code(), Some(1), "{err}");

    // a rule file the base does not have is an error, not a silent default
    r.git(&["checkout", "-q", "main"]);
    r.write(".leakgate.yml", "rule_files: [ci/missing.yml]\n");
    let base2 = r.commit("names a rule file it does not add");
    r.write("ci/missing.yml", &internal_rule(r"\b(?P<secret>acme_x)\b"));
    let head2 = r.commit("adds it");
    let (code, _, err) = leakgate(
        &["history", "--range", &format!("{base2}..{head2}")],
        r.path(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("ci/missing.yml") && err.contains("not in the base commit"),
        "{err}"
    );
}
