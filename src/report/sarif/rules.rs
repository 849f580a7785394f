//! Rules.

use super::*;

/// What the rules array says about one rule: the most severe and most precise of its findings
/// (a config override or a validator can change both per finding; results carry their own).
pub(super) struct RuleInfo<'a> {
    pub(super) spec: &'a RuleSpec,
    pub(super) severity: Severity,
    pub(super) precision: Precision,
}

pub(super) const ROTATION_STEPS: [&str; 4] = [
    "Revoke or rotate the credential at the provider first. Deleting it from the code is not enough: it stays readable in git history, forks, clones, caches and CI logs.",
    "Store the new value in a secret manager or your CI system's encrypted secrets and read it from the environment at run time.",
    "Remove the secret from the code; if the repository is shared, also purge it from git history (for example with git filter-repo) and ask collaborators to re-clone.",
    "Check the provider's access logs for use of the old credential between the commit and the revocation.",
];

pub(super) fn help_text(spec: &RuleSpec) -> String {
    let mut s = format!(
        "{}\n\nHow to fix:\n{}\n",
        spec.description.trim(),
        spec.remediation.trim()
    );
    if spec.kind.is_secret() {
        s.push_str("\nRotation checklist:\n");
        for (i, step) in ROTATION_STEPS.iter().enumerate() {
            s.push_str(&format!("{}. {step}\n", i + 1));
        }
    }
    if !spec.references.is_empty() {
        s.push_str("\nReferences:\n");
        for r in &spec.references {
            s.push_str(&format!("- {r}\n"));
        }
    }
    s.trim_end().to_string()
}

pub(super) fn help_markdown(spec: &RuleSpec) -> String {
    let mut s = format!(
        "{}\n\n## How to fix\n\n{}\n",
        spec.description.trim(),
        spec.remediation.trim()
    );
    if spec.kind.is_secret() {
        s.push_str("\n## Rotation checklist\n\n");
        for (i, step) in ROTATION_STEPS.iter().enumerate() {
            let step = step.replace("git filter-repo", "`git filter-repo`");
            s.push_str(&format!("{}. {step}\n", i + 1));
        }
    }
    if !spec.references.is_empty() {
        s.push_str("\n## References\n\n");
        for r in &spec.references {
            s.push_str(&format!("- <{r}>\n"));
        }
    }
    s.trim_end().to_string()
}

pub(super) fn rule_tags(spec: &RuleSpec) -> Vec<String> {
    let kind = if spec.kind.is_secret() {
        "secret"
    } else {
        "configuration"
    };
    let mut tags: Vec<String> = vec!["security".into(), kind.into()];
    for t in &spec.tags {
        if !tags.iter().any(|x| x == t) {
            tags.push(t.clone());
        }
    }
    tags.truncate(MAX_TAGS);
    tags
}

pub(super) fn descriptor(info: &RuleInfo) -> sarif::ReportingDescriptor {
    let spec = info.spec;
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        json!(info.severity.security_severity()),
    );
    props.insert("precision".to_string(), json!(info.precision.as_str()));
    let mut d = sarif::ReportingDescriptor::builder()
        .id(spec.id.clone())
        .name(pascal_case(&spec.id))
        .short_description(
            sarif::MultiformatMessageString::builder()
                .text(spec.name.clone())
                .build(),
        )
        .full_description(
            sarif::MultiformatMessageString::builder()
                .text(spec.description.trim())
                .build(),
        )
        .help(
            sarif::MultiformatMessageString::builder()
                .text(help_text(spec))
                .markdown(help_markdown(spec))
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(json!(level(info.severity)))
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .tags(rule_tags(spec))
                .additional_properties(props)
                .build(),
        )
        .build();
    d.help_uri = spec.references.first().cloned();
    d
}
