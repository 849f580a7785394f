//! The shape of a value: code rather than data (identifiers, member paths, calls, file
//! paths), identifier words, UUIDs.

use super::names::name_words;

/// True for values shaped like code, not data: identifiers, dotted member paths, calls,
/// file paths and type names.
pub fn looks_like_code(value: &str) -> bool {
    let b = value.as_bytes();
    if b.is_empty() {
        return true;
    }
    if value.contains('(') || value.contains("->") || value.contains("::") {
        return true;
    }
    if b[0] == b'/'
        || value.starts_with("./")
        || value.starts_with("../")
        || value.starts_with("~/")
    {
        return true;
    }
    // dotted identifier path like this.config.password or req.body.token
    if value.contains('.')
        && value
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphabetic() || c == b'_'))
    {
        return true;
    }
    // identifiers with no digits: snake_case, kebab-case or camelCase words; random letters
    // switch case far more often than camelCase words do
    if b.iter()
        .all(|c| c.is_ascii_alphabetic() || *c == b'_' || *c == b'-')
    {
        let letters: Vec<bool> = b
            .iter()
            .filter(|c| c.is_ascii_alphabetic())
            .map(u8::is_ascii_uppercase)
            .collect();
        let switches = letters.windows(2).filter(|w| w[0] != w[1]).count();
        return switches * 4 < letters.len();
    }
    false
}

/// True for values made of identifier words: `cellPaddingBlock`, `AuthInternal`,
/// `exports.dataproc_v1`, `DOMTokenListPrototype`. Random strings split into short
/// vowel-less pieces (`HnPdGwKr…`) or mix digits into words (`a8f3k2…`), so they fail.
/// A single word with trailing digits (`Summer2024`) is not an identifier: it is a typical
/// weak password.
pub fn is_identifier_like(value: &str) -> bool {
    // leading sigils and path/namespace separators are common in identifiers and error codes
    let body = value.trim_start_matches(['@', '?', '#', '$', '!', ':']);
    if body.is_empty()
        || !body.bytes().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$' | b'.' | b'-' | b'/' | b'#' | b':')
        })
    {
        return false;
    }
    // long runs of capitals without separators are not CONSTANT_CASE names, they are data
    let mut caps = 0;
    for c in body.bytes() {
        caps = if c.is_ascii_uppercase() { caps + 1 } else { 0 };
        if caps >= 7 {
            return false;
        }
    }
    let words = name_words(body);
    if words.is_empty() {
        return true;
    }
    const VOWELLESS: &[&str] = &[
        "fn", "db", "ctx", "cb", "js", "ts", "px", "rgb", "xml", "html", "src", "dst", "msg",
        "str", "pkg", "cfg", "cmd", "tmp", "sql", "http", "https", "sdk", "jwt", "xhr", "css",
        "dns", "tcp", "tls", "ssl", "wss", "mjs", "cjs", "dts", "svg", "png", "rpc", "grpc", "std",
        "lvl", "nth", "pct", "qty", "cms", "crm", "mfa", "pwd", "nls", "btn", "hdr", "jsx", "tsx",
        "scss", "mdx", "yml", "cdn", "ctrl", "vm", "fs", "rx",
    ];
    let mut letters_total = 0;
    let mut letters_in_words = 0;
    let mut vowels = 0;
    for w in &words {
        let letters = w.trim_end_matches(|c: char| c.is_ascii_digit());
        if letters.is_empty() {
            if w.len() > 4 {
                return false; // long digit runs are data, not names
            }
            continue;
        }
        if letters.len() > 20 || !letters.bytes().all(|c| c.is_ascii_alphabetic()) {
            return false;
        }
        letters_total += letters.len();
        if VOWELLESS.contains(&letters) {
            letters_in_words += letters.len();
        } else if letters.len() >= 3 {
            // real words have vowels and short consonant clusters (`strength` has four);
            // random chunks like `hvqlg` or `rnikkzr` do not
            if !letters.bytes().any(is_vowel)
                || max_consonant_run(letters) > 4
                || (letters.len() >= 5
                    && max_consonant_run(letters) > 3
                    && !letters.ends_with("ngth")
                    && !letters.ends_with("ngths"))
            {
                return false;
            }
            letters_in_words += letters.len();
            vowels += letters.bytes().filter(|c| is_vowel(*c)).count();
        }
        // one- and two-letter pieces (`bg`, `sm`, `v`) are allowed but do not count as words
    }
    // most letters must sit in real-looking words; random mixed case splits into short pieces
    if letters_in_words * 10 < letters_total * 7 {
        return false;
    }
    // English identifiers are mostly 25–40% vowels; random letters average 23%
    if letters_in_words >= 8 && vowels * 5 < letters_in_words {
        return false;
    }
    let has_digit = body.bytes().any(|c| c.is_ascii_digit());
    !has_digit || words.len() >= 2
}

fn is_vowel(c: u8) -> bool {
    b"aeiouy".contains(&c)
}

fn max_consonant_run(letters: &str) -> usize {
    let (mut run, mut max) = (0, 0);
    for c in letters.bytes() {
        if is_vowel(c) {
            run = 0;
        } else {
            run += 1;
            max = max.max(run);
        }
    }
    max
}

/// True for a canonical UUID (8-4-4-4-12 hex).
pub fn is_uuid(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_shapes() {
        assert!(looks_like_code("this.config.password"));
        assert!(looks_like_code("getPassword()"));
        assert!(looks_like_code("password_confirmation"));
        assert!(looks_like_code("/etc/secrets/db"));
        assert!(!looks_like_code("hunter2hunter2"));
        assert!(!looks_like_code("HnPdGwKrCHvqlgNSjQZAYHLD"));
        assert!(looks_like_code("passwordConfirmation"));
        assert!(is_uuid("123e4567-e89b-12d3-a456-426614174000"));
        assert!(is_identifier_like("cellPaddingBlock"));
        assert!(is_identifier_like("DOMTokenListPrototype"));
        assert!(is_identifier_like("exports.dataproc_v1"));
        assert!(is_identifier_like("textFontSizeSM"));
        assert!(is_identifier_like("oauth2Client"));
        assert!(is_identifier_like("?InterpolationInJSX"));
        assert!(is_identifier_like("auth/credential-already-in-use"));
        assert!(is_identifier_like("identitytoolkit#ResetPasswordResponse"));
        assert!(is_identifier_like("@brackets.interpolation"));
        assert!(!is_identifier_like("HnPdGwKrCHvqlgNSjQZAYHLD"));
        assert!(!is_identifier_like("a94a8fe5ccb19ba61c4c0873d391e987"));
        assert!(!is_identifier_like("Summer2024"));
        assert!(!is_identifier_like("a2TTJPYRnikkzrVf79"));
        assert!(is_identifier_like("cellPaddingBlock"));
        assert!(is_identifier_like("headerSortActiveBg"));
        assert!(!is_identifier_like("q8Zr2LmX0pV7"));
    }
}
