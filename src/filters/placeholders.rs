//! Placeholders: values that stand in for a secret (`EXAMPLE`, `your-key-here`, template
//! markers, capitalised stand-ins, documentation UUIDs).

use super::entropy::{has_long_run, is_sequential};

/// Why a value is a placeholder rather than a secret, if it is one.
///
/// `strict` adds the signals that are only safe for free-form (generic) values, such as
/// dictionary words; provider-specific tokens use the non-strict checks.
pub fn placeholder_reason(value: &str, strict: bool) -> Option<&'static str> {
    let lower = value.to_ascii_lowercase();
    if lower.contains("example") {
        return Some("contains EXAMPLE");
    }
    if capitalised_stand_in(value) {
        return Some("a capitalised stand-in (VERYLONGSECRET…)");
    }
    if has_long_run(value.as_bytes(), if strict { 5 } else { 6 }, !strict) {
        return Some("repeated character run (xxxx…)");
    }
    if is_sequential(value.as_bytes()) {
        return Some("sequential characters");
    }
    const MARKERS: &[&str] = &[
        "your-",
        "your_",
        "yourkey",
        "yoursecret",
        "yourtoken",
        "placeholder",
        "changeme",
        "change-me",
        "change_me",
        "replace_me",
        "replace-me",
        "replaceme",
        "insert_",
        "insert-",
        "dummy",
        "redacted",
        "…",
        "...",
    ];
    if let Some(_m) = MARKERS.iter().find(|m| lower.contains(*m)) {
        return Some("placeholder text");
    }
    if has_template_marker(value) {
        return Some("placeholder text");
    }
    if strict {
        const WORDS: &[&str] = &[
            "your",
            "sample",
            "fake",
            "mock",
            "test",
            "todo",
            "fixme",
            "secret",
            "password",
            "passwd",
            "token",
            "apikey",
            "api_key",
            "api-key",
            "notreal",
            "not-real",
            "foobar",
            "lorem",
            "xxx",
            "***",
            "qwerty",
            "p@ssw0rd",
            "p@ssword",
            "passw0rd",
            "letmein",
            "abc123",
            "123456",
            "admin",
            "default",
            "invalid",
            "unused",
            "hidden",
            "masked",
            "none",
            "null",
            "undefined",
            "empty",
        ];
        // in a short value any of these words gives it away; in a long random-looking one a
        // four-letter word can occur by chance, so there it must stand as a separate word
        let short = value.len() <= 20;
        if WORDS.iter().any(|w| {
            if short {
                lower.contains(w)
            } else {
                contains_delimited(value, &lower, w)
            }
        }) {
            return Some("placeholder or dictionary word");
        }
    }
    None
}

/// Template and placeholder syntax inside a value: `<your-key>`, `${VAR}`, `{{ var }}`,
/// `%(name)s`, `#{var}`, or a value that opens with `<` or ends with `>`. Each marker must be
/// followed (or preceded) by a name, so that generated secrets drawn from punctuation-heavy
/// alphabets (Django and WordPress keys contain `<`, `>`, `{`, `}`, `%`, `(`, `$`, `#`) are
/// not taken for templates because two such characters happen to be adjacent.
fn has_template_marker(value: &str) -> bool {
    let b = value.as_bytes();
    if b.first() == Some(&b'<') || b.last() == Some(&b'>') {
        return true;
    }
    let name_start = |i: usize| {
        b.get(i)
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'_' | b'.' | b'$'))
    };
    for i in 0..b.len() {
        let next = b.get(i + 1).copied();
        match (b[i], next) {
            // `<your-key>`: a letter, then name characters or blanks, then `>`
            (b'<', Some(c)) if c.is_ascii_alphabetic() => {
                let close = b[i + 1..].iter().take(61).position(|c| {
                    !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b' ' | b'.' | b'|'))
                });
                if close.is_some_and(|k| b[i + 1 + k] == b'>') {
                    return true;
                }
            }
            (b'$' | b'#', Some(b'{')) if name_start(i + 2) => return true,
            (b'%', Some(b'(')) if name_start(i + 2) => return true,
            (b'{', Some(b'{')) => {
                let mut j = i + 2;
                while b.get(j) == Some(&b' ') {
                    j += 1;
                }
                if name_start(j) {
                    return true;
                }
            }
            (b'}', Some(b'}'))
                if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b' ') =>
            {
                return true
            }
            _ => {}
        }
    }
    false
}

