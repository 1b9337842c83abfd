// kubemoat detect against the lab's real API servers: they send their audit events (batch webhook,
// ≤ 1 s) to https://NODE_IP:9443/audit, verified against the cluster CA; the test starts
// `kubemoat detect --listen` there with the lab's audit-sink certificate, performs the attacks with
// the lab's own kubectl and curl, and checks each alert arrives within seconds and names the real
// event. Ordinary activity (the controller manager, the kubelet, the scheduler, a normal deploy)
// must raise nothing. Another test file (the chart's) serves 9443 too: test/helpers/lock.ts
// lets one receiver at a time hold a profile's address.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { curlInNetns, inNetns, kubectl, kubectlOk, labUp, readAuditEvents, type LabEnv } from '../helpers/lab.js';
import { startDetector, type RunningDetector } from '../helpers/detect.js';
import { auditSinkLock } from '../helpers/lock.js';
import type { AuditAlert as Alert, RuntimeAlert } from '../../src/detect/alert.js';
import { isControlPlane } from '../../src/detect/actors.js';

const ARRIVAL_MS = 10_000;
const NS = 'lab-apps';
const PRIV = 'detect-e2e-priv';
const SA = 'detect-e2e-sa';
const BINDING = 'detect-e2e-admin';
const WEB = 'detect-e2e-web';

async function cleanup(env: LabEnv): Promise<void> {
  await kubectl(env, ['delete', 'pod', PRIV, '-n', NS, '--ignore-not-found', '--grace-period=0', '--force', '--wait=false']);
  await kubectl(env, ['delete', 'clusterrolebinding', BINDING, '--ignore-not-found']);
  await kubectl(env, ['delete', 'serviceaccount', SA, '-n', NS, '--ignore-not-found']);
  await kubectl(env, ['delete', 'deployment,service', WEB, '-n', NS, '--ignore-not-found', '--wait=false']);
}

function detectorArgs(env: LabEnv, metricsPort: number): string[] {
  return ['--listen', `${env.nodeIP}:9443`, '--tls-cert', env.pki.auditSinkCert, '--tls-key', env.pki.auditSinkKey, '--metrics', `127.0.0.1:${metricsPort}`];
}

/** Waits for the alert and checks it arrived within ARRIVAL_MS of `since` (when the action began). */
async function expectAlert(d: RunningDetector, since: number, what: string, pred: (a: Alert) => boolean): Promise<Alert> {
  const a = await d.waitFor((x) => Date.parse(x.time) >= since - 2000 && pred(x), ARRIVAL_MS + 5000);
  assert.ok(a, `no alert for ${what} within ${(ARRIVAL_MS + 5000) / 1000} s; got:\n${d.alerts.map((x) => `${x.ruleId} ${x.message}`).join('\n')}\n${d.stderr()}`);
  const arrived = d.arrivals[d.alerts.indexOf(a)];
  const latency = arrived - since;
  process.stdout.write(`# ${what}: ${a.ruleId} arrived ${latency} ms after the action began\n`);
  assert.ok(latency < ARRIVAL_MS, `${what}: alert took ${latency} ms`);
  assert.match(a.auditID, /^[0-9a-f-]{36}$/);
  assert.ok(a.who.user && a.what.verb && a.where.sourceIPs.length > 0 && a.mitre.length > 0);
  return a;
}

async function bearerCurl(env: LabEnv, token: string, path: string) {
  return curlInNetns(env, `${env.apiServer}${path}`, { headers: { Authorization: `Bearer ${token}` }, cacert: env.pki.caCert });
}

