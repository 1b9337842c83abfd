// A fast parser for the block-style YAML that Kubernetes manifests are written in, recording the
// line and column of every entry. Measured on 5,000 Deployments, the `yaml` library parses about
// 1,300 documents/s and js-yaml about 9,000 (without positions); the scan targets 20,000/s, so
// the common subset is parsed here: block mappings and sequences (including lists at their key's
// indent, compact `- key:` items and `- - a`), plain, single- and double-quoted one-line scalars
// with every escape, one-line flow collections, literal and folded block scalars with chomping,
// comments, and YAML 1.1 scalar resolution (scalars.ts).
//
// Everything else throws `Unsupported`, and the caller hands that document to the `yaml` library
// (full-yaml.ts), which also writes the error messages for broken input: anchors, aliases, tags and
// merge keys; complex (`?`) keys and keys that are not strings (`on:`, `1:`, `~:`); multi-line plain,
// quoted and flow scalars (a JSON file is read by fast-json.ts instead); block scalar indentation
// indicators; directives and content on a `---` line; tabs in indentation, after indicators or in
// plain scalars; comments inside flow collections; duplicate and `__proto__` keys; implicit keys over
// 1,024 characters; plain scalars starting with a reserved or flow indicator; and any error.
// test/unit/yaml-differential.test.ts holds the two paths to identical values and positions.

import type { JsonArray, JsonObject, JsonValue } from '../../core/json.js';
import { pack, PositionCollector, type PackedPosition } from './positions.js';
import { resolvePlainScalar } from './scalars.js';

/** This document uses YAML the fast path does not handle; parse it with the full parser. */
export class Unsupported extends Error {}

/** The document nests deeper than kubemoat will follow: a deliberate resource-exhaustion input. */
export class TooDeep extends Error {}

export const MAX_DEPTH = 500;

export interface ParsedDocument {
  value: JsonValue;
  /** Where the root node starts. */
  position: PackedPosition;
}

const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const TAB = 9;

/**
 * Characters that, at the start of a node, mean YAML the fast path leaves to the full parser:
 * anchors, aliases, tags, directives, reserved indicators, complex keys, and flow indicators that
 * cannot start a plain scalar (the full parser reports them as errors).
 */
const UNSUPPORTED_START = new Set(['&', '*', '!', '%', '@', '`', '?', ',', ']', '}']);

/** YAML limits an implicit key to 1024 characters; a longer one is an error the full parser reports. */
const MAX_IMPLICIT_KEY = 1024;

class BlockParser {
  /** index into `lines` of the current line */
  private li: number;
  private depth = 0;
  /** added to a line index to get its 1-based line number in the file */
  private readonly lineBase: number;
  private readonly collector = new PositionCollector();

  constructor(
    private readonly lines: readonly string[],
    start: number,
    /** the document ends before this index */
    private readonly end: number,
    /** 1-based line number of lines[start] in the file */
    firstLine: number,
  ) {
    this.li = start;
    this.lineBase = firstLine - start;
  }

  parse(): ParsedDocument | undefined {
    const indent = this.peekIndent();
    if (indent < 0) return undefined;
    const position = this.pos(this.li, indent);
    const value = this.parseNodeAt(indent, -1);
    if (this.peekIndent() >= 0) throw new Unsupported('content after the root node');
    this.collector.finishDocument(value);
    return { value, position };
  }

  private pos(li: number, col: number): PackedPosition {
    return pack(this.lineBase + li, col + 1);
  }

  /** the line index peekIndent last answered for, and its answer: the parser asks several times per line */
  private peekedLi = -1;
  private peekedIndent = -1;

  /** Skip blank and comment-only lines; return the indent of the next content line, or -1 at the end. */
  private peekIndent(): number {
    if (this.li === this.peekedLi) return this.peekedIndent;
    const indent = this.scanIndent();
    this.peekedLi = this.li;
    this.peekedIndent = indent;
    return indent;
  }

  private scanIndent(): number {
    const lines = this.lines;
    while (this.li < this.end) {
      const line = lines[this.li];
      let i = 0;
      while (line.charCodeAt(i) === SPACE) i++;
      const c = line.charCodeAt(i);
      if (i === line.length || c === HASH) {
        this.li++;
        continue;
      }
      if (c === TAB) {
        // A tab in indentation is an error unless the rest of the line is blank or a comment.
        let j = i;
        while (line.charCodeAt(j) === SPACE || line.charCodeAt(j) === TAB) j++;
        if (j === line.length || line.charCodeAt(j) === HASH) {
          this.li++;
          continue;
        }
        throw new Unsupported('tab in indentation');
      }
      return i;
    }
    return -1;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw new TooDeep(`nesting deeper than ${MAX_DEPTH} levels`);
  }

