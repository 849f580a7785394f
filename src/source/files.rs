//! Working-tree source: walks paths in parallel with the `ignore` crate (respecting
//! `.gitignore`, `.ignore` and `.leakgateignore` like ripgrep does), reads each file once and
//! scans it. Paths named on the command line are always scanned, even when ignored.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Result;
use ignore::{WalkBuilder, WalkState};

use crate::paths::normalize_path as normalize;
pub use crate::paths::{check_named, display_path, open_regular};

use super::blob::{self, Blob, Origin, Outcome, Policy, Rel};
use super::{sourcemap, Sink, Source, CHUNK_SIZE};
use crate::engine::Scanner;

/// The ignore file leakgate adds to git's and ripgrep's.
pub const IGNORE_FILE: &str = ".leakgateignore";

/// Files and directories on disk.
pub struct FileSource {
    pub paths: Vec<PathBuf>,
    /// Respect ignore files (default true; `--no-ignore` turns it off).
    pub respect_ignore: bool,
    pub threads: usize,
    /// Directory the config's `allow.paths` globs are relative to.
    pub config_root: Option<PathBuf>,
    /// `--exclude` globs, matched against the path below the scan root and as shown.
    pub exclude: Option<globset::GlobSet>,
    /// `--max-file-size`: larger files are skipped (and listed as skipped).
    pub max_file_size: Option<u64>,
}

impl FileSource {
    /// `/`-separated path of `p` below the scan root it was found under (a root that is a
    /// file gives its name): what the user chose to scan does not count, only what is below.
    fn below_root(&self, p: &Path) -> String {
        for root in &self.paths {
            if let Ok(rest) = p.strip_prefix(root) {
                if rest.as_os_str().is_empty() {
                    return p
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                }
                return display_path(rest);
            }
        }
        display_path(p)
    }

    /// Path of `p` relative to the config root, for `allow.paths`.
    /// `cwd` is looked up once per run, not once per file.
    fn rel_to_config(&self, p: &Path, cwd: &Path) -> Option<String> {
        let root = self.config_root.as_ref()?;
        let abs = if p.is_absolute() {
            p.to_path_buf()
        } else {
            cwd.join(p)
        };
        let abs = normalize(&abs);
        abs.strip_prefix(root).ok().map(display_path)
    }
}

/// The path a walk error is about, if it names one.
fn error_path(e: &ignore::Error) -> Option<&Path> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::Loop { child, .. } => Some(child),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}

impl Source for FileSource {
    type Output = ();

