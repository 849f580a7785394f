//! Configuration checks end to end: a project tree with one instance of every check family
//! next to quiet-when-correct twins, scanned by the real binary; exact findings (path, line,
//! column, rule) in JSON, and every output format handles configuration findings.

#[path = "support/multitool.rs"]
mod multitool;

use std::collections::BTreeSet;
use std::path::Path;

use leakgate::examples::{expand, Rng};

const FILES: &[(&str, &str)] = &[
    (".gitignore", "node_modules/\n"),
    (
        ".env",
        "PORT=3000\nNEXT_PUBLIC_SUPABASE_ANON_KEY=\nNEXT_PUBLIC_STRIPE_SECRET_KEY=\nVITE_OPENAI_API_KEY=sk-proj-{{alnum:58}}T3BlbkFJ{{alnum:58}}\n",
    ),
    (".env.example", "NEXT_PUBLIC_SITE_URL=\nSESSION_SECRET=\n"),
    (
        "src/client.ts",
        "const a = process.env.NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY;\nlocalStorage.setItem('theme', 'dark');\nlocalStorage.setItem('access_token', t);\nconst u = import.meta.env.VITE_SUPABASE_URL;\nlocalStorage.setItem('jwt', t); // leakgate:allow\n",
    ),
    (
        "server/app.js",
        "const session = require('express-session');\napp.use(cors({ origin: true, credentials: true }));\n\n\n\n\n\n\n\n\n\n\n\n\n\napp.use(cors({ origin: ['https://app.example.com'], credentials: true }));\napp.use(session({ secret: process.env.S, cookie: { httpOnly: true, secure: true, sameSite: 'lax' } }));\nres.cookie('session', id);\n",
    ),
    (
        ".github/workflows/ci.yml",
        "on: pull_request_target\npermissions: write-all\nenv:\n  ACTIONS_STEP_DEBUG: true\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n      API_PASSWORD: k{{alnum:6}}Q{{digits:2}}{{alnum:6}}\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - uses: some-org/deploy@v1\n        with:\n          token: ${{ secrets.DEPLOY_TOKEN }}\n      - uses: some-org/deploy@8f4b7f84864484a7bf31766abe9204da3cbe65b3\n        env:\n          TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n      - run: echo \"${{ secrets.NPM_TOKEN }}\"\n      - run: echo '${{ toJSON(secrets) }}'\n",
    ),
    (".github/workflows/broken.yml", "on: [push\njobs: {\n"),
    (".gitlab-ci.yml", "variables:\n  CI_DEBUG_TRACE: \"true\"\n"),
    ("next.config.js", "module.exports = { productionBrowserSourceMaps: true };\n"),
    ("vite.config.ts", "export default { build: { sourcemap: 'hidden' } };\n"),
    ("dist/app.js.map", "{\"version\":3,\"sources\":[]}\n"),
    ("dist/vendor.js.map", "{\"version\":3,\"sources\":[]}\n"),
    ("infra/terraform.tfstate", "{\"version\": 4}\n"),
    (".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"),
];

const EXPECTED: &[(&str, u32, u32, &str)] = &[
    (".env", 1, 1, "committed-env-file"),
    (".env", 3, 1, "client-exposed-secret-env"),
    (".env", 4, 1, "client-exposed-secret-env"),
    (".env", 4, 21, "openai-project-key"),
    (
        ".github/workflows/ci.yml",
        2,
        14,
        "gha-permissions-write-all",
    ),
    (".github/workflows/ci.yml", 4, 3, "ci-debug-logging"),
    (".github/workflows/ci.yml", 9, 21, "ci-literal-credential"),
    (
        ".github/workflows/ci.yml",
        13,
        16,
        "gha-untrusted-checkout-with-secrets",
    ),
    (
        ".github/workflows/ci.yml",
        14,
        15,
        "gha-secrets-to-unpinned-action",
    ),
    (".github/workflows/ci.yml", 20, 20, "ci-secret-in-logs"),
    (".github/workflows/ci.yml", 21, 24, "gha-tojson-secrets"),
    (".gitignore", 1, 1, "gitignore-missing-env"),
    (".gitlab-ci.yml", 2, 3, "ci-debug-logging"),
    ("certs/release.p12", 1, 1, "committed-keystore"),
    ("dist/app.js.map", 1, 1, "source-maps-in-build-output"),
    ("infra/terraform.tfstate", 1, 1, "committed-terraform-state"),
    ("next.config.js", 1, 20, "production-source-maps"),
    ("server/app.js", 2, 16, "cors-any-origin-with-credentials"),
    ("server/app.js", 18, 1, "insecure-session-cookie"),
    ("src/client.ts", 1, 23, "client-exposed-secret-env"),
    ("src/client.ts", 3, 1, "token-in-web-storage"),
];

