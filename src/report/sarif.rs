//! SARIF 2.1.0 for GitHub code scanning.
//!
//! The log has one run whose driver lists only the rules that fired (sorted by id, with the
//! `security-severity`, `precision` and `tags` properties GitHub reads), one result per finding
//! in the scan's order, and one invocation whose notifications name the files that were not
//! scanned. Secrets are redacted everywhere unless `--reveal`; fingerprints are hashes.
//!
//! GitHub's documented limits are respected: at most [`MAX_RESULTS`] results per run (the most
//! severe are kept and a warning notification says how many were dropped) and at most
//! [`MAX_TAGS`] tags per rule. The output is deterministic: no timestamps, rules sorted.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::Result;
use serde_json::{json, Value};
use serde_sarif::sarif;

use super::{ReportOptions, Reporter, ScanResult};
use crate::finding::Finding;
use crate::rules::{Precision, RuleSpec, Severity};

pub struct Sarif;

/// `$schema` of the log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// GitHub code scanning rejects runs with more results than this.
pub const MAX_RESULTS: usize = 25_000;
/// GitHub code scanning rejects uploads larger than this, gzip-compressed.
pub const MAX_GZIP_BYTES: usize = 10 * 1024 * 1024;
/// Skipped-file notifications listed one by one; the rest are counted in one final note.
pub const MAX_SKIPPED_NOTES: usize = 1_000;
/// Warning notifications listed one by one; the rest are counted in one final note.
pub const MAX_WARNING_NOTES: usize = 1_000;
/// GitHub stores at most 10 tags per rule (and rejects more than 20).
pub const MAX_TAGS: usize = 10;
/// The `uriBaseId` of every relative artifact URI: the directory leakgate ran in.
pub const SRCROOT: &str = "%SRCROOT%";
/// `runs[0].automationDetails.id`: the code scanning category `leakgate`.
pub const AUTOMATION_ID: &str = "leakgate/";
/// Files larger than this are not read back for `primaryLocationLineHash`; the hash is then
/// computed from the finding's line (see [`line_hash`]).
const MAX_HASHED_FILE: u64 = 64 << 20;

/// SARIF `level` for a severity: critical/high → error, medium → warning, low/info → note.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn result_level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Critical | Severity::High => sarif::ResultLevel::Error,
        Severity::Medium => sarif::ResultLevel::Warning,
        Severity::Low | Severity::Info => sarif::ResultLevel::Note,
    }
}

/// A rule id as a PascalCase friendly name: `openai-project-key` → `OpenaiProjectKey`.
pub fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            match c.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// The result message: rule name, the secret as the report may show it, the validator's note.
pub fn message_text(f: &Finding, opts: &ReportOptions) -> String {
    if super::is_config(f) {
        // configuration finding: say what is wrong; a literal credential stays redacted
        let mut m = format!("{}: {}", f.rule.name, f.note.as_deref().unwrap_or(""));
        if !f.secret.is_empty() {
            m.push_str(&format!(" (value {})", opts.secret_labelled(f)));
        }
        return sentence(&m);
    }
    let mut m = format!("{} found: {}", f.rule.name, opts.secret_labelled(f));
    if let Some(chain) = &f.decoded {
        m.push_str(&format!(" (decoded from {chain})"));
    }
    if let Some(note) = &f.note {
        m.push_str(&format!(" ({note})"));
    }
    m.push('.');
    if let Some(c) = &f.commit {
        m.push_str(&format!(
            " Introduced in commit {} ({}).",
            c.sha.get(..12).unwrap_or(&c.sha),
            c.date.get(..10).unwrap_or(&c.date)
        ));
    }
    m
}

// ---------------------------------------------------------------------------------------------
// Paths and URIs

