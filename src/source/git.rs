//! Git history: every blob that any selected commit introduced, decoded and scanned once,
//! each finding attributed to the commit that introduced the secret at its path.
//!
//! The pipeline has four stages:
//!
//! 1. **Commits.** The selected tips (all refs by default, one branch, or the head of a
//!    `BASE..HEAD` range) are walked with `gix`, newest first, hiding whatever is excluded
//!    (`BASE`, `--since-commit`). A walk that reaches a shallow boundary stops the scan with
//!    an error: history that was not read is never reported as clean.
//! 2. **Changes.** Each commit's tree is diffed against its first parent (or the empty tree),
//!    in parallel. For a merge, a path counts only when its content differs from *every*
//!    parent, so a merge does not re-introduce what its branches already brought in. A change
//!    remembers the blobs it replaced so a secret that merely survived an edit is not
//!    re-attributed to the edit.
//! 3. **Blobs.** Every unique blob (per kind of path: code or not, since rules treat unquoted
//!    values in source files differently; sample or not, see `Scanner::hide_samples`) is
//!    read and scanned exactly once, spread over all
//!    cores. Binary blobs and blobs over the size limit are skipped with a note. When the
//!    blobs wanted are a large part of the packs (a full-history audit), each pack is decoded
//!    once with a delta-tree traversal (every delta applied to a base decoded just before,
//!    instead of decompressing delta chains again per lookup: on rust-lang/cargo this reads
//!    all blobs for a quarter of the CPU); blobs it did not reach (loose objects, a range's
//!    few blobs, a pack the traversal could not finish) are looked up one by one.
//!    `LEAKGATE_HISTORY_READ=traverse` or `=lookup` forces one way (tests, diagnosis).
//! 4. **Attribution.** A finding in a blob belongs to each change that wrote that blob at a
//!    path, unless one of the replaced blobs already held the same secret. One finding is
//!    reported per (secret, path): the oldest introducing commit, with counts of the other
//!    commits and paths that hold the same secret. When commits are excluded (`BASE..HEAD`,
//!    `--since-commit`), a secret that any file of the excluded commit already held is not
//!    reported again, even if the range moved or copied it.

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use gix::bstr::{BStr, BString, ByteSlice};
use gix::hash::ObjectId;
use gix::objs::tree::EntryKind;
use gix::objs::{FindExt, TreeRefIter};

use super::blob::{Blob, Outcome, Policy, Rel};
use super::Sink;
use crate::engine::Scanner;
use crate::finding::{fingerprint, CommitInfo, Finding};
use crate::kind::is_code as is_code_path;

/// Blobs larger than this are skipped by default (`--max-blob-size` changes it).
pub const DEFAULT_MAX_BLOB_SIZE: u64 = 32 * 1024 * 1024;

/// What part of history to scan.
#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    /// A path inside the repository (default: the current directory).
    pub repo: PathBuf,
    /// Only this branch (or any revision), instead of all refs.
    pub branch: Option<String>,
    /// Leave out this commit and everything before it.
    pub since_commit: Option<String>,
    /// `BASE..HEAD`: only what the commits in the range introduce.
    pub range: Option<String>,
    /// With `branch`: hide every other ref's commits (a newly pushed branch: scan only the
    /// commits no other ref already has).
    pub only_new_commits: bool,
    /// Skip blobs larger than this many bytes.
    pub max_blob_size: u64,
    /// Worker threads.
    pub threads: usize,
    /// Show a progress bar on stderr.
    pub progress: bool,
}

/// What the report header needs beyond the sink's blob and byte counts.
#[derive(Debug, Clone, Default)]
pub struct HistoryStats {
    pub commits: u64,
    /// What was scanned, for the report header (`all refs`, `main`, `a1b2c3d..e4f5a6b`).
    pub target: String,
}

/// A blob's findings and the path it was scanned as.
type Scanned = (String, Vec<Finding>);

/// One commit of the walk.
struct CommitRec {
    id: ObjectId,
    time: i64,
    parents: Vec<ObjectId>,
}

/// A blob written at a path by a commit.
struct Change {
    commit: u32,
    path: BString,
    blob: ObjectId,
    /// Blobs this change replaced: the previous version at the path, in every parent.
    prev: Vec<ObjectId>,
}

/// A blob to scan, once per kind of path it appears at: what the scanner does with a blob
/// depends on its path (code or not, sample or not, and by file name: archives, logs, maps,
/// configuration checks), so the same blob under another file name is scanned again.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct BlobKey {
    blob: ObjectId,
    code: bool,
    /// A test, example or docs path ([`crate::filters::is_sample_path`]).
    sample: bool,
    /// Hash of the file name and of the folders configuration checks look at.
    name: u64,
}

impl BlobKey {
    fn at(blob: ObjectId, path: &str) -> BlobKey {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        path.rsplit('/').next().unwrap_or(path).hash(&mut h);
        (path.contains(".github/workflows/") || path.starts_with(".github/workflows/"))
            .hash(&mut h);
        path.contains(".docker/").hash(&mut h);
        BlobKey {
            blob,
            code: is_code_path(path),
            sample: crate::filters::is_sample_path(path),
            name: h.finish(),
        }
    }
}

/// Where a finding of a blob scanned as `scanned` lies when the blob is at `path`: the
/// blob's own path is replaced, an archive entry keeps its place inside (`a.zip!b.env`), and
/// a source map's original sources keep their own names.
fn relocate(found: &str, scanned: &str, path: &str) -> String {
    if found == scanned {
        return path.to_string();
    }
    match found.strip_prefix(scanned) {
        Some(rest) if rest.starts_with('!') => format!("{path}{rest}"),
        _ => found.to_string(),
    }
}

/// What shows that a finding was already in an older version of its file: the secret, or
/// for a configuration finding without a value, its line.
fn needle(f: &Finding) -> &str {
    if f.secret.is_empty() {
        f.line_text.trim()
    } else {
        &f.secret
    }
}

/// Open the repository that contains `path`.
pub fn open(path: &Path) -> Result<gix::Repository> {
    let repo = gix::discover(path).map_err(|e| {
        anyhow!(
            "{}: not inside a git repository ({e})",
            if path.as_os_str().is_empty() {
                Path::new(".").display()
            } else {
                path.display()
            }
        )
    })?;
    Ok(repo)
}

