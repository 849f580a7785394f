//! Hostile or broken input never crashes, never hangs, and is never passed as clean when it
//! was not read (issue #15). Every input is generated at test time.

#[path = "support/gitrepo.rs"]
mod gitrepo;
#[path = "support/run.rs"]
mod run;

use gitrepo::Repo;
use run::leakgate;

/// XOR `len` bytes of `file` from `at` (git writes its objects read-only).
fn corrupt(file: &std::path::Path, at: usize, len: usize) {
    let mut perm = std::fs::metadata(file).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    std::fs::set_permissions(file, perm).unwrap();
    let mut b = std::fs::read(file).unwrap();
    for x in &mut b[at..at + len] {
        *x ^= 0x55;
    }
    std::fs::write(file, b).unwrap();
}

/// A repository with one commit holding a 20 KB text file (so its pack entry is long).
fn repo_with_text() -> (Repo, String, String) {
    let mut r = Repo::new(11);
    let mut text = String::new();
    let mut x: u32 = 7;
    while text.len() < 20_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        text.push_str(&format!("line {} {}\n", x >> 8, x % 977));
    }
    r.write("big.txt", &text);
    let head = r.commit("one");
    let blob = r.git(&["rev-parse", "HEAD:big.txt"]);
    (r, head, blob)
}

/// A workflow nested thousands of levels deep (a line of `- `, or an indented ladder) is
/// reported as not checked; it used to overflow the stack and abort (exit 134).
#[test]
fn deeply_nested_workflow_is_a_warning_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let wf = root.join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    let dashes = format!(
        "on: push\njobs:\n  a:\n    steps:\n      {}x\n",
        "- ".repeat(6_000)
    );
    std::fs::write(wf.join("dashes.yml"), &dashes).unwrap();
    let mut ladder = String::from("on: push\n");
    for i in 0..2_400 {
        ladder.push_str(&" ".repeat(i));
        ladder.push_str("a:\n");
    }
    std::fs::write(wf.join("ladder.yml"), &ladder).unwrap();
    std::fs::write(root.join(".gitlab-ci.yml"), &dashes).unwrap();
    let (code, _, err) = leakgate(&["scan", ".", "--format", "json"], root);
    assert_eq!(code, 0, "{err}");
    for f in [
        ".github/workflows/dashes.yml",
        ".github/workflows/ladder.yml",
        ".gitlab-ci.yml",
    ] {
        assert!(
            err.contains(&format!("{f}: invalid YAML")) && err.contains("nested too deeply"),
            "{f}: {err}"
        );
    }
    let (code, _, err) = leakgate(
        &["baseline", "create", ".", "--no-history", "-o", "b.json"],
        root,
    );
    assert_eq!(code, 0, "{err}");
}

/// A pack entry of a blob that does not decompress: history was not read, so exit 2 naming
/// the object (it used to be a note and exit 0, "no findings").
#[test]
fn corrupt_packed_blob_is_an_error() {
    let (r, _, blob) = repo_with_text();
    r.git(&["gc", "-q"]);
    let packs = r.path().join(".git/objects/pack");
    let idx = std::fs::read_dir(&packs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .unwrap();
    let verify = r.git(&["verify-pack", "-v", idx.to_str().unwrap()]);
    let line = verify.lines().find(|l| l.starts_with(&blob)).unwrap();
    // sha type size size-in-pack offset
    let f: Vec<&str> = line.split_whitespace().collect();
    let (in_pack, offset): (usize, usize) = (f[3].parse().unwrap(), f[4].parse().unwrap());
    assert!(in_pack > 400, "{line}");
    corrupt(&idx.with_extension("pack"), offset + 100, 200);
    let (code, out, err) = leakgate(&["history", "--format", "json"], r.path());
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains(&blob) && err.contains("big.txt"), "{err}");
}

/// A HEAD commit that cannot be read: exit 2 naming it (it used to be a warning and
/// "0 blobs from 0 commits", exit 0).
#[test]
fn corrupt_head_commit_is_an_error() {
    let (r, head, _) = repo_with_text();
    let loose = r
        .path()
        .join(".git/objects")
        .join(&head[..2])
        .join(&head[2..]);
    let len = std::fs::metadata(&loose).unwrap().len() as usize;
    corrupt(&loose, 10, len - 10);
    let (code, out, err) = leakgate(&["history"], r.path());
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains(&head), "{err}");
}

