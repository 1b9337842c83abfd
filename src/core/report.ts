// The report every command produces: the JSON contract of DESIGN.md, which every reporter renders.

import { SEVERITIES, severityRank, type CoverageGap, type Finding, type Severity } from './finding.js';

export const TOOL_NAME = 'kubemoat';
export const TOOL_VERSION = '0.1.0';
export const INFORMATION_URI = 'https://github.com/kubemoat/kubemoat';
/**
 * The version of the JSON report's shape (docs/report.schema.json): raised when a field is removed
 * or changes meaning; a field added keeps it.
 */
export const REPORT_SCHEMA_VERSION = '1';

export type ScanTarget =
  | { type: 'manifests'; paths: string[] }
  | { type: 'cluster'; context: string }
  | { type: 'network'; targets: string[] }
  | { type: 'node'; root: string }
  | { type: 'images'; images: string[]; source: 'arguments' | 'cluster' | 'manifests' };

export interface ReportSummary {
  /** findings shown in `findings` */
  total: number;
  bySeverity: Record<Severity, number>;
  suppressed: number;
  /** findings below `--severity`, counted but not listed */
  belowThreshold: number;
  /** with `--baseline`: findings the baseline already had, not listed */
  inBaseline?: number;
  resources: number;
  files?: number;
  documents?: number;
  /** files and documents that are not Kubernetes objects */
  skipped?: number;
}

export const COMPLIANCE_FRAMEWORKS = ['cis', 'nsa', 'pss-baseline', 'pss-restricted'] as const;
export type ComplianceFramework = (typeof COMPLIANCE_FRAMEWORKS)[number];

/** fail: a finding is against it; pass: its rules ran, had something to check and found nothing; else not assessed, with why. */
export type ControlStatus = 'pass' | 'fail' | 'not-assessed';

export interface ControlResult {
  id: string;
  title: string;
  status: ControlStatus;
  /** why it is not assessed */
  reason?: string;
  /** the rules of the command that check it, run or not */
  rules: string[];
  /** findings against it that are not suppressed, whatever --severity shows */
  findings: number;
  /** suppressed findings against it: they do not fail it */
  suppressed: number;
  /** what those findings are about: `Kind namespace/name`, a file or an endpoint */
  resources: string[];
}

/** `--compliance`: each control of one framework with its status, judged from the findings. */
export interface ComplianceSummary {
  framework: ComplianceFramework;
  title: string;
  totals: Record<ControlStatus, number>;
  controls: ControlResult[];
}

export interface Report {
  schemaVersion: string;
  tool: string;
  version: string;
  startedAt: string;
  target: ScanTarget;
  findings: Finding[];
  suppressed: Finding[];
  summary: ReportSummary;
  coverage: CoverageGap[];
  /** with --compliance */
  compliance?: ComplianceSummary;
}

export function compareFindings(a: Finding, b: Finding): number {
  const fa = a.location?.file ?? '';
  const fb = b.location?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  const la = a.location?.line ?? 0;
  const lb = b.location?.line ?? 0;
  if (la !== lb) return la - lb;
  const s = severityRank(b.severity) - severityRank(a.severity);
  if (s !== 0) return s;
  // code-point order: the same on every machine, whatever its locale
  return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
}

export interface BuildReportInput {
  startedAt: Date;
  target: ScanTarget;
  findings: Finding[];
  coverage: CoverageGap[];
  minimumSeverity: Severity;
  resources: number;
  files?: number;
  documents?: number;
  skipped?: number;
}

export function buildReport(input: BuildReportInput): Report {
  const active = input.findings.filter((f) => !f.suppressed).sort(compareFindings);
  const suppressed = input.findings.filter((f) => f.suppressed).sort(compareFindings);
  const min = severityRank(input.minimumSeverity);
  const shown = active.filter((f) => severityRank(f.severity) >= min);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of shown) bySeverity[f.severity]++;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: TOOL_NAME,
    version: TOOL_VERSION,
    startedAt: input.startedAt.toISOString(),
    target: input.target,
    findings: shown,
    suppressed,
    summary: {
      total: shown.length,
      bySeverity,
      suppressed: suppressed.length,
      belowThreshold: active.length - shown.length,
      resources: input.resources,
      ...(input.files !== undefined ? { files: input.files } : {}),
      ...(input.documents !== undefined ? { documents: input.documents } : {}),
      ...(input.skipped !== undefined ? { skipped: input.skipped } : {}),
    },
    coverage: input.coverage,
  };
}
