// The RBAC graph: who may do what, resolved the way the API server's RBAC authorizer resolves it.
// Built once per inventory (manifests or a live cluster) and indexed by subject and by role, so
// `can`, `who-can` and the RBAC rules look things up instead of scanning every binding.
//
// Semantics follow Kubernetes' own evaluation (rbac/v1 evaluation helpers and the default rule
// resolver): `*` in verbs, apiGroups and resources; `*/subresource` matches a subresource of any
// resource, while `pods/*` is NOT a wildcard (it only names a subresource literally called `*`);
// `resourceNames` restrict by name, so they never grant `create` or an unnamed `list`; nonResourceURLs
// match exactly or by a trailing `*`; a RoleBinding applies only in its own namespace and never
// grants cluster-scoped resources (except reading or changing its own Namespace object); a
// ServiceAccount subject without a namespace means the RoleBinding's namespace; aggregated
// ClusterRoles get the union of the rules of every ClusterRole their selectors match (computed
// here, transitively, never trusting the stored `rules`).

import type { SubjectRef } from '../core/finding.js';
import { asArray, asObject, asString, isObject, stringMap, type JsonObject, type JsonValue, type Path } from '../core/json.js';
import { UNSET_NAMESPACE, type Inventory } from './inventory.js';
import { selectorMatches, type KubeObject } from './objects.js';
import { BOOTSTRAP_LABEL, BOOTSTRAP_VALUE, BUILTIN_CLUSTER_ROLE_BINDINGS, BUILTIN_CLUSTER_ROLES, BUILTIN_ROLES, type BuiltinRule } from './rbac-builtin.js';
import { isClusterScoped, parseResource, qualifiedResource } from './rbac-resources.js';

// ─── subjects ──────────────────────────────────────────────────────────────────────────────────────

export type SubjectKind = 'User' | 'Group' | 'ServiceAccount';

export interface Subject {
  kind: SubjectKind;
  name: string;
  /** ServiceAccounts only; '' when a manifest leaves it to the installer */
  namespace?: string;
}

export const ANONYMOUS_USER = 'system:anonymous';
export const UNAUTHENTICATED_GROUP = 'system:unauthenticated';
export const AUTHENTICATED_GROUP = 'system:authenticated';
export const ALL_SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';
const SA_USER_PREFIX = 'system:serviceaccount:';

/** `system:serviceaccount:NS:NAME` → the service account it names. */
export function serviceAccountOfUser(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SA_USER_PREFIX)) return undefined;
  const rest = user.slice(SA_USER_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0 || colon === rest.length - 1) return undefined;
  return { namespace: rest.slice(0, colon), name: rest.slice(colon + 1) };
}

/** The one key a subject is indexed by. A User named `system:serviceaccount:ns:n` IS that service account. */
export function subjectKey(s: Subject): string {
  if (s.kind === 'ServiceAccount') return `sa:${s.namespace ?? UNSET_NAMESPACE}/${s.name}`;
  if (s.kind === 'User') {
    const sa = serviceAccountOfUser(s.name);
    return sa ? `sa:${sa.namespace}/${sa.name}` : `user:${s.name}`;
  }
  return `group:${s.name}`;
}

/** A subject as findings carry it: a User named `system:serviceaccount:ns:n` is that service account; an unset namespace is left out. */
export function subjectRefOf(s: Subject): SubjectRef {
  const sa = s.kind === 'User' ? serviceAccountOfUser(s.name) : undefined;
  if (sa) return { kind: 'ServiceAccount', name: sa.name, namespace: sa.namespace };
  return s.kind === 'ServiceAccount' && s.namespace ? { kind: s.kind, name: s.name, namespace: s.namespace } : { kind: s.kind, name: s.name };
}

/** `sa:build/ci`, `user:alice`, `group:devs`: the compact form `kubemoat can` accepts. */
export function shortSubject(s: Subject): string {
  return subjectKey(s);
}

/** ServiceAccount `build/ci`, User `alice`, Group `devs`, as messages name a subject. */
export function describeSubject(s: Subject): string {
  if (s.kind === 'ServiceAccount') {
    return s.namespace ? `ServiceAccount \`${s.namespace}/${s.name}\`` : `ServiceAccount \`${s.name}\` (namespace unset)`;
  }
  const sa = s.kind === 'User' ? serviceAccountOfUser(s.name) : undefined;
  if (sa) return `ServiceAccount \`${sa.namespace}/${sa.name}\``;
  return `${s.kind} \`${s.name}\``;
}

