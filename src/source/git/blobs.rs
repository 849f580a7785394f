//! Reading blobs.

use super::*;

/// `scan_blob`'s reason when the blob is not in the object database (a partial clone).
pub(super) const MISSING_BLOB: &str = "missing from the object database";
/// Start of `read_blob`'s reason when the blob is there but cannot be read (corrupt).
pub(super) const UNREADABLE_BLOB: &str = "cannot read blob";

/// Per-thread read buffers above this size are released after use.
pub(super) const KEEP_BUFFER_BYTES: usize = 4 * 1024 * 1024;

/// Run `f` over `items` on `threads` threads, each with one state from `init` (a repository
/// handle with its caches) for its whole life, taking items in small batches in order so
/// neighbouring objects (often delta chains) are read by the same thread. Results come back
/// in item order. Unlike a work-stealing pool, state is created exactly once per thread, so
/// caches are not rebuilt and freed over and over.
pub(super) fn for_each_init<T: Sync, S, R: Send>(
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
pub(super) const PACK_CACHE_BYTES: usize = 32 * 1024 * 1024;

/// A thread-local handle with bounded caches (gix defaults to 96 MiB of pack cache each).
/// `object_cache` 0 turns the decoded-object cache off (blobs are read once).
pub(super) fn thread_repo(ts: &gix::ThreadSafeRepository, object_cache: usize) -> gix::Repository {
    let mut repo = ts.to_thread_local();
    repo.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::StaticLinkedList::<64>::new(
            PACK_CACHE_BYTES,
        ))
    });
    repo.object_cache_size(object_cache);
    repo
}

pub(super) fn is_file(k: EntryKind) -> bool {
    matches!(k, EntryKind::Blob | EntryKind::BlobExecutable)
}

/// Shared state of stage 3: the blobs to scan and what scanning them produced. Each job
/// (a blob, per code-path kind) is scanned once, by the pack traversal or by a lookup.
pub(super) struct BlobReader<'a> {
    pub(super) scanner: &'a Scanner,
    pub(super) changes: &'a [Change],
    pub(super) commits: &'a [CommitRec],
    /// (blob, index of the first change that wrote it), sorted by path.
    pub(super) jobs: &'a [(BlobKey, u32)],
    /// Jobs already scanned (a blob may sit in two packs; it is scanned once).
    pub(super) done: Vec<AtomicBool>,
    pub(super) max: u64,
    pub(super) bytes: AtomicU64,
    pub(super) blobs_done: AtomicU64,
    /// Blobs the object database does not have (partial clones).
    pub(super) missing: std::sync::Mutex<Vec<String>>,
    /// Blobs the object database has but could not read (a damaged pack or loose object):
    /// where, and why.
    pub(super) unreadable: std::sync::Mutex<Vec<(String, String)>>,
    /// Findings per job, only for jobs that have any, with the path the blob was scanned as.
    pub(super) results: std::sync::Mutex<Vec<(BlobKey, Scanned)>>,
    pub(super) sink: &'a Sink,
    pub(super) progress: &'a Progress,
}