/// Percent-encode a path for use in a URI: everything but RFC 3986 unreserved characters and
/// `/` is encoded (as UTF-8 bytes), so spaces, `%`, `#`, `?`, `:` and non-ASCII are safe.
/// With `keep_drive_colon`, a leading Windows drive (`C:`) keeps its colon.
fn encode_path(path: &str, keep_drive_colon: bool) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    let bytes = path.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            || (keep_drive_colon && b == b':' && i == 1 && bytes[0].is_ascii_alphabetic());
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Lexical normalisation (`a/./b/../c` → `a/c`); leading `..` of a relative path are kept.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_is_normal =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_is_normal {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn slash(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Where a reported path lives, relative to the directory leakgate runs in when possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactPath {
    /// `/`-separated, relative to the current directory, no `..` at the start.
    Relative(String),
    /// Absolute (outside the current directory), `/`-separated.
    Absolute(String),
}

impl ArtifactPath {
    /// Classify a display path. Absolute paths under `cwd` become relative; relative paths
    /// that climb out of `cwd` become absolute when `cwd` is known.
    pub fn new(path: &str, cwd: Option<&Path>) -> ArtifactPath {
        let p = Path::new(path);
        let is_abs = p.is_absolute() || p.has_root();
        if is_abs {
            let np = normalize(p);
            if let Some(cwd) = cwd {
                if let Ok(rel) = np.strip_prefix(cwd) {
                    if rel.as_os_str().is_empty() {
                        return ArtifactPath::Absolute(slash(&np));
                    }
                    return ArtifactPath::Relative(slash(rel));
                }
            }
            return ArtifactPath::Absolute(slash(&np));
        }
        let np = normalize(p);
        let s = slash(&np);
        if s == ".." || s.starts_with("../") {
            if let Some(cwd) = cwd {
                return ArtifactPath::Absolute(slash(&normalize(&cwd.join(&np))));
            }
        }
        if s.is_empty() {
            // not a real file path (e.g. an unnamed stream); keep what the user saw
            return ArtifactPath::Relative(path.replace('\\', "/"));
        }
        ArtifactPath::Relative(s)
    }

    /// The path as GitHub expects it in annotations and SARIF: repository-relative when possible.
    pub fn as_str(&self) -> &str {
        match self {
            ArtifactPath::Relative(s) | ArtifactPath::Absolute(s) => s,
        }
    }

    /// A SARIF `artifactLocation`: a relative URI reference with `uriBaseId` `%SRCROOT%`, or an
    /// absolute `file:` URI.
    pub fn artifact_location(&self) -> sarif::ArtifactLocation {
        match self {
            ArtifactPath::Relative(s) => sarif::ArtifactLocation::builder()
                .uri(encode_path(s, false))
                .uri_base_id(SRCROOT)
                .build(),
            ArtifactPath::Absolute(s) => {
                sarif::ArtifactLocation::builder().uri(file_uri(s)).build()
            }
        }
    }
}

/// `file:` URI for an absolute `/`-separated path (`/a b` → `file:///a%20b`, `C:/x` → `file:///C:/x`).
pub fn file_uri(abs: &str) -> String {
    let trimmed = abs.trim_start_matches('/');
    format!("file:///{}", encode_path(trimmed, true))
}

/// The current directory (as named by the OS, not canonicalised) if it is absolute.
fn current_dir() -> Option<PathBuf> {
    std::env::current_dir().ok().filter(|d| d.is_absolute())
}

/// The directory against which `ArtifactPath` makes paths relative.
pub(crate) fn base_dir() -> Option<PathBuf> {
    current_dir().map(|d| normalize(&d))
}

// ---------------------------------------------------------------------------------------------
// primaryLocationLineHash

/// GitHub's line hash (`partialFingerprints.primaryLocationLineHash`), a port of the rolling
/// hash in github/codeql-action `src/fingerprints.ts` (written from its description and
/// logic, checked against the values its tests publish).
///
/// The file is read as text (UTF-8, invalid bytes replaced by U+FFFD, as Node decodes it) and
/// processed as UTF-16 code units. Spaces and tabs are skipped; `\r\n`, `\r` and `\n` all end a
/// line and count as one `\n`; the end of the file is marked by the unit 65535 and padded with
/// zeros. A line's hash is the polynomial `Σ c_k · 37^(99-k)` (wrapping mod 2^64) over the 100
/// units starting at the line's first non-blank unit (its newline for a blank line), so it
/// covers the start of the following lines when the line is short. It is printed in lower-case
/// hex without leading zeros, followed by `:N` where N counts the lines so far (this one
/// included) with the same hash.
pub mod linehash {
    const BLOCK: usize = 100;
    const MOD: u64 = 37;
    const EOF: u16 = 65535;
    const TAB: u16 = b'\t' as u16;
    const SPACE: u16 = b' ' as u16;
    const LF: u16 = b'\n' as u16;
    const CR: u16 = b'\r' as u16;

    const fn first_mod() -> u64 {
        let mut m: u64 = 1;
        let mut i = 0;
        while i < BLOCK {
            m = m.wrapping_mul(MOD);
            i += 1;
        }
        m
    }
    const FIRST_MOD: u64 = first_mod();

    /// Streaming hasher: feed UTF-16 code units, get `(line, raw hash)` for every line in order.
    pub struct Hasher {
        window: [u16; BLOCK],
        /// 1-based line number whose first unit sits at this window slot, 0 for none.
        starts: [u32; BLOCK],
        hash: u64,
        index: usize,
        line: u32,
        at_line_start: bool,
        after_cr: bool,
    }

    impl Default for Hasher {
        fn default() -> Self {
            Hasher {
                window: [0; BLOCK],
                starts: [0; BLOCK],
                hash: 0,
                index: 0,
                line: 0,
                at_line_start: true,
                after_cr: false,
            }
        }
    }

    impl Hasher {
        fn roll(&mut self, unit: u16) {
            let old = self.window[self.index];
            self.window[self.index] = unit;
            self.hash = self
                .hash
                .wrapping_mul(MOD)
                .wrapping_add(unit as u64)
                .wrapping_sub(FIRST_MOD.wrapping_mul(old as u64));
            self.index = (self.index + 1) % BLOCK;
        }

        fn emit_due(&mut self, out: &mut impl FnMut(u32, u64)) {
            let line = self.starts[self.index];
            if line != 0 {
                out(line, self.hash);
                self.starts[self.index] = 0;
            }
        }

        /// Process one UTF-16 code unit.
        pub fn feed(&mut self, unit: u16, out: &mut impl FnMut(u32, u64)) {
            let mut unit = unit;
            if unit == SPACE || unit == TAB || (self.after_cr && unit == LF) {
                self.after_cr = false;
                return;
            }
            self.after_cr = unit == CR;
            if unit == CR {
                unit = LF;
            }
            self.emit_due(out);
            if self.at_line_start {
                self.at_line_start = false;
                self.line += 1;
                self.starts[self.index] = self.line;
            }
            if unit == LF {
                self.at_line_start = true;
            }
            self.roll(unit);
        }

        /// Mark the end of input and flush the hashes of the last lines.
        pub fn finish(mut self, out: &mut impl FnMut(u32, u64)) {
            self.feed(EOF, out);
            for _ in 0..BLOCK {
                self.emit_due(out);
                self.roll(0);
            }
        }
    }

    /// Adds the `:N` occurrence suffix to raw hashes (which arrive in line order).
    #[derive(Default)]
    pub struct Counter(std::collections::HashMap<u64, u32>);

    impl Counter {
        pub fn format(&mut self, raw: u64) -> String {
            let n = self.0.entry(raw).or_insert(0);
            *n += 1;
            format!("{raw:x}:{n}")
        }
    }

    /// The hash of every line of `text`, in order (index 0 is line 1). As in codeql-action, a
    /// text ending in a line break has one more (empty) line.
    pub fn line_hashes(text: &str) -> Vec<String> {
        let mut h = Hasher::default();
        let mut counter = Counter::default();
        let mut out = Vec::new();
        let mut sink = |_line: u32, raw: u64| out.push(counter.format(raw));
        for u in text.encode_utf16() {
            h.feed(u, &mut sink);
        }
        h.finish(&mut sink);
        out
    }

    /// The hashes of the `wanted` lines (1-based, numbered as codeql-action numbers them) of
    /// `text`; stops reading once the last wanted line is hashed.
    pub fn hashes_of_lines(
        text: &str,
        wanted: &std::collections::BTreeSet<u32>,
    ) -> std::collections::BTreeMap<u32, String> {
        let mut found = std::collections::BTreeMap::new();
        let Some(&last) = wanted.last() else {
            return found;
        };
        let mut h = Hasher::default();
        let mut counter = Counter::default();
        let done = std::cell::Cell::new(false);
        let mut sink = |line: u32, raw: u64| {
            let s = counter.format(raw);
            if wanted.contains(&line) {
                found.insert(line, s);
            }
            if line >= last {
                done.set(true);
            }
        };
        for u in text.encode_utf16() {
            h.feed(u, &mut sink);
            if done.get() {
                break;
            }
        }
        if !done.get() {
            h.finish(&mut sink);
        }
        found
    }
}

/// `primaryLocationLineHash` from the finding's own line only, used when the file cannot be
/// read back (another source such as git history, a file changed or removed since the scan,
/// a file over 64 MiB).
///
/// This is the value codeql-action would compute for line 1 of a file consisting of exactly
/// `f.line_text` (no trailing newline). It equals the value for the real file when both:
/// - the line, from its first non-blank character, holds at least 100 UTF-16 code units that
///   are not spaces or tabs (then the hash never reaches past the line; true of nearly every
///   line holding a provider key, e.g. 164 characters for an OpenAI project key), and within
///   the first 4096 bytes of the line (`line_text` is truncated there); and
/// - no earlier line of the file starts with the same 100 such units (the occurrence suffix
///   is always `:1` here).
///
/// Otherwise it is a stable, content-based hash of the line, but not GitHub's value.
pub fn line_hash(line_text: &str) -> String {
    let mut wanted = BTreeSet::new();
    wanted.insert(1);
    linehash::hashes_of_lines(line_text, &wanted)
        .remove(&1)
        .unwrap_or_else(|| "0:1".to_string())
}

/// The `wanted` lines (1-based, `\n`-separated, as the scanner numbers them) of `data`,
/// without a trailing `\r`, lossily decoded; one pass over the data.
fn lines_of(data: &[u8], wanted: &BTreeSet<u32>) -> HashMap<u32, String> {
    let mut out = HashMap::new();
    let Some(&last) = wanted.last() else {
        return out;
    };
    let mut start = 0usize;
    let mut line = 1u32;
    loop {
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i);
        if wanted.contains(&line) {
            let mut l = &data[start..end];
            if l.last() == Some(&b'\r') {
                l = &l[..l.len() - 1];
            }
            out.insert(line, String::from_utf8_lossy(l).into_owned());
        }
        if line >= last || end >= data.len() {
            return out;
        }
        start = end + 1;
        line += 1;
    }
}

/// `primaryLocationLineHash` for each kept finding (by index), reading each file once.
///
/// A file is read back from disk (relative to the current directory) when it is at most 64 MiB
/// and its line at the finding's line still contains the finding's `line_text` (so the hash
/// describes the content the finding was made on); the hash is then exactly what
/// codeql-action's `upload-sarif` computes for that file and `startLine` (it numbers lines
/// as the scanner does, except that a lone `\r` also ends a line there; the hash is taken at
/// its numbering, since that is what it compares with). Otherwise [`line_hash`] of the
/// finding's line is used.
fn line_hashes_for(findings: &[&Finding]) -> Vec<String> {
    let mut by_path: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    // history findings describe a file at some commit, not the file on disk: their hash
    // comes from the finding's own line
    for (i, f) in findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.commit.is_none())
    {
        by_path.entry(f.location.path.as_str()).or_default().push(i);
    }
    let mut out: Vec<Option<String>> = vec![None; findings.len()];
    for (path, idxs) in by_path {
        let data = match std::fs::metadata(path) {
            Ok(m) if m.is_file() && m.len() <= MAX_HASHED_FILE => std::fs::read(path).ok(),
            _ => None,
        };
        let Some(data) = data else { continue };
        let lines: BTreeSet<u32> = idxs.iter().map(|&i| findings[i].location.line).collect();
        let on_disk = lines_of(&data, &lines);
        let usable: Vec<usize> = idxs
            .into_iter()
            .filter(|&i| {
                let f = findings[i];
                // `line_text` may end in U+FFFD where its 4096-byte cut split a character
                let text = f.line_text.trim_end_matches('\u{FFFD}');
                !text.is_empty()
                    && on_disk
                        .get(&f.location.line)
                        .is_some_and(|l| l.contains(text))
            })
            .collect();
        if usable.is_empty() {
            continue;
        }
        let wanted: BTreeSet<u32> = usable.iter().map(|&i| findings[i].location.line).collect();
        let text = String::from_utf8_lossy(&data);
        let hashes = linehash::hashes_of_lines(&text, &wanted);
        for i in usable {
            out[i] = hashes.get(&findings[i].location.line).cloned();
        }
    }
    out.into_iter()
        .zip(findings)
        .map(|(h, f)| h.unwrap_or_else(|| line_hash(&f.line_text)))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Rules

/// What the rules array says about one rule: the most severe and most precise of its findings
/// (a config override or a validator can change both per finding; results carry their own).
struct RuleInfo<'a> {
    spec: &'a RuleSpec,
    severity: Severity,
    precision: Precision,
}

