#!/usr/bin/env bash
# Prepare this machine for the kubemoat lab (idempotent; safe in CI, no terminal):
#   1. install the Debian packages the lab runs (only the missing ones);
#   2. build the Kubernetes binaries into the cache (first time: several minutes);
#   3. build the local images (pause, busybox).
# Usage: bash lab/setup.sh   (as root, from anywhere)
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/common.sh
source "$LAB_DIR/lib/common.sh"
# shellcheck source=lib/build.sh
source "$LAB_DIR/lib/build.sh"

[[ $(id -u) == 0 ]] || die "lab/setup.sh needs root (apt-get, the lab itself)"
export DEBIAN_FRONTEND=noninteractive

# package -> a file it installs
declare -A PKGS=(
  [containerd]=/usr/bin/containerd
  [runc]=/usr/sbin/runc
  [busybox-static]=/bin/busybox
  [umoci]=/usr/bin/umoci
  [etcd-server]=/usr/bin/etcd
  [containernetworking-plugins]=/usr/lib/cni/bridge
  [iproute2]=/sbin/ip
  [util-linux]=/usr/bin/nsenter
  [openssl]=/usr/bin/openssl
  [curl]=/usr/bin/curl
  [jq]=/usr/bin/jq
  [ca-certificates]=/etc/ssl/certs/ca-certificates.crt
)
missing=()
for p in "${!PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || [[ ! -e ${PKGS[$p]} ]]; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  log "installing: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "installed ${#missing[@]} package(s)"
else
  log "Debian packages: all present"
fi

# Debian's containerd package may start a system containerd where an init
# system exists; the lab runs its own per profile and needs none of it.

command -v go >/dev/null || die "Go is required to build kube-apiserver/kubelet (no Debian package exists); install Go >= $(awk '/^go /{print $2}' "$LAB_DIR/k8s-build/go.mod")"

if have_binaries; then
  log "kubernetes $K8S_VERSION: cached in $BIN_DIR"
else
  build_k8s
fi
"$BIN_DIR/kube-apiserver" --version >&2

build_images
log "images: $IMAGES_DIR"

# what other tests need (a registry, rsyslog, ...): one script per need, each idempotent
for extra in "$LAB_DIR"/setup.d/*.sh; do
  [[ -e $extra ]] || continue
  log "setup: $(basename "$extra")"
  bash "$extra"
done
log "setup done"
