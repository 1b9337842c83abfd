#!/usr/bin/env bash
# kubemoat images (issue 8): a real registry (Debian's docker-registry, started by the tests on
# 127.0.0.1), skopeo to push, umoci to build OCI layouts, and a minimal Debian root made once by
# debootstrap so that one test image carries a real dpkg database. Idempotent; quiet when done.
set -euo pipefail
log() { printf 'setup.d/30-images: %s\n' "$*" >&2; }

need=()
command -v zstd >/dev/null || need+=(zstd)
command -v docker-registry >/dev/null || [[ -x /usr/bin/docker-registry ]] || need+=(docker-registry)
command -v skopeo >/dev/null || need+=(skopeo)
command -v umoci >/dev/null || need+=(umoci)
command -v debootstrap >/dev/null || need+=(debootstrap)
if ((${#need[@]})); then
  log "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian's package may start a system registry where an init system exists; the tests run their own.

# A minimal Debian 12 root for the dpkg-based test image (slow the first time: minutes).
ROOT=${KUBEMOAT_DEBIAN_ROOT:-/var/cache/kubemoat-images/bookworm-minbase}
if [[ ! -f $ROOT/.complete ]]; then
  log "debootstrap bookworm (minbase) into $ROOT; this takes a few minutes the first time"
  rm -rf "$ROOT"
  mkdir -p "$(dirname "$ROOT")"
  mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  if [[ -z $mirror ]]; then
    mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  fi
  debootstrap --variant=minbase bookworm "$ROOT" ${mirror:+"$mirror"} >/dev/null
  touch "$ROOT/.complete"
fi
log "debian root: $ROOT"
