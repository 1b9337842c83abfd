#!/usr/bin/env bash
# kubemoat's history store (issue 17): Debian's postgresql, so the store tests and bench/store.ts run
# against a real PostgreSQL server. The tests start their own server (initdb into a temporary
# directory, as the postgres user, on 127.0.0.1 or a unix socket there) and stop it; nothing here
# creates a cluster or starts the system service. Idempotent; quiet when done.
set -euo pipefail
log() { printf 'setup.d/50-postgres: %s\n' "$*" >&2; }

if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
  exit 0
fi
log 'installing postgresql'
# The package would create and start a "main" cluster: refuse both for this install only.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  own_policy=true
fi
mkdir -p /etc/postgresql-common/createcluster.d
printf 'create_main_cluster = false\n' >/etc/postgresql-common/createcluster.d/kubemoat-no-main.conf
trap 'if $own_policy; then rm -f "$policy"; fi' EXIT
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
