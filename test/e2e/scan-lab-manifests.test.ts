// The lab's own manifests, scanned as files: every planted door of the insecure profile is found
// at its line, and the hardened profile (the control) raises nothing at medium or above.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import type { Report } from '../../src/core/report.js';
import type { Finding } from '../../src/core/finding.js';

function scan(dir: string): Report {
  const r = runCli(['scan', dir, '-f', 'json', '--fail-on', 'never', '--severity', 'info']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

function has(findings: Finding[], ruleId: string, kind: string, name: string): boolean {
  return findings.some((f) => f.ruleId === ruleId && f.resource?.kind === kind && f.resource.name === name);
}

const atLeastMedium = (f: Finding): boolean => ['medium', 'high', 'critical'].includes(f.severity);

test('insecure lab manifests: every planted door is found', () => {
  const { findings } = scan('lab/manifests/insecure');
  const expected: [string, string, string][] = [
    ['KM-WL-001', 'Pod', 'privileged'],
    ['KM-WL-002', 'Pod', 'privileged'],
    ['KM-WL-008', 'Pod', 'runtime-socket'],
    ['KM-WL-020', 'Deployment', 'no-limits'],
    ['KM-SC-001', 'Pod', 'app'],
    ['KM-RB-001', 'ClusterRoleBinding', 'ci-deployer-cluster-admin'],
    ['KM-RB-002', 'ClusterRoleBinding', 'kubemoat-lab-anonymous-reader'],
  ];
  const missing = expected.filter(([id, kind, name]) => !has(findings, id, kind, name));
  assert.deepEqual(missing, [], `found: ${findings.map((f) => `${f.ruleId} ${f.resource?.kind}/${f.resource?.name}`).join(', ')}`);
  for (const f of findings) {
    assert.ok(f.location?.file.startsWith('lab/manifests/insecure/'), 'every finding names its file');
    assert.ok(!JSON.stringify(f).includes('NOT-A-REAL-KEY'), 'the secret value is never printed');
  }
});

test('hardened lab manifests: nothing at medium or above', () => {
  const { findings, coverage } = scan('lab/manifests/hardened');
  assert.deepEqual(coverage.filter((c) => c.severity === 'error'), []);
  assert.deepEqual(findings.filter(atLeastMedium).map((f) => `${f.ruleId} ${f.resource?.kind}/${f.resource?.name}: ${f.message}`), []);
});

test('the hardened example app: nothing at medium or above', () => {
  const { findings } = scan('examples/hardened-app');
  assert.deepEqual(findings.filter(atLeastMedium).map((f) => `${f.ruleId}: ${f.message}`), []);
});
