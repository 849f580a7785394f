//! The `validate:` block of a rule: one read-only HTTP request to the provider's documented
//! API host and how to read its answer. Checked when rules load ([`ValidateSpec::check`]), so
//! a block that could send a key anywhere but the declared HTTPS host never loads.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

/// One rule's live check.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ValidateSpec {
    /// Provider name (`github`, `slack`): the key of `--validation-endpoint` and of the
    /// per-provider rate limit. Kebab-case.
    pub provider: String,
    /// The provider's API host the request goes to (`api.github.com`); `url` must be on it.
    /// May start with a companion template (`{{app_id}}-dsn.algolia.net`, `{{domain}}`) only
    /// where the provider documents per-customer hosts; then `host_suffixes` names the
    /// documented suffixes the rendered host must end with. Absent only for a connection
    /// validator (`code: postgres`), which reaches the host its connection string names.
    #[serde(default)]
    pub host: String,
    /// With a templated `host`: the provider's documented host suffixes (`.okta.com`), each one
    /// of [`TEMPLATED_HOST_SUFFIXES`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub host_suffixes: Vec<String>,
    /// A code validator instead of a request template (`aws-sigv4`): request signing and
    /// similar checks a template cannot express. Then `url`, `headers`, `body` and
    /// `responses` stay empty and the code sends its request to `host`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Other parts of a multi-part credential, looked up near the finding in the same file:
    /// each a regex whose named group (the companion's `name`) is used as `{{name}}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub companions: Vec<Companion>,
    /// `GET` (default), `POST` or `HEAD`. Only read-only endpoints belong here.
    #[serde(default = "default_method")]
    pub method: String,
    /// `https://HOST/path`; `{{secret}}` and companions may appear in the path or query
    /// (percent-encoded). Empty only with `code`.
    #[serde(default)]
    pub url: String,
    /// Request headers; values may hold `{{secret}}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// HTTP Basic credentials (user, password), both templated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_auth: Option<BasicAuth>,
    /// Request body (for POST); `{{secret}}` is JSON-escaped when the `Content-Type` header
    /// says JSON, percent-encoded otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Matchers tried in order; the first that fits the answer gives the result. An answer
    /// no matcher fits is `unknown`. Empty only with `code`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub responses: Vec<ResponseMatcher>,
    /// Dotted JSON path of the account name or login in a `valid` answer (never the secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
}

fn default_method() -> String {
    "GET".into()
}

/// One other part of a multi-part credential (a Twilio account SID next to its auth token).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Companion {
    /// Template name (`account_sid`): `[a-z][a-z0-9_]*`, not `secret`.
    pub name: String,
    /// Regex (Rust syntax, searched in the file's bytes) with a named group `name`.
    pub pattern: String,
    /// Lines before and after the finding searched (default 5, at most 50); the nearest
    /// match wins.
    #[serde(default = "default_within")]
    pub within: u32,
    /// The companion is itself secret (a private key): scrubbed from reasons and identities
    /// like the secret. (Identifiers such as an account SID or a service-account email may
    /// be shown as the identity.)
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
}

fn default_within() -> u32 {
    5
}

/// Most lines a companion is searched away from its finding.
pub const MAX_WITHIN: u32 = 50;

/// Host suffixes under which a provider documents per-customer hosts: the only places a
/// templated `host` may point to.
pub const TEMPLATED_HOST_SUFFIXES: &[&str] = &[
    ".algolia.net",
    ".okta.com",
    ".oktapreview.com",
    ".okta-emea.com",
    ".myshopify.com",
];

/// Code validators and the one host each may talk to; an empty host for connection-string
/// validators, which reach the host their connection string names and run only with
/// `--validate-connections`.
pub const CODE_VALIDATORS: &[(&str, &str)] = &[
    ("aws-sigv4", "sts.amazonaws.com"),
    ("gcp-service-account", "oauth2.googleapis.com"),
    ("postgres", ""),
];

/// Whether a block is a connection-string validator.
pub fn is_connection(spec: &ValidateSpec) -> bool {
    spec.code
        .as_deref()
        .is_some_and(|c| CODE_VALIDATORS.iter().any(|(n, h)| *n == c && h.is_empty()))
}

