import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { ADMIN, CONTROLLER_MANAGER, DEV, KUBELET, auditEvent, controllerSA, inPod } from './examples.js';
import { CONTROLLER_ACCOUNTS } from '../trust.js';

function tokenRequest(namespace: string, sa: string, user = ADMIN, code = 201) {
  return auditEvent({ verb: 'create', uri: `/api/v1/namespaces/${namespace}/serviceaccounts/${sa}/token`, resource: 'serviceaccounts', subresource: 'token', namespace, name: sa, user, code });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-017',
    title: 'Service-account token minted by a user',
    severity: 'medium',
    description: 'A user asked the API server for a token of a service account (`kubectl create token`, the TokenRequest API). The kubelet does this all the time for its pods, and kube-controller-manager for its own controller accounts in kube-system; anyone else (a person, a workload, or the controller manager\'s credential asking for any other account) walks away with the account\'s rights in a bearer token that works from anywhere until it expires.',
    response: 'Check that the user may act as this service account; if not, revoke the user\'s access and the account\'s bindings (a minted token cannot be revoked on its own except by deleting the account).',
    mitre: ['T1528', 'T1550.001'],
    references: ['https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/'],
  },
  on: ['serviceaccounts/token'],
  exemptControlPlane: true,
  // kubelets mint tokens for their pods (the Node authorizer holds them to those), and
  // kube-controller-manager for its own controller accounts; a token for any other account from
  // the control plane's credentials is someone using them
  judgesTrusted: (e, entry) => entry.kind !== 'node' && !(e.objectRef?.namespace === 'kube-system' && CONTROLLER_ACCOUNTS.includes(e.objectRef.name)),
  create: () => (e) => {
    if (e.verb !== 'create' || !succeeded(e)) return undefined;
    const ref = e.objectRef!;
    return { message: `${e.user.username} minted a token for service account ${ref.namespace}/${ref.name}` };
  },
  examples: {
    trigger: [
      tokenRequest('lab-apps', 'ci-deployer'),
      tokenRequest('kube-system', 'clusterrole-aggregation-controller', DEV),
      // named like a controller, but no controller of kube-controller-manager
      tokenRequest('kube-system', 'clusterrole-aggregation-controller', controllerSA('x-controller')),
      // a real controller account's token, used from a pod
      tokenRequest('kube-system', 'generic-garbage-collector', inPod(controllerSA('deployment-controller'), 'debug-shell')),
      // kube-controller-manager's credential minting a token for an application's account
      tokenRequest('production', 'app-sa', CONTROLLER_MANAGER),
      tokenRequest('kube-system', 'coredns', controllerSA('namespace-controller')),
    ],
    ignore: [
      tokenRequest('lab-apps', 'default', KUBELET),
      tokenRequest('kube-system', 'replicaset-controller', CONTROLLER_MANAGER),
      tokenRequest('lab-apps', 'ci-deployer', DEV, 403),
    ],
  },
});
