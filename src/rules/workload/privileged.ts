import { defineRule } from '../../core/rule.js';
import { containerFlag } from '../security-context.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';
import { purposeWeighing } from '../purpose.js';
import { runningNow } from '../running-now.js';

export default defineRule({
  meta: {
    id: 'KM-WL-001',
    title: 'Privileged container',
    severity: 'critical',
    door: 'workload',
    description:
      'A privileged container has every capability and every host device, with no seccomp or AppArmor confinement. ' +
      'Anyone who runs code in it (a compromised app, an `exec`) owns the node: mount the host disk, load kernel modules, reach the kubelet credentials.',
    remediation: 'Remove `securityContext.privileged: true`. Grant only the specific capability the workload needs, or move node-level work to a hardened, audited agent.',
    references: [DOCS.podSecurityStandards, DOCS.securityContext],
    frameworks: { cis: ['5.2.2'], nsa: [NSA.podSecurity], mitre: [MITRE.escapeToHost], pss: [PSS.privileged] },
    messages: { privileged: '{{container}} in {{resource}} runs privileged' },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext:
            privileged: true`,
      `apiVersion: v1
kind: Pod
metadata: {name: debug}
spec:
  initContainers:
    - name: setup
      image: busybox:1.36
      securityContext: {privileged: true}
  containers:
    - name: main
      image: busybox:1.36`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: ok}
spec:
  containers:
    - name: main
      image: busybox:1.36
      securityContext:
        privileged: false`,
    ],
  },
  create(context) {
    return {
      container(c) {
        const privileged = containerFlag(c, 'privileged');
        if (privileged.value === true) context.report({ node: c, messageId: 'privileged', at: privileged.at, evidence: runningNow(context.inventory, c.pod.object), ...purposeWeighing(context, c.pod, { kind: 'rule', rule: 'KM-WL-001' }) });
      },
    };
  },
});
