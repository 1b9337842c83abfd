// The runtime detector: keeps the process tree of the node's containers (which command started
// which, and which descend from a command started from outside the container), hands each event to
// the rules that asked for its kind, applies allow-lists and the repeat window, and emits alerts in
// the same model as audit alerts. It also takes the API server's pods/exec events, so that an exec
// the kubelet ran with no API request behind it (the kubelet door) stands out, and a reverse shell
// inside an API exec session is one alert with the exec in its chain.

import type { RuntimeAlert } from '../alert.js';
import { toRuntimeAlert } from '../alert.js';
import type { ChainLink } from '../rule.js';
import { basename, programName, type ProcessStart, type RuntimeEvent, type RuntimeEventKind } from '../../sources/runtime/event.js';
import { redactArgv } from './redact.js';
import type { ExecSession, RuntimeCheck, RuntimeHit, RuntimeRule, RuntimeSettings, RuntimeView, TrackedProcess } from './rule.js';
import { RuntimeAllowList } from './allow.js';
import type { BaselineStore } from './baseline.js';

export interface RuntimeStats {
  events: Map<RuntimeEventKind, number>;
  /** events in a mount namespace that is neither the node's nor one of its containers' */
  unattributed: number;
  alerts: Map<string, number>;
  allowed: Map<string, number>;
  repeats: Map<string, number>;
  ruleErrors: number;
  /** runtime execs matched to an API pods/exec */
  auditMatched: number;
}

/** An API pods/exec, as the audit stream reported it. */
export interface AuditExec {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  auditID: string;
  user: string;
  /** ms since the epoch */
  time: number;
  timestamp: string;
}

export interface RuntimeDetectorOptions {
  rules: readonly RuntimeRule[];
  settings: RuntimeSettings;
  node: string;
  allow?: RuntimeAllowList;
  emit(alert: RuntimeAlert): void;
  /** an audit stream is attached: execs wait up to `auditGraceMs` for their pods/exec */
  auditAttached?: boolean;
  auditGraceMs?: number;
  ownTokenDevice?(e: RuntimeEvent): number | undefined;
  /** workloads' learned normal (`--learn`) */
  baseline?: BaselineStore;
  onRuleError?(ruleId: string, error: unknown): void;
  now?(): number;
}

interface Armed {
  rule: RuntimeRule;
  check: RuntimeCheck;
}

interface Held {
  armed: Armed;
  hit: RuntimeHit;
  event: RuntimeEvent;
  session: ExecSession;
  process: TrackedProcess;
  deadline: number;
}

const MAX_PROCESSES = 65_536;
const MAX_FORKS = 65_536;
const MAX_AUDIT_EXECS = 10_000;
const MAX_REPEAT_KEYS = 100_000;

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Whether an API exec and a runtime exec are the same command in the same container. */
export function sameExec(a: AuditExec, s: ExecSession, e: RuntimeEvent, maxSkewMs: number): boolean {
  const c = e.container;
  if (!c || a.namespace !== c.namespace || a.pod !== c.pod) return false;
  if (a.container !== '' && a.container !== c.name) return false;
  if (Math.abs(a.time - s.time) > maxSkewMs) return false;
  const first = a.command[0];
  return first === undefined || basename(first) === basename(s.argv[0] ?? '');
}

export class RuntimeDetector {
  readonly stats: RuntimeStats = { events: new Map(), unattributed: 0, alerts: new Map(), allowed: new Map(), repeats: new Map(), ruleErrors: 0, auditMatched: 0 };
  private readonly byKind = new Map<RuntimeEventKind, Armed[]>();
  private readonly processes = new Map<number, TrackedProcess>();
  /** a forked child → its parent, for children that never exec (a subshell) */
  private readonly forkParent = new Map<number, number>();
  private readonly auditExecs: AuditExec[] = [];
  private held: Held[] = [];
  private readonly lastSent = new Map<string, number>();
  private readonly allow: RuntimeAllowList;
  private readonly now: () => number;
  private readonly view: RuntimeView;
  /** the node's name, once the sensor has found it */
  node: string;

