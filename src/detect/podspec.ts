// Pod specs inside the body of a write: a Pod, or the template of a workload (Deployment,
// DaemonSet, StatefulSet, ReplicaSet, ReplicationController, Job, CronJob). Patches are partial, so
// every accessor tolerates missing pieces.

import { asArray, dig, isObject, isTrue, type JsonObject } from '../core/json.js';
import type { AuditEvent } from '../sources/audit/event.js';

export const WORKLOAD_RESOURCES = ['pods', 'deployments', 'daemonsets', 'statefulsets', 'replicasets', 'replicationcontrollers', 'jobs', 'cronjobs'] as const;

const WRITE_VERBS = new Set(['create', 'update', 'patch']);

export function isWrite(e: AuditEvent): boolean {
  return WRITE_VERBS.has(e.verb);
}

/** The pod spec a write carries, if its body was logged (audit level Request or higher). */
export function podSpecOf(e: AuditEvent): JsonObject | undefined {
  const body = e.requestObject;
  const resource = e.objectRef?.resource;
  if (!body || !resource || e.objectRef?.subresource) return undefined;
  let spec;
  if (resource === 'pods') spec = body.spec;
  else if (resource === 'cronjobs') spec = dig(body, 'spec', 'jobTemplate', 'spec', 'template', 'spec');
  else spec = dig(body, 'spec', 'template', 'spec');
  return isObject(spec) ? spec : undefined;
}

export interface ContainerView {
  name: string;
  image: string;
  value: JsonObject;
}

export function containersOf(spec: JsonObject): ContainerView[] {
  const out: ContainerView[] = [];
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of asArray(spec[key])) {
      if (!isObject(c)) continue;
      out.push({ name: typeof c.name === 'string' ? c.name : '?', image: typeof c.image === 'string' ? c.image : '', value: c });
    }
  }
  return out;
}

export function imagesOf(spec: JsonObject): string[] {
  return [...new Set(containersOf(spec).map((c) => c.image).filter((i) => i !== ''))];
}

export function isPrivileged(c: ContainerView): boolean {
  return isTrue(dig(c.value, 'securityContext', 'privileged'));
}

export function hostPathsOf(spec: JsonObject): { volume: string; path: string }[] {
  const out: { volume: string; path: string }[] = [];
  for (const v of asArray(spec.volumes)) {
    const path = dig(v, 'hostPath', 'path');
    if (isObject(v) && typeof path === 'string') out.push({ volume: typeof v.name === 'string' ? v.name : '?', path });
  }
  return out;
}

/** The workload as `kind namespace/name` for messages (the name may be generated: fall back to generateName). */
export function objectLabel(e: AuditEvent): string {
  const ref = e.objectRef;
  const name = ref?.name || (typeof dig(e.requestObject, 'metadata', 'name') === 'string' ? String(dig(e.requestObject, 'metadata', 'name')) : '') || String(dig(e.requestObject, 'metadata', 'generateName') ?? '') + '…';
  const kind = typeof e.requestObject?.kind === 'string' ? e.requestObject.kind : ref?.resource ?? '?';
  return ref?.namespace ? `${kind} ${ref.namespace}/${name}` : `${kind} ${name}`;
}

const SENSITIVE_EXACT = new Set(['/', '/etc', '/proc', '/sys', '/root', '/var/run', '/run', '/dev', '/boot', '/home', '/var', '/var/lib', '/usr', '/bin', '/sbin', '/lib']);
const SENSITIVE_UNDER = [
  '/etc/kubernetes', '/var/lib/kubelet', '/var/lib/etcd', '/var/lib/docker', '/var/lib/containerd', '/var/lib/crio',
  '/run/containerd', '/var/run/containerd', '/run/crio', '/var/run/crio', '/var/run/docker', '/run/docker',
  '/proc', '/sys/fs/cgroup', '/root', '/etc/shadow', '/etc/sudoers', '/etc/passwd', '/etc/crontab', '/etc/cron.d', '/etc/ssh', '/etc/systemd',
  '/var/lib/cni', '/etc/cni',
];

/** Why a host path is sensitive, or undefined: the host root and system dirs, runtime sockets, kubelet/etcd state. */
export function sensitiveHostPath(raw: string): string | undefined {
  const path = raw.length > 1 ? raw.replace(/\/+$/, '') : raw;
  if (SENSITIVE_EXACT.has(path)) return path === '/' ? "the node's root filesystem" : `the node's ${path}`;
  if (/\.sock$/.test(path) || /(docker|containerd|crio|cri-dockerd)\.sock/.test(path)) return 'a container runtime socket (full control of every container on the node)';
  for (const p of SENSITIVE_UNDER) if (path === p || path.startsWith(p + '/')) return `the node's ${p}`;
  return undefined;
}
