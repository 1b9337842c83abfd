import { defineRule } from '../../core/rule.js';
import { kubelet, kubeletVisitors, reportNode, subject } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-KL-004',
    title: 'Kubelet does not verify client certificates',
    severity: 'medium',
    door: 'kubelet',
    description:
      'Without `authentication.x509.clientCAFile` the kubelet cannot verify the API server\'s client certificate, so it must fall back to bearer tokens or anonymous access; in practice this is how kubelets end up with anonymous authentication switched back on. CIS requires a client CA on every kubelet.',
    remediation: 'Set `authentication.x509.clientCAFile` to the cluster CA bundle (or `--client-ca-file`).',
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/'],
    frameworks: { cis: ['4.2.3'], nsa: ['NSA-CISA Network separation: control plane hardening'] },
    messages: { missing: '{{subject}} has no client CA file: it cannot verify client certificates' },
  },
  examples: {
    fail: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  webhook: {enabled: true}`,
    ],
    pass: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt`,
    ],
  },
  create(context) {
    return kubeletVisitors((k) => {
      const ca = kubelet.clientCAFile(k);
      if (ca.value === '') context.report({ node: reportNode(k), messageId: 'missing', at: ca.at, evidence: ca.shown, data: { subject: subject(k) } });
    });
  },
});