  /** A block node starting at column `col` of the current line; `parentIndent` bounds its continuation lines. */
  private parseNodeAt(col: number, parentIndent: number): JsonValue {
    const line = this.lines[this.li];
    if (isSequenceEntry(line, col)) return this.parseSequence(col);
    const keyEnd = findKeyEnd(line, col);
    if (keyEnd >= 0) return this.parseMapping(col, keyEnd);
    const value = this.parseInline(line, col, parentIndent);
    return value;
  }

  /** A block mapping whose first key, on the current line, ends at `firstKeyEnd`. */
  private parseMapping(indent: number, firstKeyEnd: number): JsonObject {
    this.enter();
    const obj: JsonObject = {};
    const mark = this.collector.mark();
    let col = indent;
    let keyEnd = firstKeyEnd;
    for (;;) {
      const line = this.lines[this.li];
      if (keyEnd < 0) {
        if (isSequenceEntry(line, col)) throw new Unsupported('sequence entry inside a mapping');
        keyEnd = findKeyEnd(line, col);
        if (keyEnd < 0) throw new Unsupported('expected a mapping key');
      }
      const key = readKey(line, col, keyEnd);
      if (Object.prototype.hasOwnProperty.call(obj, key)) throw new Unsupported('duplicate key');
      this.collector.key(key, this.pos(this.li, col));
      obj[key] = this.parseEntryValue(line, keyEnd + 1, indent);
      keyEnd = -1;
      const next = this.peekIndent();
      if (next === indent) {
        col = next;
        continue;
      }
      if (next > indent) throw new Unsupported('unexpected indentation');
      break;
    }
    this.collector.finishMap(obj, mark);
    this.depth--;
    return obj;
  }

  /** The value after `key:`: inline on the same line, or a block on the following lines. */
  private parseEntryValue(line: string, from: number, keyIndent: number): JsonValue {
    let c = from;
    while (line.charCodeAt(c) === SPACE) c++;
    if (c >= line.length || line.charCodeAt(c) === HASH) {
      this.li++;
      const next = this.peekIndent();
      if (next > keyIndent) return this.parseNodeAt(next, keyIndent);
      // Kubernetes manifests commonly put a list at the same indent as its key.
      if (next === keyIndent && next >= 0 && isSequenceEntry(this.lines[this.li], next)) return this.parseSequence(next);
      return null;
    }
    return this.parseInline(line, c, keyIndent);
  }

  private parseSequence(indent: number): JsonArray {
    this.enter();
    const arr: JsonArray = [];
    const mark = this.collector.mark();
    for (;;) {
      const line = this.lines[this.li];
      let c = indent + 1;
      while (line.charCodeAt(c) === SPACE) c++;
      if (c >= line.length || line.charCodeAt(c) === HASH) {
        // An empty entry is placed where its (empty) node would start, as the full parser does.
        const emptyPosition = this.pos(this.li, c);
        this.li++;
        const next = this.peekIndent();
        if (next > indent) {
          this.collector.item(this.pos(this.li, next));
          arr.push(this.parseNodeAt(next, indent));
        } else {
          this.collector.item(emptyPosition);
          arr.push(null);
        }
      } else {
        if (line.charCodeAt(c) === TAB) throw new Unsupported('tab after sequence indicator');
        this.collector.item(this.pos(this.li, c));
        arr.push(this.parseNodeAt(c, indent));
      }
      const next = this.peekIndent();
      if (next === indent && isSequenceEntry(this.lines[this.li], next)) continue;
      if (next > indent) throw new Unsupported('unexpected indentation');
      break;
    }
    this.collector.finishSeq(arr, mark);
    this.depth--;
    return arr;
  }

