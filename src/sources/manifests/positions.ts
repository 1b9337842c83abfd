// Source positions for parsed manifests. Each parsed document carries a tape: the line and column
// of every mapping entry and sequence item, in document order, with the hash of each entry's key and
// how many entries its value holds (so a lookup can skip a whole subtree). Rules report a path; the
// engine turns the path into a file position here, so rules never see where a value came from and
// run unchanged on live-cluster objects that have no positions. The values themselves are plain
// JSON values (the fast paths build them with JSON.parse), with nothing attached to them.

import type { JsonValue, Path } from '../../core/json.js';

/** line and column packed into one number: line * 2^16 + column (both 1-based). */
export type PackedPosition = number;

const COLUMN_LIMIT = 0xffff;

export function pack(line: number, column: number): PackedPosition {
  return line * 0x10000 + Math.min(column, COLUMN_LIMIT);
}

export function unpack(p: PackedPosition): { line: number; column: number } {
  return { line: Math.floor(p / 0x10000), column: p % 0x10000 };
}

/** Numbers per tape entry: line, column, key hash (0 for a sequence item), entries inside its value. */
export const ENTRY_SIZE = 4;
const LINE = 0;
const COLUMN = 1;
const HASH = 2;
const INSIDE = 3;
/** A line of 0 marks an entry whose position is not known: a lookup stops at its parent. */
export const NO_LINE = 0;

export interface DocumentPositions {
  /** where the document's root node starts */
  root: PackedPosition;
  /** ENTRY_SIZE numbers per entry, in document order (an entry's value's entries follow it) */
  tape: Uint32Array;
}

/**
 * 32-bit FNV-1a of a key's UTF-16 code units. The transcoder hashes the bytes of ASCII keys the same
 * way; a mapping whose keys share a hash is left to the full parser, so on the fast paths a hash
 * names one key of its mapping.
 */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A growable tape: entries are opened before their value is written and closed after it. */
export class TapeWriter {
  data = new Uint32Array(4096);
  /** entries written */
  count = 0;

  /** Start an entry; returns its index, to close once its value is written. */
  open(line: number, column: number, hash: number): number {
    const at = this.count * ENTRY_SIZE;
    if (at + ENTRY_SIZE > this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    const d = this.data;
    d[at + LINE] = line;
    d[at + COLUMN] = column;
    d[at + HASH] = hash;
    d[at + INSIDE] = 0;
    return this.count++;
  }

  close(entry: number): void {
    this.data[entry * ENTRY_SIZE + INSIDE] = this.count - entry - 1;
  }

  /** Forget entries from `count` on (a document handed to another parser). */
  truncate(count: number): void {
    this.count = count;
  }

  /** The entries [from, to) as a tape of their own (a copy, so the writer can be reused). */
  slice(from: number, to: number): Uint32Array {
    return this.data.slice(from * ENTRY_SIZE, to * ENTRY_SIZE);
  }
}

/** Skip entry `e` and everything inside its value. */
function next(tape: Uint32Array, e: number): number {
  return e + 1 + tape[e * ENTRY_SIZE + INSIDE];
}

function positionOf(tape: Uint32Array, e: number): PackedPosition {
  return pack(tape[e * ENTRY_SIZE + LINE], tape[e * ENTRY_SIZE + COLUMN]);
}

/**
 * The position of the deepest step of `path` that exists in `root`. A path that goes further than
 * the document (a missing field) resolves to its nearest existing parent, which is the place a
 * user would add the field.
 */
export function resolvePosition(root: JsonValue, positions: DocumentPositions, path: Path): PackedPosition {
  const tape = positions.tape;
  let best = positions.root;
  let cur: unknown = root;
  // the entries of the current container: [start, end)
  let start = 0;
  let end = tape.length / ENTRY_SIZE;
  for (const step of path) {
    if (typeof cur !== 'object' || cur === null) break;
    let found = -1;
    if (Array.isArray(cur)) {
      if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step >= cur.length) break;
      let e = start;
      for (let i = 0; i < step && e < end; i++) e = next(tape, e);
      if (e < end) found = e;
    } else {
      const key = String(step);
      if (!Object.prototype.hasOwnProperty.call(cur, key)) break;
      const h = keyHash(key);
      // the last entry with the key: a duplicate key keeps its last value (full parser)
      for (let e = start; e < end; e = next(tape, e)) if (tape[e * ENTRY_SIZE + HASH] === h) found = e;
    }
    if (found < 0 || tape[found * ENTRY_SIZE + LINE] === NO_LINE) break;
    best = positionOf(tape, found);
    cur = (cur as Record<string | number, unknown>)[step];
    start = found + 1;
    end = next(tape, found);
  }
  return best;
}

/**
 * Every entry of a document with its path, in document order, as `path@line:column` pieces (for
 * tests and tools): `.metadata.name`, `.spec.containers[0]`.
 */
export function entryPositions(root: JsonValue, positions: DocumentPositions): [path: string, position: PackedPosition][] {
  const tape = positions.tape;
  const out: [string, PackedPosition][] = [];
  const walk = (value: unknown, path: string, start: number, end: number): void => {
    if (typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      let e = start;
      for (let i = 0; i < value.length && e < end; i++, e = next(tape, e)) {
        out.push([`${path}[${i}]`, positionOf(tape, e)]);
        walk(value[i], `${path}[${i}]`, e + 1, next(tape, e));
      }
      return;
    }
    const byHash = new Map<number, number>();
    for (let e = start; e < end; e = next(tape, e)) byHash.set(tape[e * ENTRY_SIZE + HASH], e);
    for (const [k, v] of Object.entries(value)) {
      const e = byHash.get(keyHash(k));
      if (e === undefined || tape[e * ENTRY_SIZE + LINE] === NO_LINE) {
        out.push([`${path}.${k}`, 0]);
        continue;
      }
      out.push([`${path}.${k}`, positionOf(tape, e)]);
      walk(v, `${path}.${k}`, e + 1, next(tape, e));
    }
  };
  walk(root, '', 0, tape.length / ENTRY_SIZE);
  return out;
}

/**
 * Positions recorded as a parser builds values itself (the full parser): per container, the flat
 * key, position, key, position… list of a mapping or the positions of a sequence's items.
 */
export type SidePositions = Map<object, (string | PackedPosition)[]>;

/**
 * Write the tape of a value whose positions were recorded on the side, walking the value as it
 * finally is (merge keys and aliases included): a key recorded twice keeps its last position.
 */
export function writeTape(tape: TapeWriter, value: JsonValue, side: SidePositions): void {
  if (typeof value !== 'object' || value === null) return;
  const recorded = side.get(value) ?? [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = recorded[i];
      const e = typeof p === 'number' ? tape.open(Math.floor(p / 0x10000), p % 0x10000, 0) : tape.open(NO_LINE, 0, 0);
      writeTape(tape, value[i], side);
      tape.close(e);
    }
    return;
  }
  const last = new Map<string, PackedPosition>();
  for (let i = 0; i + 1 < recorded.length; i += 2) last.set(recorded[i] as string, recorded[i + 1] as PackedPosition);
  for (const key of Object.keys(value)) {
    const p = last.get(key);
    const e = p === undefined ? tape.open(NO_LINE, 0, keyHash(key)) : tape.open(Math.floor(p / 0x10000), p % 0x10000, keyHash(key));
    writeTape(tape, value[key], side);
    tape.close(e);
  }
}
