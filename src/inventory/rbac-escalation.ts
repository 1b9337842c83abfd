// Escalation paths through RBAC: who can become whom, followed to a fixed point.
//
// A subject that can create pods (or any workload controller) in a namespace can run a pod as any
// service account there and so holds that account's permissions; one that can mint tokens for a
// service account, impersonate it, create a token Secret for it and read it back, exec into or
// re-image a pod running as it, holds them too. Following these edges from every subject, with
// cycle protection, finds the chains that end in admin-equivalent power (`sa:ci/ci → create pods in
// ns/build → sa:build/deployer → cluster-admin`).
//
// The graph is searched backwards once: a breadth-first search from every admin-equivalent
// principal over reversed edges gives each principal its shortest distance to admin power and its
// next step, in time linear in the edges. "Any service account in a namespace" goes through one hub
// node per namespace instead of an edge per account.

import { asString, isFalse, isTrue } from '../core/json.js';
import { UNSET_NAMESPACE } from './inventory.js';
import {
  bindingScope,
  describeRole,
  groupMatches,
  identityOf,
  isBuiltinGrant,
  isWildcardRule,
  resourceMatches,
  subjectKey,
  verbMatches,
  type BindingNode,
  type Grant,
  type Identity,
  type PolicyRule,
  type RbacGraph,
  type Subject,
} from './rbac.js';
import { POD_CONTROLLERS, qualifiedResource } from './rbac-resources.js';

/** What a rule allows on one resource: every name, some names, or nothing. */
export type NameSet = 'all' | readonly string[];

export function allowsOn(rule: PolicyRule, verbs: readonly string[], group: string, resource: string, subresource?: string): NameSet | undefined {
  if (!verbs.some((v) => verbMatches(rule, v)) || !groupMatches(rule, group) || !resourceMatches(rule, resource, subresource)) return undefined;
  return rule.resourceNames.length === 0 ? 'all' : rule.resourceNames;
}

function nameAllowed(names: NameSet, name: string): boolean {
  return names === 'all' || names.includes(name);
}

/** Admin-equivalent power held through one grant (or a pair of them). */
export interface Power {
  /** `cluster-admin`, "read every Secret in the cluster", … */
  description: string;
  grant: Grant;
}

/** One step from a principal to another (or to a namespace hub, or from a hub to its service accounts). */
interface Step {
  /** a principal key (`sa:ns/name`, `user:x`, `group:x`) or a hub (`hub:NS`, `hub:*`) */
  to: string;
  /** what the subject does: "create pods in ns/build" ('' from a hub) */
  action: string;
  grant?: Grant;
}

/** A step a subject takes through one of its grants. */
export interface Edge extends Step {
  grant: Grant;
}

interface Facts {
  powers: Power[];
  edges: Edge[];
  escalateClusterRoles?: Grant;
  writeClusterRoles?: Grant;
  bindClusterAdmin?: Grant;
  writeClusterRoleBindings?: Grant;
  createCsr?: Grant;
  approveCsr?: Grant;
  approveClientSigner?: Grant;
  impersonateSomeUser?: Grant;
  impersonateGroups: { names: NameSet; grant: Grant }[];
  createSecrets: Map<string, Grant>;
  readSecrets: Map<string, Grant>;
}

const ALL = '*';

/** Hub nodes: `hub:NS` (every service account of a namespace), `pods:NS` (the accounts of its running pods). */
function isHub(key: string): boolean {
  return key.startsWith('hub:') || key.startsWith('pods:');
}
const nsText = (ns: string): string => (ns === UNSET_NAMESPACE ? 'the namespace it is installed into' : `ns/${ns}`);

/** Service accounts running pods, by namespace, and whether each pod gets a token. */
interface PodAccount {
  namespace: string;
  pod: string;
  kind: string;
  serviceAccount: string;
  token: boolean;
}

