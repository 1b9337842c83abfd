// Allow-lists from `.kubemoat.yaml` (`detect.allow`): the known service that reads secrets, the
// monitoring agent that needs hostPID. An allowed hit is counted in the metrics, never sent.

import type { DetectAllow } from '../core/config.js';
import type { AuditEvent } from '../sources/audit/event.js';
import type { Hit } from './rule.js';
import { isGlob, nameGlob as globToRegExp } from '../core/glob.js';

export { globToRegExp };

interface CompiledAllow {
  /** its place in detect.allow, and the entry itself, for --explain-allow */
  index: number;
  entry: DetectAllow;
  rules: Set<string>;
  users: RegExp[];
  namespaces: RegExp[];
  images: RegExp[];
}

export class AllowList {
  private readonly byRule = new Map<string, CompiledAllow[]>();
  /** entries whose rule is a glob (`KM-DT-01*`, `*`), tried for every rule */
  private readonly byGlob: { rule: RegExp; allow: CompiledAllow }[] = [];

  constructor(entries: readonly DetectAllow[]) {
    for (const [index, e] of entries.entries()) {
      // an entry that names runtime-only conditions (workloads, binaries) never matches an audit event:
      // a condition that cannot be checked must not widen it
      if (e.workloads.length + e.binaries.length > 0) continue;
      const c: CompiledAllow = { index, entry: e, rules: new Set(e.rules), users: e.users.map(globToRegExp), namespaces: e.namespaces.map(globToRegExp), images: e.images.map(globToRegExp) };
      for (const r of e.rules) {
        if (isGlob(r)) {
          this.byGlob.push({ rule: globToRegExp(r), allow: c });
          continue;
        }
        const list = this.byRule.get(r) ?? [];
        list.push(c);
        this.byRule.set(r, list);
      }
    }
  }

  get empty(): boolean {
    return this.byRule.size === 0 && this.byGlob.length === 0;
  }

  allows(ruleId: string, e: AuditEvent, hit: Hit): boolean {
    return this.match(ruleId, e, hit) !== undefined;
  }

  /** The first entry (in file order) that allows this hit: detect.allow[index]. */
  match(ruleId: string, e: AuditEvent, hit: Hit): { index: number; entry: DetectAllow } | undefined {
    const entries = [...(this.byRule.get(ruleId) ?? []), ...this.byGlob.filter((g) => g.rule.test(ruleId)).map((g) => g.allow)].sort((a, b) => a.index - b.index);
    const c = entries.find((x) => matches(x, e, hit));
    return c ? { index: c.index, entry: c.entry } : undefined;
  }
}

function matches(c: CompiledAllow, e: AuditEvent, hit: Hit): boolean {
  if (c.users.length > 0) {
    const names = [e.user.username, e.impersonatedUser?.username].filter((n): n is string => n !== undefined);
    if (!c.users.some((re) => names.some((n) => re.test(n)))) return false;
  }
  if (c.namespaces.length > 0) {
    const ns = e.objectRef?.namespace ?? '';
    if (!c.namespaces.some((re) => re.test(ns))) return false;
  }
  if (c.images.length > 0) {
    const images = hit.images ?? [];
    if (images.length === 0 || !images.every((img) => c.images.some((re) => re.test(img)))) return false;
  }
  return true;
}