/// `host` with each `{{name}}` replaced by its value from `vals` (`None` if one is
/// missing), lower-cased; `None` too when the result is not a DNS name or, for a templated
/// host, does not end with one of `suffixes` after at least one label of its own.
pub fn render_host(host: &str, suffixes: &[String], vals: &[(&str, &str)]) -> Option<String> {
    let mut out = host.to_string();
    let templated = !template_names(host).is_empty();
    for name in template_names(host) {
        let v = vals.iter().find(|(n, _)| *n == name)?.1;
        out = out.replace(&format!("{{{{{name}}}}}"), v);
    }
    let out = out.to_ascii_lowercase();
    let dns = !out.is_empty()
        && out.len() <= 253
        && out
            .split('.')
            .all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-'))
        && out
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if !dns || out.contains("{{") {
        return None;
    }
    if templated
        && !suffixes
            .iter()
            .any(|s| out.len() > s.len() && out.ends_with(s.as_str()))
    {
        return None;
    }
    Some(out)
}
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    pub user: String,
    pub password: String,
}

/// What an answer must look like for a result.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ResponseMatcher {
    /// HTTP status, or a list of them; absent: any status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusSet>,
    /// Dotted JSON paths (`ok`, `data.viewer.id`) and the value each must equal. A value of
    /// `"*"` only requires the path to exist (and not be null).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub json: BTreeMap<String, serde_json::Value>,
    /// Header names (case-insensitive) and a substring their value must contain.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub header: BTreeMap<String, String>,
    /// `valid`, `invalid` or `unknown`.
    pub result: Outcome,
    /// Short reason shown with the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Dotted JSON path of a provider's error code to append to the reason (`error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_path: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum StatusSet {
    One(u16),
    Many(Vec<u16>),
}

impl StatusSet {
    pub fn contains(&self, s: u16) -> bool {
        match self {
            StatusSet::One(x) => *x == s,
            StatusSet::Many(v) => v.contains(&s),
        }
    }
}

/// What a matcher concludes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Valid,
    Invalid,
    Unknown,
}

/// Parts of a URL the validator needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts<'a> {
    pub scheme: &'a str,
    /// `host[:port]`
    pub authority: &'a str,
    pub host: &'a str,
    /// Path, query and fragment, starting with `/` (or empty).
    pub rest: &'a str,
}

/// Split `scheme://authority/rest`. No user info (`@`) is accepted.
pub fn split_url(url: &str) -> Option<UrlParts<'_>> {
    let (scheme, after) = url.split_once("://")?;
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..end];
    if authority.is_empty() || authority.contains('@') || authority.contains('{') {
        return None;
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        &authority[..v6.find(']')? + 2]
    } else {
        authority.split(':').next()?
    };
    Some(UrlParts {
        scheme,
        authority,
        host,
        rest: &after[end..],
    })
}

/// Every `{{name}}` in a template.
pub fn template_names(t: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(i) = rest.find("{{") {
        let after = &rest[i + 2..];
        match after.find("}}") {
            Some(j) => {
                out.push(after[..j].trim());
                rest = &after[j + 2..];
            }
            None => break,
        }
    }
    out
}

