#!/usr/bin/env bash
# Builds kubemoat's OCI images on this machine with no registry and no container engine, the way the
# lab builds its own (umoci, see lab/lib/build.sh). The Containerfile at the repository root
# describes the same images for podman/buildah.
#
#   kubemoat:VERSION       this machine's Node.js 20 and only the shared libraries ldd names for it,
#                          CA certificates, /etc/passwd with uid 65532, /app/dist/src and the
#                          production node_modules; runs `node /app/dist/src/cli/main.js` as 65532
#   kubemoat:VERSION-node  the same plus Debian's bpftrace and its libraries, for `detect --node`
#
# Each is written as an OCI layout tar for
#   ctr -n k8s.io images import --index-name docker.io/kubemoat/kubemoat:VERSION kubemoat-VERSION.tar
# Everything is cached by content (the production modules on the lockfile and Node's version, the
# images on every input), so a re-run with nothing changed takes seconds.
#
# Usage: image/build.sh [--out DIR]   (after `npm run build`; `npm run image` does both)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$REPO/dist/image
CACHE=${KUBEMOAT_IMAGE_CACHE:-/var/cache/kubemoat-image}
NODE_BIN=${KUBEMOAT_NODE:-/usr/bin/node}
BPFTRACE_BIN=${KUBEMOAT_BPFTRACE:-/usr/bin/bpftrace}
UID_GID=65532
EPOCH=1970-01-01T00:00:00Z

log() { printf 'image: %s\n' "$*" >&2; }
die() {
  printf 'image: ERROR: %s\n' "$*" >&2
  exit 1
}

