#!/bin/bash
# "The proxy is unhealthy, the process is not": on the rig's topology (rig.sh setup), Pounce runs
# on both load balancers (VRRPv3, 0.5 s adverts) and, on the master, the proxy is made unhealthy
# while its process stays up, so a keepalived `killall -0 pounce` check would see nothing wrong:
#   1. its listener is disabled through the control socket (it stops accepting)  -> lb2 takes over
#   2. the listener is enabled again                                              -> lb1 preempts back
#   3. its only backend dies                                                      -> lb2 takes over
# Each step must move the address within Master_Down_Interval + the check's detection time
# (+1 s of slack) and leave exactly one holder. Prints one "step ... seconds" line per step and
# exits 1 on the first failure. Usage: unhealthy.sh RIG_DIR (as root; POUNCE_BIN as for pounce-node.sh).
set -euo pipefail

rig=$(cd "${1:?usage: unhealthy.sh RIG_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
prefix=${UNHEALTHY_NS_PREFIX:-pu}
work=$(mktemp -d /tmp/pounce-unhealthy-XXXXXX)
vip=10.213.0.99
pgids=()

say() { printf '%s %s\n' "$(date +%H:%M:%S.%3N)" "$*"; }
now() { date +%s.%N; }
cleanup() {
  for pg in "${pgids[@]}"; do kill -KILL -- "-$pg" 2>/dev/null || true; done
  "$rig/rig.sh" --ns-prefix "$prefix" teardown >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"$rig/rig.sh" --ns-prefix "$prefix" setup > "$work/setup.log" 2>&1 || { cat "$work/setup.log"; exit 1; }

# The proxies listen on the floating address itself, as in the classic tutorials: the backup
# binds it before it holds it (ip_nonlocal_bind), and its listener check must not fail for that.
start() {  # node priority
  local n=$1 dir=$work/$1
  ip netns exec "$prefix$n" sysctl -qw net.ipv4.ip_nonlocal_bind=1
  mkdir -p "$dir"
  touch "$dir/healthy"
  setsid ip netns exec "$prefix$n" env RIG_NODE="$n" RIG_IFACE=eth0 RIG_VIP=$vip RIG_VIP_PREFIX=32 \
    RIG_VRID=51 RIG_PRIORITY="$2" RIG_ADVERT_INT=0.5 RIG_VRRP_VERSION=3 RIG_PREEMPT=1 \
    RIG_HEALTH_FILE="$dir/healthy" RIG_HEALTH_INTERVAL=1 RIG_HEALTH_WEIGHT=2 RIG_RUN_DIR="$dir" \
    RIG_HTTP_PORT=8000 POUNCE_CONTROL="$dir/ctl" POUNCE_LISTEN_ADDRESS=$vip "$here/pounce-node.sh" > "$work/$n.log" 2>&1 < /dev/null &
  pgids+=($!)
  echo $! > "$dir/pgid"
  # Killed at the end by process group; no "Killed" job report from this shell.
  disown
}

holds() { ip -n "$prefix$1" -4 addr show dev eth0 | grep -q " $vip/"; }
holder() {
  local h=""
  holds lb1 && h=lb1
  holds lb2 && h=${h:+$h+}lb2
  echo "${h:-none}"
}
# Waits until `node` is the only holder; prints the seconds since `since`, or fails after `bound`.
wait_sole() {  # node since bound step
  local deadline
  deadline=$(awk -v s="$2" -v b="$3" 'BEGIN { printf "%.3f", s + b }')
  while :; do
    if [ "$(holder)" = "$1" ]; then
      say "step $4: $1 holds $vip after $(awk -v s="$2" -v t="$(now)" 'BEGIN { printf "%.3f", t - s }') seconds"
      return 0
    fi
    if awk -v d="$deadline" -v t="$(now)" 'BEGIN { exit !(t > d) }'; then
      say "FAIL step $4: expected $1 to hold $vip within $3 s, holder: $(holder)"
      tail -n 20 "$work/lb1.log" "$work/lb2.log"
      exit 1
    fi
    sleep 0.02
  done
}
control() {  # node method path
  ip netns exec "$prefix$1" curl -sS -f --unix-socket "$work/$1/ctl" -X "$2" "http://localhost$3" > /dev/null \
    || { say "FAIL: control $2 $3 on $1"; exit 1; }
}
process_alive() { kill -0 -- "-$(cat "$work/$1/pgid")" 2>/dev/null; }
client_says() {
  ip netns exec "${prefix}client" curl -s -m 1 "http://$vip:8000/" | head -c 3
}

start lb1 101
start lb2 100
t=$(now)
wait_sole lb1 "$t" 6 "startup"
[ "$(client_says)" = lb1 ] || { say "FAIL: the client does not reach lb1 through $vip"; exit 1; }

# v3 at 0.5 s, priority 102: Master_Down_Interval = 1.5 + 0.2 s. The listener check runs every
# second and needs 2 failures (Fall 2); FAULT sends priority 0, so the takeover is a skew time.
t=$(now)
control lb1 DELETE /listener/0
wait_sole lb2 "$t" 4.7 "listener-disabled"
process_alive lb1 || { say "FAIL: lb1's pounce exited"; exit 1; }
say "lb1's pounce process is still running: a 'killall -0' check would not have noticed"
[ "$(client_says)" = lb2 ] || { say "FAIL: the client does not reach lb2 through $vip"; exit 1; }

t=$(now)
control lb1 PUT /listener/0
wait_sole lb1 "$t" 4.7 "listener-enabled"

# The backend's health check (every second) marks it dead; the Backends track (every second)
# then drops lb1 to 93 < 102, and lb2 preempts once its Master_Down timer runs out.
t=$(now)
kill "$(cat "$work/lb1/backend.pid")"
wait_sole lb2 "$t" 4.8 "backends-dead"
process_alive lb1 || { say "FAIL: lb1's pounce exited"; exit 1; }
say "lb1's pounce process is still running: a 'killall -0' check would not have noticed"
say "PASS"
