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

/// True for files [`scan_file`] has something to add to: source maps and JS/CSS bundles.
pub fn applies(shown: &str) -> bool {
    let name = shown.rsplit('/').next().unwrap_or(shown);
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    !stem.is_empty()
        && matches!(
            ext.to_ascii_lowercase().as_str(),
            "map" | "js" | "mjs" | "cjs" | "css"
        )
}

/// True for `.map` files (any case).
pub fn is_map(shown: &str) -> bool {
    let b = shown.as_bytes();
    b.len() >= 4 && b[b.len() - 4..].eq_ignore_ascii_case(b".map")
}

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

// ---------------------------------------------------------------------------------------------
// Map files

#[allow(clippy::too_many_arguments)]
fn scan_map_file(
    scanner: &Scanner,
    sink: &Sink,
    ctx: &Context,
    scan_root: &str,
    shown: &str,
    data: &[u8],
    prepared: Option<PreparedMap>,
    findings: &mut Vec<Finding>,
) {
    let (parsed, spans) = match prepared {
        Some(p) => (Some(p.map), Some(p.spans)),
        None => (None, None),
    };
    if !looks_like_json_object(data) {
        return; // not a source map (a linker map, a game map): the plain scan was enough
    }
    let lines = LineIndex::new(data);
    let resolver = Resolver::new(shown, dir_of(shown), scan_root);
    let mut virtual_findings = Vec::new();
    let related = |f: &Finding| RelatedLocation {
        location: locate_json_string(data, &lines, &f.secret, shown),
        message: MSG_MAP_CONTENT.to_string(),
    };
    let scanned = scan_contents(
        scanner,
        sink,
        ctx,
        shown,
        data,
        parsed,
        &resolver,
        &related,
        &mut virtual_findings,
    );
    if !scanned {
        return;
    }
    // plain hits inside sourcesContent strings are reported by the virtual files (with a
    // prepared map the plain scan did not read them; configuration checks still did)
    if findings.is_empty() {
        findings.append(&mut virtual_findings);
        return;
    }
    let spans = spans.unwrap_or_else(|| sources_content_spans(data));
    findings.retain(|f| {
        let off = lines.offset(data, f.location.line, f.location.column);
        !off.is_some_and(|o| spans.iter().any(|&(a, b)| o >= a && o < b))
    });
    findings.append(&mut virtual_findings);
}

/// The parts of a source map needed to scan its `sourcesContent`. The mappings are skipped
/// unread: decoding them ([`decode`]) is needed only to map a bundle hit back.
#[derive(serde::Deserialize)]
struct LiteMap {
    version: Option<serde::de::IgnoredAny>,
    #[serde(rename = "sourceRoot")]
    source_root: Option<String>,
    sources: Option<Capped>,
    #[serde(rename = "sourcesContent")]
    sources_content: Option<Capped>,
    sections: Option<Vec<LiteSection>>,
}

/// Sources a map may have that are read and scanned; beyond this the rest are skipped
/// unread with a warning (a map with 5M `sources` took 1.6 GB).
pub const MAX_SOURCES: usize = 100_000;

/// A JSON array of strings (or nulls) of which at most [`MAX_SOURCES`] are kept; `total`
/// counts them all.
#[derive(Default)]
struct Capped {
    items: Vec<Option<String>>,
    total: usize,
}

impl std::ops::Deref for Capped {
    type Target = [Option<String>];
    fn deref(&self) -> &[Option<String>] {
        &self.items
    }
}

impl<'de> serde::Deserialize<'de> for Capped {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Capped, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Capped;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of strings")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Capped, A::Error> {
                let mut c = Capped::default();
                while c.items.len() < MAX_SOURCES {
                    match seq.next_element::<Option<String>>()? {
                        Some(x) => c.items.push(x),
                        None => {
                            c.total = c.items.len();
                            return Ok(c);
                        }
                    }
                }
                c.total = c.items.len();
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    c.total += 1;
                }
                Ok(c)
            }
        }
        d.deserialize_seq(V)
    }
}

#[derive(serde::Deserialize)]
struct LiteSection {
    map: Option<Box<LiteMap>>,
    url: Option<String>,
}

/// Scan every `sourcesContent` entry of the map `json` as a virtual file (see [`Resolver`]),
/// adding `related(finding)` to each finding. `parsed` is `json` already parsed, if it was.
/// False (after a warning naming `label` and the reason) when `json` is not a usable source
/// map.
#[allow(clippy::too_many_arguments)]
fn scan_contents(
    scanner: &Scanner,
    sink: &Sink,
    ctx: &Context,
    label: &str,
    json: &[u8],
    parsed: Option<LiteMap>,
    resolver: &Resolver,
    related: &dyn Fn(&Finding) -> RelatedLocation,
    out: &mut Vec<Finding>,
) -> bool {
    let parsed = match parsed {
        Some(m) => Ok(m),
        None => serde_json::from_slice::<LiteMap>(strip_prefixes(json)),
    };
    let map: LiteMap = match parsed {
        Ok(m) => m,
        Err(e) => {
            sink.warn(format!(
                "{label}: not a valid source map ({}); scanned as a plain file",
                json_error(&e)
            ));
            return false;
        }
    };
    if map.sources.is_none() && map.sections.is_none() {
        if map.version.is_some() {
            sink.warn(format!(
                "{label}: source map without \"sources\" or \"sections\"; scanned as a plain file"
            ));
        }
        return false;
    }
    let mut entries = Vec::new();
    lite_sources(&map, sink, label, &mut entries, 0);
    for (idx, (name, content)) in entries.into_iter().enumerate() {
        let Some(content) = content else { continue };
        let path = resolver.display(&name, idx as u32);
        let before = out.len();
        scan_virtual(scanner, ctx, &path, content, out);
        for f in &mut out[before..] {
            let r = related(f);
            f.related.push(r);
        }
    }
    true
}

