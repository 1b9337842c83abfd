// Every detection rule carries metadata, ATT&CK ids, and real example events that must raise it
// and must not; this one tester holds each rule to them and refuses a rule without both.

import { describe, test } from 'node:test';
import { assertResponderMetadata } from '../helpers/detect.js';
import assert from 'node:assert/strict';
import { detectionRules } from '../../src/detect/rules/index.js';
import { Detector } from '../../src/detect/engine.js';
import { TrustPolicy } from '../../src/detect/trust.js';
import { DEFAULT_DETECTION_SETTINGS, type DetectionRule, type ExampleCase } from '../../src/detect/rule.js';
import type { AuditAlert as Alert } from '../../src/detect/alert.js';
import type { JsonObject } from '../../src/core/json.js';

const ID = /^KM-DT-\d{3}$/;
/** correlation rules: KM-DT-030 to KM-DT-039 */
const CHAIN = /^KM-DT-03\d$/;

/** Replays a case as JSON lines (through the same parser as a file) into a fresh detector. */
function replay(rule: DetectionRule, c: ExampleCase): { alerts: Alert[]; last: JsonObject; malformed: number } {
  const events = Array.isArray(c) ? (c as readonly JsonObject[]) : [c as JsonObject];
  const alerts: Alert[] = [];
  // a rule that needs configuration runs its examples with it, and trust sees the same networks the CLI would give it
  const settings = { ...DEFAULT_DETECTION_SETTINGS, ...rule.examples.settings };
  const trust = new TrustPolicy({ internalNetworks: settings.internalNetworks });
  const d = new Detector({ rules: [rule], settings, trust, emit: (a) => alerts.push(a), onRuleError: (_id, e) => { throw e; } });
  for (const e of events) d.line(JSON.stringify(e), 'example', 1);
  return { alerts, last: events[events.length - 1], malformed: d.stats.malformed };
}

test('detection rule ids are unique and well formed', () => {
  const ids = detectionRules.map((r) => r.meta.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, ID);
  assert.ok(ids.length >= 25, `only ${ids.length} rules`);
});

for (const rule of detectionRules) {
  describe(`${rule.meta.id} ${rule.meta.title}`, () => {
    test('has metadata a responder can act on', () => {
      assertResponderMetadata(rule.meta);
      assert.ok(rule.on === '*' || rule.on.length > 0, 'dispatch keys');
    });

    test('has triggering and non-triggering examples', () => {
      assert.ok(rule.examples.trigger.length > 0, 'no triggering example');
      assert.ok(rule.examples.ignore.length > 0, 'no non-triggering example');
    });

    rule.examples.trigger.forEach((c, i) => {
      test(`raises on triggering example ${i + 1}`, () => {
        const { alerts, last, malformed } = replay(rule, c);
        assert.equal(malformed, 0, 'the example must be a valid audit event');
        const mine = alerts.filter((a) => a.ruleId === rule.meta.id);
        assert.ok(mine.length > 0, `expected a ${rule.meta.id} alert`);
        const a = mine[mine.length - 1];
        assert.equal(a.auditID, last.auditID, 'the alert names the event that completed it');
        assert.ok(a.who.user.length > 0 && a.what.verb.length > 0 && a.where.sourceIPs.length > 0, 'who, what, from where');
        assert.deepEqual(a.mitre, rule.meta.mitre);
        assert.ok(a.message.length > 10 && !a.message.includes('undefined'), `message: ${a.message}`);
        if (Array.isArray(c) && CHAIN.test(rule.meta.id)) assert.ok(a.chain && a.chain.length > 0, 'a chain alert lists the earlier events');
      });
    });

    rule.examples.ignore.forEach((c, i) => {
      test(`stays silent on non-triggering example ${i + 1}`, () => {
        const { alerts, malformed } = replay(rule, c);
        assert.equal(malformed, 0, 'the example must be a valid audit event');
        assert.deepEqual(alerts.map((a) => a.message), []);
      });
    });
  });
}

test('docs/detect-rules.md is generated from the catalogue and current', async () => {
  const { readFileSync } = await import('node:fs');
  const { renderDetectionRulesMarkdown } = await import('../../src/detect/rules-doc.js');
  const { REPO_ROOT } = await import('../helpers/cli.js');
  const doc = readFileSync(`${REPO_ROOT}/docs/detect-rules.md`, 'utf8');
  const { runtimeRules } = await import('../../src/detect/runtime/rules/index.js');
  assert.equal(doc, renderDetectionRulesMarkdown(detectionRules, runtimeRules), 'run: node dist/src/cli/main.js detect --list-rules --format markdown > docs/detect-rules.md');
});
