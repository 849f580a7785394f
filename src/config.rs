//! `.leakgate.yml`: allow-lists, rule disables, severity overrides and extra rules.
//!
//! ```yaml
//! # .leakgate.yml at the repository root (found automatically) or --config FILE
//! disable: [generic-secret-assignment]
//! severity:
//!   jwt: low
//! allow:
//!   paths: ["docs/**", "**/*.snap"]      # gitignore-style globs, relative to the root
//!   values: ["^sk_test_"]                # regexes matched against the secret value
//!   fingerprints: ["3f1c…"]              # exact finding fingerprints
//! rule_files: [ci/leakgate-rules.yml]   # relative to this file
//! rules: []                              # inline rules, same schema as rules/*.yml
//! include_samples: false                 # true: generic and context-based rules report in
//!                                        # tests, fixtures, examples and docs too
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex_automata::meta::Regex;
use serde::Deserialize;

use crate::rules::{self, RuleSpec, Severity};

/// Config file names looked for at the root, in order.
pub const CONFIG_NAMES: &[&str] = &[".leakgate.yml", ".leakgate.yaml"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, String>,
    #[serde(default)]
    allow: RawAllow,
    #[serde(default)]
    rule_files: Vec<PathBuf>,
    #[serde(default)]
    rules: Vec<RuleSpec>,
    #[serde(default)]
    include_samples: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    fingerprints: Vec<String>,
}

/// A loaded, validated configuration.
#[derive(Debug, Default)]
pub struct Config {
    /// File it came from, if any.
    pub source: Option<PathBuf>,
    pub disable: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    allow_paths: Option<GlobSet>,
    allow_values: Vec<Regex>,
    pub allow_fingerprints: std::collections::HashSet<String>,
    /// User rules from `rules:` and `rule_files:`.
    pub extra_rules: Vec<RuleSpec>,
    /// Report context-based matches in tests, examples and docs (`include_samples: true`,
    /// or `--include-samples`).
    pub include_samples: bool,
}

impl Config {
    /// Load a config file; every error names the file.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read config file", path.display()))?;
        Self::parse(path, &text)
    }

    /// Parse config text; `path` is used for messages and for resolving `rule_files`.
    pub fn parse(path: &Path, text: &str) -> Result<Config> {
        let raw: RawConfig = if text.trim().is_empty() {
            RawConfig::default()
        } else {
            serde_yaml_ng::from_str(text)
                .with_context(|| format!("{}: invalid config", path.display()))?
        };
        let mut severity = BTreeMap::new();
        for (id, s) in raw.severity {
            let Some(sev) = Severity::parse(&s) else {
                bail!("{}: severity of `{id}`: unknown level {s:?} (use info, low, medium, high, critical)", path.display());
            };
            severity.insert(id, sev);
        }
        let allow_paths = if raw.allow.paths.is_empty() {
            None
        } else {
            let mut b = GlobSetBuilder::new();
            for p in &raw.allow.paths {
                let pat = p.trim_start_matches("./");
                let g = Glob::new(pat)
                    .with_context(|| format!("{}: allow.paths: bad glob {p:?}", path.display()))?;
                b.add(g);
                // a bare directory name allows everything below it, as in .gitignore
                if !pat.contains('*') {
                    b.add(Glob::new(&format!("{}/**", pat.trim_end_matches('/'))).expect("valid"));
                }
            }
            Some(b.build()?)
        };
        let mut allow_values = Vec::new();
        for v in &raw.allow.values {
            allow_values.push(Regex::new(v).map_err(|e| {
                anyhow::anyhow!("{}: allow.values: bad regex {v:?}: {e}", path.display())
            })?);
        }
        let mut extra_rules = raw.rules;
        let base = path.parent().unwrap_or(Path::new("."));
        for f in &raw.rule_files {
            let p = base.join(f);
            extra_rules.extend(
                rules::load_rule_file(&p)
                    .with_context(|| format!("{}: rule_files", path.display()))?,
            );
        }
        Ok(Config {
            source: Some(path.to_path_buf()),
            disable: raw.disable,
            severity,
            allow_paths,
            allow_values,
            allow_fingerprints: raw.allow.fingerprints.into_iter().collect(),
            extra_rules,
            include_samples: raw.include_samples,
        })
    }

    /// Find `.leakgate.yml` at the repository root above `start` (the nearest directory with
    /// `.git`), or in `start` itself when it is not inside a repository.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let start = std::fs::canonicalize(start).ok()?;
        let dir = if start.is_dir() {
            start.clone()
        } else {
            start.parent()?.to_path_buf()
        };
        let root = dir
            .ancestors()
            .find(|d| d.join(".git").exists())
            .unwrap_or(&dir);
        CONFIG_NAMES
            .iter()
            .map(|n| root.join(n))
            .find(|p| p.is_file())
    }

    pub fn path_allowed(&self, rel_path: &str) -> bool {
        self.allow_paths
            .as_ref()
            .is_some_and(|g| g.is_match(rel_path))
    }

    pub fn value_allowed(&self, secret: &str) -> bool {
        self.allow_values.iter().any(|r| r.is_match(secret))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_validates() {
        let c = Config::parse(
            Path::new(".leakgate.yml"),
            "disable: [a]\nseverity: {b: low}\nallow:\n  paths: [docs]\n  values: ['^sk_test_']\n",
        )
        .unwrap();
        assert!(c.path_allowed("docs/x/y.md"));
        assert!(!c.path_allowed("src/docs.rs"));
        assert!(c.value_allowed("sk_test_abc"));
        assert_eq!(c.severity["b"], Severity::Low);
        let e = Config::parse(Path::new("x.yml"), "severity: {b: huge}").unwrap_err();
        assert!(format!("{e:#}").contains("x.yml"));
        let e = Config::parse(Path::new("x.yml"), "bogus: 1").unwrap_err();
        assert!(format!("{e:#}").contains("x.yml"));
    }
}
