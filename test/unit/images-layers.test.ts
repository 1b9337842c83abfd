// Image contents from hand-built layers: whiteouts and opaque directories, compression by magic
// bytes, digest verification, hostile tar input, package analysers, OCI layouts and docker save.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { zipSync, strToU8 } from 'fflate';
import { analyseLayer, LayerCache, LayerError, DEFAULT_LIMITS, type LayerAnalysis } from '../../src/images/image/layer.js';
import { mergeLayers } from '../../src/images/image/contents.js';
import { normaliseTarPath, TarParser } from '../../src/images/image/tar.js';
import { parseLocalRef, resolveLocal } from '../../src/images/image/oci.js';
import { scanResolvedImage } from '../../src/images/scan.js';
import { judge } from '../../src/images/run.js';
import { osvEcosystem, advisoryKey } from '../../src/images/packages/types.js';
import { fakeGoBinary, gzip, sha256, tarOf, writeDockerArchive, writeOciLayout, zstd, type FixtureEntry } from '../helpers/image-fixtures.js';

const PLATFORM = { os: 'linux', architecture: 'amd64' };

const DEBIAN_OS = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';
const STATUS = [
  'Package: libssl3\nStatus: install ok installed\nSource: openssl\nVersion: 3.0.11-1~deb12u1\n',
  'Package: bash\nStatus: install ok installed\nSource: bash (5.2.15-2)\nVersion: 5.2.15-2+b2\n',
  'Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0-1\n',
  'Package: python3-foo\nStatus: install ok installed\nVersion: 1.0-1\n',
].join('\n');

function analyse(blob: Buffer, limits = DEFAULT_LIMITS, verify: { blob: string } | { none: true } = { blob: sha256(blob) }): Promise<LayerAnalysis> {
  return analyseLayer(sha256(blob), Readable.from([blob]), verify, limits);
}

const base: FixtureEntry[] = [
  { path: 'etc/', type: 'dir' },
  { path: 'etc/os-release', content: DEBIAN_OS },
  { path: 'var/lib/dpkg/status', content: STATUS },
  { path: 'var/lib/dpkg/info/python3-foo.list', content: '/.\n/usr/lib/python3/dist-packages/foo-1.0.dist-info\n/usr/lib/python3/dist-packages/foo-1.0.dist-info/METADATA\n' },
  { path: 'usr/lib/python3/dist-packages/foo-1.0.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: foo\nVersion: 1.0\n' },
  { path: 'usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n\nName: not-a-header\n' },
  { path: 'app/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.20","license":"MIT"}' },
  { path: 'app/node_modules/lodash/node_modules/@scope/inner/package.json', content: '{"name":"@scope/inner","version":"1.0.0"}' },
  { path: 'app/node_modules/lodash/test/fixtures/package.json', content: '{"name":"fixture","version":"0.0.0"}' },
  { path: 'opt/tools/node_modules/left-pad/package.json', content: '{"name":"left-pad","version":"1.0.0"}' },
];

test('layers apply in order: whiteouts delete, opaque directories hide, OS-owned language packages are not counted twice', async () => {
  const l1 = await analyse(gzip(tarOf(base)));
  const l2 = await analyse(
    gzip(
      tarOf([
        { path: 'app/.wh.node_modules', content: '' },
        { path: 'opt/tools/.wh..wh..opq', content: '' },
        { path: 'opt/tools/node_modules/right-pad/package.json', content: '{"name":"right-pad","version":"2.0.0"}' },
      ]),
    ),
  );
  const before = mergeLayers([l1]);
  assert.equal(before.os?.id, 'debian');
  const names = (c: ReturnType<typeof mergeLayers>) => c.packages.map((p) => `${p.type}:${p.name}@${p.version}`).sort();
  assert.deepEqual(names(before), ['deb:bash@5.2.15-2+b2', 'deb:libssl3@3.0.11-1~deb12u1', 'deb:python3-foo@1.0-1', 'npm:@scope/inner@1.0.0', 'npm:left-pad@1.0.0', 'npm:lodash@4.17.20', 'pypi:requests@2.31.0']);
  assert.equal(before.ownedByOs, 1, 'foo is owned by python3-foo');
  const after = mergeLayers([l1, l2]);
  assert.deepEqual(names(after), ['deb:bash@5.2.15-2+b2', 'deb:libssl3@3.0.11-1~deb12u1', 'deb:python3-foo@1.0-1', 'npm:right-pad@2.0.0', 'pypi:requests@2.31.0']);
  const bash = after.packages.find((p) => p.name === 'bash');
  assert.deepEqual(bash?.source, { name: 'bash', version: '5.2.15-2' }, 'the source version, not the binNMU version');
  assert.equal(bash?.layer, l1.digest);
  assert.equal(osvEcosystem(bash!, after.os), 'Debian:12');
  assert.deepEqual(advisoryKey(after.packages.find((p) => p.name === 'libssl3')!), { name: 'openssl', version: '3.0.11-1~deb12u1' });
});

