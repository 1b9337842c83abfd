// Live evidence for workload findings: whether the pods a finding is about run now. On a live
// cluster a privileged DaemonSet with pods running is an open door today; one scaled to zero is
// not yet. Manifests carry no such fact, so nothing is said there.

import type { Inventory } from '../inventory/inventory.js';
import type { KubeObject } from '../inventory/objects.js';

const NAMES_SHOWN = 5;

export function runningNow(inventory: Inventory, object: KubeObject): string | undefined {
  const pods = inventory.runningPodsOf(object);
  if (pods === undefined) return undefined;
  if (pods.length === 0) return 'no pod of it is running now';
  const more = pods.length > NAMES_SHOWN ? ` and ${pods.length - NAMES_SHOWN} more` : '';
  return `running now: ${pods.length} pod${pods.length === 1 ? '' : 's'} (${pods.slice(0, NAMES_SHOWN).map((p) => p.name).join(', ')}${more})`;
}

/** Evidence parts joined, leaving out the missing ones. */
export function evidence(...parts: (string | undefined)[]): string | undefined {
  const present = parts.filter((p): p is string => p !== undefined && p !== '');
  return present.length ? present.join('; ') : undefined;
}
