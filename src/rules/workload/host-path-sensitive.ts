import { defineRule } from '../../core/rule.js';
import { describeContainer } from '../../inventory/objects.js';
import { classifiedHostPaths, describeMounts, identityEvidence, volumeEvidence } from './host-paths.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';
import { purposeWeighing } from '../purpose.js';

export default defineRule({
  meta: {
    id: 'KM-WL-007',
    title: 'Sensitive host path mounted',
    severity: 'critical',
    door: 'workload',
    description:
      "Some host paths hand over the node: `/etc/kubernetes/manifests` (a file written there runs as a static pod the API server never admitted), the kubelet's and etcd's data and keys, " +
      "`/etc/kubernetes/pki`, `/proc`, `/sys`, `/dev`, `/boot`, home directories and cloud credential files, the host's `/var/log` (writable, it lets a pod trick the kubelet into reading any host file), " +
      'and any directory above one of them (`/var` holds the kubelet directory). Critical when a container that acts as the node\'s root can write there; high when only unprivileged containers (non-root, no privilege escalation, every capability dropped, no group 0) can write, when root can only read, or when the volume is declared but not yet mounted; ' +
      'medium when only unprivileged containers read it, since root-only files (keys, kubeconfigs, password hashes) stay closed to them. ' +
      'Read-only mounts with a known harmless purpose (`/var/log` for log shippers, `/sys`, `/proc` read by an unprivileged exporter) are KM-WL-005\'s. ' +
      'Host program directories (`/usr`, `/opt/cni/bin`…), the runtime data directories and the `/sys` tree below its top count only when writable. ' +
      'Runtime sockets, and directories that hold them such as `/` and `/run`, are reported by KM-WL-008 instead.',
    remediation:
      'Remove the hostPath volume, or narrow it to the one file or directory the workload needs and mount it `readOnly: true`. ' +
      'Give workloads credentials through Secrets or workload identity rather than host files, and ship logs through the kubelet or a node agent in a locked-down namespace.',
    references: [DOCS.hostPath, DOCS.staticPods, DOCS.podSecurityStandards],
    frameworks: { cis: ['5.2.12'], nsa: [NSA.podSecurity, NSA.hardeningContainerEnv], mitre: [MITRE.escapeToHost, MITRE.credentialsInFiles], pss: [PSS.hostPath, PSS.volumeTypes] },
    notForControlPlane: true,
    messages: {
      writable: '{{resource}} mounts the host path `{{path}}` writable into {{writer}}: {{why}}',
      readOnly: '{{resource}} mounts the host path `{{path}}` read-only into {{readers}}: {{why}}',
      declared: '{{resource}} declares the host path `{{path}}` as a volume (no container mounts it yet; any container added later can): {{why}}',
    },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-agent, namespace: ops}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
        - name: agent
          image: registry.example.com/agent:2.0
          volumeMounts: [{name: manifests, mountPath: /host/manifests}]
      volumes:
        - name: manifests
          hostPath: {path: /etc/kubernetes/manifests, type: Directory}`,
      `apiVersion: v1
kind: Pod
metadata: {name: log-reader, namespace: ops}
spec:
  containers:
    - name: reader
      image: busybox:1.36
      volumeMounts: [{name: var, mountPath: /host/var, readOnly: true}]
  volumes:
    - name: var
      hostPath: {path: /var/}`,
      `apiVersion: v1
kind: Pod
metadata: {name: creds, namespace: ops}
spec:
  containers:
    - name: c
      image: busybox:1.36
      volumeMounts: [{name: aws, mountPath: /root/.aws, readOnly: "true"}]
  volumes:
    - name: aws
      hostPath: {path: /home/ubuntu/.aws}`,
      `apiVersion: v1
kind: Pod
metadata: {name: cg, namespace: ops}
spec:
  containers:
    - name: c
      image: busybox:1.36
      volumeMounts: [{name: cgroup, mountPath: /sys/fs/cgroup}]
  volumes:
    - name: cgroup
      hostPath: {path: /sys/fs/cgroup}`,
      // the whole node read-only, by an unprivileged user: medium
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-exporter, namespace: monitoring}
spec:
  selector: {matchLabels: {app: node-exporter}}
  template:
    metadata: {labels: {app: node-exporter}}
    spec:
      securityContext: {runAsUser: 65534, runAsGroup: 65534, runAsNonRoot: true}
      containers:
        - name: node-exporter
          image: quay.io/prometheus/node-exporter:v1.8.2
          args: [--path.rootfs=/host/root]
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
          volumeMounts:
            - {name: root, mountPath: /host/root, readOnly: true}
      volumes:
        - {name: root, hostPath: {path: /}}`,
    ],
    pass: [
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: exporter, namespace: monitoring}
spec:
  selector: {matchLabels: {app: exporter}}
  template:
    metadata: {labels: {app: exporter}}
    spec:
      containers:
        - name: exporter
          image: registry.example.com/exporter:1.8
          volumeMounts:
            - {name: cgroup, mountPath: /host/sys/fs/cgroup, readOnly: true}
            - {name: certs, mountPath: /etc/ssl/certs, readOnly: true}
            - {name: plugins, mountPath: /var/lib/kubelet/device-plugins}
            - {name: applogs, mountPath: /var/log/app}
      volumes:
        - {name: cgroup, hostPath: {path: /sys/fs/cgroup}}
        - {name: certs, hostPath: {path: /etc/ssl/certs}}
        - {name: plugins, hostPath: {path: /var/lib/kubelet/device-plugins}}
        - {name: applogs, hostPath: {path: /var/log/app}}`,
      `apiVersion: v1
kind: Pod
metadata: {name: docker-in-var, namespace: ci}
spec:
  containers:
    - name: c
      image: busybox:1.36
      volumeMounts: [{name: run, mountPath: /var/run}]
  volumes:
    - {name: run, hostPath: {path: /var/run}}`,
    ],
  },
  create(context) {
    return {
      podSpec(pod) {
        for (const { volume, verdict } of classifiedHostPaths(pod)) {
          if (verdict.rule !== 'KM-WL-007') continue;
          const { sensitive } = verdict;
          const why = sensitive.relation === 'contains' ? `it holds \`${sensitive.entry}\`, ${sensitive.why}` : sensitive.why;
          const evidence = volumeEvidence(volume, verdict.exposure);
          const severity = verdict.severity;
          const weighing = purposeWeighing(context, pod, { kind: 'hostPath', path: verdict.exposure, write: verdict.writers.length > 0 });
          if (verdict.writers.length > 0) {
            context.report({
              node: pod,
              messageId: 'writable',
              data: { path: verdict.exposure, writer: describeContainer(verdict.writers[0].container), why },
              at: volume.at,
              evidence: `${evidence}; mounted writable by ${describeMounts(verdict.writers)}${identityEvidence(verdict.writers)}`,
              severity,
              ...weighing,
            });
          } else if (verdict.readers.length > 0) {
            context.report({ node: pod, messageId: 'readOnly', data: { path: verdict.exposure, readers: describeMounts(verdict.readers), why }, at: volume.at, evidence: `${evidence}${identityEvidence(verdict.readers)}`, severity, ...weighing });
          } else {
            context.report({ node: pod, messageId: 'declared', data: { path: verdict.exposure, why }, at: volume.at, evidence, severity, ...weighing });
          }
        }
      },
    };
  },
});
