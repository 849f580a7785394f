//! Hostile-input battery (issue #15): inputs a contributor can put in a repository to crash,
//! hang or exhaust a CI gate, generated at test time. Each run is bounded in time and its peak
//! resident memory (VmHWM) is measured: it must stay under 300 MB.
//!
//! Cases of the issue covered elsewhere are not repeated here: deep YAML (robust.rs
//! `deeply_nested_workflow_is_a_warning_not_an_abort`), devices and FIFOs
//! (`device_and_fifo_behind_a_path_are_not_read`), `-j 20000` (`huge_thread_count_is_lowered`),
//! corrupt git objects, symlinks named on the command line (`unreadable_named_inputs_exit_2`),
//! the per-file findings cap (scan.rs `a_file_of_many_keys_is_capped_with_a_warning`), source
//! maps with too many `sources` and staged files over the size limit (limits.rs), a 200 MiB log
//! on stdin (logs.rs `a_large_log_streams_through_stdin_in_bounded_memory`). The multi-GB
//! cases run from `bench/hostile.sh`.

#[path = "support/run.rs"]
mod run;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use leakgate::examples::{expand, Rng};

/// Peak resident memory allowed for any input here.
const MAX_RSS_KIB: u64 = 300 * 1024;

struct Run {
    code: i32,
    out: String,
    err: String,
    /// Highest VmHWM seen while the process ran (KiB).
    peak_kib: u64,
    elapsed: Duration,
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Run leakgate in `cwd` with `stdin`, killed after `limit`; VmHWM is polled every 10 ms
/// (it is a high-water mark, so polling misses only the last moments before exit).
fn measured(args: &[&str], cwd: &Path, stdin: Stdio, limit: Duration) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(args)
        .current_dir(cwd)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        so.read_to_end(&mut s).unwrap();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        se.read_to_end(&mut s).unwrap();
        s
    });
    let mut peak = 0;
    let status = loop {
        if let Some(hwm) = vm_hwm_kib(pid) {
            peak = peak.max(hwm);
        }
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("leakgate {args:?} did not finish in {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let run = Run {
        code: status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        err: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
        peak_kib: peak,
        elapsed: started.elapsed(),
    };
    eprintln!(
        "leakgate {args:?}: exit {}, {:.1} s, peak RSS {} MiB",
        run.code,
        run.elapsed.as_secs_f64(),
        run.peak_kib >> 10
    );
    if cfg!(target_os = "linux") {
        assert!(run.peak_kib > 0, "could not read VmHWM of {args:?}");
        assert!(
            run.peak_kib < MAX_RSS_KIB,
            "leakgate {args:?}: peak RSS {} KiB\n{}",
            run.peak_kib,
            run.err
        );
    }
    run
}

fn scan_json(cwd: &Path, limit: Duration) -> (Run, serde_json::Value) {
    let r = measured(
        &["scan", ".", "--no-lint", "--format", "json"],
        cwd,
        Stdio::null(),
        limit,
    );
    let v = serde_json::from_str(&r.out).unwrap_or_else(|e| panic!("{e}: {}\n{}", r.out, r.err));
    (r, v)
}

fn skipped(v: &serde_json::Value) -> Vec<(String, String)> {
    v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn row(p: &str, l: u64, c: u64, r: &str) -> (String, u64, u64, String) {
    (p.to_string(), l, c, r.to_string())
}

fn ghp(rng: &mut Rng) -> String {
    expand("{{github:ghp}}", rng).unwrap()
}

/// A 100 MB minified bundle on one line with a key 1 KB before its end: found at its exact
/// column, in bounded time and memory.
#[test]
fn a_100_mb_one_line_bundle_with_a_key_near_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("dist")).unwrap();
    let mut rng = Rng::new(0x100);
    let key = ghp(&mut rng);
    // minified-looking code: short names, numbers, strings, no newline anywhere
    let mut piece = String::new();
    for i in 0..40 {
        let name = expand("{{alnum:6}}", &mut rng).unwrap();
        piece.push_str(&format!(
            "function {name}{i}(a,b){{return a.{name}(b+{i})||\"{name}\"}};"
        ));
    }
    const SIZE: usize = 100 << 20;
    let mut f =
        std::io::BufWriter::new(std::fs::File::create(root.join("dist/app.min.js")).unwrap());
    let mut written = 0;
    while written + piece.len() < SIZE - 1024 {
        f.write_all(piece.as_bytes()).unwrap();
        written += piece.len();
    }
    let head = "var t=\"";
    f.write_all(head.as_bytes()).unwrap();
    let column = (written + head.len() + 1) as u64;
    f.write_all(key.as_bytes()).unwrap();
    f.write_all(b"\";").unwrap();
    f.write_all(&piece.as_bytes()[..900]).unwrap();
    f.into_inner().unwrap().sync_all().unwrap();
    let (r, v) = scan_json(root, Duration::from_secs(240));
    assert_eq!(r.code, 1, "{}", r.err);
    assert_eq!(
        run::rows(&r.out),
        BTreeSet::from([row("dist/app.min.js", 1, column, "github-pat-classic")]),
        "{}",
        r.err
    );
    assert_eq!(skipped(&v), vec![], "{}", r.err);
    assert!(!r.out.contains(&key) && !r.err.contains(&key));
}

