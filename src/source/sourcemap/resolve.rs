//! Paths.

use super::*;

/// What a `sources` entry names, before it is placed in the scanned tree.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// Relative to the map's directory (`../../src/main.ts`: Vite, Rollup, esbuild, tsc).
    Relative(String),
    /// Relative to the project root (`webpack://app/./src/x.ts`, `turbopack:///[project]/…`).
    Project(String),
    /// An absolute path on the build machine.
    Absolute(String),
    /// A generated module with no file (`webpack/runtime/…`, `\0vite/preload-helper`, URLs).
    Virtual(String),
}

pub(super) fn has_scheme(s: &str) -> bool {
    match s.find("://") {
        Some(i) if i > 0 => s[..i]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')),
        _ => false,
    }
}

pub(super) fn classify(raw: &str) -> Kind {
    let s = raw.trim();
    if s.contains('\0') {
        return Kind::Virtual(s.replace('\0', ""));
    }
    let s = s.replace('\\', "/");
    let strip_query = |p: &str| p.split(['?', '#']).next().unwrap_or("").to_string();
    let is_generated = |p: &str| {
        let p = p.trim_start_matches("./");
        p.starts_with("webpack/")
            || p.starts_with("(webpack)")
            || p.starts_with("external ")
            || p.starts_with("ignored|")
            || p.starts_with("[turbopack]")
            || p.starts_with("vite/")
            || p.starts_with("@vite/")
            || p.starts_with("/@vite/")
            || p.starts_with("/@id/")
            || p.starts_with("__vite")
    };
    if let Some(rest) = s.strip_prefix("file://") {
        let p = String::from_utf8_lossy(&crate::filters::percent_decode(rest)).into_owned();
        return Kind::Absolute(windows_drive(&p).unwrap_or(p));
    }
    if s.starts_with("http://") || s.starts_with("https://") {
        return Kind::Virtual(s.split_once("://").map_or(s.clone(), |x| x.1.to_string()));
    }
    if has_scheme(&s) {
        // webpack://<namespace>/<path>, turbopack:///[project]/<path>, rollup://…, ng://…
        let rest = s.split_once("://").map_or("", |x| x.1);
        let path = rest.split_once('/').map_or("", |x| x.1);
        let path = strip_query(path);
        let path = path.strip_prefix("[project]/").unwrap_or(&path).to_string();
        if path.is_empty() || is_generated(&path) {
            return Kind::Virtual(if path.is_empty() {
                rest.to_string()
            } else {
                path
            });
        }
        if path.starts_with('/') {
            return Kind::Absolute(path);
        }
        return Kind::Project(path);
    }
    let path = strip_query(&s);
    if is_generated(&path) {
        return Kind::Virtual(path);
    }
    if let Some(p) = windows_drive(&path) {
        return Kind::Absolute(p);
    }
    if path.starts_with('/') {
        return Kind::Absolute(path);
    }
    Kind::Relative(path)
}

