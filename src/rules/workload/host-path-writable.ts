import { defineRule } from '../../core/rule.js';
import { classifiedHostPaths } from './host-paths.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';
import { purposeWeighing } from '../purpose.js';

export default defineRule({
  meta: {
    id: 'KM-WL-006',
    title: 'Writable hostPath mount',
    severity: 'high',
    door: 'workload',
    description:
      "A container that can write to a host directory can leave files on the node that outlive the pod, fill the node's disk, and plant content that host processes or the next pod on that node will trust. " +
      'It is also how a compromised container stages an escape. A mount is writable unless its volumeMount says `readOnly: true` (hostPath volumes have no read-only switch of their own). ' +
      'Medium when the container is unprivileged (non-root, no privilege escalation, every capability dropped, no group 0): it writes only where the node\'s file modes let its user. ' +
      'Sensitive host paths and runtime sockets are reported by KM-WL-007 and KM-WL-008 instead, and writable paths with a harmless purpose (the iptables lock `/run/xtables.lock`, the syslog socket `/dev/log`) by KM-WL-005.',
    remediation: 'Add `readOnly: true` to the volumeMount, or replace the hostPath with an emptyDir, a PersistentVolumeClaim or a local PersistentVolume when the data is the workload\'s own.',
    references: [DOCS.hostPath, DOCS.podSecurityStandards],
    frameworks: { cis: ['5.2.12'], nsa: [NSA.podSecurity, NSA.immutableFs], mitre: [MITRE.escapeToHost], pss: [PSS.hostPath, PSS.volumeTypes] },
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
      // the iptables lock is a harmless writable mount (KM-WL-005)
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: kube-router, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: kube-proxy}}
  template:
    metadata: {labels: {k8s-app: kube-proxy}}
    spec:
      containers:
        - name: kube-proxy
          image: registry.k8s.io/kube-proxy:v1.31.0
          volumeMounts: [{name: xtables-lock, mountPath: /run/xtables.lock}]
      volumes:
        - {name: xtables-lock, hostPath: {path: /run/xtables.lock, type: FileOrCreate}}`,
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
              evidence: `volume \`${volume.name}\`: hostPath.path: ${volume.rawPath}${m.subPath !== undefined ? `, subPath: ${m.subPath}` : ''}; readOnly not set${m.identity.as === 'unprivileged' ? `; ${m.identity.why}` : ''}`,
              // an unprivileged writer writes only where the node's file modes let its user write
              severity: m.identity.as === 'root' ? 'high' : 'medium',
              ...purposeWeighing(context, pod, { kind: 'hostPath', path: m.path, write: true }),
            });
          }
        }
      },
    };
  },
});
