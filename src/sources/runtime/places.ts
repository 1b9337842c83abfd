// The numbers the eBPF program uses for the watched places (a map value must be a number).

import { WATCHED_PLACES, type WatchedPlace } from './event.js';

export const PLACE_CODES = Object.fromEntries(WATCHED_PLACES.map((p, i) => [p, i + 1])) as Record<WatchedPlace, number>;

export function placeOfCode(code: number): WatchedPlace | undefined {
  return WATCHED_PLACES[code - 1];
}
