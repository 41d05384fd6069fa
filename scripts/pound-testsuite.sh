#!/usr/bin/env bash
# Runs Pound's own test suite (GNU autotest, 110 groups) against Pounce.
#
#   POUND_SRC=/path/to/pound-4.23 scripts/pound-testsuite.sh [GROUP...]
#
# POUND_SRC is a Pound v4.23 source tree, configured and built outside this project
# (its tests/testsuite and helper programs must exist: run `make` there first). Pound's
# code is GPL and is never copied here: the suite runs from its own tree and finds
# our binary through AUTOTEST_PATH, under the name `pound`.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
: "${POUND_SRC:?set POUND_SRC to a built Pound 4.23 source tree}"
config=${CONFIG:-release}
if [ "$config" = release ]; then
    build=("$here/scripts/build-release.sh")
else
    build=(swift build -c "$config" --package-path "$here")
fi
"${build[@]}" >&2
bin=$("${build[@]}" --show-bin-path)/pounce
alt=$(mktemp -d)
trap 'rm -rf "$alt"' EXIT
ln -s "$bin" "$alt/pound"
cd "$POUND_SRC/tests"
./testsuite AUTOTEST_PATH="$alt" "$@"
