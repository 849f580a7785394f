//! Value filters shared by rules: Shannon entropy, placeholders, references to secrets kept
//! elsewhere (environment, secret stores, templates) and generic-name checks.

mod entropy;
mod names;
mod placeholders;
mod references;
mod shape;

pub use entropy::{char_classes, shannon_entropy};
pub use names::{is_secret_name, is_strong_secret_name, name_words};
pub use placeholders::{is_documentation_uuid, placeholder_reason};
pub use references::{is_reference, percent_decode};
pub use shape::{is_identifier_like, is_uuid, looks_like_code};

pub use crate::kind::is_sample as is_sample_path;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_paths() {
        for p in [
            "tests/config.py",
            "src/__tests__/api.ts",
            "pkg/url/test.js",
            "app/models/user_test.go",
            "test_settings.py",
            "src/app.test.ts",
            "src/app.spec.js",
            "apis/kms-2014-11-01.examples.json",
            "config/settings.sample.yaml",
            ".env.example",
            "docs/setup.txt",
            "README",
            "guide/Intro.MD",
            "internal/testdata/keys.env",
            "Fixtures/db.yml",
        ] {
            assert!(is_sample_path(p), "{p}");
        }
        for p in [
            ".env",
            "src/config.ts",
            "deploy/values.yaml",
            "latest.js",
            "contest/app.py",
            "src/testing_utils.rs",
            "docs",
            "",
        ] {
            assert!(!is_sample_path(p), "{p}");
        }
    }
}
