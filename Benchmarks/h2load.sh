#!/usr/bin/env bash
# HTTP/2 through the proxies, side by side: h2load (nghttp2-client) against Pounce,
# HAProxy and nginx, each terminating TLS on one port with ALPN h2 (HTTP/2 to the
# client) and forwarding HTTP/1.1 with keep-alive to one nginx backend, for 100-byte
# (`/small`) and 16 KiB (`/16k`) answers. Load: `h2load -t1 -c50 -m10` (50 TLS
# connections, 10 streams in flight on each) for --duration s after a 2 s warm-up.
# Rounds are interleaved as in ../shared/bench: in each of the --repeats rounds every
# proxy is started fresh and runs both bodies; the table has the medians.
#
#   Benchmarks/h2load.sh [--pounce PATH] [--proxies pounce,haproxy,nginx]
#                        [--duration S] [--repeats N] [--out DIR]
#
# Columns: req/s from h2load; p50 and p99 from its per-request log (--log-file: the
# time from each request's start to the end of its response); errors, summed over the
# runs (always 0 in a printed table: any failed, errored or timed-out request or
# non-2xx answer stops the script, as does a proxy that does not negotiate h2);
# proxy CPU% (utime+stime of the proxy's whole process tree from /proc, nginx's
# workers included, over the run's wall time; 100 = one core) and proxy us/req (that
# CPU time divided by the requests h2load completed); backend conns, the connections
# the backend accepted during a run (its stub_status): at most a few hundred when the
# proxy keeps its backend connections alive (the warm-up ends with 500 requests in
# flight, whose backend connections a proxy may close, so the run opens new ones), many
# thousands when it does not.
#
# Fairness as in ../shared/bench: h2load (one thread) runs on CPU 1; every proxy runs
# on CPU 0 with the backend, one thread each (Pounce `Threads 1`, HAProxy `nbthread
# 1`, nginx `worker_processes 1`), with no request log. All three read the same
# certificate (certs/make-certs.sh: EC P-256); h2load offers only TLS 1.3 with
# TLS_AES_256_GCM_SHA384 (what ../shared/bench's peers negotiate with wrk), so all three
# do the same cryptography, and a proxy that negotiates anything else stops the script.
# Ports 28590 (the proxy) and 28591 (the backend).
#
# Needs h2load, nginx, curl, wrk and taskset (apt install nghttp2-client nginx curl
# wrk), and haproxy when it is measured (apt install haproxy). --pounce PATH measures
# that binary (same as BENCH_BIN=PATH); otherwise the release build is built, unless
# BENCH_SKIP_BUILD=1 (nothing is built when pounce is not in --proxies). --out DIR
# also writes the table, every run (runs.tsv), h2load's output and the configs there.
# BENCH_KEEP=1 keeps the work folder (configs, logs, per-request logs).
set -euo pipefail
name=h2load
. "$(dirname "$0")/lib.sh"
duration=10
repeats=3
warmup=2
proxies=pounce,haproxy,nginx
out=
usage="usage: $0 [--pounce PATH] [--proxies pounce,haproxy,nginx] [--duration S] [--repeats N] [--out DIR]"
while [ $# -gt 0 ]; do
    case "$1" in
        --pounce) BENCH_BIN=$2; shift 2 ;;
        --proxies) proxies=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --repeats) repeats=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h|--help) bench_help; exit 0 ;;
        *) echo "$usage" >&2; exit 2 ;;
    esac
done
proxies=${proxies//,/ }
[ -n "$proxies" ] || { echo "$usage" >&2; exit 2; }
tools=(h2load curl)
for proxy in $proxies; do
    case "$proxy" in
        pounce) ;;
        haproxy) tools+=(haproxy) ;;
        nginx) ;;
        *) echo "h2load.sh: unknown proxy $proxy (pounce, haproxy, nginx)" >&2; exit 2 ;;
    esac
done
# Without pounce there is nothing to build or find.
case " $proxies " in *" pounce "*) ;; *) BENCH_BIN=${BENCH_BIN:-unused} ;; esac
bench_setup "${tools[@]}"
case " $proxies " in
    *" pounce "*) [ -x "$bin" ] || { echo "h2load.sh: $bin is not an executable pounce" >&2; exit 1; } ;;