/// A value that opens with at least eight capital letters spelling what it stands for
/// (`VERYLONGSECRETeyJ…`, `MYTOKENVALUE`, `CLIENTSECRET123`): documentation writes secrets
/// that way; random strings almost never start with such a word.
fn capitalised_stand_in(value: &str) -> bool {
    let caps = value
        .bytes()
        .take_while(|b| b.is_ascii_uppercase() || *b == b'_')
        .count();
    if caps < 8 {
        return false;
    }
    let head = &value[..caps];
    [
        "SECRET", "PASSWORD", "TOKEN", "APIKEY", "API_KEY", "PRIVATE",
    ]
    .iter()
    .any(|w| head.contains(w))
}

/// `word` occurs in `s` with a non-alphanumeric character (or the string's edge) on at least
/// one side, as in `my-test-key` or `test_secret_value`.
fn contains_delimited(value: &str, lower: &str, word: &str) -> bool {
    let b = value.as_bytes();
    let camel_start = |i: usize| b[i].is_ascii_uppercase() && b[i - 1].is_ascii_lowercase();
    let camel_end = |j: usize| b[j].is_ascii_uppercase() && b[j - 1].is_ascii_lowercase();
    lower.match_indices(word).any(|(i, m)| {
        let j = i + m.len();
        let before = i == 0 || !b[i - 1].is_ascii_alphanumeric() || camel_start(i);
        let after =
            j == b.len() || !b[j].is_ascii_alphanumeric() || camel_end(j) || b[j].is_ascii_digit();
        before || after
    })
}

/// UUIDs printed in specifications and documentation (RFC 9562 / RFC 4122 examples and
/// namespace ids, the Wikipedia and `uuid` package examples): placeholders, not keys.
pub fn is_documentation_uuid(value: &str) -> bool {
    const DOCS: &[&str] = &[
        "123e4567-e89b-12d3-a456-426614174000",
        "123e4567-e89b-12d3-a456-426655440000",
        "550e8400-e29b-41d4-a716-446655440000",
        "f47ac10b-58cc-4372-a567-0e02b2c3d479",
        "a8098c1a-f86e-11da-bd1a-00112444be1e",
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
        "6ba7b812-9dad-11d1-80b4-00c04fd430c8",
        "6ba7b814-9dad-11d1-80b4-00c04fd430c8",
        "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed",
        "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
    ];
    DOCS.iter().any(|d| d.eq_ignore_ascii_case(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        assert!(placeholder_reason("AKIAIOSFODNN7EXAMPLE", false).is_some());
        assert!(placeholder_reason("sk_live_xxxxxxxxxxxxxxxx", false).is_some());
        assert!(placeholder_reason("your-api-key-here", true).is_some());
        assert!(placeholder_reason("<YOUR_TOKEN>", false).is_some());
        assert!(placeholder_reason("changeme", true).is_some());
        assert!(placeholder_reason("abcdefghijklmnop", false).is_some());
        assert!(placeholder_reason("q8Zr2LmX0pV7nT4sW1yB", true).is_none());
        assert!(placeholder_reason("SomeKindOfPassword123!@#", true).is_some());
        assert!(placeholder_reason("P@ssw0rd", true).is_some());
        assert!(placeholder_reason("Passw0rd!", true).is_some());
        assert!(placeholder_reason("Zq8Zr2LmX0pV7nT4sW1yBtestq8Zr2LmX0", true).is_none());
    }

    #[test]
    fn template_markers_need_a_name() {
        for v in [
            "sk-or-v1-<your-key>",
            "<YOUR_TOKEN>",
            "abc${API_KEY}",
            "pre{{ secret }}",
            "x%(password)s",
            "#{db.pass}x",
            "secret>",
            "<%=",
        ] {
            assert!(placeholder_reason(v, false).is_some(), "{v}");
        }
        // generated keys drawn from punctuation-heavy alphabets (Django, WordPress)
        for v in [
            "k7#n%(2z@w2l^m*v+r$e=t)s-x_y&u8b",
            "k#7N(q!Z@w]L^m*v+R{e=T}s-x|Y<2>B8c%d&F~g,h;J",
            "a1${9q!}}2z{{4",
        ] {
            assert!(placeholder_reason(v, false).is_none(), "{v}");
        }
    }

    #[test]
    fn capitalised_stand_ins_are_placeholders() {
        assert!(placeholder_reason("VERYLONGSECRETeyJraWQiOiJrZXktMTU2NDAy", false).is_some());
        assert!(placeholder_reason("MY_API_KEY_1234567", false).is_some());
        // random capitals, and provider ids that start with capitals, are not
        assert!(placeholder_reason("AKIAIQ7RS3LDBVX2TQ4M", false).is_none()); // leakgate:allow (made-up key id)
        assert!(placeholder_reason("JBSWY3DPEHPK3PXPQ8Z", false).is_none());
    }
}
