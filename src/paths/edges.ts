// Which findings open which steps. Each entry reads a finding the catalogue already produces and
// adds the edges its door opens; a finding no entry names opens no step. Facts about where things
// are (a pod's node, its service account) come from the placement; the door always comes from a
// finding.

import type { Finding } from '../core/finding.js';
import { AUTHENTICATED_GROUP, type AttackGraph, type Proof } from './graph.js';
import type { Technique } from './model.js';
import { ANY_NODE, kubeletNodeOf, workloadKey, type WorkloadPlacement } from './placement.js';

/** Findings of other rules an edge rule may need beside its own (the namespace without Pod Security, …). */
export interface FindingIndex {
  byRule(ruleId: string): readonly Finding[];
}

type EdgeRule = (f: Finding, g: AttackGraph, all: FindingIndex) => void;

const proof = (technique: Technique, action: string, ...findings: Finding[]): Proof => ({ technique, action, findings: findings.map((f) => f.fingerprint) });

function where(f: Finding): string {
  const e = f.endpoint;
  return e === undefined ? '' : 'url' in e ? e.url : `${e.host}:${e.port}`;
}

const nodeOf = (f: Finding, g: AttackGraph): string | undefined => kubeletNodeOf(f, g.placement);

function workloadOf(f: Finding, g: AttackGraph): WorkloadPlacement | undefined {
  return f.resource ? g.placement.workloads.get(workloadKey(f.resource)) : undefined;
}

/** The namespace a finding about a namespace is about (on the Namespace object, or on an object in it). */
function namespaceOf(f: Finding): string | undefined {
  return f.resource?.kind === 'Namespace' ? f.resource.name : f.resource?.namespace;
}

const CLOUD_KEY = /\b(AWS|Amazon|Google|GCP|gcloud|Azure|Alibaba|DigitalOcean)\b/i;

function isCloudCredential(f: Finding): boolean {
  return CLOUD_KEY.test(f.message) || CLOUD_KEY.test(f.evidence ?? '');
}

// ─── from the network ─────────────────────────────────────────────────────────────────────────────

const kubeletExec: EdgeRule = (f, g) => {
  const node = nodeOf(f, g);
  if (node === undefined) return;
  g.edge(g.entry('network'), g.podsOnNode(node), proof('kubelet-exec', `run a command in any pod on node ${node} through the kubelet API (${where(f) || 'port 10250'}), with no credentials`, f));
};

/** Anonymous requests to the kubelet, and AlwaysAllow for them: both are needed for anyone to exec. */
const kubeletAnonymousConfig: EdgeRule = (f, g, all) => {
  const node = nodeOf(f, g);
  const allowAll = all.byRule('KM-KL-002').find((k) => nodeOf(k, g) === node);
  if (node === undefined || allowAll === undefined) return;
  g.edge(g.entry('network'), g.podsOnNode(node), proof('kubelet-exec', `run a command in any pod on node ${node} through its kubelet, which lets anonymous requests do anything`, f, allowAll));
};

/** AlwaysAllow on the kubelet: any caller it authenticates may exec. */
const kubeletAlwaysAllow: EdgeRule = (f, g) => {
  const node = nodeOf(f, g);
  if (node === undefined) return;
  g.edge(g.group(AUTHENTICATED_GROUP), g.podsOnNode(node), proof('kubelet-exec', `run a command in any pod on node ${node} through its kubelet, which authorizes every authenticated request`, f));
};

/** A kubelet that lists its pods to anyone shows their env: a cloud key written there is read. */
const kubeletPodList: EdgeRule = (f, g, all) => {
  const node = nodeOf(f, g);
  if (node === undefined) return;
  for (const literal of all.byRule('KM-SC-001')) {
    const w = workloadOf(literal, g);
    if (w === undefined || !w.nodes.includes(node) || !isCloudCredential(literal)) continue;
    g.edge(g.entry('network'), g.asset('cloud-credentials'), proof('kubelet-read', `read the cloud key in ${g.vertices[g.workload(w)].label}'s environment from the kubelet's pod list on node ${node}`, f, literal));
  }
};

const apiWithoutAuth: EdgeRule = (f, g) => {
  g.edge(g.entry('network'), g.asset('cluster-admin'), proof('api-unauthenticated', `use the Kubernetes API ${where(f) ? `at ${where(f)} ` : ''}where no authentication or authorization applies`, f));
};

