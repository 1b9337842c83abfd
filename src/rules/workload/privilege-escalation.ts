import { defineRule } from '../../core/rule.js';
import { containerFlag, isPrivileged, isWindowsPod } from '../security-context.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';

export default defineRule({
  meta: {
    id: 'KM-WL-011',
    title: 'Privilege escalation allowed',
    severity: 'medium',
    door: 'workload',
    description:
      'Unless `allowPrivilegeEscalation` is false, the kernel lets a process in the container gain more privileges than its parent (no_new_privs is off): ' +
      'a setuid binary in the image or a file capability turns an unprivileged foothold into root in the container, the first step of most escapes. ' +
      'Privileged containers are left to KM-WL-001 (the API refuses `allowPrivilegeEscalation: false` on them, so this finding could not be fixed alone); ' +
      'Windows pods have no such setting; an ephemeral debug container is reported only when it sets the field to true.',
    remediation: 'Set `securityContext.allowPrivilegeEscalation: false` on every container.',
    references: [DOCS.podSecurityStandards, DOCS.securityContext],
    frameworks: { cis: ['5.2.6'], nsa: [NSA.podSecurity], mitre: [MITRE.exploitationForPrivilegeEscalation], pss: [PSS.privilegeEscalation] },
    notForControlPlane: true,
    messages: {
      allowed: '{{container}} in {{resource}} sets allowPrivilegeEscalation: true',
      unset: '{{container}} in {{resource}} does not set allowPrivilegeEscalation: false',
    },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api:4.1
          securityContext: {runAsNonRoot: true}`,
      `apiVersion: v1
kind: Pod
metadata: {name: esc, namespace: shop}
spec:
  containers:
    - name: app
      image: busybox:1.36
      securityContext: {allowPrivilegeEscalation: "true"}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: shop}
spec:
  initContainers:
    - name: init
      image: busybox:1.36
      securityContext: {allowPrivilegeEscalation: "false"}
  containers:
    - name: app
      image: busybox:1.36
      securityContext: {allowPrivilegeEscalation: false}`,
      `apiVersion: v1
kind: Pod
metadata: {name: priv, namespace: ops}
spec:
  containers:
    - name: agent
      image: busybox:1.36
      securityContext: {privileged: true}`,
    ],
  },
  create(context) {
    return {
      container(c) {
        if (isWindowsPod(c.pod) || isPrivileged(c)) return;
        const ape = containerFlag(c, 'allowPrivilegeEscalation');
        if (ape.value === false) return;
        if (ape.value === true) {
          context.report({ node: c, messageId: 'allowed', at: ape.at, evidence: 'allowPrivilegeEscalation: true' });
          return;
        }
        if (c.containerKind === 'ephemeralContainer') return;
        context.report({ node: c, messageId: 'unset', at: ['securityContext', 'allowPrivilegeEscalation'] });
      },
    };
  },
});
