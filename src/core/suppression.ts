// Suppressions mark findings instead of dropping them, so reports can count what was waived and why.

import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Finding } from './finding.js';
import type { ConfigSuppression, KubemoatConfig, ResourceMatcher } from './config.js';
import { nameMatches, pathGlob } from './glob.js';

export const IGNORE_ANNOTATION = 'kubemoat.io/ignore';
export const IGNORE_REASON_ANNOTATION = 'kubemoat.io/ignore-reason';

/** The annotations a finding's object (and its pod template) carry, by finding (and its index in the list). */
export type AnnotationLookup = (f: Finding, index: number) => Record<string, string>[];

function resourceMatches(m: ResourceMatcher, f: Finding): boolean {
  const r = f.resource;
  if (r === undefined) return m.kind === undefined && m.apiVersion === undefined && m.namespace === undefined && m.name === undefined;
  if (m.kind !== undefined && m.kind.toLowerCase() !== r.kind.toLowerCase()) return false;
  if (m.apiVersion !== undefined && m.apiVersion !== r.apiVersion) return false;
  if (m.namespace !== undefined && !nameMatches(m.namespace, r.namespace ?? '')) return false;
  if (m.name !== undefined && !nameMatches(m.name, r.name)) return false;
  return true;
}

/**
 * The finding's manifest file relative to the config's directory, with `/` separators; undefined
 * for findings that come from no file (stdin, a cluster, a probe, a node).
 */
export function fileRelativeTo(dir: string, f: Finding, cwd: string): string | undefined {
  const file = f.location?.file;
  if (file === undefined || file === '' || file === '<stdin>') return undefined;
  const absolute = isAbsolute(file) ? file : resolve(cwd, file);
  return relative(dir, absolute).split(sep).join('/');
}

function pathsMatch(s: ConfigSuppression, f: Finding, dir: string, cwd: string): boolean {
  if (s.paths === undefined) return true;
  const file = fileRelativeTo(dir, f, cwd);
  return file !== undefined && s.paths.some((p) => pathGlob(p).test(file));
}

/** `KM-WL-001`, `KM-WL-*`, `*`: ids are upper-cased when the config is read. */
export function ruleMatches(s: ConfigSuppression, ruleId: string): boolean {
  return s.rules.some((r) => nameMatches(r, ruleId));
}

export interface SuppressionResult {
  expired: ConfigSuppression[];
}

/** `today` is YYYY-MM-DD; a suppression is in force through its expiry day. */
export function applySuppressions(findings: Finding[], config: KubemoatConfig, annotationsOf: AnnotationLookup, today: string, cwd = process.cwd()): SuppressionResult {
  const expired = new Set<ConfigSuppression>();
  const dir = config.dir ?? cwd;
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
      if (!ruleMatches(s, f.ruleId) || !resourceMatches(s.resource, f) || !pathsMatch(s, f, dir, cwd)) continue;
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
