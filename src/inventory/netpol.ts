// The NetworkPolicy index: which policies select which pods, what each policy rule lets in and out,
// and the answers built on them (is a pod isolated, who may reach it, what may it reach, can it reach
// the cloud metadata endpoint). Built once per inventory, from manifests or a live cluster alike.
//
// Semantics (networking.k8s.io/v1):
// - A policy selects pods of its own namespace with `spec.podSelector`; a missing podSelector is `{}`
//   (every pod), as the API server defaults it.
// - policyTypes, when missing or empty, is Ingress, plus Egress when `spec.egress` has at least one
//   rule. `egress: []` alone therefore does not make a policy an egress policy.
// - A pod is isolated for a direction once any policy selecting it has that type; the traffic it
//   may send or receive is then the union of every such policy's rules. `ingress: []` (or no
//   `ingress`) on an Ingress policy allows nothing; `ingress: [{}]` allows everything.
// - In a rule, `from`/`to` missing or empty means every peer; `ports` missing or empty means every
//   port of every protocol.
// - A peer with only podSelector selects pods of the policy's namespace; with only namespaceSelector,
//   every pod of the selected namespaces; with both, the selected pods in the selected namespaces.
//   ipBlock selects addresses (cidr minus except); whether it also matches pod IPs is up to the
//   network plugin, so it is never used here to match a pod.
// - Named ports resolve against the destination pod's container ports (for ingress the selected
//   pod, for egress the peer pod); a name never matches an external address.
// - Pods on the host network are not governed by NetworkPolicy at all: they are neither isolated
//   nor matched by pod selectors.
// What the API server would refuse (an unknown operator, an empty peer, a bad CIDR) opens nothing
// here and is listed in `problems`.

import { asArray, asObject, asString, isObject, isTrue, type JsonValue, type Path } from '../core/json.js';
import { UNSET_NAMESPACE, type Inventory } from './inventory.js';
import { apiGroup, describeObject, type KubeObject, type PodSpecNode } from './objects.js';
import { blockCoversIp, isWholeFamily, parseCidr, parseIp, type Cidr, type IpAddress } from './netpol-cidr.js';
import { compileSelector, isOpenEnded, type Selector } from './netpol-selector.js';
import {
  intersect,
  isEmpty,
  NO_PORTS,
  parseContainerPorts,
  parsePolicyPort,
  resolvePorts,
  union,
  type ContainerPort,
  type PolicyPort,
  type PortSet,
  type Protocol,
} from './netpol-ports.js';

export type Direction = 'ingress' | 'egress';
export const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

/** The label the API server puts on every namespace (Kubernetes 1.21+). */
export const NAME_LABEL = 'kubernetes.io/metadata.name';

/** Namespaces the cluster itself runs in; rules about missing or open policies leave them out. */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

/** Objects a manifest leaves without a namespace share this one (the one they are installed into). */
export const UNSET = UNSET_NAMESPACE;

export interface MetadataEndpoint {
  address: string;
  ip: IpAddress;
  protocol: Protocol;
  port: number;
  clouds: string;
}

/** Instance metadata services that hand out cloud credentials over plain HTTP. */
export const METADATA_ENDPOINTS: readonly MetadataEndpoint[] = [
  { address: '169.254.169.254', ip: parseIp('169.254.169.254')!, protocol: 'TCP', port: 80, clouds: 'AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle' },
  { address: 'fd00:ec2::254', ip: parseIp('fd00:ec2::254')!, protocol: 'TCP', port: 80, clouds: 'AWS (IPv6)' },
];

export type Peer =
  | { type: 'pods'; path: Path; namespaceSelector?: Selector; podSelector?: Selector }
  | { type: 'ipBlock'; path: Path; cidr: Cidr; except: Cidr[] }
  | { type: 'invalid'; path: Path; reason: string };

export interface PolicyRule {
  direction: Direction;
  index: number;
  /** path of the rule from the policy object's root */
  path: Path;
  /** `any`: `from`/`to` missing or empty */
  peers: 'any' | Peer[];
  /** `any`: `ports` missing or empty */
  ports: 'any' | PolicyPort[];
}

export interface PolicyInfo {
  object: KubeObject;
  namespace: string;
  podSelector: Selector;
  types: Record<Direction, boolean>;
  rules: Record<Direction, PolicyRule[]>;
  /** workloads of its namespace it selects (host-network ones are in selectedHostNetwork) */
  selected: PodInfo[];
  selectedHostNetwork: PodInfo[];
}

