// Recording a finished report: one call per run, so a command that repeats its run in one process
// (`--every`) calls it once per round on the same open store.

import { normalize } from 'node:path';
import type { Report } from '../core/report.js';
import type { HistoryStore, RunRecord, Series } from './store.js';

export async function recordReport(store: HistoryStore, series: Series, report: Report, incomplete: boolean): Promise<RunRecord> {
  const run = await store.beginRun({ ...series, target: report.target, toolVersion: report.version, startedAt: report.startedAt });
  await run.addFindings([...report.findings, ...report.suppressed]);
  return run.finish(incomplete ? 'incomplete' : 'complete');
}

/** A scope from a list of names (paths, targets, images): the same set in any order is the same scope. */
export function listScope(items: readonly string[]): string {
  return [...new Set(items)].sort().join(' ');
}

export function manifestsScope(paths: readonly string[]): string {
  return listScope(paths.map((p) => (p === '-' ? 'stdin' : normalize(p).replace(/\/+$/, '') || '/')));
}

/** `N new, M fixed` and the counts: what a recorded run says on stderr. */
export function describeRecorded(run: RunRecord): string {
  const open = Object.values(run.bySeverity).reduce((a, b) => a + b, 0);
  const fixed = run.previousRunId !== undefined ? `; against run ${run.previousRunId}: ${run.newCount} new, ${run.fixedCount} fixed` : '; the first of its kind and scope';
  return `run ${run.id} (${run.kind} ${run.scope}, ${run.status}): ${open} finding${open === 1 ? '' : 's'}${run.suppressed ? `, ${run.suppressed} suppressed` : ''}${fixed}`;
}
