import { defineDetection } from '../rule.js';
import { succeeded } from '../../sources/audit/event.js';
import { isObject } from '../../core/json.js';
import { configValueCredentials } from '../../rules/secrets-detect.js';
import { ADMIN, DEV, auditEvent, controllerSA } from './examples.js';

function configMap(name: string, namespace: string, data: Record<string, string>, user = ADMIN) {
  return auditEvent({ verb: 'create', code: 201, level: 'Request', uri: `/api/v1/namespaces/${namespace}/configmaps`, resource: 'configmaps', namespace, name, user, requestObject: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name, namespace }, data } });
}

export default defineDetection({
  meta: {
    id: 'KM-DT-021',
    title: 'ConfigMap written with credentials',
    severity: 'high',
    description: 'A ConfigMap was created or changed holding what looks like a credential (a cloud key, a private key, a password), in a value or on any line of a file held in a key (`.env`, `*.properties`, a credentials file), judged by the same detector as `kubemoat scan`. ConfigMaps are readable by far more people and tools than secrets and are never encrypted at rest. (Needs the audit policy to log configmaps at Request level; at Metadata there is no body to look at.)',
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
    // the same detector as `kubemoat scan`: a file held in a key (.env, access.properties) is read
    // line by line, so `aws_secret_access_key = …` on line 3 is found, not lost in one long string
    for (const [key, value] of Object.entries(data)) {
      if (typeof value !== 'string') continue;
      const { file, matches } = configValueCredentials(key, value);
      const m = matches[0];
      if (m) {
        const ref = e.objectRef!;
        const where = file ? `key ${key} (line ${m.line}${m.name ? `, ${m.name}` : ''}${matches.length > 1 ? `, and ${matches.length - 1} more` : ''})` : `key ${key}`;
        const severity = matches.some((x) => x.severity === 'critical') ? 'critical' : m.severity;
        return { message: `${e.user.username} wrote ConfigMap ${ref.namespace}/${ref.name || '?'} with a ${m.kind} in ${where} (${m.redacted})`, severity, details: { key, kind: m.kind, ...(file ? { line: String(m.line) } : {}) } };
      }
    }
    return undefined;
  },
  examples: {
    trigger: [
      configMap('app-config', 'shop', { AWS_ACCESS_KEY_ID: 'AKIAFAKEKUBEMOATLAB0', REGION: 'eu-west-1' }),
      configMap('db', 'shop', { DB_PASSWORD: 'hunter2-but-longer' }, DEV),
      // files held in a key: read line by line
      configMap('app-env', 'shop', { '.env': 'LOG_LEVEL=info\nDB_HOST=db.shop.svc\nDB_PASSWORD=Zq8v!rT4mW2x\n' }, DEV),
      configMap('aws', 'shop', { 'access.properties': '[default]\nregion = eu-west-1\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKEKEY000\n' }, DEV),
      configMap('app', 'shop', { 'application.properties': 'spring.datasource.url=jdbc:postgresql://db/shop\nspring.datasource.password: s3cr3t-Pa55\n' }, DEV),
    ],
    ignore: [
      configMap('app-config', 'shop', { LOG_LEVEL: 'debug', PASSWORD_FILE: '/run/secrets/db' }),
      // a file whose password lines are placeholders or references, not values
      configMap('app-env', 'shop', { '.env': '# DB_PASSWORD is mounted from the db secret\nDB_HOST=db.shop.svc\nDB_PASSWORD=${DB_PASSWORD}\nLOG_LEVEL=info\n' }, DEV),
      configMap('kube-root-ca.crt', 'shop', { 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' }, controllerSA('root-ca-cert-publisher')),
    ],
  },
});