export interface PodInfo {
  /** position in the input, for stable ordering */
  ordinal: number;
  /** the workload (Deployment, Pod, CronJob, …) */
  object: KubeObject;
  pod: PodSpecNode;
  namespace: string;
  labels: Record<string, string>;
  hostNetwork: boolean;
  ports: ContainerPort[];
  /** policies selecting it that have this type: non-empty means isolated */
  policies: Record<Direction, PolicyInfo[]>;
}

export interface NsInfo {
  /** '' for objects a manifest leaves without a namespace */
  name: string;
  labels: Record<string, string>;
  object?: KubeObject;
  pods: PodInfo[];
  policies: PolicyInfo[];
  /** CNI-specific or admin policies in this namespace, which this analysis does not evaluate */
  foreign: KubeObject[];
}

export interface NetpolProblem {
  object: KubeObject;
  path: Path;
  message: string;
}

/** Why a rule lets traffic from (or to) anywhere. */
export interface OpenPeer {
  /** undefined when the rule has no `from`/`to` at all */
  peer?: Peer;
  /** `any source`, `any pod in any namespace`, `any IPv4 address (0.0.0.0/0)` */
  what: string;
}

export type DefaultDeny =
  | { state: 'deny'; policies: PolicyInfo[] }
  | { state: 'none' }
  /** a policy selecting every pod has the type, but one of them allows everything back */
  | { state: 'reopened'; policy: PolicyInfo; rule: PolicyRule };

export type MetadataAccess =
  | { via: 'host-network' }
  | { via: 'not-isolated' }
  | { via: 'rules'; grants: { endpoint: MetadataEndpoint; policy: PolicyInfo; rule: PolicyRule; peer?: Peer }[] };

/** Kinds from network plugins and the admin-policy API that can deny or allow what NetworkPolicy does not show. */
const FOREIGN_NAMESPACED = new Set(['cilium.io/CiliumNetworkPolicy', 'projectcalico.org/NetworkPolicy', 'crd.projectcalico.org/NetworkPolicy', 'crd.antrea.io/NetworkPolicy']);
const FOREIGN_CLUSTER = new Set([
  'cilium.io/CiliumClusterwideNetworkPolicy',
  'projectcalico.org/GlobalNetworkPolicy',
  'crd.projectcalico.org/GlobalNetworkPolicy',
  'crd.antrea.io/ClusterNetworkPolicy',
  'policy.networking.k8s.io/AdminNetworkPolicy',
  'policy.networking.k8s.io/BaselineAdminNetworkPolicy',
  'policy.networking.k8s.io/ClusterNetworkPolicy',
]);
const NETWORK_POLICY_GROUPS = new Set(['networking.k8s.io', 'extensions']);
const UNIVERSAL_NAMESPACE_KEYS: ReadonlySet<string> = new Set([NAME_LABEL]);

const WORKLOAD_KINDS = new Set(['Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController']);

/** Kinds the source could not read (a 403 on a live cluster). */
function unreadableKinds(inventory: Inventory): ReadonlySet<string> {
  return inventory.unreadableKinds;
}

export function isNetworkPolicy(o: KubeObject): boolean {
  return o.kind === 'NetworkPolicy' && NETWORK_POLICY_GROUPS.has(apiGroup(o.apiVersion));
}

/** `namespace \`shop\``, or the install namespace of manifests that set none. */
export function describeNamespace(ns: string): string {
  return ns === UNSET ? 'the namespace the manifests are installed into (not set)' : `namespace \`${ns}\``;
}

export function describeDirection(d: Direction): string {
  return d === 'ingress' ? 'ingress' : 'egress';
}

function selectorOrUndefined(value: JsonValue | undefined): Selector | undefined {
  return value === undefined || value === null ? undefined : compileSelector(value);
}

