// Wall time, CPU time and peak memory of one command and every process it starts.
//
// Two measures of memory, because peers differ in shape:
// - GNU time's %M (wait4 rusage): the peak RSS of the largest single process in the tree, exact;
// - a sampler that sums VmRSS over the whole process tree every few milliseconds: the peak of the
//   tree, for tools that fork workers (Checkov), approximate (it can miss a peak shorter than the
//   sampling interval).
// The peak reported is the larger of the two.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

export interface Measurement {
  command: string;
  wallS: number;
  /** CPU seconds of the process and its waited-for children (GNU time), if available */
  userS?: number;
  sysS?: number;
  /** largest single-process peak RSS, KiB (GNU time) */
  maxRssKiB?: number;
  /** largest sum of RSS over the process tree seen by the sampler, KiB */
  treePeakKiB: number;
  /** most processes alive at once in the tree (GNU time itself not counted) */
  processes: number;
  /** the larger of the two memory measures, MiB */
  peakRssMiB: number;
  exitCode: number | null;
  signal: string | null;
  stderrTail: string;
  /** 1-minute load average when the command started */
  load1: number;
}

export interface MeasureOptions {
  /** file that receives the command's stdout ('/dev/null' by default) */
  stdoutFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  sampleMs?: number;
}

let gnuTime: boolean | undefined;

export function hasGnuTime(): boolean {
  if (gnuTime === undefined) {
    try {
      const out = execFileSync('/usr/bin/time', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      gnuTime = /GNU/.test(out);
    } catch (e) {
      const err = e as { stderr?: string; stdout?: string };
      gnuTime = /GNU/.test(`${err.stdout ?? ''}${err.stderr ?? ''}`);
    }
  }
  return gnuTime;
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim();
      if (text) for (const c of text.split(/\s+/)) out.push(Number(c));
    } catch {
      // the task ended between the listing and the read
    }
  }
  return out;
}

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Sum of RSS over pid and its descendants, and how many processes that is. */
export function treeRss(root: number, skipRoot: boolean): { kib: number; processes: number } {
  let kib = 0;
  let processes = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() as number;
    if (!(skipRoot && pid === root)) {
      kib += rssKiB(pid);
      processes++;
    }
    for (const c of childrenOf(pid)) stack.push(c);
  }
  return { kib, processes };
}

export function measure(command: string, args: readonly string[], options: MeasureOptions = {}): Promise<Measurement> {
  const useTime = hasGnuTime();
  const timeFile = join(tmpdir(), `kubemoat-bench-time-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e9)}`);
  const argv = useTime ? ['-f', '%e %U %S %M', '-o', timeFile, command, ...args] : [...args];
  const exe = useTime ? '/usr/bin/time' : command;
  const stdoutFd = openSync(options.stdoutFile ?? '/dev/null', 'w');
  const load1 = loadavg()[0];
  const started = performance.now();
  const child = spawn(exe, argv, { stdio: ['ignore', stdoutFd, 'pipe'], env: options.env ?? process.env, cwd: options.cwd });
  closeSync(stdoutFd);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8192);
  });
  let treePeakKiB = 0;
  let processes = 0;
  const sample = (): void => {
    if (child.pid === undefined) return;
    const t = treeRss(child.pid, useTime);
    if (t.kib > treePeakKiB) treePeakKiB = t.kib;
    if (t.processes > processes) processes = t.processes;
  };
  const timer = setInterval(sample, options.sampleMs ?? 40);
  return new Promise((resolve, reject) => {
    child.on('error', (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearInterval(timer);
      const wallS = (performance.now() - started) / 1000;
      const m: Measurement = {
        command: [command, ...args].join(' '),
        wallS,
        treePeakKiB,
        processes,
        peakRssMiB: treePeakKiB / 1024,
        exitCode: code,
        signal,
        stderrTail: stderr,
        load1,
      };
      if (useTime && existsSync(timeFile)) {
        const text = readFileSync(timeFile, 'utf8').trim().split('\n');
        rmSync(timeFile, { force: true });
        // GNU time writes "Command exited with non-zero status N" before the format line
        const last = text[text.length - 1].trim().split(/\s+/).map(Number);
        if (last.length === 4 && last.every((n) => Number.isFinite(n))) {
          m.userS = last[1];
          m.sysS = last[2];
          m.maxRssKiB = last[3];
          m.peakRssMiB = Math.max(treePeakKiB, last[3]) / 1024;
        }
        // GNU time reports the child's exit status as its own
      }
      resolve(m);
    });
  });
}

export function cpuS(m: Measurement): number | undefined {
  return m.userS !== undefined && m.sysS !== undefined ? m.userS + m.sysS : undefined;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
