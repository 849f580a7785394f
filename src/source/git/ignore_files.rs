//! Ignore files and range configuration.

use super::*;

/// `.leakgateignore` at the top of the work tree, applied to history paths (so `testdata/`
/// ignored in tree scans is ignored in history scans too).
pub(super) type PathFilter = Box<dyn Fn(&str) -> bool + Send + Sync>;

pub(super) fn history_ignore(workdir: Option<&Path>, sink: &Sink) -> Option<PathFilter> {
    let root = workdir?;
    let file = root.join(super::super::files::IGNORE_FILE);
    if !file.is_file() {
        return None;
    }
    history_ignore_file(root, &file, sink)
}

/// The rules of an ignore file read from a commit (`text`; `shown` names it in warnings).
pub(super) fn ignore_filter(
    workdir: Option<&Path>,
    shown: &str,
    text: &[u8],
    sink: &Sink,
) -> Option<PathFilter> {
    let root = workdir.unwrap_or(Path::new("/"));
    let mut b = ignore::gitignore::GitignoreBuilder::new(root);
    for line in String::from_utf8_lossy(text).lines() {
        if let Err(e) = b.add_line(None, line) {
            sink.warn(format!("{shown}: {e}"));
        }
    }
    match b.build() {
        Ok(gi) => Some(Box::new(move |p: &str| {
            gi.matched_path_or_any_parents(p, false).is_ignore()
        })),
        Err(e) => {
            sink.warn(format!("{shown}: {e}; not applied"));
            None
        }
    }
}

/// The contents of the file `name` at the top of commit `commit`'s tree, if there is one.
pub fn file_at_root(
    repo: &gix::Repository,
    commit: ObjectId,
    name: &str,
) -> Result<Option<Vec<u8>>> {
    let tree = repo
        .find_commit(commit)
        .map_err(|e| anyhow!("cannot read commit {commit}: {e}"))?
        .tree()
        .map_err(|e| anyhow!("cannot read the tree of {commit}: {e}"))?;
    let Some(entry) = tree.find_entry(name) else {
        return Ok(None);
    };
    if !is_file(entry.mode().kind()) {
        return Ok(None);
    }
    let obj = entry
        .object()
        .map_err(|e| anyhow!("cannot read {name} at {commit}: {e}"))?;
    Ok(Some(obj.data.clone()))
}

/// The configuration for a scan of `range` (`BASE..HEAD`) of the repository at `repo_dir`:
/// `.leakgate.yml` as it is in BASE's tree (default settings when BASE has none), not the work
/// tree's, so that a change cannot loosen the configuration it is checked with (`allow.paths`
/// covering its own secret). Returns the config and a note saying where it came from.
pub fn range_config(repo_dir: &Path, range: &str) -> Result<(crate::config::Config, String)> {
    let repo = open(repo_dir)?;
    let (base, _) = parse_range(range)?;
    let b = resolve_commit(&repo, &base)?;
    let root = repo
        .workdir()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| repo_dir.to_path_buf());
    let mut note = format!(
        "range scan: configuration and {} read from the base commit {}, not the work tree",
        super::super::files::IGNORE_FILE,
        short(&b)
    );
    for name in crate::config::CONFIG_NAMES {
        let Some(text) = file_at_root(&repo, b, name)? else {
            continue;
        };
        let path = root.join(name);
        let now = std::fs::read(&path).ok();
        if now.as_deref() != Some(&text[..]) {
            note.push_str(&format!(
                " ({name} in the work tree differs and is not used)"
            ));
        }
        let shown = format!("{name} at {}", short(&b));
        // the rule files it names come from the base too: a change must not weaken the rules
        // it is checked with
        let changed = std::cell::RefCell::new(Vec::new());
        let rule_file = |f: &Path| -> Result<(Vec<crate::rules::RuleSpec>, String)> {
            let mut rel = Vec::new();
            for c in f.components() {
                match c {
                    std::path::Component::Normal(p) => rel.push(p.to_string_lossy()),
                    std::path::Component::CurDir => {}
                    _ => bail!(
                        "rule_files: {} is outside the repository; not read",
                        f.display()
                    ),
                }
            }
            let rel = rel.join("/");
            let tree = repo
                .find_commit(b)
                .map_err(|e| anyhow!("cannot read commit {b}: {e}"))?
                .tree()
                .map_err(|e| anyhow!("cannot read the tree of {b}: {e}"))?;
            let entry = tree
                .lookup_entry_by_path(&rel)
                .map_err(|e| anyhow!("rule_files: cannot read {rel} at {}: {e}", short(&b)))?;
            let Some(entry) = entry.filter(|e| is_file(e.mode().kind())) else {
                bail!(
                    "rule_files: {rel} is not in the base commit {} (as a regular file)",
                    short(&b)
                );
            };
            let size = repo
                .find_header(entry.object_id())
                .map_err(|e| anyhow!("rule_files: cannot read {rel} at {}: {e}", short(&b)))?
                .size();
            if size > crate::config::MAX_FILE_BYTES {
                bail!(
                    "rule_files: {rel} at {} is larger than {} MiB",
                    short(&b),
                    crate::config::MAX_FILE_BYTES >> 20
                );
            }
            let data = entry
                .object()
                .map_err(|e| anyhow!("rule_files: cannot read {rel} at {}: {e}", short(&b)))?
                .data
                .clone();
            if std::fs::read(root.join(&rel)).ok().as_deref() != Some(&data[..]) {
                changed.borrow_mut().push(rel.clone());
            }
            let origin = format!("{rel} at {}", short(&b));
            let text = String::from_utf8(data)
                .map_err(|_| anyhow!("rule_files: {origin} is not UTF-8 text"))?;
            Ok((crate::rules::parse_rule_file(&origin, &text)?, origin))
        };
        let config =
            crate::config::Config::parse_with(&path, &String::from_utf8_lossy(&text), &rule_file)
                .with_context(|| shown)?;
        for rel in changed.into_inner() {
            note.push_str(&format!(
                " ({rel} in the work tree differs and is not used)"
            ));
        }
        return Ok((config, note));
    }
    if crate::config::CONFIG_NAMES
        .iter()
        .any(|n| root.join(n).is_file())
    {
        note.push_str(" (the base has no config; the work tree's is not used)");
    }
    Ok((crate::config::Config::default(), note))
}

pub(super) fn history_ignore_file(root: &Path, file: &Path, sink: &Sink) -> Option<PathFilter> {
    let mut b = ignore::gitignore::GitignoreBuilder::new(root);
    if let Some(e) = b.add(file) {
        sink.warn(format!("{}: {e}", file.display()));
    }
    match b.build() {
        Ok(gi) => Some(Box::new(move |p: &str| {
            gi.matched_path_or_any_parents(p, false).is_ignore()
        })),
        Err(e) => {
            sink.warn(format!("{}: {e}; not applied", file.display()));
            None
        }
    }
}
