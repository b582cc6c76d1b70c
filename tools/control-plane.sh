#!/usr/bin/env bash
# A throw-away Kubernetes control plane on 127.0.0.1 (etcd + kube-apiserver +
# kube-controller-manager, built by tools/setup-engine.sh control-plane). No kubelet, so
# pods stay Pending, but everything the API server enforces (RBAC, Pod Security admission,
# ValidatingAdmissionPolicy, validation, namespace deletion via the controller manager) is real.
#
#   tools/control-plane.sh start DIR [--owner PID] [--timeout SECS]
#       Start in the background; returns once /readyz is OK. Writes into DIR:
#       kubeconfig, cluster.env (shell), cluster.json, pki/, logs/, *.pid.
#       --owner PID: also stop everything as soon as process PID exits (use this from tests:
#       pass the test runner's own pid, e.g. process.pid).
#       Ports are random, below the kernel's ephemeral range; a start that loses a bind race
#       is retried twice with new ports (MERIDIAN_CONTROL_PLANE_PORTS="ETCD PEER API" fixes
#       the first attempt's ports, for the test of that retry).
#   tools/control-plane.sh run DIR      Start, print the env, stay in the foreground; Ctrl-C,
#                                       SIGTERM or SIGKILL of this script stops everything.
#   tools/control-plane.sh stop DIR     Stop everything and remove state (keeps DIR/logs).
#   tools/control-plane.sh env DIR      Print `export KUBECONFIG=...` lines (eval-able).
#   tools/control-plane.sh status DIR   Exit 0 if running and ready.
#
# Nothing is left behind when the caller dies: the daemons are children of a supervisor in
# its own session; each daemon gets SIGKILL from the kernel if the supervisor dies
# (setpriv --pdeathsig), and the supervisor stops everything when the --owner process exits
# (polled every second), on SIGTERM/SIGINT/SIGHUP, and when any daemon dies.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF="$SCRIPT_DIR/$(basename "${BASH_SOURCE[0]}")"
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
BIN="${MERIDIAN_TOOLS_BIN:-$ROOT/.tools/bin}"
ADMIN_TOKEN_DEFAULT=meridian-admin-token

ts() { date +%H:%M:%S; }
log() { printf '[%s] control-plane: %s\n' "$(ts)" "$*" >&2; }
die() { printf '[%s] control-plane: ERROR: %s\n' "$(ts)" "$*" >&2; exit 1; }

