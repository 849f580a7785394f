//! End-to-end checks of `--format sarif` (GitHub code scanning) and `--format github`
//! (workflow annotations) on the real binary, with a freshly generated OpenAI project key.
//!
//! When `LEAKGATE_SARIF_MULTITOOL` names the Sarif.Multitool executable (see
//! `.ci/sarif-multitool.sh`), the SARIF log is also run through `Sarif.Multitool validate` and
//! must produce no error-level result.

#[path = "support/multitool.rs"]
mod multitool;

use std::path::Path;
use std::process::{Command, Output};

use leakgate::examples::{Rng, ALNUM};
use leakgate::finding::{fingerprint, redact};
use leakgate::report::sarif::{line_hash, linehash};
use leakgate::rules::{builtin_rules, RuleSpec};
use serde_json::Value;

const RULE_ID: &str = "openai-project-key";
const FILE: &str = "conf/my app.env";
const KEY_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/// `sk-proj-` + 74 + `T3BlbkFJ` + 74 characters of `[A-Za-z0-9_-]`. The very last one is
/// alphanumeric so the rule's trailing `\b` ends the match at the key's end.
fn openai_key(rng: &mut Rng) -> String {
    format!(
        "sk-proj-{}T3BlbkFJ{}{}",
        rng.string(KEY_CHARS, 74),
        rng.string(KEY_CHARS, 73),
        rng.string(ALNUM, 1)
    )
}

struct Fixture {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    key: String,
    content: String,
}

fn fixture() -> Fixture {
    let seed = Rng::from_entropy().next_u64();
    eprintln!("random seed {seed}");
    let mut rng = Rng::new(seed);
    let key = openai_key(&mut rng);
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().to_path_buf();
    std::fs::create_dir_all(root.join("conf")).unwrap();
    let content = format!("# settings\nOPENAI_API_KEY={key}\nDEBUG=false\n");
    std::fs::write(root.join(FILE), &content).unwrap();
    std::fs::write(root.join("blob.bin"), b"\x00\x01binary").unwrap();
    Fixture {
        _dir: dir,
        root,
        key,
        content,
    }
}

fn leakgate(cwd: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_leakgate"))
        .current_dir(cwd)
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run leakgate");
    // a critical finding fails the build at the default --fail-on low
    assert_eq!(
        out.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn openai_rule() -> RuleSpec {
    builtin_rules()
        .unwrap()
        .into_iter()
        .find(|r| r.id == RULE_ID)
        .expect("built-in openai rule")
}

/// Neither the key nor any 12-character piece of it may appear anywhere (every such piece
/// holds at least 4 random characters; the redacted form shows only the 6-character prefix).
fn assert_no_secret(text: &str, key: &str) {
    assert!(!text.contains(key), "full secret in output");
    let chars: Vec<char> = key.chars().collect();
    for w in chars.windows(12) {
        let piece: String = w.iter().collect();
        assert!(
            !text.contains(&piece),
            "secret material in output at {:?}",
            text.find(&piece)
        );
    }
}

fn key_line_column(content: &str, key: &str) -> (u32, u32) {
    let line = content.lines().position(|l| l.contains(key)).unwrap() + 1;
    let text = content.lines().nth(line - 1).unwrap();
    let col = text[..text.find(key).unwrap()].chars().count() + 1;
    (line as u32, col as u32)
}

fn check_sarif(doc: &Value, fx: &Fixture) {
    let rule = openai_rule();
    let (line, col) = key_line_column(&fx.content, &fx.key);
    let end_col = col + fx.key.chars().count() as u32;

    assert_eq!(
        doc["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(doc["version"], "2.1.0");
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];

    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "leakgate");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    let info_uri = [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty());
    assert_eq!(driver["informationUri"].as_str(), info_uri);

    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 1, "only the rule that fired is listed");
    let r = &rules[0];
    assert_eq!(r["id"], RULE_ID);
    assert_eq!(r["name"], "OpenaiProjectKey");
    assert_eq!(r["shortDescription"]["text"], rule.name.as_str());
    assert_eq!(r["fullDescription"]["text"], rule.description.trim());
    let help_text = r["help"]["text"].as_str().unwrap();
    let help_md = r["help"]["markdown"].as_str().unwrap();
    for help in [help_text, help_md] {
        assert!(
            help.contains(rule.remediation.trim()),
            "remediation in help"
        );
        assert!(help.contains("Revoke or rotate"), "rotation steps in help");
        for link in &rule.references {
            assert!(help.contains(link.as_str()), "reference {link} in help");
        }
    }
    assert_eq!(
        r["helpUri"].as_str(),
        rule.references.first().map(String::as_str)
    );
    assert_eq!(r["defaultConfiguration"]["level"], "error");
    assert_eq!(r["properties"]["security-severity"], "9.5");
    assert_eq!(r["properties"]["precision"], "very-high");
    let tags: Vec<&str> = r["properties"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(&tags[..2], ["security", "secret"]);
    for t in &rule.tags {
        assert!(tags.contains(&t.as_str()), "tag {t}");
    }

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    let res = &results[0];
    assert_eq!(res["ruleId"], RULE_ID);
    assert_eq!(res["ruleIndex"], 0);
    assert_eq!(res["level"], "error");
    let redacted = redact(&fx.key);
    assert_eq!(redacted, format!("{}*****", &fx.key[..6]));
    assert_eq!(
        res["message"]["text"],
        format!(
            "{} found: {redacted} (sha256 {}…).",
            rule.name,
            leakgate::report::short_hash(&fx.key).unwrap()
        )
    );

    let phys = &res["locations"][0]["physicalLocation"];
    let region = &phys["region"];
    assert_eq!(region["startLine"], line);
    assert_eq!(region["startColumn"], col);
    assert_eq!(region["endLine"], line);
    assert_eq!(region["endColumn"], end_col);
    assert_eq!((line, col, end_col), (2, 16, 180));
    assert_eq!(
        region["snippet"]["text"],
        format!("OPENAI_API_KEY={redacted}")
    );

    let fps = &res["partialFingerprints"];
    let lh = fps["primaryLocationLineHash"].as_str().unwrap();
    // what codeql-action computes for this file and line
    assert_eq!(lh, linehash::line_hashes(&fx.content)[line as usize - 1]);
    let (hex, count) = lh.split_once(':').unwrap();
    assert!(
        !hex.is_empty()
            && hex.len() <= 16
            && hex
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(count, "1");
    // the key line is long enough that the line alone determines the hash
    assert_eq!(lh, line_hash(fx.content.lines().nth(1).unwrap()));
    assert_eq!(fps["leakgate/v1"], fingerprint(RULE_ID, &fx.key, FILE));

    let props = &res["properties"];
    assert_eq!(props["fingerprint"], fingerprint(RULE_ID, &fx.key, FILE));
    assert_eq!(props["severity"], "critical");
    assert!(props["entropy"].as_f64().unwrap() > 3.5);

    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["automationDetails"]["id"], "leakgate/");
    let inv = &run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], true);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    let skipped: Vec<&Value> = notes
        .iter()
        .filter(|n| n["message"]["text"].as_str().unwrap().contains("blob.bin"))
        .collect();
    assert_eq!(skipped.len(), 1, "{notes:?}");
    assert_eq!(skipped[0]["level"], "note");
}

