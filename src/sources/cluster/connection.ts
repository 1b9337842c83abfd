// A read-only connection to an API server, from a kubeconfig (or the in-cluster service account)
// through @kubernetes/client-node. Every request has a timeout; TLS is verified because credentials
// are sent.

// The client library is loaded only when a command connects: it is the largest dependency, and
// `kubemoat scan` (the CI path) never needs it.
type ClientNode = typeof import('@kubernetes/client-node');
import http from 'node:http';
import https from 'node:https';
import { InputError } from '../../core/errors.js';

export interface ConnectOptions {
  kubeconfig?: string;
  context?: string;
  timeoutMs: number;
}

export type ApiResponse =
  | { ok: true; status: number; body: unknown }
  | { ok: false; status: number; reason: string };

export interface ClusterConnection {
  context: string;
  server: string;
  get(path: string, accept?: string): Promise<ApiResponse>;
  /**
   * POST an object that the API server evaluates and does not store (a review such as
   * SelfSubjectRulesReview); `headers` may impersonate.
   */
  create(path: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  /** GET with no credentials at all: how the server treats an anonymous caller */
  getAnonymously(path: string): Promise<ApiResponse>;
  close(): void;
}

interface ApiRequest {
  accept?: string;
  body?: unknown;
  headers?: Record<string, string>;
  anonymous?: boolean;
}

export class ConnectionError extends InputError {}

const MAX_BODY_BYTES = 512 * 1024 * 1024;

export async function connect(options: ConnectOptions): Promise<ClusterConnection> {
  const { KubeConfig }: ClientNode = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    throw new ConnectionError(`cannot load kubeconfig${options.kubeconfig ? ` ${options.kubeconfig}` : ''}: ${(e as Error).message}`);
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) throw new ConnectionError(`no context \`${options.context}\` in the kubeconfig (have: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ConnectionError('the kubeconfig has no current cluster; pass --kubeconfig or --context');
  const server = cluster.server.replace(/\/+$/, '');
  const tls: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(tls);
  const isHttps = server.startsWith('https:');
  const agent = isHttps ? new https.Agent({ keepAlive: true, maxSockets: 8, ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: !cluster.skipTLSVerify }) : new http.Agent({ keepAlive: true, maxSockets: 8 });
  const baseHeaders = { ...(tls.headers as Record<string, string> | undefined) };

  // Requests that send no credentials at all (to learn whether the server admits anonymous
  // callers) still verify the server against the kubeconfig's CA.
  const anonymousAgent = isHttps ? new https.Agent({ keepAlive: false, ca: tls.ca, rejectUnauthorized: !cluster.skipTLSVerify }) : new http.Agent();

  const request = (path: string, init: ApiRequest): Promise<ApiResponse> =>
    new Promise((resolve) => {
      const url = new URL(server + path);
      const mod = isHttps ? https : http;
      const headers: Record<string, string> = { ...(init.anonymous ? {} : baseHeaders), ...init.headers, Accept: init.accept ?? 'application/json', 'User-Agent': 'kubemoat' };
      const payload = init.body === undefined ? undefined : Buffer.from(JSON.stringify(init.body));
      if (payload) headers['Content-Type'] = 'application/json';
      const req = mod.request(url, { method: payload ? 'POST' : 'GET', agent: init.anonymous ? anonymousAgent : agent, headers, timeout: options.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) {
            req.destroy(new Error(`response larger than ${MAX_BODY_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          if (status < 200 || status >= 300) {
            resolve({ ok: false, status, reason: statusReason(status, text) });
            return;
          }
          try {
            resolve({ ok: true, status, body: JSON.parse(text) });
          } catch {
            resolve({ ok: false, status, reason: 'the answer is not JSON' });
          }
        });
        res.on('error', (e) => resolve({ ok: false, status: 0, reason: e.message }));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
      req.on('error', (e) => resolve({ ok: false, status: 0, reason: networkReason(e as NodeJS.ErrnoException, server) }));
      req.end(payload);
    });

  return {
    context: kc.getCurrentContext(),
    server,
    get: (path, accept) => request(path, { accept }),
    create: (path, body, headers) => request(path, { body, headers }),
    getAnonymously: (path) => request(path, { anonymous: true }),
    close: () => {
      agent.destroy();
      anonymousAgent.destroy();
    },
  };
}

function statusReason(status: number, text: string): string {
  let message = '';
  try {
    message = String((JSON.parse(text) as { message?: unknown }).message ?? '');
  } catch {
    message = text.slice(0, 200);
  }
  if (status === 401) return `401 Unauthorized: the credentials were refused${message ? ` (${message})` : ''}`;
  if (status === 403) return `403 Forbidden${message ? `: ${message}` : ''}`;
  return `${status}${message ? `: ${message}` : ''}`;
}

function networkReason(e: NodeJS.ErrnoException, server: string): string {
  switch (e.code) {
    case 'ECONNREFUSED': return `connection refused by ${server}`;
    case 'ENOTFOUND': return `cannot resolve ${server}`;
    case 'EHOSTUNREACH': case 'ENETUNREACH': return `${server} is unreachable`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT': case 'SELF_SIGNED_CERT_IN_CHAIN': case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return `the API server's certificate is not trusted by the kubeconfig's CA (${e.code})`;
    default: return e.message;
  }
}
