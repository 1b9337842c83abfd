import { defineRule } from '../../core/rule.js';
import type { Severity } from '../../core/finding.js';
import { severityRank } from '../../core/finding.js';
import { asArray, dig } from '../../core/json.js';
import type { ContainerNode } from '../../inventory/objects.js';
import { containerFlag, effective, isPrivileged, isWindowsPod, podFlag } from '../security-context.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';
import { purposeWeighing } from '../purpose.js';

/**
 * The capabilities the Pod Security Standards' baseline profile lets a container add: the
 * runtime's default set (pod-security-admission `capabilities_baseline`). Adding one of them
 * grants nothing a default container does not already have.
 */
export const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
  'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

/** A direct way out of the container or into the kernel. */
const CRITICAL = new Set([
  'ALL', // every capability: as good as privileged
  'SYS_ADMIN', // mount, namespaces, cgroup release_agent, BPF…: the classic escapes
  'SYS_MODULE', // load a kernel module
  'BPF', // load BPF programs: read kernel memory, tamper with networking
  'DAC_READ_SEARCH', // open_by_handle_at: read any host file ("shocker")
]);

/** Strong powers over the node or its network, without an escape on their own. */
const HIGH = new Set([
  'NET_ADMIN', 'SYS_PTRACE', 'SYS_RAWIO', 'SYS_BOOT', 'PERFMON', 'SYS_TIME', 'MAC_ADMIN', 'MAC_OVERRIDE',
  'SYSLOG', 'LINUX_IMMUTABLE', 'AUDIT_CONTROL', 'SYS_RESOURCE', 'CHECKPOINT_RESTORE',
]);

/**
 * Baseline-allowed capabilities that still widen what root in the container can do: bypass file
 * permissions, set file capabilities, chroot. Reported at low severity when added explicitly
 * (typically after `drop: [ALL]`), because the restricted profile allows none of them.
 */
const LOW = new Set(['DAC_OVERRIDE', 'SETFCAP', 'SYS_CHROOT']);

function normalise(cap: unknown): string {
  return String(cap).trim().toUpperCase().replace(/^CAP_/, '');
}

function tierOf(cap: string, hostPID: boolean): Severity | undefined {
  if (cap === 'SYS_PTRACE' && hostPID) return 'critical';
  if (CRITICAL.has(cap)) return 'critical';
  if (HIGH.has(cap)) return 'high';
  if (LOW.has(cap)) return 'low';
  if (BASELINE_CAPABILITIES.has(cap)) return undefined;
  // NET_RAW is in the runtime's default set (so adding it back changes little) but the baseline
  // profile refuses it; IPC_LOCK, SYS_NICE and the rest are outside the baseline without a known escape.
  return 'medium';
}

/**
 * Why added capabilities are dormant, or undefined: a non-root process gets no capabilities from
 * its container's set (Kubernetes sets no ambient capabilities), and without privilege escalation
 * no setuid program or file capability can give them back.
 */
function capabilitiesDormant(c: ContainerNode): string | undefined {
  if (isPrivileged(c) || containerFlag(c, 'allowPrivilegeEscalation').value !== false) return undefined;
  const user = effective.runAsUser(c).value;
  if (user === 0 || (user === undefined && effective.runAsNonRoot(c).value !== true)) return undefined;
  return `${user === undefined ? 'a non-root user' : `uid ${user}`} without privilege escalation`;
}

