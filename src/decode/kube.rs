//! Kubernetes `Secret` manifests: every value under `data:` is base64 by definition (often
//! short, so the generic base64 decoder's length floor would miss it). Each `key: <base64>`
//! line decodes to `key: <value>`, so the generic rule sees the key name as context
//! (`password: …`). Only files holding `kind: Secret` are looked at.

use std::ops::Range;
use std::sync::LazyLock;

use super::{Decoded, Decoder};

pub struct KubeSecret;

impl Decoder for KubeSecret {
    fn name(&self) -> &'static str {
        "base64"
    }

    fn candidates(&self, data: &[u8], out: &mut Vec<Range<usize>>) {
        static KIND: LazyLock<memchr::memmem::Finder<'static>> =
            LazyLock::new(|| memchr::memmem::Finder::new(b"kind: Secret"));
        if KIND.find(data).is_none() {
            return;
        }
        let mut in_data: Option<usize> = None; // indentation of the `data:` key
        let mut secret = false; // this YAML document is `kind: Secret`
        let first = out.len(); // candidates of this document start here
        let mut doc_start = first;
        let mut at = 0;
        while at <= data.len() {
            let end = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |i| at + i);
            let line = &data[at..end];
            let indent = line.iter().take_while(|&&b| b == b' ').count();
            let body = line[indent..]
                .strip_suffix(b"\r")
                .unwrap_or(&line[indent..]);
            let doc_end = body == b"---" || end == data.len();
            if body.is_empty() || body.starts_with(b"#") {
                // blank lines and comments do not end a block
            } else if in_data.is_some_and(|di| indent > di) {
                if let Some(colon) = memchr::memchr(b':', body) {
                    let value = body[colon + 1..].trim_ascii();
                    if !value.is_empty() && value.iter().all(|&b| is_b64(b)) {
                        out.push(at + indent..at + indent + body.len());
                    }
                }
            } else {
                in_data = (body == b"data:").then_some(indent);
                if indent == 0 && body.trim_ascii_end() == b"kind: Secret" {
                    secret = true;
                }
            }
            if doc_end {
                if !secret {
                    out.truncate(doc_start);
                }
                doc_start = out.len();
                secret = false;
                in_data = None;
            }
            at = end + 1;
        }
    }

    fn decode(&self, run: &[u8]) -> Option<Decoded> {
        let colon = memchr::memchr(b':', run)?;
        let lead = colon
            + 1
            + run[colon + 1..]
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
        let mut value = run[lead..].trim_ascii_end();
        for q in [b'"', b'\''] {
            if value.len() >= 2 && value[0] == q && value[value.len() - 1] == q {
                value = &value[1..value.len() - 1];
            }
        }
        let vstart = lead + (run[lead..].len() - run[lead..].trim_ascii_start().len());
        let vstart = if run.get(vstart).is_some_and(|&b| b == b'"' || b == b'\'') {
            vstart + 1
        } else {
            vstart
        };
        let inner = super::base64::Base64.decode(value)?;
        let mut d = Decoded::with_capacity(colon + 2 + inner.bytes.len());
        for (i, &b) in run[..colon].iter().enumerate() {
            d.push(b, i, i + 1);
        }
        d.push(b':', colon, colon + 1);
        d.push(b' ', colon, colon + 1);
        for (b, (s, e)) in inner.bytes.iter().zip(inner.spans) {
            d.push(*b, vstart + s as usize, vstart + e as usize);
        }
        Some(d)
    }
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'"' | b'\'')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_data_values_of_secret_manifests_only() {
        use ::base64::Engine;
        let b64 = |s: &str| ::base64::engine::general_purpose::STANDARD.encode(s);
        let doc = format!(
            "kind: ConfigMap\ndata:\n  first: {}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  username: {}\n  password: \"{}\"\ntype: Opaque\n---\nkind: ConfigMap\ndata:\n  other: {}\n",
            b64("admin"), b64("admin"), b64("q8vN2kLs0Pz"), b64("admin")
        );
        let doc = doc.as_bytes();
        let mut out = Vec::new();
        KubeSecret.candidates(doc, &mut out);
        let got: Vec<String> = out
            .iter()
            .map(|r| String::from_utf8(KubeSecret.decode(&doc[r.clone()]).unwrap().bytes).unwrap())
            .collect();
        assert_eq!(got, vec!["username: admin", "password: q8vN2kLs0Pz"]);
        let run = &doc[out[1].clone()];
        let d = KubeSecret.decode(run).unwrap();
        // the decoded value maps into the quoted base64 text
        assert_eq!(d.spans["password: ".len()], (11, 15));
        assert_eq!(d.spans.last().unwrap().1 as usize, run.len() - 1);
        let mut none = Vec::new();
        KubeSecret.candidates(b"kind: ConfigMap\ndata:\n  a: YWRtaW4=\n", &mut none);
        assert!(none.is_empty());
    }
}
