// `kubemoat probe TARGET…`: what answers on the Kubernetes ports of these hosts, and which of
// those doors are open to anyone. Read-only unless --active.

import { Command, Option } from 'commander';
import { loadConfig, type KubemoatConfig } from '../core/config.js';
import { knownRuleIds } from './rule-ids.js';
import type { CoverageGap, Finding } from '../core/finding.js';
import { severityRank } from '../core/finding.js';
import { buildReport, type Report } from '../core/report.js';
import { applySuppressions } from '../core/suppression.js';
import { KUBERNETES_SERVICES, type HostSummary, type ProbedEndpoint } from '../probe/model.js';
import { runProbeRules } from '../probe/rule.js';
import { probeRules } from '../probe/rules/index.js';
import { compareHosts, scan, type ScanProgress } from '../probe/scanner.js';
import { DEFAULT_PORTS, hostCount, kubeconfigTargets, parsePorts, parseTargets, probeCount } from '../probe/targets.js';
import { UsageError } from './exit.js';
import { emit } from './output.js';
import { milliseconds } from './flag-values.js';
import { addReportOptions, type ReportFlags } from './report-options.js';
import { selectRules } from './rule-selection.js';
import { addRepeatOptions, runPosture, type PostureRun, type RepeatFlags } from './repeat.js';
import { listScope } from '../store/record.js';
import type { HistoryStore, Series } from '../store/store.js';
import { addStoreOption, finishRecorded, withStore, type StoreFlags } from './store-options.js';
import { addProgressOption, progressLine, type ProgressState } from './progress.js';

interface ProbeFlags extends ReportFlags, RepeatFlags, StoreFlags {
  ports?: string;
  exclude?: string[];
  fromKubeconfig?: string | true;
  context?: string;
  rate: string;
  concurrency: string;
  timeout: number;
  retries: string;
  active?: true;
  progress: boolean;
}

interface ProbeSettings {
  timeoutMs: number;
  concurrency: number;
  rate: number;
  retries: number;
  ports: number[];
}

function atLeast(name: string, ms: number, min: number): number {
  if (ms < min) throw new UsageError(`${name} must be at least ${min} ms (got ${ms} ms)`);
  return ms;
}