/// Resolve a revision to a commit, with an error that says how to get it when it is missing.
pub fn resolve_commit(repo: &gix::Repository, rev: &str) -> Result<ObjectId> {
    let id = repo.rev_parse_single(rev).map_err(|_| {
        anyhow!(
            "unknown revision {rev:?}: it is not in this repository. If this is a shallow or \
             single-branch clone, fetch it first (`git fetch origin {rev}`, or \
             `fetch-depth: 0` in actions/checkout)"
        )
    })?;
    let obj = id
        .object()
        .map_err(|_| anyhow!("revision {rev:?} names object {id}, which is missing"))?;
    let commit = obj
        .peel_to_commit()
        .map_err(|_| anyhow!("revision {rev:?} does not name a commit"))?;
    Ok(commit.id)
}

/// Parse `BASE..HEAD` (an empty side means `HEAD`).
pub fn parse_range(range: &str) -> Result<(String, String)> {
    if range.contains("...") {
        bail!("range {range:?}: use BASE..HEAD (two dots); symmetric ranges are not supported");
    }
    let Some((base, head)) = range.split_once("..") else {
        bail!("range {range:?} is not of the form BASE..HEAD");
    };
    let base = if base.is_empty() { "HEAD" } else { base };
    let head = if head.is_empty() { "HEAD" } else { head };
    Ok((base.to_string(), head.to_string()))
}

/// Scan history as `opts` selects, sending findings and notes to `sink`.
/// Git history as a [`super::Source`]: the blobs the selected commits wrote, and their
/// messages.
pub struct HistorySource<'a>(pub &'a HistoryOptions);

impl super::Source for HistorySource<'_> {
    type Output = HistoryStats;

    fn run(&self, scanner: &Scanner, sink: &Sink) -> Result<HistoryStats> {
        scan_history(scanner, self.0, sink)
    }
}

