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
    for format in ["text", "json", "sarif", "github"] {
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
