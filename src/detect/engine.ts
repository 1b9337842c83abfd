// The detector: parses each event once, skips the second stage of a request already judged
// (an exec is logged at ResponseStarted and again at ResponseComplete), hands the event to the
// rules registered for its resource, applies allow-lists and the repeat window, and emits alerts.
// Everything it counts is what the metrics endpoint shows.

import { resourceKey, toAuditEvent, type AuditEvent } from '../sources/audit/event.js';
import type { AuditAlert } from './alert.js';
import { toAlert } from './alert.js';
import { AllowList } from './allow.js';
import type { Check, DetectionRule, DetectionSettings, EventContext, Hit } from './rule.js';
import { skippableAuditID } from './header.js';
import { DEFAULT_TRUST, type TrustEntry, type TrustPolicy } from './trust.js';
import type { DetectAllow } from '../core/config.js';

/** A hit that was not sent, and what silenced it (for --explain-allow). */
export interface Suppression {
  ruleId: string;
  auditID: string;
  time: string;
  user: string;
  message: string;
  by: { kind: 'trust'; entry: TrustEntry } | { kind: 'allow'; index: number; entry: DetectAllow };
}

export interface DetectStats {
  events: number;
  malformed: number;
  oversized: number;
  /** the later stage of a request already judged at ResponseStarted, or RequestReceived */
  stageSkipped: number;
  /** events the header fast path showed no rule could judge (not parsed further) */
  headerSkipped: number;
  /** batches/events refused because the queue was full (webhook) */
  dropped: number;
  alerts: Map<string, number>;
  allowed: Map<string, number>;
  /** hits silenced by trust: managed identities always, the control plane only when explaining */
  trusted: Map<string, number>;
  repeats: Map<string, number>;
  /** rule errors (a bug, never a reason to stop) */
  ruleErrors: number;
  /** stage timestamp (ms) of the newest event processed */
  lastEventTime: number;
  /** how far behind the API server the last event was processed (ms; 0 without a timestamp) */
  lagMs: number;
}

export function newStats(): DetectStats {
  return { events: 0, headerSkipped: 0, malformed: 0, oversized: 0, stageSkipped: 0, dropped: 0, alerts: new Map(), allowed: new Map(), trusted: new Map(), repeats: new Map(), ruleErrors: 0, lastEventTime: 0, lagMs: 0 };
}

export interface DetectorOptions {
  rules: readonly DetectionRule[];
  settings: DetectionSettings;
  allow?: AllowList;
  /** who is the control plane (default: the built-in identities, no address check) */
  trust?: TrustPolicy;
  /**
   * Explain mode: rules exempt for the control plane run on its events anyway, and every hit that
   * trust or an allow-list entry silenced is reported here with the entry that did it.
   */
  onSuppressed?(s: Suppression): void;
  emit(alert: AuditAlert): void;
  /** malformed input: why, and where if the caller knows (file:line) */
  onMalformed?(reason: string, where: string | undefined): void;
  onRuleError?(ruleId: string, error: unknown): void;
  /** every judged event, before the rules (the runtime sensor learns of API execs this way) */
  observe?(e: AuditEvent): void;
  now?(): number;
  /** skip, without a full parse, lines that no rule could judge (default on; off to compare) */
  headerFastPath?: boolean;
}

interface Armed {
  rule: DetectionRule;
  check: Check;
}

