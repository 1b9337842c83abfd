// Attribution: which container of this node an event happened in. containerd keeps one bundle per
// running container (`<state>/io.containerd.runtime.v2.task/k8s.io/<id>/`) whose config.json
// carries the CRI annotations (pod, namespace, container, image) and whose init.pid names its first
// process; that process's mount namespace is the key every sensor event carries. A container that
// belongs to another node (another containerd) is simply not in this index.

import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { ContainerRef } from './event.js';

export interface IndexedContainer extends ContainerRef {
  initPid: number;
  mntns: number;
  /** the writable layer of its root file system, on the host ('' when not overlay) */
  upperDir: string;
  /** the device of its own service-account token mount (kernel dev_t), 0 when it has none */
  tokenDevice: number;
}

/** `mnt:[4026531832]` → 4026531832 (0 when unreadable) */
export function nsNumber(link: string): number {
  const m = /\[(\d+)\]/.exec(link);
  return m ? Number(m[1]) : 0;
}

export function mntnsOf(proc: string, pid: number | 'self'): number {
  try {
    return nsNumber(readlinkSync(`${proc}/${pid}/ns/mnt`));
  } catch {
    return 0;
  }
}

interface MountFacts {
  upperDir: string;
  tokenDevice: number;
}

const TOKEN_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** From /proc/PID/mountinfo: the root overlay's upperdir and the token mount's device. */
export function mountFacts(mountinfo: string): MountFacts {
  let upperDir = '';
  let tokenDevice = 0;
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (right === undefined) continue;
    const fields = left.split(' ');
    const mountPoint = fields[4];
    if (mountPoint === '/' && right.startsWith('overlay ')) {
      const m = /(?:^|,)upperdir=([^,]+)/.exec(right.split(' ')[2] ?? '');
      if (m) upperDir = m[1];
    } else if (mountPoint === TOKEN_DIR || mountPoint === TOKEN_DIR.replace('/var/run/', '/run/')) {
      const [major, minor] = (fields[2] ?? '').split(':').map(Number);
      if (Number.isInteger(major) && Number.isInteger(minor)) tokenDevice = major * 2 ** 20 + minor;
    }
  }
  return { upperDir, tokenDevice };
}

type Annotations = Record<string, string>;

function annotationsOf(configJson: string): Annotations | undefined {
  try {
    const spec = JSON.parse(configJson) as { annotations?: unknown };
    return typeof spec.annotations === 'object' && spec.annotations !== null ? (spec.annotations as Annotations) : undefined;
  } catch {
    return undefined;
  }
}

export interface ContainerIndexOptions {
  /** containerd's task directory for the k8s.io namespace */
  taskDir: string;
  /** /proc of the host (`/proc`, or `/host/proc`) */
  proc: string;
  node: string;
  /** rescan at most this often when an unknown mount namespace shows up */
  minRescanMs?: number;
  now?: () => number;
}

export class ContainerIndex {
  private readonly byId = new Map<string, IndexedContainer>();
  private readonly byMntns = new Map<number, IndexedContainer>();
  /** sandboxes (pause) and bundles that could not be read: known, not containers to judge */
  private readonly skipped = new Set<string>();
  private lastScan = -Infinity;
  rescans = 0;
  unreadable = 0;

  constructor(private readonly o: ContainerIndexOptions) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: string): IndexedContainer | undefined {
    return this.byId.get(id);
  }

  /** The container of a mount namespace; an unknown one triggers a (rate-limited) rescan. */
  lookup(mntns: number): IndexedContainer | undefined {
    const hit = this.byMntns.get(mntns);
    if (hit !== undefined) return hit;
    const now = (this.o.now ?? Date.now)();
    if (now - this.lastScan < (this.o.minRescanMs ?? 100)) return undefined;
    this.scan();
    return this.byMntns.get(mntns);
  }

  scan(): void {
    this.lastScan = (this.o.now ?? Date.now)();
    this.rescans++;
    let ids: string[];
    try {
      ids = readdirSync(this.o.taskDir);
    } catch {
      return;
    }
    const live = new Set(ids);
    for (const [id, c] of this.byId)
      if (!live.has(id)) {
        this.byId.delete(id);
        if (this.byMntns.get(c.mntns) === c) this.byMntns.delete(c.mntns);
      }
    for (const id of ids) {
      if (this.byId.has(id) || this.skipped.has(id)) continue;
      const c = this.read(id);
      if (c === undefined) continue;
      this.byId.set(id, c);
      this.byMntns.set(c.mntns, c);
    }
  }

  private read(id: string): IndexedContainer | undefined {
    const dir = `${this.o.taskDir}/${id}`;
    let annotations: Annotations | undefined;
    let initPid: number;
    try {
      annotations = annotationsOf(readFileSync(`${dir}/config.json`, 'utf8'));
      initPid = Number(readFileSync(`${dir}/init.pid`, 'utf8').trim());
    } catch {
      // created but not started yet: read again on the next scan
      return undefined;
    }
    if (annotations === undefined) {
      this.unreadable++;
      this.skipped.add(id);
      return undefined;
    }
    if (annotations['io.kubernetes.cri.container-type'] !== 'container') {
      this.skipped.add(id);
      return undefined;
    }
    const mntns = mntnsOf(this.o.proc, initPid);
    if (mntns === 0) return undefined;
    let facts: MountFacts = { upperDir: '', tokenDevice: 0 };
    try {
      facts = mountFacts(readFileSync(`${this.o.proc}/${initPid}/mountinfo`, 'utf8'));
    } catch {
      // the container's first process is gone: it is stopping
    }
    return {
      id,
      name: annotations['io.kubernetes.cri.container-name'] ?? '',
      pod: annotations['io.kubernetes.cri.sandbox-name'] ?? '',
      namespace: annotations['io.kubernetes.cri.sandbox-namespace'] ?? '',
      podUID: annotations['io.kubernetes.cri.sandbox-uid'] ?? '',
      image: annotations['io.kubernetes.cri.image-name'] ?? '',
      node: this.o.node,
      initPid,
      mntns,
      ...facts,
    };
  }

  /** Whether `binary` (a path inside the container) is in its writable layer: created or changed after start. */
  inUpperLayer(c: IndexedContainer, binary: string): boolean | undefined {
    if (c.upperDir === '' || !binary.startsWith('/')) return undefined;
    return existsSync(`${c.upperDir}${binary}`);
  }
}

/** Public fields only: what an alert names. */
export function containerRef(c: IndexedContainer): ContainerRef {
  return { id: c.id, name: c.name, pod: c.pod, namespace: c.namespace, podUID: c.podUID, image: c.image, node: c.node };
}
