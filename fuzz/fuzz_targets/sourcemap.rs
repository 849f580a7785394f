//! Source maps: the parser and the split of a map into the parts scanned as the map itself.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(map) = leakgate::source::sourcemap::PreparedMap::parse(data) {
        for (s, e) in map.plain_parts(data.len()) {
            assert!(s <= e && e <= data.len(), "part {s}..{e} outside the map");
        }
    }
});