esac

port=28590
backend=28591
threads=1 # the servers share CPU 0: one thread (event loop, worker) per proxy
for p in $port $backend; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
        echo "h2load.sh: something already listens on 127.0.0.1:$p" >&2
        exit 1
    fi
done
bash "$here/certs/make-certs.sh" "$work/pki" >/dev/null
pem=$work/pki/server.pem
user="user $(id -un) $(id -gn);" # the workers must read the 16 KiB file in $work (mode 700)

# The backend: lib.sh's bench_nginx answers one body from its config, and nginx takes
# no 16 KiB string there, so it is set up the same way here with two locations, like
# ../shared/bench's backend: /small returns 100 bytes, /16k is a file sent with sendfile.
small_body=$(printf 'x%.0s' $(seq 99))
mkdir -p "$work/backend/www" "$work/proxy-nginx"
head -c 16384 /dev/zero | tr '\0' y > "$work/backend/www/16k"
cat > "$work/backend.conf" <<NGINX
$user
worker_processes 1;
daemon off;
pid $work/backend/nginx.pid;
error_log $work/backend/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    root $work/backend/www;
    client_body_temp_path $work/backend; proxy_temp_path $work/backend; fastcgi_temp_path $work/backend;
    uwsgi_temp_path $work/backend; scgi_temp_path $work/backend;
    server {
        listen 127.0.0.1:$backend;
        location = /small { default_type text/plain; return 200 "$small_body\n"; }
        location = /16k { default_type application/octet-stream; }
        location = /status { stub_status; }
    }
}
NGINX
taskset -c 0 nginx -p "$work/backend/" -e "$work/backend/error.log" -c "$work/backend.conf" \
    >"$work/backend.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$backend") 2>/dev/null && break; sleep 0.1; done
for path in small:100 16k:16384; do
    size=$(curl -s --max-time 5 -o /dev/null -w '%{http_code} %{size_download}' "http://127.0.0.1:$backend/${path%:*}" || true)
    if [ "$size" != "200 ${path#*:}" ]; then
        echo "h2load.sh: the backend gave '$size' for /${path%:*} (want 200 ${path#*:})" >&2
        cat "$work/backend.log" "$work/backend/error.log" >&2 2>/dev/null || true
        exit 1
    fi
done

# Pounce: HTTP/2 is on by default on ListenHTTPS; written out all the same.
cat > "$work/pounce.cfg" <<CFG
Daemon 0
LogLevel 0
Threads $threads
ListenHTTPS
    Address 127.0.0.1
    Port $port
    Cert "$pem"
    HTTP2 on
    Service
        Backend
            Address 127.0.0.1
            Port $backend
        End
    End
End
CFG
# HAProxy: as ../shared/bench's adapter, plus ALPN h2 on the bind line; `http-reuse
# always` lets any request take any idle backend connection, like nginx's upstream
# keepalive pool and Pounce's pool (the default, safe, sends the first request of each
# client connection on a connection of its own).
cat > "$work/haproxy.cfg" <<CFG
global
    nbthread $threads
    maxconn 4096
defaults
    mode http
    option http-keep-alive
    option forwardfor
    http-reuse always
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 65s
    maxconn 4096
frontend fe
    bind 127.0.0.1:$port ssl crt $pem alpn h2,http/1.1
    default_backend be
backend be
    server nginx 127.0.0.1:$backend
