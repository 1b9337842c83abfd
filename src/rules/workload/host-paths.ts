// hostPath volumes, classified once per pod spec so that KM-WL-005/006/007/008 agree on which one
// of them reports each volume: a runtime socket (008) before a sensitive host path (007) before a
// writable mount (006) before a plain hostPath volume (005). Never two findings for one volume.

import { asArray, asObject, asString, isTrue, type Path } from '../../core/json.js';
import type { Severity } from '../../core/finding.js';
import { describeContainer, type ContainerNode, type PodSpecNode } from '../../inventory/objects.js';
import { hostIdentity, type HostIdentity } from '../security-context.js';

// ---------------------------------------------------------------------------------------------
// Paths

/** A Windows path (drive letter or UNC/named pipe): compared case-insensitively with backslashes. */
function isWindowsPath(p: string): boolean {
  return /^[A-Za-z]:([\\/]|$)/.test(p) || p.startsWith('\\\\') || p.startsWith('//./');
}

/**
 * Normalise a host path the way the node will resolve it: `//`, `/./`, trailing slashes and `..`
 * steps collapse (`//var/run/./docker.sock/` is `/var/run/docker.sock`). Windows paths are
 * lower-cased with backslashes.
 */
export function normaliseHostPath(raw: string): string {
  const p = raw.trim();
  if (isWindowsPath(p)) return p.replace(/\//g, '\\').replace(/\\+$/, '').toLowerCase() || '\\';
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

function joinSubPath(base: string, subPath: string): string {
  if (isWindowsPath(base)) return normaliseHostPath(`${base}\\${subPath}`);
  return normaliseHostPath(`${base}/${subPath}`);
}

/** `/run/x` and `/var/run/x` are the same place: `/var/run` is a symlink to `/run` on current distributions. */
export function canonicalRun(p: string): string {
  return p === '/var/run' || p.startsWith('/var/run/') ? p.slice(4) : p;
}

function isInside(p: string, dir: string): boolean {
  return dir === '/' ? p !== '/' : p.startsWith(`${dir}/`);
}

function depth(p: string): number {
  return p === '/' ? 0 : p.split('/').length - 1;
}

// ---------------------------------------------------------------------------------------------
// Container runtime sockets (KM-WL-008)

export type Runtime = 'docker' | 'containerd' | 'cri-o' | 'cri-dockerd' | 'podman' | 'dockershim';

interface KnownSocket {
  runtime: Runtime;
  /** canonical path (under /run rather than /var/run) */
  path: string;
}

const SOCKETS: readonly KnownSocket[] = [
  { runtime: 'docker', path: '/run/docker.sock' },
  { runtime: 'containerd', path: '/run/containerd/containerd.sock' },
  { runtime: 'cri-o', path: '/run/crio/crio.sock' },
  { runtime: 'cri-dockerd', path: '/run/cri-dockerd.sock' },
  { runtime: 'podman', path: '/run/podman/podman.sock' },
  { runtime: 'dockershim', path: '/run/dockershim.sock' },
  // the containerd that Docker Engine runs for itself, k3s's and MicroK8s's containerd
  { runtime: 'containerd', path: '/run/docker/containerd/containerd.sock' },
  { runtime: 'containerd', path: '/run/k3s/containerd/containerd.sock' },
  { runtime: 'containerd', path: '/var/snap/microk8s/common/run/containerd.sock' },
];

/** A socket file with one of these names is that runtime's API wherever it lives (rootless Docker, custom data roots). */
const SOCKET_FILE_NAMES: Record<string, Runtime> = {
  'docker.sock': 'docker',
  'containerd.sock': 'containerd',
  'crio.sock': 'cri-o',
  'cri-dockerd.sock': 'cri-dockerd',
  'podman.sock': 'podman',
  'dockershim.sock': 'dockershim',
};

/** Windows runtimes listen on named pipes. */
const WINDOWS_PIPES: Record<string, Runtime> = {
  '\\\\.\\pipe\\docker_engine': 'docker',
  '\\\\.\\pipe\\containerd-containerd': 'containerd',
};

export interface SocketMatch {
  runtimes: Runtime[];
  /** the socket itself, or the first socket inside the mounted directory, as the user would write it */
  socket: string;
  /** the mounted path is a directory that holds the socket */
  directory: boolean;
}

export function matchRuntimeSocket(path: string): SocketMatch | undefined {
  const pipe = WINDOWS_PIPES[path];
  if (pipe !== undefined) return { runtimes: [pipe], socket: path, directory: false };
  if (!path.startsWith('/')) return undefined;
  const canonical = canonicalRun(path);
  const viaVarRun = canonical !== path;
  const display = (s: string): string => (viaVarRun && s.startsWith('/run/') ? `/var${s}` : s);
  const exact = SOCKETS.find((s) => s.path === canonical);
  if (exact !== undefined) return { runtimes: [exact.runtime], socket: path, directory: false };
  const fileName = canonical.slice(canonical.lastIndexOf('/') + 1);
  const named = SOCKET_FILE_NAMES[fileName];
  if (named !== undefined) return { runtimes: [named], socket: path, directory: false };
  // A directory holding a socket. `/var` alone does not count: `/var/run` inside it is a symlink that
  // resolves in the container, not on the host (KM-WL-007 reports `/var` for the kubelet's files).
  if (!(canonical === '/' || canonical === '/run' || depth(canonical) >= 2)) return undefined;
  const inside = SOCKETS.filter((s) => isInside(s.path, canonical));
  if (inside.length === 0) return undefined;
  const runtimes = [...new Set(inside.map((s) => s.runtime))];
  return { runtimes, socket: display(inside[0].path), directory: true };
}

// ---------------------------------------------------------------------------------------------
// Sensitive host paths (KM-WL-007)

interface SensitiveEntry {
  path: string;
  /** the entry covers everything below it too */
  below: boolean;
  /** reading it is already a door; when false only a writable mount is */
  readable: boolean;
  why: string;
  /** paths below it that are not sensitive (the kubelet's plugin registration sockets) */
  except?: string[];
}

const KUBELET_PLUGIN_DIRS = [
  '/var/lib/kubelet/device-plugins',
  '/var/lib/kubelet/plugins_registry',
  '/var/lib/kubelet/plugins',
  '/var/lib/kubelet/pod-resources',
];

const HOST_PROGRAMS = 'host programs and libraries that run as root';

/** Most specific first: the first entry that matches gives the explanation. */
const SENSITIVE: readonly SensitiveEntry[] = [
  { path: '/', below: false, readable: true, why: "the node's whole filesystem" },
  { path: '/etc/kubernetes/manifests', below: true, readable: true, why: 'static pod manifests: a file written there runs as a pod that the API server never admitted' },
  { path: '/etc/kubernetes/pki', below: true, readable: true, why: "the cluster's certificate authority and component keys" },
  { path: '/etc/kubernetes', below: true, readable: true, why: 'kubeconfigs with cluster credentials, and the static pod manifests' },
  { path: '/etc/shadow', below: false, readable: true, why: 'password hashes' },
  { path: '/etc/gshadow', below: false, readable: true, why: 'password hashes' },
  { path: '/etc/ssh', below: true, readable: true, why: 'SSH host keys and daemon configuration' },
  { path: '/etc/sudoers', below: false, readable: false, why: 'sudo rules' },
  { path: '/etc/sudoers.d', below: true, readable: false, why: 'sudo rules' },
  { path: '/etc/passwd', below: false, readable: false, why: 'the user database' },
  { path: '/etc/crontab', below: false, readable: false, why: 'jobs cron runs as root' },
  { path: '/etc/cron.d', below: true, readable: false, why: 'jobs cron runs as root' },
  { path: '/etc/systemd', below: true, readable: false, why: 'services systemd runs as root' },
  { path: '/etc/ld.so.preload', below: false, readable: false, why: 'libraries loaded into every host process' },
  { path: '/etc/containerd', below: true, readable: false, why: 'container runtime configuration' },
  { path: '/etc/docker', below: true, readable: false, why: 'container runtime configuration' },
  { path: '/etc/crio', below: true, readable: false, why: 'container runtime configuration' },
  { path: '/etc', below: false, readable: true, why: 'host configuration: password hashes, SSH keys, kubeconfigs, service definitions' },
  { path: '/proc', below: true, readable: true, why: "host processes, their environment and (through /proc/<pid>/root) their files; kernel settings in /proc/sys" },
  { path: '/sys', below: false, readable: true, why: 'kernel and device settings, cgroups' },
  { path: '/sys', below: true, readable: false, why: 'kernel and device settings, cgroups (a writable cgroup tree is a known escape)' },
  { path: '/dev/mem', below: false, readable: true, why: 'physical memory' },
  { path: '/dev/kmem', below: false, readable: true, why: 'kernel memory' },
  { path: '/dev/port', below: false, readable: true, why: 'I/O ports' },
  { path: '/dev', below: false, readable: true, why: 'every host device, raw disks included' },
  { path: '/boot', below: true, readable: true, why: 'the host kernel and boot loader' },
  { path: '/root', below: true, readable: true, why: "root's home: SSH keys, kubeconfigs, cloud credentials" },
  { path: '/home', below: true, readable: true, why: "users' homes: SSH keys, kubeconfigs, cloud credentials" },
  { path: '/var/lib/kubelet/pki', below: true, readable: true, why: "the kubelet's client certificate and key" },
  { path: '/var/lib/kubelet', below: true, readable: true, why: "kubelet credentials and every pod's volumes, Secrets included", except: KUBELET_PLUGIN_DIRS },
  { path: '/var/lib/etcd', below: true, readable: true, why: 'the etcd database: every Secret in the cluster' },
  { path: '/var/lib/cloud', below: true, readable: true, why: 'cloud-init data, which often holds bootstrap secrets' },
  { path: '/var/log/pods', below: true, readable: true, why: 'pod logs; writable, they let a pod trick the kubelet into reading any host file' },
  { path: '/var/log/containers', below: true, readable: true, why: 'pod logs; writable, they let a pod trick the kubelet into reading any host file' },
  { path: '/var/log', below: false, readable: true, why: 'host and pod logs; writable, they let a pod trick the kubelet into reading any host file' },
  { path: '/var/lib/docker', below: true, readable: false, why: "the container runtime's images and container filesystems" },
  { path: '/var/lib/containerd', below: true, readable: false, why: "the container runtime's images and container filesystems" },
  { path: '/var/lib/containers', below: true, readable: false, why: "the container runtime's images and container filesystems" },
  { path: '/opt/cni/bin', below: true, readable: false, why: 'CNI plugins, which the runtime runs as root for every pod' },
  { path: '/usr/libexec/kubernetes', below: true, readable: false, why: 'volume plugins the kubelet runs as root' },
  { path: '/usr', below: true, readable: false, why: HOST_PROGRAMS },
  { path: '/bin', below: true, readable: false, why: HOST_PROGRAMS },
  { path: '/sbin', below: true, readable: false, why: HOST_PROGRAMS },
  { path: '/lib', below: true, readable: false, why: HOST_PROGRAMS },
  { path: '/lib64', below: true, readable: false, why: HOST_PROGRAMS },
];

/** Raw block devices: reading one reads the node's disk, file permissions aside. */
const BLOCK_DEVICE = /^\/dev\/(sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d|mmcblk\d|dm-\d|md\d|loop\d|disk|mapper)/;

/** Credential directories wherever they are (a service user's home under /var/lib, /opt…). */
const CREDENTIAL_DIRS: readonly { segment: string; why: string }[] = [
  { segment: '/.aws', why: 'AWS credentials' },
  { segment: '/.azure', why: 'Azure credentials' },
  { segment: '/.config/gcloud', why: 'Google Cloud credentials' },
  { segment: '/.kube', why: 'kubeconfigs' },
  { segment: '/.ssh', why: 'SSH keys' },
  { segment: '/.docker', why: 'registry credentials' },
];

export interface SensitiveMatch {
  /** the listed sensitive path this exposure is, is inside, or contains */
  entry: string;
  relation: 'is' | 'inside' | 'contains';
  why: string;
}

function covers(e: SensitiveEntry, p: string): boolean {
  if (p === e.path) return true;
  if (!e.below || !isInside(p, e.path)) return false;
  return !(e.except ?? []).some((x) => p === x || isInside(p, x));
}

/** Is this host path sensitive when mounted this way? A parent of a sensitive path is as sensitive as it. */
export function matchSensitivePath(path: string, writable: boolean): SensitiveMatch | undefined {
  if (!path.startsWith('/')) return undefined;
  const applies = (e: SensitiveEntry): boolean => writable || e.readable;
  for (const e of SENSITIVE) {
    if (applies(e) && covers(e, path)) return { entry: e.path, relation: path === e.path ? 'is' : 'inside', why: e.why };
  }
  if (BLOCK_DEVICE.test(path)) return { entry: path, relation: 'is', why: 'a raw host disk: every file on it, permissions aside' };
  for (const d of CREDENTIAL_DIRS) {
    const i = `${path}/`.indexOf(`${d.segment}/`);
    if (i >= 0) return { entry: path.slice(0, i + d.segment.length), relation: i + d.segment.length === path.length ? 'is' : 'inside', why: d.why };
  }
  // A parent directory: explain it by the outermost sensitive path it holds (`/var/lib/kubelet`
  // rather than `/var/lib/kubelet/pki`), in list order.
  const held = SENSITIVE.filter((e) => applies(e) && isInside(e.path, path));
  const outer = held.find((e) => !held.some((o) => isInside(e.path, o.path)));
  return outer === undefined ? undefined : { entry: outer.path, relation: 'contains', why: outer.why };
}

// ---------------------------------------------------------------------------------------------
// Host paths with a known, harmless purpose (reported by KM-WL-005 at low, with that purpose)

interface BenignPath {
  path: string;
  below: boolean;
  /** `read`: harmless only mounted read-only; `any`: writable too (a lock file, the syslog socket) */
  access: 'read' | 'any';
  /** `unprivileged`: harmless only to a container that cannot act as the node's root (see hostIdentity) */
  holder: 'any' | 'unprivileged';
  purpose: string;
}

const CA_CERTIFICATES = "the node's CA certificates";
const LOGS = 'host and container logs, read by log shippers';

/** Paths node agents mount for a reason that gives nothing away; canonical (/run rather than /var/run). */
const BENIGN: readonly BenignPath[] = [
  { path: '/run/xtables.lock', below: false, access: 'any', holder: 'any', purpose: 'the iptables lock file network agents share' },
  { path: '/dev/log', below: false, access: 'any', holder: 'any', purpose: "the node's syslog socket, which only takes log lines" },
  { path: '/etc/localtime', below: false, access: 'read', holder: 'any', purpose: "the node's time zone" },
  { path: '/etc/timezone', below: false, access: 'read', holder: 'any', purpose: "the node's time zone" },
  { path: '/usr/share/zoneinfo', below: true, access: 'read', holder: 'any', purpose: 'time zone data' },
  { path: '/etc/machine-id', below: false, access: 'read', holder: 'any', purpose: "the node's machine id" },
  { path: '/lib/modules', below: true, access: 'read', holder: 'any', purpose: 'kernel modules, read to load network and storage drivers' },
  { path: '/etc/ssl/certs', below: true, access: 'read', holder: 'any', purpose: CA_CERTIFICATES },
  { path: '/etc/pki/tls/certs', below: true, access: 'read', holder: 'any', purpose: CA_CERTIFICATES },
  { path: '/etc/pki/ca-trust', below: true, access: 'read', holder: 'any', purpose: CA_CERTIFICATES },
  { path: '/etc/ca-certificates', below: true, access: 'read', holder: 'any', purpose: CA_CERTIFICATES },
  { path: '/usr/share/ca-certificates', below: true, access: 'read', holder: 'any', purpose: CA_CERTIFICATES },
  { path: '/var/log', below: true, access: 'read', holder: 'any', purpose: LOGS },
  { path: '/var/lib/docker/containers', below: true, access: 'read', holder: 'any', purpose: LOGS },
  { path: '/run/log/journal', below: true, access: 'read', holder: 'any', purpose: LOGS },
  { path: '/run/udev', below: true, access: 'read', holder: 'any', purpose: 'device metadata, read by node exporters' },
  { path: '/sys', below: true, access: 'read', holder: 'any', purpose: 'kernel and device information, read by node exporters' },
  { path: '/proc', below: true, access: 'read', holder: 'unprivileged', purpose: "process and kernel statistics, read by node exporters (an unprivileged user cannot read other users' process environments)" },
];

/** The harmless purpose of this mount, if it has one: the path, the access and who holds it all qualify. */
export function benignPurpose(path: string, mount: { readOnly: boolean; identity: HostIdentity }): string | undefined {
  if (!path.startsWith('/')) return undefined;
  const canonical = canonicalRun(path);
  const entry = BENIGN.find((b) => canonical === b.path || (b.below && isInside(canonical, b.path)));
  if (entry === undefined) return undefined;
  if (entry.access === 'read' && !mount.readOnly) return undefined;
  if (entry.holder === 'unprivileged' && mount.identity.as !== 'unprivileged') return undefined;
  return entry.purpose;
}

// ---------------------------------------------------------------------------------------------
// Volumes, their mounts, and the verdict

export interface HostPathMount {
  container: ContainerNode;
  /** index in the container's volumeMounts */
  index: number;
  readOnly: boolean;
  subPath: string | undefined;
  /** the host path this mount exposes: the volume's path joined with a plain subPath */
  path: string;
  /** whether the container meets host files as the node's root */
  identity: HostIdentity;
}

export interface HostPathVolume {
  pod: PodSpecNode;
  index: number;
  name: string;
  /** as written */
  rawPath: string;
  path: string;
  /** the volume's `hostPath.path`, relative to the pod spec */
  at: Path;
  mounts: HostPathMount[];
}

export type HostPathVerdict =
  | { rule: 'KM-WL-008'; socket: SocketMatch; exposure: string; mounts: HostPathMount[] }
  | { rule: 'KM-WL-007'; sensitive: SensitiveMatch; exposure: string; writers: HostPathMount[]; readers: HostPathMount[]; severity: Severity }
  | { rule: 'KM-WL-006'; writers: HostPathMount[] }
  | { rule: 'KM-WL-005'; purpose?: string };

export interface ClassifiedVolume {
  volume: HostPathVolume;
  verdict: HostPathVerdict;
}

function mountsOf(pod: PodSpecNode, volumeName: string, volumePath: string): HostPathMount[] {
  const mounts: HostPathMount[] = [];
  for (const c of pod.containers) {
    asArray(c.container.volumeMounts).forEach((m, index) => {
      const mount = asObject(m);
      if (mount === undefined || asString(mount.name) !== volumeName) return;
      // subPathExpr is expanded per pod at run time: assume the whole volume.
      const subPath = asString(mount.subPath) || undefined;
      mounts.push({
        container: c,
        index,
        readOnly: isTrue(mount.readOnly),
        subPath,
        path: subPath === undefined ? volumePath : joinSubPath(volumePath, subPath),
        identity: hostIdentity(c),
      });
    });
  }
  return mounts;
}

export function hostPathVolumes(pod: PodSpecNode): HostPathVolume[] {
  const out: HostPathVolume[] = [];
  asArray(pod.spec.volumes).forEach((v, index) => {
    const volume = asObject(v);
    const hostPath = asObject(volume?.hostPath);
    if (volume === undefined || hostPath === undefined) return;
    const rawPath = asString(hostPath.path) ?? '';
    const path = normaliseHostPath(rawPath);
    const name = asString(volume.name) ?? `#${index}`;
    out.push({ pod, index, name, rawPath, path, at: ['volumes', index, 'hostPath', 'path'], mounts: mountsOf(pod, name, path) });
  });
  return out;
}

const isRoot = (m: HostPathMount): boolean => m.identity.as === 'root';

/**
 * How serious a sensitive path is, from who holds it: writable by a container that acts as the
 * node's root is critical; writable only by unprivileged containers, or readable by root, is high
 * (the node's file modes are unknown); readable only by unprivileged containers is medium, since
 * root-only files (keys, kubeconfigs, password hashes) stay closed to them. A volume no container
 * mounts yet is high: whoever mounts it later is unknown.
 */
function sensitiveSeverity(writers: readonly HostPathMount[], readers: readonly HostPathMount[]): Severity {
  if (writers.length > 0) return writers.some(isRoot) ? 'critical' : 'high';
  if (readers.length === 0 || readers.some(isRoot)) return 'high';
  return 'medium';
}

/**
 * Which rule reports a volume. What a volume exposes is what its mounts expose (a `subPath` narrows
 * or, like `subPath: docker.sock` on `/var/run`, points at the dangerous part); a volume no container
 * mounts still exposes its whole path to any container added later (an ephemeral debug container).
 * A directory that merely holds runtime sockets (`/`, `/run`) is judged as a directory when every
 * container that mounts it is unprivileged: the sockets are `0660 root`, closed to them. A socket
 * mounted by itself is always KM-WL-008: mounting it says the pod means to use it.
 */
export function classifyVolume(volume: HostPathVolume): HostPathVerdict {
  const exposures: { path: string; mount?: HostPathMount }[] =
    volume.mounts.length > 0 ? volume.mounts.map((m) => ({ path: m.path, mount: m })) : [{ path: volume.path }];
  for (const x of exposures) {
    const socket = matchRuntimeSocket(x.path);
    if (socket === undefined) continue;
    const mounts = volume.mounts.filter((m) => m.path === x.path);
    if (!socket.directory || mounts.length === 0 || mounts.some(isRoot)) return { rule: 'KM-WL-008', socket, exposure: x.path, mounts };
  }
  if (volume.mounts.length > 0) {
    const purposes = volume.mounts.map((m) => benignPurpose(m.path, m));
    if (purposes.every((p) => p !== undefined)) return { rule: 'KM-WL-005', purpose: purposes[0] };
  }
  let readOnlyMatch: { sensitive: SensitiveMatch; exposure: string } | undefined;
  for (const x of exposures) {
    const writable = x.mount !== undefined && !x.mount.readOnly;
    const sensitive = matchSensitivePath(x.path, writable);
    if (sensitive === undefined) continue;
    if (writable) {
      const writers = volume.mounts.filter((m) => !m.readOnly && matchSensitivePath(m.path, true) !== undefined);
      const readers = volume.mounts.filter((m) => m.readOnly && matchSensitivePath(m.path, false) !== undefined);
      return { rule: 'KM-WL-007', sensitive, exposure: x.path, writers, readers, severity: sensitiveSeverity(writers, readers) };
    }
    readOnlyMatch ??= { sensitive, exposure: x.path };
  }
  if (readOnlyMatch !== undefined) {
    const readers = volume.mounts.filter((m) => matchSensitivePath(m.path, false) !== undefined);
    return { rule: 'KM-WL-007', ...readOnlyMatch, writers: [], readers, severity: sensitiveSeverity([], readers) };
  }
  const writers = volume.mounts.filter((m) => !m.readOnly);
  if (writers.length > 0) return { rule: 'KM-WL-006', writers };
  return { rule: 'KM-WL-005' };
}

/** "uid 65534, no privilege escalation, all capabilities dropped" for unprivileged mounts, so a reader sees why the severity is lower. */
export function identityEvidence(mounts: readonly HostPathMount[]): string {
  const unprivileged = mounts.filter((m) => !isRoot(m));
  if (unprivileged.length === 0 || unprivileged.length < mounts.length) return '';
  return `; ${describeMounts(unprivileged)}: ${unprivileged[0].identity.why}`;
}

const cache = new WeakMap<PodSpecNode, ClassifiedVolume[]>();

/** Every hostPath volume of a pod spec with its verdict (computed once, shared by the four rules). */
export function classifiedHostPaths(pod: PodSpecNode): ClassifiedVolume[] {
  let list = cache.get(pod);
  if (list === undefined) {
    list = hostPathVolumes(pod).map((volume) => ({ volume, verdict: classifyVolume(volume) }));
    cache.set(pod, list);
  }
  return list;
}

/** "container `a`, init container `b`" */
export function describeMounts(mounts: readonly HostPathMount[]): string {
  return [...new Set(mounts.map((m) => describeContainer(m.container)))].join(', ');
}

/** Evidence for a volume: the path as written and, where a mount narrows it, the subPath. */
export function volumeEvidence(volume: HostPathVolume, exposure: string): string {
  const sub = volume.mounts.find((m) => m.path === exposure && m.subPath !== undefined);
  return sub === undefined ? `hostPath.path: ${volume.rawPath}` : `hostPath.path: ${volume.rawPath}, subPath: ${sub.subPath}`;
}
