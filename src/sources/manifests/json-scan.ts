// The fast path for JSON manifests (`kubectl get -o json`, generated Lists): a JSON file is already
// the JSON text the fast paths hand to JSON.parse, so it is only checked and its positions written
// to the document's tape (the line and column of every key and item, as the YAML paths record them).
// JSON is YAML, so the full parser could read it, but at a fraction of the speed and many times the
// memory. Anything this strict reader does not accept (comments, tabs, carriage returns, several
// documents, duplicate keys, a key and its colon on different lines, raw control characters) throws
// `Unsupported`, and the text takes the YAML paths, whose values JSON.parse then matches exactly.

import { keyHash, type PackedPosition, pack, type TapeWriter } from './positions.js';
import { MAX_DEPTH, TooDeep, Unsupported } from './yaml-json.js';

const NEWLINE = 10;
const SPACE = 32;
const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

const SIMPLE_ESCAPES = new Uint8Array(256);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPES[c.charCodeAt(0)] = 1;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

class JsonScanner {
  private pos = 0;
  private line = 1;
  /** UTF-16 column of `colAt` on the current line: columns are counted forward, never from the line start again */
  private colAt = 0;
  private col = 1;
  private depth = 0;

  constructor(
    private readonly src: Uint8Array,
    private readonly tape: TapeWriter,
  ) {}

  scan(): PackedPosition {
    this.skipWhitespace();
    const root = pack(this.line, this.column());
    this.value();
    this.skipWhitespace();
    if (this.pos < this.src.length) throw new Unsupported('content after the JSON value');
    return root;
  }

  /** 1-based column of the cursor in UTF-16 code units (a minified file is one long line). */
  private column(): number {
    const src = this.src;
    let col = this.col;
    for (let i = this.colAt; i < this.pos; i++) {
      const b = src[i];
      if ((b & 0xc0) !== 0x80) col += b >= 0xf0 ? 2 : 1;
    }
    this.colAt = this.pos;
    this.col = col;
    return col;
  }

  /** JSON white space; a tab or a carriage return is left to the YAML paths. */
  private skipWhitespace(): void {
    const src = this.src;
    for (;;) {
      const c = src[this.pos];
      if (c === SPACE) this.pos++;
      else if (c === NEWLINE) {
        this.pos++;
        this.line++;
        this.colAt = this.pos;
        this.col = 1;
      } else return;
    }
  }

  private value(): void {
    const src = this.src;
    const c = src[this.pos];
    if (c === OPEN_BRACE) return this.object();
    if (c === OPEN_BRACKET) return this.array();
    if (c === QUOTE) {
      this.string(false);
      return;
    }
    if (c === 116 || c === 102 || c === 110) return this.literal(c === 116 ? 'true' : c === 102 ? 'false' : 'null');
    this.number();
  }

  private literal(word: string): void {
    for (let i = 0; i < word.length; i++) if (this.src[this.pos + i] !== word.charCodeAt(i)) throw new Unsupported('not JSON');
    this.pos += word.length;
  }

  /** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)? */
  private number(): void {
    const src = this.src;
    let p = this.pos;
    if (src[p] === 45) p++;
    if (src[p] === 48) p++;
    else if (isDigit(src[p])) while (isDigit(src[p])) p++;
    else throw new Unsupported('not JSON');
    if (src[p] === 46 && isDigit(src[p + 1])) {
      p++;
      while (isDigit(src[p])) p++;
    }
    if (src[p] === 101 || src[p] === 69) {
      let q = p + 1;
      if (src[q] === 43 || src[q] === 45) q++;
      if (isDigit(src[q])) {
        while (isDigit(src[q])) q++;
        p = q;
      }
    }
    this.pos = p;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw new TooDeep(`nesting deeper than ${MAX_DEPTH} levels`);
  }

