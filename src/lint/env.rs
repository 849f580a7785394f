//! Client-exposed environment variables: a public prefix (`NEXT_PUBLIC_`, `VITE_`, …) makes
//! the bundler inline the value into browser JavaScript, so a name that says "secret" under
//! such a prefix ships that secret to every visitor. Checked in `.env*` files, in code
//! (`process.env.X`, `import.meta.env.X`) and in CI / deploy configuration.

use std::sync::OnceLock;

use regex::Regex;

use super::util::{is_reference, re};
use super::{FileCtx, Hit, Meta};
use crate::rules::Severity;

pub const CLIENT_EXPOSED: &str = "client-exposed-secret-env";

pub const RULES: &[Meta] = &[Meta {
    id: CLIENT_EXPOSED,
    name: "Secret in a client-exposed environment variable",
    description: "An environment variable with a public prefix (NEXT_PUBLIC_, VITE_, REACT_APP_, EXPO_PUBLIC_, NUXT_PUBLIC_, PUBLIC_, GATSBY_, STORYBOOK_) is inlined into the browser bundle at build time, but its name says it holds a secret. Once set, anyone can read it from the shipped JavaScript.",
    severity: Severity::High,
    remediation: "Drop the public prefix and read the value only in server code (API routes, server actions, edge functions). If a value was ever set and deployed, rotate it: it is in every bundle built since.",
    references: &[
        "https://nextjs.org/docs/app/building-your-application/configuring/environment-variables#bundling-environment-variables-for-the-browser",
        "https://vite.dev/guide/env-and-mode",
    ],
    examples: &[
        (".env", "NEXT_PUBLIC_STRIPE_SECRET_KEY=\n"),
        (".env.local", "VITE_OPENAI_API_KEY=sk-proj-{{alnum:58}}T3BlbkFJ{{alnum:58}}\n"),
        ("src/lib/supabase.ts", "const admin = createClient(url, process.env.NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY!);\n"),
        ("src/api.js", "const token = import.meta.env.VITE_GITHUB_TOKEN;\n"),
        (".github/workflows/deploy.yml", "env:\n  REACT_APP_DB_PASSWORD: ${{ secrets.DB_PASSWORD }}\n"),
        ("Dockerfile", "ARG EXPO_PUBLIC_ANTHROPIC_API_KEY\n"),
    ],
    negative_examples: &[
        (".env", "NEXT_PUBLIC_SUPABASE_ANON_KEY=abc\nNEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=pk_test_x\nNEXT_PUBLIC_SITE_URL=https://example.com\n"),
        (".env", "STRIPE_SECRET_KEY=\nOPENAI_API_KEY=\n"),
        ("src/a.ts", "const k = process.env.OPENAI_API_KEY; const m = process.env.NEXT_PUBLIC_MAPBOX_TOKEN;\n"),
        ("src/a.ts", "const u = import.meta.env.VITE_SUPABASE_URL; const f = process.env.NEXT_PUBLIC_FIREBASE_API_KEY;\n"),
        ("docs/env.md", "Never name a variable NEXT_PUBLIC_STRIPE_SECRET_KEY.\n"),
        (".env", "NEXT_PUBLIC_TOKEN_ADDRESS=0xabc\nVITE_SESSION_TIMEOUT=30\n"),
    ],
}];

/// The public prefixes, longest first where one contains another.
const PREFIXES: &str =
    "NEXT_PUBLIC_|NUXT_PUBLIC_|EXPO_PUBLIC_|REACT_APP_|VITE_|GATSBY_|STORYBOOK_|PUBLIC_";

pub use crate::kind::is_env_file;

/// Server-side providers whose API keys must never reach a browser.
const SERVER_PROVIDERS: &[&str] = &[
    "OPENAI",
    "ANTHROPIC",
    "CLAUDE",
    "GROQ",
    "MISTRAL",
    "COHERE",
    "REPLICATE",
    "HUGGINGFACE",
    "HF",
    "ELEVENLABS",
    "DEEPSEEK",
    "PERPLEXITY",
    "TOGETHER",
    "FIREWORKS",
    "OPENROUTER",
    "XAI",
    "GEMINI",
    "RESEND",
    "SENDGRID",
    "MAILGUN",
    "POSTMARK",
    "TWILIO",
    "PINECONE",
    "AWS",
    "GITHUB",
    "SLACK",
    "DISCORD",
    "NOTION",
    "AIRTABLE",
    "LINEAR",
    "ADMIN",
    "SERVER",
    "BACKEND",
];

