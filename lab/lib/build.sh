# shellcheck shell=bash
# Building what the lab runs: the Kubernetes binaries (from the k8s.io/kubernetes
# Go module, cached outside the repo) and the local images (no registry here).

# build_k8s: build the binaries into $BIN_DIR unless they are there already.
build_k8s() {
  if have_binaries; then
    return 0
  fi
  command -v go >/dev/null || die "go is not installed: the lab builds kube-apiserver and kubelet from source"
  mkdir -p "$CACHE_ROOT" "$LOCK_DIR"
  exec 8>"$LOCK_DIR/kubemoat-lab-build.lock"
  flock 8
  if have_binaries; then # built by another process while we waited
    exec 8>&-
    return 0
  fi
  local start minor ldflags tmp
  start=$(date +%s)
  log "building kubernetes $K8S_VERSION (first time, takes several minutes) into $BIN_DIR"
  minor=${K8S_VERSION#v1.}
  minor=${minor%%.*}
  ldflags="-s -w"
  local pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  tmp=$K8S_CACHE/bin.tmp
  rm -rf "$tmp"
  mkdir -p "$tmp"
  local pkgs=() b
  for b in "${K8S_BINARIES[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
  if ! (cd "$LAB_DIR/k8s-build" && CGO_ENABLED=0 go build -buildvcs=false -trimpath -ldflags="$ldflags" -o "$tmp/" "${pkgs[@]}"); then
    exec 8>&-
    die "building kubernetes $K8S_VERSION failed (see the go output above)"
  fi
  rm -rf "$BIN_DIR"
  mv "$tmp" "$BIN_DIR"
  echo "$K8S_VERSION built $(date -u +%FT%TZ) in $(elapsed "$start")" >"$K8S_CACHE/BUILD_INFO"
  log "built kubernetes $K8S_VERSION in $(elapsed "$start")"
  exec 8>&-
}

images_key() {
  {
    cat "$LAB_DIR/images/pause/pause.go"
    declare -f build_images_now
    dpkg-query -W busybox-static umoci 2>/dev/null
  } | sha256sum | cut -c1-16
}

# build_images: make the pause and busybox image tarballs (OCI layouts) once.
# Sets IMAGES_DIR.
build_images() {
  IMAGES_DIR=$CACHE_ROOT/images-$(images_key)
  if [[ -s $IMAGES_DIR/pause.tar && -s $IMAGES_DIR/busybox.tar ]]; then
    return 0
  fi
  mkdir -p "$CACHE_ROOT" "$LOCK_DIR"
  exec 8>"$LOCK_DIR/kubemoat-lab-build.lock"
  flock 8
  if [[ ! -s $IMAGES_DIR/pause.tar || ! -s $IMAGES_DIR/busybox.tar ]]; then
    build_images_now "$IMAGES_DIR"
    # older image builds are of no use any more
    find "$CACHE_ROOT" -mindepth 1 -maxdepth 1 -type d -name 'images-*' ! -path "$IMAGES_DIR" -exec rm -rf {} +
  fi
  exec 8>&-
}

build_images_now() {
  local out=$1 work
  command -v umoci >/dev/null || die "umoci is missing: run 'bash lab/setup.sh'"
  [[ -x /bin/busybox ]] || die "busybox-static is missing: run 'bash lab/setup.sh'"
  log "building the lab images (pause, busybox) into $out"
  work=$(mktemp -d /tmp/kubemoat-lab-images.XXXXXX)
  mkdir -p "$out"
  (
    set -e
    cd "$work"
    CGO_ENABLED=0 GO111MODULE=off go build -trimpath -ldflags="-s -w" -o pause-bin "$LAB_DIR/images/pause/pause.go"

    # pause: a single static binary.
    umoci init --layout pause-oci
    umoci new --image pause-oci:1
    umoci unpack --image pause-oci:1 pause-bundle >/dev/null
    install -m 0755 pause-bin pause-bundle/rootfs/pause
    umoci repack --image pause-oci:1 pause-bundle
    umoci config --image pause-oci:1 --config.entrypoint /pause --config.user 65535:65535 \
      --config.label org.opencontainers.image.title=kubemoat-lab-pause
    umoci gc --layout pause-oci
    tar -C pause-oci -cf "$out/pause.tar.tmp" .

    # busybox: busybox-static with every applet linked, a passwd with nobody.
    umoci init --layout bb-oci
    umoci new --image bb-oci:1.35
    umoci unpack --image bb-oci:1.35 bb-bundle >/dev/null
    r=bb-bundle/rootfs
    mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/root" "$r/home" "$r/var" "$r/data"
    chmod 1777 "$r/tmp"
    install -m 0755 /bin/busybox "$r/bin/busybox"
    for a in $(/bin/busybox --list); do
      [[ $a == busybox || -e $r/bin/$a ]] || ln -s busybox "$r/bin/$a"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$r/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\n' >"$r/etc/group"
    umoci repack --image bb-oci:1.35 bb-bundle
    umoci config --image bb-oci:1.35 --config.cmd /bin/sh \
      --config.env PATH=/bin:/sbin:/usr/bin:/usr/sbin \
      --config.label org.opencontainers.image.title=kubemoat-lab-busybox
    umoci tag --image bb-oci:1.35 latest
    umoci gc --layout bb-oci
    tar -C bb-oci -cf "$out/busybox.tar.tmp" .
  ) || {
    rm -rf "$work"
    die "building the lab images failed"
  }
  mv "$out/pause.tar.tmp" "$out/pause.tar"
  mv "$out/busybox.tar.tmp" "$out/busybox.tar"
  rm -rf "$work"
}
