// Turns the sensor's output lines (bpftrace `-f json`: one JSON object a line) into runtime events.
// An exec is two records: the argv read at execve's entry (keyed by thread id, in pairs) and the
// exec itself; they are joined here. Anything garbled, truncated or unknown is counted, never
// thrown: the sensor must outlive bad input.

import { WATCHED_SYSCALLS, type FdKind, type RuntimeEvent, type WatchedSyscall } from './event.js';
import { placeOfCode } from './places.js';
import { ARGV_READ } from './bpftrace.js';

export interface DecodeStats {
  lines: number;
  events: number;
  /** lines that are not what the sensor prints (bad JSON, unknown record, wrong field count) */
  garbled: number;
  /** events the kernel dropped (bpftrace's lost-event notices) */
  lost: number;
  /** argv records never followed by their exec (a failed execve) */
  orphanArgv: number;
}

/** What the decoder hands on, before attribution; fork records only feed the process tree. */
export type DecodedRecord = RuntimeEvent | { kind: 'fork'; time: number; ppid: number; pid: number } | { kind: 'ready' };

const MAX_PENDING = 4096;

/** i_mode's file type bits → what the descriptor is. */
export function fdKind(modeOctal: string): FdKind {
  const mode = Number.parseInt(modeOctal, 8);
  if (!Number.isFinite(mode) || mode === 0) return 'none';
  switch (mode & 0o170000) {
    case 0o140000:
      return 'socket';
    case 0o020000:
      return 'tty';
    case 0o010000:
      return 'pipe';
    case 0o100000:
      return 'file';
    default:
      return 'other';
  }
}

const num = (s: string | undefined): number => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : NaN);
const SYSCALLS = new Set<string>(WATCHED_SYSCALLS);

