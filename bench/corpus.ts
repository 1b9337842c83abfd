// A seeded, deterministic generator of a realistic manifest corpus for the scan benchmark.
//
//   node dist/bench/corpus.js --out DIR [--resources 100000] [--files 10000] [--seed 1] [--size normal]
//
// It writes N Kubernetes resources across M YAML files, laid out like a platform repository:
// DIR/<team>/<app>/<files>. About a third of the files hold one document; the rest bundle several
// (an app's Deployment, Service, ConfigMap, HPA, …), as `helm template` output and kustomize bases do.
// The mix of kinds, of secure and insecure settings and the sizes of objects (labels, annotations, env
// lists, probes, volumes) follow what real platform repositories hold. Every credential it writes is
// obviously FAKE. The same seed and options always give byte-identical files.
//
// DIR/.corpus.meta (JSON, an extension no scanner reads) records the options and, per team directory,
// how many files and resources it holds, so that a benchmark can run a slow peer on an exact subset.

import { mkdirSync, readdirSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { seededRandom } from '../test/helpers/random.js';

export const CORPUS_GENERATOR_VERSION = 1;
export const META_FILE = '.corpus.meta';

export type CorpusSize = 'small' | 'normal' | 'large';

export interface CorpusOptions {
  out: string;
  resources: number;
  files: number;
  seed: number;
  size: CorpusSize;
}

export interface CorpusTeamDir {
  dir: string;
  files: number;
  resources: number;
}

export interface CorpusMeta {
  generator: number;
  resources: number;
  files: number;
  seed: number;
  size: CorpusSize;
  bytes: number;
  kinds: Record<string, number>;
  teams: CorpusTeamDir[];
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** Deterministic choices for the corpus: the same seed makes the same corpus on every platform. */
export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  weighted<T extends string>(weights: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of weights) total += w;
    let r = this.next() * total;
    for (const [item, w] of weights) {
      r -= w;
      if (r < 0) return item;
    }
    return weights[weights.length - 1][0];
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.next() * 16)];
    return s;
  }
  alnum(n: number): string {
    const a = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < n; i++) s += a[Math.floor(this.next() * a.length)];
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// A small YAML emitter: block style, plain scalars where they are unambiguous, JSON-quoted strings
// otherwise, literal blocks for multi-line strings. Faster than a general library and fully
// predictable, which keeps the corpus byte-identical across versions of dependencies.

type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

const RESERVED = /^(?:y|n|yes|no|true|false|on|off|null|~)$/i;
const PLAIN = /^[A-Za-z_/$][A-Za-z0-9_./@$-]*$/;
/** values may also hold a colon not followed by a space (images, URLs) */
const PLAIN_VALUE = /^[A-Za-z_/$][A-Za-z0-9_./@$:-]*$/;

function scalar(s: string): string {
  if (s.length > 0 && PLAIN_VALUE.test(s) && !s.endsWith(':') && !RESERVED.test(s)) return s;
  return JSON.stringify(s);
}

function key(k: string): string {
  return PLAIN.test(k) && !RESERVED.test(k) ? k : JSON.stringify(k);
}

function emit(value: Yaml, indent: string, out: string[]): void {
  // called for the value of a mapping entry or sequence item whose prefix is already in out
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push(' []\n');
      return;
    }
    out.push('\n');
    for (const item of value) {
      out.push(indent, '-');
      emitItem(item, indent + '  ', out);
    }
    return;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) {
      out.push(' {}\n');
      return;
    }
    out.push('\n');
    for (const k of keys) {
      out.push(indent, key(k), ':');
      emit(value[k], indent + '  ', out);
    }
    return;
  }
  out.push(' ', leaf(value, indent), '\n');
}

/** A sequence item: a mapping starts on the dash's line. */
function emitItem(value: Yaml, indent: string, out: string[]): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    let first = true;
    for (const [k, v] of Object.entries(value)) {
      out.push(first ? ' ' : indent, key(k), ':');
      emit(v, indent + '  ', out);
      first = false;
    }
    return;
  }
  emit(value, indent, out);
}

function leaf(value: string | number | boolean | null, indent: string): string {
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value.includes('\n')) {
    const body = value.endsWith('\n') ? value.slice(0, -1) : value;
    const chomp = value.endsWith('\n') ? '' : '-';
    return `|${chomp}\n` + body.split('\n').map((l) => (l.length ? indent + l : '')).join('\n');
  }
  return scalar(value);
}

export function toYaml(doc: { [key: string]: Yaml }): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(doc)) {
    out.push(key(k), ':');
    emit(v, '  ', out);
  }
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// The mix

