//! Walking commits and diffing trees.

use super::*;

/// Commits walked between two [`release_pack_pages`] calls during the walk.
const RELEASE_PACK_EVERY: u32 = 4096;

/// Findings in commit messages and authors, by commit index.
pub(super) type MessageHits = Vec<(u32, Vec<Finding>)>;

/// Walk (see [`walk`]) and diff every commit, the diffs running on `threads` workers while
/// the walk goes on. Returns the commits and, in the same order, their changes; and the
/// findings in their messages and authors (see [`scan_message`]), which the workers scan
/// while the commit object is in hand.
#[allow(clippy::type_complexity)]
pub(super) fn walk_and_diff(
    scanner: &Scanner,
    repo: &gix::Repository,
    ts: &gix::ThreadSafeRepository,
    tips: &[ObjectId],
    hidden: &[ObjectId],
    threads: usize,
    progress: &Progress,
) -> Result<(Vec<CommitRec>, Vec<Result<Vec<Change>>>, MessageHits)> {
    const BATCH: usize = 32;
    type Job = (u32, ObjectId, Vec<ObjectId>);
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Job>>(256);
    let rx = std::sync::Mutex::new(rx);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut d = Differ::new(ts, scanner);
                    let mut out = Vec::new();
                    loop {
                        let next = rx.lock().map(|r| r.recv());
                        let Ok(Ok(batch)) = next else { break };
                        for (i, id, parents) in batch {
                            out.push((i, d.changes(i, &id, &parents)));
                        }
                    }
                    (out, d.messages)
                })
            })
            .collect();
        let mut batch: Vec<Job> = Vec::with_capacity(BATCH);
        let packs = PackDirs::of(repo);
        let walked = walk(repo, tips, hidden, |i, c| {
            batch.push((i, c.id, c.parents.clone()));
            if (i + 1).is_multiple_of(1024) {
                progress.walked(u64::from(i) + 1);
            }
            if (i + 1).is_multiple_of(RELEASE_PACK_EVERY) {
                release_pack_pages(&packs.dirs);
            }
            if batch.len() == BATCH {
                // a send fails only when every worker is gone (panicked); join reports it
                let _ = tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
            }
        });
        if !batch.is_empty() {
            let _ = tx.send(batch);
        }
        drop(tx);
        let mut results: Vec<(u32, Result<Vec<Change>>)> = Vec::new();
        let mut messages = Vec::new();
        for w in workers {
            let (mut r, mut m) = w.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            results.append(&mut r);
            messages.append(&mut m);
        }
        let commits = walked?;
        results.sort_unstable_by_key(|(i, _)| *i);
        messages.sort_unstable_by_key(|(i, _)| *i);
        Ok((
            commits,
            results.into_iter().map(|(_, r)| r).collect(),
            messages,
        ))
    })
}

/// The commits reachable from `tips` but not from `hidden`, newest first. Errors when the
/// walk reaches a shallow boundary, since the history behind it is missing.
pub(super) fn walk(
    repo: &gix::Repository,
    tips: &[ObjectId],
    hidden: &[ObjectId],
    mut on_commit: impl FnMut(u32, &CommitRec),
) -> Result<Vec<CommitRec>> {
    let shallow: HashSet<ObjectId> = match repo.shallow_commits() {
        Ok(Some(c)) => c.iter().copied().collect(),
        Ok(None) => HashSet::new(),
        Err(e) => bail!("cannot read the shallow file: {e}"),
    };
    let walk = repo
        .rev_walk(tips.iter().copied())
        .sorting(gix::revision::walk::Sorting::ByCommitTime(
            Default::default(),
        ))
        .with_hidden(hidden.iter().copied())
        .all()
        .map_err(|e| missing_history(e.to_string()))?;
    let mut out = Vec::new();
    let mut boundary = Vec::new();
    for info in walk {
        let info = info.map_err(|e| missing_history(e.to_string()))?;
        if shallow.contains(&info.id) {
            boundary.push(info.id);
        }
        let rec = CommitRec {
            id: info.id,
            time: info.commit_time.unwrap_or(0),
            parents: info.parent_ids.iter().copied().collect(),
        };
        on_commit(out.len() as u32, &rec);
        out.push(rec);
    }
    if !boundary.is_empty() {
        bail!(
            "history is incomplete: this is a shallow clone, and the requested history goes \
             past its boundary (commit {}{}). leakgate did not scan it, because it cannot \
             prove what it did not read. Fetch the full history: `git fetch --unshallow` \
             (in GitHub Actions: actions/checkout with `fetch-depth: 0`)",
            short(&boundary[0]),
            if boundary.len() > 1 {
                format!(" and {} more", boundary.len() - 1)
            } else {
                String::new()
            }
        );
    }
    Ok(out)
}