/// Inputs named on the command line that cannot be read exit 2 naming the path and the
/// reason (they used to give an empty, clean scan: exit 0).
#[cfg(unix)]
#[test]
fn unreadable_named_inputs_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::os::unix::fs::symlink("nowhere", root.join("dangling")).unwrap();
    std::os::unix::fs::symlink("loop2", root.join("loop1")).unwrap();
    std::os::unix::fs::symlink("loop1", root.join("loop2")).unwrap();
    std::fs::create_dir(root.join("logs")).unwrap();
    for (args, named, reason) in [
        (&["scan", "dangling"][..], "dangling", "No such file"),
        (&["scan", ".", "loop1"][..], "loop1", "symbolic link"),
        (
            &["baseline", "create", "dangling", "--no-history"][..],
            "dangling",
            "No such file",
        ),
        (&["scan-log", "logs"][..], "logs", "is a directory"),
        (&["scan-log", "dangling"][..], "dangling", "No such file"),
    ] {
        let (code, out, err) = leakgate(args, root);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(
            err.contains(&format!("{named}: ")) && err.contains(reason),
            "{args:?}: {err}"
        );
    }
}

/// A directory the walk cannot list, and a file it cannot open, are reported in JSON
/// `skipped` with the reason; a key in a readable file beside them is still found. Root
/// reads everything, so as root the binary runs as `nobody` through `setpriv` (util-linux);
/// only when that is impossible is the check skipped, saying why.
#[cfg(target_os = "linux")]
#[test]
fn unreadable_directory_in_the_walk_is_skipped_with_a_reason() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mode = |p: &std::path::Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
    };
    mode(root, 0o755);
    let locked = root.join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("a.txt"), "x\n").unwrap();
    std::fs::write(root.join("closed.txt"), "y\n").unwrap();
    let key = openai_key(23);
    std::fs::write(root.join("b.env"), format!("OPENAI_API_KEY={key}\n")).unwrap();
    mode(&locked, 0o000);
    mode(&root.join("closed.txt"), 0o000);
    let bin = env!("CARGO_BIN_EXE_leakgate");
    let mut cmd = if unsafe { libc::geteuid() } == 0 {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        c
    } else {
        std::process::Command::new(bin)
    };
    let out = cmd
        .args(["scan", ".", "--format", "json", "--no-lint"])
        .current_dir(root)
        .output();
    mode(&locked, 0o755);
    mode(&root.join("closed.txt"), 0o644);
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            eprintln!("SKIPPED: running as root and cannot run setpriv to drop to nobody: {e}");
            return;
        }
    };
    let err = String::from_utf8_lossy(&out.stderr);
    if err.starts_with("setpriv:") {
        eprintln!("SKIPPED: setpriv cannot drop to nobody here: {err}");
        return;
    }
    assert_eq!(out.status.code(), Some(1), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let got = json_rows(&stdout);
    assert_eq!(
        got.into_iter().map(|r| (r.0, r.1, r.3)).collect::<Vec<_>>(),
        [("b.env".to_string(), 1, "openai-project-key".to_string())],
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let skipped: Vec<(&str, &str)> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["path"].as_str().unwrap(), s["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        skipped,
        [
            ("closed.txt", "cannot open: Permission denied (os error 13)"),
            ("locked", "cannot read: Permission denied (os error 13)"),
        ],
        "{err}"
    );
}

/// Run leakgate in `cwd`, killing it after `secs` seconds: `None` when it did not finish.
/// Standard input is a pipe that stays open (and empty) until then.
fn leakgate_within(args: &[&str], cwd: &std::path::Path, secs: u64) -> Option<(i32, String)> {
    use std::io::Read;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(args)
        .current_dir(cwd)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return Some((status.code().unwrap_or(-1), err));
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// `-j 20000` is lowered with a note; it used to spawn 20,000 workers and not finish in
/// two minutes.
#[test]
fn huge_thread_count_is_lowered() {
    let mut r = Repo::new(9);
    r.write("a.txt", "hello\n");
    r.commit("one");
    for args in [
        &["scan", ".", "-j", "20000"][..],
        &["history", "-j", "20000"][..],
    ] {
        let (code, err) =
            leakgate_within(args, r.path(), 30).unwrap_or_else(|| panic!("{args:?} hung"));
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(err.contains("-j 20000") && err.contains("using"), "{err}");
    }
}

/// A named symlink to `/dev/zero` is skipped as not a regular file (it used to be read
/// until memory ran out); `open_regular` does not follow a symlink met by the walk (a file
/// swapped for one after the walk saw it) and does not block on a FIFO.
#[cfg(unix)]
#[test]
fn device_and_fifo_behind_a_path_are_not_read() {
    use leakgate::source::files::open_regular;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::os::unix::fs::symlink("/dev/zero", root.join("zero")).unwrap();
    std::fs::write(root.join("real.txt"), "x\n").unwrap();
    std::os::unix::fs::symlink(root.join("real.txt"), root.join("to-real")).unwrap();
    let fifo = root.join("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    assert!(open_regular(&root.join("zero"), false).unwrap().is_none());
    assert!(open_regular(&root.join("zero"), true).unwrap().is_none());
    assert!(open_regular(&root.join("to-real"), false)
        .unwrap()
        .is_none());
    assert!(open_regular(&root.join("to-real"), true).unwrap().is_some());
    assert!(open_regular(&fifo, true).unwrap().is_none());
    let (code, err) = leakgate_within(&["scan", "zero", "--format", "json"], root, 30)
        .expect("scan of a symlink to /dev/zero hung");
    assert_eq!(code, 0, "{err}");
    let (code, err) =
        leakgate_within(&["scan", "."], root, 30).expect("scan of a tree with a FIFO hung");
    assert_eq!(code, 0, "{err}");
}

/// A source map whose `sources` name a FIFO and a symlink to `/dev/stdin`: mapping a bundle
/// finding back must not open them (it used to block forever).
#[cfg(unix)]
#[test]
fn source_map_originals_that_are_not_files_do_not_block() {
    let mut r = Repo::new(7);
    let token = r.github_token();
    let root = r.path().to_path_buf();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::create_dir_all(root.join("dist")).unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(root.join("src/fifo.js"))
        .status()
        .unwrap()
        .success());
    std::os::unix::fs::symlink("/dev/stdin", root.join("src/stdin.js")).unwrap();
    let bundle =
        format!("var a=\"{token}\";\nvar b=\"{token}\";\n//# sourceMappingURL=app.js.map\n");
    std::fs::write(root.join("dist/app.js"), bundle).unwrap();
    let map = r#"{"version":3,"file":"app.js","sources":["../src/fifo.js","../src/stdin.js"],"names":[],"mappings":"AAAA;ACAA"}"#;
    std::fs::write(root.join("dist/app.js.map"), map).unwrap();
    // the originals must lie inside the scanned tree to be looked up on disk
    let (code, err) = leakgate_within(&["scan", ".", "--format", "json"], &root, 30)
        .expect("mapping back to a FIFO or /dev/stdin hung");
    assert_eq!(code, 1, "{err}");
}

/// A fresh OpenAI project key (random, well-formed).
fn openai_key(seed: u64) -> String {
    let mut rng = leakgate::examples::Rng::new(seed);
    leakgate::examples::expand("sk-proj-{{alnum:58}}T3BlbkFJ{{alnum:58}}", &mut rng).unwrap()
}

fn json_rows(out: &str) -> std::collections::BTreeSet<(String, u64, u64, String)> {
    run::rows(out)
}

/// UTF-16 and UTF-32 text (with or without a byte order mark) is decoded and scanned, with
/// positions in characters; it used to be skipped as binary.
#[test]
fn utf16_and_utf32_text_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let key = openai_key(15);
    let text = format!("# settings\r\n$key = \"{key}\"\r\n");
    // PowerShell: UTF-16LE with a byte order mark
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    std::fs::write(root.join("deploy.ps1"), &le).unwrap();
    // no mark, a non-ASCII character before the key on its line
    let text2 = format!("# notes\nnaïve = \"{key}\"\n");
    let be: Vec<u8> = text2.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    std::fs::write(root.join("notes.txt"), &be).unwrap();
    let le32: Vec<u8> = text
        .chars()
        .flat_map(|c| (c as u32).to_le_bytes())
        .collect();
    std::fs::write(root.join("wide32.txt"), &le32).unwrap();
    // a zip holding the UTF-16 file
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("deploy.ps1", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut zip, &le).unwrap();
    std::fs::write(root.join("bundle.zip"), zip.finish().unwrap().into_inner()).unwrap();
    let (code, out, err) = leakgate(&["scan", ".", "--format", "json", "--no-lint"], root);
    assert_eq!(code, 1, "{err}");
    let got = json_rows(&out);
    let rule = "openai-project-key".to_string();
    for want in [
        ("deploy.ps1".to_string(), 2, 9, rule.clone()),
        ("notes.txt".to_string(), 2, 10, rule.clone()),
        ("wide32.txt".to_string(), 2, 9, rule.clone()),
        ("bundle.zip!deploy.ps1".to_string(), 2, 9, rule.clone()),
    ] {
        assert!(got.contains(&want), "{want:?} not in {got:?}");
    }
}

/// `cat a.gz b.gz` is one valid gzip file: every member is read (it used to stop at the end
/// of the first), and so are tar archives concatenated inside a .tgz.
#[test]
fn multi_member_gzip_is_read_to_the_end() {
    use std::io::Write;
    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }
    fn tar_with(name: &str, data: &[u8]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, data).unwrap();
        b.into_inner().unwrap()
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let key = openai_key(16);
    let second = format!("key = \"{key}\"\n");
    let mut log = gz(b"first member\n");
    log.extend(gz(second.as_bytes()));
    std::fs::write(root.join("app.txt.gz"), log).unwrap();
    let mut tgz = gz(&tar_with("a.txt", b"nothing here\n"));
    tgz.extend(gz(&tar_with("b.txt", second.as_bytes())));
    std::fs::write(root.join("pkg.tgz"), tgz).unwrap();
    let (code, out, err) = leakgate(&["scan", ".", "--format", "json", "--no-lint"], root);
    assert_eq!(code, 1, "{err}");
    let got = json_rows(&out);
    let rule = "openai-project-key".to_string();
    for want in [
        ("app.txt.gz!app.txt".to_string(), 2, 8, rule.clone()),
        ("pkg.tgz!b.txt".to_string(), 1, 8, rule.clone()),
    ] {
        assert!(got.contains(&want), "{want:?} not in {got:?}");
    }
}