  constructor(private readonly o: RuntimeDetectorOptions) {
    this.node = o.node;
    this.allow = o.allow ?? new RuntimeAllowList([]);
    this.now = o.now ?? Date.now;
    for (const rule of o.rules) {
      const armed = { rule, check: rule.create(o.settings) };
      for (const kind of rule.on) this.byKind.set(kind, [...(this.byKind.get(kind) ?? []), armed]);
    }
    const baseline = o.baseline;
    this.view = {
      process: (pid) => this.processes.get(pid),
      ownTokenDevice: (e) => o.ownTokenDevice?.(e),
      baseline: (e) => (baseline && e.container ? baseline.view(e.container, e.time) : undefined),
    };
  }

  get graceMs(): number {
    return this.o.auditGraceMs ?? 35_000;
  }

  fork(ppid: number, pid: number): void {
    if (this.forkParent.size >= MAX_FORKS) this.forkParent.clear();
    this.forkParent.set(pid, ppid);
  }

  /** The nearest known ancestor: the parent, or the process that forked the parent. */
  private ancestor(ppid: number): TrackedProcess | undefined {
    let pid = ppid;
    for (let hops = 0; hops < 8; hops++) {
      const p = this.processes.get(pid);
      if (p) return p;
      const up = this.forkParent.get(pid);
      if (up === undefined) return undefined;
      pid = up;
    }
    return undefined;
  }

  private track(e: ProcessStart): TrackedProcess {
    const parent = this.ancestor(e.ppid);
    // a command the runtime started in a running container (CRI exec) has runc as its parent, or the
    // shim when runc exited first (measured: 4 of 30 kubelet /run execs); a container's entrypoint is
    // reparented to the shim too, and is told apart by being the bundle's init process
    const fromOutside =
      e.kind === 'exec' && e.container !== undefined && parent?.container === undefined && (/^runc/.test(e.parentComm) || (/^containerd-shim/.test(e.parentComm) && e.containerInit !== true));
    const p: TrackedProcess = {
      pid: e.pid,
      ppid: e.ppid,
      binary: e.binary,
      argv: e.argv,
      program: programName(e),
      ...(e.container ? { container: e.container } : {}),
      startedAt: e.time,
      stdin: e.stdin,
      stdout: e.stdout,
    };
    if (fromOutside) p.session = { rootPid: e.pid, argv: e.argv, time: e.time };
    else if (parent?.session && parent.container?.id === e.container?.id) p.session = parent.session;
    if (this.processes.size >= MAX_PROCESSES) this.processes.delete(this.processes.keys().next().value as number);
    this.processes.set(e.pid, p);
    if (p.session && p.session.rootPid === e.pid) this.matchSession(p.session, e);
    return p;
  }

  event(e: RuntimeEvent): void {
    bump(this.stats.events, e.kind);
    const p = e.kind === 'exec' || e.kind === 'process' ? this.track(e) : this.processes.get(e.pid);
    if (this.o.baseline && e.container) this.learn(e, p);
    const armed = this.byKind.get(e.kind);
    if (armed) for (const a of armed) this.run(a, e, p);
    if (e.kind === 'exit') {
      this.processes.delete(e.pid);
      this.forkParent.delete(e.pid);
    }
  }

  private learn(e: RuntimeEvent, p: TrackedProcess | undefined): void {
    const b = this.o.baseline!;
    const c = e.container!;
    if (b.view(c, e.time).state !== 'learning') return;
    if ((e.kind === 'exec' || e.kind === 'process') && p) b.learn(c, e.time, { executable: p.program });
    else if (e.kind === 'connect' && e.family !== 'unix') b.learn(c, e.time, { destination: `${e.address}:${e.port}` });
  }

  unattributed(): void {
    this.stats.unattributed++;
  }

