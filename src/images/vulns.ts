// Packages → known vulnerabilities, per ecosystem with the ecosystem's own version order and the
// names its advisories use (Debian source packages under `Debian:12`, Alpine origins under
// `Alpine:v3.19`). A Debian version with a backported fix (`1.2-3+deb12u1`) is at or above the
// record's fixed version and so is not reported.

import type { Severity } from '../core/finding.js';
import { matchVersion } from './osv/match.js';
import type { Advisory } from './osv/record.js';
import type { Store } from './osv/store.js';
import { comparatorOf, versionOrderOf } from './version/index.js';
import { advisoryKey, osvEcosystem, type OsRelease, type Package } from './packages/types.js';

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
    const { name, version } = advisoryKey(pkg);
    // Ubuntu's records name LTS releases `Ubuntu:22.04:LTS`; look under both names
    const keys = ecosystem.startsWith('Ubuntu:') ? [ecosystem, `${ecosystem}:LTS`] : [ecosystem];
    for (const key of keys) {
      const ranged = store.lookupRanges(key, name);
      if (ranged.length === 0) continue;
      for (const m of matchVersion(ranged, version, comparatorOf(order))) {
        if (options.onlyFixed && m.fixedIn === undefined) continue;
        const advisory = store.complete(key, name, m.advisory);
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
  return { vulnerabilities: out, uncovered: [...uncovered].sort() };
}
