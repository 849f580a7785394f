//! Working-tree source: walks paths in parallel with the `ignore` crate (respecting
//! `.gitignore`, `.ignore` and `.leakgateignore` like ripgrep does), reads each file once and
//! scans it. Paths named on the command line are always scanned, even when ignored.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use ignore::{WalkBuilder, WalkState};

use super::{is_binary, scan_reader, sourcemap, wide, Sink, Source, CHUNK_SIZE};
use crate::engine::{ChunkPos, Scanner};

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

/// `/`-separated display path without a leading `./`.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s);
    s.to_string()
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

/// A path named on the command line must be readable: a dangling symlink, a symlink loop
/// or a directory that cannot be listed is an error (exit 2) naming the path and the
/// reason, never an empty, clean scan.
pub fn check_named(p: &Path) -> Result<()> {
    let shown = p.display();
    let link = std::fs::symlink_metadata(p)
        .map_err(|e| anyhow::anyhow!("{shown}: cannot read: {}", io_reason(&e)))?;
    let meta = match std::fs::metadata(p) {
        Ok(m) => m,
        Err(e) if link.file_type().is_symlink() => bail!(
            "{shown}: symbolic link that cannot be followed: {}",
            io_reason(&e)
        ),
        Err(e) => bail!("{shown}: cannot read: {}", io_reason(&e)),
    };
    if meta.is_dir() {
        if let Err(e) = std::fs::read_dir(p) {
            bail!("{shown}: cannot list the directory: {}", io_reason(&e));
        }
    } else if meta.is_file() {
        if let Err(e) = std::fs::File::open(p) {
            bail!("{shown}: cannot open: {}", io_reason(&e));
        }
    }
    Ok(())
}

/// An I/O error in words, without the `(os error N)` suffix.
fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
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

/// Lexical normalisation (`a/./b/../c` → `a/c`) without touching the disk.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

