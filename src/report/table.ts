// The terminal report: findings grouped by resource, most severe first, with where and how to fix.

import type { Finding, Severity } from '../core/finding.js';
import type { Report } from '../core/report.js';
import { SEVERITIES, subjectOf } from '../core/finding.js';

export interface TableOptions {
  colour: boolean;
}

const COLOURS: Record<Severity, string> = {
  critical: '\x1b[1;97;41m',
  high: '\x1b[1;31m',
  medium: '\x1b[33m',
  low: '\x1b[36m',
  info: '\x1b[2m',
};
const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

function where(f: Finding): string {
  if (f.location) return `${f.location.file}:${f.location.line}:${f.location.column}`;
  if (f.endpoint) return 'url' in f.endpoint ? f.endpoint.url : `${f.endpoint.host}:${f.endpoint.port}`;
  return '';
}

export function renderTable(report: Report, options: TableOptions): string {
  const paint = (code: string, s: string): string => (options.colour ? `${code}${s}${RESET}` : s);
  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const k = subjectOf(f);
    let list = groups.get(k);
    if (list === undefined) groups.set(k, (list = []));
    list.push(f);
  }
  const lines: string[] = [];
  for (const [resource, findings] of groups) {
    const first = findings[0].location;
    lines.push(paint(BOLD, resource) + (first ? paint(DIM, `  ${first.file}`) : ''));
    findings.sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity));
    for (const f of findings) {
      const sev = paint(COLOURS[f.severity], f.severity.toUpperCase().padEnd(8));
      lines.push(`  ${sev} ${f.ruleId}  ${f.message}`);
      const loc = where(f);
      if (loc) lines.push(paint(DIM, `           at ${loc}`));
      if (f.evidence) lines.push(paint(DIM, `           evidence: ${f.evidence}`));
      lines.push(paint(DIM, `           fix: ${f.remediation}`));
    }
    lines.push('');
  }
  lines.push(summaryLine(report, paint));
  for (const gap of report.coverage) {
    const at = gap.line ? `${gap.target}:${gap.line}:${gap.column ?? 1}` : gap.target;
    lines.push(paint(gap.severity === 'error' ? COLOURS.high : DIM, `${gap.severity === 'error' ? 'not scanned' : 'note'}: ${at}: ${gap.reason}`));
  }
  return lines.join('\n') + '\n';
}

function summaryLine(report: Report, paint: (code: string, s: string) => string): string {
  const s = report.summary;
  const counts = SEVERITIES.slice()
    .reverse()
    .filter((sev) => s.bySeverity[sev] > 0)
    .map((sev) => paint(COLOURS[sev], `${s.bySeverity[sev]} ${sev}`));
  const head = s.total === 0 ? 'No findings' : `${s.total} finding${s.total === 1 ? '' : 's'} (${counts.join(', ')})`;
  const scope = [`${s.resources} resource${s.resources === 1 ? '' : 's'}`];
  if (s.files !== undefined) scope.push(`${s.files} file${s.files === 1 ? '' : 's'}`);
  const extra: string[] = [];
  if (s.suppressed > 0) extra.push(`${s.suppressed} suppressed`);
  if (s.belowThreshold > 0) extra.push(`${s.belowThreshold} below --severity`);
  if (s.inBaseline) extra.push(`${s.inBaseline} already in the baseline`);
  if (s.skipped) extra.push(`${s.skipped} not Kubernetes objects, skipped`);
  return `${head} in ${scope.join(' from ')}${extra.length ? `; ${extra.join('; ')}` : ''}.`;
}
