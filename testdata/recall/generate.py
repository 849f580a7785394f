#!/usr/bin/env python3
"""Recall corpus: realistic credentials in the syntaxes and file formats real repositories use.

    python3 testdata/recall/generate.py OUTDIR [--seed N]

writes a tree of small files under OUTDIR and OUTDIR/../recall-manifest.json, the list of what
was planted. Every value is random characters in the shape the provider, framework or tool
documents (prefixes, lengths, alphabets, encodings); none was ever issued by anyone, and none
is committed: the files are generated at run time. Each case is planted COPIES times with fresh
values, in a directory of its own, so a file name that matters (`.netrc`, `config/master.key`)
is the real one.

Categories follow issue #13 ("what is missed today"): password assignments in many syntaxes,
command lines, credential file formats, framework secrets, UUID-shaped secrets under strong
names, URL credentials with reserved characters, PEM under a mismatched header, provider
formats, and password hashes. `negative/*` cases are placeholders, public identifiers and
ciphertext that must stay quiet; a finding on one is a false alarm.

`bench/benchlib/recall.py` runs the tools on this corpus and scores recall per category with
the accuracy corpus's matcher (a finding in the same file reporting the planted value).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import shutil
import string
import struct
import uuid as uuidlib
from pathlib import Path
from typing import Callable

SEED = 20261207
COPIES = 3

UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
DIGITS = string.digits
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = string.ascii_letters + string.digits + "+/"
B64URL = string.ascii_letters + string.digits + "-_"
CRYPT64 = "./" + string.digits + string.ascii_uppercase + string.ascii_lowercase


def rs(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def password(rng: random.Random, symbols: str = "!#%*+-._~@^") -> str:
    """A realistic strong password: letters, digits and some symbols, 12 to 20 characters,
    with at least one of each class."""
    n = rng.randrange(12, 21)
    chars = [rng.choice(UPPER), rng.choice(LOWER), rng.choice(DIGITS), rng.choice(symbols)]
    chars += [rng.choice(ALNUM + symbols) for _ in range(n - 4)]
    rng.shuffle(chars)
    return "".join(chars)


def uuid4(rng: random.Random) -> str:
    return str(uuidlib.UUID(bytes=rng.randbytes(16), version=4))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def pem(label: str, der: bytes) -> str:
    b = b64(der)
    return f"-----BEGIN {label}-----\n" + "\n".join(b[i:i + 64] for i in range(0, len(b), 64)) \
        + f"\n-----END {label}-----"


def ssh_string(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


def openssh_blob(rng: random.Random) -> bytes:
    pub = ssh_string(b"ssh-ed25519") + ssh_string(rng.randbytes(32))
    check = rng.randbytes(4)
    priv = check + check + pub + ssh_string(rng.randbytes(64)) + ssh_string(b"ops@build") + bytes(range(1, 6))
    return (b"openssh-key-v1\x00" + ssh_string(b"none") + ssh_string(b"none") + ssh_string(b"")
            + struct.pack(">I", 1) + ssh_string(pub) + ssh_string(priv))


def rsa_pkcs1_der(rng: random.Random) -> bytes:
    return bytes.fromhex("308204a40201000282010100") + rng.randbytes(1180)


def pem_token(text: str) -> str:
    """A distinctive piece of a PEM body, past the fixed ASN.1 or openssh prefix."""
    body = [ln for ln in text.splitlines() if ln and not ln.startswith("-----")][1]
    return body[8:48]


# A case makes one file: (file name inside its directory, file text, tokens that identify the
# planted secret in a report). A case with several secrets in one file lists them all; each
# token list is one planted item.
File = tuple[str, str, list[list[str]]]
Case = Callable[[random.Random], File]


def one(name: str, text: str, *tokens: str) -> File:
    return name, text, [[t] for t in tokens]


# --------------------------------------------------------------------------
# password assignments
# --------------------------------------------------------------------------

def pw_cases() -> dict[str, Case]:
    def env_pass(rng):
        v = password(rng)
        return one(".env", f"DB_HOST=db.internal\nDB_USER=app\nDB_PASS={v}\n", v)

    def env_pwd(rng):
        v = password(rng)
        return one(".env", f"SMTP_HOST=smtp.mailhost.test\nSMTP_PWD={v}\n", v)

    def yaml_pass(rng):
        v = password(rng)
        return one("config.yml", f"database:\n  host: db.internal\n  user: app\n  pass: \"{v}\"\n", v)

    def yaml_passwd(rng):
        v = password(rng)
        return one("ldap.yml", f"ldap:\n  bind_dn: cn=svc,dc=corp,dc=test\n  passwd: '{v}'\n", v)

    def ini_pwd(rng):
        v = password(rng, "!#%*+-._~@^")
        return one("app.ini", f"[database]\nserver = sql01\nuid = app\npwd = {v}\n", v)

    def php_var(rng):
        v = password(rng, "!#%*+-._~@^")
        return one("config.php", f"<?php\n$db_host = 'localhost';\n$db_pass = '{v}';\n", v)

    def php_dbpasswd(rng):
        v = password(rng, "!#%*+-._~@^")
        return one("conf.php", f"<?php\n$dbhost = 'localhost';\n$dbpasswd = '{v}';\n", v)

    def php_define(rng):
        v = password(rng, "!#%*+-._~@^")
        return one("wp-db.php", f"<?php\ndefine('DB_USER', 'wp');\ndefine('DB_PASSWORD', '{v}');\n", v)

    def json_pass(rng):
        v = password(rng, "!#%*+-._~@^")
        return one("credentials.json", json.dumps({"host": "mq.internal", "user": "svc", "pass": v}, indent=2) + "\n", v)

    def gradle(rng):
        v = password(rng, "!#%*+-._~@^")
        return one("build.gradle", "publishing {\n  repositories {\n    maven {\n      credentials {\n"
                                   f"        username 'deployer'\n        password '{v}'\n      }}\n    }}\n  }}\n}}\n", v)

    def esmtprc(rng):
        v = password(rng, "!#%*+-._~@^")
        return one(".esmtprc", f'identity "ops@mail.test"\n  hostname smtp.mail.test:587\n  username "ops"\n  password "{v}"\n  starttls required\n', v)

    def xml_pass(rng):
        v = password(rng, "!#%*+-._~^")
        return one("settings.xml", f"<settings>\n  <servers>\n    <server>\n      <id>nexus</id>\n      <username>deploy</username>\n"
                                   f"      <Pass>{v}</Pass>\n    </server>\n  </servers>\n</settings>\n", v)

    def xml_password(rng):
        v = password(rng, "!#%*+-._~^")
        return one("server.xml", f"<datasource>\n  <user>app</user>\n  <password>{v}</password>\n</datasource>\n", v)

    def yaml_nested_provider(rng):
        v = rs(rng, ALNUM, 32)
        return one("llm.yml", f"providers:\n  mistral:\n    api_key: {v}\n    model: mistral-large-latest\n", v)

    def hcl_block(rng):
        v = password(rng, "!#%*+-._~^")
        return one("main.tf", 'resource "aws_db_instance" "main" {\n  engine         = "postgres"\n'
                              '  instance_class = "db.t3.micro"\n  username       = "dbadmin"\n'
                              f'  password       = "{v}"\n  skip_final_snapshot = true\n}}\n', v)

    def properties_pwd(rng):
        v = password(rng, "!#%*+-._~@^")
        return one("application.properties", f"spring.datasource.username=app\nspring.datasource.pwd={v}\n", v)

    def toml_pass(rng):
        v = password(rng, "!#%*+-._~@^")
        return one("config.toml", f'[smtp]\nuser = "ops"\npass = "{v}"\n', v)

    return {
        "env-PASS": env_pass, "env-PWD": env_pwd, "yaml-pass": yaml_pass, "yaml-passwd": yaml_passwd,
        "ini-pwd": ini_pwd, "php-$db_pass": php_var, "php-$dbpasswd": php_dbpasswd, "php-define": php_define,
        "json-pass": json_pass, "gradle-password": gradle, "esmtprc-password": esmtprc, "xml-Pass": xml_pass,
        "xml-password": xml_password, "yaml-nested-provider": yaml_nested_provider, "hcl-block": hcl_block,
        "properties-pwd": properties_pwd, "toml-pass": toml_pass,
    }


# --------------------------------------------------------------------------
# command lines
# --------------------------------------------------------------------------

def cmd_cases() -> dict[str, Case]:
    safe = "!#%*+-._~^"

    def curl_u(rng):
        v = password(rng, safe)
        return one("deploy.sh", f"#!/bin/sh\ncurl -fsS -u deployer:{v} https://nexus.corp.test/repository/raw/app.tgz -o app.tgz\n", v)

    def curl_user(rng):
        v = password(rng, safe)
        return one("fetch.sh", f"#!/bin/sh\ncurl --user 'ci-bot:{v}' -X POST https://jenkins.corp.test/job/build/build\n", v)

    def mysql_p(rng):
        v = password(rng, "#%*+-._~^")
        return one("backup.sh", f"#!/bin/bash\nmysqldump -h db01 -u backup -p{v} --all-databases > /backup/all.sql\n", v)

    def mysql_password(rng):
        v = password(rng, "#%*+-._~^")
        return one("migrate.sh", f"#!/bin/bash\nmysql --host=db01 --user=app --password='{v}' app < schema.sql\n", v)

    def sshpass(rng):
        v = password(rng, safe)
        return one("sync.sh", f"#!/bin/bash\nsshpass -p '{v}' rsync -az ./dist/ deploy@web01:/srv/www/\n", v)

    def psexec(rng):
        v = password(rng, safe)
        return one("install.bat", f"@echo off\npsexec \\\\srv-app01 -u CORP\\svc_deploy -p {v} -accepteula cmd /c install.cmd\n", v)

    def ps_password(rng):
        v = password(rng, safe)
        return one("setup.ps1", f"$ErrorActionPreference = 'Stop'\nNew-LocalUser -Name 'svc_app' -Password (ConvertTo-SecureString '{v}' -AsPlainText -Force)\n", v)

    def viserver(rng):
        v = password(rng, safe)
        return one("vm.ps1", f"Import-Module VMware.PowerCLI\nConnect-VIServer -Server vcenter.corp.test -User administrator@vsphere.local -Password '{v}'\n", v)

    def docker_e(rng):
        v = rs(rng, ALNUM, 28)
        return one("run.sh", f"#!/bin/sh\ndocker run -d --name api -e DATABASE_PASSWORD={v} -p 8080:8080 corp/api:1.4\n", v)

    def htpasswd_b(rng):
        v = password(rng, safe)
        return one("provision.sh", f"#!/bin/sh\nhtpasswd -b -c /etc/nginx/.htpasswd admin '{v}'\n", v)

    return {
        "curl-u": curl_u, "curl--user": curl_user, "mysql-p": mysql_p, "mysql--password": mysql_password,
        "sshpass-p": sshpass, "psexec-p": psexec, "powershell-securestring": ps_password,
        "Connect-VIServer-Password": viserver, "docker-run-e": docker_e, "htpasswd-b": htpasswd_b,
    }


# --------------------------------------------------------------------------
# credential file formats
# --------------------------------------------------------------------------

def credfile_cases() -> dict[str, Case]:
    safe = "!#%*+-._~^"

    def netrc(rng):
        v = password(rng, safe)
        return one(".netrc", f"machine api.heroku.test\n  login ops@corp.test\n  password {v}\n", v)

    def netrc_oneline(rng):
        v = password(rng, safe)
        return one("_netrc", f"machine ftp.corp.test login deploy password {v}\n", v)

    def pgpass(rng):
        v = password(rng, "!#%*+-._~^@")
        return one(".pgpass", f"db.corp.test:5432:app:app_rw:{v}\n", v)

    def git_credentials(rng):
        v = rs(rng, ALNUM, 24)
        return one(".git-credentials", f"https://jane.doe%40corp.test:{v}@git.corp.test\n", v)

    def git_credentials_at(rng):
        v = password(rng, "!#%*+-._~^")
        return one(".git-credentials", f"https://jane.doe@corp.test:{v}@bitbucket.corp.test\n", v)

    def npmrc_auth(rng):
        v = b64(f"deployer:{password(rng, safe)}".encode())
        return one(".npmrc", f"registry=https://npm.corp.test/\n_auth={v}\nalways-auth=true\n", v)

    def webservers(rng):
        v = password(rng, "!#%*+-._~^")
        return one("WebServers.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<application>\n  <component name="WebServers">\n'
                                     '    <option name="servers">\n      <webServer id="3c1" name="prod">\n'
                                     f'        <fileTransfer host="ftp.corp.test" port="21" rootFolder="/www" accessType="FTP" login="deploy" password="{v}" />\n'
                                     '      </webServer>\n    </option>\n  </component>\n</application>\n', v)

    def filezilla(rng):
        v = b64(password(rng, safe).encode())
        return one("recentservers.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<FileZilla3>\n  <RecentServers>\n    <Server>\n'
                                        '      <Host>ftp.corp.test</Host>\n      <Port>21</Port>\n      <User>deploy</User>\n'
                                        f'      <Pass encoding="base64">{v}</Pass>\n    </Server>\n  </RecentServers>\n</FileZilla3>\n', v)

    def firefox(rng):
        enc = b64(bytes.fromhex("3042041000000000000000000000000000000001") + rng.randbytes(40))
        encu = b64(bytes.fromhex("3042041000000000000000000000000000000001") + rng.randbytes(32))
        doc = {"nextId": 2, "logins": [{"id": 1, "hostname": "https://admin.corp.test", "httpRealm": None,
                                        "formSubmitURL": "https://admin.corp.test", "usernameField": "user",
                                        "passwordField": "pass", "encryptedUsername": encu, "encryptedPassword": enc,
                                        "guid": "{" + uuid4(rng) + "}", "encType": 1}], "version": 3}
        return one("logins.json", json.dumps(doc) + "\n", enc)

    def wireguard(rng):
        k = b64(rng.randbytes(32))
        psk = b64(rng.randbytes(32))
        pub = b64(rng.randbytes(32))
        return ("wg0.conf", f"[Interface]\nAddress = 10.8.0.2/24\nPrivateKey = {k}\n\n[Peer]\nPublicKey = {pub}\n"
                            f"PresharedKey = {psk}\nEndpoint = vpn.corp.test:51820\nAllowedIPs = 0.0.0.0/0\n", [[k], [psk]])

    def vault_unseal(rng):
        keys = [b64(rng.randbytes(33)) for _ in range(3)]
        text = "".join(f"Unseal Key {i + 1}: {k}\n" for i, k in enumerate(keys)) + "\nVault initialized with 3 key shares and a key threshold of 2.\n"
        return "vault-init.txt", text, [[k] for k in keys]

    def rails_master_key(rng):
        v = rs(rng, HEX, 32)
        return one("config/master.key", v + "\n", v)

    return {
        ".netrc": netrc, "_netrc": netrc_oneline, ".pgpass": pgpass, ".git-credentials": git_credentials,
        ".git-credentials-@user": git_credentials_at, ".npmrc-_auth": npmrc_auth, "WebServers.xml": webservers,
        "FileZilla-recentservers.xml": filezilla, "firefox-logins.json": firefox, "wireguard": wireguard,
        "vault-unseal-keys": vault_unseal, "rails-master.key": rails_master_key,
    }


# --------------------------------------------------------------------------
# framework secrets
# --------------------------------------------------------------------------

DJANGO_CHARS = string.ascii_lowercase + string.digits + "!@#$%^&*(-_=+)"


def framework_cases() -> dict[str, Case]:
    def django(rng):
        v = "django-insecure-" + rs(rng, DJANGO_CHARS, 50) if rng.random() < 0.3 else rs(rng, DJANGO_CHARS, 50)
        return one("settings.py", f"import os\n\nDEBUG = False\nSECRET_KEY = '{v}'\nALLOWED_HOSTS = ['app.corp.test']\n", v)

    def laravel(rng):
        v = "base64:" + b64(rng.randbytes(32))
        return one(".env", f"APP_NAME=Shop\nAPP_ENV=production\nAPP_KEY={v}\nAPP_DEBUG=false\n", v[7:])

    def wordpress(rng):
        names = ["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT", "SECURE_AUTH_SALT",
                 "LOGGED_IN_SALT", "NONCE_SALT"]
        wpchars = string.ascii_letters + string.digits + "!@#$%^&*()-_ []{}<>~`+=,.;:/?|"
        vals = [rs(rng, wpchars, 64) for _ in names]
        text = "<?php\n" + "".join(f"define( '{n}', '{v}' );\n" for n, v in zip(names, vals))
        return "wp-config.php", text, [[v] for v in vals]

    def flask(rng):
        v = rs(rng, HEX, 64)
        return one("app.py", f"from flask import Flask\n\napp = Flask(__name__)\napp.secret_key = '{v}'\n", v)

    def flask_config(rng):
        v = b64(rng.randbytes(24))
        return one("config.py", f"class ProductionConfig:\n    SECRET_KEY = \"{v}\"\n    SESSION_COOKIE_SECURE = True\n", v)

    def symfony(rng):
        v = rs(rng, HEX, 32)
        return one(".env", f"APP_ENV=prod\nAPP_SECRET={v}\nDATABASE_URL=\"mysql://app:!ChangeMe!@127.0.0.1:3306/app\"\n", v)

    def nextauth(rng):
        v = b64(rng.randbytes(32))
        return one(".env.production", f"NEXTAUTH_URL=https://app.corp.test\nNEXTAUTH_SECRET={v}\n", v)

    def authjs(rng):
        v = b64(rng.randbytes(32))
        return one(".env.local", f"AUTH_SECRET=\"{v}\"\nAUTH_TRUST_HOST=true\n", v)

    def rails_secret_key_base(rng):
        v = rs(rng, HEX, 128)
        return one("secrets.yml", f"production:\n  secret_key_base: {v}\n", v)

    return {
        "django-SECRET_KEY": django, "laravel-APP_KEY": laravel, "wordpress-salts": wordpress,
        "flask-secret_key": flask, "flask-SECRET_KEY": flask_config, "symfony-APP_SECRET": symfony,
        "nextauth-NEXTAUTH_SECRET": nextauth, "authjs-AUTH_SECRET": authjs,
        "rails-secret_key_base": rails_secret_key_base,
    }


# --------------------------------------------------------------------------
# UUID-shaped secrets under strong names
# --------------------------------------------------------------------------

def uuid_cases() -> dict[str, Case]:
    def npmrc_legacy(rng):
        v = uuid4(rng)
        return one(".npmrc", f"//registry.npmjs.org/:_authToken={v}\n", v)

    def heroku(rng):
        v = uuid4(rng)
        return one(".env", f"HEROKU_APP=shop-prod\nHEROKU_API_KEY={v}\n", v)

    def json_authtoken(rng):
        v = uuid4(rng)
        return one("publish.json", json.dumps({"registry": "https://registry.npmjs.org/", "_authToken": v}, indent=2) + "\n", v)

    def private_key_env(rng):
        v = uuid4(rng)
        return one(".env", f"SIGNING_PRIVATE_KEY={v}\n", v)

    def jenkins(rng):
        v = uuid4(rng)
        return one("Jenkinsfile", f"pipeline {{\n  environment {{\n    jenkinsToken = '{v}'\n  }}\n}}\n", v)

    def api_key_uuid(rng):
        v = uuid4(rng)
        return one("config.yml", f"monitoring:\n  api_key: {v}\n", v)

    def secret_uuid(rng):
        v = uuid4(rng)
        return one("application.yml", f"oauth:\n  client-id: web\n  client-secret: {v}\n", v)

    return {
        "npmrc-_authToken": npmrc_legacy, "HEROKU_API_KEY": heroku, "json-_authToken": json_authtoken,
        "*_PRIVATE_KEY": private_key_env, "jenkinsToken": jenkins, "api_key": api_key_uuid,
        "client-secret": secret_uuid,
    }


# --------------------------------------------------------------------------
# URL credentials
# --------------------------------------------------------------------------

def url_cases() -> dict[str, Case]:
    def mk(scheme: str, host: str, fname: str, var: str, sym: str = "@!#$%^&*:"):
        def case(rng):
            # a password holding an unencoded reserved character, as people paste them
            v = password(rng, sym)
            if "@" in sym and "@" not in v:
                i = rng.randrange(1, len(v))
                v = v[:i] + "@" + v[i:]
            return one(fname, f"{var}={scheme}://app_user:{v}@{host}\n", v)
        return case

    return {
        "mongodb+srv": mk("mongodb+srv", "cluster0.ab1cd.mongodb.net/shop?retryWrites=true", ".env", "MONGODB_URI"),
        "postgresql": mk("postgresql", "db.corp.test:5432/app", ".env", "DATABASE_URL"),
        "postgis": mk("postgis", "gis.corp.test:5432/maps", ".env", "GIS_DATABASE_URL"),
        "mysql": mk("mysql", "db.corp.test:3306/app", ".env", "MYSQL_URL"),
        "amqps": mk("amqps", "mq.corp.test:5671/prod", ".env", "AMQP_URL"),
        "rediss": mk("rediss", "cache.corp.test:6380/0", ".env", "REDIS_URL", "@!#%^&*"),
        "smtps": mk("smtps", "smtp.corp.test:465", ".env", "MAIL_URL"),
        "ldaps": mk("ldaps", "ldap.corp.test:636", ".env", "LDAP_URL"),
        "sftp": mk("sftp", "files.corp.test:22/upload", ".env", "UPLOAD_URL"),
        "https-basic": mk("https", "registry.corp.test/simple/", "pip.conf.env", "PIP_INDEX_URL", "@!*^~"),
    }


# --------------------------------------------------------------------------
# PEM under a mismatched header
# --------------------------------------------------------------------------

def pem_cases() -> dict[str, Case]:
    def openssh_under_rsa(rng):
        t = pem("RSA PRIVATE KEY", openssh_blob(rng))
        return one("id_rsa", t + "\n", pem_token(t))

    def pkcs1_under_pkcs8(rng):
        t = pem("PRIVATE KEY", rsa_pkcs1_der(rng))
        return one("server.key", t + "\n", pem_token(t))

    def openssh_under_private_key(rng):
        t = pem("PRIVATE KEY", openssh_blob(rng))
        return one("deploy_key", t + "\n", pem_token(t))

    return {"openssh-body-under-RSA-header": openssh_under_rsa, "pkcs1-body-under-PKCS8-header": pkcs1_under_pkcs8,
            "openssh-body-under-PKCS8-header": openssh_under_private_key}


# --------------------------------------------------------------------------
# provider formats
# --------------------------------------------------------------------------

def provider_cases() -> dict[str, Case]:
    def env(var: str, make: Callable[[random.Random], str], fname: str = ".env"):
        def case(rng):
            v = make(rng)
            return one(fname, f"{var}={v}\n", v)
        return case

    def grafana_glc(rng):
        stack = rng.randrange(100000, 999999)
        payload = {"o": str(rng.randrange(100000, 999999)), "n": f"stack-{stack}-integration-{rs(rng, LOWER, 6)}",
                   "k": rs(rng, ALNUM, 24), "m": {"r": rng.choice(["prod-us-east-0", "prod-eu-west-2"])}}
        return "glc_" + b64(json.dumps(payload, separators=(",", ":")).encode())

    def telnyx(rng):
        return "KEY" + rs(rng, "0123456789ABCDEF", 32) + "_" + rs(rng, ALNUM, 22)

    return {
        "databricks-dapi-bare": lambda rng: _bare("notebook.py", lambda r: "dapi" + rs(r, HEX, 32), rng),
        "adafruit-aio_": env("ADAFRUIT_IO_KEY", lambda r: "aio_" + rs(r, ALNUM, 28)),
        "dependency-track-odt_": env("DTRACK_API_KEY", lambda r: "odt_" + rs(r, ALNUM, 32)),
        "tavily-tvly-": env("TAVILY_API_KEY", lambda r: "tvly-" + rs(r, ALNUM, 32)),
        "jina-jina_": env("JINA_API_KEY", lambda r: "jina_" + rs(r, HEX, 32) + rs(r, ALNUM, 28)),
        "readme-rdme_": env("README_API_KEY", lambda r: "rdme_" + rs(r, LOWER + DIGITS, 70)),
        "prefect-pnu_": env("PREFECT_API_KEY", lambda r: "pnu_" + rs(r, ALNUM, 36)),
        "posthog-phx_": env("POSTHOG_PERSONAL_API_KEY", lambda r: "phx_" + rs(r, ALNUM, 47)),
        "mongodb-atlas-mdb_sa_sk_": env("ATLAS_CLIENT_SECRET", lambda r: "mdb_sa_sk_" + rs(r, ALNUM, 40)),
        "twitch-stream-key": env("TWITCH_STREAM_KEY", lambda r: f"live_{rs(r, DIGITS, 9)}_{rs(r, ALNUM, 30)}"),
        "pixie-px-dep-": env("PX_DEPLOY_KEY", lambda r: "px-dep-" + uuid4(r)),
        "pixie-px-api-": env("PX_API_KEY", lambda r: "px-api-" + uuid4(r)),
        "grafana-glc_": env("GRAFANA_CLOUD_TOKEN", grafana_glc),
        "telnyx-KEY": env("TELNYX_API_KEY", telnyx),
    }


def _bare(fname: str, make: Callable[[random.Random], str], rng: random.Random) -> File:
    """A key with no telling name next to it: the format alone must give it away."""
    v = make(rng)
    return one(fname, f"# cluster access\nclient = connect('{v}')\n", v)


# --------------------------------------------------------------------------
# password hashes
# --------------------------------------------------------------------------

def hash_cases() -> dict[str, Case]:
    def sha512crypt(rng):
        return f"$6${rs(rng, CRYPT64, 16)}${rs(rng, CRYPT64, 86)}"

    def sha256crypt(rng):
        return f"$5${rs(rng, CRYPT64, 16)}${rs(rng, CRYPT64, 43)}"

    def md5crypt(rng):
        return f"$1${rs(rng, CRYPT64, 8)}${rs(rng, CRYPT64, 22)}"

    def bcrypt(rng):
        return f"$2y$10${rs(rng, CRYPT64, 53)}"

    def apr1(rng):
        return f"$apr1${rs(rng, CRYPT64, 8)}${rs(rng, CRYPT64, 22)}"

    def cisco8(rng):
        return f"$8${rs(rng, CRYPT64, 14)}${rs(rng, CRYPT64, 43)}"

    def cisco9(rng):
        return f"$9${rs(rng, CRYPT64, 14)}${rs(rng, CRYPT64, 43)}"

    def asrep(rng):
        return f"$krb5asrep$23$svc_backup@CORP.TEST:{rs(rng, HEX, 32)}${rs(rng, HEX, 280)}"

    def shadow(rng):
        v = sha512crypt(rng)
        return one("shadow", f"root:*:19700:0:99999:7:::\ndeploy:{v}:19701:0:99999:7:::\n", v)

    def shadow_sha256(rng):
        v = sha256crypt(rng)
        return one("shadow.bak", f"admin:{v}:19650:0:99999:7:::\n", v)

    def shadow_md5(rng):
        v = md5crypt(rng)
        return one("passwd.old", f"ops:{v}:19000:0:99999:7:::\n", v)

    def htpasswd_apr1(rng):
        v = apr1(rng)
        return one(".htpasswd", f"admin:{v}\n", v)

    def htpasswd_bcrypt(rng):
        v = bcrypt(rng)
        return one("htpasswd", f"grafana:{v}\n", v)

    def sql_bcrypt(rng):
        v = bcrypt(rng)
        return one("dump.sql", "INSERT INTO `users` (`id`, `email`, `password`) VALUES\n"
                               f"(1, 'admin@corp.test', '{v}');\n", v)

    def cisco_cfg(rng):
        a, b = cisco8(rng), cisco9(rng)
        return ("router.cfg", f"hostname edge01\nenable algorithm-type sha256 secret 8 {a}\n"
                              f"username netops privilege 15 algorithm-type scrypt secret 9 {b}\n", [[a], [b]])

    def krb(rng):
        v = asrep(rng)
        return one("asrep.txt", v + "\n", v)

    return {
        "shadow-$6$": shadow, "shadow-$5$": shadow_sha256, "shadow-$1$": shadow_md5,
        "htpasswd-$apr1$": htpasswd_apr1, "htpasswd-$2y$": htpasswd_bcrypt, "sql-dump-$2y$": sql_bcrypt,
        "cisco-type-8-9": cisco_cfg, "kerberos-asrep": krb,
    }


# --------------------------------------------------------------------------
# negatives: must stay quiet
# --------------------------------------------------------------------------

def negative_cases() -> dict[str, Case]:
    def placeholders(rng):
        text = ("DB_PASS=changeme\nDB_PWD=password123\nSMTP_PASS=hunter2\nAPI_KEY=your-api-key-here\n"
                "ADMIN_PASSWORD=xxxxxxxxxxxx\nSECRET_KEY=<your-secret-key>\nREDIS_PASSWORD=${REDIS_PASSWORD}\n"
                "DATABASE_URL=postgres://user:password@localhost:5432/db\n")
        return "config.env", text, [["changeme"], ["password123"], ["hunter2"], ["your-api-key-here"], ["xxxxxxxxxxxx"],
                                    ["<your-secret-key>"], ["${REDIS_PASSWORD}"], ["user:password@localhost"]]

    def php_placeholders(rng):
        text = ("<?php\ndefine('DB_PASSWORD', 'password_here');\ndefine('AUTH_KEY', 'put your unique phrase here');\n"
                "$dbpasswd = '';\n")
        return "wp-config-sample.php.txt", text, [["password_here"], ["put your unique phrase here"]]

    def public_ids(rng):
        mapbox = "pk.eyJ1Ijoi" + rs(rng, ALNUM, 20) + "." + rs(rng, B64URL, 22)
        posthog = "phc_" + rs(rng, ALNUM, 43)
        client_id = f"{rs(rng, DIGITS, 12)}-{rs(rng, LOWER + DIGITS, 32)}.apps.googleusercontent.com"
        text = (f"NEXT_PUBLIC_MAPBOX_TOKEN={mapbox}\nNEXT_PUBLIC_POSTHOG_KEY={posthog}\n"
                f"GOOGLE_CLIENT_ID={client_id}\nX-Contact: ops@corp.test\n")
        return "public.env", text, [[mapbox], [posthog], [client_id]]

    def ciphertext(rng):
        # kubeseal's format: a 2-byte length (0x0200) of the RSA-4096-encrypted session key,
        # that key, then the AES-GCM ciphertext and tag
        enc = b64(b"\x02\x00" + rng.randbytes(512) + rng.randbytes(rng.randrange(20, 60)))
        sops = f"ENC[AES256_GCM,data:{b64(rng.randbytes(24))},iv:{b64(rng.randbytes(32))},tag:{b64(rng.randbytes(16))},type:str]"
        text = ("apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\nspec:\n  encryptedData:\n"
                f"    password: {enc}\n---\ndb_password: {sops}\n")
        return "sealed.yaml", text, [[enc[:40]], [sops[:40]]]

    def ansible_vault(rng):
        body = "\n".join(rs(rng, HEX, 80) for _ in range(5))
        text = f"db_password: !vault |\n          $ANSIBLE_VAULT;1.1;AES256\n" + "\n".join("          " + ln for ln in body.splitlines()) + "\n"
        return "group_vars.yml", text, [[body.splitlines()[0][:40]]]

    def docs_keys(rng):
        text = ("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
                "STRIPE_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx\n")
        return "aws.env", text, [["AKIAIOSFODNN7EXAMPLE"], ["wJalrXUtnFEMI/K7MDENG"], ["sk_live_xxxxxxxx"]]

    def commandline_placeholders(rng):
        text = ("#!/bin/sh\ncurl -u \"$USER:$PASS\" https://api.corp.test\nmysql -u root -p\nsshpass -p \"$SSH_PASS\" ssh host\n"
                "docker run -e DATABASE_PASSWORD=$DATABASE_PASSWORD app\n")
        return "ops.sh", text, [["$USER:$PASS"], ["$SSH_PASS"], ["$DATABASE_PASSWORD"]]

    return {"placeholders": placeholders, "php-placeholders": php_placeholders, "public-identifiers": public_ids,
            "ciphertext-sealedsecret-sops": ciphertext, "ansible-vault": ansible_vault, "docs-example-keys": docs_keys,
            "commandline-references": commandline_placeholders}


CATEGORIES: dict[str, Callable[[], dict[str, Case]]] = {
    "password": pw_cases, "commandline": cmd_cases, "credfile": credfile_cases, "framework": framework_cases,
    "uuid": uuid_cases, "url": url_cases, "pem": pem_cases, "provider": provider_cases, "hash": hash_cases,
}


def build(root: Path, manifest: Path, seed: int = SEED, copies: int = COPIES) -> list[dict]:
    """(Re)write the corpus under root; return and write the manifest entries
    {category, case, negative, path, text, tokens}."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    items: list[dict] = []
    groups = [(cat, make, False) for cat, make in CATEGORIES.items()] + [("negative", negative_cases, True)]
    for cat, make, negative in groups:
        for case, fn in make().items():
            for copy in range(copies if not negative else 1):
                name, text, token_lists = fn(rng)
                slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in case)
                rel = f"{cat}/{slug}-{copy}/{name}"
                path = root / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
                for tokens in token_lists:
                    items.append({"category": cat, "case": case, "negative": negative, "path": rel,
                                  "text": text, "tokens": tokens})
    manifest.write_text(json.dumps({"seed": seed, "items": items}, indent=1))
    return items


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--copies", type=int, default=COPIES)
    a = ap.parse_args()
    items = build(a.outdir, a.outdir.parent / "recall-manifest.json", a.seed, a.copies)
    pos = [i for i in items if not i["negative"]]
    print(f"{len(pos)} planted credentials in {len({i['case'] for i in pos})} cases, "
          f"{len(items) - len(pos)} negatives, under {a.outdir}")


if __name__ == "__main__":
    main()
