//! Redaction, in one place: the redacted form of a secret, and the masking of every
//! secret-like run in text that is printed (snippets, commit summaries, error messages).
//! Every output goes through these unless the user asked to `--reveal`. Depends only on
//! [`crate::filters`] (entropy).

/// The redacted form of a secret: a short prefix (so the user can tell which key it is)
/// and a fixed mask that does not reveal the length. At most a quarter of the secret, and
/// never more than 6 characters, is shown; secrets under 12 characters show nothing.
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    let show = if n < 12 { 0 } else { (n / 4).min(6) };
    let mut out: String = secret
        .chars()
        .take(show)
        .filter(|c| !c.is_control())
        .collect();
    out.push_str("*****");
    out
}

/// Prefixes of well-known credential formats: a run that starts with one and goes on for
/// at least 10 more characters is masked even when it does not look random.
const KNOWN_PREFIXES: &[&str] = &[
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "rk_test_",
    "whsec_",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxe-",
    "xapp-",
    "AKIA",
    "ASIA",
    "AIza",
    "npm_",
    "pypi-",
    "hf_",
    "sk-",
    "eyJ",
    "dop_v1_",
    "shpat_",
    "SG.",
];

/// Characters of a secret-like run: the base64/base64url alphabet plus `-` and `_`.
fn run_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/' | b'=')
}

/// Whether a piece (a run split at `_ - + / =`) looks random: letters and digits that
/// interleave (`a1b2…`, hex, base62), or mixed-case letters without word-length lowercase
/// stretches.
fn random_piece(p: &[u8]) -> bool {
    if p.len() < 8 {
        return false;
    }
    let (mut digit_groups, mut letter_groups) = (0, 0);
    let (mut upper, mut lower) = (0, 0);
    let (mut lower_run, mut longest_lower) = (0, 0);
    let mut prev: Option<bool> = None; // Some(true) = digit
    for &b in p {
        let is_digit = b.is_ascii_digit();
        if prev != Some(is_digit) {
            if is_digit {
                digit_groups += 1;
            } else {
                letter_groups += 1;
            }
        }
        prev = Some(is_digit);
        if b.is_ascii_lowercase() {
            lower += 1;
            lower_run += 1;
            longest_lower = longest_lower.max(lower_run);
        } else {
            lower_run = 0;
            if b.is_ascii_uppercase() {
                upper += 1;
            }
        }
    }
    if digit_groups >= 2 && letter_groups >= 2 {
        return true;
    }
    // letters only (or one digit group): random mixed case has short lowercase stretches
    p.len() >= 16 && upper >= 4 && lower >= 4 && longest_lower <= 4
}

/// Whether a run of [`run_byte`] characters looks like a credential.
fn secret_like(run: &[u8]) -> bool {
    if run.len() < 16 {
        return false;
    }
    if KNOWN_PREFIXES
        .iter()
        .any(|p| run.len() >= p.len() + 10 && run.starts_with(p.as_bytes()))
    {
        return true;
    }
    if crate::filters::shannon_entropy(run) < 3.0 {
        return false;
    }
    run.split(|b| matches!(b, b'_' | b'-' | b'+' | b'/' | b'='))
        .any(random_piece)
}

/// Byte ranges of `text` that look like credentials (high-entropy tokens, known prefixes):
/// what a snippet or any other printed text must mask besides the reported secret.
/// Ordinary words, identifiers, paths and short numbers are left alone.
pub fn secret_like_spans(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if !run_byte(text[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < text.len() && run_byte(text[i]) {
            i += 1;
        }
        // leading/trailing punctuation (`--flag`, `==`) belongs to the context
        let mut s = start;
        let mut e = i;
        while s < e && !text[s].is_ascii_alphanumeric() {
            s += 1;
        }
        while e > s && !text[e - 1].is_ascii_alphanumeric() && text[e - 1] != b'=' {
            e -= 1;
        }
        if secret_like(&text[s..e]) {
            out.push((s, e));
        }
    }
    out
}

/// `text` with every secret-like run ([`secret_like_spans`]) replaced by its [`redact`]ed
/// form and control characters shown as spaces: for free text printed next to findings
/// (commit summaries, author names, snippets of sources without an engine match).
pub fn mask_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in secret_like_spans(text.as_bytes()) {
        // spans are ASCII runs, so their ends are character boundaries
        out.push_str(&text[at..s]);
        out.push_str(&redact(&text[s..e]));
        at = e;
    }
    out.push_str(&text[at..]);
    out.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
