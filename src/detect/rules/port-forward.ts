import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { ADMIN, DEV, auditEvent } from './examples.js';

export default defineDetection({
  meta: {
    id: 'KM-DT-003',
    title: 'Port forwarded into a pod (pods/portforward)',
    severity: 'medium',
    description: 'Someone opened a tunnel from their machine to a port of a pod. It reaches services that are not exposed (databases, admin consoles, the pod\'s localhost) around every NetworkPolicy and ingress control.',
    response: 'Check that the user was expected to reach this pod directly. Restrict `pods/portforward` in RBAC to the few people who debug workloads.',
    mitre: ['T1572'],
    references: ['https://kubernetes.io/docs/tasks/access-application-cluster/port-forward-access-application-cluster/'],
  },
  on: ['pods/portforward'],
  create: () => (e) => {
    if (!succeeded(e)) return undefined;
    const ref = e.objectRef!;
    const q = e.requestURI.indexOf('?');
    const ports = q < 0 ? '' : new URLSearchParams(e.requestURI.slice(q + 1)).getAll('ports').join(',');
    return { message: `${e.user.username} forwarded ${ports ? `port ${ports}` : 'a port'} of ${ref.namespace}/${ref.name}`, details: ports ? { ports } : undefined };
  },
  examples: {
    trigger: [
      auditEvent({ verb: 'get', stage: 'ResponseStarted', code: 101, level: 'Request', uri: '/api/v1/namespaces/db/pods/postgres-0/portforward', resource: 'pods', subresource: 'portforward', namespace: 'db', name: 'postgres-0', user: DEV }),
      auditEvent({ verb: 'create', code: 101, level: 'Request', uri: '/api/v1/namespaces/db/pods/postgres-0/portforward?ports=5432', resource: 'pods', subresource: 'portforward', namespace: 'db', name: 'postgres-0', user: ADMIN }),
    ],
    ignore: [
      auditEvent({ verb: 'get', code: 403, level: 'Request', uri: '/api/v1/namespaces/db/pods/postgres-0/portforward', resource: 'pods', subresource: 'portforward', namespace: 'db', name: 'postgres-0', user: DEV }),
    ],
  },
});