  /**
   * A value that starts on this line at column `c`: a scalar, a one-line flow collection or a block
   * scalar. Leaves the cursor on the line after it.
   */
  private parseInline(line: string, c: number, parentIndent: number): JsonValue {
    const ch = line[c];
    if (ch === '|' || ch === '>') return ownCopy(this.parseBlockScalar(line, c, parentIndent));
    let value: JsonValue;
    let end: number;
    if (ch === '"' || ch === "'") {
      const q = ch === '"' ? readDoubleQuoted(line, c) : readSingleQuoted(line, c);
      value = sharedValue(q.value);
      end = q.end;
    } else if (ch === '{' || ch === '[') {
      const flow = new FlowParser(line, c, this.depth, this.lineBase + this.li, this.collector);
      value = flow.parseValue();
      end = flow.pos;
    } else {
      if (UNSUPPORTED_START.has(ch)) throw new Unsupported(`node starting with ${ch}`);
      if (ch === '-' && isSeparator(line, c + 1)) throw new Unsupported('sequence entry as inline value');
      const text = readPlainToLineEnd(line, c);
      value = resolvePlainScalar(text);
      if (typeof value === 'string') value = sharedValue(value);
      end = line.length;
    }
    assertOnlyCommentAfter(line, end);
    this.li++;
    // A more indented line after an inline value would continue a multi-line scalar (or be an error).
    if (this.peekIndent() > parentIndent && parentIndent >= 0) throw new Unsupported('multi-line scalar');
    if (parentIndent < 0 && this.peekIndent() >= 0) throw new Unsupported('multi-line root scalar');
    return value;
  }

  private parseBlockScalar(line: string, c: number, parentIndent: number): string {
    const literal = line[c] === '|';
    let chomp: 'clip' | 'strip' | 'keep' = 'clip';
    let i = c + 1;
    for (; i < line.length; i++) {
      const h = line[i];
      if ((h === '-' || h === '+') && chomp !== 'clip') throw new Unsupported('two chomping indicators');
      if (h === '-') chomp = 'strip';
      else if (h === '+') chomp = 'keep';
      else if (h >= '0' && h <= '9') throw new Unsupported('block scalar indentation indicator');
      else break;
    }
    assertOnlyCommentAfter(line, i);
    this.li++;
    const lines = this.lines;
    // The content indent is that of the first non-empty line, which must be deeper than the parent.
    let contentIndent = -1;
    let leadingMaxSpaces = 0;
    for (let j = this.li; j < this.end; j++) {
      const l = lines[j];
      let k = 0;
      while (l.charCodeAt(k) === SPACE) k++;
      if (k === l.length) {
        leadingMaxSpaces = Math.max(leadingMaxSpaces, k);
        continue;
      }
      if (l.charCodeAt(k) === TAB) throw new Unsupported('tab in block scalar indentation');
      contentIndent = k;
      break;
    }
    if (contentIndent <= parentIndent || contentIndent < 0) {
      // Empty block scalar: consume the blank lines that belong to it.
      if (leadingMaxSpaces > Math.max(parentIndent, 0)) throw new Unsupported('indented empty block scalar');
      return this.chompEmpty(chomp);
    }
    if (leadingMaxSpaces > contentIndent) throw new Unsupported('leading blank line longer than content indent');
    let result = '';
    let emptyLines = 0;
    let readContent = false;
    let moreIndented = false;
    for (; this.li < this.end; this.li++) {
      const l = lines[this.li];
      let k = 0;
      while (k < contentIndent && l.charCodeAt(k) === SPACE) k++;
      if (k < contentIndent) {
        if (isBlank(l, k)) {
          if (l.includes('\t')) throw new Unsupported('tab in block scalar blank line');
          emptyLines++;
          continue;
        }
        // a less indented line ends the scalar; a tab in its indentation is the full parser's to judge
        if (l.charCodeAt(k) === TAB) throw new Unsupported('tab in indentation after a block scalar');
        break;
      }
      if (k === l.length) {
        emptyLines++;
        continue;
      }
      const text = l.slice(contentIndent);
      if (literal) {
        result += '\n'.repeat(readContent ? 1 + emptyLines : emptyLines);
      } else {
        const first = text.charCodeAt(0);
        if (first === SPACE || first === TAB) {
          moreIndented = true;
          result += '\n'.repeat(readContent ? 1 + emptyLines : emptyLines);
        } else if (moreIndented) {
          moreIndented = false;
          result += '\n'.repeat(emptyLines + 1);
        } else if (emptyLines === 0) {
          if (readContent) result += ' ';
        } else {
          result += '\n'.repeat(emptyLines);
        }
      }
      result += text;
      readContent = true;
      emptyLines = 0;
    }
    if (chomp === 'keep') result += '\n'.repeat(readContent ? 1 + emptyLines : emptyLines);
    else if (chomp === 'clip' && readContent) result += '\n';
    return result;
  }

