import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { asString, dig } from '../../core/json.js';
import { csrSubject } from '../csr.js';
import { COMPONENT_USERS } from '../trust.js';
import { ADMIN, DEV, KUBELET, auditEvent, type ExampleUser } from './examples.js';

/** Signers whose certificates authenticate to the API server (legacy-unknown: certificates.k8s.io/v1beta1's default). */
const CLIENT_SIGNERS = new Set(['kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/legacy-unknown']);

// PKCS#10 requests made with openssl for these examples (EC P-256; the keys were thrown away)
const CSR_MASTERS = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIc01JR1VBZ0VBTURJeEZ6QVZCZ05WQkFvTURuTjVjM1JsYlRwdFlYTjBaWEp6TVJjd0ZRWURWUVFEREE1aQpZV05yWkc5dmNpMWhaRzFwYmpCWk1CTUdCeXFHU000OUFnRUdDQ3FHU000OUF3RUhBMElBQkpDdnAvN2F5VGo4CmVlVzNONDJLc0M3QkthRlB3cUxmQUFMdzAyZzJmTEdPM2p5WG8yaW94NU9oRlh0WFpiWTFWYktzQXY2ejdjYkYKdHFaMVZueERyN3VnQURBS0JnZ3Foa2pPUFFRREFnTkhBREJFQWlCNGRadGFkU0t1RzFSdEh2NWlwV2VvTUxxSQp0MG5oUDgyeW9XcFBsZThyc3dJZ1YrZXUzSXdwSzA5Rll6UjBIL3NEUHJJaGdqYW5pSmVVQTA5ekJxRW1Dc0U9Ci0tLS0tRU5EIENFUlRJRklDQVRFIFJFUVVFU1QtLS0tLQo=';
const CSR_NODE = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlINk1JR2hBZ0VBTUQ4eEZUQVRCZ05WQkFvTURITjVjM1JsYlRwdWIyUmxjekVtTUNRR0ExVUVBd3dkYzNsegpkR1Z0T201dlpHVTZhM1ZpWlcxdllYUXRhVzV6WldOMWNtVXdXVEFUQmdjcWhrak9QUUlCQmdncWhrak9QUU1CCkJ3TkNBQVNHUG5wci9oLzdHaHErenp0TnlYanBWK3J3TThZdXhmaEZjN0lnVmlMVi9YZEFWcDlsdUZxSzh4cEgKMzIvSVd5emFvTUJwSDBiUnROTFFybHlLMTZ4M29BQXdDZ1lJS29aSXpqMEVBd0lEU0FBd1JRSWdZQ1pIMlA4SwpKV2ZHUFV2d1RlaitQbjArREZhOHcwTmVnRmI0UzhBbXkxY0NJUURIbmhwYnFCbnRDYXcvTGpkejYzT2ZNOE4rCktSRnlTTUJWenQ5WkI3bVhrZz09Ci0tLS0tRU5EIENFUlRJRklDQVRFIFJFUVVFU1QtLS0tLQo=';
const CSR_DEV = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIaE1JR0hBZ0VBTUNVeEV6QVJCZ05WQkFvTUNtUmxkbVZzYjNCbGNuTXhEakFNQmdOVkJBTU1CV0ZzYVdObApNRmt3RXdZSEtvWkl6ajBDQVFZSUtvWkl6ajBEQVFjRFFnQUUxQXJJakt2M2xxYnhDNjJYbk83K0pRaThic1lMCnhLSCtiSVhNUG1QL3hUZVplTDZIbVQzVFd3N1Bkenc2K1ZicmsvMTFHc3pJT0Z1YTVwczJnV01BR3FBQU1Bb0cKQ0NxR1NNNDlCQU1DQTBrQU1FWUNJUUMyM0RvcFA3Q0F4aEJtelNBQjNNZ1Irc2o3KyswNWZjWmNGWXUxL2hJMgptZ0loQU4zeXNwS0V4alBxSWdUTldMYVdpQTlxQ1pkUmN6SnJ4cVBrdUNTRWV2djAKLS0tLS1FTkQgQ0VSVElGSUNBVEUgUkVRVUVTVC0tLS0tCg==';