export class NetpolIndex {
  readonly pods: PodInfo[] = [];
  readonly policies: PolicyInfo[] = [];
  readonly namespaces = new Map<string, NsInfo>();
  readonly problems: NetpolProblem[] = [];
  /** cluster-wide CNI or admin policies: every namespace's analysis is uncertain */
  readonly foreignClusterWide: KubeObject[] = [];
  private readonly podByObject = new Map<KubeObject, PodInfo>();
  private readonly policyByObject = new Map<KubeObject, PolicyInfo>();
  /** the pods each peer selects, computed on first use (a peer belongs to one policy, so to one namespace) */
  private readonly peerPods = new Map<Peer, Set<PodInfo>>();
  private readonly rulesCache: Record<Direction, Map<PodInfo, { policy: PolicyInfo; rule: PolicyRule }[]>> = { ingress: new Map(), egress: new Map() };
  private readonly fixedPorts = new Map<PolicyRule, PortSet>();

  /**
   * The source could not list NetworkPolicies or workloads (a live cluster's 403): every "missing
   * policy" answer would be a guess. Read from `inventory.unreadableKinds` when the source sets it.
   */
  readonly policiesUnreadable: boolean;
  readonly workloadsUnreadable: boolean;

  constructor(inventory: Inventory) {
    const unreadable = unreadableKinds(inventory);
    this.policiesUnreadable = unreadable.has('NetworkPolicy') || unreadable.has('Namespace');
    this.workloadsUnreadable = [...unreadable].some((k) => WORKLOAD_KINDS.has(k));
    for (const o of inventory.ofKind('Namespace')) {
      const ns = this.namespace(o.name);
      ns.object = o;
      // The API server sets the name label on every namespace, whatever the manifest says.
      ns.labels = { ...o.labels, [NAME_LABEL]: o.name };
    }
    for (const pod of inventory.podSpecs) {
      if (pod.object.kind === 'PodTemplate') continue; // a template, not something that runs
      const info: PodInfo = {
        ordinal: this.pods.length,
        object: pod.object,
        pod,
        namespace: pod.object.namespace ?? UNSET,
        labels: pod.podLabels,
        hostNetwork: isTrue(pod.spec.hostNetwork),
        ports: [...asArray(pod.spec.containers), ...asArray(pod.spec.initContainers)].flatMap(parseContainerPorts),
        policies: { ingress: [], egress: [] },
      };
      this.pods.push(info);
      this.podByObject.set(pod.object, info);
      this.namespace(info.namespace).pods.push(info);
    }
    for (const o of inventory.objects) {
      const key = `${apiGroup(o.apiVersion)}/${o.kind}`;
      if (FOREIGN_CLUSTER.has(key)) this.foreignClusterWide.push(o);
      else if (FOREIGN_NAMESPACED.has(key)) this.namespace(o.namespace ?? UNSET).foreign.push(o);
      else if (isNetworkPolicy(o)) this.addPolicy(o);
    }
  }

  private namespace(name: string): NsInfo {
    let ns = this.namespaces.get(name);
    if (ns === undefined) {
      ns = { name, labels: name === UNSET ? {} : { [NAME_LABEL]: name }, pods: [], policies: [], foreign: [] };
      this.namespaces.set(name, ns);
    }
    return ns;
  }

  /** per namespace, its pods by `key\0value` of each label, in the namespace's order */
  private readonly podsByLabel = new Map<NsInfo, Map<string, PodInfo[]>>();

  /**
   * The pods of a namespace a selector may select, in the namespace's order: for a selector that
   * requires a label value (`matchLabels`, `In` one value), only the pods carrying it. A namespace of
   * hundreds of workloads and dozens of policies otherwise costs every policy a pass over every pod.
   */
  private selectable(ns: NsInfo, selector: Selector): readonly PodInfo[] {
    let smallest: readonly PodInfo[] | undefined;
    for (const r of selector.requirements) {
      if (r.operator !== 'In' || r.values.length !== 1) continue;
      let byLabel = this.podsByLabel.get(ns);
      if (byLabel === undefined) {
        byLabel = new Map();
        for (const pod of ns.pods) {
          for (const k in pod.labels) {
            const key = `${k}\0${pod.labels[k]}`;
            let list = byLabel.get(key);
            if (list === undefined) byLabel.set(key, (list = []));
            list.push(pod);
          }
        }
        this.podsByLabel.set(ns, byLabel);
      }
      const list = byLabel.get(`${r.key}\0${r.values[0]}`) ?? [];
      if (smallest === undefined || list.length < smallest.length) smallest = list;
    }
    return smallest ?? ns.pods;
  }

  private problem(object: KubeObject, path: Path, message: string): void {
    this.problems.push({ object, path, message });
  }

