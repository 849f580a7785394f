//! The one per-blob scanner. Sources only enumerate blobs (files of a walk, git blobs, the
//! staged index, standard input, archive entries) and hand each one here as a [`Blob`] (its
//! display path, where archive entries nest as `app.zip!a.env`, and a [`Policy`]); this module
//! applies, in one place and one order:
//!
//! allow-lists ([`excluded`]) → binary / UTF-16 / UTF-32 sniff → expanders (archives, CI-log
//! normalisation, a source map's `sourcesContent`) → whole or chunked matching (the matcher
//! and decoders, [`Scanner::scan_chunk`]) → sample hiding → configuration checks.
//!
//! The caller counts what was read and lists what was skipped, from the [`Outcome`].

use std::borrow::Cow;
use std::io::{Cursor, Read};

use super::{archive, is_binary, log, scan_parts, scan_reader, sourcemap, wide, Sink, CHUNK_SIZE};
use crate::engine::{ChunkPos, Scanner};
use crate::finding::{Finding, Provenance};
use crate::kind::is_log as is_log_path;

pub use crate::finding::commit_message_path;

/// How configuration checks see a blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lint {
    /// No configuration checks (CI logs, commit messages).
    Off,
    /// A file of the working-tree walk: whether it would be committed comes from the walk,
    /// and the whole-tree checks take note of it.
    Tree,
    /// A blob that is in git (history, the staged index): it is committed.
    Committed,
    /// Content outside any repository (an archive entry, standard input).
    Content,
}

/// What the scanner does with a blob besides matching secrets.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub lint: Lint,
    /// Open a blob that is an archive (zip, jar, tar, gz) and scan its entries.
    pub archives: bool,
    /// Read `*.log` blobs through the CI-log normaliser.
    pub logs: bool,
}

impl Policy {
    /// Files of a walk.
    pub const TREE: Policy = Policy {
        lint: Lint::Tree,
        archives: true,
        logs: true,
    };
    /// Blobs in git: history, the staged index.
    pub const COMMITTED: Policy = Policy {
        lint: Lint::Committed,
        archives: true,
        logs: true,
    };
    /// An archive's entries (nested archives are opened by the archive walk, which counts
    /// the depth).
    pub const ENTRY: Policy = Policy {
        lint: Lint::Content,
        archives: false,
        logs: true,
    };
}

/// One blob to scan.
pub struct Blob<'a> {
    /// The path shown in findings (archive entries nest: `app.zip!lib.jar!a.properties`).
    pub shown: &'a str,
    /// The path the allow-lists and sample hiding look at (below the scan root for files).
    pub rel: Rel<'a>,
    pub policy: Policy,
    /// Which source the blob came from; its findings' [`Provenance`] is built from it.
    pub origin: Origin<'a>,
}

/// Which source a [`Blob`] came from.
#[derive(Clone, Copy)]
pub enum Origin<'a> {
    /// A file of the working tree.
    File,
    /// A file as staged in the git index.
    Staged,
    /// Standard input.
    Stdin,
    /// A blob of git history (attributed to a commit later).
    Git,
    /// An entry of the archive `parent`, at `entry` inside it (`lib.jar!a.properties` for
    /// an entry of an archive inside the archive).
    Entry {
        parent: &'a Blob<'a>,
        entry: &'a str,
    },
}

impl Blob<'_> {
    /// Where this blob's text comes from.
    pub fn provenance(&self) -> Provenance {
        let path = self.shown.to_string();
        match self.origin {
            Origin::File => Provenance::File { path },
            Origin::Staged => Provenance::Staged { path },
            Origin::Stdin => Provenance::Stdin { name: path },
            Origin::Git => Provenance::GitBlob { path, commit: None },
            Origin::Entry { parent, entry } => {
                // an archive inside the archive is one more level
                entry
                    .split('!')
                    .fold(parent.provenance(), |p, part| Provenance::ArchiveEntry {
                        archive: Box::new(p),
                        entry: part.to_string(),
                    })
            }
        }
    }
}

