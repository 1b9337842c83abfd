import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJson, renderJsonChunks } from '../../src/report/json.js';
import { catalogue } from '../../src/rules/catalogue.js';
import { scanText } from '../helpers/scan.js';
import { readFileSync } from 'node:fs';

test('the streamed JSON report parses to the report, one finding per line', () => {
  const text = readFileSync(new URL('../../../examples/insecure-cluster/node-agent.yaml', import.meta.url), 'utf8') + '\n---\nbroken: [\n';
  const report = scanText(text, catalogue);
  assert.ok(report.findings.length > 3 && report.coverage.length > 0);
  const rendered = renderJson(report);
  assert.deepEqual(JSON.parse(rendered), JSON.parse(JSON.stringify(report)));
  const lines = rendered.split('\n');
  for (const f of report.findings) assert.ok(lines.includes(`    ${JSON.stringify(f)},`) || lines.includes(`    ${JSON.stringify(f)}`), 'each finding on a line of its own');
  const empty = scanText('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n', []);
  assert.equal(renderJson(empty), JSON.stringify(empty, null, 2) + '\n', 'without findings it is plain pretty JSON');
  // one piece per finding, so memory does not hold the whole text
  assert.ok([...renderJsonChunks(report)].length > report.findings.length);
});
