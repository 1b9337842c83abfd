import { defineRule } from '../../core/rule.js';
import { asArray, asObject, asString, dig, type Path } from '../../core/json.js';

const MITRE_UNSECURED_CREDENTIALS = 'T1552';
const MITRE_CONTAINER_API = 'T1552.007';
const NSA_SECRETS = 'NSA-CISA Network separation: secrets';
const DOCS_SECRETS_GOOD_PRACTICES = 'https://kubernetes.io/docs/concepts/security/secrets-good-practices/';
const DOCS_SECRET_FILES = 'https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod';

export default defineRule({
  meta: {
    id: 'KM-SC-003',
    title: 'Secret consumed as environment variables',
    severity: 'low',
    door: 'credentials',
    description:
      'A Secret read into environment variables leaves the pod in more places than a mounted file: every child process inherits it, ' +
      'crash reporters and debug endpoints dump the environment, `/proc/<pid>/environ` exposes it to anything sharing the PID namespace, ' +
      'and it cannot be rotated without a restart. A mounted file can be read only by the process that opens it and is updated in place.',
    remediation:
      'Mount the Secret as a volume (`volumes[].secret` with `defaultMode: 0400` and `readOnly` mounts) and have the application read the file, ' +
      'or fetch it at start from an external store. Keep `env[].valueFrom.secretKeyRef` for values the application can only take from the environment.',
    references: [DOCS_SECRETS_GOOD_PRACTICES, DOCS_SECRET_FILES],
    frameworks: { cis: ['5.4.1'], nsa: [NSA_SECRETS], mitre: [MITRE_UNSECURED_CREDENTIALS, MITRE_CONTAINER_API] },
    messages: {
      env: '{{container}} in {{resource}} reads {{what}} into environment variables',
    },
  },
  examples: {
    fail: [
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.0
          env:
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {name: db, key: password}`,
      `apiVersion: v1
kind: Pod
metadata: {name: worker}
spec:
  initContainers:
    - name: init
      image: registry.example.com/init:1.0
      envFrom:
        - secretRef: {name: init-creds}
  containers:
    - {name: main, image: "registry.example.com/worker:1.0"}`,
    ],
    pass: [
      `apiVersion: v1
kind: Pod
metadata: {name: files}
spec:
  containers:
    - name: app
      image: registry.example.com/app:1.0
      env:
        - name: POD_NAME
          valueFrom:
            fieldRef: {fieldPath: metadata.name}
        - name: LOG_LEVEL
          valueFrom:
            configMapKeyRef: {name: app, key: log-level}
      envFrom:
        - configMapRef: {name: app}
      volumeMounts:
        - {name: db, mountPath: /var/run/secrets/db, readOnly: true}
  volumes:
    - name: db
      secret: {secretName: db, defaultMode: 0400}`,
    ],
  },
  create(context) {
    return {
      container(c) {
        const refs: { at: Path; secret: string; detail: string }[] = [];
        asArray(c.container.env).forEach((item, i) => {
          const ref = asObject(dig(item, 'valueFrom', 'secretKeyRef'));
          if (ref === undefined) return;
          const secret = asString(ref.name) ?? '(unnamed)';
          refs.push({ at: ['env', i, 'valueFrom', 'secretKeyRef'], secret, detail: `env ${asString(asObject(item)?.name) ?? `#${i}`} ← ${secret}/${asString(ref.key) ?? '?'}` });
        });
        asArray(c.container.envFrom).forEach((item, i) => {
          const ref = asObject(dig(item, 'secretRef'));
          if (ref === undefined) return;
          const secret = asString(ref.name) ?? '(unnamed)';
          const prefix = asString(asObject(item)?.prefix);
          refs.push({ at: ['envFrom', i, 'secretRef'], secret, detail: `envFrom ${secret} (every key${prefix ? `, prefixed ${prefix}` : ''})` });
        });
        if (refs.length === 0) return;
        const secrets = [...new Set(refs.map((r) => r.secret))];
        const what = secrets.length === 1 ? `Secret \`${secrets[0]}\`` : `Secrets ${secrets.map((s) => `\`${s}\``).join(', ')}`;
        context.report({ node: c, messageId: 'env', data: { what }, at: refs[0].at, evidence: refs.map((r) => r.detail).join('; ') });
      },
    };
  },
});
