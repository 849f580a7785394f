//! Source maps and minified bundles, end to end on the real binary.
//!
//! [`build_app`] writes a small Vite/webpack-style built app: bundles with hand-placed
//! source-map segments (encoded here with an independent VLQ encoder, not the decoder's
//! crate), a map with `sourcesContent`, a map without it referenced by `sourceMappingURL`,
//! and an inline base64 map. `testdata/webapp-dist` is this app built with [`TESTDATA_SEED`];
//! the other tests build it with fresh random credentials. Expected findings are computed
//! from the generated text, and every test asserts exact paths, lines, columns and rules.

#[path = "support/multitool.rs"]
mod multitool;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use leakgate::examples::{expand, github_style_token, Rng};
use serde_json::{json, Value};

/// Seed of the committed `testdata/webapp-dist`.
const TESTDATA_SEED: u64 = 20_260_523;
const TESTDATA_DIR: &str = "testdata/webapp-dist";

// ---------------------------------------------------------------------------------------------
// A tiny bundler: text plus source-map segments

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn vlq(v: i64, out: &mut String) {
    let mut n = if v < 0 { ((-v) << 1) | 1 } else { v << 1 };
    loop {
        let mut d = n & 31;
        n >>= 5;
        if n > 0 {
            d |= 32;
        }
        out.push(B64[d as usize] as char);
        if n == 0 {
            break;
        }
    }
}

fn utf16(s: &str) -> u32 {
    s.encode_utf16().count() as u32
}

/// Where a secret ended up: 1-based line and column (characters) in some file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Pos {
    path: String,
    line: u32,
    column: u32,
}

#[derive(Default)]
struct Bundle {
    text: String,
    line: u32,
    col16: u32,
    col: u32,
    /// (generated line, generated UTF-16 column, source, source line, source UTF-16 column)
    segs: Vec<(u32, u32, u32, u32, u32)>,
    sources: Vec<(String, String)>,
}

impl Bundle {
    fn source(&mut self, name: &str, content: &str) -> u32 {
        self.sources.push((name.to_string(), content.to_string()));
        self.sources.len() as u32 - 1
    }

    /// Append `text`; with `at = (source, line0, anchor)`, start a segment mapped to the first
    /// `anchor` on that source line. Returns the 1-based (line, column) where `text` starts.
    fn push(&mut self, text: &str, at: Option<(u32, u32, &str)>) -> (u32, u32) {
        if let Some((src, line0, anchor)) = at {
            let l = self.sources[src as usize]
                .1
                .lines()
                .nth(line0 as usize)
                .unwrap();
            let b = l
                .find(anchor)
                .unwrap_or_else(|| panic!("{anchor:?} in {l:?}"));
            self.segs
                .push((self.line, self.col16, src, line0, utf16(&l[..b])));
        }
        let start = (self.line + 1, self.col + 1);
        for c in text.chars() {
            if c == '\n' {
                self.line += 1;
                self.col16 = 0;
                self.col = 0;
            } else {
                self.col16 += c.len_utf16() as u32;
                self.col += 1;
            }
        }
        self.text.push_str(text);
        start
    }

    fn mappings(&self) -> String {
        let mut out = String::new();
        let (mut src, mut sl, mut sc) = (0i64, 0i64, 0i64);
        let mut line = 0;
        let mut first = true;
        let mut gc = 0i64;
        for &(l, c, s, ol, oc) in &self.segs {
            while line < l {
                out.push(';');
                line += 1;
                first = true;
                gc = 0;
            }
            if !first {
                out.push(',');
            }
            first = false;
            vlq(c as i64 - gc, &mut out);
            vlq(s as i64 - src, &mut out);
            vlq(ol as i64 - sl, &mut out);
            vlq(oc as i64 - sc, &mut out);
            gc = c as i64;
            src = s as i64;
            sl = ol as i64;
            sc = oc as i64;
        }
        out
    }

    fn map(&self, file: &str, with_content: bool) -> Value {
        let mut m = json!({
            "version": 3,
            "file": file,
            "sources": self.sources.iter().map(|s| s.0.clone()).collect::<Vec<_>>(),
            "names": [],
            "mappings": self.mappings(),
        });
        if with_content {
            m["sourcesContent"] = self.sources.iter().map(|s| s.1.clone()).collect();
        }
        m
    }
}

fn column_of(text: &str, line0: usize, needle: &str) -> u32 {
    let l = text.lines().nth(line0).unwrap();
    l[..l.find(needle).unwrap()].chars().count() as u32 + 1
}

// ---------------------------------------------------------------------------------------------
// The app

/// One expected finding: location, rule and related locations (line 0: the whole file).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expect {
    at: Pos,
    rule: String,
    related: Vec<Pos>,
}

struct App {
    files: BTreeMap<String, String>,
    /// Originals that exist only inside a map: (path, text).
    map_only: Vec<(String, String)>,
    secrets: Vec<String>,
    expected: Vec<Expect>,
}

