// Who the detector trusts: the control plane by identity (exact accounts, the groups and token
// binding they always have, optionally their addresses), never by a name pattern; the header fast
// path agrees with the full parse; --explain-allow names the entry that silenced each hit.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPONENT_USERS, CONTROLLER_ACCOUNTS, TrustPolicy } from '../../src/detect/trust.js';
import { NetworkSet } from '../../src/detect/networks.js';
import { skippableAuditID } from '../../src/detect/header.js';
import { Detector, type Suppression } from '../../src/detect/engine.js';
import { AllowList } from '../../src/detect/allow.js';
import { detectionRules, findDetectionRule } from '../../src/detect/rules/index.js';
import { DEFAULT_DETECTION_SETTINGS } from '../../src/detect/rule.js';
import { toAuditEvent, type AuditEvent } from '../../src/sources/audit/event.js';
import { CONTROLLER_MANAGER, KUBELET, auditEvent, controllerSA, inPod, podSA, type ExampleUser } from '../../src/detect/rules/examples.js';
import type { AuditAlert as Alert } from '../../src/detect/alert.js';
import type { JsonObject } from '../../src/core/json.js';
import { runCli } from '../helpers/cli.js';

const ev = (o: JsonObject): AuditEvent => {
  const e = toAuditEvent(o);
  if (typeof e === 'string') throw new Error(e);
  return e;
};
const listSecrets = (user: ExampleUser, sourceIP?: string): JsonObject =>
  auditEvent({ verb: 'list', uri: '/api/v1/namespaces/kube-system/secrets', resource: 'secrets', namespace: 'kube-system', user, sourceIP });

function detect(lines: JsonObject[], options: { trust?: TrustPolicy; allow?: AllowList; explain?: boolean; fastPath?: boolean } = {}): { alerts: Alert[]; suppressed: Suppression[]; skipped: number } {
  const alerts: Alert[] = [];
  const suppressed: Suppression[] = [];
  const d = new Detector({
    rules: detectionRules, settings: DEFAULT_DETECTION_SETTINGS, trust: options.trust, allow: options.allow, headerFastPath: options.fastPath ?? true,
    emit: (a) => alerts.push(a), onRuleError: (_id, e) => { throw e; },
    ...(options.explain ? { onSuppressed: (s: Suppression) => suppressed.push(s) } : {}),
  });
  for (const l of lines) d.line(JSON.stringify(l), 't', 1);
  return { alerts, suppressed, skipped: d.stats.headerSkipped };
}

