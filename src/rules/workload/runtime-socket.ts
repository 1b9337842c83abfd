import { defineRule } from '../../core/rule.js';
import { classifiedHostPaths, describeMounts, volumeEvidence } from './host-paths.js';
import { DOCS, MITRE, NSA, PSS } from '../references.js';
import { purposeWeighing } from '../purpose.js';

export default defineRule({
  meta: {
    id: 'KM-WL-008',
    title: 'Container runtime socket mounted',
    severity: 'critical',
    door: 'runtime-socket',
    description:
      "A pod that mounts the node's container runtime socket (Docker, containerd, CRI-O, cri-dockerd, Podman), or a host directory that holds one such as `/run` or `/var/run`, " +
      'can ask the runtime to start a privileged container with the host filesystem mounted: root on the node, and a container the API server never saw, so admission control and audit logs miss it. ' +
      'A read-only mount does not help: connecting to a Unix socket is not a write to the filesystem. ' +
      'A directory that only holds the sockets (`/`, `/run`) mounted by containers that are all unprivileged (non-root, no privilege escalation, every capability dropped, no group 0) is judged as a directory by KM-WL-005/006/007 instead: the sockets are `0660 root` on the node. A socket mounted by itself is always reported.',
    remediation:
      'Remove the hostPath volume. Image builds can use a rootless builder (BuildKit rootless, Kaniko, Buildah) instead of the Docker socket; ' +
      'monitoring agents should use the kubelet or CRI read-only endpoints they are granted, and run in a dedicated, tightly controlled namespace if they truly need the socket.',
    references: [DOCS.hostPath, DOCS.criSockets, DOCS.podSecurityStandards],
    frameworks: { cis: ['5.2.12'], nsa: [NSA.podSecurity, NSA.hardeningContainerEnv], mitre: [MITRE.deployContainer, MITRE.escapeToHost, MITRE.containerAdministrationCommand], pss: [PSS.hostPath, PSS.volumeTypes] },
    messages: {
      socket: '{{resource}} mounts the {{runtime}} socket `{{path}}` from the host{{where}}',
      directory: '{{resource}} mounts the host directory `{{path}}`{{where}}, which holds the {{runtime}} socket `{{socket}}`',
      runtimeDirectory: '{{resource}} mounts the host directory `{{path}}`{{where}}, where the container runtime sockets live ({{runtime}})',
      root: "{{resource}} mounts the node's root filesystem `/`{{where}}, container runtime sockets included",
    },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: ci-runner, namespace: ci}
spec:
  template:
    spec:
      containers:
        - name: runner
          image: registry.example.com/runner:3.2
          volumeMounts:
            - {name: docker, mountPath: /var/run/docker.sock, readOnly: true}
      volumes:
        - name: docker
          hostPath: {path: /var/run/docker.sock, type: Socket}`,
      `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: inspector, namespace: ops}
spec:
  selector: {matchLabels: {app: inspector}}
  template:
    metadata: {labels: {app: inspector}}
    spec:
      containers:
        - name: inspector
          image: registry.example.com/inspector:1.0
          volumeMounts: [{name: run, mountPath: /host/run}]
      volumes:
        - name: run
          hostPath: {path: /run/containerd/}`,
      `apiVersion: v1
kind: Pod
metadata: {name: sneaky, namespace: ci}
spec:
  containers:
    - name: c
      image: busybox:1.36
      volumeMounts:
        - {name: varrun, mountPath: /sock, subPath: crio/crio.sock}
  volumes:
    - name: varrun
      hostPath: {path: /var/run}`,
    ],
    pass: [
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
          volumeMounts:
            - {name: xtables-lock, mountPath: /run/xtables.lock}
            - {name: lib-modules, mountPath: /lib/modules, readOnly: true}
      volumes:
        - name: xtables-lock
          hostPath: {path: /run/xtables.lock, type: FileOrCreate}
        - name: lib-modules
          hostPath: {path: /lib/modules}`,
      // `/` read-only by an unprivileged exporter: the `0660 root` sockets are closed to it (KM-WL-007 reports `/`, at medium)
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
      `apiVersion: v1
kind: Pod
metadata: {name: builder, namespace: ci}
spec:
  containers:
    - name: buildkitd
      image: moby/buildkit:v0.16.0-rootless
      volumeMounts: [{name: state, mountPath: /home/user/.local/share/buildkit}]
  volumes:
    - name: state
      emptyDir: {}`,
    ],
  },
  create(context) {
    return {
      podSpec(pod) {
        for (const { volume, verdict } of classifiedHostPaths(pod)) {
          if (verdict.rule !== 'KM-WL-008') continue;
          const { socket } = verdict;
          const runtime = socket.runtimes.join(', ');
          const where = verdict.mounts.length > 0 ? ` into ${describeMounts(verdict.mounts)}` : ' (declared; no container mounts it yet)';
          context.report({
            node: pod,
            messageId: !socket.directory ? 'socket' : verdict.exposure === '/' ? 'root' : socket.runtimes.length > 1 ? 'runtimeDirectory' : 'directory',
            data: { runtime, path: verdict.exposure, socket: socket.socket, where },
            at: volume.at,
            evidence: `${volumeEvidence(volume, verdict.exposure)} (runtime: ${runtime})`,
            // the fact is the socket (not the directory that holds it); connecting to it is no write, whatever the mount says
            ...purposeWeighing(context, pod, { kind: 'hostPath', path: socket.socket, write: false }),
          });
        }
      },
    };
  },
});
