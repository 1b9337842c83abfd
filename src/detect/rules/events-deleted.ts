import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { ADMIN, DEV, auditEvent, controllerSA } from './examples.js';

function deleteEvents(namespace: string, name: string | undefined, user = DEV, apiGroup?: string) {
  const base = apiGroup ? `/apis/${apiGroup}/v1` : '/api/v1';
  return auditEvent({ verb: name ? 'delete' : 'deletecollection', uri: `${base}/namespaces/${namespace}/events${name ? `/${name}` : ''}`, resource: 'events', namespace, ...(name ? { name } : {}), ...(apiGroup ? { apiGroup } : {}), user });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-043',
    title: 'Kubernetes events deleted',
    severity: 'high',
    description: 'Someone other than the control plane deleted Kubernetes Event objects (one, or a whole collection). Events record what happened to pods and nodes (scheduling, image pulls, kills, restarts) and expire on their own after an hour; deleting them by hand removes the traces of what was just done, typically right after it.',
    response: 'Look at what the user did just before (the audit log keeps it even when the events are gone), and why they may delete events at all: few roles need it.',
    mitre: ['T1070'],
    references: ['https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/event-v1/', 'https://attack.mitre.org/techniques/T1070/'],
    repeatWindowSec: 300,
  },
  on: ['events'],
  exemptControlPlane: true,
  create: () => (e) => {
    if ((e.verb !== 'delete' && e.verb !== 'deletecollection') || !succeeded(e)) return undefined;
    const ns = e.objectRef?.namespace;
    const all = e.verb === 'deletecollection';
    return {
      message: `${e.user.username} deleted ${all ? `all events${ns ? ` in ${ns}` : ' in every namespace'}` : `event ${ns ? `${ns}/` : ''}${e.objectRef?.name || '?'}`}`,
      severity: all ? 'high' : 'medium',
    };
  },
  examples: {
    trigger: [deleteEvents('lab-apps', undefined), deleteEvents('kube-system', 'coredns-6f6b679f8f-4xz8k.17f3a2b1c0d9e8f7', ADMIN), deleteEvents('shop', undefined, DEV, 'events.k8s.io')],
    ignore: [
      // the namespace controller empties a namespace being deleted
      deleteEvents('old-shop', undefined, controllerSA('namespace-controller')),
      auditEvent({ verb: 'list', uri: '/api/v1/namespaces/lab-apps/events', resource: 'events', namespace: 'lab-apps', user: DEV }),
      { ...deleteEvents('lab-apps', undefined), responseStatus: { metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403 } },
    ],
  },
});
