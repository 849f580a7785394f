//! Opt-in live validation (`--validate`): ask the provider whether a found key works.
//!
//! Runs after dedup, allow-lists and the baseline, on the findings that will be reported.
//! Each unique (rule, secret) is checked once per run, by at most [`CONCURRENCY`] requests
//! at a time and at most one request per [`PROVIDER_INTERVAL`] to any one provider. A
//! request goes only to the HTTPS host the rule declares (or to the URL a user named with
//! `--validation-endpoint`), follows no redirect, and retries only on 429 and 5xx (at most
//! twice, with backoff). Nothing here prints or returns the secret: reasons and identities
//! taken from an answer are scrubbed of it, transport errors are reduced to their kind.

pub mod aws;
pub mod conn;
pub mod gcp;
pub use crate::rules::validate_spec as spec;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use sha2::{Digest, Sha256};

use crate::finding::Finding;
use crate::rules::{RuleSpec, Severity};
pub use spec::{Outcome, ValidateSpec};

/// Requests in flight at once.
pub const CONCURRENCY: usize = 4;
/// Least time between two requests to one provider.
pub const PROVIDER_INTERVAL: Duration = Duration::from_millis(100);
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(10);
/// Retries after a 429 or 5xx answer.
pub const MAX_RETRIES: u32 = 2;
/// Most of an answer read.
const MAX_BODY: u64 = 1 << 20;

pub use crate::finding::Validation;

/// A validator behind the declarative ones: for checks a `validate:` block cannot express
/// (request signing). Named by a block's `code:`; it talks only to the block's `host`.
pub trait Validator: Send + Sync {
    /// Check `secret` (with the companions the block declares, found near it).
    fn check(
        &self,
        spec: &ValidateSpec,
        rule_id: &str,
        secret: &str,
        companions: &BTreeMap<String, String>,
        ctx: &Context,
    ) -> (Outcome, String, Option<String>);
}

/// Most bytes searched for a companion on either side of a finding.
const COMPANION_WINDOW: usize = 4096;

fn companion_regex(pattern: &str) -> Option<Arc<regex::bytes::Regex>> {
    static CACHE: std::sync::OnceLock<Mutex<HashMap<String, Option<Arc<regex::bytes::Regex>>>>> =
        std::sync::OnceLock::new();
    let mut m = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    m.entry(pattern.to_string())
        .or_insert_with(|| regex::bytes::Regex::new(pattern).ok().map(Arc::new))
        .clone()
}

/// The companions a rule's `validate:` block declares, found in `data` within their
/// `within` lines of the finding at `start..end` (at most 4 KiB either side): for each,
/// the match nearest to the finding that does not cut into it (one that holds the whole
/// finding, such as the connection string around a password, is at distance 0). Absent companions are left
/// out (the check then says which one is missing). Empty for rules without companions.
pub fn find_companions(
    rule: &RuleSpec,
    data: &[u8],
    start: usize,
    end: usize,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(spec) = &rule.validate else {
        return out;
    };
    for c in &spec.companions {
        let Some(re) = companion_regex(&c.pattern) else {
            continue;
        };
        let n = c.within as usize + 1;
        let floor = start.saturating_sub(COMPANION_WINDOW);
        let lo = memchr::memrchr_iter(b'\n', &data[floor..start.min(data.len())])
            .nth(n - 1)
            .map_or(floor, |i| floor + i + 1);
        let ceil = (end + COMPANION_WINDOW).min(data.len());
        let from = end.min(ceil);
        let hi = memchr::memchr_iter(b'\n', &data[from..ceil])
            .nth(n - 1)
            .map_or(ceil, |i| from + i);
        let mut best: Option<(usize, &[u8])> = None;
        for caps in re.captures_iter(&data[lo..hi]) {
            let Some(g) = caps.name(&c.name) else {
                continue;
            };
            let (gs, ge) = (lo + g.start(), lo + g.end());
            if gs < end && start < ge && !(gs <= start && end <= ge) {
                continue; // part of the finding (a match holding all of it is fine: a URL)
            }
            let dist = if ge <= start {
                start - ge
            } else {
                gs.saturating_sub(end) // 0 for a match holding the finding
            };
            if best.is_none_or(|(d, _)| dist < d) {
                best = Some((dist, g.as_bytes()));
            }
        }
        if let Some((_, v)) = best {
            if let Ok(v) = std::str::from_utf8(v) {
                if !v.is_empty() {
                    out.insert(c.name.clone(), v.to_string());
                }
            }
        }
    }
    out
}

