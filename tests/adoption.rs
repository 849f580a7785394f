//! Adoption: switching from gitleaks in one step (inline allows, `.gitleaksignore`, JSON
//! reports as baselines, config import, its flags) and a CLI that never makes the user guess.
//! Credentials are generated at test time; none is committed.

#[path = "support/run.rs"]
mod run;

use std::path::Path;

use leakgate::examples::{expand, Rng};
use run::{leakgate, rows};

/// A well-formed GitHub classic token (valid checksum): finding `github-pat-classic`.
fn ghp(seed: u64) -> String {
    expand("{{github:ghp}}", &mut Rng::new(seed)).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).unwrap();
    }
    std::fs::write(p, text).unwrap();
}

type Rows = std::collections::BTreeSet<(String, u64, u64, String)>;

fn scan_json(dir: &Path, extra: &[&str]) -> (i32, Rows, String) {
    let mut args = vec!["scan", ".", "--format", "json", "--no-lint"];
    args.extend_from_slice(extra);
    let (code, out, err) = leakgate(&args, dir);
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    (code, rows(&out), err)
}

#[test]
fn gitleaks_and_betterleaks_inline_allows_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c, d) = (ghp(1), ghp(2), ghp(3), ghp(4));
    write(
        dir.path(),
        "app.py",
        &format!(
            "A = \"{a}\"  # gitleaks:allow\nB = \"{b}\"  # betterleaks:allow\nC = \"{c}\"  # leakgate:allow\nD = \"{d}\"  # gitleaks: allow-ish is not a marker\n"
        ),
    );
    let (code, rows, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let lines: Vec<u64> = rows.iter().map(|r| r.1).collect();
    assert_eq!(lines, vec![4], "{rows:?}");
}

#[test]
fn gitleaksignore_fingerprints_suppress_tree_and_history_entries() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (ghp(11), ghp(12), ghp(13));
    write(
        dir.path(),
        "conf/app.py",
        &format!("x = 1\nA = \"{a}\"\nB = \"{b}\"\n"),
    );
    write(dir.path(), "other.py", &format!("C = \"{c}\"\n"));
    // the tree form (rule mapped: github-pat is our github-pat-classic), the history form
    // (commit:path:rule:line, matched on path+line here), a rule with no equivalent, a bad line
    write(
        dir.path(),
        ".gitleaksignore",
        "# accepted\nconf/app.py:github-pat:2\n0123456789abcdef0123456789abcdef01234567:conf/app.py:generic-api-key:3\nnot a fingerprint\n",
    );
    let (code, rows, err) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let kept: Vec<(String, u64)> = rows.iter().map(|r| (r.0.clone(), r.1)).collect();
    assert_eq!(kept, vec![("other.py".to_string(), 1)], "{rows:?}");
    assert!(
        err.contains("2 findings accepted in .gitleaksignore"),
        "{err}"
    );
    assert!(err.contains("not a gitleaks fingerprint"), "{err}");
    // the entries are relative to the repository root: they hold when the scan runs from a
    // subfolder or is given an absolute path
    let st = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(st.success());
    let (_, sub, _) = scan_json(&dir.path().join("conf"), &[]);
    assert!(sub.is_empty(), "{sub:?}");
    let elsewhere = tempfile::tempdir().unwrap();
    let abs = dir.path().join("conf");
    let (_, out, err) = leakgate(
        &[
            "scan",
            abs.to_str().unwrap(),
            "--format",
            "json",
            "--no-lint",
        ],
        elsewhere.path(),
    );
    assert!(run::rows(&out).is_empty(), "{out}\n{err}");
    // a mapped rule id that names another provider does not suppress a github token
    write(
        dir.path(),
        ".gitleaksignore",
        "other.py:aws-access-token:1\n",
    );
    let (_, rows, _) = scan_json(dir.path(), &[]);
    assert!(rows.iter().any(|r| r.0 == "other.py"), "{rows:?}");
}

