import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { ADMIN, DEV, auditEvent } from './examples.js';
import { execCommand } from './uri.js';

export default defineDetection({
  meta: {
    id: 'KM-DT-002',
    title: 'Attached to a running container (pods/attach)',
    severity: 'high',
    description: 'Someone attached to the main process of a running container: they see and type into its stdin/stdout, which gives the same foothold as exec without a new process.',
    response: 'Check that the user was expected to debug this pod. If not, revoke the credentials and inspect the container. Restrict `pods/attach` in RBAC the same way as `pods/exec`.',
    mitre: ['T1609'],
    references: ['https://attack.mitre.org/techniques/T1609/'],
    falco: ['Attach/Exec Pod'],
  },
  on: ['pods/attach'],
  create: () => (e) => {
    if (!succeeded(e)) return undefined;
    const ref = e.objectRef!;
    const { container } = execCommand(e.requestURI);
    return { message: `${e.user.username} attached to ${ref.namespace}/${ref.name}${container ? ` (container ${container})` : ''}`, details: container ? { container } : undefined };
  },
  examples: {
    trigger: [
      auditEvent({ verb: 'get', stage: 'ResponseStarted', code: 101, level: 'Request', uri: '/api/v1/namespaces/lab-apps/pods/app/attach?container=app&stdin=true&stdout=true&tty=true', resource: 'pods', subresource: 'attach', namespace: 'lab-apps', name: 'app', user: ADMIN }),
    ],
    ignore: [
      auditEvent({ verb: 'get', code: 403, level: 'Request', uri: '/api/v1/namespaces/lab-apps/pods/app/attach?container=app&stdout=true', resource: 'pods', subresource: 'attach', namespace: 'lab-apps', name: 'app', user: DEV }),
    ],
  },
});
