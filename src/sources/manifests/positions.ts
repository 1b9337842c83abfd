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

interface Positioned {
  [POSITIONS]?: { map: MapPositions } | { seq: SeqPositions };
}

// A symbol-keyed property is skipped by JSON.stringify, Object.keys and for…in.
export function setMapPositions(target: object, positions: MapPositions): void {
  (target as Positioned)[POSITIONS] = { map: positions };
}

export function setSeqPositions(target: object, positions: SeqPositions): void {
  (target as Positioned)[POSITIONS] = { seq: positions };
}

function positionOfStep(container: unknown, step: string | number): PackedPosition | undefined {
  if (typeof container !== 'object' || container === null) return undefined;
  const positions = (container as Positioned)[POSITIONS];
  if (positions === undefined) return undefined;
  if ('seq' in positions) return typeof step === 'number' ? positions.seq[step] : undefined;
  const key = String(step);
  const flat = positions.map;
  for (let i = flat.length - 2; i >= 0; i -= 2) if (flat[i] === key) return flat[i + 1] as PackedPosition;
  return undefined;
}

/**
 * The position of the deepest step of `path` that exists in `root`. A path that goes further than
 * the document (a missing field) resolves to its nearest existing parent, which is the place a
 * user would add the field.
 */
export function resolvePosition(root: JsonValue, path: Path, rootPosition: PackedPosition): PackedPosition {
  let cur: unknown = root;
  let best = rootPosition;
  for (const step of path) {
    const here = positionOfStep(cur, step);
    if (here === undefined) break;
    best = here;
    cur = (cur as Record<string | number, unknown>)[step];
  }
  return best;
}