  private addPolicy(o: KubeObject): void {
    const spec = asObject(o.raw.spec) ?? {};
    const namespace = o.namespace ?? UNSET;
    const podSelector = compileSelector(spec.podSelector ?? undefined);
    if (podSelector.invalid) this.problem(o, ['spec', 'podSelector'], `podSelector is invalid (${podSelector.invalid}); it selects nothing`);
    const listed = asArray(spec.policyTypes).map((t) => asString(t));
    const egressRules = asArray(spec.egress);
    const types =
      listed.length > 0
        ? { ingress: listed.includes('Ingress'), egress: listed.includes('Egress') }
        : { ingress: true, egress: egressRules.length > 0 };
    for (const t of listed) if (t !== 'Ingress' && t !== 'Egress') this.problem(o, ['spec', 'policyTypes'], `unknown policy type \`${String(t)}\``);
    const policy: PolicyInfo = {
      object: o,
      namespace,
      podSelector,
      types,
      rules: { ingress: this.parseRules(o, spec, 'ingress'), egress: this.parseRules(o, spec, 'egress') },
      selected: [],
      selectedHostNetwork: [],
    };
    const ns = this.namespace(namespace);
    for (const pod of this.selectable(ns, podSelector)) {
      if (!podSelector.matches(pod.labels)) continue;
      if (pod.hostNetwork) {
        policy.selectedHostNetwork.push(pod);
        continue;
      }
      policy.selected.push(pod);
      for (const d of DIRECTIONS) if (types[d]) pod.policies[d].push(policy);
    }
    ns.policies.push(policy);
    this.policies.push(policy);
    this.policyByObject.set(o, policy);
  }

  private parseRules(o: KubeObject, spec: Record<string, JsonValue>, direction: Direction): PolicyRule[] {
    const peerField = direction === 'ingress' ? 'from' : 'to';
    const out: PolicyRule[] = [];
    const list = spec[direction];
    if (list !== undefined && list !== null && !Array.isArray(list)) this.problem(o, ['spec', direction], `${direction} is not a list; it allows nothing`);
    asArray(list).forEach((raw, index) => {
      const path: Path = ['spec', direction, index];
      const r = asObject(raw);
      if (r === undefined) {
        this.problem(o, path, `${direction} rule ${index + 1} is not an object; it allows nothing`);
        return;
      }
      // A malformed list (a map where a list belongs) is refused by the API server: it opens nothing
      // here, rather than reading as "every peer" or "every port".
      const notList = (v: JsonValue | undefined): boolean => v !== undefined && v !== null && !Array.isArray(v);
      if (notList(r[peerField])) this.problem(o, [...path, peerField], `${peerField} is not a list; the rule allows nothing`);
      if (notList(r.ports)) this.problem(o, [...path, 'ports'], 'ports is not a list; the rule allows nothing');
      const rawPeers = asArray(r[peerField]);
      const peers: 'any' | Peer[] = notList(r[peerField]) ? [] : rawPeers.length === 0 ? 'any' : rawPeers.map((p, i) => this.parsePeer(o, p, [...path, peerField, i]));
      const rawPorts = asArray(r.ports);
      const ports: 'any' | PolicyPort[] = notList(r.ports) ? [] : rawPorts.length === 0 ? 'any' : rawPorts.map((p, i) => parsePolicyPort(p, [...path, 'ports', i]));
      if (ports !== 'any') for (const p of ports) if (p.invalid) this.problem(o, p.path, `port entry is invalid (${p.invalid}); it opens nothing`);
      out.push({ direction, index, path, peers, ports });
    });
    return out;
  }

