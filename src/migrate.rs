//! Moving from gitleaks (or betterleaks, which shares its formats) in one step:
//!
//! - `.gitleaksignore` fingerprint files (`path:rule-id:line`, `commit:path:rule-id:line`),
//! - gitleaks / betterleaks JSON reports used as a baseline (`--baseline report.json`, or
//!   `leakgate baseline import`),
//! - `.gitleaks.toml` configs converted to `.leakgate.yml` (`leakgate config import`).
//!
//! gitleaks' ignore entries and redacted reports carry no secret, only a path, a line and a
//! rule id: those match a finding at the same path and line, of the equivalent leakgate rule
//! when there is an obvious one ([`map_rule`]) and of any rule otherwise. A report that holds
//! the secret matches on (path, secret) wherever the secret moved in its file.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::finding::{hex, Finding};

/// Name of gitleaks' ignore file, read at the repository root.
pub const GITLEAKS_IGNORE: &str = ".gitleaksignore";

/// leakgate rules equivalent to a gitleaks rule id, for the ids with an obvious equivalent.
/// `None`: no equivalent (e.g. `generic-api-key`); such entries match any rule at their place.
pub fn map_rule(gitleaks_id: &str) -> Option<&'static [&'static str]> {
    const PRIVATE_KEYS: &[&str] = &[
        "rsa-private-key",
        "ec-private-key",
        "dsa-private-key",
        "pkcs8-private-key",
        "pkcs8-encrypted-private-key",
        "openssh-private-key",
        "pgp-private-key",
        "putty-private-key",
    ];
    Some(match gitleaks_id {
        "aws-access-token" => &["aws-access-key-id"],
        "github-pat" => &["github-pat-classic"],
        "github-fine-grained-pat" => &["github-fine-grained-pat"],
        "github-oauth" => &["github-oauth-token"],
        "github-app-token" => &[
            "github-app-installation-token",
            "github-user-to-server-token",
        ],
        "github-refresh-token" => &["github-refresh-token", "github-refresh-token-short"],
        "gitlab-pat" => &["gitlab-pat"],
        "gitlab-ptt" => &["gitlab-pipeline-trigger-token"],
        "gitlab-rrt" => &["gitlab-runner-registration-token"],
        "gitlab-runner-authentication-token" => &["gitlab-runner-auth-token"],
        "gitlab-deploy-token" => &["gitlab-deploy-token"],
        "gitlab-feed-token" => &["gitlab-feed-token"],
        "slack-bot-token" => &["slack-bot-token"],
        "slack-user-token" => &["slack-user-token"],
        "slack-app-token" => &["slack-app-level-token"],
        "slack-legacy-token" => &["slack-legacy-token"],
        "slack-webhook-url" => &["slack-incoming-webhook", "slack-workflow-webhook"],
        "stripe-access-token" => &[
            "stripe-secret-key",
            "stripe-restricted-key",
            "stripe-test-key",
        ],
        "private-key" => PRIVATE_KEYS,
        "jwt" => &["jwt"],
        "openai-api-key" => &[
            "openai-project-key",
            "openai-legacy-key",
            "openai-service-account-key",
            "openai-admin-key",
        ],
        "anthropic-api-key" => &["anthropic-api-key"],
        "anthropic-admin-api-key" => &["anthropic-admin-key"],
        "gcp-api-key" => &["google-api-key"],
        "npm-access-token" => &["npm-access-token"],
        "pypi-upload-token" => &["pypi-upload-token"],
        "rubygems-api-token" => &["rubygems-api-key"],
        "sendgrid-api-token" => &["sendgrid-api-key"],
        "twilio-api-key" => &["twilio-api-key"],
        "telegram-bot-api-token" => &["telegram-bot-token"],
        "digitalocean-pat" => &["digitalocean-personal-access-token"],
        "digitalocean-access-token" => &["digitalocean-oauth-token"],
        "digitalocean-refresh-token" => &["digitalocean-refresh-token"],
        "doppler-api-token" => &["doppler-token"],
        "hashicorp-tf-api-token" => &["terraform-cloud-token"],
        "huggingface-access-token" => &["huggingface-access-token"],
        "huggingface-organization-api-token" => &["huggingface-org-token"],
        "shopify-access-token" => &["shopify-access-token"],
        "shopify-shared-secret" => &["shopify-shared-secret"],
        "square-access-token" => &["square-access-token"],
        "age-secret-key" => &["age-secret-key"],
        "heroku-api-key" => &["heroku-api-key", "heroku-api-key-v2"],
        "mailgun-private-api-token" => &["mailgun-api-key"],
        "postman-api-token" => &["postman-api-key"],
        "pulumi-api-token" => &["pulumi-access-token"],
        "linear-api-key" => &["linear-api-key"],
        "discord-client-secret" | "discord-api-token" => return None,
        "vault-service-token" => &["vault-service-token"],
        "vault-batch-token" => &["vault-batch-token"],
        "sentry-org-token" => &["sentry-org-token"],
        "sentry-user-token" => &["sentry-user-token"],
        "grafana-cloud-api-token" => &["grafana-cloud-token"],
        "grafana-service-account-token" => &["grafana-service-account-token"],
        "grafana-api-key" => &["grafana-api-key"],
        "flyio-access-token" => &["flyio-macaroon-token", "flyio-oauth-token"],
        "databricks-api-token" => return None,
        "1password-service-account-token" => &["onepassword-service-account-token"],
        "1password-secret-key" => &["onepassword-secret-key"],
        _ => return None,
    })
}