pub fn scan_history(scanner: &Scanner, opts: &HistoryOptions, sink: &Sink) -> Result<HistoryStats> {
    let mut repo = open(&opts.repo)?;
    // the walk reads each commit once: caches would only hold memory
    repo.objects.unset_pack_cache();
    repo.object_cache_size(0);
    let workdir = repo.workdir().map(Path::to_path_buf);
    // a range scan (a pull request, `ci`) reads the ignore file from the range's base: a
    // change that adds a `.leakgateignore` together with its secret must not hide it
    let ignore = match &opts.range {
        Some(range) => {
            let (base, _) = parse_range(range)?;
            let b = resolve_commit(&repo, &base)?;
            let text = file_at_root(&repo, b, super::files::IGNORE_FILE)?;
            let shown = format!("{} at base {}", super::files::IGNORE_FILE, short(&b));
            if let Some(dir) = workdir.as_deref() {
                let now = std::fs::read(dir.join(super::files::IGNORE_FILE)).ok();
                if now != text {
                    sink.warn(format!(
                        "{} in the work tree differs from the range's base {}; \
                         the base's version applies to this range scan",
                        super::files::IGNORE_FILE,
                        short(&b)
                    ));
                }
            }
            text.and_then(|t| ignore_filter(workdir.as_deref(), &shown, &t, sink))
        }
        None => history_ignore(workdir.as_deref(), sink),
    };

    // 1. tips and hidden commits
    let mut tips = Vec::new();
    let mut hidden = Vec::new();
    let target;
    if let Some(range) = &opts.range {
        let (base, head) = parse_range(range)?;
        let b = resolve_commit(&repo, &base)?;
        let h = resolve_commit(&repo, &head)?;
        tips.push(h);
        hidden.push(b);
        target = format!("{base}..{head}");
    } else if let Some(branch) = &opts.branch {
        let head = resolve_commit(&repo, branch)?;
        tips.push(head);
        target = branch.clone();
        if opts.only_new_commits {
            hidden.extend(
                all_ref_tips(&repo, sink)?
                    .into_iter()
                    .filter(|id| *id != head),
            );
        }
    } else {
        tips = all_ref_tips(&repo, sink)?;
        let refs = tips.len();
        if tips.is_empty() {
            // an empty repository: nothing was committed, so there is no history to hide
            return Ok(HistoryStats {
                target: "all refs (none)".into(),
                ..Default::default()
            });
        }
        target = format!("all refs ({refs})");
    }
    if let Some(since) = &opts.since_commit {
        hidden.push(resolve_commit(&repo, since)?);
    }
    tips.sort();
    tips.dedup();

    let trace = std::env::var_os("LEAKGATE_TRACE").is_some();
    let t0 = std::time::Instant::now();
    let progress = Progress::new(opts.progress);
    progress.stage("walking commits");
    // 1+2. walk on this thread while workers diff the commits already found
    let ts = repo.clone().into_sync();
    let threads = opts.threads.max(1);
    let (commits, per_commit, messages) =
        walk_and_diff(scanner, &repo, &ts, &tips, &hidden, threads, &progress)?;
    progress.set_commits(commits.len() as u64);
    if trace {
        eprintln!(
            "trace: walk+diff {} commits {:?}",
            commits.len(),
            t0.elapsed()
        );
    }
    let mut changes = Vec::new();
    for (c, r) in commits.iter().zip(per_commit) {
        let mut r = r.with_context(|| format!("commit {}", c.id))?;
        changes.append(&mut r);
    }
    // paths the config or .leakgateignore exclude are never read, and are listed
    let mut excluded: HashSet<BString> = HashSet::new();
    changes.retain(|ch| {
        let p = ch.path.to_str_lossy();
        let reason = if scanner.config.path_allowed(&p) {
            "excluded by allow.paths in the config"
        } else if ignore.as_ref().is_some_and(|ig| ig(&p)) {
            "excluded by .leakgateignore"
        } else {
            return true;
        };
        if excluded.insert(ch.path.clone()) {
            sink.skip(p.into_owned(), reason);
        }
        false
    });
    drop(excluded);

    // 3. unique blobs, in parallel
    let mut jobs: Vec<(BlobKey, u32)> = Vec::new(); // key, index of the first change
    let mut seen: HashSet<BlobKey> = HashSet::new();
    for (i, ch) in changes.iter().enumerate() {
        let key = BlobKey::at(ch.blob, &ch.path.to_str_lossy());
        if seen.insert(key) {
            jobs.push((key, i as u32));
        }
    }
    drop(seen);
    // all versions of a path together, newest first: git deltifies older versions of a file
    // against newer ones, so the base each read needs was usually just decoded (and is in
    // the thread's delta cache), instead of being decompressed again from the chain's start
    jobs.sort_by(|a, b| {
        changes[a.1 as usize]
            .path
            .cmp(&changes[b.1 as usize].path)
            .then(
                changes[a.1 as usize]
                    .commit
                    .cmp(&changes[b.1 as usize].commit),
            )
    });
    if trace {
        let prev: usize = changes.iter().map(|c| c.prev.len()).sum();
        eprintln!(
            "trace: {} changes ({prev} prev), {} blobs {:?}",
            changes.len(),
            jobs.len(),
            t0.elapsed()
        );
    }
    progress.start_blobs(jobs.len() as u64);
    let reader = BlobReader {
        scanner,
        changes: &changes,
        commits: &commits,
        jobs: &jobs,
        done: jobs.iter().map(|_| AtomicBool::new(false)).collect(),
        max: opts.max_blob_size,
        bytes: AtomicU64::new(0),
        blobs_done: AtomicU64::new(0),
        missing: Default::default(),
        unreadable: Default::default(),
        results: Default::default(),
        sink,
        progress: &progress,
    };
    // 3a. a full-history audit wants most blobs of the packs: decoding each pack once, delta
    // bases before the deltas built on them, costs a fraction of looking blobs up one by one
    // the packs are mapped once more by the traversal: let go of this handle's mappings
    // first (pages mapped twice count twice against the memory budget), reopen after
    let packs = PackDirs::of(&repo);
    drop(ts);
    drop(repo);
    release_freed_memory();
    let mode = std::env::var("LEAKGATE_HISTORY_READ").unwrap_or_default();
    let traversal = match mode.as_str() {
        "lookup" => Ok(None),
        _ => pack_traversal(&packs, &reader, threads, mode == "traverse"),
    };
    match traversal {
        Ok(None) => {}
        Ok(Some(n)) if trace => {
            eprintln!("trace: pack traversal scanned {n} blobs {:?}", t0.elapsed())
        }
        Ok(_) => {}
        // whatever the traversal did not reach is read one by one below
        Err(e) if trace => eprintln!("trace: pack traversal stopped: {e:#}"),
        Err(_) => {}
    }
    release_freed_memory();
    // 3b. the rest (a range's few blobs, loose objects, alternates): one lookup per blob
    let mut repo = open(&opts.repo)?;
    repo.objects.unset_pack_cache();
    repo.object_cache_size(0);
    let ts = repo.clone().into_sync();
    let rest: Vec<usize> = (0..jobs.len())
        .filter(|&i| !reader.done[i].load(Ordering::Relaxed))
        .collect();
    for_each_init(
        threads,
        &rest,
        || (thread_repo(&ts, 0), Vec::new(), Vec::new()),
        |(r, buf, chunk_buf), _, &job| {
            let path = reader.path(job);
            let mut out = Vec::new();
            let res =
                read_blob(r, jobs[job].0.blob, max_or(opts.max_blob_size), buf).and_then(|()| {
                    scan_data(
                        scanner,
                        sink,
                        &path,
                        buf,
                        opts.max_blob_size,
                        chunk_buf,
                        &mut out,
                    )
                });
            reader.finish(job, res, out);
            // a rare huge blob must not pin its buffer for the rest of the run
            if buf.capacity() > KEEP_BUFFER_BYTES {
                *buf = Vec::new();
            }
        },
    );
    progress.finish();
    if trace {
        eprintln!("trace: scanned {:?}", t0.elapsed());
    }
    let missing = reader.missing.into_inner().expect("poisoned");
    if !missing.is_empty() {
        // a blobless or partial clone: what is not here was not scanned, so no verdict
        bail!(
            "history is incomplete: {} blob{} of the selected commits {} not in this \
             repository (a partial clone, e.g. `--filter=blob:none`), such as {}. leakgate \
             did not report, because it cannot prove what it did not read. Fetch the objects \
             (`git fetch --refetch`, or clone without `--filter`)",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            if missing.len() == 1 { "is" } else { "are" },
            missing.iter().min().expect("non-empty")
        );
    }
    let mut unreadable = reader.unreadable.into_inner().expect("poisoned");
    if !unreadable.is_empty() {
        // a damaged object database: a blob that was not read is not clean
        unreadable.sort();
        let (at, why) = &unreadable[0];
        bail!(
            "history could not be read: {} blob{} of the selected commits could not be \
             decoded, such as {at} ({why}). leakgate did not report, because it cannot prove \
             what it did not read. The repository is damaged: run `git fsck`, and re-clone \
             or repair it",
            unreadable.len(),
            if unreadable.len() == 1 { "" } else { "s" },
        );
    }
    let hits: HashMap<BlobKey, Scanned> = reader
        .results
        .into_inner()
        .expect("poisoned")
        .into_iter()
        .collect();

    // 4. attribution
    let mut found = attribute(&repo, scanner, &commits, &changes, &hits)?;
    if !hidden.is_empty() && !found.is_empty() {
        // the commits the scanned ones grew from: BASE, and whatever the range merged in
        let walked: HashSet<ObjectId> = commits.iter().map(|c| c.id).collect();
        let mut boundary: Vec<ObjectId> = commits
            .iter()
            .flat_map(|c| c.parents.iter().copied())
            .filter(|p| !walked.contains(p))
            .collect();
        boundary.sort();
        boundary.dedup();
        let existing = secrets_already_in(&repo, &boundary, &found, opts.max_blob_size)?;
        found.retain(|f| !existing.contains(needle(f)));
    }
    still_at_head(&repo, &mut found, opts.max_blob_size);
    // commit messages: each finding belongs to the commit whose message holds it
    for (idx, list) in messages {
        let info = commit_info(&repo, &commits[idx as usize].id)?;
        for mut f in list {
            f.commit = Some(Box::new(info.clone()));
            found.push(f);
        }
    }
    sink.add_findings(found);
    Ok(HistoryStats {
        commits: commits.len() as u64,
        target,
    })
}

/// Every ref (branches, tags, remote-tracking refs, stash, …) peeled to a commit. Tags
/// that point at a blob or tree cannot be walked; they are reported as not scanned.
fn all_ref_tips(repo: &gix::Repository, sink: &Sink) -> Result<Vec<ObjectId>> {
    let platform = repo.references().context("cannot read refs")?;
    let mut out = Vec::new();
    for r in platform.all().context("cannot read refs")? {
        let mut r = match r {
            Ok(r) => r,
            Err(e) => {
                sink.warn(format!("a ref could not be read and was not scanned: {e}"));
                continue;
            }
        };
        let name = r.name().as_bstr().to_string();
        let direct = r.target().try_id().map(|id| id.to_owned());
        let id = match r.peel_to_id() {
            Ok(id) => id.detach(),
            // the ref names an object (a commit, or a tag to peel) that cannot be read:
            // the history behind it was not read, so there is no verdict
            Err(e) if direct.is_some() => bail!(
                "{name} points at {}, which cannot be read ({e}). The repository is damaged \
                 or incomplete: run `git fsck`; leakgate did not report, because it cannot \
                 prove what it did not read",
                direct.expect("checked")
            ),
            Err(e) => {
                sink.warn(format!("{name}: cannot be resolved, not scanned ({e})"));
                continue;
            }
        };
        match repo.find_header(id) {
            Ok(h) if h.kind() == gix::objs::Kind::Commit => out.push(id),
            Ok(h) => sink.skip(
                name,
                format!("points at a {} rather than a commit", h.kind()),
            ),
            Err(_) => bail!(
                "{name} points at {id}, which is missing from the object database. The clone \
                 is incomplete (partial or shallow); fetch the full history with \
                 `git fetch --unshallow` or `git fetch --refetch`"
            ),
        }
    }
    Ok(out)
}