impl BlobReader<'_> {
    /// Claim job `i`; false when it was already scanned.
    pub(super) fn claim(&self, i: usize) -> bool {
        !self.done[i].swap(true, Ordering::Relaxed)
    }

    pub(super) fn path(&self, job: usize) -> std::borrow::Cow<'_, str> {
        self.changes[self.jobs[job].1 as usize].path.to_str_lossy()
    }

    /// Record the outcome of scanning job `job`.
    pub(super) fn finish(
        &self,
        job: usize,
        res: std::result::Result<Option<u64>, String>,
        out: Vec<Finding>,
    ) {
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
/// Reading every header touches nearly every page of the pack: `mapped` releases them as
/// the reading goes on (the whole pack resident at once was the history scan's peak).
pub(super) fn blob_family(
    index: &gix::odb::pack::index::File,
    pack: &gix::odb::pack::data::File,
    sorted: Vec<u32>,
    mapped: &MappedPack,
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
    let mut last = offsets.first().copied().unwrap_or(0);
    for (k, &off) in offsets.iter().enumerate() {
        mapped.consumed(off - last);
        last = off;
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
pub(super) fn pack_traversal(
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
    // blob -> jobs, one per class of path it appears at (see `PathClass`)
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
        let mapped = MappedPack::new(pack.entry_slice(0..pack.data_len() as u64));
        let mapped = &mapped;
        let by_offset = blob_family(index, pack, by_offset, mapped);
        mapped.release();
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
pub(super) fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own heap structures; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Drop this process's resident pages of the pack files in `dirs` (canonical paths, as
/// [`PackDirs::of`] gives them), wherever they are mapped
/// (gix maps each pack once, read-only, for every handle of a repository). The
/// walk and the diffs read commits and trees spread over the whole pack; without this the
/// pack ends up resident in full by the end of the walk (85 MiB of cargo's 100 MB pack),
/// the largest part of that phase's peak. Only read-only mappings of pack files are
/// touched: gix maps packs without write access (private or shared), so none of their pages
/// was ever written, `MADV_DONTNEED` unmaps them and the next access maps the file's
/// unchanged content again from the page cache.
pub(super) fn release_pack_pages(dirs: &[PathBuf]) {
    #[cfg(target_os = "linux")]
    {
        let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
            return;
        };
        for line in maps.lines() {
            // start-end perms offset dev inode path
            let mut f = line.split_ascii_whitespace();
            let (Some(range), Some(perms)) = (f.next(), f.next()) else {
                continue;
            };
            let Some(path) = f.nth(3) else { continue };
            let path = Path::new(path);
            if !matches!(perms, "r--s" | "r--p")
                || path.extension().is_none_or(|e| e != "pack")
                || !path
                    .parent()
                    .and_then(Path::parent)
                    .is_some_and(|objects| dirs.iter().any(|d| d == objects))
            {
                continue;
            }
            let Some((a, b)) = range.split_once('-') else {
                continue;
            };
            let (Ok(a), Ok(b)) = (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16))
            else {
                continue;
            };
            if b > a {
                // SAFETY: [a, b) is one whole read-only file mapping of this process (from
                // /proc/self/maps) of a pack, which gix never maps writable: no page of it
                // holds anything but the file's content. MADV_DONTNEED only drops the pages,
                // which the next access maps again from the file, so every reference into
                // the mapping stays valid.
                unsafe {
                    libc::madvise(a as *mut libc::c_void, b - a, libc::MADV_DONTNEED);
                }
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = dirs;
}

/// Where a repository's packs are: its object directory and its alternates, as canonical
/// paths (the kernel names mappings by those, see [`release_pack_pages`]).
pub(super) struct PackDirs {
    pub(super) dirs: Vec<PathBuf>,
    pub(super) hash: gix::hash::Kind,
}

impl PackDirs {
    pub(super) fn of(repo: &gix::Repository) -> PackDirs {
        let store = repo.objects.store_ref();
        let mut dirs = vec![store.path().to_path_buf()];
        dirs.extend(store.alternate_db_paths().unwrap_or_default());
        for d in &mut dirs {
            if let Ok(c) = std::fs::canonicalize(&*d) {
                *d = c;
            }
        }
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
pub(super) struct MappedPack {
    pub(super) ptr: usize,
    pub(super) len: usize,
    pub(super) read: AtomicU64,
}

impl MappedPack {
    pub(super) const RELEASE_EVERY: u64 = 16 * 1024 * 1024;

    pub(super) fn new(all: Option<&[u8]>) -> MappedPack {
        let all = all.unwrap_or_default();
        MappedPack {
            ptr: all.as_ptr() as usize,
            len: all.len(),
            read: AtomicU64::new(0),
        }
    }

    /// Count `n` more bytes read; release the mapped pages after every `RELEASE_EVERY`.
    pub(super) fn consumed(&self, n: u64) {
        let before = self.read.fetch_add(n, Ordering::Relaxed);
        if before / Self::RELEASE_EVERY != (before + n) / Self::RELEASE_EVERY {
            self.release();
        }
    }

    pub(super) fn release(&self) {
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
pub(super) const TRAVERSAL_MIN_BLOBS: usize = 2_000;
/// Largest object a pack traversal decodes (or the blob size limit, if larger).
pub(super) const TRAVERSAL_ALLOC_LIMIT: usize = 256 * 1024 * 1024;

/// The size limit as a buffer length.
pub(super) fn max_or(max: u64) -> usize {
    usize::try_from(max).unwrap_or(usize::MAX)
}

/// Read one blob into `buf`, unless it is larger than `max` bytes.
pub(super) fn read_blob(
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

/// Scan one blob's content through the per-blob scanner ([`super::super::blob`]): archives are
/// opened, logs normalised, configuration checks run (the blob is committed).
/// `Ok(Some(bytes))` when scanned, `Ok(None)` when it was empty (or an archive, whose entries
/// are counted one by one), `Err(reason)` when skipped.
pub(super) fn scan_data(
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
        origin: super::super::blob::Origin::Git,
    };
    match super::super::blob::scan_bytes(scanner, sink, &blob, data, None, chunk_buf, out) {
        Outcome::Scanned(n) => Ok(Some(n)),
        Outcome::Empty | Outcome::Expanded => Ok(None),
        Outcome::Binary => Err("binary".into()),
    }
}
