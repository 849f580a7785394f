//! The configuration rules' fixtures (`examples`, `negative_examples`) run through a real
//! [`Linter`]: by the tests and by `leakgate rules test`.

use crate::config::Config;
use crate::matcher::RuleSet;

use super::all_rules;
use super::linter::Linter;

/// Run a rule's fixtures: `(failures, checked)`. Used by the tests and `leakgate rules test`.
pub fn run_examples(rounds: usize, seed: u64) -> anyhow::Result<(usize, Vec<String>)> {
    use crate::examples::{expand, Rng};
    let config = Config::default();
    let secrets = RuleSet::new(crate::rules::builtin_rules()?, |_| None)?;
    let mut rng = Rng::new(seed);
    let mut failures = Vec::new();
    let mut checked = 0;
    for m in all_rules() {
        if m.examples.is_empty() || m.negative_examples.is_empty() {
            failures.push(format!("{}: needs examples and negative_examples", m.id));
        }
        for (want_some, list) in [(true, m.examples), (false, m.negative_examples)] {
            for (i, (path, template)) in list.iter().enumerate() {
                for _ in 0..rounds {
                    checked += 1;
                    let text = match expand(template, &mut rng) {
                        Ok(t) => t,
                        Err(e) => {
                            failures.push(format!("{} example {}: {e}", m.id, i + 1));
                            break;
                        }
                    };
                    let linter = Linter::new(&config);
                    linter
                        .repo
                        .store(true, std::sync::atomic::Ordering::Relaxed);
                    let mut found = Vec::new();
                    let mut warn = Vec::new();
                    for (p, t) in fixture_files(path, &text) {
                        warn.extend(linter.lint_file(
                            &secrets,
                            &config,
                            &p,
                            Some(t.as_bytes()),
                            &mut found,
                        ));
                    }
                    found.extend(linter.finish(&secrets, &config));
                    let mine = found.iter().filter(|f| f.rule.id == m.id).count();
                    if (mine > 0) != want_some {
                        let kind = if want_some {
                            "example"
                        } else {
                            "negative example"
                        };
                        let all: Vec<String> = found
                            .iter()
                            .map(|f| {
                                format!("{}@{}:{}", f.rule.id, f.location.line, f.location.column)
                            })
                            .collect();
                        failures.push(format!(
                            "{}: {kind} {} ({path}) produced {mine} finding(s) (seed {seed}; all: {all:?}; warning: {warn:?})",
                            m.id,
                            i + 1
                        ));
                        break;
                    }
                }
            }
        }
    }
    Ok((checked, failures))
}

/// The files of a fixture: `(path, text)` itself, or, when `path` is empty, the files of a
/// multi-file text where each file starts with a line `==> PATH <==`.
pub fn fixture_files(path: &str, text: &str) -> Vec<(String, String)> {
    if !path.is_empty() {
        return vec![(path.to_string(), text.to_string())];
    }
    let mut files: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        let l = line.trim_end();
        if let Some(p) = l.strip_prefix("==> ").and_then(|r| r.strip_suffix(" <==")) {
            files.push((p.to_string(), String::new()));
        } else if let Some(f) = files.last_mut() {
            f.1.push_str(line);
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_passes_its_examples() {
        for seed in [1, 42] {
            let (checked, failures) = run_examples(2, seed).unwrap();
            assert!(checked > 0);
            assert!(failures.is_empty(), "{}", failures.join("\n"));
        }
    }
}