export class SensorDecoder {
  readonly stats: DecodeStats = { lines: 0, events: 0, garbled: 0, lost: 0, orphanArgv: 0 };
  private readonly argv = new Map<number, string[]>();
  private readonly mountSource = new Map<number, Extract<RuntimeEvent, { kind: 'syscall' }>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** One line of bpftrace's JSON output; returns the records it completes. */
  line(text: string): DecodedRecord[] {
    this.stats.lines++;
    // bpftrace prints blank lines at exit, before its map dump
    if (text.trim() === '') return [];
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.stats.garbled++;
      return [];
    }
    if (typeof value !== 'object' || value === null) return this.garbled();
    const v = value as { type?: unknown; data?: unknown };
    if (v.type === 'lost_events') {
      const n = typeof v.data === 'object' && v.data !== null ? Number((v.data as { events?: unknown }).events) : NaN;
      this.stats.lost += Number.isFinite(n) ? n : 1;
      return [];
    }
    if (v.type === 'attached_probes' || v.type === 'map' || v.type === 'time') return [];
    if (v.type !== 'printf' || typeof v.data !== 'string') return this.garbled();
    return this.record(v.data.endsWith('\n') ? v.data.slice(0, -1) : v.data);
  }

  private garbled(): DecodedRecord[] {
    this.stats.garbled++;
    return [];
  }

  private emit(r: DecodedRecord): DecodedRecord[] {
    if (r.kind !== 'ready' && r.kind !== 'fork') this.stats.events++;
    return [r];
  }

  /** One printf record: a letter, then tab-separated fields. */
  record(text: string): DecodedRecord[] {
    const f = text.split('\t');
    const time = this.now();
    switch (f[0]) {
      case 'R':
        return [{ kind: 'ready' }];
      case 'A': {
        const tid = num(f[1]);
        const at = num(f[2]);
        if (f.length !== 5 || !(tid > 0) || !(at >= 0 && at < ARGV_READ && at % 2 === 0)) return this.garbled();
        let argv = this.argv.get(tid);
        if (at === 0 || argv === undefined) {
          if (argv !== undefined) this.stats.orphanArgv++;
          if (this.argv.size >= MAX_PENDING) {
            this.argv.delete(this.argv.keys().next().value as number);
            this.stats.orphanArgv++;
          }
          argv = [];
          this.argv.set(tid, argv);
        }
        argv[at] = f[3];
        argv[at + 1] = f[4];
        return [];
      }
      case 'E': {
        if (f.length !== 11) return this.garbled();
        const pid = num(f[1]);
        const ppid = num(f[2]);
        const uid = num(f[4]);
        const mntns = num(f[5]);
        if (!(pid > 0) || !(ppid >= 0) || !(uid >= 0) || !(mntns > 0)) return this.garbled();
        const raw = this.argv.get(pid) ?? [];
        this.argv.delete(pid);
        // the kernel read ARGV_READ slots; the first empty one is the end (a NULL pointer reads as "")
        const end = raw.findIndex((a) => a === '' || a === undefined);
        const argv = end < 0 ? raw : raw.slice(0, end);
        return this.emit({ kind: 'exec', time, pid, ppid, parentComm: f[3], uid, mntns, binary: f[6], argv: argv.length > 0 ? argv : [f[6]], stdin: fdKind(f[7]), stdout: fdKind(f[8]), fileless: f[9] === '0', comm: f[10] });
      }
      case 'F': {
        const ppid = num(f[1]);
        const pid = num(f[2]);
        if (f.length !== 3 || !(ppid > 0) || !(pid > 0)) return this.garbled();
        return [{ kind: 'fork', time, ppid, pid }];
      }
      case 'X': {
        const pid = num(f[1]);
        const mntns = num(f[2]);
        if (f.length !== 3 || !(pid > 0) || !(mntns > 0)) return this.garbled();
        this.argv.delete(pid);
        return this.emit({ kind: 'exit', time, pid, comm: '', uid: 0, mntns });
      }
      case 'C': {
        if (f.length !== 8) return this.garbled();
        const pid = num(f[1]);
        const uid = num(f[3]);
        const mntns = num(f[4]);
        const port = num(f[7]);
        const family = f[5] === '4' ? 'inet' : f[5] === '6' ? 'inet6' : f[5] === 'u' ? 'unix' : undefined;
        if (!(pid > 0) || !(uid >= 0) || !(mntns > 0) || family === undefined || !(port >= 0 && port <= 65535)) return this.garbled();
        return this.emit({ kind: 'connect', time, pid, comm: f[2], uid, mntns, family, address: f[6], port });
      }
      case 'O': {
        if (f.length !== 10) return this.garbled();
        const pid = num(f[1]);
        const uid = num(f[3]);
        const mntns = num(f[4]);
        const place = placeOfCode(num(f[5]));
        if (!(pid > 0) || !(uid >= 0) || !(mntns > 0) || place === undefined) return this.garbled();
        return this.emit({ kind: 'open', time, pid, comm: f[2], uid, mntns, place, write: f[6] !== '0', truncate: f[7] !== '0', device: num(f[8]), path: f[9] });
      }
      case 'S': {
        if (f.length !== 7 || !SYSCALLS.has(f[5])) return this.garbled();
        const pid = num(f[1]);
        const uid = num(f[3]);
        const mntns = num(f[4]);
        if (!(pid > 0) || !(uid >= 0) || !(mntns > 0)) return this.garbled();
        const e = { kind: 'syscall' as const, time, pid, comm: f[2], uid, mntns, call: f[5] as WatchedSyscall, detail: f[6] };
        if (e.call === 'mount') {
          // its file-system type follows in a T record (one printf may hold one long string)
          if (this.mountSource.size >= MAX_PENDING) this.mountSource.clear();
          this.mountSource.set(pid, e);
          return [];
        }
        return this.emit(e);
      }
      case 'T': {
        const pid = num(f[1]);
        const mount = this.mountSource.get(pid);
        if (f.length !== 3 || mount === undefined) return this.garbled();
        this.mountSource.delete(pid);
        return this.emit({ ...mount, detail: `${mount.detail} type=${f[2]}` });
      }
      default:
        return this.garbled();
    }
  }
}
