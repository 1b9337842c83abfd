#!/usr/bin/env bash
# Install kube-hunter (the peer bench/probe.ts compares `kubemoat probe` with) from PyPI into a venv
# outside the repository. Idempotent.
#
#   bash bench/probe-peers.sh
set -u -o pipefail
CACHE="${KUBEMOAT_BENCH_CACHE:-/var/cache/kubemoat-bench}"
VERSION="${KUBE_HUNTER_VERSION:-0.6.8}"
DIR="$CACHE/kube-hunter"
if [ -x "$DIR/venv/bin/kube-hunter" ] && [ "$(cat "$DIR/.version" 2>/dev/null)" = "$VERSION" ]; then
  echo "probe-peers: kube-hunter $VERSION installed"
  exit 0
fi
mkdir -p "$DIR"
echo "probe-peers: pip install kube-hunter==$VERSION into $DIR/venv"
python3 -m venv "$DIR/venv" && "$DIR/venv/bin/pip" install -q "kube-hunter==$VERSION" && echo "$VERSION" >"$DIR/.version"