type Kind =
  | 'Deployment'
  | 'Service'
  | 'ConfigMap'
  | 'ServiceAccount'
  | 'Secret'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'CronJob'
  | 'Job'
  | 'Ingress'
  | 'Role'
  | 'RoleBinding'
  | 'ClusterRole'
  | 'ClusterRoleBinding'
  | 'NetworkPolicy'
  | 'Namespace'
  | 'HorizontalPodAutoscaler'
  | 'PodDisruptionBudget';

/** Share of each kind, in percent, as in a typical platform repository. */
export const KIND_MIX: readonly (readonly [Kind, number])[] = [
  ['Deployment', 30],
  ['Service', 15],
  ['ConfigMap', 12],
  ['ServiceAccount', 6],
  ['Secret', 5],
  ['StatefulSet', 4],
  ['Ingress', 4],
  ['NetworkPolicy', 4],
  ['CronJob', 3],
  ['HorizontalPodAutoscaler', 3],
  ['DaemonSet', 2],
  ['Job', 2],
  ['Role', 2.5],
  ['RoleBinding', 2.5],
  ['PodDisruptionBudget', 2],
  ['ClusterRole', 1],
  ['ClusterRoleBinding', 1],
  ['Namespace', 1],
];

const TEAMS = ['payments', 'checkout', 'search', 'identity', 'platform', 'data', 'ml', 'growth', 'mobile', 'observability', 'security', 'infra', 'catalog', 'billing', 'notifications', 'media'];
const APP_WORDS = ['api', 'web', 'worker', 'gateway', 'cache', 'indexer', 'scheduler', 'ingest', 'export', 'auth', 'frontend', 'backend', 'sync', 'router', 'store', 'reporter', 'collector', 'proxy', 'admin', 'events'];
const ENVS = ['prod', 'staging', 'dev'];
const REGISTRIES = ['registry.example.com/platform', 'ghcr.io/example-org', 'docker.io/library', 'quay.io/example', '123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'gcr.io/example-project'];
const BASE_IMAGES = ['nginx', 'redis', 'postgres', 'python', 'node', 'golang', 'busybox', 'alpine', 'envoy', 'fluent-bit', 'java-app', 'api-server', 'worker', 'prometheus', 'grafana'];
const SIZE_FACTOR: Record<CorpusSize, number> = { small: 0.4, normal: 1, large: 2.2 };

interface AppContext {
  rng: Rng;
  team: string;
  namespace: string;
  env: string;
  app: string;
  size: number;
  serial: number;
}

function labels(c: AppContext, component: string): Record<string, string> {
  const l: Record<string, string> = {
    app: c.app,
    'app.kubernetes.io/name': c.app,
    'app.kubernetes.io/instance': `${c.app}-${c.env}`,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': c.team,
    'app.kubernetes.io/managed-by': c.rng.pick(['Helm', 'kustomize', 'argocd']),
    team: c.team,
  };
  if (c.rng.chance(0.7)) l['app.kubernetes.io/version'] = `${c.rng.int(1, 4)}.${c.rng.int(0, 30)}.${c.rng.int(0, 9)}`;
  if (c.rng.chance(0.5)) l.environment = c.env;
  if (c.rng.chance(0.3)) l['cost-center'] = `cc-${c.rng.int(1000, 9999)}`;
  return l;
}

function annotations(c: AppContext): Record<string, string> {
  const a: Record<string, string> = {};
  const n = Math.round(c.rng.int(0, 4) * c.size);
  const pool: (() => [string, string])[] = [
    () => ['meta.helm.sh/release-name', c.app],
    () => ['meta.helm.sh/release-namespace', c.namespace],
    () => ['owner', `${c.team}@example.com`],
    () => ['runbook', `https://runbooks.example.com/${c.team}/${c.app}`],
    () => ['argocd.argoproj.io/sync-wave', String(c.rng.int(-2, 5))],
    () => ['description', `${c.app} for the ${c.team} team (${c.env}); pages go to the ${c.team} on-call rotation`],
    () => ['checksum/config', c.rng.hex(64)],
  ];
  for (let i = 0; i < n; i++) {
    const [k, v] = c.rng.pick(pool)();
    a[k] = v;
  }
  if (c.rng.chance(0.1)) a['kubemoat.io/ignore'] = 'KM-WL-002';
  return a;
}

function metadata(c: AppContext, name: string, component: string, namespaced = true): Record<string, Yaml> {
  const m: Record<string, Yaml> = { name };
  if (namespaced && !c.rng.chance(0.04)) m.namespace = c.namespace; // a few leave it to the installer
  m.labels = labels(c, component);
  const a = annotations(c);
  if (Object.keys(a).length) m.annotations = a;
  return m;
}

function selectorLabels(c: AppContext): Record<string, string> {
  return { 'app.kubernetes.io/name': c.app, 'app.kubernetes.io/instance': `${c.app}-${c.env}` };
}

function image(c: AppContext): string {
  const r = c.rng;
  const base = `${r.pick(REGISTRIES)}/${r.pick(BASE_IMAGES)}`;
  const style = r.weighted([
    ['semver', 70],
    ['latest', 8],
    ['none', 3],
    ['digest', 12],
    ['sha-tag', 7],
  ] as const);
  switch (style) {
    case 'semver':
      return `${base}:${r.int(1, 16)}.${r.int(0, 30)}.${r.int(0, 12)}`;
    case 'latest':
      return `${base}:latest`;
    case 'none':
      return base;
    case 'digest':
      return `${base}@sha256:${r.hex(64)}`;
    case 'sha-tag':
      return `${base}:sha-${r.hex(7)}`;
  }
}

/** Obviously fake credentials, never real ones: every value says FAKE. */
function fakeCredential(c: AppContext): [string, string] {
  const r = c.rng;
  switch (r.int(0, 5)) {
    case 0:
      return ['AWS_ACCESS_KEY_ID', `AKIAFAKE${r.alnum(8).toUpperCase()}EXAMPLE`.slice(0, 20)];
    case 1:
      return ['AWS_SECRET_ACCESS_KEY', `FAKE/${r.alnum(20)}/NOT-A-REAL-KEY`];
    case 2:
      return ['DATABASE_PASSWORD', `fake-password-${r.alnum(10)}`];
    case 3:
      return ['API_TOKEN', `FAKE_TOKEN_${r.alnum(24)}`];
    case 4:
      return ['DATABASE_URL', `postgres://app:FAKE-${r.alnum(8)}@db.${c.namespace}.svc:5432/app`];
    default:
      return ['STRIPE_SECRET_KEY', `sk_test_FAKE${r.alnum(20)}`];
  }
}

function env(c: AppContext): Yaml[] {
  const r = c.rng;
  const list: Yaml[] = [
    { name: 'APP_ENV', value: c.env },
    { name: 'LOG_LEVEL', value: r.pick(['info', 'debug', 'warn']) },
  ];
  const n = Math.round(r.int(0, 10) * c.size);
  for (let i = 0; i < n; i++) {
    const kind = r.int(0, 9);
    if (kind < 5) list.push({ name: `${r.pick(['FEATURE', 'CACHE', 'HTTP', 'GRPC', 'QUEUE', 'DB', 'OTEL'])}_${r.pick(['TIMEOUT', 'ENABLED', 'SIZE', 'HOST', 'PORT', 'ENDPOINT', 'POOL'])}_${i}`, value: String(r.int(1, 5000)) });
    else if (kind < 7) list.push({ name: `SECRET_REF_${i}`, valueFrom: { secretKeyRef: { name: `${c.app}-secrets`, key: r.pick(['password', 'token', 'api-key', 'dsn']) } } });
    else if (kind < 8) list.push({ name: `CONFIG_${i}`, valueFrom: { configMapKeyRef: { name: `${c.app}-config`, key: 'settings' } } });
    else if (kind < 9) list.push({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    else list.push({ name: 'MEMORY_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } });
  }
  if (r.chance(0.06)) {
    const [k, v] = fakeCredential(c);
    list.push({ name: k, value: v });
  }
  return list;
}

function probe(c: AppContext, port: number): Yaml {
  const r = c.rng;
  const p: Record<string, Yaml> =
    r.chance(0.7)
      ? { httpGet: { path: r.pick(['/healthz', '/ready', '/livez', '/health']), port } }
      : r.chance(0.5)
        ? { tcpSocket: { port } }
        : { exec: { command: ['sh', '-c', 'test -f /tmp/healthy'] } };
  p.initialDelaySeconds = r.int(0, 30);
  p.periodSeconds = r.pick([5, 10, 15, 30]);
  if (r.chance(0.5)) p.timeoutSeconds = r.int(1, 5);
  if (r.chance(0.4)) p.failureThreshold = r.int(3, 6);
  return p;
}

interface PodFlavour {
  insecure: boolean;
}

function container(c: AppContext, name: string, flavour: PodFlavour, main: boolean): Record<string, Yaml> {
  const r = c.rng;
  const port = r.pick([8080, 8000, 3000, 9090, 5432, 6379, 80, 443]);
  const ct: Record<string, Yaml> = { name, image: image(c) };
  if (r.chance(0.6)) ct.imagePullPolicy = r.pick(['IfNotPresent', 'Always']);
  if (r.chance(0.2)) ct.args = ['--config=/etc/app/config.yaml', `--port=${port}`, `--log-level=${r.pick(['info', 'debug'])}`];
  if (main || r.chance(0.3)) ct.ports = [{ name: 'http', containerPort: port, protocol: 'TCP' }];
  if (flavour.insecure && main && r.chance(0.05)) (ct.ports as Yaml[]).push({ name: 'debug', containerPort: 9229, hostPort: 9229 });
  ct.env = env(c);
  if (r.chance(0.25)) ct.envFrom = [{ configMapRef: { name: `${c.app}-config` } }, ...(r.chance(0.3) ? [{ secretRef: { name: `${c.app}-secrets` } }] : [])];
  // resources: most set requests and limits, some miss limits, some miss everything
  const res = r.weighted([
    ['full', 68],
    ['requests-only', 18],
    ['none', 10],
    ['memory-only', 4],
  ] as const);
  const cpu = `${r.pick([50, 100, 250, 500, 1000])}m`;
  const mem = `${r.pick([64, 128, 256, 512, 1024, 2048])}Mi`;
  if (res === 'full') ct.resources = { requests: { cpu, memory: mem }, limits: { cpu: r.chance(0.5) ? cpu : `${r.int(1, 4)}`, memory: mem } };
  else if (res === 'requests-only') ct.resources = { requests: { cpu, memory: mem } };
  else if (res === 'memory-only') ct.resources = { limits: { memory: mem } };
  if (main && r.chance(0.8)) ct.livenessProbe = probe(c, port);
  if (main && r.chance(0.75)) ct.readinessProbe = probe(c, port);
  if (main && r.chance(0.15)) ct.startupProbe = probe(c, port);
  // security context: hardened, partial, absent or deliberately dangerous
  if (flavour.insecure) {
    const sc: Record<string, Yaml> = {};
    const bad = r.int(0, 7);
    if (bad === 0) sc.privileged = true;
    else if (bad === 1) sc.allowPrivilegeEscalation = true;
    else if (bad === 2) sc.capabilities = { add: [r.pick(['SYS_ADMIN', 'NET_ADMIN', 'NET_RAW', 'SYS_PTRACE'])] };
    else if (bad === 3) sc.runAsUser = 0;
    else if (bad === 4) sc.runAsNonRoot = false;
    else if (bad === 5) sc.readOnlyRootFilesystem = false;
    if (Object.keys(sc).length) ct.securityContext = sc;
  } else if (r.chance(0.7)) {
    ct.securityContext = {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: r.chance(0.8),
      runAsNonRoot: true,
      ...(r.chance(0.6) ? { runAsUser: r.int(1000, 65000) } : {}),
      capabilities: { drop: ['ALL'] },
      ...(r.chance(0.5) ? { seccompProfile: { type: 'RuntimeDefault' } } : {}),
    };
  }
  ct.volumeMounts = [{ name: 'config', mountPath: '/etc/app', readOnly: true }];
  if (r.chance(0.5)) (ct.volumeMounts as Yaml[]).push({ name: 'tmp', mountPath: '/tmp' });
  return ct;
}

function podSpec(c: AppContext, component: string, opts: { restartPolicy?: string; daemon?: boolean } = {}): { metadata: Yaml; spec: Record<string, Yaml> } {
  const r = c.rng;
  const insecure = r.chance(opts.daemon ? 0.35 : 0.12);
  const flavour = { insecure };
  const spec: Record<string, Yaml> = {};
  if (r.chance(0.75)) spec.serviceAccountName = r.chance(0.8) ? c.app : 'default';
  if (r.chance(0.15)) spec.automountServiceAccountToken = false;
  if (opts.restartPolicy) spec.restartPolicy = opts.restartPolicy;
  if (!insecure && r.chance(0.5)) spec.securityContext = { runAsNonRoot: true, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } };
  if (insecure || opts.daemon) {
    if (r.chance(opts.daemon ? 0.4 : 0.15)) spec.hostNetwork = true;
    if (r.chance(0.1)) spec.hostPID = true;
    if (r.chance(0.05)) spec.hostIPC = true;
  }
  if (r.chance(0.3)) spec.nodeSelector = { 'kubernetes.io/os': 'linux', ...(r.chance(0.3) ? { 'node.kubernetes.io/instance-type': r.pick(['m5.xlarge', 'c6i.2xlarge', 'r6g.large']) } : {}) };
  if (opts.daemon || r.chance(0.15)) spec.tolerations = [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }];
  if (r.chance(0.2 * c.size)) {
    spec.affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: selectorLabels(c) }, topologyKey: 'kubernetes.io/hostname' } },
        ],
      },
    };
  }
  if (r.chance(0.15)) spec.initContainers = [container(c, 'migrate', flavour, false)];
  const containers: Yaml[] = [container(c, c.app, flavour, true)];
  const sidecars = r.chance(0.3 * c.size) ? r.int(1, 2) : 0;
  for (let i = 0; i < sidecars; i++) containers.push(container(c, r.pick(['envoy', 'log-shipper', 'metrics-exporter', 'oauth-proxy']) + (i ? `-${i}` : ''), flavour, false));
  spec.containers = containers;
  const volumes: Yaml[] = [
    { name: 'config', configMap: { name: `${c.app}-config` } },
    { name: 'tmp', emptyDir: r.chance(0.5) ? { medium: 'Memory', sizeLimit: '64Mi' } : {} },
  ];
  if (r.chance(0.3)) volumes.push({ name: 'secrets', secret: { secretName: `${c.app}-secrets`, defaultMode: 0o400 } });
  if (insecure || opts.daemon) {
    if (r.chance(opts.daemon ? 0.6 : 0.3)) {
      const path = r.pick(['/var/run/docker.sock', '/run/containerd/containerd.sock', '/var/log', '/etc', '/proc', '/', '/var/lib/kubelet']);
      volumes.push({ name: 'host', hostPath: { path, ...(r.chance(0.5) ? { type: path.endsWith('.sock') ? 'Socket' : 'Directory' } : {}) } });
      ((containers[0] as Record<string, Yaml>).volumeMounts as Yaml[]).push({ name: 'host', mountPath: `/host${path === '/' ? '' : path}` });
    }
  }
  spec.volumes = volumes;
  const tmplMeta: Record<string, Yaml> = { labels: { ...selectorLabels(c), 'app.kubernetes.io/component': component } };
  if (r.chance(0.5)) tmplMeta.annotations = { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090', ...(r.chance(0.5) ? { 'checksum/config': r.hex(64) } : {}) };
  return { metadata: tmplMeta, spec };
}