export interface Chain {
  /** the subject the chain starts from */
  start: Subject;
  /** the binding (and subject entry) granting the first step */
  first: Grant;
  steps: { action: string; to: string }[];
  power: Power;
  /** `sa:ci/ci → create pods in ns/build → sa:build/deployer → cluster-admin` */
  text: string;
}

export class EscalationAnalysis {
  private readonly factsByKey = new Map<string, Facts>();
  private readonly podAccounts: PodAccount[] = [];
  private readonly podsByNamespace = new Map<string, PodAccount[]>();
  private readonly tokenSecrets = new Map<string, { secret: string; serviceAccount: string }[]>();
  private readonly subjects = new Map<string, Subject>();
  /** admin-equivalent principals and their power */
  readonly admin = new Map<string, Power>();
  /** principal → its next step towards admin power */
  private readonly next = new Map<string, Step>();
  private readonly distance = new Map<string, number>();
  /** chains found, by the binding their first step comes from */
  readonly chainsByBinding = new Map<BindingNode, Chain[]>();
  readonly chains: Chain[] = [];

  constructor(readonly graph: RbacGraph) {
    this.collectWorkloads();
    this.collectPrincipals();
    this.search();
    this.findChains();
  }

  // ─── inputs ───

  private collectWorkloads(): void {
    const inv = this.graph.inventory;
    const saAutomount = new Map<string, boolean>();
    for (const sa of inv.ofKind('ServiceAccount')) {
      const v = sa.raw.automountServiceAccountToken;
      if (isFalse(v)) saAutomount.set(`${sa.namespace ?? UNSET_NAMESPACE}/${sa.name}`, false);
    }
    for (const pod of inv.podSpecs) {
      const ns = pod.object.namespace ?? UNSET_NAMESPACE;
      const sa = asString(pod.spec.serviceAccountName) || asString(pod.spec.serviceAccount) || 'default';
      const podSetting = pod.spec.automountServiceAccountToken;
      const token = isTrue(podSetting) || (!isFalse(podSetting) && saAutomount.get(`${ns}/${sa}`) !== false);
      const account: PodAccount = { namespace: ns, pod: pod.object.name, kind: pod.object.kind, serviceAccount: sa, token };
      this.podAccounts.push(account);
      let l = this.podsByNamespace.get(ns);
      if (l === undefined) this.podsByNamespace.set(ns, (l = []));
      l.push(account);
    }
    for (const s of inv.ofKind('Secret')) {
      if (asString(s.raw.type) !== 'kubernetes.io/service-account-token') continue;
      const sa = s.annotations['kubernetes.io/service-account.name'];
      if (!sa) continue;
      const ns = s.namespace ?? UNSET_NAMESPACE;
      let l = this.tokenSecrets.get(ns);
      if (l === undefined) this.tokenSecrets.set(ns, (l = []));
      l.push({ secret: s.name, serviceAccount: sa });
    }
  }

  private collectPrincipals(): void {
    for (const b of this.graph.bindings) for (const s of b.subjects) if (!this.subjects.has(s.key)) this.subjects.set(s.key, s.subject);
    for (const [ns, names] of this.graph.serviceAccounts) {
      for (const name of names) {
        const subject: Subject = { kind: 'ServiceAccount', namespace: ns, name };
        const key = subjectKey(subject);
        if (!this.subjects.has(key)) this.subjects.set(key, subject);
      }
    }
  }

  /** The facts of one subject key: what the bindings naming it give it. Cached, since every principal shares its groups' facts. */
  private factsOf(key: string): Facts {
    let f = this.factsByKey.get(key);
    if (f !== undefined) return f;
    f = { powers: [], edges: [], impersonateGroups: [], createSecrets: new Map(), readSecrets: new Map() };
    for (const { binding, subject } of this.graph.bindingsFor([key])) {
      const role = binding.role;
      if (role === undefined) continue;
      for (const rule of role.rules) this.addFacts(f, { binding, subject, role, rule });
    }
    this.factsByKey.set(key, f);
    return f;
  }

