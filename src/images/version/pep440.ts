// Python package versions (PEP 440), normalised the way pip normalises them:
//   [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]
// with the alternative spellings (alpha, beta, c, pre, preview, rev, r, `-N` as a post release,
// separators `.`, `-`, `_`, implicit zeros). Release segments compare with trailing zeros ignored;
// a dev release sorts before its pre-releases, a post release after the release.

export interface Pep440 {
  epoch: number;
  release: number[];
  /** ['a'|'b'|'rc', n] */
  pre?: [string, number];
  post?: number;
  dev?: number;
  local: (string | number)[];
}

const PATTERN =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d+)?)?(?:(?:-(\d+))|(?:[-_.]?(post|rev|r)[-_.]?(\d+)?))?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i;

const PRE_NAMES: Record<string, string> = { a: 'a', alpha: 'a', b: 'b', beta: 'b', c: 'rc', rc: 'rc', pre: 'rc', preview: 'rc' };

export function parsePep440(text: string): Pep440 | undefined {
  const m = PATTERN.exec(text.trim().toLowerCase());
  if (m === null) return undefined;
  const release = m[2].split('.').map(Number);
  while (release.length > 1 && release[release.length - 1] === 0) release.pop();
  const v: Pep440 = { epoch: m[1] ? Number(m[1]) : 0, release, local: [] };
  if (m[3] !== undefined) v.pre = [PRE_NAMES[m[3]], m[4] ? Number(m[4]) : 0];
  if (m[5] !== undefined) v.post = Number(m[5]);
  else if (m[6] !== undefined) v.post = m[7] ? Number(m[7]) : 0;
  if (m[8] !== undefined) v.dev = m[9] ? Number(m[9]) : 0;
  if (m[10] !== undefined) v.local = m[10].split(/[-_.]/).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  return v;
}

const PRE_ORDER: Record<string, number> = { a: 0, b: 1, rc: 2 };

function cmp(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The pre-release position: a bare dev release before any pre-release, a release after them. */
function preKey(v: Pep440): [number, number] {
  if (v.pre !== undefined) return [PRE_ORDER[v.pre[0]], v.pre[1]];
  if (v.dev !== undefined && v.post === undefined) return [-1, 0];
  return [3, 0];
}

function compareLocal(a: (string | number)[], b: (string | number)[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) return cmp(x, y);
    } else if (typeof x === 'number') return 1; // numeric segments sort after alphanumeric ones
    else if (typeof y === 'number') return -1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return cmp(a.length, b.length);
}

export function comparePep440Parsed(a: Pep440, b: Pep440): number {
  if (a.epoch !== b.epoch) return cmp(a.epoch, b.epoch);
  const n = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < n; i++) {
    const c = cmp(a.release[i] ?? 0, b.release[i] ?? 0);
    if (c !== 0) return c;
  }
  const [pa, na] = preKey(a);
  const [pb, nb] = preKey(b);
  if (pa !== pb) return cmp(pa, pb);
  if (na !== nb) return cmp(na, nb);
  // no post release sorts before any post release
  const post = cmp(a.post ?? -1, b.post ?? -1);
  if (post !== 0) return post;
  // a dev release sorts before the same version without one
  const dev = cmp(a.dev ?? Infinity, b.dev ?? Infinity);
  if (dev !== 0) return dev;
  return compareLocal(a.local, b.local);
}

export function comparePep440(a: string, b: string): number {
  const va = parsePep440(a);
  const vb = parsePep440(b);
  if (va === undefined || vb === undefined) {
    if (va !== undefined) return -1;
    if (vb !== undefined) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return comparePep440Parsed(va, vb);
}
