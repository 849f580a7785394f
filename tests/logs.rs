//! CI logs end to end: `scan-log FILE` and `scan-log -` on a GitHub Actions / GitLab log
//! with timestamps, markers, ANSI colours, `***` masking, `curl -v` headers, an env dump and
//! `set -x` traces; logs met in a tree; and a large stream through standard input in
//! bounded memory.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use leakgate::examples::{expand, Rng};

#[path = "support/run.rs"]
mod run;
use run::rows;

fn leakgate(args: &[&str], cwd: &Path, stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(data) = stdin {
        input.write_all(data).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const TS: &str = "2024-01-02T03:04:05.1234567Z ";

/// A log and the (line, column, rule) of each secret planted in it, plus the secrets.
/// (line, column, rule) of a planted secret.
type Plant = (u64, u64, &'static str);

fn ci_log(seed: u64) -> (String, Vec<Plant>, Vec<String>) {
    let mut rng = Rng::new(seed);
    let mut lines: Vec<String> = Vec::new();
    let mut expected = Vec::new();
    let mut secrets = Vec::new();
    let mut plant = |lines: &mut Vec<String>, line: String, secret: String, rule: &'static str| {
        let col = line[..line.find(&secret).unwrap()].chars().count() as u64 + 1;
        lines.push(line);
        expected.push((lines.len() as u64, col, rule));
        secrets.push(secret);
    };
    lines.push(format!("{TS}##[group]Run ./scripts/deploy.sh"));
    lines.push(format!("{TS}\x1b[36;1m./scripts/deploy.sh\x1b[0m"));
    lines.push(format!("{TS}shell: /usr/bin/bash -e {{0}}"));
    lines.push(format!("{TS}env:"));
    // masked by the runner: not leaks
    lines.push(format!("{TS}  AWS_SECRET_ACCESS_KEY: ***"));
    lines.push(format!("{TS}  NPM_TOKEN: ***"));
    lines.push(format!("{TS}##[endgroup]"));
    lines.push(format!(
        "{TS}+ curl -H 'Authorization: token ***' https://api.internal.test/v1"
    ));
    lines.push(format!("{TS}> Authorization: Bearer ***"));
    // set -x trace
    let tok = expand("{{alnum:40}}", &mut rng).unwrap();
    plant(
        &mut lines,
        format!(
            "{TS}+ curl -sS -H 'Authorization: token {tok}' https://api.internal.test/v1/deploy"
        ),
        tok,
        "generic-authorization-header",
    );
    // curl -v request headers
    lines.push(format!("{TS}> GET /v1/deploy HTTP/1.1"));
    let bearer = expand("{{alnum:24}}.{{base64url:40}}", &mut rng).unwrap();
    plant(
        &mut lines,
        format!("{TS}> Authorization: Bearer {bearer}"),
        bearer,
        "generic-bearer-token",
    );
    let cookie = expand("{{alnum:32}}", &mut rng).unwrap();
    plant(
        &mut lines,
        format!("{TS}> Cookie: session={cookie}"),
        cookie,
        "generic-session-cookie",
    );
    // env / printenv dump, in colour
    lines.push(format!("{TS}##[command]printenv | sort"));
    let aws = expand("{{base64:20}}{{alnum:20}}", &mut rng).unwrap();
    plant(
        &mut lines,
        format!("{TS}\x1b[32mAWS_SECRET_ACCESS_KEY={aws}\x1b[0m"),
        aws,
        "aws-secret-access-key",
    );
    // only found once the colour codes are gone: `password\e[0m:` is not an assignment
    let pw = expand("{{alnum:14}}{{digits:2}}", &mut rng).unwrap();
    plant(
        &mut lines,
        format!("{TS}##[warning]\x1b[33mdb password\x1b[0m: {pw}"),
        pw,
        "generic-secret-assignment",
    );
    // GitLab section markers around a line
    let gh = expand("{{github:ghp}}", &mut rng).unwrap();
    plant(
        &mut lines,
        format!("\x1b[0Ksection_start:1700000000:deploy[collapsed=true]\r\x1b[0K\x1b[0;m$ export GITHUB_TOKEN={gh}"),
        gh,
        "github-pat-classic",
    );
    lines.push("\x1b[0Ksection_end:1700000000:deploy\r\x1b[0K".to_string());
    lines.push(format!("{TS}\x1b[31mGITHUB_TOKEN=***\x1b[0m"));
    (lines.join("\n") + "\n", expected, secrets)
}

#[test]
fn scan_log_finds_leaks_at_original_positions_and_ignores_masks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let (log, expected, secrets) = ci_log(1);
    std::fs::write(root.join("job.log"), &log).unwrap();
    let want = |path: &str| -> BTreeSet<(String, u64, u64, String)> {
        expected
            .iter()
            .map(|(l, c, r)| (path.to_string(), *l, *c, r.to_string()))
            .collect()
    };
    let (code, out, err) = leakgate(&["scan-log", "job.log", "--format", "json"], root, None);
    assert_eq!(code, 1, "{err}");
    assert_eq!(rows(&out), want("job.log"));
    // the same through standard input, with `-` and with no argument
    for args in [
        &["scan-log", "-", "--format", "json"][..],
        &["scan-log", "--format", "json"],
    ] {
        let (code, out, err) = leakgate(args, root, Some(log.as_bytes()));
        assert_eq!(code, 1, "{err}");
        assert_eq!(rows(&out), want("<stdin>"));
    }
    // redacted everywhere, valid SARIF-shaped output, and fail threshold honoured
    for format in ["text", "json", "sarif", "github"] {
        let (_, out, err) = leakgate(&["scan-log", "job.log", "--format", format], root, None);
        for s in &secrets {
            assert!(
                !out.contains(s.as_str()) && !err.contains(s.as_str()),
                "{format}"
            );
        }
    }
    let (code, _, _) = leakgate(
        &["scan-log", "job.log", "--fail-on", "critical", "-q"],
        root,
        None,
    );
    assert_eq!(code, 1, "the AWS key and the GitHub token are critical");
    let (code, _, _) = leakgate(
        &["scan-log", "job.log", "--fail-on", "none", "-q"],
        root,
        None,
    );
    assert_eq!(code, 0);
    let (code, _, err) = leakgate(&["scan-log", "missing.log"], root, None);
    assert_eq!(code, 2);
    assert!(err.contains("missing.log"), "{err}");
}

#[test]
fn logs_in_a_tree_are_cleaned_other_files_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let (log, expected, _) = ci_log(2);
    // a GitHub Actions log archive, unpacked: <job>/<n>_<step>.txt
    std::fs::create_dir_all(root.join("logs/build")).unwrap();
    std::fs::write(root.join("logs/build/4_Deploy.txt"), &log).unwrap();
    std::fs::write(root.join("ci.log"), &log).unwrap();
    // the same text in a plain text file: the colour-split `password` line is not found there
    std::fs::write(root.join("notes.txt"), &log).unwrap();
    let (_, out, err) = leakgate(&["scan", ".", "--format", "json"], root, None);
    let got = rows(&out);
    let count = |p: &str| got.iter().filter(|r| r.0 == p).count();
    assert_eq!(count("ci.log"), expected.len(), "{err}");
    assert_eq!(count("logs/build/4_Deploy.txt"), expected.len());
    assert_eq!(count("notes.txt"), expected.len() - 1);
    assert!(!got
        .iter()
        .any(|r| r.0 == "notes.txt" && r.3 == "generic-secret-assignment"));
}

