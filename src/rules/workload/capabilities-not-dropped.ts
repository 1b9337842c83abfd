import { defineRule } from '../../core/rule.js';
import { capabilities, isPrivileged, isWindowsPod } from '../security-context.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';

export default defineRule({
  meta: {
    id: 'KM-WL-010',
    title: 'Capabilities not dropped',
    severity: 'low',
    door: 'workload',
    description:
      "A container that does not drop ALL capabilities keeps the runtime's default set: NET_RAW (spoof packets on the pod network), DAC_OVERRIDE, CHOWN, SETUID, MKNOD and more. " +
      'An attacker who runs code as root in the container inherits them; the restricted Pod Security Standard requires `drop: [ALL]`. ' +
      'Privileged containers (KM-WL-001), Windows pods, and ephemeral debug containers are not reported.',
    remediation: 'Set `securityContext.capabilities.drop: [ALL]` on the container and add back only the capability it needs (for example NET_BIND_SERVICE).',
    references: [DOCS.podSecurityStandards, DOCS.linuxCapabilities],
    frameworks: { cis: ['5.2.10'], nsa: [NSA.podSecurity], mitre: [MITRE.exploitationForPrivilegeEscalation], pss: [PSS.capabilitiesRestricted] },
    notForControlPlane: true,
    messages: { notDropped: '{{container}} in {{resource}} does not drop ALL capabilities' },
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
          securityContext:
            capabilities:
              drop: [NET_RAW]`,
      `apiVersion: v1
kind: Pod
metadata: {name: plain, namespace: shop}
spec:
  containers:
    - {name: app, image: "busybox:1.36"}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: hardened, namespace: shop}
spec:
  initContainers:
    - name: init
      image: busybox:1.36
      securityContext: {capabilities: {drop: ["all"]}}
  containers:
    - name: app
      image: busybox:1.36
      securityContext:
        capabilities: {drop: [CAP_ALL], add: [NET_BIND_SERVICE]}`,
      `apiVersion: v1
kind: Pod
metadata: {name: win, namespace: shop}
spec:
  os: {name: windows}
  containers:
    - {name: iis, image: "mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022"}`,
    ],
  },
  create(context) {
    return {
      container(c) {
        if (c.containerKind === 'ephemeralContainer' || isWindowsPod(c.pod) || isPrivileged(c)) return;
        if (capabilities(c).drop.includes('ALL')) return;
        context.report({ node: c, messageId: 'notDropped', at: ['securityContext', 'capabilities', 'drop'] });
      },
    };
  },
});
