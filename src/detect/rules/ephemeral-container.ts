import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { asArray, isObject } from '../../core/json.js';
import { ADMIN, auditEvent, busybox } from './examples.js';

export default defineDetection({
  meta: {
    id: 'KM-DT-004',
    title: 'Ephemeral container added to a running pod',
    severity: 'high',
    description: 'An ephemeral (debug) container was injected into a running pod. It shares the pod\'s network and can share its process namespace: a way to run any image, with any tool, next to a workload without changing its spec or restarting it.',
    response: 'Check that the user was debugging this pod on purpose. Restrict the `pods/ephemeralcontainers` subresource in RBAC and review which image was injected.',
    mitre: ['T1609', 'T1610'],
    references: ['https://kubernetes.io/docs/concepts/workloads/pods/ephemeral-containers/'],
    falco: ['EphemeralContainers Created'],
  },
  on: ['pods/ephemeralcontainers'],
  create: () => (e) => {
    if (!succeeded(e) || (e.verb !== 'update' && e.verb !== 'patch')) return undefined;
    const ref = e.objectRef!;
    const spec = e.requestObject && isObject(e.requestObject.spec) ? e.requestObject.spec : undefined;
    const images = asArray(spec?.ephemeralContainers).map((c) => (isObject(c) && typeof c.image === 'string' ? c.image : '')).filter(Boolean);
    return { message: `${e.user.username} added an ephemeral container${images.length ? ` (${images.join(', ')})` : ''} to ${ref.namespace}/${ref.name}`, images, details: images.length ? { images: images.join(',') } : undefined };
  },
  examples: {
    trigger: [
      auditEvent({
        verb: 'patch', uri: '/api/v1/namespaces/lab-apps/pods/app/ephemeralcontainers', resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'lab-apps', name: 'app', user: ADMIN,
        requestObject: { spec: { ephemeralContainers: [busybox({ name: 'debugger-x7k2', stdin: true, tty: true, targetContainerName: 'app' })] } },
      }),
    ],
    ignore: [
      auditEvent({ verb: 'get', uri: '/api/v1/namespaces/lab-apps/pods/app/ephemeralcontainers', resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'lab-apps', name: 'app', user: ADMIN }),
      auditEvent({ verb: 'patch', code: 403, uri: '/api/v1/namespaces/lab-apps/pods/app/ephemeralcontainers', resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'lab-apps', name: 'app', user: ADMIN }),
    ],
  },
});
