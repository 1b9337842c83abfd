import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../core/config.js';
import { knownRuleIds } from './rule-ids.js';
import { scanManifests } from '../core/pipeline.js';
import { catalogue } from '../rules/catalogue.js';
import { addReportOptions, finishReport, type ReportFlags } from './report-options.js';

export function scanCommand(): Command {
  return addReportOptions(
    new Command('scan')
      .description('scan Kubernetes manifests (files, directories, or - for stdin) for the doors attackers use')
      .argument('<paths...>', 'files, directories (recursively: .yaml, .yml, .json) or - for stdin')
      .option('--threads <n>', 'parse workers (default: one per CPU but one, for 48 files or more; 0: parse on the main thread)', parseThreads),
  ).action(async (paths: string[], flags: ReportFlags & { threads?: number }) => {
    const config = loadConfig(flags.config, knownRuleIds());
    const { report, incomplete } = await scanManifests(paths, { rules: catalogue, config, minimumSeverity: flags.severity, threads: flags.threads });
    finishReport(report, flags, catalogue, incomplete);
  });
}

function parseThreads(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new InvalidArgumentError('a whole number from 0 to 64');
  return n;
}
