#!/bin/sh
# Install Microsoft's SARIF Multitool (npm: @microsoft/sarif-multitool) into DIR and print
# the absolute path of its executable on stdout, e.g. for
#   LEAKGATE_SARIF_MULTITOOL=$(.ci/sarif-multitool.sh "$HOME/.cache/sarif-tool") cargo test --test sarif
#
# Usage: .ci/sarif-multitool.sh DIR
# Environment: SARIF_MULTITOOL_VERSION (default 5.7.0).
# Reuses an existing install in DIR without touching the network. Exits non-zero with a
# message on stderr when npm is missing or the install fails (for example when offline).
set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
version=${SARIF_MULTITOOL_VERSION:-5.7.0}

case "$(uname -s)" in
    Linux) platform=linux ;;
    Darwin) platform=darwin ;;
    *)
        echo "sarif-multitool.sh: unsupported platform $(uname -s) (linux and macOS only)" >&2
        exit 1
        ;;
esac

mkdir -p "$1"
dir=$(cd "$1" && pwd)
exe="$dir/node_modules/@microsoft/sarif-multitool-$platform/Sarif.Multitool"

if [ ! -f "$exe" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "sarif-multitool.sh: npm not found; install Node.js/npm or set LEAKGATE_SARIF_MULTITOOL to an existing Sarif.Multitool" >&2
        exit 1
    fi
    # --ignore-scripts: the package's only install step is a chmod, done below
    if ! npm install --prefix "$dir" --prefer-offline --no-audit --no-fund --ignore-scripts \
        "@microsoft/sarif-multitool@$version" >&2; then
        echo "sarif-multitool.sh: 'npm install @microsoft/sarif-multitool@$version' failed (offline, or no registry access?)." >&2
        echo "sarif-multitool.sh: SARIF validation with the multitool is unavailable." >&2
        exit 1
    fi
    if [ ! -f "$exe" ]; then
        echo "sarif-multitool.sh: npm finished but $exe is missing (platform package not installed?)" >&2
        exit 1
    fi
fi

chmod u+x "$exe"
if ! "$exe" --version >/dev/null 2>&1; then
    echo "sarif-multitool.sh: $exe does not run on this machine" >&2
    exit 1
fi
echo "$exe"
