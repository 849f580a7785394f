//! AWS: an access key id (companion `key_id`) and its secret access key, checked with a
//! SigV4-signed `sts:GetCallerIdentity` (POST https://sts.amazonaws.com/,
//! `Action=GetCallerIdentity&Version=2011-06-15`). The call needs no IAM permission, changes
//! nothing and answers with the key's account and ARN; see
//! <https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html> and
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html>.
//!
//! SigV4 and HMAC-SHA256 are written here on top of `sha2` (about 60 lines, tested against
//! RFC 4231 and AWS's SigV4 test-suite examples) rather than pulling in a signing crate.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::{base_url, Context, Outcome, ValidateSpec, Validator};
use crate::finding::hex;

/// HMAC-SHA256 (RFC 2104).
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    const B: usize = 64;
    let mut k = [0u8; B];
    if key.len() > B {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(msg);
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// What one SigV4 signature covers.
pub struct SigV4<'a> {
    pub key_id: &'a str,
    pub secret: &'a str,
    pub region: &'a str,
    pub service: &'a str,
    /// `YYYYMMDDTHHMMSSZ`
    pub amz_date: &'a str,
    pub method: &'a str,
    /// Canonical (already encoded) path.
    pub path: &'a str,
    /// Canonical query string (sorted, encoded).
    pub query: &'a str,
    /// Headers to sign: lower-case names, trimmed values, sorted by name.
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

impl SigV4<'_> {
    /// The hex signature and the `Authorization` header value.
    pub fn sign(&self) -> (String, String) {
        let signed: Vec<&str> = self.headers.iter().map(|(k, _)| *k).collect();
        let signed = signed.join(";");
        let canon_headers: String = self
            .headers
            .iter()
            .map(|(k, v)| format!("{k}:{}\n", v.trim()))
            .collect();
        let canonical = format!(
            "{}\n{}\n{}\n{}\n{}\n{}",
            self.method,
            self.path,
            self.query,
            canon_headers,
            signed,
            hex(&Sha256::digest(self.body))
        );
        let date = &self.amz_date[..8.min(self.amz_date.len())];
        let scope = format!("{date}/{}/{}/aws4_request", self.region, self.service);
        let to_sign = format!(
            "AWS4-HMAC-SHA256\n{}\n{scope}\n{}",
            self.amz_date,
            hex(&Sha256::digest(canonical.as_bytes()))
        );
        let k = hmac_sha256(format!("AWS4{}", self.secret).as_bytes(), date.as_bytes());
        let k = hmac_sha256(&k, self.region.as_bytes());
        let k = hmac_sha256(&k, self.service.as_bytes());
        let k = hmac_sha256(&k, b"aws4_request");
        let sig = hex(&hmac_sha256(&k, to_sign.as_bytes()));
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed}, Signature={sig}",
            self.key_id
        );
        (sig, auth)
    }
}

/// `sts:GetCallerIdentity` with the key pair.
pub struct StsCallerIdentity;

const BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";
const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// The text of the first `<tag>…</tag>` in an XML answer.
fn xml_text<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let i = xml.find(&open)? + open.len();
    let j = xml[i..].find(&format!("</{tag}>"))?;
    Some(xml[i..i + j].trim())
}

