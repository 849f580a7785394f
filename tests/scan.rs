//! End-to-end: build a realistic app tree with planted, well-formed random credentials and
//! hard negatives, run the real binary, and assert the exact findings and that no output
//! format ever contains a full planted secret.

use std::collections::BTreeSet;

use leakgate::examples::{expand, Rng};

/// (file, line template, rule id expected on that line or "" for a hard negative).
/// Templates use the rule-example syntax (`{{alnum:N}}`, `{{github:ghp}}`, …).
const PLANTS: &[(&str, &str, &str)] = &[
    // .env with real values
    (".env", "OPENAI_API_KEY=sk-proj-{{alnum:58}}T3BlbkFJ{{alnum:58}}", "openai-project-key"),
    (".env", "ANTHROPIC_API_KEY=sk-ant-api03-{{base64url:93}}AA", "anthropic-api-key"),
    (".env", "STRIPE_SECRET_KEY=sk_live_{{alnum:99}}", "stripe-secret-key"),
    (".env", "STRIPE_WEBHOOK_SECRET=whsec_{{alnum:32}}", "stripe-webhook-secret"),
    (".env", "DATABASE_URL=postgres://app_user:{{alnum:18}}{{digits:2}}@db.internal.test:5432/app", "postgres-url-password"),
    (".env", "GROQ_API_KEY=gsk_{{alnum:52}}", "groq-api-key"),
    (".env", "STRIPE_PUBLISHABLE_KEY=pk_live_{{alnum:99}}", ""),
    (".env", "NEXT_PUBLIC_SITE_URL=https://app.example.com", ""),
    // server code
    ("src/server/aws.ts", "const accessKeyId = \"AKIA{{base32:16}}\";", "aws-access-key-id"),
    ("src/server/aws.ts", "const secretAccessKey = \"{{base64:20}}{{alnum:20}}\"; // aws_secret_access_key", "aws-secret-access-key"),
    ("src/server/aws.ts", "const region = process.env.AWS_REGION;", ""),
    ("src/server/db.py", "MONGO_URI = \"mongodb+srv://admin:{{alnum:16}}{{digits:2}}@cluster0.abcde.mongodb.net/app\"", "mongodb-url-password"),
    ("src/server/db.py", "REDIS_URL = os.environ[\"REDIS_URL\"]", ""),
    ("src/server/db.py", "SQL_PASSWORD = \"{{alnum:14}}{{digits:3}}\"", "generic-secret-assignment"),
    ("src/server/google.js", "const key = 'AIza{{base64url:35}}';", "google-api-key"),
    ("src/server/google.js", "const integrity = 'sha512-{{base64:86}}==';", ""),
    // infrastructure
    ("infra/main.tf", "  cloudflare_api_token = \"{{base64url:40}}\"", "cloudflare-api-token"),
    ("infra/main.tf", "  id = \"123e4567-e89b-12d3-a456-426614174000\"", ""),
    ("deploy/docker-compose.yml", "      - MYSQL_URL=mysql://root:{{alnum:14}}{{digits:2}}@mysql:3306/shop", "mysql-url-password"),
    ("deploy/docker-compose.yml", "      - POSTGRES_PASSWORD=${POSTGRES_PASSWORD}", ""),
    ("deploy/Dockerfile", "ENV SHOPIFY_TOKEN=shpat_{{hex:32}}", "shopify-access-token"),
    ("deploy/app.properties", "azure.storage=DefaultEndpointsProtocol=https;AccountName=shopdata;AccountKey={{base64:86}}==;EndpointSuffix=core.windows.net", "azure-storage-connection-string"),
    ("deploy/app.properties", "commit=9fceb02d0ae598e95dc970b74767f19372d61af8", ""),
    // docs and templates: all placeholders
    (".env.example", "OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", ""),
    (".env.example", "STRIPE_SECRET_KEY=your-stripe-secret-key-here", ""),
    (".env.example", "DATABASE_URL=postgres://user:password@localhost:5432/app", ""),
    ("docs/setup.md", "Set `AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE` in your shell.", ""),
    ("docs/setup.md", "Use `${{ secrets.NPM_TOKEN }}` in the workflow.", ""),
    ("docs/setup.md", "![logo](data:image/png;base64,{{base64:120}})", ""),
];

