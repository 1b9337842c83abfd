// Services seen from outside the cluster: how a Service is reachable (NodePort, LoadBalancer,
// externalIPs) and which pods of the input it selects. Shared by the exposure rules.

import { asArray, asNumber, asObject, asString, type Path } from '../../core/json.js';
import { selectorMatches, type KubeObject, type PodSpecNode } from '../../inventory/objects.js';

const INTERNAL_LB_ANNOTATIONS: Record<string, RegExp> = {
  'service.beta.kubernetes.io/aws-load-balancer-internal': /^(?:true|0\.0\.0\.0\/0)$/i,
  'service.beta.kubernetes.io/aws-load-balancer-scheme': /^internal$/i,
  'service.beta.kubernetes.io/azure-load-balancer-internal': /^true$/i,
  'networking.gke.io/load-balancer-type': /^internal$/i,
  'cloud.google.com/load-balancer-type': /^internal$/i,
  'service.beta.kubernetes.io/oci-load-balancer-internal': /^true$/i,
  'service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type': /^private$/i,
};

export interface Exposure {
  how: string;
  at: Path;
  /** reachable only from a private network or from listed source ranges */
  restricted: boolean;
}

export function exposureOf(o: KubeObject): Exposure | undefined {
  const spec = asObject(o.raw.spec);
  if (spec === undefined) return undefined;
  const type = asString(spec.type) ?? 'ClusterIP';
  const externalIPs = asArray(spec.externalIPs).map((x) => asString(x)).filter((x): x is string => !!x);
  if (type === 'LoadBalancer') {
    const internal = Object.entries(INTERNAL_LB_ANNOTATIONS).some(([k, re]) => o.annotations[k] !== undefined && re.test(o.annotations[k].trim()));
    const ranges = asArray(spec.loadBalancerSourceRanges).map((x) => asString(x)?.trim()).filter((x): x is string => !!x);
    const openRanges = ranges.length === 0 || ranges.some((r) => r === '0.0.0.0/0' || r === '::/0');
    const restricted = externalIPs.length === 0 && (internal || !openRanges);
    const note = internal ? ' (internal)' : !openRanges ? ` limited to ${ranges.join(', ')}` : '';
    return { how: `a LoadBalancer${note}`, at: ['spec', 'type'], restricted };
  }
  if (type === 'NodePort') return { how: 'a NodePort on every node', at: ['spec', 'type'], restricted: false };
  if (type === 'ExternalName') return undefined;
  if (externalIPs.length > 0) return { how: `externalIPs ${externalIPs.join(', ')}`, at: ['spec', 'externalIPs'], restricted: false };
  return undefined;
}

/** Pod specs by namespace and label, built once per scan: a Service looks only at pods carrying one of its selector's labels. */
export type PodIndex = Map<string, PodSpecNode[]>;

export function podIndex(podSpecs: readonly PodSpecNode[]): PodIndex {
  const index: PodIndex = new Map();
  for (const p of podSpecs) {
    if (p.object.kind === 'PodTemplate') continue;
    const ns = p.object.namespace ?? '';
    for (const [k, v] of Object.entries(p.podLabels)) {
      const key = `${ns}\0${k}\0${v}`;
      let list = index.get(key);
      if (list === undefined) index.set(key, (list = []));
      list.push(p);
    }
  }
  return index;
}

export function selectedPods(index: PodIndex, o: KubeObject, selector: Record<string, string>): PodSpecNode[] {
  const pairs = Object.entries(selector);
  if (pairs.length === 0) return [];
  let smallest: PodSpecNode[] | undefined;
  for (const [k, v] of pairs) {
    const list = index.get(`${o.namespace ?? ''}\0${k}\0${v}`);
    if (list === undefined) return [];
    if (smallest === undefined || list.length < smallest.length) smallest = list;
  }
  return (smallest ?? []).filter((p) => selectorMatches(selector, p.podLabels));
}

/** A named targetPort resolved against the selected pods' container ports. */
export function resolveTargetPort(target: unknown, pods: PodSpecNode[]): number | undefined {
  const n = asNumber(target);
  if (n !== undefined) return n;
  const name = asString(target);
  if (name === undefined) return undefined;
  for (const p of pods) {
    for (const c of p.containers) {
      for (const port of asArray(c.container.ports)) {
        const po = asObject(port);
        if (po !== undefined && asString(po.name) === name) return asNumber(po.containerPort);
      }
    }
  }
  return undefined;
}


/** A Service's selector as plain labels (a Service selector is a map, not a LabelSelector). */
export function serviceSelector(o: KubeObject): Record<string, string> {
  const selector = asObject(asObject(o.raw.spec)?.selector) ?? {};
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(selector)) if (typeof v === 'string') labels[k] = v;
  return labels;
}
