// `kubemoat paths`: how the doors the other commands find chain from an entry point (the network,
// any pod, any authenticated user, a chosen subject) to an asset (cluster-admin, node root, every
// Secret, cloud credentials, etcd). Gathers like `cluster` and `probe --from-kubeconfig`, reads node
// reports and the store's alerts where given, and ranks the paths and the doors that cut them.

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Command, Option } from 'commander';
import { loadConfig } from '../core/config.js';
import type { CoverageGap, Finding, SubjectRef } from '../core/finding.js';
import { TOOL_NAME, TOOL_VERSION } from '../core/report.js';
import { analyse } from '../core/pipeline.js';
import type { Inventory } from '../inventory/inventory.js';
import { parseSubject, subjectRefOf, SubjectSyntaxError } from '../inventory/rbac.js';
import { buildGraph, findPaths } from '../paths/analyse.js';
import { ASSET_KINDS, ENTRY_KINDS, type AssetKind, type EntryKind, type PathsReport } from '../paths/model.js';
import { nodeAddressesOf, placementOf, type Placement } from '../paths/placement.js';
import { placeAlerts } from '../paths/observed.js';
import { PATHS_SCHEMA_VERSION, pathsSummary } from '../paths/report.js';
import { probeRules } from '../probe/rules/index.js';
import { runProbeRules } from '../probe/rule.js';
import { scan } from '../probe/scanner.js';
import { DEFAULT_PORTS, parseTargets } from '../probe/targets.js';
import { renderPathsTable } from '../report/paths-table.js';
import { catalogue } from '../rules/catalogue.js';
import { collectCluster } from '../sources/cluster/collect.js';
import { connect } from '../sources/cluster/connection.js';
import { loadManifests } from '../sources/manifests/source.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError } from './exit.js';
import { durationMs, milliseconds, wholeNumber } from './flag-values.js';
import { openStoreToRead, storeNamed } from './store-options.js';
import { storedPlace, type RunRecord, type StoredFinding } from '../store/store.js';
import type { Alert } from '../detect/alert.js';
import { emit, tableWidth, useColour } from './output.js';
import { knownRuleIds } from './rule-ids.js';
import { commaList } from './rule-selection.js';

const PATH_FORMATS = ['table', 'json', 'html'] as const;
type PathFormat = (typeof PATH_FORMATS)[number];

interface PathsFlags {
  kubeconfig?: string;
  context?: string;
  manifests?: string[];
  probe: boolean;
  nodeReport?: string[];
  from?: string[];
  entry?: string[];
  asset?: string[];
  perPair: number;
  baseline?: string;
  format: PathFormat;
  output?: string;
  failOn: 'path' | 'new-path' | 'never';
  config?: string;
  timeout: number;
  concurrency: number;
  store?: string;
  observedSince: string;
}

interface Evidence {
  findings: Finding[];
  inventory: Inventory;
  live: boolean;
  coverage: CoverageGap[];
  evidence: PathsReport['evidence'];
  target: PathsReport['target'];
}

const repeatable = (v: string, prev: string[] = []): string[] => [...prev, v];

