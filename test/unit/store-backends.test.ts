// The history store, one suite run against both backends: SQLite files and a real PostgreSQL
// server started for this file. The same cases, the same expectations: recording and reading runs,
// states against the previous run, diffs, history trends, baselines, two writer processes at once,
// a writer killed mid-run, the upgrade from the previous schema version, and clear errors.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { HistoryStore, type RunRecord, type RunWriter } from '../../src/store/store.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/migrations.js';
import { readHistory } from '../../src/store/history.js';
import { applyBaseline, baselineFromReportFile } from '../../src/store/baseline.js';
import { recordReport } from '../../src/store/record.js';
import { StoreError } from '../../src/store/errors.js';
import { buildReport } from '../../src/core/report.js';
import { renderJsonChunks } from '../../src/report/json.js';
import type { Finding } from '../../src/core/finding.js';
import { startPostgres, type Postgres } from '../helpers/postgres.js';
import { freeTcpPort } from '../helpers/net.js';
import { alert, finding, findings } from '../helpers/store-fixtures.js';

const WRITER = fileURLToPath(new URL('../helpers/store-writer.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kubemoat-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Backend {
  name: 'sqlite' | 'postgres';
  /** the URL of a new, empty store */
  fresh(): Promise<string>;
}

let pg: Postgres | undefined;
let made = 0;
const backends: Backend[] = [
  { name: 'sqlite', fresh: async () => `sqlite:${join(dir, `store-${++made}.db`)}` },
  { name: 'postgres', fresh: async () => pg!.createDatabase(`store_${++made}`) },
];
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

const START = { toolVersion: 'test', target: { type: 'manifests', paths: ['deploy/'] } };

async function recordRun(store: HistoryStore, scope: string, list: Finding[], status: 'complete' | 'incomplete' = 'complete', startedAt = new Date().toISOString()): Promise<RunRecord> {
  const run = await store.beginRun({ kind: 'scan', scope, startedAt, ...START });
  await run.addFindings(list);
  return run.finish(status);
}

/** The child's stdout lines as they come; `until` resolves when `count` lines match `pattern`. */
function lines(child: ReturnType<typeof spawn>): { all: string[]; until(pattern: RegExp, count: number): Promise<void> } {
  const all: string[] = [];
  let rest = '';
  const waiters: (() => void)[] = [];
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    all.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  return {
    all,
    until: (pattern, count) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (all.filter((l) => pattern.test(l)).length >= count) resolve();
          else if (child.exitCode !== null) reject(new Error(`the writer exited (${child.exitCode}) early`));
          else waiters.push(check);
        };
        child.once('exit', check);
        check();
      }),
  };
}

function exitOf(child: ReturnType<typeof spawn>): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => (stderr += c));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