impl ValidateSpec {
    /// Structural checks: an HTTPS URL on the declared host (a templated host only under a
    /// documented per-customer suffix), known captures only, the secret used somewhere, at
    /// least one `valid` matcher, companions that compile and name their group.
    pub fn check(&self) -> Result<()> {
        let kebab = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        };
        if !kebab(&self.provider) {
            bail!("`provider` must be kebab-case ([a-z0-9-])");
        }
        if !matches!(self.method.as_str(), "GET" | "POST" | "HEAD") {
            bail!("`method` must be GET, POST or HEAD");
        }
        let mut names: Vec<&str> = vec!["secret"];
        for c in &self.companions {
            let ok = c.name.starts_with(|ch: char| ch.is_ascii_lowercase())
                && c.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !ok || names.contains(&c.name.as_str()) {
                bail!(
                    "companion name {:?} must be [a-z][a-z0-9_]*, unique and not `secret`",
                    c.name
                );
            }
            let re = regex::bytes::Regex::new(&c.pattern)
                .map_err(|e| anyhow::anyhow!("companion `{}`: bad pattern: {e}", c.name))?;
            if !re.capture_names().any(|n| n == Some(c.name.as_str())) {
                bail!(
                    "companion `{}`: pattern needs a named group `{}`",
                    c.name,
                    c.name
                );
            }
            if c.within == 0 || c.within > MAX_WITHIN {
                bail!(
                    "companion `{}`: `within` must be 1..={MAX_WITHIN} lines",
                    c.name
                );
            }
            names.push(&c.name);
        }
        if let Some(code) = &self.code {
            let Some((_, host)) = CODE_VALIDATORS.iter().find(|(n, _)| n == code) else {
                bail!(
                    "unknown code validator `{code}` (known: {})",
                    CODE_VALIDATORS
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            };
            if self.host != *host {
                if host.is_empty() {
                    bail!("code validator `{code}` connects to the host its connection string names: no `host`");
                }
                bail!("code validator `{code}` talks to `{host}`, not the declared `host`");
            }
            if !self.url.is_empty()
                || !self.headers.is_empty()
                || self.body.is_some()
                || self.basic_auth.is_some()
                || !self.responses.is_empty()
            {
                bail!("a `code` validator takes no `url`, `headers`, `body`, `basic_auth` or `responses`");
            }
            return Ok(());
        }
        // the host: a DNS name, or one with companion templates under a documented suffix
        let host_names = template_names(&self.host);
        if host_names.is_empty() {
            if !self.host_suffixes.is_empty() {
                bail!("`host_suffixes` is only for a templated `host`");
            }
            if render_host(&self.host, &[], &[]).as_deref() != Some(self.host.as_str()) {
                bail!("`host` must be a DNS name (`api.example.com`)");
            }
            if !self.host.contains('.') {
                bail!("`host` must be a DNS name (`api.example.com`)");
            }
        } else {
            for n in &host_names {
                if *n == "secret" || !names.contains(n) {
                    bail!("`host` may template only a companion, not `{{{{{n}}}}}`");
                }
            }
            if self.host_suffixes.is_empty() {
                bail!("a templated `host` needs `host_suffixes` (the provider's documented host suffixes)");
            }
            for sfx in &self.host_suffixes {
                if !TEMPLATED_HOST_SUFFIXES.contains(&sfx.as_str()) {
                    bail!(
                        "host suffix `{sfx}` is not a documented per-customer host suffix (known: {})",
                        TEMPLATED_HOST_SUFFIXES.join(", ")
                    );
                }
            }
            // the part after the last template is fixed: it must end with a suffix
            let tail = &self.host[self.host.rfind("}}").map_or(0, |i| i + 2)..];
            if !tail.is_empty()
                && !self
                    .host_suffixes
                    .iter()
                    .any(|s| tail.ends_with(s.as_str()))
            {
                bail!(
                    "`host` `{}` does not end with a declared host suffix",
                    self.host
                );
            }
        }
        let Some(after) = self.url.strip_prefix("https://") else {
            bail!("`url` must be https");
        };
        match after.strip_prefix(self.host.as_str()) {
            Some(rest) if rest.is_empty() || rest.starts_with(['/', '?']) => {}
            _ => bail!(
                "`url` host is not the declared `host` `{}` (no port, no user info, no other host)",
                self.host
            ),
        }
        let mut templated: Vec<&str> = vec![&self.url];
        for (k, v) in &self.headers {
            if k.is_empty()
                || !k
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                bail!("bad header name {k:?}");
            }
            if v.contains(['\r', '\n']) {
                bail!("header {k} has a line break");
            }
            templated.push(v);
        }
        if let Some(b) = &self.basic_auth {
            templated.push(&b.user);
            templated.push(&b.password);
        }
        if let Some(b) = &self.body {
            templated.push(b);
        }
        let mut uses_secret = false;
        for t in &templated {
            for name in template_names(t) {
                if !names.contains(&name) {
                    bail!(
                        "template `{{{{{name}}}}}` names no known capture (known: {})",
                        names.join(", ")
                    );
                }
                uses_secret |= name == "secret";
            }
        }
        if !uses_secret {
            bail!("no template uses `{{{{secret}}}}`");
        }
        if self.responses.is_empty() || !self.responses.iter().any(|r| r.result == Outcome::Valid) {
            bail!("`responses` needs a matcher with `result: valid`");
        }
        for r in &self.responses {
            if r.status.is_none() && r.json.is_empty() && r.header.is_empty() {
                bail!("a `responses` matcher needs `status`, `json` or `header`");
            }
        }
        if matches!(&self.identity, Some(p) if p.trim().is_empty()) {
            bail!("`identity` must be a dotted JSON path");
        }
        Ok(())
    }
}

