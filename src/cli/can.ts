// `kubemoat can SUBJECT [VERB RESOURCE]`: what a user, group or service account may do, answered from
// the RBAC graph like `kubectl auth can-i` (with `--list` when no verb is given), naming the binding
// that grants each permission, and where its permissions lead (escalation paths).

import { Command } from 'commander';
import {
  bindingScope,
  describeBinding,
  describeSubject,
  identityOf,
  parseSubject,
  SubjectSyntaxError,
  type Grant,
  type Identity,
} from '../inventory/rbac.js';
import { escalationAnalysis, type Chain, type Power } from '../inventory/rbac-escalation.js';
import { qualifiedResource } from '../inventory/rbac-resources.js';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './exit.js';
import { OutputText } from './output.js';
import {
  addRbacSourceOptions,
  describeRequest,
  grantJson,
  loadRbac,
  renderColumns,
  ruleName,
  subjectJson,
  warnAboutLoad,
  type RbacSourceFlags,
} from './who-can.js';

interface CanFlags extends RbacSourceFlags {
  group: string[];
  name?: string;
  apiGroup?: string;
  subresource?: string;
}

interface Row {
  scope: string;
  resource: string;
  urls: string;
  names: string;
  verbs: Set<string>;
  grantedBy: Set<string>;
}

function scopeCell(scope: string | undefined): string {
  return scope === undefined ? 'cluster-wide' : scope === '' ? '(namespace unset)' : `ns/${scope}`;
}

function grantedBy(g: Grant, identity: Identity): string {
  const via = g.subject.key === identity.keys[0] ? '' : ` (as ${g.subject.key.replace(/^group:/, 'group ')})`;
  return `${describeBinding(g.binding)} → ${ruleName(g.role, g.rule)}${via}`;
}

/** kubectl's `auth can-i --list` table: one row per scope, resource and names, verbs merged, with who grants them. */
function rowsOf(grants: readonly Grant[], identity: Identity): Row[] {
  const rows = new Map<string, Row>();
  const add = (scope: string, resource: string, urls: string, names: string, verbs: readonly string[], by: string): void => {
    const key = [scope, resource, urls, names].join('\0');
    let row = rows.get(key);
    if (row === undefined) rows.set(key, (row = { scope, resource, urls, names, verbs: new Set(), grantedBy: new Set() }));
    for (const v of verbs) row.verbs.add(v);
    row.grantedBy.add(by);
  };
  for (const g of grants) {
    const r = g.rule.rule;
    const scope = scopeCell(bindingScope(g.binding));
    const by = grantedBy(g, identity);
    const names = r.resourceNames.length ? `[${r.resourceNames.join(' ')}]` : '[]';
    for (const group of r.apiGroups) {
      for (const res of r.resources) add(scope, qualifiedResource(group, res), '[]', names, r.verbs, by);
    }
    // non-resource URLs only count through ClusterRoleBindings
    if (g.binding.kind === 'ClusterRoleBinding') for (const url of r.nonResourceURLs) add(scope, '', `[${url}]`, '[]', r.verbs, by);
  }
  return [...rows.values()].sort((a, b) => (a.scope === 'cluster-wide' ? -1 : 0) - (b.scope === 'cluster-wide' ? -1 : 0) || a.scope.localeCompare(b.scope) || a.resource.localeCompare(b.resource) || a.urls.localeCompare(b.urls));
}

function powerText(p: Power): string {
  return `${p.description} (${describeBinding(p.grant.binding)})`;
}

