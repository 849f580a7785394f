//! Archives: zip and its relatives (jar, war, ear, aar, apk, ipa, whl, nupkg, vsix, xpi),
//! tar, gzip-compressed tar (`.tar.gz`, `.tgz`: npm packs) and single gzip files, scanned
//! recursively. A finding inside reads `app.zip!dist/assets/index.js:1:4031`; a nested one
//! `app.war!WEB-INF/lib/core.jar!config.properties:3:10`.
//!
//! Bounds, per archive named by the walk (nested archives share their parent's): nesting
//! depth, entry count, and total expanded bytes (a multiple of the archive's own size, with a
//! floor). A zip entry whose declared compression ratio is extreme is not opened; expansion is
//! counted on the bytes actually produced, so sizes that lie do not help a bomb. Hitting a
//! bound ends that archive with a warning naming it, never with an out-of-memory. Entries are
//! streamed (tar, gzip) or read one at a time (zip); a nested zip is read into memory, so its
//! size is bounded too.

use std::cell::{Cell, RefCell};
use std::io::{Cursor, Read, Seek};

use super::Sink;
use crate::finding::Finding;

pub use crate::kind::{archive_kind as kind_of, ArchiveKind as Kind};

pub use crate::paths::entry_name;

/// Bounds on one archive (and everything nested in it).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Archives inside archives: `a.zip!b.jar!c.zip` is depth 3.
    pub max_depth: usize,
    /// Entries looked at, all levels together.
    pub max_entries: u64,
    /// Expanded bytes allowed per byte of the archive file.
    pub max_ratio: u64,
    /// Expanded bytes always allowed, whatever the archive's size.
    pub min_budget: u64,
    /// Expanded bytes never exceeded.
    pub max_budget: u64,
    /// Largest nested zip read into memory.
    pub max_nested_zip: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 4,
            max_entries: 100_000,
            max_ratio: 100,
            min_budget: 64 << 20,
            max_budget: 4 << 30,
            max_nested_zip: 128 << 20,
        }
    }
}

/// What the walk hands to its owner for every file inside an archive (archives inside are
/// opened by the walk itself, which counts the depth): the entry's display path
/// (`app.zip!lib/a.properties`), a reader of its bytes, the size its header gives, scratch
/// space, and where its findings go. The per-blob scanner ([`super::blob`]) supplies it.
pub type OnEntry<'f> = dyn Fn(&str, &mut dyn Read, u64, &mut Vec<u8>, &mut Vec<Finding>) + 'f;

/// Walk the archive `reader` (`len` bytes, shown as `shown`) within `limits`, calling
/// `on_entry` for each file inside; the findings it reports are appended to `out`. A limit
/// that stops the walk is a warning and a "partially scanned" skip entry.
#[allow(clippy::too_many_arguments)]
pub fn walk(
    sink: &Sink,
    shown: &str,
    kind: Kind,
    reader: impl Read + Seek,
    len: u64,
    limits: Limits,
    buf: &mut Vec<u8>,
    out: &mut Vec<Finding>,
    on_entry: &OnEntry<'_>,
) {
    let budget = len
        .saturating_mul(limits.max_ratio)
        .clamp(limits.min_budget, limits.max_budget);
    let walk = Walk {
        on_entry,
        sink,
        limits,
        budget: Cell::new(budget),
        granted: budget,
        entries: Cell::new(0),
        stop: Cell::new(None),
        found: RefCell::new(std::mem::take(out)),
    };
    match kind {
        Kind::Zip => walk.zip(shown, reader, 1, buf),
        other => walk.stream(shown, other, Box::new(reader), 1, buf),
    }
    if let Some(why) = walk.stop.take() {
        sink.warn(format!(
            "{shown}: {why}; the rest of the archive was not scanned"
        ));
        sink.skip(shown, format!("{why} (partially scanned)"));
    }
    *out = walk.found.into_inner();
}