/// An archive entry named `../../../README.md` stays inside its archive in every output (it
/// read `vendor/lib.jar!../../../README.md`, which SARIF resolved to the real `README.md`).
#[test]
fn archive_entry_names_never_escape_their_archive() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("vendor")).unwrap();
    std::fs::write(root.join("README.md"), "# hello\n").unwrap();
    let key = openai_key(17);
    let body = format!("key = \"{key}\"\n");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "../../../README.md",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    std::io::Write::write_all(&mut zip, body.as_bytes()).unwrap();
    std::fs::write(
        root.join("vendor/lib.jar"),
        zip.finish().unwrap().into_inner(),
    )
    .unwrap();
    // tar: the name is written into the header directly (the builder refuses `..`)
    let mut h = tar::Header::new_old();
    h.as_old_mut().name[..14].copy_from_slice(b"../../../x.env");
    h.set_size(body.len() as u64);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    let mut tar = h.as_bytes().to_vec();
    tar.extend_from_slice(body.as_bytes());
    tar.resize(512 + 512 + 1024, 0);
    std::fs::write(root.join("vendor/pkg.tar"), tar).unwrap();
    let (code, out, err) = leakgate(&["scan", ".", "--format", "json", "--no-lint"], root);
    assert_eq!(code, 1, "{err}");
    let paths: Vec<String> = json_rows(&out).into_iter().map(|r| r.0).collect();
    assert_eq!(
        paths,
        ["vendor/lib.jar!README.md", "vendor/pkg.tar!x.env"],
        "{out}"
    );
    let (_, sarif, err) = leakgate(&["scan", ".", "--format", "sarif", "--no-lint"], root);
    assert!(!sarif.contains(".."), "{err}{sarif}");
    // every artifact stays inside its archive (the entry's own name, `README.md`, appears
    // only as the entry of the result's provenance)
    let doc: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let uris: Vec<&str> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        uris,
        ["vendor/lib.jar%21README.md", "vendor/pkg.tar%21x.env"],
        "{sarif}"
    );
    let entries: Vec<&str> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["properties"]["provenance"]["entry"].as_str().unwrap())
        .collect();
    assert_eq!(entries, ["README.md", "x.env"]);
}

