#!/usr/bin/env bash
# kubemoat scan of a Helm chart directory (issue 20): helm, to render charts the way users do
# (`helm template`). Built from the Go module proxy (no Debian package); several minutes on 2 cores
# the first time, nothing afterwards. Installed as /usr/local/bin/helm with a stamp of the version
# built. Idempotent; quiet when done.
set -euo pipefail
log() { printf 'setup.d/50-helm: %s\n' "$*" >&2; }

VERSION=v4.3.2
MODULE=helm.sh/helm/v4/cmd/helm
STAMP=/usr/local/lib/kubemoat/helm.version

if [[ -x /usr/local/bin/helm && "$(cat "$STAMP" 2>/dev/null)" == "$MODULE@$VERSION" ]]; then
  exit 0
fi
if ! command -v go >/dev/null; then
  log "no Go toolchain: helm not installed (the Helm chart scan test will fail)"
  exit 1
fi
log "go install $MODULE@$VERSION (several minutes the first time)"
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
# GOFLAGS=-mod=mod: the module's own go.mod; GOWORK=off: no workspace around us.
(cd "$build" && GOBIN="$build" GOWORK=off GOFLAGS=-mod=mod nice -n 10 go install "$MODULE@$VERSION")
install -m 0755 "$build/helm" /usr/local/bin/helm
mkdir -p "$(dirname "$STAMP")"
echo "$MODULE@$VERSION" >"$STAMP"
log "installed /usr/local/bin/helm ($VERSION)"
