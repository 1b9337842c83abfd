// The terminal report: findings grouped by resource, most severe first, with where and how to fix.

import type { Finding, Severity } from '../core/finding.js';
import type { ComplianceSummary, ControlResult, ControlStatus, Report } from '../core/report.js';
import { SEVERITIES, severityRank, subjectOf } from '../core/finding.js';

export interface TableOptions {
  colour: boolean;
  /** columns to fit in (the terminal's, $COLUMNS, or 80) */
  width?: number;
}

export const DEFAULT_WIDTH = 80;
/** Narrower than this, wrapping would leave a word or two per line: the table stays this wide. */
const MIN_WIDTH = 40;

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

/** A finding's file:line:column, or the endpoint probed; '' when it has neither. */
export function where(f: Pick<Finding, 'location' | 'endpoint'>): string {
  if (f.location) return `${f.location.file}:${f.location.line}:${f.location.column}`;
  if (f.endpoint) return 'url' in f.endpoint ? f.endpoint.url : `${f.endpoint.host}:${f.endpoint.port}`;
  return '';
}

const ANSI = /\x1b\[[0-9;]*m/g;

/** Columns a string takes on a terminal: escape sequences take none. */
export function visibleWidth(s: string): number {
  return s.replace(ANSI, '').length;
}

/**
 * `text` in lines of at most `width` columns, each after `indent` (the first after `first`, when
 * given): broken at spaces, and a word longer than a line (a URL, a path) is cut.
 */
export function wrapText(text: string, width: number, indent: string, first: string = indent): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  const room = (prefix: string): number => Math.max(1, width - prefix.length);
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const needed = visibleWidth(word) + (empty ? 0 : 1);
    if (!empty && visibleWidth(line) + needed > width) {
      lines.push(line);
      line = indent;
      empty = true;
    }
    let rest = word;
    // a word wider than a whole line: cut it (words with colour codes are left whole)
    while (empty && rest.length > room(line) && !rest.includes('\x1b')) {
      lines.push(line + rest.slice(0, room(line)));
      rest = rest.slice(room(line));
      line = indent;
    }
    if (rest === '') continue;
    line += (empty ? '' : ' ') + rest;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** Where the table gets its width: the report's own option, clamped to something readable. */
function widthOf(options: TableOptions): number {
  return Math.max(MIN_WIDTH, options.width ?? DEFAULT_WIDTH);
}

const DETAIL = ' '.repeat(11);

export function renderTable(report: Report, options: TableOptions): string {
  const paint = (code: string, s: string): string => (options.colour ? `${code}${s}${RESET}` : s);
  const width = widthOf(options);
  const dim = (ls: string[]): string[] => ls.map((l) => paint(DIM, l));
  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const k = subjectOf(f);
    let list = groups.get(k);
    if (list === undefined) groups.set(k, (list = []));
    list.push(f);
  }
  const lines: string[] = [];
  for (const [resource, findings] of groups) {
    const file = findings[0].location?.file;
    if (file !== undefined && resource.length + 2 + file.length <= width) lines.push(paint(BOLD, resource) + paint(DIM, `  ${file}`));
    else {
      lines.push(...wrapText(resource, width, '  ', '').map((l) => paint(BOLD, l)));
      if (file !== undefined) lines.push(...dim(wrapText(file, width, '  ')));
    }
    findings.sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity));
    for (const f of findings) lines.push(...findingLines(f, width, paint));
    lines.push('');
  }
  if (report.findings.length > 0) lines.push(...ruleSummary(report.findings, width, paint), '');
  if (report.compliance !== undefined) lines.push(...complianceLines(report.compliance, width, paint), '');
  lines.push(...wrapText(summaryLine(report, paint), width, '  ', ''));
  for (const gap of report.coverage) {
    const at = gap.line ? `${gap.target}:${gap.line}:${gap.column ?? 1}` : gap.target;
    const text = `${gap.severity === 'error' ? 'not scanned' : 'note'}: ${at}: ${gap.reason}`;
    lines.push(...wrapText(text, width, '  ', '').map((l) => paint(gap.severity === 'error' ? COLOURS.high : DIM, l)));
  }
  return lines.join('\n') + '\n';
}

type Paint = (code: string, s: string) => string;

/** One finding: severity, rule id and location on a line of their own, then the wrapped text. */
function findingLines(f: Finding, width: number, paint: Paint): string[] {
  const sev = f.severity.toUpperCase().padEnd(8);
  const head = `  ${sev} ${f.ruleId}`;
  const loc = where(f);
  const lines: string[] = [];
  const painted = `  ${paint(COLOURS[f.severity], sev)} ${f.ruleId}`;
  const locDetail: string[] = [];
  if (loc !== '' && head.length + 2 + loc.length <= width) lines.push(`${painted}  ${paint(DIM, loc)}`);
  else {
    lines.push(painted);
    if (loc !== '') locDetail.push(...wrapText(loc, width, DETAIL, `${DETAIL}at `));
  }
  lines.push(...wrapText(f.message, width, DETAIL));
  const detail = [...locDetail];
  if (f.evidence) detail.push(...wrapText(f.evidence, width, DETAIL, `${DETAIL}evidence: `));
  detail.push(...wrapText(f.remediation, width, DETAIL, `${DETAIL}fix: `));
  return [...lines, ...detail.map((l) => paint(DIM, l))];
}

