//! The matcher: one keyword search over every rule keyword ([`crate::keywords`]) finds where
//! rules may match; each rule's regex then runs only in a window around its keyword hits; entropy,
//! placeholder, allow-list and offline validators decide what is kept.
//!
//! Regexes compile lazily on a rule's first keyword hit, so start-up costs one automaton
//! build, not 150 regex compilations (this matters for the pre-commit path).

use std::sync::{Arc, OnceLock};

use anyhow::{Context, Result};
use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::meta::Regex;
use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input};

use crate::filters;
use crate::keywords::KeywordSearcher;
use crate::rules::{Precision, RuleSpec, Severity, ValidatorKind};
use crate::validators::{self, Verdict};

const DEFAULT_BEFORE: usize = 64;
const DEFAULT_AFTER: usize = 256;
/// Largest window any rule may ask for; the chunked reader overlaps chunks by this much.
pub const MAX_WINDOW: usize = 16 * 1024;

/// A rule ready to run.
pub struct CompiledRule {
    pub spec: Arc<RuleSpec>,
    /// Severity after config overrides.
    pub severity: Severity,
    regex: OnceLock<std::result::Result<Regex, String>>,
    allow: OnceLock<Vec<Regex>>,
    context_allow: OnceLock<Vec<Regex>>,
    /// `keyword_followed_by`, as a small anchored DFA (`None`: every hit opens a window).
    follow: OnceLock<Option<std::result::Result<dense::DFA<Vec<u32>>, String>>>,
    before: usize,
    after: usize,
    /// The rule has `paths`: it runs only on files [`PathRules`] lets through.
    path_restricted: bool,
}

impl CompiledRule {
    fn new(spec: RuleSpec, severity: Option<Severity>) -> CompiledRule {
        let before = spec.window_before.unwrap_or(DEFAULT_BEFORE).min(MAX_WINDOW);
        let after = spec.window_after.unwrap_or(DEFAULT_AFTER).min(MAX_WINDOW);
        let path_restricted = !spec.paths.is_empty();
        CompiledRule {
            severity: severity.unwrap_or(spec.severity),
            spec: Arc::new(spec),
            regex: OnceLock::new(),
            allow: OnceLock::new(),
            context_allow: OnceLock::new(),
            follow: OnceLock::new(),
            before,
            after,
            path_restricted,
        }
    }

    /// The `keyword_followed_by` automaton, compiled on first use.
    fn follow(&self) -> Option<std::result::Result<&dense::DFA<Vec<u32>>, &str>> {
        self.follow
            .get_or_init(|| {
                self.spec
                    .keyword_followed_by
                    .as_deref()
                    .map(|p| build_follow(p).map_err(|e| e.to_string()))
            })
            .as_ref()
            .map(|r| r.as_ref().map_err(|e| e.as_str()))
    }

    /// Whether a keyword hit ending at `end` may start a match: the text from `end` matches
    /// `keyword_followed_by`. True when the rule has none (or it failed to compile: `check`
    /// reports that, and scanning errs on the side of looking).
    fn hit_may_match(&self, data: &[u8], end: usize) -> bool {
        let Some(Ok(dfa)) = self.follow() else {
            return true;
        };
        let input = Input::new(data)
            .range(end..)
            .anchored(Anchored::Yes)
            .earliest(true);
        !matches!(dfa.try_search_fwd(&input), Ok(None))
    }

    /// The rule's regex, compiled on first use.
    fn regex(&self) -> std::result::Result<&Regex, &str> {
        self.regex
            .get_or_init(|| build_regex(&self.spec.pattern).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| e.as_str())
    }

    fn allow(&self) -> &[Regex] {
        self.allow.get_or_init(|| build_all(&self.spec.allow))
    }

    fn context_allow(&self) -> &[Regex] {
        self.context_allow
            .get_or_init(|| build_all(&self.spec.context_allow))
    }