fn build(seed: u64) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(seed);
    let mut planted = Vec::new();
    for (path, template) in FILES {
        let text = expand(template, &mut rng).unwrap();
        if template.contains("{{") {
            // remember generated values to check redaction
            for line in text.lines() {
                if let Some((_, v)) = line.split_once("API_PASSWORD: ") {
                    planted.push(v.to_string());
                }
                if let Some((_, v)) = line.split_once("VITE_OPENAI_API_KEY=") {
                    planted.push(v.to_string());
                }
            }
        }
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    std::fs::create_dir_all(dir.path().join("certs")).unwrap();
    std::fs::write(
        dir.path().join("certs/release.p12"),
        b"0\x82\x0a\x00\x00\x01binary",
    )
    .unwrap();
    (dir, planted)
}

#[path = "support/run.rs"]
mod run;
use run::leakgate;

type Got = BTreeSet<(String, u32, u32, String)>;

fn findings(json: &str) -> (Got, serde_json::Value) {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let set = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap() as u32,
                f["column"].as_u64().unwrap() as u32,
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (set, v)
}

fn expected() -> Got {
    EXPECTED
        .iter()
        .map(|(p, l, c, r)| (p.to_string(), *l, *c, r.to_string()))
        .collect()
}

#[test]
fn every_check_family_reports_exact_positions_and_nothing_else() {
    for seed in [3, 17] {
        let (dir, _) = build(seed);
        let (code, out, err) = leakgate(&["scan", ".", "--format", "json"], dir.path());
        assert_eq!(code, 1, "{err}");
        let (got, v) = findings(&out);
        let want = expected();
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "seed {seed}\nmissing: {missing:#?}\nunexpected: {extra:#?}"
        );
        // malformed YAML is a warning naming the file, not a crash
        assert!(
            err.contains(".github/workflows/broken.yml") && err.contains("invalid YAML"),
            "{err}"
        );
        // the `// leakgate:allow` on src/client.ts line 5 is counted like a secret's
        assert_eq!(v["summary"]["allow_suppressed"], 1, "{err}");
        assert!(
            err.contains("1 match suppressed by an inline allow marker"),
            "{err}"
        );
        // kinds, escalation and messages
        for f in v["findings"].as_array().unwrap() {
            let id = f["rule_id"].as_str().unwrap();
            let kind = f["kind"].as_str().unwrap();
            if id == "openai-project-key" {
                assert_eq!(kind, "secret");
            } else {
                assert_eq!(kind, "config", "{id}");
                assert!(
                    !f["note"].as_str().unwrap().is_empty(),
                    "{id} has a message"
                );
            }
            if id == "client-exposed-secret-env" && f["line"] == 4 {
                assert_eq!(f["severity"], "critical", "value is a real key: escalated");
                assert!(f["note"].as_str().unwrap().contains("OpenAI"), "{f}");
            }
            if id == "client-exposed-secret-env" && f["line"] == 3 {
                assert_eq!(f["severity"], "high");
            }
        }
    }
}

#[test]
fn config_findings_in_every_format_without_leaking_values() {
    let (dir, planted) = build(5);
    assert_eq!(planted.len(), 2);
    for format in ["text", "json", "sarif", "github"] {
        let (code, out, err) = leakgate(&["scan", ".", "--format", format], dir.path());
        assert_eq!(code, 1, "{format}: {err}");
        for s in &planted {
            let chars: Vec<char> = s.chars().collect();
            for w in chars.windows(12).skip(6) {
                let piece: String = w.iter().collect();
                assert!(!out.contains(&piece), "{format} leaks part of {s:?}");
            }
        }
        match format {
            "text" => {
                assert!(out.contains("issue: CORS allows every origin (`origin: true`) together with credentials (line 2)"), "{out}");
                assert!(out.contains("(gha-tojson-secrets)"));
            }
            "github" => {
                let line = out
                    .lines()
                    .find(|l| l.contains("[gha-secrets-to-unpinned-action]"))
                    .expect("annotation");
                assert!(
                    line.starts_with("::error file=.github/workflows/ci.yml,line=14,col=15,"),
                    "{line}"
                );
                assert!(line.contains("some-org/deploy@v1"));
            }
            "sarif" => {
                let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                let run = &v["runs"][0];
                let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
                let cors = rules
                    .iter()
                    .find(|r| r["id"] == "cors-any-origin-with-credentials")
                    .unwrap();
                let tags = cors["properties"]["tags"].as_array().unwrap();
                assert!(tags.iter().any(|t| t == "configuration"));
                assert!(!cors["help"]["text"]
                    .as_str()
                    .unwrap()
                    .contains("Rotation checklist"));
                let results = run["results"].as_array().unwrap();
                assert_eq!(results.len(), EXPECTED.len());
                let msg = results
                    .iter()
                    .find(|r| r["ruleId"] == "gha-tojson-secrets")
                    .unwrap()["message"]["text"]
                    .as_str()
                    .unwrap();
                assert!(
                    msg.starts_with("All secrets serialised with toJSON(secrets): "),
                    "{msg}"
                );
                if let Some(tool) = std::env::var_os("LEAKGATE_SARIF_MULTITOOL") {
                    let errors = multitool::errors(Path::new(&tool), &out);
                    assert!(errors.is_empty(), "Sarif.Multitool: {errors:#?}");
                } else {
                    eprintln!(
                        "LEAKGATE_SARIF_MULTITOOL not set: skipping Sarif.Multitool validation"
                    );
                }
            }
            _ => {}
        }
    }
}

