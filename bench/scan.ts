// The `kubemoat scan` benchmark: one run that generates (or reuses) a corpus, scans it with kubemoat
// several times, scans the same corpus with the peers a user would pick instead, and prints
// resources per second, CPU time and peak memory side by side, with the ratios.
//
//   npx tsc -p tsconfig.json && bash bench/peers.sh     # once: build, install the peers
//   node dist/bench/scan.js                             # 100,000 resources in 10,000 files
//   node dist/bench/scan.js --quick                     # 10,000 resources in 1,000 files
//   node dist/bench/scan.js --profile                   # also profile kubemoat (node --cpu-prof)
//
// Options: --resources N --files M --seed S --size small|normal|large --corpus DIR --runs R
//          --peers kube-score,polaris,checkov,trivy | --no-peers   --kube-score-resources N   --trivy-resources N
//          --checkov-resources N   --peer-timeout S (600)   --profile   --json FILE   --cache DIR   --no-snapshot
//
// Performance is reported, never asserted: the exit code is 0 whatever the figures.

import { copyFileSync, cpSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existingCorpus, generateCorpus, type CorpusMeta, type CorpusOptions, type CorpusSize } from './corpus.js';
import { cpuS, measure, median, hasGnuTime, type Measurement } from './measure.js';
import { formatProfile, readProfile, summariseProfile } from './profile.js';
import { catalogue } from '../src/rules/catalogue.js';
import { execFileSync } from 'node:child_process';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The CLI the benchmark runs: a snapshot of dist/src taken at the start (see snapshotDist). */
let CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');
const TARGET_RATE = 20_000;
const TARGET_RSS_MIB = 1024;
/** Linux allows ~2 MiB of arguments; stay well below it when passing files to kube-score. */
const MAX_ARG_BYTES = 1_000_000;

interface Options {
  corpus: CorpusOptions;
  corpusDirGiven: boolean;
  runs: number;
  peers: string[];
  kubeScoreResources?: number;
  trivyResources?: number;
  checkovResources: number;
  /** a peer still running after this many seconds is stopped and reported as a lower bound */
  peerTimeoutS: number;
  profile: boolean;
  json?: string;
  cache: string;
  quick: boolean;
  snapshot: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const cache = process.env.KUBEMOAT_BENCH_CACHE ?? '/var/cache/kubemoat-bench';
  const quick = argv.includes('--quick');
  const o: Options = {
    corpus: { out: '', resources: quick ? 10_000 : 100_000, files: quick ? 1_000 : 10_000, seed: 1, size: 'normal' },
    corpusDirGiven: false,
    runs: 5,
    peers: ['kube-score', 'polaris', 'checkov', 'trivy'],
    checkovResources: quick ? 2_000 : 5_000,
    peerTimeoutS: quick ? 300 : 600,
    profile: false,
    cache,
    quick,
    snapshot: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    const num = (): number => {
      const n = Number(String(v).replace(/_/g, ''));
      if (!Number.isInteger(n) || n < 1) throw new Error(`${a} needs a positive integer, not ${v}`);
      i++;
      return n;
    };
    const str = (): string => {
      if (v === undefined) throw new Error(`${a} needs a value`);
      i++;
      return v;
    };
    switch (a) {
      case '--quick':
        break;
      case '--resources':
        o.corpus.resources = num();
        break;
      case '--files':
        o.corpus.files = num();
        break;
      case '--seed':
        o.corpus.seed = num();
        break;
      case '--size': {
        const s = str();
        if (s !== 'small' && s !== 'normal' && s !== 'large') throw new Error('--size is small, normal or large');
        o.corpus.size = s as CorpusSize;
        break;
      }
      case '--corpus':
        o.corpus.out = resolve(str());
        o.corpusDirGiven = true;
        break;
      case '--runs':
        o.runs = num();
        break;
      case '--peers':
        o.peers = str().split(',').map((p) => p.trim()).filter(Boolean);
        break;
      case '--no-snapshot':
        o.snapshot = false;
        break;
      case '--no-peers':
        o.peers = [];
        break;
      case '--kube-score-resources':
        o.kubeScoreResources = num();
        break;
      case '--trivy-resources':
        o.trivyResources = num();
        break;
      case '--checkov-resources':
        o.checkovResources = num();
        break;
      case '--peer-timeout':
        o.peerTimeoutS = num();
        break;
      case '--profile':
        o.profile = true;
        break;
      case '--json':
        o.json = resolve(str());
        break;
      case '--cache':
        o.cache = resolve(str());
        break;
      default:
        throw new Error(`unknown option ${a}`);
    }
  }
  if (!o.corpus.out) {
    const c = o.corpus;
    o.corpus.out = join(o.cache, 'corpus', `r${c.resources}-f${c.files}-s${c.seed}-${c.size}`);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Output helpers

function log(line = ''): void {
  process.stdout.write(line + '\n');
}

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function loadText(): string {
  return loadavg().map((l) => l.toFixed(2)).join(' ');
}

/** Processes that compete for the CPU right now (compilers, builds), for the record. */
function busyProcesses(): string {
  const heavy = /^(go|compile|link|asm|cgo|cc1|cc1plus|gcc|g\+\+|clang|ld|rustc|cargo|javac|java|tsc|make|ninja|python3?|node)$/;
  const counts = new Map<string, number>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return 'unknown';
  }
  for (const pid of entries) {
    if (Number(pid) === process.pid) continue;
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (heavy.test(comm) && state === 'R') counts.set(comm, (counts.get(comm) ?? 0) + 1);
    } catch {
      // gone
    }
  }
  if (counts.size === 0) return 'none running';
  return [...counts.entries()].map(([c, n]) => `${c}×${n}`).join(', ');
}

