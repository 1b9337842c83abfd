// `kubemoat images db update` without --from: fetches <base>/<Ecosystem>/all.zip. Here the base is
// an HTTP server on 127.0.0.1 run by the test (never the real bucket), serving zips built with
// fflate, and answering badly for some ecosystems: 404, 500, garbage, a hang, a stall mid-body, a
// body cut short, a size over the limit.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { zipSync, strToU8 } from 'fflate';
import { CLI } from '../helpers/cli.js';
import { runCliAsync } from '../helpers/registry.js';
import { DEFAULT_ECOSYSTEMS, OSV_BUCKET_URL, ecosystemZipUrl } from '../../src/images/osv/fetch.js';

const work = mkdtempSync(join(tmpdir(), 'km-osv-fetch-'));
const requests: string[] = [];
let server: Server;
let base: string;

function record(id: string, ecosystem: string, name: string): object {
  return { id, modified: new Date().toISOString(), affected: [{ package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '9.9' }] }] }] };
}

function zipOf(records: object[]): Buffer {
  return Buffer.from(zipSync(Object.fromEntries(records.map((r) => [`${(r as { id: string }).id}.json`, strToU8(JSON.stringify(r))]))));
}

const BIG = 16384 * 2 + 5; // more records than the importer inflates in one pass
const zips: Record<string, Buffer> = {
  Debian: zipOf([record('DSA-0001-1', 'Debian:12', 'glibc'), record('DSA-0002-1', 'Debian:12', 'openssl')]),
  npm: zipOf([record('GHSA-aaaa-bbbb-cccc', 'npm', 'lodash')]),
  'Rocky Linux': zipOf([record('RLSA-2026:0001', 'Rocky Linux:9', 'openssl')]),
  PyPI: zipOf(Array.from({ length: BIG }, (_, i) => record(`PYSEC-2026-${i}`, 'PyPI', `pkg-${i % 1000}`))),
};

function handle(path: string, res: ServerResponse): void {
  const m = /^\/mirror\/([^/]+)\/all\.zip$/.exec(path);
  const eco = m ? decodeURIComponent(m[1]) : '';
  if (zips[eco]) {
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zips[eco].length }).end(zips[eco]);
  } else if (eco === 'Broken') {
    res.writeHead(500, 'Internal Server Error').end('oops');
  } else if (eco === 'Garbage') {
    res.writeHead(200, { 'content-type': 'application/zip' }).end('<html>this is not a zip</html>');
  } else if (eco === 'BadZip') {
    res.writeHead(200).end(Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 7)]));
  } else if (eco === 'Hang') {
    // never answers
  } else if (eco === 'Stall') {
    res.writeHead(200, { 'content-length': zips.Debian.length });
    res.write(zips.Debian.subarray(0, 40)); // then nothing
  } else if (eco === 'Cut') {
    res.writeHead(200, { 'content-length': zips.Debian.length });
    res.write(zips.Debian.subarray(0, 40), () => res.socket?.destroy());
  } else if (eco === 'Huge') {
    res.writeHead(200, { 'content-length': 5 * 1024 * 1024 }).end();
  } else if (eco === 'Endless') {
    res.writeHead(200); // no length: the limit must stop it
    const chunk = Buffer.alloc(64 * 1024, 1);
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    res.write(Buffer.from('PK\x03\x04'));
    pump();
  } else {
    res.writeHead(404).end('NoSuchKey');
  }
}

