# shellcheck shell=bash
# Starting, checking and stopping the lab's processes for one profile.
# Every daemon runs in the profile's network namespace (nsenter --net keeps the
# host's mount namespace, so kubelet mounts are visible to containerd) and is
# detached from the caller (setsid, stdio to log files, lock fds closed).

COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kubectl-proxy)

# start_daemon NAME BINARY ARGS...
start_daemon() {
  local name=$1
  shift
  mkdir -p "$LOGS" "$PIDS"
  {
    printf '=== %s: starting %s at %s\n' "$PROFILE" "$name" "$(date -u +%FT%TZ)"
    printf '=== %q' "$@"
    printf '\n'
  } >>"$LOGS/$name.log"
  setsid nsenter --net="/run/netns/$NETNS" -- "$@" </dev/null >>"$LOGS/$name.log" 2>&1 8>&- 9>&- &
  echo $! >"$PIDS/$name.pid"
}

cmdline_of() { { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null || true; }

# proc_alive PID: the process exists and is not a zombie waiting to be reaped
proc_alive() {
  local st
  st=$({ awk '/^State:/{print $2}' "/proc/$1/status"; } 2>/dev/null) || return 1
  [[ -n $st && $st != Z ]]
}

pid_of() { # NAME -> pid if alive
  local f=$PIDS/$1.pid pid
  [[ -s $f ]] || return 1
  pid=$(<"$f")
  proc_alive "$pid" || return 1
  # a recycled pid is not ours
  cmdline_of "$pid" | grep -qF -- "$STATE" || return 1
  echo "$pid"
}

alive() { pid_of "$1" >/dev/null; }

stop_daemon() { # NAME [grace seconds]
  local name=$1 grace=${2:-10} pid i
  pid=$(pid_of "$name") || {
    rm -f "$PIDS/$name.pid"
    return 0
  }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    proc_alive "$pid" || break
    sleep 0.1
  done
  if proc_alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$PIDS/$name.pid"
}

log_tail() { # NAME [lines]
  local name=$1 n=${2:-40}
  if [[ -f $LOGS/$name.log ]]; then
    printf '[lab] ---- last %d lines of %s (%s) ----\n' "$n" "$LOGS/$name.log" "$name" >&2
    tail -n "$n" "$LOGS/$name.log" >&2
    printf '[lab] ---- end of %s ----\n' "$name" >&2
  else
    printf '[lab] (no log for %s at %s)\n' "$name" "$LOGS/$name.log" >&2
  fi
}

fail_component() { # NAME MESSAGE
  log "$PROFILE: $1: $2"
  log_tail "$1" 60
  die "$PROFILE lab did not come up: $1: $2"
}

# wait_for NAME TIMEOUT CMD...: poll CMD until it succeeds, the daemon dies or time runs out.
wait_for() {
  local name=$1 timeout=$2 i
  shift 2
  for ((i = 0; i < timeout * 2; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [[ $name != - ]] && ! alive "$name"; then
      fail_component "$name" "the process exited"
    fi
    sleep 0.5
  done
  [[ $name == - ]] && return 1
  fail_component "$name" "not ready after ${timeout}s"
}

# kubectl from inside the namespace (the API server address lives there)
kcn() { in_ns "$BIN_DIR/kubectl" --kubeconfig "$KCFG/admin.conf" --request-timeout=20s "$@"; }

ctr_() { ctr --address "$CTRD_SOCK" "$@"; }

etcd_curl() { # PATH
  if [[ $ETCD_SCHEME == http ]]; then
    in_ns curl -fsS -m 5 "$ETCD_URL$1"
  else
    in_ns curl -fsS -m 5 --cacert "$ETCD_CA" --cert "$PKI/apiserver-etcd-client.crt" \
      --key "$PKI/apiserver-etcd-client.key" "$ETCD_URL$1"
  fi
}

api_curl() { # PATH
  in_ns curl -fsS -m 5 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "$API_URL$1"
}

# ---------------------------------------------------------------- network

netns_up() {
  if [[ ! -e /run/netns/$NETNS ]]; then
    ip netns add "$NETNS"
  fi
  ip -n "$NETNS" link set lo up
  # The node's interface. A dummy device would do, but this kernel has none
  # (CONFIG_DUMMY unset), so it is a veth pair with BOTH ends inside the
  # namespace: the address is up, and there is no way out of the namespace.
  if ! ip -n "$NETNS" link show lab0 >/dev/null 2>&1; then
    ip -n "$NETNS" link add lab0 type veth peer name lab0-peer
  fi
  ip -n "$NETNS" addr replace "$NODE_IP/24" dev lab0
  ip -n "$NETNS" link set lab0-peer up
  ip -n "$NETNS" link set lab0 up
  # No default route: a connection to any other address fails at once
  # (network unreachable). Pods reach the node address through the bridge.
  in_ns sysctl -qw net.ipv4.ip_forward=1
}

# ---------------------------------------------------------------- cgroups

cgroup_dirs() { # the cgroup v1 hierarchies ("all": and the hybrid unified one runc also uses)
  local d
  for d in /sys/fs/cgroup/*/; do
    d=${d%/}
    [[ ${d##*/} == unified && ${1:-} != all ]] && continue
    [[ -f $d/cgroup.procs ]] && echo "$d"
  done
}

