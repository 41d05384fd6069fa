#!/usr/bin/env bash
# The README's first command: builds Pounce and the demo backend, makes development
# certificates (certs/make-certs.sh), starts two backends (b1 on 127.0.0.1:8081, b2 on
# :8082) and Pounce on 127.0.0.1:8080 (HTTP) and :8443 (HTTPS) with examples/demo.cfg,
# then shows what to try with curl. Ctrl-C stops everything.
#
#   scripts/demo.sh           interactive demo (request log lines appear as you curl)
#   scripts/demo.sh --smoke   runs the curls itself and checks the answers; exit 0 = pass
#
# DEMO_PROXY=/path/to/binary runs another pound.cfg-compatible proxy instead of the
# freshly built pounce (e.g. Pound itself, to compare). DEMO_SKIP_BUILD=1 reuses the
# last release build.
set -uo pipefail

mode=interactive
case "${1:-}" in
    "") ;;
    --smoke) mode=smoke ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [--smoke]" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
config=examples/demo.cfg
proxy_port=8080
https_port=8443
backends=("b1:8081" "b2:8082")

# The system libraries the build links (PCRE2, OpenSSL, libcrypt, Lua 5.4) and curl.
scripts/install-deps.sh || exit 1
command -v curl >/dev/null || { echo "demo: curl is needed" >&2; exit 1; }

if [ "${DEMO_SKIP_BUILD:-0}" != 1 ]; then
    echo "demo: building (scripts/build-release.sh)..." >&2
    scripts/build-release.sh --product pounce >&2 || exit 1
    scripts/build-release.sh --product pounce-demo-backend >&2 || exit 1
fi
bin=$(scripts/build-release.sh --show-bin-path) || exit 1
proxy=${DEMO_PROXY:-$bin/pounce}
backend_bin=$bin/pounce-demo-backend

work=$(mktemp -d "${TMPDIR:-/tmp}/pounce-demo.XXXXXX")
pids=()
cleanup() {
    trap - EXIT INT TERM
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'echo; exit 130' INT
trap 'exit 143' TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

certs/make-certs.sh || exit 1

for port in "$proxy_port" "$https_port" "${backends[@]#*:}"; do
    if port_busy "$port"; then
        echo "demo: 127.0.0.1:$port is already in use; stop whatever listens there first" >&2
        exit 1
    fi
done

# Starts a backend and waits for its "ready" line.
start_backend() {
    local name=$1 port=$2 out=$work/$1.out
    "$backend_bin" --port "$port" --name "$name" >"$out" 2>&1 &
    pids+=($!)
    local pid=$! i
    for ((i = 0; i < 100; i++)); do
        grep -q '^ready' "$out" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "demo: backend $name did not start:" >&2
    cat "$out" >&2
    exit 1
}

for b in "${backends[@]}"; do start_backend "${b%%:*}" "${b#*:}"; done

# The proxy: in the foreground (-F), its request log on the terminal in interactive mode,
# in a file for --smoke.
proxy_log=$work/pounce.log
if [ "$mode" = smoke ]; then
    "$proxy" -F -W include-dir="$here" -p "$work/pounce.pid" -f "$config" >"$proxy_log" 2>&1 &
else
    "$proxy" -F -W include-dir="$here" -p "$work/pounce.pid" -f "$config" &
fi
proxy_pid=$!
pids+=("$proxy_pid")
for ((i = 0; i < 100; i++)); do
    port_busy "$proxy_port" && break
    if ! kill -0 "$proxy_pid" 2>/dev/null; then
        wait "$proxy_pid"
        status=$?
        echo "demo: $(basename "$proxy") exited with status $status before listening" >&2
        [ -s "$proxy_log" ] && cat "$proxy_log" >&2
        exit 1
    fi
    sleep 0.1
done
if ! port_busy "$proxy_port"; then
    echo "demo: $(basename "$proxy") is not listening on 127.0.0.1:$proxy_port after 10 s" >&2
    [ -s "$proxy_log" ] && cat "$proxy_log" >&2
    exit 1
fi

url=http://127.0.0.1:$proxy_port

if [ "$mode" = interactive ]; then
    cat <<EOF

Pounce is listening on $url and https://localhost:$https_port, in front of two backends:
  b1 on 127.0.0.1:8081 and b2 on 127.0.0.1:8082 (pounce-demo-backend), config: $config

Round robin (service "round-robin" matches /rr, Balancer iwrr):
  for i in 1 2 3 4; do curl -s localhost:$proxy_port/rr; done

Sticky sessions (service "sticky": the backend's DEMOSESSION cookie pins you to it):
  curl -s -c jar -b jar localhost:$proxy_port/
  curl -s -c jar -b jar localhost:$proxy_port/      # same backend, every time
  curl -s localhost:$proxy_port/                    # no cookie: a new session

HTTPS, with the development CA from certs/generated:
  curl -s --cacert certs/generated/ca.crt https://localhost:$https_port/rr
  curl -si localhost:$proxy_port/secure/page      # 301 to https://localhost:$https_port/page

Pounce's request log (LogLevel 2) appears below. Press Ctrl-C to stop.

EOF
    wait "$proxy_pid"
    status=$?
    echo "demo: $(basename "$proxy") exited with status $status" >&2
    exit "$status"
fi

# --smoke: the same curls, checked.
failures=0
check() {
    if [ "$1" = ok ]; then
        echo "ok   - $2"
    else
        echo "FAIL - $2"
        failures=$((failures + 1))
    fi
}

# The backend's name, from the body "Hello from NAME (request #K)".
who() { sed -n 's/^Hello from \([^ ]*\) .*/\1/p'; }

rr=()
for i in 1 2 3 4; do
    rr+=("$(curl -s --max-time 5 "$url/rr" | who)")
done
seen=$(printf '%s\n' "${rr[@]}" | sort -u | tr '\n' ' ')
[ "$seen" = "b1 b2 " ] && r=ok || r=fail
check "$r" "round robin: /rr answered by both backends (got: ${rr[*]})"

jar=$work/jar
first=$(curl -s --max-time 5 -c "$jar" -b "$jar" "$url/" | who)
# The backend names its cookie value after itself: DEMOSESSION=b1-...
grep -q "DEMOSESSION[[:space:]]*$first-" "$jar" 2>/dev/null && [ -n "$first" ] && r=ok || r=fail
check "$r" "sticky: the first answer (${first:-none}) set the DEMOSESSION cookie"
sticky=()
for i in 1 2 3 4 5 6; do
    sticky+=("$(curl -s --max-time 5 -c "$jar" -b "$jar" "$url/" | who)")
done
r=ok
[ -n "$first" ] || r=fail
for b in "${sticky[@]}"; do [ "$b" = "$first" ] || r=fail; done
check "$r" "sticky: later requests with the cookie stay on $first (got: ${sticky[*]})"

tls=$(curl -s --max-time 5 --cacert certs/generated/ca.crt "https://localhost:$https_port/rr" | who)
case "$tls" in b1|b2) r=ok ;; *) r=fail ;; esac
check "$r" "https: /rr on :$https_port verified against the dev CA, answered by ${tls:-nobody}"

location=$(curl -s --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' "$url/secure/page")
[ "$location" = "301 https://localhost:$https_port/page" ] && r=ok || r=fail
check "$r" "redirect: /secure/page on HTTP is a 301 to HTTPS (got: $location)"

if [ "$failures" -gt 0 ]; then
    echo "demo: $failures check(s) failed; proxy output:" >&2
    cat "$proxy_log" >&2
    exit 1
fi
echo "demo: all checks passed"
exit 0
