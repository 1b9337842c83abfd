// kubemoat installed in the lab cluster by its own Helm chart, from its own image: the image is
// built (image/build.sh) and imported into the lab's containerd, `helm install` puts the scan
// CronJob, the node sensor DaemonSet and the audit webhook Deployment in place, and each does its
// job on the live cluster:
//   - a Job made from the CronJob records a run in the history store (SQLite on a hostPath); after
//     the test fixes one door (a privileged pod deleted), a second run shows it as fixed;
//   - the DaemonSet's `node` container reports the node's CIS state, and its `detect` container
//     raises KM-RT-001 when the test runs `id` through the anonymous kubelet's /run;
//   - the lab's API server posts its audit events to the Deployment (hostNetwork on NODE_IP:9443,
//     the address the lab's webhook config names), and a kubectl exec raises KM-DT-001.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { curlInNetns, eventually, inNetns, kubectl, kubectlOk, labUp, type LabEnv } from '../helpers/lab.js';
import { auditSinkLock } from '../helpers/lock.js';
import { CHART_DIR, helmBinary } from '../helpers/helm.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { TOOL_VERSION } from '../../src/core/report.js';

const NS = 'kubemoat';
const RELEASE = 'kubemoat';
const DOOR_NS = 'chart-e2e';
const DOOR = 'chart-e2e-privileged';
// Under the lab's state directory's parent, not /tmp: the lab's kubelet and the test share the
// machine's mount namespace, and the pod writes it as uid 65532.
const STORE_DIR = '/var/lib/kubemoat-lab-chart-store';
const STORE = `sqlite:${join(STORE_DIR, 'history.db')}`;
const IMAGE = 'docker.io/kubemoat/kubemoat';