struct Tree {
    dir: tempfile::TempDir,
    /// (path, line, rule id) expected
    expected: BTreeSet<(String, u32, String)>,
}

fn build_tree(seed: u64) -> Tree {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(seed);
    let mut files: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    let mut expected = BTreeSet::new();
    for (path, template, rule) in PLANTS {
        let lines = files.entry(path).or_default();
        lines.push(expand(template, &mut rng).unwrap());
        if !rule.is_empty() {
            expected.insert((path.to_string(), lines.len() as u32, rule.to_string()));
        }
    }
    for (path, lines) in &files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, lines.join("\n") + "\n").unwrap();
    }
    Tree { dir, expected }
}

#[path = "support/run.rs"]
mod run;
use run::leakgate;

fn findings(json: &str) -> (BTreeSet<(String, u32, String)>, Vec<String>) {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut set = BTreeSet::new();
    let mut secrets = Vec::new();
    for f in v["findings"].as_array().unwrap() {
        set.insert((
            f["path"].as_str().unwrap().to_string(),
            f["line"].as_u64().unwrap() as u32,
            f["rule_id"].as_str().unwrap().to_string(),
        ));
        secrets.push(f["secret"].as_str().unwrap().to_string());
    }
    (set, secrets)
}

#[test]
fn finds_every_planted_secret_and_nothing_else() {
    for seed in [11, 22, 33] {
        let t = build_tree(seed);
        let (code, out, err) =
            leakgate(&["scan", ".", "--format", "json", "--reveal"], t.dir.path());
        assert_eq!(code, 1, "exit code with findings; stderr: {err}");
        let (got, _) = findings(&out);
        let missing: Vec<_> = t.expected.difference(&got).collect();
        let extra: Vec<_> = got.difference(&t.expected).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "seed {seed}\nmissing: {missing:#?}\nunexpected: {extra:#?}"
        );
    }
}

#[test]
fn no_output_format_contains_a_full_secret() {
    let t = build_tree(7);
    let (_, out, _) = leakgate(&["scan", ".", "--format", "json", "--reveal"], t.dir.path());
    let (_, secrets) = findings(&out);
    assert_eq!(secrets.len(), t.expected.len());
    for format in ["text", "json", "sarif", "github"] {
        for color in ["never", "always"] {
            let (code, out, err) = leakgate(
                &["scan", ".", "--format", format, "--color", color],
                t.dir.path(),
            );
            assert_eq!(code, 1, "{format}: {err}");
            for s in &secrets {
                // no secret, nor any 12-character piece of one beyond the shown prefix
                assert!(
                    !out.contains(s.as_str()),
                    "{format} output contains a full secret"
                );
                assert!(
                    !err.contains(s.as_str()),
                    "{format} stderr contains a full secret"
                );
                let chars: Vec<char> = s.chars().collect();
                for w in chars.windows(12).skip(6) {
                    let piece: String = w.iter().collect();
                    assert!(
                        !out.contains(&piece),
                        "{format} output contains part of a secret: {piece:?}"
                    );
                }
            }
        }
    }
    // and --reveal really reveals
    let (_, out, _) = leakgate(&["scan", ".", "--format", "text", "--reveal"], t.dir.path());
    assert!(secrets
        .iter()
        .all(|s| out.contains(s.lines().next().unwrap())));
}

#[test]
fn exit_codes_and_fail_threshold() {
    let t = build_tree(5);
    let root = t.dir.path();
    assert_eq!(
        leakgate(&["scan", ".", "--fail-on", "none", "-q"], root).0,
        0
    );
    assert_eq!(
        leakgate(&["scan", ".", "--fail-on", "critical", "-q"], root).0,
        1
    );
    std::fs::create_dir(root.join("clean")).unwrap();
    std::fs::write(root.join("clean/readme.txt"), "nothing to see\n").unwrap();
    assert_eq!(leakgate(&["scan", "clean"], root).0, 0);
    let (code, _, err) = leakgate(&["scan", "does-not-exist"], root);
    assert_eq!(code, 2);
    assert!(err.contains("does-not-exist"), "{err}");
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    std::fs::write(root.join("bad.yml"), "severity: {x: enormous}\n").unwrap();
    let (code, _, err) = leakgate(&["scan", "clean", "--config", "bad.yml"], root);
    assert_eq!(code, 2);
    assert!(err.contains("bad.yml"), "{err}");
}

