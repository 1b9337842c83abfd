import { Command, Option } from 'commander';
import { loadConfig } from '../core/config.js';
import { knownRuleIds } from './rule-ids.js';
import { analyse } from '../core/pipeline.js';
import { catalogue } from '../rules/catalogue.js';
import { connect } from '../sources/cluster/connection.js';
import { collectCluster } from '../sources/cluster/collect.js';
import { addReportOptions, type ReportFlags } from './report-options.js';
import { addRepeatOptions, runPosture, type RepeatFlags } from './repeat.js';
import { addBaselineOption, addStoreOption, finishRecorded, loadBaseline, withStore, type BaselineFlags, type StoreFlags } from './store-options.js';

interface ClusterFlags extends ReportFlags, RepeatFlags, StoreFlags, BaselineFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  timeout: string;
  concurrency: string;
}

export function clusterCommand(): Command {
  return addBaselineOption(addStoreOption(addRepeatOptions(addReportOptions(
    new Command('cluster')
      .description("scan a live cluster's objects through its API (read-only)")
      .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account)')
      .option('--context <name>', 'kubeconfig context')
      .option('-n, --namespace <ns>', 'only this namespace (cluster-scoped RBAC is still read)')
      .addOption(new Option('--timeout <ms>', 'timeout of each API request').default('15000'))
      .addOption(new Option('--concurrency <n>', 'API requests in flight').default('4')),
  )))).action(async (flags: ClusterFlags) => {
    const config = loadConfig(flags.config, knownRuleIds());
    // one store for every run of the schedule; each run is recorded (and its baseline read) on its own
    await withStore(flags, (store) =>
      runPosture('cluster', flags, async () => {
        const startedAt = new Date();
        const conn = await connect({ kubeconfig: flags.kubeconfig, context: flags.context, timeoutMs: Number(flags.timeout) });
        try {
          const series = { kind: 'cluster' as const, scope: `${conn.context} ${conn.server}${flags.namespace ? ` namespace=${flags.namespace}` : ''}` };
          const baseline = await loadBaseline(flags.baseline, store, series);
          const load = await collectCluster(conn, { namespace: flags.namespace, pageSize: 500, concurrency: Math.max(1, Number(flags.concurrency)) });
          const report = analyse(load.inventory, { type: 'cluster', context: conn.context }, load.coverage, startedAt, { rules: catalogue, config, minimumSeverity: flags.severity });
          const incomplete = load.coverage.some((c) => c.severity === 'error');
          await finishRecorded(report, flags, catalogue, incomplete, { store, series, baseline });
          return { report, incomplete };
        } finally {
          conn.close();
        }
      }),
    );
  });
}
