// Benchmark of `kubemoat detect --node` (the runtime sensor): figures are printed, never asserted.
//
//   npx tsc -p tsconfig.json
//   node dist/bench/runtime.js [--events 500000] [--runs 3] [--idle-seconds 10] [--storm-seconds 10]
//                              [--storm-rate 1000] [--latency-runs 50] [--skip-engine] [--skip-sensor] [--skip-latency]
//
// 1. In this process, one core: RuntimeDetector.event() with every runtime rule on a generated mix
//    of container events (execs with parents, connects, opens, exits, a few attacks), and
//    SensorDecoder.line() on the same events as the bpftrace JSON lines sensorProgram prints, next
//    to a bare JSON.parse of those lines (the floor for any reader of bpftrace's output).
// 2. As root, on the lab's insecure node (network namespace kubemoat-lab-insecure, pod lab-apps/app
//    up): CPU seconds and peak RSS of (a) bpftrace alone, running the sensor's program into a pipe a
//    Node reader drains, and (b) the whole `detect --node --no-stdout` (node + its bpftrace), idle
//    and during an exec storm inside the app container (batches of /bin/true through nsenter,
//    paced to --storm-rate execs/s); lost events; events seen per second.
// 3. Exec-to-alert latency: the kubelet's anonymous /run (`id` in lab-apps/app) through curl inside
//    the lab namespace, time from the request to the KM-RT-001 line on the detector's stdout.
//
// Every process started here is tracked and killed at the end (or on error / after --deadline s).

import { seededRandom } from '../test/helpers/random.js';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RuntimeDetector } from '../src/detect/runtime/engine.js';
import { runtimeRules } from '../src/detect/runtime/rules/index.js';
import { DEFAULT_RUNTIME_SETTINGS } from '../src/detect/runtime/rule.js';
import { SensorDecoder } from '../src/sources/runtime/decode.js';
import { ARGV_READ, SENSOR_STRLEN, sensorProgram } from '../src/sources/runtime/bpftrace.js';
import { PLACE_CODES } from '../src/sources/runtime/places.js';
import type { ContainerRef, ExecEvent, FdKind, RuntimeEvent } from '../src/sources/runtime/event.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);
const EVENTS = Number(arg('events', '500000'));
const RUNS = Number(arg('runs', '3'));
const IDLE_S = Number(arg('idle-seconds', '10'));
const STORM_S = Number(arg('storm-seconds', '10'));
const STORM_RATE = Number(arg('storm-rate', '1000'));
const LATENCY_RUNS = Number(arg('latency-runs', '50'));
const DEADLINE_S = Number(arg('deadline', '600'));
const NETNS = 'kubemoat-lab-insecure';
const TASK_DIR = '/run/kubemoat-lab/insecure/containerd/io.containerd.runtime.v2.task/k8s.io';
const KUBELET_RUN = 'https://10.77.1.10:10250/run/lab-apps/app/app?cmd=id';
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const out = (s: string): void => void process.stdout.write(s + '\n');

// ---------------------------------------------------------------- processes started here

const started = new Set<ChildProcess>();
const extraPids = new Set<number>();
function track(c: ChildProcess): ChildProcess {
  started.add(c);
  c.once('exit', () => started.delete(c));
  return c;
}
function killAll(): void {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pid of extraPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}
process.on('exit', killAll);
const deadline = setTimeout(() => {
  process.stderr.write(`runtime bench: deadline of ${DEADLINE_S} s reached, stopping everything\n`);
  killAll();
  process.exit(2);
}, DEADLINE_S * 1000);
deadline.unref();

// ---------------------------------------------------------------- 1. the synthetic mix

interface Box {
  ref: ContainerRef;
  mntns: number;
  init: number;
  initComm: string;
  tokenDevice: number;
}


