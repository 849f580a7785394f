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
    pub host: String,
    /// `GET` (default), `POST` or `HEAD`. Only read-only endpoints belong here.
    #[serde(default = "default_method")]
    pub method: String,
    /// `https://HOST/path`; `{{secret}}` may appear in the path or query (percent-encoded).
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
    /// no matcher fits is `unknown`.
    pub responses: Vec<ResponseMatcher>,
    /// Dotted JSON path of the account name or login in a `valid` answer (never the secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
}

fn default_method() -> String {
    "GET".into()
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

/// Captures a template may name. Only the rule's `secret` group is carried on a finding
/// today; companion captures (an app id next to a key) are future work.
pub const KNOWN_CAPTURES: &[&str] = &["secret"];

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
    /// Structural checks: an HTTPS URL on the declared host, known captures only, the secret
    /// used somewhere, at least one `valid` matcher.
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
        let Some(u) = split_url(&self.url) else {
            bail!("`url` must be https://HOST/... with no user info or template in the host");
        };
        if u.scheme != "https" {
            bail!("`url` must be https");
        }
        if !self.host.contains('.')
            || !self
                .host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        {
            bail!("`host` must be a DNS name (`api.example.com`)");
        }
        if u.authority != self.host {
            bail!(
                "`url` host `{}` is not the declared `host` `{}` (no port, no other host)",
                u.authority,
                self.host
            );
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
                if !KNOWN_CAPTURES.contains(&name) {
                    bail!(
                        "template `{{{{{name}}}}}` names no known capture (known: {})",
                        KNOWN_CAPTURES.join(", ")
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
