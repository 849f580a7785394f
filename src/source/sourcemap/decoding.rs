//! Decoding and sources.

use super::*;

/// A JSON error without serde's quote of the offending value, which could be a secret.
pub(super) fn json_error(e: &serde_json::Error) -> String {
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
pub(super) const MAX_SECTION_DEPTH: usize = 8;

/// The map's JSON without a UTF-8 byte order mark or an XSSI prefix line (`)]}'`).
pub(super) fn strip_prefixes(data: &[u8]) -> &[u8] {
    let mut d = data;
    if d.starts_with("\u{feff}".as_bytes()) {
        d = &d[3..];
    }
    if d.starts_with(b")]}") {
        d = memchr::memchr(b'\n', d).map_or(&[][..], |i| &d[i + 1..]);
    }
    d
}

pub(super) fn looks_like_json_object(data: &[u8]) -> bool {
    strip_prefixes(data)
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{')
}

/// Decode a map with its mappings, to map bundle hits back; on failure warn (naming `label`
/// and why) and return `None`, leaving the hits in the bundle.
pub(super) fn decode(sink: &Sink, label: &str, data: &[u8]) -> Option<DecodedMap> {
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
pub(super) fn source_count(json: &[u8]) -> Option<usize> {
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
pub(super) struct SourceEntry<'m> {
    /// Identity of the (section) map holding it, and its index there.
    pub(super) map_id: usize,
    pub(super) idx: u32,
    /// Display path (see [`Resolver::display`]).
    pub(super) path: String,
    pub(super) content: Option<&'m str>,
}

/// Every source of a decoded map, sections in order (named as [`lite_sources`] names them).
pub(super) fn collect_sources<'m>(
    map: &'m DecodedMap,
    resolver: &Resolver,
) -> Vec<SourceEntry<'m>> {
    let mut out = Vec::new();
    walk(map, resolver, &mut out, 0);
    out
}

pub(super) fn walk<'m>(
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

pub(super) fn add_sources<'m>(
    sm: &'m SourceMap,
    resolver: &Resolver,
    out: &mut Vec<SourceEntry<'m>>,
) {
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
pub(super) fn sources_content_spans(json: &[u8]) -> Vec<(usize, usize)> {
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
pub(super) fn locate_json_string(
    json: &[u8],
    lines: &LineIndex,
    secret: &str,
    shown: &str,
) -> Location {
    let first = secret.lines().next().unwrap_or(secret);
    let escaped = serde_json::to_string(first).unwrap_or_default();
    let needle = escaped
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(&escaped);
    match memchr::memmem::find(json, needle.as_bytes()).filter(|_| !needle.is_empty()) {
        Some(at) => {
            let (line, column) = lines.pos(json, at);
            let (end_line, end_column) = lines.pos(json, at + needle.len());
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
