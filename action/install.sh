#!/usr/bin/env bash
# Installs leakgate for the composite action in ../action.yml (Linux, macOS and Windows runners;
# on Windows this runs in Git Bash). Prints the binary's path to $GITHUB_OUTPUT as `bin` and adds
# its directory to $GITHUB_PATH.
#
# Which leakgate:
#   VERSION=source          build the action's own checkout: cargo install --locked --path "$GITHUB_ACTION_PATH"
#   VERSION=1.2.3 | v1.2.3  download release v1.2.3 for this runner's OS and architecture
#   VERSION=''              the release whose tag the action was referenced at (uses: OWNER/leakgate@v1.2.3);
#                           any other reference (uses: ./, a branch, a commit SHA, a moving tag
#                           such as v1) builds the action's own checkout, so that the binary
#                           always matches this action.yml.
# A download is checked against the release's SHA256SUMS before use; a checksum mismatch, or an
# asset missing from SHA256SUMS, is an error. A release without a binary for this runner, or a
# failed download, falls back to building from source with a warning.
#
# Environment (set by action.yml; inputs are never interpolated into the script):
#   VERSION, ACTION_REPOSITORY (github.action_repository), ACTION_REF (github.action_ref),
#   GITHUB_ACTION_PATH, GITHUB_REPOSITORY, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_OUTPUT,
#   GITHUB_PATH; LEAKGATE_RELEASES_URL overrides https://github.com (tests only).
set -euo pipefail

fail() {
    echo "::error title=leakgate install::$*"
    exit 1
}
warn() { echo "::warning title=leakgate install::$*"; }

: "${RUNNER_TEMP:?RUNNER_TEMP is not set (not on a GitHub Actions runner?)}"
: "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"

semver='^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'
repo_re='^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$'
version=${VERSION:-}
repo=${ACTION_REPOSITORY:-}
ref=${ACTION_REF:-}
action_path=${GITHUB_ACTION_PATH//\\//}

# github.action_repository and github.action_ref are not promised for composite actions
# (actions/runner#2473); the runner checks remote actions out to _actions/OWNER/REPO/REF.
if [ -z "$repo" ] && [[ $action_path =~ /_actions/([^/]+)/([^/]+)/([^/]+)/?$ ]]; then
    repo="${BASH_REMATCH[1]}/${BASH_REMATCH[2]}"
    ref=${BASH_REMATCH[3]}
fi

mode=source
why=""
if [ "$version" = source ]; then
    why="version: source"
elif [ -n "$version" ]; then
    [[ $version =~ $semver ]] || fail "version '$version' is not a release version (1.2.3 or v1.2.3) or 'source'"
    mode=release
    # uses: ./ has no action repository: download from the workflow's own repository.
    repo=${repo:-${GITHUB_REPOSITORY:-}}
elif [ -n "$repo" ] && [[ $ref =~ $semver ]]; then
    mode=release
    version=$ref
elif [ -z "$repo" ]; then
    why="the action is used from a local path (uses: ./)"
else
    why="the action is referenced at '$ref', not at a release tag vX.Y.Z"
fi

install_root="$RUNNER_TEMP/leakgate-install"
rm -rf "$install_root"
mkdir -p "$install_root"
exe=""
[ "${RUNNER_OS:-}" = Windows ] && exe=.exe

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d' ' -f1
    else
        # shellcheck disable=SC2016 # $env:FILE is PowerShell's, expanded by pwsh
        FILE="$1" pwsh -NoProfile -NonInteractive -Command \
            '(Get-FileHash -Algorithm SHA256 -LiteralPath $env:FILE).Hash.ToLower()'
    fi
}

download() { # URL FILE
    local proto=(--proto '=https' --tlsv1.2)
    [ -n "${LEAKGATE_RELEASES_URL:-}" ] && proto=()
    curl --fail --location --silent --show-error --retry 5 --retry-delay 2 --retry-connrefused \
        --connect-timeout 20 --max-time 300 ${proto[@]+"${proto[@]}"} -o "$2" "$1"
}

