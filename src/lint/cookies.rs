//! Session cookies without HttpOnly, Secure or SameSite: express-session and cookie-session
//! options, `res.cookie` / `cookies().set` for session-like names (Express, Next.js, Nest,
//! Fastify), `Set-Cookie` headers in server configs, and Django / Flask session settings.

use std::sync::OnceLock;

use regex::Regex;

use super::util::{contains_ci, re};
use super::{FileCtx, Hit, Meta};
use crate::rules::Severity;

pub const INSECURE_COOKIE: &str = "insecure-session-cookie";

pub const RULES: &[Meta] = &[Meta {
    id: INSECURE_COOKIE,
    name: "Session cookie without HttpOnly, Secure or SameSite",
    description: "A session or auth cookie is set without HttpOnly (readable by any injected script), Secure (sent over plain HTTP) or SameSite (sent on cross-site requests, enabling CSRF).",
    severity: Severity::Medium,
    remediation: "Set `httpOnly: true`, `secure: true` (or `secure: process.env.NODE_ENV === 'production'`) and `sameSite: 'lax'` (or `'strict'`) on session and auth cookies; in Django/Flask set `SESSION_COOKIE_SECURE = True`, `SESSION_COOKIE_HTTPONLY = True`, `SESSION_COOKIE_SAMESITE = 'Lax'`.",
    references: &[
        "https://owasp.org/www-community/controls/SecureCookieAttribute",
        "https://developer.mozilla.org/en-US/docs/Web/HTTP/Cookies#restrict_access_to_cookies",
    ],
    examples: &[
        ("server/app.js", "const session = require('express-session');\napp.use(session({\n  secret: process.env.SESSION_SECRET,\n  resave: false,\n}));\n"),
        ("server/app.js", "import cookieSession from 'cookie-session';\napp.use(cookieSession({ name: 'session', keys: [k], httpOnly: false }));\n"),
        ("app/api/login/route.ts", "cookies().set('session', token, { path: '/' });\n"),
        ("src/auth.controller.ts", "res.cookie('access_token', jwt, { httpOnly: true });\n"),
        ("nginx/site.conf", "add_header Set-Cookie \"sid=$cookie_sid; Path=/\";\n"),
        ("project/settings.py", "SESSION_COOKIE_SECURE = False\n"),
        ("app.py", "app.config['SESSION_COOKIE_HTTPONLY'] = False\n"),
    ],
    negative_examples: &[
        ("server/app.js", "const session = require('express-session');\napp.use(session({\n  secret: process.env.SESSION_SECRET,\n  cookie: { httpOnly: true, secure: true, sameSite: 'lax' },\n}));\n"),
        ("app/api/login/route.ts", "cookies().set('session', token, { httpOnly: true, secure: true, sameSite: 'strict', path: '/' });\n"),
        ("src/prefs.ts", "res.cookie('theme', 'dark');\n"),
        ("src/auth.ts", "res.cookie('token', jwt, cookieOptions);\n"),
        ("nginx/site.conf", "add_header Set-Cookie \"sid=$cookie_sid; Path=/; HttpOnly; Secure; SameSite=Lax\";\n"),
        ("project/settings.py", "SESSION_COOKIE_SECURE = True\nSESSION_COOKIE_SAMESITE = 'Lax'\n"),
    ],
}];

/// Whether a cookie name is a session or auth cookie.
pub fn is_session_name(name: &str) -> bool {
    let words = crate::filters::name_words(name);
    words.iter().any(|w| {
        matches!(
            w.as_str(),
            "session"
                | "sess"
                | "sid"
                | "token"
                | "jwt"
                | "auth"
                | "refresh"
                | "access"
                | "connect"
        )
    })
}

