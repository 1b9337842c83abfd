// Where things are: which node each workload's pods run on, which service account they run as,
// which node an address belongs to. These are facts, not doors: the graph takes its edges from
// findings, and looks here only to know where a finding's door leads.

import { asArray, asObject, asString } from '../core/json.js';
import type { Endpoint, Finding, ResourceRef } from '../core/finding.js';
import type { Inventory } from '../inventory/inventory.js';
import { netpolIndex } from '../inventory/netpol.js';

/** `*` when the nodes are not known (manifests, or a workload with no pod running). */
export const ANY_NODE = '*';

export interface WorkloadPlacement {
  key: string;
  resource: ResourceRef;
  namespace: string;
  serviceAccount: string;
  /** the nodes its pods run on now, or [ANY_NODE] */
  nodes: string[];
  /** its running pods' names, to match runtime alerts */
  pods: string[];
  /** NetworkPolicy lets its pods reach the cloud metadata address */
  reachesMetadata: boolean;
}

export interface Placement {
  live: boolean;
  workloads: Map<string, WorkloadPlacement>;
  /** node name → its addresses (InternalIP, ExternalIP, Hostname) */
  nodes: Map<string, string[]>;
  /** namespace → service accounts there (objects, and those pods name) */
  serviceAccounts: Map<string, Set<string>>;
}

export function workloadKey(r: Pick<ResourceRef, 'kind' | 'namespace' | 'name'>): string {
  return `${r.kind}/${r.namespace ?? ''}/${r.name}`;
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  set.add(value);
}

export function placementOf(inventory: Inventory, live: boolean): Placement {
  const netpol = netpolIndex(inventory);
  const metadataReach = new Set(netpol.pods.filter((p) => netpol.metadataAccess(p) !== undefined).map((p) => p.object));
  const workloads = new Map<string, WorkloadPlacement>();
  const serviceAccounts = new Map<string, Set<string>>();
  for (const sa of inventory.ofKind('ServiceAccount')) addTo(serviceAccounts, sa.namespace ?? '', sa.name);
  for (const pod of inventory.podSpecs) {
    const o = pod.object;
    const namespace = o.namespace ?? '';
    const serviceAccount = asString(pod.spec.serviceAccountName) || asString(pod.spec.serviceAccount) || 'default';
    addTo(serviceAccounts, namespace, serviceAccount);
    const running = inventory.runningPodsOf(o) ?? [];
    const nodes = [...new Set(running.map((p) => p.node).filter((n): n is string => n !== undefined))].sort();
    const resource: ResourceRef = { apiVersion: o.apiVersion, kind: o.kind, name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}) };
    const key = workloadKey(resource);
    workloads.set(key, { key, resource, namespace, serviceAccount, nodes: nodes.length > 0 ? nodes : [ANY_NODE], pods: running.map((p) => p.name), reachesMetadata: metadataReach.has(o) });
  }
  return { live, workloads, nodes: nodeAddressesOf(inventory), serviceAccounts };
}

/** Each Node's name and the addresses its status lists. */
export function nodeAddressesOf(inventory: Inventory): Map<string, string[]> {
  const nodes = new Map<string, string[]>();
  for (const n of inventory.ofKind('Node')) {
    const addresses = asArray(asObject(n.raw.status)?.addresses).map((a) => asString(asObject(a)?.address)).filter((a): a is string => !!a);
    nodes.set(n.name, [...new Set([n.name, ...addresses])]);
  }
  return nodes;
}

/** The host an endpoint names, brackets of an IPv6 address taken off. */
export function hostOfEndpoint(e: Endpoint): string | undefined {
  const host = 'host' in e ? e.host : URL.canParse(e.url) ? new URL(e.url).hostname : undefined;
  return host?.replace(/^\[|\]$/g, '');
}

/** The node an address or host name belongs to. */
export function nodeOfHost(placement: Placement, host: string): string | undefined {
  for (const [name, addresses] of placement.nodes) if (addresses.includes(host)) return name;
  return undefined;
}

/**
 * The workloads with a pod running on a node. Only a live cluster says which; from manifests no
 * workload is placed on a named node (assuming one is would claim a step nothing proved).
 */
export function workloadsOnNode(placement: Placement, node: string): WorkloadPlacement[] {
  return [...placement.workloads.values()].filter((w) => w.nodes.includes(node));
}

/** The node a kubelet finding is about: a probed address (the host itself when no node has it), or a kubelet configuration named after its node. */
export function kubeletNodeOf(f: Pick<Finding, 'endpoint' | 'resource'>, placement: Placement): string | undefined {
  const host = f.endpoint ? hostOfEndpoint(f.endpoint) : undefined;
  if (host !== undefined) return nodeOfHost(placement, host) ?? host;
  return f.resource?.kind === 'KubeletConfiguration' ? f.resource.name : undefined;
}