export function pathsCommand(): Command {
  return new Command('paths')
    .description('attack paths: how the doors found chain from the network, any pod or any user to cluster-admin, node root, Secrets, cloud credentials and etcd')
    .option('--kubeconfig <file>', 'kubeconfig of the cluster to gather (default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account)')
    .option('--context <name>', 'kubeconfig context')
    .option('--manifests <paths...>', 'build the graph from manifests instead of a live cluster (no network entry points)')
    .option('--no-probe', "do not probe the cluster's own endpoints (API server, kubelets, etcd) for what answers anonymously")
    .option('--node-report <file>', 'a `kubemoat node -f json` report to add (repeatable)', repeatable)
    .option('--store <url>', 'a history store (sqlite:PATH, a file path, or postgres://…; default: $KUBEMOAT_STORE): its detect alerts mark the steps seen happening')
    .option('--observed-since <duration>', 'how far back the store\'s detect alerts count (24h, 30m)', '24h')
    .option('--from <subject>', 'also start from this subject: sa:NS/NAME, user:NAME, group:NAME (repeatable)', repeatable)
    .option('--entry <kinds>', `only paths from these entry points: ${ENTRY_KINDS.join(', ')} (comma-separated)`, commaList)
    .option('--asset <kinds>', `only paths to these assets: ${ASSET_KINDS.join(', ')} (comma-separated)`, commaList)
    .addOption(new Option('--per-pair <n>', 'paths kept per entry point and asset from different starting pods').default(5).argParser(wholeNumber(1, 100)))
    .option('--baseline <file>', 'an earlier `paths -f json` report: paths it had are not new')
    .addOption(new Option('-f, --format <format>', 'output format').choices(PATH_FORMATS).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <what>', 'exit 1 when there is a path (path), a path the baseline lacks (new-path), or never').choices(['path', 'new-path', 'never']).default('path'))
    .option('-c, --config <file>', 'config file (default: ./.kubemoat.yaml if present)')
    .addOption(new Option('--timeout <duration>', 'timeout of each API request and probe (15s, 1500ms)').default(15000, '15s').argParser(milliseconds))
    .addOption(new Option('--concurrency <n>', 'API requests in flight').default(4).argParser(wholeNumber(1, 64)))
    .action(async (flags: PathsFlags) => {
      const startedAt = new Date();
      const subjects = (flags.from ?? []).map(subjectOf);
      const entries = kindsOf(flags.entry, ENTRY_KINDS, '--entry');
      const assets = kindsOf(flags.asset, ASSET_KINDS, '--asset');
      const baseline = flags.baseline !== undefined ? baselineIds(flags.baseline) : undefined;
      if (flags.failOn === 'new-path' && baseline === undefined) throw new UsageError('paths: --fail-on new-path needs --baseline FILE');
      const gathered = flags.manifests !== undefined ? await fromManifests(flags) : await fromCluster(flags);
      for (const file of flags.nodeReport ?? []) addNodeReport(gathered, file);
      const alerts = storeNamed(flags) ? await fromStore(flags, gathered) : [];
      const placement: Placement = placementOf(gathered.inventory, gathered.live);
      const graph = buildGraph(gathered.findings, placement, subjects);
      const analysis = findPaths(graph, { perPair: flags.perPair, ...(entries ? { entries } : {}), ...(assets ? { assets } : {}) }, placeAlerts(alerts, placement));
      const paths = analysis.paths;
      const report: PathsReport = {
        schemaVersion: PATHS_SCHEMA_VERSION,
        tool: TOOL_NAME,
        version: TOOL_VERSION,
        startedAt: startedAt.toISOString(),
        target: gathered.target,
        evidence: gathered.evidence,
        doors: analysis.doors.filter((d) => d.paths > 0),
        paths,
        graph: analysis.graph,
        summary: pathsSummary(paths, analysis.stats),
        coverage: gathered.coverage,
      };
      const fresh = baseline === undefined ? paths : paths.filter((p) => !baseline.has(p.id));
      emit(await rendered(report, flags, baseline), flags.output);
      for (const gap of gathered.coverage.filter((c) => c.severity === 'error')) process.stderr.write(`kubemoat: not seen: ${gap.target}: ${gap.reason}\n`);
      const failing = flags.failOn === 'path' ? paths.length > 0 : flags.failOn === 'new-path' ? fresh.length > 0 : false;
      process.exitCode = gathered.coverage.some((c) => c.severity === 'error') ? EXIT_USAGE : failing ? EXIT_FINDINGS : EXIT_OK;
    });
}

async function rendered(report: PathsReport, flags: PathsFlags, baseline: ReadonlySet<string> | undefined): Promise<string> {
  switch (flags.format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'html': {
      // loaded only here: the layout library is needed for this format alone
      const { renderPathsHtml } = await import('../report/paths-html.js');
      return renderPathsHtml(report);
    }
    case 'table':
      return renderPathsTable(report, { colour: useColour(flags.output), width: tableWidth(flags.output), ...(baseline ? { baseline } : {}) });
  }
}

function subjectOf(text: string): SubjectRef {
  try {
    return subjectRefOf(parseSubject(text));
  } catch (e) {
    if (e instanceof SubjectSyntaxError) throw new UsageError(`paths: --from ${text}: ${e.message}`);
    throw e;
  }
}

function kindsOf<K extends string>(given: string[] | undefined, known: readonly K[], flag: string): K[] | undefined {
  if (given === undefined) return undefined;
  for (const g of given) if (!(known as readonly string[]).includes(g)) throw new UsageError(`paths: ${flag} ${g}: not one of ${known.join(', ')}`);
  return given as K[];
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`paths: ${what} ${file}: ${e instanceof Error && 'code' in e ? String(e.code) : 'cannot read'}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`paths: ${what} ${file}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

function baselineIds(file: string): Set<string> {
  const doc = readJson(file, '--baseline');
  const paths = typeof doc === 'object' && doc !== null && 'paths' in doc && Array.isArray(doc.paths) ? (doc.paths as unknown[]) : undefined;
  if (paths === undefined) throw new UsageError(`paths: --baseline ${file}: not a \`kubemoat paths -f json\` report (no paths[])`);
  return new Set(paths.flatMap((p) => (typeof p === 'object' && p !== null && 'id' in p && typeof p.id === 'string' ? [p.id] : [])));
}

/** A node report's findings join the graph: its kubelet settings name the node. */
function addNodeReport(into: Evidence, file: string): void {
  const doc = readJson(file, '--node-report');
  const target = typeof doc === 'object' && doc !== null && 'target' in doc ? (doc.target as { type?: unknown }) : undefined;
  if (target?.type !== 'node' || !('findings' in (doc as object))) throw new UsageError(`paths: --node-report ${file}: not a \`kubemoat node -f json\` report`);
  const report = doc as { findings: Finding[]; suppressed?: Finding[] };
  const findings = [...report.findings, ...(report.suppressed ?? [])];
  into.findings.push(...findings);
  into.evidence.push({ source: 'node', what: file, findings: findings.length });
}

async function fromManifests(flags: PathsFlags): Promise<Evidence> {
  const config = loadConfig(flags.config, knownRuleIds());
  const paths = flags.manifests ?? [];
  const load = await loadManifests(paths, {});
  const report = analyse(load.inventory, { type: 'manifests', paths }, load.coverage, new Date(), { rules: catalogue, config, minimumSeverity: 'info' });
  const findings = [...report.findings, ...report.suppressed];
  return { findings, inventory: load.inventory, live: false, coverage: report.coverage, evidence: [{ source: 'manifests', what: paths.join(' '), findings: findings.length }], target: { type: 'manifests', paths } };
}

async function fromCluster(flags: PathsFlags): Promise<Evidence> {
  const config = loadConfig(flags.config, knownRuleIds());
  const conn = await connect({ kubeconfig: flags.kubeconfig, context: flags.context, timeoutMs: flags.timeout });
  try {
    const load = await collectCluster(conn, { pageSize: 500, concurrency: flags.concurrency });
    const report = analyse(load.inventory, { type: 'cluster', context: conn.context }, load.coverage, new Date(), { rules: catalogue, config, minimumSeverity: 'info' });
    const findings = [...report.findings, ...report.suppressed];
    const evidence: Evidence = { findings, inventory: load.inventory, live: true, coverage: [...report.coverage], evidence: [{ source: 'cluster', what: `${conn.context} ${conn.server}`, findings: findings.length }], target: { type: 'cluster', context: conn.context } };
    if (flags.probe) await probeOwnEndpoints(evidence, conn.server, flags.timeout);
    return evidence;
  } finally {
    conn.close();
  }
}

/** What the cluster's own API server and nodes answer to anyone: `probe --from-kubeconfig`. */
async function probeOwnEndpoints(into: Evidence, server: string, timeoutMs: number): Promise<void> {
  const hosts = new Set<string>();
  if (URL.canParse(server)) hosts.add(new URL(server).hostname.replace(/^\[|\]$/g, ''));
  for (const addresses of nodeAddressesOf(into.inventory).values()) for (const a of addresses) if (isIP(a)) hosts.add(a);
  if (hosts.size === 0) return;
  const result = await scan(parseTargets([...hosts], []), { ports: [...DEFAULT_PORTS], concurrency: 256, rate: 0, timeoutMs: Math.min(timeoutMs, 3000), retries: 1, checkConcurrency: 16, active: false });
  const run = runProbeRules(result.endpoints, probeRules);
  for (const e of [...result.errors]) into.coverage.push({ target: e.split(': ')[0], reason: `could not inspect: ${e.slice(e.indexOf(': ') + 2)}`, severity: 'warning' });
  for (const e of run.errors) into.coverage.push({ ...e, severity: 'warning' });
  into.findings.push(...run.findings);
  into.evidence.push({ source: 'probe', what: [...hosts].join(' '), findings: run.findings.length });
}

/**
 * From the store: the detect alerts of the last `--observed-since`, placed on the workloads they
 * touched, and each node's latest complete `kubemoat node` run (the sensor DaemonSet records them),
 * whose findings join the graph as a node report's would.
 */
async function fromStore(flags: PathsFlags, into: Evidence): Promise<Alert[]> {
  const since = new Date(Date.now() - durationMs(flags.observedSince, '--observed-since')).toISOString();
  const store = await openStoreToRead(flags, 'paths --store');
  try {
    // a sensor's run can be days old and still be writing: runs are not filtered by start, alerts by time
    const runs = await store.runs({ kind: 'detect', limit: 100 });
    const alerts = (await Promise.all(runs.map((r) => store.alerts(r.id)))).flat().filter((a) => a.time >= since);
    into.evidence.push({ source: 'store', what: `${store.name}: alerts since ${since} from ${runs.length} detect run(s)`, findings: alerts.length });
    const latestByNode = new Map<string, RunRecord>();
    for (const run of await store.runs({ kind: 'node', limit: 1000 })) if (run.status === 'complete' && !latestByNode.has(run.scope)) latestByNode.set(run.scope, run);
    for (const run of latestByNode.values()) {
      const findings = (await store.findings(run.id)).filter((f) => !f.suppressed).map(storedFinding);
      into.findings.push(...findings);
      into.evidence.push({ source: 'node', what: `${store.name}: run ${run.id} (${run.scope}, ${run.startedAt})`, findings: findings.length });
    }
    return alerts;
  } finally {
    await store.close();
  }
}

const RULE_META = new Map(catalogue.map((r) => [r.meta.id, r.meta]));

/** A stored finding keeps what a step shows; the rule's catalogue entry gives back its title and fix. */
function storedFinding(s: StoredFinding): Finding {
  const meta = RULE_META.get(s.ruleId);
  return {
    ruleId: s.ruleId,
    severity: s.severity,
    title: meta?.title ?? s.ruleId,
    message: s.message,
    remediation: meta?.remediation ?? '',
    references: meta?.references ?? [],
    frameworks: meta?.frameworks ?? {},
    fingerprint: s.fingerprint,
    ...storedPlace(s),
  };
}
