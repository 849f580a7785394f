//! Differential tests: the decoders, the one-pass candidate search ([`pass::all_candidates`])
//! and the driver ([`super::scan`]) against the implementation they replaced
//! ([`reference`], commit 21e03ec), on random and crafted inputs. Both must find the same
//! candidates, decode every run (and every other slice) to the same bytes and spans, and
//! report the same matches; nothing may panic.

use std::ops::Range;

use ::base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use ::base64::Engine;

use super::{decoders, pass, reference, DecodedMatch, Decoder, Limits};
use crate::engine::Scanner;
use crate::examples::{expand, jwt, Rng};

fn b64(rng: &mut Rng, bytes: &[u8]) -> String {
    match rng.below(4) {
        0 => STANDARD.encode(bytes),
        1 => STANDARD_NO_PAD.encode(bytes),
        2 => URL_SAFE.encode(bytes),
        _ => URL_SAFE_NO_PAD.encode(bytes),
    }
}

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len())]
}

/// A line a secret scanner should find, or a near miss.
fn secret_line(rng: &mut Rng) -> String {
    let t = pick(
        rng,
        &[
            "STRIPE_SECRET_KEY=sk_live_{{alnum:99}}",
            "GITHUB_TOKEN={{github:ghp}}",
            "password: {{alnum:14}}{{digits:2}}",
            "aws_secret_access_key = {{base64:40}}",
            "AKIA{{upper:16}}",
            "{\"db_password\":\"{{alnum:18}}\"}",
            "postgres://admin:{{alnum:16}}@db.example.com:5432/app",
            "xoxb-{{digits:12}}-{{digits:12}}-{{alnum:24}}",
            "api_key={{hex:32}}",
            "hello world, nothing to see",
            "café ☕ naïve",
        ],
    );
    expand(t, rng).unwrap()
}

/// An identifier as minifiers and code generators write them.
fn identifier(rng: &mut Rng) -> String {
    let words = [
        "get",
        "Element",
        "By",
        "Id",
        "create",
        "React",
        "Component",
        "use",
        "Effect",
        "webpack",
        "Chunk",
        "Name",
        "aws",
        "Sdk",
        "Client",
        "S3",
        "handle",
        "Request",
        "x",
        "_",
        "$",
        "0",
        "9",
    ];
    (0..1 + rng.below(8))
        .map(|_| words[rng.below(words.len())])
        .collect()
}

