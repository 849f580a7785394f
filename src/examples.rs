//! Example templates for rules and test fixtures.
//!
//! Rule examples never contain a well-formed credential literally (that would make this
//! repository itself trip every secret scanner and GitHub push protection). Instead they hold
//! `{{…}}` templates that are expanded with fresh random data each time the examples run:
//!
//! | template | expands to |
//! |---|---|
//! | `{{alnum:N}}` | N of `[A-Za-z0-9]` |
//! | `{{lower:N}}` / `{{upper:N}}` | N of `[a-z0-9]` / `[A-Z0-9]` |
//! | `{{alpha:N}}` | N of `[A-Za-z]` |
//! | `{{hex:N}}` / `{{HEX:N}}` | N lower / upper hex digits |
//! | `{{digits:N}}` | N decimal digits |
//! | `{{base64:N}}` / `{{base64url:N}}` | N of the standard / URL-safe base64 alphabet |
//! | `{{base32:N}}` | N of `[A-Z2-7]` |
//! | `{{chars:SET:N}}` | N characters drawn from the literal set SET |
//! | `{{github:PREFIX}}` | a GitHub-style token `PREFIX_` + 30 base62 + CRC32 checksum |
//! | `{{jwt:k=v,k=v}}` | an HS256 JWT whose payload holds those string claims |
//! | `{{pem:LABEL}}` | a PEM block `-----BEGIN LABEL-----` with a random DER-shaped body |
//!
//! The generator is a small deterministic PRNG so a failing run can be replayed from its seed.

use base64::Engine;

