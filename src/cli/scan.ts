import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../core/config.js';
import { knownRuleIds } from './rule-ids.js';
import { scanManifests } from '../core/pipeline.js';
import { catalogue } from '../rules/catalogue.js';
import { manifestsScope } from '../store/record.js';
import { addReportOptions, type ReportFlags } from './report-options.js';
import { addBaselineOption, addStoreOption, finishRecorded, loadBaseline, withStore, type BaselineFlags, type StoreFlags } from './store-options.js';

export function scanCommand(): Command {
  return addBaselineOption(addStoreOption(addReportOptions(
    new Command('scan')
      .description('scan Kubernetes manifests (files, directories, or - for stdin) for the doors attackers use')
      .argument('<paths...>', 'files, directories (recursively: .yaml, .yml, .json) or - for stdin')
      .option('--threads <n>', 'parse workers (default: one per CPU but one, for 48 files or more; 0: parse on the main thread)', parseThreads),
  ))).action(async (paths: string[], flags: ReportFlags & StoreFlags & BaselineFlags & { threads?: number }) => {
    const config = loadConfig(flags.config, knownRuleIds());
    const series = { kind: 'scan' as const, scope: manifestsScope(paths) };
    await withStore(flags, async (store) => {
      const baseline = await loadBaseline(flags.baseline, store, series);
      const { report, incomplete } = await scanManifests(paths, { rules: catalogue, config, minimumSeverity: flags.severity, threads: flags.threads });
      await finishRecorded(report, flags, catalogue, incomplete, { store, series, baseline });
    });
  });
}

function parseThreads(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new InvalidArgumentError('a whole number from 0 to 64');
  return n;
}
