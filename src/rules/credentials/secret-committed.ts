import { defineRule } from '../../core/rule.js';
import { asObject, asString, type JsonObject } from '../../core/json.js';
import { configValueCredentials, isPlaceholder, severer, type SecretSeverity } from '../secrets-detect.js';
import { DOCS, MITRE, NSA } from '../references.js';

const SEALED_SECRETS = 'https://github.com/bitnami-labs/sealed-secrets';
const EXTERNAL_SECRETS = 'https://external-secrets.io/';

interface KeyVerdict {
  key: string;
  field: 'data' | 'stringData';
  /** what the value was recognised as, when it is a known credential */
  kind?: string;
  severity?: SecretSeverity;
  length: number;
}

/** `data` values are base64; a value that does not decode is judged as written. */
function decoded(field: 'data' | 'stringData', raw: string): string {
  if (field === 'stringData') return raw;
  const compact = raw.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return raw;
  return Buffer.from(compact, 'base64').toString('utf8');
}

function keysWithValues(secret: JsonObject): KeyVerdict[] {
  const out: KeyVerdict[] = [];
  for (const field of ['data', 'stringData'] as const) {
    for (const [key, rawValue] of Object.entries(asObject(secret[field]) ?? {})) {
      const raw = asString(rawValue);
      if (raw === undefined) continue;
      const value = decoded(field, raw);
      if (value.trim() === '' || isPlaceholder(value)) continue;
      const { matches } = configValueCredentials(key, value);
      const worst = matches.reduce<SecretSeverity | undefined>((s, m) => (s === undefined ? m.severity : severer(s, m.severity)), undefined);
      out.push({ key, field, length: value.length, ...(matches.length > 0 ? { kind: matches[0].kind, severity: worst } : {}) });
    }
  }
  return out;
}

export default defineRule({
  meta: {
    id: 'KM-SC-004',
    title: 'Secret with its data written in the manifests',
    severity: 'high',
    door: 'credentials',
    description:
      'A Secret whose `data` or `stringData` is filled in the manifest puts its values in the repository, the CI logs and every copy of the chart: base64 is an encoding, not encryption. ' +
      'Anyone who can read the repository has the credential, for as long as the history keeps it. ' +
      'High (critical for private keys and cloud keys) when a value is recognised as a credential by its name or shape; low for other data, which still belongs outside the repository. ' +
      'Empty values and placeholders (`changeme`, `{{ .Values.x }}`) are not reported; no value is ever printed, only key names and lengths.',
    remediation:
      'Keep the manifest without values and create the Secret from a secret store at deploy time: Sealed Secrets or SOPS for GitOps, the External Secrets Operator or the Secrets Store CSI driver for a vault. Rotate any credential that was committed: it is in the history.',
    references: [DOCS.secretsGoodPractices, SEALED_SECRETS, EXTERNAL_SECRETS],
    frameworks: { cis: ['5.4.2'], nsa: [NSA.secrets], mitre: [MITRE.credentialsInFiles] },
    messages: {
      credential: '{{resource}} holds a credential ({{kind}}) in `{{field}}.{{key}}`{{more}}, committed with the manifest',
      data: '{{resource}} holds {{count}} value(s) in the manifest ({{keys}}), committed with it',
    },
  },
  examples: {
    fail: [
      `apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
type: Opaque
data:
  username: YXBw
  password: S3ViZW1vYXQtZmFrZS0yMDI2`,
      `apiVersion: v1
kind: Secret
metadata: {name: settings, namespace: shop}
stringData:
  region: eu-west-1`,
    ],
    pass: [
      `apiVersion: v1
kind: Secret
metadata: {name: argocd-secret, namespace: argocd}
type: Opaque`,
      `apiVersion: v1
kind: Secret
metadata: {name: filled-later, namespace: shop}
stringData:
  password: changeme
  token: "{{ .Values.token }}"
data:
  empty: ""`,
    ],
  },
  create(context) {
    return {
      kinds: {
        Secret(o) {
          // only manifests: a live cluster's Secrets are never read
          if (o.origin.type !== 'file' || o.apiVersion !== 'v1') return;
          const keys = keysWithValues(o.raw);
          if (keys.length === 0) return;
          const credentials = keys.filter((k) => k.kind !== undefined);
          const evidence = keys.map((k) => `${k.field}.${k.key} (${k.length} characters${k.kind !== undefined ? `, ${k.kind}` : ''})`).join(', ');
          if (credentials.length > 0) {
            const first = credentials[0];
            const severity = credentials.reduce<SecretSeverity>((s, k) => severer(s, k.severity ?? 'high'), 'high');
            const more = credentials.length > 1 ? ` and ${credentials.length - 1} more credential(s)` : '';
            context.report({ node: o, messageId: 'credential', data: { kind: first.kind ?? 'a credential', field: first.field, key: first.key, more }, at: [first.field, first.key], evidence, severity });
          } else {
            context.report({ node: o, messageId: 'data', data: { count: keys.length, keys: keys.map((k) => `\`${k.key}\``).join(', ') }, at: [keys[0].field, keys[0].key], evidence, severity: 'low' });
          }
        },
      },
    };
  },
});