# Sets bin to the binary's path; returns 1 (after a warning) when no usable download exists.
# Runs in this shell (not in $(...)), so that fail stops the script.
install_release() {
    local tag="v${version#v}" target="" ext=tar.gz
    case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
        Linux/X64) target=x86_64-unknown-linux-musl ;;
        Linux/ARM64) target=aarch64-unknown-linux-musl ;;
        macOS/X64) target=x86_64-apple-darwin ;;
        macOS/ARM64) target=aarch64-apple-darwin ;;
        Windows/X64) target=x86_64-pc-windows-msvc ext=zip ;;
    esac
    if [ -z "$target" ]; then
        warn "leakgate $tag has no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"
        return 1
    fi
    [[ $repo =~ $repo_re ]] || fail "cannot tell which repository to download leakgate from ('$repo')"
    local name="leakgate-$tag-$target"
    local asset="$name.$ext"
    local base="${LEAKGATE_RELEASES_URL:-https://github.com}/$repo/releases/download/$tag"
    local dir="$install_root/release"
    mkdir -p "$dir"
    echo "Downloading $base/$asset"
    if ! download "$base/SHA256SUMS" "$dir/SHA256SUMS" || ! download "$base/$asset" "$dir/$asset"; then
        warn "could not download leakgate $tag ($asset) from $repo"
        return 1
    fi
    local expected actual
    expected=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print tolower($1); exit }' "$dir/SHA256SUMS")
    [ -n "$expected" ] || fail "SHA256SUMS of $repo $tag has no entry for $asset"
    actual=$(sha256 "$dir/$asset")
    [ "$actual" = "$expected" ] || fail "checksum mismatch for $asset: expected $expected, got $actual"
    echo "SHA-256 verified: $actual  $asset"
    if [ "$ext" = zip ]; then
        if command -v unzip >/dev/null 2>&1; then
            unzip -q -o "$dir/$asset" -d "$dir"
        else
            # shellcheck disable=SC2016 # PowerShell variables
            ZIP="$dir/$asset" DEST="$dir" pwsh -NoProfile -NonInteractive -Command \
                'Expand-Archive -Force -LiteralPath $env:ZIP -DestinationPath $env:DEST'
        fi
    else
        tar -xzf "$dir/$asset" -C "$dir"
    fi
    bin="$dir/$name/leakgate$exe"
    [ -f "$bin" ] || fail "$asset does not contain $name/leakgate$exe"
    chmod +x "$bin"
}

# Sets bin.
install_source() {
    command -v cargo >/dev/null 2>&1 ||
        fail "building leakgate from source needs cargo (Rust $(sed -n 's/^rust-version = "\(.*\)"/\1/p' "$GITHUB_ACTION_PATH/Cargo.toml") or later) on PATH; set up Rust, or set the version input to a release"
    echo "::group::cargo install --locked --path $GITHUB_ACTION_PATH"
    cargo install --locked --path "$GITHUB_ACTION_PATH" --root "$install_root/source"
    echo "::endgroup::"
    bin="$install_root/source/bin/leakgate$exe"
}

bin=""
if [ "$mode" = release ]; then
    if ! install_release; then
        bin=""
        why="no usable release download"
        warn "building leakgate from the action's source instead (this takes a few minutes and may not be version ${version#v})"
    fi
fi
if [ -z "$bin" ]; then
    echo "Building leakgate from source: $why"
    install_source
fi

"$bin" --version || fail "$bin does not run on this runner"
bindir=$(dirname "$bin")
if command -v cygpath >/dev/null 2>&1; then
    bindir=$(cygpath -w "$bindir")
fi
echo "bin=$bin" >>"$GITHUB_OUTPUT"
if [ -n "${GITHUB_PATH:-}" ]; then
    echo "$bindir" >>"$GITHUB_PATH"
fi
