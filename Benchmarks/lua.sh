#!/usr/bin/env bash
# What a Lua-chosen service costs on the request path. Three Pounce configurations,
# each answering GET /small with a 100-byte body:
#   url        the Service is chosen by `URL "^/small$"`; its backend is
#              `LuaBackend "small"` (a Lua function that builds the response);
#   luamatch   the same service chosen by `LuaMatch "is_small"` (a Lua function
#              returning http.req.path == "/small"), same LuaBackend;
#   url-nginx  reference: `URL "^/small$"` with a regular Backend, an nginx serving
#              the same 100 bytes (what a LuaBackend costs against proxying).
# Runs alternate (url, luamatch, url-nginx, url, ...) so drift in the machine's
# speed hits all alike; the medians are compared. Target: luamatch's CPU per
# request within 1.3x of url's.
#
#   Benchmarks/lua.sh [--runs N] [--duration S]
#
# Needs nginx, wrk and curl (apt install nginx wrk curl); pins wrk to CPU 1 and the
# servers to CPU 0 like ../shared/bench. BENCH_SKIP_BUILD=1 reuses the last release build.
set -euo pipefail
name=lua
. "$(dirname "$0")/lib.sh"
bench_args "$@"
bench_setup curl
bench_nginx 28191 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"

cat > "$work/bench.lua" <<'LUA'
function small()
    http.resp.code = 200
    http.resp.headers['Content-Type'] = 'text/plain'
    http.resp.body = string.rep('x', 99) .. '\n'
end

function is_small()
    return http.req.path == '/small'
end
LUA

config() { # $1 = the condition choosing the service, $2 = its backend
    cat <<CFG
Daemon 0
LogLevel 0
Lua
    Load "$work/bench.lua"
End
ListenHTTP
    Address 127.0.0.1
    Port 28190
    Service
        $1
$2
    End
End
CFG
}
lua_backend='        LuaBackend "small"'
nginx_backend='        Backend
            Address 127.0.0.1
            Port 28191
        End'
config 'URL "^/small$"' "$lua_backend" > "$work/url.cfg"
config 'LuaMatch "is_small"' "$lua_backend" > "$work/luamatch.cfg"
config 'URL "^/small$"' "$nginx_backend" > "$work/url-nginx.cfg"
names=(url luamatch url-nginx)

for n in "${names[@]}"; do bench_preflight "$work/$n.cfg" 28190 http://127.0.0.1:28190/small 100; done

measure() { bench_measure "$1" 28190 http://127.0.0.1:28190/small; }

bench_compare "${names[@]}"
python3 - "$work/medians" <<'PY'
import sys
med = {n: (float(r), float(u)) for n, r, u in (l.split() for l in open(sys.argv[1]))}
(a, au), (b, bu) = med["url"], med["luamatch"]
verdict = "within" if bu / au <= 1.3 else "OVER"
print(f"\nluamatch/url CPU per request: {bu/au:.2f}x ({verdict} the 1.3x target); throughput {100*b/a:.1f}% of url")
PY
