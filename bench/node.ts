// `kubemoat node` on the lab, side by side with kube-bench, in one run (issue 6).
//
//   bash bench/node-peers.sh               # once: kube-bench from the Go module proxy
//   npx tsc -p tsconfig.json
//   node dist/bench/node.js                # both lab profiles (they must be up: lab/lab up --profile all)
//   node dist/bench/node.js --runs 10 --profile insecure
//
// For each profile, inside its network namespace (the node's): the wall time of a full
// `kubemoat node` audit (median of --runs), and of `kube-bench run --benchmark cis-1.10 --targets
// master,etcd,node`; then both tools' verdict per CIS item, and where they disagree. Which one is
// right, and why, is in bench/README.md ("kubemoat node vs kube-bench"): the script only shows.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, median } from './measure.js';
import { collectNode } from '../src/sources/node/collect.js';
import { analyse } from '../src/core/pipeline.js';
import { EMPTY_CONFIG } from '../src/core/config.js';
import { catalogue } from '../src/rules/catalogue.js';
import { cisChecks } from '../src/report/cis-summary.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');
const CACHE = process.env.KUBEMOAT_BENCH_CACHE ?? '/var/cache/kubemoat-bench';
const KUBE_BENCH = join(CACHE, 'bin', 'kube-bench');
const KUBE_BENCH_CFG = join(CACHE, 'kube-bench-cfg');

interface Args {
  runs: number;
  profiles: string[];
  /** run inside the node's namespace and print the in-process phases as JSON (used by the bench itself) */
  inner: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { runs: 5, profiles: ['insecure', 'hardened'], inner: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') args.runs = Math.max(1, Number(argv[++i]));
    else if (argv[i] === '--inner') args.inner = true;
    else if (argv[i] === '--profile') args.profiles = [argv[++i]];
    else throw new Error(`unknown argument ${argv[i]} (use --runs N, --profile insecure|hardened)`);
  }
  return args;
}

type Status = 'PASS' | 'FAIL' | 'WARN' | 'N/A' | 'INFO' | '-';

interface KubeBenchResult {
  test_number: string;
  status: string;
  test_desc: string;
}

function kubeBenchStatuses(json: string): Map<string, Status> {
  const out = new Map<string, Status>();
  const doc = JSON.parse(json) as { Controls?: { tests?: { results?: KubeBenchResult[] }[] }[] };
  for (const c of doc.Controls ?? []) for (const g of c.tests ?? []) for (const r of g.results ?? []) out.set(r.test_number, r.status as Status);
  return out;
}

