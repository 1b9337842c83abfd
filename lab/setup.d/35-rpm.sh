#!/usr/bin/env bash
# kubemoat images, rpm packages (issue 8): Debian's rpm (rpm, rpmbuild, rpm's Lua vercmp) so the
# tests can build tiny rpm packages, install them into an SQLite rpmdb under a fake root, and check
# kubemoat's rpm version order against rpm's own on thousands of pairs. Idempotent; quiet when done.
set -euo pipefail
log() { printf 'setup.d/35-rpm: %s\n' "$*" >&2; }

# sqlite3 builds the hand-made SQLite files of the unit tests and checks the real database's shape;
# db5.3_load writes rpm's older Berkeley DB database (which rpm itself only reads now).
need=()
command -v rpmbuild >/dev/null || need+=(rpm)
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v db5.3_load >/dev/null || need+=(db5.3-util)
if ((${#need[@]})); then
  log "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
