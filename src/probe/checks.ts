// The read-only questions asked of each kind of endpoint once it is recognised. Each answer is
// kept as an Observation (status, counts, redacted samples); the rules decide what it means.
// Nothing here prints or keeps a secret's value: bodies are parsed, counted and dropped.

import { randomBytes } from 'node:crypto';
import { detectSecret } from '../rules/secrets-detect.js';
import { bodyText, isRecord, kubeStatus, observe, parseJson, request, type ProbeIo } from './fingerprint.js';
import type { Observation, ProbedEndpoint } from './model.js';
import type { HttpResult } from './net.js';

/** /pods of a busy node runs to megabytes; more than this is cut and counted as far as it goes. */
const PODS_LIMIT = 32 * 1024 * 1024;
const NONEXISTENT_NAMESPACE = 'kubemoat-probe-nonexistent';

export interface CheckOptions {
  /** prove impact: run `id` through kubelet /run in one pod, write and delete an etcd marker key */
  active: boolean;
}

/** The facts /pods gives: counts of pods and containers, and credential-looking env values, redacted. */
export function podListFacts(list: unknown): { pods: number; containers: number; privileged: number; credentials: number; samples: string[]; running: { namespace: string; pod: string; container: string }[] } {
  const facts = { pods: 0, containers: 0, privileged: 0, credentials: 0, samples: [] as string[], running: [] as { namespace: string; pod: string; container: string }[] };
  if (!isRecord(list) || !Array.isArray(list.items)) return facts;
  for (const item of list.items as unknown[]) {
    if (!isRecord(item)) continue;
    facts.pods++;
    const meta = isRecord(item.metadata) ? item.metadata : {};
    const spec = isRecord(item.spec) ? item.spec : {};
    const status = isRecord(item.status) ? item.status : {};
    const where = `${String(meta.namespace ?? '')}/${String(meta.name ?? '')}`;
    const containers = Array.isArray(spec.containers) ? (spec.containers as unknown[]) : [];
    for (const c of [...containers, ...(Array.isArray(spec.initContainers) ? (spec.initContainers as unknown[]) : [])]) {
      if (!isRecord(c)) continue;
      facts.containers++;
      if (isRecord(c.securityContext) && c.securityContext.privileged === true) facts.privileged++;
      for (const e of Array.isArray(c.env) ? (c.env as unknown[]) : []) {
        if (!isRecord(e) || typeof e.name !== 'string' || typeof e.value !== 'string') continue;
        const match = detectSecret(e.name, e.value);
        if (match === undefined) continue;
        facts.credentials++;
        if (facts.samples.length < 5) facts.samples.push(`${where} ${String(c.name ?? '')} ${e.name}=${match.redacted}`);
      }
    }
    if (status.phase === 'Running' && containers.length > 0 && isRecord(containers[0]) && typeof containers[0].name === 'string') {
      facts.running.push({ namespace: String(meta.namespace ?? ''), pod: String(meta.name ?? ''), container: containers[0].name });
    }
  }
  return facts;
}

