import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJson, renderJsonChunks } from '../../src/report/json.js';
import { catalogue } from '../../src/rules/catalogue.js';
import { scanText } from '../helpers/scan.js';
import { readFileSync } from 'node:fs';

test('the streamed JSON report is exactly JSON.stringify(report, null, 2)', () => {
  const text = readFileSync(new URL('../../../examples/insecure-cluster/node-agent.yaml', import.meta.url), 'utf8') + '\n---\nbroken: [\n';
  const report = scanText(text, catalogue);
  assert.ok(report.findings.length > 3 && report.coverage.length > 0);
  assert.equal(renderJson(report), JSON.stringify(report, null, 2) + '\n');
  const empty = scanText('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n', []);
  assert.equal(renderJson(empty), JSON.stringify(empty, null, 2) + '\n');
  // one piece per finding, so memory does not hold the whole text
  assert.ok([...renderJsonChunks(report)].length > report.findings.length);
});
