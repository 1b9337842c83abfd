// The rpm database reader: SQLite files written by sqlite3 itself (every page size, overflow
// chains, interior pages, deleted rows, every serial type), rpm headers built by hand (good and
// hostile), and broken files: truncated, not SQLite, a b-tree cycle, a runaway overflow chain,
// random corruption. Every failure must be an error naming what is wrong, never a crash or a hang.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { applyWal, decodeRecord, SqliteError, SqliteFile } from '../../src/images/packages/sqlite.js';
import { packageOfHeader, parseSourceRpm, readRpmdbBdb, readRpmdbNdb, readRpmdbSqlite, RpmdbError, RpmHeader } from '../../src/images/packages/rpm.js';
import { readBdbHash } from '../../src/images/packages/bdb.js';
import { readNdb } from '../../src/images/packages/ndb.js';
import { analyseLayer } from '../../src/images/image/layer.js';
import { mergeLayers } from '../../src/images/image/contents.js';
import { purl } from '../../src/images/packages/types.js';
import { gzip, sha256, tarOf } from '../helpers/image-fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'km-rpmdb-'));

function haveSqlite3(): boolean {
  try {
    execFileSync('sqlite3', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const skip = !haveSqlite3() && 'sqlite3 is not installed (npm run setup: lab/setup.d/35-rpm.sh)';

let fileNo = 0;
/** A database written by sqlite3 from these statements. */
function sqlite(sql: string): Buffer {
  const file = join(work, `db${fileNo++}.sqlite`);
  execFileSync('sqlite3', [file], { input: sql, maxBuffer: 1 << 28 });
  return readFileSync(file);
}

const hex = (b: Buffer): string => b.toString('hex');

// ---- rpm headers by hand ----

type TagValue = { tag: number; type: 3; shorts: number[] } | { tag: number; type: 4; ints: number[] } | { tag: number; type: 6 | 9; str: string } | { tag: number; type: 8; strs: string[] };

/** An rpm header blob: entry count, data length, entries (tag, type, offset, count), data. */
function header(tags: TagValue[], tamper?: (entries: Buffer, data: Buffer) => void): Buffer {
  const data: Buffer[] = [];
  let len = 0;
  const entries = Buffer.alloc(16 * tags.length);
  tags.forEach((t, i) => {
    let bytes: Buffer;
    let count: number;
    if (t.type === 4) {
      while (len % 4 !== 0) {
        data.push(Buffer.alloc(1));
        len++;
      }
      bytes = Buffer.alloc(4 * t.ints.length);
      t.ints.forEach((v, k) => bytes.writeInt32BE(v, 4 * k));
      count = t.ints.length;
    } else if (t.type === 3) {
      while (len % 2 !== 0) {
        data.push(Buffer.alloc(1));
        len++;
      }
      bytes = Buffer.alloc(2 * t.shorts.length);
      t.shorts.forEach((v, k) => bytes.writeUInt16BE(v, 2 * k));
      count = t.shorts.length;
    } else if (t.type === 8) {
      bytes = Buffer.from(t.strs.map((s) => `${s}\0`).join(''));
      count = t.strs.length;
    } else {
      bytes = Buffer.from(`${t.str}\0`);
      count = 1;
    }
    entries.writeInt32BE(t.tag, 16 * i);
    entries.writeUInt32BE(t.type, 16 * i + 4);
    entries.writeInt32BE(len, 16 * i + 8);
    entries.writeUInt32BE(count, 16 * i + 12);
    data.push(bytes);
    len += bytes.length;
  });
  const store = Buffer.concat(data);
  tamper?.(entries, store);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(tags.length, 0);
  head.writeUInt32BE(store.length, 4);
  return Buffer.concat([head, entries, store]);
}

function pkgHeader(name: string, opts: { epoch?: number; version?: string; release?: string; arch?: string; source?: string; files?: string[]; modes?: number[] } = {}): Buffer {
  const files = opts.files ?? [];
  const dirs = [...new Set(files.map((f) => f.slice(0, f.lastIndexOf('/') + 1)))];
  const tags: TagValue[] = [
    { tag: 1000, type: 6, str: name },
    { tag: 1001, type: 6, str: opts.version ?? '1.0' },
    { tag: 1002, type: 6, str: opts.release ?? '1.el9' },
    ...(opts.epoch !== undefined ? [{ tag: 1003, type: 4 as const, ints: [opts.epoch] }] : []),
    { tag: 1004, type: 9, str: `${name} summary` },
    { tag: 1022, type: 6, str: opts.arch ?? 'x86_64' },
    { tag: 1044, type: 6, str: opts.source ?? `${name}-${opts.version ?? '1.0'}-${opts.release ?? '1.el9'}.src.rpm` },
  ];
  if (files.length > 0) {
    tags.push({ tag: 1116, type: 4, ints: files.map((f) => dirs.indexOf(f.slice(0, f.lastIndexOf('/') + 1))) });
    tags.push({ tag: 1117, type: 8, strs: files.map((f) => f.slice(f.lastIndexOf('/') + 1)) });
    tags.push({ tag: 1118, type: 8, strs: dirs });
    if (opts.modes) tags.push({ tag: 1030, type: 3, shorts: opts.modes });
  }
  return header(tags);
}

const RPM_SCHEMA = "CREATE TABLE IF NOT EXISTS 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL);\n";

function rpmdb(blobs: Buffer[], pageSize = 4096): Buffer {
  return sqlite(`PRAGMA page_size=${pageSize};\n${RPM_SCHEMA}${blobs.map((b) => `INSERT INTO Packages (blob) VALUES (X'${hex(b)}');`).join('\n')}\n`);
}

// ---- SQLite ----

test('SQLite: every row and blob as sqlite3 wrote them, at every page size, through overflow chains and interior pages', { skip }, () => {
  // sizes around the overflow thresholds of each page size, and large ones spanning many pages
  const sizes = [0, 1, 100, 477, 478, 479, 489, 1000, 4061, 4062, 4063, 4096, 9000, 65500, 65501, 70000, 200_000];
  let seed = 7;
  const blobs = Array.from({ length: 60 }, (_, i) => {
    const n = sizes[i % sizes.length];
    const b = Buffer.alloc(n);
    for (let k = 0; k < n; k++) b[k] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16;
    return b;
  });
  for (const pageSize of [512, 1024, 4096, 65536]) {
    const sql = `PRAGMA page_size=${pageSize};\nCREATE TABLE other (x);\nINSERT INTO other VALUES (1);\n${RPM_SCHEMA}${blobs.map((b) => `INSERT INTO Packages (blob) VALUES (X'${hex(b)}');`).join('\n')}\nDELETE FROM Packages WHERE hnum % 7 = 3;\n`;
    const db = new SqliteFile(sqlite(sql));
    assert.equal(db.pageSize, pageSize);
    const root = db.tableRoot('Packages');
    assert.ok(root !== undefined);
    const rows = [...db.rows(root)];
    const want = blobs.map((b, i) => ({ rowid: i + 1, b })).filter((r) => r.rowid % 7 !== 3);
    assert.equal(rows.length, want.length, `page size ${pageSize}`);
    rows.forEach((r, i) => {
      assert.equal(r.rowid, want[i].rowid);
      assert.equal(r.values[0], null, 'the INTEGER PRIMARY KEY column is the rowid');
      assert.ok(Buffer.from(r.values[1] as Uint8Array).equals(want[i].b), `page size ${pageSize}, row ${r.rowid} (${want[i].b.length} bytes)`);
    });
    assert.equal(db.tableRoot('Missing'), undefined);
  }
});

test('SQLite: the record format, every serial type', { skip }, () => {
  const db = new SqliteFile(sqlite("CREATE TABLE t (a, b, c, d, e, f, g, h, i, j, k);\nINSERT INTO t VALUES (0, 1, -1, 300, -70000, 8388608, 1099511627776, 4611686018427387904, 1.5, 'tëxt', X'00FF');\nINSERT INTO t VALUES (NULL, 127, -32768, 2147483647, -140737488355328, 9007199254740991, -9223372036854775808, '', X'', 0.0, 'x');\n"));
  const [r1, r2] = [...db.rows(db.tableRoot('t')!)];
  assert.deepEqual(r1.values.slice(0, 10), [0, 1, -1, 300, -70000, 8388608, 1099511627776, 4611686018427387904n, 1.5, 'tëxt']);
  assert.deepEqual([...(r1.values[10] as Uint8Array)], [0, 255]);
  assert.deepEqual(r2.values.slice(0, 8), [null, 127, -32768, 2147483647, -140737488355328, 9007199254740991, -9223372036854775808n, '']);
  assert.equal((r2.values[8] as Uint8Array).length, 0);
  assert.throws(() => decodeRecord(Buffer.from([0x05, 0x0a, 0, 0, 0]), 1), /reserved serial type 10/);
  assert.throws(() => decodeRecord(Buffer.from([0x02, 0x06, 0x01]), 1), /runs past the end/);
  assert.throws(() => decodeRecord(Buffer.from([0x09]), 1), /bad record header size/);
});

test('SQLite: broken files give SqliteError, never a crash or a loop', { skip }, () => {
  const good = rpmdb([pkgHeader('a'), pkgHeader('b', { files: Array.from({ length: 300 }, (_, i) => `/usr/share/b/file-${i}`) })], 512);
  assert.throws(() => new SqliteFile(Buffer.from('not a database at all, just some text padding it out beyond a hundred bytes of header space....')), /not an SQLite 3 database/);
  assert.throws(() => new SqliteFile(good.subarray(0, 50)), /not an SQLite 3 database/);
  assert.throws(() => new SqliteFile(good.subarray(0, good.length - 100)), /not a multiple of the page size .*truncated/);
  const badPageSize = Buffer.from(good);
  badPageSize.writeUInt16BE(1000, 16);
  assert.throws(() => new SqliteFile(badPageSize), /bad page size 1000/);
  const utf16 = Buffer.from(good);
  utf16.writeUInt32BE(2, 56);
  assert.throws(() => new SqliteFile(utf16), /UTF-16/);
  // whole pages cut off the end: the chain or the tree points outside the file
  const short = new SqliteFile(good.subarray(0, good.length - 512 * 3));
  assert.throws(() => [...short.rows(short.tableRoot('Packages')!)], SqliteError);
});

/** The page numbers of a table's b-tree pages, from sqlite3's own dbstat table. */
function pagesOf(db: Buffer, table: string, type: string): number[] {
  const file = join(work, `stat${fileNo++}.sqlite`);
  writeFileSync(file, db);
  return execFileSync('sqlite3', [file, `select pageno from dbstat where name = '${table}' and pagetype = '${type}' order by pageno`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
}

test('SQLite: a b-tree that loops, an overflow chain that loops or leaves the file, a cell outside its page', { skip }, () => {
  const blobs = Array.from({ length: 40 }, (_, i) => pkgHeader(`p${i}`, { files: Array.from({ length: 80 }, (_, k) => `/usr/lib/p${i}/file-with-a-longer-name-${k}`) }));
  const good = rpmdb(blobs, 1024);
  const [interior] = pagesOf(good, 'Packages', 'internal');
  assert.ok(interior > 0, 'the fixture has an interior page');
  const at = (n: number) => (n - 1) * 1024;
  // the right-most child of the interior page points back at the interior page
  const loop = Buffer.from(good);
  loop.writeUInt32BE(interior, at(interior) + 8);
  assert.throws(() => readRpmdbSqliteOrThrowAll(loop), /reached twice: the b-tree has a cycle/);
  // an overflow page whose next pointer names itself
  const [overflow] = pagesOf(good, 'Packages', 'overflow');
  assert.ok(overflow > 0, 'the fixture has overflow pages');
  const selfChain = Buffer.from(good);
  selfChain.writeUInt32BE(overflow, at(overflow));
  assert.throws(() => readRpmdbSqliteOrThrowAll(selfChain), /overflow page \d+ is reached twice|reached twice/);
  const outside = Buffer.from(good);
  outside.writeUInt32BE(999_999, at(overflow));
  assert.throws(() => readRpmdbSqliteOrThrowAll(outside), /page 999999 is outside the file/);
  // a cell pointer beyond the page
  const [leaf] = pagesOf(good, 'Packages', 'leaf');
  const cell = Buffer.from(good);
  cell.writeUInt16BE(1020, at(leaf) + 8);
  assert.throws(() => readRpmdbSqliteOrThrowAll(cell), SqliteError);
  // a page that is not a b-tree page where one is expected
  const notTree = Buffer.from(good);
  notTree[at(leaf)] = 0x07;
  assert.throws(() => readRpmdbSqliteOrThrowAll(notTree), /type 7 is not a table b-tree page/);
});

function readRpmdbSqliteOrThrowAll(data: Buffer): void {
  const db = new SqliteFile(data);
  for (const _ of db.rows(db.tableRoot('Packages')!)) void _;
}

// ---- rpm headers and the database ----

test('rpm database: packages, epochs, source rpms, owned files; gpg-pubkey entries are not packages', { skip }, () => {
  const db = rpmdb([
    pkgHeader('openssl-libs', { epoch: 1, version: '3.0.7', release: '27.el9', source: 'openssl-3.0.7-27.el9.src.rpm', files: ['/usr/lib64/libssl.so.3', '/usr/lib64/libcrypto.so.3'] }),
    pkgHeader('nodejs-x', { version: '1.0.0', release: '1.el9', arch: 'noarch', files: ['/usr/lib/node_modules/x/package.json'] }),
    pkgHeader('gpg-pubkey', { version: '5a6340b3', release: '6229229e', arch: '(none)', source: '(none)' }),
  ]);
  const r = readRpmdbSqlite(db, '/var/lib/rpm/rpmdb.sqlite');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    r.packages.map((p) => [p.name, p.version, p.arch, p.source?.name, p.source?.version]),
    [
      ['openssl-libs', '1:3.0.7-27.el9', 'x86_64', 'openssl', '1:3.0.7-27.el9'],
      ['nodejs-x', '1.0.0-1.el9', 'noarch', 'nodejs-x', '1.0.0-1.el9'],
    ],
  );
  assert.deepEqual(r.owned.sort(), ['/usr/lib/node_modules/x/package.json', '/usr/lib64/libcrypto.so.3', '/usr/lib64/libssl.so.3']);
  assert.equal(purl(r.packages[0], { id: 'almalinux', versionId: '9.3' }), 'pkg:rpm/almalinux/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=almalinux-9.3&epoch=1');
  // with file modes, only the files a language analyser could read are kept for ownership
  const moded = readRpmdbSqlite(rpmdb([pkgHeader('tools', { files: ['/usr/bin/tool', '/usr/share/doc/tools/README', '/usr/lib/node_modules/y/package.json', '/usr/lib/python3.9/site-packages/z-1.0.dist-info/METADATA', '/opt/app.jar', '/usr/lib/tools'], modes: [0o100755, 0o100644, 0o100644, 0o100644, 0o100644, 0o040755] })]), '/p');
  assert.equal(moded.files, 6);
  assert.deepEqual(moded.owned, ['/usr/bin/tool', '/usr/lib/node_modules/y/package.json', '/usr/lib/python3.9/site-packages/z-1.0.dist-info/METADATA', '/opt/app.jar']);
  assert.deepEqual(parseSourceRpm('python3.12-lxml-4.9.3-2.el9_8.1.src.rpm'), { name: 'python3.12-lxml', version: '4.9.3', release: '2.el9_8.1' });
  assert.equal(parseSourceRpm('garbage'), undefined);
});

test('rpm database: no Packages table, or not SQLite, is an error naming the file', { skip }, () => {
  const noTable = sqlite("CREATE TABLE Basenames (key TEXT, hnum INTEGER, idx INTEGER);\nINSERT INTO Basenames VALUES ('a', 1, 0);\n");
  assert.throws(() => readRpmdbSqlite(noTable, '/var/lib/rpm/rpmdb.sqlite'), (e: unknown) => e instanceof RpmdbError && /^\/var\/lib\/rpm\/rpmdb\.sqlite: no Packages table/.test(e.message));
  assert.throws(() => readRpmdbSqlite(Buffer.alloc(8192), '/usr/lib/sysimage/rpm/rpmdb.sqlite'), (e: unknown) => e instanceof RpmdbError && /^\/usr\/lib\/sysimage\/rpm\/rpmdb\.sqlite: not an SQLite 3 database/.test(e.message));
});

test('rpm headers with out-of-range offsets, unterminated strings, bad counts: that package is skipped and named, the others read', { skip }, () => {
  const offsetPastData = header([{ tag: 1000, type: 6, str: 'evil' }, { tag: 1001, type: 6, str: '1' }, { tag: 1002, type: 6, str: '1' }], (entries) => entries.writeInt32BE(1_000_000, 8));
  const negativeOffset = header([{ tag: 1000, type: 6, str: 'evil' }, { tag: 1001, type: 6, str: '1' }, { tag: 1002, type: 6, str: '1' }], (entries) => entries.writeInt32BE(-4, 8));
  const unterminated = header([{ tag: 1001, type: 6, str: '1' }, { tag: 1002, type: 6, str: '1' }, { tag: 1000, type: 6, str: 'evil' }], (_, data) => data.fill(0x41, data.length - 1));
  const hugeCount = header([{ tag: 1000, type: 6, str: 'evil' }, { tag: 1001, type: 6, str: '1' }, { tag: 1002, type: 6, str: '1' }, { tag: 1117, type: 8, strs: ['a'] }], (entries) => entries.writeUInt32BE(0x7fffffff, 3 * 16 + 12));
  const intsPastData = header([{ tag: 1000, type: 6, str: 'evil' }, { tag: 1001, type: 6, str: '1' }, { tag: 1002, type: 6, str: '1' }, { tag: 1003, type: 4, ints: [1] }], (entries) => entries.writeUInt32BE(3, 3 * 16 + 12));
  const wrongType = header([{ tag: 1000, type: 4, ints: [7] }, { tag: 1001, type: 6, str: '1' }, { tag: 1002, type: 6, str: '1' }]);
  const badDirIndex = pkgHeader('evil', { files: ['/a/b'] });
  // point the one file at directory 5 of 1
  const di = badDirIndex.indexOf(Buffer.from([0, 0, 0x04, 0x5c])); // tag 1116 in the index
  assert.ok(di > 0);
  const diOffset = badDirIndex.readInt32BE(di + 8);
  badDirIndex.writeInt32BE(5, 8 + badDirIndex.readUInt32BE(0) * 16 + diOffset);
  const claimsTooMuch = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0x10, 0]), Buffer.alloc(16)]);
  const cases: [Buffer, RegExp][] = [
    [offsetPastData, /data offset 1000000 is outside the \d+-byte data store/],
    [negativeOffset, /data offset -4 is outside/],
    [unterminated, /not terminated inside the data store/],
    [hugeCount, /count 2147483647 exceeds the data store/],
    [intsPastData, /3 integers run past the data store/],
    [wrongType, /type 4 is not a string/],
    [badDirIndex, /names directory 5 of 1/],
    [claimsTooMuch, /claims 1 entries and 4096 bytes of data, but the blob has 24 bytes/],
    [Buffer.from([0, 0]), /too short/],
    [Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), /claims 4294967295 index entries/],
  ];
  for (const [blob, want] of cases) assert.throws(() => packageOfHeader(new RpmHeader(blob)), (e: unknown) => e instanceof RpmdbError && want.test(e.message), `${want}`);
  const db = rpmdb([pkgHeader('good-before'), ...cases.map(([b]) => b), pkgHeader('good-after')]);
  const r = readRpmdbSqlite(db, '/var/lib/rpm/rpmdb.sqlite');
  assert.deepEqual(r.packages.map((p) => p.name), ['good-before', 'good-after']);
  assert.equal(r.errors.length, cases.length);
  assert.match(r.errors[0], /^\/var\/lib\/rpm\/rpmdb\.sqlite: package 2: tag 1000: data offset 1000000 .*; that package was skipped$/);
});