/// Run-wide settings.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// `--validation-endpoint PROVIDER=URL`: scheme and authority replacing the rule's.
    pub endpoints: Vec<(String, String)>,
    /// Progress line on stderr (a TTY only).
    pub progress: bool,
    /// `--validate-connections`: also log in with database connection strings.
    pub connections: bool,
    /// `--allow-internal-hosts`: connection validators may reach private, loopback and
    /// link-local addresses.
    pub allow_internal: bool,
}

/// Parse one `--validation-endpoint` value: `PROVIDER=scheme://host[:port]`.
pub fn parse_endpoint(s: &str) -> Result<(String, String), String> {
    let (p, url) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: expected PROVIDER=URL"))?;
    let u =
        spec::split_url(url).ok_or_else(|| format!("{url:?}: expected http(s)://host[:port]"))?;
    if !matches!(u.scheme, "http" | "https") || !matches!(u.rest, "" | "/") {
        return Err(format!(
            "{url:?}: expected http(s)://host[:port] with no path"
        ));
    }
    if p.is_empty() {
        return Err("empty provider name".into());
    }
    Ok((p.to_string(), format!("{}://{}", u.scheme, u.authority)))
}

/// Shared state of one run's requests.
pub struct Context {
    agent: ureq::Agent,
    endpoints: Vec<(String, String)>,
    next_slot: Mutex<HashMap<String, Instant>>,
    /// Requests sent (retries included) and connections opened.
    pub requests: AtomicUsize,
    /// `--allow-internal-hosts`
    allow_internal: bool,
}

impl Context {
    pub fn new(endpoints: Vec<(String, String)>) -> Context {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(CONNECT_TIMEOUT)
            .timeout(TOTAL_TIMEOUT)
            .redirects(0)
            .user_agent(concat!("leakgate/", env!("CARGO_PKG_VERSION")))
            .build();
        Context {
            agent,
            endpoints,
            next_slot: Mutex::new(HashMap::new()),
            requests: AtomicUsize::new(0),
            allow_internal: false,
        }
    }

    /// A context for a run with `opts`.
    pub fn with_options(opts: &Options) -> Context {
        Context {
            allow_internal: opts.allow_internal,
            ..Context::new(opts.endpoints.clone())
        }
    }

    /// The override for a provider (or rule id), if any.
    pub fn endpoint(&self, provider: &str, rule_id: &str) -> Option<&str> {
        self.endpoints
            .iter()
            .find(|(p, _)| p == provider || p == rule_id)
            .map(|(_, u)| u.as_str())
    }

    /// Wait for this provider's next request slot.
    fn pace(&self, provider: &str) {
        let wait = {
            let mut m = self.next_slot.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let at = m.get(provider).copied().filter(|t| *t > now).unwrap_or(now);
            m.insert(provider.to_string(), at + PROVIDER_INTERVAL);
            at - now
        };
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }

