#!/usr/bin/env bash
# Installs the Debian packages Pounce builds against (and the tools its tests run),
# when they are missing. The system libraries are linked through SwiftPM
# systemLibrary targets: PCRE2, OpenSSL, libcrypt, Lua 5.4 and c-ares.
#
#   scripts/install-deps.sh          what the build needs
#   scripts/install-deps.sh --tests  also what the test suite starts (servers, clients)
set -euo pipefail
pkgs=(pkg-config libpcre2-dev libssl-dev libcrypt-dev liblua5.4-dev libc-ares-dev openssl curl)
if [ "${1:-}" = --tests ]; then
    # chromium: the status page screenshot; keepalived, tcpdump, tshark, iproute2,
    # iputils-ping: the VRRP rig in ../shared/rigs/vrrp (keepalived is the peer).
    # nghttp2-client: nghttp and h2load, the HTTP/2 tests' client and benchmark.
    # pebble: Let's Encrypt's ACME test server (and its DNS), for the ACME tests.
    pkgs+=(chromium keepalived tcpdump tshark iproute2 iputils-ping python3 python3-pip nghttp2-client pebble)
fi
need=()
for pkg in "${pkgs[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages: ${need[*]} (run as root, or apt-get install them)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections 2>/dev/null || true
apt-get update -qq
apt-get install -y -qq "${need[@]}"
