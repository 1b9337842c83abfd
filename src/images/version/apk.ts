// Alpine package versions, ordered the way apk-tools orders them:
//   1.2.3a_rc1_p2-r4  =  numbers separated by dots, an optional letter, suffixes (`_alpha`, `_beta`,
//   `_pre`, `_rc` sort before the bare version; `_cvs`, `_svn`, `_git`, `_hg`, `_p` after), `-rN`.
// A component after a dot with leading zeros compares as a fraction: 1.01 < 1.1, 1.001 < 1.01.

const enum Token {
  Invalid = -1,
  DigitOrZero = 0,
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNo = 4,
  RevisionNo = 5,
  End = 6,
}

const PRE_SUFFIXES = ['alpha', 'beta', 'pre', 'rc'];
const POST_SUFFIXES = ['cvs', 'svn', 'git', 'hg', 'p'];

class Cursor {
  pos = 0;
  type: Token = Token.Digit;
  constructor(readonly text: string) {}
  get rest(): number {
    return this.text.length - this.pos;
  }
  at(k = 0): string {
    return this.text[this.pos + k] ?? '';
  }
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isLower = (c: string): boolean => c >= 'a' && c <= 'z';

function nextToken(c: Cursor): void {
  let n: Token = Token.Invalid;
  const ch = c.at();
  if (c.rest === 0) n = Token.End;
  else if ((c.type === Token.Digit || c.type === Token.DigitOrZero) && isLower(ch)) n = Token.Letter;
  else if (c.type === Token.Letter && isDigit(ch)) n = Token.Digit;
  else if (c.type === Token.Suffix && isDigit(ch)) n = Token.SuffixNo;
  else {
    if (ch === '.') n = Token.DigitOrZero;
    else if (ch === '_') n = Token.Suffix;
    else if (ch === '-' && c.at(1) === 'r') {
      n = Token.RevisionNo;
      c.pos++;
    }
    c.pos++;
  }
  if (n < c.type) {
    const allowed = (n === Token.DigitOrZero && c.type === Token.Digit) || (n === Token.Suffix && c.type === Token.SuffixNo) || (n === Token.Digit && c.type === Token.Letter);
    if (!allowed) n = Token.Invalid;
  }
  c.type = n;
}

function getToken(c: Cursor): number {
  if (c.rest <= 0) {
    c.type = Token.End;
    return 0;
  }
  let v = 0;
  let i = 0;
  let nt: Token = Token.Invalid;
  const s = c.text;
  const p = c.pos;
  switch (c.type) {
    case Token.DigitOrZero:
    case Token.Digit:
    case Token.SuffixNo:
    case Token.RevisionNo:
      if (c.type === Token.DigitOrZero && s[p] === '0') {
        while (p + i < s.length && s[p + i] === '0') i++;
        nt = Token.Digit;
        v = -i;
        break;
      }
      while (p + i < s.length && isDigit(s[p + i])) {
        v = v * 10 + (s.charCodeAt(p + i) - 48);
        i++;
      }
      break;
    case Token.Letter:
      v = s.charCodeAt(p);
      i = 1;
      break;
    case Token.Suffix: {
      const rest = s.slice(p);
      const pre = PRE_SUFFIXES.findIndex((x) => rest.startsWith(x));
      if (pre >= 0) {
        v = pre - PRE_SUFFIXES.length;
        i = PRE_SUFFIXES[pre].length;
        break;
      }
      const post = POST_SUFFIXES.findIndex((x) => rest.startsWith(x));
      if (post >= 0) {
        v = post;
        i = POST_SUFFIXES[post].length;
        break;
      }
      c.type = Token.Invalid;
      return -1;
    }
    default:
      c.type = Token.Invalid;
      return -1;
  }
  c.pos += i;
  if (c.rest === 0) c.type = Token.End;
  else if (nt !== Token.Invalid) c.type = nt;
  else nextToken(c);
  return v;
}

/** A well-formed Alpine version? */
export function isApkVersion(text: string): boolean {
  const c = new Cursor(text);
  if (text === '' || !isDigit(text[0])) return false;
  while (c.type !== Token.End && c.type !== Token.Invalid) getToken(c);
  return c.type === Token.End;
}

/** Negative, zero or positive as a sorts before, with or after b. */
export function compareApk(a: string, b: string): number {
  const ca = new Cursor(a);
  const cb = new Cursor(b);
  let av = 0;
  let bv = 0;
  while (ca.type === cb.type && ca.type !== Token.End && ca.type !== Token.Invalid && av === bv) {
    av = getToken(ca);
    bv = getToken(cb);
  }
  if (av !== bv) return av < bv ? -1 : 1;
  if (ca.type === cb.type) return 0;
  // Equal so far: the longer version is newer, unless what it has more is a pre-release suffix.
  if (ca.type === Token.Suffix && getToken(new CursorAt(ca)) < 0) return -1;
  if (cb.type === Token.Suffix && getToken(new CursorAt(cb)) < 0) return 1;
  if (ca.type > cb.type) return -1;
  if (cb.type > ca.type) return 1;
  return 0;
}

/** A copy of a cursor, to look at its next token without moving it. */
class CursorAt extends Cursor {
  constructor(from: Cursor) {
    super(from.text);
    this.pos = from.pos;
    this.type = from.type;
  }
}