    /// Send a request (paced, retried on 429/5xx) and return the final status, headers and
    /// body, or a reason it got none.
    pub fn send(
        &self,
        provider: &str,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> Result<Answer, String> {
        let mut attempt = 0;
        loop {
            self.pace(provider);
            self.requests.fetch_add(1, Ordering::Relaxed);
            let mut req = self.agent.request(method, url);
            for (k, v) in headers {
                req = req.set(k, v);
            }
            let res = match body {
                Some(b) => req.send_string(b),
                None => req.call(),
            };
            let resp = match res {
                Ok(r) => r,
                Err(ureq::Error::Status(_, r)) => r,
                // the error's text may hold the URL (and a URL may hold the key): kind only
                Err(ureq::Error::Transport(t)) => return Err(transport_reason(t.kind())),
            };
            let status = resp.status();
            if (status == 429 || status >= 500) && attempt < MAX_RETRIES {
                let after = resp
                    .header("retry-after")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(|s| Duration::from_secs(s.min(5)));
                let backoff = after.unwrap_or(Duration::from_millis(250 << attempt));
                attempt += 1;
                std::thread::sleep(backoff);
                continue;
            }
            let names = resp.headers_names();
            let hdrs = names
                .iter()
                .filter_map(|n| {
                    resp.header(n)
                        .map(|v| (n.to_ascii_lowercase(), v.to_string()))
                })
                .collect();
            let mut buf = Vec::new();
            let _ = resp.into_reader().take(MAX_BODY).read_to_end(&mut buf);
            return Ok(Answer {
                status,
                headers: hdrs,
                body: buf,
            });
        }
    }
}

fn transport_reason(k: ureq::ErrorKind) -> String {
    use ureq::ErrorKind as K;
    match k {
        K::Dns => "DNS lookup failed",
        K::ConnectionFailed => "connection failed",
        K::Io => "network error or timeout",
        K::TooManyRedirects => "redirect not followed",
        K::InvalidUrl | K::UnknownScheme => "bad URL",
        K::ProxyConnect | K::ProxyUnauthorized | K::InvalidProxyUrl => "proxy error",
        _ => "request failed",
    }
    .into()
}

/// An HTTP answer.
pub struct Answer {
    pub status: u16,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Percent-encode all but unreserved characters (and `:`, which Telegram's bot tokens hold).
fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn json_escape(s: &str) -> String {
    let q = serde_json::to_string(s).unwrap_or_default();
    q[1..q.len().saturating_sub(1)].to_string()
}

/// `t` with each `{{name}}` replaced by its value (passed through `enc`).
fn fill(t: &str, vals: &[(&str, &str)], enc: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(j) = after.find("}}") else {
            out.push_str(&rest[i..]);
            return out;
        };
        let name = after[..j].trim();
        match vals.iter().find(|(n, _)| *n == name) {
            Some((_, v)) => out.push_str(&enc(v)),
            None => out.push_str(&rest[i..i + 4 + j]),
        }
        rest = &after[j + 2..];
    }
    out.push_str(rest);
    out
}

/// Text from an answer made safe to show: no secret, no control characters, short.
pub fn scrub(text: &str, secret: &str) -> String {
    let t = if secret.len() >= 4 {
        text.replace(secret, "[secret]")
    } else {
        text.to_string()
    };
    let t: String = t.chars().filter(|c| !c.is_control()).take(120).collect();
    t.trim().to_string()
}

/// [`scrub`] of the secret and of every companion the rule marks `secret`.
fn scrub_all(
    text: &str,
    secret: &str,
    spec: Option<&ValidateSpec>,
    companions: &BTreeMap<String, String>,
) -> String {
    let mut t = scrub(text, secret);
    for c in spec.iter().flat_map(|s| &s.companions).filter(|c| c.secret) {
        if let Some(v) = companions.get(&c.name) {
            t = scrub(&t, v);
        }
    }
    t
}

/// The values a block's templates may use, or the first declared companion not found.
fn template_values<'a>(
    spec: &'a ValidateSpec,
    secret: &'a str,
    companions: &'a BTreeMap<String, String>,
) -> Result<Vec<(&'a str, &'a str)>, String> {
    let mut vals = vec![("secret", secret)];
    for c in &spec.companions {
        match companions.get(&c.name) {
            Some(v) if !v.bytes().any(|b| b < 0x20 || b == 0x7f) => {
                vals.push((c.name.as_str(), v.as_str()))
            }
            _ => return Err(format!("no {} found within {} lines", c.name, c.within)),
        }
    }
    Ok(vals)
}

/// Where a request for `spec` goes: `scheme://authority` of the override, or `https://`
/// and the declared host (rendered with the companions, checked against its suffixes).
pub fn base_url(
    spec: &ValidateSpec,
    rule_id: &str,
    vals: &[(&str, &str)],
    ctx: &Context,
) -> Result<String, String> {
    if let Some(base) = ctx.endpoint(&spec.provider, rule_id) {
        return Ok(base.to_string());
    }
    match spec::render_host(&spec.host, &spec.host_suffixes, vals) {
        Some(h) => Ok(format!("https://{h}")),
        None => Err(format!(
            "host not under {} (companion not a host name)",
            spec.host_suffixes.join(" or ")
        )),
    }
}

/// Check a secret with a rule's `validate:` block.
pub fn check_declarative(
    spec: &ValidateSpec,
    rule_id: &str,
    secret: &str,
    companions: &BTreeMap<String, String>,
    ctx: &Context,
) -> (Outcome, String, Option<String>) {
    let unknown = |r: &str| (Outcome::Unknown, r.to_string(), None);
    if secret.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return unknown("secret not usable in a request");
    }
    let vals = match template_values(spec, secret, companions) {
        Ok(v) => v,
        Err(r) => return unknown(&r),
    };
    let base = match base_url(spec, rule_id, &vals, ctx) {
        Ok(b) => b,
        Err(r) => return unknown(&r),
    };
    // the path and query of the declared URL, on the declared (or overriding) host only
    let rest = spec
        .url
        .strip_prefix("https://")
        .and_then(|a| a.strip_prefix(spec.host.as_str()))
        .unwrap_or("");
    let url = format!("{base}{}", fill(rest, &vals, &url_encode));
    match spec::split_url(&url) {
        Some(u) if format!("{}://{}", u.scheme, u.authority) == base => {}
        _ => return unknown("URL not on the declared host"),
    }
    let json_body = spec
        .headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.contains("json"));
    let raw = |s: &str| s.to_string();
    let mut headers: Vec<(String, String)> = spec
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), fill(v, &vals, &raw)))
        .collect();
    if let Some(b) = &spec.basic_auth {
        use base64::Engine;
        let pair = format!(
            "{}:{}",
            fill(&b.user, &vals, &raw),
            fill(&b.password, &vals, &raw)
        );
        headers.push((
            "Authorization".into(),
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            ),
        ));
    }
    let body = spec.body.as_ref().map(|b| {
        if json_body {
            fill(b, &vals, &json_escape)
        } else {
            fill(b, &vals, &url_encode)
        }
    });
    let ans = match ctx.send(
        &spec.provider,
        &spec.method,
        &url,
        &headers,
        body.as_deref(),
    ) {
        Ok(a) => a,
        Err(reason) => return unknown(&reason),
    };
    interpret(spec, &ans, secret)
}