export class SubjectSyntaxError extends Error {}

/**
 * Parse a subject as a user types it: `sa:ns/name`, `serviceaccount:ns/name`, `sa:ns:name`,
 * `system:serviceaccount:ns:name`, `user:alice`, `group:devs`, or a bare user name.
 */
export function parseSubject(text: string): Subject {
  const t = text.trim();
  if (t === '') throw new SubjectSyntaxError('empty subject');
  const sa = serviceAccountOfUser(t);
  if (sa) return { kind: 'ServiceAccount', ...sa };
  const colon = t.indexOf(':');
  const prefix = colon > 0 ? t.slice(0, colon).toLowerCase() : '';
  const rest = colon > 0 ? t.slice(colon + 1) : t;
  switch (prefix) {
    case 'sa':
    case 'serviceaccount': {
      const sep = rest.search(/[/:]/);
      if (sep <= 0 || sep === rest.length - 1) throw new SubjectSyntaxError(`a service account is written sa:NAMESPACE/NAME, not \`${t}\``);
      return { kind: 'ServiceAccount', namespace: rest.slice(0, sep), name: rest.slice(sep + 1) };
    }
    case 'user':
      if (!rest) throw new SubjectSyntaxError(`no user name in \`${t}\``);
      return subjectFromUser(rest);
    case 'group':
      if (!rest) throw new SubjectSyntaxError(`no group name in \`${t}\``);
      return { kind: 'Group', name: rest };
    default:
      // `system:anonymous`, `alice`, `oidc:alice@example.com`: a user name, as kubectl --as takes it
      return subjectFromUser(t);
  }
}

function subjectFromUser(name: string): Subject {
  const sa = serviceAccountOfUser(name);
  return sa ? { kind: 'ServiceAccount', ...sa } : { kind: 'User', name };
}

/** Who a request comes from: the subject and the groups the authenticator adds. */
export interface Identity {
  subject: Subject;
  /** subject keys the authorizer matches bindings against: the subject itself and its groups */
  keys: string[];
}

/**
 * The implicit groups of a subject: every service account is in `system:serviceaccounts`,
 * `system:serviceaccounts:NS` and `system:authenticated`; every user in `system:authenticated`
 * except `system:anonymous`, which is in `system:unauthenticated`. A group stands for itself.
 */
export function identityOf(subject: Subject, extraGroups: readonly string[] = []): Identity {
  const s = subject.kind === 'User' ? subjectFromUser(subject.name) : subject;
  const keys = [subjectKey(s)];
  if (s.kind === 'ServiceAccount') {
    keys.push(`group:${ALL_SERVICE_ACCOUNTS_GROUP}`, `group:${ALL_SERVICE_ACCOUNTS_GROUP}:${s.namespace ?? UNSET_NAMESPACE}`, `group:${AUTHENTICATED_GROUP}`);
  } else if (s.kind === 'User') {
    keys.push(s.name === ANONYMOUS_USER ? `group:${UNAUTHENTICATED_GROUP}` : `group:${AUTHENTICATED_GROUP}`);
  }
  for (const g of extraGroups) if (!keys.includes(`group:${g}`)) keys.push(`group:${g}`);
  return { subject: s, keys };
}

// ─── roles and rules ───────────────────────────────────────────────────────────────────────────────

export interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

/** A rule where it was written: its role and its index in that role's `rules`. */
export interface RuleRef {
  rule: PolicyRule;
  /** the role that declares it (for an aggregated ClusterRole, the ClusterRole it was aggregated from) */
  role: RoleNode;
  index: number;
}

export interface RoleNode {
  kind: 'Role' | 'ClusterRole';
  name: string;
  /** Roles only */
  namespace?: string;
  /** undefined for a Kubernetes default role the inventory does not hold */
  object?: KubeObject;
  labels: Record<string, string>;
  /** a Kubernetes default (bootstrap policy) role */
  builtin: boolean;
  /** has an aggregationRule: its rules are computed from other ClusterRoles */
  aggregated: boolean;
  declared: RuleRef[];
  /** the effective rules: `declared`, or the aggregation's union */
  rules: RuleRef[];
  /** for aggregated roles: the ClusterRoles whose rules it holds */
  aggregatedFrom: RoleNode[];
}