function positiveInt(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer ≥ ${min} (got "${value}")`);
  return n;
}

/** Node addresses from the cluster the kubeconfig points at (needs `list nodes`). */
async function kubeconfigNodes(file: string | undefined, context: string | undefined, timeoutMs: number): Promise<{ hosts: string[]; gap?: CoverageGap }> {
  const { connect } = await import('../sources/cluster/connection.js');
  try {
    const conn = await connect({ kubeconfig: file, context, timeoutMs });
    try {
      const r = await conn.get('/api/v1/nodes');
      if (!r.ok) return { hosts: [], gap: { target: conn.server, reason: `cannot list nodes for their addresses (${r.status} ${r.reason}); only the API server is probed`, severity: 'warning' } };
      const body = r.body as { items?: { status?: { addresses?: { type?: string; address?: string }[] } }[] };
      const hosts = (body.items ?? []).flatMap((n) => (n.status?.addresses ?? []).filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP').map((a) => a.address ?? '')).filter(Boolean);
      return { hosts };
    } finally {
      conn.close();
    }
  } catch (e) {
    return { hosts: [], gap: { target: file ?? 'kubeconfig', reason: `cannot reach the cluster to list nodes: ${e instanceof Error ? e.message : String(e)}; only the API server address is probed`, severity: 'warning' } };
  }
}

export function hostSummaries(endpoints: readonly ProbedEndpoint[], findings: readonly Finding[]): HostSummary[] {
  const byHost = new Map<string, HostSummary>();
  for (const ep of endpoints) {
    let h = byHost.get(ep.host);
    if (h === undefined) byHost.set(ep.host, (h = { host: ep.host, open: [], findings: 0 }));
    h.open.push({ port: ep.port, service: ep.service, scheme: ep.scheme, ...(ep.version ? { version: ep.version } : {}) });
  }
  for (const f of findings) {
    const e = f.endpoint;
    if (e === undefined) continue;
    const host = 'host' in e ? e.host : new URL(e.url).hostname.replace(/^\[|\]$/g, '');
    const h = byHost.get(host);
    if (h === undefined) continue;
    h.findings++;
    if (h.worst === undefined || severityRank(f.severity) > severityRank(h.worst as Finding['severity'])) h.worst = f.severity;
  }
  return [...byHost.values()].sort((a, b) => compareHosts(a.host, b.host));
}

export function renderHostSummary(hosts: readonly HostSummary[], scanned: number): string {
  const lines = [`Hosts: ${scanned} scanned, ${hosts.length} with open ports`];
  for (const h of hosts) {
    const services = h.open.map((o) => `${o.port}/${KUBERNETES_SERVICES.has(o.service) ? o.service : `(${o.service})`}`).join(' ');
    lines.push(`  ${h.host.padEnd(16)} ${services}${h.findings ? `  — ${h.findings} finding${h.findings === 1 ? '' : 's'}, worst ${h.worst}` : ''}`);
  }
  return lines.join('\n') + '\n\n';
}

/** The probe's state as the shared progress line shows it. */
export function probeProgress(p: ScanProgress, total: number, hosts: number): ProgressState {
  return { label: 'probe', done: p.done, total, unit: 'ports', rateUnit: 'probes', details: [`${p.hostsDone}/${hosts} hosts`, `${p.open} open`] };
}

export function probeCommand(): Command {
  return addProgressOption(addStoreOption(addRepeatOptions(addReportOptions(
    new Command('probe')
      .description('probe hosts for exposed Kubernetes API servers, kubelets, etcd, dashboards and proxies (read-only unless --active)')
      .argument('[targets...]', 'IPs, CIDRs (10.0.0.0/24, fd00::/120), ranges (10.0.0.1-10.0.0.9), host names, host:port, [v6]:port, @file; !spec excludes')
      .option('-p, --ports <list>', `ports or ranges (default ${DEFAULT_PORTS.join(',')}); a leading + adds to the defaults, e.g. +30000-32767`)
      .option('--exclude <list>', 'addresses, CIDRs or names not to probe, comma-separated (repeatable)', (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((x) => x.trim()).filter(Boolean)])
      .option('--from-kubeconfig [file]', "probe the API server and node addresses of the kubeconfig's cluster")
      .option('--context <name>', 'kubeconfig context for --from-kubeconfig')
      .addOption(new Option('--rate <n>', 'new connections per second at most (0: no limit)').default('0'))
      .addOption(new Option('--concurrency <n>', 'connections in flight at most').default('1000'))
      .addOption(new Option('--timeout <duration>', 'timeout of each connection and each HTTP exchange (1500ms, 2s; a plain number is milliseconds)').default(1500, '1500ms').argParser(milliseconds))
      .addOption(new Option('--retries <n>', 'extra connection attempts to a port that did not answer').default('1'))
      .option('--active', 'prove impact: run `id` through an open kubelet /run in one pod, write and delete a marker key in an open etcd (announced first)')
  )))).action(async (words: string[], flags: ProbeFlags) => {
    const config = loadConfig(flags.config, knownRuleIds());
    if (words.length === 0 && flags.fromKubeconfig === undefined) throw new UsageError('probe: give at least one target (an address, CIDR, host name, host:port or @file), or --from-kubeconfig');
    const settings: ProbeSettings = {
      timeoutMs: atLeast('--timeout', flags.timeout, 50),
      concurrency: positiveInt('--concurrency', flags.concurrency, 1),
      rate: positiveInt('--rate', flags.rate, 0),
      retries: positiveInt('--retries', flags.retries, 0),
      ports: flags.ports !== undefined ? parsePorts(flags.ports) : [...DEFAULT_PORTS],
    };
    await withStore(flags, (store) => runPosture('probe', flags, () => probeOnce(words, flags, settings, config, store)));
  });
}

/** One probe of the targets (the kubeconfig's addresses are read again each run). */
async function probeOnce(words: string[], flags: ProbeFlags, settings: ProbeSettings, config: KubemoatConfig, store: HistoryStore | undefined): Promise<PostureRun> {
  const { timeoutMs, concurrency, rate, retries, ports } = settings;
  const startedAt = new Date();
  const coverage: CoverageGap[] = [];
  const all = [...words];
  if (flags.fromKubeconfig !== undefined) {
    const file = flags.fromKubeconfig === true ? undefined : flags.fromKubeconfig;
    all.push(...(await kubeconfigTargets(file, flags.context)));
    const nodes = await kubeconfigNodes(file, flags.context, timeoutMs * 4);
    all.push(...nodes.hosts);
    if (nodes.gap) coverage.push(nodes.gap);
  }
  if (all.length === 0) throw new UsageError('probe: give at least one target (an address, CIDR, host name, host:port or @file), or --from-kubeconfig');
  const targets = parseTargets(all, flags.exclude ?? []);
  const total = probeCount(targets, ports);
  const hosts = hostCount(targets);
  if (total === 0) throw new UsageError('probe: every target is excluded; nothing to probe');
  if (flags.active) {
    process.stderr.write('kubemoat: --active: where a kubelet lets anyone run commands, kubemoat will run `id` in one container; where etcd lets anyone write, it will write and then delete one key under /kubemoat-probe/.\n');
  }
  const started = performance.now();
  const progress = progressLine(flags);
  const result = await scan(targets, {
    ports,
    concurrency,
    rate,
    timeoutMs,
    retries,
    checkConcurrency: Math.min(64, concurrency),
    active: flags.active === true,
    onProgress: (p) => progress.update(probeProgress(p, total, hosts)),
  });
  progress.clear();
  for (const name of result.unreachableHosts) coverage.push({ target: name, reason: 'host name did not resolve or the host is unreachable', severity: 'error' });
  for (const e of result.errors) coverage.push({ target: e.split(': ')[0], reason: `could not inspect: ${e.slice(e.indexOf(': ') + 2)}`, severity: 'error' });
  const rules = selectRules(probeRules, flags);
  const run = runProbeRules(result.endpoints, rules);
  for (const e of run.errors) coverage.push({ ...e, severity: 'error' });
  const today = new Date().toISOString().slice(0, 10);
  const { expired } = applySuppressions(run.findings, config, () => [], today);
  for (const s of expired) coverage.push({ target: config.file ?? '.kubemoat.yaml', reason: `suppression of ${s.rules.join(', ')} expired on ${s.expires}; its findings are reported again`, severity: 'warning' });
  const base = buildReport({ startedAt, target: { type: 'network', targets: all }, findings: run.findings, coverage, minimumSeverity: flags.severity, resources: result.endpoints.length });
  const hostList = hostSummaries(result.endpoints, base.findings);
  const wall = (performance.now() - started) / 1000;
  const report: Report & { hosts: HostSummary[]; endpoints: ProbedEndpoint[]; scan: object } = {
    ...base,
    hosts: hostList,
    endpoints: result.endpoints,
    scan: { ports, hosts, probes: result.stats.probes, connects: result.stats.connects, open: result.stats.open, closed: result.stats.closed, filtered: result.stats.filtered, unreachable: result.stats.unreachable, seconds: Number(wall.toFixed(2)) },
  };
  if (flags.format === 'table' && flags.output === undefined) emit(renderHostSummary(hostList, hosts), undefined);
  if (flags.format === 'table' || flags.output !== undefined) {
    process.stderr.write(`kubemoat: probed ${result.stats.probes} ports on ${hosts} hosts in ${wall.toFixed(1)} s: ${result.stats.open} open, ${result.stats.closed} closed, ${result.stats.filtered} no answer\n`);
  }
  const incomplete = coverage.some((c) => c.severity === 'error');
  await finishRecorded(report, flags, rules, incomplete, { store, series: probeSeries(words, flags) });
  return { report, incomplete };
}

/** The targets as given (a kubeconfig by name: its node addresses may change between runs) and any --ports. */
function probeSeries(words: readonly string[], flags: ProbeFlags): Series {
  const kubeconfig = flags.fromKubeconfig === undefined ? [] : [`kubeconfig:${flags.fromKubeconfig === true ? '(default)' : flags.fromKubeconfig}${flags.context ? `@${flags.context}` : ''}`];
  return { kind: 'probe', scope: `${listScope([...words, ...kubeconfig])}${flags.ports !== undefined ? ` ports=${flags.ports}` : ''}` };
}
