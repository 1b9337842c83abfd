import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../core/config.js';
import { knownRuleIds } from './rule-ids.js';
import { scanManifests } from '../core/pipeline.js';
import { catalogue } from '../rules/catalogue.js';
import { manifestsScope } from '../store/record.js';
import { addComplianceOption, addReportOptions, complianceAnalysis, type ReportFlags } from './report-options.js';
import { addBaselineOption, addStoreOption, finishRecorded, loadBaseline, withStore, type BaselineFlags, type StoreFlags } from './store-options.js';
import { commaList, selectRules } from './rule-selection.js';
import { pathGlob } from '../core/glob.js';
import { relative, sep } from 'node:path';

export function scanCommand(): Command {
  return addComplianceOption(addBaselineOption(addStoreOption(addReportOptions(
    new Command('scan')
      .description('scan Kubernetes manifests (files, directories, or - for stdin) for the doors attackers use')
      .argument('<paths...>', 'files, directories (recursively: .yaml, .yml, .json) or - for stdin')
      .option('--threads <n>', 'parse workers (default: one per CPU but one, for 48 files or more; 0: parse on the main thread)', parseThreads)
      .option('--exclude <glob>', 'skip files matching this path glob (relative to the working directory: test/**, **/*-values.yaml, fixtures/); comma-separated, repeatable', commaList)
      .option('--include <glob>', 'read only files matching one of these path globs; comma-separated, repeatable', commaList),
  )))).action(async (paths: string[], flags: ReportFlags & StoreFlags & BaselineFlags & { threads?: number; exclude?: string[]; include?: string[] }) => {
    const config = loadConfig(flags.config, knownRuleIds());
    const rules = selectRules(catalogue, flags);
    const fileFilter = pathFilter(flags.include ?? [], flags.exclude ?? []);
    const series = { kind: 'scan' as const, scope: manifestsScope(paths) };
    await withStore(flags, async (store) => {
      const baseline = await loadBaseline(flags.baseline, store, series);
      const { report, incomplete } = await scanManifests(paths, { rules, config, minimumSeverity: flags.severity, threads: flags.threads, ...(fileFilter ? { fileFilter } : {}), ...complianceAnalysis(flags, catalogue) });
      await finishRecorded(report, flags, rules, incomplete, { store, series, baseline });
    });
  });
}

/** --include and --exclude as one test of a file's path relative to the working directory (undefined: every file). */
function pathFilter(include: readonly string[], exclude: readonly string[]): ((file: string) => boolean) | undefined {
  if (include.length === 0 && exclude.length === 0) return undefined;
  const inc = include.map(pathGlob);
  const exc = exclude.map(pathGlob);
  return (file) => {
    const path = relative(process.cwd(), file).split(sep).join('/');
    return (inc.length === 0 || inc.some((g) => g.test(path))) && !exc.some((g) => g.test(path));
  };
}

function parseThreads(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new InvalidArgumentError('a whole number from 0 to 64');
  return n;
}
