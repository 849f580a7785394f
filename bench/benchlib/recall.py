"""The recall corpus (testdata/recall/generate.py): credentials in the syntaxes and file
formats real repositories use, scored per category.

A planted credential is found when a finding in the same file reports its value (the
accuracy corpus's matcher, `accuracy._hits`); a finding on a `negative/*` item, or on no
planted item at all, is a false alarm. Password hashes are a category of their own: leakgate
reports them at `info` severity (they do not fail a build by default), the peers do not
report them at all.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

from . import accuracy
from .accuracy import Finding, Planted

REPO_ROOT = Path(__file__).resolve().parents[2]
GENERATOR = REPO_ROOT / "testdata" / "recall" / "generate.py"


def _generator():
    spec = importlib.util.spec_from_file_location("recall_generate", GENERATOR)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def build(root: Path, manifest: Path) -> tuple[list[Planted], dict[str, str], int]:
    """Write the corpus; return the planted items (kind = "category/case"), the category of
    each kind, and the generator's seed."""
    gen = _generator()
    items = gen.build(root, manifest)
    planted = [Planted(f"{i['category']}/{i['case']}", i["negative"], i["path"], i["text"], i["tokens"])
               for i in items]
    return planted, {p.kind: p.kind.split("/", 1)[0] for p in planted}, gen.SEED


def score(findings: list[Finding], planted: list[Planted]) -> dict:
    """Per-category recall and the false alarms of one tool, from the accuracy corpus's
    scoring (`accuracy.score`: found, missed items, false alarms)."""
    base = accuracy.score(findings, planted)
    positives = [p for p in planted if not p.negative]
    missed = Counter(m["kind"] for m in base["missed_items"])
    cats: dict[str, dict] = {}
    for kind, n in Counter(p.kind for p in positives).items():
        cat, case = kind.split("/", 1)
        c = cats.setdefault(cat, {"planted": 0, "found": 0, "missed_cases": {}})
        c["planted"] += n
        c["found"] += n - missed[kind]
        if missed[kind]:
            c["missed_cases"][case] = missed[kind]
    for c in cats.values():
        c["recall"] = c["found"] / c["planted"] if c["planted"] else 0.0
    total, got = base["planted"], base["found"]
    hashes = cats.get("hash", {"planted": 0, "found": 0})
    rest = total - hashes["planted"]
    return {
        "planted": total,
        "found": got,
        "recall": got / total if total else 0.0,
        "recall_without_hashes": (got - hashes["found"]) / rest if rest else 0.0,
        "categories": dict(sorted(cats.items())),
        "negatives": base["negatives"],
        "false_alarms": base["false_alarms"],
        "false_alarm_items": base["false_alarm_items"],
        "findings": len(findings),
    }


def markdown(scores: dict[str, dict], seed: int) -> str:
    """A table: one row per category, one column per tool."""
    tools = list(scores)
    cats = sorted({c for s in scores.values() for c in s["categories"]})
    out = [f"Recall corpus (testdata/recall/generate.py, seed {seed}): share of planted credentials found, per category.",
           "",
           "| category | planted | " + " | ".join(tools) + " |",
           "|---|---:|" + "---:|" * len(tools)]
    for c in cats:
        planted = next(s["categories"][c]["planted"] for s in scores.values() if c in s["categories"])
        row = [f"{s['categories'][c]['found']} ({s['categories'][c]['recall']:.0%})" if c in s["categories"] else "–"
               for s in scores.values()]
        out.append(f"| {c} | {planted} | " + " | ".join(row) + " |")
    first = next(iter(scores.values()))
    out.append(f"| **all** | {first['planted']} | "
               + " | ".join(f"**{s['found']} ({s['recall']:.0%})**" for s in scores.values()) + " |")
    out.append("| all but password hashes | | "
               + " | ".join(f"{s['recall_without_hashes']:.0%}" for s in scores.values()) + " |")
    out.append(f"| false alarms ({first['negatives']} hard negatives) | | "
               + " | ".join(str(s["false_alarms"]) for s in scores.values()) + " |")
    return "\n".join(out) + "\n"
