//! Configuration lint: launch-blocking configuration that exposes secrets or sessions even
//! when no key is pasted in code (client-exposed env vars, files that must not be committed,
//! CORS, session cookies, tokens in web storage, production source maps, CI workflows).
//!
//! One file per check family; this module is the one registry. Each family exports `RULES`
//! (the rule metadata: id, name, severity, remediation, references, and `examples` /
//! `negative_examples` fixtures run by the tests) and a `check` function that reads one file
//! and returns [`Hit`]s with byte ranges. Turning hits into [`Finding`](crate::finding::Finding)s (line and column,
//! redacted snippet, fingerprint, inline `leakgate:allow`, the config's `disable`, `severity`
//! and allow-lists) happens once, in the [`Linter`].
//!
//! Config findings carry an empty `secret` and say what is wrong in `note`; a check that
//! finds a literal credential (a password in a workflow's `env:`) sets `secret`, which every
//! reporter redacts as usual. Fingerprints: a secret-carrying hit is fingerprinted like a
//! secret (rule, value, path); other hits by rule, path and the normalised matched text
//! (plus an occurrence number), so they are stable when lines move.
//!
//! Whole-tree checks (`.gitignore` coverage, source maps in build output) see every walked
//! path through [`Linter::lint_file`] and report in [`Linter::finish`].

pub mod cookies;
pub mod cors;
pub mod env;
pub mod files;
pub mod sourcemaps;
pub mod storage;
pub mod util;
pub mod workflows;
pub mod yaml;

mod examples;
mod linter;
mod repo;

pub use examples::{fixture_files, run_examples};
pub use linter::Linter;
pub use repo::{ignored_by_enclosing_repo, is_repo};

use crate::matcher::RuleSet;
use crate::rules::{Precision, RuleKind, RuleSpec, Severity};

/// Tag every configuration rule carries (SARIF tags, `rules list --format json`).
pub const CONFIG_TAG: &str = "configuration";

/// Files larger than this get only the name-based checks.
pub const MAX_LINT_BYTES: usize = 8 << 20;

/// A configuration rule's metadata and fixtures.
pub struct Meta {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub severity: Severity,
    pub remediation: &'static str,
    pub references: &'static [&'static str],
    /// `(path, file text)`: each must yield at least one finding of this rule. Text may use
    /// the rule-example templates (`{{alnum:N}}`, …) for credentials.
    pub examples: &'static [(&'static str, &'static str)],
    /// `(path, file text)`: each must yield no finding of this rule.
    pub negative_examples: &'static [(&'static str, &'static str)],
}

impl Meta {
    /// The rule as a [`RuleSpec`], so listings and reporters treat it like any rule.
    pub fn spec(&self) -> RuleSpec {
        RuleSpec {
            id: self.id.into(),
            name: self.name.into(),
            description: self.description.into(),
            severity: self.severity,
            precision: Precision::High,
            keywords: Vec::new(),
            pattern: String::new(),
            entropy: None,
            allow: Vec::new(),
            context_allow: Vec::new(),
            validator: None,
            window_before: None,
            window_after: None,
            keyword_followed_by: None,
            references: self.references.iter().map(|s| s.to_string()).collect(),
            remediation: self.remediation.into(),
            tags: vec![CONFIG_TAG.into()],
            paths: Vec::new(),
            example_path: None,
            examples: Vec::new(),
            negative_examples: Vec::new(),
            kind: RuleKind::Config,
            validate: None,
        }
    }
}

/// One problem a check found, as a byte range of the file text.
#[derive(Debug, Clone)]
pub struct Hit {
    pub rule: &'static str,
    pub start: usize,
    pub end: usize,
    /// What is wrong, one sentence.
    pub message: String,
    /// A literal credential this finding is about (redacted in reports).
    pub secret: Option<String>,
    /// Severity for this hit when it differs from the rule's (escalation); a config
    /// `severity:` override still wins.
    pub severity: Option<Severity>,
    /// Byte ranges (of the file text) shown redacted in the snippet: values that are not
    /// reported as secrets but must not be printed either (a `.env` value, a token).
    pub mask: Vec<(usize, usize)>,
}

impl Hit {
    pub fn new(rule: &'static str, start: usize, end: usize, message: impl Into<String>) -> Hit {
        Hit {
            rule,
            start,
            end,
            message: message.into(),
            secret: None,
            severity: None,
            mask: Vec::new(),
        }
    }

    /// Redact `start..end` of the file in the snippet.
    pub fn masking(mut self, start: usize, end: usize) -> Hit {
        if end > start {
            self.mask.push((start, end));
        }
        self
    }
}

/// One file as the checks see it.
pub struct FileCtx<'a> {
    /// Display path.
    pub path: &'a str,
    /// File name (last path segment).
    pub name: &'a str,
    /// The file's bytes; `None` when only its name may be checked.
    data: Option<&'a [u8]>,
    /// `data` as text, decoded on first use: most files are of no kind any check reads, and
    /// decoding every blob of a history costs more than all the checks together.
    text: std::cell::OnceCell<Option<std::borrow::Cow<'a, str>>>,
    /// Whether the scan runs in a git work tree (or a root with a `.gitignore`).
    pub repo: bool,
    secrets: &'a RuleSet,
    /// Lower-case extension, worked out once (several families ask for it per file).
    ext: std::borrow::Cow<'a, str>,
}