const WORKLOADS: { name: string; image: string; entry: string[]; comm: string; children: string[][]; peers: [string, number][] }[] = [
  { name: 'api', image: 'registry.example.com/shop/api:1.42.0', entry: ['/app/api', '--config', '/etc/api/config.yaml'], comm: 'api', children: [['/bin/sh', '-c', 'curl -fsS http://127.0.0.1:8080/healthz'], ['curl', '-fsS', 'http://127.0.0.1:8080/healthz']], peers: [['10.96.0.10', 53], ['10.96.12.7', 5432], ['10.96.40.2', 6379], ['127.0.0.1', 8080]] },
  { name: 'nginx', image: 'docker.io/library/nginx:1.27', entry: ['nginx', '-g', 'daemon off;'], comm: 'nginx', children: [['/bin/sh', '-c', 'nginx -t'], ['nginx', '-t']], peers: [['10.96.3.14', 8080], ['10.96.0.10', 53]] },
  { name: 'worker', image: 'registry.example.com/jobs/worker:7.1', entry: ['python3', '/app/worker.py'], comm: 'python3', children: [['/usr/bin/git', 'fetch', '--depth', '1', 'origin'], ['/usr/bin/ssh', '-o', 'BatchMode=yes', 'git@git.example.com']], peers: [['10.96.40.2', 6379], ['10.96.0.1', 443], ['10.96.0.10', 53]] },
  { name: 'exporter', image: 'quay.io/prometheus/node-exporter:v1.8.2', entry: ['/bin/node_exporter'], comm: 'node_exporter', children: [['/bin/sh', '-c', 'cat /proc/loadavg'], ['cat', '/proc/loadavg']], peers: [['10.96.0.1', 443]] },
];

function boxes(n: number): Box[] {
  const out: Box[] = [];
  for (let i = 0; i < n; i++) {
    const w = WORKLOADS[i % WORKLOADS.length];
    const id = (i.toString(16).padStart(8, '0') + 'c0ffee').repeat(5).slice(0, 64);
    out.push({
      ref: { id, name: w.name, pod: `${w.name}-7d9f${i.toString(36).padStart(4, '0')}-x${i % 10}k2p`, namespace: ['shop', 'jobs', 'monitoring', 'lab-apps'][i % 4], podUID: `0b6c3f1e-5d1a-4a57-9b61-${i.toString(16).padStart(12, '0')}`, image: w.image, node: 'kubemoat-insecure' },
      mntns: 4026532300 + i * 7,
      init: 20000 + i * 100,
      initComm: w.comm,
      tokenDevice: 41 + i,
    });
  }
  return out;
}

interface Mix {
  events: RuntimeEvent[];
  /** what sensorProgram prints for the same events (fork records included), as bpftrace -f json lines */
  lines: string[];
  execs: number;
  attacks: number;
}

const MODE: Record<FdKind, string> = { pipe: '10600', socket: '140777', tty: '20620', file: '100644', none: '0', other: '60660' };
const jsonLine = (data: string): string => `{"type": "printf", "data": ${JSON.stringify(data + '\n')}}`;

function execLines(e: ExecEvent): string[] {
  const lines: string[] = [];
  for (let i = 0; i < ARGV_READ; i += 2) lines.push(jsonLine(`A\t${e.pid}\t${i}\t${e.argv[i] ?? ''}\t${e.argv[i + 1] ?? ''}`));
  lines.push(jsonLine(`E\t${e.pid}\t${e.ppid}\t${e.parentComm}\t${e.uid}\t${e.mntns}\t${e.binary}\t${MODE[e.stdin]}\t${MODE[e.stdout]}\t${e.fileless ? 0 : 1}\t${e.comm}`));
  return lines;
}

function linesOf(e: RuntimeEvent): string[] {
  switch (e.kind) {
    case 'exec':
      return execLines(e);
    case 'exit':
      return [jsonLine(`X\t${e.pid}\t${e.mntns}`)];
    case 'connect':
      return [jsonLine(`C\t${e.pid}\t${e.comm}\t${e.uid}\t${e.mntns}\t${e.family === 'inet' ? 4 : e.family === 'inet6' ? 6 : 'u'}\t${e.address}\t${e.port}`)];
    case 'open':
      return [jsonLine(`O\t${e.pid}\t${e.comm}\t${e.uid}\t${e.mntns}\t${PLACE_CODES[e.place]}\t${e.write ? 2 : 0}\t${e.truncate ? 512 : 0}\t${e.device}\t${e.path}`)];
    case 'syscall':
      return [jsonLine(`S\t${e.pid}\t${e.comm}\t${e.uid}\t${e.mntns}\t${e.call}\t${e.detail}`)];
    default:
      return [];
  }
}

