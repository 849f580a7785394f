//! Source maps: scan what a build ships, report where it came from.
//!
//! A source map with `sourcesContent` carries the full original source of every module in a
//! bundle, and it is usually deployed next to the bundle. [`scan_file`] runs after the plain
//! scan of a file and adds what only a source-map-aware scanner sees:
//!
//! - **`.map` files**: every `sourcesContent` entry is scanned as a virtual file named by its
//!   original path (see [`Resolver`]), with the map as a related location. Plain-scan hits that
//!   lie inside the map's `sourcesContent` strings are dropped (the virtual files report them
//!   with exact original lines); hits elsewhere in the map stay where they are. Index maps
//!   (`sections`) are walked section by section; sections that point to another file (`url`)
//!   are not followed (a warning says so).
//! - **Bundles** (`.js`, `.mjs`, `.cjs`, `.css`): an inline map
//!   (`sourceMappingURL=data:application/json;base64,…`) is scanned like a `.map` file. A hit
//!   in the bundle's own code is mapped back through the inline map, the map named by
//!   `sourceMappingURL`, or `<bundle>.map` beside it, and reported at the original file and
//!   line, with the bundle (and the map) as related locations. Source-map columns count UTF-16
//!   code units; leakgate's count Unicode scalar values; both are converted on the actual
//!   line text. When the original text is known (from `sourcesContent` or the original file on
//!   disk) the column is the secret's exact position on that line; when the original line does
//!   not contain the value at all (a build-time `define` or environment variable put it there),
//!   the finding stays in the bundle and the original position becomes the related location.
//!
//! A secret in the bundle, the map's `sourcesContent` and the original file on disk ends up
//! as one finding: all three carry the same fingerprint (rule, secret, original path), and
//! [`crate::engine::dedup_findings`] merges them, keeping every related location.
//!
//! Sources under `node_modules/`, `webpack/runtime` and other generated modules are scanned
//! too: vendored code ships to users just the same and can carry a key.
//!
//! Bad maps never stop a scan: invalid JSON, an unknown structure or a map over
//! [`MAX_MAP_BYTES`] produces a warning naming the file and the reason, and the file keeps its
//! plain-scan findings. `.map` files that are not JSON at all (linker maps) are left alone
//! without a warning.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use sourcemap::{DecodedMap, SourceMap};

use super::Sink;
use crate::engine::{has_allow_marker, ChunkPos, Scanner};
use crate::finding::{fingerprint, redact, Finding, Location, RelatedLocation, Snippet};
use crate::paths::normalize;
use crate::text::LineIndex;

/// Maps (and bundles read back for mapping) larger than this are not decoded.
pub const MAX_MAP_BYTES: u64 = 128 << 20;
/// Original files read from disk to place a mapped hit are at most this large.
const MAX_ORIGINAL_BYTES: u64 = 16 << 20;

/// Related-location message for a map whose `sourcesContent` holds the secret.
pub const MSG_MAP_CONTENT: &str =
    "source map sourcesContent: the map ships this original source to anyone who can fetch it";
/// Related-location message for an inline (data: URL) map inside a bundle.
pub const MSG_INLINE_CONTENT: &str =
    "inline source map (data: URL) of the bundle: its sourcesContent ships this original source";
/// Related-location message for the bundle a hit was mapped back from.
pub const MSG_BUNDLE: &str =
    "shipped bundle, mapped back to the original source through its source map";
/// Related-location message for a map used only to map a bundle hit back.
pub const MSG_MAP_USED: &str = "source map that maps the bundle back to the original source";
/// Related-location message when the original line does not hold the value.
pub const MSG_INJECTED: &str = "original source of this bundle code according to its source map; that line does not contain the value: it was probably injected at build time (a define or an environment variable), or the source changed since the build";

/// What the file walker knows about the scan.
pub struct Context<'a> {
    /// The paths the user named (the walk roots).
    pub roots: &'a [PathBuf],
    /// True when the config's `allow.paths` excludes a (virtual) path.
    pub allowed: &'a dyn Fn(&Path) -> bool,
}

pub use crate::kind::{is_bundle_or_map as applies, is_map};

/// A file the walker has in memory, with its map when it parsed one before the plain scan.
pub struct Held<'a> {
    /// The whole file.
    pub data: &'a [u8],
    /// [`PreparedMap::parse`] of `data`, when that succeeded.
    pub map: Option<PreparedMap>,
}

/// A `.map` file parsed before its plain scan. Its `sourcesContent` strings, usually most
/// of its bytes, are scanned as the virtual files they hold (with exact original lines), so
/// the plain scan reads only the rest of the JSON ([`PreparedMap::plain_parts`]) instead of
/// reading the same source twice and dropping the first result.
pub struct PreparedMap {
    map: LiteMap,
    /// Byte ranges of the `sourcesContent` arrays (see [`sources_content_spans`]).
    spans: Vec<(usize, usize)>,
}