while (($#)); do
  case $1 in
    --out) OUT=$2; shift 2 ;;
    -h | --help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

command -v umoci >/dev/null || die "umoci is missing: apt-get install umoci (or run 'npm run setup')"
[[ -x $NODE_BIN ]] || die "no Node.js at $NODE_BIN (KUBEMOAT_NODE names another)"
node_major=$("$NODE_BIN" -p 'process.versions.node.split(".")[0]')
[[ $node_major == 20 ]] || die "$NODE_BIN is Node.js $node_major; the image ships Node.js 20"
[[ -f $REPO/dist/src/cli/main.js ]] || die "no dist/src/cli/main.js: run 'npm run build' first (or 'npm run image')"
VERSION=$("$NODE_BIN" -p "require('$REPO/package.json').version")
REPOSITORY=docker.io/kubemoat/kubemoat
mkdir -p "$CACHE" "$OUT"
exec 9>"$CACHE/.build.lock"
flock 9

sha() { sha256sum | cut -c1-16; }
# the files a binary loads: every resolved path ldd prints, the dynamic loader included
libs_of() { ldd "$@" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' | sort -u; }
# copy files into a root at the same paths, following symlinks (the soname path is what the loader opens)
copy_into() {
  local root=$1 f
  shift
  for f in "$@"; do
    mkdir -p "$root$(dirname "$f")"
    cp -L --preserve=mode "$f" "$root$f"
  done
}
# fixed times and owners, so the same files make the same layer digest
normalise() { chown -R 0:0 "$1" && find "$1" -exec touch -h -d "$EPOCH" {} +; }

# ---- production node_modules, keyed on the lockfile and Node's version ----------------------------
prune_modules() {
  local nm=$1
  find "$nm" -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' -o -name '*.md' -o -name '*.markdown' -o -name '.eslintrc*' -o -name '.npmignore' -o -name 'tsconfig*.json' \) -delete
  # native modules: keep the built .node, not the sources and objects it was built from
  local gyp pkg
  while IFS= read -r gyp; do
    pkg=$(dirname "$gyp")
    rm -rf "$pkg/deps" "$pkg/src" "$pkg/build/Release/obj" "$pkg/build/Release/obj.target" "$pkg/build/Release/.deps" "$pkg/build/deps"
    find "$pkg/build" -name '*.a' -delete 2>/dev/null || true
    find "$pkg/build" -name 'test_*.node' -delete 2>/dev/null || true
  done < <(find "$nm" -name binding.gyp)
}
modules_key=$({ cat "$REPO/package-lock.json"; "$NODE_BIN" --version; uname -m; declare -f prune_modules; } | sha)
MODULES=$CACHE/modules-$modules_key/node_modules
if [[ ! -d $MODULES ]]; then
  log "production dependencies (npm ci --omit=dev) into $MODULES"
  stage=$(mktemp -d "$CACHE/modules.XXXXXX")
  cp "$REPO/package.json" "$REPO/package-lock.json" "$stage/"
  (cd "$stage" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error >&2) || die "npm ci --omit=dev failed"
  # native modules are built explicitly (npm's install-script approval would otherwise skip them)
  natives=()
  while IFS= read -r gyp; do natives+=("$(basename "$(dirname "$gyp")")"); done < <(find "$stage/node_modules" -maxdepth 3 -name binding.gyp)
  if ((${#natives[@]})); then
    log "building native modules: ${natives[*]}"
    # no prebuilt binaries can be downloaded here: straight to node-gyp with this Node's headers
    (cd "$stage" && npm_config_build_from_source=true npm rebuild --foreground-scripts --loglevel=error "${natives[@]}" >&2) || die "building ${natives[*]} failed"
  fi
  prune_modules "$stage/node_modules"
  normalise "$stage/node_modules"
  mkdir -p "$(dirname "$MODULES")"
  mv "$stage/node_modules" "$MODULES"
  rm -rf "$stage"
fi
mapfile -t NATIVE < <(find "$MODULES" -name '*.node' -type f | sort)

# ---- everything else the images are made of ------------------------------------------------------
mapfile -t NODE_LIBS < <(libs_of "$NODE_BIN" "${NATIVE[@]}")
mapfile -t BPF_LIBS < <([[ -x $BPFTRACE_BIN ]] && libs_of "$BPFTRACE_BIN" /bin/false)
dist_key=$(cd "$REPO" && find dist/src -type f -name '*.js' -print0 | sort -z | xargs -0 sha256sum | sha)
image_key=$({
  cat "${BASH_SOURCE[0]}"
  echo "$modules_key $dist_key"
  sha256sum "$NODE_BIN" "${NODE_LIBS[@]}" /etc/ssl/certs/ca-certificates.crt "$REPO/package.json"
  if ((${#BPF_LIBS[@]})); then sha256sum "$BPFTRACE_BIN" /bin/false "${BPF_LIBS[@]}"; fi
  umoci --version
} | sha)
BUILT=$CACHE/images-$image_key
BASE_TAR=kubemoat-$VERSION.tar
NODE_TAR=kubemoat-$VERSION-node.tar

build_images() {
  local work layout root
  work=$(mktemp -d "$CACHE/build.XXXXXX")
  layout=$work/oci
  trap 'rm -rf "$work"' RETURN

  # layer 1: the runtime (Node, its libraries, certificates, users)
  root=$work/runtime
  mkdir -p "$root/usr/bin" "$root/etc/ssl/certs" "$root/tmp" "$root/home/kubemoat" "$root/app"
  chmod 0755 "$root"
  chmod 1777 "$root/tmp"
  if command -v strip >/dev/null; then strip -o "$root/usr/bin/node" "$NODE_BIN"; else cp "$NODE_BIN" "$root/usr/bin/node"; fi
  chmod 0755 "$root/usr/bin/node"
  copy_into "$root" "${NODE_LIBS[@]}"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nkubemoat:x:%s:%s:kubemoat:/home/kubemoat:/sbin/nologin\n' $UID_GID $UID_GID >"$root/etc/passwd"
  printf 'root:x:0:\nkubemoat:x:%s:\n' $UID_GID >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  chown $UID_GID:$UID_GID "$root/home/kubemoat"
  find "$root" -exec touch -h -d "$EPOCH" {} +

  # layer 2: production node_modules; layer 3: kubemoat itself (no source maps, no tests)
  local app=$work/app
  mkdir -p "$app/app/dist"
  (cd "$REPO" && find dist/src -type f -name '*.js' -exec cp --parents -t "$app/app/" {} +)
  cp "$REPO/package.json" "$app/app/"
  chmod -R a+rX "$app"
  normalise "$app"

  umoci init --layout "$layout"
  umoci new --image "$layout:$VERSION"
  umoci insert --image "$layout:$VERSION" --history.created "$EPOCH" --history.created_by 'Node.js, libraries, certificates, users' "$root" / >/dev/null
  umoci insert --image "$layout:$VERSION" --history.created "$EPOCH" --history.created_by 'npm ci --omit=dev' "$MODULES" /app/node_modules >/dev/null
  umoci insert --image "$layout:$VERSION" --history.created "$EPOCH" --history.created_by 'kubemoat dist/src' "$app/app" /app >/dev/null
  umoci config --image "$layout:$VERSION" --created "$EPOCH" --history.created "$EPOCH" --history.created_by 'config' \
    --config.entrypoint /usr/bin/node --config.entrypoint /app/dist/src/cli/main.js \
    --config.user "$UID_GID:$UID_GID" --config.workingdir /app \
    --config.env PATH=/usr/bin --config.env NODE_ENV=production --config.env HOME=/home/kubemoat \
    --config.label org.opencontainers.image.title=kubemoat \
    --config.label "org.opencontainers.image.version=$VERSION" \
    --config.label org.opencontainers.image.licenses=Apache-2.0 \
    --config.label org.opencontainers.image.source=https://github.com/kubemoat/kubemoat

  # the node sensor: bpftrace and the libraries of it the runtime layer lacks
  if [[ -x $BPFTRACE_BIN ]]; then
    local sensor=$work/sensor lib missing=()
    mkdir -p "$sensor/usr/bin" "$sensor/bin"
    chmod 0755 "$sensor"
    cp "$BPFTRACE_BIN" "$sensor/usr/bin/bpftrace"
    # bpftrace 0.17 asks `/bin/sh -c "clang-14 -Wp,-v …"` for clang's include directories and
    # crashes when there is no /bin/sh at all. There is no clang here either, so a /bin/sh that runs
    # nothing (coreutils' false) gives it the answer it gets on a host without clang, and the
    # image still has no shell.
    cp /bin/false "$sensor/bin/sh"
    for lib in "${BPF_LIBS[@]}"; do [[ -e $root$lib ]] || missing+=("$lib"); done
    copy_into "$sensor" "${missing[@]}"
    normalise "$sensor"
    umoci insert --image "$layout:$VERSION" --tag "$VERSION-node" --history.created "$EPOCH" --history.created_by 'bpftrace and its libraries' "$sensor" / >/dev/null
    umoci config --image "$layout:$VERSION-node" --created "$EPOCH" --no-history --config.label org.opencontainers.image.title=kubemoat-node
  else
    log "no bpftrace at $BPFTRACE_BIN (lab/setup.d/45-bpftrace.sh installs it): not building the -node image"
  fi

  # one layout tar per tag, each holding only its own image
  local tag tar
  for tag in "$VERSION" "$VERSION-node"; do
    [[ $(umoci ls --layout "$layout") == *"$tag"* ]] || continue
    rm -rf "$work/one"
    cp -a "$layout" "$work/one"
    for other in $(umoci ls --layout "$work/one"); do [[ $other == "$tag" ]] || umoci rm --image "$work/one:$other"; done
    umoci gc --layout "$work/one"
    tar="kubemoat-$tag.tar"
    tar --sort=name --mtime="$EPOCH" --owner=0 --group=0 --numeric-owner -C "$work/one" -cf "$work/$tar" .
  done
  mkdir -p "$BUILT.tmp"
  mv "$work"/kubemoat-*.tar "$BUILT.tmp/"
  mv "$BUILT.tmp" "$BUILT"
}

start=$(date +%s)
if [[ -d $BUILT ]]; then
  log "unchanged inputs: cached in $BUILT"
else
  log "building kubemoat $VERSION images into $BUILT"
  rm -rf "$BUILT.tmp"
  build_images
  # older builds are of no use any more
  find "$CACHE" -mindepth 1 -maxdepth 1 -type d -name 'images-*' ! -path "$BUILT" -exec rm -rf {} +
fi
for tar in "$BASE_TAR" "$NODE_TAR"; do
  [[ -f $BUILT/$tar ]] && cp --reflink=auto "$BUILT/$tar" "$OUT/$tar"
done

# sizes: the tar as imported, and the unpacked file system (what the node stores)
size_of() {
  local tmp
  tmp=$(mktemp -d)
  tar -C "$tmp" -xf "$1"
  "$NODE_BIN" -e '
    const fs = require("node:fs");
    const blob = (d) => `${process.argv[1]}/blobs/sha256/${d.replace("sha256:", "")}`;
    const index = JSON.parse(fs.readFileSync(`${process.argv[1]}/index.json`, "utf8"));
    const manifest = JSON.parse(fs.readFileSync(blob(index.manifests[0].digest), "utf8"));
    const unpacked = manifest.layers.reduce((n, l) => n + require("node:zlib").gunzipSync(fs.readFileSync(blob(l.digest))).length, 0);
    const mib = (n) => (n / 1048576).toFixed(1);
    process.stdout.write(`${manifest.layers.length} layers, ${mib(fs.statSync(process.argv[2]).size)} MiB as a tar, ${mib(unpacked)} MiB unpacked`);
  ' "$tmp" "$1"
  rm -rf "$tmp"
}
for tar in "$BASE_TAR" "$NODE_TAR"; do
  [[ -f $OUT/$tar ]] || continue
  tag=${tar#kubemoat-}
  tag=${tag%.tar}
  printf '%s:%s\t%s\t%s\n' "$REPOSITORY" "$tag" "$OUT/$tar" "$(size_of "$OUT/$tar")"
done
log "done in $(($(date +%s) - start)) s; import with: ctr -n k8s.io images import --index-name $REPOSITORY:TAG FILE"