    /// Compile everything now; returns the first error. Used by `rules test` and at load
    /// time for user rules so a broken regex is reported up front, naming the rule.
    pub fn check(&self) -> Result<()> {
        self.regex()
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("rule `{}`: invalid pattern", self.spec.id))?;
        let re = self.regex().expect("checked");
        if re
            .group_info()
            .to_index(regex_automata::PatternID::ZERO, "secret")
            .is_none()
        {
            anyhow::bail!("rule `{}`: pattern has no `secret` group", self.spec.id);
        }
        if let Some(Err(e)) = self.follow() {
            anyhow::bail!("rule `{}`: invalid keyword_followed_by: {e}", self.spec.id);
        }
        for p in self.spec.allow.iter().chain(&self.spec.context_allow) {
            build_regex(p)
                .with_context(|| format!("rule `{}`: invalid allow pattern {p:?}", self.spec.id))?;
        }
        Ok(())
    }
}

/// Compile a list of patterns; broken ones are skipped here because `check` reports them.
fn build_all(patterns: &[String]) -> Vec<Regex> {
    patterns
        .iter()
        .filter_map(|p| build_regex(p).ok())
        .collect()
}

/// Whether `rest` starts with an `<angle-bracket placeholder>` such as `<your-key>`: a
/// letter after `<`, then up to 40 letters, digits, spaces, `-` or `_`, then `>`.
fn angle_placeholder(rest: &[u8]) -> bool {
    if rest.first() != Some(&b'<') || !rest.get(1).is_some_and(u8::is_ascii_alphabetic) {
        return false;
    }
    rest[1..]
        .iter()
        .take(41)
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b' ')))
        == Some(&b'>')
}

/// Lazy-DFA cache per regex and thread. Windows are a few hundred bytes, so few states are
/// ever built; the 2 MiB default, times every rule that fires and every thread, was about a
/// fifth of a history scan's heap.
const REGEX_CACHE_BYTES: usize = 256 * 1024;

/// Rule regexes match bytes (files need not be UTF-8); `(?i)` folds ASCII only.
fn byte_syntax() -> regex_automata::util::syntax::Config {
    regex_automata::util::syntax::Config::new()
        .unicode(false)
        .utf8(false)
}

fn build_regex(pattern: &str) -> Result<Regex> {
    Regex::builder()
        .configure(Regex::config().hybrid_cache_capacity(REGEX_CACHE_BYTES))
        .syntax(byte_syntax())
        .build(pattern)
        .map_err(|e| anyhow::anyhow!("{}", regex_error(&e)))
}

/// A regex build error on one line, with the parser's cause and where in the pattern it is
/// (`unclosed character class at character 12: (?P<secret>»[a-z)`), instead of the
/// builder's bare "error parsing pattern 0".
pub fn regex_error(e: &(dyn std::error::Error + 'static)) -> String {
    let mut deepest: &dyn std::error::Error = e;
    while let Some(s) = deepest.source() {
        deepest = s;
    }
    let text = deepest.to_string();
    let lines: Vec<&str> = text.lines().collect();
    let Some(cause) = lines.iter().find_map(|l| l.strip_prefix("error: ")) else {
        return text.replace('\n', " ");
    };
    // single-line pattern: "regex parse error:", "    PATTERN", "    ^^^", "error: …"
    if let [_, pat, carets, ..] = lines.as_slice() {
        if let (Some(pat), Some(at)) = (pat.strip_prefix("    "), carets.find('^')) {
            let at = at.saturating_sub(4);
            let chars: Vec<char> = pat.chars().collect();
            if at <= chars.len() && carets.trim_start().starts_with('^') {
                let (a, b): (String, String) =
                    (chars[..at].iter().collect(), chars[at..].iter().collect());
                return format!("{cause} at character {}: {a}»{b}", at + 1);
            }
        }
    }
    // multi-line patterns: the parser numbers the lines; keep its cause and location
    format!(
        "{cause} ({})",
        lines
            .get(1..lines.len().saturating_sub(1))
            .unwrap_or(&[])
            .join(" / ")
            .trim()
    )
}

/// An anchored DFA for `keyword_followed_by` (byte-oriented like the rule regexes). Dense
/// DFAs of such short patterns are a few KiB and need no cache, so testing a hit costs a
/// handful of table steps.
fn build_follow(pattern: &str) -> Result<dense::DFA<Vec<u32>>> {
    dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Anchored)
                .dfa_size_limit(Some(1 << 20))
                .determinize_size_limit(Some(1 << 20)),
        )
        .syntax(byte_syntax())
        .build(pattern)
        .map_err(|e| anyhow::anyhow!("{}", regex_error(&e)))
}