test('compression is read from the magic bytes: gzip, zstd and plain tar give the same contents', async () => {
  const tar = tarOf(base);
  const results = await Promise.all([analyse(tar), analyse(gzip(tar)), analyse(zstd(tar))]);
  assert.deepEqual(results.map((r) => r.compression), ['none', 'gzip', 'zstd']);
  const [a, b, c] = results.map((r) => JSON.stringify(r.files));
  assert.equal(a, b);
  assert.equal(a, c);
  assert.equal(results[0].bytes, tar.length);
});

test('a blob that does not hash to its digest is rejected', async () => {
  const blob = gzip(tarOf(base));
  await assert.rejects(analyseLayer('sha256:x', Readable.from([blob]), { blob: sha256('something else') }), (e: Error) => e instanceof LayerError && /digest mismatch/.test(e.message));
});

test('hostile and broken layers: truncated gzip, corrupt headers, traversal names, bombs', async () => {
  const blob = gzip(tarOf(base));
  await assert.rejects(analyse(blob.subarray(0, blob.length - 40), DEFAULT_LIMITS, { none: true }), /truncated|unexpected end/i);
  const tar = tarOf(base);
  const corrupt = Buffer.from(tar);
  corrupt[600] ^= 0xff; // inside the second header
  await assert.rejects(analyse(corrupt, DEFAULT_LIMITS, { none: true }), /bad checksum|corrupt tar header/);
  await assert.rejects(analyse(tar.subarray(0, 700), DEFAULT_LIMITS, { none: true }), /truncated tar stream/);
  const zstdBlob = zstd(tar);
  await assert.rejects(analyse(zstdBlob.subarray(0, zstdBlob.length - 10), DEFAULT_LIMITS, { none: true }), /zstd/);

  const hostile = await analyse(tarOf([{ path: '../../etc/os-release', content: 'ID=evil\nVERSION_ID=1\n' }, { path: 'a/../../../var/lib/dpkg/status', content: STATUS }, ...base.slice(0, 2)]));
  assert.equal(hostile.notes.filter((n) => /climbs out/.test(n)).length, 2);
  assert.equal(mergeLayers([hostile]).os?.id, 'debian', 'the traversal entry is not taken for /etc/os-release');
  assert.deepEqual(mergeLayers([hostile]).packages, []);

  // 64 MiB of zeros inside one file: about 64 KiB of gzip
  const bomb = gzip(tarOf([{ path: 'zeros', content: Buffer.alloc(64 * 1024 * 1024) }]));
  assert.ok(bomb.length < 1024 * 1024);
  await assert.rejects(analyse(bomb, { ...DEFAULT_LIMITS, maxLayerBytes: 8 * 1024 * 1024 }), /decompression bomb/);
  const big = await analyse(gzip(tarOf([{ path: 'var/lib/dpkg/status', content: STATUS + '\n'.repeat(4096) }])), { ...DEFAULT_LIMITS, maxFileBytes: 1024 });
  assert.match(big.notes.join(), /larger than 1024 bytes/);

  assert.equal(normaliseTarPath('./a/./b/../c'), '/a/c');
  assert.equal(normaliseTarPath('../x'), undefined);
  assert.equal(normaliseTarPath('/abs/path'), '/abs/path');
});

