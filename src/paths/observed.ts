// Alerts that show a step being taken: a command started in a pod through the kubelet or pods/exec,
// a pod connecting to the metadata address, a container reaching for its node. Each is placed on
// the workload it touched, so the report can mark the steps (and paths) that happened.

import type { Alert } from '../detect/alert.js';
import type { PlacedAlert } from './analyse.js';
import { workloadVertexId } from './graph.js';
import type { Placement, WorkloadPlacement } from './placement.js';

const TECHNIQUE_OF: Record<string, PlacedAlert['technique']> = {
  'KM-RT-001': 'kubelet-exec',
  'KM-DT-001': 'rbac',
  'KM-RT-005': 'metadata',
  'KM-RT-010': 'container-escape',
  'KM-RT-011': 'container-escape',
  'KM-RT-012': 'container-escape',
};

export const OBSERVED_RULE_IDS: readonly string[] = Object.keys(TECHNIQUE_OF);

/** The pod an alert is about: the container's pod (runtime), or the pod of the request (audit). */
function podOf(alert: Alert): { namespace: string; pod: string } | undefined {
  if (alert.source === 'runtime') return alert.container ? { namespace: alert.container.namespace, pod: alert.container.pod } : undefined;
  return alert.what.namespace && alert.what.name && alert.what.resource === 'pods' ? { namespace: alert.what.namespace, pod: alert.what.name } : undefined;
}

/**
 * The workload a pod belongs to: by its running pods where the cluster said which; else a bare Pod
 * of that name, or a controller whose generated pod names start with its name.
 */
function workloadOfPod(placement: Placement, namespace: string, pod: string): WorkloadPlacement | undefined {
  let byPrefix: WorkloadPlacement | undefined;
  for (const w of placement.workloads.values()) {
    if (w.namespace !== namespace) continue;
    if (w.pods.includes(pod)) return w;
    if (w.pods.length > 0) continue;
    if (w.resource.kind === 'Pod' ? w.resource.name === pod : pod.startsWith(`${w.resource.name}-`)) {
      if (byPrefix === undefined || w.resource.name.length > byPrefix.resource.name.length) byPrefix = w;
    }
  }
  return byPrefix;
}

export function placeAlerts(alerts: readonly Alert[], placement: Placement): PlacedAlert[] {
  const placed: PlacedAlert[] = [];
  for (const a of alerts) {
    const technique = TECHNIQUE_OF[a.ruleId];
    const where = podOf(a);
    if (technique === undefined || where === undefined) continue;
    const w = workloadOfPod(placement, where.namespace, where.pod);
    if (w === undefined) continue;
    placed.push({ ruleId: a.ruleId, at: a.time, summary: a.message, technique, workload: workloadVertexId(w.key) });
  }
  return placed;
}