/// Give the findings `out[from..]` that have none the provenance of `blob` (a finding at
/// another path came from a source map's original source) and, where `data` is the text they
/// were made on, GitHub's line hash.
pub fn stamp(blob: &Blob, data: Option<&[u8]>, out: &mut [Finding], from: usize) {
    let from = from.min(out.len());
    let out = &mut out[from..];
    if out.is_empty() {
        return;
    }
    let mine = blob.provenance();
    for f in out.iter_mut().filter(|f| f.origin.is_none()) {
        f.origin = Some(if f.location.path == blob.shown {
            mine.clone()
        } else {
            Provenance::MapSource {
                via: Box::new(mine.clone()),
                source: f.location.path.clone(),
            }
        });
    }
    if let Some(data) = data {
        let shown = blob.shown;
        crate::finding::line_hash::fill(data, out.iter_mut().filter(|f| f.location.path == shown));
    }
}

/// A blob's path for the allow-lists and sample hiding; worked out only when needed (most
/// files of a walk have no finding).
#[derive(Clone, Copy)]
pub enum Rel<'a> {
    Path(&'a str),
    Lazy(&'a dyn Fn() -> String),
}

impl Rel<'_> {
    pub fn get(&self) -> Cow<'_, str> {
        match self {
            Rel::Path(p) => Cow::Borrowed(p),
            Rel::Lazy(f) => Cow::Owned(f()),
        }
    }
}

/// What happened to a blob.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Scanned: this many bytes of text were read.
    Scanned(u64),
    /// An archive: its entries were scanned and counted one by one.
    Expanded,
    /// Empty: nothing to read.
    Empty,
    /// Binary (a NUL byte in the first 8 KiB and not UTF-16/32 text): not scanned.
    Binary,
}

/// Why the allow-lists exclude `rel` (the config's `allow.paths`), if they do. Every source
/// asks before it reads a blob.
pub fn excluded(scanner: &Scanner, rel: &str) -> Option<&'static str> {
    scanner
        .config
        .path_allowed(rel)
        .then_some("excluded by allow.paths in the config")
}

/// The configuration checks on a blob, as its policy says (`data`: `None` when only its
/// name may be checked); a file they cannot read (malformed YAML) is a warning.
fn lint_blob(
    scanner: &Scanner,
    sink: &Sink,
    blob: &Blob,
    data: Option<&[u8]>,
    out: &mut Vec<Finding>,
) {
    let committed = match blob.policy.lint {
        Lint::Off => return,
        Lint::Tree => None,
        Lint::Committed => Some(true),
        Lint::Content => Some(false),
    };
    if let Some(w) = scanner.lint_blob(blob.shown, data, committed, out) {
        sink.warn(w);
    }
}

/// Scan one blob held in memory, appending its findings to `out`. `chunk_buf` is scratch
/// space reused between blobs. `map` (files on disk only) lets a bundle's hits be mapped back
/// through maps and originals on disk; elsewhere only a `.map` blob's own `sourcesContent` is
/// read.
pub fn scan_bytes(
    scanner: &Scanner,
    sink: &Sink,
    blob: &Blob,
    data: &[u8],
    map: Option<(&sourcemap::Context, &std::path::Path)>,
    chunk_buf: &mut Vec<u8>,
    out: &mut Vec<Finding>,
) -> Outcome {
    let from = out.len();
    let outcome = scan_held(scanner, sink, blob, data, map, chunk_buf, out);
    if out.len() > from {
        // the line hash is taken on the bytes as they are in the file: not for text that
        // was decoded (UTF-16) or normalised (CI logs) before matching
        let normalised = blob.policy.logs && is_log_path(blob.shown);
        let as_is = !is_binary(data) && !normalised;
        stamp(blob, as_is.then_some(data), out, from);
    }
    outcome
}

