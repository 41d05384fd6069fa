#!/usr/bin/env bash
# Instructions per request through Pounce, counted by valgrind's callgrind: a number
# that does not move with the machine's load, so every change to the request path can
# be judged by it. For HTTP and HTTPS keep-alive (100-byte answers from nginx), Pounce
# runs under callgrind twice, serving N and 5N requests on one connection (curl with
# a URL range); the difference, divided by 4N, is what one request costs, start-up
# and shutdown cancelling out. h2 counts HTTP/2 on the HTTPS listener the same way,
# with h2load's 10 connections of 10 streams each (not run unless asked for).
#
#   Benchmarks/instructions.sh [--requests N] [--scenarios http,https,h2] [--haproxy]
#
# --haproxy counts HAProxy (nbthread 1, the same nginx, curl and N) the same way, as
# the reference. Needs valgrind, nginx and curl (apt install valgrind nginx curl),
# and haproxy for --haproxy, h2load for h2 (apt install nghttp2-client). N defaults
# to 2000.
# BENCH_SKIP_BUILD=1 reuses the last release build.
set -euo pipefail
name=instructions
. "$(dirname "$0")/lib.sh"
requests=2000
scenarios=http,https
proxies=pounce
while [ $# -gt 0 ]; do
    case "$1" in
        --requests) requests=$2; shift 2 ;;
        --scenarios) scenarios=$2; shift 2 ;;
        --haproxy) proxies="pounce haproxy"; shift ;;
        -h|--help) bench_help; exit 0 ;;
        *) echo "usage: $0 [--requests N] [--scenarios http,https,h2] [--haproxy]" >&2; exit 2 ;;
    esac
done
bench_setup curl valgrind callgrind_annotate objcopy
bench_nginx 28291 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
bash "$here/certs/make-certs.sh" "$work/pki" >/dev/null
# valgrind 3.19 cannot read the DWARF 5 that Swift 6.3 writes: a copy without debug
# information (symbols stay, so callgrind_annotate still names functions), loading
# its libraries from the build folder.
objcopy --strip-debug "$bin" "$work/pounce"
export LD_LIBRARY_PATH
LD_LIBRARY_PATH="$(dirname "$bin")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# One process (`Supervisor 0`): callgrind follows the process it starts, and what a request
# costs is the serving process's code either way.
config() { # $1 = listener kind, $2 = its extra lines
    cat <<CFG
Daemon 0
Supervisor 0
LogLevel 0
Threads 1
$1
    Address 127.0.0.1
    Port 28290
$2
    Service
        Backend
            Address 127.0.0.1
            Port 28291
        End
    End
End
CFG
}
config ListenHTTP "" > "$work/pounce-http.cfg"
config ListenHTTPS "    Cert \"$work/pki/server.pem\"" > "$work/pounce-https.cfg"

haproxy_config() { # $1 = extra words for the bind line
    cat <<CFG
global
    nbthread 1
defaults
    mode http
    timeout client 600s
    timeout server 600s
    timeout connect 5s
    option forwardfor
frontend f
    bind 127.0.0.1:28290 $1
    default_backend b
backend b
    server s1 127.0.0.1:28291
CFG
}
haproxy_config "" > "$work/haproxy-http.cfg"
haproxy_config "ssl crt $work/pki/server.pem alpn h2,http/1.1" > "$work/haproxy-https.cfg"

# Total instructions of one proxy run under callgrind serving $3 requests: on one
# keep-alive connection (http, https), or h2load's 10 connections of 10 streams each
# (h2: the HTTPS listener's HTTP/2).
count() { # $1 = proxy, $2 = scenario, $3 = requests
    local scheme=$2 out="$work/callgrind.$1.$2.$3" command config=$2
    [ "$2" = h2 ] && config=https
    case "$1" in
        pounce) command=("$work/pounce" -F -f "$work/pounce-$config.cfg") ;;
        haproxy) command=(haproxy -db -f "$work/haproxy-$config.cfg") ;;
    esac
    valgrind --tool=callgrind --callgrind-out-file="$out" "${command[@]}" >"$work/proxy.log" 2>&1 &
    local vg=$!
    for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/28290) 2>/dev/null && break; sleep 0.1; done
    if [ "$2" = h2 ]; then
        h2load -t1 -c10 -m10 -n "$3" https://127.0.0.1:28290/small >"$work/h2load.log" 2>&1
    else
        curl -s -k --http1.1 --max-time 600 -o /dev/null -w '' "$scheme://127.0.0.1:28290/small?[1-$3]"
    fi
    kill -TERM "$vg"
    wait "$vg" 2>/dev/null || true
    callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ && !seen++ { gsub(",", "", $1); print $1 }'
}

printf '%-8s %-8s %12s %14s %14s %16s\n' proxy scenario requests "Ir (N)" "Ir (5N)" "Ir per request"
for proxy in $proxies; do
    for scenario in ${scenarios//,/ }; do
        one=$(count "$proxy" "$scenario" "$requests")
        five=$(count "$proxy" "$scenario" $((requests * 5)))
        if [ -z "$one" ] || [ -z "$five" ]; then
            echo "instructions.sh: $proxy $scenario: no callgrind totals (see $work/proxy.log)" >&2
            cat "$work/proxy.log" >&2
            exit 1
        fi
        printf '%-8s %-8s %12d %14d %14d %16.0f\n' "$proxy" "$scenario" "$requests" "$one" "$five" \
            "$(python3 -c "print(($five - $one) / ($requests * 4))")"
    done
done
