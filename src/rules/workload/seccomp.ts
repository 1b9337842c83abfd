import { defineRule } from '../../core/rule.js';
import { effectiveSeccomp, isPrivileged, isWindowsPod } from '../security-context.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';

export default defineRule({
  meta: {
    id: 'KM-WL-015',
    title: 'Seccomp profile unconfined or missing',
    severity: 'medium',
    door: 'workload',
    description:
      "Seccomp filters the system calls a container may make. Without a profile (Kubernetes' default is Unconfined) the whole kernel interface is open to an attacker in the container, " +
      'including the rarely used calls behind most kernel-exploit escapes. An explicit `Unconfined` is medium; no profile at all is low. ' +
      'The container\'s `seccompProfile` overrides the pod\'s; the legacy annotations `container.seccomp.security.alpha.kubernetes.io/<name>` and `seccomp.security.alpha.kubernetes.io/pod` count too ' +
      '(runtime/default, docker/default and localhost/… confine; unconfined does not). Privileged containers (never filtered; KM-WL-001), Windows pods and ephemeral debug containers without a profile are not reported.',
    remediation: 'Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or `Localhost` with a tailored profile), or enable the kubelet\'s `seccompDefault` so every container gets RuntimeDefault.',
    references: [DOCS.seccomp, DOCS.podSecurityStandards],
    frameworks: { cis: ['5.7.2'], nsa: [NSA.hardeningContainerEnv], mitre: [MITRE.escapeToHost], pss: [PSS.seccomp, PSS.seccompRestricted] },
    messages: {
      unconfined: '{{container}} in {{resource}} runs with seccomp unconfined ({{source}})',
      missing: '{{container}} in {{resource}} has no seccomp profile',
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
      securityContext:
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: api
          image: registry.example.com/api:4.1
          securityContext:
            seccompProfile: {type: Unconfined}`,
      `apiVersion: v1
kind: Pod
metadata:
  name: legacy
  namespace: shop
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: unconfined
spec:
  containers:
    - {name: app, image: "busybox:1.36"}`,
      `apiVersion: v1
kind: Pod
metadata: {name: bare, namespace: shop}
spec:
  containers:
    - {name: app, image: "busybox:1.36"}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: shop}
spec:
  securityContext:
    seccompProfile: {type: RuntimeDefault}
  initContainers:
    - {name: init, image: "busybox:1.36"}
  containers:
    - name: app
      image: busybox:1.36
      securityContext:
        seccompProfile: {type: Localhost, localhostProfile: profiles/app.json}`,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: annotated, namespace: shop}
spec:
  template:
    metadata:
      annotations:
        seccomp.security.alpha.kubernetes.io/pod: unconfined
        container.seccomp.security.alpha.kubernetes.io/app: runtime/default
    spec:
      containers:
        - {name: app, image: "busybox:1.36"}`,
    ],
  },
  create(context) {
    return {
      container(c) {
        if (isWindowsPod(c.pod)) return;
        const profile = effectiveSeccomp(c);
        if (profile.confinement === 'confined') return;
        if (profile.confinement === 'unconfined') {
          context.report({
            node: c,
            messageId: 'unconfined',
            data: { source: profile.source === 'container' ? 'its own securityContext' : `set by the ${profile.source}` },
            at: profile.at,
            evidence: `${profile.source}: ${profile.value ?? ''}`,
            severity: 'medium',
          });
          return;
        }
        if (c.containerKind === 'ephemeralContainer' || isPrivileged(c)) return;
        // the baseline profile forbids only Unconfined; no profile at all fails the restricted one alone
        context.report({ node: c, messageId: 'missing', at: profile.at, severity: 'low', frameworks: { pss: [PSS.seccompRestricted] } });
      },
    };
  },
});