export interface RuleCount {
  ruleId: string;
  severity: Severity;
  title: string;
  count: number;
}

/** Findings per rule and severity, worst severity first, then most findings, then rule id. */
export function countByRule(findings: readonly Finding[]): RuleCount[] {
  const counts = new Map<string, RuleCount>();
  for (const f of findings) {
    const key = `${f.ruleId}\0${f.severity}`;
    const c = counts.get(key);
    if (c === undefined) counts.set(key, { ruleId: f.ruleId, severity: f.severity, title: f.title, count: 1 });
    else c.count++;
  }
  return [...counts.values()].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.count - a.count || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
}

function ruleSummary(findings: readonly Finding[], width: number, paint: Paint): string[] {
  const rows = countByRule(findings);
  const countWidth = Math.max(5, ...rows.map((r) => String(r.count).length));
  const lines = [paint(BOLD, 'Findings by rule')];
  for (const r of rows) {
    const lead = `  ${r.severity.toUpperCase().padEnd(8)} ${r.ruleId.padEnd(9)} ${String(r.count).padStart(countWidth)}  `;
    const wrapped = wrapText(r.title, width, ' '.repeat(lead.length), lead);
    wrapped[0] = `  ${paint(COLOURS[r.severity], r.severity.toUpperCase().padEnd(8))}${wrapped[0].slice(10)}`;
    lines.push(...wrapped);
  }
  return lines;
}

const STATUS_LABEL: Record<Exclude<ControlStatus, 'not-assessed'>, string> = { pass: 'PASS', fail: 'FAIL' };
const STATUS_COLOUR: Record<ControlStatus, string> = { pass: '\x1b[32m', fail: COLOURS.high, 'not-assessed': DIM };
const CONTROL_DETAIL = ' '.repeat(7);

/**
 * The compliance view: totals, each assessed control with its status and what fails it, then the
 * controls not assessed, grouped by why (a CIS scan of manifests has a hundred node items).
 */
function complianceLines(c: ComplianceSummary, width: number, paint: Paint): string[] {
  const lines = wrapText(`${c.title}: ${c.totals.pass} pass, ${c.totals.fail} fail, ${c.totals['not-assessed']} not assessed`, width, '  ', '').map((l) => paint(BOLD, l));
  for (const control of c.controls.filter((k) => k.status !== 'not-assessed')) {
    const label = STATUS_LABEL[control.status as Exclude<ControlStatus, 'not-assessed'>];
    const head = `  ${label} ${control.id}  `;
    // the id and the title's first word stay on the status line; a long id pushes the title below
    const wrapped = head.length < width - 10 ? wrapText(control.title, width, CONTROL_DETAIL, head) : [head.trimEnd(), ...wrapText(control.title, width, CONTROL_DETAIL)];
    wrapped[0] = `  ${paint(STATUS_COLOUR[control.status], label)}${wrapped[0].slice(6)}`;
    lines.push(...wrapped);
    const detail = controlDetail(control);
    if (detail !== undefined) lines.push(...wrapText(detail, width, CONTROL_DETAIL).map((l) => paint(DIM, l)));
  }
  const byReason = new Map<string, string[]>();
  for (const control of c.controls.filter((k) => k.status === 'not-assessed')) {
    const reason = control.reason ?? 'not assessed';
    byReason.set(reason, [...(byReason.get(reason) ?? []), control.id]);
  }
  for (const [reason, ids] of byReason) {
    lines.push(...wrapText(`${ids.join(', ')}`, width, CONTROL_DETAIL, `  ${paint(STATUS_COLOUR['not-assessed'], 'NOT ASSESSED')} (${reason}): `));
  }
  return lines;
}

function controlDetail(control: ControlResult): string | undefined {
  const suppressed = control.suppressed > 0 ? ` (${control.suppressed} suppressed)` : '';
  if (control.status === 'fail') {
    const named = control.resources.slice(0, 3).join(', ');
    const others = control.resources.length > 3 ? `, +${control.resources.length - 3} more` : '';
    return `${control.findings} finding${control.findings === 1 ? '' : 's'}${suppressed}: ${named}${others}`;
  }
  return suppressed === '' ? undefined : `nothing found${suppressed}`;
}

function summaryLine(report: Report, paint: Paint): string {
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
