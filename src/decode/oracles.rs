//! The decoders, the one-pass candidate search ([`pass::all_candidates`]) and the driver
//! ([`super::scan`]) checked against independent oracles, on random, generated and crafted
//! inputs (nothing may panic on any of them):
//!
//! - decodings: base64 against the `base64` crate, percent-encoding against the
//!   `percent-encoding` crate, hex against `u8::from_str_radix`, JSON string escapes against
//!   `serde_json`, JavaScript escapes against the text they were written from and the
//!   escape grammar, Kubernetes `Secret` values against a YAML parser (`serde_yaml_ng`) and
//!   the `base64` crate; every decoding's spans against the encoded text they name;
//! - candidates: the one pass against each decoder's own pass, and every candidate against
//!   the shape its decoder documents;
//! - the driver: secrets planted under every encoding and nested encodings are found with
//!   the rule, secret and location the plain matcher gives the unencoded text, the chain
//!   named; data cut inside a run finds a subset of the whole; chunks with an overlap find
//!   what the whole finds; smaller budgets find a subset and say so; every match lies in an
//!   accepted candidate run that no plain match blocks, and repeats no plain secret.

use std::ops::Range;

use ::base64::alphabet;
use ::base64::engine::general_purpose::{
    GeneralPurpose, GeneralPurposeConfig, STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD,
};
use ::base64::engine::DecodePaddingMode;
use ::base64::Engine;
use serde::Deserialize;

use super::base64::Base64;
use super::escape::Escape;
use super::hex::Hex;
use super::kube::KubeSecret;
use super::percent::Percent;
use super::{decoders, pass, Decoded, DecodedMatch, Decoder, Limits, LimitsHit};
use crate::engine::Scanner;
use crate::examples::{expand, jwt, Rng};
use crate::matcher::resolve_overlaps;
use crate::matcher::RawMatch;

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

// ---------------------------------------------------------------------------------------
// Oracles for one decoding

/// Text as the decoders define it: non-empty UTF-8 without control characters other than
/// tab, CR and LF.
fn text(b: &[u8]) -> bool {
    std::str::from_utf8(b).is_ok_and(|s| {
        !s.is_empty()
            && !s
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    })
}

/// What [`Base64`] must make of `run`, by the `base64` crate: the body before the first `=`,
/// in one alphabet (the URL-safe one when `-` or `_` occurs), trailing bits and a lone last
/// character (no whole byte) ignored, when it decodes to text.
fn base64_oracle(run: &[u8]) -> Option<Vec<u8>> {
    let body = &run[..memchr::memchr(b'=', run).unwrap_or(run.len())];
    let url = body.iter().any(|b| b"-_".contains(b));
    let std = body.iter().any(|b| b"+/".contains(b));
    let alphabet = |b: &u8| b.is_ascii_alphanumeric() || b"+/-_".contains(b);
    if url && std || !body.iter().all(alphabet) {
        return None;
    }
    let body = &body[..body.len() - usize::from(body.len() % 4 == 1)];
    let config = GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone);
    let alphabet = if url {
        &alphabet::URL_SAFE
    } else {
        &alphabet::STANDARD
    };
    let bytes = GeneralPurpose::new(alphabet, config).decode(body).ok()?;
    text(&bytes).then_some(bytes)
}

/// What [`Hex`] must make of `run`: each pair of hex digits (a last odd digit ignored) by
/// `u8::from_str_radix`, when the bytes are text.
fn hex_oracle(run: &[u8]) -> Option<Vec<u8>> {
    let bytes = run
        .chunks_exact(2)
        .map(|p| {
            // `from_str_radix` takes a leading `+`, hex text does not
            p.iter().all(u8::is_ascii_hexdigit).then_some(())?;
            u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok()
        })
        .collect::<Option<Vec<u8>>>()?;
    text(&bytes).then_some(bytes)
}

/// What [`Percent`] must make of `run`, by the `percent-encoding` crate: when at least one
/// `%XX` was decoded and the result is text.
fn percent_oracle(run: &[u8]) -> Option<Vec<u8>> {
    let bytes: Vec<u8> = percent_encoding::percent_decode(run).collect();
    (bytes.len() < run.len() && text(&bytes)).then_some(bytes)
}

/// What [`Escape`] must make of `run` when `run` is the body of a JSON string: `serde_json`'s
/// reading, when the body holds a `\u` escape and the result is text. `None` when `run` is
/// not a JSON string body, or holds `\b` or `\f` (the decoder reads those as a space: they
/// would make the text binary).
fn json_oracle(run: &[u8]) -> Option<Option<Vec<u8>>> {
    let s = std::str::from_utf8(run).ok()?;
    let mut any = false;
    let mut it = run.iter();
    while let Some(&b) = it.next() {
        if b == b'\\' {
            match it.next() {
                Some(b'u') => any = true,
                Some(b'b' | b'f') => return None,
                _ => {}
            }
        }
    }
    let v: String = serde_json::from_str(&format!("\"{s}\"")).ok()?;
    Some((any && text(v.as_bytes())).then(|| v.into_bytes()))
}

