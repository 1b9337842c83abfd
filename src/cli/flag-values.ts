// Parsers for numeric flags, for commander's argParser: a bad value is a one-line usage error
// naming the flag (commander adds it) before anything runs, never a NaN deep in a source.

import { InvalidArgumentError } from 'commander';
import { UsageError } from './exit.js';

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

/**
 * A parser of one of `choices`, where old spellings still work: `aliases` maps an old word to the
 * choice it now is (`text` was netpol's and `node --cis`'s name for the table). The help lists
 * only the choices.
 */
export function choiceOf<T extends string>(choices: readonly T[], aliases: Readonly<Record<string, T>> = {}): (value: string) => T {
  return (value) => {
    const found = choices.find((c) => c === value) ?? aliases[value];
    if (found === undefined) throw new InvalidArgumentError(`Allowed choices are ${choices.join(', ')}.`);
    return found;
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

/**
 * A schedule or learning period as milliseconds: `30s`, `10m`, `2h`, or plain seconds (unlike a
 * timeout, whose plain number is milliseconds); `flag` names the option in the error.
 */
export function durationMs(value: string, flag: string): number {
  const m = /^(\d+)([smh]?)$/.exec(value.trim());
  if (!m || Number(m[1]) === 0) throw new UsageError(`${flag} needs a duration such as 30s, 10m or 2h, not ${JSON.stringify(value)}`);
  return Number(m[1]) * (m[2] === 'h' ? 3_600_000 : m[2] === 'm' ? 60_000 : 1000);
}
