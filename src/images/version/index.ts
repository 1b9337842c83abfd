// One version order per ecosystem, as OSV names ecosystems (`Debian:12`, `Alpine:v3.19`, `npm`, …).

import { compareApk } from './apk.js';
import { compareDpkg } from './dpkg.js';
import { compareMaven } from './maven.js';
import { comparePep440 } from './pep440.js';
import { compareRpmAdvisory } from './rpm.js';
import { compareSemver } from './semver.js';

export type VersionOrder = 'dpkg' | 'apk' | 'rpm' | 'semver' | 'pep440' | 'maven';

export type Compare = (a: string, b: string) => number;

const COMPARE: Record<VersionOrder, Compare> = {
  dpkg: compareDpkg,
  apk: compareApk,
  // rpm's order, reading a record's missing epoch as "any" (see compareRpmAdvisory)
  rpm: compareRpmAdvisory,
  semver: compareSemver,
  pep440: comparePep440,
  maven: compareMaven,
};

/** The version order of an OSV ecosystem name; undefined for ecosystems kubemoat cannot order. */
export function versionOrderOf(ecosystem: string): VersionOrder | undefined {
  const base = ecosystem.split(':')[0];
  switch (base) {
    case 'Debian':
    case 'Ubuntu':
      return 'dpkg';
    case 'Alpine':
    case 'Wolfi':
    case 'Chainguard':
      return 'apk';
    case 'Red Hat':
    case 'AlmaLinux':
    case 'Rocky Linux':
    case 'Mageia':
      return 'rpm';
    case 'npm':
    case 'Go':
    case 'crates.io':
      return 'semver';
    case 'PyPI':
      return 'pep440';
    case 'Maven':
      return 'maven';
    default:
      return undefined;
  }
}

export function comparatorOf(order: VersionOrder): Compare {
  return COMPARE[order];
}
