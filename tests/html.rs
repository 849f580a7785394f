//! `--format html`: the audit report for people, end to end. A repository is built at test
//! time (a secret committed to two files, a file whose name holds `<script>`), the real
//! binary writes the report, and the page is inspected: every finding's redacted value and
//! commit is there, no secret is, nothing is loaded from anywhere, the hostile name is
//! escaped. Then headless Chromium renders it: a screenshot with real content and a page
//! script that ran without a console error.
//!
//! Chromium (Debian `chromium`) is optional locally: without it the browser test prints why
//! it did nothing. `.ci/run` installs it and sets `LEAKGATE_REQUIRE_CHROMIUM=1`, which turns
//! a missing browser into a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

#[path = "support/gitrepo.rs"]
mod gitrepo;
use gitrepo::Repo;

const HOSTILE: &str = "<script>alert(1)<img onerror=x>.env";

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

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A repository whose history holds an OpenAI key in two files (one removed again), a
/// GitHub token in a file named [`HOSTILE`], and the OpenAI key twice in one file at HEAD.
/// Returns the repository and the two secrets.
fn fixture() -> (Repo, String, String) {
    let mut r = Repo::new(16);
    r.write("README.md", "# app\n");
    r.commit("initial");
    let openai = r.openai_key();
    r.write(
        "src/settings.py",
        &format!("import os\n\nOPENAI_API_KEY = \"{openai}\"\n"),
    );
    r.commit("add openai settings");
    r.write(
        "deploy/env.sh",
        &format!("export OPENAI_API_KEY={openai}\n# again\nexport OPENAI_KEY={openai}\n"),
    );
    r.commit("deploy script");
    let token = r.github_token();
    r.write(HOSTILE, &format!("GITHUB_TOKEN={token}\n"));
    r.write(
        "src/settings.py",
        "import os\n\nOPENAI_API_KEY = os.environ[\"OPENAI_API_KEY\"]\n",
    );
    r.commit("token file; settings read the environment");
    (r, openai, token)
}

/// What every HTML report must satisfy: no secret, no remote or local resource loads, one
/// inline script and style allowed by a strict CSP, the hostile name escaped, and each JSON
/// finding's redacted value, path and commit present.
fn check_page(html: &str, json: &Value, secrets: &[&str]) {
    for s in secrets {
        assert!(!html.contains(*s), "a full secret is in the HTML report");
        for w in s.as_bytes().windows(16) {
            let w = std::str::from_utf8(w).unwrap();
            assert!(!html.contains(w), "16 characters of a secret ({w}) leaked");
        }
    }
    let lower = html.to_ascii_lowercase();
    for bad in [
        "src=", "href=", "@import", "url(", "<link", "<iframe", "<object",
    ] {
        assert!(!lower.contains(bad), "the report loads something: {bad}");
    }
    assert_eq!(lower.matches("<script").count(), 1, "one inline script");
    assert_eq!(lower.matches("<style").count(), 1, "one inline style");
    assert!(
        html.contains("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-"),
        "strict CSP meta tag"
    );
    assert!(!html.contains("<script>alert"), "file name injected markup");
    assert!(!html.contains("<img"), "file name injected markup");
    let findings = json["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        let redacted = f["secret"].as_str().unwrap();
        assert!(
            html.contains(&html_escape(redacted)),
            "redacted value {redacted} missing"
        );
        if let Some(h) = f["secret_hash"].as_str() {
            assert!(
                html.contains(&format!("{} (sha256 {h}…)", html_escape(redacted))),
                "short hash of {redacted} missing"
            );
        }
        let path = f["path"].as_str().unwrap();
        assert!(
            html.contains(&format!(
                "<code>{}</code>:{}:{}",
                html_escape(path),
                f["line"],
                f["column"]
            )),
            "location of {path} missing"
        );
        if let Some(sha) = f["commit"]["sha"].as_str() {
            assert!(html.contains(&sha[..12]), "commit {sha} missing");
            let date = f["commit"]["date"].as_str().unwrap();
            assert!(html.contains(date), "commit date {date} missing");
        }
        let remediation = f["remediation"].as_str().unwrap();
        let first_words: String = remediation
            .split_whitespace()
            .take(5)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            html.contains(&html_escape(&first_words)),
            "remediation of {} missing",
            f["rule_id"]
        );
    }
}

