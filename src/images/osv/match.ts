// Is an installed version inside an advisory's affected ranges? The OSV evaluation: walk the
// range's events in version order; `introduced` opens, `fixed` closes (the fixed version itself is
// safe), `last_affected` closes after that version. An explicit `versions` list also counts.

import type { Compare } from '../version/index.js';
import type { Advisory, RangeEvent, VersionRange } from './record.js';

/** What matching needs of an advisory: its ranges and explicit versions. */
export type Ranged = Pick<Advisory, 'ranges' | 'versions'>;

export interface Match<A extends Ranged = Advisory> {
  advisory: A;
  /** the lowest fixed version above the installed one, when the record names one */
  fixedIn?: string;
}

function eventVersion(e: RangeEvent): string {
  return 'introduced' in e ? e.introduced : 'fixed' in e ? e.fixed : 'last_affected' in e ? e.last_affected : e.limit;
}

/** `introduced: "0"` means "from the first version", whatever the ecosystem's order says about "0". */
function compareEvents(cmp: Compare) {
  return (a: RangeEvent, b: RangeEvent): number => {
    const za = 'introduced' in a && a.introduced === '0';
    const zb = 'introduced' in b && b.introduced === '0';
    if (za || zb) return za === zb ? 0 : za ? -1 : 1;
    return cmp(eventVersion(a), eventVersion(b));
  };
}

export function inRange(range: VersionRange, version: string, cmp: Compare): boolean {
  const events = [...range.events].sort(compareEvents(cmp));
  let affected = false;
  for (const e of events) {
    if ('introduced' in e) {
      if (e.introduced === '0' || cmp(version, e.introduced) >= 0) affected = true;
    } else if ('fixed' in e) {
      if (cmp(version, e.fixed) >= 0) affected = false;
    } else if ('last_affected' in e) {
      if (cmp(version, e.last_affected) > 0) affected = false;
    } else if (cmp(version, e.limit) >= 0) affected = false;
  }
  return affected;
}

function lowestFixAbove(advisory: Ranged, version: string, cmp: Compare): string | undefined {
  let best: string | undefined;
  for (const r of advisory.ranges) {
    for (const e of r.events) {
      if (!('fixed' in e)) continue;
      if (cmp(e.fixed, version) <= 0) continue;
      if (best === undefined || cmp(e.fixed, best) < 0) best = e.fixed;
    }
  }
  return best;
}

/** The advisories that affect this version, each with the version that fixes it if any. */
export function matchVersion<A extends Ranged>(advisories: readonly A[], version: string, cmp: Compare): Match<A>[] {
  const out: Match<A>[] = [];
  for (const a of advisories) {
    const hit = a.versions.includes(version) || a.ranges.some((r) => inRange(r, version, cmp));
    if (!hit) continue;
    const fixedIn = lowestFixAbove(a, version, cmp);
    out.push(fixedIn !== undefined ? { advisory: a, fixedIn } : { advisory: a });
  }
  return out;
}

// rpm module streams (RHEL 8+ AppStream: nodejs:18, nodejs:20, … built side by side, their
// releases marked `.module+el9.3.0+…`). A record fixing one stream names versions of that stream
// only: its fix for nodejs 22 says nothing about an installed nodejs 16. So a range applies to an
// rpm only when its versions are modular exactly when the installed one is and, for modular
// packages, of the same major upstream version (the stream, as far as a version tells it).
const MODULAR = /\.module[+_]/;

function rpmStream(version: string): { modular: boolean; major: string } {
  const noEpoch = version.replace(/^\d*:/, '');
  return { modular: MODULAR.test(noEpoch), major: /^\d+/.exec(noEpoch)?.[0] ?? noEpoch };
}

export function rpmRangeApplies(range: VersionRange, installed: string): boolean {
  const mine = rpmStream(installed);
  for (const e of range.events) {
    const v = eventVersion(e);
    if ('introduced' in e && v === '0') continue;
    const theirs = rpmStream(v);
    if (theirs.modular !== mine.modular) return false;
    if (mine.modular && theirs.major !== mine.major) return false;
  }
  return true;
}