/// (name with `sourceRoot` applied, content) of every source, sections in order.
fn lite_sources<'m>(
    map: &'m LiteMap,
    sink: &Sink,
    label: &str,
    out: &mut Vec<(String, Option<&'m str>)>,
    depth: usize,
) {
    if let Some(sources) = &map.sources {
        let contents = map.sources_content.as_deref().unwrap_or(&[]);
        let room = MAX_SOURCES.saturating_sub(out.len());
        let kept = room.min(sources.len());
        if sources.total > kept {
            sink.warn(format!(
                "{label}: source map with {} sources; only the first {kept} are scanned",
                sources.total
            ));
            sink.skip(
                label,
                format!("partly scanned: source map with more than {MAX_SOURCES} sources, the rest not scanned"),
            );
        }
        for (i, name) in sources.iter().enumerate().take(room) {
            let prefixed = apply_root(map.source_root.as_deref(), name.as_deref().unwrap_or(""));
            let content = contents.get(i).and_then(|c| c.as_deref());
            out.push((source_name(map.source_root.as_deref(), &prefixed), content));
        }
    }
    for (i, section) in map.sections.iter().flatten().enumerate() {
        match &section.map {
            Some(_) if depth >= MAX_SECTION_DEPTH => sink.warn(format!(
                "{label}: index map nested more than {MAX_SECTION_DEPTH} levels deep; inner sections not read"
            )),
            Some(m) => lite_sources(m, sink, label, out, depth + 1),
            None => sink.warn(format!(
                "{label}: index map section {i} refers to another file ({}); not followed",
                url_file_name(section.url.as_deref().unwrap_or("no url"))
            )),
        }
    }
}

/// The last path segment of a URL, without query or fragment, at most 80 characters: enough
/// to name a file in a warning without repeating credentials or signed-URL tokens.
fn url_file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path.rsplit('/').next().unwrap_or(path);
    name.chars().take(80).collect()
}

/// `sourceRoot` + source, as the `sourcemap` crate applies it (so names from both parsers
/// agree): no root for an empty one; sources starting with `/`, `http:` or `https:` as is.
fn apply_root(root: Option<&str>, source: &str) -> String {
    match root.filter(|r| !r.is_empty()) {
        None => source.to_string(),
        Some(r) => {
            let keep = !source.is_empty()
                && (source.starts_with('/')
                    || source.starts_with("http:")
                    || source.starts_with("https:"));
            if keep {
                source.to_string()
            } else {
                format!("{}/{source}", r.strip_suffix('/').unwrap_or(r))
            }
        }
    }
}

/// A source name after `apply_root`: a `sourceRoot` of `/` means "the server root", which
/// here is no prefix at all.
fn source_name(root: Option<&str>, prefixed: &str) -> String {
    if root == Some("/") {
        prefixed.strip_prefix('/').unwrap_or(prefixed).to_string()
    } else {
        prefixed.to_string()
    }
}

/// Scan one `sourcesContent` entry as the file `path`.
fn scan_virtual(
    scanner: &Scanner,
    ctx: &Context,
    path: &str,
    content: &str,
    out: &mut Vec<Finding>,
) {
    if (ctx.allowed)(Path::new(path)) || super::is_binary(content.as_bytes()) {
        return;
    }
    let bytes = content.as_bytes();
    scanner.scan_chunk(path, bytes, ChunkPos::whole(bytes.len()), out);
}

// ---------------------------------------------------------------------------------------------
// Bundles

/// A `sourceMappingURL` reference: the URL and its byte range in the bundle.
struct MapRef<'a> {
    url: &'a str,
    start: usize,
    end: usize,
}

/// The last `//# sourceMappingURL=…` (or `/*# … */`, or the old `//@`) in `data`.
fn find_map_ref(data: &[u8]) -> Option<MapRef<'_>> {
    const KEY: &[u8] = b"sourceMappingURL=";
    // the last reference wins; a forward search (SIMD) over the whole bundle is several
    // times faster than a reverse one, and bundles rarely hold more than one
    let mut found: Vec<usize> = memchr::memmem::find_iter(data, KEY).collect();
    while let Some(at) = found.pop() {
        // the comment opener: `//#`, `//@`, `/*#`, `/*@`, optionally with spaces
        let before = &data[..at];
        let trimmed = trim_end_spaces(before);
        let ok = trimmed.len() >= 3 && {
            let t = &trimmed[trimmed.len() - 3..];
            (t[0] == b'/' && (t[1] == b'/' || t[1] == b'*')) && (t[2] == b'#' || t[2] == b'@')
        };
        if ok {
            let start = at + KEY.len();
            let end = data[start..]
                .iter()
                .position(|&b| b.is_ascii_whitespace() || b == b'*' || b == b'"' || b == b'\'')
                .map_or(data.len(), |i| start + i);
            let url = std::str::from_utf8(&data[start..end]).ok()?;
            if url.is_empty() {
                return None;
            }
            return Some(MapRef { url, start, end });
        }
    }
    None
}

