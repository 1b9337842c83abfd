import { defineDetection } from '../rule.js';
import { isControlPlane } from '../actors.js';
import { NetworkSet } from '../networks.js';
import { CONTROLLER_MANAGER, DEV, KUBELET, auditEvent, controllerSA, type ExampleUser } from './examples.js';
import { uriPath } from './uri.js';

const INTERNAL = ['10.77.0.0/16', '127.0.0.0/8', 'fd00:77::/48'];

function nodeRead(user: ExampleUser, sourceIP: string) {
  return auditEvent({ verb: 'get', uri: '/api/v1/namespaces/lab-apps/secrets/cloud-credentials', resource: 'secrets', namespace: 'lab-apps', name: 'cloud-credentials', user, sourceIP });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-041',
    title: 'Node or control-plane credential used from outside the cluster',
    severity: 'critical',
    description: 'A request made with a kubelet\'s credential (system:node:NAME in system:nodes), a control-plane component\'s (kube-controller-manager, the scheduler, the API server) or one of kube-controller-manager\'s controller accounts came from an address outside the cluster\'s own networks (`detect.internalNetworks` in .kubemoat.yaml). These credentials live on the nodes and the control plane; used from anywhere else, someone copied the key. Every address of the request is checked (a proxy\'s X-Forwarded-For included: a client may add addresses, never hide its own). Without `detect.internalNetworks` the rule judges nothing, and `kubemoat detect` says so once at start.',
    response: 'Treat the credential as stolen: for a kubelet, rotate its client certificate and check the node for compromise (its /var/lib/kubelet/pki was read); for a component, rotate its certificate or token. Look at what the requests from that address did.',
    mitre: ['T1078', 'T1552.004'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/node/', 'https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/'],
    repeatWindowSec: 3600,
  },
  on: '*',
  create: (settings) => {
    if (settings.internalNetworks.length === 0) return () => undefined;
    const internal = new NetworkSet(settings.internalNetworks);
    return (e) => {
      // trust ignores impersonated requests; the identity that acted is the impersonated one (KM-DT-047)
      if (e.impersonatedUser || !isControlPlane(e.user)) return undefined;
      const outside = internal.outside(e.sourceIPs);
      if (outside.length === 0) return undefined;
      const what = e.user.username.startsWith('system:node:') ? 'node credential' : 'control-plane credential';
      return {
        message: `${what} ${e.user.username} used from ${outside.join(', ')}, outside the internal networks, to ${e.verb} ${e.objectRef?.resource ? `${e.objectRef.resource}${e.objectRef.subresource ? `/${e.objectRef.subresource}` : ''}${e.objectRef.namespace ? ` in ${e.objectRef.namespace}` : ''}` : uriPath(e.requestURI)}`,
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
    ],
    ignore: [
      nodeRead(KUBELET, '10.77.1.10'),
      nodeRead(KUBELET, '::ffff:10.77.1.11'),
      auditEvent({ verb: 'list', uri: '/api/v1/secrets', resource: 'secrets', user: CONTROLLER_MANAGER, sourceIP: '127.0.0.1' }),
      // people come from anywhere; their requests are judged by the other rules
      nodeRead(DEV, '198.51.100.23'),
      // a name like a node's without the group system:nodes is not a kubelet credential
      nodeRead({ ...KUBELET, groups: ['system:authenticated'] }, '198.51.100.23'),
    ],
  },
});
