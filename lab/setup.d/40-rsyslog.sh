#!/usr/bin/env bash
# kubemoat detect (issue 7): Debian's rsyslog, so that the syslog sink is tested against a real
# syslog server. The tests start their own rsyslogd on 127.0.0.1 with a private config; nothing
# here starts or configures the system one. Idempotent; quiet when done.
set -euo pipefail
if ! command -v rsyslogd >/dev/null && [[ ! -x /usr/sbin/rsyslogd ]]; then
  printf 'setup.d/40-rsyslog: installing rsyslog\n' >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rsyslog >/dev/null
fi