/// Last words that name something public about a secret, not the secret.
const META_LAST: &[&str] = &[
    "URL",
    "URI",
    "HOST",
    "DOMAIN",
    "ENDPOINT",
    "ID",
    "NAME",
    "ADDRESS",
    "SYMBOL",
    "DECIMALS",
    "PATH",
    "ROUTE",
    "ENABLED",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "TTL",
    "INTERVAL",
    "TIMEOUT",
    "LENGTH",
    "HEADER",
    "AUDIENCE",
    "ISSUER",
    "REGION",
    "VERSION",
    "COUNT",
    "SIZE",
    "PREFIX",
    "MODE",
    "REDIRECT",
    "CALLBACK",
    "FIELD",
    "PARAM",
    "TYPE",
    "LIMIT",
    "PORT",
];

/// Why `rest` (the name after the public prefix) names a secret, or `None`.
pub fn secret_reason(rest: &str) -> Option<String> {
    let words: Vec<&str> = rest.split('_').filter(|w| !w.is_empty()).collect();
    let last = *words.last()?;
    let has = |w: &str| words.contains(&w);
    if rest.ends_with("ANON_KEY")
        || has("PUBLISHABLE")
        || has("ANON")
        || has("PUBLIC")
        || has("MAPBOX")
        || rest.ends_with("SITE_URL")
    {
        return None;
    }
    let db = [
        "DATABASE",
        "DB",
        "POSTGRES",
        "POSTGRESQL",
        "MYSQL",
        "MONGODB",
        "MONGO",
        "REDIS",
    ];
    if matches!(last, "URL" | "URI" | "DSN") && words.iter().any(|w| db.contains(w)) {
        return Some("a database connection string (holds a password)".into());
    }
    if META_LAST.contains(&last) {
        return None;
    }
    for w in [
        "SECRET",
        "SECRETS",
        "PRIVATE",
        "PASSWORD",
        "PASSWD",
        "PWD",
        "TOKEN",
        "CREDENTIALS",
    ] {
        if has(w) {
            return Some(format!("its name says {w}"));
        }
    }
    if rest.contains("SERVICE_ROLE") || rest.contains("SERVICE_KEY") {
        return Some("its name says SERVICE_ROLE".into());
    }
    if last == "KEY" || rest.ends_with("API_KEY") || rest.ends_with("APIKEY") {
        if let Some(p) = words.iter().find(|w| SERVER_PROVIDERS.contains(w)) {
            return Some(format!("{p} keys are server-side credentials"));
        }
    }
    None
}

fn is_ci_or_deploy_config(ctx: &FileCtx) -> bool {
    let p = ctx.path;
    let name = ctx.name;
    ((p.contains(".github/workflows/") || p.starts_with("github/workflows/"))
        && (name.ends_with(".yml") || name.ends_with(".yaml")))
        || name.ends_with(".gitlab-ci.yml")
        || name == ".gitlab-ci.yaml"
        || name == "vercel.json"
        || name == "netlify.toml"
        || name == "Dockerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
        || (name.starts_with("docker-compose") || name.starts_with("compose."))
            && (name.ends_with(".yml") || name.ends_with(".yaml"))
        || name == "amplify.yml"
        || name == "render.yaml"
        || name == "bitbucket-pipelines.yml"
        || p.contains(".circleci/")
}

