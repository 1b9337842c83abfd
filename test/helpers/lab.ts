// Test helpers for the lab cluster (lab/lab): bring a profile up once per test
// process (lab up is idempotent and reuses a healthy lab), hand tests its
// addresses and credentials, and run commands inside its network namespace.
//
// Every lab address lives in a network namespace the lab created; requests to
// it must be made from inside that namespace (inNetns / curlInNetns).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type LabProfile = 'insecure' | 'hardened';
export const LAB_PROFILES: readonly LabProfile[] = ['insecure', 'hardened'];

export interface LabPki {
  caCert: string;
  caKey: string;
  etcdCaCert: string;
  etcdClientCert: string;
  etcdClientKey: string;
  adminCert: string;
  adminKey: string;
  userCert: string;
  userKey: string;
  apiserverKubeletClientCert: string;
  apiserverKubeletClientKey: string;
  kubeletServingCert: string;
  /** server certificate (signed by the cluster CA, for the node IP) for the default audit webhook sink */
  auditSinkCert: string;
  auditSinkKey: string;
}

/** What `lab/lab env --profile P --json` prints. */
export interface LabEnv {
  profile: LabProfile;
  k8sVersion: string;
  running: boolean;
  netns: string;
  nodeName: string;
  nodeIP: string;
  podCIDR: string;
  serviceCIDR: string;
  apiServer: string;
  kubelet: string;
  /** null on hardened (read-only port 0) */
  kubeletReadOnly: string | null;
  etcd: string;
  /** null on hardened (no proxy) */
  kubectlProxy: string | null;
  controllerManager: string;
  scheduler: string;
  adminKubeconfig: string;
  userKubeconfig: string;
  kubeletKubeconfig: string;
  auditLog: string;
  auditPolicy: string;
  auditWebhook: string | null;
  staticPodDir: string;
  manifestsDir: string;
  containerdSocket: string;
  containerdConfig: string;
  kubeletConfig: string;
  cgroupRoot: string;
  stateDir: string;
  logDir: string;
  binDir: string;
  kubectl: string;
  pki: LabPki;
  pids: Record<string, number>;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  timeoutMs?: number;
  input?: string;
  env?: NodeJS.ProcessEnv;
}

function findRepoRoot(): string {
  // dist/test/helpers/lab.js when compiled, test/helpers/lab.ts when run from source
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'lab', 'lab')) && existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`cannot find the repository root (with lab/lab) above ${fileURLToPath(import.meta.url)}`);
}

export const REPO_ROOT = findRepoRoot();
export const LAB_SCRIPT = join(REPO_ROOT, 'lab', 'lab');

