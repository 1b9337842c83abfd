// The shape of a runtime rule (KM-RT-…): the same metadata as an audit rule (DetectionMeta), the
// event kinds it looks at, example event sequences that must and must not raise it, and a `create`
// that returns the check. The check sees the event and what the engine knows around it: the
// process tree (who started this process, from which exec session) and the node's facts.

import type { DetectionMeta, Hit } from '../rule.js';
import type { FdKind, RuntimeEvent, RuntimeEventKind, ContainerRef } from '../../sources/runtime/event.js';
import type { BaselineView } from './baseline.js';

/** A command started in a container from outside it (the runtime's exec: kubelet /run or /exec, or an API pods/exec). */
export interface ExecSession {
  rootPid: number;
  argv: string[];
  time: number;
  /** the API server's pods/exec that opened it, when the audit stream showed one */
  audit?: { auditID: string; user: string; time: string };
}

export interface TrackedProcess {
  pid: number;
  ppid: number;
  binary: string;
  argv: string[];
  /** the name it runs as (busybox applets by argv[0]) */
  program: string;
  container?: ContainerRef;
  startedAt: number;
  stdin: FdKind;
  stdout: FdKind;
  session?: ExecSession;
}

export interface RuntimeSettings {
  /** KM-RT-007: this many distinct destinations from one process… */
  scanDestinations: number;
  /** …within this many seconds */
  scanWindowSec: number;
}

export const DEFAULT_RUNTIME_SETTINGS: RuntimeSettings = { scanDestinations: 20, scanWindowSec: 10 };

export interface RuntimeView {
  process(pid: number): TrackedProcess | undefined;
  /** the pod's own service-account token mount device, to tell its token from another pod's */
  ownTokenDevice(e: RuntimeEvent): number | undefined;
  /** the workload's learned normal, when `--learn` runs (undefined without one) */
  baseline(e: RuntimeEvent): BaselineView | undefined;
}

export interface RuntimeHit extends Hit {
  /** wait for the audit stream before alerting: an API pods/exec may explain this exec */
  awaitAudit?: boolean;
}

export type RuntimeCheck = (event: RuntimeEvent, view: RuntimeView) => RuntimeHit | undefined;

/** One event, or a sequence replayed in order (a sequence must raise the rule on its last event). */
export type RuntimeExampleCase = RuntimeEvent | readonly RuntimeEvent[];

export interface RuntimeRule {
  meta: DetectionMeta;
  on: readonly RuntimeEventKind[];
  examples: { trigger: RuntimeExampleCase[]; ignore: RuntimeExampleCase[] };
  create(settings: RuntimeSettings): RuntimeCheck;
}

export function defineRuntimeRule(rule: RuntimeRule): RuntimeRule {
  return rule;
}
