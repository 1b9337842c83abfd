// Pod specs inside the body of a write: a Pod, or the template of a workload (Deployment,
// DaemonSet, StatefulSet, ReplicaSet, ReplicationController, Job, CronJob). Patches are partial, so
// every accessor tolerates missing pieces.

import { asArray, dig, isObject, isTrue, type JsonObject } from '../core/json.js';
import type { AuditEvent } from '../sources/audit/event.js';

export const WORKLOAD_RESOURCES = ['pods', 'deployments', 'daemonsets', 'statefulsets', 'replicasets', 'replicationcontrollers', 'jobs', 'cronjobs'] as const;

const WRITE_VERBS = new Set(['create', 'update', 'patch']);

/**
 * Namespaces that belong to the cluster itself: its add-ons (kube-system), its public data
 * (kube-public), its nodes' heartbeats (kube-node-lease holds only Lease objects), GKE's own.
 */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'gke-system']);

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

/** hostNetwork, hostPID, hostIPC: those of them the spec turns on. */
export function hostNamespacesOf(spec: JsonObject): string[] {
  return ['hostNetwork', 'hostPID', 'hostIPC'].filter((k) => isTrue(spec[k]));
}

/**
 * Capabilities that break the container boundary or read what the node keeps from it, and why.
 * (NET_RAW and the other defaults of container runtimes are left out: every container has them.)
 */
export const DANGEROUS_CAPABILITIES: ReadonlyMap<string, string> = new Map([
  ['ALL', 'every capability: a privileged container in all but name'],
  ['SYS_ADMIN', 'mount, cgroups and namespaces: the usual container escape'],
  ['SYS_MODULE', 'loads kernel modules: code in the node\'s kernel'],
  ['SYS_RAWIO', 'raw device and I/O-port access'],
  ['SYS_PTRACE', 'traces and injects into other processes (with hostPID, the node\'s)'],
  ['SYS_BOOT', 'reboots the node'],
  ['BPF', 'loads eBPF programs into the node\'s kernel'],
  ['PERFMON', 'kernel tracing and performance events (with BPF, kernel memory reads)'],
  ['NET_ADMIN', 'reconfigures networking: routes, iptables, interception of other pods\' traffic'],
  ['DAC_READ_SEARCH', 'reads any file by handle (the Shocker escape)'],
  ['DAC_OVERRIDE', 'ignores file permissions'],
  ['SYSLOG', 'reads the kernel log and its addresses'],
]);

/** Each of these alone is a known way onto the node. */
export const ESCAPE_CAPABILITIES: ReadonlySet<string> = new Set(['ALL', 'SYS_ADMIN', 'SYS_MODULE', 'SYS_RAWIO', 'DAC_READ_SEARCH']);

/** capabilities.add of a container, upper-cased and without a CAP_ prefix (both spellings are accepted by runtimes). */
export function addedCapabilities(c: ContainerView): string[] {
  return asArray(dig(c.value, 'securityContext', 'capabilities', 'add'))
    .filter((x): x is string => typeof x === 'string')
    .map((x) => x.toUpperCase().replace(/^CAP_/, ''));
}

export function dangerousCapabilities(c: ContainerView): string[] {
  return addedCapabilities(c).filter((cap) => DANGEROUS_CAPABILITIES.has(cap));
}

/** The container runs as uid 0 by an explicit runAsUser: 0 (its own, or the pod's when it sets none). */
export function runsAsRootExplicitly(spec: JsonObject, c: ContainerView): boolean {
  const own = dig(c.value, 'securityContext', 'runAsUser');
  if (typeof own === 'number') return own === 0;
  return dig(spec, 'securityContext', 'runAsUser') === 0;
}

/** What makes a pod spec a way onto its node, in words, for one alert that names them all. */
export interface PodDangers {
  privileged: string[];
  hostPaths: { path: string; why: string }[];
  hostNamespaces: string[];
  capabilities: string[];
}

export function podDangers(spec: JsonObject): PodDangers {
  const containers = containersOf(spec);
  const hostPaths: { path: string; why: string }[] = [];
  for (const v of hostPathsOf(spec)) {
    const why = sensitiveHostPath(v.path);
    if (why) hostPaths.push({ path: v.path, why });
  }
  return {
    privileged: containers.filter(isPrivileged).map((c) => c.name),
    hostPaths,
    hostNamespaces: hostNamespacesOf(spec),
    capabilities: [...new Set(containers.filter((c) => !isPrivileged(c)).flatMap(dangerousCapabilities))],
  };
}

export function describeDangers(d: PodDangers): string[] {
  return [
    ...(d.privileged.length > 0 ? [`privileged container ${d.privileged.join(', ')}`] : []),
    ...d.hostPaths.map((h) => `host path ${h.path} (${h.why})`),
    ...(d.hostNamespaces.length > 0 ? [d.hostNamespaces.join(', ')] : []),
    ...(d.capabilities.length > 0 ? [`capabilities ${d.capabilities.join(', ')}`] : []),
  ];
}
