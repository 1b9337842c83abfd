// SARIF output checked by Microsoft's SARIF Multitool validator (schema and GitHub ingestion
// rules, test/helpers/sarif.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { validateSarif } from '../helpers/sarif.js';

test('SARIF for the insecure example is valid 2.1.0 and passes the GitHub ingestion rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-sarif-'));
  const file = join(dir, 'report.sarif');
  const r = runCli(['scan', 'examples/insecure-cluster', '-c', 'examples/kubemoat.yaml', '-f', 'sarif', '-o', file]);
  assert.equal(r.status, 1, r.stderr);
  const errors = validateSarif(file);
  assert.deepEqual(errors, []);
  const log = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(log.version, '2.1.0');
  const run = log.runs[0];
  assert.ok(run.results.length > 5);
  const ruleIds = new Set(run.tool.driver.rules.map((r: { id: string }) => r.id));
  for (const result of run.results) {
    assert.ok(ruleIds.has(result.ruleId), `result for unknown rule ${result.ruleId}`);
    const loc = result.locations[0].physicalLocation;
    assert.match(loc.artifactLocation.uri, /^examples\/insecure-cluster\/[a-z-]+\.yaml$/, 'relative URI');
    assert.ok(loc.region.startLine >= 1);
  }
  // The privileged flag of the node agent is on line 23 of its file.
  const privileged = run.results.find((x: { ruleId: string }) => x.ruleId === 'KM-WL-001');
  assert.equal(privileged.locations[0].physicalLocation.region.startLine, 23);
  assert.equal(privileged.locations[0].physicalLocation.artifactLocation.uri, 'examples/insecure-cluster/node-agent.yaml');
});

test('suppressed findings are carried as SARIF suppressions and parse errors as notifications', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-sarif-'));
  const manifest = join(dir, 'app.yaml');
  writeFileSync(manifest, `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    kubemoat.io/ignore: KM-WL-001
    kubemoat.io/ignore-reason: reviewed
spec:
  containers:
    - name: c
      image: busybox:1.36
      securityContext: {privileged: true}
---
broken: [
`);
  const file = join(dir, 'out.sarif');
  const r = runCli(['scan', manifest, '-f', 'sarif', '-o', file]);
  assert.equal(r.status, 2, 'a parse error makes the scan incomplete');
  const errors = validateSarif(file);
  assert.deepEqual(errors, []);
  const run = JSON.parse(readFileSync(file, 'utf8')).runs[0];
  const suppressed = run.results.filter((x: { suppressions?: unknown[] }) => x.suppressions);
  assert.equal(suppressed.length, 1);
  assert.deepEqual(suppressed[0].suppressions[0], { kind: 'inSource', status: 'accepted', justification: 'reviewed' });
  const notes = run.invocations[0].toolExecutionNotifications;
  assert.equal(notes.length, 1);
  assert.ok(notes[0].locations[0].physicalLocation.region.startLine >= 14, 'the error is placed in the broken document (line 14 on)');
  assert.equal(run.invocations[0].executionSuccessful, false);
});
