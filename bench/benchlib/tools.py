"""One adapter class per scanner: command lines per corpus and report parsing.

Every adapter answers, for a report path:
  tree_cmd(path)      scan a directory as plain files (no git)
  history_cmd(repo)   scan the full history of a (bare) git repository
  staged_cmd()        scan the staged changes; run with cwd = the work tree
  parse(report)       -> list[accuracy.Finding]
Settings are kept equivalent across tools: no git for trees, full history for
history, all cores, no archive extraction, no network (no live validation, no
update checks), secrets not redacted (so the accuracy corpus can be scored).
A command of None means the tool has no such mode.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from .accuracy import Finding
from .measure import Run


def nproc() -> int:
    return len(os.sched_getaffinity(0))


class Tool:
    name = "?"
    #: exit codes meaning "scan completed" (with or without findings)
    ok_codes = frozenset({0, 1})

    def __init__(self, binary: Path):
        self.binary = Path(binary)

    def version(self) -> str:
        raise NotImplementedError

    def tree_cmd(self, path: Path, report: Path, reveal: bool = False) -> list[str] | None:
        raise NotImplementedError

    def history_cmd(self, repo: Path, report: Path) -> list[str] | None:
        raise NotImplementedError

    def staged_cmd(self, report: Path) -> list[str] | None:
        raise NotImplementedError

    def parse(self, report: Path) -> list[Finding]:
        raise NotImplementedError

    def reported_bytes(self, report: Path) -> int | None:
        """Bytes the tool says it scanned, when its report tells."""
        return None

    def unsupported(self, run: Run) -> bool:
        """True when the run failed because the mode does not exist (yet)."""
        return False

    def env(self) -> dict[str, str]:
        e = dict(os.environ)
        e["NO_COLOR"] = "1"
        return e

    def _out(self, *args: str) -> str:
        """First line the binary prints for args, without a leading tool name."""
        r = subprocess.run([str(self.binary), *args], capture_output=True, text=True, timeout=60)
        text = (r.stdout or r.stderr).strip()
        first = text.splitlines()[0] if text else "?"
        return first.removeprefix(self.name).strip() or "?"


class Gitleaks(Tool):
    """gitleaks 8.x: `dir` for trees, `git` for history, `git --staged` for pre-commit."""

    name = "gitleaks"

    def version(self) -> str:
        return self._out("version")

    def _common(self, report: Path) -> list[str]:
        return ["--report-format", "json", "--report-path", str(report), "--no-banner",
                "--log-level", "error", "--max-archive-depth", "0"]

    def tree_cmd(self, path, report, reveal=False):
        return [str(self.binary), "dir", str(path), *self._common(report)]

    def history_cmd(self, repo, report):
        return [str(self.binary), "git", str(repo), *self._common(report)]

    def staged_cmd(self, report):
        return [str(self.binary), "git", "--staged", ".", *self._common(report)]

    def parse(self, report):
        data = json.loads(report.read_text() or "[]")
        return [Finding(f.get("RuleID", ""), f.get("File", ""), [f.get("Secret", ""), f.get("Match", "")])
                for f in data]


class Betterleaks(Tool):
    """betterleaks 2.x: `fs` for trees, `git` for history, `git --staged`."""

    name = "betterleaks"

    def version(self) -> str:
        return self._out("version")

    def _common(self, report: Path) -> list[str]:
        # -s: no findings on stdout; the report file is still written.
        # -j left at its default (4 x GOMAXPROCS, i.e. all cores).
        return ["-o", str(report), "-s", "--log-level", "error", "--max-archive-depth=0"]

    def tree_cmd(self, path, report, reveal=False):
        return [str(self.binary), "fs", str(path), *self._common(report)]

    def history_cmd(self, repo, report):
        return [str(self.binary), "git", str(repo), *self._common(report)]

    def staged_cmd(self, report):
        return [str(self.binary), "git", ".", "--staged", *self._common(report)]

    def parse(self, report):
        data = json.loads(report.read_text() or "{}")
        out = []
        for f in data.get("findings") or []:
            m = f.get("match") or {}
            values = [m.get("value", ""), m.get("full", "")]
            for cs in f.get("component_sets") or []:
                for c in cs.get("components") or []:
                    values.append((c.get("match") or {}).get("value", ""))
            out.append(Finding(f.get("rule_id", ""), (f.get("location") or {}).get("path", ""), values))
        return out

    def reported_bytes(self, report):
        try:
            return json.loads(report.read_text())["scan"]["bytes_scanned"]
        except (KeyError, ValueError, TypeError):
            return None


class Kingfisher(Tool):
    """kingfisher 2.x: `scan PATH --git-history none` for trees, `scan REPO`
    (full history) for history, `scan . --staged` for pre-commit.  Live
    validation and update checks are off; exit 200/205 mean findings."""

    name = "kingfisher"
    ok_codes = frozenset({0, 200, 205})

    def version(self) -> str:
        return self._out("--version")

    def _common(self, report: Path) -> list[str]:
        return ["--no-validate", "--no-update-check", "--no-extract-archives", "--format", "json",
                "--output", str(report), "--quiet", "--jobs", str(nproc())]

    def tree_cmd(self, path, report, reveal=False):
        return [str(self.binary), "scan", str(path), "--git-history", "none", *self._common(report)]

    def history_cmd(self, repo, report):
        return [str(self.binary), "scan", str(repo), "--git-history", "full", *self._common(report)]

    def staged_cmd(self, report):
        return [str(self.binary), "scan", ".", "--staged", *self._common(report)]

    def parse(self, report):
        data = json.loads(report.read_text() or "{}")
        out = []
        for f in data.get("findings") or []:
            fd = f.get("finding") or {}
            values = [fd.get("snippet", "")] + [v for v in (fd.get("dependent_captures") or {}).values()
                                                if isinstance(v, str)]
            out.append(Finding((f.get("rule") or {}).get("id", ""), fd.get("path", ""), values))
        return out

    def reported_bytes(self, report):
        try:
            return json.loads(report.read_text())["metadata"]["summary"]["bytes_scanned"]
        except (KeyError, ValueError, TypeError):
            return None


class Leakgate(Tool):
    """leakgate (this project): `scan`, `history`, `staged`.

    An older binary without a subcommand exits 2 with "unrecognized
    subcommand"; that corpus is then reported n/a.
    """

    name = "leakgate"

    def version(self) -> str:
        return self._out("--version")

    def _common(self, report: Path) -> list[str]:
        return ["--format", "json", "--output", str(report), "--quiet"]

    def tree_cmd(self, path, report, reveal=False):
        # --no-lint: the peers have no configuration checks (CORS, cookies, committed .env
        # files, workflows), so the side-by-side comparison is secrets against secrets
        cmd = [str(self.binary), "scan", str(path), *self._common(report), "--threads", str(nproc()), "--no-lint"]
        return cmd + (["--reveal"] if reveal else [])

    def history_cmd(self, repo, report):
        return [str(self.binary), "history", str(repo), *self._common(report)]

    def staged_cmd(self, report):
        return [str(self.binary), "staged", *self._common(report)]

    def unsupported(self, run):
        err = run.stderr_tail.lower()
        return run.returncode == 2 and ("unrecognized subcommand" in err or "unexpected argument" in err)

    def parse(self, report):
        data = json.loads(report.read_text() or "{}")
        out = []
        for f in data.get("findings") or []:
            values = [f.get(k) for k in ("secret", "match") if isinstance(f.get(k), str)]
            out.append(Finding(f.get("rule_id", ""), f.get("path", ""), values))
        return out

    def reported_bytes(self, report):
        try:
            return json.loads(report.read_text())["summary"]["bytes_scanned"]
        except (KeyError, ValueError, TypeError):
            return None


class LeakgateBefore(Leakgate):
    """An earlier leakgate binary (`--leakgate-before`), run the same way in the same rounds,
    so a change's before/after figures come from one run on one machine state."""

    name = "leakgate-before"


PEERS = (Gitleaks, Betterleaks, Kingfisher)