/// One finding accepted by gitleaks (an ignore-file line or a report entry).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignEntry {
    pub path: String,
    /// 1-based line, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// gitleaks' rule id, as found.
    pub gitleaks_rule: String,
    /// Commit the finding was in (history scans).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// `sha256(secret \0 path)` when the report held the secret (never the secret itself).
    /// Serialized as `hash`: a key named like a secret beside 64 hex digits reads as one.
    #[serde(default, rename = "hash", skip_serializing_if = "Option::is_none")]
    pub secret_sha256: Option<String>,
}

/// `sha256(secret \0 path)` in hex.
pub fn secret_hash(secret: &str, path: &str) -> String {
    let mut h = Sha256::new();
    h.update(secret.as_bytes());
    h.update([0]);
    h.update(path.as_bytes());
    hex(&h.finalize())
}

fn norm_path(p: &str) -> &str {
    p.trim_start_matches("./")
}

impl ForeignEntry {
    /// Whether `f` is the finding this entry accepted.
    /// `path`: the finding's path as the entry's paths are written (relative to the
    /// repository root; see [`crate::baseline::Baseline::with_root`]).
    pub fn matches(&self, f: &Finding, path: &str) -> bool {
        let path = norm_path(path);
        if norm_path(&self.path) != path {
            return false;
        }
        if let Some(h) = &self.secret_sha256 {
            if *h == secret_hash(&f.secret, path) {
                return true;
            }
        }
        let Some(line) = self.line else {
            return false;
        };
        if f.location.line != line && !f.also.iter().any(|l| l.line == line) {
            return false;
        }
        if let Some(ids) = map_rule(&self.gitleaks_rule) {
            // our generic rules report what a gitleaks provider rule would when the value
            // fails the provider's stricter format check (a bad checksum)
            let generic = f.rule.tags.iter().any(|t| t == "generic");
            if !generic && !ids.contains(&f.rule.id.as_str()) {
                return false;
            }
        }
        match (&self.commit, &f.commit) {
            (Some(a), Some(b)) => {
                let n = a.len().min(b.sha.len());
                n >= 7 && a[..n].eq_ignore_ascii_case(&b.sha[..n])
            }
            _ => true,
        }
    }
}

/// Parse a `.gitleaksignore` file: one fingerprint per line (`#` comments and blank lines
/// skipped). Lines that are not fingerprints are returned as errors, one each.
pub fn parse_gitleaksignore(text: &str) -> (Vec<ForeignEntry>, Vec<String>) {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        match parse_fingerprint(l) {
            Some(e) => out.push(e),
            None => bad.push(format!(
                "line {}: {l:?} is not a gitleaks fingerprint (path:rule-id:line or commit:path:rule-id:line)",
                i + 1
            )),
        }
    }
    (out, bad)
}

