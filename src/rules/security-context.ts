// Effective security settings of a container: the container's securityContext overrides the
// pod's, as the kubelet applies them. Rules read these instead of re-implementing the merge.

import { asObject, asString, dig, isFalse, isTrue, type JsonObject, type Path } from '../core/json.js';
import type { ContainerNode, PodSpecNode } from '../inventory/objects.js';
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

// ---------------------------------------------------------------------------------------------
// Pod-level facts the workload rules share.

/** Where the pod template's metadata is (labels, annotations): the sibling of its `spec`. */
export function podMetadataPath(pod: PodSpecNode): Path {
  return [...pod.path.slice(0, -1), 'metadata'];
}

/** A pod-level boolean field (hostPID, hostIPC, hostNetwork, hostUsers…), accepting the string forms. */
export function podFlag(pod: PodSpecNode, field: string): boolean | undefined {
  return readBool(pod.spec[field]);
}

/** Windows HostProcess requested on the pod or on any of its containers. */
export function hostProcessFields(pod: PodSpecNode): Path[] {
  const found: Path[] = [];
  if (isTrue(dig(pod.spec, 'securityContext', 'windowsOptions', 'hostProcess'))) found.push(['securityContext', 'windowsOptions', 'hostProcess']);
  for (const c of pod.containers) {
    if (isTrue(dig(c.container, 'securityContext', 'windowsOptions', 'hostProcess'))) {
      found.push([...c.path.slice(pod.path.length), 'securityContext', 'windowsOptions', 'hostProcess']);
    }
  }
  return found;
}

/**
 * Does this pod run on Windows? `spec.os.name: windows` says so for the API server; a
 * `kubernetes.io/os: windows` node selector or a HostProcess container says so in practice.
 * Linux-only settings (capabilities, seccomp, AppArmor, runAsUser, sysctls…) mean nothing there.
 */
export function isWindowsPod(pod: PodSpecNode): boolean {
  let windows = windowsPods.get(pod);
  if (windows === undefined) windowsPods.set(pod, (windows = detectWindows(pod)));
  return windows;
}

const windowsPods = new WeakMap<PodSpecNode, boolean>();

function detectWindows(pod: PodSpecNode): boolean {
  const os = asString(dig(pod.spec, 'os', 'name'));
  if (os !== undefined) return os.toLowerCase() === 'windows';
  const selector = asObject(pod.spec.nodeSelector);
  const selected = asString(selector?.['kubernetes.io/os']) ?? asString(selector?.['beta.kubernetes.io/os']);
  if (selected !== undefined && selected.toLowerCase() === 'windows') return true;
  return hostProcessFields(pod).length > 0;
}

/** `hostUsers: false`: the pod runs in its own user namespace, so its root is not the node's root. */
export function inUserNamespace(pod: PodSpecNode): boolean {
  return podFlag(pod, 'hostUsers') === false;
}

export function isPrivileged(c: ContainerNode): boolean {
  return containerFlag(c, 'privileged').value === true;
}

/** How a seccomp or AppArmor profile confines a container. */
export type Confinement = 'confined' | 'unconfined' | 'unset';

export interface EffectiveProfile {
  confinement: Confinement;
  /** the value as written, for evidence */
  value: string | undefined;
  at: FieldRef;
  source: 'container' | 'container annotation' | 'pod' | 'pod annotation' | 'none';
}

function seccompTypeConfinement(type: string): Confinement {
  const t = type.toLowerCase();
  if (t === 'runtimedefault' || t === 'localhost') return 'confined';
  if (t === 'unconfined') return 'unconfined';
  return 'unset';
}

