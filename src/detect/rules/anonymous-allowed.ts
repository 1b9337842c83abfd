import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { isAnonymous } from '../actors.js';
import { ANONYMOUS, auditEvent } from './examples.js';
import { uriPath } from './uri.js';

// What the default `system:public-info-viewer` role lets anyone read: not worth an alert.
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/', '/.well-known/openid-configuration', '/openid/v1/jwks']);

export default defineDetection({
  meta: {
    id: 'KM-DT-005',
    title: 'Anonymous request allowed',
    severity: 'high',
    description: 'The API server served a request from someone who presented no credentials (system:anonymous): a resource, or a non-resource URL other than the public ones the default `system:public-info-viewer` role opens (/healthz, /livez, /readyz and their checks, /version, /.well-known/openid-configuration, /openid/v1/jwks). Anonymous access beyond those (discovery at /api and /apis, /metrics, /logs, /debug/pprof, or any resource) means a binding grants rights to system:anonymous or system:unauthenticated: anyone who can reach the API server has them.',
    response: 'Find the binding named in the alert\'s authorization reason and remove it; turn anonymous authentication off (`--anonymous-auth=false`) or limit it to health checks (AuthenticationConfiguration `anonymous.conditions`).',
    mitre: ['T1078.001'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests'],
    falco: ['Anonymous Request Allowed'],
    repeatWindowSec: 60,
  },
  on: '*',
  create: () => (e) => {
    if (!isAnonymous(e.user) || !succeeded(e)) return undefined;
    const path = uriPath(e.requestURI);
    if (!e.objectRef && (PUBLIC_PATHS.has(path) || path.startsWith('/livez/') || path.startsWith('/readyz/') || path.startsWith('/healthz/'))) return undefined;
    const ref = e.objectRef;
    const target = ref?.resource ? `${ref.resource}${ref.subresource ? '/' + ref.subresource : ''}${ref.namespace ? ` in ${ref.namespace}` : ''}${ref.name ? ` (${ref.name})` : ''}` : path;
    return { message: `anonymous ${e.verb} of ${target} was allowed${e.reason ? `: ${e.reason}` : ''}` };
  },
  examples: {
    trigger: [
      auditEvent({ verb: 'list', uri: '/api/v1/namespaces/lab-apps/secrets', resource: 'secrets', namespace: 'lab-apps', user: ANONYMOUS, reason: 'RBAC: allowed by ClusterRoleBinding "kubemoat-lab-anonymous-reader" of ClusterRole "kubemoat-lab-anonymous-reader" to User "system:anonymous"' }),
      auditEvent({ verb: 'get', uri: '/api/v1/pods', resource: 'pods', user: ANONYMOUS }),
      // non-resource URLs beyond the public ones
      auditEvent({ verb: 'get', uri: '/metrics', user: ANONYMOUS }),
      auditEvent({ verb: 'get', uri: '/apis', user: ANONYMOUS }),
      auditEvent({ verb: 'get', uri: '/logs/kube-apiserver.log', user: ANONYMOUS }),
      auditEvent({ verb: 'get', uri: '/debug/pprof/profile?seconds=30', user: ANONYMOUS }),
    ],
    ignore: [
      auditEvent({ verb: 'get', uri: '/version', user: ANONYMOUS, reason: 'RBAC: allowed by ClusterRoleBinding "system:public-info-viewer" of ClusterRole "system:public-info-viewer" to Group "system:unauthenticated"' }),
      auditEvent({ verb: 'get', uri: '/readyz/etcd', user: ANONYMOUS }),
      auditEvent({ verb: 'get', uri: '/.well-known/openid-configuration', user: ANONYMOUS }),
      auditEvent({ verb: 'list', uri: '/api/v1/namespaces/lab-apps/secrets', resource: 'secrets', namespace: 'lab-apps', user: ANONYMOUS, code: 401 }),
      auditEvent({ verb: 'list', uri: '/api/v1/namespaces/lab-apps/secrets', resource: 'secrets', namespace: 'lab-apps', user: ANONYMOUS, code: 403 }),
    ],
  },
});
