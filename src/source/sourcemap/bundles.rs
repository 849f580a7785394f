//! Bundles.

use super::*;

/// A `sourceMappingURL` reference: the URL and its byte range in the bundle.
pub(super) struct MapRef<'a> {
    pub(super) url: &'a str,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// The last `//# sourceMappingURL=…` (or `/*# … */`, or the old `//@`) in `data`.
pub(super) fn find_map_ref(data: &[u8]) -> Option<MapRef<'_>> {
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
pub(super) fn tail_may_hold_inline_map(disk: &Path) -> bool {
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

pub(super) fn trim_end_spaces(b: &[u8]) -> &[u8] {
    let mut end = b.len();
    while end > 0 && (b[end - 1] == b' ' || b[end - 1] == b'\t') {
        end -= 1;
    }
    &b[..end]
}

/// The JSON of a `data:` URL (`data:application/json;charset=utf-8;base64,…` or
/// percent-encoded), or why not.
pub(super) fn data_url_json(url: &str) -> Result<Vec<u8>, String> {
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
pub(super) struct LoadedMap {
    pub(super) map: DecodedMap,
    /// Display path of the map file, or of the bundle for an inline map.
    pub(super) shown: String,
    /// The map's JSON text (the decoded data: URL for an inline map).
    pub(super) json: Vec<u8>,
    /// Directory sources resolve against.
    pub(super) dir: String,
    /// For an inline map: its position in the bundle.
    pub(super) inline_at: Option<Location>,
}

pub(super) fn scan_bundle(
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
                let (line, column) = lines.pos(data, r.start);
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
pub(super) fn load_external_map(sink: &Sink, shown: &str, url: Option<&str>) -> Option<LoadedMap> {
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

pub(super) enum Mapped {
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
pub(super) struct Originals(pub(super) HashMap<String, Option<String>>);

impl Originals {
    pub(super) fn get(&mut self, path: &str) -> Option<&str> {
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
pub(super) fn map_back(
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
    let line_start = lines.line_start(gen_line + 1).unwrap_or(usize::MAX);
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
        crate::finding::line_hash::fill(text.as_bytes(), std::iter::once(&mut g));
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
    g.line_hash = None;
    crate::finding::line_hash::fill(text.as_bytes(), std::iter::once(&mut g));
    Mapped::Original(Box::new(g), from_content)
}

/// The mapping segment at or before the 0-based (line, UTF-16 column), with that position
/// made relative to the (index map) section the segment belongs to.
pub(super) fn lookup(
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
pub(super) fn simple_snippet(line: &str, col0: usize, secret: &str, others: &[&str]) -> Snippet {
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
