// Credential rules (KM-SC-001..003) and the secret detector they share. The values below are fake
// or the public documentation examples of their providers.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { detectSecret, redact, scanFileText, isSecretName } from '../../src/rules/secrets-detect.js';
import envLiteral from '../../src/rules/credentials/env-literal-secret.js';
import configmapSecret from '../../src/rules/credentials/configmap-secret.js';
import secretAsEnv from '../../src/rules/credentials/secret-as-env.js';
import type { Rule } from '../../src/core/rule.js';
import { scanText } from '../helpers/scan.js';

const AWS_DOC_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEkubemoatfakekeymaterial\n-----END RSA PRIVATE KEY-----';

function findings(yaml: string, rule: Rule) {
  const report = scanText(yaml, [rule]);
  assert.deepEqual(report.coverage, []);
  return report.findings.filter((f) => f.ruleId === rule.meta.id);
}

function podWithEnv(env: string): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ns}
spec:
  containers:
    - name: app
      image: registry.example.com/app:1
      env:
${env}`;
}

describe('secret names', () => {
  const yes = ['PASSWORD', 'DB_PASSWORD', 'dbPassword', 'MYSQL_ROOT_PASSWORD', 'DB_PASS', 'DB_PWD', 'JWT_SECRET', 'CLIENT_SECRET_VALUE', 'SECRET_KEY_BASE', 'GITHUB_TOKEN', 'refresh-token', 'API_KEY', 'apiKey', 'STRIPE_APIKEY', 'AWS_SECRET_ACCESS_KEY', 'PRIVATE_KEY', 'ENCRYPTION_KEY', 'CREDENTIALS', 'spring.datasource.password', 'VAULT_SECRET_ID', 'PASSPHRASE',
    // names cloud CLIs and agents read credentials from (issue 18)
    'AZURE_BATCH_KEY', 'AZURE_BATCHAI_STORAGE_KEY', 'OCI_CLI_KEY_CONTENT', 'NEW_RELIC_INSERT_KEY', 'LOGDNA_INGESTION_KEY', 'SEGMENT_WRITE_KEY', 'DD_APP_KEY',
    'AZURE_DEVOPS_EXT_PAT', 'RABBITMQ_ERLANG_COOKIE', 'TF_TOKEN_app_terraform_io', 'AUTH_JWT', 'OCI_CLI_PASSPHRASE'];
  const no = ['PWD', 'PASSWORD_FILE', 'SECRET_NAME', 'TOKEN_TTL', 'TOKEN_URL', 'AUTH_TOKEN_ENABLED', 'SECRET_PATH', 'API_KEY_HEADER', 'CACHE_KEY', 'SORT_KEY', 'PASSWORD_MIN_LENGTH', 'BYPASS', 'TOKENIZER', 'SECRETS_DIR', 'KEY', 'CLIENT_ID', 'USERNAME', 'PATH', 'COOKIE_DOMAIN', 'SESSION_COOKIE', 'JWT_ISSUER', 'KEY_CONTENT'];
  for (const n of yes) test(`${n} names a credential`, () => assert.ok(isSecretName(n)));
  for (const n of no) test(`${n} does not`, () => assert.ok(!isSecretName(n)));
});

describe('detectSecret', () => {
  const positives: [string, string, string, 'critical' | 'high'][] = [
    ['AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE', 'AWS access key id', 'critical'],
    ['ANYTHING', 'id=ASIAKUBEMOATFAKE0003 region=eu', 'AWS access key id', 'critical'],
    ['AWS_SECRET_ACCESS_KEY', AWS_DOC_SECRET, 'AWS secret access key', 'critical'],
    ['SIGNING', PEM, 'private key', 'critical'],
    ['KEY_PEM', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----', 'private key', 'critical'],
    ['GOOGLE_CREDENTIALS_JSON', '{"type": "service_account", "project_id": "p", "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n"}', 'GCP service account key', 'critical'],
    ['AZURE_STORAGE', 'DefaultEndpointsProtocol=https;AccountName=kubemoat;AccountKey=a3ViZW1vYXRmYWtla2V5a3ViZW1vYXRmYWtla2V5MDA=;EndpointSuffix=core.windows.net', 'Azure storage connection string', 'critical'],
    ['CLIENT_KEY_DATA', 'LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFa3ViZW1vYXQ=', 'base64-encoded private key', 'critical'],
    ['GH', 'ghp_kubemoatFAKEkubemoatFAKEkubemoatFAKE12', 'GitHub token', 'high'],
    ['GH', 'github_pat_11KUBEMOAT0FAKE0TOKEN00_kubemoatfake', 'GitHub token', 'high'],
    ['HOOK', 'xoxp-000000000000-kubemoat-fake', 'Slack token', 'high'],
    ['PAYMENTS', 'sk_live_kubemoatFAKEkubemoatFAKE00', 'Stripe live secret key', 'high'],
    ['AUTH', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrdWJlbW9hdCJ9.a3ViZW1vYXQtZmFrZS1zaWduYXR1cmU', 'JSON Web Token', 'high'],
    ['DATABASE_URL', 'mysql://root:Fake-Passw0rd@db:3306/app', 'URL with an embedded password', 'high'],
    ['REDIS_URL', 'redis://:kubemoat-fake@redis:6379/0', 'URL with an embedded password', 'high'],
    ['JDBC', 'jdbc:postgresql://db/app?user=app&password=kubemoat-fake', 'connection string with a password', 'high'],
    ['JAVA_OPTS', '-Xmx1g -Dspring.datasource.password=kubemoat-fake', 'connection string with a password', 'high'],
    ['DB_PASSWORD', 'hunter22', 'password', 'high'],
    ['ADMIN_PASSWORD', 'minio123', 'password', 'high'],
    ['API_KEY', 'kubemoat-fake-api-key', 'API key', 'high'],
    ['SESSION_SECRET', 'Kubemoat fake secret with spaces', 'secret', 'high'],
  ];
  for (const [name, value, kind, severity] of positives) {
    test(`${name} → ${kind}`, () => {
      const m = detectSecret(name, value);
      assert.ok(m, 'expected a match');
      assert.equal(m.kind, kind);
      assert.equal(m.severity, severity);
    });
  }
  const negatives: [string, string][] = [
    ['DB_PASSWORD', ''],
    ['DB_PASSWORD', '   '],
    ['DB_PASSWORD', '$(DB_PASSWORD)'],
    ['DB_PASSWORD', '${DB_PASSWORD}'],
    ['DB_PASSWORD', '$DB_PASSWORD'],
    ['DB_PASSWORD', '{{ .Values.db.password }}'],
    ['DB_PASSWORD', '<changeme>'],
    ['DB_PASSWORD', '********'],
    ['DB_PASSWORD', 'xxxxxxxx'],
    // holes to fill in, as manifests and docs write them (issue 18)
    ['ADMIN_PASSWORD', 'changeme'],
    ['KEYSTORE_PASSWORD', 'changeit'],
    ['ETCD_DISCOVERY_TOKEN', 'INSERT_ETCD_DISCOVERY_TOKEN'],
    ['API_KEY', 'REPLACE_ME'],
    ['API_KEY', 'replace-with-your-key'],
    ['MYSQL_ROOT_PASSWORD', 'yourpassword'],
    ['OPENAI_API_KEY', 'YOUR_API_KEY'],
    ['SLACK_TOKEN', 'token-goes-here'],
    ['DB_PASSWORD', '<password>'],
    ['DB_PASSWORD', 'xxxx-xxxx-xxxx'],
    ['AWS_ACCESS_KEY_ID', 'AKIAXXXXXXXXXXXXXXXX'],
    ['DB_PASSWORD', '__DB_PASSWORD__'],
    ['DB_PASSWORD', '@db.password@'],
    ['DB_PASSWORD', '%DB_PASSWORD%'],
    ['DB_PASSWORD', '#{dbPassword}'],
    ['DB_PASSWORD', '{password}'],
    ['DB_PASSWORD', 'TODO'],
    ['DB_PASSWORD', 'placeholder'],
    ['DB_PASSWORD', 'abc'],
    ['TOKEN', 'true'],
    ['TOKEN', 'false'],
    ['TOKEN', 'none'],
    ['API_TOKEN', '3600'],
    ['API_TOKEN', '30s'],
    ['DB_PASSWORD', '/var/run/secrets/db/password'],
    ['DB_PASSWORD', './secrets/pw'],
    ['TOKEN', 'https://auth.example.com/token'],
    ['DATABASE_URL', 'postgres://app:$(DB_PASSWORD)@db:5432/app'],
    ['DATABASE_URL', 'postgres://app:${DB_PASSWORD}@db:5432/app'],
    ['DATABASE_URL', 'postgres://db:5432/app'],
    ['TLS_SECRET', 'ingress-tls'],
    ['DB_CREDENTIALS', 'postgres-creds'],
    ['SSH_KEY', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake user@host'],
    ['TLS_CERT', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
    ['PUBLIC_KEY', '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----'],
    ['PASSWORD_FILE', 'hunter22'],
    ['SECRET_NAME', 'Hunter22Hunter22'],
    ['TOKEN_TTL', '1h30m'],
    ['AWS_REGION', 'eu-west-1'],
    ['AWS_SECRET_ACCESS_KEY', '$(AWS_SECRET_ACCESS_KEY)'],
    ['PWD', '/app'],
  ];
  for (const [name, value] of negatives) {
    test(`${name}=${JSON.stringify(value)} is not reported`, () => assert.equal(detectSecret(name, value), undefined));
  }
});

describe('redaction', () => {
  test('shows at most 4 leading characters, fewer for short values', () => {
    assert.equal(redact(AWS_DOC_SECRET), 'wJal…[redacted]');
    assert.equal(redact('hunter22'), 'hu…[redacted]');
    assert.equal(redact('abc'), '…[redacted]');
  });
});

describe('scanFileText', () => {
  test('reads .env, properties, INI and YAML lines; skips comments, references and empty values', () => {
    const text = [
      '# a comment with PASSWORD=kubemoat-comment',
      'export LOG_LEVEL=debug',
      `aws_secret_access_key = ${AWS_DOC_SECRET}`,
      'spring.datasource.password=kubemoat-fake # trailing note',
      'db:',
      '  password: "kubemoat-yaml"',
      '  token: ${TOKEN}',
      '  passwordFile: /etc/pw',
      '"apiKey": "kubemoat-json-key",',
      'API_TOKEN=',
    ].join('\n');
    const m = scanFileText(text);
    assert.deepEqual(m.map((x) => [x.line, x.name, x.kind]), [
      [3, 'aws_secret_access_key', 'AWS secret access key'],
      [4, 'spring.datasource.password', 'password'],
      [6, 'password', 'password'],
      [9, 'apiKey', 'API key'],
    ]);
  });
  test('reports a PEM key once, at the line where it starts', () => {
    const m = scanFileText(`a: 1\nkey: |\n  ${PEM.split('\n').join('\n  ')}\n`);
    assert.deepEqual(m.map((x) => [x.line, x.kind]), [[3, 'private key']]);
  });
});

describe('KM-SC-001 literal credential in env', () => {
  test('evidence is redacted and severity follows the kind', () => {
    const f = findings(podWithEnv(`        - {name: AWS_SECRET_ACCESS_KEY, value: "${AWS_DOC_SECRET}"}
        - {name: DB_PASSWORD, value: hunter22}
        - name: PEM
          value: |
            ${PEM.split('\n').join('\n            ')}`), envLiteral);
    assert.deepEqual(f.map((x) => [x.severity, x.location?.line, x.evidence]), [
      ['critical', 9, 'env AWS_SECRET_ACCESS_KEY=wJal…[redacted] (AWS secret access key)'],
      ['high', 10, 'env DB_PASSWORD=hu…[redacted] (password)'],
      ['critical', 12, 'env PEM=----…[redacted] (private key)'],
    ]);
    assert.equal(f[0].message, 'container `app` in Pod ns/p sets env `AWS_SECRET_ACCESS_KEY` to a literal AWS secret access key');
    for (const x of f) assert.ok(!JSON.stringify(x).includes('hunter22') && !JSON.stringify(x).includes('K7MDENG'), 'no value in the finding');
  });
  test('valueFrom, placeholders and safe names are silent', () => {
    const f = findings(podWithEnv(`        - name: DB_PASSWORD
          valueFrom: {secretKeyRef: {name: db, key: password}}
        - {name: API_KEY, value: "$(API_KEY_FROM_SECRET)"}
        - {name: TOKEN_TTL, value: "3600"}
        - {name: PASSWORD_FILE, value: /run/secrets/pw}`), envLiteral);
    assert.equal(f.length, 0);
  });
  test('checks init and ephemeral containers', () => {
    const yaml = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: i, image: "a:1", env: [{name: GITHUB_TOKEN, value: ghp_kubemoatFAKEkubemoatFAKEkubemoatFAKE12}]}
  containers:
    - {name: c, image: "a:1"}
  ephemeralContainers:
    - {name: e, image: "a:1", env: [{name: ROOT_PASSWORD, value: kubemoat-fake}]}`;
    assert.deepEqual(findings(yaml, envLiteral).map((x) => x.resource?.container), ['i', 'e']);
  });
});

