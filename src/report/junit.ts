// JUnit XML: one test suite per rule that ran, one failing test case per finding, so CI systems
// that only understand test reports still show each door found.

import type { Report } from '../core/report.js';
import type { Rule } from '../core/rule.js';

function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    // XML 1.0 forbids most control characters even when escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

export function renderJunit(report: Report, rules: readonly Pick<Rule, 'meta'>[]): string {
  const suites: string[] = [];
  let tests = 0;
  let skipped = 0;
  for (const rule of rules) {
    const findings = report.findings.filter((f) => f.ruleId === rule.meta.id);
    const suppressed = report.suppressed.filter((f) => f.ruleId === rule.meta.id);
    const suiteTests = Math.max(1, findings.length) + suppressed.length;
    tests += suiteTests;
    skipped += suppressed.length;
    suites.push(`  <testsuite name="${esc(`${rule.meta.id} ${rule.meta.title}`)}" tests="${suiteTests}" failures="${findings.length}" skipped="${suppressed.length}">`);
    if (findings.length === 0) suites.push(`    <testcase classname="${esc(rule.meta.id)}" name="${esc(rule.meta.title)}"/>`);
    for (const f of findings) {
      const loc = f.location ? `${f.location.file}:${f.location.line}:${f.location.column}` : '';
      suites.push(`    <testcase classname="${esc(rule.meta.id)}" name="${esc(f.message)}"${f.location ? ` file="${esc(f.location.file)}" line="${f.location.line}"` : ''}>`);
      suites.push(`      <failure type="${f.severity}" message="${esc(f.message)}">${esc([`${f.severity.toUpperCase()} ${f.ruleId}: ${f.title}`, loc && `at ${loc}`, f.evidence && `evidence: ${f.evidence}`, `fix: ${f.remediation}`].filter(Boolean).join('\n'))}</failure>`);
      suites.push('    </testcase>');
    }
    for (const f of suppressed) {
      suites.push(`    <testcase classname="${esc(rule.meta.id)}" name="${esc(f.message)}"><skipped message="${esc(`suppressed: ${f.suppressed?.reason ?? ''}`)}"/></testcase>`);
    }
    suites.push('  </testsuite>');
  }
  // the root counts what its suites hold: one test case per finding, per suppressed finding, per clean rule
  const failures = report.findings.filter((f) => rules.some((r) => r.meta.id === f.ruleId)).length;
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="kubemoat" tests="${tests}" failures="${failures}" skipped="${skipped}">`, ...suites, '</testsuites>'].join('\n') + '\n';
}
