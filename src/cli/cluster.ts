import { Command, Option } from 'commander';
import { loadConfig } from '../core/config.js';
import { knownRuleIds } from './rule-ids.js';
import { analyse } from '../core/pipeline.js';
import { catalogue } from '../rules/catalogue.js';
import { connect } from '../sources/cluster/connection.js';
import { collectCluster } from '../sources/cluster/collect.js';
import { addComplianceOption, addReportOptions, complianceAnalysis, type ReportFlags } from './report-options.js';
import { milliseconds, wholeNumber } from './flag-values.js';
import { commaList, selectRules } from './rule-selection.js';
import { nameMatches } from '../core/glob.js';
import { UsageError } from './exit.js';
import { addProgressOption, progressLine, type ProgressFlags, type ProgressState } from './progress.js';
import type { ClusterProgress } from '../sources/cluster/collect.js';
import { addRepeatOptions, runPosture, type RepeatFlags } from './repeat.js';
import { addBaselineOption, addStoreOption, finishRecorded, loadBaseline, withStore, type BaselineFlags, type StoreFlags } from './store-options.js';

export interface ClusterFlags extends ReportFlags, RepeatFlags, StoreFlags, BaselineFlags, ProgressFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
  includeNamespaces?: string[];
  excludeNamespaces?: string[];
  timeout: number;
  concurrency: number;
}

export function clusterCommand(): Command {
  return addProgressOption(addComplianceOption(addBaselineOption(addStoreOption(addRepeatOptions(addReportOptions(
    new Command('cluster')
      .description("scan a live cluster's objects through its API (read-only)")
      .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account)')
      .option('--context <name>', 'kubeconfig context')
      .option('-n, --namespace <ns>', 'only this namespace (cluster-scoped RBAC is still read)')
      .option('-A, --all-namespaces', 'every namespace (the default; as kubectl spells it)')
      .option('--include-namespaces <names>', 'only these namespaces: names or globs (team-*), comma-separated, repeatable', commaList)
      .option('--exclude-namespaces <names>', 'not these namespaces: names or globs (kube-*), comma-separated, repeatable', commaList)
      .addOption(new Option('--timeout <duration>', 'timeout of each API request (15s, 1500ms; a plain number is milliseconds)').default(15000, '15s').argParser(milliseconds))
      .addOption(new Option('--concurrency <n>', 'API requests in flight').default(4).argParser(wholeNumber(1, 64))),
  )))))).action(async (flags: ClusterFlags) => {
    const config = loadConfig(flags.config, knownRuleIds());
    const rules = selectRules(catalogue, flags);
    const keepNamespace = namespaceFilter(flags);
    // one store for every run of the schedule; each run is recorded (and its baseline read) on its own
    await withStore(flags, (store) =>
      runPosture('cluster', flags, async () => {
        const startedAt = new Date();
        const conn = await connect({ kubeconfig: flags.kubeconfig, context: flags.context, timeoutMs: flags.timeout });
        try {
          const series = { kind: 'cluster' as const, scope: `${conn.context} ${conn.server}${flags.namespace ? ` namespace=${flags.namespace}` : ''}` };
          const baseline = await loadBaseline(flags.baseline, store, series);
          const progress = progressLine(flags);
          const onProgress = (p: ClusterProgress): void => progress.update(clusterProgress(p));
          const load = await collectCluster(conn, { namespace: flags.namespace, pageSize: 500, concurrency: flags.concurrency, onProgress, ...(keepNamespace ? { keepNamespace } : {}) }).finally(() => progress.clear());
          const report = analyse(load.inventory, { type: 'cluster', context: conn.context }, load.coverage, startedAt, { rules, config, minimumSeverity: flags.severity, ...complianceAnalysis(flags, catalogue) });
          const incomplete = load.coverage.some((c) => c.severity === 'error');
          await finishRecorded(report, flags, rules, incomplete, { store, series, baseline });
          return { report, incomplete };
        } finally {
          conn.close();
        }
      }),
    );
  });
}

/** The collection's state as the progress line shows it. */
export function clusterProgress(p: ClusterProgress): ProgressState {
  return p.phase === 'listing'
    ? { label: 'cluster: listing', done: p.done, total: p.total, unit: 'resource types', rateUnit: 'types', details: [`${p.objects} objects`] }
    : { label: 'cluster: kubelet configuration', done: p.done, total: p.total, unit: 'nodes', details: [`${p.objects} objects`] };
}

/** -n, -A and the namespace lists: which namespaces' objects to keep (undefined: all). */
export function namespaceFilter(flags: ClusterFlags): ((namespace: string) => boolean) | undefined {
  const include = flags.includeNamespaces ?? [];
  const exclude = flags.excludeNamespaces ?? [];
  if (flags.allNamespaces && flags.namespace !== undefined) throw new UsageError('-A (every namespace) and -n (one namespace) exclude each other');
  if (flags.namespace !== undefined && include.length + exclude.length > 0) throw new UsageError('-n names one namespace; --include-namespaces and --exclude-namespaces choose among many: give one or the other');
  if (include.length + exclude.length === 0) return undefined;
  return (ns) => (include.length === 0 || include.some((p) => nameMatches(p, ns))) && !exclude.some((p) => nameMatches(p, ns));
}