/// A gitleaks JSON report as gitleaks 8 writes it (`gitleaks dir -f json`).
fn gitleaks_report(entries: &[(&str, &str, u32, &str)]) -> String {
    let items: Vec<serde_json::Value> = entries
        .iter()
        .map(|(rule, file, line, secret)| {
            serde_json::json!({
                "RuleID": rule, "Description": "d", "StartLine": line, "EndLine": line,
                "StartColumn": 5, "EndColumn": 44, "Match": secret, "Secret": secret,
                "File": file, "SymlinkFile": "", "Commit": "", "Entropy": 4.8,
                "Author": "", "Email": "", "Date": "", "Message": "", "Tags": [],
                "Fingerprint": format!("{file}:{rule}:{line}")
            })
        })
        .collect();
    serde_json::to_string_pretty(&items).unwrap()
}

#[test]
fn gitleaks_report_is_a_baseline_directly_and_after_import() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (ghp(21), ghp(22), ghp(23));
    write(
        dir.path(),
        "src/a.py",
        &format!("A = \"{a}\"\nB = \"{b}\"\nC = \"{c}\"\n"),
    );
    // a with its secret (matches wherever it moves), b redacted (matches by line)
    let report = gitleaks_report(&[
        ("github-pat", "src/a.py", 40, &a),
        ("github-pat", "src/a.py", 2, "REDACTED"),
    ]);
    // the report holds secrets: keep it out of the scanned tree, as users should
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "gl.json", &report);
    let gl = outside.path().join("gl.json");
    let gl = gl.to_str().unwrap();
    let (_, before, _) = scan_json(dir.path(), &[]);
    assert_eq!(before.len(), 3, "{before:?}");
    let (code, after, err) = scan_json(dir.path(), &["--baseline", gl]);
    assert_eq!(code, 1);
    assert_eq!(
        after.iter().map(|r| r.1).collect::<Vec<_>>(),
        vec![3],
        "{err}"
    );
    assert!(err.contains("2 findings accepted in the baseline"), "{err}");

    let (code, _, err) = leakgate(&["baseline", "import", gl, "-o", "base.json"], dir.path());
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(dir.path().join("base.json")).unwrap();
    assert!(!text.contains(&a), "the baseline must not hold the secret");
    let (_, after2, _) = scan_json(dir.path(), &["--baseline", "base.json"]);
    assert_eq!(after, after2);

    // not a report: an error, not an empty baseline
    write(dir.path(), "bad.json", "{\"hello\": 1}");
    let (code, _, err) = leakgate(&["scan", ".", "--baseline", "bad.json"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("not a leakgate baseline"), "{err}");
    let (code, _, err) = leakgate(&["baseline", "import", "bad.json"], dir.path());
    assert_eq!(code, 2);
    assert!(
        err.contains("not a gitleaks/betterleaks JSON report"),
        "{err}"
    );
}

const GITLEAKS_TOML: &str = r#"
title = "company config"

[extend]
useDefault = true
disabledRules = ["generic-api-key", "jwt"]

[[rules]]
id = "acme-api-key"
description = "ACME internal API key"
regex = '''acme_key\s*=\s*["']?(acme_[a-z0-9]{32})'''
secretGroup = 1
entropy = 3.0
keywords = ["acme_key"]

[[rules]]
id = "no-keywords"
regex = '''zz[0-9]{20}'''

[allowlist]
description = "global"
paths = ['''^docs/''', '''(?i)\.(?:png|jpg)$''', '''^vendor/[a-z]+/.*\.lock$''']
regexes = ['''^test_''']
stopwords = ["dummy"]
commits = ["0123456789abcdef0123456789abcdef01234567"]
"#;

