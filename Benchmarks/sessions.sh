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
name=sessions
. "$(dirname "$0")/lib.sh"
bench_args "$@"
bench_setup
bench_nginx 28181 "session bench body xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"

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

measure() { bench_measure "$1" 28180 -H 'Cookie: SID=bench-session' http://127.0.0.1:28180/; }

bench_compare none cookie
