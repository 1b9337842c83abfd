// CPU and memory defaults a LimitRange gives containers that do not set their own, applied the way
// the LimitRanger admission plugin applies them: a missing `default` falls back to `max`, and a
// missing `defaultRequest` to `default`.

import { asArray, asObject, asString } from '../core/json.js';
import type { Inventory } from '../inventory/inventory.js';
import type { ContainerNode } from '../inventory/objects.js';

export type ComputeResource = 'cpu' | 'memory';
export type ResourceBound = 'limits' | 'requests';

export function hasOwnResource(c: ContainerNode, bound: ResourceBound, resource: ComputeResource): boolean {
  const value = asObject(c.container.resources)?.[bound];
  const v = asObject(value)?.[resource];
  return v !== undefined && v !== null && v !== '' && v !== 0 && v !== '0';
}

/** Does a LimitRange in the container's namespace (in the same input) default this value? */
export function limitRangeDefaults(inventory: Inventory, c: ContainerNode, bound: ResourceBound, resource: ComputeResource): boolean {
  for (const lr of inventory.inNamespace('LimitRange', c.pod.object.namespace)) {
    for (const item of asArray(asObject(lr.raw.spec)?.limits)) {
      const limit = asObject(item);
      if (limit === undefined || asString(limit.type) !== 'Container') continue;
      const has = (field: string): boolean => asObject(limit[field])?.[resource] !== undefined;
      const defaultsLimit = has('default') || has('max');
      if (bound === 'limits' && defaultsLimit) return true;
      if (bound === 'requests' && (has('defaultRequest') || defaultsLimit)) return true;
    }
  }
  return false;
}

/** Set by the container, by Kubernetes (a request defaults to the limit), or by a LimitRange. */
export function isResourceBounded(inventory: Inventory, c: ContainerNode, bound: ResourceBound, resource: ComputeResource): boolean {
  if (hasOwnResource(c, bound, resource)) return true;
  if (bound === 'requests' && hasOwnResource(c, 'limits', resource)) return true;
  return limitRangeDefaults(inventory, c, bound, resource);
}

/** The compute resources a container leaves without this bound; ephemeral containers may not set resources at all. */
export function unboundedResources(inventory: Inventory, c: ContainerNode, bound: ResourceBound): ComputeResource[] {
  if (c.containerKind === 'ephemeralContainer') return [];
  return (['cpu', 'memory'] as ComputeResource[]).filter((r) => !isResourceBounded(inventory, c, bound, r));
}
