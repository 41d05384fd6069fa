# Shared by the Pounce-only benchmarks (sessions.sh, lua.sh, dynamic.sh, instructions.sh,
# memory.sh): their options and help, the release build, a scratch folder cleaned up
# at exit, an nginx backend, a preflight check and one measured wrk run. Source it
# after setting `name` (for messages), then call `bench_args "$@"`. wrk runs on CPU 1,
# the servers on CPU 0, as in ../shared/bench.

bench_help() { # prints the calling script's header comment
    sed -n '2,/^[^#]/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

bench_args() { # sets runs (default 5) and duration (default 8 s); -h prints the script's header
    runs=5
    duration=8
    while [ $# -gt 0 ]; do
        case "$1" in
            --runs) runs=$2; shift 2 ;;
            --duration) duration=$2; shift 2 ;;
            -h|--help) bench_help; exit 0 ;;
            *) echo "usage: $0 [--runs N] [--duration S]" >&2; exit 2 ;;
        esac
    done
}

bench_setup() { # $@ = tools needed besides nginx, wrk, taskset, python3
    local tool
    for tool in nginx wrk taskset python3 "$@"; do
        command -v "$tool" >/dev/null || { echo "$name: $tool is needed" >&2; exit 1; }
    done
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    # BENCH_BIN=PATH measures that pounce instead of building one (another build's).
    if [ -n "${BENCH_BIN:-}" ]; then
        bin=$BENCH_BIN
    else
        [ "${BENCH_SKIP_BUILD:-0}" = 1 ] || "$here/scripts/build-release.sh" --product pounce >&2
        bin=$("$here/scripts/build-release.sh" --show-bin-path)/pounce
    fi
    work=$(mktemp -d "${TMPDIR:-/tmp}/pounce-$name.XXXXXX")
    pids=()
    # BENCH_KEEP=1 leaves the work folder (configs, logs, callgrind output) for a look.
    trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [ "${BENCH_KEEP:-0}" = 1 ] && echo "kept $work" >&2 || rm -rf "$work"' EXIT
}

bench_nginx() { # $1 = port, $2 = the body it answers every request with, $3... = more addr:port to listen on
    mkdir -p "$work/nginx"
    local port=$1 answer=$2 extra="" a
    shift 2
    for a in "$@"; do extra+="        listen $a;"$'\n'; done
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
        listen 127.0.0.1:$port;
$extra        location / { default_type text/plain; return 200 "$answer"; }
    }
}
NGINX
    taskset -c 0 nginx -c "$work/nginx/nginx.conf" >/dev/null 2>&1 &
    pids+=($!)
}

bench_start() { # $1 = config, $2 = its port; sets $pid
    taskset -c 0 "$bin" -F -f "$1" >"$work/pounce.log" 2>&1 &
    pid=$!
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && break; sleep 0.1; done
}

bench_stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }

# Every configuration must answer `url` with 200 and `size` bytes (within a few
# seconds, for one that waits for DNS), so a broken one fails here instead of
# benchmarking 404s or 503s.
bench_preflight() { # $1 = config, $2 = port, $3 = URL, $4 = body size
    local got="" size
    bench_start "$1" "$2"
    for _ in $(seq 30); do
        got=$(curl -s --max-time 5 -o "$work/body" -w '%{http_code}' "$3" || true)
        [ "$got" = 200 ] && break
        sleep 0.2
    done
    size=$(wc -c < "$work/body" 2>/dev/null || echo 0)
    bench_stop
    if [ "$got" != 200 ] || [ "$size" != "$4" ]; then
        echo "$name: $1: $3 gave status ${got:-none} with $size bytes (want 200, $4 bytes)" >&2
        cat "$work/pounce.log" >&2
        exit 1
    fi
}

# One measured run after a 2 s warm-up: prints req/s and the proxy's CPU time
# (user+sys) per request in µs; a run with errors or no requests stops everything.
bench_measure() { # $1 = config, $2 = port, $3... = wrk arguments (headers, URL)
    local cfg=$1 port=$2
    shift 2
    bench_start "$cfg" "$port"
    taskset -c 1 wrk -t1 -c50 -d2s "$@" >/dev/null
    local before after out requests
    before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    out=$(taskset -c 1 wrk -t1 -c50 -d"${duration}s" "$@")
    after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    bench_stop
    if echo "$out" | grep -q 'Non-2xx'; then
        echo "$name: $cfg: wrk saw non-2xx responses" >&2; echo "$out" >&2; exit 1
    fi
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    if [ "${requests:-0}" -eq 0 ]; then
        echo "$name: $cfg: wrk completed no requests" >&2; echo "$out" >&2; exit 1
    fi
    python3 -c "r=$requests; print(f'{r/$duration:.0f} {($after-$before)*1e6/$(getconf CLK_TCK)/r:.2f}')"
}

# Measures each configuration `$work/NAME.cfg` in turn with the script's `measure`,
# `runs` times over (alternating, so drift in the machine's speed hits all alike; a
# function `around_NAME start|stop`, if the script has one, runs around NAME's
# measurement), prints each run, then the medians against the first NAME: req/s, the
# proxy's CPU per request, and both as ratios. The medians also go to
# `$work/medians`, one "NAME REQ_PER_S US_PER_REQ" line each.
bench_compare() { # $@ = configuration names
    local i n line results=()
    echo "run$(printf '  %s:req/s us/req' "$@")"
    for i in $(seq "$runs"); do
        line=""
        for n in "$@"; do
            if declare -F "around_$n" >/dev/null; then "around_$n" start; fi
            line+="  $(measure "$work/$n.cfg")"
            if declare -F "around_$n" >/dev/null; then "around_$n" stop; fi
        done
        echo "$i  $line"
        results+=("$line")
    done
    printf '%s\n' "${results[@]}" | BENCH_MEDIANS="$work/medians" python3 -c '
import os, sys, statistics
names = sys.argv[1:]
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
cols = [statistics.median(col) for col in zip(*rows)]
med = [(names[i], cols[2 * i], cols[2 * i + 1]) for i in range(len(names))]
_, r0, u0 = med[0]
w = max(len(n) for n in names)
print()
print("median".ljust(w) + f"      req/s   CPU us/req   req/s vs {names[0]}   CPU vs {names[0]}")
for n, r, u in med:
    print(f"{n:<{w}}  {r:>9,.0f}   {u:>10.2f}   {r / r0:>{10 + len(names[0])}.2f}x   {u / u0:>{7 + len(names[0])}.2f}x")
with open(os.environ["BENCH_MEDIANS"], "w") as f:
    for n, r, u in med:
        f.write(f"{n} {r} {u}\n")
' "$@"
}
