// The scan: a bounded pool of TCP connects over every (host, port), at most `rate` new connects a
// second, with retries for ports that stayed silent; each open port goes straight to a smaller
// pool that recognises it and asks it its questions. Memory stays flat: pairs are generated
// lazily and only open ports are kept.

import net from 'node:net';
import { runChecks, type CheckOptions } from './checks.js';
import { identify } from './fingerprint.js';
import { tcpConnect, type PortState } from './net.js';
import { probePairs, type TargetSet } from './targets.js';
import type { ProbedEndpoint } from './model.js';

export interface ScanOptions extends CheckOptions {
  ports: readonly number[];
  /** connects in flight at most */
  concurrency: number;
  /** new connects per second at most (0: no limit) */
  rate: number;
  /** per connect, and per HTTP exchange */
  timeoutMs: number;
  /** extra connects for a port that did not answer */
  retries: number;
  /** endpoints being recognised and checked at once */
  checkConcurrency: number;
  onProgress?: (p: ScanProgress) => void;
}

export interface ScanProgress {
  done: number;
  open: number;
  hostsDone: number;
}

export interface ScanResult {
  endpoints: ProbedEndpoint[];
  stats: { probes: number; open: number; closed: number; filtered: number; unreachable: number; connects: number };
  /** hosts (names) that did not resolve or could not be reached at all */
  unreachableHosts: string[];
  /** endpoints we failed to inspect, with why */
  errors: string[];
}

/** A token bucket refilled every few milliseconds: `take()` resolves when a connect may start. */
function rateLimiter(rate: number): () => Promise<void> {
  if (rate <= 0) return () => Promise.resolve();
  const interval = 1000 / rate;
  let next = performance.now();
  return () => {
    const now = performance.now();
    next = Math.max(next, now - interval * 50) + interval;
    const wait = next - now;
    return wait <= 1 ? Promise.resolve() : new Promise((r) => setTimeout(r, wait));
  };
}

/** At most `limit` holders at once; waiters are served in order. */
class Semaphore {
  private held = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async acquire(): Promise<void> {
    if (this.held < this.limit) {
      this.held++;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held--;
  }
  get busy(): number {
    return this.held;
  }
}

export async function scan(targets: TargetSet, options: ScanOptions): Promise<ScanResult> {
  const stats = { probes: 0, open: 0, closed: 0, filtered: 0, unreachable: 0, connects: 0 };
  const endpoints: ProbedEndpoint[] = [];
  /** host names: did any connect get past name resolution? */
  const nameReached = new Map<string, boolean>();
  const errors: string[] = [];
  const take = rateLimiter(options.rate);
  const connects = new Semaphore(Math.max(1, options.concurrency));
  const checks = new Semaphore(Math.max(1, options.checkConcurrency));
  const pending: Promise<void>[] = [];
  let lastHost = '';
  let hostsDone = 0;
  let lastReport = 0;
  let launched = 0;

  const inspect = async (host: string, port: number): Promise<void> => {
    const io = { host, port, timeoutMs: options.timeoutMs };
    try {
      const ep = await identify(io);
      ep.observations = await runChecks(io, ep, options);
      endpoints.push(ep);
    } catch (e) {
      // A bug of ours on one odd endpoint must not lose the rest of the scan.
      errors.push(`${host}:${port}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const probe = async (host: string, port: number): Promise<void> => {
    let state: PortState = 'filtered';
    for (let attempt = 0; attempt <= options.retries; attempt++) {
      await take();
      stats.connects++;
      state = await tcpConnect(host, port, options.timeoutMs);
      if (state !== 'filtered') break;
    }
    stats.probes++;
    stats[state]++;
    if (net.isIP(host) === 0) nameReached.set(host, (nameReached.get(host) ?? false) || state !== 'unreachable');
    if (state === 'open') {
      pending.push(
        (async () => {
          await checks.acquire();
          try {
            await inspect(host, port);
          } finally {
            checks.release();
          }
        })(),
      );
    }
    if (options.onProgress) {
      const now = performance.now();
      if (now - lastReport > 200) {
        lastReport = now;
        options.onProgress({ done: stats.probes, open: stats.open, hostsDone });
      }
    }
  };

  for (const { host, port } of probePairs(targets, options.ports)) {
    if (host !== lastHost) {
      if (lastHost !== '') hostsDone++;
      lastHost = host;
    }
    await connects.acquire();
    void probe(host, port).finally(() => connects.release());
    // Let I/O in between: thousands of connects issued back to back would keep the loop from
    // reading their completions, and their deadlines would pass unread.
    if (++launched % 128 === 0) await new Promise<void>((r) => setImmediate(r));
  }
  // every slot back means every connect has finished
  for (let i = 0; i < Math.max(1, options.concurrency); i++) await connects.acquire();
  await Promise.all(pending);
  hostsDone++;
  options.onProgress?.({ done: stats.probes, open: stats.open, hostsDone });
  endpoints.sort((a, b) => (a.host === b.host ? a.port - b.port : compareHosts(a.host, b.host)));
  return { endpoints, stats, unreachableHosts: [...nameReached].filter(([, reached]) => !reached).map(([h]) => h), errors };
}

export function compareHosts(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4 && pa.every(Number.isFinite) && pb.every(Number.isFinite)) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
    return 0;
  }
  return a.localeCompare(b);
}
