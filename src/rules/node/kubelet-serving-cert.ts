import { defineRule } from '../../core/rule.js';
import { CP_MITRE } from '../control-plane/settings.js';
import { nodeCertificate } from './shared.js';

const cert = (selfSigned: boolean): string => `apiVersion: node.kubemoat.io/v1alpha1
kind: NodeCertificate
metadata: {name: "kubelet-serving:/var/lib/kubelet/pki/kubelet.crt"}
spec: {path: /var/lib/kubelet/pki/kubelet.crt, role: kubelet-serving, usedBy: "kubelet (pid 1) --cert-dir (self-signed)", subject: "CN=node-1@1700000000", issuer: "${selfSigned ? 'CN=node-1-ca@1700000000' : 'CN=kubernetes'}", notAfter: "2027-01-01T00:00:00.000Z", observedAt: "2026-01-01T00:00:00.000Z", selfSigned: ${selfSigned}, fingerprints: ["aa"]}`;

export default defineRule({
  meta: {
    id: 'KM-ND-009',
    title: 'Kubelet serves a self-signed certificate',
    severity: 'medium',
    door: 'kubelet',
    description:
      'Without `serverTLSBootstrap` or a `tlsCertFile`, the kubelet makes itself a self-signed serving certificate at start-up (valid one year, never rotated). Nobody can verify it: the API server must then skip verification when it calls the kubelet for logs, exec and port-forward (no `--kubelet-certificate-authority`), so anyone who can redirect traffic to port 10250 sees those streams and can answer them.',
    remediation: 'Set `serverTLSBootstrap: true` in the kubelet configuration and approve the kubelet-serving CSRs (or run a CSR approver), then give the API server `--kubelet-certificate-authority`.',
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/#certificate-rotation'],
    frameworks: { cis: ['4.2.9'], mitre: [CP_MITRE.adversaryInTheMiddle] },
    messages: { selfSigned: 'the kubelet serves a self-signed certificate `{{path}}` ({{subject}}): the API server cannot verify it is talking to this node' },
  },
  examples: {
    fail: [cert(true)],
    pass: [cert(false)],
  },
  create(context) {
    return {
      kinds: {
        NodeCertificate(o) {
          const c = nodeCertificate(o);
          if (c === undefined || c.role !== 'kubelet-serving' || !c.selfSigned) return;
          context.report({ node: o, messageId: 'selfSigned', at: ['spec', 'selfSigned'], data: { path: c.path, subject: c.subject }, evidence: `${c.usedBy}: subject ${c.subject}, issuer ${c.issuer}` });
        },
      },
    };
  },
});