const BOOTSTRAPPER: ExampleUser = { username: 'system:bootstrap:07401b', groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated'], userAgent: 'kubelet/v1.37.2 (linux/amd64) kubernetes/$Format' };

function createCsr(name: string, signerName: string, request: string | undefined, user: ExampleUser = ADMIN) {
  return auditEvent({
    verb: 'create', code: 201, uri: '/apis/certificates.k8s.io/v1/certificatesigningrequests', resource: 'certificatesigningrequests', apiGroup: 'certificates.k8s.io', name, user,
    ...(request ? { requestObject: { kind: 'CertificateSigningRequest', apiVersion: 'certificates.k8s.io/v1', metadata: { name }, spec: { request, signerName, usages: ['client auth'], expirationSeconds: 31536000 } } } : {}),
  });
}

/** Who a certificate with this subject would be, when that is someone powerful. */
function powerfulSubject(cn: string, orgs: readonly string[]): string | undefined {
  if (orgs.includes('system:masters')) return 'a member of system:masters (unrestricted by RBAC)';
  if (cn.startsWith('system:node:') || orgs.includes('system:nodes')) return 'a node (its kubelet\'s rights, every secret of its pods)';
  if (COMPONENT_USERS.includes(cn) || cn === 'system:admin' || cn === 'kubernetes-admin') return `the control-plane identity ${cn}`;
  return undefined;
}

export default defineDetection({
  meta: {
    id: 'KM-DT-040',
    title: 'Client certificate requested by a user',
    severity: 'high',
    description: 'A user (not the control plane or a node) created a CertificateSigningRequest for a certificate that authenticates to the API server (signer kube-apiserver-client or kube-apiserver-client-kubelet). Once approved and signed (KM-DT-018), it is a credential for the name (CN) and groups (O) in its subject that cannot be revoked before it expires; the subject is read from the request itself. A request for system:masters, a node, or a control-plane component is critical. A kubelet\'s TLS bootstrap (a bootstrap token asking for its own node certificate) is not raised.',
    response: 'Look at the request (`kubectl get csr NAME -o yaml`); deny it (`kubectl certificate deny`) unless it is an approved change, and find why the user may create CSRs. If it was already approved, remove the rights of its subject\'s groups or rotate the cluster CA.',
    mitre: ['T1649', 'T1098'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#kubernetes-signers'],
  },
  on: ['certificatesigningrequests'],
  exemptControlPlane: true,
  create: () => (e) => {
    if (e.verb !== 'create' || !succeeded(e)) return undefined;
    const name = e.objectRef?.name || asString(dig(e.requestObject, 'metadata', 'name')) || '?';
    const bootstrapper = e.user.groups.includes('system:bootstrappers');
    const body = e.requestObject;
    if (!body) {
      // Metadata level: no signer to look at; a bootstrap token only ever asks for its node's certificate
      if (bootstrapper) return undefined;
      return { message: `${e.user.username} created certificate signing request ${name} (body not logged: signer and subject unknown)`, severity: 'medium' };
    }
    const signer = asString(dig(body, 'spec', 'signerName')) ?? 'kubernetes.io/legacy-unknown';
    if (!CLIENT_SIGNERS.has(signer)) return undefined;
    const request = asString(dig(body, 'spec', 'request'));
    const subject = request ? csrSubject(request) : undefined;
    const cn = subject?.commonName ?? '';
    const orgs = subject?.organizations ?? [];
    if (bootstrapper && signer === 'kubernetes.io/kube-apiserver-client-kubelet' && cn.startsWith('system:node:') && orgs.length === 1 && orgs[0] === 'system:nodes') return undefined;
    const powerful = powerfulSubject(cn, orgs);
    const shown = subject ? `CN=${cn}${orgs.map((o) => `, O=${o}`).join('')}` : 'an unreadable subject';
    return {
      message: `${e.user.username} requested a client certificate (${signer}) as ${shown} in CSR ${name}${powerful ? `: it would be ${powerful}` : ''}`,
      severity: powerful ? 'critical' : undefined,
      details: { csr: name, signer, ...(subject ? { commonName: cn, organizations: orgs.join(',') } : {}) },
    };
  },
  examples: {
    trigger: [
      createCsr('backdoor', 'kubernetes.io/kube-apiserver-client', CSR_MASTERS, DEV),
      createCsr('node-cert', 'kubernetes.io/kube-apiserver-client-kubelet', CSR_NODE, DEV),
      createCsr('alice', 'kubernetes.io/kube-apiserver-client', CSR_DEV, ADMIN),
      createCsr('unknown', 'kubernetes.io/kube-apiserver-client', undefined, DEV),
    ],
    ignore: [
      // a kubelet's TLS bootstrap: a bootstrap token asking for its node's client certificate
      createCsr('node-csr-4kq2n', 'kubernetes.io/kube-apiserver-client-kubelet', CSR_NODE, BOOTSTRAPPER),
      createCsr('csr-6qv2z', 'kubernetes.io/kube-apiserver-client-kubelet', CSR_NODE, KUBELET),
      // a serving certificate authenticates nobody to the API server
      createCsr('webhook-serving', 'example.com/serving', CSR_DEV, DEV),
    ],
  },
});
