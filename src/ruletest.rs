//! Runs rules' own examples: each `examples` entry must yield exactly one finding of the
//! rule, each `negative_examples` entry none. Used by `leakgate rules test` and `cargo test`.

use anyhow::Result;

use crate::config::Config;
use crate::engine::{ChunkPos, Scanner};
use crate::examples::{expand, Rng};
use crate::rules::RuleSpec;

/// One failed example.
#[derive(Debug)]
pub struct Failure {
    pub rule: String,
    pub message: String,
}

/// Test `under_test` (rule ids) against a scanner built from `all` rules. Each example is
/// expanded `rounds` times with fresh random data from `seed`.
pub fn run(
    all: Vec<RuleSpec>,
    under_test: &[String],
    rounds: usize,
    seed: u64,
) -> Result<(usize, Vec<Failure>)> {
    let scanner = Scanner::with_rules(all, Config::default())?;
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in scanner
        .rules
        .rules
        .iter()
        .filter(|r| under_test.contains(&r.spec.id))
    {
        let spec = &rule.spec;
        // each rule draws from its own stream, so adding or reordering rules does not change
        // the values another rule's examples are tested with
        let mut rng = Rng::new(seed ^ fnv1a(&spec.id));
        let fail = |failures: &mut Vec<Failure>, m: String| {
            failures.push(Failure {
                rule: spec.id.clone(),
                message: m,
            })
        };
        if let Err(e) = rule.check() {
            fail(&mut failures, format!("{e:#}"));
            continue;
        }
        if spec.examples.is_empty() {
            fail(&mut failures, "has no `examples`".into());
        }
        if spec.negative_examples.is_empty() {
            fail(&mut failures, "has no `negative_examples`".into());
        }
        // the path may hold templates too (`{{lower:6}}/.pgpass`)
        let path = match spec.example_path.as_deref().map(|p| expand(p, &mut rng)) {
            None => "example".to_string(),
            Some(Ok(p)) => p,
            Some(Err(e)) => {
                fail(&mut failures, format!("example_path: {e}"));
                continue;
            }
        };
        let path = path.as_str();
        // a path-restricted rule's examples must also stay quiet under a path it does not
        // cover, which checks the restriction itself
        let elsewhere = (!spec.paths.is_empty()).then(|| {
            if spec.example_path.is_none() {
                fail(
                    &mut failures,
                    "has `paths` but no `example_path` to scan its examples as".into(),
                );
            }
            "leakgate-rule-example.txt"
        });
        let mut cases = vec![
            (1usize, &spec.examples, path),
            (0usize, &spec.negative_examples, path),
        ];
        if let Some(other) = elsewhere {
            cases.push((0, &spec.examples, other));
        }
        // a rule whose validator pairs the secret with companions shows the pair in an example
        let companions: Vec<&str> = spec
            .validate
            .iter()
            .flat_map(|v| v.companions.iter().map(|c| c.name.as_str()))
            .collect();
        let mut paired = companions.is_empty();
        for (want, list, path) in cases {
            for (i, ex) in list.iter().enumerate() {
                for _ in 0..rounds {
                    checked += 1;
                    let text = match expand(ex, &mut rng) {
                        Ok(t) => t,
                        Err(e) => {
                            fail(&mut failures, format!("example {}: {e}", i + 1));
                            break;
                        }
                    };
                    let mut found = Vec::new();
                    scanner.scan_chunk(
                        path,
                        text.as_bytes(),
                        ChunkPos::whole(text.len()),
                        &mut found,
                    );
                    let mine = found.iter().filter(|f| f.rule.id == spec.id).count();
                    paired |= want == 1
                        && found.iter().any(|f| {
                            f.rule.id == spec.id
                                && companions.iter().all(|c| f.companions.contains_key(*c))
                        });
                    if mine != want {
                        let others: Vec<&str> = found.iter().map(|f| f.rule.id.as_str()).collect();
                        let kind = if want == 1 {
                            "example"
                        } else if list.as_ptr() == spec.examples.as_ptr() {
                            "example (scanned as a path outside `paths`)"
                        } else {
                            "negative example"
                        };
                        fail(
                            &mut failures,
                            format!(
                                "{kind} {} produced {mine} finding(s) of this rule, expected {want} (seed {seed}; all findings: {others:?}; template: {ex:?})",
                                i + 1
                            ),
                        );
                        break;
                    }
                }
            }
        }
        if !paired {
            fail(
                &mut failures,
                format!(
                    "no example shows the validator's companions ({}) near the secret",
                    companions.join(", ")
                ),
            );
        }
    }
    Ok((checked, failures))
}

/// FNV-1a of `s`: a stable per-rule offset for the example seed.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
