//! SARIF 2.1.0 for GitHub code scanning.
//!
//! The log has one run whose driver lists only the rules that fired (sorted by id, with the
//! `security-severity`, `precision` and `tags` properties GitHub reads), one result per finding
//! in the scan's order, and one invocation whose notifications name the files that were not
//! scanned. Secrets are redacted everywhere unless `--reveal`; fingerprints are hashes.
//!
//! GitHub's documented limits are respected: at most [`MAX_RESULTS`] results per run (the most
//! severe are kept and a warning notification says how many were dropped) and at most
//! [`MAX_TAGS`] tags per rule. The output is deterministic: no timestamps, rules sorted.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::Result;
use serde_json::{json, Value};
use serde_sarif::sarif;

use super::{ReportOptions, Reporter, ScanResult};
use crate::finding::Finding;
use crate::rules::{Precision, RuleSpec, Severity};

pub struct Sarif;

/// `$schema` of the log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// GitHub code scanning rejects runs with more results than this.
pub const MAX_RESULTS: usize = 25_000;
/// GitHub code scanning rejects uploads larger than this, gzip-compressed.
pub const MAX_GZIP_BYTES: usize = 10 * 1024 * 1024;
/// Skipped-file notifications listed one by one; the rest are counted in one final note.
pub const MAX_SKIPPED_NOTES: usize = 1_000;
/// Warning notifications listed one by one; the rest are counted in one final note.
pub const MAX_WARNING_NOTES: usize = 1_000;
/// GitHub stores at most 10 tags per rule (and rejects more than 20).
pub const MAX_TAGS: usize = 10;
/// The `uriBaseId` of every relative artifact URI: the directory leakgate ran in.
pub const SRCROOT: &str = "%SRCROOT%";
/// `runs[0].automationDetails.id`: the code scanning category `leakgate`.
pub const AUTOMATION_ID: &str = "leakgate/";

/// SARIF `level` for a severity: critical/high → error, medium → warning, low/info → note.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn result_level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Critical | Severity::High => sarif::ResultLevel::Error,
        Severity::Medium => sarif::ResultLevel::Warning,
        Severity::Low | Severity::Info => sarif::ResultLevel::Note,
    }
}

/// A rule id as a PascalCase friendly name: `openai-project-key` → `OpenaiProjectKey`.
pub fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            match c.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// The result message: rule name, the secret as the report may show it, the validator's note.
/// " Found in archive release.zip." where the path alone does not say where the text came
/// from (see [`crate::finding::Provenance::label`]); empty otherwise.
fn found_in(f: &Finding) -> String {
    f.provenance()
        .label()
        .map(|l| format!(" Found {l}."))
        .unwrap_or_default()
}

pub fn message_text(f: &Finding, opts: &ReportOptions) -> String {
    if super::is_config(f) {
        // configuration finding: say what is wrong; a literal credential stays redacted
        let mut m = format!("{}: {}", f.rule.name, f.note.as_deref().unwrap_or(""));
        if !f.secret.is_empty() {
            m.push_str(&format!(" (value {})", opts.secret_labelled(f)));
        }
        return sentence(&m) + &found_in(f);
    }
    let mut m = format!("{} found: {}", f.rule.name, opts.secret_labelled(f));
    if let Some(chain) = &f.decoded {
        m.push_str(&format!(" (decoded from {chain})"));
    }
    if let Some(note) = &f.note {
        m.push_str(&format!(" ({note})"));
    }
    m.push('.');
    m.push_str(&found_in(f));
    if let Some(c) = &f.commit {
        m.push_str(&format!(
            " Introduced in commit {} ({}).",
            c.sha.get(..12).unwrap_or(&c.sha),
            c.date.get(..10).unwrap_or(&c.date)
        ));
    }
    m
}

mod results;
mod rules;
mod uris;
pub use crate::finding::line_hash::{line_hash, linehash};
pub use results::*;
use rules::*;
pub use uris::*;

#[cfg(test)]
mod tests {
    use super::linehash::line_hashes;
    use super::*;

