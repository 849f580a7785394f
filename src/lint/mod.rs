//! Configuration lint: launch-blocking configuration that exposes secrets or sessions even
//! when no key is pasted in code (client-exposed env vars, files that must not be committed,
//! CORS, session cookies, tokens in web storage, production source maps, CI workflows).
//!
//! One file per check family; this module is the one registry. Each family exports `RULES`
//! (the rule metadata: id, name, severity, remediation, references, and `examples` /
//! `negative_examples` fixtures run by the tests) and a `check` function that reads one file
//! and returns [`Hit`]s with byte ranges. Turning hits into [`Finding`]s (line and column,
//! redacted snippet, fingerprint, inline `leakgate:allow`, the config's `disable`, `severity`
//! and allow-lists) happens once, here.
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
pub mod workflows;
pub mod yaml;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::config::Config;
use crate::engine::{has_allow_marker, is_code_path};
use crate::finding::{fingerprint, redact, Finding, Location, Snippet};
use crate::matcher::{RawMatch, RuleSet};
use crate::rules::{Precision, RuleKind, RuleSpec, Severity};

/// Tag every configuration rule carries (SARIF tags, `rules list --format json`).
pub const CONFIG_TAG: &str = "configuration";
/// Files larger than this get only the name-based checks.
pub const MAX_LINT_BYTES: usize = 8 << 20;
const SNIPPET_MAX: usize = 160;
const SNIPPET_CONTEXT: usize = 50;

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
    /// Text (lossy UTF-8); `None` for binary or oversized files.
    pub text: Option<&'a str>,
    /// Whether the scan runs in a git work tree (or a root with a `.gitignore`).
    pub repo: bool,
    secrets: &'a RuleSet,
}

impl<'a> FileCtx<'a> {
    /// Lower-case file extension.
    pub fn ext(&self) -> String {
        match self.name.rsplit_once('.') {
            Some((stem, e)) if !stem.is_empty() => e.to_ascii_lowercase(),
            _ => String::new(),
        }
    }

