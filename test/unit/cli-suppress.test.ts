// Suppressions in `.kubemoat.yaml` through the CLI, as a user meets them: a mistake stops the scan
// with exit 2 and one line naming the file and line (never a stack trace, never a widened
// suppression); rule globs and paths suppress exactly what they match, and every suppressed finding
// is still counted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import type { Report } from '../../src/core/report.js';
import type { Finding } from '../../src/core/finding.js';

const EXAMPLES = 'examples/insecure-cluster';

function privilegedPod(name: string, namespace: string): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  containers:
    - name: c
      image: busybox:1.36
      securityContext: {privileged: true}
`;
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'kubemoat-suppress-'));
}

function scanJson(args: string[], cwd?: string): Report {
  const r = runCli(['scan', ...args, '-f', 'json', '--fail-on', 'never'], cwd === undefined ? {} : { cwd });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

/** A finding's identity across two runs of the same input. */
const key = (f: Finding): string => f.fingerprint;

/** 1-based `line:column` of the first `needle` in `text`. */
function positionOf(text: string, needle: string): string {
  const before = text.slice(0, text.indexOf(needle)).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

const MISTAKES: { name: string; text: string; at: string }[] = [
  { name: 'namespace beside rule (the measured widening)', text: 'ignore:\n  - {rule: KM-WL-013, namespace: billing, reason: "billing needs it"}\n', at: 'namespace' },
  { name: 'an unknown key in an entry', text: 'ignore:\n  - rule: KM-WL-001\n    reason: r\n    until: 2027-01-01\n', at: 'until' },
  { name: 'an unknown rule id', text: 'ignore:\n  - rule: KM-WL-999\n    reason: r\n', at: 'KM-WL-999' },
  { name: 'a glob that matches no rule', text: 'ignore:\n  - rule: KM-QQ-*\n    reason: r\n', at: 'KM-QQ' },
  { name: 'every rule everywhere', text: "ignore:\n  - rule: '*'\n    reason: r\n", at: 'rule' },
  { name: 'a string where a list belongs', text: 'trustedRegistries: registry.example.com\n', at: 'registry' },
  { name: 'a bad expiry date', text: 'ignore:\n  - rule: KM-WL-001\n    reason: r\n    expires: 2027-13-01\n', at: '2027-13-01' },
  { name: 'no reason', text: 'ignore:\n  - rule: KM-WL-001\n    resource: {namespace: ns}\n', at: 'rule' },
];

for (const m of MISTAKES) {
  test(`a config mistake is exit 2 at its line, and nothing is scanned: ${m.name}`, () => {
    const dir = tmp();
    const config = join(dir, 'kubemoat.yaml');
    writeFileSync(config, m.text);
    const r = runCli(['scan', EXAMPLES, '-c', config, '-f', 'json']);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '', 'no report built on a config that was not understood');
    assert.ok(r.stderr.startsWith(`kubemoat: ${config}:${positionOf(m.text, m.at)}: `), r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, 'one line');
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, 'no stack trace');
  });
}

test('the widening mistake, written as meant, suppresses only that namespace', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'pods.yaml'), `${privilegedPod('a', 'billing')}---\n${privilegedPod('a', 'shop')}`);
  writeFileSync(join(dir, 'k.yaml'), 'ignore:\n  - {rule: KM-WL-001, resource: {namespace: billing}, reason: "billing needs it"}\n');
  const report = scanJson([join(dir, 'pods.yaml'), '-c', join(dir, 'k.yaml')]);
  assert.deepEqual(report.suppressed.filter((f) => f.ruleId === 'KM-WL-001').map((f) => f.resource?.namespace), ['billing']);
  assert.deepEqual(report.findings.filter((f) => f.ruleId === 'KM-WL-001').map((f) => f.resource?.namespace), ['shop']);
});

test('a rule glob suppresses exactly the rules of its group, and each is counted', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'k.yaml'), 'ignore:\n  - rule: KM-WL-*\n    reason: workload rules are reviewed elsewhere\n');
  const baseline = scanJson([EXAMPLES]);
  const globbed = scanJson([EXAMPLES, '-c', join(dir, 'k.yaml')]);
  const workload = baseline.findings.filter((f) => f.ruleId.startsWith('KM-WL-'));
  assert.ok(workload.length > 0 && workload.length < baseline.findings.length, 'the example has workload findings and others');
  assert.deepEqual(globbed.suppressed.map(key).sort(), workload.map(key).sort());
  assert.deepEqual(globbed.findings.map(key).sort(), baseline.findings.filter((f) => !f.ruleId.startsWith('KM-WL-')).map(key).sort());
  assert.equal(globbed.summary.suppressed, workload.length);
  assert.equal(globbed.summary.total + globbed.summary.suppressed, baseline.summary.total, 'nothing dropped');
});

test('paths suppress findings of the files they match, relative to the config file, whatever the working directory', () => {
  const root = tmp();
  const repo = join(root, 'repo');
  mkdirSync(join(repo, 'k8s', 'dev'), { recursive: true });
  mkdirSync(join(repo, 'k8s', 'prod'), { recursive: true });
  writeFileSync(join(repo, 'k8s', 'dev', 'pod.yaml'), privilegedPod('dev-pod', 'dev'));
  writeFileSync(join(repo, 'k8s', 'prod', 'pod.yaml'), privilegedPod('prod-pod', 'prod'));
  writeFileSync(join(repo, '.kubemoat.yaml'), "ignore:\n  - rule: '*'\n    paths: [k8s/dev/]\n    reason: dev manifests are throwaway\n");
  const runs = [
    scanJson(['k8s'], repo),
    scanJson(['repo/k8s', '-c', 'repo/.kubemoat.yaml'], root),
    scanJson([join(repo, 'k8s'), '-c', join(repo, '.kubemoat.yaml')]),
  ];
  for (const report of runs) {
    assert.ok(report.suppressed.length > 0);
    const inDev = (f: Finding): boolean => /k8s\/dev\/pod\.yaml$/.test(f.location?.file ?? '');
    assert.ok(report.suppressed.every(inDev), 'only the dev file is suppressed');
    assert.ok(report.suppressed.some((f) => f.ruleId === 'KM-WL-001' && f.resource?.name === 'dev-pod'));
    assert.ok(report.findings.some((f) => f.ruleId === 'KM-WL-001' && f.resource?.name === 'prod-pod'));
    assert.ok(!report.findings.some(inDev), 'every rule of the dev file');
    assert.equal(report.summary.suppressed, report.suppressed.length);
  }
});

test('paths never match stdin', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'k.yaml'), "ignore:\n  - rule: KM-WL-001\n    paths: ['**']\n    reason: r\n");
  const r = runCli(['scan', '-', '-f', 'json', '--fail-on', 'never', '-c', join(dir, 'k.yaml')], { input: privilegedPod('p', 'ns') });
  const report = JSON.parse(r.stdout) as Report;
  assert.ok(report.findings.some((f) => f.ruleId === 'KM-WL-001'));
  assert.equal(report.summary.suppressed, 0);
});
