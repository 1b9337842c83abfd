// The small parts of the history store: where a store is (and how its password is hidden), run
// references, `--since`, scopes, and the alert recorder's promise that nothing is shown before it
// is committed.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describeStore, parseStoreLocation, redact } from '../../src/store/location.js';
import { parseRunRef } from '../../src/store/refs.js';
import { listScope, manifestsScope } from '../../src/store/record.js';
import { CommittedAlerts } from '../../src/store/alerts.js';
import { HistoryStore } from '../../src/store/store.js';
import { numberedPlaceholders } from '../../src/store/postgres.js';
import { parseSince } from '../../src/cli/history.js';
import { StoreError } from '../../src/store/errors.js';
import { alert } from '../helpers/store-fixtures.js';
import type { Alert } from '../../src/detect/alert.js';

const dir = mkdtempSync(join(tmpdir(), 'kubemoat-store-parts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('store locations', () => {
  test('sqlite:PATH, sqlite:///abs, a plain path (even with a colon later on) are SQLite files', () => {
    assert.deepEqual(parseStoreLocation('sqlite:history.db'), { backend: 'sqlite', path: 'history.db' });
    assert.deepEqual(parseStoreLocation('sqlite:///var/lib/kubemoat/h.db'), { backend: 'sqlite', path: '/var/lib/kubemoat/h.db' });
    assert.deepEqual(parseStoreLocation('/tmp/a:b/h.db'), { backend: 'sqlite', path: '/tmp/a:b/h.db' });
    assert.deepEqual(parseStoreLocation('./h.db'), { backend: 'sqlite', path: './h.db' });
  });

  test('postgres:// and postgresql:// are PostgreSQL; the password is found in the authority or a parameter', () => {
    assert.deepEqual(parseStoreLocation('postgres://km@db.example/history'), { backend: 'postgres', url: 'postgres://km@db.example/history' });
    assert.deepEqual(parseStoreLocation('postgresql://km:p%40ss@db/h'), { backend: 'postgres', url: 'postgresql://km:p%40ss@db/h', password: 'p@ss' });
    assert.deepEqual(parseStoreLocation('postgres://km@db/h?sslmode=require&password=xyz1'), { backend: 'postgres', url: 'postgres://km@db/h?sslmode=require&password=xyz1', password: 'xyz1' });
  });

  test('unknown schemes and empty text are refused, with the password hidden', () => {
    assert.throws(() => parseStoreLocation('  '), (e: Error) => e instanceof StoreError && /empty/.test(e.message));
    assert.throws(() => parseStoreLocation('mongodb://u:hidden-pw@h/db'), (e: Error) => /unknown kind of store "mongodb:"/.test(e.message) && !e.message.includes('hidden-pw'));
    assert.throws(() => parseStoreLocation('sqlite:'), /no file path after sqlite:/);
  });

  test('redact hides URL passwords anywhere in a text, and the secrets it is given, raw or URL-encoded', () => {
    assert.equal(redact('connect postgres://km:s3cret@h:5432/db failed'), 'connect postgres://km:[redacted]@h:5432/db failed');
    assert.equal(redact('postgres://km@h/db?password=s3cret&x=1'), 'postgres://km@h/db?password=[redacted]&x=1');
    assert.equal(redact('auth for p@ss/word (p%40ss%2Fword) failed', ['p@ss/word']), 'auth for [redacted] ([redacted]) failed');
    assert.equal(redact('postgres://km@h/db'), 'postgres://km@h/db');
    assert.equal(describeStore(parseStoreLocation('postgres://km:p%40ss@db/h')), 'postgres://km:[redacted]@db/h');
    assert.equal(describeStore(parseStoreLocation('h.db')), 'sqlite:h.db');
  });
});

