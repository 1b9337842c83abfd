import { defineDetection } from '../rule.js';
import { containersOf, DANGEROUS_CAPABILITIES, ESCAPE_CAPABILITIES, dangerousCapabilities, imagesOf, isPrivileged, objectLabel } from '../podspec.js';
import { ADMIN, DEV, busybox, controllerSA, createDeployment, createPod } from './examples.js';
import { WORKLOAD_KEYS, writtenPodSpec } from './workload-write.js';

export default defineDetection({
  meta: {
    id: 'KM-DT-028',
    title: 'Container given dangerous capabilities',
    severity: 'high',
    description: `A pod or workload was written whose containers add Linux capabilities that break the container boundary or reach into the node: ${[...DANGEROUS_CAPABILITIES.keys()].join(', ')}. SYS_ADMIN, SYS_MODULE and DAC_READ_SEARCH are each a known escape on their own; SYS_PTRACE, BPF and NET_ADMIN reach other processes, the kernel and other pods' traffic. (Privileged containers have every capability and are KM-DT-006.)`,
    response: 'Check who wrote it and why the workload needs the capability; drop it (`capabilities: {drop: [ALL]}` and add back only what is needed, such as NET_BIND_SERVICE). Enforce Pod Security `baseline`, which refuses these capabilities.',
    mitre: ['T1611', 'T1068'],
    references: ['https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline', 'https://man7.org/linux/man-pages/man7/capabilities.7.html'],
  },
  on: WORKLOAD_KEYS,
  exemptControlPlane: true,
  create: () => (e) => {
    const spec = writtenPodSpec(e);
    if (!spec) return undefined;
    const found = containersOf(spec).filter((c) => !isPrivileged(c)).map((c) => ({ name: c.name, caps: dangerousCapabilities(c) })).filter((c) => c.caps.length > 0);
    if (found.length === 0) return undefined;
    const caps = [...new Set(found.flatMap((c) => c.caps))];
    const shown = found.map((c) => `${c.name}: ${c.caps.map((cap) => `${cap} (${DANGEROUS_CAPABILITIES.get(cap)})`).join(', ')}`).join('; ');
    return {
      message: `${e.user.username} ${e.verb === 'create' ? 'created' : 'changed'} ${objectLabel(e)} adding ${shown}`,
      severity: caps.some((c) => ESCAPE_CAPABILITIES.has(c)) ? 'critical' : 'high',
      images: imagesOf(spec),
      details: { capabilities: caps.join(','), containers: found.map((c) => c.name).join(',') },
    };
  },
  examples: {
    trigger: [
      createPod('debug', 'shop', { containers: [busybox({ securityContext: { capabilities: { add: ['SYS_ADMIN', 'NET_RAW'] } } })] }, DEV),
      createPod('tracer', 'monitoring', { hostPID: true, containers: [busybox({ securityContext: { capabilities: { add: ['CAP_SYS_PTRACE', 'bpf'] } } })] }),
      createDeployment('vpn', 'edge', { containers: [busybox({ name: 'wg', securityContext: { capabilities: { add: ['NET_ADMIN'] } } })] }, DEV),
    ],
    ignore: [
      createPod('web', 'shop', { containers: [busybox({ securityContext: { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } })] }, DEV),
      // privileged already has every capability: KM-DT-006 says so
      createPod('priv', 'shop', { containers: [busybox({ securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } } })] }, ADMIN),
      createPod('cni-xk2p9', 'kube-system', { containers: [busybox({ securityContext: { capabilities: { add: ['NET_ADMIN'] } } })] }, controllerSA('daemon-set-controller')),
    ],
  },
});