const anonymousAuth: EdgeRule = (f, g) => {
  g.edge(g.entry('network'), g.identity({ kind: 'User', name: 'system:anonymous' }), proof('api-unauthenticated', `call the API server${where(f) ? ` at ${where(f)}` : ''} with no credentials, as system:anonymous`, f));
};

/** AlwaysAllow on the API server: every authenticated caller is an administrator; with anonymous requests, every caller. */
const apiAlwaysAllow: EdgeRule = (f, g, all) => {
  g.edge(g.group(AUTHENTICATED_GROUP), g.asset('cluster-admin'), proof('rbac', 'do anything: the API server authorizes every request', f));
  const anonymous = all.byRule('KM-CP-001')[0] ?? all.byRule('KM-EX-006')[0];
  if (anonymous) g.edge(g.entry('network'), g.asset('cluster-admin'), proof('api-unauthenticated', 'do anything with no credentials: the API server takes anonymous requests and authorizes every request', f, anonymous));
};

/** What anonymous callers were seen or reviewed to be allowed: reading Secrets everywhere is every Secret. */
const anonymousSecrets: EdgeRule = (f, g) => {
  if (!/\b(get|list|watch) secrets\b/.test(f.message) || (f.ruleId === 'KM-RB-003' && !f.message.includes('cluster-wide'))) return;
  g.edge(g.entry('network'), g.asset('all-secrets'), proof('api-unauthenticated', `read Secrets through the API server${where(f) ? ` at ${where(f)}` : ''} with no credentials`, f));
};

const etcdOpen: EdgeRule = (f, g) => {
  const etcd = g.asset('etcd');
  g.edge(g.entry('network'), etcd, proof('etcd-direct', `talk to etcd${where(f) ? ` at ${where(f)}` : ''} with no client certificate`, f));
  g.edge(etcd, g.asset('all-secrets'), proof('etcd-direct', 'read every Secret straight from etcd', f));
  g.edge(etcd, g.asset('cluster-admin'), proof('etcd-direct', 'write a ClusterRoleBinding to cluster-admin straight into etcd, past authorization and audit', f));
};

/** A console with no login acts as its own service account for whoever reaches it. */
const consoleWithoutLogin: EdgeRule = (f, g, all) => {
  const consoles = f.resource ? [workloadOf(f, g)] : all.byRule('KM-CO-001').map((c) => workloadOf(c, g));
  for (const w of consoles) {
    if (w === undefined) continue;
    const to = g.identity({ kind: 'ServiceAccount', name: w.serviceAccount, ...(w.namespace ? { namespace: w.namespace } : {}) });
    g.edge(g.entry('network'), to, proof('console', `use ${g.vertices[g.workload(w)].label}${where(f) ? ` at ${where(f)}` : ''} without logging in: it acts as its service account ${w.serviceAccount}`, f));
  }
};

const tiller: EdgeRule = (f, g) => {
  const w = workloadOf(f, g);
  if (w === undefined) return;
  const to = g.identity({ kind: 'ServiceAccount', name: w.serviceAccount, ...(w.namespace ? { namespace: w.namespace } : {}) });
  g.edge(g.podNetwork(), to, proof('console', `ask Tiller (${g.vertices[g.workload(w)].label}, no authentication) to install a chart as its service account ${w.serviceAccount}`, f));
};

const dockerApi: EdgeRule = (f, g) => {
  const node = nodeOf(f, g);
  if (node === undefined) return;
  g.edge(g.entry('network'), g.node(node), proof('runtime-api', `start a privileged container with the host's root mounted through the Docker API at ${where(f)}`, f));
};

// ─── from a workload ─────────────────────────────────────────────────────────────────────────────

const ESCAPE_ACTIONS: Record<string, string> = {
  'KM-WL-001': 'escape its privileged container to the node',
  'KM-WL-007': 'take the node through the sensitive host path it mounts',
  'KM-WL-008': 'start a privileged container through the runtime socket it mounts',
  'KM-WL-009': 'escape to the node with the capability it adds',
  'KM-WL-022': 'run as a Windows HostProcess container, which is the node',
};

