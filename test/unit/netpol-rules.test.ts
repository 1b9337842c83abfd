// The NetworkPolicy rules (KM-NP-…): their own examples, exact findings on fixtures, and the
// division of labour between them (one finding per problem, not three).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EMPTY_CONFIG } from '../../src/core/config.js';
import { analyse, scanManifests } from '../../src/core/pipeline.js';
import type { Finding } from '../../src/core/finding.js';
import type { JsonObject } from '../../src/core/json.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { toKubeObject } from '../../src/inventory/objects.js';
import { networkRules } from '../../src/rules/network/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { loadText, scanText } from '../helpers/scan.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'netpol');

function findings(yaml: string): Finding[] {
  const report = scanText(yaml, networkRules);
  assert.deepEqual(report.coverage, [], 'fixture parses');
  return report.findings;
}

/** `KM-NP-001@12` for each finding, sorted */
function summary(fs: readonly Finding[]): string[] {
  return fs.map((f) => `${f.ruleId}@${f.location?.line ?? '-'}`).sort();
}

describe('every KM-NP rule holds to its own examples', () => {
  assert.equal(networkRules.length, 6);
  for (const rule of networkRules) {
    test(`${rule.meta.id}: metadata and examples`, () => {
      assert.match(rule.meta.id, /^KM-NP-\d{3}$/);
      assert.equal(rule.meta.door, 'network');
      assert.ok(rule.examples.pass.length > 0 && rule.examples.fail.length > 0);
      rule.examples.fail.forEach((yaml, i) => {
        const report = scanText(yaml, [rule]);
        assert.deepEqual(report.coverage, [], `fail example ${i + 1} parses`);
        const mine = report.findings.filter((f) => f.ruleId === rule.meta.id);
        assert.ok(mine.length > 0, `fail example ${i + 1} reports`);
        for (const f of mine) {
          assert.ok(f.location && f.location.line >= 1, 'has a location');
          assert.ok(!f.message.includes('{{'), f.message);
        }
      });
      rule.examples.pass.forEach((yaml, i) => {
        const report = scanText(yaml, [rule]);
        assert.deepEqual(report.coverage, [], `pass example ${i + 1} parses`);
        assert.deepEqual(report.findings.map((f) => f.message), [], `pass example ${i + 1} is silent`);
      });
    });
  }
});

