// Benchmark of `kubemoat detect` (issue 7) on a realistic 1,000,000-event audit log
// (bench/audit-corpus.ts): file mode (with and without the header fast path), a bare JSON.parse
// reader of the same file (the limit for a JavaScript reader), the HTTPS webhook path at full
// speed, and alert latency at 10,000 events/s through the webhook. kubemoat is pinned to one core
// (taskset -c 0); the senders run on the other. Figures are printed, never asserted; the load
// average is printed with each, because the machine is shared.
//
//   npx tsc -p tsconfig.json
//   node dist/bench/detect.js [--events 1000000] [--seed 1] [--runs 1] [--latency-seconds 30] [--skip-file] [--skip-webhook]
//
// Falco (the peer a user would pick for audit-log detection) is a C++ binary distributed outside
// the package registries this project may use (Debian, PyPI, npm, Go modules), so it is not run.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, createReadStream } from 'node:fs';
import { request, Agent } from 'node:https';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cpuS, measure, type Measurement } from './measure.js';
import { writeCorpus } from './audit-corpus.js';
import { findDetectionRule } from '../src/detect/rules/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');
const BASELINE = join(ROOT, 'dist/bench/json-baseline.js');

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
}
const EVENTS = Number(arg('events', '1000000'));
const SEED = Number(arg('seed', '1'));
const RUNS = Number(arg('runs', '1'));
const LATENCY_S = Number(arg('latency-seconds', '30'));
const CACHE = process.env.KUBEMOAT_BENCH_CACHE ?? arg('cache', '/var/cache/kubemoat-bench');

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function row(label: string, m: Measurement, events: number): string {
  const cpu = cpuS(m);
  return `${label.padEnd(34)} wall ${m.wallS.toFixed(2).padStart(7)} s  cpu ${cpu?.toFixed(2).padStart(7) ?? '?'} s  ${fmt(events / m.wallS).padStart(9)} ev/s wall  ${cpu ? fmt(events / cpu).padStart(9) : '?'} ev/s cpu  peak ${m.peakRssMiB.toFixed(0).padStart(5)} MiB  load1 ${m.load1.toFixed(2)}`;
}

async function fileMode(corpus: string): Promise<void> {
  process.stdout.write(`\n## file mode (${fmt(EVENTS)} events, taskset -c 0), load average now ${load()}\n`);
  const results: { label: string; m: Measurement }[] = [];
  for (let r = 0; r < RUNS; r++) {
    for (const [label, cmd] of [
      ['JSON.parse of every line (baseline)', [process.execPath, BASELINE, corpus]],
      ['kubemoat detect FILE', [process.execPath, CLI, 'detect', corpus]],
      ['kubemoat detect --no-header-fast-path', [process.execPath, CLI, 'detect', corpus, '--no-header-fast-path']],
    ] as const) {
      const m = await measure('taskset', ['-c', '0', ...cmd]);
      if (m.exitCode !== 0) throw new Error(`${label} failed (${m.exitCode}): ${m.stderrTail}`);
      results.push({ label, m });
      process.stdout.write(row(label, m, EVENTS) + '\n');
      if (label.startsWith('kubemoat detect FILE')) process.stdout.write(`  ${m.stderrTail.trim().split('\n').pop()}\n`);
    }
  }
  const best = (label: string): Measurement => results.filter((x) => x.label === label).sort((a, b) => (cpuS(a.m) ?? a.m.wallS) - (cpuS(b.m) ?? b.m.wallS))[0].m;
  const base = best('JSON.parse of every line (baseline)');
  for (const label of ['kubemoat detect FILE', 'kubemoat detect --no-header-fast-path']) {
    const m = best(label);
    process.stdout.write(`ratio ${label} / JSON.parse: wall ${(m.wallS / base.wallS).toFixed(2)}x, cpu ${((cpuS(m) ?? 0) / (cpuS(base) ?? 1)).toFixed(2)}x\n`);
  }
}

