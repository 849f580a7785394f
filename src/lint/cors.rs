//! CORS that lets any site make credentialed requests: `Access-Control-Allow-Origin: *`, a
//! reflected request origin, or `origin: true` combined with credentials, in header configs
//! (vercel.json, netlify.toml, `_headers`, nginx, Apache) and server code (express `cors`,
//! fastify, Next.js `headers()`, Django / Flask / FastAPI CORS settings).

use std::sync::OnceLock;

use regex::Regex;

use super::util::{around, re};
use super::{FileCtx, Hit, Meta};
use crate::rules::Severity;

pub const ANY_ORIGIN_CREDENTIALS: &str = "cors-any-origin-with-credentials";

pub const RULES: &[Meta] = &[Meta {
    id: ANY_ORIGIN_CREDENTIALS,
    name: "CORS allows any origin with credentials",
    description: "The server answers cross-origin requests from any site (wildcard, reflected `Origin`, or `origin: true`) and allows credentials, so any web page a logged-in user visits can read their data with their cookies.",
    severity: Severity::High,
    remediation: "List the exact origins that may call the API (`origin: ['https://app.example.com']`, `CORS_ALLOWED_ORIGINS`, an nginx `map` of allowed origins) and enable credentials only for them. Never reflect the request's `Origin` header unchecked.",
    references: &[
        "https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS#credentialed_requests_and_wildcards",
        "https://portswigger.net/web-security/cors",
    ],
    examples: &[
        ("server/app.js", "const cors = require('cors');\napp.use(cors({\n  origin: true,\n  credentials: true,\n}));\n"),
        ("server/api.ts", "res.setHeader('Access-Control-Allow-Origin', req.headers.origin);\nres.setHeader('Access-Control-Allow-Credentials', 'true');\n"),
        ("nginx/site.conf", "location /api {\n  add_header Access-Control-Allow-Origin $http_origin;\n  add_header Access-Control-Allow-Credentials true;\n}\n"),
        ("vercel.json", "{\"headers\": [{\"source\": \"/api/(.*)\", \"headers\": [\n  {\"key\": \"Access-Control-Allow-Origin\", \"value\": \"*\"},\n  {\"key\": \"Access-Control-Allow-Credentials\", \"value\": \"true\"}\n]}]}\n"),
        ("public/_headers", "/api/*\n  Access-Control-Allow-Origin: *\n  Access-Control-Allow-Credentials: true\n"),
        ("backend/settings.py", "CORS_ALLOW_ALL_ORIGINS = True\nDEBUG = False\nCORS_ALLOW_CREDENTIALS = True\n"),
        ("app.py", "from flask_cors import CORS\nCORS(app, supports_credentials=True)\n"),
        ("main.py", "app.add_middleware(CORSMiddleware, allow_origins=[\"*\"], allow_credentials=True)\n"),
        ("next.config.js", "async headers() { return [{ source: '/api/:path*', headers: [\n  { key: 'Access-Control-Allow-Credentials', value: 'true' },\n  { key: 'Access-Control-Allow-Origin', value: '*' },\n] }] }\n"),
    ],
    negative_examples: &[
        ("server/app.js", "app.use(cors({ origin: ['https://app.example.com'], credentials: true }));\n"),
        ("server/app.js", "app.use(cors({ origin: '*' }));\n"),
        ("public/_headers", "/fonts/*\n  Access-Control-Allow-Origin: *\n"),
        ("backend/settings.py", "CORS_ALLOWED_ORIGINS = ['https://app.example.com']\nCORS_ALLOW_CREDENTIALS = True\n"),
        ("app.py", "CORS(app, origins=['https://app.example.com'], supports_credentials=True)\n"),
        ("server/app.js", "const a = cors({ origin: true });\nconst b = fetch(url, { credentials: true });\n"),
        ("test/cors.test.js", "t.assert.equal(res.headers['access-control-allow-origin'], '*')\nconst o = { credentials: true }\n"),
        ("server/app.js", "// app.use(cors({ origin: true, credentials: true }))\n"),
    ],
}];

fn in_scope(ctx: &FileCtx) -> bool {
    matches!(
        ctx.ext(),
        "js" | "mjs"
            | "cjs"
            | "ts"
            | "mts"
            | "cts"
            | "jsx"
            | "tsx"
            | "py"
            | "conf"
            | "rb"
            | "go"
            | "php"
    ) || matches!(
        ctx.name,
        "vercel.json" | "netlify.toml" | "_headers" | ".htaccess" | "serverless.yml" | "nginx.conf"
    )
}

