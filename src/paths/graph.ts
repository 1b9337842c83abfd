// The attack graph in memory: vertices an attacker can stand on, edges each proved by findings.
//
// Two kinds of vertex and edge keep it small without claiming anything unproved:
// - internal vertices are groups (system:authenticated, …) and hubs ("any pod in namespace x",
//   "any pod on node n"); a reported path never shows them;
// - structural edges (an account's group membership, a hub to its members, a node to "root on a
//   node") carry no finding and cost nothing: every step a path counts is a proved edge.

import type { Finding, SubjectRef } from '../core/finding.js';
import type { AssetKind, EntryKind, Technique, Vertex } from './model.js';
import { ANY_NODE, workloadsOnNode, type Placement, type WorkloadPlacement } from './placement.js';

export type GraphVertex = Vertex | { type: 'internal'; id: string; label: string };

export interface Proof {
  technique: Technique;
  action: string;
  /** fingerprints: every one is needed, fixing any one closes the edge */
  findings: string[];
}

export interface GraphEdge {
  from: number;
  to: number;
  /** absent on a structural edge */
  proof?: Proof;
}

export const ASSET_LABELS: Record<AssetKind, string> = {
  'cluster-admin': 'cluster-admin',
  'node-root': 'root on a node',
  'all-secrets': 'every Secret',
  'cloud-credentials': 'cloud credentials',
  etcd: 'etcd (every object)',
};

export const ENTRY_LABELS: Record<EntryKind, string> = {
  network: 'unauthenticated network caller',
  'any-pod': 'code in any pod',
  authenticated: 'any authenticated user',
  subject: 'chosen subject',
};

export const AUTHENTICATED_GROUP = 'system:authenticated';
const UNAUTHENTICATED_GROUP = 'system:unauthenticated';
const ANONYMOUS_USER = 'system:anonymous';

export const assetVertexId = (kind: AssetKind): string => `asset:${kind}`;

export const workloadVertexId = (key: string): string => `workload:${key}`;

export function identityId(s: SubjectRef): string {
  if (s.kind === 'ServiceAccount') return `sa:${s.namespace ?? ''}/${s.name}`;
  return s.kind === 'User' ? `user:${s.name}` : `group:${s.name}`;
}