function selfSigned(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'sink.crt');
  const key = join(dir, 'sink.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

interface Receiver {
  child: ChildProcess;
  port: number;
  metricsPort: number;
  alerts: { auditID: string; ruleId: string; at: number }[];
  stop(): Promise<string>;
}

async function startReceiver(tls: { cert: string; key: string }, port: number, metricsPort: number): Promise<Receiver> {
  const child = spawn('taskset', ['-c', '0', process.execPath, CLI, 'detect', '--listen', `127.0.0.1:${port}`, '--tls-cert', tls.cert, '--tls-key', tls.key, '--metrics', `127.0.0.1:${metricsPort}`, '--queue-size', '200000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const alerts: Receiver['alerts'] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    const a = JSON.parse(l) as { auditID: string; ruleId: string };
    alerts.push({ auditID: a.auditID, ruleId: a.ruleId, at: Date.now() });
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const end = Date.now() + 30_000;
  while (!err.includes('receiving audit events')) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`receiver did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child, port, metricsPort, alerts,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      return err;
    },
  };
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

function peakRssMiB(pid: number): number {
  try {
    // taskset execs node: the pid is node's
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, clock ticks (100 Hz)
}

function post(agent: Agent, port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/audit', method: 'POST', agent, rejectUnauthorized: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// as kube-apiserver sends it: the items carry no kind and apiVersion
const ITEM = '{"kind":"Event","apiVersion":"audit.k8s.io/v1",';
const batchBody = (lines: string[]): string => `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[${lines.map((l) => (l.startsWith(ITEM) ? `{${l.slice(ITEM.length)}` : l)).join(',')}]}`;

async function* batches(corpus: string, size: number, limit = Infinity): AsyncGenerator<string[]> {
  let batch: string[] = [];
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(corpus, { highWaterMark: 1 << 20 }), crlfDelay: Infinity })) {
    if (!line) continue;
    batch.push(line);
    if (++n >= limit) break;
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

async function webhookThroughput(corpus: string, tls: { cert: string; key: string }): Promise<void> {
  process.stdout.write(`\n## webhook path: ${fmt(EVENTS)} events in EventList batches of 400 over HTTPS (2 connections, receiver on one core), load average now ${load()}\n`);
  const rx = await startReceiver(tls, 19443, 19464);
  const agent = new Agent({ keepAlive: true, maxSockets: 2, rejectUnauthorized: false });
  const t0 = performance.now();
  const cpu0 = cpuOf(rx.child.pid!);
  let refused = 0;
  const inflight = new Set<Promise<void>>();
  for await (const b of batches(corpus, 400, EVENTS)) {
    const body = batchBody(b);
    const p: Promise<void> = (async () => {
      for (;;) {
        const status = await post(agent, rx.port, body);
        if (status === 200) return;
        if (status !== 503) throw new Error(`receiver answered ${status}`);
        refused++;
        await new Promise((r) => setTimeout(r, 100));
      }
    })().finally(() => inflight.delete(p));
    inflight.add(p);
    if (inflight.size >= 4) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  const acked = performance.now();
  while ((await metric(rx.metricsPort, 'kubemoat_detect_events_total')) < EVENTS || (await metric(rx.metricsPort, 'kubemoat_detect_queue_events')) > 0) await new Promise((r) => setTimeout(r, 50));
  const done = performance.now();
  const cpu = cpuOf(rx.child.pid!) - cpu0;
  const peak = peakRssMiB(rx.child.pid!);
  const dropped = await metric(rx.metricsPort, 'kubemoat_detect_dropped_total');
  agent.destroy();
  const summary = (await rx.stop()).trim().split('\n').pop();
  const wall = (done - t0) / 1000;
  process.stdout.write(`all acknowledged after ${((acked - t0) / 1000).toFixed(2)} s, all processed after ${wall.toFixed(2)} s: ${fmt(EVENTS / wall)} ev/s wall, receiver cpu ${cpu.toFixed(2)} s = ${fmt(EVENTS / cpu)} ev/s cpu, peak RSS ${peak.toFixed(0)} MiB; ${refused} batches refused with 503 (queue full) and resent, ${dropped} events counted as dropped\n  ${summary}\n`);
}

async function latency(corpus: string, tls: { cert: string; key: string }): Promise<void> {
  const rate = 10_000;
  process.stdout.write(`\n## alert latency at ${fmt(rate)} events/s through the webhook (batches of 1,000 every 100 ms, ${LATENCY_S} s, one exec event per batch), load average now ${load()}\n`);
  const rx = await startReceiver(tls, 19444, 19465);
  const agent = new Agent({ keepAlive: true, maxSockets: 2, rejectUnauthorized: false });
  const exec = findDetectionRule('KM-DT-001')!.examples.trigger[0] as Record<string, unknown>;
  const sent = new Map<string, number>();
  const ticks = LATENCY_S * 10;
  const source = batches(corpus, 999, ticks * 999);
  const t0 = performance.now();
  let late = 0;
  const posts: Promise<unknown>[] = [];
  for (let i = 0; i < ticks; i++) {
    const due = t0 + i * 100;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else late++;
    const next = await source.next();
    if (next.done) break;
    const auditID = `bench-marker-${String(i).padStart(6, '0')}-0000-0000-000000000000`.slice(0, 36);
    const now = new Date().toISOString();
    const marker = JSON.stringify({ ...exec, auditID, requestReceivedTimestamp: now, stageTimestamp: now });
    const body = batchBody([...next.value, marker]);
    sent.set(auditID, Date.now());
    posts.push(post(agent, rx.port, body).then((s) => {
      if (s !== 200) process.stdout.write(`batch ${i}: ${s}\n`);
    }, (e: Error) => process.stdout.write(`batch ${i}: ${e.message}\n`)));
  }
  await Promise.all(posts);
  const sentAll = performance.now();
  const deadline = Date.now() + 30_000;
  while (rx.alerts.filter((a) => sent.has(a.auditID)).length < sent.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const lat = rx.alerts.filter((a) => a.ruleId === 'KM-DT-001' && sent.has(a.auditID)).map((a) => a.at - sent.get(a.auditID)!).sort((a, b) => a - b);
  const achieved = (ticks * 1000) / ((sentAll - t0) / 1000);
  agent.destroy();
  await rx.stop();
  const pct = (p: number): number => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))];
  process.stdout.write(`${lat.length} of ${sent.size} marker execs alerted; latency from the POST to the alert on stdout: p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms, max ${lat[lat.length - 1]} ms; ${fmt(achieved)} events/s sent; ${late} ticks late\n`);
  process.stdout.write('(the API server adds its own batching delay before the POST: at most 1 s with the lab\'s --audit-webhook-batch-max-wait=1s)\n');
}

const corpus = join(CACHE, `audit-${EVENTS}-s${SEED}.log`);
mkdirSync(CACHE, { recursive: true });
if (!existsSync(corpus)) {
  process.stdout.write(`generating ${corpus}…\n`);
  const r = await writeCorpus(corpus, { events: EVENTS, seed: SEED });
  process.stdout.write(`${fmt(r.events)} events, ${(r.bytes / 1e6).toFixed(0)} MB\n`);
}
process.stdout.write(`# kubemoat detect benchmark, ${new Date().toISOString()}, node ${process.version}, load average ${load()}\n`);
if (!process.argv.includes('--skip-file')) await fileMode(corpus);
if (!process.argv.includes('--skip-webhook')) {
  const dir = mkdtempSync(join(tmpdir(), 'kubemoat-bench-detect-'));
  try {
    const tls = selfSigned(dir);
    await webhookThroughput(corpus, tls);
    await latency(corpus, tls);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