#[test]
fn config_import_converts_what_it_can_and_lists_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitleaks.toml", GITLEAKS_TOML);
    // passing it where ours is expected names the import command
    let (code, _, err) = leakgate(&["scan", ".", "--config", ".gitleaks.toml"], dir.path());
    assert_eq!(code, 2);
    assert!(
        err.contains("this is a gitleaks TOML file; run `leakgate config import .gitleaks.toml`"),
        "{err}"
    );
    let (_, _, err) = leakgate(&["scan", "."], dir.path());
    assert!(
        err.contains(".gitleaks.toml found and no .leakgate.yml")
            && err.contains("leakgate config import .gitleaks.toml"),
        "{err}"
    );
    let (code, _, err) = leakgate(&["config", "import", ".gitleaks.toml"], dir.path());
    assert_eq!(code, 0, "{err}");
    let yml = std::fs::read_to_string(dir.path().join(".leakgate.yml")).unwrap();
    assert!(
        yml.contains("acme-api-key") && yml.contains("(?P<secret>acme_"),
        "{yml}"
    );
    assert!(
        yml.contains("docs/*") && yml.contains("**/*.{png,jpg}"),
        "{yml}"
    );
    assert!(yml.contains("(?i)dummy") && yml.contains("^test_"), "{yml}");
    assert!(
        yml.contains("- jwt") && yml.contains("- generic-secret-assignment"),
        "{yml}"
    );
    let not_converted: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("not converted:"))
        .collect();
    assert_eq!(not_converted.len(), 3, "{err}"); // no-keywords, vendor path, commit
    assert!(
        err.contains("no-keywords") && err.contains("vendor") && err.contains("0123456789abcdef")
    );
    // a second import does not overwrite
    let (code, _, err) = leakgate(&["config", "import", ".gitleaks.toml"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");

    // the converted config works: the custom rule finds, allow-lists hold
    let key = expand("acme_{{lower:32}}", &mut Rng::new(7)).unwrap();
    write(dir.path(), "app.cfg", &format!("acme_key = \"{key}\"\n"));
    write(
        dir.path(),
        "docs/app.cfg",
        &format!("acme_key = \"{key}\"\n"),
    );
    let (code, rows, _) = scan_json(dir.path(), &["-c", ".leakgate.yml"]);
    assert_eq!(code, 1);
    let got: Vec<(String, String)> = rows.iter().map(|r| (r.0.clone(), r.3.clone())).collect();
    assert_eq!(
        got,
        vec![("app.cfg".to_string(), "acme-api-key".to_string())]
    );
}

#[test]
fn gitleaks_flags_are_accepted_or_explained() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", &format!("A = \"{}\"\n", ghp(31)));
    for extra in [
        &["--redact"][..],
        &["--redact=20"],
        &["--no-banner"],
        &["--redact", "--no-banner", "-q"],
        &["--redact", "."], // the path after a bare --redact is a path, not its value
    ] {
        let mut args = vec!["scan"];
        args.extend_from_slice(extra);
        if !args.contains(&".") {
            args.push(".");
        }
        let (code, out, err) = leakgate(&args, dir.path());
        assert_eq!(code, 1, "{extra:?}: {err}");
        assert!(out.contains("github-pat-classic"), "{extra:?}");
    }
    let (code, _, _) = leakgate(&["scan", ".", "--exit-code", "3"], dir.path());
    assert_eq!(code, 3);
    let (code, _, _) = leakgate(
        &["scan", ".", "--exit-code", "3", "--fail-on", "none"],
        dir.path(),
    );
    assert_eq!(code, 0);
    // gitleaks' --no-git: a hint, never clap's "similar argument --no-ignore"
    let (code, _, err) = leakgate(&["scan", ".", "--no-git"], dir.path());
    assert_eq!(code, 2);
    assert!(!err.contains("similar argument"), "{err}");
    assert!(
        err.contains("gitleaks") && err.contains("leakgate history"),
        "{err}"
    );
    let (code, _, err) = leakgate(&["detect", "--source", "."], dir.path());
    assert_eq!(code, 2);
    assert!(
        err.contains("leakgate history") && err.contains("leakgate scan"),
        "{err}"
    );
    let (code, _, err) = leakgate(&["scan", ".", "--report-path", "x.json"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("-o FILE"), "{err}");
}

