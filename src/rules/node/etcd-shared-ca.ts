import { defineRule } from '../../core/rule.js';
import { MITRE } from '../references.js';
import { CP_DOCS } from '../control-plane/settings.js';
import { nodeCertificate } from './shared.js';

const cert = (role: string, path: string, fingerprint: string): string => `apiVersion: node.kubemoat.io/v1alpha1
kind: NodeCertificate
metadata: {name: "${role}:${path}"}
spec: {path: ${path}, role: ${role}, usedBy: "x (pid 1)", subject: "CN=ca", issuer: "CN=ca", notAfter: "2035-01-01T00:00:00.000Z", observedAt: "2026-01-01T00:00:00.000Z", selfSigned: true, fingerprints: ["${fingerprint}"]}`;

export default defineRule({
  meta: {
    id: 'KM-ND-007',
    title: 'etcd trusts the CA that signs the API server\'s clients',
    severity: 'high',
    door: 'etcd',
    description:
      'etcd lets in any client (or peer) with a certificate from the CA it trusts. When that CA is also the one the API server uses to authenticate its clients, every certificate the cluster CA ever issued — each kubelet\'s, each administrator\'s, any user\'s from a CertificateSigningRequest — opens etcd directly: every Secret readable and writable with no RBAC and no audit. etcd needs a CA of its own.',
    remediation: 'Give etcd its own CA (kubeadm: /etc/kubernetes/pki/etcd/ca.crt) for `--trusted-ca-file` and `--peer-trusted-ca-file`, and issue the API server an etcd client certificate from it (`--etcd-certfile`).',
    references: [CP_DOCS.etcdSecurity, 'https://kubernetes.io/docs/setup/best-practices/certificates/'],
    frameworks: { cis: ['2.7'], mitre: [MITRE.unsecuredCredentials] },
    messages: { shared: 'etcd\'s {{what}} `{{path}}` is the same CA as the API server\'s client CA `{{apiserverCa}}`: any certificate the cluster CA issued {{gains}}' },
  },
  examples: {
    fail: [
      `${cert('apiserver-client-ca', '/etc/kubernetes/pki/ca.crt', 'aa')}\n---\n${cert('etcd-trusted-ca', '/etc/kubernetes/pki/ca.crt', 'aa')}`,
    ],
    pass: [
      `${cert('apiserver-client-ca', '/etc/kubernetes/pki/ca.crt', 'aa')}\n---\n${cert('etcd-trusted-ca', '/etc/kubernetes/pki/etcd/ca.crt', 'bb')}`,
    ],
  },
  create(context) {
    return {
      kinds: {
        NodeCertificate(o) {
          const c = nodeCertificate(o);
          if (c === undefined || (c.role !== 'etcd-trusted-ca' && c.role !== 'etcd-peer-trusted-ca')) return;
          const clientCas = context.inventory.ofKind('NodeCertificate').map(nodeCertificate).filter((a) => a?.role === 'apiserver-client-ca');
          const shared = clientCas.find((a) => a !== undefined && a.fingerprints.some((f) => c.fingerprints.includes(f)));
          if (shared === undefined) return;
          const peer = c.role === 'etcd-peer-trusted-ca';
          context.report({
            node: o,
            messageId: 'shared',
            at: ['spec', 'fingerprints'],
            severity: peer ? 'medium' : 'high',
            data: { what: peer ? 'peer CA (--peer-trusted-ca-file)' : 'client CA (--trusted-ca-file)', path: c.path, apiserverCa: shared.path, gains: peer ? 'can join etcd as a peer member (and replicate every key)' : 'can read and write every key in etcd' },
            evidence: `${c.usedBy}: ${c.path} (SHA-256 ${c.fingerprints[0]?.slice(0, 16)}…) = ${shared.usedBy}: ${shared.path}`,
          });
        },
      },
    };
  },
});
