import { UsageError } from './exit.js';

/** `30s`, `10m`, `2h`, or plain seconds, as milliseconds; `flag` names the option in the error. */
export function durationMs(value: string, flag: string): number {
  const m = /^(\d+)([smh]?)$/.exec(value.trim());
  if (!m || Number(m[1]) === 0) throw new UsageError(`${flag} needs a duration such as 30s, 10m or 2h, not ${JSON.stringify(value)}`);
  return Number(m[1]) * (m[2] === 'h' ? 3_600_000 : m[2] === 'm' ? 60_000 : 1000);
}