CFG
# nginx: as ../shared/bench's adapter. Debian 12's nginx is 1.22, which turns HTTP/2
# on in the listen line (no `http2 on;`); keepalive_requests also bounds the requests
# on one HTTP/2 connection there (default 1000, after which h2load's connection would
# end), so it is raised like the backend's. The upstream keeps up to 1024 idle
# connections (the adapter's 128 is for 50 HTTP/1 clients): with 500 streams in flight
# nginx holds about 500 backend connections, and it would close all those above the
# idle limit after each burst and open new ones, hundreds a second.
cat > "$work/nginx-proxy.conf" <<CFG
$user
worker_processes $threads;
daemon off;
pid $work/proxy-nginx/nginx.pid;
error_log $work/proxy-nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/proxy-nginx; proxy_temp_path $work/proxy-nginx; fastcgi_temp_path $work/proxy-nginx;
    uwsgi_temp_path $work/proxy-nginx; scgi_temp_path $work/proxy-nginx;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    upstream backend {
        server 127.0.0.1:$backend;
        keepalive 1024;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:$port ssl http2;
        ssl_certificate $pem;
        ssl_certificate_key $pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
}
CFG

start_proxy() { # $1 = pounce|haproxy|nginx; sets $pid once it listens
    case "$1" in
        pounce) taskset -c 0 "$bin" -F -f "$work/pounce.cfg" >"$work/pounce.log" 2>&1 & ;;
        haproxy) taskset -c 0 haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 & ;;
        nginx) taskset -c 0 nginx -p "$work/proxy-nginx/" -e "$work/proxy-nginx/error.log" \
                   -c "$work/nginx-proxy.conf" >"$work/nginx.log" 2>&1 & ;;
    esac
    pid=$!
    pids+=("$pid")
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return
        sleep 0.1
    done
    echo "h2load.sh: $1 is not listening on $port" >&2
    proxy_log "$1"
    exit 1
}

stop_proxy() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }

proxy_log() { # $1 = proxy
    cat "$work/$1.log" >&2
    [ "$1" != nginx ] || cat "$work/proxy-nginx/error.log" >&2 2>/dev/null || true
}

# Both bodies must come back whole over HTTP/2, so a proxy that falls back to
# HTTP/1.1 or answers 502 stops the script here instead of being measured.
preflight() { # $1 = proxy
    local path want got
    for path in small:100 16k:16384; do
        want="200 ${path#*:} 2"
        got=$(curl -sk --http2 --max-time 5 -o /dev/null -w '%{http_code} %{size_download} %{http_version}' \
            "https://127.0.0.1:$port/${path%:*}" || true)
        if [ "$got" != "$want" ]; then
            echo "h2load.sh: $1: /${path%:*} gave '$got' (want status, bytes, HTTP version '$want')" >&2
            proxy_log "$1"
            exit 1
        fi
    done
}

backend_accepts() { # the connections the backend has accepted so far, this request's included
    curl -s --max-time 5 "http://127.0.0.1:$backend/status" | awk 'NR == 3 {print $1}'
}

tree_ticks() { # $1 = pid: utime+stime of it and all its descendants, in clock ticks
    python3 - "$1" <<'PY'
import os, sys
kids, ticks = {}, {}
for d in os.listdir("/proc"):
    if d.isdigit():
        try:
            s = open(f"/proc/{d}/stat").read()
        except OSError:
            continue
        f = s[s.rindex(")") + 2:].split()
        kids.setdefault(int(f[1]), []).append(int(d))
        ticks[int(d)] = int(f[11]) + int(f[12])
todo, seen, total = [int(sys.argv[1])], set(), 0
while todo:
    p = todo.pop()
    if p in ticks and p not in seen:
        seen.add(p)
        total += ticks[p]
        todo += kids.get(p, [])
print(total)
PY
}

# h2load offers TLS 1.3 with this one cipher, so every proxy does the same cryptography
# (the one ../shared/bench's peers negotiate with wrk); by default nginx would take h2load's
# first choice (AES-128) and HAProxy its own (AES-256).
cipher=TLS_AES_256_GCM_SHA384

h2() { # $1 = seconds, $2 = URL, $3... = more h2load options
    local secs=$1 url=$2
    shift 2
    timeout $((secs + 60)) taskset -c 1 h2load -t1 -c50 -m10 -D "$secs" --tls13-ciphers="$cipher" "$@" "$url"
}

