// Shared by the fuzz targets: one scanner with the built-in rules, built once.
use std::sync::OnceLock;

use leakgate::config::Config;
use leakgate::engine::Scanner;

pub fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| Scanner::new(Config::default()).expect("built-in rules compile"))
}