const DEPLOY = (ns: string, name: string, labels: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  template:
    metadata:
      labels: ${labels}
    spec:${extra}
      containers: [{name: c, image: "busybox:1.36"}]
---
`;

describe('one finding per problem', () => {
  test('a namespace with no policy: the namespace is reported once per direction and once for the metadata endpoint, naming its workloads', () => {
    const fs = findings(`apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
${DEPLOY('shop', 'web', '{app: web}')}${DEPLOY('shop', 'api', '{app: api}')}`);
    assert.deepEqual(summary(fs), ['KM-NP-001@3', 'KM-NP-002@3', 'KM-NP-005@3']);
    const np001 = fs.find((f) => f.ruleId === 'KM-NP-001')!;
    assert.equal(np001.resource?.kind, 'Namespace');
    assert.equal(np001.severity, 'medium');
    assert.equal(
      np001.message,
      'namespace `shop` has no ingress NetworkPolicy: any pod in the cluster can connect to its 2 workload(s) (Deployment shop/web and Deployment shop/api) on every port',
    );
    assert.equal(fs.find((f) => f.ruleId === 'KM-NP-002')!.severity, 'low');
    const np005 = fs.find((f) => f.ruleId === 'KM-NP-005')!;
    assert.equal(np005.severity, 'medium', 'medium: manifests cannot show whether the nodes run in a cloud');
    assert.equal(np005.resource?.kind, 'Namespace');
    assert.match(np005.message, /^namespace `shop` has 2 workload\(s\) \(Deployment shop\/web and Deployment shop\/api\) that no egress NetworkPolicy selects/);
    assert.equal(np005.evidence, '2 workload(s) selected by no egress policy: Deployment web, Deployment api');
  });

  test('policies that cover some workloads: the namespace for the missing default, each uncovered workload by KM-NP-003', () => {
    const fs = findings(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{podSelector: {matchLabels: {app: lb}}}]}]
---
${DEPLOY('shop', 'web', '{app: web}')}${DEPLOY('shop', 'api', '{app: api}')}`);
    // 001/002 on the first workload (no Namespace object), 003 at api's pod labels, 005 for api only, on api
    assert.deepEqual(summary(fs), ['KM-NP-001@11', 'KM-NP-002@11', 'KM-NP-003@25', 'KM-NP-005@21']);
    assert.equal(fs.find((f) => f.ruleId === 'KM-NP-005')!.resource?.name, 'api');
    assert.match(fs.find((f) => f.ruleId === 'KM-NP-001')!.message, /its 1 ingress policies cover chosen workloads only/);
    assert.equal(fs.find((f) => f.ruleId === 'KM-NP-003')!.resource?.name, 'api');
  });

  test('a deny-all reopened by an allow-all: KM-NP-004 names the rule, KM-NP-001 stays silent', () => {
    const fs = findings(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  egress:
    - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]
      ports: [{port: 53, protocol: UDP}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: everyone, namespace: shop}
spec:
  podSelector: {}
  ingress:
    - from: [{namespaceSelector: {}}]
---
${DEPLOY('shop', 'web', '{app: web}')}`);
    assert.deepEqual(summary(fs), ['KM-NP-004@17']);
    assert.equal(fs[0].message, 'NetworkPolicy shop/everyone lets any pod in any namespace connect to Deployment shop/web on all ports (ingress rule 1)');
  });

  test('a fully protected namespace is silent', () => {
    const fs = findings(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}, podSelector: {matchLabels: {app: nginx}}}], ports: [{port: http}]}]
  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32, 10.0.0.0/8]}}], ports: [{port: 443}]}]
---
${DEPLOY('shop', 'web', '{app: web}')}`);
    assert.deepEqual(summary(fs), []);
  });

  test('system namespaces are not judged, except for dead policies', () => {
    const fs = findings(`${DEPLOY('kube-system', 'coredns', '{k8s-app: kube-dns}')}${DEPLOY('kube-public', 'x', '{app: x}')}apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: typo, namespace: kube-system}
spec:
  podSelector: {matchLabels: {k8s-app: kubedns}}
  ingress: [{}]`);
    assert.deepEqual(summary(fs), ['KM-NP-006@25']);
  });

  test('a host-network workload: nothing from the NetworkPolicy rules (KM-WL-004 says it reaches the metadata endpoint); a default deny beside it is not a dead policy', () => {
    const fs = findings(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: mon}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
${DEPLOY('mon', 'agent', '{app: agent}', '\n      hostNetwork: "true"')}`);
    assert.deepEqual(summary(fs), []);
  });
});

describe('fixtures and the lab manifests', () => {
  test('test/fixtures/netpol/shop.yaml', async () => {
    const { report } = await scanManifests([join(FIXTURES, 'shop.yaml')], { rules: networkRules, config: EMPTY_CONFIG, minimumSeverity: 'info' });
    assert.deepEqual(summary(report.findings), [
      'KM-NP-001@11', // ingress-nginx namespace
      'KM-NP-001@16', // monitoring namespace
      'KM-NP-002@11',
      'KM-NP-002@16',
      'KM-NP-005@11', // ingress-nginx namespace: the controller has no egress policy
      'KM-NP-005@16', // monitoring namespace: prometheus
      'KM-NP-005@74', // shop/api: 0.0.0.0/0 except 10.0.0.0/8
      'KM-NP-006@84', // shop/db selects app=postgres, the StatefulSet says postgresql
    ]);
  });

  test('lab insecure profile: the namespace without NetworkPolicy is found; hardened: nothing', async () => {
    const scan = async (profile: string) =>
      (await scanManifests([join(REPO_ROOT, 'lab', 'manifests', profile)], { rules: networkRules, config: EMPTY_CONFIG, minimumSeverity: 'info' })).report;
    const insecure = await scan('insecure');
    const ids = new Set(insecure.findings.map((f) => f.ruleId));
    assert.ok(ids.has('KM-NP-001') && ids.has('KM-NP-002') && ids.has('KM-NP-005'), [...ids].join(','));
    assert.ok(insecure.findings.every((f) => f.resource?.namespace === 'lab-apps' || (f.resource?.kind === 'Namespace' && f.resource.name === 'lab-apps')));
    const hardened = await scan('hardened');
    assert.deepEqual(hardened.findings.map((f) => f.message), []);
  });

  test('live objects: the same findings, without a file position', () => {
    const inventory = new Inventory();
    const origin = { type: 'cluster' as const, context: 'lab' };
    const raws: JsonObject[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'db', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'db' } } } },
    ];
    for (const raw of raws) {
      const o = toKubeObject(raw, origin);
      assert.ok(o);
      inventory.add(o);
    }
    const report = analyse(inventory, { type: 'cluster', context: 'lab' }, [], new Date(0), { rules: networkRules, config: EMPTY_CONFIG, minimumSeverity: 'info' });
    assert.deepEqual(report.findings.map((f) => `${f.ruleId}:${f.resource?.kind}/${f.resource?.name}:${f.location === undefined}`).sort(), [
      'KM-NP-001:Namespace/shop:true',
      'KM-NP-002:Namespace/shop:true',
      'KM-NP-003:Deployment/web:true',
      'KM-NP-005:Namespace/shop:true',
      'KM-NP-006:NetworkPolicy/db:true',
    ]);
  });
});

test('a source that could not list NetworkPolicies (inventory.unreadableKinds) silences the missing-policy rules', () => {
  const yaml = `${DEPLOY('shop', 'web', '{app: web}')}apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: typo, namespace: shop}
spec:
  podSelector: {matchLabels: {app: wbe}}`;
  assert.deepEqual(summary(findings(yaml)), ['KM-NP-001@3', 'KM-NP-002@3', 'KM-NP-003@7', 'KM-NP-005@3', 'KM-NP-006@15']);
  const policies = loadText(yaml);
  Object.assign(policies.inventory, { unreadableKinds: new Set(['NetworkPolicy']) });
  const a = analyse(policies.inventory, { type: 'manifests', paths: [] }, [], new Date(0), { rules: networkRules, config: EMPTY_CONFIG, minimumSeverity: 'info' });
  assert.deepEqual(summary(a.findings), ['KM-NP-006@15'], 'a policy that was read still selects nothing');
  const workloads = loadText(yaml);
  Object.assign(workloads.inventory, { unreadableKinds: new Set(['Deployment']) });
  const b = analyse(workloads.inventory, { type: 'manifests', paths: [] }, [], new Date(0), { rules: networkRules, config: EMPTY_CONFIG, minimumSeverity: 'info' });
  assert.ok(!b.findings.some((f) => f.ruleId === 'KM-NP-006'), 'unlisted workloads may be the ones it selects');
});

describe('weighing what a namespace-level or open rule really exposes', () => {
  const POD = (name: string, labels: string, ports = '[]') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop, labels: ${labels}}
spec:
  containers: [{name: c, image: "busybox:1.36", ports: ${ports}}]
---
`;
  const FROM_EVERY_NAMESPACE = (ports: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: open, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{namespaceSelector: {}}]
      ports: ${ports}
---
`;

  test('KM-NP-001: policies that select every workload leave only future pods open: low, with its own message', () => {
    const fs = findings(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchExpressions: [{key: app, operator: In, values: [web, api]}]}
  ingress: [{from: [{podSelector: {matchLabels: {app: lb}}}]}]
---
${POD('web', '{app: web}')}${POD('api', '{app: api}')}`).filter((f) => f.ruleId === 'KM-NP-001');
    assert.equal(fs.length, 1);
    assert.equal(fs[0].severity, 'low');
    assert.match(fs[0].message, /select each of its 2 workload\(s\), but a pod created later/);
  });

  test('KM-NP-001: one uncovered workload keeps it medium', () => {
    const fs = findings(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: lb}}}]}]