  private addFacts(f: Facts, g: Grant): void {
    const p = profileOf(g.rule.rule);
    if (p === null) return;
    const scope = bindingScope(g.binding);
    const cluster = scope === undefined;
    const where = cluster ? 'every namespace' : nsText(scope);

    // admin-equivalent on its own
    if (cluster) {
      if (p.adminWildcard) {
        const desc = g.role.kind === 'ClusterRole' && g.role.name === 'cluster-admin' ? 'cluster-admin' : `\`*\` on \`*\` cluster-wide (${describeRole(g.role)})`;
        f.powers.push({ description: desc, grant: g });
      } else if (p.readAllSecrets) {
        f.powers.push({ description: 'read every Secret in the cluster', grant: g });
      }
      if (p.nodesProxy) f.powers.push({ description: 'run commands in any pod through the kubelet (nodes/proxy)', grant: g });
    }

    // pods and workload controllers: any service account of the namespace (everywhere: the node too)
    if (p.podWriter !== undefined) {
      if (cluster) f.powers.push({ description: `${p.podWriter} in every namespace (any service account, and the nodes)`, grant: g });
      else f.edges.push({ to: `hub:${scope}`, action: `${p.podWriter} in ${where}`, grant: g });
    }

    // tokens minted for a service account
    if (p.tokens !== undefined) this.serviceAccountEdges(f, g, scope, p.tokens, `create serviceaccounts/token in ${where}`, 'create a token for');

    // impersonation
    if (p.saImp !== undefined) {
      this.serviceAccountEdges(f, g, scope, p.saImp, `impersonate service accounts in ${where}`, 'impersonate');
      f.impersonateSomeUser ??= g;
    }
    if (cluster) {
      const users = p.usersImp;
      if (users !== undefined) {
        f.impersonateSomeUser ??= g;
        // impersonating `system:serviceaccount:…` is checked against serviceaccounts, not users
        if (users === 'all') {
          for (const [key, s] of this.subjects) if (s.kind === 'User' && key.startsWith('user:')) f.edges.push({ to: key, action: 'impersonate', grant: g });
        } else {
          for (const name of users) if (this.subjects.has(`user:${name}`)) f.edges.push({ to: `user:${name}`, action: 'impersonate', grant: g });
        }
      }
      if (p.groupsImp !== undefined) f.impersonateGroups.push({ names: p.groupsImp, grant: g });
    }

    // exec / attach / ephemeral containers, and re-imaging pods: the service accounts of running pods
    if (p.execNames !== undefined) this.podEdges(f, g, scope, p.execNames, `exec into pods in ${where}`);
    if (p.patchNames !== undefined) this.podEdges(f, g, scope, p.patchNames, `change the image of pods in ${where}`);

    // secrets: create a token Secret and read it back, or read existing token Secrets
    const scopeKey = scope ?? ALL;
    if (p.createSecretsAll && !f.createSecrets.has(scopeKey)) f.createSecrets.set(scopeKey, g);
    const read = p.readSecrets;
    if (read !== undefined) {
      if (!f.readSecrets.has(scopeKey) && read === 'all') f.readSecrets.set(scopeKey, g);
      for (const [ns, secrets] of this.tokenSecrets) {
        if (!cluster && ns !== scope) continue;
        for (const t of secrets) {
          if (nameAllowed(read, t.secret)) f.edges.push({ to: subjectKey({ kind: 'ServiceAccount', namespace: ns, name: t.serviceAccount }), action: `read the token Secret ${t.secret} in ${nsText(ns)}`, grant: g });
        }
      }
    }

    // ingredients of powers that take two permissions
    if (cluster) {
      if (p.escalateClusterRoles) f.escalateClusterRoles ??= g;
      if (p.writeClusterRoles) f.writeClusterRoles ??= g;
      if (p.bindClusterAdmin) f.bindClusterAdmin ??= g;
      if (p.writeClusterRoleBindings) f.writeClusterRoleBindings ??= g;
      if (p.createCsr) f.createCsr ??= g;
      if (p.approveCsr) f.approveCsr ??= g;
      if (p.approveClientSigner) f.approveClientSigner ??= g;
    }
  }

