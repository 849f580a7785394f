//! Character statistics of a value: Shannon entropy, character classes, and the long runs
//! (`xxxx…`) and ascending sequences (`abcdefgh`) that mark a placeholder.

/// Shannon entropy in bits per byte.
pub fn shannon_entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let len = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / len;
            -p * p.log2()
        })
        .sum()
}

/// Character classes present: lower, upper, digit, other.
pub fn char_classes(value: &str) -> u32 {
    let b = value.as_bytes();
    let mut n = 0;
    if b.iter().any(u8::is_ascii_lowercase) {
        n += 1;
    }
    if b.iter().any(u8::is_ascii_uppercase) {
        n += 1;
    }
    if b.iter().any(u8::is_ascii_digit) {
        n += 1;
    }
    if b.iter().any(|c| !c.is_ascii_alphanumeric()) {
        n += 1;
    }
    n
}

pub(super) fn has_long_run(b: &[u8], n: usize, skip_a: bool) -> bool {
    let mut run = 1;
    for w in b.windows(2) {
        // `=` is base64 padding; in base64 tokens `AAAA…` encodes zero bytes (macaroons, DER)
        if w[0] == w[1] && w[0] != b'=' && !(skip_a && w[0] == b'A') {
            run += 1;
            if run >= n {
                return true;
            }
        } else {
            run = 1;
        }
    }
    false
}

/// `abcdefgh`, `12345678`, `0123456789abcdef`: a long ascending run of the alphabet or digits.
pub(super) fn is_sequential(b: &[u8]) -> bool {
    let mut run = 1;
    for w in b.windows(2) {
        if w[1] == w[0].wrapping_add(1) && w[0].is_ascii_alphanumeric() {
            run += 1;
            if run >= 8 {
                return true;
            }
        } else {
            run = 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy() {
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"ab") - 1.0).abs() < 1e-9);
        assert!(shannon_entropy(b"q8Zr2LmX0pV7nT4sW1yB") > 4.0);
    }
}
