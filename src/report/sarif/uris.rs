//! Paths and URIs.

use super::*;

/// Percent-encode a path for use in a URI: everything but RFC 3986 unreserved characters and
/// `/` is encoded (as UTF-8 bytes), so spaces, `%`, `#`, `?`, `:` and non-ASCII are safe.
/// With `keep_drive_colon`, a leading Windows drive (`C:`) keeps its colon.
pub(super) fn encode_path(path: &str, keep_drive_colon: bool) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    let bytes = path.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            || (keep_drive_colon && b == b':' && i == 1 && bytes[0].is_ascii_alphabetic());
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Lexical normalisation (`a/./b/../c` → `a/c`); leading `..` of a relative path are kept.
pub(super) fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_is_normal =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_is_normal {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

pub(super) fn slash(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Where a reported path lives, relative to the directory leakgate runs in when possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactPath {
    /// `/`-separated, relative to the current directory, no `..` at the start.
    Relative(String),
    /// Absolute (outside the current directory), `/`-separated.
    Absolute(String),
}

impl ArtifactPath {
    /// Classify a display path. Absolute paths under `cwd` become relative; relative paths
    /// that climb out of `cwd` become absolute when `cwd` is known.
    pub fn new(path: &str, cwd: Option<&Path>) -> ArtifactPath {
        let p = Path::new(path);
        let is_abs = p.is_absolute() || p.has_root();
        if is_abs {
            let np = normalize(p);
            if let Some(cwd) = cwd {
                if let Ok(rel) = np.strip_prefix(cwd) {
                    if rel.as_os_str().is_empty() {
                        return ArtifactPath::Absolute(slash(&np));
                    }
                    return ArtifactPath::Relative(slash(rel));
                }
            }
            return ArtifactPath::Absolute(slash(&np));
        }
        let np = normalize(p);
        let s = slash(&np);
        if s == ".." || s.starts_with("../") {
            if let Some(cwd) = cwd {
                return ArtifactPath::Absolute(slash(&normalize(&cwd.join(&np))));
            }
        }
        if s.is_empty() {
            // not a real file path (e.g. an unnamed stream); keep what the user saw
            return ArtifactPath::Relative(path.replace('\\', "/"));
        }
        ArtifactPath::Relative(s)
    }

    /// The path as GitHub expects it in annotations and SARIF: repository-relative when possible.
    pub fn as_str(&self) -> &str {
        match self {
            ArtifactPath::Relative(s) | ArtifactPath::Absolute(s) => s,
        }
    }

    /// A SARIF `artifactLocation`: a relative URI reference with `uriBaseId` `%SRCROOT%`, or an
    /// absolute `file:` URI.
    pub fn artifact_location(&self) -> sarif::ArtifactLocation {
        match self {
            ArtifactPath::Relative(s) => sarif::ArtifactLocation::builder()
                .uri(encode_path(s, false))
                .uri_base_id(SRCROOT)
                .build(),
            ArtifactPath::Absolute(s) => {
                sarif::ArtifactLocation::builder().uri(file_uri(s)).build()
            }
        }
    }
}

/// `file:` URI for an absolute `/`-separated path (`/a b` → `file:///a%20b`, `C:/x` → `file:///C:/x`).
pub fn file_uri(abs: &str) -> String {
    let trimmed = abs.trim_start_matches('/');
    format!("file:///{}", encode_path(trimmed, true))
}

/// The current directory (as named by the OS, not canonicalised) if it is absolute.
pub(super) fn current_dir() -> Option<PathBuf> {
    std::env::current_dir().ok().filter(|d| d.is_absolute())
}

/// The directory against which `ArtifactPath` makes paths relative.
pub(crate) fn base_dir() -> Option<PathBuf> {
    current_dir().map(|d| normalize(&d))
}