  private chompEmpty(chomp: 'clip' | 'strip' | 'keep'): string {
    let blank = 0;
    while (this.li < this.end && isBlank(this.lines[this.li], 0)) {
      blank++;
      this.li++;
    }
    return chomp === 'keep' ? '\n'.repeat(blank) : '';
  }
}

/** V8 makes a slice of 13 or more characters a view into its parent string. */
const SLICE_MIN_LENGTH = 13;

/**
 * A string that does not keep the file it was read from alive. Slices of the file's text are views
 * into it, so one long value kept by the inventory kept the whole text (2 KiB a resource); a
 * concatenation flattened by slicing is a copy of its own.
 */
function ownCopy(s: string): string {
  return s.length < SLICE_MIN_LENGTH ? s : (s + ' ').slice(0, -1);
}

/**
 * Scalar values seen lately, to share one string between their occurrences: manifests repeat the
 * same names, labels, images and words (an app's name a dozen times in its bundle, `TCP`, `prod`,
 * `Helm` everywhere). A direct-mapped table indexed by a hash of the value's ends: a collision only
 * loses a chance to share, and a lookup costs less than a Map's (which was a twentieth of a scan).
 * Long values are rarely repeated and are only copied.
 */
const SHARE_SLOTS = 1 << 14;
const recentValues: string[] = new Array<string>(SHARE_SLOTS).fill('');
const SHARED_MAX_LENGTH = 128;

function sharedValue(s: string): string {
  const n = s.length;
  if (n > SHARED_MAX_LENGTH || n === 0) return ownCopy(s);
  let h = n;
  const head = n < 16 ? n : 16;
  for (let i = 0; i < head; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  for (let i = n - 8 > head ? n - 8 : head; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  const slot = (h ^ (h >>> 15)) & (SHARE_SLOTS - 1);
  const seen = recentValues[slot];
  if (seen === s) return seen;
  const own = ownCopy(s);
  recentValues[slot] = own;
  return own;
}

function isSequenceEntry(line: string, col: number): boolean {
  if (line.charCodeAt(col) !== DASH) return false;
  const next = line.charCodeAt(col + 1);
  // `-` then a tab is an entry too; parseSequence leaves the tab to the full parser
  return Number.isNaN(next) || next === SPACE || next === TAB;
}

/**
 * The index of the `:` that ends a mapping key starting at `col`, or -1 if this is not a key.
 * A key is a quoted scalar or a plain scalar followed by `: ` or `:` at the end of the line.
 */
function findKeyEnd(line: string, col: number): number {
  const ch = line[col];
  if (ch === '"' || ch === "'") {
    let end: number;
    try {
      end = (ch === '"' ? readDoubleQuoted(line, col) : readSingleQuoted(line, col)).end;
    } catch {
      return -1;
    }
    while (line.charCodeAt(end) === SPACE) end++;
    return line.charCodeAt(end) === COLON && isSeparator(line, end + 1) ? end : -1;
  }
  if (ch === '{' || ch === '[' || ch === '|' || ch === '>' || ch === '#' || UNSUPPORTED_START.has(ch)) return -1;
  if (ch === ':' && line.charCodeAt(col + 1) === TAB) return -1;
  const limit = Math.min(line.length, col + MAX_IMPLICIT_KEY + 1);
  for (let i = col; i < limit; i++) {
    const c = line.charCodeAt(i);
    if (c === COLON && isSeparator(line, i + 1)) return i;
    if (c === HASH && (line.charCodeAt(i - 1) === SPACE || line.charCodeAt(i - 1) === TAB)) return -1;
  }
  if (limit < line.length && line.indexOf(': ', limit) >= 0) throw new Unsupported('implicit key longer than 1024 characters');
  return -1;
}

function isSeparator(line: string, i: number): boolean {
  if (i >= line.length) return true;
  const c = line.charCodeAt(i);
  return c === SPACE || c === TAB;
}

function readKey(line: string, col: number, keyEnd: number): string {
  const ch = line[col];
  if (ch === '"' || ch === "'") {
    const quoted = (ch === '"' ? readDoubleQuoted(line, col) : readSingleQuoted(line, col)).value;
    if (quoted === '__proto__') throw new Unsupported('__proto__ key');
    return quoted;
  }
  const text = line.slice(col, trimSpaceEnd(line, col, keyEnd));
  if (text === '<<') throw new Unsupported('merge key');
  if (text === '__proto__') throw new Unsupported('__proto__ key');
  const resolved = resolvePlainScalar(text);
  if (typeof resolved !== 'string') throw new Unsupported('non-string key');
  return text;
}

/** The end of `line[from, end)` without trailing spaces and tabs (YAML white space; not JS's wider trimEnd). */
function trimSpaceEnd(line: string, from: number, end: number): number {
  while (end > from) {
    const c = line.charCodeAt(end - 1);
    if (c !== SPACE && c !== TAB) break;
    end--;
  }
  return end;
}

/** Only spaces and tabs from `from` on. */
function isBlank(line: string, from: number): boolean {
  for (let i = from; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== SPACE && c !== TAB) return false;
  }
  return true;
}

function readPlainToLineEnd(line: string, c: number): string {
  let end = line.length;
  const hash = line.indexOf(' #', c);
  if (hash >= 0) end = hash;
  end = trimSpaceEnd(line, c, end);
  // One pass over the scalar: `a: b: c` is an error in block context, and a tab is the full
  // parser's to judge; let it say so.
  for (let i = c; i < end; i++) {
    const ch = line.charCodeAt(i);
    if (ch === COLON) {
      const next = i + 1 < end ? line.charCodeAt(i + 1) : SPACE;
      if (next === SPACE || next === TAB) throw new Unsupported('colon in plain scalar');
    } else if (ch === TAB) {
      throw new Unsupported('tab in plain scalar');
    }
  }
  return line.slice(c, end);
}

function assertOnlyCommentAfter(line: string, from: number): void {
  let i = from;
  while (line.charCodeAt(i) === SPACE || line.charCodeAt(i) === TAB) i++;
  if (i < line.length && !(line.charCodeAt(i) === HASH && i > from)) throw new Unsupported('content after value');
}

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};
const HEX_ESCAPE_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