export default defineRule({
  meta: {
    id: 'KM-WL-009',
    title: 'Dangerous capabilities added',
    severity: 'high',
    door: 'workload',
    description:
      'Linux capabilities split root\'s powers; adding one gives the container that power over the kernel it shares with the node. ' +
      'ALL, SYS_ADMIN, SYS_MODULE, BPF and DAC_READ_SEARCH are known container escapes (critical), as is SYS_PTRACE in a pod that shares the host PID namespace. ' +
      'NET_ADMIN, SYS_PTRACE, SYS_RAWIO, SYS_BOOT, PERFMON, SYS_TIME, MAC_ADMIN/MAC_OVERRIDE, SYSLOG and similar are high; any other capability outside the Pod Security Standards baseline set ' +
      '(NET_RAW, IPC_LOCK, SYS_NICE…) is medium. Of the baseline set (the runtime defaults), only DAC_OVERRIDE, SETFCAP and SYS_CHROOT are reported, at low; NET_BIND_SERVICE and the others are not. ' +
      'Added to a container that runs as a non-root user with `allowPrivilegeEscalation: false`, capabilities are dormant (no ambient capabilities, no setuid or file capabilities), so the finding is low.',
    remediation:
      'Remove the capability from `securityContext.capabilities.add`. Start from `drop: [ALL]` and add back only what the process provably needs (often just NET_BIND_SERVICE, or nothing if it listens above port 1024).',
    references: [DOCS.podSecurityStandards, DOCS.linuxCapabilities, DOCS.securityContext],
    frameworks: { cis: ['5.2.8', '5.2.9'], nsa: [NSA.podSecurity], mitre: [MITRE.escapeToHost, MITRE.exploitationForPrivilegeEscalation], pss: [PSS.capabilities, PSS.capabilitiesRestricted] },
    messages: { added: '{{container}} in {{resource}} adds {{caps}}{{detail}}' },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: vpn, namespace: net}
spec:
  template:
    spec:
      containers:
        - name: vpn
          image: registry.example.com/vpn:2.6
          securityContext:
            capabilities:
              add: [NET_ADMIN, NET_BIND_SERVICE]`,
      `apiVersion: v1
kind: Pod
metadata: {name: mounter, namespace: ops}
spec:
  initContainers:
    - name: setup
      image: busybox:1.36
      securityContext:
        capabilities: {add: ["cap_sys_admin"]}
  containers:
    - {name: app, image: "busybox:1.36"}`,
      `apiVersion: v1
kind: Pod
metadata: {name: tracer, namespace: ops}
spec:
  hostPID: true
  containers:
    - name: strace
      image: registry.example.com/strace:6.1
      securityContext:
        capabilities: {add: [SYS_PTRACE]}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers:
    - name: nginx
      image: nginx:1.27
      securityContext:
        capabilities:
          drop: [ALL]
          add: [NET_BIND_SERVICE]`,
      `apiVersion: v1
kind: Pod
metadata: {name: chowner, namespace: shop}
spec:
  containers:
    - name: app
      image: busybox:1.36
      securityContext:
        capabilities: {drop: [ALL], add: [CAP_CHOWN, setuid, SETGID]}`,
    ],
  },
  create(context) {
    return {
      container(c) {
        if (isWindowsPod(c.pod)) return; // the API refuses capabilities on Windows pods
        const add = asArray(dig(c.container, 'securityContext', 'capabilities', 'add'));
        if (add.length === 0) return;
        const hostPID = podFlag(c.pod, 'hostPID') === true;
        const flagged: { cap: string; index: number; tier: Severity }[] = [];
        add.forEach((raw, index) => {
          const cap = normalise(raw);
          const tier = tierOf(cap, hostPID);
          if (tier !== undefined && !flagged.some((f) => f.cap === cap)) flagged.push({ cap, index, tier });
        });
        if (flagged.length === 0) return;
        const worst = flagged.reduce((a, b) => (severityRank(b.tier) > severityRank(a.tier) ? b : a));
        const dormant = capabilitiesDormant(c);
        const names = flagged.map((f) => `\`${f.cap}\``);
        const caps = `${names.length === 1 ? 'the capability' : 'the capabilities'} ${names.join(', ')}`;
        const detail =
          dormant !== undefined
            ? `, which its process cannot use (${dormant}): they matter only if it gains root`
            : hostPID && flagged.some((f) => f.cap === 'SYS_PTRACE')
              ? ' while sharing the host PID namespace (it can attach to any process on the node)'
              : '';
        context.report({
          node: c,
          messageId: 'added',
          data: { caps, detail },
          at: ['securityContext', 'capabilities', 'add', worst.index],
          evidence: `capabilities.add: ${flagged.map((f) => `${f.cap} (${f.tier})`).join(', ')}`,
          severity: dormant !== undefined ? 'low' : worst.tier,
          // capabilities the baseline profile allows fail only the restricted one
          ...(flagged.every((f) => BASELINE_CAPABILITIES.has(f.cap)) ? { frameworks: { pss: [PSS.capabilitiesRestricted] } } : {}),
          ...purposeWeighing(context, c.pod, { kind: 'capabilities', capabilities: flagged.map((f) => f.cap) }),
        });
      },
    };
  },
});
