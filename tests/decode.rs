//! Decoders end to end: secrets hidden in base64 (both alphabets), hex, percent-encoding,
//! JS/JSON escapes, nested encodings and Kubernetes Secret manifests are found at the
//! location of the encoded text, with the decoding named; hard negatives stay quiet.

use std::collections::BTreeSet;

use base64::Engine;
use leakgate::examples::{expand, Rng};

#[path = "support/run.rs"]
mod run;
use run::leakgate;

/// (path, line, column, end_column, rule, decoded)
type Row = (String, u64, u64, u64, String, String);

fn rows(json: &str) -> BTreeSet<Row> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["end_column"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
                f["decoded"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn b64url(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn percent_all(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

fn js_escape(s: &str) -> String {
    s.chars().map(|c| format!("\\u{:04x}", c as u32)).collect()
}

/// Column span (1-based start, end) of decoded bytes `[k, k+len)` in a base64 run starting at
/// column `col0` (1-based) of the encoded text.
fn b64_span(col0: usize, k: usize, len: usize, enc_len: usize) -> (u64, u64) {
    let s = col0 + 4 * (k / 3);
    let e = (col0 + 4 * ((k + len - 1) / 3) + 4).min(col0 + enc_len);
    (s as u64, e as u64)
}

#[test]
fn encoded_secrets_are_found_at_the_encoded_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut rng = Rng::new(42);
    let stripe = expand("sk_live_{{alnum:99}}", &mut rng).unwrap();
    let gh = expand("{{github:ghp}}", &mut rng).unwrap();
    let pw = expand("{{alnum:14}}{{digits:2}}", &mut rng).unwrap();
    let dbpw = expand("{{alnum:14}}{{digits:2}}", &mut rng).unwrap();
    let mut expected: BTreeSet<Row> = BTreeSet::new();
    let row = |p: &str, line: u64, (c, e): (u64, u64), rule: &str, dec: &str| -> Row {
        (p.into(), line, c, e, rule.into(), dec.into())
    };

    // base64 (standard) of an env line, in a YAML value
    let text = format!("STRIPE_SECRET_KEY={stripe}");
    let enc = b64(&text);
    let lead = "config_blob: ";
    std::fs::write(
        root.join("values.yml"),
        format!("name: shop\n{lead}{enc}\n"),
    )
    .unwrap();
    let span = b64_span(lead.len() + 1, 18, stripe.len(), enc.len());
    expected.insert(row("values.yml", 2, span, "stripe-secret-key", "base64"));

    // URL-safe base64 of a JSON document, in a JS string
    let text = format!("{{\"token\":\"{gh}\",\"x\":1}}");
    let enc = b64url(&text);
    let lead = "const cfg = \"";
    std::fs::write(root.join("cfg.js"), format!("{lead}{enc}\";\n")).unwrap();
    let span = b64_span(lead.len() + 1, 10, gh.len(), enc.len());
    expected.insert(row("cfg.js", 1, span, "github-pat-classic", "base64"));

    // hex
    let text = format!("GITHUB_TOKEN={gh}");
    let enc = hex(&text);
    let lead = "payload = ";
    std::fs::write(root.join("hex.txt"), format!("{lead}{enc}\n")).unwrap();
    let c = (lead.len() + 1 + 2 * 13) as u64;
    expected.insert(row(
        "hex.txt",
        1,
        (c, c + 2 * gh.len() as u64),
        "github-pat-classic",
        "hex",
    ));

    // percent-encoding: a database URL passed as a query parameter
    let url = format!("postgres://app_user:{dbpw}@db.internal.test:5432/app");
    let enc: String = url
        .bytes()
        .map(|b| match b {
            b':' | b'/' | b'@' => format!("%{b:02X}"),
            _ => (b as char).to_string(),
        })
        .collect();
    let lead = "https://admin.internal.test/connect?dsn=";
    std::fs::write(
        root.join("links.md"),
        format!("See {lead}{enc} for setup.\n"),
    )
    .unwrap();
    let at = enc.find(&dbpw).unwrap();
    let c = ("See ".len() + lead.len() + 1 + at) as u64;
    expected.insert(row(
        "links.md",
        1,
        (c, c + dbpw.len() as u64),
        "postgres-url-password",
        "percent",
    ));

    // JS \u escapes
    let enc = js_escape(&stripe);
    let lead = "var k=\"";
    std::fs::write(
        root.join("bundle.min.js"),
        format!("var a=1;\n{lead}{enc}\";\n"),
    )
    .unwrap();
    let c = (lead.len() + 1) as u64;
    expected.insert(row(
        "bundle.min.js",
        2,
        (c, c + 6 * stripe.len() as u64),
        "stripe-secret-key",
        "escape",
    ));

    // nested: base64 of a percent-encoded line
    let inner = format!("token%3D{}", percent_all(&gh));
    let text = format!("GITHUB_TOKEN%3D{}", percent_all(&gh));
    let _ = inner;
    let enc = b64(&text);
    let lead = "blob=";
    std::fs::write(root.join("nested.env"), format!("{lead}{enc}\n")).unwrap();
    let k = "GITHUB_TOKEN%3D".len();
    let span = b64_span(lead.len() + 1, k, 3 * gh.len(), enc.len());
    expected.insert(row(
        "nested.env",
        1,
        span,
        "github-pat-classic",
        "base64>percent",
    ));

    // Kubernetes Secret: short base64 values, found with the key name as context
    let manifest = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  username: {}\n  password: {}\n",
        b64("app"),
        b64(&pw)
    );
    std::fs::write(root.join("secret.yaml"), &manifest).unwrap();
    let c = "  password: ".len() as u64 + 1;
    expected.insert(row(
        "secret.yaml",
        8,
        (c, c + b64(&pw).len() as u64),
        "generic-secret-assignment",
        "base64",
    ));

    // the same secret in plain text and base64 in one file: reported once, as plain text
    let line = format!("STRIPE_SECRET_KEY={stripe}");
    std::fs::write(
        root.join("both.env"),
        format!("{line}\nBACKUP={}\n", b64(&line)),
    )
    .unwrap();
    let c = "STRIPE_SECRET_KEY=".len() as u64 + 1;
    expected.insert(row(
        "both.env",
        1,
        (c, c + stripe.len() as u64),
        "stripe-secret-key",
        "",
    ));

    let (code, out, err) = leakgate(&["scan", ".", "--format", "json"], root);
    assert_eq!(code, 1, "{err}");
    let got = rows(&out);
    let missing: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing: {missing:#?}\nunexpected: {extra:#?}"
    );

    // no report shows a decoded secret, nor the full encoded text
    for format in ["text", "json", "sarif", "github"] {
        let (_, out, err) = leakgate(&["scan", ".", "--format", format], root);
        for s in [&stripe, &gh, &pw, &dbpw] {
            assert!(
                !out.contains(s.as_str()) && !err.contains(s.as_str()),
                "{format}"
            );
        }
        assert!(
            !out.contains(&b64(&pw)),
            "{format} shows the encoded secret"
        );
        assert!(out.contains("base64"), "{format} names the decoding");
    }
    let (_, sarif, _) = leakgate(&["scan", "values.yml", "--format", "sarif"], root);
    let v: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let res = &v["runs"][0]["results"][0];
    assert_eq!(res["properties"]["decoded"], "base64");
    assert!(res["message"]["text"]
        .as_str()
        .unwrap()
        .contains("decoded from base64"));
}

#[test]
fn hard_negatives_stay_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut rng = Rng::new(7);
    let eng = base64::engine::general_purpose::STANDARD;
    // lockfile integrity hashes
    let mut lock = String::from("{\n  \"packages\": {\n");
    for i in 0..50 {
        lock.push_str(&format!(
            "    \"node_modules/p{i}\": {{ \"integrity\": \"sha512-{}\" }},\n",
            eng.encode(rng.bytes(64))
        ));
    }
    lock.push_str("  }\n}\n");
    std::fs::write(root.join("package-lock.json"), lock).unwrap();
    // images and fonts as data URIs, in HTML and CSS
    let png = [&b"\x89PNG\r\n\x1a\n"[..], &rng.bytes(600)].concat();
    std::fs::write(
        root.join("index.html"),
        format!("<img src=\"data:image/png;base64,{}\">\n", eng.encode(&png)),
    )
    .unwrap();
    let font = [&b"wOF2"[..], &rng.bytes(4000)].concat();
    std::fs::write(
        root.join("fonts.css"),
        format!(
            "@font-face{{font-family:x;src:url(data:font/woff2;base64,{}) format(\"woff2\")}}\n",
            eng.encode(&font)
        ),
    )
    .unwrap();
    // a source map's mappings and a minified bundle full of base64 and escapes
    let mut mappings = String::new();
    for i in 0..3000 {
        let seg = expand("{{base64:4}}", &mut rng).unwrap();
        mappings.push_str(&seg);
        mappings.push(if i % 7 == 0 { ';' } else { ',' });
    }
    std::fs::write(
        root.join("app.js.map"),
        format!(
            "{{\"version\":3,\"sources\":[\"a.ts\"],\"names\":[],\"mappings\":\"{mappings}\"}}\n"
        ),
    )
    .unwrap();
    let mut bundle = String::new();
    for _ in 0..200 {
        bundle.push_str(&format!(
            "var f=\"{}\";var r=/[\\u0300-\\u036f]/g;var s=\"caf\\u00e9 \\x41\";var h=\"{}\";",
            eng.encode(rng.bytes(300)),
            expand("{{hex:64}}", &mut rng).unwrap()
        ));
    }
    std::fs::write(root.join("vendor.min.js"), bundle).unwrap();
    // percent-decoding code leaves code: `auth=auth?…` is still an expression (Next.js's url
    // polyfill), not a password assignment
    std::fs::write(
        root.join("url.js"),
        "function f(urlObj){var auth=urlObj.auth||\"\";auth=auth?encodeURIComponent(auth).replace(/%3A/i,\":\")+\"@\":\"\";return auth}\n",
    )
    .unwrap();
    // hashes and random key material in config
    std::fs::write(
        root.join("checksums.txt"),
        format!(
            "sha256 {}\nblob {}\nurl https://cdn.example.test/a%20b/c%2Fd?q=hello%20world\n",
            expand("{{hex:64}}", &mut rng).unwrap(),
            eng.encode(rng.bytes(48))
        ),
    )
    .unwrap();
    let (code, out, err) = leakgate(&["scan", ".", "--format", "json"], root);
    assert_eq!(rows(&out), BTreeSet::new(), "{err}");
    assert_eq!(code, 0);
}

#[test]
fn malformed_encodings_never_crash() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut rng = Rng::new(3);
    let mut junk = Vec::new();
    for _ in 0..2000 {
        let piece: &[u8] = match rng.below(8) {
            0 => b"\\u",
            1 => b"\\ud83d",
            2 => b"%",
            3 => b"%4",
            4 => b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldY=",
            5 => b"\\x",
            6 => b"\xff\xfe",
            _ => b"abcdef0123456789",
        };
        junk.extend_from_slice(piece);
    }
    std::fs::write(root.join("junk.txt"), &junk).unwrap();
    std::fs::write(
        root.join("secret.yaml"),
        "kind: Secret\ndata:\n  a: '\n  b: ===\n  c: %%%\n",
    )
    .unwrap();
    let (code, _, err) = leakgate(&["scan", "."], root);
    assert_eq!(code, 0, "{err}");
}
