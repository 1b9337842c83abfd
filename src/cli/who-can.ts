// `kubemoat who-can VERB RESOURCE`: every subject the RBAC graph allows to do it, with the binding
// and role rule that grant it, from manifests or a live cluster. Also the loading and table helpers
// `kubemoat can` shares.

import { Command, Option } from 'commander';
import type { CoverageGap } from '../core/finding.js';
import type { Inventory } from '../inventory/inventory.js';
import {
  describeBinding,
  describeRole,
  describeSubject,
  isUrlRequest,
  rbacGraph,
  ruleText,
  scopeText,
  type AccessRequest,
  type BindingNode,
  type RbacGraph,
  type RoleNode,
  type RuleRef,
  type Subject,
  type WhoCanEntry,
} from '../inventory/rbac.js';
import { fieldPosition } from '../inventory/objects.js';
import { parseResource, qualifiedResource } from '../inventory/rbac-resources.js';
import { connect } from '../sources/cluster/connection.js';
import { collectCluster, WORKLOAD_KINDS } from '../sources/cluster/collect.js';
import { loadManifests } from '../sources/manifests/source.js';
import { EXIT_OK, EXIT_USAGE, UsageError } from './exit.js';
import { milliseconds, wholeNumber } from './flag-values.js';
import { OutputText, outputOption } from './output.js';

export interface RbacSourceFlags {
  /** -o: where the answer goes */
  output?: string;
  manifests?: string[];
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  timeout: number;
  concurrency: number;
  format: 'table' | 'json';
}

export interface RbacLoad {
  inventory: Inventory;
  graph: RbacGraph;
  coverage: CoverageGap[];
  /** an RBAC kind could not be read: answers may miss grants */
  incomplete: boolean;
  /** `manifests a.yaml b/` or `cluster CONTEXT` */
  source: string;
}

const RBAC_TARGETS = ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'].map((r) => `${r}.rbac.authorization.k8s.io`);

/** The source flags of who-can and can: manifests, or a live cluster through a kubeconfig. */
export function addRbacSourceOptions(cmd: Command): Command {
  return cmd
    .option('--manifests <paths...>', 'read RBAC from manifests (files, directories, - for stdin) instead of a live cluster; put it after the arguments')
    .option('--kubeconfig <file>', 'kubeconfig of the live cluster (default: $KUBECONFIG, ~/.kube/config, or the in-cluster service account)')
    .option('--context <name>', 'kubeconfig context')
    .option('-n, --namespace <ns>', 'the namespace to ask about (default: every namespace and cluster-wide; for `can SUBJECT VERB RESOURCE`, a cluster-wide request)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .addOption(outputOption())
    .addOption(new Option('--timeout <duration>', 'timeout of each API request (15s, 1500ms; a plain number is milliseconds)').default(15000, '15s').argParser(milliseconds))
    .addOption(new Option('--concurrency <n>', 'API requests in flight').default(4).argParser(wholeNumber(1, 64)));
}

export async function loadRbac(flags: RbacSourceFlags): Promise<RbacLoad> {
  if (flags.manifests && flags.manifests.length > 0) {
    if (flags.kubeconfig !== undefined || flags.context !== undefined) throw new UsageError('give --manifests or --kubeconfig/--context, not both');
    const m = await loadManifests(flags.manifests);
    return { inventory: m.inventory, graph: rbacGraph(m.inventory), coverage: m.coverage, incomplete: m.incomplete, source: `manifests ${flags.manifests.join(' ')}` };
  }
  const conn = await connect({ kubeconfig: flags.kubeconfig, context: flags.context, timeoutMs: flags.timeout });
  try {
    // -n narrows the namespaced lists; ClusterRoles and ClusterRoleBindings are always read whole
    const kinds = new Set<string>(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'ServiceAccount', 'Namespace', ...WORKLOAD_KINDS]);
    const c = await collectCluster(conn, { namespace: flags.namespace, pageSize: 500, concurrency: flags.concurrency, kinds });
    const incomplete = c.coverage.some((g) => g.severity === 'error' && RBAC_TARGETS.includes(g.target));
    return { inventory: c.inventory, graph: rbacGraph(c.inventory), coverage: c.coverage, incomplete, source: `cluster ${conn.context}` };
  } finally {
    conn.close();
  }
}

/** Say on stderr what could not be read and which bindings point nowhere; returns the exit code to use. */
export function warnAboutLoad(load: RbacLoad): number {
  for (const gap of load.coverage.filter((c) => c.severity === 'error')) {
    process.stderr.write(`kubemoat: not read: ${gap.target}${gap.line ? `:${gap.line}` : ''}: ${gap.reason}\n`);
  }
  for (const p of load.graph.problems) process.stderr.write(`kubemoat: note: ${p.message}\n`);
  if (load.incomplete) {
    process.stderr.write('kubemoat: some RBAC objects could not be read; the answer may miss grants.\n');
    return EXIT_USAGE;
  }
  return EXIT_OK;
}

