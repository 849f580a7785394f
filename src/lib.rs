//! leakgate: a secret and launch-configuration linter for CI.
//!
//! Flow, one module per stage: [`source`] (files, …) → blobs → [`matcher`] (keyword
//! prefilter, windowed regex, entropy, [`validators`]) → [`engine`] findings (fingerprint,
//! dedup, allow-lists) → [`report`] (text, JSON, SARIF, GitHub annotations).

pub mod config;
pub mod decode;
pub mod engine;
pub mod examples;
pub mod filters;
pub mod finding;
pub mod matcher;
pub mod report;
pub mod rules;
pub mod ruletest;
pub mod source;
pub mod validators;
