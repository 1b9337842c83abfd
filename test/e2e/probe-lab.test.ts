// `kubemoat probe` against the lab's real components, from inside their network namespaces: on the
// insecure profile every planted door is found with the evidence that proves it (and no secret
// value is printed); on the hardened profile nothing is reported, while the authenticated API
// server, kubelet and etcd are still seen and named.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { curlInNetns, inNetns, labUp, type LabEnv } from '../helpers/lab.js';
import { CLI, REPO_ROOT } from '../helpers/cli.js';
import type { Report } from '../../src/core/report.js';
import type { Finding } from '../../src/core/finding.js';
import type { HostSummary, ProbedEndpoint } from '../../src/probe/model.js';

type ProbeReport = Report & { hosts: HostSummary[]; endpoints: ProbedEndpoint[] };

async function probe(env: LabEnv, args: string[]): Promise<{ code: number; report: ProbeReport; stdout: string; stderr: string }> {
  const r = await inNetns(env, process.execPath, [CLI, 'probe', '-f', 'json', '--severity', 'info', '--no-progress', ...args]);
  let report: ProbeReport;
  try {
    report = JSON.parse(r.stdout) as ProbeReport;
  } catch {
    throw new Error(`no JSON report (exit ${r.code}): ${r.stderr}\n${r.stdout.slice(0, 500)}`);
  }
  return { code: r.code, report, stdout: r.stdout, stderr: r.stderr };
}

function at(report: Report, ruleId: string, url: string): Finding {
  const f = report.findings.find((x) => x.ruleId === ruleId && x.endpoint !== undefined && 'url' in x.endpoint && x.endpoint.url === url);
  assert.ok(f, `expected ${ruleId} at ${url}; found:\n${report.findings.map((x) => `${x.ruleId} ${JSON.stringify(x.endpoint)}`).join('\n')}`);
  return f;
}