/// Read an answer with a spec's matchers.
pub fn interpret(
    spec: &ValidateSpec,
    ans: &Answer,
    secret: &str,
) -> (Outcome, String, Option<String>) {
    if (300..400).contains(&ans.status) {
        return (Outcome::Unknown, unmatched_status(ans.status), None);
    }
    let json: Option<serde_json::Value> = serde_json::from_slice(&ans.body).ok();
    for m in &spec.responses {
        if let Some(s) = &m.status {
            if !s.contains(ans.status) {
                continue;
            }
        }
        let json_ok = m.json.iter().all(|(path, want)| {
            let got = json.as_ref().and_then(|j| spec::json_path(j, path));
            match got {
                None => false,
                Some(g) if want == "*" => !g.is_null(),
                Some(g) => g == want,
            }
        });
        if !json_ok {
            continue;
        }
        let header_ok = m.header.iter().all(|(name, sub)| {
            ans.headers
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case(name) && v.contains(sub.as_str()))
        });
        if !header_ok {
            continue;
        }
        let mut reason = m
            .reason
            .clone()
            .unwrap_or_else(|| format!("HTTP {}", ans.status));
        if let Some(code) = m
            .reason_path
            .as_ref()
            .and_then(|p| json.as_ref().and_then(|j| spec::json_path(j, p)))
            .and_then(value_text)
        {
            reason = format!("{reason}: {code}");
        }
        let identity = match (m.result, &spec.identity) {
            (Outcome::Valid, Some(p)) => json
                .as_ref()
                .and_then(|j| spec::json_path(j, p))
                .and_then(value_text)
                .map(|t| scrub(&t, secret))
                .filter(|t| !t.is_empty()),
            _ => None,
        };
        return (m.result, scrub(&reason, secret), identity);
    }
    (Outcome::Unknown, unmatched_status(ans.status), None)
}

/// Why an answer is `unknown` when nothing in it says valid or invalid: the words every
/// validator (declarative or code) uses for a status no matcher claimed.
pub(crate) fn unmatched_status(status: u16) -> String {
    match status {
        429 => "rate limited (HTTP 429)".to_string(),
        s if s >= 500 => format!("provider error (HTTP {s})"),
        s if (300..400).contains(&s) => format!("redirect not followed (HTTP {s})"),
        s => format!("unexpected answer (HTTP {s})"),
    }
}