function describeIdentity(s: SubjectRef): string {
  if (s.kind === 'ServiceAccount') return `ServiceAccount ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;
  return `${s.kind} ${s.name}`;
}

function describeWorkload(w: WorkloadPlacement): string {
  return `${w.resource.kind} ${w.namespace ? `${w.namespace}/` : ''}${w.resource.name}`;
}

/** The groups Kubernetes puts an identity in; RBAC bound to any of them is the identity's too. */
function groupsOf(s: SubjectRef): string[] {
  if (s.kind === 'ServiceAccount') return ['system:serviceaccounts', ...(s.namespace ? [`system:serviceaccounts:${s.namespace}`] : []), AUTHENTICATED_GROUP];
  if (s.kind === 'User') return s.name === ANONYMOUS_USER ? [UNAUTHENTICATED_GROUP] : [AUTHENTICATED_GROUP];
  return [];
}

export class AttackGraph {
  readonly vertices: GraphVertex[] = [];
  readonly edges: GraphEdge[] = [];
  readonly out: number[][] = [];
  readonly in: number[][] = [];
  readonly findings = new Map<string, Finding>();
  private readonly index = new Map<string, number>();
  private readonly subjects = new Map<number, SubjectRef>();
  private readonly edgeKeys = new Set<string>();

  constructor(readonly placement: Placement) {
    this.entry('network');
    this.entry('authenticated');
  }

  id(vertex: number): string {
    return this.vertices[vertex].id;
  }

  lookup(id: string): number | undefined {
    return this.index.get(id);
  }

  private vertex(v: GraphVertex, then?: (at: number) => void): number {
    const had = this.index.get(v.id);
    if (had !== undefined) return had;
    const at = this.vertices.length;
    this.vertices.push(v);
    this.out.push([]);
    this.in.push([]);
    this.index.set(v.id, at);
    then?.(at);
    return at;
  }

  /** An edge, once: the same proof between the same vertices is one edge however many rules say it. */
  edge(from: number, to: number, proof?: Proof): void {
    if (from === to) return;
    const key = `${from}>${to}>${proof ? proof.findings.join(',') : ''}`;
    if (this.edgeKeys.has(key)) return;
    this.edgeKeys.add(key);
    const e = this.edges.length;
    this.edges.push(proof ? { from, to, proof } : { from, to });
    this.out[from].push(e);
    this.in[to].push(e);
  }

  entry(kind: EntryKind, subject?: SubjectRef): number {
    const id = kind === 'subject' && subject ? `entry:subject:${identityId(subject)}` : `entry:${kind}`;
    return this.vertex({ type: 'entry', id, label: subject ? describeIdentity(subject) : ENTRY_LABELS[kind], entry: kind, ...(subject ? { subject } : {}) }, (at) => {
      if (kind === 'authenticated') this.edge(at, this.group(AUTHENTICATED_GROUP));
      if (subject) this.edge(at, this.identity(subject));
    });
  }

  asset(kind: AssetKind): number {
    // root on a node is reached at a node's own vertex: the asset behind them all is never shown
    if (kind === 'node-root') return this.vertex({ type: 'internal', id: assetVertexId(kind), label: ASSET_LABELS[kind] });
    return this.vertex({ type: 'asset', id: assetVertexId(kind), label: ASSET_LABELS[kind], asset: kind });
  }

  node(name: string): number {
    const label = name === ANY_NODE ? 'a node (which one is not known)' : `node ${name}`;
    return this.vertex({ type: 'node', id: `node:${name}`, label, node: name }, (at) => this.edge(at, this.asset('node-root')));
  }

  workload(w: WorkloadPlacement): number {
    // looked up first: edge rules ask for the same workload many times, and its label is built anew each time
    const had = this.index.get(workloadVertexId(w.key));
    if (had !== undefined) return had;
    return this.vertex({ type: 'workload', id: workloadVertexId(w.key), label: describeWorkload(w), resource: w.resource, nodes: w.nodes, serviceAccount: w.serviceAccount });
  }

  identity(s: SubjectRef): number {
    if (s.kind === 'Group') return this.group(s.name);
    return this.vertex({ type: 'identity', id: identityId(s), label: describeIdentity(s), subject: s }, (at) => this.subjects.set(at, s));
  }

  group(name: string): number {
    return this.vertex({ type: 'internal', id: `group:${name}`, label: `group ${name}` });
  }

  /** Code execution in any pod of a namespace (`*`: of the cluster). */
  podsIn(namespace: string): number {
    return this.vertex({ type: 'internal', id: `pods:${namespace}`, label: namespace === '*' ? 'any pod' : `any pod in namespace ${namespace}` }, (at) => {
      for (const w of namespace === '*' ? this.placement.workloads.values() : this.workloadsIn(namespace)) this.edge(at, this.workload(w));
    });
  }

  private byNamespace?: Map<string, WorkloadPlacement[]>;

  /** Workloads of a namespace, indexed on first use: a hub per namespace scanning every workload was namespaces × workloads. */
  private workloadsIn(namespace: string): readonly WorkloadPlacement[] {
    if (this.byNamespace === undefined) {
      this.byNamespace = new Map();
      for (const w of this.placement.workloads.values()) {
        let list = this.byNamespace.get(w.namespace);
        if (list === undefined) this.byNamespace.set(w.namespace, (list = []));
        list.push(w);
      }
    }
    return this.byNamespace.get(namespace) ?? [];
  }

  /** Code execution in any pod running on a node. */
  podsOnNode(node: string): number {
    return this.vertex({ type: 'internal', id: `node-pods:${node}`, label: `any pod on node ${node}` }, (at) => {
      for (const w of workloadsOnNode(this.placement, node)) this.edge(at, this.workload(w));
    });
  }

  /** Holding any service account of a namespace (`*`: of the cluster). */
  accountsIn(namespace: string): number {
    return this.vertex({ type: 'internal', id: `accounts:${namespace}`, label: namespace === '*' ? 'any service account' : `any service account in namespace ${namespace}` }, (at) => {
      for (const [ns, names] of this.placement.serviceAccounts) {
        if (namespace !== '*' && ns !== namespace) continue;
        for (const name of names) this.edge(at, this.identity({ kind: 'ServiceAccount', name, ...(ns ? { namespace: ns } : {}) }));
      }
    });
  }

  /** Reachable over the pod network from any pod. */
  podNetwork(): number {
    return this.vertex({ type: 'internal', id: 'pod-network', label: 'the pod network' }, (at) => {
      for (const w of this.placement.workloads.values()) this.edge(this.workload(w), at);
    });
  }

  /** Group memberships, once every identity and group is known. */
  linkGroups(): void {
    for (const [at, s] of this.subjects) {
      for (const g of groupsOf(s)) {
        const group = this.index.get(`group:${g}`);
        if (group !== undefined) this.edge(at, group);
      }
    }
  }

  isInternal(vertex: number): boolean {
    return this.vertices[vertex].type === 'internal';
  }

  workloadVertices(): number[] {
    const out: number[] = [];
    this.vertices.forEach((v, i) => {
      if (v.type === 'workload') out.push(i);
    });
    return out;
  }
}