test('insecure lab: every planted exposure is found with its evidence, and no secret value is printed', async () => {
  const env = await labUp('insecure');
  const ip = env.nodeIP;
  // Other tests may create pods and objects while this one runs: the figures kubemoat reports must
  // lie between what the kubelet and etcd themselves say just before and just after.
  const kubeletPodCount = async (): Promise<number> => ((JSON.parse((await curlInNetns(env, `${env.kubelet}/pods`)).body) as { items: unknown[] }).items.length);
  const etcdKeyCount = async (): Promise<number> => {
    const r = await curlInNetns(env, `${env.etcd}/v3/kv/range`, { method: 'POST', data: JSON.stringify({ key: 'AA==', range_end: 'AA==', count_only: true }) });
    return Number((JSON.parse(r.body) as { count?: string }).count);
  };
  const podsBefore = await kubeletPodCount();
  const keysBefore = await etcdKeyCount();
  const { code, report, stdout } = await probe(env, [ip]);
  const podsAfter = await kubeletPodCount();
  const keysAfter = await etcdKeyCount();
  assert.equal(code, 1, 'critical findings fail the run at the default --fail-on high');
  assert.deepEqual(report.coverage, []);
  const within = (n: number, a: number, b: number, slack: number): boolean => n >= Math.min(a, b) - slack && n <= Math.max(a, b) + slack;

  const kubeletPods = at(report, 'KM-EX-001', `https://${ip}:10250`);
  assert.equal(kubeletPods.severity, 'critical');
  const pods = Number(/GET \/pods → 200: (\d+) pods/.exec(kubeletPods.evidence ?? '')?.[1]);
  assert.ok(pods >= 5 && within(pods, podsBefore, podsAfter, 0), `kubemoat counted ${pods} pods; the kubelet says ${podsBefore} then ${podsAfter}`);
  assert.match(kubeletPods.evidence ?? '', /lab-apps\/app app AWS_ACCESS_KEY_ID=AKIA…\[redacted\]/);

  const doors = at(report, 'KM-EX-002', `https://${ip}:10250`);
  assert.match(doors.message, /\/run, \/exec, \/attach, \/portForward/);
  assert.match(doors.evidence ?? '', /404 "pod does not exist" \(authentication and authorization passed; nothing ran\)/);
  assert.ok(!/uid=/.test(doors.evidence ?? ''), 'read-only: nothing was run');

  assert.match(at(report, 'KM-EX-004', `https://${ip}:10250`).message, /\/configz/);
  const readOnly = at(report, 'KM-EX-003', `http://${ip}:10255`);
  assert.equal(readOnly.severity, 'critical', 'credentials in env make the read-only port critical');
  assert.match(readOnly.evidence ?? '', /\d+ pods, 1 privileged container, 2 env values that look like credentials/);

  const anon = at(report, 'KM-EX-005', `https://${ip}:6443`);
  assert.equal(anon.severity, 'critical');
  assert.match(anon.message, /secrets, pods/);
  assert.match(anon.evidence ?? '', /GET \/api\/v1\/secrets\?limit=1 → 200/);
  at(report, 'KM-EX-006', `https://${ip}:6443`);

  const proxy = at(report, 'KM-EX-007', `http://${ip}:8080`);
  assert.match(proxy.message, new RegExp(`a proxy to ${ip.replace(/\./g, '\\.')}:6443`));

  // etcd: the key count is what etcd itself says with count_only.
  const etcd = at(report, 'KM-EX-009', `http://${ip}:2379`);
  const seen = Number(/→ (\d+) keys/.exec(etcd.evidence ?? '')?.[1]);
  assert.ok(within(seen, keysBefore, keysAfter, 5), `kubemoat counted ${seen} keys; etcd says ${keysBefore} then ${keysAfter} (leases and events move a little)`);
  assert.match(etcd.evidence ?? '', /\d+ under \/registry\/secrets\/ \(no value read\)/);
  at(report, 'KM-EX-010', `http://${ip}:2379`);

  // The per-host summary names every service.
  const host = report.hosts.find((h) => h.host === ip);
  assert.ok(host);
  const services = Object.fromEntries(host.open.map((o) => [o.port, o.service]));
  assert.deepEqual(
    { 2379: services[2379], 6443: services[6443], 8080: services[8080], 10250: services[10250], 10255: services[10255] },
    { 2379: 'etcd', 6443: 'kube-apiserver', 8080: 'kube-apiserver', 10250: 'kubelet', 10255: 'kubelet-read-only' },
  );

  // The fake keys are in the pod env, the Secret and etcd; none of them reaches the report.
  for (const secret of ['AKIAFAKEKUBEMOATLAB0', 'fake-lab-secret/kubemoat/NOT-A-REAL-KEY0', 'QUtJQUZBS0VLVUJFTU9BVExBQjA=']) {
    assert.ok(!stdout.includes(secret), `the report must not contain ${secret}`);
  }
});

test('hardened lab: nothing is reported; the authenticated API server, kubelet and etcd are still recognised', async () => {
  const env = await labUp('hardened');
  const ip = env.nodeIP;
  const { code, report } = await probe(env, [ip, '127.0.0.1']);
  assert.equal(code, 0);
  // nothing but the inventory entries (info) for what truly answers, each asking for credentials
  const exposures = report.findings.filter((f) => f.ruleId !== 'KM-EX-016');
  assert.deepEqual(exposures.map((f) => `${f.ruleId} ${f.message}`), []);
  const reachable = report.findings.filter((f) => f.ruleId === 'KM-EX-016' && f.endpoint && 'url' in f.endpoint && f.endpoint.url.includes(ip)).map((f) => f.message).sort();
  assert.deepEqual(reachable, [
    `Kubernetes API server reachable at https://${ip}:6443 (asks for credentials)`,
    `etcd reachable at https://${ip}:2379 (client certificate required)`,
    `etcd reachable at https://${ip}:2380 (client certificate required)`,
    `kubelet API reachable at https://${ip}:10250 (asks for credentials)`,
  ]);
  const host = report.hosts.find((h) => h.host === ip);
  assert.ok(host);
  const services = Object.fromEntries(host.open.map((o) => [o.port, o.service]));
  assert.equal(services[6443], 'kube-apiserver');
  assert.equal(services[10250], 'kubelet');
  assert.equal(services[2379], 'etcd');
  assert.equal(services[8080], undefined, 'no proxy on hardened');
  assert.equal(services[10255], undefined, 'no read-only port on hardened');
  const etcd = report.endpoints.find((e) => e.host === ip && e.port === 2379);
  assert.equal(etcd?.clientCertRequired, true);
  const kubelet = report.endpoints.find((e) => e.host === ip && e.port === 10250);
  assert.equal(kubelet?.observations['kubelet.run']?.status, 401, 'a 401 is recorded, and is not an open door');
  // controller-manager and scheduler (bound to 127.0.0.1 in the namespace) are recognised by their replies
  const local = report.hosts.find((h) => h.host === '127.0.0.1');
  assert.ok(local?.open.some((o) => o.port === 10257 && o.service === 'kube-component'));
});