---
${POD('web', '{app: web}')}${POD('api', '{app: api}')}`).filter((f) => f.ruleId === 'KM-NP-001');
    assert.deepEqual(fs.map((f) => f.severity), ['medium']);
  });

  test('KM-NP-004: a port named metrics, a metrics Service port and an exporter port are metrics; 9090, a webhook beside metrics, and every port are not', () => {
    const severityOf = (yaml: string): string[] => findings(yaml).filter((f) => f.ruleId === 'KM-NP-004').map((f) => f.severity);
    const web = POD('web', '{app: web}', '[{name: metrics, containerPort: 8082}, {containerPort: 7000}, {containerPort: 9090}, {containerPort: 9100}]');
    assert.deepEqual(severityOf(`${FROM_EVERY_NAMESPACE('[{port: 8082}]')}${web}`), ['low'], 'container port named metrics');
    assert.deepEqual(severityOf(`${FROM_EVERY_NAMESPACE('[{port: metrics}]')}${web}`), ['low'], 'a named policy port');
    assert.deepEqual(severityOf(`${FROM_EVERY_NAMESPACE('[{port: 9100}]')}${web}`), ['low'], 'node-exporter port');
    assert.deepEqual(severityOf(`${FROM_EVERY_NAMESPACE('[{port: 9090}]')}${web}`), ['medium'], "Prometheus' own API is no metrics port");
    assert.deepEqual(severityOf(`${FROM_EVERY_NAMESPACE('[{port: 8082}, {port: 7000}]')}${web}`), ['medium'], 'a webhook beside metrics');
    assert.deepEqual(severityOf(`${FROM_EVERY_NAMESPACE('[{port: 8082, endPort: 8090}]')}${web}`), ['medium'], 'a range');
    const service = `apiVersion: v1
kind: Service
metadata: {name: web-metrics, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: metrics, port: 7000, targetPort: 7000}]
---
`;
    const viaService = findings(`${FROM_EVERY_NAMESPACE('[{port: 7000}]')}${service}${web}`).filter((f) => f.ruleId === 'KM-NP-004');
    assert.deepEqual(viaService.map((f) => [f.severity, f.evidence]), [['low', 'metrics ports: Service web-metrics port metrics']]);
    assert.match(viaService[0].message, /connect to the metrics endpoint of Pod shop\/web on TCP 7000/);
  });
});