export function roleKey(kind: 'Role' | 'ClusterRole', name: string, namespace?: string): string {
  return kind === 'ClusterRole' ? `ClusterRole:${name}` : `Role:${namespace ?? UNSET_NAMESPACE}/${name}`;
}

export function describeRole(r: Pick<RoleNode, 'kind' | 'name' | 'namespace'>): string {
  return r.kind === 'ClusterRole' ? `ClusterRole ${r.name}` : `Role ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

function strings(v: JsonValue | undefined): string[] {
  return asArray(v).filter((x): x is string => typeof x === 'string');
}

export function normaliseRule(raw: JsonValue | undefined): PolicyRule {
  const o = asObject(raw);
  return {
    verbs: strings(o?.verbs),
    apiGroups: strings(o?.apiGroups),
    resources: strings(o?.resources),
    resourceNames: strings(o?.resourceNames),
    nonResourceURLs: strings(o?.nonResourceURLs),
  };
}

function ruleIdentity(r: PolicyRule): string {
  return JSON.stringify([r.verbs, r.apiGroups, r.resources, r.resourceNames, r.nonResourceURLs]);
}

// ─── requests and matching ─────────────────────────────────────────────────────────────────────────

export interface ResourceRequest {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** the object's name; undefined for requests on a collection (create, list, deletecollection) */
  name?: string;
  /** undefined: a cluster-wide request (cluster-scoped resources, or all namespaces) */
  namespace?: string;
}

export interface UrlRequest {
  verb: string;
  path: string;
}

export type AccessRequest = ResourceRequest | UrlRequest;

export function isUrlRequest(r: AccessRequest): r is UrlRequest {
  return 'path' in r;
}

export interface MatchOptions {
  /** count a rule limited by `resourceNames` as a match whatever the request's name (who-can's "for some name") */
  anyName?: boolean;
}

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.includes('*') || rule.verbs.includes(verb);
}

export function groupMatches(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups.includes('*') || rule.apiGroups.includes(group);
}

export function resourceMatches(rule: PolicyRule, resource: string, subresource?: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rule.resources) {
    if (r === '*' || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

export function urlMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''))) return true;
  }
  return false;
}

/** Does this rule allow the request (ignoring where it is bound)? The RBAC authorizer's RuleAllows. */
export function ruleAllows(rule: PolicyRule, req: AccessRequest, options: MatchOptions = {}): boolean {
  if (!verbMatches(rule, req.verb)) return false;
  if (isUrlRequest(req)) return urlMatches(rule, req.path);
  if (!groupMatches(rule, req.group) || !resourceMatches(rule, req.resource, req.subresource)) return false;
  if (rule.resourceNames.length === 0 || options.anyName) return true;
  return req.name !== undefined && rule.resourceNames.includes(req.name);
}

/** `verbs *` on `resources *`: every action on every resource of its groups. */
export function isWildcardRule(rule: PolicyRule): boolean {
  return rule.verbs.includes('*') && rule.resources.includes('*');
}

function list(items: readonly string[], max = 6): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown}, … (${items.length} in all)` : shown;
}

/** `get, list on secrets`, `* on *.*`, `create on deployments.apps named web`, `get on /healthz`. */
export function ruleText(rule: PolicyRule): string {
  const verbs = list(rule.verbs) || '(no verbs)';
  if (rule.nonResourceURLs.length > 0 && rule.resources.length === 0) return `${verbs} on ${list(rule.nonResourceURLs)}`;
  const resources: string[] = [];
  for (const g of rule.apiGroups.length ? rule.apiGroups : ['(no group)']) {
    for (const res of rule.resources) resources.push(qualifiedResource(g, res));
  }
  const names = rule.resourceNames.length ? ` named ${list(rule.resourceNames)}` : '';
  return `${verbs} on ${list(resources) || '(no resources)'}${names}`;
}

// ─── bindings and grants ───────────────────────────────────────────────────────────────────────────

export interface BoundSubject {
  subject: Subject;
  key: string;
  /** index in the binding's `subjects` */
  index: number;
}

export interface BindingNode {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  /** RoleBindings only ('' when a manifest leaves it to the installer) */
  namespace?: string;
  object: KubeObject;
  roleRef: { kind: string; name: string };
  /** undefined when the role does not exist */
  role?: RoleNode;
  subjects: BoundSubject[];
  /** part of the API server's bootstrap policy (or kubeadm's) */
  builtin: boolean;
}

export interface Grant {
  binding: BindingNode;
  /** the binding's subject that matched */
  subject: BoundSubject;
  role: RoleNode;
  rule: RuleRef;
}

