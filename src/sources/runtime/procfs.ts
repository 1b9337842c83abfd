// /proc for the runtime sensor: the processes already running when it starts (a miner started
// before the sensor is found too), and polling for new ones where eBPF is unavailable. A process
// that exits between the listing and the read is skipped, never an error.

import { readFileSync, readlinkSync, readdirSync } from 'node:fs';
import type { FdKind } from './event.js';
import { splitNul } from '../node/proc.js';

export interface ProcSnapshotEntry {
  pid: number;
  ppid: number;
  comm: string;
  uid: number;
  mntns: number;
  binary: string;
  argv: string[];
  stdin: FdKind;
  stdout: FdKind;
  fileless: boolean;
  /** utime + stime, in clock ticks (for CPU shares between polls) */
  cpuTicks: number;
}

/** What /proc/PID/fd/N points at. */
export function fdKindOfLink(link: string | undefined): FdKind {
  if (link === undefined) return 'none';
  if (link.startsWith('socket:')) return 'socket';
  if (link.startsWith('pipe:')) return 'pipe';
  if (/^\/dev\/(?:pts\/\d+|tty\w*|console)$/.test(link)) return 'tty';
  if (link.startsWith('/')) return 'file';
  return 'other';
}

function link(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** /proc/PID/stat: the command name is in parentheses and may itself hold spaces and parentheses. */
export function parseStat(text: string): { comm: string; ppid: number; cpuTicks: number } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  const ppid = Number(rest[1]);
  const cpuTicks = Number(rest[11]) + Number(rest[12]);
  if (!Number.isInteger(ppid)) return undefined;
  return { comm: text.slice(open + 1, close), ppid, cpuTicks: Number.isFinite(cpuTicks) ? cpuTicks : 0 };
}

export function readProcEntry(proc: string, pid: number): ProcSnapshotEntry | undefined {
  const dir = `${proc}/${pid}`;
  try {
    const cmdline = readFileSync(`${dir}/cmdline`, 'utf8');
    if (cmdline === '') return undefined; // a kernel thread
    const stat = parseStat(readFileSync(`${dir}/stat`, 'utf8'));
    if (stat === undefined) return undefined;
    const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`${dir}/status`, 'utf8'))?.[1] ?? NaN);
    const mnt = /\[(\d+)\]/.exec(link(`${dir}/ns/mnt`) ?? '');
    if (!mnt) return undefined;
    const exe = link(`${dir}/exe`) ?? '';
    return {
      pid,
      ppid: stat.ppid,
      comm: stat.comm,
      uid: Number.isFinite(uid) ? uid : -1,
      mntns: Number(mnt[1]),
      binary: exe.replace(/ \(deleted\)$/, ''),
      argv: splitNul(cmdline),
      stdin: fdKindOfLink(link(`${dir}/fd/0`)),
      stdout: fdKindOfLink(link(`${dir}/fd/1`)),
      fileless: exe.endsWith(' (deleted)') || exe.startsWith('/memfd:'),
      cpuTicks: stat.cpuTicks,
    };
  } catch {
    return undefined;
  }
}

export function listProcPids(proc: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync(proc)) if (/^\d+$/.test(name)) out.push(Number(name));
  return out;
}