fn pos(path: &str, line: u32, column: u32) -> Pos {
    Pos {
        path: path.to_string(),
        line,
        column,
    }
}

/// Build the app with credentials from `seed`. Paths are relative to the app's root.
fn build_app(seed: u64) -> App {
    let mut rng = Rng::new(seed);
    let aws = expand("AKIA{{base32:16}}", &mut rng).unwrap();
    let stripe = expand("sk_live_{{alnum:99}}", &mut rng).unwrap();
    let openai = expand("sk-proj-{{alnum:58}}T3BlbkFJ{{alnum:58}}", &mut rng).unwrap();
    let github = github_style_token(&mut rng, "ghp");
    let anthropic = expand("sk-ant-api03-{{base64url:93}}AA", &mut rng).unwrap();
    let mut files = BTreeMap::new();
    let mut expected = Vec::new();
    files.insert(
        "package.json".to_string(),
        "{\n  \"name\": \"webapp\",\n  \"private\": true,\n  \"scripts\": { \"build\": \"vite build\" }\n}\n"
            .to_string(),
    );
    files.insert(
        "dist/index.html".to_string(),
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>webapp</title><script type=\"module\" crossorigin src=\"/assets/index-4f2a9c1e.js\"></script></head><body><div id=\"app\"></div><script src=\"/assets/widget-91c4e8aa.js\"></script></body></html>\n".to_string(),
    );

    // 1. Vite: index bundle + map with sourcesContent; src/lib/api.ts is not on disk any more
    //    (the key was removed from the code, but the deployed map still ships it)
    let mut b = Bundle::default();
    let analytics = b.source(
        "../../node_modules/tiny-analytics/index.js",
        &format!("export function track(event) {{\n  const id = \"{aws}\";\n  navigator.sendBeacon(\"https://collect.example.com/e?k=\" + id, event);\n}}\n"),
    );
    let api_src = format!(
        "// Payments client (a server key by mistake: it ships to every browser)\nexport function createApi() {{\n  const base = \"https://api.example.com\";\n  const stripeKey = \"{stripe}\";\n  return {{\n    get: (path: string) =>\n      fetch(base + path, {{ headers: {{ Authorization: `Bearer ${{stripeKey}}` }} }}).then((r) => r.json()),\n  }};\n}}\n"
    );
    let api = b.source("../../src/lib/api.ts", &api_src);
    let main = b.source(
        "../../src/main.ts",
        "import { createApi } from \"./lib/api\";\nimport { track } from \"tiny-analytics\";\n\nconst api = createApi();\ntrack(\"boot\");\napi.get(\"/me\").then((me) => console.log(me));\n",
    );
    let poly = b.source(
        "\u{0}vite/modulepreload-polyfill.js",
        "(function polyfill() {\n  const relList = document.createElement(\"link\").relList;\n})();\n",
    );
    b.push("(function(){", Some((poly, 0, "(function")));
    b.push(
        "const p=document.createElement(\"link\").relList;",
        Some((poly, 1, "const")),
    );
    b.push("})();", Some((poly, 2, "})")));
    b.push("function r(t){", Some((analytics, 0, "function")));
    b.push("const e=", Some((analytics, 1, "const")));
    let (l, c) = b.push(&format!("\"{aws}\""), Some((analytics, 1, "\"")));
    let aws_bundle = (l, c + 1);
    b.push(
        ";navigator.sendBeacon(\"https://collect.example.com/e?k=\"+e,t)}",
        Some((analytics, 2, "navigator")),
    );
    b.push("function n(){", Some((api, 1, "function")));
    b.push(
        "const t=\"https://api.example.com\",",
        Some((api, 2, "const")),
    );
    b.push("e=", Some((api, 3, "stripeKey")));
    let (l, c) = b.push(&format!("\"{stripe}\""), Some((api, 3, "\"")));
    let stripe_bundle = (l, c + 1);
    b.push(
        ";return{get:s=>fetch(t+s,{headers:{Authorization:`Bearer ${e}`}}).then(o=>o.json())}}",
        Some((api, 4, "return")),
    );
    b.push("const i=n();", Some((main, 3, "const")));
    b.push("r(\"boot\");", Some((main, 4, "track")));
    b.push(
        "i.get(\"/me\").then(t=>console.log(t));",
        Some((main, 5, "api")),
    );
    b.push("\n//# sourceMappingURL=index-4f2a9c1e.js.map\n", None);
    let index_js = "dist/assets/index-4f2a9c1e.js";
    let index_map = "dist/assets/index-4f2a9c1e.js.map";
    let map_text = b.map("index-4f2a9c1e.js", true).to_string();
    let in_map = |secret: &str| {
        let i = map_text.find(secret).unwrap();
        pos(index_map, 1, map_text[..i].chars().count() as u32 + 1)
    };
    expected.push(Expect {
        at: pos(
            "node_modules/tiny-analytics/index.js",
            2,
            column_of(&b.sources[0].1, 1, &aws),
        ),
        rule: "aws-access-key-id".into(),
        related: vec![pos(index_js, aws_bundle.0, aws_bundle.1), in_map(&aws)],
    });
    expected.push(Expect {
        at: pos("src/lib/api.ts", 4, column_of(&api_src, 3, &stripe)),
        rule: "stripe-secret-key".into(),
        related: vec![
            pos(index_js, stripe_bundle.0, stripe_bundle.1),
            in_map(&stripe),
        ],
    });
    files.insert(index_js.to_string(), b.text.clone());
    files.insert(index_map.to_string(), map_text.clone());

    // 2. A map without sourcesContent, named by sourceMappingURL; the sources are on disk.
    //    The GitHub token was injected at build time (import.meta.env), so the original line
    //    does not hold it: the finding stays in the bundle.
    let config_src = format!(
        "// Shared configuration for the admin panel.\nexport const config = {{\n  openaiKey: \"{openai}\",\n  model: \"gpt-4o-mini\",\n}};\n"
    );
    let admin_src = "import { config } from \"./config\";\n\nconst githubToken = import.meta.env.VITE_GITHUB_TOKEN;\nexport async function listRepos() {\n  const r = await fetch(\"https://api.github.com/user/repos\", { headers: { Authorization: `token ${githubToken}` } });\n  return r.json();\n}\nconsole.log(config.model);\n".to_string();
    let mut b = Bundle::default();
    let config = b.source("../../src/config.ts", &config_src);
    let admin = b.source("../../src/admin.ts", &admin_src);
    b.push("const o={", Some((config, 1, "export")));
    b.push("openaiKey:", Some((config, 2, "openaiKey")));
    let (l, c) = b.push(&format!("\"{openai}\""), Some((config, 2, "\"")));
    let openai_bundle = (l, c + 1);
    b.push(",model:\"gpt-4o-mini\"};", Some((config, 3, "model")));
    b.push("const n=", Some((admin, 2, "const")));
    let (l, c) = b.push(&format!("\"{github}\""), Some((admin, 2, "import.meta")));
    let github_bundle = (l, c + 1);
    b.push(
        ";async function c(){return(await fetch(\"https://api.github.com/user/repos\",{headers:{Authorization:`token ${n}`}})).json()}",
        Some((admin, 3, "async")),
    );
    b.push(
        "console.log(o.model);export{c as listRepos};",
        Some((admin, 7, "console")),
    );
    b.push("\n//# sourceMappingURL=admin-7b3e0d52.js.map\n", None);
    let admin_js = "dist/assets/admin-7b3e0d52.js";
    let admin_map = "dist/assets/admin-7b3e0d52.js.map";
    expected.push(Expect {
        at: pos("src/config.ts", 3, column_of(&config_src, 2, &openai)),
        rule: "openai-project-key".into(),
        related: vec![
            pos(admin_js, openai_bundle.0, openai_bundle.1),
            pos(admin_map, 0, 0),
        ],
    });
    expected.push(Expect {
        at: pos(admin_js, github_bundle.0, github_bundle.1),
        rule: "github-pat-classic".into(),
        related: vec![pos(
            "src/admin.ts",
            3,
            column_of(&admin_src, 2, "import.meta"),
        )],
    });
    files.insert("src/config.ts".into(), config_src);
    files.insert("src/admin.ts".into(), admin_src);
    files.insert(admin_js.into(), b.text.clone());
    files.insert(
        admin_map.into(),
        b.map("admin-7b3e0d52.js", false).to_string(),
    );

    // 3. webpack: an inline base64 map, webpack:// sources, emoji (two UTF-16 units each)
    //    before the key on both the bundle line and the original line. The segment before the
    //    key's string belongs to the previous original line, so a column counted in characters
    //    instead of UTF-16 units would map the key to the wrong line.
    let chat_src = format!(
        "// Support chat widget.\nconst greeting = \"👋 Hi! Ask us anything 🤖\";\nconst anthropicKey = /* 🔑 */ \"{anthropic}\";\nexport function ask(q: string) {{\n  return fetch(\"https://api.anthropic.com/v1/messages\", {{ method: \"POST\", headers: {{ \"x-api-key\": anthropicKey }}, body: q }});\n}}\n"
    );
    let mut b = Bundle::default();
    let runtime = b.source(
        "webpack://webapp/webpack/runtime/define property getters",
        "__webpack_require__.d = (exports, definition) => {\n  for (var key in definition) Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });\n};\n",
    );
    let chat = b.source("webpack://webapp/./src/widget/chat.ts", &chat_src);
    b.push("(()=>{\"use strict\";", Some((runtime, 0, "__webpack")));
    b.push(
        "var e={};e.d=(t,n)=>{for(var r in n)Object.defineProperty(t,r,{enumerable:!0,get:n[r]})};\n",
        Some((runtime, 1, "for")),
    );
    b.push("const g=", Some((chat, 1, "const")));
    b.push("\"👋 Hi! Ask us anything 🤖\",k=", Some((chat, 1, "\"")));
    let (l, c) = b.push(&format!("\"{anthropic}\""), Some((chat, 2, "\"")));
    let anthropic_bundle = (l, c + 1);
    b.push(
        ";window.ask=q=>fetch(\"https://api.anthropic.com/v1/messages\",{method:\"POST\",headers:{\"x-api-key\":k},body:q});",
        Some((chat, 4, "return")),
    );
    b.push("\n})();\n", None);
    let (map_line, _) = b.push("//# sourceMappingURL=", None);
    let map_json = b.map("widget-91c4e8aa.js", true).to_string();
    use base64::Engine;
    let inline = base64::engine::general_purpose::STANDARD.encode(map_json);
    b.push(
        &format!("data:application/json;charset=utf-8;base64,{inline}\n"),
        None,
    );
    let widget_js = "dist/assets/widget-91c4e8aa.js";
    expected.push(Expect {
        at: pos("src/widget/chat.ts", 3, column_of(&chat_src, 2, &anthropic)),
        rule: "anthropic-api-key".into(),
        related: vec![
            pos(widget_js, anthropic_bundle.0, anthropic_bundle.1),
            pos(widget_js, map_line, 22),
        ],
    });
    files.insert(widget_js.into(), b.text);

    expected.sort();
    let map_only = vec![
        ("src/lib/api.ts".to_string(), api_src),
        ("src/widget/chat.ts".to_string(), chat_src),
    ];
    App {
        files,
        map_only,
        secrets: vec![aws, stripe, openai, github, anthropic],
        expected,
    }
}