test('pax long names and GNU base-256 sizes are read', async () => {
  const long = `app/${'deep/'.repeat(30)}node_modules/long-name-pkg/package.json`;
  const a = await analyse(tarOf([{ path: long, content: '{"name":"long-name-pkg","version":"3.0.0"}' }]));
  assert.deepEqual(mergeLayers([a]).packages.map((p) => p.path), [`/${long}`]);
  const seen: number[] = [];
  const p = new TarParser((e) => {
    seen.push(e.size);
    return undefined;
  });
  const h = tarOf([{ path: 'f', content: 'abc' }]);
  // rewrite the size field as base-256 (what GNU tar writes over 8 GiB) and fix the checksum
  h.fill(0, 124, 136);
  h[124] = 0x80;
  h[135] = 3;
  h.write('        ', 148, 'latin1');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i];
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  p.push(h);
  p.end();
  assert.deepEqual(seen, [3]);
});

test('Go build information, Java archives (nested), Alpine databases', async () => {
  const modinfo = '0\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00path\texample.com/app\nmod\texample.com/app\t(devel)\t\ndep\tgolang.org/x/net\tv0.17.0\th1:abc=\ndep\tgithub.com/old/lib\tv1.0.0\t\n=>\tgithub.com/new/lib\tv1.2.0\th1:def=\n';
  const jarInner = zipSync({ 'META-INF/maven/org.yaml/snakeyaml/pom.properties': strToU8('groupId=org.yaml\nartifactId=snakeyaml\nversion=1.33\n') });
  const jar = zipSync({
    'META-INF/maven/com.example/app/pom.properties': strToU8('#generated\ngroupId=com.example\nartifactId=app\nversion=2.0.0\n'),
    'BOOT-INF/lib/snakeyaml-1.33.jar': jarInner,
  });
  const layer = await analyse(
    tarOf([
      { path: 'usr/local/bin/app', content: fakeGoBinary('go1.21.5', modinfo), mode: 0o755 },
      { path: 'usr/local/bin/script', content: '#!/bin/sh\n' + 'x'.repeat(2000), mode: 0o755 },
      { path: 'srv/app.jar', content: Buffer.from(jar) },
      { path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' },
      { path: 'lib/apk/db/installed', content: 'C:Q1abc=\nP:libcrypto3\nV:3.1.4-r1\no:openssl\nL:Apache-2.0\nF:usr/lib\nR:libcrypto.so.3\n\nP:busybox\nV:1.36.1-r15\nF:bin\nR:busybox\n\n' },
      { path: 'usr/lib/node_modules/npm/package.json', content: '{"name":"npm","version":"10.2.0"}' },
    ]),
  );
  const c = mergeLayers([layer]);
  const got = c.packages.map((p) => `${p.type}:${p.name}@${p.version}${p.source ? ` (${p.source.name})` : ''}`).sort();
  assert.deepEqual(got, [
    'apk:busybox@1.36.1-r15 (busybox)',
    'apk:libcrypto3@3.1.4-r1 (openssl)',
    'go-stdlib:stdlib@1.21.5',
    'go:github.com/new/lib@v1.2.0',
    'go:golang.org/x/net@v0.17.0',
    'maven:com.example:app@2.0.0',
    'maven:org.yaml:snakeyaml@1.33',
    'npm:npm@10.2.0',
  ]);
  const crypto = c.packages.find((p) => p.name === 'libcrypto3')!;
  assert.equal(osvEcosystem(crypto, c.os), 'Alpine:v3.19');
  assert.deepEqual(advisoryKey(crypto), { name: 'openssl', version: '3.1.4-r1' });
  assert.equal(c.packages.find((p) => p.name === 'org.yaml:snakeyaml')?.path, '/srv/app.jar!/BOOT-INF/lib/snakeyaml-1.33.jar');
});

test('OCI layout: tags, shared layers analysed once, a tampered blob rejected and reported as KM-IM-006', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'km-oci-'));
  const shared = gzip(tarOf(base));
  const app = zstd(tarOf([{ path: 'srv/node_modules/express/package.json', content: '{"name":"express","version":"4.17.0"}' }]));
  const evil = gzip(tarOf([{ path: 'x', content: 'x' }]));
  writeOciLayout(join(dir, 'oci'), [
    { tag: 'one', layers: [{ blob: shared }] },
    { tag: 'two', layers: [{ blob: shared }, { blob: app, mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' }] },
    { tag: 'tampered', layers: [{ blob: shared }, { blob: evil, lieAboutDigest: sha256('the reviewed layer') }] },
  ]);
  const cache = new LayerCache();
  const one = await scanResolvedImage(resolveLocal(parseLocalRef(`oci:${dir}/oci:one`)!, 'one', PLATFORM), { cache });
  const two = await scanResolvedImage(resolveLocal(parseLocalRef(`oci:${dir}/oci:two`)!, 'two', PLATFORM), { cache });
  assert.deepEqual(one.errors, []);
  assert.ok(two.contents.packages.some((p) => p.name === 'express'));
  assert.equal(cache.analysed, 2, 'three layer references, two distinct layers analysed');
  assert.equal(cache.hits, 1);
  const tampered = await scanResolvedImage(resolveLocal(parseLocalRef(`oci:${dir}/oci:tampered`)!, 'tampered', PLATFORM), { cache });
  assert.equal(tampered.errors.length, 1);
  assert.match(tampered.errors[0], /digest mismatch/);
  const judged = judge([{ target: { ref: 'tampered', uses: [], pullSecrets: [] }, scanned: tampered, vulnerabilities: [], uncovered: [] }], {});
  assert.deepEqual(judged.findings.map((f) => f.ruleId), ['KM-IM-006']);
  assert.equal(judged.coverage[0].severity, 'error');
  assert.throws(() => resolveLocal(parseLocalRef(`oci:${dir}/oci:nope`)!, 'nope', PLATFORM), /no image tagged nope/);
  // a manifest that does not match its digest is refused before any layer is read
  const m = join(dir, 'oci', 'blobs', 'sha256');
  const { readdirSync, readFileSync } = await import('node:fs');
  for (const f of readdirSync(m)) {
    const text = readFileSync(join(m, f), 'utf8');
    if (text.includes('"layers"') && text.includes(sha256(shared)) && !text.includes(sha256(app))) writeFileSync(join(m, f), text.replace('"schemaVersion":2', '"schemaVersion": 2'));
  }
  assert.throws(() => resolveLocal(parseLocalRef(`oci:${dir}/oci:one`)!, 'one', PLATFORM), /digest mismatch/);
});

test('docker save archives: layers checked against the diff ids of the config', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'km-docker-'));
  const l1 = tarOf(base);
  const l2 = tarOf([{ path: 'app/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.21"}' }]);
  writeDockerArchive(join(dir, 'good.tar'), 'app:1', [l1, l2]);
  const image = resolveLocal(parseLocalRef(`docker-archive:${dir}/good.tar`)!, 'good', PLATFORM);
  assert.deepEqual(image.tags, ['app:1']);
  const scanned = await scanResolvedImage(image, { cache: new LayerCache() });
  assert.deepEqual(scanned.errors, []);
  assert.equal(scanned.contents.packages.find((p) => p.name === 'lodash')?.version, '4.17.21', 'the upper layer replaces the file');
  writeDockerArchive(join(dir, 'bad.tar'), 'app:1', [l1, l2], { layer: 1, with: tarOf([{ path: 'x', content: 'evil' }]) });
  const bad = await scanResolvedImage(resolveLocal(parseLocalRef(`docker-archive:${dir}/bad.tar:app:1`)!, 'bad', PLATFORM), { cache: new LayerCache() });
  assert.match(bad.errors.join(), /digest mismatch/);
  assert.throws(() => resolveLocal(parseLocalRef(`docker-archive:${dir}/missing.tar`)!, 'x', PLATFORM), /no such file/);
  writeFileSync(join(dir, 'garbage.tar'), Buffer.alloc(2048, 0x41));
  assert.throws(() => resolveLocal(parseLocalRef(`docker-archive:${dir}/garbage.tar`)!, 'x', PLATFORM), /not a tar archive|not a docker save archive/);
});
