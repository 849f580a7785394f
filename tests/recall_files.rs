//! End-to-end recall on the files tools write credentials to (netrc, pgpass, git credential
//! store, IDE and FTP site lists, a browser profile, WireGuard, Vault init output, Rails keys),
//! URL credentials with reserved characters in the password, and password hashes: each file
//! is written with fresh random values, the real binary scans the tree, and the exact
//! (path, line, rule) findings are asserted. Placeholder twins of the same files (under
//! `twins/`, whose names still match the rules' `paths`) must give nothing. Private keys under
//! a PEM header of another key type are keys too.

use std::collections::BTreeSet;

use leakgate::examples::{expand, Rng};

#[path = "support/run.rs"]
mod run;
use run::leakgate;

/// (line, rule id) of a finding expected in a file.
type Want = &'static [(u32, &'static str)];

/// (file, template of its whole text, findings expected).
const FILES: &[(&str, &str, Want)] = &[
    (
        "home/.netrc",
        "machine api.{{lower:8}}.com\n  login {{lower:6}}\n  password {{alnum:24}}\n\nmachine ftp.{{lower:6}}.org login {{lower:5}} password {{alnum:16}}\n",
        &[(3, "netrc-password"), (5, "netrc-password")],
    ),
    (
        "win/_netrc",
        "machine git.{{lower:6}}.io login {{lower:6}}@{{lower:6}}.com password {{alnum:32}}\n",
        &[(1, "netrc-password")],
    ),
    (
        "home/.pgpass",
        "# hostname:port:database:username:password\ndb.{{lower:8}}.internal:5432:orders:{{lower:6}}:{{alnum:18}}\n*:*:*:replicator:{{alnum:8}}\\:{{alnum:8}}\n",
        &[(2, "pgpass-password"), (3, "pgpass-password")],
    ),
    (
        "home/.git-credentials",
        "https://{{lower:6}}:{{alnum:40}}@github.com\nhttps://{{lower:6}}@{{lower:6}}.com:{{alnum:12}}@{{alnum:6}}@gitlab.{{lower:6}}.io\n",
        &[(1, "git-credentials-password"), (2, "git-credentials-password")],
    ),
    (
        "web/.npmrc",
        "registry=https://npm.{{lower:6}}.io/\n//npm.{{lower:6}}.io/:_auth={{base64:32}}\n//nexus.{{lower:6}}.io/repository/npm/:_password={{base64:24}}\n",
        &[(2, "npmrc-auth-token"), (3, "npmrc-auth-token")],
    ),
    (
        "site/.idea/webServers.xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component name=\"WebServers\">\n    <option name=\"servers\">\n      <webServer id=\"{{hex:8}}\" name=\"prod\">\n        <fileTransfer host=\"ftp.{{lower:6}}.com\" port=\"21\" rootFolder=\"/www\" accessType=\"FTP\" login=\"{{lower:6}}\" password=\"{{hex:32}}\" />\n      </webServer>\n    </option>\n  </component>\n</project>\n",
        &[(6, "jetbrains-webservers-password")],
    ),
    (
        "FileZilla/sitemanager.xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FileZilla3>\n  <Servers>\n    <Server>\n      <Host>ftp.{{lower:8}}.com</Host>\n      <Port>21</Port>\n      <User>{{lower:6}}</User>\n      <Pass encoding=\"base64\">{{base64:20}}</Pass>\n    </Server>\n  </Servers>\n</FileZilla3>\n",
        &[(8, "filezilla-saved-password")],
    ),
    (
        "FileZilla/recentservers.xml",
        "<FileZilla3>\n  <RecentServers>\n    <Server><Host>{{lower:8}}.net</Host><User>{{lower:5}}</User><Pass>{{alnum:14}}</Pass></Server>\n  </RecentServers>\n</FileZilla3>\n",
        &[(3, "filezilla-saved-password")],
    ),
    (
        "backup/{{lower:8}}.default-release/logins.json",
        "{\"nextId\":3,\"logins\":[\n{\"id\":1,\"hostname\":\"https://{{lower:8}}.com\",\"encryptedUsername\":\"MDoEEPgAAAAAAAAAAAAAAAAAAAEwFAYIKoZIhvcNAwcECA{{base64:24}}\",\"encryptedPassword\":\"MEIEEPgAAAAAAAAAAAAAAAAAAAEwFAYIKoZIhvcNAwcECA{{base64:32}}\",\"encType\":1},\n{\"id\":2,\"hostname\":\"https://{{lower:6}}.org\",\"encryptedPassword\":\"MDoEEPgAAAAAAAAAAAAAAAAAAAEwFAYIKoZIhvcNAwcECA{{base64:24}}\",\"encType\":1}\n]}\n",
        &[(2, "firefox-saved-logins")],
    ),
    (
        "vpn/wg0.conf",
        "[Interface]\nAddress = 10.8.0.2/24\nPrivateKey = {{base64:42}}{{chars:AEIMQUYcgkosw048:1}}=\n\n[Peer]\nPublicKey = {{base64:42}}{{chars:AEIMQUYcgkosw048:1}}=\nPresharedKey = {{base64:42}}{{chars:AEIMQUYcgkosw048:1}}=\nEndpoint = vpn.{{lower:6}}.net:51820\n",
        &[(3, "wireguard-private-key"), (7, "wireguard-private-key")],
    ),
    (
        "ops/vault-init.txt",
        "Unseal Key 1: {{base64:44}}\nUnseal Key 2: {{base64:44}}\nUnseal Key 3: {{base64:44}}\n\nInitial Root Token: hvs.{{alnum:24}}\n\nVault initialized with 3 key shares and a key threshold of 2.\n",
        &[
            (1, "vault-unseal-key"),
            (2, "vault-unseal-key"),
            (3, "vault-unseal-key"),
            (5, "vault-service-token"),
        ],
    ),
    (
        "ops/old-vault-init.txt",
        "Unseal Key 1: {{hex:66}}\nInitial Root Token: s.{{alnum:24}}\n",
        &[(1, "vault-unseal-key"), (2, "vault-initial-root-token")],
    ),
    (
        "shop/config/master.key",
        "{{hex:32}}",
        &[(1, "rails-master-key")],
    ),
    (
        "shop/config/credentials/production.key",
        "{{hex:32}}\n",
        &[(1, "rails-master-key")],
    ),
    (
        "deploy/settings.env",
        "DATABASE_URL=postgres://app:{{alnum:8}}@{{alnum:8}}@db.{{lower:6}}.internal:5432/app\nMONGO_URL=mongodb+srv://svc:{{alnum:10}}#{{alnum:4}}@cluster0.{{lower:5}}.mongodb.net/db\nREDIS_URL=rediss://default:{{alnum:6}}:{{alnum:6}}@@cache.{{lower:6}}:6380\nLDAP_URI=ldaps://cn=svc:{{alnum:10}}!{{alnum:4}}@dc01.{{lower:6}}.local\nHTTPS_PROXY=http://me@{{lower:6}}.com:{{alnum:8}}@{{alnum:4}}@proxy.{{lower:6}}:3128\nAMQP_URL=amqp://{{lower:6}}:{{alnum:8}}$?{{alnum:4}}@mq.{{lower:6}}/vhost\n",
        &[
            (1, "postgres-url-password"),
            (2, "mongodb-url-password"),
            (3, "redis-url-password"),
            (4, "ldap-url-password"),
            (5, "http-basic-auth-url"),
            (6, "amqp-url-password"),
        ],
    ),
    (
        "image/etc/shadow",
        "root:$6${{alnum:16}}${{alnum:86}}:19740:0:99999:7:::\ndaemon:*:19740:0:99999:7:::\n{{lower:6}}:$y$j9T${{alnum:22}}${{alnum:43}}:19740:0:99999:7:::\nold:$1${{alnum:8}}${{alnum:22}}:18000:0:99999:7:::\nsvc:$5$rounds=80000${{alnum:12}}${{alnum:43}}:19000::::::\n",
        &[
            (1, "sha-crypt-hash"),
            (3, "yescrypt-hash"),
            (4, "md5-crypt-hash"),
            (5, "sha-crypt-hash"),
        ],
    ),
    (
        "web/.htpasswd",
        "{{lower:6}}:$apr1${{alnum:8}}${{alnum:22}}\n{{lower:5}}:$2y$05${{alnum:53}}\n",
        &[(1, "md5-crypt-hash"), (2, "bcrypt-hash")],
    ),
    (
        "db/dump.sql",
        "-- MySQL dump\nINSERT INTO `users` (`id`, `email`, `password`) VALUES (1,'{{lower:6}}@{{lower:6}}.com','$2y$10${{alnum:53}}'),(2,'{{lower:6}}@{{lower:6}}.com','$2b$12${{alnum:53}}');\n",
        &[(2, "bcrypt-hash")],
    ),
    (
        "net/core-sw1.cfg",
        "hostname core-sw1\nenable secret 9 $9${{alnum:14}}${{alnum:43}}\nusername {{lower:6}} privilege 15 secret 8 $8${{alnum:14}}${{alnum:43}}\n",
        &[(2, "cisco-type8-type9-secret"), (3, "cisco-type8-type9-secret")],
    ),
    (
        "loot/asrep.txt",
        "$krb5asrep$23${{lower:6}}@{{upper:6}}.LOCAL:{{hex:32}}${{hex:300}}\n",
        &[(1, "kerberos-roast-hash")],
    ),
    (
        "keys/deploy_rsa",
        "-----BEGIN RSA PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACA{{base64:57}}\n{{base64:70}}\n{{base64:70}}\n{{base64:20}}AAAAAAECAwQF\n-----END RSA PRIVATE KEY-----\n",
        &[(1, "rsa-private-key")],
    ),
    (
        "keys/id_ed25519",
        "{{pem:OPENSSH PRIVATE KEY}}\n",
        &[(1, "openssh-private-key")],
    ),
];