describe('KM-SC-002 credential in a ConfigMap', () => {
  test('points at the data key, lists lines in the evidence, takes the worst severity', () => {
    const yaml = `apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: ns}
data:
  LOG_LEVEL: info
  credentials: |
    [default]
    aws_access_key_id = AKIAIOSFODNN7EXAMPLE
    aws_secret_access_key = ${AWS_DOC_SECRET}
  ADMIN_TOKEN: kubemoat-fake-token`;
    const f = findings(yaml, configmapSecret);
    assert.deepEqual(f.map((x) => [x.severity, x.location?.line]), [['critical', 6], ['high', 10]]);
    assert.equal(f[0].message, 'ConfigMap ns/cm holds 2 credentials in the file under key `credentials` (AWS access key id, AWS secret access key)');
    assert.equal(f[0].evidence, 'data credentials: line 2 aws_access_key_id=AKIA…[redacted] (AWS access key id); line 3 aws_secret_access_key=wJal…[redacted] (AWS secret access key)');
    assert.equal(f[1].message, 'ConfigMap ns/cm holds a literal token under key `ADMIN_TOKEN`');
  });
  test('a kubeconfig with a client key is critical; certificate data is not reported', () => {
    const yaml = `apiVersion: v1
kind: ConfigMap
metadata: {name: kc, namespace: ci}
data:
  kubeconfig: |
    apiVersion: v1
    kind: Config
    clusters:
      - cluster: {certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t, server: "https://10.0.0.1:6443"}
        name: c
    users:
      - name: u
        user:
          client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t
          client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFa3ViZW1vYXQ=`;
    const f = findings(yaml, configmapSecret);
    assert.equal(f.length, 1);
    assert.equal(f[0].severity, 'critical');
    assert.match(f[0].evidence ?? '', /line 10 client-key-data=LS0t…\[redacted\] \(base64-encoded private key\)/);
  });
  test('binaryData is judged by key name only', () => {
    const yaml = `apiVersion: v1
kind: ConfigMap
metadata: {name: b}
binaryData:
  tls.key: a3ViZW1vYXQ=
  .git-credentials: a3ViZW1vYXQ=
  logo.png: a3ViZW1vYXQ=
  ca.crt: a3ViZW1vYXQ=`;
    assert.deepEqual(findings(yaml, configmapSecret).map((x) => [x.severity, x.location?.line]), [['critical', 5], ['high', 6]]);
  });
  test('other kinds with data (Secrets) are not this rule', () => {
    const yaml = `apiVersion: v1
kind: Secret
metadata: {name: s}
stringData:
  DB_PASSWORD: kubemoat-fake`;
    assert.equal(findings(yaml, configmapSecret).length, 0);
  });
});

