import { defineProbeRule } from '../rule.js';
import { KUBERNETES_SERVICES } from '../model.js';
import { example } from './facts.js';

const DAY = 86_400_000;
const SOON_DAYS = 30;

const cert = (validTo: string, selfSigned = false) => ({
  subject: 'CN=kube-apiserver',
  issuer: selfSigned ? 'CN=kube-apiserver' : 'CN=kubernetes',
  selfSigned,
  validFrom: '2020-01-01T00:00:00.000Z',
  validTo,
  altNames: [],
  protocol: 'TLSv1.3',
});

export default defineProbeRule({
  meta: {
    id: 'KM-EX-015',
    title: 'Kubernetes endpoint with an expired, expiring or self-signed certificate',
    severity: 'medium',
    door: 'control-plane',
    description:
      'A Kubernetes component served a TLS certificate that has expired, expires within 30 days, or signs itself. Expired certificates break the clients that verify them and push operators to turn verification off; a self-signed serving certificate (the kubelet\'s default) means clients cannot verify the server at all, so anyone on the path can impersonate it and collect the credentials sent to it.',
    remediation: 'Renew the certificate (`kubeadm certs renew`) and automate it; for kubelets turn on `serverTLSBootstrap: true` with a CSR approver so serving certificates are signed by the cluster CA, and set `--kubelet-certificate-authority` on the API server.',
    references: ['https://kubernetes.io/docs/tasks/administer-cluster/kubeadm/kubeadm-certs/', 'https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/'],
    frameworks: { cis: ['1.2.5', '4.2.9', '4.2.10'], mitre: ['T1557'] },
    messages: {
      expired: '{{service}} at {{endpoint}} serves a certificate that expired on {{date}}',
      expiring: '{{service}} at {{endpoint}} serves a certificate that expires on {{date}}',
      selfSigned: '{{service}} at {{endpoint}} serves a self-signed certificate ({{subject}})',
    },
  },
  examples: {
    fail: [
      example('kube-apiserver', 'https', {}, { tls: cert('2021-01-01T00:00:00.000Z') }),
      example('kubelet', 'https', {}, { tls: cert('2999-01-01T00:00:00.000Z', true) }),
    ],
    pass: [example('kube-apiserver', 'https', {}, { tls: cert('2999-01-01T00:00:00.000Z') }), example('http', 'https', {}, { tls: cert('2021-01-01T00:00:00.000Z') })],
  },
  check(ep) {
    if (ep.tls === undefined || !KUBERNETES_SERVICES.has(ep.service)) return [];
    const now = Date.now();
    const end = Date.parse(ep.tls.validTo);
    const date = ep.tls.validTo.slice(0, 10);
    const evidence = `certificate ${ep.tls.subject}, issuer ${ep.tls.issuer}, valid ${ep.tls.validFrom.slice(0, 10)} to ${date}`;
    const data = { service: ep.service, date, subject: ep.tls.subject };
    const out = [];
    if (end < now) out.push({ messageId: 'expired', data, evidence, severity: 'high' as const });
    else if (end - now < SOON_DAYS * DAY) out.push({ messageId: 'expiring', data, evidence });
    if (ep.tls.selfSigned) out.push({ messageId: 'selfSigned', data, evidence, severity: 'low' as const });
    return out;
  },
});