  private serviceAccountEdges(f: Facts, g: Grant, scope: string | undefined, names: NameSet, hubAction: string, verb: string): void {
    if (names === 'all') {
      f.edges.push({ to: `hub:${scope ?? ALL}`, action: hubAction, grant: g });
      return;
    }
    for (const [ns, accounts] of this.graph.serviceAccounts) {
      if (scope !== undefined && ns !== scope) continue;
      for (const name of names) {
        if (accounts.has(name)) f.edges.push({ to: subjectKey({ kind: 'ServiceAccount', namespace: ns, name }), action: `${verb} sa:${ns}/${name}`, grant: g });
      }
    }
  }

  private readonly podTargetCache = new Map<string, { to: string; what: string }[]>();

  /** The service accounts (with a token) of the pods in a scope, once per scope. */
  private podTargets(scope: string | undefined, names: NameSet): { to: string; what: string }[] {
    const cacheKey = names === 'all' ? (scope ?? ALL) : undefined;
    if (cacheKey !== undefined) {
      const cached = this.podTargetCache.get(cacheKey);
      if (cached !== undefined) return cached;
    }
    const seen = new Set<string>();
    const out: { to: string; what: string }[] = [];
    const pods = scope === undefined ? this.podAccounts : (this.podsByNamespace.get(scope) ?? []);
    for (const p of pods) {
      if (!p.token) continue;
      // controller pods get generated names: only an unrestricted rule reaches them
      if (names !== 'all' && !(p.kind === 'Pod' && names.includes(p.pod))) continue;
      const to = subjectKey({ kind: 'ServiceAccount', namespace: p.namespace, name: p.serviceAccount });
      if (seen.has(to)) continue;
      seen.add(to);
      out.push({ to, what: `${p.kind} ${p.pod} runs as sa:${p.namespace}/${p.serviceAccount}` });
    }
    if (cacheKey !== undefined) this.podTargetCache.set(cacheKey, out);
    return out;
  }

  private podEdges(f: Facts, g: Grant, scope: string | undefined, names: NameSet, action: string): void {
    // every pod of a scope: through one hub, not an edge per pod
    if (names === 'all') {
      if (this.podTargets(scope, 'all').length > 0) f.edges.push({ to: `pods:${scope ?? ALL}`, action, grant: g });
      return;
    }
    for (const t of this.podTargets(scope, names)) f.edges.push({ to: t.to, action: `${action} (${t.what})`, grant: g });
  }

  /** Powers and edges of a principal: the union over its identity's keys, plus what pairs of permissions give. */
  private principal(key: string): { powers: Power[]; edges: Edge[] } {
    const subject = this.subjects.get(key);
    const keys = subject ? identityOf(subject).keys : [key];
    return this.combine(keys.map((k) => this.factsOf(k)));
  }