/// A raw match inside one buffer, before line/column and reporting.
#[derive(Debug, Clone)]
pub struct RawMatch {
    pub rule: usize,
    /// Byte range of the `secret` group.
    pub start: usize,
    pub end: usize,
    pub secret: String,
    pub severity: Severity,
    pub precision: Precision,
    pub note: Option<String>,
    pub entropy: f64,
}

/// A regex match before filtering: the `secret` span and the optional `name` and quote.
struct Candidate<'a> {
    start: usize,
    end: usize,
    name: Option<&'a [u8]>,
    quoted: bool,
}

/// The compiled rule set.
pub struct RuleSet {
    pub rules: Vec<CompiledRule>,
    keywords: KeywordSearcher,
    /// keyword pattern id -> indices of rules that use it
    kw_rules: Vec<Vec<u32>>,
    /// Rules restricted to some file paths (`None`: no rule is).
    path_rules: Option<PathRules>,
}

/// The `paths` globs of path-restricted rules. Most files match none of them, and a cheap
/// test of the file name (literal names, `*.ext` suffixes of the globs' last component)
/// rules that out before any glob runs.
struct PathRules {
    set: globset::GlobSet,
    /// glob index -> rule index
    owner: Vec<u32>,
    /// The file name must equal (`false`) or end with (`true`) one of these for any glob to
    /// match; `None` when some glob's last component is not of that form.
    names: Option<Vec<(String, bool)>>,
    /// Path-restricted rules without keywords: their regex runs over the whole data.
    whole: Vec<u32>,
}

impl PathRules {
    fn new(specs: &[&RuleSpec]) -> Result<Option<PathRules>> {
        let mut b = globset::GlobSetBuilder::new();
        let mut owner = Vec::new();
        let mut names = Some(Vec::new());
        let mut whole = Vec::new();
        for (ri, spec) in specs.iter().enumerate() {
            if spec.paths.is_empty() {
                continue;
            }
            if spec.keywords.is_empty() {
                whole.push(ri as u32);
            }
            for p in &spec.paths {
                let glob = crate::rules::path_glob(p)
                    .with_context(|| format!("rule `{}`: bad glob {p:?} in `paths`", spec.id))?;
                b.add(glob);
                owner.push(ri as u32);
                let last = p.rsplit('/').next().unwrap_or(p);
                let meta = |t: &str| t.contains(['*', '?', '[', '{', '\\']);
                let name = if !meta(last) {
                    Some((last.to_string(), false))
                } else {
                    match last.strip_prefix('*') {
                        Some(suffix) if !suffix.is_empty() && !meta(suffix) => {
                            Some((suffix.to_string(), true))
                        }
                        _ => None,
                    }
                };
                match (name, names.as_mut()) {
                    (Some(n), Some(list)) => list.push(n),
                    _ => names = None,
                }
            }
        }
        if owner.is_empty() {
            return Ok(None);
        }
        Ok(Some(PathRules {
            set: b.build()?,
            owner,
            names,
            whole,
        }))
    }