/// One piece of a test document.
fn piece(rng: &mut Rng) -> Vec<u8> {
    let s: String = match rng.below(20) {
        0 | 1 => {
            let mut s = String::new();
            for _ in 0..rng.below(12) {
                s.push_str(&identifier(rng));
                s.push_str(pick(
                    rng,
                    &["(", ")", ".", ",", ";", "=", " ", "{", "}", "\n", "=>"],
                ));
            }
            s
        }
        2 => {
            let text = secret_line(rng);
            let q = pick(rng, &["", "\"", "'", "`"]);
            format!("{q}{}{q}", b64(rng, text.as_bytes()))
        }
        3 => {
            let n = rng.below(80);
            let bytes = rng.bytes(n);
            b64(rng, &bytes)
        }
        4 => {
            let mime = pick(
                rng,
                &[
                    "image/png",
                    "font/woff2",
                    "text/plain",
                    "application/json",
                    "application/x-sh",
                    "application/yaml",
                    "application/octet-stream",
                ],
            );
            let payload = if rng.below(2) == 0 {
                secret_line(rng).into_bytes()
            } else {
                rng.bytes(60)
            };
            let cs = pick(rng, &["", ";charset=utf-8"]);
            format!("url(data:{mime}{cs};base64,{})", b64(rng, &payload))
        }
        5 => {
            let alg = pick(rng, &["sha1-", "sha256-", "sha384-", "sha512-", "sha999-"]);
            format!("\"integrity\": \"{alg}{}\"", STANDARD.encode(rng.bytes(48)))
        }
        6 => jwt(
            rng,
            &[("sub", "1234567890"), ("password", "hunter2hunter2")],
        ),
        7 => {
            let text = if rng.below(2) == 0 {
                secret_line(rng).into_bytes()
            } else {
                rng.bytes(20)
            };
            text.iter().map(|b| format!("{b:02x}")).collect()
        }
        8 => {
            let text = secret_line(rng);
            let mut s = String::from("https://example.com/cb?");
            for c in text.bytes() {
                if c.is_ascii_alphanumeric() && rng.below(2) == 0 {
                    s.push(c as char);
                } else {
                    s.push_str(&format!("%{c:02X}"));
                }
            }
            s.push_str(pick(rng, &["", "%", "%4", "%zz", " 100% done"]));
            s
        }
        9 => {
            let text = secret_line(rng);
            let mut s = String::from("\"");
            for c in text.chars() {
                match rng.below(6) {
                    0 => s.push_str(&format!("\\u{:04x}", c as u32)),
                    1 if (c as u32) < 0x100 => s.push_str(&format!("\\x{:02x}", c as u32)),
                    2 => s.push_str(&format!("\\u{{{:x}}}", c as u32)),
                    3 => s.push_str(pick(
                        rng,
                        &["\\n", "\\\\", "\\\"", "\\ud83d\\ude00", "\\ud800", "\\"],
                    )),
                    _ => s.push(c),
                }
            }
            s.push_str(pick(rng, &["\"", "'", "", "\n"]));
            s
        }
        10 => {
            let v1 = STANDARD.encode("admin");
            let v2 = STANDARD.encode(secret_line(rng));
            let kind = pick(rng, &["Secret", "ConfigMap"]);
            format!(
                "---\napiVersion: v1\nkind: {kind}\nmetadata:\n  name: x\ndata:\n  user: {v1}\n  password: \"{v2}\"\n  # note\n\n  other: '{v1}'\ntype: Opaque\n"
            )
        }
        11 => {
            // dense edge cases for every finder
            let set: &[u8] = b"Aa0+/-_=%\\ux\"'`\n {}:;.QZqz9";
            let mut v: Vec<u8> = (0..rng.below(120))
                .map(|_| set[rng.below(set.len())])
                .collect();
            if rng.below(4) == 0 {
                v.push(0x80 + rng.below(128) as u8);
            }
            return v;
        }
        12 => {
            // a run of base64 characters of a length near the finders' thresholds
            let n = pick(
                rng,
                &[
                    "19", "20", "21", "31", "32", "33", "63", "64", "65", "128", "300",
                ],
            );
            let set = pick(
                rng,
                &["base64", "base64url", "alnum", "hex", "lower", "upper"],
            );
            expand(&format!("{{{{{set}:{n}}}}}"), rng).unwrap()
        }
        13 => {
            let n = rng.below(40);
            return rng.bytes(n);
        }
        14 => pick(rng, &["\n", " ", "\r\n", "\t", "  ", "\n\n"]).to_string(),
        15 => {
            // nested: base64 of percent-encoded or base64 text, hex of base64
            let inner = STANDARD.encode(secret_line(rng));
            match rng.below(3) {
                0 => b64(rng, inner.as_bytes()),
                1 => {
                    let pct: String = secret_line(rng)
                        .bytes()
                        .map(|b| format!("%{b:02X}"))
                        .collect();
                    b64(rng, pct.as_bytes())
                }
                _ => inner.bytes().map(|b| format!("{b:02x}")).collect(),
            }
        }
        16 => {
            let p = pick(rng, &["node_modules", "src", "lib", "dist"]);
            format!(
                "{p}/{}-{}/{}_{}.js",
                identifier(rng),
                identifier(rng),
                identifier(rng),
                identifier(rng)
            )
        }
        17 => format!("const {} = \"{}\";", identifier(rng), secret_line(rng)),
        18 => "\u{e9}\u{2603}\u{1F600}".to_string(),
        _ => {
            let mut v = secret_line(rng).into_bytes();
            v.push(if rng.below(2) == 0 { 0xff } else { 0 });
            return v;
        }
    };
    s.into_bytes()
}

/// A document of random pieces, sometimes shifted so that every offset from the 64-byte
/// blocks of the one-pass search is hit.
fn document(rng: &mut Rng) -> Vec<u8> {
    let mut d = Vec::new();
    for _ in 0..rng.below(6) {
        d.push(b"x \n=\"%\\"[rng.below(7)]);
    }
    for _ in 0..1 + rng.below(25) {
        d.extend(piece(rng));
    }
    if rng.below(4) == 0 {
        d.truncate(rng.below(d.len() + 1));
    }
    d
}

fn candidates(decs: [&dyn Decoder; 5], data: &[u8]) -> pass::Candidates {
    let mut out = pass::Candidates::default();
    for (d, v) in decs.iter().zip(out.iter_mut()) {
        d.candidates(data, v);
    }
    out
}