#[test]
fn ignore_files_inline_allow_and_config() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut rng = Rng::new(3);
    let key = || expand("sk_live_{{alnum:99}}", &mut Rng::new(9)).unwrap();
    let line = format!("STRIPE_SECRET_KEY={}", key());
    std::fs::create_dir_all(root.join("dist")).unwrap();
    std::fs::create_dir_all(root.join("fixtures")).unwrap();
    std::fs::write(root.join(".gitignore"), "dist/\n").unwrap();
    std::fs::write(root.join("dist/app.js"), format!("{line}\n")).unwrap();
    std::fs::write(root.join("fixtures/a.env"), format!("{line}\n")).unwrap();
    std::fs::write(root.join("ok.env"), format!("{line} # leakgate:allow\n")).unwrap();
    let other = expand("STRIPE_SECRET_KEY=sk_live_{{alnum:99}}", &mut rng).unwrap();
    std::fs::write(root.join("main.env"), format!("{other}\n")).unwrap();
    std::fs::write(root.join(".leakgate.yml"), "allow:\n  paths: [fixtures]\n").unwrap();
    let (_, out, err) = leakgate(&["scan", ".", "--format", "json"], root);
    let (got, _) = findings(&out);
    let paths: Vec<&str> = got.iter().map(|(p, _, _)| p.as_str()).collect();
    assert_eq!(paths, vec!["main.env"], "{err}");
    // a path named on the command line is scanned even when ignored
    let (_, out, _) = leakgate(&["scan", "dist", "--format", "json"], root);
    let (got, _) = findings(&out);
    assert_eq!(got.len(), 1);
    // --no-ignore scans dist/ too
    let (_, out, _) = leakgate(&["scan", ".", "--no-ignore", "--format", "json"], root);
    let (got, _) = findings(&out);
    assert_eq!(
        got.iter()
            .filter(|(p, _, _)| p.starts_with("dist/"))
            .count(),
        1
    );
    // severity override: the finding stays but no longer fails a `--fail-on high` build
    std::fs::write(
        root.join(".leakgate.yml"),
        "allow:\n  paths: [fixtures]\nseverity: {stripe-secret-key: low}\n",
    )
    .unwrap();
    let (code, out, _) = leakgate(
        &["scan", ".", "--format", "json", "--fail-on", "high"],
        root,
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["findings"][0]["severity"], "low");
    assert_eq!(code, 0);
    // disabling the rule hands the line to the generic rule; disabling both silences it
    let cfg = "allow:\n  paths: [fixtures]\ndisable: [stripe-secret-key]\n";
    std::fs::write(root.join(".leakgate.yml"), cfg).unwrap();
    let (_, out, _) = leakgate(&["scan", ".", "--format", "json"], root);
    let ids: Vec<String> = findings(&out).0.into_iter().map(|(_, _, r)| r).collect();
    assert_eq!(ids, vec!["generic-secret-assignment"]);
    let cfg =
        "allow:\n  paths: [fixtures]\ndisable: [stripe-secret-key, generic-secret-assignment]\n";
    std::fs::write(root.join(".leakgate.yml"), cfg).unwrap();
    let (code, out, _) = leakgate(&["scan", ".", "--format", "json"], root);
    assert_eq!(findings(&out).0.len(), 0);
    assert_eq!(code, 0);
}