#[test]
fn sarif_for_github_code_scanning() {
    let fx = fixture();
    let out = leakgate(&fx.root, &["scan", ".", "--no-ignore", "--format", "sarif"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert_no_secret(&text, &fx.key);
    assert_no_secret(&String::from_utf8_lossy(&out.stderr), &fx.key);
    let doc: Value = serde_json::from_str(&text).expect("SARIF is JSON");
    check_sarif(&doc, &fx);

    let res = &doc["runs"][0]["results"][0];
    let artifact = &res["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(artifact["uri"], "conf/my%20app.env");
    assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    let base = doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );

    // deterministic: a second run prints the same bytes
    let again = leakgate(&fx.root, &["scan", ".", "--no-ignore", "--format", "sarif"]);
    assert_eq!(text, String::from_utf8(again.stdout).unwrap());

    if let Some(tool) = std::env::var_os("LEAKGATE_SARIF_MULTITOOL") {
        multitool_validate(Path::new(&tool), &text);
    } else {
        eprintln!("LEAKGATE_SARIF_MULTITOOL not set: skipping Sarif.Multitool validation");
    }
}

#[test]
fn sarif_paths_outside_the_working_directory_are_file_uris() {
    let fx = fixture();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = fx.root.to_str().unwrap().to_string();
    let out = leakgate(
        elsewhere.path(),
        &["scan", &target, "--no-ignore", "--format", "sarif"],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_no_secret(&text, &fx.key);
    let doc: Value = serde_json::from_str(&text).unwrap();
    let res = &doc["runs"][0]["results"][0];
    let artifact = &res["locations"][0]["physicalLocation"]["artifactLocation"];
    let uri = artifact["uri"].as_str().unwrap();
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/conf/my%20app.env"),
        "{uri}"
    );
    assert!(artifact.get("uriBaseId").is_none());
    // the file is still read back for GitHub's line hash
    assert_eq!(
        res["partialFingerprints"]["primaryLocationLineHash"],
        linehash::line_hashes(&fx.content)[1]
    );
}

#[test]
fn github_annotations() {
    let fx = fixture();
    let rule = openai_rule();
    let out = leakgate(
        &fx.root,
        &["scan", ".", "--no-ignore", "--format", "github"],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_no_secret(&text, &fx.key);
    let fix: Vec<&str> = rule
        .remediation
        .trim()
        .lines()
        .map(str::trim)
        .take_while(|l| !l.is_empty())
        .collect();
    let esc = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| esc(s).replace(':', "%3A").replace(',', "%2C");
    let expected = format!(
        "::error file=conf/my app.env,line=2,col=16,endLine=2,endColumn=180,title={}::{}\n\
         leakgate: 1 finding (1 critical), 1 at or above --fail-on low; 1 file scanned, 1 skipped\n",
        prop(&rule.name),
        esc(&format!(
            "{} found: {} (sha256 {}…). {} [{RULE_ID}]",
            rule.name,
            redact(&fx.key),
            leakgate::report::short_hash(&fx.key).unwrap(),
            fix.join(" ")
        )),
    );
    assert_eq!(text, expected);
}

/// `Sarif.Multitool validate FILE -o OUT --log ForceOverwrite`; OUT must hold no error-level
/// result. The multitool exits 0 even when it finds errors, so OUT is what counts. As a check
/// that this is not vacuous, a deliberately broken copy of the log must produce errors.
fn multitool_validate(tool: &Path, sarif: &str) {
    let errors = multitool::errors(tool, sarif);
    assert!(
        errors.is_empty(),
        "Sarif.Multitool reported errors:\n{}",
        errors.join("\n")
    );

    let mut broken: Value = serde_json::from_str(sarif).unwrap();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    broken["runs"][0]["results"][0]["ruleIndex"] = 7.into();
    let errors = multitool::errors(tool, &broken.to_string());
    assert!(
        errors.len() >= 2,
        "the multitool should reject a broken log: {errors:?}"
    );
}