/**
 * Several people rebuild dist/ while a benchmark runs; every run of one benchmark must use the same
 * code. Copy dist/src once, inside dist/ so that node_modules and package.json still resolve.
 */
function snapshotDist(): string {
  const dest = join(REPO, 'dist', '.bench-snapshot');
  rmSync(dest, { recursive: true, force: true });
  cpSync(join(REPO, 'dist', 'src'), join(dest, 'src'), { recursive: true, filter: (src) => !src.endsWith('.map') });
  return join(dest, 'src', 'cli', 'main.js');
}

function gitDescribe(): string {
  try {
    const head = execFileSync('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['-C', REPO, 'status', '--porcelain', '--untracked-files=no', '--', 'src'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `commit ${head}${dirty ? ' (src/ has uncommitted changes)' : ''}`;
  } catch {
    return 'commit unknown';
  }
}

function findTool(name: string, cache: string): string | undefined {
  const candidates = [join(cache, 'bin', name), join(cache, 'venv', 'bin', name)];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, name));
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Why peers.sh could not install a peer, from its log, for the table. */
function installFailure(name: string, cache: string): string {
  const logFile = join(cache, 'logs', `${name}.log`);
  if (!existsSync(logFile)) return 'not installed (run bash bench/peers.sh)';
  const text = readFileSync(logFile, 'utf8');
  if (/403 Forbidden|not available/.test(text)) return 'not installable here: the Go module proxy answers 403 "not available" for its module';
  const last = text.trim().split('\n').pop() ?? '';
  return `not installed: ${last.slice(0, 120)}`;
}

// ---------------------------------------------------------------------------------------------
// Subsets and file lists

interface Scope {
  label: string;
  paths: string[];
  resources: number;
  files: number;
  full: boolean;
}

function scopeFor(meta: CorpusMeta, root: string, wanted: number | undefined, cache: string): Scope {
  if (wanted === undefined || wanted >= meta.resources) return { label: 'full corpus', paths: [root], resources: meta.resources, files: meta.files, full: true };
  const teams: string[] = [];
  let resources = 0;
  let files = 0;
  for (const t of meta.teams) {
    if (resources >= wanted) break;
    teams.push(t.dir);
    resources += t.resources;
    files += t.files;
  }
  // One directory that holds exactly the subset (hard links, no copies), because tools differ in how
  // they take several roots (Checkov 3.3 mis-reports several -d directories).
  const dest = join(cache, 'subsets', `${basename(root)}-first-${teams.length}`);
  const stamp = join(dest, '.subset');
  const want = JSON.stringify({ root, teams, resources });
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== want) {
    rmSync(dest, { recursive: true, force: true });
    const link = (from: string, to: string): void => {
      mkdirSync(to, { recursive: true });
      for (const e of readdirSync(from, { withFileTypes: true })) {
        const a = join(from, e.name);
        const b = join(to, e.name);
        if (e.isDirectory()) link(a, b);
        else {
          try {
            linkSync(a, b);
          } catch {
            copyFileSync(a, b);
          }
        }
      }
    };
    for (const t of teams) link(join(root, t), join(dest, t));
    writeFileSync(stamp, want);
  }
  return { label: `subset: first ${teams.length} of ${meta.teams.length} team directories`, paths: [dest], resources, files, full: false };
}

function yamlFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && /\.(ya?ml)$/.test(e.name)) out.push(full);
    }
  };
  for (const p of paths) walk(p);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tools

interface ToolResult {
  tool: string;
  scope: Scope;
  /** every timed run */
  runs: Measurement[];
  /** the run the table shows: the median run for kubemoat, the only run for a peer */
  wallS: number;
  bestWallS: number;
  cpuS?: number;
  peakRssMiB: number;
  processes: number;
  load1: number;
  sanity: string;
  note?: string;
  error?: string;
  /** stopped at the timeout: wall time is a lower bound, rates are upper bounds */
  timedOut?: boolean;
}

function summarise(tool: string, scope: Scope, runs: Measurement[], sanity: string, note?: string): ToolResult {
  const walls = runs.map((r) => r.wallS);
  const medWall = median(walls);
  const cpus = runs.map(cpuS).filter((c): c is number => c !== undefined);
  return {
    tool,
    scope,
    runs,
    wallS: medWall,
    bestWallS: Math.min(...walls),
    cpuS: cpus.length ? median(cpus) : undefined,
    peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
    processes: Math.max(...runs.map((r) => r.processes)),
    load1: median(runs.map((r) => r.load1)),
    sanity,
    ...(note ? { note } : {}),
    ...(runs.some((r) => r.timedOut) ? { timedOut: true } : {}),
  };
}

function failure(tool: string, scope: Scope, error: string): ToolResult {
  return { tool, scope, runs: [], wallS: NaN, bestWallS: NaN, peakRssMiB: NaN, processes: 0, load1: loadavg()[0], sanity: '', error };
}

function describeRun(m: Measurement): string {
  const cpu = cpuS(m);
  return `${m.timedOut ? 'STOPPED at the timeout, ' : ''}wall ${m.wallS.toFixed(2)} s, cpu ${cpu !== undefined ? cpu.toFixed(2) : '?'} s, peak RSS ${m.peakRssMiB.toFixed(0)} MiB${m.processes > 1 ? ` over ${m.processes} processes` : ''}, load ${m.load1.toFixed(2)}, exit ${m.exitCode ?? m.signal}`;
}

interface KubemoatJson {
  summary: { total: number; bySeverity: Record<string, number>; suppressed: number; resources: number; documents?: number; files?: number };
  findings: { ruleId: string }[];
  coverage: unknown[];
}

async function runKubemoat(scope: Scope, runs: number, outDir: string, tag: string): Promise<ToolResult> {
  const args = [CLI, 'scan', ...scope.paths, '-f', 'json', '--fail-on', 'never'];
  // Warm-up run: the file cache fills, and its report gives the findings for the sanity column.
  const reportFile = join(outDir, `kubemoat-${tag}.json`);
  const warm = await measure(process.execPath, [...args, '-o', reportFile]);
  log(`  kubemoat warm-up (report to ${reportFile}): ${describeRun(warm)}`);
  if (warm.exitCode !== 0) return failure('kubemoat', scope, `exit ${warm.exitCode ?? warm.signal}: ${warm.stderrTail.trim().split('\n').slice(-3).join(' | ')}`);
  let sanity = '';
  try {
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as KubemoatJson;
    const byRule = new Map<string, number>();
    for (const f of report.findings) byRule.set(f.ruleId, (byRule.get(f.ruleId) ?? 0) + 1);
    const sev = Object.entries(report.summary.bySeverity).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(', ');
    const rules = [...byRule.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([r, n]) => `${r} ${n}`).join(', ');
    sanity = `${fmtInt(report.summary.total)} findings (${sev}; ${report.summary.suppressed} suppressed) on ${fmtInt(report.summary.resources)} resources; ${byRule.size} rules fired: ${rules}`;
    if (report.summary.resources !== scope.resources) sanity += ` — WARNING: kubemoat saw ${report.summary.resources} resources, the corpus has ${scope.resources}`;
  } catch (e) {
    sanity = `report unreadable: ${(e as Error).message}`;
  }
  // Keep the timed series within about three minutes (at least one run).
  const planned = Math.max(1, Math.min(runs, Math.floor(180 / Math.max(warm.wallS, 0.1))));
  const timed: Measurement[] = [];
  for (let i = 0; i < planned; i++) {
    const m = await measure(process.execPath, [...args, '-o', '/dev/null']);
    log(`  kubemoat run ${i + 1}/${planned}: ${describeRun(m)}`);
    if (m.exitCode !== 0) return failure('kubemoat', scope, `exit ${m.exitCode ?? m.signal}: ${m.stderrTail.trim().split('\n').slice(-3).join(' | ')}`);
    timed.push(m);
  }
  const note = planned < runs ? `${planned} runs (capped from ${runs} to keep the benchmark short)` : undefined;
  return summarise('kubemoat', scope, timed, sanity, note);
}

