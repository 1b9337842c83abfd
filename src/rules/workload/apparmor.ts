import { defineRule } from '../../core/rule.js';
import { effectiveAppArmor, isWindowsPod } from '../security-context.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';

export default defineRule({
  meta: {
    id: 'KM-WL-016',
    title: 'AppArmor unconfined',
    severity: 'medium',
    door: 'workload',
    description:
      "On nodes with AppArmor, the runtime's default profile stops a container from writing to /proc and /sys, mounting filesystems and other moves that escapes rely on. " +
      'A container that opts out with `appArmorProfile.type: Unconfined` (its own or the pod\'s) or the annotation `container.apparmor.security.beta.kubernetes.io/<name>: unconfined` loses that layer. ' +
      'A missing profile is not reported: the runtime applies its default one.',
    remediation: 'Remove the Unconfined setting so the runtime default applies, or set `appArmorProfile.type: Localhost` with a profile written for the workload.',
    references: [DOCS.appArmor, DOCS.podSecurityStandards],
    frameworks: { cis: ['5.7.3'], nsa: [NSA.hardeningContainerEnv], mitre: [MITRE.escapeToHost], pss: [PSS.appArmor] },
    messages: { unconfined: '{{container}} in {{resource}} runs without AppArmor confinement ({{source}})' },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/api: unconfined
    spec:
      containers:
        - {name: api, image: "registry.example.com/api:4.1"}`,
      `apiVersion: v1
kind: Pod
metadata: {name: podlevel, namespace: shop}
spec:
  securityContext:
    appArmorProfile: {type: Unconfined}
  containers:
    - {name: app, image: "busybox:1.36"}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: shop}
spec:
  securityContext:
    appArmorProfile: {type: Unconfined}
  containers:
    - name: app
      image: busybox:1.36
      securityContext:
        appArmorProfile: {type: RuntimeDefault}`,
      `apiVersion: v1
kind: Pod
metadata:
  name: annotated
  namespace: shop
  annotations:
    container.apparmor.security.beta.kubernetes.io/app: localhost/k8s-app
    container.apparmor.security.beta.kubernetes.io/other: unconfined
spec:
  containers:
    - {name: app, image: "busybox:1.36"}`,
    ],
  },
  create(context) {
    return {
      container(c) {
        if (isWindowsPod(c.pod)) return;
        const profile = effectiveAppArmor(c);
        if (profile.confinement !== 'unconfined') return;
        context.report({
          node: c,
          messageId: 'unconfined',
          data: { source: profile.source === 'container' ? 'its own securityContext' : `set by the ${profile.source}` },
          at: profile.at,
          evidence: `${profile.source}: ${profile.value ?? ''}`,
        });
      },
    };
  },
});
