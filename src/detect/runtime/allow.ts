// detect.allow entries applied to runtime alerts: by rule, and by namespace, image, workload (pod
// name glob) and binary. An entry that names users (an audit-only condition) never matches here:
// a condition that cannot be checked must not widen an allow-list.

import type { DetectAllow } from '../../core/config.js';
import { isGlob, nameGlob as globToRegExp } from '../../core/glob.js';
import type { RuntimeEvent } from '../../sources/runtime/event.js';
import type { TrackedProcess } from './rule.js';

interface Compiled {
  namespaces: RegExp[];
  images: RegExp[];
  workloads: RegExp[];
  binaries: RegExp[];
}

export class RuntimeAllowList {
  private readonly byRule = new Map<string, Compiled[]>();
  private readonly byGlob: { rule: RegExp; allow: Compiled }[] = [];

  constructor(entries: readonly DetectAllow[]) {
    for (const e of entries) {
      if (e.users.length > 0) continue;
      const c: Compiled = { namespaces: e.namespaces.map(globToRegExp), images: e.images.map(globToRegExp), workloads: e.workloads.map(globToRegExp), binaries: e.binaries.map(globToRegExp) };
      for (const r of e.rules) {
        if (isGlob(r)) this.byGlob.push({ rule: globToRegExp(r), allow: c });
        else this.byRule.set(r, [...(this.byRule.get(r) ?? []), c]);
      }
    }
  }

  get empty(): boolean {
    return this.byRule.size === 0 && this.byGlob.length === 0;
  }

  allows(ruleId: string, e: RuntimeEvent, p: TrackedProcess | undefined): boolean {
    const entries = [...(this.byRule.get(ruleId) ?? []), ...this.byGlob.filter((g) => g.rule.test(ruleId)).map((g) => g.allow)];
    return entries.some((c) => matches(c, e, p));
  }
}

function matches(c: Compiled, e: RuntimeEvent, p: TrackedProcess | undefined): boolean {
  const k = e.container;
  if (c.namespaces.length > 0 && !(k && c.namespaces.some((re) => re.test(k.namespace)))) return false;
  if (c.images.length > 0 && !(k && c.images.some((re) => re.test(k.image)))) return false;
  if (c.workloads.length > 0 && !(k && c.workloads.some((re) => re.test(k.pod)))) return false;
  if (c.binaries.length > 0) {
    const names = p ? [p.binary, p.program] : [e.comm];
    if (!c.binaries.some((re) => names.some((n) => re.test(n)))) return false;
  }
  return true;
}
