// docs/cluster-role.yaml grants exactly what `kubemoat cluster` lists (plus asking SubjectAccessReviews), never Secrets, and kubemoat's
// own rules find nothing in it but the (suppressed) optional nodes/proxy binding.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';
import { loadText, scanText } from '../helpers/scan.js';
import { CLUSTER_RESOURCES } from '../../src/sources/cluster/resources.js';
import { rbacGraph } from '../../src/inventory/rbac.js';
import { catalogue } from '../../src/rules/catalogue.js';

const FILE = join(REPO_ROOT, 'docs', 'cluster-role.yaml');
const TEXT = readFileSync(FILE, 'utf8');
const KUBEMOAT = { kind: 'ServiceAccount' as const, namespace: 'kubemoat', name: 'kubemoat' };

test('the reader role lists every resource kubemoat cluster reads, and nothing more', () => {
  const g = rbacGraph(loadText(TEXT, FILE).inventory);
  const reader = g.role('ClusterRole', 'kubemoat-reader')!;
  const granted = new Set<string>();
  const asks: string[] = [];
  for (const { rule } of reader.rules) {
    if (rule.resources.includes('subjectaccessreviews')) {
      asks.push(...rule.verbs.map((v) => `${v} ${rule.apiGroups.join()}/${rule.resources.join()}`));
      continue;
    }
    assert.deepEqual(rule.verbs, ['list'], 'list only');
    assert.deepEqual(rule.resourceNames, []);
    for (const group of rule.apiGroups) for (const r of rule.resources) granted.add(`${group}/${r}`);
  }
  assert.deepEqual([...granted].sort(), CLUSTER_RESOURCES.map((t) => `${t.group}/${t.resource}`).sort());
  // and it may ask the API server what an anonymous caller may do (KM-RB-003), nothing else
  assert.deepEqual(asks, ['create authorization.k8s.io/subjectaccessreviews']);
  for (const t of CLUSTER_RESOURCES) assert.ok(g.can(KUBEMOAT, 'list', t.resource, { apiGroup: t.group }).allowed, t.resource);
});

test('never Secrets, never a write, and nodes/proxy only through the optional binding', () => {
  const g = rbacGraph(loadText(TEXT, FILE).inventory);
  for (const verb of ['get', 'list', 'watch']) assert.ok(!g.can(KUBEMOAT, verb, 'secrets', { namespace: 'kube-system' }).allowed, verb);
  for (const verb of ['create', 'update', 'patch', 'delete']) assert.ok(!g.can(KUBEMOAT, verb, 'pods', { namespace: 'default' }).allowed, verb);
  const proxy = g.can(KUBEMOAT, 'get', 'nodes/proxy', { name: 'node-1' });
  assert.deepEqual(proxy.grants.map((x) => x.binding.name), ['kubemoat-kubelet-configz']);
});

test('kubemoat scans it clean, except the suppressed optional binding', () => {
  const report = scanText(TEXT, catalogue, undefined, FILE);
  assert.deepEqual(report.coverage, []);
  // suppressed findings are counted in the summary, not listed
  assert.deepEqual(report.findings.map((f) => f.message), []);
  assert.equal(report.summary.suppressed, 1);
});