before(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    handle(req.url ?? '', res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const cli = (args: string[]) => runCliAsync(CLI, ['images', 'db', ...args]);

async function status(db: string): Promise<{ records: number; ecosystems: Record<string, number>; sources: string[]; builtAt: string }> {
  const r = await cli(['status', '--db', db, '--json', '--max-age', '100000']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('images db update, fetched', () => {
  test("the default address is osv.dev's bucket, <Ecosystem>/all.zip, for the ecosystems kubemoat matches", () => {
    assert.equal(ecosystemZipUrl(OSV_BUCKET_URL, 'PyPI'), 'https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip');
    assert.equal(ecosystemZipUrl('http://mirror.local/osv/', 'crates.io'), 'http://mirror.local/osv/crates.io/all.zip');
    assert.deepEqual(DEFAULT_ECOSYSTEMS, ['Debian', 'Alpine', 'Ubuntu', 'Red Hat', 'AlmaLinux', 'Rocky Linux', 'npm', 'PyPI', 'Go', 'Maven']);
    assert.equal(ecosystemZipUrl(OSV_BUCKET_URL, 'Rocky Linux'), 'https://osv-vulnerabilities.storage.googleapis.com/Rocky%20Linux/all.zip');
  });

  test('fetches each named ecosystem from the mirror and indexes them', async () => {
    const db = join(work, 'db-ok');
    requests.length = 0;
    const r = await cli(['update', '--url', base, '--ecosystem', 'Debian, npm,Rocky Linux', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(requests, ['/mirror/Debian/all.zip', '/mirror/npm/all.zip', '/mirror/Rocky%20Linux/all.zip']);
    assert.match(r.stdout, /indexed 4 advisories/);
    const s = await status(db);
    assert.equal(s.records, 4);
    assert.equal(s.ecosystems.Debian, 2);
    assert.equal(s.ecosystems.npm, 1);
    assert.equal(Object.values(s.ecosystems).reduce((a, b) => a + b, 0), 4);
    assert.deepEqual(s.sources, [`${base}/Debian/all.zip`, `${base}/npm/all.zip`, `${base}/Rocky%20Linux/all.zip`]);
  });

  test('a large all.zip is read whole, in passes', async () => {
    const db = join(work, 'db-big');
    const r = await cli(['update', '--url', base, '--ecosystem', 'PyPI', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    const s = await status(db);
    assert.equal(s.records, BIG);
    assert.deepEqual(s.ecosystems, { PyPI: BIG });
  });

  test('each bad answer is named with its URL, and the database is left as it was', async () => {
    const db = join(work, 'db-kept');
    assert.equal((await cli(['update', '--url', base, '--ecosystem', 'npm', '--db', db])).status, 0);
    const before = await status(db);
    const cases: [string, RegExp][] = [
      ['Nope', /Nope\/all\.zip: not found \(404\)/],
      ['Broken', /Broken\/all\.zip: the server answered 500 Internal Server Error/],
      ['Garbage', /Garbage\/all\.zip: not a zip file/],
      ['BadZip', /BadZip\/all\.zip: not a readable zip archive/],
      ['Hang', /Hang\/all\.zip: no answer within 500 ms/],
      ['Stall', /Stall\/all\.zip: no data for 500 ms after 40 bytes; abandoned/],
      ['Cut', /Cut\/all\.zip: (cut short: 40 of \d+ bytes|terminated|other side closed)/],
      ['Huge', /Huge\/all\.zip: 5242880 bytes announced, more than the limit of 1048576/],
      ['Endless', /Endless\/all\.zip: more than the limit of 1048576 bytes; abandoned/],
    ];
    for (const [eco, expected] of cases) {
      const r = await cli(['update', '--url', base, '--ecosystem', `Debian,${eco}`, '--db', db, '--timeout', '500', '--max-size', '1']);
      assert.equal(r.status, 2, `${eco}: ${r.stderr}`);
      assert.match(r.stderr, expected, eco);
      assert.ok(r.stderr.includes(`${base}/${eco}/all.zip`), `${eco}: the URL is named`);
      assert.match(r.stderr, /1 of 2 ecosystem\(s\) could not be fetched; the database was left as it was/, eco);
      assert.deepEqual(await status(db), before, `${eco}: the database is unchanged`);
    }
  });

  test('an unreachable mirror and a bad --url are clear errors', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const r = await cli(['update', '--url', `http://127.0.0.1:${port}/osv`, '--ecosystem', 'Debian', '--db', join(work, 'db-none'), '--timeout', '2000']);
    assert.equal(r.status, 2);
    assert.ok(r.stderr.includes(`http://127.0.0.1:${port}/osv/Debian/all.zip: ECONNREFUSED`), r.stderr);
    const bad = await cli(['update', '--url', 'ftp://x', '--db', join(work, 'db-none')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--url ftp:\/\/x: give an http:\/\/ or https:\/\/ address/);
    const both = await cli(['update', '--from', work, '--ecosystem', 'npm', '--db', join(work, 'db-none')]);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /with --from nothing is fetched/);
  });
});
