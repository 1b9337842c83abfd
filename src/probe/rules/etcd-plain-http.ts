import { defineProbeRule } from '../rule.js';
import { example } from './facts.js';

export default defineProbeRule({
  meta: {
    id: 'KM-EX-010',
    title: 'etcd speaks plain HTTP',
    severity: 'high',
    door: 'etcd',
    description:
      'etcd answered over plain HTTP: nothing it sends or receives is encrypted, and no client certificate can be asked for. Anyone on the path between the API server and etcd reads every Secret as it is written, and the client port cannot authenticate its callers.',
    remediation: 'Serve etcd clients over TLS only: `--listen-client-urls=https://…`, `--cert-file`, `--key-file`, `--client-cert-auth=true`, `--trusted-ca-file`; point the API server at it with `--etcd-cafile`, `--etcd-certfile`, `--etcd-keyfile`.',
    references: ['https://etcd.io/docs/v3.5/op-guide/security/'],
    frameworks: { cis: ['2.1'], nsa: ['NSA-CISA Kubernetes Hardening: etcd'], mitre: ['T1040'] },
    messages: { plain: 'etcd at {{endpoint}} serves clients over plain HTTP' },
  },
  examples: {
    fail: [example('etcd', 'http', {}, { identifiedBy: 'GET /version: etcdserver 3.5.9' })],
    pass: [example('etcd', 'https', {}, { clientCertRequired: true })],
  },
  check(ep) {
    if (ep.service !== 'etcd' || ep.scheme !== 'http') return [];
    return [{ messageId: 'plain', evidence: ep.identifiedBy }];
  },
});
