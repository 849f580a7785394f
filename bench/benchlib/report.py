"""Machine facts, result aggregation, Markdown/JSON output and target checks.

Units: wall and CPU times in seconds (median over rounds); peak RSS in MiB
(largest over rounds); throughput in MB/s = corpus input bytes / median wall
/ 10^6; the 1 GB/s target means 10^9 bytes per second.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .measure import Run


@dataclass
class ToolResult:
    """All rounds of one tool on one corpus."""

    tool: str
    status: str = "ok"  # ok | n/a | error | missing
    reason: str = ""
    runs: list[Run] = field(default_factory=list)
    findings: int | None = None
    reported_bytes: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok" and bool(self.runs)

    def median_wall(self) -> float | None:
        return statistics.median(r.wall_s for r in self.runs) if self.ok else None

    def median_cpu(self) -> float | None:
        return statistics.median(r.cpu_s for r in self.runs) if self.ok else None

    def peak_rss_mib(self) -> float | None:
        return max(r.max_rss_mib for r in self.runs) if self.ok else None

    def to_json(self, input_bytes: int) -> dict:
        wall = self.median_wall()
        return {
            "status": self.status,
            "reason": self.reason,
            "median_wall_s": wall,
            "median_cpu_s": self.median_cpu(),
            "peak_rss_mib": self.peak_rss_mib(),
            "mb_per_s": (input_bytes / wall / 1e6) if wall else None,
            "findings": self.findings,
            "tool_reported_bytes": self.reported_bytes,
            "runs": [r.to_json() for r in self.runs],
        }


# --------------------------------------------------------------------------
# machine
# --------------------------------------------------------------------------

def machine_info() -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "mem_gib": mem_gib,
        "kernel": platform.release(),
        "os": platform.platform(),
    }


def loadavg() -> str:
    """1/5/15-minute load averages: other work on the machine skews timings."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def git_version() -> str:
    try:
        return subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "?"


# --------------------------------------------------------------------------
# formatting
# --------------------------------------------------------------------------

def _f(v, fmt: str) -> str:
    return "n/a" if v is None else format(v, fmt)


def _s(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.2f} s"


def _x(num: float | None, den: float | None) -> str:
    return f"x{num / den:.2f}" if num and den else "x n/a"


