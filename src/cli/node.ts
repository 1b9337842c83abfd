import { Command, Option } from 'commander';
import { loadConfig } from '../core/config.js';
import { knownRuleIds } from './rule-ids.js';
import { severityRank, SEVERITIES, type Severity } from '../core/finding.js';
import { analyse } from '../core/pipeline.js';
import type { Report } from '../core/report.js';
import { catalogue } from '../rules/catalogue.js';
import { collectNode } from '../sources/node/collect.js';
import { cisChecks, renderCisJson, renderCisText } from '../report/cis-summary.js';
import { addComplianceOption, addReportOptions, complianceAnalysis, type ReportFlags } from './report-options.js';
import { emit } from './output.js';
import { selectRules } from './rule-selection.js';
import { choiceOf } from './flag-values.js';
import { addRepeatOptions, runPosture, type RepeatFlags } from './repeat.js';
import { addStoreOption, finishRecorded, openStoreFor, type StoreFlags } from './store-options.js';

interface NodeFlags extends ReportFlags, RepeatFlags, StoreFlags {
  root: string;
  allNetns?: boolean;
  kubeconfig?: string;
  cis?: 'table' | 'json';
}

/** The report as `--severity` shows it; the CIS view is computed from every finding first. */
function atSeverity(report: Report, minimum: Severity): Report {
  const shown = report.findings.filter((f) => severityRank(f.severity) >= severityRank(minimum));
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, shown.filter((f) => f.severity === s).length])) as Record<Severity, number>;
  return { ...report, findings: shown, summary: { ...report.summary, total: shown.length, bySeverity, belowThreshold: report.summary.belowThreshold + report.findings.length - shown.length } };
}

export function nodeCommand(): Command {
  return addComplianceOption(addStoreOption(addRepeatOptions(addReportOptions(
    new Command('node')
      .description('audit the node kubemoat runs on (read-only): component processes and their effective settings, file permissions, static pods, runtime sockets, certificates; CIS sections 1, 2 and 4 and beyond')
      .option('--root <dir>', 'host root to read /proc and files under (e.g. /host in a DaemonSet with hostPID)', '/')
      .option('--all-netns', "audit component processes in every network namespace, not only kubemoat's own (the node's)")
      .option('--kubeconfig <file>', "ask this API server whether static pods' namespaces exist (read-only GET of each namespace)")
      .addOption(new Option('--cis <format>', 'print the CIS Benchmark checks (PASS/FAIL/WARN/N/A per item, totals per section) instead of the findings: table or json').argParser(choiceOf(['table', 'json'], { text: 'table' }))),
  )))).action(async (flags: NodeFlags) => {
    const config = loadConfig(flags.config, knownRuleIds());
    const store = await openStoreFor(flags);
    const rules = selectRules(catalogue, flags);
    let close = (): void => {};
    let namespaceExists: ((ns: string) => Promise<boolean | undefined>) | undefined;
    if (flags.kubeconfig) {
      const { connect } = await import('../sources/cluster/connection.js');
      const conn = await connect({ kubeconfig: flags.kubeconfig, timeoutMs: 10000 });
      close = () => conn.close();
      namespaceExists = async (ns) => {
        const res = await conn.get(`/api/v1/namespaces/${encodeURIComponent(ns)}`);
        return res.ok ? true : res.status === 404 ? false : undefined;
      };
    }
    try {
      await runPosture('node', flags, async () => {
        const startedAt = new Date();
        const load = await collectNode({ root: flags.root, allNetns: flags.allNetns, namespaceExists: namespaceExists && memoised(namespaceExists) });
        if (load.components.length === 0 && load.runtimes.length === 0) {
          load.coverage.push({ target: 'node', reason: `no Kubernetes component or container runtime process in this network namespace${load.otherNetns > 0 ? ` (${load.otherNetns} in other network namespaces: run kubemoat in the node's namespace, or pass --all-netns)` : ''}: nothing was audited`, severity: 'error' });
        }
        const full = analyse(load.inventory, { type: 'node', root: flags.root }, load.coverage, startedAt, { rules, config, minimumSeverity: 'info', ...complianceAnalysis(flags, catalogue) });
        const checks = cisChecks(load.inventory, full.findings, catalogue);
        const report = atSeverity(full, flags.severity);
        const incomplete = load.coverage.some((c) => c.severity === 'error');
        const recording = { store, series: { kind: 'node' as const, scope: `${load.nodeName}${flags.root !== '/' ? ` root=${flags.root}` : ''}` } };
        if (flags.cis) {
          emit(flags.cis === 'json' ? renderCisJson(checks) : renderCisText(checks), flags.output);
          await finishRecorded(report, { ...flags, format: 'json', output: '/dev/null' }, rules, incomplete, recording);
        } else {
          await finishRecorded(report, flags, rules, incomplete, recording);
          if (flags.format === 'table' && flags.output === undefined) emit(`\n${renderCisText(checks)}`, undefined);
        }
        return { report, incomplete };
      });
    } finally {
      close();
      await store?.close();
    }
  });
}

/** Each namespace asked about once per run: a namespace made or deleted between runs is seen. */
function memoised(exists: (ns: string) => Promise<boolean | undefined>): (ns: string) => Promise<boolean | undefined> {
  const seen = new Map<string, Promise<boolean | undefined>>();
  return (ns) => {
    let answer = seen.get(ns);
    if (!answer) seen.set(ns, (answer = exists(ns)));
    return answer;
  };
}
