//! Map files.

use super::*;

#[allow(clippy::too_many_arguments)]
pub(super) fn scan_map_file(
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
pub(super) struct LiteMap {
    pub(super) version: Option<serde::de::IgnoredAny>,
    #[serde(rename = "sourceRoot")]
    pub(super) source_root: Option<String>,
    pub(super) sources: Option<Capped>,
    #[serde(rename = "sourcesContent")]
    pub(super) sources_content: Option<Capped>,
    pub(super) sections: Option<Vec<LiteSection>>,
}

/// Sources a map may have that are read and scanned; beyond this the rest are skipped
/// unread with a warning (a map with 5M `sources` took 1.6 GB).
pub const MAX_SOURCES: usize = 100_000;

/// A JSON array of strings (or nulls) of which at most [`MAX_SOURCES`] are kept; `total`
/// counts them all.
#[derive(Default)]
pub(super) struct Capped {
    pub(super) items: Vec<Option<String>>,
    pub(super) total: usize,
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
pub(super) struct LiteSection {
    pub(super) map: Option<Box<LiteMap>>,
    pub(super) url: Option<String>,
}

/// Scan every `sourcesContent` entry of the map `json` as a virtual file (see [`Resolver`]),
/// adding `related(finding)` to each finding. `parsed` is `json` already parsed, if it was.
/// False (after a warning naming `label` and the reason) when `json` is not a usable source
/// map.
#[allow(clippy::too_many_arguments)]
pub(super) fn scan_contents(
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
pub(super) fn lite_sources<'m>(
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
pub(super) fn url_file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path.rsplit('/').next().unwrap_or(path);
    name.chars().take(80).collect()
}

/// `sourceRoot` + source, as the `sourcemap` crate applies it (so names from both parsers
/// agree): no root for an empty one; sources starting with `/`, `http:` or `https:` as is.
pub(super) fn apply_root(root: Option<&str>, source: &str) -> String {
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
pub(super) fn source_name(root: Option<&str>, prefixed: &str) -> String {
    if root == Some("/") {
        prefixed.strip_prefix('/').unwrap_or(prefixed).to_string()
    } else {
        prefixed.to_string()
    }
}

/// Scan one `sourcesContent` entry as the file `path`.
pub(super) fn scan_virtual(
    scanner: &Scanner,
    ctx: &Context,
    path: &str,
    content: &str,
    out: &mut Vec<Finding>,
) {
    if (ctx.allowed)(Path::new(path)) || super::super::is_binary(content.as_bytes()) {
        return;
    }
    let bytes = content.as_bytes();
    let before = out.len();
    scanner.scan_chunk(path, bytes, ChunkPos::whole(bytes.len()), out);
    // the original file is sample data where it lies (tests, fixtures, docs) like on disk
    scanner.hide_samples(path, out, before);
}
