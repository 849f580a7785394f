//! Recall on the syntaxes real configuration uses for passwords and keys (issue #13): files of
//! several types with freshly generated values, scanned by the real binary; the exact
//! (path, line, rule) findings are asserted, and a tree of placeholders must stay quiet.

use std::collections::{BTreeMap, BTreeSet};

use leakgate::examples::{expand, Rng};

#[path = "support/run.rs"]
mod run;
use run::leakgate;

/// A Django key: `get_random_secret_key()`'s alphabet without `$` and `%` (so no draw reads
/// as `$(cmd)` or `%(name)s`), ending in a bracket the generic value class used to stop at.
const DJANGO: &str = "{{chars:abcdefghijklmnopqrstuvwxyz0123456789!@#^&*(-_=+):49}})";
/// A random (version 4) UUID, the shape of Heroku API keys and legacy npm tokens.
const UUID: &str = "{{hex:8}}-{{hex:4}}-4{{hex:3}}-a{{hex:3}}-{{hex:12}}";
/// A WordPress key or salt: 64 characters of the secret-key service's alphabet.
const WORDPRESS: &str =
    "{{chars:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#^&*()-_[]~+=,;:/?|:64}}";

/// (file, line template, rule id expected on that line or "" for context / a hard negative).
fn plants() -> Vec<(&'static str, String, &'static str)> {
    let p = |f: &'static str, t: &str, r: &'static str| (f, t.to_string(), r);
    vec![
        // .env: short password names, framework keys
        p(".env", "DB_PASS={{alnum:14}}{{digits:2}}", "generic-secret-assignment"),
        p(".env", "MYSQL_ROOT_PASS=\"{{alnum:12}}{{digits:2}}\"", "generic-secret-assignment"),
        p(".env", "SMTP_PWD={{alnum:12}}{{digits:2}}", "generic-secret-assignment"),
        p(".env", "APP_KEY=base64:{{base64:43}}=", "laravel-app-key"),
        p(".env", "APP_SECRET={{hex:32}}", "symfony-app-secret"),
        p(".env", "NEXTAUTH_SECRET={{base64:43}}=", "nextauth-secret"),
        p(".env", "SECRET_KEY_BASE={{hex:128}}", "rails-secret-key-base"),
        p(".env", &format!("WEBHOOK_SECRET={UUID}"), "generic-secret-assignment"),
        p(".env", &format!("REQUEST_ID={UUID}"), ""),
        p(".env", "DB_PASS=${DB_PASS}", ""),
        // PHP: define(), $dbpasswd, WordPress keys and salts
        p("config.php", "<?php", ""),
        p("config.php", "define('DB_PASSWORD', '{{alnum:12}}{{digits:2}}');", "generic-php-define-secret"),
        p("config.php", "$dbpasswd = '{{alnum:12}}{{digits:2}}';", "generic-secret-assignment"),
        p("config.php", "$db_pass = \"{{alnum:12}}{{digits:2}}\";", "generic-secret-assignment"),
        p("config.php", &format!("define( 'AUTH_KEY',         '{WORDPRESS}' );"), "wordpress-auth-key"),
        p("config.php", &format!("define( 'NONCE_SALT',       '{WORDPRESS}' );"), "wordpress-auth-key"),
        p("config.php", "define( 'DB_NAME', 'wordpress' );", ""),
        // Python: Django and Flask keys, a generic secret with brackets
        p("settings.py", &format!("SECRET_KEY = 'django-insecure-{DJANGO}'"), "django-secret-key"),
        p("settings.py", "app.secret_key = '{{hex:64}}'", "flask-secret-key"),
        p("settings.py", "EMAIL_HOST_PASSWORD = '{{alnum:6}}({{alnum:6}}){{digits:2}}'", "generic-secret-quoted-punctuation"),
        p("settings.py", "DEBUG = False", ""),
        // Gradle and .esmtprc: `name "value"` without `=`
        p("build.gradle", "android {", ""),
        p("build.gradle", "    signingConfigs {", ""),
        p("build.gradle", "        release {", ""),
        p("build.gradle", "            storePassword '{{alnum:12}}{{digits:2}}'", "generic-secret-space-assignment"),
        p("build.gradle", "            keyPassword \"{{alnum:12}}{{digits:2}}\"", "generic-secret-space-assignment"),
        p("build.gradle", "        }", ""),
        p("build.gradle", "    }", ""),
        p("build.gradle", "}", ""),
        p(".esmtprc", "identity \"deploy@mail.internal.test\"", ""),
        p(".esmtprc", "  hostname smtp.internal.test:587", ""),
        p(".esmtprc", "  username \"deploy\"", ""),
        p(".esmtprc", "  password \"{{alnum:12}}{{digits:2}}\"", "generic-secret-space-assignment"),
        // Terraform: a password inside a multi-line block
        p("main.tf", "resource \"aws_db_instance\" \"main\" {", ""),
        p("main.tf", "  engine   = \"postgres\"", ""),
        p("main.tf", "  username = \"app\"", ""),
        p("main.tf", "  password = \"{{alnum:14}}{{digits:2}}\"", "generic-secret-assignment"),
        p("main.tf", "}", ""),
        // YAML: the provider is the parent key
        p("config.yml", "mistral:", ""),
        p("config.yml", "  api_key: {{alnum:32}}", "generic-secret-assignment"),
        p("config.yml", "  model: mistral-large-latest", ""),
        p("config.yml", "jenkins:", ""),
        p("config.yml", &format!("  jenkinsToken: {UUID}"), "generic-secret-assignment"),
        p("config.yml", &format!("  session_token: {UUID}"), ""),
        p("config.yml", "database:", ""),
        p("config.yml", "  pass: {{alnum:12}}{{digits:2}}", "generic-secret-assignment"),
        // shell: credentials on command lines
        p("deploy.sh", "#!/bin/sh", ""),
        p("deploy.sh", "curl -fsS -u deploy:{{alnum:14}}{{digits:2}} https://ci.internal.test/api/json", "curl-user-password"),
        p("deploy.sh", "mysql -h db.internal.test -u app -p{{alnum:12}}{{digits:2}} shop < schema.sql", "mysql-password-option"),
        p("deploy.sh", "sshpass -p '{{alnum:12}}{{digits:2}}' ssh deploy@10.0.4.12 'systemctl restart app'", "sshpass-password"),
        p("deploy.sh", "docker run -d -e POSTGRES_PASSWORD={{alnum:14}}{{digits:2}} postgres:16", "docker-env-secret"),
        p("deploy.sh", "htpasswd -b /etc/nginx/.htpasswd admin {{alnum:12}}{{digits:2}}", "htpasswd-batch-password"),
        p("deploy.sh", "mysql -h db.internal.test -u app -p shop", ""),
        // PowerShell and PsExec
        p("run.ps1", "Connect-VIServer -Server vc01.corp.test -User admin -Password '{{alnum:12}}{{digits:2}}'", "powershell-password-parameter"),
        p("run.ps1", "$pw = ConvertTo-SecureString '{{alnum:12}}{{digits:2}}' -AsPlainText -Force", "powershell-password-parameter"),
        p("run.ps1", "psexec \\\\srv-app01 -u CORP\\svc -p {{alnum:12}}{{digits:2}} cmd /c deploy.bat", "psexec-password"),
        p("run.ps1", "$cred = Get-Credential", ""),
        // FileZilla site manager
        p("sitemanager.xml", "<Server><Host>ftp.internal.test</Host><User>deploy</User><Pass encoding=\"base64\">{{alnum:19}}=</Pass></Server>", "filezilla-saved-password"),
    ]
}

