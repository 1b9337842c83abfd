// The terminal view of attack paths: the doors to close first, then each path step by step with
// the finding behind every step and where to fix it.

import type { Severity } from '../core/finding.js';
import type { AttackPath, Door, PathsReport, StepFinding } from '../paths/model.js';
import { DEFAULT_WIDTH, where, wrapText } from './table.js';

export interface PathsTableOptions {
  colour: boolean;
  /** terminal columns: prose is wrapped to them */
  width?: number;
  /** path ids of an earlier report: the others are marked new */
  baseline?: ReadonlySet<string>;
}

const SEVERITY_COLOUR: Record<Severity, string> = { critical: '\x1b[1;31m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m', info: '\x1b[2m' };
const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

function placeOf(f: Pick<StepFinding, 'location' | 'endpoint' | 'resource'>): string {
  const at = where(f);
  if (at !== '') return at;
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
  const width = options.width ?? DEFAULT_WIDTH;
  out.push(...wrapText(`${paint(BOLD, `kubemoat paths: ${plural(s.paths, 'path')}${s.paths > 0 ? ` joining ${plural(s.pairs, 'entry → asset pair')}` : ''}`)} ${paint(DIM, `(graph of ${s.vertices} vertices, ${s.edges} edges from ${plural(s.findingsUsed, 'finding')})`)}`, width, '  ', ''));
  if (report.paths.length === 0) {
    out.push('', 'No path from any entry point to any asset.');
  } else {
    out.push('', paint(BOLD, 'Fix first'));
    report.doors.slice(0, 5).forEach((d, i) => out.push(...doorLines(d, i, report.paths.length, paint, width)));
    out.push('', paint(BOLD, 'Paths'));
    report.paths.forEach((p, i) => out.push(...pathLines(p, i, name, paint, options.baseline, width)));
  }
  for (const gap of report.coverage) out.push(...wrapText(paint(DIM, `not seen: ${gap.target}: ${gap.reason}`), width, '  ', ''));
  return `${out.join('\n')}\n`;
}

function doorLines(d: Door, i: number, total: number, paint: (code: string, s: string) => string, width: number): string[] {
  const cut = d.cuts > 0 ? `closes ${d.cuts} of ${total} paths` : `on ${plural(d.paths, 'path')}, each has another way`;
  return [
    ...wrapText(`${paint(SEVERITY_COLOUR[d.severity], `${d.ruleId} ${d.severity}`)} ${d.title}: ${cut}`, width, '     ', `  ${i + 1}. `),
    ...wrapText(`at ${placeOf(d)}`, width, '     '),
    ...wrapText(d.remediation, width, '     '),
  ];
}

function pathLines(p: AttackPath, i: number, name: (id: string) => string, paint: (code: string, s: string) => string, baseline: ReadonlySet<string> | undefined, width: number): string[] {
  const marks = [p.observed === 'happening' ? 'HAPPENING' : p.observed === 'partly' ? 'partly seen' : '', baseline && !baseline.has(p.id) ? 'new' : ''].filter(Boolean);
  const lines = wrapText(`${name(p.start)} → ${name(p.target)} (${plural(p.length, 'step')})${marks.length ? ` ${paint(BOLD, `[${marks.join(', ')}]`)}` : ''}`, width, '     ', `  #${i + 1} `);
  p.steps.forEach((st, j) => {
    lines.push(...wrapText(`${name(st.from)} → ${name(st.to)}: ${st.action}`, width, '        ', `     ${j + 1}. `));
    for (const f of st.findings) lines.push(...wrapText(`${paint(SEVERITY_COLOUR[f.severity], f.ruleId)} ${placeOf(f)}${f.suppressed ? paint(DIM, ` (accepted: ${f.suppressed})`) : ''}`, width, '          ', '        '));
    for (const a of st.observed ?? []) lines.push(...wrapText(`${paint(BOLD, 'seen')} ${a.ruleId} ${a.at}: ${a.summary}`, width, '          ', '        '));
  });
  return lines;
}