/// The text of a call's argument list starting at `open` (a `(`), up to the matching `)`,
/// bounded to 4 KiB; quotes are skipped roughly.
pub(super) fn call_args(text: &str, open: usize) -> &str {
    let b = text.as_bytes();
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    let limit = (open + 4096).min(b.len());
    let mut i = open;
    while i < limit {
        let c = b[i];
        match quote {
            Some(q) => {
                if c == b'\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                b'\'' | b'"' | b'`' => quote = Some(c),
                b'(' | b'{' | b'[' => depth += 1,
                b')' | b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return &text[open..=i];
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    &text[open..limit]
}

/// Missing protections in a JS options text: (httpOnly, secure, sameSite) are each missing
/// when absent (`default_*` says whether absence is safe) or literally false.
fn missing_js(opts: &str, httponly_default_safe: bool) -> Vec<&'static str> {
    static F: OnceLock<Regex> = OnceLock::new();
    let f = re(
        &F,
        r#"(?i)\b(httpOnly|secure|sameSite)["']?\s*:\s*(false|["']none["']|[^,}\s]+)"#,
    );
    let (mut http, mut sec, mut same) = (None, None, None);
    for c in f.captures_iter(opts) {
        let v = c.get(2).expect("group").as_str().to_ascii_lowercase();
        let ok = v != "false";
        match c
            .get(1)
            .expect("group")
            .as_str()
            .to_ascii_lowercase()
            .as_str()
        {
            "httponly" => http = Some(ok),
            "secure" => sec = Some(ok),
            _ => same = Some(ok && !v.contains("none")),
        }
    }
    let mut m = Vec::new();
    if !http.unwrap_or(httponly_default_safe) {
        m.push("HttpOnly");
    }
    if !sec.unwrap_or(false) {
        m.push("Secure");
    }
    if !same.unwrap_or(false) {
        m.push("SameSite");
    }
    m
}

pub fn check(ctx: &FileCtx, out: &mut Vec<Hit>) {
    let ext = ctx.ext();
    let header_config = matches!(
        ctx.name,
        "_headers" | "vercel.json" | "netlify.toml" | ".htaccess"
    ) || ext == "conf";
    // each branch asks for the text once it knows the file is its kind
    if ctx.is_script() && !ctx.is_test() {
        let Some(text) = ctx.text() else {
            return;
        };
        let b = text.as_bytes();
        if memchr::memmem::find(b, b"ession").is_some()
            && (text.contains("express-session") || text.contains("cookie-session"))
        {
            static S: OnceLock<Regex> = OnceLock::new();
            let s = re(&S, r"\b(session|expressSession|cookieSession)\s*\(\s*\{");
            for m in s.find_iter(text) {
                if super::util::in_comment(text, m.start()) {
                    continue;
                }
                let open = m.start() + text[m.start()..].find('(').unwrap_or(0);
                let args = call_args(text, open);
                let cookie_session = m.as_str().starts_with("cookieSession");
                // express-session keeps its flags in `cookie: {…}`
                let opts = if cookie_session {
                    args.to_string()
                } else {
                    match args.find("cookie") {
                        Some(i) => {
                            let rest = &args[i..];
                            match rest.find('{') {
                                Some(j)
                                    if rest[..j]
                                        .trim_start_matches("cookie")
                                        .trim()
                                        .trim_end_matches(':')
                                        .trim()
                                        .is_empty() =>
                                {
                                    call_args(rest, j).to_string()
                                }
                                _ => String::new(),
                            }
                        }
                        None => String::new(),
                    }
                };
                let missing = missing_js(&opts, true);
                if !missing.is_empty() {
                    out.push(Hit::new(
                        INSECURE_COOKIE,
                        m.start(),
                        m.start() + m.as_str().trim_end_matches(['(', '{', ' ']).len(),
                        format!("session cookie is set without {}", missing.join(", ")),
                    ));
                }
            }
        }
        if memchr::memmem::find(b, b"ookie").is_some() {
            static C: OnceLock<Regex> = OnceLock::new();
            let c = re(
                &C,
                r#"(?:\b(?:res|response|ctx|reply|resp)\.(?:cookie|setCookie)|\bcookies\(\)\.set|\.cookies\.set)\s*\(\s*(["'`])([A-Za-z0-9_.\-]{1,64})["'`]"#,
            );
            for cap in c.captures_iter(text) {
                let m = cap.get(0).expect("match");
                if super::util::in_comment(text, m.start()) {
                    continue;
                }
                let name = cap.get(2).expect("group").as_str();
                if !is_session_name(name) {
                    continue;
                }
                let open = m.start() + m.as_str().rfind('(').unwrap_or(0);
                let args = call_args(text, open);
                // options: a literal object after the value; a variable is not checked
                let opts = match args.rfind('{') {
                    Some(i) => &args[i..],
                    None => {
                        let commas = args.matches(',').count();
                        if commas >= 2 {
                            continue; // options passed as a variable
                        }
                        ""
                    }
                };
                let missing = missing_js(opts, false);
                if !missing.is_empty() {
                    let n = cap.get(2).expect("group");
                    out.push(Hit::new(
                        INSECURE_COOKIE,
                        m.start(),
                        n.end() + 1,
                        format!("cookie `{name}` is set without {}", missing.join(", ")),
                    ));
                }
            }
        }
    }
    if header_config {
        let Some(text) = ctx.text() else {
            return;
        };
        if contains_ci(text, "set-cookie") {
            static H: OnceLock<Regex> = OnceLock::new();
            let h = re(
                &H,
                r#"(?i)set-cookie["']?[\s:=,]*(?:["']?value["']?\s*[:=]\s*)?["']?([^"'\r\n]+)"#,
            );
            for c in h.captures_iter(text) {
                let v = c.get(1).expect("group").as_str();
                let name = v.split('=').next().unwrap_or("").trim();
                if !v.contains('=') || !is_session_name(name) {
                    continue;
                }
                let l = v.to_ascii_lowercase();
                let missing: Vec<&str> = [
                    ("httponly", "HttpOnly"),
                    ("secure", "Secure"),
                    ("samesite", "SameSite"),
                ]
                .into_iter()
                .filter(|(k, _)| !l.contains(k))
                .map(|(_, n)| n)
                .collect();
                if !missing.is_empty() {
                    let m = c.get(0).expect("match");
                    out.push(Hit::new(
                        INSECURE_COOKIE,
                        m.start(),
                        m.start() + "set-cookie".len(),
                        format!("Set-Cookie `{name}` lacks {}", missing.join(", ")),
                    ));
                }
            }
        }
    }
    if ext == "py" {
        let Some(text) = ctx.text() else {
            return;
        };
        if memchr::memmem::find(text.as_bytes(), b"_COOKIE_").is_some() {
            static P: OnceLock<Regex> = OnceLock::new();
            let p = re(
                &P,
                r#"\b(SESSION_COOKIE_SECURE|SESSION_COOKIE_HTTPONLY|CSRF_COOKIE_SECURE|SESSION_COOKIE_SAMESITE)['"]?\]?\s*[=:]\s*(False|None)\b"#,
            );
            for c in p.captures_iter(text) {
                let k = c.get(1).expect("group");
                let v = c.get(2).expect("group").as_str();
                if (k.as_str() == "SESSION_COOKIE_SAMESITE") != (v == "None") {
                    continue;
                }
                out.push(Hit::new(
                    INSECURE_COOKIE,
                    k.start(),
                    c.get(0).expect("match").end(),
                    format!(
                        "`{} = {v}` turns a session cookie protection off",
                        k.as_str()
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn session_names() {
        for y in [
            "session",
            "sid",
            "access_token",
            "refreshToken",
            "connect.sid",
            "__Host-session",
        ] {
            assert!(super::is_session_name(y), "{y}");
        }
        for n in ["theme", "locale", "consent", "_ga"] {
            assert!(!super::is_session_name(n), "{n}");
        }
    }
}
