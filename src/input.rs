//! Reading the user's own input files (configuration, rule files): bounded reads of regular
//! files, and error messages that never quote their content. Depends on nothing else in the
//! crate.

use std::path::Path;

use anyhow::{bail, Context, Result};

/// Largest config or rule file read (bytes).
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// The text of `path`, which must be a regular file (after symlinks) of at most
/// [`MAX_FILE_BYTES`] in UTF-8; `what` names it in errors, which never quote its content.
pub fn read_regular(path: &Path, what: &str) -> Result<String> {
    use std::io::Read;
    let meta = std::fs::metadata(path)
        .with_context(|| format!("{}: cannot read {what}", path.display()))?;
    if !meta.is_file() {
        bail!("{}: {what} is not a regular file", path.display());
    }
    let too_big = || {
        anyhow::anyhow!(
            "{}: {what} is larger than {} MiB",
            path.display(),
            MAX_FILE_BYTES >> 20
        )
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .with_context(|| format!("{}: cannot read {what}", path.display()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big());
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: {what} is not UTF-8 text (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// A YAML error as a message that never quotes the input: serde quotes the offending value
/// (`invalid type: string "AKIA…"`) and key (``unknown field `TOKEN` ``), which may be a
/// credential when the file is not what it claims to be. Quoted input becomes `…`; the
/// names serde lists as expected (schema, not input) stay; the position is kept.
pub fn yaml_error(e: &serde_yaml_ng::Error) -> String {
    let msg = e.to_string();
    let mut out = String::with_capacity(msg.len());
    // after an unquoted ", expected" come schema names, which may be shown
    let mut schema = false;
    let mut rest = msg.as_str();
    while let Some(c) = rest.chars().next() {
        if rest.starts_with(", expected") {
            schema = true;
        }
        rest = &rest[c.len_utf8()..];
        match c {
            '"' => {
                // a Rust-escaped string: skip to the closing unescaped quote
                let mut escaped = false;
                let mut end = rest.len();
                for (i, d) in rest.char_indices() {
                    if escaped {
                        escaped = false;
                    } else if d == '\\' {
                        escaped = true;
                    } else if d == '"' {
                        end = i + 1;
                        break;
                    }
                }
                rest = &rest[end..];
                out.push_str("\"…\"");
            }
            '`' => {
                let end = rest.find('`').map_or(rest.len(), |i| i + 1);
                // a missing field's name comes from the schema too
                if schema || out.ends_with("missing field ") {
                    out.push('`');
                    out.push_str(&rest[..end]);
                } else {
                    out.push_str("`…`");
                }
                rest = &rest[end..];
            }
            c => out.push(c),
        }
    }
    // a misspelled field: name the closest expected one (the input itself stays hidden)
    if let (Some(i), true) = (msg.find("unknown field `"), schema) {
        let start = i + "unknown field `".len();
        let typed = msg[start..].split('`').next().unwrap_or("");
        let expected = msg[start + typed.len()..]
            .split('`')
            .skip(2)
            .step_by(2)
            .collect::<Vec<_>>();
        if let Some(best) = closest(typed, expected.iter().copied()) {
            out.push_str(&format!(" (did you mean `{best}`?)"));
        }
    }
    crate::redact::mask_text(&out)
}

/// The candidate closest to `word` for a did-you-mean hint: within a third of the word's
/// length (at least 1, at most 3) edits.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if word.len() > 100 {
        return None;
    }
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// Levenshtein distance of two short strings (characters).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = (diag + usize::from(ca != *cb)).min(up + 1).min(row[j] + 1);
            diag = up;
        }
    }
    row[b.len()]
}