const ROTATION_STEPS: [&str; 4] = [
    "Revoke or rotate the credential at the provider first. Deleting it from the code is not enough: it stays readable in git history, forks, clones, caches and CI logs.",
    "Store the new value in a secret manager or your CI system's encrypted secrets and read it from the environment at run time.",
    "Remove the secret from the code; if the repository is shared, also purge it from git history (for example with git filter-repo) and ask collaborators to re-clone.",
    "Check the provider's access logs for use of the old credential between the commit and the revocation.",
];

fn help_text(spec: &RuleSpec) -> String {
    let mut s = format!(
        "{}\n\nHow to fix:\n{}\n",
        spec.description.trim(),
        spec.remediation.trim()
    );
    if spec.kind.is_secret() {
        s.push_str("\nRotation checklist:\n");
        for (i, step) in ROTATION_STEPS.iter().enumerate() {
            s.push_str(&format!("{}. {step}\n", i + 1));
        }
    }
    if !spec.references.is_empty() {
        s.push_str("\nReferences:\n");
        for r in &spec.references {
            s.push_str(&format!("- {r}\n"));
        }
    }
    s.trim_end().to_string()
}

fn help_markdown(spec: &RuleSpec) -> String {
    let mut s = format!(
        "{}\n\n## How to fix\n\n{}\n",
        spec.description.trim(),
        spec.remediation.trim()
    );
    if spec.kind.is_secret() {
        s.push_str("\n## Rotation checklist\n\n");
        for (i, step) in ROTATION_STEPS.iter().enumerate() {
            let step = step.replace("git filter-repo", "`git filter-repo`");
            s.push_str(&format!("{}. {step}\n", i + 1));
        }
    }
    if !spec.references.is_empty() {
        s.push_str("\n## References\n\n");
        for r in &spec.references {
            s.push_str(&format!("- <{r}>\n"));
        }
    }
    s.trim_end().to_string()
}