/// The character a JavaScript escape sequence stands for, by the grammar: `\xHH`,
/// `\uHHHH` (not a lone surrogate), a `\uHHHH\uHHHH` surrogate pair, `\u{H…}` (1 to 6
/// digits, at most U+10FFFF).
fn js_escape(tok: &[u8]) -> Option<char> {
    let hex = |h: &[u8]| -> Option<u32> {
        if h.is_empty() || !h.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
    };
    if let Some(h) = tok.strip_prefix(b"\\x") {
        return (h.len() == 2)
            .then(|| hex(h))
            .flatten()
            .and_then(char::from_u32);
    }
    if let Some(h) = tok.strip_prefix(b"\\u{").and_then(|t| t.strip_suffix(b"}")) {
        return (h.len() <= 6)
            .then(|| hex(h))
            .flatten()
            .and_then(char::from_u32);
    }
    let u = tok.strip_prefix(b"\\u")?;
    match u.len() {
        4 => hex(u).and_then(char::from_u32),
        10 if &u[4..6] == b"\\u" => {
            let (hi, lo) = (hex(&u[..4])?, hex(&u[6..])?);
            ((0xD800..0xDC00).contains(&hi) && (0xDC00..0xE000).contains(&lo))
                .then(|| char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)))
                .flatten()
        }
        _ => None,
    }
}

/// Spans of any decoding: one per byte, non-decreasing, non-empty, inside the run.
fn check_spans(name: &str, run: &[u8], d: &Decoded) {
    assert_eq!(d.bytes.len(), d.spans.len(), "{name}");
    let mut last = (0, 0);
    for &(s, e) in &d.spans {
        assert!(
            s < e && e as usize <= run.len(),
            "{name}: span {s}..{e} of {run:?}"
        );
        assert!(
            s >= last.0 && e >= last.1,
            "{name}: spans go back in {run:?}"
        );
        last = (s, e);
    }
}

/// Every decoded byte's span names the encoded text it came from.
fn check_token_spans(kind: &str, dec: &dyn Decoder, run: &[u8], d: &Decoded) {
    check_spans(kind, run, d);
    // the bytes decoded from one span, with the span
    let mut groups: Vec<(Range<usize>, Vec<u8>)> = Vec::new();
    for (&b, &(s, e)) in d.bytes.iter().zip(&d.spans) {
        let r = s as usize..e as usize;
        match groups.last_mut() {
            Some((g, bytes)) if *g == r => bytes.push(b),
            _ => groups.push((r, vec![b])),
        }
    }
    let show = || String::from_utf8_lossy(run).into_owned();
    if kind == "hex" {
        for (k, &(s, e)) in d.spans.iter().enumerate() {
            assert_eq!((s as usize, e as usize), (2 * k, 2 * k + 2), "{}", show());
        }
        return;
    }
    if dec.keeps_syntax() {
        // percent and escapes tile the run: each span is one character, one escape, or an
        // escape left as it was
        let mut at = 0;
        for (r, bytes) in &groups {
            assert_eq!(r.start, at, "{} leaves a gap in {:?}", dec.name(), show());
            at = r.end;
            let tok = &run[r.clone()];
            if tok == &bytes[..] {
                continue; // as written
            }
            if dec.name() == "percent" {
                assert!(tok.len() == 3 && tok[0] == b'%', "{tok:?} in {:?}", show());
                let v = u8::from_str_radix(std::str::from_utf8(&tok[1..]).unwrap(), 16);
                assert_eq!(Ok(bytes[0]), v, "{:?}", show());
                continue;
            }
            let ch = std::str::from_utf8(bytes).ok().and_then(|s| {
                let mut c = s.chars();
                c.next().filter(|_| c.next().is_none())
            });
            let short = match tok {
                b"\\n" => Some('\n'),
                b"\\t" => Some('\t'),
                b"\\r" => Some('\r'),
                b"\\b" | b"\\f" | b"\\v" | b"\\0" => Some(' '),
                [b'\\', c] if c.is_ascii() && !b"ux".contains(c) => Some(*c as char),
                _ => None,
            };
            let want = short.or_else(|| js_escape(tok));
            assert!(
                want.is_some() && ch == want,
                "escape {:?} decoded to {:?} in {:?}",
                String::from_utf8_lossy(tok),
                String::from_utf8_lossy(bytes),
                show()
            );
        }
        assert_eq!(at, run.len(), "{} stops short in {:?}", dec.name(), show());
        return;
    }
    if kind == "base64" {
        // the bits of byte k are in characters 8k/6 ..= (8k+7)/6, of the quad 4(k/3)
        let body = memchr::memchr(b'=', run).unwrap_or(run.len());
        for (k, &(s, e)) in d.spans.iter().enumerate() {
            let (s, e) = (s as usize, e as usize);
            assert_eq!(s, 4 * (k / 3), "{}", show());
            assert!(
                s <= 8 * k / 6 && (8 * k + 7) / 6 < e.min(body),
                "{}",
                show()
            );
            assert!(e == (s + 4).min(run.len()) || e == run.len(), "{}", show());
        }
    }
}

