import { defineDetection } from '../rule.js';
import { ADMIN, ANONYMOUS, KUBELET, auditEvent, podSA } from './examples.js';
import { uriPath } from './uri.js';
import { userAgentKind } from '../user-agents.js';

const HEALTH = /^\/(healthz|livez|readyz)(\/|$)/;

export default defineDetection({
  meta: {
    id: 'KM-DT-024',
    title: 'API called by a script or attack tool',
    severity: 'medium',
    description: 'A request came with the user agent of a hand-driven HTTP client (curl, wget, python-requests…) or of an offensive tool (kube-hunter, peirates, kubeletctl…). Clusters are driven by kubectl, controllers and client libraries; a raw HTTP client with a stolen token is what an intruder uses first. The user agent is chosen by the client, so its absence proves nothing.',
    response: 'Find the token or certificate the request used (the user in the alert) and where it came from (the source address). Allow-list monitoring probes that use curl for health checks.',
    mitre: ['T1613', 'T1059'],
    references: ['https://attack.mitre.org/techniques/T1613/'],
    repeatWindowSec: 300,
  },
  on: '*',
  create: () => (e) => {
    const ua = e.userAgent;
    if (ua === '') return undefined;
    const kind = userAgentKind(ua);
    if (kind === 'ok') return undefined;
    const offensive = kind === 'offensive';
    if (!offensive && !e.objectRef && HEALTH.test(uriPath(e.requestURI))) return undefined;
    const tool = ua.split(/[\s(]/)[0];
    return {
      message: `${e.user.username} called ${e.verb} ${uriPath(e.requestURI)} with ${offensive ? 'an attack tool' : 'a scripted client'} (${tool})`,
      severity: offensive ? 'high' : undefined,
      details: { userAgent: ua },
    };
  },
  examples: {
    trigger: [
      auditEvent({ verb: 'list', uri: '/api/v1/namespaces/lab-apps/secrets', resource: 'secrets', namespace: 'lab-apps', user: ANONYMOUS }),
      auditEvent({ verb: 'get', uri: '/api/v1/namespaces/kube-system/pods', resource: 'pods', namespace: 'kube-system', user: podSA('lab-apps', 'default', 'app'), userAgent: 'python-requests/2.31.0' }),
      auditEvent({ verb: 'get', uri: '/api/v1/nodes', resource: 'nodes', user: ANONYMOUS, code: 403, userAgent: 'kube-hunter/0.6.8' }),
    ],
    ignore: [
      auditEvent({ verb: 'get', uri: '/api/v1/namespaces/lab-apps/pods', resource: 'pods', namespace: 'lab-apps', user: ADMIN }),
      auditEvent({ verb: 'get', uri: '/api/v1/nodes/kubemoat-insecure', resource: 'nodes', name: 'kubemoat-insecure', user: KUBELET }),
      auditEvent({ verb: 'get', uri: '/healthz', user: ANONYMOUS }),
    ],
  },
});
