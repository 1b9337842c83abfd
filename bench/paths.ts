// The `kubemoat paths` benchmark (issue 21): how long building the attack graph and searching it
// take beside gathering the findings it is built from, on two inputs:
//
// - manifests: the 100,000-resource corpus of bench/scan.ts (generated into the cache if missing);
//   gathering is load + analyse (the rules), as `kubemoat paths --manifests DIR` does;
// - live: a generated live-like cluster (10,000 running pods on 200 nodes, 2,000 RBAC objects,
//   Namespaces, Nodes, each node's KubeletConfiguration), turned into an Inventory as
//   src/sources/cluster/collect.ts does (cluster origin, pods and ReplicaSets folded into their
//   listed controller, running pods recorded), plus what `probe` would find on a few nodes'
//   kubelets. Gathering is analyse (the API time, 3.4-3.8 s for a cluster this size in
//   bench/cluster.ts, is not counted: the ratio printed is the harsher one).
//
// Then placementOf, buildGraph and findPaths, each timed apart; graph size, paths, doors; live heap
// after each phase and the process's peak RSS. Each input runs in its own process so that one's
// peak RSS is not the other's. Figures are printed, never asserted.
//
//   npx tsc -p tsconfig.json && node dist/bench/paths.js [--runs 3] [--only manifests|live]
//        [--corpus DIR] [--pods 10000] [--rbac 2000] [--nodes 200] [--namespaces 60] [--open-kubelets 8]
//        [--profile]   (also one `node --cpu-prof` run per input, summarised by bench/profile.ts)

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { JsonObject, JsonValue } from '../src/core/json.js';
import type { Finding } from '../src/core/finding.js';
import { analyse } from '../src/core/pipeline.js';
import { loadConfig } from '../src/core/config.js';
import { knownRuleIds } from '../src/cli/rule-ids.js';
import { catalogue } from '../src/rules/catalogue.js';
import { Inventory } from '../src/inventory/inventory.js';
import { toKubeObject, type KubeObject } from '../src/inventory/objects.js';
import { loadManifests } from '../src/sources/manifests/source.js';
import { recordRunningPods } from '../src/sources/cluster/collect.js';
import { KUBELET_CONFIG_API_VERSION } from '../src/sources/cluster/kubelet-config.js';
import { probeRules } from '../src/probe/rules/index.js';
import { runProbeRules } from '../src/probe/rule.js';
import type { ProbedEndpoint } from '../src/probe/model.js';
import { placementOf } from '../src/paths/placement.js';
import { buildGraph, findPaths } from '../src/paths/analyse.js';
import { existingCorpus, generateCorpus, type CorpusOptions } from './corpus.js';
import { median } from './measure.js';
import { formatProfile, readProfile, summariseProfile } from './profile.js';
import { seededRandom } from '../test/helpers/random.js';

const SELF = fileURLToPath(import.meta.url);

