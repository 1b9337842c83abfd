// Suppressions mark findings instead of dropping them, so reports can count what was waived and why.

import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Finding, Suppression } from './finding.js';
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

/** The suppression in force for one rule id of a finding, if any; expired config entries that would have matched are collected. */
function suppressionOf(ruleId: string, f: Finding, annotations: Record<string, string>[], config: KubemoatConfig, today: string, dir: string, cwd: string, expired: Set<ConfigSuppression>): Suppression | undefined {
  for (const a of annotations) {
    const annotation = a[IGNORE_ANNOTATION];
    if (annotation === undefined) continue;
    const ids = annotation.split(',').map((s) => s.trim().toUpperCase());
    if (ids.includes(ruleId)) return { by: 'annotation', reason: a[IGNORE_REASON_ANNOTATION] ?? `annotation ${IGNORE_ANNOTATION}` };
  }
  for (const s of config.ignore) {
    if (!ruleMatches(s, ruleId) || !resourceMatches(s.resource, f) || !pathsMatch(s, f, dir, cwd)) continue;
    if (s.expires !== undefined && s.expires < today) {
      expired.add(s);
      continue;
    }
    return { by: 'config', reason: s.reason, ...(s.expires ? { expires: s.expires } : {}) };
  }
  return undefined;
}

/**
 * `today` is YYYY-MM-DD; a suppression is in force through its expiry day. A finding that covers
 * several rules' facts is suppressed only when each of those rules is: waiving secrets reading does
 * not hide the exec the same RBAC rule grants.
 */
export function applySuppressions(findings: Finding[], config: KubemoatConfig, annotationsOf: AnnotationLookup, today: string, cwd = process.cwd()): SuppressionResult {
  const expired = new Set<ConfigSuppression>();
  const dir = config.dir ?? cwd;
  for (let i = 0; i < findings.length; i++) {
    const f = findings[i];
    const annotations = annotationsOf(f, i);
    const own = suppressionOf(f.ruleId, f, annotations, config, today, dir, cwd, expired);
    if (own === undefined) continue;
    const others = (f.covers ?? []).filter((c) => c.ruleId !== f.ruleId);
    if (others.every((c) => suppressionOf(c.ruleId, f, annotations, config, today, dir, cwd, expired) !== undefined)) f.suppressed = own;
  }
  return { expired: [...expired] };
}
