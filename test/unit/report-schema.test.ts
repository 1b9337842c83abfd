// The published JSON Schema of the report (docs/report.schema.json) is what the code generates,
// and the JSON report of every command that writes one (scan, cluster, node, probe, images)
// validates against it. Probe talks to a loopback HTTP server made here; node reads a host root
// made here; cluster's report is built in-process by the real rules from live-origin objects.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Ajv } from 'ajv';
import { CLI, REPO_ROOT, runCli } from '../helpers/cli.js';
import { runCliAsync } from '../helpers/registry.js';
import { fakeKubeletNode } from '../helpers/fake-node.js';
import { gzip, tarOf, writeOciLayout } from '../helpers/image-fixtures.js';
import { reportSchemaText } from '../../src/report/report-schema.js';
import { renderJson } from '../../src/report/json.js';
import { loadManifests } from '../../src/sources/manifests/source.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { toKubeObject } from '../../src/inventory/objects.js';
import { analyse } from '../../src/core/pipeline.js';
import { EMPTY_CONFIG } from '../../src/core/config.js';
import { REPORT_SCHEMA_VERSION } from '../../src/core/report.js';
import { catalogue } from '../../src/rules/catalogue.js';

const SCHEMA_FILE = join(REPO_ROOT, 'docs/report.schema.json');
const validate = new Ajv({ strict: true, allErrors: true }).compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
const dir = mkdtempSync(join(tmpdir(), 'km-report-schema-'));

function assertValid(json: string, what: string): { schemaVersion: string; findings: unknown[]; suppressed: unknown[]; endpoints?: unknown[] } {
  const report = JSON.parse(json) as { schemaVersion: string; findings: unknown[]; suppressed: unknown[]; endpoints?: unknown[] };
  assert.ok(validate(report), `${what}: ${JSON.stringify(validate.errors, null, 2)}`);
  assert.equal(report.schemaVersion, REPORT_SCHEMA_VERSION);
  return report;
}

test('docs/report.schema.json is the generated schema (npm run schema)', () => {
  assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), reportSchemaText());
});

test('the schema refuses what the report never holds', () => {
  const r = runCli(['scan', 'examples/insecure-cluster', '-f', 'json', '--fail-on', 'never']);
  const report = JSON.parse(r.stdout) as Record<string, unknown> & { findings: Record<string, unknown>[] };
  assert.ok(validate(report));
  assert.equal(validate({ ...report, extra: 1 }), false, 'an unknown top-level key');
  const { fingerprint: _dropped, ...noFingerprint } = report.findings[0];
  assert.equal(validate({ ...report, findings: [noFingerprint] }), false, 'a finding without its fingerprint');
  assert.equal(validate({ ...report, findings: [{ ...report.findings[0], severity: 'urgent' }] }), false, 'an unknown severity');
  assert.equal(validate({ ...report, target: { type: 'manifests' } }), false, 'a target without its paths');
});

test('scan (with suppressions) and a Helm chart', () => {
  const r = runCli(['scan', 'examples/insecure-cluster', '-c', 'examples/kubemoat.yaml', '-f', 'json']);
  assert.equal(r.status, 1, r.stderr);
  const report = assertValid(r.stdout, 'scan');
  assert.ok(report.findings.length > 0 && report.suppressed.length > 0);
  assertValid(runCli(['scan', 'test/fixtures/helm/web', '-f', 'json', '--fail-on', 'never']).stdout, 'scan of a chart');
});

test('cluster', async () => {
  const load = await loadManifests([join(REPO_ROOT, 'examples/insecure-cluster')]);
  const inventory = new Inventory();
  for (const o of load.inventory.objects) inventory.add(toKubeObject(o.raw, { type: 'cluster', context: 'lab' })!);
  const report = analyse(inventory, { type: 'cluster', context: 'lab' }, [{ target: 'secrets', reason: '403 Forbidden', severity: 'error' }], new Date(), { rules: catalogue, config: EMPTY_CONFIG, minimumSeverity: 'low' });
  assert.ok(assertValid(renderJson(report), 'cluster').findings.length > 0);
});

test('probe of a loopback HTTP server', async () => {
  const server = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('not here\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const r = await runCliAsync(CLI, ['probe', `127.0.0.1:${port}`, '-f', 'json', '--no-progress', '--fail-on', 'never']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok((assertValid(r.stdout, 'probe').endpoints ?? []).length === 1, 'the server answered');
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('images of an OCI layout', async () => {
  writeFileSync(join(dir, 'osv.json'), JSON.stringify({ id: 'GHSA-35jh-r3h4-6jhm', modified: new Date().toISOString(), affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }] }));
  assert.equal((await runCliAsync(CLI, ['images', 'db', 'update', '--from', join(dir, 'osv.json'), '--db', join(dir, 'db')])).status, 0);
  writeOciLayout(join(dir, 'oci'), [{ tag: 'app', layers: [{ blob: gzip(tarOf([{ path: 'srv/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.20"}' }])) }] }]);
  const r = await runCliAsync(CLI, ['images', `oci:${join(dir, 'oci')}:app`, '--db', join(dir, 'db'), '--no-save-state', '-f', 'json', '--fail-on', 'never']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(assertValid(r.stdout, 'images').findings.length > 0);
});

test('node, on a host root with an anonymous kubelet', () => {
  const { root } = fakeKubeletNode();
  const r = runCli(['node', '--root', root, '--all-netns', '-f', 'json', '--fail-on', 'never']);
  rmSync(root, { recursive: true, force: true });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(assertValid(r.stdout, 'node').findings.length > 0, 'the anonymous kubelet is found');
});
