import { defineRule } from '../../core/rule.js';
import { asObject } from '../../core/json.js';
import { configValueCredentials, severer, type SecretSeverity } from '../secrets-detect.js';

const MITRE_UNSECURED_CREDENTIALS = 'T1552';
const MITRE_CREDENTIALS_IN_FILES = 'T1552.001';
const NSA_SECRETS = 'NSA-CISA Network separation: secrets';
const DOCS_CONFIGMAP = 'https://kubernetes.io/docs/concepts/configuration/configmap/';
const DOCS_SECRETS_GOOD_PRACTICES = 'https://kubernetes.io/docs/concepts/security/secrets-good-practices/';

/** binaryData keys that name a private key or a credentials file (the content is not decoded). */
const SECRET_FILE_NAMES: { re: RegExp; kind: string; severity: SecretSeverity }[] = [
  { re: /(?:^|[/._-])id_(?:rsa|dsa|ecdsa|ed25519)$/i, kind: 'private SSH key file', severity: 'critical' },
  { re: /\.(?:key|p12|pfx|jks|keystore)$/i, kind: 'private key or keystore file', severity: 'critical' },
  { re: /(?:^|[/.])(?:credentials(?:\.json)?|\.git-credentials|\.pgpass|\.netrc|\.htpasswd)$/i, kind: 'credentials file', severity: 'high' },
];

const MAX_LISTED = 5;

export default defineRule({
  meta: {
    id: 'KM-SC-002',
    title: 'Credential stored in a ConfigMap',
    severity: 'high',
    door: 'credentials',
    description:
      'ConfigMaps are meant to be read: RBAC roles such as `view` grant them to everyone, they are mounted and logged freely, and they ' +
      'are never encrypted at rest. A password, token or key in one is open to every user and pod that can read the namespace\'s ' +
      'configuration, and to anyone who finds the manifest in Git. Cloud keys and private keys are critical; other credentials high. ' +
      'Keys and single-line values are checked, and values that are whole files (`.env`, `application.properties`, an AWS `credentials` ' +
      'file, a kubeconfig with `client-key-data` or `token:`) are read line by line. `binaryData` is checked by key name only.',
    remediation:
      'Rotate the credential, then move it to a Secret (or an external secret store) and mount it as a file; keep only non-secret settings in the ConfigMap. ' +
      'A kubeconfig with a client key or token belongs in a Secret, or better, is replaced by the pod\'s own service account.',
    references: [DOCS_SECRETS_GOOD_PRACTICES, DOCS_CONFIGMAP],
    frameworks: { nsa: [NSA_SECRETS], mitre: [MITRE_UNSECURED_CREDENTIALS, MITRE_CREDENTIALS_IN_FILES] },
    messages: {
      value: '{{resource}} holds a literal {{kind}} under key `{{key}}`',
      file: '{{resource}} holds {{count}} in the file under key `{{key}}` ({{kinds}})',
      binary: '{{resource}} holds a {{kind}} under binaryData key `{{key}}`',
    },
  },
  examples: {
    fail: [
      `apiVersion: v1
kind: ConfigMap
metadata: {name: billing-db, namespace: billing}
data:
  DB_HOST: postgres.billing.svc
  DB_USER: billing
  DB_PASSWORD: "Fake-Passw0rd-For-Kubemoat"`,
      `apiVersion: v1
kind: ConfigMap
metadata: {name: app-env, namespace: shop}
data:
  app.env: |
    LOG_LEVEL=info
    export AWS_ACCESS_KEY_ID=AKIAKUBEMOATFAKE0002
    aws_secret_access_key = kubemoatFAKEsecretKEY0000/examplefake001
  application.properties: |
    spring.datasource.url=jdbc:postgresql://db:5432/shop
    spring.datasource.password=kubemoat-fake-pass`,
      `apiVersion: v1
kind: ConfigMap
metadata: {name: deployer-kubeconfig, namespace: ci}
data:
  config: |
    apiVersion: v1
    kind: Config
    users:
      - name: deployer
        user:
          token: kubemoat-fake-token-0123456789
binaryData:
  id_rsa: a3ViZW1vYXQ=`,
    ],
    pass: [
      `apiVersion: v1
kind: ConfigMap
metadata: {name: app, namespace: shop}
data:
  DB_HOST: postgres.shop.svc
  DB_PASSWORD_FILE: /var/run/secrets/db/password
  DB_SECRET_NAME: db-credentials
  TOKEN_TTL: "3600"
  AUTH_ENABLED: "true"
  password-policy: strict
  app.env: |
    LOG_LEVEL=info
    DB_PASSWORD=\${DB_PASSWORD}
    API_TOKEN=
    # PASSWORD=not-a-real-value-in-a-comment
  ca.crt: |
    -----BEGIN CERTIFICATE-----
    MIIBkubemoatfake
    -----END CERTIFICATE-----
binaryData:
  logo.png: a3ViZW1vYXQ=`,
      `apiVersion: v1
kind: ConfigMap
metadata: {name: cluster-info, namespace: kube-public}
data:
  kubeconfig: |
    apiVersion: v1
    clusters:
      - cluster:
          certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t
          server: https://10.0.0.1:6443
        name: ""
    kind: Config`,
    ],
  },
  create(context) {
    return {
      kinds: {
        ConfigMap(o) {
          const data = asObject(o.raw.data);
          for (const [key, raw] of Object.entries(data ?? {})) {
            if (typeof raw !== 'string') continue;
            const { file, matches } = configValueCredentials(key, raw);
            if (matches.length === 0) continue;
            if (!file) {
              const match = matches[0];
              context.report({
                node: o,
                messageId: 'value',
                data: { key, kind: match.kind },
                at: ['data', key],
                evidence: `data ${key}=${match.redacted} (${match.kind})`,
                severity: match.severity,
              });
              continue;
            }
            const severity = matches.map((m) => m.severity).reduce(severer);
            const kinds = [...new Set(matches.map((m) => m.kind))].join(', ');
            const listed = matches.slice(0, MAX_LISTED).map((m) => `line ${m.line}${m.name ? ` ${m.name}=` : ': '}${m.redacted} (${m.kind})`);
            if (matches.length > MAX_LISTED) listed.push(`and ${matches.length - MAX_LISTED} more`);
            context.report({
              node: o,
              messageId: 'file',
              data: { key, count: matches.length === 1 ? 'a credential' : `${matches.length} credentials`, kinds },
              at: ['data', key],
              evidence: `data ${key}: ${listed.join('; ')}`,
              severity,
            });
          }
          const binary = asObject(o.raw.binaryData);
          for (const key of Object.keys(binary ?? {})) {
            const hit = SECRET_FILE_NAMES.find((f) => f.re.test(key));
            if (hit === undefined) continue;
            context.report({ node: o, messageId: 'binary', data: { key, kind: hit.kind }, at: ['binaryData', key], evidence: `binaryData ${key} (${hit.kind}; content not decoded)`, severity: hit.severity });
          }
        },
      },
    };
  },
});
