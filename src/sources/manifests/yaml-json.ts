// The fast path for the block-style YAML that Kubernetes manifests are written in: it reads a
// document's UTF-8 bytes and writes the same value as JSON text (for one native JSON.parse per file)
// plus the position of every entry to the document's tape (positions.ts). The parser this replaced
// built the objects itself, a property at a time: on 100,000 resources that took 6.3 s, where
// this transcoder (which allocates almost nothing, and runs on worker threads) and one JSON.parse
// per file on the main thread take 2.3 and 1.4 CPU s.
//
// It accepts the subset manifests use: block mappings and sequences (including lists at their key's
// indent, compact `- key:` items and `- - a`), plain, single- and double-quoted one-line scalars
// with every escape, one-line flow collections, literal and folded block scalars with chomping,
// comments, and YAML 1.1 scalar resolution (scalars.ts).
//
// Everything else throws `Unsupported`, and the caller hands that document to the `yaml` library
// (full-yaml.ts), which also writes the error messages for broken input: anchors, aliases, tags and
// merge keys; complex (`?`) keys and keys that are not strings (`on:`, `1:`, `~:`); multi-line plain,
// quoted and flow scalars; block scalar indentation indicators; directives and content on a `---`
// line; tabs in indentation, after indicators or in plain scalars; comments inside flow collections;
// duplicate and `__proto__` keys (and two keys of one mapping with the same hash); implicit keys over
// 1,024 bytes; plain scalars starting with a reserved or flow indicator; numbers JSON cannot hold
// (.inf, .nan); and any error. Refusing is always safe: the full parser is the reference, and
// test/unit/yaml-differential.test.ts holds the two paths to identical values and positions.

import type { JsonSink } from './json-sink.js';
import { keyHash, pack, type PackedPosition, type TapeWriter } from './positions.js';
import { resolvePlainScalar } from './scalars.js';

/** This document uses YAML the fast path does not handle; parse it with the full parser. */
export class Unsupported extends Error {}

/** The document nests deeper than kubemoat will follow: a deliberate resource-exhaustion input. */
export class TooDeep extends Error {}

export const MAX_DEPTH = 500;

const TAB = 9;
const SPACE = 32;
const DQUOTE = 34;
const HASH = 35;
const SQUOTE = 39;
const COMMA = 44;
const DASH = 45;
const COLON = 58;
const GT = 62;
const LBRACKET = 91;
const BACKSLASH = 92;
const RBRACKET = 93;
const LBRACE = 123;
const PIPE = 124;
const RBRACE = 125;

/** A byte table: 1 for the bytes in `chars`. */
function table(chars: string): Uint8Array {
  const t = new Uint8Array(256);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  return t;
}

/**
 * Bytes that, at the start of a node, mean YAML the fast path leaves to the full parser: anchors,
 * aliases, tags, directives, reserved indicators, complex keys, and flow indicators that cannot
 * start a plain scalar (the full parser reports them as errors).
 */
const UNSUPPORTED_START = table('&*!%@`?,]}');
/** what ends a plain scalar in a flow collection */
const FLOW_END = table(',]}[{');
const AFTER_FLOW_INDICATOR = table(' \t,[]{}');
const AFTER_FLOW_COLON = table(' ,]}');
/** the initials of YAML 1.1's boolean and null words */
const WORD_INITIALS = table('yYnNtTfFoO');

/** Up to five bytes as one number: YAML 1.1's words are looked up by it, without making a string. */
function packWord(src: Uint8Array, from: number, to: number): number {
  let w = 0;
  for (let i = from; i < to; i++) w = w * 256 + src[i];
  return w * 8 + (to - from);
}