  private parsePeer(o: KubeObject, raw: JsonValue, path: Path): Peer {
    const invalid = (reason: string): Peer => {
      this.problem(o, path, `peer is invalid (${reason}); it matches nothing`);
      return { type: 'invalid', path, reason };
    };
    if (!isObject(raw)) return invalid('not an object');
    const hasNs = raw.namespaceSelector !== undefined && raw.namespaceSelector !== null;
    const hasPod = raw.podSelector !== undefined && raw.podSelector !== null;
    const hasIp = raw.ipBlock !== undefined && raw.ipBlock !== null;
    if (hasIp) {
      if (hasNs || hasPod) return invalid('ipBlock cannot be combined with a selector');
      const block = asObject(raw.ipBlock);
      const cidrText = asString(block?.cidr);
      const cidr = cidrText === undefined ? undefined : parseCidr(cidrText);
      if (cidr === undefined) return invalid(`ipBlock.cidr \`${String(block?.cidr)}\` is not a CIDR`);
      const except: Cidr[] = [];
      for (const e of asArray(block?.except)) {
        const c = typeof e === 'string' ? parseCidr(e) : undefined;
        if (c === undefined) return invalid(`ipBlock.except \`${String(e)}\` is not a CIDR`);
        except.push(c);
      }
      return { type: 'ipBlock', path, cidr, except };
    }
    if (!hasNs && !hasPod) return invalid('no podSelector, namespaceSelector or ipBlock');
    const peer: Peer = { type: 'pods', path };
    if (hasNs) {
      peer.namespaceSelector = selectorOrUndefined(raw.namespaceSelector);
      if (peer.namespaceSelector?.invalid) this.problem(o, [...path, 'namespaceSelector'], `namespaceSelector is invalid (${peer.namespaceSelector.invalid}); it selects nothing`);
    }
    if (hasPod) {
      peer.podSelector = selectorOrUndefined(raw.podSelector);
      if (peer.podSelector?.invalid) this.problem(o, [...path, 'podSelector'], `podSelector is invalid (${peer.podSelector.invalid}); it selects nothing`);
    }
    return peer;
  }

  // ---- look-ups ----

  podOf(object: KubeObject): PodInfo | undefined {
    return this.podByObject.get(object);
  }

  policyOf(object: KubeObject): PolicyInfo | undefined {
    return this.policyByObject.get(object);
  }

  namespaceInfo(name: string): NsInfo | undefined {
    return this.namespaces.get(name);
  }

  labelsOf(namespace: string): Record<string, string> {
    return this.namespaces.get(namespace)?.labels ?? (namespace === UNSET ? {} : { [NAME_LABEL]: namespace });
  }

  /** A CNI-specific or admin policy may change what NetworkPolicy alone says about this namespace. */
  isUncertain(namespace: string): boolean {
    return this.policiesUnreadable || this.foreignClusterWide.length > 0 || (this.namespaces.get(namespace)?.foreign.length ?? 0) > 0;
  }

  isolated(pod: PodInfo, d: Direction): boolean {
    return !pod.hostNetwork && pod.policies[d].length > 0;
  }

  /** The workloads a peer (of a policy in `policyNamespace`) selects, host-network ones never. */
  private peerSet(peer: Peer, policyNamespace: string): Set<PodInfo> {
    let set = this.peerPods.get(peer);
    if (set !== undefined) return set;
    set = new Set<PodInfo>();
    if (peer.type === 'pods') {
      const namespaces = peer.namespaceSelector === undefined ? [this.namespaces.get(policyNamespace)] : this.namespacesSelected(peer.namespaceSelector);
      for (const ns of namespaces) {
        for (const pod of ns?.pods ?? []) {
          if (!pod.hostNetwork && (peer.podSelector === undefined || peer.podSelector.matches(pod.labels))) set.add(pod);
        }
      }
    }
    this.peerPods.set(peer, set);
    return set;
  }

  /** Does this peer (of a policy in `policyNamespace`) select this pod? Host-network pods are never selected. */
  peerSelectsPod(peer: Peer, policyNamespace: string, pod: PodInfo): boolean {
    return this.peerSet(peer, policyNamespace).has(pod);
  }

  /** Namespaces in the input a peer's namespaceSelector selects. */
  namespacesSelected(selector: Selector): NsInfo[] {
    return [...this.namespaces.values()].filter((ns) => selector.matches(ns.labels));
  }

  /** Workloads in the input a peer selects, in input order. */
  podsSelected(peer: Peer, policyNamespace: string): PodInfo[] {
    return [...this.peerSet(peer, policyNamespace)].sort((a, b) => a.ordinal - b.ordinal);
  }

  /** Rules that apply to this pod in one direction, with their policy. Empty when not isolated. */
  rulesFor(pod: PodInfo, d: Direction): readonly { policy: PolicyInfo; rule: PolicyRule }[] {
    if (pod.hostNetwork) return [];
    const cache = this.rulesCache[d];
    let rules = cache.get(pod);
    if (rules === undefined) {
      rules = pod.policies[d].flatMap((policy) => policy.rules[d].map((rule) => ({ policy, rule })));
      cache.set(pod, rules);
    }
    return rules;
  }

