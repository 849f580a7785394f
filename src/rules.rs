//! Rules as data.
//!
//! A rule is one YAML block in `rules/*.yml` (embedded in the binary at build time, see
//! `build.rs`) or in a user's own rule file. `RuleSpec` is the on-disk schema; the matcher
//! compiles a list of specs into a `CompiledRules` set.

pub mod validate_spec;

use std::fmt;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Lower-case name as used in config files, JSON and `--fail-on`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// GitHub code scanning's `security-severity` score (0.0–10.0) for this level.
    pub fn security_severity(self) -> &'static str {
        match self {
            Severity::Info => "0.0",
            Severity::Low => "3.0",
            Severity::Medium => "5.5",
            Severity::High => "8.0",
            Severity::Critical => "9.5",
        }
    }

    /// Parse a severity name (case-insensitive).
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "info" | "note" => Some(Severity::Info),
            "low" => Some(Severity::Low),
            "medium" | "moderate" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How likely a match of the rule is a real secret (SARIF `precision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Precision {
    Low,
    #[default]
    Medium,
    High,
    VeryHigh,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Low => "low",
            Precision::Medium => "medium",
            Precision::High => "high",
            Precision::VeryHigh => "very-high",
        }
    }
}

/// Offline validators a rule can name. They never touch the network: they check structure
/// (checksums, encodings, claims) to raise confidence or to drop a match that cannot be a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValidatorKind {
    /// GitHub tokens: last six base62 characters are the CRC32 of the rest.
    GithubChecksum,
    /// npm tokens (`npm_`): same checksum scheme as GitHub.
    NpmChecksum,
    /// Any JWT: must decode to a JSON header with `alg` and a JSON payload.
    Jwt,
    /// Supabase JWT: `role: service_role` is a secret, `role: anon` is public by design.
    SupabaseJwt,
    /// PEM block: base64 body decodes and (when unencrypted) starts like DER.
    Pem,
    /// AWS access key id: known prefix and base32 alphabet of 16 characters after it.
    AwsKeyId,
    /// Stripe keys: `sk_`/`rk_` are secret; `pk_` publishable keys are public.
    Stripe,
    /// Basic-auth style URL: password is not a placeholder and not an env reference.
    UrlPassword,
    /// Generic assignment: value passes the placeholder and entropy filters.
    Generic,
}

/// One rule as written in YAML.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable identifier, kebab-case, e.g. `openai-project-key`.
    pub id: String,
    /// Human name, e.g. "OpenAI project API key".
    pub name: String,
    /// One or two sentences: what this is and why it matters.
    pub description: String,
    pub severity: Severity,
    #[serde(default)]
    pub precision: Precision,
    /// Literal strings (matched ASCII case-insensitively) of which at least one must occur
    /// near a match. The regex runs only in a window around keyword hits. May be empty only
    /// for a rule with `paths`: its regex then runs over the whole of every matching file.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Regex (Rust `regex` syntax) with a named group `secret`.
    pub pattern: String,
    /// Minimum Shannon entropy (bits per byte) of the `secret` group.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Regexes; a `secret` value matching any of them is not reported.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Regexes matched against the text from up to 200 bytes before the secret (same line)
    /// through its end; a match drops the candidate (e.g. public badge tokens in URLs).
    #[serde(default)]
    pub context_allow: Vec<String>,
    #[serde(default)]
    pub validator: Option<ValidatorKind>,
    /// Bytes searched before a keyword hit (default 64).
    #[serde(default)]
    pub window_before: Option<usize>,
    /// Bytes searched after a keyword hit (default 256).
    #[serde(default)]
    pub window_after: Option<usize>,
    /// Regex tested anchored right after each keyword hit; a hit it does not match opens
    /// no regex window. For context rules whose keyword is a common word (`token`, `auth`):
    /// most occurrences are not followed by an assignment, and skipping them skips most of
    /// the rule's regex work. It must accept whatever can follow the keyword inside a match of
    /// `pattern` (the rule's examples check it does).
    #[serde(default)]
    pub keyword_followed_by: Option<String>,
    /// Documentation URLs (provider's token format, revocation page).
    #[serde(default)]
    pub references: Vec<String>,
    /// Where and how to rotate (Markdown).
    pub remediation: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Globs on the file's path: the rule runs only on files that match one (for formats that
    /// are credentials only in a known file, such as `.pgpass` lines or a Rails `master.key`).
    /// A glob matches the end of the path (`config/master.key` in any directory, `.pgpass` any
    /// file of that name); `*` does not cross `/`.
    /// Empty: every file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// Path the rule's examples and negative examples are scanned as (default `example`);
    /// needed when the rule has `paths`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example_path: Option<String>,
    /// Inputs that must produce exactly one finding of this rule. `{{…}}` templates are
    /// expanded with random data at test time, see [`crate::examples`].
    #[serde(default)]
    pub examples: Vec<String>,
    /// Inputs that must produce no finding of this rule.
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// `secret` (default) or `config`: a configuration check (see `src/lint/`), whose
    /// findings describe a setting rather than carry a secret value.
    #[serde(default, skip_serializing_if = "RuleKind::is_secret")]
    pub kind: RuleKind,
    /// Live validation (`--validate` only): one read-only request to the provider's API
    /// and how to read its answer. See `crate::validate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validate: Option<validate_spec::ValidateSpec>,
}