/** Count items of a truncated PodList without parsing it: each pod has one `"kind"`-less metadata uid. */
function countUids(text: string): number {
  return (text.match(/"uid":"/g) ?? []).length;
}

function listCount(r: HttpResult): number | undefined {
  const j = parseJson(r);
  if (!isRecord(j) || !Array.isArray(j.items)) return undefined;
  const meta = isRecord(j.metadata) ? j.metadata : {};
  const remaining = typeof meta.remainingItemCount === 'number' ? meta.remainingItemCount : 0;
  return j.items.length + remaining;
}

function shapeOf(r: HttpResult): string | undefined {
  if (r.type !== 'http') return undefined;
  const status = kubeStatus(r);
  if (status) return `Status ${status.reason}: ${status.message.slice(0, 160)}`;
  const j = parseJson(r);
  if (isRecord(j) && typeof j.kind === 'string') return j.kind;
  const text = bodyText(r, 120);
  return text === '' ? undefined : text;
}

type Observations = Record<string, Observation>;

async function getObs(io: ProbeIo, tls: boolean, path: string, maxBytes?: number): Promise<{ r: HttpResult; o: Observation }> {
  const r = await request(io, tls, 'GET', path, maxBytes ? { maxBytes } : {});
  const shape = shapeOf(r);
  return { r, o: observe(`GET ${path}`, r, shape ? { shape } : {}) };
}

/** API server (TLS, or plain HTTP: the old insecure port or an open `kubectl proxy`). */
async function apiServerChecks(io: ProbeIo, ep: ProbedEndpoint): Promise<Observations> {
  const tls = ep.scheme === 'https';
  const out: Observations = {};
  const version = await getObs(io, tls, '/version');
  out['api.version'] = version.o;
  const discovery = await getObs(io, tls, '/api', 256 * 1024);
  const dj = parseJson(discovery.r);
  if (isRecord(dj) && Array.isArray(dj.serverAddressByClientCIDRs)) {
    const addrs = (dj.serverAddressByClientCIDRs as unknown[]).filter(isRecord).map((a) => String(a.serverAddress ?? ''));
    discovery.o.text = `serverAddress ${addrs.join(', ')}`;
  }
  out['api.discovery'] = discovery.o;
  for (const [key, path] of [
    ['api.namespaces', '/api/v1/namespaces?limit=1'],
    ['api.pods', '/api/v1/pods?limit=1'],
    ['api.secrets', '/api/v1/secrets?limit=1'],
    ['api.nodes', '/api/v1/nodes?limit=1'],
    // a RoleBinding to system:anonymous in one namespace does not show in the cluster-wide lists
    ['api.secrets.kube-system', '/api/v1/namespaces/kube-system/secrets?limit=1'],
    ['api.secrets.default', '/api/v1/namespaces/default/secrets?limit=1'],
    ['api.pods.kube-system', '/api/v1/namespaces/kube-system/pods?limit=1'],
    ['api.pods.default', '/api/v1/namespaces/default/pods?limit=1'],
  ] as const) {
    const { r, o } = await getObs(io, tls, path, 4 * 1024 * 1024);
    const n = listCount(r);
    if (n !== undefined && r.type === 'http' && r.status === 200) {
      o.counts = { items: n };
      o.shape = o.shape ?? 'List';
    }
    out[key] = o;
  }
  const review = JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } });
  const ssrr = await request(io, tls, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { body: review, headers: { 'Content-Type': 'application/json' } });
  const sj = parseJson(ssrr);
  const rules: string[] = [];
  if (isRecord(sj) && isRecord(sj.status) && Array.isArray(sj.status.resourceRules)) {
    for (const rule of sj.status.resourceRules as unknown[]) {
      if (!isRecord(rule)) continue;
      const verbs = Array.isArray(rule.verbs) ? rule.verbs.join(',') : '';
      const resources = Array.isArray(rule.resources) ? rule.resources.join(',') : '';
      if (resources.includes('selfsubject')) continue;
      rules.push(`${verbs} ${resources}`);
    }
  }
  const ssrrShape = shapeOf(ssrr);
  out['api.ssrr'] = observe('POST selfsubjectrulesreviews (namespace default)', ssrr, {
    ...(ssrrShape ? { shape: ssrrShape } : {}),
    ...(rules.length ? { samples: rules.slice(0, 10), counts: { rules: rules.length } } : {}),
  });
  return out;
}

function kubeletPodsObservation(r: HttpResult, request: string): { o: Observation; running: { namespace: string; pod: string; container: string }[] } {
  const shape = shapeOf(r);
  const o = observe(request, r, shape ? { shape } : {});
  if (r.type !== 'http' || r.status !== 200) return { o, running: [] };
  if (r.truncated) {
    o.counts = { podsAtLeast: countUids(r.body.toString('utf8')) };
    o.text = `reply cut at ${r.body.length} bytes`;
    return { o, running: [] };
  }
  const facts = podListFacts(parseJson(r));
  o.counts = { pods: facts.pods, containers: facts.containers, privileged: facts.privileged, credentialEnv: facts.credentials };
  if (facts.samples.length) o.samples = facts.samples;
  return { o, running: facts.running };
}

/** The doors that run things; proven open by asking for a pod that does not exist. */
const KUBELET_DOORS = [
  ['run', 'POST', (pod: string) => `/run/${NONEXISTENT_NAMESPACE}/${pod}/c`],
  ['exec', 'POST', (pod: string) => `/exec/${NONEXISTENT_NAMESPACE}/${pod}/c?command=true&output=1`],
  ['attach', 'POST', (pod: string) => `/attach/${NONEXISTENT_NAMESPACE}/${pod}/c?output=1`],
  ['portForward', 'GET', (pod: string) => `/portForward/${NONEXISTENT_NAMESPACE}/${pod}`],
] as const;

