// Shared by the RBAC analysis rules: visiting bindings with their resolved role (from the RBAC graph,
// built once per inventory), choosing the subjects worth a finding, and naming what was granted.

import type { Severity } from '../../core/finding.js';
import type { RuleContext, Visitors } from '../../core/rule.js';
import { fieldPosition, type KubeObject } from '../../inventory/objects.js';
import {
  bindingScope,
  describeRole,
  describeSubject,
  isBuiltinGrant,
  isWildcardRule,
  rbacGraph,
  ruleText,
  scopeText,
  type BindingNode,
  type BoundSubject,
  type PolicyRule,
  type RbacGraph,
  type RoleNode,
  type RuleRef,
} from '../../inventory/rbac.js';

export const MITRE = {
  validAccounts: 'T1078',
  defaultAccounts: 'T1078.001',
  accountManipulation: 'T1098',
  containerAdministrationCommand: 'T1609',
  deployContainer: 'T1610',
  escapeToHost: 'T1611',
  containerApi: 'T1552.007',
  stealApplicationAccessToken: 'T1528',
} as const;

export const NSA_RBAC = 'NSA-CISA Authentication and authorization: role-based access control';

export const RBAC_DOCS = {
  rbac: 'https://kubernetes.io/docs/reference/access-authn-authz/rbac/',
  goodPractices: 'https://kubernetes.io/docs/concepts/security/rbac-good-practices/',
  escalationPrevention: 'https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping',
  impersonation: 'https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation',
  csr: 'https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/',
  admissionWebhooks: 'https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/',
  persistentVolumes: 'https://kubernetes.io/docs/concepts/storage/persistent-volumes/',
  kubeletAuth: 'https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/',
  serviceAccounts: 'https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/',
  tokenRequest: 'https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/',
} as const;

/** A binding with a resolved role, as the rules see it. */
export interface BindingVisit {
  object: KubeObject;
  binding: BindingNode;
  role: RoleNode;
  graph: RbacGraph;
  /** undefined for cluster-wide */
  scope: string | undefined;
}

/** Visitors for RoleBindings and ClusterRoleBindings whose role exists. */
export function bindingVisitors(context: RuleContext, visit: (v: BindingVisit) => void): Visitors {
  const fn = (object: KubeObject): void => {
    const graph = rbacGraph(context.inventory);
    const binding = graph.bindingOf(object);
    if (binding === undefined || binding.role === undefined) return;
    visit({ object, binding, role: binding.role, graph, scope: bindingScope(binding) });
  };
  return { kinds: { RoleBinding: fn, ClusterRoleBinding: fn } };
}

/** The subjects a finding is about: not the cluster's own built-in grants. */
export function reportableSubjects(b: BindingNode): BoundSubject[] {
  return b.subjects.filter((s) => !isBuiltinGrant(b, s));
}

/** Bindings to cluster-admin are KM-RB-001's; the single-permission rules stay quiet on them. */
export function isClusterAdminBinding(v: BindingVisit): boolean {
  return v.role.kind === 'ClusterRole' && v.role.name === 'cluster-admin' && v.role.rules.some((r) => isWildcardRule(r.rule) && r.rule.apiGroups.includes('*'));
}

/**
 * The first rule of the role for which `test` says something, skipping `*`-on-`*` rules (KM-RB-010
 * reports those, and they would otherwise repeat in every rule).
 */
export function firstMatch<T>(role: RoleNode, test: (rule: PolicyRule) => T | undefined, options: { includeWildcards?: boolean } = {}): { ref: RuleRef; value: T } | undefined {
  for (const ref of role.rules) {
    if (!options.includeWildcards && isWildcardRule(ref.rule)) continue;
    const value = test(ref.rule);
    if (value !== undefined) return { ref, value };
  }
  return undefined;
}

/** The rule for which `test` gives the highest `rank` (the first among equals), skipping `*`-on-`*` rules. */
export function bestMatch<T>(role: RoleNode, test: (rule: PolicyRule) => T | undefined, rank: (t: T) => number): { ref: RuleRef; value: T } | undefined {
  let best: { ref: RuleRef; value: T } | undefined;
  for (const ref of role.rules) {
    if (isWildcardRule(ref.rule)) continue;
    const value = test(ref.rule);
    if (value !== undefined && (best === undefined || rank(value) > rank(best.value))) best = { ref, value };
  }
  return best;
}

/** Where a rule is written: `rbac.yaml:12`, or the live object. */
function placeOf(ref: RuleRef): string {
  const o = ref.role.object;
  if (o === undefined) return 'Kubernetes default';
  if (o.origin.type === 'node') return 'this node';
  if (o.origin.type !== 'file') return `live ${o.origin.context}`;
  const { line } = fieldPosition(o.origin, ['rules', ref.index]);
  return `${o.origin.file}:${line}`;
}

/** `ClusterRole reader rules[1] (rbac.yaml:12): get, list on secrets`; aggregated roles say where the rule came from. */
export function evidenceOf(role: RoleNode, ref: RuleRef): string {
  const source = ref.role === role ? `${describeRole(role)} rules[${ref.index}]` : `${describeRole(role)}, aggregated from ${describeRole(ref.role)} rules[${ref.index}]`;
  return `${source} (${placeOf(ref)}): ${ruleText(ref.rule)}`;
}

export function bySeverity(scope: string | undefined, cluster: Severity, namespaced: Severity): Severity {
  return scope === undefined ? cluster : namespaced;
}

/** Report one finding per reportable subject of the binding, at that subject. */
export function reportSubjects(
  context: RuleContext,
  v: BindingVisit,
  report: { messageId: string; data: Record<string, string>; severity: Severity; ref?: RuleRef; subjects?: BoundSubject[] },
): void {
  for (const s of report.subjects ?? reportableSubjects(v.binding)) {
    context.report({
      node: v.object,
      messageId: report.messageId,
      at: ['subjects', s.index],
      severity: report.severity,
      data: { subject: describeSubject(s.subject), role: describeRole(v.role), scope: scopeText(v.scope), ...report.data },
      ...(report.ref ? { evidence: evidenceOf(v.role, report.ref) } : {}),
    });
  }
}

/** `get, list`: the verbs of `wanted` a rule allows (`*` allows them all). */
export function allowedVerbs(rule: PolicyRule, wanted: readonly string[]): string[] {
  return rule.verbs.includes('*') ? [...wanted] : wanted.filter((w) => rule.verbs.includes(w));
}

export function namesText(rule: PolicyRule): string {
  return rule.resourceNames.length > 0 ? ` (only ${rule.resourceNames.map((n) => `\`${n}\``).join(', ')})` : '';
}
