//! A tiny PostgreSQL server for the connection-validation tests: protocol 3.0 startup,
//! then SCRAM-SHA-256 as the server side of RFC 5802 (the client's proof is checked against
//! the stored key derived from the mock's password), or a cleartext-password request.
//! Every byte a client sends is recorded.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use base64::Engine;
use leakgate::validate::aws::hmac_sha256;
use leakgate::validate::conn::pbkdf2_sha256;
use sha2::{Digest, Sha256};

#[derive(Clone, Copy, PartialEq)]
pub enum Auth {
    /// SCRAM-SHA-256 with this password.
    Scram(&'static str),
    /// Ask for a cleartext password (a client that validates safely never sends it).
    Cleartext,
    /// Refuse the startup with this SQLSTATE (53300 too_many_connections, 57P03 …).
    Error(&'static str),
}

/// Per connection: everything the client sent, and the startup user.
pub type Conns = Arc<Mutex<Vec<(Vec<u8>, String)>>>;

pub struct PgMock {
    pub port: u16,
    /// Per connection: everything the client sent, and the startup user.
    pub conns: Conns,
}

fn msg(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![kind];
    m.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    m.extend_from_slice(body);
    m
}

fn auth(code: u32, rest: &[u8]) -> Vec<u8> {
    let mut b = code.to_be_bytes().to_vec();
    b.extend_from_slice(rest);
    msg(b'R', &b)
}

fn error(code: &str, text: &str) -> Vec<u8> {
    let b = format!("SFATAL\0VFATAL\0C{code}\0M{text}\0\0");
    msg(b'E', b.as_bytes())
}

/// Read one typed message, recording its bytes.
fn read_typed(s: &mut TcpStream, log: &mut Vec<u8>) -> Option<(u8, Vec<u8>)> {
    let mut head = [0u8; 5];
    s.read_exact(&mut head).ok()?;
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    let mut body = vec![0u8; len.checked_sub(4)?];
    s.read_exact(&mut body).ok()?;
    log.extend_from_slice(&head);
    log.extend_from_slice(&body);
    Some((head[0], body))
}

fn serve(s: &mut TcpStream, mode: Auth, log: &mut Vec<u8>, user: &mut String) -> Option<()> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut len = [0u8; 4];
    s.read_exact(&mut len).ok()?;
    let mut body = vec![0u8; (u32::from_be_bytes(len) as usize).checked_sub(4)?];
    s.read_exact(&mut body).ok()?;
    log.extend_from_slice(&len);
    log.extend_from_slice(&body);
    assert_eq!(&body[..4], &196608u32.to_be_bytes(), "protocol 3.0");
    let params: Vec<&[u8]> = body[4..].split(|b| *b == 0).collect();
    if let Some(i) = params.iter().position(|p| *p == b"user") {
        *user = String::from_utf8_lossy(params[i + 1]).into_owned();
    }
    let password = match mode {
        Auth::Error(code) => {
            s.write_all(&error(code, "sorry, too many clients already"))
                .ok()?;
            return Some(());
        }
        Auth::Cleartext => {
            s.write_all(&auth(3, &[])).ok()?;
            // a client may answer with the password; record it, then refuse
            let _ = read_typed(s, log);
            s.write_all(&error("28P01", "password authentication failed"))
                .ok()?;
            let _ = read_typed(s, log);
            return Some(());
        }
        Auth::Scram(p) => p,
    };
    s.write_all(&auth(10, b"SCRAM-SHA-256\0\0")).ok()?;
    let (k, body) = read_typed(s, log)?;
    assert_eq!(k, b'p');
    let mech_end = body.iter().position(|b| *b == 0)?;
    assert_eq!(&body[..mech_end], b"SCRAM-SHA-256");
    let first = String::from_utf8_lossy(&body[mech_end + 5..]).into_owned();
    let bare = first.strip_prefix("n,,")?.to_string();
    let cnonce = bare
        .split(',')
        .find_map(|p| p.strip_prefix("r="))?
        .to_string();
    let salt = b"leakgate-mock-salt";
    let nonce = format!("{cnonce}MockServerNonce");
    let server_first = format!("r={nonce},s={},i=4096", b64.encode(salt));
    s.write_all(&auth(11, server_first.as_bytes())).ok()?;
    let (k, body) = read_typed(s, log)?;
    assert_eq!(k, b'p');
    let fin = String::from_utf8_lossy(&body).into_owned();
    let (without_proof, proof) = fin.rsplit_once(",p=")?;
    assert_eq!(without_proof, format!("c=biws,r={nonce}"));
    let salted = pbkdf2_sha256(password.as_bytes(), salt, 4096);
    let stored: [u8; 32] = Sha256::digest(hmac_sha256(&salted, b"Client Key")).into();
    let auth_message = format!("{bare},{server_first},{without_proof}");
    let sig = hmac_sha256(&stored, auth_message.as_bytes());
    let proof = b64.decode(proof).ok()?;
    let client_key: Vec<u8> = proof.iter().zip(sig).map(|(a, b)| a ^ b).collect();
    if Sha256::digest(&client_key)[..] != stored[..] {
        s.write_all(&error(
            "28P01",
            &format!("password authentication failed for user \"{user}\""),
        ))
        .ok()?;
        return Some(());
    }
    let server_sig = hmac_sha256(
        &hmac_sha256(&salted, b"Server Key"),
        auth_message.as_bytes(),
    );
    s.write_all(&auth(
        12,
        format!("v={}", b64.encode(server_sig)).as_bytes(),
    ))
    .ok()?;
    s.write_all(&auth(0, &[])).ok()?;
    s.write_all(&msg(b'Z', b"I")).ok()?;
    // the client's Terminate
    let _ = read_typed(s, log);
    Some(())
}

impl PgMock {
    pub fn start(mode: Auth) -> PgMock {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let conns: Conns = Arc::default();
        let c2 = conns.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut s) = stream else { continue };
                let (mut log, mut user) = (Vec::new(), String::new());
                let _ = serve(&mut s, mode, &mut log, &mut user);
                c2.lock().unwrap().push((log, user));
            }
        });
        PgMock { port, conns }
    }

    pub fn connections(&self) -> Vec<(Vec<u8>, String)> {
        // a connection is recorded when it ends: give the server thread a moment
        std::thread::sleep(std::time::Duration::from_millis(50));
        self.conns.lock().unwrap().clone()
    }
}
