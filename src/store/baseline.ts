// `--baseline`: report (and fail on) only what the baseline does not have, matched by fingerprint.
// The baseline is a run in the store or a JSON report written by `--format json`, so CI without a
// database can keep last release's report as a file.

import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import { SEVERITIES, type Severity } from '../core/finding.js';
import type { Report } from '../core/report.js';

export interface Baseline {
  /** for messages: `run 12 (latest)`, `report.json` */
  label: string;
  fingerprints: ReadonlySet<string>;
}

/** The fingerprints of a JSON report (its findings and suppressed findings). */
export function baselineFromReportFile(file: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`--baseline ${file}: cannot read it as a JSON report: ${(e as Error).message}`);
  }
  const lists = typeof data === 'object' && data !== null ? [(data as Record<string, unknown>).findings, (data as Record<string, unknown>).suppressed] : [];
  if (!Array.isArray(lists[0])) throw new InputError(`--baseline ${file}: not a kubemoat JSON report (no "findings" list); write one with --format json`);
  const fingerprints = new Set<string>();
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    list.forEach((f: unknown, i) => {
      const fp = typeof f === 'object' && f !== null ? (f as Record<string, unknown>).fingerprint : undefined;
      if (typeof fp !== 'string' || fp === '') throw new InputError(`--baseline ${file}: finding ${i + 1} has no fingerprint`);
      fingerprints.add(fp);
    });
  }
  return { label: file, fingerprints };
}

/** The report with only the findings the baseline lacks; the summary counts what is left and what the baseline had. */
export function applyBaseline(report: Report, baseline: Baseline): Report {
  const findings = report.findings.filter((f) => !baseline.fingerprints.has(f.fingerprint));
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) bySeverity[f.severity]++;
  return { ...report, findings, summary: { ...report.summary, total: findings.length, bySeverity, inBaseline: report.findings.length - findings.length } };
}
