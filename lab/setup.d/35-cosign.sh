#!/usr/bin/env bash
# kubemoat images, KM-IM-007 (issue 8): cosign, to sign test images the way users do. Built from
# the Go module proxy (there is no Debian package for bookworm); several minutes on 2 cores the first
# time, nothing afterwards. Installed as /usr/local/bin/cosign with a stamp of the version built.
# Idempotent; quiet when done.
set -euo pipefail
log() { printf 'setup.d/35-cosign: %s\n' "$*" >&2; }

VERSION=v2.6.5
MODULE=github.com/sigstore/cosign/v2/cmd/cosign
STAMP=/usr/local/lib/kubemoat/cosign.version

if [[ -x /usr/local/bin/cosign && "$(cat "$STAMP" 2>/dev/null)" == "$MODULE@$VERSION" ]]; then
  exit 0
fi
if ! command -v go >/dev/null; then
  log "no Go toolchain: cosign not installed (the cosign e2e test will fail)"
  exit 1
fi
log "go install $MODULE@$VERSION (several minutes the first time)"
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
# GOFLAGS=-mod=mod: the module's own go.mod; GOWORK=off: no workspace around us.
(cd "$build" && GOBIN="$build" GOWORK=off GOFLAGS=-mod=mod nice -n 10 go install "$MODULE@$VERSION")
install -m 0755 "$build/cosign" /usr/local/bin/cosign
mkdir -p "$(dirname "$STAMP")"
echo "$MODULE@$VERSION" >"$STAMP"
log "installed /usr/local/bin/cosign ($VERSION)"