/** Where a binding's grants apply: undefined for cluster-wide, else its namespace. */
export function bindingScope(b: BindingNode): string | undefined {
  return b.kind === 'ClusterRoleBinding' ? undefined : (b.namespace ?? UNSET_NAMESPACE);
}

export function describeBinding(b: Pick<BindingNode, 'kind' | 'name' | 'namespace'>): string {
  return b.kind === 'ClusterRoleBinding' ? `ClusterRoleBinding ${b.name}` : `RoleBinding ${b.namespace ? `${b.namespace}/` : ''}${b.name}`;
}

/** `cluster-wide`, `in namespace \`shop\``, or for a manifest without namespace, where it gets installed. */
export function scopeText(namespace: string | undefined): string {
  if (namespace === undefined) return 'cluster-wide';
  return namespace === UNSET_NAMESPACE ? 'in the namespace it is installed into' : `in namespace \`${namespace}\``;
}

export interface RbacProblem {
  binding: BindingNode;
  message: string;
}

export interface CanOptions {
  namespace?: string;
  apiGroup?: string;
  subresource?: string;
  name?: string;
  /** extra groups of a user (as `kubectl --as-group`) */
  groups?: readonly string[];
}

export interface CanResult {
  allowed: boolean;
  grants: Grant[];
  request: AccessRequest;
}

export interface WhoCanOptions extends MatchOptions {
  /** undefined: in any namespace or cluster-wide, each answer with its scope */
  namespace?: string;
  apiGroup?: string;
  subresource?: string;
  name?: string;
}

export interface WhoCanEntry extends Grant {
  /** undefined for cluster-wide */
  scope: string | undefined;
}

/** Does a binding apply to a request in this namespace (undefined = cluster-wide request)? */
function bindingApplies(b: BindingNode, namespace: string | undefined): boolean {
  if (b.kind === 'ClusterRoleBinding') return true;
  if (namespace === undefined) return false;
  // a manifest without a namespace is installed wherever it is applied: it counts for the namespace asked about
  return b.namespace === namespace || b.namespace === UNSET_NAMESPACE;
}

/** Kubernetes' own namespace: how a request on a resource is scoped for authorization. */
function effectiveNamespace(req: ResourceRequest): string | undefined {
  if (!isClusterScoped(req.group, req.resource)) return req.namespace;
  // GET /api/v1/namespaces/NAME is authorized in namespace NAME: a RoleBinding there may read (or delete) its namespace
  if (req.group === '' && req.resource === 'namespaces' && req.name !== undefined) return req.name;
  return undefined;
}

/** A label index over ClusterRoles, so aggregation selectors do not scan every role. */
class LabelIndex {
  private readonly byPair = new Map<string, RoleNode[]>();
  constructor(private readonly all: readonly RoleNode[]) {
    for (const r of all) {
      for (const [k, v] of Object.entries(r.labels)) {
        const key = `${k}\0${v}`;
        let l = this.byPair.get(key);
        if (l === undefined) this.byPair.set(key, (l = []));
        l.push(r);
      }
    }
  }

  /** ClusterRoles a LabelSelector selects; an empty selector `{}` selects every ClusterRole, as Kubernetes' does. */
  select(selector: JsonValue): RoleNode[] {
    const sel = asObject(selector);
    if (sel === undefined) return [];
    const matchLabels = stringMap(sel.matchLabels);
    const pairs = Object.entries(matchLabels);
    const expressions = asArray(sel.matchExpressions);
    if (pairs.length === 0 && expressions.length === 0) return [...this.all];
    const candidates = pairs.length > 0 ? (this.byPair.get(`${pairs[0][0]}\0${pairs[0][1]}`) ?? []) : this.all;
    const structured: JsonObject = { matchLabels, matchExpressions: expressions };
    return candidates.filter((r) => selectorMatches(structured, r.labels));
  }
}

function isBootstrapObject(o: KubeObject | undefined): boolean {
  return o?.labels[BOOTSTRAP_LABEL] === BOOTSTRAP_VALUE;
}

/** Subjects of the system itself: `system:` users and groups, kube-system service accounts, kubeadm's groups. */
export function isSystemSubject(s: Subject): boolean {
  if (s.kind === 'ServiceAccount') return s.namespace === 'kube-system';
  const sa = s.kind === 'User' ? serviceAccountOfUser(s.name) : undefined;
  if (sa) return sa.namespace === 'kube-system';
  // everyone-groups are never the system's own identity, whatever a binding is named
  if (EVERYONE.has(s.name)) return false;
  return s.name.startsWith('system:') || s.name.startsWith('kubeadm:');
}

