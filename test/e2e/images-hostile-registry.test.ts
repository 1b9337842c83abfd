// A registry that misbehaves, served by this test on 127.0.0.1: hangs, 500s, garbage manifests, a
// manifest that does not match its digest, a layer that stalls or is cut short, a token service
// that refuses. Each failure is named with its place; the good image in the same run is scanned.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { CLI } from '../helpers/cli.js';
import { runCliAsync } from '../helpers/registry.js';
import { gzip, imageConfig, sha256, tarOf } from '../helpers/image-fixtures.js';
import { makeKey } from '../helpers/cosign-fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'km-hostile-'));
let server: Server;
let host = '';
const open = new Set<ServerResponse>();

const layer = gzip(tarOf([{ path: 'app/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.20"}' }]));
// the stalled and cut layers differ from the good one: a layer already verified under its digest is
// not fetched again, so sharing one would hide the failure
const stallLayer = gzip(tarOf([{ path: 'app/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.20","x":"stall"}' }]));
const cutLayer = gzip(tarOf([{ path: 'app/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.20","x":"cut"}' }]));
const config = imageConfig({ tag: 'x', layers: [] }, [sha256(tarOf([]))]);
const manifestFor = (layerDigest: string, size: number) =>
  Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size }] }));
const good = manifestFor(sha256(layer), layer.length);