  /** The ports a rule opens on a destination; computed once per rule when it names no port. */
  portsOn(rule: PolicyRule, destination: PodInfo | undefined): PortSet {
    if (rule.ports === 'any') return 'all';
    const named = rule.ports.some((p) => typeof p.port === 'string');
    if (named) return resolvePorts(rule.ports, destination?.ports);
    let fixed = this.fixedPorts.get(rule);
    if (fixed === undefined) this.fixedPorts.set(rule, (fixed = resolvePorts(rule.ports, undefined)));
    return fixed;
  }

  /**
   * The ports on which `pod`'s policies let traffic go to (egress) or come from (ingress) `other`.
   * Only `pod`'s side: the connection also needs the other side's consent (see `connection`).
   */
  allowedWith(pod: PodInfo, d: Direction, other: PodInfo): PortSet {
    if (!this.isolated(pod, d)) return 'all';
    const destination = d === 'ingress' ? pod : other;
    let allowed: PortSet = NO_PORTS;
    for (const { policy, rule } of this.rulesFor(pod, d)) {
      // A host-network peer is seen as its node's address, which no pod selector matches.
      const matches = rule.peers === 'any' || rule.peers.some((p) => this.peerSelectsPod(p, policy.namespace, other));
      if (!matches) continue;
      allowed = union(allowed, this.portsOn(rule, destination));
      if (allowed === 'all') break;
    }
    return allowed;
  }

  /** Ports on which `src` may open connections to `dst`: src's egress and dst's ingress must both allow. */
  connection(src: PodInfo, dst: PodInfo): PortSet {
    const egress = this.allowedWith(src, 'egress', dst);
    if (isEmpty(egress)) return NO_PORTS;
    return intersect(egress, this.allowedWith(dst, 'ingress', src));
  }

  /** Workloads in the input that may open connections to `pod` (ingress) or that `pod` may reach (egress), with the ports, in input order. */
  peersOf(pod: PodInfo, d: Direction): { pod: PodInfo; ports: PortSet }[] {
    const out: { pod: PodInfo; ports: PortSet }[] = [];
    for (const other of this.candidates(pod, d)) {
      if (other === pod) continue;
      const ports = d === 'ingress' ? this.connection(other, pod) : this.connection(pod, other);
      if (!isEmpty(ports)) out.push({ pod: other, ports });
    }
    return out.sort((a, b) => a.pod.ordinal - b.pod.ordinal);
  }

  /** Every workload `pod`'s own policies could let through in this direction: all of them unless isolated. */
  private candidates(pod: PodInfo, d: Direction): Iterable<PodInfo> {
    if (!this.isolated(pod, d)) return this.pods;
    const out = new Set<PodInfo>();
    for (const { policy, rule } of this.rulesFor(pod, d)) {
      if (rule.peers === 'any') return this.pods;
      for (const peer of rule.peers) for (const p of this.peerSet(peer, policy.namespace)) out.add(p);
    }
    return out;
  }

  /**
   * Does the namespace deny by default in this direction? Yes when a policy selecting every pod
   * (podSelector `{}`) has the type, and no such policy hands everything back with an allow-all
   * rule. Policies with narrower selectors only add allowances for the pods they pick.
   */
  defaultDeny(namespace: string, d: Direction): DefaultDeny {
    const catchAll = (this.namespaces.get(namespace)?.policies ?? []).filter((p) => p.podSelector.empty && p.types[d]);
    if (catchAll.length === 0) return { state: 'none' };
    for (const policy of catchAll) {
      for (const rule of policy.rules[d]) {
        if (rule.ports === 'any' && this.openPeers(rule).some((o) => o.peer === undefined || o.peer.type === 'pods')) return { state: 'reopened', policy, rule };
      }
    }
    return { state: 'deny', policies: catchAll };
  }