  private object(): void {
    this.enter();
    const src = this.src;
    this.pos++;
    this.skipWhitespace();
    if (src[this.pos] === CLOSE_BRACE) {
      this.pos++;
      this.depth--;
      return;
    }
    const hashes: number[] = [];
    let seen: Set<number> | undefined;
    for (;;) {
      if (src[this.pos] !== QUOTE) throw new Unsupported('not a JSON key');
      const keyLine = this.line;
      const keyColumn = this.column();
      const hash = this.string(true);
      if (seen !== undefined) {
        if (seen.has(hash)) throw new Unsupported('duplicate key');
        seen.add(hash);
      } else {
        if (hashes.includes(hash)) throw new Unsupported('duplicate key');
        hashes.push(hash);
        if (hashes.length > 32) seen = new Set(hashes);
      }
      this.skipWhitespace();
      // YAML wants an implicit key and its `:` on one line
      if (src[this.pos] !== COLON || this.line !== keyLine) throw new Unsupported('expected : on the key line');
      this.pos++;
      this.skipWhitespace();
      const entry = this.tape.open(keyLine, keyColumn, hash);
      this.value();
      this.tape.close(entry);
      this.skipWhitespace();
      const c = src[this.pos++];
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA) throw new Unsupported('expected , or }');
      this.skipWhitespace();
    }
    this.depth--;
  }

  private array(): void {
    this.enter();
    const src = this.src;
    this.pos++;
    this.skipWhitespace();
    if (src[this.pos] === CLOSE_BRACKET) {
      this.pos++;
      this.depth--;
      return;
    }
    for (;;) {
      const entry = this.tape.open(this.line, this.column(), 0);
      this.value();
      this.tape.close(entry);
      this.skipWhitespace();
      const c = src[this.pos++];
      if (c === CLOSE_BRACKET) break;
      if (c !== COMMA) throw new Unsupported('expected , or ]');
      this.skipWhitespace();
    }
    this.depth--;
  }

  /** Check a string at the cursor and move past it; for a key, returns the hash of its value. */
  private string(isKey: boolean): number {
    const src = this.src;
    const start = this.pos;
    let simple = true;
    let h = 0x811c9dc5;
    let i = start + 1;
    for (;;) {
      if (i >= src.length) throw new Unsupported('end of text in a JSON string');
      const c = src[i];
      if (c === QUOTE) break;
      if (c < SPACE) throw new Unsupported('control character in a JSON string');
      if (c === BACKSLASH) {
        simple = false;
        const e = src[i + 1];
        if (e === 117) {
          for (let k = i + 2; k < i + 6; k++) if (!isHex(src[k])) throw new Unsupported('bad \\u escape');
          i += 6;
        } else {
          if (SIMPLE_ESCAPES[e] !== 1) throw new Unsupported('bad escape');
          i += 2;
        }
        continue;
      }
      if (c >= 0x80) simple = false;
      h = Math.imul(h ^ c, 0x01000193);
      i++;
    }
    this.pos = i + 1;
    if (!isKey) return 0;
    let key: string | undefined;
    if (!simple) {
      key = JSON.parse(Buffer.from(src.buffer, src.byteOffset + start, i + 1 - start).toString('utf8')) as string;
      h = keyHash(key);
    } else if (i - start - 1 === 9) {
      key = Buffer.from(src.buffer, src.byteOffset + start + 1, 9).toString('latin1');
    }
    if (key === '__proto__') throw new Unsupported('__proto__ key');
    return h >>> 0;
  }
}

/** Does this normalised text look like one JSON value (it starts with `{` or `[`)? */
export function looksLikeJson(src: Uint8Array): boolean {
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === SPACE || c === NEWLINE) continue;
    return c === OPEN_BRACE || c === OPEN_BRACKET;
  }
  return false;
}

/**
 * Check a whole text as one JSON value and write its positions to the tape; returns the root's
 * position, or throws `Unsupported` (or `TooDeep`). The caller truncates the tape on a throw.
 */
export function scanJsonDocument(src: Uint8Array, tape: TapeWriter): PackedPosition {
  return new JsonScanner(src, tape).scan();
}
