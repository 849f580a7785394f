#!/usr/bin/env bash
# Runs `leakgate ci` once for the composite action in ../action.yml: annotations on stdout
# (--format github, redacted), SARIF into a fresh directory under $RUNNER_TEMP, a findings table
# appended to $GITHUB_STEP_SUMMARY and the number of findings in a count file. leakgate's exit
# code is recorded as the output `exit-code` instead of failing this step, so that the SARIF is
# still uploaded when findings fail the build; action.yml's last step exits with it.
#
# Environment (set by action.yml; inputs are never interpolated into the script):
#   LEAKGATE (binary), FAIL_ON, CONFIG, BASELINE, ARGS, UPLOAD_SARIF, HEAD_REPOSITORY
#   (github.event.pull_request.head.repo.full_name), plus the runner's GITHUB_* and RUNNER_TEMP.
#
# ARGS is split into words on spaces, tabs and newlines; quotes and globs are NOT interpreted,
# so an argument cannot contain whitespace.
set -uo pipefail

fail() {
    echo "::error title=leakgate::$*"
    exit 1
}

: "${LEAKGATE:?LEAKGATE (the binary) is not set}"
: "${RUNNER_TEMP:?RUNNER_TEMP is not set (not on a GitHub Actions runner?)}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"

extra=()
if [ -n "${ARGS:-}" ]; then
    IFS=$' \t\n' read -r -d '' -a extra <<<"$ARGS" || true
fi
# ${x[@]+"${x[@]}"}: macOS runners may run bash 3.2, where an empty "${x[@]}" trips set -u.
for a in ${extra[@]+"${extra[@]}"}; do
    case "$a" in
        --reveal | --reveal=*)
            fail "the args input must not contain --reveal: annotations, the step summary and the SARIF upload must stay redacted"
            ;;
    esac
done

out=$(mktemp -d "$RUNNER_TEMP/leakgate.XXXXXX") || fail "cannot create a directory under RUNNER_TEMP"
sarif="$out/leakgate.sarif"
count="$out/findings.txt"

cmd=("$LEAKGATE" ci --format github --sarif "$sarif" --count-file "$count" --fail-on "${FAIL_ON:-low}")
[ -n "${CONFIG:-}" ] && cmd+=(--config "$CONFIG")
[ -n "${BASELINE:-}" ] && cmd+=(--baseline "$BASELINE")
[ -n "${GITHUB_STEP_SUMMARY:-}" ] && cmd+=(--summary "$GITHUB_STEP_SUMMARY")
cmd+=(${extra[@]+"${extra[@]}"})

echo "leakgate ci --format github --sarif $sarif --count-file $count --fail-on ${FAIL_ON:-low}${CONFIG:+ --config $CONFIG}${BASELINE:+ --baseline $BASELINE}${GITHUB_STEP_SUMMARY:+ --summary \$GITHUB_STEP_SUMMARY}${extra[*]+ ${extra[*]}}"
"${cmd[@]}"
code=$?

findings=""
if [ -f "$count" ]; then
    findings=$(tr -d ' \t\r\n' <"$count")
    [[ $findings =~ ^[0-9]+$ ]] || findings=""
fi

# 0 = clean, 1 = findings at or above fail-on: the SARIF is complete. Anything else is an error
# (2: bad input, shallow history, ...); a SARIF file left behind then is not uploaded.
sarif_out=""
if { [ "$code" -eq 0 ] || [ "$code" -eq 1 ]; } && [ -s "$sarif" ]; then
    sarif_out=$sarif
fi

# A pull request from a fork, and one opened by Dependabot, gets a read-only token: uploading
# SARIF would fail with "Resource not accessible by integration".
upload=false
if [ "${UPLOAD_SARIF:-true}" = true ] && [ -n "$sarif_out" ]; then
    upload=true
    if [ "${GITHUB_EVENT_NAME:-}" = pull_request ] || [ "${GITHUB_EVENT_NAME:-}" = pull_request_review ]; then
        if [ -n "${HEAD_REPOSITORY:-}" ] && [ "$HEAD_REPOSITORY" != "${GITHUB_REPOSITORY:-}" ]; then
            upload=false
            echo "::notice title=leakgate::pull request from a fork: the token cannot upload SARIF, so code scanning is skipped (annotations and the step summary still show the findings)"
        elif [ "${GITHUB_ACTOR:-}" = "dependabot[bot]" ]; then
            upload=false
            echo "::notice title=leakgate::Dependabot pull request: the token cannot upload SARIF, so code scanning is skipped"
        fi
    fi
fi

{
    echo "exit-code=$code"
    echo "findings=$findings"
    echo "sarif-file=$sarif_out"
    echo "upload=$upload"
} >>"$GITHUB_OUTPUT"

case "$code" in
    0) echo "leakgate: ${findings:-no} finding(s) reported, none at or above fail-on '${FAIL_ON:-low}'" ;;
    1) echo "leakgate: ${findings:-?} finding(s) reported; failing after the SARIF upload (fail-on '${FAIL_ON:-low}')" ;;
    *) echo "::error title=leakgate::leakgate ci failed with exit code $code; the reason is in the log above" ;;
esac
exit 0
