//! The module graph has no cycles: data flows one way (source → scanner → findings →
//! report), with shared modules below everything.
//!
//! Read from the source text: every `crate::a::…` path and every `use super::…` item of a
//! module's files (tests excluded) is an edge. Two graphs must be acyclic: the top-level
//! modules (`engine`, `source`, `report`, …), and inside each module its direct submodules
//! (`source::files`, `source::sourcemap`, …).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file below `src/` (`source/mod.rs` → `["source"]`).
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// The code of a file without comments and without its `#[cfg(test)]` part.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first path segments each `crate::` and `super::` path names, with the module they
/// start from (`crate` or the file's parent).
fn references(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (prefix, base) in [
        ("crate::", Vec::new()),
        ("super::", {
            let mut p = module.to_vec();
            p.pop();
            p
        }),
    ] {
        let mut rest = code;
        while let Some(i) = rest.find(prefix) {
            // `crate::` inside `$crate::` or an identifier like `xcrate::` is not a path
            let before = rest[..i].chars().last();
            rest = &rest[i + prefix.len()..];
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            if let Some(list) = rest.strip_prefix('{') {
                // `use super::{a, b::c}`
                let end = list.find('}').unwrap_or(list.len());
                for item in list[..end].split(',') {
                    let name = ident_at(item.trim());
                    if !name.is_empty() {
                        let mut p = base.clone();
                        p.push(name.to_string());
                        out.push(p);
                    }
                }
                continue;
            }
            let mut p = base.clone();
            let mut seg = rest;
            loop {
                let name = ident_at(seg);
                if name.is_empty() {
                    break;
                }
                p.push(name.to_string());
                match seg[name.len()..].strip_prefix("::") {
                    Some(next) => seg = next,
                    None => break,
                }
            }
            out.push(p);
        }
    }
    out
}

fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    // Tarjan-free: for each edge a → b, is a reachable from b?
    let mut found = BTreeSet::new();
    for (a, outs) in graph {
        for b in outs {
            let mut stack = vec![(b.clone(), vec![a.clone(), b.clone()])];
            let mut seen = BTreeSet::new();
            while let Some((n, path)) = stack.pop() {
                if &n == a {
                    let mut cyc = path[..path.len() - 1].to_vec();
                    let min = cyc.iter().enumerate().min_by_key(|(_, s)| *s).unwrap().0;
                    cyc.rotate_left(min);
                    found.insert(cyc);
                    break;
                }
                if !seen.insert(n.clone()) {
                    continue;
                }
                for m in graph.get(&n).into_iter().flatten() {
                    let mut p = path.clone();
                    p.push(m.clone());
                    stack.push((m.clone(), p));
                }
            }
        }
    }
    found.into_iter().collect()
}

#[test]
fn the_module_graph_has_no_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<Vec<String>> = files
        .iter()
        .map(|f| module_of(f.strip_prefix(&src).unwrap()))
        .collect();
    // the longest known module a path names
    let resolve = |path: &[String]| -> Vec<String> {
        (1..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|p| modules.contains(p))
            .unwrap_or_default()
    };
    // modules declared under `#[cfg(test)]` (`#[cfg(test)] mod differential;`) are tests
    let mut test_only: BTreeSet<Vec<String>> = BTreeSet::new();
    for f in &files {
        let module = module_of(f.strip_prefix(&src).unwrap());
        let text = std::fs::read_to_string(f).unwrap();
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for w in lines.windows(2) {
            if w[0] == "#[cfg(test)]" {
                let decl = w[1]
                    .trim_start_matches("pub ")
                    .trim_start_matches("pub(crate) ");
                if let Some(name) = decl.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
                    let mut m = module.clone();
                    m.push(name.to_string());
                    test_only.insert(m);
                }
            }
        }
    }
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut inner: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        if rel == Path::new("main.rs") || rel == Path::new("lib.rs") {
            continue; // the binary and the crate root sit above everything
        }
        let module = module_of(rel);
        if test_only.contains(&module) {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        for r in references(&code(&text), &module) {
            let target = resolve(&r);
            if target.is_empty() {
                continue;
            }
            if target[0] != module[0] {
                top.entry(module[0].clone())
                    .or_default()
                    .insert(target[0].clone());
            } else if module.len() >= 2 && target.len() >= 2 && target[1] != module[1] {
                inner
                    .entry(module[0].clone())
                    .or_default()
                    .entry(module[1].clone())
                    .or_default()
                    .insert(target[1].clone());
            }
        }
    }
    let mut problems = Vec::new();
    for c in cycles(&top) {
        problems.push(format!("top-level: {}", c.join(" → ")));
    }
    for (m, g) in &inner {
        for c in cycles(g) {
            problems.push(format!("inside {m}: {}", c.join(" → ")));
        }
    }
    assert!(
        problems.is_empty(),
        "module cycles (data must flow one way):\n{}",
        problems.join("\n")
    );
}