/// `C:/x` (or `/C:/x`, from a file: URL) as `/C:/x`-free `C:/x`.
pub(super) fn windows_drive(p: &str) -> Option<String> {
    let q = p.strip_prefix('/').unwrap_or(p);
    let b = q.as_bytes();
    (b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/')
        .then(|| q.to_string())
}

/// Places a map's sources in the scanned tree.
///
/// A source resolves (relative ones against the map's directory, `webpack://`-style ones
/// against the project root: the nearest directory above the map holding `package.json`,
/// else the scan root) to a path that is used when it lies inside the scan root or exists on
/// disk. Otherwise (generated modules, paths on the build machine, paths leaving the tree)
/// the source is shown inside the map: `dist/assets/app.js.map!/src/x.ts`.
pub(super) struct Resolver {
    pub(super) map_shown: String,
    pub(super) dir: String,
    pub(super) scan_root: String,
    pub(super) project_root: std::cell::OnceCell<String>,
}

impl Resolver {
    pub(super) fn new(map_shown: &str, dir: &str, scan_root: &str) -> Resolver {
        Resolver {
            map_shown: map_shown.to_string(),
            dir: dir.to_string(),
            scan_root: scan_root.to_string(),
            project_root: std::cell::OnceCell::new(),
        }
    }

    pub(super) fn project_root(&self) -> &str {
        self.project_root.get_or_init(|| {
            let mut d = self.dir.clone();
            for _ in 0..16 {
                if disk_path(&join(&d, "package.json")).is_file() {
                    return d;
                }
                match parent(&d) {
                    Some(p) => d = p,
                    None => break,
                }
            }
            self.scan_root.clone()
        })
    }

    /// The display path of source `idx` named `raw`.
    pub(super) fn display(&self, raw: &str, idx: u32) -> String {
        let (candidate, name) = match classify(raw) {
            Kind::Relative(p) => (Some(normalize(&join(&self.dir, &p))), p),
            Kind::Project(p) => (Some(normalize(&join(self.project_root(), &p))), p),
            Kind::Absolute(p) => (Some(relative_to_cwd(&normalize(&p))), p),
            Kind::Virtual(p) => (None, p),
        };
        if let Some(c) = candidate.filter(|_| !clean_name(&name).is_empty()) {
            let usable = !c.is_empty()
                && (inside(&self.scan_root, &c) || disk_path(&c).is_file())
                && c != self.map_shown;
            if usable {
                return c;
            }
        }
        let clean = clean_name(&name);
        let clean = if clean.is_empty() {
            format!("source-{idx}")
        } else {
            clean
        };
        format!("{}!/{clean}", self.map_shown)
    }
}

/// A source name fit to show inside a map: no leading `/`, `./` or `../`, no empty parts.
pub(super) fn clean_name(name: &str) -> String {
    name.split('/')
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .map(|p| p.trim())
        .collect::<Vec<_>>()
        .join("/")
}

pub(super) fn join(dir: &str, rel: &str) -> String {
    if dir.is_empty() {
        rel.to_string()
    } else if rel.is_empty() {
        dir.to_string()
    } else {
        format!("{}/{rel}", dir.trim_end_matches('/'))
    }
}

/// Directory part of a display path ("" for the current directory).
pub(super) fn dir_of(shown: &str) -> &str {
    match shown.rfind('/') {
        Some(0) => "/",
        Some(i) => &shown[..i],
        None => "",
    }
}

pub(super) fn parent(d: &str) -> Option<String> {
    if d.is_empty() || d == "/" || d == ".." || d.ends_with("/..") {
        return None;
    }
    Some(dir_of(d).to_string())
}

/// True when `p` lies in directory `root` ("" is the current directory).
pub(super) fn inside(root: &str, p: &str) -> bool {
    if root.is_empty() {
        return !p.starts_with('/') && p != ".." && !p.starts_with("../");
    }
    let root = root.trim_end_matches('/');
    root.is_empty() || p == root || p.starts_with(&format!("{root}/"))
}

/// A display path as a path to open ("" is the current directory).
pub(super) fn disk_path(p: &str) -> PathBuf {
    if p.is_empty() {
        PathBuf::from(".")
    } else {
        PathBuf::from(p)
    }
}

pub(super) fn relative_to_cwd(abs: &str) -> String {
    let Ok(cwd) = std::env::current_dir() else {
        return abs.to_string();
    };
    let cwd = normalize(&cwd.to_string_lossy().replace('\\', "/"));
    match abs.strip_prefix(&format!("{}/", cwd.trim_end_matches('/'))) {
        Some(rel) => rel.to_string(),
        None => abs.to_string(),
    }
}

/// The walk root (as a display path of a directory) that `shown` was found under.
pub(super) fn scan_root_of(roots: &[PathBuf], shown: &str) -> String {
    for r in roots {
        let d = normalize(&crate::paths::display_path(r));
        let d = if r.is_file() {
            dir_of(&d).to_string()
        } else {
            d
        };
        if inside(&d, shown) {
            return d;
        }
    }
    dir_of(shown).to_string()
}