/// `path:rule:line` or `commit:path:rule:line` (paths may hold `:`; the commit is 40 or 64
/// hex digits).
fn parse_fingerprint(s: &str) -> Option<ForeignEntry> {
    let (rest, line) = s.rsplit_once(':')?;
    let line: u32 = line.trim().parse().ok()?;
    let (rest, rule) = rest.rsplit_once(':')?;
    let (commit, path) = match rest.split_once(':') {
        Some((c, p))
            if (c.len() == 40 || c.len() == 64) && c.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            (Some(c.to_ascii_lowercase()), p)
        }
        _ => (None, rest),
    };
    if path.is_empty() || rule.is_empty() {
        return None;
    }
    Some(ForeignEntry {
        path: norm_path(path).to_string(),
        line: Some(line),
        gitleaks_rule: rule.to_string(),
        commit,
        secret_sha256: None,
    })
}

/// Read a gitleaks / betterleaks JSON report: a JSON array (or JSON Lines) of findings, in
/// gitleaks 8's shape (`RuleID`, `File`, `StartLine`, `Secret`, `Commit`) or betterleaks 2's
/// (`ruleID`, `location.startLine`, `attributes.path` / `location.path`, `secret` or
/// `match.value`, `attributes["git.sha"]`). `None` when the text is not such a report.
///
/// Secrets are hashed with their path, never kept; redacted secrets (`REDACTED`, `abc...`)
/// are dropped and the entry matches on path and line.
pub fn parse_report(text: &str) -> Option<Vec<ForeignEntry>> {
    let items: Vec<serde_json::Value> = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Array(a)) => a,
        Ok(_) => return None,
        Err(_) => {
            // JSON Lines (betterleaks `--report-format jsonl`)
            let mut v = Vec::new();
            for l in text.lines().filter(|l| !l.trim().is_empty()) {
                v.push(serde_json::from_str(l).ok()?);
            }
            if v.is_empty() {
                return None;
            }
            v
        }
    };
    items.iter().map(report_entry).collect()
}

fn report_entry(v: &serde_json::Value) -> Option<ForeignEntry> {
    let str_at = |paths: &[&[&str]]| -> Option<String> {
        paths.iter().find_map(|p| {
            let mut cur = v;
            for k in *p {
                cur = cur.get(k)?;
            }
            cur.as_str().filter(|s| !s.is_empty()).map(str::to_string)
        })
    };
    let rule = str_at(&[&["RuleID"], &["ruleID"], &["rule_id"]])?;
    let path = str_at(&[
        &["File"],
        &["file"],
        &["location", "path"],
        &["attributes", "path"],
    ])?;
    let line = [
        &["StartLine"][..],
        &["startLine"],
        &["location", "startLine"],
    ]
    .iter()
    .find_map(|p| {
        let mut cur = v;
        for k in *p {
            cur = cur.get(k)?;
        }
        cur.as_u64()
    })
    .and_then(|l| u32::try_from(l).ok())
    .filter(|&l| l > 0);
    let secret = str_at(&[&["Secret"], &["secret"], &["match", "value"]])
        .filter(|s| !s.contains("REDACTED") && !s.ends_with("..."));
    let commit = str_at(&[&["Commit"], &["commit"], &["attributes", "git.sha"]]);
    let path = norm_path(&path).to_string();
    Some(ForeignEntry {
        secret_sha256: secret.map(|s| secret_hash(&s, &path)),
        line,
        gitleaks_rule: rule,
        commit: commit.map(|c| c.to_ascii_lowercase()),
        path,
    })
}

// ---------------------------------------------------------------------------------------
// `leakgate config import`