/// Articles (one per secret) as (rule id, article text).
fn articles(html: &str) -> Vec<(String, String)> {
    html.split("<article ")
        .skip(1)
        .map(|a| {
            let a = &a[..a.find("</article>").unwrap()];
            let rule = a.split("data-rule=\"").nth(1).unwrap();
            (rule[..rule.find('"').unwrap()].to_string(), a.to_string())
        })
        .collect()
}

fn history_report(r: &Repo) -> (String, Value) {
    let (code, _, err) = run(
        &["history", "--format", "html", "-o", "report.html"],
        r.path(),
    );
    assert_eq!(code, 1, "{err}");
    let html = std::fs::read_to_string(r.path().join("report.html")).unwrap();
    let (code, json, err) = run(&["history", "--format", "json"], r.path());
    assert_eq!(code, 1, "{err}");
    (html, serde_json::from_str(&json).unwrap())
}

#[test]
fn history_report_groups_by_secret_with_a_commit_timeline() {
    let (r, openai, token) = fixture();
    let (html, json) = history_report(&r);
    check_page(&html, &json, &[&openai, &token]);

    let found: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(found.len(), 3, "{found:?}");

    // one article per secret: the OpenAI key (two files, two commits) and the token
    let arts = articles(&html);
    let rules: Vec<&str> = arts.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(rules.len(), 2, "{rules:?}");
    assert!(rules.contains(&"openai-project-key"), "{rules:?}");
    assert!(rules.contains(&"github-pat-classic") || rules.iter().any(|r| r.starts_with("github")));
    let (_, oa) = arts
        .iter()
        .find(|(r, _)| r == "openai-project-key")
        .unwrap();
    assert!(oa.contains("<h3>Timeline</h3>"), "{oa}");
    // oldest first: settings.py (commit 2) before deploy/env.sh (commit 3)
    let t = &oa[oa.find("<h3>Timeline</h3>").unwrap()..];
    let (a, b) = (
        t.find("add openai settings").unwrap(),
        t.find("deploy script").unwrap(),
    );
    assert!(a < b, "timeline order: {t}");
    assert!(t.contains("Test Author &lt;author@example.test&gt;"), "{t}");
    assert!(t.contains("2023-11-14T22:15:20Z"), "{t}");
    // the second copy in deploy/env.sh is listed with the location
    assert!(oa.contains("also at 3:"), "{oa}");
    assert!(oa.contains("3 places in 2 files"), "{oa}");
    assert!(oa.contains("does not remove it from history"), "{oa}");
    // without JavaScript everything is shown: nothing starts hidden but the empty filter bar
    assert_eq!(html.matches(" hidden").count(), 1, "{html}");
    assert!(html.contains("<div id=\"filters\" hidden></div>"));
    assert!(html.contains("<noscript>"));
    // the hostile file name, escaped
    assert!(html.contains(&html_escape(HOSTILE)), "escaped file name");
    // summary counts
    assert!(
        html.contains("<li><b>2</b><span>secrets</span></li>"),
        "summary"
    );
    assert!(
        html.contains("<li><b>3</b><span>findings</span></li>"),
        "summary"
    );
    assert!(
        html.contains("<li><b>4</b><span>commits</span></li>"),
        "summary"
    );
}

