// The full YAML parser (the `yaml` library) for documents the fast path hands over: anchors and
// aliases, tags, multi-line scalars, and every kind of broken input, for which it writes the error
// messages. Values are converted with the same scalar rules and positions as the fast path.

import { Composer, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Parser, type CST, type Node, type Document } from 'yaml';
import type { JsonArray, JsonObject, JsonValue } from '../../core/json.js';
import { pack, type PackedPosition, type SidePositions } from './positions.js';
import { MAX_DEPTH, TooDeep } from './yaml-json.js';
import { resolvePlainScalar } from './scalars.js';
import { reindentQuotedContinuations } from './lenient-quotes.js';

/** Bound what aliases may expand to: a "billion laughs" document otherwise grows without limit. */
const MAX_EXPANDED_NODES = 100_000;

export interface FullParseError {
  line: number;
  column: number;
  message: string;
}

/** A document as the full parser builds it, with the positions of its entries recorded on the side. */
export interface FullDocument {
  value: JsonValue;
  /** where the root node starts */
  position: PackedPosition;
  positions: SidePositions;
}

export type FullParseResult =
  | { ok: true; documents: FullDocument[]; warnings: FullParseError[] }
  | { ok: false; errors: FullParseError[]; documents: FullDocument[] };

const TIME_FORMAT = 'TIME';
const TIMESTAMP_TAG = 'tag:yaml.org,2002:timestamp';

/**
 * Parse YAML text (one or more documents) with the full parser. `lineOffset` is added to every line
 * so positions refer to the original file.
 */
export function parseFullYaml(text: string, lineOffset: number): FullParseResult {
  const strict = parseStrict(text, lineOffset);
  if (strict.ok || !strict.errors.some((e) => MISSING_QUOTE.test(e.message))) return strict;
  // kubectl (go-yaml) reads quoted scalars continued below their indentation: read them as it does
  const repair = reindentQuotedContinuations(text);
  if (repair === undefined) return strict;
  const lenient = parseStrict(repair.text, lineOffset);
  if (!lenient.ok) return strict;
  const notes = repair.lines.map((l) => ({ line: l + 1 + lineOffset, column: 1, message: 'a quoted string continues on lines indented less than YAML allows; read as kubectl reads it (indent its continuation lines)' }));
  return { ok: true, documents: lenient.documents, warnings: [...notes, ...lenient.warnings] };
}

