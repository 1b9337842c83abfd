// The RBAC graph on a generated corpus of 2,000 roles and 10,000 bindings: it builds, who-can and
// can agree with each other, and the escalation search terminates. Correctness only: timing
// figures are printed by hand (see docs/cluster.md), never asserted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateRbacInventory } from '../fixtures/rbac/generate.js';
import { identityOf, RbacGraph, type Subject } from '../../src/inventory/rbac.js';
import { EscalationAnalysis } from '../../src/inventory/rbac-escalation.js';

test('who-can and can agree on a 2,000-role, 10,000-binding corpus', () => {
  const inventory = generateRbacInventory();
  const g = new RbacGraph(inventory);
  assert.equal(g.roles.size >= 2000, true);
  assert.equal(g.bindings.length, 10000);
  assert.deepEqual(g.problems, []);

  for (const [verb, resource, ns] of [['get', 'secrets', 'ns-7'], ['create', 'pods', 'ns-42'], ['list', 'jobs.batch', 'ns-0'], ['update', 'deployments/scale', 'ns-99']] as const) {
    const request = g.request(verb, resource, { namespace: ns });
    const answers = g.whoCanRequest(request, { namespace: ns });
    const keys = new Set(answers.map((a) => a.subject.key));
    // every answer is allowed by can()
    for (const a of answers.slice(0, 200)) assert.ok(g.check(identityOf(a.subject.subject), request).allowed, `${a.subject.key} ${verb} ${resource} ${ns}`);
    // every service account can() allows is answered by who-can (itself or one of its groups)
    for (let i = 0; i < 10; i++) {
      const s: Subject = { kind: 'ServiceAccount', namespace: ns, name: `sa-${i}` };
      const id = identityOf(s);
      const allowed = g.check(id, request).allowed;
      assert.equal(allowed, id.keys.some((k) => keys.has(k)), `${s.namespace}/${s.name} ${verb} ${resource}`);
    }
  }

  const a = new EscalationAnalysis(g);
  assert.ok(a.admin.size > 0);
  for (const chain of a.chains.slice(0, 100)) {
    assert.ok(chain.steps.length >= 1);
    assert.ok(a.admin.has(chain.steps[chain.steps.length - 1].to), chain.text);
  }
});
