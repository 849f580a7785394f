//! Never print a secret: plant reported and unreported credentials side by side (and one in
//! a commit subject), run `scan` and `history` in every output format and check that no full
//! value appears anywhere in what the tool writes (stdout, stderr, the Markdown summary).

use std::path::Path;
use std::process::Command;

use leakgate::examples::expand;

#[path = "support/gitrepo.rs"]
mod gitrepo;
use gitrepo::Repo;

/// Every output of `leakgate <args> --format F` for each format, plus the `--summary` file.
fn all_outputs(args: &[&str], cwd: &Path) -> Vec<(String, String)> {
    let mut outs = Vec::new();
    for format in ["text", "json", "sarif", "github", "html"] {
        let summary = cwd.join(format!(".summary-{format}.md"));
        let out = Command::new(env!("CARGO_BIN_EXE_leakgate"))
            .args(args)
            .args(["--format", format, "--summary"])
            .arg(&summary)
            .current_dir(cwd)
            .env("CI", "true")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            out.status.code() == Some(1),
            "{args:?} {format}: expected findings: {stdout}\n{stderr}"
        );
        let md = std::fs::read_to_string(&summary).unwrap_or_default();
        let _ = std::fs::remove_file(&summary);
        outs.push((format!("{args:?} {format} stdout"), stdout));
        outs.push((format!("{args:?} {format} stderr"), stderr));
        outs.push((format!("{args:?} {format} summary"), md));
    }
    outs
}

fn assert_no_leak(outs: &[(String, String)], secrets: &[&str]) {
    for (what, text) in outs {
        for s in secrets {
            assert!(!text.contains(s), "{what} prints {s}:\n{text}");
        }
    }
}

#[test]
fn no_output_format_prints_a_planted_secret() {
    let mut r = Repo::new(41);
    let stripe = expand("sk_live_51{{alnum:90}}", &mut r.rng).unwrap();
    // undetected neighbours: a made-up vendor token, a hex key, a base64 blob
    let px = expand("px-dep-{{alnum:32}}", &mut r.rng).unwrap();
    let hexkey = expand("{{hex:40}}", &mut r.rng).unwrap();
    let blob = expand("{{base64:44}}", &mut r.rng).unwrap();
    let github = r.github_token();
    let in_subject = r.openai_key();
    r.write(
        "src/config.js",
        &format!("o=\"{px}\";k=\"{stripe}\";h=\"{hexkey}\";b=\"{blob}\";\n"),
    );
    r.write("deploy.sh", &format!("export GITHUB_TOKEN={github}\n"));
    r.commit(&format!("deploy {in_subject} with token {px}"));
    let secrets = [
        stripe.as_str(),
        px.as_str(),
        hexkey.as_str(),
        blob.as_str(),
        github.as_str(),
        in_subject.as_str(),
    ];
    let mut outs = all_outputs(&["scan", "."], r.path());
    outs.extend(all_outputs(&["history"], r.path()));
    assert_no_leak(&outs, &secrets);
    // the snippets stay readable: the reported secret's prefix and the context are there
    let json = &outs
        .iter()
        .find(|(w, _)| w == "[\"scan\", \".\"] json stdout")
        .unwrap()
        .1;
    assert!(json.contains("o=\\\"px-dep*****"), "{json}");
    // and the commit subject is kept, with its tokens masked
    let hist = &outs
        .iter()
        .find(|(w, _)| w == "[\"history\"] text stdout")
        .unwrap()
        .1;
    assert!(hist.contains("deploy sk-pro*****"), "{hist}");
}

