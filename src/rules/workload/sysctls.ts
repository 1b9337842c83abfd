import { defineRule } from '../../core/rule.js';
import { asArray, asObject, asString, dig } from '../../core/json.js';
import { isWindowsPod } from '../security-context.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';

/**
 * The sysctls the baseline Pod Security Standard allows (pod-security-admission `check_sysctls`):
 * namespaced and isolated per pod. 1.0 set, then ip_local_reserved_ports (1.27), the TCP keepalive
 * and fin_timeout settings (1.29), tcp_rmem/tcp_wmem (1.32), tcp_slow_start_after_idle and
 * tcp_notsent_lowat (1.37).
 */
export const SAFE_SYSCTLS: ReadonlySet<string> = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
  'net.ipv4.tcp_slow_start_after_idle',
  'net.ipv4.tcp_notsent_lowat',
]);

/** Kubernetes accepts `/` as the separator (`net/ipv4/tcp_syncookies`); then `.` and `/` swap roles. */
export function canonicalSysctl(name: string): string {
  const n = name.trim();
  if (!n.includes('/')) return n;
  return n.replace(/[./]/g, (ch) => (ch === '/' ? '.' : '/'));
}

export default defineRule({
  meta: {
    id: 'KM-WL-018',
    title: 'Unsafe sysctl',
    severity: 'high',
    door: 'workload',
    description:
      'A sysctl outside the safe set is not isolated per pod: it changes kernel behaviour for the whole node (memory, networking, IPC limits) or can be used to starve or break other pods. ' +
      'The baseline Pod Security Standard allows only kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, ip_unprivileged_port_start, tcp_syncookies, ping_group_range, ip_local_reserved_ports, ' +
      'the TCP keepalive settings, tcp_fin_timeout, tcp_rmem/tcp_wmem, tcp_slow_start_after_idle and tcp_notsent_lowat; anything else needs the node\'s kubelet to allow it explicitly.',
    remediation: 'Remove the sysctl from `spec.securityContext.sysctls`, or tune it on the node itself (node configuration, a tuning operator) for the nodes that need it.',
    references: [DOCS.sysctls, DOCS.podSecurityStandards],
    frameworks: { nsa: [NSA.podSecurity], mitre: [MITRE.escapeToHost, MITRE.endpointDenialOfService], pss: [PSS.sysctls] },
    messages: { unsafe: '{{resource}} sets the unsafe sysctl `{{name}}`' },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: data}
spec:
  template:
    spec:
      securityContext:
        sysctls:
          - {name: net.ipv4.tcp_syncookies, value: "1"}
          - {name: kernel.msgmax, value: "65536"}
      containers:
        - {name: db, image: "registry.example.com/db:16"}`,
      `apiVersion: v1
kind: Pod
metadata: {name: fwd, namespace: net}
spec:
  securityContext:
    sysctls: [{name: net/ipv4/ip_forward, value: "1"}]
  containers:
    - {name: app, image: "busybox:1.36"}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: tuned, namespace: net}
spec:
  securityContext:
    sysctls:
      - {name: net.ipv4.ip_local_port_range, value: "1024 65000"}
      - {name: net/ipv4/tcp_keepalive_time, value: "600"}
      - {name: kernel.shm_rmid_forced, value: "1"}
  containers:
    - {name: app, image: "busybox:1.36"}`,
    ],
  },
  create(context) {
    return {
      podSpec(pod) {
        if (isWindowsPod(pod)) return;
        asArray(dig(pod.spec, 'securityContext', 'sysctls')).forEach((entry, i) => {
          const name = asString(asObject(entry)?.name);
          if (name === undefined || SAFE_SYSCTLS.has(canonicalSysctl(name))) return;
          const value = asObject(entry)?.value;
          context.report({
            node: pod,
            messageId: 'unsafe',
            data: { name },
            at: ['securityContext', 'sysctls', i, 'name'],
            evidence: `${name}=${typeof value === 'string' || typeof value === 'number' ? String(value) : ''}`,
          });
        });
      },
    };
  },
});
