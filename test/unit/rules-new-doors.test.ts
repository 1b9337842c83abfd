// The doors issue 18 found missing: their decisions beyond each rule's own examples.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/core/finding.js';
import { findRule } from '../../src/rules/catalogue.js';
import { scanText } from '../helpers/scan.js';

function run(yaml: string, ...ids: string[]): Finding[] {
  const rules = ids.map((id) => {
    const r = findRule(id);
    assert.ok(r, `rule ${id} exists`);
    return r;
  });
  const report = scanText(yaml, rules);
  assert.deepEqual(report.coverage, [], 'input parses cleanly');
  return report.findings;
}

const service = (spec: string, meta = ''): string => `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop${meta}}
spec:
  selector: {app: web}
  ports: [{port: 443, targetPort: 8443}]
${spec}`;

describe('KM-SV-003 Services seen from outside', () => {
  test('severity by how it is reachable', () => {
    const sev = (yaml: string): string[] => run(yaml, 'KM-SV-003', 'KM-SV-001').map((f) => `${f.ruleId} ${f.severity}`);
    assert.deepEqual(sev(service('  type: NodePort')), ['KM-SV-003 low']);
    assert.deepEqual(sev(service('  type: LoadBalancer')), ['KM-SV-003 low']);
    assert.deepEqual(sev(service('  type: LoadBalancer\n  loadBalancerSourceRanges: [203.0.113.0/24]')), ['KM-SV-003 info']);
    assert.deepEqual(sev(service('  type: LoadBalancer', ', annotations: {networking.gke.io/load-balancer-type: Internal}')), ['KM-SV-003 info']);
    assert.deepEqual(sev(service('  externalIPs: [192.0.2.7]')), ['KM-SV-003 medium']);
    assert.deepEqual(sev(service('  type: ClusterIP')), []);
  });

  test('a control-plane port behind it is KM-SV-001 alone', () => {
    const yaml = `apiVersion: v1
kind: Service
metadata: {name: api, namespace: kube-system}
spec:
  type: NodePort
  selector: {component: kube-apiserver}
  ports: [{port: 6443}]`;
    assert.deepEqual(run(yaml, 'KM-SV-003', 'KM-SV-001').map((f) => f.ruleId), ['KM-SV-001']);
  });

  test('names the workloads it selects', () => {
    const yaml = `${service('  type: NodePort')}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]`;
    assert.equal(run(yaml, 'KM-SV-003')[0].message, 'Service shop/web exposes Deployment shop/web outside the cluster through a NodePort on every node');
  });
});

