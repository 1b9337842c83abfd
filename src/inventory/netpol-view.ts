// Answers of the NetworkPolicy index shaped for people and for JSON: for a workload, what may
// reach it and what it may reach; for a namespace, its default posture and its workloads; for the
// whole input, one line per namespace. `kubemoat netpol` prints these.

import { describeObject } from './objects.js';
import { formatPolicyPorts, formatPortSet, resolvePorts, type ContainerPort } from './netpol-ports.js';
import {
  describePeer,
  DIRECTIONS,
  SYSTEM_NAMESPACES,
  UNSET,
  type Direction,
  type NetpolIndex,
  type NsInfo,
  type Peer,
  type PodInfo,
  type PolicyInfo,
} from './netpol.js';

export interface PeerView {
  type: Peer['type'];
  /** `pods matching \`app=lb\` in namespace \`shop\``, `10.0.0.0/8 except 10.1.0.0/16` */
  text: string;
  /** namespaces of the input a namespaceSelector selects */
  namespaces?: string[];
  /** workloads of the input the peer selects, at most the view's limit */
  workloads?: string[];
  workloadsTotal?: number;
}

export interface AllowView {
  policy: string;
  /** 1-based, as in messages */
  rule: number;
  /** undefined: every peer (no `from`/`to`) */
  peers?: PeerView[];
  /** ingress: resolved on this workload's ports; egress: as written (named ports resolve at the destination) */
  ports: string;
  /** why this rule lets anyone through, when it does */
  open: string[];
}

export interface ConnectionView {
  workload: string;
  ports: string;
}

export interface DirectionView {
  /** false for host-network workloads: NetworkPolicy does not apply */
  governed: boolean;
  isolated: boolean;
  policies: string[];
  allows: AllowView[];
  /** workloads of the input with a connection in this direction (both ends' policies agree), at most `limit` */
  connections: ConnectionView[];
  connectionsTotal: number;
}

export interface MetadataView {
  reachable: boolean;
  via: string[];
}

export interface WorkloadView {
  workload: string;
  kind: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  hostNetwork: boolean;
  ports: ContainerPort[];
  ingress: DirectionView;
  egress: DirectionView;
  metadata: MetadataView;
}

export interface PolicyView {
  policy: string;
  types: Direction[];
  podSelector: string;
  selects: string[];
}

export interface NamespaceView {
  namespace: string;
  labels: Record<string, string>;
  system: boolean;
  /** a network plugin's own policies live here (or cluster-wide): this analysis may be incomplete */
  uncertain: boolean;
  defaultDeny: Record<Direction, string>;
  policies: PolicyView[];
  workloads: WorkloadView[];
}

export interface NamespaceSummary {
  namespace: string;
  workloads: number;
  policies: number;
  defaultDenyIngress: boolean;
  defaultDenyEgress: boolean;
  /** governed workloads not isolated for the direction */
  openIngress: number;
  openEgress: number;
  /** workloads that can reach the cloud metadata endpoint */
  metadata: number;
  system: boolean;
  uncertain: boolean;
}

export interface ViewOptions {
  /** most connections listed per direction (all are counted) */
  connectionLimit: number;
}

export const DEFAULT_VIEW_OPTIONS: ViewOptions = { connectionLimit: 25 };

function nsName(ns: string): string {
  return ns === UNSET ? '(unset)' : ns;
}

function policyName(p: PolicyInfo): string {
  return `${nsName(p.namespace)}/${p.object.name}`;
}

function peerView(index: NetpolIndex, peer: Peer, policyNamespace: string, limit: number): PeerView {
  const view: PeerView = { type: peer.type, text: describePeer(peer, policyNamespace) };
  if (peer.type === 'pods') {
    if (peer.namespaceSelector !== undefined) view.namespaces = index.namespacesSelected(peer.namespaceSelector).map((n) => nsName(n.name));
    const pods = index.podsSelected(peer, policyNamespace);
    view.workloads = pods.slice(0, limit).map((p) => describeObject(p.object));
    view.workloadsTotal = pods.length;
  }
  return view;
}

function directionView(index: NetpolIndex, pod: PodInfo, d: Direction, options: ViewOptions): DirectionView {
  const governed = !pod.hostNetwork;
  const isolated = index.isolated(pod, d);
  const allows: AllowView[] = index.rulesFor(pod, d).map(({ policy, rule }) => ({
    policy: policyName(policy),
    rule: rule.index + 1,
    ...(rule.peers === 'any' ? {} : { peers: rule.peers.map((p) => peerView(index, p, policy.namespace, options.connectionLimit)) }),
    ports: d === 'ingress' ? formatPortSet(resolvePorts(rule.ports, pod.ports)) : formatPolicyPorts(rule.ports),
    open: index.openPeers(rule).map((o) => o.what),
  }));
  const all = index.peersOf(pod, d);
  return {
    governed,
    isolated,
    policies: governed ? pod.policies[d].map(policyName) : [],
    allows,
    connections: all.slice(0, options.connectionLimit).map((c) => ({ workload: describeObject(c.pod.object), ports: formatPortSet(c.ports) })),
    connectionsTotal: all.length,
  };
}