pub fn check(ctx: &FileCtx, out: &mut Vec<Hit>) {
    if !in_scope(ctx) || ctx.is_test() {
        return;
    }
    let Some(text) = ctx.text() else {
        return;
    };
    let b = text.as_bytes();
    let mentions = |n: &[u8]| memchr::memmem::find(b, n).is_some();
    if !(mentions(b"Access-Control-Allow-Origin")
        || mentions(b"access-control-allow-origin")
        || mentions(b"cors")
        || mentions(b"CORS"))
    {
        return;
    }
    static ANY: OnceLock<Regex> = OnceLock::new();
    let any = re(
        &ANY,
        r#"(?x)
        (?i:access-control-allow-origin)["']?[\s:=,]*(?:["']?value["']?\s*[:=]\s*)?
            (?P<hdr>["']?\*["']?(?:[\s;,}]|$)|\$http_origin|%\{HTTP_ORIGIN\}e|%\{req:Origin\}
              |req(?:uest)?\.headers?(?:\.origin|\[\s*["']origin["']\s*\]|\.get\(\s*["']origin["']\s*\))
              |req\.(?:get|header)\(\s*["']origin["']\s*\))
        | \borigin\s*:\s*(?P<opt>true\b|["']\*["']|\(\s*\w*\s*,\s*(?:cb|callback|done)\s*\)\s*=>\s*(?:cb|callback|done)\(\s*null\s*,\s*true\s*\))
        | \b(?P<dj>CORS_ALLOW_ALL_ORIGINS|CORS_ORIGIN_ALLOW_ALL)\s*=\s*True\b
        | \bCORS\(\s*(?P<flask>app\b[^)\n]*)\)
        | \ballow_origins\s*=\s*(?P<star>\[\s*["']\*["']\s*\])
        "#,
    );
    static CRED: OnceLock<Regex> = OnceLock::new();
    let cred = re(
        &CRED,
        r#"(?x)
        (?i:access-control-allow-credentials)["']?[\s:=,]*(?:["']?value["']?\s*[:=]\s*)?["']?true
        | \bcredentials\s*:\s*true\b
        | \bCORS_ALLOW_CREDENTIALS\s*=\s*True\b
        | \b(?:supports|allow)_credentials\s*=\s*True\b
        "#,
    );
    let python = ctx.ext() == "py";
    for c in any.captures_iter(text) {
        let m = c.get(0).expect("match");
        if super::util::in_comment(text, m.start()) {
            continue;
        }
        let (what, start, end) = if let Some(f) = c.name("flask") {
            // flask-cors: no `origins=` means `*`, and with credentials it reflects the origin
            let args = f.as_str();
            if args.contains("origins")
                && !args.contains("origins=\"*\"")
                && !args.contains("origins='*'")
            {
                continue;
            }
            if !args.contains("supports_credentials=True") {
                continue;
            }
            ("flask-cors without an origin list", m.start(), m.end())
        } else if let Some(g) = c.name("hdr").or(c.name("opt")).or(c.name("star")) {
            let v = g
                .as_str()
                .trim_end_matches([';', ',', '}', ' ', '\t', '\n', '\r']);
            let what = if v.contains('*') {
                "a wildcard origin"
            } else if v == "true" || v.contains("=>") {
                "every origin (`origin: true`)"
            } else {
                "the reflected request origin"
            };
            (what, m.start(), g.start() + v.len())
        } else {
            ("every origin", m.start(), m.end())
        };
        // where the credentials setting must be: the whole settings module (Django), the same
        // options object (`cors({ origin: true, credentials: true })`), or nearby header lines
        let (ws, we) = if python {
            (0, text.len())
        } else if c.name("opt").is_some() {
            match enclosing_object(text, m.start()) {
                Some(r) => r,
                None => continue,
            }
        } else {
            around(text, m.start(), 6, 6)
        };
        let window = &text[ws..we];
        let Some(cm) = cred.find(window) else {
            continue;
        };
        if c.name("flask").is_none() && cm.start() + ws == m.start() {
            continue;
        }
        let cline = text[..ws + cm.start()].matches('\n').count() + 1;
        out.push(Hit::new(
            ANY_ORIGIN_CREDENTIALS,
            start,
            end,
            format!("CORS allows {what} together with credentials (line {cline})"),
        ));
    }
}

/// Byte range of the `{…}` object literal around `at` (searching at most 4 KiB back).
fn enclosing_object(text: &str, at: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let lo = at.saturating_sub(4096);
    let mut i = at;
    while i > lo {
        i -= 1;
        match b[i] {
            b'}' => depth += 1,
            b'{' if depth == 0 => {
                let obj = super::cookies::call_args(text, i);
                return Some((i, i + obj.len()));
            }
            b'{' => depth -= 1,
            _ => {}
        }
    }
    None
}
