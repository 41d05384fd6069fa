#!/usr/bin/env bash
# The README's first command. Today it builds Pounce and checks the sample
# configurations the way `pound -c` does, showing the diagnostics a user gets for a
# broken file. (The proxy engine, which will make this start a live demo with its
# own backends, is the next milestone.)
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
swift build -c release >&2 || exit 1
bin=$(swift build -c release --show-bin-path)/pounce
for cfg in examples/*.cfg; do
    printf '$ pounce -c -v -Wno-dns -W include-dir=examples -f %s\n' "$cfg"
    "$bin" -c -v -Wno-dns -W include-dir=examples -f "$cfg" 2>&1
    echo "(exit $?)"
done
broken=$(mktemp)
trap 'rm -f "$broken"' EXIT
printf 'ListenHTTP\n\tPort 8080\n\tService\n\t\tBackend\n\t\t\tPort 8081\n\t\tEnd\n\tEnd\nEnd\n' > "$broken"
printf '\n$ pounce -c -f broken.cfg   # a Backend without an Address\n'
(cd "$(dirname "$broken")" && "$bin" -c -Wno-dns -f "$(basename "$broken")" 2>&1)
echo "(exit $?)"