/// For a file too large to be in memory: whether its last 64 KiB hold an inline map's
/// reference or look like the middle of one (a single line of base64), so that reading the
/// whole file again is worth it.
fn tail_may_hold_inline_map(disk: &Path) -> bool {
    use std::io::{Seek, SeekFrom};
    const TAIL: u64 = 64 << 10;
    let Ok(mut f) = open_regular(disk) else {
        return false;
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut tail = Vec::new();
    let read = f
        .seek(SeekFrom::Start(len.saturating_sub(TAIL)))
        .and_then(|_| f.take(TAIL).read_to_end(&mut tail));
    if read.is_err() {
        return false;
    }
    if let Some(r) = find_map_ref(&tail) {
        return r.url.starts_with("data:");
    }
    let body = tail.trim_ascii_end();
    let body = body.strip_suffix(b"*/").unwrap_or(body).trim_ascii_end();
    !body.is_empty()
        && body
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

fn trim_end_spaces(b: &[u8]) -> &[u8] {
    let mut end = b.len();
    while end > 0 && (b[end - 1] == b' ' || b[end - 1] == b'\t') {
        end -= 1;
    }
    &b[..end]
}

/// The JSON of a `data:` URL (`data:application/json;charset=utf-8;base64,…` or
/// percent-encoded), or why not.
fn data_url_json(url: &str) -> Result<Vec<u8>, String> {
    let rest = &url["data:".len()..];
    let (meta, payload) = rest
        .split_once(',')
        .ok_or_else(|| "data: URL without a comma".to_string())?;
    if meta.split(';').any(|p| p.eq_ignore_ascii_case("base64")) {
        use base64::Engine;
        let engine = base64::engine::GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            base64::engine::GeneralPurposeConfig::new()
                .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
        );
        engine
            .decode(payload.trim())
            .map_err(|e| format!("invalid base64 in the data: URL ({e})"))
    } else {
        Ok(crate::filters::percent_decode(payload))
    }
}

/// A decoded map and its own bytes (for locating secrets in its JSON), and where it lives.
struct LoadedMap {
    map: DecodedMap,
    /// Display path of the map file, or of the bundle for an inline map.
    shown: String,
    /// The map's JSON text (the decoded data: URL for an inline map).
    json: Vec<u8>,
    /// Directory sources resolve against.
    dir: String,
    /// For an inline map: its position in the bundle.
    inline_at: Option<Location>,
}

fn scan_bundle(
    scanner: &Scanner,
    sink: &Sink,
    ctx: &Context,
    scan_root: &str,
    shown: &str,
    data: &[u8],
    findings: &mut Vec<Finding>,
) {
    let lines = LineIndex::new(data);
    let map_ref = find_map_ref(data);
    let mut inline: Option<(Vec<u8>, Location)> = None;
    if let Some(r) = map_ref.as_ref().filter(|r| r.url.starts_with("data:")) {
        let label = format!("{shown} (inline source map)");
        match data_url_json(r.url) {
            Err(why) => sink.warn(format!(
                "{label}: not decoded: {why}; scanned as a plain file"
            )),
            Ok(json) => {
                let (line, column) = lines.position(data, r.start);
                let at = Location {
                    path: shown.to_string(),
                    line,
                    column,
                    end_line: line,
                    end_column: column,
                };
                let resolver = Resolver::new(shown, dir_of(shown), scan_root);
                let related = |_: &Finding| RelatedLocation {
                    location: at.clone(),
                    message: MSG_INLINE_CONTENT.to_string(),
                };
                let mut virtual_findings = Vec::new();
                let scanned = scan_contents(
                    scanner,
                    sink,
                    ctx,
                    &label,
                    &json,
                    None,
                    &resolver,
                    &related,
                    &mut virtual_findings,
                );
                if scanned {
                    // plain hits inside the base64 text are noise: its content was scanned
                    findings.retain(|f| {
                        let off = lines.offset(data, f.location.line, f.location.column);
                        !off.is_some_and(|o| o >= r.start && o < r.end)
                    });
                    inline = Some((json, at));
                }
                findings.append(&mut virtual_findings);
            }
        }
    }
    // the bundle's own hits (not those of the inline map's virtual files)
    let own: Vec<usize> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.location.path == shown)
        .map(|(i, _)| i)
        .collect();
    if own.is_empty() {
        return;
    }
    let loaded = match inline {
        Some((json, at)) => {
            decode(sink, &format!("{shown} (inline source map)"), &json).map(|map| LoadedMap {
                map,
                shown: shown.to_string(),
                json,
                dir: dir_of(shown).to_string(),
                inline_at: Some(at),
            })
        }
        None => load_external_map(sink, shown, map_ref.as_ref().map(|r| r.url)),
    };
    let Some(lm) = loaded else { return };
    let resolver = Resolver::new(&lm.shown, &lm.dir, scan_root);
    let sources = collect_sources(&lm.map, &resolver);
    let by_id: HashMap<(usize, u32), usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| ((s.map_id, s.idx), i))
        .collect();
    let map_lines = LineIndex::new(&lm.json);
    let mut originals = Originals::default();
    let mut suppressed = vec![false; findings.len()];
    for i in own {
        let f = &findings[i];
        match map_back(
            scanner,
            ctx,
            &lm,
            &sources,
            &by_id,
            data,
            &lines,
            f,
            &mut originals,
        ) {
            Mapped::Unmapped => {}
            Mapped::Suppressed => suppressed[i] = true,
            Mapped::Injected(original) => findings[i].related.push(RelatedLocation {
                location: original,
                message: MSG_INJECTED.to_string(),
            }),
            Mapped::Original(mut g, from_content) => {
                g.related.push(RelatedLocation {
                    location: findings[i].location.clone(),
                    message: MSG_BUNDLE.to_string(),
                });
                let map_loc = match (&lm.inline_at, from_content) {
                    (Some(at), true) => RelatedLocation {
                        location: at.clone(),
                        message: MSG_INLINE_CONTENT.to_string(),
                    },
                    (Some(at), false) => RelatedLocation {
                        location: at.clone(),
                        message: MSG_MAP_USED.to_string(),
                    },
                    (None, true) => RelatedLocation {
                        location: locate_json_string(&lm.json, &map_lines, &g.secret, &lm.shown),
                        message: MSG_MAP_CONTENT.to_string(),
                    },
                    (None, false) => RelatedLocation {
                        location: whole_file(&lm.shown),
                        message: MSG_MAP_USED.to_string(),
                    },
                };
                g.related.push(map_loc);
                findings[i] = *g;
            }
        }
    }
    let mut keep = suppressed.into_iter().map(|s| !s);
    findings.retain(|_| keep.next().unwrap_or(true));
}

