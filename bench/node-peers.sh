#!/usr/bin/env bash
# Install kube-bench, the peer that bench/node.ts compares `kubemoat node` with, outside the repository.
# Idempotent: an install at the pinned version is left alone.
#
#   bash bench/node-peers.sh            # install what is missing
#   bash bench/node-peers.sh --check    # only say what is installed
#
# Only the Go module proxy is used (go install). v0.12.0 is the newest release whose checksum the
# checksum database served here (v0.13.0 and v0.14.0: 404 at sum.golang.org lookup, Nov 2026). Everything lands under $KUBEMOAT_BENCH_CACHE
# (default /var/cache/kubemoat-bench):
#   bin/kube-bench                 github.com/aquasecurity/kube-bench@$KUBE_BENCH_VERSION, built with go build
#   kube-bench-cfg/                the cfg/ directory (benchmark YAML) of the same module version,
#                                  copied from the Go module cache (kube-bench reads its checks from it)
set -u -o pipefail

CACHE="${KUBEMOAT_BENCH_CACHE:-/var/cache/kubemoat-bench}"
KUBE_BENCH_VERSION="${KUBE_BENCH_VERSION:-v0.12.0}"
MODULE=github.com/aquasecurity/kube-bench
CHECK_ONLY=0
[ "${1:-}" = "--check" ] && CHECK_ONLY=1
say() { printf 'node-peers: %s\n' "$*"; }

mkdir -p "$CACHE/bin" "$CACHE/logs"
want="$MODULE@$KUBE_BENCH_VERSION"
if [ -x "$CACHE/bin/kube-bench" ] && [ -d "$CACHE/kube-bench-cfg" ] && [ "$(cat "$CACHE/bin/.kube-bench.version" 2>/dev/null)" = "$want" ]; then
  say "kube-bench: installed ($want)"; exit 0
fi
if [ "$CHECK_ONLY" = 1 ]; then say "kube-bench: not installed"; exit 1; fi
if ! command -v go >/dev/null; then say "kube-bench: no Go toolchain; skipped"; exit 1; fi
say "kube-bench: building $want from the Go module proxy (a few minutes on 2 cores; log: $CACHE/logs/kube-bench.log)"
# `go install MODULE@VERSION` asks the proxy for the module's version list (to look for a deprecation
# notice), which the proxy here refuses (403); downloading the pinned version and building it in
# place uses the same module proxy and checksum database, without the list.
if ! { dir="$(cd "$CACHE" && GOWORK=off GOFLAGS=-mod=mod go mod download -json "$want" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" && [ -n "$dir" ] &&
       (cd "$dir" && GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$CACHE/bin/kube-bench" .); } >"$CACHE/logs/kube-bench.log" 2>&1; then
  say "kube-bench: could not be installed: $(grep -m1 -E '403|not available|error|cannot' "$CACHE/logs/kube-bench.log" || tail -1 "$CACHE/logs/kube-bench.log")"
  exit 1
fi
src="$(go env GOMODCACHE)/$MODULE@$KUBE_BENCH_VERSION/cfg"
if [ ! -d "$src" ]; then say "kube-bench: installed, but its cfg/ is not in the module cache at $src"; exit 1; fi
rm -rf "$CACHE/kube-bench-cfg" && cp -r "$src" "$CACHE/kube-bench-cfg" && chmod -R u+w "$CACHE/kube-bench-cfg"
echo "$want" >"$CACHE/bin/.kube-bench.version"
say "kube-bench: installed ($CACHE/bin/kube-bench, checks in $CACHE/kube-bench-cfg)"
