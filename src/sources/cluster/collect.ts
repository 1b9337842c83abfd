// The live-cluster source: discovery, then every resource type listed page by page with bounded
// concurrency. A type that cannot be read (403, missing API group, timeout) becomes a coverage
// entry naming the permission that would fix it; the scan goes on.

import type { CoverageGap } from '../../core/finding.js';
import { asArray, asObject, asString, isObject, type JsonObject } from '../../core/json.js';
import { Inventory, type RunningPod } from '../../inventory/inventory.js';
import { toKubeObject, type KubeObject } from '../../inventory/objects.js';
import type { ClusterConnection } from './connection.js';
import { apiVersionOf, CLUSTER_RESOURCES, listPath, permissionHint, type ResourceType } from './resources.js';
import { collectKubeletConfigs } from './kubelet-config.js';
import { ANONYMOUS_REVIEW_KIND, collectAnonymousAccess } from './anonymous-access.js';
import { InputError } from '../../core/errors.js';
import { mapBounded } from '../../core/concurrency.js';

export interface CollectOptions {
  namespace?: string;
  pageSize: number;
  concurrency: number;
  /**
   * Only these kinds (each node's KubeletConfiguration, and the API server's answer to what
   * anonymous callers may do (AnonymousAccessReview), only if named): commands that analyse
   * one thing (RBAC, NetworkPolicy) read less and need fewer permissions. Default: everything.
   */
  kinds?: ReadonlySet<string>;
  /** namespaces to keep (--include-namespaces, --exclude-namespaces): objects of others, and their Namespace objects, are dropped */
  keepNamespace?: (namespace: string) => boolean;
  /** told after each resource type listed and each node's kubelet configuration read */
  onProgress?: (progress: ClusterProgress) => void;
}

/** How far the collection is: the phase, its steps done and to do, and the objects listed so far. */
export interface ClusterProgress {
  phase: 'listing' | 'kubelets';
  done: number;
  total: number;
  objects: number;
}

/** Kinds whose pods a command needs in order to know which workloads run which service accounts. */
export const WORKLOAD_KINDS = ['Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController'] as const;

export interface ClusterLoad {
  inventory: Inventory;
  coverage: CoverageGap[];
  /** objects listed, including those folded into their controller */
  listed: number;
  /** pods and replica sets not analysed on their own because a listed controller owns them */
  owned: number;
  /** milliseconds spent waiting on the API */
  apiMs: number;
}

export class ClusterUnreachable extends InputError {}

/** Which group/versions the server serves, from /api and /apis. */
async function servedGroupVersions(conn: ClusterConnection): Promise<Set<string>> {
  const served = new Set<string>();
  const core = await conn.get('/api');
  if (!core.ok) throw new ClusterUnreachable(`${conn.server}: ${core.reason}`);
  for (const v of asArray(asObject(core.body)?.versions)) if (typeof v === 'string') served.add(v);
  const apis = await conn.get('/apis');
  if (!apis.ok) throw new ClusterUnreachable(`${conn.server}/apis: ${apis.reason}`);
  for (const g of asArray(asObject(apis.body)?.groups)) {
    for (const v of asArray(asObject(g)?.versions)) {
      const gv = asString(asObject(v)?.groupVersion);
      if (gv) served.add(gv);
    }
  }
  return served;
}

async function listAll(conn: ClusterConnection, t: ResourceType, options: CollectOptions): Promise<{ items: JsonObject[] } | { error: string; status: number }> {
  const items: JsonObject[] = [];
  let cont: string | undefined;
  do {
    const query = new URLSearchParams({ limit: String(options.pageSize) });
    if (cont) query.set('continue', cont);
    const res = await conn.get(`${listPath(t, options.namespace)}?${query}`);
    if (!res.ok) {
      // An expired continue token (410) means the list changed under us: start over once, whole.
      if (res.status === 410 && cont) {
        cont = undefined;
        items.length = 0;
        continue;
      }
      return { error: res.reason, status: res.status };
    }
    const body = asObject(res.body);
    for (const item of asArray(body?.items)) {
      if (!isObject(item)) continue;
      // Server-side apply's bookkeeping, often the largest part of an object; no rule reads it.
      const metadata = asObject(item.metadata);
      if (metadata) delete metadata.managedFields;
      items.push(item);
    }
    cont = asString(asObject(body?.metadata)?.continue) || undefined;
  } while (cont);
  return { items };
}

const CONTROLLER_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController']);

/** Owned by a controller that is itself in the inventory: its findings belong to the controller. */
function isOwnedByListed(o: KubeObject, listedUids: Set<string>): boolean {
  if (o.kind !== 'Pod' && o.kind !== 'ReplicaSet' && o.kind !== 'Job') return false;
  for (const ref of asArray(asObject(o.raw.metadata)?.ownerReferences)) {
    const r = asObject(ref);
    if (r && CONTROLLER_KINDS.has(String(r.kind)) && listedUids.has(String(r.uid))) return true;
  }
  return false;
}

