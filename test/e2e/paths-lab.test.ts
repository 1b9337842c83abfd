// kubemoat paths against the real lab: on the insecure profile an unauthenticated caller reaches
// node root through the anonymous kubelet and a privileged pod, and cluster-admin through the open
// API port or etcd, each step carrying the finding `cluster` or `probe` reports for it; on the
// hardened profile no path starts from the network. Then the insecure path is walked for real
// (a kubelet /run of nsenter in the privileged pod) under `detect --node` recording into a store,
// and `paths --store` marks it as happening.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curlInNetns, inNetns, labUp, type LabEnv } from '../helpers/lab.js';
import { startDetector } from '../helpers/detect.js';
import { launchChromium } from '../helpers/chromium.js';
import { pathToFileURL } from 'node:url';
import { CLI } from '../helpers/cli.js';
import type { Report } from '../../src/core/report.js';
import type { AttackPath, PathsReport } from '../../src/paths/model.js';
import type { RuntimeAlert } from '../../src/detect/alert.js';

async function kubemoat(env: LabEnv, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return inNetns(env, process.execPath, [CLI, ...args], { timeoutMs: 120_000 });
}

async function paths(env: LabEnv, extra: string[] = []): Promise<{ code: number; report: PathsReport; stderr: string }> {
  const r = await kubemoat(env, ['paths', '--kubeconfig', env.adminKubeconfig, '-f', 'json', ...extra]);
  try {
    return { code: r.code, report: JSON.parse(r.stdout) as PathsReport, stderr: r.stderr };
  } catch {
    throw new Error(`no JSON from paths (exit ${r.code}): ${r.stderr}`);
  }
}

const chain = (p: AttackPath): string[] => p.steps.map((s) => s.findings.map((f) => f.ruleId).sort().join('+'));

test('insecure lab: from an unauthenticated caller to node root and cluster-admin, each step a finding', async () => {
  const env = await labUp('insecure');
  const { code, report, stderr } = await paths(env);
  assert.equal(code, 1, `paths exist: exit 1 (${stderr})`);
  assert.deepEqual(report.evidence.map((e) => e.source), ['cluster', 'probe']);
  assert.ok(report.evidence.every((e) => e.findings > 0));

  const network = report.paths.filter((p) => p.from === 'network');
  const toRoot = network.find((p) => p.to === 'node-root');
  assert.ok(toRoot, `no network path to node root:\n${report.paths.map((p) => `${p.from} ${p.to} ${chain(p).join(' > ')}`).join('\n')}`);
  assert.equal(toRoot.target, `node:${env.nodeName}`);
  assert.equal(toRoot.length, 2);
  const [exec, escape] = toRoot.steps;
  assert.equal(exec.technique, 'kubelet-exec');
  assert.ok(['KM-EX-002', 'KM-KL-001+KM-KL-002'].includes(chain(toRoot)[0]), chain(toRoot)[0]);
  assert.equal(escape.technique, 'container-escape');
  assert.equal(exec.to, escape.from);
  assert.ok(['workload:Pod/lab-apps/privileged', 'workload:Pod/lab-apps/runtime-socket'].includes(escape.from), escape.from);

  const toAdmin = network.find((p) => p.to === 'cluster-admin');
  assert.ok(toAdmin, 'no network path to cluster-admin');
  assert.equal(toAdmin.length, 1);
  assert.ok(['KM-EX-007', 'KM-EX-009', 'KM-EX-010'].includes(toAdmin.steps[0].findings[0].ruleId));
  assert.ok(network.some((p) => p.to === 'etcd' && p.steps[0].findings[0].endpoint !== undefined));

  // the kubelet's configuration (through the API) and its port (probed) are one door, fixed once
  const kubeletDoor = report.doors.find((d) => d.ruleId.startsWith('KM-KL-') || d.ruleId.startsWith('KM-EX-00'));
  assert.ok(kubeletDoor && kubeletDoor.cuts > 0, JSON.stringify(report.doors.slice(0, 3)));

  // every step's finding is one `cluster` or `probe --from-kubeconfig` reports on its own
  const cluster = JSON.parse((await kubemoat(env, ['cluster', '--kubeconfig', env.adminKubeconfig, '-f', 'json', '-s', 'info', '--fail-on', 'never'])).stdout) as Report;
  const probe = JSON.parse((await kubemoat(env, ['probe', '--from-kubeconfig', env.adminKubeconfig, '-f', 'json', '-s', 'info', '--fail-on', 'never', '--no-progress'])).stdout) as Report;
  const known = new Set([...cluster.findings, ...cluster.suppressed, ...probe.findings, ...probe.suppressed].map((f) => f.fingerprint));
  for (const p of report.paths) for (const s of p.steps) for (const f of s.findings) assert.ok(known.has(f.fingerprint), `${f.ruleId} ${f.message}: not reported by cluster or probe`);
});