#[test]
fn binary_files_are_skipped_with_a_note_and_huge_lines_are_windowed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("logo.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    // a 20 MB single-line bundle (scanned in chunks) with a key near the end
    let key = expand("sk_live_{{alnum:99}}", &mut Rng::new(4)).unwrap();
    let mut bundle = "var a=1;".repeat(20 * 1024 * 1024 / 8);
    let col = bundle.len() + "const k=\"".len() + 1;
    bundle.push_str(&format!("const k=\"{key}\";\n"));
    std::fs::write(root.join("bundle.js"), &bundle).unwrap();
    let (code, out, err) = leakgate(&["scan", ".", "--format", "json"], root);
    assert_eq!(code, 1);
    assert!(err.contains("binary") && err.contains("logo.png"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["path"], "bundle.js");
    assert_eq!(f["line"], 1);
    assert_eq!(f["column"].as_u64().unwrap() as usize, col);
    assert!(
        f["snippet"].as_str().unwrap().len() < 200,
        "snippet is a window, not the whole line"
    );
    let skipped = v["skipped"].as_array().unwrap();
    assert!(
        skipped.iter().any(|s| s["path"] == "logo.png"),
        "{skipped:?}"
    );
    // the bundle is over the configuration-check limit, and says so
    assert!(
        skipped.iter().any(|s| s["path"] == "bundle.js"
            && s["reason"]
                .as_str()
                .unwrap()
                .contains("configuration checks skipped")),
        "{skipped:?}"
    );
}

/// A symlink named on the command line is followed, but one that leads to a device is
/// skipped with a note: reading `/dev/zero` would never end.
#[cfg(unix)]
#[test]
fn a_named_symlink_to_a_device_is_skipped_not_read_forever() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("zero");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(["scan", "zero", "--format", "json", "--quiet"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("leakgate kept reading /dev/zero");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    assert_eq!(v["skipped"][0]["path"], "zero");
    assert_eq!(
        v["skipped"][0]["reason"],
        "not a regular file (device, socket or pipe)"
    );
}

#[test]
fn a_secret_repeated_in_a_file_is_one_finding_that_lists_every_place() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(0x0CC0);
    let key = expand("sk-proj-{{alnum:58}}T3BlbkFJ{{alnum:58}}", &mut rng).unwrap();
    let text = format!("a = \"{key}\"\nb = 1\nc = \"{key}\"; d = \"{key}\"\n\ne = \"{key}\"\n");
    std::fs::write(dir.path().join("keys.py"), text).unwrap();
    let (code, json, _) = run::leakgate(&["scan", ".", "--format", "json"], dir.path());
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1, "one finding for one secret in one file");
    assert_eq!(f[0]["occurrences"], 4);
    let places: Vec<(u64, u64)> = f[0]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["line"].as_u64().unwrap(), l["column"].as_u64().unwrap()))
        .collect();
    let second = 6 + key.len() as u64 + 8; // `c = "KEY"; d = "` then the key
    assert_eq!(places, [(1, 6), (3, 6), (3, second), (5, 6)]);

    let (_, text_out, _) = run::leakgate(&["scan", ".", "--color", "never"], dir.path());
    assert!(
        text_out.contains(&format!(
            "also at: lines 3:6, 3:{second} and 5 (the same secret 4 times in this file: clean every one)"
        )),
        "{text_out}"
    );
    assert!(!text_out.contains(&key));

    let (_, sarif, _) = run::leakgate(&["scan", ".", "--format", "sarif"], dir.path());
    let s: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let rel = s["runs"][0]["results"][0]["relatedLocations"]
        .as_array()
        .unwrap();
    let lines: Vec<i64> = rel
        .iter()
        .map(|l| {
            l["physicalLocation"]["region"]["startLine"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(lines, [3, 3, 5]);
    assert!(!sarif.contains(&key));
}

#[test]
fn a_file_of_many_keys_is_capped_with_a_warning() {
    // hostile input: one key per line; the scan reports the first 10,000 and names the file
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(0xCA9);
    let mut text = String::new();
    for i in 0..10_200 {
        let key = expand("sk-proj-{{alnum:58}}T3BlbkFJ{{alnum:58}}", &mut rng).unwrap();
        text.push_str(&format!("K{i}={key}\n"));
    }
    std::fs::write(dir.path().join("dump.env"), text).unwrap();
    let (code, json, err) = run::leakgate(&["scan", ".", "--format", "json"], dir.path());
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 10_000);
    assert_eq!(f.last().unwrap()["line"], 10_000);
    assert!(
        err.contains("dump.env: 10000 findings or more; only the first 10000 are reported"),
        "{err}"
    );
}