function nameFor(c: AppContext, suffix = ''): string {
  // serial keeps names unique inside a namespace without hurting readability
  return `${c.app}${suffix}${c.serial ? `-${c.serial}` : ''}`;
}

function configData(c: AppContext): Record<string, string> {
  const r = c.rng;
  const d: Record<string, string> = {
    settings: `mode=${c.env}`,
    'LOG_FORMAT': 'json',
  };
  if (r.chance(0.6)) {
    const lines = ['server:', `  port: ${r.pick([8080, 3000])}`, `  readTimeout: ${r.int(5, 60)}s`, 'database:', `  host: db.${c.namespace}.svc.cluster.local`, `  pool: ${r.int(5, 50)}`, 'features:'];
    const n = Math.round(r.int(2, 12) * c.size);
    for (let i = 0; i < n; i++) lines.push(`  flag_${r.alnum(6)}: ${r.chance(0.5)}`);
    d['config.yaml'] = lines.join('\n') + '\n';
  }
  if (r.chance(0.2)) d['nginx.conf'] = `server {\n  listen 8080;\n  location / {\n    proxy_pass http://127.0.0.1:3000;\n  }\n}\n`;
  if (r.chance(0.04)) d.DB_PASSWORD = `fake-password-${r.alnum(10)}`; // a credential in a ConfigMap (FAKE)
  return d;
}

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