/// A short cause for a read error inside an archive. The decoders' own messages can quote
/// header fields or entry names that are really file content (a misaligned tar stream), which
/// could be a secret, so only the kind of error is shown.
pub fn io_cause(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "unexpected end of data",
        std::io::ErrorKind::InvalidData
        | std::io::ErrorKind::InvalidInput
        | std::io::ErrorKind::Other => "invalid header or compressed data",
        std::io::ErrorKind::OutOfMemory => "out of memory",
        _ => "I/O error",
    }
}

struct Walk<'a> {
    on_entry: &'a OnEntry<'a>,
    sink: &'a Sink,
    limits: Limits,
    /// Expanded bytes still allowed.
    budget: Cell<u64>,
    /// The budget this archive started with.
    granted: u64,
    entries: Cell<u64>,
    /// Why the walk stopped early (a bound was hit).
    stop: Cell<Option<String>>,
    /// Findings of every entry so far.
    found: RefCell<Vec<Finding>>,
}

/// Counts expanded bytes against the walk's budget; reads as end of input once it is spent.
struct Budgeted<'a, R> {
    inner: R,
    walk: &'a Walk<'a>,
}

impl<R: Read> Read for Budgeted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.walk.budget.get();
        if left == 0 {
            self.walk.stopped(format!(
                "expanded size limit reached ({} MiB; possible archive bomb)",
                self.walk.granted >> 20
            ));
            return Ok(0);
        }
        let cap = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..cap])?;
        self.walk.budget.set(left - n as u64);
        Ok(n)
    }
}

impl<'a> Walk<'a> {
    fn stopped(&self, why: String) {
        let cur = self.stop.take();
        self.stop.set(cur.or(Some(why)));
    }

    fn is_stopped(&self) -> bool {
        let cur = self.stop.take();
        let stopped = cur.is_some();
        self.stop.set(cur);
        stopped
    }

    /// Count one entry; false (and the walk stops) past the entry limit.
    fn next_entry(&self) -> bool {
        let n = self.entries.get() + 1;
        self.entries.set(n);
        if n > self.limits.max_entries {
            self.stopped(format!(
                "more than {} entries (limit)",
                self.limits.max_entries
            ));
            return false;
        }
        true
    }

    fn zip(&self, shown: &str, reader: impl Read + Seek, depth: usize, buf: &mut Vec<u8>) {
        let mut zip = match zip::ZipArchive::new(reader) {
            Ok(z) => z,
            Err(e) => {
                self.sink.warn(format!(
                    "{shown}: not a readable zip archive ({e}); not scanned"
                ));
                self.sink.skip(shown, format!("corrupt zip archive: {e}"));
                return;
            }
        };
        for i in 0..zip.len() {
            if self.is_stopped() || !self.next_entry() {
                return;
            }
            let name = zip
                .name_for_index(i)
                .and_then(|n| n.ok())
                .map(|n| entry_name(&n))
                .unwrap_or_else(|| format!("entry #{i}"));
            let mut entry = match zip.by_index(i) {
                Ok(e) => e,
                Err(e) => {
                    let path = format!("{shown}!{name}");
                    let reason = match e {
                        zip::result::ZipError::UnsupportedArchive(m) => {
                            format!("unsupported zip entry ({m})")
                        }
                        other => format!("unreadable zip entry ({other})"),
                    };
                    self.sink.warn(format!("{path}: {reason}; not scanned"));
                    self.sink.skip(path, reason);
                    continue;
                }
            };
            if entry.is_dir() {
                continue;
            }
            let path = format!("{shown}!{name}");
            if entry.is_symlink() {
                self.sink.skip(path, "symbolic link in archive");
                continue;
            }
            let (size, packed) = (entry.size(), entry.compressed_size());
            if size > 1 << 20 && size / packed.max(1) > self.limits.max_ratio {
                let why = format!(
                    "compression ratio {}:1 over the {}:1 limit (possible zip bomb)",
                    size / packed.max(1),
                    self.limits.max_ratio
                );
                self.sink.warn(format!("{path}: {why}; not scanned"));
                self.sink.skip(path, why);
                continue;
            }
            let reader = Budgeted {
                inner: &mut entry,
                walk: self,
            };
            self.entry(&path, reader, size, depth, buf);
        }
    }

