//! Auth tokens in `localStorage` / `sessionStorage`: every script on the page (an XSS, a
//! compromised dependency, an analytics tag) can read them, unlike an HttpOnly cookie.

use std::sync::OnceLock;

use regex::Regex;

use super::util::re;
use super::{FileCtx, Hit, Meta};
use crate::rules::Severity;

pub const TOKEN_IN_STORAGE: &str = "token-in-web-storage";

pub const RULES: &[Meta] = &[Meta {
    id: TOKEN_IN_STORAGE,
    name: "Auth token stored in localStorage or sessionStorage",
    description: "An access, refresh or ID token (or a session id) is written to web storage, where any script running on the page can read and exfiltrate it.",
    severity: Severity::Medium,
    remediation: "Keep session and refresh tokens in `HttpOnly; Secure; SameSite` cookies set by the server, or hold short-lived access tokens in memory only.",
    references: &[
        "https://cheatsheetseries.owasp.org/cheatsheets/HTML5_Security_Cheat_Sheet.html#local-storage",
    ],
    examples: &[
        ("src/auth.ts", "localStorage.setItem('access_token', data.accessToken);\n"),
        ("src/auth.js", "window.sessionStorage.setItem(\"jwt\", token)\n"),
        ("src/store.tsx", "localStorage.setItem(TOKEN_KEY, res.token);\n"),
        ("src/legacy.js", "localStorage.refreshToken = tokens.refresh;\n"),
        ("src/legacy.js", "localStorage['session'] = JSON.stringify(s);\n"),
    ],
    negative_examples: &[
        ("src/theme.ts", "localStorage.setItem('theme', 'dark');\nconst t = localStorage.getItem('token');\n"),
        ("src/auth.ts", "localStorage.setItem('tokenExpiry', String(exp));\nlocalStorage.removeItem('token');\n"),
        ("server/cache.py", "localStorage.setItem('token', t)\n"),
        ("src/auth.ts", "/**\n * Example:\n *   localStorage.setItem('refresh_token', t)\n */\n// localStorage.setItem('token', t)\n"),
        ("src/auth.test.ts", "localStorage.setItem('token', 'x');\n"),
    ],
}];

/// Whether a storage key names a credential.
pub fn is_token_key(key: &str) -> bool {
    let words = crate::filters::name_words(key);
    let Some(last) = words.last() else {
        return false;
    };
    const META: &[&str] = &[
        "expiry",
        "expires",
        "expiration",
        "expire",
        "exp",
        "ttl",
        "timeout",
        "count",
        "time",
        "timestamp",
        "at",
        "date",
        "type",
        "name",
        "provider",
        "url",
        "redirect",
        "state",
        "key",
        "status",
        "storage",
        "version",
    ];
    let credential = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "token"
                | "tokens"
                | "jwt"
                | "session"
                | "sid"
                | "bearer"
                | "credentials"
                | "accesstoken"
                | "refreshtoken"
                | "idtoken"
                | "authtoken"
        )
    }) || words == ["auth"];
    if !credential {
        return false;
    }
    // `TOKEN_KEY` (a constant naming the key) is the credential's key, not metadata
    if last == "key" && words.len() >= 2 {
        return true;
    }
    !META.contains(&last.as_str())
}

pub fn check(ctx: &FileCtx, out: &mut Vec<Hit>) {
    if !ctx.is_script() || ctx.is_test() {
        return;
    }
    let Some(text) = ctx.text() else {
        return;
    };
    if memchr::memmem::find(text.as_bytes(), b"Storage").is_none() {
        return;
    }
    static R: OnceLock<Regex> = OnceLock::new();
    let r = re(
        &R,
        r#"\b(localStorage|sessionStorage)\s*(?:\.\s*setItem\s*\(\s*(?:["'`](?P<lit>[^"'`\n]{1,80})["'`]|(?P<id>[A-Za-z_$][A-Za-z0-9_$.]{0,60})\s*,)|\[\s*["'](?P<idx>[^"'\n]{1,80})["']\s*\]\s*=[^=]|\.\s*(?P<prop>[A-Za-z_$][A-Za-z0-9_$]{0,60})\s*=[^=])"#,
    );
    for c in r.captures_iter(text) {
        let key = c
            .name("lit")
            .or(c.name("id"))
            .or(c.name("idx"))
            .or(c.name("prop"))
            .expect("one key group");
        let k = key.as_str();
        if matches!(
            k,
            "setItem" | "getItem" | "removeItem" | "clear" | "key" | "length"
        ) {
            continue;
        }
        let k_last = k.rsplit('.').next().unwrap_or(k);
        if !is_token_key(k_last) {
            continue;
        }
        let store = c.get(1).expect("group");
        if super::util::in_comment(text, store.start()) {
            continue;
        }
        out.push(Hit::new(
            TOKEN_IN_STORAGE,
            store.start(),
            key.end(),
            format!(
                "`{k}` is written to {} where any script on the page can read it",
                store.as_str()
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys() {
        for y in [
            "token",
            "access_token",
            "refreshToken",
            "id_token",
            "jwt",
            "authToken",
            "TOKEN_KEY",
            "session",
            "auth",
        ] {
            assert!(super::is_token_key(y), "{y}");
        }
        for n in [
            "theme",
            "tokenExpiry",
            "token_expires_at",
            "sessionCount",
            "lastVisit",
            "authRedirect",
        ] {
            assert!(!super::is_token_key(n), "{n}");
        }
    }
}