    fn run(&self, scanner: &Scanner, sink: &Sink) -> Result<()> {
        for p in &self.paths {
            check_named(p)?;
        }
        let Some((first, rest)) = self.paths.split_first() else {
            return Ok(());
        };
        let cwd = std::env::current_dir().unwrap_or_default();
        let cwd = cwd.as_path();
        scanner.lint.start(&self.paths, self.respect_ignore);
        let mut wb = WalkBuilder::new(first);
        for p in rest {
            wb.add(p);
        }
        wb.hidden(false) // .env files are exactly what we are looking for
            .parents(self.respect_ignore)
            .ignore(self.respect_ignore)
            .git_ignore(self.respect_ignore)
            .git_global(self.respect_ignore)
            .git_exclude(self.respect_ignore)
            .require_git(false)
            .follow_links(false)
            .threads(self.threads.max(1))
            .filter_entry(|e| e.file_name() != ".git" || e.depth() == 0);
        if let Some(ex) = self.exclude.clone() {
            // an excluded folder is not walked at all (`--exclude node_modules`)
            let roots = self.paths.clone();
            wb.filter_entry(move |e| {
                if e.file_name() == ".git" && e.depth() > 0 {
                    return false;
                }
                if e.depth() == 0 || !e.file_type().is_some_and(|t| t.is_dir()) {
                    return true;
                }
                let below = roots
                    .iter()
                    .find_map(|r| e.path().strip_prefix(r).ok())
                    .unwrap_or(e.path());
                !ex.is_match(display_path(below)) && !ex.is_match(display_path(e.path()))
            });
        }
        if self.respect_ignore {
            wb.add_custom_ignore_filename(IGNORE_FILE);
        }
        // files git tracks although a .gitignore matches them (`git add -f prod.env`) are in
        // the repository: the walk skips them, so they are scanned after it
        let tracked = if self.respect_ignore {
            self.paths.iter().flat_map(|r| tracked_files(r)).collect()
        } else {
            Vec::new()
        };
        let seen: Option<std::sync::Mutex<std::collections::HashSet<PathBuf>>> =
            (!tracked.is_empty()).then(Default::default);
        let seen = &seen;
        wb.build_parallel().run(|| {
            let mut buf: Vec<u8> = Vec::new();
            Box::new(move |entry| {
                if let (Some(seen), Ok(e)) = (seen, &entry) {
                    seen.lock()
                        .expect("poisoned")
                        .insert(e.path().to_path_buf());
                }
                let entry = match entry {
                    Ok(e) => e,
                    Err(err) => {
                        // a directory or file the walk could not read was not scanned:
                        // it goes into `skipped` with the reason, not only on stderr
                        if let (Some(io), Some(p)) = (err.io_error(), error_path(&err)) {
                            sink.skip(display_path(p), format!("cannot read: {io}"));
                        }
                        sink.warn(format!("{err}"));
                        return WalkState::Continue;
                    }
                };
                let Some(ft) = entry.file_type() else {
                    return WalkState::Continue;
                };
                if ft.is_dir() {
                    return WalkState::Continue;
                }
                let path = entry.path();
                let shown = display_path(path);
                if ft.is_symlink() {
                    if entry.depth() == 0 {
                        // named on the command line: follow it
                        self.scan_file(scanner, sink, path, &shown, cwd, &mut buf);
                    } else {
                        // listed, not silently passed over
                        sink.skip(shown, SYMLINK_NOT_FOLLOWED);
                    }
                    return WalkState::Continue;
                }
                if !ft.is_file() {
                    sink.skip(shown, NOT_REGULAR);
                    return WalkState::Continue;
                }
                self.scan_file(scanner, sink, path, &shown, cwd, &mut buf);
                WalkState::Continue
            })
        });
        if let Some(seen) = seen {
            let seen = seen.lock().expect("poisoned");
            let mut ignores = IgnoreFiles::default();
            let mut buf = Vec::new();
            for (root, path) in &tracked {
                if seen.contains(path) || ignores.excluded(root, path) {
                    continue;
                }
                let shown = display_path(path);
                if let Some(ex) = &self.exclude {
                    if ex.is_match(&shown) || ex.is_match(self.below_root(path)) {
                        continue; // in a folder --exclude left out
                    }
                }
                match std::fs::symlink_metadata(path) {
                    Ok(m) if m.is_file() => {}
                    _ => continue, // deleted in the work tree, or not a file there
                }
                self.scan_file(scanner, sink, path, &shown, cwd, &mut buf);
            }
        }
        sink.add_findings(scanner.lint_finish());
        Ok(())
    }
}

