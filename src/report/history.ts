// Text for `kubemoat history` and `kubemoat diff`: the runs, a trend, and what changed between two
// runs. Everything here is laid out from what the store answered; nothing is counted again.

import type { Trend } from '../store/history.js';
import type { RunDiff, RunRecord, StoredFinding } from '../store/store.js';

/** The table shows at most this many runs of a trend (the JSON has all of them). */
export const TREND_COLUMNS = 12;

function when(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

function table(header: string[], rows: string[][], rightAligned: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function renderRuns(runs: readonly RunRecord[]): string {
  if (runs.length === 0) return 'No runs recorded (that match).\n';
  const header = ['RUN', 'STARTED (UTC)', 'KIND', 'STATUS', 'CRIT', 'HIGH', 'MED', 'LOW', 'INFO', 'SUPP', 'NEW', 'FIXED', 'SCOPE'];
  const rows = runs.map((r) => [
    String(r.id),
    when(r.startedAt),
    r.kind,
    r.status,
    ...[r.bySeverity.critical, r.bySeverity.high, r.bySeverity.medium, r.bySeverity.low, r.bySeverity.info, r.suppressed].map(String),
    // a run with nothing before it has nothing new or fixed to say
    r.previousRunId === undefined ? '-' : String(r.newCount),
    r.previousRunId === undefined ? '-' : String(r.fixedCount),
    r.scope,
  ]);
  return table(header, rows, new Set([0, 4, 5, 6, 7, 8, 9, 10, 11]));
}

export function renderTrend(trend: Trend): string {
  const from = Math.max(0, trend.runs.length - TREND_COLUMNS);
  const runs = trend.runs.slice(from);
  const title = `${trend.by === 'severity' ? 'Findings and alerts per severity' : `Findings and alerts (${trend.minimum} and above) per ${trend.by}`}, oldest run first${from > 0 ? ` (the last ${runs.length} of ${trend.runs.length} runs)` : ''}:\n`;
  if (trend.rows.length === 0) return `${title}nothing counted.\n`;
  const header = [trend.by.toUpperCase(), ...runs.map((id) => `#${id}`), 'CHANGE'];
  const rows = trend.rows.map((row) => {
    const counts = row.counts.slice(from);
    const change = (counts.at(-1) ?? 0) - (counts[0] ?? 0);
    return [row.key === '' ? '(none)' : row.key, ...counts.map(String), change > 0 ? `+${change}` : String(change)];
  });
  return title + table(header, rows, new Set(runs.map((_, i) => i + 1)));
}

function findingLine(f: StoredFinding): string {
  const where = [f.namespace ? `${f.namespace}/` : '', f.resource ?? ''].join('');
  return `  ${f.severity.padEnd(8)}  ${f.ruleId.padEnd(10)}  ${where}${f.location ? `  ${f.location}` : ''}\n            ${f.message}\n`;
}

function runLine(r: RunRecord): string {
  return `run ${r.id} (${r.kind} ${r.scope}, ${when(r.startedAt)}, ${r.status})`;
}

export function renderDiff(diff: RunDiff, listAll: boolean): string {
  const out = [`From ${runLine(diff.from)}\n  to ${runLine(diff.to)}\n`];
  if (diff.from.kind !== diff.to.kind || diff.from.scope !== diff.to.scope) out.push('(the runs are of different kinds or scopes: what one could not see, the other calls new or fixed)\n');
  const section = (title: string, list: readonly StoredFinding[], listed: boolean): void => {
    out.push(`\n${title}: ${list.length}${!listed && list.length > 0 ? ' (--all lists them)' : ''}\n`);
    if (listed) for (const f of list) out.push(findingLine(f));
  };
  section('New', diff.new, true);
  section('Fixed', diff.fixed, true);
  section('Still open', diff.open, listAll);
  section('Suppressed', diff.suppressed, listAll);
  return out.join('');
}
