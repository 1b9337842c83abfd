// The pod spec of a successful workload write. The rules using it are exemptControlPlane: pods the
// ReplicaSet, Job or DaemonSet controllers create from a template, and the kubelet's mirror pods,
// are echoes of a write already judged (the Deployment) or of a file on a node: skipping them is
// what keeps a privileged DaemonSet from raising one alert per node (trust.ts says who the
// controllers are: their exact accounts, with tokens bound to no pod).

import type { JsonObject } from '../../core/json.js';
import type { AuditEvent } from '../../sources/audit/event.js';
import { succeeded } from '../../sources/audit/event.js';
import { isWrite, podSpecOf, WORKLOAD_RESOURCES } from '../podspec.js';

export const WORKLOAD_KEYS: readonly string[] = WORKLOAD_RESOURCES;

export function writtenPodSpec(e: AuditEvent): JsonObject | undefined {
  if (!isWrite(e) || !succeeded(e)) return undefined;
  return podSpecOf(e);
}