function make(kind: Kind, c: AppContext): Record<string, Yaml> {
  const r = c.rng;
  switch (kind) {
    case 'Deployment': {
      const t = podSpec(c, 'server');
      return {
        apiVersion: 'apps/v1',
        kind,
        metadata: metadata(c, nameFor(c), 'server'),
        spec: {
          replicas: r.pick([1, 2, 3, 3, 5, 10]),
          revisionHistoryLimit: 5,
          selector: { matchLabels: selectorLabels(c) },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
          template: t,
        },
      };
    }
    case 'StatefulSet': {
      const t = podSpec(c, 'database');
      return {
        apiVersion: 'apps/v1',
        kind,
        metadata: metadata(c, nameFor(c, '-db'), 'database'),
        spec: {
          serviceName: nameFor(c, '-db'),
          replicas: r.pick([1, 3]),
          selector: { matchLabels: selectorLabels(c) },
          template: t,
          volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'gp3', resources: { requests: { storage: `${r.pick([10, 50, 100])}Gi` } } } }],
        },
      };
    }
    case 'DaemonSet': {
      const t = podSpec(c, 'agent', { daemon: true });
      return {
        apiVersion: 'apps/v1',
        kind,
        metadata: metadata(c, nameFor(c, '-agent'), 'agent'),
        spec: { selector: { matchLabels: selectorLabels(c) }, updateStrategy: { type: 'RollingUpdate' }, template: t },
      };
    }
    case 'Job': {
      const t = podSpec(c, 'job', { restartPolicy: 'Never' });
      return {
        apiVersion: 'batch/v1',
        kind,
        metadata: metadata(c, nameFor(c, '-migrate'), 'job'),
        spec: { backoffLimit: r.int(0, 6), ttlSecondsAfterFinished: 3600, template: t },
      };
    }
    case 'CronJob': {
      const t = podSpec(c, 'cron', { restartPolicy: 'OnFailure' });
      return {
        apiVersion: 'batch/v1',
        kind,
        metadata: metadata(c, nameFor(c, '-cron'), 'cron'),
        spec: {
          schedule: `${r.int(0, 59)} ${r.pick(['*', '*/6', '2', '3'])} * * *`,
          concurrencyPolicy: 'Forbid',
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 1,
          jobTemplate: { spec: { backoffLimit: 2, template: t } },
        },
      };
    }
    case 'Service': {
      const type = r.weighted([
        ['ClusterIP', 80],
        ['LoadBalancer', 10],
        ['NodePort', 6],
        ['ExternalName', 1],
        ['Headless', 3],
      ] as const);
      const port = r.pick([80, 443, 8080, 9090]);
      const spec: Record<string, Yaml> = { selector: selectorLabels(c), ports: [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }] };
      if (type === 'Headless') {
        spec.clusterIP = 'None';
      } else if (type === 'ExternalName') {
        delete spec.selector;
        spec.type = 'ExternalName';
        spec.externalName = `${c.app}.${c.team}.example.com`;
      } else if (type !== 'ClusterIP') {
        spec.type = type;
        if (type === 'NodePort') (spec.ports as Record<string, Yaml>[])[0].nodePort = r.int(30000, 32767);
        if (type === 'LoadBalancer' && r.chance(0.5)) spec.loadBalancerSourceRanges = ['10.0.0.0/8'];
      }
      if (r.chance(0.3)) (spec.ports as Yaml[]).push({ name: 'metrics', port: 9090, targetPort: 9090 });
      return { apiVersion: 'v1', kind, metadata: metadata(c, nameFor(c), 'server'), spec };
    }
    case 'ConfigMap':
      return { apiVersion: 'v1', kind, metadata: metadata(c, nameFor(c, '-config'), 'config'), data: configData(c) };
    case 'Secret': {
      const data: Record<string, string> = { username: b64('app'), password: b64(`FAKE-${r.alnum(16)}`) };
      if (r.chance(0.4)) data.token = b64(`FAKE_TOKEN_${r.alnum(32)}`);
      if (r.chance(0.2)) data['tls.crt'] = b64(`-----BEGIN CERTIFICATE-----\nFAKE${r.alnum(60)}\n-----END CERTIFICATE-----\n`);
      const s: Record<string, Yaml> = { apiVersion: 'v1', kind, metadata: metadata(c, nameFor(c, '-secrets'), 'secret'), type: 'Opaque', data };
      if (r.chance(0.15)) s.stringData = { 'api-key': `FAKE-${r.alnum(24)}` };
      return s;
    }
    case 'ServiceAccount': {
      const sa: Record<string, Yaml> = { apiVersion: 'v1', kind, metadata: metadata(c, nameFor(c), 'identity') };
      if (r.chance(0.4)) sa.automountServiceAccountToken = false;
      if (r.chance(0.2)) (sa.metadata as Record<string, Yaml>).annotations = { 'eks.amazonaws.com/role-arn': `arn:aws:iam::123456789012:role/${c.app}-${c.env}` };
      return sa;
    }
    case 'Ingress': {
      const host = `${c.app}.${c.env}.example.com`;
      const ing: Record<string, Yaml> = {
        apiVersion: 'networking.k8s.io/v1',
        kind,
        metadata: metadata(c, nameFor(c), 'ingress'),
        spec: {
          ingressClassName: r.pick(['nginx', 'alb', 'traefik']),
          rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: nameFor(c), port: { number: 80 } } } }] } }],
        },
      };
      if (r.chance(0.75)) (ing.spec as Record<string, Yaml>).tls = [{ hosts: [host], secretName: `${c.app}-tls` }];
      return ing;
    }
    case 'NetworkPolicy': {
      const deny = r.chance(0.3);
      return {
        apiVersion: 'networking.k8s.io/v1',
        kind,
        metadata: metadata(c, deny ? `default-deny${c.serial ? `-${c.serial}` : ''}` : nameFor(c, '-allow'), 'network'),
        spec: deny
          ? { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }
          : {
              podSelector: { matchLabels: selectorLabels(c) },
              policyTypes: ['Ingress'],
              ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }, { podSelector: { matchLabels: { app: 'gateway' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
            },
      };
    }
    case 'HorizontalPodAutoscaler':
      return {
        apiVersion: 'autoscaling/v2',
        kind,
        metadata: metadata(c, nameFor(c), 'autoscaler'),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: nameFor(c) },
          minReplicas: r.int(2, 3),
          maxReplicas: r.int(4, 30),
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: r.pick([60, 70, 80]) } } }],
        },
      };
    case 'PodDisruptionBudget':
      return {
        apiVersion: 'policy/v1',
        kind,
        metadata: metadata(c, nameFor(c), 'availability'),
        spec: { ...(r.chance(0.5) ? { minAvailable: 1 } : { maxUnavailable: '25%' }), selector: { matchLabels: selectorLabels(c) } },
      };
    case 'Namespace': {
      const level = r.weighted([
        ['restricted', 40],
        ['baseline', 30],
        ['privileged', 10],
        ['none', 20],
      ] as const);
      const m = metadata(c, c.serial ? `${c.namespace}-${c.serial}` : c.namespace, 'namespace', false);
      if (level !== 'none') (m.labels as Record<string, string>)['pod-security.kubernetes.io/enforce'] = level;
      return { apiVersion: 'v1', kind, metadata: m };
    }
    case 'Role':
    case 'ClusterRole': {
      const cluster = kind === 'ClusterRole';
      const rules: Yaml[] = [
        { apiGroups: [''], resources: ['configmaps', 'pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] },
      ];
      const risky = r.int(0, 9);
      if (risky === 0) rules.push({ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] });
      else if (risky === 1) rules.push({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] });
      else if (risky === 2) rules.push({ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] });
      else if (risky === 3 && cluster) rules.push({ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterrolebindings'], verbs: ['create', 'bind', 'escalate'] });
      return {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind,
        metadata: metadata(c, cluster ? `${c.team}:${nameFor(c)}` : nameFor(c, '-reader'), 'rbac', !cluster),
        rules,
      };
    }
    case 'RoleBinding':
    case 'ClusterRoleBinding': {
      const cluster = kind === 'ClusterRoleBinding';
      const subjects: Yaml[] = [{ kind: 'ServiceAccount', name: nameFor(c), namespace: c.namespace }];
      if (r.chance(0.2)) subjects.push({ kind: 'Group', name: `${c.team}-developers`, apiGroup: 'rbac.authorization.k8s.io' });
      if (r.chance(0.02)) subjects.push({ kind: 'Group', name: 'system:authenticated', apiGroup: 'rbac.authorization.k8s.io' });
      const roleName = cluster ? (r.chance(0.1) ? 'cluster-admin' : `${c.team}:${nameFor(c)}`) : r.chance(0.2) ? 'edit' : nameFor(c, '-reader');
      return {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind,
        metadata: metadata(c, cluster ? `${c.team}:${nameFor(c)}` : nameFor(c, '-reader'), 'rbac', !cluster),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: cluster || roleName === 'edit' ? 'ClusterRole' : 'Role', name: roleName },
        subjects,
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Layout: how many documents go in each file, and which files go in which team directory

/** Documents per file: about a third single, the rest bundles; sums exactly to `resources`. */
export function documentsPerFile(resources: number, files: number, rng: Rng): number[] {
  if (files > resources) files = resources;
  const counts = new Array<number>(files).fill(1);
  let remaining = resources - files;
  if (remaining === 0) return counts;
  const weights = counts.map(() => (rng.chance(0.35) ? 0 : 0.2 + rng.next() * rng.next() * 3));
  let total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) {
    weights.fill(1);
    total = files;
  }
  let given = 0;
  for (let i = 0; i < files; i++) {
    const n = Math.floor((weights[i] / total) * remaining);
    counts[i] += n;
    given += n;
  }
  // the rounding remainder, spread over bundle files in order
  let i = 0;
  while (given < remaining) {
    if (weights[i % files] > 0) {
      counts[i % files]++;
      given++;
    }
    i++;
  }
  return counts;
}

export function generateCorpus(options: CorpusOptions): CorpusMeta {
  const { out, resources, files, seed, size } = options;
  if (!Number.isInteger(resources) || resources < 1) throw new Error('--resources must be a positive integer');
  if (!Number.isInteger(files) || files < 1) throw new Error('--files must be a positive integer');
  const rng = new Rng(seed);
  const counts = documentsPerFile(resources, files, rng);
  const filesPerTeam = 100;
  const teamCount = Math.max(1, Math.ceil(counts.length / filesPerTeam));
  mkdirSync(out, { recursive: true });
  // Clear what an earlier run generated (only its own directories), so that smaller corpora stay exact.
  for (const e of readdirSync(out, { withFileTypes: true })) {
    if ((e.isDirectory() && /^t\d{4}-/.test(e.name)) || e.name === META_FILE) rmSync(join(out, e.name), { recursive: true, force: true });
  }
  const kinds: Record<string, number> = {};
  const teams: CorpusTeamDir[] = [];
  let bytes = 0;
  let fileIndex = 0;
  for (let t = 0; t < teamCount; t++) {
    const team = TEAMS[t % TEAMS.length];
    const env = ENVS[Math.floor(t / TEAMS.length) % ENVS.length];
    const namespace = `${team}-${env}${t >= TEAMS.length * ENVS.length ? `-${Math.floor(t / (TEAMS.length * ENVS.length))}` : ''}`;
    const teamDir = `t${String(t).padStart(4, '0')}-${namespace}`;
    const record: CorpusTeamDir = { dir: teamDir, files: 0, resources: 0 };
    const end = Math.min(counts.length, fileIndex + filesPerTeam);
    let appSerial = 0;
    for (; fileIndex < end; fileIndex++) {
      const docs = counts[fileIndex];
      const app = `${rng.pick(APP_WORDS)}-${rng.pick(APP_WORDS)}-${appSerial++}`;
      const c: AppContext = { rng, team, namespace, env, app, size: SIZE_FACTOR[size], serial: 0 };
      const appDir = join(out, teamDir, app);
      mkdirSync(appDir, { recursive: true });
      const parts: string[] = [];
      let firstKind: Kind | undefined;
      const seen: Partial<Record<Kind, number>> = {};
      for (let d = 0; d < docs; d++) {
        const kind = rng.weighted(KIND_MIX);
        firstKind ??= kind;
        // the first object of each kind is named after the app (so a Service, an HPA and a PDB find
        // their Deployment); later ones get a suffix, keeping names unique inside the namespace
        c.serial = seen[kind] ?? 0;
        seen[kind] = c.serial + 1;
        kinds[kind] = (kinds[kind] ?? 0) + 1;
        const helm = rng.chance(0.3);
        const doc = toYaml(make(kind, c));
        parts.push(d === 0 ? (helm ? `# Source: ${app}/templates/${kind.toLowerCase()}.yaml\n` : '') + doc : `---\n${helm ? `# Source: ${app}/templates/${kind.toLowerCase()}.yaml\n` : ''}${doc}`);
      }
      const text = parts.join('');
      const fileName = docs === 1 ? `${(firstKind ?? 'resource').toLowerCase()}.yaml` : rng.chance(0.5) ? 'all.yaml' : `${app}.yml`;
      writeFileSync(join(appDir, fileName), text);
      bytes += Buffer.byteLength(text);
      record.files++;
      record.resources += docs;
    }
    teams.push(record);
  }
  const meta: CorpusMeta = { generator: CORPUS_GENERATOR_VERSION, resources: counts.reduce((a, b) => a + b, 0), files: counts.length, seed, size, bytes, kinds, teams };
  writeFileSync(join(out, META_FILE), JSON.stringify(meta, null, 2) + '\n');
  return meta;
}

/** The corpus already in `out`, if it was generated with exactly these options. */
export function existingCorpus(options: CorpusOptions): CorpusMeta | undefined {
  const file = join(options.out, META_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const meta = JSON.parse(readFileSync(file, 'utf8')) as CorpusMeta;
    if (meta.generator === CORPUS_GENERATOR_VERSION && meta.resources === options.resources && meta.files === Math.min(options.files, options.resources) && meta.seed === options.seed && meta.size === options.size) return meta;
  } catch {
    return undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Command line

export function parseCorpusArgs(argv: readonly string[]): CorpusOptions {
  const o: CorpusOptions = { out: '', resources: 100_000, files: 10_000, seed: 1, size: 'normal' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    const num = (): number => {
      const n = Number(String(v).replace(/_/g, ''));
      if (!Number.isInteger(n) || n < 1) throw new Error(`${a} needs a positive integer, not ${v}`);
      i++;
      return n;
    };
    if (a === '--out') {
      if (!v) throw new Error('--out needs a directory');
      o.out = v;
      i++;
    } else if (a === '--resources') o.resources = num();
    else if (a === '--files') o.files = num();
    else if (a === '--seed') o.seed = num();
    else if (a === '--size') {
      if (v !== 'small' && v !== 'normal' && v !== 'large') throw new Error('--size is small, normal or large');
      o.size = v;
      i++;
    } else if (a === '-h' || a === '--help') {
      throw new Error('usage');
    } else throw new Error(`unknown option ${a}`);
  }
  if (!o.out) throw new Error('--out DIR is required');
  return o;
}

const USAGE = `usage: node dist/bench/corpus.js --out DIR [--resources 100000] [--files 10000] [--seed 1] [--size small|normal|large]`;

function main(): void {
  let options: CorpusOptions;
  try {
    options = parseCorpusArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message === 'usage' ? '' : `corpus: ${(e as Error).message}\n`}${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const t0 = performance.now();
  const meta = generateCorpus(options);
  const s = (performance.now() - t0) / 1000;
  const mix = Object.entries(meta.kinds)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${((n / meta.resources) * 100).toFixed(1)}%`)
    .join(', ');
  process.stdout.write(
    `corpus: ${meta.resources} resources in ${meta.files} files (${meta.teams.length} team directories, ${(meta.bytes / 1048576).toFixed(1)} MiB) in ${options.out}, seed ${meta.seed}, size ${meta.size}, ${s.toFixed(1)} s\n` +
      `corpus: ${mix}\n`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
