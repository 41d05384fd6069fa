#!/usr/bin/env bash
# Automatic HTTPS with the release build, against Pebble (Let's Encrypt's test CA) on
# 127.0.0.1: a certificate over tls-alpn-01 and one over http-01, each checked from a
# new connection with the chain it serves against Pebble's root alone, then one
# renewal of a 20-second certificate. The test suite runs the debug build; this is
# the same path optimized, where memory lifetimes differ (a chain once lost its
# intermediate only there).
#
#   scripts/acme-smoke.sh [PATH-TO-POUNCE]     (default: .build/release/pounce)
set -euo pipefail
cd "$(dirname "$0")/.."
pounce=${1:-.build/release/pounce}
backend=$(dirname "$pounce")/pounce-demo-backend
for tool in pebble pebble-challtestsrv openssl curl; do
    command -v "$tool" >/dev/null || { echo "acme-smoke: $tool is missing (scripts/install-deps.sh --tests)"; exit 1; }
done
[ -x "$pounce" ] && [ -x "$backend" ] || { echo "acme-smoke: build first (scripts/build-release.sh)"; exit 1; }

work=$(mktemp -d /tmp/pounce-acme-smoke.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "acme-smoke: FAILED: $*"; for f in "$work"/*.log; do echo "--- $f"; tail -20 "$f"; done; exit 1; }

# Ports: a block below the ephemeral range, checked free by bash's /dev/tcp.
base=$((21000 + RANDOM % 8000))
ca=$base; mgmt=$((base + 1)); tls=$((base + 2)); http=$((base + 3)); dns=$((base + 4)); app=$((base + 5))
for port in $ca $mgmt $tls $http $dns $app; do
    if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then fail "port $port is taken"; fi
done

bash certs/make-certs.sh "$work/pki" >/dev/null 2>&1
cat > "$work/pebble.json" <<JSON
{"pebble": {"listenAddress": "127.0.0.1:$ca", "managementListenAddress": "127.0.0.1:$mgmt",
 "certificate": "$work/pki/server.crt", "privateKey": "$work/pki/server.key",
 "httpPort": $http, "tlsPort": $tls, "ocspResponderURL": "", "externalAccountBindingRequired": false,
 "certificateValidityPeriod": 20}}
JSON
pebble-challtestsrv -dns01 127.0.0.1:$dns -http01 "" -https01 "" -tlsalpn01 "" -management 127.0.0.1:$((base + 6)) \
    -defaultIPv4 127.0.0.1 -defaultIPv6 "" > "$work/dns.log" 2>&1 &
pids+=($!)
# Pebble's own nonce refusals (5%) stay on: the client must retry them.
PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0 pebble -config "$work/pebble.json" -strict -dnsserver 127.0.0.1:$dns \
    > "$work/pebble.log" 2>&1 &
pids+=($!)
"$backend" --port $app --name app > "$work/backend.log" 2>&1 &
pids+=($!)

wait_for() {  # wait_for SECONDS COMMAND...
    local deadline=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.2
    done
}
wait_for 20 curl -sf --cacert "$work/pki/ca.crt" "https://localhost:$ca/dir" || fail "pebble did not start"
curl -sf --cacert "$work/pki/ca.crt" "https://localhost:$mgmt/roots/0" > "$work/root.pem" || fail "no Pebble root"

# Every handshake must bring leaf and intermediate: verified against the root alone.
verify() {  # verify NAME
    openssl s_client -connect 127.0.0.1:$tls -servername "$1" -CAfile "$work/root.pem" -verify_return_error \
        -verify_hostname "$1" </dev/null 2>&1 | grep -q "Verify return code: 0 (ok)"
}

installed_twice() {  # installed_twice NAME LOG
    [ "$(grep -c "acme: $1: certificate installed" "$2")" -ge 2 ]
}

run_case() {  # run_case CHALLENGE NAME
    local challenge=$1 name=$2 listen_http=""
    if [ "$challenge" = http-01 ]; then
        listen_http="ListenHTTP
    Address 127.0.0.1
    Port $http
    Service
        Redirect \"https://$name\"
    End
End"
    fi
    rm -rf "$work/state"
    cat > "$work/pound.cfg" <<CFG
$listen_http
ListenHTTPS
    Address 127.0.0.1
    Port $tls
    AutoCert "$name"
    CertificateAuthority "https://localhost:$ca/dir"
    CertificateAuthorityTrust "$work/pki/ca.crt"
    StateDirectory "$work/state"
    Challenge "$challenge"
    Service
        Backend
            Address 127.0.0.1
            Port $app
        End
    End
End
CFG
    "$pounce" -c -f "$work/pound.cfg" > /dev/null || fail "$challenge: pounce -c refused the configuration"
    "$pounce" -e -f "$work/pound.cfg" > "$work/pounce-$challenge.log" 2>&1 &
    local pid=$!
    pids+=($pid)
    wait_for 30 grep -q "acme: $name: certificate installed" "$work/pounce-$challenge.log" || fail "$challenge: no certificate"
    for i in 1 2 3; do verify "$name" || fail "$challenge: handshake $i does not verify against Pebble's root"; done
    curl -sf --cacert "$work/root.pem" --resolve "$name:$tls:127.0.0.1" "https://$name:$tls/" > /dev/null \
        || fail "$challenge: curl through the certificate failed"
    # Renewal at two thirds of 20 s; the new certificate must verify as well.
    wait_for 40 installed_twice "$name" "$work/pounce-$challenge.log" || fail "$challenge: no renewal"
    verify "$name" || fail "$challenge: the renewed certificate does not verify"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    echo "ok   - $challenge: issued, chain verified from new connections, renewed"
}

run_case tls-alpn-01 alpn.example.test
run_case http-01 web.example.test
echo "acme-smoke: all checks passed"