impl FileSource {
    fn scan_file(
        &self,
        scanner: &Scanner,
        sink: &Sink,
        path: &Path,
        shown: &str,
        cwd: &Path,
        buf: &mut Vec<u8>,
    ) {
        if let Some(ex) = &self.exclude {
            if ex.is_match(shown) || ex.is_match(self.below_root(path)) {
                sink.skip(shown, "excluded by --exclude");
                return;
            }
        }
        if let Some(rel) = self.rel_to_config(path, cwd) {
            if scanner.config.path_allowed(&rel) {
                sink.skip(shown, "allowed by allow.paths in the config");
                return;
            }
        }
        // a symlink is followed only when it was named on the command line
        let follow = self.paths.iter().any(|p| p == path);
        let mut file = match open_regular(path, follow) {
            Ok(Some(f)) => f,
            Ok(None) => {
                // swapped for a symlink, a device or a pipe since the walk saw it
                sink.skip(shown, NOT_REGULAR);
                return;
            }
            Err(e) => {
                sink.warn(format!("{shown}: cannot open: {e}; not scanned"));
                sink.skip(shown, format!("cannot open: {e}"));
                return;
            }
        };
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        if self.max_file_size.is_some_and(|max| len > max) {
            sink.skip(shown, "larger than --max-file-size");
            return;
        }
        let below = || self.below_root(path);
        let blob = Blob {
            shown,
            rel: Rel::Lazy(&below),
            policy: Policy::TREE,
            origin: Origin::File,
        };
        let mut findings = Vec::new();
        if let Some(kind) = crate::kind::archive_kind(shown) {
            blob::scan_archive(
                scanner,
                sink,
                &blob,
                &below(),
                kind,
                &mut file,
                len,
                super::archive::Limits::default(),
                buf,
                &mut findings,
            );
            sink.add_findings(findings);
            return;
        }
        let allowed = |p: &Path| {
            self.rel_to_config(p, cwd)
                .is_some_and(|r| scanner.config.path_allowed(&r))
        };
        let ctx = sourcemap::Context {
            roots: &self.paths,
            allowed: &allowed,
        };
        // a source map is read whole (up to the source-map limit) so that its sourcesContent
        // is scanned once, as the files it holds, and not a second time as JSON; a CI log is
        // streamed through the log normaliser whatever its size
        let whole_map = sourcemap::is_map(shown) && len <= sourcemap::MAX_MAP_BYTES;
        if (len as usize > CHUNK_SIZE && !whole_map) || crate::kind::is_log(shown) {
            let mut head = vec![0u8; 8192];
            let n = read_up_to(&mut file, &mut head);
            head.truncate(n);
            // never more than the size the open file had: a file that grows while it is
            // read cannot make the read endless
            let rest = (&mut file).take(len.saturating_sub(n as u64));
            match blob::scan_stream(scanner, sink, &blob, head, rest, buf, &mut findings) {
                Ok(Outcome::Scanned(n)) => sink.count(n),
                Ok(Outcome::Binary) => {
                    sink.add_findings(findings);
                    sink.skip(shown, BINARY);
                    return;
                }
                Ok(_) => {}
                Err(e) => {
                    sink.warn(format!("{shown}: read error: {e}; scanned partially"));
                    sink.skip(shown, format!("read error: {e} (partially scanned)"));
                }
            }
            if sourcemap::applies(shown) {
                // a bundle too large to hold: its inline map and mapped-back hits, from disk
                let from = findings.len();
                sourcemap::scan_file(scanner, sink, &ctx, path, shown, None, &mut findings);
                blob::stamp(&blob, None, &mut findings, from);
            }
            // GitHub's line hash needs the file's text: read it again when it is not too big
            // (a streamed file is rarely one with findings)
            if findings
                .iter()
                .any(|f| f.line_hash.is_none() && f.location.path == shown)
                && len <= MAX_LINE_HASH_REREAD
                && !crate::kind::is_log(shown)
            {
                use std::io::Seek;
                let mut data = Vec::new();
                let read = file.seek(std::io::SeekFrom::Start(0)).and_then(|_| {
                    (&mut file)
                        .take(MAX_LINE_HASH_REREAD)
                        .read_to_end(&mut data)
                });
                if read.is_ok() {
                    crate::finding::line_hash::fill(
                        &data,
                        findings.iter_mut().filter(|f| f.location.path == shown),
                    );
                }
            }
        } else {
            let n = match read_whole(&mut file, len as usize, buf) {
                Ok(n) => n,
                Err(e) => {
                    sink.warn(format!("{shown}: read error: {e}; not scanned"));
                    sink.skip(shown, format!("read error: {e}"));
                    return;
                }
            };
            let mut chunk_buf = Vec::new(); // in-memory blobs never stream
            let outcome = blob::scan_bytes(
                scanner,
                sink,
                &blob,
                &buf[..n],
                Some((&ctx, path)),
                &mut chunk_buf,
                &mut findings,
            );
            match outcome {
                Outcome::Scanned(n) => sink.count(n),
                Outcome::Empty => sink.count(0),
                Outcome::Binary => sink.skip(shown, BINARY),
                Outcome::Expanded => {}
            }
        }
        if buf.capacity() > 4 * CHUNK_SIZE {
            *buf = Vec::new(); // do not keep a huge allocation around
        }
        sink.add_findings(findings);
    }
}

