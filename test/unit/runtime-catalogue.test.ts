// Every runtime rule carries metadata, ATT&CK ids, and example event sequences that must raise it
// on their last event and must not raise it at all; this one tester holds each rule to them (in a
// fresh detector per case, with no audit stream) and refuses a rule without both.

import { describe, test } from 'node:test';
import { assertResponderMetadata } from '../helpers/detect.js';
import assert from 'node:assert/strict';
import { runtimeRules } from '../../src/detect/runtime/rules/index.js';
import { detectionRules } from '../../src/detect/rules/index.js';
import { RuntimeDetector } from '../../src/detect/runtime/engine.js';
import { DEFAULT_RUNTIME_SETTINGS, type RuntimeExampleCase, type RuntimeRule } from '../../src/detect/runtime/rule.js';
import type { RuntimeAlert } from '../../src/detect/alert.js';
import type { RuntimeEvent } from '../../src/sources/runtime/event.js';
import { BaselineStore } from '../../src/detect/runtime/baseline.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ID = /^KM-RT-\d{3}$/;

/** The pod's own token mount in the examples is device 41 (see examples.ts `open`). */
const OWN_TOKEN = 41;

function replay(rule: RuntimeRule, c: RuntimeExampleCase): { alerts: RuntimeAlert[]; atLast: RuntimeAlert[] } {
  const events = (Array.isArray(c) ? c : [c]) as readonly RuntimeEvent[];
  const alerts: RuntimeAlert[] = [];
  // every case runs with a fresh baseline that learns for 1 s of event time (KM-RT-016/017)
  const baseline = new BaselineStore(mkdtempSync(join(tmpdir(), 'km-baseline-')), 1_000);
  const d = new RuntimeDetector({ rules: [rule], settings: DEFAULT_RUNTIME_SETTINGS, node: 'kubemoat-insecure', emit: (a) => alerts.push(a), ownTokenDevice: () => OWN_TOKEN, baseline, onRuleError: (_id, e) => { throw e; } });
  let before = 0;
  events.forEach((e, i) => {
    if (i === events.length - 1) before = alerts.length;
    d.event(e);
  });
  return { alerts, atLast: alerts.slice(before) };
}

test('runtime rule ids are unique, well formed, and distinct from audit rule ids', () => {
  const ids = runtimeRules.map((r) => r.meta.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, ID);
  const audit = new Set(detectionRules.map((r) => r.meta.id));
  for (const id of ids) assert.ok(!audit.has(id));
  assert.ok(ids.length >= 15, `only ${ids.length} rules`);
});

for (const rule of runtimeRules) {
  describe(`${rule.meta.id} ${rule.meta.title}`, () => {
    test('has metadata a responder can act on', () => {
      assertResponderMetadata(rule.meta);
      assert.ok(rule.on.length > 0, 'event kinds');
    });

    test('has triggering and non-triggering examples', () => {
      assert.ok(rule.examples.trigger.length > 0, 'no triggering example');
      assert.ok(rule.examples.ignore.length > 0, 'no non-triggering example');
    });

    rule.examples.trigger.forEach((c, i) => {
      test(`raises on triggering example ${i + 1}`, () => {
        const { atLast } = replay(rule, c);
        const mine = atLast.filter((a) => a.ruleId === rule.meta.id);
        assert.ok(mine.length > 0, `expected a ${rule.meta.id} alert on the last event`);
        const a = mine[mine.length - 1];
        assert.equal(a.source, 'runtime');
        assert.ok(a.container, 'names the container');
        assert.ok(a.message.includes(a.container.pod) && a.message.includes(a.container.image), `names pod and image: ${a.message}`);
        assert.ok(a.process.pid > 0 && a.process.comm !== undefined, 'names the process');
        assert.equal(a.node, 'kubemoat-insecure');
        assert.deepEqual(a.mitre, rule.meta.mitre);
        assert.ok(a.message.length > 10 && !a.message.includes('undefined'), `message: ${a.message}`);
      });
    });

    rule.examples.ignore.forEach((c, i) => {
      test(`stays silent on non-triggering example ${i + 1}`, () => {
        const { alerts } = replay(rule, c);
        assert.deepEqual(alerts.map((a) => a.message), []);
      });
    });
  });
}
