// Two builds of the detector on the same audit lines, in one process, interleaved: the change a
// branch makes to the cost of `kubemoat detect`, with process start-up, file reading and most of the
// shared machine's noise taken out (each round runs both builds back to back; the best and the
// median of the rounds are printed). CPU time of the detector alone, one core.
//
//   npx tsc -p tsconfig.json
//   head -n 400000 CORPUS > /tmp/audit400k.log        # bench/audit-corpus.ts writes CORPUS (see detect.ts)
//   taskset -c 0 node --max-old-space-size=3000 dist/bench/detect-ab.js --baseline OTHER/dist --lines /tmp/audit400k.log [--rounds 6]
//
// OTHER/dist is the compiled tree of the other build (for example a checkout of main after
// `npx tsc -p tsconfig.json`); this build is the one the script lives in.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

function arg(name: string, dflt?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? process.argv[i + 1] : dflt;
  if (v === undefined) throw new Error(`--${name} is needed`);
  return v;
}

const THIS = fileURLToPath(new URL('../', import.meta.url));
const BASELINE = arg('baseline');
const ROUNDS = Number(arg('rounds', '6'));
const lines = readFileSync(arg('lines'), 'utf8').split('\n').filter((l) => l !== '');

interface Build {
  name: string;
  Detector: new (o: { rules: unknown; settings: unknown; headerFastPath: boolean; emit: () => void }) => { line(text: string): void };
  rules: unknown;
  settings: unknown;
}

async function load(name: string, dist: string): Promise<Build> {
  const url = (p: string): string => pathToFileURL(join(dist, p)).href;
  const engine = (await import(url('src/detect/engine.js'))) as { Detector: Build['Detector'] };
  const index = (await import(url('src/detect/rules/index.js'))) as { detectionRules: unknown };
  const rule = (await import(url('src/detect/rule.js'))) as { DEFAULT_DETECTION_SETTINGS: unknown };
  return { name, Detector: engine.Detector, rules: index.detectionRules, settings: rule.DEFAULT_DETECTION_SETTINGS };
}

function cpuSeconds(b: Build, fastPath: boolean): number {
  const d = new b.Detector({ rules: b.rules, settings: b.settings, headerFastPath: fastPath, emit: () => undefined });
  const t = process.cpuUsage();
  for (const l of lines) d.line(l);
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1e6;
}

const builds = [await load('baseline', BASELINE), await load('this build', THIS)];
const times = new Map<string, number[]>();
for (let r = 0; r < ROUNDS; r++) {
  for (const b of builds) {
    for (const fastPath of [true, false]) {
      const key = `${b.name}, ${fastPath ? 'header fast path' : 'full parse'}`;
      times.set(key, [...(times.get(key) ?? []), cpuSeconds(b, fastPath)]);
    }
  }
}
process.stdout.write(`${lines.length.toLocaleString('en-US')} lines, ${ROUNDS} rounds, CPU seconds of the detector\n`);
for (const [key, t] of times) {
  const s = [...t].sort((a, b) => a - b);
  const best = s[0];
  const median = s[Math.floor(s.length / 2)];
  process.stdout.write(`${key.padEnd(32)} best ${best.toFixed(3)} s (${Math.round(lines.length / best).toLocaleString('en-US')} events/s)  median ${median.toFixed(3)} s\n`);
}