    /// tar, tar.gz and gz: streamed.
    fn stream(
        &self,
        shown: &str,
        kind: Kind,
        reader: Box<dyn Read + '_>,
        depth: usize,
        buf: &mut Vec<u8>,
    ) {
        match kind {
            Kind::Gz => {
                let inner = shown.rsplit(['/', '!']).next().unwrap_or(shown);
                let inner = &inner[..inner.len() - 3];
                let path = format!("{shown}!{inner}");
                if !self.next_entry() {
                    return;
                }
                let gz = flate2::read::MultiGzDecoder::new(reader);
                self.entry(
                    &path,
                    Budgeted {
                        inner: gz,
                        walk: self,
                    },
                    0,
                    depth,
                    buf,
                );
            }
            Kind::TarGz => {
                let gz = flate2::read::MultiGzDecoder::new(reader);
                self.tar(
                    shown,
                    Budgeted {
                        inner: gz,
                        walk: self,
                    },
                    depth,
                    buf,
                );
            }
            Kind::Tar => self.tar(
                shown,
                Budgeted {
                    inner: reader,
                    walk: self,
                },
                depth,
                buf,
            ),
            Kind::Zip => {
                // a zip inside a stream: read it into memory (bounded), then open it
                let mut data = Vec::new();
                let cap = self.limits.max_nested_zip;
                match reader.take(cap + 1).read_to_end(&mut data) {
                    Ok(_) if data.len() as u64 > cap => {
                        let why = format!("nested zip larger than {} MiB", cap >> 20);
                        self.sink.warn(format!("{shown}: {why}; not scanned"));
                        self.sink.skip(shown, why);
                    }
                    Ok(_) => self.zip(shown, Cursor::new(data), depth, buf),
                    Err(e) => {
                        let e = io_cause(&e);
                        self.sink
                            .warn(format!("{shown}: read error: {e}; not scanned"));
                        self.sink.skip(shown, format!("read error: {e}"));
                    }
                }
            }
        }
    }