/// The map a bundle names (`sourceMappingURL=file.js.map`, relative to the bundle), or
/// `<bundle>.map` beside it (maps built as "hidden" carry no reference).
fn load_external_map(sink: &Sink, shown: &str, url: Option<&str>) -> Option<LoadedMap> {
    let dir = dir_of(shown);
    let mut candidates = Vec::new();
    if let Some(url) = url.filter(|u| !u.starts_with("data:")) {
        let url = url.split(['?', '#']).next().unwrap_or(url);
        let url = String::from_utf8_lossy(&crate::filters::percent_decode(url)).into_owned();
        match url.strip_prefix("file://") {
            Some(abs) => candidates.push(normalize(abs)),
            // `/x.js.map` is relative to the web server's root, which is unknown here
            None if !has_scheme(&url) && !url.starts_with('/') => {
                candidates.push(normalize(&join(dir, &url)))
            }
            None => {}
        }
    }
    candidates.push(format!("{shown}.map"));
    for c in candidates {
        let path = disk_path(&c);
        if !path.is_file() {
            continue;
        }
        let json = match read_limited(&path, MAX_MAP_BYTES) {
            Ok(Some(d)) => d,
            _ => return None, // the map's own scan reports why
        };
        if !looks_like_json_object(&json) {
            return None;
        }
        // the map's own scan reads only sourcesContent: its mappings are checked here
        let map = decode(sink, &c, &json)?;
        let dir = dir_of(&c).to_string();
        return Some(LoadedMap {
            map,
            shown: c,
            json,
            dir,
            inline_at: None,
        });
    }
    None
}

enum Mapped {
    /// No mapping for this position (or no source): the hit stays in the bundle.
    Unmapped,
    /// The original is allowed: a `leakgate:allow` comment on its line (minifiers drop
    /// comments, so the bundle cannot have it) or the config's `allow.paths`.
    Suppressed,
    /// The original line does not hold the value: the original position, as a related location.
    Injected(Location),
    /// The finding at the original position; true when the text came from `sourcesContent`.
    Original(Box<Finding>, bool),
}

/// Original files read from disk, by display path.
#[derive(Default)]
struct Originals(HashMap<String, Option<String>>);

impl Originals {
    fn get(&mut self, path: &str) -> Option<&str> {
        self.0
            .entry(path.to_string())
            .or_insert_with(|| {
                let p = disk_path(path);
                read_limited(&p, MAX_ORIGINAL_BYTES)
                    .ok()
                    .flatten()
                    .and_then(|d| String::from_utf8(d).ok())
            })
            .as_deref()
    }
}

#[allow(clippy::too_many_arguments)]
fn map_back(
    scanner: &Scanner,
    ctx: &Context,
    lm: &LoadedMap,
    sources: &[SourceEntry],
    by_id: &HashMap<(usize, u32), usize>,
    data: &[u8],
    lines: &LineIndex,
    f: &Finding,
    originals: &mut Originals,
) -> Mapped {
    let Some(off) = lines.offset(data, f.location.line, f.location.column) else {
        return Mapped::Unmapped;
    };
    let gen_line = f.location.line - 1;
    let line_start = lines.start(gen_line);
    let gen_col16 = utf16_len(&data[line_start..off]);
    // in an index map, token positions are relative to their section
    let Some((tok, gen_line, gen_col16)) = lookup(&lm.map, gen_line, gen_col16, 0) else {
        return Mapped::Unmapped;
    };
    if tok.get_dst_line() != gen_line || tok.get_src_id() == !0 || tok.get_src_line() == !0 {
        return Mapped::Unmapped;
    }
    let map_id = tok.sourcemap() as *const SourceMap as usize;
    let Some(src) = by_id.get(&(map_id, tok.get_src_id())).map(|&i| &sources[i]) else {
        return Mapped::Unmapped;
    };
    if (ctx.allowed)(Path::new(&src.path)) {
        return Mapped::Suppressed;
    }
    let src_line = tok.get_src_line();
    // the segment starts at or before the hit: the same distance into the original
    let est16 = tok
        .get_src_col()
        .saturating_add(gen_col16.saturating_sub(tok.get_dst_col()));
    let (text, from_content) = match src.content {
        Some(c) => (Some(c), true),
        None => (originals.get(&src.path), false),
    };
    let first = f.secret.lines().next().unwrap_or("");
    let Some(text) = text else {
        // no original text: trust the map's position (UTF-16 units taken as characters) and
        // keep the bundle's snippet, the only text there is
        let mut g = f.clone();
        let column = est16.saturating_add(1);
        g.location = Location {
            path: src.path.clone(),
            line: src_line + 1,
            column,
            end_line: src_line + 1,
            end_column: column.saturating_add(first.chars().count() as u32),
        };
        g.fingerprint = fingerprint(&g.rule.id, &g.secret, &src.path);
        return Mapped::Original(Box::new(g), false);
    };
    let Some(line_text) = nth_line(text, src_line) else {
        return Mapped::Unmapped;
    };
    let Some(col0) = closest_occurrence(line_text, first, est16) else {
        // the texts differ, so the offset into the segment means nothing: use its start
        let column = utf16_to_chars(line_text, tok.get_src_col()) + 1;
        return Mapped::Injected(Location {
            path: src.path.clone(),
            line: src_line + 1,
            column,
            end_line: src_line + 1,
            end_column: column,
        });
    };
    if has_allow_marker(line_text.as_bytes()) {
        return Mapped::Suppressed;
    }
    let column = col0 + 1;
    // scan the original line so location, snippet and rule match the original file's scan
    let mut again = Vec::new();
    let pos = ChunkPos {
        line_base: src_line,
        ..ChunkPos::whole(line_text.len())
    };
    scanner.scan_chunk(&src.path, line_text.as_bytes(), pos, &mut again);
    if let Some(i) = again
        .iter()
        .position(|g| g.secret == f.secret && g.location.column == column)
        .or_else(|| again.iter().position(|g| g.secret == f.secret))
    {
        let mut g = again.swap_remove(i);
        g.related.clear();
        return Mapped::Original(Box::new(g), from_content);
    }
    // the rule needed the bundle's context: keep its verdict, show the original line
    let others: Vec<&str> = again.iter().map(|g| g.secret.as_str()).collect();
    let mut g = f.clone();
    g.location = Location {
        path: src.path.clone(),
        line: src_line + 1,
        column,
        end_line: src_line + 1,
        end_column: column + first.chars().count() as u32,
    };
    g.snippet = simple_snippet(line_text, col0 as usize, &f.secret, &others);
    g.line_text = line_text.chars().take(4096).collect();
    g.fingerprint = fingerprint(&g.rule.id, &g.secret, &src.path);
    Mapped::Original(Box::new(g), from_content)
}