const EVERYONE = new Set([ANONYMOUS_USER, UNAUTHENTICATED_GROUP, AUTHENTICATED_GROUP, ALL_SERVICE_ACCOUNTS_GROUP]);

/**
 * A subject of a built-in binding: the bootstrap policy's `system:` bindings to `system:` subjects,
 * `cluster-admin` → `system:masters`, kubeadm's `kubeadm:` bindings. These are the cluster working as
 * designed, not findings.
 */
export function isBuiltinGrant(b: BindingNode, s: BoundSubject): boolean {
  if (!b.builtin) return false;
  if (b.kind === 'ClusterRoleBinding') {
    const defaults = BUILTIN_CLUSTER_ROLE_BINDINGS.get(b.name);
    if (defaults !== undefined) {
      const id = s.subject.kind === 'ServiceAccount' ? `ServiceAccount:${s.subject.namespace}/${s.subject.name}` : `${s.subject.kind}:${s.subject.name}`;
      if (defaults.includes(id)) return true;
    }
  }
  return isSystemSubject(s.subject);
}

function isBuiltinBinding(o: KubeObject): boolean {
  return isBootstrapObject(o) || o.name.startsWith('system:') || o.name.startsWith('kubeadm:') || (o.kind === 'ClusterRoleBinding' && o.name === 'cluster-admin');
}

// ─── the graph ─────────────────────────────────────────────────────────────────────────────────────

interface SubjectBinding {
  binding: BindingNode;
  subject: BoundSubject;
}

export class RbacGraph {
  readonly roles = new Map<string, RoleNode>();
  readonly bindings: BindingNode[] = [];
  readonly problems: RbacProblem[] = [];
  /** service accounts by namespace: ServiceAccount objects, subjects of bindings, and `default` of every namespace seen */
  readonly serviceAccounts = new Map<string, Set<string>>();
  readonly namespaces = new Set<string>();
  private readonly bySubject = new Map<string, SubjectBinding[]>();
  private readonly byRole = new Map<RoleNode, BindingNode[]>();
  private readonly byObject = new Map<KubeObject, BindingNode>();
  private readonly roleByObject = new Map<KubeObject, RoleNode>();

  constructor(readonly inventory: Inventory) {
    this.addRoles();
    this.aggregate();
    this.addBindings();
    this.addServiceAccounts();
  }

  private addRoles(): void {
    for (const o of this.inventory.ofKind('ClusterRole')) this.addRole('ClusterRole', o.name, undefined, o, asArray(o.raw.rules), o.labels, isBootstrapObject(o));
    for (const o of this.inventory.ofKind('Role')) this.addRole('Role', o.name, o.namespace ?? UNSET_NAMESPACE, o, asArray(o.raw.rules), o.labels, isBootstrapObject(o));
    for (const b of BUILTIN_CLUSTER_ROLES) {
      if (this.roles.has(roleKey('ClusterRole', b.name))) continue;
      const node = this.addBuiltinRole('ClusterRole', b.name, undefined, b.rules, b.labels);
      if (b.aggregate) {
        node.aggregated = true;
        this.builtinSelectors.set(node, b.aggregate.map((matchLabels) => ({ matchLabels })));
      }
    }
    for (const b of BUILTIN_ROLES) {
      if (!this.roles.has(roleKey('Role', b.name, b.namespace))) this.addBuiltinRole('Role', b.name, b.namespace, b.rules, { [BOOTSTRAP_LABEL]: BOOTSTRAP_VALUE });
    }
  }