/// The value at a dotted path (`a.b.0.c`; numeric parts index arrays).
pub fn json_path<'a>(v: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    let mut cur = v;
    for part in path.split('.') {
        cur = match cur {
            serde_json::Value::Object(m) => m.get(part)?,
            serde_json::Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> ValidateSpec {
        serde_yaml_ng::from_str(yaml).unwrap()
    }

    const OK: &str = "provider: github\nhost: api.github.com\nurl: https://api.github.com/user\nheaders: {Authorization: 'Bearer {{secret}}'}\nresponses: [{status: 200, result: valid}]\n";

    #[test]
    fn accepts_https_on_declared_host() {
        spec(OK).check().unwrap();
    }

    #[test]
    fn rejects_other_host_http_unknown_capture_and_no_secret() {
        for (from, to) in [
            ("https://api.github.com/user", "https://evil.example/user"),
            ("https://api.github.com/user", "http://api.github.com/user"),
            (
                "https://api.github.com/user",
                "https://api.github.com:8443/user",
            ),
            (
                "https://api.github.com/user",
                "https://x@api.github.com/user",
            ),
            ("Bearer {{secret}}", "Bearer {{client_id}}"),
            ("Bearer {{secret}}", "Bearer fixed"),
            ("result: valid", "result: invalid"),
        ] {
            let s = spec(&OK.replace(from, to));
            assert!(s.check().is_err(), "{to}");
        }
    }

    const OKTA: &str = "provider: okta\nhost: '{{domain}}'\nhost_suffixes: ['.okta.com']\nurl: 'https://{{domain}}/api/v1/users/me'\nheaders: {Authorization: 'SSWS {{secret}}'}\ncompanions: [{name: domain, pattern: '(?P<domain>[a-z0-9-]+\\.okta\\.com)'}]\nresponses: [{status: 200, result: valid}]\n";

    #[test]
    fn templated_hosts_only_under_documented_suffixes() {
        spec(OKTA).check().unwrap();
        for (from, to) in [
            ("['.okta.com']", "['.example.com']"),
            ("host_suffixes: ['.okta.com']\n", ""),
            ("host: '{{domain}}'", "host: '{{secret}}'"),
            ("https://{{domain}}/", "https://{{secret}}/"),
            ("(?P<domain>", "(?P<other>"),
            ("SSWS {{secret}}", "SSWS {{secret}} {{org}}"),
            ("name: domain", "name: secret"),
        ] {
            let s = spec(&OKTA.replace(from, to));
            assert!(s.check().is_err(), "{to}");
        }
        let sfx = vec![".okta.com".to_string()];
        let r = |v: &str| render_host("{{domain}}", &sfx, &[("domain", v)]);
        assert_eq!(r("Acme.okta.com").as_deref(), Some("acme.okta.com"));
        for bad in [
            "okta.com",
            ".okta.com",
            "evil.example",
            "acme.okta.com.evil.example",
            "evil.example/x.okta.com",
            "evil.example:443@x.okta.com",
            "a..okta.com",
        ] {
            assert_eq!(r(bad), None, "{bad}");
        }
        assert_eq!(render_host("{{domain}}", &sfx, &[]), None);
    }

    #[test]
    fn code_validators_talk_to_their_own_host() {
        let aws = "provider: aws\nhost: sts.amazonaws.com\ncode: aws-sigv4\ncompanions: [{name: key_id, pattern: '(?P<key_id>AKIA[A-Z2-7]{16})'}]\n";
        spec(aws).check().unwrap();
        assert!(spec(&aws.replace("sts.amazonaws.com", "sts.evil.example"))
            .check()
            .is_err());
        assert!(spec(&aws.replace("aws-sigv4", "nope")).check().is_err());
        let with_url = format!("{aws}url: 'https://sts.amazonaws.com/'\n");
        assert!(spec(&with_url).check().is_err());
    }

    #[test]
    fn splits_urls() {
        let u = split_url("http://127.0.0.1:8080/a?b").unwrap();
        assert_eq!(
            (u.scheme, u.authority, u.host, u.rest),
            ("http", "127.0.0.1:8080", "127.0.0.1", "/a?b")
        );
        assert_eq!(split_url("https://[::1]:9/x").unwrap().host, "[::1]");
        assert!(split_url("https://u:p@h/x").is_none());
    }

    #[test]
    fn json_paths() {
        let v: serde_json::Value = serde_json::json!({"a": {"b": [1, {"c": "x"}]}});
        assert_eq!(json_path(&v, "a.b.1.c").unwrap(), "x");
        assert!(json_path(&v, "a.z").is_none());
    }
}