/// Each decoder on `run`: what its oracle says, spans that name the encoded text, and no
/// panic.
fn check_decodings(run: &[u8]) {
    let show = || String::from_utf8_lossy(run).into_owned();
    let b = Base64.decode(run);
    assert_eq!(
        b.as_ref().map(|d| &d.bytes),
        base64_oracle(run).as_ref(),
        "base64 {:?}",
        show()
    );
    let h = Hex.decode(run);
    assert_eq!(
        h.as_ref().map(|d| &d.bytes),
        hex_oracle(run).as_ref(),
        "hex {:?}",
        show()
    );
    let p = Percent.decode(run);
    assert_eq!(
        p.as_ref().map(|d| &d.bytes),
        percent_oracle(run).as_ref(),
        "percent {:?}",
        show()
    );
    let e = Escape.decode(run);
    if let Some(want) = json_oracle(run) {
        assert_eq!(
            e.as_ref().map(|d| &d.bytes),
            want.as_ref(),
            "escape {:?}",
            show()
        );
    }
    if let Some(e) = &e {
        assert!(text(&e.bytes));
    }
    let k = KubeSecret.decode(run);
    for (kind, dec, d) in [
        ("base64", &Base64 as &dyn Decoder, b),
        ("hex", &Hex, h),
        ("percent", &Percent, p),
        ("escape", &Escape, e),
        ("kube", &KubeSecret, k),
    ] {
        if let Some(d) = d {
            check_token_spans(kind, dec, run, &d);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Candidates

fn each_decoder(data: &[u8]) -> pass::Candidates {
    let mut out = pass::Candidates::default();
    for (d, v) in decoders().iter().zip(out.iter_mut()) {
        d.candidates(data, v);
    }
    out
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"+/-_".contains(&b)
}

/// The candidates of the one pass are each decoder's, and each has the shape its decoder
/// documents. Returns them.
fn check_candidates(data: &[u8]) -> pass::Candidates {
    let each = each_decoder(data);
    let mut one_pass = pass::Candidates::default();
    pass::all_candidates(data, &mut one_pass);
    let show = || String::from_utf8_lossy(data).into_owned();
    for (k, dec) in decoders().iter().enumerate() {
        assert_eq!(
            one_pass[k],
            each[k],
            "one pass, {} on {:?}",
            dec.name(),
            show()
        );
        let mut end = 0;
        for r in &each[k] {
            assert!(
                r.start >= end && r.start < r.end && r.end <= data.len(),
                "{:?}",
                show()
            );
            end = r.end;
        }
    }
    let [kube, b64, hex, pct, esc] = &each;
    for r in b64 {
        let run = &data[r.clone()];
        let body = &run[..memchr::memchr(b'=', run).unwrap_or(run.len())];
        assert!(body.len() >= super::base64::MIN_RUN && run.len() - body.len() <= 2);
        assert!(run[body.len()..].iter().all(|&b| b == b'='));
        assert!(body.iter().all(|&b| is_b64(b)), "{:?}", show());
        let url = body.iter().any(|b| b"-_".contains(b));
        assert!(
            !(url && body.iter().any(|b| b"+/".contains(b))),
            "{:?}",
            show()
        );
        assert!(body.iter().any(u8::is_ascii_uppercase) && body.iter().any(u8::is_ascii_lowercase));
        // whole: bounded by bytes of neither alphabet, or by `-`/`_` splitting a run that
        // mixes both
        let bound = |b: Option<&u8>| b.is_none_or(|&b| !is_b64(b) || b"-_".contains(&b));
        assert!(
            bound(r.start.checked_sub(1).map(|i| &data[i])),
            "{:?}",
            show()
        );
        assert!(bound(data.get(r.start + body.len())), "{:?}", show());
        // not a Subresource Integrity hash, nor the payload of a binary data URI
        let before = &data[r.start.saturating_sub(96)..r.start];
        for p in [&b"sha1-"[..], b"sha256-", b"sha384-", b"sha512-"] {
            assert!(!run.starts_with(p) && !before.ends_with(p), "{:?}", show());
        }
        if let Some(uri) = before.strip_suffix(b";base64,") {
            if let Some(i) = memchr::memmem::rfind(uri, b"data:") {
                let mime = &uri[i + 5..];
                assert!(
                    [
                        &b"text/"[..],
                        b"application/json",
                        b"application/x-sh",
                        b"application/yaml",
                        b"application/x-yaml"
                    ]
                    .iter()
                    .any(|t| mime.starts_with(t)),
                    "{:?}",
                    show()
                );
            }
        }
    }
    for r in hex {
        let run = &data[r.clone()];
        assert!(run.len() >= 32 && run.iter().all(u8::is_ascii_hexdigit));
        // a whole word: hex in a longer word is not hex-encoded text
        let word = |i: Option<usize>| {
            i.and_then(|i| data.get(i))
                .is_some_and(u8::is_ascii_alphanumeric)
        };
        assert!(
            !word(r.start.checked_sub(1)) && !word(Some(r.end)),
            "{:?}",
            show()
        );
    }
    for r in pct {
        let run = &data[r.clone()];
        let url = |b: &u8| b.is_ascii_graphic() && !b"\"'`<>\\".contains(b);
        assert!(run.iter().all(url), "{:?}", show());
        assert!(run
            .windows(3)
            .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit()));
    }
    for r in esc {
        let run = &data[r.clone()];
        assert!(
            run.windows(3).any(|w| w[0] == b'\\'
                && b"ux".contains(&w[1])
                && (w[2].is_ascii_hexdigit() || w[2] == b'{')),
            "{:?}",
            show()
        );
    }
    for r in kube {
        let run = &data[r.clone()];
        assert!(memchr::memmem::find(data, b"kind: Secret").is_some());
        assert!(
            r.start > 0 && data[r.start - 1] == b' ' && run.contains(&b':'),
            "{:?}",
            show()
        );
    }
    each
}

/// Candidates and decodings of `data`: every candidate, and random slices of it.
fn check_document(data: &[u8], rng: &mut Rng) {
    for runs in check_candidates(data) {
        for r in runs {
            check_decodings(&data[r]);
        }
    }
    for _ in 0..20 {
        if data.is_empty() {
            break;
        }
        let s = rng.below(data.len());
        let e = s + rng.below(data.len() - s + 1);
        check_decodings(&data[s..e]);
    }
}

#[test]
fn random_documents_decode_as_the_oracles_say() {
    let mut rng = Rng::new(0x5eed);
    for _ in 0..3000 {
        let d = document(&mut rng);
        check_document(&d, &mut rng);
    }
}

#[test]
fn crafted_inputs_decode_as_the_oracles_say() {
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
        b"\"\\u+041\\x+4\\u{+41}\\u{}\\u{110000}\\u{0041}\\u00e9\\ud83d\\ude00\"".to_vec(),
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
        check_document(d, &mut rng);
    }
}

/// Random bytes of every encoding the base64 crate writes decode to what they encode, or to
/// nothing when that is not text.
#[test]
fn base64_round_trips_through_the_crate() {
    let mut rng = Rng::new(64);
    let mut texts = 0;
    for n in 0..4000 {
        let bytes = if n % 2 == 0 {
            secret_line(&mut rng).into_bytes()
        } else {
            let k = rng.below(40);
            rng.bytes(k)
        };
        let enc = b64(&mut rng, &bytes);
        let got = Base64.decode(enc.as_bytes()).map(|d| d.bytes);
        let want = (text(&bytes) && enc.len() >= 2).then_some(bytes);
        texts += usize::from(want.is_some());
        assert_eq!(got, want, "{enc}");
        check_decodings(enc.as_bytes());
    }
    assert!(texts > 1500);
}

/// Escaped text decodes to the text it was written from, with each character's span on
/// its escape: `\uHHHH` (surrogate pairs past the BMP), `\u{H…}`, `\xHH`, one-character
/// escapes, and `serde_json`'s own escaping.
#[test]
fn escapes_round_trip_to_the_text_they_were_written_from() {
    let mut rng = Rng::new(92);
    let chars: Vec<char> = "aZ9 =:/_-+.\"'`\\\n\té€😀\u{10ffff}\u{7f}\u{1}"
        .chars()
        .collect();
    for _ in 0..3000 {
        let s: String = (0..1 + rng.below(30))
            .map(|_| chars[rng.below(chars.len())])
            .collect();
        let mut enc = String::new();
        let mut spans = Vec::new(); // per byte of `s`
        let mut any = false;
        for c in s.chars() {
            let from = enc.len();
            let form = rng.below(6);
            match c {
                _ if form == 0 => {
                    let mut u = [0u16; 2];
                    for unit in c.encode_utf16(&mut u) {
                        enc.push_str(&format!("\\u{unit:04X}"));
                    }
                    any = true;
                }
                _ if form == 1 => {
                    enc.push_str(&format!("\\u{{{:x}}}", c as u32));
                    any = true;
                }
                _ if form == 2 && (c as u32) < 0x100 => {
                    enc.push_str(&format!("\\x{:02x}", c as u32));
                    any = true;
                }
                '\n' => enc.push_str("\\n"),
                '\t' => enc.push_str("\\t"),
                '\\' | '"' | '\'' | '`' => {
                    enc.push('\\');
                    enc.push(c);
                }
                c if c.is_control() => {
                    enc.push_str(&format!("\\u{:04x}", c as u32));
                    any = true;
                }
                c => enc.push(c),
            }
            if enc.len() - from == c.len_utf8() {
                // as written: one span per byte
                spans.extend((from..enc.len()).map(|i| (i as u32, i as u32 + 1)));
            } else {
                spans.extend((0..c.len_utf8()).map(|_| (from as u32, enc.len() as u32)));
            }
        }
        let got = Escape.decode(enc.as_bytes());
        if any && text(s.as_bytes()) {
            let got = got.unwrap_or_else(|| panic!("{enc:?} does not decode"));
            assert_eq!(String::from_utf8_lossy(&got.bytes), s, "{enc:?}");
            assert_eq!(got.spans, spans, "{enc:?}");
        } else {
            assert!(got.is_none(), "{enc:?}");
        }
        check_decodings(enc.as_bytes());
        // JSON's own escaping, with the non-ASCII characters as `\u` escapes too
        let json = serde_json::to_string(&s).unwrap();
        let body = &json[1..json.len() - 1];
        let ascii: String = body
            .chars()
            .flat_map(|c| {
                let mut u = [0u16; 2];
                let v: Vec<String> = if c.is_ascii() {
                    vec![c.to_string()]
                } else {
                    c.encode_utf16(&mut u)
                        .iter()
                        .map(|u| format!("\\u{u:04x}"))
                        .collect()
                };
                v
            })
            .collect();
        for body in [body, &ascii[..]] {
            let want = json_oracle(body.as_bytes()).expect("JSON");
            assert_eq!(
                Escape.decode(body.as_bytes()).map(|d| d.bytes),
                want,
                "{body:?}"
            );
        }
    }
}

/// A random `Secret`, `ConfigMap` or other manifest, and the `key: value` texts a YAML
/// parser and the base64 crate find in the data of its `Secret` documents.
fn manifests(rng: &mut Rng) -> String {
    let nl = if rng.below(5) == 0 { "\r\n" } else { "\n" };
    let mut out = String::new();
    for _ in 0..1 + rng.below(3) {
        if !out.is_empty() || rng.below(2) == 0 {
            out.push_str("---");
            out.push_str(nl);
        }
        let ind = " ".repeat(2 + 2 * rng.below(2));
        let kind = pick(rng, &["Secret", "Secret", "ConfigMap", "Deployment"]);
        let mut data = format!("data:{nl}");
        for k in 0..rng.below(5) {
            let key = pick(
                rng,
                &["password", "user-name", "tls.key", "token", "API_KEY"],
            );
            let value = match rng.below(4) {
                0 => STANDARD.encode(rng.bytes(1 + k * 7)),
                1 => STANDARD.encode(pick(rng, &["admin", "x", "hunter2"])),
                _ => STANDARD.encode(secret_line(rng)),
            };
            let q = pick(rng, &["", "\"", "'"]);
            data.push_str(&format!("{ind}{key}{k}: {q}{value}{q}{nl}"));
            match rng.below(4) {
                0 => data.push_str(&format!("{ind}# was: {}{nl}", STANDARD.encode("admin"))),
                1 => data.push_str(nl),
                _ => {}
            }
        }
        let mut blocks = vec![
            format!("apiVersion: v1{nl}"),
            format!("kind: {kind}{nl}"),
            format!("metadata:{nl}{ind}name: db{nl}{ind}labels:{nl}{ind}{ind}app: web{nl}"),
            data,
            format!("stringData:{nl}{ind}password: hunter2hunter2{nl}"),
            format!("type: Opaque{nl}"),
        ];
        for i in (1..blocks.len()).rev() {
            blocks.swap(i, rng.below(i + 1));
        }
        out.extend(blocks);
    }
    out
}

fn kube_oracle(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    for d in serde_yaml_ng::Deserializer::from_str(doc) {
        let v = serde_yaml_ng::Value::deserialize(d).expect("YAML");
        if v.get("kind").and_then(|k| k.as_str()) != Some("Secret") {
            continue;
        }
        let Some(data) = v.get("data").and_then(|d| d.as_mapping()) else {
            continue;
        };
        for (k, val) in data {
            let (Some(k), Some(val)) = (k.as_str(), val.as_str()) else {
                continue;
            };
            if let Ok(b) = STANDARD.decode(val) {
                if text(&b) {
                    out.push(format!("{k}: {}", String::from_utf8(b).unwrap()));
                }
            }
        }
    }
    out
}

#[test]
fn kube_secrets_decode_as_a_yaml_parser_reads_them() {
    let mut rng = Rng::new(8);
    let mut found = 0;
    for _ in 0..1500 {
        let doc = manifests(&mut rng);
        let mut runs = Vec::new();
        KubeSecret.candidates(doc.as_bytes(), &mut runs);
        let got: Vec<String> = runs
            .iter()
            .filter_map(|r| {
                let run = &doc.as_bytes()[r.clone()];
                let d = KubeSecret.decode(run)?;
                check_spans("kube", run, &d);
                Some(String::from_utf8(d.bytes).unwrap())
            })
            .collect();
        assert_eq!(got, kube_oracle(&doc), "{doc}");
        found += got.len();
    }
    assert!(found > 1000, "{found}");
}

// ---------------------------------------------------------------------------------------
// The driver

/// `text` encoded as `how` says, with the span of the encoded text each byte came from.
fn encode(how: &str, text: &[u8], rng: &mut Rng) -> (String, Vec<(usize, usize)>) {
    let mut enc = String::new();
    let mut spans = Vec::new();
    match how {
        "base64" => {
            enc = b64(rng, text);
            for k in 0..text.len() {
                spans.push((4 * (k / 3), (4 * (k / 3) + 4).min(enc.len())));
            }
        }
        "hex" => {
            for (k, b) in text.iter().enumerate() {
                enc.push_str(&format!("{b:02x}"));
                spans.push((2 * k, 2 * k + 2));
            }
        }
        "percent" => {
            for &b in text {
                let from = enc.len();
                if b.is_ascii_alphanumeric() && rng.below(2) == 0 {
                    enc.push(b as char);
                } else {
                    enc.push_str(&format!("%{b:02X}"));
                }
                spans.push((from, enc.len()));
            }
        }
        _ => {
            assert_eq!(how, "escape");
            for c in String::from_utf8_lossy(text).chars() {
                let from = enc.len();
                match rng.below(4) {
                    0 if (c as u32) < 0x100 => enc.push_str(&format!("\\x{:02x}", c as u32)),
                    1 => enc.push_str(&format!("\\u{{{:x}}}", c as u32)),
                    _ if c.is_ascii_alphanumeric() && rng.below(2) == 0 => enc.push(c),
                    _ => {
                        let mut u = [0u16; 2];
                        for unit in c.encode_utf16(&mut u) {
                            enc.push_str(&format!("\\u{unit:04x}"));
                        }
                    }
                }
                for _ in 0..c.len_utf8() {
                    spans.push((from, enc.len()));
                }
            }
        }
    }
    (enc, spans)
}

/// A line of benign filler: no backslash (a line ending in one goes on into the next), no
/// unencoded secret.
fn filler(rng: &mut Rng) -> Vec<u8> {
    loop {
        let p = piece(rng);
        if !p.contains(&b'\\') {
            let mut p = p;
            p.push(b'\n');
            return p;
        }
    }
}

/// A secret line encoded once or twice, planted among filler, is found with the rule and
/// secret the plain matcher finds in the line, at the encoded text of the secret, with the
/// chain of encodings named.
#[test]
fn planted_secrets_are_found_at_their_encoded_text() {
    let scanner = Scanner::new(crate::config::Config::default()).unwrap();
    let rules = &scanner.rules;
    let mut rng = Rng::new(4040);
    let chains: &[&[&str]] = &[
        &["base64"],
        &["hex"],
        &["percent"],
        &["escape"],
        &["base64", "percent"],
        &["base64", "base64"],
        &["hex", "base64"],
        &["escape", "base64"],
        &["percent", "base64"],
        &["base64", "escape"],
        &["escape", "hex"],
    ];
    let lines = [
        "STRIPE_SECRET_KEY=sk_live_{{alnum:99}}",
        "GITHUB_TOKEN={{github:ghp}}",
        "xoxb-{{digits:12}}-{{digits:12}}-{{alnum:24}}",
        "postgres://admin:{{alnum:16}}@db.example.com:5432/app",
    ];
    let (mut planted, mut blocked) = (0, 0);
    for n in 0..600 {
        let line = expand(lines[n % lines.len()], &mut rng).unwrap();
        let mut plain = Vec::new();
        rules.scan(line.as_bytes(), false, &mut plain);
        let plain = resolve_overlaps(plain, rules);
        assert!(!plain.is_empty(), "{line}");
        let chain = chains[rng.below(chains.len())];
        // innermost encoding first; spans compose outward
        let mut enc = line.clone();
        let mut spans: Vec<(usize, usize)> = (0..line.len()).map(|i| (i, i + 1)).collect();
        for how in chain.iter().rev() {
            let (outer, outer_spans) = encode(how, enc.as_bytes(), &mut rng);
            spans = spans
                .iter()
                .map(|&(s, e)| (outer_spans[s].0, outer_spans[e - 1].1))
                .collect();
            enc = outer;
        }
        let mut d = Vec::new();
        for _ in 0..rng.below(4) {
            d.extend(filler(&mut rng));
        }
        let at = d.len();
        d.extend(enc.as_bytes());
        d.push(b'\n');
        for _ in 0..rng.below(4) {
            d.extend(filler(&mut rng));
        }
        // now and then a plain match of another secret on the encoded text: when its rule is
        // not a generic one, the plain finding stands for the text and it is not decoded
        let mut blocking = Vec::new();
        if n % 5 == 0 {
            let mut b = plain[0].clone();
            b.start = at + rng.below(enc.len());
            b.end = b.start + 1;
            b.secret = "another secret".into();
            blocking.push(b);
        }
        let found = super::scan(
            rules,
            &d,
            0..d.len(),
            true,
            &blocking,
            Limits::default(),
            false,
            &mut LimitsHit::default(),
        );
        check_scan(
            rules,
            &d,
            0..d.len(),
            true,
            &blocking,
            Limits::default(),
            &found,
        );
        if let Some(b) = blocking.first() {
            if !rules.rules[b.rule].spec.tags.iter().any(|t| t == "generic") {
                assert!(
                    !found
                        .iter()
                        .any(|m| m.m.start < at + enc.len() && at < m.m.end),
                    "{found:?}"
                );
                blocked += 1;
                continue;
            }
        }
        for p in &plain {
            let want = (at + spans[p.start].0, at + spans[p.end - 1].1);
            assert!(
                found.iter().any(|m| m.m.rule == p.rule
                    && m.m.secret == p.secret
                    && (m.m.start, m.m.end) == want
                    && m.chain == chain.join(">")),
                "{} {:?} at {want:?} not in {:?}\n{}",
                chain.join(">"),
                p.secret,
                found
                    .iter()
                    .map(|m| (&m.chain, m.m.start, m.m.end, &m.m.secret))
                    .collect::<Vec<_>>(),
                String::from_utf8_lossy(&d)
            );
            planted += 1;
        }
    }
    assert!(planted >= 400 && blocked >= 80, "{planted} {blocked}");
}

/// What every result of [`super::scan`] must satisfy: each match lies inside an accepted
/// candidate run of the data that no non-generic plain match overlaps, names a chain of
/// decoders no deeper than the limit, and is not a plain secret again; the list is sorted
/// with no match twice.
fn check_scan(
    rules: &crate::matcher::RuleSet,
    data: &[u8],
    accept: Range<usize>,
    at_eof: bool,
    plain: &[RawMatch],
    limits: Limits,
    found: &[DecodedMatch],
) {
    let cands = each_decoder(data);
    let blocked: Vec<&RawMatch> = plain
        .iter()
        .filter(|m| !rules.rules[m.rule].spec.tags.iter().any(|t| t == "generic"))
        .collect();
    let names: Vec<&str> = decoders().iter().map(|d| d.name()).collect();
    let show = || String::from_utf8_lossy(data).into_owned();
    for m in found {
        assert!(m.m.start < m.m.end && m.m.end <= data.len());
        let first = m.chain.split('>').next().unwrap();
        let inside = decoders().iter().zip(&cands).any(|(dec, runs)| {
            dec.name() == first
                && runs.iter().any(|r| {
                    accept.contains(&r.start)
                        && r.len() <= limits.max_run
                        && (at_eof || r.end < data.len())
                        && r.start <= m.m.start
                        && m.m.end <= r.end
                        && !blocked.iter().any(|b| b.start < r.end && r.start < b.end)
                })
        });
        assert!(inside, "{m:?} outside the accepted runs of {:?}", show());
        assert!(m.chain.split('>').count() <= limits.max_depth);
        assert!(m.chain.split('>').all(|c| names.contains(&c)));
        assert!(!plain.iter().any(|p| p.secret == m.m.secret), "{m:?}");
    }
    for w in found.windows(2) {
        assert!((w[0].m.start, w[0].m.rule, w[0].m.end) <= (w[1].m.start, w[1].m.rule, w[1].m.end));
    }
    let mut keys: Vec<_> = found.iter().map(key).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), found.len(), "a match twice");
}

