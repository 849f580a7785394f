//! Connection-string validators (`--validate-connections` only): log in to the database a
//! URL names and leave at once, changing nothing.
//!
//! PostgreSQL (`code: postgres`): TCP connect, StartupMessage (protocol 3.0), then
//! SCRAM-SHA-256 (RFC 5802 / RFC 7677, the PostgreSQL default since 14, server signature
//! verified), then Terminate. `AuthenticationOk` is `valid`; SQLSTATE 28P01
//! (invalid_password) is `invalid`. Passwords are never sent in clear: a server asking for
//! a cleartext password (or MD5, or TLS, which this client does not speak) gets `unknown`.
//! See <https://www.postgresql.org/docs/current/protocol-flow.html> and
//! <https://www.postgresql.org/docs/current/sasl-authentication.html>.
//!
//! Before any connection every address the host resolves to is checked: private, loopback,
//! link-local, CGNAT, multicast, documentation and other special-purpose addresses are
//! refused unless `--allow-internal-hosts`, and the connection goes to an address that was
//! checked (no second lookup).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use base64::Engine;
use sha2::{Digest, Sha256};

use super::aws::hmac_sha256;
use super::{Context, Outcome, ValidateSpec, Validator};

const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// Most PBKDF2 iterations accepted from a server (PostgreSQL's default is 4096).
const MAX_ITERATIONS: u32 = 100_000;
/// Largest protocol message read.
const MAX_MESSAGE: usize = 64 * 1024;

/// Whether an address is one `--allow-internal-hosts` is needed for: anything but a global
/// unicast address.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return internal_v4(v4);
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (s[0] & 0xffc0) == 0xfec0 // site-local fec0::/10
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x64 && s[1] == 0xff9b) // NAT64: an IPv4 address inside
                || (s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] == 0 && s[4] == 0 && s[5] == 0)
            // IPv4-compatible
        }
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // CGNAT 100.64/10
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking 198.18/15
        || o[0] >= 240 // reserved
}

/// Resolve `host:port` and pick an address to connect to, or say why not.
pub fn resolve_checked(host: &str, port: u16, allow_internal: bool) -> Result<SocketAddr, String> {
    let addrs: Vec<SocketAddr> = match (host, port).to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(_) => return Err("DNS lookup failed".into()),
    };
    let Some(first) = addrs.first().copied() else {
        return Err("DNS lookup failed".into());
    };
    if !allow_internal {
        if let Some(a) = addrs.iter().find(|a| is_internal(a.ip())) {
            return Err(format!(
                "internal address {} not contacted without --allow-internal-hosts",
                a.ip()
            ));
        }
    }
    Ok(first)
}

