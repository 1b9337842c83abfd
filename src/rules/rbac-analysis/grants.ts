// One finding per fact. A subject bound to a role gets one finding per role rule that grants it
// something dangerous, listing everything that rule grants (Secrets, exec, nodes/proxy, webhooks, …)
// under the id of the worst of them; the capability rules KM-RB-010…019 judge, this file combines.
//
// - Each capability is reported once per subject and binding, with the role rule that grants it
//   most strongly; capabilities granted by the same rule share a finding.
// - A Kubernetes default role (edit, admin, system:node) is one unit: its rules are not the user's to
//   change, the binding is, so one finding per subject lists all it grants.
// - `*` verbs on `*` resources (in the core or every group) stands for everything else its rule grants.
// - A grant in a namespace is not repeated when the same subject holds it as strongly cluster-wide.
// - The default service account's fact (KM-RB-020) joins the first finding of its binding.
// - A role nothing in the input binds is reported where it is written, two steps lower: "once bound, …".
//
// The plan is computed once per RBAC graph; each rule's visitor reports the findings under its id.

import { severityRank, type CoveredFact, type Severity, type SubjectRef } from '../../core/finding.js';
import type { Path } from '../../core/json.js';
import type { Rule, RuleContext, Visitors } from '../../core/rule.js';
import type { KubeObject } from '../../inventory/objects.js';
import {
  bindingScope,
  describeRole,
  describeSubject,
  rbacGraph,
  scopeText,
  subjectRefOf,
  type BindingNode,
  type BoundSubject,
  type RbacGraph,
  type RoleNode,
  type RuleRef,
} from '../../inventory/rbac.js';
import { evidenceOf, isClusterAdminBinding, reportableSubjects, type Capability, type CapabilitySpec, type GrantScope, type GrantSpec, type SubjectFact } from './common.js';

/** A finding decided by the plan, waiting for the rule whose id it carries to report it. */
interface Planned {
  ruleId: string;
  messageId: 'grant' | 'unbound' | 'defaultSa';
  at: Path;
  severity: Severity;
  data: Record<string, string>;
  evidence?: string;
  covers: CoveredFact[];
  subjects?: SubjectRef[];
}

/** A capability and the rule that found it. */
interface Found {
  spec: CapabilitySpec;
  capability: Capability;
}

const LATENT: Record<Severity, Severity> = { critical: 'medium', high: 'low', medium: 'low', low: 'info', info: 'info' };

/** Roles the API server creates itself; an unbound copy of one is the cluster's, not a finding. */
function isDefaultRoleName(name: string): boolean {
  return ['cluster-admin', 'admin', 'edit', 'view'].includes(name) || name.startsWith('system:') || name.startsWith('kubeadm:');
}

function capabilitiesOf(specs: readonly GrantSpec[], rules: readonly RuleRef[], scope: GrantScope): Found[] {
  const out: Found[] = [];
  for (const spec of specs) {
    if (spec.kind !== 'capability' || (spec.clusterOnly && scope === 'namespace')) continue;
    const capability = spec.judge(rules, scope);
    if (capability !== undefined) out.push({ spec, capability });
  }
  return out;
}

/** Drop what a `*`-on-`*` rule of the same role grants at least as strongly: its finding says everything. */
function withoutSubsumed(found: Found[], scope: GrantScope): Found[] {
  const subsuming = found.filter((h) => h.capability.subsumes);
  if (subsuming.length === 0) return found;
  return found.filter((h) => {
    if (h.capability.subsumes) return true;
    return !subsuming.some((s) => {
      const there = h.spec.judge(s.capability.refs, scope);
      return there !== undefined && severityRank(there.severity) >= severityRank(h.capability.severity);
    });
  });
}

/** What each subject holds cluster-wide, by rule id, at its strongest: a namespaced grant it covers is not repeated. */
class ClusterHoldings {
  private readonly bySubject = new Map<string, Map<string, Severity>>();
  /** service accounts by name → their keys, for subjects of manifests that leave the namespace to the installer */
  private readonly accountsByName = new Map<string, Set<string>>();

  add(subject: BoundSubject, ruleId: string, severity: Severity): void {
    let m = this.bySubject.get(subject.key);
    if (m === undefined) this.bySubject.set(subject.key, (m = new Map()));
    const had = m.get(ruleId);
    if (had === undefined || severityRank(severity) > severityRank(had)) m.set(ruleId, severity);
    if (subject.subject.kind === 'ServiceAccount') {
      let keys = this.accountsByName.get(subject.subject.name);
      if (keys === undefined) this.accountsByName.set(subject.subject.name, (keys = new Set()));
      keys.add(subject.key);
    }
  }

