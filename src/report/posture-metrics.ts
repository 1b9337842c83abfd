// Metrics of the posture commands run on a schedule (`cluster`, `node`, `probe` with --every):
// the findings of the latest complete run by severity, rule and namespace, and every run's outcome
// and duration. Findings are those the report shows (at or above --severity).

import { SEVERITIES, type Severity } from '../core/finding.js';
import { TOOL_VERSION, type Report } from '../core/report.js';
import { MetricsText, type Sample } from './prometheus.js';

export type PostureCommand = 'cluster' | 'node' | 'probe';

export type RunOutcome =
  | { status: 'complete' | 'incomplete'; report: Report; seconds: number; finishedAt: Date }
  | { status: 'failed'; error: string; seconds: number; finishedAt: Date };

interface LatestReport {
  report: Report;
  finishedAt: Date;
}

/** Findings of one report counted under a key built from each finding. */
function countBy(report: Report, key: (f: Report['findings'][number]) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of report.findings) {
    const k = key(f);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

const SEP = '\u0000';

function keyed(counts: Map<string, number>, names: readonly string[], base: Record<string, string>): Sample[] {
  return [...counts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, n]): Sample => {
      const parts = key.split(SEP);
      return [{ ...base, ...Object.fromEntries(names.map((name, i) => [name, parts[i] ?? ''])) }, n];
    });
}

export class PostureMetrics {
  private readonly runs = new Map<RunOutcome['status'], number>();
  private last: RunOutcome | undefined;
  private latest: LatestReport | undefined;

  constructor(readonly command: PostureCommand) {}

  record(outcome: RunOutcome): void {
    this.runs.set(outcome.status, (this.runs.get(outcome.status) ?? 0) + 1);
    this.last = outcome;
    // An incomplete run saw only part of the target; its counts would read as fixed findings.
    if (outcome.status === 'complete') this.latest = { report: outcome.report, finishedAt: outcome.finishedAt };
  }

  render(): string {
    const command = { command: this.command };
    const out = new MetricsText();
    out.metric('kubemoat_build_info', 'gauge', 'The kubemoat version and the command serving these metrics.', [[{ ...command, version: TOOL_VERSION }, 1]]);
    out.metric('kubemoat_runs_total', 'counter', 'Runs by outcome: complete, incomplete (part of the target could not be read), failed.', (['complete', 'incomplete', 'failed'] as const).map((s): Sample => [{ ...command, status: s }, this.runs.get(s) ?? 0]));
    if (this.last) {
      out.metric('kubemoat_run_duration_seconds', 'gauge', 'How long the latest run took.', [[command, Number(this.last.seconds.toFixed(3))]]);
      out.metric('kubemoat_run_finished_timestamp_seconds', 'gauge', 'When the latest run finished.', [[command, Math.floor(this.last.finishedAt.getTime() / 1000)]]);
    }
    const latest = this.latest;
    if (latest) {
      const r = latest.report;
      const bySeverity = new Map<Severity, number>(SEVERITIES.map((s) => [s, 0]));
      for (const f of r.findings) bySeverity.set(f.severity, (bySeverity.get(f.severity) ?? 0) + 1);
      out.metric('kubemoat_complete_run_timestamp_seconds', 'gauge', 'When the latest complete run, whose findings these are, finished.', [[command, Math.floor(latest.finishedAt.getTime() / 1000)]]);
      out.metric('kubemoat_findings', 'gauge', 'Findings of the latest complete run, by severity.', SEVERITIES.map((s): Sample => [{ ...command, severity: s }, bySeverity.get(s) ?? 0]));
      out.metric('kubemoat_findings_by_rule', 'gauge', 'Findings of the latest complete run, by rule and severity.', keyed(countBy(r, (f) => f.ruleId + SEP + f.severity), ['rule', 'severity'], command));
      out.metric('kubemoat_findings_by_namespace', 'gauge', 'Findings of the latest complete run, by namespace (empty: cluster-scoped or not in a namespace) and severity.', keyed(countBy(r, (f) => (f.resource?.namespace ?? '') + SEP + f.severity), ['namespace', 'severity'], command));
      out.metric('kubemoat_findings_suppressed', 'gauge', 'Findings of the latest complete run silenced by a suppression.', [[command, r.summary.suppressed]]);
      out.metric('kubemoat_resources', 'gauge', 'Resources the latest complete run judged.', [[command, r.summary.resources]]);
    }
    return out.text();
  }
}