describe('kubemoat detect on the insecure lab (audit webhook)', () => {
  let env: LabEnv;
  let d: RunningDetector;
  let started = 0;
  let release = (): void => {};

  before(async () => {
    env = await labUp('insecure');
    release = await auditSinkLock('insecure');
    await cleanup(env);
    d = await startDetector(detectorArgs(env, 9464), { netns: env.netns, readyText: 'receiving audit events' });
    started = Date.now();
  });

  after(async () => {
    if (env) await cleanup(env);
    const stopped = d ? await d.stop() : undefined;
    release();
    if (stopped) {
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.match(stopped.stderr, /detect: \d+ events, \d+ alerts/);
    }
  });

  test('exec into a pod: KM-DT-001 with the command, at ResponseStarted, naming the real audit event', async () => {
    const t0 = Date.now();
    assert.match(await kubectlOk(env, ['exec', '-n', NS, 'app', '--', 'id']), /uid=0/);
    const a = await expectAlert(d, t0, 'exec', (x) => x.ruleId === 'KM-DT-001' && x.what.name === 'app' && x.details?.command === 'id');
    assert.equal(a.who.user, 'kubemoat-admin');
    assert.equal(a.what.subresource, 'exec');
    // kubectl 1.37 execs over WebSockets: verb get, seen when the stream opens
    assert.equal(a.what.verb, 'get');
    assert.equal(a.stage, 'ResponseStarted');
    const raw = readAuditEvents(env).filter((e) => e.auditID === a.auditID);
    assert.ok(raw.length > 0 && raw.every((e) => e.objectRef?.subresource === 'exec'), 'the alert names the event in the audit log');
    // ResponseComplete of the same request raised nothing more
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(d.alerts.filter((x) => x.auditID === a.auditID && x.ruleId === 'KM-DT-001').length, 1);
  });

  test('a privileged pod: KM-DT-006', async () => {
    const t0 = Date.now();
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: ${PRIV}, namespace: ${NS}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: shell
      image: kubemoat.local/lab/busybox:latest
      imagePullPolicy: Never
      command: ["sleep", "3600"]
      securityContext: {privileged: true}
`;
    const r = await kubectl(env, ['apply', '-f', '-'], 'admin', { input: pod });
    assert.equal(r.code, 0, r.stderr);
    const a = await expectAlert(d, t0, 'privileged pod', (x) => x.ruleId === 'KM-DT-006' && x.what.name === PRIV);
    assert.equal(a.severity, 'critical');
    assert.equal(a.what.verb, 'create');
    assert.match(a.message, /privileged container shell/);
  });

  test('probing with a fresh token, cluster-admin bound, then the same request succeeds: KM-DT-025, 011, 030, 031', async () => {
    await kubectlOk(env, ['create', 'serviceaccount', SA, '-n', NS]);
    const t0 = Date.now();
    const token = (await kubectlOk(env, ['create', 'token', SA, '-n', NS])).trim();
    await expectAlert(d, t0, 'token minted', (x) => x.ruleId === 'KM-DT-017' && x.what.name === SA);
    const user = `system:serviceaccount:${NS}:${SA}`;
    for (let i = 0; i < 12; i++) assert.equal((await bearerCurl(env, token, '/api/v1/namespaces/kube-system/secrets')).status, 403);
    await expectAlert(d, t0, 'denied burst', (x) => x.ruleId === 'KM-DT-025' && x.who.user === user);
    const t1 = Date.now();
    await kubectlOk(env, ['create', 'clusterrolebinding', BINDING, '--clusterrole=cluster-admin', `--serviceaccount=${NS}:${SA}`]);
    const bound = await expectAlert(d, t1, 'cluster-admin binding', (x) => x.ruleId === 'KM-DT-011' && x.what.name === BINDING);
    assert.equal(bound.severity, 'critical');
    assert.match(bound.message, new RegExp(`ServiceAccount ${NS}/${SA}`));
    // the authorizer's cache takes a moment to see the binding
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await bearerCurl(env, token, '/api/v1/namespaces/kube-system/secrets')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(status, 200);
    const used = await expectAlert(d, t1, 'binding used', (x) => x.ruleId === 'KM-DT-031' && x.who.user === user);
    assert.equal(used.details?.binding, `ClusterRoleBinding ${BINDING}`);
    assert.equal(used.chain?.[0].auditID, bound.auditID, 'the chain names the binding event');
    const success = await expectAlert(d, t1, 'probing then success', (x) => x.ruleId === 'KM-DT-030' && x.who.user === user);
    assert.match(success.message, /list secrets/);
    assert.ok((success.chain?.length ?? 0) >= 1);
  });

  test('anonymous secret read on the insecure profile: KM-DT-005 and KM-DT-016', async () => {
    const t0 = Date.now();
    const r = await curlInNetns(env, `${env.apiServer}/api/v1/namespaces/${NS}/secrets/cloud-credentials`, { cacert: env.pki.caCert });
    assert.equal(r.status, 200);
    const anon = await expectAlert(d, t0, 'anonymous read', (x) => x.ruleId === 'KM-DT-005' && x.what.name === 'cloud-credentials');
    assert.equal(anon.who.user, 'system:anonymous');
    assert.match(anon.what.reason ?? '', /kubemoat-lab-anonymous-reader/);
    await expectAlert(d, t0, 'secret read', (x) => x.ruleId === 'KM-DT-016' && x.who.user === 'system:anonymous' && x.what.name === 'cloud-credentials');
    assert.ok(!JSON.stringify(d.alerts).includes('NOT-A-REAL-KEY'), 'no secret value in any alert');
  });

  test('exec, the pod\'s token read, secrets listed with it: KM-DT-032 chain', async () => {
    const t0 = Date.now();
    const token = (await kubectlOk(env, ['exec', '-n', NS, 'app', '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/token'])).trim();
    assert.ok(token.length > 100);
    assert.equal((await bearerCurl(env, token, `/api/v1/namespaces/${NS}/secrets`)).status, 200);
    const chain = await expectAlert(d, t0, 'exec then secrets', (x) => x.ruleId === 'KM-DT-032' && x.details?.pod === `${NS}/app`);
    assert.equal(chain.who.user, `system:serviceaccount:${NS}:ci-deployer`);
    assert.equal(chain.who.pod, `${NS}/app`, 'the bound token names its pod');
    const exec = d.alerts.find((x) => x.ruleId === 'KM-DT-001' && x.auditID === chain.chain?.[0].auditID);
    assert.ok(exec, 'the chain starts at the exec alert\'s event');
  });

  test('ordinary activity raises nothing: a normal deploy, the controller manager, the kubelet, the scheduler', async () => {
    const t0 = Date.now();
    const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${WEB}, namespace: ${NS}}
spec:
  replicas: 2
  selector: {matchLabels: {app: ${WEB}}}
  template:
    metadata: {labels: {app: ${WEB}}}
    spec:
      terminationGracePeriodSeconds: 1
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true, runAsUser: 65534, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: web
          image: kubemoat.local/lab/busybox:1.35
          imagePullPolicy: Never
          command: ["sleep", "3600"]
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
          resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 100m, memory: 32Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: ${WEB}, namespace: ${NS}}
spec:
  selector: {app: ${WEB}}
  ports: [{port: 80}]
`;
    const r = await kubectl(env, ['apply', '-f', '-'], 'admin', { input: manifest });
    assert.equal(r.code, 0, r.stderr);
    const rollout = await kubectl(env, ['rollout', 'status', `deployment/${WEB}`, '-n', NS, '--timeout=120s']);
    assert.equal(rollout.code, 0, rollout.stderr);
    await kubectlOk(env, ['scale', `deployment/${WEB}`, '-n', NS, '--replicas=1']);
    await kubectlOk(env, ['get', 'pods,deployments,services', '-n', NS]);
    await kubectlOk(env, ['delete', 'deployment,service', WEB, '-n', NS, '--wait=false']);
    await new Promise((r) => setTimeout(r, 3000));
    // the control plane was busy meanwhile, and its events went through the detector
    const busy = readAuditEvents(env).filter((e) => Date.parse(String(e.stageTimestamp)) >= t0);
    for (const who of ['system:kube-controller-manager', 'system:kube-scheduler', `system:node:${env.nodeName}`]) assert.ok(busy.some((e) => e.user.username === who || (e.user.username ?? '').startsWith('system:serviceaccount:kube-system:')), `no event from ${who}`);
    assert.ok(busy.some((e) => e.user.username === `system:node:${env.nodeName}`), 'the kubelet reported pod status');
    assert.ok(busy.some((e) => e.user.username === 'system:serviceaccount:kube-system:replicaset-controller' || e.user.username === 'system:kube-controller-manager'));
    const deployAlerts = d.alerts.filter((a) => JSON.stringify(a).includes(WEB));
    assert.deepEqual(deployAlerts.map((a) => `${a.ruleId} ${a.message}`), [], 'a normal deploy raised alerts');
    const fromControlPlane = d.alerts.filter((a) => isControlPlane({ username: a.who.user, groups: a.who.groups, extra: {} }) || a.who.user === 'system:apiserver');
    assert.deepEqual(fromControlPlane.map((a) => `${a.ruleId} ${a.message}`), [], 'the control plane raised alerts');
    assert.ok(started > 0 && Date.now() - started > 5000);
  });

  test('metrics: events, alerts by rule, drops, lag', async () => {
    const r = await curlInNetns(env, 'http://127.0.0.1:9464/metrics');
    assert.equal(r.status, 200);
    const value = (name: string): number => Number(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(r.body)?.[1] ?? NaN);
    assert.ok(value('kubemoat_detect_events_total') > 50, r.body);
    // the API server's EventList bodies take the fast path: most control-plane events are not parsed
    assert.ok(value('kubemoat_detect_header_skipped_total') > 0, r.body);
    assert.ok(value('kubemoat_detect_alerts_total{rule="KM-DT-001"}') >= 2, r.body);
    assert.ok(value('kubemoat_detect_alerts_total{rule="KM-DT-011"}') >= 1, r.body);
    assert.equal(value('kubemoat_detect_dropped_total'), 0);
    assert.equal(value('kubemoat_detect_malformed_total'), 0);
    const lag = value('kubemoat_detect_lag_seconds');
    assert.ok(lag >= 0 && lag < 5, `lag ${lag}`);
  });
});

