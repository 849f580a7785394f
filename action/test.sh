#!/usr/bin/env bash
# Offline tests of action/install.sh and action/scan.sh on this machine, with a stand-in
# leakgate (a shell script) packaged as a release under a file:// URL and a stand-in cargo.
# Covers: version resolution (input, tag reference, _actions path, uses: ./), checksum
# verification (a mismatch is fatal, never a fallback), fallback to a source build, exit code
# capture, outputs, args splitting, the --reveal guard and the fork upload skip.
# Usage: action/test.sh   (prints "N passed, N failed"; exits 1 on a failure)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
work=$(mktemp -d)
if [ -n "${KEEP:-}" ]; then echo "keeping $work"; else trap 'rm -rf "$work"' EXIT; fi
passed=0
failed=0
check() { # NAME CONDITION...
    local name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $name" >&2
    fi
}
has() { grep -q -- "$2" "$1"; }
hasnt() { ! grep -q -- "$2" "$1"; }

# A stand-in leakgate: records its arguments, prints an annotation, writes the SARIF, the count
# and the summary, and exits with $FAKE_EXIT.
fake=$work/fake-leakgate
cat >"$fake" <<'FAKE'
#!/usr/bin/env bash
if [ "$1" = --version ]; then echo "leakgate 9.9.9 (fake)"; exit 0; fi
printf '%s\n' "$@" >"$FAKE_ARGS"
while [ $# -gt 0 ]; do
    case "$1" in
        --sarif) echo '{"version":"2.1.0","runs":[]}' >"$2"; shift ;;
        --count-file) echo 3 >"$2"; shift ;;
        --summary) echo '| rule | file |' >>"$2"; shift ;;
    esac
    shift
done
echo "::error file=.env,line=1,title=fake::sk_liv*****"
exit "${FAKE_EXIT:-1}"
FAKE
chmod +x "$fake"

# The release v9.9.9 of o/leakgate for Linux x86_64.
rel=$work/releases/o/leakgate/releases/download/v9.9.9
name=leakgate-v9.9.9-x86_64-unknown-linux-musl
mkdir -p "$rel/$name"
cp "$fake" "$rel/$name/leakgate"
(cd "$rel" && tar -czf "$name.tar.gz" "$name" && rm -rf "$name" && sha256sum "$name.tar.gz" >SHA256SUMS)

