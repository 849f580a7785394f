//! leakgate: a secret and launch-configuration linter for CI.
//!
//! Flow, one module per stage: [`source`] (files, …) → blobs → [`matcher`] (keyword
//! prefilter, windowed regex, entropy, [`validators`]) → [`engine`] findings (fingerprint,
//! dedup, allow-lists) → [`report`] (text, JSON, SARIF, GitHub annotations). Alongside the
//! secret rules, [`lint`] checks configuration (env prefixes, CORS, cookies, workflows, …).

pub mod baseline;
pub mod ci;
pub mod config;
pub mod decode;
pub mod engine;
pub mod examples;
pub mod filters;
pub mod finding;
pub mod input;
pub mod keywords;
pub mod kind;
pub mod lint;
pub mod matcher;
pub mod migrate;
pub mod paths;
pub mod redact;
pub mod report;
// out of order to keep the merge with the engine refactor simple
pub mod precommit;
pub mod rules;
pub mod ruletest;
pub mod source;
pub mod text;
pub mod validate;
pub mod validators;