fn write_app(app: &App, root: &Path) {
    for (path, text) in &app.files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// `expected` with every path under `prefix/`.
fn under(prefix: &str, expected: &[Expect]) -> Vec<Expect> {
    let p = |x: &Pos| Pos {
        path: format!("{prefix}/{}", x.path),
        ..x.clone()
    };
    expected
        .iter()
        .map(|e| Expect {
            at: p(&e.at),
            rule: e.rule.clone(),
            related: e.related.iter().map(p).collect(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Running leakgate

/// Run leakgate; `scan` runs secrets only (`--no-lint`): configuration checks such as
/// `source-maps-in-build-output` have their own tests in tests/lint.rs.
fn leakgate(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leakgate"));
    cmd.args(args);
    if args.first() == Some(&"scan") {
        cmd.arg("--no-lint");
    }
    let out = cmd
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_findings(json: &str) -> Vec<Expect> {
    let v: Value = serde_json::from_str(json).unwrap();
    let p = |f: &Value| Pos {
        path: f["path"].as_str().unwrap().to_string(),
        line: f["line"].as_u64().unwrap() as u32,
        column: f["column"].as_u64().unwrap() as u32,
    };
    let mut out: Vec<Expect> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| Expect {
            at: p(f),
            rule: f["rule_id"].as_str().unwrap().to_string(),
            related: f["related"].as_array().unwrap().iter().map(p).collect(),
        })
        .collect();
    out.sort();
    out
}

fn assert_no_secrets(text: &str, secrets: &[String]) {
    for s in secrets {
        assert!(!text.contains(s.as_str()), "output contains a full secret");
        let chars: Vec<char> = s.chars().collect();
        for w in chars.windows(12).skip(6) {
            let piece: String = w.iter().collect();
            assert!(!text.contains(&piece), "output contains part of a secret");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn built_app_findings_point_at_the_original_sources() {
    let seed = Rng::from_entropy().next_u64();
    eprintln!("seed {seed}");
    let app = build_app(seed);
    let dir = tempfile::tempdir().unwrap();
    write_app(&app, dir.path());
    let (code, out, err) = leakgate(&["scan", ".", "--format", "json"], dir.path());
    assert_eq!(code, 1, "{err}");
    assert_eq!(json_findings(&out), app.expected, "seed {seed}\n{out}");
    assert!(!err.contains("warning"), "{err}");
    assert_no_secrets(&out, &app.secrets);
    // scanning only dist/ (as CI does after a build): originals that exist on disk keep their
    // paths; those that exist only inside a map (outside the scanned tree) are shown in it
    let (_, out, _) = leakgate(&["scan", "dist", "--format", "json"], dir.path());
    let inside = |e: &Expect| {
        let mut e = e.clone();
        e.at.path = match e.at.path.as_str() {
            "src/lib/api.ts" | "node_modules/tiny-analytics/index.js" => {
                format!("dist/assets/index-4f2a9c1e.js.map!/{}", e.at.path)
            }
            "src/widget/chat.ts" => format!("dist/assets/widget-91c4e8aa.js!/{}", e.at.path),
            _ => e.at.path,
        };
        e
    };
    let mut dist_only: Vec<Expect> = app.expected.iter().map(inside).collect();
    dist_only.sort();
    assert_eq!(json_findings(&out), dist_only, "dist only, seed {seed}");
    // with the originals back on disk, each secret is still one finding, at the same place
    for (path, text) in &app.map_only {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let (_, out, _) = leakgate(&["scan", ".", "--format", "json"], dir.path());
    assert_eq!(
        json_findings(&out),
        app.expected,
        "originals on disk, seed {seed}"
    );
    for format in ["text", "sarif", "github"] {
        let (_, out, err) = leakgate(&["scan", ".", "--format", format], dir.path());
        assert_no_secrets(&out, &app.secrets);
        assert_no_secrets(&err, &app.secrets);
    }
}

#[test]
fn testdata_webapp_dist_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(TESTDATA_DIR);
    let app = build_app(TESTDATA_SEED);
    if std::env::var_os("LEAKGATE_WRITE_TESTDATA").is_some() {
        write_app(&app, &root);
    }
    for (path, text) in &app.files {
        let on_disk = std::fs::read_to_string(root.join(path))
            .unwrap_or_else(|e| panic!("{TESTDATA_DIR}/{path}: {e}"));
        assert!(
            &on_disk == text,
            "{TESTDATA_DIR}/{path} is stale: rerun with LEAKGATE_WRITE_TESTDATA=1"
        );
    }
}

#[test]
fn testdata_sarif_points_at_src_lines() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let app = build_app(TESTDATA_SEED);
    let expected = under(TESTDATA_DIR, &app.expected);
    let (code, out, err) = leakgate(&["scan", TESTDATA_DIR, "--format", "json"], repo);
    assert_eq!(code, 1, "{err}");
    assert_eq!(json_findings(&out), expected);

    let (_, sarif, _) = leakgate(&["scan", TESTDATA_DIR, "--format", "sarif"], repo);
    assert_no_secrets(&sarif, &app.secrets);
    let doc: Value = serde_json::from_str(&sarif).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let mut got = Vec::new();
    for r in results {
        let phys = &r["locations"][0]["physicalLocation"];
        let at = Pos {
            path: phys["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_string(),
            line: phys["region"]["startLine"].as_u64().unwrap() as u32,
            column: phys["region"]["startColumn"].as_u64().unwrap() as u32,
        };
        let related: Vec<Pos> = r["relatedLocations"]
            .as_array()
            .map(|a| {
                a.iter()
                    .enumerate()
                    .map(|(i, l)| {
                        assert_eq!(l["id"], i as u64 + 1);
                        let p = &l["physicalLocation"];
                        Pos {
                            path: p["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                            line: p["region"]["startLine"].as_u64().unwrap_or(0) as u32,
                            column: p["region"]["startColumn"].as_u64().unwrap_or(0) as u32,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        // the message links every related location
        let text = r["message"]["text"].as_str().unwrap();
        for (i, rel) in related.iter().enumerate() {
            let link = format!("[{}]({})", rel.path, i + 1);
            assert!(text.contains(&link), "{text} lacks {link}");
        }
        got.push(Expect {
            at,
            rule: r["ruleId"].as_str().unwrap().to_string(),
            related,
        });
    }
    got.sort();
    assert_eq!(got, expected);
    let stripe = got.iter().find(|e| e.rule == "stripe-secret-key").unwrap();
    assert_eq!(stripe.at.path, "testdata/webapp-dist/src/lib/api.ts");
    if let Some(tool) = multitool::tool() {
        let errors = multitool::errors(&tool, &sarif);
        assert!(errors.is_empty(), "Sarif.Multitool: {errors:#?}");
    } else {
        eprintln!("LEAKGATE_SARIF_MULTITOOL not set: skipping Sarif.Multitool validation");
    }

    // text: the finding, then where it ships
    let (_, text, _) = leakgate(
        &["scan", TESTDATA_DIR, "--format", "text", "--color", "never"],
        repo,
    );
    let via = format!(
        "      via: {}:{}:{} (shipped bundle, mapped back to the original source through its source map)",
        stripe.related[0].path,
        stripe.related[0].line,
        stripe.related[0].column
    );
    assert!(text.contains(&via), "{text}");
}

/// Write `files` under a fresh directory.
fn tree(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn warnings(json: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(json).unwrap();
    v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn index_maps_hidden_maps_and_maps_without_sources_content() {
    let mut rng = Rng::new(Rng::from_entropy().next_u64());
    let aws = expand("AKIA{{base32:16}}", &mut rng).unwrap();
    let stripe = expand("sk_live_{{alnum:99}}", &mut rng).unwrap();
    // section A (bundle line 1): a.ts with sourcesContent
    let a_src = format!("// a\nexport const id = \"{aws}\";\n");
    let mut a = Bundle::default();
    let s = a.source("a.ts", &a_src);
    a.push("export const i=", Some((s, 1, "export")));
    let (_, c) = a.push(&format!("\"{aws}\";"), Some((s, 1, "\"")));
    let aws_col = c + 1;
    // section B (bundle line 2): gone.ts, no sourcesContent and not on disk
    let gone_src = format!("// gone\n\nconst key = \"{stripe}\";\n");
    let mut b = Bundle::default();
    let s = b.source("../src/gone.ts", &gone_src);
    b.push("const k=", Some((s, 2, "const")));
    let (_, c) = b.push(&format!("\"{stripe}\";"), Some((s, 2, "\"")));
    let stripe_col = c + 1;
    let index = json!({
        "version": 3,
        "file": "lib.js",
        "sections": [
            { "offset": { "line": 0, "column": 0 }, "map": a.map("lib.js", true) },
            { "offset": { "line": 1, "column": 0 }, "map": b.map("lib.js", false) },
            { "offset": { "line": 5, "column": 0 }, "url": "vendor.js.map" },
        ]
    });
    // no sourceMappingURL comment ("hidden" map): found as lib.js.map beside the bundle
    let bundle = format!("{}\n{}\n", a.text, b.text);
    let dir = tree(&[
        ("app/lib.js", bundle),
        ("app/lib.js.map", index.to_string()),
    ]);
    let (code, out, err) = leakgate(&["scan", ".", "--format", "json"], dir.path());
    assert_eq!(code, 1, "{err}");
    let map_text = index.to_string();
    let aws_in_map = map_text[..map_text.find(&aws).unwrap()].chars().count() as u32 + 1;
    let mut expected = vec![
        Expect {
            at: pos("app/a.ts", 2, column_of(&a_src, 1, &aws)),
            rule: "aws-access-key-id".into(),
            related: vec![
                pos("app/lib.js", 1, aws_col),
                pos("app/lib.js.map", 1, aws_in_map),
            ],
        },
        Expect {
            // no original text: the map's position is trusted
            at: pos("src/gone.ts", 3, column_of(&gone_src, 2, &stripe)),
            rule: "stripe-secret-key".into(),
            related: vec![
                pos("app/lib.js", 2, stripe_col),
                pos("app/lib.js.map", 0, 0),
            ],
        },
    ];
    expected.sort();
    assert_eq!(json_findings(&out), expected);
    assert_eq!(
        warnings(&out),
        ["app/lib.js.map: index map section 2 refers to another file (vendor.js.map); not followed"]
    );
}

#[test]
fn bad_maps_warn_and_keep_their_plain_findings() {
    let mut rng = Rng::new(Rng::from_entropy().next_u64());
    let mut key = || expand("sk_live_{{alnum:99}}", &mut rng).unwrap();
    let (k1, k2, k3, k4, k5) = (key(), key(), key(), key(), key());
    // serde quotes a value of the wrong type in its error message: the warning must not
    let wrong_type = format!("{{\"version\":3,\"sources\":\"{k5}\",\"mappings\":\"\"}}");
    let truncated =
        format!("{{\"version\":3,\"sources\":[\"a.ts\"],\"sourcesContent\":[\"const k = '{k1}';");
    let bad_vlq_map = json!({
        "version": 3, "sources": ["a.ts"], "sourcesContent": ["export {}\n"],
        "names": [], "mappings": "!!!!;AAAA,ZZZZZZZZZZZZZZ"
    });
    let dir = tree(&[
        ("bad/truncated.js.map", truncated),
        ("bad/wrong-type.js.map", wrong_type.clone()),
        (
            "bad/no-sources.js.map",
            "{\"version\":3,\"mappings\":\"AAAA\"}".into(),
        ),
        ("bad/other.map", "{\"tiles\":[1,2,3]}".into()),
        (
            "bad/linker.map",
            "Memory Configuration\n\nName Origin Length\n.text 0x08000000 0x1000\n".into(),
        ),
        (
            "bad/inline.js",
            format!("const k=\"{k2}\";\n//# sourceMappingURL=data:application/json;base64,!!!!\n"),
        ),
        (
            "bad/vlq.js",
            format!("const k=\"{k3}\";\n//# sourceMappingURL=vlq.js.map\n"),
        ),
        ("bad/vlq.js.map", bad_vlq_map.to_string()),
        (
            "bad/missing.js",
            format!("const k=\"{k4}\";\n//# sourceMappingURL=https://cdn.example.com/x.js.map\n"),
        ),
    ]);
    let (code, out, err) = leakgate(&["scan", ".", "--format", "json"], dir.path());
    assert_eq!(code, 1, "{err}");
    let col = |line: &str, k: &str| line[..line.find(k).unwrap()].chars().count() as u32 + 1;
    let trunc_line = std::fs::read_to_string(dir.path().join("bad/truncated.js.map")).unwrap();
    let rule = "stripe-secret-key".to_string();
    let f = |path: &str, column: u32| Expect {
        at: pos(path, 1, column),
        rule: rule.clone(),
        related: vec![],
    };
    let mut expected = vec![
        f("bad/truncated.js.map", col(&trunc_line, &k1)),
        f("bad/wrong-type.js.map", col(&wrong_type, &k5)),
        f("bad/inline.js", 10),
        f("bad/vlq.js", 10),
        f("bad/missing.js", 10),
    ];
    expected.sort();
    assert_eq!(json_findings(&out), expected);
    let w = warnings(&out);
    let has = |path: &str, what: &str| {
        assert!(
            w.iter().any(|x| x.starts_with(path) && x.contains(what)),
            "no warning for {path} ({what}): {w:#?}"
        )
    };
    has(
        "bad/truncated.js.map: not a valid source map (truncated JSON at line 1 column",
        "scanned as a plain file",
    );
    has(
        "bad/wrong-type.js.map: not a valid source map (unexpected structure at line 1 column",
        "scanned as a plain file",
    );
    has(
        "bad/no-sources.js.map: source map without \"sources\"",
        "scanned as a plain file",
    );
    has(
        "bad/inline.js (inline source map): not decoded: invalid base64",
        "plain file",
    );
    has(
        "bad/vlq.js.map: source map mappings not decoded",
        "reported in the bundle",
    );
    assert_eq!(w.len(), 5, "{w:#?}");
    let all = [k1, k2, k3, k4, k5];
    assert_no_secrets(&err, &all);
    assert_no_secrets(&out, &all);
}

#[test]
fn allow_comments_and_allowed_paths_of_originals_apply_to_maps_and_bundles() {
    let mut rng = Rng::new(Rng::from_entropy().next_u64());
    let key = expand("sk_live_{{alnum:99}}", &mut rng).unwrap();
    let other = expand("sk_live_{{alnum:99}}", &mut rng).unwrap();
    // the allow comment is in the original only: minifiers drop comments
    let src = format!("// test fixture\nconst k = \"{key}\"; // leakgate:allow\n");
    // a source under a path the config allows
    let fixture = format!("export const other = \"{other}\";\n");
    let mut b = Bundle::default();
    let s = b.source("../src/fixture.ts", &src);
    let f = b.source("../src/fixtures/keys.ts", &fixture);
    b.push("const k=", Some((s, 1, "const")));
    b.push(&format!("\"{key}\";"), Some((s, 1, "\"")));
    b.push("const o=", Some((f, 0, "export")));
    b.push(&format!("\"{other}\";"), Some((f, 0, "\"")));
    b.push("\n//# sourceMappingURL=app.js.map\n", None);
    let dir = tree(&[
        ("dist/app.js", b.text.clone()),
        ("dist/app.js.map", b.map("app.js", true).to_string()),
        (".leakgate.yml", "allow:\n  paths: [src/fixtures]\n".into()),
    ]);
    let (code, out, err) = leakgate(&["scan", ".", "--format", "json"], dir.path());
    assert_eq!(json_findings(&out), vec![], "{err}");
    assert_eq!(code, 0);
}

#[test]
fn minified_bundles_have_exact_columns_and_windowed_snippets() {
    let mut rng = Rng::new(Rng::from_entropy().next_u64());
    let key = expand("sk_live_{{alnum:99}}", &mut rng).unwrap();
    let filler = |n: usize, unit: &str| unit.repeat(n);
    // one long line each; non-ASCII before the key checks that columns count characters
    let js = format!(
        "{}const e=\"😀é\";const k=\"{key}\";{}",
        filler(3000, "var a=1;"),
        filler(3000, "a++;")
    );
    let css = format!(
        "{}.x::after{{content:\"✓\";--k:\"{key}\"}}{}",
        filler(2000, ".a{color:red}"),
        filler(2000, ".b{margin:0}")
    );
    let json = format!(
        "{{\"items\":[{}],\"note\":\"ünïcode\",\"stripe\":\"{key}\",\"more\":[{}]}}",
        filler(3000, "1,") + "1",
        filler(3000, "2,") + "2"
    );
    let html = format!(
        "<!doctype html><html><body>{}<script>window.k=\"{key}\"</script>{}</body></html>",
        filler(2000, "<p>ß</p>"),
        filler(2000, "<br>")
    );
    let files = [
        ("dist/app.js", js),
        ("dist/app.css", css),
        ("dist/data.json", json),
        ("dist/index.html", html),
    ];
    let dir = tree(
        &files
            .iter()
            .map(|(p, t)| (*p, t.clone()))
            .collect::<Vec<_>>(),
    );
    let (code, out, err) = leakgate(&["scan", ".", "--format", "json"], dir.path());
    assert_eq!(code, 1, "{err}");
    let mut expected: Vec<Expect> = files
        .iter()
        .map(|(p, t)| Expect {
            at: pos(p, 1, t[..t.find(&key).unwrap()].chars().count() as u32 + 1),
            rule: "stripe-secret-key".into(),
            related: vec![],
        })
        .collect();
    expected.sort();
    assert_eq!(json_findings(&out), expected);
    let v: Value = serde_json::from_str(&out).unwrap();
    for f in v["findings"].as_array().unwrap() {
        let snippet = f["snippet"].as_str().unwrap();
        assert!(
            snippet.chars().count() < 200 && snippet.starts_with('…') && snippet.ends_with('…'),
            "{}: snippet is a window: {snippet}",
            f["path"]
        );
        assert!(snippet.contains("sk_liv*****"), "{snippet}");
    }
}

#[test]
fn a_bundle_over_the_chunk_size_still_has_its_inline_map_read() {
    let mut rng = Rng::new(Rng::from_entropy().next_u64());
    let key = expand("sk_live_{{alnum:99}}", &mut rng).unwrap();
    // the original is large enough that the base64 map fills the file's last 64 KiB
    let src = format!(
        "{}export const key = \"{key}\";\n",
        "export const pad = 0; // padding padding padding padding padding\n".repeat(2000)
    );
    let mut b = Bundle::default();
    let s = b.source("../src/big.ts", &src);
    b.push(&"var a=1;".repeat(9 << 17), Some((s, 0, "export")));
    b.push("\n//# sourceMappingURL=data:application/json;base64,", None);
    use base64::Engine;
    let inline =
        base64::engine::general_purpose::STANDARD.encode(b.map("big.js", true).to_string());
    assert!(inline.len() > 64 << 10);
    let text = format!("{}{inline}\n", b.text);
    assert!(text.len() > 8 << 20, "scanned in chunks, not in memory");
    let dir = tree(&[("dist/big.js", text)]);
    let (code, out, err) = leakgate(&["scan", ".", "--format", "json"], dir.path());
    assert_eq!(code, 1, "{err}");
    let line = src.lines().count() as u32;
    assert_eq!(
        json_findings(&out),
        vec![Expect {
            at: pos("src/big.ts", line, column_of(&src, line as usize - 1, &key)),
            rule: "stripe-secret-key".into(),
            related: vec![pos("dist/big.js", 2, 22)],
        }]
    );
}

#[test]
fn a_map_is_read_once_with_exact_positions_on_both_sides_of_its_sources() {
    let mut rng = Rng::new(Rng::from_entropy().next_u64());
    let mut key = || expand("sk_live_{{alnum:99}}", &mut rng).unwrap();
    let (k1, k2, k3, k4) = (key(), key(), key(), key());
    let chars_before = |text: &str, needle: &str| -> (u32, u32) {
        let at = text.find(needle).unwrap();
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        (
            text[..at].matches('\n').count() as u32 + 1,
            text[line_start..at].chars().count() as u32 + 1,
        )
    };
    // one line: a key in sourcesContent behind multi-byte text, and one after the sources
    let small_src = format!("// ünïcödé 😀 ∑\nexport const k = \"{k1}\";\n");
    let small = format!(
        "{{\"version\":3,\"sources\":[\"../src/small.ts\"],\"sourcesContent\":[{}],\"mappings\":\"AAAA\",\"x_build\":{{\"token\":\"{k2}\"}}}}",
        serde_json::to_string(&small_src).unwrap()
    );
    // over the 8 MiB chunk size, pretty-printed: a key at the end of a long source, and one
    // at the end of a `names` list longer than a chunk, after the sources
    let big_src = format!(
        "{}export const key = \"{k3}\"; // ü\n",
        "export const pad = 'ünï 😀'; // padding padding padding padding padding padding\n"
            .repeat(70_000)
    );
    let names: Vec<String> = (0..800_000).map(|i| format!("\"n{i}\"")).collect();
    let names = names.join(",\n    ");
    assert!(
        names.len() > (8 << 20) + (64 << 10),
        "the part after the sources spans chunks"
    );
    let big = format!(
        "{{\n  \"version\": 3,\n  \"sources\": [\"../src/big.ts\"],\n  \"sourcesContent\": [{}],\n  \"names\": [\n    {},\n    \"{k4}\"\n  ],\n  \"mappings\": \"AAAA\"\n}}\n",
        serde_json::to_string(&big_src).unwrap(),
        names
    );
    assert!(big.len() < 128 << 20, "under the source-map limit");
    let dir = tree(&[
        ("dist/small.js.map", small.clone()),
        ("dist/big.js.map", big.clone()),
    ]);
    let (code, out, err) = leakgate(&["scan", ".", "--format", "json"], dir.path());
    assert_eq!(code, 1, "{err}");
    let at = |path: &str, text: &str, k: &str| {
        let (line, column) = chars_before(text, k);
        pos(path, line, column)
    };
    let mut expected = vec![
        Expect {
            at: at("src/small.ts", &small_src, &k1),
            rule: "stripe-secret-key".into(),
            related: vec![at("dist/small.js.map", &small, &k1)],
        },
        Expect {
            at: at("dist/small.js.map", &small, &k2),
            rule: "stripe-secret-key".into(),
            related: vec![],
        },
        Expect {
            at: at("src/big.ts", &big_src, &k3),
            rule: "stripe-secret-key".into(),
            related: vec![at("dist/big.js.map", &big, &k3)],
        },
        Expect {
            at: at("dist/big.js.map", &big, &k4),
            rule: "stripe-secret-key".into(),
            related: vec![],
        },
    ];
    expected.sort();
    assert_eq!(json_findings(&out), expected);
    assert_eq!(warnings(&out), Vec::<String>::new());
    assert_no_secrets(&out, &[k1, k2, k3, k4]);
}
