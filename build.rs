//! Embeds every `rules/*.yml` file into the binary so a single executable is self-contained:
//! the document as JSON, and the YAML as written, deflated. Start-up reads the JSON
//! (serde_json parses it in a fraction of the time and without holding the whole document's
//! YAML events: about 10 ms and 4 MB of a pre-commit run); the YAML is inflated and read only
//! when the JSON does not give valid rules, so that errors name the YAML's line and column.
//! Deflated, the YAML takes a fifth of the space and stays out of the resident pages that
//! reading the JSON faults in.

use std::fmt::Write;
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("rules/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let mut out = String::from("&[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy();
        // a file that is not valid YAML gets no JSON: the YAML parser then reports it at
        // run time (and `cargo test` fails on it), as for a user's rule file
        let yaml = std::fs::read(f).unwrap();
        let json = serde_yaml_ng::from_slice::<serde_json::Value>(&yaml)
            .map(|v| serde_json::to_string(&v).unwrap())
            .unwrap_or_default();
        let json_path = out_dir.join(format!("{name}.json"));
        std::fs::write(&json_path, json).unwrap();
        let yaml_path = out_dir.join(format!("{name}.deflate"));
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut z, &yaml).unwrap();
        std::fs::write(&yaml_path, z.finish().unwrap()).unwrap();
        writeln!(
            out,
            "    ({name:?}, include_bytes!({:?}), include_str!({:?})),",
            yaml_path.display().to_string(),
            json_path.display().to_string()
        )
        .unwrap();
    }
    out.push(']');
    let dest = out_dir.join("builtin_rules.rs");
    std::fs::write(dest, out).unwrap();
    git_commit();
}

/// `LEAKGATE_GIT_COMMIT` for `leakgate version`: the commit built from, when built in a git
/// checkout with git available (a crates.io build has none; `version` then says unknown).
fn git_commit() {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let Some(commit) = git(&["rev-parse", "--short=12", "HEAD"]) else {
        return;
    };
    println!("cargo:rustc-env=LEAKGATE_GIT_COMMIT={commit}");
    // rebuild when HEAD moves (a commit, a checkout)
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        println!("cargo:rerun-if-changed={dir}/HEAD");
        println!("cargo:rerun-if-changed={dir}/logs/HEAD");
    }
}
