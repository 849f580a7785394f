//! Google Cloud service-account key files: the finding is the file's `private_key_id`, the
//! companions its `client_email` and `private_key`. The check signs a JWT with the key
//! (RS256, `kid` = the key id) and exchanges it at https://oauth2.googleapis.com/token
//! (the OAuth 2.0 JWT-bearer grant service accounts use, see
//! <https://developers.google.com/identity/protocols/oauth2/service-account#httprest>):
//! Google answers with a short-lived access token (which is dropped unread) if the key is
//! live, `invalid_grant` if it was deleted or disabled. Nothing in the project changes.

use std::collections::BTreeMap;

use base64::Engine;

use super::{base_url, Context, Outcome, ValidateSpec, Validator};

const TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
/// The narrowest Cloud scope: read-only.
const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform.read-only";

/// The DER inside a PEM private key as it appears in a JSON key file (`\n` escaped or
/// not), and whether it is PKCS#8 (`PRIVATE KEY`) rather than PKCS#1 (`RSA PRIVATE KEY`).
pub fn pem_der(pem: &str) -> Option<(Vec<u8>, bool)> {
    let pem = pem.replace("\\n", "\n");
    let (pkcs8, begin, end) = if pem.contains("-----BEGIN PRIVATE KEY-----") {
        (
            true,
            "-----BEGIN PRIVATE KEY-----",
            "-----END PRIVATE KEY-----",
        )
    } else {
        (
            false,
            "-----BEGIN RSA PRIVATE KEY-----",
            "-----END RSA PRIVATE KEY-----",
        )
    };
    let i = pem.find(begin)? + begin.len();
    let j = pem[i..].find(end)? + i;
    let b64: String = pem[i..j].chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    Some((der, pkcs8))
}

/// A signed JWT-bearer assertion for `email` with the key `der`, issued at `now`.
pub fn assertion(
    der: &[u8],
    pkcs8: bool,
    key_id: &str,
    email: &str,
    now: u64,
) -> Result<String, String> {
    use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
    let key = if pkcs8 {
        RsaKeyPair::from_pkcs8(der)
    } else {
        RsaKeyPair::from_der(der)
    }
    .map_err(|_| "private_key is not a usable RSA key".to_string())?;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": key_id});
    let claims = serde_json::json!({
        "iss": email,
        "scope": SCOPE,
        "aud": TOKEN_URI,
        "iat": now,
        "exp": now + 600,
    });
    let signing_input = format!(
        "{}.{}",
        b64.encode(header.to_string()),
        b64.encode(claims.to_string())
    );
    let mut sig = vec![0u8; key.public().modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut sig,
    )
    .map_err(|_| "signing failed".to_string())?;
    Ok(format!("{signing_input}.{}", b64.encode(sig)))
}

/// `code: gcp-service-account`.
pub struct ServiceAccount;

impl Validator for ServiceAccount {
    fn check(
        &self,
        spec: &ValidateSpec,
        rule_id: &str,
        secret: &str,
        companions: &BTreeMap<String, String>,
        ctx: &Context,
    ) -> (Outcome, String, Option<String>) {
        let unknown = |r: &str| (Outcome::Unknown, r.to_string(), None);
        let (Some(email), Some(pem)) = (
            companions.get("client_email"),
            companions.get("private_key"),
        ) else {
            return unknown("no client_email and private_key found near the key id");
        };
        let Some((der, pkcs8)) = pem_der(pem) else {
            return unknown("private_key is not a PEM RSA key");
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let jwt = match assertion(&der, pkcs8, secret, email, now) {
            Ok(j) => j,
            Err(r) => return unknown(&r),
        };
        let base = match base_url(spec, rule_id, &[], ctx) {
            Ok(b) => b,
            Err(r) => return unknown(&r),
        };
        let body = format!(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={jwt}"
        );
        let headers = vec![(
            "Content-Type".to_string(),
            "application/x-www-form-urlencoded".to_string(),
        )];
        let ans = match ctx.send(
            &spec.provider,
            "POST",
            &format!("{base}/token"),
            &headers,
            Some(&body),
        ) {
            Ok(a) => a,
            Err(r) => return unknown(&r),
        };
        let json: Option<serde_json::Value> = serde_json::from_slice(&ans.body).ok();
        let field = |k: &str| {
            json.as_ref()
                .and_then(|j| j.get(k))
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        match ans.status {
            // the access token in the answer is not kept
            200 if !field("access_token").is_empty() => {
                (Outcome::Valid, "HTTP 200".into(), Some(email.clone()))
            }
            400 | 401 if matches!(field("error").as_str(), "invalid_grant" | "invalid_client") => {
                let d = field("error_description");
                let reason = if d.is_empty() {
                    field("error")
                } else {
                    format!("{}: {d}", field("error"))
                };
                (Outcome::Invalid, reason, None)
            }
            s => unknown(&super::unmatched_status(s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_bodies_escaped_or_not() {
        let body = base64::engine::general_purpose::STANDARD.encode([0x30u8, 0x82, 1, 2, 3]);
        let escaped =
            format!("-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----\\n");
        assert_eq!(pem_der(&escaped), Some((vec![0x30, 0x82, 1, 2, 3], true)));
        let plain =
            format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----");
        assert_eq!(pem_der(&plain).map(|(_, p)| p), Some(false));
        assert_eq!(
            pem_der("-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----"),
            None
        );
        // random DER is no key: no signature, no request
        let e = assertion(
            &[0x30, 0x82, 1, 2, 3],
            true,
            "k",
            "a@b.iam.gserviceaccount.com",
            0,
        );
        assert_eq!(e.unwrap_err(), "private_key is not a usable RSA key");
    }
}