export function metadataView(index: NetpolIndex, pod: PodInfo): MetadataView {
  const access = index.metadataAccess(pod);
  if (access === undefined) return { reachable: false, via: [] };
  if (access.via === 'host-network') return { reachable: true, via: ['it runs on the host network, where NetworkPolicy does not apply'] };
  if (access.via === 'not-isolated') return { reachable: true, via: ['no egress policy selects it'] };
  return {
    reachable: true,
    via: access.grants.map(
      (g) => `${policyName(g.policy)} egress rule ${g.rule.index + 1} allows ${g.peer ? describePeer(g.peer, g.policy.namespace) : 'any destination'}${g.endpoint.address === '169.254.169.254' ? '' : ` (${g.endpoint.address})`}`,
    ),
  };
}

export function workloadView(index: NetpolIndex, pod: PodInfo, options: ViewOptions = DEFAULT_VIEW_OPTIONS): WorkloadView {
  return {
    workload: describeObject(pod.object),
    kind: pod.object.kind,
    namespace: nsName(pod.namespace),
    name: pod.object.name,
    labels: pod.labels,
    hostNetwork: pod.hostNetwork,
    ports: pod.ports,
    ingress: directionView(index, pod, 'ingress', options),
    egress: directionView(index, pod, 'egress', options),
    metadata: metadataView(index, pod),
  };
}

function defaultDenyText(index: NetpolIndex, ns: string, d: Direction): string {
  const state = index.defaultDeny(ns, d);
  if (state.state === 'deny') return `yes (${state.policies.map(policyName).join(', ')})`;
  if (state.state === 'reopened') return `no: ${policyName(state.policy)} selects every pod but its ${d} rule ${state.rule.index + 1} allows everything`;
  return 'no';
}

export function namespaceView(index: NetpolIndex, ns: NsInfo, options: ViewOptions = DEFAULT_VIEW_OPTIONS): NamespaceView {
  return {
    namespace: nsName(ns.name),
    labels: ns.labels,
    system: SYSTEM_NAMESPACES.has(ns.name),
    uncertain: index.isUncertain(ns.name),
    defaultDeny: { ingress: defaultDenyText(index, ns.name, 'ingress'), egress: defaultDenyText(index, ns.name, 'egress') },
    policies: ns.policies.map((p) => ({
      policy: policyName(p),
      types: DIRECTIONS.filter((d) => p.types[d]),
      podSelector: p.podSelector.text,
      selects: [...p.selected, ...p.selectedHostNetwork].map((w) => describeObject(w.object)),
    })),
    workloads: ns.pods.map((p) => workloadView(index, p, options)),
  };
}

export function summaryView(index: NetpolIndex): NamespaceSummary[] {
  return [...index.namespaces.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((ns) => {
      const governed = ns.pods.filter((p) => !p.hostNetwork);
      return {
        namespace: nsName(ns.name),
        workloads: ns.pods.length,
        policies: ns.policies.length,
        defaultDenyIngress: index.defaultDeny(ns.name, 'ingress').state === 'deny',
        defaultDenyEgress: index.defaultDeny(ns.name, 'egress').state === 'deny',
        openIngress: governed.filter((p) => !index.isolated(p, 'ingress')).length,
        openEgress: governed.filter((p) => !index.isolated(p, 'egress')).length,
        metadata: ns.pods.filter((p) => index.metadataAccess(p) !== undefined).length,
        system: SYSTEM_NAMESPACES.has(ns.name),
        uncertain: index.isUncertain(ns.name),
      };
    });
}

export interface WorkloadLookup {
  pod?: PodInfo;
  /** how the name was matched, when not exactly */
  note?: string;
  error?: string;
}

/**
 * Find a workload from `NS/NAME`, `NS/KIND/NAME` or `NAME`. In a live cluster, pods owned by a
 * listed controller are folded into it, so a pod name (`web-7d9f8-x2x4q`) finds its controller by
 * the longest name prefix.
 */
export function findWorkload(index: NetpolIndex, spec: string): WorkloadLookup {
  const parts = spec.split('/');
  let namespace: string | undefined;
  let kind: string | undefined;
  let name: string;
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) [namespace, name] = parts;
  else if (parts.length === 3) [namespace, kind, name] = parts;
  else return { error: `\`${spec}\` is not NAMESPACE/NAME, NAMESPACE/KIND/NAME or NAME` };
  if (namespace === '(unset)') namespace = UNSET;
  const inScope = index.pods.filter((p) => (namespace === undefined || p.namespace === namespace) && (kind === undefined || p.object.kind.toLowerCase() === kind.toLowerCase()));
  const exact = inScope.filter((p) => p.object.name === name);
  if (exact.length === 1) return { pod: exact[0] };
  if (exact.length > 1) return { error: `\`${spec}\` matches ${exact.map((p) => describeObject(p.object)).join(', ')}; name one as NAMESPACE/KIND/NAME` };
  const owners = inScope.filter((p) => name.startsWith(`${p.object.name}-`)).sort((a, b) => b.object.name.length - a.object.name.length);
  if (owners.length > 0) return { pod: owners[0], note: `pod ${name} belongs to ${describeObject(owners[0].object)}` };
  const known = inScope.slice(0, 10).map((p) => describeObject(p.object));
  const where = namespace === undefined ? 'the input' : `namespace ${nsName(namespace)}`;
  return { error: `no workload \`${spec}\` in ${where}${known.length > 0 ? `; workloads there: ${known.join(', ')}${inScope.length > 10 ? ', …' : ''}` : ''}` };
}
