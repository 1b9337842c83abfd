// What the NetworkPolicy rules share: references, which namespaces they judge, and where in a
// workload a finding points.

import type { Severity } from '../../core/finding.js';
import type { Path } from '../../core/json.js';
import type { RuleContext, Visitors } from '../../core/rule.js';
import type { Inventory } from '../../inventory/inventory.js';
import { apiGroup } from '../../inventory/objects.js';
import { describeWorkloads, netpolIndex, SYSTEM_NAMESPACES, type Direction, type NetpolIndex, type NsInfo, type PodInfo, type PolicyInfo } from '../../inventory/netpol.js';

export const NETPOL_DOCS = {
  networkPolicies: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/',
  defaultPolicies: 'https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies',
  metadataApi: 'https://kubernetes.io/docs/tasks/administer-cluster/securing-a-cluster/#restricting-cloud-metadata-api-access',
  awsImds: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html',
  gkeMetadata: 'https://cloud.google.com/kubernetes-engine/docs/how-to/protecting-cluster-metadata',
} as const;

/** MITRE ATT&CK Cloud Instance Metadata API (a sub-technique of Unsecured Credentials). */
export const MITRE_CLOUD_METADATA_API = 'T1552.005';

/** CIS Kubernetes Benchmark 5.3.2: all namespaces have NetworkPolicies defined. */
export const CIS_NAMESPACES_HAVE_POLICIES = '5.3.2';

export function indexOf(inventory: Inventory): NetpolIndex {
  return netpolIndex(inventory);
}

/**
 * The namespaces the "missing or open policy" rules judge: not the cluster's own (kube-system,
 * kube-public, kube-node-lease, whose DNS and control-plane pods are meant to be reached from
 * everywhere and mostly run on the host network), and not one where a network plugin's own policy
 * (Cilium, Calico, Antrea, AdminNetworkPolicy) may deny or allow what NetworkPolicy does not show,
 * nor any namespace when the source could not list NetworkPolicies (see `isUncertain`).
 */
export function judged(index: NetpolIndex, namespace: string): boolean {
  return !SYSTEM_NAMESPACES.has(namespace) && !index.isUncertain(namespace);
}

const governedByNamespace = new WeakMap<NsInfo, PodInfo[]>();

/** Workloads NetworkPolicy governs: host-network pods are outside its reach. Computed once per namespace (rules ask per pod). */
export function governedPods(ns: NsInfo | undefined): PodInfo[] {
  if (ns === undefined) return [];
  let pods = governedByNamespace.get(ns);
  if (pods === undefined) {
    pods = ns.pods.filter((p) => !p.hostNetwork);
    governedByNamespace.set(ns, pods);
  }
  return pods;
}

/** The pod template's labels: where a policy's podSelector has to find the workload. */
export function podLabelsPath(pod: PodInfo): Path {
  return [...pod.pod.path.slice(0, -1), 'metadata', 'labels'];
}

/** `at` for the namespace a workload names, or its metadata when the manifest leaves it out. */
export function namespaceFieldPath(pod: PodInfo): Path {
  return pod.object.namespace !== undefined ? ['metadata', 'namespace'] : ['metadata'];
}

const BUILT_IN_GROUPS = /(^|\.)k8s\.io$|^(|apps|batch|policy|autoscaling|extensions)$/;

const customResourceNamespaces = new WeakMap<Inventory, { count: number; namespaces: Set<string> }>();

/**
 * Manifests of a namespace that hold custom resources: an operator may create pods from them whose
 * labels the manifests do not show. (A live cluster lists those pods themselves.)
 */
export function hasCustomResources(inventory: Inventory, ns: NsInfo): boolean {
  let hit = customResourceNamespaces.get(inventory);
  if (hit === undefined || hit.count !== inventory.objects.length) {
    const namespaces = new Set<string>();
    for (const o of inventory.objects) {
      if (o.origin.type === 'file' && !BUILT_IN_GROUPS.test(apiGroup(o.apiVersion))) namespaces.add(o.namespace ?? '');
    }
    hit = { count: inventory.objects.length, namespaces };
    customResourceNamespaces.set(inventory, hit);
  }
  return hit.namespaces.has(ns.name);
}

export interface NamespaceFinding {
  messageId: string;
  data: Record<string, string | number>;
  evidence?: string;
  severity?: Severity;
  /** the workload to report on when the input has no Namespace object (default: the namespace's first governed one) */
  on?: PodInfo;
}

export type NamespaceVerdict = NamespaceFinding | undefined;

/**
 * Visitors for a rule that judges a whole namespace: the finding goes on the Namespace object when
 * the input has one, else on one workload of it (so it is reported once). Each namespace is judged
 * once per run.
 */
export function namespaceVerdictVisitors(context: RuleContext, verdict: (index: NetpolIndex, ns: NsInfo) => NamespaceVerdict): Visitors {
  const judgedOnce = new Map<NsInfo, NamespaceVerdict>();
  const verdictOf = (index: NetpolIndex, ns: NsInfo): NamespaceVerdict => {
    if (!judgedOnce.has(ns)) judgedOnce.set(ns, verdict(index, ns));
    return judgedOnce.get(ns);
  };
  const extra = (v: NamespaceFinding) => ({ ...(v.evidence !== undefined ? { evidence: v.evidence } : {}), ...(v.severity !== undefined ? { severity: v.severity } : {}) });
  return {
    kinds: {
      Namespace(o) {
        const index = indexOf(context.inventory);
        const ns = index.namespaceInfo(o.name);
        if (ns === undefined || ns.object !== o) return;
        const v = verdictOf(index, ns);
        if (v) context.report({ node: o, messageId: v.messageId, data: v.data, at: ['metadata', 'name'], ...extra(v) });
      },
    },
    podSpec(pod) {
      const index = indexOf(context.inventory);
      const info = index.podOf(pod.object);
      if (info === undefined) return;
      const ns = index.namespaceInfo(info.namespace);
      if (ns === undefined || ns.object !== undefined) return;
      const v = verdictOf(index, ns);
      if (v && (v.on ?? governedPods(ns)[0]) === info) context.report({ node: pod.object, messageId: v.messageId, data: v.data, at: namespaceFieldPath(info), ...extra(v) });
    },
  };
}

/** Every workload named, for evidence (a message names three and counts the rest). */
export function listWorkloads(pods: readonly PodInfo[]): string {
  return pods.map((p) => `${p.object.kind} ${p.object.name}`).join(', ');
}

/**
 * The workloads a policy's `direction` rules apply to, in words, or undefined when the policy is
 * not judged: it has no rules of that direction, its namespace is not judged, or it selects none
 * of the namespace's workloads (KM-NP-006 reports that).
 */
export function judgedPolicyTargets(index: NetpolIndex, policy: PolicyInfo | undefined, direction: Direction): string | undefined {
  if (policy === undefined || !policy.types[direction] || !judged(index, policy.namespace)) return undefined;
  const nsPods = governedPods(index.namespaceInfo(policy.namespace));
  if (nsPods.length > 0 && policy.selected.length === 0) return undefined;
  if (policy.selected.length > 0) return describeWorkloads(policy.selected);
  return policy.podSelector.empty ? 'every pod of its namespace' : `the pods matching \`${policy.podSelector.text}\``;
}
