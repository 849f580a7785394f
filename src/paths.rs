//! Paths, in one place: how a path is shown (`/`-separated, no `./`), lexical normalisation
//! (for source-map sources, archive entries and the config root), and the file-system checks
//! every source makes before it reads (regular files only, named inputs must be readable).
//! Depends on nothing else in the crate.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

/// `/`-separated display path without a leading `./`.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s);
    s.to_string()
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
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Lexical normalisation (`a/./b/../c` → `a/c`) without touching the disk.
pub fn normalize_path(p: &Path) -> PathBuf {
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

/// Lexical normalisation of a `/`-separated path: `a/./b/../c` → `a/c`; leading `..` of a
/// relative path are kept; `..` never climbs above `/`.
pub fn normalize(p: &str) -> String {
    let abs = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !abs {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let s = parts.join("/");
    if abs {
        format!("/{s}")
    } else {
        s
    }
}

/// An entry's name as shown after `archive!`: `/`-separated, `.` and `..` resolved inside
/// the archive, never above its root, and no leading `/`. An entry named
/// `../../../README.md` would otherwise read `vendor/lib.jar!../../../README.md`, which
/// URI resolution (SARIF) collapses onto the real `README.md`: a finding would be reported
/// on a file it is not in.
pub fn entry_name(raw: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in raw.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return "(unnamed entry)".to_string();
    }
    parts.join("/")
}