/// The parts of a `postgres://user:password@host[:port]/db` URL a login needs.
#[derive(Debug, PartialEq, Eq)]
pub struct PgUrl {
    pub user: String,
    pub password: String,
    pub host: String,
    pub port: u16,
    pub database: String,
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Parse a PostgreSQL URL; `None` for what this client cannot reach (several hosts, a Unix
/// socket, no password).
pub fn parse_pg_url(url: &str) -> Option<PgUrl> {
    let (_, rest) = url.split_once("://")?;
    // a password may hold `@`, `?` and `#` (not `/`): the host follows the last `@` before
    // the first `/`
    let slash = rest.find('/').unwrap_or(rest.len());
    let at = rest[..slash].rfind('@')?;
    let userinfo = &rest[..at];
    let after = &rest[at + 1..];
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (hostport, tail) = after.split_at(end);
    let (user, password) = userinfo.split_once(':')?;
    if hostport.is_empty() || hostport.contains(',') {
        return None;
    }
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let close = v6.find(']')?;
        let port = v6[close + 1..].strip_prefix(':');
        (&v6[..close], port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    let port = match port {
        Some(p) => p.parse().ok().filter(|p| *p != 0)?,
        None => 5432,
    };
    let path = tail.strip_prefix('/').unwrap_or("");
    let db = path.split(['?', '#']).next().unwrap_or("");
    // `?host=/cloudsql/...` and friends point elsewhere
    let query = tail.split_once('?').map_or("", |(_, q)| q);
    if query
        .split('&')
        .any(|kv| kv.starts_with("host=") || kv.starts_with("hostaddr="))
    {
        return None;
    }
    let user = percent_decode(user)?;
    let password = percent_decode(password)?;
    if user.is_empty() || password.is_empty() || host.is_empty() {
        return None;
    }
    let database = match percent_decode(db)? {
        d if d.is_empty() => user.clone(),
        d => d,
    };
    Some(PgUrl {
        user,
        password,
        host: host.to_string(),
        port,
        database,
    })
}

/// PBKDF2-HMAC-SHA256 with one 32-byte block (RFC 8018), SCRAM's `Hi()`.
pub fn pbkdf2_sha256(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut s = salt.to_vec();
    s.extend_from_slice(&1u32.to_be_bytes());
    let mut u = hmac_sha256(password, &s);
    let mut out = u;
    for _ in 1..iterations {
        u = hmac_sha256(password, &u);
        for (o, x) in out.iter_mut().zip(u) {
            *o ^= x;
        }
    }
    out
}

/// The client side of SCRAM-SHA-256 after the server-first message.
pub struct ScramFinal {
    /// `c=biws,r=…,p=…`
    pub client_final: String,
    /// The `v=` the server must answer with (base64).
    pub server_signature: String,
}

/// Compute the client-final message from the password, the client-first-bare message and
/// the server-first message; `Err` with a reason for a server-first that is not acceptable.
pub fn scram_final(
    password: &str,
    client_first_bare: &str,
    client_nonce: &str,
    server_first: &str,
) -> Result<ScramFinal, String> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut nonce = None;
    let mut salt = None;
    let mut iter = None;
    for part in server_first.split(',') {
        match part.split_at_checked(2) {
            Some(("r=", v)) => nonce = Some(v),
            Some(("s=", v)) => salt = b64.decode(v).ok(),
            Some(("i=", v)) => iter = v.parse::<u32>().ok(),
            _ => {}
        }
    }
    let (Some(nonce), Some(salt), Some(iter)) = (nonce, salt, iter) else {
        return Err("malformed SCRAM server message".into());
    };
    if !nonce.starts_with(client_nonce) || nonce.len() == client_nonce.len() {
        return Err("SCRAM nonce mismatch".into());
    }
    if iter == 0 || iter > MAX_ITERATIONS {
        return Err(format!("SCRAM iteration count {iter} refused"));
    }
    let salted = pbkdf2_sha256(password.as_bytes(), &salt, iter);
    let client_key = hmac_sha256(&salted, b"Client Key");
    let stored_key: [u8; 32] = Sha256::digest(client_key).into();
    let without_proof = format!("c=biws,r={nonce}");
    let auth_message = format!("{client_first_bare},{server_first},{without_proof}");
    let client_sig = hmac_sha256(&stored_key, auth_message.as_bytes());
    let proof: Vec<u8> = client_key
        .iter()
        .zip(client_sig)
        .map(|(a, b)| a ^ b)
        .collect();
    let server_key = hmac_sha256(&salted, b"Server Key");
    let server_sig = hmac_sha256(&server_key, auth_message.as_bytes());
    Ok(ScramFinal {
        client_final: format!("{without_proof},p={}", b64.encode(proof)),
        server_signature: b64.encode(server_sig),
    })
}

/// A client nonce: 18 random bytes, base64.
fn nonce() -> String {
    let mut b = [0u8; 18];
    let filled = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .is_ok();
    if !filled {
        use std::hash::{BuildHasher, Hasher};
        for chunk in b.chunks_mut(8) {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
            let v = h.finish().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// One backend message: type byte and payload.
fn read_msg(s: &mut TcpStream) -> Result<(u8, Vec<u8>), String> {
    let mut head = [0u8; 5];
    s.read_exact(&mut head)
        .map_err(|_| "connection closed or timed out".to_string())?;
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if !(4..=MAX_MESSAGE).contains(&len) {
        return Err("not a PostgreSQL server".into());
    }
    let mut body = vec![0u8; len - 4];
    s.read_exact(&mut body)
        .map_err(|_| "connection closed or timed out".to_string())?;
    Ok((head[0], body))
}

fn frontend(kind: Option<u8>, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(body.len() + 5);
    if let Some(k) = kind {
        m.push(k);
    }
    m.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    m.extend_from_slice(body);
    m
}

/// SQLSTATE (`C`) and message (`M`) of an ErrorResponse.
fn error_fields(body: &[u8]) -> (String, String) {
    let (mut code, mut msg) = (String::new(), String::new());
    for f in body.split(|b| *b == 0) {
        match f.split_first() {
            Some((b'C', v)) => code = String::from_utf8_lossy(v).into_owned(),
            Some((b'M', v)) => msg = String::from_utf8_lossy(v).into_owned(),
            _ => {}
        }
    }
    (code, msg)
}

/// Log in to a PostgreSQL server and leave.
pub fn postgres_login(addr: SocketAddr, url: &PgUrl) -> (Outcome, String) {
    let unknown = |r: String| (Outcome::Unknown, r);
    let Ok(mut s) = TcpStream::connect_timeout(&addr, super::CONNECT_TIMEOUT) else {
        return unknown("connection failed".into());
    };
    let _ = s.set_read_timeout(Some(IO_TIMEOUT));
    let _ = s.set_write_timeout(Some(IO_TIMEOUT));
    let result = pg_exchange(&mut s, url);
    // Terminate, whatever happened
    let _ = s.write_all(&frontend(Some(b'X'), &[]));
    match result {
        Ok(r) => r,
        Err(e) => unknown(e),
    }
}

fn pg_exchange(s: &mut TcpStream, url: &PgUrl) -> Result<(Outcome, String), String> {
    let io = |_| "connection closed or timed out".to_string();
    let mut startup = 196608u32.to_be_bytes().to_vec(); // protocol 3.0
    for (k, v) in [
        ("user", url.user.as_str()),
        ("database", url.database.as_str()),
        ("application_name", "leakgate-validate"),
    ] {
        startup.extend_from_slice(k.as_bytes());
        startup.push(0);
        startup.extend_from_slice(v.as_bytes());
        startup.push(0);
    }
    startup.push(0);
    s.write_all(&frontend(None, &startup)).map_err(io)?;
    let mut scram: Option<(String, String)> = None; // (client-first-bare, nonce)
    let mut expect_sig: Option<String> = None;
    loop {
        let (kind, body) = read_msg(s)?;
        match kind {
            b'E' => {
                let (code, msg) = error_fields(&body);
                return Ok(match code.as_str() {
                    "28P01" => (
                        Outcome::Invalid,
                        "password authentication failed (28P01)".into(),
                    ),
                    "3D000" => (Outcome::Unknown, "database does not exist (3D000)".into()),
                    "" => (Outcome::Unknown, "server error".into()),
                    c if msg.contains("SSL") || msg.contains("encryption") => (
                        Outcome::Unknown,
                        format!("server requires TLS, which this check does not speak ({c})"),
                    ),
                    c => (Outcome::Unknown, format!("server refused the login ({c})")),
                });
            }
            b'R' => {
                if body.len() < 4 {
                    return Err("not a PostgreSQL server".into());
                }
                let code = u32::from_be_bytes([body[0], body[1], body[2], body[3]]);
                let rest = &body[4..];
                match code {
                    0 => {
                        if expect_sig.is_some() {
                            return Err("server skipped the SCRAM final message".into());
                        }
                        let how = if scram.is_some() {
                            "login succeeded (SCRAM-SHA-256)"
                        } else {
                            "login succeeded (the server asked for no password)"
                        };
                        return Ok((Outcome::Valid, how.into()));
                    }
                    3 => {
                        return Ok((
                            Outcome::Unknown,
                            "server asks for a cleartext password: not sent".into(),
                        ))
                    }
                    5 => {
                        return Ok((
                            Outcome::Unknown,
                            "server asks for MD5 authentication: not supported".into(),
                        ))
                    }
                    10 => {
                        let mechs: Vec<&[u8]> =
                            rest.split(|b| *b == 0).filter(|m| !m.is_empty()).collect();
                        if !mechs.contains(&&b"SCRAM-SHA-256"[..]) {
                            return Ok((
                                Outcome::Unknown,
                                "no supported SASL mechanism offered".into(),
                            ));
                        }
                        let n = nonce();
                        let bare = format!("n=,r={n}");
                        let first = format!("n,,{bare}");
                        let mut m = b"SCRAM-SHA-256\0".to_vec();
                        m.extend_from_slice(&(first.len() as u32).to_be_bytes());
                        m.extend_from_slice(first.as_bytes());
                        s.write_all(&frontend(Some(b'p'), &m)).map_err(io)?;
                        scram = Some((bare, n));
                    }
                    11 => {
                        let Some((bare, n)) = &scram else {
                            return Err("unexpected SASL message".into());
                        };
                        let server_first = String::from_utf8_lossy(rest);
                        let f = scram_final(&url.password, bare, n, &server_first)?;
                        s.write_all(&frontend(Some(b'p'), f.client_final.as_bytes()))
                            .map_err(io)?;
                        expect_sig = Some(f.server_signature);
                    }
                    12 => {
                        let Some(want) = expect_sig.take() else {
                            return Err("unexpected SASL message".into());
                        };
                        let got = String::from_utf8_lossy(rest);
                        if got.strip_prefix("v=") != Some(want.as_str()) {
                            return Err(
                                "server signature mismatch (not the server the URL names?)".into(),
                            );
                        }
                    }
                    c => {
                        return Ok((
                            Outcome::Unknown,
                            format!("authentication method {c} not supported"),
                        ))
                    }
                }
            }
            // notices and the like before authentication ends
            b'N' => {}
            _ => return Err("not a PostgreSQL server".into()),
        }
    }
}

/// `code: postgres`: the `url` companion is the connection string holding the secret.
pub struct Postgres;

impl Validator for Postgres {
    fn check(
        &self,
        spec: &ValidateSpec,
        _rule_id: &str,
        secret: &str,
        companions: &BTreeMap<String, String>,
        ctx: &Context,
    ) -> (Outcome, String, Option<String>) {
        let unknown = |r: &str| (Outcome::Unknown, r.to_string(), None);
        let Some(url) = companions.get("url").and_then(|u| parse_pg_url(u)) else {
            return unknown("connection string not usable (no host, several hosts or a socket)");
        };
        if url.password != secret && percent_decode(secret).as_deref() != Some(&url.password) {
            return unknown("connection string not usable");
        }
        let addr = match resolve_checked(&url.host, url.port, ctx.allow_internal) {
            Ok(a) => a,
            Err(r) => return unknown(&r),
        };
        ctx.pace(&spec.provider);
        ctx.requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (status, reason) = postgres_login(addr, &url);
        let identity = (status == Outcome::Valid).then(|| format!("{}@{}", url.user, url.host));
        (status, reason, identity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(is_internal(a.parse().unwrap()), "{a}");
        }
        for a in ["8.8.8.8", "140.82.112.3", "2606:4700:4700::1111"] {
            assert!(!is_internal(a.parse().unwrap()), "{a}");
        }
        let e = resolve_checked("127.0.0.1", 5432, false).unwrap_err();
        assert!(e.contains("--allow-internal-hosts"), "{e}");
        assert!(resolve_checked("127.0.0.1", 5432, true).is_ok());
    }

    #[test]
    fn postgres_urls() {
        let u = parse_pg_url(
            "postgresql+psycopg2://app:p%40ss@db.example.com:6543/orders?sslmode=require",
        )
        .unwrap();
        assert_eq!(
            u,
            PgUrl {
                user: "app".into(),
                password: "p@ss".into(),
                host: "db.example.com".into(),
                port: 6543,
                database: "orders".into()
            }
        );
        let u = parse_pg_url("postgres://u:a@b@[2001:db8::1]/").unwrap();
        assert_eq!(
            (
                u.password.as_str(),
                u.host.as_str(),
                u.port,
                u.database.as_str()
            ),
            ("a@b", "2001:db8::1", 5432, "u")
        );
        // put together here: a password in a URL literal would be a finding of its own
        let url = format!("postgis://gis:{}@gis.example.net/maps", "pa#ss!");
        let u = parse_pg_url(&url).unwrap();
        assert_eq!(
            (u.password.as_str(), u.host.as_str(), u.database.as_str()),
            ("pa#ss!", "gis.example.net", "maps")
        );
        for bad in [
            "postgres://u:p@h1,h2/db",
            "postgres://u:p@/db?host=/cloudsql/x",
            "postgres://u@h/db",
            "postgres://u:p@h:0/db",
            "postgres://u:p@h:x/db",
        ] {
            assert!(parse_pg_url(bad).is_none(), "{bad}");
        }
    }

    /// RFC 7677 section 3's example exchange (user "user", password "pencil").
    #[test]
    fn scram_matches_rfc7677() {
        let f = scram_final(
            "pencil",
            "n=user,r=rOprNGfwEbeRWgbNEkqO",
            "rOprNGfwEbeRWgbNEkqO",
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        )
        .unwrap();
        assert_eq!(
            f.client_final,
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        assert_eq!(
            f.server_signature,
            "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        );
        // a server nonce that does not extend ours, or a huge iteration count, is refused
        assert!(scram_final("p", "n=,r=abc", "abc", "r=xyz1,s=AAAA,i=4096").is_err());
        assert!(scram_final("p", "n=,r=abc", "abc", "r=abc1,s=AAAA,i=100000000").is_err());
    }
}