/// [`scan_bytes`] before the findings are stamped.
fn scan_held(
    scanner: &Scanner,
    sink: &Sink,
    blob: &Blob,
    data: &[u8],
    map: Option<(&sourcemap::Context, &std::path::Path)>,
    chunk_buf: &mut Vec<u8>,
    out: &mut Vec<Finding>,
) -> Outcome {
    let shown = blob.shown;
    let n = data.len();
    if blob.policy.archives {
        if let Some(kind) = crate::kind::archive_kind(shown) {
            let rel = blob.rel.get();
            scan_archive(
                scanner,
                sink,
                blob,
                &rel,
                kind,
                Cursor::new(data),
                n as u64,
                archive::Limits::default(),
                chunk_buf,
                out,
            );
            return Outcome::Expanded;
        }
    }
    let from = out.len();
    let text: Cow<[u8]> = if is_binary(data) {
        lint_blob(scanner, sink, blob, None, out); // by name only
        match wide::detect(data) {
            // UTF-16/UTF-32 text: scanned decoded, positions in characters
            Some(enc) => Cow::Owned(wide::decode(enc, data).into_bytes()),
            None => return Outcome::Binary,
        }
    } else {
        Cow::Borrowed(data)
    };
    let t = &text[..];
    if n == 0 {
        lint_blob(scanner, sink, blob, Some(t), out);
        return Outcome::Empty;
    }
    if blob.policy.logs && is_log_path(shown) {
        match log::scan_log_into(scanner, shown, t, chunk_buf, out) {
            Ok(_) => {}
            Err(e) => sink.warn(format!("{shown}: {e}")), // in-memory reads do not fail
        }
        if out.len() > from {
            scanner.hide_samples(&blob.rel.get(), out, from);
        }
        return Outcome::Scanned(n as u64);
    }
    let small = t.len() <= CHUNK_SIZE;
    let prepared = match &text {
        Cow::Borrowed(d) if sourcemap::is_map(shown) && n as u64 <= sourcemap::MAX_MAP_BYTES => {
            sourcemap::PreparedMap::parse(d)
        }
        _ => None,
    };
    match &prepared {
        // a source map's sourcesContent is scanned once, as the files it holds
        Some(m) => scan_parts(scanner, shown, t, &m.plain_parts(t.len()), out),
        None if small => scanner.scan_chunk(shown, t, ChunkPos::whole(t.len()), out),
        None => scan_parts(scanner, shown, t, &[(0, t.len())], out),
    }
    if out.len() > from {
        scanner.hide_samples(&blob.rel.get(), out, from);
    }
    if matches!(text, Cow::Borrowed(_)) {
        if !small {
            scanner.lint_skipped_large(shown);
        }
        lint_blob(scanner, sink, blob, small.then_some(t), out);
        if sourcemap::applies(shown) {
            let held = sourcemap::Held {
                data: t,
                map: prepared,
            };
            match map {
                Some((ctx, disk)) => {
                    sourcemap::scan_file(scanner, sink, ctx, disk, shown, Some(held), out)
                }
                // not on disk: a map's own sourcesContent only, nothing looked up beside it
                None if sourcemap::is_map(shown) => {
                    let allowed =
                        |p: &std::path::Path| scanner.config.path_allowed(&p.to_string_lossy());
                    let ctx = sourcemap::Context {
                        roots: &[],
                        allowed: &allowed,
                    };
                    let disk = std::path::Path::new(shown);
                    sourcemap::scan_file(scanner, sink, &ctx, disk, shown, Some(held), out)
                }
                None => {}
            }
        }
    }
    Outcome::Scanned(n as u64)
}

/// Open the archive `reader` (`len` bytes, shown as `shown`, `rel` for the allow-lists) and
/// scan every file inside through this pipeline ([`Policy::ENTRY`]); findings go to `out`.
#[allow(clippy::too_many_arguments)]
pub fn scan_archive(
    scanner: &Scanner,
    sink: &Sink,
    archive: &Blob,
    rel: &str,
    kind: archive::Kind,
    reader: impl Read + std::io::Seek,
    len: u64,
    limits: archive::Limits,
    buf: &mut Vec<u8>,
    out: &mut Vec<Finding>,
) {
    let on_entry = |path: &str,
                    reader: &mut dyn Read,
                    size: u64,
                    buf: &mut Vec<u8>,
                    found: &mut Vec<Finding>| {
        archive_entry(
            scanner,
            sink,
            (archive, rel),
            path,
            reader,
            size,
            buf,
            found,
        )
    };
    archive::walk(
        sink,
        archive.shown,
        kind,
        reader,
        len,
        limits,
        buf,
        out,
        &on_entry,
    );
}

