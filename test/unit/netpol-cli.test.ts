// `kubemoat netpol`, run in-process on the fixtures (output to a file), and the default-deny
// policies it emits checked by loading them back.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { netpolCommand } from '../../src/cli/netpol.js';
import { UsageError } from '../../src/cli/exit.js';
import { netpolIndex } from '../../src/inventory/netpol.js';
import { networkRules } from '../../src/rules/network/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { loadText, scanText } from '../helpers/scan.js';

const SHOP = join(REPO_ROOT, 'test', 'fixtures', 'netpol', 'shop.yaml');
const dir = mkdtempSync(join(tmpdir(), 'kubemoat-netpol-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function run(...args: string[]): Promise<{ out: string; exitCode: number | string | undefined }> {
  const file = join(dir, `out-${n++}`);
  const before = process.exitCode;
  try {
    await netpolCommand().exitOverride().parseAsync([...args, '-o', file], { from: 'user' });
    return { out: readFileSync(file, 'utf8'), exitCode: process.exitCode };
  } finally {
    process.exitCode = before;
  }
}

describe('kubemoat netpol', () => {
  test('summary: one line per namespace', async () => {
    const { out, exitCode } = await run(SHOP);
    assert.equal(exitCode, 0);
    const lines = out.split('\n');
    assert.match(lines[0], /^NAMESPACE\s+WORKLOADS\s+POLICIES\s+DENY-IN\s+DENY-OUT\s+OPEN-IN\s+OPEN-OUT\s+METADATA/);
    assert.match(out, /\nshop\s+3\s+4\s+yes\s+yes\s+0\s+0\s+1\n/);
    assert.match(out, /\nmonitoring\s+1\s+0\s+no\s+no\s+1\s+1\s+1\n/);
  });

  test('--pod: sources per rule with resolved named ports, connecting workloads, metadata', async () => {
    const { out } = await run(SHOP, '--pod', 'shop/web');
    assert.match(out, /^Deployment shop\/web\n/);
    assert.match(out, /What may reach it \(ingress\): isolated by shop\/default-deny, shop\/web\./);
    assert.match(out, /- shop\/web ingress rule 1, on TCP 8080\n\s+from pods matching `app.kubernetes.io\/name=ingress-nginx` in namespace `ingress-nginx` → Deployment ingress-nginx\/ingress-nginx-controller/);
    assert.match(out, /- shop\/web ingress rule 2, on TCP 9090\n\s+from every pod in namespaces matching `team=platform` → Deployment monitoring\/prometheus/);
    assert.match(out, /that can connect to it \(whose egress allows it too\): 2\n\s+Deployment ingress-nginx\/ingress-nginx-controller  TCP 8080\n\s+Deployment monitoring\/prometheus  TCP 9090/);
    assert.match(out, /it can connect to \(whose ingress allows it too\): 1\n\s+Deployment shop\/api  TCP 8080/);
    assert.match(out, /cloud metadata endpoint \(169.254.169.254\): not reachable/);
  });

  test('--pod on an unisolated workload, and a pod name that belongs to a controller', async () => {
    const { out } = await run(SHOP, '--pod', 'monitoring/prometheus-5c7d9-abcde');
    assert.match(out, /^\(pod prometheus-5c7d9-abcde belongs to Deployment monitoring\/prometheus\)/);
    assert.match(out, /What may reach it \(ingress\): anything\. No ingress policy selects it/);
    assert.match(out, /cloud metadata endpoint \(169.254.169.254\): REACHABLE: no egress policy selects it/);
  });

  test('--namespace as JSON', async () => {
    const { out } = await run(SHOP, '-n', 'shop', '-f', 'json');
    const doc = JSON.parse(out) as { namespace: { defaultDeny: Record<string, string>; policies: { policy: string; selects: string[] }[]; workloads: { name: string; metadata: { reachable: boolean } }[] } };
    assert.equal(doc.namespace.defaultDeny.ingress, 'yes (shop/default-deny)');
    assert.deepEqual(doc.namespace.policies.find((p) => p.policy === 'shop/db')?.selects, []);
    assert.deepEqual(doc.namespace.workloads.map((w) => `${w.name}:${w.metadata.reachable}`), ['web:false', 'api:true', 'db:false']);
  });

  test('usage errors: unknown workload or namespace, two modes at once', async () => {
    await assert.rejects(run(SHOP, '--pod', 'shop/nope'), (e: unknown) => e instanceof UsageError && /no workload `shop\/nope`/.test(e.message));
    await assert.rejects(run(SHOP, '-n', 'nope'), (e: unknown) => e instanceof UsageError && /known: ingress-nginx, monitoring, shop/.test(e.message));
    await assert.rejects(run(SHOP, '-n', 'shop', '--emit-default-deny'), UsageError);
    await assert.rejects(run(SHOP, '--kubeconfig', '/nonexistent'), UsageError);
  });
});

describe('--emit-default-deny', () => {
  test('emits deny and DNS policies for the namespaces that lack them, and they close the doors', async () => {
    const { out } = await run(SHOP, '--emit-default-deny');
    assert.match(out, /^# kubemoat: default-deny NetworkPolicies for 2 namespace\(s\) that lack them\./);
    const original = readFileSync(SHOP, 'utf8');
    const emitted = loadText(out, 'emitted.yaml');
    assert.deepEqual(emitted.coverage, [], 'the output parses');
    const names = emitted.inventory.objects.map((o) => `${o.namespace}/${o.name}`);
    assert.deepEqual(names, ['ingress-nginx/kubemoat-default-deny', 'ingress-nginx/kubemoat-allow-dns', 'monitoring/kubemoat-default-deny', 'monitoring/kubemoat-allow-dns']);

    const together = loadText(`${original}\n---\n${out}`);
    const index = netpolIndex(together.inventory);
    for (const ns of ['shop', 'ingress-nginx', 'monitoring']) {
      assert.equal(index.defaultDeny(ns, 'ingress').state, 'deny', ns);
      assert.equal(index.defaultDeny(ns, 'egress').state, 'deny', ns);
    }
    // DNS still works: the prometheus pod may reach a kube-dns pod on 53/UDP and 53/TCP, nothing else
    const dns = loadText(`${original}\n---\n${out}\n---\napiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system}
spec: {template: {metadata: {labels: {k8s-app: kube-dns}}, spec: {containers: [{name: c, image: "coredns:1.11"}]}}}`);
    const dnsIndex = netpolIndex(dns.inventory);
    const prom = dnsIndex.pods.find((p) => p.object.name === 'prometheus')!;
    const coredns = dnsIndex.pods.find((p) => p.object.name === 'coredns')!;
    assert.deepEqual(dnsIndex.connection(prom, coredns), [
      { protocol: 'TCP', from: 53, to: 53 },
      { protocol: 'UDP', from: 53, to: 53 },
    ]);

    const after = scanText(`${original}\n---\n${out}`, networkRules);
    assert.deepEqual(after.findings.map((f) => f.ruleId).sort(), ['KM-NP-005', 'KM-NP-006'], 'only the explicit metadata allowance and the dead policy remain');
  });

  test('custom DNS selector; nothing to emit; a reopened namespace is explained, not patched', async () => {
    const custom = await run(SHOP, '--emit-default-deny', '--dns-namespace', 'openshift-dns', '--dns-pod-selector', 'dns.operator.openshift.io/daemonset-dns=default');
    assert.match(custom.out, /kubernetes.io\/metadata.name: openshift-dns\n\s+podSelector:\n\s+matchLabels:\n\s+dns.operator.openshift.io\/daemonset-dns: default/);

    const file = join(dir, 'reopened.yaml');
    writeFileSync(
      file,
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: open, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{}]
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec: {containers: [{name: c, image: "busybox:1.36"}]}
`,
    );
    const { out } = await run(file, '--emit-default-deny');
    assert.match(out, /default-deny NetworkPolicies for 1 namespace/);
    assert.match(out, /# not generated for namespace shop: ingress: open selects every pod and its ingress rule 1 allows everything; remove that rule instead/);
    assert.match(out, /policyTypes:\n\s+- Egress\n/);
    assert.doesNotMatch(out, /- Ingress/);
  });
});
