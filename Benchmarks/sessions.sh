#!/usr/bin/env bash
# What sessions cost on the request path: the same Pounce configuration with and
# without `Session Type COOKIE`, against one nginx backend, with wrk sending the
# session cookie on every request (so every request looks its session up and
# refreshes it). Runs alternate (none, cookie, none, cookie, ...) so drift in the
# machine's speed hits both alike; the medians are compared.
#
#   Benchmarks/sessions.sh [--runs N] [--duration S]
#
# Needs nginx and wrk (apt install nginx wrk); pins wrk to CPU 1 and the servers to
# CPU 0 like ../shared/bench. BENCH_SKIP_BUILD=1 reuses the last release build.
set -euo pipefail
runs=5
duration=8
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "usage: $0 [--runs N] [--duration S]" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
for tool in nginx wrk taskset python3; do
    command -v "$tool" >/dev/null || { echo "sessions.sh: $tool is needed" >&2; exit 1; }
done
[ "${BENCH_SKIP_BUILD:-0}" = 1 ] || swift build -c release --package-path "$here" --product pounce >&2
bin=$(swift build -c release --package-path "$here" --show-bin-path)/pounce

work=$(mktemp -d "${TMPDIR:-/tmp}/pounce-sessions.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
    uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
    server {
        listen 127.0.0.1:28181;
        location / { default_type text/plain; return 200 "session bench body xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"; }
    }
}
NGINX
taskset -c 0 nginx -c "$work/nginx/nginx.conf" >/dev/null 2>&1 &
pids+=($!)

config() { # $1 = extra service lines
    cat <<CFG
Daemon 0
LogLevel 0
ListenHTTP
    Address 127.0.0.1
    Port 28180
    Service
$1
        Backend
            Address 127.0.0.1
            Port 28181
        End
    End
End
CFG
}
config "" > "$work/none.cfg"
config '        Session
            Type COOKIE
            ID "SID"
            TTL 300
        End' > "$work/cookie.cfg"

# One measured run: req/s and the proxy's CPU time per request (user+sys).
measure() {
    local cfg=$1
    taskset -c 0 "$bin" -F -f "$cfg" >"$work/pounce.log" 2>&1 &
    local pid=$!
    for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/28180) 2>/dev/null && break; sleep 0.1; done
    taskset -c 1 wrk -t1 -c50 -d2s -H 'Cookie: SID=bench-session' http://127.0.0.1:28180/ >/dev/null
    local before after out
    before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    out=$(taskset -c 1 wrk -t1 -c50 -d"${duration}s" -H 'Cookie: SID=bench-session' http://127.0.0.1:28180/)
    after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    local requests
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    python3 -c "r=$requests; print(f'{r/$duration:.0f} {($after-$before)*10000.0/r:.2f}')"
}

echo "run  none:req/s  us/req   cookie:req/s  us/req"
results=()
for i in $(seq "$runs"); do
    a=$(measure "$work/none.cfg")
    b=$(measure "$work/cookie.cfg")
    echo "$i    $a    $b"
    results+=("$a $b")
done
printf '%s\n' "${results[@]}" | python3 -c '
import sys, statistics
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
n, nu, c, cu = (statistics.median(col) for col in zip(*rows))
print(f"median: none {n:,.0f} req/s {nu:.2f} us/req; cookie {c:,.0f} req/s {cu:.2f} us/req; "
      f"cookie/none throughput {100*c/n:.1f}%, CPU per request {100*cu/nu:.1f}%")'
