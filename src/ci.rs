//! `leakgate ci`: choose what to scan from the GitHub Actions event.
//!
//! | event | scan |
//! |---|---|
//! | `pull_request`, `pull_request_target` | `base.sha..head.sha` of the pull request |
//! | `merge_group` | `base_sha..head_sha` of the merge group |
//! | `push` | `before..after`; a new branch (all-zero `before`), or a force push (`before` not in this clone, or not an ancestor of `after`): the commits no other ref has; no new commits or a deleted branch: nothing |
//! | `schedule`, `workflow_dispatch`, anything else | full history (all refs) |
//!
//! The decision is a pure function of the event name, the payload and `GITHUB_SHA`
//! ([`plan`]), unit-tested with payload fixtures in `testdata/github-events/`.

use anyhow::{bail, Context, Result};
use serde_json::Value;

/// What `leakgate ci` will scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Only what `head` adds over `base`.
    Range { base: String, head: String },
    /// A newly pushed branch: the commits of `head` that no other ref already has.
    NewBranch { head: String, pushed_ref: String },
    /// Every ref, all of history.
    Full,
    /// Nothing to scan (a push with no new commits, a deleted branch); a clean pass.
    Nothing { reason: String },
}

impl Plan {
    /// One line for the log: what is scanned and why.
    pub fn describe(&self, event: &str) -> String {
        match self {
            Plan::Range { base, head } => {
                format!("{event}: scanning the commits in {}..{}", short(base), short(head))
            }
            Plan::NewBranch { head, pushed_ref } => format!(
                "{event}: new branch {pushed_ref}: scanning the commits of {} that no other ref has",
                short(head)
            ),
            Plan::Full => format!("{event}: scanning the full history of every ref"),
            Plan::Nothing { reason } => format!("{event}: {reason}"),
        }
    }
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

fn is_zero(sha: &str) -> bool {
    !sha.is_empty() && sha.bytes().all(|b| b == b'0')
}

fn field<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str().filter(|s| !s.is_empty())
}

/// Decide the scan for `event` with its `payload` (the JSON at `GITHUB_EVENT_PATH`, or `Null`)
/// and `github_sha` (`GITHUB_SHA`, if set).
pub fn plan(event: &str, payload: &Value, github_sha: Option<&str>) -> Result<Plan> {
    match event {
        "pull_request" | "pull_request_target" => {
            let base = field(payload, &["pull_request", "base", "sha"]);
            let head = field(payload, &["pull_request", "head", "sha"]);
            match (base, head) {
                (Some(b), Some(h)) => Ok(Plan::Range {
                    base: b.to_string(),
                    head: h.to_string(),
                }),
                _ => bail!(
                    "{event} event without pull_request.base.sha and pull_request.head.sha in \
                     GITHUB_EVENT_PATH; cannot tell what the pull request adds"
                ),
            }
        }
        "merge_group" => {
            let base = field(payload, &["merge_group", "base_sha"]);
            let head = field(payload, &["merge_group", "head_sha"]);
            match (base, head) {
                (Some(b), Some(h)) => Ok(Plan::Range {
                    base: b.to_string(),
                    head: h.to_string(),
                }),
                _ => bail!("merge_group event without merge_group.base_sha and head_sha"),
            }
        }
        "push" => {
            let after = field(payload, &["after"]).or(github_sha);
            let before = field(payload, &["before"]);
            let pushed_ref = field(payload, &["ref"]).unwrap_or("").to_string();
            let Some(after) = after else {
                bail!("push event without `after` in the payload and no GITHUB_SHA");
            };
            if is_zero(after) || payload.get("deleted").and_then(Value::as_bool) == Some(true) {
                return Ok(Plan::Nothing {
                    reason: format!("{pushed_ref} was deleted: nothing to scan"),
                });
            }
            match before {
                Some(b) if b == after => Ok(Plan::Nothing {
                    reason: "the push added no commits: nothing to scan".into(),
                }),
                Some(b) if !is_zero(b) => Ok(Plan::Range {
                    base: b.to_string(),
                    head: after.to_string(),
                }),
                _ => Ok(Plan::NewBranch {
                    head: after.to_string(),
                    pushed_ref,
                }),
            }
        }
        _ => Ok(Plan::Full),
    }
}