/** Capabilities that give the node away on their own; the others need more than one finding shows. */
const ESCAPING_CAPABILITIES = /\b(SYS_ADMIN|SYS_MODULE|ALL)\b/;

const containerEscape: EdgeRule = (f, g) => {
  const w = workloadOf(f, g);
  if (w === undefined) return;
  if (f.ruleId === 'KM-WL-009' && !ESCAPING_CAPABILITIES.test(`${f.message} ${f.evidence ?? ''}`)) return;
  // a host path mounted read-only shows the node's files, it does not hand over the node
  if (f.ruleId === 'KM-WL-007' && /\bread-only\b/.test(f.message)) return;
  for (const node of w.nodes) g.edge(g.workload(w), g.node(node), proof('container-escape', ESCAPE_ACTIONS[f.ruleId], f));
};

const tokenTheft: EdgeRule = (f, g) => {
  const w = workloadOf(f, g);
  if (w === undefined) return;
  const account = g.identity({ kind: 'ServiceAccount', name: w.serviceAccount, ...(w.namespace ? { namespace: w.namespace } : {}) });
  g.edge(g.workload(w), account, proof('token-theft', `read the token of service account ${w.serviceAccount} mounted in its pods`, f));
  // from its node's disk, where the node is known: root on "a node" is not root on this one
  for (const node of w.nodes) {
    if (node !== ANY_NODE) g.edge(g.node(node), account, proof('node-credentials', `read the token of ${g.vertices[g.workload(w)].label}'s service account from the node's disk`, f));
  }
};

const metadataReach: EdgeRule = (f, g) => {
  const namespace = namespaceOf(f);
  for (const w of g.placement.workloads.values()) {
    if (w.namespace !== namespace || !w.reachesMetadata) continue;
    g.edge(g.workload(w), g.asset('cloud-credentials'), proof('metadata', 'reach the cloud metadata endpoint (169.254.169.254) and take the node\'s cloud credentials', f));
  }
};

const credentialInSpec: EdgeRule = (f, g) => {
  const w = workloadOf(f, g);
  if (w === undefined || !isCloudCredential(f)) return;
  g.edge(g.workload(w), g.asset('cloud-credentials'), proof('credential-in-spec', 'read the cloud key written in its environment', f));
};

// ─── what an identity's RBAC grants ──────────────────────────────────────────────────────────────

type Scope = { type: 'cluster' } | { type: 'namespace'; namespace: string };

function scopeOf(f: Finding): Scope | undefined {
  if (f.resource?.kind === 'ClusterRoleBinding') return { type: 'cluster' };
  if (f.resource?.kind === 'RoleBinding') return { type: 'namespace', namespace: f.resource.namespace ?? '' };
  return undefined; // a role nothing binds grants nothing yet
}

const scopeName = (s: Scope): string => (s.type === 'cluster' ? '*' : s.namespace);
const scopeText = (s: Scope): string => (s.type === 'cluster' ? 'every namespace' : `namespace ${s.namespace}`);

/** A namespace without Pod Security enforcement admits a privileged pod: pod creation there is node root. */
function privilegedPodEdges(from: number, f: Finding, scope: Scope, g: AttackGraph, all: FindingIndex): void {
  for (const open of all.byRule('KM-NS-001')) {
    const ns = namespaceOf(open);
    if (ns === undefined || (scope.type === 'namespace' && scope.namespace !== ns)) continue;
    g.edge(from, g.node(ANY_NODE), proof('rbac', `create a privileged pod in namespace ${ns}, which enforces no Pod Security Standard, and take its node`, f, open));
  }
}

function namespaceAdmin(from: number, f: Finding, scope: Scope, g: AttackGraph, all: FindingIndex, how: string): void {
  g.edge(from, g.podsIn(scopeName(scope)), proof('rbac', `exec into any pod in ${scopeText(scope)} (${how})`, f));
  g.edge(from, g.accountsIn(scopeName(scope)), proof('rbac', `create a pod that runs as any service account in ${scopeText(scope)} (${how})`, f));
  privilegedPodEdges(from, f, scope, g, all);
}

type Grant = (from: number, f: Finding, scope: Scope, g: AttackGraph, all: FindingIndex) => void;

