#!/usr/bin/env bash
# Instructions per request through Pounce, counted by valgrind's callgrind: a number
# that does not move with the machine's load, so every change to the request path can
# be judged by it. For HTTP and HTTPS keep-alive (100-byte answers from nginx), Pounce
# runs under callgrind twice, serving N and 5N requests on one connection (curl with
# a URL range); the difference, divided by 4N, is what one request costs, start-up
# and shutdown cancelling out.
#
#   Benchmarks/instructions.sh [--requests N] [--scenarios http,https]
#
# Needs valgrind, nginx and curl (apt install valgrind nginx curl). N defaults to 2000.
# BENCH_SKIP_BUILD=1 reuses the last release build.
set -euo pipefail
requests=2000
scenarios=http,https
while [ $# -gt 0 ]; do
    case "$1" in
        --requests) requests=$2; shift 2 ;;
        --scenarios) scenarios=$2; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "usage: $0 [--requests N] [--scenarios http,https]" >&2; exit 2 ;;
    esac
done
name=instructions
. "$(dirname "$0")/lib.sh"
bench_setup curl valgrind callgrind_annotate objcopy
bench_nginx 28291 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
bash "$here/certs/make-certs.sh" "$work/pki" >/dev/null
# valgrind 3.19 cannot read the DWARF 5 that Swift 6.3 writes: a copy without debug
# information (symbols stay, so callgrind_annotate still names functions), loading
# its libraries from the build folder.
objcopy --strip-debug "$bin" "$work/pounce"
export LD_LIBRARY_PATH
LD_LIBRARY_PATH="$(dirname "$bin")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

config() { # $1 = listener kind, $2 = its extra lines
    cat <<CFG
Daemon 0
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
config ListenHTTP "" > "$work/http.cfg"
config ListenHTTPS "    Cert \"$work/pki/server.pem\"" > "$work/https.cfg"

# Total instructions of one pounce run under callgrind serving $2 requests on one
# keep-alive connection.
count() { # $1 = scenario, $2 = requests
    local scheme=$1 out="$work/callgrind.$1.$2"
    valgrind --tool=callgrind --callgrind-out-file="$out" "$work/pounce" -F -f "$work/$1.cfg" >"$work/pounce.log" 2>&1 &
    local vg=$!
    for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/28290) 2>/dev/null && break; sleep 0.1; done
    curl -s -k --max-time 600 -o /dev/null -w '' "$scheme://127.0.0.1:28290/small?[1-$2]"
    kill -TERM "$vg"
    wait "$vg" 2>/dev/null || true
    callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ && !seen++ { gsub(",", "", $1); print $1 }'
}

printf '%-8s %12s %14s %14s %16s\n' scenario requests "Ir (N)" "Ir (5N)" "Ir per request"
for scenario in ${scenarios//,/ }; do
    one=$(count "$scenario" "$requests")
    five=$(count "$scenario" $((requests * 5)))
    if [ -z "$one" ] || [ -z "$five" ]; then
        echo "instructions.sh: $scenario: no callgrind totals (see $work/pounce.log)" >&2
        cat "$work/pounce.log" >&2
        exit 1
    fi
    printf '%-8s %12d %14d %14d %16.0f\n' "$scenario" "$requests" "$one" "$five" \
        "$(python3 -c "print(($five - $one) / ($requests * 4))")"
done
