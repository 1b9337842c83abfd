// Source positions for parsed manifests. Each parsed mapping or sequence carries, under a symbol
// (invisible to JSON.stringify and Object.keys), the line and column of each of its entries.
// Rules report a path; the engine turns the path into a file position here, so rules never see
// where a value came from and run unchanged on live-cluster objects that have no positions.

import type { JsonValue, Path } from '../../core/json.js';

export const POSITIONS: unique symbol = Symbol('kubemoat.positions');

/** line and column packed into one number: line * 2^16 + column (both 1-based). */
export type PackedPosition = number;

const COLUMN_LIMIT = 0xffff;

export function pack(line: number, column: number): PackedPosition {
  return line * 0x10000 + Math.min(column, COLUMN_LIMIT);
}

export function unpack(p: PackedPosition): { line: number; column: number } {
  return { line: Math.floor(p / 0x10000), column: p % 0x10000 };
}

/** A mapping's positions as a flat list: key, position, key, position… (cheaper than a map per object). */
export type MapPositions = (string | PackedPosition)[];
/** A sequence's positions, by index. */
export type SeqPositions = PackedPosition[];

/**
 * What a container carries under POSITIONS: for a sequence, positions by index; for a mapping,
 * either the flat keyed list, or (the compact form) positions alone in the order its keys
 * enumerate. The fast parsers write the compact forms into one table per document (kept on the
 * document's root under POSITION_TABLE) and leave in each container only the offset of its own
 * positions there: an array per container cost 48 bytes of headers, more than its positions.
 */
type Stored = MapPositions | SeqPositions | TableOffset;
/** Where a container's positions start in its document's table (compact forms only). */
type TableOffset = number;

/** The table of a document's compact positions, on the document's root. */
export const POSITION_TABLE: unique symbol = Symbol('kubemoat.positionTable');

interface Positioned {
  [POSITIONS]?: Stored;
  [POSITION_TABLE]?: PackedPosition[];
}

// A symbol-keyed property is skipped by JSON.stringify, Object.keys and for…in.
export function setMapPositions(target: object, positions: MapPositions): void {
  (target as Positioned)[POSITIONS] = positions;
}

/**
 * Positions of a mapping's entries in the order `for…in` enumerates its keys. Only for mappings
 * without integer-like keys (which JavaScript enumerates first) and without duplicates. Parsed
 * values are read-only from here on: deleting a key would shift the positions after it.
 */
export function setAlignedMapPositions(target: object, positions: SeqPositions): void {
  (target as Positioned)[POSITIONS] = positions;
}

export function setSeqPositions(target: object, positions: SeqPositions): void {
  (target as Positioned)[POSITIONS] = positions;
}

function tableOf(root: unknown): PackedPosition[] | undefined {
  return typeof root === 'object' && root !== null ? (root as Positioned)[POSITION_TABLE] : undefined;
}

function positionOfStep(container: unknown, step: string | number, table: PackedPosition[] | undefined): PackedPosition | undefined {
  if (typeof container !== 'object' || container === null) return undefined;
  const stored = (container as Positioned)[POSITIONS];
  if (stored === undefined) return undefined;
  if (typeof stored === 'number') {
    if (table === undefined) return undefined;
    if (Array.isArray(container)) {
      return typeof step === 'number' && Number.isInteger(step) && step >= 0 && step < container.length ? table[stored + step] : undefined;
    }
    const key = String(step);
    let i = 0;
    for (const k in container) {
      if (k === key) return table[stored + i];
      i++;
    }
    return undefined;
  }
  if (Array.isArray(container)) return typeof step === 'number' ? (stored[step] as PackedPosition | undefined) : undefined;
  const key = String(step);
  if (stored.length > 0 && typeof stored[0] === 'string') {
    for (let i = stored.length - 2; i >= 0; i -= 2) if (stored[i] === key) return stored[i + 1] as PackedPosition;
    return undefined;
  }
  let i = 0;
  for (const k in container) {
    if (k === key) return stored[i] as PackedPosition | undefined;
    i++;
  }
  return undefined;
}