  private combine(all: Facts[]): { powers: Power[]; edges: Edge[] } {
    const powers: Power[] = [];
    const edges: Edge[] = [];
    const first = <T>(pick: (f: Facts) => T | undefined): T | undefined => {
      for (const f of all) {
        const v = pick(f);
        if (v !== undefined) return v;
      }
      return undefined;
    };
    for (const f of all) {
      powers.push(...f.powers);
      edges.push(...f.edges);
    }
    const escalate = first((f) => f.escalateClusterRoles);
    const writeRoles = first((f) => f.writeClusterRoles);
    if (escalate && writeRoles) powers.push({ description: 'escalate: write ClusterRoles with any permission', grant: escalate });
    const bind = first((f) => f.bindClusterAdmin);
    const writeBindings = first((f) => f.writeClusterRoleBindings);
    if (bind && writeBindings) powers.push({ description: 'bind cluster-admin to itself', grant: bind });
    const csr = first((f) => f.createCsr);
    const approve = first((f) => f.approveCsr);
    const signer = first((f) => f.approveClientSigner);
    if (csr && approve && signer) powers.push({ description: 'create and approve a client certificate for any user or group (system:masters)', grant: approve });
    const someUser = first((f) => f.impersonateSomeUser);
    if (someUser) {
      for (const f of all) {
        for (const ig of f.impersonateGroups) {
          if (nameAllowed(ig.names, 'system:masters')) powers.push({ description: 'impersonate the group system:masters', grant: ig.grant });
          else for (const name of ig.names) edges.push({ to: `group:${name}`, action: 'impersonate', grant: ig.grant });
        }
      }
    }
    // a token Secret created for any service account, then read back
    const creates = new Map<string, Grant>();
    const reads = new Map<string, Grant>();
    for (const f of all) {
      for (const [k, g] of f.createSecrets) if (!creates.has(k)) creates.set(k, g);
      for (const [k, g] of f.readSecrets) if (!reads.has(k)) reads.set(k, g);
    }
    for (const [scope, g] of creates) {
      const readable = reads.get(scope) ?? reads.get(ALL);
      if (readable) edges.push({ to: `hub:${scope}`, action: `create a service-account token Secret and read it back in ${scope === ALL ? 'every namespace' : nsText(scope)}`, grant: g });
    }
    if (creates.has(ALL)) {
      for (const [scope] of reads) if (scope !== ALL) edges.push({ to: `hub:${scope}`, action: `create a service-account token Secret and read it back in ${nsText(scope)}`, grant: creates.get(ALL)! });
    }
    return { powers, edges };
  }

  // ─── search ───

  private search(): void {
    const reverse = new Map<string, { from: string; edge: Step }[]>();
    const addReverse = (from: string, edge: Step): void => {
      let l = reverse.get(edge.to);
      if (l === undefined) reverse.set(edge.to, (l = []));
      l.push({ from, edge });
    };
    const hubs = new Set<string>();
    for (const key of this.subjects.keys()) {
      const { powers, edges } = this.principal(key);
      if (powers.length > 0) this.admin.set(key, powers[0]);
      for (const e of edges) {
        if (e.to === key) continue;
        addReverse(key, e);
        if (isHub(e.to)) hubs.add(e.to);
      }
    }
    // hubs fan out to the service accounts they stand for
    for (const hub of hubs) {
      if (hub.startsWith('pods:')) {
        const ns = hub.slice(5);
        for (const t of this.podTargets(ns === ALL ? undefined : ns, 'all')) addReverse(hub, { to: t.to, action: t.what });
        continue;
      }
      const ns = hub.slice(4);
      for (const [namespace, names] of this.graph.serviceAccounts) {
        if (ns !== ALL && namespace !== ns) continue;
        for (const name of names) addReverse(hub, { to: subjectKey({ kind: 'ServiceAccount', namespace, name }), action: '' });
      }
    }
    // 0-1 breadth-first search: a hub is no step of its own (hub → account costs nothing)
    let frontier: string[] = [];
    for (const key of this.admin.keys()) {
      this.distance.set(key, 0);
      frontier.push(key);
    }
    while (frontier.length > 0) {
      const nextLevel: string[] = [];
      for (let i = 0; i < frontier.length; i++) {
        const node = frontier[i];
        const d = this.distance.get(node)!;
        for (const { from, edge } of reverse.get(node) ?? []) {
          const hub = isHub(from);
          const nd = hub ? d : d + 1;
          const known = this.distance.get(from);
          if (known !== undefined && known <= nd) continue; // visited: cycles end here
          this.distance.set(from, nd);
          this.next.set(from, edge);
          (hub ? frontier : nextLevel).push(from);
        }
      }
      frontier = nextLevel;
    }
  }