/// Placeholder twins: real file names, documented or templated values. No finding at all.
const TWINS: &[(&str, &str)] = &[
    (
        "twins/.netrc",
        "machine api.heroku.com\n  login me@example.com\n  password $HEROKU_API_KEY\nmachine github.com login octocat password ${GITHUB_TOKEN}\n",
    ),
    (
        "twins/.pgpass",
        "# hostname:port:database:username:password\nlocalhost:5432:*:postgres:postgres\n*:*:*:app:changeme\n",
    ),
    (
        "twins/.git-credentials",
        "https://x-access-token:${GITHUB_TOKEN}@github.com\nhttps://user:password@github.com\n",
    ),
    (
        "twins/.npmrc",
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
    ),
    (
        "twins/.idea/webServers.xml",
        "<fileTransfer host=\"sftp.example.com\" accessType=\"SFTP\" keyPair=\"true\" login=\"deploy\" />\n",
    ),
    (
        "twins/FileZilla/sitemanager.xml",
        "<Server>\n  <Host>ftp.example.com</Host>\n  <Pass encoding=\"crypt\" pubkey=\"{{base64:88}}\">{{base64:60}}</Pass>\n</Server>\n",
    ),
    (
        "twins/profile/logins.json",
        "{\"nextId\":1,\"logins\":[],\"potentiallyVulnerablePasswords\":[],\"version\":3}\n",
    ),
    (
        "twins/wg0.conf",
        "[Interface]\nPrivateKey = <client private key>\n[Peer]\nPublicKey = {{base64:42}}{{chars:AEIMQUYcgkosw048:1}}=\n",
    ),
    (
        "twins/vault-init.txt",
        "Unseal Key 1: <unseal key 1>\nInitial Root Token: <root token>\n",
    ),
    (
        "twins/settings.env",
        "DATABASE_URL=postgres://db.internal:5432?email=admin@example.com\nLINK=http://localhost:8080?email=me@example.com\nMONGO_URL=mongodb+srv://<user>:<p@ssword>@cluster0.mongodb.net/\nLDAP_URL=ldap://cn=admin:admin@localhost\n",
    ),
    (
        "twins/etc/shadow",
        "root:!:19740:0:99999:7:::\ndaemon:*:19740:0:99999:7:::\nroot:$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1:1::::::\n",
    ),
    (
        "twins/app.js",
        "s = s.replace(/(a)(b)/, '$1$2').replace(/(x)/, '$6$5$4');\nconst BCRYPT = '$2b$';\n",
    ),
    (
        "twins/keys/deploy_rsa",
        "-----BEGIN RSA PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACA{{base64:57}}\n-----END RSA PRIVATE KEY-----\n-----BEGIN OPENSSH PRIVATE KEY-----\n...\n-----END OPENSSH PRIVATE KEY-----\n",
    ),
    ("twins/config/master.key", "00000000000000000000000000000000\n"),
    // a 32-hex value outside config/ is not a Rails key
    ("twins/checksums/master.key", "{{hex:32}}\n"),
    ("twins/notes.pgpass.txt", "db.internal:5432:orders:app:{{alnum:18}}\n"),
];

