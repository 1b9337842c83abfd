// A read-only connection to an API server, from a kubeconfig (or the in-cluster service account)
// through @kubernetes/client-node. Every request has a timeout; TLS is verified because credentials
// are sent.

// The client library is loaded only when a command connects: it is the largest dependency, and
// `kubemoat scan` (the CI path) never needs it.
type ClientNode = typeof import('@kubernetes/client-node');
import http from 'node:http';
import https from 'node:https';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
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

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Where the kubeconfig comes from, decided as kubectl decides it. */
export type KubeconfigSource =
  | { kind: 'file'; file: string }
  | { kind: 'list'; files: string[]; missing: string[] }
  | { kind: 'in-cluster' }
  | { kind: 'none'; tried: string };

export function kubeconfigSource(file: string | undefined, env: NodeJS.ProcessEnv = process.env, exists: (f: string) => boolean = existsSync): KubeconfigSource {
  if (file !== undefined) return { kind: 'file', file };
  if (env.KUBECONFIG) {
    const listed = env.KUBECONFIG.split(delimiter).filter(Boolean);
    return { kind: 'list', files: listed.filter(exists), missing: listed.filter((f) => !exists(f)) };
  }
  const home = env.HOME ? join(env.HOME, '.kube', 'config') : undefined;
  if (home !== undefined && exists(home)) return { kind: 'file', file: home };
  if (exists(SERVICE_ACCOUNT_TOKEN) && env.KUBERNETES_SERVICE_HOST) return { kind: 'in-cluster' };
  return { kind: 'none', tried: `${home ?? '~/.kube/config'} does not exist, $KUBECONFIG is not set and this is not a pod with a service account` };
}

type KubeConfigType = InstanceType<ClientNode['KubeConfig']>;

function readKubeconfigFile(KubeConfig: ClientNode['KubeConfig'], file: string): KubeConfigType {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (e) {
    const m = e as NodeJS.ErrnoException;
    throw new ConnectionError(`cannot load kubeconfig ${file}: ${m.code === 'ENOENT' ? 'no such file' : firstLine(m.message)}`);
  }
  return kc;
}

/**
 * The files of a KUBECONFIG list merged as kubectl merges them: files that do not exist are
 * skipped, the first file to name a cluster, user or context wins, and so does the first
 * current-context (client-node refuses duplicate names, and lets the last current-context win).
 */
function mergeKubeconfigs(KubeConfig: ClientNode['KubeConfig'], files: readonly string[]): KubeConfigType {
  const configs = files.map((f) => readKubeconfigFile(KubeConfig, f));
  const firstByName = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const item of lists.flat()) if (!seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  const merged = new KubeConfig();
  merged.loadFromOptions({
    clusters: firstByName(configs.map((c) => c.clusters)),
    users: firstByName(configs.map((c) => c.users)),
    contexts: firstByName(configs.map((c) => c.contexts)),
    currentContext: configs.map((c) => c.currentContext).find((c) => c !== undefined && c !== '') ?? '',
  });
  return merged;
}

function loadKubeconfig(KubeConfig: ClientNode['KubeConfig'], file: string | undefined): KubeConfigType {
  const source = kubeconfigSource(file);
  switch (source.kind) {
    case 'file':
      return readKubeconfigFile(KubeConfig, source.file);
    case 'list':
      if (source.files.length === 0) throw new ConnectionError(`no kubeconfig: none of the files in $KUBECONFIG exists (${source.missing.join(', ')})`);
      return mergeKubeconfigs(KubeConfig, source.files);
    case 'in-cluster': {
      const kc = new KubeConfig();
      kc.loadFromCluster();
      return kc;
    }
    case 'none':
      throw new ConnectionError(`no kubeconfig: ${source.tried}; pass --kubeconfig FILE or set KUBECONFIG`);
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}

export async function connect(options: ConnectOptions): Promise<ClusterConnection> {
  const { KubeConfig }: ClientNode = await import('@kubernetes/client-node');
  const kc = loadKubeconfig(KubeConfig, options.kubeconfig);
  if (options.context) {
    if (!kc.getContextObject(options.context)) throw new ConnectionError(`no context \`${options.context}\` in the kubeconfig (have: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    kc.setCurrentContext(options.context);
  } else if (!kc.getCurrentContext()) {
    throw new ConnectionError(`the kubeconfig sets no current-context; pass --context (have: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
  } else if (!kc.getContextObject(kc.getCurrentContext())) {
    throw new ConnectionError(`the kubeconfig's current-context \`${kc.getCurrentContext()}\` is not one of its contexts (have: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ConnectionError(`context \`${kc.getCurrentContext()}\` names no cluster the kubeconfig defines`);
  const server = cluster.server.replace(/\/+$/, '');
  const isHttps = server.startsWith('https:');
  if (!isHttps && !server.startsWith('http:')) throw new ConnectionError(`cluster \`${cluster.name}\`: server ${JSON.stringify(cluster.server)} is not an http(s) URL`);
  const tls: https.RequestOptions = {};
  // Credentials go only over TLS: a plain-HTTP server (`kubectl proxy`) is asked without them.
  try {
    if (isHttps) await kc.applyToHTTPSOptions(tls);
  } catch (e) {
    throw new ConnectionError(`cannot use the credentials of context \`${kc.getCurrentContext()}\`: ${firstLine((e as Error).message)}`);
  }
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
