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
    /// The file each of `extra_rules` comes from (the config or a rule file), for errors.
    pub extra_rule_origins: Vec<String>,
    /// Report context-based matches in tests, examples and docs (`include_samples: true`,
    /// or `--include-samples`).
    pub include_samples: bool,
}

impl Config {
    /// Load a config file; every error names the file.
    /// A symlink is followed only to a file inside the link's own directory tree (a
    /// `.leakgate.yml` linked to a credentials file must not be read, let alone quoted), and
    /// the file must be a regular file of at most [`MAX_FILE_BYTES`].
    pub fn load(path: &Path) -> Result<Config> {
        let link = std::fs::symlink_metadata(path)
            .with_context(|| format!("{}: cannot read config file", path.display()))?;
        if link.file_type().is_symlink() {
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let inside = match (std::fs::canonicalize(path), std::fs::canonicalize(dir)) {
                (Ok(t), Ok(d)) => t.starts_with(d),
                _ => false,
            };
            if !inside {
                bail!(
                    "{}: config file is a symlink to a file outside its directory; not read",
                    path.display()
                );
            }
        }
        let text = read_regular(path, "config file")?;
        Self::parse(path, &text)
    }

    /// Parse config text; `path` is used for messages and for resolving `rule_files` (read
    /// from disk, inside the config file's directory).
    pub fn parse(path: &Path, text: &str) -> Result<Config> {
        let base = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Self::parse_with(path, text, &|f: &Path| {
            let p = base.join(f);
            // inside the config's directory tree (no `../`, absolute path or symlink out)
            let inside = match (std::fs::canonicalize(&p), std::fs::canonicalize(base)) {
                (Ok(t), Ok(d)) => t.starts_with(d),
                (Err(e), _) => {
                    bail!("{}: rule_files: {}: {e}", path.display(), f.display())
                }
                _ => false,
            };
            if !inside {
                bail!(
                    "{}: rule_files: {} is outside the config file's directory; not read",
                    path.display(),
                    f.display()
                );
            }
            let loaded = rules::load_rule_file(&p)
                .with_context(|| format!("{}: rule_files", path.display()))?;
            Ok((loaded, p.display().to_string()))
        })
    }

    /// [`Config::parse`] with the rule files named in `rule_files` read by `rule_file` (a range
    /// scan reads them from the base commit): given the name as written in the config, it
    /// returns the rules and the name to show as their origin.
    pub fn parse_with(path: &Path, text: &str, rule_file: &RuleFileReader) -> Result<Config> {
        let raw: RawConfig = if text.trim().is_empty() {
            RawConfig::default()
        } else {
            serde_yaml_ng::from_str(text).map_err(|e| {
                anyhow::anyhow!("{}: invalid config: {}", path.display(), yaml_error(&e))
            })?
        };
        let mut severity = BTreeMap::new();
        for (id, s) in raw.severity {
            let Some(sev) = Severity::parse(&s) else {
                // the value is quoted only when it is short: the file may not be a config
                let shown = if s.chars().count() <= 12 {
                    format!(" {:?}", crate::finding::mask_text(&s))
                } else {
                    String::new()
                };
                bail!(
                    "{}: severity of `{}`: unknown level{shown} (use info, low, medium, high, critical)",
                    path.display(),
                    crate::finding::mask_text(&id)
                );
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
        let here = path.display().to_string();
        for r in &extra_rules {
            rules::check_spec(r).with_context(|| format!("{here}: rule `{}`", r.id))?;
            if let Some(v) = &r.validate {
                v.check()
                    .context("bad `validate` block")
                    .with_context(|| format!("{here}: rule `{}`", r.id))?;
            }
        }
        let mut extra_rule_origins = vec![here.clone(); extra_rules.len()];
        for f in &raw.rule_files {
            let (loaded, origin) = rule_file(f)?;
            extra_rule_origins.extend(std::iter::repeat_n(origin, loaded.len()));
            extra_rules.extend(loaded);
        }
        // one id, one rule: a second definition would silently run twice
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for (r, origin) in extra_rules.iter().zip(&extra_rule_origins) {
            if let Some(first) = seen.insert(&r.id, origin) {
                bail!(
                    "{origin}: rule `{}`: duplicate rule id (first defined in {first})",
                    r.id
                );
            }
        }
        Ok(Config {
            source: Some(path.to_path_buf()),
            disable: raw.disable,
            severity,
            allow_paths,
            allow_values,
            allow_fingerprints: raw.allow.fingerprints.into_iter().collect(),
            extra_rules,
            extra_rule_origins,
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

pub use crate::input::{closest, read_regular, yaml_error, MAX_FILE_BYTES};

/// Reads a rule file named in `rule_files` (as written): its rules and the name to show as
/// their origin (see [`Config::parse_with`]).
pub type RuleFileReader<'a> = dyn Fn(&Path) -> Result<(Vec<RuleSpec>, String)> + 'a;

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

    #[cfg(unix)]
    #[test]
    fn reads_only_bounded_regular_files() {
        let e = read_regular(Path::new("/dev/zero"), "rule file").unwrap_err();
        assert!(format!("{e:#}").contains("not a regular file"), "{e:#}");
        let e = read_regular(Path::new("/"), "rule file").unwrap_err();
        assert!(format!("{e:#}").contains("not a regular file"), "{e:#}");
    }

    #[test]
    fn yaml_errors_hide_input_and_suggest() {
        let e = serde_yaml_ng::from_str::<RawConfig>("TOKEN: \"abc\\\"def\"\n").unwrap_err();
        let m = yaml_error(&e);
        assert!(!m.contains("TOKEN") && !m.contains("abc"), "{m}");
        let e = serde_yaml_ng::from_str::<RawConfig>("disable: \"x, expected y\"\n").unwrap_err();
        let m = yaml_error(&e);
        assert!(!m.contains("x, expected y"), "{m}");
        let e = serde_yaml_ng::from_str::<RawConfig>("rule_file: []\n").unwrap_err();
        assert!(yaml_error(&e).ends_with("(did you mean `rule_files`?)"));
        assert_eq!(closest("jwtt", ["jwt", "aws"]), Some("jwt"));
        assert_eq!(closest("zzzz", ["jwt", "aws"]), None);
    }
}
