//! Staged changes: what `git commit` would add. Index entries whose blob differs from `HEAD`
//! are read from the object database (so unstaged edits in the work tree are ignored), and
//! only findings on lines the commit adds are kept: a secret already committed is a history
//! problem, not this commit's.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::{anyhow, Result};
use gix::bstr::{BString, ByteSlice};
use gix::hash::ObjectId;
use gix::objs::FindExt;

use super::blob::{self, Blob, Origin, Outcome, Policy, Rel};
use super::Sink;
use crate::engine::Scanner;
use crate::finding::Finding;

/// A staged file that differs from `HEAD`.
struct Staged {
    path: String,
    new: ObjectId,
    old: Option<ObjectId>,
}

/// The staged index as a [`super::Source`].
pub struct StagedSource<'a> {
    pub repo: &'a Path,
    pub max_blob_size: u64,
}

impl super::Source for StagedSource<'_> {
    type Output = ();

    fn run(&self, scanner: &Scanner, sink: &Sink) -> Result<()> {
        scan_staged(scanner, self.repo, self.max_blob_size, sink)
    }
}

/// Scan the index of the repository containing `repo_path` against its `HEAD`. Blobs larger
/// than `max_blob_size` bytes are not read (a staged 1 GB file would be held whole in
/// memory); they are listed as skipped, like in history scans.
pub fn scan_staged(
    scanner: &Scanner,
    repo_path: &Path,
    max_blob_size: u64,
    sink: &Sink,
) -> Result<()> {
    let repo = super::git::open(repo_path)?;
    let index = repo
        .index_or_empty()
        .map_err(|e| anyhow!("cannot read the git index: {e}"))?;
    let head = head_files(&repo)?;

    let mut staged = Vec::new();
    for entry in index.entries() {
        use gix::index::entry::Mode;
        if entry.stage_raw() != 0 {
            continue; // a conflicted path cannot be committed until it is resolved
        }
        if !(entry.mode == Mode::FILE || entry.mode == Mode::FILE_EXECUTABLE) {
            continue; // symlinks, submodules
        }
        let path = entry.path(&index);
        let old = head.get(path).copied();
        if old == Some(entry.id) {
            continue;
        }
        let path = path.to_str_lossy().into_owned();
        if let Some(why) = blob::excluded(scanner, &path) {
            sink.skip(&path, why);
            continue;
        }
        staged.push(Staged {
            path,
            new: entry.id,
            old,
        });
    }

    let mut buf = Vec::new();
    let mut old_buf = Vec::new();
    let mut chunk_buf = Vec::new();
    for s in &staged {
        match repo.find_header(s.new) {
            Ok(h) if h.size() > max_blob_size => {
                sink.skip(&s.path, super::git::too_large(h.size(), max_blob_size));
                continue;
            }
            _ => {} // a missing blob is reported by the read below
        }
        if let Err(e) = repo.objects.find_blob(&s.new, &mut buf) {
            sink.skip(&s.path, format!("staged blob cannot be read: {e}"));
            continue;
        }
        let mut found: Vec<Finding> = Vec::new();
        let blob = Blob {
            shown: &s.path,
            rel: Rel::Path(&s.path),
            policy: Policy::COMMITTED,
            origin: Origin::Staged,
        };
        match blob::scan_bytes(scanner, sink, &blob, &buf, None, &mut chunk_buf, &mut found) {
            Outcome::Scanned(n) => sink.count(n),
            Outcome::Empty => sink.count(0),
            Outcome::Expanded => {}
            Outcome::Binary => {
                sink.add_findings(found); // configuration checks by name
                sink.skip(&s.path, "binary");
                continue;
            }
        }
        if found.is_empty() {
            continue;
        }
        if let Some(old) = s.old {
            if repo.objects.find_blob(&old, &mut old_buf).is_ok() && !super::is_binary(&old_buf) {
                let added = added_lines(&old_buf, &buf);
                // the lines of the file itself; an archive's entries have lines of their own
                found.retain(|f| {
                    f.location.path != s.path
                        || (f.location.line..=f.location.end_line).any(|l| added.contains(&l))
                });
            }
        }
        sink.add_findings(found);
    }
    Ok(())
}

/// Path → blob of every file in `HEAD`'s tree (empty when there is no commit yet).
fn head_files(repo: &gix::Repository) -> Result<HashMap<BString, ObjectId>> {
    let tree = match repo.head_tree_id_or_empty() {
        Ok(id) => id.detach(),
        Err(e) => return Err(anyhow!("cannot read HEAD: {e}")),
    };
    // no commits yet: compare against the empty tree, which is not stored as an object
    if tree == ObjectId::empty_tree(repo.object_hash()) {
        return Ok(HashMap::new());
    }
    Ok(super::git::tree_files(repo, tree)
        .map_err(|e| anyhow!("HEAD: {e}"))?
        .into_iter()
        .collect())
}

/// 1-based numbers of the lines of `new` that a line diff from `old` marks as added.
pub fn added_lines(old: &[u8], new: &[u8]) -> HashSet<u32> {
    use gix::diff::blob::{Algorithm, Diff, InternedInput};
    let input = InternedInput::new(old, new);
    let diff = Diff::compute(Algorithm::Histogram, &input);
    (0..input.after.len() as u32)
        .filter(|&i| diff.is_added(i))
        .map(|i| i + 1)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn added_lines_are_the_new_ones() {
        let old = b"a\nb\nc\n";
        let new = b"a\nsecret\nb\nc\nmore\n";
        let mut got: Vec<u32> = super::added_lines(old, new).into_iter().collect();
        got.sort();
        assert_eq!(got, vec![2, 5]);
        let mut all: Vec<u32> = super::added_lines(b"", b"x\ny\n").into_iter().collect();
        all.sort();
        assert_eq!(all, vec![1, 2]);
    }
}