impl<'a> FileCtx<'a> {
    pub(super) fn new(
        path: &'a str,
        data: Option<&'a [u8]>,
        repo: bool,
        secrets: &'a RuleSet,
    ) -> FileCtx<'a> {
        let name = FileCtx::file_name(path);
        let ext = match name.rsplit_once('.') {
            Some((stem, e)) if !stem.is_empty() => {
                if e.bytes().any(|b| b.is_ascii_uppercase()) {
                    std::borrow::Cow::Owned(e.to_ascii_lowercase())
                } else {
                    std::borrow::Cow::Borrowed(e)
                }
            }
            _ => std::borrow::Cow::Borrowed(""),
        };
        FileCtx {
            path,
            name,
            data,
            text: std::cell::OnceCell::new(),
            repo,
            secrets,
            ext,
        }
    }

    /// The text (lossy UTF-8); `None` for binary or oversized files. A check asks for it
    /// after its file-kind test.
    pub fn text(&self) -> Option<&str> {
        self.text.get_or_init(|| text_of(self.data)).as_deref()
    }

    /// Lower-case file extension (`""` for none).
    pub fn ext(&self) -> &str {
        &self.ext
    }

    /// `/`-separated path segments.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.path.split('/')
    }

    /// JavaScript-family source (where browser code lives).
    pub fn is_script(&self) -> bool {
        matches!(
            self.ext(),
            "js" | "mjs"
                | "cjs"
                | "jsx"
                | "ts"
                | "mts"
                | "cts"
                | "tsx"
                | "vue"
                | "svelte"
                | "astro"
                | "html"
                | "htm"
        )
    }

    /// Test code (`test/`, `__tests__/`, `*.test.*`, `*.spec.*`, type tests): not deployed,
    /// so the runtime checks (CORS, cookies, web storage, env in code) skip it.
    pub fn is_test(&self) -> bool {
        let p = self.path;
        let n = self.name;
        p.contains("/test/")
            || p.contains("/tests/")
            || p.contains("/__tests__/")
            || p.starts_with("test/")
            || p.starts_with("tests/")
            || [".test.", ".spec.", ".tst.", ".test-d."]
                .iter()
                .any(|m| n.contains(m))
    }

    /// The name of a secret rule that matches `value`, if any (offline; same rules as the
    /// scan). With `provider_only`, rules tagged `generic` do not count.
    pub fn secret_rule(&self, value: &str, provider_only: bool) -> Option<String> {
        let mut raw = Vec::new();
        self.secrets.scan(value.as_bytes(), false, &mut raw);
        raw.iter()
            .map(|m| &self.secrets.rules[m.rule].spec)
            .find(|s| !provider_only || !s.tags.iter().any(|t| t == "generic"))
            .map(|s| s.name.clone())
    }

    /// The file name of a path.
    pub fn file_name(path: &str) -> &str {
        path.rsplit(['/', '!']).next().unwrap_or(path)
    }
}

/// What the checks read of `data`: its text when it is not too large.
pub(super) fn text_of(data: Option<&[u8]>) -> Option<std::borrow::Cow<'_, str>> {
    data.filter(|d| d.len() <= MAX_LINT_BYTES)
        .map(crate::text::lossy)
}

type Check = fn(&FileCtx, &mut Vec<Hit>);

/// The registry: every check family with its rules.
const FAMILIES: &[(&[Meta], Check)] = &[
    (env::RULES, env::check),
    (files::RULES, files::check),
    (cors::RULES, cors::check),
    (cookies::RULES, cookies::check),
    (storage::RULES, storage::check),
    (sourcemaps::RULES, sourcemaps::check),
    (workflows::RULES, workflows::check),
];

/// Every configuration rule, in registry order.
pub fn all_rules() -> impl Iterator<Item = &'static Meta> {
    FAMILIES.iter().flat_map(|(rules, _)| rules.iter())
}

pub use crate::text::LineIndex;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_round_trips() {
        let t = "ab\ncdé\r\nx";
        let i = LineIndex::new(t.as_bytes());
        assert_eq!(i.pos(t.as_bytes(), 0), (1, 1));
        assert_eq!(i.pos(t.as_bytes(), 3), (2, 1));
        assert_eq!(i.pos(t.as_bytes(), 7), (2, 4));
        assert_eq!(i.offset_clamped(t.as_bytes(), 2, 4), 7);
        assert_eq!(i.offset_clamped(t.as_bytes(), 3, 1), 9);
    }

    #[test]
    fn rule_ids_are_unique_kebab_case_and_documented() {
        let mut ids = std::collections::HashSet::new();
        let builtin = crate::rules::builtin_rules().unwrap();
        for m in all_rules() {
            assert!(ids.insert(m.id), "duplicate {}", m.id);
            assert!(m
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            assert!(!builtin.iter().any(|b| b.id == m.id), "{} clashes", m.id);
            assert!(!m.remediation.trim().is_empty() && !m.description.trim().is_empty());
            assert!(
                !m.examples.is_empty() && !m.negative_examples.is_empty(),
                "{}",
                m.id
            );
        }
    }
}