function legacySeccompConfinement(value: string): Confinement {
  const v = value.trim().toLowerCase();
  if (v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/')) return 'confined';
  if (v === 'unconfined') return 'unconfined';
  return 'unset';
}

/**
 * The seccomp profile a container gets: its own `seccompProfile`, else its legacy container
 * annotation, else the pod's field, else the legacy pod annotation. (The API server copies a
 * legacy annotation into the field when the field is empty, so this is the order the kubelet sees.)
 */
export function effectiveSeccomp(c: ContainerNode): EffectiveProfile {
  const meta = podMetadataPath(c.pod);
  const own = asString(dig(c.container, 'securityContext', 'seccompProfile', 'type'));
  if (own !== undefined) return { confinement: seccompTypeConfinement(own), value: own, at: ['securityContext', 'seccompProfile', 'type'], source: 'container' };
  const containerKey = `container.seccomp.security.alpha.kubernetes.io/${c.name}`;
  const containerAnnotation = c.pod.podAnnotations[containerKey];
  if (containerAnnotation !== undefined) {
    return { confinement: legacySeccompConfinement(containerAnnotation), value: containerAnnotation, at: { fromObject: [...meta, 'annotations', containerKey] }, source: 'container annotation' };
  }
  const pod = asString(dig(c.pod.spec, 'securityContext', 'seccompProfile', 'type'));
  if (pod !== undefined) {
    return { confinement: seccompTypeConfinement(pod), value: pod, at: { fromObject: [...c.pod.path, 'securityContext', 'seccompProfile', 'type'] }, source: 'pod' };
  }
  const podKey = 'seccomp.security.alpha.kubernetes.io/pod';
  const podAnnotation = c.pod.podAnnotations[podKey];
  if (podAnnotation !== undefined) {
    return { confinement: legacySeccompConfinement(podAnnotation), value: podAnnotation, at: { fromObject: [...meta, 'annotations', podKey] }, source: 'pod annotation' };
  }
  return { confinement: 'unset', value: undefined, at: ['securityContext', 'seccompProfile'], source: 'none' };
}

function appArmorTypeConfinement(type: string): Confinement {
  const t = type.toLowerCase();
  if (t === 'runtimedefault' || t === 'localhost') return 'confined';
  if (t === 'unconfined') return 'unconfined';
  return 'unset';
}

function legacyAppArmorConfinement(value: string): Confinement {
  const v = value.trim().toLowerCase();
  if (v === 'runtime/default' || v.startsWith('localhost/')) return 'confined';
  if (v === 'unconfined') return 'unconfined';
  return 'unset';
}

/** The AppArmor profile a container gets: its own field, else its beta annotation, else the pod's field. */
export function effectiveAppArmor(c: ContainerNode): EffectiveProfile {
  const meta = podMetadataPath(c.pod);
  const own = asString(dig(c.container, 'securityContext', 'appArmorProfile', 'type'));
  if (own !== undefined) return { confinement: appArmorTypeConfinement(own), value: own, at: ['securityContext', 'appArmorProfile', 'type'], source: 'container' };
  const key = `container.apparmor.security.beta.kubernetes.io/${c.name}`;
  const annotation = c.pod.podAnnotations[key];
  if (annotation !== undefined) {
    return { confinement: legacyAppArmorConfinement(annotation), value: annotation, at: { fromObject: [...meta, 'annotations', key] }, source: 'container annotation' };
  }
  const pod = asString(dig(c.pod.spec, 'securityContext', 'appArmorProfile', 'type'));
  if (pod !== undefined) {
    return { confinement: appArmorTypeConfinement(pod), value: pod, at: { fromObject: [...c.pod.path, 'securityContext', 'appArmorProfile', 'type'] }, source: 'pod' };
  }
  return { confinement: 'unset', value: undefined, at: ['securityContext', 'appArmorProfile'], source: 'none' };
}

// ---------------------------------------------------------------------------------------------
// Who a container is on the node's files and sockets (host mounts weigh this).

/** Capabilities that bypass file permissions or give back root's powers: any of them undoes "unprivileged". */
const FILE_POWER_CAPABILITIES: ReadonlySet<string> = new Set(['ALL', 'SYS_ADMIN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'CHOWN', 'SETUID', 'SETGID', 'SYS_PTRACE', 'SYS_MODULE', 'SYS_RAWIO']);

/**
 * How a container's processes meet host files through a hostPath mount:
 * - `root`: they are, or can become, uid 0 with root's powers (or belong to gid 0), so file
 *   permissions on the node do not stop them;
 * - `unprivileged`: a non-root user that cannot gain privileges (no privilege escalation, every
 *   capability dropped, no gid 0), or root inside its own user namespace: the node's file modes
 *   apply, so root-only files (keys, kubeconfigs, `0660 root` runtime sockets) stay out of reach.
 */
export type HostIdentity = { as: 'root'; why: string } | { as: 'unprivileged'; why: string };

/** Where gid 0 is given to a container: its runAsGroup (own or the pod's), the pod's fsGroup or one of its supplementalGroups. */
export function rootGroup(c: ContainerNode): { field: string; at: FieldRef } | undefined {
  const group = effective.runAsGroup(c);
  if (group.value === 0) return { field: group.fromPod ? 'runAsGroup, from the pod' : 'runAsGroup', at: group.at };
  const pod = podSecurityContext(c);
  if (readInt(pod?.fsGroup) === 0) return { field: 'fsGroup', at: { fromObject: [...c.pod.path, 'securityContext', 'fsGroup'] } };
  const i = Array.isArray(pod?.supplementalGroups) ? pod.supplementalGroups.findIndex((g) => readInt(g) === 0) : -1;
  if (i >= 0) return { field: 'supplementalGroups', at: { fromObject: [...c.pod.path, 'securityContext', 'supplementalGroups', i] } };
  return undefined;
}

export function hostIdentity(c: ContainerNode): HostIdentity {
  if (isWindowsPod(c.pod)) return { as: 'root', why: 'a Windows container' };
  if (isPrivileged(c)) return { as: 'root', why: 'privileged' };
  const caps = capabilities(c);
  const power = caps.add.find((cap) => FILE_POWER_CAPABILITIES.has(cap));
  if (power !== undefined) return { as: 'root', why: `adds ${power}` };
  if (inUserNamespace(c.pod)) return { as: 'unprivileged', why: 'root only inside its own user namespace (hostUsers: false)' };
  const user = effective.runAsUser(c).value;
  if (user === 0) return { as: 'root', why: 'runs as uid 0' };
  if (user === undefined && effective.runAsNonRoot(c).value !== true) return { as: 'root', why: 'may run as root (no runAsUser, no runAsNonRoot)' };
  if (containerFlag(c, 'allowPrivilegeEscalation').value !== false) return { as: 'root', why: 'can gain root through setuid programs (allowPrivilegeEscalation not false)' };
  if (!caps.drop.includes('ALL')) return { as: 'root', why: 'keeps the default capabilities (no drop: [ALL])' };
  if (rootGroup(c) !== undefined) return { as: 'root', why: 'runs with group 0 (root group)' };
  const who = user === undefined ? 'a non-root user' : `uid ${user}`;
  return { as: 'unprivileged', why: `${who}, no privilege escalation, all capabilities dropped` };
}