  private findChains(): void {
    for (const b of this.graph.bindings) {
      for (const s of b.subjects) {
        if (this.admin.has(s.key) || isBuiltinGrant(b, s)) continue;
        const chain = this.chainOf(s.key);
        if (chain === undefined || chain.first.binding !== b || chain.first.subject !== s) continue;
        let l = this.chainsByBinding.get(b);
        if (l === undefined) this.chainsByBinding.set(b, (l = []));
        l.push(chain);
        this.chains.push(chain);
      }
    }
  }

  private readonly chainCache = new Map<string, Chain | null>();

  /**
   * The shortest chain from this subject to admin power whose first step the subject holds itself
   * (not through one of its groups: that chain is the group's, and reported on the group).
   */
  chainOf(key: string): Chain | undefined {
    const cached = this.chainCache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const start = this.subjects.get(key);
    const chain = start === undefined || this.admin.has(key) ? undefined : this.chainFrom(key, start, this.combine([this.factsOf(key)]).edges);
    this.chainCache.set(key, chain ?? null);
    return chain;
  }

  /** The shortest chain from a subject, through any of its grants (its groups' included), to admin power. */
  pathOf(who: Subject | Identity): Chain | undefined {
    const identity = 'keys' in who ? who : identityOf(who);
    const key = identity.keys[0];
    if (this.powersOf(identity).length > 0) return undefined;
    return this.chainFrom(key, identity.subject, this.combine(identity.keys.map((k) => this.factsOf(k))).edges);
  }

  private chainFrom(key: string, start: Subject, edges: readonly Edge[]): Chain | undefined {
    let best: Edge | undefined;
    let bestDistance = Infinity;
    for (const e of edges) {
      if (e.to === key) continue;
      const d = this.distance.get(e.to);
      if (d !== undefined && d < bestDistance) {
        best = e;
        bestDistance = d;
      }
    }
    if (best === undefined) return undefined;
    const steps: { action: string; to: string }[] = [];
    let edge: Step | undefined = best;
    let action = best.action;
    const guard = new Set<string>([key]);
    let node = key;
    while (edge !== undefined) {
      node = edge.to;
      if (isHub(node)) {
        edge = this.next.get(node);
        // a pod hub says which pod leads on: "exec into pods in ns/x (Pod app runs as sa:x/admin)"
        if (edge?.action) action = `${action} (${edge.action})`;
        continue;
      }
      steps.push({ action, to: node });
      if (guard.has(node)) break;
      guard.add(node);
      if (this.admin.has(node)) break;
      edge = this.next.get(node);
      action = edge?.action ?? '';
    }
    const power = this.admin.get(node);
    if (power === undefined) return undefined;
    const parts = [key];
    for (const s of steps) parts.push(s.action, s.to);
    parts.push(power.description);
    return { start, first: best.grant, steps, power, text: parts.join(' → ') };
  }

  /** Powers a subject holds directly (through its identity, groups included). */
  powersOf(who: Subject | Identity): Power[] {
    const identity = 'keys' in who ? who : identityOf(who);
    return this.combine(identity.keys.map((k) => this.factsOf(k))).powers;
  }
}

function controllerWrite(rule: PolicyRule): string | undefined {
  for (const c of POD_CONTROLLERS) {
    if (allowsOn(rule, ['create', 'update', 'patch'], c.group, c.resource) === 'all') {
      const verbs = ['create', 'update', 'patch'].filter((v) => verbMatches(rule, v));
      return `${verbs.includes('create') ? 'create' : verbs[0]} ${qualifiedResource(c.group, c.resource)}`;
    }
  }
  return undefined;
}