/// The mapping segment at or before the 0-based (line, UTF-16 column), with that position
/// made relative to the (index map) section the segment belongs to.
fn lookup(
    map: &DecodedMap,
    line: u32,
    col: u32,
    depth: usize,
) -> Option<(sourcemap::Token<'_>, u32, u32)> {
    match map {
        DecodedMap::Regular(sm) => sm.lookup_token(line, col).map(|t| (t, line, col)),
        DecodedMap::Hermes(h) => h.lookup_token(line, col).map(|t| (t, line, col)),
        DecodedMap::Index(idx) if depth < MAX_SECTION_DEPTH => {
            // sections are sorted by offset
            let section = idx
                .sections()
                .take_while(|s| s.get_offset() <= (line, col))
                .last()?;
            let (ol, oc) = section.get_offset();
            let col = if line == ol { col - oc } else { col };
            lookup(section.get_sourcemap()?, line - ol, col, depth + 1)
        }
        DecodedMap::Index(_) => None,
    }
}

/// A snippet of `line` around the secret at character `col0`, with the secret and `others`
/// redacted; a window when the line is long.
fn simple_snippet(line: &str, col0: usize, secret: &str, others: &[&str]) -> Snippet {
    const MAX: usize = 160;
    const CONTEXT: usize = 50;
    let chars: Vec<char> = line.chars().collect();
    let slen = secret.lines().next().unwrap_or("").chars().count();
    let (ws, we) = if chars.len() <= MAX {
        (0, chars.len())
    } else {
        (
            col0.saturating_sub(CONTEXT),
            (col0 + slen + CONTEXT).min(chars.len()),
        )
    };
    let before: String = chars[ws..col0.min(chars.len())].iter().collect();
    let after: String = chars[(col0 + slen).min(chars.len())..we].iter().collect();
    let mask = |s: String| {
        let mut s = s;
        for o in others.iter().chain([&secret]) {
            if !o.is_empty() {
                s = s.replace(o, &redact(o));
            }
        }
        crate::finding::mask_text(&s)
    };
    let lead = if ws > 0 { "…" } else { "" };
    let trail = if we < chars.len() { "…" } else { "" };
    let head = format!("{lead}{}", mask(before));
    let red = redact(secret);
    let text = format!("{head}{red}{}{trail}", mask(after));
    let hs = head.chars().count();
    let shown_secret: String = secret.lines().next().unwrap_or("").to_string();
    let revealed = {
        let b: String = chars[ws..col0.min(chars.len())].iter().collect();
        let a: String = chars[(col0 + slen).min(chars.len())..we].iter().collect();
        format!("{lead}{b}{shown_secret}{a}{trail}")
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    };
    Snippet {
        highlight_start: hs,
        highlight_end: hs + red.chars().count(),
        text,
        revealed: Some(revealed),
    }
}

// ---------------------------------------------------------------------------------------------
// Decoding and sources

/// A JSON error without serde's quote of the offending value, which could be a secret.
fn json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Io => "read error",
        Category::Syntax => "invalid JSON",
        Category::Data => "unexpected structure",
        Category::Eof => "truncated JSON",
    };
    format!("{what} at line {} column {}", e.line(), e.column())
}

/// Index maps nested deeper than this are not read further.
const MAX_SECTION_DEPTH: usize = 8;

/// The map's JSON without a UTF-8 byte order mark or an XSSI prefix line (`)]}'`).
fn strip_prefixes(data: &[u8]) -> &[u8] {
    let mut d = data;
    if d.starts_with("\u{feff}".as_bytes()) {
        d = &d[3..];
    }
    if d.starts_with(b")]}") {
        d = memchr::memchr(b'\n', d).map_or(&[][..], |i| &d[i + 1..]);
    }
    d
}