/**
 * Every recorded entry of a container with its position, in the container's order (for tests and
 * tools). `root` is the document the container is in: the compact forms need its table.
 */
export function entryPositions(container: unknown, root: unknown): [string | number, PackedPosition][] {
  if (typeof container !== 'object' || container === null) return [];
  const stored = (container as Positioned)[POSITIONS];
  if (stored === undefined) return [];
  if (typeof stored === 'number') {
    const table = tableOf(root);
    if (table === undefined) return [];
    if (Array.isArray(container)) return container.map((_, i) => [i, table[stored + i]]);
    return Object.keys(container).map((k, i) => [k, table[stored + i]]);
  }
  if (Array.isArray(container)) return (stored as SeqPositions).map((p, i) => [i, p]);
  if (stored.length > 0 && typeof stored[0] === 'string') {
    const out: [string, PackedPosition][] = [];
    for (let i = 0; i < stored.length; i += 2) out.push([stored[i] as string, stored[i + 1] as PackedPosition]);
    return out;
  }
  return Object.keys(container).map((k, i) => [k, stored[i] as PackedPosition]);
}

/**
 * Collects positions while a parser descends, on two shared stacks, and hands each finished
 * container an array of exactly its own positions (no per-container growth slack, no boxing).
 */
export class PositionCollector {
  private readonly keys: string[] = [];
  private readonly positions: number[] = [];
  /** the stacks' height; the arrays are not shortened, only overwritten */
  private top = 0;
  /** the document's compact positions, container after container */
  private table: PackedPosition[] = [];

  /** Hand the document's table to its root (call once, after the root is finished). */
  finishDocument(root: JsonValue): void {
    if (typeof root === 'object' && root !== null && this.table.length > 0) (root as Positioned)[POSITION_TABLE] = this.table.slice();
    this.table = [];
  }

  /** Copy the stacks' positions from `mark` into the table; the container keeps only where they start. */
  private toTable(target: object, mark: number): void {
    const top = this.top;
    if (top === mark) return; // an empty container: nothing to find in it
    const table = this.table;
    (target as Positioned)[POSITIONS] = table.length;
    const positions = this.positions;
    for (let i = mark; i < top; i++) table.push(positions[i]);
  }

  /** Where the container being started begins on the stacks. */
  mark(): number {
    return this.top;
  }

  key(key: string, position: PackedPosition): void {
    this.keys[this.top] = key;
    this.positions[this.top++] = position;
  }

  item(position: PackedPosition): void {
    this.keys[this.top] = '';
    this.positions[this.top++] = position;
  }

  finishMap(target: object, mark: number): void {
    const keys = this.keys;
    const top = this.top;
    let aligned = true;
    for (let i = mark; i < top; i++) {
      const c = keys[i].charCodeAt(0);
      if (c >= 48 && c <= 57) {
        aligned = false;
        break;
      }
    }
    if (aligned) {
      this.toTable(target, mark);
    } else {
      const flat: MapPositions = [];
      for (let i = mark; i < top; i++) flat.push(keys[i], this.positions[i]);
      setMapPositions(target, flat);
    }
    this.top = mark;
  }

  finishSeq(target: object, mark: number): void {
    this.toTable(target, mark);
    this.top = mark;
  }
}

/**
 * The position of the deepest step of `path` that exists in `root`. A path that goes further than
 * the document (a missing field) resolves to its nearest existing parent, which is the place a
 * user would add the field.
 */
export function resolvePosition(root: JsonValue, path: Path, rootPosition: PackedPosition): PackedPosition {
  const table = tableOf(root);
  let cur: unknown = root;
  let best = rootPosition;
  for (const step of path) {
    const here = positionOfStep(cur, step, table);
    if (here === undefined) break;
    best = here;
    cur = (cur as Record<string | number, unknown>)[step];
  }
  return best;
}