/// The commits reachable from `tips` but not from `hidden`, newest first. Errors when the
/// walk reaches a shallow boundary, since the history behind it is missing.
/// Walk (see [`walk`]) and diff every commit, the diffs running on `threads` workers while
/// the walk goes on. Returns the commits and, in the same order, their changes.
#[allow(clippy::type_complexity)]
/// Findings in commit messages, by commit index.
type MessageHits = Vec<(u32, Vec<Finding>)>;

#[allow(clippy::type_complexity)]
fn walk_and_diff(
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
        let walked = walk(repo, tips, hidden, |i, c| {
            batch.push((i, c.id, c.parents.clone()));
            if (i + 1).is_multiple_of(1024) {
                progress.walked(u64::from(i) + 1);
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

fn walk(
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

fn missing_history(e: String) -> anyhow::Error {
    anyhow!(
        "cannot walk the history: {e}. Objects are missing: the clone is partial or \
         shallow, or the repository is damaged (`git fsck`). Fetch the full history with \
         `git fetch --unshallow` (actions/checkout: `fetch-depth: 0`)"
    )
}

/// Scan a commit's message and author (from the raw commit object `raw`) as a blob of its
/// own, reported at [`super::blob::commit_message_path`]: the message's lines first, then
/// `Author: name <email>`.
fn scan_message(scanner: &Scanner, id: &ObjectId, raw: &[u8]) -> Vec<Finding> {
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
    let path = super::blob::commit_message_path(&id.to_string());
    let mut out = Vec::new();
    scanner.scan_chunk(
        &path,
        &text,
        crate::engine::ChunkPos::whole(text.len()),
        &mut out,
    );
    out
}

/// Per-thread state for tree diffs.
struct Differ<'s> {
    scanner: &'s Scanner,
    /// Findings in the messages of the commits diffed.
    messages: MessageHits,
    repo: gix::Repository,
    state: gix::diff::tree::State,
    buf1: Vec<u8>,
    buf2: Vec<u8>,
    cbuf: Vec<u8>,
    lbuf: Vec<u8>,
}

impl<'s> Differ<'s> {
    fn new(ts: &gix::ThreadSafeRepository, scanner: &'s Scanner) -> Differ<'s> {
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

    fn tree_of(&mut self, commit: &ObjectId) -> Result<ObjectId> {
        let mut it = self
            .repo
            .objects
            .find_commit_iter(commit, &mut self.cbuf)
            .map_err(|e| anyhow!("cannot read commit {commit}: {e}"))?;
        it.tree_id()
            .map_err(|e| anyhow!("commit {commit} is malformed: {e}"))
    }

    /// The blobs commit `c` wrote, with the blobs they replaced.
    fn changes(&mut self, idx: u32, id: &ObjectId, parents: &[ObjectId]) -> Result<Vec<Change>> {
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
    fn entry_at(&mut self, tree: &ObjectId, path: &BStr) -> Result<Option<ObjectId>> {
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

/// `scan_blob`'s reason when the blob is not in the object database (a partial clone).
const MISSING_BLOB: &str = "missing from the object database";
/// Start of `read_blob`'s reason when the blob is there but cannot be read (corrupt).
const UNREADABLE_BLOB: &str = "cannot read blob";

/// Per-thread read buffers above this size are released after use.
const KEEP_BUFFER_BYTES: usize = 4 * 1024 * 1024;

/// Run `f` over `items` on `threads` threads, each with one state from `init` (a repository
/// handle with its caches) for its whole life, taking items in small batches in order so
/// neighbouring objects (often delta chains) are read by the same thread. Results come back
/// in item order. Unlike a work-stealing pool, state is created exactly once per thread, so
/// caches are not rebuilt and freed over and over.
fn for_each_init<T: Sync, S, R: Send>(
    threads: usize,
    items: &[T],
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, usize, &T) -> R + Sync,
) -> Vec<R> {
    const BATCH: usize = 16;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut parts: Vec<Vec<(usize, R)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.min(items.len().div_ceil(BATCH)).max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut state = init();
                    let mut out = Vec::new();
                    loop {
                        let start = next.fetch_add(BATCH, Ordering::Relaxed);
                        if start >= items.len() {
                            break;
                        }
                        for (i, item) in items.iter().enumerate().skip(start).take(BATCH) {
                            out.push((i, f(&mut state, i, item)));
                        }
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut all: Vec<(usize, R)> = Vec::with_capacity(items.len());
    for p in &mut parts {
        all.append(p);
    }
    all.sort_unstable_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// Delta-base cache per thread: big enough for cargo-sized delta chains, small enough that
/// a few threads stay well under the memory budget.
const PACK_CACHE_BYTES: usize = 32 * 1024 * 1024;

/// A thread-local handle with bounded caches (gix defaults to 96 MiB of pack cache each).
/// `object_cache` 0 turns the decoded-object cache off (blobs are read once).
fn thread_repo(ts: &gix::ThreadSafeRepository, object_cache: usize) -> gix::Repository {
    let mut repo = ts.to_thread_local();
    repo.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::StaticLinkedList::<64>::new(
            PACK_CACHE_BYTES,
        ))
    });
    repo.object_cache_size(object_cache);
    repo
}

fn is_file(k: EntryKind) -> bool {
    matches!(k, EntryKind::Blob | EntryKind::BlobExecutable)
}

/// Shared state of stage 3: the blobs to scan and what scanning them produced. Each job
/// (a blob, per code-path kind) is scanned once, by the pack traversal or by a lookup.
struct BlobReader<'a> {
    scanner: &'a Scanner,
    changes: &'a [Change],
    commits: &'a [CommitRec],
    /// (blob, index of the first change that wrote it), sorted by path.
    jobs: &'a [(BlobKey, u32)],
    /// Jobs already scanned (a blob may sit in two packs; it is scanned once).
    done: Vec<AtomicBool>,
    max: u64,
    bytes: AtomicU64,
    blobs_done: AtomicU64,
    /// Blobs the object database does not have (partial clones).
    missing: std::sync::Mutex<Vec<String>>,
    /// Blobs the object database has but could not read (a damaged pack or loose object):
    /// where, and why.
    unreadable: std::sync::Mutex<Vec<(String, String)>>,
    /// Findings per job, only for jobs that have any, with the path the blob was scanned as.
    results: std::sync::Mutex<Vec<(BlobKey, Scanned)>>,
    sink: &'a Sink,
    progress: &'a Progress,
}

impl BlobReader<'_> {
    /// Claim job `i`; false when it was already scanned.
    fn claim(&self, i: usize) -> bool {
        !self.done[i].swap(true, Ordering::Relaxed)
    }

    fn path(&self, job: usize) -> std::borrow::Cow<'_, str> {
        self.changes[self.jobs[job].1 as usize].path.to_str_lossy()
    }

    /// Record the outcome of scanning job `job`.
    fn finish(&self, job: usize, res: std::result::Result<Option<u64>, String>, out: Vec<Finding>) {
        self.done[job].store(true, Ordering::Relaxed);
        let (key, first) = self.jobs[job];
        match res {
            Ok(Some(n)) => {
                self.bytes.fetch_add(n, Ordering::Relaxed);
                self.sink.count(n);
            }
            Ok(None) => {}
            Err(why) => {
                let ch = &self.changes[first as usize];
                let at = format!(
                    "{} (blob {}, commit {})",
                    ch.path.to_str_lossy(),
                    short(&key.blob),
                    short(&self.commits[ch.commit as usize].id)
                );
                if why == MISSING_BLOB {
                    self.missing.lock().expect("poisoned").push(at);
                } else if why.starts_with(UNREADABLE_BLOB) {
                    let at = format!("{at}, object {}", key.blob);
                    self.unreadable.lock().expect("poisoned").push((at, why));
                } else {
                    self.sink.skip(at, why);
                }
            }
        }
        if !out.is_empty() {
            let scanned = self.path(job).into_owned();
            self.results
                .lock()
                .expect("poisoned")
                .push((key, (scanned, out)));
        }
        let done = self.blobs_done.fetch_add(1, Ordering::Relaxed) + 1;
        if done.is_multiple_of(64) {
            self.progress
                .blobs(done, self.bytes.load(Ordering::Relaxed));
        }
    }
}

/// The entries of `sorted` (index positions in pack-offset order) that are blobs: whole
/// blobs and deltas whose chain ends in one. A delta's base always has the delta's type, so
/// the result holds every base its deltas need. The kind comes from entry headers alone (no
/// inflating): an offset delta's base lies earlier in the pack, a ref delta's base may lie
/// anywhere (a thin pack completed by `index-pack --fix-thin` appends its bases), so those
/// are settled in further passes. An entry whose kind cannot be settled (a broken chain) is
/// kept: the traversal then reports the problem and the blobs it missed are looked up.
fn blob_family(
    index: &gix::odb::pack::index::File,
    pack: &gix::odb::pack::data::File,
    sorted: Vec<u32>,
) -> Vec<u32> {
    use gix::odb::pack::data::entry::Header;
    const UNKNOWN: u8 = 0;
    const BLOB: u8 = 1;
    const OTHER: u8 = 2;
    let offsets: Vec<u64> = sorted
        .iter()
        .map(|&i| index.pack_offset_at_index(i))
        .collect();
    let slot = |off: u64| offsets.binary_search(&off).ok();
    let mut kind = vec![UNKNOWN; sorted.len()];
    // base slot per delta entry, for the passes that follow ref deltas forward
    let mut base: Vec<Option<usize>> = vec![None; sorted.len()];
    let mut pending = 0usize;
    for (k, &off) in offsets.iter().enumerate() {
        let Ok(entry) = pack.entry(off) else {
            continue;
        };
        kind[k] = match entry.header {
            Header::Blob => BLOB,
            Header::Tree | Header::Commit | Header::Tag => OTHER,
            Header::OfsDelta { base_distance } => {
                base[k] = Header::verified_base_pack_offset(off, base_distance).and_then(slot);
                base[k].map_or(UNKNOWN, |b| kind[b])
            }
            Header::RefDelta { base_id } => {
                base[k] = index
                    .lookup(base_id)
                    .map(|i| index.pack_offset_at_index(i))
                    .and_then(slot);
                base[k].map_or(UNKNOWN, |b| kind[b])
            }
        };
        if kind[k] == UNKNOWN && base[k].is_some() {
            pending += 1;
        }
    }
    while pending > 0 {
        let mut settled = 0;
        for k in 0..kind.len() {
            if kind[k] == UNKNOWN {
                if let Some(b) = base[k] {
                    if kind[b] != UNKNOWN {
                        kind[k] = kind[b];
                        settled += 1;
                    }
                }
            }
        }
        if settled == 0 {
            break;
        }
        pending -= settled;
    }
    // the first entry stays whatever it is: gix's tree construction reads it without seeking
    // (it assumes it starts right after the pack header)
    sorted
        .into_iter()
        .zip(kind)
        .enumerate()
        .filter(|&(k, (_, kd))| k == 0 || kd != OTHER)
        .map(|(_, (i, _))| i)
        .collect()
}

/// Scan the wanted blobs by decoding the blobs of the repository's packs once each, with
/// gix's delta-tree traversal: each delta is applied to a base decoded moments before,
/// where looking blobs up one by one decompresses a delta chain's objects again and again.
/// Used only when the blobs wanted are a large part of the packs (a full-history audit);
/// returns how many jobs it scanned, `None` when it did not run. Packs are read from the
/// repository's object directory and its alternates; anything else is left to per-blob
/// lookups.
fn pack_traversal(
    packs: &PackDirs,
    reader: &BlobReader<'_>,
    threads: usize,
    always: bool,
) -> Result<Option<usize>> {
    let mut indexes = Vec::new();
    for dir in &packs.dirs {
        let Ok(rd) = std::fs::read_dir(dir.join("pack")) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "idx") {
                indexes.push(p);
            }
        }
    }
    indexes.sort();
    let mut bundles = Vec::new();
    let mut objects = 0usize;
    for idx in &indexes {
        let b = gix::odb::pack::Bundle::at(idx, packs.hash)
            .with_context(|| format!("opening pack index {}", idx.display()))?;
        objects += b.index.num_objects() as usize;
        bundles.push(b);
    }
    // worth it when the wanted blobs are at least a quarter of all packed objects (trees and
    // commits included); a pull request's few blobs are cheaper to look up
    if !always && (reader.jobs.len() < TRAVERSAL_MIN_BLOBS || reader.jobs.len() * 4 < objects) {
        return Ok(None);
    }
    // blob -> jobs, one per kind of path (see `BlobKey::kind`)
    let mut wanted: HashMap<ObjectId, Vec<u32>> = HashMap::with_capacity(reader.jobs.len());
    for (i, (key, _)) in reader.jobs.iter().enumerate() {
        wanted.entry(key.blob).or_default().push(i as u32);
    }
    let scanned = AtomicU64::new(0);
    let interrupt = std::sync::atomic::AtomicBool::new(false);
    let max = reader.max;
    for bundle in &bundles {
        let index = &bundle.index;
        let pack = &bundle.pack;
        // the delta tree's nodes carry only their position in the index (gix's own
        // traversal keeps a full index entry and statistics per object, twice the memory)
        let mut by_offset: Vec<u32> = (0..index.num_objects()).collect();
        by_offset.sort_unstable_by_key(|&i| index.pack_offset_at_index(i));
        // only blobs and the deltas built on them: trees and commits (the walk already read
        // them) would be inflated again for nothing
        let by_offset = blob_family(index, pack, by_offset);
        let offset_of = |i: &u32| index.pack_offset_at_index(*i);
        let lookup = |id: &gix::hash::oid| -> gix::error::Result<Option<u64>> {
            Ok(index.lookup(id).map(|i| index.pack_offset_at_index(i)))
        };
        let tree = gix::odb::pack::cache::delta::Tree::from_offsets_in_pack(
            pack.path(),
            by_offset.into_iter(),
            &offset_of,
            &lookup,
            &mut gix::progress::Discard,
            &interrupt,
            packs.hash,
        )
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("indexing {}", pack.path().display()))?;
        let mut chunk_buf: Vec<u8> = Vec::new();
        let wanted = &wanted;
        let scanned = &scanned;
        let mapped = MappedPack::new(pack.entry_slice(0..pack.data_len() as u64));
        let mapped = &mapped;
        let inspect = move |pos: &mut u32,
                            _: &dyn gix::progress::Progress,
                            ctx: gix::odb::pack::cache::delta::traverse::Context<'_>|
              -> gix::error::Result<()> {
            mapped.consumed(ctx.entry_end.saturating_sub(ctx.entry.data_offset));
            if ctx.entry.header.as_kind() != Some(gix::object::Kind::Blob) {
                return Ok(());
            }
            let Some(jobs) = wanted.get(index.oid_at_index(*pos)) else {
                return Ok(());
            };
            for job in jobs.iter().map(|&j| j as usize) {
                if !reader.claim(job) {
                    continue;
                }
                let path = reader.path(job);
                let mut out = Vec::new();
                let res = scan_data(
                    reader.scanner,
                    reader.sink,
                    &path,
                    ctx.decompressed,
                    max,
                    &mut chunk_buf,
                    &mut out,
                );
                reader.finish(job, res, out);
                scanned.fetch_add(1, Ordering::Relaxed);
            }
            if chunk_buf.capacity() > KEEP_BUFFER_BYTES {
                chunk_buf = Vec::new();
            }
            Ok(())
        };
        tree.traverse(
            |range, pack: &gix::odb::pack::data::File| pack.entry_slice(range),
            pack,
            pack.pack_end() as u64,
            inspect,
            gix::odb::pack::cache::delta::traverse::Options {
                object_progress: Box::new(gix::progress::Discard),
                size_progress: &mut gix::progress::Discard,
                thread_limit: Some(threads),
                should_interrupt: &interrupt,
                object_hash: packs.hash,
                // a giant object stops the traversal instead of exhausting memory; what it
                // did not reach is then looked up blob by blob
                alloc_limit_bytes: Some(max_or(max).max(TRAVERSAL_ALLOC_LIMIT)),
            },
        )
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("traversing {}", pack.path().display()))?;
    }
    Ok(Some(scanned.load(Ordering::Relaxed) as usize))
}

