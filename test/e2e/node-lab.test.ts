// `kubemoat node` on the lab's real processes and files. Each lab profile is a node living in its
// own network namespace on this machine, so running kubemoat inside that namespace audits that
// node only: the insecure profile's planted doors are found with the right CIS ids, the hardened
// profile passes every automated CIS item that applies except the two it really fails (said in
// docs/lab.md and here), and kubemoat outside both namespaces sees neither.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inNetns, labUp, run, type LabEnv } from '../helpers/lab.js';
import { CLI } from '../helpers/cli.js';
import type { Report } from '../../src/core/report.js';
import type { Finding } from '../../src/core/finding.js';
import type { CisCheck } from '../../src/report/cis-summary.js';

async function nodeAudit(env: LabEnv, extra: string[] = []): Promise<{ code: number; report: Report; stderr: string }> {
  const r = await inNetns(env, process.execPath, [CLI, 'node', '-f', 'json', '--fail-on', 'never', '--severity', 'info', ...extra]);
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${r.code}): ${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}

async function cis(env: LabEnv): Promise<Map<string, CisCheck>> {
  const r = await inNetns(env, process.execPath, [CLI, 'node', '--cis', 'json', '--fail-on', 'never']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { checks: CisCheck[] };
  return new Map(out.checks.map((c) => [c.id, c]));
}

function has(findings: Finding[], ruleId: string, name: string | RegExp): Finding {
  const f = findings.find((x) => x.ruleId === ruleId && (typeof name === 'string' ? x.resource?.name === name : name.test(x.resource?.name ?? '')));
  assert.ok(f, `expected ${ruleId} on ${String(name)}; got:\n${findings.map((x) => `${x.ruleId} ${x.resource?.name}`).join('\n')}`);
  return f;
}

test('insecure lab node: the planted doors, from the real processes and files', async () => {
  const env = await labUp('insecure');
  const { code, report } = await nodeAudit(env);
  assert.equal(code, 0);
  assert.deepEqual(report.target, { type: 'node', root: '/' });
  const f = report.findings;
  // the components are the lab's processes, judged by the same rules as static pods
  const apiserver = has(f, 'KM-CP-001', 'kube-apiserver');
  assert.match(apiserver.message, new RegExp(`process ${env.pids['kube-apiserver']} `));
  assert.equal(apiserver.evidence, '--anonymous-auth=true');
  has(f, 'KM-CP-008', 'kube-apiserver'); // no NodeRestriction
  has(f, 'KM-CP-010', 'kube-controller-manager'); // --profiling=true
  has(f, 'KM-CP-013', 'kube-apiserver'); // etcd over http
  has(f, 'KM-ET-002', 'etcd'); // plain-HTTP client port
  // the kubelet's effective configuration, with where each value came from
  const anonymous = has(f, 'KM-KL-001', env.nodeName);
  assert.equal(anonymous.evidence, `authentication.anonymous.enabled: true (from config file ${env.kubeletConfig})`);
  has(f, 'KM-KL-002', env.nodeName);
  has(f, 'KM-KL-003', env.nodeName);
  has(f, 'KM-KL-008', env.nodeName); // streamingConnectionIdleTimeout: 0s
  // files: 0644 keys and kubeconfigs, a 0777 static pod dir with a 0666 file
  const key = has(f, 'KM-ND-001', `${env.stateDir}/pki/ca.key`);
  assert.equal(key.severity, 'high');
  assert.deepEqual(key.frameworks.cis, ['1.1.21']);
  has(f, 'KM-ND-001', env.adminKubeconfig);
  has(f, 'KM-ND-001', env.kubeletKubeconfig);
  has(f, 'KM-ND-001', env.kubeletConfig);
  const dir = has(f, 'KM-ND-003', env.staticPodDir);
  assert.match(dir.evidence ?? '', /mode 0777/);
  has(f, 'KM-ND-003', `${env.staticPodDir}/static-web.yaml`);
  // etcd's peer CA is the cluster CA
  const shared = has(f, 'KM-ND-007', /^etcd-peer-trusted-ca:/);
  assert.match(shared.evidence ?? '', new RegExp(`= kube-apiserver \\(pid ${env.pids['kube-apiserver']}\\) --client-ca-file`));
  // only this node: nothing of the hardened profile's state shows up
  assert.equal(f.filter((x) => (x.resource?.name ?? '').includes('/hardened/') || (x.evidence ?? '').includes('/hardened/')).length, 0);
});

test('insecure lab node: CIS view fails the planted items', async () => {
  const env = await labUp('insecure');
  const checks = await cis(env);
  for (const id of ['1.1.13', '1.1.15', '1.1.17', '1.1.21', '1.2.1', '1.2.14', '1.2.15', '1.3.2', '1.4.1', '2.1', '2.2', '2.7', '4.1.5', '4.1.9', '4.2.1', '4.2.2', '4.2.4', '4.2.5', '4.2.10', '4.2.12', '4.2.13']) {
    assert.equal(checks.get(id)?.status, 'FAIL', `${id}: ${JSON.stringify(checks.get(id))}`);
  }
  // things the lab does not have are not applicable, not failures
  for (const id of ['1.1.1', '1.1.7', '4.1.1', '4.1.3', '4.3.1']) assert.equal(checks.get(id)?.status, 'N/A', id);
  // the data directory is 0700 root:root and etcd runs as root
  assert.equal(checks.get('1.1.11')?.status, 'PASS');
  assert.equal(checks.get('1.1.12')?.status, 'PASS');
});

test('hardened lab node: every automated CIS item that applies passes', async () => {
  const env = await labUp('hardened');
  const checks = await cis(env);
  const failing = [...checks.values()].filter((c) => c.status === 'FAIL');
  assert.deepEqual(failing.filter((c) => !c.manual).map((c) => c.id), []);
  // the one manual item it fails: 4.2.11, the kubelet's serving certificate is not rotated (nothing in
  // the lab would approve its CSRs; docs/lab.md "Not done in hardened")
  assert.deepEqual(failing.filter((c) => c.manual).map((c) => c.id).sort(), ['4.2.11']);
  for (const id of ['1.1.20', '4.1.7', '4.1.9', '4.2.10']) assert.equal(checks.get(id)?.status, 'PASS', id);
  for (const id of ['1.1.13', '1.1.21', '1.2.1', '1.2.14', '2.1', '2.2', '2.5', '2.7', '4.1.5', '4.2.1', '4.2.2', '4.2.4', '4.2.12', '4.2.13']) assert.equal(checks.get(id)?.status, 'PASS', id);
  const { report } = await nodeAudit(env);
  // no finding above low: what fails is CIS strictness, not an open door
  assert.deepEqual(report.findings.filter((f) => f.severity !== 'low' && f.severity !== 'info').map((f) => `${f.ruleId} ${f.resource?.name}`), []);
  assert.ok(report.findings.some((f) => f.ruleId === 'KM-KL-005' && f.resource?.name === env.nodeName));
});

test('outside the lab namespaces kubemoat sees neither node, and says where they are', async () => {
  await labUp('insecure');
  const r = await run(process.execPath, [CLI, 'node', '-f', 'json', '--fail-on', 'never']);
  const report = JSON.parse(r.stdout) as Report;
  assert.equal(report.findings.filter((f) => (f.evidence ?? '').includes('kubemoat-lab')).length, 0);
  // (another suite may run a component in this namespace; the note is only given when none is here)
  if (!report.findings.some((f) => f.resource?.kind === 'NodeProcess')) assert.ok(report.coverage.some((c) => /other network namespaces/.test(c.reason)), JSON.stringify(report.coverage));
});

test('--root: the host mounted elsewhere (as in a DaemonSet pod) gives the same audit', async () => {
  const env = await labUp('insecure');
  const mnt = mkdtempSync(join(tmpdir(), 'kubemoat-hostroot-'));
  try {
    // a private mount namespace: the bind mount of / is never seen by anyone else
    const r = await inNetns(env, 'unshare', ['-m', 'sh', '-c', `mount --rbind / "${mnt}" && exec "${process.execPath}" "${CLI}" node --root "${mnt}" -f json --fail-on never --severity info`]);
    assert.equal(r.code, 0, r.stderr);
    const viaRoot = JSON.parse(r.stdout) as Report;
    assert.deepEqual(viaRoot.target, { type: 'node', root: mnt });
    const { report } = await nodeAudit(env);
    const prints = (rep: Report): string[] => rep.findings.map((f) => f.fingerprint).sort();
    assert.ok(viaRoot.findings.length > 20);
    assert.deepEqual(prints(viaRoot), prints(report));
  } finally {
    rmdirSync(mnt);
  }
});
