//! Archives end to end: zip (with a nested jar and a GitHub Actions log), npm pack tgz, tar,
//! gzip; a zip bomb, archives nested too deep, and corrupt archives end with warnings.

use std::collections::BTreeSet;
use std::io::Write;

use leakgate::examples::{expand, Rng};
use zip::write::SimpleFileOptions;

#[path = "support/run.rs"]
mod run;
use run::{leakgate, rows};

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn row(p: &str, l: u64, c: u64, r: &str) -> (String, u64, u64, String) {
    (p.to_string(), l, c, r.to_string())
}

#[test]
fn archives_are_scanned_recursively_with_entry_locations() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut rng = Rng::new(5);
    let stripe = expand("sk_live_{{alnum:99}}", &mut rng).unwrap();
    let gh = expand("{{github:ghp}}", &mut rng).unwrap();
    let npm = expand("{{github:npm}}", &mut rng).unwrap();
    let pw = expand("{{alnum:14}}{{digits:2}}", &mut rng).unwrap();

    // a minified bundle: the key starts at column 4031 of line 1
    let lead = format!(
        "{}{}const k=\"",
        "var a=1;".repeat(4021 / 8),
        ";".repeat(4021 % 8)
    );
    assert_eq!(lead.len(), 4030);
    let bundle = format!("{lead}{stripe}\";\n");
    let props = format!("# app\ndb.password={pw}\n");
    let jar = zip_of(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
        ("config/app.properties", props.as_bytes()),
    ]);
    let ci = format!("2024-01-02T03:04:05.1234567Z ##[group]Run deploy\n2024-01-02T03:04:05.1234567Z \x1b[33mdb password\x1b[0m: {pw}\n");
    let app = zip_of(&[
        ("dist/assets/index.js", bundle.as_bytes()),
        ("dist/logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        ("README.md", b"# nothing here\n"),
        ("lib/core.jar", &jar),
        ("logs/build/0_build.txt", ci.as_bytes()),
    ]);
    std::fs::write(root.join("app.zip"), &app).unwrap();

    // an npm pack
    let pkg = tar_of(&[
        (
            "package/package.json",
            b"{\"name\":\"pkg\",\"version\":\"1.0.0\"}\n",
        ),
        (
            "package/dist/index.js",
            format!("'use strict';\n\nconst token = \"{npm}\";\n").as_bytes(),
        ),
    ]);
    std::fs::write(root.join("pkg-1.0.0.tgz"), gzip(&pkg)).unwrap();
    // a plain tar and a gzip-compressed log
    std::fs::write(
        root.join("backup.tar"),
        tar_of(&[("srv/.env", format!("GITHUB_TOKEN={gh}\n").as_bytes())]),
    )
    .unwrap();
    std::fs::write(
        root.join("deploy.log.gz"),
        gzip(format!("2024-01-02T03:04:05Z GITHUB_TOKEN={gh}\n").as_bytes()),
    )
    .unwrap();

    let (code, out, err) = leakgate(&["scan", ".", "--format", "json"], root);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ci_line = ci.lines().nth(1).unwrap();
    let col_pw = ci_line[..ci_line.find(&pw).unwrap()].chars().count() as u64 + 1;
    assert_eq!(
        rows(&out),
        BTreeSet::from([
            row("app.zip!dist/assets/index.js", 1, 4031, "stripe-secret-key"),
            row(
                "app.zip!lib/core.jar!config/app.properties",
                2,
                13,
                "generic-secret-assignment"
            ),
            row(
                "app.zip!logs/build/0_build.txt",
                2,
                col_pw,
                "generic-secret-assignment"
            ),
            row("backup.tar!srv/.env", 1, 14, "github-pat-classic"),
            row("deploy.log.gz!deploy.log", 1, 35, "github-pat-classic"),
            row(
                "pkg-1.0.0.tgz!package/dist/index.js",
                3,
                16,
                "npm-access-token"
            ),
        ])
    );
    let skipped: Vec<&str> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, vec!["app.zip!dist/logo.png"]);
    // text output shows archive!entry:line:col locations
    let (_, text, _) = leakgate(
        &["scan", "app.zip", "--format", "text", "--color", "never"],
        root,
    );
    assert!(text.contains("app.zip!dist/assets/index.js"), "{text}");
    assert!(text.contains("  1:4031  CRITICAL"), "{text}");
    for s in [&stripe, &gh, &npm, &pw] {
        assert!(!text.contains(s.as_str()));
    }
    // SARIF stays valid JSON with archive locations
    let (_, sarif, _) = leakgate(&["scan", ".", "--format", "sarif"], root);
    let s: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(s["runs"][0]["results"].as_array().unwrap().len(), 6);
}

