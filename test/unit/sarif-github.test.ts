// SARIF that GitHub code scanning accepts, from every kind of evidence: manifests (from a
// subdirectory, a Helm chart directory, `helm template | kubemoat scan -`), live objects, probed
// endpoints; images and node are checked in images-sarif and node-collect. Each file goes through
// the SARIF Multitool with GitHub's rules and through assertCodeScanningReady (a physical location
// with a repository-relative URI and a line for every result). The cluster and probe reports are
// built in-process by the real rules from objects and endpoints: the lab's e2e tests run the
// commands themselves.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { assertCodeScanningReady, readSarifRun, validateSarif, type SarifRun } from '../helpers/sarif.js';
import { loadManifests } from '../../src/sources/manifests/source.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { toKubeObject } from '../../src/inventory/objects.js';
import { analyse } from '../../src/core/pipeline.js';
import { EMPTY_CONFIG } from '../../src/core/config.js';
import { buildReport, type Report } from '../../src/core/report.js';
import { severityRank } from '../../src/core/finding.js';
import { catalogue } from '../../src/rules/catalogue.js';
import { probeRules } from '../../src/probe/rules/index.js';
import { runProbeRules } from '../../src/probe/rule.js';
import { renderSarif, syntheticUri } from '../../src/report/sarif.js';
import type { Rule } from '../../src/core/rule.js';

const dir = mkdtempSync(join(tmpdir(), 'km-sarif-gh-'));
const CHART = 'test/fixtures/helm/web';

function validated(name: string, text: string, base: '%SRCROOT%' | undefined): SarifRun {
  const file = join(dir, name);
  writeFileSync(file, text);
  assert.deepEqual(validateSarif(file), [], `${name} passes the SARIF and GitHub rules`);
  const run = readSarifRun(file);
  assertCodeScanningReady(run, base);
  return run;
}

function uris(run: SarifRun): string[] {
  return [...new Set(run.results.map((r) => r.locations[0].physicalLocation!.artifactLocation.uri))].sort();
}

test('scan from a subdirectory: URIs are relative to the repository root, not to the working directory', () => {
  const r = runCli(['scan', '../examples/insecure-cluster', '-f', 'sarif', '--fail-on', 'never'], { cwd: join(REPO_ROOT, 'test') });
  assert.equal(r.status, 0, r.stderr);
  const run = validated('subdir.sarif', r.stdout, '%SRCROOT%');
  assert.ok(uris(run).every((u) => u.startsWith('examples/insecure-cluster/')), uris(run).join(' '));
  assert.equal(run.originalUriBaseIds?.['%SRCROOT%'].uri, `file://${REPO_ROOT.replace(/\/?$/, '/')}`);
});

test('a Helm chart directory: rendered, each finding in its template file', () => {
  const r = runCli(['scan', CHART, '-f', 'sarif', '--fail-on', 'never']);
  assert.equal(r.status, 0, r.stderr);
  const run = validated('chart.sarif', r.stdout, '%SRCROOT%');
  const templates = [`${CHART}/templates/deployment.yaml`, `${CHART}/templates/service.yaml`];
  assert.ok(uris(run).every((u) => templates.includes(u)), uris(run).join(' '));
  const privileged = run.results.find((x) => x.ruleId === 'KM-WL-001');
  assert.equal(privileged?.locations[0].physicalLocation?.artifactLocation.uri, `${CHART}/templates/deployment.yaml`);
  assert.equal(privileged?.locations[0].physicalLocation?.region?.startLine, 21, 'the `privileged:` line of the template');
});

test('helm template | kubemoat scan -: findings are placed by the # Source: comments, never on <stdin>', () => {
  const rendered = spawnSync('helm', ['template', 'shop', 'web'], { cwd: join(REPO_ROOT, 'test/fixtures/helm'), encoding: 'utf8' });
  assert.equal(rendered.status, 0, rendered.stderr);
  const r = runCli(['scan', '-', '-f', 'sarif', '--fail-on', 'never'], { cwd: join(REPO_ROOT, 'test/fixtures/helm'), input: rendered.stdout });
  assert.equal(r.status, 0, r.stderr);
  const run = validated('stdin.sarif', r.stdout, '%SRCROOT%');
  assert.ok(uris(run).length > 0);
  assert.ok(uris(run).every((u) => u.startsWith(`${CHART}/templates/`)), uris(run).join(' '));
  const json = runCli(['scan', '-', '-f', 'json', '--fail-on', 'never'], { cwd: join(REPO_ROOT, 'test/fixtures/helm'), input: rendered.stdout });
  const files = new Set((JSON.parse(json.stdout) as Report).findings.map((f) => f.location?.file));
  assert.ok([...files].every((f) => f === 'web/templates/deployment.yaml' || f === 'web/templates/service.yaml'), [...files].join(' '));
});

async function liveReport(): Promise<Report> {
  const load = await loadManifests([join(REPO_ROOT, 'examples/insecure-cluster')]);
  const inventory = new Inventory();
  for (const o of load.inventory.objects) inventory.add(toKubeObject(o.raw, { type: 'cluster', context: 'lab' })!);
  return analyse(inventory, { type: 'cluster', context: 'lab' }, [{ target: 'secrets', reason: '403 Forbidden', severity: 'warning' }], new Date(), { rules: catalogue, config: EMPTY_CONFIG, minimumSeverity: 'info' });
}