function compareIds(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

async function benchProfile(profile: string, runs: number): Promise<void> {
  const netns = `kubemoat-lab-${profile}`;
  const inNs = (cmd: string, args: string[]): [string, string[]] => ['ip', ['netns', 'exec', netns, cmd, ...args]];
  process.stdout.write(`\n## ${profile} (network namespace ${netns}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n\n`);

  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const [cmd, args] = inNs(process.execPath, [CLI, 'node', '-f', 'json', '--fail-on', 'never']);
    const m = await measure(cmd, args);
    if (m.exitCode !== 0) throw new Error(`kubemoat node failed in ${netns}: ${m.stderrTail}`);
    walls.push(m.wallS);
  }
  const ours = JSON.parse(execFileSync('ip', ['netns', 'exec', netns, process.execPath, CLI, 'node', '--cis', 'json', '--fail-on', 'never'], { encoding: 'utf8', maxBuffer: 64 << 20 })) as { checks: { id: string; status: Status; manual: boolean; failures: string[] }[] };
  process.stdout.write(`kubemoat node: median ${median(walls).toFixed(3)} s wall over ${runs} runs (min ${Math.min(...walls).toFixed(3)}, max ${Math.max(...walls).toFixed(3)}), including Node.js start-up\n`);
  const inner = JSON.parse(execFileSync('ip', ['netns', 'exec', netns, process.execPath, fileURLToPath(import.meta.url), '--inner', '--runs', String(runs)], { encoding: 'utf8' })) as { collectMs: number; rulesMs: number; cisMs: number; processes: number; objects: number };
  process.stdout.write(`  in process (median of ${runs}, modules loaded): read /proc and files ${inner.collectMs.toFixed(1)} ms (${inner.processes} processes, ${inner.objects} inventory objects), rules ${inner.rulesMs.toFixed(1)} ms, CIS view ${inner.cisMs.toFixed(1)} ms\n`);

  let theirs = new Map<string, Status>();
  if (existsSync(KUBE_BENCH) && existsSync(KUBE_BENCH_CFG)) {
    const kbArgs = ['run', '--config-dir', KUBE_BENCH_CFG, '--config', join(KUBE_BENCH_CFG, 'config.yaml'), '--benchmark', 'cis-1.10', '--targets', 'master,etcd,node', '--json'];
    const [cmd, args] = inNs(KUBE_BENCH, kbArgs);
    const m = await measure(cmd, args);
    process.stdout.write(`kube-bench ${readFileSync(join(CACHE, 'bin', '.kube-bench.version'), 'utf8').trim().split('@')[1] ?? ''}: ${m.wallS.toFixed(3)} s wall (exit ${m.exitCode}); ratio kube-bench / kubemoat ${(m.wallS / median(walls)).toFixed(1)}x\n`);
    const out = execFileSync('ip', ['netns', 'exec', netns, KUBE_BENCH, ...kbArgs], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
    theirs = kubeBenchStatuses(out);
  } else {
    process.stdout.write('kube-bench: not installed (bash bench/node-peers.sh); kubemoat only\n');
  }

  const rows = ours.checks.map((c) => ({ id: c.id, ours: c.status, theirs: theirs.get(c.id) ?? ('-' as Status), manual: c.manual, why: c.failures.slice(0, 2).join('; ') }));
  for (const id of theirs.keys()) if (!rows.some((r) => r.id === id) && /^(1\.[1-4]|2|4\.[1-3])\./.test(id)) rows.push({ id, ours: '-', theirs: theirs.get(id) ?? '-', manual: false, why: '' });
  rows.sort((a, b) => compareIds(a.id, b.id));
  const agree = rows.filter((r) => r.ours === r.theirs).length;
  process.stdout.write(`\nCIS items: ${rows.length}; same verdict ${agree}; different ${rows.length - agree}\n\n`);
  process.stdout.write('| item | kubemoat | kube-bench | kubemoat\'s finding |\n|---|---|---|---|\n');
  for (const r of rows.filter((x) => x.ours !== x.theirs)) process.stdout.write(`| ${r.id}${r.manual ? ' (M)' : ''} | ${r.ours} | ${r.theirs} | ${r.why.replace(/\|/g, '/')} |\n`);
  const count = (s: Status, pick: 'ours' | 'theirs'): number => rows.filter((r) => r[pick] === s).length;
  process.stdout.write(`\ntotals  kubemoat: ${count('PASS', 'ours')} pass, ${count('FAIL', 'ours')} fail, ${count('WARN', 'ours')} warn, ${count('N/A', 'ours')} n/a;  kube-bench: ${count('PASS', 'theirs')} pass, ${count('FAIL', 'theirs')} fail, ${count('WARN', 'theirs')} warn, ${count('INFO', 'theirs')} info\n`);
}

/** The phases of one audit, inside the node's namespace, with every module already loaded. */
async function innerPhases(runs: number): Promise<void> {
  const collect: number[] = [];
  const rules: number[] = [];
  const cis: number[] = [];
  let processes = 0;
  let objects = 0;
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const load = await collectNode({ root: '/' });
    const t1 = performance.now();
    const report = analyse(load.inventory, { type: 'node', root: '/' }, load.coverage, new Date(), { rules: catalogue, config: EMPTY_CONFIG, minimumSeverity: 'info' });
    const t2 = performance.now();
    cisChecks(load.inventory, report.findings, catalogue);
    const t3 = performance.now();
    if (i === 0) continue; // the first run warms the JIT and the page cache
    collect.push(t1 - t0);
    rules.push(t2 - t1);
    cis.push(t3 - t2);
    processes = load.processes;
    objects = load.inventory.objects.length;
  }
  process.stdout.write(JSON.stringify({ collectMs: median(collect), rulesMs: median(rules), cisMs: median(cis), processes, objects }));
}

const args = parseArgs(process.argv.slice(2));
if (args.inner) {
  await innerPhases(args.runs);
  process.exit(0);
}
process.stdout.write(`# kubemoat node vs kube-bench on the lab (${new Date().toISOString()}, ${args.runs} kubemoat runs per profile)\n`);
for (const p of args.profiles) await benchProfile(p, args.runs);
