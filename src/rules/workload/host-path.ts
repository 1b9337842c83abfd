import { defineRule } from '../../core/rule.js';
import { classifiedHostPaths, describeMounts } from './host-paths.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';
import { purposeWeighing } from '../purpose.js';

export default defineRule({
  meta: {
    id: 'KM-WL-005',
    title: 'hostPath volume',
    severity: 'low',
    door: 'workload',
    description:
      "A hostPath volume ties the pod to the node's filesystem: even read-only, it shows the pod files that belong to the node (and to whatever else the node runs), and it breaks the isolation the Pod Security Standards' baseline profile asks for. " +
      'This rule reports the hostPath volumes no other rule already explains: writable mounts (KM-WL-006), sensitive paths (KM-WL-007) and runtime sockets (KM-WL-008) are reported there, once per volume. ' +
      'It also takes the mounts whose purpose is known and harmless, and says which: the iptables lock `/run/xtables.lock`, the time zone, `/lib/modules` and CA certificates read-only, logs read-only for a log shipper, `/sys` read-only, and `/proc` read-only by an unprivileged exporter.',
    remediation: 'Use a ConfigMap, Secret, emptyDir or PersistentVolumeClaim instead. If the node file is truly needed, mount the narrowest path, read-only, and keep the workload in a namespace whose Pod Security level allows it on purpose.',
    references: [DOCS.hostPath, DOCS.podSecurityStandards],
    frameworks: { cis: ['5.2.12'], nsa: [NSA.podSecurity], mitre: [MITRE.escapeToHost], pss: [PSS.hostPath, PSS.volumeTypes] },
    notForControlPlane: true,
    messages: {
      readOnly: '{{resource}} mounts the host path `{{path}}` (read-only) into {{readers}}',
      purpose: '{{resource}} mounts the host path `{{path}}` into {{readers}}: {{purpose}}',
      declared: '{{resource}} declares the host path `{{path}}` as a volume',
    },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: tz, namespace: ops}
spec:
  selector: {matchLabels: {app: tz}}
  template:
    metadata: {labels: {app: tz}}
    spec:
      containers:
        - name: app
          image: registry.example.com/app:1.0
          volumeMounts: [{name: zoneinfo, mountPath: /usr/share/zoneinfo, readOnly: true}]
      volumes:
        - {name: zoneinfo, hostPath: {path: /usr/share/zoneinfo}}`,
      // writable, but only the iptables lock
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: kube-proxy, namespace: kube-system}
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
metadata: {name: unused, namespace: ops}
spec:
  containers:
    - {name: app, image: "busybox:1.36"}
  volumes:
    - {name: spare, hostPath: {path: /mnt/spare}}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: socket, namespace: ci}
spec:
  containers:
    - name: app
      image: busybox:1.36
      volumeMounts: [{name: docker, mountPath: /var/run/docker.sock, readOnly: true}]
  volumes:
    - {name: docker, hostPath: {path: /var/run/docker.sock}}`,
      `apiVersion: v1
kind: Pod
metadata: {name: configured, namespace: ops}
spec:
  containers:
    - name: app
      image: busybox:1.36
      volumeMounts: [{name: config, mountPath: /etc/app}]
  volumes:
    - {name: config, configMap: {name: app-config}}`,
    ],
  },
  create(context) {
    return {
      podSpec(pod) {
        for (const { volume, verdict } of classifiedHostPaths(pod)) {
          if (verdict.rule !== 'KM-WL-005') continue;
          const evidence = `hostPath.path: ${volume.rawPath}`;
          const weighing = purposeWeighing(context, pod, { kind: 'hostPath', path: volume.path, write: volume.mounts.some((m) => !m.readOnly) });
          if (verdict.purpose !== undefined) {
            context.report({ node: pod, messageId: 'purpose', data: { path: volume.path, readers: describeMounts(volume.mounts), purpose: verdict.purpose }, at: volume.at, evidence, ...weighing });
          } else if (volume.mounts.length > 0) {
            context.report({ node: pod, messageId: 'readOnly', data: { path: volume.path, readers: describeMounts(volume.mounts) }, at: volume.at, evidence, ...weighing });
          } else {
            context.report({ node: pod, messageId: 'declared', data: { path: volume.path }, at: volume.at, evidence, ...weighing });
          }
        }
      },
    };
  },
});
