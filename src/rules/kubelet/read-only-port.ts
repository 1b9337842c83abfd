import { defineRule } from '../../core/rule.js';
import { kubelet, kubeletVisitors, reportNode, subject } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-KL-003',
    title: 'Kubelet read-only port open',
    severity: 'high',
    door: 'kubelet',
    description:
      'The read-only port (usually 10255) serves `/pods`, `/spec` and metrics over plain HTTP with no authentication or authorization at all. Anyone who reaches it sees every pod on the node with its environment variables — credentials included — and learns the node\'s layout for the next step.',
    remediation: 'Set `readOnlyPort: 0` in the kubelet configuration (or `--read-only-port=0`); scrape metrics from the authenticated port 10250 instead.',
    references: ['https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/'],
    frameworks: { cis: ['4.2.4'], nsa: ['NSA-CISA Network separation: control plane hardening'], mitre: ['T1552.007', 'T1613'] },
    messages: { open: '{{subject}} serves its read-only API without authentication on port {{port}}' },
  },
  examples: {
    fail: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
readOnlyPort: 10255`,
    ],
    pass: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
readOnlyPort: 0`,
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authorization: {mode: Webhook}`,
    ],
  },
  create(context) {
    return kubeletVisitors((k) => {
      const port = kubelet.readOnlyPort(k);
      if (port.value > 0) context.report({ node: reportNode(k), messageId: 'open', at: port.at, evidence: port.shown, data: { subject: subject(k), port: port.value } });
    });
  },
});
