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
    class: PathClass,
}

/// What the scanner's treatment of a blob depends on in its path.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct PathClass {
    code: bool,
    /// A test, example or docs path ([`crate::filters::is_sample_path`]).
    sample: bool,
    /// Hash of the file name, of the folders configuration checks look at, and of the
    /// path-restricted rules that apply.
    name: u64,
}

impl PathClass {
    fn of(scanner: &Scanner, path: &str) -> PathClass {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        crate::kind::file_name(path).hash(&mut h);
        // the folders configuration checks look at (see lint::workflows, lint::files,
        // lint::sourcemaps), and rules whose `paths` name folders (`config/master.key`)
        crate::kind::is_github_workflow(path).hash(&mut h);
        path.contains(".docker/").hash(&mut h);
        path.ends_with(".kube/config").hash(&mut h);
        crate::lint::sourcemaps::in_build_output(path).hash(&mut h);
        scanner.rules.path_rules_for(path).hash(&mut h);
        PathClass {
            code: is_code_path(path),
            sample: crate::filters::is_sample_path(path),
            name: h.finish(),
        }
    }
}

/// [`PathClass::of`] once per path: a history writes the same paths again and again (cargo:
/// 96,534 changes at 9,299 paths), and the sample test is not cheap.
struct PathClasses<'a> {
    scanner: &'a Scanner,
    seen: HashMap<&'a BStr, PathClass>,
}

impl<'a> PathClasses<'a> {
    fn new(scanner: &'a Scanner) -> PathClasses<'a> {
        PathClasses {
            scanner,
            seen: HashMap::new(),
        }
    }

    fn key(&mut self, blob: ObjectId, path: &'a BStr) -> BlobKey {
        let scanner = self.scanner;
        let class = *self
            .seen
            .entry(path)
            .or_insert_with(|| PathClass::of(scanner, &path.to_str_lossy()));
        BlobKey { blob, class }
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
    // sized once: growing by doubling would hold up to twice the changes at the run's peak
    let total = per_commit
        .iter()
        .map(|r| r.as_ref().map_or(0, Vec::len))
        .sum();
    let mut changes = Vec::with_capacity(total);
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
    let mut classes = PathClasses::new(scanner);
    for (i, ch) in changes.iter().enumerate() {
        let key = classes.key(ch.blob, ch.path.as_ref());
        if seen.insert(key) {
            jobs.push((key, i as u32));
        }
    }
    drop(seen);
    drop(classes);
    jobs.shrink_to_fit();
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
pub use crate::text::rfc3339;

mod attribution;
mod blobs;
mod ignore_files;
mod progress;
mod walk;
pub use attribution::*;
pub(crate) use blobs::*;
pub use ignore_files::*;
use progress::*;
use walk::*;

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

    /// Pack pages dropped from the resident set read back unchanged, and are in fact dropped.
    #[cfg(target_os = "linux")]
    #[test]
    fn released_pack_pages_read_back_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                .args(args)
                .current_dir(dir.path())
                .output()
                .unwrap();
            assert!(out.status.success(), "git {args:?}: {out:?}");
        };
        git(&["init", "-q"]);
        // 256 KiB that does not compress away: the pack spans many pages
        let mut rng = crate::examples::Rng::new(7);
        let text = crate::examples::expand("{{base64:262144}}", &mut rng).unwrap();
        std::fs::write(dir.path().join("big.txt"), &text).unwrap();
        git(&["add", "big.txt"]);
        git(&["commit", "-q", "-m", "one"]);
        git(&["gc", "-q"]);

        let mut repo = gix::open(dir.path()).unwrap();
        repo.object_cache_size(0);
        repo.objects.unset_pack_cache();
        let id = repo
            .head_commit()
            .unwrap()
            .tree()
            .unwrap()
            .find_entry("big.txt")
            .unwrap()
            .oid()
            .to_owned();
        let read = |repo: &gix::Repository| repo.find_object(id).unwrap().data.clone();
        let resident_kib = || {
            let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
            let mut ours = false;
            let mut kib = 0u64;
            for line in smaps.lines() {
                if let Some(rss) = line.strip_prefix("Rss:") {
                    if ours {
                        kib += rss.trim().trim_end_matches(" kB").parse::<u64>().unwrap();
                    }
                } else if line.contains('-') && line.split_whitespace().count() >= 5 {
                    ours = line.ends_with(".pack")
                        && line.contains(&*dir.path().canonicalize().unwrap().to_string_lossy());
                }
            }
            kib
        };
        assert_eq!(read(&repo), text.as_bytes());
        assert!(resident_kib() > 64, "the pack is mapped and read");
        release_pack_pages(&PackDirs::of(&repo).dirs);
        assert_eq!(resident_kib(), 0);
        assert_eq!(read(&repo), text.as_bytes());
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
