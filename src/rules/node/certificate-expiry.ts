import { defineRule } from '../../core/rule.js';
import { nodeCertificate } from './shared.js';

const DAY = 24 * 60 * 60 * 1000;
export const EXPIRY_WARNING_DAYS = 30;

const cert = (notAfter: string): string => `apiVersion: node.kubemoat.io/v1alpha1
kind: NodeCertificate
metadata: {name: "apiserver-serving:/etc/kubernetes/pki/apiserver.crt"}
spec: {path: /etc/kubernetes/pki/apiserver.crt, role: apiserver-serving, usedBy: "kube-apiserver (pid 1) --tls-cert-file", subject: "CN=kube-apiserver", issuer: "CN=kubernetes", notAfter: "${notAfter}", observedAt: "2026-06-01T00:00:00.000Z", selfSigned: false, fingerprints: ["aa"]}`;

export default defineRule({
  meta: {
    id: 'KM-ND-008',
    title: 'Certificate expired or expiring within 30 days',
    severity: 'medium',
    door: 'control-plane',
    description:
      'An expired certificate stops the component that serves or presents it: the API server, etcd or the kubelet refuses or fails connections, and the usual fix under pressure — turning verification off, or issuing a long-lived replacement by hand — opens more than it closes. kubeadm certificates last a year and are renewed only on upgrade, so clusters that are not upgraded hit this. kubemoat reads every certificate the running components name (and the client certificates embedded in their kubeconfigs).',
    remediation: 'Renew it (kubeadm: `kubeadm certs renew all`, then restart the control-plane components; kubelets: enable `rotateCertificates`).',
    references: ['https://kubernetes.io/docs/tasks/administer-cluster/kubeadm/kubeadm-certs/'],
    frameworks: {},
    messages: {
      expired: 'the certificate `{{path}}` ({{subject}}, used by {{usedBy}}) expired on {{notAfter}}',
      expiring: 'the certificate `{{path}}` ({{subject}}, used by {{usedBy}}) expires in {{days}} days, on {{notAfter}}',
    },
  },
  examples: {
    fail: [cert('2026-06-10T00:00:00.000Z'), cert('2026-05-01T00:00:00.000Z')],
    pass: [cert('2027-06-01T00:00:00.000Z')],
  },
  create(context) {
    return {
      kinds: {
        NodeCertificate(o) {
          const c = nodeCertificate(o);
          if (c?.notAfter === undefined || c.observedAt === undefined) return;
          const left = c.notAfter.getTime() - c.observedAt.getTime();
          if (left >= EXPIRY_WARNING_DAYS * DAY) return;
          const data = { path: c.path, subject: c.subject, usedBy: c.usedBy, notAfter: c.notAfter.toISOString().slice(0, 10), days: Math.floor(left / DAY) };
          context.report({ node: o, messageId: left <= 0 ? 'expired' : 'expiring', at: ['spec', 'notAfter'], severity: left <= 0 ? 'high' : 'medium', data, evidence: `notAfter ${c.notAfter.toISOString()}, read at ${c.observedAt.toISOString()}` });
        },
      },
    };
  },
});
