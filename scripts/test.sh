#!/usr/bin/env bash
# The README's test command: installs what the build and the tests need (Debian
# packages, and two Python packages the tests check output with), then `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --tests
# The TLS scanner the HTTPS listener tests run (HTTPSListenerTests skip without it).
if ! python3 -c 'import sslyze' 2>/dev/null; then
    python3 -m pip install -q sslyze 2>&1 | grep -v "Running pip as the 'root' user" || true
fi
# The HTTP/2 library the HTTP/2 protocol-edge and attack tests drive (h2probe.py).
if ! python3 -c 'import h2' 2>/dev/null; then
    python3 -m pip install -q h2 2>&1 | grep -v "Running pip as the 'root' user" || true
fi
# The Prometheus text parser the Metrics integration test checks the scrape with.
if ! python3 -c 'import prometheus_client' 2>/dev/null; then
    python3 -m pip install -q prometheus-client 2>&1 | grep -v "Running pip as the 'root' user" || true
fi
export PATH=/opt/swift/usr/bin:$PATH
swift test "$@"