fn looks_like_json_object(data: &[u8]) -> bool {
    strip_prefixes(data)
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{')
}

/// Decode a map with its mappings, to map bundle hits back; on failure warn (naming `label`
/// and why) and return `None`, leaving the hits in the bundle.
fn decode(sink: &Sink, label: &str, data: &[u8]) -> Option<DecodedMap> {
    let d = strip_prefixes(data);
    // the decoder keeps every source (a map with 5M took 1.6 GB): past the cap the scan of
    // `sourcesContent` stops too, so the hits stay in the bundle
    if let Some(n) = source_count(d).filter(|&n| n > MAX_SOURCES) {
        sink.warn(format!(
            "{label}: source map with {n} sources, more than {MAX_SOURCES}; mappings not decoded, bundle findings are reported in the bundle"
        ));
        sink.skip(
            label,
            format!("source map with more than {MAX_SOURCES} sources: mappings not decoded, bundle findings reported in the bundle"),
        );
        return None;
    }
    // the decoder is not expected to panic, but a bad map must never take the scan down
    let result = std::panic::catch_unwind(|| sourcemap::decode_slice(d));
    let why = match result {
        Ok(Ok(map)) => return Some(map),
        Ok(Err(sourcemap::Error::BadJson(e))) => json_error(&e),
        Ok(Err(e)) => e.to_string(),
        Err(_) => "the decoder failed".to_string(),
    };
    sink.warn(format!(
        "{label}: source map mappings not decoded ({why}); bundle findings are reported in the bundle"
    ));
    None
}

/// How many `sources` the map `json` has, all sections together, counted without keeping
/// them; `None` when it does not parse (the decoder then says why).
fn source_count(json: &[u8]) -> Option<usize> {
    #[derive(serde::Deserialize)]
    struct Counted {
        sources: Option<Count>,
        sections: Option<Vec<CountedSection>>,
    }
    #[derive(serde::Deserialize)]
    struct CountedSection {
        map: Option<Box<Counted>>,
    }
    struct Count(usize);
    impl<'de> serde::Deserialize<'de> for Count {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Count, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Count;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("an array")
                }
                fn visit_seq<A: serde::de::SeqAccess<'de>>(
                    self,
                    mut seq: A,
                ) -> Result<Count, A::Error> {
                    let mut n = 0;
                    while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                        n += 1;
                    }
                    Ok(Count(n))
                }
            }
            d.deserialize_seq(V)
        }
    }
    fn total(c: &Counted) -> usize {
        let own = c.sources.as_ref().map_or(0, |s| s.0);
        c.sections
            .iter()
            .flatten()
            .filter_map(|s| s.map.as_deref())
            .fold(own, |n, m| n.saturating_add(total(m)))
    }
    serde_json::from_slice::<Counted>(json)
        .ok()
        .map(|c| total(&c))
}

/// One source of a map: where it is reported and its text when the map carries it.
struct SourceEntry<'m> {
    /// Identity of the (section) map holding it, and its index there.
    map_id: usize,
    idx: u32,
    /// Display path (see [`Resolver::display`]).
    path: String,
    content: Option<&'m str>,
}

/// Every source of a decoded map, sections in order (named as [`lite_sources`] names them).
fn collect_sources<'m>(map: &'m DecodedMap, resolver: &Resolver) -> Vec<SourceEntry<'m>> {
    let mut out = Vec::new();
    walk(map, resolver, &mut out, 0);
    out
}

fn walk<'m>(
    map: &'m DecodedMap,
    resolver: &Resolver,
    out: &mut Vec<SourceEntry<'m>>,
    depth: usize,
) {
    match map {
        DecodedMap::Regular(sm) => add_sources(sm, resolver, out),
        DecodedMap::Hermes(h) => add_sources(h, resolver, out),
        DecodedMap::Index(idx) if depth < MAX_SECTION_DEPTH => {
            for m in idx.sections().filter_map(|s| s.get_sourcemap()) {
                walk(m, resolver, out, depth + 1);
            }
        }
        DecodedMap::Index(_) => {}
    }
}

fn add_sources<'m>(sm: &'m SourceMap, resolver: &Resolver, out: &mut Vec<SourceEntry<'m>>) {
    let map_id = sm as *const SourceMap as usize;
    for idx in 0..sm.get_source_count() {
        // `get_source` has the sourceRoot applied, as `apply_root` does
        let name = source_name(sm.get_source_root(), sm.get_source(idx).unwrap_or(""));
        out.push(SourceEntry {
            map_id,
            idx,
            path: resolver.display(&name, out.len() as u32),
            content: sm.get_source_contents(idx),
        });
    }
}

/// Byte ranges of the string values inside every `"sourcesContent": [...]` array of a map's
/// JSON (found lexically; only used to decide which plain hits the virtual files cover).
fn sources_content_spans(json: &[u8]) -> Vec<(usize, usize)> {
    const KEY: &[u8] = b"\"sourcesContent\"";
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(k) = memchr::memmem::find(&json[from..], KEY) {
        let mut i = from + k + KEY.len();
        let skip_ws = |i: &mut usize| {
            while *i < json.len() && json[*i].is_ascii_whitespace() {
                *i += 1;
            }
        };
        skip_ws(&mut i);
        if json.get(i) != Some(&b':') {
            from = i;
            continue;
        }
        i += 1;
        skip_ws(&mut i);
        if json.get(i) != Some(&b'[') {
            from = i;
            continue;
        }
        let start = i;
        while i < json.len() {
            match json[i] {
                b'"' => {
                    // to the closing quote, jumping from one quote or backslash to the next
                    i += 1;
                    loop {
                        let rest = json.get(i..).unwrap_or_default();
                        let Some(k) = memchr::memchr2(b'"', b'\\', rest) else {
                            i = json.len(); // unterminated: the span runs to the end
                            break;
                        };
                        i += k;
                        if json[i] == b'"' {
                            break;
                        }
                        i += 2; // a backslash and the character it escapes
                    }
                    if i >= json.len() {
                        break;
                    }
                }
                b']' => break,
                _ => {}
            }
            i += 1;
        }
        spans.push((start, i.min(json.len())));
        from = i.min(json.len());
    }
    spans
}

/// Where `secret` sits in a map's JSON text (as a JSON-escaped string), or the whole file.
fn locate_json_string(json: &[u8], lines: &LineIndex, secret: &str, shown: &str) -> Location {
    let first = secret.lines().next().unwrap_or(secret);
    let escaped = serde_json::to_string(first).unwrap_or_default();
    let needle = escaped
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(&escaped);
    match memchr::memmem::find(json, needle.as_bytes()).filter(|_| !needle.is_empty()) {
        Some(at) => {
            let (line, column) = lines.position(json, at);
            let (end_line, end_column) = lines.position(json, at + needle.len());
            Location {
                path: shown.to_string(),
                line,
                column,
                end_line,
                end_column,
            }
        }
        None => whole_file(shown),
    }
}

/// A location meaning "the file as a whole" (line 0); reports print no position for it.
pub fn whole_file(path: &str) -> Location {
    Location {
        path: path.to_string(),
        line: 0,
        column: 0,
        end_line: 0,
        end_column: 0,
    }
}

// ---------------------------------------------------------------------------------------------
// Paths

