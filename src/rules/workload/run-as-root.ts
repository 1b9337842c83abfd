import { defineRule } from '../../core/rule.js';
import { effective, inUserNamespace, isWindowsPod } from '../security-context.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';
import { purposeWeighing } from '../purpose.js';

export default defineRule({
  meta: {
    id: 'KM-WL-012',
    title: 'Container runs as root',
    severity: 'high',
    door: 'workload',
    description:
      'A container with `runAsUser: 0` runs its process as root, the same user id as root on the node. Every kernel bug, writable host mount or leftover capability is then exploitable with full privileges, ' +
      'and files it writes to shared volumes are owned by root. The container value overrides the pod value. In a pod with its own user namespace (`hostUsers: false`) ' +
      "the container's root maps to an unprivileged node user, so the finding is medium there. Windows pods ignore runAsUser and are not reported.",
    remediation: 'Set `runAsUser` to a non-zero id (and `runAsNonRoot: true`), and build the image with a non-root `USER`. If root inside is unavoidable, run the pod with `hostUsers: false`.',
    references: [DOCS.podSecurityStandards, DOCS.securityContext, DOCS.userNamespaces],
    frameworks: { cis: ['5.2.7'], nsa: [NSA.nonRoot], mitre: [MITRE.escapeToHost, MITRE.exploitationForPrivilegeEscalation], pss: [PSS.runAsNonRootUser] },
    notForControlPlane: true,
    messages: {
      root: '{{container}} in {{resource}} runs as root (runAsUser: 0{{origin}})',
      rootInUserNamespace: '{{container}} in {{resource}} runs as root (runAsUser: 0{{origin}}) inside its own user namespace',
    },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: legacy, namespace: shop}
spec:
  template:
    spec:
      securityContext: {runAsUser: 0}
      containers:
        - {name: app, image: "registry.example.com/legacy:1.0"}`,
      `apiVersion: v1
kind: Pod
metadata: {name: override, namespace: shop}
spec:
  securityContext: {runAsUser: 1000, runAsNonRoot: true}
  containers:
    - name: app
      image: busybox:1.36
      securityContext: {runAsUser: "0"}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: shop}
spec:
  securityContext: {runAsUser: 0}
  containers:
    - name: app
      image: busybox:1.36
      securityContext: {runAsUser: 10001}`,
      `apiVersion: v1
kind: Pod
metadata: {name: unset, namespace: shop}
spec:
  containers:
    - {name: app, image: "busybox:1.36"}`,
    ],
  },
  create(context) {
    return {
      container(c) {
        if (isWindowsPod(c.pod)) return;
        const user = effective.runAsUser(c);
        if (user.value !== 0) return;
        const origin = user.fromPod ? ', from the pod' : '';
        const userns = inUserNamespace(c.pod);
        context.report({
          node: c,
          messageId: userns ? 'rootInUserNamespace' : 'root',
          data: { origin },
          at: user.at,
          evidence: `runAsUser: 0 (${user.fromPod ? 'pod' : 'container'} securityContext)`,
          severity: userns ? 'medium' : 'high',
          ...purposeWeighing(context, c.pod, { kind: 'rule', rule: 'KM-WL-012' }),
        });
      },
    };
  },
});