/// One file inside an archive: in memory when it is small enough, as a stream otherwise.
/// The allow-lists see it as a path below the scan root (`vendor/lib.jar!a.properties`,
/// from the archive's `rel`) and as a path inside the archive (`vendor/**` excludes
/// `release.zip!vendor/lib.py`).
#[allow(clippy::too_many_arguments)]
fn archive_entry(
    scanner: &Scanner,
    sink: &Sink,
    (top, top_rel): (&Blob, &str),
    path: &str,
    mut reader: &mut dyn Read,
    size: u64,
    buf: &mut Vec<u8>,
    findings: &mut Vec<Finding>,
) {
    let top_shown = top.shown;
    let rel: Cow<str> = match path.strip_prefix(top_shown) {
        Some(rest) if top_rel != top_shown => Cow::Owned(format!("{top_rel}{rest}")),
        _ => Cow::Borrowed(path),
    };
    let inner = path.rsplit('!').next().unwrap_or(path);
    if let Some(why) = excluded(scanner, &rel).or_else(|| excluded(scanner, inner)) {
        sink.skip(path, why);
        return;
    }
    let entry = path
        .strip_prefix(top_shown)
        .and_then(|r| r.strip_prefix('!'))
        .unwrap_or(path);
    let b = Blob {
        shown: path,
        rel: Rel::Path(&rel),
        policy: Policy::ENTRY,
        origin: Origin::Entry { parent: top, entry },
    };
    // read up to one chunk (and a byte more, in case the header's size is wrong)
    let want = if size <= CHUNK_SIZE as u64 {
        CHUNK_SIZE as u64 + 1
    } else {
        8192
    };
    let mut head = Vec::with_capacity(size.min(want) as usize);
    if let Err(e) = (&mut reader).take(want).read_to_end(&mut head) {
        let e = archive::io_cause(&e);
        sink.warn(format!("{path}: read error: {e}; not scanned"));
        sink.skip(path, format!("read error: {e}"));
        return;
    }
    let outcome = if (head.len() as u64) < want {
        Ok(scan_bytes(scanner, sink, &b, &head, None, buf, findings))
    } else {
        scan_stream(scanner, sink, &b, head, reader, buf, findings)
    };
    match outcome {
        Ok(Outcome::Scanned(n)) => sink.count(n),
        Ok(Outcome::Empty | Outcome::Expanded) => sink.count(0),
        Ok(Outcome::Binary) => sink.skip(path, "binary file (NUL byte in the first 8 KiB)"),
        Err(e) => {
            let e = archive::io_cause(&e);
            sink.count(0);
            sink.warn(format!("{path}: read error: {e}; scanned partially"));
            sink.skip(path, format!("read error: {e} (partially scanned)"));
        }
    }
}

/// Scan a blob too large to hold in memory, as a stream: `head` holds its first bytes
/// (already read, at least 8 KiB unless the blob is shorter) and `rest` the remainder.
/// Configuration checks see only its name. Returns the bytes read, or the read error after
/// which the rest was not scanned (findings until then are in `out`).
pub fn scan_stream(
    scanner: &Scanner,
    sink: &Sink,
    blob: &Blob,
    head: Vec<u8>,
    rest: impl Read,
    chunk_buf: &mut Vec<u8>,
    out: &mut Vec<Finding>,
) -> Result<Outcome, std::io::Error> {
    let from = out.len();
    let res = scan_streamed(scanner, sink, blob, head, rest, chunk_buf, out);
    stamp(blob, None, out, from);
    res
}

/// [`scan_stream`] before the findings are stamped.
fn scan_streamed(
    scanner: &Scanner,
    sink: &Sink,
    blob: &Blob,
    head: Vec<u8>,
    rest: impl Read,
    chunk_buf: &mut Vec<u8>,
    out: &mut Vec<Finding>,
) -> Result<Outcome, std::io::Error> {
    let shown = blob.shown;
    lint_blob(scanner, sink, blob, None, out); // by name only
    let wide = if is_binary(&head) {
        match wide::detect(&head) {
            Some(enc) => Some(enc),
            None => return Ok(Outcome::Binary),
        }
    } else {
        if blob.policy.lint != Lint::Off && !is_log_path(shown) {
            scanner.lint_skipped_large(shown);
        }
        None
    };
    let reader = Cursor::new(head).chain(rest);
    let scanned_from = out.len();
    let res = match wide {
        Some(enc) => scan_reader(
            scanner,
            shown,
            wide::WideReader::new(reader, enc),
            chunk_buf,
            out,
        ),
        None if blob.policy.logs && is_log_path(shown) => log::scan_log_into(
            scanner,
            shown,
            std::io::BufReader::new(reader),
            chunk_buf,
            out,
        ),
        None => scan_reader(scanner, shown, reader, chunk_buf, out),
    };
    if out.len() > scanned_from {
        scanner.hide_samples(&blob.rel.get(), out, scanned_from);
    }
    res.map(Outcome::Scanned)
}
