import { defineRule } from '../../core/rule.js';
import { classifiedHostPaths } from './host-paths.js';
import { DOCS, MITRE, NSA } from '../references.js';

export default defineRule({
  meta: {
    id: 'KM-WL-006',
    title: 'Writable hostPath mount',
    severity: 'high',
    door: 'workload',
    description:
      "A container that can write to a host directory can leave files on the node that outlive the pod, fill the node's disk, and plant content that host processes or the next pod on that node will trust. " +
      'It is also how a compromised container stages an escape. A mount is writable unless its volumeMount says `readOnly: true` (hostPath volumes have no read-only switch of their own). ' +
      'Sensitive host paths and runtime sockets are reported by KM-WL-007 and KM-WL-008 instead.',
    remediation: 'Add `readOnly: true` to the volumeMount, or replace the hostPath with an emptyDir, a PersistentVolumeClaim or a local PersistentVolume when the data is the workload\'s own.',
    references: [DOCS.hostPath, DOCS.podSecurityStandards],
    frameworks: { cis: ['5.2.12'], nsa: [NSA.podSecurity, NSA.immutableFs], mitre: [MITRE.escapeToHost] },
    notForControlPlane: true,
    messages: { writable: '{{container}} in {{resource}} mounts the host path `{{path}}` writable' },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: cache
          image: registry.example.com/cache:7.2
          volumeMounts: [{name: data, mountPath: /data, readOnly: false}]
      volumes:
        - {name: data, hostPath: {path: /mnt/cache, type: DirectoryOrCreate}}`,
      `apiVersion: v1
kind: Pod
metadata: {name: init-writes, namespace: shop}
spec:
  initContainers:
    - name: seed
      image: busybox:1.36
      volumeMounts: [{name: data, mountPath: /data}]
  containers:
    - name: app
      image: busybox:1.36
      volumeMounts: [{name: data, mountPath: /data, readOnly: true}]
  volumes:
    - {name: data, hostPath: {path: /srv/data}}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: reader, namespace: shop}
spec:
  containers:
    - name: app
      image: busybox:1.36
      volumeMounts: [{name: data, mountPath: /data, readOnly: "true"}]
  volumes:
    - {name: data, hostPath: {path: /srv/data}}`,
      `apiVersion: v1
kind: Pod
metadata: {name: scratch, namespace: shop}
spec:
  containers:
    - name: app
      image: busybox:1.36
      volumeMounts: [{name: tmp, mountPath: /tmp}]
  volumes:
    - {name: tmp, emptyDir: {}}`,
    ],
  },
  create(context) {
    return {
      podSpec(pod) {
        for (const { volume, verdict } of classifiedHostPaths(pod)) {
          if (verdict.rule !== 'KM-WL-006') continue;
          for (const m of verdict.writers) {
            context.report({
              node: m.container,
              messageId: 'writable',
              data: { path: m.path },
              at: ['volumeMounts', m.index],
              evidence: `volume \`${volume.name}\`: hostPath.path: ${volume.rawPath}${m.subPath !== undefined ? `, subPath: ${m.subPath}` : ''}; readOnly not set`,
            });
          }
        }
      },
    };
  },
});
