// sources → inventory → rules → findings → report, for manifests. Other commands reuse the same
// rules, suppression and report on their own inventories.

import { runRules } from './engine.js';
import { applySuppressions } from './suppression.js';
import { buildReport, type ComplianceFramework, type Report, type ScanTarget } from './report.js';
import { assessCompliance } from '../compliance/assess.js';
import { cisApplicability } from '../report/cis-summary.js';
import type { KubemoatConfig } from './config.js';
import type { CoverageGap, Severity } from './finding.js';
import type { Rule } from './rule.js';
import type { Inventory } from '../inventory/inventory.js';
import { loadManifests, type LoadOptions } from '../sources/manifests/source.js';

export interface AnalyseOptions {
  rules: readonly Rule[];
  config: KubemoatConfig;
  minimumSeverity: Severity;
  /** YYYY-MM-DD, for suppression expiry */
  today?: string;
  /** --compliance: judge this framework's controls; `catalogue` is every rule the command has, selected or not */
  compliance?: { framework: ComplianceFramework; catalogue: readonly Pick<Rule, 'meta'>[] };
}

export interface Analysis {
  report: Report;
  /** part of the target could not be read or parsed */
  incomplete: boolean;
}

/** Run the rules on an inventory and build the report: the part every evidence source shares. */
export function analyse(
  inventory: Inventory,
  target: ScanTarget,
  sourceCoverage: CoverageGap[],
  startedAt: Date,
  options: AnalyseOptions,
  counts: { files?: number; documents?: number; skipped?: number } = {},
): Report {
  const run = runRules(inventory, options.rules, { trustedRegistries: options.config.trustedRegistries, purposes: options.config.purposes ?? [] });
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const { expired } = applySuppressions(run.findings, options.config, (_f, i) => {
    const object = run.objectOf[i];
    if (object === undefined) return [];
    const pod = inventory.podSpecOf(object);
    return pod ? [object.annotations, pod.podAnnotations] : [object.annotations];
  }, today);
  const coverage = [...sourceCoverage, ...run.errors];
  for (const s of expired) {
    coverage.push({ target: options.config.file ?? '.kubemoat.yaml', reason: `suppression of ${s.rules.join(', ')} expired on ${s.expires}; its findings are reported again`, severity: 'warning' });
  }
  const report = buildReport({
    startedAt,
    target,
    findings: run.findings,
    coverage,
    minimumSeverity: options.minimumSeverity,
    resources: inventory.objects.length,
    ...counts,
  });
  if (options.compliance === undefined) return report;
  const { framework, catalogue } = options.compliance;
  const compliance = assessCompliance({
    framework,
    catalogue,
    ran: new Set(options.rules.map((r) => r.meta.id)),
    examined: run.examined,
    // every finding, before --severity: a control fails whatever the table shows
    findings: run.findings,
    ...(framework === 'cis' ? { applies: cisApplicability(inventory) } : {}),
  });
  return { ...report, compliance };
}

export async function scanManifests(paths: string[], options: AnalyseOptions & LoadOptions): Promise<Analysis> {
  const startedAt = new Date();
  const load = await loadManifests(paths, options);
  const report = analyse(load.inventory, { type: 'manifests', paths }, load.coverage, startedAt, options, {
    files: load.stats.files,
    documents: load.stats.documents,
    skipped: load.stats.skipped,
  });
  return { report, incomplete: load.incomplete || report.coverage.some((c) => c.severity === 'error') };
}