/// What a rule finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    /// A credential value (redacted in every report).
    #[default]
    Secret,
    /// Configuration that exposes secrets or sessions.
    Config,
}

impl RuleKind {
    pub fn is_secret(&self) -> bool {
        *self == RuleKind::Secret
    }
}

/// A file of rules: `rules: [...]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub rules: Vec<RuleSpec>,
}

/// Rule files compiled into the binary: `(file name, YAML text deflated, the same as JSON)`,
/// written by `build.rs` (the JSON is empty when the YAML did not parse).
pub const BUILTIN_RULE_FILES: &[(&str, &[u8], &str)] =
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// The YAML text of a built-in rule file, from its deflated form in [`BUILTIN_RULE_FILES`].
fn builtin_yaml(deflated: &[u8]) -> String {
    use std::io::Read;
    let mut text = String::new();
    flate2::read::DeflateDecoder::new(deflated)
        .read_to_string(&mut text)
        .expect("build.rs deflated a UTF-8 rule file");
    text
}

/// Parse a YAML rule file's text. `origin` names the file in error messages.
pub fn parse_rule_file(origin: &str, text: &str) -> Result<Vec<RuleSpec>> {
    let file: RuleFile = serde_yaml_ng::from_str(text).map_err(|e| {
        anyhow::anyhow!(
            "{origin}: invalid rule file: {}",
            crate::input::yaml_error(&e)
        )
    })?;
    for r in &file.rules {
        check_spec(r).with_context(|| format!("{origin}: rule `{}`", r.id))?;
        if let Some(v) = &r.validate {
            v.check()
                .context("bad `validate` block")
                .with_context(|| format!("{origin}: rule `{}`", r.id))?;
        }
    }
    Ok(file.rules)
}

/// [`parse_rule_file`] for the rule files built into the binary, from their JSON form (see
/// `build.rs`); the YAML is parsed only when the JSON does not give valid rules, for an
/// error that names the YAML's line (and for a scalar that JSON typed differently, which
/// `builtin_json_is_the_yaml` rules out). The `validate:` blocks are not checked again at
/// every start (compiling the companions' patterns took most of a pre-commit run); `cargo
/// test` checks them (`rules_test_checks_validate_blocks`).
fn parse_builtin_rule_file(origin: &str, yaml: &[u8], json: &str) -> Result<Vec<RuleSpec>> {
    let file: RuleFile = match serde_json::from_str(json) {
        Ok(f) => f,
        Err(_) => serde_yaml_ng::from_str(&builtin_yaml(yaml)).map_err(|e| {
            anyhow::anyhow!(
                "{origin}: invalid rule file: {}",
                crate::input::yaml_error(&e)
            )
        })?,
    };
    for r in &file.rules {
        check_spec(r).with_context(|| format!("{origin}: rule `{}`", r.id))?;
    }
    Ok(file.rules)
}

