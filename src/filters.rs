//! Value filters shared by rules: Shannon entropy, placeholders, references to secrets kept
//! elsewhere (environment, secret stores, templates) and generic-name checks.

/// Shannon entropy in bits per byte.
pub fn shannon_entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let len = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / len;
            -p * p.log2()
        })
        .sum()
}

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

pub use crate::kind::is_sample as is_sample_path;

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

/// True when the value points at a secret stored elsewhere instead of being one.
/// Decode `%XX` escapes; invalid escapes stay as they are.
pub fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

pub fn is_reference(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    const REFS: &[&str] = &[
        "process.env",
        "import.meta.env",
        "os.environ",
        "os.getenv",
        "getenv(",
        "system.getenv",
        "env[",
        "env(",
        "env.",
        "environ[",
        "secrets.",
        "vars.",
        "inputs.",
        "config.",
        "settings.",
        "${",
        "$(",
        "{{",
        "%(",
        "#{",
        "vault:",
        "ssm:",
        "arn:aws:",
        "secretsmanager",
        "keyvault",
        "secret_ref",
        "secretkeyref",
        "valuefrom",
        "@microsoft.keyvault",
    ];
    if REFS.iter().any(|r| lower.contains(r)) {
        return true;
    }
    let b = value.as_bytes();
    // `$NAME`, `%NAME%`, `:name` style references
    if b.first() == Some(&b'$')
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        return true;
    }
    // `{name}`, `{db.password}`: a format-string placeholder (Rust `format!`, Python
    // f-strings and `str.format`, C# interpolation)
    if b.len() > 2
        && b[0] == b'{'
        && b[b.len() - 1] == b'}'
        && (b[1].is_ascii_alphabetic() || b[1] == b'_')
        && b[1..b.len() - 1]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.'))
    {
        return true;
    }
    if b.len() > 2
        && b[0] == b'%'
        && b[b.len() - 1] == b'%'
        && b[1..b.len() - 1]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        return true;
    }
    false
}

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

/// Whether `name` can only denote a credential, so that even a UUID-shaped value under it is
/// one (many providers issue UUID keys): password words, `secret`, `api key`, `private key`,
/// `auth token`, `access token`, or `<service> token` (`NPM_TOKEN`, `jenkinsToken`) unless the
/// service word names an id-like token (`sessionToken`, `deviceToken`). A bare `token` or
/// `auth` stays weak: request, session and correlation ids are UUIDs too.
pub fn is_strong_secret_name(name: &str) -> bool {
    if !is_secret_name(name) {
        return false;
    }
    let words = name_words(name);
    const STRONG: &[&str] = &[
        "password",
        "passwd",
        "pwd",
        "pass",
        "passphrase",
        "secret",
        "secretkey",
        "privatekey",
        "apikey",
        "authtoken",
        "accesstoken",
    ];
    if words
        .iter()
        .any(|w| STRONG.contains(&w.as_str()) || is_concatenated_password_word(w))
    {
        return true;
    }
    const WEAK_TOKENS: &[&str] = &[
        "session",
        "device",
        "push",
        "registration",
        "request",
        "cancel",
        "cancellation",
        "trace",
        "verification",
        "verify",
        "invite",
        "invitation",
        "reset",
        "confirm",
        "confirmation",
        "unsubscribe",
        "share",
        "public",
        "notification",
        "fcm",
        "apns",
        "id",
        "form",
        "upload",
        "download",
        "lock",
        "test",
        "mock",
        "fake",
        "sample",
    ];
    words
        .windows(2)
        .any(|p| match (p[0].as_str(), p[1].as_str()) {
            ("api" | "private" | "secret", "key") => true,
            ("auth" | "access" | "api", "token") => true,
            (w, "token") => {
                !WEAK_TOKENS.contains(&w) && w.len() >= 3 && !w.bytes().all(|c| c.is_ascii_digit())
            }
            _ => false,
        })
}

