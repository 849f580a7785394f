//! Files that must not be committed: `.env` files with values, private keys and keystores,
//! cloud service-account keys, package-registry and docker credentials, kubeconfigs with
//! credentials, Terraform state; and a root `.gitignore` that does not cover `.env`.
//!
//! These run only when the scan is in a git work tree (or a root with a `.gitignore`) and
//! respects ignore files: a file the walk reaches there is one `git add .` would commit.

use std::path::PathBuf;
use std::sync::OnceLock;

use regex::Regex;

use super::env::{clean_value, is_env_file};
use super::util::{is_reference, re};
use super::{FileCtx, Hit, Meta};
use crate::rules::Severity;

pub const ENV_FILE: &str = "committed-env-file";
pub const PRIVATE_KEY: &str = "committed-private-key";
pub const KEYSTORE: &str = "committed-keystore";
pub const SERVICE_ACCOUNT: &str = "committed-service-account-key";
pub const REGISTRY_AUTH: &str = "committed-registry-credentials";
pub const KUBECONFIG: &str = "committed-kubeconfig-credentials";
pub const TFSTATE: &str = "committed-terraform-state";
pub const GITIGNORE: &str = "gitignore-missing-env";

const NOT_COMMITTED: &str = "Delete the file from the repository (`git rm --cached FILE`), add it to `.gitignore`, and rotate every credential it held: it stays readable in git history, forks and clones. Keep such values in a secret manager or your CI system's encrypted secrets.";

