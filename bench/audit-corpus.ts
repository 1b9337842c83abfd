// A realistic audit log for the detect benchmark: seeded and deterministic, shaped like the events
// the lab's API server (v1.37.2) writes with its audit policy (Metadata for most reads, Request for
// workload writes with the full pod spec, RequestResponse for RBAC, ResponseStarted + ResponseComplete
// for watches and execs). The mix follows a busy cluster: mostly the control plane (controllers,
// kubelets, scheduler, the API server itself), then people and CI with kubectl, a few writes with
// bodies, and a sprinkle of attacks (about 1 event in 2,000).
//
//   node dist/bench/audit-corpus.js --out /tmp/audit.log [--events 1000000] [--seed 1]

import { createWriteStream } from 'node:fs';
import type { JsonObject } from '../src/core/json.js';
import { seededRandom } from '../test/helpers/random.js';
import { auditEvent, busybox, podBody, APISERVER, ADMIN, ANONYMOUS, CONTROLLER_MANAGER, DEV, KUBELET, SCHEDULER, controllerSA, podSA, type ExampleUser, type ExampleEvent } from '../src/detect/rules/examples.js';

const NAMESPACES = ['shop', 'payments', 'search', 'auth', 'monitoring', 'ingress-nginx', 'batch', 'data', 'web', 'api'];
const CONTROLLERS = ['replicaset-controller', 'deployment-controller', 'endpointslice-controller', 'namespace-controller', 'generic-garbage-collector', 'daemon-set-controller', 'job-controller', 'statefulset-controller', 'resourcequota-controller', 'disruption-controller'];
const RESOURCES = ['pods', 'services', 'endpoints', 'configmaps', 'deployments', 'replicasets', 'nodes', 'namespaces', 'serviceaccounts', 'persistentvolumeclaims'];
const NODES = Array.from({ length: 50 }, (_, i) => ({ username: `system:node:node-${i}`, groups: ['system:nodes', 'system:authenticated'], userAgent: 'kubelet/v1.37.2 (linux/amd64) kubernetes/$Format' }));
const CI = podSA('ci', 'deployer', undefined, 'argocd-application-controller/v0.0.0 (linux/amd64) kubernetes/$Format');

export interface CorpusOptions {
  events: number;
  seed: number;
}

function hex(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rand() * 16)];
  return s;
}

