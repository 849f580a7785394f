//! Every built-in rule's examples and negative examples, run through the real engine with
//! all rules loaded (so overlaps between rules are part of the test).

use leakgate::rules::builtin_rules;

/// Fixed seeds keep `cargo test` reproducible; `leakgate rules test` uses fresh ones.
const SEEDS: &[u64] = &[1, 0xC0FFEE, 0x5EED_1234_ABCD];

#[test]
fn every_rule_passes_its_examples() {
    let rules = builtin_rules().expect("built-in rules parse");
    let ids: Vec<String> = rules.iter().map(|r| r.id.clone()).collect();
    let mut report = String::new();
    for &seed in SEEDS {
        let (checked, failures) =
            leakgate::ruletest::run(rules.clone(), &ids, 3, seed).expect("scanner builds");
        assert!(checked > 0);
        for f in failures {
            report.push_str(&format!("{}: {}\n", f.rule, f.message));
        }
    }
    assert!(report.is_empty(), "rule example failures:\n{report}");
}

#[test]
fn every_rule_has_both_kinds_of_examples_and_remediation() {
    for r in builtin_rules().unwrap() {
        assert!(!r.examples.is_empty(), "{} has no examples", r.id);
        assert!(
            !r.negative_examples.is_empty(),
            "{} has no negative_examples",
            r.id
        );
        assert!(
            !r.remediation.trim().is_empty(),
            "{} has no remediation",
            r.id
        );
        assert!(
            !r.description.trim().is_empty(),
            "{} has no description",
            r.id
        );
    }
}

#[test]
fn a_rule_without_negative_examples_fails_the_rule_test() {
    let mut r = builtin_rules()
        .unwrap()
        .into_iter()
        .find(|r| r.id == "openai-project-key")
        .unwrap();
    r.id = "copy-without-negatives".into();
    r.negative_examples.clear();
    let (_, failures) =
        leakgate::ruletest::run(vec![r], &["copy-without-negatives".to_string()], 1, 1).unwrap();
    assert_eq!(failures.len(), 1);
    assert!(failures[0].message.contains("negative_examples"));
}

#[test]
fn rule_ids_are_unique_and_coverage_is_broad() {
    let rules = builtin_rules().unwrap();
    let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    ids.sort();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate rule ids");
    assert!(n >= 120, "expected at least 120 built-in rules, have {n}");
}