export async function collectCluster(conn: ClusterConnection, options: CollectOptions): Promise<ClusterLoad> {
  const started = Date.now();
  const served = await servedGroupVersions(conn);
  const coverage: CoverageGap[] = [];
  const wanted = CLUSTER_RESOURCES.filter((t) => options.kinds === undefined || options.kinds.has(t.kind)).filter((t) => {
    if (served.has(apiVersionOf(t))) return true;
    coverage.push({ target: `${t.resource}${t.group ? `.${t.group}` : ''}`, reason: `the API server does not serve ${apiVersionOf(t)}`, severity: 'warning' });
    return false;
  }).filter((t) => !(options.namespace && !t.namespaced && t.kind !== 'Namespace' && t.kind !== 'ClusterRole' && t.kind !== 'ClusterRoleBinding'));
  let listed = 0;
  let items = 0;
  const lists = await mapBounded(wanted, options.concurrency, async (t) => {
    const result = await listAll(conn, t, options);
    if ('items' in result) items += result.items.length;
    options.onProgress?.({ phase: 'listing', done: ++listed, total: wanted.length, objects: items });
    return { t, result };
  });
  const objects: KubeObject[] = [];
  const unreadable: string[] = [];
  for (const { t, result } of lists) {
    if ('error' in result) {
      unreadable.push(t.kind);
      const fix = result.status === 403 ? `; grant \`${permissionHint(t)}\` (see docs/cluster-role.yaml)` : '';
      coverage.push({ target: `${t.resource}${t.group ? `.${t.group}` : ''}`, reason: `cannot list: ${result.error}${fix}`, severity: 'error' });
      continue;
    }
    for (const item of result.items) {
      // List responses leave apiVersion and kind off the items.
      item.apiVersion = apiVersionOf(t);
      item.kind = t.kind;
      const o = toKubeObject(item, { type: 'cluster', context: conn.context });
      const namespace = o?.kind === 'Namespace' ? o.name : o?.namespace;
      if (o && (namespace === undefined || options.keepNamespace === undefined || options.keepNamespace(namespace))) objects.push(o);
    }
  }
  const wantKubelets = options.kinds === undefined || options.kinds.has('KubeletConfiguration');
  const nodes = objects.filter((o) => o.kind === 'Node');
  const kubeletsRead = (done: number): void => options.onProgress?.({ phase: 'kubelets', done, total: nodes.length, objects: objects.length });
  const kubelets = wantKubelets ? await collectKubeletConfigs(conn, nodes, options.concurrency, kubeletsRead) : { objects: [], coverage: [] };
  objects.push(...kubelets.objects);
  coverage.push(...kubelets.coverage);
  if (options.kinds === undefined || options.kinds.has(ANONYMOUS_REVIEW_KIND)) {
    const namespaces = options.namespace ? [options.namespace] : objects.filter((o) => o.kind === 'Namespace').map((o) => o.name);
    const anonymous = await collectAnonymousAccess(conn, namespaces, options.concurrency);
    objects.push(...anonymous.objects);
    coverage.push(...anonymous.coverage);
  }
  const apiMs = Date.now() - started;
  const uids = new Set(objects.map((o) => asString(asObject(o.raw.metadata)?.uid)).filter((u): u is string => !!u));
  const inventory = new Inventory();
  for (const kind of unreadable) inventory.unreadableKinds.add(kind);
  let owned = 0;
  for (const o of objects) {
    if (isOwnedByListed(o, uids)) owned++;
    else inventory.add(o);
  }
  recordRunningPods(inventory, objects);
  return { inventory, coverage, listed: objects.length, owned, apiMs };
}

const uidOf = (o: KubeObject): string | undefined => asString(asObject(o.raw.metadata)?.uid);

/** The listed controller that owns `o` (by its controller reference), if any. */
function listedOwner(o: KubeObject, byUid: ReadonlyMap<string, KubeObject>): KubeObject | undefined {
  for (const ref of asArray(asObject(o.raw.metadata)?.ownerReferences)) {
    const r = asObject(ref);
    if (r && CONTROLLER_KINDS.has(String(r.kind))) {
      const owner = byUid.get(String(r.uid));
      if (owner) return owner;
    }
  }
  return undefined;
}

/** Tell each workload in the inventory which of its pods run now (pod → ReplicaSet → Deployment, …). */
export function recordRunningPods(inventory: Inventory, objects: readonly KubeObject[]): void {
  const byUid = new Map<string, KubeObject>();
  for (const o of objects) {
    const uid = uidOf(o);
    if (uid) byUid.set(uid, o);
  }
  // workloads kept in the inventory (folded ones have no pod spec there)
  const running = new Map<KubeObject, RunningPod[]>();
  for (const o of objects) {
    if (inventory.podSpecOf(o) !== undefined) running.set(o, []);
  }
  for (const pod of objects) {
    if (pod.kind !== 'Pod' || asString(asObject(pod.raw.status)?.phase) !== 'Running') continue;
    let top = pod;
    for (let owner = listedOwner(top, byUid), hops = 0; owner && hops < 4; owner = listedOwner(top, byUid), hops++) top = owner;
    const node = asString(asObject(pod.raw.spec)?.nodeName);
    running.get(top)?.push({ name: pod.name, ...(node ? { node } : {}), images: imagesOf(pod) });
  }
  for (const [o, pods] of running) inventory.setRunningPods(o, pods.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
}

/** What each container of a pod runs, as the kubelet reports it (`imageID`: the digest it pulled). */
function imagesOf(pod: KubeObject): RunningPod['images'] {
  const status = asObject(pod.raw.status);
  const statuses = [...asArray(status?.initContainerStatuses), ...asArray(status?.containerStatuses)];
  return statuses.flatMap((s) => {
    const container = asString(asObject(s)?.name);
    const imageID = asString(asObject(s)?.imageID);
    return container && imageID ? [{ container, imageID }] : [];
  });
}
