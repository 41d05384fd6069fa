#!/usr/bin/env bash
# What an idle HTTPS keep-alive connection costs in memory, in Pounce and in HAProxy.
# Each proxy runs alone, one thread (`Threads 1`, `nbthread 1`), on one TLS port in
# front of nginx (100-byte answers). Its RSS (VmRSS) and Pss (smaps_rollup) are read
# once it listens; then one client process (Benchmarks/idle-client.py, the same for
# both) opens N TLS 1.3 connections, sends `GET /small` on each, reads the whole
# answer and leaves them all open and idle; 3 s later RSS and Pss are read again.
# (after - before) / N is the cost of one idle connection. `RSS closed` is the RSS
# 3 s after the client has closed everything: what the proxy gives back.
#
#   Benchmarks/memory.sh [--connections N] [--proxies pounce,haproxy]
#
# Needs nginx and haproxy (apt install nginx haproxy). N defaults to 4000; any
# connection that fails, is not answered 200, or is closed by the proxy before the
# end stops the script, so no figure is printed for fewer than N connections.
# BENCH_SKIP_BUILD=1 reuses the last release build; BENCH_KEEP=1 keeps the configs
# and logs.
set -euo pipefail
name=memory
. "$(dirname "$0")/lib.sh"
connections=4000
proxies=pounce,haproxy
while [ $# -gt 0 ]; do
    case "$1" in
        --connections) connections=$2; shift 2 ;;
        --proxies) proxies=$2; shift 2 ;;
        -h|--help) bench_help; exit 0 ;;
        *) echo "usage: $0 [--connections N] [--proxies pounce,haproxy]" >&2; exit 2 ;;
    esac
done
bench_setup haproxy ss
port=28390
backend=28391

# Each process holds N client sockets plus a few backend ones and its own files; the
# hard limit may be below 65536 in a container, so take what there is and check it.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((connections + 1000)) ]; then
    echo "memory.sh: $connections connections need an open-file limit of $((connections + 1000)), have $(ulimit -n)" >&2
    exit 1
fi

bench_nginx $backend "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
bash "$here/certs/make-certs.sh" "$work/pki" >/dev/null

# Both proxies must keep a connection that sends nothing for the whole run: Pounce's
# `Client` and HAProxy's keep-alive timeout (10 s and `timeout client` by default)
# would otherwise close some before the measurement.
cat > "$work/pounce.cfg" <<CFG
Daemon 0
LogLevel 0
Threads 1
Client 300
ListenHTTPS
    Address 127.0.0.1
    Port $port
    Cert "$work/pki/server.pem"
    Service
        Backend
            Address 127.0.0.1
            Port $backend
        End
    End
End
CFG
# maxconn is set on the frontend too: in some versions its default is lower than the
# global one (2000), which would queue connections past it instead of accepting them.
cat > "$work/haproxy.cfg" <<CFG
global
    nbthread 1
    maxconn $((connections + 1000))
defaults
    mode http
    timeout connect 5s
    timeout client 300s
    timeout server 300s
    timeout http-keep-alive 300s
frontend fe
    bind 127.0.0.1:$port ssl crt $work/pki/server.pem
    maxconn $((connections + 1000))
    default_backend be
backend be
    server nginx 127.0.0.1:$backend
CFG

start_proxy() { # $1 = pounce|haproxy; sets $pid
    case "$1" in
        pounce) taskset -c 0 "$bin" -F -f "$work/pounce.cfg" >"$work/pounce.log" 2>&1 & ;;
        haproxy) taskset -c 0 haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 & ;;
    esac
    pid=$!
    pids+=("$pid")
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return; sleep 0.1; done
    echo "memory.sh: $1 is not listening on $port" >&2
    cat "$work/$1.log" >&2
    exit 1
}

# The proxy's whole process tree: Pounce runs as a supervisor and its worker (`-F`, as
# under systemd), and the worker holds the connections.
tree() { echo "$1"; local c; for c in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do tree "$c"; done; }
rss() { local p t=0; for p in $(tree "$pid"); do t=$((t + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status"))); done; echo $t; }
pss() { local p t=0; for p in $(tree "$pid"); do t=$((t + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup"))); done; echo $t; }

rows=()
for proxy in ${proxies//,/ }; do
    case "$proxy" in pounce|haproxy) ;; *) echo "memory.sh: unknown proxy $proxy" >&2; exit 2 ;; esac
    start_proxy "$proxy"
    # The probe connection above must be gone, and start-up work done, before the baseline.
    sleep 1
    rss0=$(rss); pss0=$(pss)

    taskset -c 1 python3 "$here/Benchmarks/idle-client.py" 127.0.0.1 $port --connections "$connections" \
        >"$work/client.$proxy.out" 2>"$work/client.$proxy.err" &
    client=$!
    pids+=("$client")
    until grep -q '^ready' "$work/client.$proxy.out"; do
        if ! kill -0 "$client" 2>/dev/null; then
            echo "memory.sh: $proxy: the client exited before its connections were open" >&2
            cat "$work/client.$proxy.err" >&2
            exit 1
        fi
        sleep 0.2
    done
    read -r _ ok failed < <(grep '^ready' "$work/client.$proxy.out")
    if [ "$failed" != 0 ]; then
        echo "memory.sh: $proxy: $failed of $connections connections failed ($ok held)" >&2
        cat "$work/client.$proxy.err" "$work/$proxy.log" >&2
        exit 1
    fi

    sleep 3
    rss1=$(rss); pss1=$(pss)
    # Backend connections the proxy keeps open (pooled) while the clients idle: they are
    # part of what the after-figure holds, so they are shown next to it.
    pooled=$(ss -Htn state established dst "127.0.0.1:$backend" | wc -l)

    kill -TERM "$client"
    status=0
    wait "$client" || status=$?
    open=$(awk '/^open/ {print $2}' "$work/client.$proxy.out")
    if [ "$status" != 0 ] || [ "${open:-0}" != "$connections" ]; then
        echo "memory.sh: $proxy: ${open:-?} of $connections connections were still open at the end" >&2
        cat "$work/client.$proxy.err" "$work/$proxy.log" >&2
        exit 1
    fi
    sleep 3
    rss2=$(rss)
    kill "$pid"
    wait "$pid" 2>/dev/null || true

    rows+=("$proxy $rss0 $rss1 $rss2 $pss0 $pss1 $pooled")
done

printf '%s\n' "${rows[@]}" | python3 -c '
import sys
n = int(sys.argv[1])
print(f"{n} idle TLS 1.3 keep-alive connections; memory in KiB")
cols = ("proxy", "RSS before", "RSS idle", "RSS closed", "Pss before", "Pss idle", "backend conns", "RSS/conn", "Pss/conn")
print(("{:<8}" + " {:>10}" * 5 + " {:>13} {:>8} {:>8}").format(*cols))
for line in sys.stdin:
    p, r0, r1, r2, s0, s1, b = line.split()
    r0, r1, r2, s0, s1 = map(int, (r0, r1, r2, s0, s1))
    print(f"{p:<8} {r0:>10} {r1:>10} {r2:>10} {s0:>10} {s1:>10} {b:>13} {(r1 - r0) / n:>8.1f} {(s1 - s0) / n:>8.1f}")
' "$connections"