describe('kubemoat detect on the hardened lab (the control)', () => {
  let env: LabEnv;
  let d: RunningDetector;

  let release = (): void => {};

  before(async () => {
    env = await labUp('hardened');
    release = await auditSinkLock('hardened');
    await kubectl(env, ['delete', 'pod', PRIV, '-n', NS, '--ignore-not-found', '--grace-period=0', '--force', '--wait=false']);
    d = await startDetector(detectorArgs(env, 9465), { netns: env.netns, readyText: 'receiving audit events' });
  });

  after(async () => {
    if (env) await kubectl(env, ['delete', 'pod', PRIV, '-n', NS, '--ignore-not-found', '--grace-period=0', '--force', '--wait=false']);
    const stopped = d ? await d.stop() : undefined;
    release();
    if (stopped) assert.equal(stopped.code, 0);
  });

  test('exec is still seen (it is activity, not configuration): KM-DT-001', async () => {
    const t0 = Date.now();
    assert.match(await kubectlOk(env, ['exec', '-n', NS, 'app', '--', 'id']), /uid=65534/);
    await expectAlert(d, t0, 'exec on hardened', (x) => x.ruleId === 'KM-DT-001' && x.what.name === 'app');
  });

  test('the doors are shut: an anonymous read is refused, a privileged pod is rejected by Pod Security, and neither raises the insecure profile\'s alerts', async () => {
    const t0 = Date.now();
    const anon = await curlInNetns(env, `${env.apiServer}/api/v1/namespaces/${NS}/secrets`, { cacert: env.pki.caCert });
    assert.equal(anon.status, 401);
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: ${PRIV}, namespace: ${NS}}
spec:
  containers:
    - name: shell
      image: kubemoat.local/lab/busybox:1.35
      imagePullPolicy: Never
      securityContext: {privileged: true}
`;
    const r = await kubectl(env, ['apply', '-f', '-'], 'admin', { input: pod });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /violates PodSecurity/);
    // a later exec proves the events of both requests have been delivered and judged by now
    assert.match(await kubectlOk(env, ['exec', '-n', NS, 'app', '--', 'true']).then(() => 'ok'), /ok/);
    await expectAlert(d, t0, 'marker exec', (x) => x.ruleId === 'KM-DT-001' && x.details?.command === 'true');
    await new Promise((res) => setTimeout(res, 1000));
    const since = d.alerts.filter((a) => Date.parse(a.time) >= t0 - 1000);
    assert.deepEqual(since.filter((a) => ['KM-DT-005', 'KM-DT-006', 'KM-DT-016'].includes(a.ruleId)).map((a) => `${a.ruleId} ${a.message}`), []);
  });
});

// One process takes both streams: the audit webhook and the node sensor. An exec through the API
// is the audit rule's (KM-DT-001) and the runtime exec it caused is folded into it; a command run
// through the kubelet's /run has no pods/exec, and only a detector seeing both can say so.
describe('kubemoat detect --listen --node on the insecure lab (audit and runtime correlated)', () => {
  let env: LabEnv;
  let d: RunningDetector<Alert | RuntimeAlert>;
  let release = (): void => {};

  before(async () => {
    env = await labUp('insecure');
    release = await auditSinkLock('insecure');
    d = await startDetector<Alert | RuntimeAlert>([...detectorArgs(env, 9465), '--node', '--sensor', 'ebpf', '--audit-grace', '4'], { netns: env.netns, readyText: 'receiving audit events' });
  });

  after(async () => {
    const stopped = d ? await d.stop() : undefined;
    release();
    if (stopped) assert.equal(stopped.code, 0);
  });

  test('kubectl exec: the audit alert, and no runtime bypass alert for the same command', async () => {
    const t0 = Date.now();
    assert.match(await kubectlOk(env, ['exec', '-n', NS, 'app', '--', 'hostname']), /app/);
    const audit = await d.waitFor((x) => x.source === 'audit' && x.ruleId === 'KM-DT-001' && x.details?.command === 'hostname' && Date.parse(x.time) >= t0 - 2000, 15_000);
    assert.ok(audit, d.stderr());
    await new Promise((r) => setTimeout(r, 6_000));
    const bypass = d.alerts.filter((x) => x.source === 'runtime' && x.ruleId === 'KM-RT-001' && x.process.argv?.[0] === 'hostname');
    assert.deepEqual(bypass.map((x) => x.message), []);
  });

  test('kubelet /run: a critical KM-RT-001 once the grace passes with no pods/exec', async () => {
    const t0 = Date.now();
    const r = await curlInNetns(env, `${env.kubelet}/run/lab-apps/app/app?cmd=uname`, { method: 'POST' });
    assert.match(r.body, /Linux/);
    const a = await d.waitFor((x) => x.source === 'runtime' && x.ruleId === 'KM-RT-001' && x.process.argv?.[0] === 'uname', 15_000);
    assert.ok(a && a.source === 'runtime', d.stderr());
    assert.equal(a.severity, 'critical');
    assert.match(a.message, /no pods\/exec in the audit stream/);
    assert.equal(a.container?.pod, 'app');
    const waited = d.arrivals[d.alerts.indexOf(a)] - t0;
    process.stdout.write(`# kubelet bypass: KM-RT-001 critical ${waited} ms after /run (grace 4 s)\n`);
    assert.ok(waited >= 3_500 && waited < 8_000, `${waited} ms`);
  });
});
