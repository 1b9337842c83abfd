// Hostile local images: a FIFO where a blob, the index or an archive should be (opening one for
// reading waits for a writer: it blocked `images` until killed) and a dpkg database of more
// packages than any image has (a million took over a minute). Both must end quickly in a coverage
// error naming the place, with the other images still scanned. The CLI runs with a kill timeout,
// so a regression fails instead of hanging the suite.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/cli.js';
import { gzip, sha256, tarOf, writeOciLayout } from '../helpers/image-fixtures.js';
import { MAX_PACKAGES_PER_DATABASE, PackageLimitError, parseApkInstalled, parseDpkgStatus } from '../../src/images/packages/os.js';
import type { Report } from '../../src/core/report.js';

const dir = mkdtempSync(join(tmpdir(), 'km-images-hostile-'));
const db = join(dir, 'db');
const LODASH = gzip(tarOf([{ path: 'srv/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.20"}' }]));

writeFileSync(join(dir, 'osv.json'), JSON.stringify({ id: 'GHSA-35jh-r3h4-6jhm', modified: new Date().toISOString(), affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }] }));
execFileSync(process.execPath, [CLI, 'images', 'db', 'update', '--from', join(dir, 'osv.json'), '--db', db], { stdio: 'ignore' });

function mkfifo(path: string): void {
  rmSync(path, { force: true });
  execFileSync('mkfifo', [path]);
}

function scan(refs: string[]): { status: number | null; report: Report; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'images', ...refs, '--db', db, '--no-save-state', '-f', 'json'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 });
  assert.equal(r.signal, null, `killed after 60 s: a read blocked (${r.stderr})`);
  return { status: r.status, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

test('a FIFO as a layer blob, as index.json, as an archive: refused at once, the good image still scanned', () => {
  const layout = join(dir, 'oci');
  writeOciLayout(layout, [{ tag: 'good', layers: [{ blob: LODASH }] }, { tag: 'fifo', layers: [{ blob: gzip(tarOf([{ path: 'etc/hostname', content: 'x' }])) }] }]);
  const blob = sha256(gzip(tarOf([{ path: 'etc/hostname', content: 'x' }]))).replace('sha256:', '');
  mkfifo(join(layout, 'blobs', 'sha256', blob));
  const noIndex = join(dir, 'oci-no-index');
  writeOciLayout(noIndex, [{ tag: 'x', layers: [{ blob: LODASH }] }]);
  mkfifo(join(noIndex, 'index.json'));
  const archive = join(dir, 'image.oci.tar');
  mkfifo(archive);

  const refs = [`oci:${layout}:good`, `oci:${layout}:fifo`, `oci:${noIndex}:x`, `oci-archive:${archive}`];
  const r = scan(refs);
  assert.equal(r.status, 2, r.stderr);
  assert.ok(r.report.findings.some((f) => f.ruleId === 'KM-IM-004' && f.resource?.name === refs[0]), 'the good image is scanned');
  const errors = r.report.coverage.filter((c) => c.severity === 'error');
  for (const [ref, place] of [[refs[1], blob], [refs[2], 'index.json'], [refs[3], 'image.oci.tar']]) {
    const gap = errors.find((c) => c.target === ref);
    assert.ok(gap, `${ref} is a coverage error: ${JSON.stringify(errors)}`);
    assert.match(gap.reason, new RegExp(`${place}: a FIFO, not a regular file`));
  }
});

test('a dpkg status past the package bound is a coverage error; the rest of the image is still read', () => {
  const stanzas = Array.from({ length: MAX_PACKAGES_PER_DATABASE + 1 }, (_, i) => `Package: p${i}\nStatus: install ok installed\nVersion: 1.${i}\n`).join('\n');
  const layout = join(dir, 'oci-dpkg');
  writeOciLayout(layout, [{ tag: 'big', layers: [{ blob: gzip(tarOf([{ path: 'var/lib/dpkg/status', content: stanzas }, { path: 'srv/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.20"}' }])) }] }]);
  const r = scan([`oci:${layout}:big`]);
  assert.equal(r.status, 2, r.stderr);
  const gap = r.report.coverage.find((c) => c.severity === 'error');
  assert.match(gap?.reason ?? '', /\/var\/lib\/dpkg\/status: lists more than 100000 packages; not read/);
  assert.ok(r.report.findings.some((f) => f.ruleId === 'KM-IM-004'), 'the npm package beside it is still matched');
});

test('the bound is on packages listed, for dpkg and apk alike', () => {
  const dpkg = (n: number): string => Array.from({ length: n }, (_, i) => `Package: p${i}\nVersion: 1\n`).join('\n');
  assert.equal(parseDpkgStatus(dpkg(3), 'status', 3).length, 3);
  assert.throws(() => parseDpkgStatus(dpkg(4), 'status', 3), PackageLimitError);
  const apk = (n: number): string => Array.from({ length: n }, (_, i) => `P:p${i}\nV:1\n`).join('\n');
  assert.equal(parseApkInstalled(apk(3), 'installed', 3).packages.length, 3);
  assert.throws(() => parseApkInstalled(apk(4), 'installed', 3), /installed: lists more than 3 packages/);
});
