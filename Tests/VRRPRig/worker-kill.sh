#!/bin/bash
# "The worker dies, the node does not": on the rig's topology (rig.sh setup), Pounce runs on
# both load balancers (VRRPv3, 0.2 s adverts), each as a supervisor with its worker. A client
# (Tests/PounceAppTests/Support/loadclient.py: keep-alive connections plus new ones) uses the
# floating address while lb1's worker is killed with SIGKILL ten times:
#   - the supervisor starts a new worker on the same listening sockets each time (measured:
#     kill to a new worker process, and to the new worker accepting on the floating address);
#   - the address never leaves lb1 (sampled every 20 ms) and no connection is refused;
#   - failed requests are only those in flight on the killed worker (counted).
# Then lb1's supervisor itself is killed (its whole process group, as the rig's `kill` does):
# lb2 must hold the address within Master_Down_Interval + 1 s, as when a single process died.
# Prints a table and exits 1 on the first failure. Usage: worker-kill.sh RIG_DIR (as root;
# POUNCE_BIN as for pounce-node.sh).
set -euo pipefail

prefix=${WORKER_KILL_NS_PREFIX:-pk}
advert=0.2
kills=${WORKER_KILLS:-10}
keep_work=${WORKER_KILL_KEEP:-0}
bg=()
extra_cleanup='for p in "${bg[@]}"; do kill "$p" 2>/dev/null || true; done'
. "$(dirname "$0")/two-nodes.sh"

# The supervisor is the process the rig started (pounce-node.sh execs it); its worker is
# its child called pounce (the backend's watcher shell is a child too).
worker_of() {
  local sup=$1 c
  for c in $(cat "/proc/$sup/task/$sup/children" 2>/dev/null); do
    [ "$(cat "/proc/$c/comm" 2>/dev/null)" = pounce ] && { echo "$c"; return; }
  done
  return 0
}
accepts() { ip netns exec "${prefix}client" curl -s -m 1 -o /dev/null -w '%{http_code}' "http://$vip:8000/" 2>/dev/null; }

start lb1 101
start lb2 100
t=$(now)
wait_sole lb1 "$t" 6 "startup"
sup=$(cat "$work/lb1/pgid")
[ -n "$(worker_of "$sup")" ] || { say "FAIL: lb1 runs no worker (is Supervisor on?)"; exit 1; }

# Who holds the address, every 20 ms, for the whole series of kills.
( while :; do echo "$(now) $(holder)"; sleep 0.02; done ) > "$work/holder.log" &
bg+=($!)
ip netns exec "${prefix}client" python3 "$here/../PounceAppTests/Support/loadclient.py" --host $vip --port 8000 \
  --keepalive 10 --new-per-second 20 --timeout 2 > "$work/load.json" 2> "$work/load.err" &
load=$!
bg+=($load)
sleep 1

printf '%-5s %-8s %-8s %12s %14s\n' kill old new "new process" "serving (s)" > "$work/table"
for i in $(seq "$kills"); do
  old=$(worker_of "$sup")
  [ -n "$old" ] || { say "FAIL: no worker before kill $i"; exit 1; }
  t=$(now)
  kill -KILL "$old"
  new=""
  while [ -z "$new" ] || [ "$new" = "$old" ]; do
    new=$(worker_of "$sup")
    awk -v s="$t" -v n="$(now)" 'BEGIN { exit !(n - s > 5) }' && { say "FAIL: no new worker within 5 s"; exit 1; }
    sleep 0.001
  done
  spawned=$(elapsed "$t")
  until [ "$(accepts)" = 200 ]; do
    awk -v s="$t" -v n="$(now)" 'BEGIN { exit !(n - s > 5) }' && { say "FAIL: the new worker does not serve"; exit 1; }
  done
  printf '%-5s %-8s %-8s %12s %14s\n' "$i" "$old" "$new" "$spawned" "$(elapsed "$t")" >> "$work/table"
  sleep 1.2
done
kill -TERM $load
wait $load || true
kill "${bg[0]}" 2>/dev/null || true
cat "$work/table"
# Accept-queue overflows on lb1 (the rig's Python backend listens with a backlog of 5; a
# dropped SYN costs the client a 1 s retransmission): shown to explain slow first answers.
echo "lb1 listen overflows/drops: $(ip netns exec "${prefix}lb1" nstat -az TcpExtListenOverflows TcpExtListenDrops 2>/dev/null | awk '/^TcpExt/ {printf "%s=%s ", $1, $2}')"

moves=$(awk '$2 != "lb1"' "$work/holder.log" | wc -l)
samples=$(wc -l < "$work/holder.log")
python3 - "$work/load.json" "$kills" "$moves" "$samples" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); kills = int(sys.argv[2])
print(f"client: {r['requests_ok']} ok, {r['failed']} failed, {r['refused']} refused, "
      f"{r['connect_errors']} connect errors, {r['retried_idle_close']} retried after an idle close")
print(f"holder samples: {sys.argv[4]}, not lb1 alone: {sys.argv[3]}")
bad = []
if int(sys.argv[3]) != 0: bad.append("the address left lb1")
if r["refused"] or r["connect_errors"]: bad.append("connections were refused")
# In flight on the killed worker: at most one request per keep-alive connection, plus new ones.
if r["failed"] > kills * (10 + 3): bad.append(f"{r['failed']} failed requests: more than were in flight")
if r["requests_ok"] < 100: bad.append("too little traffic")
for b in bad: print("FAIL:", b)
sys.exit(1 if bad else 0)
PY

# The supervisor itself: the whole node's Pounce is gone, the peer takes over as before
# (the address stays configured on lb1, as after any SIGKILL of a VRRP speaker: the rig's
# `kill` scenario accepts that too).
t=$(now)
kill -KILL -- "-$sup"
deadline=$(awk -v s="$t" 'BEGIN { printf "%.3f", s + 1.8 }')
until holds lb2; do
  if awk -v d="$deadline" -v t="$(now)" 'BEGIN { exit !(t > d) }'; then
    say "FAIL step supervisor-killed: lb2 does not hold $vip within 1.8 s"
    tail -n 20 "$work/lb1.log" "$work/lb2.log"
    exit 1
  fi
  sleep 0.02
done
say "step supervisor-killed: lb2 holds $vip after $(elapsed "$t") seconds"
sleep 0.5
[ -z "$(worker_of "$sup")" ] && ! kill -0 "$sup" 2>/dev/null || { say "FAIL: lb1's pounce outlived the kill"; exit 1; }
say "PASS"