interface Options {
  runs: number;
  only?: 'manifests' | 'live';
  corpus: string;
  pods: number;
  rbac: number;
  nodes: number;
  namespaces: number;
  openKubelets: number;
  profile: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const cache = process.env.KUBEMOAT_BENCH_CACHE ?? '/var/cache/kubemoat-bench';
  const o: Options = { runs: 3, corpus: join(cache, 'corpus', 'r100000-f10000-s1-normal'), pods: 10_000, rbac: 2_000, nodes: 200, namespaces: 60, openKubelets: 8, profile: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    const num = (): number => {
      const n = Number(String(v).replace(/_/g, ''));
      if (!Number.isInteger(n) || n < 0) throw new Error(`${a} needs a whole number, not ${v}`);
      i++;
      return n;
    };
    if (a === '--runs') o.runs = Math.max(1, num());
    else if (a === '--only') {
      if (v !== 'manifests' && v !== 'live') throw new Error('--only is manifests or live');
      o.only = v;
      i++;
    } else if (a === '--corpus') {
      if (!v) throw new Error('--corpus needs a directory');
      o.corpus = v;
      i++;
    } else if (a === '--pods') o.pods = num();
    else if (a === '--rbac') o.rbac = num();
    else if (a === '--nodes') o.nodes = Math.max(1, num());
    else if (a === '--namespaces') o.namespaces = Math.max(1, num());
    else if (a === '--open-kubelets') o.openKubelets = num();
    else if (a === '--profile') o.profile = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// A live-like cluster, as the API server would list it

type Obj = { [k: string]: JsonValue };

interface LiveCluster {
  /** every object listed, in list order */
  objects: Obj[];
  /** uids of the objects collect.ts folds into their listed controller (pods and ReplicaSets) */
  owned: Set<string>;
  /** node name → its InternalIP */
  nodeIps: string[];
  counts: Record<string, number>;
}

const TIERS = ['web', 'api', 'worker', 'db', 'cache'];

function ref(kind: string, name: string, uid: string): Obj {
  return { apiVersion: kind === 'ReplicaSet' || kind === 'Deployment' || kind === 'StatefulSet' || kind === 'DaemonSet' ? 'apps/v1' : 'v1', kind, name, uid, controller: true, blockOwnerDeletion: true };
}

/** A pod template of one of four shapes; `risky` ones are what an escape or token theft needs. */
function podTemplate(r: () => number, app: string, tier: string, serviceAccount: string, risk: number): Obj {
  const container: Obj = {
    name: app,
    image: `registry.example.com/shop/${app}:1.${Math.floor(r() * 30)}.${Math.floor(r() * 9)}`,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    env: [
      { name: 'APP_NAME', value: app },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: `${app}-db`, key: 'password' } } },
    ],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    volumeMounts: [{ name: 'config', mountPath: '/etc/app' }],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
  const spec: Obj = {
    containers: [container],
    volumes: [{ name: 'config', configMap: { name: `${app}-config`, defaultMode: 420 } }],
    restartPolicy: 'Always',
    dnsPolicy: 'ClusterFirst',
    serviceAccountName: serviceAccount,
    serviceAccount,
    schedulerName: 'default-scheduler',
    terminationGracePeriodSeconds: 30,
    securityContext: {},
  };
  if (risk < 0.45) {
    container.securityContext = { runAsNonRoot: true, runAsUser: 10001, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
    spec.automountServiceAccountToken = false;
  } else if (risk < 0.92) {
    // defaults: the token is mounted, nothing else stands out
    if (r() < 0.3) container.securityContext = { allowPrivilegeEscalation: false };
  } else {
    const x = r();
    if (x < 0.3) container.securityContext = { privileged: true };
    else if (x < 0.5) container.securityContext = { capabilities: { add: ['SYS_ADMIN'] } };
    else if (x < 0.7) {
      (spec.volumes as JsonValue[]).push({ name: 'runtime', hostPath: { path: r() < 0.5 ? '/var/run/docker.sock' : '/run/containerd/containerd.sock', type: 'Socket' } });
      (container.volumeMounts as JsonValue[]).push({ name: 'runtime', mountPath: '/var/run/runtime.sock' });
    } else if (x < 0.85) {
      (spec.volumes as JsonValue[]).push({ name: 'host', hostPath: { path: '/', type: 'Directory' } });
      (container.volumeMounts as JsonValue[]).push({ name: 'host', mountPath: '/host' });
    } else spec.hostPID = true;
    if (r() < 0.2) (container.env as JsonValue[]).push({ name: 'AWS_SECRET_ACCESS_KEY', value: 'FAKE-bench-kubemoat-NOT-A-REAL-KEY/0000' });
  }
  return { metadata: { labels: { 'app.kubernetes.io/name': app, tier } }, spec };
}

/**
 * `pods` running pods (DaemonSets on every node first, the rest Deployments, StatefulSets and a few
 * bare pods), `rbac` RBAC objects, Namespaces (a third without Pod Security enforcement), Nodes and
 * their kubelets' configuration.
 */
export function generateLive(pods: number, rbac: number, nodeCount: number, namespaceCount: number, seed = 21): LiveCluster {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  let uidSeq = 0;
  const uid = (): string => `00000000-0000-4000-8000-${(uidSeq++).toString(16).padStart(12, '0')}`;
  const meta = (name: string, namespace?: string, extra: Obj = {}): Obj => ({ name, ...(namespace ? { namespace } : {}), uid: uid(), resourceVersion: String(1000 + uidSeq), creationTimestamp: '2026-12-01T08:00:00Z', ...extra });
  const objects: Obj[] = [];
  const owned = new Set<string>();
  const counts: Record<string, number> = {};
  const push = (o: Obj): void => {
    objects.push(o);
    const kind = String(o.kind);
    counts[kind] = (counts[kind] ?? 0) + 1;
  };

  const teamNamespaces = Array.from({ length: namespaceCount }, (_, i) => `team-${String(i).padStart(2, '0')}`);
  for (const ns of ['kube-system', 'kube-public', 'kube-node-lease', 'default', 'monitoring', 'logging', ...teamNamespaces]) {
    const labels: Obj = { 'kubernetes.io/metadata.name': ns };
    // a third of the team namespaces (and monitoring, logging) enforce no Pod Security Standard
    const enforced = ns.startsWith('team-') ? r() < 0.67 : ns.startsWith('kube-') || ns === 'default';
    if (enforced && ns.startsWith('team-')) labels['pod-security.kubernetes.io/enforce'] = r() < 0.5 ? 'restricted' : 'baseline';
    push({ apiVersion: 'v1', kind: 'Namespace', metadata: meta(ns, undefined, { labels }), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  }

  // Nodes and what each kubelet's /configz says: a few accept anonymous requests and authorize everything.
  const nodes: string[] = [];
  const nodeIps: string[] = [];
  for (let n = 0; n < nodeCount; n++) {
    const name = `node-${String(n).padStart(3, '0')}.eu-west-1.compute.internal`;
    const ip = `10.20.${Math.floor(n / 250)}.${(n % 250) + 4}`;
    nodes.push(name);
    nodeIps.push(ip);
    const addresses: JsonValue[] = [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }];
    if (n % 10 === 0) addresses.push({ type: 'ExternalIP', address: `203.0.113.${n % 250}` });
    push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: meta(name, undefined, { labels: { 'kubernetes.io/hostname': name, 'node.kubernetes.io/instance-type': 'm6i.2xlarge', ...(n < 3 ? { 'node-role.kubernetes.io/control-plane': '' } : {}) } }),
      spec: { podCIDR: `10.244.${n % 256}.0/24`, providerID: `aws:///eu-west-1a/i-0${n.toString(16).padStart(16, '0')}` },
      status: { addresses, nodeInfo: { kubeletVersion: 'v1.31.4', containerRuntimeVersion: 'containerd://1.7.24', osImage: 'Ubuntu 22.04.5 LTS' }, conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }
  const weakKubelet = (n: number): boolean => n % 50 === 7;
  nodes.forEach((name, n) => {
    push({
      apiVersion: KUBELET_CONFIG_API_VERSION,
      kind: 'KubeletConfiguration',
      metadata: { name },
      authentication: { anonymous: { enabled: weakKubelet(n) }, webhook: { enabled: true, cacheTTL: '2m0s' }, x509: { clientCAFile: '/etc/kubernetes/pki/ca.crt' } },
      authorization: { mode: weakKubelet(n) ? 'AlwaysAllow' : 'Webhook', webhook: { cacheAuthorizedTTL: '5m0s', cacheUnauthorizedTTL: '30s' } },
      readOnlyPort: 0,
      protectKernelDefaults: n % 3 === 0,
      serverTLSBootstrap: true,
      rotateCertificates: true,
      tlsCipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
    });
  });

  // Service accounts: `default` and 4-12 app accounts per namespace, some with automount off.
  const accounts = new Map<string, string[]>();
  for (const ns of ['kube-system', 'monitoring', 'logging', ...teamNamespaces]) {
    const names = ['default', ...Array.from({ length: 4 + Math.floor(r() * 9) }, (_, i) => `app-${i}`)];
    accounts.set(ns, names);
    for (const name of names) {
      const sa: Obj = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name, ns) };
      if (name !== 'default' && r() < 0.3) sa.automountServiceAccountToken = false;
      push(sa);
    }
  }

  // Running pods: place, then fold the way collect.ts will (pod → ReplicaSet → Deployment).
  let podSeq = 0;
  const runPod = (template: Obj, ns: string, name: string, owner: Obj | undefined, node: string | undefined): void => {
    const spec = structuredClone(template.spec as Obj);
    const running = node !== undefined;
    if (running) spec.nodeName = node;
    const m = meta(name, ns, { labels: (template.metadata as Obj).labels as Obj, ...(owner ? { ownerReferences: [owner] } : {}) });
    if (owner) owned.add(String(m.uid));
    const containers = (spec.containers as Obj[]).map((c) => ({ name: String(c.name), image: String(c.image), imageID: `${String(c.image).split(':')[0]}@sha256:${(podSeq * 2654435761 >>> 0).toString(16).padStart(64, '0')}`, ready: running, restartCount: 0 }));
    push({ apiVersion: 'v1', kind: 'Pod', metadata: m, spec, status: running ? { phase: 'Running', hostIP: nodeIps[nodes.indexOf(node)], podIP: `10.244.${podSeq % 256}.${(podSeq >> 8) % 250}`, containerStatuses: containers } : { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } });
    podSeq++;
  };
  // node agents: every node runs them, and they are the privileged part of a real cluster
  const agents: { name: string; ns: string; risk: number }[] = [
    { name: 'kube-proxy', ns: 'kube-system', risk: 0.95 },
    { name: 'node-exporter', ns: 'monitoring', risk: 0.99 },
    { name: 'fluent-bit', ns: 'logging', risk: 0.97 },
    { name: 'csi-node', ns: 'kube-system', risk: 0.6 },
  ];
  for (const a of agents) {
    if (podSeq + nodes.length > pods) break;
    const template = podTemplate(r, a.name, 'agent', pick(accounts.get(a.ns) ?? ['default']), a.risk);
    const ds: Obj = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta(a.name, a.ns), spec: { selector: { matchLabels: { 'app.kubernetes.io/name': a.name } }, template }, status: { desiredNumberScheduled: nodes.length } };
    push(ds);
    const owner = ref('DaemonSet', a.name, String((ds.metadata as Obj).uid));
    for (const node of nodes) runPod(template, a.ns, `${a.name}-${(podSeq * 40503 >>> 0).toString(36).slice(-5)}`, owner, node);
  }
  let app = 0;
  while (podSeq < pods) {
    const ns = teamNamespaces[app % teamNamespaces.length];
    const name = `${pick(['shop', 'cart', 'search', 'billing', 'auth', 'orders', 'ledger', 'media', 'notify', 'report'])}-${app}`;
    const tier = TIERS[app % TIERS.length];
    const template = podTemplate(r, name, tier, r() < 0.5 ? 'default' : pick(accounts.get(ns) ?? ['default']), r());
    const replicas = Math.min(pods - podSeq, 1 + Math.floor(r() * r() * 10));
    const where = (): string | undefined => (r() < 0.98 ? nodes[3 + Math.floor(r() * (nodes.length - 3))] ?? nodes[0] : undefined);
    const x = r();
    if (x < 0.88) {
      const deploy: Obj = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(name, ns, { annotations: { 'deployment.kubernetes.io/revision': '3' } }), spec: { replicas, selector: { matchLabels: { 'app.kubernetes.io/name': name } }, template, strategy: { type: 'RollingUpdate' } }, status: { replicas, readyReplicas: replicas } };
      push(deploy);
      const deployRef = ref('Deployment', name, String((deploy.metadata as Obj).uid));
      // the current ReplicaSet and an old, scaled-down one
      let current: Obj | undefined;
      for (const [hash, count] of [[(app * 7919).toString(36), replicas], [(app * 104729).toString(36), 0]] as const) {
        const rs: Obj = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta(`${name}-${hash}`, ns, { ownerReferences: [deployRef] }), spec: { replicas: count, selector: { matchLabels: { 'app.kubernetes.io/name': name, 'pod-template-hash': hash } }, template }, status: { replicas: count } };
        owned.add(String((rs.metadata as Obj).uid));
        push(rs);
        current ??= rs;
      }
      const rsMeta = (current as Obj).metadata as Obj;
      const rsRef = ref('ReplicaSet', String(rsMeta.name), String(rsMeta.uid));
      for (let k = 0; k < replicas; k++) runPod(template, ns, `${String(rsMeta.name)}-${(podSeq * 40503 >>> 0).toString(36).slice(-5)}`, rsRef, where());
    } else if (x < 0.97) {
      const sts: Obj = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta(name, ns), spec: { replicas, serviceName: name, selector: { matchLabels: { 'app.kubernetes.io/name': name } }, template }, status: { replicas } };
      push(sts);
      const owner = ref('StatefulSet', name, String((sts.metadata as Obj).uid));
      for (let k = 0; k < replicas; k++) runPod(template, ns, `${name}-${k}`, owner, where());
    } else {
      runPod(template, ns, `${name}-debug`, undefined, where());
    }
    app++;
  }

  // RBAC: the built-in roles, then `rbac` objects of the shapes a platform grows.
  const rbacObj = (kind: string, name: string, ns: string | undefined, body: Obj): Obj => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: meta(name, ns), ...body });
  const builtin: [string, JsonValue[]][] = [
    ['cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]],
    ['admin', [{ apiGroups: [''], resources: ['pods', 'pods/exec', 'pods/attach', 'secrets', 'serviceaccounts', 'configmaps', 'services'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }, { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }]],
    ['edit', [{ apiGroups: [''], resources: ['pods', 'pods/exec', 'pods/attach', 'secrets', 'configmaps', 'services'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }, { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] }]],
    ['view', [{ apiGroups: ['', 'apps', 'batch'], resources: ['pods', 'services', 'configmaps', 'deployments', 'replicasets', 'jobs'], verbs: ['get', 'list', 'watch'] }]],
  ];
  for (const [name, rules] of builtin) push(rbacObj('ClusterRole', name, undefined, { rules }));
  const harmless: JsonValue[][] = [
    [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
    [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }],
    [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] }, { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] }],
    [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['app-config'], verbs: ['get', 'update'] }],
  ];
  const risky: JsonValue[][] = [
    [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }, { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
    [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }],
    [{ apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'get'] }],
    [{ apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] }],
    [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles', 'roles'], verbs: ['escalate', 'bind'] }],
    [{ apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get', 'create'] }],
    [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
  ];
  const rules = (): JsonValue[] => (r() < 0.8 ? pick(harmless) : pick(risky));
  const subject = (ns: string): Obj => {
    const x = r();
    if (x < 0.7) return { kind: 'ServiceAccount', name: pick(accounts.get(ns) ?? ['default']), namespace: ns };
    if (x < 0.88) return { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: `dev-${Math.floor(r() * 300)}@example.com` };
    return { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: `${ns}-devs` };
  };
  const rbacNamespaces = ['kube-system', 'monitoring', 'logging', ...teamNamespaces];
  const nRole = Math.round(rbac * 0.35);
  const nCr = Math.round(rbac * 0.12);
  const nCrb = Math.round(rbac * 0.13);
  const nRb = Math.max(0, rbac - nRole - nCr - nCrb);
  const roles: { ns: string; name: string }[] = [];
  for (let j = 0; j < nRole; j++) {
    const ns = rbacNamespaces[j % rbacNamespaces.length];
    const name = `role-${j}`;
    roles.push({ ns, name });
    push(rbacObj('Role', name, ns, { rules: rules() }));
  }
  const clusterRoles: string[] = [];
  for (let j = 0; j < nCr; j++) {
    const name = `platform:role-${j}`;
    clusterRoles.push(name);
    push(rbacObj('ClusterRole', name, undefined, { rules: rules() }));
  }
  for (let j = 0; j < nRb; j++) {
    const x = r();
    const own = roles[Math.floor(r() * roles.length)];
    const ns = x < 0.6 && own ? own.ns : rbacNamespaces[j % rbacNamespaces.length];
    const roleRef = x < 0.6 && own ? { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: own.name } : { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: x < 0.85 ? pick(['view', 'edit', 'admin']) : pick(clusterRoles.length ? clusterRoles : ['view']) };
    push(rbacObj('RoleBinding', `rb-${j}`, ns, { roleRef, subjects: Array.from({ length: 1 + Math.floor(r() * 3) }, () => subject(ns)) }));
  }
  for (let j = 0; j < nCrb; j++) {
    const ns = pick(rbacNamespaces);
    // a few bindings to cluster-admin (a CI deployer, an operator, an old admin group)
    const roleName = j % 60 === 0 ? 'cluster-admin' : j % 9 === 0 ? 'view' : pick(clusterRoles.length ? clusterRoles : ['view']);
    push(rbacObj('ClusterRoleBinding', `platform:crb-${j}`, undefined, { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects: [subject(ns)] }));
  }

  // NetworkPolicies: a default deny in some namespaces, egress to the world (metadata included) in others.
  teamNamespaces.forEach((ns, i) => {
    if (i % 3 === 0) push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('default-deny', ns), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
    else if (i % 3 === 1) push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('egress-world', ns), spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] } });
  });
  return { objects, owned, nodeIps, counts };
}