fn rule_tags(spec: &RuleSpec) -> Vec<String> {
    let kind = if spec.kind.is_secret() {
        "secret"
    } else {
        "configuration"
    };
    let mut tags: Vec<String> = vec!["security".into(), kind.into()];
    for t in &spec.tags {
        if !tags.iter().any(|x| x == t) {
            tags.push(t.clone());
        }
    }
    tags.truncate(MAX_TAGS);
    tags
}

fn descriptor(info: &RuleInfo) -> sarif::ReportingDescriptor {
    let spec = info.spec;
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        json!(info.severity.security_severity()),
    );
    props.insert("precision".to_string(), json!(info.precision.as_str()));
    let mut d = sarif::ReportingDescriptor::builder()
        .id(spec.id.clone())
        .name(pascal_case(&spec.id))
        .short_description(
            sarif::MultiformatMessageString::builder()
                .text(spec.name.clone())
                .build(),
        )
        .full_description(
            sarif::MultiformatMessageString::builder()
                .text(spec.description.trim())
                .build(),
        )
        .help(
            sarif::MultiformatMessageString::builder()
                .text(help_text(spec))
                .markdown(help_markdown(spec))
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(json!(level(info.severity)))
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .tags(rule_tags(spec))
                .additional_properties(props)
                .build(),
        )
        .build();
    d.help_uri = spec.references.first().cloned();
    d
}

// ---------------------------------------------------------------------------------------------
// Results and notifications

/// Indices of the findings to report: all of them, or the `max` most severe (ties broken by
/// the scan's order), returned in the scan's order.
fn select(findings: &[Finding], max: usize) -> Vec<usize> {
    if findings.len() <= max {
        return (0..findings.len()).collect();
    }
    let mut idx: Vec<usize> = (0..findings.len()).collect();
    idx.sort_by_key(|&i| (std::cmp::Reverse(findings[i].severity), i));
    idx.truncate(max);
    idx.sort_unstable();
    idx
}

fn result(
    f: &Finding,
    rule_index: usize,
    line_hash: String,
    opts: &ReportOptions,
    cwd: Option<&Path>,
) -> sarif::Result {
    let loc = &f.location;
    let region = sarif::Region::builder()
        .start_line(loc.line as i64)
        .start_column(loc.column as i64)
        .end_line(loc.end_line as i64)
        .end_column(loc.end_column as i64)
        .snippet(
            sarif::ArtifactContent::builder()
                .text(opts.snippet(f))
                .build(),
        )
        .build();
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(ArtifactPath::new(&loc.path, cwd).artifact_location())
        .region(region)
        .build();
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("primaryLocationLineHash".to_string(), line_hash);
    fingerprints.insert("leakgate/v1".to_string(), f.fingerprint.clone());
    let mut props = BTreeMap::new();
    props.insert("fingerprint".to_string(), json!(f.fingerprint));
    props.insert("severity".to_string(), json!(f.severity.as_str()));
    props.insert("precision".to_string(), json!(f.precision.as_str()));
    props.insert(
        "entropy".to_string(),
        json!((f.entropy * 100.0).round() / 100.0),
    );
    if let Some(n) = &f.note {
        props.insert("note".to_string(), json!(n));
    }
    if let Some(c) = opts.commit(f) {
        // commit metadata lives in properties, never in partialFingerprints: a fingerprint
        // must not change when the same secret is found through another commit
        props.insert("commit".to_string(), json!(c));
    }
    if let Some(d) = &f.decoded {
        props.insert("decoded".to_string(), json!(d));
    }
    if let Some(v) = &f.validation {
        props.insert("validation".to_string(), json!(v));
    }
    let mut res = sarif::Result::builder()
        .rule_id(f.rule.id.clone())
        .rule_index(rule_index as i64)
        .level(result_level(f.severity))
        .message(
            sarif::Message::builder()
                .text(message_text(f, opts) + &related_text(f))
                .build(),
        )
        .locations(vec![sarif::Location::builder()
            .physical_location(physical)
            .build()])
        .partial_fingerprints(fingerprints)
        .properties(
            sarif::PropertyBag::builder()
                .additional_properties(props)
                .build(),
        )
        .build();
    if !f.related.is_empty() || !f.also.is_empty() {
        res.related_locations = Some(related_locations(f, cwd));
    }
    res
}

/// The related locations of a finding, then every other occurrence of its secret in the
/// same file, with the message each is shown with.
fn related_with_occurrences(f: &Finding) -> Vec<(&crate::finding::Location, String)> {
    let mut out: Vec<(&crate::finding::Location, String)> = f
        .related
        .iter()
        .map(|r| (&r.location, r.message.clone()))
        .collect();
    for (i, l) in f.also.iter().enumerate() {
        out.push((
            l,
            format!(
                "the same secret again (occurrence {} of {}): clean it here too",
                i + 2,
                f.occurrences
            ),
        ));
    }
    out
}

