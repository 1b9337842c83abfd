// The runtime sensor of one node: finds the node's kubelet and containerd (in kubemoat's own
// network namespace, as `kubemoat node` does), indexes their containers, snapshots /proc, then
// streams events from eBPF (bpftrace) or, where that cannot start, from /proc polling, each one
// attributed to its container. It says what it cannot see in `coverage`; it never judges.

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { collectNode, flagOf } from '../node/collect.js';
import { readProcess } from '../node/proc.js';
import { dirOf, resolveFrom } from '../../inventory/kubelet-config.js';
import { ContainerIndex, containerRef, mntnsOf, type IndexedContainer } from './containers.js';
import { kernelDev, SENSOR_STRLEN, sensorProgram, type WatchedInode } from './bpftrace.js';
import { SensorDecoder, type DecodedRecord } from './decode.js';
import { PLACE_CODES } from './places.js';
import { listProcPids, readProcEntry } from './procfs.js';
import type { ProcessEvent, RuntimeEvent, WatchedPlace } from './event.js';

export type SensorMode = 'auto' | 'ebpf' | 'proc';

export interface SensorOptions {
  mode: SensorMode;
  /** /proc of the host */
  proc?: string;
  /** where bpftrace is (default: on PATH) */
  bpftrace?: string;
  /** /proc polling interval (fallback mode) */
  pollMs?: number;
  onEvent(e: RuntimeEvent): void;
  onFork(ppid: number, pid: number): void;
  /** an event in a mount namespace of no container of this node (another node's, or a process of its own) */
  onUnattributed(): void;
  note(message: string): void;
}

export interface NodeFacts {
  node: string;
  hostMntns: number;
  taskDir: string;
  watched: { place: WatchedPlace; path: string }[];
}

export interface RunningSensor {
  mode: 'ebpf' | 'proc';
  facts: NodeFacts;
  containers: ContainerIndex;
  coverage: string[];
  decoder?: SensorDecoder;
  /** own service-account token device of an event's container */
  ownTokenDevice(e: RuntimeEvent): number | undefined;
  stop(): Promise<void>;
  /** resolves when the sensor ends by itself (bpftrace died) */
  ended: Promise<string>;
}

export class SensorError extends Error {}

