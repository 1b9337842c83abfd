// What `kubemoat history` answers: the runs matching a filter (newest first) and, if asked, a trend
// of their counts per severity, namespace or rule (oldest run first, as a trend reads).

import { SEVERITIES, severityRank, type Severity } from '../core/finding.js';
import type { HistoryStore, RunFilter, RunRecord } from './store.js';

export const TREND_KEYS = ['severity', 'namespace', 'rule'] as const;
export type TrendBy = (typeof TREND_KEYS)[number];

export interface TrendRow {
  /** a severity, a namespace ('' for findings of no namespace) or a rule id */
  key: string;
  /** one count per run of `Trend.runs` */
  counts: number[];
}

export interface Trend {
  by: TrendBy;
  /** the lowest severity counted */
  minimum: Severity;
  /** run ids, oldest first */
  runs: number[];
  /** largest in the newest run first */
  rows: TrendRow[];
}

export interface HistoryView {
  runs: RunRecord[];
  trend?: Trend;
}

export async function readHistory(store: HistoryStore, filter: RunFilter, trend?: { by: TrendBy; minimum: Severity }): Promise<HistoryView> {
  const runs = await store.runs(filter);
  if (trend === undefined) return { runs };
  const ids = runs.map((r) => r.id).reverse();
  const column = new Map(ids.map((id, i) => [id, i]));
  const rows = new Map<string, number[]>();
  const add = (key: string, runId: number, n: number): void => {
    let counts = rows.get(key);
    if (counts === undefined) rows.set(key, (counts = ids.map(() => 0)));
    counts[column.get(runId)!] += n;
  };
  if (trend.by === 'severity') {
    const levels = SEVERITIES.filter((s) => severityRank(s) >= severityRank(trend.minimum)).reverse();
    for (const s of levels) rows.set(s, ids.map(() => 0));
    for (const r of runs) for (const s of levels) add(s, r.id, r.bySeverity[s]);
  } else {
    for (const cell of await store.trend(ids, trend.by, trend.minimum)) add(cell.key, cell.runId, cell.count);
  }
  const ordered = [...rows].map(([key, counts]) => ({ key, counts }));
  // severities keep their order; namespaces and rules: the most findings now first
  if (trend.by !== 'severity') ordered.sort((a, b) => (b.counts.at(-1) ?? 0) - (a.counts.at(-1) ?? 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { runs, trend: { ...trend, runs: ids, rows: ordered } };
}
