#!/usr/bin/env python3
"""Multi-GB hostile inputs (issue #15), too large for `cargo test`.

1. A 5 GB text file with a GitHub token planted on its first line, in its middle and on its
   last line: `leakgate scan DIR --format json` must exit 1 with exactly those three findings.
2. A 500 MB GitHub Actions log (timestamps, ANSI colours) piped to `leakgate scan-log -` with a
   token in its middle and on its last line: exit 1 with exactly those two findings.

Each run must keep its peak resident memory under 300 MB (VmHWM polled from /proc; `ru_maxrss`
from `wait4` is printed too, an upper bound that also counts this script's pages) and never
print a token. Time and memory are printed. Standard library only.

    python3 bench/hostile.py                       # target/release/leakgate, else target/debug
    python3 bench/hostile.py --bin PATH --gb 5 --log-mb 500
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
TS = "2024-01-02T03:04:05.1234567Z "


def github_token(rng):
    """A well-formed, random classic GitHub token: ghp_ + 30 alnum + base62(CRC32) (6)."""
    body = "".join(rng.choice(ALNUM) for _ in range(30))
    n, crc = zlib.crc32(body.encode()), ""
    while n:
        crc = BASE62[n % 62] + crc
        n //= 62
    return "ghp_" + body + crc.rjust(6, "0")


def text_block(rng, size):
    """About `size` bytes of ordinary prose-and-code lines that hold no secret."""
    words = ("build deploy server client request response value index table cache "
             "record module import export return function update delete create list "
             "the a of to and in for with on at by from as is was").split()
    lines, n = [], 0
    while n < size:
        line = " ".join(rng.choice(words) for _ in range(rng.randint(6, 14))) + "\n"
        lines.append(line)
        n += len(line)
    return "".join(lines).encode()


def run(bin_path, args, cwd, feed=None):
    """Run leakgate; `feed(pipe)` writes its standard input. Returns (exit code, stdout,
    stderr, seconds, peak RSS in MiB)."""
    started = time.monotonic()
    p = subprocess.Popen([bin_path] + args, cwd=cwd,
                         stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = [], []
    readers = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()))
               for s, b in ((p.stdout, out), (p.stderr, err))]
    for t in readers:
        t.start()
    writer = None
    if feed:
        def write():
            try:
                feed(p.stdin)
            finally:
                p.stdin.close()
        writer = threading.Thread(target=write)
        writer.start()
    # VmHWM, polled: wait4's ru_maxrss also counts, on Linux, the pages of this Python process
    # the child shared before exec, so it is only an upper bound
    hwm, done = [0], threading.Event()

    def poll():
        while not done.is_set():
            try:
                with open(f"/proc/{p.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            hwm[0] = max(hwm[0], int(line.split()[1]))
            except (OSError, ValueError):
                pass
            done.wait(0.05)
    poller = threading.Thread(target=poll)
    poller.start()
    _, status, usage = os.wait4(p.pid, 0)
    done.set()
    poller.join()
    p.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    for t in readers + ([writer] if writer else []):
        t.join()
    print(f"  ru_maxrss {usage.ru_maxrss / 1024:.0f} MiB (upper bound), VmHWM polled "
          f"{hwm[0] / 1024:.0f} MiB")
    return (p.returncode, out[0].decode("utf-8", "replace"), err[0].decode("utf-8", "replace"),
            seconds, (hwm[0] or usage.ru_maxrss) / 1024)


def rows(report):
    return sorted((f["path"], f["line"], f["column"], f["rule_id"])
                  for f in json.loads(report)["findings"])


def check(name, got, want, code, out, err, secs, rss, max_rss, tokens):
    print(f"{name}: exit {code}, {secs:.1f} s, peak RSS {rss:.0f} MiB")
    ok = True
    if code != 1:
        print(f"  FAIL: exit {code}, want 1\n{err}")
        ok = False
    if got != want:
        print(f"  FAIL: findings {got}, want {want}\n{err}")
        ok = False
    if rss >= max_rss:
        print(f"  FAIL: peak RSS {rss:.0f} MiB, limit {max_rss} MiB")
        ok = False
    if any(t in out or t in err for t in tokens):
        print("  FAIL: a token was printed in full")
        ok = False
    return ok


def big_file(bin_path, work, gb, max_rss, rng):
    block = text_block(rng, 8 << 20)
    per_block = block.count(b"\n")
    blocks = max(2, int(gb * 10**9) // len(block))
    tokens = [github_token(rng) for _ in range(3)]
    path = os.path.join(work, "tree", "big.txt")
    os.makedirs(os.path.dirname(path))
    want, line = [], 1
    t0 = time.monotonic()
    with open(path, "wb") as f:
        f.write(f"GITHUB_TOKEN={tokens[0]}\n".encode())
        want.append(("big.txt", 1, 14, "github-pat-classic"))
        for i in range(blocks):
            if i == blocks // 2:
                f.write(f"GITHUB_TOKEN={tokens[1]}\n".encode())
                line += 1
                want.append(("big.txt", line, 14, "github-pat-classic"))
            f.write(block)
            line += per_block
        f.write(f"GITHUB_TOKEN={tokens[2]}".encode())  # last line, no newline
        want.append(("big.txt", line + 1, 14, "github-pat-classic"))
    size = os.path.getsize(path)
    print(f"wrote {size / 1e9:.2f} GB ({line + 1} lines) in {time.monotonic() - t0:.0f} s")
    code, out, err, secs, rss = run(bin_path, ["scan", ".", "--no-lint", "--format", "json"],
                                    os.path.join(work, "tree"))
    ok = check(f"scan of a {size / 1e9:.1f} GB file", rows(out) if code in (0, 1) else None,
               sorted(want), code, out, err, secs, rss, max_rss, tokens)
    print(f"  {size / 1e6 / secs:.0f} MB/s")
    os.remove(path)
    return ok


def big_log(bin_path, work, mb, max_rss, rng):
    line = (f"{TS}\x1b[32m  Compiling serde v1.0.{rng.randrange(1000)} "
            f"(/home/runner/work/app)\x1b[0m\n").encode()
    block = line * ((1 << 20) // len(line))
    blocks = max(2, (mb << 20) // len(block))
    per_block = block.count(b"\n")
    tokens = [github_token(rng) for _ in range(2)]
    col = len(TS) + len("GITHUB_TOKEN=") + 1
    mid_line = (blocks // 2) * per_block + 1
    end_line = blocks * per_block + 2
    want = sorted([("<stdin>", mid_line, col, "github-pat-classic"),
                   ("<stdin>", end_line, col, "github-pat-classic")])

    def feed(pipe):
        for i in range(blocks):
            if i == blocks // 2:
                pipe.write(f"{TS}GITHUB_TOKEN={tokens[0]}\n".encode())
            pipe.write(block)
        pipe.write(f"{TS}GITHUB_TOKEN={tokens[1]}\n".encode())

    code, out, err, secs, rss = run(bin_path, ["scan-log", "-", "--format", "json"], work, feed)
    ok = check(f"scan-log of a {blocks * len(block) / 1e6:.0f} MB log on stdin",
               rows(out) if code in (0, 1) else None, want, code, out, err, secs, rss,
               max_rss, tokens)
    print(f"  {blocks * len(block) / 1e6 / secs:.0f} MB/s")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", help="leakgate binary (default: target/release, else target/debug)")
    ap.add_argument("--gb", type=float, default=5, help="size of the big file in GB (default 5)")
    ap.add_argument("--log-mb", type=int, default=500, help="log size in MiB (default 500)")
    ap.add_argument("--max-rss-mb", type=int, default=300)
    ap.add_argument("--workdir", help="where to write the big file (default: a temp dir)")
    a = ap.parse_args()
    bin_path = a.bin
    if not bin_path:
        for kind in ("release", "debug"):
            p = os.path.join(ROOT, "target", kind, "leakgate")
            if os.path.exists(p):
                bin_path = p
                break
    if not bin_path or not os.path.exists(bin_path):
        sys.exit("no leakgate binary: build one or pass --bin")
    print(f"binary: {bin_path}")
    rng = random.Random(15)
    work = tempfile.mkdtemp(prefix="leakgate-hostile.", dir=a.workdir)
    try:
        ok = big_file(bin_path, work, a.gb, a.max_rss_mb, rng)
        ok = big_log(bin_path, work, a.log_mb, a.max_rss_mb, rng) and ok
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