#[test]
fn conveniences_version_completions_man_stdin_and_rule_selection() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = leakgate(&["version"], dir.path());
    assert_eq!(code, 0);
    assert!(
        out.starts_with(&format!("leakgate {}", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    assert!(
        out.contains("commit: ") && out.contains(" secret, "),
        "{out}"
    );
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let (code, out, err) = leakgate(&["completions", shell], dir.path());
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(
            out.contains("leakgate") && out.contains("fail-on"),
            "{shell}"
        );
    }
    let (code, out, _) = leakgate(&["man"], dir.path());
    assert_eq!(code, 0);
    assert!(out.contains(".TH leakgate 1"), "{out}");
    let (_, out, _) = leakgate(&["--help"], dir.path());
    assert!(
        out.contains("Examples:") && out.contains("Exit codes:"),
        "{out}"
    );
    let (_, out, _) = leakgate(&["ci", "--help"], dir.path());
    for var in ["GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_SHA"] {
        assert!(out.contains(var), "{out}");
    }

    // scan - reads standard input
    let token = ghp(41);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(["scan", "-", "--format", "json"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "line one\nTOKEN = \"{token}\"").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let got = rows(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(
        got.into_iter().map(|r| (r.0, r.1, r.3)).collect::<Vec<_>>(),
        vec![("<stdin>".to_string(), 2, "github-pat-classic".to_string())]
    );

    // --disable-rule, --enable-rule, --exclude, --max-file-size
    write(dir.path(), "a.py", &format!("A = \"{}\"\n", ghp(42)));
    write(
        dir.path(),
        "fixtures/b.py",
        &format!("B = \"{}\"\n", ghp(43)),
    );
    let big = format!("C = \"{}\"\n{}", ghp(44), "# padding\n".repeat(300));
    write(dir.path(), "big.py", &big);
    let (_, all, _) = scan_json(dir.path(), &[]);
    assert_eq!(all.len(), 3, "{all:?}");
    let (code, none, _) = scan_json(dir.path(), &["--disable-rule", "github-pat-classic"]);
    assert_eq!((code, none.len()), (0, 0), "{none:?}");
    let (_, only, _) = scan_json(dir.path(), &["--enable-rule", "github-pat-classic"]);
    assert_eq!(only, all);
    let (_, other, _) = scan_json(dir.path(), &["--enable-rule", "jwt"]);
    assert!(other.is_empty());
    let (code, _, err) = leakgate(&["scan", ".", "--disable-rule", "no-such-rule"], dir.path());
    assert_eq!(code, 2);
    assert!(
        err.contains("no-such-rule") && err.contains("rules list"),
        "{err}"
    );
    write(dir.path(), "notes.txt", &format!("N = \"{}\"\n", ghp(45)));
    let (_, kept, err) = scan_json(
        dir.path(),
        &[
            "--exclude",
            "fixtures",
            "--exclude",
            "*.txt",
            "--max-file-size",
            "1K",
            "-v",
        ],
    );
    assert_eq!(
        kept.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        vec!["a.py"],
        "{err}"
    );
    // a file glob skips the file (listed); an excluded folder is not walked at all
    assert!(
        err.contains("notes.txt: excluded by --exclude")
            && !err.contains("fixtures/b.py")
            && err.contains("larger than --max-file-size"),
        "{err}"
    );
}

#[test]
fn bad_outputs_and_baselines_fail_before_scanning_and_stdout_errors_name_the_stream() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.py", &format!("A = \"{}\"\n", ghp(51)));
    for (flag, what) in [
        ("-o", "report"),
        ("--sarif", "SARIF report"),
        ("--summary", "summary"),
        ("--count-file", "count"),
    ] {
        let (code, out, err) = leakgate(&["scan", ".", flag, "no/such/dir/x"], dir.path());
        assert_eq!(code, 2, "{flag}");
        assert!(out.is_empty(), "{flag}: the scan must not run: {out}");
        assert!(
            err.contains(&format!("cannot write the {what}")) && err.contains("does not exist"),
            "{flag}: {err}"
        );
    }
    // a directory given as the report file
    let (code, _, err) = leakgate(&["scan", ".", "-o", "."], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("is a directory"), "{err}");
    // a writable new output is not left behind by the check when the scan fails later
    let (code, _, _) = leakgate(
        &["scan", "missing-path", "-o", "r.json", "--sarif", "r.sarif"],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(!dir.path().join("r.json").exists() && !dir.path().join("r.sarif").exists());
    // a baseline that is not one: an error before the scan, not an empty baseline
    write(dir.path(), "notes.json", "{\"findings\": []}");
    let (code, out, err) = leakgate(&["scan", ".", "--baseline", "notes.json"], dir.path());
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("notes.json: not a leakgate baseline"), "{err}");
    // an error writing the report to standard output names it
    if Path::new("/dev/full").exists() {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_leakgate"))
            .args(["scan", "."])
            .current_dir(dir.path())
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2));
        assert!(err.contains("standard output"), "{err}");
    }
}