#[test]
fn bombs_deep_nesting_and_corrupt_archives_end_with_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut rng = Rng::new(6);
    let gh = expand("{{github:ghp}}", &mut rng).unwrap();
    // a zip bomb entry (8 MiB of zeros, ~1000:1) next to a real secret
    let zeros = vec![b'0'; 8 << 20];
    let env = format!("GITHUB_TOKEN={gh}\n");
    std::fs::write(
        root.join("bomb.zip"),
        zip_of(&[("big.txt", &zeros), (".env", env.as_bytes())]),
    )
    .unwrap();
    // zips nested six deep
    let mut nested = zip_of(&[("deep.env", env.as_bytes())]);
    for i in 0..5 {
        nested = zip_of(&[(&format!("level{i}.zip"), &nested)]);
    }
    std::fs::write(root.join("nested.zip"), &nested).unwrap();
    // corrupt: random bytes, a truncated zip, a tgz with a broken stream
    std::fs::write(root.join("random.jar"), rng.bytes(5000)).unwrap();
    let good = zip_of(&[("a.txt", b"hello"), ("b.txt", &rng.bytes(3000))]);
    std::fs::write(root.join("truncated.zip"), &good[..good.len() / 2]).unwrap();
    // its content must never show up in a warning (decoder messages can quote it)
    let marker = "ZZ-content-marker-ZZ;".repeat(5000);
    let mut tgz = gzip(&tar_of(&[
        ("package/a.js", &[b'a'; 512]),
        ("package/b.js", marker.as_bytes()),
    ]));
    let n = tgz.len();
    tgz[n / 2..].iter_mut().for_each(|b| *b = !*b);
    std::fs::write(root.join("broken.tgz"), &tgz).unwrap();
    std::fs::write(root.join("empty.tar.gz"), b"").unwrap();

    let (code, out, err) = leakgate(&["scan", ".", "--format", "json"], root);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        rows(&out),
        BTreeSet::from([row("bomb.zip!.env", 1, 14, "github-pat-classic")])
    );
    let warnings: Vec<String> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    let has = |path: &str, words: &str| {
        warnings
            .iter()
            .any(|w| w.starts_with(path) && w.contains(words))
    };
    assert!(
        has("bomb.zip!big.txt", "possible zip bomb"),
        "{warnings:#?}"
    );
    assert!(
        has(
            "nested.zip!level4.zip!level3.zip!level2.zip!level1.zip",
            "nested deeper than 4"
        ),
        "{warnings:#?}"
    );
    assert!(has("random.jar", "not a readable zip"), "{warnings:#?}");
    assert!(has("truncated.zip", "not a readable zip"), "{warnings:#?}");
    assert!(has("broken.tgz", "corrupt"), "{warnings:#?}");
    assert!(has("empty.tar.gz", ""), "{warnings:#?}");
    // every warned-about archive is also listed as skipped, with a reason
    let skipped: Vec<&str> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    for p in [
        "bomb.zip!big.txt",
        "random.jar",
        "truncated.zip",
        "broken.tgz",
        "empty.tar.gz",
    ] {
        assert!(
            skipped.iter().any(|s| s.starts_with(p)),
            "{p} not in {skipped:?}"
        );
    }
    // the plain text summary names them on stderr
    let (_, _, err) = leakgate(&["scan", ".", "-q"], root);
    assert!(!err.contains(gh.as_str()));
    let (_, _, err) = leakgate(&["scan", "."], root);
    assert!(
        err.contains("bomb.zip!big.txt") && err.contains("random.jar"),
        "{err}"
    );
}