/** Yields the events' JSON lines in time order (one event every ~50 µs of cluster time). */
export function* auditCorpus(opts: CorpusOptions): Generator<string> {
  const rand = seededRandom(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  let at = 0;
  let n = 0;
  const id = (): string => `${hex(rand, 8)}-${hex(rand, 4)}-4${hex(rand, 3)}-a${hex(rand, 3)}-${hex(rand, 12)}`;
  const ev = (p: ExampleEvent): string => {
    n++;
    return JSON.stringify(auditEvent({ auditID: id(), at, ...p }));
  };
  const podSpec = (i: number): JsonObject => ({
    serviceAccountName: 'default',
    containers: [busybox({ name: `app-${i}`, image: `registry.example.com/team/app-${i % 40}:1.${i % 9}.0`, ports: [{ containerPort: 8080 }], env: [{ name: 'LOG_LEVEL', value: 'info' }], resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } }, securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } })],
  });
  while (n < opts.events) {
    at += 0.00005;
    const r = rand();
    const ns = pick(NAMESPACES);
    const name = `${pick(['web', 'api', 'worker', 'cache', 'db'])}-${hex(rand, 5)}`;
    if (r < 0.3) {
      const res = pick(RESOURCES);
      const verb = pick(['get', 'list', 'update', 'get', 'list']);
      yield ev({ verb, uri: `/api/v1/namespaces/${ns}/${res}${verb === 'list' ? '' : `/${name}`}`, resource: res, namespace: ns, name: verb === 'list' ? undefined : name, user: controllerSA(pick(CONTROLLERS)), code: 200 });
    } else if (r < 0.5) {
      const node = pick(NODES);
      const k = rand();
      if (k < 0.4) yield ev({ verb: 'patch', uri: `/api/v1/namespaces/${ns}/pods/${name}/status`, resource: 'pods', subresource: 'status', namespace: ns, name, user: node });
      else if (k < 0.7) yield ev({ verb: 'get', uri: `/api/v1/nodes/${node.username.slice(12)}`, resource: 'nodes', name: node.username.slice(12), user: node });
      else if (k < 0.85) yield ev({ verb: 'get', uri: `/api/v1/namespaces/${ns}/secrets/${name}-tls`, resource: 'secrets', namespace: ns, name: `${name}-tls`, user: node });
      else yield ev({ verb: 'create', uri: `/api/v1/namespaces/${ns}/serviceaccounts/default/token`, resource: 'serviceaccounts', subresource: 'token', namespace: ns, name: 'default', user: node, code: 201 });
    } else if (r < 0.6) {
      if (rand() < 0.5) yield ev({ verb: 'create', uri: `/api/v1/namespaces/${ns}/pods/${name}/binding`, resource: 'pods', subresource: 'binding', namespace: ns, name, user: SCHEDULER, code: 201 });
      else yield ev({ verb: 'get', uri: `/api/v1/namespaces/${ns}/pods/${name}`, resource: 'pods', namespace: ns, name, user: SCHEDULER });
    } else if (r < 0.7) {
      yield ev({ verb: 'get', uri: `/api/v1/namespaces/${ns}/endpoints/kubernetes`, resource: 'endpoints', namespace: ns, name: 'kubernetes', user: rand() < 0.5 ? APISERVER : CONTROLLER_MANAGER });
    } else if (r < 0.85) {
      const res = pick(['pods', 'deployments', 'services', 'configmaps', 'events']);
      const u = Math.floor(rand() * 300);
      const user: ExampleUser = u === 0 ? ADMIN : u === 1 ? DEV : { ...DEV, username: `user-${u}@example.com` };
      const denied = rand() < 0.002;
      yield ev({ verb: pick(['get', 'list']), uri: `/api/v1/namespaces/${ns}/${res}?limit=500`, resource: res, namespace: ns, user, code: denied ? 403 : 200 });
    } else if (r < 0.9) {
      const i = Math.floor(rand() * 1000);
      if (rand() < 0.5) {
        yield ev({ verb: 'create', code: 201, uri: `/api/v1/namespaces/${ns}/pods`, resource: 'pods', namespace: ns, name, user: controllerSA('replicaset-controller'), requestObject: podBody(name, ns, podSpec(i)) });
      } else {
        const dep = `app-${i % 40}`;
        yield ev({
          verb: 'patch', uri: `/apis/apps/v1/namespaces/${ns}/deployments/${dep}?fieldManager=argocd-controller`, resource: 'deployments', apiGroup: 'apps', namespace: ns, name: dep, user: CI,
          requestObject: { spec: { replicas: 3, template: { metadata: { labels: { app: dep }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-23T16:00:00Z' } }, spec: podSpec(i) } } },
        });
      }
    } else if (r < 0.93) {
      const body = { kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: `${ns}-view`, namespace: ns }, subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: `${ns}-team` }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' } };
      yield ev({ verb: pick(['get', 'update']), level: 'RequestResponse', uri: `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings/${ns}-view`, resource: 'rolebindings', apiGroup: 'rbac.authorization.k8s.io', namespace: ns, name: `${ns}-view`, user: CI, requestObject: body, responseObject: body });
    } else if (r < 0.98) {
      const auditID = id();
      const res = pick(RESOURCES);
      const who = rand() < 0.5 ? controllerSA(pick(CONTROLLERS)) : pick(NODES);
      n++;
      yield JSON.stringify(auditEvent({ auditID, at, verb: 'watch', stage: 'ResponseStarted', uri: `/api/v1/${res}?allowWatchBookmarks=true&resourceVersion=${Math.floor(rand() * 1e6)}&timeout=9m&watch=true`, resource: res, user: who }));
      if (n < opts.events) yield ev({ auditID, verb: 'watch', uri: `/api/v1/${res}?allowWatchBookmarks=true&watch=true`, resource: res, user: who });
    } else if (r < 0.9995) {
      yield ev({ verb: 'get', uri: `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`, resource: 'leases', apiGroup: 'coordination.k8s.io', namespace: 'kube-system', name, user: CONTROLLER_MANAGER });
    } else {
      // attacks: exec, a privileged pod, an anonymous read, a cluster-admin binding, a scripted client
      const k = Math.floor(rand() * 5);
      if (k === 0) yield ev({ verb: 'get', stage: 'ResponseStarted', code: 101, level: 'Request', uri: `/api/v1/namespaces/${ns}/pods/${name}/exec?command=sh&container=app&stdin=true&stdout=true&tty=true`, resource: 'pods', subresource: 'exec', namespace: ns, name, user: DEV });
      else if (k === 1) yield ev({ verb: 'create', code: 201, uri: `/api/v1/namespaces/${ns}/pods`, resource: 'pods', namespace: ns, name, user: DEV, requestObject: podBody(name, ns, { hostPID: true, containers: [busybox({ securityContext: { privileged: true } })] }) });
      else if (k === 2) yield ev({ verb: 'list', uri: `/api/v1/namespaces/${ns}/secrets`, resource: 'secrets', namespace: ns, user: ANONYMOUS });
      else if (k === 3) {
        const body = { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: `${name}-admin` }, subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: ns }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' } };
        yield ev({ verb: 'create', code: 201, level: 'RequestResponse', uri: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', resource: 'clusterrolebindings', apiGroup: 'rbac.authorization.k8s.io', name: `${name}-admin`, user: DEV, requestObject: body, responseObject: body });
      } else yield ev({ verb: 'get', uri: `/api/v1/namespaces/${ns}/pods`, resource: 'pods', namespace: ns, user: podSA(ns, 'default', name, 'python-requests/2.31.0') });
    }
  }
}

export async function writeCorpus(path: string, opts: CorpusOptions): Promise<{ events: number; bytes: number }> {
  const out = createWriteStream(path);
  let bytes = 0;
  let events = 0;
  let batch: string[] = [];
  const flush = async (): Promise<void> => {
    const text = batch.join('\n') + '\n';
    batch = [];
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  for (const line of auditCorpus(opts)) {
    batch.push(line);
    events++;
    if (batch.length >= 5000) await flush();
  }
  if (batch.length) await flush();
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return { events, bytes };
}

if (process.argv[1]?.endsWith('audit-corpus.js')) {
  const arg = (name: string, dflt: string): string => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const out = arg('out', '');
  if (!out) {
    process.stderr.write('usage: node dist/bench/audit-corpus.js --out FILE [--events N] [--seed S]\n');
    process.exit(2);
  }
  const r = await writeCorpus(out, { events: Number(arg('events', '1000000')), seed: Number(arg('seed', '1')) });
  process.stdout.write(`${out}: ${r.events} events, ${(r.bytes / 1e6).toFixed(1)} MB\n`);
}
