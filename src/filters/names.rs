//! Names: whether an assignment target (a variable, key or field name) denotes a secret.

/// Split an identifier into lower-case words on `_`, `-`, `.`, and camelCase boundaries.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = c.is_ascii_uppercase()
            && i > 0
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_digit()
                || (chars[i - 1].is_ascii_uppercase()
                    && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
        if boundary && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Whether an assignment target names a secret: one of its words is a secret word (or
/// `api`+`key`, `private`+`key`, …) and it does not end in a word that names metadata about
/// the secret (its URL, path, id, length, expiry…).
pub fn is_secret_name(name: &str) -> bool {
    let words = name_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    const META: &[&str] = &[
        "url",
        "uri",
        "path",
        "file",
        "filename",
        "dir",
        "name",
        "id",
        "ids",
        "type",
        "length",
        "len",
        "size",
        "header",
        "param",
        "parameter",
        "field",
        "format",
        "endpoint",
        "ttl",
        "expiry",
        "expires",
        "expiration",
        "timeout",
        "count",
        "prefix",
        "version",
        "enabled",
        "required",
        "policy",
        "rotation",
        "hash",
        "hashed",
        "digest",
        "salt",
        "min",
        "max",
        "label",
        "hint",
        "placeholder",
        "regex",
        "pattern",
        "mode",
        "method",
        "provider",
        "location",
        "ref",
        "reference",
        "env",
        "var",
        "arn",
        "index",
        "limit",
        "scope",
        "scopes",
        "status",
        "error",
        "message",
        "msg",
        "text",
        "title",
        "description",
        "input",
        "button",
        "reset",
        "confirm",
        "confirmation",
        "changed",
        "updated",
        "created",
        "at",
        "strength",
        "validator",
        "validation",
        "rules",
        "manager",
        "store",
        "service",
        "client",
        "class",
        "handler",
        "callback",
        "store",
        "storage",
        "cache",
        "usage",
        "secrets",
        "tokens",
        "tokenizer",
        "keys",
        "list",
        "map",
        "set",
        "len",
        "kind",
        "source",
        "flag",
        "bits",
        "scheme",
        "schema",
        "algorithm",
        "alg",
        "strategy",
    ];
    if META.contains(&last.as_str()) {
        return false;
    }
    // opaque pagination/idempotency tokens and anti-forgery tokens are not credentials
    const NOT_CREDENTIALS: &[&str] = &[
        "next",
        "continuation",
        "page",
        "pagination",
        "cursor",
        "sync",
        "marker",
        "csrf",
        "xsrf",
        "idempotency",
        "previous",
        "prev",
        "start",
        "resume",
    ];
    if words.iter().any(|w| NOT_CREDENTIALS.contains(&w.as_str())) {
        return false;
    }
    if words
        .windows(2)
        .any(|p| p[0] == "client" && p[1] == "token")
    {
        return false;
    }
    const SECRET: &[&str] = &[
        "secret",
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "token",
        "apikey",
        "credential",
        "credentials",
        "pass",
        "auth",
        "authtoken",
        "accesstoken",
        "secretkey",
        "privatekey",
    ];
    if words.iter().any(|w| SECRET.contains(&w.as_str())) {
        return true;
    }
    // names written as one lower-case word: `$dbpasswd`, `mysqlpassword`, `rootpwd`, `dbpass`
    if words.iter().any(|w| is_concatenated_password_word(w)) {
        return true;
    }
    words.windows(2).any(|p| {
        p[1] == "key"
            && matches!(
                p[0].as_str(),
                "api"
                    | "private"
                    | "secret"
                    | "access"
                    | "auth"
                    | "signing"
                    | "encryption"
                    | "master"
                    | "client"
                    | "app"
                    | "license"
                    | "service"
                    | "account"
                    | "admin"
                    | "webhook"
                    | "session"
                    | "jwt"
                    | "hmac"
                    | "crypt"
            )
    })
}

/// Whether `name` can only denote a credential, so that even a UUID-shaped value under it is
/// one (many providers issue UUID keys): password words, `secret`, `api key`, `private key`,
/// `auth token`, `access token`, or `<service> token` (`NPM_TOKEN`, `jenkinsToken`) unless the
/// service word names an id-like token (`sessionToken`, `deviceToken`). A bare `token` or
/// `auth` stays weak: request, session and correlation ids are UUIDs too.
pub fn is_strong_secret_name(name: &str) -> bool {
    if !is_secret_name(name) {
        return false;
    }
    let words = name_words(name);
    const STRONG: &[&str] = &[
        "password",
        "passwd",
        "pwd",
        "pass",
        "passphrase",
        "secret",
        "secretkey",
        "privatekey",
        "apikey",
        "authtoken",
        "accesstoken",
    ];
    if words
        .iter()
        .any(|w| STRONG.contains(&w.as_str()) || is_concatenated_password_word(w))
    {
        return true;
    }
    const WEAK_TOKENS: &[&str] = &[
        "session",
        "device",
        "push",
        "registration",
        "request",
        "cancel",
        "cancellation",
        "trace",
        "verification",
        "verify",
        "invite",
        "invitation",
        "reset",
        "confirm",
        "confirmation",
        "unsubscribe",
        "share",
        "public",
        "notification",
        "fcm",
        "apns",
        "id",
        "form",
        "upload",
        "download",
        "lock",
        "test",
        "mock",
        "fake",
        "sample",
    ];
    words
        .windows(2)
        .any(|p| match (p[0].as_str(), p[1].as_str()) {
            ("api" | "private" | "secret", "key") => true,
            ("auth" | "access" | "api", "token") => true,
            (w, "token") => {
                !WEAK_TOKENS.contains(&w) && w.len() >= 3 && !w.bytes().all(|c| c.is_ascii_digit())
            }
            _ => false,
        })
}

/// One word that ends in a password word after a prefix (`dbpasswd`, `adminpassword`,
/// `rootpwd`); `pass` only after a prefix that names what it opens (`dbpass`, not `bypass`,
/// `compass` or `surpass`).
fn is_concatenated_password_word(w: &str) -> bool {
    const SUFFIXES: &[&str] = &["password", "passwd", "pwd", "passphrase"];
    if SUFFIXES
        .iter()
        .any(|s| w.len() > s.len() && w.ends_with(s) && w.as_bytes()[0].is_ascii_alphabetic())
    {
        return true;
    }
    const PASS_PREFIXES: &[&str] = &[
        "db", "root", "user", "admin", "mysql", "pg", "sql", "smtp", "mail", "ftp", "sftp",
        "redis", "ldap", "proxy", "bind", "ssh", "wifi", "vnc", "rdp", "imap", "pop",
    ];
    w.strip_suffix("pass")
        .is_some_and(|p| PASS_PREFIXES.contains(&p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filters::is_documentation_uuid;

    #[test]
    fn names() {
        assert_eq!(name_words("dbPassword"), vec!["db", "password"]);
        assert_eq!(
            name_words("AWS_SECRET_ACCESS_KEY"),
            vec!["aws", "secret", "access", "key"]
        );
        assert_eq!(name_words("OAuthToken"), vec!["o", "auth", "token"]);
        assert!(is_secret_name("DB_PASSWORD"));
        assert!(is_secret_name("apiKey"));
        assert!(is_secret_name("client_secret"));
        assert!(!is_secret_name("password_reset_url"));
        assert!(!is_secret_name("tokenizer"));
        assert!(!is_secret_name("S3_EXPRESS_AUTH_SCHEME"));
        assert!(!is_secret_name("tokenAlgorithm"));
        assert!(is_secret_name("AUTH_TOKEN"));
        assert!(!is_secret_name("api_key_id"));
        assert!(!is_secret_name("monkey"));
        assert!(!is_secret_name("NextContinuationToken"));
        assert!(!is_secret_name("ClientToken"));
    }

    #[test]
    fn strong_secret_names() {
        for n in [
            "_authToken",
            "HEROKU_API_KEY",
            "jenkinsToken",
            "x_PRIVATE_KEY",
            "dbpasswd",
        ] {
            assert!(is_strong_secret_name(n), "{n}");
        }
        for n in [
            "token",
            "auth",
            "sessionToken",
            "api_key_id",
            "client_id",
            "request_id",
        ] {
            assert!(!is_strong_secret_name(n), "{n}");
        }
        assert!(is_documentation_uuid(
            "123E4567-E89B-12D3-A456-426614174000"
        ));
        assert!(!is_documentation_uuid(
            "5f1c9a2e-7b3d-4e8f-9a1b-2c3d4e5f6a7b"
        ));
    }

    #[test]
    fn concatenated_password_names() {
        for n in [
            "$dbpasswd",
            "dbpass",
            "mysqlpassword",
            "ROOTPWD",
            "db_pass",
            "SMTP_PWD",
        ] {
            assert!(is_secret_name(n.trim_start_matches('$')), "{n}");
        }
        for n in ["bypass", "compass", "surpass", "passage", "pwd_dir"] {
            assert!(!is_secret_name(n), "{n}");
        }
    }
}
