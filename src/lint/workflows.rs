//! CI workflows: GitHub Actions (`.github/workflows/*.yml`) and GitLab CI (`.gitlab-ci.yml`),
//! parsed with positions (see [`super::yaml`]): secrets printed or written to files,
//! `pull_request_target` / `workflow_run` jobs that check out the pull request's code while
//! secrets are available, `toJSON(secrets)`, secrets passed to actions not pinned to a commit,
//! debug logging, `permissions: write-all`, literal credentials in `env:` / `with:` /
//! `variables:`, and `secrets: inherit` into workflows of other repositories.

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::Regex;

use super::util::re;
use super::yaml::{self, Node, Pos};
use super::{FileCtx, Hit, LineIndex, Meta};
use crate::rules::Severity;

pub const SECRETS_IN_LOGS: &str = "ci-secret-in-logs";
pub const PWN_REQUEST: &str = "gha-untrusted-checkout-with-secrets";
pub const TOJSON_SECRETS: &str = "gha-tojson-secrets";
pub const UNPINNED: &str = "gha-secrets-to-unpinned-action";
pub const DEBUG: &str = "ci-debug-logging";
pub const WRITE_ALL: &str = "gha-permissions-write-all";
pub const LITERAL: &str = "ci-literal-credential";
pub const INHERIT: &str = "gha-secrets-inherit-external";
/// Not a rule: a hit with this id carries a parse error, turned into a warning by the caller.
pub const PARSE_ERROR: &str = "workflow-parse-error";

const WF: &str = ".github/workflows/ci.yml";