function containerdState(argv: readonly string[], proc: string, pid: number): string {
  const flag = flagOf(argv, ['--state'])[0];
  if (flag) return flag;
  const config = flagOf(argv, ['--config', '-c'])[0] ?? '/etc/containerd/config.toml';
  try {
    const text = readFileSync(`${proc}/${pid}/root${config}`, 'utf8');
    // top-level `state = "…"` (before the first table)
    const top = text.split(/^\s*\[/m)[0];
    const m = /^\s*state\s*=\s*["']([^"']+)["']/m.exec(top);
    if (m) return m[1];
  } catch {
    // no config file: containerd's default
  }
  return '/run/containerd';
}

/** The node this sensor watches: its name, its containers' bundles, and the places worth watching. */
export async function discoverNode(proc = '/proc'): Promise<NodeFacts> {
  const root = proc === '/proc' ? '/' : proc.replace(/\/proc$/, '');
  const load = await collectNode({ root });
  const containerd = load.runtimes.find((r) => r.runtime === 'containerd');
  if (!containerd) throw new SensorError(`no containerd in this network namespace${load.otherNetns > 0 ? ` (${load.otherNetns} component processes are in other namespaces: run it there, e.g. \`ip netns exec NS kubemoat detect --node\`)` : ''}; the runtime sensor reads containerd's bundles`);
  const state = containerdState(containerd.argv, proc, containerd.pid);
  const watched: NodeFacts['watched'] = [{ place: 'host-etc', path: '/etc' }];
  if (load.kubelet) {
    const kubelet = readProcess(root, load.kubelet.pid);
    const argv = kubelet?.argv ?? [];
    const config = load.kubelet.effective.config;
    const staticPodPath = typeof config.staticPodPath === 'string' ? config.staticPodPath : undefined;
    if (staticPodPath) watched.unshift({ place: 'static-pods', path: staticPodPath });
    // a relative --kubeconfig is the kubelet's own working directory's
    const cwd = kubelet?.cwd || '/';
    const kubeconfig = flagOf(argv, ['--kubeconfig'])[0];
    if (kubeconfig) watched.push({ place: 'kubelet-credentials', path: dirOf(resolveFrom(cwd, kubeconfig)) });
    const rootDir = flagOf(argv, ['--root-dir'])[0] ?? '/var/lib/kubelet';
    watched.push({ place: 'kubelet-credentials', path: flagOf(argv, ['--cert-dir'])[0] ?? `${rootDir}/pki` });
    watched.push({ place: 'kubelet-pods', path: `${rootDir}/pods` });
  }
  const self = mntnsOf(proc, 'self');
  // with the host's PID namespace (a DaemonSet), pid 1's mount namespace is the node's
  const init = mntnsOf(proc, 1);
  return { node: load.nodeName, hostMntns: init || self, taskDir: `${state}/io.containerd.runtime.v2.task/k8s.io`, watched };
}

function inodesOf(facts: NodeFacts, proc: string, note: (m: string) => void): WatchedInode[] {
  const out: WatchedInode[] = [];
  for (const w of facts.watched) {
    // through pid 1's root when kubemoat runs in a pod with the host's PID namespace, else its own view
    const st = statOrUndefined(`${proc}/1/root${w.path}`) ?? statOrUndefined(w.path);
    if (st?.isDirectory()) out.push({ ino: st.ino, dev: kernelDev(st.dev), code: PLACE_CODES[w.place] });
    // a place the node does not have (a kubelet with no cert dir) is nothing to watch, not a gap
    else if (st === undefined && existsSync(w.path)) note(`cannot stat ${w.path} (${w.place}); opens under it are not watched`);
  }
  return out;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function tracefsReady(): boolean {
  return existsSync('/sys/kernel/tracing/events/syscalls');
}

function availableTracepoints(): Set<string> {
  const out = new Set<string>();
  try {
    for (const name of readdirSync('/sys/kernel/tracing/events/syscalls')) out.add(`syscalls:${name}`);
  } catch {
    // no tracefs: the sensor will not start, and says so
  }
  return out;
}

/** Events of processes already running, attributed; the rest counted. */
function snapshot(proc: string, facts: NodeFacts, index: ContainerIndex, o: SensorOptions, known?: Map<number, number>): void {
  const now = Date.now();
  for (const pid of listProcPids(proc)) {
    if (known?.has(pid)) continue;
    const p = readProcEntry(proc, pid);
    if (p === undefined) continue;
    known?.set(pid, now);
    if (p.mntns === facts.hostMntns) continue;
    const c = index.lookup(p.mntns);
    if (c === undefined) continue;
    const e: ProcessEvent = { kind: 'process', time: now, pid, ppid: p.ppid, comm: p.comm, uid: p.uid, mntns: p.mntns, binary: p.binary, argv: p.argv, stdin: p.stdin, stdout: p.stdout, fileless: p.fileless, container: containerRef(c) };
    const upper = index.inUpperLayer(c, p.binary);
    if (upper !== undefined) e.upperLayer = upper;
    o.onEvent(e);
  }
}

export async function startSensor(o: SensorOptions): Promise<RunningSensor> {
  const proc = o.proc ?? '/proc';
  const facts = await discoverNode(proc);
  const coverage: string[] = [];
  const note = (m: string): void => {
    coverage.push(m);
    o.note(m);
  };
  const index = new ContainerIndex({ taskDir: facts.taskDir, proc, node: facts.node });
  index.scan();
  const byMntns = (mntns: number): IndexedContainer | undefined => (mntns === facts.hostMntns ? undefined : index.lookup(mntns));
  const ownTokenDevice = (e: RuntimeEvent): number | undefined => {
    const c = e.container && index.get(e.container.id);
    return c && c.tokenDevice !== 0 ? c.tokenDevice : undefined;
  };

  snapshot(proc, facts, index, o);

  const attribute = (r: DecodedRecord): void => {
    if (r.kind === 'ready') return;
    if (r.kind === 'fork') return o.onFork(r.ppid, r.pid);
    const c = byMntns(r.mntns);
    if (c === undefined) {
      // the node's own processes still feed the process tree (runc, an escaped shell)
      if (r.mntns === facts.hostMntns && r.kind === 'exec') o.onEvent(r);
      else if (r.mntns !== facts.hostMntns) o.onUnattributed();
      return;
    }
    const e: RuntimeEvent = { ...r, container: containerRef(c) };
    if (e.kind === 'exec') {
      const upper = index.inUpperLayer(c, e.binary);
      if (upper !== undefined) e.upperLayer = upper;
      if (e.pid === c.initPid) e.containerInit = true;
    }
    o.onEvent(e);
  };

  const wantEbpf = o.mode !== 'proc';
  if (wantEbpf) {
    const why = await ebpfProblem(o.bpftrace ?? 'bpftrace');
    if (why === undefined) {
      const program = sensorProgram({ hostMntns: facts.hostMntns, watched: inodesOf(facts, proc, note), tracepoints: availableTracepoints() });
      if (program.missing.length > 0) note(`this kernel has no tracepoint for ${program.missing.join(', ')}; those calls are not seen`);
      const started = await runBpftrace(o.bpftrace ?? 'bpftrace', program.text, attribute).catch((e: Error) => e);
      if (!(started instanceof Error)) return { mode: 'ebpf', facts, containers: index, coverage, decoder: started.decoder, ownTokenDevice, stop: started.stop, ended: started.ended };
      if (o.mode === 'ebpf') throw new SensorError(`eBPF sensor did not start: ${started.message}`);
      note(`eBPF sensor did not start (${started.message}); falling back to /proc polling`);
    } else {
      if (o.mode === 'ebpf') throw new SensorError(`eBPF sensor unavailable: ${why}`);
      note(`eBPF sensor unavailable (${why}); falling back to /proc polling`);
    }
  }
  note('/proc polling: processes that live shorter than the poll interval, connections, file opens and syscalls are not seen, and a command started from outside a container cannot be told from one the container started');
  return pollProc(proc, facts, index, o, coverage, ownTokenDevice);
}

async function ebpfProblem(bpftrace: string): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root (CAP_BPF and CAP_PERFMON, and reading other processes\' /proc)';
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'the kernel has no BTF (/sys/kernel/btf/vmlinux)';
  if (!tracefsReady()) {
    await new Promise<void>((resolve) => spawn('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing'], { stdio: 'ignore' }).on('close', () => resolve()).on('error', () => resolve()));
    if (!tracefsReady()) return 'tracefs is not mounted at /sys/kernel/tracing and could not be mounted';
  }
  const found = await new Promise<boolean>((resolve) => spawn(bpftrace, ['--version'], { stdio: 'ignore' }).on('close', (code) => resolve(code === 0)).on('error', () => resolve(false)));
  return found ? undefined : `${bpftrace} is not installed (Debian: apt-get install bpftrace)`;
}

interface Bpftrace {
  decoder: SensorDecoder;
  stop(): Promise<void>;
  ended: Promise<string>;
}

const READY_TIMEOUT_MS = 60_000;

function runBpftrace(bin: string, program: string, onRecord: (r: DecodedRecord) => void): Promise<Bpftrace> {
  const decoder = new SensorDecoder();
  const child: ChildProcess = spawn(bin, ['-f', 'json', '-e', program], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BPFTRACE_STRLEN: String(SENSOR_STRLEN) } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 8192) stderr += d.toString('utf8');
  });
  const ended = new Promise<string>((resolve) => {
    child.on('close', (code, signal) => resolve(`bpftrace exited (${signal ?? `code ${code}`})`));
    child.on('error', (e) => resolve(`bpftrace: ${e.message}`));
  });
  return new Promise((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      if (!ready) {
        child.kill('SIGKILL');
        reject(new Error(`bpftrace was not ready after ${READY_TIMEOUT_MS / 1000} s`));
      }
    }, READY_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      for (const r of decoder.line(line)) {
        if (r.kind === 'ready' && !ready) {
          ready = true;
          clearTimeout(timer);
          resolve({
            decoder,
            ended,
            stop: async () => {
              // SIGINT lets bpftrace detach and flush what it printed
              if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
              const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
              await ended;
              clearTimeout(killer);
            },
          });
        }
        onRecord(r);
      }
    });
    void ended.then((why) => {
      if (!ready) {
        clearTimeout(timer);
        const first = stderr.split('\n').find((l) => /error/i.test(l) && !/RLIMIT_MEMLOCK/.test(l)) ?? why;
        reject(new Error(first.trim()));
      }
    });
  });
}

function pollProc(proc: string, facts: NodeFacts, index: ContainerIndex, o: SensorOptions, coverage: string[], ownTokenDevice: RunningSensor['ownTokenDevice']): RunningSensor {
  const known = new Map<number, number>();
  for (const pid of listProcPids(proc)) known.set(pid, 0);
  let stopped = false;
  let endedResolve: (why: string) => void = () => undefined;
  const ended = new Promise<string>((r) => (endedResolve = r));
  const tick = (): void => {
    if (stopped) return;
    const live = new Set(listProcPids(proc));
    for (const pid of known.keys()) if (!live.has(pid)) known.delete(pid);
    snapshot(proc, facts, index, o, known);
    timer = setTimeout(tick, o.pollMs ?? 250);
  };
  let timer = setTimeout(tick, o.pollMs ?? 250);
  return {
    mode: 'proc',
    facts,
    containers: index,
    coverage,
    ownTokenDevice,
    ended,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      endedResolve('stopped');
    },
  };
}