impl PreparedMap {
    /// Parse `data`, the whole text of a `.map` file, when it holds a source map
    /// [`scan_file`] will scan the sources of. `None` for anything else (not JSON, invalid
    /// JSON, no `sources` nor `sections`): the plain scan then reads every byte, and
    /// [`scan_file`] reports why the map was not used.
    pub fn parse(data: &[u8]) -> Option<PreparedMap> {
        if !looks_like_json_object(data) {
            return None;
        }
        let map: LiteMap = serde_json::from_slice(strip_prefixes(data)).ok()?;
        if map.sources.is_none() && map.sections.is_none() {
            return None;
        }
        Some(PreparedMap {
            spans: sources_content_spans(data),
            map,
        })
    }

    /// The byte ranges of a map of `len` bytes the plain scan still reads: everything
    /// outside the `sourcesContent` arrays.
    pub fn plain_parts(&self, len: usize) -> Vec<(usize, usize)> {
        let mut parts = Vec::with_capacity(self.spans.len() + 1);
        let mut at = 0;
        for &(a, b) in &self.spans {
            if a > at {
                parts.push((at, a.min(len)));
            }
            at = at.max(b);
        }
        if at < len {
            parts.push((at, len));
        }
        parts
    }
}

/// Add source-map findings for one file after its plain scan. `findings` holds the plain
/// scan's findings for `shown` and is edited in place (bundle hits mapped back, map hits
/// covered by `sourcesContent` dropped, virtual files' findings appended). `held` is the
/// whole file when the caller has it in memory; otherwise it is read from `disk`.
pub fn scan_file(
    scanner: &Scanner,
    sink: &Sink,
    ctx: &Context,
    disk: &Path,
    shown: &str,
    held: Option<Held>,
    findings: &mut Vec<Finding>,
) {
    let (data, prepared) = match held {
        Some(h) => (Some(h.data), h.map),
        None => (None, None),
    };
    let is_map = is_map(shown);
    if !is_map && findings.is_empty() {
        // a bundle without findings: only an inline map can add something
        let inline = match data {
            Some(d) => find_map_ref(d).is_some_and(|r| r.url.starts_with("data:")),
            None => tail_may_hold_inline_map(disk),
        };
        if !inline {
            return;
        }
    }
    let owned;
    let data = match data {
        Some(d) => d,
        None => match read_limited(disk, MAX_MAP_BYTES) {
            Ok(Some(d)) => {
                owned = d;
                &owned[..]
            }
            Ok(None) => {
                sink.warn(format!(
                    "{shown}: over {} MiB; source map handling skipped, scanned as a plain file",
                    MAX_MAP_BYTES >> 20
                ));
                return;
            }
            Err(e) => {
                sink.warn(format!("{shown}: cannot read for source map handling: {e}"));
                return;
            }
        },
    };
    let scan_root = scan_root_of(ctx.roots, shown);
    if is_map {
        scan_map_file(
            scanner, sink, ctx, &scan_root, shown, data, prepared, findings,
        );
    } else {
        scan_bundle(scanner, sink, ctx, &scan_root, shown, data, findings);
    }
}
mod bundles;
mod decoding;
mod lines;
mod maps;
mod resolve;
use bundles::*;
pub use decoding::*;
use lines::*;
pub use maps::*;
use resolve::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_count_counts_every_section_without_keeping_names() {
        let flat = br#"{"version":3,"sources":["a.js","b.js",null],"mappings":""}"#;
        assert_eq!(source_count(flat), Some(3));
        let index = br#"{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"sources":["a","b"]}},{"offset":{"line":1,"column":0},"map":{"sections":[{"map":{"sources":["c"]}}]}},{"url":"x.map"}]}"#;
        assert_eq!(source_count(index), Some(3));
        assert_eq!(source_count(br#"{"sources":"#), None);
        assert_eq!(source_count(br#"{"mappings":""}"#), Some(0));
    }
    #[test]
    fn classifies_bundler_source_names() {
        use Kind::*;
        assert_eq!(
            classify("../../src/main.ts"),
            Relative("../../src/main.ts".into())
        );
        assert_eq!(
            classify("webpack://app/./src/lib/api.ts"),
            Project("./src/lib/api.ts".into())
        );
        assert_eq!(
            classify("webpack:///./src/x.vue?vue&type=script"),
            Project("./src/x.vue".into())
        );
        assert_eq!(
            classify("webpack://_N_E/webpack/runtime/chunk loaded"),
            Virtual("webpack/runtime/chunk loaded".into())
        );
        assert_eq!(
            classify("webpack://_N_E/?a1b2"),
            Virtual("_N_E/?a1b2".into())
        );
        assert_eq!(
            classify("turbopack:///[project]/src/app/page.tsx"),
            Project("src/app/page.tsx".into())
        );
        assert_eq!(
            classify("\0vite/preload-helper.js"),
            Virtual("vite/preload-helper.js".into())
        );
        assert_eq!(
            classify("vite/modulepreload-polyfill.js"),
            Virtual("vite/modulepreload-polyfill.js".into())
        );
        assert_eq!(
            classify("file:///home/ci/app/src/a%20b.ts"),
            Absolute("/home/ci/app/src/a b.ts".into())
        );
        assert_eq!(
            classify("file:///C:/app/x.ts"),
            Absolute("C:/app/x.ts".into())
        );
        assert_eq!(classify("C:\\app\\x.ts"), Absolute("C:/app/x.ts".into()));
        assert_eq!(
            classify("https://cdn.example.com/lib.js"),
            Virtual("cdn.example.com/lib.js".into())
        );
    }

    #[test]
    fn resolves_against_the_map_and_falls_back_to_a_path_inside_it() {
        let r = Resolver::new("site/dist/assets/index.js.map", "site/dist/assets", "site");
        assert_eq!(r.display("../../src/main.ts", 0), "site/src/main.ts");
        // project root: no package.json anywhere here, so the scan root
        assert_eq!(
            r.display("webpack://app/./src/lib/api.ts", 0),
            "site/src/lib/api.ts"
        );
        assert_eq!(
            r.display("webpack://app/webpack/runtime/define", 3),
            "site/dist/assets/index.js.map!/webpack/runtime/define"
        );
        // leaves the scan root and does not exist: shown inside the map
        assert_eq!(
            r.display("../../../../../home/dev/app/src/x.ts", 0),
            "site/dist/assets/index.js.map!/home/dev/app/src/x.ts"
        );
        assert_eq!(
            r.display("/no/such/build/machine/x.ts", 0),
            "site/dist/assets/index.js.map!/no/such/build/machine/x.ts"
        );
        assert_eq!(r.display("", 7), "site/dist/assets/index.js.map!/source-7");
        assert_eq!(normalize("a/./b/../c"), "a/c");
        assert_eq!(normalize("../a/../../b"), "../../b");
        assert_eq!(normalize("/a/../../b"), "/b");
    }

    #[test]
    fn utf16_columns() {
        // 😀 is one character, two UTF-16 units, four UTF-8 bytes
        let line = "x=\"😀\";k=\"KEY\"";
        let b = line.find("KEY").unwrap();
        assert_eq!(utf16_len(&line.as_bytes()[..b]), 10);
        assert_eq!(line[..b].chars().count(), 9);
        assert_eq!(utf16_to_chars(line, 10), 9);
        assert_eq!(closest_occurrence(line, "KEY", 10), Some(9));
        let data = line.as_bytes();
        let idx = LineIndex::new(data);
        assert_eq!(idx.offset(data, 1, 10), Some(b));
        assert_eq!(idx.pos(data, b), (1, 10));
        assert_eq!(closest_occurrence("a KEY b KEY", "KEY", 9), Some(8));
    }

    #[test]
    fn finds_source_mapping_urls() {
        let js = b"var a=1;\n//# sourceMappingURL=index.js.map\n";
        assert_eq!(find_map_ref(js).unwrap().url, "index.js.map");
        let css = b"a{}\n/*# sourceMappingURL=data:application/json;base64,e30= */";
        let r = find_map_ref(css).unwrap();
        assert_eq!(r.url, "data:application/json;base64,e30=");
        assert_eq!(data_url_json(r.url).unwrap(), b"{}");
        assert_eq!(
            data_url_json("data:application/json;charset=utf-8,%7B%7D").unwrap(),
            b"{}"
        );
        assert!(data_url_json("data:application/json;base64,@@@").is_err());
        // a string that mentions it is not a reference
        assert!(find_map_ref(b"const s = 'sourceMappingURL=x';").is_none());
    }

    #[test]
    fn sources_content_spans_cover_the_strings() {
        let json =
            br#"{"version":3,"sources":["a"],"sourcesContent": ["x\"]y", null],"mappings":""}"#;
        let spans = sources_content_spans(json);
        assert_eq!(spans.len(), 1);
        let (a, b) = spans[0];
        let inner = &json[a..b];
        assert!(inner.starts_with(b"[") && inner.ends_with(b"null"));
    }

    /// Mutated and truncated maps, inline and standalone, must never panic: every path
    /// (lenient parse, mappings decode, section lookup, mapping back) runs on each.
    #[test]
    fn garbage_maps_never_panic() {
        use crate::examples::{expand, Rng};
        use base64::Engine;
        let scanner = Scanner::new(crate::config::Config::default()).unwrap();
        let allowed = |_: &Path| false;
        let roots = [PathBuf::from(".")];
        let ctx = Context {
            roots: &roots,
            allowed: &allowed,
        };
        let mut rng = Rng::new(42);
        let key = expand("sk_live_{{alnum:99}}", &mut rng).unwrap();
        let regular = format!(
            r#"{{"version":3,"file":"a.js","sourceRoot":"/","sources":["../src/a.ts","webpack://x/./b.ts",null],"sourcesContent":["const k = \"{key}\";\n",null],"names":["k"],"mappings":"AAAA,MAAMA,IAAI;AACV,CAAC"}}"#
        );
        let index = format!(
            r#"{{"version":3,"sections":[{{"offset":{{"line":0,"column":0}},"map":{regular}}},{{"offset":{{"line":0,"column":9}},"map":{regular}}},{{"offset":{{"line":3,"column":0}},"url":"x.map"}}]}}"#
        );
        let bytes_of = |s: &str| s.as_bytes().to_vec();
        let specials = b"\"{}[],:0123456789;ABCDEFGHgh+/!\\\n\x00\xff";
        for base in [bytes_of(&regular), bytes_of(&index)] {
            for round in 0..400 {
                let mut m = base.clone();
                for _ in 0..=rng.below(4) {
                    let i = rng.below(m.len());
                    match rng.below(4) {
                        0 => m[i] = specials[rng.below(specials.len())],
                        1 => m.truncate(i.max(1)),
                        2 => m.insert(i, specials[rng.below(specials.len())]),
                        _ => {
                            m.remove(i.min(m.len() - 1));
                        }
                    }
                    if m.is_empty() {
                        m.push(b'{');
                    }
                }
                let sink = Sink::default();
                let mut findings = Vec::new();
                let prepared = PreparedMap::parse(&m);
                if let Some(p) = &prepared {
                    let parts = p.plain_parts(m.len());
                    super::super::scan_parts(&scanner, "m/a.js.map", &m, &parts, &mut findings);
                }
                scan_map_file(
                    &scanner,
                    &sink,
                    &ctx,
                    "",
                    "m/a.js.map",
                    &m,
                    prepared,
                    &mut findings,
                );
                let b64 = base64::engine::general_purpose::STANDARD.encode(&m);
                let bundle = format!(
                    "var k=\"{key}\";\n😀x=\"{key}\"\n//# sourceMappingURL=data:application/json;base64,{b64}\n"
                );
                let mut findings = Vec::new();
                let data = bundle.as_bytes();
                scanner.scan_chunk("m/b.js", data, ChunkPos::whole(data.len()), &mut findings);
                assert!(!findings.is_empty(), "round {round}");
                scan_bundle(&scanner, &sink, &ctx, "", "m/b.js", data, &mut findings);
                let idx = LineIndex::new(&m);
                for _ in 0..4 {
                    let l = rng.below(4) as u32;
                    let c = rng.below(400) as u32;
                    let _ = idx.offset(&m, l, c);
                }
                let _ = sources_content_spans(&m);
                let _ = find_map_ref(&m);
            }
        }
    }

    #[test]
    fn huge_mapping_values_do_not_overflow() {
        use base64::Engine;
        fn vlq(v: i64, out: &mut String) {
            const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let mut n = if v < 0 { ((-v) << 1) | 1 } else { v << 1 };
            loop {
                let d = (n & 31) as usize;
                n >>= 5;
                out.push(B64[d | if n > 0 { 32 } else { 0 }] as char);
                if n == 0 {
                    break;
                }
            }
        }
        let scanner = Scanner::new(crate::config::Config::default()).unwrap();
        let allowed = |_: &Path| false;
        let roots = [PathBuf::from(".")];
        let ctx = Context {
            roots: &roots,
            allowed: &allowed,
        };
        let key =
            crate::examples::expand("sk_live_{{alnum:99}}", &mut crate::examples::Rng::new(5))
                .unwrap();
        let mut mappings = String::new();
        for v in [0, 0, 0, u32::MAX as i64 - 3] {
            vlq(v, &mut mappings);
        }
        // no sourcesContent and no file on disk: the map's column is used as is
        let map = format!(
            r#"{{"version":3,"sources":["no/such/file.ts"],"names":[],"mappings":"{mappings}"}}"#
        );
        let b64 = base64::engine::general_purpose::STANDARD.encode(map);
        let bundle =
            format!("k=\"{key}\"\n//# sourceMappingURL=data:application/json;base64,{b64}\n");
        let data = bundle.as_bytes();
        let mut findings = Vec::new();
        scanner.scan_chunk("b.js", data, ChunkPos::whole(data.len()), &mut findings);
        let sink = Sink::default();
        scan_bundle(&scanner, &sink, &ctx, "", "b.js", data, &mut findings);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].location.path, "no/such/file.ts");
        assert_eq!(findings[0].location.column, u32::MAX);
    }
}
