import { defineDetection } from '../rule.js';
import { containersOf, imagesOf, isPrivileged, objectLabel } from '../podspec.js';
import { ADMIN, DEV, controllerSA, busybox, createDeployment, createPod } from './examples.js';
import { WORKLOAD_KEYS, writtenPodSpec } from './workload-write.js';

export default defineDetection({
  meta: {
    id: 'KM-DT-006',
    title: 'Privileged container created',
    severity: 'critical',
    description: 'A pod or workload with a privileged container was written. A privileged container has every capability and every device of the node: escaping to the host is one mount away. Miners and attackers create them right after getting API access.',
    response: 'Check who created it and why. Delete it if it is not an approved system component, and enforce Pod Security `baseline` or `restricted` on the namespace so the API server refuses the next one.',
    mitre: ['T1610', 'T1611'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/'],
    falco: ['Create Privileged Pod'],
  },
  on: WORKLOAD_KEYS,
  exemptControlPlane: true,
  create: () => (e) => {
    const spec = writtenPodSpec(e);
    if (!spec) return undefined;
    const privileged = containersOf(spec).filter(isPrivileged);
    if (privileged.length === 0) return undefined;
    const names = privileged.map((c) => c.name).join(', ');
    return {
      message: `${e.user.username} ${e.verb === 'create' ? 'created' : 'changed'} ${objectLabel(e)} with privileged container ${names}`,
      images: imagesOf(spec),
      details: { containers: names, images: privileged.map((c) => c.image).join(',') },
    };
  },
  examples: {
    trigger: [
      createPod('privileged', 'lab-apps', { hostPID: true, containers: [busybox({ securityContext: { privileged: true } })] }),
      createDeployment('miner', 'default', { containers: [busybox({ name: 'xmrig', image: 'docker.io/library/alpine:3.20', securityContext: { privileged: true } })] }, DEV),
    ],
    ignore: [
      createPod('web', 'lab-apps', { containers: [busybox({ securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 65534 } })] }),
      // the ReplicaSet controller creating the pod of a Deployment already judged
      createPod('miner-5fd989f974-nvfxm', 'default', { containers: [busybox({ securityContext: { privileged: true } })] }, controllerSA('replicaset-controller')),
      createPod('opt-out', 'lab-apps', { containers: [busybox({ securityContext: { privileged: false } })] }, ADMIN),
    ],
  },
});