/// SplitMix64: tiny, fast, good enough for test data (not for cryptography).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// A seed from the clock and the process id.
    pub fn from_entropy() -> Rng {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Rng::new(t ^ ((std::process::id() as u64) << 32))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// `n` characters drawn uniformly from `set`.
    pub fn string(&mut self, set: &[u8], n: usize) -> String {
        (0..n).map(|_| set[self.below(set.len())] as char).collect()
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

pub const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX: &[u8] = b"0123456789abcdef";
const HEX_UPPER: &[u8] = b"0123456789ABCDEF";
const DIGITS: &[u8] = b"0123456789";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Encode `n` in base62 (`0-9A-Za-z`), left-padded with `0` to `width`.
pub fn base62(mut n: u64, width: usize) -> String {
    let mut out = Vec::new();
    while n > 0 {
        out.push(BASE62[(n % 62) as usize]);
        n /= 62;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

/// A GitHub/npm-style token: `prefix_` + 30 random base62 + base62(CRC32(random)) (6 chars).
pub fn github_style_token(rng: &mut Rng, prefix: &str) -> String {
    let body = rng.string(ALNUM, 30);
    let crc = crc32fast::hash(body.as_bytes());
    format!("{prefix}_{body}{}", base62(crc as u64, 6))
}

/// An HS256-shaped JWT with the given string claims and a random signature.
pub fn jwt(rng: &mut Rng, claims: &[(&str, &str)]) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let mut payload = serde_json::Map::new();
    for (k, v) in claims {
        let value = match v.parse::<i64>() {
            Ok(n) => serde_json::Value::from(n),
            Err(_) => serde_json::Value::from(*v),
        };
        payload.insert((*k).to_string(), value);
    }
    let payload = b64.encode(serde_json::Value::Object(payload).to_string());
    let sig = b64.encode(rng.bytes(32));
    format!("{header}.{payload}.{sig}")
}

/// A PEM block with a random body shaped like DER (SEQUENCE with a long-form length).
pub fn pem(rng: &mut Rng, label: &str) -> String {
    let body_len = if label.contains("EC") { 118 } else { 600 };
    let mut der = vec![0x30, 0x82, (body_len >> 8) as u8, body_len as u8];
    der.extend(rng.bytes(body_len));
    let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
    let mut out = format!("-----BEGIN {label}-----\n");
    if label.contains("ENCRYPTED") || label == "PGP PRIVATE KEY BLOCK" {
        // encrypted or armored blocks are opaque; the body is still base64
    }
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("ascii"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----"));
    out
}

/// Expand every `{{…}}` template in `text`. Unknown templates are an error so a typo in a
/// rule's example cannot silently turn it into a literal string.
pub fn expand(text: &str, rng: &mut Rng) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        // only `{{name…}}` is a template; `${{ secrets.X }}` and other braces stay literal
        if !after.starts_with(|c: char| c.is_ascii_alphabetic()) {
            out.push_str("{{");
            rest = after;
            continue;
        }
        let end = after
            .find("}}")
            .ok_or_else(|| format!("unclosed template in {text:?}"))?;
        out.push_str(&expand_one(&after[..end], rng)?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `n` characters of `set`, drawn again (up to 64 times) while the draw itself looks like a
/// placeholder: uniform random data sometimes contains `000000`, `dummy` or `12345678`, which
/// every rule drops by design, and a rule example must not fail on such a draw.
fn random_value(rng: &mut Rng, set: &[u8], n: usize) -> String {
    let mut s = rng.string(set, n);
    for _ in 0..64 {
        if crate::filters::placeholder_reason(&s, true).is_none() {
            break;
        }
        s = rng.string(set, n);
    }
    s
}

fn expand_one(t: &str, rng: &mut Rng) -> Result<String, String> {
    let (kind, arg) = t.split_once(':').unwrap_or((t, ""));
    let count = |a: &str| -> Result<usize, String> {
        a.parse::<usize>()
            .map_err(|_| format!("template {{{{{t}}}}} needs a length"))
    };
    let set: Option<&[u8]> = match kind {
        "alnum" => Some(ALNUM),
        "lower" => Some(LOWER),
        "upper" => Some(UPPER),
        "alpha" => Some(ALPHA),
        "hex" => Some(HEX),
        "HEX" => Some(HEX_UPPER),
        "digits" => Some(DIGITS),
        "base64" => Some(B64),
        "base64url" => Some(B64URL),
        "base32" => Some(B32),
        _ => None,
    };
    if let Some(set) = set {
        return Ok(random_value(rng, set, count(arg)?));
    }
    match kind {
        "chars" => {
            let (set, n) = arg
                .rsplit_once(':')
                .ok_or_else(|| format!("template {{{{{t}}}}}: use chars:SET:N"))?;
            if set.is_empty() {
                return Err(format!("template {{{{{t}}}}}: empty set"));
            }
            Ok(random_value(rng, set.as_bytes(), count(n)?))
        }
        "github" => Ok(github_style_token(rng, arg)),
        "jwt" => {
            let claims: Vec<(&str, &str)> = arg
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|kv| kv.split_once('=').unwrap_or((kv, "")))
                .collect();
            Ok(jwt(rng, &claims))
        }
        "pem" => Ok(pem(rng, arg)),
        _ => Err(format!("unknown template {{{{{t}}}}}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base62_checksum_matches_a_published_github_token() {
        // A revoked token's entropy part and its checksum, as published in a public test.
        let crc = crc32fast::hash(b"fIkRGaBu5PeKsznMzXQOg3kETH1Sgx");
        assert_eq!(base62(crc as u64, 6), "2oIfSC");
    }

    #[test]
    fn expands_templates() {
        let mut rng = Rng::new(7);
        let s = expand("key={{hex:8}} id={{upper:4}}", &mut rng).unwrap();
        assert!(s.starts_with("key="));
        assert_eq!(s.len(), "key=".len() + 8 + " id=".len() + 4);
        assert!(expand("{{nope:3}}", &mut rng).is_err());
        assert!(expand("{{hex:8", &mut rng).is_err());
        let tok = expand("{{github:ghp}}", &mut rng).unwrap();
        assert_eq!(tok.len(), 40);
        assert!(tok.starts_with("ghp_"));
        let set = expand("{{chars:ab:10}}", &mut rng).unwrap();
        assert!(set.bytes().all(|b| b == b'a' || b == b'b'));
    }
}
