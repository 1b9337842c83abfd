import { defineRule } from '../../core/rule.js';
import { isWindowsPod, rootGroup } from '../security-context.js';
import { classifiedHostPaths } from './host-paths.js';
import { DOCS, MITRE, NSA } from '../references.js';

export default defineRule({
  meta: {
    id: 'KM-WL-026',
    title: 'Container runs with the root group (gid 0)',
    severity: 'low',
    door: 'workload',
    description:
      'With `runAsGroup: 0`, `fsGroup: 0` or 0 in `supplementalGroups`, the container\'s processes belong to the root group even when the user is not root. ' +
      'On the node, files and sockets that are group-readable or group-writable by root (containerd\'s `0660 root:root` socket, many configuration files) then open to them through any host mount, and files the container writes to shared volumes are owned by group 0. ' +
      'Medium when the pod mounts host paths, low otherwise.',
    remediation: 'Set `runAsGroup` (and `fsGroup`) to a non-zero group id, and remove 0 from `supplementalGroups`. Images that need group-0 file permissions (OpenShift-style) work with any arbitrary gid that owns the files.',
    references: [DOCS.securityContext, DOCS.podSecurityStandards],
    frameworks: { cis: ['5.2.7'], nsa: [NSA.nonRoot], mitre: [MITRE.exploitationForPrivilegeEscalation] },
    notForControlPlane: true,
    messages: { rootGroup: '{{container}} in {{resource}} runs with group 0 ({{field}}){{hostPaths}}' },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: shop}
spec:
  template:
    spec:
      securityContext: {runAsUser: 1000, runAsGroup: 0}
      containers:
        - {name: app, image: "registry.example.com/app:1.0"}`,
      `apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: ops}
spec:
  securityContext: {runAsUser: 1000, runAsGroup: 1000, supplementalGroups: [0]}
  containers:
    - name: agent
      image: registry.example.com/agent:1.0
      volumeMounts: [{name: run, mountPath: /host/run, readOnly: true}]
  volumes:
    - {name: run, hostPath: {path: /run/containerd}}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: ok, namespace: shop}
spec:
  securityContext: {runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000}
  containers:
    - {name: app, image: "busybox:1.36"}`,
    ],
  },
  create(context) {
    return {
      container(c) {
        if (isWindowsPod(c.pod)) return;
        const given = rootGroup(c);
        if (given === undefined) return;
        const hostPaths = classifiedHostPaths(c.pod).some(({ volume }) => volume.mounts.some((m) => m.container === c));
        context.report({
          node: c,
          messageId: 'rootGroup',
          data: { field: given.field, hostPaths: hostPaths ? ", and mounts host paths, where root-group files and sockets open to it" : '' },
          at: given.at,
          severity: hostPaths ? 'medium' : 'low',
        });
      },
    };
  },
});