/** Left-aligned columns, two spaces apart. */
export function renderColumns(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** `rbac.yaml:12`, `live CONTEXT`, or `Kubernetes default`, for a rule of a role. */
export function ruleLocation(ref: RuleRef): string {
  const o = ref.role.object;
  if (o === undefined) return 'Kubernetes default';
  if (o.origin.type === 'node') return 'this node';
  if (o.origin.type !== 'file') return `live ${o.origin.context}`;
  const { line } = fieldPosition(o.origin, ['rules', ref.index]);
  return `${o.origin.file}:${line}`;
}

export function bindingLocation(b: BindingNode): string | undefined {
  const o = b.object;
  if (o.origin.type !== 'file') return undefined;
  const { line } = fieldPosition(o.origin, []);
  return `${o.origin.file}:${line}`;
}

/** The granting rule, named by role and index: `ClusterRole edit rules[3]` (aggregated: from which role). */
export function ruleName(role: RoleNode, ref: RuleRef): string {
  return ref.role === role ? `${describeRole(role)} rules[${ref.index}]` : `${describeRole(role)} ← ${describeRole(ref.role)} rules[${ref.index}]`;
}

export function subjectJson(s: Subject): Record<string, string> {
  return { kind: s.kind, name: s.name, ...(s.kind === 'ServiceAccount' ? { namespace: s.namespace ?? '' } : {}) };
}

export function grantJson(binding: BindingNode, role: RoleNode, rule: RuleRef): Record<string, unknown> {
  const where = bindingLocation(binding);
  return {
    binding: { kind: binding.kind, name: binding.name, ...(binding.namespace !== undefined ? { namespace: binding.namespace } : {}), ...(where ? { location: where } : {}) },
    role: { kind: role.kind, name: role.name, ...(role.namespace !== undefined ? { namespace: role.namespace } : {}), builtin: role.builtin },
    rule: { ...rule.rule, role: describeRole(rule.role), index: rule.index, location: ruleLocation(rule) },
  };
}

export function describeRequest(req: AccessRequest): string {
  if (isUrlRequest(req)) return `${req.verb} ${req.path}`;
  const res = qualifiedResource(req.group, req.resource) + (req.subresource ? `/${req.subresource}` : '');
  return `${req.verb} ${res}${req.name !== undefined ? ` named ${req.name}` : ''}`;
}

interface WhoCanFlags extends RbacSourceFlags {
  name?: string;
  apiGroup?: string;
  subresource?: string;
}

export function whoCanCommand(): Command {
  return addRbacSourceOptions(
    new Command('who-can')
      .description('list every subject that may do VERB on RESOURCE, with the binding and role rule that grant it')
      .argument('<verb>', 'get, list, create, delete, impersonate, bind, escalate, … (or * for rules that allow every verb)')
      .argument('<resource>', 'pods, pods/exec, deployments.apps, nodes/proxy, serviceaccounts/token, or a non-resource URL such as /metrics')
      .option('--name <name>', 'one object by name (rules limited by resourceNames then count only if they name it)')
      .option('--api-group <group>', 'API group of RESOURCE (default: from the name: deployments → apps, foos.example.com → example.com)')
      .option('--subresource <sub>', 'subresource, as in pods/exec'),
  ).action(async (verb: string, resource: string, flags: WhoCanFlags) => {
    if (!resource.startsWith('/')) {
      const parsed = parseResource(resource, flags.apiGroup);
      if (parsed.guessed) process.stderr.write(`kubemoat: \`${parsed.resource}\` is not a built-in resource; assuming the core API group (write ${parsed.resource}.GROUP or --api-group for another)\n`);
    }
    const load = await loadRbac(flags);
    const graph = load.graph;
    const request = graph.request(verb, resource, flags);
    // without --name, a rule limited to some names still lets the subject do it to those: show it, with the names
    const entries = graph.whoCanRequest(request, { namespace: flags.namespace, anyName: flags.name === undefined });
    const out = new OutputText();
    const where = flags.namespace !== undefined ? scopeText(flags.namespace) : 'in any namespace or cluster-wide';
    if (flags.format === 'json') {
      out.write(JSON.stringify({ source: load.source, request, namespace: flags.namespace ?? null, answers: entries.map(entryJson), problems: graph.problems.map((p) => p.message) }, null, 2) + '\n');
    } else {
      out.write(`Who can ${describeRequest(request)} ${where} (${load.source}):\n`);
      if (entries.length === 0) out.write('nobody, through the RBAC objects read\n');
      else out.write(renderColumns(['SUBJECT', 'SCOPE', 'BINDING', 'ROLE RULE', 'ONLY NAMES'], entries.map(entryRow)));
    }
    out.flush(flags.output);
    process.exitCode = warnAboutLoad(load);
  });
}

function scopeCell(scope: string | undefined): string {
  return scope === undefined ? 'cluster-wide' : scope === '' ? '(namespace unset)' : `ns/${scope}`;
}

function entryRow(e: WhoCanEntry): string[] {
  return [
    describeSubject(e.subject.subject).replace(/`/g, ''),
    scopeCell(e.scope),
    describeBinding(e.binding),
    `${ruleName(e.role, e.rule)}: ${ruleText(e.rule.rule)}`,
    e.rule.rule.resourceNames.length > 0 ? e.rule.rule.resourceNames.join(',') : '',
  ];
}

function entryJson(e: WhoCanEntry): Record<string, unknown> {
  return { subject: subjectJson(e.subject.subject), scope: e.scope ?? null, ...grantJson(e.binding, e.role, e.rule) };
}