/** 404 naming the missing pod is what a kubelet says only after authentication and authorisation passed. */
export function doorOpen(o: Observation | undefined): boolean {
  return o !== undefined && o.status === 404 && /does not exist/.test(o.text ?? '');
}

async function kubeletChecks(io: ProbeIo, ep: ProbedEndpoint, options: CheckOptions): Promise<Observations> {
  const tls = ep.scheme === 'https';
  const out: Observations = {};
  const podsReply = await request(io, tls, 'GET', '/pods', { maxBytes: PODS_LIMIT, timeoutMs: Math.max(io.timeoutMs, 10_000) });
  const pods = kubeletPodsObservation(podsReply, 'GET /pods');
  out['kubelet.pods'] = pods.o;
  for (const [key, path] of [
    ['kubelet.runningpods', '/runningpods/'],
    ['kubelet.configz', '/configz'],
    ['kubelet.metrics', '/metrics'],
    ['kubelet.logs', '/logs/'],
    ['kubelet.pprof', '/debug/pprof/'],
    ['kubelet.spec', '/spec/'],
    ['kubelet.containerLogs', `/containerLogs/${NONEXISTENT_NAMESPACE}/kubemoat-probe/c`],
  ] as const) {
    const { r, o } = await getObs(io, tls, path, 8192);
    if (key === 'kubelet.containerLogs' && r.type === 'http') o.text = bodyText(r, 120);
    out[key] = o;
  }
  if (!tls) return out;
  const pod = `kubemoat-probe-${randomBytes(4).toString('hex')}`;
  for (const [name, method, path] of KUBELET_DOORS) {
    const r = await request(io, tls, method, path(pod), method === 'POST' ? { body: '' } : {});
    out[`kubelet.${name}`] = observe(`${method} ${path(pod)}`, r, r.type === 'http' ? { text: bodyText(r, 120) } : {});
  }
  if (options.active && doorOpen(out['kubelet.run']) && pods.running.length > 0) {
    const target = pods.running[0];
    const path = `/run/${encodeURIComponent(target.namespace)}/${encodeURIComponent(target.pod)}/${encodeURIComponent(target.container)}?cmd=id`;
    const r = await request(io, tls, 'POST', path, { body: '', maxBytes: 4096 });
    out['kubelet.active.run'] = observe(`POST ${path}`, r, r.type === 'http' ? { text: bodyText(r, 200) } : {});
  }
  return out;
}

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

async function etcdRange(io: ProbeIo, tls: boolean, api: string, key: string, rangeEnd: string): Promise<HttpResult> {
  // keys_only + count_only: the answer carries a count and no key or value at all.
  const body = JSON.stringify({ key: b64(key), range_end: b64(rangeEnd), keys_only: true, count_only: true });
  return request(io, tls, 'POST', `${api}/kv/range`, { body, headers: { 'Content-Type': 'application/json' } });
}

function etcdCount(r: HttpResult): number | undefined {
  const j = parseJson(r);
  if (!isRecord(j) || !isRecord(j.header)) return undefined;
  return Number(j.count ?? 0);
}

