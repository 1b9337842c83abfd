import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { ADMIN, DEV, auditEvent, controllerSA } from './examples.js';

function approve(name: string, user = ADMIN, code = 200) {
  return auditEvent({
    verb: 'update', uri: `/apis/certificates.k8s.io/v1/certificatesigningrequests/${name}/approval`, resource: 'certificatesigningrequests', subresource: 'approval', apiGroup: 'certificates.k8s.io', name, user, code,
    requestObject: { kind: 'CertificateSigningRequest', apiVersion: 'certificates.k8s.io/v1', metadata: { name }, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'This CSR was approved by kubectl certificate approve.' }] } },
  });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-018',
    title: 'Certificate signing request approved by a user',
    severity: 'high',
    description: 'A user approved a CertificateSigningRequest. A certificate signed by the cluster CA for a chosen name and group (system:masters, a node) is a credential that cannot be revoked before it expires; the controller manager approves kubelet CSRs on its own, people rarely need to.',
    response: 'Check the CSR\'s subject and groups (`kubectl get csr NAME -o yaml`). If it was not expected, rotate the CA or remove the rights the subject\'s groups have.',
    mitre: ['T1649'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/'],
  },
  on: ['certificatesigningrequests/approval'],
  exemptControlPlane: true,
  create: () => (e) => {
    if ((e.verb !== 'update' && e.verb !== 'patch') || !succeeded(e)) return undefined;
    return { message: `${e.user.username} approved certificate signing request ${e.objectRef?.name || '?'}` };
  },
  examples: {
    trigger: [approve('csr-8mz2q'), approve('backdoor-admin', DEV)],
    ignore: [approve('csr-node-1', controllerSA('certificate-controller')), approve('csr-8mz2q', DEV, 403)],
  },
});
