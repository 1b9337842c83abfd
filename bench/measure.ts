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
  /** stopped after MeasureOptions.timeoutS: the wall time is a lower bound */
  timedOut: boolean;
}

export interface MeasureOptions {
  /** file that receives the command's stdout ('/dev/null' by default) */
  stdoutFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  sampleMs?: number;
  /** stop the whole process tree after this many seconds */
  timeoutS?: number;
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

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** user + system CPU seconds of one process so far (from /proc/PID/stat) */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
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
export function treeRss(root: number, skipRoot: boolean): { kib: number; processes: number; cpuS: number } {
  let kib = 0;
  let processes = 0;
  let cpuS = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() as number;
    if (!(skipRoot && pid === root)) {
      kib += rssKiB(pid);
      cpuS += cpuSeconds(pid);
      processes++;
    }
    for (const c of childrenOf(pid)) stack.push(c);
  }
  return { kib, processes, cpuS };
}

export function measure(command: string, args: readonly string[], options: MeasureOptions = {}): Promise<Measurement> {
  const useTime = hasGnuTime();
  const timeFile = join(tmpdir(), `kubemoat-bench-time-${process.pid}-${Date.now()}-${Math.floor(Math.random() * 1e9)}`);
  const argv = useTime ? ['-f', '%e %U %S %M', '-o', timeFile, command, ...args] : [...args];
  const exe = useTime ? '/usr/bin/time' : command;
  const stdoutFd = openSync(options.stdoutFile ?? '/dev/null', 'w');
  const load1 = loadavg()[0];
  const started = performance.now();
  // its own process group, so that a timeout can stop the command and everything it started
  const child = spawn(exe, argv, { stdio: ['ignore', stdoutFd, 'pipe'], env: options.env ?? process.env, cwd: options.cwd, detached: true });
  closeSync(stdoutFd);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8192);
  });
  let treePeakKiB = 0;
  let processes = 0;
  /** CPU seconds of the live tree at the last sample: a lower bound when wait4 figures are missing */
  let sampledCpuS = 0;
  const sample = (): void => {
    if (child.pid === undefined) return;
    const t = treeRss(child.pid, useTime);
    if (t.kib > treePeakKiB) treePeakKiB = t.kib;
    if (t.processes > processes) processes = t.processes;
    if (t.cpuS > sampledCpuS) sampledCpuS = t.cpuS;
  };
  const timer = setInterval(sample, options.sampleMs ?? 40);
  let timedOut = false;
  const killer =
    options.timeoutS !== undefined
      ? setTimeout(() => {
          timedOut = true;
          try {
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }, options.timeoutS * 1000)
      : undefined;
  return new Promise((resolve, reject) => {
    child.on('error', (e) => {
      clearInterval(timer);
      if (killer) clearTimeout(killer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearInterval(timer);
      if (killer) clearTimeout(killer);
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
        timedOut,
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
      if (m.userS === undefined && sampledCpuS > 0) {
        // no wait4 figures (stopped at the timeout, or no GNU time): the sampled CPU time
        m.userS = sampledCpuS;
        m.sysS = 0;
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