struct Tree {
    dir: tempfile::TempDir,
    expected: BTreeSet<(String, u32, String)>,
}

fn build(seed: u64) -> Tree {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(seed);
    let mut expected = BTreeSet::new();
    let files = FILES.iter().map(|(p, t, e)| (*p, *t, *e));
    let twins = TWINS.iter().map(|(p, t)| (*p, *t, &[][..]));
    for (path, template, want) in files.chain(twins) {
        let path = expand(path, &mut rng).unwrap();
        let text = expand(template, &mut rng).unwrap();
        let p = dir.path().join(&path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        for (line, rule) in want {
            expected.insert((path.clone(), *line, rule.to_string()));
        }
    }
    Tree { dir, expected }
}

fn findings(json: &str) -> BTreeSet<(String, u32, String)> {
    run::path_line_rule(json)
}

#[test]
fn finds_credentials_in_the_files_tools_write_and_nothing_in_their_twins() {
    for seed in [3, 1234, 0xBEEF] {
        let t = build(seed);
        let (_, out, err) = leakgate(
            &["scan", ".", "--format", "json", "--fail-on", "none"],
            t.dir.path(),
        );
        let got = findings(&out);
        // the password hashes (severity info) alone do not fail the default `--fail-on low`
        let hashes = tempfile::tempdir().unwrap();
        for (path, text, _) in FILES.iter().filter(|f| {
            f.2.iter()
                .all(|(_, r)| r.ends_with("-hash") || r.ends_with("-secret"))
        }) {
            let p = hashes.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, expand(text, &mut Rng::new(seed)).unwrap()).unwrap();
        }
        let (code, out_h, _) = leakgate(&["scan", ".", "--format", "json"], hashes.path());
        assert_eq!(code, 0, "info findings do not fail the scan");
        assert_eq!(findings(&out_h).len(), 10, "seed {seed}: {out_h}");
        let (code, _, _) = leakgate(&["scan", ".", "--fail-on", "info", "-q"], hashes.path());
        assert_eq!(code, 1, "--fail-on info fails on them");
        let missing: Vec<_> = t.expected.difference(&got).collect();
        let extra: Vec<_> = got.difference(&t.expected).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "seed {seed}\nmissing: {missing:#?}\nunexpected: {extra:#?}\nstderr: {err}"
        );
    }
}
