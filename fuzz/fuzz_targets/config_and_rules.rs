//! `.leakgate.yml` and rule files: parse errors, never panics; a rule file that parses
//! compiles into a scanner or is rejected with an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = leakgate::config::Config::parse(std::path::Path::new(".leakgate.yml"), text);
    if let Ok(rules) = leakgate::rules::parse_rule_file("fuzz.yml", text) {
        let _ = leakgate::engine::Scanner::with_rules(rules, leakgate::config::Config::default());
    }
});