/** YAML 1.1 words a plain scalar resolves to something other than a string, and what they become (by packWord). */
const WORDS = new Map<number, string>();
const addWords = (words: string[], value: string): void => {
  for (const w of words) WORDS.set(packWord(Buffer.from(w, 'latin1'), 0, w.length), value);
};
addWords(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'], 'true');
addWords(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'], 'false');
addWords(['null', 'Null', 'NULL'], 'null');

/** The word a plain scalar of up to five bytes starting with a letter resolves to, if it is one of YAML 1.1's. */
function wordValue(src: Uint8Array, from: number, to: number): string | undefined {
  return WORD_INITIALS[src[from]] === 1 && to - from <= 5 ? WORDS.get(packWord(src, from, to)) : undefined;
}

/** A plain scalar starting with this byte may resolve to a number or null: digits, sign, dot, `~`. */
const NUMERIC_OR_NULL_START = table('0123456789+-.~');

/** YAML escapes that stand for one character (the \x, \u and \U ones are read apart). */
const ESCAPE_CODES = new Int32Array(256).fill(-1);
for (const [e, cp] of Object.entries({
  '0': 0, a: 7, b: 8, t: 9, '\t': 9, n: 10, v: 11, f: 12, r: 13, e: 27, ' ': 32, '"': 34, '/': 47, '\\': 92,
  N: 0x85, _: 0xa0, L: 0x2028, P: 0x2029,
})) ESCAPE_CODES[e.charCodeAt(0)] = cp;
const HEX_ESCAPE_LENGTH = new Int32Array(256);
HEX_ESCAPE_LENGTH['x'.charCodeAt(0)] = 2;
HEX_ESCAPE_LENGTH['u'.charCodeAt(0)] = 4;
HEX_ESCAPE_LENGTH['U'.charCodeAt(0)] = 8;

/** YAML limits an implicit key to 1024 characters; a longer one is an error the full parser reports. */
const MAX_IMPLICIT_KEY = 1024;
/** Mappings with more keys than this check duplicates with a Set instead of comparing hashes. */
const LINEAR_KEY_CHECK = 32;

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** FNV-1a of ASCII bytes: the same as keyHash of the string they spell. */
function hashBytes(src: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ src[i], 0x01000193);
  return h >>> 0;
}

const PROTO = Buffer.from('__proto__', 'latin1');

/** `__proto__` at `from` (the caller knows the length is 9). */
function isProto(src: Uint8Array, from: number): boolean {
  for (let i = 0; i < 9; i++) if (src[from + i] !== PROTO[i]) return false;
  return true;
}

/** Bytes that may occur in a YAML 1.1 number: digits, signs, dots, underscores, exponent and radix letters, hex digits, .inf and .nan. */
const NUMBER_BYTES = table('0123456789+-._eExXoObBaAcCdDfFiInN');

/** A plain scalar with a byte no number has (`100m`, `256Mi`, `--flag=x`) is a string without asking the patterns. */
function surelyNotNumber(src: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (NUMBER_BYTES[src[i]] !== 1) return true;
  return false;
}

/** Bytes (UTF-8) as a string, for the rare scalars the byte-level checks cannot settle. */
function decode(src: Uint8Array, from: number, to: number): string {
  return Buffer.from(src.buffer, src.byteOffset + from, to - from).toString('utf8');
}

/** Key hashes of the open mappings, for duplicate keys; one stack shared by every document. */
let keyHashes = new Uint32Array(256);
let keyTop = 0;

/** The result of reading a quoted scalar: where it ends, and whether its bytes are its value. */
interface Quoted {
  end: number;
  /** no escapes, no `''`, no bytes outside ASCII: the key hash can be taken from the bytes */
  simple: boolean;
}

export class BlockTranscoder {
  /** index of the current line */
  private li: number;
  private depth = 0;
  /** added to a line index to get its 1-based line number in the file */
  private readonly lineBase: number;
  private peekedLi = -1;
  private peekedIndent = -1;
  private readonly quoted: Quoted = { end: 0, simple: true };
  /** hash of the plain key findKeyEnd last found, and whether its bytes are ASCII needing no escape */
  private plainKeyHash = 0;
  private plainKeySimple = false;
  /** the plain scalar plainEnd read has a byte JSON must escape */
  private plainNeedsEscape = true;

  // the flow collection being read: its line, and the cursor
  private fls = 0;
  private fle = 0;
  private fp = 0;
  private fLine = 0;
  /** the first byte at or above 0x80 on the flow line (columns count UTF-16 units from there) */
  private fAscii = 0;

  constructor(
    private readonly src: Uint8Array,
    /** where each line starts, and one more entry: where the line after the last would start */
    private readonly starts: Int32Array,
    start: number,
    /** the document ends before this line index */
    private readonly end: number,
    /** 1-based line number of line `start` in the file */
    firstLine: number,
    private readonly out: JsonSink,
    private readonly tape: TapeWriter,
  ) {
    this.li = start;
    this.lineBase = firstLine - start;
  }

  /** Write the document; return its root position, or undefined when it holds no node. */
  transcode(): PackedPosition | undefined {
    keyTop = 0;
    const indent = this.peekIndent();
    if (indent < 0) return undefined;
    const position = pack(this.lineBase + this.li, indent + 1);
    this.node(indent, -1);
    if (this.peekIndent() >= 0) throw new Unsupported('content after the root node');
    return position;
  }

  private lineStart(li: number): number {
    return this.starts[li];
  }

  /** the offset of the line's `\n` (or the end of the text) */
  private lineEnd(li: number): number {
    return this.starts[li + 1] - 1;
  }

  private peekIndent(): number {
    if (this.li === this.peekedLi) return this.peekedIndent;
    const indent = this.scanIndent();
    this.peekedLi = this.li;
    this.peekedIndent = indent;
    return indent;
  }

  /** Skip blank and comment-only lines; return the indent of the next content line, or -1 at the end. */
  private scanIndent(): number {
    const src = this.src;
    while (this.li < this.end) {
      const ls = this.lineStart(this.li);
      const le = this.lineEnd(this.li);
      let i = ls;
      while (i < le && src[i] === SPACE) i++;
      if (i === le || src[i] === HASH) {
        this.li++;
        continue;
      }
      if (src[i] === TAB) {
        // A tab in indentation is an error unless the rest of the line is blank or a comment.
        let j = i;
        while (j < le && (src[j] === SPACE || src[j] === TAB)) j++;
        if (j === le || src[j] === HASH) {
          this.li++;
          continue;
        }
        throw new Unsupported('tab in indentation');
      }
      return i - ls;
    }
    return -1;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw new TooDeep(`nesting deeper than ${MAX_DEPTH} levels`);
  }

  private isSequenceEntry(ls: number, le: number, col: number): boolean {
    const p = ls + col;
    if (p >= le || this.src[p] !== DASH) return false;
    // `-` then a tab is an entry too; sequence() leaves the tab to the full parser
    return p + 1 >= le || this.src[p + 1] === SPACE || this.src[p + 1] === TAB;
  }

  private isSeparator(i: number, le: number): boolean {
    return i >= le || this.src[i] === SPACE || this.src[i] === TAB;
  }

  /** A block node starting at column `col` of the current line; `parentIndent` bounds its continuation lines. */
  private node(col: number, parentIndent: number): void {
    const ls = this.lineStart(this.li);
    const le = this.lineEnd(this.li);
    if (this.isSequenceEntry(ls, le, col)) return this.sequence(col);
    const keyEnd = this.findKeyEnd(ls, le, ls + col);
    if (keyEnd >= 0) return this.mapping(col, keyEnd);
    this.inline(ls, le, ls + col, parentIndent);
  }

  /** Note a key of the mapping whose keys start at `mark`; a second key with its hash is refused. */
  private addKey(hash: number, mark: number, seen: Set<number> | undefined): Set<number> | undefined {
    if (seen !== undefined) {
      if (seen.has(hash)) throw new Unsupported('duplicate key');
      seen.add(hash);
    } else {
      for (let i = mark; i < keyTop; i++) if (keyHashes[i] === hash) throw new Unsupported('duplicate key');
      if (keyTop - mark >= LINEAR_KEY_CHECK) seen = new Set(keyHashes.subarray(mark, keyTop));
      if (seen !== undefined) seen.add(hash);
    }
    if (keyTop === keyHashes.length) {
      const grown = new Uint32Array(keyHashes.length * 2);
      grown.set(keyHashes);
      keyHashes = grown;
    }
    keyHashes[keyTop++] = hash;
    return seen;
  }

  /** A block mapping whose first key, on the current line, ends at `firstKeyEnd`. */
  private mapping(indent: number, firstKeyEnd: number): void {
    this.enter();
    const out = this.out;
    out.byte(LBRACE);
    const mark = keyTop;
    let seen: Set<number> | undefined;
    let col = indent;
    let keyEnd = firstKeyEnd;
    let first = true;
    for (;;) {
      const ls = this.lineStart(this.li);
      const le = this.lineEnd(this.li);
      if (keyEnd < 0) {
        if (this.isSequenceEntry(ls, le, col)) throw new Unsupported('sequence entry inside a mapping');
        keyEnd = this.findKeyEnd(ls, le, ls + col);
        if (keyEnd < 0) throw new Unsupported('expected a mapping key');
      }
      if (!first) out.byte(COMMA);
      first = false;
      const hash = this.key(ls, le, ls + col, keyEnd);
      seen = this.addKey(hash, mark, seen);
      out.byte(COLON);
      const entry = this.tape.open(this.lineBase + this.li, col + 1, hash);
      this.entryValue(ls, le, keyEnd + 1, indent);
      this.tape.close(entry);
      keyEnd = -1;
      const next = this.peekIndent();
      if (next === indent) {
        col = next;
        continue;
      }
      if (next > indent) throw new Unsupported('unexpected indentation');
      break;
    }
    out.byte(RBRACE);
    keyTop = mark;
    this.depth--;
  }

  /** The value after `key:`: inline on the same line, or a block on the following lines. */
  private entryValue(ls: number, le: number, from: number, keyIndent: number): void {
    const src = this.src;
    let c = from;
    while (c < le && src[c] === SPACE) c++;
    if (c >= le || src[c] === HASH) {
      this.li++;
      const next = this.peekIndent();
      if (next > keyIndent) return this.node(next, keyIndent);
      // Kubernetes manifests commonly put a list at the same indent as its key.
      if (next === keyIndent && next >= 0 && this.isSequenceEntry(this.lineStart(this.li), this.lineEnd(this.li), next)) return this.sequence(next);
      this.out.ascii('null');
      return;
    }
    this.inline(ls, le, c, keyIndent);
  }

  private sequence(indent: number): void {
    this.enter();
    const src = this.src;
    const out = this.out;
    out.byte(LBRACKET);
    let first = true;
    for (;;) {
      const ls = this.lineStart(this.li);
      const le = this.lineEnd(this.li);
      let c = ls + indent + 1;
      while (c < le && src[c] === SPACE) c++;
      if (!first) out.byte(COMMA);
      first = false;
      if (c >= le || src[c] === HASH) {
        // An empty entry is placed where its (empty) node would start, as the full parser does.
        const emptyLine = this.lineBase + this.li;
        const emptyColumn = c - ls + 1;
        this.li++;
        const next = this.peekIndent();
        if (next > indent) {
          const entry = this.tape.open(this.lineBase + this.li, next + 1, 0);
          this.node(next, indent);
          this.tape.close(entry);
        } else {
          this.tape.open(emptyLine, emptyColumn, 0);
          out.ascii('null');
        }
      } else {
        if (src[c] === TAB) throw new Unsupported('tab after sequence indicator');
        const entry = this.tape.open(this.lineBase + this.li, c - ls + 1, 0);
        this.node(c - ls, indent);
        this.tape.close(entry);
      }
      const next = this.peekIndent();
      if (next === indent && this.isSequenceEntry(this.lineStart(this.li), this.lineEnd(this.li), next)) continue;
      if (next > indent) throw new Unsupported('unexpected indentation');
      break;
    }
    out.byte(RBRACKET);
    this.depth--;
  }

  /**
   * A value that starts on this line at offset `c`: a scalar, a one-line flow collection or a block
   * scalar. Leaves the cursor on the line after it.
   */
  private inline(ls: number, le: number, c: number, parentIndent: number): void {
    const src = this.src;
    const out = this.out;
    const ch = src[c];
    if (ch === PIPE || ch === GT) return this.blockScalar(ls, le, c, parentIndent);
    let end: number;
    if (ch === DQUOTE || ch === SQUOTE) {
      out.byte(DQUOTE);
      end = (ch === DQUOTE ? this.doubleQuoted(c, le) : this.singleQuoted(c, le)).end;
      out.byte(DQUOTE);
    } else if (ch === LBRACE || ch === LBRACKET) {
      this.startFlow(ls, le, c);
      this.flowValue();
      end = this.fp;
    } else {
      if (UNSUPPORTED_START[ch] === 1) throw new Unsupported(`node starting with ${String.fromCharCode(ch)}`);
      if (ch === DASH && this.isSeparator(c + 1, le)) throw new Unsupported('sequence entry as inline value');
      this.plainValue(c, this.plainEnd(c, le));
      end = le;
    }
    this.assertOnlyCommentAfter(end, le);
    this.li++;
    // A more indented line after an inline value would continue a multi-line scalar (or be an error).
    if (this.peekIndent() > parentIndent && parentIndent >= 0) throw new Unsupported('multi-line scalar');
    if (parentIndent < 0 && this.peekIndent() >= 0) throw new Unsupported('multi-line root scalar');
  }

  /**
   * The offset of the `:` that ends a mapping key starting at `col`, or -1 if this is not a key.
   * A key is a quoted scalar or a plain scalar followed by `: ` or `:` at the end of the line.
   */
  private findKeyEnd(ls: number, le: number, col: number): number {
    const src = this.src;
    if (col >= le) return -1;
    const ch = src[col];
    if (ch === DQUOTE || ch === SQUOTE) {
      let end = ch === DQUOTE ? skipDoubleQuoted(src, col, le) : skipSingleQuoted(src, col, le);
      if (end < 0) return -1;
      while (end < le && src[end] === SPACE) end++;
      return end < le && src[end] === COLON && this.isSeparator(end + 1, le) ? end : -1;
    }
    if (ch === LBRACE || ch === LBRACKET || ch === PIPE || ch === GT || ch === HASH || UNSUPPORTED_START[ch] === 1) return -1;
    if (ch === COLON && col + 1 < le && src[col + 1] === TAB) return -1;
    const limit = Math.min(le, col + MAX_IMPLICIT_KEY + 1);
    // the key's hash and whether its bytes can be copied as they are, on the way
    let h = 0x811c9dc5;
    let simple = true;
    for (let i = col; i < limit; i++) {
      const c = src[i];
      if (c === COLON && this.isSeparator(i + 1, le)) {
        this.plainKeyHash = h >>> 0;
        this.plainKeySimple = simple;
        return i;
      }
      if (c === HASH && i > ls && (src[i - 1] === SPACE || src[i - 1] === TAB)) return -1;
      if (c >= 0x80 || c < SPACE || c === DQUOTE || c === BACKSLASH) simple = false;
      h = Math.imul(h ^ c, 0x01000193);
    }
    if (limit < le) {
      for (let i = limit; i + 1 < le; i++) if (src[i] === COLON && src[i + 1] === SPACE) throw new Unsupported('implicit key longer than 1024 characters');
    }
    return -1;
  }

  /** Write a mapping key (as a JSON string) that starts at `col` and ends before `keyEnd`; return its hash. */
  private key(ls: number, le: number, col: number, keyEnd: number): number {
    const src = this.src;
    const out = this.out;
    const ch = src[col];
    if (ch === DQUOTE || ch === SQUOTE) {
      const start = out.len;
      out.byte(DQUOTE);
      const q = ch === DQUOTE ? this.doubleQuoted(col, le) : this.singleQuoted(col, le);
      out.byte(DQUOTE);
      if (q.simple) {
        if (q.end - col === 11 && isProto(src, col + 1)) throw new Unsupported('__proto__ key');
        return hashBytes(src, col + 1, q.end - 1);
      }
      const key = JSON.parse(out.text(start)) as string;
      if (key === '__proto__') throw new Unsupported('__proto__ key');
      return keyHash(key);
    }
    const end = trimSpaceEnd(src, col, keyEnd);
    if (end === keyEnd && this.plainKeySimple) {
      // the common case, hashed and checked by findKeyEnd: `name`, `app.kubernetes.io/name`
      const n = end - col;
      if ((n === 2 && src[col] === 60 && src[col + 1] === 60) || (n === 9 && isProto(src, col))) throw new Unsupported('merge or __proto__ key');
      if (!plainIsString(src, col, end)) throw new Unsupported('non-string key');
      out.rawQuoted(src, col, end);
      return this.plainKeyHash;
    }
    return this.plainKey(col, end);
  }

  /** A plain key `src[from, to)` as a JSON string; returns its hash. */
  private plainKey(from: number, to: number): number {
    const src = this.src;
    const n = to - from;
    if (n === 2 && src[from] === 60 && src[from + 1] === 60) throw new Unsupported('merge key');
    if (n === 9 && isProto(src, from)) throw new Unsupported('__proto__ key');
    if (!plainIsString(src, from, to)) throw new Unsupported('non-string key');
    const hash = this.out.quotedHashed(src, from, to);
    return hash >= 0 ? hash : keyHash(decode(src, from, to));
  }

  /** The end of a plain scalar that runs to the end of its line (before a comment and trailing blanks). */
  private plainEnd(c: number, le: number): number {
    const src = this.src;
    // One pass: where a comment starts, the first tab, the first colon followed by a blank, and
    // whether any byte needs escaping in JSON. `a: b: c` is an error in block context, and a tab
    // is the full parser's to judge; either only counts before the end (trailing blanks trimmed).
    let end = le;
    let firstTab = -1;
    let blankColon = -1;
    let escape = false;
    for (let i = c; i < le; i++) {
      const ch = src[i];
      if (ch > COLON) {
        if (ch === BACKSLASH) escape = true;
        continue;
      }
      if (ch === SPACE) {
        if (i + 1 < le && src[i + 1] === HASH) {
          end = i;
          break;
        }
      } else if (ch === COLON) {
        if (blankColon < 0 && (i + 1 >= le || src[i + 1] === SPACE || src[i + 1] === TAB)) blankColon = i;
      } else if (ch === TAB) {
        if (firstTab < 0) firstTab = i;
      } else if (ch < SPACE || ch === DQUOTE) {
        escape = true;
      }
    }
    end = trimSpaceEnd(src, c, end);
    if (blankColon >= 0 && blankColon < end) throw new Unsupported('colon in plain scalar');
    if (firstTab >= 0 && firstTab < end) throw new Unsupported('tab in plain scalar');
    this.plainNeedsEscape = escape;
    return end;
  }

  /** A plain scalar's value, resolved with the YAML 1.1 rules (scalars.ts), as JSON. */
  private plainValue(from: number, to: number): void {
    const src = this.src;
    const out = this.out;
    const c = src[from];
    if (NUMERIC_OR_NULL_START[c] !== 1) {
      // a word, a path, a URL: a string, unless it is one of YAML 1.1's boolean and null words
      const word = isLetter(c) ? wordValue(src, from, to) : undefined;
      if (word !== undefined) {
        out.ascii(word);
        return;
      }
      if (this.plainNeedsEscape) out.quoted(src, from, to);
      else out.rawQuoted(src, from, to);
      return;
    }
    if (c >= 49 && c <= 57 && to - from <= 15) {
      // a decimal integer without a leading zero or underscores is its own JSON
      let digits = true;
      for (let i = from + 1; i < to; i++) {
        const d = src[i];
        if (d < 48 || d > 57) {
          digits = false;
          break;
        }
      }
      if (digits) {
        out.copy(src, from, to);
        return;
      }
    }
    if (c !== 126 && surelyNotNumber(src, from, to)) {
      out.quoted(src, from, to);
      return;
    }
    const v = resolvePlainScalar(decode(src, from, to));
    if (typeof v === 'string') {
      out.quoted(src, from, to);
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Unsupported('a number JSON cannot hold');
      out.ascii(Object.is(v, -0) ? '-0' : String(v));
    } else {
      out.ascii(v === null ? 'null' : v ? 'true' : 'false');
    }
  }

  private assertOnlyCommentAfter(from: number, le: number): void {
    const src = this.src;
    let i = from;
    while (i < le && (src[i] === SPACE || src[i] === TAB)) i++;
    if (i < le && !(src[i] === HASH && i > from)) throw new Unsupported('content after value');
  }

  /**
   * The inside of a double-quoted scalar starting at `start` (its `"`), as the inside of a JSON
   * string. A scalar that does not close on its line is the full parser's.
   */
  private doubleQuoted(start: number, le: number): Quoted {
    const src = this.src;
    const out = this.out;
    const q = this.quoted;
    q.simple = true;
    let run = start + 1;
    for (let i = start + 1; i < le; i++) {
      const c = src[i];
      if (c === DQUOTE) {
        if (i > run) out.copy(src, run, i);
        q.end = i + 1;
        return q;
      }
      if (c >= 0x80) q.simple = false;
      if (c >= 32 && c !== BACKSLASH) continue;
      if (i > run) out.copy(src, run, i);
      q.simple = false;
      if (c !== BACKSLASH) {
        out.escape(c);
        run = i + 1;
        continue;
      }
      if (i + 1 >= le) throw new Unsupported('escaped line break');
      const cp = escapeAt(src, i, le);
      if (cp < 0) throw new Unsupported('bad escape');
      i += escapeLength(src[i + 1]) - 1;
      if (cp === DQUOTE || cp === BACKSLASH) out.escape(cp);
      else if (cp >= 32 && cp < 127) out.byte(cp);
      else out.codePoint(cp);
      run = i + 1;
    }
    throw new Unsupported('multi-line double-quoted scalar');
  }

  private singleQuoted(start: number, le: number): Quoted {
    const src = this.src;
    const out = this.out;
    const q = this.quoted;
    q.simple = true;
    let run = start + 1;
    for (let i = start + 1; i < le; i++) {
      const c = src[i];
      if (c === SQUOTE) {
        if (i > run) out.copy(src, run, i);
        if (i + 1 < le && src[i + 1] === SQUOTE) {
          out.byte(SQUOTE);
          q.simple = false;
          i++;
          run = i + 1;
          continue;
        }
        q.end = i + 1;
        return q;
      }
      if (c >= 0x80) q.simple = false;
      if (c < 32 || c === DQUOTE || c === BACKSLASH) {
        if (i > run) out.copy(src, run, i);
        out.escape(c);
        q.simple = false;
        run = i + 1;
      }
    }
    throw new Unsupported('multi-line single-quoted scalar');
  }

  private blockScalar(ls: number, le: number, c: number, parentIndent: number): void {
    const src = this.src;
    const out = this.out;
    const literal = src[c] === PIPE;
    let chomp: 'clip' | 'strip' | 'keep' = 'clip';
    let i = c + 1;
    for (; i < le; i++) {
      const h = src[i];
      if ((h === DASH || h === 43) && chomp !== 'clip') throw new Unsupported('two chomping indicators');
      if (h === DASH) chomp = 'strip';
      else if (h === 43) chomp = 'keep';
      else if (h >= 48 && h <= 57) throw new Unsupported('block scalar indentation indicator');
      else break;
    }
    this.assertOnlyCommentAfter(i, le);
    this.li++;
    // The content indent is that of the first non-empty line, which must be deeper than the parent.
    let contentIndent = -1;
    let leadingMaxSpaces = 0;
    for (let j = this.li; j < this.end; j++) {
      const s = this.lineStart(j);
      const e = this.lineEnd(j);
      let k = s;
      while (k < e && src[k] === SPACE) k++;
      if (k === e) {
        leadingMaxSpaces = Math.max(leadingMaxSpaces, k - s);
        continue;
      }
      if (src[k] === TAB) throw new Unsupported('tab in block scalar indentation');
      contentIndent = k - s;
      break;
    }
    out.byte(DQUOTE);
    if (contentIndent <= parentIndent || contentIndent < 0) {
      // Empty block scalar: consume the blank lines that belong to it.
      if (leadingMaxSpaces > Math.max(parentIndent, 0)) throw new Unsupported('indented empty block scalar');
      let blank = 0;
      while (this.li < this.end && isBlank(src, this.lineStart(this.li), this.lineEnd(this.li))) {
        blank++;
        this.li++;
      }
      if (chomp === 'keep') this.newlines(blank);
      out.byte(DQUOTE);
      return;
    }
    if (leadingMaxSpaces > contentIndent) throw new Unsupported('leading blank line longer than content indent');
    let emptyLines = 0;
    let readContent = false;
    let moreIndented = false;
    for (; this.li < this.end; this.li++) {
      const s = this.lineStart(this.li);
      const e = this.lineEnd(this.li);
      let k = s;
      while (k - s < contentIndent && k < e && src[k] === SPACE) k++;
      if (k - s < contentIndent) {
        if (isBlank(src, k, e)) {
          if (src.subarray(s, e).includes(TAB)) throw new Unsupported('tab in block scalar blank line');
          emptyLines++;
          continue;
        }
        // a less indented line ends the scalar; a tab in its indentation is the full parser's to judge
        if (src[k] === TAB) throw new Unsupported('tab in indentation after a block scalar');
        break;
      }
      if (k === e) {
        emptyLines++;
        continue;
      }
      const text = s + contentIndent;
      if (literal) {
        this.newlines(readContent ? 1 + emptyLines : emptyLines);
      } else {
        const first = src[text];
        if (first === SPACE || first === TAB) {
          moreIndented = true;
          this.newlines(readContent ? 1 + emptyLines : emptyLines);
        } else if (moreIndented) {
          moreIndented = false;
          this.newlines(emptyLines + 1);
        } else if (emptyLines === 0) {
          if (readContent) out.byte(SPACE);
        } else {
          this.newlines(emptyLines);
        }
      }
      out.escaped(src, text, e);
      readContent = true;
      emptyLines = 0;
    }
    if (chomp === 'keep') this.newlines(readContent ? 1 + emptyLines : emptyLines);
    else if (chomp === 'clip' && readContent) this.newlines(1);
    out.byte(DQUOTE);
  }

  private newlines(n: number): void {
    for (let i = 0; i < n; i++) this.out.escape(10);
  }

  // ---- one-line flow collections (`{a: 1}`, `["ALL"]`) ----

  private startFlow(ls: number, le: number, c: number): void {
    this.fls = ls;
    this.fle = le;
    this.fp = c;
    this.fLine = this.lineBase + this.li;
    let a = ls;
    while (a < le && this.src[a] < 0x80) a++;
    this.fAscii = a;
  }

  /** the byte at the flow cursor, or -1 at the end of the line */
  private fb(p: number): number {
    return p < this.fle ? this.src[p] : -1;
  }

  /** 1-based column of offset `p` of the flow line, in UTF-16 code units as the full parser counts. */
  private flowColumn(p: number): number {
    if (p <= this.fAscii) return p - this.fls + 1;
    let units = this.fAscii - this.fls;
    for (let i = this.fAscii; i < p; i++) {
      const b = this.src[i];
      if ((b & 0xc0) !== 0x80) units += b >= 0xf0 ? 2 : 1;
    }
    return units + 1;
  }

  private skipFlowSpaces(): void {
    while (this.fp < this.fle && this.src[this.fp] === SPACE) this.fp++;
  }

  private flowValue(): void {
    this.skipFlowSpaces();
    const ch = this.fb(this.fp);
    if (ch === LBRACE) return this.flowMapping();
    if (ch === LBRACKET) return this.flowSequence();
    if (ch === DQUOTE || ch === SQUOTE) {
      this.out.byte(DQUOTE);
      this.fp = (ch === DQUOTE ? this.doubleQuoted(this.fp, this.fle) : this.singleQuoted(this.fp, this.fle)).end;
      this.out.byte(DQUOTE);
      return;
    }
    const start = this.fp;
    const end = this.flowPlain();
    this.plainNeedsEscape = true;
    this.plainValue(start, end);
  }

  private flowMapping(): void {
    this.enter();
    const out = this.out;
    this.fp++;
    out.byte(LBRACE);
    const mark = keyTop;
    let seen: Set<number> | undefined;
    let first = true;
    for (;;) {
      this.skipFlowSpaces();
      if (this.fb(this.fp) === RBRACE) {
        this.fp++;
        break;
      }
      if (!first) out.byte(COMMA);
      first = false;
      const ch = this.fb(this.fp);
      const keyColumn = this.flowColumn(this.fp);
      let hash: number;
      if (ch === DQUOTE || ch === SQUOTE) {
        hash = this.key(this.fls, this.fle, this.fp, -1);
        this.fp = this.quoted.end;
      } else {
        const start = this.fp;
        const end = this.flowPlain();
        hash = this.plainKey(start, end);
      }
      this.skipFlowSpaces();
      if (this.fb(this.fp) !== COLON) throw new Unsupported('flow mapping without value');
      this.fp++;
      seen = this.addKey(hash, mark, seen);
      out.byte(COLON);
      const entry = this.tape.open(this.fLine, keyColumn, hash);
      this.skipFlowSpaces();
      const next = this.fb(this.fp);
      if (next === COMMA || next === RBRACE) out.ascii('null');
      else this.flowValue();
      this.tape.close(entry);
      this.skipFlowSpaces();
      const sep = this.fb(this.fp);
      if (sep === COMMA) this.fp++;
      else if (sep !== RBRACE) throw new Unsupported('flow mapping not closed on its line');
    }
    out.byte(RBRACE);
    keyTop = mark;
    this.depth--;
  }

  private flowSequence(): void {
    this.enter();
    const out = this.out;
    this.fp++;
    out.byte(LBRACKET);
    let first = true;
    for (;;) {
      this.skipFlowSpaces();
      if (this.fb(this.fp) === RBRACKET) {
        this.fp++;
        break;
      }
      if (!first) out.byte(COMMA);
      first = false;
      const entry = this.tape.open(this.fLine, this.flowColumn(this.fp), 0);
      this.flowValue();
      this.tape.close(entry);
      this.skipFlowSpaces();
      const sep = this.fb(this.fp);
      if (sep === COMMA) this.fp++;
      else if (sep !== RBRACKET) throw new Unsupported('flow sequence not closed on its line');
    }
    out.byte(RBRACKET);
    this.depth--;
  }

  /** A plain scalar inside a flow collection ends at `,`, `]`, `}`, or `: `; returns its end (trimmed). */
  private flowPlain(): number {
    const src = this.src;
    const le = this.fle;
    const start = this.fp;
    const first = this.fb(start);
    if (first < 0 || UNSUPPORTED_START[first] === 1 || first === HASH || first === PIPE || first === GT) throw new Unsupported('flow scalar');
    // `-` and `:` start a plain scalar only when a safe character follows them.
    if ((first === DASH || first === COLON) && (start + 1 >= le || AFTER_FLOW_INDICATOR[src[start + 1]] === 1)) throw new Unsupported('indicator in flow');
    let i = start;
    for (; i < le; i++) {
      const c = src[i];
      if (FLOW_END[c] === 1) break;
      if (c === COLON && (i + 1 >= le || AFTER_FLOW_COLON[src[i + 1]] === 1)) break;
      if (c === HASH && src[i - 1] === SPACE) throw new Unsupported('comment in flow');
    }
    this.fp = i;
    const end = trimSpaceEnd(src, start, i);
    if (end === start) throw new Unsupported('empty flow scalar');
    for (let k = start; k < end; k++) if (src[k] === TAB) throw new Unsupported('tabbed flow scalar');
    return end;
  }
}

/** Does a plain scalar resolve to a string (as a key must)? Most keys start with a letter and are. */
function plainIsString(src: Uint8Array, from: number, to: number): boolean {
  const c = src[from];
  if (NUMERIC_OR_NULL_START[c] !== 1) return !isLetter(c) || wordValue(src, from, to) === undefined;
  return typeof resolvePlainScalar(decode(src, from, to)) === 'string';
}

/** The end of `src[from, end)` without trailing spaces and tabs (YAML white space). */
function trimSpaceEnd(src: Uint8Array, from: number, end: number): number {
  while (end > from && (src[end - 1] === SPACE || src[end - 1] === TAB)) end--;
  return end;
}

/** Only spaces and tabs in `src[from, to)`. */
function isBlank(src: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (src[i] !== SPACE && src[i] !== TAB) return false;
  return true;
}

/** Bytes of the escape whose letter is `e` (after the backslash), the backslash included. */
function escapeLength(e: number): number {
  return 2 + HEX_ESCAPE_LENGTH[e];
}

/** The code point of the escape at `i` (its backslash, a letter follows on the line), or -1 for a bad one. */
function escapeAt(src: Uint8Array, i: number, le: number): number {
  const e = src[i + 1];
  const hexLength = HEX_ESCAPE_LENGTH[e];
  if (hexLength === 0) return ESCAPE_CODES[e];
  if (i + 2 + hexLength > le) return -1;
  let cp = 0;
  for (let k = i + 2; k < i + 2 + hexLength; k++) {
    const h = hexValue(src[k]);
    if (h < 0) return -1;
    cp = cp * 16 + h;
  }
  return cp > 0x10ffff ? -1 : cp;
}

/** Where a double-quoted scalar starting at `start` ends, or -1 if reading it would fail. */
function skipDoubleQuoted(src: Uint8Array, start: number, le: number): number {
  for (let i = start + 1; i < le; i++) {
    const c = src[i];
    if (c === DQUOTE) return i + 1;
    if (c !== BACKSLASH) continue;
    if (i + 1 >= le || escapeAt(src, i, le) < 0) return -1;
    i += escapeLength(src[i + 1]) - 1;
  }
  return -1;
}

function skipSingleQuoted(src: Uint8Array, start: number, le: number): number {
  for (let i = start + 1; i < le; i++) {
    if (src[i] !== SQUOTE) continue;
    if (i + 1 < le && src[i + 1] === SQUOTE) {
      i++;
      continue;
    }
    return i + 1;
  }
  return -1;
}
