// `kubemoat netpol`: what may reach a workload or namespace and what it may reach, from manifests
// or a live cluster, and default-deny policies for the namespaces that lack them.

import { Command, Option } from 'commander';
import type { CoverageGap } from '../core/finding.js';
import type { Path } from '../core/json.js';
import type { Inventory } from '../inventory/inventory.js';
import { describeObject } from '../inventory/objects.js';
import { netpolIndex, UNSET, type NetpolIndex, type NetpolProblem } from '../inventory/netpol.js';
import { DEFAULT_DENY_OPTIONS, planDefaultDeny, renderDefaultDeny } from '../inventory/netpol-remedy.js';
import {
  findWorkload,
  namespaceView,
  summaryView,
  workloadView,
  type DirectionView,
  type NamespaceSummary,
  type NamespaceView,
  type ViewOptions,
  type WorkloadView,
} from '../inventory/netpol-view.js';
import { loadManifests } from '../sources/manifests/source.js';
import { connect } from '../sources/cluster/connection.js';
import { collectCluster, WORKLOAD_KINDS } from '../sources/cluster/collect.js';
import { emit } from './output.js';
import { choiceOf, milliseconds, wholeNumber } from './flag-values.js';
import { EXIT_OK, EXIT_USAGE, UsageError } from './exit.js';

interface NetpolFlags {
  pod?: string;
  namespace?: string;
  emitDefaultDeny?: boolean;
  dnsNamespace: string;
  dnsPodSelector: string;
  format: 'table' | 'json';
  output?: string;
  limit: number;
  kubeconfig?: string;
  context?: string;
  timeout: number;
  concurrency: number;
}

interface Loaded {
  inventory: Inventory;
  coverage: CoverageGap[];
  incomplete: boolean;
  /** `manifests a.yaml b/` or `cluster CONTEXT` */
  source: string;
}

/** Kinds the analysis cannot do without; a live cluster that hides them gives a wrong answer. */
const ESSENTIAL = ['networkpolicies.networking.k8s.io', 'pods', 'namespaces'];

async function load(paths: string[], flags: NetpolFlags): Promise<Loaded> {
  if (paths.length > 0) {
    if (flags.kubeconfig !== undefined || flags.context !== undefined) throw new UsageError('give manifest paths or --kubeconfig/--context, not both');
    const m = await loadManifests(paths);
    return { inventory: m.inventory, coverage: m.coverage, incomplete: m.incomplete, source: `manifests ${paths.join(' ')}` };
  }
  const conn = await connect({ kubeconfig: flags.kubeconfig, context: flags.context, timeoutMs: flags.timeout });
  try {
    const kinds = new Set<string>(['Namespace', 'NetworkPolicy', ...WORKLOAD_KINDS]);
    const c = await collectCluster(conn, { pageSize: 500, concurrency: flags.concurrency, kinds });
    const incomplete = c.coverage.some((g) => g.severity === 'error' && ESSENTIAL.includes(g.target));
    return { inventory: c.inventory, coverage: c.coverage, incomplete, source: `cluster ${conn.context}` };
  } finally {
    conn.close();
  }
}

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--dns-pod-selector: \`${part}\` is not KEY=VALUE`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  if (Object.keys(out).length === 0) throw new UsageError('--dns-pod-selector needs at least one KEY=VALUE');
  return out;
}