/// Read and parse a rule file from disk.
pub fn load_rule_file(path: &Path) -> Result<Vec<RuleSpec>> {
    let text = crate::input::read_regular(path, "rule file")?;
    parse_rule_file(&path.display().to_string(), &text)
}

/// All built-in rules, in file order. Panics only if the embedded rules are broken, which
/// the test suite rules out.
pub fn builtin_rules() -> Result<Vec<RuleSpec>> {
    let mut all = Vec::new();
    for (name, yaml, json) in BUILTIN_RULE_FILES {
        all.extend(parse_builtin_rule_file(
            &format!("rules/{name}"),
            yaml,
            json,
        )?);
    }
    let mut seen = std::collections::HashSet::new();
    for r in &all {
        if !seen.insert(r.id.as_str()) {
            bail!("duplicate rule id `{}` in built-in rules", r.id);
        }
    }
    Ok(all)
}

/// The checks every rule file's rules pass (id, kind, keywords, `secret` group).
pub fn check_spec(r: &RuleSpec) -> Result<()> {
    if r.id.is_empty()
        || !r
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        bail!("id must be non-empty kebab-case ([a-z0-9-])");
    }
    if r.kind != RuleKind::Secret {
        bail!("`kind: config` is reserved for the built-in configuration checks (src/lint)");
    }
    if r.keywords.is_empty() && r.paths.is_empty() {
        bail!("needs at least one keyword (or `paths`)");
    }
    for p in &r.paths {
        path_glob(p).with_context(|| format!("bad glob {p:?} in `paths`"))?;
    }
    if r.keywords.iter().any(|k| k.len() < 2) {
        bail!("keywords must be at least 2 bytes long");
    }
    if !r.pattern.contains("(?P<secret>") && !r.pattern.contains("(?<secret>") {
        bail!("pattern needs a named group `secret`");
    }
    Ok(())
}

/// The glob a `paths` entry stands for. Paths are shown relative to whatever the user named
/// on the command line (or inside an archive, or a commit), so a glob matches the END of the
/// path: `config/master.key` matches it in any directory, `.pgpass` any file of that name.
/// `*` and `?` do not cross `/`; `**` does.
pub fn path_glob(pattern: &str) -> Result<globset::Glob> {
    let p = pattern.trim_start_matches("./").trim_start_matches('/');
    let p = if p.starts_with("**") {
        p.to_string()
    } else {
        format!("**/{p}")
    };
    Ok(globset::GlobBuilder::new(&p)
        .literal_separator(true)
        .build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON that start-up reads gives exactly the rules of the YAML as written, for
    /// every built-in file (none falls back to the YAML).
    #[test]
    fn builtin_json_is_the_yaml() {
        for (name, yaml, json) in BUILTIN_RULE_FILES {
            let from_json: RuleFile = serde_json::from_str(json).unwrap_or_else(|e| {
                panic!(
                    "rules/{name}: the embedded JSON: {e} (a number or boolean where text \
                         is meant: quote it in the YAML, e.g. '42')"
                )
            });
            let from_yaml: RuleFile = serde_yaml_ng::from_str(&builtin_yaml(yaml)).unwrap();
            assert!(!from_yaml.rules.is_empty(), "rules/{name}");
            assert_eq!(
                serde_json::to_value(&from_json.rules).unwrap(),
                serde_json::to_value(&from_yaml.rules).unwrap(),
                "rules/{name}"
            );
        }
    }

    /// A built-in file whose JSON is missing (the YAML did not parse at build time) is
    /// reported with the YAML parser's line and column.
    #[test]
    fn a_builtin_file_without_json_reports_the_yaml_error() {
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut z, b"rules:\n  - id: [\n").unwrap();
        let err = parse_builtin_rule_file("rules/x.yml", &z.finish().unwrap(), "")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("rules/x.yml: invalid rule file:"), "{err}");
        assert!(err.contains("line"), "{err}");
    }
}