/// Return memory that finished worker threads freed to the operating system. glibc keeps it
/// in per-thread arenas, where the next stage's threads do not reuse it, so the peak
/// resident size would be the sum of the stages instead of the largest of them.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own heap structures; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Where a repository's packs are: its object directory and its alternates.
struct PackDirs {
    dirs: Vec<PathBuf>,
    hash: gix::hash::Kind,
}

impl PackDirs {
    fn of(repo: &gix::Repository) -> PackDirs {
        let store = repo.objects.store_ref();
        let mut dirs = vec![store.path().to_path_buf()];
        dirs.extend(store.alternate_db_paths().unwrap_or_default());
        PackDirs {
            dirs,
            hash: repo.object_hash(),
        }
    }
}

/// The memory-mapped pack a traversal reads. Each object's compressed bytes are read once,
/// so pages already read are only taking up the process's resident set: every
/// [`MappedPack::RELEASE_EVERY`] bytes they are dropped from this process's page tables
/// (`madvise(MADV_DONTNEED)` on a read-only shared file mapping; the data stays in the page
/// cache and a later access maps it again). Without this, the whole pack (100 MB for
/// rust-lang/cargo) ends up counted in the scan's peak resident size.
struct MappedPack {
    ptr: usize,
    len: usize,
    read: AtomicU64,
}

