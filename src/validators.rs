//! Offline validators. Each takes a candidate secret (and, for generic rules, the assignment
//! name) and either drops it with a reason or keeps it, possibly re-graded, with a note that
//! the reports show ("checksum valid", "JWT role=service_role", …). Nothing here uses the
//! network.

use base64::Engine;

use crate::examples::base62;
use crate::filters;
use crate::rules::{Precision, Severity, ValidatorKind};

/// What a validator decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Report it; optional overrides and a note for the report.
    Keep {
        severity: Option<Severity>,
        precision: Option<Precision>,
        note: Option<String>,
    },
    /// Not a secret; the reason is used for debugging output.
    Drop(String),
}

impl Verdict {
    fn keep() -> Verdict {
        Verdict::Keep {
            severity: None,
            precision: None,
            note: None,
        }
    }
    fn note(note: impl Into<String>) -> Verdict {
        Verdict::Keep {
            severity: None,
            precision: None,
            note: Some(note.into()),
        }
    }
    fn drop(reason: impl Into<String>) -> Verdict {
        Verdict::Drop(reason.into())
    }
}

/// What the matcher knows about a candidate besides its value.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The rule's `name` group: an assignment target (generic rules) or a URL's user name.
    pub name: Option<&'a str>,
    /// The value was enclosed in quotes (the rule's optional `q` group matched).
    pub quoted: bool,
    /// The file is source code (JS, TS, Python, …) rather than configuration.
    pub code_file: bool,
    /// The value is directly followed by template syntax (`{{`, `${`, `{`): it is only the
    /// literal prefix of a value assembled at run time.
    pub template_follows: bool,
}

/// Run validator `kind` on `secret`.
pub fn validate(kind: ValidatorKind, secret: &str, ctx: Context<'_>) -> Verdict {
    let name = ctx.name;
    match kind {
        ValidatorKind::GithubChecksum | ValidatorKind::NpmChecksum => checksum_token(secret),
        ValidatorKind::Jwt => jwt(secret, false),
        ValidatorKind::SupabaseJwt => jwt(secret, true),
        ValidatorKind::Pem => pem(secret),
        ValidatorKind::AwsKeyId => aws_key_id(secret),
        ValidatorKind::Stripe => stripe(secret),
        ValidatorKind::UrlPassword => url_password(secret, name),
        ValidatorKind::Generic => generic(secret, ctx),
    }
}

/// `prefix_` + 30 base62 + 6-character base62 CRC32 of those 30 characters, as GitHub
/// and npm document for their token formats.
fn checksum_token(secret: &str) -> Verdict {
    let Some((_, body)) = secret.rsplit_once('_') else {
        return Verdict::drop("no prefix");
    };
    if body.len() != 36 || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Verdict::drop("body is not 36 base62 characters");
    }
    let (entropy, check) = body.split_at(30);
    if base62(crc32fast::hash(entropy.as_bytes()) as u64, 6) == check {
        Verdict::Keep {
            severity: None,
            precision: Some(Precision::VeryHigh),
            note: Some("checksum valid".into()),
        }
    } else {
        Verdict::drop("checksum does not match: not an issued token")
    }
}

fn b64_any(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let t = s.trim();
    URL_SAFE_NO_PAD
        .decode(t)
        .or_else(|_| URL_SAFE.decode(t))
        .or_else(|_| STANDARD.decode(t))
        .or_else(|_| STANDARD_NO_PAD.decode(t))
        .ok()
}

/// Decode a JWT's header and payload. Returns `(header, payload)` JSON values.
pub fn decode_jwt(token: &str) -> Option<(serde_json::Value, serde_json::Value)> {
    let mut parts = token.split('.');
    let h = parts.next()?;
    let p = parts.next()?;
    let header: serde_json::Value = serde_json::from_slice(&b64_any(h)?).ok()?;
    let payload: serde_json::Value = serde_json::from_slice(&b64_any(p)?).ok()?;
    if !header.is_object() || header.get("alg").is_none() || !payload.is_object() {
        return None;
    }
    Some((header, payload))
}