/** The inventory collect.ts would build from these lists (no API: the objects are already here). */
function liveInventory(cluster: LiveCluster): Inventory {
  const objects: KubeObject[] = [];
  for (const raw of cluster.objects) {
    const o = toKubeObject(raw as JsonObject, { type: 'cluster', context: 'bench-paths' });
    if (o) objects.push(o);
  }
  const inventory = new Inventory();
  for (const o of objects) if (!cluster.owned.has(String((o.raw.metadata as Obj).uid))) inventory.add(o);
  recordRunningPods(inventory, objects);
  return inventory;
}

/** What `paths` finds probing the nodes' kubelets: the probe rules on endpoints shaped like their examples. */
function probeFindings(nodeIps: readonly string[], open: number): Finding[] {
  const endpoints: ProbedEndpoint[] = [];
  const step = Math.max(1, Math.floor(nodeIps.length / Math.max(1, open)));
  for (const rule of probeRules.filter((p) => p.meta.id === 'KM-EX-002' || p.meta.id === 'KM-EX-001')) {
    const shape = rule.examples.fail[0];
    // kubelets that run commands for anyone on `open` nodes; half of them also list their pods
    const count = rule.meta.id === 'KM-EX-002' ? open : Math.ceil(open / 2);
    for (let k = 0; k < count && k * step < nodeIps.length; k++) endpoints.push({ ...shape, host: nodeIps[k * step + 1] ?? nodeIps[k * step], identifiedBy: 'bench' });
  }
  // each endpoint goes to every rule, as runProbeRules does in `paths`; only the rule whose shape it is reports
  return runProbeRules(endpoints, probeRules).findings;
}