function generate(n: number, seed = 1): Mix {
  const r = seededRandom(seed);
  const all = boxes(40);
  const events: RuntimeEvent[] = [];
  const lines: string[] = [];
  const T0 = Date.parse('2026-12-07T09:00:00Z');
  let clock = T0;
  let nextPid = 100000;
  let execs = 0;
  let attacks = 0;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const push = (e: RuntimeEvent, fork?: number): void => {
    events.push(e);
    if (fork !== undefined) lines.push(jsonLine(`F\t${fork}\t${e.pid}`));
    for (const l of linesOf(e)) lines.push(l);
  };
  const base = (b: Box, pid: number, comm: string) => ({ time: clock, pid, comm, uid: 0, mntns: b.mntns, container: b.ref });
  const exec = (b: Box, pid: number, ppid: number, parentComm: string, argv: string[], o: Partial<ExecEvent> = {}): ExecEvent => {
    const binary = o.binary ?? (argv[0].startsWith('/') ? argv[0] : `/usr/bin/${argv[0]}`);
    execs++;
    return { kind: 'exec', ...base(b, pid, binary.split('/').pop()!.slice(0, 15)), ppid, parentComm, argv, stdin: 'pipe', stdout: 'pipe', fileless: false, ...o, binary };
  };
  // every container's entrypoint first (started by the shim)
  for (const b of all) {
    const w = WORKLOADS.find((x) => x.comm === b.initComm)!;
    push(exec(b, b.init, 19000, 'containerd-shim', w.entry, { stdin: 'none', stdout: 'pipe' }), 19000);
  }
  while (events.length < n) {
    clock += 2; // ~500 events per simulated second
    const b = pick(all);
    const w = WORKLOADS.find((x) => x.comm === b.initComm)!;
    const x = r();
    if (x < 0.002) {
      // attacks: the kubelet door, a network tool, the metadata endpoint, another pod's token
      attacks++;
      const pid = nextPid++;
      const y = r();
      if (y < 0.25) push(exec(b, pid, 19500, 'runc:[2:INIT]', ['id'], { binary: '/usr/bin/id' }));
      else if (y < 0.5) push(exec(b, pid, b.init, b.initComm, ['nc', '10.77.1.10', '10250']), b.init);
      else if (y < 0.75) push({ kind: 'connect', ...base(b, b.init, b.initComm), family: 'inet', address: '169.254.169.254', port: 80 });
      else push({ kind: 'open', ...base(b, b.init, b.initComm), place: 'service-account-token', path: 'token', write: false, truncate: false, device: b.tokenDevice + 1000 });
      push({ kind: 'exit', ...base(b, pid, ''), comm: '' });
    } else if (x < 0.45) {
      // a probe or hook: sh -c "…" then its child, each with connect/exit
      const sh = nextPid++;
      const [shArgv, childArgv] = w.children;
      push(exec(b, sh, b.init, b.initComm, shArgv, { binary: shArgv[0].startsWith('/bin/sh') ? '/bin/sh' : undefined }), b.init);
      const c = nextPid++;
      push(exec(b, c, sh, 'sh', childArgv), sh);
      const [addr, port] = pick(w.peers);
      push({ kind: 'connect', ...base(b, c, childArgv[0].split('/').pop()!.slice(0, 15)), family: 'inet', address: addr, port });
      push({ kind: 'exit', ...base(b, c, ''), comm: '' });
      push({ kind: 'exit', ...base(b, sh, ''), comm: '' });
    } else if (x < 0.8) {
      // the workload's own connections
      const [addr, port] = pick(w.peers);
      const pid = b.init + 1 + Math.floor(r() * 8);
      if (r() < 0.05) push({ kind: 'connect', ...base(b, pid, b.initComm), family: 'unix', address: '/var/run/app/app.sock', port: 0 });
      else push({ kind: 'connect', ...base(b, pid, b.initComm), family: 'inet', address: addr, port });
    } else {
      // watched opens a workload makes itself: its own token, its logs
      if (r() < 0.5) push({ kind: 'open', ...base(b, b.init, b.initComm), place: 'service-account-token', path: 'token', write: false, truncate: false, device: b.tokenDevice });
      else push({ kind: 'open', ...base(b, b.init, b.initComm), place: 'log', path: `${w.name}.log`, write: true, truncate: false, device: 64771 });
    }
    if (nextPid > 4_000_000) nextPid = 100000;
  }
  return { events, lines, execs, attacks };
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function engineBench(): void {
  out(`\n## 1. engine and decoder, in this process (one core), load average ${load()}`);
  const t = performance.now();
  const mix = generate(EVENTS);
  const kinds = new Map<string, number>();
  for (const e of mix.events) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
  const bytes = mix.lines.reduce((s, l) => s + l.length + 1, 0);
  out(`mix: ${fmt(mix.events.length)} events (${[...kinds].map(([k, n]) => `${k} ${fmt(n)}`).join(', ')}) in 40 containers, ${fmt(mix.attacks)} attacks; ${fmt(mix.lines.length)} bpftrace JSON lines (${(bytes / 2 ** 20).toFixed(1)} MiB), generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const devices = new Map<string, number>();
  for (const b of boxes(40)) devices.set(b.ref.id, b.tokenDevice);

  const detect = (events: readonly RuntimeEvent[]): { s: number; cpu: number; alerts: Map<string, number> } => {
    const alerts = new Map<string, number>();
    const d = new RuntimeDetector({
      rules: runtimeRules,
      settings: DEFAULT_RUNTIME_SETTINGS,
      node: 'kubemoat-insecure',
      emit: (a) => alerts.set(a.ruleId, (alerts.get(a.ruleId) ?? 0) + 1),
      ownTokenDevice: (e) => (e.container ? devices.get(e.container.id) : undefined),
      now: () => 0,
    });
    const c0 = cpuNow();
    const t0 = performance.now();
    for (const e of events) d.event(e);
    return { s: (performance.now() - t0) / 1000, cpu: cpuNow() - c0, alerts };
  };
  const decode = (lines: readonly string[]): { s: number; records: number; garbled: number } => {
    const dec = new SensorDecoder();
    let records = 0;
    const t0 = performance.now();
    for (const l of lines) records += dec.line(l).length;
    return { s: (performance.now() - t0) / 1000, records, garbled: dec.stats.garbled };
  };
  const parse = (lines: readonly string[]): { s: number; n: number } => {
    let n = 0;
    const t0 = performance.now();
    for (const l of lines) if ((JSON.parse(l) as { type: string }).type === 'printf') n++;
    return { s: (performance.now() - t0) / 1000, n };
  };
  // warm-up on a slice, then RUNS timed passes; best of each
  detect(mix.events.slice(0, 50_000));
  decode(mix.lines.slice(0, 100_000));
  parse(mix.lines.slice(0, 100_000));
  let bestDetect: ReturnType<typeof detect> | undefined;
  let bestDecode: ReturnType<typeof decode> | undefined;
  let bestParse: ReturnType<typeof parse> | undefined;
  for (let i = 0; i < RUNS; i++) {
    const a = detect(mix.events);
    const b = decode(mix.lines);
    const c = parse(mix.lines);
    out(`  run ${i + 1}: detector ${a.s.toFixed(3)} s (cpu ${a.cpu.toFixed(3)} s), decoder ${b.s.toFixed(3)} s, JSON.parse ${c.s.toFixed(3)} s, load1 ${loadavg()[0].toFixed(2)}`);
    if (!bestDetect || a.s < bestDetect.s) bestDetect = a;
    if (!bestDecode || b.s < bestDecode.s) bestDecode = b;
    if (!bestParse || c.s < bestParse.s) bestParse = c;
  }
  const a = bestDetect!;
  const b = bestDecode!;
  const c = bestParse!;
  const total = [...a.alerts.values()].reduce((s, n) => s + n, 0);
  out(`RuntimeDetector.event(), ${runtimeRules.length} rules: ${fmt(mix.events.length / a.s)} events/s (best of ${RUNS}), ${fmt(total)} alerts (${[...a.alerts].sort().map(([k, n]) => `${k} ${n}`).join(', ')})`);
  out(`SensorDecoder.line(): ${fmt(mix.lines.length / b.s)} lines/s = ${fmt(mix.events.length / b.s)} events/s (${fmt(b.records)} records, ${b.garbled} garbled)`);
  out(`JSON.parse of the same lines (floor): ${fmt(mix.lines.length / c.s)} lines/s = ${fmt(mix.events.length / c.s)} events/s`);
  out(`ratio decoder / JSON.parse: ${(b.s / c.s).toFixed(2)}x; decoder + detector per event: ${(((a.s + b.s) / mix.events.length) * 1e6).toFixed(2)} µs = ${fmt(mix.events.length / (a.s + b.s))} events/s on one core`);
}

// ---------------------------------------------------------------- 2. the sensor on the lab

function procCpuS(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime, stime (fields 14, 15)
  } catch {
    return NaN;
  }
}
function hwmMiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}
function childrenOf(pid: number, comm: string): number[] {
  const outPids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const c = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid && c === comm) outPids.push(Number(name));
    } catch {
      // exited while listed
    }
  }
  return outPids;
}

function appInitPid(): number {
  for (const id of readdirSync(TASK_DIR)) {
    try {
      const a = (JSON.parse(readFileSync(join(TASK_DIR, id, 'config.json'), 'utf8')) as { annotations?: Record<string, string> }).annotations ?? {};
      if (a['io.kubernetes.cri.container-name'] === 'app' && a['io.kubernetes.cri.sandbox-name'] === 'app') return Number(readFileSync(join(TASK_DIR, id, 'init.pid'), 'utf8').trim());
    } catch {
      // a bundle being created or removed
    }
  }
  throw new Error(`no container app of pod app under ${TASK_DIR}: is the insecure lab up?`);
}

interface Storm {
  execs: number;
  wallS: number;
  rate: number;
  batches: number;
  late: number;
}

/**
 * Batches of /bin/true inside the app container, one batch started every 100 ms (at most two at
 * once), paced to STORM_RATE execs/s. The pacing runs in its own Node process, so that the CPU of
 * this process (the reader in 2a) is the reader's only.
 */
const STORM_DRIVER = `
const { spawn } = require('node:child_process');
const [pid, ticks, perBatch] = process.argv.slice(1).map(Number);
const script = 'i=0; while [ $i -lt ' + perBatch + ' ]; do /bin/true; i=$((i+1)); done';
const t0 = performance.now();
let running = 0, late = 0, started = 0, failed = 0;
const one = () => new Promise((r) => { running++; started++; const c = spawn('nsenter', ['-t', String(pid), '-m', '-p', '--', '/bin/sh', '-c', script], { stdio: 'ignore' }); c.on('exit', (code) => { running--; if (code !== 0) failed++; r(); }); });
const all = [];
(async () => {
  for (let k = 0; k < ticks; k++) {
    const wait = t0 + k * 100 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait)); else late++;
    while (running >= 2) await new Promise((r) => setTimeout(r, 2));
    all.push(one());
  }
  await Promise.all(all);
  process.stdout.write(JSON.stringify({ wallS: (performance.now() - t0) / 1000, late, started, failed }));
})();
`;

async function storm(seconds: number): Promise<Storm> {
  const pid = appInitPid();
  const ticks = seconds * 10;
  const perBatch = Math.max(1, Math.round(STORM_RATE / 10));
  const c = track(spawn(process.execPath, ['-e', STORM_DRIVER, String(pid), String(ticks), String(perBatch)], { stdio: ['ignore', 'pipe', 'inherit'] }));
  let text = '';
  c.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  const killer = setTimeout(() => c.kill('SIGKILL'), (seconds + 30) * 1000);
  await new Promise((r) => c.once('close', r));
  clearTimeout(killer);
  const r = JSON.parse(text) as { wallS: number; late: number; started: number; failed: number };
  if (r.failed > 0) throw new Error(`${r.failed} storm batches failed`);
  const execs = r.started * perBatch;
  return { execs, wallS: r.wallS, rate: execs / r.wallS, batches: ticks, late: r.late };
}

interface Window {
  label: string;
  wallS: number;
  cpu: Record<string, number>;
  hwm: Record<string, number>;
  events: number;
  lost: number;
  storm?: Storm;
}

function windowRow(w: Window): string {
  const cpu = Object.entries(w.cpu).map(([k, v]) => `${k} ${v.toFixed(2)} s (${((v / w.wallS) * 100).toFixed(1)} % of a core)`).join(', ');
  const hwm = Object.entries(w.hwm).map(([k, v]) => `${k} ${v.toFixed(0)} MiB`).join(', ');
  return `${w.label.padEnd(6)} ${w.wallS.toFixed(1)} s: cpu ${cpu}; VmHWM ${hwm}; ${fmt(w.events / w.wallS)} events/s seen (${fmt(w.events)}), ${w.lost} lost${w.storm ? `; storm ${fmt(w.storm.execs)} execs in ${w.storm.wallS.toFixed(1)} s = ${fmt(w.storm.rate)} execs/s (${w.storm.late} of ${w.storm.batches} batch starts late)` : ''}  load1 ${loadavg()[0].toFixed(2)}`;
}

async function measureWindow(label: string, seconds: number, pids: Record<string, number>, counts: () => Promise<{ events: number; lost: number }>, doStorm: boolean): Promise<Window> {
  const before: Record<string, number> = {};
  for (const [k, p] of Object.entries(pids)) before[k] = k === 'reader' ? cpuNow() : procCpuS(p);
  const c0 = await counts();
  const t0 = performance.now();
  let s: Storm | undefined;
  if (doStorm) s = await storm(seconds);
  else await sleep(seconds * 1000);
  await sleep(300); // let the last events drain
  const c1 = await counts();
  const wallS = (performance.now() - t0) / 1000;
  const cpu: Record<string, number> = {};
  const hwm: Record<string, number> = {};
  for (const [k, p] of Object.entries(pids)) {
    cpu[k] = (k === 'reader' ? cpuNow() : procCpuS(p)) - before[k];
    if (k !== 'reader') hwm[k] = hwmMiB(p);
  }
  return { label, wallS, cpu, hwm, events: c1.events - c0.events, lost: c1.lost - c0.lost, ...(s ? { storm: s } : {}) };
}

function hostProgram(): string {
  if (!existsSync('/sys/kernel/tracing/events/syscalls')) execFileSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing']);
  const hostMntns = Number(/\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/mnt'))![1]);
  const tracepoints = new Set(readdirSync('/sys/kernel/tracing/events/syscalls').map((n) => `syscalls:${n}`));
  return sensorProgram({ hostMntns, watched: [], tracepoints }).text;
}

async function bpftraceAlone(): Promise<void> {
  out(`\n## 2a. bpftrace alone (sensor program, no watched inodes) into a Node reader, load average ${load()}`);
  const child = track(spawn('bpftrace', ['-f', 'json', '-e', hostProgram()], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BPFTRACE_STRLEN: String(SENSOR_STRLEN) } }));
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => void (stderr.length < 4096 && (stderr += d.toString())));
  let ready = false;
  let lines = 0;
  let events = 0;
  let lost = 0;
  let sample = '';
  const tStart = performance.now();
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines++;
    let v: { type: string; data: unknown };
    try {
      v = JSON.parse(l) as { type: string; data: unknown };
    } catch {
      return; // bpftrace's exit output (map dumps) may hold blank lines
    }
    if (v.type === 'printf' && typeof v.data === 'string') {
      const k = v.data[0];
      if (k === 'R') ready = true;
      else if (k === 'E' || k === 'C' || k === 'O' || k === 'X' || k === 'S' || k === 'T') events++;
      if (k === 'E' && sample === '') sample = l;
    } else if (v.type === 'lost_events') lost += Number((v.data as { events?: number }).events ?? 1);
  });
  while (!ready) {
    if (child.exitCode !== null || performance.now() - tStart > 60_000) throw new Error(`bpftrace did not start: ${stderr}`);
    await sleep(50);
  }
  out(`ready after ${((performance.now() - tStart) / 1000).toFixed(1)} s (attach); bpftrace cpu so far ${procCpuS(child.pid!).toFixed(2)} s`);
  const pids = { bpftrace: child.pid!, reader: process.pid };
  const counts = async () => ({ events, lost });
  const idle = await measureWindow('idle', IDLE_S, pids, counts, false);
  out(windowRow(idle));
  const st = await measureWindow('storm', STORM_S, pids, counts, true);
  out(windowRow(st));
  child.kill('SIGINT');
  await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  out(`lines read ${fmt(lines)}, ${lost} lost in all; first exec line as bpftrace printed it: ${sample.replace(/\t/g, '\\t')}`);
}