#[test]
fn skipped_build_folders_and_a_passing_exit_code_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitignore", "dist/\nbuild/\nlogs/\n");
    write(dir.path(), "dist/assets/app.3f2a.js", "console.log(1);\n");
    write(dir.path(), "build/readme.txt", "no bundles here\n");
    write(dir.path(), "logs/app.js", "not a build folder\n");
    let password = expand("{{alnum:14}}{{digits:3}}", &mut Rng::new(61)).unwrap();
    write(
        dir.path(),
        "db.py",
        &format!("SQL_PASSWORD = \"{password}\"\n"),
    );
    let (code, out, err) = leakgate(&["scan", ".", "--fail-on", "high"], dir.path());
    assert!(out.contains("generic-secret-assignment"), "{out}");
    assert_eq!(code, 0);
    let notes: Vec<&str> = err.lines().filter(|l| l.contains("is ignored")).collect();
    assert_eq!(notes.len(), 1, "{err}");
    assert!(
        notes[0].contains("dist/") && notes[0].contains("`leakgate scan dist/`"),
        "{err}"
    );
    assert!(
        err.contains(
            "exit code 0 with 1 finding: it is below --fail-on high (the highest is medium)"
        ),
        "{err}"
    );
    // scanning it, or --no-ignore, or -q: no note
    let (_, _, err) = leakgate(&["scan", ".", "--no-ignore"], dir.path());
    assert!(!err.contains("is ignored"), "{err}");
    let (_, _, err) = leakgate(&["scan", ".", "-q"], dir.path());
    assert!(err.is_empty(), "{err}");
}

#[test]
fn readable_findings_most_severe_first_plurals_and_one_history_note() {
    let dir = tempfile::tempdir().unwrap();
    let password = expand("{{alnum:14}}{{digits:3}}", &mut Rng::new(71)).unwrap();
    write(
        dir.path(),
        "a.py",
        &format!("SQL_PASSWORD = \"{password}\"\n"),
    );
    write(dir.path(), "z.py", &format!("T = \"{}\"\n", ghp(72)));
    let (code, out, _) = leakgate(&["scan", ".", "--no-lint"], dir.path());
    assert_eq!(code, 1);
    let a = out.find("a.py").unwrap();
    let z = out.find("z.py").unwrap();
    assert!(
        z < a,
        "the file with the more severe finding comes first:\n{out}"
    );
    let (_, out, _) = leakgate(&["scan", "z.py", "--no-lint"], dir.path());
    assert!(out.contains(" 1 file,"), "{out}");

    // history: the "rotate it" note once per report, not once per secret
    let git = |args: &[&str]| {
        let st = std::process::Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.test")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.test")
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["-c", "commit.gpgsign=false", "commit", "-qm", "init"]);
    let (code, out, _) = leakgate(&["history"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(out.matches("from history").count(), 1, "{out}");
    assert!(out.contains("these secrets"), "{out}");
}

/// `leakgate ARGS` with `COLUMNS` set (or removed): (exit code, stdout).
fn with_columns(args: &[&str], dir: &Path, columns: Option<&str>) -> (i32, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_leakgate"));
    cmd.args(args).current_dir(dir);
    match columns {
        Some(c) => cmd.env("COLUMNS", c),
        None => cmd.env_remove("COLUMNS"),
    };
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The `fix:` block of a text report: the `fix:` line and its indented continuation lines.
fn fix_block(out: &str) -> Vec<&str> {
    let mut lines = out
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("fix:"));
    let first = lines.next().expect("a fix: line");
    let indent = first.find("fix:").unwrap() + 5;
    std::iter::once(first)
        .chain(lines.take_while(|l| {
            l.len() > indent && l[..indent].trim().is_empty() && !l[indent..].starts_with(' ')
        }))
        .collect()
}

#[test]
fn text_remediation_is_complete_and_wrapped_to_the_width() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "z.py", &format!("T = \"{}\"\n", ghp(81)));
    // the rule's whole remediation, as JSON gives it (one line per paragraph)
    let (_, json, _) = leakgate(&["scan", ".", "--no-lint", "--format", "json"], dir.path());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let remediation = v["findings"][0]["remediation"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!remediation.contains('\n'), "JSON: {remediation:?}");
    assert!(remediation.len() > 200, "a long remediation to wrap");
    let words: Vec<&str> = remediation.split_whitespace().collect();
    for (columns, width) in [(Some("60"), 60), (None, 100), (Some("150"), 150)] {
        let (code, out) = with_columns(&["scan", ".", "--no-lint"], dir.path(), columns);
        assert_eq!(code, 1);
        let block = fix_block(&out);
        assert!(
            block.len() > 1 || width > 150,
            "{columns:?}: not wrapped:\n{out}"
        );
        let mut seen = Vec::new();
        for (i, line) in block.iter().enumerate() {
            let text = if i == 0 {
                line.trim_start().strip_prefix("fix:").unwrap()
            } else {
                line
            };
            let lw: Vec<&str> = text.split_whitespace().collect();
            // no line past the width, unless it is one word (a long URL)
            assert!(
                line.chars().count() <= width || lw.len() == 1,
                "{columns:?}: line over {width} columns: {line:?}"
            );
            seen.extend(lw);
        }
        assert_eq!(seen, words, "{columns:?}: the whole remediation, in order");
        // a wider width uses it: the first line is filled past the previous width
        if width == 150 {
            assert!(block[0].chars().count() > 100, "{:?}", block[0]);
        }
    }
}