async function etcdChecks(io: ProbeIo, ep: ProbedEndpoint, options: CheckOptions): Promise<Observations> {
  const out: Observations = {};
  if (ep.clientCertRequired) return out;
  const tls = ep.scheme === 'https';
  // etcd 3.4+ serves /v3; 3.3 /v3beta; 3.2 /v3alpha.
  let api = '/v3';
  let all = await etcdRange(io, tls, api, '\0', '\0');
  for (const older of ['/v3beta', '/v3alpha']) {
    if (etcdCount(all) !== undefined) break;
    api = older;
    all = await etcdRange(io, tls, api, '\0', '\0');
  }
  const count = etcdCount(all);
  out['etcd.v3.count'] = observe(`POST ${api}/kv/range (keys_only, count_only)`, all, count !== undefined ? { counts: { keys: count } } : { ...(shapeOf(all) ? { shape: shapeOf(all) } : {}) });
  if (count !== undefined) {
    const secrets = await etcdRange(io, tls, api, '/registry/secrets/', '/registry/secrets0');
    const n = etcdCount(secrets);
    out['etcd.v3.secrets'] = observe(`POST ${api}/kv/range /registry/secrets/ (count_only)`, secrets, n !== undefined ? { counts: { keys: n } } : {});
  }
  const v2 = await request(io, tls, 'GET', '/v2/keys/', { maxBytes: 1024 * 1024 });
  const vj = parseJson(v2);
  const nodes = isRecord(vj) && isRecord(vj.node) && Array.isArray(vj.node.nodes) ? vj.node.nodes.length : undefined;
  out['etcd.v2.keys'] = observe('GET /v2/keys/', v2, nodes !== undefined ? { counts: { topLevelKeys: nodes } } : { ...(shapeOf(v2) ? { shape: shapeOf(v2) } : {}) });
  if (options.active && count !== undefined) {
    const key = `/kubemoat-probe/marker-${randomBytes(6).toString('hex')}`;
    const put = await request(io, tls, 'POST', `${api}/kv/put`, { body: JSON.stringify({ key: b64(key), value: b64('written by kubemoat probe --active; deleted at once') }), headers: { 'Content-Type': 'application/json' } });
    const del = await request(io, tls, 'POST', `${api}/kv/deleterange`, { body: JSON.stringify({ key: b64(key) }), headers: { 'Content-Type': 'application/json' } });
    const dj = parseJson(del);
    const deleted = isRecord(dj) ? Number(dj.deleted ?? 0) : 0;
    out['etcd.active.write'] = observe(`POST ${api}/kv/put ${key}, then deleterange`, put, { text: put.type === 'http' && put.status === 200 ? `wrote ${key}; deleted ${deleted}` : 'write refused', counts: { deleted } });
  }
  return out;
}

async function dashboardChecks(io: ProbeIo, ep: ProbedEndpoint): Promise<Observations> {
  const tls = ep.scheme === 'https';
  const out: Observations = {};
  const skippable = await getObs(io, tls, '/api/v1/login/skippable');
  const sj = parseJson(skippable.r);
  if (isRecord(sj) && typeof sj.skippable === 'boolean') skippable.o.text = `skippable: ${sj.skippable}`;
  out['dashboard.skippable'] = skippable.o;
  const ns = await getObs(io, tls, '/api/v1/namespace', 1024 * 1024);
  const nj = parseJson(ns.r);
  if (isRecord(nj) && Array.isArray(nj.namespaces)) ns.o.counts = { namespaces: nj.namespaces.length };
  out['dashboard.namespaces'] = ns.o;
  return out;
}

async function dockerChecks(io: ProbeIo, ep: ProbedEndpoint): Promise<Observations> {
  const tls = ep.scheme === 'https';
  const info = await getObs(io, tls, '/info', 1024 * 1024);
  const ij = parseJson(info.r);
  if (isRecord(ij)) info.o.counts = { containers: Number(ij.Containers ?? 0), images: Number(ij.Images ?? 0) };
  return { 'docker.info': info.o };
}

async function metricsChecks(io: ProbeIo, ep: ProbedEndpoint, prefix: string): Promise<Observations> {
  const tls = ep.scheme === 'https';
  const out: Observations = {};
  for (const path of ['/metrics', '/configz', '/debug/pprof/']) {
    const { o } = await getObs(io, tls, path, 8192);
    out[`${prefix}${path.replace(/\W+/g, '.').replace(/\.$/, '')}`] = o;
  }
  return out;
}

/** Ask an identified endpoint the questions its kind deserves. Never throws. */
export async function runChecks(io: ProbeIo, ep: ProbedEndpoint, options: CheckOptions): Promise<Observations> {
  switch (ep.service) {
    case 'kube-apiserver':
      return apiServerChecks(io, ep);
    case 'kubelet':
    case 'kubelet-read-only':
      return kubeletChecks(io, ep, options);
    case 'etcd':
      return etcdChecks(io, ep, options);
    case 'kubernetes-dashboard':
      return dashboardChecks(io, ep);
    case 'docker':
      return dockerChecks(io, ep);
    case 'cadvisor':
      return metricsChecks(io, ep, 'cadvisor');
    case 'kube-proxy':
      return metricsChecks(io, ep, 'proxy');
    case 'kube-component':
      return metricsChecks(io, ep, 'component');
    default:
      return {};
  }
}
