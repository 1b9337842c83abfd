// What answers on an open port, from what it says: TLS or not, then the shape of its answers to
// `/version`, `/pods` and `/`. A port number is never enough: a dashboard on 31000 is still a
// dashboard, and an SSH server on 10250 is not a kubelet.

import { httpRequest, type HttpRequest, type HttpResponse, type HttpResult } from './net.js';
import type { CertFacts, Observation, ProbedEndpoint, ServiceKind } from './model.js';

export interface ProbeIo {
  host: string;
  port: number;
  timeoutMs: number;
}

/** Bytes read from a reply we only classify; /pods and discovery get more. */
export const SMALL_REPLY = 64 * 1024;

export function request(io: ProbeIo, tls: boolean, method: HttpRequest['method'], path: string, extra: Partial<HttpRequest> = {}): Promise<HttpResult> {
  return httpRequest({ host: io.host, port: io.port, tls, method, path, timeoutMs: io.timeoutMs, maxBytes: SMALL_REPLY, ...extra });
}

export function parseJson(r: HttpResult): unknown {
  if (r.type !== 'http' || r.truncated) return undefined;
  const text = r.body.toString('utf8').trim();
  if (!(text.startsWith('{') || text.startsWith('['))) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function bodyText(r: HttpResult, max = 200): string {
  if (r.type !== 'http') return '';
  return r.body.subarray(0, max).toString('utf8').replace(/[^\x20-\x7e]+/g, ' ').trim();
}

/** A Kubernetes `Status` object (the API server's and its libraries' error replies). */
export function kubeStatus(r: HttpResult): { message: string; reason: string } | undefined {
  const j = parseJson(r);
  if (!isRecord(j) || j.kind !== 'Status') return undefined;
  return { message: String(j.message ?? ''), reason: String(j.reason ?? '') };
}

export function failureName(r: Exclude<HttpResult, HttpResponse>): string {
  switch (r.type) {
    case 'timeout':
      return r.bytes === 0 ? 'timeout (no answer)' : `timeout after ${r.bytes} bytes`;
    case 'refused':
      return 'connection refused';
    case 'reset':
      return r.bytes === 0 ? 'closed without answering' : 'connection reset';
    case 'tls-failed':
      return `TLS handshake failed (${r.reason})`;
    case 'client-cert-required':
      return 'client certificate required';
    case 'not-http':
      return `not HTTP ("${r.firstBytes.slice(0, 24)}")`;
    case 'error':
      return r.reason;
  }
}

/** The request and its outcome, with nothing from the body unless the caller adds it. */
export function observe(requestLine: string, r: HttpResult, extra: Partial<Observation> = {}): Observation {
  if (r.type === 'http') return { request: requestLine, status: r.status, ...extra };
  return { request: requestLine, failure: failureName(r), ...extra };
}

interface Transport {
  scheme: 'https' | 'http' | 'tcp';
  tls?: CertFacts;
  clientCertRequired?: boolean;
  /** the answer to GET /version, when the port speaks HTTP */
  version?: HttpResponse;
  /** what the port did when it did not speak HTTP */
  silence?: ServiceKind;
  said?: string;
}

/** TLS first (most of the Kubernetes surface), then plain HTTP; both bounded by the timeout. */
async function transport(io: ProbeIo): Promise<Transport> {
  const overTls = await request(io, true, 'GET', '/version');
  if (overTls.type === 'http') return { scheme: 'https', ...(overTls.cert ? { tls: overTls.cert } : {}), version: overTls };
  if (overTls.type === 'client-cert-required') return { scheme: 'https', ...(overTls.cert ? { tls: overTls.cert } : {}), clientCertRequired: true };
  if (overTls.type === 'refused') return { scheme: 'tcp', silence: 'closes', said: 'refused on a second connection' };
  const tlsCert = 'cert' in overTls ? overTls.cert : undefined;
  if (tlsCert !== undefined) {
    // TLS worked but HTTP did not come back over it.
    return { scheme: 'https', tls: tlsCert, silence: 'tls', said: failureName(overTls) };
  }
  const plain = await request(io, false, 'GET', '/version');
  if (plain.type === 'http') return { scheme: 'http', version: plain };
  if (plain.type === 'not-http') {
    if (plain.firstBytes.startsWith('SSH-')) return { scheme: 'tcp', silence: 'ssh', said: plain.firstBytes };
    return { scheme: 'tcp', silence: 'unknown', said: plain.firstBytes };
  }
  if (plain.type === 'timeout' && plain.bytes === 0 && overTls.type === 'timeout' && overTls.bytes === 0) return { scheme: 'tcp', silence: 'silent', said: 'accepted and never answered' };
  if (plain.type === 'reset' && plain.bytes === 0) return { scheme: 'tcp', silence: 'closes', said: 'closed the connection without a word' };
  return { scheme: 'tcp', silence: 'unknown', said: failureName(plain) };
}

export interface Identity {
  endpoint: ProbedEndpoint;
}

function base(io: ProbeIo, t: Transport, service: ServiceKind, identifiedBy: string, version?: string): ProbedEndpoint {
  return {
    host: io.host,
    port: io.port,
    scheme: t.scheme,
    ...(t.tls ? { tls: t.tls } : {}),
    ...(t.clientCertRequired ? { clientCertRequired: true } : {}),
    service,
    identifiedBy,
    ...(version ? { version } : {}),
    observations: {},
  };
}

const HTML_DASHBOARD = /kubernetes[- ]dashboard|<kd-root|kdLoginService|"kubernetesDashboard"/i;

/** Recognise what answers on an open port. Never throws: the worst case is `unknown`. */
export async function identify(io: ProbeIo): Promise<ProbedEndpoint> {
  const t = await transport(io);
  if (t.silence !== undefined) {
    // A TLS server that demands a client certificate: etcd usually names itself in its certificate.
    if (t.clientCertRequired && t.tls && /etcd/i.test(`${t.tls.subject} ${t.tls.issuer}`)) {
      return base(io, t, 'etcd', `TLS with a client certificate required; certificate ${t.tls.subject}`);
    }
    return base(io, t, t.silence, t.said ?? '');
  }
  if (t.clientCertRequired) {
    const etcdCert = t.tls !== undefined && /etcd/i.test(`${t.tls.subject} ${t.tls.issuer}`);
    return base(io, t, etcdCert ? 'etcd' : 'tls', `TLS with a client certificate required${t.tls ? `; certificate ${t.tls.subject}` : ''}`);
  }
  const tls = t.scheme === 'https';
  const v = t.version!;
  const vj = parseJson(v);
  const vs = kubeStatus(v);
  const server = v.headers['server'] ?? '';
  if (isRecord(vj) && typeof vj.etcdserver === 'string') return base(io, t, 'etcd', `GET /version: etcdserver ${vj.etcdserver}`, `etcd ${vj.etcdserver}`);
  if (isRecord(vj) && typeof vj.gitVersion === 'string' && 'major' in vj) {
    return base(io, t, 'kube-apiserver', `GET /version: Kubernetes ${vj.gitVersion}`, String(vj.gitVersion));
  }
  if ((isRecord(vj) && typeof vj.ApiVersion === 'string' && ('Os' in vj || 'Components' in vj)) || /^Docker\//.test(server)) {
    const ver = isRecord(vj) && typeof vj.Version === 'string' ? vj.Version : undefined;
    return base(io, t, 'docker', `GET /version: Docker Engine API${ver ? ` ${ver}` : ''}`, ver ? `docker ${ver}` : undefined);
  }
  if (vs !== undefined && (v.status === 401 || v.status === 403)) {
    return base(io, t, 'kube-apiserver', `GET /version: ${v.status} Kubernetes Status (${vs.reason || vs.message})`);
  }
  // kubelets and the controller-manager/scheduler have no /version.
  const pods = await request(io, tls, 'GET', '/pods', { maxBytes: 4096 });
  if (pods.type === 'http') {
    const text = bodyText(pods, 300);
    if (pods.status === 200 && /^\{\s*"kind"\s*:\s*"PodList"/.test(text)) {
      return base(io, t, tls ? 'kubelet' : 'kubelet-read-only', 'GET /pods: PodList');
    }
    if (tls && pods.status === 401 && text === 'Unauthorized') return base(io, t, 'kubelet', 'GET /pods: 401 Unauthorized (kubelet text reply)');
    if (tls && pods.status === 403 && /^Forbidden \(user=.*subresource=proxy\)?/.test(text)) return base(io, t, 'kubelet', 'GET /pods: 403 nodes/proxy (kubelet reply)');
    const ps = kubeStatus(pods);
    if (tls && ps !== undefined && (pods.status === 403 || pods.status === 401) && v.status === 404) {
      const role = io.port === 10259 ? ' (port of kube-scheduler)' : io.port === 10257 ? ' (port of kube-controller-manager)' : '';
      return base(io, t, 'kube-component', `no /version, Kubernetes Status ${pods.status} on /pods${role}`);
    }
  }
  const healthz = await request(io, tls, 'GET', '/healthz');
  const hj = parseJson(healthz);
  if (isRecord(hj) && 'lastUpdated' in hj && 'currentTime' in hj) return base(io, t, 'kube-proxy', 'GET /healthz: kube-proxy health JSON');
  const proxyMode = await request(io, tls, 'GET', '/proxyMode');
  if (proxyMode.type === 'http' && proxyMode.status === 200 && /^(iptables|ipvs|nftables|userspace|kernelspace)$/.test(bodyText(proxyMode))) {
    return base(io, t, 'kube-proxy', `GET /proxyMode: ${bodyText(proxyMode)}`);
  }
  const root = await request(io, tls, 'GET', '/');
  if (root.type === 'http') {
    const text = bodyText(root, 4096);
    if (HTML_DASHBOARD.test(root.body.toString('utf8'))) return base(io, t, 'kubernetes-dashboard', 'GET /: Kubernetes Dashboard page');
    const location = root.headers['location'] ?? '';
    if ((root.status === 307 || root.status === 302 || root.status === 301) && /\/containers\/?$/.test(location)) {
      const containers = await request(io, tls, 'GET', '/containers/');
      if (containers.type === 'http' && /cAdvisor/i.test(containers.body.toString('utf8'))) return base(io, t, 'cadvisor', 'GET /containers/: cAdvisor page');
    }
    if (/cAdvisor/i.test(text)) return base(io, t, 'cadvisor', 'GET /: cAdvisor page');
    return base(io, t, 'http', `HTTP ${root.status}${server ? `, server ${server.slice(0, 40)}` : ''}`);
  }
  return base(io, t, 'http', `HTTP ${v.status} on /version${server ? `, server ${server.slice(0, 40)}` : ''}`);
}
