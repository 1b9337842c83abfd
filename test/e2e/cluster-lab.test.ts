// `kubemoat cluster` against the real lab API servers: the insecure profile's planted workloads
// and bindings are found on the live objects; the hardened profile shows none of them; a caller
// without list permissions gets a partial report that says what it could not read.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inNetns, labUp, type LabEnv } from '../helpers/lab.js';
import { CLI } from '../helpers/cli.js';
import type { Report } from '../../src/core/report.js';
import type { Finding } from '../../src/core/finding.js';

async function clusterScan(env: LabEnv, kubeconfig: string, extra: string[] = []): Promise<{ code: number; report: Report; stderr: string }> {
  const r = await inNetns(env, process.execPath, [CLI, 'cluster', '--kubeconfig', kubeconfig, '-f', 'json', '--fail-on', 'never', '--severity', 'info', ...extra]);
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${r.code}): ${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}

function ids(findings: Finding[]): string[] {
  return findings.map((f) => `${f.ruleId} ${f.resource?.kind}/${f.resource?.namespace ?? ''}/${f.resource?.name}`);
}

test('insecure lab: planted workloads and bindings are found on the live objects', async () => {
  const env = await labUp('insecure');
  const { code, report } = await clusterScan(env, env.adminKubeconfig);
  assert.equal(code, 0);
  assert.deepEqual(report.target, { type: 'cluster', context: report.target.type === 'cluster' ? report.target.context : '' });
  const found = ids(report.findings);
  for (const want of [
    'KM-WL-001 Pod/lab-apps/privileged',
    'KM-WL-008 Pod/lab-apps/runtime-socket',
    'KM-WL-020 Deployment/lab-apps/no-limits',
    'KM-SC-001 Pod/lab-apps/app',
    'KM-RB-001 ClusterRoleBinding//ci-deployer-cluster-admin',
    // the node's live kubelet configuration, read through nodes/proxy/configz
    `KM-KL-001 KubeletConfiguration//${env.nodeName}`,
    `KM-KL-002 KubeletConfiguration//${env.nodeName}`,
    `KM-KL-003 KubeletConfiguration//${env.nodeName}`,
    // the API server itself says anonymous callers may read secrets (SubjectAccessReviews)
    'KM-RB-003 AnonymousAccessReview//system:anonymous',
  ]) {
    assert.ok(found.includes(want), `missing ${want}; found:\n${found.join('\n')}`);
  }
  // The Deployment's pods are folded into it: no duplicate findings on its ReplicaSet or pods.
  assert.ok(!found.some((f) => /^KM-WL-020 (ReplicaSet|Pod)\/lab-apps\/no-limits-/.test(f)), 'owned objects are not reported twice');
  for (const f of report.findings) assert.equal(f.location, undefined, 'live findings name the resource, not a file');
  // live evidence: the privileged pod runs now
  const privileged = report.findings.find((f) => f.ruleId === 'KM-WL-001' && f.resource?.name === 'privileged');
  assert.equal(privileged?.evidence, 'running now: 1 pod (privileged)');
  const anonymous = report.findings.find((f) => f.ruleId === 'KM-RB-003');
  assert.equal(anonymous?.severity, 'critical');
  assert.match(anonymous?.message ?? '', /get secrets.*list pods.*list secrets cluster-wide/);
  assert.match(anonymous?.evidence ?? '', /ClusterRoleBinding "kubemoat-lab-anonymous-reader"/);
});

test('hardened lab: none of the planted doors, nothing at medium or above in lab-apps', async () => {
  const env = await labUp('hardened');
  const { code, report } = await clusterScan(env, env.adminKubeconfig);
  assert.equal(code, 0);
  const serious = report.findings.filter((f) => ['medium', 'high', 'critical'].includes(f.severity));
  assert.deepEqual(ids(serious), []);
  // anonymous requests are refused (401), so nothing is asked about them and nothing is missing
  assert.ok(!report.findings.some((f) => f.ruleId === 'KM-RB-003'));
  assert.ok(!report.coverage.some((c) => c.target === 'anonymous access'), JSON.stringify(report.coverage));
  // the kubelet configuration was read (so its silence means something)
  assert.ok(!report.coverage.some((c) => /configz/.test(c.target)), `configz unread: ${JSON.stringify(report.coverage)}`);
});

test('a low-privilege user gets a partial report naming the permissions it lacks (exit 2)', async () => {
  const env = await labUp('insecure');
  const { code, report, stderr } = await clusterScan(env, env.userKubeconfig);
  assert.equal(code, 2);
  const denied = report.coverage.filter((c) => c.severity === 'error' && /403 Forbidden/.test(c.reason));
  assert.ok(denied.length > 0, 'some resource types are forbidden to the user');
  assert.ok(denied.every((c) => /grant `list [a-z]+/.test(c.reason)), 'each says which permission would fix it');
  // the user may not ask SubjectAccessReviews: said, with the permission that would fix it
  assert.ok(report.coverage.some((c) => c.target === 'anonymous access' && /grant `create subjectaccessreviews`/.test(c.reason)), JSON.stringify(report.coverage));
  assert.match(stderr, /not scanned: /);
});

test('an unreachable API server is a clear error, not a hang', async () => {
  const env = await labUp('insecure');
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-kc-'));
  const kubeconfig = join(dir, 'kc.yaml');
  // 127.0.0.1:1 inside the lab's namespace: nothing listens there.
  writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: fake}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`);
  const r = await inNetns(env, process.execPath, [CLI, 'cluster', '--kubeconfig', kubeconfig, '--timeout', '3000']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /connection refused by https:\/\/127\.0\.0\.1:1/);
});
