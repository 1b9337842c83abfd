// A `kubemoat detect` process for tests: started (inside a lab namespace or on loopback), its
// alerts collected from stdout as they arrive, stopped with SIGTERM.

import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { CLI } from './cli.js';
import type { DetectionMeta } from '../../src/detect/rule.js';
import type { AuditAlert } from '../../src/detect/alert.js';

interface Timed {
  time: string;
}

export interface RunningDetector<Alert extends Timed = AuditAlert> {
  alerts: Alert[];
  /** arrival time (ms) of each alert, same index */
  arrivals: number[];
  stderr: () => string;
  /** resolves with the first alert matching `pred` that arrives (or has arrived), or undefined after `timeoutMs` */
  waitFor(pred: (a: Alert) => boolean, timeoutMs?: number): Promise<Alert | undefined>;
  stop(): Promise<{ code: number | null; stderr: string }>;
  child: ChildProcess;
}

export async function startDetector<Alert extends Timed = AuditAlert>(args: string[], opts: { netns?: string; readyText: string; input?: string }): Promise<RunningDetector<Alert>> {
  const cmd = opts.netns ? 'ip' : process.execPath;
  const argv = opts.netns ? ['netns', 'exec', opts.netns, process.execPath, CLI, 'detect', ...args] : [CLI, 'detect', ...args];
  const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  const alerts: Alert[] = [];
  const arrivals: number[] = [];
  const waiters: { pred: (a: Alert) => boolean; resolve: (a: Alert) => void }[] = [];
  let rest = '';
  let err = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    const text = rest + chunk;
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      const a = JSON.parse(line) as Alert;
      alerts.push(a);
      arrivals.push(Date.now());
      for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i].pred(a)) waiters.splice(i, 1)[0].resolve(a);
    }
  });
  child.stderr!.setEncoding('utf8');
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`detect did not start within 30 s:\n${err}`)), 30_000);
    child.stderr!.on('data', (c: string) => {
      err += c;
      if (err.includes(opts.readyText)) {
        clearTimeout(t);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(t);
      reject(new Error(`detect exited (${code}) before it was ready:\n${err}`));
    });
  });
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  return {
    alerts,
    arrivals,
    child,
    stderr: () => err,
    waitFor(pred, timeoutMs = 15_000) {
      const seen = alerts.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const w = { pred, resolve: (a: Alert) => { clearTimeout(t); resolve(a); } };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          resolve(undefined);
        }, timeoutMs);
        waiters.push(w);
      });
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      return { code, stderr: err };
    },
  };
}

/** What every detection rule's metadata must give a responder, audit (KM-DT) and runtime (KM-RT) alike. */
export function assertResponderMetadata(m: DetectionMeta): void {
  assert.ok(m.title.length > 3 && m.description.length > 60, 'title and description');
  assert.ok(m.response.length > 30, 'response');
  assert.ok(m.references.length > 0, 'a reference');
  assert.ok(m.mitre.length > 0, 'MITRE ATT&CK ids');
  for (const t of m.mitre) assert.match(t, /^T\d{4}(\.\d{3})?$/);
}