impl MappedPack {
    const RELEASE_EVERY: u64 = 16 * 1024 * 1024;

    fn new(all: Option<&[u8]>) -> MappedPack {
        let all = all.unwrap_or_default();
        MappedPack {
            ptr: all.as_ptr() as usize,
            len: all.len(),
            read: AtomicU64::new(0),
        }
    }

    /// Count `n` more bytes read; release the mapped pages after every `RELEASE_EVERY`.
    fn consumed(&self, n: u64) {
        let before = self.read.fetch_add(n, Ordering::Relaxed);
        if before / Self::RELEASE_EVERY != (before + n) / Self::RELEASE_EVERY {
            self.release();
        }
    }

    fn release(&self) {
        #[cfg(target_os = "linux")]
        {
            // madvise wants a page-aligned start; the mapping itself starts on a page
            const PAGE: usize = 4096;
            let start = self.ptr & !(PAGE - 1);
            let len = self.len + (self.ptr - start);
            if self.len > 0 {
                // SAFETY: [start, start + len) lies within one read-only shared file mapping
                // that outlives the traversal (the bundle owns it). MADV_DONTNEED on such a
                // mapping only unmaps the pages; their content is the file's, unchanged, and
                // is faulted in again on the next access, so slices into it stay valid.
                unsafe {
                    libc::madvise(start as *mut libc::c_void, len, libc::MADV_DONTNEED);
                }
            }
        }
    }
}