  /** The parts of a rule that let any source (or destination) through: no peers, an open-ended namespace selector with every pod, a /0 block. */
  openPeers(rule: PolicyRule): OpenPeer[] {
    if (rule.peers === 'any') return [{ what: rule.direction === 'ingress' ? 'any source' : 'any destination' }];
    const out: OpenPeer[] = [];
    for (const peer of rule.peers) {
      if (peer.type === 'pods') {
        const ns = peer.namespaceSelector;
        if (ns === undefined || !isOpenEnded(ns, UNIVERSAL_NAMESPACE_KEYS)) continue;
        if (peer.podSelector !== undefined && !peer.podSelector.empty) continue;
        const exclusions = ns.requirements.filter((r) => r.key !== NAME_LABEL || r.operator !== 'Exists');
        out.push({ peer, what: exclusions.length === 0 ? 'any pod in any namespace' : `any pod in every namespace not excluded by \`${ns.text}\`` });
      } else if (peer.type === 'ipBlock' && isWholeFamily(peer.cidr)) {
        const family = peer.cidr.family === 4 ? 'IPv4' : 'IPv6';
        const except = peer.except.length > 0 ? ` except ${peer.except.map((c) => c.text).join(', ')}` : '';
        out.push({ peer, what: `any ${family} address (${peer.cidr.text}${except})` });
      }
    }
    return out;
  }

  /** The peer of a rule that lets traffic reach this address on this port, or undefined. `any` peers return `{}`. */
  ruleReachesAddress(rule: PolicyRule, ip: IpAddress, protocol: Protocol, port: number): { peer?: Peer } | undefined {
    const ports = resolvePorts(rule.ports, undefined);
    if (ports !== 'all' && !ports.some((r) => r.protocol === protocol && r.from <= port && port <= r.to)) return undefined;
    if (rule.peers === 'any') return {};
    for (const peer of rule.peers) if (peer.type === 'ipBlock' && blockCoversIp(peer.cidr, peer.except, ip)) return { peer };
    return undefined;
  }

  /** How this workload's pods can reach a cloud metadata endpoint, or undefined when they cannot. */
  metadataAccess(pod: PodInfo): MetadataAccess | undefined {
    if (pod.hostNetwork) return { via: 'host-network' };
    if (!this.isolated(pod, 'egress')) return { via: 'not-isolated' };
    const grants: { endpoint: MetadataEndpoint; policy: PolicyInfo; rule: PolicyRule; peer?: Peer }[] = [];
    for (const { policy, rule } of this.rulesFor(pod, 'egress')) {
      for (const endpoint of METADATA_ENDPOINTS) {
        const hit = this.ruleReachesAddress(rule, endpoint.ip, endpoint.protocol, endpoint.port);
        if (hit !== undefined) grants.push({ endpoint, policy, rule, ...(hit.peer ? { peer: hit.peer } : {}) });
      }
    }
    return grants.length > 0 ? { via: 'rules', grants } : undefined;
  }
}

const cache = new WeakMap<Inventory, { count: number; index: NetpolIndex }>();

/** The index of an inventory, built once and shared by every rule of a scan. */
export function netpolIndex(inventory: Inventory): NetpolIndex {
  const hit = cache.get(inventory);
  if (hit !== undefined && hit.count === inventory.objects.length) return hit.index;
  const index = new NetpolIndex(inventory);
  cache.set(inventory, { count: inventory.objects.length, index });
  return index;
}

// ---- descriptions shared by the rules and the `netpol` command ----

export function describePeer(peer: Peer, policyNamespace: string): string {
  if (peer.type === 'invalid') return `an invalid peer (${peer.reason})`;
  if (peer.type === 'ipBlock') return peer.except.length > 0 ? `${peer.cidr.text} except ${peer.except.map((c) => c.text).join(', ')}` : peer.cidr.text;
  const pods = peer.podSelector === undefined || peer.podSelector.empty ? 'every pod' : `pods matching \`${peer.podSelector.text}\``;
  if (peer.namespaceSelector === undefined) return `${pods} in ${describeNamespace(policyNamespace)}`;
  if (peer.namespaceSelector.empty) return `${pods} in every namespace`;
  const byName = peer.namespaceSelector.requirements;
  if (byName.length === 1 && byName[0].key === NAME_LABEL && byName[0].operator === 'In') {
    const names = byName[0].values;
    return names.length === 1 ? `${pods} in namespace \`${names[0]}\`` : `${pods} in namespaces ${names.map((n) => `\`${n}\``).join(', ')}`;
  }
  return `${pods} in namespaces matching \`${peer.namespaceSelector.text}\``;
}

/** `Deployment shop/web, Pod shop/debug and 3 more` */
export function describeWorkloads(pods: readonly PodInfo[], limit = 3): string {
  const names = pods.slice(0, limit).map((p) => describeObject(p.object));
  const more = pods.length - names.length;
  if (more > 0) return `${names.join(', ')} and ${more} more`;
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