before(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    const m = /^\/v2\/([^/]+)\/(manifests|blobs|referrers)\/(.+)$/.exec(url);
    if (url.startsWith('/token')) return void res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    if (!m) return void res.writeHead(404).end();
    const [, repo, kind, ref] = m;
    if (repo === 'hang') {
      open.add(res);
      return; // never answers
    }
    if (repo === 'err') return void res.writeHead(500, 'Internal Server Error').end('boom');
    if (repo === 'private') return void res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="hostile",scope="repository:private:pull"` }).end();
    if (kind === 'referrers') return void (repo === 'referrerserr' ? res.writeHead(500, 'Internal Server Error').end('boom') : res.writeHead(404).end('404 page not found'));
    if (kind === 'manifests') {
      // cosign signatures (.sig tags): a 500, a hang, and garbage where the signature manifest should be
      if (ref.endsWith('.sig') && repo === 'sigerr') return void res.writeHead(500, 'Internal Server Error').end('boom');
      if (ref.endsWith('.sig') && repo === 'sighang') return void open.add(res);
      if (ref.endsWith('.sig') && repo === 'siggarbage') return void res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end('<html>');
      if (ref === '1' && ['sigerr', 'sighang', 'siggarbage', 'referrerserr'].includes(repo)) return void res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(good);
      if (repo === 'garbage') return void res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end('<html>not a manifest</html>');
      if (repo === 'liar') return void res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': sha256('another manifest') }).end(good);
      if (repo === 'stall') return void res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(manifestFor(sha256(stallLayer), stallLayer.length));
      if (repo === 'cut') return void res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(manifestFor(sha256(cutLayer), cutLayer.length));
      if (ref === '1' && repo === 'good') return void res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(good);
      return void res.writeHead(404).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    }
    if (ref === sha256(config)) return void res.writeHead(200).end(config);
    if (ref === sha256(stallLayer)) {
      res.writeHead(200, { 'content-length': String(stallLayer.length) });
      res.write(stallLayer.subarray(0, 100));
      open.add(res);
      return; // stops sending
    }
    if (ref === sha256(cutLayer)) {
      res.writeHead(200);
      return void res.end(cutLayer.subarray(0, cutLayer.length - 64));
    }
    if (ref === sha256(layer)) return void res.writeHead(200).end(layer);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  writeFileSync(join(work, 'lodash.json'), JSON.stringify({ id: 'GHSA-35jh-r3h4-6jhm', modified: '2026-11-01T00:00:00Z', summary: 'lodash', affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }] }));
  const u = await runCliAsync(CLI, ['images', 'db', 'update', '--from', join(work, 'lodash.json'), '--db', join(work, 'db')]);
  assert.equal(u.status, 0, u.stderr);
});

after(() => {
  for (const r of open) r.destroy();
  server.closeAllConnections();
  server.close();
});

test('each misbehaving repository is named with what went wrong; the good image is still scanned', async () => {
  const refs = ['good', 'hang', 'err', 'garbage', 'liar', 'private', 'stall', 'cut', 'missing'].map((r) => `${host}/${r}:1`);
  const started = Date.now();
  const r = await runCliAsync(CLI, ['images', ...refs, '--db', join(work, 'db'), '--timeout', '1500', '--format', 'json', '--no-save-state', '--concurrency', '9', '--docker-config', join(work, 'none.json')]);
  assert.ok(Date.now() - started < 60_000, 'hangs are bounded by the timeout');
  assert.equal(r.status, 2, 'part of the target could not be read');
  const report = JSON.parse(r.stdout) as { findings: { ruleId: string; message: string; resource?: { name: string } }[]; coverage: { target: string; reason: string }[] };
  const reason = (repo: string) => report.coverage.filter((c) => c.target === `${host}/${repo}:1`).map((c) => c.reason).join(' | ');
  assert.match(reason('hang'), /no answer within 1500 ms/);
  assert.match(reason('err'), /answered 500/);
  assert.match(reason('garbage'), /not JSON/);
  assert.match(reason('liar'), /digest mismatch/);
  assert.match(reason('private'), /token service .* refused \(401\)/);
  assert.match(reason('stall'), /no data for 1500 ms, abandoned/);
  assert.match(reason('cut'), /truncated|unexpected end|digest mismatch/);
  assert.match(reason('missing'), /not found \(404\)/);
  assert.equal(reason('good'), '');
  const lodash = report.findings.filter((f) => f.ruleId === 'KM-IM-004');
  assert.deepEqual(lodash.map((f) => f.resource?.name), [`${host}/good:1`], 'the good image is scanned; the cut and stalled layers give no partial findings');
  assert.ok(report.findings.some((f) => f.ruleId === 'KM-IM-006' && f.resource?.name === `${host}/liar:1`), 'a manifest that does not match its digest is reported');
});

test('signature lookups: a .sig tag that 404s is unsigned; one that 500s or hangs, or a referrers API that 500s, is a coverage error, not a finding; garbage is an invalid signature', async () => {
  writeFileSync(join(work, 'cosign.pub'), makeKey().publicPem);
  const refs = ['good', 'sigerr', 'sighang', 'siggarbage', 'referrerserr'].map((r) => `${host}/${r}:1`);
  const r = await runCliAsync(CLI, ['images', ...refs, '--cosign-key', join(work, 'cosign.pub'), '--db', join(work, 'db'), '--timeout', '1500', '--format', 'json', '--no-save-state', '--docker-config', join(work, 'none.json')]);
  assert.equal(r.status, 2, r.stderr);
  const report = JSON.parse(r.stdout) as { findings: { ruleId: string; message: string; evidence?: string; resource?: { name: string } }[]; coverage: { target: string; reason: string; severity: string }[] };
  const unsigned = report.findings.filter((f) => f.ruleId === 'KM-IM-007');
  assert.deepEqual(unsigned.map((f) => f.resource?.name).sort(), [`${host}/good:1`, `${host}/siggarbage:1`]);
  assert.match(unsigned.find((f) => f.resource?.name === `${host}/good:1`)?.message ?? '', /has no cosign signature \(no sha256-[0-9a-f]{64}\.sig tag, no sigstore bundle among its referrers\)/);
  assert.match(unsigned.find((f) => f.resource?.name === `${host}/siggarbage:1`)?.evidence ?? '', /malformed signature manifest/);
  const reason = (repo: string) => report.coverage.filter((c) => c.target === `${host}/${repo}:1` && c.severity === 'error').map((c) => c.reason).join(' | ');
  assert.match(reason('sigerr'), /signatures at sha256-[0-9a-f]{64}\.sig could not be read: .*answered 500.*; whether it is signed is unknown/);
  assert.match(reason('sighang'), /signatures at sha256-[0-9a-f]{64}\.sig could not be read: .*no answer within 1500 ms/);
  assert.match(reason('referrerserr'), /the referrers of sha256:[0-9a-f]{64} could not be read: .*answered 500/);
  assert.equal(reason('good'), '');
  // the images themselves were scanned all the same
  assert.equal(report.findings.filter((f) => f.ruleId === 'KM-IM-004').length, 5);
});