/// Character classes present: lower, upper, digit, other.
pub fn char_classes(value: &str) -> u32 {
    let b = value.as_bytes();
    let mut n = 0;
    if b.iter().any(u8::is_ascii_lowercase) {
        n += 1;
    }
    if b.iter().any(u8::is_ascii_uppercase) {
        n += 1;
    }
    if b.iter().any(u8::is_ascii_digit) {
        n += 1;
    }
    if b.iter().any(|c| !c.is_ascii_alphanumeric()) {
        n += 1;
    }
    n
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

fn has_long_run(b: &[u8], n: usize, skip_a: bool) -> bool {
    let mut run = 1;
    for w in b.windows(2) {
        // `=` is base64 padding; in base64 tokens `AAAA…` encodes zero bytes (macaroons, DER)
        if w[0] == w[1] && w[0] != b'=' && !(skip_a && w[0] == b'A') {
            run += 1;
            if run >= n {
                return true;
            }
        } else {
            run = 1;
        }
    }
    false
}

/// `abcdefgh`, `12345678`, `0123456789abcdef`: a long ascending run of the alphabet or digits.
fn is_sequential(b: &[u8]) -> bool {
    let mut run = 1;
    for w in b.windows(2) {
        if w[1] == w[0].wrapping_add(1) && w[0].is_ascii_alphanumeric() {
            run += 1;
            if run >= 8 {
                return true;
            }
        } else {
            run = 1;
        }
    }
    false
}

/// Split an identifier into lower-case words on `_`, `-`, `.`, and camelCase boundaries.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = c.is_ascii_uppercase()
            && i > 0
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_digit()
                || (chars[i - 1].is_ascii_uppercase()
                    && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
        if boundary && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Whether an assignment target names a secret: one of its words is a secret word (or
/// `api`+`key`, `private`+`key`, …) and it does not end in a word that names metadata about
/// the secret (its URL, path, id, length, expiry…).
pub fn is_secret_name(name: &str) -> bool {
    let words = name_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    const META: &[&str] = &[
        "url",
        "uri",
        "path",
        "file",
        "filename",
        "dir",
        "name",
        "id",
        "ids",
        "type",
        "length",
        "len",
        "size",
        "header",
        "param",
        "parameter",
        "field",
        "format",
        "endpoint",
        "ttl",
        "expiry",
        "expires",
        "expiration",
        "timeout",
        "count",
        "prefix",
        "version",
        "enabled",
        "required",
        "policy",
        "rotation",
        "hash",
        "hashed",
        "digest",
        "salt",
        "min",
        "max",
        "label",
        "hint",
        "placeholder",
        "regex",
        "pattern",
        "mode",
        "method",
        "provider",
        "location",
        "ref",
        "reference",
        "env",
        "var",
        "arn",
        "index",
        "limit",
        "scope",
        "scopes",
        "status",
        "error",
        "message",
        "msg",
        "text",
        "title",
        "description",
        "input",
        "button",
        "reset",
        "confirm",
        "confirmation",
        "changed",
        "updated",
        "created",
        "at",
        "strength",
        "validator",
        "validation",
        "rules",
        "manager",
        "store",
        "service",
        "client",
        "class",
        "handler",
        "callback",
        "store",
        "storage",
        "cache",
        "usage",
        "secrets",
        "tokens",
        "tokenizer",
        "keys",
        "list",
        "map",
        "set",
        "len",
        "kind",
        "source",
        "flag",
        "bits",
        "scheme",
        "schema",
        "algorithm",
        "alg",
        "strategy",
    ];
    if META.contains(&last.as_str()) {
        return false;
    }
    // opaque pagination/idempotency tokens and anti-forgery tokens are not credentials
    const NOT_CREDENTIALS: &[&str] = &[
        "next",
        "continuation",
        "page",
        "pagination",
        "cursor",
        "sync",
        "marker",
        "csrf",
        "xsrf",
        "idempotency",
        "previous",
        "prev",
        "start",
        "resume",
    ];
    if words.iter().any(|w| NOT_CREDENTIALS.contains(&w.as_str())) {
        return false;
    }
    if words
        .windows(2)
        .any(|p| p[0] == "client" && p[1] == "token")
    {
        return false;
    }
    const SECRET: &[&str] = &[
        "secret",
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "token",
        "apikey",
        "credential",
        "credentials",
        "pass",
        "auth",
        "authtoken",
        "accesstoken",
        "secretkey",
        "privatekey",
    ];
    if words.iter().any(|w| SECRET.contains(&w.as_str())) {
        return true;
    }
    // names written as one lower-case word: `$dbpasswd`, `mysqlpassword`, `rootpwd`, `dbpass`
    if words.iter().any(|w| is_concatenated_password_word(w)) {
        return true;
    }
    words.windows(2).any(|p| {
        p[1] == "key"
            && matches!(
                p[0].as_str(),
                "api"
                    | "private"
                    | "secret"
                    | "access"
                    | "auth"
                    | "signing"
                    | "encryption"
                    | "master"
                    | "client"
                    | "app"
                    | "license"
                    | "service"
                    | "account"
                    | "admin"
                    | "webhook"
                    | "session"
                    | "jwt"
                    | "hmac"
                    | "crypt"
            )
    })
}

/// One word that ends in a password word after a prefix (`dbpasswd`, `adminpassword`,
/// `rootpwd`); `pass` only after a prefix that names what it opens (`dbpass`, not `bypass`,
/// `compass` or `surpass`).
fn is_concatenated_password_word(w: &str) -> bool {
    const SUFFIXES: &[&str] = &["password", "passwd", "pwd", "passphrase"];
    if SUFFIXES
        .iter()
        .any(|s| w.len() > s.len() && w.ends_with(s) && w.as_bytes()[0].is_ascii_alphabetic())
    {
        return true;
    }
    const PASS_PREFIXES: &[&str] = &[
        "db", "root", "user", "admin", "mysql", "pg", "sql", "smtp", "mail", "ftp", "sftp",
        "redis", "ldap", "proxy", "bind", "ssh", "wifi", "vnc", "rdp", "imap", "pop",
    ];
    w.strip_suffix("pass")
        .is_some_and(|p| PASS_PREFIXES.contains(&p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy() {
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"ab") - 1.0).abs() < 1e-9);
        assert!(shannon_entropy(b"q8Zr2LmX0pV7nT4sW1yB") > 4.0);
    }

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
    fn references() {
        assert!(is_reference("process.env.OPENAI_API_KEY"));
        assert!(is_reference("${{ secrets.NPM_TOKEN }}"));
        assert!(is_reference("$DB_PASSWORD"));
        assert!(is_reference("%DB_PASSWORD%"));
        assert!(is_reference("{dbpw}"));
        assert!(is_reference("{db.password}"));
        assert!(!is_reference("{9f8e7d6c5b4a}x"));
        assert!(is_reference("os.environ['X']"));
        assert!(!is_reference("q8Zr2LmX0pV7nT4sW1yB"));
    }

    #[test]
    fn names() {
        assert_eq!(name_words("dbPassword"), vec!["db", "password"]);
        assert_eq!(
            name_words("AWS_SECRET_ACCESS_KEY"),
            vec!["aws", "secret", "access", "key"]
        );
        assert_eq!(name_words("OAuthToken"), vec!["o", "auth", "token"]);
        assert!(is_secret_name("DB_PASSWORD"));
        assert!(is_secret_name("apiKey"));
        assert!(is_secret_name("client_secret"));
        assert!(!is_secret_name("password_reset_url"));
        assert!(!is_secret_name("tokenizer"));
        assert!(!is_secret_name("S3_EXPRESS_AUTH_SCHEME"));
        assert!(!is_secret_name("tokenAlgorithm"));
        assert!(is_secret_name("AUTH_TOKEN"));
        assert!(!is_secret_name("api_key_id"));
        assert!(!is_secret_name("monkey"));
        assert!(!is_secret_name("NextContinuationToken"));
        assert!(!is_secret_name("ClientToken"));
    }

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

    #[test]
    fn sample_paths() {
        for p in [
            "tests/config.py",
            "src/__tests__/api.ts",
            "pkg/url/test.js",
            "app/models/user_test.go",
            "test_settings.py",
            "src/app.test.ts",
            "src/app.spec.js",
            "apis/kms-2014-11-01.examples.json",
            "config/settings.sample.yaml",
            ".env.example",
            "docs/setup.txt",
            "README",
            "guide/Intro.MD",
            "internal/testdata/keys.env",
            "Fixtures/db.yml",
        ] {
            assert!(is_sample_path(p), "{p}");
        }
        for p in [
            ".env",
            "src/config.ts",
            "deploy/values.yaml",
            "latest.js",
            "contest/app.py",
            "src/testing_utils.rs",
            "docs",
            "",
        ] {
            assert!(!is_sample_path(p), "{p}");
        }
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
    fn strong_secret_names() {
        for n in [
            "_authToken",
            "HEROKU_API_KEY",
            "jenkinsToken",
            "x_PRIVATE_KEY",
            "dbpasswd",
        ] {
            assert!(is_strong_secret_name(n), "{n}");
        }
        for n in [
            "token",
            "auth",
            "sessionToken",
            "api_key_id",
            "client_id",
            "request_id",
        ] {
            assert!(!is_strong_secret_name(n), "{n}");
        }
        assert!(is_documentation_uuid(
            "123E4567-E89B-12D3-A456-426614174000"
        ));
        assert!(!is_documentation_uuid(
            "5f1c9a2e-7b3d-4e8f-9a1b-2c3d4e5f6a7b"
        ));
    }

    #[test]
    fn concatenated_password_names() {
        for n in [
            "$dbpasswd",
            "dbpass",
            "mysqlpassword",
            "ROOTPWD",
            "db_pass",
            "SMTP_PWD",
        ] {
            assert!(is_secret_name(n.trim_start_matches('$')), "{n}");
        }
        for n in ["bypass", "compass", "surpass", "passage", "pwd_dir"] {
            assert!(!is_secret_name(n), "{n}");
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