fn jwt(secret: &str, supabase: bool) -> Verdict {
    let Some((_, payload)) = decode_jwt(secret) else {
        return Verdict::drop("not a decodable JWT");
    };
    // the sample token on jwt.io and in countless tutorials
    if payload.get("sub").and_then(|v| v.as_str()) == Some("1234567890")
        || payload.get("name").and_then(|v| v.as_str()) == Some("John Doe")
    {
        return Verdict::drop("the well-known jwt.io sample token");
    }
    // documentation tokens carry stand-in claims: `"sts:identity_context":
    // "EXAMPLEIDENTITYCONTEXT"`, account `111111111111`, `"sub": "AAAAAAAAAAAAAAAAAAAAA…"`
    if let Some((claim, why)) = payload.as_object().and_then(|claims| {
        claims.iter().find_map(|(k, v)| {
            v.as_str()
                .and_then(|s| filters::placeholder_reason(s, false))
                .map(|r| (k, r))
        })
    }) {
        return Verdict::drop(format!(
            "sample token: claim `{claim}` is a placeholder ({why})"
        ));
    }
    let role = payload.get("role").and_then(|r| r.as_str()).unwrap_or("");
    let iss = payload.get("iss").and_then(|r| r.as_str()).unwrap_or("");
    if iss == "supabase-demo" {
        return Verdict::drop("the public demo key of the local Supabase CLI stack");
    }
    let is_supabase = iss.contains("supabase") || payload.get("ref").is_some();
    if role == "anon" && (supabase || is_supabase) {
        return Verdict::drop("Supabase anon key: public by design");
    }
    if supabase || is_supabase {
        if role == "service_role" {
            return Verdict::Keep {
                severity: Some(Severity::Critical),
                precision: Some(Precision::VeryHigh),
                note: Some("JWT role=service_role: bypasses row-level security".into()),
            };
        }
        if supabase {
            // a Supabase-shaped key with an unknown role: keep at the rule's grade
            return Verdict::note(format!(
                "JWT role={}",
                if role.is_empty() { "none" } else { role }
            ));
        }
    }
    let mut parts = Vec::new();
    if !iss.is_empty() {
        parts.push(format!("iss={iss}"));
    }
    if !role.is_empty() {
        parts.push(format!("role={role}"));
    }
    let mut severity = None;
    if let Some(exp) = payload.get("exp").and_then(|e| e.as_i64()) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        if exp < now {
            parts.push("expired".into());
            severity = Some(Severity::Low);
        }
    }
    Verdict::Keep {
        severity,
        precision: None,
        note: Some(if parts.is_empty() {
            "decodable JWT".into()
        } else {
            format!("JWT {}", parts.join(", "))
        }),
    }
}

