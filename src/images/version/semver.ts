// Semantic versions (semver.org 2.0.0) as npm and Go use them. Lenient where the ecosystems are:
// a leading `v` (Go), missing minor or patch (`1.2` = `1.2.0`), and Go's pseudo-versions, which are
// ordinary pre-releases. Build metadata (`+…`) is ignored for ordering.

export interface SemVer {
  major: bigint;
  minor: bigint;
  patch: bigint;
  prerelease: string[];
}

const SEMVER = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

export function parseSemver(text: string): SemVer | undefined {
  const m = SEMVER.exec(text.trim());
  if (m === null) return undefined;
  return {
    major: BigInt(m[1]),
    minor: BigInt(m[2] ?? '0'),
    patch: BigInt(m[3] ?? '0'),
    prerelease: m[4] === undefined ? [] : m[4].split('.'),
  };
}

const NUMERIC = /^\d+$/;

function compareIdentifier(a: string, b: string): number {
  const na = NUMERIC.test(a);
  const nb = NUMERIC.test(b);
  if (na && nb) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  // numeric identifiers have lower precedence than alphanumeric ones
  if (na) return -1;
  if (nb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareSemverParsed(a: SemVer, b: SemVer): number {
  const core = cmpBig(a.major, b.major) || cmpBig(a.minor, b.minor) || cmpBig(a.patch, b.patch);
  if (core !== 0) return core;
  // a pre-release sorts before its release
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length;
  const n = Math.min(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < n; i++) {
    const c = compareIdentifier(a.prerelease[i], b.prerelease[i]);
    if (c !== 0) return c;
  }
  return a.prerelease.length - b.prerelease.length;
}

/** Negative, zero or positive; versions that are not semver sort after valid ones, by text. */
export function compareSemver(a: string, b: string): number {
  const va = parseSemver(a);
  const vb = parseSemver(b);
  if (va === undefined || vb === undefined) {
    if (va !== undefined) return -1;
    if (vb !== undefined) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return compareSemverParsed(va, vb);
}
