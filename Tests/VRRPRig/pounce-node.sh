#!/bin/bash
# The VRRP rig's lb command for Pounce (../shared/rigs/vrrp/rig.sh --lb1-cmd/--lb2-cmd):
# turns the RIG_* environment into a pound.cfg with a VRRP block that tracks the rig's
# health file, and runs Pounce in the foreground (the rig signals its process group).
#
# Two ways to serve the rig's client on $RIG_HTTP_PORT:
#  - the rig's own http.server already listens there (the default): Pounce speaks VRRP and
#    proxies a side port to it, as keepalived would sit beside a proxy;
#  - with rig.sh --no-http nothing does: Pounce itself listens on $RIG_HTTP_PORT and proxies to
#    a python http.server on 127.0.0.1 that says $RIG_NODE (started here, in the same group).
# POUNCE_BIN names the binary (default: .build/release/pounce next to this checkout).
# POUNCE_LISTEN_ADDRESS binds the listener to one address instead of 0.0.0.0 (the floating one,
# with net.ipv4.ip_nonlocal_bind=1, as the classic HA tutorials do).
# Besides the rig's file check, Pounce tracks its own health: the listener accepting (weight 0:
# FAULT) and a live backend in the service (weight -10).
set -euo pipefail

: "${RIG_NODE:?}" "${RIG_IFACE:?}" "${RIG_VIP:?}" "${RIG_RUN_DIR:?}" "${RIG_HEALTH_FILE:?}"
here=$(cd "$(dirname "$0")" && pwd)
POUNCE_BIN=${POUNCE_BIN:-$here/../../.build/release/pounce}
RIG_VIP_PREFIX=${RIG_VIP_PREFIX:-32}
RIG_VRID=${RIG_VRID:-51}
RIG_PRIORITY=${RIG_PRIORITY:-100}
RIG_ADVERT_INT=${RIG_ADVERT_INT:-1}
RIG_VRRP_VERSION=${RIG_VRRP_VERSION:-2}
RIG_PREEMPT=${RIG_PREEMPT:-1}
RIG_HEALTH_INTERVAL=${RIG_HEALTH_INTERVAL:-2}
RIG_HEALTH_WEIGHT=${RIG_HEALTH_WEIGHT:-2}
RIG_AUTH_TYPE=${RIG_AUTH_TYPE:-none}
RIG_AUTH_PASS=${RIG_AUTH_PASS:-rigpass1}
RIG_UNICAST=${RIG_UNICAST:-0}
RIG_VMAC=${RIG_VMAC:-0}
RIG_HTTP_PORT=${RIG_HTTP_PORT:-8000}
RIG_GARP_MASTER_DELAY=${RIG_GARP_MASTER_DELAY:-5}

mkdir -p "$RIG_RUN_DIR"
conf=$RIG_RUN_DIR/pound.cfg

# VRRPv3 counts the interval in centiseconds; the rig gives seconds (fractions allowed).
if [ "$RIG_VRRP_VERSION" = 3 ]; then
  advert=$(awk -v s="$RIG_ADVERT_INT" 'BEGIN { printf "%d", s * 100 + 0.5 }')
else
  advert=$(awk -v s="$RIG_ADVERT_INT" 'BEGIN { printf "%d", s + 0.5 }')
fi

if (exec 3<>"/dev/tcp/127.0.0.1/$RIG_HTTP_PORT") 2>/dev/null; then
  listen_port=$((RIG_HTTP_PORT + 80))
  backend_port=$RIG_HTTP_PORT