describe('KM-SC-003 Secret as environment variables', () => {
  test('one finding per container, at the first reference, listing every one', () => {
    const f = findings(podWithEnv(`        - {name: LOG, value: info}
        - name: DB_PASSWORD
          valueFrom: {secretKeyRef: {name: db, key: password}}
        - name: API_KEY
          valueFrom: {secretKeyRef: {name: api, key: key}}
      envFrom:
        - configMapRef: {name: app}
        - secretRef: {name: db}
          prefix: DB_`), secretAsEnv);
    assert.equal(f.length, 1);
    assert.equal(f[0].location?.line, 11);
    assert.equal(f[0].message, 'container `app` in Pod ns/p reads Secrets `db`, `api` into environment variables');
    assert.equal(f[0].evidence, 'env DB_PASSWORD ← db/password; env API_KEY ← api/key; envFrom db (every key, prefixed DB_)');
    assert.deepEqual(f[0].frameworks.cis, ['5.4.1']);
  });
  test('ConfigMap and field references are not Secrets', () => {
    const f = findings(podWithEnv(`        - name: NODE
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
        - name: MODE
          valueFrom: {configMapKeyRef: {name: app, key: mode}}`), secretAsEnv);
    assert.equal(f.length, 0);
  });
});

describe('JSON held in one value', () => {
  test('env SPRING_APPLICATION_JSON with a password member', () => {
    const f = findings(podWithEnv(`        - name: SPRING_APPLICATION_JSON
          value: '{"spring.datasource.url": "jdbc:postgresql://db/app", "spring.datasource.password": "kubemoat-fake"}'`), envLiteral);
    assert.deepEqual(f.map((x) => [x.severity, x.message, x.evidence]), [[
      'high',
      'container `app` in Pod ns/p sets env `SPRING_APPLICATION_JSON` to JSON holding a literal password under `spring.datasource.password`',
      'env SPRING_APPLICATION_JSON: "spring.datasource.password"=kub…[redacted] (password)',
    ]]);
  });
  test('a one-line JSON ConfigMap value is read member by member', () => {
    const yaml = `apiVersion: v1
kind: ConfigMap
metadata: {name: j}
data:
  config.json: '{"db": {"user": "app", "password": "kubemoat-fake"}, "passwordFile": "/etc/pw"}'
  flags.json: '{"tokenTtl": "3600", "secretName": "db-creds"}'`;
    const f = findings(yaml, configmapSecret);
    assert.deepEqual(f.map((x) => [x.location?.line, x.evidence]), [[5, 'data config.json: line 1 password=kub…[redacted] (password)']]);
  });
});
