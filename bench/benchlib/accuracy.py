"""The accuracy corpus: planted credentials and hard negatives, and its scoring.

Everything here is generated from a fixed seed with random.Random, so every
run writes the same files.  The credentials are random characters in each
provider's documented shape (prefixes, lengths, alphabets and, where the
provider documents one, the checksum); none of them is real.  The corpus is
written under bench/work/ (git-ignored) and never committed.

Scoring uses each tool's OWN report, reduced by the tool adapter to a list of
`Finding`s (rule, path, reported values):
  * a planted credential is *found* when some finding in the same file reports
    one of its tokens (the key itself or, for pairs and URLs, its secret part),
    or reports a piece (>= 20 chars) of the planted text;
  * a finding that corresponds to no planted credential is a *false alarm*;
    those that hit one of the hard negatives are listed by negative kind.
"""

from __future__ import annotations

import base64
import json
import random
import shutil
import string
import struct
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

SEED = 20240611
COPIES = 2  # every positive kind is planted this many times, in different files

UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
DIGITS = string.digits
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = string.ascii_letters + string.digits + "+/"
B64URL = string.ascii_letters + string.digits + "-_"
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
AWS_ID = UPPER + "234567"  # AWS key ids are base32 after the 4-char prefix
BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"


@dataclass
class Planted:
    """One planted positive or one hard negative, as written in the corpus."""

    kind: str
    negative: bool
    path: str  # relative to the corpus root, '/' separated
    text: str  # everything written for it (all lines, joined)
    tokens: list[str]  # a finding reporting any of these (as substring) hits it


@dataclass
class Finding:
    """A tool finding, reduced to what scoring needs."""

    rule: str
    path: str
    values: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------
# random credential shapes
# --------------------------------------------------------------------------