/// What identifies a decoded match: the driver keeps one match per rule, secret and start
/// (the first one decoded; which chain that is depends on which other runs were decoded).
fn key(m: &DecodedMatch) -> (usize, usize, String) {
    (m.m.rule, m.m.start, m.m.secret.clone())
}

fn plain_matches(scanner: &Scanner, d: &[u8], code: bool) -> Vec<RawMatch> {
    let mut plain = Vec::new();
    scanner.rules.scan(d, code, &mut plain);
    resolve_overlaps(plain, &scanner.rules)
}

#[allow(clippy::too_many_arguments)]
fn scan(
    scanner: &Scanner,
    d: &[u8],
    accept: Range<usize>,
    at_eof: bool,
    plain: &[RawMatch],
    limits: Limits,
    code: bool,
) -> (Vec<DecodedMatch>, LimitsHit) {
    let mut hit = LimitsHit::default();
    let found = super::scan(
        &scanner.rules,
        d,
        accept.clone(),
        at_eof,
        plain,
        limits,
        code,
        &mut hit,
    );
    check_scan(&scanner.rules, d, accept, at_eof, plain, limits, &found);
    (found, hit)
}

fn keys(found: &[DecodedMatch]) -> std::collections::BTreeSet<(usize, usize, String)> {
    found.iter().map(key).collect()
}

