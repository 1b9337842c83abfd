import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { ADMIN, APISERVER, CONTROLLER_MANAGER, DEV, auditEvent } from './examples.js';
import { SYSTEM_NAMESPACES } from '../podspec.js';


function createSA(namespace: string, name: string, user = ADMIN, code = 201) {
  return auditEvent({
    verb: 'create', uri: `/api/v1/namespaces/${namespace}/serviceaccounts`, resource: 'serviceaccounts', namespace, name, user, code,
    requestObject: { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name, namespace } },
  });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-010',
    title: 'Service account created in a system namespace by a user',
    severity: 'high',
    description: `A user (not the control plane) created a service account in a namespace of the cluster itself (${[...SYSTEM_NAMESPACES].join(', ')}). An account there looks like part of the cluster; bound to a powerful role it is a quiet, long-lived backdoor.`,
    response: 'Check that it belongs to an approved add-on; otherwise delete it, its bindings and any tokens minted for it.',
    mitre: ['T1136', 'T1078'],
    references: ['https://kubernetes.io/docs/concepts/security/service-accounts/'],
    falco: ['Service Account Created in Kube Namespace'],
  },
  on: ['serviceaccounts'],
  exemptControlPlane: true,
  create: () => (e) => {
    const ns = e.objectRef?.namespace ?? '';
    if (e.verb !== 'create' || !SYSTEM_NAMESPACES.has(ns) || !succeeded(e)) return undefined;
    return { message: `${e.user.username} created service account ${ns}/${e.objectRef?.name || '?'}` };
  },
  examples: {
    trigger: [createSA('kube-system', 'kube-dns-helper', DEV), createSA('kube-system', 'backup', ADMIN)],
    ignore: [
      createSA('lab-apps', 'ci-deployer', ADMIN),
      createSA('kube-system', 'replicaset-controller', CONTROLLER_MANAGER),
      createSA('kube-system', 'default', APISERVER),
      createSA('kube-system', 'evil', DEV, 403),
    ],
  },
});
