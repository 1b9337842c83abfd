import { defineDetection } from '../rule.js';
import type { AuditUser } from '../../sources/audit/event.js';
import { isControlPlane, podOfToken } from '../actors.js';
import { NetworkSet } from '../networks.js';
import { CONTROLLER_MANAGER, DEV, KUBELET, auditEvent, controllerSA, podSA, type ExampleUser } from './examples.js';
import { uriPath } from './uri.js';

const INTERNAL = ['10.77.0.0/16', '127.0.0.0/8', 'fd00:77::/48'];

/**
 * What kind of the cluster's own credential this is, or undefined for people and outside systems
 * (a CI pipeline's token, an administrator's certificate), who may call from anywhere.
 */
function clusterCredential(user: AuditUser): string | undefined {
  if (isControlPlane(user)) return user.username.startsWith('system:node:') ? 'a node credential' : 'a control-plane credential';
  // add-ons run in the cluster; a token bound to a pod was minted into that pod
  if (user.username.startsWith('system:serviceaccount:kube-system:')) return 'a kube-system service account';
  if (podOfToken(user) !== undefined) return `the token of pod ${podOfToken(user)}`;
  return undefined;
}

function nodeRead(user: ExampleUser, sourceIP: string) {
  return auditEvent({ verb: 'get', uri: '/api/v1/namespaces/lab-apps/secrets/cloud-credentials', resource: 'secrets', namespace: 'lab-apps', name: 'cloud-credentials', user, sourceIP });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-041',
    title: 'Cluster credential used from outside the cluster\'s networks',
    severity: 'critical',
    description: 'A request made with one of the cluster\'s own credentials came from an address outside the cluster\'s networks (`detect.internalNetworks` in .kubemoat.yaml): a kubelet\'s (system:node:NAME in system:nodes), a control-plane component\'s or controller account\'s, a kube-system service account\'s, or a service-account token bound to a pod. These credentials live on the nodes, the control plane and in pods; used from anywhere else, someone copied the key. (List every address the cluster\'s own traffic reaches the API server from, NAT gateways included.) Every address of the request is checked (a proxy\'s X-Forwarded-For included: a client may add addresses, never hide its own). Without `detect.internalNetworks` the rule judges nothing, and `kubemoat detect` says so once at start.',
    response: 'Treat the credential as stolen: for a kubelet, rotate its client certificate and check the node for compromise (its /var/lib/kubelet/pki was read); for a component, rotate its certificate or token. Look at what the requests from that address did.',
    mitre: ['T1078', 'T1552.004'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/node/', 'https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/'],
    repeatWindowSec: 3600,
  },
  on: '*',
  create: (settings) => {
    if (settings.internalNetworks.length === 0) return undefined;
    const internal = new NetworkSet(settings.internalNetworks);
    return (e) => {
      // trust ignores impersonated requests; the identity that acted is the impersonated one (KM-DT-047)
      if (e.impersonatedUser) return undefined;
      const what = clusterCredential(e.user);
      if (!what) return undefined;
      const outside = internal.outside(e.sourceIPs);
      if (outside.length === 0) return undefined;
      return {
        message: `${e.user.username} (${what}) used from ${outside.join(', ')}, outside the internal networks, to ${e.verb} ${e.objectRef?.resource ? `${e.objectRef.resource}${e.objectRef.subresource ? `/${e.objectRef.subresource}` : ''}${e.objectRef.namespace ? ` in ${e.objectRef.namespace}` : ''}` : uriPath(e.requestURI)}`,
        details: { outside: outside.join(',') },
      };
    };
  },
  examples: {
    settings: { internalNetworks: INTERNAL },
    trigger: [
      nodeRead(KUBELET, '198.51.100.23'),
      auditEvent({ verb: 'list', uri: '/api/v1/secrets', resource: 'secrets', user: CONTROLLER_MANAGER, sourceIP: '203.0.113.50' }),
      auditEvent({ verb: 'create', code: 201, uri: '/api/v1/namespaces/kube-system/serviceaccounts/generic-garbage-collector/token', resource: 'serviceaccounts', subresource: 'token', namespace: 'kube-system', name: 'generic-garbage-collector', user: controllerSA('namespace-controller'), sourceIP: '2001:db8::9' }),
      // behind a proxy: the proxy is inside, the client it names is not
      { ...nodeRead(KUBELET, '10.77.1.2'), sourceIPs: ['198.51.100.23', '10.77.1.2'] },
      // an add-on's account, and a token lifted out of its pod
      nodeRead({ ...controllerSA('coredns'), userAgent: 'coredns/v1.11.3' }, '198.51.100.23'),
      nodeRead(podSA('shop', 'web', 'web-6d4cf56db6-2xq9z'), '203.0.113.7'),
    ],
    ignore: [
      nodeRead(KUBELET, '10.77.1.10'),
      nodeRead(KUBELET, '::ffff:10.77.1.11'),
      auditEvent({ verb: 'list', uri: '/api/v1/secrets', resource: 'secrets', user: CONTROLLER_MANAGER, sourceIP: '127.0.0.1' }),
      // people and outside systems come from anywhere; their requests are judged by the other rules
      nodeRead(DEV, '198.51.100.23'),
      // a service-account token bound to no pod (a CI pipeline's, made with kubectl create token)
      nodeRead(podSA('ci', 'deployer'), '198.51.100.23'),
      // a name like a node's without the group system:nodes is not a kubelet credential
      nodeRead({ ...KUBELET, groups: ['system:authenticated'] }, '198.51.100.23'),
    ],
  },
});