check_h2load() { # $1 = label, $2 = h2load's output, $3 = its exit status; stops on any failure
    local proto counts
    proto=$(awk -F': ' '/^Application protocol:/ {print $2; exit}' <<<"$2")
    counts=$(failures "$2")
    if [ "$3" != 0 ] || [ "$proto" != h2 ] || [ "$counts" != ok ]; then
        if [ -z "$proto" ] && [ "$3" != 0 ]; then
            echo "h2load.sh: $1: h2load failed (status $3) before any connection negotiated a protocol" >&2
        elif [ "$proto" != h2 ]; then
            echo "h2load.sh: $1: the proxy did not negotiate h2 (application protocol: ${proto:-none})" >&2
        elif [ "$counts" != ok ]; then
            echo "h2load.sh: $1: requests failed, errored, timed out or were not answered 2xx:" >&2
            echo "$counts" >&2
        else
            echo "h2load.sh: $1: h2load exited with status $3" >&2
        fi
        echo "$2" >&2
        exit 1
    fi
}

# "ok" if h2load's output counts no failed, errored or timed-out request and no 3xx, 4xx
# or 5xx answer; else its two lines of counts (h2load counts an errored request or a
# 4xx answer among the failed ones too, so they are not added up).
failures() { # $1 = h2load's output
    awk '/^requests:/ { for (i = 2; i < NF; i++) if ($(i + 1) ~ /^(failed|errored|timeout)/) n += $i; r = $0 }
         /^status codes:/ { for (i = 3; i < NF; i++) if ($(i + 1) ~ /^[345]xx/) n += $i; s = $0 }
         END { if (r != "" && s != "" && n == 0) print "ok"; else print (r != "" ? r : "(no requests line)") "\n" (s != "" ? s : "(no status codes line)") }' <<<"$1"
}

# One warm-up and one measured run; appends "scenario proxy req/s p50 p99 errors CPU% us/req
# backend-conns" to $work/runs.tsv.
measure() { # $1 = proxy, $2 = scenario, $3 = path, $4 = round
    local url="https://127.0.0.1:$port/$3" label="$1 $2 round $4" output status=0
    output=$(h2 "$warmup" "$url" 2>&1) || status=$?
    check_h2load "$label warm-up" "$output" "$status"
    local log="$work/requests.$1.$2.$4" c0 c1 t0 t1 a0 a1
    a0=$(backend_accepts)
    c0=$(tree_ticks "$pid")
    t0=$(date +%s.%N)
    status=0
    output=$(h2 "$duration" "$url" --log-file="$log" 2>&1) || status=$?
    t1=$(date +%s.%N)
    c1=$(tree_ticks "$pid")
    a1=$(backend_accepts)
    printf '### %s\n%s\n\n' "$label" "$output" >> "$work/h2load.txt"
    check_h2load "$label" "$output" "$status"
    kill -0 "$pid" 2>/dev/null || { echo "h2load.sh: $label: $1 exited" >&2; proxy_log "$1"; exit 1; }
    local rps completed tls
    rps=$(awk '/^finished in/ {print $4; exit}' <<<"$output")
    completed=$(awk '/^requests:/ { for (i = 2; i < NF; i++) if ($(i + 1) ~ /^done/) print $i; exit }' <<<"$output")
    tls=$(awk -F': ' '/^TLS Protocol:/ {p = $2} /^Cipher:/ {c = $2} END {print p, c}' <<<"$output")
    if [ "$tls" != "TLSv1.3 $cipher" ]; then
        echo "h2load.sh: $label: the proxy negotiated '$tls', not TLSv1.3 $cipher" >&2; exit 1
    fi
    if [ -z "$rps" ] || [ "${completed:-0}" -eq 0 ]; then
        echo "h2load.sh: $label: h2load completed no requests" >&2; echo "$output" >&2; exit 1
    fi
    # p50 and p99 (nearest rank) of the per-request times, column 3 in microseconds.
    python3 - "$log" "$2" "$1" "$rps" "$c0" "$c1" "$t0" "$t1" "$completed" "$(getconf CLK_TCK)" "$((a1 - a0 - 1))" \
        >> "$work/runs.tsv" <<'PY'
import math, sys
log, scen, proxy, rps, c0, c1, t0, t1, done, hz, conns = sys.argv[1:]
with open(log) as f:
    times = sorted(int(line.split("\t")[2]) for line in f if line.strip())
pct = lambda p: times[max(0, math.ceil(p / 100 * len(times)) - 1)] / 1000
cpu = (int(c1) - int(c0)) / int(hz)
print(f"{scen}\t{proxy}\t{float(rps):.1f}\t{pct(50):.3f}\t{pct(99):.3f}\t0\t"
      f"{100 * cpu / (float(t1) - float(t0)):.1f}\t{cpu * 1e6 / int(done):.2f}\t{conns}")
PY
    rm -f "$log"
    tail -n 1 "$work/runs.tsv" | awk -F'\t' -v l="$label" -v t="$tls" \
        '{printf "%-24s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  CPU %3.0f%%  %6.2f us/req  %5d backend conns  %s\n", l, $3, $4, $5, $7, $8, $9, t}' >&2
}

