import { defineDetection, type Hit } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { ADMIN, DEV, auditEvent, controllerSA } from './examples.js';
import { Windows } from '../windows.js';

/** What a destructive intruder (or a ransom note) goes after: credentials, workloads, data, namespaces. */
const DESTRUCTIBLE = ['secrets', 'deployments', 'statefulsets', 'daemonsets', 'persistentvolumeclaims', 'persistentvolumes', 'namespaces'];
const GROUP: Record<string, string> = { deployments: 'apps', statefulsets: 'apps', daemonsets: 'apps' };
const WINDOW_SEC = 60;
/** this many deletes of one kind by one user within the window */
const DELETE_BURST = 10;

interface Window {
  start: number;
  names: Set<string>;
  alerted: boolean;
}

function del(resource: string, i: number, user = DEV, namespace = 'shop') {
  const base = GROUP[resource] ? `/apis/${GROUP[resource]}/v1` : '/api/v1';
  const cluster = resource === 'namespaces' || resource === 'persistentvolumes';
  const name = `${resource.slice(0, -1)}-${i}`;
  return auditEvent({ verb: 'delete', uri: `${base}/${cluster ? '' : `namespaces/${namespace}/`}${resource}/${name}`, resource, ...(GROUP[resource] ? { apiGroup: GROUP[resource] } : {}), ...(cluster ? {} : { namespace }), name, user, at: i });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-044',
    title: 'Mass deletion of secrets, workloads or data',
    severity: 'high',
    description: `One user (not the control plane) deleted a whole collection of secrets, workloads (Deployments, StatefulSets, DaemonSets), volumes or namespaces, or ${DELETE_BURST} or more of one kind within ${WINDOW_SEC} s. Mass deletion is how an intruder destroys a cluster or holds it to ransom, and how a script gone wrong takes production down; both want a person looking at once.`,
    response: 'Stop the identity (revoke its token or certificate) if the deletions were not planned, and restore from backups (etcd, Velero, your GitOps repository). Check what it read before (KM-DT-016): secrets are often copied before they are deleted.',
    mitre: ['T1485', 'T1531'],
    references: ['https://attack.mitre.org/techniques/T1485/', 'https://kubernetes.io/docs/concepts/architecture/garbage-collection/'],
  },
  on: DESTRUCTIBLE,
  exemptControlPlane: true,
  create: () => {
    const windows = new Windows<Window>(WINDOW_SEC * 1000, (start) => ({ start, names: new Set(), alerted: false }));
    return (e): Hit | undefined => {
      if ((e.verb !== 'delete' && e.verb !== 'deletecollection') || !succeeded(e)) return undefined;
      const ref = e.objectRef!;
      if (e.verb === 'deletecollection') {
        return { message: `${e.user.username} deleted every ${ref.resource.replace(/s$/, '')}${ref.namespace ? ` in ${ref.namespace}` : ' in the cluster'} (deletecollection)`, severity: ref.resource === 'secrets' || ref.resource === 'persistentvolumes' ? 'critical' : 'high', details: { resource: ref.resource } };
      }
      const now = e.time || Date.now();
      const w = windows.at(`${e.user.username}\u0000${ref.resource}`, now);
      w.names.add(`${ref.namespace}/${ref.name}`);
      if (w.alerted || w.names.size < DELETE_BURST) return undefined;
      w.alerted = true;
      const namespaces = [...new Set([...w.names].map((n) => n.split('/')[0]).filter(Boolean))];
      return {
        message: `${e.user.username} deleted ${w.names.size} ${ref.resource} in ${Math.max(1, Math.round((now - w.start) / 1000))} s${namespaces.length > 0 ? ` (in ${namespaces.slice(0, 5).join(', ')}${namespaces.length > 5 ? ', …' : ''})` : ''}`,
        details: { resource: ref.resource, deleted: String(w.names.size) },
      };
    };
  },
  examples: {
    trigger: [
      Array.from({ length: 10 }, (_, i) => del('secrets', i)),
      Array.from({ length: 10 }, (_, i) => del('deployments', i, ADMIN, i % 2 ? 'shop' : 'payments')),
      auditEvent({ verb: 'deletecollection', uri: '/api/v1/namespaces/shop/secrets', resource: 'secrets', namespace: 'shop', user: DEV }),
    ],
    ignore: [
      // a cleanup of a few objects
      Array.from({ length: 9 }, (_, i) => del('secrets', i)),
      // the same object deleted again and again is one object
      Array.from({ length: 12 }, () => del('deployments', 1)),
      // spread over more than the window
      Array.from({ length: 12 }, (_, i) => ({ ...del('secrets', i), stageTimestamp: new Date(Date.UTC(2026, 10, 23, 16, 51, 48) + i * 10_000).toISOString() })),
      // the garbage collector and the namespace controller delete in bulk by design
      Array.from({ length: 20 }, (_, i) => del('secrets', i, controllerSA('namespace-controller'))),
    ],
  },
});