test('rpm database: random corruption never crashes or hangs the reader', { skip }, () => {
  const blobs = Array.from({ length: 30 }, (_, i) => pkgHeader(`p${i}`, { epoch: i % 3 === 0 ? i : undefined, files: Array.from({ length: 40 }, (_, k) => `/usr/lib/p${i}/file-${k}`) }));
  const good = rpmdb(blobs, 1024);
  assert.equal(readRpmdbSqlite(good, '/x').packages.length, 30);
  let seed = 12345;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  let failed = 0;
  let partial = 0;
  for (let round = 0; round < 400; round++) {
    const bad = Buffer.from(good);
    for (let k = 0, n = 1 + rand(8); k < n; k++) bad[100 + rand(bad.length - 100)] = rand(256);
    try {
      const r = readRpmdbSqlite(bad, '/x');
      if (r.errors.length > 0) partial++;
      assert.ok(r.packages.length <= 30);
    } catch (e) {
      assert.ok(e instanceof RpmdbError, `round ${round}: ${(e as Error).stack}`);
      failed++;
    }
  }
  assert.ok(failed + partial > 0, 'some corruption was noticed');
});

test('image layers: the rpm database is read from either path, owns language packages, and a broken one is an error only while it is the one in the image', { skip }, async () => {
  const db = rpmdb([pkgHeader('nodejs-x', { version: '1.0.0', arch: 'noarch', files: ['/usr/lib/node_modules/x/package.json'] })]);
  const analyse = (b: Buffer) => analyseLayer(sha256(b), Readable.from([b]), { blob: sha256(b) });
  const base = await analyse(
    gzip(
      tarOf([
        { path: 'etc/os-release', content: 'ID=rocky\nVERSION_ID="9.3"\n' },
        { path: 'usr/lib/sysimage/rpm/rpmdb.sqlite', content: db },
        { path: 'usr/lib/sysimage/rpm/rpmdb.sqlite-wal', content: 'x'.repeat(100) },
        { path: 'usr/lib/node_modules/x/package.json', content: '{"name":"x","version":"1.0.0"}' },
      ]),
    ),
  );
  const c = mergeLayers([base]);
  assert.deepEqual(c.packages.map((p) => `${p.type}:${p.name}@${p.version}`), ['rpm:nodejs-x@1.0.0-1.el9']);
  assert.equal(c.ownedByOs, 1);
  assert.ok(c.notes.some((n) => /rpmdb\.sqlite-wal: not an SQLite write-ahead log \(bad magic\); the log was ignored/.test(n)), c.notes.join('; '));
  const broken = await analyse(gzip(tarOf([{ path: 'usr/lib/sysimage/rpm/rpmdb.sqlite', content: db.subarray(0, 3000) }])));
  const b = mergeLayers([base, broken]);
  assert.equal(b.errors?.length, 1);
  assert.match(b.errors![0], /^\/usr\/lib\/sysimage\/rpm\/rpmdb\.sqlite: file size 3000 is not a multiple of the page size 4096: truncated; the image's rpm packages were not read$/);
  // a later layer puts a good database back: no error
  assert.equal(mergeLayers([base, broken, base]).errors, undefined);
  // a stale Berkeley DB file beside the SQLite database: one is read, not both
  const stale = await analyse(gzip(tarOf([{ path: 'var/lib/rpm/rpmdb.sqlite', content: rpmdb([pkgHeader('old-one')]) }])));
  const both = mergeLayers([base, stale]);
  assert.deepEqual(both.packages.filter((p) => p.type === 'rpm').map((p) => p.name), ['nodejs-x']);
  assert.ok(both.notes.includes('more than one rpm database: /usr/lib/sysimage/rpm/rpmdb.sqlite is read, /var/lib/rpm/rpmdb.sqlite ignored'), both.notes.join('; '));
  const ndb = await analyse(gzip(tarOf([{ path: 'usr/lib/sysimage/rpm/Packages.db', content: Buffer.alloc(4096) }])));
  assert.match(mergeLayers([ndb]).errors?.[0] ?? '', /^\/usr\/lib\/sysimage\/rpm\/Packages\.db: not an rpm ndb database \(bad magic\)/);
  const notBdb = await analyse(gzip(tarOf([{ path: 'var/lib/rpm/Packages', content: Buffer.alloc(4096) }])));
  assert.match(mergeLayers([notBdb]).errors?.[0] ?? '', /^\/var\/lib\/rpm\/Packages: not a Berkeley DB hash file/);
});

// ---- the write-ahead log ----

/**
 * A database in WAL mode with `early` headers checkpointed into the file and `late` ones only in
 * the log (one transaction each), copied while sqlite3 still has it open (closing would
 * checkpoint the log away).
 */
function walPair(early: Buffer[], late: Buffer[]): { db: Buffer; wal: Buffer; dir: string } {
  const dir = join(work, `wal${fileNo++}`);
  execFileSync('mkdir', ['-p', dir]);
  const sql = [
    'PRAGMA page_size=1024;',
    'PRAGMA journal_mode=WAL;',
    'PRAGMA wal_autocheckpoint=0;',
    RPM_SCHEMA,
    ...early.map((b) => `INSERT INTO Packages (blob) VALUES (X'${hex(b)}');`),
    'PRAGMA wal_checkpoint(TRUNCATE);',
    ...late.map((b) => `INSERT INTO Packages (blob) VALUES (X'${hex(b)}');`),
    `.shell cp ${dir}/live.sqlite ${dir}/db && cp ${dir}/live.sqlite-wal ${dir}/wal`,
  ].join('\n');
  execFileSync('sqlite3', [join(dir, 'live.sqlite')], { input: sql + '\n', stdio: ['pipe', 'ignore', 'pipe'] });
  return { db: readFileSync(join(dir, 'db')), wal: readFileSync(join(dir, 'wal')), dir };
}

/** How many packages sqlite3 itself sees in a database with this log beside it. */
function sqliteCount(dir: string, db: Buffer, wal: Buffer): number {
  const name = join(dir, `check${fileNo++}.sqlite`);
  writeFileSync(name, db);
  writeFileSync(`${name}-wal`, wal);
  return Number(execFileSync('sqlite3', [name, 'select count(*) from Packages'], { encoding: 'utf8' }).trim());
}

test('SQLite write-ahead log: committed frames applied as sqlite3 applies them; a torn or corrupt tail ends the log', { skip }, () => {
  const big = (name: string) => pkgHeader(name, { files: Array.from({ length: 50 }, (_, k) => `/usr/share/${name}/a-longer-file-name-${k}`) });
  const { db, wal, dir } = walPair([big('early1'), big('early2')], [big('late1'), pkgHeader('late2'), big('late3')]);
  assert.ok(wal.length > 32, 'the log holds frames');
  assert.deepEqual(readRpmdbSqlite(db, '/d').packages.map((p) => p.name), ['early1', 'early2'], 'the database file alone');
  const r = readRpmdbSqlite(db, '/var/lib/rpm/rpmdb.sqlite', wal);
  assert.deepEqual(r.packages.map((p) => p.name), ['early1', 'early2', 'late1', 'late2', 'late3']);
  assert.equal(r.packages.length, sqliteCount(dir, db, wal));
  assert.match(r.notes?.[0] ?? '', /^\/var\/lib\/rpm\/rpmdb\.sqlite-wal: \d+ committed page\(s\) of the SQLite write-ahead log applied$/);
  // a log cut inside its last frame: the last transaction is lost, as sqlite3 loses it
  const torn = wal.subarray(0, wal.length - 500);
  const tornCount = readRpmdbSqlite(db, '/d', torn).packages.length;
  assert.equal(tornCount, sqliteCount(dir, db, torn));
  assert.ok(tornCount < 5 && tornCount >= 2);
  // a flipped byte in the second frame's page: its checksum fails, nothing from there on counts
  const pageSize = wal.readUInt32BE(8);
  const flipped = Buffer.from(wal);
  flipped[32 + (24 + pageSize) + 24 + 100] ^= 0xff;
  const flippedCount = readRpmdbSqlite(db, '/d', flipped).packages.length;
  assert.equal(flippedCount, sqliteCount(dir, db, flipped));
  // not a log at all: ignored, said, the database still read
  const junk = readRpmdbSqlite(db, '/d', Buffer.alloc(64, 7));
  assert.equal(junk.packages.length, 2);
  assert.match(junk.notes?.[0] ?? '', /not an SQLite write-ahead log \(bad magic\); the log was ignored/);
  assert.throws(() => applyWal(db, Buffer.alloc(10)), /shorter than its header/);
  const badHeader = Buffer.from(wal);
  badHeader[20] ^= 1;
  assert.throws(() => applyWal(db, badHeader), /header checksum does not match/);
});

test('image layers: the write-ahead log beside the database in one layer is applied', { skip }, async () => {
  const { db, wal } = walPair([pkgHeader('early')], [pkgHeader('late')]);
  const blob = gzip(tarOf([
    { path: 'var/lib/rpm/rpmdb.sqlite', content: db },
    { path: 'var/lib/rpm/rpmdb.sqlite-shm', content: Buffer.alloc(32768) },
    { path: 'var/lib/rpm/rpmdb.sqlite-wal', content: wal },
  ]));
  const layer = await analyseLayer(sha256(blob), Readable.from([blob]), { blob: sha256(blob) });
  const c = mergeLayers([layer]);
  assert.deepEqual(c.packages.map((p) => p.name), ['early', 'late']);
  assert.ok(c.notes.some((n) => /rpmdb\.sqlite-wal: \d+ committed page\(s\)/.test(n)));
});

// ---- the older Berkeley DB database ----

function haveDbLoad(): boolean {
  try {
    execFileSync('db5.3_load', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const skipBdb = !haveDbLoad() && 'db5.3_load is not installed (npm run setup: lab/setup.d/35-rpm.sh)';

/** A Berkeley DB hash file written by db5.3_load: record number (little-endian, as on x86) → header, plus rpm's record 0. */
function bdb(blobs: Buffer[], pageSize: number): Buffer {
  const le32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b.toString('hex');
  };
  const lines = ['VERSION=3', 'format=bytevalue', 'type=hash', `db_pagesize=${pageSize}`, 'HEADER=END', ` ${le32(0)}`, ` ${le32(blobs.length + 1)}`];
  blobs.forEach((b, i) => lines.push(` ${le32(i + 1)}`, ` ${hex(b)}`));
  lines.push('DATA=END');
  const dump = join(work, `bdb${fileNo}.dump`);
  const file = join(work, `bdb${fileNo++}.db`);
  writeFileSync(dump, lines.join('\n') + '\n');
  execFileSync('db5.3_load', ['-f', dump, file]);
  return readFileSync(file);
}

test('Berkeley DB: every record db5.3_load wrote, inline and in overflow chains, at several page sizes; record 0 is not a package', { skip: skipBdb }, () => {
  const blobs = Array.from({ length: 50 }, (_, i) => pkgHeader(`pkg${i}`, { epoch: i % 4 === 0 ? 2 : undefined, version: `1.${i}`, files: Array.from({ length: i % 5 === 0 ? 200 : 1 }, (_, k) => `/usr/share/pkg${i}/a-longer-file-name-${k}`) }));
  for (const pageSize of [512, 4096, 65536]) {
    const r = readRpmdbBdb(bdb(blobs, pageSize), '/var/lib/rpm/Packages');
    assert.deepEqual(r.errors, [], `page size ${pageSize}`);
    assert.deepEqual(r.packages.map((p) => `${p.name} ${p.version}`), blobs.map((_, i) => `pkg${i} ${i % 4 === 0 ? '2:' : ''}1.${i}-1.el9`), `page size ${pageSize}`);
    assert.equal(r.owned.length, blobs.reduce((n, _, i) => n + (i % 5 === 0 ? 200 : 1), 0));
  }
});

test('Berkeley DB: broken files are errors naming what is wrong; a broken chain loses only its record', { skip: skipBdb }, () => {
  const blobs = Array.from({ length: 12 }, (_, i) => pkgHeader(`pkg${i}`, { files: Array.from({ length: 60 }, (_, k) => `/usr/share/pkg${i}/a-longer-file-name-${k}`) }));
  const good = bdb(blobs, 512);
  assert.equal(readRpmdbBdb(good, '/p').packages.length, 12);
  assert.throws(() => readRpmdbBdb(Buffer.alloc(4096), '/var/lib/rpm/Packages'), (e: unknown) => e instanceof RpmdbError && /^\/var\/lib\/rpm\/Packages: not a Berkeley DB hash file \(bad magic\)/.test(e.message));
  assert.throws(() => readBdbHash(good.subarray(0, 100)), /too short/);
  const encrypted = Buffer.from(good);
  encrypted[24] = 1;
  assert.throws(() => readBdbHash(encrypted), /encrypted/);
  const pageSize = Buffer.from(good);
  pageSize.writeUInt32LE(1000, 20);
  assert.throws(() => readBdbHash(pageSize), /bad page size 1000/);
  // find the overflow pages and break their chains
  const pages = good.length / 512;
  const overflowPages = Array.from({ length: pages }, (_, n) => n).filter((n) => n > 0 && good[n * 512 + 25] === 7);
  assert.ok(overflowPages.length > 12, 'the fixture has overflow chains');
  const chainStart = overflowPages.find((n) => good.readUInt32LE(n * 512 + 16) !== 0)!;
  const loop = Buffer.from(good);
  loop.writeUInt32LE(chainStart, chainStart * 512 + 16);
  const looped = readBdbHash(loop);
  assert.ok(looped.errors.some((e) => /reaches page \d+ twice|has type|ends after/.test(e)), looped.errors.join('; '));
  assert.ok(looped.records.length >= 12, 'the other records are kept');
  const outside = Buffer.from(good);
  outside.writeUInt32LE(99_999, chainStart * 512 + 16);
  assert.ok(readBdbHash(outside).errors.some((e) => /page 99999 is outside the file/.test(e)));
  const r = readRpmdbBdb(outside, '/var/lib/rpm/Packages');
  assert.equal(r.packages.length, 11);
  assert.match(r.errors[0], /^\/var\/lib\/rpm\/Packages: .*page 99999 is outside the file.*; a package may be missing$/);
});

test('Berkeley DB: random corruption never crashes or hangs the reader', { skip: skipBdb }, () => {
  const good = bdb(Array.from({ length: 20 }, (_, i) => pkgHeader(`p${i}`, { files: Array.from({ length: 40 }, (_, k) => `/usr/lib/p${i}/file-${k}`) })), 1024);
  let seed = 99;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  for (let round = 0; round < 400; round++) {
    const bad = Buffer.from(good);
    for (let k = 0, n = 1 + rand(8); k < n; k++) bad[rand(bad.length)] = rand(256);
    try {
      assert.ok(readRpmdbBdb(bad, '/x').packages.length <= 20);
    } catch (e) {
      assert.ok(e instanceof RpmdbError, `round ${round}: ${(e as Error).stack}`);
    }
  }
});

// ---- SUSE's ndb database ----

/**
 * An ndb file as rpm lays it out (little-endian): header `RpmP` v0 with the slot page count, 16-byte
 * slots (`Slot`, package index, block offset, block count), blobs in 16-byte blocks (head `BlbS`,
 * index, generation, length; the header; tail checksum, length, `BlbE` at the end of the blocks).
 * Checked against a real SLE 15 database: see the notes of issue 8 (rpm).
 */
function ndb(blobs: Buffer[], tamper?: (file: Buffer, slots: { at: number; off: number }[]) => void): Buffer {
  const slotPages = 1;
  const parts: Buffer[] = [];
  let block = (slotPages * 4096) / 16;
  const table = Buffer.alloc(slotPages * 4096);
  table.writeUInt32LE(0x506d7052, 0);
  table.writeUInt32LE(0, 4);
  table.writeUInt32LE(1, 8);
  table.writeUInt32LE(slotPages, 12);
  table.writeUInt32LE(blobs.length + 1, 16);
  const slots: { at: number; off: number }[] = [];
  for (let at = 32; at < table.length; at += 16) table.writeUInt32LE(0x746f6c53, at);
  blobs.forEach((b, i) => {
    const blocks = Math.ceil((16 + b.length + 12) / 16);
    const at = 32 + 16 * i;
    table.writeUInt32LE(i + 1, at + 4);
    table.writeUInt32LE(block, at + 8);
    table.writeUInt32LE(blocks, at + 12);
    const area = Buffer.alloc(blocks * 16);
    area.writeUInt32LE(0x53626c42, 0);
    area.writeUInt32LE(i + 1, 4);
    area.writeUInt32LE(1, 8);
    area.writeUInt32LE(b.length, 12);
    b.copy(area, 16);
    area.writeUInt32LE(b.length, area.length - 8);
    area.writeUInt32LE(0x45626c42, area.length - 4);
    slots.push({ at, off: block * 16 });
    parts.push(area);
    block += blocks;
  });
  const file = Buffer.concat([table, ...parts]);
  tamper?.(file, slots);
  return file;
}

test('ndb (SUSE): packages from the slots, and a bad slot or blob skipped and named while the others are read', () => {
  const blobs = [pkgHeader('system-user-root', { arch: 'noarch' }), pkgHeader('glibc', { version: '2.31', release: '9.3.2', files: ['/lib64/libc.so.6'] }), pkgHeader('bash', { version: '4.4', release: '19.6.1' })];
  const good = readRpmdbNdb(ndb(blobs), '/usr/lib/sysimage/rpm/Packages.db');
  assert.deepEqual(good.errors, []);
  assert.deepEqual(good.packages.map((p) => `${p.name} ${p.version}`), ['system-user-root 1.0-1.el9', 'glibc 2.31-9.3.2', 'bash 4.4-19.6.1']);
  assert.deepEqual(good.owned, ['/lib64/libc.so.6']);
  const broken = (tamper: (file: Buffer, slots: { at: number; off: number }[]) => void) => readRpmdbNdb(ndb(blobs, tamper), '/p');
  const outside = broken((f, s) => f.writeUInt32LE(1_000_000, s[1].at + 8));
  assert.deepEqual(outside.packages.map((p) => p.name), ['system-user-root', 'bash']);
  assert.match(outside.errors[0], /^\/p: package 2: its blocks .* are outside the data area; that package is missing$/);
  assert.match(broken((f, s) => f.writeUInt32LE(7, s[0].off + 4)).errors[0], /package 1: no blob head where its slot points/);
  assert.match(broken((f, s) => f.writeUInt32LE(0xffff, s[2].off + 12)).errors[0], /package 3: its blob of 65535 bytes does not fit/);
  assert.match(broken((f, s) => f.writeUInt32LE(0, s[0].off + blobs[0].length + 16 + 12 - 4 + ((16 - ((16 + blobs[0].length + 12) % 16)) % 16))).errors[0], /package 1: .*has no tail/);
  const badHeader = broken((f, s) => f.writeUInt32BE(0x7fffffff, s[1].off + 16));
  assert.match(badHeader.errors[0], /package 2: header claims 2147483647 index entries; that package was skipped/);
  assert.throws(() => readNdb(Buffer.alloc(4096)), /not an rpm ndb database \(bad magic\)/);
  assert.throws(() => readNdb(ndb(blobs, (f) => f.writeUInt32LE(3, 4))), /ndb version 3 is not supported/);
  assert.throws(() => readNdb(ndb(blobs, (f) => f.writeUInt32LE(99, 12))), /99 slot pages do not fit/);
  assert.throws(() => readNdb(ndb(blobs, (f) => f.writeUInt32LE(0, 32 + 16 * 5))), /slot at 112 has no slot magic/);
  let seed = 5;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const file = ndb(Array.from({ length: 20 }, (_, i) => pkgHeader(`p${i}`, { files: [`/usr/lib/p${i}/a`, `/usr/lib/p${i}/b`] })));
  for (let round = 0; round < 400; round++) {
    const bad = Buffer.from(file);
    for (let k = 0, n = 1 + rand(8); k < n; k++) bad[rand(bad.length)] = rand(256);
    try {
      assert.ok(readRpmdbNdb(bad, '/x').packages.length <= 20);
    } catch (e) {
      assert.ok(e instanceof RpmdbError, `round ${round}: ${(e as Error).stack}`);
    }
  }
});
