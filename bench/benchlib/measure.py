"""Run one child process and measure it.

Wall time comes from a monotonic clock around the child's life; user+sys CPU
time comes from the kernel's accounting for that child, read with os.wait4().
On Linux the rusage returned by wait4() covers the child and every descendant
it waited for (e.g. the `git` processes a scanner spawns): CPU times are
summed and ru_maxrss is the largest peak of any single process in that tree.

Peak RSS needs care: a child forked (or vforked) from this Python process
starts with the parent's resident set on its books, and the kernel carries
that high-water mark across exec(), so ru_maxrss of a direct child is never
below this interpreter's own peak (tens of MB once reports have been parsed).
The child is therefore started through GNU time (`/usr/bin/time -f %M`), a
~1 MiB process that forks the real command and reports the command's own
ru_maxrss.  Without GNU time the wait4() figure is used and flagged.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Run:
    """The figures of one finished child process."""

    argv: list[str]
    cwd: str
    returncode: int
    wall_s: float
    user_s: float
    sys_s: float
    max_rss_kib: int
    timed_out: bool = False
    stderr_tail: str = ""
    rss_method: str = ""

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.sys_s

    @property
    def max_rss_mib(self) -> float:
        return self.max_rss_kib / 1024.0

    def to_json(self) -> dict:
        d = asdict(self)
        d["cpu_s"] = self.cpu_s
        return d


def _gnu_time() -> str | None:
    path = shutil.which("time", path="/usr/bin:/bin")
    if not path:
        return None
    try:
        r = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return path if "GNU" in (r.stdout + r.stderr) else None


GNU_TIME = _gnu_time()
RSS_METHOD = ("GNU time %M (the command's own peak)" if GNU_TIME else
              "os.wait4 ru_maxrss (includes the Python launcher's RSS: install GNU time)")


def run_measured(
    argv: list[str],
    *,
    cwd: Path | str | None = None,
    stdin_path: Path | None = None,
    stdout_path: Path | None = None,
    env: dict[str, str] | None = None,
    timeout_s: float | None = None,
) -> Run:
    """Run argv to completion and return its measurements.

    stdout goes to stdout_path (or /dev/null); stderr is kept (last 4 KiB) for
    error messages.  On timeout the child's whole process group is killed and
    the Run is marked timed_out.
    """
    cwd = str(cwd) if cwd is not None else os.getcwd()
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    stdout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    # stderr goes to an anonymous temp file rather than a pipe: a chatty child
    # can then never block on a full pipe while we sit in wait4().
    err_file = tempfile.TemporaryFile()
    timed_out = threading.Event()
    rss_file = tempfile.NamedTemporaryFile(prefix="bench-rss-", delete=False) if GNU_TIME else None
    full_argv = [GNU_TIME, "-f", "%M", "-o", rss_file.name, *argv] if rss_file else list(argv)
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(
            full_argv,
            cwd=cwd,
            stdin=stdin,
            stdout=stdout,
            stderr=err_file,
            env=env,
            start_new_session=True,
        )
        timer = None
        if timeout_s:
            def kill() -> None:
                timed_out.set()
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

            timer = threading.Timer(timeout_s, kill)
            timer.start()
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err_file.seek(0, os.SEEK_END)
        size = err_file.tell()
        err_file.seek(max(0, size - 4096))
        tail = err_file.read().decode("utf-8", "replace")
        max_rss = ru.ru_maxrss
        if rss_file:
            # the last line is %M; GNU time may put "Command exited with
            # non-zero status N" or "Command terminated by signal N" before it
            lines = Path(rss_file.name).read_text().split()
            max_rss = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    finally:
        err_file.close()
        if rss_file:
            rss_file.close()
            os.unlink(rss_file.name)
        if stdin is not subprocess.DEVNULL:
            stdin.close()
        if stdout is not subprocess.DEVNULL:
            stdout.close()
    return Run(
        argv=list(argv),
        cwd=cwd,
        returncode=proc.returncode,
        wall_s=wall,
        user_s=ru.ru_utime,
        sys_s=ru.ru_stime,
        max_rss_kib=max_rss,
        timed_out=timed_out.is_set(),
        stderr_tail=tail,
        rss_method="gnu-time" if rss_file else "wait4",
    )
