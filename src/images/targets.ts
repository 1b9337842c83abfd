// Which images to scan and who runs them: the references given, or every container image of the
// scanned manifests or the live cluster, each image once, with the workloads (and containers)
// that run it and the pull secrets they name.

import type { Inventory } from '../inventory/inventory.js';
import { describeObject } from '../inventory/objects.js';
import { asArray, asObject, asString } from '../core/json.js';
import { imageOf } from '../rules/security-context.js';
import type { WorkloadUse } from './findings.js';

export interface ImageTarget {
  /** the reference as the workloads (or the command line) write it */
  ref: string;
  uses: WorkloadUse[];
  /** imagePullSecrets named by the pods that run it: `namespace/name` */
  pullSecrets: string[];
}

export function targetsFromRefs(refs: readonly string[]): ImageTarget[] {
  return [...new Set(refs)].map((ref) => ({ ref, uses: [], pullSecrets: [] }));
}

export function targetsFromInventory(inventory: Inventory): ImageTarget[] {
  const byRef = new Map<string, ImageTarget>();
  for (const pod of inventory.podSpecs) {
    const o = pod.object;
    const secrets = asArray(pod.spec.imagePullSecrets)
      .map((s) => asString(asObject(s)?.name))
      .filter((s): s is string => s !== undefined)
      .map((s) => `${o.namespace ?? 'default'}/${s}`);
    for (const c of pod.containers) {
      const image = imageOf(c);
      if (image === undefined || image.trim() === '') continue;
      let t = byRef.get(image);
      if (t === undefined) byRef.set(image, (t = { ref: image, uses: [], pullSecrets: [] }));
      const resource = { apiVersion: o.apiVersion, kind: o.kind, name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}), container: c.name };
      t.uses.push({ workload: describeObject(o), container: c.name, resource });
      for (const s of secrets) if (!t.pullSecrets.includes(s)) t.pullSecrets.push(s);
    }
  }
  for (const t of byRef.values()) t.uses.sort((a, b) => a.workload.localeCompare(b.workload) || a.container.localeCompare(b.container));
  return [...byRef.values()].sort((a, b) => a.ref.localeCompare(b.ref));
}