#[test]
fn redacted_values_tell_keys_with_the_same_prefix_apart() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(91);
    // two Stripe keys: the same redacted prefix, different secrets
    let a = expand("sk_live_51{{alnum:90}}", &mut rng).unwrap();
    let b = format!("{}{}", &a[..20], expand("{{alnum:80}}", &mut rng).unwrap());
    write(dir.path(), "a.env", &format!("STRIPE_SECRET_KEY={a}\n"));
    write(dir.path(), "b.env", &format!("STRIPE_SECRET_KEY={b}\n"));
    let (ha, hb) = (
        leakgate::report::short_hash(&a).unwrap(),
        leakgate::report::short_hash(&b).unwrap(),
    );
    assert_eq!(ha.len(), 4);
    // 1 in 65536 that two random keys share a hash: these two (fixed seed) do not
    assert_ne!(ha, hb);

    let (_, json, _) = leakgate(&["scan", ".", "--no-lint", "--format", "json"], dir.path());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let by_path: std::collections::BTreeMap<&str, (&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                (
                    f["secret"].as_str().unwrap(),
                    f["secret_hash"].as_str().unwrap(),
                ),
            )
        })
        .collect();
    let (ra, rb) = (by_path["a.env"], by_path["b.env"]);
    assert_eq!(ra.0, rb.0, "same redacted prefix");
    assert_eq!((ra.1, rb.1), (ha.as_str(), hb.as_str()));

    let (_, text, _) = leakgate(&["scan", ".", "--no-lint"], dir.path());
    for h in [&ha, &hb] {
        assert!(
            text.contains(&format!("{} (sha256 {h}…)", ra.0)),
            "text: {text}"
        );
    }
    let (_, sarif, _) = leakgate(&["scan", ".", "--no-lint", "--format", "sarif"], dir.path());
    for h in [&ha, &hb] {
        assert!(sarif.contains(&format!("(sha256 {h}…)")), "sarif");
    }
    for s in [&a, &b] {
        for out in [&json, &text, &sarif] {
            assert!(!out.contains(&s[..24]));
        }
    }
    // --reveal shows the value, without a hash
    let (_, text, _) = leakgate(&["scan", ".", "--no-lint", "--reveal"], dir.path());
    assert!(text.contains(&a) && !text.contains("(sha256 "));
}