async function runKubeScore(exe: string, scope: Scope, outDir: string, timeoutS: number): Promise<ToolResult> {
  // paths relative to the scope's directory keep the argument list short (one process, not batches)
  const cwd = scope.paths[0];
  const files = yamlFiles(scope.paths).map((f) => relative(cwd, f));
  // One invocation when the list fits in the argument space, batches otherwise (sequential, summed).
  const batches: string[][] = [[]];
  let bytes = 0;
  for (const f of files) {
    if (bytes + f.length + 1 > MAX_ARG_BYTES) {
      batches.push([]);
      bytes = 0;
    }
    batches[batches.length - 1].push(f);
    bytes += f.length + 1;
  }
  const runs: Measurement[] = [];
  const grades = new Map<string, number>();
  const objects = new Set<string>();
  for (let b = 0; b < batches.length; b++) {
    const out = join(outDir, `kube-score-${b}.txt`);
    const m = await measure(exe, ['score', '-o', 'ci', ...batches[b]], { stdoutFile: out, timeoutS, cwd });
    log(`  kube-score${batches.length > 1 ? ` batch ${b + 1}/${batches.length}` : ''} (${fmtInt(batches[b].length)} files): ${describeRun(m)}`);
    if (m.timedOut) {
      rmSync(out, { force: true });
      return summarise('kube-score', scope, [m], `stopped after ${timeoutS} s without finishing: figures are bounds`, 'kube-score score -o ci FILES…, one process');
    }
    // kube-score exits 1 when it grades something CRITICAL: that is a result, not a failure
    if (m.exitCode !== 0 && m.exitCode !== 1) return failure('kube-score', scope, `exit ${m.exitCode ?? m.signal}: ${m.stderrTail.trim().split('\n').slice(-3).join(' | ')}`);
    if (m.stderrTail.trim() !== '') {
      log(`  kube-score stderr: ${m.stderrTail.trim().split('\n').slice(-2).join(' | ')}`);
    }
    runs.push(m);
    const text = readFileSync(out, 'utf8');
    for (const line of text.split('\n')) {
      const g = /^\[([A-Z]+)\] ([^:]+?)(?::|$)/.exec(line);
      if (!g) continue;
      grades.set(g[1], (grades.get(g[1]) ?? 0) + 1);
      objects.add(g[2]);
    }
    rmSync(out, { force: true });
  }
  const total: Measurement = {
    ...runs[0],
    wallS: runs.reduce((s, r) => s + r.wallS, 0),
    userS: runs.every((r) => r.userS !== undefined) ? runs.reduce((s, r) => s + (r.userS ?? 0), 0) : undefined,
    sysS: runs.every((r) => r.sysS !== undefined) ? runs.reduce((s, r) => s + (r.sysS ?? 0), 0) : undefined,
    peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
    processes: Math.max(...runs.map((r) => r.processes)),
  };
  const sanity = `${fmtInt(objects.size)} objects graded: ${['CRITICAL', 'WARNING', 'OK', 'SKIPPED'].map((g) => `${g} ${fmtInt(grades.get(g) ?? 0)}`).join(', ')} check results`;
  return summarise('kube-score', scope, [total], sanity, `kube-score score -o ci FILES…${batches.length > 1 ? ` in ${batches.length} sequential batches, times summed` : ', one process'}`);
}

