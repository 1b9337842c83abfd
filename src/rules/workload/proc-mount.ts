import { defineRule } from '../../core/rule.js';
import { asString, dig } from '../../core/json.js';
import { inUserNamespace, isWindowsPod } from '../security-context.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';

export default defineRule({
  meta: {
    id: 'KM-WL-017',
    title: 'Unmasked /proc',
    severity: 'high',
    door: 'workload',
    description:
      'The runtime masks and makes read-only parts of /proc (/proc/sys, /proc/kcore, /proc/sysrq-trigger…) so that a container cannot read kernel memory or change kernel settings that apply to the whole node. ' +
      '`procMount: Unmasked` removes that protection. Since Kubernetes 1.35 the baseline Pod Security Standard allows it in pods with their own user namespace (`hostUsers: false`), ' +
      'where the kernel itself keeps those files out of reach; those pods are not reported.',
    remediation: 'Remove `procMount: Unmasked` (or set `procMount: Default`). Nested-container builds that need it should run with `hostUsers: false`.',
    references: [DOCS.podSecurityStandards, DOCS.userNamespaces],
    frameworks: { cis: ['5.7.3'], nsa: [NSA.podSecurity], mitre: [MITRE.escapeToHost], pss: [PSS.procMount] },
    messages: { unmasked: '{{container}} in {{resource}} mounts /proc unmasked (procMount: Unmasked)' },
  },
  examples: {
    fail: [
      `apiVersion: v1
kind: Pod
metadata: {name: nested, namespace: ci}
spec:
  containers:
    - name: builder
      image: registry.example.com/builder:1.0
      securityContext: {procMount: Unmasked}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: userns, namespace: ci}
spec:
  hostUsers: false
  containers:
    - name: builder
      image: registry.example.com/builder:1.0
      securityContext: {procMount: Unmasked}`,
      `apiVersion: v1
kind: Pod
metadata: {name: default, namespace: ci}
spec:
  containers:
    - name: app
      image: busybox:1.36
      securityContext: {procMount: Default}`,
    ],
  },
  create(context) {
    return {
      container(c) {
        if (isWindowsPod(c.pod) || inUserNamespace(c.pod)) return;
        const mount = asString(dig(c.container, 'securityContext', 'procMount'));
        if (mount === undefined || mount.toLowerCase() !== 'unmasked') return;
        context.report({ node: c, messageId: 'unmasked', at: ['securityContext', 'procMount'], evidence: `procMount: ${mount}` });
      },
    };
  },
});