/// Same candidates, each decoded the same, and every decoder's decoding the same on random
/// slices too (the Kubernetes decoder hands base64 any value).
fn same_candidates_and_decodings(data: &[u8], rng: &mut Rng) {
    let want = candidates(reference::decoders(), data);
    let each = candidates(decoders(), data);
    let mut one_pass = pass::Candidates::default();
    pass::all_candidates(data, &mut one_pass);
    let show = || String::from_utf8_lossy(data).into_owned();
    for k in 0..5 {
        assert_eq!(each[k], want[k], "decoder {k} on {:?}", show());
        assert_eq!(
            one_pass[k],
            want[k],
            "one pass, decoder {k} on {:?}",
            show()
        );
    }
    for ((new, old), runs) in decoders().iter().zip(reference::decoders()).zip(&want) {
        for r in runs {
            let run = &data[r.clone()];
            assert_eq!(
                new.decode(run),
                old.decode(run),
                "{} {:?}",
                new.name(),
                show()
            );
        }
    }
    for _ in 0..20 {
        if data.is_empty() {
            break;
        }
        let s = rng.below(data.len());
        let e = s + rng.below(data.len() - s + 1);
        let run = &data[s..e];
        for (new, old) in decoders().iter().zip(reference::decoders()) {
            assert_eq!(new.decode(run), old.decode(run), "{} {run:?}", new.name());
        }
    }
}

#[test]
fn candidates_and_decodings_match_the_reference() {
    let mut rng = Rng::new(0x5eed);
    for _ in 0..3000 {
        let d = document(&mut rng);
        same_candidates_and_decodings(&d, &mut rng);
    }
}

#[test]
fn crafted_inputs_match_the_reference() {
    let mut rng = Rng::new(77);
    let secret = "password=q8Vn2kLs0Pz?x>~ and more text to make it long";
    let mut cases: Vec<Vec<u8>> = vec![
        vec![],
        b"=".to_vec(),
        b"\\".to_vec(),
        b"\\u".to_vec(),
        b"\\u{".to_vec(),
        b"%".to_vec(),
        b"%4".to_vec(),
        b"kind: Secret".to_vec(),
        vec![0xff; 100],
        vec![b'A'; 200],
        b"aB".repeat(100),
        b"aB+/".repeat(30),
        b"aB-_".repeat(30),
        b"aB+-".repeat(30),
        b"sha512-aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789".to_vec(),
    ];
    // encodings of a secret, padded or not, in both alphabets, that end exactly at, just
    // before and just after every 64-byte boundary
    for eng in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
        for cut in 0..3 {
            let enc = eng.encode(&secret.as_bytes()[..secret.len() - cut]);
            for lead in 0..70 {
                let mut d = vec![b' '; lead];
                d.extend(enc.as_bytes());
                cases.push(d.clone());
                d.extend(b"\"\n");
                cases.push(d);
            }
        }
    }
    // escapes and percent-escapes across block boundaries and at the very end
    for lead in 55..70 {
        for tail in [
            "\\u0041\\u0042",
            "\\x41",
            "\\u{41}",
            "%41%42",
            "\\",
            "\\u",
            "%",
            "%4",
        ] {
            let mut d = vec![b'q'; lead];
            d.extend(tail.as_bytes());
            cases.push(d);
        }
    }
    // minified code, source-map-like mappings, lockfile hashes
    cases.push(
        b"!function(e){var t={};function n(r){if(t[r])return t[r].exports;var o=t[r]={i:r,l:!1,exports:{}};return e[r].call(o.exports,o,o.exports,n),o.l=!0,o.exports}n.m=e,n.c=t,n.d=function(e,t,r){n.o(e,t)||Object.defineProperty(e,t,{enumerable:!0,get:r})}}".to_vec(),
    );
    cases.push(
        b"\"mappings\": \"AAAA,SAASA,EAAgBC,GAC9B,IAAIC,EAAUD,EAAKE,cACnB;AAAA,IAAIC,YAAYC\""
            .to_vec(),
    );
    cases.push(b"resolved \"https://registry.yarnpkg.com/a/-/a-1.0.0.tgz#9fceb02d0ae598e95dc970b74767f19372d61af8\"\n  integrity sha512-Zq8Vn2kLs0PzXw4Rk8Vn2kLs0PzXw4Rk8Vn2kLs0PzXw4R==\n".to_vec());
    for d in &cases {
        same_candidates_and_decodings(d, &mut rng);
    }
}

fn key(m: &DecodedMatch) -> (usize, usize, usize, String, String) {
    (
        m.m.rule,
        m.m.start,
        m.m.end,
        m.m.secret.clone(),
        m.chain.clone(),
    )
}

