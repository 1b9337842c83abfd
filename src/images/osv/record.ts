// OSV records (https://ossf.github.io/osv-schema/) reduced to what matching needs, one entry per
// affected package: the ranges, the explicit versions, the severity (from CVSS where the record has
// a vector, else the record's own word), and a few references.

import type { Severity } from '../../core/finding.js';
import { asArray, asObject, asString, isObject, type JsonValue } from '../../core/json.js';
import { cvss2Score, cvss3Score, severityOfScore, severityOfWord } from './cvss.js';

export type RangeEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

export interface VersionRange {
  type: 'ECOSYSTEM' | 'SEMVER';
  events: RangeEvent[];
}

/** One advisory as it applies to one package of one ecosystem. */
export interface Advisory {
  id: string;
  aliases: string[];
  summary: string;
  severity?: Severity;
  /** a CVSS base score, when the record has a vector we can score */
  score?: number;
  /** the vector the score came from */
  vector?: string;
  modified: string;
  ranges: VersionRange[];
  versions: string[];
  references: string[];
}

export interface AffectedKey {
  /** OSV ecosystem, e.g. `Debian:12`, `npm` */
  ecosystem: string;
  /** package name as the ecosystem spells it, normalised by `packageKey` */
  name: string;
}

/** Names compare the way each ecosystem compares them (PyPI ignores case and `-_.` runs). */
export function normaliseName(ecosystem: string, name: string): string {
  const base = ecosystem.split(':')[0];
  if (base === 'PyPI') return name.toLowerCase().replace(/[-_.]+/g, '-');
  if (base === 'Debian' || base === 'Ubuntu' || base === 'Alpine') return name.toLowerCase();
  return name;
}

export function storeKey(ecosystem: string, name: string): string {
  return `${ecosystem}\u0000${normaliseName(ecosystem, name)}`;
}

export class RecordError extends Error {}

interface Scored {
  severity?: Severity;
  score?: number;
  vector?: string;
}

function scoreOf(severities: JsonValue | undefined): Scored {
  let best: Scored = {};
  for (const s of asArray(severities)) {
    const o = asObject(s);
    const type = asString(o?.type);
    const vector = asString(o?.score);
    if (!vector) continue;
    const score = type === 'CVSS_V3' ? cvss3Score(vector) : type === 'CVSS_V2' ? cvss2Score(vector) : undefined;
    // v3 is preferred over v2 when a record gives both
    if (score !== undefined && (best.score === undefined || type === 'CVSS_V3')) best = { severity: severityOfScore(score), score, vector };
  }
  return best;
}

function wordSeverity(...places: (JsonValue | undefined)[]): Severity | undefined {
  for (const p of places) {
    const o = asObject(p);
    const w = asString(o?.severity) ?? asString(o?.urgency);
    const s = w === undefined ? undefined : severityOfWord(w);
    if (s !== undefined) return s;
  }
  return undefined;
}

function parseEvents(events: JsonValue | undefined): RangeEvent[] {
  const out: RangeEvent[] = [];
  for (const e of asArray(events)) {
    const o = asObject(e);
    if (o === undefined) continue;
    const introduced = asString(o.introduced);
    const fixed = asString(o.fixed);
    const last = asString(o.last_affected);
    const limit = asString(o.limit);
    if (introduced !== undefined) out.push({ introduced });
    else if (fixed !== undefined) out.push({ fixed });
    else if (last !== undefined) out.push({ last_affected: last });
    else if (limit !== undefined) out.push({ limit });
  }
  return out;
}

/** Read one OSV record into per-package advisories; throws RecordError when it is not an OSV record. */
export function readRecord(value: JsonValue): { key: AffectedKey; advisory: Advisory }[] {
  if (!isObject(value)) throw new RecordError('not a JSON object');
  const id = asString(value.id);
  if (!id) throw new RecordError('no `id`');
  if (asString(value.withdrawn)) return [];
  const affected = asArray(value.affected);
  if (affected.length === 0) return [];
  const aliases = asArray(value.aliases).map((a) => asString(a)).filter((a): a is string => a !== undefined);
  const summary = asString(value.summary) ?? (asString(value.details) ?? '').split('\n')[0].slice(0, 200);
  const recordScore = scoreOf(value.severity);
  const references = asArray(value.references)
    .map((r) => asString(asObject(r)?.url))
    .filter((u): u is string => u !== undefined)
    .slice(0, 3);
  const modified = asString(value.modified) ?? '';
  const out: { key: AffectedKey; advisory: Advisory }[] = [];
  for (const a of affected) {
    const o = asObject(a);
    const pkg = asObject(o?.package);
    const ecosystem = asString(pkg?.ecosystem);
    const name = asString(pkg?.name);
    if (o === undefined || !ecosystem || !name) continue;
    const ranges: VersionRange[] = [];
    for (const r of asArray(o.ranges)) {
      const ro = asObject(r);
      const type = asString(ro?.type);
      // GIT ranges name commits, which an installed package does not carry
      if (type === 'ECOSYSTEM' || type === 'SEMVER') ranges.push({ type, events: parseEvents(ro?.events) });
    }
    const versions = asArray(o.versions).map((v) => asString(v)).filter((v): v is string => v !== undefined);
    if (ranges.length === 0 && versions.length === 0) continue;
    const own = scoreOf(o.severity);
    const scored = own.score !== undefined ? own : recordScore;
    const severity = scored.severity ?? wordSeverity(o.ecosystem_specific, o.database_specific, value.database_specific);
    out.push({
      key: { ecosystem, name: normaliseName(ecosystem, name) },
      advisory: {
        id,
        aliases,
        summary,
        ...(severity !== undefined ? { severity } : {}),
        ...(scored.score !== undefined ? { score: scored.score, vector: scored.vector } : {}),
        modified,
        ranges,
        versions,
        references,
      },
    });
  }
  return out;
}
