//! References to secrets kept elsewhere (environment, secret stores, templates), and the
//! `%XX` decoding used to read them in URLs.

/// Decode `%XX` escapes; invalid escapes stay as they are.
pub fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// True when the value points at a secret stored elsewhere instead of being one.
pub fn is_reference(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    const REFS: &[&str] = &[
        "process.env",
        "import.meta.env",
        "os.environ",
        "os.getenv",
        "getenv(",
        "system.getenv",
        "env[",
        "env(",
        "env.",
        "environ[",
        "secrets.",
        "vars.",
        "inputs.",
        "config.",
        "settings.",
        "${",
        "$(",
        "{{",
        "%(",
        "#{",
        "vault:",
        "ssm:",
        "arn:aws:",
        "secretsmanager",
        "keyvault",
        "secret_ref",
        "secretkeyref",
        "valuefrom",
        "@microsoft.keyvault",
    ];
    if REFS.iter().any(|r| lower.contains(r)) {
        return true;
    }
    let b = value.as_bytes();
    // `$NAME`, `%NAME%`, `:name` style references
    if b.first() == Some(&b'$')
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        return true;
    }
    // `{name}`, `{db.password}`: a format-string placeholder (Rust `format!`, Python
    // f-strings and `str.format`, C# interpolation)
    if b.len() > 2
        && b[0] == b'{'
        && b[b.len() - 1] == b'}'
        && (b[1].is_ascii_alphabetic() || b[1] == b'_')
        && b[1..b.len() - 1]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.'))
    {
        return true;
    }
    if b.len() > 2
        && b[0] == b'%'
        && b[b.len() - 1] == b'%'
        && b[1..b.len() - 1]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert!(is_reference("process.env.OPENAI_API_KEY"));
        assert!(is_reference("${{ secrets.NPM_TOKEN }}"));
        assert!(is_reference("$DB_PASSWORD"));
        assert!(is_reference("%DB_PASSWORD%"));
        assert!(is_reference("{dbpw}"));
        assert!(is_reference("{db.password}"));
        assert!(!is_reference("{9f8e7d6c5b4a}x"));
        assert!(is_reference("os.environ['X']"));
        assert!(!is_reference("q8Zr2LmX0pV7nT4sW1yB"));
    }
}