/// Escape the brackets that would start or end an embedded link in a SARIF message.
fn escape_message(s: &str) -> String {
    s.replace('[', "\\[").replace(']', "\\]")
}

/// " See also: [dist/a.js](1) (shipped bundle, …); …" linking the related locations by id.
fn related_text(f: &Finding) -> String {
    let all = related_with_occurrences(f);
    if all.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = all
        .iter()
        .enumerate()
        .map(|(i, (l, message))| {
            format!(
                "[{}]({}) ({})",
                escape_message(&l.path),
                i + 1,
                escape_message(message)
            )
        })
        .collect();
    format!(" See also: {}.", parts.join("; "))
}

/// `relatedLocations` with ids 1, 2, … (as linked from the message); no region for a
/// location that stands for the whole file (line 0).
fn related_locations(f: &Finding, cwd: Option<&Path>) -> Vec<sarif::Location> {
    related_with_occurrences(f)
        .into_iter()
        .enumerate()
        .map(|(i, (l, message))| {
            let mut physical = sarif::PhysicalLocation::builder()
                .artifact_location(ArtifactPath::new(&l.path, cwd).artifact_location())
                .build();
            if l.line > 0 {
                physical.region = Some(
                    sarif::Region::builder()
                        .start_line(l.line as i64)
                        .start_column(l.column as i64)
                        .end_line(l.end_line as i64)
                        .end_column(l.end_column as i64)
                        .build(),
                );
            }
            sarif::Location::builder()
                .id(i as i64 + 1)
                .physical_location(physical)
                .message(sarif::Message::builder().text(message).build())
                .build()
        })
        .collect()
}

fn notification(
    level: &str,
    text: String,
    path: Option<&str>,
    cwd: Option<&Path>,
) -> sarif::Notification {
    let mut n = sarif::Notification::builder()
        .level(json!(level))
        .message(sarif::Message::builder().text(text).build())
        .build();
    if let Some(p) = path {
        let physical = sarif::PhysicalLocation::builder()
            .artifact_location(ArtifactPath::new(p, cwd).artifact_location())
            .build();
        n.locations = Some(vec![sarif::Location::builder()
            .physical_location(physical)
            .build()]);
    }
    n
}