function sh(cmd: string, args: string[], timeoutMs = 600_000): string {
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

async function helmInLab(env: LabEnv, args: string[]): Promise<string> {
  const r = await inNetns(env, helmBinary(), ['--kubeconfig', env.adminKubeconfig, ...args], { timeoutMs: 300_000 });
  assert.equal(r.code, 0, `helm ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The pod of a component (`app.kubernetes.io/component`), once one is Running. */
async function podOf(env: LabEnv, component: string): Promise<string> {
  const name = await eventually(async () => {
    const r = await kubectl(env, ['get', 'pods', '-n', NS, '-l', `app.kubernetes.io/component=${component}`, '--field-selector=status.phase=Running', '-o', 'jsonpath={.items[0].metadata.name}']);
    return r.code === 0 ? r.stdout.trim() : '';
  }, 180_000, 1000);
  assert.ok(name, `no running ${component} pod: ${(await kubectl(env, ['describe', 'pods', '-n', NS, '-l', `app.kubernetes.io/component=${component}`])).stdout}`);
  return name;
}

async function logs(env: LabEnv, pod: string, container: string): Promise<string> {
  return (await kubectl(env, ['logs', '-n', NS, pod, '-c', container])).stdout;
}

async function runScanJob(env: LabEnv, name: string): Promise<void> {
  await kubectlOk(env, ['create', 'job', name, '-n', NS, `--from=cronjob/${RELEASE}-scan`]);
  const r = await kubectl(env, ['wait', '-n', NS, `job/${name}`, '--for=condition=complete', '--timeout=240s'], 'admin', { timeoutMs: 260_000 });
  if (r.code !== 0) {
    const pods = (await kubectl(env, ['get', 'pods', '-n', NS, '-l', `job-name=${name}`, '-o', 'name'])).stdout.trim().split('\n');
    const out = await Promise.all(pods.filter(Boolean).map(async (p) => (await kubectl(env, ['logs', '-n', NS, p, '--all-containers', '--tail=40'])).stdout));
    assert.fail(`job ${name} did not complete: ${r.stderr}\n${out.join('\n')}`);
  }
}

interface HistoryRun {
  id: number;
  kind: string;
  [k: string]: unknown;
}

function history(): HistoryRun[] {
  const r = runCli(['history', '--store', STORE, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const view = JSON.parse(r.stdout) as { runs: HistoryRun[] };
  return view.runs;
}

describe('the Helm chart installed in the insecure lab', () => {
  let env: LabEnv;
  let release = (): void => {};

  before(async () => {
    env = await labUp('insecure');
    // the images, from this tree's dist/ (npm test builds it first)
    sh('bash', ['image/build.sh']);
    const tars = readdirSync(join(REPO_ROOT, 'dist', 'image')).filter((f) => f.endsWith('.tar'));
    for (const [tag, file] of [[TOOL_VERSION, `kubemoat-${TOOL_VERSION}.tar`], [`${TOOL_VERSION}-node`, `kubemoat-${TOOL_VERSION}-node.tar`]]) {
      assert.ok(tars.includes(file), `image/build.sh wrote ${tars.join(', ')}, not ${file}`);
      const r = await inNetns(env, 'ctr', ['--address', env.containerdSocket, '-n', 'k8s.io', 'images', 'import', '--index-name', `${IMAGE}:${tag}`, join(REPO_ROOT, 'dist', 'image', file)], { timeoutMs: 300_000 });
      assert.equal(r.code, 0, r.stderr);
    }
    rmSync(STORE_DIR, { recursive: true, force: true });
    mkdirSync(STORE_DIR, { recursive: true });
    chownSync(STORE_DIR, 65532, 65532);
    await kubectl(env, ['delete', 'namespace', NS, DOOR_NS, '--ignore-not-found', '--wait=true'], 'admin', { timeoutMs: 180_000 });
    await kubectlOk(env, ['create', 'namespace', NS]);
    await kubectlOk(env, ['create', 'secret', 'tls', 'kubemoat-webhook-tls', '-n', NS, '--cert', env.pki.auditSinkCert, '--key', env.pki.auditSinkKey]);
    // a door for the scan to find and the test to close
    await kubectlOk(env, ['create', 'namespace', DOOR_NS]);
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: ${DOOR}, namespace: ${DOOR_NS}}
spec:
  containers: [{name: c, image: docker.io/library/busybox:1, command: [sleep, '3600'], securityContext: {privileged: true}}]
`;
    assert.equal((await kubectl(env, ['apply', '-f', '-'], 'admin', { input: pod })).code, 0);
    release = await auditSinkLock('insecure');
    await helmInLab(env, [
      'install', RELEASE, CHART_DIR, '-n', NS,
      '--set', 'image.pullPolicy=Never',
      '--set', `apiServer.host=${env.nodeIP}`, '--set', `apiServer.port=${new URL(env.apiServer).port}`,
      '--set', 'store.volume.type=hostPath', '--set', `store.volume.hostPath.path=${STORE_DIR}`,
      '--set', 'scan.format=json',
      // the detect-lab test serves metrics on 9464/9465 in the same network namespace
      '--set', 'sensor.node.metricsPort=19465', '--set', 'sensor.detect.metricsPort=19464',
      '--set', 'sensor.node.every=30s',
      '--set', `sensor.containerdStateDir=${join(dirname(env.containerdSocket), 'containerd')}`,
      '--set', 'webhook.enabled=true', '--set', 'webhook.hostNetwork=true', '--set', 'webhook.port=9443', '--set', 'webhook.metricsPort=19466',
      '--set', 'webhook.tls.existingSecret=kubemoat-webhook-tls',
    ]);
  });

  after(async () => {
    if (env) {
      await inNetns(env, helmBinary(), ['--kubeconfig', env.adminKubeconfig, 'uninstall', RELEASE, '-n', NS, '--wait'], { timeoutMs: 180_000 });
      await kubectl(env, ['delete', 'namespace', NS, DOOR_NS, '--ignore-not-found', '--wait=false']);
    }
    release();
    rmSync(STORE_DIR, { recursive: true, force: true });
  });

  test('the scan CronJob records its run in the store; a door closed shows as fixed in the next run', async () => {
    await runScanJob(env, 'chart-e2e-1');
    const first = history().filter((r) => r.kind === 'cluster');
    assert.equal(first.length, 1, JSON.stringify(history()));
    await kubectlOk(env, ['delete', 'pod', DOOR, '-n', DOOR_NS, '--grace-period=0', '--force']);
    await runScanJob(env, 'chart-e2e-2');
    const runs = history().filter((r) => r.kind === 'cluster');
    assert.equal(runs.length, 2);
    const d = runCli(['diff', String(first[0].id), String(runs.find((r) => r.id !== first[0].id)!.id), '--store', STORE, '--format', 'json']);
    assert.equal(d.status, 0, d.stderr);
    const diff = JSON.parse(d.stdout) as { fixed: { resource?: { name?: string } }[]; new: unknown[] };
    assert.ok(diff.fixed.some((f) => JSON.stringify(f).includes(DOOR)), `the privileged pod's findings are fixed: ${d.stdout.slice(0, 2000)}`);
    // other test files change the shared lab meanwhile (RBAC, pods of their own): judged are the
    // namespaces nothing else writes to, this test's and the lab's planted apps
    const mine = new Set([NS, DOOR_NS, 'lab-apps']);
    const others = diff.fixed.filter((f) => !JSON.stringify(f).includes(DOOR) && mine.has((f as { namespace?: string }).namespace ?? ''));
    assert.deepEqual(others, [], 'only the closed door is fixed');
  });

  test("the sensor DaemonSet: the node's CIS state, and KM-RT-001 for `id` through the kubelet's /run", async () => {
    const pod = await podOf(env, 'sensor');
    const cis = await eventually(async () => /KM-KL-001|"ruleId"/.test(await logs(env, pod, 'node')), 120_000, 2000);
    assert.ok(cis, `node container log: ${await logs(env, pod, 'node')}`);
    const nodeLog = await logs(env, pod, 'node');
    assert.match(nodeLog, /KM-KL-001/, 'the anonymous kubelet of the insecure lab');
    await eventually(async () => /watching|sensor/i.test((await kubectl(env, ['logs', '-n', NS, pod, '-c', 'detect'])).stderr + (await logs(env, pod, 'detect'))), 60_000, 1000);
    const r = await curlInNetns(env, `${env.kubelet}/run/lab-apps/app/app?cmd=id`, { method: 'POST' });
    assert.equal(r.status, 200, r.error);
    const alert = await eventually(async () => (await logs(env, pod, 'detect')).split('\n').find((l) => l.includes('KM-RT-001') && l.includes('"id"')), 60_000, 1000);
    assert.ok(alert, `detect container log: ${await logs(env, pod, 'detect')}`);
  });

  test('the webhook Deployment receives the API server\'s audit events: kubectl exec raises KM-DT-001', async () => {
    const pod = await podOf(env, 'webhook');
    // the receiver is listening once it says so
    await eventually(async () => /receiving audit events/.test((await kubectl(env, ['logs', '-n', NS, pod])).stdout + (await kubectl(env, ['logs', '-n', NS, pod])).stderr), 60_000, 1000);
    assert.match(await kubectlOk(env, ['exec', '-n', 'lab-apps', 'app', '--', 'hostname']), /app/);
    const alert = await eventually(async () => (await logs(env, pod, 'webhook')).split('\n').find((l) => l.includes('KM-DT-001') && l.includes('hostname')), 60_000, 1000);
    assert.ok(alert, `webhook log: ${await logs(env, pod, 'webhook')}`);
  });
});
