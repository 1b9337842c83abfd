// Every rule in the catalogue carries its own passing and failing examples; this one tester holds
// each rule to them, and refuses a rule without both.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogue } from '../../src/rules/catalogue.js';
import { scanText } from '../helpers/scan.js';
import { EMPTY_CONFIG, type KubemoatConfig } from '../../src/core/config.js';

const ID = /^KM-(WL|RB|NP|IM|SC|SV|CO|NS|CP|KL|ET|ND|EX|DT)-\d{3}$/;

test('rule ids are unique and well formed', () => {
  const ids = catalogue.map((r) => r.meta.id);
  assert.equal(new Set(ids).size, ids.length, `duplicate ids: ${ids.filter((id, i) => ids.indexOf(id) !== i).join(', ')}`);
  for (const id of ids) assert.match(id, ID);
});

for (const rule of catalogue) {
  const config: KubemoatConfig = { ...EMPTY_CONFIG, ...rule.examples.settings };
  describe(`${rule.meta.id} ${rule.meta.title}`, () => {
    test('has metadata a user can act on', () => {
      const m = rule.meta;
      assert.ok(m.title.length > 3 && m.description.length > 40, 'title and description');
      assert.ok(m.remediation.length > 20, 'remediation');
      assert.ok(m.references.length > 0, 'at least one reference');
      assert.ok(Object.keys(m.messages).length > 0, 'messages');
    });

    test('has passing and failing examples', () => {
      assert.ok(rule.examples.pass.length > 0, 'no passing example');
      assert.ok(rule.examples.fail.length > 0, 'no failing example');
    });

    rule.examples.fail.forEach((yaml, i) => {
      test(`reports on failing example ${i + 1}`, () => {
        const report = scanText(yaml, [rule], config);
        assert.deepEqual(report.coverage, [], 'the example must parse cleanly');
        const mine = report.findings.filter((f) => f.ruleId === rule.meta.id);
        assert.ok(mine.length > 0, `expected a ${rule.meta.id} finding`);
        for (const f of mine) {
          assert.ok(f.location && f.location.line >= 1, 'finding has a location');
          assert.ok(!f.message.includes('{{'), `message has an unfilled placeholder: ${f.message}`);
          assert.match(f.fingerprint, /^[0-9a-f]{16}$/);
        }
      });
    });

    rule.examples.pass.forEach((yaml, i) => {
      test(`stays silent on passing example ${i + 1}`, () => {
        const report = scanText(yaml, [rule], config);
        assert.deepEqual(report.coverage, [], 'the example must parse cleanly');
        assert.deepEqual(report.findings.map((f) => f.message), []);
      });
    });
  });
}