impl Source for FileSource {
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
        wb.build_parallel().run(|| {
            let mut buf: Vec<u8> = Vec::new();
            Box::new(move |entry| {
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
        // never more than the size the open file had: a file that grows while it is read
        // cannot make the read endless
        if super::scan_special(scanner, sink, shown, &mut file, len, buf) {
            return; // an archive or a CI log
        }
        let mut findings = Vec::new();
        // a source map is read whole (up to the source-map limit) so that its sourcesContent
        // is scanned once, as the files it holds, and not a second time as JSON
        let whole_map = sourcemap::is_map(shown) && len <= sourcemap::MAX_MAP_BYTES;
        let mut in_memory = None; // the file's length when it is in `buf`
        let mut prepared = None;
        if len as usize > CHUNK_SIZE && !whole_map {
            // peek for binary content first
            let mut head = vec![0u8; 8192];
            let n = read_up_to(&mut file, &mut head);
            head.truncate(n);
            lint(scanner, sink, shown, None, &mut findings); // by name only
            let wide = if is_binary(&head) {
                let Some(enc) = wide::detect(&head) else {
                    sink.add_findings(findings);
                    sink.skip(shown, "binary file (NUL byte in the first 8 KiB)");
                    return;
                };
                Some(enc)
            } else {
                scanner.lint_skipped_large(shown);
                None
            };
            let reader =
                std::io::Cursor::new(head).chain((&mut file).take(len.saturating_sub(n as u64)));
            let from = findings.len();
            let res = match wide {
                // UTF-16/UTF-32 text, decoded as it is read
                Some(enc) => scan_reader(
                    scanner,
                    shown,
                    wide::WideReader::new(reader, enc),
                    buf,
                    &mut findings,
                ),
                None => scan_reader(scanner, shown, reader, buf, &mut findings),
            };
            if findings.len() > from {
                scanner.hide_samples(&self.below_root(path), &mut findings, from);
            }
            match res {
                Ok(n) => sink.count(n),
                Err(e) => {
                    sink.warn(format!("{shown}: read error: {e}; scanned partially"));
                    sink.skip(shown, format!("read error: {e} (partially scanned)"));
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
            let data = &buf[..n];
            let small = n <= CHUNK_SIZE;
            if is_binary(data) {
                lint(scanner, sink, shown, None, &mut findings); // by name only
                match wide::detect(data) {
                    // UTF-16/UTF-32 text: scanned decoded, positions in characters
                    Some(enc) => {
                        let text = wide::decode(enc, data);
                        let t = text.as_bytes();
                        sink.count(n as u64);
                        if t.len() <= CHUNK_SIZE {
                            scanner.scan_chunk(shown, t, ChunkPos::whole(t.len()), &mut findings);
                        } else {
                            super::scan_parts(scanner, shown, t, &[(0, t.len())], &mut findings);
                        }
                        if !findings.is_empty() {
                            scanner.hide_samples(&self.below_root(path), &mut findings, 0);
                        }
                    }
                    None => sink.skip(shown, "binary file (NUL byte in the first 8 KiB)"),
                }
                sink.add_findings(findings);
                return;
            }
            in_memory = Some(n);
            sink.count(n as u64);
            prepared = whole_map
                .then(|| sourcemap::PreparedMap::parse(data))
                .flatten();
            match &prepared {
                Some(map) => {
                    let parts = map.plain_parts(n);
                    super::scan_parts(scanner, shown, data, &parts, &mut findings);
                }
                None if small => scanner.scan_chunk(shown, data, ChunkPos::whole(n), &mut findings),
                None => super::scan_parts(scanner, shown, data, &[(0, n)], &mut findings),
            }
            // the path below the root is worked out only for the few files with findings
            if !findings.is_empty() {
                scanner.hide_samples(&self.below_root(path), &mut findings, 0);
            }
            if !small {
                scanner.lint_skipped_large(shown);
            }
            lint(scanner, sink, shown, small.then_some(data), &mut findings);
        }
        if sourcemap::applies(shown) {
            // source maps and bundles: sourcesContent as files, bundle hits mapped back
            let held = in_memory.map(|n| sourcemap::Held {
                data: &buf[..n],
                map: prepared,
            });
            let allowed = |p: &Path| {
                self.rel_to_config(p, cwd)
                    .is_some_and(|r| scanner.config.path_allowed(&r))
            };
            let ctx = sourcemap::Context {
                roots: &self.paths,
                allowed: &allowed,
            };
            sourcemap::scan_file(scanner, sink, &ctx, path, shown, held, &mut findings);
        }
        if buf.capacity() > 4 * CHUNK_SIZE {
            *buf = Vec::new(); // do not keep a huge allocation around
        }
        sink.add_findings(findings);
    }
}

const SYMLINK_NOT_FOLLOWED: &str =
    "symbolic link, not followed (name it on the command line to scan its target)";

const NOT_REGULAR: &str = "not a regular file (device, socket or pipe)";

/// Open `path` for reading only if it is a regular file: `Ok(None)` when it is anything
/// else. Unless `follow` (a path named on the command line), a symlink is not followed:
/// a file swapped for a symlink to `/dev/zero` since the walk saw it would otherwise be
/// read until memory runs out. The type is checked on the open file (no race), and the
/// open does not block on a pipe.
pub fn open_regular(path: &Path, follow: bool) -> std::io::Result<Option<std::fs::File>> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK;
        if !follow {
            flags |= libc::O_NOFOLLOW;
        }
        opts.custom_flags(flags);
    }
    let file = match opts.open(path) {
        Ok(f) => f,
        #[cfg(unix)]
        Err(e) if !follow && e.raw_os_error() == Some(libc::ELOOP) => return Ok(None),
        Err(e) => return Err(e),
    };
    // (O_NONBLOCK has no effect on reads of a regular file)
    if !file.metadata()?.is_file() {
        return Ok(None);
    }
    Ok(Some(file))
}

/// Configuration checks for one file; a file they cannot read (malformed YAML) is a warning.
fn lint(
    scanner: &Scanner,
    sink: &Sink,
    shown: &str,
    data: Option<&[u8]>,
    out: &mut Vec<crate::finding::Finding>,
) {
    if let Some(w) = scanner.lint_file(shown, data, out) {
        sink.warn(w);
    }
}

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
