// Suppressions mark findings instead of dropping them, so reports can count what was waived and why.

import type { Finding } from './finding.js';
import type { ConfigSuppression, KubemoatConfig, ResourceMatcher } from './config.js';

export const IGNORE_ANNOTATION = 'kubemoat.io/ignore';
export const IGNORE_REASON_ANNOTATION = 'kubemoat.io/ignore-reason';

/** The annotations a finding's object (and its pod template) carry, by finding (and its index in the list). */
export type AnnotationLookup = (f: Finding, index: number) => Record<string, string>[];

function globMatch(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return re.test(value);
}

function resourceMatches(m: ResourceMatcher, f: Finding): boolean {
  const r = f.resource;
  if (r === undefined) return m.kind === undefined && m.namespace === undefined && m.name === undefined;
  if (m.kind !== undefined && m.kind.toLowerCase() !== r.kind.toLowerCase()) return false;
  if (m.namespace !== undefined && !globMatch(m.namespace, r.namespace ?? '')) return false;
  if (m.name !== undefined && !globMatch(m.name, r.name)) return false;
  return true;
}

export interface SuppressionResult {
  expired: ConfigSuppression[];
}

/** `today` is YYYY-MM-DD; a suppression is in force through its expiry day. */
export function applySuppressions(findings: Finding[], config: KubemoatConfig, annotationsOf: AnnotationLookup, today: string): SuppressionResult {
  const expired = new Set<ConfigSuppression>();
  for (let i = 0; i < findings.length; i++) {
    const f = findings[i];
    for (const annotations of annotationsOf(f, i)) {
      const annotation = annotations[IGNORE_ANNOTATION];
      if (annotation === undefined) continue;
      const ids = annotation.split(',').map((s) => s.trim().toUpperCase());
      if (ids.includes(f.ruleId)) {
        f.suppressed = { by: 'annotation', reason: annotations[IGNORE_REASON_ANNOTATION] ?? `annotation ${IGNORE_ANNOTATION}` };
        break;
      }
    }
    if (f.suppressed) continue;
    for (const s of config.ignore) {
      if (!s.rules.includes(f.ruleId) || !resourceMatches(s.resource, f)) continue;
      if (s.expires !== undefined && s.expires < today) {
        expired.add(s);
        continue;
      }
      f.suppressed = { by: 'config', reason: s.reason, ...(s.expires ? { expires: s.expires } : {}) };
      break;
    }
  }
  return { expired: [...expired] };
}
