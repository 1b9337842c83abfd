# shellcheck shell=bash
# Shared settings and helpers for lab/lab and lab/setup.sh.
# Every address below lives inside a network namespace that the lab creates
# itself; nothing here ever talks to an address outside it (or outside 127/8).

LAB_DIR=${LAB_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
K8S_VERSION=v1.37.2 # pinned; keep in step with lab/k8s-build/go.mod
CACHE_ROOT=${KUBEMOAT_LAB_CACHE:-/var/cache/kubemoat-lab}
K8S_CACHE=$CACHE_ROOT/k8s-$K8S_VERSION
BIN_DIR=$K8S_CACHE/bin
STATE_ROOT=${KUBEMOAT_LAB_STATE:-/var/lib/kubemoat-lab}
RUN_ROOT=${KUBEMOAT_LAB_RUN:-/run/kubemoat-lab}
LOCK_DIR=${KUBEMOAT_LAB_LOCKS:-/run/lock}
K8S_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet)
PROFILES=(insecure hardened)

PAUSE_IMAGE=kubemoat.local/lab/pause:1
BUSYBOX_IMAGE=kubemoat.local/lab/busybox:1.35
BUSYBOX_IMAGE_LATEST=kubemoat.local/lab/busybox:latest

log() { printf '[lab] %s\n' "$*" >&2; }
die() {
  printf '[lab] ERROR: %s\n' "$*" >&2
  exit 1
}

# profile_vars PROFILE: set every per-profile variable.
profile_vars() {
  PROFILE=$1
  case $PROFILE in
    insecure) NET_IDX=1 ;;
    hardened) NET_IDX=2 ;;
    *) die "unknown profile '$PROFILE' (insecure|hardened)" ;;
  esac
  NETNS=kubemoat-lab-$PROFILE
  NODE_NAME=kubemoat-$PROFILE
  NODE_IP=10.77.$NET_IDX.10
  NODE_CIDR=10.77.$NET_IDX.0/24
  POD_CIDR=10.78.$NET_IDX.0/24
  POD_GW=10.78.$NET_IDX.1
  SERVICE_CIDR=10.79.$NET_IDX.0/24
  SERVICE_IP=10.79.$NET_IDX.1
  API_PORT=6443
  KUBELET_PORT=10250
  KUBELET_RO_PORT=10255
  ETCD_PORT=2379
  ETCD_PEER_PORT=2380
  PROXY_PORT=8080
  # where the API server sends its audit events unless told otherwise: `kubemoat detect --listen`
  # started in the namespace with the lab's audit-sink certificate receives them there
  AUDIT_SINK_PORT=9443
  DEFAULT_AUDIT_WEBHOOK=https://$NODE_IP:$AUDIT_SINK_PORT/audit
  STATE=$STATE_ROOT/$PROFILE
  RUN=$RUN_ROOT/$PROFILE
  PKI=$STATE/pki
  KCFG=$STATE/kubeconfig
  CONF=$STATE/config
  LOGS=$STATE/logs
  PIDS=$RUN/pids
  AUDIT_DIR=$STATE/audit
  AUDIT_LOG=$AUDIT_DIR/audit.log
  STATIC_DIR=$STATE/manifests
  ETCD_DATA=$STATE/etcd
  KUBELET_ROOT=$STATE/kubelet
  CTRD_ROOT=$STATE/containerd
  CTRD_STATE=$RUN/containerd
  CTRD_SOCK=$RUN/containerd.sock
  CNI_CONF_DIR=$CONF/cni
  CNI_DATA=$STATE/cni
  CGROUP_ROOT=/kubemoat-$PROFILE
  MANIFESTS=$LAB_DIR/manifests/$PROFILE
  if [[ $PROFILE == insecure ]]; then
    ETCD_SCHEME=http
    ETCD_CA=$PKI/ca.crt # one CA for everything: a planted weakness
  else
    ETCD_SCHEME=https
    ETCD_CA=$PKI/etcd/ca.crt
  fi
  API_URL=https://$NODE_IP:$API_PORT
  ETCD_URL=$ETCD_SCHEME://$NODE_IP:$ETCD_PORT
  KUBELET_URL=https://$NODE_IP:$KUBELET_PORT
}

# in_ns CMD...: run a command in the profile's network namespace only (the
# mount namespace stays the host's, so kubelet and containerd see the same
# mounts).
in_ns() { nsenter --net="/run/netns/$NETNS" -- "$@"; }

elapsed() { # elapsed START -> "3m07s"
  local s=$(($(date +%s) - $1))
  printf '%dm%02ds' $((s / 60)) $((s % 60))
}

have_binaries() {
  local b
  for b in "${K8S_BINARIES[@]}"; do [[ -x $BIN_DIR/$b ]] || return 1; done
}
