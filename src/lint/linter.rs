//! The [`Linter`]: the configuration rules after the config's `disable` and `severity`, run
//! on each file of a scan, with the whole-tree facts gathered across the walk; it turns the
//! checks' [`Hit`]s into findings.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::config::Config;
use crate::finding::builder::{AllowLists, Draft, Suppressed};
use crate::finding::{Finding, Location};
use crate::kind::is_code as is_code_path;
use crate::matcher::{RawMatch, RuleSet};
use crate::rules::{Precision, RuleSpec, Severity};

use super::repo::{ignored_by_enclosing_repo, is_repo};
use super::{all_rules, env, files, sourcemaps, workflows, FileCtx, Hit, LineIndex, FAMILIES};

/// [`crate::text::floor_char`] for `&str`.
fn floor_char(s: &str, i: usize) -> usize {
    crate::text::floor_char(s.as_bytes(), i)
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
    pub(super) repo: std::sync::atomic::AtomicBool,
    project: Mutex<Project>,
    /// Hits an inline allow marker suppressed (see [`Linter::allow_suppressed`]).
    suppressed: std::sync::atomic::AtomicU64,
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
            suppressed: Default::default(),
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
            suppressed: Default::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// How many configuration findings an inline allow marker suppressed so far.
    pub fn allow_suppressed(&self) -> u64 {
        self.suppressed.load(std::sync::atomic::Ordering::Relaxed)
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
        self.lint_blob(secrets, config, path, data, None, out)
    }

    /// Lint one blob. `committed`: `None` for a file of the walk (its git state comes from
    /// [`Linter::start`], and the whole-tree checks take note of it); `Some(true)` for a blob
    /// that is in git (history, the staged index: "would be committed" checks apply);
    /// `Some(false)` for content outside any repository (an archive entry).
    pub fn lint_blob(
        &self,
        secrets: &RuleSet,
        config: &Config,
        path: &str,
        data: Option<&[u8]>,
        committed: Option<bool>,
        out: &mut Vec<Finding>,
    ) -> Option<String> {
        if self.rules.is_empty() {
            return None;
        }
        let repo = match committed {
            Some(c) => c,
            None => {
                self.note(path, FileCtx::file_name(path), data);
                self.repo.load(std::sync::atomic::Ordering::Relaxed)
            }
        };
        let ctx = FileCtx::new(path, data, repo, secrets);
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
            let text = ctx.text().unwrap_or("");
            self.emit(secrets, config, path, text, hits, out);
        }
        warning
    }

    fn note(&self, path: &str, name: &str, data: Option<&[u8]>) {
        if name == ".gitignore" {
            if let Some(t) = super::text_of(data) {
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
        let idx = LineIndex::new(text.as_bytes());
        let mut seen: HashMap<(&str, String), u32> = HashMap::new();
        let value = |v: &str| config.value_allowed(v);
        let allow = AllowLists {
            value: &value,
            fingerprints: &config.allow_fingerprints,
        };
        for h in hits {
            let Some(rule) = self.rule(h.rule) else {
                continue;
            };
            let start = floor_char(text, h.start.min(text.len()));
            let end = floor_char(text, h.end.clamp(start, text.len()));
            let (line, column) = idx.pos(text.as_bytes(), start);
            let (end_line, end_column) = idx.pos(text.as_bytes(), end);
            let ls = idx.line_start(line).unwrap_or(0);
            let le = crate::text::line_end(text.as_bytes(), ls);
            let secret = h.secret.unwrap_or_default();
            // a finding without a value is told apart by its text and its rank among equal
            // ones in the file
            let identity = secret.is_empty().then(|| {
                let norm: String = text[start..end]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                let n = seen.entry((h.rule, norm.clone())).or_insert(0);
                *n += 1;
                format!("{norm}\u{0}{n}")
            });
            let severity = if rule.overridden {
                rule.severity
            } else {
                h.severity.unwrap_or(rule.severity)
            };
            // spans the snippet redacts: secret-rule matches on the line, masked values and
            // the hit's own value
            let line_bytes = &text.as_bytes()[ls..le];
            let mut raw: Vec<RawMatch> = Vec::new();
            secrets.scan(line_bytes, is_code_path(path), &mut raw);
            let mut redact: Vec<(usize, usize, Cow<str>)> = raw
                .into_iter()
                .map(|m| (ls + m.start, ls + m.end, Cow::Owned(m.secret)))
                .collect();
            for &(s, e) in &h.mask {
                let (s, e) = (s.max(ls), e.min(le));
                if s < e && text.is_char_boundary(s) && text.is_char_boundary(e) {
                    redact.push((s, e, Cow::Borrowed(&text[s..e])));
                }
            }
            if !secret.is_empty() {
                for (i, _) in text[ls..le].match_indices(secret.as_str()) {
                    redact.push((
                        ls + i,
                        ls + i + secret.len(),
                        Cow::Borrowed(secret.as_str()),
                    ));
                }
            }
            let draft = Draft {
                rule: &rule.spec,
                severity,
                precision: Precision::High,
                path,
                data: text.as_bytes(),
                line: (ls, le),
                span: (start, end.min(le).max(start)),
                location: Location {
                    path: path.to_string(),
                    line,
                    column,
                    end_line,
                    end_column,
                },
                secret: Cow::Borrowed(secret.as_str()),
                identity,
                redact,
            };
            match draft.build(&allow) {
                Ok(mut f) => {
                    f.note = Some(h.message);
                    out.push(f);
                }
                Err(Suppressed::Inline) => {
                    self.suppressed
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                Err(_) => {}
            }
        }
    }
}
