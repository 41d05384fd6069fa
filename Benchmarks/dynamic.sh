#!/usr/bin/env bash
# What following DNS costs on the request path. Three Pounce configurations proxying
# GET /small (100 bytes) to nginx, keep-alive:
#   static   `Address 127.0.0.1`, resolved once;
#   dynamic  `Address "bench.pounce.test"` with `Resolve all` and `OverrideTTL 1`:
#            looked up every second (dnsmasq answers 127.0.0.1), the set unchanged;
#   churn    the same, but the answer alternates every second between 127.0.0.1 and
#            127.0.0.1 + 127.0.0.2 (nginx listens on both), so the backend set is
#            swapped about once a second while the load runs.
# Runs alternate (static, dynamic, churn, static, ...); medians are compared.
#
#   Benchmarks/dynamic.sh [--runs N] [--duration S]
#
# Needs nginx, dnsmasq, wrk and curl (apt install nginx dnsmasq-base wrk curl); pins
# wrk to CPU 1 and the servers to CPU 0 like ../shared/bench. BENCH_SKIP_BUILD=1
# reuses the last release build.
set -euo pipefail
runs=5
duration=8
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "usage: $0 [--runs N] [--duration S]" >&2; exit 2 ;;
    esac
done
name=dynamic
. "$(dirname "$0")/lib.sh"
bench_setup curl dnsmasq
body="xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
bench_nginx 28191 "$body" "127.0.0.2:28191"

# dnsmasq answers from a hosts file; `churn` rewrites it every second and sends
# SIGHUP, which makes dnsmasq read it again.
dns_port=28153
echo "127.0.0.1 bench.pounce.test" > "$work/hosts"
taskset -c 0 dnsmasq --keep-in-foreground --conf-file=/dev/null --port=$dns_port \
    --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts --addn-hosts="$work/hosts" \
    --local-ttl=1 --pid-file="$work/dnsmasq.pid" 2>"$work/dnsmasq.log" &
dnsmasq_pid=$!
pids+=($dnsmasq_pid)

config() { # $1 = the backend's address lines
    cat <<CFG
Daemon 0
LogLevel 0
Resolver
    ConfigText
        nameserver 127.0.0.1:$dns_port
    End
    RetryInterval 1
End
ListenHTTP
    Address 127.0.0.1
    Port 28190
    Service
        Backend
$1
            Port 28191
        End
    End
End
CFG
}
config '            Address 127.0.0.1' > "$work/static.cfg"
config '            Address "bench.pounce.test"
            Resolve all
            Family inet
            OverrideTTL 1' > "$work/dynamic.cfg"
cp "$work/dynamic.cfg" "$work/churn.cfg"
names=(static dynamic churn)

churn_start() {
    ( while true; do
        printf '127.0.0.1 bench.pounce.test\n127.0.0.2 bench.pounce.test\n' > "$work/hosts"; kill -HUP $dnsmasq_pid
        sleep 1
        echo "127.0.0.1 bench.pounce.test" > "$work/hosts"; kill -HUP $dnsmasq_pid
        sleep 1
    done ) &
    churner=$!
}
churn_stop() { kill $churner 2>/dev/null || true; wait $churner 2>/dev/null || true; }

# Preflight: every configuration must answer 200 with 100 bytes once DNS has
# answered, so a broken one fails here instead of benchmarking 503s.
for n in "${names[@]}"; do
    bench_start "$work/$n.cfg" 28190
    got=
    for _ in $(seq 30); do
        got=$(curl -s --max-time 5 -o "$work/body" -w '%{http_code}' http://127.0.0.1:28190/small || true)
        [ "$got" = 200 ] && break
        sleep 0.2
    done
    size=$(wc -c < "$work/body" 2>/dev/null || echo 0)
    bench_stop
    if [ "$got" != 200 ] || [ "$size" != 100 ]; then
        echo "dynamic.sh: $n: GET /small gave status ${got:-none} with $size bytes (want 200, 100 bytes)" >&2
        cat "$work/pounce.log" >&2
        exit 1
    fi
done

measure() { bench_measure "$1" 28190 http://127.0.0.1:28190/small; }

echo "run  static:req/s  us/req   dynamic:req/s  us/req   churn:req/s  us/req"
results=()
for i in $(seq "$runs"); do
    a=$(measure "$work/static.cfg")
    b=$(measure "$work/dynamic.cfg")
    churn_start
    c=$(measure "$work/churn.cfg")
    churn_stop
    echo "$i    $a    $b    $c"
    results+=("$a $b $c")
done
printf '%s\n' "${results[@]}" | python3 -c '
import sys, statistics
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
a, au, b, bu, c, cu = (statistics.median(col) for col in zip(*rows))
print()
print("median        req/s   CPU us/req   req/s vs static")
print(f"static   {a:>9,.0f}   {au:>10.2f}   {1:>13.2f}x")
print(f"dynamic  {b:>9,.0f}   {bu:>10.2f}   {b/a:>13.2f}x")
print(f"churn    {c:>9,.0f}   {cu:>10.2f}   {c/a:>13.2f}x")'