    /// `/`-separated path segments.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.path.split('/')
    }

    /// JavaScript-family source (where browser code lives).
    pub fn is_script(&self) -> bool {
        matches!(
            self.ext().as_str(),
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
        path.rsplit('/').next().unwrap_or(path)
    }
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

/// Line starts of a text, for byte offset ↔ (line, column) conversion.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// 1-based line and column (characters) of byte offset `off`.
    pub fn pos(&self, text: &str, off: usize) -> (u32, u32) {
        let off = floor_char(text, off.min(text.len()));
        let i = self.starts.partition_point(|&s| s <= off) - 1;
        let col = text[self.starts[i]..off].chars().count();
        (i as u32 + 1, col as u32 + 1)
    }

    /// Byte offset of 1-based `line` and `col` (characters); clamped to the line.
    pub fn offset(&self, text: &str, line: u32, col: u32) -> usize {
        let Some(&ls) = self.starts.get((line as usize).saturating_sub(1)) else {
            return text.len();
        };
        let le = self.line_end(text, ls);
        text[ls..le]
            .char_indices()
            .nth(col.saturating_sub(1) as usize)
            .map_or(le, |(i, _)| ls + i)
    }

    /// Start offset of 1-based `line`.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.starts.get((line as usize).checked_sub(1)?).copied()
    }

    /// End of the line starting at `ls` (before `\r\n` / `\n`).
    pub fn line_end(&self, text: &str, ls: usize) -> usize {
        let b = text.as_bytes();
        let mut e = memchr::memchr(b'\n', &b[ls..]).map_or(b.len(), |i| ls + i);
        if e > ls && b[e - 1] == b'\r' {
            e -= 1;
        }
        e
    }

    pub fn lines(&self) -> usize {
        self.starts.len()
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Facts gathered across the walk for the whole-tree checks.
#[derive(Default)]
struct Project {
    /// Walked `.env*` files.
    env_files: Vec<String>,
    /// Walked `.map` files inside build-output folders.
    map_files: Vec<String>,
    /// Walked `.gitignore` files: (display path, text).
    gitignores: Vec<(String, String)>,
}

struct ActiveRule {
    spec: Arc<RuleSpec>,
    severity: Severity,
    overridden: bool,
}

/// The configuration rules after the config's `disable` and `severity`.
pub struct Linter {
    rules: Vec<(&'static str, ActiveRule)>,
    roots: Mutex<Vec<PathBuf>>,
    repo: std::sync::atomic::AtomicBool,
    project: Mutex<Project>,
}

impl Linter {
    pub fn new(config: &Config) -> Linter {
        let rules = all_rules()
            .filter(|m| !config.disable.iter().any(|d| d == m.id))
            .map(|m| {
                let over = config.severity.get(m.id).copied();
                (
                    m.id,
                    ActiveRule {
                        spec: Arc::new(m.spec()),
                        severity: over.unwrap_or(m.severity),
                        overridden: over.is_some(),
                    },
                )
            })
            .collect();
        Linter {
            rules,
            roots: Mutex::new(Vec::new()),
            repo: Default::default(),
            project: Default::default(),
        }
    }

    /// True unless every configuration rule is off (`--no-lint`).
    pub fn is_active(&self) -> bool {
        !self.rules.is_empty()
    }

    /// No configuration rules (`--no-lint`).
    pub fn disabled() -> Linter {
        Linter {
            rules: Vec::new(),
            roots: Mutex::new(Vec::new()),
            repo: Default::default(),
            project: Default::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Active rules with their effective severity, in registry order.
    pub fn rules(&self) -> impl Iterator<Item = (&Arc<RuleSpec>, Severity)> {
        self.rules.iter().map(|(_, r)| (&r.spec, r.severity))
    }

    fn rule(&self, id: &str) -> Option<&ActiveRule> {
        self.rules.iter().find(|(i, _)| *i == id).map(|(_, r)| r)
    }

    /// Record the scan roots before a walk: the whole-tree checks and the "would be
    /// committed" checks need to know whether the roots are a git work tree whose ignore
    /// files the walk respects (with `--no-ignore` a walked file may well be ignored).
    pub fn start(&self, roots: &[PathBuf], respect_ignore: bool) {
        let repo = respect_ignore
            && roots
                .iter()
                .any(|r| is_repo(r) && !ignored_by_enclosing_repo(r));
        self.repo.store(repo, std::sync::atomic::Ordering::Relaxed);
        *self.roots.lock().expect("poisoned") = roots.to_vec();
    }

    /// Lint one file. `data` is `None` when only its name may be checked (binary or huge).
    /// Returns a warning (malformed YAML, …) naming the file.
    pub fn lint_file(
        &self,
        secrets: &RuleSet,
        config: &Config,
        path: &str,
        data: Option<&[u8]>,
        out: &mut Vec<Finding>,
    ) -> Option<String> {
        if self.rules.is_empty() {
            return None;
        }
        let name = FileCtx::file_name(path);
        let text = data
            .filter(|d| d.len() <= MAX_LINT_BYTES)
            .map(crate::engine::lossy);
        self.note(path, name, text.as_deref());
        let ctx = FileCtx {
            path,
            name,
            text: text.as_deref(),
            repo: self.repo.load(std::sync::atomic::Ordering::Relaxed),
            secrets,
        };
        let mut hits = Vec::new();
        let mut warning = None;
        for (rules, check) in FAMILIES {
            if rules.iter().any(|m| self.rule(m.id).is_some()) {
                check(&ctx, &mut hits);
            }
        }
        if let Some(w) = hits.iter().position(|h| h.rule == workflows::PARSE_ERROR) {
            warning = Some(format!(
                "{path}: {}; workflow checks skipped",
                hits[w].message
            ));
            hits.remove(w);
        }
        if !hits.is_empty() {
            let text = ctx.text.unwrap_or("");
            self.emit(secrets, config, path, text, hits, out);
        }
        warning
    }

    fn note(&self, path: &str, name: &str, text: Option<&str>) {
        if name == ".gitignore" {
            if let Some(t) = text {
                self.project
                    .lock()
                    .expect("poisoned")
                    .gitignores
                    .push((path.to_string(), t.to_string()));
            }
        }
        if env::is_env_file(name) {
            self.project
                .lock()
                .expect("poisoned")
                .env_files
                .push(path.to_string());
        }
        if sourcemaps::in_build_output(path) {
            self.project
                .lock()
                .expect("poisoned")
                .map_files
                .push(path.to_string());
        }
    }

    /// Whole-tree checks, after the walk.
    pub fn finish(&self, secrets: &RuleSet, config: &Config) -> Vec<Finding> {
        let mut out = Vec::new();
        if self.rules.is_empty() {
            return out;
        }
        let mut project = std::mem::take(&mut *self.project.lock().expect("poisoned"));
        project.env_files.sort();
        project.map_files.sort();
        let roots = self.roots.lock().expect("poisoned").clone();
        let repo = self.repo.load(std::sync::atomic::Ordering::Relaxed);
        let gitignores = if repo { &project.gitignores[..] } else { &[] };
        for (path, text, hit) in files::gitignore_check(&roots, gitignores, &project.env_files) {
            self.emit(secrets, config, &path, &text, vec![hit], &mut out);
        }
        for (path, text, hit) in sourcemaps::build_output_maps(&project.map_files) {
            self.emit(secrets, config, &path, &text, vec![hit], &mut out);
        }
        out
    }

    fn emit(
        &self,
        secrets: &RuleSet,
        config: &Config,
        path: &str,
        text: &str,
        mut hits: Vec<Hit>,
        out: &mut Vec<Finding>,
    ) {
        hits.sort_by_key(|h| (h.start, h.rule));
        let idx = LineIndex::new(text);
        let mut seen: HashMap<(&str, String), u32> = HashMap::new();
        for h in hits {
            let Some(rule) = self.rule(h.rule) else {
                continue;
            };
            let start = floor_char(text, h.start.min(text.len()));
            let end = floor_char(text, h.end.clamp(start, text.len()));
            let (line, column) = idx.pos(text, start);
            let (end_line, end_column) = idx.pos(text, end);
            let ls = idx.line_start(line).unwrap_or(0);
            let le = idx.line_end(text, ls);
            let line_text = &text[ls..le];
            if has_allow_marker(line_text.as_bytes()) {
                continue;
            }
            let secret = h.secret.unwrap_or_default();
            if !secret.is_empty() && config.value_allowed(&secret) {
                continue;
            }
            let fp = if secret.is_empty() {
                let norm: String = text[start..end]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                let n = seen.entry((h.rule, norm.clone())).or_insert(0);
                *n += 1;
                fingerprint(h.rule, &format!("{norm}\u{0}{n}"), path)
            } else {
                fingerprint(h.rule, &secret, path)
            };
            if config.allow_fingerprints.contains(&fp) {
                continue;
            }
            let severity = if rule.overridden {
                rule.severity
            } else {
                h.severity.unwrap_or(rule.severity)
            };
            let mask: Vec<(usize, usize)> = h
                .mask
                .iter()
                .filter(|(s, e)| *s < le && *e > ls)
                .map(|(s, e)| (s.max(&ls) - ls, e.min(&le) - ls))
                .collect();
            let snippet = snippet(
                secrets,
                path,
                line_text,
                (start - ls, end.min(le).max(start) - ls),
                &secret,
                &mask,
            );
            out.push(Finding {
                rule: rule.spec.clone(),
                severity,
                precision: Precision::High,
                location: Location {
                    path: path.to_string(),
                    line,
                    column,
                    end_line,
                    end_column,
                },
                secret,
                entropy: 0.0,
                note: Some(h.message),
                snippet,
                fingerprint: fp,
                line_text: line_text.chars().take(4096).collect(),
                related: Vec::new(),
                also: Vec::new(),
                occurrences: 1,
                decoded: None,
                commit: None,
                validation: None,
                companions: Default::default(),
            });
        }
    }
}

/// Whether the enclosing git work tree ignores `root` (a `.gitignore` between the work tree's
/// top and `root` matches it or a parent): then nothing under it would be committed, even
/// when it is scanned by name (`leakgate scan dist/` after a build).
pub fn ignored_by_enclosing_repo(root: &Path) -> bool {
    let Ok(abs) = std::fs::canonicalize(root) else {
        return false;
    };
    let Some(top) = abs.ancestors().find(|d| d.join(".git").exists()) else {
        return false;
    };
    if abs == top {
        return false;
    }
    // each .gitignore between the top and `root` applies to `root`, relative to its own
    // directory
    abs.ancestors()
        .skip(1)
        .take_while(|d| d.starts_with(top))
        .any(|d| {
            let file = d.join(".gitignore");
            if !file.is_file() {
                return false;
            }
            let mut b = ignore::gitignore::GitignoreBuilder::new(d);
            if b.add(&file).is_some() {
                return false;
            }
            let Ok(rel) = abs.strip_prefix(d) else {
                return false;
            };
            b.build().is_ok_and(|gi| {
                gi.matched_path_or_any_parents(rel, abs.is_dir())
                    .is_ignore()
            })
        })
}

/// Whether `root` is inside a git work tree or has its own `.gitignore`.
pub fn is_repo(root: &Path) -> bool {
    let Ok(abs) = std::fs::canonicalize(root) else {
        return false;
    };
    let dir = if abs.is_dir() {
        abs.as_path()
    } else {
        abs.parent().unwrap_or(&abs)
    };
    dir.join(".gitignore").is_file() || dir.ancestors().any(|d| d.join(".git").exists())
}

/// The snippet of a configuration finding: its line (or a window of a long line) with every
/// secret on it redacted, as the secret engine would redact it, and the hit underlined.
fn snippet(
    secrets: &RuleSet,
    path: &str,
    line: &str,
    (hs, he): (usize, usize),
    secret: &str,
    mask: &[(usize, usize)],
) -> Snippet {
    let (ws, we, lead, trail) = if line.len() <= SNIPPET_MAX {
        (0, line.len(), false, false)
    } else {
        let ws = floor_char(line, hs.saturating_sub(SNIPPET_CONTEXT));
        let we = floor_char(line, (he.max(hs + 1) + SNIPPET_CONTEXT).min(line.len()));
        (ws, we.max(he), ws > 0, we < line.len())
    };
    // spans to redact: secret-rule matches on the line and the hit's own secret
    let mut raw: Vec<RawMatch> = Vec::new();
    secrets.scan(line.as_bytes(), is_code_path(path), &mut raw);
    let mut spans: Vec<(usize, usize, String)> = raw
        .into_iter()
        .map(|m| (m.start, m.end, m.secret))
        .collect();
    for &(s, e) in mask {
        if s < e && e <= line.len() && line.is_char_boundary(s) && line.is_char_boundary(e) {
            spans.push((s, e, line[s..e].to_string()));
        }
    }
    if !secret.is_empty() {
        for (i, _) in line.match_indices(secret) {
            spans.push((i, i + secret.len(), secret.to_string()));
        }
    }
    // every other secret-like run on the line (an undetected token beside the hit)
    for (s, e) in crate::finding::secret_like_spans(line.as_bytes()) {
        if !spans.iter().any(|(a, b, _)| *a < e && s < *b) {
            spans.push((s, e, line[s..e].to_string()));
        }
    }
    spans.retain(|(s, e, _)| line.is_char_boundary(*s) && line.is_char_boundary(*e));
    spans.sort();
    let mut text = String::new();
    let mut revealed = String::new();
    if lead {
        text.push('…');
        revealed.push('…');
    }
    let mut at = ws;
    let (mut h0, mut h1) = (None, None);
    let mark = |text: &String, at: usize, h0: &mut Option<usize>, h1: &mut Option<usize>| {
        if h0.is_none() && at >= hs {
            *h0 = Some(text.chars().count());
        }
        if h1.is_none() && at >= he {
            *h1 = Some(text.chars().count());
        }
    };
    for (s, e, value) in spans {
        let s = s.max(at);
        let e = e.min(we);
        if s >= e {
            continue;
        }
        for (i, c) in line[at..s].char_indices() {
            mark(&text, at + i, &mut h0, &mut h1);
            text.push(c);
        }
        revealed.push_str(&line[at..s]);
        mark(&text, s, &mut h0, &mut h1);
        text.push_str(&redact(&value));
        revealed.push_str(&line[s..e]);
        at = e;
    }
    for (i, c) in line[at..we].char_indices() {
        mark(&text, at + i, &mut h0, &mut h1);
        text.push(c);
    }
    mark(&text, we, &mut h0, &mut h1);
    revealed.push_str(&line[at..we]);
    if trail {
        text.push('…');
        revealed.push('…');
    }
    let clean = |s: String| -> String {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    };
    let start = h0.unwrap_or(0);
    Snippet {
        text: clean(text),
        highlight_start: start,
        highlight_end: h1.unwrap_or(start).max(start),
        revealed: Some(clean(revealed)),
    }
}

/// Run a rule's fixtures: `(failures, checked)`. Used by the tests and `leakgate rules test`.
pub fn run_examples(rounds: usize, seed: u64) -> anyhow::Result<(usize, Vec<String>)> {
    use crate::examples::{expand, Rng};
    let config = Config::default();
    let secrets = RuleSet::new(crate::rules::builtin_rules()?, |_| None)?;
    let mut rng = Rng::new(seed);
    let mut failures = Vec::new();
    let mut checked = 0;
    for m in all_rules() {
        if m.examples.is_empty() || m.negative_examples.is_empty() {
            failures.push(format!("{}: needs examples and negative_examples", m.id));
        }
        for (want_some, list) in [(true, m.examples), (false, m.negative_examples)] {
            for (i, (path, template)) in list.iter().enumerate() {
                for _ in 0..rounds {
                    checked += 1;
                    let text = match expand(template, &mut rng) {
                        Ok(t) => t,
                        Err(e) => {
                            failures.push(format!("{} example {}: {e}", m.id, i + 1));
                            break;
                        }
                    };
                    let linter = Linter::new(&config);
                    linter
                        .repo
                        .store(true, std::sync::atomic::Ordering::Relaxed);
                    let mut found = Vec::new();
                    let mut warn = Vec::new();
                    for (p, t) in fixture_files(path, &text) {
                        warn.extend(linter.lint_file(
                            &secrets,
                            &config,
                            &p,
                            Some(t.as_bytes()),
                            &mut found,
                        ));
                    }
                    found.extend(linter.finish(&secrets, &config));
                    let mine = found.iter().filter(|f| f.rule.id == m.id).count();
                    if (mine > 0) != want_some {
                        let kind = if want_some {
                            "example"
                        } else {
                            "negative example"
                        };
                        let all: Vec<String> = found
                            .iter()
                            .map(|f| {
                                format!("{}@{}:{}", f.rule.id, f.location.line, f.location.column)
                            })
                            .collect();
                        failures.push(format!(
                            "{}: {kind} {} ({path}) produced {mine} finding(s) (seed {seed}; all: {all:?}; warning: {warn:?})",
                            m.id,
                            i + 1
                        ));
                        break;
                    }
                }
            }
        }
    }
    Ok((checked, failures))
}

/// The files of a fixture: `(path, text)` itself, or, when `path` is empty, the files of a
/// multi-file text where each file starts with a line `==> PATH <==`.
pub fn fixture_files(path: &str, text: &str) -> Vec<(String, String)> {
    if !path.is_empty() {
        return vec![(path.to_string(), text.to_string())];
    }
    let mut files: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        let l = line.trim_end();
        if let Some(p) = l.strip_prefix("==> ").and_then(|r| r.strip_suffix(" <==")) {
            files.push((p.to_string(), String::new()));
        } else if let Some(f) = files.last_mut() {
            f.1.push_str(line);
        }
    }
    files
}

/// Helpers shared by the checks.
pub mod util {
    use regex::Regex;
    use std::sync::OnceLock;

    /// A lazily compiled regex (patterns are constants; a bad one is a bug caught by tests).
    pub fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
        cell.get_or_init(|| Regex::new(pattern).expect("valid built-in lint regex"))
    }

    /// Whether `hay` contains `needle` (ASCII case-insensitive).
    pub fn contains_ci(hay: &str, needle: &str) -> bool {
        let n = needle.as_bytes();
        hay.as_bytes()
            .windows(n.len().max(1))
            .any(|w| w.eq_ignore_ascii_case(n))
    }

    /// Byte range of lines `[line - before, line + after]` around offset `at`.
    pub fn around(text: &str, at: usize, before: usize, after: usize) -> (usize, usize) {
        let b = text.as_bytes();
        let mut s = at.min(b.len());
        for _ in 0..=before {
            match memchr::memrchr(b'\n', &b[..s]) {
                Some(i) => s = i,
                None => {
                    s = 0;
                    break;
                }
            }
        }
        if s > 0 {
            s += 1;
        }
        let mut e = at.min(b.len());
        for _ in 0..=after {
            match memchr::memchr(b'\n', &b[e..]) {
                Some(i) => e = e + i + 1,
                None => {
                    e = b.len();
                    break;
                }
            }
        }
        (s, e)
    }

    /// Whether offset `at` is in a comment line (`//`, `#`, ` * ` of a doc comment) or after
    /// a `//` comment marker on its line: examples in comments are not configuration.
    pub fn in_comment(text: &str, at: usize) -> bool {
        let ls = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let prefix = &text[ls..at];
        let t = prefix.trim_start();
        t.starts_with("//")
            || t.starts_with('*')
            || t.starts_with("/*")
            || t.starts_with('#')
            || t.starts_with("<!--")
            || prefix.contains(" // ")
    }

    /// A value that is a reference or template rather than a literal.
    pub fn is_reference(v: &str) -> bool {
        let v = v.trim();
        v.is_empty()
            || v.contains("${{")
            || v.contains("${")
            || v.starts_with('$')
            || v.contains("{{")
            || v.starts_with('%')
            || crate::filters::is_reference(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_round_trips() {
        let t = "ab\ncdé\r\nx";
        let i = LineIndex::new(t);
        assert_eq!(i.pos(t, 0), (1, 1));
        assert_eq!(i.pos(t, 3), (2, 1));
        assert_eq!(i.pos(t, 7), (2, 4));
        assert_eq!(i.offset(t, 2, 4), 7);
        assert_eq!(i.offset(t, 3, 1), 9);
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

    #[test]
    fn every_rule_passes_its_examples() {
        for seed in [1, 42] {
            let (checked, failures) = run_examples(2, seed).unwrap();
            assert!(checked > 0);
            assert!(failures.is_empty(), "{}", failures.join("\n"));
        }
    }
}

#[cfg(test)]
mod enclosing_repo_tests {
    #[test]
    fn a_root_the_enclosing_repository_ignores_is_not_committed_content() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        std::fs::create_dir_all(top.join(".git")).unwrap();
        std::fs::write(top.join(".gitignore"), "dist/\n/bench/work/\n").unwrap();
        std::fs::create_dir_all(top.join("web/src")).unwrap();
        std::fs::write(top.join("web/.gitignore"), "cache/\n").unwrap();
        for d in [
            "dist/assets",
            "bench/work/corpus",
            "web/cache/x",
            "web/src",
            "bench/other",
        ] {
            std::fs::create_dir_all(top.join(d)).unwrap();
        }
        let ignored = |p: &str| super::ignored_by_enclosing_repo(&top.join(p));
        assert!(ignored("dist"));
        assert!(ignored("dist/assets"));
        assert!(ignored("bench/work/corpus"));
        assert!(ignored("web/cache/x"));
        assert!(!ignored("web/src"));
        assert!(!ignored("bench/other"));
        assert!(!ignored("."));
    }
}
