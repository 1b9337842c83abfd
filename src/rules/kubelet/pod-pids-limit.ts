import { defineRule } from '../../core/rule.js';
import { kubelet, kubeletVisitors, reportNode, subject } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-KL-009',
    title: 'Kubelet sets no limit on processes per pod',
    severity: 'low',
    door: 'kubelet',
    description:
      'Without `podPidsLimit` one pod can create processes until the node runs out of PIDs (a fork bomb, a leaking worker, a miner spawning threads): every other pod on the node, and the kubelet itself, then fail to start anything. CPU and memory limits do not prevent it.',
    remediation: 'Set `podPidsLimit` in the kubelet configuration (for example 4096, or what your largest workload needs) or `--pod-max-pids`.',
    references: ['https://kubernetes.io/docs/concepts/policy/pid-limiting/'],
    frameworks: { cis: ['4.2.13'], mitre: ['T1499'] },
    messages: { unlimited: '{{subject}} lets each pod create processes until the node runs out of PIDs (no podPidsLimit)' },
  },
  examples: {
    fail: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
readOnlyPort: 0`,
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
podPidsLimit: -1`,
    ],
    pass: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
podPidsLimit: 4096`,
    ],
  },
  create(context) {
    return kubeletVisitors((k) => {
      const limit = kubelet.podPidsLimit(k);
      if (limit.value <= 0) context.report({ node: reportNode(k), messageId: 'unlimited', at: limit.at, evidence: limit.shown, data: { subject: subject(k) } });
    });
  },
});