test('insecure lab: the HTML report of the live cluster draws the top path in Chromium, and a click shows its finding', async () => {
  const env = await labUp('insecure');
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-paths-html-'));
  const browser = await launchChromium();
  try {
    const json = (await paths(env)).report;
    const file = join(dir, 'paths.html');
    const r = await kubemoat(env, ['paths', '--kubeconfig', env.adminKubeconfig, '-f', 'html', '-o', file]);
    assert.equal(r.code, 1, r.stderr);
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const outside: string[] = [];
    page.on('request', (q) => {
      if (!q.url().startsWith('file://')) outside.push(q.url());
    });
    await page.goto(pathToFileURL(file).href);
    const top = json.paths[0];
    for (const s of top.steps) {
      assert.equal(await page.locator(`#graph .vertex[data-vertex="${s.from}"]`).count(), 1, s.from);
      assert.equal(await page.locator(`#graph .vertex[data-vertex="${s.to}"]`).count(), 1, s.to);
    }
    await page.locator('.step[data-pi="0"][data-si="0"]').click();
    const rules = await page.locator('#details-body .finding .rule').allTextContents();
    assert.deepEqual(rules, top.steps[0].findings.map((f) => f.ruleId));
    const shot = await page.screenshot({ path: join(dir, 'paths.png') });
    assert.ok(shot.length > 30_000, `a screenshot of ${shot.length} bytes`);
    assert.deepEqual(outside, [], 'the page fetched nothing');
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hardened lab: no path starts from an unauthenticated caller', async () => {
  const env = await labUp('hardened');
  const { code, report, stderr } = await paths(env);
  assert.ok(report.evidence.some((e) => e.source === 'probe'), 'the hardened endpoints were probed');
  assert.deepEqual(report.paths.filter((p) => p.from === 'network'), []);
  if (report.paths.length === 0) assert.equal(code, 0, stderr);
});

test('insecure lab: the kubelet path walked for real under detect --node is marked happening', async () => {
  const env = await labUp('insecure');
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-paths-lab-'));
  const store = `sqlite:${join(dir, 'store.db')}`;
  try {
    const d = await startDetector<RuntimeAlert>(['--node', '--sensor', 'ebpf', '--store', store], { netns: env.netns, readyText: 'runtime sensor watching node' });
    let stopped = false;
    try {
      // through the anonymous kubelet into the privileged pod, then into the node's mount namespace
      // (the kubelet's: pid 1 of the lab's host is not the lab's to enter)
      assert.ok(env.pids.kubelet > 0, 'the lab names its kubelet pid');
      const run = await curlInNetns(env, `${env.kubelet}/run/lab-apps/privileged/shell?cmd=${encodeURIComponent(`nsenter -t ${env.pids.kubelet} -m true`)}`, { method: 'POST', timeoutSec: 10 });
      assert.equal(run.status, 200, run.body);
      const escaped = await d.waitFor((a) => a.ruleId === 'KM-RT-010' && a.container?.pod === 'privileged', 15_000);
      const execd = await d.waitFor((a) => a.ruleId === 'KM-RT-001' && a.container?.pod === 'privileged', 5_000);
      assert.ok(escaped && execd, `alerts: ${d.alerts.map((a) => `${a.ruleId} ${a.message}`).join('\n')}`);
      const r = await d.stop();
      stopped = true;
      assert.equal(r.code, 0, r.stderr);
    } finally {
      if (!stopped) await d.stop();
    }
    const { report } = await paths(env, ['--store', store, '--entry', 'network', '--asset', 'node-root']);
    const walked = report.paths.find((p) => p.steps[1]?.from === 'workload:Pod/lab-apps/privileged');
    assert.ok(walked, `no network path through the privileged pod: ${JSON.stringify(report.paths.map((p) => p.steps.map((s) => s.to)))}`);
    assert.equal(walked.observed, 'happening', JSON.stringify(walked.steps.map((s) => s.observed)));
    assert.equal(walked.steps[0].observed?.[0].ruleId, 'KM-RT-001');
    assert.equal(walked.steps[1].observed?.[0].ruleId, 'KM-RT-010');
    assert.equal(report.paths[0].id, walked.id, 'the path happening now is shown first');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