/// On random documents, with and without plain matches and in code or not: the results
/// satisfy [`check_scan`]; the data cut anywhere (not at the end of the input) finds a
/// subset of the whole; smaller budgets, a shorter longest run and a smaller depth find a
/// subset, and when budgets or depth find less, they say so.
#[test]
fn scan_keeps_its_promises_on_random_documents() {
    let scanner = Scanner::new(crate::config::Config::default()).unwrap();
    let mut rng = Rng::new(2024);
    let (mut found_total, mut cut_short, mut budget_short, mut depth_short) = (0, 0, 0, 0);
    for n in 0..400 {
        let d = document(&mut rng);
        let code = rng.below(2) == 0;
        let plain = if rng.below(2) == 0 {
            plain_matches(&scanner, &d, code)
        } else {
            Vec::new()
        };
        let whole_limits = Limits::default();
        let (whole, hit) = scan(&scanner, &d, 0..d.len(), true, &plain, whole_limits, code);
        assert!(
            hit.budget_at.is_none() && hit.runs_at.is_none(),
            "a small document fits the default budgets"
        );
        let whole_keys = keys(&whole);
        found_total += whole.len();
        // cut short: a run reaching the cut is left for the next chunk
        if !d.is_empty() {
            let cut = rng.below(d.len() + 1);
            let (part, _) = scan(&scanner, &d[..cut], 0..cut, false, &[], whole_limits, code);
            let plain_none = scan(&scanner, &d, 0..d.len(), true, &[], whole_limits, code).0;
            let part = keys(&part);
            assert!(
                part.is_subset(&keys(&plain_none)),
                "cut at {cut}: {:?}\n{:?}\n{:?}",
                String::from_utf8_lossy(&d),
                part,
                keys(&plain_none)
            );
            cut_short += usize::from(part.len() < plain_none.len());
        }
        // budgets of runs and decoded bytes
        let limits = Limits {
            max_decoded: rng.below(if n % 2 == 0 { 400 } else { 4000 }),
            max_runs: rng.below(12),
            ..whole_limits
        };
        let (small, hit) = scan(&scanner, &d, 0..d.len(), true, &plain, limits, code);
        let small = keys(&small);
        assert!(
            small.is_subset(&whole_keys),
            "{:?}",
            String::from_utf8_lossy(&d)
        );
        if small != whole_keys {
            assert!(hit.budget_at.is_some() || hit.runs_at.is_some(), "{hit:?}");
            budget_short += 1;
        }
        assert!(!hit.depth);
        for at in hit.budget_at.into_iter().chain(hit.runs_at) {
            assert!(at < d.len());
        }
        // longest run decoded: longer ones are skipped by design (fonts, images), silently
        let limits = Limits {
            max_run: rng.below(300),
            ..whole_limits
        };
        let (short_runs, _) = scan(&scanner, &d, 0..d.len(), true, &plain, limits, code);
        assert!(keys(&short_runs).is_subset(&whole_keys));
        // nesting depth
        let limits = Limits {
            max_depth: 1 + rng.below(2),
            ..whole_limits
        };
        let (shallow, hit) = scan(&scanner, &d, 0..d.len(), true, &plain, limits, code);
        let shallow = keys(&shallow);
        assert!(shallow.is_subset(&whole_keys));
        if shallow != whole_keys {
            assert!(hit.depth, "{:?}", String::from_utf8_lossy(&d));
            depth_short += 1;
        }
    }
    assert!(
        found_total > 50,
        "the documents hold decodable secrets ({found_total})"
    );
    assert!(
        cut_short > 5 && budget_short > 5 && depth_short > 0,
        "{cut_short} {budget_short} {depth_short}"
    );
}