fn value_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The code validator a block names (`code:`).
fn code_validator(spec: &ValidateSpec) -> Option<Box<dyn Validator>> {
    match spec.code.as_deref()? {
        "aws-sigv4" => Some(Box::new(aws::StsCallerIdentity)),
        "postgres" => Some(Box::new(conn::Postgres)),
        "gcp-service-account" => Some(Box::new(gcp::ServiceAccount)),
        _ => None,
    }
}

/// Whether a finding's rule can be validated.
pub fn can_validate(rule: &RuleSpec) -> bool {
    rule.kind.is_secret()
        && rule
            .validate
            .as_ref()
            .is_some_and(|v| v.code.is_none() || code_validator(v).is_some())
}

/// Providers the loaded rules validate with over HTTPS (the names `--validation-endpoint`
/// takes; connection validators go to the host their connection string names).
pub fn provider_names(rules: &[&RuleSpec]) -> Vec<String> {
    let mut v = Vec::new();
    for r in rules {
        if let Some(s) = r.validate.as_ref().filter(|s| !spec::is_connection(s)) {
            v.push(s.provider.clone());
        }
    }
    v.sort();
    v.dedup();
    v
}

/// Totals of a run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub checked: usize,
    pub valid: usize,
    pub invalid: usize,
    pub unknown: usize,
    pub requests: usize,
    /// Unique connection strings left unchecked (no `--validate-connections`).
    pub connections_skipped: usize,
}

fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    crate::text::rfc3339(secs)
}

/// Validate every finding whose rule can be: once per unique (rule, secret). A live key
/// becomes `critical`; a key the provider rejects drops to `low`.
pub fn validate_findings(findings: &mut [Finding], opts: &Options) -> Stats {
    // unique (rule id, sha256(secret)) -> finding indices
    let mut order: Vec<(String, [u8; 32])> = Vec::new();
    let mut groups: HashMap<(String, [u8; 32]), Vec<usize>> = HashMap::new();
    let mut skipped_conn = std::collections::HashSet::new();
    for (i, f) in findings.iter().enumerate() {
        if f.secret.is_empty() || !can_validate(&f.rule) {
            continue;
        }
        // connection strings only with --validate-connections
        if !opts.connections && f.rule.validate.as_ref().is_some_and(spec::is_connection) {
            skipped_conn.insert((f.rule.id.clone(), f.secret.clone()));
            continue;
        }
        // the companions are part of the key: one token with two account SIDs is two checks
        let mut h = Sha256::new();
        h.update(f.secret.as_bytes());
        for (k, v) in &f.companions {
            h.update([0]);
            h.update(k.as_bytes());
            h.update([0]);
            h.update(v.as_bytes());
        }
        let key = (f.rule.id.clone(), h.finalize().into());
        let e = groups.entry(key.clone()).or_default();
        if e.is_empty() {
            order.push(key);
        }
        e.push(i);
    }
    let jobs: Vec<(Arc<RuleSpec>, String, BTreeMap<String, String>)> = order
        .iter()
        .map(|k| {
            let f = &findings[groups[k][0]];
            (f.rule.clone(), f.secret.clone(), f.companions.clone())
        })
        .collect();
    let ctx = Context::with_options(opts);
    let results: Vec<Mutex<Option<Validation>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let total = jobs.len();
    std::thread::scope(|s| {
        for _ in 0..CONCURRENCY.min(total) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((rule, secret, comp)) = jobs.get(i) else {
                    break;
                };
                let (status, reason, identity) = match &rule.validate {
                    Some(spec) => match (&spec.code, code_validator(spec)) {
                        (None, _) => check_declarative(spec, &rule.id, secret, comp, &ctx),
                        (Some(_), Some(v)) => v.check(spec, &rule.id, secret, comp, &ctx),
                        (Some(_), None) => (Outcome::Unknown, "no validator".into(), None),
                    },
                    None => (Outcome::Unknown, "no validator".into(), None),
                };
                *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(Validation {
                    status,
                    reason: scrub_all(&reason, secret, rule.validate.as_ref(), comp),
                    checked_at: now_rfc3339(),
                    identity: identity.map(|t| scrub_all(&t, secret, rule.validate.as_ref(), comp)),
                });
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if opts.progress {
                    eprint!("\rleakgate: validating {n}/{total}");
                }
            });
        }
    });
    if opts.progress && total > 0 {
        eprint!("\r\x1b[2K");
    }
    let mut stats = Stats {
        checked: total,
        requests: ctx.requests.load(Ordering::Relaxed),
        connections_skipped: skipped_conn.len(),
        ..Default::default()
    };
    for (k, cell) in order.iter().zip(results) {
        let Some(v) = cell.into_inner().unwrap_or_else(|e| e.into_inner()) else {
            continue;
        };
        match v.status {
            Outcome::Valid => stats.valid += 1,
            Outcome::Invalid => stats.invalid += 1,
            Outcome::Unknown => stats.unknown += 1,
        }
        for &i in &groups[k] {
            let f = &mut findings[i];
            match v.status {
                Outcome::Valid => f.severity = Severity::Critical,
                Outcome::Invalid => f.severity = Severity::Low,
                Outcome::Unknown => {}
            }
            f.validation = Some(v.clone());
        }
    }
    stats
}

