//! Baselines: findings a team has accepted (already rotated, or a known test key), so a gate
//! can be adopted on an old repository and fail only on new findings.
//!
//! The file lists fingerprints (`sha256(rule, secret, path)`: no line numbers, so a finding
//! survives line moves and edits elsewhere in its file) with the rule and path for humans,
//! one entry per line, sorted, no timestamps: two branches that accept different findings
//! merge without conflicts in all but the rarest cases.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::migrate::{self, ForeignEntry};

/// Current baseline file version.
pub const VERSION: u32 = 1;

/// One accepted finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub fingerprint: String,
    /// For people reading the file; matching uses the fingerprint only.
    #[serde(default)]
    pub rule: String,
    #[serde(default)]
    pub path: String,
}

#[derive(Deserialize)]
struct File {
    version: u32,
    #[serde(default)]
    findings: Vec<Entry>,
    /// Findings accepted by gitleaks / betterleaks (`leakgate baseline import`).
    #[serde(default)]
    imported: Vec<ForeignEntry>,
}

/// A loaded baseline.
#[derive(Debug, Default)]
pub struct Baseline {
    fingerprints: HashSet<String>,
    /// Entries from gitleaks (a report, an import, a `.gitleaksignore`): matched by place.
    foreign: Vec<ForeignEntry>,
    /// (repository root, current directory), both canonical: finding paths (relative to the
    /// current directory, or absolute) are also tried relative to the root.
    root: Option<(PathBuf, PathBuf)>,
}

impl Baseline {
    /// Load a leakgate baseline, or a gitleaks / betterleaks JSON report (detected).
    pub fn load(path: &Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read baseline", path.display()))?;
        let not_one = || {
            format!(
                "{}: not a leakgate baseline nor a gitleaks/betterleaks JSON report \
                 (create one with `leakgate baseline create`)",
                path.display()
            )
        };
        if let Some(foreign) = migrate::parse_report(&text) {
            return Ok(Baseline {
                fingerprints: HashSet::new(),
                foreign,
                root: None,
            });
        }
        let file: File = serde_json::from_str(&text).with_context(not_one)?;
        if file.version != VERSION {
            bail!(
                "{}: baseline version {} is not supported (this leakgate reads version {VERSION})",
                path.display(),
                file.version
            );
        }
        let mut fingerprints = HashSet::new();
        for (i, e) in file.findings.iter().enumerate() {
            if e.fingerprint.len() != 64 || !e.fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!(
                    "{}: entry {} has an invalid fingerprint (64 hex digits expected)",
                    path.display(),
                    i + 1
                );
            }
            fingerprints.insert(e.fingerprint.to_ascii_lowercase());
        }
        Ok(Baseline {
            fingerprints,
            foreign: file.imported,
            root: None,
        })
    }

    /// The baseline of a gitleaks ignore file's entries.
    pub fn from_foreign(foreign: Vec<ForeignEntry>) -> Baseline {
        Baseline {
            fingerprints: HashSet::new(),
            foreign,
            root: None,
        }
    }

    /// Match gitleaks entries (whose paths are relative to the repository `root`) also when
    /// the scan was run from a subfolder or given an absolute path.
    pub fn with_root(mut self, root: &Path) -> Baseline {
        let canon = |p: &Path| std::fs::canonicalize(p).ok();
        if let (Some(root), Some(cwd)) = (
            canon(root),
            std::env::current_dir().ok().and_then(|c| canon(&c)),
        ) {
            self.root = Some((root, cwd));
        }
        self
    }

    /// `path` relative to the root, when it is not already the same text.
    fn root_relative(&self, path: &str) -> Option<String> {
        let (root, cwd) = self.root.as_ref()?;
        let mut abs = PathBuf::new();
        for c in cwd.join(path).components() {
            match c {
                std::path::Component::CurDir => {}
                std::path::Component::ParentDir => {
                    abs.pop();
                }
                c => abs.push(c),
            }
        }
        let rel = abs.strip_prefix(root).ok()?;
        let rel = rel.to_string_lossy().replace('\\', "/");
        (rel != path).then_some(rel)
    }

    pub fn len(&self) -> usize {
        self.fingerprints.len() + self.foreign.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Remove accepted findings; returns how many were removed.
    pub fn filter(&self, findings: &mut Vec<Finding>) -> usize {
        let before = findings.len();
        findings.retain(|f| {
            if self.fingerprints.contains(&f.fingerprint) {
                return false;
            }
            if self.foreign.is_empty() {
                return true;
            }
            let alt = self.root_relative(&f.location.path);
            !self.foreign.iter().any(|e| {
                e.matches(f, &f.location.path) || alt.as_deref().is_some_and(|a| e.matches(f, a))
            })
        });
        before - findings.len()
    }
}

/// A leakgate baseline file holding a gitleaks / betterleaks report's findings (no secret:
/// a hash of each secret with its path, the path, line, rule and commit).
pub fn render_imported(entries: &[ForeignEntry]) -> String {
    let mut entries = entries.to_vec();
    entries.sort();
    entries.dedup();
    format!(
        "{{\n  \"version\": {VERSION},\n  \"findings\": [],\n  \"imported\": {}\n}}\n",
        json_lines(&entries)
    )
}

/// `[…]` with one JSON object per line, indented as the baseline file shows them.
fn json_lines<T: Serialize>(items: impl IntoIterator<Item = T>) -> String {
    let mut out = String::from("[");
    let mut any = false;
    for (i, e) in items.into_iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        out.push_str(&serde_json::to_string(&e).expect("serializable"));
        any = true;
    }
    if any {
        out.push_str("\n  ");
    }
    out.push(']');
    out
}

/// The baseline file for `findings`: sorted by fingerprint, one entry per line.
pub fn render(findings: &[Finding]) -> String {
    let mut entries: BTreeMap<&str, Entry> = BTreeMap::new();
    for f in findings {
        entries.entry(&f.fingerprint).or_insert_with(|| Entry {
            fingerprint: f.fingerprint.clone(),
            rule: f.rule.id.clone(),
            path: f.location.path.clone(),
        });
    }
    format!(
        "{{\n  \"version\": {VERSION},\n  \"findings\": {}\n}}\n",
        json_lines(entries.values())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_then_load_round_trips_and_rejects_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.json");
        std::fs::write(&p, render(&[])).unwrap();
        assert!(Baseline::load(&p).unwrap().is_empty());
        let fp = "ab".repeat(32);
        std::fs::write(
            &p,
            format!("{{\"version\":1,\"findings\":[{{\"fingerprint\":\"{fp}\"}}]}}"),
        )
        .unwrap();
        assert_eq!(Baseline::load(&p).unwrap().len(), 1);
        std::fs::write(&p, "{\"version\":2,\"findings\":[]}").unwrap();
        assert!(Baseline::load(&p).is_err());
        std::fs::write(&p, "not json").unwrap();
        let e = Baseline::load(&p).unwrap_err().to_string();
        assert!(e.contains("not a leakgate baseline"), "{e}");
        std::fs::write(&p, "{}").unwrap();
        assert!(Baseline::load(&p).is_err());
        std::fs::write(
            &p,
            r#"[{"RuleID":"github-pat","File":"a.py","StartLine":2,"Secret":"REDACTED"}]"#,
        )
        .unwrap();
        assert_eq!(Baseline::load(&p).unwrap().len(), 1);
        std::fs::write(
            &p,
            render_imported(&migrate::parse_gitleaksignore("a.py:jwt:3").0),
        )
        .unwrap();
        assert_eq!(Baseline::load(&p).unwrap().len(), 1);
    }
}