// ---------------------------------------------------------------------------------------------
// One input, timed phase by phase (in its own process)

interface Phase {
  name: string;
  ms: number[];
  /** CPU of the process (main thread, GC helpers, the parse worker while loading): on a loaded machine wall time mostly measures the load */
  cpuMs: number[];
  /** live heap after the phase (after a full GC when run with --expose-gc), first run */
  heapMiB?: number;
}

interface Result {
  input: string;
  load1: number;
  resources: number;
  findings: number;
  probeFindings: number;
  phases: Phase[];
  vertices: number;
  edges: number;
  paths: number;
  doors: number;
  doorsWithCuts: number;
  findingsUsed: number;
  byEntry: Record<string, number>;
  peakRssMiB: number;
  /** after the first run only: later runs add the garbage of the ones before */
  firstRunPeakRssMiB: number;
  gcExposed: boolean;
}

type Gc = () => void;

async function inner(which: 'manifests' | 'live', o: Options): Promise<Result> {
  const gc = (globalThis as { gc?: Gc }).gc;
  const config = loadConfig(undefined, knownRuleIds(), '/nonexistent-kubemoat-bench');
  const phases = new Map<string, Phase>();
  const rec = (name: string, ms: number, cpuMs: number, run: number): void => {
    let p = phases.get(name);
    if (p === undefined) phases.set(name, (p = { name, ms: [], cpuMs: [] }));
    p.ms.push(ms);
    p.cpuMs.push(cpuMs);
    // heap outside the timed part: the next phase starts without the last one's garbage
    gc?.();
    if (run === 0) p.heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
  };
  const timed = async <T>(name: string, run: number, f: () => T | Promise<T>): Promise<T> => {
    const t = performance.now();
    const c = process.cpuUsage();
    const v = await f();
    const used = process.cpuUsage(c);
    rec(name, performance.now() - t, (used.user + used.system) / 1000, run);
    return v;
  };
  let last: Omit<Result, 'input' | 'load1' | 'phases' | 'peakRssMiB' | 'firstRunPeakRssMiB' | 'gcExposed'> | undefined;
  let firstRunPeakRssMiB = 0;
  const load1 = loadavg()[0];
  for (let run = 0; run < o.runs; run++) {
    let inventory: Inventory;
    let findings: Finding[];
    let probe: Finding[] = [];
    if (which === 'manifests') {
      const load = await timed('load (read, parse, inventory)', run, () => loadManifests([o.corpus], {}));
      inventory = load.inventory;
      // as `paths --manifests` gathers: every severity, suppressed findings included
      const report = await timed('analyse (rules)', run, () => analyse(inventory, { type: 'manifests', paths: [o.corpus] }, load.coverage, new Date(), { rules: catalogue, config, minimumSeverity: 'info' }));
      findings = [...report.findings, ...report.suppressed];
    } else {
      // generating the objects stands in for the API lists: not timed
      const cluster = generateLive(o.pods, o.rbac, o.nodes, o.namespaces);
      if (run === 0) process.stderr.write(`live: ${Object.entries(cluster.counts).map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
      gc?.();
      inventory = await timed('inventory (fold, running pods)', run, () => liveInventory(cluster));
      const report = await timed('analyse (rules)', run, () => analyse(inventory, { type: 'cluster', context: 'bench-paths' }, [], new Date(), { rules: catalogue, config, minimumSeverity: 'info' }));
      probe = probeFindings(cluster.nodeIps, o.openKubelets);
      findings = [...report.findings, ...report.suppressed, ...probe];
    }
    const placement = await timed('placementOf', run, () => placementOf(inventory, which === 'live'));
    const graph = await timed('buildGraph', run, () => buildGraph(findings, placement));
    const analysis = await timed('findPaths (search, doors)', run, () => findPaths(graph, { perPair: 5 }));
    const byEntry: Record<string, number> = {};
    for (const p of analysis.paths) byEntry[p.from] = (byEntry[p.from] ?? 0) + 1;
    last = {
      resources: inventory.objects.length,
      findings: findings.length,
      probeFindings: probe.length,
      vertices: analysis.stats.vertices,
      edges: analysis.stats.edges,
      paths: analysis.paths.length,
      doors: analysis.doors.filter((d) => d.paths > 0).length,
      doorsWithCuts: analysis.doors.filter((d) => d.cuts > 0).length,
      findingsUsed: analysis.stats.findingsUsed,
      byEntry,
    };
    if (run === 0) firstRunPeakRssMiB = process.resourceUsage().maxRSS / 1024;
  }
  if (last === undefined) throw new Error('no run');
  return { input: which, load1, phases: [...phases.values()], peakRssMiB: process.resourceUsage().maxRSS / 1024, firstRunPeakRssMiB, gcExposed: gc !== undefined, ...last };
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (n: number): string => n.toLocaleString('en-US');
const secs = (ms: number): string => (ms / 1000).toFixed(ms < 100 ? 3 : 2);

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r, i) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ') + (i === 0 ? `\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : '')).join('\n');
}

function describe(r: Result): string {
  const rows = [['phase', 'median s', 'min s', 'max s', 'median CPU s', 'live heap after']];
  for (const p of r.phases) rows.push([p.name, secs(median(p.ms)), secs(Math.min(...p.ms)), secs(Math.max(...p.ms)), secs(median(p.cpuMs)), p.heapMiB !== undefined ? `${p.heapMiB.toFixed(0)} MiB` : '—']);
  const of = (name: string, cpu = false): number => {
    const p = r.phases.find((x) => x.name.startsWith(name));
    return p ? median(cpu ? p.cpuMs : p.ms) : 0;
  };
  const isGathering = (p: Phase): boolean => p.name.startsWith('load') || p.name.startsWith('inventory') || p.name.startsWith('analyse');
  const gathering = r.phases.filter(isGathering).reduce((a, p) => a + median(p.ms), 0);
  const rules = of('analyse');
  const graphAndSearch = of('buildGraph') + of('findPaths');
  const withPlacement = graphAndSearch + of('placementOf');
  const cpuGathering = r.phases.filter(isGathering).reduce((a, p) => a + median(p.cpuMs), 0);
  const cpuSearch = of('buildGraph', true) + of('findPaths', true);
  const lines = [
    `${r.input}: ${fmt(r.resources)} objects in the inventory, ${fmt(r.findings)} findings${r.probeFindings ? ` (${fmt(r.probeFindings)} of them from probed kubelets)` : ''}; load average ${r.load1.toFixed(1)} at start`,
    table(rows),
    `graph: ${fmt(r.vertices)} vertices, ${fmt(r.edges)} edges, ${fmt(r.findingsUsed)} findings on edges; ${fmt(r.paths)} paths (${Object.entries(r.byEntry).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}); ${r.doors} doors on paths, ${r.doorsWithCuts} of them cut a path`,
    `graph + search ${secs(graphAndSearch)} s = ${((graphAndSearch / rules) * 100).toFixed(1)} % of analyse, ${((graphAndSearch / gathering) * 100).toFixed(1)} % of gathering (${secs(gathering)} s); with placementOf ${secs(withPlacement)} s = ${((withPlacement / rules) * 100).toFixed(1)} % of analyse`,
    `in CPU time: graph + search ${secs(cpuSearch)} s = ${((cpuSearch / of('analyse', true)) * 100).toFixed(1)} % of analyse, ${((cpuSearch / cpuGathering) * 100).toFixed(1)} % of gathering (${secs(cpuGathering)} CPU s)`,
    `peak RSS ${r.firstRunPeakRssMiB.toFixed(0)} MiB after the first run, ${r.peakRssMiB.toFixed(0)} MiB after all${r.gcExposed ? '' : ' (heap figures are not after a full GC: run with --expose-gc)'}`,
  ];
  return lines.join('\n');
}

function runChild(which: 'manifests' | 'live', argv: readonly string[], nodeFlags: readonly string[]): Result {
  const child = spawnSync(process.execPath, [...nodeFlags, '--expose-gc', SELF, '--inner', which, ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 2 ** 20 });
  if (child.status !== 0) throw new Error(`${which}: the child exited with ${child.status ?? child.signal}`);
  const line = child.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as Result;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const innerAt = argv.indexOf('--inner');
  if (innerAt >= 0) {
    const which = argv[innerAt + 1];
    if (which !== 'manifests' && which !== 'live') throw new Error('--inner manifests|live');
    const rest = argv.filter((_, i) => i !== innerAt && i !== innerAt + 1);
    process.stdout.write(`${JSON.stringify(await inner(which, parseArgs(rest)))}\n`);
    return;
  }
  const o = parseArgs(argv);
  const inputs = o.only ? [o.only] : (['manifests', 'live'] as const);
  process.stdout.write(`paths bench: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, ${o.runs} runs per input, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  if (inputs.includes('manifests')) {
    const corpus: CorpusOptions = { out: o.corpus, resources: 100_000, files: 10_000, seed: 1, size: 'normal' };
    if (existingCorpus(corpus) === undefined && readdirSafe(o.corpus).length === 0) {
      process.stdout.write(`corpus: generating ${o.corpus}\n`);
      generateCorpus(corpus);
    }
  }
  for (const which of inputs) {
    const result = runChild(which, argv, []);
    process.stdout.write(`\n${describe(result)}\n`);
    if (o.profile) {
      const dir = mkdtempSync(join(tmpdir(), `kubemoat-paths-prof-${which}-`));
      runChild(which, [...argv.filter((a) => a !== '--profile'), '--runs', '1'], ['--cpu-prof', '--cpu-prof-dir', dir]);
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      if (file) process.stdout.write(`\nprofile of one ${which} run (${join(dir, file)}):\n${formatProfile(summariseProfile(readProfile(join(dir, file)), 20))}`);
    }
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    process.stderr.write(`paths bench: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