describe('control-plane trust by identity', () => {
  const trust = new TrustPolicy();

  test('every kube-controller-manager account, the components and kubelets are trusted', () => {
    for (const sa of CONTROLLER_ACCOUNTS) assert.equal(trust.controlPlane(ev(listSecrets(controllerSA(sa))))?.id, `controller:${sa}`, sa);
    assert.equal(trust.controlPlane(ev(listSecrets(CONTROLLER_MANAGER)))?.kind, 'component');
    assert.equal(trust.controlPlane(ev(listSecrets(KUBELET)))?.id, 'node');
    assert.ok(COMPONENT_USERS.includes('system:kube-scheduler'));
  });

  test('a name that only looks like the control plane is not trusted', () => {
    const cases: [string, ExampleUser][] = [
      ['new account x-controller', controllerSA('x-controller')],
      ['deployment-controller token used from a pod', inPod(controllerSA('deployment-controller'), 'debug-shell')],
      ['controller name without the service-account groups', { ...controllerSA('deployment-controller'), groups: ['system:authenticated'] }],
      ['controller name in another namespace', { ...podSA('shop', 'deployment-controller'), userAgent: 'kube-controller-manager/v1.37.2' }],
      ['node name without system:nodes', { username: 'system:node:evil', groups: ['system:authenticated'], userAgent: 'kubelet/v1.37.2' }],
      ['kube-proxy service account (a pod on every node, not the controller manager)', inPod(controllerSA('kube-proxy'), 'kube-proxy-abcde')],
    ];
    for (const [what, user] of cases) assert.equal(trust.controlPlane(ev(listSecrets(user))), undefined, what);
    const imp = { ...listSecrets(controllerSA('namespace-controller')), impersonatedUser: { username: 'alice', groups: [] } };
    assert.equal(trust.controlPlane(ev(imp)), undefined, 'an impersonated request');
  });

  test('with control-plane addresses, trust needs the last source IP (X-Forwarded-For entries come first and are the client\'s)', () => {
    const t = new TrustPolicy({ controlPlaneAddresses: ['10.77.0.0/16', 'fd00::1'] });
    assert.ok(t.controlPlane(ev(listSecrets(controllerSA('namespace-controller'), '10.77.1.10'))));
    assert.equal(t.controlPlane(ev(listSecrets(controllerSA('namespace-controller'), '10.78.1.10'))), undefined);
    const spoofed = { ...listSecrets(controllerSA('namespace-controller')), sourceIPs: ['10.77.1.10', '203.0.113.9'] };
    assert.equal(t.controlPlane(ev(spoofed)), undefined, 'a forged X-Forwarded-For');
    assert.ok(t.controlPlane(ev({ ...listSecrets(CONTROLLER_MANAGER), sourceIPs: ['fd00::1'] })));
    assert.ok(t.controlPlane(ev(listSecrets(KUBELET, '192.168.9.9'))), 'kubelets are not address-bound');
    assert.throws(() => new TrustPolicy({ controlPlaneAddresses: ['10.0.0.0/33'] }), /not an IP address or CIDR/);
  });

  test('NetworkSet: addresses and CIDRs of both families, IPv4-mapped peers, bad entries named', () => {
    const n = new NetworkSet(['10.0.0.0/8', '192.168.1.5', 'fd00::/8']);
    for (const inside of ['10.1.2.3', '192.168.1.5', 'fd00::1', '::ffff:10.9.9.9']) assert.ok(n.has(inside), inside);
    for (const outside of ['11.0.0.1', '192.168.1.6', 'fe80::1', 'not-an-ip', '']) assert.ok(!n.has(outside), outside);
    assert.deepEqual(n.outside(['10.0.0.1', '203.0.113.9', 'not-an-ip']), ['203.0.113.9'], 'text that is no address is not outside');
    for (const bad of ['10.0.0.256', '10.0.0.0/40', 'x', '1::2::3', '10.0.0.0/']) assert.throws(() => new NetworkSet([bad]), new RegExp(`not an IP address or CIDR: "${bad.replace(/[.]/g, '\\.')}"`), bad);
  });

  test('with internal networks, kubelets, components and controllers are trusted only from inside them', () => {
    const t = new TrustPolicy({ internalNetworks: ['10.77.0.0/16'] });
    assert.equal(t.controlPlane(ev(listSecrets(KUBELET)))?.id, 'node');
    assert.equal(t.controlPlane(ev(listSecrets(KUBELET, '198.51.100.7'))), undefined, 'a kubelet credential from outside');
    assert.equal(t.controlPlane(ev({ ...listSecrets(KUBELET), sourceIPs: ['198.51.100.7', '10.77.1.10'] })), undefined, 'every address must be inside');
    assert.equal(t.controlPlane(ev(listSecrets(CONTROLLER_MANAGER, '198.51.100.7'))), undefined);
    assert.equal(t.controlPlane(ev(listSecrets(controllerSA('namespace-controller'), '198.51.100.7'))), undefined);
    assert.ok(t.checksAddresses, 'the header fast path must read the addresses');
    assert.match(t.controlPlane(ev(listSecrets(KUBELET)))?.why ?? '', /internal networks \(10\.77\.0\.0\/16\)/);
  });

  test('KM-DT-016 and KM-DT-017 alert on the bypasses and stay quiet on the real controllers, with and without the header fast path', () => {
    const bypass = [listSecrets(controllerSA('x-controller')), listSecrets(inPod(controllerSA('deployment-controller'), 'debug-shell'))];
    const mint = auditEvent({ verb: 'create', code: 201, uri: '/api/v1/namespaces/kube-system/serviceaccounts/generic-garbage-collector/token', resource: 'serviceaccounts', subresource: 'token', namespace: 'kube-system', name: 'generic-garbage-collector', user: controllerSA('x-controller') });
    const real = [listSecrets(controllerSA('namespace-controller')), listSecrets(controllerSA('token-cleaner'))];
    for (const fastPath of [true, false]) {
      const { alerts } = detect([...bypass, mint, ...real], { fastPath });
      assert.deepEqual(alerts.map((a) => a.ruleId), ['KM-DT-016', 'KM-DT-016', 'KM-DT-017'], `fast path ${fastPath}`);
      assert.deepEqual(alerts.map((a) => a.auditID), [...bypass, mint].map((e) => e.auditID));
    }
  });

  test('the header fast path skips only what the policy trusts', () => {
    const line = (o: JsonObject): string => JSON.stringify(o);
    const get = (user: ExampleUser, sourceIP?: string): JsonObject => auditEvent({ verb: 'get', uri: '/api/v1/namespaces/shop/configmaps/x', resource: 'configmaps', namespace: 'shop', name: 'x', user, sourceIP });
    assert.ok(skippableAuditID(line(get(controllerSA('namespace-controller')))));
    assert.ok(skippableAuditID(line(get(KUBELET))));
    assert.equal(skippableAuditID(line(get(controllerSA('x-controller')))), undefined);
    assert.equal(skippableAuditID(line(get(inPod(controllerSA('deployment-controller'), 'p')))), undefined);
    const t = new TrustPolicy({ controlPlaneAddresses: ['10.77.1.10'] });
    assert.ok(skippableAuditID(line(get(controllerSA('namespace-controller'), '10.77.1.10')), t));
    assert.equal(skippableAuditID(line(get(controllerSA('namespace-controller'), '10.99.1.10')), t), undefined);
  });
});