    fn tar(&self, shown: &str, reader: impl Read, depth: usize, buf: &mut Vec<u8>) {
        let mut tar = tar::Archive::new(reader);
        // `cat a.tar b.tar` (or two .tgz) holds two end-of-archive markers: read past them
        tar.set_ignore_zeros(true);
        let entries = match tar.entries() {
            Ok(e) => e,
            Err(e) => {
                let e = io_cause(&e);
                self.sink.warn(format!(
                    "{shown}: not a readable tar archive ({e}); not scanned"
                ));
                self.sink.skip(shown, format!("corrupt tar archive: {e}"));
                return;
            }
        };
        for entry in entries {
            if self.is_stopped() || !self.next_entry() {
                return;
            }
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let e = io_cause(&e);
                    if !self.is_stopped() {
                        self.sink.warn(format!(
                            "{shown}: corrupt tar archive ({e}); the rest was not scanned"
                        ));
                        self.sink.skip(
                            shown,
                            format!("corrupt tar archive: {e} (partially scanned)"),
                        );
                    }
                    return;
                }
            };
            let name = entry_name(&String::from_utf8_lossy(&entry.path_bytes()));
            let path = format!("{shown}!{name}");
            let ty = entry.header().entry_type();
            if ty.is_dir() || ty.is_pax_global_extensions() || ty.is_pax_local_extensions() {
                continue;
            }
            if !ty.is_file() && ty != tar::EntryType::Continuous {
                self.sink
                    .skip(path, "not a regular file (link or device) in archive");
                continue;
            }
            let size = entry.size();
            self.entry(&path, entry, size, depth, buf);
        }
    }

    /// Hand one entry's findings to the walk's owner.
    fn emit(&self, findings: Vec<Finding>) {
        self.sink.check_cap(&findings);
        self.found.borrow_mut().extend(findings);
    }

    /// One file inside an archive: a nested archive (opened here, where the depth is
    /// counted), or a blob for the per-blob scanner: in memory when it is small enough, as a
    /// stream otherwise.
    fn entry(&self, path: &str, mut reader: impl Read, size: u64, depth: usize, buf: &mut Vec<u8>) {
        if let Some(kind) = kind_of(path) {
            if depth >= self.limits.max_depth {
                let why = format!(
                    "archive nested deeper than {} levels",
                    self.limits.max_depth
                );
                self.sink.warn(format!("{path}: {why}; not scanned"));
                self.sink.skip(path, why);
                return;
            }
            if kind == Kind::Zip && size > self.limits.max_nested_zip {
                let why = format!(
                    "nested zip larger than {} MiB",
                    self.limits.max_nested_zip >> 20
                );
                self.sink.warn(format!("{path}: {why}; not scanned"));
                self.sink.skip(path, why);
                return;
            }
            self.stream(path, kind, Box::new(reader), depth + 1, buf);
            return;
        }
        let mut findings = Vec::new();
        (self.on_entry)(path, &mut reader, size, buf, &mut findings);
        self.emit(findings);
        if buf.capacity() > 4 * super::CHUNK_SIZE {
            *buf = Vec::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(n: usize, size: usize) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for i in 0..n {
            let mut h = tar::Header::new_gnu();
            h.set_size(size as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, format!("f{i}.txt"), &vec![b'a'; size][..])
                .unwrap();
        }
        b.into_inner().unwrap()
    }

    fn run(data: Vec<u8>, kind: Kind, limits: Limits) -> (Vec<String>, u64) {
        let sink = Sink::default();
        let len = data.len() as u64;
        let mut buf = Vec::new();
        let count = |_: &str, r: &mut dyn Read, _: u64, _: &mut Vec<u8>, _: &mut Vec<Finding>| {
            let n = std::io::copy(r, &mut std::io::sink()).unwrap();
            sink.count(n);
        };
        walk(
            &sink,
            "t.tar",
            kind,
            Cursor::new(data),
            len,
            limits,
            &mut buf,
            &mut Vec::new(),
            &count,
        );
        let (_, _, warnings, files, _) = sink.finish();
        (warnings, files)
    }

    #[test]
    fn expansion_budget_and_entry_count_end_the_walk_with_a_warning() {
        let small = Limits {
            min_budget: 64 << 10,
            max_budget: 64 << 10,
            ..Limits::default()
        };
        let (w, files) = run(tar_of(20, 10_000), Kind::Tar, small);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("t.tar: expanded size limit reached"),
            "{w:?}"
        );
        assert!(files < 20);
        let few = Limits {
            max_entries: 5,
            ..Limits::default()
        };
        let (w, files) = run(tar_of(20, 10), Kind::Tar, few);
        assert_eq!(
            w,
            vec!["t.tar: more than 5 entries (limit); the rest of the archive was not scanned"]
        );
        assert_eq!(files, 5);
        let (w, files) = run(tar_of(20, 10), Kind::Tar, Limits::default());
        assert!(w.is_empty());
        assert_eq!(files, 20);
    }

    #[test]
    fn kinds_by_name() {
        assert_eq!(kind_of("a/b.JAR"), Some(Kind::Zip));
        assert_eq!(kind_of("x.zip!pkg-1.0.0.tgz"), Some(Kind::TarGz));
        assert_eq!(kind_of("a.tar.gz"), Some(Kind::TarGz));
        assert_eq!(kind_of("a.tar"), Some(Kind::Tar));
        assert_eq!(kind_of("app.log.gz"), Some(Kind::Gz));
        assert_eq!(kind_of(".gz"), None);
        assert_eq!(kind_of("zip.js"), None);
    }
}