fn sentence(s: &str) -> String {
    let s = s.trim_end();
    if s.ends_with(['.', '!', '?']) {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn notifications(
    r: &ScanResult,
    dropped: usize,
    kept: usize,
    cwd: Option<&Path>,
) -> Vec<sarif::Notification> {
    let mut out = Vec::new();
    if dropped > 0 {
        out.push(notification(
            "warning",
            format!(
                "{} not included: GitHub code scanning accepts at most {MAX_RESULTS} results and {} MB (gzip-compressed) per upload, so only the {kept} most severe are reported. Run leakgate with --format json or text to see them all.",
                plural(dropped, "finding was", "findings were"),
                MAX_GZIP_BYTES >> 20
            ),
            None,
            cwd,
        ));
    }
    for w in r.warnings.iter().take(MAX_WARNING_NOTES) {
        out.push(notification("warning", sentence(w), None, cwd));
    }
    if r.warnings.len() > MAX_WARNING_NOTES {
        out.push(notification(
            "warning",
            format!(
                "{} not listed.",
                plural(
                    r.warnings.len() - MAX_WARNING_NOTES,
                    "more warning",
                    "more warnings"
                )
            ),
            None,
            cwd,
        ));
    }
    for s in r.skipped.iter().take(MAX_SKIPPED_NOTES) {
        out.push(notification(
            "note",
            sentence(&match s.reason.strip_prefix("partly scanned: ") {
                Some(r) => format!("Partly scanned: {}: {r}", s.path),
                None => format!("Not scanned: {}: {}", s.path, s.reason),
            }),
            Some(&s.path),
            cwd,
        ));
    }
    if r.skipped.len() > MAX_SKIPPED_NOTES {
        out.push(notification(
            "note",
            format!(
                "{} not scanned and not listed here (leakgate --verbose lists them all).",
                plural(
                    r.skipped.len() - MAX_SKIPPED_NOTES,
                    "more file was",
                    "more files were"
                )
            ),
            None,
            cwd,
        ));
    }
    out
}

/// The whole SARIF log for a scan (at most [`MAX_RESULTS`] results).
pub fn log(r: &ScanResult, opts: &ReportOptions) -> sarif::Sarif {
    log_limited(r, opts, MAX_RESULTS)
}

/// The SARIF log with at most `max` results, the most severe.
fn log_limited(r: &ScanResult, opts: &ReportOptions, max: usize) -> sarif::Sarif {
    let cwd = base_dir();
    let cwd = cwd.as_deref();
    let kept = select(&r.findings, max);
    let dropped = r.findings.len() - kept.len();
    let findings: Vec<&Finding> = kept.iter().map(|&i| &r.findings[i]).collect();

    let mut infos: BTreeMap<&str, RuleInfo> = BTreeMap::new();
    for f in &findings {
        let info = infos.entry(f.rule.id.as_str()).or_insert(RuleInfo {
            spec: &f.rule,
            severity: f.severity,
            precision: f.precision,
        });
        info.severity = info.severity.max(f.severity);
        info.precision = info.precision.max(f.precision);
    }
    let rule_index: HashMap<&str, usize> =
        infos.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let rules: Vec<sarif::ReportingDescriptor> = infos.values().map(descriptor).collect();

    let hashes = line_hashes_for(&findings);
    let results: Vec<sarif::Result> = findings
        .iter()
        .zip(hashes)
        .map(|(f, h)| result(f, rule_index[f.rule.id.as_str()], h, opts, cwd))
        .collect();

    let mut driver = sarif::ToolComponent::builder()
        .name("leakgate")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    driver.information_uri = [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty())
        .map(str::to_string);

    let mut invocation = sarif::Invocation::builder()
        .execution_successful(true)
        .build();
    let notes = notifications(r, dropped, findings.len(), cwd);
    if !notes.is_empty() {
        invocation.tool_execution_notifications = Some(notes);
    }

    let mut run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .column_kind(json!("unicodeCodePoints"))
        .automation_details(
            sarif::RunAutomationDetails::builder()
                .id(AUTOMATION_ID)
                .build(),
        )
        .build();
    if let Some(dir) = cwd {
        let mut uri = file_uri(&slash(dir));
        if !uri.ends_with('/') {
            uri.push('/');
        }
        let mut bases = BTreeMap::new();
        bases.insert(
            SRCROOT.to_string(),
            sarif::ArtifactLocation::builder().uri(uri).build(),
        );
        run.original_uri_base_ids = Some(bases);
    }

    sarif::Sarif::builder()
        .schema(SCHEMA_URI)
        .version(Value::from("2.1.0"))
        .runs(vec![run])
        .build()
}

/// Size of `data` gzip-compressed, as GitHub measures an upload.
fn gzip_len(data: &[u8]) -> usize {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // writing to a Vec cannot fail
    let _ = enc.write_all(data);
    enc.finish().map_or(usize::MAX, |v| v.len())
}

/// The log as bytes, under GitHub's upload limits: when the compressed log is over
/// [`MAX_GZIP_BYTES`], the least severe results are left out (a quarter at a time) and a
/// warning notification says how many.
pub fn render(r: &ScanResult, opts: &ReportOptions, max_gzip: usize) -> Result<Vec<u8>> {
    let mut max = MAX_RESULTS.min(r.findings.len());
    loop {
        let mut bytes = serde_json::to_vec_pretty(&log_limited(r, opts, max))?;
        bytes.push(b'\n');
        if max == 0 || bytes.len() <= max_gzip || gzip_len(&bytes) <= max_gzip {
            return Ok(bytes);
        }
        max = max * 3 / 4;
    }
}

impl Reporter for Sarif {
    fn write(&self, r: &ScanResult, opts: &ReportOptions, out: &mut dyn Write) -> Result<()> {
        out.write_all(&render(r, opts, MAX_GZIP_BYTES)?)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::linehash::line_hashes;
    use super::*;

    /// Expected values were produced by an independent JavaScript re-implementation of
    /// codeql-action's algorithm (BigInt arithmetic), and agree with the values published in
    /// codeql-action's own tests for the same inputs.
    #[test]
    fn line_hashes_match_codeql_action() {
        assert_eq!(line_hashes(""), ["c129715d7a2bc9a3:1"]);
        assert_eq!(
            line_hashes(" a\nb\n  \t\tc\n d"),
            [
                "271789c17abda88f:1",
                "54703d4cd895b18:1",
                "180aee12dab6264:1",
                "a23a3dc5e078b07b:1"
            ]
        );
        let expected = [
            "e9496ae3ebfced30:1",
            "fb7c023a8b9ccb3f:1",
            "ce8ba1a563dcdaca:1",
            "e20e36e16fcb0cc8:1",
            "b3edc88f2938467e:1",
            "c8e28b0b4002a3a0:1",
            "c129715d7a2bc9a3:1",
        ];
        // every line-ending style hashes the same
        for text in [
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
            " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
            " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
            " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
        ] {
            assert_eq!(line_hashes(text), expected, "{text:?}");
        }
    }

    #[test]
    fn repeated_lines_get_occurrence_suffixes() {
        let h = line_hashes(&"Lorem ipsum dolor sit amet.\n".repeat(10));
        assert_eq!(
            &h[..7],
            [
                "a7f2ff13bc495cf2:1",
                "a7f2ff13bc495cf2:2",
                "a7f2ff13bc495cf2:3",
                "a7f2ff13bc495cf2:4",
                "a7f2ff13bc495cf2:5",
                "a7f2ff13bc495cf2:6",
                "a7f2ff1481e87703:1",
            ]
        );
        assert_eq!(h.len(), 11);
        assert_eq!(h[10], "c129715d7a2bc9a3:1");
    }

    #[test]
    fn line_hashes_count_utf16_units() {
        // cross-checked with the JavaScript re-implementation (charCodeAt semantics: the emoji
        // is two code units, é is one)
        assert_eq!(
            line_hashes("é\n😀 x\n"),
            [
                "99d92c7a2013dead:1",
                "6061da4448575c5e:1",
                "c129715d7a2bc9a3:1"
            ]
        );
        // invalid UTF-8 becomes U+FFFD per maximal subpart, as Node's decoder does
        let text = String::from_utf8_lossy(b"ok\xff\xfe line\n\xe2\x82 z\n");
        assert_eq!(
            line_hashes(&text),
            [
                "124f9e1625c08872:1",
                "885e51959f708644:1",
                "c129715d7a2bc9a3:1"
            ]
        );
    }

    #[test]
    fn long_line_hash_needs_only_the_line() {
        let line = format!("  KEY={}", "a1B2c3D4".repeat(20));
        let file = format!("first line\n{line}\nlast line\n");
        let all = line_hashes(&file);
        assert_eq!(line_hash(&line), all[1]);
        let mut wanted = BTreeSet::new();
        wanted.insert(2);
        assert_eq!(linehash::hashes_of_lines(&file, &wanted)[&2], all[1]);
    }

    #[test]
    fn line_hash_is_read_from_the_file_when_it_still_matches() {
        let a = spec("alpha-key", "high");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("short.env");
        let path = path.to_str().unwrap();
        // a short line: its hash reaches into the next lines, so only the file gives GitHub's value
        let content = format!("x = 1\ntoken = {SECRET}\ny = 2\n");
        std::fs::write(path, &content).unwrap();
        let same = finding(&a, Severity::High, path, 2, SECRET);
        let mut moved = finding(&a, Severity::High, path, 3, SECRET);
        moved.fingerprint = "other".into();
        let hashes = line_hashes_for(&[&same, &moved]);
        assert_eq!(hashes[0], line_hashes(&content)[1]);
        assert_ne!(hashes[0], line_hash(&same.line_text));
        // line 3 on disk is not the finding's line: fall back to the line text
        assert_eq!(hashes[1], line_hash(&moved.line_text));
    }

    #[test]
    fn uris_are_encoded_relative_references() {
        let cwd = Path::new("/work/repo");
        let rel = ArtifactPath::new("src/my file#1.env", Some(cwd));
        assert_eq!(rel, ArtifactPath::Relative("src/my file#1.env".into()));
        let loc = rel.artifact_location();
        assert_eq!(loc.uri.as_deref(), Some("src/my%20file%231.env"));
        assert_eq!(loc.uri_base_id.as_deref(), Some(SRCROOT));
        assert_eq!(
            ArtifactPath::new("/work/repo/a/b.txt", Some(cwd)),
            ArtifactPath::Relative("a/b.txt".into())
        );
        assert_eq!(
            ArtifactPath::new("a/../b/./c:d.txt", Some(cwd))
                .artifact_location()
                .uri
                .as_deref(),
            Some("b/c%3Ad.txt")
        );
        let out = ArtifactPath::new("../other/x.env", Some(cwd));
        assert_eq!(out, ArtifactPath::Absolute("/work/other/x.env".into()));
        assert_eq!(
            out.artifact_location().uri.as_deref(),
            Some("file:///work/other/x.env")
        );
        assert_eq!(out.artifact_location().uri_base_id, None);
        assert_eq!(file_uri("/tmp/é d/"), "file:///tmp/%C3%A9%20d/");
        assert_eq!(file_uri("C:/Users/x"), "file:///C:/Users/x");
    }

    fn spec(id: &str, severity: &str) -> std::sync::Arc<RuleSpec> {
        let yaml = format!(
            "rules:\n  - id: {id}\n    name: Test {id}\n    description: d.\n    severity: {severity}\n    keywords: [\"kw\"]\n    pattern: '(?P<secret>kw[a-z]+)'\n    remediation: Rotate it.\n    tags: [security, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10]\n"
        );
        std::sync::Arc::new(
            crate::rules::parse_rule_file("test", &yaml)
                .unwrap()
                .remove(0),
        )
    }

    fn finding(
        rule: &std::sync::Arc<RuleSpec>,
        severity: Severity,
        path: &str,
        line: u32,
        secret: &str,
    ) -> Finding {
        let line_text = format!("token = {secret}");
        Finding {
            rule: rule.clone(),
            severity,
            precision: Precision::High,
            location: crate::finding::Location {
                path: path.into(),
                line,
                column: 9,
                end_line: line,
                end_column: 9 + secret.len() as u32,
            },
            secret: secret.into(),
            entropy: 4.123,
            note: Some("checksum valid".into()),
            snippet: crate::finding::Snippet {
                text: format!("token = {}", crate::finding::redact(secret)),
                highlight_start: 8,
                highlight_end: 19,
                revealed: Some(line_text.clone()),
            },
            fingerprint: crate::finding::fingerprint(&rule.id, secret, path),
            line_text,
            related: Vec::new(),
            also: Vec::new(),
            occurrences: 1,
            decoded: None,
            commit: None,
            validation: None,
            companions: Default::default(),
        }
    }

    fn scan(findings: Vec<Finding>, skipped: usize) -> ScanResult {
        ScanResult {
            findings,
            skipped: (0..skipped)
                .map(|i| crate::finding::Skipped {
                    path: format!("bin/{i:05}.dat"),
                    reason: "binary file".into(),
                })
                .collect(),
            warnings: vec!["x: cannot open: denied; not scanned".into()],
            files_scanned: 3,
            bytes_scanned: 10,
            rules_loaded: 2,
            duration: std::time::Duration::from_millis(5),
            targets: vec![".".into()],
            allow_suppressed: 0,
            commits_scanned: None,
            baseline_suppressed: 0,
        }
    }

    const SECRET: &str = "kwabcdefghijklmnopqrstuvwxyz";

    #[test]
    fn rules_results_and_notifications() {
        let a = spec("zeta-key", "medium");
        let b = spec("alpha-key", "high");
        let r = scan(
            vec![
                finding(&a, Severity::Medium, "no/such/dir/x.env", 3, SECRET),
                finding(&b, Severity::High, "no/such/dir/y.env", 1, SECRET),
                finding(&a, Severity::Low, "no/such/dir/z.env", 7, SECRET),
            ],
            MAX_SKIPPED_NOTES + 2,
        );
        let v = serde_json::to_value(log(&r, &ReportOptions::default())).unwrap();
        let text = v.to_string();
        assert!(!text.contains(SECRET));
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0]["id"], "alpha-key");
        assert_eq!(rules[1]["id"], "zeta-key");
        // the most severe finding of a rule sets its default level and security-severity
        assert_eq!(rules[1]["defaultConfiguration"]["level"], "warning");
        assert_eq!(rules[1]["properties"]["security-severity"], "5.5");
        let tags = rules[0]["properties"]["tags"].as_array().unwrap();
        assert_eq!(tags.len(), MAX_TAGS);
        assert_eq!(tags[0], "security");
        assert_eq!(tags[1], "secret");
        assert_eq!(tags.iter().filter(|t| *t == "security").count(), 1);
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        assert_eq!(results[0]["ruleIndex"], 1);
        assert_eq!(results[1]["ruleIndex"], 0);
        assert_eq!(results[2]["level"], "note");
        assert_eq!(
            results[0]["message"]["text"],
            "Test zeta-key found: kwabcd***** (sha256 ef65…) (checksum valid)."
        );
        assert_eq!(results[0]["properties"]["entropy"], 4.12);
        // unreadable file: the hash comes from the line text
        assert_eq!(
            results[0]["partialFingerprints"]["primaryLocationLineHash"],
            line_hash(&format!("token = {SECRET}"))
        );
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert_eq!(notes.len(), 1 + MAX_SKIPPED_NOTES + 1);
        assert_eq!(notes[0]["level"], "warning");
        assert_eq!(
            notes[1]["message"]["text"],
            "Not scanned: bin/00000.dat: binary file."
        );
        assert_eq!(
            notes[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "bin/00000.dat"
        );
        assert_eq!(notes.last().unwrap()["message"]["text"], "2 more files were not scanned and not listed here (leakgate --verbose lists them all).");
    }

    #[test]
    fn reveal_shows_the_secret() {
        let a = spec("alpha-key", "high");
        let r = scan(
            vec![finding(&a, Severity::High, "nowhere/x.env", 1, SECRET)],
            0,
        );
        let opts = ReportOptions {
            reveal: true,
            ..Default::default()
        };
        let v = serde_json::to_value(log(&r, &opts)).unwrap();
        let res = &v["runs"][0]["results"][0];
        assert_eq!(
            res["message"]["text"],
            format!("Test alpha-key found: {SECRET} (checksum valid).")
        );
        assert_eq!(
            res["locations"][0]["physicalLocation"]["region"]["snippet"]["text"],
            format!("token = {SECRET}")
        );
    }

    #[test]
    fn stays_under_the_compressed_size_limit() {
        let a = spec("alpha-key", "high");
        let mut rng = crate::examples::Rng::new(3);
        let fs: Vec<Finding> = (0..400)
            .map(|i| {
                let secret = crate::examples::expand("{{alnum:40}}", &mut rng).unwrap();
                let sev = if i % 2 == 0 {
                    Severity::High
                } else {
                    Severity::Low
                };
                finding(&a, sev, &format!("dir{i}/x.env"), 1, &secret)
            })
            .collect();
        let r = scan(fs, 0);
        let opts = ReportOptions::default();
        let full = render(&r, &opts, usize::MAX).unwrap();
        let limit = gzip_len(&full) / 3;
        let small = render(&r, &opts, limit).unwrap();
        assert!(gzip_len(&small) <= limit);
        let v: Value = serde_json::from_slice(&small).unwrap();
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert!(
            !results.is_empty() && results.len() < 200,
            "{}",
            results.len()
        );
        // the most severe are kept
        assert!(results.iter().all(|r| r["level"] == "error"));
        let note = v["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]
            ["text"]
            .as_str()
            .unwrap();
        assert!(
            note.contains(&format!(
                "{} findings were not included",
                400 - results.len()
            )),
            "{note}"
        );
        assert!(note.contains("10 MB (gzip-compressed)"), "{note}");
    }

    #[test]
    fn keeps_the_most_severe_results_within_the_limit() {
        let a = spec("alpha-key", "high");
        let mut fs = Vec::new();
        for i in 0..MAX_RESULTS + 3 {
            let sev = if i % 1000 == 0 {
                Severity::Info
            } else {
                Severity::High
            };
            fs.push(finding(&a, sev, "nowhere/x.env", i as u32 + 1, SECRET));
        }
        let r = scan(fs, 0);
        let v = serde_json::to_value(log(&r, &ReportOptions::default())).unwrap();
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), MAX_RESULTS);
        let note = v["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]
            ["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(note.starts_with("3 findings were not included"), "{note}");
        // dropped: the last three info findings in scan order (lines 23001, 24001, 25001)
        let lines: Vec<u64> = results
            .iter()
            .map(|r| {
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert!(lines.windows(2).all(|w| w[0] < w[1]), "scan order kept");
        for dropped in [23_001u64, 24_001, 25_001] {
            assert!(!lines.contains(&dropped));
        }
        assert!(lines.contains(&1) && lines.contains(&22_001));
        let notes = v["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert_eq!(notes[0]["level"], "warning");
        assert!(notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("3 findings were not included"));
    }

    #[test]
    fn related_locations_are_linked_from_the_message() {
        let a = spec("alpha-key", "high");
        let mut f = finding(&a, Severity::High, "src/app/[slug]/page.tsx", 4, SECRET);
        f.related = vec![
            crate::finding::RelatedLocation {
                location: crate::finding::Location {
                    path: "dist/app.js".into(),
                    line: 1,
                    column: 300,
                    end_line: 1,
                    end_column: 330,
                },
                message: "shipped bundle".into(),
            },
            crate::finding::RelatedLocation {
                // line 0: the file as a whole
                location: crate::finding::Location {
                    path: "dist/[id].js.map".into(),
                    line: 0,
                    column: 0,
                    end_line: 0,
                    end_column: 0,
                },
                message: "source map".into(),
            },
        ];
        let v = serde_json::to_value(log(&scan(vec![f], 0), &ReportOptions::default())).unwrap();
        let res = &v["runs"][0]["results"][0];
        assert_eq!(
            res["message"]["text"],
            "Test alpha-key found: kwabcd***** (sha256 ef65…) (checksum valid). See also: [dist/app.js](1) (shipped bundle); [dist/\\[id\\].js.map](2) (source map)."
        );
        let rel = res["relatedLocations"].as_array().unwrap();
        assert_eq!(rel.len(), 2);
        assert_eq!(rel[0]["id"], 1);
        assert_eq!(rel[0]["message"]["text"], "shipped bundle");
        let p0 = &rel[0]["physicalLocation"];
        assert_eq!(p0["artifactLocation"]["uri"], "dist/app.js");
        assert_eq!(p0["region"]["startColumn"], 300);
        // a whole-file location has no region
        assert_eq!(rel[1]["id"], 2);
        assert_eq!(
            rel[1]["physicalLocation"]["artifactLocation"]["uri"],
            "dist/%5Bid%5D.js.map"
        );
        assert!(rel[1]["physicalLocation"].get("region").is_none());
    }

    #[test]
    fn names_and_levels() {
        assert_eq!(pascal_case("openai-project-key"), "OpenaiProjectKey");
        assert_eq!(pascal_case("aws-s3-key"), "AwsS3Key");
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::High), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Low), "note");
        assert_eq!(level(Severity::Info), "note");
    }
}
