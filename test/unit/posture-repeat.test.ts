// `--every` and `--metrics` on the posture commands: the built CLI runs `node` on a fake host root
// on a schedule, the host is fixed between runs, and /metrics follows; a run that fails is counted
// and the schedule goes on; SIGTERM ends it with exit 0.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, REPO_ROOT, runCli } from '../helpers/cli.js';
import { fakeKubeletNode, HARDENED_KUBELET, type FakeNode } from '../helpers/fake-node.js';
import { PostureMetrics } from '../../src/report/posture-metrics.js';
import { buildReport } from '../../src/core/report.js';
import type { Finding } from '../../src/core/finding.js';

let root = '';
let file: FakeNode['file'] = () => {};

before(() => {
  ({ root, file } = fakeKubeletNode());
});

after(() => rmSync(root, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  stderr: () => string;
  metricsUrl: Promise<string>;
  exited: Promise<number | null>;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const metricsUrl = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /metrics on (http:\/\/\S+\/metrics)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`exited before serving metrics: ${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => err, metricsUrl, exited };
}

async function metricsText(url: string): Promise<string> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain; version=0.0.4/);
  return res.text();
}

function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Poll /metrics until `done` holds (runs are seconds apart). */
async function until(url: string, done: (text: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  let text = '';
  while (Date.now() < deadline) {
    text = await metricsText(url);
    if (done(text)) return text;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${what}; last metrics:\n${text}`);
}

describe('posture commands on a schedule', () => {
  test('node --every: findings of the latest run in /metrics; fixing the host shows in the next run; SIGTERM exits 0', async () => {
    const run = start(['node', '--root', root, '--all-netns', '-f', 'json', '--every', '1s', '--metrics', '127.0.0.1:0']);
    try {
      const url = await run.metricsUrl;
      const first = await until(url, (t) => (sample(t, 'kubemoat_runs_total', 'command="node",status="complete"') ?? 0) >= 1, 'a first complete run');
      assert.equal(sample(first, 'kubemoat_build_info', 'command="node",version="0.1.0"'), 1);
      const anonymous = sample(first, 'kubemoat_findings_by_rule', 'command="node",rule="KM-KL-001",severity="critical"');
      assert.ok(anonymous !== undefined && anonymous >= 1, 'anonymous kubelet reported');
      const criticalBefore = sample(first, 'kubemoat_findings', 'command="node",severity="critical"') ?? 0;
      assert.ok(criticalBefore >= 1);
      assert.ok((sample(first, 'kubemoat_run_duration_seconds', 'command="node"') ?? -1) >= 0);

      file('etc/kubernetes/kubelet.yaml', HARDENED_KUBELET);
      const runsBefore = sample(first, 'kubemoat_runs_total', 'command="node",status="complete"') ?? 0;
      const fixed = await until(url, (t) => (sample(t, 'kubemoat_runs_total', 'command="node",status="complete"') ?? 0) >= runsBefore + 2, 'two more runs after the fix');
      assert.equal(sample(fixed, 'kubemoat_findings_by_rule', 'command="node",rule="KM-KL-001",severity="critical"'), undefined, 'the fixed finding is gone from the latest run');
      assert.ok((sample(fixed, 'kubemoat_findings', 'command="node",severity="critical"') ?? 0) < criticalBefore);
    } finally {
      run.child.kill('SIGTERM');
    }
    assert.equal(await run.exited, 0, run.stderr());
    assert.match(run.stderr(), /stopping after the current run/);
  });

  test('a failing run is counted and the schedule goes on', async () => {
    const run = start(['cluster', '--kubeconfig', join(root, 'no-such-kubeconfig'), '--every', '1s', '--metrics', '127.0.0.1:0']);
    try {
      const url = await run.metricsUrl;
      const text = await until(url, (t) => (sample(t, 'kubemoat_runs_total', 'command="cluster",status="failed"') ?? 0) >= 2, 'two failed runs');
      assert.equal(sample(text, 'kubemoat_runs_total', 'command="cluster",status="complete"'), 0);
      assert.equal(sample(text, 'kubemoat_findings', 'command="cluster",severity="critical"'), undefined, 'no findings without a complete run');
      assert.match(run.stderr(), /cluster: run 1 failed: .*no-such-kubeconfig/);
    } finally {
      run.child.kill('SIGTERM');
    }
    assert.equal(await run.exited, 0);
  });

  test('--metrics without --every, and a bad --every, are usage errors', () => {
    const alone = runCli(['node', '--root', root, '--metrics', '127.0.0.1:0']);
    assert.equal(alone.status, 2);
    assert.match(alone.stderr, /--metrics needs --every/);
    const bad = runCli(['probe', '127.0.0.1', '--every', 'often']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--every needs a duration/);
  });

  test('an incomplete run counts, but its findings do not replace the last complete run', () => {
    const metrics = new PostureMetrics('cluster');
    const finding = (ruleId: string, namespace?: string): Finding => ({ ruleId, severity: 'high', title: ruleId, message: '', remediation: '', references: [], frameworks: {}, fingerprint: ruleId + (namespace ?? ''), ...(namespace ? { resource: { apiVersion: 'v1', kind: 'Pod', namespace, name: 'p' } } : {}) });
    const report = (findings: Finding[]) => buildReport({ startedAt: new Date(), target: { type: 'cluster', context: 'lab' }, findings, coverage: [], minimumSeverity: 'low', resources: 3 });
    metrics.record({ status: 'complete', report: report([finding('KM-A', 'shop'), finding('KM-A', 'shop'), finding('KM-B')]), seconds: 1.5, finishedAt: new Date(1_000_000) });
    metrics.record({ status: 'incomplete', report: report([]), seconds: 0.25, finishedAt: new Date(2_000_000) });
    const text = metrics.render();
    assert.equal(sample(text, 'kubemoat_findings_by_namespace', 'command="cluster",namespace="shop",severity="high"'), 2);
    assert.equal(sample(text, 'kubemoat_findings_by_namespace', 'command="cluster",namespace="",severity="high"'), 1);
    assert.equal(sample(text, 'kubemoat_findings_by_rule', 'command="cluster",rule="KM-A",severity="high"'), 2);
    assert.equal(sample(text, 'kubemoat_runs_total', 'command="cluster",status="incomplete"'), 1);
    assert.equal(sample(text, 'kubemoat_run_duration_seconds', 'command="cluster"'), 0.25, 'duration of the latest run');
    assert.equal(sample(text, 'kubemoat_complete_run_timestamp_seconds', 'command="cluster"'), 1000);
  });
});
