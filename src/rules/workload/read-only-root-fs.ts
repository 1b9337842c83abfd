import { defineRule } from '../../core/rule.js';
import { containerFlag, isWindowsPod } from '../security-context.js';
import { DOCS, MITRE, NSA } from '../references.js';

export default defineRule({
  meta: {
    id: 'KM-WL-014',
    title: 'Root filesystem writable',
    severity: 'low',
    door: 'workload',
    description:
      "A writable root filesystem lets an intruder download tools, drop a miner or a web shell, and change the application's own code and configuration, and the change lasts as long as the container. " +
      'A read-only root filesystem, with emptyDir volumes for the few paths that must be written, forces all of that to fail. ' +
      'Windows pods (no such setting) and ephemeral debug containers are not reported.',
    remediation: 'Set `securityContext.readOnlyRootFilesystem: true` and mount an emptyDir at each path the application writes (for example /tmp and its cache directory).',
    references: [DOCS.securityContext],
    frameworks: { cis: ['5.7.3'], nsa: [NSA.immutableFs], mitre: [MITRE.implantInternalImage] },
    notForControlPlane: true,
    messages: { writable: '{{container}} in {{resource}} does not set readOnlyRootFilesystem: true' },
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
          securityContext: {readOnlyRootFilesystem: false}`,
      `apiVersion: v1
kind: Pod
metadata: {name: init, namespace: shop}
spec:
  initContainers:
    - {name: migrate, image: "registry.example.com/migrate:1.0"}
  containers:
    - name: app
      image: busybox:1.36
      securityContext: {readOnlyRootFilesystem: true}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: shop}
spec:
  containers:
    - name: app
      image: busybox:1.36
      securityContext: {readOnlyRootFilesystem: "true"}
      volumeMounts: [{name: tmp, mountPath: /tmp}]
  volumes:
    - {name: tmp, emptyDir: {}}`,
    ],
  },
  create(context) {
    return {
      container(c) {
        if (c.containerKind === 'ephemeralContainer' || isWindowsPod(c.pod)) return;
        const ro = containerFlag(c, 'readOnlyRootFilesystem');
        if (ro.value === true) return;
        context.report({ node: c, messageId: 'writable', at: ['securityContext', 'readOnlyRootFilesystem'] });
      },
    };
  },
});