fn run(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .args(args)
        .current_dir(cwd)
        .env("CI", "true")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// No control character reaches the output, and no line is a workflow command other than
/// the annotations the github format writes on purpose.
fn assert_inert(what: &str, text: &str, annotations: bool) {
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{what}: control character in {text:?}"
    );
    for line in text.lines() {
        let t = line.trim_start();
        if annotations && (t.starts_with("::error file=") || t.starts_with("::notice file=")) {
            assert!(
                !t.contains("::warning"),
                "{what}: injected command in {line:?}"
            );
            continue;
        }
        assert!(
            !t.starts_with("::"),
            "{what}: workflow command line {line:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn names_cannot_rewrite_the_terminal_or_inject_workflow_commands() {
    let mut r = Repo::new(43);
    let token = r.github_token();
    let names = [
        "a\n::warning file=x.js,line=1::injected\u{1b}[2J\u{7}.env",
        "::error file=y::pwned.env",
        "b\r\u{1b}]0;title\u{7}.env",
    ];
    for n in names {
        r.write(n, &format!("GITHUB_TOKEN={token}\n"));
    }
    // a skipped binary file with a hostile name shows up on stderr
    std::fs::write(
        r.path().join("c\n::warning::skipped\u{1b}[31m.bin"),
        [0u8, 1, 2, 0, 0xff, 0, 3].repeat(100),
    )
    .unwrap();
    for format in ["text", "github"] {
        let (code, out, err) = run(&["scan", ".", "--verbose", "--format", format], r.path());
        assert_eq!(code, 1, "{out}\n{err}");
        assert_inert(&format!("{format} stdout"), &out, format == "github");
        assert_inert(&format!("{format} stderr"), &err, false);
    }
    // an error naming a hostile path
    let (code, out, err) = run(&["scan", "nope\n::warning::x\u{1b}[2J"], r.path());
    assert_eq!(code, 2, "{out}\n{err}");
    assert_inert("error", &err, false);
    assert!(err.contains("nope\\n::warning::x\\x1b[2J"), "{err}");
}

#[test]
fn configuration_errors_never_quote_file_contents() {
    let mut r = Repo::new(47);
    let github = r.github_token();
    let stripe = expand("sk_live_51{{alnum:90}}", &mut r.rng).unwrap();
    r.write(
        ".env",
        &format!("GITHUB_TOKEN={github}\nSTRIPE_KEY: {stripe}\n"),
    );
    let outside = tempfile::tempdir().unwrap();
    let creds = outside.path().join("credentials");
    std::fs::write(&creds, format!("[default]\ntoken = {github}\n")).unwrap();
    let secrets = [github.as_str(), stripe.as_str()];
    let check = |case: &str, want: &str| {
        let (code, out, err) = run(&["scan", ".", "--format", "json"], r.path());
        assert_eq!(code, 2, "{case}: {out}\n{err}");
        for s in secrets {
            assert!(
                !err.contains(s) && !out.contains(s),
                "{case} quotes {s}: {err}"
            );
        }
        assert!(err.contains(want), "{case}: {err}");
    };
    let config = r.path().join(".leakgate.yml");
    // a rule file that is really a dotenv file
    r.write(".leakgate.yml", "rule_files: [.env]\n");
    check("rule_files: [.env]", "invalid rule file");
    // the config itself is a credentials file
    std::fs::copy(r.path().join(".env"), &config).unwrap();
    check("config is .env", "invalid config");
    r.write(".leakgate.yml", &format!("disable: {github}\n"));
    check("scalar disable", "expected a sequence");
    r.write(".leakgate.yml", &format!("severity:\n  jwt: {github}\n"));
    check("severity value", "unknown level");
    // a symlink to a credentials file outside the repository
    std::fs::remove_file(&config).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&creds, &config).unwrap();
        check("symlinked config", "symlink to a file outside");
        std::fs::remove_file(&config).unwrap();
    }
    // rule files: inside the config's directory, regular, bounded
    r.write(
        ".leakgate.yml",
        &format!("rule_files: [{}]\n", creds.display()),
    );
    check("absolute rule file", "outside the config file's directory");
    r.write(".leakgate.yml", "rule_files: [../credentials]\n");
    check("relative escape", "rule_files");
    r.write("big.yml", &"# padding\n".repeat(500_000));
    r.write(".leakgate.yml", "rule_files: [big.yml]\n");
    check("5 MB rule file", "larger than 4 MiB");
    r.write(".leakgate.yml", "rule_files: [/dev/zero]\n");
    check("/dev/zero", "rule_files");
    // a misspelled field: the cause and the closest name
    r.write(".leakgate.yml", "disabel: [jwt]\n");
    check("typo", "did you mean `disable`?");
}

#[test]
fn bad_user_rules_and_ids_are_rejected_with_the_cause() {
    let r = Repo::new(53);
    let rule = |id: &str, keywords: &str, pattern: &str| {
        format!(
            "  - id: {id}\n    name: Mine\n    description: d\n    severity: high\n    \
             remediation: r\n    keywords: {keywords}\n    pattern: '{pattern}'\n"
        )
    };
    let check = |config: &str, want: &[&str]| {
        r.write(".leakgate.yml", config);
        let (code, out, err) = run(&["scan", ".", "--format", "json"], r.path());
        assert_eq!(code, 2, "{config}: {out}\n{err}");
        for w in want {
            assert!(err.contains(w), "{config}: want {w:?} in {err}");
        }
    };
    check(
        &format!(
            "rules:\n{}",
            rule("my-rule", "[]", "t_(?P<secret>[a-z]{8})")
        ),
        &[
            ".leakgate.yml",
            "rule `my-rule`",
            "needs at least one keyword",
        ],
    );
    check(
        &format!(
            "rules:\n{}",
            rule("my-rule", "[mytok]", "t_(?P<secret>[a-z{8})")
        ),
        &[
            ".leakgate.yml",
            "rule `my-rule`",
            "unclosed character class at character 14: t_(?P<secret>»[a-z{8})",
        ],
    );
    r.write(
        "more.yml",
        &format!(
            "rules:\n{}",
            rule("my-rule", "[mytok]", "t_(?P<secret>[a-z]{8})")
        ),
    );
    check(
        &format!(
            "rule_files: [more.yml]\nrules:\n{}",
            rule("my-rule", "[other]", "o_(?P<secret>[a-z]{8})")
        ),
        &["more.yml: rule `my-rule`: duplicate rule id"],
    );
    check(
        &format!(
            "rules:\n{}",
            rule("jwt", "[mytok]", "t_(?P<secret>[a-z]{8})")
        ),
        &["rule `jwt`: a built-in rule has this id"],
    );
    check(
        "disable: [genric-secret-assignment]\n",
        &[
            "disable: unknown rule id `genric-secret-assignment`",
            "did you mean `generic-secret-assignment`?",
        ],
    );
    check(
        "severity: {jwtt: low}\n",
        &["severity: unknown rule id `jwtt`", "did you mean `jwt`?"],
    );
    // the same config, correctly spelled, is fine
    r.write(
        ".leakgate.yml",
        "disable: [generic-secret-assignment]\nseverity: {jwt: low}\n",
    );
    let (code, out, err) = run(&["scan", ".", "--format", "json"], r.path());
    assert_eq!(code, 0, "{out}\n{err}");
}