def rs(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def base62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = BASE62[r] + out
    return out.rjust(width, "0")


def checksummed(rng: random.Random, prefix: str) -> str:
    """GitHub/npm token format: prefix + 30 random base62 chars + 6-char
    base62 CRC32 checksum of those 30 chars (GitHub's documented scheme)."""
    body = rs(rng, ALNUM, 30)
    return prefix + body + base62(zlib.crc32(body.encode()), 6)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt_hs256(rng: random.Random, payload: dict) -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64url(json.dumps(payload, separators=(",", ":")).encode())
    sig = b64url(rng.randbytes(32))
    return f"{header}.{body}.{sig}"


def supabase_jwt(rng: random.Random, role: str) -> str:
    iat = rng.randrange(1_650_000_000, 1_720_000_000)
    return jwt_hs256(rng, {"iss": "supabase", "ref": rs(rng, LOWER, 20), "role": role,
                           "iat": iat, "exp": iat + 10 * 365 * 86400})


def pem(label: str, der: bytes) -> str:
    b = base64.b64encode(der).decode()
    lines = [b[i:i + 64] for i in range(0, len(b), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"


def rsa_der(rng: random.Random, pkcs8: bool) -> bytes:
    """A DER-shaped RSA-2048 private key: real ASN.1 header, random body."""
    if pkcs8:  # PKCS#8 wrapper, as in Google service-account keys
        return bytes.fromhex("308204bd020100300d06092a864886f70d0101010500048204a7308204a30201000282010100") + rng.randbytes(1180)
    return bytes.fromhex("308204a40201000282010100") + rng.randbytes(1180)


def ssh_string(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


def openssh_ed25519(rng: random.Random) -> str:
    pub = ssh_string(b"ssh-ed25519") + ssh_string(rng.randbytes(32))
    check = rng.randbytes(4)
    priv = (check + check + pub + ssh_string(rng.randbytes(64)) + ssh_string(b"deploy@ci")
            + bytes(range(1, 4)))
    blob = (b"openssh-key-v1\x00" + ssh_string(b"none") + ssh_string(b"none") + ssh_string(b"")
            + struct.pack(">I", 1) + ssh_string(pub) + ssh_string(priv))
    return pem("OPENSSH PRIVATE KEY", blob)


def pem_token(text: str) -> str:
    """A distinctive piece of a PEM body (past the fixed ASN.1 prefix)."""
    body = text.splitlines()[2]
    return body[8:48]


# A positive kind generates assignments [(VAR_NAME, value), ...] and the tokens
# that identify it in a report.  Multi-line values carry "\n".
Gen = Callable[[random.Random], tuple[list[tuple[str, str]], list[str]]]


def one(var: str, make: Callable[[random.Random], str]) -> Gen:
    def gen(rng: random.Random):
        v = make(rng)
        return [(var, v)], [v]
    return gen


def gen_aws(rng):
    kid = "AKIA" + rs(rng, AWS_ID, 16)
    secret = rs(rng, B64, 40)
    return [("AWS_ACCESS_KEY_ID", kid), ("AWS_SECRET_ACCESS_KEY", secret)], [kid, secret]


def gen_twilio_account(rng):
    sid = "AC" + rs(rng, HEX, 32)
    tok = rs(rng, HEX, 32)
    return [("TWILIO_ACCOUNT_SID", sid), ("TWILIO_AUTH_TOKEN", tok)], [tok]


def gen_postgres(rng):
    pw = rs(rng, ALNUM, 24)
    url = (f"postgres://orders_svc:{pw}@orders-prod-{rs(rng, DIGITS, 2)}.c{rs(rng, LOWER + DIGITS, 11)}"
           ".eu-west-1.rds.amazonaws.com:5432/orders")
    return [("DATABASE_URL", url)], [pw, url]


def gen_mongodb(rng):
    pw = rs(rng, ALNUM, 20)
    url = f"mongodb+srv://admin:{pw}@cluster0.{rs(rng, LOWER + DIGITS, 5)}.mongodb.net/app?retryWrites=true&w=majority"
    return [("MONGODB_URI", url)], [pw, url]


def gen_azure_storage(rng):
    key = base64.b64encode(rng.randbytes(64)).decode()
    cs = (f"DefaultEndpointsProtocol=https;AccountName=acme{rs(rng, LOWER, 6)};"
          f"AccountKey={key};EndpointSuffix=core.windows.net")
    return [("AZURE_STORAGE_CONNECTION_STRING", cs)], [key]


def gen_slack_webhook(rng):
    url = (f"https://hooks.slack.com/services/T{rs(rng, UPPER + DIGITS, 10)}/"
           f"B{rs(rng, UPPER + DIGITS, 10)}/{rs(rng, ALNUM, 24)}")
    return [("SLACK_WEBHOOK_URL", url)], [url]


def gen_discord_webhook(rng):
    url = f"https://discord.com/api/webhooks/{rs(rng, DIGITS, 19)}/{rs(rng, B64URL, 68)}"
    return [("DISCORD_WEBHOOK_URL", url)], [url]


def gen_rsa(rng):
    key = pem("RSA PRIVATE KEY", rsa_der(rng, pkcs8=False))
    return [("TLS_PRIVATE_KEY", key)], [pem_token(key)]


def gen_openssh(rng):
    key = openssh_ed25519(rng)
    return [("DEPLOY_SSH_KEY", key)], [pem_token(key)]


def gen_gcp_sa(rng):
    """A whole Google service-account JSON document (one assignment)."""
    key = pem("PRIVATE KEY", rsa_der(rng, pkcs8=True))
    project = f"acme-{rs(rng, LOWER, 6)}-{rs(rng, DIGITS, 6)}"
    doc = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": rs(rng, HEX, 40),
        "private_key": key + "\n",
        "client_email": f"deployer@{project}.iam.gserviceaccount.com",
        "client_id": rs(rng, DIGITS, 21),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    return [("GCP_SERVICE_ACCOUNT", json.dumps(doc, indent=2))], [pem_token(key)]


POSITIVE_KINDS: dict[str, Gen] = {
    "aws-access-key-pair": gen_aws,
    "github-classic-pat": one("GITHUB_TOKEN", lambda r: checksummed(r, "ghp_")),
    "github-oauth-token": one("GITHUB_OAUTH_TOKEN", lambda r: checksummed(r, "gho_")),
    "github-fine-grained-pat": one("GH_PAT", lambda r: f"github_pat_{rs(r, ALNUM, 22)}_{rs(r, ALNUM, 59)}"),
    "gitlab-pat": one("GITLAB_TOKEN", lambda r: "glpat-" + rs(r, ALNUM + "-_", 20)),
    "openai-project-key": one("OPENAI_API_KEY", lambda r: f"sk-proj-{rs(r, B64URL, 74)}T3BlbkFJ{rs(r, B64URL, 74)}"),
    "anthropic-api-key": one("ANTHROPIC_API_KEY", lambda r: f"sk-ant-api03-{rs(r, B64URL, 93)}AA"),
    "stripe-secret-key": one("STRIPE_SECRET_KEY", lambda r: "sk_live_51" + rs(r, ALNUM, 97)),
    "stripe-restricted-key": one("STRIPE_RESTRICTED_KEY", lambda r: "rk_live_51" + rs(r, ALNUM, 97)),
    "slack-bot-token": one("SLACK_BOT_TOKEN", lambda r: f"xoxb-{rs(r, DIGITS, 12)}-{rs(r, DIGITS, 13)}-{rs(r, ALNUM, 24)}"),
    "slack-webhook": gen_slack_webhook,
    "discord-webhook": gen_discord_webhook,
    "sendgrid-api-key": one("SENDGRID_API_KEY", lambda r: f"SG.{rs(r, B64URL, 22)}.{rs(r, B64URL, 43)}"),
    "google-api-key": one("GOOGLE_MAPS_API_KEY", lambda r: "AIza" + rs(r, B64URL, 35)),
    "postgres-url-password": gen_postgres,
    "mongodb-url-password": gen_mongodb,
    "rsa-private-key": gen_rsa,
    "openssh-private-key": gen_openssh,
    "gcp-service-account": gen_gcp_sa,
    "twilio-api-key": one("TWILIO_API_KEY", lambda r: "SK" + rs(r, HEX, 32)),
    "twilio-auth-token": gen_twilio_account,
    "npm-token": one("NPM_TOKEN", lambda r: checksummed(r, "npm_")),
    "supabase-service-role-jwt": one("SUPABASE_SERVICE_ROLE_KEY", lambda r: supabase_jwt(r, "service_role")),
    "azure-storage-key": gen_azure_storage,
    "mailgun-api-key": one("MAILGUN_API_KEY", lambda r: "key-" + rs(r, HEX, 32)),
    "huggingface-token": one("HF_TOKEN", lambda r: "hf_" + rs(r, string.ascii_letters, 34)),
    "digitalocean-pat": one("DIGITALOCEAN_TOKEN", lambda r: "dop_v1_" + rs(r, HEX, 64)),
    "shopify-access-token": one("SHOPIFY_ACCESS_TOKEN", lambda r: "shpat_" + rs(r, HEX, 32)),
    "pypi-token": one("PYPI_API_TOKEN", lambda r: "pypi-AgEIcHlwaS5vcmc" + rs(r, B64URL, 140)),
    "telegram-bot-token": one("TELEGRAM_BOT_TOKEN", lambda r: f"{rs(r, DIGITS, 10)}:AA{rs(r, B64URL, 33)}"),
    "age-secret-key": one("AGE_SECRET_KEY", lambda r: "AGE-SECRET-KEY-1" + rs(r, BECH32, 58)),
    "linear-api-key": one("LINEAR_API_KEY", lambda r: "lin_api_" + rs(r, ALNUM, 40)),
    "databricks-token": one("DATABRICKS_TOKEN", lambda r: "dapi" + rs(r, HEX, 32)),
    "grafana-service-account-token": one("GRAFANA_SA_TOKEN", lambda r: f"glsa_{rs(r, ALNUM, 32)}_{rs(r, HEX, 8)}"),
    "doppler-token": one("DOPPLER_TOKEN", lambda r: "dp.pt." + rs(r, ALNUM, 43)),
    "generic-db-password": one("DB_PASSWORD", lambda r: rs(r, ALNUM, 12) + rs(r, "!#%^*", 2) + rs(r, ALNUM, 10)),
}

# Kinds whose value spans lines or is a whole document: they only go in file
# types able to hold them.
MULTILINE = {"rsa-private-key", "openssh-private-key", "gcp-service-account"}


def negatives(rng: random.Random) -> list[tuple[str, str, str, list[str]]]:
    """Hard negatives: (kind, VAR_NAME, value, tokens).  Each looks like a
    credential to a naive pattern but is public, a placeholder or a hash."""
    anon = supabase_jwt(rng, "anon")
    pk = "pk_live_51" + rs(rng, ALNUM, 97)
    uuid = f"{rs(rng, HEX, 8)}-{rs(rng, HEX, 4)}-4{rs(rng, HEX, 3)}-a{rs(rng, HEX, 3)}-{rs(rng, HEX, 12)}"
    sha = rs(rng, HEX, 40)
    jwt_io = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6Ikpv"
              "aG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")
    return [
        ("aws-documented-example", "AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", ["AKIAIOSFODNN7EXAMPLE"]),
        ("aws-documented-example-secret", "AWS_SECRET_ACCESS_KEY",
         "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]),
        ("stripe-placeholder", "STRIPE_SECRET_KEY", "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx", ["sk_live_xxxxxxxx"]),
        ("stripe-publishable-key", "STRIPE_PUBLISHABLE_KEY", pk, [pk]),
        ("supabase-anon-jwt", "SUPABASE_ANON_KEY", anon, [anon]),
        ("placeholder-text", "OPENAI_API_KEY", "your-api-key-here", ["your-api-key-here"]),
        ("openai-placeholder", "OPENAI_API_KEY_EXAMPLE", "sk-proj-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", ["sk-proj-XXXXXXXX"]),
        ("env-interpolation", "API_KEY", "${API_KEY}", ["${API_KEY}"]),
        ("password-placeholder", "DB_PASSWORD", "changeme", ["changeme"]),
        ("masked-password", "SMTP_PASSWORD", "********", ["********"]),
        ("uuid", "REQUEST_ID", uuid, [uuid]),
        ("git-sha", "GIT_COMMIT", sha, [sha]),
        ("jwt-io-example", "EXAMPLE_JWT", jwt_io, [jwt_io]),
        ("db-url-without-password", "DATABASE_URL_LOCAL", "postgres://postgres@localhost:5432/dev",
         ["postgres://postgres@localhost"]),
        ("db-url-interpolated", "DATABASE_URL_TEMPLATE", "postgres://app:${DB_PASSWORD}@db:5432/app",
         ["${DB_PASSWORD}@db"]),
    ]


# --------------------------------------------------------------------------
# file rendering
# --------------------------------------------------------------------------

def camel(var: str) -> str:
    head, *rest = var.lower().split("_")
    return head + "".join(w.capitalize() for w in rest)


class FileBuilder:
    """Accumulates lines of one corpus file in its own syntax."""

    def __init__(self, ftype: str):
        self.ftype = ftype
        self.lines: list[str] = []
        self.json_doc: dict = {}

    def assign(self, var: str, value: str) -> str:
        """Append VAR = value in this file's syntax; return the text written."""
        t = self.ftype
        multi = "\n" in value
        if t == "json":
            self.json_doc[camel(var)] = value
            return json.dumps(value)[1:-1]
        if t == "env":
            text = f'{var}="{value}"' if multi else f"{var}={value}"
        elif t == "dockerfile":
            text = f"ENV {var}={value}"
        elif t == "properties":
            text = f"{var.lower().replace('_', '.')}={value}"
        elif t == "yaml":
            if multi:
                body = "\n".join("    " + ln for ln in value.splitlines())
                text = f"  {var.lower()}: |\n{body}"
            else:
                text = f'  {var.lower()}: "{value}"'
        elif t in ("js", "ts"):
            text = f"export const {camel(var)} = `{value}`;" if multi else f'export const {camel(var)} = "{value}";'
        elif t == "py":
            text = f'{var} = """{value}"""' if multi else f'{var} = "{value}"'
        elif t == "tf":
            text = f'  {var.lower()} = "{value}"'
        elif t == "sh":
            text = f'export {var}="{value}"'
        elif t == "toml":
            text = f'{var.lower()} = """\n{value}"""' if multi else f'{var.lower()} = "{value}"'
        elif t == "raw":
            text = value
        else:
            raise ValueError(t)
        self.lines.append(text)
        return text

    def filler(self, lines: list[str]) -> None:
        if self.ftype != "json":
            self.lines.extend(lines)

    def render(self) -> str:
        if self.ftype == "json":
            return json.dumps({"name": "svc", "logging": {"level": "info"}, **self.json_doc}, indent=2) + "\n"
        head = {
            "yaml": ["# helm values", "replicaCount: 2", "image:", "  repository: registry.example.com/app",
                     "  tag: 1.4.2", "env:"],
            "tf": ['terraform {', '  required_version = ">= 1.5"', "}", "", 'resource "aws_lambda_function" "api" {',
                   '  function_name = "orders-api"', '  runtime       = "nodejs20.x"', "  environment_variables = {"],
            "dockerfile": ["FROM node:20-alpine", "WORKDIR /app", "COPY package*.json ./", "RUN npm ci --omit=dev"],
            "py": ['"""Service settings."""', "import os", "", "DEBUG = False", "ALLOWED_HOSTS = ['api.example.com']"],
            "js": ["'use strict';", "// runtime configuration", "export const port = 8080;"],
            "ts": ["// generated client configuration", "export const timeoutMs: number = 30_000;"],
            "sh": ["#!/bin/sh", "set -eu", "# deploy environment"],
            "toml": ["[server]", 'host = "0.0.0.0"', "port = 8080", "", "[secrets]"],
            "properties": ["server.port=8080", "spring.application.name=orders"],
            "env": ["NODE_ENV=production", "PORT=3000", "LOG_LEVEL=info"],
            "raw": [],
        }[self.ftype]
        tail = {"tf": ["  }", "}"], "dockerfile": ['CMD ["node", "server.js"]']}.get(self.ftype, [])
        return "\n".join(head + self.lines + tail) + "\n"


# file name per type, for each app directory
FILES = {
    "env": ".env", "js": "config.js", "ts": "src/client.ts", "py": "settings.py", "yaml": "deploy/values.yaml",
    "json": "appsettings.json", "tf": "infra/main.tf", "dockerfile": "Dockerfile",
    "properties": "src/main/resources/application.properties", "sh": "scripts/deploy.sh", "toml": "config.toml",
}
MULTILINE_TYPES = ["env", "js", "py", "yaml", "toml"]
APPS = ["billing-service", "web-frontend"]


def build(root: Path, manifest_path: Path, seed: int = SEED) -> list[Planted]:
    """(Re)write the accuracy corpus under root; return what was planted."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    builders: dict[str, FileBuilder] = {}
    planted: list[Planted] = []

    def builder(rel: str, ftype: str) -> FileBuilder:
        if rel not in builders:
            builders[rel] = FileBuilder(ftype)
        return builders[rel]

    ftypes = list(FILES)
    for kind, gen in POSITIVE_KINDS.items():
        for copy in range(COPIES):
            app = APPS[copy]
            assignments, tokens = gen(rng)
            if kind == "gcp-service-account":
                rel, ftype = f"{app}/secrets/service-account.json", "raw"
            elif kind == "rsa-private-key" and copy == 0:
                rel, ftype = f"{app}/certs/server.key", "raw"
            elif kind == "openssh-private-key" and copy == 0:
                rel, ftype = f"{app}/.ssh/id_ed25519", "raw"
            else:
                ftype = rng.choice(MULTILINE_TYPES if kind in MULTILINE else ftypes)
                rel = f"{app}/{FILES[ftype]}"
            b = builder(rel, ftype)
            text = "\n".join(b.assign(var, val) for var, val in assignments)
            planted.append(Planted(kind, False, rel, text, tokens))

    # Hard negatives: each in two files of different types, like the positives.
    for kind, var, value, tokens in negatives(rng):
        for app, ftype in zip(APPS, rng.sample(ftypes, 2)):
            rel = f"{app}/{FILES[ftype]}"
            text = builder(rel, ftype).assign(var, value)
            planted.append(Planted(kind, True, rel, text, tokens))
    _context_negatives(rng, root, planted)

    # Innocuous filler so that files look like code, interleaved deterministically.
    for rel, b in builders.items():
        b.filler([f"# note {i}: retry budget is {rng.randrange(1, 9)} attempts" if b.ftype in
                  ("env", "py", "yaml", "sh", "toml", "properties", "dockerfile", "tf") else
                  f"// note {i}: retry budget is {rng.randrange(1, 9)} attempts" for i in range(3)]
                 if b.ftype != "raw" else [])
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(b.render())

    manifest_path.write_text(json.dumps({"seed": seed, "planted": [asdict(p) for p in planted]}, indent=1))
    return planted


def _context_negatives(rng: random.Random, root: Path, planted: list[Planted]) -> None:
    """Negatives that only make sense in their own kind of file."""
    app = APPS[0]
    # npm lockfile integrity hashes (sha512, base64)
    integ = [f"sha512-{base64.b64encode(rng.randbytes(64)).decode()}" for _ in range(6)]
    lock = {"name": "web", "lockfileVersion": 3, "packages": {
        f"node_modules/pkg-{i}": {"version": f"1.{i}.0", "resolved": f"https://registry.npmjs.org/pkg-{i}/-/pkg-{i}-1.{i}.0.tgz",
                                  "integrity": h} for i, h in enumerate(integ)}}
    rel = f"{APPS[1]}/package-lock.json"
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(json.dumps(lock, indent=2) + "\n")
    for h in integ:
        planted.append(Planted("sha512-lockfile-integrity", True, rel, h, [h[7:40]]))
    # Cargo.lock checksums (sha256, hex)
    sums = [rs(rng, HEX, 64) for _ in range(4)]
    rel = f"{app}/Cargo.lock"
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text("version = 3\n\n" + "".join(
        f'[[package]]\nname = "crate{i}"\nversion = "0.{i}.1"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n'
        f'checksum = "{s}"\n\n' for i, s in enumerate(sums)))
    for s in sums:
        planted.append(Planted("sha256-lockfile-checksum", True, rel, s, [s]))
    # code that mentions credentials without containing any
    rel = f"{app}/src/handlers.js"
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    code = ("const stripe = require('stripe')(process.env.STRIPE_SECRET_KEY);\n"
            "const ghTokenPattern = /ghp_[A-Za-z0-9]{36}/;\n"
            "const password = req.body.password;\n"
            "const apiKey = config.get('apiKey');\n")
    (root / rel).write_text(code)
    planted.append(Planted("code-reference", True, rel, code, ["process.env.STRIPE_SECRET_KEY", "ghp_[A-Za-z0-9]",
                                                                "req.body.password", "config.get('apiKey')"]))
    rel = f"{app}/certs/server.pub.pem"
    pub = pem("PUBLIC KEY", bytes.fromhex("30820122300d06092a864886f70d01010105000382010f003082010a0282010100")
              + rng.randbytes(256) + bytes.fromhex("0203010001"))
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(pub + "\n")
    planted.append(Planted("pem-public-key", True, rel, pub, [pem_token(pub)]))


# --------------------------------------------------------------------------
# scoring
# --------------------------------------------------------------------------

def _same_file(finding_path: str, rel: str) -> bool:
    p = finding_path.replace("\\", "/")
    return p == rel or p.endswith("/" + rel)


def _hits(f: Finding, p: Planted) -> bool:
    if not _same_file(f.path, p.path):
        return False
    for v in f.values:
        if not v:
            continue
        if any(t and t in v for t in p.tokens):
            return True
        if len(v) >= 20 and v in p.text:
            return True
    return False


def score(findings: list[Finding], planted: list[Planted]) -> dict:
    """Found/missed/false-alarm figures of one tool's findings."""
    positives = [p for p in planted if not p.negative]
    negs = [p for p in planted if p.negative]
    found = [False] * len(positives)
    false_alarms: list[dict] = []
    negative_hits: dict[str, int] = {}
    for f in findings:
        matched = False
        for i, p in enumerate(positives):
            if _hits(f, p):
                found[i] = True
                matched = True
        if matched:
            continue
        neg = next((n for n in negs if _hits(f, n)), None)
        if neg:
            negative_hits[neg.kind] = negative_hits.get(neg.kind, 0) + 1
        # no value here: results are committed, and credential-shaped text in
        # them would set off secret scanners (leakgate's own included)
        false_alarms.append({"rule": f.rule, "path": f.path, "negative": neg.kind if neg else None})
    missed = [p for p, ok in zip(positives, found) if not ok]
    kinds = sorted({p.kind for p in positives})
    missed_kinds = sorted({p.kind for p in missed})
    return {
        "planted": len(positives),
        "planted_kinds": len(kinds),
        "negatives": len(negs),
        "found": sum(found),
        "missed": len(missed),
        "missed_kinds": missed_kinds,
        "missed_items": [{"kind": p.kind, "path": p.path} for p in missed],
        "false_alarms": len(false_alarms),
        "negative_kinds_flagged": dict(sorted(negative_hits.items())),
        "false_alarm_items": false_alarms,
        "findings": len(findings),
    }