function readDoubleQuoted(line: string, start: number): { value: string; end: number } {
  let out = '';
  let i = start + 1;
  let chunk = i;
  for (; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      out += line.slice(chunk, i);
      return { value: out, end: i + 1 };
    }
    if (ch === '\\') {
      out += line.slice(chunk, i);
      const e = line[i + 1];
      if (e === undefined) throw new Unsupported('escaped line break');
      const hexLength = HEX_ESCAPE_LENGTH[e];
      if (hexLength !== undefined) {
        const hex = line.slice(i + 2, i + 2 + hexLength);
        if (hex.length !== hexLength || !/^[0-9a-fA-F]+$/.test(hex)) throw new Unsupported('bad escape');
        out += String.fromCodePoint(parseInt(hex, 16));
        i += 1 + hexLength;
      } else {
        const mapped = ESCAPES[e];
        if (mapped === undefined) throw new Unsupported('bad escape');
        out += mapped;
        i += 1;
      }
      chunk = i + 1;
    }
  }
  throw new Unsupported('multi-line double-quoted scalar');
}

function readSingleQuoted(line: string, start: number): { value: string; end: number } {
  let out = '';
  let chunk = start + 1;
  for (let i = start + 1; i < line.length; i++) {
    if (line[i] === "'") {
      if (line[i + 1] === "'") {
        out += line.slice(chunk, i + 1);
        i++;
        chunk = i + 1;
        continue;
      }
      out += line.slice(chunk, i);
      return { value: out, end: i + 1 };
    }
  }
  throw new Unsupported('multi-line single-quoted scalar');
}

/** A flow collection (`{a: 1}`, `["ALL"]`) that opens and closes on one line. */
class FlowParser {
  pos: number;
  constructor(
    private readonly line: string,
    start: number,
    private depth: number,
    private readonly lineNumber: number,
    private readonly collector: PositionCollector,
  ) {
    this.pos = start;
  }

  private here(): PackedPosition {
    return pack(this.lineNumber, this.pos + 1);
  }

  parseValue(): JsonValue {
    this.skipSpaces();
    const ch = this.line[this.pos];
    if (ch === '{') return this.parseMap();
    if (ch === '[') return this.parseSeq();
    if (ch === '"' || ch === "'") {
      const q = ch === '"' ? readDoubleQuoted(this.line, this.pos) : readSingleQuoted(this.line, this.pos);
      this.pos = q.end;
      return sharedValue(q.value);
    }
    const value = resolvePlainScalar(this.readPlain());
    return typeof value === 'string' ? sharedValue(value) : value;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw new TooDeep(`nesting deeper than ${MAX_DEPTH} levels`);
  }