    /// Indices of the path-restricted rules that apply to `path` (sorted, deduplicated).
    fn rules_for(&self, path: &str) -> Vec<u32> {
        if let Some(names) = &self.names {
            let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
            let may = names.iter().any(|(n, suffix)| {
                if *suffix {
                    file.ends_with(n.as_str())
                } else {
                    file == n
                }
            });
            if !may {
                return Vec::new();
            }
        }
        // an archive member is shown as `archive.zip!inner/path`: match the inner path
        let inner = path.rsplit('!').next().unwrap_or(path);
        let mut out: Vec<u32> = self
            .set
            .matches(inner)
            .into_iter()
            .map(|g| self.owner[g])
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl RuleSet {
    /// Build from specs; `severity_of` returns a config override for a rule id.
    pub fn new(
        specs: Vec<RuleSpec>,
        severity_of: impl Fn(&str) -> Option<Severity>,
    ) -> Result<RuleSet> {
        let mut keywords: Vec<String> = Vec::new();
        let mut kw_rules: Vec<Vec<u32>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        let path_rules = PathRules::new(&specs.iter().collect::<Vec<_>>())?;
        let mut rules = Vec::with_capacity(specs.len());
        for (ri, spec) in specs.into_iter().enumerate() {
            for kw in &spec.keywords {
                let k = kw.to_ascii_lowercase();
                let id = *index.entry(k.clone()).or_insert_with(|| {
                    keywords.push(k);
                    kw_rules.push(Vec::new());
                    keywords.len() - 1
                });
                if !kw_rules[id].contains(&(ri as u32)) {
                    kw_rules[id].push(ri as u32);
                }
            }
            let sev = severity_of(&spec.id);
            rules.push(CompiledRule::new(spec, sev));
        }
        let keywords = KeywordSearcher::new(&keywords).context("building keyword search")?;
        Ok(RuleSet {
            rules,
            keywords,
            kw_rules,
            path_rules,
        })
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Find every match in `data`. Matches are sorted by start offset and deduplicated.
    /// `code_file`: the data is source code, where unquoted values are expressions.
    /// Rules restricted to file paths (`paths`) do not run: see [`RuleSet::scan_path`].
    pub fn scan(&self, data: &[u8], code_file: bool, out: &mut Vec<RawMatch>) {
        self.scan_with(data, code_file, &[], out)
    }

    /// The path-restricted rules (`paths`) that run on the data of the file at `path`.
    pub fn path_rules_for(&self, path: &str) -> Vec<u32> {
        self.path_rules
            .as_ref()
            .map_or_else(Vec::new, |p| p.rules_for(path))
    }

    /// [`RuleSet::scan`] for the data of the file at `path`: rules whose `paths` match it
    /// run too.
    pub fn scan_path(&self, path: &str, data: &[u8], code_file: bool, out: &mut Vec<RawMatch>) {
        let allowed = match &self.path_rules {
            Some(p) => p.rules_for(path),
            None => Vec::new(),
        };
        self.scan_with(data, code_file, &allowed, out)
    }

    /// `allowed`: the path-restricted rules that apply to this data (sorted).
    fn scan_with(&self, data: &[u8], code_file: bool, allowed: &[u32], out: &mut Vec<RawMatch>) {
        // 1. keyword hits -> windows per rule
        let mut windows: Vec<(u32, usize, usize)> = Vec::new();
        if !allowed.is_empty() {
            if let Some(p) = &self.path_rules {
                for &ri in p
                    .whole
                    .iter()
                    .filter(|ri| allowed.binary_search(ri).is_ok())
                {
                    windows.push((ri, 0, data.len()));
                }
            }
        }
        self.keywords.for_each_match(data, |pattern, start, end| {
            for &ri in &self.kw_rules[pattern] {
                let r = &self.rules[ri as usize];
                if r.path_restricted && allowed.binary_search(&ri).is_err() {
                    continue;
                }
                if !r.hit_may_match(data, end) {
                    continue;
                }
                let s = start.saturating_sub(r.before);
                let e = (end + r.after).min(data.len());
                windows.push((ri, s, e));
            }
        });
        if windows.is_empty() {
            return;
        }
        windows.sort_unstable();
        // 2. merge overlapping windows of the same rule, run its regex in each
        let first = out.len();
        let mut caps: Option<(u32, Captures)> = None;
        let mut i = 0;
        while i < windows.len() {
            let (ri, s, mut e) = windows[i];
            let mut j = i + 1;
            while j < windows.len() && windows[j].0 == ri && windows[j].1 <= e {
                e = e.max(windows[j].2);
                j += 1;
            }
            i = j;
            let rule = &self.rules[ri as usize];
            let Ok(re) = rule.regex() else { continue };
            if caps.as_ref().is_none_or(|(r, _)| *r != ri) {
                caps = Some((ri, re.create_captures()));
            }
            let c = &mut caps.as_mut().expect("set above").1;
            let mut at = s;
            while at < e {
                let input = Input::new(data).range(at..e);
                re.search_captures(&input, c);
                let Some(m) = c.get_match() else { break };
                // advance; guard against empty matches
                at = if m.end() > m.start() {
                    m.end()
                } else {
                    m.end() + 1
                };
                let Some(sec) = c.get_group_by_name("secret") else {
                    continue;
                };
                let name = c
                    .get_group_by_name("name")
                    .map(|sp| &data[sp.start..sp.end]);
                let quoted = c.get_group_by_name("q").is_some();
                let cand = Candidate {
                    start: sec.start,
                    end: sec.end,
                    name,
                    quoted,
                };
                if let Some(rm) = self.accept(ri as usize, data, cand, code_file) {
                    out.push(rm);
                }
            }
        }
        // 3. sort and dedupe (same rule, same span; overlapping windows can repeat a match)
        let tail = &mut out[first..];
        tail.sort_by_key(|m| (m.start, m.rule, m.end));
        let mut kept = first;
        for k in first..out.len() {
            if kept > first {
                let prev = &out[kept - 1];
                if prev.rule == out[k].rule && prev.start == out[k].start && prev.end == out[k].end
                {
                    continue;
                }
            }
            out.swap(kept, k);
            kept += 1;
        }
        out.truncate(kept);
    }

    /// Apply entropy, placeholders, allow-lists and the validator to one candidate.
    fn accept(
        &self,
        ri: usize,
        data: &[u8],
        cand: Candidate<'_>,
        code_file: bool,
    ) -> Option<RawMatch> {
        let Candidate {
            start,
            end,
            name,
            quoted,
        } = cand;
        let rule = &self.rules[ri];
        let spec = &rule.spec;
        let bytes = &data[start..end];
        if bytes.is_empty() {
            return None;
        }
        let secret = String::from_utf8_lossy(bytes).into_owned();
        let entropy = filters::shannon_entropy(bytes);
        if let Some(min) = spec.entropy {
            if entropy < min {
                return None;
            }
        }
        if spec.validator != Some(ValidatorKind::Pem)
            && filters::placeholder_reason(&secret, false).is_some()
        {
            return None;
        }
        if rule.allow().iter().any(|a| a.is_match(bytes)) {
            return None;
        }
        // a rule that captures the quote before the value (`q`) reads it as a literal only
        // when quoted, or outside source code: in code an unquoted name is a variable or a
        // type (`clientSecret: SensitiveString2048;` in a `.d.ts`)
        if code_file
            && !quoted
            && spec.validator.is_none()
            && filters::is_identifier_like(&secret)
            && rule.regex().is_ok_and(|re| {
                re.group_info()
                    .to_index(regex_automata::PatternID::ZERO, "q")
                    .is_some()
            })
        {
            return None;
        }
        if !rule.context_allow().is_empty() {
            let from = start.saturating_sub(200);
            let from = memchr::memrchr(b'\n', &data[from..start]).map_or(from, |i| from + i + 1);
            if rule
                .context_allow()
                .iter()
                .any(|a| a.is_match(&data[from..end]))
            {
                return None;
            }
        }
        let mut severity = rule.severity;
        let mut precision = spec.precision;
        let mut note = None;
        if let Some(kind) = spec.validator {
            let name = name.map(String::from_utf8_lossy);
            let rest = &data[end..];
            // `{`, `${` or a `<your-key>`-style placeholder right after the value: the value
            // is only the fixed prefix of something filled in later
            let template_follows =
                rest.starts_with(b"{") || rest.starts_with(b"${") || angle_placeholder(rest);
            let ctx = validators::Context {
                name: name.as_deref(),
                quoted,
                code_file,
                template_follows,
            };
            match validators::validate(kind, &secret, ctx) {
                Verdict::Drop(_) => return None,
                Verdict::Keep {
                    severity: s,
                    precision: p,
                    note: n,
                } => {
                    // a config override of the rule's severity wins over the validator's
                    if rule.severity == spec.severity {
                        severity = s.unwrap_or(severity);
                    }
                    precision = p.unwrap_or(precision);
                    note = n;
                }
            }
        }
        Some(RawMatch {
            rule: ri,
            start,
            end,
            secret,
            severity,
            precision,
            note,
            entropy,
        })
    }
}

/// When matches of different rules overlap, keep the most specific one: higher precision,
/// then higher severity, then the longer match. Same-rule repeats of one value stay (they are
/// deduplicated by fingerprint later).
pub fn resolve_overlaps(mut raw: Vec<RawMatch>, rules: &RuleSet) -> Vec<RawMatch> {
    if raw.len() < 2 {
        return raw;
    }
    let rank = |m: &RawMatch| {
        let generic = rules.rules[m.rule].spec.tags.iter().any(|t| t == "generic");
        (!generic, m.precision, m.severity, m.end - m.start)
    };
    raw.sort_by_key(|m| m.start);
    let mut keep = vec![true; raw.len()];
    for i in 0..raw.len() {
        if !keep[i] {
            continue;
        }
        for j in i + 1..raw.len() {
            if raw[j].start >= raw[i].end {
                break;
            }
            if !keep[j] {
                continue;
            }
            if rank(&raw[j]) > rank(&raw[i]) {
                keep[i] = false;
                break;
            } else {
                keep[j] = false;
            }
        }
    }
    let mut k = keep.into_iter();
    raw.retain(|_| k.next().unwrap_or(false));
    raw
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn angle_placeholders() {
        assert!(angle_placeholder(b"<your-key>'"));
        assert!(angle_placeholder(b"<YOUR API KEY>"));
        assert!(!angle_placeholder(b"<"));
        assert!(!angle_placeholder(b"<3 you>"));
        assert!(!angle_placeholder(b"</script>"));
        assert!(!angle_placeholder(b"<br"));
        assert!(!angle_placeholder(b"x<y>"));
    }

    fn spec(id: &str, kw: &str, pattern: &str) -> RuleSpec {
        serde_yaml_ng::from_str(&format!(
            "id: {id}\nname: n\ndescription: d\nseverity: high\nkeywords: [{kw:?}]\npattern: '{pattern}'\nremediation: r\n"
        ))
        .unwrap()
    }

    #[test]
    fn keyword_followed_by_skips_hits_that_cannot_start_a_match() {
        let mut sp = spec("t", "key", r"key[a-z]*\s*=\s*(?P<secret>[A-Za-z0-9]{12})");
        let data = b"keyring.open(); mykey = Zx81Qp02Lm9T; keyboard";
        let plain = RuleSet::new(vec![sp.clone()], |_| None).unwrap();
        let mut all = Vec::new();
        plain.scan(data, false, &mut all);
        sp.keyword_followed_by = Some(r"[a-z]*\s*=".into());
        let gated = RuleSet::new(vec![sp.clone()], |_| None).unwrap();
        gated.rules[0].check().unwrap();
        let mut out = Vec::new();
        gated.scan(data, false, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(
            (out[0].start, out[0].end, &out[0].secret),
            (all[0].start, all[0].end, &all[0].secret)
        );
        // a gate that rejects every hit here opens no window, so the match is not looked for
        out.clear();
        let mut colon = sp.clone();
        colon.keyword_followed_by = Some(r"[a-z]*\s*:".into());
        let colon = RuleSet::new(vec![colon], |_| None).unwrap();
        colon.scan(data, false, &mut out);
        assert!(out.is_empty());
        // a hit at the very end of the data
        gated.scan(b"key", false, &mut out);
        assert!(out.is_empty());
        // a broken gate is reported by check() and does not suppress scanning
        sp.keyword_followed_by = Some("(".into());
        let broken = RuleSet::new(vec![sp], |_| None).unwrap();
        assert!(broken.rules[0].check().is_err());
        broken.scan(data, false, &mut out);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn windows_respect_word_boundaries_outside_the_window() {
        let rs = RuleSet::new(
            vec![spec("t", "tok_", r"\b(?P<secret>tok_[a-z0-9]{12})\b")],
            |_| None,
        )
        .unwrap();
        let mut out = Vec::new();
        // the `\b` before tok_ must see the `x` that lies outside the window start
        let pad = "a".repeat(200);
        let data = format!("{pad}xtok_a1b2c3d4e5f6 tok_q1w2e3r4t5y6");
        rs.scan(data.as_bytes(), false, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].secret, "tok_q1w2e3r4t5y6");
    }

    #[test]
    fn unquoted_names_in_code_are_not_values_of_rules_that_capture_the_quote() {
        let rs = RuleSet::new(
            vec![spec(
                "t",
                "secret",
                r#"secret:\s*(?P<q>")?(?P<secret>[A-Za-z0-9]{12,})"#,
            )],
            |_| None,
        )
        .unwrap();
        let mut out = Vec::new();
        rs.scan(b"secret: SensitiveString2048;", true, &mut out);
        assert!(out.is_empty(), "a type in code");
        rs.scan(b"secret: SensitiveString2048;", false, &mut out);
        assert_eq!(out.len(), 1, "a value in configuration");
        out.clear();
        rs.scan(br#"secret: "Q8vZr2LmX0pV7k""#, true, &mut out); // leakgate:allow (test value)
        assert_eq!(out.len(), 1, "a quoted literal in code");
    }

    #[test]
    fn path_restricted_rules_run_only_on_their_files() {
        let mut kw = spec("kw", "pw:", r"pw:(?P<secret>[A-Za-z0-9]{12})");
        kw.paths = vec![".pgpass".into(), "config/credentials/*.key".into()];
        let mut whole = spec("whole", "unused", r"\A(?P<secret>[0-9a-f]{32})\s*\z");
        whole.keywords.clear();
        whole.paths = vec!["**/config/master.key".into()];
        let plain = spec("plain", "pw:", r"pw:(?P<secret>[A-Za-z0-9]{12})");
        let rs = RuleSet::new(vec![kw, whole, plain], |_| None).unwrap();
        let ids = |path: &str, data: &[u8]| {
            let mut out = Vec::new();
            rs.scan_path(path, data, false, &mut out);
            out.iter().map(|m| m.rule).collect::<Vec<_>>()
        };
        let data = b"pw:Zx81Qp02Lm9T";
        assert_eq!(ids(".pgpass", data), vec![0, 2]);
        assert_eq!(ids("/home/u/.pgpass", data), vec![0, 2]);
        assert_eq!(
            ids("app/config/credentials/production.key", data),
            vec![0, 2]
        );
        assert_eq!(
            ids("config/credentials/a/b.key", data),
            vec![2],
            "* stays in one directory"
        );
        assert_eq!(
            ids("myconfig/credentials/b.key", data),
            vec![2],
            "whole directory names"
        );
        assert_eq!(ids("notes.pgpass", data), vec![2]);
        assert_eq!(ids("x.zip!home/.pgpass", data), vec![0, 2]);
        let key = b"9f3c1a7be2d04c8e5a6b1f0d7c93e2a4\n";
        assert_eq!(ids("config/master.key", key), vec![1]);
        assert_eq!(ids("app/config/master.key", key), vec![1]);
        assert!(ids("master.key", key).is_empty());
        assert!(ids("/srv/app/config/master.key", key) == vec![1]);
        assert!(ids("config/master.key.txt", key).is_empty());
        // without a path (decoded layers) no path-restricted rule runs
        let mut out = Vec::new();
        rs.scan(data, false, &mut out);
        assert_eq!(out.iter().map(|m| m.rule).collect::<Vec<_>>(), vec![2]);
    }

    #[test]
    fn dedupes_overlapping_windows() {
        let rs = RuleSet::new(vec![spec("t", "k", r"(?P<secret>k[0-9]{10})")], |_| None).unwrap();
        let mut out = Vec::new();
        rs.scan(b"k9381726450 k9381726451", false, &mut out);
        assert_eq!(out.len(), 2);
    }
}