/** What one rule can contribute to escalation, whatever its binding: computed once per rule. */
interface RuleProfile {
  adminWildcard: boolean;
  readAllSecrets: boolean;
  nodesProxy: boolean;
  podWriter?: string;
  tokens?: NameSet;
  saImp?: NameSet;
  usersImp?: NameSet;
  groupsImp?: NameSet;
  execNames?: NameSet;
  patchNames?: NameSet;
  createSecretsAll: boolean;
  readSecrets?: NameSet;
  escalateClusterRoles: boolean;
  writeClusterRoles: boolean;
  bindClusterAdmin: boolean;
  writeClusterRoleBindings: boolean;
  createCsr: boolean;
  approveCsr: boolean;
  approveClientSigner: boolean;
}

const profiles = new WeakMap<PolicyRule, RuleProfile | null>();
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const CERTS = 'certificates.k8s.io';

function profileOf(rule: PolicyRule): RuleProfile | null {
  const cached = profiles.get(rule);
  if (cached !== undefined) return cached;
  let p: RuleProfile | null = null;
  if (rule.resources.length > 0 && rule.verbs.length > 0) {
    const bind = allowsOn(rule, ['bind'], RBAC_GROUP, 'clusterroles');
    const signer = allowsOn(rule, ['approve'], CERTS, 'signers');
    const profile: RuleProfile = {
      adminWildcard: isWildcardRule(rule) && rule.apiGroups.includes('*'),
      readAllSecrets: allowsOn(rule, ['get', 'list', 'watch'], '', 'secrets') === 'all',
      nodesProxy: allowsOn(rule, ['get', 'create'], '', 'nodes', 'proxy') !== undefined,
      podWriter: allowsOn(rule, ['create'], '', 'pods') === 'all' ? 'create pods' : controllerWrite(rule),
      tokens: allowsOn(rule, ['create'], '', 'serviceaccounts', 'token'),
      saImp: allowsOn(rule, ['impersonate'], '', 'serviceaccounts'),
      usersImp: allowsOn(rule, ['impersonate'], '', 'users'),
      groupsImp: allowsOn(rule, ['impersonate'], '', 'groups'),
      execNames: allowsOn(rule, ['create'], '', 'pods', 'exec') ?? allowsOn(rule, ['create'], '', 'pods', 'attach') ?? allowsOn(rule, ['update', 'patch'], '', 'pods', 'ephemeralcontainers'),
      patchNames: allowsOn(rule, ['update', 'patch'], '', 'pods'),
      createSecretsAll: allowsOn(rule, ['create'], '', 'secrets') === 'all',
      readSecrets: allowsOn(rule, ['get', 'list'], '', 'secrets'),
      escalateClusterRoles: allowsOn(rule, ['escalate'], RBAC_GROUP, 'clusterroles') !== undefined,
      writeClusterRoles: allowsOn(rule, ['create', 'update', 'patch'], RBAC_GROUP, 'clusterroles') !== undefined,
      bindClusterAdmin: bind !== undefined && nameAllowed(bind, 'cluster-admin'),
      writeClusterRoleBindings: allowsOn(rule, ['create', 'update', 'patch'], RBAC_GROUP, 'clusterrolebindings') !== undefined,
      createCsr: allowsOn(rule, ['create'], CERTS, 'certificatesigningrequests') === 'all',
      approveCsr: allowsOn(rule, ['update', 'patch'], CERTS, 'certificatesigningrequests', 'approval') !== undefined,
      approveClientSigner: signer !== undefined && (nameAllowed(signer, 'kubernetes.io/kube-apiserver-client') || nameAllowed(signer, 'kubernetes.io/*')),
    };
    const any = Object.values(profile).some((v) => v !== undefined && v !== false);
    p = any ? profile : null;
  }
  profiles.set(rule, p);
  return p;
}

const analyses = new WeakMap<RbacGraph, EscalationAnalysis>();

/** The escalation analysis of a graph, computed once. */
export function escalationAnalysis(graph: RbacGraph): EscalationAnalysis {
  let a = analyses.get(graph);
  if (a === undefined) {
    a = new EscalationAnalysis(graph);
    analyses.set(graph, a);
  }
  return a;
}
