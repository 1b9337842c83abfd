import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { asArray, isObject, type JsonObject } from '../../core/json.js';
import { ADMIN, DEV, auditEvent } from './examples.js';

function ingress(name: string, namespace: string, spec: JsonObject, user = ADMIN) {
  return auditEvent({ verb: 'create', code: 201, uri: `/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses`, resource: 'ingresses', apiGroup: 'networking.k8s.io', namespace, name, user, requestObject: { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', metadata: { name, namespace }, spec } });
}
const RULES = [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }];

export default defineDetection({
  meta: {
    id: 'KM-DT-022',
    title: 'Ingress without TLS created',
    severity: 'low',
    description: 'An Ingress was created or changed without a `tls` section: its hosts are served over plain HTTP, where credentials and session cookies can be read and changed on the way.',
    response: 'Add a `tls` section with a certificate (cert-manager automates it) or confirm that TLS ends in front of the ingress controller.',
    mitre: ['T1557'],
    references: ['https://kubernetes.io/docs/concepts/services-networking/ingress/#tls'],
    falco: ['Ingress Object without TLS Certificate Created'],
  },
  on: ['ingresses'],
  exemptControlPlane: true,
  create: () => (e) => {
    if ((e.verb !== 'create' && e.verb !== 'update') || !succeeded(e)) return undefined;
    const spec = e.requestObject?.spec;
    if (!isObject(spec) || asArray(spec.tls).length > 0) return undefined;
    const hosts = asArray(spec.rules).filter(isObject).map((r) => (typeof r.host === 'string' ? r.host : '*')).join(', ');
    const ref = e.objectRef!;
    return { message: `${e.user.username} ${e.verb === 'create' ? 'created' : 'changed'} Ingress ${ref.namespace}/${ref.name || '?'} without TLS${hosts ? ` (${hosts})` : ''}` };
  },
  examples: {
    trigger: [ingress('shop', 'shop', { rules: RULES }, DEV)],
    ignore: [ingress('shop', 'shop', { tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }], rules: RULES })],
  },
});