interface CheckovSummary {
  passed: number;
  failed: number;
  parsing_errors: number;
  resource_count: number;
}

async function runCheckov(exe: string, scope: Scope, outDir: string, timeoutS: number): Promise<ToolResult> {
  const out = join(outDir, 'checkov.json');
  const args = ['-d', scope.paths[0], '--framework', 'kubernetes', '-o', 'json', '--quiet', '--compact', '--skip-download'];
  // BC_SKIP_MAPPING and --skip-download: no calls to the vendor's API (unreachable here, and not
  // part of scanning); --compact leaves code blocks out of the JSON (less output to write: if
  // anything this favours Checkov).
  const m = await measure(exe, args, { stdoutFile: out, env: { ...process.env, BC_SKIP_MAPPING: 'TRUE', LOG_LEVEL: 'WARNING' }, timeoutS });
  log(`  checkov: ${describeRun(m)}`);
  if (m.timedOut) return summarise('checkov', scope, [m], `stopped after ${timeoutS} s without finishing: figures are bounds`, 'checkov -d DIR --framework kubernetes -o json --quiet --compact --skip-download');
  if (m.exitCode !== 0 && m.exitCode !== 1) return failure('checkov', scope, `exit ${m.exitCode ?? m.signal}: ${m.stderrTail.trim().split('\n').slice(-3).join(' | ')}`);
  let sanity = '';
  try {
    // one JSON document per -d directory, printed one after the other: make them one array
    const text = readFileSync(out, 'utf8').trim();
    const joined = text.startsWith('[') ? text : `[${text.replace(/^\}\s*\n\{/gm, '},\n{')}]`;
    const parsed = JSON.parse(joined) as ({ summary?: CheckovSummary } | { summary?: CheckovSummary }[])[];
    const reports = parsed.flat();
    const s = { passed: 0, failed: 0, parsing_errors: 0, resource_count: 0 };
    for (const r of reports) {
      if (!r.summary) continue;
      s.passed += r.summary.passed;
      s.failed += r.summary.failed;
      s.parsing_errors += r.summary.parsing_errors;
      s.resource_count += r.summary.resource_count;
    }
    sanity = `${fmtInt(s.resource_count)} resources, ${fmtInt(s.failed)} failed and ${fmtInt(s.passed)} passed checks, ${s.parsing_errors} parsing errors`;
  } catch (e) {
    sanity = `output unreadable: ${(e as Error).message}`;
  }
  return summarise('checkov', scope, [m], sanity, 'checkov -d DIR --framework kubernetes -o json --quiet --compact --skip-download');
}

interface TrivyReport {
  Results?: { MisconfSummary?: { Successes?: number; Failures?: number }; Misconfigurations?: unknown[] }[];
}

async function runTrivy(exe: string, scope: Scope, outDir: string, timeoutS: number): Promise<ToolResult> {
  const out = join(outDir, 'trivy.json');
  // `trivy config` with the checks built into the binary: no bundle download, no telemetry, its
  // cache in the output directory (so each run starts cold, as a CI job does)
  const args = ['config', '--format', 'json', '--output', out, '--quiet', '--skip-check-update', '--cache-dir', join(outDir, 'trivy-cache'), scope.paths[0]];
  const command = 'trivy config --format json --skip-check-update DIR';
  const m = await measure(exe, args, { timeoutS, env: { ...process.env, TRIVY_DISABLE_TELEMETRY: 'true' } });
  log(`  trivy: ${describeRun(m)}`);
  if (m.timedOut) return summarise('trivy', scope, [m], `stopped after ${timeoutS} s without finishing: figures are bounds`, command);
  if (m.exitCode !== 0) return failure('trivy', scope, `exit ${m.exitCode ?? m.signal}: ${m.stderrTail.trim().split('\n').slice(-3).join(' | ')}`);
  let sanity = '';
  try {
    const r = JSON.parse(readFileSync(out, 'utf8')) as TrivyReport;
    let failures = 0;
    let successes = 0;
    for (const res of r.Results ?? []) {
      failures += res.MisconfSummary?.Failures ?? res.Misconfigurations?.length ?? 0;
      successes += res.MisconfSummary?.Successes ?? 0;
    }
    sanity = `${fmtInt(r.Results?.length ?? 0)} files with results, ${fmtInt(failures)} failed and ${fmtInt(successes)} passed checks`;
  } catch (e) {
    sanity = `output unreadable: ${(e as Error).message}`;
  }
  return summarise('trivy', scope, [m], sanity, command);
}

