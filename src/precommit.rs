//! `leakgate staged -- FILE…`: the files a pre-commit framework names. A commit passes the
//! files it changes, `pre-commit run --all-files` passes every tracked file, `--files X`
//! passes X. A named file with staged changes is checked for what the commit adds (the
//! added lines of its staged version, as `leakgate staged` does); any other named file has
//! nothing staged, so its whole content is scanned (a repository full of secrets does not
//! pass `--all-files`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Result};
use gix::bstr::ByteSlice;
use gix::hash::ObjectId;

use crate::source::Sink;

/// The named files, split by whether the index changes them.
#[derive(Debug, Default)]
pub struct Named {
    /// Repository-relative, `/`-separated paths of named files with staged changes.
    pub staged: HashSet<String>,
    /// Named files with nothing staged (or outside the repository), as given.
    pub unchanged: Vec<PathBuf>,
}

/// Repository-relative paths of every index entry (regular file, not conflicted) whose blob
/// differs from `HEAD`'s: what `git commit` would change.
fn staged_paths(repo: &gix::Repository) -> Result<HashSet<String>> {
    let index = repo
        .index_or_empty()
        .map_err(|e| anyhow!("cannot read the git index: {e}"))?;
    let tree = repo
        .head_tree_id_or_empty()
        .map_err(|e| anyhow!("cannot read HEAD: {e}"))?
        .detach();
    let head: std::collections::HashMap<_, ObjectId> =
        if tree == ObjectId::empty_tree(repo.object_hash()) {
            Default::default()
        } else {
            crate::source::git::tree_files(repo, tree)
                .map_err(|e| anyhow!("HEAD: {e}"))?
                .into_iter()
                .collect()
        };
    let mut out = HashSet::new();
    for entry in index.entries() {
        use gix::index::entry::Mode;
        if entry.stage_raw() != 0
            || !(entry.mode == Mode::FILE || entry.mode == Mode::FILE_EXECUTABLE)
        {
            continue;
        }
        let path = entry.path(&index);
        if head.get(path) != Some(&entry.id) {
            out.insert(path.to_str_lossy().into_owned());
        }
    }
    Ok(out)
}

/// `p` relative to the work tree `root` (both made absolute, the file's own name kept
/// as is so a symlink is not followed), `/`-separated; `None` outside it.
fn relative_to(root: &Path, p: &Path) -> Option<String> {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(p)
    };
    let name = abs.file_name()?;
    let parent = std::fs::canonicalize(abs.parent()?).ok()?;
    let rel = parent.join(name);
    let rel = rel.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// Split `files` (as named on the command line) into staged and unchanged ones, for the
/// repository containing `repo_path`.
pub fn split_named(repo_path: &Path, files: &[PathBuf]) -> Result<Named> {
    let repo = crate::source::git::open(repo_path)?;
    let staged = staged_paths(&repo)?;
    let root = repo
        .workdir()
        .and_then(|w| std::fs::canonicalize(w).ok())
        .ok_or_else(|| {
            anyhow!(
                "{}: a bare repository has no staged files",
                repo_path.display()
            )
        })?;
    let mut named = Named::default();
    for f in files {
        match relative_to(&root, f) {
            Some(rel) if staged.contains(&rel) => {
                named.staged.insert(rel);
            }
            _ => named.unchanged.push(f.clone()),
        }
    }
    Ok(named)
}

/// Move what a staged scan into `from` found in the `keep` paths into `to`: findings and
/// skip notes of other files are dropped (the hook was not asked about them); warnings and
/// counters are kept.
pub fn keep_named(from: Sink, keep: &HashSet<String>, to: &Sink) {
    let (findings, skipped, warnings, blobs, bytes) = from.finish();
    to.add_findings(
        findings
            .into_iter()
            .filter(|f| keep.contains(&f.location.path))
            .collect(),
    );
    for s in skipped.into_iter().filter(|s| keep.contains(&s.path)) {
        to.skip(s.path, s.reason);
    }
    for w in warnings {
        to.warn(w);
    }
    to.blobs
        .fetch_add(blobs, std::sync::atomic::Ordering::Relaxed);
    to.bytes
        .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
}