/// What a `sources` entry names, before it is placed in the scanned tree.
#[derive(Debug, PartialEq, Eq)]
enum Kind {
    /// Relative to the map's directory (`../../src/main.ts`: Vite, Rollup, esbuild, tsc).
    Relative(String),
    /// Relative to the project root (`webpack://app/./src/x.ts`, `turbopack:///[project]/…`).
    Project(String),
    /// An absolute path on the build machine.
    Absolute(String),
    /// A generated module with no file (`webpack/runtime/…`, `\0vite/preload-helper`, URLs).
    Virtual(String),
}

fn has_scheme(s: &str) -> bool {
    match s.find("://") {
        Some(i) if i > 0 => s[..i]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')),
        _ => false,
    }
}

fn classify(raw: &str) -> Kind {
    let s = raw.trim();
    if s.contains('\0') {
        return Kind::Virtual(s.replace('\0', ""));
    }
    let s = s.replace('\\', "/");
    let strip_query = |p: &str| p.split(['?', '#']).next().unwrap_or("").to_string();
    let is_generated = |p: &str| {
        let p = p.trim_start_matches("./");
        p.starts_with("webpack/")
            || p.starts_with("(webpack)")
            || p.starts_with("external ")
            || p.starts_with("ignored|")
            || p.starts_with("[turbopack]")
            || p.starts_with("vite/")
            || p.starts_with("@vite/")
            || p.starts_with("/@vite/")
            || p.starts_with("/@id/")
            || p.starts_with("__vite")
    };
    if let Some(rest) = s.strip_prefix("file://") {
        let p = String::from_utf8_lossy(&crate::filters::percent_decode(rest)).into_owned();
        return Kind::Absolute(windows_drive(&p).unwrap_or(p));
    }
    if s.starts_with("http://") || s.starts_with("https://") {
        return Kind::Virtual(s.split_once("://").map_or(s.clone(), |x| x.1.to_string()));
    }
    if has_scheme(&s) {
        // webpack://<namespace>/<path>, turbopack:///[project]/<path>, rollup://…, ng://…
        let rest = s.split_once("://").map_or("", |x| x.1);
        let path = rest.split_once('/').map_or("", |x| x.1);
        let path = strip_query(path);
        let path = path.strip_prefix("[project]/").unwrap_or(&path).to_string();
        if path.is_empty() || is_generated(&path) {
            return Kind::Virtual(if path.is_empty() {
                rest.to_string()
            } else {
                path
            });
        }
        if path.starts_with('/') {
            return Kind::Absolute(path);
        }
        return Kind::Project(path);
    }
    let path = strip_query(&s);
    if is_generated(&path) {
        return Kind::Virtual(path);
    }
    if let Some(p) = windows_drive(&path) {
        return Kind::Absolute(p);
    }
    if path.starts_with('/') {
        return Kind::Absolute(path);
    }
    Kind::Relative(path)
}