  private run(armed: Armed, e: RuntimeEvent, p: TrackedProcess | undefined): void {
    let hit: RuntimeHit | undefined;
    try {
      hit = armed.check(e, this.view);
    } catch (error) {
      this.stats.ruleErrors++;
      this.o.onRuleError?.(armed.rule.meta.id, error);
      return;
    }
    if (!hit) return;
    if (hit.awaitAudit && this.o.auditAttached && p?.session) {
      if (p.session.audit) return; // the API exec already explains it; KM-DT-001 reported it
      this.held.push({ armed, hit, event: e, session: p.session, process: p, deadline: this.now() + this.graceMs });
      return;
    }
    this.send(armed, hit, e, p);
  }

  private send(armed: Armed, hit: RuntimeHit, e: RuntimeEvent, p: TrackedProcess | undefined): void {
    const id = armed.rule.meta.id;
    if (!this.allow.empty && this.allow.allows(id, e, p)) {
      bump(this.stats.allowed, id);
      return;
    }
    const window = armed.rule.meta.repeatWindowSec;
    if (window !== undefined) {
      const key = `${id}\u0000${e.container?.id ?? ''}\u0000${hit.message}`;
      const last = this.lastSent.get(key);
      if (last !== undefined && e.time - last < window * 1000) {
        bump(this.stats.repeats, id);
        return;
      }
      if (this.lastSent.size >= MAX_REPEAT_KEYS) this.lastSent.clear();
      this.lastSent.set(key, e.time);
    }
    const session = p?.session;
    let chained = hit;
    if (session?.audit && session.rootPid !== e.pid && hit.chain === undefined) {
      const link: ChainLink = { auditID: session.audit.auditID, time: session.audit.time, summary: `${session.audit.user} opened pods/exec \`${redactArgv(session.argv).join(' ')}\`` };
      chained = { ...hit, chain: [link], message: `${hit.message}, inside the exec session ${session.audit.user} opened through the API` };
    }
    bump(this.stats.alerts, id);
    this.o.emit(
      toRuntimeAlert({
        meta: armed.rule.meta,
        hit: chained,
        event: e,
        node: this.node,
        now: this.now(),
        process: {
          pid: e.pid,
          ...(p ? { ppid: p.ppid, binary: p.binary, argv: redactArgv(p.argv) } : {}),
          comm: e.comm,
          uid: e.uid,
          ...(session ? { execSession: { rootPid: session.rootPid, argv: redactArgv(session.argv), ...(session.audit ? { auditID: session.audit.auditID, user: session.audit.user } : {}) } } : {}),
        },
      }),
    );
  }

  /** An API pods/exec from the audit stream: it explains a runtime exec in the same container. */
  auditExec(a: AuditExec): void {
    if (this.auditExecs.length >= MAX_AUDIT_EXECS) this.auditExecs.shift();
    this.auditExecs.push(a);
    for (const h of this.held)
      if (!h.session.audit && sameExec(a, h.session, h.event, this.graceMs)) {
        h.session.audit = { auditID: a.auditID, user: a.user, time: a.timestamp };
        this.stats.auditMatched++;
      }
    this.held = this.held.filter((h) => !h.session.audit);
  }

  private matchSession(s: ExecSession, e: RuntimeEvent): void {
    const a = this.auditExecs.find((x) => sameExec(x, s, e, this.graceMs));
    if (a) {
      s.audit = { auditID: a.auditID, user: a.user, time: a.timestamp };
      this.stats.auditMatched++;
    }
  }

  /** Releases held execs whose grace ran out with no API exec: the kubelet (or runtime) was used directly. */
  tick(now = this.now()): void {
    if (this.held.length === 0) return;
    const due = this.held.filter((h) => h.deadline <= now);
    if (due.length === 0) return;
    this.held = this.held.filter((h) => h.deadline > now);
    for (const h of due) this.send(h.armed, { ...h.hit, severity: 'critical', message: `${h.hit.message}; no pods/exec in the audit stream within ${Math.round(this.graceMs / 1000)} s: run through the kubelet or the runtime directly, bypassing the API server` }, h.event, h.process);
  }

  /** At shutdown: nothing held is lost. */
  flush(): void {
    this.tick(Infinity);
  }

  get pending(): number {
    return this.held.length;
  }
}