/// `staged` in a repository with no commits compares against the empty tree (it failed:
/// the empty tree is not stored as an object).
#[test]
fn staged_works_before_the_first_commit() {
    let r = Repo::new(16);
    let key = openai_key(18);
    r.write("config.env", &format!("OPENAI_API_KEY={key}\n"));
    r.git(&["add", "config.env"]);
    let (code, out, err) = leakgate(&["staged", "--format", "json"], r.path());
    assert_eq!(code, 1, "{err}");
    let got = json_rows(&out);
    assert!(
        got.iter()
            .any(|(p, l, _, rule)| p == "config.env" && *l == 1 && rule == "openai-project-key"),
        "{got:?}"
    );
}

/// `ci` on a force push: the event's `before` is not in the clone (or not an ancestor of
/// `after`); scan what no other ref has, as for a new branch (it failed with exit 2).
#[test]
fn ci_on_a_force_push_scans_the_new_commits() {
    let mut r = Repo::new(19);
    r.write("README.md", "# app\n");
    r.commit("initial");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("a.env", &format!("OPENAI_API_KEY={}\n", openai_key(20)));
    let rewritten = r.commit("to be rewritten");
    r.git(&["reset", "-q", "--hard", "main"]);
    r.write("b.env", &format!("OPENAI_API_KEY={}\n", openai_key(21)));
    let after = r.commit("rewritten");
    for before in [
        rewritten.as_str(),
        "1234567890abcdef1234567890abcdef12345678",
    ] {
        let events = tempfile::tempdir().unwrap();
        let payload = events.path().join("event.json");
        std::fs::write(
            &payload,
            format!(
                r#"{{"ref":"refs/heads/feature","before":"{before}","after":"{after}","forced":true}}"#
            ),
        )
        .unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_leakgate"))
            .args(["ci", "--format", "json"])
            .current_dir(r.path())
            .env("GITHUB_EVENT_NAME", "push")
            .env("GITHUB_EVENT_PATH", &payload)
            .env("CI", "true")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{before}: {err}");
        let got = json_rows(&String::from_utf8_lossy(&out.stdout));
        let paths: Vec<&str> = got.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(paths, ["b.env"], "{before}: {err}");
        assert!(err.contains("force push"), "{err}");
    }
}