/// Fewest blobs for which a pack traversal is considered.
const TRAVERSAL_MIN_BLOBS: usize = 2_000;
/// Largest object a pack traversal decodes (or the blob size limit, if larger).
const TRAVERSAL_ALLOC_LIMIT: usize = 256 * 1024 * 1024;

/// The size limit as a buffer length.
fn max_or(max: u64) -> usize {
    usize::try_from(max).unwrap_or(usize::MAX)
}

/// Read one blob into `buf`, unless it is larger than `max` bytes.
fn read_blob(
    repo: &gix::Repository,
    id: ObjectId,
    max: usize,
    buf: &mut Vec<u8>,
) -> std::result::Result<(), String> {
    let header = repo.find_header(id).map_err(|_| MISSING_BLOB.to_string())?;
    let size = header.size();
    if size > max as u64 {
        return Err(too_large(size, max as u64));
    }
    repo.objects
        .find_blob(&id, buf)
        .map_err(|e| format!("{UNREADABLE_BLOB}: {e}"))?;
    Ok(())
}

pub(crate) fn too_large(size: u64, max: u64) -> String {
    format!("larger than --max-blob-size ({size} > {max} bytes)")
}

/// Scan one blob's content through the per-blob scanner ([`super::blob`]): archives are
/// opened, logs normalised, configuration checks run (the blob is committed).
/// `Ok(Some(bytes))` when scanned, `Ok(None)` when it was empty (or an archive, whose entries
/// are counted one by one), `Err(reason)` when skipped.
fn scan_data(
    scanner: &Scanner,
    sink: &Sink,
    path: &str,
    data: &[u8],
    max: u64,
    chunk_buf: &mut Vec<u8>,
    out: &mut Vec<Finding>,
) -> std::result::Result<Option<u64>, String> {
    if data.len() as u64 > max {
        return Err(too_large(data.len() as u64, max));
    }
    let blob = Blob {
        shown: path,
        rel: Rel::Path(path),
        policy: Policy::COMMITTED,
    };
    match super::blob::scan_bytes(scanner, sink, &blob, data, None, chunk_buf, out) {
        Outcome::Scanned(n) => Ok(Some(n)),
        Outcome::Empty | Outcome::Expanded => Ok(None),
        Outcome::Binary => Err("binary".into()),
    }
}

/// Turn per-blob findings into one finding per (secret, path), attributed to the oldest
/// commit that introduced the secret there.
fn attribute(
    repo: &gix::Repository,
    scanner: &Scanner,
    commits: &[CommitRec],
    changes: &[Change],
    hits: &HashMap<BlobKey, Scanned>,
) -> Result<Vec<Finding>> {
    if hits.is_empty() {
        return Ok(Vec::new());
    }
    let mut prev_cache: HashMap<ObjectId, Vec<u8>> = HashMap::new();
    // (rule, secret, path) → (commit index, finding, path the blob was scanned as, path of
    // the change)
    type Intro<'a> = (u32, &'a Finding, &'a str, String);
    let mut intros: HashMap<(String, String, String), Vec<Intro>> = HashMap::new();
    for ch in changes {
        let path = ch.path.to_str_lossy();
        let key = BlobKey::at(ch.blob, &path);
        let Some((scanned, found)) = hits.get(&key) else {
            continue;
        };
        for f in found {
            let needle = needle(f);
            let mut existed = false;
            for p in &ch.prev {
                if !prev_cache.contains_key(p) {
                    let mut b = Vec::new();
                    if repo.objects.find_blob(p, &mut b).is_err() {
                        b.clear();
                    }
                    prev_cache.insert(*p, b);
                }
                let data = &prev_cache[p];
                if memchr::memmem::find(data, needle.as_bytes()).is_some() {
                    existed = true;
                    break;
                }
            }
            if !existed {
                let at = relocate(&f.location.path, scanned, &path);
                intros
                    .entry((f.rule.id.clone(), needle.to_string(), at))
                    .or_default()
                    .push((ch.commit, f, scanned.as_str(), path.to_string()));
            }
        }
    }
    // how widespread each secret is
    let mut secret_commits: HashMap<&str, HashSet<u32>> = HashMap::new();
    let mut secret_paths: HashMap<&str, HashSet<&str>> = HashMap::new();
    for ((_, secret, path), list) in &intros {
        let sc = secret_commits.entry(secret.as_str()).or_default();
        for (c, ..) in list {
            sc.insert(*c);
        }
        secret_paths
            .entry(secret.as_str())
            .or_default()
            .insert(path.as_str());
    }
    let mut info_cache: HashMap<u32, CommitInfo> = HashMap::new();
    let mut out = Vec::new();
    for ((rule, secret, path), list) in &intros {
        // oldest commit first; on equal times, the one the walk met last (an ancestor)
        let (c, f, scanned, changed) = list
            .iter()
            .min_by_key(|(c, ..)| (commits[*c as usize].time, std::cmp::Reverse(*c)))
            .expect("non-empty");
        let fp = fingerprint(rule, secret, path);
        if scanner.config.allow_fingerprints.contains(&fp) {
            continue;
        }
        let mut info = match info_cache.get(c) {
            Some(i) => i.clone(),
            None => {
                let i = commit_info(repo, &commits[*c as usize].id)?;
                info_cache.insert(*c, i.clone());
                i
            }
        };
        info.other_commits = secret_commits[secret.as_str()].len() as u32 - 1;
        info.other_paths = secret_paths[secret.as_str()].len() as u32 - 1;
        let mut f = (*f).clone();
        // the other places of the secret in the blob that introduced it
        for (oc, other, ..) in list {
            if oc == c && other.location != f.location && !f.also.contains(&other.location) {
                f.occurrences += 1;
                if f.also.len() < crate::finding::MAX_OCCURRENCES {
                    f.also.push(other.location.clone());
                }
            }
        }
        for l in &mut f.also {
            l.path = relocate(&l.path, scanned, changed);
        }
        f.also.sort();
        f.location.path = path.clone();
        f.fingerprint = fp;
        f.commit = Some(Box::new(info));
        out.push(f);
    }
    Ok(out)
}

