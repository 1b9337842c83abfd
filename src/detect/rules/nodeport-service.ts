import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { asArray, isObject, type JsonObject } from '../../core/json.js';
import { ADMIN, DEV, auditEvent } from './examples.js';

function service(name: string, namespace: string, spec: JsonObject, user = ADMIN) {
  return auditEvent({ verb: 'create', code: 201, uri: `/api/v1/namespaces/${namespace}/services`, resource: 'services', namespace, name, user, requestObject: { kind: 'Service', apiVersion: 'v1', metadata: { name, namespace }, spec } });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-020',
    title: 'NodePort service created',
    severity: 'medium',
    description: 'A Service of type NodePort was created or changed. It opens a port on every node\'s address, around the ingress, its TLS and its authentication; attackers use it to expose a backdoor or an internal console.',
    response: 'Check that the exposure was intended; prefer an Ingress or a LoadBalancer with source ranges. Block NodePorts at the node firewall where they are not needed.',
    mitre: ['T1133'],
    references: ['https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport'],
    falco: ['Create NodePort Service'],
  },
  on: ['services'],
  exemptControlPlane: true,
  create: () => (e) => {
    if ((e.verb !== 'create' && e.verb !== 'update' && e.verb !== 'patch') || !succeeded(e)) return undefined;
    const spec = e.requestObject?.spec;
    if (!isObject(spec) || spec.type !== 'NodePort') return undefined;
    const ports = asArray(spec.ports).filter(isObject).map((p) => String(p.nodePort ?? p.port ?? '?')).join(',');
    const ref = e.objectRef!;
    return { message: `${e.user.username} exposed ${ref.namespace}/${ref.name || '?'} as a NodePort service (ports ${ports || '?'})`, details: { ports } };
  },
  examples: {
    trigger: [service('debug-shell', 'default', { type: 'NodePort', selector: { app: 'shell' }, ports: [{ port: 4444, nodePort: 31337 }] }, DEV)],
    ignore: [service('web', 'shop', { type: 'ClusterIP', selector: { app: 'web' }, ports: [{ port: 80 }] }), service('web', 'shop', { selector: { app: 'web' }, ports: [{ port: 80 }] })],
  },
});