pub(super) fn missing_history(e: String) -> anyhow::Error {
    anyhow!(
        "cannot walk the history: {e}. Objects are missing: the clone is partial or \
         shallow, or the repository is damaged (`git fsck`). Fetch the full history with \
         `git fetch --unshallow` (actions/checkout: `fetch-depth: 0`)"
    )
}

/// Scan a commit's message and author (from the raw commit object `raw`) as a blob of its
/// own, reported at [`super::super::blob::commit_message_path`]: the message's lines first, then
/// `Author: name <email>`.
pub(super) fn scan_message(scanner: &Scanner, id: &ObjectId, raw: &[u8]) -> Vec<Finding> {
    let Some(split) = memchr::memmem::find(raw, b"\n\n") else {
        return Vec::new();
    };
    let mut text = raw[split + 2..].to_vec();
    if let Some(line) = raw[..split]
        .split(|&b| b == b'\n')
        .find_map(|l| l.strip_prefix(b"author "))
    {
        // `name <email> seconds zone`: the date is not text anyone wrote
        let end = memchr::memrchr(b'>', line).map_or(line.len(), |i| i + 1);
        if !text.ends_with(b"\n") {
            text.push(b'\n');
        }
        text.extend_from_slice(b"Author: ");
        text.extend_from_slice(&line[..end]);
        text.push(b'\n');
    }
    let sha = id.to_string();
    let path = super::super::blob::commit_message_path(&sha);
    let mut out = Vec::new();
    scanner.scan_chunk(
        &path,
        &text,
        crate::engine::ChunkPos::whole(text.len()),
        &mut out,
    );
    for f in &mut out {
        f.origin = Some(crate::finding::Provenance::CommitMessage {
            commit: sha.clone(),
        });
    }
    out
}

/// Per-thread state for tree diffs.
pub(super) struct Differ<'s> {
    pub(super) scanner: &'s Scanner,
    pub(super) messages: MessageHits,
    pub(super) repo: gix::Repository,
    pub(super) state: gix::diff::tree::State,
    pub(super) buf1: Vec<u8>,
    pub(super) buf2: Vec<u8>,
    pub(super) cbuf: Vec<u8>,
    pub(super) lbuf: Vec<u8>,
}