usage() { sed -n '2,27p' "$SELF" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

abspath() { mkdir -p "$1" && (cd "$1" && pwd); }

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pidof_file() { [ -f "$1" ] && cat "$1" 2>/dev/null || true; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Daemon ports come from below the kernel's ephemeral range: a port inside it can be free to
# connect to and still refuse a bind, because an outgoing connection holds it as its source
# port (CI saw kube-apiserver exit at once on such a port). A race with another control plane
# starting at the same moment is left, and cmd_start retries it with new ports.
port_range() {
  local low=32768 high
  if [ -r /proc/sys/net/ipv4/ip_local_port_range ]; then read -r low high </proc/sys/net/ipv4/ip_local_port_range; fi
  if [ $((low - 1)) -ge 21000 ]; then echo "20000 $((low - 1))"; else echo "20000 49999"; fi
}
pick_port() {
  local p i lo hi
  read -r lo hi < <(port_range)
  for i in $(seq 1 200); do
    p=$(( lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1) ))
    if port_free "$p" && [[ " ${USED_PORTS:-} " != *" $p "* ]]; then
      USED_PORTS="${USED_PORTS:-} $p"; echo "$p"; return 0
    fi
  done
  die "could not find a free port on 127.0.0.1 in $lo-$hi"
}

# The line of a daemon's log that says why it stopped: a bind conflict if there is one, else
# the last error line (cut short; the logs hold no secrets, but keep the message one line).
why_exited() {
  local f=$1 line
  line=$(grep -m1 -E 'address already in use' "$f" 2>/dev/null || true)
  [ -n "$line" ] || line=$(grep -E '^E[0-9]{4} |[Ee]rror|fatal|panic' "$f" 2>/dev/null | tail -n1 || true)
  printf '%s' "${line:0:300}"
}
bind_conflict() { grep -qs 'address already in use' "$1/logs/etcd.log" "$1/logs/kube-apiserver.log"; }

gen_pki() {
  local d=$1/pki
  mkdir -p "$d"
  [ -f "$d/ca.crt" ] && return 0
  log "generating CA, serving/client certificates and the service-account key pair in $d"
  (
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 \
      -subj "/CN=meridian-local-ca" 2>/dev/null
    cat >apiserver.ext <<'EOF'
basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
EOF
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt \
      -days 3650 -extfile apiserver.ext 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' >client.ext
    # kube-controller-manager authenticates with a client certificate; RBAC's bootstrap
    # policy grants this user name what it needs.
    openssl req -newkey rsa:2048 -nodes -keyout kcm.key -out kcm.csr -subj "/CN=system:kube-controller-manager" 2>/dev/null
    openssl x509 -req -in kcm.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out kcm.crt -days 3650 -extfile client.ext 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    rm -f ./*.csr ./*.ext ca.srl
    chmod 600 ./*.key
  ) || die "openssl failed while generating certificates in $d"
}

write_kubeconfig() { # FILE SERVER CA USER [token TOKEN | cert CRT KEY]
  local f=$1 server=$2 ca=$3 user=$4 kind=$5
  {
    echo "apiVersion: v1"
    echo "kind: Config"
    echo "clusters:"
    echo "- name: meridian-local"
    echo "  cluster:"
    echo "    server: $server"
    echo "    certificate-authority-data: $(base64 -w0 "$ca")"
    echo "users:"
    echo "- name: $user"
    echo "  user:"
    if [ "$kind" = token ]; then
      echo "    token: $6"
    else
      echo "    client-certificate-data: $(base64 -w0 "$6")"
      echo "    client-key-data: $(base64 -w0 "$7")"
    fi
    echo "contexts:"
    echo "- name: meridian-local"
    echo "  context:"
    echo "    cluster: meridian-local"
    echo "    user: $user"
    echo "current-context: meridian-local"
  } >"$f"
  chmod 600 "$f"
}

# ---------------------------------------------------------------------------------------
# The supervisor: runs in its own session; its children are the daemons.
supervise() {
  local dir=$1 owner=${2:-}
  # shellcheck disable=SC1091
  source "$dir/cluster.env"
  local etcd_pid="" api_pid="" kcm_pid=""
  echo $$ >"$dir/supervisor.pid"

  cleanup() {
    trap - EXIT TERM INT HUP
    local p
    for p in $kcm_pid $api_pid $etcd_pid; do alive "$p" && kill -TERM "$p" 2>/dev/null || true; done
    for _ in $(seq 1 100); do
      alive "$kcm_pid" || alive "$api_pid" || alive "$etcd_pid" || break
      sleep 0.1
    done
    for p in $kcm_pid $api_pid $etcd_pid; do alive "$p" && kill -KILL "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -f "$dir"/*.pid "$dir/ready"
    # Nobody will call `stop` for a dead owner: remove the state ourselves.
    [ "${OWNER_GONE:-0}" = 1 ] && remove_state "$dir"
    log "supervisor: stopped"
  }
  trap cleanup EXIT
  trap 'exit 0' TERM INT HUP

  # launch NAME ARGS...: start a daemon as a direct child (never inside $(...), or its
  # parent would be a short-lived subshell); it gets SIGKILL if this supervisor dies.
  launch() {
    local name=$1; shift
    setpriv --pdeathsig KILL -- "$@" >>"$dir/logs/$name.log" 2>&1 &
    LAUNCHED=$!
    echo "$LAUNCHED" >"$dir/$name.pid"
  }
  fail() { log "supervisor: $*"; echo "$*" >"$dir/failed"; exit 1; }

  log "supervisor: starting etcd on 127.0.0.1:$ETCD_PORT"
  launch etcd "$BIN/etcd" --name=meridian --data-dir="$dir/etcd-data" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="meridian=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync=true --log-level=warn
  etcd_pid=$LAUNCHED
  local i ok=0
  for i in $(seq 1 300); do
    alive "$etcd_pid" || fail "etcd exited: $(why_exited "$dir/logs/etcd.log"); see $dir/logs/etcd.log"
    if curl -fsS --max-time 5 "http://127.0.0.1:$ETCD_PORT/health" 2>/dev/null | grep -q '"health":"true"'; then ok=1; break; fi
    sleep 0.2
  done
  [ "$ok" = 1 ] || fail "etcd did not become healthy in 60s; see $dir/logs/etcd.log"

  log "supervisor: starting kube-apiserver on https://127.0.0.1:$APISERVER_PORT"
  launch kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$APISERVER_PORT" \
    --endpoint-reconciler-type=none \
    --cert-dir="$dir/pki" --tls-cert-file="$dir/pki/apiserver.crt" --tls-private-key-file="$dir/pki/apiserver.key" \
    --client-ca-file="$dir/pki/ca.crt" \
    --token-auth-file="$dir/pki/tokens.csv" \
    --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction,PodSecurity,ValidatingAdmissionPolicy \
    --allow-privileged=true \
    --service-cluster-ip-range=10.0.0.0/24 \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$dir/pki/sa.pub" --service-account-signing-key-file="$dir/pki/sa.key" \
    --profiling=false --v=1
  api_pid=$LAUNCHED
  ok=0
  for i in $(seq 1 600); do
    alive "$api_pid" || fail "kube-apiserver exited: $(why_exited "$dir/logs/kube-apiserver.log"); see $dir/logs/kube-apiserver.log"
    if [ "$(curl -sS --max-time 5 --cacert "$dir/pki/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" \
          "https://127.0.0.1:$APISERVER_PORT/readyz" 2>/dev/null)" = ok ]; then ok=1; break; fi
    sleep 0.2
  done
  [ "$ok" = 1 ] || fail "kube-apiserver /readyz not ok in 120s; see $dir/logs/kube-apiserver.log"

  log "supervisor: starting kube-controller-manager"
  launch kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig="$dir/kcm.kubeconfig" \
    --authentication-kubeconfig="$dir/kcm.kubeconfig" --authorization-kubeconfig="$dir/kcm.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=0 \
    --leader-elect=false --use-service-account-credentials=true \
    --service-account-private-key-file="$dir/pki/sa.key" --root-ca-file="$dir/pki/ca.crt" \
    --cluster-signing-cert-file="$dir/pki/ca.crt" --cluster-signing-key-file="$dir/pki/ca.key" \
    --controllers='*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-service-lb-controller,-route' \
    --v=1
  kcm_pid=$LAUNCHED
  sleep 1
  alive "$kcm_pid" || fail "kube-controller-manager exited; see $dir/logs/kube-controller-manager.log"
  touch "$dir/ready"
  log "supervisor: ready (etcd $etcd_pid, kube-apiserver $api_pid, kube-controller-manager $kcm_pid, owner ${owner:-none})"

  while true; do
    if [ -n "$owner" ] && ! alive "$owner"; then log "supervisor: owner $owner exited; stopping"; OWNER_GONE=1; exit 0; fi
    alive "$etcd_pid" || fail "etcd died; see $dir/logs/etcd.log"
    alive "$api_pid" || fail "kube-apiserver died; see $dir/logs/kube-apiserver.log"
    alive "$kcm_pid" || fail "kube-controller-manager died; see $dir/logs/kube-controller-manager.log"
    sleep 1
  done
}

# ---------------------------------------------------------------------------------------
cmd_start() {
  local dir owner="" timeout=180
  [ $# -ge 1 ] || usage 2
  dir=$(abspath "$1"); shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --owner) owner=$2; shift 2 ;;
      --timeout) timeout=$2; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  if [ -n "$owner" ]; then alive "$owner" || die "--owner $owner is not a running process"; fi
  if alive "$(pidof_file "$dir/supervisor.pid")"; then
    die "a control plane is already running in $dir (supervisor $(cat "$dir/supervisor.pid")); stop it first"
  fi
  local b
  for b in etcd kube-apiserver kube-controller-manager; do
    [ -x "$BIN/$b" ] || die "$BIN/$b missing: run tools/setup-engine.sh control-plane first"
  done
  command -v openssl >/dev/null || die "openssl not found (apt-get install openssl)"
  command -v setpriv >/dev/null || die "setpriv not found (util-linux)"
  command -v curl >/dev/null || die "curl not found (apt-get install curl)"

  rm -rf "$dir/etcd-data" "$dir/failed" "$dir/ready"
  mkdir -p "$dir/logs"
  gen_pki "$dir"
  local token=${MERIDIAN_ADMIN_TOKEN:-$ADMIN_TOKEN_DEFAULT}
  printf '%s,admin,admin-uid,"system:masters"\n' "$token" >"$dir/pki/tokens.csv"
  chmod 600 "$dir/pki/tokens.csv"

  local attempt
  for attempt in 1 2 3; do
    write_cluster_files "$dir" "$token" "${owner:-none}" "$attempt"
    if start_supervisor "$dir" "$owner" "$timeout"; then break; fi
    if [ "$attempt" -lt 3 ] && bind_conflict "$dir"; then
      log "a port was taken between choosing and binding it (attempt $attempt of 3): retrying with new ports"
      stop_supervisor "$dir"
      mkdir -p "$dir/logs/attempt-$attempt"
      mv "$dir"/logs/*.log "$dir/logs/attempt-$attempt/" 2>/dev/null || true
      rm -rf "$dir/etcd-data" "$dir/failed" "$dir/ready"
      continue
    fi
    report_start_failure "$dir" "$timeout"
    cmd_stop "$dir" >/dev/null 2>&1 || true
    exit 1
  done
  cmd_env "$dir"
}

# Choose the ports; write cluster.env, both kubeconfigs and cluster.json for them.
write_cluster_files() {
  local dir=$1 token=$2 owner=$3 attempt=$4
  USED_PORTS=""
  local etcd_port etcd_peer api_port
  if [ "$attempt" = 1 ] && [ -n "${MERIDIAN_CONTROL_PLANE_PORTS:-}" ]; then
    # "ETCD PEER APISERVER" for the first attempt only, unchecked: lets a test hand over a
    # port it holds, to prove the retry.
    read -r etcd_port etcd_peer api_port <<<"$MERIDIAN_CONTROL_PLANE_PORTS"
  else
    etcd_port=$(pick_port); USED_PORTS="$USED_PORTS $etcd_port"
    etcd_peer=$(pick_port); USED_PORTS="$USED_PORTS $etcd_peer"
    api_port=$(pick_port)
  fi
  local server="https://127.0.0.1:$api_port"
  cat >"$dir/cluster.env" <<EOF
ETCD_PORT=$etcd_port
ETCD_PEER_PORT=$etcd_peer
APISERVER_PORT=$api_port
APISERVER_URL=$server
ADMIN_TOKEN=$token
KUBECONFIG=$dir/kubeconfig
CA_FILE=$dir/pki/ca.crt
EOF
  write_kubeconfig "$dir/kubeconfig" "$server" "$dir/pki/ca.crt" admin token "$token"
  write_kubeconfig "$dir/kcm.kubeconfig" "$server" "$dir/pki/ca.crt" system:kube-controller-manager cert \
    "$dir/pki/kcm.crt" "$dir/pki/kcm.key"
  cat >"$dir/cluster.json" <<EOF
{"kubeconfig": "$dir/kubeconfig", "server": "$server", "token": "$token", "caFile": "$dir/pki/ca.crt", "etcd": "http://127.0.0.1:$etcd_port", "dir": "$dir"}
EOF
  log "starting in $dir (apiserver $server, etcd 127.0.0.1:$etcd_port, owner $owner)"
}

# Launch the supervisor; wait until it is ready (0) or has failed or timed out (1).
start_supervisor() {
  local dir=$1 owner=$2 timeout=$3 start=$SECONDS
  # Own session (setsid) so a terminal's Ctrl-C or the caller's process group signals do not
  # race our cleanup; the owner check and pdeathsig cover the caller dying.
  setsid "$SELF" __supervise "$dir" "$owner" </dev/null >>"$dir/logs/supervisor.log" 2>&1 &
  while true; do
    if [ -f "$dir/ready" ]; then log "ready in $((SECONDS - start))s: KUBECONFIG=$dir/kubeconfig"; return 0; fi
    if [ -f "$dir/failed" ] || [ $((SECONDS - start)) -ge "$timeout" ]; then return 1; fi
    sleep 0.2
  done
}

# Stop the supervisor (it stops its daemons) and keep the state, for a retry.
stop_supervisor() {
  local sup; sup=$(pidof_file "$1/supervisor.pid")
  if alive "$sup"; then
    kill -TERM "$sup" 2>/dev/null || true
    for _ in $(seq 1 150); do alive "$sup" || break; sleep 0.1; done
  fi
}

report_start_failure() {
  local dir=$1 timeout=$2 f
  log "start failed: $(cat "$dir/failed" 2>/dev/null || echo "not ready after ${timeout}s")"
  for f in supervisor etcd kube-apiserver kube-controller-manager; do
    [ -s "$dir/logs/$f.log" ] && { echo "----- tail $dir/logs/$f.log -----" >&2; tail -n 15 "$dir/logs/$f.log" >&2; }
  done
  return 0
}

remove_state() {
  rm -rf "$1/etcd-data" "$1/pki" "$1/kubeconfig" "$1/kcm.kubeconfig" "$1/cluster.env" \
         "$1/cluster.json" "$1/ready" "$1/failed"
}

cmd_stop() {
  [ $# -ge 1 ] || usage 2
  local dir; dir=$(abspath "$1")
  stop_supervisor "$dir"
  # Belt and braces: anything whose pid file survived.
  local f p
  for f in "$dir"/kube-controller-manager.pid "$dir"/kube-apiserver.pid "$dir"/etcd.pid "$dir"/supervisor.pid; do
    p=$(pidof_file "$f")
    if alive "$p"; then kill -KILL "$p" 2>/dev/null || true; fi
    rm -f "$f"
  done
  remove_state "$dir"
  log "stopped; removed state in $dir (logs kept in $dir/logs)"
}

cmd_env() {
  [ $# -ge 1 ] || usage 2
  local dir; dir=$(abspath "$1")
  [ -f "$dir/cluster.env" ] || die "no control plane in $dir"
  # shellcheck disable=SC1091
  source "$dir/cluster.env"
  echo "export KUBECONFIG=$KUBECONFIG"
  echo "export MERIDIAN_APISERVER_URL=$APISERVER_URL"
  echo "export MERIDIAN_APISERVER_TOKEN=$ADMIN_TOKEN"
  echo "export MERIDIAN_APISERVER_CA=$CA_FILE"
}

cmd_status() {
  [ $# -ge 1 ] || usage 2
  local dir; dir=$(abspath "$1")
  if alive "$(pidof_file "$dir/supervisor.pid")" && [ -f "$dir/ready" ]; then
    echo "running: $(grep APISERVER_URL "$dir/cluster.env")"
  else
    echo "not running"; exit 1
  fi
}

cmd_run() {
  [ $# -ge 1 ] || usage 2
  local dir; dir=$(abspath "$1")
  trap 'cmd_stop "$dir"; exit 0' INT TERM HUP
  cmd_start "$dir" --owner $$
  log "running in the foreground; Ctrl-C to stop"
  while alive "$(pidof_file "$dir/supervisor.pid")"; do sleep 1; done
  log "supervisor exited: $(cat "$dir/failed" 2>/dev/null || echo stopped)"
  cmd_stop "$dir" || true
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  env) shift; cmd_env "$@" ;;
  status) shift; cmd_status "$@" ;;
  run) shift; cmd_run "$@" ;;
  __supervise) shift; supervise "$@" ;;
  -h|--help|help) usage 0 ;;
  *) usage 2 ;;
esac
