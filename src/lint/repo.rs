//! Whether a scan root is committed content: inside a git work tree (or with its own
//! `.gitignore`), and not ignored by the enclosing repository.

use std::path::Path;

/// Whether the enclosing git work tree ignores `root` (a `.gitignore` between the work tree's
/// top and `root` matches it or a parent): then nothing under it would be committed, even
/// when it is scanned by name (`leakgate scan dist/` after a build).
pub fn ignored_by_enclosing_repo(root: &Path) -> bool {
    let Ok(abs) = std::fs::canonicalize(root) else {
        return false;
    };
    let Some(top) = abs.ancestors().find(|d| d.join(".git").exists()) else {
        return false;
    };
    if abs == top {
        return false;
    }
    // each .gitignore between the top and `root` applies to `root`, relative to its own
    // directory
    abs.ancestors()
        .skip(1)
        .take_while(|d| d.starts_with(top))
        .any(|d| {
            let file = d.join(".gitignore");
            if !file.is_file() {
                return false;
            }
            let mut b = ignore::gitignore::GitignoreBuilder::new(d);
            if b.add(&file).is_some() {
                return false;
            }
            let Ok(rel) = abs.strip_prefix(d) else {
                return false;
            };
            b.build().is_ok_and(|gi| {
                gi.matched_path_or_any_parents(rel, abs.is_dir())
                    .is_ignore()
            })
        })
}

/// Whether `root` is inside a git work tree or has its own `.gitignore`.
pub fn is_repo(root: &Path) -> bool {
    let Ok(abs) = std::fs::canonicalize(root) else {
        return false;
    };
    let dir = if abs.is_dir() {
        abs.as_path()
    } else {
        abs.parent().unwrap_or(&abs)
    };
    dir.join(".gitignore").is_file() || dir.ancestors().any(|d| d.join(".git").exists())
}

#[cfg(test)]
mod enclosing_repo_tests {
    #[test]
    fn a_root_the_enclosing_repository_ignores_is_not_committed_content() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        std::fs::create_dir_all(top.join(".git")).unwrap();
        std::fs::write(top.join(".gitignore"), "dist/\n/bench/work/\n").unwrap();
        std::fs::create_dir_all(top.join("web/src")).unwrap();
        std::fs::write(top.join("web/.gitignore"), "cache/\n").unwrap();
        for d in [
            "dist/assets",
            "bench/work/corpus",
            "web/cache/x",
            "web/src",
            "bench/other",
        ] {
            std::fs::create_dir_all(top.join(d)).unwrap();
        }
        let ignored = |p: &str| super::ignored_by_enclosing_repo(&top.join(p));
        assert!(ignored("dist"));
        assert!(ignored("dist/assets"));
        assert!(ignored("bench/work/corpus"));
        assert!(ignored("web/cache/x"));
        assert!(!ignored("web/src"));
        assert!(!ignored("bench/other"));
        assert!(!ignored("."));
    }
}
