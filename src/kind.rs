//! The file-kind table: what a path says about a blob, in one place. Every stage asks here
//! (the per-blob scanner which expander applies, the matcher whether a value is code, sample
//! hiding, the configuration checks which family reads a file). Depends on nothing else in
//! the crate.

/// The last segment of a path, inside an archive too (`a.zip!dir/name` → `name`).
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '!']).next().unwrap_or(path)
}

/// Source files, where an unquoted right-hand side is an expression, not a literal value.
pub fn is_code(path: &str) -> bool {
    const CODE: &[&str] = &[
        "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "map", "py", "rb", "go", "java",
        "kt", "kts", "scala", "groovy", "cs", "fs", "vb", "php", "swift", "rs", "c", "h", "cc",
        "cpp", "cxx", "hpp", "hh", "m", "mm", "dart", "lua", "pl", "pm", "r", "jl", "ex", "exs",
        "erl", "clj", "vue", "svelte", "astro", "json", "jsonc", "json5", "ipynb", "sol", "zig",
        "nim", "hx",
    ];
    let name = file_name(path);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => CODE.contains(&ext.to_ascii_lowercase().as_str()),
        _ => false,
    }
}

/// True when `rel` (a `/`-separated path below the scanned root) is a test, fixture, mock,
/// example or documentation file: a directory named `test`, `tests`, `__tests__`, `spec`,
/// `fixtures`, `testdata`, `__mocks__`, `examples`, `samples`, `docs`, …, or a file named
/// `*.test.*`, `*.spec.*`, `*_test.*`, `test_*.py`, `*.example.*`, `*.examples.*`,
/// `*.sample.*`, `README*`, or Markdown, reStructuredText or AsciiDoc. Matches there of rules
/// that rely on context rather than on a provider's token format are sample data far more
/// often than credentials (see `Scanner::hide_samples`).
pub fn is_sample(rel: &str) -> bool {
    const DIRS: &[&str] = &[
        "test",
        "tests",
        "__tests__",
        "__test__",
        "spec",
        "specs",
        "__specs__",
        "fixtures",
        "fixture",
        "__fixtures__",
        "testdata",
        "test-data",
        "test_data",
        "testfixtures",
        "mocks",
        "__mocks__",
        "examples",
        "example",
        "samples",
        "sample",
        "docs",
        "doc",
        "documentation",
    ];
    // archive entries count their folders inside the archive too (`app.zip!tests/x.py`)
    let mut parts = rel.split(['/', '!']).filter(|p| !p.is_empty() && *p != ".");
    let Some(name) = parts.next_back() else {
        return false;
    };
    if parts.any(|d| DIRS.iter().any(|x| d.eq_ignore_ascii_case(x))) {
        return true;
    }
    let name = name.to_ascii_lowercase();
    let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, ""));
    if matches!(ext, "md" | "mdx" | "markdown" | "rst" | "adoc" | "asciidoc") {
        return true;
    }
    if name.starts_with("readme") || matches!(stem, "test" | "tests" | "spec" | "specs") {
        return true;
    }
    // markers among the dotted parts of the name: `app.test.ts`, `x.examples.json`,
    // `config.sample.yaml`, `.env.example`
    if name.split('.').skip(1).any(|p| {
        matches!(
            p,
            "test" | "tests" | "spec" | "example" | "examples" | "sample" | "samples" | "fixture"
        )
    }) {
        return true;
    }
    // Go `x_test.go`, Python `test_x.py` / `x_test.py`
    stem.ends_with("_test") || (ext == "py" && stem.starts_with("test_"))
}

/// Files scanned as CI logs inside a tree or an archive: `*.log`, and the per-step files of
/// a GitHub Actions log archive (`3_Run tests.txt`, `build/3_Run tests.txt`: digits, `_`,
/// a name, `.txt`).
pub fn is_log(path: &str) -> bool {
    let name = file_name(path);
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".log") && lower.len() > 4 {
        return true;
    }
    let Some(stem) = lower.strip_suffix(".txt") else {
        return false;
    };
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && stem.len() > digits + 1 && stem.as_bytes()[digits] == b'_'
}

/// Kinds of archive, by file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    Zip,
    Tar,
    TarGz,
    /// A single gzip-compressed file (`app.log.gz`).
    Gz,
}

/// The archive kind a file name says, if any (case-insensitive extension).
pub fn archive_kind(path: &str) -> Option<ArchiveKind> {
    let name = file_name(path).to_ascii_lowercase();
    const ZIP: &[&str] = &[
        ".zip", ".jar", ".war", ".ear", ".aar", ".apk", ".ipa", ".whl", ".nupkg", ".vsix", ".xpi",
    ];
    if ZIP.iter().any(|e| name.ends_with(e)) {
        Some(ArchiveKind::Zip)
    } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        Some(ArchiveKind::TarGz)
    } else if name.ends_with(".tar") {
        Some(ArchiveKind::Tar)
    } else if name.ends_with(".gz") && name.len() > 3 {
        Some(ArchiveKind::Gz)
    } else {
        None
    }
}

/// Source maps and JS/CSS bundles (what the source-map expander reads).
pub fn is_bundle_or_map(shown: &str) -> bool {
    let name = file_name(shown);
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    !stem.is_empty()
        && matches!(
            ext.to_ascii_lowercase().as_str(),
            "map" | "js" | "mjs" | "cjs" | "css"
        )
}

/// True for `.map` files (any case).
pub fn is_map(shown: &str) -> bool {
    let b = shown.as_bytes();
    b.len() >= 4 && b[b.len() - 4..].eq_ignore_ascii_case(b".map")
}

/// `.env`, `.env.local`, `.env.production`, `.env.example`, …
pub fn is_env_file(name: &str) -> bool {
    name == ".env" || name.starts_with(".env.")
}

/// GitHub Actions workflow file.
pub fn is_github_workflow(path: &str) -> bool {
    (path.contains(".github/workflows/") || path.starts_with("github/workflows/"))
        && (path.ends_with(".yml") || path.ends_with(".yaml"))
}

/// GitLab CI file.
pub fn is_gitlab_ci(name: &str) -> bool {
    name == ".gitlab-ci.yml" || name == ".gitlab-ci.yaml" || name.ends_with(".gitlab-ci.yml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_table_for_every_kind() {
        let p = "dist/app.zip!tests/settings.py";
        assert!(is_code(p) && is_sample(p) && !is_log(p) && archive_kind(p).is_none());
        let p = "build/3_Run tests.txt";
        assert!(is_log(p) && !is_code(p));
        assert_eq!(archive_kind("a/b.JAR"), Some(ArchiveKind::Zip));
        let p = "x.zip!.github/workflows/ci.yml";
        assert!(is_github_workflow(p) && !is_sample(p));
        assert!(is_map("app.js.map") && is_bundle_or_map("app.mjs"));
        assert!(is_env_file(file_name("cfg/.env.production")));
        assert_eq!(file_name("a.zip!b/c.env"), "c.env");
    }
}