/// `scan-log` whose input fails while being read: the rest of the log was not read, so
/// exit 2 naming the log and the reason (it was a warning and exit 0 on what had been read).
/// A regular file that fails mid-read cannot be produced reliably in a test; these are the
/// closest reliable cases: standard input that is a directory (fails at the first read) and
/// a TCP connection reset by its writer after 1 MiB of log (fails mid-stream).
#[cfg(target_os = "linux")]
#[test]
fn scan_log_read_error_is_an_error() {
    use std::io::Write;
    use std::os::fd::AsRawFd;
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(["scan-log", "-", "--format", "json"])
        .current_dir(dir.path())
        .stdin(std::fs::File::open(dir.path()).unwrap())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("<stdin>: read error: Is a directory"), "{err}");

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let reader = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (mut writer, _) = listener.accept().unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(["scan-log", "-", "--format", "json"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::from(std::os::fd::OwnedFd::from(
            reader,
        )))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let line = "2024-01-02T03:04:05.1234567Z building the app, nothing secret here\n";
    writer
        .write_all(line.repeat((1 << 20) / line.len()).as_bytes())
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    // close with a reset (SO_LINGER 0) instead of an orderly end of stream
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    let rc = unsafe {
        libc::setsockopt(
            writer.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &linger as *const libc::linger as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0);
    drop(writer);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("<stdin>: read error: Connection reset by peer"),
        "{err}"
    );
}