def corpus_table(corpus, results: dict[str, ToolResult], baseline: ToolResult | None = None) -> list[str]:
    lg = results.get("leakgate")
    lg_wall = lg.median_wall() if lg else None
    rows = ["| tool | median wall (s) | median CPU (s) | peak RSS (MiB) | MB/s | findings | leakgate/peer wall "
            "| MB scanned (tool's own count) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    entries = list(results.items()) + ([(baseline.tool, baseline)] if baseline else [])
    for name, r in entries:
        wall = r.median_wall()
        ratio = ""
        if name != "leakgate":
            ratio = _f(lg_wall / wall if (lg_wall and wall) else None, ".2f")
        if r.ok:
            mbps = corpus.input_bytes / wall / 1e6 if wall else None
            mbps_s = _f(mbps, ".0f" if mbps is None or mbps >= 10 else ".2f")
            own = f"{r.reported_bytes / 1e6:.1f}" if r.reported_bytes is not None else "-"
            cell = name.replace("|", "\\|")  # a table cell cannot hold a bare pipe
            rows.append(f"| {cell} | {_f(wall, '.3f')} | {_f(r.median_cpu(), '.3f')} | {_f(r.peak_rss_mib(), '.1f')} "
                        f"| {mbps_s} | {_f(r.findings, 'd') if r.findings is not None else '-'} | {ratio} "
                        f"| {own} |")
        else:
            rows.append(f"| {name} | {r.status}: {r.reason} | | | | | | |")
    return rows


def accuracy_table(scores: dict[str, dict], statuses: dict[str, ToolResult]) -> list[str]:
    rows = ["| tool | found | missed | false alarms | missed kinds | hard negatives flagged |",
            "|---|---:|---:|---:|---|---|"]
    for name, st in statuses.items():
        s = scores.get(name)
        if not s:
            rows.append(f"| {name} | {st.status}: {st.reason} | | | | |")
            continue
        neg = ", ".join(f"{k} ×{v}" for k, v in s["negative_kinds_flagged"].items()) or "none"
        rows.append(f"| {name} | {s['found']}/{s['planted']} | {s['missed']} | {s['false_alarms']} "
                    f"| {', '.join(s['missed_kinds']) or 'none'} | {neg} |")
    return rows


# --------------------------------------------------------------------------
# targets
# --------------------------------------------------------------------------

@dataclass
class Check:
    name: str
    verdict: str  # PASS | FAIL | N/A
    detail: str

    def line(self) -> str:
        return f"{self.verdict:4} {self.name}: {self.detail}"


def _wall(results: dict | None, tool: str) -> float | None:
    r = (results or {}).get(tool)
    return r.median_wall() if r else None


def _cmp(name: str, ok: bool | None, detail: str) -> Check:
    return Check(name, "N/A" if ok is None else ("PASS" if ok else "FAIL"), detail)


def check_targets(corpora: dict, results: dict[str, dict[str, ToolResult]], baselines: dict[str, ToolResult],
                  acc_scores: dict[str, dict], rec_scores: dict[str, dict] | None = None) -> list[Check]:
    checks: list[Check] = []
    tree, hist, pre = results.get("tree"), results.get("history"), results.get("precommit")

    lg, kf = _wall(tree, "leakgate"), _wall(tree, "kingfisher")
    checks.append(_cmp("tree >= 3x faster than kingfisher", None if not (lg and kf) else lg * 3 <= kf,
                       f"leakgate {_s(lg)} vs kingfisher {_s(kf)} ({_x(kf, lg)})"))
    mbps = corpora["tree"].input_bytes / lg / 1e6 if lg and "tree" in corpora else None
    read = baselines.get("tree")
    rw = read.median_wall() if read else None
    read_note = (f"; reading the files alone: {_s(rw)}, {corpora['tree'].input_bytes / rw / 1e6:.0f} MB/s"
                 f" (leakgate takes {_x(lg, rw)} of it)" if rw and lg and "tree" in corpora else "")
    checks.append(_cmp("tree >= 1 GB/s", None if mbps is None else mbps >= 1000,
                       "n/a" if mbps is None else f"{mbps:.0f} MB/s{read_note}"))

    lg = _wall(hist, "leakgate")
    for peer in ("betterleaks", "kingfisher"):
        pw = _wall(hist, peer)
        checks.append(_cmp(f"history >= 2x faster than {peer}", None if not (lg and pw) else lg * 2 <= pw,
                           f"leakgate {_s(lg)} vs {peer} {_s(pw)} ({_x(pw, lg)})"))
    base = baselines.get("history")
    bw = base.median_wall() if base else None
    checks.append(_cmp("history within 1.5x of git cat-file", None if not (lg and bw) else lg <= 1.5 * bw,
                       f"leakgate {_s(lg)} vs git cat-file {_s(bw)} ({_x(lg, bw)} of it)"))

    lg = _wall(pre, "leakgate")
    checks.append(_cmp("pre-commit <= 50 ms", None if lg is None else lg <= 0.050,
                       "n/a" if lg is None else f"{lg * 1000:.1f} ms"))

    for corpus, limit in (("tree", 150), ("history", 200)):
        r = (results.get(corpus) or {}).get("leakgate")
        rss = r.peak_rss_mib() if r else None
        checks.append(_cmp(f"{corpus} peak RSS <= {limit} MiB", None if rss is None else rss <= limit,
                           "n/a" if rss is None else f"{rss:.1f} MiB"))

    r = (tree or {}).get("leakgate")
    peers = {n: p.findings for n, p in (tree or {}).items() if n != "leakgate" and p.ok and p.findings is not None}
    fewest = min(peers.values()) if peers else None
    lgf = r.findings if r and r.ok else None
    checks.append(_cmp("tree: fewer findings than any peer", None if lgf is None or fewest is None else lgf < fewest,
                       f"leakgate {lgf if lgf is not None else 'n/a'} vs "
                       + (", ".join(f"{n} {v}" for n, v in peers.items()) or "no peer result")))
    s = acc_scores.get("leakgate")
    checks.append(_cmp("accuracy: zero missed planted credentials", None if not s else s["missed"] == 0,
                       "n/a" if not s else f"missed {s['missed']}/{s['planted']}"
                       + (f" ({', '.join(s['missed_kinds'])})" if s["missed_kinds"] else "")))
    checks.append(_cmp("tree: at most 4 findings (issue #13)", None if lgf is None else lgf <= 4,
                       f"leakgate {lgf if lgf is not None else 'n/a'}"))
    s = (rec_scores or {}).get("leakgate")
    if s:
        worst = min(s["categories"].items(), key=lambda kv: kv[1]["recall"])
        checks.append(_cmp("recall: >= 95% in every category", worst[1]["recall"] >= 0.95,
                           f"all {s['recall']:.1%}; lowest {worst[0]} {worst[1]['recall']:.0%}; "
                           + ", ".join(f"{c} {v['recall']:.0%}" for c, v in s["categories"].items())))
        checks.append(_cmp("recall corpus: zero false alarms", s["false_alarms"] == 0,
                           f"{s['false_alarms']} on {s['negatives']} hard negatives"))
    return checks


# --------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------

def write_results(out_dir: Path, meta: dict, corpora: dict, results: dict[str, dict[str, ToolResult]],
                  baselines: dict[str, ToolResult], acc_scores: dict[str, dict],
                  acc_status: dict[str, ToolResult], checks: list[Check], rec_md: str = "",
                  rec_scores: dict[str, dict] | None = None) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    m = meta["machine"]
    md = [
        "# leakgate benchmark results",
        "",
        f"- date: {meta['date']}",
        f"- machine: {m['nproc']} cores, {m['cpu']}, {m['mem_gib']} GiB RAM, Linux {m['kernel']}",
        f"- command: `{meta['command']}`",
        f"- rounds: {meta['rounds']} (tools alternated within each round; medians reported, peak RSS is the max)",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()),
        f"- load average at start / end: {meta['loadavg_start']} / {meta['loadavg_end']}",
        f"- peak RSS measured with: {meta['rss_method']}",
        "",
    ]
    titles = {"tree": "Tree (no git)", "history": "Full git history", "precommit": "Pre-commit (staged changes)"}
    for name in ("tree", "history", "precommit"):
        if name not in results:
            continue
        c = corpora[name]
        md += [f"## {titles[name]}", "",
               f"Corpus: `{c.path}`: {c.input_bytes / 1e6:.1f} MB in {c.files} "
               f"{'blobs' if name == 'history' else 'files'}" + (f" ({c.note})" if c.note else "") + ".", ""]
        md += corpus_table(c, results[name], baselines.get(name))
        md.append("")
    if acc_status:
        c = corpora.get("accuracy")
        md += ["## Accuracy (planted credentials)", "",
               f"Corpus: {c.note}." if c else "", ""]
        md += accuracy_table(acc_scores, acc_status)
        md.append("")
    if rec_md:
        md += ["## Recall (credentials in real-world syntaxes and file formats)", "", rec_md]
    md += ["## Targets", "", "```"] + [ch.line() for ch in checks] + ["```", ""]
    md_path = out_dir / "latest.md"
    md_path.write_text("\n".join(md))

    js = {
        **meta,
        "corpora": {n: {"path": str(c.path), "input_bytes": c.input_bytes, "files": c.files, "note": c.note}
                    for n, c in corpora.items()},
        "results": {n: {t: r.to_json(corpora[n].input_bytes) for t, r in rs.items()} for n, rs in results.items()},
        "baselines": {n: b.to_json(corpora[n].input_bytes) for n, b in baselines.items()},
        "accuracy": {t: {"status": st.status, "reason": st.reason, "score": acc_scores.get(t),
                         "run": st.runs[0].to_json() if st.runs else None} for t, st in acc_status.items()},
        "recall": rec_scores or {},
        "targets": [{"name": c.name, "verdict": c.verdict, "detail": c.detail} for c in checks],
    }
    js_path = out_dir / "latest.json"
    js_path.write_text(json.dumps(js, indent=1) + "\n")
    return md_path, js_path


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