#[test]
fn config_disable_severity_and_no_lint() {
    let (dir, _) = build(9);
    let root = dir.path();
    std::fs::write(
        root.join(".leakgate.yml"),
        "disable: [token-in-web-storage, committed-env-file]\nseverity:\n  production-source-maps: critical\n  client-exposed-secret-env: low\n",
    )
    .unwrap();
    let (_, out, err) = leakgate(&["scan", ".", "--format", "json"], root);
    let (got, v) = findings(&out);
    let ids: BTreeSet<&str> = got.iter().map(|f| f.3.as_str()).collect();
    assert!(
        !ids.contains("token-in-web-storage") && !ids.contains("committed-env-file"),
        "{err}"
    );
    for f in v["findings"].as_array().unwrap() {
        match f["rule_id"].as_str().unwrap() {
            "production-source-maps" => assert_eq!(f["severity"], "critical"),
            // an explicit override beats the escalation
            "client-exposed-secret-env" => assert_eq!(f["severity"], "low"),
            _ => {}
        }
    }
    let (_, list, _) = leakgate(&["rules", "list"], root);
    assert!(list.contains("cors-any-origin-with-credentials"));
    assert!(!list.contains("token-in-web-storage"));
    // secrets only
    let (_, out, _) = leakgate(&["scan", ".", "--format", "json", "--no-lint"], root);
    let (got, _) = findings(&out);
    let ids: Vec<&str> = got.iter().map(|f| f.3.as_str()).collect();
    // without the lint, the workflow's literal password is left to the generic secret rule
    assert_eq!(ids, vec!["openai-project-key", "generic-secret-assignment"]);
}

#[test]
fn outside_a_repository_files_are_not_called_committed() {
    let (dir, _) = build(4);
    std::fs::remove_file(dir.path().join(".gitignore")).unwrap();
    let (_, out, _) = leakgate(&["scan", ".", "--format", "json"], dir.path());
    let (got, _) = findings(&out);
    for f in &got {
        assert!(
            !f.3.starts_with("committed-") && f.3 != "gitignore-missing-env",
            "{f:?}"
        );
    }
    assert!(got
        .iter()
        .any(|f| f.3 == "cors-any-origin-with-credentials"));
}

#[test]
fn fingerprints_of_config_findings_survive_line_moves() {
    let (dir, _) = build(6);
    let fp = |root: &Path| -> Vec<String> {
        let (_, out, _) = leakgate(&["scan", ".", "--format", "json"], root);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let mut f: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"] == "server/app.js")
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect();
        f.sort();
        f
    };
    let before = fp(dir.path());
    let p = dir.path().join("server/app.js");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("// moved\n\n{text}")).unwrap();
    assert_eq!(before, fp(dir.path()));
    assert_eq!(before.len(), 2);
}

#[test]
fn hostile_input_is_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let wf = root.join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    // invalid UTF-8 in a workflow that is otherwise a finding
    let mut bytes = b"on: push\npermissions: write-all\n# \xff\xfe\n".to_vec();
    bytes.extend_from_slice(b"jobs: {}\n");
    std::fs::write(wf.join("utf8.yml"), bytes).unwrap();
    // nesting far deeper than any workflow, an alias bomb, a tab-indented mess
    std::fs::write(wf.join("deep.yml"), "a: ".to_string() + &"[".repeat(50_000)).unwrap();
    let bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n";
    std::fs::write(wf.join("bomb.yml"), bomb).unwrap();
    std::fs::write(wf.join("tabs.yml"), "on:\n\t- push\n  jobs: : :\n").unwrap();
    std::fs::write(
        root.join("app.js"),
        b"localStorage.setItem('token', \xff);\n",
    )
    .unwrap();
    let (code, out, err) = leakgate(&["scan", ".", "--format", "json"], root);
    assert_eq!(code, 1, "{err}");
    let (got, _) = findings(&out);
    let want: Got = [
        (
            ".github/workflows/utf8.yml",
            2,
            14,
            "gha-permissions-write-all",
        ),
        ("app.js", 1, 1, "token-in-web-storage"),
    ]
    .iter()
    .map(|(p, l, c, r)| (p.to_string(), *l, *c, r.to_string()))
    .collect();
    assert_eq!(got, want, "{err}");
    for f in ["deep.yml", "bomb.yml", "tabs.yml"] {
        assert!(
            err.contains(&format!(".github/workflows/{f}: invalid YAML")),
            "{f}: {err}"
        );
    }
}