const MAX_STARTED = 100_000;
const MAX_REPEAT_KEYS = 100_000;

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export class Detector {
  readonly stats: DetectStats = newStats();
  private readonly byKey = new Map<string, Armed[]>();
  private readonly everyEvent: Armed[] = [];
  /** audit IDs judged at ResponseStarted, waiting for their ResponseComplete */
  private readonly started = new Set<string>();
  /** repeat-window key → time of the last alert sent */
  private readonly lastSent = new Map<string, number>();
  private readonly allow: AllowList;
  private readonly trust: TrustPolicy;
  private readonly explain: boolean;
  private readonly now: () => number;
  private readonly fastPath: boolean;

  constructor(private readonly options: DetectorOptions) {
    // the fast path knows which events the built-in rules ignore; only the full catalogue may use it
    // explaining means running exempt rules on control-plane events, which the fast path skips
    this.explain = options.onSuppressed !== undefined;
    this.fastPath = (options.headerFastPath ?? false) && !this.explain;
    this.trust = options.trust ?? DEFAULT_TRUST;
    this.allow = options.allow ?? new AllowList([]);
    this.now = options.now ?? Date.now;
    for (const rule of options.rules) {
      const check = rule.create(options.settings);
      if (!check) continue;
      const armed = { rule, check };
      if (rule.on === '*') this.everyEvent.push(armed);
      else
        for (const key of rule.on) {
          const list = this.byKey.get(key) ?? [];
          list.push(armed);
          this.byKey.set(key, list);
        }
    }
  }

  /** One line of a JSON-lines audit log; `source` and `lineNo` only name the place in messages. */
  line(text: string, source?: string, lineNo?: number): void {
    if (this.fastPath) {
      const id = skippableAuditID(text, this.trust);
      if (id !== undefined) {
        this.stats.events++;
        this.stats.headerSkipped++;
        if (this.started.size > 0) this.started.delete(id);
        return;
      }
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      this.malformed(`not JSON (${(e as Error).message})`, source === undefined ? undefined : `${source}:${lineNo ?? '?'}`);
      return;
    }
    const ev = toAuditEvent(value);
    if (typeof ev === 'string') this.malformed(ev, source === undefined ? undefined : `${source}:${lineNo ?? '?'}`);
    else this.event(ev);
  }

  /** A parsed event (from a line, or an item of a webhook's EventList). */
  value(value: unknown, where?: string): void {
    const e = toAuditEvent(value);
    if (typeof e === 'string') this.malformed(e, where);
    else this.event(e);
  }

  oversized(length: number, where?: string): void {
    this.stats.oversized++;
    this.options.onMalformed?.(`event of ${length} characters is over the size limit; skipped`, where);
  }

  event(e: AuditEvent): void {
    const stats = this.stats;
    stats.events++;
    if (e.time > stats.lastEventTime) {
      stats.lastEventTime = e.time;
      stats.lagMs = Math.max(0, this.now() - e.time);
    }
    if (e.stage === 'RequestReceived') {
      stats.stageSkipped++;
      return;
    }
    if (e.stage === 'ResponseStarted') {
      if (this.started.size >= MAX_STARTED) this.started.delete(this.started.values().next().value as string);
      this.started.add(e.auditID);
    } else if (this.started.delete(e.auditID)) {
      stats.stageSkipped++;
      return;
    }
    this.options.observe?.(e);
    const context: EventContext = { controlPlane: this.trust.controlPlane(e) };
    const keyed = this.byKey.get(resourceKey(e));
    if (keyed) for (const armed of keyed) this.run(armed, e, context);
    for (const armed of this.everyEvent) this.run(armed, e, context);
  }

  private run(armed: Armed, e: AuditEvent, context: EventContext): void {
    const trusted = context.controlPlane;
    const exempt = armed.rule.exemptControlPlane === true && trusted !== undefined && armed.rule.judgesTrusted?.(e, trusted) !== true;
    if (exempt && !this.explain) return;
    let hit: Hit | undefined;
    try {
      hit = armed.check(e, context);
    } catch (error) {
      this.stats.ruleErrors++;
      this.options.onRuleError?.(armed.rule.meta.id, error);
      return;
    }
    if (!hit) return;
    const id = armed.rule.meta.id;
    const silencer = exempt ? trusted : this.trust.managedFor(id, e);
    if (silencer) {
      bump(this.stats.trusted, id);
      this.suppressed(id, e, hit, { kind: 'trust', entry: silencer });
      return;
    }
    if (!this.allow.empty) {
      const m = this.allow.match(id, e, hit);
      if (m) {
        bump(this.stats.allowed, id);
        this.suppressed(id, e, hit, { kind: 'allow', index: m.index, entry: m.entry });
        return;
      }
    }
    const now = this.now();
    const window = armed.rule.meta.repeatWindowSec;
    if (window !== undefined) {
      const key = `${id}\u0000${e.user.username}\u0000${hit.message}`;
      const at = e.time || now;
      const last = this.lastSent.get(key);
      if (last !== undefined && at - last < window * 1000) {
        bump(this.stats.repeats, id);
        return;
      }
      if (this.lastSent.size >= MAX_REPEAT_KEYS) this.lastSent.clear();
      this.lastSent.set(key, at);
    }
    bump(this.stats.alerts, id);
    this.options.emit(toAlert(armed.rule, hit, e, now));
  }

  private suppressed(ruleId: string, e: AuditEvent, hit: Hit, by: Suppression['by']): void {
    this.options.onSuppressed?.({ ruleId, auditID: e.auditID, time: e.timestamp, user: e.user.username, message: hit.message, by });
  }

  private malformed(reason: string, where: string | undefined): void {
    this.stats.malformed++;
    this.options.onMalformed?.(reason, where);
  }
}