/** Run a command without a shell; never throws for a non-zero exit. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        err.push(Buffer.from(`\n[timed out after ${opts.timeoutMs} ms]\n`));
        child.kill('SIGKILL');
      }, opts.timeoutMs);
    }
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    // a command that exits before reading its input closes the pipe: EPIPE then is not an error
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** `lab/lab env --profile P --json` (works whether or not the lab is up). */
export async function labEnv(profile: LabProfile): Promise<LabEnv> {
  const r = await run(LAB_SCRIPT, ['env', '--profile', profile, '--json'], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`lab env --profile ${profile} failed (${r.code}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as LabEnv;
}

export interface LabUpOptions {
  /** Audit webhook URL the API server sends events to (reachable inside the netns). */
  auditWebhook?: string;
  /** Default 45 minutes: a first run may build Kubernetes. */
  timeoutMs?: number;
}

const upOnce = new Map<string, Promise<LabEnv>>();

/**
 * Bring a profile up (idempotent; a healthy lab is reused) and return its env.
 * Called many times in one process, it runs `lab up` once per profile/options.
 * If the lab cannot start, the error carries lab's output, which ends with the
 * failing component's log tail.
 */
export function labUp(profile: LabProfile, opts: LabUpOptions = {}): Promise<LabEnv> {
  const key = `${profile}|${opts.auditWebhook ?? ''}`;
  let p = upOnce.get(key);
  if (!p) {
    p = (async () => {
      const args = ['up', '--profile', profile];
      if (opts.auditWebhook !== undefined) args.push('--audit-webhook', opts.auditWebhook);
      const r = await run(LAB_SCRIPT, args, { timeoutMs: opts.timeoutMs ?? 45 * 60_000 });
      if (r.code !== 0) {
        throw new Error(
          `lab up --profile ${profile} failed (exit ${r.code}):\n${tail(r.stderr, 120)}\n${tail(r.stdout, 20)}`,
        );
      }
      return labEnv(profile);
    })();
    // A profile that fails while another test awaits something else must not
    // crash the process as an unhandled rejection; awaiting p still throws.
    p.catch(() => undefined);
    upOnce.set(key, p);
  }
  return p;
}

/** Stop a profile (or every profile). Tests normally leave the lab up for the next file. */
export async function labDown(profile?: LabProfile): Promise<void> {
  const args = profile ? ['down', '--profile', profile] : ['down'];
  const r = await run(LAB_SCRIPT, args, { timeoutMs: 5 * 60_000 });
  for (const k of [...upOnce.keys()]) if (!profile || k.startsWith(`${profile}|`)) upOnce.delete(k);
  if (r.code !== 0) throw new Error(`lab ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
}

function netnsOf(target: LabEnv | string): string {
  return typeof target === 'string' ? target : target.netns;
}

/** Run a command inside the lab's network namespace (`ip netns exec NS cmd args…`). */
export function inNetns(
  target: LabEnv | string,
  cmd: string,
  args: readonly string[] = [],
  opts: RunOptions = {},
): Promise<RunResult> {
  return run('ip', ['netns', 'exec', netnsOf(target), cmd, ...args], { timeoutMs: 120_000, ...opts });
}

export interface CurlOptions {
  method?: string;
  headers?: Record<string, string>;
  /** request body (sent with --data-binary) */
  data?: string;
  /** client certificate and key files */
  cert?: string;
  key?: string;
  /** CA to verify the server with; without it, TLS is not verified (-k) */
  cacert?: string;
  timeoutSec?: number;
  /** more curl arguments, e.g. ['--http1.1'] */
  curlArgs?: string[];
}

export interface CurlResult {
  /** HTTP status, 0 when no HTTP answer came (refused, TLS failure, timeout) */
  status: number;
  body: string;
  /** curl's exit code: 0 ok, 7 connection refused, 35/56 TLS handshake/receive failure, 28 timeout */
  curlExit: number;
  error: string;
}

const STATUS_MARK = '\n__kubemoat_lab_status__:';

/** One HTTP request made from inside the lab's network namespace with curl. */
export async function curlInNetns(target: LabEnv | string, url: string, opts: CurlOptions = {}): Promise<CurlResult> {
  const args = ['-sS', '-o', '-', '-w', `${STATUS_MARK}%{http_code}`, '-m', String(opts.timeoutSec ?? 10)];
  if (opts.method) args.push('-X', opts.method);
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}: ${v}`);
  if (opts.data !== undefined) args.push('--data-binary', opts.data);
  if (opts.cert) args.push('--cert', opts.cert);
  if (opts.key) args.push('--key', opts.key);
  if (opts.cacert) args.push('--cacert', opts.cacert);
  else args.push('-k');
  args.push(...(opts.curlArgs ?? []), url);
  const r = await inNetns(target, 'curl', args, { timeoutMs: ((opts.timeoutSec ?? 10) + 20) * 1000 });
  const i = r.stdout.lastIndexOf(STATUS_MARK);
  const body = i >= 0 ? r.stdout.slice(0, i) : r.stdout;
  const status = i >= 0 ? Number(r.stdout.slice(i + STATUS_MARK.length).trim()) || 0 : 0;
  return { status, body, curlExit: r.code, error: r.stderr.trim() };
}

export type LabUser = 'admin' | 'user';

/** kubectl (the lab's own build) against the lab, run inside its network namespace. */
export function kubectl(env: LabEnv, args: readonly string[], as: LabUser = 'admin', opts: RunOptions = {}): Promise<RunResult> {
  const kubeconfig = as === 'admin' ? env.adminKubeconfig : env.userKubeconfig;
  return inNetns(env, env.kubectl, ['--kubeconfig', kubeconfig, '--request-timeout=30s', ...args], opts);
}

/** kubectl that throws with its stderr on failure and returns stdout. */
export async function kubectlOk(env: LabEnv, args: readonly string[], as: LabUser = 'admin'): Promise<string> {
  const r = await kubectl(env, args, as);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** One audit.k8s.io/v1 Event, the fields tests usually look at. */
export interface AuditEvent {
  kind: string;
  apiVersion: string;
  level: string;
  auditID: string;
  stage: string;
  requestURI: string;
  verb: string;
  user: { username?: string; groups?: string[] };
  sourceIPs?: string[];
  objectRef?: { resource?: string; namespace?: string; name?: string; subresource?: string; apiGroup?: string };
  responseStatus?: { code?: number };
  annotations?: Record<string, string>;
  [k: string]: unknown;
}

/** Parse the lab's audit log (JSON lines) as it is now. */
export function readAuditEvents(env: LabEnv): AuditEvent[] {
  if (!existsSync(env.auditLog)) return [];
  const events: AuditEvent[] = [];
  for (const line of readFileSync(env.auditLog, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as AuditEvent);
    } catch {
      // a line being written right now
    }
  }
  return events;
}

/** Poll until fn returns a truthy value or time runs out (then returns the last value). */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 20_000, everyMs = 500): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last = await fn();
  while (!last && Date.now() < end) {
    await new Promise((r) => setTimeout(r, everyMs));
    last = await fn();
  }
  return last;
}