async function runPolaris(exe: string, scope: Scope, outDir: string, timeoutS: number): Promise<ToolResult> {
  if (!scope.full) return failure('polaris', scope, 'polaris audit takes one --audit-path; run it on the full corpus');
  const out = join(outDir, 'polaris.json');
  const m = await measure(exe, ['audit', '--audit-path', scope.paths[0], '--format', 'json'], { stdoutFile: out, timeoutS });
  log(`  polaris: ${describeRun(m)}`);
  if (m.timedOut) return summarise('polaris', scope, [m], `stopped after ${timeoutS} s without finishing: figures are bounds`, 'polaris audit --audit-path DIR --format json');
  if (m.exitCode !== 0) return failure('polaris', scope, `exit ${m.exitCode ?? m.signal}: ${m.stderrTail.trim().split('\n').slice(-3).join(' | ')}`);
  let sanity = '';
  try {
    const r = JSON.parse(readFileSync(out, 'utf8')) as { Results?: unknown[] };
    sanity = `${fmtInt(r.Results?.length ?? 0)} results`;
  } catch (e) {
    sanity = `output unreadable: ${(e as Error).message}`;
  }
  return summarise('polaris', scope, [m], sanity, 'polaris audit --audit-path DIR --format json');
}

// ---------------------------------------------------------------------------------------------
// The table

interface Row {
  result: ToolResult;
  /** kubemoat on the same scope, for the ratio */
  reference?: ToolResult;
}

function rate(r: ToolResult): number {
  return r.scope.resources / r.wallS;
}