/// Placeholders in the same syntaxes: none may be reported.
const PLACEHOLDERS: &[(&str, &str)] = &[
    ("quiet/.env", "DB_PASS=changeme"),
    ("quiet/.env", "SMTP_PWD=password123"),
    ("quiet/.env", "MYSQL_ROOT_PASS=your-password-here"),
    ("quiet/.env", "APP_KEY="),
    ("quiet/.env", "APP_SECRET=ThisTokenIsNotSoSecretChangeIt"),
    ("quiet/.env", "NEXTAUTH_SECRET=${NEXTAUTH_SECRET}"),
    ("quiet/.env", "pass=xxxxxxxxxxxx"),
    ("quiet/config.php", "<?php"),
    (
        "quiet/config.php",
        "define('DB_PASSWORD', 'password_here');",
    ),
    (
        "quiet/config.php",
        "define( 'AUTH_KEY',         'put your unique phrase here' );",
    ),
    ("quiet/config.php", "$dbpasswd = '<password>';"),
    (
        "quiet/settings.py",
        "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']",
    ),
    (
        "quiet/settings.py",
        "DATABASES = {'default': {'PASSWORD': '%(db_password)s'}}",
    ),
    ("quiet/settings.py", "app.secret_key = 'dev'"),
    (
        "quiet/build.gradle",
        "storePassword System.getenv('STORE_PASSWORD')",
    ),
    ("quiet/build.gradle", "keyPassword 'hunter2'"),
    ("quiet/.esmtprc", "  password \"changeme\""),
    ("quiet/main.tf", "  password = var.db_password"),
    ("quiet/config.yml", "mistral:"),
    ("quiet/config.yml", "  api_key: your-mistral-api-key-here"),
    ("quiet/config.yml", "  pass: ${DB_PASS}"),
    (
        "quiet/config.yml",
        "  auth_token: 123e4567-e89b-12d3-a456-426614174000",
    ),
    (
        "quiet/config.yml",
        "  api_key: 550e8400-e29b-41d4-a716-446655440000",
    ),
    ("quiet/sitemanager.xml", "<Pass></Pass>"),
    (
        "quiet/deploy.sh",
        "curl -u \"$USER:$PASS\" https://api.internal.test",
    ),
    (
        "quiet/deploy.sh",
        "mysql -uroot -p\"$MYSQL_ROOT_PASSWORD\" -e 'SELECT 1'",
    ),
    ("quiet/deploy.sh", "sshpass -p 'password' ssh user@host"),
    (
        "quiet/deploy.sh",
        "docker run -e POSTGRES_PASSWORD=mysecretpassword postgres",
    ),
    (
        "quiet/deploy.sh",
        "htpasswd -b .htpasswd admin \"$ADMIN_PASSWORD\"",
    ),
    (
        "quiet/run.ps1",
        "Connect-VIServer -Server vc -User admin -Password $env:VC_PASSWORD",
    ),
    (
        "quiet/run.ps1",
        "$pw = ConvertTo-SecureString 'P@ssw0rd' -AsPlainText -Force",
    ),
    ("quiet/run.ps1", "psexec \\\\host -u user -p <password> cmd"),
];

