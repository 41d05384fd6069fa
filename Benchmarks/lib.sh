# Shared by the Pounce-only benchmarks (sessions.sh, lua.sh): the release build, a
# scratch folder cleaned up at exit, an nginx backend, and one measured wrk run.
# Source it after setting `name` (for messages) and `duration` (seconds per run).
# wrk runs on CPU 1, the servers on CPU 0, as in ../shared/bench.

bench_setup() { # $@ = tools needed besides nginx, wrk, taskset, python3
    local tool
    for tool in nginx wrk taskset python3 "$@"; do
        command -v "$tool" >/dev/null || { echo "$name: $tool is needed" >&2; exit 1; }
    done
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    [ "${BENCH_SKIP_BUILD:-0}" = 1 ] || swift build -c release --package-path "$here" --product pounce >&2
    bin=$(swift build -c release --package-path "$here" --show-bin-path)/pounce
    work=$(mktemp -d "${TMPDIR:-/tmp}/pounce-$name.XXXXXX")
    pids=()
    trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
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
