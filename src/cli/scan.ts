import { Command } from 'commander';
import { loadConfig } from '../core/config.js';
import { scanManifests } from '../core/pipeline.js';
import { catalogue } from '../rules/catalogue.js';
import { addReportOptions, finishReport, type ReportFlags } from './report-options.js';

export function scanCommand(): Command {
  return addReportOptions(
    new Command('scan')
      .description('scan Kubernetes manifests (files, directories, or - for stdin) for the doors attackers use')
      .argument('<paths...>', 'files, directories (recursively: .yaml, .yml, .json) or - for stdin'),
  ).action(async (paths: string[], flags: ReportFlags) => {
    const config = loadConfig(flags.config);
    const { report, incomplete } = await scanManifests(paths, { rules: catalogue, config, minimumSeverity: flags.severity });
    finishReport(report, flags, catalogue, incomplete);
  });
}