fn pem(block: &str) -> Verdict {
    let encrypted = block.contains("ENCRYPTED") || block.contains("Proc-Type: 4,ENCRYPTED");
    let openssh = block.contains("OPENSSH PRIVATE KEY");
    let pgp = block.contains("PGP PRIVATE KEY BLOCK");
    // PEM blocks also appear inside JSON strings with `\n` escapes (service-account files).
    let unescaped = block.replace("\\r\\n", "\n").replace("\\n", "\n");
    let body: String = unescaped
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----") && !l.contains(':') && !l.starts_with('='))
        .flat_map(|l| l.chars())
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        .collect();
    if body.len() < 64 {
        return Verdict::drop("PEM body too short to be a key");
    }
    // every body line of a real block is base64 (headers such as `DEK-Info:` aside); prose or
    // code between a BEGIN and an END line (a rule file, docs) is not a key
    let prose = unescaped
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----") && !l.contains(':'))
        .any(|l| {
            !l.bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
        });
    if prose {
        return Verdict::drop("text between BEGIN and END is not a base64 body");
    }
    // DER is full of zero bytes, so runs of `A` are normal here; text placeholders such as
    // `<your key here>` fail the base64-lines check above, leaving only these
    if ["xxxxxxxx", "XXXXXXXX", "EXAMPLE", "REDACTED"]
        .iter()
        .any(|p| body.contains(p))
    {
        return Verdict::drop("PEM body is a placeholder");
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(body.trim_end_matches('='))
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(body.trim_end_matches('='))
        })
        .or_else(|_| base64::engine::general_purpose::STANDARD.decode(&body));
    let Ok(der) = decoded else {
        return Verdict::drop("PEM body is not base64");
    };
    // the body decides what the key is, not the header: an OpenSSH container pasted under
    // `BEGIN RSA PRIVATE KEY`, or a DER key under `BEGIN OPENSSH PRIVATE KEY`, is still a key
    // (reported by the rule of its header, with a note)
    let body_openssh = der.starts_with(b"openssh-key-v1\0");
    if openssh && !body_openssh {
        if der.first() == Some(&0x30) && !pgp {
            return Verdict::Keep {
                severity: None,
                precision: Some(Precision::High),
                note: Some("DER key body under an OPENSSH PRIVATE KEY header".into()),
            };
        }
        return Verdict::drop("not an OpenSSH key container");
    }
    if body_openssh {
        // the smallest real container (an unencrypted Ed25519 key) is about 300 bytes; a few
        // lines of one in documentation are not a key
        if der.len() < 150 {
            return Verdict::drop("truncated OpenSSH key container");
        }
        let mismatch = if openssh {
            ""
        } else {
            " under a PEM header of another key type"
        };
        // cipher name follows the magic as a length-prefixed string
        let enc = der
            .get(15..19)
            .map(|l| u32::from_be_bytes([l[0], l[1], l[2], l[3]]) as usize);
        let cipher = enc.and_then(|n| der.get(19..19 + n)).unwrap_or(b"none");
        if cipher != b"none" {
            return Verdict::Keep {
                severity: Some(Severity::High),
                precision: Some(Precision::VeryHigh),
                note: Some(format!("passphrase-protected OpenSSH key{mismatch}")),
            };
        }
        return Verdict::Keep {
            severity: None,
            precision: Some(Precision::VeryHigh),
            note: Some(format!("unencrypted OpenSSH key{mismatch}")),
        };
    }
    if pgp {
        return Verdict::Keep {
            severity: None,
            precision: Some(Precision::High),
            note: Some("PGP private key block".into()),
        };
    }
    if encrypted {
        // legacy `Proc-Type: 4,ENCRYPTED` bodies are ciphertext, not DER
        return Verdict::Keep {
            severity: Some(Severity::High),
            precision: Some(Precision::VeryHigh),
            note: Some("passphrase-protected key".into()),
        };
    }
    if der.first() != Some(&0x30) {
        return Verdict::drop("PEM body is not DER");
    }
    Verdict::Keep {
        severity: None,
        precision: Some(Precision::VeryHigh),
        note: Some("unencrypted private key".into()),
    }
}

/// AWS access key ids: a four-letter prefix and 16 characters of the base32 alphabet.
fn aws_key_id(secret: &str) -> Verdict {
    if secret.len() != 20 {
        return Verdict::drop("AWS key ids are 20 characters");
    }
    let (prefix, rest) = secret.split_at(4);
    const PREFIXES: &[&str] = &["AKIA", "ASIA", "ABIA", "ACCA", "A3T"];
    if !PREFIXES.iter().any(|p| prefix.starts_with(p)) {
        return Verdict::drop("unknown AWS key id prefix");
    }
    if !rest
        .bytes()
        .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
    {
        return Verdict::drop("not base32: cannot be an AWS key id");
    }
    if prefix == "ASIA" {
        return Verdict::note("temporary (STS) credentials");
    }
    Verdict::keep()
}

fn stripe(secret: &str) -> Verdict {
    if secret.starts_with("pk_") {
        return Verdict::drop("publishable key: public by design");
    }
    if secret.contains("_test_") {
        return Verdict::Keep {
            severity: Some(Severity::Low),
            precision: None,
            note: Some("test-mode key".into()),
        };
    }
    Verdict::note(if secret.starts_with("rk_") {
        "restricted live key"
    } else {
        "live secret key"
    })
}

