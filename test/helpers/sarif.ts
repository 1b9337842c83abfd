// SARIF checks shared by the tests of every command: Microsoft's SARIF Multitool validator with the
// SARIF and GitHub ingestion rule sets, and what code scanning needs of each result beyond the
// schema (a physical location with a repository-relative URI and a line, rule limits, help links).
// The validator tries to fetch URIs it finds, so it runs in a network namespace of its own with no
// interfaces up: nothing leaves the machine.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';

const VALIDATOR = join(REPO_ROOT, 'node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool');

/** The validator's errors and warnings for a SARIF file (empty: valid). */
export function validateSarif(file: string): string[] {
  const out = `${file}.validation.sarif`;
  const r = spawnSync('unshare', ['--net', VALIDATOR, 'validate', file, '-o', out, '--log', 'ForceOverwrite', '--rule-kind', 'Gh;Sarif', '--level', 'Error;Warning'], { encoding: 'utf8' });
  assert.equal(r.error, undefined, `validator did not start: ${r.error?.message}`);
  assert.equal(r.status, 0, `validator failed: ${r.stdout}\n${r.stderr}`);
  return r.stdout.split('\n').filter((l) => / (error|warning) [A-Z]+\d+/.test(l));
}

export interface SarifLocation {
  physicalLocation?: { artifactLocation: { uri: string; uriBaseId?: string }; region?: { startLine: number; startColumn?: number } };
  logicalLocations?: { name: string; fullyQualifiedName?: string; kind: string }[];
}

export interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: string;
  message: { text: string };
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  suppressions?: unknown[];
}

export interface SarifRun {
  tool: { driver: { rules: { id: string; helpUri?: string; properties: { tags: string[] } }[] } };
  results: SarifResult[];
  invocations: { executionSuccessful: boolean; toolExecutionNotifications: { level: string; message: { text: string }; locations?: SarifLocation[] }[] }[];
  originalUriBaseIds?: Record<string, { uri: string }>;
  properties?: Record<string, number>;
}

const RULES_DOC_ANCHORS = new Set([...readFileSync(join(REPO_ROOT, 'docs/rules.md'), 'utf8').matchAll(/^## (KM-[A-Z]+-\d+)$/gm)].map((m) => m[1].toLowerCase()));

/**
 * What code scanning needs of a run: every result placed at a repository-relative URI (no `../`,
 * no scheme, no encoded `<stdin>`) and a line ≥ 1; at most 25,000 results; at most 20 tags per
 * rule; each rule's help at its own entry of docs/rules.md.
 */
export function assertCodeScanningReady(run: SarifRun, uriBaseId: '%SRCROOT%' | undefined): void {
  assert.ok(run.results.length <= 25_000, `${run.results.length} results`);
  for (const rule of run.tool.driver.rules) {
    assert.ok(rule.properties.tags.length <= 20, `${rule.id}: ${rule.properties.tags.length} tags`);
    const anchor = /\/docs\/rules\.md#(km-[a-z]+-\d+)$/.exec(rule.helpUri ?? '');
    assert.ok(anchor && anchor[1] === rule.id.toLowerCase(), `${rule.id}: helpUri ${rule.helpUri} is its own entry`);
    assert.ok(RULES_DOC_ANCHORS.has(anchor[1]), `docs/rules.md has a heading for ${rule.id}`);
  }
  for (const result of run.results) {
    const physical = result.locations[0]?.physicalLocation;
    assert.ok(physical, `${result.ruleId}: a physical location`);
    const uri = physical.artifactLocation.uri;
    assert.doesNotMatch(uri, /^(\.\.\/|\/|[a-z][a-z0-9+.-]*:)|%3C/i, `${result.ruleId}: ${uri} is repository-relative`);
    assert.doesNotThrow(() => new URL(uri, 'file:///repo/'), `${uri} is a URI reference`);
    assert.equal(physical.artifactLocation.uriBaseId, uriBaseId, `${result.ruleId}: ${uri} base`);
    assert.ok(Number.isInteger(physical.region?.startLine) && (physical.region?.startLine ?? 0) >= 1, `${result.ruleId}: ${uri} has a start line`);
  }
  if (uriBaseId !== undefined) assert.match(run.originalUriBaseIds?.[uriBaseId]?.uri ?? '', /^file:\/\/\/.*\/$/);
}

export function readSarifRun(file: string): SarifRun {
  const log = JSON.parse(readFileSync(file, 'utf8')) as { version: string; runs: SarifRun[] };
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs.length, 1);
  return log.runs[0];
}