/// Whether a config file's text is gitleaks TOML rather than leakgate YAML.
pub fn looks_like_gitleaks_toml(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        matches!(
            l,
            "[allowlist]" | "[[allowlists]]" | "[[rules]]" | "[extend]" | "[[rules.allowlists]]"
        ) || l.starts_with("[rules.allowlist]")
            || (l.starts_with("title") && l.contains('='))
            || l.starts_with("useDefault")
    })
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct GlConfig {
    #[serde(default)]
    extend: Option<GlExtend>,
    #[serde(default)]
    rules: Vec<GlRule>,
    #[serde(default)]
    allowlist: Option<GlAllowlist>,
    #[serde(default)]
    allowlists: Vec<GlAllowlist>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct GlExtend {
    #[serde(default)]
    use_default: Option<bool>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    disabled_rules: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct GlAllowlist {
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    commits: Vec<String>,
    #[serde(default)]
    regex_target: Option<String>,
    #[serde(default)]
    condition: Option<String>,
    #[serde(default)]
    target_rules: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct GlRule {
    id: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    regex: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    secret_group: Option<usize>,
    #[serde(default)]
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    allowlist: Option<GlAllowlist>,
    #[serde(default)]
    allowlists: Vec<GlAllowlist>,
}

#[derive(Serialize, Default)]
struct OutConfig {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    disable: Vec<String>,
    #[serde(skip_serializing_if = "OutAllow::is_empty")]
    allow: OutAllow,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rules: Vec<OutRule>,
}

#[derive(Serialize, Default)]
struct OutAllow {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    paths: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    values: Vec<String>,
}

impl OutAllow {
    fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.values.is_empty()
    }
}

#[derive(Serialize)]
struct OutRule {
    id: String,
    name: String,
    description: String,
    severity: &'static str,
    precision: &'static str,
    keywords: Vec<String>,
    pattern: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    entropy: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    allow: Vec<String>,
    remediation: String,
    tags: Vec<String>,
}

/// The result of converting a gitleaks config.
pub struct Imported {
    /// `.leakgate.yml` text.
    pub yaml: String,
    /// One line per setting that could not be converted.
    pub not_converted: Vec<String>,
    /// Counts for the summary line.
    pub rules: usize,
    pub allows: usize,
    pub disabled: usize,
}

/// Convert a gitleaks TOML config into `.leakgate.yml` text.
pub fn import_gitleaks_config(text: &str) -> Result<Imported> {
    let gl: GlConfig = toml::from_str(text).context("not a valid gitleaks TOML config")?;
    let mut out = OutConfig::default();
    let mut skipped = Vec::new();
    if let Some(ext) = &gl.extend {
        if let Some(p) = ext.path.as_ref().or(ext.url.as_ref()) {
            skipped.push(format!(
                "[extend] path/url {p:?}: import that file too and merge the results"
            ));
        }
        for id in &ext.disabled_rules {
            // gitleaks' keyword-assignment rule is leakgate's generic one (for disabling; an
            // ignore entry of it still matches any rule at its place)
            if id == "generic-api-key" {
                out.disable.push("generic-secret-assignment".into());
                continue;
            }
            match map_rule(id) {
                Some(ids) => out.disable.extend(ids.iter().map(|s| s.to_string())),
                None => skipped.push(format!(
                    "[extend] disabledRules {id:?}: no equivalent leakgate rule (see `leakgate rules list`)"
                )),
            }
        }
    }
    let replaces_defaults = match &gl.extend {
        Some(e) => e.use_default == Some(false),
        None => !gl.rules.is_empty(),
    };
    if replaces_defaults {
        skipped.push(
            "the config replaces gitleaks' default rules: leakgate's built-in rules stay on (list ids under `disable:` to turn some off)"
                .into(),
        );
    }
    let mut lists: Vec<(String, &GlAllowlist)> = Vec::new();
    if let Some(a) = &gl.allowlist {
        lists.push(("[allowlist]".into(), a));
    }
    for (i, a) in gl.allowlists.iter().enumerate() {
        lists.push((format!("[[allowlists]] #{}", i + 1), a));
    }
    for (label, a) in lists {
        if !a.target_rules.is_empty() {
            skipped.push(format!(
                "{label} targetRules {:?}: leakgate allow-lists apply to every rule; not converted",
                a.target_rules
            ));
            continue;
        }
        convert_allowlist(&label, a, &mut out.allow, &mut skipped);
    }
    for r in &gl.rules {
        match convert_rule(r) {
            Ok(mut rule) => {
                for (i, a) in r.allowlist.iter().chain(&r.allowlists).enumerate() {
                    let label = format!("rule {:?} allowlist #{}", r.id, i + 1);
                    if !a.paths.is_empty() || !a.commits.is_empty() {
                        skipped.push(format!(
                            "{label}: per-rule paths/commits are not supported (allow.paths applies to every rule)"
                        ));
                    }
                    let values_only = GlAllowlist {
                        regexes: a.regexes.clone(),
                        stopwords: a.stopwords.clone(),
                        regex_target: a.regex_target.clone(),
                        condition: a.condition.clone(),
                        ..Default::default()
                    };
                    let mut tmp = OutAllow::default();
                    convert_allowlist(&label, &values_only, &mut tmp, &mut skipped);
                    rule.allow.extend(tmp.values);
                }
                out.rules.push(rule);
            }
            Err(why) => skipped.push(format!("rule {:?}: {why}", r.id)),
        }
    }
    let counts = (
        out.rules.len(),
        out.allow.paths.len() + out.allow.values.len(),
        out.disable.len(),
    );
    let mut yaml = String::from(
        "# Converted from a gitleaks config by `leakgate config import`.\n# Reference: leakgate's README, section \"Configuration\".\n",
    );
    if counts == (0, 0, 0) {
        yaml.push_str("{}\n");
    } else {
        yaml.push_str(&serde_yaml_ng::to_string(&out)?);
        if !yaml.ends_with('\n') {
            yaml.push('\n');
        }
    }
    Ok(Imported {
        yaml,
        not_converted: skipped,
        rules: counts.0,
        allows: counts.1,
        disabled: counts.2,
    })
}

fn convert_allowlist(
    label: &str,
    a: &GlAllowlist,
    allow: &mut OutAllow,
    skipped: &mut Vec<String>,
) {
    if a.condition
        .as_deref()
        .is_some_and(|c| c.eq_ignore_ascii_case("AND"))
    {
        skipped.push(format!(
            "{label}: condition = \"AND\" cannot be expressed; its entries are converted as alternatives (OR)"
        ));
    }
    for p in &a.paths {
        match path_regex_to_glob(p) {
            Some(g) => allow.paths.push(g),
            None => skipped.push(format!(
                "{label} path {p:?}: a path regex with no glob equivalent; add a glob to allow.paths"
            )),
        }
    }
    let target = a.regex_target.as_deref().unwrap_or("secret");
    for r in &a.regexes {
        if target != "secret" {
            skipped.push(format!(
                "{label} regex {r:?}: regexTarget = {target:?} (leakgate matches allow.values against the secret only)"
            ));
        } else if regex::Regex::new(r).is_err() {
            skipped.push(format!(
                "{label} regex {r:?}: not valid in leakgate's regex syntax"
            ));
        } else {
            allow.values.push(r.clone());
        }
    }
    for w in &a.stopwords {
        // gitleaks drops a secret that contains a stopword (case-insensitively)
        allow.values.push(format!("(?i){}", regex::escape(w)));
    }
    for c in &a.commits {
        skipped.push(format!(
            "{label} commit {c}: leakgate has no commit allow-list; accept that commit's findings with `leakgate baseline create`"
        ));
    }
}

/// A gitleaks path regex as a glob, for the shapes that have one: literals, optionally
/// anchored, with `\.` escapes and one `(a|b)` / `(?:a|b)` alternation. `None` otherwise.
fn path_regex_to_glob(re: &str) -> Option<String> {
    let mut s = re.trim();
    s = s.strip_prefix("(?i)").unwrap_or(s);
    // `(^|/)name`: at the root or below any folder, which is what `**/name` means
    let any_dir = ["(^|/)", "(?:^|/)", "(?:/|^)", "(/|^)"]
        .iter()
        .find_map(|p| s.strip_prefix(p));
    if let Some(rest) = any_dir {
        if rest.starts_with('^') || rest.starts_with('/') {
            return None;
        }
        return path_regex_to_glob(&format!("^{rest}")).map(|g| format!("**/{g}"));
    }
    let start = s.starts_with('^');
    s = s.trim_start_matches('^');
    let end = s.ends_with('$') && !s.ends_with("\\$");
    if end {
        s = &s[..s.len() - 1];
    }
    let mut glob = String::new();
    let mut chars = s.chars().peekable();
    let mut in_group = false;
    let mut groups = 0;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                c @ ('.' | '/' | '-' | '_' | '(' | ')' | '[' | ']' | '{' | '}' | '+' | '$'
                | '^' | '|') => {
                    if matches!(c, '[' | ']' | '{' | '}') {
                        return None;
                    }
                    glob.push(c)
                }
                _ => return None,
            },
            '(' if !in_group => {
                if chars.peek() == Some(&'?') {
                    chars.next();
                    if chars.next()? != ':' {
                        return None;
                    }
                }
                in_group = true;
                groups += 1;
                glob.push('{');
            }
            ')' if in_group => {
                in_group = false;
                glob.push('}');
            }
            '|' if in_group => glob.push(','),
            '.' if chars.peek() == Some(&'*') => {
                chars.next();
                glob.push('*');
            }
            '.' | '*' | '+' | '?' | '[' | ']' | '{' | '}' | '|' | '(' | ')' | '$' | '^' => {
                return None
            }
            c => glob.push(c),
        }
    }
    if in_group || groups > 1 || glob.is_empty() {
        return None;
    }
    let prefix = if start { "" } else { "**/*" };
    let prefix = if !start && glob.starts_with('/') {
        "**"
    } else {
        prefix
    };
    let suffix = if end { "" } else { "*" };
    let out = format!("{prefix}{glob}{suffix}");
    // `**/*x` does not match `x` at the root in every glob engine; unanchored means anywhere
    Some(out.replace("**/**/*", "**/*"))
}