else
  listen_port=$RIG_HTTP_PORT
  backend_port=$((RIG_HTTP_PORT + 1))
  www=$RIG_RUN_DIR/www
  mkdir -p "$www"
  [ -f "$www/index.html" ] || echo "$RIG_NODE" > "$www/index.html"
  # A backend of this node's previous run may not have noticed yet that its Pounce is gone.
  if [ -f "$RIG_RUN_DIR/backend.pid" ]; then
    kill "$(cat "$RIG_RUN_DIR/backend.pid")" 2>/dev/null || true
    for _ in $(seq 50); do
      (exec 3<>"/dev/tcp/127.0.0.1/$backend_port") 2>/dev/null || break
      sleep 0.1
    done
  fi
  # The backend lives in a session of its own, so the rig's signal to this group reaches only
  # Pounce (which keeps serving through a graceful handover); a watcher ends it once Pounce,
  # which this script becomes below ($$), is gone.
  setsid sh -c '
    python3 -m http.server "$1" --bind 127.0.0.1 --directory "$2" > "$3/backend.log" 2>&1 < /dev/null &
    echo $! > "$3/backend.pid"
    while kill -0 "$4" 2>/dev/null; do sleep 0.2; done
    kill $!' sh "$backend_port" "$www" "$RIG_RUN_DIR" $$ > /dev/null 2>&1 < /dev/null &
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$backend_port") 2>/dev/null && break
    sleep 0.1
  done
fi

# The rig reads "<epoch> INSTANCE VI_1 <STATE> <prio>" lines from notify.log.
notify=$RIG_RUN_DIR/notify.sh
cat > "$notify" <<NOTIFY
#!/bin/sh
printf '%s %s %s %s %s\n' "\$(date +%s.%N)" "\$1" "\$2" "\$3" "\${4:-}" >> "$RIG_RUN_DIR/notify.log"
NOTIFY
chmod +x "$notify"

{
  echo "Daemon 0"
  echo "LogFacility -"
  echo "LogLevel 0"
  echo "Alive 1"
  echo "ListenHTTP \"web\""
  echo "  Address ${POUNCE_LISTEN_ADDRESS:-0.0.0.0}"
  echo "  Port $listen_port"
  echo "  Service \"app\""
  echo "    Backend"
  echo "      Address 127.0.0.1"
  echo "      Port $backend_port"
  echo "      HealthCheck \"/\""
  echo "      HealthCheckInterval 1"
  echo "      HealthCheckFall 1"
  echo "      HealthCheckRise 1"
  echo "    End"
  echo "  End"
  echo "End"
  # POUNCE_CONTROL: a control socket, for tests that steer the proxy (poundctl, curl). Declared
  # after the listener, so "web" stays listener 0 for the control API.
  [ -n "${POUNCE_CONTROL:-}" ] && echo "Control \"$POUNCE_CONTROL\""
  echo "VRRP \"VI_1\""
  echo "  Interface \"$RIG_IFACE\""
  echo "  VirtualRouterID $RIG_VRID"
  echo "  Priority $RIG_PRIORITY"
  echo "  Version $RIG_VRRP_VERSION"
  echo "  AdvertInterval $advert"
  echo "  VirtualAddress \"$RIG_VIP/$RIG_VIP_PREFIX\""
  [ "$RIG_PREEMPT" = 0 ] && echo "  NoPreempt"
  echo "  GARPDelay $RIG_GARP_MASTER_DELAY"
  [ "$RIG_AUTH_TYPE" != none ] && echo "  Authentication $RIG_AUTH_TYPE \"$RIG_AUTH_PASS\""
  if [ "$RIG_UNICAST" = 1 ]; then
    echo "  Unicast \"${RIG_PEER_IP:?}\""
    echo "  UnicastSource \"${RIG_SELF_IP:?}\""
  fi
  [ "$RIG_VMAC" = 1 ] && echo "  VirtualMAC on"
  echo "  Notify \"$notify\""
  echo "  Track File \"$RIG_HEALTH_FILE\" Weight $RIG_HEALTH_WEIGHT Interval $RIG_HEALTH_INTERVAL"
  # The proxy's own health: a listener that stops accepting gives the address up (FAULT); a
  # service without a live backend lowers the priority below the peer's.
  echo "  Track Listener \"web\" Weight 0 Interval 1 Timeout 1 Fall 2"
  echo "  Track Backends \"app\" 1 Weight -10 Interval 1"
  echo "End"
} > "$conf"

# -F: foreground (the rig owns the process group); -e: log to stderr, which the rig keeps.
exec "$POUNCE_BIN" -F -e -f "$conf"