pub fn check(ctx: &FileCtx, out: &mut Vec<Hit>) {
    if is_env_file(ctx.name) || is_ci_or_deploy_config(ctx) {
        let Some(text) = ctx.text() else {
            return;
        };
        static ASSIGN: OnceLock<Regex> = OnceLock::new();
        let assign = re(
            &ASSIGN,
            &format!(
                r#"(?m)^[ \t]*(?:-[ \t]*)?(?:(?:export|ENV|ARG)[ \t]+)?["']?\b((?:{PREFIXES})([A-Z0-9_]+))\b["']?[ \t]*(?:[=:][ \t]*([^\r\n]*))?$"#
            ),
        );
        if memchr::memmem::find(text.as_bytes(), b"_").is_none() {
            return;
        }
        for c in assign.captures_iter(text) {
            let (name, rest) = (c.get(1).expect("group"), c.get(2).expect("group"));
            let Some(reason) = secret_reason(rest.as_str()) else {
                continue;
            };
            let value = c.get(3);
            let literal = value
                .map(|v| clean_value(v.as_str()))
                .filter(|v| !v.is_empty() && !is_reference(v));
            let line = c.get(0).expect("match").as_str();
            let mut hit = Hit::new(CLIENT_EXPOSED, name.start(), name.end(), "");
            let mut msg = format!(
                "`{}` is inlined into the browser bundle (public prefix) but {reason}",
                name.as_str()
            );
            if let (Some(v), Some(_)) = (value, &literal) {
                hit = hit.masking(v.start(), v.end());
                if let Some(rule) = ctx.secret_rule(line, false) {
                    msg.push_str(&format!("; its value is a {rule}"));
                    hit.severity = Some(Severity::Critical);
                }
            } else if is_env_file(ctx.name) {
                msg.push_str("; empty here, but shipped to every visitor once set");
            }
            hit.message = msg;
            out.push(hit);
        }
    } else if ctx.is_script() && !ctx.is_test() {
        let Some(text) = ctx.text() else {
            return;
        };
        let b = text.as_bytes();
        if memchr::memmem::find(b, b"process.env").is_none()
            && memchr::memmem::find(b, b"import.meta.env").is_none()
        {
            return;
        }
        static CODE: OnceLock<Regex> = OnceLock::new();
        let code = re(
            &CODE,
            &format!(
                r#"(?:\bprocess\.env\.|\bprocess\.env\[\s*["'`]|\bimport\.meta\.env\.)((?:{PREFIXES})([A-Z0-9_]+))\b"#
            ),
        );
        for c in code.captures_iter(text) {
            let (name, rest) = (c.get(1).expect("group"), c.get(2).expect("group"));
            if super::util::in_comment(text, name.start()) {
                continue;
            }
            if let Some(reason) = secret_reason(rest.as_str()) {
                out.push(Hit::new(
                    CLIENT_EXPOSED,
                    name.start(),
                    name.end(),
                    format!(
                        "`{}` is inlined into the browser bundle (public prefix) but {reason}",
                        name.as_str()
                    ),
                ));
            }
        }
    }
}

/// A config value without quotes, trailing comma or trailing comment.
pub fn clean_value(v: &str) -> &str {
    let v = v.trim().trim_end_matches(',').trim();
    if let Some(q) = v.chars().next().filter(|c| *c == '"' || *c == '\'') {
        if let Some(end) = v[1..].find(q) {
            return &v[1..1 + end];
        }
    }
    let v = match v.find(" #") {
        Some(i) => &v[..i],
        None => v,
    };
    v.trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for yes in [
            "STRIPE_SECRET_KEY",
            "SUPABASE_SERVICE_ROLE_KEY",
            "OPENAI_API_KEY",
            "DB_PASSWORD",
            "GITHUB_TOKEN",
            "JWT_PRIVATE_KEY",
            "DATABASE_URL",
        ] {
            assert!(secret_reason(yes).is_some(), "{yes}");
        }
        for no in [
            "SUPABASE_ANON_KEY",
            "STRIPE_PUBLISHABLE_KEY",
            "SITE_URL",
            "FIREBASE_API_KEY",
            "GOOGLE_MAPS_API_KEY",
            "MAPBOX_ACCESS_TOKEN",
            "TOKEN_ADDRESS",
            "SESSION_TIMEOUT",
            "API_URL",
            "POSTHOG_KEY",
        ] {
            assert!(secret_reason(no).is_none(), "{no}");
        }
    }

    #[test]
    fn values() {
        assert_eq!(clean_value(" \"a b\" # c"), "a b");
        assert_eq!(clean_value("x # c"), "x");
        assert_eq!(clean_value("'v',"), "v");
    }
}
