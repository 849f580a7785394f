"""Building the tree, history and pre-commit corpora under bench/work/.

tree       popular npm packages (bundles, source maps, minified code, .d.ts),
           installed one package per directory, each node_modules renamed to
           tree/pkgs/<package> because the peers skip folders named
           node_modules.  Reused when tree.complete.json exists.
history    a bare clone of rust-lang/cargo provided by the caller (read-only);
           we only list its blobs for the input size and the git baseline.
precommit  a `git clone --shared` of the history repository with 10 files
           modified and staged; rebuilt on every run (a few seconds).
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .accuracy import checksummed

# Popular packages with large published bundles, in install order.  The list
# is installed until the tree reaches the size floor; EXTRA_PACKAGES are only
# used when the main list falls short (e.g. some failed to install).
TREE_PACKAGES = [
    "react", "react-dom", "next", "typescript", "@angular/core", "vue", "svelte", "three", "lodash",
    "moment", "rxjs", "aws-sdk", "@aws-sdk/client-s3", "firebase", "@supabase/supabase-js", "openai",
    "@anthropic-ai/sdk", "stripe", "webpack", "esbuild", "vite", "rollup", "@babel/core", "eslint",
    "prettier", "jest", "mocha", "chart.js", "d3", "monaco-editor", "pdfjs-dist", "@mui/material", "antd",
    "@tensorflow/tfjs", "puppeteer-core", "playwright-core", "googleapis",
]
EXTRA_PACKAGES = [
    "@angular/compiler", "@angular/common", "echarts", "mathjs", "plotly.js-dist-min", "@fullcalendar/core",
    "ag-grid-community", "sass", "less", "terser", "@swc/core", "graphql", "apollo-server", "mongoose",
    "sequelize", "typeorm", "@nestjs/core", "rxdb", "ionicons", "@fortawesome/fontawesome-free",
]
MIN_TREE_BYTES = 500 * 1000 * 1000
NPM_FLAGS = ["--ignore-scripts", "--no-audit", "--no-fund", "--legacy-peer-deps", "--loglevel=error"]


@dataclass
class Corpus:
    name: str
    path: Path  # what is scanned (a directory, a repository, or a work tree)
    input_bytes: int
    files: int
    note: str = ""


def log(msg: str) -> None:
    print(f"[bench] {msg}", flush=True)


def dir_stats(root: Path) -> tuple[int, int]:
    """(bytes, files) of the regular files under root; symlinks not followed."""
    total = files = 0
    for dirpath, _dirs, names in os.walk(root):
        for n in names:
            try:
                st = os.lstat(os.path.join(dirpath, n))
            except OSError:
                continue
            if not os.path.islink(os.path.join(dirpath, n)):
                total += st.st_size
                files += 1
    return total, files


def warm_page_cache(root: Path) -> None:
    """Read every file once so the first timed tool does not pay for the disk."""
    for dirpath, _dirs, names in os.walk(root):
        for n in names:
            p = os.path.join(dirpath, n)
            if os.path.islink(p):
                continue
            try:
                with open(p, "rb") as f:
                    while f.read(1 << 20):
                        pass
            except OSError:
                pass


# --------------------------------------------------------------------------
# tree
# --------------------------------------------------------------------------

def _slug(pkg: str) -> str:
    return pkg.lstrip("@").replace("/", "__")


def _npm(args: list[str], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(["npm", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def _fallback_versions(pkg: str, cwd: Path) -> list[str]:
    """Newest release of each of the (up to 3) majors below the latest one.

    The registry can hold a package whose newest release depends on a version
    that is missing; an older major usually installs.
    """
    r = _npm(["view", pkg, "versions", "--json"], cwd, timeout=120)
    try:
        versions = json.loads(r.stdout)
    except ValueError:
        return []
    if isinstance(versions, str):
        versions = [versions]
    best: dict[int, tuple[int, ...]] = {}
    for v in versions:
        m = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", v)
        if m:
            t = tuple(int(x) for x in m.groups())
            best[t[0]] = max(best.get(t[0], t), t)
    majors = sorted(best, reverse=True)
    return [".".join(map(str, best[m])) for m in majors[1:4]]


def _install_one(pkg: str, staging: Path, pkgs: Path) -> tuple[str, str | None]:
    """Install pkg into its own staging dir; move its node_modules to pkgs/<slug>.

    Returns (pkg, installed spec or None on failure)."""
    dest = pkgs / _slug(pkg)
    if dest.exists():
        return pkg, "(present)"
    work = staging / _slug(pkg)
    specs = [pkg]
    tried_fallback = False
    while specs:
        spec = specs.pop(0)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        (work / "package.json").write_text('{"name": "bench-tree-staging", "version": "0.0.0", "private": true}\n')
        try:
            r = _npm(["install", *NPM_FLAGS, spec], work)
            ok = r.returncode == 0 and (work / "node_modules").is_dir()
        except subprocess.TimeoutExpired:
            ok = False
        if ok:
            os.rename(work / "node_modules", dest)
            shutil.rmtree(work, ignore_errors=True)
            return pkg, spec
        if not tried_fallback:
            tried_fallback = True
            specs += [f"{pkg}@{v}" for v in _fallback_versions(pkg, work)]
    shutil.rmtree(work, ignore_errors=True)
    return pkg, None


def build_tree(work: Path, min_bytes: int = MIN_TREE_BYTES) -> Corpus:
    """The >= 500 MB third-party tree; built once, then reused."""
    tree = work / "tree"
    pkgs = tree / "pkgs"
    marker = work / "tree.complete.json"
    if marker.exists() and pkgs.is_dir():
        info = json.loads(marker.read_text())
        log(f"tree: reusing {tree} ({info['bytes'] / 1e6:.0f} MB, {info['files']} files)")
        return Corpus("tree", tree, info["bytes"], info["files"])
    if shutil.which("npm") is None:
        raise RuntimeError("npm is needed to build the tree corpus")
    staging = work / "npm-staging"
    pkgs.mkdir(parents=True, exist_ok=True)
    staging.mkdir(parents=True, exist_ok=True)
    installed: dict[str, str] = {}
    failed: list[str] = []
    for batch in (TREE_PACKAGES, EXTRA_PACKAGES):
        size, _ = dir_stats(pkgs)
        if size >= min_bytes and batch is EXTRA_PACKAGES:
            break
        log(f"tree: npm install of {len(batch)} packages (now {size / 1e6:.0f} MB)")
        with ThreadPoolExecutor(max_workers=3) as ex:
            for pkg, spec in ex.map(lambda p: _install_one(p, staging, pkgs), batch):
                if spec:
                    installed[pkg] = spec
                    log(f"tree:   {pkg}: {spec}")
                else:
                    failed.append(pkg)
                    log(f"tree:   {pkg}: FAILED (skipped)")
    shutil.rmtree(staging, ignore_errors=True)
    size, files = dir_stats(tree)
    if size < min_bytes:
        raise RuntimeError(f"tree corpus is only {size / 1e6:.0f} MB (< {min_bytes / 1e6:.0f} MB)")
    marker.write_text(json.dumps({"bytes": size, "files": files, "installed": installed, "failed": failed},
                                 indent=1))
    log(f"tree: built {tree} ({size / 1e6:.0f} MB, {files} files)")
    return Corpus("tree", tree, size, files)


# --------------------------------------------------------------------------
# history
# --------------------------------------------------------------------------

def git(repo: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, **kw)


def resolve_history(arg: str | None, work: Path) -> Path | None:
    """The history repository (given, or bench/work/cargo.git), or None."""
    path = Path(arg) if arg else work / "cargo.git"
    if not path.exists():
        log(f"history: no repository at {path}; history and pre-commit corpora skipped "
            "(pass --history-repo PATH to a clone of rust-lang/cargo)")
        return None
    try:
        git(path, "rev-parse", "--git-dir")
    except subprocess.CalledProcessError:
        log(f"history: {path} is not a git repository; history and pre-commit corpora skipped")
        return None
    return path.resolve()


def build_history(repo: Path, work: Path) -> tuple[Corpus, Path]:
    """Blob statistics of the repository and the blob list (in pack order)
    that the `git cat-file --batch` baseline reads."""
    out = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch-all-objects", "--unordered",
         "--batch-check=%(objectname) %(objecttype) %(objectsize)"],
        capture_output=True, text=True, check=True).stdout
    blobs, total = [], 0
    for line in out.splitlines():
        oid, typ, size = line.split()
        if typ == "blob":
            blobs.append(oid)
            total += int(size)
    bloblist = work / "history-blobs.txt"
    bloblist.write_text("\n".join(blobs) + "\n")
    commits = int(git(repo, "rev-list", "--all", "--count").stdout)
    log(f"history: {repo} ({commits} commits, {len(blobs)} blobs, {total / 1e6:.0f} MB of blobs)")
    return Corpus("history", repo, total, len(blobs), note=f"{commits} commits, {len(blobs)} unique blobs"), bloblist


# --------------------------------------------------------------------------
# pre-commit
# --------------------------------------------------------------------------

PRECOMMIT_FILES = 10


def build_precommit(repo: Path, work: Path, seed: int = 7) -> Corpus:
    """A shared clone of repo with PRECOMMIT_FILES files modified and staged.

    One of the edits plants a random (well-formed, fake) GitHub token so the
    staged scan has a finding to report."""
    clone = work / "precommit"
    if clone.exists():
        shutil.rmtree(clone)
    subprocess.run(["git", "clone", "--quiet", "--shared", str(repo), str(clone)], check=True)
    rng = random.Random(seed)
    files = sorted(f for f in git(clone, "ls-files").stdout.splitlines() if f.endswith(".rs"))
    chosen = rng.sample(files, PRECOMMIT_FILES)
    for i, rel in enumerate(chosen):
        p = clone / rel
        extra = [f"// bench edit {i}: retry budget {rng.randrange(1, 9)}",
                 f"fn bench_edit_{i}() -> u32 {{ {rng.randrange(1000)} }}"]
        if i == 0:
            extra.append(f'const BENCH_TOKEN: &str = "{checksummed(rng, "ghp_")}";')
        with open(p, "a") as f:
            f.write("\n" + "\n".join(extra) + "\n")
    git(clone, "add", "--", *chosen)
    staged = git(clone, "diff", "--cached", "--name-only").stdout.split()
    size = sum((clone / f).stat().st_size for f in staged)
    log(f"precommit: {clone} ({len(staged)} staged files, {size / 1e3:.0f} kB)")
    return Corpus("precommit", clone, size, len(staged), note=f"{len(staged)} staged files")
