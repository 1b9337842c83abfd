// rpm package versions, ordered the way rpm orders them: `[epoch:]version[-release]`.
// The epoch compares first (missing = 0), then the version, then the release, each with rpm's
// segment comparison (rpmvercmp): separators (anything but ASCII letters, digits, `~` and `^`)
// only split; `~` sorts before everything, even the end of the string; `^` sorts after the end of
// the string but before anything else; a numeric segment is newer than an alphabetic one; numbers
// compare as numbers (leading zeros dropped), letters as ASCII text.

export interface RpmVersion {
  /** the epoch as written, or undefined when the version has none */
  epoch?: string;
  version: string;
  release?: string;
}

/** Split `[epoch:]version[-release]` the way rpm does: the epoch is the leading digits before a `:`, the release follows the last `-`. */
export function parseRpmVersion(text: string): RpmVersion {
  let i = 0;
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  let epoch: string | undefined;
  let rest = text;
  if (text.charCodeAt(i) === COLON) {
    epoch = i === 0 ? '0' : text.slice(0, i);
    rest = text.slice(i + 1);
  }
  const dash = rest.lastIndexOf('-');
  if (dash < 0) return epoch !== undefined ? { epoch, version: rest } : { version: rest };
  const version = rest.slice(0, dash);
  const release = rest.slice(dash + 1);
  return epoch !== undefined ? { epoch, version, release } : { version, release };
}

const COLON = 58;
const TILDE = 126;
const CARET = 94;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isAlnum(c: number): boolean {
  return isDigit(c) || isAlpha(c);
}

/** rpm's comparison of two version (or release, or epoch) strings: -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const at = (s: string, k: number): number => (k < s.length ? s.charCodeAt(k) : 0);
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(at(a, i)) && at(a, i) !== TILDE && at(a, i) !== CARET) i++;
    while (j < b.length && !isAlnum(at(b, j)) && at(b, j) !== TILDE && at(b, j) !== CARET) j++;
    const ca = at(a, i);
    const cb = at(b, j);
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === CARET || cb === CARET) {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigit(ca);
    const inSegment = numeric ? isDigit : isAlpha;
    let ei = i;
    let ej = j;
    while (ei < a.length && inSegment(at(a, ei))) ei++;
    while (ej < b.length && inSegment(at(b, ej))) ej++;
    // a's segment is never empty here; b's is when the two segments are of different kinds
    if (ej === j) return numeric ? 1 : -1;
    let sa = a.slice(i, ei);
    let sb = b.slice(j, ej);
    if (numeric) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ei;
    j = ej;
  }
  const restA = i < a.length;
  const restB = j < b.length;
  if (!restA && !restB) return 0;
  return restA ? 1 : -1;
}

/** The order of two parsed versions: epoch (missing = 0), then version, then release (checked against rpm 4.18). */
function compareParsed(a: RpmVersion, b: RpmVersion, ignoreEpoch: boolean): number {
  if (!ignoreEpoch) {
    const e = rpmvercmp(a.epoch ?? '0', b.epoch ?? '0');
    if (e !== 0) return e;
  }
  const v = rpmvercmp(a.version, b.version);
  if (v !== 0) return v;
  // rpm: a version with a release (even an empty one, `1.0-`) is newer than the same version without
  if (a.release === undefined || b.release === undefined) return a.release !== undefined ? 1 : b.release !== undefined ? -1 : 0;
  return rpmvercmp(a.release, b.release);
}

/** rpm's order of two `[epoch:]version[-release]` strings, as `rpm.vercmp` gives it. */
export function compareRpm(a: string, b: string): number {
  if (a === b) return 0;
  return compareParsed(parseRpmVersion(a), parseRpmVersion(b), false);
}

/**
 * The order used against advisories: rpm's, except that when one side states no epoch the
 * epochs are not compared. Rocky Linux records give fixed versions without the package's epoch
 * (`3.0.7-28.el9` for openssl, whose epoch is 1), and rpm's own dependency checks read a missing
 * epoch the same way (any epoch). Installed versions always carry their epoch (`0:` included), so
 * records that state one (AlmaLinux, Red Hat) are compared with it.
 */
export function compareRpmAdvisory(a: string, b: string): number {
  if (a === b) return 0;
  const pa = parseRpmVersion(a);
  const pb = parseRpmVersion(b);
  return compareParsed(pa, pb, pa.epoch === undefined || pb.epoch === undefined);
}
