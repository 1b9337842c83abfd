// What a node agent is for. CNI agents, exporters, log shippers, storage drivers and security
// agents need host access that would be an attack anywhere else; a user declares a component's
// purpose once (the `kubemoat.io/purpose` annotation with a reason, or `purposes[]` in
// `.kubemoat.yaml`), and the host-access findings that purpose needs are reported two steps lower
// with "expected for …; review". Nothing is dropped, and what the purpose does not need (a CNI agent
// mounting the Docker socket) keeps its full severity.
//
// Without a declaration, a workload whose images are a well-known agent's is only *recognised*: the
// finding keeps its severity and says how to declare the purpose. An image name proves nothing
// about what runs in it (`command: [sh, -c, …]` on an agent's image is an attack pod), so a guess
// never lowers a finding.

import type { Report, RuleContext, PurposeDeclaration } from '../core/rule.js';
import { PURPOSE_IDS } from '../core/config-schema.js';
import { nameMatches } from '../core/glob.js';
import { asString } from '../core/json.js';
import type { KubeObject, PodSpecNode } from '../inventory/objects.js';
import { canonicalName, parseImageRef } from './image-ref.js';
import { canonicalRun } from './workload/host-paths.js';

export const PURPOSE_ANNOTATION = 'kubemoat.io/purpose';
export const PURPOSE_REASON_ANNOTATION = 'kubemoat.io/purpose-reason';

export type PurposeId = (typeof PURPOSE_IDS)[number];

interface HostPathNeed {
  /** canonical host path (`/run`, not `/var/run`) */
  path: string;
  /** everything below it too */
  below: boolean;
  /** the purpose needs it writable; otherwise only a read-only mount is expected */
  write: boolean;
}

interface Profile {
  id: PurposeId;
  /** "a CNI agent" */
  label: string;
  /** pod-level host access this purpose needs: KM-WL rule ids (privileged, hostNetwork, root…) */
  rules: ReadonlySet<string>;
  /** capabilities it may add (KM-WL-009) */
  capabilities: ReadonlySet<string>;
  hostPaths: readonly HostPathNeed[];
  /** canonical image names (registry/path) of well-known agents of this kind: recognised, never trusted */
  images: readonly string[];
}

const rw = (path: string, below = true): HostPathNeed => ({ path, below, write: true });
const ro = (path: string, below = true): HostPathNeed => ({ path, below, write: false });

const RUNTIME_SOCKETS = ['/run/containerd/containerd.sock', '/run/docker.sock', '/run/crio/crio.sock', '/run/k3s/containerd/containerd.sock'].map((p) => ro(p, false));