/// The password of a `scheme://user:password@host` URL.
fn url_password(raw: &str, user: Option<&str>) -> Verdict {
    let decoded = percent_decode(raw);
    let password = decoded.as_str();
    if filters::is_reference(password) {
        return Verdict::drop("password is a reference");
    }
    if let Some(r) = filters::placeholder_reason(password, true) {
        return Verdict::drop(format!("password is a placeholder ({r})"));
    }
    let lower = password.to_ascii_lowercase();
    // an LDAP bind DN `cn=admin,dc=…` names the user in its first RDN
    let same_as_user = |u: &str| {
        let first = u.split(',').next().unwrap_or(u);
        let rdn = first.split_once('=').map_or(first, |(_, v)| v);
        u.eq_ignore_ascii_case(password) || rdn.eq_ignore_ascii_case(password)
    };
    if DEFAULTS.contains(&lower.as_str()) || user.is_some_and(same_as_user) {
        return Verdict::drop("well-known default password");
    }
    // `host:8080?x=a@b` or `host:443#/@me`: a port, then a query or fragment holding an `@`
    let digits = password.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=5).contains(&digits) && matches!(password.as_bytes().get(digits), Some(b'?' | b'#')) {
        return Verdict::drop("a port followed by a query or fragment, not a password");
    }
    if password.len() < 6 {
        return Verdict::drop("password too short to be a credential");
    }
    if base64_of_placeholder(password) {
        return Verdict::drop("base64 of a placeholder password");
    }
    Verdict::keep()
}

/// Default passwords that database images and tutorials use.
const DEFAULTS: &[&str] = &[
    "postgres", "root", "pass", "guest", "mysql", "redis", "mongo", "user", "toor", "rabbitmq",
    "pg", "db", "dev", "local", "docker", "sa", "1234", "12345678",
];

/// A base64-encoded password (FileZilla `<Pass encoding="base64">`, npm `_password`) of a
/// placeholder or default password is a placeholder too.
fn base64_of_placeholder(value: &str) -> bool {
    if !value.len().is_multiple_of(4) || value.len() > 64 {
        return false;
    }
    let plain = base64::engine::general_purpose::STANDARD.decode(value);
    plain
        .ok()
        .and_then(|p| String::from_utf8(p).ok())
        .is_some_and(|plain| {
            plain.bytes().all(|b| b.is_ascii_graphic())
                && (filters::placeholder_reason(&plain, true).is_some()
                    || DEFAULTS.contains(&plain.to_ascii_lowercase().as_str()))
        })
}

/// Decode `%XX` escapes (invalid escapes stay as they are).
fn percent_decode(s: &str) -> String {
    String::from_utf8_lossy(&filters::percent_decode(s)).into_owned()
}

/// `value` with every `$` followed by digits removed (`keyword.$0x` -> `keyword.x`).
fn strip_substitutions(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            while chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                chars.next();
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// `name(…)` or `a.b(…)`: an identifier, `(`, anything, and a closing `)` at the end.
fn is_call_shaped(value: &str) -> bool {
    let Some(open) = value.find('(') else {
        return false;
    };
    let head = &value[..open];
    !head.is_empty()
        && head
            .bytes()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'_' | b'$'))
        && head
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$' | b'.'))
        && value.ends_with(')')
}

/// A Bitnami SealedSecret value as kubeseal writes it: base64 of a 2-byte big-endian length
/// of the RSA-encrypted session key (0x0200 for the default 4096-bit key), that key, then the
/// AES-GCM ciphertext and tag. Only the cluster's controller can decrypt it; it is meant to
/// be committed.
///
/// A match window may cut the value (at least 256 characters are seen), so the test is its
/// length, its alphabet and the 2-byte header: a random base64 value of that length starts
/// with this header about once in 16,000.
fn is_sealed_secret(value: &str) -> bool {
    value.len() >= 256
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        && base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &value[..8])
            .is_ok_and(|d| d[0] == 0x02 && d[1] == 0x00)
}

