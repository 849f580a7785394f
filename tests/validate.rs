//! Live validation (`--validate`) against local mock servers reached through
//! `--validation-endpoint`: every provider's valid / invalid / 429-then-ok / 5xx answers as
//! the provider documents them, one request per unique key, no redirect followed, and no
//! output that holds a key.

#[path = "support/gitrepo.rs"]
mod gitrepo;
#[path = "support/mock.rs"]
mod mock;
#[path = "support/pgmock.rs"]
mod pgmock;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use mock::{reply, Mock, Reply, Req};
use serde_json::Value;

/// (rule, provider, method, path, valid answer, invalid answer, identity)
type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    (u16, &'static str),
    (u16, &'static str),
    Option<&'static str>,
);

const CASES: &[Case] = &[
    (
        "github-pat-classic",
        "github",
        "GET",
        "/user",
        (200, r#"{"login":"octocat","id":1}"#),
        (401, r#"{"message":"Bad credentials"}"#),
        Some("octocat"),
    ),
    (
        "gitlab-pat",
        "gitlab",
        "GET",
        "/api/v4/personal_access_tokens/self",
        (
            200,
            r#"{"id":4,"name":"ci-token","revoked":false,"active":true,"scopes":["api"],"user_id":3}"#,
        ),
        (401, r#"{"message":"401 Unauthorized"}"#),
        Some("ci-token"),
    ),
    (
        "slack-bot-token",
        "slack",
        "POST",
        "/api/auth.test",
        (
            200,
            r#"{"ok":true,"team":"Acme","user":"deploybot","team_id":"T1","user_id":"U1"}"#,
        ),
        (200, r#"{"ok":false,"error":"invalid_auth"}"#),
        Some("deploybot"),
    ),
    (
        "openai-project-key",
        "openai",
        "GET",
        "/v1/models",
        (200, r#"{"object":"list","data":[]}"#),
        (
            401,
            r#"{"error":{"message":"Incorrect API key provided","code":"invalid_api_key"}}"#,
        ),
        None,
    ),
    (
        "anthropic-api-key",
        "anthropic",
        "GET",
        "/v1/models",
        (200, r#"{"data":[],"has_more":false}"#),
        (
            401,
            r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#,
        ),
        None,
    ),
    (
        "stripe-secret-key",
        "stripe",
        "GET",
        "/v1/account",
        (200, r#"{"id":"acct_1","object":"account"}"#),
        (
            401,
            r#"{"error":{"message":"Invalid API Key provided","type":"invalid_request_error"}}"#,
        ),
        Some("acct_1"),
    ),
    (
        "sendgrid-api-key",
        "sendgrid",
        "GET",
        "/v3/scopes",
        (200, r#"{"scopes":["mail.send"]}"#),
        (
            401,
            r#"{"errors":[{"field":null,"message":"authorization required"}]}"#,
        ),
        None,
    ),
    (
        "npm-access-token",
        "npm",
        "GET",
        "/-/whoami",
        (200, r#"{"username":"someone"}"#),
        (401, r#"{"error":"unauthorized"}"#),
        Some("someone"),
    ),
    (
        "huggingface-access-token",
        "huggingface",
        "GET",
        "/api/whoami-v2",
        (200, r#"{"type":"user","name":"hf-user"}"#),
        (
            401,
            r#"{"error":"Invalid credentials in Authorization header"}"#,
        ),
        Some("hf-user"),
    ),
    (
        "groq-api-key",
        "groq",
        "GET",
        "/openai/v1/models",
        (200, r#"{"object":"list","data":[]}"#),
        (
            401,
            r#"{"error":{"message":"Invalid API Key","code":"invalid_api_key"}}"#,
        ),
        None,
    ),
    (
        "mistral-api-key",
        "mistral",
        "GET",
        "/v1/models",
        (200, r#"{"object":"list","data":[]}"#),
        (401, r#"{"message":"Unauthorized"}"#),
        None,
    ),
    (
        "digitalocean-personal-access-token",
        "digitalocean",
        "GET",
        "/v2/account",
        (
            200,
            r#"{"account":{"email":"ops@corp.test","status":"active"}}"#,
        ),
        (
            401,
            r#"{"id":"Unauthorized","message":"Unable to authenticate you"}"#,
        ),
        Some("ops@corp.test"),
    ),
    (
        "heroku-api-key",
        "heroku",
        "GET",
        "/account",
        (200, r#"{"email":"dev@corp.test","id":"01234567"}"#),
        (
            401,
            r#"{"id":"unauthorized","message":"Invalid credentials provided."}"#,
        ),
        Some("dev@corp.test"),
    ),
    (
        "vercel-token",
        "vercel",
        "GET",
        "/v2/user",
        (200, r#"{"user":{"username":"vuser"}}"#),
        (
            403,
            r#"{"error":{"code":"forbidden","message":"Not authorized","invalidToken":true}}"#,
        ),
        Some("vuser"),
    ),
    (
        "netlify-access-token",
        "netlify",
        "GET",
        "/api/v1/user",
        (200, r#"{"email":"n@corp.test"}"#),
        (401, r#"{"code":401,"message":"Access Denied"}"#),
        Some("n@corp.test"),
    ),
    (
        "linear-api-key",
        "linear",
        "POST",
        "/graphql",
        (200, r#"{"data":{"viewer":{"id":"u1","name":"Lin Ear"}}}"#),
        (
            400,
            r#"{"errors":[{"message":"Authentication required","extensions":{"code":"AUTHENTICATION_ERROR"}}]}"#,
        ),
        Some("Lin Ear"),
    ),
    (
        "notion-integration-token",
        "notion",
        "GET",
        "/v1/users/me",
        (200, r#"{"object":"user","name":"Integration"}"#),
        (
            401,
            r#"{"object":"error","status":401,"code":"unauthorized","message":"API token is invalid."}"#,
        ),
        Some("Integration"),
    ),
    (
        "airtable-personal-access-token",
        "airtable",
        "GET",
        "/v0/meta/whoami",
        (200, r#"{"id":"usrAbc"}"#),
        (401, r#"{"error":{"type":"AUTHENTICATION_REQUIRED"}}"#),
        Some("usrAbc"),
    ),
    (
        "postman-api-key",
        "postman",
        "GET",
        "/me",
        (200, r#"{"user":{"username":"pm-user"}}"#),
        (401, r#"{"error":{"name":"AuthenticationError"}}"#),
        Some("pm-user"),
    ),
    (
        "doppler-token",
        "doppler",
        "GET",
        "/v3/me",
        (200, r#"{"workplace":{"name":"Acme"}}"#),
        (
            401,
            r#"{"messages":["Invalid Auth token"],"success":false}"#,
        ),
        Some("Acme"),
    ),
    (
        "cloudflare-api-token",
        "cloudflare",
        "GET",
        "/client/v4/user/tokens/verify",
        (
            200,
            r#"{"success":true,"result":{"id":"t1","status":"active"}}"#,
        ),
        (
            401,
            r#"{"success":false,"errors":[{"code":1000,"message":"Invalid API Token"}]}"#,
        ),
        None,
    ),
    (
        "datadog-api-key",
        "datadog",
        "GET",
        "/api/v1/validate",
        (200, r#"{"valid":true}"#),
        (403, r#"{"errors":["Forbidden"]}"#),
        None,
    ),
    (
        "discord-bot-token",
        "discord",
        "GET",
        "/api/v10/users/@me",
        (200, r#"{"id":"1","username":"botty"}"#),
        (401, r#"{"message":"401: Unauthorized","code":0}"#),
        Some("botty"),
    ),
    (
        "telegram-bot-token",
        "telegram",
        "GET",
        "/bot",
        (
            200,
            r#"{"ok":true,"result":{"id":1,"is_bot":true,"username":"leak_bot"}}"#,
        ),
        (
            401,
            r#"{"ok":false,"error_code":401,"description":"Unauthorized"}"#,
        ),
        Some("leak_bot"),
    ),
    (
        "replicate-api-token",
        "replicate",
        "GET",
        "/v1/account",
        (200, r#"{"type":"user","username":"rep"}"#),
        (401, r#"{"detail":"Invalid token."}"#),
        Some("rep"),
    ),
    (
        "cohere-api-key",
        "cohere",
        "GET",
        "/v1/models",
        (200, r#"{"models":[]}"#),
        (401, r#"{"message":"invalid api token"}"#),
        None,
    ),
    (
        "supabase-personal-access-token",
        "supabase",
        "GET",
        "/v1/projects",
        (200, r#"[]"#),
        (401, r#"{"message":"Unauthorized"}"#),
        None,
    ),
    (
        "sentry-user-token",
        "sentry",
        "GET",
        "/api/0/",
        (
            200,
            r#"{"version":"0","auth":{"scopes":["org:read"]},"user":{"username":"sentry-user"}}"#,
        ),
        (401, r#"{"detail":"Invalid token"}"#),
        Some("sentry-user"),
    ),
    (
        "mailgun-api-key",
        "mailgun",
        "GET",
        "/v3/domains",
        (200, r#"{"total_count":1,"items":[]}"#),
        (401, "Forbidden"),
        None,
    ),
    (
        "brevo-api-key",
        "brevo",
        "GET",
        "/v3/account",
        (200, r#"{"email":"b@corp.test","companyName":"Acme"}"#),
        (401, r#"{"code":"unauthorized","message":"Key not found"}"#),
        Some("b@corp.test"),
    ),
    (
        "postmark-server-token",
        "postmark",
        "GET",
        "/server",
        (200, r#"{"ID":1,"Name":"Production"}"#),
        (
            401,
            r#"{"ErrorCode":10,"Message":"No Account or Server API tokens were supplied"}"#,
        ),
        Some("Production"),
    ),
    (
        "buildkite-api-token",
        "buildkite",
        "GET",
        "/v2/access-token",
        (200, r#"{"uuid":"b1","scopes":["read_builds"]}"#),
        (401, r#"{"message":"Authentication required"}"#),
        None,
    ),
    (
        "circleci-personal-token",
        "circleci",
        "GET",
        "/api/v2/me",
        (200, r#"{"id":"c1","login":"circle-user","name":"C"}"#),
        (401, r#"{"message":"You must log in first."}"#),
        Some("circle-user"),
    ),
    (
        "intercom-access-token",
        "intercom",
        "GET",
        "/me",
        (200, r#"{"type":"admin","email":"i@corp.test"}"#),
        (
            401,
            r#"{"type":"error.list","errors":[{"code":"unauthorized","message":"Access Token Invalid"}]}"#,
        ),
        Some("i@corp.test"),
    ),
    (
        "pushbullet-access-token",
        "pushbullet",
        "GET",
        "/v2/users/me",
        (200, r#"{"iden":"u1","email":"p@corp.test"}"#),
        (
            401,
            r#"{"error":{"code":"invalid_access_token","message":"Access token is missing or invalid."}}"#,
        ),
        Some("p@corp.test"),
    ),
    (
        "square-access-token",
        "square",
        "GET",
        "/v2/merchants/me",
        (
            200,
            r#"{"merchant":{"id":"MLEFBHHSJGVHD","business_name":"Acme Cafe","country":"US"}}"#,
        ),
        (
            401,
            r#"{"errors":[{"category":"AUTHENTICATION_ERROR","code":"UNAUTHORIZED","detail":"This request could not be authorized."}]}"#,
        ),
        Some("Acme Cafe"),
    ),
    (
        "mapbox-secret-token",
        "mapbox",
        "GET",
        "/tokens/v2",
        (
            200,
            r#"{"code":"TokenValid","token":{"usage":"sk","user":"mapuser","authorization":"sk.x"}}"#,
        ),
        (
            401,
            r#"{"code":"TokenInvalid","message":"Not Authorized - Invalid Token"}"#,
        ),
        Some("mapuser"),
    ),
];

fn leakgate(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One file per rule (its first example, expanded), and the secret each holds.
fn fixture(dir: &Path, rules: &[&str], seed: u64) -> HashMap<String, String> {
    let all = leakgate::rules::builtin_rules().unwrap();
    let mut rng = leakgate::examples::Rng::new(seed);
    for (i, id) in rules.iter().enumerate() {
        let r = all.iter().find(|r| r.id == *id).expect(id);
        assert!(r.validate.is_some(), "{id} has no validate block");
        let text = leakgate::examples::expand(&r.examples[0], &mut rng).unwrap();
        std::fs::write(dir.join(format!("conf{i}.env")), format!("{text}\n")).unwrap();
    }
    // the secrets, as the scanner sees them
    let (_, out, _) = leakgate(&[
        "scan",
        dir.to_str().unwrap(),
        "--no-lint",
        "--format",
        "json",
        "--reveal",
        "-q",
        "--fail-on",
        "none",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let mut secrets = HashMap::new();
    for f in v["findings"].as_array().unwrap() {
        let id = f["rule_id"].as_str().unwrap();
        if rules.contains(&id) {
            secrets.insert(id.to_string(), f["secret"].as_str().unwrap().to_string());
        }
    }
    for id in rules {
        assert!(secrets.contains_key(*id), "{id}: example gave no finding");
    }
    secrets
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Scenario {
    Valid,
    Invalid,
    RateLimitedThenOk,
    ServerError,
}

fn answer(case: &Case, sc: Scenario, n: usize) -> Reply {
    match sc {
        Scenario::Valid => reply(case.4 .0, case.4 .1),
        Scenario::Invalid => reply(case.5 .0, case.5 .1),
        Scenario::RateLimitedThenOk if n == 0 => {
            let mut r = reply(429, r#"{"error":"rate limited"}"#);
            r.headers.push(("Retry-After".into(), "0".into()));
            r
        }
        Scenario::RateLimitedThenOk => reply(case.4 .0, case.4 .1),
        Scenario::ServerError => reply(503, r#"{"error":"unavailable"}"#),
    }
}

/// Runs one scenario for every provider at once (one mock each) and checks the results.
fn run_scenario(sc: Scenario) {
    let dir = tempfile::tempdir().unwrap();
    let rules: Vec<&str> = CASES.iter().map(|c| c.0).collect();
    let secrets = fixture(dir.path(), &rules, 17 + sc as u64);
    let mocks: Vec<Mock> = CASES
        .iter()
        .map(|c| {
            let c = *c;
            Mock::start(Box::new(move |_r: &Req, n| answer(&c, sc, n)))
        })
        .collect();
    let mut args: Vec<String> = vec![
        "scan".into(),
        dir.path().to_str().unwrap().into(),
        "--no-lint".into(),
        "--format".into(),
        "json".into(),
        "--validate".into(),
        "--fail-on".into(),
        "none".into(),
    ];
    for (c, m) in CASES.iter().zip(&mocks) {
        args.push("--validation-endpoint".into());
        args.push(format!("{}={}", c.1, m.url));
    }
    let argv: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    let (code, out, err) = leakgate(&argv);
    assert_eq!(code, 0, "{err}");
    for s in secrets.values() {
        assert!(
            !out.contains(s.as_str()) && !err.contains(s.as_str()),
            "a secret was printed"
        );
    }
    assert!(
        err.contains("validation requests for github go to http://127.0.0.1:"),
        "{err}"
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let findings = v["findings"].as_array().unwrap();
    for (c, m) in CASES.iter().zip(&mocks) {
        let (rule, provider, method, path, _, _, identity) = *c;
        let secret = &secrets[rule];
        let f = findings
            .iter()
            .find(|f| f["rule_id"] == rule)
            .unwrap_or_else(|| panic!("{rule}: no finding"));
        let val = &f["validation"];
        let reqs = m.requests();
        let expect_requests = match sc {
            Scenario::Valid | Scenario::Invalid => 1,
            Scenario::RateLimitedThenOk => 2,
            Scenario::ServerError => 3,
        };
        assert_eq!(reqs.len(), expect_requests, "{rule} ({provider}): requests");
        let r = &reqs[0];
        assert_eq!(r.method, method, "{rule}");
        assert!(r.path.starts_with(path), "{rule}: path {}", r.path);
        let basic = r
            .header("authorization")
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|b| {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.decode(b).ok()
            })
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let carried = r.path.contains(secret.as_str())
            || basic.ends_with(&format!(":{secret}"))
            || r.headers
                .iter()
                .any(|(k, v)| k != "host" && v.contains(secret.as_str()));
        assert!(carried, "{rule}: the request does not carry the key");
        assert!(val["checked_at"].as_str().unwrap().ends_with('Z'));
        match sc {
            Scenario::Valid | Scenario::RateLimitedThenOk => {
                assert_eq!(val["status"], "valid", "{rule}: {val}");
                assert_eq!(f["severity"], "critical", "{rule}");
                assert_eq!(val["identity"].as_str(), identity, "{rule}");
            }
            Scenario::Invalid => {
                assert_eq!(val["status"], "invalid", "{rule}: {val}");
                assert_eq!(f["severity"], "low", "{rule}");
                assert!(val.get("identity").is_none());
            }
            Scenario::ServerError => {
                assert_eq!(val["status"], "unknown", "{rule}: {val}");
                assert!(
                    val["reason"].as_str().unwrap().contains("503"),
                    "{rule}: {val}"
                );
            }
        }
    }
}

#[test]
fn every_provider_valid() {
    run_scenario(Scenario::Valid);
}

#[test]
fn every_provider_invalid() {
    run_scenario(Scenario::Invalid);
}

#[test]
fn every_provider_retries_after_429() {
    run_scenario(Scenario::RateLimitedThenOk);
}

#[test]
fn every_provider_5xx_is_unknown_after_two_retries() {
    run_scenario(Scenario::ServerError);
}

#[test]
fn every_rule_with_a_validate_block_has_a_provider_case() {
    let mut providers: Vec<&str> = CASES.iter().map(|c| c.1).collect();
    providers.extend(MULTI.iter().map(|c| c.provider));
    // the connection validator: postgres_login_valid_invalid_and_cleartext_refused
    providers.push("postgres");
    // gcp_service_account_key_valid_invalid_429_and_5xx
    providers.push("gcp");
    for r in leakgate::rules::builtin_rules().unwrap() {
        if let Some(v) = &r.validate {
            assert!(
                providers.contains(&v.provider.as_str()),
                "{}: provider {} untested",
                r.id,
                v.provider
            );
        }
    }
}

fn github_fixture(dir: &Path, files: &[&str]) -> String {
    let mut rng = leakgate::examples::Rng::new(5);
    let token = leakgate::examples::expand("{{github:ghp}}", &mut rng).unwrap();
    for f in files {
        std::fs::write(dir.join(f), format!("GITHUB_TOKEN={token}\n")).unwrap();
    }
    token
}

#[test]
fn one_request_per_unique_key_and_none_without_validate() {
    let dir = tempfile::tempdir().unwrap();
    let token = github_fixture(dir.path(), &["a.env", "b.env"]);
    let m = Mock::start(Box::new(|_r: &Req, _| reply(200, r#"{"login":"octocat"}"#)));
    let d = dir.path().to_str().unwrap();
    // without --validate: no request, no validation field; the endpoint flag alone is refused
    let (code, out, _) = leakgate(&["scan", d, "--no-lint", "--format", "json"]);
    assert_eq!(code, 1);
    assert!(!out.contains("\"validation\""));
    let ep = format!("github={}", m.url);
    let (code, _, err) = leakgate(&["scan", d, "--validation-endpoint", &ep]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(m.requests().len(), 0);
    let (code, out, err) = leakgate(&[
        "scan",
        d,
        "--no-lint",
        "--format",
        "json",
        "--validate",
        "--validation-endpoint",
        &ep,
    ]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(m.requests().len(), 1, "same key in two files: one request");
    let v: Value = serde_json::from_str(&out).unwrap();
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 2);
    assert!(f.iter().all(|f| f["validation"]["status"] == "valid"));
    assert!(!out.contains(&token) && !err.contains(&token));
    assert!(err.contains("1 live"), "{err}");
}

#[test]
fn redirects_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let token = github_fixture(dir.path(), &["a.env"]);
    let other = Mock::start(Box::new(|_r: &Req, _| reply(200, r#"{"login":"x"}"#)));
    let to = format!("{}/user", other.url);
    let m = Mock::start(Box::new(move |_r: &Req, _| {
        let mut r = reply(302, "");
        r.headers.push(("Location".into(), to.clone()));
        r
    }));
    let ep = format!("github={}", m.url);
    let d = dir.path().to_str().unwrap();
    let (_, out, err) = leakgate(&[
        "scan",
        d,
        "--no-lint",
        "--format",
        "json",
        "--validate",
        "--validation-endpoint",
        &ep,
    ]);
    assert_eq!(m.requests().len(), 1);
    assert_eq!(other.requests().len(), 0, "the redirect was followed");
    let v: Value = serde_json::from_str(&out).unwrap();
    let val = &v["findings"][0]["validation"];
    assert_eq!(val["status"], "unknown", "{val}");
    assert!(val["reason"].as_str().unwrap().contains("redirect"));
    assert!(!out.contains(&token) && !err.contains(&token));
}

#[test]
fn text_sarif_only_live_and_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let token = github_fixture(dir.path(), &["a.env"]);
    let mut rng = leakgate::examples::Rng::new(9);
    let slack =
        leakgate::examples::expand("xoxb-{{digits:12}}-{{digits:13}}-{{alnum:24}}", &mut rng)
            .unwrap();
    std::fs::write(
        dir.path().join("b.env"),
        format!("SLACK_BOT_TOKEN={slack}\n"),
    )
    .unwrap();
    let gh = Mock::start(Box::new(|_r: &Req, _| reply(200, r#"{"login":"octocat"}"#)));
    let sl = Mock::start(Box::new(|_r: &Req, _| {
        reply(200, r#"{"ok":false,"error":"token_revoked"}"#)
    }));
    let d = dir.path().to_str().unwrap();
    let e1 = format!("github={}", gh.url);
    let e2 = format!("slack={}", sl.url);
    let sarif = dir.path().join("out.sarif");
    let base = [
        "scan",
        d,
        "--no-lint",
        "--validate",
        "--validation-endpoint",
        &e1,
        "--validation-endpoint",
        &e2,
        "--color",
        "never",
    ];
    let mut args = base.to_vec();
    let sarif_s = sarif.to_str().unwrap().to_string();
    args.extend(["--sarif", &sarif_s]);
    let (code, out, err) = leakgate(&args);
    assert_eq!(code, 1);
    assert!(out.contains("validation: LIVE as octocat"), "{out}");
    assert!(out.contains("validation: revoked or invalid"), "{out}");
    let s = std::fs::read_to_string(&sarif).unwrap();
    assert!(s.contains("\"validation\"") && s.contains("revoked"));
    for t in [&token, &slack] {
        assert!(!out.contains(t.as_str()) && !err.contains(t.as_str()) && !s.contains(t.as_str()));
    }
    // the revoked key is low: it does not fail --fail-on high without the live one
    let mut args = base.to_vec();
    args.extend(["--only-live", "--format", "json"]);
    let (code, out, _) = leakgate(&args);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["rule_id"], "github-pat-classic");
    std::fs::remove_file(dir.path().join("a.env")).unwrap();
    let mut args = base.to_vec();
    args.extend(["--fail-on", "high"]);
    let (code, out, _) = leakgate(&args);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn rules_test_checks_validate_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let rule = |url: &str, auth: &str| {
        format!(
            "rules:\n  - id: acme-key\n    name: Acme key\n    description: d\n    severity: high\n    keywords: [acme_]\n    pattern: '\\b(?P<secret>acme_[a-z0-9]{{24}})\\b'\n    remediation: r\n    validate:\n      provider: acme\n      host: api.acme.test\n      url: '{url}'\n      headers: {{Authorization: '{auth}'}}\n      responses: [{{status: 200, result: valid}}]\n    examples: ['k = acme_{{{{lower:24}}}}']\n    negative_examples: ['k = acme_xxxxxxxxxxxxxxxxxxxxxxxx']\n"
        )
    };
    let p = dir.path().join("r.yml");
    std::fs::write(&p, rule("https://api.acme.test/me", "Bearer {{secret}}")).unwrap();
    let (code, out, err) = leakgate(&["rules", "test", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    for (url, auth, why) in [
        ("http://api.acme.test/me", "Bearer {{secret}}", "https"),
        ("https://evil.test/me", "Bearer {{secret}}", "declared"),
        (
            "https://api.acme.test/me",
            "Bearer {{client_id}}",
            "known capture",
        ),
        ("https://api.acme.test/me", "Bearer fixed", "secret"),
    ] {
        std::fs::write(&p, rule(url, auth)).unwrap();
        let (code, _, err) = leakgate(&["rules", "test", p.to_str().unwrap()]);
        assert_eq!(code, 2, "{url} {auth}");
        assert!(err.contains(why), "{err}");
    }
    // companions: a templated host under a documented suffix, and an example showing the pair
    let okta = |suffix: &str, example: &str| {
        format!(
            "rules:\n  - id: acme-key\n    name: Acme key\n    description: d\n    severity: high\n    keywords: [acme_]\n    pattern: '\\b(?P<secret>acme_[a-z0-9]{{24}})\\b'\n    remediation: r\n    validate:\n      provider: acme\n      host: '{{{{org}}}}'\n      host_suffixes: ['{suffix}']\n      url: 'https://{{{{org}}}}/me'\n      headers: {{Authorization: 'SSWS {{{{secret}}}}'}}\n      companions: [{{name: org, pattern: '(?P<org>[a-z]+\\.okta\\.com)', within: 2}}]\n      responses: [{{status: 200, result: valid}}]\n    examples: ['{example}']\n    negative_examples: ['k = acme_xxxxxxxxxxxxxxxxxxxxxxxx']\n"
        )
    };
    let paired = "k = acme_{{lower:24}} at https://corp.okta.com";
    std::fs::write(&p, okta(".okta.com", paired)).unwrap();
    let (code, out, err) = leakgate(&["rules", "test", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    std::fs::write(&p, okta(".example.com", paired)).unwrap();
    let (code, _, err) = leakgate(&["rules", "test", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("not a documented per-customer host suffix"),
        "{err}"
    );
    std::fs::write(&p, okta(".okta.com", "k = acme_{{lower:24}}")).unwrap();
    let (code, out, err) = leakgate(&["rules", "test", p.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(
        format!("{out}{err}").contains("no example shows the validator's companions (org)"),
        "{out}{err}"
    );
}

#[test]
fn scan_log_validates_too() {
    let dir = tempfile::tempdir().unwrap();
    let token = github_fixture(dir.path(), &["build.log"]);
    let m = Mock::start(Box::new(|_r: &Req, _| {
        reply(401, r#"{"message":"Bad credentials"}"#)
    }));
    let ep = format!("github={}", m.url);
    let log = dir.path().join("build.log");
    let (code, out, err) = leakgate(&[
        "scan-log",
        log.to_str().unwrap(),
        "--format",
        "json",
        "--validate",
        "--validation-endpoint",
        &ep,
        "--fail-on",
        "medium",
    ]);
    // the key the provider rejects is low: it does not fail --fail-on medium
    assert_eq!(code, 0, "{err}");
    assert_eq!(m.requests().len(), 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["findings"][0]["validation"]["status"], "invalid");
    assert_eq!(v["findings"][0]["severity"], "low");
    assert!(!out.contains(&token) && !err.contains(&token));
}

#[test]
fn history_validates_each_key_once_across_commits() {
    let mut repo = gitrepo::Repo::new(3);
    let token = repo.github_token();
    repo.write("a.env", &format!("GITHUB_TOKEN={token}\n"));
    repo.commit("add a");
    repo.write("b.env", &format!("GH={token}\n"));
    repo.commit("add b");
    let m = Mock::start(Box::new(|_r: &Req, _| reply(200, r#"{"login":"octocat"}"#)));
    let ep = format!("github={}", m.url);
    let (code, out, err) = leakgate(&[
        "history",
        repo.path().to_str().unwrap(),
        "--validate",
        "--validation-endpoint",
        &ep,
        "--color",
        "never",
    ]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(m.requests().len(), 1, "one key, two commits: one request");
    assert!(out.contains("validation: LIVE as octocat"), "{out}");
    assert!(out.contains("CRITICAL"), "{out}");
    assert!(!out.contains(&token) && !err.contains(&token));
}

// ------------------------------------------------------------------ multi-part credentials

/// A credential in two parts: the rule's secret and a companion found near it.
struct Multi {
    rule: &'static str,
    provider: &'static str,
    /// The file: `{c}` is the companion, `{s}` the secret.
    layout: &'static str,
    companion: &'static str,
    secret: &'static str,
    method: &'static str,
    /// Expected request path; `{c}` / `{s}` as above.
    path: &'static str,
    valid: (u16, &'static str),
    invalid: (u16, &'static str),
    identity: Option<&'static str>,
}

const STS_OK: &str = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci-deploy</Arn><UserId>AIDAEXAMPLEUSERID</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata></GetCallerIdentityResponse>";
const STS_BAD: &str = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ErrorResponse>";

const MULTI: &[Multi] = &[
    Multi {
        rule: "aws-secret-access-key",
        provider: "aws",
        layout:
            "[default]\naws_access_key_id = {c}\naws_secret_access_key = {s}\nregion = eu-west-1\n",
        companion: "AKIA{{base32:16}}",
        secret: "{{base64:40}}",
        method: "POST",
        path: "/",
        valid: (200, STS_OK),
        invalid: (403, STS_BAD),
        identity: Some("arn:aws:iam::123456789012:user/ci-deploy"),
    },
    Multi {
        rule: "twilio-auth-token",
        provider: "twilio",
        layout: "TWILIO_ACCOUNT_SID={c}\nTWILIO_AUTH_TOKEN={s}\n",
        companion: "AC{{hex:32}}",
        secret: "{{hex:32}}",
        method: "GET",
        path: "/2010-04-01/Accounts/{c}.json",
        valid: (
            200,
            r#"{"sid":"AC0","friendly_name":"Acme Prod","status":"active"}"#,
        ),
        invalid: (
            401,
            r#"{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}"#,
        ),
        identity: Some("Acme Prod"),
    },
    Multi {
        rule: "algolia-admin-key",
        provider: "algolia",
        layout: "ALGOLIA_APP_ID={c}\nALGOLIA_ADMIN_KEY={s}\n",
        companion: "{{chars:ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:10}}",
        secret: "{{hex:32}}",
        method: "GET",
        path: "/1/keys/{s}",
        valid: (
            200,
            r#"{"value":"x","createdAt":1656345570,"acl":["search","addObject","deleteIndex"],"description":""}"#,
        ),
        invalid: (
            403,
            r#"{"message":"Invalid Application-ID or API key","status":403}"#,
        ),
        identity: None,
    },
    Multi {
        rule: "okta-api-token",
        provider: "okta",
        layout: "OKTA_ORG_URL=https://{c}\nOKTA_API_TOKEN={s}\n",
        companion: "acme-{{lower:6}}.okta.com",
        secret: "00{{alnum:40}}",
        method: "GET",
        path: "/api/v1/users/me",
        valid: (
            200,
            r#"{"id":"00u1","status":"ACTIVE","profile":{"login":"admin@acme.test","email":"admin@acme.test"}}"#,
        ),
        invalid: (
            401,
            r#"{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oae1","errorCauses":[]}"#,
        ),
        identity: Some("admin@acme.test"),
    },
    Multi {
        rule: "shopify-access-token",
        provider: "shopify",
        layout: "SHOPIFY_SHOP={c}\nSHOPIFY_ACCESS_TOKEN={s}\n",
        companion: "acme-{{lower:6}}.myshopify.com",
        secret: "shpat_{{hex:32}}",
        method: "GET",
        path: "/admin/oauth/access_scopes.json",
        valid: (200, r#"{"access_scopes":[{"handle":"read_products"}]}"#),
        invalid: (
            401,
            r#"{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}"#,
        ),
        identity: None,
    },
];

/// Writes each case's file (`m<i>.env`, or none when `only` skips it) and returns the
/// (companion, secret) of each.
fn multi_fixture(dir: &Path, seed: u64, with_companion: bool) -> Vec<(String, String)> {
    let mut rng = leakgate::examples::Rng::new(seed);
    MULTI
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let c = leakgate::examples::expand(m.companion, &mut rng).unwrap();
            let s = leakgate::examples::expand(m.secret, &mut rng).unwrap();
            let mut text = m.layout.replace("{c}", &c).replace("{s}", &s);
            if !with_companion {
                // the companion's line is dropped
                text = text
                    .lines()
                    .filter(|l| !l.contains(&c))
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            std::fs::write(dir.join(format!("m{i}.env")), text).unwrap();
            (c, s)
        })
        .collect()
}

fn multi_answer(m: &Multi, sc: Scenario, n: usize) -> Reply {
    match sc {
        Scenario::Valid => reply(m.valid.0, m.valid.1),
        Scenario::Invalid => reply(m.invalid.0, m.invalid.1),
        Scenario::RateLimitedThenOk if n == 0 => {
            let mut r = reply(429, r#"{"message":"Too many requests"}"#);
            r.headers.push(("Retry-After".into(), "0".into()));
            r
        }
        Scenario::RateLimitedThenOk => reply(m.valid.0, m.valid.1),
        Scenario::ServerError => reply(502, "<html>Bad Gateway</html>"),
    }
}

/// Checks that an AWS request is SigV4-signed for the key pair (recomputed here from
/// the request as received) and does not carry the secret key.
fn check_sigv4(r: &Req, key_id: &str, secret: &str) {
    let auth = r.header("authorization").unwrap();
    let date = r.header("x-amz-date").unwrap();
    assert_eq!(r.body, "Action=GetCallerIdentity&Version=2011-06-15");
    assert!(
        auth.starts_with(&format!(
            "AWS4-HMAC-SHA256 Credential={key_id}/{}/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=",
            &date[..8]
        )),
        "{auth}"
    );
    let headers = [
        ("content-type", r.header("content-type").unwrap()),
        ("host", r.header("host").unwrap()),
        ("x-amz-date", date),
    ];
    let (sig, _) = leakgate::validate::aws::SigV4 {
        key_id,
        secret,
        region: "us-east-1",
        service: "sts",
        amz_date: date,
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body: r.body.as_bytes(),
    }
    .sign();
    assert!(auth.ends_with(&format!("Signature={sig}")), "{auth}");
}

/// Every multi-part provider, one scenario, one mock each.
fn run_multi(sc: Scenario) {
    let dir = tempfile::tempdir().unwrap();
    let pairs = multi_fixture(dir.path(), 71 + sc as u64, true);
    let mocks: Vec<Mock> = MULTI
        .iter()
        .map(|m| {
            let m: &'static Multi = m;
            Mock::start(Box::new(move |_r: &Req, n| multi_answer(m, sc, n)))
        })
        .collect();
    let mut args: Vec<String> = [
        "scan",
        dir.path().to_str().unwrap(),
        "--no-lint",
        "--format",
        "json",
        "--validate",
        "--fail-on",
        "none",
    ]
    .map(String::from)
    .to_vec();
    for (m, mock) in MULTI.iter().zip(&mocks) {
        args.push("--validation-endpoint".into());
        args.push(format!("{}={}", m.provider, mock.url));
    }
    let argv: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    let (code, out, err) = leakgate(&argv);
    assert_eq!(code, 0, "{err}");
    for (c, s) in &pairs {
        assert!(
            !out.contains(s.as_str()) && !err.contains(s.as_str()),
            "a secret was printed"
        );
        // the AWS key id and the Twilio SID are reported redacted too; none is printed whole
        assert!(
            !out.contains(c.as_str()) && !err.contains(c.as_str()),
            "a companion was printed: {c}"
        );
    }
    let v: Value = serde_json::from_str(&out).unwrap();
    let findings = v["findings"].as_array().unwrap();
    for ((m, mock), (c, s)) in MULTI.iter().zip(&mocks).zip(&pairs) {
        let f = findings
            .iter()
            .find(|f| f["rule_id"] == m.rule)
            .unwrap_or_else(|| panic!("{}: no finding", m.rule));
        let val = &f["validation"];
        let reqs = mock.requests();
        let want = match sc {
            Scenario::Valid | Scenario::Invalid => 1,
            Scenario::RateLimitedThenOk => 2,
            Scenario::ServerError => 3,
        };
        assert_eq!(reqs.len(), want, "{}: requests", m.rule);
        for r in &reqs {
            assert_eq!(r.method, m.method, "{}", m.rule);
            assert_eq!(
                r.path,
                m.path.replace("{c}", c).replace("{s}", s),
                "{}",
                m.rule
            );
            match m.provider {
                "aws" => check_sigv4(r, c, s),
                "twilio" => {
                    use base64::Engine;
                    let b = base64::engine::general_purpose::STANDARD.encode(format!("{c}:{s}"));
                    assert_eq!(
                        r.header("authorization"),
                        Some(format!("Basic {b}").as_str())
                    );
                }
                "algolia" => {
                    assert_eq!(r.header("x-algolia-application-id"), Some(c.as_str()));
                    assert_eq!(r.header("x-algolia-api-key"), Some(s.as_str()));
                }
                "okta" => assert_eq!(
                    r.header("authorization"),
                    Some(format!("SSWS {s}").as_str())
                ),
                "shopify" => assert_eq!(r.header("x-shopify-access-token"), Some(s.as_str())),
                p => panic!("{p}"),
            }
        }
        match sc {
            Scenario::Valid | Scenario::RateLimitedThenOk => {
                assert_eq!(val["status"], "valid", "{}: {val}", m.rule);
                assert_eq!(f["severity"], "critical", "{}", m.rule);
                assert_eq!(val["identity"].as_str(), m.identity, "{}", m.rule);
            }
            Scenario::Invalid => {
                assert_eq!(val["status"], "invalid", "{}: {val}", m.rule);
                assert_eq!(f["severity"], "low", "{}", m.rule);
            }
            Scenario::ServerError => {
                assert_eq!(val["status"], "unknown", "{}: {val}", m.rule);
                assert!(
                    val["reason"].as_str().unwrap().contains("502"),
                    "{}: {val}",
                    m.rule
                );
            }
        }
    }
}

#[test]
fn multi_part_valid() {
    run_multi(Scenario::Valid);
}

#[test]
fn multi_part_invalid() {
    run_multi(Scenario::Invalid);
}

#[test]
fn multi_part_retries_after_429() {
    run_multi(Scenario::RateLimitedThenOk);
}

#[test]
fn multi_part_5xx_is_unknown_after_two_retries() {
    run_multi(Scenario::ServerError);
}

#[test]
fn multi_part_without_companion_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let pairs = multi_fixture(dir.path(), 5, false);
    let mocks: Vec<Mock> = MULTI
        .iter()
        .map(|m| {
            let m: &'static Multi = m;
            Mock::start(Box::new(move |_r: &Req, _| reply(m.valid.0, m.valid.1)))
        })
        .collect();
    let mut args: Vec<String> = [
        "scan",
        dir.path().to_str().unwrap(),
        "--no-lint",
        "--format",
        "json",
        "--validate",
        "--fail-on",
        "none",
    ]
    .map(String::from)
    .to_vec();
    for (m, mock) in MULTI.iter().zip(&mocks) {
        args.push("--validation-endpoint".into());
        args.push(format!("{}={}", m.provider, mock.url));
    }
    let argv: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    let (code, out, err) = leakgate(&argv);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    for ((m, mock), (_, s)) in MULTI.iter().zip(&mocks).zip(&pairs) {
        assert_eq!(
            mock.requests().len(),
            0,
            "{}: a request without its companion",
            m.rule
        );
        let f = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule_id"] == m.rule)
            .unwrap_or_else(|| panic!("{}: no finding", m.rule));
        assert_eq!(f["validation"]["status"], "unknown", "{}", m.rule);
        let reason = f["validation"]["reason"].as_str().unwrap();
        assert!(
            reason.starts_with("no ") && reason.contains("found within"),
            "{}: {reason}",
            m.rule
        );
        assert!(!out.contains(s.as_str()) && !err.contains(s.as_str()));
    }
}

// ------------------------------------------------------------------ connection strings

/// A PostgreSQL URL to the mock on 127.0.0.1 with a fresh password; returns the dir's path
/// holder, the password and the user.
fn pg_fixture(port: u16, seed: u64) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = leakgate::examples::Rng::new(seed);
    let pw = leakgate::examples::expand("{{alnum:20}}", &mut rng).unwrap();
    std::fs::write(
        dir.path().join("app.env"),
        format!("DATABASE_URL=postgres://app_user:{pw}@127.0.0.1:{port}/orders\n"),
    )
    .unwrap();
    (dir, pw)
}

fn pg_scan(dir: &Path, extra: &[&str]) -> (i32, Value, String, String) {
    let d = dir.to_str().unwrap();
    let mut args = vec![
        "scan",
        d,
        "--no-lint",
        "--format",
        "json",
        "--fail-on",
        "none",
    ];
    args.extend(extra);
    let (code, out, err) = leakgate(&args);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (code, v, out, err)
}

fn pg_finding(v: &Value) -> &Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "postgres-url-password")
        .expect("no postgres finding")
}

#[test]
fn connections_need_validate_connections() {
    let pg = pgmock::PgMock::start(pgmock::Auth::Scram("unused"));
    let (dir, pw) = pg_fixture(pg.port, 1);
    let (code, v, out, err) = pg_scan(dir.path(), &["--validate"]);
    assert_eq!(code, 0, "{err}");
    assert!(pg_finding(&v).get("validation").is_none(), "{out}");
    assert_eq!(
        pg.connections().len(),
        0,
        "a connection without --validate-connections"
    );
    assert!(!out.contains(&pw) && !err.contains(&pw));
    assert!(
        err.contains("1 connection string not checked (--validate-connections logs in with them)"),
        "{err}"
    );
    // the flag needs --validate; --allow-internal-hosts needs --validate-connections
    let d = dir.path().to_str().unwrap();
    assert_eq!(leakgate(&["scan", d, "--validate-connections"]).0, 2);
    assert_eq!(
        leakgate(&["scan", d, "--validate", "--allow-internal-hosts"]).0,
        2
    );
    assert_eq!(pg.connections().len(), 0);
}

#[test]
fn connections_refuse_internal_hosts_without_the_flag() {
    let pg = pgmock::PgMock::start(pgmock::Auth::Scram("unused"));
    let (dir, pw) = pg_fixture(pg.port, 2);
    let (_, v, out, err) = pg_scan(dir.path(), &["--validate", "--validate-connections"]);
    let val = &pg_finding(&v)["validation"];
    assert_eq!(val["status"], "unknown", "{val}");
    assert_eq!(
        val["reason"],
        "internal address 127.0.0.1 not contacted without --allow-internal-hosts"
    );
    assert_eq!(pg.connections().len(), 0, "an internal host was contacted");
    assert!(!out.contains(&pw) && !err.contains(&pw));
}

#[test]
fn postgres_login_valid_invalid_and_cleartext_refused() {
    let flags = [
        "--validate",
        "--validate-connections",
        "--allow-internal-hosts",
    ];
    // the right password: SCRAM-SHA-256 succeeds, the key is live
    let dir = tempfile::tempdir().unwrap();
    let mut rng = leakgate::examples::Rng::new(3);
    let pw = leakgate::examples::expand("{{alnum:20}}", &mut rng).unwrap();
    let pw: &'static str = Box::leak(pw.into_boxed_str());
    let pg = pgmock::PgMock::start(pgmock::Auth::Scram(pw));
    std::fs::write(
        dir.path().join("app.env"),
        format!(
            "DATABASE_URL=postgres://app_user:{pw}@127.0.0.1:{}/orders\n",
            pg.port
        ),
    )
    .unwrap();
    let (_, v, out, err) = pg_scan(dir.path(), &flags);
    let f = pg_finding(&v);
    assert_eq!(f["validation"]["status"], "valid", "{f}");
    assert_eq!(f["validation"]["reason"], "login succeeded (SCRAM-SHA-256)");
    assert_eq!(f["validation"]["identity"], "app_user@127.0.0.1");
    assert_eq!(f["severity"], "critical");
    let conns = pg.connections();
    assert_eq!(conns.len(), 1);
    assert_eq!(conns[0].1, "app_user");
    let sent = String::from_utf8_lossy(&conns[0].0).into_owned();
    assert!(!sent.contains(pw), "the password went over the wire");
    assert!(sent.ends_with("X\0\0\0\x04"), "no Terminate");
    assert!(!out.contains(pw) && !err.contains(pw));

    // another password: the server refuses (28P01), the key is reported revoked or invalid
    let (dir2, pw2) = pg_fixture(pg.port, 4);
    let (_, v, out, err) = pg_scan(dir2.path(), &flags);
    let f = pg_finding(&v);
    assert_eq!(f["validation"]["status"], "invalid", "{f}");
    assert_eq!(
        f["validation"]["reason"],
        "password authentication failed (28P01)"
    );
    assert_eq!(f["severity"], "low");
    assert_eq!(pg.connections().len(), 2);
    assert!(!out.contains(&pw2) && !err.contains(&pw2));

    // a server asking for the password in clear gets nothing
    let clear = pgmock::PgMock::start(pgmock::Auth::Cleartext);
    let (dir3, pw3) = pg_fixture(clear.port, 5);
    let (_, v, out, err) = pg_scan(dir3.path(), &flags);
    let f = pg_finding(&v);
    assert_eq!(f["validation"]["status"], "unknown", "{f}");
    assert_eq!(
        f["validation"]["reason"],
        "server asks for a cleartext password: not sent"
    );
    let conns = clear.connections();
    assert_eq!(conns.len(), 1);
    assert!(!String::from_utf8_lossy(&conns[0].0).contains(&pw3));
    assert!(!out.contains(&pw3) && !err.contains(&pw3));
    // a busy server (the database's "rate limit"): unknown with its SQLSTATE, no retry
    let busy = pgmock::PgMock::start(pgmock::Auth::Error("53300"));
    let (dir4, pw4) = pg_fixture(busy.port, 6);
    let (_, v, out, err) = pg_scan(dir4.path(), &flags);
    let f = pg_finding(&v);
    assert_eq!(f["validation"]["status"], "unknown", "{f}");
    assert_eq!(
        f["validation"]["reason"],
        "server refused the login (53300)"
    );
    assert_eq!(busy.connections().len(), 1);
    assert!(!out.contains(&pw4) && !err.contains(&pw4));
}

// ------------------------------------------------------------------ rate limits and retries

/// `n` distinct GitHub tokens, one file each.
fn github_tokens(dir: &Path, n: usize) -> Vec<String> {
    let mut rng = leakgate::examples::Rng::new(77);
    (0..n)
        .map(|i| {
            let t = leakgate::examples::expand("{{github:ghp}}", &mut rng).unwrap();
            std::fs::write(dir.join(format!("t{i}.env")), format!("GITHUB_TOKEN={t}\n")).unwrap();
            t
        })
        .collect()
}

fn github_scan(dir: &Path, m: &Mock) -> (Value, String, String) {
    let ep = format!("github={}", m.url);
    let (_, out, err) = leakgate(&[
        "scan",
        dir.to_str().unwrap(),
        "--no-lint",
        "--format",
        "json",
        "--validate",
        "--validation-endpoint",
        &ep,
        "--fail-on",
        "none",
    ]);
    (serde_json::from_str(&out).unwrap(), out, err)
}

fn gaps(reqs: &[Req]) -> Vec<std::time::Duration> {
    let mut at: Vec<_> = reqs.iter().map(|r| r.at).collect();
    at.sort();
    at.windows(2).map(|w| w[1] - w[0]).collect()
}

#[test]
fn retry_after_is_honoured_once_then_valid() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = github_tokens(dir.path(), 1);
    let m = Mock::start(Box::new(|_r: &Req, n| {
        if n == 0 {
            let mut r = reply(429, r#"{"message":"API rate limit exceeded"}"#);
            r.headers.push(("Retry-After".into(), "1".into()));
            r
        } else {
            reply(200, r#"{"login":"octocat"}"#)
        }
    }));
    let (v, out, err) = github_scan(dir.path(), &m);
    let reqs = m.requests();
    assert_eq!(reqs.len(), 2, "one retry");
    let g = gaps(&reqs)[0];
    assert!(
        g >= std::time::Duration::from_millis(900) && g < std::time::Duration::from_secs(4),
        "Retry-After: 1 gave a gap of {g:?}"
    );
    assert_eq!(v["findings"][0]["validation"]["status"], "valid");
    assert!(!out.contains(&tokens[0]) && !err.contains(&tokens[0]));
}

#[test]
fn one_provider_gets_one_request_per_interval() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = github_tokens(dir.path(), 6);
    let m = Mock::start(Box::new(|_r: &Req, _| reply(200, r#"{"login":"octocat"}"#)));
    let started = std::time::Instant::now();
    let (v, out, err) = github_scan(dir.path(), &m);
    let took = started.elapsed();
    let reqs = m.requests();
    assert_eq!(reqs.len(), 6, "six keys, six requests");
    // 4 workers, but one provider: the 6th request goes out at least 5 x 100 ms after the
    // 1st. The mock stamps arrival, and a busy machine may delay any one stamp, so the
    // span from the first arrival to the last is checked with 50 ms of slack for the
    // first; the run itself cannot be shorter than 500 ms.
    let g = gaps(&reqs);
    let span: std::time::Duration = g.iter().sum();
    assert!(
        span >= std::time::Duration::from_millis(450),
        "span {span:?}, gaps {g:?}"
    );
    assert!(took >= std::time::Duration::from_millis(500), "{took:?}");
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 6);
    assert!(f.iter().all(|f| f["validation"]["status"] == "valid"));
    for t in &tokens {
        assert!(!out.contains(t.as_str()) && !err.contains(t.as_str()));
    }
}

#[test]
fn exhausted_retries_are_unknown_with_reason() {
    let dir = tempfile::tempdir().unwrap();
    github_tokens(dir.path(), 1);
    let m = Mock::start(Box::new(|_r: &Req, _| {
        reply(429, r#"{"message":"API rate limit exceeded"}"#)
    }));
    let (v, _, _) = github_scan(dir.path(), &m);
    let reqs = m.requests();
    assert_eq!(reqs.len(), 3, "the first request and two retries");
    // no Retry-After: backoff of 250 ms, then 500 ms (arrival stamps: 50 ms of slack for
    // a stamp delayed by a busy machine)
    let g = gaps(&reqs);
    let span: std::time::Duration = g.iter().sum();
    assert!(span >= std::time::Duration::from_millis(700), "{g:?}");
    assert!(g[1] >= std::time::Duration::from_millis(450), "{g:?}");
    let val = &v["findings"][0]["validation"];
    assert_eq!(val["status"], "unknown");
    assert_eq!(val["reason"], "rate limited (HTTP 429)");
    assert_eq!(
        v["findings"][0]["severity"], "critical",
        "unknown leaves the severity: {val}"
    );
}

// ------------------------------------------------------------------ GCP service-account keys

/// A fresh RSA key from the `openssl` command (PKCS#8 PEM) and its PKCS#1 public key (DER).
fn openssl_rsa(dir: &Path, name: &str) -> (String, Vec<u8>) {
    let pem = dir.join(format!("{name}.pem"));
    let der = dir.join(format!("{name}.der"));
    let ok = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&pem)
        .output()
        .expect("the GCP test needs the openssl command to make an RSA key")
        .status
        .success();
    assert!(ok);
    let ok = Command::new("openssl")
        .args(["rsa", "-RSAPublicKey_out", "-outform", "DER", "-in"])
        .arg(&pem)
        .arg("-out")
        .arg(&der)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok);
    let p = std::fs::read_to_string(&pem).unwrap();
    std::fs::remove_file(&pem).unwrap();
    (p, std::fs::read(&der).unwrap())
}

/// Checks a JWT-bearer token request as Google would: the RS256 signature against `public`,
/// the key id, issuer and audience.
fn google_token_answer(r: &Req, public: &[u8], kid: &str, email: &str) -> Reply {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    assert_eq!(r.path, "/token");
    assert_eq!(r.method, "POST");
    let form: HashMap<&str, &str> = r
        .body
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .collect();
    assert_eq!(
        form["grant_type"],
        "urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
    );
    let jwt: Vec<&str> = form["assertion"].split('.').collect();
    assert_eq!(jwt.len(), 3);
    let header: Value = serde_json::from_slice(&b64.decode(jwt[0]).unwrap()).unwrap();
    let claims: Value = serde_json::from_slice(&b64.decode(jwt[1]).unwrap()).unwrap();
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], kid);
    assert_eq!(claims["iss"], email);
    assert_eq!(claims["aud"], "https://oauth2.googleapis.com/token");
    assert!(claims["exp"].as_u64().unwrap() > claims["iat"].as_u64().unwrap());
    let signed = format!("{}.{}", jwt[0], jwt[1]);
    let ok = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        public,
    )
    .verify(signed.as_bytes(), &b64.decode(jwt[2]).unwrap())
    .is_ok();
    if ok {
        reply(
            200,
            r#"{"access_token":"ya29.mock-access-token","expires_in":3599,"token_type":"Bearer"}"#,
        )
    } else {
        reply(
            400,
            r#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#,
        )
    }
}

#[test]
fn gcp_service_account_key_valid_invalid_429_and_5xx() {
    let dir = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let (pem, public) = openssl_rsa(keys.path(), "sa");
    let (_, other_public) = openssl_rsa(keys.path(), "other");
    let mut rng = leakgate::examples::Rng::new(11);
    let kid = leakgate::examples::expand("{{hex:40}}", &mut rng).unwrap();
    let email = "ci-deploy@shop-prod.iam.gserviceaccount.com";
    let file = serde_json::to_string_pretty(&serde_json::json!({
        "type": "service_account",
        "project_id": "shop-prod",
        "private_key_id": kid,
        "private_key": pem,
        "client_email": email,
        "client_id": "104729384756102938475",
        "token_uri": "https://oauth2.googleapis.com/token",
    }))
    .unwrap();
    std::fs::write(dir.path().join("sa.json"), file).unwrap();
    // a line of the key's base64 body, which must never be printed
    let key_line = pem.lines().nth(5).unwrap().to_string();
    for sc in [
        Scenario::Valid,
        Scenario::Invalid,
        Scenario::RateLimitedThenOk,
        Scenario::ServerError,
    ] {
        let public = if sc == Scenario::Invalid {
            other_public.clone()
        } else {
            public.clone()
        };
        let kid2 = kid.clone();
        let m = Mock::start(Box::new(move |r: &Req, n| match sc {
            Scenario::RateLimitedThenOk if n == 0 => {
                let mut rep = reply(429, r#"{"error":"rate_limit_exceeded"}"#);
                rep.headers.push(("Retry-After".into(), "0".into()));
                rep
            }
            Scenario::ServerError => reply(503, r#"{"error":"backend_error"}"#),
            _ => google_token_answer(r, &public, &kid2, email),
        }));
        let ep = format!("gcp={}", m.url);
        let (_, out, err) = leakgate(&[
            "scan",
            dir.path().to_str().unwrap(),
            "--no-lint",
            "--format",
            "json",
            "--validate",
            "--validation-endpoint",
            &ep,
            "--fail-on",
            "none",
        ]);
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
        let f = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule_id"] == "gcp-service-account-key")
            .expect("no gcp finding");
        let val = &f["validation"];
        let (status, requests) = match sc {
            Scenario::Valid => ("valid", 1),
            Scenario::Invalid => ("invalid", 1),
            Scenario::RateLimitedThenOk => ("valid", 2),
            Scenario::ServerError => ("unknown", 3),
        };
        assert_eq!(val["status"], status, "{sc:?}: {val}");
        assert_eq!(m.requests().len(), requests, "{sc:?}");
        match sc {
            Scenario::Valid | Scenario::RateLimitedThenOk => {
                assert_eq!(val["identity"], email);
                assert_eq!(f["severity"], "critical");
            }
            Scenario::Invalid => {
                assert_eq!(val["reason"], "invalid_grant: Invalid JWT Signature.");
                assert_eq!(f["severity"], "low");
            }
            Scenario::ServerError => assert_eq!(val["reason"], "provider error (HTTP 503)"),
        }
        for s in [&kid, &key_line, &"ya29.mock-access-token".to_string()] {
            assert!(
                !out.contains(s.as_str()) && !err.contains(s.as_str()),
                "{sc:?}: printed"
            );
        }
    }
}

// ------------------------------------------------------------------ figures

/// Requests sent against unique keys on a fixture full of duplicates: 3 GitHub tokens in 4
/// files each, 2 Slack tokens in 3 files each, one AWS secret key with its key id in 3 files
/// and with another key id in a 4th (a different pair, so a second check), one Twilio pair in
/// 2 files. 24 validated findings, 8 unique keys: 8 requests.
#[test]
fn requests_equal_unique_keys_on_a_fixture_with_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = leakgate::examples::Rng::new(2026);
    let mut x = |t: &str| leakgate::examples::expand(t, &mut rng).unwrap();
    let gh: Vec<String> = (0..3).map(|_| x("{{github:ghp}}")).collect();
    let sl: Vec<String> = (0..2)
        .map(|_| x("xoxb-{{digits:12}}-{{digits:13}}-{{alnum:24}}"))
        .collect();
    let (kid1, kid2, aws) = (
        x("AKIA{{base32:16}}"),
        x("AKIA{{base32:16}}"),
        x("{{base64:40}}"),
    );
    let (sid, tok) = (x("AC{{hex:32}}"), x("{{hex:32}}"));
    let mut n = 0;
    let mut put = |text: String| {
        std::fs::write(dir.path().join(format!("f{n:02}.env")), text).unwrap();
        n += 1;
    };
    for t in &gh {
        for _ in 0..4 {
            put(format!("GITHUB_TOKEN={t}\n"));
        }
    }
    for t in &sl {
        for _ in 0..3 {
            put(format!("SLACK_BOT_TOKEN={t}\n"));
        }
    }
    for k in [&kid1, &kid1, &kid1, &kid2] {
        put(format!(
            "aws_access_key_id = {k}\naws_secret_access_key = {aws}\n"
        ));
    }
    for _ in 0..2 {
        put(format!(
            "TWILIO_ACCOUNT_SID={sid}\nTWILIO_AUTH_TOKEN={tok}\n"
        ));
    }
    let ok = |body: &'static str| Mock::start(Box::new(move |_r: &Req, _| reply(200, body)));
    let mocks = [
        ("github", ok(r#"{"login":"octocat"}"#)),
        ("slack", ok(r#"{"ok":true,"user":"bot"}"#)),
        ("aws", ok(STS_OK)),
        ("twilio", ok(r#"{"friendly_name":"Acme"}"#)),
    ];
    let mut args: Vec<String> = [
        "scan",
        dir.path().to_str().unwrap(),
        "--no-lint",
        "--format",
        "json",
        "--validate",
        "--fail-on",
        "none",
    ]
    .map(String::from)
    .to_vec();
    for (p, m) in &mocks {
        args.push("--validation-endpoint".into());
        args.push(format!("{p}={}", m.url));
    }
    let argv: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    let started = std::time::Instant::now();
    let (_, out, err) = leakgate(&argv);
    let took = started.elapsed();
    let v: Value = serde_json::from_str(&out).unwrap();
    let validated = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("validation").is_some())
        .count();
    let per: Vec<(&str, usize)> = mocks
        .iter()
        .map(|(p, m)| (*p, m.requests().len()))
        .collect();
    let sent: usize = per.iter().map(|(_, n)| n).sum();
    eprintln!(
        "figures: {validated} validated findings, 8 unique keys, {sent} requests {per:?}, {took:?}"
    );
    assert_eq!(validated, 24);
    assert_eq!(
        per,
        [("github", 3), ("slack", 2), ("aws", 2), ("twilio", 1)]
    );
    assert!(err.contains("validated 8 unique keys: 8 live"), "{err}");
    for s in gh.iter().chain(&sl).chain([&aws, &tok]) {
        assert!(!out.contains(s.as_str()) && !err.contains(s.as_str()));
    }
}