export function canCommand(): Command {
  return addRbacSourceOptions(
    new Command('can')
      .description("what SUBJECT may do (like `kubectl auth can-i --list`), or whether it may do VERB on RESOURCE, with the binding that grants it")
      .argument('<subject>', 'sa:NAMESPACE/NAME, system:serviceaccount:NAMESPACE:NAME, user:NAME, group:NAME, or a user name')
      .argument('[verb]', 'a verb to check (then RESOURCE is needed)')
      .argument('[resource]', 'pods, pods/exec, deployments.apps, or a non-resource URL such as /metrics')
      .option('--group <group>', "one more group of the user, as `kubectl --as-group` (repeatable)", (v: string, prev: string[]) => [...prev, v], [] as string[])
      .option('--name <name>', 'with VERB RESOURCE: one object by name')
      .option('--api-group <group>', 'with VERB RESOURCE: API group of RESOURCE')
      .option('--subresource <sub>', 'with VERB RESOURCE: subresource'),
  ).action(async (subjectText: string, verb: string | undefined, resource: string | undefined, flags: CanFlags) => {
    let identity: Identity;
    try {
      identity = identityOf(parseSubject(subjectText), flags.group);
    } catch (e) {
      if (e instanceof SubjectSyntaxError) throw new UsageError(e.message);
      throw e;
    }
    if (verb !== undefined && resource === undefined) throw new UsageError('give both VERB and RESOURCE, or neither to list every permission');
    const load = await loadRbac(flags);
    const graph = load.graph;
    const who = describeSubject(identity.subject).replace(/`/g, '');
    const out = new OutputText();
    const groups = identity.keys.filter((k) => k.startsWith('group:')).map((k) => k.slice(6));

    if (verb !== undefined && resource !== undefined) {
      const request = graph.request(verb, resource, flags);
      const { allowed, grants } = graph.check(identity, request);
      if (flags.format === 'json') {
        out.write(JSON.stringify({ source: load.source, subject: subjectJson(identity.subject), groups, request, namespace: flags.namespace ?? null, allowed, grants: grants.map((g) => ({ scope: bindingScope(g.binding) ?? null, via: g.subject.key, ...grantJson(g.binding, g.role, g.rule) })) }, null, 2) + '\n');
      } else {
        const where = flags.namespace === undefined ? 'cluster-wide' : `in namespace ${flags.namespace}`;
        out.write(`${allowed ? 'yes' : 'no'}: ${who} ${allowed ? 'may' : 'may not'} ${describeRequest(request)} ${where}\n`);
        for (const g of grants) out.write(`  granted by ${grantedBy(g, identity)}\n`);
        if (!allowed && flags.namespace === undefined) out.write('  (only ClusterRoleBindings count for a cluster-wide request; use -n to ask about one namespace)\n');
      }
      out.flush(flags.output);
      const loadCode = warnAboutLoad(load);
      process.exitCode = loadCode !== EXIT_OK ? loadCode : allowed ? EXIT_OK : EXIT_FINDINGS;
      return;
    }

    const grants = graph.grantsOf(identity, flags.namespace);
    const analysis = escalationAnalysis(graph);
    const powers = analysis.powersOf(identity);
    const chain: Chain | undefined = powers.length === 0 ? analysis.pathOf(identity) : undefined;
    if (flags.format === 'json') {
      out.write(
        JSON.stringify(
          {
            source: load.source,
            subject: subjectJson(identity.subject),
            groups,
            namespace: flags.namespace ?? null,
            grants: grants.map((g) => ({ scope: bindingScope(g.binding) ?? null, via: g.subject.key, ...grantJson(g.binding, g.role, g.rule) })),
            adminEquivalent: powers.map((p) => ({ power: p.description, binding: describeBinding(p.grant.binding) })),
            escalationPath: chain ? { text: chain.text, steps: chain.steps } : null,
          },
          null,
          2,
        ) + '\n',
      );
    } else {
      const where = flags.namespace === undefined ? 'in every namespace and cluster-wide' : `in namespace ${flags.namespace} (cluster-wide grants included)`;
      out.write(`${who}${groups.length ? ` (groups: ${groups.join(', ')})` : ''} may, ${where} (${load.source}):\n`);
      const rows = rowsOf(grants, identity);
      if (rows.length === 0) out.write('nothing, through the RBAC objects read\n');
      else out.write(renderColumns(['SCOPE', 'RESOURCES', 'NON-RESOURCE URLS', 'RESOURCE NAMES', 'VERBS', 'GRANTED BY'], rows.map((r) => [r.scope, r.resource, r.urls, r.names, `[${[...r.verbs].join(' ')}]`, [...r.grantedBy].join('; ')])));
      if (powers.length > 0) out.write(`\nAdmin-equivalent: ${powers.map(powerText).join('; ')}\n`);
      else if (chain) out.write(`\nEscalation path to admin-equivalent power: ${chain.text}\n`);
    }
    out.flush(flags.output);
    process.exitCode = warnAboutLoad(load);
  });
}