/// `C:/x` (or `/C:/x`, from a file: URL) as `/C:/x`-free `C:/x`.
fn windows_drive(p: &str) -> Option<String> {
    let q = p.strip_prefix('/').unwrap_or(p);
    let b = q.as_bytes();
    (b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/')
        .then(|| q.to_string())
}

/// Places a map's sources in the scanned tree.
///
/// A source resolves (relative ones against the map's directory, `webpack://`-style ones
/// against the project root: the nearest directory above the map holding `package.json`,
/// else the scan root) to a path that is used when it lies inside the scan root or exists on
/// disk. Otherwise (generated modules, paths on the build machine, paths leaving the tree)
/// the source is shown inside the map: `dist/assets/app.js.map!/src/x.ts`.
struct Resolver {
    map_shown: String,
    dir: String,
    scan_root: String,
    project_root: std::cell::OnceCell<String>,
}

impl Resolver {
    fn new(map_shown: &str, dir: &str, scan_root: &str) -> Resolver {
        Resolver {
            map_shown: map_shown.to_string(),
            dir: dir.to_string(),
            scan_root: scan_root.to_string(),
            project_root: std::cell::OnceCell::new(),
        }
    }

    fn project_root(&self) -> &str {
        self.project_root.get_or_init(|| {
            let mut d = self.dir.clone();
            for _ in 0..16 {
                if disk_path(&join(&d, "package.json")).is_file() {
                    return d;
                }
                match parent(&d) {
                    Some(p) => d = p,
                    None => break,
                }
            }
            self.scan_root.clone()
        })
    }

    /// The display path of source `idx` named `raw`.
    fn display(&self, raw: &str, idx: u32) -> String {
        let (candidate, name) = match classify(raw) {
            Kind::Relative(p) => (Some(normalize(&join(&self.dir, &p))), p),
            Kind::Project(p) => (Some(normalize(&join(self.project_root(), &p))), p),
            Kind::Absolute(p) => (Some(relative_to_cwd(&normalize(&p))), p),
            Kind::Virtual(p) => (None, p),
        };
        if let Some(c) = candidate.filter(|_| !clean_name(&name).is_empty()) {
            let usable = !c.is_empty()
                && (inside(&self.scan_root, &c) || disk_path(&c).is_file())
                && c != self.map_shown;
            if usable {
                return c;
            }
        }
        let clean = clean_name(&name);
        let clean = if clean.is_empty() {
            format!("source-{idx}")
        } else {
            clean
        };
        format!("{}!/{clean}", self.map_shown)
    }
}

/// A source name fit to show inside a map: no leading `/`, `./` or `../`, no empty parts.
fn clean_name(name: &str) -> String {
    name.split('/')
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .map(|p| p.trim())
        .collect::<Vec<_>>()
        .join("/")
}

/// Lexical normalisation of a `/`-separated path: `a/./b/../c` → `a/c`; leading `..` of a
/// relative path are kept; `..` never climbs above `/`.
pub(crate) fn normalize(p: &str) -> String {
    let abs = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !abs {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let s = parts.join("/");
    if abs {
        format!("/{s}")
    } else {
        s
    }
}

fn join(dir: &str, rel: &str) -> String {
    if dir.is_empty() {
        rel.to_string()
    } else if rel.is_empty() {
        dir.to_string()
    } else {
        format!("{}/{rel}", dir.trim_end_matches('/'))
    }
}

/// Directory part of a display path ("" for the current directory).
fn dir_of(shown: &str) -> &str {
    match shown.rfind('/') {
        Some(0) => "/",
        Some(i) => &shown[..i],
        None => "",
    }
}

fn parent(d: &str) -> Option<String> {
    if d.is_empty() || d == "/" || d == ".." || d.ends_with("/..") {
        return None;
    }
    Some(dir_of(d).to_string())
}

/// True when `p` lies in directory `root` ("" is the current directory).
fn inside(root: &str, p: &str) -> bool {
    if root.is_empty() {
        return !p.starts_with('/') && p != ".." && !p.starts_with("../");
    }
    let root = root.trim_end_matches('/');
    root.is_empty() || p == root || p.starts_with(&format!("{root}/"))
}

/// A display path as a path to open ("" is the current directory).
fn disk_path(p: &str) -> PathBuf {
    if p.is_empty() {
        PathBuf::from(".")
    } else {
        PathBuf::from(p)
    }
}

fn relative_to_cwd(abs: &str) -> String {
    let Ok(cwd) = std::env::current_dir() else {
        return abs.to_string();
    };
    let cwd = normalize(&cwd.to_string_lossy().replace('\\', "/"));
    match abs.strip_prefix(&format!("{}/", cwd.trim_end_matches('/'))) {
        Some(rel) => rel.to_string(),
        None => abs.to_string(),
    }
}

/// The walk root (as a display path of a directory) that `shown` was found under.
fn scan_root_of(roots: &[PathBuf], shown: &str) -> String {
    for r in roots {
        let d = normalize(&super::files::display_path(r));
        let d = if r.is_file() {
            dir_of(&d).to_string()
        } else {
            d
        };
        if inside(&d, shown) {
            return d;
        }
    }
    dir_of(shown).to_string()
}

// ---------------------------------------------------------------------------------------------
// Lines, columns and UTF-16

/// Byte offsets of line starts, for turning positions into offsets and back.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(data: &[u8]) -> LineIndex {
        let mut v = vec![0];
        v.extend(memchr::memchr_iter(b'\n', data).map(|i| i + 1));
        LineIndex(v)
    }

    /// Start of 0-based line `l`.
    fn start(&self, l: u32) -> usize {
        self.0.get(l as usize).copied().unwrap_or(usize::MAX)
    }

    /// Byte offset of a 1-based (line, column in characters) position.
    fn offset(&self, data: &[u8], line: u32, column: u32) -> Option<usize> {
        let start = *self.0.get(line.checked_sub(1)? as usize)?;
        let mut chars = 0u32;
        let want = column.checked_sub(1)?;
        for (i, &b) in data[start..].iter().enumerate() {
            if (b & 0xC0) != 0x80 {
                if chars == want {
                    return Some(start + i);
                }
                chars += 1;
            }
            if b == b'\n' {
                return None;
            }
        }
        (chars == want).then_some(data.len())
    }

    /// 1-based (line, column in characters) of a byte offset.
    fn position(&self, data: &[u8], off: usize) -> (u32, u32) {
        let l = self.0.partition_point(|&s| s <= off) - 1;
        let start = self.0[l];
        let col = crate::engine::char_count(&data[start..off.min(data.len())]);
        (l as u32 + 1, col + 1)
    }
}

/// UTF-16 code units in `b` (read as UTF-8; an invalid byte counts as one U+FFFD).
fn utf16_len(b: &[u8]) -> u32 {
    b.iter()
        .filter(|&&c| (c & 0xC0) != 0x80)
        .map(|&c| if c >= 0xF0 { 2 } else { 1 })
        .sum()
}

/// Characters (Unicode scalar values) in the first `units` UTF-16 code units of `line`.
fn utf16_to_chars(line: &str, units: u32) -> u32 {
    let mut u = 0u32;
    let mut n = 0u32;
    for c in line.chars() {
        if u >= units {
            break;
        }
        u += c.len_utf16() as u32;
        n += 1;
    }
    n
}

/// 0-based line `n` of `text` without its line break.
fn nth_line(text: &str, n: u32) -> Option<&str> {
    let l = text.split('\n').nth(n as usize)?;
    Some(l.strip_suffix('\r').unwrap_or(l))
}

/// The character column (0-based) of the occurrence of `needle` in `line` closest to the
/// UTF-16 column `est16`.
fn closest_occurrence(line: &str, needle: &str, est16: u32) -> Option<u32> {
    if needle.is_empty() {
        return None;
    }
    line.match_indices(needle)
        .map(|(b, _)| {
            let prefix = &line[..b];
            let u16 = prefix.encode_utf16().count() as i64;
            ((u16 - est16 as i64).abs(), prefix.chars().count() as u32)
        })
        .min()
        .map(|(_, c)| c)
}

/// Read a map or an original named by a map, if it is at most `max` bytes. Only regular
/// files are read (symlinks followed): a `sources` entry naming a FIFO or `/dev/stdin` would
/// otherwise block forever, and the type is checked on the open file, opened without
/// blocking.
fn read_limited(path: &Path, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    let f = open_regular(path)?;
    if f.metadata()?.len() > max {
        return Ok(None);
    }
    let mut v = Vec::new();
    f.take(max + 1).read_to_end(&mut v)?;
    if v.len() as u64 > max {
        return Ok(None);
    }
    Ok(Some(v))
}

fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    super::files::open_regular(path, true)?
        .ok_or_else(|| std::io::Error::other("not a regular file"))
}

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
        assert_eq!(idx.position(data, b), (1, 10));
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