/// Peak resident set size of a running process, from /proc (Linux).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_large_log_streams_through_stdin_in_bounded_memory() {
    const TOTAL: usize = 200 << 20;
    let mut rng = Rng::new(9);
    let gh = expand("{{github:ghp}}", &mut rng).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(["scan-log", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut input = child.stdin.take().unwrap();
    let line = format!(
        "{TS}\x1b[32m  Compiling serde v1.0.{} (/home/runner/work/app)\x1b[0m\n",
        rng.below(1000)
    );
    let block = line.repeat((1 << 20) / line.len());
    let mut written = 0usize;
    let mut lines = 0u64;
    let mut peak = 0u64;
    while written < TOTAL {
        input.write_all(block.as_bytes()).unwrap();
        written += block.len();
        lines += block.matches('\n').count() as u64;
        if written % (32 << 20) < block.len() {
            peak = peak.max(peak_rss_kib(pid).unwrap_or(0));
        }
    }
    let last = format!("{TS}GITHUB_TOKEN={gh}\n");
    input.write_all(last.as_bytes()).unwrap();
    peak = peak.max(peak_rss_kib(pid).unwrap_or(0));
    drop(input);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = rows(&stdout);
    let col = (TS.len() + "GITHUB_TOKEN=".len() + 1) as u64;
    assert_eq!(
        got,
        BTreeSet::from([(
            "<stdin>".to_string(),
            lines + 1,
            col,
            "github-pat-classic".to_string()
        )])
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(v["summary"]["bytes_scanned"].as_u64().unwrap() > TOTAL as u64);
    // 200 MiB went through; the process never held more than a few chunks of it
    eprintln!("peak RSS {peak} KiB");
    if cfg!(target_os = "linux") {
        assert!(peak > 0, "could not read VmHWM");
        assert!(
            peak < 100 * 1024,
            "peak RSS {peak} KiB while streaming 200 MiB"
        );
    }
}
