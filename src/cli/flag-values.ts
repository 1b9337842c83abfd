// Parsers for numeric flags, for commander's argParser: a bad value is a one-line usage error
// naming the flag (commander adds it) before anything runs, never a NaN deep in a source.

import { InvalidArgumentError } from 'commander';

/** A parser of whole numbers from `min` to `max`. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `expected a whole number, ${min} or more` : `expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

const UNIT_MS: Record<string, number> = { '': 1, ms: 1, s: 1000, m: 60_000 };

/** A timeout as milliseconds: `1500` (milliseconds, as before units were accepted), `1500ms`, `5s`, `2m`. */
export function milliseconds(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  const ms = m ? Math.round(Number(m[1]) * UNIT_MS[m[2] ?? '']) : NaN;
  if (!(ms > 0)) throw new InvalidArgumentError('expected a duration such as 1500 (milliseconds), 1500ms, 5s or 2m');
  return ms;
}