test('live objects: each result at cluster/<namespace>/<kind>/<name> (line 1), with its logical location', async () => {
  const report = await liveReport();
  assert.ok(report.findings.length > 10);
  assert.ok(report.findings.every((f) => f.location === undefined), 'live objects are in no file');
  const run = validated('cluster.sarif', renderSarif(report, catalogue), undefined);
  assert.equal(run.results.length, report.findings.length);
  for (const result of run.results) {
    const uri = result.locations[0].physicalLocation!.artifactLocation.uri;
    assert.match(uri, /^cluster\/([a-z0-9-]+|_cluster)\/[A-Za-z]+\/[^/]+$/);
    assert.ok(result.locations[0].logicalLocations?.length === 1, 'the logical location is kept');
  }
  assert.ok(uris(run).some((u) => u.startsWith('cluster/_cluster/ClusterRoleBinding/')), 'cluster-scoped objects under _cluster');
  // a coverage gap of a live cluster is named, not placed in a file
  assert.deepEqual(run.invocations[0].toolExecutionNotifications[0].locations, [{ logicalLocations: [{ name: 'secrets', kind: 'resource' }] }]);
});

test('probed endpoints: each result at probe/<host>/<port>', () => {
  const endpoints = probeRules.flatMap((r) => r.examples.fail);
  const run = runProbeRules(endpoints, probeRules);
  assert.deepEqual(run.errors, []);
  const report = buildReport({ startedAt: new Date(), target: { type: 'network', targets: ['127.0.0.1'] }, findings: run.findings, coverage: [], minimumSeverity: 'info', resources: endpoints.length });
  const sarif = validated('probe.sarif', renderSarif(report, probeRules), undefined);
  assert.equal(sarif.results.length, run.findings.length);
  assert.ok(sarif.results.length >= probeRules.length, 'every rule fails on its own example');
  for (const result of sarif.results) assert.match(result.locations[0].physicalLocation!.artifactLocation.uri, /^probe\/[^/]+\/\d+(\/|$)/);
});

test('synthetic URIs encode what is not a path character (IPv6 hosts, image references)', () => {
  const base = { ruleId: 'KM-EX-001', severity: 'high' as const, title: 't', message: 'm', remediation: 'r', references: [], frameworks: {}, fingerprint: '0' };
  assert.equal(syntheticUri({ ...base, endpoint: { host: '::1', port: 10250 } }, { type: 'network', targets: [] }), 'probe/%3A%3A1/10250');
  assert.equal(syntheticUri({ ...base, endpoint: { url: 'https://[fd00::1]:6443/api' } }, { type: 'network', targets: [] }), 'probe/%5Bfd00%3A%3A1%5D/6443/api');
  assert.equal(syntheticUri({ ...base, resource: { apiVersion: 'v1', kind: 'Image', name: 'oci:/tmp/l:v1' } }, { type: 'images', images: [], source: 'arguments' }), 'images/Image/oci%3A/tmp/l%3Av1');
  assert.equal(syntheticUri({ ...base, resource: { apiVersion: 'node.kubemoat.io/v1alpha1', kind: 'NodeFile', name: '/etc/kubernetes/admin.conf' } }, { type: 'node', root: '/' }), 'node/NodeFile/etc/kubernetes/admin.conf');
});

test('more results than code scanning accepts: the worst are kept, and the run says how many were left out', async () => {
  const report = await liveReport();
  const max = 7;
  assert.ok(report.findings.length > max);
  const run = validated('limited.sarif', renderSarif(report, catalogue, { maxResults: max }), undefined);
  assert.equal(run.results.length, max);
  const severityOf = new Map(report.findings.map((f) => [f.fingerprint, severityRank(f.severity)]));
  const kept = new Set(run.results.map((r) => r.partialFingerprints['kubemoat/v1']));
  const keptLeast = Math.min(...[...kept].map((fp) => severityOf.get(fp)!));
  const omitted = report.findings.filter((f) => !kept.has(f.fingerprint));
  assert.equal(omitted.length, report.findings.length - max);
  assert.ok(omitted.every((f) => severityRank(f.severity) <= keptLeast), 'nothing left out is more severe than what was kept');
  assert.deepEqual(run.properties, { resultsOmitted: report.findings.length - max, resultsTotal: report.findings.length, resultsLimit: max });
  assert.match(run.invocations[0].toolExecutionNotifications.at(-1)!.message.text, new RegExp(`^${max} of ${report.findings.length} results kept, the most severe`));
});

test('a rule with more than 20 framework tags carries the first 20', () => {
  const [rule] = catalogue;
  const tagged: Rule = { ...rule, meta: { ...rule.meta, frameworks: { cis: Array.from({ length: 30 }, (_, i) => `5.${i}`) } } };
  const report = buildReport({ startedAt: new Date(), target: { type: 'manifests', paths: [] }, findings: [], coverage: [], minimumSeverity: 'info', resources: 0 });
  const run = JSON.parse(renderSarif(report, [tagged])).runs[0] as SarifRun;
  const tags = run.tool.driver.rules[0].properties.tags;
  assert.equal(tags.length, 20);
  assert.deepEqual(tags.slice(0, 4), ['security', 'kubernetes', rule.meta.door, 'CIS-5.0']);
});