  covers(subject: BoundSubject, ruleId: string, severity: Severity): boolean {
    const held = this.of(subject)?.get(ruleId);
    return held !== undefined && severityRank(held) >= severityRank(severity);
  }

  private of(subject: BoundSubject): Map<string, Severity> | undefined {
    const direct = this.bySubject.get(subject.key);
    if (direct !== undefined || subject.subject.kind !== 'ServiceAccount' || subject.subject.namespace) return direct;
    // `sa:/argocd-server` from a RoleBinding without namespace is the `argocd/argocd-server` its
    // ClusterRoleBinding names, when that is the only account of the name bound cluster-wide
    const keys = this.accountsByName.get(subject.subject.name);
    return keys?.size === 1 ? this.bySubject.get([...keys][0]) : undefined;
  }
}

/** Capabilities grouped by the role rule that grants them (one group for a default role), worst group first. */
function groupByRule(found: Found[], role: RoleNode): Found[][] {
  const groups = new Map<RuleRef | RoleNode, Found[]>();
  for (const h of found) {
    // a default role's rules are not the user's to change, the binding is: one unit
    const key = role.builtin ? role : h.capability.refs[0];
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = []));
    g.push(h);
  }
  const list = [...groups.values()].map((g) => [...g].sort((a, b) => severityRank(b.capability.severity) - severityRank(a.capability.severity)));
  return list.sort((a, b) => severityRank(b[0].capability.severity) - severityRank(a[0].capability.severity));
}

/** The role rules behind a group, in the role's order, each once. */
function evidenceText(role: RoleNode, group: Found[]): string {
  const refs = [...new Set(group.flatMap((h) => h.capability.refs))];
  refs.sort((a, b) => role.rules.indexOf(a) - role.rules.indexOf(b));
  return refs.map((ref) => evidenceOf(role, ref)).join('; ');
}

function coversOf(group: Found[], fact?: { id: string; fact: SubjectFact }): CoveredFact[] {
  const covers: CoveredFact[] = group.map((h) => ({ ruleId: h.spec.meta.id, severity: h.capability.severity, text: h.capability.what }));
  if (fact) covers.push({ ruleId: fact.id, severity: fact.fact.severity, text: fact.fact.text });
  // worst first; among equals, catalogue order
  return covers.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.ruleId.localeCompare(b.ruleId));
}

export class GrantPlan {
  private readonly byObject = new Map<KubeObject, Planned[]>();
  private readonly holdings = new ClusterHoldings();
  /** a role's capabilities by scope, judged once however many bindings name it */
  private readonly judged = new Map<RoleNode, Partial<Record<GrantScope, Found[]>>>();

  constructor(
    readonly graph: RbacGraph,
    readonly specs: readonly GrantSpec[],
  ) {
    for (const b of graph.bindings) if (b.kind === 'ClusterRoleBinding' && b.role) this.hold(b, b.role);
    for (const b of graph.bindings) if (b.role) this.planBinding(b, b.role);
    for (const role of graph.roles.values()) this.planUnbound(role);
  }

  findings(object: KubeObject, ruleId: string): Planned[] {
    return (this.byObject.get(object) ?? []).filter((p) => p.ruleId === ruleId);
  }

  private add(object: KubeObject, p: Planned): void {
    let l = this.byObject.get(object);
    if (l === undefined) this.byObject.set(object, (l = []));
    l.push(p);
  }

  private subjectFact(binding: BindingNode, subject: BoundSubject, role: RoleNode, scope: GrantScope): { id: string; fact: SubjectFact } | undefined {
    for (const spec of this.specs) {
      if (spec.kind !== 'subject') continue;
      const fact = spec.judge(binding, subject, role, scope);
      if (fact !== undefined) return { id: spec.meta.id, fact };
    }
    return undefined;
  }

  private capabilities(role: RoleNode, scope: GrantScope): Found[] {
    let byScope = this.judged.get(role);
    if (byScope === undefined) this.judged.set(role, (byScope = {}));
    return (byScope[scope] ??= capabilitiesOf(this.specs, role.rules, scope));
  }

  private hold(b: BindingNode, role: RoleNode): void {
    const capabilities = this.capabilities(role, 'cluster');
    for (const s of b.subjects) {
      for (const h of capabilities) this.holdings.add(s, h.spec.meta.id, h.capability.severity);
      const fact = this.subjectFact(b, s, role, 'cluster');
      if (fact) this.holdings.add(s, fact.id, fact.fact.severity);
    }
  }