  /** A Kubernetes default role the inventory does not hold, with the bootstrap policy's rules. */
  private addBuiltinRole(kind: 'Role' | 'ClusterRole', name: string, namespace: string | undefined, builtinRules: readonly BuiltinRule[], labels: Record<string, string>): RoleNode {
    const rules = builtinRules.map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], resourceNames: r.resourceNames ?? [], nonResourceURLs: r.nonResourceURLs ?? [] }));
    const node = this.addRole(kind, name, namespace, undefined, [], labels, true);
    node.declared = rules.map((rule, index) => ({ rule, role: node, index }));
    node.rules = node.declared;
    return node;
  }

  private readonly builtinSelectors = new Map<RoleNode, JsonValue[]>();

  private addRole(kind: 'Role' | 'ClusterRole', name: string, namespace: string | undefined, object: KubeObject | undefined, rawRules: JsonValue[], labels: Record<string, string>, builtin: boolean): RoleNode {
    const node: RoleNode = { kind, name, namespace, object, labels, builtin, aggregated: false, declared: [], rules: [], aggregatedFrom: [] };
    node.declared = rawRules.map((r, index) => ({ rule: normaliseRule(r), role: node, index }));
    node.rules = node.declared;
    if (kind === 'ClusterRole' && object && isObject(object.raw.aggregationRule)) node.aggregated = true;
    this.roles.set(roleKey(kind, name, namespace), node);
    if (object) this.roleByObject.set(object, node);
    return node;
  }

  private selectorsOf(r: RoleNode): JsonValue[] {
    const builtin = this.builtinSelectors.get(r);
    if (builtin) return builtin;
    return asArray(asObject(r.object?.raw.aggregationRule)?.clusterRoleSelectors);
  }

  /** Aggregated ClusterRoles: the union of every selected role's rules, transitively (aggregates of aggregates), cycles included. */
  private aggregate(): void {
    const clusterRoles = [...this.roles.values()].filter((r) => r.kind === 'ClusterRole');
    const aggregated = clusterRoles.filter((r) => r.aggregated);
    if (aggregated.length === 0) return;
    const index = new LabelIndex(clusterRoles);
    const direct = new Map<RoleNode, RoleNode[]>();
    for (const r of aggregated) {
      const selected = new Set<RoleNode>();
      for (const sel of this.selectorsOf(r)) for (const m of index.select(sel)) if (m !== r) selected.add(m);
      direct.set(r, [...selected].sort((a, b) => a.name.localeCompare(b.name)));
    }
    for (const r of aggregated) {
      const from: RoleNode[] = [];
      const seen = new Set<RoleNode>([r]);
      const stack = [...(direct.get(r) ?? [])].reverse();
      while (stack.length > 0) {
        const m = stack.pop()!;
        if (seen.has(m)) continue;
        seen.add(m);
        if (m.aggregated) stack.push(...[...(direct.get(m) ?? [])].reverse());
        else from.push(m);
      }
      const rules: RuleRef[] = [];
      const identities = new Set<string>();
      for (const m of from) {
        for (const ref of m.declared) {
          const id = ruleIdentity(ref.rule);
          if (identities.has(id)) continue;
          identities.add(id);
          rules.push(ref);
        }
      }
      r.aggregatedFrom = from;
      r.rules = rules;
    }
  }

  private addBindings(): void {
    for (const kind of ['ClusterRoleBinding', 'RoleBinding'] as const) {
      for (const o of this.inventory.ofKind(kind)) this.addBinding(kind, o);
    }
  }

  private addBinding(kind: 'RoleBinding' | 'ClusterRoleBinding', o: KubeObject): void {
    const ref = asObject(o.raw.roleRef);
    const roleRef = { kind: asString(ref?.kind) ?? '', name: asString(ref?.name) ?? '' };
    const namespace = kind === 'RoleBinding' ? (o.namespace ?? UNSET_NAMESPACE) : undefined;
    const b: BindingNode = { kind, name: o.name, namespace, object: o, roleRef, subjects: [], builtin: isBuiltinBinding(o) };
    this.bindings.push(b);
    this.byObject.set(o, b);
    asArray(o.raw.subjects).forEach((raw, index) => {
      const s = asObject(raw);
      const sk = asString(s?.kind);
      const name = asString(s?.name);
      if (!name || (sk !== 'User' && sk !== 'Group' && sk !== 'ServiceAccount')) return;
      let subject: Subject;
      if (sk === 'ServiceAccount') {
        // the authorizer defaults an unqualified service account to the RoleBinding's namespace
        subject = { kind: sk, name, namespace: asString(s?.namespace) || namespace || UNSET_NAMESPACE };
      } else subject = { kind: sk, name };
      const bound: BoundSubject = { subject, key: subjectKey(subject), index };
      b.subjects.push(bound);
      let l = this.bySubject.get(bound.key);
      if (l === undefined) this.bySubject.set(bound.key, (l = []));
      l.push({ binding: b, subject: bound });
    });
    if (roleRef.kind === 'ClusterRole') b.role = this.roles.get(roleKey('ClusterRole', roleRef.name));
    else if (roleRef.kind === 'Role' && kind === 'RoleBinding') {
      b.role = this.roles.get(roleKey('Role', roleRef.name, namespace));
      // a binding in a namespace, its Role in a manifest that leaves the namespace to the installer
      if (b.role === undefined && namespace !== UNSET_NAMESPACE) b.role = this.roles.get(roleKey('Role', roleRef.name, UNSET_NAMESPACE));
    } else {
      this.problems.push({ binding: b, message: `${describeBinding(b)} has an invalid roleRef (kind \`${roleRef.kind || '(none)'}\`); it grants nothing` });
      return;
    }
    if (b.role === undefined) {
      const where = roleRef.kind === 'Role' ? `Role ${namespace ? `${namespace}/` : ''}${roleRef.name}` : `ClusterRole ${roleRef.name}`;
      this.problems.push({ binding: b, message: `${describeBinding(b)} references ${where}, which does not exist; it grants nothing until someone creates it` });
      return;
    }
    let l = this.byRole.get(b.role);
    if (l === undefined) this.byRole.set(b.role, (l = []));
    l.push(b);
  }

  private addServiceAccount(namespace: string, name: string): void {
    let s = this.serviceAccounts.get(namespace);
    if (s === undefined) this.serviceAccounts.set(namespace, (s = new Set()));
    s.add(name);
  }

  private addServiceAccounts(): void {
    for (const o of this.inventory.objects) if (o.namespace) this.namespaces.add(o.namespace);
    for (const o of this.inventory.ofKind('Namespace')) if (o.name) this.namespaces.add(o.name);
    for (const o of this.inventory.ofKind('ServiceAccount')) this.addServiceAccount(o.namespace ?? UNSET_NAMESPACE, o.name);
    for (const b of this.bindings) {
      for (const s of b.subjects) {
        const sa = s.subject.kind === 'ServiceAccount' ? { namespace: s.subject.namespace ?? UNSET_NAMESPACE, name: s.subject.name } : serviceAccountOfUser(s.subject.name);
        if (sa && s.subject.kind !== 'Group') this.addServiceAccount(sa.namespace, sa.name);
      }
    }
    // every namespace has a `default` service account, whether or not the manifests show it
    for (const ns of this.namespaces) this.addServiceAccount(ns, 'default');
  }

  // ─── lookups ───

  bindingOf(o: KubeObject): BindingNode | undefined {
    return this.byObject.get(o);
  }

  roleOf(o: KubeObject): RoleNode | undefined {
    return this.roleByObject.get(o);
  }

  role(kind: 'Role' | 'ClusterRole', name: string, namespace?: string): RoleNode | undefined {
    return this.roles.get(roleKey(kind, name, namespace));
  }

  bindingsOfRole(r: RoleNode): readonly BindingNode[] {
    return this.byRole.get(r) ?? [];
  }

  /** Bindings naming any of these subject keys, each binding once (with the first subject that matched). */
  bindingsFor(keys: readonly string[]): SubjectBinding[] {
    const out: SubjectBinding[] = [];
    const seen = new Set<BindingNode>();
    for (const k of keys) {
      for (const sb of this.bySubject.get(k) ?? []) {
        if (seen.has(sb.binding)) continue;
        seen.add(sb.binding);
        out.push(sb);
      }
    }
    return out;
  }

  /** Every subject key named by some binding. */
  subjectKeys(): IterableIterator<string> {
    return this.bySubject.keys();
  }

  /** Every grant of an identity; `namespace` given: only those in force there (cluster-wide ones included). */
  grantsOf(identity: Identity, namespace?: string): Grant[] {
    const out: Grant[] = [];
    for (const { binding, subject } of this.bindingsFor(identity.keys)) {
      if (binding.role === undefined) continue;
      if (namespace !== undefined && !bindingApplies(binding, namespace)) continue;
      for (const rule of binding.role.rules) out.push({ binding, subject, role: binding.role, rule });
    }
    return out;
  }

  /** Turn what a user asks (`get`, `deployments.apps/scale`, `/healthz`) into an authorization request. */
  request(verb: string, resource: string, options: CanOptions | WhoCanOptions = {}): AccessRequest {
    if (resource.startsWith('/')) return { verb, path: resource };
    const parsed = parseResource(resource, options.apiGroup);
    const subresource = options.subresource ?? parsed.subresource;
    let name = options.name;
    // `get namespaces -n shop` asks about the Namespace object `shop` itself
    if (name === undefined && parsed.group === '' && parsed.resource === 'namespaces' && options.namespace !== undefined && ['get', 'update', 'patch', 'delete'].includes(verb)) name = options.namespace;
    return {
      verb,
      group: parsed.group,
      resource: parsed.resource,
      ...(subresource ? { subresource } : {}),
      ...(name !== undefined ? { name } : {}),
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
    };
  }

  /**
   * May this subject do this, as the RBAC authorizer would answer? `namespace` undefined asks about
   * a cluster-wide request (only ClusterRoleBindings count), like `kubectl auth can-i -A`.
   */
  can(subject: Subject | Identity, verb: string, resource: string, options: CanOptions = {}): CanResult {
    const identity = 'keys' in subject ? subject : identityOf(subject, options.groups);
    const request = this.request(verb, resource, options);
    return { ...this.check(identity, request), request };
  }

  check(identity: Identity, request: AccessRequest, options: MatchOptions = {}): { allowed: boolean; grants: Grant[] } {
    const namespace = isUrlRequest(request) ? undefined : effectiveNamespace(request);
    const grants: Grant[] = [];
    for (const { binding, subject } of this.bindingsFor(identity.keys)) {
      const role = binding.role;
      if (role === undefined || !bindingApplies(binding, namespace)) continue;
      // non-resource URLs are cluster-wide: a RoleBinding never grants them
      if (isUrlRequest(request) && binding.kind === 'RoleBinding') continue;
      for (const rule of role.rules) {
        if (ruleAllows(rule.rule, request, options)) {
          grants.push({ binding, subject, role, rule });
          break;
        }
      }
    }
    return { allowed: grants.length > 0, grants };
  }

  /**
   * Who may do this? With a namespace: every subject allowed there (cluster-wide grants included).
   * Without one: every grant in any namespace or cluster-wide, each with its scope.
   */
  whoCan(verb: string, resource: string, options: WhoCanOptions | string = {}): WhoCanEntry[] {
    const opts: WhoCanOptions = typeof options === 'string' ? { namespace: options } : options;
    const request = this.request(verb, resource, opts);
    return this.whoCanRequest(request, opts);
  }

  whoCanRequest(request: AccessRequest, opts: MatchOptions & { namespace?: string } = {}): WhoCanEntry[] {
    const url = isUrlRequest(request);
    const clusterScoped = !url && isClusterScoped(request.group, request.resource);
    const askedNamespace = url ? undefined : clusterScoped ? effectiveNamespace(request) : opts.namespace;
    const anyScope = !url && !clusterScoped && opts.namespace === undefined;
    const out: WhoCanEntry[] = [];
    for (const role of this.roles.values()) {
      const bindings = this.byRole.get(role);
      if (bindings === undefined) continue;
      const rule = role.rules.find((r) => ruleAllows(r.rule, request, opts));
      if (rule === undefined) continue;
      for (const binding of bindings) {
        if (binding.kind === 'RoleBinding') {
          if (url) continue;
          if (!anyScope && !bindingApplies(binding, askedNamespace)) {
            // reading one's own Namespace object: `who-can get namespaces` without a name, through a RoleBinding
            const ownNamespace = opts.namespace === undefined && clusterScoped && request.resource === 'namespaces' && request.group === '' && request.name === undefined;
            if (!ownNamespace) continue;
          }
        }
        for (const subject of binding.subjects) out.push({ binding, subject, role, rule, scope: bindingScope(binding) });
      }
    }
    // cluster-wide first, then by namespace, subject and binding (keys computed once; plain comparison)
    const keyed = out.map((e) => ({ e, k: `${e.scope === undefined ? '' : `~${e.scope}`}\0${e.subject.key}\0${e.binding.name}` }));
    keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    for (let i = 0; i < keyed.length; i++) out[i] = keyed[i].e;
    return out;
  }
}

const graphs = new WeakMap<Inventory, RbacGraph>();

/** The RBAC graph of an inventory, built once and shared by every rule and command that asks. */
export function rbacGraph(inventory: Inventory): RbacGraph {
  let g = graphs.get(inventory);
  if (g === undefined) {
    g = new RbacGraph(inventory);
    graphs.set(inventory, g);
  }
  return g;
}

/** The path of a rule inside its role object, for findings and evidence. */
export function rulePath(ref: RuleRef): Path {
  return ['rules', ref.index];
}
