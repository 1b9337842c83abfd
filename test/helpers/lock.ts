// A lock shared by test processes (node --test runs files in parallel): the lab's audit webhook
// address (NODE_IP:9443 of a profile) can be served by one receiver at a time, and two test files
// need it. mkdir is atomic; the holder's pid is kept so a lock left by a killed run is taken over.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Wait (up to `timeoutMs`) until this process holds the lock `name`; returns its release. */
export async function holdLock(name: string, timeoutMs = 20 * 60_000): Promise<() => void> {
  const dir = join(tmpdir(), `kubemoat-test-lock-${name}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      let held = true;
      return () => {
        if (held) rmSync(dir, { recursive: true, force: true });
        held = false;
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    } catch {
      // the holder is between mkdir and writing its pid, or just released
    }
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) rmSync(dir, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`lock ${name} still held by pid ${holder} after ${timeoutMs / 1000} s (${dir})`);
    else await new Promise((r) => setTimeout(r, 250));
  }
}

/** The lock on a lab profile's audit webhook receiver address. */
export const auditSinkLock = (profile: string): Promise<() => void> => holdLock(`audit-sink-${profile}`);
