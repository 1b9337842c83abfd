// The history store benchmark: how fast a 100,000-resource run is recorded (findings per second) on
// SQLite and on PostgreSQL, and how long `history` takes over 100 runs.
//
//   npx tsc -p tsconfig.json && node dist/bench/store.js          # 100,000 resources, 100 runs
//   node dist/bench/store.js --resources 10000 --runs 20          # quicker
//
// The findings are those of a real scan of the benchmark corpus (bench/corpus.ts, cached where
// bench/scan.ts keeps it). Each backend records that report twice: the first run (every finding
// new) and a second one (every finding compared with the first: open). Then a store of 100 runs is
// built from a window of the findings that slides by 1% per run (so each run has new and fixed
// findings), and `history` is asked for the runs, and for trends per severity, namespace and rule,
// both in the process and as the CLI a user runs. PostgreSQL is a private server started here
// (test/helpers/postgres.ts) with fsync on; SQLite is a file in a temporary directory, in WAL mode.
//
// Performance is reported, never asserted: the exit code is 0 whatever the figures.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existingCorpus, generateCorpus, type CorpusOptions } from './corpus.js';
import { median } from './measure.js';
import { EMPTY_CONFIG } from '../src/core/config.js';
import { scanManifests } from '../src/core/pipeline.js';
import type { Finding } from '../src/core/finding.js';
import type { Report } from '../src/core/report.js';
import { catalogue } from '../src/rules/catalogue.js';
import { readHistory, type TrendBy } from '../src/store/history.js';
import { recordReport } from '../src/store/record.js';
import { HistoryStore } from '../src/store/store.js';
import { startPostgres } from '../test/helpers/postgres.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');

interface Options {
  resources: number;
  runs: number;
  /** findings per run of the history store, as a share of the report's */
  window: number;
  repeats: number;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { resources: 100_000, runs: 100, window: 0.1, repeats: 5 };
  for (let i = 0; i < argv.length; i++) {
    const n = Number(argv[i + 1]);
    if (argv[i] === '--resources') o.resources = n;
    else if (argv[i] === '--runs') o.runs = n;
    else if (argv[i] === '--window') o.window = n;
    else if (argv[i] === '--repeats') o.repeats = n;
    else throw new Error(`unknown option ${argv[i]}`);
    if (!(n > 0)) throw new Error(`${argv[i]} needs a positive number`);
    i++;
  }
  return o;
}

async function corpusReport(resources: number): Promise<Report> {
  const cache = process.env.KUBEMOAT_BENCH_CACHE ?? '/var/cache/kubemoat-bench';
  const files = Math.max(1, Math.round(resources / 10));
  const corpus: CorpusOptions = { out: join(cache, 'corpus', `r${resources}-f${files}-s1-normal`), resources, files, seed: 1, size: 'normal' };
  if (!existingCorpus(corpus)) {
    process.stderr.write(`bench: generating a corpus of ${resources} resources in ${corpus.out}\n`);
    generateCorpus(corpus);
  }
  const { report } = await scanManifests([corpus.out], { rules: catalogue, config: EMPTY_CONFIG, minimumSeverity: 'info', threads: 0 });
  return report;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; s: number }> {
  const start = process.hrtime.bigint();
  const result = await work();
  return { result, s: seconds(start) };
}

interface BackendFigures {
  name: string;
  findings: number;
  firstRunS: number;
  secondRunS: number;
  buildS: number;
  rows: number;
  queries: Record<string, number>;
  cliMs: Record<string, number>;
}

/** A report of findings[from … from+size) (wrapping around), for the history store's runs. */
function windowReport(report: Report, from: number, size: number): Report {
  const all = report.findings;
  const findings: Finding[] = [];
  for (let i = 0; i < size; i++) findings.push(all[(from + i) % all.length]);
  return { ...report, findings, suppressed: [] };
}

