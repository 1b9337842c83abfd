// Packages → known vulnerabilities, per ecosystem with the ecosystem's own version order and the
// names its advisories use (Debian source packages under `Debian:12`, Alpine origins under
// `Alpine:v3.19`). A Debian version with a backported fix (`1.2-3+deb12u1`) is at or above the
// record's fixed version and so is not reported.

import type { Severity } from '../core/finding.js';
import { matchVersion, rpmRangeApplies } from './osv/match.js';
import type { Advisory } from './osv/record.js';
import type { Store } from './osv/store.js';
import { comparatorOf, versionOrderOf } from './version/index.js';
import { advisoryKey, osvEcosystem, rpmAdvisoryKeys, type OsRelease, type Package } from './packages/types.js';

export interface Vulnerability {
  pkg: Package;
  ecosystem: string;
  advisory: Advisory;
  /** the record's severity, or `medium` when the record gives none (`severityKnown` says which) */
  severity: Severity;
  severityKnown: boolean;
  fixedIn?: string;
}

export interface VulnScan {
  vulnerabilities: Vulnerability[];
  /** ecosystems with packages in the image but no records in the store */
  uncovered: string[];
}

/**
 * The store keys a package is looked up under: Ubuntu's records name LTS releases
 * `Ubuntu:22.04:LTS`, so both names; Red Hat's name a product stream (`…:9::baseos`), so every
 * stream of the release the store holds; rpm packages by binary or source name as the ecosystem's
 * records do.
 */
function lookupKeys(pkg: Package, ecosystem: string, store: Store): { key: string; name: string; version: string }[] {
  if (pkg.type === 'rpm') {
    const keys = ecosystem.startsWith('Red Hat:') ? store.ecosystemsStartingWith(`${ecosystem}::`) : [ecosystem];
    return keys.flatMap((key) => rpmAdvisoryKeys(pkg, ecosystem).map((k) => ({ key, ...k })));
  }
  const { name, version } = advisoryKey(pkg);
  const keys = ecosystem.startsWith('Ubuntu:') ? [ecosystem, `${ecosystem}:LTS`] : [ecosystem];
  return keys.map((key) => ({ key, name, version }));
}

export function findVulnerabilities(packages: readonly Package[], os: OsRelease | undefined, store: Store, options: { onlyFixed: boolean }): VulnScan {
  const out: Vulnerability[] = [];
  const uncovered = new Set<string>();
  for (const pkg of packages) {
    const ecosystem = osvEcosystem(pkg, os);
    if (ecosystem === undefined) continue;
    const order = versionOrderOf(ecosystem);
    if (order === undefined) continue;
    if (!store.hasEcosystem(ecosystem)) {
      uncovered.add(ecosystem.split(':')[0]);
      continue;
    }
    const seen = new Set<string>();
    for (const { key, name, version } of lookupKeys(pkg, ecosystem, store)) {
      const ranged = store.lookupRanges(key, name);
      if (ranged.length === 0) continue;
      const cmp = comparatorOf(order);
      for (const original of ranged) {
        if (seen.has(original.id)) continue;
        // rpm: only the ranges of the installed package's module stream (or of no stream) count
        const candidate = pkg.type === 'rpm' ? { ...original, ranges: original.ranges.filter((r) => rpmRangeApplies(r, version)) } : original;
        for (const m of matchVersion([candidate], version, cmp)) {
          if (options.onlyFixed && m.fixedIn === undefined) continue;
          seen.add(original.id);
          const advisory = store.complete(key, name, original);
          out.push({
            pkg,
            ecosystem,
            advisory,
            severity: advisory.severity ?? 'medium',
            severityKnown: advisory.severity !== undefined,
            ...(m.fixedIn !== undefined ? { fixedIn: m.fixedIn } : {}),
          });
        }
      }
    }
  }
  return { vulnerabilities: out, uncovered: [...uncovered].sort() };
}