/// Refuse overrides that name no provider the rules validate with.
pub fn check_endpoints(endpoints: &[(String, String)], rules: &[&RuleSpec]) -> Result<()> {
    let known = provider_names(rules);
    for (p, _) in endpoints {
        let by_rule = rules.iter().any(|r| {
            &r.id == p && can_validate(r) && !r.validate.as_ref().is_some_and(spec::is_connection)
        });
        if !known.contains(p) && !by_rule {
            bail!(
                "--validation-endpoint: no rule validates with provider `{p}` (known: {})",
                known.join(", ")
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_values() {
        assert_eq!(
            parse_endpoint("github=http://127.0.0.1:8080").unwrap(),
            ("github".into(), "http://127.0.0.1:8080".into())
        );
        assert!(parse_endpoint("github=http://127.0.0.1:8080/x").is_err());
        assert!(parse_endpoint("github").is_err());
        assert!(parse_endpoint("github=ftp://h").is_err());
    }

    #[test]
    fn scrub_removes_the_secret_and_controls() {
        assert_eq!(
            scrub("bad token abcd1234\n\x1b[2J", "abcd1234"),
            "bad token [secret][2J"
        );
    }

    #[test]
    fn companions_nearest_within_lines_and_holding_the_finding() {
        let rules = crate::rules::builtin_rules().unwrap();
        let rule = |id: &str| rules.iter().find(|r| r.id == id).unwrap().clone();
        let twilio = rule("twilio-auth-token");
        let (far, near) = (
            "AC".to_string() + &"1".repeat(32),
            "AC".to_string() + &"2".repeat(32),
        );
        let token = "0123456789abcdef0123456789abcdef";
        let text = format!("SID={far}\n\n\n\nSID={near}\nTWILIO_AUTH_TOKEN={token}\n");
        let at = text.find(token).unwrap();
        let c = find_companions(&twilio, text.as_bytes(), at, at + token.len());
        assert_eq!(c.get("account_sid"), Some(&near));
        // beyond `within` (5 lines): not found
        let text = format!("SID={near}\n\n\n\n\n\n\nTWILIO_AUTH_TOKEN={token}\n");
        let at = text.find(token).unwrap();
        assert!(find_companions(&twilio, text.as_bytes(), at, at + token.len()).is_empty());
        // a match that holds the finding is the finding's own connection string
        let pg = rule("postgres-url-password");
        let url = "postgres://app:s3cretPassw0rd@db.example.com/app";
        let text = format!("DATABASE_URL={url}\n");
        let at = text.find("s3cret").unwrap();
        let c = find_companions(&pg, text.as_bytes(), at, at + "s3cretPassw0rd".len());
        assert_eq!(c.get("url").map(String::as_str), Some(url));
        // rules without companions get nothing
        let gh = rule("github-pat-classic");
        assert!(find_companions(&gh, text.as_bytes(), at, at + 4).is_empty());
    }

    #[test]
    fn url_encoding_keeps_telegram_colon() {
        assert_eq!(url_encode("12:ab/c"), "12:ab%2Fc");
    }
}