impl<'s> Differ<'s> {
    pub(super) fn new(ts: &gix::ThreadSafeRepository, scanner: &'s Scanner) -> Differ<'s> {
        let repo = thread_repo(ts, 4 * 1024 * 1024);
        Differ {
            scanner,
            messages: Vec::new(),
            repo,
            state: Default::default(),
            buf1: Vec::new(),
            buf2: Vec::new(),
            cbuf: Vec::new(),
            lbuf: Vec::new(),
        }
    }

    pub(super) fn tree_of(&mut self, commit: &ObjectId) -> Result<ObjectId> {
        let mut it = self
            .repo
            .objects
            .find_commit_iter(commit, &mut self.cbuf)
            .map_err(|e| anyhow!("cannot read commit {commit}: {e}"))?;
        it.tree_id()
            .map_err(|e| anyhow!("commit {commit} is malformed: {e}"))
    }

    /// The blobs commit `c` wrote, with the blobs they replaced.
    pub(super) fn changes(
        &mut self,
        idx: u32,
        id: &ObjectId,
        parents: &[ObjectId],
    ) -> Result<Vec<Change>> {
        let tree = self.tree_of(id)?;
        // the commit object is in `cbuf` now: its message and author are scanned too (a
        // token pasted into a commit message is exposed to everyone who clones)
        let found = scan_message(self.scanner, id, &self.cbuf);
        if !found.is_empty() {
            self.messages.push((idx, found));
        }
        let mut parent_trees = Vec::with_capacity(parents.len());
        for p in parents {
            parent_trees.push(self.tree_of(p)?);
        }
        let kind = id.kind();
        let mut rec = gix::diff::tree::Recorder::default();
        {
            let lhs = match parent_trees.first() {
                Some(t) => self
                    .repo
                    .objects
                    .find_tree_iter(t, &mut self.buf1)
                    .map_err(|e| anyhow!("cannot read tree {t}: {e}"))?,
                None => TreeRefIter::from_bytes(&[], kind),
            };
            let rhs = self
                .repo
                .objects
                .find_tree_iter(&tree, &mut self.buf2)
                .map_err(|e| anyhow!("cannot read tree {tree}: {e}"))?;
            gix::diff::tree(lhs, rhs, &mut self.state, &self.repo.objects, &mut rec)
                .map_err(|e| anyhow!("cannot diff trees of commit {id}: {e}"))?;
        }
        use gix::diff::tree::recorder::Change as C;
        let mut out = Vec::new();
        for change in rec.records {
            match change {
                C::Addition {
                    entry_mode,
                    oid,
                    path,
                    ..
                } if is_file(entry_mode.kind()) => out.push(Change {
                    commit: idx,
                    path,
                    blob: oid,
                    prev: Vec::new(),
                }),
                C::Modification {
                    previous_entry_mode,
                    previous_oid,
                    entry_mode,
                    oid,
                    path,
                } if is_file(entry_mode.kind()) => out.push(Change {
                    commit: idx,
                    path,
                    blob: oid,
                    prev: if is_file(previous_entry_mode.kind()) {
                        vec![previous_oid]
                    } else {
                        Vec::new()
                    },
                }),
                _ => {}
            }
        }
        // merges: keep only content that differs from every parent
        if parent_trees.len() > 1 {
            let mut kept = Vec::with_capacity(out.len());
            'change: for mut ch in out {
                for t in &parent_trees[1..] {
                    match self.entry_at(t, ch.path.as_ref())? {
                        Some(id) if id == ch.blob => continue 'change,
                        Some(id) => ch.prev.push(id),
                        None => {}
                    }
                }
                kept.push(ch);
            }
            out = kept;
        }
        Ok(out)
    }

    /// The blob at `path` in tree `tree`, if there is one.
    pub(super) fn entry_at(&mut self, tree: &ObjectId, path: &BStr) -> Result<Option<ObjectId>> {
        let mut current = *tree;
        let mut parts = path.split_str("/").peekable();
        while let Some(part) = parts.next() {
            let it = self
                .repo
                .objects
                .find_tree_iter(&current, &mut self.lbuf)
                .map_err(|e| anyhow!("cannot read tree {current}: {e}"))?;
            let mut next = None;
            for e in it {
                let e = e.map_err(|e| anyhow!("tree {current} is malformed: {e}"))?;
                if e.filename == part {
                    next = Some((e.mode.kind(), e.oid.to_owned()));
                    break;
                }
            }
            match next {
                Some((k, id)) if parts.peek().is_none() => {
                    return Ok(is_file(k).then_some(id));
                }
                Some((EntryKind::Tree, id)) => current = id,
                _ => return Ok(None),
            }
        }
        Ok(None)
    }
}