function printTable(rows: Row[]): void {
  const header = ['tool', 'resources', 'files', 'wall s (median)', 'wall s (best)', 'CPU s', 'resources/s', 'res/CPU-s', 'peak RSS MiB', 'procs', 'load', 'vs kubemoat'];
  const body: string[][] = [];
  for (const { result: r, reference } of rows) {
    if (r.error) {
      body.push([r.tool, fmtInt(r.scope.resources), fmtInt(r.scope.files), '—', '—', '—', '—', '—', '—', '—', '—', r.error.length > 60 ? 'see below' : r.error]);
      continue;
    }
    const lo = r.timedOut ? '>' : '';
    const hi = r.timedOut ? '<' : '';
    let ratio = '1.00× (reference)';
    if (r.tool !== 'kubemoat' && reference && !reference.error) {
      const k = rate(reference);
      const p = rate(r);
      ratio = `${hi}${(p / k).toFixed(3)}× (kubemoat ${lo}${(k / p).toFixed(1)}× faster)`;
    } else if (r.tool === 'kubemoat' && !r.scope.full) ratio = 'reference for the subset';
    body.push([
      r.tool,
      fmtInt(r.scope.resources),
      fmtInt(r.scope.files),
      lo + r.wallS.toFixed(2),
      lo + r.bestWallS.toFixed(2),
      r.cpuS !== undefined ? lo + r.cpuS.toFixed(2) : '?',
      hi + fmtInt(rate(r)),
      r.cpuS ? hi + fmtInt(r.scope.resources / r.cpuS) : '?',
      r.peakRssMiB.toFixed(0),
      String(r.processes),
      r.load1.toFixed(2),
      ratio,
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  log(line(header));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) log(line(b));
}

// ---------------------------------------------------------------------------------------------

async function profileKubemoat(scope: Scope, outDir: string): Promise<void> {
  const dir = join(outDir, 'profile');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const m = await measure(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, CLI, 'scan', ...scope.paths, '-f', 'json', '-o', '/dev/null', '--fail-on', 'never']);
  log(`  profiled run (node --cpu-prof, which slows it a little): ${describeRun(m)}`);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) {
    log('  no .cpuprofile was written');
    return;
  }
  log(`  profile: ${join(dir, file)} (open it in Chrome DevTools or VS Code for the flame chart)`);
  log(formatProfile(summariseProfile(readProfile(join(dir, file)), 25)).replace(/^/gm, '  ').trimEnd());
}

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\nusage: node dist/bench/scan.js [--quick] [--resources N --files M --seed S --size small|normal|large] [--corpus DIR] [--runs R] [--peers kube-score,polaris,checkov,trivy | --no-peers] [--kube-score-resources N] [--trivy-resources N] [--checkov-resources N] [--peer-timeout S] [--profile] [--json FILE] [--cache DIR] [--no-snapshot]\n`);
    process.exitCode = 2;
    return;
  }
  if (!existsSync(CLI)) {
    process.stderr.write(`bench: ${CLI} is missing: build first (npx tsc -p tsconfig.json)\n`);
    process.exitCode = 2;
    return;
  }
  if (o.snapshot) CLI = snapshotDist();
  const started = performance.now();
  const outDir = join(o.cache, 'out');
  mkdirSync(outDir, { recursive: true });
  const cpu = cpus();
  log(`kubemoat scan benchmark — ${new Date().toISOString()}`);
  log(`machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, GNU time ${hasGnuTime() ? 'yes' : 'no (wall time and sampled RSS only)'}`);
  log(`kubemoat: ${gitDescribe()}, ${catalogue.length} rules in the catalogue; running ${o.snapshot ? 'a snapshot of dist/src taken now' : 'dist/src as it is'}`);
  log(`load average (1/5/15 min): ${loadText()}; busy processes: ${busyProcesses()}`);

  // 1. corpus
  let meta = existingCorpus(o.corpus);
  if (meta) {
    log(`corpus: reusing ${o.corpus.out} (${fmtInt(meta.resources)} resources, ${fmtInt(meta.files)} files, ${(meta.bytes / 2 ** 20).toFixed(0)} MiB, seed ${meta.seed}, size ${meta.size})`);
  } else {
    const t0 = performance.now();
    meta = generateCorpus(o.corpus);
    log(`corpus: generated ${o.corpus.out} (${fmtInt(meta.resources)} resources, ${fmtInt(meta.files)} files, ${(meta.bytes / 2 ** 20).toFixed(0)} MiB, seed ${meta.seed}, size ${meta.size}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const mix = Object.entries(meta.kinds).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${((n / meta.resources) * 100).toFixed(0)}%`).join(', ');
  log(`corpus mix: ${mix}`);
  const full = scopeFor(meta, o.corpus.out, undefined, o.cache);

  // 2. kubemoat on the full corpus
  log('');
  log(`kubemoat: node dist/src/cli/main.js scan ${o.corpus.out} -f json -o /dev/null --fail-on never (1 warm-up + ${o.runs} runs)`);
  const kubemoat = await runKubemoat(full, o.runs, outDir, 'full');
  const rows: Row[] = [{ result: kubemoat }];
  const subsetRefs = new Map<string, ToolResult>();
  const referenceFor = async (scope: Scope): Promise<ToolResult> => {
    if (scope.full) return kubemoat;
    const key = scope.paths.join('\u0000');
    let ref = subsetRefs.get(key);
    if (!ref) {
      log(`  kubemoat on the same subset (${fmtInt(scope.resources)} resources), for a same-input ratio:`);
      ref = await runKubemoat(scope, 3, outDir, `subset-${scope.resources}`);
      subsetRefs.set(key, ref);
      rows.push({ result: ref });
    }
    return ref;
  };

  // 3. peers
  const notes: string[] = [];
  for (const peer of o.peers) {
    log('');
    const exe = findTool(peer, o.cache);
    if (peer === 'kube-score') {
      const scope = scopeFor(meta, o.corpus.out, o.kubeScoreResources, o.cache);
      if (!exe) {
        rows.push({ result: failure(peer, scope, installFailure(peer, o.cache)) });
        continue;
      }
      log(`kube-score (${exe}) on the ${scope.label}:`);
      const r = await runKubeScore(exe, scope, outDir, o.peerTimeoutS);
      rows.push({ result: r, reference: await referenceFor(scope) });
    } else if (peer === 'checkov') {
      const scope = scopeFor(meta, o.corpus.out, o.checkovResources, o.cache);
      if (!exe) {
        rows.push({ result: failure(peer, scope, installFailure(peer, o.cache)) });
        continue;
      }
      log(`checkov (${exe}) on the ${scope.label} (${fmtInt(scope.resources)} resources; it is far slower, so a subset keeps the run short):`);
      const r = await runCheckov(exe, scope, outDir, o.peerTimeoutS);
      rows.push({ result: r, reference: await referenceFor(scope) });
    } else if (peer === 'trivy') {
      const scope = scopeFor(meta, o.corpus.out, o.trivyResources, o.cache);
      if (!exe) {
        rows.push({ result: failure(peer, scope, installFailure(peer, o.cache)) });
        continue;
      }
      log(`trivy (${exe}) on the ${scope.label}:`);
      const r = await runTrivy(exe, scope, outDir, o.peerTimeoutS);
      rows.push({ result: r, reference: await referenceFor(scope) });
    } else if (peer === 'polaris') {
      if (!exe) {
        rows.push({ result: failure(peer, full, installFailure(peer, o.cache)) });
        continue;
      }
      log(`polaris (${exe}) on the full corpus:`);
      rows.push({ result: await runPolaris(exe, full, outDir, o.peerTimeoutS), reference: kubemoat });
    } else {
      notes.push(`unknown peer ${peer}: skipped`);
    }
  }

  // 4. table
  log('');
  log(`results (load average now ${loadText()}):`);
  // kubemoat rows first, then peers in the order run
  rows.sort((a, b) => (a.result.tool === 'kubemoat' ? 0 : 1) - (b.result.tool === 'kubemoat' ? 0 : 1));
  printTable(rows);
  log('');
  log('resources/s = resources in scope ÷ wall time of the whole process (start-up, reading, parsing, rules, report).');
  log('vs kubemoat = peer resources/s ÷ kubemoat resources/s on the same files (kubemoat: median of its runs; peers: one run).');
  log('peak RSS = max(largest process peak from wait4, sampled sum over the process tree).');
  for (const { result: r } of rows) {
    if (r.error) log(`${r.tool}: ${r.error}`);
    else log(`${r.tool} (${r.scope.full ? 'full corpus' : r.scope.label}): ${r.sanity}${r.note ? ` [${r.note}]` : ''}`);
  }
  for (const n of notes) log(n);

  // 5. targets
  log('');
  if (!kubemoat.error) {
    const kRate = rate(kubemoat);
    const bestRate = kubemoat.scope.resources / kubemoat.bestWallS;
    log(`target ≥ ${fmtInt(TARGET_RATE)} resources/s end to end: ${kRate >= TARGET_RATE ? 'MET' : 'NOT MET'} (median ${fmtInt(kRate)}, best ${fmtInt(bestRate)} resources/s)`);
    log(`target peak RSS < ${TARGET_RSS_MIB} MiB: ${kubemoat.peakRssMiB < TARGET_RSS_MIB ? 'MET' : 'NOT MET'} (${kubemoat.peakRssMiB.toFixed(0)} MiB)`);
    for (const { result: r, reference } of rows) {
      if (r.tool === 'kubemoat' || r.error || !reference || reference.error) continue;
      const faster = rate(reference) > rate(r);
      log(`target faster than ${r.tool}: ${faster ? 'MET' : 'NOT MET'} (${r.timedOut ? 'more than ' : ''}${(rate(reference) / rate(r)).toFixed(1)}× on ${fmtInt(r.scope.resources)} resources${r.timedOut ? `; ${r.tool} stopped at the ${o.peerTimeoutS} s timeout` : ''})`);
    }
    const missing = rows.filter((x) => x.result.tool !== 'kubemoat' && x.result.error).map((x) => x.result.tool);
    if (missing.length) log(`not compared: ${missing.join(', ')} (see above)`);
  }

  // 6. profile
  if (o.profile && !kubemoat.error) {
    log('');
    log('profile of kubemoat on the full corpus:');
    await profileKubemoat(full, outDir);
  }

  log('');
  log(`benchmark took ${((performance.now() - started) / 1000).toFixed(0)} s; load average at the end ${loadText()}`);
  if (o.json) {
    const strip = (r: ToolResult): unknown => ({ ...r, runs: r.runs.map((m) => ({ ...m, stderrTail: undefined })) });
    writeFileSync(o.json, JSON.stringify({ date: new Date().toISOString(), load: loadavg(), corpus: { ...o.corpus, bytes: meta.bytes }, rows: rows.map((r) => strip(r.result)) }, null, 2) + '\n');
    log(`results written to ${o.json}`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