/// Chunks as the sources cut a large blob (each accepts its own bytes and sees an overlap on
/// either side; only the last is at the end of the input) find together what the whole
/// blob finds, at the same places.
#[test]
fn chunks_with_an_overlap_find_what_the_whole_finds() {
    const OVERLAP: usize = 9000;
    let scanner = Scanner::new(crate::config::Config::default()).unwrap();
    let mut rng = Rng::new(31);
    let mut total = 0;
    for _ in 0..6 {
        let mut d = Vec::new();
        while d.len() < 40_000 {
            d.extend(document(&mut rng));
        }
        let code = rng.below(2) == 0;
        let (whole, _) = scan(&scanner, &d, 0..d.len(), true, &[], Limits::default(), code);
        let size = 1000 + rng.below(6000);
        let mut union = std::collections::BTreeSet::new();
        let mut from = 0;
        while from < d.len() {
            let mut to = from + size;
            let last = to + OVERLAP >= d.len();
            if last {
                to = d.len();
            }
            let w0 = from.saturating_sub(OVERLAP);
            let w1 = if last { d.len() } else { to + OVERLAP };
            let window = &d[w0..w1];
            let (found, _) = scan(
                &scanner,
                window,
                from - w0..to - w0,
                last,
                &[],
                Limits::default(),
                code,
            );
            union.extend(
                found
                    .iter()
                    .map(|m| (m.m.rule, m.m.start + w0, m.m.secret.clone())),
            );
            from = to;
        }
        assert_eq!(union, keys(&whole));
        total += whole.len();
    }
    assert!(total > 200, "{total}");
}

/// The oracles on every file under `LEAKGATE_DECODE_TREE` (up to 8 MB each):
/// `LEAKGATE_DECODE_TREE=DIR cargo test --release --lib decode::oracles::tree -- --ignored`.
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
        check_document(&d, &mut rng);
        let code = crate::kind::is_code(&p.to_string_lossy());
        let plain = plain_matches(&scanner, &d, code);
        let (found, _) = scan(
            &scanner,
            &d,
            0..d.len(),
            true,
            &plain,
            Limits::default(),
            code,
        );
        files += 1;
        bytes += d.len();
        matches += found.len();
    }
    eprintln!("{files} files, {bytes} bytes, {matches} decoded matches: as the oracles say");
}