test('insecure lab, --active: announced first, runs `id` in one pod and writes then deletes one etcd key', async () => {
  const env = await labUp('insecure');
  const ip = env.nodeIP;
  const { report, stderr } = await probe(env, ['--active', `${ip}:10250`, `${ip}:2379`]);
  assert.match(stderr, /--active: .*run `id`.*write and then delete/);
  const doors = at(report, 'KM-EX-002', `https://${ip}:10250`);
  assert.match(doors.evidence ?? '', /--active: POST \/run\/[^ ]+ ran `id`: uid=\d+/);
  const etcd = at(report, 'KM-EX-009', `http://${ip}:2379`);
  const marker = /wrote (\/kubemoat-probe\/marker-[0-9a-f]+); deleted 1/.exec(etcd.evidence ?? '');
  assert.ok(marker, `etcd evidence: ${etcd.evidence}`);
  const left = await curlInNetns(env, `${env.etcd}/v3/kv/range`, { method: 'POST', data: JSON.stringify({ key: Buffer.from(marker[1]).toString('base64'), count_only: true }) });
  assert.equal(Number((JSON.parse(left.body) as { count?: string }).count ?? 0), 0, 'the marker key is gone');
});

test('insecure lab, --from-kubeconfig: the API server and the node addresses come from the cluster itself', async () => {
  const env = await labUp('insecure');
  const { report } = await probe(env, ['--from-kubeconfig', env.adminKubeconfig, '--ports', '10250']);
  assert.deepEqual(report.coverage, []);
  const host = report.hosts.find((h) => h.host === env.nodeIP);
  assert.ok(host, `hosts: ${JSON.stringify(report.hosts)}`);
  // 6443 from the kubeconfig's server URL, 10250 from --ports on the node's InternalIP
  assert.deepEqual(host.open.map((o) => `${o.port}/${o.service}`), ['6443/kube-apiserver', '10250/kubelet']);
  at(report, 'KM-EX-002', `https://${env.nodeIP}:10250`);
});

test('insecure lab, -f sarif: valid for the SARIF Multitool (schema and GitHub rules), endpoints as logical locations', async () => {
  const env = await labUp('insecure');
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-probe-sarif-'));
  const file = join(dir, 'probe.sarif');
  const r = await inNetns(env, process.execPath, [CLI, 'probe', `${env.nodeIP}:10250`, `${env.nodeIP}:2379`, '-f', 'sarif', '-o', file, '--no-progress']);
  assert.equal(r.code, 1, r.stderr);
  const validator = join(REPO_ROOT, 'node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool');
  // the validator tries to fetch URIs it sees: no network for it
  const v = spawnSync('unshare', ['--net', validator, 'validate', file, '-o', `${file}.validation.sarif`, '--log', 'ForceOverwrite', '--rule-kind', 'Gh;Sarif', '--level', 'Error;Warning'], { encoding: 'utf8' });
  assert.equal(v.status, 0, v.stdout + v.stderr);
  assert.deepEqual(v.stdout.split('\n').filter((l) => / (error|warning) [A-Z]+\d+/.test(l)), []);
  const log = JSON.parse(readFileSync(file, 'utf8')) as { runs: { results: { ruleId: string; locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }[] }[] };
  const kl = log.runs[0].results.find((x) => x.ruleId === 'KM-EX-002');
  assert.equal(kl?.locations[0].logicalLocations[0].fullyQualifiedName, `https://${env.nodeIP}:10250`);
});
