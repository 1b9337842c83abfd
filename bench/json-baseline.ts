// The limit for a JavaScript reader of a JSON-lines audit log: the same line splitter kubemoat
// uses, then a bare JSON.parse of every line and nothing else. `bench/detect.ts` runs it on the same
// file and reports kubemoat's time as a ratio of this one.
//
//   node dist/bench/json-baseline.js FILE

import { readOnce } from '../src/sources/audit/file.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node dist/bench/json-baseline.js FILE\n');
  process.exit(2);
}
let events = 0;
let kinds = 0;
await readOnce(file, {
  line: (l) => {
    const v = JSON.parse(l) as { kind?: unknown };
    events++;
    if (v.kind === 'Event') kinds++;
  },
  oversized: () => undefined,
}, 4 << 20);
process.stdout.write(`${events} events (${kinds} of kind Event)\n`);
