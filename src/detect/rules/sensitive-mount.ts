import { defineDetection } from '../rule.js';
import { hostPathsOf, imagesOf, objectLabel, sensitiveHostPath } from '../podspec.js';
import { ADMIN, DEV, KUBELET, busybox, createDeployment, createPod } from './examples.js';
import { WORKLOAD_KEYS, writtenPodSpec } from './workload-write.js';

export default defineDetection({
  meta: {
    id: 'KM-DT-007',
    title: 'Sensitive host path mounted',
    severity: 'critical',
    description: 'A pod or workload mounts a sensitive part of the node: its root filesystem, /etc, /proc, the kubelet\'s or etcd\'s state, or a container runtime socket. Each of these is a direct way out of the container onto the node (a runtime socket starts containers that bypass the API server altogether).',
    response: 'Check who created it and why. Remove the hostPath volume or restrict it to a read-only, narrow path; enforce Pod Security `baseline`, which forbids hostPath volumes.',
    mitre: ['T1611'],
    references: ['https://kubernetes.io/docs/concepts/storage/volumes/#hostpath'],
    falco: ['Create Sensitive Mount Pod'],
  },
  on: WORKLOAD_KEYS,
  exemptControlPlane: true,
  create: () => (e) => {
    const spec = writtenPodSpec(e);
    if (!spec) return undefined;
    const hits = hostPathsOf(spec).map((v) => ({ ...v, why: sensitiveHostPath(v.path) })).filter((v) => v.why !== undefined);
    if (hits.length === 0) return undefined;
    const paths = hits.map((h) => h.path).join(', ');
    return {
      message: `${e.user.username} ${e.verb === 'create' ? 'created' : 'changed'} ${objectLabel(e)} mounting ${hits.map((h) => `${h.path} (${h.why})`).join('; ')}`,
      images: imagesOf(spec),
      details: { hostPaths: paths },
    };
  },
  examples: {
    trigger: [
      createPod('runtime-socket', 'lab-apps', {
        containers: [busybox({ volumeMounts: [{ name: 'containerd-sock', mountPath: '/run/containerd/containerd.sock' }] })],
        volumes: [{ name: 'containerd-sock', hostPath: { path: '/run/kubemoat-lab/insecure/containerd.sock', type: 'Socket' } }],
      }),
      createDeployment('backup', 'ops', { containers: [busybox({ volumeMounts: [{ name: 'host', mountPath: '/host' }] })], volumes: [{ name: 'host', hostPath: { path: '/' } }] }, DEV),
      createPod('kubelet-reader', 'default', { containers: [busybox()], volumes: [{ name: 'pki', hostPath: { path: '/var/lib/kubelet/pki/' } }] }, ADMIN),
    ],
    ignore: [
      createPod('cache', 'lab-apps', { containers: [busybox()], volumes: [{ name: 'cache', hostPath: { path: '/mnt/data/cache', type: 'DirectoryOrCreate' } }, { name: 'tmp', emptyDir: {} }] }),
      // the kubelet's mirror pod of a static control-plane pod
      createPod('kube-apiserver-node1', 'kube-system', { containers: [busybox()], volumes: [{ name: 'k8s', hostPath: { path: '/etc/kubernetes/pki' } }] }, KUBELET),
    ],
  },
});
