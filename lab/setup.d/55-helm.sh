#!/usr/bin/env bash
# kubemoat's Helm chart (issue 17): Helm v4, built from the Go module proxy (no Debian package has
# v4) with the small module in lab/helm-build, into a cache outside the repo keyed on the version
# that module pins. test/unit/chart.test.ts renders and lints the chart with it. Idempotent; quiet
# when the binary is there.
set -euo pipefail
log() { printf 'setup.d/55-helm: %s\n' "$*" >&2; }

MODULE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../helm-build" && pwd)
VERSION=$(awk '$1 == "require" && $2 == "helm.sh/helm/v4" { print $3 }' "$MODULE_DIR/go.mod")
[[ -n $VERSION ]] || { log "no helm.sh/helm/v4 version in $MODULE_DIR/go.mod"; exit 1; }
CACHE=${KUBEMOAT_HELM_CACHE:-/var/cache/kubemoat-helm}
BIN=$CACHE/$VERSION/helm

# `helm` on PATH too: the manifest scan of a chart directory (and its tests) finds helm there
link_on_path() { ln -sfn "$BIN" /usr/local/bin/helm; }

if [[ -x $BIN ]]; then
  link_on_path
  exit 0
fi
command -v go >/dev/null || { log "go is not installed: Helm $VERSION is built from the Go module proxy"; exit 1; }
mkdir -p "$CACHE"
exec 9>"$CACHE/.build.lock"
flock 9
[[ -x $BIN ]] && { link_on_path; exit 0; } # built by another process while we waited

start=$(date +%s)
log "building helm $VERSION into $BIN (first time: takes a few minutes on two cores)"
tmp=$CACHE/$VERSION.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
(cd "$MODULE_DIR" && CGO_ENABLED=0 go build -buildvcs=false -trimpath -ldflags="$ldflags" -o "$tmp/helm" helm.sh/helm/v4/cmd/helm) || {
  rm -rf "$tmp"
  log "building helm $VERSION failed (see the go output above)"
  exit 1
}
"$tmp/helm" version --short >/dev/null
rm -rf "$CACHE/$VERSION"
mv "$tmp" "$CACHE/$VERSION"
log "built helm $VERSION in $(($(date +%s) - start)) s: $("$BIN" version --short)"
link_on_path