for (const backend of backends) {
  describe(`history store on ${backend.name}`, () => {
    test('a run is recorded with its kind, scope, target, version, times, status, counts and findings', async () => {
      const store = await HistoryStore.open(await backend.fresh(), { create: true });
      try {
        const started = '2025-03-01T10:00:00.000Z';
        const list = [finding(0, { severity: 'critical' }), finding(1, { severity: 'high' }), finding(2, { severity: 'high' }), finding(3, { suppressed: true })];
        const run = await recordRun(store, 'deploy', list, 'complete', started);
        assert.equal(run.kind, 'scan');
        assert.equal(run.scope, 'deploy');
        assert.deepEqual(run.target, START.target);
        assert.equal(run.toolVersion, 'test');
        assert.equal(run.startedAt, started);
        assert.ok(run.finishedAt !== undefined && run.finishedAt > started);
        assert.equal(run.status, 'complete');
        assert.deepEqual(run.bySeverity, { info: 0, low: 0, medium: 0, high: 2, critical: 1 });
        assert.equal(run.suppressed, 1);
        assert.equal(run.previousRunId, undefined);
        assert.deepEqual(await store.runs(), [run]);
        const stored = await store.findings(run.id);
        assert.deepEqual(stored.map((f) => f.fingerprint), ['fp-0', 'fp-1', 'fp-2', 'fp-3']);
        assert.deepEqual(stored[0], {
          fingerprint: 'fp-0',
          ruleId: 'KM-WL-001',
          severity: 'critical',
          namespace: 'prod',
          resource: 'Deployment/app-0 [main]',
          location: 'manifests/app-0.yaml:10:7',
          message: 'finding 0 in prod',
          suppressed: false,
          state: 'new',
        });
        assert.equal(stored[3].suppressed, true);
        assert.equal(stored[3].state, 'suppressed');
      } finally {
        await store.close();
      }
    });

    test('states against the previous complete run of the same kind and scope: new, open, fixed, suppressed', async () => {
      const store = await HistoryStore.open(await backend.fresh(), { create: true });
      try {
        const first = await recordRun(store, 'deploy', [finding(1), finding(2), finding(3, { suppressed: true }), finding(4)]);
        // another scope in between changes nothing for "deploy"
        await recordRun(store, 'other', [finding(9)]);
        const second = await recordRun(store, 'deploy', [finding(1), finding(3, { suppressed: true }), finding(4, { suppressed: true }), finding(5)]);
        assert.equal(second.previousRunId, first.id);
        const states = Object.fromEntries((await store.findings(second.id)).map((f) => [f.fingerprint, f.state]));
        assert.deepEqual(states, { 'fp-1': 'open', 'fp-3': 'suppressed', 'fp-4': 'suppressed', 'fp-5': 'new' });
        assert.deepEqual((await store.fixed(second.id)).map((f) => f.fingerprint), ['fp-2']);
        assert.equal(second.newCount, 1);
        assert.equal(second.fixedCount, 1);
        // a run that saw only part of its target calls nothing fixed, and is not the next run's previous
        const partial = await recordRun(store, 'deploy', [finding(5)], 'incomplete');
        assert.equal(partial.previousRunId, second.id);
        assert.equal(partial.fixedCount, 0);
        assert.deepEqual(await store.fixed(partial.id), []);
        const third = await recordRun(store, 'deploy', [finding(5), finding(6)]);
        assert.equal(third.previousRunId, second.id);
        assert.deepEqual((await store.fixed(third.id)).map((f) => f.fingerprint), ['fp-1']);
        assert.equal(third.newCount, 1);
      } finally {
        await store.close();
      }
    });

    test('diff between two runs: new, fixed, still open, suppressed; latest and latest~N resolve within a series', async () => {
      const store = await HistoryStore.open(await backend.fresh(), { create: true });
      try {
        const a = await recordRun(store, 'deploy', [finding(1), finding(2), finding(3)]);
        const b = await recordRun(store, 'deploy', [finding(2), finding(3, { suppressed: true }), finding(4), finding(5)]);
        await recordRun(store, 'other', [finding(7)]);
        const diff = await store.diff(a, b);
        assert.deepEqual(diff.new.map((f) => f.fingerprint).sort(), ['fp-4', 'fp-5']);
        assert.deepEqual(diff.fixed.map((f) => f.fingerprint), ['fp-1']);
        assert.deepEqual(diff.open.map((f) => f.fingerprint), ['fp-2']);
        assert.deepEqual(diff.suppressed.map((f) => f.fingerprint), ['fp-3']);
        // the other way round, what b added is what a lacks
        const back = await store.diff(b, a);
        assert.deepEqual(back.fixed.map((f) => f.fingerprint).sort(), ['fp-4', 'fp-5']);
        assert.deepEqual(back.new.map((f) => f.fingerprint).sort(), ['fp-1', 'fp-3']);
        assert.equal((await store.resolve({ type: 'latest', back: 0 }, { kind: 'scan', scope: 'deploy' }))?.id, b.id);
        assert.equal((await store.resolve({ type: 'latest', back: 1 }, { kind: 'scan', scope: 'deploy' }))?.id, a.id);
        assert.equal(await store.resolve({ type: 'latest', back: 2 }, { kind: 'scan', scope: 'deploy' }), undefined);
        assert.equal((await store.resolve({ type: 'latest', back: 0 }))?.scope, 'other');
        await assert.rejects(store.resolve({ type: 'id', id: 999 }), (e: Error) => e instanceof StoreError && /no run 999/.test(e.message));
      } finally {
        await store.close();
      }
    });

    test('history: runs newest first, filtered by kind, scope and time; trends per severity, namespace and rule', async () => {
      const store = await HistoryStore.open(await backend.fresh(), { create: true });
      try {
        // findings 0..5: namespaces prod, billing, monitoring in turn; severities info..critical
        const r1 = await recordRun(store, 'deploy', findings([0, 1, 2, 3, 4, 5]), 'complete', '2025-01-01T00:00:00.000Z');
        const r2 = await recordRun(store, 'deploy', findings([3, 4, 5, 6]), 'complete', '2025-02-01T00:00:00.000Z');
        const other = await recordRun(store, 'elsewhere', findings([9]), 'complete', '2025-02-02T00:00:00.000Z');
        const all = await readHistory(store, {});
        assert.deepEqual(all.runs.map((r) => r.id), [other.id, r2.id, r1.id]);
        assert.equal(all.trend, undefined);
        assert.deepEqual((await readHistory(store, { scopeContains: 'deplo' })).runs.map((r) => r.id), [r2.id, r1.id]);
        assert.deepEqual((await readHistory(store, { since: '2025-01-15T00:00:00.000Z' })).runs.map((r) => r.id), [other.id, r2.id]);
        assert.deepEqual((await readHistory(store, { kind: 'cluster' })).runs, []);
        assert.deepEqual((await readHistory(store, { limit: 1 })).runs.map((r) => r.id), [other.id]);

        const bySeverity = (await readHistory(store, { scope: 'deploy' }, { by: 'severity', minimum: 'high' })).trend!;
        assert.deepEqual(bySeverity.runs, [r1.id, r2.id]);
        // finding n has severity SEVERITIES[n % 5]: 3 and 4 high and critical in r1 (and 5 is info)
        assert.deepEqual(bySeverity.rows, [
          { key: 'critical', counts: [1, 1] },
          { key: 'high', counts: [1, 1] },
        ]);
        const byNamespace = (await readHistory(store, { scope: 'deploy' }, { by: 'namespace', minimum: 'info' })).trend!;
        assert.deepEqual(byNamespace.rows, [
          { key: 'billing', counts: [2, 1] },
          { key: 'monitoring', counts: [2, 1] },
          { key: 'prod', counts: [2, 2] },
        ].sort((x, y) => y.counts[1] - x.counts[1] || (x.key < y.key ? -1 : 1)));
        const criticalByNamespace = (await readHistory(store, { scope: 'deploy' }, { by: 'namespace', minimum: 'critical' })).trend!;
        assert.deepEqual(criticalByNamespace.rows, [{ key: 'billing', counts: [1, 1] }]);
        const byRule = (await readHistory(store, { scope: 'deploy' }, { by: 'rule', minimum: 'info' })).trend!;
        // finding n is rule KM-WL-00(n % 4 + 1): 0 and 4, 1 and 5, 2 and 6, 3
        assert.deepEqual(Object.fromEntries(byRule.rows.map((r) => [r.key, r.counts])), { 'KM-WL-001': [2, 1], 'KM-WL-002': [2, 1], 'KM-WL-003': [1, 1], 'KM-WL-004': [1, 1] });
      } finally {
        await store.close();
      }
    });

    test('a baseline from the store and from the JSON report of the same run hide the same findings', async () => {
      const store = await HistoryStore.open(await backend.fresh(), { create: true });
      try {
        const before = buildReport({ startedAt: new Date(), target: { type: 'manifests', paths: ['deploy'] }, findings: [finding(1), finding(2), finding(3, { suppressed: true })], coverage: [], minimumSeverity: 'info', resources: 3 });
        const run = await recordReport(store, { kind: 'scan', scope: 'deploy' }, before, false);
        const file = join(dir, `${backend.name}-report.json`);
        writeFileSync(file, Buffer.concat([...renderJsonChunks(before)].map((c) => Buffer.from(c))));
        const fromStore = { label: `run ${run.id}`, fingerprints: await store.fingerprints(run.id) };
        const fromFile = baselineFromReportFile(file);
        assert.deepEqual([...fromStore.fingerprints].sort(), ['fp-1', 'fp-2', 'fp-3']);
        assert.deepEqual([...fromFile.fingerprints].sort(), [...fromStore.fingerprints].sort());
        const now = buildReport({ startedAt: new Date(), target: { type: 'manifests', paths: ['deploy'] }, findings: [finding(1), finding(3), finding(4, { severity: 'critical' })], coverage: [], minimumSeverity: 'info', resources: 3 });
        for (const baseline of [fromStore, fromFile]) {
          const shown = applyBaseline(now, baseline);
          assert.deepEqual(shown.findings.map((f) => f.fingerprint), ['fp-4']);
          assert.equal(shown.summary.total, 1);
          assert.equal(shown.summary.bySeverity.critical, 1);
          assert.equal(shown.summary.inBaseline, 2);
        }
      } finally {
        await store.close();
      }
    });

    test('detect alerts are recorded in order, counted by severity, and read back whole', async () => {
      const store = await HistoryStore.open(await backend.fresh(), { create: true });
      try {
        const run = await store.beginRun({ kind: 'detect', scope: 'file audit.log', target: { type: 'detect' }, toolVersion: 'test', startedAt: new Date().toISOString() });
        await run.addAlerts([alert(1), alert(2)]);
        await run.addAlerts([{ ...alert(3), severity: 'critical' }]);
        const [running] = await store.runs();
        assert.equal(running.status, 'running');
        assert.deepEqual([running.bySeverity.high, running.bySeverity.critical], [2, 1]);
        const done = await run.finish('complete');
        assert.deepEqual([done.bySeverity.high, done.bySeverity.critical], [2, 1]);
        assert.deepEqual((await store.alerts(run.id)).map((a) => a.source === 'audit' && a.auditID), ['audit-1', 'audit-2', 'audit-3']);
        const trend = (await readHistory(store, {}, { by: 'namespace', minimum: 'info' })).trend!;
        assert.deepEqual(trend.rows, [{ key: 'prod', counts: [3] }]);
      } finally {
        await store.close();
      }
    });

    test('two processes writing runs at once: every run and finding is there, states are whole', async () => {
      const url = await backend.fresh();
      const spawnWriter = (): ReturnType<typeof spawn> => spawn(process.execPath, [WRITER, 'runs', url, 'shared', '6', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const writers = [spawnWriter(), spawnWriter()];
      const results = await Promise.all(writers.map(exitOf));
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      const store = await HistoryStore.open(url, { create: false });
      try {
        const runs = await store.runs();
        assert.equal(runs.length, 12);
        for (const r of runs) {
          assert.equal(r.status, 'complete');
          const stored = await store.findings(r.id);
          assert.equal(stored.length, 1000, `run ${r.id}`);
          assert.ok(stored.every((f) => f.state === 'new' || f.state === 'open'), `run ${r.id} has states`);
          assert.equal(Object.values(r.bySeverity).reduce((a, b) => a + b, 0), 1000);
          // the same findings every time: against any previous run, nothing is new or fixed
          if (r.previousRunId !== undefined) assert.deepEqual([r.newCount, r.fixedCount], [0, 0], `run ${r.id}`);
        }
        assert.ok(runs.filter((r) => r.previousRunId === undefined).length <= 2, 'at most the two first runs had no run before them');
      } finally {
        await store.close();
      }
      if (backend.name === 'sqlite') {
        const db = new BetterSqlite3(url.slice('sqlite:'.length), { readonly: true });
        assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
        db.close();
      }
    });

    test('a writer killed mid-run loses nothing it had acknowledged', async () => {
      const url = await backend.fresh();
      const child = spawn(process.execPath, [WRITER, 'stream', url], { stdio: ['ignore', 'pipe', 'pipe'] });
      const out = lines(child);
      const exited = exitOf(child);
      await out.until(/^ack alerts/, 4);
      child.kill('SIGKILL');
      assert.equal((await exited).code, null, 'killed, not exited');
      const acked = (kind: string): number[] =>
        out.all.filter((l) => l.startsWith(`ack ${kind} `)).flatMap((l) => {
          const [from, to] = l.split(' ').slice(2).map(Number);
          return Array.from({ length: to - from + 1 }, (_, i) => from + i);
        });
      const store = await HistoryStore.open(url, { create: false });
      try {
        const [run] = await store.runs();
        assert.equal(run.status, 'running', 'never finished');
        assert.equal(`run ${run.id}`, out.all[0]);
        const fingerprints = await store.fingerprints(run.id);
        for (const n of acked('findings')) assert.ok(fingerprints.has(`fp-${n}`), `acknowledged finding ${n} is stored`);
        const ids = new Set((await store.alerts(run.id)).map((a) => (a.source === 'audit' ? a.auditID : '')));
        for (const n of acked('alerts')) assert.ok(ids.has(`audit-${n}`), `acknowledged alert ${n} is stored`);
        assert.ok(acked('alerts').length >= 20);
        assert.ok(run.bySeverity.high >= acked('alerts').length, 'the alerts are counted');
        // the store is still whole: a new run over it works
        const next = await recordRun(store, 'after', [finding(1)]);
        assert.equal(next.status, 'complete');
      } finally {
        await store.close();
      }
    });

    test('a store at the previous schema version is migrated: its data kept, new and fixed counts filled in', async () => {
      const url = await backend.fresh();
      const previous = MIGRATIONS.slice(0, -1);
      assert.equal(previous.at(-1)!.version, SCHEMA_VERSION - 1);
      const old = await HistoryStore.open(url, { create: true, migrations: previous });
      // what a kubemoat of that version wrote: two runs of one series, the second with a fixed finding
      const sql = old.sql;
      const insertRun = "INSERT INTO runs (kind, scope, target, tool_version, started_at, finished_at, status, previous_run_id, high, suppressed) VALUES ('cluster', 'lab', '{}', '0.0.9', ?, ?, 'complete', ?, ?, 0) RETURNING id";
      const [{ id: first }] = await sql.all<{ id: number }>(insertRun, ['2025-01-01T00:00:00.000Z', '2025-01-01T00:01:00.000Z', null, 2]);
      const [{ id: second }] = await sql.all<{ id: number }>(insertRun, ['2025-01-02T00:00:00.000Z', '2025-01-02T00:01:00.000Z', first, 2]);
      const row = "INSERT INTO run_findings (run_id, fingerprint, rule_id, severity, namespace, resource, location, message, suppressed) VALUES (?, ?, 'KM-WL-001', 'high', 'prod', 'Pod/p', NULL, 'm', FALSE)";
      for (const [run, fp] of [[first, 'a'], [first, 'b'], [second, 'a'], [second, 'c']] as const) await sql.run(row, [run, fp]);
      await sql.run('INSERT INTO run_fixed (run_id, fingerprint) VALUES (?, ?)', [second, 'b']);
      await old.close();

      const store = await HistoryStore.open(url, { create: false });
      try {
        const versions = await store.sql.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
        assert.deepEqual(versions.map((v) => Number(v.version)), MIGRATIONS.map((m) => m.version));
        const [r2, r1] = await store.runs();
        assert.deepEqual([r1.id, r1.newCount, r1.fixedCount, r1.toolVersion], [first, 2, 0, '0.0.9']);
        assert.deepEqual([r2.id, r2.newCount, r2.fixedCount, r2.previousRunId], [second, 1, 1, first]);
        assert.deepEqual((await store.fixed(second)).map((f) => f.fingerprint), ['b']);
        assert.deepEqual((await store.findings(second)).map((f) => [f.fingerprint, f.state]), [['a', 'open'], ['c', 'new']]);
        // the counts trends read were made from the old findings
        const byRun = (cells: { runId: number; key: string }[]): typeof cells => cells.sort((x, y) => x.runId - y.runId || (x.key < y.key ? -1 : 1));
        assert.deepEqual(byRun(await store.trend([first, second], 'namespace', 'info')), [{ runId: first, key: 'prod', count: 2 }, { runId: second, key: 'prod', count: 2 }]);
        const diff = await store.diff(r1, r2);
        assert.deepEqual([diff.new.map((f) => f.fingerprint), diff.fixed.map((f) => f.fingerprint), diff.open.map((f) => f.fingerprint)], [['c'], ['b'], ['a']]);
        // and the new version's parts work on the old data: a run with alerts, states against the old runs
        const next = await store.beginRun({ kind: 'cluster', scope: 'lab', target: {}, toolVersion: 'test', startedAt: new Date().toISOString() });
        await next.addFindings([{ ...finding(0), fingerprint: 'c' }]);
        await next.addAlerts([alert(1)]);
        const done = await next.finish('complete');
        assert.deepEqual([done.previousRunId, done.newCount, done.fixedCount], [second, 0, 1]);
        assert.deepEqual(byRun(await store.trend([done.id], 'rule', 'info')), [{ runId: done.id, key: 'KM-DT-001', count: 1 }, { runId: done.id, key: 'KM-WL-001', count: 1 }]);
      } finally {
        await store.close();
      }
    });

    test('a store newer than this kubemoat is refused with its version', async () => {
      const url = await backend.fresh();
      const store = await HistoryStore.open(url, { create: true });
      await store.sql.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from the future', '2030-01-01T00:00:00.000Z')");
      await store.close();
      await assert.rejects(HistoryStore.open(url, { create: true }), (e: Error) => e instanceof StoreError && /schema is version 99, newer than this kubemoat knows \(2\)/.test(e.message));
    });
  });
}

describe('store errors name the store and never its password', () => {
  test('PostgreSQL with a wrong password: the server says so, the URL is redacted', async () => {
    const url = (await pg!.createDatabase('wrong_password')).replace(encodeURIComponent(pg!.password), 'not-the-Pa55word');
    await assert.rejects(HistoryStore.open(url, { create: true }), (e: Error) => {
      assert.ok(e instanceof StoreError);
      assert.match(e.message, /password authentication failed/);
      assert.match(e.message, /postgres:\/\/kubemoat:\[redacted\]@127\.0\.0\.1:\d+\/wrong_password/);
      assert.ok(!e.message.includes('not-the-Pa55word'), e.message);
      return true;
    });
  });

  test('PostgreSQL on a closed port of 127.0.0.1: cannot connect, refused, no password', async () => {
    const port = await freeTcpPort();
    await assert.rejects(HistoryStore.open(`postgresql://kubemoat:hunter2-secret@127.0.0.1:${port}/history`, { create: true }), (e: Error) => {
      assert.ok(e instanceof StoreError);
      assert.match(e.message, new RegExp(`store postgresql://kubemoat:\\[redacted\\]@127\\.0\\.0\\.1:${port}/history: cannot connect: .*ECONNREFUSED`));
      assert.ok(!e.message.includes('hunter2'), e.message);
      return true;
    });
  });

  test('a database that does not exist, and one whose password is a query parameter', async () => {
    const url = `postgres://kubemoat@127.0.0.1:${pg!.port}/no_such_db?password=${encodeURIComponent(pg!.password)}`;
    await assert.rejects(HistoryStore.open(url, { create: true }), (e: Error) => {
      assert.match(e.message, /database "no_such_db" does not exist/);
      assert.match(e.message, /password=\[redacted\]/);
      assert.ok(!e.message.includes(pg!.password), e.message);
      return true;
    });
  });

  test('SQLite: a file that cannot be made, and a store to read that does not exist', async () => {
    const notADirectory = join(dir, 'a-file');
    writeFileSync(notADirectory, 'not a directory');
    await assert.rejects(HistoryStore.open(join(notADirectory, 'history.db'), { create: true }), (e: Error) => e instanceof StoreError && e.message.startsWith(`store sqlite:${notADirectory}/history.db: cannot open: `) && e.message.includes(notADirectory));
    const missing = join(dir, 'never-written.db');
    await assert.rejects(HistoryStore.open(missing, { create: false }), (e: Error) => e instanceof StoreError && e.message === `store sqlite:${missing}: no such store file (nothing has been recorded there yet)`);
  });

  test('an unknown kind of store URL is refused before anything is opened', async () => {
    await assert.rejects(HistoryStore.open('mysql://root:topsecret@127.0.0.1/db', { create: true }), (e: Error) => e instanceof StoreError && /unknown kind of store "mysql:"/.test(e.message) && !e.message.includes('topsecret'));
  });
});

describe('run writer', () => {
  test('a RunWriter cannot be finished twice', async () => {
    const store = await HistoryStore.open(`sqlite:${join(dir, 'twice.db')}`, { create: true });
    try {
      const run: RunWriter = await store.beginRun({ kind: 'scan', scope: 's', startedAt: new Date().toISOString(), ...START });
      await run.finish('complete');
      await assert.rejects(run.finish('complete'), /already finished/);
    } finally {
      await store.close();
    }
  });
});