/// Zip entries, each a raw copy of `entry` (compressed once) under a new name.
fn zip_of_copies(entry: &[u8], names: &[String]) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(entry)).unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for n in names {
        let f = src.by_index_raw(0).unwrap();
        w.raw_copy_file_rename(f, n.as_str()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (n, d) in entries {
        w.start_file(*n, opts).unwrap();
        w.write_all(d).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// `levels` levels of zips of 16 zips each, the last holding 16 copies of `leaf` (the shape
/// of 42.zip). Returns the outermost zip.
fn nested_bomb(leaf_name: &str, leaf: &[u8], levels: usize) -> Vec<u8> {
    let one = zip_of(&[(leaf_name, leaf)]);
    let names: Vec<String> = (0..16).map(|i| format!("{i}-{leaf_name}")).collect();
    let mut cur = zip_of_copies(&one, &names);
    for level in 1..levels {
        let inner = zip_of(&[("x.zip", &cur)]);
        let names: Vec<String> = (0..16).map(|i| format!("l{level}-{i}.zip")).collect();
        cur = zip_of_copies(&inner, &names);
    }
    cur
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Zip bombs: a 42.zip-style nest (16 zips of 16 zips … five levels, 16 TiB expanded), a
/// nest whose leaves are just small enough to open (4 GiB expanded), a single entry with an
/// extreme compression ratio, and a gzip file of 512 MiB of zeros (32 identical members).
/// The scan stops at the archive limits, names what it did not read and why, still reports
/// the real key next to them, and stays within time and memory.
#[test]
fn zip_bombs_stop_at_the_archive_limits() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut rng = Rng::new(0x42);
    let key = ghp(&mut rng);
    // text zeros: NUL bytes would be skipped as binary after 8 KiB
    let zeros_1m = vec![b'0'; 1 << 20];
    let zeros_16m = vec![b'0'; 16 << 20];
    // 42.zip: 16^5 leaves of 16 MiB
    std::fs::write(root.join("42.zip"), nested_bomb("zeros.bin", &zeros_16m, 5)).unwrap();
    // leaves of exactly 1 MiB are opened whatever their ratio; 16^3 of them
    std::fs::write(
        root.join("wide.zip"),
        nested_bomb("zeros.txt", &zeros_1m, 3),
    )
    .unwrap();
    // one entry of 16 MiB at ~1000:1 beside a real key
    let env = format!("GITHUB_TOKEN={key}\n");
    std::fs::write(
        root.join("single.zip"),
        zip_of(&[(".env", env.as_bytes()), ("zeros.bin", &zeros_16m)]),
    )
    .unwrap();
    // `cat a.gz a.gz …` is one valid gzip file: 32 members of 16 MiB of zeros
    let member = gzip(&zeros_16m);
    let mut gz = Vec::with_capacity(member.len() * 32);
    for _ in 0..32 {
        gz.extend_from_slice(&member);
    }
    std::fs::write(root.join("zeros.log.gz"), &gz).unwrap();

    let (r, v) = scan_json(root, Duration::from_secs(240));
    assert_eq!(r.code, 1, "{}", r.err);
    assert_eq!(
        run::rows(&r.out),
        BTreeSet::from([row("single.zip!.env", 1, 14, "github-pat-classic")]),
        "{}",
        r.err
    );
    let s = skipped(&v);
    let has = |path: &str, why: &str| s.iter().any(|(p, r)| p == path && r.contains(why));
    // 42.zip: the fifth level of nesting is not opened (16 in each of the 16×16×16 above)
    assert!(
        has(
            "42.zip!l4-0.zip!l3-0.zip!l2-0.zip!l1-0.zip",
            "archive nested deeper than 4 levels"
        ),
        "{s:#?}"
    );
    let deep = s
        .iter()
        .filter(|(p, r)| p.starts_with("42.zip!") && r.contains("nested deeper"))
        .count();
    assert_eq!(deep, 16 * 16 * 16 * 16, "{s:#?}");
    // wide.zip: expansion stops at the 64 MiB floor of the budget
    assert!(
        has(
            "wide.zip",
            "expanded size limit reached (64 MiB; possible archive bomb) (partially scanned)"
        ),
        "{s:#?}"
    );
    assert!(
        has(
            "single.zip!zeros.bin",
            "over the 100:1 limit (possible zip bomb)"
        ),
        "{s:#?}"
    );
    assert!(has("zeros.log.gz", "expanded size limit reached"), "{s:#?}");
    assert!(
        r.err.contains("42.zip!l4-0.zip!l3-0.zip!l2-0.zip!l1-0.zip: archive nested deeper than 4 levels; not scanned"),
        "{}",
        r.err
    );
    assert!(!r.out.contains(&key) && !r.err.contains(&key));
}

/// Symlink loops (`a -> b -> a`), a link to itself and a directory link to its own parent
/// met in a walk are not followed and are listed as skipped; the scan ends and exits on its
/// findings. Named on the command line, a loop is an error (exit 2).
#[cfg(unix)]
#[test]
fn symlink_loops_are_listed_not_followed() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut rng = Rng::new(0x5);
    let key = ghp(&mut rng);
    std::fs::write(root.join("key.env"), format!("GITHUB_TOKEN={key}\n")).unwrap();
    symlink("b", root.join("a")).unwrap();
    symlink("a", root.join("b")).unwrap();
    symlink("self", root.join("self")).unwrap();
    std::fs::create_dir(root.join("sub")).unwrap();
    symlink("..", root.join("sub/up")).unwrap();
    symlink(root, root.join("sub/root")).unwrap();
    let (r, v) = scan_json(root, Duration::from_secs(60));
    assert_eq!(r.code, 1, "{}", r.err);
    assert_eq!(
        run::rows(&r.out),
        BTreeSet::from([row("key.env", 1, 14, "github-pat-classic")])
    );
    let s: BTreeSet<(String, String)> = skipped(&v).into_iter().collect();
    let want: BTreeSet<(String, String)> = ["a", "b", "self", "sub/root", "sub/up"]
        .iter()
        .map(|p| {
            (
                p.to_string(),
                "symbolic link, not followed (name it on the command line to scan its target)"
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(s, want, "{}", r.err);
    // without findings: exit 0, the links still listed
    std::fs::remove_file(root.join("key.env")).unwrap();
    let (r, v) = scan_json(root, Duration::from_secs(60));
    assert_eq!(r.code, 0, "{}", r.err);
    assert_eq!(skipped(&v).len(), 5, "{}", r.out);
    // named on the command line: an error naming the link
    for (args, named) in [
        (&["scan", "a"][..], "a"),
        (&["scan", "self", "--format", "json"][..], "self"),
        (&["scan", ".", "b"][..], "b"),
        (&["scan-log", "a"][..], "a"),
        (&["baseline", "create", "self", "--no-history"][..], "self"),
    ] {
        let r = measured(args, root, Stdio::null(), Duration::from_secs(60));
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.out, r.err);
        assert!(
            r.err.contains(&format!(
                "{named}: symbolic link that cannot be followed: Too many levels of symbolic links"
            )),
            "{args:?}: {}",
            r.err
        );
    }
}

/// 60,000 keys in one file, six times the per-file cap (time grew quadratically with
/// findings: 200,000 took 54 s): the first 10,000 are reported with a warning, in bounded
/// time and memory. (A debug build takes about 0.3 ms per key here, linear from 25k to 100k.)
#[test]
fn many_more_findings_than_the_cap_in_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut rng = Rng::new(0x200);
    let mut text = String::with_capacity(60_000 * 50);
    for i in 0..60_000 {
        text.push_str(&format!("T{i}={}\n", ghp(&mut rng)));
    }
    std::fs::write(root.join("dump.env"), text).unwrap();
    let (r, v) = scan_json(root, Duration::from_secs(150));
    assert_eq!(r.code, 1, "{}", r.err);
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 10_000);
    assert_eq!(f.last().unwrap()["line"], 10_000);
    assert!(
        r.err
            .contains("dump.env: 10000 findings or more; only the first 10000 are reported"),
        "{}",
        r.err
    );
}

/// A bundle whose map has 1,000,000 `sources`: mapping its finding back must not build the
/// whole map (a map with 5M sources took 1.6 GB per thread). Past the sources cap the map is
/// not decoded, which is listed as skipped; the finding stays in the bundle.
#[test]
fn a_bundle_map_with_a_million_sources_is_not_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("dist")).unwrap();
    let mut rng = Rng::new(0x1000);
    let key = ghp(&mut rng);
    std::fs::write(
        root.join("dist/app.js"),
        format!("var t=\"{key}\";\n//# sourceMappingURL=app.js.map\n"),
    )
    .unwrap();
    let n = 1_000_000;
    let mut map = String::from(r#"{"version":3,"file":"app.js","sources":["#);
    for i in 0..n {
        if i > 0 {
            map.push(',');
        }
        map.push_str(&format!("\"src/m{i}.js\""));
    }
    // one segment: bundle 1:1 -> the first source, 1:1
    map.push_str(r#"],"names":[],"mappings":"AAAA"}"#);
    std::fs::write(root.join("dist/app.js.map"), &map).unwrap();
    let (r, v) = scan_json(root, Duration::from_secs(120));
    assert_eq!(r.code, 1, "{}", r.err);
    assert_eq!(
        run::rows(&r.out),
        BTreeSet::from([row("dist/app.js", 1, 8, "github-pat-classic")]),
        "{}",
        r.err
    );
    let s = skipped(&v);
    assert!(
        s.iter().any(|(p, why)| p == "dist/app.js.map"
            && why == "source map with more than 100000 sources: mappings not decoded, bundle findings reported in the bundle"),
        "{s:#?}"
    );
}