# A stand-in cargo: `cargo install --locked --path P --root R` copies the fake to R/bin.
mkdir -p "$work/cargo-bin"
cat >"$work/cargo-bin/cargo" <<'CARGO'
#!/usr/bin/env bash
echo "$@" >"$FAKE_CARGO_ARGS"
while [ $# -gt 0 ]; do [ "$1" = --root ] && root=$2; shift; done
mkdir -p "$root/bin" && cp "$FAKE_LEAKGATE" "$root/bin/leakgate" && cp "$FAKE_LEAKGATE" "$root/bin/leakgate.exe"
CARGO
chmod +x "$work/cargo-bin/cargo"

# run_install NAME [VAR=VALUE...]: runs install.sh in a fresh runner environment.
run_install() {
    local n=$1
    shift
    local d=$work/$n
    mkdir -p "$d/temp"
    : >"$d/output"
    : >"$d/path"
    env -i PATH="$work/cargo-bin:/usr/bin:/bin" HOME="$HOME" RUNNER_TEMP="$d/temp" \
        GITHUB_OUTPUT="$d/output" GITHUB_PATH="$d/path" GITHUB_ACTION_PATH="$root" \
        GITHUB_REPOSITORY=me/app RUNNER_OS=Linux RUNNER_ARCH=X64 \
        LEAKGATE_RELEASES_URL="file://$work/releases" FAKE_CARGO_ARGS="$d/cargo-args" \
        FAKE_LEAKGATE="$fake" "$@" bash "$here/install.sh" >"$d/log" 2>&1
    echo $? >"$d/rc"
}
rc() { [ "$(cat "$work/$1/rc")" = "$2" ]; }

run_install tag ACTION_REPOSITORY=o/leakgate ACTION_REF=v9.9.9
check "tag: downloads" has "$work/tag/log" "SHA-256 verified"
check "tag: bin output" has "$work/tag/output" "bin=$work/tag/temp/leakgate-install/release/$name/leakgate"
check "tag: PATH" has "$work/tag/path" "/release/$name"
check "tag: no cargo" test ! -e "$work/tag/cargo-args"
check "tag: runs" has "$work/tag/log" "leakgate 9.9.9 (fake)"

run_install input VERSION=9.9.9 GITHUB_REPOSITORY=o/leakgate
check "version input, uses: ./ repository" has "$work/input/log" "SHA-256 verified"

run_install path GITHUB_ACTION_PATH="$work/x/_actions/o/leakgate/v9.9.9"
check "_actions path gives repo and ref" has "$work/path/log" "o/leakgate/releases/download/v9.9.9"

run_install local
check "uses: ./ builds from source" has "$work/local/log" "uses: ./"
check "uses: ./ cargo args" has "$work/local/cargo-args" "install --locked --path $root --root"
check "uses: ./ bin" has "$work/local/output" "bin=$work/local/temp/leakgate-install/source/bin/leakgate"

run_install sha ACTION_REPOSITORY=o/leakgate ACTION_REF=0123456789abcdef0123456789abcdef01234567
check "sha ref builds from source" has "$work/sha/log" "not at a release tag"
check "sha ref: cargo ran" test -e "$work/sha/cargo-args"

run_install arm ACTION_REPOSITORY=o/leakgate ACTION_REF=v9.9.9 RUNNER_OS=Windows RUNNER_ARCH=ARM64
check "no binary for platform: warning" has "$work/arm/log" "::warning"
check "no binary for platform: source build" has "$work/arm/output" "source/bin/leakgate.exe"

run_install missing VERSION=9.9.8 GITHUB_REPOSITORY=o/leakgate
check "missing release: falls back" has "$work/missing/log" "could not download"
check "missing release: rc 0" rc missing 0

run_install bad VERSION='1.0; rm -rf /'
check "bad version refused" rc bad 1
check "bad version message" has "$work/bad/log" "::error"

cp "$rel/SHA256SUMS" "$work/sums"
# change the first hex digit of every checksum to a different one (0 -> f, else -> 0)
sed -i 's/^0/X/; s/^[1-9a-f]/0/; s/^X/f/' "$rel/SHA256SUMS"
run_install tampered VERSION=9.9.9 GITHUB_REPOSITORY=o/leakgate
check "checksum mismatch is fatal" rc tampered 1
check "checksum mismatch message" has "$work/tampered/log" "checksum mismatch"
check "checksum mismatch: no fallback" test ! -e "$work/tampered/cargo-args"
echo "0000  other.tar.gz" >"$rel/SHA256SUMS"
run_install unlisted VERSION=9.9.9 GITHUB_REPOSITORY=o/leakgate
check "asset missing from SHA256SUMS is fatal" rc unlisted 1
cp "$work/sums" "$rel/SHA256SUMS"

# run_scan NAME [VAR=VALUE...]
run_scan() {
    local n=$1
    shift
    local d=$work/scan-$n
    mkdir -p "$d/temp"
    : >"$d/output"
    env -i PATH="/usr/bin:/bin" RUNNER_TEMP="$d/temp" GITHUB_OUTPUT="$d/output" \
        GITHUB_STEP_SUMMARY="$d/summary" GITHUB_REPOSITORY=o/app GITHUB_EVENT_NAME=push \
        LEAKGATE="$fake" FAKE_ARGS="$d/args" FAIL_ON=low UPLOAD_SARIF=true "$@" \
        bash "$here/scan.sh" >"$d/log" 2>&1
    echo $? >"$d/rc"
}
out() { grep -q -- "^$2\$" "$work/scan-$1/output"; }

run_scan findings FAKE_EXIT=1 CONFIG=cfg.yml BASELINE=.leakgate-baseline.json \
    ARGS=$'--no-ignore\n  -j 2'
check "scan: step passes" rc scan-findings 0
check "scan: exit-code 1" out findings "exit-code=1"
check "scan: findings 3" out findings "findings=3"
check "scan: sarif-file" grep -q "^sarif-file=$work/scan-findings/temp/leakgate\..*/leakgate.sarif$" "$work/scan-findings/output"
check "scan: upload" out findings "upload=true"
check "scan: annotation printed" has "$work/scan-findings/log" "::error file=.env"
check "scan: summary written" has "$work/scan-findings/summary" "| rule |"
check "scan: args" test "$(tr '\n' ' ' <"$work/scan-findings/args")" = "ci --format github --sarif $(sed -n 's/^sarif-file=//p' "$work/scan-findings/output") --count-file $(dirname "$(sed -n 's/^sarif-file=//p' "$work/scan-findings/output")")/findings.txt --fail-on low --config cfg.yml --baseline .leakgate-baseline.json --summary $work/scan-findings/summary --no-ignore -j 2 "

run_scan clean FAKE_EXIT=0 UPLOAD_SARIF=false
check "clean: exit-code 0" out clean "exit-code=0"
check "clean: no upload when disabled" out clean "upload=false"
check "clean: sarif still reported" grep -q '^sarif-file=.' "$work/scan-clean/output"

run_scan error FAKE_EXIT=2
check "error: exit-code 2" out error "exit-code=2"
check "error: no sarif-file" out error "sarif-file="
check "error: no upload" out error "upload=false"
check "error: annotation" has "$work/scan-error/log" "::error title=leakgate::leakgate ci failed with exit code 2"

run_scan fork GITHUB_EVENT_NAME=pull_request HEAD_REPOSITORY=someone/app
check "fork: upload skipped" out fork "upload=false"
check "fork: notice" has "$work/scan-fork/log" "pull request from a fork"
run_scan samerepo GITHUB_EVENT_NAME=pull_request HEAD_REPOSITORY=o/app
check "same-repo PR: upload" out samerepo "upload=true"
run_scan dependabot GITHUB_EVENT_NAME=pull_request HEAD_REPOSITORY=o/app GITHUB_ACTOR='dependabot[bot]'
check "dependabot: upload skipped" out dependabot "upload=false"

run_scan reveal ARGS="--no-ignore --reveal"
check "--reveal refused" rc scan-reveal 1
check "--reveal: leakgate not run" test ! -e "$work/scan-reveal/args"

run_scan glob ARGS='* "a b"'
check "args: no globbing, no quote parsing" test "$(tail -n 3 "$work/scan-glob/args" | tr '\n' '|')" = '*|"a|b"|'

echo "action: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
