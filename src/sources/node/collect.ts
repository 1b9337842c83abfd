// The node source: what runs on this node and the files it uses, read from /proc and the file
// system (under `--root`, e.g. /host in a privileged DaemonSet with hostPID). It gathers facts and
// never judges them.
//
// Which processes are "this node": those in the auditing process's own network namespace
// (/proc/PID/ns/net equal to /proc/self/ns/net). Node components run on the host network, so on a
// real node that is every component, and containers with their own network are left out. It also
// makes several nodes on one machine (kind, the kubemoat lab: one network namespace each) separable:
// `ip netns exec NS kubemoat node` audits the node living in NS. `--all-netns` turns this off.
//
// Paths a process uses are read through /proc/PID/root, so a component in a container (a kubeadm
// static pod) is read in its own mount namespace, and relative paths start at /proc/PID/cwd.

import { X509Certificate, createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { CoverageGap } from '../../core/finding.js';
import { asArray, asObject, asString, isObject, type JsonObject } from '../../core/json.js';
import { componentOfProcess, componentsOf, locateProcess, type ComponentNode, type ComponentName, type ProcessInfo } from '../../inventory/components.js';
import { Inventory } from '../../inventory/inventory.js';
import { NODE_PROCESS_KIND, podSpecOf, toKubeObject, type ContainerNode, type KubeObject, type PodSpecNode } from '../../inventory/objects.js';
import { dirOf, effectiveKubeletConfig, resolveFrom, type ConfigText, type EffectiveKubeletConfig } from '../../inventory/kubelet-config.js';
import { factObject, NODE_API_VERSION, type FileRole, type NodeCertificateSpec, type NodeFileSpec, type NodeStaticPodSpec } from './facts.js';
import { listPids, ownNetns, procDir, readEnv, readProcess, systemdUnit, type ProcProcess } from './proc.js';
import { InputError } from '../../core/errors.js';

export interface NodeCollectOptions {
  /** host root the node's files and /proc are under ('/' normally, '/host' in a DaemonSet) */
  root: string;
  /** audit component processes in every network namespace, not only kubemoat's own */
  allNetns?: boolean;
  /** when given, whether static pods' namespaces exist (asked of the API server) */
  namespaceExists?: (namespace: string) => Promise<boolean | undefined>;
  /** the time validity is judged against (tests pin it) */
  now?: Date;
}

export interface RuntimeProcess {
  pid: number;
  runtime: 'containerd' | 'cri-o' | 'dockerd' | 'cri-dockerd';
  argv: string[];
}

export interface NodeLoad {
  inventory: Inventory;
  coverage: CoverageGap[];
  components: ComponentNode[];
  runtimes: RuntimeProcess[];
  kubelet?: { pid: number; effective: EffectiveKubeletConfig; object: KubeObject };
  /** the name of the node (the kubelet's --hostname-override, else the host name) */
  nodeName: string;
  /** component processes seen in other network namespaces and left out */
  otherNetns: number;
  /** processes read */
  processes: number;
}

const RUNTIMES: Record<string, RuntimeProcess['runtime']> = { containerd: 'containerd', crio: 'cri-o', dockerd: 'dockerd', 'cri-dockerd': 'cri-dockerd' };
const DEFAULT_SOCKETS: Record<RuntimeProcess['runtime'], string> = {
  containerd: '/run/containerd/containerd.sock',
  'cri-o': '/var/run/crio/crio.sock',
  dockerd: '/var/run/docker.sock',
  'cri-dockerd': '/var/run/cri-dockerd.sock',
};

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Collects file and certificate facts, one object per path. */
class FactSet {
  readonly files = new Map<string, NodeFileSpec>();
  readonly certs = new Map<string, NodeCertificateSpec>();
  private users?: Map<number, string>;
  private groups?: Map<number, string>;

  constructor(readonly root: string, readonly now: Date, private readonly coverage: CoverageGap[]) {}

  /** `path` as a process sees it, on the host: through /proc/PID/root when a process is given. */
  host(path: string, pid?: number): string {
    if (pid !== undefined) return `${procDir(this.root)}/${pid}/root${path}`;
    return this.root === '/' ? path : `${this.root.replace(/\/+$/, '')}${path}`;
  }

  private names(file: string): Map<number, string> {
    const out = new Map<number, string>();
    try {
      for (const line of readFileSync(this.host(file), 'utf8').split('\n')) {
        const [name, , id] = line.split(':');
        if (name && id !== undefined && /^\d+$/.test(id) && !out.has(Number(id))) out.set(Number(id), name);
      }
    } catch {
      // no passwd/group file: ids stay numeric
    }
    return out;
  }

  /** Record that `path` plays `role`; stat it once. */
  file(path: string, role: FileRole, usedBy: string, pid?: number, ownerUid?: number): NodeFileSpec {
    let spec = this.files.get(path);
    if (spec === undefined) {
      spec = { path, exists: false, roles: [] };
      try {
        const st = statSync(this.host(path, pid));
        this.users ??= this.names('/etc/passwd');
        this.groups ??= this.names('/etc/group');
        spec.exists = true;
        spec.type = st.isDirectory() ? 'directory' : st.isSocket() ? 'socket' : st.isFile() ? 'file' : 'other';
        spec.mode = `0${(st.mode & 0o7777).toString(8).padStart(3, '0')}`;
        spec.uid = st.uid;
        spec.gid = st.gid;
        const user = this.users.get(st.uid);
        const group = this.groups.get(st.gid);
        if (user !== undefined) spec.user = user;
        if (group !== undefined) spec.group = group;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') spec.error = `cannot stat: ${code ?? String(e)}`;
        if (spec.error) this.coverage.push({ target: path, reason: spec.error, severity: 'warning' });
      }
      this.files.set(path, spec);
    }
    if (!spec.roles.some((r) => r.role === role)) spec.roles.push(ownerUid === undefined ? { role, usedBy } : { role, usedBy, ownerUid });
    return spec;
  }

  /** Read a certificate file a component uses (first use of a path wins its role). */
  certificate(path: string, role: string, usedBy: string, pid?: number): void {
    const key = `${role}\0${path}`;
    if (this.certs.has(key)) return;
    let text: string;
    try {
      text = readFileSync(this.host(path, pid), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') this.coverage.push({ target: path, reason: `cannot read certificate: ${code ?? String(e)}`, severity: 'warning' });
      return;
    }
    const spec = certificateSpec(text, path, role, usedBy, this.now);
    if (spec === undefined) {
      this.coverage.push({ target: path, reason: `no PEM certificate in it (used by ${usedBy})`, severity: 'warning' });
      return;
    }
    this.certs.set(key, spec);
  }
}

/** The certificates of a PEM file (a CA bundle has several); the first one is described. */
export function certificateSpec(text: string, path: string, role: string, usedBy: string, now: Date): NodeCertificateSpec | undefined {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const certs: X509Certificate[] = [];
  for (const b of blocks) {
    try {
      certs.push(new X509Certificate(b));
    } catch {
      // a damaged block: skip it, describe the others
    }
  }
  if (certs.length === 0) return undefined;
  const first = certs[0];
  return {
    path,
    role,
    usedBy,
    subject: first.subject.replace(/\n/g, ', '),
    issuer: first.issuer.replace(/\n/g, ', '),
    notBefore: new Date(first.validFrom).toISOString(),
    notAfter: new Date(first.validTo).toISOString(),
    observedAt: now.toISOString(),
    // the kubelet's own serving certificate is signed by a throw-away CA bundled in the same file
    selfSigned: (first.subject === first.issuer && first.checkIssued(first)) || certs.slice(1).some((ca) => first.checkIssued(ca) && ca.checkIssued(ca)),
    fingerprints: certs.map((c) => createHash('sha256').update(c.raw).digest('hex')),
  };
}

function readText(path: string): string | { error: string } {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    return { error: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
}

/** The synthetic one-container pod through which rules judge a component process. */
function processView(component: ComponentName, p: ProcProcess, env: { name: string; value: string }[], root: string): { object: KubeObject; container: ContainerNode } {
  const containerRaw: JsonObject = { name: component, command: [...p.argv] };
  if (env.length > 0) containerRaw.env = env.map((e) => ({ name: e.name, value: e.value }));
  const spec: JsonObject = { hostNetwork: true, containers: [containerRaw] };
  const raw: JsonObject = { apiVersion: NODE_API_VERSION, kind: NODE_PROCESS_KIND, metadata: { name: component }, spec: { pid: p.pid, executable: p.argv[0] ?? p.exe, cwd: p.cwd, ...spec } };
  const object: KubeObject = { apiVersion: NODE_API_VERSION, kind: NODE_PROCESS_KIND, name: component, namespace: undefined, labels: {}, annotations: {}, raw, origin: { type: 'node', root, pid: p.pid } };
  const pod: PodSpecNode = { object, spec: raw.spec as JsonObject, path: ['spec'], podLabels: {}, podAnnotations: {}, containers: [] };
  const container: ContainerNode = { pod, container: containerRaw, name: component, containerKind: 'container', path: ['spec', 'containers', 0] };
  pod.containers.push(container);
  return { object, container };
}

function who(c: ComponentNode): string {
  return c.source.type === 'process' ? `${c.component} (pid ${c.source.process.pid})` : c.component;
}

function pidOf(c: ComponentNode): number | undefined {
  return c.source.type === 'process' ? c.source.process.pid : undefined;
}

function cwdOf(c: ComponentNode): string {
  return c.source.type === 'process' && c.source.process.cwd !== '' ? c.source.process.cwd : '/';
}

/** A path flag of a component, resolved against its working directory. */
function pathFlag(c: ComponentNode, name: string): string | undefined {
  const v = c.flags.string(name);
  return v ? resolveFrom(cwdOf(c), v) : undefined;
}

/** An etcd setting from its flag or its ETCD_* variable (flags win). */
function etcdSetting(c: ComponentNode, name: string): string | undefined {
  const flag = c.flags.string(name);
  if (flag !== undefined) return flag;
  const wanted = `ETCD_${name.toUpperCase().replace(/-/g, '_')}`;
  const env = asArray(c.source.container.container.env);
  for (let i = env.length - 1; i >= 0; i--) {
    const e = asObject(env[i]);
    if (e?.name === wanted) return asString(e.value);
  }
  return undefined;
}

function uidOf(root: string, pid: number): number | undefined {
  try {
    const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`${procDir(root)}/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The kubelet's --config-dir drop-ins in the kubelet's order (a lexical walk, subdirectories in place). */
function dropInFiles(dir: string, hostDir: string): { conf: { path: string; host: string }[]; skipped: string[] } {
  const conf: { path: string; host: string }[] = [];
  const skipped: string[] = [];
  const walk = (d: string, h: string): void => {
    let names: string[];
    try {
      names = readdirSync(h).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = `${d}/${n}`;
      const hp = `${h}/${n}`;
      let isDir = false;
      try {
        isDir = statSync(hp).isDirectory();
      } catch {
        continue;
      }
      if (isDir) walk(p, hp);
      else if (n.endsWith('.conf')) conf.push({ path: p, host: hp });
      else skipped.push(p);
    }
  };
  walk(dir.replace(/\/+$/, ''), hostDir.replace(/\/+$/, ''));
  return { conf, skipped };
}

/** Kubeconfig paths kubeadm keeps beside the ones components use: admin.conf and super-admin.conf. */
const ADMIN_KUBECONFIGS = ['admin.conf', 'super-admin.conf'];

export async function collectNode(options: NodeCollectOptions): Promise<NodeLoad> {
  const root = options.root;
  const now = options.now ?? new Date();
  const coverage: CoverageGap[] = [];
  const inventory = new Inventory();
  const facts = new FactSet(root, now, coverage);
  const components: ComponentNode[] = [];
  const runtimes: RuntimeProcess[] = [];
  const self = ownNetns();
  let otherNetns = 0;
  const unreadable: number[] = [];
  let pids: number[];
  try {
    pids = listPids(root);
  } catch (e) {
    throw new NodeSourceError(`cannot list processes in ${procDir(root)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  for (const pid of pids) {
    const p = readProcess(root, pid);
    if (p === undefined) continue;
    const exe = basename(p.argv[0] ?? '');
    const runtime = RUNTIMES[exe];
    const found = runtime === undefined ? locateProcess(p.argv) : undefined;
    if (runtime === undefined && found === undefined) continue;
    if (p.netns === '' || p.cwd === '') {
      // /proc/PID/ns/net and cwd are only readable by the process's owner (or root)
      unreadable.push(pid);
      continue;
    }
    if (!options.allNetns && self !== '' && p.netns !== self) {
      otherNetns++;
      continue;
    }
    if (runtime !== undefined) {
      runtimes.push({ pid, runtime, argv: p.argv });
      continue;
    }
    if (found === undefined) continue;
    const env = found.component === 'etcd' ? readEnv(root, pid, 'ETCD_') : [];
    const view = processView(found.component, p, env, root);
    const info: ProcessInfo = { pid, executable: p.argv[0] ?? p.exe, cwd: p.cwd, argv: p.argv };
    const component = componentOfProcess(found, info, view.container);
    components.push(component);
    inventory.addProcess(component);
  }

  if (unreadable.length > 0) {
    coverage.push({ target: procDir(root), reason: `cannot read the network namespace or working directory of ${unreadable.length} Kubernetes or runtime process${unreadable.length === 1 ? '' : 'es'} (pid ${unreadable.slice(0, 5).join(', ')}${unreadable.length > 5 ? ', …' : ''}): run kubemoat node as root`, severity: 'error' });
  }
  const load: NodeLoad = { inventory, coverage, components, runtimes, nodeName: hostName(root), otherNetns, processes: pids.length };
  const kubelets = components.filter((c) => c.component === 'kubelet');
  if (kubelets.length > 1) {
    coverage.push({ target: 'kubelet', reason: `${kubelets.length} kubelet processes (pids ${kubelets.map(pidOf).join(', ')}) in this network namespace; each is audited`, severity: 'warning' });
  }
  const kubeconfigDirs = new Set<string>();
  for (const c of components) {
    const pid = pidOf(c);
    const by = who(c);
    switch (c.component) {
      case 'kube-apiserver': {
        for (const [flag, role] of [['client-ca-file', 'apiserver-client-ca'], ['tls-cert-file', 'apiserver-serving'], ['kubelet-certificate-authority', 'apiserver-kubelet-ca'], ['etcd-cafile', 'apiserver-etcd-ca'], ['etcd-certfile', 'apiserver-etcd-client'], ['kubelet-client-certificate', 'apiserver-kubelet-client'], ['requestheader-client-ca-file', 'apiserver-requestheader-ca']] as const) {
          const path = pathFlag(c, flag);
          if (path) facts.certificate(path, role, `${by} --${flag}`, pid);
        }
        // the PKI directory: where the API server's client CA and serving certificate live
        for (const flag of ['client-ca-file', 'tls-cert-file']) {
          const path = pathFlag(c, flag);
          if (path) pkiDir(facts, dirOf(path), `in the PKI directory of ${by} --${flag}`, pid);
        }
        break;
      }
      case 'kube-controller-manager':
      case 'kube-scheduler': {
        const role: FileRole = c.component === 'kube-scheduler' ? 'scheduler-kubeconfig' : 'controller-manager-kubeconfig';
        const path = pathFlag(c, 'kubeconfig');
        if (path) {
          facts.file(path, role, `${by} --kubeconfig`, pid);
          kubeconfigDirs.add(dirOf(path));
          kubeconfigCerts(facts, path, `${by} --kubeconfig`, pid);
        }
        break;
      }
      case 'etcd': {
        const name = etcdSetting(c, 'name') ?? 'default';
        const dataDir = resolveFrom(cwdOf(c), etcdSetting(c, 'data-dir') ?? `${name}.etcd`);
        facts.file(dataDir, 'etcd-data-dir', `${by} --data-dir`, pid, pid === undefined ? undefined : uidOf(root, pid));
        for (const [flag, role] of [['trusted-ca-file', 'etcd-trusted-ca'], ['peer-trusted-ca-file', 'etcd-peer-trusted-ca'], ['cert-file', 'etcd-serving'], ['peer-cert-file', 'etcd-peer']] as const) {
          const v = etcdSetting(c, flag);
          if (v) facts.certificate(resolveFrom(cwdOf(c), v), role, `${by} --${flag}`, pid);
        }
        break;
      }
      case 'kube-proxy': {
        // with --config kube-proxy ignores its other flags: the file is all that counts
        const config = kubeProxyConfig(c, facts, pid, load);
        const kc = asString(asObject(config?.clientConnection)?.kubeconfig);
        const configPath = pathFlag(c, 'config');
        const path = configPath ? (kc ? resolveFrom(dirOf(configPath), kc) : undefined) : pathFlag(c, 'kubeconfig');
        if (path) facts.file(path, 'proxy-kubeconfig', `${by} kubeconfig`, pid);
        break;
      }
      case 'kubelet':
        await kubeletFacts(c, facts, load, options, kubeconfigDirs);
        break;
    }
  }
  // kubeadm keeps the administrators' kubeconfigs beside the components' ones
  for (const dir of new Set([...kubeconfigDirs, ...(components.length > 0 ? ['/etc/kubernetes'] : [])])) {
    for (const name of ADMIN_KUBECONFIGS) {
      const path = `${dir === '/' ? '' : dir}/${name}`;
      try {
        statSync(facts.host(path));
      } catch {
        continue;
      }
      facts.file(path, 'admin-kubeconfig', `kubeconfig of cluster administrators (beside the components' kubeconfigs in ${dir})`);
    }
  }
  runtimeSockets(facts, load);

  for (const spec of facts.files.values()) addFact(inventory, 'NodeFile', spec.path, spec, root);
  for (const spec of facts.certs.values()) addFact(inventory, 'NodeCertificate', `${spec.role}:${spec.path}`, spec, root);
  return load;
}

export class NodeSourceError extends InputError {}

function addFact(inventory: Inventory, kind: string, name: string, spec: object, root: string, pid?: number): KubeObject | undefined {
  const object = toKubeObject(factObject(kind, name, spec), pid === undefined ? { type: 'node', root } : { type: 'node', root, pid });
  if (object) inventory.add(object);
  return object;
}

function hostName(root: string): string {
  for (const f of root === '/' ? ['/proc/sys/kernel/hostname', '/etc/hostname'] : [`${root}/etc/hostname`]) {
    try {
      const name = readFileSync(f, 'utf8').trim();
      if (name) return name;
    } catch {
      // next
    }
  }
  return 'localhost';
}

/** The PKI directory, its certificates and keys (two levels, as kubeadm's etcd/ subdirectory). */
function pkiDir(facts: FactSet, dir: string, usedBy: string, pid: number | undefined): void {
  if (facts.files.has(dir)) return;
  facts.file(dir, 'pki-dir', usedBy, pid);
  const walk = (d: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(facts.host(d, pid)).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = `${d}/${n}`;
      let isDir = false;
      try {
        isDir = statSync(facts.host(p, pid)).isDirectory();
      } catch {
        continue;
      }
      if (isDir) {
        if (depth < 2) {
          facts.file(p, 'pki-dir', usedBy, pid);
          walk(p, depth + 1);
        }
      } else if (/\.key$/.test(n)) facts.file(p, 'pki-key', usedBy, pid);
      else if (/\.(crt|pem|cert)$/.test(n)) facts.file(p, 'pki-cert', usedBy, pid);
    }
  };
  walk(dir, 1);
}

/** Certificates embedded in a kubeconfig (client-certificate-data) or named by it. */
function kubeconfigCerts(facts: FactSet, path: string, usedBy: string, pid: number | undefined): void {
  const text = readText(facts.host(path, pid));
  if (typeof text !== 'string') return;
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return; // not YAML: the component would fail on it too; its permissions are still judged
  }
  for (const u of asArray(asObject(doc)?.users)) {
    const user = asObject(asObject(u)?.user);
    const data = asString(user?.['client-certificate-data']);
    if (data) {
      const spec = certificateSpec(Buffer.from(data, 'base64').toString('utf8'), `${path} (client-certificate-data)`, 'kubeconfig-client', usedBy, facts.now);
      if (spec) facts.certs.set(`kubeconfig-client\0${spec.path}`, spec);
    }
    const file = asString(user?.['client-certificate']);
    if (file) facts.certificate(resolveFrom(dirOf(path), file), 'kubeconfig-client', usedBy, pid);
  }
}

/** kube-proxy's --config file, added to the inventory as the KubeProxyConfiguration it is. */
function kubeProxyConfig(c: ComponentNode, facts: FactSet, pid: number | undefined, load: NodeLoad): JsonObject | undefined {
  const path = pathFlag(c, 'config');
  if (!path) return undefined;
  const text = readText(facts.host(path, pid));
  if (typeof text !== 'string') {
    load.coverage.push({ target: path, reason: `kube-proxy (pid ${pid ?? '?'}) --config: ${text.error}`, severity: 'warning' });
    return undefined;
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    load.coverage.push({ target: path, reason: `kube-proxy configuration is not YAML or JSON: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, severity: 'warning' });
    return undefined;
  }
  const config = asObject(doc);
  if (config === undefined || config.kind !== 'KubeProxyConfiguration') return undefined;
  const object = toKubeObject({ ...config, metadata: { name: 'kube-proxy' } }, { type: 'node', root: facts.root, ...(pid === undefined ? {} : { pid }) });
  if (object) load.inventory.add(object);
  return config;
}

async function kubeletFacts(c: ComponentNode, facts: FactSet, load: NodeLoad, options: NodeCollectOptions, kubeconfigDirs: Set<string>): Promise<void> {
  const pid = pidOf(c);
  const by = who(c);
  const cwd = cwdOf(c);
  const override = c.flags.string('hostname-override');
  if (override) load.nodeName = override.toLowerCase();

  // the effective configuration
  const configPath = pathFlag(c, 'config');
  let configFile: ConfigText | { path: string; error: string } | undefined;
  if (configPath) {
    const text = readText(facts.host(configPath, pid));
    configFile = typeof text === 'string' ? { path: configPath, text } : { path: configPath, error: text.error };
    facts.file(configPath, 'kubelet-config', `${by} --config`, pid);
  }
  const dropInDir = pathFlag(c, 'config-dir');
  let dropIns: (ConfigText | { path: string; error: string })[] | undefined;
  let skipped: string[] = [];
  if (dropInDir) {
    const found = dropInFiles(dropInDir, facts.host(dropInDir, pid));
    skipped = found.skipped;
    dropIns = found.conf.map((f) => {
      const text = readText(f.host);
      facts.file(f.path, 'kubelet-config', `${by} --config-dir`, pid);
      return typeof text === 'string' ? { path: f.path, text } : { path: f.path, error: text.error };
    });
  }
  const effective = effectiveKubeletConfig({ flags: c.flags, configFile, dropIns, skippedDropIns: skipped });
  for (const p of effective.problems) load.coverage.push({ target: p.file, reason: `kubelet (pid ${pid ?? '?'}) configuration: ${p.reason}`, severity: 'error' });
  const raw: JsonObject = { ...effective.config, metadata: { name: load.nodeName } };
  const object = toKubeObject(raw, { type: 'node', root: options.root, ...(pid === undefined ? {} : { pid }), provenance: effective.provenance });
  if (object) {
    load.inventory.add(object);
    if (load.kubelet === undefined && pid !== undefined) load.kubelet = { pid, effective, object };
  }

  // files the kubelet uses
  const kubeconfig = pathFlag(c, 'kubeconfig');
  if (kubeconfig) {
    facts.file(kubeconfig, 'kubelet-kubeconfig', `${by} --kubeconfig`, pid);
    kubeconfigDirs.add(dirOf(kubeconfig));
    kubeconfigCerts(facts, kubeconfig, `${by} --kubeconfig`, pid);
  }
  const config = effective.config;
  const clientCA = asString(asObject(asObject(config.authentication)?.x509)?.clientCAFile);
  if (clientCA) {
    const path = resolveFrom(cwd, clientCA);
    facts.file(path, 'kubelet-client-ca', `${by} authentication.x509.clientCAFile`, pid);
    facts.certificate(path, 'kubelet-client-ca', `${by} authentication.x509.clientCAFile`, pid);
  }
  const tlsCert = asString(config.tlsCertFile);
  const certDir = resolveFrom(cwd, c.flags.string('cert-dir') ?? '/var/lib/kubelet/pki');
  if (tlsCert) facts.certificate(resolveFrom(cwd, tlsCert), 'kubelet-serving', `${by} tlsCertFile`, pid);
  else {
    // without tlsCertFile the kubelet serves kubelet-server-current.pem (rotation) or a self-signed kubelet.crt from --cert-dir
    const rotated = config.serverTLSBootstrap === true;
    facts.certificate(`${certDir}/${rotated ? 'kubelet-server-current.pem' : 'kubelet.crt'}`, 'kubelet-serving', `${by} ${rotated ? 'serverTLSBootstrap' : '--cert-dir (self-signed)'}`, pid);
  }
  if (pid !== undefined) {
    const unit = systemdUnit(options.root, pid);
    if (unit) for (const f of unitFiles(facts, unit)) facts.file(f, 'kubelet-service', `${by} systemd unit ${unit}`);
  }

  // the static pod directory and its pods
  const staticPath = asString(config.staticPodPath);
  if (staticPath) {
    const dir = resolveFrom(cwd, staticPath);
    const spec = facts.file(dir, 'static-pod-dir', `${by} staticPodPath`, pid);
    if (spec.exists && spec.type === 'directory') await staticPods(facts, dir, by, pid, load, options);
  }
  const runtimeEndpoint = asString(config.containerRuntimeEndpoint);
  if (runtimeEndpoint?.startsWith('unix://')) facts.file(resolveFrom(cwd, runtimeEndpoint.slice('unix://'.length)), 'runtime-socket', `${by} containerRuntimeEndpoint`, pid);
}

/** A systemd unit's files: the unit and its drop-ins, in the usual search path. */
function unitFiles(facts: FactSet, unit: string): string[] {
  const out: string[] = [];
  for (const dir of ['/etc/systemd/system', '/run/systemd/system', '/usr/local/lib/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system']) {
    const path = `${dir}/${unit}`;
    try {
      if (statSync(facts.host(path)).isFile()) out.push(path);
    } catch {
      // not here
    }
    try {
      for (const n of readdirSync(facts.host(`${path}.d`)).sort()) if (n.endsWith('.conf')) out.push(`${path}.d/${n}`);
    } catch {
      // no drop-ins
    }
  }
  return out;
}

const CONTROL_PLANE_MANIFEST_ROLES: Partial<Record<ComponentName, FileRole>> = {
  'kube-apiserver': 'apiserver-manifest',
  'kube-controller-manager': 'controller-manager-manifest',
  'kube-scheduler': 'scheduler-manifest',
  etcd: 'etcd-manifest',
};

/** Every pod manifest in the static pod directory (the kubelet reads every file not starting with a dot). */
async function staticPods(facts: FactSet, dir: string, by: string, pid: number | undefined, load: NodeLoad, options: NodeCollectOptions): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(facts.host(dir, pid)).sort();
  } catch (e) {
    load.coverage.push({ target: dir, reason: `cannot list the static pod directory: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, severity: 'warning' });
    return;
  }
  for (const n of names) {
    if (n.startsWith('.')) continue;
    const path = `${dir}/${n}`;
    const spec = facts.file(path, 'static-pod-manifest', `${by} staticPodPath`, pid);
    if (spec.type !== 'file') continue;
    const text = readText(facts.host(path, pid));
    if (typeof text !== 'string') continue;
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (e) {
      load.coverage.push({ target: path, reason: `static pod manifest is not YAML or JSON: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, severity: 'warning' });
      continue;
    }
    if (!isObject(doc)) continue;
    const object = toKubeObject(doc, { type: 'node', root: options.root });
    const pod = object ? podSpecOf(object) : undefined;
    if (object === undefined || pod === undefined || object.kind !== 'Pod') continue;
    for (const k of componentsOf(pod.containers)) {
      const role = CONTROL_PLANE_MANIFEST_ROLES[k.component];
      if (role) facts.file(path, role, `static pod of ${k.component}`, pid);
    }
    const podSpec: NodeStaticPodSpec = { file: path, manifest: doc };
    if (options.namespaceExists) {
      const exists = await options.namespaceExists(object.namespace ?? 'default');
      if (exists !== undefined) podSpec.namespaceExists = exists;
    }
    addFact(load.inventory, 'NodeStaticPod', path, podSpec, options.root, pid);
  }
}

/** Container runtime sockets: from the runtimes' own flags and config, else their defaults. */
function runtimeSockets(facts: FactSet, load: NodeLoad): void {
  for (const r of load.runtimes) {
    const by = `${r.runtime} (pid ${r.pid})`;
    for (const socket of socketsOf(r, facts)) facts.file(socket, 'runtime-socket', by, r.pid);
  }
}

export function flagOf(argv: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    for (const n of names) {
      if (argv[i] === n && i + 1 < argv.length) out.push(argv[i + 1]);
      else if (argv[i].startsWith(`${n}=`)) out.push(argv[i].slice(n.length + 1));
    }
  }
  return out;
}

function socketsOf(r: RuntimeProcess, facts: FactSet): string[] {
  const unix = (s: string): string | undefined => (s.startsWith('unix://') ? s.slice(7) : s.startsWith('/') ? s : undefined);
  if (r.runtime === 'containerd') {
    const address = flagOf(r.argv, ['--address', '-a'])[0];
    if (address) return [address];
    const config = flagOf(r.argv, ['--config', '-c'])[0] ?? '/etc/containerd/config.toml';
    const text = readText(facts.host(config, r.pid));
    if (typeof text === 'string') {
      // [grpc] address = "…" (a TOML table; kubemoat reads just this key)
      const m = /^\s*\[grpc\][^[]*?^\s*address\s*=\s*["']([^"']+)["']/ms.exec(text);
      if (m) return [m[1]];
    }
    return [DEFAULT_SOCKETS.containerd];
  }
  if (r.runtime === 'dockerd') {
    const hosts = flagOf(r.argv, ['-H', '--host']).map(unix).filter((s): s is string => s !== undefined);
    return hosts.length > 0 ? hosts : [DEFAULT_SOCKETS.dockerd];
  }
  if (r.runtime === 'cri-o') {
    const listen = flagOf(r.argv, ['--listen'])[0];
    return [listen ?? DEFAULT_SOCKETS['cri-o']];
  }
  const endpoint = flagOf(r.argv, ['--container-runtime-endpoint'])[0];
  return [endpoint ? unix(endpoint) ?? DEFAULT_SOCKETS['cri-dockerd'] : DEFAULT_SOCKETS['cri-dockerd']];
}
