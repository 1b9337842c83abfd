import { defineRule } from '../../core/rule.js';
import { kubelet, kubeletVisitors, reportNode, subject } from './settings.js';

/** A Go duration of zero: `0`, `0s`, `0m0s`, `0h0m0s`… */
function isZeroDuration(d: string): boolean {
  return /^[+-]?(0+(\.0*)?(ns|us|µs|ms|s|m|h)?)+$/.test(d.trim());
}

export default defineRule({
  meta: {
    id: 'KM-KL-008',
    title: 'Kubelet streaming connections never time out',
    severity: 'low',
    door: 'kubelet',
    description:
      '`streamingConnectionIdleTimeout: 0` keeps exec, attach and port-forward streams open for ever, even idle: a forgotten `kubectl exec` or `port-forward` stays a live door into the container, and a flood of idle streams can exhaust the node.',
    remediation: 'Set `streamingConnectionIdleTimeout` to a bounded value such as `5m` (the default is 4h).',
    references: ['https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/'],
    frameworks: { cis: ['4.2.5'] },
    messages: { zero: '{{subject}} never closes idle exec, attach and port-forward streams (streamingConnectionIdleTimeout is 0)' },
  },
  examples: {
    fail: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
streamingConnectionIdleTimeout: 0s`,
    ],
    pass: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
streamingConnectionIdleTimeout: 5m`,
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
readOnlyPort: 0`,
    ],
  },
  create(context) {
    return kubeletVisitors((k) => {
      const t = kubelet.streamingConnectionIdleTimeout(k);
      if (isZeroDuration(t.value)) context.report({ node: reportNode(k), messageId: 'zero', at: t.at, evidence: t.shown, data: { subject: subject(k) } });
    });
  },
});