function pathText(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function problemLines(problems: readonly NetpolProblem[]): string[] {
  if (problems.length === 0) return [];
  return ['', 'Policy problems (the API server would refuse these; they open nothing here):', ...problems.map((p) => `  ${describeObject(p.object)} ${pathText(p.path)}: ${p.message}`)];
}

function labelsText(labels: Record<string, string>): string {
  const l = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return l.length > 0 ? l.join(', ') : '(none)';
}

function directionLines(v: DirectionView, d: 'ingress' | 'egress'): string[] {
  const title = d === 'ingress' ? 'What may reach it (ingress)' : 'What it may reach (egress)';
  const lines: string[] = [];
  if (!v.governed) {
    lines.push(`  ${title}: anything. It runs on the host network, where NetworkPolicy does not apply.`);
    return lines;
  }
  if (!v.isolated) {
    lines.push(`  ${title}: anything. No ${d} policy selects it: ${d === 'ingress' ? 'any pod and any address may connect' : 'it may connect to any pod and any address'}, on every port.`);
  } else {
    lines.push(`  ${title}: isolated by ${v.policies.join(', ')}.`);
    if (v.allows.length === 0) lines.push(`    nothing is allowed ${d === 'ingress' ? 'in' : 'out'}.`);
    for (const a of v.allows) {
      const warn = a.open.length > 0 ? `  [open: ${a.open.join('; ')}]` : '';
      lines.push(`    - ${a.policy} ${d} rule ${a.rule}, on ${a.ports}${warn}`);
      if (a.peers === undefined) lines.push(`        ${d === 'ingress' ? 'from' : 'to'} anywhere (no \`${d === 'ingress' ? 'from' : 'to'}\`)`);
      for (const p of a.peers ?? []) {
        const total = p.workloadsTotal ?? 0;
        const shown = (p.workloads ?? []).slice(0, 5);
        const matched = p.workloads === undefined ? '' : total > 0 ? ` → ${shown.join(', ')}${total > shown.length ? `, +${total - shown.length} more` : ''}` : ' → no workload in the input';
        lines.push(`        ${d === 'ingress' ? 'from' : 'to'} ${p.text}${matched}`);
      }
    }
  }
  const agree = d === 'ingress' ? 'whose egress allows it too' : 'whose ingress allows it too';
  lines.push(`    workloads in the input ${d === 'ingress' ? 'that can connect to it' : 'it can connect to'} (${agree}): ${v.connectionsTotal}`);
  for (const c of v.connections) lines.push(`        ${c.workload}  ${c.ports}`);
  if (v.connectionsTotal > v.connections.length) lines.push(`        … and ${v.connectionsTotal - v.connections.length} more (raise --limit)`);
  return lines;
}

function workloadText(v: WorkloadView): string[] {
  const ports = v.ports.map((p) => `${p.protocol} ${p.port}${p.name ? ` (${p.name})` : ''}`).join(', ') || '(none declared)';
  const metadata = v.metadata.reachable ? `REACHABLE: ${v.metadata.via.join('; ')}` : 'not reachable';
  return [
    `${v.workload}`,
    `  pod labels: ${labelsText(v.labels)}`,
    `  container ports: ${ports}`,
    ...directionLines(v.ingress, 'ingress'),
    ...directionLines(v.egress, 'egress'),
    `  cloud metadata endpoint (169.254.169.254): ${metadata}`,
  ];
}

function namespaceText(v: NamespaceView): string[] {
  const lines = [`namespace ${v.namespace}`, `  labels: ${labelsText(v.labels)}`];
  if (v.uncertain) lines.push("  note: network-plugin policies (Cilium, Calico, Antrea or AdminNetworkPolicy) apply here; they may deny or allow more than shown.");
  if (v.system) lines.push('  note: a system namespace; kubemoat rules do not judge it.');
  lines.push(`  default-deny ingress: ${v.defaultDeny.ingress}`, `  default-deny egress: ${v.defaultDeny.egress}`);
  lines.push(`  NetworkPolicies: ${v.policies.length === 0 ? "none" : v.policies.length}`);
  for (const p of v.policies) lines.push(`    ${p.policy}  [${p.types.map((t) => (t === 'ingress' ? 'Ingress' : 'Egress')).join(', ')}]  podSelector ${p.podSelector}  selects ${p.selects.length > 0 ? p.selects.join(', ') : 'no workload in the input'}`);
  lines.push(`  workloads: ${v.workloads.length}`);
  for (const w of v.workloads) lines.push('', ...workloadText(w).map((l) => `  ${l}`));
  return lines;
}

function summaryText(rows: NamespaceSummary[]): string[] {
  const header = ['NAMESPACE', 'WORKLOADS', 'POLICIES', 'DENY-IN', 'DENY-OUT', 'OPEN-IN', 'OPEN-OUT', 'METADATA', 'NOTE'];
  const table = rows.map((r) => [
    r.namespace,
    String(r.workloads),
    String(r.policies),
    r.defaultDenyIngress ? 'yes' : 'no',
    r.defaultDenyEgress ? 'yes' : 'no',
    String(r.openIngress),
    String(r.openEgress),
    String(r.metadata),
    [r.system ? 'system' : '', r.uncertain ? 'plugin policies' : ''].filter(Boolean).join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const fmt = (row: string[]): string => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [
    fmt(header),
    ...table.map(fmt),
    '',
    'OPEN-IN/OPEN-OUT: workloads no policy isolates in that direction; METADATA: workloads that can reach 169.254.169.254.',
    'Ask about one: kubemoat netpol --pod NAMESPACE/NAME, or --namespace NAMESPACE.',
  ];
}

function problemsFor(index: NetpolIndex, namespace: string | undefined): NetpolProblem[] {
  return namespace === undefined ? index.problems : index.problems.filter((p) => (p.object.namespace ?? UNSET) === namespace);
}

export function netpolCommand(): Command {
  return new Command('netpol')
    .description('show what may reach a workload or namespace and what it may reach (NetworkPolicy analysis); emit default-deny policies')
    .argument('[paths...]', 'manifest files or directories (or - for stdin); without paths, the live cluster of the kubeconfig')
    .option('--pod <ns/name>', 'one workload: NAMESPACE/NAME, NAMESPACE/KIND/NAME, or a pod name in a live cluster')
    .option('-n, --namespace <ns>', 'one namespace: its default posture, policies and workloads')
    .option('--emit-default-deny', 'print default-deny ingress+egress NetworkPolicies (with DNS egress) for the namespaces that lack them')
    .addOption(new Option('--dns-namespace <ns>', 'namespace of the cluster DNS pods, for --emit-default-deny').default(DEFAULT_DENY_OPTIONS.dnsNamespace))
    .addOption(new Option('--dns-pod-selector <k=v,…>', 'labels of the cluster DNS pods, for --emit-default-deny').default('k8s-app=kube-dns'))
    .addOption(new Option('-f, --format <format>', 'output format: table or json').default('table').argParser(choiceOf(['table', 'json'], { text: 'table' })))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .addOption(new Option('--limit <n>', 'most connecting workloads listed per direction').default(25).argParser(wholeNumber(0)))
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account)')
    .option('--context <name>', 'kubeconfig context')
    .addOption(new Option('--timeout <duration>', 'timeout of each API request (15s, 1500ms; a plain number is milliseconds)').default(15000, '15s').argParser(milliseconds))
    .addOption(new Option('--concurrency <n>', 'API requests in flight').default(4).argParser(wholeNumber(1, 64)))
    .action(async (paths: string[], flags: NetpolFlags) => {
      const modes = [flags.pod !== undefined, flags.namespace !== undefined, flags.emitDefaultDeny === true].filter(Boolean).length;
      if (modes > 1) throw new UsageError('choose one of --pod, --namespace and --emit-default-deny');
      const limit = flags.limit;
      const dnsPodLabels = parseLabels(flags.dnsPodSelector);
      const loaded = await load(paths, flags);
      for (const gap of loaded.coverage.filter((c) => c.severity === 'error')) {
        process.stderr.write(`kubemoat: not read: ${gap.target}${gap.line ? `:${gap.line}` : ''}: ${gap.reason}\n`);
      }
      const index = netpolIndex(loaded.inventory);
      const options: ViewOptions = { connectionLimit: limit };
      const json = flags.format === 'json';
      let text: string;
      if (flags.emitDefaultDeny) {
        const plans = planDefaultDeny(index);
        text = json
          ? `${JSON.stringify({ source: loaded.source, plans }, null, 2)}\n`
          : renderDefaultDeny(index, plans, { ...DEFAULT_DENY_OPTIONS, dnsNamespace: flags.dnsNamespace, dnsPodLabels });
      } else if (flags.pod !== undefined) {
        const found = findWorkload(index, flags.pod);
        if (found.pod === undefined) throw new UsageError(found.error ?? `no workload ${flags.pod}`);
        const view = workloadView(index, found.pod, options);
        const problems = problemsFor(index, found.pod.namespace);
        text = json
          ? `${JSON.stringify({ source: loaded.source, ...(found.note ? { note: found.note } : {}), workload: view, problems: problems.map(problemJson) }, null, 2)}\n`
          : `${[...(found.note ? [`(${found.note})`] : []), ...workloadText(view), ...problemLines(problems)].join('\n')}\n`;
      } else if (flags.namespace !== undefined) {
        const name = flags.namespace === '(unset)' ? UNSET : flags.namespace;
        const ns = index.namespaceInfo(name);
        if (ns === undefined) {
          const known = [...index.namespaces.keys()].map((n) => (n === UNSET ? '(unset)' : n)).sort();
          throw new UsageError(`no namespace \`${flags.namespace}\` in the ${loaded.source}; known: ${known.join(', ') || 'none'}`);
        }
        const view = namespaceView(index, ns, options);
        const problems = problemsFor(index, name);
        text = json ? `${JSON.stringify({ source: loaded.source, namespace: view, problems: problems.map(problemJson) }, null, 2)}\n` : `${[...namespaceText(view), ...problemLines(problems)].join('\n')}\n`;
      } else {
        const rows = summaryView(index);
        text = json
          ? `${JSON.stringify({ source: loaded.source, namespaces: rows, problems: index.problems.map(problemJson) }, null, 2)}\n`
          : `${[...summaryText(rows), ...problemLines(index.problems)].join('\n')}\n`;
      }
      emit(text, flags.output);
      if (loaded.incomplete) {
        process.stderr.write('kubemoat: part of the input could not be read (see above); the answer may be wrong where it is missing.\n');
        process.exitCode = EXIT_USAGE;
      } else {
        process.exitCode = EXIT_OK;
      }
    });
}

function problemJson(p: NetpolProblem): { resource: string; field: string; message: string } {
  return { resource: describeObject(p.object), field: pathText(p.path), message: p.message };
}
