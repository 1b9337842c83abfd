#!/usr/bin/env bash
# kubemoat detect --node (issue 16): Debian's bpftrace drives the runtime sensor's eBPF probes, and
# tracefs must be mounted for its tracepoints (it is not at boot on these machines). Idempotent.
set -euo pipefail
if ! command -v bpftrace >/dev/null; then
  printf 'setup.d/45-bpftrace: installing bpftrace\n' >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bpftrace >/dev/null
fi
if [[ ! -e /sys/kernel/tracing/events ]]; then
  mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || printf 'setup.d/45-bpftrace: cannot mount tracefs; the sensor will fall back to /proc polling\n' >&2
fi