async function metricsOf(port: number): Promise<{ events: number; lost: number }> {
  const text = await new Promise<string>((resolve) => {
    const c = track(spawn('ip', ['netns', 'exec', NETNS, 'curl', '-s', '--max-time', '5', `http://127.0.0.1:${port}/metrics`], { stdio: ['ignore', 'pipe', 'ignore'] }));
    let s = '';
    c.stdout!.on('data', (d: Buffer) => (s += d.toString()));
    c.once('close', () => resolve(s));
  });
  let events = 0;
  for (const m of text.matchAll(/^kubemoat_detect_runtime_events_total\{[^}]*\} (\S+)$/gm)) events += Number(m[1]);
  const lost = Number(/^kubemoat_detect_runtime_lost_total (\S+)$/m.exec(text)?.[1] ?? NaN);
  return { events, lost };
}

interface Detector {
  child: ChildProcess;
  node: number;
  bpftrace: number;
  stderr: () => string;
  alerts: { ruleId: string; command?: string; at: number }[];
  onAlert?: () => void;
  stop(): Promise<string>;
}

async function startDetector(args: string[]): Promise<Detector> {
  const child = track(spawn('ip', ['netns', 'exec', NETNS, process.execPath, CLI, 'detect', '--node', ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const d: Detector = {
    child,
    node: child.pid!,
    bpftrace: 0,
    stderr: () => err,
    alerts: [],
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      clearTimeout(killer);
      return err;
    },
  };
  createInterface({ input: child.stdout! }).on('line', (l) => {
    const at = performance.now();
    try {
      const a = JSON.parse(l) as { ruleId: string; details?: { command?: string } };
      d.alerts.push({ ruleId: a.ruleId, command: a.details?.command, at });
      d.onAlert?.();
    } catch {
      // not an alert
    }
  });
  const t0 = performance.now();
  while (!err.includes('runtime sensor watching node')) {
    if (child.exitCode !== null || performance.now() - t0 > 90_000) throw new Error(`detect --node did not start: ${err}`);
    await sleep(50);
  }
  d.bpftrace = childrenOf(d.node, 'bpftrace')[0] ?? 0;
  if (d.bpftrace) extraPids.add(d.bpftrace);
  if (readFileSync(`/proc/${d.node}/comm`, 'utf8').trim() !== 'node') throw new Error('the detector pid is not node\'s');
  out(`started in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${err.trim().split('\n').filter((l) => /watching|sensor:/.test(l)).join(' | ')}`);
  return d;
}

async function fullDetector(): Promise<void> {
  out(`\n## 2b. ip netns exec ${NETNS} node dist/src/cli/main.js detect --node --no-stdout, load average ${load()}`);
  const port = 19000 + Math.floor(Math.random() * 900);
  const d = await startDetector(['--no-stdout', '--metrics', `127.0.0.1:${port}`]);
  if (!d.bpftrace) throw new Error('no bpftrace child of the detector');
  out(`cpu at ready: node ${procCpuS(d.node).toFixed(2)} s, bpftrace ${procCpuS(d.bpftrace).toFixed(2)} s; VmHWM node ${hwmMiB(d.node).toFixed(0)} MiB`);
  const pids = { node: d.node, bpftrace: d.bpftrace };
  const counts = () => metricsOf(port);
  const idle = await measureWindow('idle', IDLE_S, pids, counts, false);
  out(windowRow(idle));
  const st = await measureWindow('storm', STORM_S, pids, counts, true);
  out(windowRow(st));
  const err = await d.stop();
  extraPids.delete(d.bpftrace);
  out(`summary: ${err.trim().split('\n').filter((l) => l.includes('detect --node:')).join(' ')}`);
}

// ---------------------------------------------------------------- 3. exec-to-alert latency

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function latency(): Promise<void> {
  out(`\n## 3. exec-to-alert latency: ${LATENCY_RUNS} × curl -XPOST ${KUBELET_RUN} (in ${NETNS}), load average ${load()}`);
  const d = await startDetector([]);
  await sleep(1000);
  const lat: number[] = [];
  const curlMs: number[] = [];
  let missed = 0;
  for (let i = 0; i < LATENCY_RUNS; i++) {
    const seen = d.alerts.length;
    const got = new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 10_000);
      d.onAlert = () => {
        const a = d.alerts.slice(seen).find((x) => x.ruleId === 'KM-RT-001' && x.command === 'id');
        if (a) {
          clearTimeout(timer);
          resolve(a.at);
        }
      };
    });
    const sent = performance.now();
    const c = track(spawn('ip', ['netns', 'exec', NETNS, 'curl', '-sk', '--max-time', '10', '-XPOST', KUBELET_RUN], { stdio: 'ignore' }));
    const done = new Promise<number>((r) => c.once('exit', () => r(performance.now())));
    const at = await got;
    curlMs.push((await done) - sent);
    if (at === undefined) missed++;
    else lat.push(at - sent);
    await sleep(200);
  }
  d.onAlert = undefined;
  const err = await d.stop();
  extraPids.delete(d.bpftrace);
  out(`KM-RT-001 alerts matched: ${lat.length} of ${LATENCY_RUNS} (${missed} missed within 10 s)`);
  if (lat.length > 0) out(`request → alert line: p50 ${pct(lat, 50).toFixed(0)} ms, p95 ${pct(lat, 95).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms, min ${Math.min(...lat).toFixed(0)} ms`);
  out(`request → curl exit (the kubelet's answer): p50 ${pct(curlMs, 50).toFixed(0)} ms, p95 ${pct(curlMs, 95).toFixed(0)} ms, max ${Math.max(...curlMs).toFixed(0)} ms`);
  out(`summary: ${err.trim().split('\n').filter((l) => l.includes('detect --node:')).join(' ')}`);
}

async function main(): Promise<void> {
  const head = (() => {
    try {
      return execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  })();
  out(`# kubemoat detect --node benchmark: commit ${head} (+ working tree), node ${process.version}, ${runtimeRules.length} runtime rules, load average ${load()}, ${new Date().toISOString()}`);
  if (!flag('skip-engine')) engineBench();
  const root = process.getuid?.() === 0;
  if (!root && !(flag('skip-sensor') && flag('skip-latency'))) out('\n(not root: the sensor and latency parts are skipped)');
  if (root && !flag('skip-sensor')) {
    await bpftraceAlone();
    await fullDetector();
  }
  if (root && !flag('skip-latency')) await latency();
  out(`\nload average at the end ${load()}`);
}

main()
  .catch((e: Error) => {
    process.stderr.write(`runtime bench failed: ${e.stack ?? e.message}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    killAll();
  });