describe('KM-SV-004 ingress-nginx snippets', () => {
  const ingress = (annotation: string, value: string): string => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    ${annotation}: ${JSON.stringify(value)}
spec:
  rules: [{host: shop.example.com}]`;
  test('every *-snippet annotation; critical when it reads files or runs Lua; the text is never shown', () => {
    const f = run(ingress('nginx.ingress.kubernetes.io/auth-snippet', 'proxy_set_header X-Token s3cr3t-value;'), 'KM-SV-004');
    assert.deepEqual(f.map((x) => x.severity), ['high']);
    assert.ok(!JSON.stringify(f).includes('s3cr3t-value'), 'the snippet text is not in the finding');
    assert.deepEqual(run(ingress('nginx.ingress.kubernetes.io/configuration-snippet', 'content_by_lua_block { os.execute("id") }'), 'KM-SV-004').map((x) => x.severity), ['critical']);
    assert.deepEqual(run(ingress('nginx.ingress.kubernetes.io/rewrite-target', '/'), 'KM-SV-004'), []);
  });
});

describe('KM-SC-004 Secrets committed with data', () => {
  test('a real password in data: high, at the key, the value never printed', () => {
    const value = 'Kubemoat-fake-2026';
    const yaml = `apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
data:
  password: ${Buffer.from(value).toString('base64')}`;
    const [f] = run(yaml, 'KM-SC-004');
    assert.equal(f.severity, 'high');
    assert.equal(f.location?.line, 5);
    assert.equal(f.evidence, 'data.password (18 characters, password)');
    assert.ok(!JSON.stringify(f).includes(value) && !JSON.stringify(f).includes(Buffer.from(value).toString('base64')));
  });

  test('a private key is critical; base64 placeholders and empty values are not reported', () => {
    const key = Buffer.from('-----BEGIN PRIVATE KEY-----\nMIIEfake\n-----END PRIVATE KEY-----\n').toString('base64');
    const yaml = `apiVersion: v1
kind: Secret
metadata: {name: tls, namespace: shop}
type: kubernetes.io/tls
data:
  tls.crt: ""
  tls.key: ${key}`;
    assert.deepEqual(run(yaml, 'KM-SC-004').map((f) => f.severity), ['critical']);
    const placeholders = `apiVersion: v1
kind: Secret
metadata: {name: later, namespace: shop}
data:
  password: ${Buffer.from('REPLACE_ME').toString('base64')}
  token: ""`;
    assert.deepEqual(run(placeholders, 'KM-SC-004'), []);
  });
});

describe('KM-WL-025 and KM-WL-026', () => {
  const pod = (container: string, spec = ''): string => `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ops}
spec:${spec}
  containers:
    - name: c
      image: busybox:1.36
${container}`;
  test('flags as separate words, inside a shell line, or with =true; =false keeps verification on', () => {
    assert.equal(run(pod('      args: ["--kubelet-insecure-tls=true"]'), 'KM-WL-025').length, 1);
    assert.equal(run(pod('      command: [sh, -c, "kubectl --insecure-skip-tls-verify get pods"]'), 'KM-WL-025').length, 1);
    assert.equal(run(pod('      args: ["--tls-verify=false"]'), 'KM-WL-025').length, 1);
    assert.equal(run(pod('      args: ["--kubelet-insecure-tls=false"]'), 'KM-WL-025').length, 0);
  });
  test('gid 0 is low, medium when the container mounts host paths', () => {
    assert.deepEqual(run(pod('', '\n  securityContext: {runAsUser: 1000, fsGroup: 0}'), 'KM-WL-026').map((f) => f.severity), ['low']);
    const withHost = pod('      volumeMounts: [{name: h, mountPath: /h}]', '\n  securityContext: {runAsGroup: 0}\n  volumes: [{name: h, hostPath: {path: /srv}}]');
    assert.deepEqual(run(withHost, 'KM-WL-026').map((f) => f.severity), ['medium']);
  });
});

describe('KM-CO-002 Tiller and KM-SV-004 old ingress-nginx controllers', () => {
  const tiller = (args: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: tiller-deploy, namespace: kube-system}
spec:
  template:
    spec:
      containers:
        - name: tiller
          image: gcr.io/kubernetes-helm/tiller:v2.16.12
          args: ${args}`;
  test('Tiller on the pod loopback only is medium; verified clients high; otherwise critical', () => {
    const sev = (args: string): string[] => run(tiller(args), 'KM-CO-002').map((f) => f.severity);
    assert.deepEqual(sev('["--listen=localhost:44134"]'), ['medium']);
    assert.deepEqual(sev('["--listen=127.0.0.1:44134"]'), ['medium']);
    assert.deepEqual(sev('["--tls-verify"]'), ['high']);
    assert.deepEqual(sev('["--listen=0.0.0.0:44134"]'), ['critical']);
  });
  test('a controller before v1.9 with no ConfigMap saying otherwise: snippets are on by default', () => {
    const controller = (tag: string): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: c, namespace: ingress-nginx}
spec:
  template:
    spec:
      containers: [{name: controller, image: "registry.k8s.io/ingress-nginx/controller:${tag}"}]`;
    assert.deepEqual(run(controller('v1.8.4'), 'KM-SV-004').map((f) => f.severity), ['medium']);
    assert.deepEqual(run(controller('v0.49.3'), 'KM-SV-004').map((f) => f.severity), ['medium']);
    assert.deepEqual(run(controller('v1.9.0'), 'KM-SV-004'), []);
  });
});

describe('control-plane flags the peers judge (issue 18)', () => {
  const apiserver = (image: string, flags: string[]): string => `apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system}
spec:
  containers:
    - name: kube-apiserver
      image: ${image}
      command: [kube-apiserver${flags.map((f) => `, "${f}"`).join('')}]`;
  test('--service-account-lookup left out is false before 1.7, true after', () => {
    const lookup = (image: string): Finding[] => run(apiserver(image, ['--service-account-key-file=/k/sa.pub']), 'KM-CP-016');
    assert.match(lookup('k8s.gcr.io/kube-apiserver-amd64:v1.6.0')[0]?.message ?? '', /false before 1\.7/);
    assert.deepEqual(lookup('registry.k8s.io/kube-apiserver:v1.31.0'), []);
  });
  test('no etcd client certificate and no etcd CA: one finding that says both, with both CIS items', () => {
    const [f] = run(apiserver('registry.k8s.io/kube-apiserver:v1.31.0', []), 'KM-CP-013');
    assert.match(f.message, /without `--etcd-certfile` and `--etcd-keyfile`.*and without `--etcd-cafile`/);
    assert.deepEqual(f.frameworks.cis, ['1.2.23', '1.2.26']);
  });
  test('--secure-port=0: reported before 1.12 (no HTTPS at all), not on versions that refuse it', () => {
    assert.deepEqual(run(apiserver('k8s.gcr.io/kube-apiserver-amd64:v1.11.10', ['--secure-port=0']), 'KM-CP-014').map((f) => f.severity), ['high']);
    assert.ok(!run(apiserver('registry.k8s.io/kube-apiserver:v1.31.0', ['--secure-port=0']), 'KM-CP-014').some((f) => /secure-port/.test(f.message)));
  });
});
