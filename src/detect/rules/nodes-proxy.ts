import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { ADMIN, APISERVER, DEV, auditEvent, podSA } from './examples.js';
import { uriPath } from './uri.js';

export default defineDetection({
  meta: {
    id: 'KM-DT-023',
    title: 'Kubelet reached through nodes/proxy',
    severity: 'high',
    description: 'A request went through the API server to a kubelet (`nodes/proxy`). It reaches the kubelet API with the API server\'s own credentials: /exec and /run there execute commands in any pod of the node, and the kubelet writes no audit log, so this event is the only trace.',
    response: 'Check the path in the alert (/exec, /run, /pods, /configz…). Remove `nodes/proxy` from every role that does not scrape metrics; allow-list the monitoring account that does.',
    mitre: ['T1609', 'T1613'],
    references: ['https://kubernetes.io/docs/concepts/security/rbac-good-practices/#nodes-proxy-subresource'],
    repeatWindowSec: 60,
  },
  on: ['nodes/proxy'],
  exemptControlPlane: true,
  create: () => (e) => {
    if (!succeeded(e)) return undefined;
    const path = uriPath(e.requestURI);
    const i = path.indexOf('/proxy');
    const kubeletPath = i >= 0 ? path.slice(i + '/proxy'.length) || '/' : path;
    const commandRun = /^\/(exec|run|attach|portForward)\//.test(kubeletPath);
    return {
      message: `${e.user.username} reached the kubelet of node ${e.objectRef?.name || '?'} at ${kubeletPath} through nodes/proxy`,
      severity: commandRun ? 'critical' : undefined,
      details: { kubeletPath },
    };
  },
  examples: {
    trigger: [
      auditEvent({ verb: 'create', uri: '/api/v1/nodes/kubemoat-insecure/proxy/run/lab-apps/app/app?cmd=id', resource: 'nodes', subresource: 'proxy', name: 'kubemoat-insecure', user: podSA('lab-apps', 'ci-deployer', 'app'), level: 'Request' }),
      auditEvent({ verb: 'get', uri: '/api/v1/nodes/kubemoat-insecure/proxy/configz', resource: 'nodes', subresource: 'proxy', name: 'kubemoat-insecure', user: DEV, level: 'Request' }),
    ],
    ignore: [
      auditEvent({ verb: 'get', code: 403, uri: '/api/v1/nodes/kubemoat-insecure/proxy/pods', resource: 'nodes', subresource: 'proxy', name: 'kubemoat-insecure', user: DEV, level: 'Request' }),
      auditEvent({ verb: 'get', uri: '/api/v1/nodes/kubemoat-insecure', resource: 'nodes', name: 'kubemoat-insecure', user: ADMIN }),
      auditEvent({ verb: 'get', uri: '/api/v1/nodes/kubemoat-insecure/proxy/healthz', resource: 'nodes', subresource: 'proxy', name: 'kubemoat-insecure', user: APISERVER, level: 'Request' }),
    ],
  },
});
