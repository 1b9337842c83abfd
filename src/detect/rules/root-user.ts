import { defineDetection } from '../rule.js';
import { containersOf, imagesOf, isPrivileged, objectLabel, runsAsRootExplicitly } from '../podspec.js';
import { DEV, busybox, controllerSA, createDeployment, createPod } from './examples.js';
import { WORKLOAD_KEYS, writtenPodSpec } from './workload-write.js';

export default defineDetection({
  meta: {
    id: 'KM-DT-029',
    title: 'Container set to run as root (runAsUser: 0)',
    severity: 'medium',
    description: 'A pod or workload was written with `runAsUser: 0` (on a container, or on the pod for containers that set none): it asks, explicitly, to run as root whatever the image says. Root in a container is root on the node as soon as one isolation layer fails (a writable host mount, a runtime bug, an added capability); a workload that asks for it is worth a look. (Privileged containers are KM-DT-006.)',
    response: 'Check why the workload needs uid 0; set a non-zero runAsUser and runAsNonRoot: true. Enforce Pod Security `restricted` where workloads allow it.',
    mitre: ['T1611', 'T1610'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted', 'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/'],
  },
  on: WORKLOAD_KEYS,
  exemptControlPlane: true,
  create: () => (e) => {
    const spec = writtenPodSpec(e);
    if (!spec) return undefined;
    const root = containersOf(spec).filter((c) => !isPrivileged(c) && runsAsRootExplicitly(spec, c)).map((c) => c.name);
    if (root.length === 0) return undefined;
    return {
      message: `${e.user.username} ${e.verb === 'create' ? 'created' : 'changed'} ${objectLabel(e)} with runAsUser: 0 for ${root.join(', ')}`,
      images: imagesOf(spec),
      details: { containers: root.join(',') },
    };
  },
  examples: {
    trigger: [
      createPod('root-shell', 'shop', { containers: [busybox({ securityContext: { runAsUser: 0 } })] }, DEV),
      // the pod's setting applies to a container that sets none
      createDeployment('legacy', 'shop', { securityContext: { runAsUser: 0 }, containers: [busybox({ name: 'app' }), busybox({ name: 'sidecar', securityContext: { runAsUser: 1000 } })] }, DEV),
    ],
    ignore: [
      createPod('web', 'shop', { containers: [busybox({ securityContext: { runAsUser: 65534, runAsNonRoot: true } })] }, DEV),
      // the container overrides the pod's root
      createPod('app', 'shop', { securityContext: { runAsUser: 0 }, containers: [busybox({ securityContext: { runAsUser: 1000 } })] }, DEV),
      // no runAsUser at all: the image decides (not an explicit request for root)
      createPod('plain', 'shop', { containers: [busybox()] }, DEV),
      createPod('kube-proxy-x2v9q', 'kube-system', { containers: [busybox({ securityContext: { runAsUser: 0 } })] }, controllerSA('daemon-set-controller')),
    ],
  },
});