describe('managed-platform identities', () => {
  const user = (username: string, groups = ['system:authenticated']): ExampleUser => ({ username, groups, userAgent: 'Go-http-client/2.0' });
  const get = (u: ExampleUser) => auditEvent({ verb: 'get', uri: '/api/v1/namespaces/kube-system/secrets/x', resource: 'secrets', namespace: 'kube-system', name: 'x', user: u });

  test('silence only KM-DT-016, only for their verbs and properties, and say so in explain mode', () => {
    const r = detect([get(user('eks:addon-manager')), get(user('aksService', ['system:masters', 'system:authenticated'])), get(user('aksService')), listSecrets(user('eks:k8s-metrics')), get(user('eks:k8s-metrics'))], { explain: true });
    assert.deepEqual(r.alerts.map((a) => a.who.user), ['aksService', 'eks:k8s-metrics'], 'aksService outside system:masters, eks:k8s-metrics reading one secret');
    assert.deepEqual(r.suppressed.map((s) => `${s.ruleId} ${s.by.kind === 'trust' ? s.by.entry.id : ''}`), ['KM-DT-016 managed:eks:addon-manager', 'KM-DT-016 managed:aksService', 'KM-DT-016 managed:eks:k8s-metrics']);
    const off = detect([get(user('eks:addon-manager'))], { trust: new TrustPolicy({ managedIdentities: false }) });
    assert.equal(off.alerts.length, 1, 'managedIdentities: false turns them off');
  });
});