/// For a push planned as `before..after`: when `before` is not in the repository at `repo`
/// (a force push: the overwritten commit is on no ref, so the checkout did not fetch it) or
/// is not an ancestor of `after` (history was rewritten), scan as for a new branch, the
/// commits no other ref has. Anything else is returned as it is.
pub fn settle_push(plan: Plan, pushed_ref: &str, repo: &std::path::Path) -> Plan {
    let Plan::Range { base, head } = &plan else {
        return plan;
    };
    let Ok(repo) = crate::source::git::open(repo) else {
        return plan; // the scan reports it
    };
    let Ok(after) = crate::source::git::resolve_commit(&repo, head) else {
        return plan; // the scan reports it
    };
    let ancestor = crate::source::git::resolve_commit(&repo, base)
        .ok()
        .and_then(|before| match repo.merge_base(before, after) {
            Ok(Some(mb)) => Some(mb.detach() == before),
            Ok(None) => Some(false),
            Err(_) => None, // unreadable history: let the range scan report it
        });
    if ancestor == Some(false) || ancestor.is_none() && !has_commit(&repo, base) {
        let pushed_ref = if pushed_ref.is_empty() {
            "the pushed ref".to_string()
        } else {
            pushed_ref.to_string()
        };
        return Plan::NewBranch {
            head: head.clone(),
            pushed_ref: format!(
                "{pushed_ref} (force push: {} is not in its history)",
                short(base)
            ),
        };
    }
    plan
}

fn has_commit(repo: &gix::Repository, rev: &str) -> bool {
    crate::source::git::resolve_commit(repo, rev).is_ok()
}

/// Read `GITHUB_EVENT_NAME`, `GITHUB_EVENT_PATH` and `GITHUB_SHA` from the environment;
/// a push's range is checked against the repository at `repo` ([`settle_push`]).
pub fn plan_from_env(repo: &std::path::Path) -> Result<(String, Plan)> {
    let event = match std::env::var("GITHUB_EVENT_NAME") {
        Ok(e) if !e.is_empty() => e,
        _ => bail!(
            "GITHUB_EVENT_NAME is not set: `leakgate ci` runs inside GitHub Actions. Elsewhere \
             use `leakgate history` (full audit), `leakgate history --range BASE..HEAD` or \
             `leakgate scan`"
        ),
    };
    let payload = match std::env::var_os("GITHUB_EVENT_PATH") {
        Some(p) if !p.is_empty() => {
            let text = std::fs::read_to_string(&p).with_context(|| {
                format!("{}: cannot read the event payload", p.to_string_lossy())
            })?;
            serde_json::from_str(&text).with_context(|| {
                format!("{}: the event payload is not JSON", p.to_string_lossy())
            })?
        }
        _ => Value::Null,
    };
    let sha = std::env::var("GITHUB_SHA").ok();
    let mut plan = plan(&event, &payload, sha.as_deref())?;
    if event == "push" {
        let pushed_ref = field(&payload, &["ref"]).unwrap_or("");
        plan = settle_push(plan, pushed_ref, repo);
    }
    Ok((event, plan))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/github-events")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    const BASE: &str = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
    const HEAD: &str = "e5bd3914e2e596debea16f433f57875b5b90bcd6";

    #[test]
    fn pull_request_scans_base_to_head() {
        let p = plan("pull_request", &fixture("pull_request.json"), Some("ffff")).unwrap();
        assert_eq!(
            p,
            Plan::Range {
                base: BASE.into(),
                head: HEAD.into()
            }
        );
        let p = plan("pull_request_target", &fixture("pull_request.json"), None).unwrap();
        assert!(matches!(p, Plan::Range { .. }));
        assert!(plan("pull_request", &Value::Null, None).is_err());
    }

    #[test]
    fn push_scans_before_to_after() {
        let p = plan("push", &fixture("push.json"), None).unwrap();
        assert_eq!(
            p,
            Plan::Range {
                base: BASE.into(),
                head: HEAD.into()
            }
        );
    }

    #[test]
    fn push_of_a_new_branch_scans_what_no_other_ref_has() {
        let p = plan("push", &fixture("push_new_branch.json"), None).unwrap();
        assert_eq!(
            p,
            Plan::NewBranch {
                head: HEAD.into(),
                pushed_ref: "refs/heads/feature/login".into()
            }
        );
    }

    #[test]
    fn push_without_new_commits_or_deleting_a_branch_is_a_clean_pass() {
        let p = plan("push", &fixture("push_no_commits.json"), None).unwrap();
        assert!(matches!(p, Plan::Nothing { .. }), "{p:?}");
        let p = plan("push", &fixture("push_delete.json"), None).unwrap();
        assert!(matches!(p, Plan::Nothing { .. }), "{p:?}");
    }

    #[test]
    fn schedule_and_dispatch_scan_everything() {
        assert_eq!(
            plan("schedule", &fixture("schedule.json"), Some(HEAD)).unwrap(),
            Plan::Full
        );
        assert_eq!(
            plan(
                "workflow_dispatch",
                &fixture("workflow_dispatch.json"),
                Some(HEAD)
            )
            .unwrap(),
            Plan::Full
        );
    }

    #[test]
    fn merge_group_scans_its_range() {
        let p = plan("merge_group", &fixture("merge_group.json"), None).unwrap();
        assert_eq!(
            p,
            Plan::Range {
                base: BASE.into(),
                head: HEAD.into()
            }
        );
    }
}
