// Effective security settings of a container: the container's securityContext overrides the
// pod's, as the kubelet applies them. Rules read these instead of re-implementing the merge.

import { asObject, asString, dig, isFalse, isTrue, type JsonObject } from '../core/json.js';
import type { ContainerNode } from '../inventory/objects.js';
import type { FieldRef } from '../core/rule.js';

export interface EffectiveSetting<T> {
  value: T | undefined;
  /** where the value was set, or where to add it */
  at: FieldRef;
  /** true when it came from the pod-level securityContext */
  fromPod: boolean;
}

function podSecurityContext(c: ContainerNode): JsonObject | undefined {
  return asObject(c.pod.spec.securityContext);
}

function containerSecurityContext(c: ContainerNode): JsonObject | undefined {
  return asObject(c.container.securityContext);
}

/** A setting that may be set on the container or inherited from the pod (runAsUser, runAsNonRoot, seccomp…). */
function inherited<T>(c: ContainerNode, field: string, read: (v: unknown) => T | undefined): EffectiveSetting<T> {
  const own = read(containerSecurityContext(c)?.[field]);
  if (own !== undefined) return { value: own, at: ['securityContext', field], fromPod: false };
  const pod = read(podSecurityContext(c)?.[field]);
  if (pod !== undefined) return { value: pod, at: { fromObject: [...c.pod.path, 'securityContext', field] }, fromPod: true };
  return { value: undefined, at: ['securityContext'], fromPod: false };
}

function readBool(v: unknown): boolean | undefined {
  if (isTrue(v)) return true;
  if (isFalse(v)) return false;
  return undefined;
}

function readInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

function readObject(v: unknown): JsonObject | undefined {
  return asObject(v);
}

export const effective = {
  runAsUser: (c: ContainerNode) => inherited(c, 'runAsUser', readInt),
  runAsGroup: (c: ContainerNode) => inherited(c, 'runAsGroup', readInt),
  runAsNonRoot: (c: ContainerNode) => inherited(c, 'runAsNonRoot', readBool),
  seccompProfile: (c: ContainerNode) => inherited(c, 'seccompProfile', readObject),
  appArmorProfile: (c: ContainerNode) => inherited(c, 'appArmorProfile', readObject),
  windowsOptions: (c: ContainerNode) => inherited(c, 'windowsOptions', readObject),
};

/** A container-only boolean setting (privileged, allowPrivilegeEscalation, readOnlyRootFilesystem). */
export function containerFlag(c: ContainerNode, field: string): EffectiveSetting<boolean> {
  const v = readBool(containerSecurityContext(c)?.[field]);
  return v === undefined ? { value: undefined, at: ['securityContext'], fromPod: false } : { value: v, at: ['securityContext', field], fromPod: false };
}

export function capabilities(c: ContainerNode): { add: string[]; drop: string[] } {
  const caps = asObject(dig(c.container, 'securityContext', 'capabilities'));
  const norm = (v: unknown): string[] =>
    Array.isArray(v) ? v.map((x) => String(x).toUpperCase().replace(/^CAP_/, '')) : [];
  return { add: norm(caps?.add), drop: norm(caps?.drop) };
}

export function imageOf(c: ContainerNode): string | undefined {
  return asString(c.container.image);
}