describe('--explain-allow', () => {
  test('the engine names the trust entry or the allow entry, in file order', () => {
    const ns = listSecrets(controllerSA('namespace-controller'));
    const exec = findDetectionRule('KM-DT-001')!.examples.trigger[0] as JsonObject;
    const allow = new AllowList([
      { rules: ['KM-DT-002'], users: ['*'], namespaces: [], images: [], workloads: [], binaries: [], reason: 'unrelated' },
      { rules: ['*'], users: ['kubemoat-*'], namespaces: [], images: [], workloads: [], binaries: [], reason: 'the lab admin' },
    ]);
    const r = detect([ns, exec], { explain: true, allow });
    assert.deepEqual(r.alerts, []);
    assert.equal(r.skipped, 0, 'explaining turns the fast path off');
    const [a, b] = r.suppressed;
    assert.equal(a.ruleId, 'KM-DT-016');
    assert.ok(a.by.kind === 'trust' && a.by.entry.id === 'controller:namespace-controller');
    assert.equal(b.ruleId, 'KM-DT-001');
    assert.ok(b.by.kind === 'allow' && b.by.index === 1 && b.by.entry.reason === 'the lab admin');
  });

  test('the CLI prints each silenced hit with its entry (text and JSON) and sends no alerts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubemoat-explain-'));
    try {
      const log = join(dir, 'audit.log');
      const exec = findDetectionRule('KM-DT-001')!.examples.trigger[0] as JsonObject;
      writeFileSync(log, [listSecrets(controllerSA('namespace-controller')), listSecrets(controllerSA('x-controller')), exec].map((e) => JSON.stringify(e)).join('\n') + '\n');
      const cfg = join(dir, 'k.yaml');
      writeFileSync(cfg, 'detect:\n  allow:\n    - rule: KM-DT-001\n      users: ["kubemoat-admin"]\n      reason: the lab admin debugs pods\n');
      const text = runCli(['detect', log, '-c', cfg, '--explain-allow']);
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, /^KM-DT-016 \S+ system:serviceaccount:kube-system:namespace-controller listed all secrets in kube-system\n {2}silenced by trust entry controller:namespace-controller: kube-controller-manager's own service account/m);
      assert.match(text.stdout, /^KM-DT-001 .*\n {2}silenced by detect\.allow\[0\]: the lab admin debugs pods$/m);
      assert.doesNotMatch(text.stdout, /x-controller/, 'a hit that alerts is not a silenced one');
      const json = runCli(['detect', log, '-c', cfg, '--explain-allow', '--format', 'json']);
      const rows = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ruleId: string; suppressedBy: { kind: string; entry: string } });
      assert.deepEqual(rows.map((x) => [x.ruleId, x.suppressedBy.kind, x.suppressedBy.entry]), [['KM-DT-016', 'trust', 'controller:namespace-controller'], ['KM-DT-001', 'allow', 'detect.allow[0]']]);
      assert.match(json.stderr, /3 events, 1 alerts .*1 allow-listed, 1 trusted/);
      assert.equal(runCli(['detect', log, '--explain-allow', '--listen', '127.0.0.1:0']).status, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('detect.trust in .kubemoat.yaml: addresses are checked; a bad one is exit 2 naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubemoat-trustcfg-'));
    try {
      const log = join(dir, 'audit.log');
      writeFileSync(log, JSON.stringify(listSecrets(controllerSA('namespace-controller'), '10.99.0.1')) + '\n');
      const cfg = join(dir, 'k.yaml');
      writeFileSync(cfg, 'detect:\n  trust:\n    controlPlaneAddresses: ["10.77.0.0/16"]\n');
      const r = runCli(['detect', log, '-c', cfg]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /"ruleId":"KM-DT-016"/, 'a controller account from outside the control plane alerts');
      assert.doesNotMatch(runCli(['detect', log]).stdout, /KM-DT-016/, 'without addresses it is trusted');
      writeFileSync(cfg, 'detect:\n  trust:\n    controlPlaneAddresses: ["10.77.0.0/99"]\n');
      const bad = runCli(['detect', log, '-c', cfg]);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /k\.yaml: detect\.trust\.controlPlaneAddresses: not an IP address or CIDR/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