/// A streamed file with findings is read again for GitHub's line hash up to this size
/// (larger ones get the hash of the finding's line alone).
const MAX_LINE_HASH_REREAD: u64 = 64 << 20;

/// Why a binary file was not scanned.
pub const BINARY: &str = "binary file (NUL byte in the first 8 KiB)";

/// The regular files the git index tracks under `root` (a directory inside a work tree), as
/// (root, path spelled from `root` like the walk spells it). Empty outside a repository.
fn tracked_files(root: &Path) -> Vec<(PathBuf, PathBuf)> {
    if !root.is_dir() {
        return Vec::new();
    }
    let Ok(repo) = gix::discover(root) else {
        return Vec::new();
    };
    let Some(workdir) = repo.workdir() else {
        return Vec::new();
    };
    let (Ok(top), Ok(abs)) = (std::fs::canonicalize(workdir), std::fs::canonicalize(root)) else {
        return Vec::new();
    };
    let Ok(prefix) = abs.strip_prefix(&top) else {
        return Vec::new();
    };
    let Ok(index) = repo.index_or_empty() else {
        return Vec::new();
    };
    let prefix = display_path(prefix);
    let mut out = Vec::new();
    for entry in index.entries() {
        use gix::index::entry::Mode;
        if !(entry.mode == Mode::FILE || entry.mode == Mode::FILE_EXECUTABLE) {
            continue;
        }
        let p = entry.path(&index).to_string();
        let below = if prefix.is_empty() {
            Some(p.as_str())
        } else {
            p.strip_prefix(prefix.as_str())
                .and_then(|r| r.strip_prefix('/'))
        };
        if let Some(below) = below {
            out.push((root.to_path_buf(), root.join(below)));
        }
    }
    out
}

/// `.leakgateignore` and `.ignore` files between a root and a file, read once each: a tracked
/// file they exclude stays excluded (only `.gitignore` does not decide for tracked files).
#[derive(Default)]
struct IgnoreFiles {
    dirs: std::collections::HashMap<PathBuf, Vec<ignore::gitignore::Gitignore>>,
}

impl IgnoreFiles {
    fn excluded(&mut self, root: &Path, path: &Path) -> bool {
        let mut dirs: Vec<&Path> = path
            .ancestors()
            .skip(1)
            .take_while(|d| d.starts_with(root))
            .collect();
        dirs.reverse(); // root first; a deeper file decides over a shallower one
        let mut verdict = false;
        for d in dirs {
            let matchers = self.dirs.entry(d.to_path_buf()).or_insert_with(|| {
                [IGNORE_FILE, ".ignore"]
                    .iter()
                    .map(|name| d.join(name))
                    .filter(|f| f.is_file())
                    .filter_map(|f| {
                        let mut b = ignore::gitignore::GitignoreBuilder::new(d);
                        b.add(f);
                        b.build().ok()
                    })
                    .collect()
            });
            for m in matchers.iter() {
                match m.matched_path_or_any_parents(path, false) {
                    ignore::Match::Ignore(_) => verdict = true,
                    ignore::Match::Whitelist(_) => verdict = false,
                    ignore::Match::None => {}
                }
            }
        }
        verdict
    }
}

const SYMLINK_NOT_FOLLOWED: &str =
    "symbolic link, not followed (name it on the command line to scan its target)";

const NOT_REGULAR: &str = "not a regular file (device, socket or pipe)";

/// Read all of `file`, `len` bytes long by its metadata, into the start of `buf`; returns
/// how many bytes were read. `buf` is scratch space whose bytes stay initialised between
/// files, so it only grows (zeroed) for a file larger than any before; unlike
/// `read_to_end`, no `statx` and `lseek` per file. At most `len` bytes are read: a file
/// that grows while it is read is read to the size it had when opened.
fn read_whole(file: &mut std::fs::File, len: usize, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    if buf.len() < len {
        buf.resize(len, 0);
    }
    let mut n = 0;
    loop {
        if n == len {
            return Ok(n);
        }
        match file.read(&mut buf[n..len]) {
            Ok(0) => return Ok(n),
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> usize {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    n
}