const MISSING_QUOTE = /Missing closing ["']quote/;

function parseStrict(text: string, lineOffset: number): FullParseResult {
  const lineCounter = new LineCounter();
  const where = (offset: number): { line: number; column: number } => {
    const p = lineCounter.linePos(offset);
    return { line: p.line + lineOffset, column: p.col };
  };
  const errors: FullParseError[] = [];
  let docs: Document.Parsed[];
  try {
    // The library's parser keeps its own stack, but its composer recurses: a document nested
    // deeper than kubemoat follows is refused here, before the composer could overflow the stack
    // (which V8 does not always survive).
    const tokens: CST.Token[] = [];
    for (const token of new Parser(lineCounter.addNewLine).parse(text)) {
      if (token.type === 'document' && cstDepth(token) > MAX_DEPTH) {
        errors.push({ ...where(token.offset), message: `nesting deeper than ${MAX_DEPTH} levels` });
        continue;
      }
      tokens.push(token);
    }
    const composer = new Composer({
      version: '1.1',
      uniqueKeys: true,
      // Kubernetes' decoder reads timestamps and base-60 numbers as strings.
      customTags: (tags) => tags.filter((t) => typeof t === 'string' || (t.tag !== TIMESTAMP_TAG && t.format !== TIME_FORMAT)),
    });
    docs = Array.from(composer.compose(tokens)) as Document.Parsed[];
  } catch (e) {
    return { ok: false, errors: [...errors, { line: lineOffset + 1, column: 1, message: errorText(e) }], documents: [] };
  }
  const warnings: FullParseError[] = [];
  const documents: FullDocument[] = [];
  for (const doc of docs) {
    const docErrors = doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY');
    for (const e of doc.errors) {
      const p = where(e.pos[0]);
      if (e.code === 'DUPLICATE_KEY') {
        warnings.push({ ...p, message: `duplicate key ${keyAt(text, e.pos[0])}: the last value is used (kubectl would refuse the document)` });
      } else {
        errors.push({ ...p, message: errorText(e) });
      }
    }
    if (docErrors.length > 0) continue;
    if (doc.contents === null) continue;
    try {
      const converter = new Converter(where);
      const value = converter.convert(doc.contents as Node, 0);
      const start = doc.contents.range?.[0] ?? 0;
      const p = where(start);
      documents.push({ value, position: pack(p.line, p.column), positions: converter.positions });
    } catch (e) {
      const start = where(doc.range[0]);
      errors.push({ ...start, message: errorText(e) });
    }
  }
  if (errors.length > 0) return { ok: false, errors, documents };
  return { ok: true, documents, warnings };
}

class Converter {
  private aliasDepth = 0;
  private expandedNodes = 0;
  readonly positions: SidePositions = new Map();
  constructor(private readonly where: (offset: number) => { line: number; column: number }) {}

  private position(node: { range?: [number, number, number] | null } | null | undefined): PackedPosition {
    const p = this.where(node?.range?.[0] ?? 0);
    return pack(p.line, p.column);
  }

  convert(node: unknown, depth: number, anchors = new Set<unknown>()): JsonValue {
    if (depth > MAX_DEPTH) throw new TooDeep(`nesting deeper than ${MAX_DEPTH} levels`);
    if (this.aliasDepth > 0 && ++this.expandedNodes > MAX_EXPANDED_NODES) {
      throw new Error(`aliases expand to more than ${MAX_EXPANDED_NODES} nodes (a YAML alias bomb?); document skipped`);
    }
    if (isAlias(node)) {
      const target = (node as { source: string }).source;
      const resolved = this.anchorsByName.get(target);
      if (resolved === undefined || anchors.has(resolved)) throw new Error(`unresolved or recursive alias *${target}`);
      anchors.add(resolved);
      this.aliasDepth++;
      try {
        return this.convert(resolved, depth + 1, anchors);
      } finally {
        this.aliasDepth--;
        anchors.delete(resolved);
      }
    }
    if (isScalar(node)) {
      const a = (node as { anchor?: string }).anchor;
      if (a) this.anchorsByName.set(a, node);
      // An untagged plain scalar resolves exactly as on the fast path.
      if (node.type === 'PLAIN' && !node.tag && typeof node.source === 'string') return resolvePlainScalar(node.source);
      const v = node.value;
      if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      return v === undefined ? null : String(v);
    }
    if (isMap(node)) {
      if (node.anchor) this.anchorsByName.set(node.anchor, node);
      const obj: JsonObject = {};
      const positions: (string | PackedPosition)[] = [];
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key;
        if (isScalar(keyNode) && keyNode.value === '<<' && keyNode.type === 'PLAIN') {
          this.merge(obj, positions, pair.value, depth, anchors);
          continue;
        }
        const key = this.keyString(keyNode, depth, anchors);
        positions.push(key, this.position(keyNode as Node));
        Object.defineProperty(obj, key, { value: this.convert(pair.value, depth + 1, anchors), enumerable: true, writable: true, configurable: true });
      }
      this.positions.set(obj, positions);
      return obj;
    }
    if (isSeq(node)) {
      if (node.anchor) this.anchorsByName.set(node.anchor, node);
      const arr: JsonArray = [];
      const positions: PackedPosition[] = [];
      for (const item of node.items) {
        positions.push(this.position(item as Node));
        arr.push(this.convert(item, depth + 1, anchors));
      }
      this.positions.set(arr, positions);
      return arr;
    }
    return null;
  }

  private readonly anchorsByName = new Map<string, unknown>();

  private keyString(keyNode: unknown, depth: number, anchors: Set<unknown>): string {
    const k = this.convert(keyNode, depth + 1, anchors);
    if (k === null) return '';
    return typeof k === 'object' ? JSON.stringify(k) : String(k);
  }

  /** `<<: *base` merges the keys of the aliased mapping(s) that the mapping does not set itself. */
  private merge(obj: JsonObject, positions: (string | PackedPosition)[], source: unknown, depth: number, anchors: Set<unknown>): void {
    const values = isSeq(source) ? source.items : [source];
    for (const v of values) {
      const merged = this.convert(v, depth + 1, anchors);
      if (merged === null || typeof merged !== 'object' || Array.isArray(merged)) continue;
      for (const [k, val] of Object.entries(merged)) {
        if (!Object.prototype.hasOwnProperty.call(obj, k)) {
          Object.defineProperty(obj, k, { value: val, enumerable: true, writable: true, configurable: true });
          positions.push(k, this.position(v as Node));
        }
      }
    }
  }
}

/** How deeply a document's syntax tree nests, counted without recursion. */
function cstDepth(root: CST.Token): number {
  let max = 0;
  const stack: [CST.Token, number][] = [[root, 0]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [token, depth] = top;
    if (depth > max) max = depth;
    if (depth > MAX_DEPTH) break;
    if ('value' in token && token.value !== undefined && typeof token.value === 'object') stack.push([token.value, depth + 1]);
    if ('items' in token && Array.isArray(token.items)) {
      for (const item of token.items as CST.CollectionItem[]) {
        if (item.key) stack.push([item.key, depth + 1]);
        if (item.value) stack.push([item.value, depth + 1]);
      }
    }
  }
  return max;
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

function errorText(e: unknown): string {
  if (e instanceof RangeError) return 'document too deeply nested to parse';
  const message = e instanceof Error ? firstLine(e.message) : String(e);
  // the yaml library catches its own stack overflow and reports it as an error of the document
  if (message.includes('Maximum call stack size exceeded')) return 'document too deeply nested to parse';
  return message;
}

/** The key that starts at `offset`, as written, for a message. */
function keyAt(text: string, offset: number): string {
  let end = offset;
  while (end < text.length && end - offset < 80 && text[end] !== '\n' && !(text[end] === ':' && /[\s,]|$/.test(text[end + 1] ?? ''))) end++;
  const key = text.slice(offset, end).trim();
  return key === '' ? '(empty)' : `\`${key}\``;
}