    /// Expected values were produced by an independent JavaScript re-implementation of
    /// codeql-action's algorithm (BigInt arithmetic), and agree with the values published in
    /// codeql-action's own tests for the same inputs.
    #[test]
    fn line_hashes_match_codeql_action() {
        assert_eq!(line_hashes(""), ["c129715d7a2bc9a3:1"]);
        assert_eq!(
            line_hashes(" a\nb\n  \t\tc\n d"),
            [
                "271789c17abda88f:1",
                "54703d4cd895b18:1",
                "180aee12dab6264:1",
                "a23a3dc5e078b07b:1"
            ]
        );
        let expected = [
            "e9496ae3ebfced30:1",
            "fb7c023a8b9ccb3f:1",
            "ce8ba1a563dcdaca:1",
            "e20e36e16fcb0cc8:1",
            "b3edc88f2938467e:1",
            "c8e28b0b4002a3a0:1",
            "c129715d7a2bc9a3:1",
        ];
        // every line-ending style hashes the same
        for text in [
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
            " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
            " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
            " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
        ] {
            assert_eq!(line_hashes(text), expected, "{text:?}");
        }
    }

    #[test]
    fn repeated_lines_get_occurrence_suffixes() {
        let h = line_hashes(&"Lorem ipsum dolor sit amet.\n".repeat(10));
        assert_eq!(
            &h[..7],
            [
                "a7f2ff13bc495cf2:1",
                "a7f2ff13bc495cf2:2",
                "a7f2ff13bc495cf2:3",
                "a7f2ff13bc495cf2:4",
                "a7f2ff13bc495cf2:5",
                "a7f2ff13bc495cf2:6",
                "a7f2ff1481e87703:1",
            ]
        );
        assert_eq!(h.len(), 11);
        assert_eq!(h[10], "c129715d7a2bc9a3:1");
    }

    #[test]
    fn line_hashes_count_utf16_units() {
        // cross-checked with the JavaScript re-implementation (charCodeAt semantics: the emoji
        // is two code units, é is one)
        assert_eq!(
            line_hashes("é\n😀 x\n"),
            [
                "99d92c7a2013dead:1",
                "6061da4448575c5e:1",
                "c129715d7a2bc9a3:1"
            ]
        );
        // invalid UTF-8 becomes U+FFFD per maximal subpart, as Node's decoder does
        let text = String::from_utf8_lossy(b"ok\xff\xfe line\n\xe2\x82 z\n");
        assert_eq!(
            line_hashes(&text),
            [
                "124f9e1625c08872:1",
                "885e51959f708644:1",
                "c129715d7a2bc9a3:1"
            ]
        );
    }

    #[test]
    fn long_line_hash_needs_only_the_line() {
        let line = format!("  KEY={}", "a1B2c3D4".repeat(20));
        let file = format!("first line\n{line}\nlast line\n");
        let all = line_hashes(&file);
        assert_eq!(line_hash(&line), all[1]);
        let mut wanted = std::collections::BTreeSet::new();
        wanted.insert(2);
        assert_eq!(linehash::hashes_of_lines(&file, &wanted)[&2], all[1]);
    }

