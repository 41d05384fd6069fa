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
name=dynamic
. "$(dirname "$0")/lib.sh"
bench_args "$@"
bench_setup curl dnsmasq
body="xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
bench_nginx 28191 "$body" "127.0.0.2:28191"

# dnsmasq answers from a hosts file; `churn` rewrites it every second and sends
# SIGHUP, which makes dnsmasq read it again. It runs as this user, who can read the
# scratch folder (dnsmasq's default user, nobody, cannot).
dns_port=28153
echo "127.0.0.1 bench.pounce.test" > "$work/hosts"
taskset -c 0 dnsmasq --keep-in-foreground --conf-file=/dev/null --port=$dns_port --user="$(id -un)" \
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

around_churn() { # start|stop: rewrite the hosts file every second while churn is measured
    if [ "$1" = stop ]; then
        kill $churner 2>/dev/null || true
        wait $churner 2>/dev/null || true
        return
    fi
    ( while true; do
        printf '127.0.0.1 bench.pounce.test\n127.0.0.2 bench.pounce.test\n' > "$work/hosts"; kill -HUP $dnsmasq_pid
        sleep 1
        echo "127.0.0.1 bench.pounce.test" > "$work/hosts"; kill -HUP $dnsmasq_pid
        sleep 1
    done ) &
    churner=$!
}

for n in "${names[@]}"; do bench_preflight "$work/$n.cfg" 28190 http://127.0.0.1:28190/small 100; done

measure() { bench_measure "$1" 28190 http://127.0.0.1:28190/small; }

bench_compare "${names[@]}"
