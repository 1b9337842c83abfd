// Every probe rule carries its own passing and failing endpoints; this one tester holds each rule to
// them, and to the facts that decide an exposure: a 401 or 403 is never access, and a 404 proves an
// open kubelet door only when it names the missing pod.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { probeRules } from '../../src/probe/rules/index.js';
import { runProbeRules } from '../../src/probe/rule.js';
import { catalogue } from '../../src/rules/catalogue.js';
import { podListFacts } from '../../src/probe/checks.js';
import type { ProbedEndpoint } from '../../src/probe/model.js';

test('probe rule ids are KM-EX-nnn, unique, and not used by the manifest catalogue', () => {
  const ids = probeRules.map((r) => r.meta.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^KM-EX-\d{3}$/);
  const taken = new Set(catalogue.map((r) => r.meta.id));
  for (const id of ids) assert.ok(!taken.has(id), `${id} is also a catalogue rule`);
});

for (const rule of probeRules) {
  describe(`${rule.meta.id} ${rule.meta.title}`, () => {
    test('has metadata a user can act on, and examples', () => {
      const m = rule.meta;
      assert.ok(m.description.length > 40 && m.remediation.length > 20 && m.references.length > 0);
      assert.ok(rule.examples.pass.length > 0 && rule.examples.fail.length > 0);
    });
    rule.examples.fail.forEach((ep, i) => {
      test(`reports on failing example ${i + 1}`, () => {
        const run = runProbeRules([ep], [rule]);
        assert.deepEqual(run.errors, []);
        assert.ok(run.findings.length > 0);
        for (const f of run.findings) {
          assert.ok(f.endpoint, 'finding names its endpoint');
          assert.ok(!f.message.includes('{{'), f.message);
          assert.ok(f.evidence && f.evidence.length > 0, 'finding carries evidence');
          assert.match(f.fingerprint, /^[0-9a-f]{16}$/);
        }
      });
    });
    rule.examples.pass.forEach((ep, i) => {
      test(`stays silent on passing example ${i + 1}`, () => {
        const run = runProbeRules([ep], [rule]);
        assert.deepEqual(run.errors, []);
        assert.deepEqual(run.findings.map((f) => f.message), []);
      });
    });
  });
}

function endpoint(service: ProbedEndpoint['service'], scheme: ProbedEndpoint['scheme'], observations: ProbedEndpoint['observations']): ProbedEndpoint {
  return { host: '127.0.0.1', port: 10250, scheme, service, identifiedBy: 'test', observations };
}

test('401 and 403 everywhere: no rule reports access (the kube-hunter false alarm)', () => {
  const denied = (status: number, request: string) => ({ request, status, shape: status === 401 ? 'Unauthorized' : 'Forbidden' });
  const keys = ['kubelet.pods', 'kubelet.run', 'kubelet.exec', 'kubelet.attach', 'kubelet.portForward', 'kubelet.configz', 'kubelet.logs', 'kubelet.metrics'];
  for (const status of [401, 403]) {
    const kubelet = endpoint('kubelet', 'https', Object.fromEntries(keys.map((k) => [k, denied(status, `GET /${k}`)])));
    const api = endpoint('kube-apiserver', 'https', Object.fromEntries(['api.version', 'api.discovery', 'api.pods', 'api.secrets', 'api.namespaces', 'api.ssrr'].map((k) => [k, denied(status, `GET /${k}`)])));
    const plain = { ...api, scheme: 'http' as const, port: 8080 };
    const run = runProbeRules([kubelet, api, plain], probeRules);
    // only the inventory entry (info): reachable, and asking for credentials
    assert.deepEqual(run.findings.map((f) => `${f.ruleId} ${f.severity}`), ['KM-EX-016 info', 'KM-EX-016 info', 'KM-EX-016 info'], `status ${status}`);
    for (const f of run.findings) assert.match(f.message, /\(asks for credentials\)$/);
  }
});

test('podListFacts counts pods and credential-looking env values and never keeps a value', () => {
  const list = {
    kind: 'PodList',
    items: [
      { metadata: { namespace: 'a', name: 'p' }, spec: { containers: [{ name: 'c', env: [{ name: 'AWS_SECRET_ACCESS_KEY', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }, { name: 'LOG_LEVEL', value: 'debug' }, { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }] }, status: { phase: 'Running' } },
      { metadata: { namespace: 'b', name: 'q' }, spec: { containers: [{ name: 'd' }] }, status: { phase: 'Pending' } },
    ],
  };
  const facts = podListFacts(list);
  assert.equal(facts.pods, 2);
  assert.equal(facts.containers, 2);
  assert.equal(facts.credentials, 1);
  assert.equal(facts.samples.length, 1);
  assert.ok(!JSON.stringify(facts).includes('wJalrXUtnFEMI'), 'the value is redacted');
  assert.deepEqual(facts.running, [{ namespace: 'a', pod: 'p', container: 'c' }]);
});
