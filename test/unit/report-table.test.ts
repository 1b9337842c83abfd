// The terminal table fits its width (the terminal's, $COLUMNS, or 80), keeps rule id and location
// on a line of their own, and ends with the findings per rule, whose counts are the findings'.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { countByRule, visibleWidth, wrapText } from '../../src/report/table.js';
import { tableWidth } from '../../src/cli/output.js';
import { SEVERITIES, type Finding } from '../../src/core/finding.js';
import type { Report } from '../../src/core/report.js';

const EXAMPLE = ['scan', 'examples/insecure-cluster', '-c', 'examples/kubemoat.yaml', '--fail-on', 'never'];
const ANSI = /\x1b\[[0-9;]*m/g;

/** Terminal columns of a line: escape sequences take none, each code point one (the example has no wide characters). */
const columns = (line: string): number => [...line.replace(ANSI, '')].length;

test('wrapText breaks at spaces within the width, cuts a word longer than a line, indents every line after the first', () => {
  const lines = wrapText('the quick brown fox jumps over the lazy dog', 16, '    ', 'fix: ');
  assert.deepEqual(lines, ['fix: the quick', '    brown fox', '    jumps over', '    the lazy dog']);
  const url = wrapText(`see https://example.com/${'x'.repeat(30)} now`, 20, '  ');
  assert.ok(url.every((l) => l.length <= 20), url.join('|'));
  assert.equal(url.join('').replace(/ /g, ''), `seehttps://example.com/${'x'.repeat(30)}now`, 'nothing is lost when a word is cut');
  assert.deepEqual(wrapText('', 20, '  ', '> '), ['> ']);
  assert.equal(visibleWidth('\x1b[1;31mHIGH\x1b[0m'), 4);
});

test('the width: the terminal when stdout is one, else $COLUMNS, else 80', () => {
  assert.equal(tableWidth(undefined, {}, { isTTY: true, columns: 132 }), 132);
  assert.equal(tableWidth(undefined, { COLUMNS: '100' }, { isTTY: false }), 100);
  assert.equal(tableWidth(undefined, {}, { isTTY: false }), 80);
  assert.equal(tableWidth(undefined, { COLUMNS: 'wide' }, {}), 80, 'a $COLUMNS that is no number is ignored');
  assert.equal(tableWidth('report.txt', { COLUMNS: '90' }, { isTTY: true, columns: 200 }), 90, 'a file is not the terminal');
});

for (const width of [80, 60]) {
  test(`the bundled example at COLUMNS=${width}, in colour: no line wider than ${width} columns`, () => {
    const r = runCli(EXAMPLE, { env: { COLUMNS: String(width), NO_COLOR: '', FORCE_COLOR: '1' } });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes('\x1b['), 'coloured');
    const wide = r.stdout.split('\n').filter((l) => columns(l) > width);
    assert.deepEqual(wide, [], `${wide.length} lines wider than ${width}`);
  });
}

test('each finding has its severity, rule id and location on one line, its message below', () => {
  const r = runCli(['scan', 'examples/insecure-cluster/node-agent.yaml', '--fail-on', 'never'], { env: { COLUMNS: '80' } });
  assert.match(r.stdout, /^ {2}CRITICAL KM-WL-001 {2}examples\/insecure-cluster\/node-agent\.yaml:\d+:\d+\n {11}container `\w+` in DaemonSet monitoring\/node-agent/m);
});

test('findings by rule: one row per rule and severity, worst first then most findings, counts equal to the findings', () => {
  const json = JSON.parse(runCli([...EXAMPLE, '-f', 'json']).stdout) as Report;
  const table = runCli(EXAMPLE, { env: { COLUMNS: '80' } }).stdout;
  const section = table.slice(table.indexOf('\nFindings by rule\n'));
  assert.ok(section.length > 0, 'the table has the summary');
  const rows = [...section.matchAll(/^ {2}([A-Z]+) +(KM-[A-Z]{2}-\d{3}) +(\d+) {2}(.+)$/gm)].map((m) => ({ severity: m[1].toLowerCase(), ruleId: m[2], count: Number(m[3]), title: m[4] }));
  const expected = new Map<string, number>();
  for (const f of json.findings) expected.set(`${f.ruleId} ${f.severity}`, (expected.get(`${f.ruleId} ${f.severity}`) ?? 0) + 1);
  assert.deepEqual(new Map(rows.map((r) => [`${r.ruleId} ${r.severity}`, r.count])), expected);
  assert.equal(rows.reduce((n, r) => n + r.count, 0), json.findings.length);
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1], rows[i]];
    const order = SEVERITIES.indexOf(b.severity as Finding['severity']) - SEVERITIES.indexOf(a.severity as Finding['severity']);
    assert.ok(order < 0 || (order === 0 && a.count >= b.count), `${a.ruleId} before ${b.ruleId}`);
  }
});

test('countByRule keeps one row per rule and severity', () => {
  const f = (ruleId: string, severity: Finding['severity']): Finding => ({ ruleId, severity, title: ruleId, message: '', remediation: '', references: [], frameworks: {}, fingerprint: '0'.repeat(16) });
  assert.deepEqual(countByRule([f('KM-WL-009', 'low'), f('KM-WL-001', 'critical'), f('KM-WL-009', 'high'), f('KM-WL-009', 'low')]).map((r) => `${r.ruleId}:${r.severity}:${r.count}`), ['KM-WL-001:critical:1', 'KM-WL-009:high:1', 'KM-WL-009:low:2']);
});
