// Each workload's normal: the programs (by name) its containers run and the addresses they connect to,
// learned for a window (`--learn 10m`) and then kept as one YAML file per workload container in the
// state directory, where a person can review and edit it. After the window, what is new stands out
// (KM-RT-016, KM-RT-017). A workload is named from its pod the way its controller names pods:
// `web-7d9f8c6b5-x2x9q` (Deployment) → `web`, `agent-x2x9q` (DaemonSet) → `agent`, `db-0`
// (StatefulSet) → `db`; a pod whose name does not follow a controller's pattern is its own workload.

import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ContainerRef } from '../../sources/runtime/event.js';

export interface WorkloadBaseline {
  namespace: string;
  workload: string;
  container: string;
  image: string;
  /** when learning began and, once it has, ended (ISO times) */
  learnedFrom: string;
  learnedUntil?: string;
  executables: Set<string>;
  destinations: Set<string>;
}

export type BaselineView = { state: 'learning' } | { state: 'enforcing'; executables: ReadonlySet<string>; destinations: ReadonlySet<string> };

/** The workload a pod belongs to, from its name. */
export function workloadOf(pod: string): string {
  const deployment = /^(.+)-[0-9a-f]{6,10}-[0-9a-z]{5}$/.exec(pod);
  if (deployment) return deployment[1];
  const daemonOrJob = /^(.+)-[0-9a-z]{5}$/.exec(pod);
  if (daemonOrJob && /\d/.test(pod.slice(-5))) return daemonOrJob[1];
  const stateful = /^(.+)-\d+$/.exec(pod);
  if (stateful) return stateful[1];
  return pod;
}

const MAX_ENTRIES = 1_000;

function keyOf(c: ContainerRef): string {
  return `${c.namespace}/${workloadOf(c.pod)}/${c.name}`;
}

export class BaselineStore {
  private readonly byKey = new Map<string, WorkloadBaseline>();
  private readonly firstSeen = new Map<string, number>();
  loadProblems: string[] = [];

  constructor(private readonly dir: string, private readonly learnMs: number) {
    this.load();
  }

  private fileOf(b: { namespace: string; workload: string; container: string }): string {
    return join(this.dir, b.namespace, `${b.workload}.${b.container}.yaml`);
  }

  private load(): void {
    let namespaces: string[];
    try {
      namespaces = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const ns of namespaces) {
      let files: string[] = [];
      try {
        files = readdirSync(join(this.dir, ns)).filter((f) => f.endsWith('.yaml'));
      } catch {
        continue;
      }
      for (const f of files) {
        const path = join(this.dir, ns, f);
        try {
          const doc = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
          const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
          const b: WorkloadBaseline = {
            namespace: String(doc.namespace),
            workload: String(doc.workload),
            container: String(doc.container),
            image: String(doc.image ?? ''),
            learnedFrom: String(doc.learnedFrom ?? ''),
            ...(typeof doc.learnedUntil === 'string' ? { learnedUntil: doc.learnedUntil } : {}),
            executables: new Set(list(doc.executables)),
            destinations: new Set(list(doc.destinations)),
          };
          this.byKey.set(`${b.namespace}/${b.workload}/${b.container}`, b);
        } catch (e) {
          this.loadProblems.push(`${path}: ${(e as Error).message}; that workload learns again`);
        }
      }
    }
  }

  private entry(c: ContainerRef, time: number): WorkloadBaseline {
    const key = keyOf(c);
    let b = this.byKey.get(key);
    if (b === undefined) {
      b = { namespace: c.namespace, workload: workloadOf(c.pod), container: c.name, image: c.image, learnedFrom: new Date(time).toISOString(), executables: new Set(), destinations: new Set() };
      this.byKey.set(key, b);
    }
    // a baseline saved while still learning goes on learning from the first event of this run
    if (!this.firstSeen.has(key)) this.firstSeen.set(key, time);
    return b;
  }

  /** Learning or enforcing at `time` (the event's); a learning window that has run out is closed and saved here. */
  view(c: ContainerRef, time: number): BaselineView {
    const b = this.entry(c, time);
    if (b.learnedUntil !== undefined) return { state: 'enforcing', executables: b.executables, destinations: b.destinations };
    if (time - this.firstSeen.get(keyOf(c))! < this.learnMs) return { state: 'learning' };
    b.learnedUntil = new Date(time).toISOString();
    this.save(b);
    return { state: 'enforcing', executables: b.executables, destinations: b.destinations };
  }

  /** Records what a container did while its workload is learning. */
  learn(c: ContainerRef, time: number, what: { executable?: string; destination?: string }): void {
    const b = this.entry(c, time);
    if (b.learnedUntil !== undefined) return;
    if (what.executable !== undefined && b.executables.size < MAX_ENTRIES) b.executables.add(what.executable);
    if (what.destination !== undefined && b.destinations.size < MAX_ENTRIES) b.destinations.add(what.destination);
  }

  save(b: WorkloadBaseline): void {
    const path = this.fileOf(b);
    mkdirSync(join(this.dir, b.namespace), { recursive: true });
    const text = stringify({ namespace: b.namespace, workload: b.workload, container: b.container, image: b.image, learnedFrom: b.learnedFrom, ...(b.learnedUntil ? { learnedUntil: b.learnedUntil } : {}), executables: [...b.executables].sort(), destinations: [...b.destinations].sort() });
    writeFileSync(`${path}.tmp`, `# kubemoat detect --node baseline: edit freely; programs and destinations listed here raise no KM-RT-016/017\n${text}`);
    renameSync(`${path}.tmp`, path);
  }

  /** At shutdown: baselines still learning are kept as learned so far, to go on next time. */
  saveAll(): void {
    for (const b of this.byKey.values()) this.save(b);
  }
}
