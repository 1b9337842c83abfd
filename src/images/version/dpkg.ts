// Debian package versions, ordered the way dpkg orders them (deb-version(7)):
//   [epoch:]upstream[-revision]
// The epoch compares as a number; upstream and revision compare by alternating runs of non-digits
// (character by character: `~` sorts before everything, even the end of the string; then the end;
// then letters; then everything else) and digits (as numbers).

export interface DpkgVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

/** Split a version into its parts; undefined when it is not a Debian version (empty, a bad epoch). */
export function parseDpkgVersion(text: string): DpkgVersion | undefined {
  const v = text.trim();
  if (v === '' || /\s/.test(v)) return undefined;
  let epoch = 0;
  let rest = v;
  const colon = v.indexOf(':');
  if (colon >= 0) {
    const e = v.slice(0, colon);
    if (!/^\d+$/.test(e)) return undefined;
    epoch = Number(e);
    rest = v.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  const upstream = dash >= 0 ? rest.slice(0, dash) : rest;
  const revision = dash >= 0 ? rest.slice(dash + 1) : '';
  if (upstream === '') return undefined;
  return { epoch, upstream, revision };
}

const ZERO = 48;
const NINE = 57;
const TILDE = 126;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** The sort weight of one character in a non-digit run; NaN (the end of the string) weighs 0. */
function weight(c: number): number {
  if (Number.isNaN(c) || isDigit(c)) return 0;
  if (isLetter(c)) return c;
  if (c === TILDE) return -1;
  return c + 256;
}

/** dpkg's comparison of one upstream or revision part. */
export function compareDpkgPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const wa = weight(a.charCodeAt(i));
      const wb = weight(b.charCodeAt(j));
      if (wa !== wb) return wa - wb;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === ZERO) i++;
    while (b.charCodeAt(j) === ZERO) j++;
    while (isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a.charCodeAt(i))) return 1;
    if (isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

// Matching compares the same few versions over and over (the installed one against each record's
// events): parse each distinct string once.
const PARSED_LIMIT = 100_000;
const parsed = new Map<string, DpkgVersion | null>();

function parsedVersion(v: string): DpkgVersion | undefined {
  let hit = parsed.get(v);
  if (hit === undefined) {
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    hit = parseDpkgVersion(v) ?? null;
    parsed.set(v, hit);
  }
  return hit ?? undefined;
}

/** Negative, zero or positive as a sorts before, with or after b. Unparseable versions sort by text, after valid ones. */
export function compareDpkg(a: string, b: string): number {
  if (a === b) return 0;
  const va = parsedVersion(a);
  const vb = parsedVersion(b);
  if (va === undefined || vb === undefined) {
    if (va !== undefined) return -1;
    if (vb !== undefined) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (va.epoch !== vb.epoch) return va.epoch - vb.epoch;
  return compareDpkgPart(va.upstream, vb.upstream) || compareDpkgPart(va.revision, vb.revision);
}
