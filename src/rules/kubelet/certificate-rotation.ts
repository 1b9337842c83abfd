import { defineRule } from '../../core/rule.js';
import { kubelet, kubeletVisitors, reportNode, subject } from './settings.js';

export default defineRule({
  meta: {
    id: 'KM-KL-005',
    title: 'Kubelet certificates are not rotated',
    severity: 'low',
    door: 'kubelet',
    description:
      'A kubelet that does not rotate its client certificate keeps one long-lived credential for the node identity; one that does not bootstrap its serving certificate from the cluster CA serves a self-signed one, which the API server cannot verify, so a machine in the middle between the API server and the kubelet goes unnoticed.',
    remediation: 'Set `rotateCertificates: true` (client) and `serverTLSBootstrap: true` (serving; approve the kubelet-serving CSRs) in the kubelet configuration.',
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/#certificate-rotation'],
    frameworks: { cis: ['4.2.10', '4.2.11'] },
    messages: {
      client: '{{subject}} does not rotate its client certificate (rotateCertificates is off)',
      server: '{{subject}} does not request a serving certificate from the cluster CA (serverTLSBootstrap is off)',
    },
  },
  examples: {
    fail: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
rotateCertificates: false
serverTLSBootstrap: true`,
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
rotateCertificates: true`,
    ],
    pass: [
      `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
rotateCertificates: true
serverTLSBootstrap: true`,
    ],
  },
  create(context) {
    return kubeletVisitors((k) => {
      const client = kubelet.rotateCertificates(k);
      if (!client.value) context.report({ node: reportNode(k), messageId: 'client', at: client.at, evidence: client.shown, frameworks: { cis: ['4.2.10'] }, data: { subject: subject(k) } });
      const server = kubelet.serverTLSBootstrap(k);
      if (!server.value) context.report({ node: reportNode(k), messageId: 'server', at: server.at, evidence: server.shown, frameworks: { cis: ['4.2.11'] }, data: { subject: subject(k) } });
    });
  },
});
