#!/usr/bin/env bash
# Install the peer tools that bench/scan.ts compares kubemoat with, outside the repository.
# Idempotent: a peer already installed at the pinned version is left alone.
#
#   bash bench/peers.sh            # install what is missing
#   bash bench/peers.sh --check    # only say what is installed
#
# Only package registries are used: the Go module proxy (go install) and PyPI (pip).
# Everything lands under $KUBEMOAT_BENCH_CACHE (default /var/cache/kubemoat-bench):
#   bin/kube-score        go install github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION
#   bin/polaris           go install github.com/fairwindsops/polaris@$POLARIS_VERSION (if the proxy serves it)
#   venv/bin/checkov      pip install checkov==$CHECKOV_VERSION in a venv
#   bin/trivy             go build of github.com/aquasecurity/trivy/cmd/trivy@$TRIVY_VERSION in a wrapper module
#                         (the proxy refuses trivy's version list, which `go install` needs, but serves the
#                         pinned module); its built-in checks scan manifests offline (`trivy config`)
#   bin/syft              the same for github.com/anchore/syft/cmd/syft@$SYFT_VERSION (bench/images.ts)
# A peer that cannot be installed is reported and skipped; the benchmark then says so in its table.
set -u -o pipefail

CACHE="${KUBEMOAT_BENCH_CACHE:-/var/cache/kubemoat-bench}"
KUBE_SCORE_VERSION="${KUBE_SCORE_VERSION:-v1.20.0}"
POLARIS_VERSION="${POLARIS_VERSION:-latest}"
CHECKOV_VERSION="${CHECKOV_VERSION:-3.3.30}"
TRIVY_VERSION="${TRIVY_VERSION:-v0.74.0}"
SYFT_VERSION="${SYFT_VERSION:-v1.57.2}"
CHECK_ONLY=0
[ "${1:-}" = "--check" ] && CHECK_ONLY=1

mkdir -p "$CACHE/bin" "$CACHE/logs"
status=0

say() { printf 'peers: %s\n' "$*"; }

stamp_ok() { [ -x "$CACHE/bin/$1" ] && [ "$(cat "$CACHE/bin/.$1.version" 2>/dev/null)" = "$2" ]; }

go_peer() { # name module version
  local name="$1" module="$2" version="$3"
  if stamp_ok "$name" "$module@$version"; then say "$name: installed ($module@$version)"; return 0; fi
  if [ "$CHECK_ONLY" = 1 ]; then say "$name: not installed"; return 1; fi
  if ! command -v go >/dev/null; then say "$name: no Go toolchain; skipped"; return 1; fi
  say "$name: go install $module@$version (a few minutes on 2 cores; log: $CACHE/logs/$name.log)"
  # GOFLAGS=-mod=mod: build with the module's own go.mod, never with a workspace around us.
  if (cd "$CACHE" && GOBIN="$CACHE/bin" GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 \
        go install -trimpath -ldflags='-s -w' "$module@$version") >"$CACHE/logs/$name.log" 2>&1; then
    echo "$module@$version" >"$CACHE/bin/.$name.version"
    say "$name: installed"
  else
    say "$name: could not be installed: $(grep -m1 -E '403|not available|error|cannot' "$CACHE/logs/$name.log" || tail -1 "$CACHE/logs/$name.log")"
    return 1
  fi
}

wrapped_go_peer() { # name module version package: build a module's command from a module that requires it
  local name="$1" module="$2" version="$3" package="$4" dir="$CACHE/build/$1"
  if stamp_ok "$name" "$module@$version"; then say "$name: installed ($module@$version)"; return 0; fi
  if [ "$CHECK_ONLY" = 1 ]; then say "$name: not installed"; return 1; fi
  if ! command -v go >/dev/null; then say "$name: no Go toolchain; skipped"; return 1; fi
  say "$name: go build $package from $module@$version (10+ minutes on 2 cores; log: $CACHE/logs/$name.log)"
  mkdir -p "$dir"
  if (cd "$dir" && export GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 && { [ -f go.mod ] || go mod init "kubemoat-bench/$name"; } &&
        go get "$module@$version" && GOEXPERIMENT="${GOEXPERIMENT:-}" nice -n 10 go build -trimpath -ldflags='-s -w' -o "$CACHE/bin/$name" "$package") >"$CACHE/logs/$name.log" 2>&1; then
    echo "$module@$version" >"$CACHE/bin/.$name.version"
    say "$name: installed"
  else
    say "$name: could not be installed: $(grep -m1 -E '403|not available|error|cannot' "$CACHE/logs/$name.log" || tail -1 "$CACHE/logs/$name.log")"
    return 1
  fi
}

checkov_peer() {
  local want="checkov==$CHECKOV_VERSION"
  if [ -x "$CACHE/venv/bin/checkov" ] && [ "$(cat "$CACHE/venv/.checkov.version" 2>/dev/null)" = "$want" ]; then
    say "checkov: installed ($want)"; return 0
  fi
  if [ "$CHECK_ONLY" = 1 ]; then say "checkov: not installed"; return 1; fi
  say "checkov: pip install $want into $CACHE/venv (log: $CACHE/logs/checkov.log)"
  {
    [ -x "$CACHE/venv/bin/python" ] || python3 -m venv "$CACHE/venv"
    "$CACHE/venv/bin/pip" install --quiet "$want"
  } >"$CACHE/logs/checkov.log" 2>&1
  if [ -x "$CACHE/venv/bin/checkov" ]; then
    echo "$want" >"$CACHE/venv/.checkov.version"
    ln -sf "$CACHE/venv/bin/checkov" "$CACHE/bin/checkov"
    say "checkov: installed"
  else
    say "checkov: could not be installed: $(tail -1 "$CACHE/logs/checkov.log")"
    return 1
  fi
}

# The Go builds and the pip install are independent: run them side by side, then wait.
go_peer kube-score github.com/zegl/kube-score/cmd/kube-score "$KUBE_SCORE_VERSION" & p1=$!
go_peer polaris github.com/fairwindsops/polaris "$POLARIS_VERSION" & p2=$!
checkov_peer & p3=$!
# trivy v0.74 uses encoding/json/v2, an experiment in Go 1.26
GOEXPERIMENT=jsonv2 wrapped_go_peer trivy github.com/aquasecurity/trivy "$TRIVY_VERSION" github.com/aquasecurity/trivy/cmd/trivy & p4=$!
wait $p4 || status=1   # one Go build at a time: two would share the 2 cores and the module cache
wrapped_go_peer syft github.com/anchore/syft "$SYFT_VERSION" github.com/anchore/syft/cmd/syft || status=1
wait $p1 || status=1
wait $p2 || status=1
wait $p3 || status=1

say "done; binaries in $CACHE/bin (exit $status: non-zero means at least one peer is missing)"
exit $status