scenarios=(h2-small:small h2-16k:16k)
: > "$work/runs.tsv"
echo "h2load -t1 -c50 -m10, ${repeats} x ${duration} s (+${warmup} s warm-up); $(h2load --version | head -n 1)" >&2
for round in $(seq "$repeats"); do
    for proxy in $proxies; do
        start_proxy "$proxy"
        preflight "$proxy"
        for s in "${scenarios[@]}"; do
            measure "$proxy" "${s%%:*}" "${s#*:}" "$round"
        done
        stop_proxy
    done
done

table=$(python3 - "$work/runs.tsv" "$repeats" "$duration" "$warmup" <<'PY'
import statistics, sys
path, repeats, duration, warmup = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(path) if l.strip()]
cells, order = {}, {}
for r in rows:
    cells.setdefault((r[0], r[1]), []).append([float(x) for x in r[2:]])
    order.setdefault(r[0], len(order))
    order.setdefault(r[1], len(order))
cells = dict(sorted(cells.items(), key=lambda kv: (order[kv[0][0]], order[kv[0][1]])))
med = lambda runs, i: statistics.median(x[i] for x in runs)
hdr = ["scenario", "proxy", "req/s", "p50 ms", "p99 ms", "errors", "proxy CPU%", "proxy us/req", "backend conns"]
lines = [[s, p, f"{med(v, 0):,.0f}", f"{med(v, 1):.2f}", f"{med(v, 2):.2f}", f"{sum(x[3] for x in v):.0f}",
          f"{med(v, 4):.0f}", f"{med(v, 5):.1f}", f"{med(v, 6):.0f}"] for (s, p), v in cells.items()]
w = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(hdr)]
print(f"{repeats} runs x {duration} s (+{warmup} s warm-up), h2load -t1 -c50 -m10 on CPU 1, proxy + backend "
      f"on CPU 0; medians; errors summed over runs; CPU% = % of one core; us/req = proxy CPU time per request; "
      f"backend conns = connections the backend accepted during a run")
print(" | ".join(h.ljust(w[i]) for i, h in enumerate(hdr)))
print("-+-".join("-" * x for x in w))
prev = None
for l in lines:
    if prev is not None and l[0] != prev:
        print("-+-".join("-" * x for x in w))
    prev = l[0]
    print(" | ".join(c.rjust(w[i]) if i >= 2 else c.ljust(w[i]) for i, c in enumerate(l)))
PY
)
echo
echo "$table"
if [ -n "$out" ]; then
    mkdir -p "$out/configs"
    echo "$table" > "$out/table.txt"
    { printf 'scenario\tproxy\treq/s\tp50 ms\tp99 ms\terrors\tproxy CPU%%\tproxy us/req\tbackend conns\n'; cat "$work/runs.tsv"; } > "$out/runs.tsv"
    cp "$work/h2load.txt" "$out/h2load.txt"
    cp "$work/backend.conf" "$work/nginx-proxy.conf" "$work/haproxy.cfg" "$work/pounce.cfg" "$out/configs/"
    echo "written to $out: table.txt runs.tsv h2load.txt configs/" >&2
fi