/// Generic `name = value` secrets: the name must say secret, the value must look random and
/// must not be a placeholder, a reference or code.
fn generic(value: &str, ctx: Context<'_>) -> Verdict {
    if ctx.code_file && !ctx.quoted {
        return Verdict::drop("unquoted value in source code is an expression");
    }
    if value.starts_with('=') {
        return Verdict::drop("comparison, not an assignment");
    }
    if ctx.template_follows {
        return Verdict::drop("prefix of a templated value");
    }
    if value.starts_with("eyJ") && value.matches('.').count() == 2 {
        return Verdict::drop("JWT-shaped: left to the JWT rules, which decode it");
    }
    if let Some(name) = ctx.name {
        if !filters::is_secret_name(name) {
            return Verdict::drop("name does not denote a secret");
        }
    }
    if filters::is_reference(value) {
        return Verdict::drop("value is a reference");
    }
    if let Some(r) = filters::placeholder_reason(value, true) {
        return Verdict::drop(format!("value is a placeholder ({r})"));
    }
    if base64_of_placeholder(value) {
        return Verdict::drop("value is the base64 of a placeholder");
    }
    if value.len() < 8 {
        return Verdict::drop("value too short to be a secret");
    }
    // inside quotes, `(` is part of the string (Django keys are drawn from an alphabet with
    // `(` and `)`); only a call shape (`getPassword(x)`) is code there
    let code = if ctx.quoted && value.contains('(') && !is_call_shaped(value) {
        filters::looks_like_code(&value.replace(['(', ')'], ""))
    } else {
        filters::looks_like_code(value)
    };
    if code {
        return Verdict::drop("value is code, not data");
    }
    // a quoted member path or bracketed name: `Jobs[-1].JobId`, `[claim_signature]`
    let bracketed = value.starts_with(['[', '(', '{']) && value.ends_with([']', ')', '}']);
    if ctx.quoted
        && value.contains(['[', ']', '(', ')', '{', '}'])
        && (bracketed || value.contains('.'))
        && filters::is_identifier_like(&value.replace(['[', ']', '(', ')', '{', '}'], "."))
    {
        return Verdict::drop("value is a member path or a bracketed name");
    }
    // `d===t?a:b`: a comparison (base64 padding only ever ends a value)
    if value.trim_end_matches('=').contains("==") {
        return Verdict::drop("value is a comparison");
    }
    // UUIDs are mostly record ids, but many providers issue UUID keys (Heroku, legacy npm
    // tokens, …): under a name that can only mean a credential they are reported
    if filters::is_uuid(value)
        && (!ctx.name.is_some_and(filters::is_strong_secret_name)
            || filters::is_documentation_uuid(value))
    {
        return Verdict::drop("value is a UUID");
    }
    // an identifier with digits in a config file (`Summer2024`, `sigv4Auth`) is more likely a
    // weak password than a reference; in code, quoted identifiers are enum values and keys
    // a name with `$1`-style substitutions (`"keyword.$0x"`, a Monaco token type) is a
    // template for a name, not data
    if ctx.code_file && value.contains('$') {
        let names = strip_substitutions(value);
        if names != value && filters::is_identifier_like(&names) {
            return Verdict::drop("value is a name with substitutions ($1)");
        }
    }
    let has_digit = value.bytes().any(|b| b.is_ascii_digit());
    if (ctx.code_file || !has_digit) && filters::is_identifier_like(value) {
        return Verdict::drop("value is an identifier");
    }
    if value.starts_with("http://") || value.starts_with("https://") {
        return Verdict::drop("value is a URL");
    }
    let unprefixed = value.trim_start_matches(['^', '~', '>', '<', '=', 'v']);
    if unprefixed.bytes().all(|b| {
        b.is_ascii_digit() || matches!(b, b'.' | b'-' | b':' | b'x' | b'*' | b'T' | b'Z' | b'+')
    }) {
        return Verdict::drop("value is a number, version or date");
    }
    const SCHEMES: &[&str] = &[
        "npm:",
        "workspace:",
        "file:",
        "link:",
        "git+",
        "github:",
        "catalog:",
        "data:",
    ];
    if SCHEMES.iter().any(|p| value.starts_with(p)) {
        return Verdict::drop("value is a package specifier or data URI");
    }
    // string concatenation in code: `"…" + a.value + "…"`; in configuration files a `+` is
    // one more character of a generated password (`pwd = _n0pypzq1T%Bt1-AUAg+`)
    if ctx.code_file && (value.starts_with('+') || value.ends_with('+')) {
        return Verdict::drop("value is a string concatenation");
    }
    if is_sealed_secret(value) {
        return Verdict::drop("value is a SealedSecret ciphertext (kubeseal)");
    }
    let entropy = filters::shannon_entropy(value.as_bytes());
    let classes = filters::char_classes(value);
    // short values cannot reach high entropy: scale the bar with the length (8 chars -> 2.4)
    let bar = (0.8 * (value.len() as f64).log2()).min(3.0);
    let random = (classes >= 2 && entropy >= bar) || (value.len() >= 20 && entropy >= 3.5);
    if !random {
        return Verdict::drop("value does not look random");
    }
    Verdict::keep()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::examples::{github_style_token, jwt as make_jwt, pem as make_pem, Rng};

    fn named(n: &str) -> Context<'_> {
        Context {
            name: Some(n),
            quoted: true,
            ..Context::default()
        }
    }

    fn kept(v: &Verdict) -> bool {
        matches!(v, Verdict::Keep { .. })
    }

    #[test]
    fn github_checksum() {
        let mut rng = Rng::new(1);
        let tok = github_style_token(&mut rng, "ghp");
        assert!(kept(&validate(
            ValidatorKind::GithubChecksum,
            &tok,
            Context::default()
        )));
        let mut bad = tok.clone().into_bytes();
        bad[10] = if bad[10] == b'a' { b'b' } else { b'a' };
        let bad = String::from_utf8(bad).unwrap();
        assert!(!kept(&validate(
            ValidatorKind::GithubChecksum,
            &bad,
            Context::default()
        )));
    }

    #[test]
    fn supabase_roles() {
        let mut rng = Rng::new(2);
        let service = make_jwt(&mut rng, &[("iss", "supabase"), ("role", "service_role")]);
        let anon = make_jwt(&mut rng, &[("iss", "supabase"), ("role", "anon")]);
        match validate(ValidatorKind::SupabaseJwt, &service, Context::default()) {
            Verdict::Keep { severity, .. } => assert_eq!(severity, Some(Severity::Critical)),
            v => panic!("{v:?}"),
        }
        assert!(!kept(&validate(
            ValidatorKind::SupabaseJwt,
            &anon,
            Context::default()
        )));
        assert!(!kept(&validate(
            ValidatorKind::Jwt,
            &anon,
            Context::default()
        )));
        assert!(!kept(&validate(
            ValidatorKind::Jwt,
            "eyJhbGciOiJIUzI1NiJ9.bm90anNvbg.sig",
            Context::default()
        )));
    }

    #[test]
    fn pem_structure() {
        let mut rng = Rng::new(3);
        let block = make_pem(&mut rng, "RSA PRIVATE KEY");
        assert!(kept(&validate(
            ValidatorKind::Pem,
            &block,
            Context::default()
        )));
        let fake = "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----";
        assert!(!kept(&validate(
            ValidatorKind::Pem,
            fake,
            Context::default()
        )));
    }

    #[test]
    fn url_passwords_with_reserved_characters_ports_and_encoded_placeholders() {
        let url = |p: &str, u: &str| {
            kept(&validate(
                ValidatorKind::UrlPassword,
                p,
                Context {
                    name: Some(u),
                    ..Context::default()
                },
            ))
        };
        assert!(url("Zq7r@Lm2#Vx9", "app"));
        assert!(
            !url("8080?email=a", "host.example.com"),
            "a port and a query"
        );
        assert!(!url("443#", "host"));
        assert!(
            !url("admin", "cn=admin,dc=corp"),
            "LDAP DN naming the password"
        );
        assert!(!url("cGFzc3dvcmQ=", "u"), "base64 of `password`");
        assert!(url("Wm1YcDNrUTlyTDJ2", "u"), "base64 of a random password");
    }

    #[test]
    fn pem_body_decides_over_a_mismatched_header() {
        use base64::Engine;
        let b64 = |d: &[u8]| base64::engine::general_purpose::STANDARD.encode(d);
        let block = |label: &str, der: &[u8]| {
            let body = b64(der);
            let lines: Vec<&str> = body
                .as_bytes()
                .chunks(64)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect();
            format!(
                "-----BEGIN {label}-----\n{}\n-----END {label}-----",
                lines.join("\n")
            )
        };
        let mut rng = Rng::new(9);
        let mut ssh = b"openssh-key-v1\0\0\0\0\x04none".to_vec();
        ssh.extend(rng.bytes(280));
        let v = validate(
            ValidatorKind::Pem,
            &block("RSA PRIVATE KEY", &ssh),
            Context::default(),
        );
        assert!(
            matches!(&v, Verdict::Keep { note: Some(n), .. } if n.contains("another key type")),
            "{v:?}"
        );
        // a truncated container is not a key, under any header
        let short = &ssh[..100];
        assert!(!kept(&validate(
            ValidatorKind::Pem,
            &block("RSA PRIVATE KEY", short),
            Context::default()
        )));
        assert!(!kept(&validate(
            ValidatorKind::Pem,
            &block("OPENSSH PRIVATE KEY", short),
            Context::default()
        )));
        let mut der = vec![0x30, 0x82, 0x02, 0x58];
        der.extend(rng.bytes(600));
        assert!(kept(&validate(
            ValidatorKind::Pem,
            &block("OPENSSH PRIVATE KEY", &der),
            Context::default()
        )));
        assert!(!kept(&validate(
            ValidatorKind::Pem,
            &block("OPENSSH PRIVATE KEY", &rng.bytes(300)),
            Context::default()
        )));
    }

    #[test]
    fn aws_and_stripe() {
        // built at run time so the source holds no literal well-formed key id
        let id = format!("AKIA{}", "Q2XBVPLM7UYTR4KD");
        assert!(kept(&validate(
            ValidatorKind::AwsKeyId,
            &id,
            Context::default()
        )));
        assert!(!kept(&validate(
            ValidatorKind::AwsKeyId,
            "AKIA0123456789018901",
            Context::default()
        )));
        assert!(!kept(&validate(
            ValidatorKind::Stripe,
            "pk_live_abc",
            Context::default()
        )));
    }

    #[test]
    fn jwts_with_stand_in_claims_are_samples() {
        use base64::Engine;
        let b64 = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        let token = |payload: &str| {
            format!(
                "{}.{}.{}",
                b64(r#"{"alg":"HS256","typ":"JWT"}"#),
                b64(payload),
                "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
            )
        };
        let sample = token(r#"{"sub":"730448f2-e0a1-70a7-c954-000000000000","iat":1700000000}"#);
        assert!(!kept(&validate(
            ValidatorKind::Jwt,
            &sample,
            Context::default()
        )));
        let sample = token(r#"{"sub":"5d2e81f0","sts:audit_context":"EXAMPLEAUDITCONTEXT"}"#);
        assert!(!kept(&validate(
            ValidatorKind::Jwt,
            &sample,
            Context::default()
        )));
        let real = token(
            r#"{"sub":"730448f2-e0a1-70a7-c954-5d2e81f0a9c3","iss":"https://auth.acme.io","iat":1700000000}"#,
        );
        assert!(kept(&validate(
            ValidatorKind::Jwt,
            &real,
            Context::default()
        )));
    }

    #[test]
    fn names_with_substitutions_in_code_are_not_secrets() {
        let code = Context {
            name: Some("token"),
            quoted: true,
            code_file: true,
            template_follows: false,
        };
        assert!(!kept(&validate(
            ValidatorKind::Generic,
            "keyword.$0x",
            code
        )));
        assert_eq!(strip_substitutions("a.$12b$c"), "a.b$c");
        // in configuration a `$1` is just part of a password
        let config = Context {
            code_file: false,
            ..code
        };
        assert!(kept(&validate(
            ValidatorKind::Generic,
            "Zr8$1vQp2LmX",
            config
        )));
    }

    #[test]
    fn quoted_values_with_parentheses_are_data_unless_call_shaped() {
        let quoted = named("SECRET_KEY");
        // a Django-style key: `(` and `)` come from the generator's alphabet
        assert!(kept(&validate(
            ValidatorKind::Generic,
            "k7#n(q!z@w2l^m*v+r$e=t)s-x_y&u8b%c9d",
            quoted
        )));
        assert!(!kept(&validate(
            ValidatorKind::Generic,
            "getSecretKey(config)",
            quoted
        )));
        assert!(!kept(&validate(
            ValidatorKind::Generic,
            "crypto.randomBytes(32)",
            quoted
        )));
        // unquoted, `(` still reads as code
        let bare = Context {
            quoted: false,
            ..quoted
        };
        assert!(!kept(&validate(
            ValidatorKind::Generic,
            "k7#n(q!z@w2l^m*v+r$e=t)s-x_y&u8b%c9d",
            bare
        )));
        assert!(!kept(&validate(ValidatorKind::Generic, "Zr8$1vQ", quoted)));
        // member paths, bracketed names and comparisons seen in the npm tree
        for v in [
            "Jobs[-1].JobId",
            "StreamDescription.Shards[-1].ShardId",
            "[claim_signature]",
            "d===t?a:b",
        ] {
            assert!(!kept(&validate(ValidatorKind::Generic, v, quoted)), "{v}");
        }
        assert!(kept(&validate(
            ValidatorKind::Generic,
            "Q8vZr2LmX0pV7kT4sW1yBq==",
            quoted
        )));
        // brackets inside a password without a member path are data
        assert!(kept(&validate(
            ValidatorKind::Generic,
            "Hotel7(Mangos)42",
            quoted
        )));
    }

    #[test]
    fn uuids_are_secrets_only_under_strong_names() {
        let uuid = "5f1c9a2e-7b3d-4e8f-9a1b-2c3d4e5f6a7b";
        for n in [
            "_authToken",
            "HEROKU_API_KEY",
            "JWT_PRIVATE_KEY",
            "jenkinsToken",
            "WEBHOOK_SECRET",
            "DB_PASSWORD",
            "apikey",
            "api_key",
            "NPM_TOKEN",
        ] {
            assert!(
                kept(&validate(ValidatorKind::Generic, uuid, named(n))),
                "{n}"
            );
        }
        for n in [
            "token",
            "auth",
            "sessionToken",
            "deviceToken",
            "requestToken",
            "auth",
        ] {
            assert!(
                !kept(&validate(ValidatorKind::Generic, uuid, named(n))),
                "{n}"
            );
        }
        // the documentation UUIDs stay placeholders whatever the name
        assert!(!kept(&validate(
            ValidatorKind::Generic,
            "123e4567-e89b-12d3-a456-426614174000",
            named("auth_token")
        )));
        assert!(!kept(&validate(
            ValidatorKind::Generic,
            "550e8400-e29b-41d4-a716-446655440000",
            named("api_key")
        )));
    }

    #[test]
    fn sealed_secret_ciphertext_is_not_a_password() {
        let mut rng = Rng::new(7);
        let mut raw = vec![0x02, 0x00];
        raw.extend(rng.bytes(512 + 40));
        let sealed = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &raw);
        assert!(is_sealed_secret(&sealed));
        assert!(!kept(&validate(
            ValidatorKind::Generic,
            &sealed,
            named("password")
        )));
        // the same length of random base64 without kubeseal's header is still reported
        raw[0] = 0x7f;
        let other = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &raw);
        assert!(!is_sealed_secret(&other));
        assert!(kept(&validate(
            ValidatorKind::Generic,
            &other,
            named("password")
        )));
    }

    #[test]
    fn the_base64_of_a_placeholder_is_a_placeholder_for_generic_names_too() {
        // `<Pass encoding="base64">` of "password" and "changeme"
        assert!(!kept(&validate(
            ValidatorKind::Generic,
            "cGFzc3dvcmQ=",
            named("Pass")
        )));
        assert!(!kept(&validate(
            ValidatorKind::Generic,
            "Y2hhbmdlbWU=",
            named("Pass")
        )));
        // the base64 of a random password is still reported
        assert!(kept(&validate(
            ValidatorKind::Generic,
            "dDR4UW0hOXpMcDJ3",
            named("Pass")
        )));
    }

    #[test]
    fn a_plus_ends_a_config_password_but_a_code_concatenation() {
        assert!(kept(&validate(
            ValidatorKind::Generic,
            "_n0pypzq1T%Bt1-AUAg+",
            named("pwd")
        )));
        let code = Context {
            code_file: true,
            ..named("pwd")
        };
        assert!(!kept(&validate(ValidatorKind::Generic, "+a.value+", code)));
    }

    #[test]
    fn generic_values() {
        assert!(kept(&validate(
            ValidatorKind::Generic,
            "q8Zr2LmX0pV7",
            named("DB_PASSWORD")
        )));
        assert!(!kept(&validate(
            ValidatorKind::Generic,
            "q8Zr2LmX0pV7",
            named("password_url")
        )));
        assert!(!kept(&validate(
            ValidatorKind::Generic,
            "process.env.DB_PASSWORD",
            named("password")
        )));
        assert!(!kept(&validate(
            ValidatorKind::Generic,
            "your-password-here",
            named("password")
        )));
        assert!(!kept(&validate(
            ValidatorKind::Generic,
            "passwordConfirmation",
            named("password")
        )));
    }
}
