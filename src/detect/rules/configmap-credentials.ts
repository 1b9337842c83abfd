import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { isObject } from '../../core/json.js';
import { detectSecret } from '../../rules/secrets-detect.js';
import { ADMIN, DEV, auditEvent, controllerSA } from './examples.js';

function configMap(name: string, namespace: string, data: Record<string, string>, user = ADMIN) {
  return auditEvent({ verb: 'create', code: 201, level: 'Request', uri: `/api/v1/namespaces/${namespace}/configmaps`, resource: 'configmaps', namespace, name, user, requestObject: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name, namespace }, data } });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-021',
    title: 'ConfigMap written with credentials',
    severity: 'high',
    description: 'A ConfigMap was created or changed holding what looks like a credential (a cloud key, a private key, a password). ConfigMaps are readable by far more people and tools than secrets and are never encrypted at rest. (Needs the audit policy to log configmaps at Request level; at Metadata there is no body to look at.)',
    response: 'Move the value into a Secret (or an external secret store), rotate it, and delete it from the ConfigMap.',
    mitre: ['T1552'],
    references: ['https://kubernetes.io/docs/concepts/configuration/secret/'],
    falco: ['Create/Modify Configmap With Private Credentials'],
  },
  on: ['configmaps'],
  exemptControlPlane: true,
  create: () => (e) => {
    if ((e.verb !== 'create' && e.verb !== 'update' && e.verb !== 'patch') || !succeeded(e)) return undefined;
    const data = e.requestObject?.data;
    if (!isObject(data)) return undefined;
    for (const [key, value] of Object.entries(data)) {
      if (typeof value !== 'string') continue;
      const m = detectSecret(key, value);
      if (m) {
        const ref = e.objectRef!;
        return { message: `${e.user.username} wrote ConfigMap ${ref.namespace}/${ref.name || '?'} with a ${m.kind} in key ${key} (${m.redacted})`, severity: m.severity, details: { key, kind: m.kind } };
      }
    }
    return undefined;
  },
  examples: {
    trigger: [
      configMap('app-config', 'shop', { AWS_ACCESS_KEY_ID: 'AKIAFAKEKUBEMOATLAB0', REGION: 'eu-west-1' }),
      configMap('db', 'shop', { DB_PASSWORD: 'hunter2-but-longer' }, DEV),
    ],
    ignore: [
      configMap('app-config', 'shop', { LOG_LEVEL: 'debug', PASSWORD_FILE: '/run/secrets/db' }),
      configMap('kube-root-ca.crt', 'shop', { 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' }, controllerSA('root-ca-cert-publisher')),
    ],
  },
});