async function benchBackend(name: string, url: string, report: Report, o: Options): Promise<BackendFigures> {
  const series = { kind: 'scan' as const, scope: 'bench corpus' };
  const store = await HistoryStore.open(url, { create: true });
  const findings = report.findings.length + report.suppressed.length;
  const first = await timed(() => recordReport(store, series, report, false));
  const second = await timed(() => recordReport(store, series, report, false));
  process.stderr.write(`bench: ${name}: run ${first.result.id} ${first.s.toFixed(2)} s, run ${second.result.id} ${second.s.toFixed(2)} s (${second.result.newCount} new, ${second.result.fixedCount} fixed)\n`);

  // the history store: another series, o.runs runs
  const size = Math.max(1, Math.round(report.findings.length * o.window));
  const step = Math.max(1, Math.round(size / 100));
  const history = { kind: 'cluster' as const, scope: 'bench history' };
  const build = await timed(async () => {
    for (let r = 0; r < o.runs; r++) await recordReport(store, history, { ...windowReport(report, r * step, size), startedAt: new Date(Date.UTC(2025, 0, 1) + r * 3_600_000).toISOString() }, false);
  });
  const queries: Record<string, number> = {};
  const filter = { kind: history.kind, scope: history.scope, limit: o.runs };
  const ask = async (label: string, by: TrendBy | undefined): Promise<void> => {
    const times: number[] = [];
    for (let i = 0; i < o.repeats; i++) times.push((await timed(() => readHistory(store, filter, by ? { by, minimum: 'info' } : undefined))).s * 1000);
    queries[label] = median(times);
  };
  await ask('runs', undefined);
  await ask('by severity', 'severity');
  await ask('by namespace', 'namespace');
  await ask('by rule', 'rule');
  const diffTimes: number[] = [];
  for (let i = 0; i < o.repeats; i++) {
    diffTimes.push(
      (await timed(async () => {
        const [to, from] = await store.runs({ ...filter, limit: 2 });
        return store.diff(from, to);
      })).s * 1000,
    );
  }
  queries['diff latest~1 latest'] = median(diffTimes);
  await store.close();

  const cliMs: Record<string, number> = {};
  for (const [label, args] of [['history', []], ['history --by namespace', ['--by', 'namespace']], ['diff latest~1 latest', []]] as const) {
    const times: number[] = [];
    for (let i = 0; i < o.repeats; i++) {
      const start = process.hrtime.bigint();
      const argv = label.startsWith('diff') ? ['diff', 'latest~1', 'latest', '--kind', 'cluster'] : ['history', '--kind', 'cluster', '--limit', String(o.runs), ...args];
      const r = spawnSync(process.execPath, [CLI, ...argv, '--store', url, '-f', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
      if (r.status !== 0) throw new Error(`${label}: ${r.stderr}`);
      times.push(seconds(start) * 1000);
    }
    cliMs[label] = median(times);
  }
  return { name, findings, firstRunS: first.s, secondRunS: second.s, buildS: build.s, rows: size * o.runs, queries, cliMs };
}

function print(figures: BackendFigures[], report: Report, o: Options): void {
  const lines = [
    `History store: ${report.summary.resources} resources, ${figures[0].findings} findings per run; Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end`,
    '',
    'backend     run 1 (all new)          run 2 (all open)',
  ];
  for (const f of figures) {
    lines.push(`${f.name.padEnd(10)}  ${f.firstRunS.toFixed(2).padStart(6)} s ${Math.round(f.findings / f.firstRunS).toLocaleString('en').padStart(9)}/s   ${f.secondRunS.toFixed(2).padStart(6)} s ${Math.round(f.findings / f.secondRunS).toLocaleString('en').padStart(9)}/s`);
  }
  lines.push('', `history over ${o.runs} runs (${figures[0].rows.toLocaleString('en')} finding rows; median of ${o.repeats}, ms):`);
  const labels = Object.keys(figures[0].queries);
  lines.push(`${'query'.padEnd(24)}${figures.map((f) => f.name.padStart(12)).join('')}`);
  for (const l of labels) lines.push(`${l.padEnd(24)}${figures.map((f) => f.queries[l].toFixed(1).padStart(12)).join('')}`);
  lines.push('', 'the CLI, process start included (median, ms):');
  for (const l of Object.keys(figures[0].cliMs)) lines.push(`${`kubemoat ${l}`.padEnd(34)}${figures.map((f) => f.cliMs[l].toFixed(0).padStart(12)).join('')}`);
  lines.push('', `building the ${o.runs}-run store: ${figures.map((f) => `${f.name} ${f.buildS.toFixed(1)} s`).join(', ')}`);
  process.stdout.write(lines.join('\n') + '\n');
}

const options = parseArgs(process.argv.slice(2));
const report = await corpusReport(options.resources);
process.stderr.write(`bench: ${report.findings.length} findings (${report.suppressed.length} suppressed) from ${report.summary.resources} resources\n`);
const dir = mkdtempSync(join(tmpdir(), 'kubemoat-bench-store-'));
const pg = await startPostgres({ fsync: true });
try {
  const figures = [await benchBackend('sqlite', `sqlite:${join(dir, 'history.db')}`, report, options), await benchBackend('postgres', await pg.createDatabase('bench'), report, options)];
  print(figures, report, options);
} finally {
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