    #[test]
    fn line_hash_comes_from_the_content_when_it_holds_the_line() {
        let a = spec("alpha-key", "high");
        // a short line: its hash reaches into the next lines, so only the content gives
        // GitHub's value
        let content = format!("x = 1\ntoken = {SECRET}\ny = 2\n");
        let same = finding(&a, Severity::High, "short.env", 2, SECRET);
        let mut moved = finding(&a, Severity::High, "short.env", 3, SECRET);
        moved.fingerprint = "other".into();
        let mut found = vec![same, moved];
        crate::finding::line_hash::fill(content.as_bytes(), &mut found);
        assert_eq!(found[0].github_line_hash(), line_hashes(&content)[1]);
        assert_ne!(found[0].github_line_hash(), line_hash(&found[0].line_text));
        // line 3 of the content is not the finding's line: the line text decides
        assert_eq!(found[1].line_hash, None);
        assert_eq!(found[1].github_line_hash(), line_hash(&found[1].line_text));
        // the reporter takes what the pipeline computed, and reads no file
        let doc = serde_json::to_value(log(&scan(found, 0), &ReportOptions::default())).unwrap();
        let hashes: Vec<&str> = doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["primaryLocationLineHash"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert!(
            hashes.contains(&line_hashes(&content)[1].as_str()),
            "{hashes:?}"
        );
    }

    #[test]
    fn uris_are_encoded_relative_references() {
        let cwd = Path::new("/work/repo");
        let rel = ArtifactPath::new("src/my file#1.env", Some(cwd));
        assert_eq!(rel, ArtifactPath::Relative("src/my file#1.env".into()));
        let loc = rel.artifact_location();
        assert_eq!(loc.uri.as_deref(), Some("src/my%20file%231.env"));
        assert_eq!(loc.uri_base_id.as_deref(), Some(SRCROOT));
        assert_eq!(
            ArtifactPath::new("/work/repo/a/b.txt", Some(cwd)),
            ArtifactPath::Relative("a/b.txt".into())
        );
        assert_eq!(
            ArtifactPath::new("a/../b/./c:d.txt", Some(cwd))
                .artifact_location()
                .uri
                .as_deref(),
            Some("b/c%3Ad.txt")
        );
        let out = ArtifactPath::new("../other/x.env", Some(cwd));
        assert_eq!(out, ArtifactPath::Absolute("/work/other/x.env".into()));
        assert_eq!(
            out.artifact_location().uri.as_deref(),
            Some("file:///work/other/x.env")
        );
        assert_eq!(out.artifact_location().uri_base_id, None);
        assert_eq!(file_uri("/tmp/é d/"), "file:///tmp/%C3%A9%20d/");
        assert_eq!(file_uri("C:/Users/x"), "file:///C:/Users/x");
    }

    fn spec(id: &str, severity: &str) -> std::sync::Arc<RuleSpec> {
        let yaml = format!(
            "rules:\n  - id: {id}\n    name: Test {id}\n    description: d.\n    severity: {severity}\n    keywords: [\"kw\"]\n    pattern: '(?P<secret>kw[a-z]+)'\n    remediation: Rotate it.\n    tags: [security, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10]\n"
        );
        std::sync::Arc::new(
            crate::rules::parse_rule_file("test", &yaml)
                .unwrap()
                .remove(0),
        )
    }

    fn finding(
        rule: &std::sync::Arc<RuleSpec>,
        severity: Severity,
        path: &str,
        line: u32,
        secret: &str,
    ) -> Finding {
        let line_text = format!("token = {secret}");
        Finding {
            rule: rule.clone(),
            severity,
            precision: Precision::High,
            location: crate::finding::Location {
                path: path.into(),
                line,
                column: 9,
                end_line: line,
                end_column: 9 + secret.len() as u32,
            },
            secret: secret.into(),
            entropy: 4.123,
            note: Some("checksum valid".into()),
            snippet: crate::finding::Snippet {
                text: format!("token = {}", crate::finding::redact(secret)),
                highlight_start: 8,
                highlight_end: 19,
                revealed: Some(line_text.clone()),
            },
            fingerprint: crate::finding::fingerprint(&rule.id, secret, path),
            line_text,
            related: Vec::new(),
            also: Vec::new(),
            occurrences: 1,
            decoded: None,
            commit: None,
            origin: None,
            line_hash: None,
            validation: None,
            companions: Default::default(),
        }
    }

    fn scan(findings: Vec<Finding>, skipped: usize) -> ScanResult {
        ScanResult {
            findings,
            skipped: (0..skipped)
                .map(|i| crate::finding::Skipped {
                    path: format!("bin/{i:05}.dat"),
                    reason: "binary file".into(),
                })
                .collect(),
            warnings: vec!["x: cannot open: denied; not scanned".into()],
            files_scanned: 3,
            bytes_scanned: 10,
            rules_loaded: 2,
            duration: std::time::Duration::from_millis(5),
            targets: vec![".".into()],
            allow_suppressed: 0,
            commits_scanned: None,
            baseline_suppressed: 0,
        }
    }

    const SECRET: &str = "kwabcdefghijklmnopqrstuvwxyz";

    #[test]
    fn rules_results_and_notifications() {
        let a = spec("zeta-key", "medium");
        let b = spec("alpha-key", "high");
        let r = scan(
            vec![
                finding(&a, Severity::Medium, "no/such/dir/x.env", 3, SECRET),
                finding(&b, Severity::High, "no/such/dir/y.env", 1, SECRET),
                finding(&a, Severity::Low, "no/such/dir/z.env", 7, SECRET),
            ],
            MAX_SKIPPED_NOTES + 2,
        );
        let v = serde_json::to_value(log(&r, &ReportOptions::default())).unwrap();
        let text = v.to_string();
        assert!(!text.contains(SECRET));
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0]["id"], "alpha-key");
        assert_eq!(rules[1]["id"], "zeta-key");
        // the most severe finding of a rule sets its default level and security-severity
        assert_eq!(rules[1]["defaultConfiguration"]["level"], "warning");
        assert_eq!(rules[1]["properties"]["security-severity"], "5.5");
        let tags = rules[0]["properties"]["tags"].as_array().unwrap();
        assert_eq!(tags.len(), MAX_TAGS);
        assert_eq!(tags[0], "security");
        assert_eq!(tags[1], "secret");
        assert_eq!(tags.iter().filter(|t| *t == "security").count(), 1);
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        assert_eq!(results[0]["ruleIndex"], 1);
        assert_eq!(results[1]["ruleIndex"], 0);
        assert_eq!(results[2]["level"], "note");
        assert_eq!(
            results[0]["message"]["text"],
            "Test zeta-key found: kwabcd***** (sha256 ef65…) (checksum valid)."
        );
        assert_eq!(results[0]["properties"]["entropy"], 4.12);
        // no hash from the pipeline: it comes from the line text
        assert_eq!(
            results[0]["partialFingerprints"]["primaryLocationLineHash"],
            line_hash(&format!("token = {SECRET}"))
        );
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert_eq!(notes.len(), 1 + MAX_SKIPPED_NOTES + 1);
        assert_eq!(notes[0]["level"], "warning");
        assert_eq!(
            notes[1]["message"]["text"],
            "Not scanned: bin/00000.dat: binary file."
        );
        assert_eq!(
            notes[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "bin/00000.dat"
        );
        assert_eq!(notes.last().unwrap()["message"]["text"], "2 more files were not scanned and not listed here (leakgate --verbose lists them all).");
    }

