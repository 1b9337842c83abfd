import { defineRule } from '../../core/rule.js';
import { kubelet, kubeletVisitors, reportNode, subject } from './settings.js';

/** Cipher suites with forward secrecy and AEAD (what CIS lists as strong for the kubelet); TLS 1.3 suites are always strong. */
const STRONG = new Set([
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
]);

export default defineRule({
  meta: {
    id: 'KM-KL-010',
    title: 'Kubelet accepts weak TLS cipher suites',
    severity: 'low',
    door: 'kubelet',
    description:
      'Without `tlsCipherSuites` the kubelet accepts Go\'s default list for TLS 1.2, which still includes suites without forward secrecy (RSA key exchange) and CBC modes: a recorded exec or log stream can be decrypted later if the kubelet\'s key leaks. CIS asks for an explicit list of strong suites.',
    remediation: 'Set `tlsCipherSuites` to ECDHE suites with AES-GCM or ChaCha20-Poly1305 only (and `tlsMinVersion: VersionTLS12` or higher).',
    references: ['https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/'],
    frameworks: { cis: ['4.2.12'] },
    messages: {
      unset: '{{subject}} does not restrict its TLS cipher suites (Go\'s defaults include suites without forward secrecy)',
      weak: '{{subject}} accepts weak TLS cipher suites: {{weak}}',
    },
  },
  examples: {
    fail: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
readOnlyPort: 0`,
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
tlsCipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_RSA_WITH_AES_128_CBC_SHA]`,
    ],
    pass: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
tlsCipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]`,
    ],
  },
  create(context) {
    return kubeletVisitors((k) => {
      const suites = kubelet.tlsCipherSuites(k);
      if (suites.value.length === 0) {
        context.report({ node: reportNode(k), messageId: 'unset', at: suites.at, evidence: suites.shown, data: { subject: subject(k) } });
        return;
      }
      const weak = suites.value.filter((s) => !STRONG.has(s.trim()));
      if (weak.length > 0) context.report({ node: reportNode(k), messageId: 'weak', at: suites.at, evidence: suites.shown, data: { subject: subject(k), weak: weak.join(', ') } });
    });
  },
});