/// A gitleaks rule as a leakgate rule, or why it cannot be one.
fn convert_rule(r: &GlRule) -> std::result::Result<OutRule, String> {
    if !r
        .id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err("id is not kebab-case".into());
    }
    let Some(regex) = r.regex.as_deref().filter(|s| !s.is_empty()) else {
        return Err(if r.path.is_some() {
            "path-only rules (a file's presence is the finding) are not supported".into()
        } else {
            "no regex".into()
        });
    };
    if r.path.is_some() {
        return Err("rules with a `path` condition are not supported".into());
    }
    let keywords: Vec<String> = r
        .keywords
        .iter()
        .filter(|k| k.len() >= 2)
        .cloned()
        .collect();
    if keywords.is_empty() {
        return Err(
            "no keywords (leakgate runs a rule's regex only near one of its keywords): add `keywords` and import again"
                .into(),
        );
    }
    let pattern = with_secret_group(regex, r.secret_group)?;
    if let Err(e) = regex::bytes::RegexBuilder::new(&pattern).build() {
        return Err(format!(
            "regex is not valid in leakgate's (Rust) regex syntax: {}",
            e.to_string().lines().last().unwrap_or("")
        ));
    }
    let id = r.id.to_ascii_lowercase().replace('_', "-");
    let description = r
        .description
        .clone()
        .unwrap_or_else(|| format!("Custom rule {id} imported from gitleaks."));
    let mut tags = r.tags.clone();
    tags.push("gitleaks-import".into());
    Ok(OutRule {
        name: r.description.clone().unwrap_or_else(|| id.clone()),
        id,
        description,
        severity: "high",
        precision: "medium",
        keywords,
        pattern,
        entropy: r.entropy.filter(|&e| e > 0.0),
        allow: Vec::new(),
        remediation: "Rotate the credential and remove it from the repository.".into(),
        tags,
    })
}