  private planBinding(b: BindingNode, role: RoleNode): void {
    const scope: GrantScope = b.kind === 'ClusterRoleBinding' ? 'cluster' : 'namespace';
    const all = isClusterAdminBinding(role) ? [] : withoutSubsumed(this.capabilities(role, scope), scope);
    for (const s of reportableSubjects(b)) {
      const repeated = (id: string, severity: Severity): boolean => scope === 'namespace' && this.holdings.covers(s, id, severity);
      const kept = all.filter((h) => !repeated(h.spec.meta.id, h.capability.severity));
      const found = this.subjectFact(b, s, role, scope);
      const fact = found && !repeated(found.id, found.fact.severity) ? found : undefined;
      const data = { subject: describeSubject(s.subject), role: describeRole(role), scope: scopeText(bindingScope(b)) };
      const at: Path = ['subjects', s.index];
      const subjects = [subjectRefOf(s.subject)];
      const groups = groupByRule(kept, role);
      if (groups.length === 0) {
        if (fact) this.add(b.object, { ruleId: fact.id, messageId: 'defaultSa', at, severity: fact.fact.severity, data: { ...data, fact: fact.fact.text, summary: fact.fact.summary }, ...(role.rules[0] ? { evidence: evidenceOf(role, role.rules[0]) } : {}), covers: [], subjects });
        continue;
      }
      groups.forEach((group, i) => {
        const withFact = i === 0 ? fact : undefined;
        const covers = coversOf(group, withFact);
        this.add(b.object, {
          ruleId: covers[0].ruleId,
          messageId: 'grant',
          at,
          severity: covers[0].severity,
          data: { ...data, grants: group.map((h) => h.capability.what).join('; '), note: withFact ? `: ${withFact.fact.text}` : '' },
          evidence: evidenceText(role, group),
          covers: covers.length > 1 ? covers : [],
          subjects,
        });
      });
    }
  }

  /** A role written in the input that nothing binds (nor aggregates into a role that is bound or built in). */
  private planUnbound(role: RoleNode): void {
    if (role.object === undefined || role.builtin || role.aggregated || isDefaultRoleName(role.name)) return;
    if (this.graph.bindingsOfRole(role).length > 0 || this.isAggregatedIntoAnother(role)) return;
    const scope: GrantScope = role.kind === 'ClusterRole' ? 'cluster' : 'namespace';
    const where = role.kind === 'ClusterRole' ? 'cluster-wide (through a ClusterRoleBinding)' : scopeText(role.namespace);
    for (const group of groupByRule(withoutSubsumed(capabilitiesOf(this.specs, role.declared, scope), scope), role)) {
      const covers = coversOf(group).map((c) => ({ ...c, severity: LATENT[c.severity] }));
      this.add(role.object, {
        ruleId: covers[0].ruleId,
        messageId: 'unbound',
        at: ['rules', group[0].capability.refs[0].index],
        severity: covers[0].severity,
        data: { grants: group.map((h) => h.capability.what).join('; '), scope: where },
        evidence: evidenceText(role, group),
        covers: covers.length > 1 ? covers : [],
      });
    }
  }

  private aggregatedInto: Set<RoleNode> | undefined;

  private isAggregatedIntoAnother(role: RoleNode): boolean {
    this.aggregatedInto ??= new Set([...this.graph.roles.values()].flatMap((r) => r.aggregatedFrom));
    return this.aggregatedInto.has(role);
  }
}

const plans = new WeakMap<RbacGraph, GrantPlan>();

function planOf(graph: RbacGraph, specs: readonly GrantSpec[]): GrantPlan {
  let p = plans.get(graph);
  if (p === undefined || p.specs !== specs) {
    p = new GrantPlan(graph, specs);
    plans.set(graph, p);
  }
  return p;
}

/** The rules of a set of grant specs: each reports, on bindings and roles, the planned findings under its id. */
export function grantRules(specs: readonly GrantSpec[]): Rule[] {
  return specs.map((spec) => ({
    meta: spec.meta,
    examples: spec.examples,
    create(context: RuleContext): Visitors {
      const visit = (object: KubeObject): void => {
        for (const p of planOf(rbacGraph(context.inventory), specs).findings(object, spec.meta.id)) {
          context.report({ node: object, messageId: p.messageId, at: p.at, severity: p.severity, data: p.data, ...(p.evidence !== undefined ? { evidence: p.evidence } : {}), ...(p.covers.length > 0 ? { covers: p.covers } : {}), ...(p.subjects ? { subjects: p.subjects } : {}) });
        }
      };
      return { kinds: { RoleBinding: visit, ClusterRoleBinding: visit, Role: visit, ClusterRole: visit } };
    },
  }));
}