/// The driver finds the same matches as the reference driver, whole or in chunks, with the
/// plain matches of the rules blocking runs as the engine passes them.
#[test]
fn scan_matches_the_reference() {
    let scanner = Scanner::new(crate::config::Config::default()).unwrap();
    let rules = &scanner.rules;
    let mut rng = Rng::new(2024);
    let mut found = 0;
    for n in 0..400 {
        let d = document(&mut rng);
        let code = rng.below(2) == 0;
        let mut plain = Vec::new();
        rules.scan(&d, code, &mut plain);
        let plain = crate::matcher::resolve_overlaps(plain, rules);
        let plain = if rng.below(2) == 0 { plain } else { Vec::new() };
        let (accept, at_eof) = if n % 3 == 0 && !d.is_empty() {
            let s = rng.below(d.len());
            (s..s + rng.below(d.len() - s + 1), rng.below(2) == 0)
        } else {
            (0..d.len(), true)
        };
        // small budgets too, so that running out of runs or bytes is compared as well
        let limits = if n % 4 == 0 {
            Limits {
                max_depth: 1 + rng.below(3),
                max_decoded: rng.below(400),
                max_run: rng.below(300),
                max_runs: rng.below(12),
            }
        } else {
            Limits::default()
        };
        let new = super::scan(
            rules,
            &d,
            accept.clone(),
            at_eof,
            &plain,
            limits,
            code,
            &mut Default::default(),
        );
        let old = reference::scan(rules, &d, accept, at_eof, &plain, limits, code);
        let new: Vec<_> = new.iter().map(key).collect();
        let old: Vec<_> = old.iter().map(key).collect();
        assert_eq!(new, old, "{:?}", String::from_utf8_lossy(&d));
        found += new.len();
    }
    assert!(found > 50, "the documents hold decodable secrets ({found})");
}

/// `LEAKGATE_DECODE_TREE=DIR cargo test --release --lib decode::differential::tree -- \
/// --ignored`: every file under DIR (up to 8 MB, as the `stagestat` example reads them)
/// through [`same_candidates_and_decodings`] and both drivers.
#[test]
#[ignore]
fn tree() {
    let Some(root) = std::env::var_os("LEAKGATE_DECODE_TREE") else {
        return;
    };
    let scanner = Scanner::new(crate::config::Config::default()).unwrap();
    let mut rng = Rng::new(1);
    let mut stack = vec![std::path::PathBuf::from(root)];
    let (mut files, mut bytes, mut matches) = (0usize, 0usize, 0usize);
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap().flatten() {
                stack.push(e.path());
            }
            continue;
        }
        let Ok(d) = std::fs::read(&p) else { continue };
        if d.len() > 8 << 20 {
            continue;
        }
        same_candidates_and_decodings(&d, &mut rng);
        let code = crate::kind::is_code(&p.to_string_lossy());
        let mut plain = Vec::new();
        scanner.rules.scan(&d, code, &mut plain);
        let plain = crate::matcher::resolve_overlaps(plain, &scanner.rules);
        let whole = 0..d.len();
        let new = super::scan(
            &scanner.rules,
            &d,
            whole.clone(),
            true,
            &plain,
            Limits::default(),
            code,
            &mut Default::default(),
        );
        let old = reference::scan(
            &scanner.rules,
            &d,
            whole,
            true,
            &plain,
            Limits::default(),
            code,
        );
        let new: Vec<_> = new.iter().map(key).collect();
        let old: Vec<_> = old.iter().map(key).collect();
        assert_eq!(new, old, "{}", p.display());
        files += 1;
        bytes += d.len();
        matches += new.len();
    }
    eprintln!("{files} files, {bytes} bytes, {matches} decoded matches: identical");
}

/// Runs ending exactly at the end of the data and chunks cut inside runs.
#[test]
fn chunk_borders_match_the_reference() {
    let scanner = Scanner::new(crate::config::Config::default()).unwrap();
    let rules = &scanner.rules;
    let mut rng = Rng::new(31);
    let enc = STANDARD.encode(expand("STRIPE_SECRET_KEY=sk_live_{{alnum:99}}", &mut rng).unwrap());
    let doc = format!("a: {enc}\nb: \"{enc}\"\n{enc}");
    let d = doc.as_bytes();
    let mut hits = 0;
    for cut in (0..d.len()).step_by(7) {
        for at_eof in [false, true] {
            let chunk = &d[..cut];
            let new = super::scan(
                rules,
                chunk,
                0..chunk.len(),
                at_eof,
                &[],
                Limits::default(),
                false,
                &mut Default::default(),
            );
            let old = reference::scan(
                rules,
                chunk,
                0..chunk.len(),
                at_eof,
                &[],
                Limits::default(),
                false,
            );
            let new: Vec<Range<usize>> = new.iter().map(|m| m.m.start..m.m.end).collect();
            let old: Vec<Range<usize>> = old.iter().map(|m| m.m.start..m.m.end).collect();
            assert_eq!(new, old, "cut {cut} eof {at_eof}");
            hits += new.len();
        }
    }
    assert!(hits > 0);
}
