import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import type { Report } from '../../src/core/report.js';

const PRIVILEGED_POD = `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ns}
spec:
  containers:
    - name: c
      image: busybox:1.36
      securityContext: {privileged: true}
`;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'kubemoat-cli-'));
}

test('exit code 1 when a finding is at or above --fail-on, 0 below it, 0 with never', () => {
  assert.equal(runCli(['scan', '-', '-f', 'json'], { input: PRIVILEGED_POD }).status, 1);
  assert.equal(runCli(['scan', '-', '-f', 'json', '--fail-on', 'never'], { input: PRIVILEGED_POD }).status, 0);
  const benign = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n`;
  assert.equal(runCli(['scan', '-', '-f', 'json'], { input: benign }).status, 0);
});

test('exit code 2 on bad usage, a missing path, or an unreadable config; the rest is still scanned', () => {
  assert.equal(runCli(['scan']).status, 2);
  assert.equal(runCli(['scan', '-', '--format', 'xml'], { input: PRIVILEGED_POD }).status, 2);
  const dir = tmp();
  writeFileSync(join(dir, 'pod.yaml'), PRIVILEGED_POD);
  const r = runCli(['scan', join(dir, 'pod.yaml'), join(dir, 'missing.yaml'), '-f', 'json']);
  assert.equal(r.status, 2);
  const report = JSON.parse(r.stdout) as Report;
  assert.ok(report.findings.some((f) => f.ruleId === 'KM-WL-001'), 'the readable file was scanned');
  assert.match(r.stderr, /missing\.yaml: cannot read: no such file or directory/);
  writeFileSync(join(dir, 'bad-config.yaml'), 'ignore:\n  - rule: KM-WL-001\n');
  const c = runCli(['scan', join(dir, 'pod.yaml'), '-c', join(dir, 'bad-config.yaml')]);
  assert.equal(c.status, 2);
  assert.match(c.stderr, /bad-config\.yaml:2:5: ignore\[0\] needs a `reason`/);
});

test('the JSON report follows the contract', () => {
  const r = runCli(['scan', '-', '-f', 'json'], { input: PRIVILEGED_POD });
  const report = JSON.parse(r.stdout) as Report;
  assert.equal(report.tool, 'kubemoat');
  assert.ok(!Number.isNaN(Date.parse(report.startedAt)));
  assert.deepEqual(report.target, { type: 'manifests', paths: ['-'] });
  const f = report.findings.find((x) => x.ruleId === 'KM-WL-001')!;
  assert.deepEqual(f.resource, { apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: 'p', container: 'c' });
  assert.deepEqual(f.location, { file: '<stdin>', line: 8, column: 25 }, 'the privileged key inside the flow mapping');
  assert.equal(f.severity, 'critical');
  assert.equal(f.message, 'container `c` in Pod ns/p runs privileged');
  assert.deepEqual(f.frameworks.cis, ['5.2.2']);
  assert.ok(f.remediation.length > 0 && f.references.length > 0);
  assert.equal(report.summary.total, report.findings.length);
  assert.equal(report.summary.resources, 1);
  assert.deepEqual(report.coverage, []);
});

test('--severity hides lower findings but counts them; --output writes a file', () => {
  const dir = tmp();
  const out = join(dir, 'r.json');
  const r = runCli(['scan', '-', '-f', 'json', '--severity', 'critical', '-o', out], { input: PRIVILEGED_POD });
  assert.equal(r.stdout, '');
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  assert.ok(report.findings.every((f) => f.severity === 'critical'));
  assert.ok(report.summary.belowThreshold > 0);
});

test('suppressions by annotation and by config are counted, not dropped; an expired one no longer applies', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'pod.yaml'), PRIVILEGED_POD);
  writeFileSync(join(dir, 'k.yaml'), `ignore:
  - rule: KM-WL-001
    resource: {kind: Pod, namespace: ns, name: "p*"}
    reason: break-glass debugging pod
    expires: 2999-01-01
`);
  const r = runCli(['scan', join(dir, 'pod.yaml'), '-f', 'json', '-c', join(dir, 'k.yaml')]);
  const report = JSON.parse(r.stdout) as Report;
  assert.ok(!report.findings.some((f) => f.ruleId === 'KM-WL-001'));
  const s = report.suppressed.find((f) => f.ruleId === 'KM-WL-001');
  assert.deepEqual(s?.suppressed, { by: 'config', reason: 'break-glass debugging pod', expires: '2999-01-01' });
  assert.equal(report.summary.suppressed, report.suppressed.length);

  writeFileSync(join(dir, 'k.yaml'), `ignore:\n  - {rule: KM-WL-001, reason: old, expires: 2020-01-01}\n`);
  const expired = JSON.parse(runCli(['scan', join(dir, 'pod.yaml'), '-f', 'json', '-c', join(dir, 'k.yaml')]).stdout) as Report;
  assert.ok(expired.findings.some((f) => f.ruleId === 'KM-WL-001'));
  assert.ok(expired.coverage.some((c) => /expired on 2020-01-01/.test(c.reason)));
});

test('.kubemoat.yaml in the working directory is picked up', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'pod.yaml'), PRIVILEGED_POD);
  writeFileSync(join(dir, '.kubemoat.yaml'), `ignore:\n  - {rule: KM-WL-001, reason: lab}\n`);
  const report = JSON.parse(runCli(['scan', 'pod.yaml', '-f', 'json'], { cwd: dir }).stdout) as Report;
  assert.equal(report.suppressed.filter((f) => f.ruleId === 'KM-WL-001').length, 1);
});

test('the table groups findings by resource and names file and line; no colour when not a TTY', () => {
  const r = runCli(['scan', 'examples/insecure-cluster', '-c', 'examples/kubemoat.yaml']);
  assert.equal(r.status, 1);
  assert.ok(!r.stdout.includes('\x1b['), 'no ANSI codes');
  assert.match(r.stdout, /^DaemonSet monitoring\/node-agent {2}examples\/insecure-cluster\/node-agent\.yaml$/m);
  assert.match(r.stdout, /^ {2}[A-Z]+ +KM-[A-Z]{2}-\d{3} {2}examples\/insecure-cluster\/node-agent\.yaml:23:13$/m, 'rule id and location on a line of their own');
  assert.match(r.stdout, /\d+ findings \(.*critical.*\) in \d+ resources from 6\s+files/);
  const coloured = runCli(['scan', 'examples/insecure-cluster'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
  assert.ok(coloured.stdout.includes('\x1b['));
});

test('JUnit output is well-formed XML with one failure per finding', () => {
  const r = runCli(['scan', '-', '-f', 'junit'], { input: PRIVILEGED_POD });
  const py = spawnSync('python3', ['-c', `import sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read())
print(root.tag, root.get('failures'), len(root.findall('.//failure')))`], { input: r.stdout, encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const [tag, failures, count] = py.stdout.trim().split(' ');
  assert.equal(tag, 'testsuites');
  assert.equal(failures, count);
  const report = JSON.parse(runCli(['scan', '-', '-f', 'json'], { input: PRIVILEGED_POD }).stdout) as Report;
  assert.equal(Number(count), report.findings.length);
});

test('rules lists the catalogue and explains one rule; an unknown id is a usage error', () => {
  const list = runCli(['rules']);
  assert.equal(list.status, 0);
  assert.match(list.stdout, /^KM-WL-001\s+critical\s+workload\s+Privileged container$/m);
  const one = runCli(['rules', 'km-wl-001']);
  assert.equal(one.status, 0);
  assert.match(one.stdout, /How to fix: /);
  assert.match(one.stdout, /CIS 5\.2\.2/);
  const unknown = runCli(['rules', 'KM-XX-999']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /no rule KM-XX-999/);
});

test('docs/rules.md is generated from the catalogue and up to date', () => {
  const generated = runCli(['rules', '--format', 'markdown']).stdout;
  const committed = readFileSync(new URL('../../../docs/rules.md', import.meta.url), 'utf8');
  assert.equal(committed, generated, 'run: node dist/src/cli/main.js rules --format markdown > docs/rules.md');
});

test('--threads: the same report from parse workers as from the main thread; a bad value is bad usage', () => {
  const dir = tmp();
  for (let i = 0; i < 60; i++) writeFileSync(join(dir, `pod-${String(i).padStart(2, '0')}.yaml`), PRIVILEGED_POD.replace('name: p,', `name: p${i},`));
  writeFileSync(join(dir, 'broken.yaml'), 'kind: [\n');
  const reports = ['0', '1', '3'].map((threads) => {
    const r = runCli(['scan', dir, '-f', 'json', '--fail-on', 'never', '--threads', threads]);
    assert.equal(r.status, 2, 'the broken file makes the scan incomplete');
    const { startedAt: _startedAt, ...report } = JSON.parse(r.stdout) as Report;
    return report;
  });
  assert.equal(reports[0].findings.filter((f) => f.ruleId === 'KM-WL-001').length, 60);
  assert.deepEqual(reports[1], reports[0]);
  assert.deepEqual(reports[2], reports[0]);
  assert.equal(runCli(['scan', dir, '--threads', 'many']).status, 2);
  assert.equal(runCli(['scan', dir, '--threads', '-1']).status, 2);
});