/// The regex with gitleaks' secret group (`secretGroup`, default: the first group when there
/// is one, else the whole match) renamed / wrapped as `(?P<secret>…)`.
fn with_secret_group(re: &str, group: Option<usize>) -> std::result::Result<String, String> {
    let opens = capture_opens(re);
    let n = match group {
        Some(0) => 0,
        Some(n) => n,
        None if opens.is_empty() => 0,
        None => 1,
    };
    if n == 0 {
        return Ok(format!("(?P<secret>{re})"));
    }
    let Some(&(at, len)) = opens.get(n - 1) else {
        return Err(format!(
            "secretGroup {n} but the regex has {} group(s)",
            opens.len()
        ));
    };
    Ok(format!("{}(?P<secret>{}", &re[..at], &re[at + len..]))
}

/// Byte offset and length of the opening of every capturing group, in order: `(` or
/// `(?P<name>` / `(?<name>`.
fn capture_opens(re: &str) -> Vec<(usize, usize)> {
    let b = re.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut in_class = false;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            b'(' if !in_class => {
                if b.get(i + 1) != Some(&b'?') {
                    out.push((i, 1));
                } else if re[i..].starts_with("(?P<")
                    || (re[i..].starts_with("(?<")
                        && !re[i..].starts_with("(?<=")
                        && !re[i..].starts_with("(?<!"))
                {
                    let close = re[i..].find('>').map_or(1, |c| c + 1);
                    out.push((i, close));
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

impl Imported {
    /// "2 rules, 5 allow-list entries, 1 disabled rule"
    pub fn summary(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        format!(
            "{}, {}, {}",
            plural(self.rules, "rule", "rules"),
            plural(self.allows, "allow-list entry", "allow-list entries"),
            plural(self.disabled, "disabled rule", "disabled rules")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_parse() {
        let (e, bad) = parse_gitleaksignore(
            "# c\nconf.py:github-pat:2\n0123456789abcdef0123456789abcdef01234567:a:b.py:generic-api-key:10\nnonsense\n",
        );
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].path, "conf.py");
        assert_eq!(e[1].path, "a:b.py");
        assert!(e[1].commit.is_some());
        assert_eq!(bad.len(), 1);
    }

    #[test]
    fn path_regexes_become_globs() {
        assert_eq!(path_regex_to_glob(r"^docs/").as_deref(), Some("docs/*"));
        assert_eq!(
            path_regex_to_glob(r"(?i)\.(?:bmp|gif)$").as_deref(),
            Some("**/*.{bmp,gif}")
        );
        assert_eq!(
            path_regex_to_glob(r"gitleaks\.toml").as_deref(),
            Some("**/*gitleaks.toml*")
        );
        assert_eq!(path_regex_to_glob(r"^a/[0-9]+$"), None);
        assert_eq!(
            path_regex_to_glob(r"(^|/)testdata/").as_deref(),
            Some("**/testdata/*")
        );
        assert_eq!(
            path_regex_to_glob(r"(?:^|/)package-lock\.json$").as_deref(),
            Some("**/package-lock.json")
        );
    }

    #[test]
    fn secret_group_is_named() {
        assert_eq!(
            with_secret_group(r"key=(a)(b+)", Some(2)).unwrap(),
            r"key=(a)(?P<secret>b+)"
        );
        assert_eq!(
            with_secret_group(r"key=(?:x)([a-z]+)", None).unwrap(),
            r"key=(?:x)(?P<secret>[a-z]+)"
        );
        assert_eq!(
            with_secret_group(r"abc\d+", None).unwrap(),
            r"(?P<secret>abc\d+)"
        );
        assert!(with_secret_group(r"a(b)", Some(3)).is_err());
    }

    #[test]
    fn reports_of_both_shapes_parse() {
        let gl = r#"[{"RuleID":"github-pat","File":"./a.py","StartLine":2,"Secret":"REDACTED","Commit":""}]"#;
        let e = parse_report(gl).unwrap();
        assert_eq!((e[0].path.as_str(), e[0].line), ("a.py", Some(2)));
        assert!(e[0].secret_sha256.is_none() && e[0].commit.is_none());
        let bl = concat!(
            r#"{"ruleID":"jwt","secret":"abc...","location":{"startLine":4},"attributes":{"path":"b.js","git.sha":"ABCDEF1234567"}}"#,
            "\n",
            r#"{"ruleID":"jwt","match":{"full":"x","value":"tok"},"location":{"path":"c.js","startLine":1}}"#,
            "\n"
        );
        let e = parse_report(bl).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].commit.as_deref(), Some("abcdef1234567"));
        assert!(e[0].secret_sha256.is_none());
        assert_eq!(e[1].path, "c.js");
        assert!(e[1].secret_sha256.is_some());
        assert!(parse_report(r#"{"version":1,"findings":[]}"#).is_none());
        assert!(parse_report(r#"[{"x":1}]"#).is_none());
        assert_eq!(parse_report("[]").unwrap().len(), 0);
    }
}
