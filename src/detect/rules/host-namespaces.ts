import { defineDetection } from '../rule.js';
import { hostNamespacesOf, imagesOf, objectLabel } from '../podspec.js';
import { ADMIN, DEV, busybox, createDeployment, createPod, controllerSA } from './examples.js';
import { WORKLOAD_KEYS, writtenPodSpec } from './workload-write.js';

export default defineDetection({
  meta: {
    id: 'KM-DT-008',
    title: 'Pod shares the node\'s namespaces',
    severity: 'high',
    description: 'A pod or workload was written with hostNetwork, hostPID or hostIPC. It then sees the node\'s network interfaces and local-only services, every process on the node (and their environment), or the node\'s shared memory: the usual steps before escaping to the host.',
    response: 'Check who created it and why; only node agents (CNI, monitoring) need host namespaces. Enforce Pod Security `baseline` on application namespaces.',
    mitre: ['T1611'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline'],
    falco: ['Create HostNetwork Pod', 'Create HostPid Pod', 'Create HostIPC Pod'],
  },
  on: WORKLOAD_KEYS,
  exemptControlPlane: true,
  create: () => (e) => {
    const spec = writtenPodSpec(e);
    if (!spec) return undefined;
    const shared = hostNamespacesOf(spec);
    if (shared.length === 0) return undefined;
    return {
      message: `${e.user.username} ${e.verb === 'create' ? 'created' : 'changed'} ${objectLabel(e)} with ${shared.join(', ')}`,
      images: imagesOf(spec),
      details: { hostNamespaces: shared.join(',') },
    };
  },
  examples: {
    trigger: [
      createPod('privileged', 'lab-apps', { hostPID: true, containers: [busybox({ securityContext: { privileged: true } })] }),
      createDeployment('sniffer', 'default', { hostNetwork: true, containers: [busybox()] }, DEV),
    ],
    ignore: [
      createPod('web', 'lab-apps', { hostNetwork: false, containers: [busybox()] }, ADMIN),
      createPod('node-exporter-x2v9q', 'monitoring', { hostNetwork: true, hostPID: true, containers: [busybox()] }, controllerSA('daemon-set-controller')),
    ],
  },
});