  private parseMap(): JsonObject {
    this.enter();
    this.pos++;
    const obj: JsonObject = {};
    const mark = this.collector.mark();
    for (;;) {
      this.skipSpaces();
      if (this.line[this.pos] === '}') {
        this.pos++;
        break;
      }
      const ch = this.line[this.pos];
      const keyPosition = this.here();
      let key: string;
      if (ch === '"' || ch === "'") {
        const q = ch === '"' ? readDoubleQuoted(this.line, this.pos) : readSingleQuoted(this.line, this.pos);
        this.pos = q.end;
        key = q.value;
        if (key === '__proto__') throw new Unsupported('__proto__ key');
      } else {
        key = this.readPlain();
        if (key === '' || key === '__proto__' || typeof resolvePlainScalar(key) !== 'string') throw new Unsupported('flow key');
      }
      this.skipSpaces();
      if (this.line[this.pos] !== ':') throw new Unsupported('flow mapping without value');
      this.pos++;
      if (Object.prototype.hasOwnProperty.call(obj, key)) throw new Unsupported('duplicate key');
      this.collector.key(key, keyPosition);
      this.skipSpaces();
      const next = this.line[this.pos];
      obj[key] = next === ',' || next === '}' ? null : this.parseValue();
      this.skipSpaces();
      const sep = this.line[this.pos];
      if (sep === ',') this.pos++;
      else if (sep !== '}') throw new Unsupported('flow mapping not closed on its line');
    }
    this.collector.finishMap(obj, mark);
    this.depth--;
    return obj;
  }

  private parseSeq(): JsonArray {
    this.enter();
    this.pos++;
    const arr: JsonArray = [];
    const mark = this.collector.mark();
    for (;;) {
      this.skipSpaces();
      if (this.line[this.pos] === ']') {
        this.pos++;
        break;
      }
      this.collector.item(this.here());
      arr.push(this.parseValue());
      this.skipSpaces();
      const sep = this.line[this.pos];
      if (sep === ',') this.pos++;
      else if (sep !== ']') throw new Unsupported('flow sequence not closed on its line');
    }
    this.collector.finishSeq(arr, mark);
    this.depth--;
    return arr;
  }

  private skipSpaces(): void {
    while (this.line.charCodeAt(this.pos) === SPACE) this.pos++;
  }

  /** A plain scalar inside a flow collection ends at `,`, `]`, `}`, or `: `. */
  private readPlain(): string {
    const line = this.line;
    const start = this.pos;
    const first = line[start];
    if (first === undefined || UNSUPPORTED_START.has(first) || first === '#' || first === '|' || first === '>') {
      throw new Unsupported('flow scalar');
    }
    // `-`, `?` and `:` start a plain scalar only when a safe character follows them.
    if ((first === '-' || first === ':') && (start + 1 >= line.length || ' \t,[]{}'.includes(line[start + 1]))) {
      throw new Unsupported('indicator in flow');
    }
    let i = start;
    for (; i < line.length; i++) {
      const c = line[i];
      if (c === ',' || c === ']' || c === '}' || c === '[' || c === '{') break;
      if (c === ':' && (i + 1 >= line.length || ' ,]}'.includes(line[i + 1]))) break;
      if (c === '#' && line[i - 1] === ' ') throw new Unsupported('comment in flow');
    }
    this.pos = i;
    const text = line.slice(start, trimSpaceEnd(line, start, i));
    if (text === '' || text.includes('\t')) throw new Unsupported('empty or tabbed flow scalar');
    return text;
  }
}

/**
 * Parse one document's lines (no `---` markers); `firstLine` is the 1-based line number of lines[0].
 * Every line is taken to end with a line break: leave out the empty string that splitting a text
 * with a final line break puts last.
 */
export function parseBlockYaml(lines: readonly string[], firstLine: number): ParsedDocument | undefined {
  return new BlockParser(lines, 0, lines.length, firstLine).parse();
}

/** parseBlockYaml on lines[start, end) of a file's lines, without copying them. */
export function parseBlockYamlRange(lines: readonly string[], start: number, end: number, firstLine: number): ParsedDocument | undefined {
  return new BlockParser(lines, start, end, firstLine).parse();
}
