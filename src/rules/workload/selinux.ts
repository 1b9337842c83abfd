import { defineRule } from '../../core/rule.js';
import { asObject, asString, dig, type JsonObject, type Path } from '../../core/json.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';

/** The SELinux types the baseline Pod Security Standard lets a pod choose (pod-security-admission `check_seLinuxOptions`). */
export const BASELINE_SELINUX_TYPES: ReadonlySet<string> = new Set(['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

/** Types that are no confinement at all: the process runs like a host process. */
const UNCONFINED_TYPES: ReadonlySet<string> = new Set(['spc_t', 'unconfined_t']);

type SeLinuxProblem = { field: 'type'; value: string } | { field: 'user' | 'role'; value: string };

/** What a `seLinuxOptions` sets that the baseline profile refuses. */
function problems(options: JsonObject | undefined): SeLinuxProblem[] {
  if (options === undefined) return [];
  const out: SeLinuxProblem[] = [];
  const type = asString(options.type);
  if (type !== undefined && type !== '' && !BASELINE_SELINUX_TYPES.has(type)) out.push({ field: 'type', value: type });
  for (const field of ['user', 'role'] as const) {
    const value = asString(options[field]);
    if (value !== undefined && value !== '') out.push({ field, value });
  }
  return out;
}

export default defineRule({
  meta: {
    id: 'KM-WL-027',
    title: 'SELinux options outside the baseline',
    severity: 'medium',
    door: 'workload',
    description:
      'On SELinux nodes the runtime confines each container with the `container_t` type, which keeps it away from host files and other containers even when it runs as root. ' +
      '`seLinuxOptions` can pick another type, user or role: `spc_t` ("super privileged container") or `unconfined_t` turn the confinement off (high); any other type, and any custom user or role, ' +
      'is refused by the baseline Pod Security Standard (medium). Types the baseline allows: container_t, container_init_t, container_kvm_t, container_engine_t. Pod and container settings are both checked.',
    remediation: 'Remove `seLinuxOptions.type`, `user` and `role` (keep `level` if you need MCS categories), or use one of the container types the baseline allows.',
    references: [DOCS.podSecurityStandards, DOCS.securityContext],
    frameworks: { nsa: [NSA.hardeningContainerEnv], mitre: [MITRE.escapeToHost], pss: [PSS.seLinux] },
    messages: {
      pod: '{{resource}} sets SELinux {{field}} `{{value}}` for all its containers',
      container: '{{container}} in {{resource}} sets SELinux {{field}} `{{value}}`',
    },
  },
  examples: {
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: spc, namespace: ops}
spec:
  securityContext:
    seLinuxOptions: {type: spc_t}
  containers:
    - {name: agent, image: "registry.example.com/agent:1.0"}`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api:4.1
          securityContext:
            seLinuxOptions: {user: system_u, role: system_r}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: shop}
spec:
  securityContext:
    seLinuxOptions: {type: container_t, level: "s0:c123,c456"}
  containers:
    - name: app
      image: busybox:1.36
      securityContext:
        seLinuxOptions: {level: "s0:c1,c2"}`,
      `apiVersion: v1
kind: Pod
metadata: {name: plain, namespace: shop}
spec:
  containers:
    - {name: app, image: "busybox:1.36"}`,
    ],
  },
  create(context) {
    const report = (node: Parameters<typeof context.report>[0]['node'], messageId: 'pod' | 'container', at: Path, found: SeLinuxProblem[]): void => {
      for (const p of found) {
        const severity = p.field === 'type' && UNCONFINED_TYPES.has(p.value) ? 'high' : 'medium';
        context.report({ node, messageId, data: { field: p.field, value: p.value }, at: [...at, p.field], evidence: `seLinuxOptions.${p.field}: ${p.value}`, severity });
      }
    };
    return {
      podSpec(pod) {
        report(pod, 'pod', ['securityContext', 'seLinuxOptions'], problems(asObject(dig(pod.spec, 'securityContext', 'seLinuxOptions'))));
      },
      container(c) {
        report(c, 'container', ['securityContext', 'seLinuxOptions'], problems(asObject(dig(c.container, 'securityContext', 'seLinuxOptions'))));
      },
    };
  },
});