/// Say on each finding whether the file at `HEAD` still holds it: a secret deleted from the
/// tree is still in history (rotate it), one still present must also be removed. Unknown
/// (left `None`) for archive entries, without a `HEAD`, or for files over `max` bytes.
fn still_at_head(repo: &gix::Repository, found: &mut [Finding], max: u64) {
    let Ok(head) = repo.head_commit() else {
        return;
    };
    let Ok(tree) = head.tree_id() else {
        return;
    };
    let Ok(files) = tree_files(repo, tree.detach()) else {
        return;
    };
    let files: HashMap<BString, ObjectId> = files.into_iter().collect();
    let mut buf = Vec::new();
    for f in found {
        let Some(c) = f.commit.as_mut() else { continue };
        if f.location.path.contains('!') {
            continue; // inside an archive: its bytes are compressed
        }
        let needle = if f.secret.is_empty() {
            f.line_text.trim()
        } else {
            f.secret.as_str()
        };
        c.present_at_head = match files.get(f.location.path.as_bytes()) {
            None => Some(false),
            Some(id) => {
                if repo
                    .find_header(*id)
                    .map(|h| h.size() > max)
                    .unwrap_or(true)
                    || repo.objects.find_blob(id, &mut buf).is_err()
                {
                    None
                } else {
                    Some(memchr::memmem::find(&buf, needle.as_bytes()).is_some())
                }
            }
        };
    }
}

/// The secrets of `found` that some file of the `base` commits (the parents the scanned
/// commits grew from) already holds.
fn secrets_already_in(
    repo: &gix::Repository,
    base: &[ObjectId],
    found: &[Finding],
    max: u64,
) -> Result<HashSet<String>> {
    let secrets: Vec<&str> = {
        let mut v: Vec<&str> = found.iter().map(needle).filter(|n| !n.is_empty()).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let ac = aho_corasick::AhoCorasick::new(&secrets).context("secret automaton")?;
    let mut blobs = HashSet::new();
    for c in base {
        let tree = repo
            .find_commit(*c)
            .map_err(|e| anyhow!("cannot read commit {c}: {e}"))?
            .tree_id()
            .map_err(|e| anyhow!("commit {c} is malformed: {e}"))?
            .detach();
        let files =
            tree_files(repo, tree).map_err(|e| missing_history(format!("commit {c}: {e}")))?;
        blobs.extend(files.into_iter().map(|(_, oid)| oid));
    }
    let mut out = HashSet::new();
    let mut buf = Vec::new();
    for b in blobs {
        if repo.find_header(b).map(|h| h.size() > max).unwrap_or(true) {
            continue;
        }
        if repo.objects.find_blob(&b, &mut buf).is_err() {
            continue;
        }
        for m in ac.find_overlapping_iter(&buf[..]) {
            out.insert(secrets[m.pattern().as_usize()].to_string());
        }
        if out.len() == secrets.len() {
            break;
        }
    }
    Ok(out)
}

/// Every file (regular or executable blob) of `tree`, with its full path.
pub fn tree_files(repo: &gix::Repository, tree: ObjectId) -> Result<Vec<(BString, ObjectId)>> {
    let mut rec = gix::traverse::tree::Recorder::default();
    gix::traverse::tree::depthfirst(
        tree,
        gix::traverse::tree::depthfirst::State::default(),
        &repo.objects,
        &mut rec,
    )
    .map_err(|e| anyhow!("cannot read tree {tree}: {e}"))?;
    Ok(rec
        .records
        .into_iter()
        .filter(|e| is_file(e.mode.kind()))
        .map(|e| (e.filepath, e.oid))
        .collect())
}

/// Author, date and summary of a commit.
pub fn commit_info(repo: &gix::Repository, id: &ObjectId) -> Result<CommitInfo> {
    let commit = repo
        .find_commit(*id)
        .map_err(|e| anyhow!("cannot read commit {id}: {e}"))?;
    let (author, email, seconds) = match commit.author() {
        Ok(a) => (
            a.name.to_str_lossy().trim().to_string(),
            a.email.to_str_lossy().trim().to_string(),
            a.seconds(),
        ),
        Err(_) => (String::new(), String::new(), 0),
    };
    let summary = commit
        .message_raw_sloppy()
        .lines()
        .map(|l| l.to_str_lossy().trim().to_string())
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    Ok(CommitInfo {
        sha: id.to_string(),
        author,
        email,
        date: rfc3339(seconds),
        summary,
        other_commits: 0,
        other_paths: 0,
        present_at_head: None,
    })
}

pub use crate::text::rfc3339;

/// Seven hex digits, like `git log --oneline`.
pub fn short(id: &ObjectId) -> String {
    id.to_hex_with_len(7).to_string()
}

/// `.leakgateignore` at the top of the work tree, applied to history paths (so `testdata/`
/// ignored in tree scans is ignored in history scans too).
type PathFilter = Box<dyn Fn(&str) -> bool + Send + Sync>;

fn history_ignore(workdir: Option<&Path>, sink: &Sink) -> Option<PathFilter> {
    let root = workdir?;
    let file = root.join(super::files::IGNORE_FILE);
    if !file.is_file() {
        return None;
    }
    history_ignore_file(root, &file, sink)
}

/// The rules of an ignore file read from a commit (`text`; `shown` names it in warnings).
fn ignore_filter(
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
        super::files::IGNORE_FILE,
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

fn history_ignore_file(root: &Path, file: &Path, sink: &Sink) -> Option<PathFilter> {
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

/// Progress bar for long audits: on a terminal only, never in CI or with `--quiet`.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(enabled: bool) -> Progress {
        let on = enabled
            && std::io::stderr().is_terminal()
            && std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false");
        let bar = on.then(|| {
            let b = indicatif::ProgressBar::new_spinner();
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        Progress { bar }
    }

    fn stage(&self, msg: &str) {
        if let Some(b) = &self.bar {
            b.set_message(msg.to_string());
        }
    }

    fn set_commits(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.set_message(format!("read {n} commits; collecting blobs"));
        }
    }

    fn walked(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.set_message(format!("reading history: {n} commits"));
        }
    }

    fn start_blobs(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} scanning {pos}/{len} blobs, {msg} [{elapsed_precise}] eta {eta}",
                )
                .expect("valid template"),
            );
            b.set_length(n);
            b.set_position(0);
        }
    }

    fn blobs(&self, n: u64, bytes: u64) {
        if let Some(b) = &self.bar {
            b.set_position(n);
            let secs = b.elapsed().as_secs_f64().max(0.001);
            b.set_message(format!(
                "{:.0} MB at {:.0} MB/s",
                bytes as f64 / 1e6,
                bytes as f64 / 1e6 / secs
            ));
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_matches_known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(-86_400), "1969-12-31T00:00:00Z");
    }

    #[test]
    fn ranges_parse() {
        assert_eq!(
            parse_range("main..feature").unwrap(),
            ("main".into(), "feature".into())
        );
        assert_eq!(parse_range("abc..").unwrap(), ("abc".into(), "HEAD".into()));
        assert!(parse_range("a...b").is_err());
        assert!(parse_range("main").is_err());
    }
}