impl Validator for StsCallerIdentity {
    fn check(
        &self,
        spec: &ValidateSpec,
        rule_id: &str,
        secret: &str,
        companions: &BTreeMap<String, String>,
        ctx: &Context,
    ) -> (Outcome, String, Option<String>) {
        let unknown = |r: &str| (Outcome::Unknown, r.to_string(), None);
        let Some(key_id) = companions.get("key_id") else {
            return unknown("no AWS access key id (AKIA…) found within a few lines");
        };
        let ok = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_alphanumeric());
        if !ok(key_id, 20)
            || secret.len() != 40
            || secret.bytes().any(|b| !(0x21..=0x7e).contains(&b))
        {
            return unknown("not an AWS access key pair");
        }
        if key_id.starts_with("ASIA") {
            // temporary keys need their session token, which is not paired here
            return unknown("temporary key (ASIA…): needs its session token");
        }
        let base = match base_url(spec, rule_id, &[], ctx) {
            Ok(b) => b,
            Err(r) => return unknown(&r),
        };
        let host = base.split_once("://").map_or("", |(_, h)| h).to_string();
        let amz_date: String = super::now_rfc3339()
            .chars()
            .filter(|c| !matches!(c, '-' | ':'))
            .collect();
        let headers = [
            ("content-type", CONTENT_TYPE),
            ("host", host.as_str()),
            ("x-amz-date", amz_date.as_str()),
        ];
        let (_, auth) = SigV4 {
            key_id,
            secret,
            region: "us-east-1",
            service: "sts",
            amz_date: &amz_date,
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body: BODY.as_bytes(),
        }
        .sign();
        let send_headers = vec![
            ("Content-Type".to_string(), CONTENT_TYPE.to_string()),
            ("X-Amz-Date".to_string(), amz_date.clone()),
            ("Authorization".to_string(), auth),
        ];
        let ans = match ctx.send(
            &spec.provider,
            "POST",
            &format!("{base}/"),
            &send_headers,
            Some(BODY),
        ) {
            Ok(a) => a,
            Err(r) => return unknown(&r),
        };
        let body = String::from_utf8_lossy(&ans.body);
        match ans.status {
            200 => match xml_text(&body, "Arn") {
                Some(arn) => (
                    Outcome::Valid,
                    "HTTP 200".into(),
                    Some(arn.to_string()).filter(|a| !a.is_empty()),
                ),
                None => unknown("HTTP 200 without an ARN"),
            },
            400 | 403 => {
                let code = xml_text(&body, "Code").unwrap_or("");
                match code {
                    // the key id does not exist (or was deleted), the secret does not belong
                    // to it, or the key is deactivated / expired
                    "InvalidClientTokenId"
                    | "SignatureDoesNotMatch"
                    | "ExpiredToken"
                    | "AccessDenied" => (
                        Outcome::Invalid,
                        format!("HTTP {}: {code}", ans.status),
                        None,
                    ),
                    "" => unknown(&format!("unexpected answer (HTTP {})", ans.status)),
                    c => unknown(&format!("HTTP {}: {c}", ans.status)),
                }
            }
            s => unknown(&super::unmatched_status(s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231() {
        // RFC 4231 test case 2
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // test case 6: a key longer than the block
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    /// AWS's SigV4 test suite (`get-vanilla`, `get-vanilla-query-order-key-case`):
    /// credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, us-east-1,
    /// service `service`, 2015-08-30T12:36:00Z.
    #[test]
    fn sigv4_matches_the_aws_test_suite() {
        let headers = [
            ("host", "example.amazonaws.com"),
            ("x-amz-date", "20150830T123600Z"),
        ];
        let sig = |query: &str| {
            SigV4 {
                key_id: "AKIDEXAMPLE",
                secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                region: "us-east-1",
                service: "service",
                amz_date: "20150830T123600Z",
                method: "GET",
                path: "/",
                query,
                headers: &headers,
                body: b"",
            }
            .sign()
        };
        let (s, auth) = sig("");
        assert_eq!(
            s,
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        assert_eq!(
            auth,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        assert_eq!(
            sig("Param1=value1&Param2=value2").0,
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        );
    }

    /// What is refused before any request (no network needed: nothing is sent).
    #[test]
    fn no_request_without_a_usable_pair() {
        let rules = crate::rules::builtin_rules().unwrap();
        let rule = rules
            .iter()
            .find(|r| r.id == "aws-secret-access-key")
            .unwrap();
        let spec = rule.validate.as_ref().unwrap();
        let ctx = Context::new(Vec::new());
        let secret = "a".repeat(20) + &"B".repeat(20);
        let check = |pairs: &[(&str, &str)]| {
            let c: BTreeMap<String, String> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            StsCallerIdentity.check(spec, &rule.id, &secret, &c, &ctx)
        };
        let (o, r, _) = check(&[]);
        assert_eq!(
            (o, r.as_str()),
            (
                Outcome::Unknown,
                "no AWS access key id (AKIA…) found within a few lines"
            )
        );
        // generated here: a well-formed key id in the source would be a finding of its own
        let temporary =
            crate::examples::expand("ASIA{{upper:16}}", &mut crate::examples::Rng::new(7)).unwrap();
        let (o, r, _) = check(&[("key_id", temporary.as_str())]);
        assert_eq!(
            (o, r.as_str()),
            (
                Outcome::Unknown,
                "temporary key (ASIA…): needs its session token"
            )
        );
        let (o, r, _) = check(&[("key_id", "AKIA-short")]);
        assert_eq!(
            (o, r.as_str()),
            (Outcome::Unknown, "not an AWS access key pair")
        );
        assert_eq!(ctx.requests.load(std::sync::atomic::Ordering::Relaxed), 0);
    }

    #[test]
    fn reads_sts_xml() {
        let x = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>";
        assert_eq!(
            xml_text(x, "Arn"),
            Some("arn:aws:iam::123456789012:user/ci")
        );
        assert_eq!(xml_text(x, "Code"), None);
    }
}