const toClusterAdmin =
  (how: string): Grant =>
  (from, f, scope, g, all) => {
    if (scope.type === 'cluster') g.edge(from, g.asset('cluster-admin'), proof('rbac', how, f));
    else namespaceAdmin(from, f, scope, g, all, how);
  };

/** What each capability rule's fact lets its holder do. */
const GRANTS: Record<string, Grant> = {
  'KM-RB-001': toClusterAdmin('bound to cluster-admin'),
  'KM-RB-010': toClusterAdmin('`*` verbs on `*` resources'),
  'KM-RB-015': toClusterAdmin('escalate, bind or impersonate'),
  'KM-RB-017': (from, f, scope, g) => {
    if (scope.type === 'cluster') g.edge(from, g.asset('cluster-admin'), proof('rbac', 'approve a certificate signing request for a client certificate in group system:masters', f));
  },
  'KM-RB-018': (from, f, scope, g) => {
    if (scope.type === 'cluster') g.edge(from, g.asset('cluster-admin'), proof('rbac', 'register an admission webhook that sees and rewrites every object written', f));
  },
  'KM-RB-011': (from, f, scope, g) => {
    if (scope.type === 'cluster') g.edge(from, g.asset('all-secrets'), proof('rbac', 'read every Secret', f));
  },
  'KM-RB-012': (from, f, scope, g) => g.edge(from, g.podsIn(scopeName(scope)), proof('rbac', `exec into any pod in ${scopeText(scope)}`, f)),
  'KM-RB-013': (from, f, _scope, g) => g.edge(from, g.podsIn('*'), proof('kubelet-exec', 'run a command in any pod through the kubelet API (nodes/proxy)', f)),
  'KM-RB-014': (from, f, scope, g, all) => {
    g.edge(from, g.accountsIn(scopeName(scope)), proof('rbac', `create a pod that runs as any service account in ${scopeText(scope)}`, f));
    privilegedPodEdges(from, f, scope, g, all);
  },
  'KM-RB-016': (from, f, scope, g) => g.edge(from, g.accountsIn(scopeName(scope)), proof('rbac', `mint a token for any service account in ${scopeText(scope)}`, f)),
};

const rbacGrant: EdgeRule = (f, g, all) => {
  const scope = scopeOf(f);
  if (scope === undefined || f.subjects === undefined) return;
  const ids = f.covers?.map((c) => c.ruleId) ?? [f.ruleId];
  for (const subject of f.subjects) {
    const from = g.identity(subject);
    for (const id of new Set(ids)) GRANTS[id]?.(from, f, scope, g, all);
  }
};

export const EDGE_RULES: Readonly<Record<string, EdgeRule>> = {
  'KM-EX-002': kubeletExec,
  'KM-KL-001': kubeletAnonymousConfig,
  'KM-KL-002': kubeletAlwaysAllow,
  'KM-EX-001': kubeletPodList,
  'KM-EX-003': kubeletPodList,
  'KM-EX-007': apiWithoutAuth,
  'KM-CP-004': apiWithoutAuth,
  'KM-EX-006': anonymousAuth,
  'KM-CP-001': anonymousAuth,
  'KM-CP-002': apiAlwaysAllow,
  'KM-EX-005': anonymousSecrets,
  'KM-RB-003': anonymousSecrets,
  'KM-EX-009': etcdOpen,
  'KM-EX-010': etcdOpen,
  'KM-ET-001': etcdOpen,
  'KM-ET-002': etcdOpen,
  'KM-EX-011': consoleWithoutLogin,
  'KM-CO-001': consoleWithoutLogin,
  'KM-CO-002': tiller,
  'KM-EX-012': dockerApi,
  'KM-WL-001': containerEscape,
  'KM-WL-007': containerEscape,
  'KM-WL-008': containerEscape,
  'KM-WL-009': containerEscape,
  'KM-WL-022': containerEscape,
  'KM-WL-023': tokenTheft,
  'KM-NP-005': metadataReach,
  'KM-SC-001': credentialInSpec,
  ...Object.fromEntries(Object.keys(GRANTS).map((id) => [id, rbacGrant])),
};

/** The rule ids that can open a step, for the docs and the `--rules` check. */
export const STEP_RULE_IDS: readonly string[] = Object.keys(EDGE_RULES).sort();