    #[test]
    fn reveal_shows_the_secret() {
        let a = spec("alpha-key", "high");
        let r = scan(
            vec![finding(&a, Severity::High, "nowhere/x.env", 1, SECRET)],
            0,
        );
        let opts = ReportOptions {
            reveal: true,
            ..Default::default()
        };
        let v = serde_json::to_value(log(&r, &opts)).unwrap();
        let res = &v["runs"][0]["results"][0];
        assert_eq!(
            res["message"]["text"],
            format!("Test alpha-key found: {SECRET} (checksum valid).")
        );
        assert_eq!(
            res["locations"][0]["physicalLocation"]["region"]["snippet"]["text"],
            format!("token = {SECRET}")
        );
    }

    #[test]
    fn stays_under_the_compressed_size_limit() {
        let a = spec("alpha-key", "high");
        let mut rng = crate::examples::Rng::new(3);
        let fs: Vec<Finding> = (0..400)
            .map(|i| {
                let secret = crate::examples::expand("{{alnum:40}}", &mut rng).unwrap();
                let sev = if i % 2 == 0 {
                    Severity::High
                } else {
                    Severity::Low
                };
                finding(&a, sev, &format!("dir{i}/x.env"), 1, &secret)
            })
            .collect();
        let r = scan(fs, 0);
        let opts = ReportOptions::default();
        let full = render(&r, &opts, usize::MAX).unwrap();
        let limit = gzip_len(&full) / 3;
        let small = render(&r, &opts, limit).unwrap();
        assert!(gzip_len(&small) <= limit);
        let v: Value = serde_json::from_slice(&small).unwrap();
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert!(
            !results.is_empty() && results.len() < 200,
            "{}",
            results.len()
        );
        // the most severe are kept
        assert!(results.iter().all(|r| r["level"] == "error"));
        let note = v["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]
            ["text"]
            .as_str()
            .unwrap();
        assert!(
            note.contains(&format!(
                "{} findings were not included",
                400 - results.len()
            )),
            "{note}"
        );
        assert!(note.contains("10 MB (gzip-compressed)"), "{note}");
    }

    #[test]
    fn keeps_the_most_severe_results_within_the_limit() {
        let a = spec("alpha-key", "high");
        let mut fs = Vec::new();
        for i in 0..MAX_RESULTS + 3 {
            let sev = if i % 1000 == 0 {
                Severity::Info
            } else {
                Severity::High
            };
            fs.push(finding(&a, sev, "nowhere/x.env", i as u32 + 1, SECRET));
        }
        let r = scan(fs, 0);
        let v = serde_json::to_value(log(&r, &ReportOptions::default())).unwrap();
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), MAX_RESULTS);
        let note = v["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]
            ["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(note.starts_with("3 findings were not included"), "{note}");
        // dropped: the last three info findings in scan order (lines 23001, 24001, 25001)
        let lines: Vec<u64> = results
            .iter()
            .map(|r| {
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert!(lines.windows(2).all(|w| w[0] < w[1]), "scan order kept");
        for dropped in [23_001u64, 24_001, 25_001] {
            assert!(!lines.contains(&dropped));
        }
        assert!(lines.contains(&1) && lines.contains(&22_001));
        let notes = v["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert_eq!(notes[0]["level"], "warning");
        assert!(notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("3 findings were not included"));
    }

    #[test]
    fn related_locations_are_linked_from_the_message() {
        let a = spec("alpha-key", "high");
        let mut f = finding(&a, Severity::High, "src/app/[slug]/page.tsx", 4, SECRET);
        f.related = vec![
            crate::finding::RelatedLocation {
                location: crate::finding::Location {
                    path: "dist/app.js".into(),
                    line: 1,
                    column: 300,
                    end_line: 1,
                    end_column: 330,
                },
                message: "shipped bundle".into(),
            },
            crate::finding::RelatedLocation {
                // line 0: the file as a whole
                location: crate::finding::Location {
                    path: "dist/[id].js.map".into(),
                    line: 0,
                    column: 0,
                    end_line: 0,
                    end_column: 0,
                },
                message: "source map".into(),
            },
        ];
        let v = serde_json::to_value(log(&scan(vec![f], 0), &ReportOptions::default())).unwrap();
        let res = &v["runs"][0]["results"][0];
        assert_eq!(
            res["message"]["text"],
            "Test alpha-key found: kwabcd***** (sha256 ef65…) (checksum valid). See also: [dist/app.js](1) (shipped bundle); [dist/\\[id\\].js.map](2) (source map)."
        );
        let rel = res["relatedLocations"].as_array().unwrap();
        assert_eq!(rel.len(), 2);
        assert_eq!(rel[0]["id"], 1);
        assert_eq!(rel[0]["message"]["text"], "shipped bundle");
        let p0 = &rel[0]["physicalLocation"];
        assert_eq!(p0["artifactLocation"]["uri"], "dist/app.js");
        assert_eq!(p0["region"]["startColumn"], 300);
        // a whole-file location has no region
        assert_eq!(rel[1]["id"], 2);
        assert_eq!(
            rel[1]["physicalLocation"]["artifactLocation"]["uri"],
            "dist/%5Bid%5D.js.map"
        );
        assert!(rel[1]["physicalLocation"].get("region").is_none());
    }

    #[test]
    fn names_and_levels() {
        assert_eq!(pascal_case("openai-project-key"), "OpenaiProjectKey");
        assert_eq!(pascal_case("aws-s3-key"), "AwsS3Key");
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::High), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Low), "note");
        assert_eq!(level(Severity::Info), "note");
    }
}
