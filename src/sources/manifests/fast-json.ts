// A fast path for JSON manifests (`kubectl get -o json`, generated Lists), recording the line and
// column of every key and item as the YAML paths do. JSON is YAML, so the full parser could read it,
// but at a fraction of the speed and many times the memory. Anything this strict JSON reader does
// not accept (comments, tabs, several documents, duplicate keys, a key and its colon on different
// lines, raw control characters) throws `Unsupported`, and the text takes the YAML paths, whose
// values it matches exactly (numbers and literals are resolved by the same plain-scalar function).

import type { JsonArray, JsonObject, JsonValue } from '../../core/json.js';
import { MAX_DEPTH, TooDeep, Unsupported, type ParsedDocument } from './fast-yaml.js';
import { pack, PositionCollector, type PackedPosition } from './positions.js';
import { resolvePlainScalar } from './scalars.js';

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

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;
const LITERAL = /true|false|null/y;

class JsonReader {
  private pos = 0;
  private line: number;
  private lineStart = 0;
  private depth = 0;
  private readonly collector = new PositionCollector();

  constructor(
    private readonly text: string,
    firstLine: number,
  ) {
    this.line = firstLine;
  }

  parse(): ParsedDocument {
    this.skipWhitespace();
    const position = this.here();
    const value = this.value();
    this.skipWhitespace();
    if (this.pos < this.text.length) throw new Unsupported('content after the JSON value');
    this.collector.finishDocument(value);
    return { value, position };
  }

  private here(): PackedPosition {
    return pack(this.line, this.pos - this.lineStart + 1);
  }

  /** JSON white space; a tab or a carriage return is left to the YAML paths. */
  private skipWhitespace(): void {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c === SPACE) this.pos++;
      else if (c === NEWLINE) {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
      } else return;
    }
  }

  private value(): JsonValue {
    const c = this.text.charCodeAt(this.pos);
    if (c === OPEN_BRACE) return this.object();
    if (c === OPEN_BRACKET) return this.array();
    if (c === QUOTE) return this.string();
    const re = c === 116 || c === 102 || c === 110 ? LITERAL : NUMBER;
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (m === null) throw new Unsupported('not JSON');
    this.pos += m[0].length;
    return resolvePlainScalar(m[0]);
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw new TooDeep(`nesting deeper than ${MAX_DEPTH} levels`);
  }

  private object(): JsonObject {
    this.enter();
    this.pos++;
    const obj: JsonObject = {};
    const mark = this.collector.mark();
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === CLOSE_BRACE) {
      this.pos++;
    } else {
      for (;;) {
        if (this.text.charCodeAt(this.pos) !== QUOTE) throw new Unsupported('not a JSON key');
        const keyPosition = this.here();
        const keyLine = this.line;
        const key = this.string();
        if (key === '__proto__' || Object.prototype.hasOwnProperty.call(obj, key)) throw new Unsupported('duplicate or __proto__ key');
        this.skipWhitespace();
        // YAML wants an implicit key and its `:` on one line
        if (this.text.charCodeAt(this.pos) !== COLON || this.line !== keyLine) throw new Unsupported('expected : on the key line');
        this.pos++;
        this.skipWhitespace();
        this.collector.key(key, keyPosition);
        obj[key] = this.value();
        this.skipWhitespace();
        const c = this.text.charCodeAt(this.pos++);
        if (c === CLOSE_BRACE) break;
        if (c !== COMMA) throw new Unsupported('expected , or }');
        this.skipWhitespace();
      }
    }
    this.collector.finishMap(obj, mark);
    this.depth--;
    return obj;
  }

  private array(): JsonArray {
    this.enter();
    this.pos++;
    const arr: JsonArray = [];
    const mark = this.collector.mark();
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === CLOSE_BRACKET) {
      this.pos++;
    } else {
      for (;;) {
        this.collector.item(this.here());
        arr.push(this.value());
        this.skipWhitespace();
        const c = this.text.charCodeAt(this.pos++);
        if (c === CLOSE_BRACKET) break;
        if (c !== COMMA) throw new Unsupported('expected , or ]');
        this.skipWhitespace();
      }
    }
    this.collector.finishSeq(arr, mark);
    this.depth--;
    return arr;
  }

  private string(): string {
    const text = this.text;
    let i = this.pos + 1;
    let chunk = i;
    let out = '';
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        out += text.slice(chunk, i);
        this.pos = i + 1;
        return out;
      }
      if (c < SPACE || Number.isNaN(c)) throw new Unsupported('control character or end of text in a JSON string');
      if (c === BACKSLASH) {
        out += text.slice(chunk, i);
        const e = text[i + 1];
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Unsupported('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else {
          const mapped = SIMPLE_ESCAPES[e];
          if (mapped === undefined) throw new Unsupported('bad escape');
          out += mapped;
          i += 2;
        }
        chunk = i;
        continue;
      }
      i++;
    }
  }
}

/** Does this normalised text look like one JSON value (it starts with `{` or `[`)? */
export function looksLikeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === SPACE || c === NEWLINE) continue;
    return c === OPEN_BRACE || c === OPEN_BRACKET;
  }
  return false;
}

/** Parse a whole text as one JSON value, or throw `Unsupported` (or `TooDeep`). */
export function parseJsonDocument(text: string, firstLine = 1): ParsedDocument {
  return new JsonReader(text, firstLine).parse();
}
