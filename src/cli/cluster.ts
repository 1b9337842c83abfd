import { Command, Option } from 'commander';
import { loadConfig } from '../core/config.js';
import { knownRuleIds } from './rule-ids.js';
import { analyse } from '../core/pipeline.js';
import { catalogue } from '../rules/catalogue.js';
import { connect } from '../sources/cluster/connection.js';
import { collectCluster } from '../sources/cluster/collect.js';
import { addReportOptions, finishReport, type ReportFlags } from './report-options.js';
import { milliseconds, wholeNumber } from './flag-values.js';
import { addRepeatOptions, runPosture, type RepeatFlags } from './repeat.js';

interface ClusterFlags extends ReportFlags, RepeatFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  timeout: number;
  concurrency: number;
}

export function clusterCommand(): Command {
  return addRepeatOptions(addReportOptions(
    new Command('cluster')
      .description("scan a live cluster's objects through its API (read-only)")
      .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account)')
      .option('--context <name>', 'kubeconfig context')
      .option('-n, --namespace <ns>', 'only this namespace (cluster-scoped RBAC is still read)')
      .addOption(new Option('--timeout <duration>', 'timeout of each API request (15s, 1500ms; a plain number is milliseconds)').default(15000, '15s').argParser(milliseconds))
      .addOption(new Option('--concurrency <n>', 'API requests in flight').default(4).argParser(wholeNumber(1, 64))),
  )).action(async (flags: ClusterFlags) => {
    const config = loadConfig(flags.config, knownRuleIds());
    await runPosture('cluster', flags, async () => {
      const startedAt = new Date();
      const conn = await connect({ kubeconfig: flags.kubeconfig, context: flags.context, timeoutMs: flags.timeout });
      try {
        const load = await collectCluster(conn, { namespace: flags.namespace, pageSize: 500, concurrency: flags.concurrency });
        const report = analyse(load.inventory, { type: 'cluster', context: conn.context }, load.coverage, startedAt, { rules: catalogue, config, minimumSeverity: flags.severity });
        const incomplete = load.coverage.some((c) => c.severity === 'error');
        finishReport(report, flags, catalogue, incomplete);
        return { report, incomplete };
      } finally {
        conn.close();
      }
    });
  });
}