/// Write `files` under `dir`, one line per entry, in order.
fn write(dir: &std::path::Path, files: &BTreeMap<&str, Vec<String>>) {
    for (path, lines) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, lines.join("\n") + "\n").unwrap();
    }
}

fn scan(dir: &std::path::Path) -> BTreeSet<(String, u32, String)> {
    let (code, out, err) = leakgate(&["scan", ".", "--no-lint", "--format", "json", "-q"], dir);
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    run::path_line_rule(&out)
}

#[test]
fn finds_passwords_and_keys_in_every_syntax() {
    for seed in [13, 0xBEEF, 0x5EED] {
        let dir = tempfile::tempdir().unwrap();
        let mut rng = Rng::new(seed);
        let mut files: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let mut expected = BTreeSet::new();
        for (path, template, rule) in plants() {
            let lines = files.entry(path).or_default();
            lines.push(expand(&template, &mut rng).unwrap());
            if !rule.is_empty() {
                expected.insert((path.to_string(), lines.len() as u32, rule.to_string()));
            }
        }
        write(dir.path(), &files);
        let got = scan(dir.path());
        let missing: Vec<_> = expected.difference(&got).collect();
        let extra: Vec<_> = got.difference(&expected).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "seed {seed}\nmissing: {missing:#?}\nunexpected: {extra:#?}"
        );
    }
}

#[test]
fn placeholders_in_the_same_syntaxes_stay_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let mut files: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (path, line) in PLACEHOLDERS {
        files.entry(path).or_default().push(line.to_string());
    }
    write(dir.path(), &files);
    let got = scan(dir.path());
    assert!(got.is_empty(), "placeholders reported: {got:#?}");
}
