// The terminal view of attack paths: the doors to close first, then each path step by step with
// the finding behind every step and where to fix it.

import type { Severity } from '../core/finding.js';
import type { AttackPath, Door, PathsReport, StepFinding } from '../paths/model.js';

export interface PathsTableOptions {
  colour: boolean;
  /** path ids of an earlier report: the others are marked new */
  baseline?: ReadonlySet<string>;
}

const SEVERITY_COLOUR: Record<Severity, string> = { critical: '\x1b[1;31m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m', info: '\x1b[2m' };
const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

function placeOf(f: Pick<StepFinding, 'location' | 'endpoint' | 'resource'>): string {
  if (f.location) return `${f.location.file}:${f.location.line}:${f.location.column}`;
  if (f.endpoint) return 'url' in f.endpoint ? f.endpoint.url : `${f.endpoint.host}:${f.endpoint.port}`;
  const r = f.resource;
  return r ? `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}` : '';
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function renderPathsTable(report: PathsReport, options: PathsTableOptions): string {
  const paint = (code: string, s: string): string => (options.colour ? `${code}${s}${RESET}` : s);
  const label = new Map(report.graph.vertices.map((v) => [v.id, v.label]));
  const name = (id: string): string => label.get(id) ?? id;
  const out: string[] = [];
  const s = report.summary;
  out.push(paint(BOLD, `kubemoat paths: ${plural(s.paths, 'path')}${s.paths > 0 ? ` joining ${plural(s.pairs, 'entry → asset pair')}` : ''}`) + paint(DIM, ` (graph of ${s.vertices} vertices, ${s.edges} edges from ${plural(s.findingsUsed, 'finding')})`));
  if (report.paths.length === 0) {
    out.push('', 'No path from any entry point to any asset.');
  } else {
    out.push('', paint(BOLD, 'Fix first'));
    report.doors.slice(0, 5).forEach((d, i) => out.push(...doorLines(d, i, report.paths.length, paint)));
    out.push('', paint(BOLD, 'Paths'));
    report.paths.forEach((p, i) => out.push(...pathLines(p, i, name, paint, options.baseline)));
  }
  for (const gap of report.coverage) out.push(paint(DIM, `not seen: ${gap.target}: ${gap.reason}`));
  return `${out.join('\n')}\n`;
}

function doorLines(d: Door, i: number, total: number, paint: (code: string, s: string) => string): string[] {
  const cut = d.cuts > 0 ? `closes ${d.cuts} of ${total} paths` : `on ${plural(d.paths, 'path')}, each has another way`;
  return [`  ${i + 1}. ${paint(SEVERITY_COLOUR[d.severity], `${d.ruleId} ${d.severity}`)} ${d.title}: ${cut}`, `     at ${placeOf(d)}`, `     ${d.remediation}`];
}

function pathLines(p: AttackPath, i: number, name: (id: string) => string, paint: (code: string, s: string) => string, baseline: ReadonlySet<string> | undefined): string[] {
  const marks = [p.observed === 'happening' ? 'HAPPENING' : p.observed === 'partly' ? 'partly seen' : '', baseline && !baseline.has(p.id) ? 'new' : ''].filter(Boolean);
  const lines = [`  #${i + 1} ${name(p.start)} → ${name(p.target)} (${plural(p.length, 'step')})${marks.length ? ` ${paint(BOLD, `[${marks.join(', ')}]`)}` : ''}`];
  p.steps.forEach((st, j) => {
    lines.push(`     ${j + 1}. ${name(st.from)} → ${name(st.to)}: ${st.action}`);
    for (const f of st.findings) lines.push(`        ${paint(SEVERITY_COLOUR[f.severity], f.ruleId)} ${placeOf(f)}${f.suppressed ? paint(DIM, ` (accepted: ${f.suppressed})`) : ''}`);
    for (const a of st.observed ?? []) lines.push(`        ${paint(BOLD, 'seen')} ${a.ruleId} ${a.at}: ${a.summary}`);
  });
  return lines;
}
