# Sourced by the scripts that put Pounce on both load balancers of the rig's topology
# (unhealthy.sh, worker-kill.sh): the rig set up under the namespace prefix `$prefix`,
# a scratch folder, and what they all use to start a node and watch the floating
# address. The caller sets `prefix` and `advert` (seconds) first, and may set
# `keep_work=1`, `extra_cleanup` (a command) and `node_env` (more VAR=value for each node).
rig=$(cd "${1:?usage: $0 RIG_DIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "/tmp/pounce-$(basename "$0" .sh)-XXXXXX")
vip=10.213.0.99
pgids=()
node_env=(${node_env[@]+"${node_env[@]}"})

say() { printf '%s %s\n' "$(date +%H:%M:%S.%3N)" "$*"; }
now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v t="$(now)" 'BEGIN { printf "%.3f", t - s }'; }
cleanup() {
  [ -n "${extra_cleanup:-}" ] && eval "$extra_cleanup"
  for pg in "${pgids[@]}"; do kill -KILL -- "-$pg" 2>/dev/null || true; done
  "$rig/rig.sh" --ns-prefix "$prefix" teardown >/dev/null 2>&1 || true
  if [ "${keep_work:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
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
    RIG_VRID=51 RIG_PRIORITY="$2" RIG_ADVERT_INT="$advert" RIG_VRRP_VERSION=3 RIG_PREEMPT=1 \
    RIG_HEALTH_FILE="$dir/healthy" RIG_HEALTH_INTERVAL=1 RIG_HEALTH_WEIGHT=2 RIG_RUN_DIR="$dir" \
    RIG_HTTP_PORT=8000 POUNCE_LISTEN_ADDRESS=$vip ${node_env[@]+"${node_env[@]//\{dir\}/$dir}"} \
    "$here/pounce-node.sh" > "$work/$n.log" 2>&1 < /dev/null &
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
  while [ "$(holder)" != "$1" ]; do
    if awk -v d="$deadline" -v t="$(now)" 'BEGIN { exit !(t > d) }'; then
      say "FAIL step $4: expected $1 to hold $vip within $3 s, holder: $(holder)"
      tail -n 20 "$work/lb1.log" "$work/lb2.log"
      exit 1
    fi
    sleep 0.02
  done
  say "step $4: $1 holds $vip after $(elapsed "$2") seconds"
}