cgroups_up() {
  local d
  for d in $(cgroup_dirs); do
    mkdir -p "$d$CGROUP_ROOT"
    if [[ ${d##*/} == cpuset ]]; then
      [[ -s $d$CGROUP_ROOT/cpuset.cpus ]] || cat "$d/cpuset.cpus" >"$d$CGROUP_ROOT/cpuset.cpus"
      [[ -s $d$CGROUP_ROOT/cpuset.mems ]] || cat "$d/cpuset.mems" >"$d$CGROUP_ROOT/cpuset.mems"
    fi
  done
}

cgroups_procs() { # every process still in the profile's cgroups
  local d
  for d in $(cgroup_dirs all); do
    [[ -d $d$CGROUP_ROOT ]] && find "$d$CGROUP_ROOT" -name cgroup.procs -exec cat {} + 2>/dev/null
  done | sort -un
}

cgroups_down() {
  local d
  for d in $(cgroup_dirs all); do
    [[ -d $d$CGROUP_ROOT ]] && find "$d$CGROUP_ROOT" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  true
}

# Kubernetes nodes expect these; record the machine's values to restore at the end.
kernel_tunables() {
  local k
  if [[ ! -f $STATE_ROOT/sysctl.orig ]]; then
    mkdir -p "$STATE_ROOT"
    for k in vm.overcommit_memory kernel.panic kernel.panic_on_oops; do
      echo "$k=$(sysctl -n "$k")"
    done >"$STATE_ROOT/sysctl.orig"
  fi
  sysctl -qw vm.overcommit_memory=1 kernel.panic=10 kernel.panic_on_oops=1
}

restore_kernel_tunables() {
  [[ -f $STATE_ROOT/sysctl.orig ]] || return 0
  local line
  while read -r line; do sysctl -qw "$line" || true; done <"$STATE_ROOT/sysctl.orig"
  rm -f "$STATE_ROOT/sysctl.orig"
}

# ---------------------------------------------------------------- daemons

start_etcd() {
  local args=(
    /usr/bin/etcd --name "$NODE_NAME" --data-dir "$ETCD_DATA"
    --advertise-client-urls "$ETCD_URL"
    --listen-client-urls "$ETCD_SCHEME://$NODE_IP:$ETCD_PORT,$ETCD_SCHEME://127.0.0.1:$ETCD_PORT"
    --listen-peer-urls "https://$NODE_IP:$ETCD_PEER_PORT"
    --initial-advertise-peer-urls "https://$NODE_IP:$ETCD_PEER_PORT"
    --initial-cluster "$NODE_NAME=https://$NODE_IP:$ETCD_PEER_PORT"
    --initial-cluster-state new
    --listen-metrics-urls "http://127.0.0.1:2381"
    --peer-cert-file "$PKI/etcd/peer.crt" --peer-key-file "$PKI/etcd/peer.key"
    --peer-trusted-ca-file "$ETCD_CA"
    --snapshot-count 10000
  )
  if [[ $PROFILE == insecure ]]; then
    # Planted: plain HTTP, no client certificates, peer certs from the cluster CA.
    args+=(--client-cert-auth=false --peer-client-cert-auth=false)
  else
    args+=(
      --cert-file "$PKI/etcd/server.crt" --key-file "$PKI/etcd/server.key"
      --client-cert-auth=true --trusted-ca-file "$ETCD_CA"
      --peer-client-cert-auth=true --auto-tls=false --peer-auto-tls=false
      --cipher-suites TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    )
  fi
  start_daemon etcd "${args[@]}"
  wait_for etcd 60 etcd_curl /health
}

apiserver_args() {
  APISERVER_ARGS=(
    "$BIN_DIR/kube-apiserver"
    --advertise-address="$NODE_IP" --bind-address=0.0.0.0 --secure-port="$API_PORT"
    --etcd-servers="$ETCD_URL"
    --service-cluster-ip-range="$SERVICE_CIDR"
    --client-ca-file="$PKI/ca.crt"
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key"
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt"
    --kubelet-client-key="$PKI/apiserver-kubelet-client.key"
    --kubelet-preferred-address-types=InternalIP
    --service-account-issuer=https://kubernetes.default.svc.cluster.local
    --service-account-key-file="$PKI/sa.pub"
    --service-account-signing-key-file="$PKI/sa.key"
    --authorization-mode=Node,RBAC
    --allow-privileged=true
    --audit-policy-file="$CONF/audit-policy.yaml"
    --audit-log-path="$AUDIT_LOG"
    --audit-log-format=json
    --cert-dir="$STATE/cert-dir/apiserver"
    --event-ttl=1h
  )
  if [[ $PROFILE == insecure ]]; then
    # Planted: anonymous requests, profiling, no audit retention settings, no NodeRestriction,
    # no kubelet serving-certificate check, etcd over plain HTTP.
    APISERVER_ARGS+=(--anonymous-auth=true --profiling=true)
  else
    APISERVER_ARGS+=(
      --anonymous-auth=false --profiling=false
      --enable-admission-plugins=NodeRestriction
      --kubelet-certificate-authority="$PKI/ca.crt"
      --etcd-cafile="$ETCD_CA"
      --etcd-certfile="$PKI/apiserver-etcd-client.crt" --etcd-keyfile="$PKI/apiserver-etcd-client.key"
      --encryption-provider-config="$CONF/encryption.yaml"
      --audit-log-maxage=30 --audit-log-maxbackup=10 --audit-log-maxsize=100
      --service-account-lookup=true
      --request-timeout=60s
      --tls-min-version=VersionTLS12
      --tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
    )
  fi
  local hook
  hook=$(cat "$STATE/audit-webhook-url" 2>/dev/null || true)
  if [[ -n $hook ]]; then
    write_audit_webhook "$hook"
    APISERVER_ARGS+=(
      --audit-webhook-config-file="$CONF/audit-webhook.kubeconfig"
      --audit-webhook-mode=batch --audit-webhook-batch-max-wait=1s
    )
  fi
}

start_apiserver() {
  mkdir -p "$STATE/cert-dir/apiserver"
  apiserver_args
  start_daemon kube-apiserver "${APISERVER_ARGS[@]}"
  wait_for kube-apiserver 120 api_curl /readyz
}

start_controller_manager() {
  local args=(
    "$BIN_DIR/kube-controller-manager"
    --kubeconfig="$KCFG/controller-manager.conf"
    --authentication-kubeconfig="$KCFG/controller-manager.conf"
    --authorization-kubeconfig="$KCFG/controller-manager.conf"
    --bind-address=127.0.0.1 --secure-port=10257
    --cert-dir="$STATE/cert-dir/controller-manager"
    --leader-elect=false
    --service-account-private-key-file="$PKI/sa.key"
    --root-ca-file="$PKI/ca.crt"
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key"
    --use-service-account-credentials=true
    --controllers='*'
    --node-monitor-grace-period=20s
  )
  if [[ $PROFILE == insecure ]]; then
    args+=(--profiling=true)
  else
    args+=(--profiling=false --terminated-pod-gc-threshold=10)
  fi
  start_daemon kube-controller-manager "${args[@]}"
}

start_scheduler() {
  local args=(
    "$BIN_DIR/kube-scheduler"
    --kubeconfig="$KCFG/scheduler.conf"
    --authentication-kubeconfig="$KCFG/scheduler.conf"
    --authorization-kubeconfig="$KCFG/scheduler.conf"
    --bind-address=127.0.0.1 --secure-port=10259
    --cert-dir="$STATE/cert-dir/scheduler"
    --leader-elect=false
  )
  [[ $PROFILE == hardened ]] && args+=(--profiling=false)
  start_daemon kube-scheduler "${args[@]}"
}

cm_sched_healthy() {
  in_ns curl -fsSk -m 5 https://127.0.0.1:10257/healthz && in_ns curl -fsSk -m 5 https://127.0.0.1:10259/healthz
}

start_containerd() {
  start_daemon containerd /usr/bin/containerd --config "$CONF/containerd.toml"
  wait_for containerd 60 ctr_ version
  log "$PROFILE: importing images into containerd"
  # the OCI layouts are tagged "1" (pause) and "1.35", "latest" (busybox)
  ctr_ -n k8s.io images import --base-name "${PAUSE_IMAGE%:*}" "$IMAGES_DIR/pause.tar" >/dev/null ||
    fail_component containerd "importing the pause image failed"
  ctr_ -n k8s.io images import --base-name "${BUSYBOX_IMAGE%:*}" "$IMAGES_DIR/busybox.tar" >/dev/null ||
    fail_component containerd "importing the busybox image failed"
  # the CRI plugin must see the sandbox image before the kubelet asks for a pod
  wait_for containerd 30 sh -c "ctr --address '$CTRD_SOCK' -n k8s.io images ls -q | grep -qx '$PAUSE_IMAGE'"
}

start_kubelet() {
  start_daemon kubelet "$BIN_DIR/kubelet" \
    --config="$CONF/kubelet.yaml" \
    --kubeconfig="$KCFG/kubelet.conf" \
    --root-dir="$KUBELET_ROOT" \
    --cert-dir="$KUBELET_ROOT/pki" \
    --node-ip="$NODE_IP" \
    --hostname-override="$NODE_NAME" \
    --node-labels="kubemoat.io/lab-profile=$PROFILE"
  wait_for kubelet 90 in_ns curl -fsS -m 3 http://127.0.0.1:10248/healthz
}

start_proxy() {
  # Planted (insecure only): the whole API over plain HTTP with admin rights,
  # from any host: what the old insecure port and open consoles gave.
  start_daemon kubectl-proxy "$BIN_DIR/kubectl" --kubeconfig="$KCFG/admin.conf" \
    proxy --address="$NODE_IP" --port="$PROXY_PORT" --accept-hosts='.*'
  wait_for kubectl-proxy 30 in_ns curl -fsS -m 3 "http://$NODE_IP:$PROXY_PORT/version"
}

# ---------------------------------------------------------------- workloads

install_static_pods() {
  local f
  mkdir -p "$STATIC_DIR"
  # safe on a running node: only what differs is touched
  for f in "$STATIC_DIR"/*.yaml; do
    [[ -e $f && ! -e $MANIFESTS/static/${f##*/} ]] && rm -f "$f"
  done
  for f in "$MANIFESTS"/static/*.yaml; do
    [[ -e $f ]] || continue
    cmp -s "$f" "$STATIC_DIR/${f##*/}" || cp "$f" "$STATIC_DIR/"
  done
  : >"$STATE/static-pods"
  for f in "$STATIC_DIR"/*.yaml; do
    [[ -e $f ]] || continue
    # the mirror pod is named <pod>-<node> in the pod's namespace
    awk -v node="$NODE_NAME" '
      /^metadata:/ {m = 1; next}
      /^[^ #]/ {m = 0}
      m && $1 == "name:" && !n {n = $2}
      m && $1 == "namespace:" && !ns {ns = $2}
      END {print (ns ? ns : "default") "/" n "-" node}' "$f" >>"$STATE/static-pods"
  done
  if [[ $PROFILE == insecure ]]; then
    # Planted: anyone on the node can drop a pod here.
    chmod 0777 "$STATIC_DIR"
    chmod 0666 "$STATIC_DIR"/*.yaml 2>/dev/null || true
  else
    chmod 0700 "$STATIC_DIR"
    chmod 0600 "$STATIC_DIR"/*.yaml 2>/dev/null || true
  fi
}

apply_manifests() {
  local i out
  for ((i = 0; i < 60; i++)); do
    # namespaces first; pods wait for their namespace's default service account
    if out=$(kcn apply -f "$MANIFESTS" 2>&1); then
      return 0
    fi
    sleep 2
  done
  log "$PROFILE: kubectl apply -f $MANIFESTS kept failing:"
  printf '%s\n' "$out" >&2
  log_tail kube-apiserver 30
  die "$PROFILE lab did not come up: applying manifests failed"
}

node_ready() {
  [[ $(kcn get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]
}

# pods_state: prints "ok" when every pod the profile expects (the manifests' pods
# and deployments, the static pods' mirror pods) exists, runs and is ready, else
# what is missing or not running yet. Pods that tests add are not the lab's business.
pods_state() {
  local out bad want
  out=$(kcn get pods -A --no-headers \
    -o 'custom-columns=NS:.metadata.namespace,NAME:.metadata.name,PHASE:.status.phase,READY:.status.containerStatuses[*].ready' 2>&1) || {
    echo "kubectl failed: $out"
    return 0
  }
  for want in $(cat "$STATE/static-pods" 2>/dev/null); do
    bad=$(awk -v ns="${want%%/*}" -v n="${want#*/}" '$1 == ns && $2 == n {print $3, $4}' <<<"$out")
    [[ $bad == "Running true" ]] || {
      echo "mirror pod $want: ${bad:-missing}"
      return 0
    }
  done
  out=$(kcn get -f "$MANIFESTS" -o json 2>&1) || {
    echo "manifest objects missing: $(grep -m 2 -i 'not ?found' <<<"$out" | tr '\n' ' ')"
    return 0
  }
  bad=$(jq -r '.items[] |
    if .kind == "Pod" then
      select(.metadata.deletionTimestamp != null or .status.phase != "Running" or ([.status.containerStatuses[]?.ready] | all | not) or ((.status.containerStatuses // []) | length == 0))
      | "pod \(.metadata.namespace)/\(.metadata.name) \(.status.phase)"
    elif .kind == "Deployment" then
      select((.status.readyReplicas // 0) < .spec.replicas or (.status.updatedReplicas // 0) < .spec.replicas
        or (.status.replicas // 0) != .spec.replicas)
      | "deployment \(.metadata.namespace)/\(.metadata.name) \(.status.readyReplicas // 0)/\(.spec.replicas) ready"
    else empty end' <<<"$out")
  if [[ -n $bad ]]; then echo "$bad"; else echo ok; fi
}

pods_ready() { [[ $(pods_state) == ok ]]; }

wait_pods() {
  local i st
  for ((i = 0; i < 360; i++)); do
    st=$(pods_state)
    [[ $st == ok ]] && return 0
    alive kubelet || fail_component kubelet "the process exited"
    alive containerd || fail_component containerd "the process exited"
    sleep 0.5
  done
  log "$PROFILE: pods not running after 180s:"
  printf '%s\n' "$st" >&2
  kcn get events -A --sort-by=.lastTimestamp 2>/dev/null | tail -n 20 >&2 || true
  log_tail containerd 20
  fail_component kubelet "pods are not running after 180s"
}