describe('run references, --since, scopes, placeholders', () => {
  test('an id, latest and latest~N are runs; anything else is not (a file, for --baseline)', () => {
    assert.deepEqual(parseRunRef('12'), { type: 'id', id: 12 });
    assert.deepEqual(parseRunRef('latest'), { type: 'latest', back: 0 });
    assert.deepEqual(parseRunRef('latest~3'), { type: 'latest', back: 3 });
    for (const t of ['report.json', 'latest~', 'latest-1', '-1', './12']) assert.equal(parseRunRef(t), undefined, t);
  });

  test('--since takes a duration back from now or a date; nonsense is a usage error', () => {
    const now = new Date('2025-06-30T12:00:00.000Z');
    assert.equal(parseSince('90m', now), '2025-06-30T10:30:00.000Z');
    assert.equal(parseSince('7d', now), '2025-06-23T12:00:00.000Z');
    assert.equal(parseSince('2w', now), '2025-06-16T12:00:00.000Z');
    assert.equal(parseSince('2025-06-01', now), '2025-06-01T00:00:00.000Z');
    assert.equal(parseSince('2025-06-01T08:00:00+02:00', now), '2025-06-01T06:00:00.000Z');
    for (const bad of ['yesterday', '7', '3y', '2025-13-45']) assert.throws(() => parseSince(bad, now), /--since/, bad);
  });

  test('a scope names the same set the same way in any order', () => {
    assert.equal(manifestsScope(['deploy/', './charts//x', '-']), 'charts/x deploy stdin');
    assert.equal(manifestsScope(['charts/x', 'deploy']), manifestsScope(['deploy/', 'charts/x/']));
    assert.equal(listScope(['10.0.0.2', '10.0.0.1', '10.0.0.2']), '10.0.0.1 10.0.0.2');
  });

  test('PostgreSQL placeholders are numbered in order', () => {
    assert.equal(numberedPlaceholders('SELECT 1 WHERE a = ? AND b IN (?, ?)'), 'SELECT 1 WHERE a = $1 AND b IN ($2, $3)');
  });
});

describe('detect alerts through the store', () => {
  test('every alert is forwarded only once its row is committed, in the order sent', async () => {
    const file = join(dir, 'alerts.db');
    const store = await HistoryStore.open(file, { create: true });
    const reader = new BetterSqlite3(file, { readonly: true });
    try {
      const run = await store.beginRun({ kind: 'detect', scope: 'test', target: {}, toolVersion: 'test', startedAt: new Date().toISOString() });
      const forwarded: string[] = [];
      const committedWhenForwarded: boolean[] = [];
      const committed = reader.prepare('SELECT COUNT(*) AS n FROM run_alerts WHERE run_id = ? AND message = ?');
      const recorder = new CommittedAlerts((a: Alert) => {
        forwarded.push(a.message);
        committedWhenForwarded.push((committed.get(run.id, a.message) as { n: number }).n === 1);
      }, () => assert.fail('no store error expected'));
      // sent before the run is handed over: they wait
      recorder.send(alert(0));
      assert.deepEqual(forwarded, []);
      recorder.start(run);
      for (let i = 1; i < 50; i++) recorder.send(alert(i));
      await recorder.close();
      assert.deepEqual(forwarded, Array.from({ length: 50 }, (_, i) => `exec number ${i}`));
      assert.ok(committedWhenForwarded.every(Boolean), 'each alert was in the store (seen by another connection) when it was forwarded');
      assert.equal(recorder.failed, 0);
    } finally {
      reader.close();
      await store.close();
    }
  });

  test('a store that fails does not stop alerts: they go on, counted as unrecorded, the error said once', async () => {
    const store = await HistoryStore.open(join(dir, 'closing.db'), { create: true });
    const run = await store.beginRun({ kind: 'detect', scope: 'test', target: {}, toolVersion: 'test', startedAt: new Date().toISOString() });
    await store.close();
    const said: string[] = [];
    const forwarded: string[] = [];
    const recorder = new CommittedAlerts((a) => forwarded.push(a.message), (m) => said.push(m));
    recorder.start(run);
    recorder.send(alert(1));
    recorder.send(alert(2));
    await recorder.close();
    recorder.send(alert(3));
    await recorder.close();
    assert.deepEqual(forwarded, ['exec number 1', 'exec number 2', 'exec number 3']);
    assert.equal(recorder.failed, 3);
    assert.equal(said.length, 1);
    assert.match(said[0], /^store sqlite:.*closing\.db: cannot record alerts: .*; alerts go on to the other outputs, unrecorded$/);
  });
});