#[test]
fn tree_report_lists_locations_and_what_was_not_scanned() {
    let (r, openai, token) = fixture();
    let big = "x".repeat(4096);
    r.write("assets/big.txt", &big);
    let (code, _, err) = run(
        &[
            "scan",
            ".",
            "--max-file-size",
            "1K",
            "--format",
            "html",
            "-o",
            "tree.html",
        ],
        r.path(),
    );
    assert_eq!(code, 1, "{err}");
    let html = std::fs::read_to_string(r.path().join("tree.html")).unwrap();
    let (_, json, _) = run(
        &["scan", ".", "--max-file-size", "1K", "--format", "json"],
        r.path(),
    );
    let json: Value = serde_json::from_str(&json).unwrap();
    check_page(&html, &json, &[&openai, &token]);
    assert_eq!(articles(&html).len(), 2);
    assert!(
        !html.contains("<h3>Timeline</h3>"),
        "no history in a tree scan"
    );
    // not scanned: the big file, with the reason JSON gives
    let skipped = json["skipped"].as_array().unwrap();
    let big = skipped
        .iter()
        .find(|s| s["path"] == "assets/big.txt")
        .expect("big file skipped");
    let ns = &html[html.find("id=\"notscanned\"").unwrap()..];
    assert!(ns.contains("<code>assets/big.txt</code>"), "{ns}");
    assert!(
        ns.contains(&html_escape(big["reason"].as_str().unwrap())),
        "{ns}"
    );
    // --reveal is the only way to get the secret into the page
    let (_, _, _) = run(
        &[
            "scan", ".", "--reveal", "--format", "html", "-o", "rev.html",
        ],
        r.path(),
    );
    let rev = std::fs::read_to_string(r.path().join("rev.html")).unwrap();
    assert!(rev.contains(&openai) && rev.contains("secrets revealed"));
}

#[test]
fn empty_report_is_a_page_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "nothing here\n").unwrap();
    let (code, out, err) = run(&["scan", ".", "--format", "html"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("<!DOCTYPE html>"));
    assert!(out.contains("No findings."));
    assert!(out.trim_end().ends_with("</html>"));
    // --help shows how to get one
    let (_, help, _) = run(&["--help"], dir.path());
    assert!(help.contains("--format html -o audit.html"), "{help}");
    let (_, help, _) = run(&["history", "--help"], dir.path());
    assert!(help.contains("One self-contained HTML page"), "{help}");
}

fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("LEAKGATE_REQUIRE_CHROMIUM").is_none(),
            "chromium is required (LEAKGATE_REQUIRE_CHROMIUM is set) but not on PATH"
        );
        eprintln!("chromium is not installed (apt-get install chromium): browser test skipped");
    }
    found
}

fn headless(chromium: &Path, extra: &[&str], page: &Path) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        // any name lookup fails: a page that tried to load something could not
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .args(extra)
    .arg(format!("file://{}", page.display()));
    let out = cmd.output().expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Console messages (errors, CSP violations) in Chromium's log.
fn console_lines(log: &str) -> Vec<&str> {
    log.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

#[test]
fn chromium_renders_the_report_without_errors() {
    let Some(chromium) = chromium() else {
        return;
    };
    let (r, _, _) = fixture();
    let (html, _) = history_report(&r);
    let page = r.path().join("report.html");
    assert!(html.len() > 1000);

    // the script ran to its end (it sets the marker after building the filters), and
    // neither it nor the CSP logged anything
    let (dom, log) = headless(&chromium, &["--dump-dom"], &page);
    assert!(
        dom.contains("data-ready=\"1\""),
        "page script did not finish:\n{log}"
    );
    assert!(dom.contains("showing 2 of 2"), "filters not built");
    assert!(dom.contains("<select>"), "rule filter missing");
    assert!(console_lines(&log).is_empty(), "console: {log}");

    // and the screenshot shows a page, not a blank one
    let png = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("html-report-screenshot.png");
    let _ = std::fs::remove_file(&png);
    let (_, log) = headless(
        &chromium,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,2000",
        ],
        &page,
    );
    assert!(png.is_file(), "no screenshot: {log}");
    assert!(console_lines(&log).is_empty(), "console: {log}");
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1280, 2000));
    let px = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        other => panic!("unexpected colour type {other:?}"),
    };
    let mut colours = std::collections::HashSet::new();
    let mut dark_rows = 0;
    for row in buf[..info.buffer_size()].chunks(info.line_size) {
        let mut dark = false;
        for p in row.chunks(px) {
            colours.insert((p[0], p[1], p[2]));
            dark |= (p[0] as u32 + p[1] as u32 + p[2] as u32) < 200;
        }
        dark_rows += dark as u32;
    }
    // text and coloured badges: many colours, and dark pixels (text) on many rows
    assert!(colours.len() > 50, "{} colours", colours.len());
    assert!(dark_rows > 300, "{dark_rows} rows with text");
    eprintln!(
        "screenshot: {} ({} colours, {dark_rows} rows with text)",
        png.display(),
        colours.len()
    );
}
