import { defineRule } from '../../core/rule.js';
import { asArray, asObject, asString } from '../../core/json.js';
import { detectInJson, detectSecret } from '../secrets-detect.js';

const MITRE_UNSECURED_CREDENTIALS = 'T1552';
const MITRE_CREDENTIALS_IN_FILES = 'T1552.001';
const MITRE_CONTAINER_API = 'T1552.007';
const NSA_SECRETS = 'NSA-CISA Network separation: secrets';
const DOCS_SECRETS = 'https://kubernetes.io/docs/concepts/configuration/secret/';
const DOCS_SECRETS_GOOD_PRACTICES = 'https://kubernetes.io/docs/concepts/security/secrets-good-practices/';

export default defineRule({
  meta: {
    id: 'KM-SC-001',
    title: 'Credential written as a literal in container env',
    severity: 'high',
    door: 'credentials',
    description:
      'A credential written into a pod spec is readable by everyone who can read the workload (`get deployments` is granted far more ' +
      'widely than `get secrets`), by anyone who reaches an anonymous kubelet\'s `/pods` endpoint, in `kubectl describe`, in Git ' +
      'history and in CI logs. This is how the Tesla attackers got cloud keys once inside the cluster. Cloud keys and private keys are ' +
      'critical; other credentials high. References (`valueFrom`, `$(VAR)`, `${VAR}`), placeholders (`<changeme>`), empty values, ' +
      'booleans, numbers, file paths, URLs without credentials, Secret object names, and names such as PASSWORD_FILE, SECRET_NAME, ' +
      'TOKEN_TTL or AUTH_ENABLED are not reported. Init and ephemeral containers are checked too.',
    remediation:
      'Rotate the exposed credential first: it is already in Git and in the API server\'s history. Then put it in a Secret (or an external ' +
      'secret store synced by the External Secrets Operator or the Secrets Store CSI driver), mount it as a file, and restrict `get` on Secrets. ' +
      'For cloud access prefer workload identity (IRSA, GKE Workload Identity, Azure Workload Identity) over static keys.',
    references: [DOCS_SECRETS_GOOD_PRACTICES, DOCS_SECRETS],
    frameworks: { nsa: [NSA_SECRETS], mitre: [MITRE_UNSECURED_CREDENTIALS, MITRE_CREDENTIALS_IN_FILES, MITRE_CONTAINER_API] },
    messages: {
      literal: '{{container}} in {{resource}} sets env `{{name}}` to a literal {{kind}}',
      nested: '{{container}} in {{resource}} sets env `{{name}}` to JSON holding a literal {{kind}} under `{{key}}`',
    },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: exporter, namespace: billing}
spec:
  template:
    spec:
      containers:
        - name: exporter
          image: registry.example.com/exporter:1.0
          env:
            - {name: AWS_ACCESS_KEY_ID, value: AKIAKUBEMOATFAKE0001}
            - {name: AWS_SECRET_ACCESS_KEY, value: "kubemoatFAKEsecretKEY0000/examplefake000"}
            - {name: AWS_REGION, value: eu-west-1}`,
      `apiVersion: v1
kind: Pod
metadata: {name: migrate}
spec:
  initContainers:
    - name: migrate
      image: registry.example.com/migrate:3
      env:
        - name: DATABASE_URL
          value: postgres://app:Fake-Passw0rd@db.example.com:5432/app
  containers:
    - name: app
      image: registry.example.com/app:3
      env:
        - name: dbPassword
          value: "kubemoat-fake-pass"`,
      `apiVersion: batch/v1
kind: CronJob
metadata: {name: notify, namespace: ops}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: notify
              image: registry.example.com/notify:1
              env:
                - name: SLACK
                  value: xoxb-000000000000-kubemoatFAKE`,
    ],
    pass: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/app:1.0
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: db, key: password}
            - {name: DATABASE_URL, value: "postgres://app:$(DB_PASSWORD)@db:5432/app"}
            - {name: API_TOKEN, value: "\${API_TOKEN}"}
            - {name: ADMIN_PASSWORD, value: "<changeme>"}
            - {name: REDIS_PASSWORD, value: ""}
            - {name: PASSWORD_FILE, value: /var/run/secrets/db/password}
            - {name: TOKEN_TTL, value: "3600"}
            - {name: SECRET_NAME, value: db-credentials}
            - {name: TLS_SECRET, value: ingress-tls}
            - {name: AUTH_TOKEN_ENABLED, value: "true"}
            - {name: OAUTH_TOKEN_URL, value: https://auth.example.com/oauth/token}
            - {name: GOOGLE_APPLICATION_CREDENTIALS, value: /var/secrets/google/key.json}
            - {name: SSH_KEY, value: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKubemoatFakePublicKeyOnly user@host"}
            - {name: PWD, value: /app}
            - {name: CACHE_KEY, value: v2-orders}`,
    ],
  },
  create(context) {
    return {
      container(c) {
        asArray(c.container.env).forEach((item, i) => {
          const env = asObject(item);
          const name = asString(env?.name);
          const value = asString(env?.value);
          if (env === undefined || name === undefined || value === undefined) return;
          const direct = detectSecret(name, value);
          const nested = direct === undefined ? detectInJson(value) : undefined;
          const match = direct ?? nested?.match;
          if (match === undefined) return;
          context.report({
            node: c,
            messageId: nested !== undefined ? 'nested' : 'literal',
            data: { name, kind: match.kind, key: nested?.name ?? '' },
            at: ['env', i, 'value'],
            evidence: nested !== undefined ? `env ${name}: "${nested.name}"=${match.redacted} (${match.kind})` : `env ${name}=${match.redacted} (${match.kind})`,
            severity: match.severity,
          });
        });
      },
    };
  },
});