const PROFILES: readonly Profile[] = [
  {
    id: 'cni-agent',
    label: 'a CNI agent',
    // programs the node's network: host network, iptables/eBPF, writes the CNI config and plugins
    // host PID to enter pods' network namespaces (kube-router, Calico's felix)
    rules: new Set(['KM-WL-001', 'KM-WL-002', 'KM-WL-004', 'KM-WL-012', 'KM-WL-013']),
    capabilities: new Set(['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN', 'SYS_MODULE', 'SYS_RESOURCE', 'BPF', 'PERFMON', 'IPC_LOCK', 'SYS_PTRACE', 'CHOWN', 'KILL', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID', 'NET_BIND_SERVICE']),
    hostPaths: [rw('/etc/cni'), rw('/opt/cni/bin'), rw('/opt', false), rw('/var/lib/cni'), rw('/run/xtables.lock', false), ro('/lib/modules'), rw('/sys/fs/bpf'), ro('/sys/fs/cgroup'), rw('/run/cilium'), rw('/run/flannel'), rw('/run/calico'), rw('/var/lib/calico'), rw('/var/lib/cilium'), rw('/var/log/calico'), rw('/run/netns'), rw('/proc/sys/net'), ro('/proc'), rw('/run/nodeagent')],
    images: ['docker.io/flannel/flannel', 'docker.io/flannel/flannel-cni-plugin', 'ghcr.io/flannel-io/flannel', 'ghcr.io/flannel-io/flannel-cni-plugin', 'quay.io/cilium/cilium', 'docker.io/calico/node', 'docker.io/calico/cni', 'quay.io/calico/node', 'quay.io/calico/cni', 'docker.io/cloudnativelabs/kube-router', 'registry.k8s.io/kube-proxy', 'docker.io/weaveworks/weave-kube', 'docker.io/weaveworks/weave-npc'],
  },
  {
    id: 'metrics-exporter',
    label: 'a node metrics exporter',
    // reads the node: its processes, network and files, read-only; listens on the node
    rules: new Set(['KM-WL-002', 'KM-WL-004', 'KM-WL-019']),
    capabilities: new Set(['SYS_TIME']),
    hostPaths: [ro('/', false), ro('/proc'), ro('/sys'), ro('/run/udev'), ro('/dev/disk'), ro('/var/lib/docker'), ro('/var/lib/containerd'), ro('/etc/os-release', false)],
    images: ['quay.io/prometheus/node-exporter', 'docker.io/prom/node-exporter', 'gcr.io/cadvisor/cadvisor'],
  },
  {
    id: 'log-shipper',
    label: 'a node log shipper',
    // tails every log on the node, keeps its read positions beside them, usually as root
    rules: new Set(['KM-WL-012', 'KM-WL-013']),
    capabilities: new Set(),
    hostPaths: [rw('/var/log'), ro('/var/lib/docker/containers'), ro('/var/lib/containers'), ro('/run/log/journal'), ro('/etc/machine-id', false), rw('/var/lib/fluent-bit'), rw('/var/lib/filebeat-data'), rw('/var/lib/vector'), rw('/run/promtail')],
    images: ['cr.fluentbit.io/fluent/fluent-bit', 'docker.io/fluent/fluent-bit', 'docker.io/fluent/fluentd-kubernetes-daemonset', 'docker.elastic.co/beats/filebeat', 'docker.io/grafana/promtail', 'docker.io/grafana/alloy', 'docker.io/timberio/vector'],
  },
  {
    id: 'storage-driver',
    label: 'a CSI node driver',
    // mounts volumes into pods: privileged, with the kubelet's pod directory and the node's devices
    rules: new Set(['KM-WL-001', 'KM-WL-004', 'KM-WL-012', 'KM-WL-013']),
    capabilities: new Set(['SYS_ADMIN']),
    hostPaths: [rw('/var/lib/kubelet'), rw('/dev'), ro('/sys'), ro('/lib/modules'), ro('/run/udev'), rw('/etc/iscsi'), rw('/run/mount'), rw('/var/lib/iscsi')],
    images: ['registry.k8s.io/sig-storage/csi-node-driver-registrar', 'registry.k8s.io/sig-storage/livenessprobe'],
  },
  {
    id: 'security-agent',
    label: 'a runtime security agent',
    // watches every process and container: host PID, privileged or eBPF, the runtime sockets for metadata
    rules: new Set(['KM-WL-001', 'KM-WL-002', 'KM-WL-004', 'KM-WL-012', 'KM-WL-013']),
    capabilities: new Set(['SYS_ADMIN', 'SYS_RESOURCE', 'SYS_PTRACE', 'BPF', 'PERFMON', 'SYS_MODULE', 'DAC_READ_SEARCH']),
    hostPaths: [ro('/', false), ro('/proc'), ro('/boot'), ro('/lib/modules'), ro('/usr'), ro('/etc'), ro('/dev'), ro('/sys'), rw('/sys/kernel/debug'), ...RUNTIME_SOCKETS],
    images: ['docker.io/falcosecurity/falco', 'docker.io/falcosecurity/falco-no-driver', 'docker.io/sysdig/agent', 'docker.io/aquasec/tracee'],
  },
];

export function purposeProfile(id: string): Profile | undefined {
  return PROFILES.find((p) => p.id === id);
}

/** A fact a host-access rule reports, in the terms a purpose's needs are written in. */
export type HostFact =
  | { kind: 'rule'; rule: string }
  | { kind: 'capabilities'; capabilities: readonly string[] }
  | { kind: 'hostPath'; path: string; write: boolean };

function needs(profile: Profile, fact: HostFact): boolean {
  switch (fact.kind) {
    case 'rule':
      return profile.rules.has(fact.rule);
    case 'capabilities':
      return fact.capabilities.every((c) => profile.capabilities.has(c));
    case 'hostPath': {
      const path = canonicalRun(fact.path);
      return profile.hostPaths.some((n) => (path === n.path || (n.below && (n.path === '/' || path.startsWith(`${n.path}/`)))) && (n.write || !fact.write));
    }
  }
}

export type Purpose =
  | { state: 'declared'; profile: Profile; source: string }
  | { state: 'invalid'; problem: string }
  | { state: 'recognised'; profile: Profile; image: string };

function resourceMatches(m: PurposeDeclaration['resource'], o: KubeObject): boolean {
  if (m.kind !== undefined && m.kind.toLowerCase() !== o.kind.toLowerCase()) return false;
  if (m.apiVersion !== undefined && m.apiVersion !== o.apiVersion) return false;
  if (m.namespace !== undefined && !nameMatches(m.namespace, o.namespace ?? '')) return false;
  if (m.name !== undefined && !nameMatches(m.name, o.name)) return false;
  return true;
}

function fromAnnotations(pod: PodSpecNode): Purpose | undefined {
  const sources = [pod.object.annotations, pod.podAnnotations];
  const annotations = sources.find((a) => a[PURPOSE_ANNOTATION] !== undefined);
  if (annotations === undefined) return undefined;
  const id = annotations[PURPOSE_ANNOTATION].trim();
  const profile = purposeProfile(id);
  if (profile === undefined) return { state: 'invalid', problem: `${PURPOSE_ANNOTATION} \`${id}\` is not a purpose kubemoat knows (${PURPOSE_IDS.join(', ')}), so it was not applied` };
  const reason = (annotations[PURPOSE_REASON_ANNOTATION] ?? '').trim();
  if (reason === '') return { state: 'invalid', problem: `${PURPOSE_ANNOTATION}: ${id} has no ${PURPOSE_REASON_ANNOTATION}, so it was not applied` };
  return { state: 'declared', profile, source: `declared by annotation: ${reason}` };
}

function fromConfig(pod: PodSpecNode, declarations: readonly PurposeDeclaration[]): Purpose | undefined {
  const d = declarations.find((x) => resourceMatches(x.resource, pod.object));
  const profile = d === undefined ? undefined : purposeProfile(d.purpose);
  return d === undefined || profile === undefined ? undefined : { state: 'declared', profile, source: `declared in the config: ${d.reason}` };
}

function recognise(pod: PodSpecNode): Purpose | undefined {
  for (const c of pod.containers) {
    const image = asString(c.container.image);
    const ref = image === undefined ? undefined : parseImageRef(image);
    if (ref === undefined) continue;
    const name = canonicalName(ref);
    const profile = PROFILES.find((p) => p.images.includes(name));
    if (profile !== undefined) return { state: 'recognised', profile, image: name };
  }
  return undefined;
}

const cache = new WeakMap<PodSpecNode, { declarations: readonly PurposeDeclaration[]; purpose: Purpose | undefined }>();

/** The pod's purpose: its annotation, else the config's declaration, else what its images suggest. */
export function purposeOf(pod: PodSpecNode, declarations: readonly PurposeDeclaration[]): Purpose | undefined {
  const hit = cache.get(pod);
  if (hit !== undefined && hit.declarations === declarations) return hit.purpose;
  const purpose = fromAnnotations(pod) ?? fromConfig(pod, declarations) ?? recognise(pod);
  cache.set(pod, { declarations, purpose });
  return purpose;
}

/**
 * What to add to a host-access report about this pod: `expected` when its declared purpose needs
 * the fact, a note when the declaration could not be applied, or a hint when its images look like
 * an agent that needs it.
 */
export function purposeWeighing(context: RuleContext, pod: PodSpecNode, fact: HostFact): Pick<Report, 'expected' | 'note'> {
  const purpose = purposeOf(pod, context.settings.purposes);
  if (purpose === undefined) return {};
  if (purpose.state === 'invalid') return { note: purpose.problem };
  if (!needs(purpose.profile, fact)) return {};
  if (purpose.state === 'declared') return { expected: `${purpose.profile.label} (${purpose.source})` };
  return { note: `its image \`${purpose.image}\` looks like ${purpose.profile.label}; if it is one, declare ${PURPOSE_ANNOTATION}: ${purpose.profile.id} with a reason` };
}
