import { defineRule } from '../../core/rule.js';
import { effective, inUserNamespace, isWindowsPod } from '../security-context.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';
import { purposeWeighing } from '../purpose.js';

export default defineRule({
  meta: {
    id: 'KM-WL-013',
    title: 'runAsNonRoot not enforced',
    severity: 'medium',
    door: 'workload',
    description:
      "Without `runAsNonRoot: true` (or a non-zero `runAsUser`), the user is whatever the image says, and most images say root. The kubelet would refuse to start a root container if runAsNonRoot were set; " +
      'without it, a base-image change or a compromised image silently runs as root on the node\'s kernel. ' +
      'Not reported when the container runs as a known non-root user (runAsUser 1000 is enough), when it runs as root explicitly (KM-WL-012 says so), ' +
      "for pods with their own user namespace (`hostUsers: false`), for Windows pods (their user is a Windows account name), or for ephemeral debug containers.",
    remediation: 'Set `securityContext.runAsNonRoot: true` on the pod (containers inherit it), together with a non-zero `runAsUser` if the image has no numeric non-root USER.',
    references: [DOCS.podSecurityStandards, DOCS.securityContext],
    frameworks: { cis: ['5.2.7'], nsa: [NSA.nonRoot], mitre: [MITRE.exploitationForPrivilegeEscalation], pss: [PSS.runAsNonRoot] },
    notForControlPlane: true,
    messages: {
      missing: '{{container}} in {{resource}} may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set',
      disabled: '{{container}} in {{resource}} sets runAsNonRoot: false and no non-zero runAsUser',
    },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
        - {name: web, image: "nginx:1.27"}`,
      `apiVersion: v1
kind: Pod
metadata: {name: off, namespace: shop}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
    - name: app
      image: busybox:1.36
      securityContext: {runAsNonRoot: "false"}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: by-uid, namespace: shop}
spec:
  containers:
    - name: app
      image: busybox:1.36
      securityContext: {runAsUser: 1000}`,
      `apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: shop}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          securityContext: {runAsNonRoot: "true"}
          containers:
            - {name: report, image: "registry.example.com/report:2.0"}`,
    ],
  },
  create(context) {
    return {
      container(c) {
        if (c.containerKind === 'ephemeralContainer' || isWindowsPod(c.pod) || inUserNamespace(c.pod)) return;
        const user = effective.runAsUser(c);
        if (user.value !== undefined) return; // 0 is KM-WL-012; any other number is a non-root user
        const nonRoot = effective.runAsNonRoot(c);
        if (nonRoot.value === true) return;
        if (nonRoot.value === false) {
          context.report({ node: c, messageId: 'disabled', at: nonRoot.at, evidence: `runAsNonRoot: false (${nonRoot.fromPod ? 'pod' : 'container'} securityContext)`, ...purposeWeighing(context, c.pod, { kind: 'rule', rule: 'KM-WL-013' }) });
        } else {
          context.report({ node: c, messageId: 'missing', at: ['securityContext', 'runAsNonRoot'], ...purposeWeighing(context, c.pod, { kind: 'rule', rule: 'KM-WL-013' }) });
        }
      },
    };
  },
});
