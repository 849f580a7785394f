#!/usr/bin/env bash
# Run every fuzz target for a bounded time (default 600 s each) with cargo-fuzz on the nightly
# toolchain: `fuzz/run.sh [SECONDS] [TARGET...]`. Crashes land in fuzz/artifacts/TARGET/; turn
# each into a regression test (see README, "Fuzzing"). Not part of .ci/run.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
shift || true
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)
status=0
for t in "${targets[@]}"; do
    echo "== $t: ${secs}s"
    mkdir -p "corpus/$t"
    if ! cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 \
        -timeout=20 -max_len=262144 2>"fuzz-$t.log"; then
        echo "!! $t failed: see fuzz/fuzz-$t.log and fuzz/artifacts/$t/" >&2
        status=1
    else
        tail -n 1 "fuzz-$t.log"
    fi
done
exit $status
