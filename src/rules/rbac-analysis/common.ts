// Shared by the RBAC analysis rules: the shape of a capability rule, choosing the subjects worth a
// finding, and naming what was granted and where the granting rule is written.

import { severityRank, type Severity } from '../../core/finding.js';
import type { RuleExamples, RuleMeta } from '../../core/rule.js';
import { fieldPosition } from '../../inventory/objects.js';
import { describeRole, isBuiltinGrant, isWildcardRule, ruleText, type BindingNode, type BoundSubject, type PolicyRule, type RoleNode, type RuleRef } from '../../inventory/rbac.js';

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

/** Where a grant applies: the whole cluster (a ClusterRoleBinding, or a ClusterRole judged unbound) or one namespace. */
export type GrantScope = 'cluster' | 'namespace';

/** What one capability rule finds that a role grants. */
export interface Capability {
  /** a verb phrase that follows "can": `get/list Secrets`, `run commands in pods (\`create pods/exec\`)` */
  what: string;
  severity: Severity;
  /** the role's rules that grant it; the first is the one it is reported with */
  refs: RuleRef[];
  /** among equally severe grants, the stronger one wins (list over get) */
  rank?: number;
  /** it stands for everything else its rule grants (`*` verbs on `*` resources in the core or every group) */
  subsumes?: true;
}

/**
 * A capability rule (KM-RB-010…019): its metadata, its examples and its judgement of a role's rules.
 * The rules of the RBAC analysis are built from these in ./index.ts, so that one finding can stand
 * for every capability one role rule grants (./grants.ts).
 */
export interface CapabilitySpec {
  kind: 'capability';
  meta: RuleMeta;
  examples: RuleExamples;
  /** about cluster-scoped resources: a RoleBinding grants none of it */
  clusterOnly?: true;
  judge(rules: readonly RuleRef[], scope: GrantScope): Capability | undefined;
}

export interface SubjectFact {
  text: string;
  severity: Severity;
  /** what the role holds, for the finding this fact makes alone: `get on pods`, `3 rules` */
  summary: string;
}

/** A fact about who is bound rather than what a rule grants (KM-RB-020: the default service account). */
export interface SubjectSpec {
  kind: 'subject';
  meta: RuleMeta;
  examples: RuleExamples;
  judge(binding: BindingNode, subject: BoundSubject, role: RoleNode, scope: GrantScope): SubjectFact | undefined;
}

export type GrantSpec = CapabilitySpec | SubjectSpec;

/** Identity functions that give capability and subject rule files their type checking. */
export function defineCapability(spec: Omit<CapabilitySpec, 'kind'>): CapabilitySpec {
  return { kind: 'capability', ...spec };
}

export function defineSubjectFact(spec: Omit<SubjectSpec, 'kind'>): SubjectSpec {
  return { kind: 'subject', ...spec };
}

/** The part of a capability a judgement of one role rule gives. */
export type RuleJudgement = Omit<Capability, 'refs'>;

function stronger(a: RuleJudgement, b: RuleJudgement): boolean {
  const d = severityRank(a.severity) - severityRank(b.severity);
  return d !== 0 ? d > 0 : (a.rank ?? 0) > (b.rank ?? 0);
}

/** The role rule for which `judge` finds the strongest grant (the first among equals). */
export function strongestRule(rules: readonly RuleRef[], judge: (rule: PolicyRule) => RuleJudgement | undefined): Capability | undefined {
  let best: Capability | undefined;
  for (const ref of rules) {
    const j = judge(ref.rule);
    if (j !== undefined && (best === undefined || stronger(j, best))) best = { ...j, refs: [ref] };
  }
  return best;
}

/** The templates every capability rule reports with: on a binding, and on a role nothing binds. */
export const GRANT_MESSAGES = {
  grant: '{{subject}} can {{grants}} {{scope}} through {{resource}} → {{role}}{{note}}',
  unbound: 'once bound, {{resource}} lets its subjects {{grants}} {{scope}}; nothing in the input binds it',
} as const;

/** The subjects a finding is about: not the cluster's own built-in grants. */
export function reportableSubjects(b: BindingNode): BoundSubject[] {
  return b.subjects.filter((s) => !isBuiltinGrant(b, s));
}

/** Bindings to cluster-admin are KM-RB-001's; the capability rules stay quiet on them. */
export function isClusterAdminBinding(role: RoleNode): boolean {
  return role.kind === 'ClusterRole' && role.name === 'cluster-admin' && role.rules.some((r) => isWildcardRule(r.rule) && r.rule.apiGroups.includes('*'));
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

export function bySeverity(scope: GrantScope, cluster: Severity, namespaced: Severity): Severity {
  return scope === 'cluster' ? cluster : namespaced;
}

/** `get, list`: the verbs of `wanted` a rule allows (`*` allows them all). */
export function allowedVerbs(rule: PolicyRule, wanted: readonly string[]): string[] {
  return rule.verbs.includes('*') ? [...wanted] : wanted.filter((w) => rule.verbs.includes(w));
}

export function namesText(rule: PolicyRule): string {
  return rule.resourceNames.length > 0 ? ` (only ${rule.resourceNames.map((n) => `\`${n}\``).join(', ')})` : '';
}
