// Reading processes from /proc (under a host root such as /host): command line, working
// directory, executable, network namespace and selected environment variables. Only facts; a
// process that vanishes between the listing and the read is simply not there.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcProcess {
  pid: number;
  argv: string[];
  /** the working directory as the process sees it ('' when unreadable) */
  cwd: string;
  /** /proc/PID/exe's target ('' when unreadable) */
  exe: string;
  /** `net:[4026531833]`, or '' when unreadable */
  netns: string;
}

export function procDir(root: string): string {
  return root === '/' ? '/proc' : `${root.replace(/\/+$/, '')}/proc`;
}

export function listPids(root: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync(procDir(root))) if (/^\d+$/.test(name)) out.push(Number(name));
  return out.sort((a, b) => a - b);
}

/** NUL-separated words, as in /proc/PID/cmdline and environ; a trailing NUL ends the last word. */
export function splitNul(text: string): string[] {
  if (text === '') return [];
  const words = text.split('\0');
  if (words[words.length - 1] === '') words.pop();
  return words;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readLink(path: string): string {
  try {
    return readlinkSync(path).replace(/ \(deleted\)$/, '');
  } catch {
    return '';
  }
}

/** The process, or undefined when it is gone or is a kernel thread (no command line). */
export function readProcess(root: string, pid: number): ProcProcess | undefined {
  const dir = `${procDir(root)}/${pid}`;
  const cmdline = readText(`${dir}/cmdline`);
  if (cmdline === undefined || cmdline === '') return undefined;
  return { pid, argv: splitNul(cmdline), cwd: readLink(`${dir}/cwd`), exe: readLink(`${dir}/exe`), netns: readLink(`${dir}/ns/net`) };
}

/** The process's environment variables whose names start with `prefix` (e.g. ETCD_), in order. */
export function readEnv(root: string, pid: number, prefix: string): { name: string; value: string }[] {
  const text = readText(`${procDir(root)}/${pid}/environ`);
  if (text === undefined) return [];
  const out: { name: string; value: string }[] = [];
  for (const entry of splitNul(text)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const name = entry.slice(0, eq);
    if (name.startsWith(prefix)) out.push({ name, value: entry.slice(eq + 1) });
  }
  return out;
}

/** The network namespace of the auditing process itself: node components share it (they run on the host network). */
export function ownNetns(): string {
  return readLink('/proc/self/ns/net');
}

/** The systemd unit a process runs in, from its cgroup (`…/kubelet.service`), if any. */
export function systemdUnit(root: string, pid: number): string | undefined {
  const text = readText(`${procDir(root)}/${pid}/cgroup`);
  if (text === undefined) return undefined;
  const m = /\/([^/\n]+\.service)(?:\/|\n|$)/.exec(text);
  return m?.[1];
}