pub const RULES: &[Meta] = &[
    Meta {
        id: SECRETS_IN_LOGS,
        name: "Secret printed or written to a file in CI",
        description: "A CI step echoes a secret or writes it to a file. Masking is best effort (it misses encoded, split or transformed values), logs are often public, and files end up in artifacts and caches.",
        severity: Severity::High,
        remediation: "Pass secrets to the tool that needs them through an environment variable or stdin (`--password-stdin`); never echo them. If a file is required, create it with restrictive permissions and delete it in the same step.",
        references: &["https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions"],
        examples: &[
            (WF, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"key is ${{ secrets.API_KEY }}\"\n"),
            (WF, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n    steps:\n      - run: |\n          npm ci\n          echo $TOKEN > token.txt\n"),
            (".gitlab-ci.yml", "deploy:\n  script:\n    - echo \"$CI_REGISTRY_PASSWORD\"\n"),
        ],
        negative_examples: &[
            (WF, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"${{ secrets.REGISTRY_TOKEN }}\" | docker login ghcr.io -u me --password-stdin\n      - run: echo \"::add-mask::${{ secrets.X }}\"\n      - run: echo \"Deploying ${{ github.sha }}\"\n"),
            (".gitlab-ci.yml", "deploy:\n  script:\n    - echo \"$CI_REGISTRY_PASSWORD\" | docker login -u x --password-stdin $CI_REGISTRY\n    - echo \"$CI_COMMIT_SHA\"\n"),
        ],
    },
    Meta {
        id: PWN_REQUEST,
        name: "Untrusted pull request code checked out with secrets available",
        description: "A `pull_request_target` or `workflow_run` workflow checks out the pull request's head. It runs with repository secrets and a write token, so code from any fork's pull request runs with them (a \"pwn request\").",
        severity: Severity::Critical,
        remediation: "Use the `pull_request` trigger for building untrusted code (no secrets), or split the work: build the PR in `pull_request`, and act on its artifacts in a `workflow_run` job that never executes them. Never check out `github.event.pull_request.head` in a privileged workflow.",
        references: &["https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/"],
        examples: &[
            (WF, "on: pull_request_target\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm test\n"),
            (WF, "on:\n  workflow_run:\n    workflows: [CI]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.workflow_run.head_sha }}\n"),
        ],
        negative_examples: &[
            (WF, "on: pull_request\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n"),
            (WF, "on: pull_request_target\njobs:\n  label:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/labeler@v5\n"),
        ],
    },
    Meta {
        id: TOJSON_SECRETS,
        name: "All secrets serialised with toJSON(secrets)",
        description: "`toJSON(secrets)` hands every repository and organisation secret to one step, instead of only the secrets it needs.",
        severity: Severity::High,
        remediation: "Pass only the secrets the step needs, one by one (`MY_TOKEN: ${{ secrets.MY_TOKEN }}`).",
        references: &["https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-secrets"],
        examples: &[(WF, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./deploy.sh\n        env:\n          ALL: ${{ toJSON(secrets) }}\n")],
        negative_examples: &[(WF, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo '${{ toJSON(github.event) }}' > event.json\n")],
    },
    Meta {
        id: UNPINNED,
        name: "Secret passed to an action not pinned to a commit",
        description: "A third-party action receives a secret but is referenced by a tag or branch. Tags can be moved: whoever controls the action's repository can ship code that steals the secret.",
        severity: Severity::High,
        remediation: "Pin the action to a full 40-character commit SHA (`uses: owner/action@<sha> # v1.2.3`) and let Dependabot or Renovate update it.",
        references: &["https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions"],
        examples: &[
            (WF, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: some-org/deploy-action@v2\n        with:\n          token: ${{ secrets.DEPLOY_TOKEN }}\n"),
            (WF, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: other/notify@main\n        env:\n          SLACK_WEBHOOK: ${{ secrets.SLACK_WEBHOOK }}\n"),
        ],
        negative_examples: &[
            (WF, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: some-org/deploy-action@8f4b7f84864484a7bf31766abe9204da3cbe65b3 # v2.1.0\n        env:\n          TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n      - uses: actions/setup-node@v4\n        with:\n          token: ${{ secrets.GITHUB_TOKEN }}\n      - uses: ./.github/actions/local\n        with:\n          token: ${{ secrets.X }}\n      - uses: some-org/lint@v1\n"),
        ],
    },
    Meta {
        id: DEBUG,
        name: "CI debug logging turned on",
        description: "`ACTIONS_STEP_DEBUG`, `ACTIONS_RUNNER_DEBUG` or GitLab's `CI_DEBUG_TRACE` is set to true in the pipeline: debug logs print every command and variable, including values masking misses.",
        severity: Severity::High,
        remediation: "Remove the debug variable from the workflow; enable debug logging only for a single re-run when needed.",
        references: &[
            "https://docs.github.com/en/actions/monitoring-and-troubleshooting-workflows/troubleshooting-workflows/enabling-debug-logging",
            "https://docs.gitlab.com/ci/variables/variables_troubleshooting/#enable-debug-logging",
        ],
        examples: &[
            (WF, "on: push\nenv:\n  ACTIONS_STEP_DEBUG: true\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"),
            (".gitlab-ci.yml", "variables:\n  CI_DEBUG_TRACE: \"true\"\nbuild:\n  script: [make]\n"),
        ],
        negative_examples: &[
            (WF, "on: push\nenv:\n  ACTIONS_STEP_DEBUG: false\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"),
            (".gitlab-ci.yml", "variables:\n  CI_DEBUG_TRACE: \"false\"\n"),
        ],
    },
    Meta {
        id: WRITE_ALL,
        name: "Workflow token with write-all permissions",
        description: "`permissions: write-all` gives the job's GITHUB_TOKEN write access to contents, packages, actions and more; any compromised step can push code or publish releases.",
        severity: Severity::Medium,
        remediation: "Set `permissions: {}` or `contents: read` at the workflow level and grant each job only the scopes it needs.",
        references: &["https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/controlling-permissions-for-github_token"],
        examples: &[(WF, "on: push\npermissions: write-all\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n")],
        negative_examples: &[(WF, "on: push\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: write\n    steps:\n      - run: make\n")],
    },
    Meta {
        id: LITERAL,
        name: "Literal credential in CI configuration",
        description: "A password, token or key is written directly in a workflow's `env:` / `with:` or a GitLab `variables:` block instead of coming from the CI system's encrypted secrets.",
        severity: Severity::High,
        remediation: "Rotate the credential, store it as an encrypted CI secret (GitHub: Settings → Secrets and variables; GitLab: masked, protected CI/CD variable) and reference it (`${{ secrets.NAME }}`, `$NAME`).",
        references: &["https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions"],
        examples: &[
            (WF, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      DB_PASSWORD: k{{alnum:6}}Q{{digits:2}}{{alnum:6}}\n    steps:\n      - run: make\n"),
            (".gitlab-ci.yml", "variables:\n  DEPLOY_TOKEN: \"t{{alnum:10}}Z{{digits:3}}\"\n"),
        ],
        negative_examples: &[
            (WF, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      DB_PASSWORD: ${{ secrets.DB_PASSWORD }}\n      TOKEN_URL: https://auth.example.com/token\n      NODE_ENV: production\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          token: ${{ github.token }}\n"),
            (".gitlab-ci.yml", "variables:\n  POSTGRES_PASSWORD: $DB_PASSWORD\n  GIT_DEPTH: \"10\"\n"),
        ],
    },
    Meta {
        id: INHERIT,
        name: "All secrets inherited by another repository's workflow",
        description: "`secrets: inherit` passes every secret of the calling repository to a reusable workflow that lives in another repository; whoever can change that workflow gets them all.",
        severity: Severity::Medium,
        remediation: "Pass only the secrets the reusable workflow declares (`secrets: { token: ${{ secrets.TOKEN }} }`) and pin it to a commit SHA.",
        references: &["https://docs.github.com/en/actions/sharing-automations/reusing-workflows#passing-inputs-and-secrets-to-a-reusable-workflow"],
        examples: &[(WF, "on: push\njobs:\n  call:\n    uses: other-org/shared/.github/workflows/deploy.yml@main\n    secrets: inherit\n")],
        negative_examples: &[(WF, "on: push\njobs:\n  call:\n    uses: ./.github/workflows/deploy.yml\n    secrets: inherit\n")],
    },
];

pub use crate::kind::{is_github_workflow, is_gitlab_ci};

struct Wf<'a, 'f> {
    text: &'a str,
    idx: LineIndex,
    out: &'a mut Vec<Hit>,
    ctx: &'a FileCtx<'f>,
}

impl Wf<'_, '_> {
    fn off(&self, p: Pos) -> usize {
        self.idx.offset_clamped(self.text.as_bytes(), p.line, p.col)
    }

    /// Hit covering a scalar node (its first line) or the given length.
    fn hit_node(&mut self, rule: &'static str, n: &Node, msg: String) {
        let s = self.off(n.pos());
        let ls = self.idx.line_start(n.pos().line).unwrap_or(0);
        let le = crate::text::line_end(self.text.as_bytes(), ls);
        let len = n.str().map_or(0, |v| v.lines().next().unwrap_or("").len());
        let e = if n.is_block() { le } else { (s + len).min(le) };
        self.out.push(Hit::new(rule, s, e.max(s), msg));
    }

    /// Byte range of `needle` in the source, searching from `pos`'s line for up to `span`
    /// lines (a block scalar's lines follow its indicator).
    fn locate(&self, pos: Pos, line_hint: &str, needle: &str, span: u32) -> Option<(usize, usize)> {
        let hint = line_hint.trim();
        for l in pos.line..pos.line + span + 1 {
            let ls = self.idx.line_start(l)?;
            let le = crate::text::line_end(self.text.as_bytes(), ls);
            let src = &self.text[ls..le];
            let from = if l == pos.line { self.off(pos) - ls } else { 0 };
            if from > src.len() {
                continue;
            }
            if hint.is_empty() || src[from..].contains(hint) || src.contains(hint) {
                if let Some(i) = src[from..].find(needle) {
                    let s = ls + from + i;
                    return Some((s, s + needle.len()));
                }
            }
        }
        None
    }
}

fn is_truthy(n: &Node) -> bool {
    n.str()
        .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

fn refs_secret(v: &str) -> bool {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"\$\{\{[^}]*\bsecrets\.").is_match(v)
}

pub fn check(ctx: &FileCtx, out: &mut Vec<Hit>) {
    let github = is_github_workflow(ctx.path);
    let gitlab = is_gitlab_ci(ctx.name);
    if !github && !gitlab {
        return;
    }
    let Some(text) = ctx.text() else {
        return;
    };
    let docs = match yaml::parse(text) {
        Ok(d) => d,
        Err(e) => {
            out.push(Hit::new(PARSE_ERROR, 0, 0, e.to_string()));
            return;
        }
    };
    let mut wf = Wf {
        text,
        idx: LineIndex::new(text.as_bytes()),
        out,
        ctx,
    };
    if github {
        static TJ: OnceLock<Regex> = OnceLock::new();
        for m in re(&TJ, r"(?i)\btojson\(\s*secrets\s*\)").find_iter(text) {
            wf.out.push(Hit::new(
                TOJSON_SECRETS,
                m.start(),
                m.end(),
                "`toJSON(secrets)` exposes every secret to this step",
            ));
        }
        for d in &docs {
            github_workflow(&mut wf, d);
        }
    } else {
        for d in &docs {
            gitlab_ci(&mut wf, d);
        }
    }
}

fn triggers(d: &Node) -> Vec<String> {
    match d.get("on") {
        Some(Node::Scalar { value, .. }) => vec![value.clone()],
        Some(Node::Seq(items, _)) => items
            .iter()
            .filter_map(|i| i.str().map(String::from))
            .collect(),
        Some(Node::Map(e, _)) => e
            .iter()
            .filter_map(|(k, _)| k.str().map(String::from))
            .collect(),
        None => Vec::new(),
    }
}

/// Names of env entries whose value references a secret.
fn secret_env_names(env: Option<&Node>, into: &mut HashSet<String>) {
    if let Some(env) = env {
        for (k, v) in env.entries() {
            if let (Some(k), Some(v)) = (k.str(), v.str()) {
                if refs_secret(v) || v.contains("github.token") {
                    into.insert(k.to_string());
                }
            }
        }
    }
}

fn env_checks(wf: &mut Wf, env: Option<&Node>) {
    let Some(env) = env else { return };
    for (k, v) in env.entries() {
        let Some(name) = k.str() else { continue };
        if matches!(
            name,
            "ACTIONS_STEP_DEBUG" | "ACTIONS_RUNNER_DEBUG" | "CI_DEBUG_TRACE" | "CI_DEBUG_SERVICES"
        ) && is_truthy(v)
        {
            wf.hit_node(
                DEBUG,
                k,
                format!("`{name}: true` turns on debug logging for the pipeline"),
            );
        }
        literal_credential(wf, k, v);
    }
}

fn literal_credential(wf: &mut Wf, k: &Node, v: &Node) {
    let (Some(name), Some(value)) = (k.str(), v.str()) else {
        return;
    };
    let value = value.trim();
    if value.len() < 8
        || value.contains('$')
        || value.contains("{{")
        || value.contains(' ')
        || !crate::filters::is_secret_name(name)
        || crate::filters::placeholder_reason(value, true).is_some()
        || crate::filters::is_reference(value)
    {
        return;
    }
    let s = wf.off(v.pos());
    let mut h = Hit::new(
        LITERAL,
        s,
        s + value.len(),
        format!("`{name}` is set to a literal value instead of a CI secret"),
    );
    // a value a provider rule recognises is worse: a live credential of a known service
    if let Some(rule) = wf.ctx.secret_rule(&format!("{name}={value}"), true) {
        h.message.push_str(&format!(" (the value is a {rule})"));
        h.severity = Some(Severity::Critical);
    }
    h.secret = Some(value.to_string());
    wf.out.push(h);
}

/// `owner/repo[/path]@ref` not pinned to a full commit SHA; `None` for local and docker refs
/// and GitHub's own actions.
fn unpinned(uses: &str) -> Option<&str> {
    if uses.starts_with("./") || uses.starts_with("docker://") {
        return None;
    }
    let (action, r) = uses.split_once('@')?;
    let owner = action.split('/').next().unwrap_or("");
    if matches!(owner, "actions" | "github") {
        return None;
    }
    let pinned = r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit());
    (!pinned).then_some(r)
}

fn github_workflow(wf: &mut Wf, d: &Node) {
    let on = triggers(d);
    let privileged = on
        .iter()
        .any(|t| t == "pull_request_target" || t == "workflow_run");
    let mut wf_secrets = HashSet::new();
    secret_env_names(d.get("env"), &mut wf_secrets);
    env_checks(wf, d.get("env"));
    if let Some(p) = d.get("permissions") {
        if p.str() == Some("write-all") {
            wf.hit_node(
                WRITE_ALL,
                p,
                "`permissions: write-all` at the workflow level".into(),
            );
        }
    }
    let Some(jobs) = d.get("jobs") else { return };
    for (jname, job) in jobs.entries() {
        let jname = jname.str().unwrap_or("?");
        if let Some(p) = job.get("permissions") {
            if p.str() == Some("write-all") {
                wf.hit_node(
                    WRITE_ALL,
                    p,
                    format!("`permissions: write-all` in job `{jname}`"),
                );
            }
        }
        env_checks(wf, job.get("env"));
        let mut job_secrets = wf_secrets.clone();
        secret_env_names(job.get("env"), &mut job_secrets);
        // reusable workflow call
        if let Some(u) = job.get("uses").and_then(|u| u.str()) {
            if let Some((_, s)) = job.entry("secrets") {
                if s.str() == Some("inherit") && !u.starts_with("./") {
                    wf.hit_node(
                        INHERIT,
                        s,
                        format!("job `{jname}` passes all secrets to `{u}`"),
                    );
                }
            }
        }
        for step in job.get("steps").map(Node::items).unwrap_or(&[]) {
            env_checks(wf, step.get("env"));
            if let Some(with) = step.get("with") {
                for (k, v) in with.entries() {
                    literal_credential(wf, k, v);
                }
            }
            let uses_node = step.get("uses");
            let uses = uses_node.and_then(Node::str).unwrap_or("");
            // secrets into unpinned actions
            if let Some(r) = unpinned(uses) {
                let mut names: Vec<String> = Vec::new();
                for block in [step.get("with"), step.get("env")].into_iter().flatten() {
                    for (k, v) in block.entries() {
                        if v.str().is_some_and(refs_secret) {
                            names.push(k.str().unwrap_or("?").to_string());
                        }
                    }
                }
                if !names.is_empty() {
                    let n = uses_node.expect("uses present");
                    wf.hit_node(
                        UNPINNED,
                        n,
                        format!(
                            "`{uses}` (ref `{r}`, not a commit SHA) receives secrets via {}",
                            names.join(", ")
                        ),
                    );
                }
            }
            if privileged {
                untrusted_checkout(wf, step, uses);
            }
            let mut names = job_secrets.clone();
            secret_env_names(step.get("env"), &mut names);
            if let Some(run) = step.get("run") {
                script_leaks(wf, run, &names, true);
            }
        }
    }
}

fn untrusted_checkout(wf: &mut Wf, step: &Node, uses: &str) {
    const HEAD: &[&str] = &[
        "github.event.pull_request.head",
        "github.head_ref",
        "github.event.workflow_run.head",
        "refs/pull/",
        "github.event.pull_request.merge_commit_sha",
    ];
    if uses.starts_with("actions/checkout@") {
        if let Some(r) = step.get("with").and_then(|w| w.get("ref")) {
            if let Some(v) = r.str() {
                if HEAD.iter().any(|h| v.contains(h)) {
                    wf.hit_node(
                        PWN_REQUEST,
                        r,
                        "the pull request's head is checked out in a workflow that has secrets and a write token".into(),
                    );
                }
            }
        }
    }
    if let Some(run) = step.get("run") {
        if let Some(v) = run.str() {
            for needle in [
                "gh pr checkout",
                "git fetch origin pull/",
                "git checkout FETCH_HEAD",
            ] {
                if v.contains(needle) {
                    if let Some((s, e)) =
                        wf.locate(run.pos(), "", needle, v.lines().count() as u32 + 1)
                    {
                        wf.out.push(Hit::new(
                            PWN_REQUEST,
                            s,
                            e,
                            "the pull request's code is fetched in a workflow that has secrets and a write token",
                        ));
                    }
                    break;
                }
            }
        }
    }
}

/// Lines of a script that print a secret or write it to a file.
fn script_leaks(wf: &mut Wf, run: &Node, secret_vars: &HashSet<String>, github: bool) {
    let Some(script) = run.str() else { return };
    static VAR: OnceLock<Regex> = OnceLock::new();
    let var = re(&VAR, r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?");
    static EXPR: OnceLock<Regex> = OnceLock::new();
    let expr = re(&EXPR, r"\$\{\{\s*secrets\.[A-Za-z0-9_]+\s*\}\}");
    let span = script.lines().count() as u32 + 2;
    let mut search_from = run.pos();
    for line in script.lines() {
        let t = line.trim_start();
        let t = t.strip_prefix("sudo ").unwrap_or(t);
        let printing = [
            "echo ",
            "echo\t",
            "printf ",
            "print ",
            "Write-Host ",
            "Write-Output ",
            "console.log(",
        ]
        .iter()
        .any(|p| t.starts_with(p));
        let redirect = line.contains('>') && !line.contains(">&") && !line.contains("2>");
        if (!printing && !redirect) || line.contains("::add-mask::") {
            continue;
        }
        // a reference to a secret on this line
        let mut found: Option<String> = None;
        if github {
            if let Some(m) = expr.find(line) {
                found = Some(m.as_str().to_string());
            }
        }
        if found.is_none() {
            for c in var.captures_iter(line) {
                let name = c.get(1).expect("group").as_str();
                let gitlab_secret = !github
                    && (matches!(
                        name,
                        "CI_JOB_TOKEN"
                            | "CI_REGISTRY_PASSWORD"
                            | "CI_DEPLOY_PASSWORD"
                            | "CI_JOB_JWT"
                    ) || (!name.starts_with("CI_") && crate::filters::is_secret_name(name)));
                if secret_vars.contains(name) || gitlab_secret {
                    found = Some(c.get(0).expect("match").as_str().to_string());
                    break;
                }
            }
        }
        let Some(needle) = found else { continue };
        // piped into a command (docker login --password-stdin) without a redirect: fine
        let after = &line[line.find(&needle).unwrap_or(0)..];
        if after.contains('|') && !after.contains('>') {
            continue;
        }
        if redirect && !printing {
            // writing to the runner's env/output files is how values are passed on
            let target = line.rsplit('>').next().unwrap_or("");
            if target.contains("GITHUB_ENV") || target.contains("GITHUB_OUTPUT") {
                continue;
            }
        }
        if printing && (line.contains("GITHUB_ENV") || line.contains("GITHUB_OUTPUT")) {
            continue;
        }
        let what = if line.contains('>') {
            "written to a file"
        } else {
            "printed to the log"
        };
        if let Some((s, e)) = wf.locate(search_from, line, &needle, span) {
            let (l, _) = wf.idx.pos(wf.text.as_bytes(), s);
            search_from = Pos {
                line: l + 1,
                col: 1,
            };
            wf.out.push(Hit::new(
                SECRETS_IN_LOGS,
                s,
                e,
                format!("secret `{needle}` is {what}"),
            ));
        }
    }
}

fn gitlab_ci(wf: &mut Wf, d: &Node) {
    env_checks(wf, d.get("variables"));
    for (k, job) in d.entries() {
        let Some(name) = k.str() else { continue };
        if matches!(
            name,
            "variables" | "stages" | "include" | "workflow" | "default"
        ) {
            if name == "default" {
                gitlab_job(wf, job);
            }
            continue;
        }
        gitlab_job(wf, job);
    }
}

fn gitlab_job(wf: &mut Wf, job: &Node) {
    if !matches!(job, Node::Map(..)) {
        return;
    }
    env_checks(wf, job.get("variables"));
    let none = HashSet::new();
    for key in ["script", "before_script", "after_script"] {
        match job.get(key) {
            Some(n @ Node::Scalar { .. }) => script_leaks(wf, n, &none, false),
            Some(Node::Seq(items, _)) => {
                for i in items {
                    script_leaks(wf, i, &none, false);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pinning() {
        assert_eq!(super::unpinned("a/b@v1"), Some("v1"));
        assert_eq!(
            super::unpinned("a/b@8f4b7f84864484a7bf31766abe9204da3cbe65b3"),
            None
        );
        assert_eq!(super::unpinned("actions/checkout@v4"), None);
        assert_eq!(super::unpinned("./local"), None);
    }
}