pub const RULES: &[Meta] = &[
    Meta {
        id: ENV_FILE,
        name: "Environment file with values in the repository",
        description: "A `.env` file with real values is not ignored by git, so it is (or will be) committed. `.env` and `.env.local` are meant to stay on one machine; commit a `.env.example` with empty values instead.",
        severity: Severity::Medium,
        remediation: NOT_COMMITTED,
        references: &["https://12factor.net/config"],
        examples: &[
            (".env", "# local\nPORT=3000\nSESSION_SECRET={{alnum:24}}\n"),
            (".env.production", "API_URL=https://api.example.com\nDB_PASSWORD={{alnum:16}}\n"),
        ],
        negative_examples: &[
            (".env.example", "SESSION_SECRET=\nDB_PASSWORD=\n"),
            (".env.template", "STRIPE_SECRET_KEY=your-stripe-secret-key\n"),
            (".env", "# fill in\nSESSION_SECRET=\nDATABASE_URL=${DATABASE_URL}\n"),
            (".env.production", "NEXT_PUBLIC_API_URL=https://api.example.com\nLOG_LEVEL=info\n"),
        ],
    },
    Meta {
        id: PRIVATE_KEY,
        name: "Private key file in the repository",
        description: "A private key file (SSH, TLS, signing) is not ignored by git. Anyone with read access to the repository, its forks or clones can impersonate its owner.",
        severity: Severity::High,
        remediation: NOT_COMMITTED,
        references: &["https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/removing-sensitive-data-from-a-repository"],
        examples: &[
            ("deploy/id_ed25519", "{{pem:OPENSSH PRIVATE KEY}}\n"),
            ("certs/server.key", "{{pem:RSA PRIVATE KEY}}\n"),
        ],
        negative_examples: &[
            ("deploy/id_ed25519.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI user@host\n"),
            ("certs/server.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
        ],
    },
    Meta {
        id: KEYSTORE,
        name: "Keystore file in the repository",
        description: "A PKCS#12 / Java keystore (`.p12`, `.pfx`, `.jks`, `.keystore`) holds private keys and is not ignored by git; its password is usually weak or stored nearby.",
        severity: Severity::High,
        remediation: NOT_COMMITTED,
        references: &["https://developer.android.com/studio/publish/app-signing#secure-key"],
        examples: &[("android/app/release.jks", "binary"), ("certs/client.p12", "binary")],
        negative_examples: &[
            ("android/app/debug.keystore", "binary"),
            ("docs/keystore.md", "How to create a .jks file\n"),
        ],
    },
    Meta {
        id: SERVICE_ACCOUNT,
        name: "Cloud service-account key file in the repository",
        description: "A Google Cloud / Firebase service-account JSON key (with `private_key`) is not ignored by git. It grants the account's cloud permissions to anyone who reads it.",
        severity: Severity::Critical,
        remediation: NOT_COMMITTED,
        references: &["https://cloud.google.com/iam/docs/best-practices-for-managing-service-account-keys"],
        examples: &[(
            "firebase-adminsdk.json",
            "{\n  \"type\": \"service_account\",\n  \"project_id\": \"demo\",\n  \"private_key_id\": \"{{hex:40}}\",\n  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{{base64:64}}\\n-----END PRIVATE KEY-----\\n\",\n  \"client_email\": \"a@demo.iam.gserviceaccount.com\"\n}\n",
        )],
        negative_examples: &[(
            "sa.example.json",
            "{\n  \"type\": \"service_account\",\n  \"private_key\": \"\"\n}\n",
        )],
    },
    Meta {
        id: REGISTRY_AUTH,
        name: "Registry or git credentials file in the repository",
        description: "A credentials file (`.npmrc`, `.yarnrc.yml`, `.pypirc`, `.netrc`, `.git-credentials`, docker `config.json`) holds a literal token or password and is not ignored by git; it lets anyone publish packages or push as you.",
        severity: Severity::High,
        remediation: "Remove the literal credential and reference an environment variable instead (`//registry.npmjs.org/:_authToken=${NPM_TOKEN}`), untrack the file if it is personal, and revoke the token at the registry.",
        references: &["https://docs.npmjs.com/using-private-packages-in-a-ci-cd-workflow"],
        examples: &[
            (".npmrc", "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={{alnum:36}}\n"),
            (".pypirc", "[pypi]\nusername = __token__\npassword = pypi-{{alnum:60}}\n"),
            (".git-credentials", "https://octo:{{alnum:30}}@github.com\n"),
            (".docker/config.json", "{\"auths\": {\"ghcr.io\": {\"auth\": \"{{base64:40}}\"}}}\n"),
            (".netrc", "machine api.example.com login me password {{alnum:20}}\n"),
        ],
        negative_examples: &[
            (".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\nsave-exact=true\n"),
            (".docker/config.json", "{\"auths\": {}, \"credsStore\": \"desktop\"}\n"),
            ("src/config.json", "{\"auth\": \"oauth\"}\n"),
        ],
    },
    Meta {
        id: KUBECONFIG,
        name: "Kubeconfig with credentials in the repository",
        description: "A kubeconfig with a bearer token, client key or password is not ignored by git; it gives cluster access to anyone who reads it.",
        severity: Severity::High,
        remediation: NOT_COMMITTED,
        references: &["https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/"],
        examples: &[(
            "deploy/kubeconfig",
            "apiVersion: v1\nkind: Config\nclusters: []\nusers:\n- name: ci\n  user:\n    token: {{alnum:40}}\n",
        )],
        negative_examples: &[(
            "deploy/kubeconfig",
            "apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n    exec:\n      command: aws\n",
        )],
    },
    Meta {
        id: TFSTATE,
        name: "Terraform state in the repository",
        description: "Terraform state files hold every resource attribute in plain text, including generated passwords, keys and connection strings.",
        severity: Severity::High,
        remediation: "Move state to a remote backend with encryption and locking (S3, GCS, Terraform Cloud), `git rm --cached` the state files, ignore `*.tfstate*`, and rotate the secrets they held.",
        references: &["https://developer.hashicorp.com/terraform/language/state/sensitive-data"],
        examples: &[("infra/terraform.tfstate", "{\n  \"version\": 4,\n  \"resources\": []\n}\n")],
        negative_examples: &[("infra/main.tf", "terraform {\n  backend \"s3\" {}\n}\n")],
    },
    Meta {
        id: GITIGNORE,
        name: ".gitignore does not cover .env files",
        description: "The project uses `.env` files but the root `.gitignore` does not ignore `.env` (or `.env.local`), so the next `git add .` commits local secrets.",
        severity: Severity::Medium,
        remediation: "Add `.env` and `.env*.local` (or `.env*` with `!.env.example`) to the root `.gitignore`.",
        references: &["https://git-scm.com/docs/gitignore"],
        examples: &[(
            "",
            "==> .gitignore <==\nnode_modules/\n==> .env.example <==\nA=\n",
        )],
        negative_examples: &[
            ("", "==> .gitignore <==\nnode_modules/\n.env\n.env*.local\n==> .env.example <==\nA=\n"),
            ("", "==> .gitignore <==\n.env*\n!.env.example\n==> .env.example <==\nA=\n"),
            ("", "==> .gitignore <==\ntarget/\n==> src/main.rs <==\nfn main() {}\n"),
        ],
    },
];

/// Env files that are templates, meant to be committed.
fn is_template_env(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    [
        "example", "sample", "template", "tmpl", "tpl", "dist", "defaults", "schema", "vault",
        "test",
    ]
    .iter()
    .any(|w| l.split('.').any(|p| p == *w))
}

pub fn check(ctx: &FileCtx, out: &mut Vec<Hit>) {
    if !ctx.repo {
        return;
    }
    let name = ctx.name;
    let ext = ctx.ext();
    // name-only checks (binary files included)
    if matches!(ext, "p12" | "pfx" | "jks" | "keystore" | "bks") && name != "debug.keystore" {
        out.push(Hit::new(
            KEYSTORE,
            0,
            0,
            format!("keystore `{name}` is not ignored by git"),
        ));
        return;
    }
    if name.ends_with(".tfstate") || name.ends_with(".tfstate.backup") {
        if ctx.text().is_some_and(|t| !t.trim().is_empty()) {
            out.push(Hit::new(
                TFSTATE,
                0,
                0,
                format!("Terraform state `{name}` is not ignored by git"),
            ));
        }
        return;
    }
    // the checks below read the text: each asks for it once it knows the file is its kind
    if is_env_file(name) {
        if !is_template_env(name) {
            if let Some(text) = ctx.text() {
                env_values(ctx, text, out);
            }
        }
        return;
    }
    let key_name = matches!(name, "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519")
        || matches!(ext, "pem" | "key" | "p8" | "ppk" | "der" | "asc");
    if key_name {
        let Some(text) = ctx.text() else {
            return;
        };
        let found = memchr::memmem::find(text.as_bytes(), b"PRIVATE KEY-----")
            .or_else(|| memchr::memmem::find(text.as_bytes(), b"PuTTY-User-Key-File"))
            .or_else(|| memchr::memmem::find(text.as_bytes(), b"PRIVATE KEY BLOCK-----"));
        if let Some(i) = found {
            let ls = text[..i].rfind('\n').map_or(0, |j| j + 1);
            let le = text[i..].find('\n').map_or(text.len(), |j| i + j);
            out.push(Hit::new(
                PRIVATE_KEY,
                ls,
                le,
                format!("private key file `{name}` is not ignored by git"),
            ));
        }
        return;
    }
    if ext == "json" {
        let Some(text) = ctx.text() else {
            return;
        };
        service_account(text, out);
        if name == "config.json" && ctx.path.contains(".docker/") || name == ".dockercfg" {
            docker_auth(text, out);
        }
        return;
    }
    // credential files that hold `key = value` lines: (pattern, what a literal value is)
    let literal: Option<(&Regex, &str)> = match name {
        ".npmrc" => {
            static R: OnceLock<Regex> = OnceLock::new();
            let r = re(
                &R,
                r"(?m)^[ \t]*(?:\S*:)?(_authToken|_auth|_password)[ \t]*=[ \t]*([^\r\n]*)",
            );
            Some((r, "`.npmrc` holds a literal registry token"))
        }
        ".yarnrc.yml" | ".yarnrc.yaml" => {
            static R: OnceLock<Regex> = OnceLock::new();
            let r = re(
                &R,
                r"(?m)^[ \t]*(npmAuthToken|npmAuthIdent)[ \t]*:[ \t]*([^\r\n]*)",
            );
            Some((r, "`.yarnrc.yml` holds a literal registry token"))
        }
        ".pypirc" => {
            static R: OnceLock<Regex> = OnceLock::new();
            let r = re(&R, r"(?m)^[ \t]*(password)[ \t]*[=:][ \t]*([^\r\n]*)");
            Some((r, "`.pypirc` holds a literal password or token"))
        }
        ".netrc" | "_netrc" => {
            static R: OnceLock<Regex> = OnceLock::new();
            let r = re(&R, r"\b(password)[ \t]+(\S+)");
            Some((r, "`.netrc` holds a literal password"))
        }
        ".git-credentials" => {
            static R: OnceLock<Regex> = OnceLock::new();
            let r = re(&R, r"(?m)^[ \t]*(\w+://[^:/\s@]+):([^@\s]+)@");
            Some((r, "`.git-credentials` holds a literal password or token"))
        }
        _ => None,
    };
    if let Some((r, what)) = literal {
        let Some(text) = ctx.text() else {
            return;
        };
        literal_values(text, r, what, out);
    }
    let kube_name =
        name == "kubeconfig" || name.ends_with(".kubeconfig") || ctx.path.ends_with(".kube/config");
    if !kube_name && !matches!(ext, "yml" | "yaml") {
        return;
    }
    let Some(text) = ctx.text() else {
        return;
    };
    if kube_name || text.contains("kind: Config") {
        if !text.contains("clusters:") && !text.contains("users:") {
            return;
        }
        static R: OnceLock<Regex> = OnceLock::new();
        let r = re(
            &R,
            r"(?m)^[ \t]*(token|client-key-data|password)[ \t]*:[ \t]*([^\r\n]*)",
        );
        for c in r.captures_iter(text) {
            let (k, v) = (c.get(1).expect("group"), c.get(2).expect("group"));
            let val = clean_value(v.as_str());
            if val.is_empty() || is_reference(val) || val.len() < 8 {
                continue;
            }
            out.push(
                Hit::new(
                    KUBECONFIG,
                    k.start(),
                    k.end(),
                    format!("kubeconfig holds a literal `{}`", k.as_str()),
                )
                .masking(v.start(), v.end()),
            );
        }
    }
}

/// Values in a committed `.env`: any literal for `.env` / `*.local`, secret-named ones for
/// mode files (`.env.production` may legitimately hold public settings).
fn env_values(ctx: &FileCtx, text: &str, out: &mut Vec<Hit>) {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = re(
        &R,
        r"(?m)^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.\-]*)[ \t]*=[ \t]*([^\r\n]*)",
    );
    let any_value = ctx.name == ".env" || ctx.name.ends_with(".local");
    for c in r.captures_iter(text) {
        let (k, v) = (c.get(1).expect("group"), c.get(2).expect("group"));
        let val = clean_value(v.as_str());
        if val.is_empty()
            || is_reference(val)
            || crate::filters::placeholder_reason(val, false).is_some()
        {
            continue;
        }
        let public = k.as_str().contains("PUBLIC_") || k.as_str().starts_with("VITE_");
        let secretish = crate::filters::is_secret_name(k.as_str());
        if (any_value && !public) || secretish {
            out.push(
                Hit::new(
                    ENV_FILE,
                    k.start(),
                    k.end(),
                    format!(
                        "`{}` is not ignored by git and sets `{}` (first value of the file)",
                        ctx.name,
                        k.as_str()
                    ),
                )
                .masking(v.start(), v.end()),
            );
            return; // one finding per file
        }
    }
}

fn literal_values(text: &str, r: &Regex, message: &str, out: &mut Vec<Hit>) {
    for c in r.captures_iter(text) {
        let (k, v) = (c.get(1).expect("group"), c.get(2).expect("group"));
        let val = clean_value(v.as_str());
        if val.is_empty() || is_reference(val) {
            continue;
        }
        out.push(Hit::new(REGISTRY_AUTH, k.start(), k.end(), message).masking(v.start(), v.end()));
    }
}

fn service_account(text: &str, out: &mut Vec<Hit>) {
    static TYPE: OnceLock<Regex> = OnceLock::new();
    static KEY: OnceLock<Regex> = OnceLock::new();
    if !re(&TYPE, r#""type"\s*:\s*"service_account""#).is_match(text) {
        return;
    }
    let key = re(&KEY, r#""private_key"\s*:\s*"([^"]*)""#);
    if let Some(c) = key.captures(text) {
        let v = c.get(1).expect("group");
        if v.as_str().contains("PRIVATE KEY") {
            let m = c.get(0).expect("match");
            out.push(
                Hit::new(
                    SERVICE_ACCOUNT,
                    m.start(),
                    m.start() + "\"private_key\"".len(),
                    "service-account key file with a private key is not ignored by git",
                )
                .masking(v.start(), v.end()),
            );
        }
    }
}

fn docker_auth(text: &str, out: &mut Vec<Hit>) {
    static R: OnceLock<Regex> = OnceLock::new();
    let r = re(&R, r#""(auth|identitytoken|password)"\s*:\s*"([^"]+)""#);
    for c in r.captures_iter(text) {
        let (k, v) = (c.get(1).expect("group"), c.get(2).expect("group"));
        out.push(
            Hit::new(
                REGISTRY_AUTH,
                k.start() - 1,
                k.end() + 1,
                "docker `config.json` holds registry credentials",
            )
            .masking(v.start(), v.end()),
        );
    }
}

/// The `.gitignore` check over the whole walk: for each root `.gitignore` (given as
/// `(display path, text)`) of a project that has `.env*` files, whether `.env` and
/// `.env.local` are ignored.
pub fn gitignore_check(
    roots: &[PathBuf],
    gitignores: &[(String, String)],
    env_files: &[String],
) -> Vec<(String, String, Hit)> {
    let mut out = Vec::new();
    for (path, text) in gitignores {
        let dir = path.strip_suffix(".gitignore").unwrap_or("");
        let at_root = if roots.is_empty() {
            dir.is_empty()
        } else {
            roots.iter().any(|r| {
                let d = crate::paths::display_path(r);
                let d = d.trim_end_matches('/');
                (d == "." || d.is_empty()) && dir.is_empty() || dir.trim_end_matches('/') == d
            })
        };
        if !at_root || !env_files.iter().any(|e| e.starts_with(dir)) {
            continue;
        }
        let mut b = ignore::gitignore::GitignoreBuilder::new("/r");
        for line in text.lines() {
            let _ = b.add_line(None, line);
        }
        let Ok(gi) = b.build() else {
            continue;
        };
        let missing: Vec<&str> = [".env", ".env.local"]
            .into_iter()
            .filter(|n| {
                !gi.matched_path_or_any_parents(format!("/r/{n}"), false)
                    .is_ignore()
            })
            .collect();
        if missing.is_empty() {
            continue;
        }
        let first_end = text.find(['\r', '\n']).unwrap_or(text.len());
        out.push((
            path.clone(),
            text.clone(),
            Hit::new(
                GITIGNORE,
                0,
                first_end,
                format!(
                    "the project has .env files but this .gitignore does not ignore {}",
                    missing
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            ),
        ));
    }
    out
}
