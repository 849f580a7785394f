//! GitHub/GitLab workflow YAML as the configuration checks read it: never a panic, a stack
//! overflow or a hang, whatever the nesting, aliases or encoding.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = leakgate::lint::yaml::parse(text);
    }
});
