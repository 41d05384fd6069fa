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

prefix=${UNHEALTHY_NS_PREFIX:-pu}
advert=0.5
node_env=("POUNCE_CONTROL={dir}/ctl")
. "$(dirname "$0")/two-nodes.sh"

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
